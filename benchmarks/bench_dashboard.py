"""Dashboard benchmark: server start to first content, page switches and interactions.

Run: ``.venv/bin/python -m benchmarks.bench_dashboard`` (``--cases hartford`` for one case).
Cases: the Hartford sample (data/hartford) and the synthetic city of 10,000 organizations,
100,000 ties and 2,300 areas (:func:`coalition.analysis.synthetic.make_synthetic_city`), each
loaded into a temporary store through the library.

What is timed
-------------
- ``first_content_s``: from starting ``streamlit run app.py`` to the Overview fully drawn in an
  offline Debian Chromium (the first visit computes and caches everything the Overview shows).
- ``page_switch_s``: clicking a page in the sidebar until that page's slowest part is drawn
  (the network canvas, the map layer...), the first time (``first``: that page's own results
  are computed) and again (``again``: everything cached).
- ``interaction_s``: server-side time of one rerun after a widget change (AppTest, same
  process, caches warm), e.g. new weights on the planner, a filter on the network.
Also: seconds to load the city into the store, server RSS after the visit (psutil).

Writes benchmarks/dashboard_latest.json and benchmarks/dashboard_latest.md, and nothing outside
benchmarks/: docs/performance-dashboard.md quotes a run by its date and is edited by hand. Not a
test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from coalition import settings
from coalition.dashboard import PAGES
from coalition.ingest import read_city
from coalition.model import CityData
from coalition.store import open_store
from tests.harness import offline_browser, running_server, switch_page, wait_until_ready

ROOT = settings.PROJECT_ROOT
OUT_JSON = ROOT / "benchmarks" / "dashboard_latest.json"
OUT_DOC = ROOT / "benchmarks" / "dashboard_latest.md"
REPEATS = 3  # warm page switches and interactions: the median of this many


def _hartford() -> CityData:
    return read_city(ROOT / "data" / "hartford")


def _synthetic() -> CityData:
    from coalition.analysis.synthetic import make_synthetic_city

    return make_synthetic_city(orgs=10_000, ties=100_000, areas=2_300, seed=0)


CASES: dict[str, Callable[[], CityData]] = {"hartford": _hartford, "synthetic_10k": _synthetic}


def _seconds(start: float) -> float:
    return round(time.perf_counter() - start, 3)


def browser_timings(db: Path, workdir: Path) -> dict[str, Any]:
    """Start the server, open the Overview, switch through every page twice."""
    result: dict[str, Any] = {"page_switch_s": {}}
    with offline_browser(viewport=(1600, 1000)) as (_, page, recorder):
        with running_server(db, log_dir=workdir) as server:
            result["server_healthy_s"] = round(server.healthy_after, 3)
            page.goto(server.url + "/")
            wait_until_ready(page, "overview")
            result["first_content_s"] = _seconds(server.started_at)
            for round_name in ("first", "again"):
                order = [*PAGES[1:], PAGES[0]]
                for _, title, url_path in order:
                    times = []
                    for _ in range(1 if round_name == "first" else REPEATS):
                        start = time.perf_counter()
                        switch_page(page, title, url_path)
                        times.append(time.perf_counter() - start)
                        if round_name == "again":  # come back from elsewhere each time
                            other = PAGES[0] if url_path != PAGES[0][2] else PAGES[1]
                            switch_page(page, other[1], other[2])
                    result["page_switch_s"].setdefault(url_path, {})[round_name] = round(
                        statistics.median(times), 3
                    )
            result["server_rss_mb"] = round(
                psutil.Process(server.process.pid).memory_info().rss / 2**20, 1
            )
        result["blocked_requests"] = len(recorder.blocked)
    return result


def interaction_timings(db: Path, city: CityData) -> dict[str, float]:
    """Server-side rerun time of typical interactions (AppTest; caches warmed first)."""
    from streamlit.testing.v1 import AppTest

    os.environ["COALITION_DB"] = str(db)
    app = str(ROOT / "app.py")
    timings: dict[str, float] = {}
    # Widgets hold ids (their options show names): take a few ids from the city's tables.
    committees = city.tables["committees"]
    active = set(committees.loc[committees["status"] == "active", "neighborhood"])
    neighborhoods = sorted(set(city.tables["neighborhoods"]["neighborhood_id"]) - active)
    organizations = sorted(city.tables["organizations"]["org_id"])

    def timed(name: str, at: AppTest, change: Callable[[AppTest, int], Any]) -> None:
        """Median rerun time over REPEATS different changes of one widget."""
        samples = []
        for repeat in range(REPEATS):
            change(at, repeat)
            start = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - start)
            if at.exception:
                raise RuntimeError(f"{name}: {[e.value for e in at.exception]}")
        timings[name] = round(statistics.median(samples), 3)

    at = AppTest.from_file(app, default_timeout=900)
    start = time.perf_counter()
    at.run()
    timings["overview_first_run"] = _seconds(start)
    at.switch_page("coalition/dashboard/planner.py").run()
    timed(
        "planner_new_weight",
        at,
        lambda t, i: t.slider(key="plan_w_need").set_value([0.9, 0.1, 0.5][i]),
    )
    timed(
        "planner_what_if",
        at,
        lambda t, i: t.multiselect(key="plan_what_if").set_value(neighborhoods[i : i + 2]),
    )
    at.switch_page("coalition/dashboard/network.py").run()
    timed(
        "network_mark_brokers",
        at,
        lambda t, i: t.checkbox(key="net_mark_brokers").set_value(i % 2 == 0),
    )
    timed(
        "network_focus_organization",
        at,
        lambda t, i: t.selectbox(key="net_focus").set_value(organizations[i]),
    )
    at.switch_page("coalition/dashboard/map.py").run()
    timed(
        "map_choose_neighborhood",
        at,
        lambda t, i: t.selectbox(key="map_profile").set_value(neighborhoods[i]),
    )
    timed(
        "map_change_measure",
        at,
        lambda t, i: t.selectbox(key="map_measure").set_value(
            ["committee_status", "score", "gap_count"][i]
        ),
    )
    at.switch_page("coalition/dashboard/gaps.py").run()
    timed(
        "gaps_text_filter",
        at,
        lambda t, i: t.text_input(key="gaps_text").set_value(["help", "legal", "Spanish"][i]),
    )
    return timings


def run_case(name: str, workdir: Path) -> dict[str, Any]:
    start = time.perf_counter()
    city = CASES[name]()
    build_s = _seconds(start)
    db = workdir / f"{name}.db"
    start = time.perf_counter()
    open_store(db).replace_city(city)
    load_s = _seconds(start)
    tables = city.tables
    partnerships = int((tables["ties"]["tie_type"] == "partnership").sum())
    case = {
        "case": name,
        "orgs": len(tables["organizations"]),
        "ties": len(tables["ties"]),
        "partnerships": partnerships,
        "areas": len(tables["neighborhoods"]),
        "city_build_s": build_s,
        "store_load_s": load_s,
    }
    case.update(browser_timings(db, workdir))
    case["interaction_s"] = interaction_timings(db, city)
    return case


def write_doc(report: dict[str, Any]) -> None:
    """benchmarks/dashboard_latest.md: the latest run's figures and how to reproduce them."""
    lines = [
        "# Dashboard performance: the latest run",
        "",
        "Written by every run; docs/performance-dashboard.md quotes a run and says why the "
        "dashboard is built the way it is.",
        "",
        "Measured by `benchmarks/bench_dashboard.py` (reproduce with "
        "`.venv/bin/python -m benchmarks.bench_dashboard`), on "
        f"{report['machine']['cpus']} CPU cores, Python {report['machine']['python']}, "
        f"{report['date']}. Chromium is Debian's, headless, with every request outside "
        "127.0.0.1 blocked (the meeting room with no internet). Raw figures: "
        "`benchmarks/dashboard_latest.json`.",
        "",
        "- *First content*: from starting `streamlit run app.py` to the Overview fully drawn "
        "(the first visit computes and caches the graph, gaps, coverage and ranking).",
        "- *Page switch*: click in the sidebar until the page's slowest part is drawn "
        "(network canvas, map layer…); *first* computes that page's own results, *again* is "
        f"the median of {REPEATS} visits with everything cached.",
        "- *Interaction*: server-side time of one rerun after a widget change (AppTest, warm "
        "caches), median of 3.",
        "",
    ]
    for case in report["cases"]:
        lines += [
            f"## {case['case']}: {case['orgs']:,} organizations, {case['ties']:,} ties, "
            f"{case['areas']:,} neighborhoods",
            "",
            f"- Load into the store: {case['store_load_s']:.1f} s; server healthy after "
            f"{case['server_healthy_s']:.1f} s; **first content after "
            f"{case['first_content_s']:.1f} s**; server memory after visiting every page "
            f"{case['server_rss_mb']:,.0f} MB; requests blocked: {case['blocked_requests']}.",
            "",
            "| Page | first visit (s) | again (s) |",
            "|---|---:|---:|",
        ]
        for page, times in case["page_switch_s"].items():
            lines.append(
                f"| {page} | {times.get('first', float('nan')):.2f} | "
                f"{times.get('again', float('nan')):.2f} |"
            )
        lines += ["", "| Interaction | rerun (s) |", "|---|---:|"]
        for name, seconds in case["interaction_s"].items():
            lines.append(f"| {name.replace('_', ' ')} | {seconds:.2f} |")
        lines.append("")
    OUT_DOC.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--doc-only",
        action="store_true",
        help="rewrite benchmarks/dashboard_latest.md from benchmarks/dashboard_latest.json",
    )
    args = parser.parse_args(argv)
    if args.doc_only:
        report = json.loads(OUT_JSON.read_text(encoding="utf-8"))
        write_doc(report)
        return report
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        cases = [run_case(name, Path(tmp)) for name in args.cases]
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "cases": cases,
    }
    print(json.dumps(report, indent=2))
    if not args.no_write:
        OUT_JSON.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        write_doc(report)
    return report


def run() -> list[dict[str, Any]]:
    """Hook for ``make bench`` (:mod:`benchmarks.run`): one record per city, ``case`` prefixed."""
    report = main([])
    return [
        {**case, "case": f"dashboard-{case['case']}", "seconds": case.get("first_content_s")}
        for case in report["cases"]
    ]


if __name__ == "__main__":
    main()
