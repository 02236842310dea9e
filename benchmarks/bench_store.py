"""The store's read and write, the analyses' index from the tables, and the CLI verbs on a store.

Run: ``.venv/bin/python -m benchmarks.bench_store [--cases hartford,synthetic-large]`` (also
picked up by ``make bench`` through ``run()``). Not a test: nothing here asserts a time. Every
record carries the load average (``os.getloadavg()[0]``) at its measurement: on a shared 2-core
machine absolute times are noisy, the ratios measured side by side are what count.

Cases: ``hartford`` (data/hartford) and ``synthetic-large`` (10,000 organizations, 100,000 ties,
2,300 areas, seed 0), each loaded into a temporary store.

Records
-------
- ``store-read-CASE``: :meth:`Store.read_city` (columnar), median of 3; ``floor_seconds`` is
  fetching every table's rows with no decoding at all (sqlite3, same file), and
  ``cell_by_cell_seconds`` the previous way (a ``json.loads`` and a dict per row).
- ``store-write-CASE``: :meth:`Store.replace_city` into a fresh store; ``floor_seconds`` is
  sqlite inserting the same encoded rows (executemany in one transaction, nothing else).
- ``index-CASE``: :func:`coalition.analysis.graph_index.index_city`; ``graph_seconds`` is
  ``index_graph(build_graph(city))`` (what the CLI did before), ``ratio`` the quotient.
- ``cli-VERB-CASE``: ``coalition VERB`` end to end in a fresh process (``init DIR`` into a new
  store; ``rank --json``, ``gaps --json``, ``coverage --json``, ``info --json`` on the store);
  ``floor_seconds`` is a fresh process that imports the CLI and reads the city (``init``: reads
  and validates the folder), i.e. what every run pays before the verb's own work.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coalition import schema
from coalition.analysis.graph_index import index_city, index_graph
from coalition.model import CityData, build_graph
from coalition.settings import PROJECT_ROOT
from coalition.store import _encode_column, open_store

CASES = ("hartford", "synthetic-large")
CLI_VERBS = (("rank", "--json"), ("gaps", "--json"), ("coverage", "--json"), ("info", "--json"))


def _city(case: str) -> CityData:
    if case == "hartford":
        from coalition.ingest import read_city

        return read_city(PROJECT_ROOT / "data" / "hartford")
    from coalition.analysis.synthetic import make_synthetic_city

    return make_synthetic_city(orgs=10_000, ties=100_000, areas=2_300, seed=0)


def _median(work: Callable[[], Any], runs: int) -> float:
    """Median seconds of ``runs`` calls, after one untimed call (imports, caches)."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _record(case: str, seconds: float, floor: float | None, target: str, **extra: Any) -> dict:
    return {
        "case": case,
        "seconds": round(seconds, 3),
        "floor_seconds": None if floor is None else round(floor, 3),
        "ratio": None if not floor else round(seconds / floor, 2),
        "target": target,
        "load_average": round(os.getloadavg()[0], 2),
        **extra,
    }


def _fetch_all(path: Path) -> None:
    """Every table's rows as sqlite returns them: the floor of any read."""
    with sqlite3.connect(path) as conn:
        for name in schema.TABLES:
            conn.execute(f'SELECT * FROM "{name}" ORDER BY _pos').fetchall()
        conn.execute("SELECT * FROM boundaries").fetchall()


def _cell_by_cell(path: Path) -> None:
    """The store's previous read: one dict per row, one decode (json.loads) per cell."""
    import pandas as pd

    with sqlite3.connect(path) as conn:
        for name, columns in schema.TABLES.items():
            cursor = conn.execute(f'SELECT * FROM "{name}" ORDER BY _pos')
            names = [d[0] for d in cursor.description]
            rows = []
            for values in cursor.fetchall():
                row = dict(zip(names, values, strict=True))
                cells = {}
                for column in columns:
                    value = row[column.name]
                    if column.type == "list":
                        value = json.loads(value) if value else []
                    elif column.type == "bool":
                        value = value == "1"
                    cells[column.name] = value
                rows.append(cells)
            pd.DataFrame(rows, columns=[c.name for c in columns])


