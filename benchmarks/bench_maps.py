"""``coalition maps`` end to end, and the map files' sizes (issue 12).

Run: ``.venv/bin/python -m benchmarks.bench_maps [--cases hartford,synthetic-large]`` (also
picked up by ``make bench`` through ``run()``). Not a test: nothing here asserts a time.

Cases
-----
- ``maps-cli-<city>``: ``coalition maps`` in a fresh process on a store holding the city
  (Hartford's sample; the synthetic city of 10,000 organizations, 100,000 ties and 2,300 areas).
  ``floor_seconds`` is a fresh process doing everything the command does except drawing and
  writing the maps (imports, reading the store, the index from its tables, the ranking and gap
  counts the maps show), run alternately with it (``RUNS`` times, fastest of each kept):
  ``ratio`` = seconds / floor. The target is 10 s at 10,000 organizations. ``max_file_mb`` is
  the largest map file.
- ``maps-measures-<city>``: in one process, the shared layers (:func:`maps.prepare_map_layers`)
  once, then each measure's map drawn and rendered offline (``measure_seconds``).
- ``maps-file-realistic-2300``: one measure's offline page for 2,300 areas of ~100 points
  with meandering shared borders (tests/test_maps_scale.py) and 10,000 organizations: bytes
  against the 3 MB target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from coalition.settings import PROJECT_ROOT

CASES = ("hartford", "synthetic-large")
TARGET_SECONDS = 10.0
TARGET_FILE_MB = 3.0
RUNS = 3
FLOOR_SCRIPT = """
import sys
from coalition.analysis.graph_index import index_city
from coalition.map_files import map_tables, neighborhood_measures
from coalition.store import open_store
city = open_store(sys.argv[1]).read_city()
index = index_city(city)
neighborhood_measures(city, index=index, tables=map_tables(city, index))
"""


def _store(case: str, folder: Path) -> Path:
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.ingest import read_city
    from coalition.store import open_store

    db = folder / f"{case}.db"
    if case == "hartford":
        city = read_city(PROJECT_ROOT / "data" / "hartford")
    else:
        city = make_synthetic_city(orgs=10_000, ties=100_000, areas=2_300, seed=0)
    open_store(db).replace_city(city)
    return db


def _timed(command: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), *sys.path[1:]])}
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env, cwd=PROJECT_ROOT)
    return time.perf_counter() - start


def cli_case(case: str, folder: Path, runs: int = RUNS) -> dict[str, Any]:
    """``coalition maps`` and its floor, each in a fresh process, alternately ``runs`` times.

    ``seconds`` and ``floor_seconds`` are the fastest of each (the least disturbed by the other
    processes sharing the machine); every run is kept in ``seconds_all`` / ``floor_all``.
    """
    db = _store(case, folder)
    out = folder / f"maps-{case}"
    command = [sys.executable, "-m", "coalition.cli", "maps", "--db", str(db), "--out", str(out)]
    seconds_all, floor_all, loads = [], [], []
    for _ in range(runs):
        seconds_all.append(round(_timed(command), 2))
        floor_all.append(round(_timed([sys.executable, "-c", FLOOR_SCRIPT, str(db)]), 2))
        loads.append(round(os.getloadavg()[0], 2))
    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.html"))}
    return {
        "case": f"maps-cli-{case}",
        "seconds": min(seconds_all),
        "floor_seconds": min(floor_all),
        "ratio": round(min(seconds_all) / min(floor_all), 2),
        "target": f"seconds <= {TARGET_SECONDS:g} at 10,000 organizations; each file <= "
        f"{TARGET_FILE_MB:g} MB",
        "load_average": os.getloadavg()[0],
        "seconds_all": seconds_all,
        "floor_all": floor_all,
        "load_averages": loads,
        "max_file_mb": round(max(sizes.values()) / 1e6, 2),
        "file_bytes": sizes,
    }


def measures_case(case: str, folder: Path) -> dict[str, Any]:
    """Shared layers once, then each measure drawn and rendered (in this process)."""
    from coalition import maps, schema
    from coalition.map_files import MAP_TITLES, neighborhood_measures
    from coalition.model import build_graph, nodes_frame
    from coalition.store import open_store

    G = build_graph(open_store(folder / f"{case}.db").read_city())
    frame = neighborhood_measures(G)
    start = time.perf_counter()
    layers = maps.prepare_map_layers(
        frame,
        organizations=nodes_frame(G, schema.ORGANIZATION),
        committees=nodes_frame(G, schema.COMMITTEE),
    )
    prepare = time.perf_counter() - start
    per_measure = {}
    for measure in MAP_TITLES:
        start = time.perf_counter()
        maps.offline_map_html(maps.neighborhood_map(frame, measure, layers=layers))
        per_measure[measure] = round(time.perf_counter() - start, 3)
    return {
        "case": f"maps-measures-{case}",
        "seconds": round(prepare + sum(per_measure.values()), 2),
        "prepare_seconds": round(prepare, 3),
        "measure_seconds": per_measure,
        "load_average": os.getloadavg()[0],
    }


def realistic_file_case() -> dict[str, Any]:
    """Bytes of one offline map of 2,300 realistic areas and 10,000 organizations."""
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    from test_maps_scale import many_organizations, realistic_areas

    from coalition import maps

    areas = realistic_areas()
    start = time.perf_counter()
    layers = maps.prepare_map_layers(areas, organizations=many_organizations(areas))
    page = maps.offline_map_html(maps.neighborhood_map(areas, "foreign_born", layers=layers))
    seconds = time.perf_counter() - start
    return {
        "case": "maps-file-realistic-2300",
        "seconds": round(seconds, 2),
        "file_mb": round(len(page.encode("utf-8")) / 1e6, 2),
        "boundaries_json_mb": round(len(layers.shapes_json) / 1e6, 2),
        "organizations_json_mb": round(len(layers.organizations_json) / 1e6, 2),
        "target": f"file_mb <= {TARGET_FILE_MB:g}",
        "load_average": os.getloadavg()[0],
    }


def run(cases: tuple[str, ...] = CASES) -> list[dict[str, Any]]:
    """The records (see the module docstring)."""
    records = []
    with tempfile.TemporaryDirectory(prefix="bench_maps_") as tmp:
        for case in cases:
            records.append(cli_case(case, Path(tmp)))
            records.append(measures_case(case, Path(tmp)))
    records.append(realistic_file_case())
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="hartford,synthetic-large")
    args = parser.parse_args()
    for record in run(tuple(c for c in args.cases.split(",") if c)):
        print(json.dumps(record))


if __name__ == "__main__":
    main()
