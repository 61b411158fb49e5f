"""Lotse's database: the declarative base every table derives from, engines with the timeouts
Lotse needs, a cross-process lock, and the Alembic history of every table. It depends on
nothing else of Lotse's. Only `python -m db migrate` (and tests) change the schema; services
open an engine with `connect` and check with `require_current_schema` that it is current."""

from db.base import Base
from db.engine import as_utc, connect, database_url
from db.locks import one_at_a_time
from db.schema import SchemaNotCurrent, migrate, open_current, require_current_schema

__all__ = ["Base", "SchemaNotCurrent", "as_utc", "connect", "database_url", "migrate", "one_at_a_time", "open_current",
           "require_current_schema"]
