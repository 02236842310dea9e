"""The command line end to end: fresh ``coalition`` processes timed side by side with the floor.

Run: ``python -m benchmarks.bench_cli [--cases hartford,10k,100k] [--runs N] [--quick]`` (also
picked up by ``make bench`` through ``run()``). Not a test: nothing here asserts a time.

The floor is what no command can beat: a fresh ``python -c "import pandas, networkx, igraph,
geopandas, sqlalchemy"`` (the core libraries alone). Each round runs the floor and every case of
a group once, each in a fresh process, in an order rotated from round to round; a case's
``seconds`` is its median wall-clock time over the rounds, ``floor_seconds`` the floor's median
in the same rounds, ``ratio`` their quotient. ``cpu_seconds``/``cpu_ratio`` are the same with
the process's user + system CPU time (``getrusage`` of the finished child), which moves less
than wall time when other work shares the machine. ``load_average`` is the 1-minute load when
the case's last round ended: compare ratios, not seconds, between runs on a busy machine.

Groups
------
- ``hartford``: the sample city (data/hartford) loaded once into a temporary store; ``rank``,
  ``gaps``, ``coverage``, ``info`` (text and ``--json``) and ``validate data/hartford``. Target:
  at most 1.2 x the floor.
- ``10k``: a synthetic city of 10,000 organizations / 100,000 ties / 2,300 areas (written once
  into benchmarks/.cache/ and reused), loaded into a temporary store: ``rank``/``gaps``/
  ``coverage --json`` (target 3 s), ``validate`` (3 s), ``init`` into an empty store (5 s) and
  ``maps`` into a temporary folder (10 s).
- ``100k``: 100,000 organizations / 1,000,000 ties / 23,000 areas: ``rank --json`` (90 s), one
  round by default. Its store is loaded through the library (the ties are beyond a folder's
  limits, so ``coalition init`` refuses them) once into benchmarks/.cache/, and reloaded only
  when the store, schema, model or synthetic code changes. ``--quick`` skips this group.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger("benchmarks.bench_cli")

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
CACHE = BENCH_DIR / ".cache"
HARTFORD = PROJECT_ROOT / "data" / "hartford"
FLOOR_CODE = "import pandas, networkx, igraph, geopandas, sqlalchemy"
# What the installed `coalition` script runs (with this checkout first on the path).
CLI_CODE = "import sys; from coalition.cli import main; sys.exit(main())"
SIZES = {
    "10k": {"orgs": 10_000, "ties": 100_000, "areas": 2_300},
    "100k": {"orgs": 100_000, "ties": 1_000_000, "areas": 23_000},
}
GROUPS = ("hartford", "10k", "100k")
DEFAULT_RUNS = {"hartford": 5, "10k": 3, "100k": 1}
RATIO_TARGET = 1.2


@dataclass
class Case:
    """One command to time: ``coalition <args>`` with the store at ``db``."""

    name: str
    args: list[str]
    db: Path
    target_ratio: float | None = None
    target_seconds: float | None = None
    prepare: Callable[[int], list[str]] | None = None  # round -> extra args; untimed
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def _env(db: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    if db is not None:
        env["COALITION_DB"] = str(db)
    return env


def time_process(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one fresh process; fails on a non-zero exit.

    Examples
    --------
    >>> wall, cpu = time_process([sys.executable, "-c", "pass"], dict(os.environ))
    >>> wall > 0 and cpu >= 0
    True
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        list(argv), env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv[-3:])} exited with {done.returncode}: {tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def coalition(args: Sequence[str], db: Path) -> None:
    """Run ``coalition <args>`` once, untimed (to build a store)."""
    time_process([sys.executable, "-c", CLI_CODE, *args], _env(db))


def synthetic_folder(size: str) -> Path:
    """The synthetic city folder of ``size`` (written once into benchmarks/.cache/, then reused).

    Like the store of :func:`synthetic_store`, the folder is not remade when the synthetic code
    changes: delete benchmarks/.cache/ to start afresh.
    """
    params = SIZES[size]
    folder = CACHE / f"city-{params['orgs']}o-{params['ties']}t-{params['areas']}a-seed0"
    if (folder / "city.toml").is_file():
        return folder
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.exports import write_city_folder

    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n", encoding="utf-8")  # the cache is never committed
    logger.info("making the %s city into %s (once; minutes at 100k)", size, folder)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    write_city_folder(make_synthetic_city(**params, seed=0), partial)
    partial.rename(folder)
    return folder


def synthetic_store(size: str) -> Path:
    """A store holding the synthetic city of ``size``, kept in the cache until the code changes.

    Loaded through the library (``Store.replace_city``), not ``coalition init``: the 100k
    city's ties.csv (1,000,000 rows, ~80 MB) is beyond what a folder may hold (see
    coalition/ingest/limits.py), so no folder is written for it.
    """
    code = hashlib.sha256()
    for name in ("store.py", "schema.py", "model.py", "analysis/synthetic.py"):
        code.update((PROJECT_ROOT / "coalition" / name).read_bytes())
    params = SIZES[size]
    stem = f"city-{params['orgs']}o-{params['ties']}t-{params['areas']}a-seed0"
    db = CACHE / f"{stem}-{code.hexdigest()[:12]}.db"
    if db.is_file():
        return db
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n", encoding="utf-8")  # the cache is never committed
    for old in CACHE.glob(f"{stem}-*.db*"):
        old.unlink()
    logger.info("loading the %s city into %s (once; minutes at 100k)", size, db.name)
    partial = db.with_name(db.name + ".partial")
    partial.unlink(missing_ok=True)
    load = (
        "import sys\n"
        "from coalition.analysis.synthetic import make_synthetic_city\n"
        "from coalition.store import open_store\n"
        f"city = make_synthetic_city(**{params!r}, seed=0)\n"
        "open_store(sys.argv[1]).replace_city(city)\n"
    )
    time_process([sys.executable, "-c", load, str(partial)], _env())
    partial.rename(db)
    return db


def measure(cases: list[Case], runs: int) -> tuple[list[float], list[float]]:
    """Run the floor and every case ``runs`` times, interleaved; returns the floor's times."""
    floor_wall: list[float] = []
    floor_cpu: list[float] = []
    slots: list[Case | None] = [None, *cases]  # None: the floor
    for round_ in range(runs):
        shift = round_ % len(slots)
        for case in slots[shift:] + slots[:shift]:
            if case is None:
                wall, cpu = time_process([sys.executable, "-c", FLOOR_CODE], _env())
                floor_wall.append(wall)
                floor_cpu.append(cpu)
                continue
            extra = case.prepare(round_) if case.prepare else []
            wall, cpu = time_process(
                [sys.executable, "-c", CLI_CODE, *case.args, *extra], _env(case.db)
            )
            case.wall.append(wall)
            case.cpu.append(cpu)
            logger.info("  %-28s %6.2f s (cpu %.2f)", case.name, wall, cpu)
        logger.info(
            "round %d/%d: floor %.2f s, load average %.2f",
            round_ + 1,
            runs,
            floor_wall[-1],
            os.getloadavg()[0],
        )
    return floor_wall, floor_cpu


