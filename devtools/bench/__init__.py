"""`make bench`: figures of speed and memory (never tests), written to reports/bench/. The
helpers here are shared so that every script's p50/p95/p99 and machine line mean the same."""

from __future__ import annotations

import json
import os
import platform
import statistics
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_figures(out: Path, name: str, figures: dict) -> None:
    """`reports/bench/<name>.json`, where `make bench` keeps its figures."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
