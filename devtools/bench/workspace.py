"""Benchmark (not a test): the workspace's server time for the list, a filtered list, an
entry's page and its edit form with 5,000 entries (issue 16: p95 under 100 ms), and the first
list after a sync or publication, which reads every entry again.

    python -m devtools.bench.workspace --out reports/bench [--entries 5000] [--requests 40]

The entries are the knowledge benchmark's synthetic copies of the pilot entries, in SQLite;
the requests go through Flask's test client as a logged-in editor, so the figures are the
server's time without the network."""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from configuration import SharedSettings
from devtools.bench import machine, percentile, write_figures
from devtools.bench.knowledge import BIELEFELD, write_synthetic_entries
from devtools.scratch import migrated
from knowledge.store import PROJECT_ROOT, sync
from texts import newcomer_texts
from workspace.accounts import create_demo_accounts
from workspace.app import create_app
from workspace.settings import WorkspaceSettings

PASSWORD = "benchmark-password"
PAGES = {
    "list": "/entries",
    "filtered list": "/entries?topic=health&language=ar&translation=current&due=1",
    "search": "/entries?q=beratung",
    "entry page": "/entries/{entry}",
    "edit form": "/entries/{entry}/edit?language=ar",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench.workspace", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "bench")
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=40, help="per page")
    args = parser.parse_args(argv)
    figures: dict = {"machine": machine(), "entries": args.entries, "target_p95_ms": 100, "pages": {}}
    with tempfile.TemporaryDirectory() as folder:
        entries = Path(folder, "entries")
        entries.mkdir()
        write_synthetic_entries(entries, args.entries, random.Random(7))
        engine = migrated(f"sqlite:///{Path(folder, 'bench.db')}")
        sync(engine, entries, BIELEFELD.district_names)
        create_demo_accounts(engine, PASSWORD)
        settings = WorkspaceSettings("benchmark", "127.0.0.1", 0, False, timedelta(hours=1),
                                     SharedSettings(None, None, 90, "WARNING"))
        app = create_app(settings, engine, BIELEFELD, newcomer_texts())
        app.config["WTF_CSRF_ENABLED"] = False  # the login below posts no token; nothing else is posted
        client = app.test_client()
        client.post("/login", data={"username": "koordination", "password": PASSWORD})
        entry = sorted(path.stem for path in entries.glob("*.yml"))[len(list(entries.glob("*.yml"))) // 2]
        started = time.perf_counter()
        client.get("/entries")  # reads and checks every entry once; later pages reuse that until the next sync
        figures["first_list_after_a_sync_ms"] = round((time.perf_counter() - started) * 1000, 1)
        for name, path in PAGES.items():
            milliseconds = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(path.format(entry=entry))
                milliseconds.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            figures["pages"][name] = {"path": path, "p50_ms": round(percentile(milliseconds, 0.50), 1),
                                      "p95_ms": round(percentile(milliseconds, 0.95), 1)}
        engine.dispose()
    write_figures(args.out, "workspace", figures)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