def records(
    group: str, counts: dict[str, int], cases: list[Case], floor: tuple[list[float], list[float]]
) -> list[dict[str, Any]]:
    """One record per case, with the floor measured in the same rounds."""
    floor_wall, floor_cpu = statistics.median(floor[0]), statistics.median(floor[1])
    load = os.getloadavg()[0]
    out = []
    for case in cases:
        seconds, cpu = statistics.median(case.wall), statistics.median(case.cpu)
        ratio = seconds / floor_wall
        if case.target_ratio is not None:
            target = f"<= {case.target_ratio:g} x floor"
            meets = ratio <= case.target_ratio
        else:
            target = f"<= {case.target_seconds:g} s"
            meets = case.target_seconds is not None and seconds <= case.target_seconds
        out.append(
            {
                "case": f"cli-{group}-{case.name}",
                "command": "coalition " + " ".join(case.args).replace(str(PROJECT_ROOT) + "/", ""),
                **counts,
                "seconds": round(seconds, 3),
                "floor_seconds": round(floor_wall, 3),
                "ratio": round(ratio, 3),
                "target": target,
                "target_ratio": case.target_ratio,
                "target_seconds": case.target_seconds,
                "meets_target": meets,
                "cpu_seconds": round(cpu, 3),
                "floor_cpu_seconds": round(floor_cpu, 3),
                "cpu_ratio": round(cpu / floor_cpu, 3),
                "runs": len(case.wall),
                "seconds_all": [round(s, 3) for s in case.wall],
                "floor_seconds_all": [round(s, 3) for s in floor[0]],
                "load_average": round(load, 2),
                "method": "median wall time of fresh processes, interleaved with the floor "
                f"(python -c '{FLOOR_CODE}')",
            }
        )
    return out


@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        yield Path(tmp)


