"""Every sentence true, every made-up row labelled (issue 7, section 6), on tiny hand-built
graphs whose true answer is known.

The gap graphs are built node by node (no geometry: the gap families do not need it); the
ranking tests use the tiny city of tests/tiny_city.py (recap in tests/test_analysis_rank.py).
"""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from helpers import plan_of
from test_analysis_rank import grid_city
from tiny_city import make_tiny_city

from coalition import cli
from coalition.analysis import GAP_FAMILIES, find_gaps, plan_committees, rank_candidates
from coalition.model import CityData, build_graph
from coalition.store import open_store


def org_graph(
    partnerships, *, serves=(), communities=(), non_members=(), illustrative=(), orientation=None
) -> nx.MultiDiGraph:
    """Organizations named by the partnership pairs (display name = id upper-cased), one
    neighborhood, and communities served as listed."""
    G = nx.MultiDiGraph()
    G.add_node(
        "n",
        kind="neighborhood",
        name="N",
        population=1000,
        foreign_born=100,
        illustrative="n" in illustrative,
    )
    orgs = sorted({o for pair in partnerships for o in pair} | {o for o, _ in serves})
    for o in orgs:
        attrs = {
            "kind": "organization",
            "name": o.upper(),
            "sector": "nonprofit",
            "orientation": (orientation or {}).get(o, "immigrant_serving"),
            "services": ["health"],
            "languages": ["English"],
            "anchor_type": "none",
            "illustrative": o in illustrative,
        }
        if o in non_members:
            attrs["member"] = False
        G.add_node(o, **attrs)
    for c in communities:
        G.add_node(
            c,
            kind="community",
            name=c.title(),
            community_kind="immigrant",
            languages=[],
            estimated_residents=10,
            illustrative=c in illustrative,
        )
    for a, b in partnerships:
        G.add_edge(a, b, key="partnership")
    for o, c in serves:
        G.add_edge(o, c, key="serves_community")
    return G


def articulation(G, org_id):
    points = find_gaps(G).fragile_links.query("type == 'articulation_point'").set_index("id")
    return points.loc[org_id]


# --- articulation points: exactly what is lost ----------------------------------------------


def test_cut_vertex_does_not_say_a_community_loses_its_only_organization_when_another_stays():
    # a - v - b - c: without v, a is cut off (1) and b - c stays (2). Kin are served by a
    # only: they keep a, and lose their link to the rest. Jay are served by v only.
    G = org_graph(
        [("a", "v"), ("v", "b"), ("b", "c")],
        communities=["kin", "jay"],
        serves=[("a", "kin"), ("v", "jay")],
    )
    row = articulation(G, "v")
    assert row["org_names_cut_off"] == ["A"]
    assert row["communities_cut_off"] == ["Jay"]
    assert row["communities_losing_link"] == ["Kin"]
    assert row["severity"] == 2  # A cut off + Jay's true loss; Kin's link is not a loss
    assert "Kin would lose their link to the rest of the network" in row["explanation"]
    assert "Jay would lose their only organization" in row["explanation"]
    assert "Kin would lose their only" not in row["explanation"]
    assert "lose every organization" not in row["explanation"]


def test_cut_vertex_with_equal_sides_names_both():
    # a - v - b: two sides of one organization each; neither is "the rest of the network".
    G = org_graph([("a", "v"), ("v", "b")])
    row = articulation(G, "v")
    assert sorted(row["equal_sides"]) == [["A"], ["B"]]
    assert row["explanation"] == (
        "V holds the coalition together: if it left, the partnership "
        "network would split into two parts of equal size: "
        f"{row['equal_sides'][0][0]} on one side and "
        f"{row['equal_sides'][1][0]} on the other."
    )
    # Three equal sides and a smaller one: every equal side, and the smaller one cut off.
    G = org_graph(
        [
            ("v", "a1"),
            ("a1", "a2"),
            ("v", "b1"),
            ("b1", "b2"),
            ("v", "c1"),
            ("c1", "c2"),
            ("v", "d"),
        ]
    )
    row = articulation(G, "v")
    assert sorted(row["equal_sides"]) == [["A1", "A2"], ["B1", "B2"], ["C1", "C2"]]
    assert "three parts of equal size" in row["explanation"]
    assert "1 organization (D) would be cut off from both" in row["explanation"]


