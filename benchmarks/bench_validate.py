"""Validation on hostile input: thousands of renamed ids, a workbook declaring millions of rows.

Run: ``.venv/bin/python -m benchmarks.bench_validate [--sizes 2000,5000]`` (also picked up by
``make bench`` through ``run()``). Not a test: nothing here asserts a time.

Cases
-----
- ``validate-renamed-ids-N``: the template city (data/template) with N organizations and N
  partnerships whose second end was renamed (``member-00042`` written ``membre-00043``), so every
  tie points to an unknown id and gets a "did you mean" search among N ids. Before the index
  (issue 7) this was quadratic: 2,000 took 42 s and 5,000 over 400 s.
- ``validate-huge-workbook``: the template as a city.xlsx whose ties sheet declares 4,000,000
  rows (refused from its dimension before its rows are parsed).
- ``validate-10k-end-to-end`` (issue 12): ``coalition validate`` of a 10,000-organization /
  100,000-tie / 2,300-area folder in a fresh process, timed side by side (alternating) with the
  import floor, a fresh ``python -c "import pandas, networkx, igraph, geopandas, sqlalchemy"``;
  median wall seconds of each, their ratio, the children's CPU seconds (less sensitive to other
  load than wall time) and the load average. Target: at most 3 s.
- ``read-city-10k``: :func:`coalition.ingest.read_city` of the same folder in this process
  (imports already paid).

The 10k folder is ``$COALITION_BENCH_10K`` (or /tmp/p10k/city10k) when it exists, else it is
generated (``make_synthetic_city(orgs=10000, ties=100000, areas=2300, seed=0)``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from coalition.ingest import read_city, validate_city
from coalition.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "data" / "template"
SIZES = (2_000, 5_000)
TEN_K = Path(os.environ.get("COALITION_BENCH_10K", "/tmp/p10k/city10k"))
VALIDATE_TARGET_SECONDS = 3.0
FLOOR_CODE = "import pandas, networkx, igraph, geopandas, sqlalchemy"


def _append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writerows(rows)


def renamed_ids_folder(folder: Path, n: int) -> Path:
    """The template with ``n`` organizations and ``n`` ties to renamed (unknown) ids."""
    shutil.copytree(TEMPLATE, folder)
    prov = {"source": "benchmark", "source_date": "2025", "illustrative": "yes"}
    _append_rows(
        folder / "organizations.csv",
        [
            {
                "org_id": f"member-{i:05d}",
                "name": f"Member {i}",
                "sector": "nonprofit",
                "orientation": "both",
                **prov,
            }
            for i in range(n)
        ],
    )
    _append_rows(
        folder / "ties.csv",
        [
            {
                "source_id": f"member-{i:05d}",
                "target_id": f"membre-{(i + 1) % n:05d}",
                "tie_type": "partnership",
                **prov,
            }
            for i in range(n)
        ],
    )
    return folder


def huge_workbook_folder(folder: Path) -> Path:
    """The template as a workbook whose ties sheet declares 4,000,000 rows."""
    from openpyxl import Workbook

    folder.mkdir()
    for name in ("city.toml", "neighborhoods.geojson"):
        shutil.copy(TEMPLATE / name, folder / name)
    book = Workbook()
    book.remove(book.active)
    for path in sorted(TEMPLATE.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        with path.open(newline="", encoding="utf-8") as handle:
            for record in csv.reader(handle):
                sheet.append(record)
    target = folder / "city.xlsx"
    book.save(target)
    index = [s.title for s in book.worksheets].index("ties") + 1
    member = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(target) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[member] = re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K4000000"', parts[member]
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return folder


def _time(case: str, folder: Path) -> dict:
    start = time.perf_counter()
    report = validate_city(folder)
    seconds = time.perf_counter() - start
    suggested = sum("Did you mean" in p.message for p in report.errors)
    return {
        "case": case,
        "seconds": round(seconds, 2),
        "errors": len(report.errors),
        "with_suggestion": suggested,
    }


def ten_k_folder(tmp: Path) -> Path:
    """The 10,000-organization folder: the shared one when present, else a generated one."""
    if (TEN_K / "ties.csv").is_file():
        return TEN_K
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.exports import write_city_folder

    city = make_synthetic_city(orgs=10_000, ties=100_000, areas=2_300, seed=0)
    return Path(write_city_folder(city, tmp / "city10k"))


def _fresh(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a fresh Python process running ``args`` (output discarded)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def time_end_to_end(folder: Path, runs: int = 3) -> dict:
    """``coalition validate`` in fresh processes against the import floor, side by side."""
    validate, floor = [], []
    for _ in range(runs):  # alternate, so that both see the same load
        floor.append(_fresh(["-c", FLOOR_CODE]))
        validate.append(_fresh(["-m", "coalition.cli", "validate", str(folder)]))
    seconds = statistics.median(w for w, _ in validate)
    floor_seconds = statistics.median(w for w, _ in floor)
    return {
        "case": "validate-10k-end-to-end",
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor_seconds, 2),
        "ratio": round(seconds / floor_seconds, 2),
        "target": VALIDATE_TARGET_SECONDS,
        "cpu_seconds": round(statistics.median(c for _, c in validate), 2),
        "floor_cpu_seconds": round(statistics.median(c for _, c in floor), 2),
        "seconds_all": [round(w, 2) for w, _ in validate],
        "floor_seconds_all": [round(w, 2) for w, _ in floor],
        "load_average": os.getloadavg()[0],
        "floor": FLOOR_CODE,
    }


def time_read_city(folder: Path) -> dict:
    """:func:`read_city` of ``folder`` in this process (wall and CPU seconds)."""
    read_city(folder)  # warm-up: lazy imports (pyogrio, pyproj), caches
    start, cpu = time.perf_counter(), time.process_time()
    city = read_city(folder)
    return {
        "case": "read-city-10k",
        "seconds": round(time.perf_counter() - start, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "orgs": len(city.tables["organizations"]),
        "ties": len(city.tables["ties"]),
        "areas": len(city.tables["neighborhoods"]),
        "load_average": os.getloadavg()[0],
    }


def run(sizes: tuple[int, ...] = SIZES) -> list[dict]:
    """Time each case once; returns one record per case (hook of benchmarks/run.py)."""
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = renamed_ids_folder(Path(tmp) / f"renamed-{n}", n)
            records.append(_time(f"validate-renamed-ids-{n}", folder))
        records.append(
            _time("validate-huge-workbook", huge_workbook_folder(Path(tmp) / "workbook"))
        )
        folder = ten_k_folder(Path(tmp))
        records.append(time_end_to_end(folder))
        records.append(time_read_city(folder))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="numbers of renamed ids, separated by commas",
    )
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    for record in run(sizes):
        print(json.dumps(record))


if __name__ == "__main__":
    main()