def hartford_cases(tmp: Path) -> tuple[dict[str, int], list[Case]]:
    """The sample city's cases (target: 1.2 x the floor)."""
    db = tmp / "hartford.db"
    coalition(["init", str(HARTFORD)], db)
    verbs = [
        ("rank", ["rank"]),
        ("rank-json", ["rank", "--json"]),
        ("gaps", ["gaps"]),
        ("gaps-json", ["gaps", "--json"]),
        ("coverage", ["coverage"]),
        ("coverage-json", ["coverage", "--json"]),
        ("info", ["info"]),
        ("validate", ["validate", str(HARTFORD)]),
        ("validate-json", ["validate", "--json", str(HARTFORD)]),
    ]
    cases = [Case(name, args, db, target_ratio=RATIO_TARGET) for name, args in verbs]
    return _counts(HARTFORD), cases


def _counts(folder: Path) -> dict[str, int]:
    """Rows of the folder's organizations, ties and neighborhoods (as the synthetic sizes)."""
    counts = {}
    for key, name in (("orgs", "organizations"), ("ties", "ties")):
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            counts[key] = sum(1 for _ in csv.reader(handle)) - 1
    geojson = json.loads((folder / "neighborhoods.geojson").read_text(encoding="utf-8"))
    counts["areas"] = len(geojson["features"])
    return counts


def synthetic_cases(size: str, tmp: Path) -> tuple[dict[str, int], list[Case]]:
    """A synthetic city's cases (targets in seconds)."""
    counts = dict(SIZES[size])
    if size == "100k":
        db = synthetic_store(size)
        return counts, [Case("rank-json", ["rank", "--json"], db, target_seconds=90.0)]
    folder = synthetic_folder(size)
    db = tmp / f"{size}.db"
    coalition(["init", str(folder)], db)

    def fresh_store(round_: int) -> list[str]:
        for path in tmp.glob("init-*.db*"):
            path.unlink()
        return []

    def fresh_maps(round_: int) -> list[str]:
        out = tmp / "maps"
        shutil.rmtree(out, ignore_errors=True)
        return ["--out", str(out)]

    return counts, [
        Case("rank-json", ["rank", "--json"], db, target_seconds=3.0),
        Case("gaps-json", ["gaps", "--json"], db, target_seconds=3.0),
        Case("coverage-json", ["coverage", "--json"], db, target_seconds=3.0),
        Case("validate", ["validate", str(folder)], db, target_seconds=3.0),
        Case("init", ["init", str(folder)], tmp / "init-new.db", None, 5.0, fresh_store),
        Case("maps", ["maps"], db, target_seconds=10.0, prepare=fresh_maps),
    ]


def run_group(group: str, runs: int | None = None) -> list[dict[str, Any]]:
    """Time one group (``hartford``, ``10k`` or ``100k``); returns its records."""
    runs = runs or DEFAULT_RUNS[group]
    with _scratch() as tmp:
        if group == "hartford":
            if not HARTFORD.is_dir():
                logger.warning("skipping hartford: data/hartford is absent")
                return []
            counts, cases = hartford_cases(tmp)
        else:
            counts, cases = synthetic_cases(group, tmp)
        logger.info("%s: %d case(s), %d round(s)", group, len(cases), runs)
        floor = measure(cases, runs)
        return records(group, counts, cases, floor)


def run(
    groups: Sequence[str] = GROUPS, runs: int | None = None, quick: bool = False
) -> list[dict[str, Any]]:
    """Every group's records (hook of benchmarks/run.py); ``quick`` skips 100k."""
    out: list[dict[str, Any]] = []
    for group in groups:
        if quick and group == "100k":
            continue
        out.extend(run_group(group, runs))
    return out


def summary(rows: list[dict[str, Any]]) -> str:
    """A plain table of the records, one line each."""
    lines = [f"{'case':32} {'seconds':>8} {'floor':>6} {'ratio':>6} {'cpu':>5}  target  load"]
    for r in rows:
        lines.append(
            f"{r['case']:32} {r['seconds']:8.2f} {r['floor_seconds']:6.2f} {r['ratio']:6.2f} "
            f"{r['cpu_ratio']:5.2f}  {r['target']:<16} {'ok ' if r['meets_target'] else 'NO '}"
            f"{r['load_average']:.1f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: time the groups asked for, print the records as JSON and a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases",
        default=",".join(GROUPS),
        help=f"comma-separated groups among {', '.join(GROUPS)} (default: all)",
    )
    parser.add_argument("--runs", type=int, help="rounds per group (default: 5, 3, 1)")
    parser.add_argument("--quick", action="store_true", help="skip the 100k group")
    parser.add_argument("--output", type=Path, help="also write the records to this JSON file")
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.cases.split(",") if g.strip()]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be 1 or more")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = run(groups, args.runs, args.quick)
    for row in rows:
        print(json.dumps(row))
    if args.output:
        args.output.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(summary(rows), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
