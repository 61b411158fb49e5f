"""Rasa's SQLTrackerStore, able to erase a conversation and cheaper per message.

Erasing: Rasa 3.6's SQL store only ever appends. Saving a tracker counts the stored events of
the current session and writes the tracker's events beyond that count, so replacing a
conversation through Rasa's HTTP API (`PUT /conversations/<id>/tracker/events`, which `/delete`
sends with no events) left every row in PostgreSQL, while the in-memory store of `make run`
forgot it. Here a tracker built outside the store (a replacement) takes the place of
everything stored under its sender; a tracker the store read or started gets the events added
since, known without counting rows again.

Cheaper: reading a conversation for each message (query, JSON, replaying every event) and
counting its rows before each save were half of Rasa's work per message under load
(`make bench-load`). A conversation just saved is kept in memory and handed out again for its
next message if its newest stored row is still the one this process saw after writing;
another replica's write or an erasure changes that, and the conversation is read again. The cached tracker is taken out while a message uses it, so a turn that fails
before saving leaves nothing half-done behind."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

# Set on each tracker this store reads, starts or saves: how many of its events are stored.
_STORED_EVENTS = "_lotse_stored_events"
# Set on trackers read by `retrieve`: they hold the latest session only, as Rasa expects there.
_LATEST_SESSION = "_lotse_latest_session"
CACHED_CONVERSATIONS = 1000


class ErasingSQLTrackerStore(SQLTrackerStore):
    """Configured like Rasa's `SQL` tracker store (endpoints.production.yml), with
    `type: dialogue.tracker_store.ErasingSQLTrackerStore`."""

    def __init__(self, *args: Any, cached_conversations: int = CACHED_CONVERSATIONS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cache_size = cached_conversations
        self._recent: OrderedDict[str, tuple[DialogueStateTracker, Optional[int]]] = OrderedDict()

    def init_tracker(self, sender_id: str) -> DialogueStateTracker:
        """A new conversation: nothing of it is stored yet, its events are appended."""
        tracker = super().init_tracker(sender_id)
        setattr(tracker, _STORED_EVENTS, 0)
        return tracker

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker, newest_row = self._recent.pop(sender_id, (None, None))
        if tracker is not None and newest_row == self._newest_row(sender_id):
            return tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, _LATEST_SESSION, True)
        return tracker

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None:
            setattr(tracker, _STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._recent.pop(tracker.sender_id, None)
        await super().save(tracker)
        setattr(tracker, _STORED_EVENTS, len(tracker.events))
        if getattr(tracker, _LATEST_SESSION, False) and self._cache_size > 0:
            self._recent[tracker.sender_id] = (tracker, self._newest_row(tracker.sender_id))
            while len(self._recent) > self._cache_size:
                self._recent.popitem(last=False)

    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator:
        """The events to write in `save`; for a replacement, after deleting what was stored
        under its sender, in every session (the caller's transaction commits both)."""
        stored = getattr(tracker, _STORED_EVENTS, None)
        if stored is None:
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete(
                synchronize_session=False)
            stored = 0
        return itertools.islice(tracker.events, stored, len(tracker.events))

    def _newest_row(self, sender_id: str) -> Optional[int]:
        events = self.SQLEvent.__table__
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(events.c.id)).where(events.c.sender_id == sender_id)).scalar()
