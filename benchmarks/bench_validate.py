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
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from coalition.ingest import validate_city
from coalition.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "data" / "template"
SIZES = (2_000, 5_000)


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
