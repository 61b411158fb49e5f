"""Engines on Lotse's database: SQLite (default, under var/) or PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQLITE_WAIT_SECONDS = 30  # how long a process waits for another's write (pysqlite's default: 5)
# A server that does not answer, or a statement stuck behind a lock, fails instead of hanging
# its caller forever: the caller's retry (the adapter's loops, Rasa's next message) heals it.
POSTGRES_CONNECT_SECONDS = 5
POSTGRES_STATEMENT_MILLISECONDS = 15_000


def database_url(configured: str | None) -> str:
    """The configured URL (DATABASE_URL), else a SQLite file under var/ (the embedded try-out)."""
    return configured or f"sqlite:///{PROJECT_ROOT / 'var' / 'lotse.db'}"


def connect(url: str | None) -> Engine:
    """An engine on `url` (None: the embedded SQLite); it neither creates nor migrates tables."""
    url = database_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a failed statement's error would show the values, e.g. a stored Telegram update
    return create_engine(url, future=True, hide_parameters=True,
                         **({"connect_args": {"timeout": SQLITE_WAIT_SECONDS}} if url.startswith("sqlite")
                            else _server_settings(url)))


def _server_settings(url: str) -> dict[str, Any]:
    """Connections tested before use (a server's can drop: a restart, a failover), with the
    timeouts above added to any `options` the URL carries (a schema's search path)."""
    options = make_url(url).query.get("options", "")
    return {"pool_pre_ping": True, "connect_args": {
        "connect_timeout": POSTGRES_CONNECT_SECONDS,
        "options": f"{options} -c statement_timeout={POSTGRES_STATEMENT_MILLISECONDS}".strip()}}


def as_utc(moment: datetime) -> datetime:
    """A stored time with its zone: SQLite hands times back without one; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
