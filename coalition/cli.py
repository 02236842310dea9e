"""The ``coalition`` command: load, check, export, analyse, draw and serve a city.

Exit codes: 0 ok, 1 invalid input (the message says what to fix), 2 usage error.

Examples
--------
$ coalition validate data/hartford
$ coalition init data/hartford
$ coalition gaps --json
$ coalition rank --k 3 --weights need=0.5,readiness=0.2
$ coalition export --format gpkg out/hartford.gpkg
$ coalition maps
$ coalition changes --since 3
$ coalition serve
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

from . import settings
from .errors import CoalitionError, ValidationError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("coalition.cli")


class UsageError(Exception):
    """Bad command-line arguments (exit code 2)."""


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def _clean_json(value: Any) -> Any:
    """NaN and infinities become null: JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    return value


def _print_json(data: Any) -> None:
    print(json.dumps(_clean_json(data), indent=2, ensure_ascii=False, default=_json_default))


def _store(args: argparse.Namespace):
    from .store import open_store

    return open_store(args.db)


def _graph(args: argparse.Namespace):
    from .store import ensure_loaded

    store = _store(args)
    if ensure_loaded(store):
        log.info("the store was empty: loaded %s", settings.data_dir())
    return store.graph()


# --- verbs --------------------------------------------------------------------------------------

def cmd_validate(args: argparse.Namespace) -> int:
    from .ingest import validate_city

    report = validate_city(args.folder)
    if args.json:
        _print_json(report.as_dict())
        return EXIT_OK if report.ok else EXIT_INVALID
    for problem in report.problems:
        print(problem)
    if report.ok:
        counts = {t: len(f) for t, f in report.city.tables.items()}
        print(f"OK: {args.folder} is valid ({', '.join(f'{n} {t}' for t, n in counts.items())}"
              f"; {len(report.warnings)} warning(s)).")
        return EXIT_OK
    print(f"INVALID: {len(report.errors)} problem(s) in {args.folder}; nothing can be loaded "
          "until they are fixed.")
    return EXIT_INVALID


