"""Benchmark (not a test): sync time and query latency over 5,000 synthetic entries.

    python -m devtools.bench.knowledge --out reports/bench [--entries 5000] [--postgres-url URL]

The synthetic entries are copies of the pilot entries (all five languages) with their own
ids, districts and a numbered title, so the index has the size and the scripts of a city
with 5,000 services. Queries are the held-out test messages about the four topics, in all
five languages, as newcomers wrote them."""

from __future__ import annotations

import argparse
import copy
import functools
import itertools
import json
import os
import random
import tempfile
import time
from pathlib import Path

import yaml

from cities import city_named
from devtools.bench import machine, percentile, write_figures
from devtools.nlu_report import read_split
from devtools.scratch import LOCAL_POSTGRES, migrated, scratch_store
from knowledge.search import KnowledgeBase
from knowledge.store import PROJECT_ROOT, sync
from knowledge.validation import load_documents
from texts import TOPICS

BIELEFELD = city_named("bielefeld")
PILOT = BIELEFELD.entries
HELD_OUT = PROJECT_ROOT / "tests" / "data" / "nlu"


def write_synthetic_entries(directory: Path, count: int, rng: random.Random) -> None:
    # checked like every entry file, aliases refused
    pilots = [document for _, document in load_documents(PILOT, BIELEFELD.district_names)]
    for number, pilot in zip(range(count), itertools.cycle(pilots)):
        document = copy.deepcopy(pilot)
        document["id"] = f"{pilot['id']}-{number}"
        if document.get("address"):
            document["address"]["district"] = rng.choice(BIELEFELD.district_names)
        document["translations"]["de"]["title"] = f"{pilot['translations']['de']['title'][:100]} {number}"
        dumped = yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True)
        (directory / f"{document['id']}.yml").write_text(dumped, encoding="utf-8")


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run(entries: Path, database_url: str, queries: list[tuple[str, str, str]], rng: random.Random) -> dict:
    with scratch_store(database_url) as url:
        engine = migrated(url)
        validate_seconds, _ = _timed(lambda: load_documents(entries, BIELEFELD.district_names))
        first_sync_seconds, _ = _timed(lambda: sync(engine, entries, BIELEFELD.district_names))
        repeat_sync_seconds, _ = _timed(lambda: sync(engine, entries, BIELEFELD.district_names))
        knowledge = KnowledgeBase(engine)
        index_seconds, _ = _timed(knowledge.index)
        latencies_ms = []
        for language, text, topic in queries:
            district = rng.choice((None, *BIELEFELD.district_names))
            seconds, answers = _timed(functools.partial(knowledge.find_services, topic, language, text, district))
            assert answers, f"no answer for {text!r}"
            latencies_ms.append(seconds * 1000)
        engine.dispose()
    return {
        "store": url.split(":", 1)[0],
        "validate_seconds": round(validate_seconds, 1),
        "first_sync_seconds": round(first_sync_seconds, 1),
        "repeat_sync_seconds": round(repeat_sync_seconds, 1),
        "index_build_seconds": round(index_seconds, 1),
        "queries": len(latencies_ms),
        "query_ms_p50": round(percentile(latencies_ms, 0.50), 1),
        "query_ms_p95": round(percentile(latencies_ms, 0.95), 1),
        "query_ms_p99": round(percentile(latencies_ms, 0.99), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench.knowledge", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "bench")
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--postgres-url", default=os.environ.get("LOTSE_BENCH_POSTGRES_URL", LOCAL_POSTGRES),
                        help="the PostgreSQL server to measure on, in a throw-away schema (default: %(default)s)")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    queries = [(language, text, intent.removeprefix("ask_")) for language, text, intent in read_split(HELD_OUT)
               if intent.removeprefix("ask_") in TOPICS]  # not the follow-ups ask_where, ask_hours
    figures = {"machine": machine(), "entries": args.entries, "query_target_p95_ms": 20, "stores": []}
    with tempfile.TemporaryDirectory() as folder:
        entries = Path(folder)
        write_synthetic_entries(entries, args.entries, rng)
        for url in (f"sqlite:///{Path(folder, 'bench.db')}", args.postgres_url):
            figures["stores"].append(run(entries, url, queries, rng))
    write_figures(args.out, "knowledge", figures)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
