"""Introductions (who should meet): finding the candidate pairs and measuring the best of them.

Run: ``.venv/bin/python -m benchmarks.bench_introductions [--cases hartford,synthetic-small]``
(also picked up by ``make bench`` through ``run()``). Not a test: nothing here asserts a time.

For each city (Hartford's sample; the synthetic city of 1,000 organizations, 10,000 ties and
230 areas) the index is read from the tables, then
:func:`coalition.analysis.introductions.introductions` runs with its default ``measure_top``
(each measured pair is one recomputation of the gap families the tie can move). Recorded:
``candidates`` (pairs with a reason), ``measured``, ``pairs_closing`` (measured pairs that close
at least one finding), ``invitations`` (measured pairs with a non-member), ``top`` (the first
pair's ids and findings closed) and ``seconds`` (the fastest of ``runs``; one run for the
synthetic city), with ``cpu_seconds`` beside it (the machine is shared: wall-clock time
includes waiting for a core). Two organizations are compared pairwise, so the candidate step
grows with the square of the organizations.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from coalition.settings import PROJECT_ROOT

CASES = ("hartford", "synthetic-small")
RUNS = {"hartford": 3, "synthetic-small": 1}


def _city(case: str):
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.ingest import read_city

    if case == "hartford":
        return read_city(PROJECT_ROOT / "data" / "hartford")
    return make_synthetic_city(orgs=1_000, ties=10_000, areas=230, seed=0)


def case_record(case: str) -> dict[str, Any]:
    """One city's record (see the module docstring)."""
    from coalition.analysis.graph_index import index_city
    from coalition.analysis.introductions import introductions

    city = _city(case)
    best, cpu, report = float("inf"), float("inf"), None
    for _ in range(RUNS.get(case, 1)):
        index = index_city(city)  # a fresh index: nothing memoised from the run before
        start, start_cpu = time.perf_counter(), time.process_time()
        report = introductions(index)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    assert report is not None
    pairs = report.pairs
    top = pairs.iloc[0] if len(pairs) else None
    return {
        "case": f"introductions-{case}",
        "organizations": len(city.tables["organizations"]),
        "candidates": report.candidates,
        "measured": report.measured,
        "pairs_closing": int((pairs["closes"] > 0).sum()),
        "invitations": int(pairs["invite"].sum()),
        "top": None
        if top is None
        else [str(top["first_id"]), str(top["second_id"]), int(top["closes"])],
        "seconds": round(best, 3),
        "cpu_seconds": round(cpu, 3),
    }


def run(cases: tuple[str, ...] = CASES) -> list[dict[str, Any]]:
    """The records (see the module docstring)."""
    return [case_record(case) for case in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="hartford,synthetic-small")
    args = parser.parse_args()
    for record in run(tuple(c for c in args.cases.split(",") if c)):
        print(json.dumps(record))


if __name__ == "__main__":
    main()