def cmd_init(args: argparse.Namespace) -> int:
    from .ingest import read_city

    store = _store(args)
    if args.if_empty and not store.is_empty():
        print(f"The store already holds {store.info().get('city')} (version {store.version()});"
              " nothing to do.")
        return EXIT_OK
    folder = Path(args.folder) if args.folder else settings.data_dir()
    city = read_city(folder)  # raises ValidationError before the store is touched
    version = store.replace_city(city)
    counts = ", ".join(f"{len(f)} {t}" for t, f in city.tables.items())
    print(f"Loaded {city.name} from {folder} into {store.url} (version {version}): {counts}.")
    for warning in city.meta.get("warnings", []):
        print(f"WARNING: {warning['file']}: {warning['message']}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from .model import summary

    store = _store(args)
    info = store.info()
    if store.is_empty():
        data = {"empty": True, "store": store.url}
    else:
        data = {**info, "store": store.url, "counts": summary(store.graph())}
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .exports import export_city
    from .store import ensure_loaded

    store = _store(args)
    ensure_loaded(store)
    path = export_city(store.read_city(), args.format, args.out)
    print(f"Wrote {args.format} to {path}")
    return EXIT_OK


def _parse_weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    weights = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise UsageError(f"--weights takes name=value pairs, e.g. need=0.4,readiness=0.2 "
                             f"(got '{part}').")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--weights: '{value}' is not a number.") from None
    return weights


def cmd_gaps(args: argparse.Namespace) -> int:
    from .analysis import find_gaps

    report = find_gaps(_graph(args)).to_dict()
    if args.json:
        _print_json(report)
        return EXIT_OK
    for family, entries in report.items():
        print(f"\n{family.replace('_', ' ').upper()} ({len(entries)})")
        for entry in entries[: args.limit]:
            print(f"  - {entry['explanation']}")
        if len(entries) > args.limit:
            print(f"  … and {len(entries) - args.limit} more (--limit, or --json for all)")
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    from .analysis import coverage_report

    report = coverage_report(_graph(args), rule=args.rule, distance_km=args.distance_km).to_dict()
    if args.json:
        _print_json(report)
        return EXIT_OK
    summary = report["summary"]
    print(summary.get("explanation", ""))
    print(f"Neighborhoods covered: {summary['neighborhoods_covered']} of "
          f"{summary['neighborhoods_total']}; foreign-born residents covered: "
          f"{summary['foreign_born_covered']:,} of {summary['foreign_born_total']:,} "
          f"({summary['share_foreign_born_covered']:.1%}).")
    print(f"\n{'neighborhood':28} {'committee':9} {'population':>10} {'foreign-born':>12}  covered")
    for row in report["neighborhoods"]:
        print(f"{row['name'][:28]:28} {row['committee_status']:9} {row['population']:>10,} "
              f"{row['foreign_born']:>12,}  {'yes' if row['covered'] else 'no'}")
    return EXIT_OK


def cmd_rank(args: argparse.Namespace) -> int:
    weights = _parse_weights(args.weights)  # a usage error before any work
    from .analysis import rank_candidates

    report = rank_candidates(_graph(args), weights, k=args.k,
                             rule=args.rule, distance_km=args.distance_km,
                             stability_runs=args.runs, seed=args.seed).to_dict()
    if args.json:
        _print_json(report)
        return EXIT_OK
    print("Weights: " + ", ".join(f"{k}={v:g}" for k, v in report["weights"].items()))
    for candidate in report["candidates"][: max(args.k, args.limit)]:
        print(f"\n{candidate['rank']}. {candidate['name']}  score {candidate['score']:.3f}"
              f"  (in the top {args.k} in {candidate['stability']:.0%} of varied runs)")
        for reason in candidate["reasons"]:
            print(f"   - {reason}")
    plan = report.get("plan") or {}
    if plan:
        print(f"\nPlan for the next {plan['k']} committees ({plan['method']}): "
              + ", ".join(s["name"] if isinstance(s, dict) else str(s) for s in plan["selected"]))
        print(f"Newly covered foreign-born residents: {plan['newly_covered']:,} "
              f"(top {plan['k']} by score: {plan['top_k_by_score_newly_covered']:,}).")
    return EXIT_OK


def cmd_maps(args: argparse.Namespace) -> int:
    from .map_files import write_city_maps

    out = Path(args.out) if args.out else settings.maps_dir()
    paths = write_city_maps(_graph(args), out, tiles=args.tiles)
    for path in paths:
        print(f"Wrote {path}")
    return EXIT_OK


def cmd_changes(args: argparse.Namespace) -> int:
    from .history import compare_cities

    store = _store(args)
    versions = store.versions()
    if args.list:
        if args.json:
            _print_json(versions.to_dict("records"))
            return EXIT_OK
        if versions.empty:
            print("The store has no versions yet. Load a city: coalition init data/hartford")
        for row in versions.itertuples():
            print(f"{row.version:>5}  {row.saved_at[:16].replace('T', ' ')} UTC  {row.what}")
        return EXIT_OK
    current = store.version()
    if current == 0:
        print("coalition changes: the store is empty. Load a city first: coalition init "
              "data/hartford", file=sys.stderr)
        return EXIT_INVALID
    if args.since is None and current == 1:
        print("There is only one version so far (version 1): nothing to compare yet.")
        return EXIT_OK
    since = args.since if args.since is not None else current - 1
    before = store.read_version(since)  # StoreError (exit 1) for a version not kept
    report = compare_cities(before, store.read_city())
    if args.json:
        _print_json({"since": since, "current": current, **report.to_dict()})
        return EXIT_OK
    print(f"Changes from version {since} ({before.meta.get('what')}) to version {current}:")
    print(report.explanation)
    for entry in report.headline.values():
        if entry["delta"]:
            shown = [f"{v:.0%}" if isinstance(v, float) else f"{v:,}"
                     for v in (entry["before"], entry["after"])]
            print(f"  {entry['label']}: {shown[0]} -> {shown[1]}")
    for sentence in report.changes["explanation"]:
        print(f"  - {sentence}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    app = settings.PACKAGE_DIR / "dashboard" / "main.py"
    if not app.exists():
        print(f"Cannot find the dashboard at {app}.", file=sys.stderr)
        return EXIT_INVALID
    env = dict(os.environ)
    if args.db:
        env["COALITION_DB"] = str(args.db)
    if args.read_only:
        env["COALITION_READ_ONLY"] = "1"
    command = [sys.executable, "-m", "streamlit", "run", str(app),
               "--server.address", args.address, "--server.port", str(args.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    print(f"Dashboard: http://{args.address}:{args.port}  (Ctrl+C to stop)")
    try:
        return subprocess.call(command, env=env, cwd=settings.PROJECT_ROOT)
    except KeyboardInterrupt:
        return EXIT_OK


# --- parser -------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="store: a SQLite file or SQLAlchemy URL "
                        "(default: $COALITION_DB or coalition.db)")
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print data as JSON")
    rule = argparse.ArgumentParser(add_help=False)
    rule.add_argument("--rule", choices=["own", "adjacent", "distance"], default="own",
                      help="what a committee covers: its own neighborhood, also bordering ones, "
                      "or those within --distance-km")
    rule.add_argument("--distance-km", type=float, default=1.0)

    parser = argparse.ArgumentParser(prog="coalition", description=__doc__.split("\n\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("validate", parents=[common, as_json], help="check a city folder")
    p.add_argument("folder")
    p.set_defaults(func=cmd_validate)
    p = verbs.add_parser("init", parents=[common], help="load (or replace) the store from a folder")
    p.add_argument("folder", nargs="?", help="city folder (default: data/hartford)")
    p.add_argument("--if-empty", action="store_true", help="only load when the store is empty")
    p.set_defaults(func=cmd_init)
    p = verbs.add_parser("info", parents=[common, as_json], help="what the store holds")
    p.set_defaults(func=cmd_info)
    p = verbs.add_parser("export", parents=[common], help="export the stored city")
    p.add_argument("--format", required=True,
                   choices=["graphml", "gexf", "geojson", "gpkg", "csv", "xlsx"])
    p.add_argument("out", help="output file (csv: a folder, or a .zip)")
    p.set_defaults(func=cmd_export)
    p = verbs.add_parser("gaps", parents=[common, as_json], help="the coalition's gaps")
    p.add_argument("--limit", type=int, default=5, help="entries shown per family")
    p.set_defaults(func=cmd_gaps)
    p = verbs.add_parser("coverage", parents=[common, as_json, rule],
                         help="welcoming-committee coverage")
    p.set_defaults(func=cmd_coverage)
    p = verbs.add_parser("rank", parents=[common, as_json, rule],
                         help="replication candidates and the k-plan")
    p.add_argument("--k", type=int, default=settings.DEFAULT_K)
    p.add_argument("--weights", help="e.g. need=0.4,readiness=0.2,access=0.15,adjacency=0.15,"
                   "gaps=0.1")
    p.add_argument("--runs", type=int, default=settings.DEFAULT_STABILITY_RUNS,
                   help="stability runs")
    p.add_argument("--seed", type=int, default=settings.DEFAULT_SEED)
    p.add_argument("--limit", type=int, default=5, help="candidates shown")
    p.set_defaults(func=cmd_rank)
    p = verbs.add_parser("maps", parents=[common], help="write self-contained HTML maps")
    p.add_argument("--out", help="folder (default: maps/)")
    p.add_argument("--tiles", action="store_true",
                   help="add an OpenStreetMap basemap (needs internet to show)")
    p.set_defaults(func=cmd_maps)
    p = verbs.add_parser("changes", parents=[common, as_json],
                         help="what changed since an earlier version of the data")
    p.add_argument("--since", type=int, metavar="VERSION",
                   help="the version to compare with (default: the previous one)")
    p.add_argument("--list", action="store_true", help="list the versions kept")
    p.set_defaults(func=cmd_changes)
    p = verbs.add_parser("serve", parents=[common], help="start the dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--read-only", action="store_true",
                   help="no Record page: for a screen where nobody should change data")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"coalition {args.verb}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except CoalitionError as exc:
        print(f"coalition {args.verb}: {exc}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
