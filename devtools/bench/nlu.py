"""Benchmark (not a test): training time, model load time, parse latency, peak memory.

    python -m devtools.bench.nlu --out reports/bench [--skip-training]

Training is measured as a full `rasa train --force` in a temporary directory, so the
model in models/ is left alone. Latency is measured in-process over every message of the
held-out split (more than 500), the way the outside evaluation calls the model."""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools.bench import machine, percentile, write_figures
from devtools.model import load_agent, parse, quiet_rasa_logs
from devtools.nlu_report import read_split


def _peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def measure_training() -> dict:
    rasa = Path(sys.executable).with_name("rasa")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [str(rasa), "train", "--force", "--data", "nlu", "stories", "--out", out],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
    return {"training_seconds": round(seconds, 1),
            "training_peak_rss_mib": round(_peak_rss_mib(resource.RUSAGE_CHILDREN))}


async def measure_inference(model_dir: Path, data_dir: Path) -> dict:
    started = time.perf_counter()
    agent = load_agent(model_dir)
    load_seconds = time.perf_counter() - started
    texts = [text for _, text, _ in read_split(data_dir)]
    await parse(agent, "warm up")
    latencies_ms = []
    for text in texts:
        started = time.perf_counter()
        await parse(agent, text)
        latencies_ms.append((time.perf_counter() - started) * 1000)
    return {
        "model_load_seconds": round(load_seconds, 2),
        "parsed_messages": len(latencies_ms),
        "parse_ms_p50": round(percentile(latencies_ms, 0.50), 1),
        "parse_ms_p95": round(percentile(latencies_ms, 0.95), 1),
        "parse_ms_p99": round(percentile(latencies_ms, 0.99), 1),
        "serving_peak_rss_mib": round(_peak_rss_mib(resource.RUSAGE_SELF)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench.nlu", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models"))
    parser.add_argument("--data", type=Path, default=Path("tests/data/nlu"))
    parser.add_argument("--out", type=Path, default=Path("reports/bench"))
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args(argv)
    quiet_rasa_logs()

    figures = {"machine": machine()}
    if not args.skip_training:
        figures.update(measure_training())
    figures.update(asyncio.run(measure_inference(args.model, args.data)))
    write_figures(args.out, "nlu", figures)
    for key, value in figures.items():
        print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