def _insert_floor(city: CityData, folder: Path) -> float:
    """Seconds for sqlite to insert the city's encoded rows (and nothing else)."""
    rows = {}
    for name, columns in schema.TABLES.items():
        frame = city.tables.get(name)
        if frame is None or frame.empty:
            continue
        encoded = [_encode_column(frame.get(c.name), len(frame), c) for c in columns]
        rows[name] = list(zip(range(len(frame)), *encoded, strict=True))
    path = folder / "floor.db"
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        for name, columns in schema.TABLES.items():
            names = ", ".join(c.name for c in columns)
            conn.execute(f'CREATE TABLE "{name}" (_pos INTEGER PRIMARY KEY, {names})')
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for name, values in rows.items():
            marks = ", ".join("?" * (len(schema.TABLES[name]) + 1))
            conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', values)
        conn.execute("COMMIT")
        return time.perf_counter() - start


def _process_seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, cwd=PROJECT_ROOT)
    return time.perf_counter() - start


def _cli_records(case: str, city: CityData, folder: Path, runs: int) -> list[dict]:
    from coalition.exports import write_city_folder

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    city_dir = folder / "city"
    write_city_folder(city, city_dir)
    python = sys.executable
    records = []
    db = folder / "cli.db"
    init = [python, "-m", "coalition.cli", "init", str(city_dir), "--db"]
    read_folder = f"from coalition.ingest import read_city; read_city({str(city_dir)!r})"
    inits, floors = [], []
    for i in range(runs):  # side by side: the floor, then the verb
        floors.append(_process_seconds([python, "-c", read_folder], env))
        inits.append(_process_seconds([*init, str(folder / f"init-{i}.db")], env))
    records.append(
        _record(
            f"cli-init-{case}",
            statistics.median(inits),
            statistics.median(floors),
            "init DIR <= 5 s at 10k",
        )
    )
    _process_seconds([*init, str(db)], env)
    read_store = (
        "import coalition.cli; from coalition.store import open_store; "
        f"open_store({str(db)!r}).read_city()"
    )
    for verb in CLI_VERBS:
        times, floors = [], []
        for _ in range(runs):
            floors.append(_process_seconds([python, "-c", read_store], env))
            times.append(
                _process_seconds([python, "-m", "coalition.cli", *verb, "--db", str(db)], env)
            )
        records.append(
            _record(
                f"cli-{verb[0]}-{case}",
                statistics.median(times),
                statistics.median(floors),
                "<= 3 s at 10k" if verb[0] != "info" else "fast",
            )
        )
    return records


def run(cases: tuple[str, ...] = CASES, runs: int = 3, cli: bool = True) -> list[dict]:
    """Time each case; returns one record per measurement (hook of benchmarks/run.py)."""
    records = []
    for case in cases:
        city = _city(case)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = folder / "c.db"
            store = open_store(path)
            start = time.perf_counter()
            store.replace_city(city)
            write = time.perf_counter() - start
            records.append(
                _record(
                    f"store-write-{case}",
                    write,
                    _insert_floor(city, folder),
                    "columns, not a dict per row",
                )
            )
            read = _median(store.read_city, runs)
            records.append(
                _record(
                    f"store-read-{case}",
                    read,
                    _median(lambda p=path: _fetch_all(p), runs),
                    "no per-cell decode",
                    cell_by_cell_seconds=round(_median(lambda p=path: _cell_by_cell(p), runs), 3),
                )
            )
            stored = store.read_city()
            fast = _median(lambda c=stored: index_city(c), runs)
            slow = _median(lambda c=stored: index_graph(build_graph(c)), runs)
            records.append(
                {
                    **_record(f"index-{case}", fast, None, "index_city faster than the graph"),
                    "graph_seconds": round(slow, 3),
                    "ratio": round(fast / slow, 2),
                }
            )
            if cli:
                records += _cli_records(case, city, folder, runs)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="cases, separated by commas")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI processes")
    args = parser.parse_args()
    cases = tuple(c for c in args.cases.split(",") if c.strip())
    for record in run(cases, runs=args.runs, cli=not args.no_cli):
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
