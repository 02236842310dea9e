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

Floors, measured in the same run, side by side (issue 12):

- ``empty_app_s``: the same from an empty Streamlit app (one title, one line; same flags, same
  ``.streamlit/config.toml``, same browser), started alternately with the dashboard, 3 times
  each; ``first_content_ratio`` = dashboard / empty app (target 1.2 at Hartford, 1.5 at 10k).
  ``title_*``: until the Overview's title shows (the page draws progressively). The ``_served``
  keys: both served as ``coalition serve`` serves them (guarded.py, which also warms the cache
  while the server starts).
- ``page_switch_floor_s``: a switch between two one-line pages, clicked the same way.
- ``network_1500``: a network view of about 1,500 nodes (the synthetic city's faith
  organizations) opened in Chromium as a page of its own: navigation start to the frame that
  shows vis-network's drawing (target 2 s).

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
from tests.harness import (
    HEADINGS,
    NAV_LINK,
    offline_browser,
    running_server,
    switch_page,
    wait_for_page,
    wait_until_ready,
)

ROOT = settings.PROJECT_ROOT
OUT_JSON = ROOT / "benchmarks" / "dashboard_latest.json"
OUT_DOC = ROOT / "benchmarks" / "dashboard_latest.md"
REPEATS = 3  # warm page switches and interactions: the median of this many
# The floor of first content: an empty Streamlit app, started with the same flags and the same
# .streamlit/config.toml, opened in the same offline Chromium.
EMPTY_APP = 'import streamlit as st\n\nst.title("Empty")\nst.write("x")\n'
# The floor of a page switch: two pages of one line each, switched in the same browser the
# same way (a click in the sidebar, until the heading is drawn and the script has finished).
TWO_PAGE_APP = """import streamlit as st


def alpha():
    st.title("Alpha")
    st.write("a")


def beta():
    st.title("Beta")
    st.write("b")


st.navigation(
    [
        st.Page(alpha, title="Alpha", url_path="alpha", default=True),
        st.Page(beta, title="Beta", url_path="beta"),
    ]
).run()
"""
# Issue 12's targets: first content at most this many times the empty app's.
FIRST_CONTENT_TARGET = {"hartford": 1.2, "synthetic_10k": 1.5}
PAGE_SWITCH_TARGET_S = 0.3  # a page switch with everything cached (Hartford)
NETWORK_PAINT_TARGET_S = 2.0  # a network view of about 1,500 nodes, painted


def _hartford() -> CityData:
    return read_city(ROOT / "data" / "hartford")


def _synthetic() -> CityData:
    from coalition.analysis.synthetic import make_synthetic_city

    return make_synthetic_city(orgs=10_000, ties=100_000, areas=2_300, seed=0)


CASES: dict[str, Callable[[], CityData]] = {"hartford": _hartford, "synthetic_10k": _synthetic}


def _seconds(start: float) -> float:
    return round(time.perf_counter() - start, 3)


def empty_app_first_content(workdir: Path, guarded: bool = False) -> float:
    """Seconds from starting an empty Streamlit app to its content drawn (the floor)."""
    app = _app_folder(workdir, "empty_app", EMPTY_APP)
    with (
        offline_browser(viewport=(1600, 1000)) as (_, page, _recorder),
        running_server(workdir / "unused.db", log_dir=workdir, app=app, guarded=guarded) as server,
    ):
        page.goto(server.url + "/")
        wait_for_page(page, "Empty")
        page.get_by_text("x", exact=True).first.wait_for(timeout=60_000)
        return _seconds(server.started_at)


def _app_folder(workdir: Path, name: str, source: str) -> Path:
    """A one-file Streamlit app with the project's .streamlit/config.toml; its path."""
    folder = workdir / name
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    config = ROOT / ".streamlit" / "config.toml"
    if config.exists():
        (folder / ".streamlit" / "config.toml").write_text(config.read_text(encoding="utf-8"))
    app = folder / f"{name}.py"
    app.write_text(source, encoding="utf-8")
    return app


