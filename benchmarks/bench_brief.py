"""The commission brief (coalition/brief.py): build time, pages and file size (issue 11).

Run: ``.venv/bin/python -m benchmarks.bench_brief [--cases hartford,synthetic-small]`` (also
picked up by ``make bench`` through ``run()``). Not a test: nothing here asserts a time.

Cases
-----
- ``brief-<city>-<lang>``: :func:`coalition.brief.build_brief` on an already built graph, the
  whole brief in English and in Spanish: ``seconds`` (fastest of ``RUNS``; the first build is
  ``first_seconds``; ``cpu_seconds``: this process's CPU time, the machine being shared),
  ``pages`` and ``kb``.
- ``brief-profile-<city>``: the one-page profile of the plan's first pick.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial
from typing import Any

from coalition.settings import PROJECT_ROOT

CASES = ("hartford", "synthetic-small")
RUNS = 3


def _city(case: str) -> Any:
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.ingest import read_city

    if case == "hartford":
        return read_city(PROJECT_ROOT / "data" / "hartford")
    return make_synthetic_city(orgs=1_000, ties=10_000, areas=230, seed=0)


def _timed(build: Any) -> tuple[float, bytes, float]:
    """Wall-clock seconds, the PDF, and this process's CPU seconds (the machine is shared)."""
    start, cpu = time.perf_counter(), time.process_time()
    pdf = build()
    return time.perf_counter() - start, pdf, time.process_time() - cpu


def run(cases: tuple[str, ...] = CASES) -> list[dict[str, Any]]:
    """The records (see the module docstring)."""
    from coalition import analysis
    from coalition.analysis.graph_index import index_city
    from coalition.brief import build_brief, page_count

    records: list[dict[str, Any]] = []
    for case in cases:
        city = _city(case)
        index = index_city(city)
        for lang in ("en", "es"):
            times, cpu = [], []
            pdf = b""
            for _ in range(RUNS):
                seconds, pdf, used = _timed(partial(build_brief, city, index, lang=lang))
                times.append(seconds)
                cpu.append(used)
            records.append(
                {
                    "case": f"brief-{case}-{lang}",
                    "seconds": round(min(times), 3),
                    "first_seconds": round(times[0], 3),
                    "cpu_seconds": round(min(cpu), 3),
                    "pages": page_count(pdf),
                    "kb": round(len(pdf) / 1024, 1),
                }
            )
        ranked = analysis.rank_candidates(index, k=3)
        first = analysis.plan_committees(index, 3, ranking=ranked).selected[0].neighborhood_id
        seconds, pdf, used = _timed(partial(build_brief, city, index, neighborhood=str(first)))
        records.append(
            {
                "case": f"brief-profile-{case}",
                "seconds": round(seconds, 3),
                "cpu_seconds": round(used, 3),
                "pages": page_count(pdf),
                "kb": round(len(pdf) / 1024, 1),
            }
        )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="hartford,synthetic-small")
    args = parser.parse_args()
    for record in run(tuple(c for c in args.cases.split(",") if c)):
        print(json.dumps(record))


if __name__ == "__main__":
    main()
