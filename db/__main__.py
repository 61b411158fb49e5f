"""`python -m db migrate`: bring the database (DATABASE_URL, default SQLite under var/) to the
newest schema. `python -m db check`: exit 1 with a message unless it is there."""

from __future__ import annotations

import argparse

from configuration import ConfigurationError, Environment, SharedSettings
from db.engine import connect
from db.schema import SchemaNotCurrent, migrate, newest_revision, require_current_schema


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m db", description=__doc__)
    parser.add_argument("command", choices=["migrate", "check"])
    args = parser.parse_args()
    try:
        engine = connect(SharedSettings.from_environment(Environment()).database_url)
    except ConfigurationError as problem:
        raise SystemExit(str(problem)) from None
    try:
        if args.command == "migrate":
            migrate(engine)
            print(f"database schema at revision {newest_revision()}")
        else:
            require_current_schema(engine)
            print(f"database schema current (revision {newest_revision()})")
    except SchemaNotCurrent as problem:
        raise SystemExit(str(problem)) from None
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
