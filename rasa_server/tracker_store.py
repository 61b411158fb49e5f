"""Rasa's SQLTrackerStore, able to erase a conversation, cheaper per message, and not tripped
by a dropped database connection.

Erasing: Rasa 3.6's SQL store only ever appends. Saving a tracker counts the stored events of
the current session and writes the tracker's events beyond that count, so replacing a
conversation with no events through Rasa's HTTP API (`PUT /conversations/<id>/tracker/events`
with `[]`, which `/delete` sends) left every row in PostgreSQL, while the in-memory store of
`make run` forgot it. Here saving an empty tracker that the store did not read deletes every
stored session of its sender.

Cheaper: reading a conversation for each message (query, JSON, replaying every event) and
counting its rows before each save were half of Rasa's work per message under load
(`make bench-load`). A tracker the store read or saved knows how many of its events are
stored, so no rows are counted; and a conversation just saved is kept in memory and handed to
its next message if its newest stored row is still the one this process saw after writing.
Another replica's write or an erasure changes that, and the conversation is read again. The
cached tracker is taken out while a message uses it, so a turn that fails before saving
leaves nothing half-done behind.

Unreadable conversations: when reading a conversation fails, Rasa's FailSafeTrackerStore goes
on with an empty one: the newcomer is answered as a stranger, the turn is saved by counting
rows of another state (or, with erasing, the conversation would be deleted). With this store
Rasa fails the message instead; its REST channel then answers nothing, and the adapter keeps
the message and tries again (the newcomer hears once that Lotse cannot answer right now).
Rasa's engine also did not notice connections PostgreSQL had closed (a restart, a fail-over,
a cut network), so the next message failed that way: connections are checked before use."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

# Set on each tracker this store reads or saves: how many of its events are stored.
_STORED_EVENTS = "_lotse_stored_events"
# Set on trackers read by `retrieve`: they hold the latest session only, as Rasa expects there.
_LATEST_SESSION = "_lotse_latest_session"
CACHED_CONVERSATIONS = 1000


class ErasingSQLTrackerStore(SQLTrackerStore):
    """Configured like Rasa's `SQL` tracker store (endpoints.production.yml), with
    `type: rasa_server.tracker_store.ErasingSQLTrackerStore`."""

    engine: sa.engine.Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fail_instead_of_forgetting()
        # parameters are the events, with what the newcomer wrote: never in an error or a log line
        checked = sa.create_engine(self.engine.url, pool_pre_ping=True, hide_parameters=True,
                                   **create_engine_kwargs(self.engine.url))
        self.engine.dispose()
        self.engine = checked
        self.sessionmaker.configure(bind=checked)
        self._recent: OrderedDict[str, tuple[DialogueStateTracker, int | None]] = OrderedDict()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker, newest_row = self._recent.pop(sender_id, (None, None))
        if tracker is not None and newest_row == self._newest_row(sender_id):
            return tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, _LATEST_SESSION, True)
        return tracker

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None:
            setattr(tracker, _STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._recent.pop(tracker.sender_id, None)
        await super().save(tracker)
        setattr(tracker, _STORED_EVENTS, len(tracker.events))
        if getattr(tracker, _LATEST_SESSION, False):
            self._recent[tracker.sender_id] = (tracker, self._newest_row(tracker.sender_id))
            if len(self._recent) > CACHED_CONVERSATIONS:
                self._recent.popitem(last=False)

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator:
        """The events to write in `save` (the caller's transaction commits them, and a deletion)."""
        stored = getattr(tracker, _STORED_EVENTS, None)
        if stored is not None:
            return itertools.islice(tracker.events, stored, len(tracker.events))
        if not tracker.events:  # replaced by nothing: erased
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete(
                synchronize_session=False)
            return iter(())
        return super()._additional_events(session, tracker)

    def _newest_row(self, sender_id: str) -> int | None:
        events = self.SQLEvent.__table__
        with self.engine.connect() as connection:
            newest = sa.select(sa.func.max(events.c.id)).where(events.c.sender_id == sender_id)
            return connection.execute(newest).scalar()


async def _retrieve_or_fail(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    return await self._tracker_store.retrieve(sender_id)


async def _retrieve_full_tracker_or_fail(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    return await self._tracker_store.retrieve_full_tracker(sender_id)


def _fail_instead_of_forgetting() -> None:
    """Rasa wraps every tracker store in a FailSafeTrackerStore; its reads now pass errors on."""
    FailSafeTrackerStore.retrieve = _retrieve_or_fail
    FailSafeTrackerStore.retrieve_full_tracker = _retrieve_full_tracker_or_fail
