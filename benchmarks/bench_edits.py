"""Row edits in the store: one edit's save, the checkpoint save, the import, concurrent writers.

Run: ``.venv/bin/python -m benchmarks.bench_edits [--cases hartford,synthetic-large]`` (also
picked up by ``make bench`` through ``run()``). Not a test: nothing here asserts a time. Every
record carries the load average (``os.getloadavg()[0]``) at its measurement: on a shared 2-core
machine absolute times are noisy.

Cases: ``hartford`` (data/hartford) and ``synthetic-large`` (10,000 organizations, 100,000 ties,
2,300 areas, seed 0), each loaded into a temporary store.

Records
-------
- ``edit-save-CASE``: :meth:`Store.apply` of one :func:`coalition.edits.change` (an
  organization's notes; a different organization each time), median of ``saves`` (20);
  ``p90_seconds`` and ``max_seconds`` beside it, ``build_seconds`` the median time of building
  the change itself (``edits.change`` on the city read: the form's check, not the save).
  Target: under 0.1 s at 10,000 organizations.
- ``edit-checkpoint-save-CASE``: the save that also keeps a checkpoint (every
  ``settings.CHECKPOINT_EVERY`` edits: a snapshot of every table, written after the edit's own
  transaction), median of 3.
- ``edit-read-version-CASE``: :meth:`Store.read_version` of a version 50 edits past its
  snapshot (the edits are replayed in one pass, so 199 cost about the same), median of 3;
  ``read_city_seconds`` beside it.
- ``import-CASE``: :meth:`Store.replace_city` of the whole city into a new store
  (``seconds``) and over the stored one (``replace_seconds``).
- ``writers-N-CASE``: N processes (2 and 5), each with its own store on the same file, save
  ``writer_saves`` edits each of their own rows as fast as they can; ``failures`` counts every
  error other than a conflict ("database is locked" included), ``failure_rate`` = failures /
  saves (target 0); ``seconds`` the median save under contention, ``max_seconds`` the slowest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coalition import edits, settings
from coalition.model import CityData
from coalition.settings import PROJECT_ROOT
from coalition.store import Store, open_store

CASES = ("hartford", "synthetic-large")
WRITERS = (2, 5)
SAVE_TARGET_SECONDS = 0.1  # one edit's save at 10,000 organizations


def _city(case: str) -> CityData:
    if case == "hartford":
        from coalition.ingest import read_city

        return read_city(PROJECT_ROOT / "data" / "hartford")
    from coalition.analysis.synthetic import make_synthetic_city

    return make_synthetic_city(orgs=10_000, ties=100_000, areas=2_300, seed=0)


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _quantile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _saves(store: Store, city: CityData, saves: int, tag: str) -> tuple[list[float], list[float]]:
    """Save ``saves`` one-row edits (a different organization's notes each time): the save
    times and the times building each change."""
    orgs = edits.keys_of("organizations", city.tables["organizations"])
    save_times, build_times = [], []
    for i in range(saves):
        key = orgs[(i * 7919) % len(orgs)]  # spread over the table, none twice in a row
        build, changes = _timed(
            lambda c=city, k=key, n=i: edits.change(c, "organizations", k, {"notes": f"{tag} {n}"})
        )
        build_times.append(build)
        seconds, _ = _timed(lambda c=changes, n=i: store.apply(c, what=f"{tag} {n}", who="bench"))
        save_times.append(seconds)
        city = edits.apply_changes(city, changes)  # the next form reads what was saved
    return save_times, build_times


def _edit_records(case: str, city: CityData, folder: Path, saves: int) -> list[dict]:
    store = open_store(folder / "edits.db")
    seconds, _ = _timed(lambda: store.replace_city(city))
    again, _ = _timed(lambda: store.replace_city(city))
    records = [
        {
            "case": f"import-{case}",
            "seconds": round(seconds, 3),
            "replace_seconds": round(again, 3),
            "organizations": len(city.tables["organizations"]),
            "ties": len(city.tables["ties"]),
            "load_average": _load(),
        }
    ]
    stored = store.read_city()
    _saves(store, stored, 2, "warm-up")  # imports, caches
    stored = store.read_city()
    save_times, build_times = _saves(store, stored, saves, "save")
    median = statistics.median(save_times)
    records.append(
        {
            "case": f"edit-save-{case}",
            "seconds": round(median, 4),
            "p90_seconds": round(_quantile(save_times, 0.9), 4),
            "max_seconds": round(max(save_times), 4),
            "build_seconds": round(statistics.median(build_times), 4),
            "saves": saves,
            "target": SAVE_TARGET_SECONDS if case == "synthetic-large" else None,
            "load_average": _load(),
        }
    )
    every = settings.CHECKPOINT_EVERY
    try:
        settings.CHECKPOINT_EVERY = 1  # every save keeps a checkpoint
        checkpoint_times, _ = _saves(store, store.read_city(), 3, "checkpoint")
    finally:
        settings.CHECKPOINT_EVERY = every
    records.append(
        {
            "case": f"edit-checkpoint-save-{case}",
            "seconds": round(statistics.median(checkpoint_times), 3),
            "plain_save_seconds": round(median, 4),
            "checkpoint_every": every,
            "load_average": _load(),
        }
    )
    # A replay: a version 50 edits past its snapshot (the last checkpoint above), saved with
    # no checkpoint in between.
    start = store.version()
    try:
        settings.CHECKPOINT_EVERY = 10**9
        _saves(store, store.read_city(), min(every - 1, 50), "replay")
    finally:
        settings.CHECKPOINT_EVERY = every
    replay_times = [_timed(lambda: store.read_version(store.version()))[0] for _ in range(3)]
    records.append(
        {
            "case": f"edit-read-version-{case}",
            "seconds": round(statistics.median(replay_times), 3),
            "replayed_edits": store.version() - start,
            "read_city_seconds": round(_timed(store.read_city)[0], 3),
            "load_average": _load(),
        }
    )
    return records


WRITER = """
import json, sys, time
from coalition import edits
from coalition.errors import ConflictError
from coalition.store import open_store
path, index, saves, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
store = open_store(path)
keys = json.loads(sys.argv[5])
times, failures, conflicts = [], [], 0
time.sleep(max(0.0, start - time.time()))
for i in range(saves):
    key = keys[i % len(keys)]
    began = time.perf_counter()
    try:
        before, _ = store.row("organizations", key)
        after = {**before, "notes": f"writer {index} save {i}"}
        store.apply([edits.RowChange("organizations", key, before, after)],
                    what=f"writer {index} save {i}", who=f"writer {index}")
    except ConflictError:
        conflicts += 1
    except Exception as exc:
        failures.append(repr(exc)[:200])
    times.append(time.perf_counter() - began)
print(json.dumps({"times": times, "failures": failures, "conflicts": conflicts}))
"""


def _writers_record(case: str, path: Path, orgs: list[str], writers: int, saves: int) -> dict:
    """``writers`` processes saving ``saves`` edits each of their own rows at the same time."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    start = time.time() + 6.0  # every process imported and opened its store by then
    before = open_store(path).version()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(path),
                str(w),
                str(saves),
                str(start),
                json.dumps(orgs[w * 5 : w * 5 + 5]),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=PROJECT_ROOT,
        )
        for w in range(writers)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=900)
        if process.returncode != 0:
            raise RuntimeError(err.decode()[-2000:])
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    times = [t for r in results for t in r["times"]]
    failures = [f for r in results for f in r["failures"]]
    store = open_store(path)
    versions = store.versions()["version"].tolist()
    return {
        "case": f"writers-{writers}-{case}",
        "seconds": round(statistics.median(times), 4),
        "p90_seconds": round(_quantile(times, 0.9), 4),
        "max_seconds": round(max(times), 4),
        "writers": writers,
        "writer_saves": saves,
        "failures": len(failures),
        "failure_rate": round(len(failures) / len(times), 4),
        "conflicts": sum(r["conflicts"] for r in results),
        "saved": store.version() - before,
        "versions_contiguous": sorted(versions) == list(range(min(versions), max(versions) + 1)),
        "first_failure": failures[0] if failures else None,
        "target": "0 failures",
        "meets_target": not failures and store.version() - before == writers * saves,
        "load_average": _load(),
    }


def run(
    cases: tuple[str, ...] = CASES, saves: int = 20, writer_saves: int = 20, writers: bool = True
) -> list[dict]:
    """Time each case; returns one record per measurement (hook of benchmarks/run.py)."""
    records: list[dict] = []
    for case in cases:
        city = _city(case)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            records += _edit_records(case, city, folder, saves)
            if writers:
                orgs = edits.keys_of("organizations", city.tables["organizations"])
                for count in WRITERS:
                    records.append(
                        _writers_record(case, folder / "edits.db", orgs, count, writer_saves)
                    )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="cases, separated by commas")
    parser.add_argument("--saves", type=int, default=20, help="saves timed (median)")
    parser.add_argument("--writer-saves", type=int, default=20, help="saves per writer")
    parser.add_argument("--no-writers", action="store_true", help="skip the concurrent writers")
    args = parser.parse_args()
    cases = tuple(c for c in args.cases.split(",") if c.strip())
    for record in run(cases, args.saves, args.writer_saves, not args.no_writers):
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
