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

``synthetic-huge`` (100,000 organizations / 1,000,000 ties / 23,000 areas) runs in a fresh
process of its own (so its memory is its own): it times building the graph, indexing it, and one
refresh of the index, samples the whole process's resident memory with psutil throughout, and
times igraph's Burt constraint on the same partnership network alone (the C floor the refresh
cannot go under). Its targets: a full refresh (index and analyses) within 30 s and 4 GB.
It takes minutes; ``--skip-huge`` leaves it out.

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
import os
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

from benchmarks.summary import write_summary
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
HUGE_CASE = "synthetic-huge"
HUGE_SIZES = {"orgs": 100_000, "ties": 1_000_000, "areas": 23_000}
HUGE_TARGET_SECONDS = 30.0
HUGE_TARGET_RSS_MB = 4096.0
ANALYSIS_CASES = ("hartford", *SYNTHETIC_CASES, HUGE_CASE)


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


class RssPeak:
    """The whole process's peak resident memory (psutil samples in a thread) while open.

    Examples
    --------
    >>> with RssPeak() as peak:
    ...     _ = bytearray(10_000_000)
    >>> peak.mb > 0
    True
    """

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak = 0
        self._done = threading.Event()
        self._process = psutil.Process()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> RssPeak:
        self.peak = self._process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def mb(self) -> float:
        """The peak so far, in MB."""
        return self.peak / 2**20


def huge_record(sizes: dict[str, int], name: str = HUGE_CASE) -> dict[str, Any]:
    """Build one synthetic city of ``sizes`` and time index + refresh, with peak memory.

    Run by :func:`run_huge_case` in a fresh process; callable directly (tests use a small
    size). ``seconds`` is one full refresh of the graph (indexing included, as ``refresh(G)``
    does), split into ``index_seconds`` and ``analysis_seconds``; ``floor_seconds`` is igraph's
    constraint alone on the same network, and ``ratio`` is ``seconds / floor_seconds``.
    """
    from coalition.analysis import index_graph
    from coalition.analysis.membership import member_view
    from coalition.analysis.metrics import partnership_network

    with RssPeak() as build_peak:
        start = time.perf_counter()
        city = make_synthetic_city(**sizes, seed=0)
        G = build_graph(city)
        build_seconds = time.perf_counter() - start
        counts = {
            "orgs": len(city.tables["organizations"]),
            "ties": len(city.tables["ties"]),
            "areas": len(city.tables["neighborhoods"]),
        }
        del city
    gc.collect()
    load_before = os.getloadavg()[0]
    with RssPeak() as refresh_peak:
        start = time.perf_counter()
        index = index_graph(G)
        index_seconds = time.perf_counter() - start
        start = time.perf_counter()
        refresh(index)
        analysis_seconds = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    # The floor: igraph's Burt constraint (C) on the same member network, timed alone.
    network = partnership_network(member_view(index))
    start = time.perf_counter()
    network.graph.constraint()
    floor_seconds = time.perf_counter() - start
    seconds = index_seconds + analysis_seconds
    record = {
        "case": name,
        **counts,
        "seconds": round(seconds, 2),
        "index_seconds": round(index_seconds, 2),
        "analysis_seconds": round(analysis_seconds, 2),
        "floor_seconds": round(floor_seconds, 2),
        "floor": "igraph Graph.constraint() on the member partnership network, alone",
        "ratio": round(seconds / floor_seconds, 1) if floor_seconds > 0 else None,
        "target": f"refresh <= {HUGE_TARGET_SECONDS:g} s and <= {HUGE_TARGET_RSS_MB:g} MB peak",
        "target_seconds": HUGE_TARGET_SECONDS,
        "meets_target_seconds": seconds <= HUGE_TARGET_SECONDS,
        "peak_rss_mb": round(refresh_peak.mb, 1),
        "target_rss_mb": HUGE_TARGET_RSS_MB,
        "meets_target_rss": refresh_peak.mb <= HUGE_TARGET_RSS_MB,
        "build_seconds": round(build_seconds, 2),
        "build_peak_rss_mb": round(build_peak.mb, 1),
        "graph_edges": G.number_of_edges(),
        "load_average": round(max(load_before, load_after), 2),
        "memory_method": "psutil RSS of the whole process, sampled every 10 ms",
    }
    return record


def run_huge_case(sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """:func:`huge_record` in a fresh process (spawned), so its peak memory is its own."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        record = pool.apply(huge_record, (sizes or HUGE_SIZES,))
    logger.info(
        "%s: refresh %s s (index %s + analyses %s; constraint floor %s), peak RSS %s MB, load %s",
        record["case"],
        record["seconds"],
        record["index_seconds"],
        record["analysis_seconds"],
        record["floor_seconds"],
        record["peak_rss_mb"],
        record["load_average"],
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
    parser.add_argument(
        "--skip-huge",
        action="store_true",
        help=f"leave out {HUGE_CASE} (100,000 organizations: minutes and ~3 GB)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    hooks = hook_modules()
    wanted = [w.strip() for w in args.only.split(",") if w.strip()] or [*ANALYSIS_CASES, *hooks]
    if args.skip_huge:
        wanted = [w for w in wanted if w != HUGE_CASE]
    unknown = [w for w in wanted if w not in ANALYSIS_CASES and w not in hooks]
    if unknown:
        parser.error(
            f"unknown case(s) {', '.join(unknown)}; choose from "
            f"{', '.join([*ANALYSIS_CASES, *hooks])}"
        )
    records: list[dict[str, Any]] = []
    for name in wanted:
        if name == HUGE_CASE:
            records.append(run_huge_case())
        elif name in ANALYSIS_CASES:
            record = run_case(name, args.runs)
            if record is not None:
                records.append(record)
        else:
            records.extend(run_hook(name))
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    for record in records:
        record.setdefault("machine", machine)
    args.output.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    summary = write_summary(records, args.output.with_suffix(".md"))
    logger.info("wrote %s and %s", args.output, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