# --- brokers ---------------------------------------------------------------------------------


def test_broker_only_where_effective_size_shows_it():
    # Triangle a - b - c plus a - d: a has 3 partners, b and c tied: effective size
    # 3 - 2/3 = 2.33 (a broker); b has 2 tied partners (a, c): effective size 1 (not one).
    G = org_graph([("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")])
    bridging = find_gaps(G).bridging
    brokers = bridging.query("kind == 'broker'").set_index("id")
    assert list(brokers.index) == ["a"]
    assert brokers.loc["a", "effective_size"] == pytest.approx(3 - 2 / 3)
    assert "some of them know each other (such as B and C)" in brokers.loc["a", "explanation"]
    # Burt's constraint is not bounded by 1: c (tied to a and b only) scores
    # (1/2 + 1/2 * 1/2)^2 + (1/2 + 1/2 * 1/3)^2 = 1.00694; in a lone triangle, 1.125.
    from coalition.analysis.graph_index import index_graph
    from coalition.analysis.metrics import brokerage, partnership_network

    table = brokerage(partnership_network(index_graph(G)))
    assert table.loc["c", "constraint"] == pytest.approx(0.5625 + 4 / 9)
    triangle = org_graph([("a", "b"), ("b", "c"), ("a", "c")])
    table = brokerage(partnership_network(index_graph(triangle)))
    assert table["constraint"].tolist() == pytest.approx([1.125] * 3)
    assert find_gaps(triangle).bridging.query("kind == 'broker'").empty


def test_some_know_each_other_only_when_a_partner_tie_exists():
    G = org_graph([("a", "b"), ("a", "c"), ("a", "d"), ("b", "d")])
    row = find_gaps(G).bridging.query("kind == 'broker'").set_index("id").loc["a"]
    assert "(such as B and D)" in row["explanation"]
    G = org_graph([("a", "b"), ("a", "c")])
    row = find_gaps(G).bridging.query("kind == 'broker'").set_index("id").loc["a"]
    assert "that are not linked to each other" in row["explanation"]
    assert "know each other" not in row["explanation"]


# --- members and organizations the coalition could invite ------------------------------------


def test_non_members_are_never_isolated_members_but_could_be_invited(tiny_graph):
    G = tiny_graph.copy()
    G.nodes["lonely"]["member"] = False  # no partnership at all
    G.nodes["church"]["member"] = False  # lib's partner; the only one serving long-time residents
    gaps = find_gaps(G)
    assert "lonely" not in set(gaps.isolated["id"]) and "church" not in set(gaps.isolated["id"])
    brokers = gaps.bridging.query("kind == 'broker'").set_index("id")
    assert brokers.loc["lib", "partners"] == 2  # church does not count
    fragile = gaps.fragile_links
    assert not fragile["explanation"].str.contains("Cedar Church").any()
    service = gaps.service_gaps.set_index(["community_id", "domain"])
    assert service.loc[("longtime", "housing"), "providers"] == 0
    invite = gaps.could_invite.set_index("id")
    assert set(invite.index) == {"church", "lonely"}
    assert "offers housing help to Long-time residents" in invite.loc["church", "explanation"]
    assert invite.loc["church", "explanation"].startswith(
        "Cedar Church (faith) is not a coalition member"
    )
    assert invite.loc["lonely", "severity"] == 0
    # A missing attribute counts as a member: the tiny city as loaded has no non-member.
    assert find_gaps(tiny_graph).could_invite.empty
    assert "lonely" in set(find_gaps(tiny_graph).isolated["id"])


