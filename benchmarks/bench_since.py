"""Changes since a meeting: working them out, and drawing them on the network and the map.

Run: ``.venv/bin/python -m benchmarks.bench_since [--cases hartford,synthetic-large]`` (also
picked up by ``make bench`` through ``run()``). Not a test: nothing here asserts a time.

For each city (Hartford's sample; the synthetic city of 10,000 organizations, 100,000 ties and
2,300 areas) loaded into a temporary store, version 1 is named as a meeting, then one edit adds
5 partnerships and an organization and another ends 2 partnerships. Timed, fastest of
``RUNS``:

- ``read_version_s``: ``store.read_version(meeting)`` (the earlier tables);
- ``changes_since_s``: :func:`coalition.since.changes_since` of the two versions' tables;
- ``network_s`` / ``network_marked_s``: :func:`coalition.network_view.network_html` of a
  view of up to 1,500 nodes (one sector's organizations and what they touch, or the whole
  city when small), without and with the marks, positions computed once beforehand (the marks
  never move a node);
- ``map_s`` / ``map_outlined_s``: a measure's map from shared layers, rendered offline, without
  and with the changed neighborhoods' outlines.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coalition.settings import PROJECT_ROOT

CASES = ("hartford", "synthetic-large")
RUNS = 3
MAX_VIEW = 1_500


def _fastest(work: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return round(best, 3), result


def _city(case: str):
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.ingest import read_city

    if case == "hartford":
        return read_city(PROJECT_ROOT / "data" / "hartford")
    return make_synthetic_city(orgs=10_000, ties=100_000, areas=2_300, seed=0)


def _edit(store) -> None:
    """After the meeting: an organization and 5 partnerships added, 2 partnerships ended."""
    from coalition import edits

    city = store.read_city()
    orgs = city.tables["organizations"]
    ids = orgs["org_id"].tolist()
    place = str(orgs["neighborhood"].dropna().iloc[0])
    changes = edits.add(
        city,
        "organizations",
        {
            "org_id": "bench-new",
            "name": "Bench New Org",
            "sector": "nonprofit",
            "orientation": "both",
            "neighborhood": place,
            "source": "bench",
            "source_date": "2026-11",
        },
    )
    city = edits.apply_changes(city, changes)
    existing = set(edits.keys_of("ties", city.tables["ties"]))
    added = 0
    for a, b in zip(ids[::7], ids[3::7], strict=False):
        if added == 5:
            break
        if edits.tie_key(a, b, "partnership") in existing or a == b:
            continue
        step = edits.add(
            city,
            "ties",
            {
                "source_id": a,
                "target_id": b,
                "tie_type": "partnership",
                "source": "bench",
                "source_date": "2026-11",
            },
        )
        city = edits.apply_changes(city, step)
        changes += step
        added += 1
    store.apply(changes, what="bench: added")
    city = store.read_city()
    ties = city.tables["ties"]
    partnership_keys = [
        k
        for k, t in zip(edits.keys_of("ties", ties), ties["tie_type"].tolist(), strict=True)
        if t == "partnership"
    ][:2]
    ended = []
    for key in partnership_keys:
        ended += edits.retire(city, "ties", key, reason="bench", on="2026-11-30")
    store.apply(ended, what="bench: ended")


def case_record(case: str, folder: Path) -> dict[str, Any]:
    from coalition import maps, network_view, since
    from coalition.map_files import neighborhood_measures
    from coalition.model import COMMITTEE, ORGANIZATION, build_graph, nodes_frame
    from coalition.store import open_store

    store = open_store(folder / f"{case}.db")
    store.replace_city(_city(case))
    meeting = store.name_meeting("bench meeting")
    _edit(store)
    current = store.read_city()
    read_s, before = _fastest(lambda: store.read_version(meeting))
    changes = store.changes_between(meeting, store.version()) or []
    retired = {c.key: c.after["_retired"] for c in changes if c.kind == "retired" and c.after}
    marks_s, marks = _fastest(lambda: since.changes_since(before, current, retired=retired))

    G = build_graph(current)
    positions = network_view.layout_positions(G)
    view = G
    if G.number_of_nodes() > MAX_VIEW:
        sectors = nodes_frame(G, ORGANIZATION)["sector"].value_counts()
        sector = next(s for s, n in sectors.sort_values().items() if n >= MAX_VIEW // 4)
        view = network_view.filter_graph(G, sectors=[sector], kinds=[ORGANIZATION])
        if view.number_of_nodes() > MAX_VIEW:
            view = view.subgraph(list(view)[:MAX_VIEW]).copy()
    ended = [{**e.row, "on": e.on, "reason": e.reason} for e in marks.ties_ended.values()]
    network_s, _ = _fastest(lambda: network_view.network_html(view, positions))
    marked_s, _ = _fastest(
        lambda: network_view.network_html(
            view,
            positions,
            new_ties=set(marks.ties_added),
            ended_ties=ended,
            new_nodes=set(marks.organizations_added),
            changes_label="bench meeting",
        )
    )

    frame = neighborhood_measures(G)
    layers = maps.prepare_map_layers(frame, committees=nodes_frame(G, COMMITTEE))
    outlines = since.outline_texts(marks, "bench meeting")
    map_s, _ = _fastest(
        lambda: maps.offline_map_html(maps.neighborhood_map(frame, "foreign_born", layers=layers))
    )
    outlined_s, _ = _fastest(
        lambda: maps.offline_map_html(
            maps.neighborhood_map(
                frame,
                "foreign_born",
                layers=layers,
                outlines=outlines,
                outlines_label="bench meeting",
            )
        )
    )
    return {
        "case": f"since-{case}",
        "organizations": len(current.tables["organizations"]),
        "ties": len(current.tables["ties"]),
        "ties_added": len(marks.ties_added),
        "ties_ended": len(marks.ties_ended),
        "neighborhoods_changed": len(marks.neighborhoods),
        "read_version_s": read_s,
        "changes_since_s": marks_s,
        "view_nodes": view.number_of_nodes(),
        "network_s": network_s,
        "network_marked_s": marked_s,
        "map_s": map_s,
        "map_outlined_s": outlined_s,
    }


def run(cases: tuple[str, ...] = CASES) -> list[dict[str, Any]]:
    """The records (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="bench_since_") as tmp:
        return [case_record(case, Path(tmp)) for case in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="hartford,synthetic-large")
    args = parser.parse_args()
    for record in run(tuple(c for c in args.cases.split(",") if c)):
        print(json.dumps(record))


if __name__ == "__main__":
    main()