def page_switch_floor(workdir: Path, repeats: int = 6) -> float:
    """Median seconds of a switch between two one-line pages (the floor of a page switch)."""
    app = _app_folder(workdir, "two_pages", TWO_PAGE_APP)
    times = []
    with (
        offline_browser(viewport=(1600, 1000)) as (_, page, _recorder),
        running_server(workdir / "unused.db", log_dir=workdir, app=app) as server,
    ):
        page.goto(server.url + "/")
        wait_for_page(page, "Alpha")
        for _ in range(repeats):
            for title in ("Beta", "Alpha"):
                start = time.perf_counter()
                page.locator(NAV_LINK).filter(has_text=title).first.click()
                wait_for_page(page, title)
                times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def first_content_side_by_side(
    db: Path, workdir: Path, repeats: int = 3, guarded: bool = False
) -> dict[str, Any]:
    """First content of the dashboard and of the empty app, alternately, each a fresh server.

    ``guarded``: both served as ``coalition serve`` serves the dashboard (see
    :func:`tests.harness.running_server`); the keys then end in ``_served``.
    ``title_s``: until the Overview's title is drawn (what a visitor sees first);
    ``first_content``: until the whole Overview is drawn.
    """
    floors, firsts, titles = [], [], []
    for _ in range(repeats):
        floors.append(empty_app_first_content(workdir, guarded))
        with (
            offline_browser(viewport=(1600, 1000)) as (_, page, _recorder),
            running_server(db, log_dir=workdir, guarded=guarded) as server,
        ):
            page.goto(server.url + "/")
            page.get_by_role("heading", name=HEADINGS["overview"]).first.wait_for(timeout=120_000)
            titles.append(_seconds(server.started_at))
            wait_until_ready(page, "overview")
            firsts.append(_seconds(server.started_at))
    floor, first = statistics.median(floors), statistics.median(firsts)
    suffix = "_served" if guarded else ""
    return {
        f"first_content_runs_s{suffix}": firsts,
        f"title_runs_s{suffix}": titles,
        f"empty_app_runs_s{suffix}": floors,
        f"first_content_median_s{suffix}": round(first, 3),
        f"title_median_s{suffix}": round(statistics.median(titles), 3),
        f"empty_app_s{suffix}": round(floor, 3),
        f"first_content_ratio{suffix}": round(first / floor, 3),
        f"title_ratio{suffix}": round(statistics.median(titles) / floor, 3),
        f"load_average_first_content{suffix}": round(os.getloadavg()[0], 2),
    }


# Appended to the network page by the benchmark (the page itself carries no timing code).
# vis-network draws its first frame inside ``new vis.Network(...)`` (physics off), so the
# next animation frame after the page's script is the frame that shows the drawing.
PAINT_HOOK = (
    "<script>requestAnimationFrame(function () "
    "{ window.wbhDrawnAt = performance.now(); });</script>"
)


def network_paint_timings(city: CityData, workdir: Path, repeats: int = 3) -> dict[str, Any]:
    """A network view of about 1,500 nodes: HTML built in Python, then painted in Chromium.

    The view is the faith organizations of the city (1,488 nodes, 1,781 ties in the synthetic
    10k city) placed at their full-graph positions. ``paint_s`` is the median, over fresh page
    loads, of the time from navigation start to vis-network's first ``afterDrawing``.
    """
    from coalition import network_view
    from coalition.model import build_graph

    G = build_graph(city)
    positions = network_view.layout_positions(G)
    view = network_view.filter_graph(G, kinds=["organization"], sectors=["faith"])
    start = time.perf_counter()
    page_html = network_view.network_html(view, positions, height="650px")
    html_s = _seconds(start)
    path = workdir / "network_1500.html"
    path.write_text(page_html.replace("</body>", PAINT_HOOK + "</body>", 1), encoding="utf-8")
    paints, walls = [], []
    with offline_browser(viewport=(1600, 1000)) as (_, page, recorder):
        for _ in range(repeats):
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function("() => window.wbhDrawnAt !== undefined", timeout=120_000)
            walls.append(time.perf_counter() - start)
            paints.append(page.evaluate("window.wbhDrawnAt") / 1000)
        blocked = len(recorder.blocked)
    paint = statistics.median(paints)
    return {
        "nodes": view.number_of_nodes(),
        "ties": view.number_of_edges(),
        "html_mb": round(len(page_html.encode()) / 2**20, 2),
        "html_build_s": html_s,
        "paint_s": round(paint, 3),
        "paint_runs_s": [round(p, 3) for p in paints],
        "wall_s": round(statistics.median(walls), 3),
        "target_s": NETWORK_PAINT_TARGET_S,
        "blocked_requests": blocked,
        "load_average": round(os.getloadavg()[0], 2),
    }


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