# --- illustrative rows -----------------------------------------------------------------------


def test_every_gap_finding_says_which_illustrative_rows_it_rests_on():
    G = org_graph(
        [("a", "v"), ("v", "b")], communities=["kin"], serves=[("a", "kin")], illustrative={"a"}
    )
    gaps = find_gaps(G)
    for family in GAP_FAMILIES:
        frame = getattr(gaps, family)
        assert {"illustrative", "illustrative_rows"} <= set(frame.columns), family
    kin = gaps.fragile_links.query("type == 'community'").set_index("id").loc["kin"]
    assert kin["illustrative"] and kin["illustrative_rows"] == ["a"]
    isolated = gaps.isolated.set_index("id")
    assert not isolated.loc["b", "illustrative"] and isolated.loc["b", "illustrative_rows"] == []
    data = gaps.to_dict()
    json.dumps(data, allow_nan=False)
    assert all("illustrative" in entry for entries in data.values() for entry in entries)


def test_cli_marks_illustrative_findings_and_orders_gaps_by_severity(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    open_store(db).replace_city(make_tiny_city())
    assert cli.main(["gaps", "--db", db, "--limit", "10"]) == 0
    out = capsys.readouterr().out
    bridging = out.split("BRIDGING")[1].split("ISOLATED")[0]
    lines = [line for line in bridging.splitlines() if line.startswith("  - ")]
    # Dogwood (no bridging tie: severity 1) before Alder, Birch and Cedar (severity 0).
    assert "In Dogwood, no partnership links" in lines[0]
    assert all(line.startswith("  - ◇ ") for line in lines)  # organizations are illustrative
    assert "◇ rests on illustrative rows" in out
    assert cli.main(["gaps", "--db", db, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lib = next(e for e in data["fragile_links"] if e["id"] == "lib")
    assert lib["illustrative"] is True and "lib" in lib["illustrative_rows"]


def test_coverage_rows_rest_on_their_committees_too(tiny_graph, tmp_path, capsys):
    from coalition.analysis import coverage_report

    G = tiny_graph.copy()
    G.nodes["wc-alder"]["illustrative"] = True  # Alder's own figures stay real
    report = coverage_report(G)
    alder = report.neighborhoods.set_index("id").loc["alder"]
    assert alder["illustrative"] and alder["illustrative_rows"] == ["wc-alder"]
    birch = report.neighborhoods.set_index("id").loc["birch"]
    assert not birch["illustrative"] and birch["illustrative_rows"] == []
    assert report.summary["illustrative_rows"] == ["wc-alder"]
    assert not coverage_report(tiny_graph).summary["illustrative"]


def test_ranking_reasons_and_plan_carry_illustrative_labels(tiny_graph):
    report = rank_candidates(tiny_graph, k=2, stability_runs=100)
    cedar = report.candidates.set_index("neighborhood_id").loc["cedar"]
    # Cedar's own figures are real; its readiness (church, nav1) rests on illustrative rows.
    assert cedar["illustrative"] and {"church", "nav1"} <= set(cedar["illustrative_rows"])
    flags = dict(zip(cedar["reasons"], cedar["reasons_illustrative"], strict=True))
    assert not next(f for r, f in flags.items() if r.startswith("Need:"))
    assert next(f for r, f in flags.items() if r.startswith("Ready to host"))
    data = report.to_dict()
    assert all(
        set(c) >= {"illustrative", "illustrative_rows", "reasons_illustrative"}
        for c in data["candidates"]
    )
    plan = plan_committees(tiny_graph, 2, ranking=report).to_dict()
    assert {"illustrative", "illustrative_rows"} <= set(plan["selected"][0])


def test_illustrative_counts_match_the_tables():
    from coalition.analysis import illustrative_counts

    city = make_tiny_city()
    counts = illustrative_counts(build_graph(city))
    for table, frame in city.tables.items():
        assert counts["by_table"][table] == {
            "rows": len(frame),
            "illustrative": int(frame["illustrative"].sum()),
        }
    assert counts["entries"] == sum(len(f) for f in city.tables.values())
    assert counts["illustrative"] == sum(int(f["illustrative"].sum()) for f in city.tables.values())


# --- stability -------------------------------------------------------------------------------


def test_stability_breaks_exact_ties_as_the_ranking_does(tiny_graph):
    # Adjacency only: Birch and Cedar both border Alder and score exactly the same in every
    # run. The ranking puts Cedar first (more foreign-born residents); so must stability.
    report = rank_candidates(tiny_graph, {"adjacency": 1}, k=1, stability_runs=500)
    table = report.candidates.set_index("neighborhood_id")
    assert table.loc["birch", "score"] == table.loc["cedar", "score"]
    assert report.candidates.iloc[0]["neighborhood_id"] == "cedar"
    assert table.loc["cedar", "stability"] == 1.0
    assert table.loc["birch", "stability"] == 0.0


def test_stability_is_stable_between_seeds_and_reports_its_interval():
    # Need only, areas 100/105/110 with a margin of error of 100: the top spot moves a lot.
    graph = build_graph(grid_city([100, 105, 110, 0], moe=100.0, active=(3,)))
    first = rank_candidates(graph, {"need": 1}, k=1, seed=1).candidates
    second = rank_candidates(graph, {"need": 1}, k=1, seed=2).candidates
    a = first.set_index("neighborhood_id")["stability"]
    b = second.set_index("neighborhood_id")["stability"]
    assert 0.1 < a["n2"] < 0.9  # genuinely uncertain
    assert (a - b).abs().max() <= 0.02
    row = first.set_index("neighborhood_id").loc["n2"]
    assert row["stability_low"] <= row["stability"] <= row["stability_high"]
    assert row["stability_high"] - row["stability_low"] < 0.03


@pytest.mark.parametrize("runs", ["0", "-5"])
def test_runs_zero_or_negative_is_a_usage_error(tmp_path, capsys, runs):
    db = str(tmp_path / "c.db")
    open_store(db).replace_city(make_tiny_city())
    assert cli.main(["rank", "--db", db, "--runs", runs]) == 2
    err = capsys.readouterr().err
    assert "--runs must be 1 or more" in err and "Traceback" not in err


def test_rank_cli_says_k_was_reduced(tmp_path, capsys):
    db = str(tmp_path / "c.db")
    open_store(db).replace_city(make_tiny_city())
    assert cli.main(["rank", "--db", db, "--k", "10", "--runs", "50"]) == 0
    header, out = capsys.readouterr().out.split("\n", 1)
    assert header.startswith("Tiny Town — data version 1")
    assert out.startswith(
        "Exact counts — not for sharing\n"  # the CLI is the operator: exact, labelled once
        "Note: Asked for 10 next committees, but only 3 neighborhoods have "
        "no active committee: k is 3."
    )
    assert cli.main(["rank", "--db", db, "--k", "10", "--runs", "50", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["k"] == 3 and data["k_requested"] == 10 and len(data["notes"]) == 1


# --- the plan: fillers and doubtful figures --------------------------------------------------


def test_plan_says_which_picks_are_fillers():
    # Six areas in a row, Area 0 active; two committees reach every uncovered area under the
    # adjacent rule, so the third pick adds nothing (see test_analysis_rank).
    graph = build_graph(grid_city([100, 100, 50, 10, 80, 90], active=(0,)))
    plan = plan_of(graph, 3, {"need": 1}, rule="adjacent")
    assert [s.filler for s in plan.selected] == [False, False, True]
    assert plan.fillers == [plan.selected[2].name]
    assert f"{plan.selected[2].name} adds no newly covered residents" in plan.explanation
    assert "it fills the plan from the ranking" in plan.explanation


def test_plan_flags_gains_resting_on_tiny_or_doubtful_figures():
    city = make_tiny_city()
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    hoods = tables["neighborhoods"].set_index("neighborhood_id")
    hoods.loc["dogwood", ["population", "foreign_born", "foreign_born_moe"]] = [60, 50, 10.0]
    hoods.loc["birch", ["foreign_born", "foreign_born_moe"]] = [100, 150.0]
    tables["neighborhoods"] = hoods.reset_index()
    graph = build_graph(
        CityData(
            name=city.name, tables=tables, boundaries=city.boundaries, metric_crs=city.metric_crs
        )
    )
    plan = plan_of(graph, 3)
    by_id = {s.neighborhood_id: s for s in plan.selected}
    assert by_id["dogwood"].caveats == [
        "Dogwood has only 60 residents, and 100% of Dogwood's gain rests on it."
    ]
    assert "as large as the figure" in by_id["birch"].caveats[0]
    assert by_id["cedar"].caveats == []
    assert "Caution: " in plan.explanation
    assert "Dogwood has only 60 residents" in plan.explanation.split("Caution: ")[1]


# --- reasons never hide navigators or the absence of an anchor -------------------------------


def _with(city: CityData, *, orgs=(), navigators=()) -> CityData:
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    base = tables["organizations"].iloc[0].to_dict()
    rows = [
        {**base, "org_id": o, "name": name, "anchor_type": anchor, "neighborhood": place}
        for o, name, anchor, place in orgs
    ]
    tables["organizations"] = pd.concat(
        [tables["organizations"], pd.DataFrame(rows)], ignore_index=True
    )
    nav_base = tables["navigators"].iloc[0].to_dict()
    rows = [
        {**nav_base, "navigator_id": n, "alias": alias, "neighborhood": place}
        for n, alias, place in navigators
    ]
    tables["navigators"] = pd.concat([tables["navigators"], pd.DataFrame(rows)], ignore_index=True)
    return CityData(
        name=city.name, tables=tables, boundaries=city.boundaries, metric_crs=city.metric_crs
    )


def test_readiness_never_hides_the_navigators():
    # Cedar: Cedar Church plus three more anchors, and Navigator One.
    city = _with(
        make_tiny_city(),
        orgs=[
            ("s1", "Cedar School", "school", "cedar"),
            ("l1", "Cedar Library", "library", "cedar"),
            ("a1", "Cedar Block Club", "neighborhood_association", "cedar"),
        ],
    )
    report = rank_candidates(build_graph(city), {"readiness": 1}, k=1, stability_runs=10)
    cedar = report.candidates.set_index("neighborhood_id").loc["cedar"]
    ready = next(r for r in cedar["reasons"] if r.startswith("Ready to host"))
    assert "1 Cultural Navigator" in ready
    assert "more are already here" not in ready
    access = (
        next(r for r in cedar["reasons"] if "coalition member" in r)
        if any("coalition member" in r for r in cedar["reasons"])
        else ""
    )
    assert "and 1 more" not in " ".join(cedar["reasons"]) + access


def test_readiness_says_when_no_anchor_is_recorded():
    # Dogwood has no anchor institution; give it a navigator only.
    city = _with(make_tiny_city(), navigators=[("nav2", "Navigator Two", "dogwood")])
    report = rank_candidates(build_graph(city), {"readiness": 1}, k=1, stability_runs=10)
    dogwood = report.candidates.set_index("neighborhood_id").loc["dogwood"]
    ready = next(r for r in dogwood["reasons"] if r.startswith("Ready to host"))
    assert ready == (
        "Ready to host: 1 Cultural Navigator is already here, but no anchor "
        "institution (library, school, faith group, neighborhood association) is "
        "recorded yet."
    )


def test_join_names_never_hides_a_single_name():
    from coalition.analysis.graph_index import join_names

    assert join_names(["A", "B", "C", "D"], limit=3) == "A, B, C and D"
    assert (
        join_names(list("ABCDE"), limit=3, more_word="organization")
        == "A, B, C and 2 more organizations"
    )
    assert np.all([join_names([]) == ""])
