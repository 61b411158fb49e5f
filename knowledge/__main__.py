"""Coordinator CLI: `python -m knowledge validate|sync|new|export|import|report`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from cities import configured_city
from configuration import ConfigurationError, Environment, SharedSettings
from db import open_current
from knowledge.answers import answer_statistics
from knowledge.report import build_report, html_page, terminal_table
from knowledge.scaffold import CannotScaffold, new_entry
from knowledge.spreadsheet import export_csv, import_csv
from knowledge.store import PROJECT_ROOT, export_yaml, sync
from knowledge.validation import InvalidEntries, load_entries

DEFAULT_REPORT = PROJECT_ROOT / "reports" / "knowledge" / "report.html"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge",
                                     description="Keep Lotse's knowledge base of local services.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--entries", type=Path, help="the entry files (default: the city's, see LOTSE_CITY)")
        return sub

    command("validate", "check every entry file and report all problems at once")
    command("sync", "load every entry into the store (DATABASE_URL, default SQLite under var/) in one transaction")
    command("new", "write a new entry file with every field explained").add_argument("id", help="e.g. jobcenter-mitte")
    export = command("export", "write all entries to one spreadsheet file, or the store's live entries as YAML files")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--csv", type=Path, help="the entry files as one spreadsheet")
    target.add_argument("--yaml", type=Path, metavar="DIR", help="the store's live entries, one file each")
    command("import", "check a spreadsheet and, if all rows are valid, write its entries").add_argument(
        "--csv", type=Path, required=True)
    command("report", "list missing or outdated translations, due verifications, missing contact or hours, "
                      "and the answers' ratings").add_argument(
        "--html", type=Path, default=DEFAULT_REPORT, help="where to write the HTML page (default: %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = SharedSettings.from_environment(Environment())
        city = configured_city(settings.city)
    except ConfigurationError as problem:
        raise SystemExit(str(problem)) from None
    args.entries = args.entries or city.entries
    districts = city.district_names
    try:
        if args.command == "validate":
            print(f"{len(load_entries(args.entries, districts))} entries in {args.entries} are valid.")
        elif args.command == "sync":
            engine = open_current(settings.database_url)
            result = sync(engine, args.entries, districts)
            print(f"synced {args.entries} into {engine.url.render_as_string(hide_password=True)}: "
                  f"{result.added} added, "
                  f"{result.updated} updated, {result.removed} removed, {result.unchanged} unchanged.")
            if result.kept:
                print(f"kept {len(result.kept)} entries changed in the workspace since their last import, "
                      f"not overwritten: {', '.join(result.kept)}. Take the workspace's state into the files with "
                      "`python -m knowledge export --yaml DIR`.", file=sys.stderr)
        elif args.command == "new":
            print(f"wrote {new_entry(args.entries, args.id, city)}: fill it in, then run "
                  "`python -m knowledge validate`.")
        elif args.command == "export" and args.yaml:
            print(f"wrote {export_yaml(open_current(settings.database_url), args.yaml)} entries to {args.yaml}/.")
        elif args.command == "export":
            print(f"wrote {export_csv(args.entries, args.csv, districts)} entries to {args.csv}.")
        elif args.command == "import":
            imported = import_csv(args.csv, args.entries, districts)
            print(f"imported {args.csv}: {imported.written} entry files written, {imported.unchanged} unchanged. "
                  "Run `python -m knowledge sync` to publish them.")
        else:
            reports = build_report(load_entries(args.entries, districts), date.today())
            statistics = answer_statistics(open_current(settings.database_url))
            print(terminal_table(reports, statistics))
            args.html.parent.mkdir(parents=True, exist_ok=True)
            args.html.write_text(html_page(reports, date.today(), statistics), encoding="utf-8")
            print(f"HTML page: {args.html}")
    except InvalidEntries as invalid:
        print(invalid, file=sys.stderr)
        print(f"{len(invalid.problems)} problem(s); nothing was written.", file=sys.stderr)
        return 1
    except (CannotScaffold, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
