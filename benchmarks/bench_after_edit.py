"""After one edit in a working session: time until the Overview is drawn again (issue 13).

Run: ``.venv/bin/python -m benchmarks.bench_after_edit [--orgs 10000]`` (also picked up by
``make bench`` through ``run()``). Not a test: nothing here asserts a time. To measure another
checkout (e.g. the code before a change), put it first on the path:
``PYTHONPATH=/path/to/checkout python benchmarks/bench_after_edit.py``; the app run is the one
of the checkout the ``coalition`` package is imported from.

The city is the synthetic one of 10,000 organizations, 100,000 ties and 2,300 areas (seed 0,
:func:`coalition.analysis.synthetic.make_synthetic_city`), loaded into a temporary store. The
dashboard runs in-process (``streamlit.testing.v1.AppTest``, the Overview, caches shared as in
a server). After a first run and a warm rerun, each kind of edit is saved through the store
(:meth:`coalition.store.Store.apply`, as the Record page saves it) and the Overview is run
again: that rerun computes whatever the edit invalidated, which is what the room waits for.

Records (``case``)
------------------
- ``after-edit-KIND-ORGSk``: median seconds of the Overview rerun after an edit of that kind
  (``REPEATS`` edits, each of a different row); ``floor_seconds`` is the rerun with nothing
  changed (everything cached), ``ratio`` the quotient. Kinds: ``notes`` (an organization's
  notes), ``tie-notes`` (a partnership's notes), ``rename`` (an organization's name),
  ``new-tie`` (a new partnership).
- ``after-edit-first-run-ORGSk``: the first Overview run (cold caches), for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coalition import edits
from coalition.analysis.synthetic import make_synthetic_city
from coalition.model import CityData
from coalition.settings import PROJECT_ROOT
from coalition.store import Store, open_store

REPEATS = 3
KINDS = ("notes", "tie-notes", "rename", "new-tie")


def _edit(kind: str, city: CityData, i: int) -> list[edits.RowChange]:
    """The ``i``-th edit of ``kind`` on ``city`` (each of a different row)."""
    organizations = city.tables["organizations"]["org_id"].tolist()
    if kind == "notes":
        return edits.change(
            city, "organizations", organizations[100 + i], {"notes": f"met at session {i}"}
        )
    if kind == "rename":
        org = organizations[200 + i]
        return edits.change(city, "organizations", org, {"name": f"Renamed {org}"})
    ties = city.tables["ties"]
    partnerships = ties[ties["tie_type"] == "partnership"]
    if kind == "tie-notes":
        row = partnerships.iloc[10 + i]
        key = edits.tie_key(row["source_id"], row["target_id"], "partnership")
        return edits.change(city, "ties", key, {"notes": f"meets monthly ({i})"})
    existing = set(edits.keys_of("ties", partnerships))
    for j in range(len(organizations) // 2):
        a, b = organizations[i * 97 + j], organizations[-1 - i * 89 - j]
        if edits.tie_key(a, b, "partnership") not in existing:
            return edits.add(
                city,
                "ties",
                {
                    "source_id": a,
                    "target_id": b,
                    "tie_type": "partnership",
                    "strength": "2",
                    "source": "working session",
                    "source_date": "2026-11",
                    "illustrative": "yes",
                },
            )
    raise RuntimeError("no pair of organizations without a partnership")


def _timed_run(at: Any) -> float:
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the Overview failed: {[e.value for e in at.exception]}")
    return seconds


def measure(orgs: int = 10_000, workdir: Path | None = None) -> list[dict[str, Any]]:
    """Load the synthetic city, run the Overview, then time its rerun after each kind of edit."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    scale = f"{orgs // 1000}k" if orgs >= 1000 else str(orgs)
    with tempfile.TemporaryDirectory(prefix="bench-after-edit-", dir=workdir) as tmp:
        db = Path(tmp) / "city.db"
        city = make_synthetic_city(
            orgs=orgs, ties=orgs * 10, areas=max(orgs * 23 // 100, 5), seed=0
        )
        store: Store = open_store(db)
        store.replace_city(city)
        os.environ["COALITION_DB"] = str(db)
        st.cache_resource.clear()
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=900)
        first = _timed_run(at)
        floor = statistics.median(_timed_run(at) for _ in range(REPEATS))
        records = [
            {
                "case": f"after-edit-first-run-{scale}",
                "seconds": round(first, 3),
                "load_average": round(os.getloadavg()[0], 2),
            }
        ]
        for kind in KINDS:
            samples = []
            for i in range(REPEATS):
                current = store.read_city()
                store.apply(_edit(kind, current, i), what=f"bench {kind} {i}", who="bench")
                samples.append(_timed_run(at))
            seconds = statistics.median(samples)
            records.append(
                {
                    "case": f"after-edit-{kind}-{scale}",
                    "seconds": round(seconds, 3),
                    "runs_s": [round(s, 3) for s in samples],
                    "floor_seconds": round(floor, 3),
                    "ratio": round(seconds / floor, 2) if floor else None,
                    "load_average": round(os.getloadavg()[0], 2),
                    "code": str(PROJECT_ROOT),
                }
            )
        st.cache_resource.clear()
    return records


def run() -> list[dict[str, Any]]:
    """Hook for ``make bench`` (:mod:`benchmarks.run`)."""
    return measure()


def main(argv: list[str] | None = None, report: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    args = parser.parse_args(argv)
    report(json.dumps(measure(args.orgs), indent=2))


if __name__ == "__main__":
    main()