def run_case(name: str, workdir: Path, skip_interactions: bool = False) -> dict[str, Any]:
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
    case.update(first_content_side_by_side(db, workdir))
    case.update(first_content_side_by_side(db, workdir, guarded=True))
    case["first_content_target_ratio"] = FIRST_CONTENT_TARGET.get(name)
    case.update(browser_timings(db, workdir))
    case["page_switch_floor_s"] = page_switch_floor(workdir)
    case["load_average"] = round(os.getloadavg()[0], 2)
    if name == "synthetic_10k":
        case["network_1500"] = network_paint_timings(city, workdir)
    if not skip_interactions:
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
        ]
        if "empty_app_s" in case:
            lines += [
                "First content against the floor (an empty Streamlit app, same flags, same "
                "browser, started alternately with the dashboard, medians of "
                f"{len(case['empty_app_runs_s'])}; load average "
                f"{case.get('load_average_first_content')}):",
                "",
                "| Served by | empty app (s) | Overview title (s) | Overview drawn (s) | "
                "ratio drawn / empty | target |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            for suffix, how in (("", "`streamlit run app.py`"), ("_served", "`coalition serve`")):
                if f"empty_app_s{suffix}" in case:
                    lines.append(
                        f"| {how} | {case[f'empty_app_s{suffix}']:.2f} | "
                        f"{case[f'title_median_s{suffix}']:.2f} | "
                        f"{case[f'first_content_median_s{suffix}']:.2f} | "
                        f"{case[f'first_content_ratio{suffix}']:.2f} | "
                        f"{case.get('first_content_target_ratio') or float('nan'):.1f} |"
                    )
            lines.append("")
        if "page_switch_floor_s" in case:
            lines += [
                f"Page switch floor (two one-line pages): {case['page_switch_floor_s']:.2f} s "
                f"(load average {case.get('load_average')}).",
                "",
            ]
        network = case.get("network_1500")
        if network:
            lines += [
                f"Network view of {network['nodes']:,} nodes and {network['ties']:,} ties "
                f"(faith organizations): page {network['html_mb']:.2f} MB built in "
                f"{network['html_build_s']:.2f} s; painted {network['paint_s']:.2f} s after "
                f"navigation (median of {len(network['paint_runs_s'])}; target "
                f"{network['target_s']:.0f} s; load average {network['load_average']}).",
                "",
            ]
        lines += [
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
        if "interaction_s" in case:
            lines += ["", "| Interaction | rerun (s) |", "|---|---:|"]
            for name, seconds in case["interaction_s"].items():
                lines.append(f"| {name.replace('_', ' ')} | {seconds:.2f} |")
        else:
            lines += ["", "Interactions not measured in this run (`--skip-interactions`)."]
        lines.append("")
    OUT_DOC.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--skip-interactions", action="store_true", help="browser timings only (no AppTest)"
    )
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
        cases = [run_case(name, Path(tmp), args.skip_interactions) for name in args.cases]
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
    records: list[dict[str, Any]] = []
    for case in report["cases"]:
        records.append(
            {
                **case,
                "case": f"dashboard-{case['case']}",
                "seconds": case.get("first_content_median_s"),
                "floor_seconds": case.get("empty_app_s"),
                "ratio": case.get("first_content_ratio"),
                "target": case.get("first_content_target_ratio"),
                "load_average": case.get("load_average_first_content"),
            }
        )
        switches = {
            page: times["again"]
            for page, times in case.get("page_switch_s", {}).items()
            if "again" in times
        }
        if switches:
            records.append(
                {
                    "case": f"dashboard-{case['case']}-page-switch-cached",
                    "seconds": max(switches.values()),
                    "pages": switches,
                    "floor_seconds": case.get("page_switch_floor_s"),
                    "ratio": round(max(switches.values()) / case["page_switch_floor_s"], 3)
                    if case.get("page_switch_floor_s")
                    else None,
                    "target": PAGE_SWITCH_TARGET_S,
                    "load_average": case.get("load_average"),
                }
            )
        network = case.get("network_1500")
        if network:
            records.append(
                {
                    **network,
                    "case": f"dashboard-{case['case']}-network-1500-paint",
                    "seconds": network["paint_s"],
                    "target": network["target_s"],
                }
            )
    return records


if __name__ == "__main__":
    main()
