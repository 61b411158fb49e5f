"""Rasa's RedisLockStore with atomic ticket handling, for several Rasa replicas.

Rasa 3.6's RedisLockStore reads a conversation's lock, changes it in Python and writes it back.
Two replicas taking a message of the same conversation at the same moment can therefore both
draw ticket 0, both process at once, and one replica's events overwrite the other's in the
tracker store: a newcomer's message is lost (seen in tests/deployment; the fix in Rasa went
into the commercial edition only, RasaHQ/rasa#11256). Here every read-change-write of a lock
is one Redis transaction (WATCH/MULTI, retried when another replica got in between); the
ticket algorithm itself stays Rasa's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    """Configured like Rasa's `redis` lock store (endpoints.production.yml), with
    `type: rasa_server.lock_store.AtomicRedisLockStore`."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: str,
                change: Callable[[TicketLock | None], tuple[TicketLock | None, Result]]) -> Result:
        """Reads the lock, applies `change` (which returns the lock to keep, None to delete it,
        and a result) and writes it back, all or nothing."""
        key = self.key_prefix + conversation_id

        def transaction(pipe) -> Result:
            stored = pipe.get(key)
            lock, result = change(TicketLock.from_dict(json.loads(stored)) if stored else None)
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def draw(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, draw)
        except Exception as error:  # as Rasa's own lock store reports it
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finishes the ticket; the lock goes when nobody else is waiting for it."""
        def finish_and_drop_if_idle(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish_and_drop_if_idle)
