"""Coordinator CLI: `python -m knowledge validate|sync [DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from knowledge.store import database_url, open_store, sync
from knowledge.validation import InvalidEntries, load_entries

DEFAULT_ENTRIES = Path(__file__).resolve().parent / "entries"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="Keep Lotse's knowledge base of local services.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check every entry file and report all problems at once")
    validate.add_argument("directory", nargs="?", type=Path, default=DEFAULT_ENTRIES)
    sync_command = commands.add_parser(
        "sync", help="load every entry into the store (DATABASE_URL, default SQLite under var/) in one transaction"
    )
    sync_command.add_argument("directory", nargs="?", type=Path, default=DEFAULT_ENTRIES)
    args = parser.parse_args(argv)

    try:
        if args.command == "validate":
            print(f"{len(load_entries(args.directory))} entries in {args.directory} are valid.")
        else:
            result = sync(open_store(), args.directory)
            print(f"synced {args.directory} into {database_url()}: {result.added} added, "
                  f"{result.updated} updated, {result.removed} removed, {result.unchanged} unchanged.")
    except InvalidEntries as invalid:
        print(invalid, file=sys.stderr)
        print(f"{len(invalid.problems)} problem(s); nothing was loaded.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
