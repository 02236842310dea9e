"""Time a full analysis refresh (gaps + coverage + rank + plan) and write benchmarks/latest.json.

Run with ``make bench`` or ``python -m benchmarks.run [--only CASE,...] [--runs N]``.

Cases: ``hartford`` (the sample in data/hartford, skipped with a note when absent),
``synthetic-small`` (1,000 organizations / 10,000 ties / 230 areas) and ``synthetic-large``
(10,000 / 100,000 / 2,300: the target is at most 3 s and 1 GB on a 2-core machine).

``seconds`` is the median wall-clock time of ``refresh`` over ``--runs`` runs on an already
built graph (building the graph is timed apart, as ``build_seconds``). ``peak_mb`` is the peak of
memory allocated during one more refresh, traced with :mod:`tracemalloc` (Python and numpy
allocations; C libraries such as igraph and GEOS allocate outside it, so ``rss_growth_mb``, the
growth of resident memory sampled with psutil during another refresh, and ``rss_peak_mb``, the
process's peak resident memory so far, graph and all, are recorded too).

Hook for other benchmarks: every module ``benchmarks/bench_*.py`` (and ``benchmarks/dashboard.py``)
that defines ``run() -> list[dict]`` is run after the analysis cases, and its records (each
with at least ``"case"``) are appended to latest.json. ``--only`` accepts their module names
(e.g. ``--only dashboard``).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import platform
import resource
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import psutil

from coalition.analysis import refresh
from coalition.analysis.synthetic import make_synthetic_city
from coalition.model import CityData, build_graph
from coalition.settings import PROJECT_ROOT

logger = logging.getLogger("benchmarks")

BENCH_DIR = Path(__file__).resolve().parent
OUTPUT = BENCH_DIR / "latest.json"
SYNTHETIC_CASES = {
    "synthetic-small": {"orgs": 1_000, "ties": 10_000, "areas": 230},
    "synthetic-large": {"orgs": 10_000, "ties": 100_000, "areas": 2_300},
}
ANALYSIS_CASES = ("hartford", *SYNTHETIC_CASES)


def _hartford_city() -> CityData | None:
    folder = PROJECT_ROOT / "data" / "hartford"
    if not folder.is_dir():
        return None
    from coalition.ingest import read_city  # the lead's reader; imported only when needed

    return read_city(folder)


def _max_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_growth_mb(work: Callable[[], Any], interval: float = 0.005) -> float:
    """Largest growth of the process's resident memory while ``work()`` runs (psutil samples).

    Catches what tracemalloc cannot see (igraph, GEOS, the CBC solver runs in a subprocess and
    is not counted).
    """
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    peak = max(peak, process.memory_info().rss)
    return (peak - baseline) / 2**20


def time_refresh(G: nx.MultiDiGraph, runs: int) -> dict[str, Any]:
    """Median wall time of ``refresh(G)`` over ``runs``, and its traced peak memory."""
    refresh(G)  # warm-up: imports, solver start-up, caches
    seconds = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        refresh(G)
        seconds.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    refresh(G)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    growth = rss_growth_mb(lambda: refresh(G))
    return {
        "seconds": round(statistics.median(seconds), 3),
        "seconds_all": [round(s, 3) for s in seconds],
        "peak_mb": round(peak / 2**20, 1),
        "rss_growth_mb": round(growth, 1),
    }


def run_case(name: str, runs: int) -> dict[str, Any] | None:
    """Build one case's graph and time its refresh; None when the case is unavailable."""
    start = time.perf_counter()
    if name == "hartford":
        city = _hartford_city()
        if city is None:
            logger.warning("skipping hartford: data/hartford is absent")
            return None
    else:
        city = make_synthetic_city(**SYNTHETIC_CASES[name], seed=0)
    G = build_graph(city)
    build_seconds = time.perf_counter() - start
    # "ties" counts rows of the ties table (derived located_in/based_in/covers ties are not).
    counts = {
        "orgs": len(city.tables["organizations"]),
        "ties": len(city.tables["ties"]),
        "areas": len(city.tables["neighborhoods"]),
    }
    timing = time_refresh(G, runs)
    record = {
        "case": name,
        **counts,
        "seconds": timing["seconds"],
        "peak_mb": timing["peak_mb"],
        "rss_growth_mb": timing["rss_growth_mb"],
        "seconds_all": timing["seconds_all"],
        "build_seconds": round(build_seconds, 2),
        "graph_edges": G.number_of_edges(),
        "rss_peak_mb": round(_max_rss_mb(), 1),
        "memory_method": "tracemalloc peak during one refresh",
    }
    logger.info(
        "%s: %s s (median of %d), peak %s MB traced, build %.1f s",
        name,
        record["seconds"],
        runs,
        record["peak_mb"],
        build_seconds,
    )
    return record


def hook_modules() -> list[str]:
    """Names of the other benchmark modules in this folder (imported only when run)."""
    paths = [*sorted(BENCH_DIR.glob("bench_*.py")), BENCH_DIR / "dashboard.py"]
    return [path.stem for path in paths if path.is_file()]


def run_hook(name: str) -> list[dict[str, Any]]:
    """Run ``benchmarks.<name>.run()``; a module without ``run`` is skipped with a note."""
    module = importlib.import_module(f"benchmarks.{name}")
    run = getattr(module, "run", None)
    if not callable(run):
        logger.warning("skipping benchmarks/%s.py: it has no run() -> list[dict]", name)
        return []
    return list(run())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write benchmarks/latest.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated cases/modules (default: all), e.g. synthetic-large or dashboard",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed refreshes per case")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    hooks = hook_modules()
    wanted = [w.strip() for w in args.only.split(",") if w.strip()] or [*ANALYSIS_CASES, *hooks]
    unknown = [w for w in wanted if w not in ANALYSIS_CASES and w not in hooks]
    if unknown:
        parser.error(
            f"unknown case(s) {', '.join(unknown)}; choose from "
            f"{', '.join([*ANALYSIS_CASES, *hooks])}"
        )
    records: list[dict[str, Any]] = []
    for name in wanted:
        if name in ANALYSIS_CASES:
            record = run_case(name, args.runs)
            if record is not None:
                records.append(record)
        else:
            records.extend(run_hook(name))
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
    }
    for record in records:
        record.setdefault("machine", machine)
    args.output.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
