"""Coverage on the tiny city, worked out by hand (see tests/tiny_city.py for the map).

Foreign-born: Alder 400, Birch 100, Cedar 300, Dogwood 200 (total 1000). Only Alder's committee
is active (Cedar's is forming). Representative points are the square centres: Alder-Birch
0.83 km apart, Alder-Cedar 1.11 km, Alder-Dogwood 1.39 km (diagonal).
"""

import json

import networkx as nx
import pandas as pd
import pytest

from coalition.analysis import coverage_report, what_if
from coalition.errors import AnalysisError
from coalition.model import build_graph


def fingerprint(G):
    return (
        repr(sorted(G.nodes(data=True), key=lambda n: n[0])),
        repr(sorted(G.edges(keys=True, data=True), key=lambda e: e[:3])),
        repr(G.graph),
    )


def test_own_rule_covers_alder_only(tiny_graph):
    report = coverage_report(tiny_graph)
    rows = report.neighborhoods.set_index("id")
    assert rows["covered"].to_dict() == {
        "alder": True,
        "birch": False,
        "cedar": False,
        "dogwood": False,
    }
    assert rows["committee_status"].to_dict() == {
        "alder": "active",
        "birch": "none",
        "cedar": "forming",
        "dogwood": "none",
    }
    assert rows.loc["alder", "covered_by"] == ["Alder Welcoming Committee"]
    assert rows.loc["cedar", "covered_by"] == []
    assert rows.loc["alder", "foreign_born_moe"] == 100
    summary = report.summary
    assert summary["neighborhoods_total"] == 4
    assert summary["neighborhoods_covered"] == 1
    assert summary["foreign_born_total"] == 1000
    assert summary["foreign_born_covered"] == 400
    assert summary["share_foreign_born_covered"] == pytest.approx(0.4)
    assert summary["population_covered"] == 1000
    assert "400 of 1,000 foreign-born residents (40%)" in summary["explanation"]


def test_communities_share_of_residents_in_covered_neighborhoods(tiny_graph):
    communities = coverage_report(tiny_graph).communities.set_index("id")
    # latino: 200 of 300 in Alder; karen: 0 of 100; longtime: 500 of 1000.
    assert communities.loc["latino", "residents"] == 300
    assert communities.loc["latino", "residents_covered"] == 200
    assert communities.loc["latino", "share_covered"] == pytest.approx(2 / 3)
    assert communities.loc["karen", "share_covered"] == 0
    assert communities.loc["longtime", "share_covered"] == pytest.approx(0.5)
    assert "Latino newcomers" in communities.loc["latino", "explanation"]
    assert "Alder" in communities.loc["latino", "explanation"]
    assert "Dogwood is covered" in communities.loc["karen", "explanation"]


def test_adjacent_rule_adds_neighbours_sharing_a_border_not_corners(tiny_graph):
    report = coverage_report(tiny_graph, rule="adjacent")
    covered = report.neighborhoods.set_index("id")["covered"].to_dict()
    assert covered == {"alder": True, "birch": True, "cedar": True, "dogwood": False}
    assert report.summary["foreign_born_covered"] == 800
    assert report.summary["share_foreign_born_covered"] == pytest.approx(0.8)
    shares = report.communities.set_index("id")["share_covered"].to_dict()
    assert shares == {"karen": 0, "latino": 1.0, "longtime": 1.0}


@pytest.mark.parametrize("distance_km, expected", [(1.0, 500), (1.2, 800), (1.5, 1000)])
def test_distance_rule_uses_metres_between_representative_points(tiny_graph, distance_km, expected):
    report = coverage_report(tiny_graph, rule="distance", distance_km=distance_km)
    assert report.summary["foreign_born_covered"] == expected


def test_extra_committees_act_as_active_what_if(tiny_graph):
    report = coverage_report(tiny_graph, extra_committees=["dogwood"])
    rows = report.neighborhoods.set_index("id")
    assert rows.loc["dogwood", "covered"]
    assert rows.loc["dogwood", "covered_by"] == ["(what if) Dogwood"]
    assert report.summary["foreign_born_covered"] == 600


def test_forming_committee_does_not_cover(tiny_graph):
    rows = coverage_report(tiny_graph).neighborhoods.set_index("id")
    assert not rows.loc["cedar", "covered"]
    assert "forming" in rows.loc["cedar", "explanation"]


def test_to_dict_is_strict_json_with_the_documented_keys(tiny_graph):
    data = coverage_report(tiny_graph).to_dict()
    assert set(data) == {"neighborhoods", "summary", "communities"}
    first = data["neighborhoods"][0]
    for key in (
        "id",
        "name",
        "committee_status",
        "population",
        "foreign_born",
        "foreign_born_moe",
        "covered",
        "covered_by",
        "explanation",
    ):
        assert key in first
    for key in (
        "neighborhoods_total",
        "neighborhoods_covered",
        "foreign_born_total",
        "foreign_born_covered",
        "share_foreign_born_covered",
        "explanation",
    ):
        assert key in data["summary"]
    text = json.dumps(data, allow_nan=False)  # raises on NaN or numpy types
    assert "Alder Welcoming Committee" in text
    assert isinstance(first["covered"], bool)


def test_community_without_residents_per_neighborhood_falls_back_to_estimate(tiny_city):
    ties = tiny_city.tables["ties"]
    ties = ties[~((ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in"))]
    city = type(tiny_city)(
        name=tiny_city.name,
        tables={**tiny_city.tables, "ties": ties},
        boundaries=tiny_city.boundaries,
        metric_crs=tiny_city.metric_crs,
    )
    report = coverage_report(build_graph(city))
    karen = report.communities.set_index("id").loc["karen"]
    assert karen["residents"] == 100
    assert karen["share_covered"] is None or pd.isna(karen["share_covered"])
    assert "cannot be measured" in karen["explanation"]
    assert json.dumps(report.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rule": "nearby"}, "Unknown coverage rule"),
        ({"rule": "distance", "distance_km": 0}, "positive number"),
        ({"rule": "distance", "distance_km": float("nan")}, "positive number"),
        ({"extra_committees": ["atlantis"]}, "Unknown neighborhood id"),
    ],
)
def test_bad_inputs_raise_analysis_error(tiny_graph, kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        coverage_report(tiny_graph, **kwargs)


def test_graph_without_neighborhoods_or_not_a_graph_raises():
    with pytest.raises(AnalysisError, match="no neighborhoods"):
        coverage_report(nx.MultiDiGraph())
    with pytest.raises(AnalysisError, match="build_graph"):
        coverage_report({"not": "a graph"})


def test_what_if_reports_before_and_after(tiny_graph):
    result = what_if(tiny_graph, ["cedar"])
    assert result.share_before == pytest.approx(0.4)
    assert result.share_after == pytest.approx(0.7)
    assert result.newly_covered_foreign_born == 300
    assert result.newly_covered_neighborhoods == ["Cedar"]
    assert "Cedar" in result.explanation
    adjacent = what_if(tiny_graph, ["birch"], rule="adjacent")
    assert adjacent.newly_covered_neighborhoods == ["Dogwood"]
    assert adjacent.share_after == pytest.approx(1.0)
    data = result.to_dict()
    assert data["newly_covered_foreign_born"] == 300 and data["before"] == result.before
    json.dumps(data, allow_nan=False)


def test_what_if_bad_input(tiny_graph):
    with pytest.raises(AnalysisError, match="at least one"):
        what_if(tiny_graph, [])
    with pytest.raises(AnalysisError, match="Unknown neighborhood id"):
        what_if(tiny_graph, ["nowhere"])


def test_coverage_does_not_mutate_the_graph(tiny_graph):
    before = fingerprint(tiny_graph)
    coverage_report(tiny_graph, rule="adjacent", extra_committees=["dogwood"])
    what_if(tiny_graph, ["birch"], rule="distance", distance_km=1.2)
    assert fingerprint(tiny_graph) == before


def test_distance_rule_needs_a_metric_crs(tiny_graph):
    graph = tiny_graph.copy()
    del graph.graph["metric_crs"]
    with pytest.raises(AnalysisError, match="metric_crs"):
        coverage_report(graph, rule="distance")
    assert coverage_report(graph, rule="own").summary["foreign_born_covered"] == 400


def test_illustrative_figures_are_flagged(tiny_graph):
    rows = coverage_report(tiny_graph).neighborhoods
    assert rows["illustrative"].tolist() == [False, False, False, False]  # real-figure rows
    graph = tiny_graph.copy()
    graph.nodes["birch"]["illustrative"] = True
    flagged = coverage_report(graph).neighborhoods.set_index("id")["illustrative"]
    assert flagged["birch"] and not flagged["alder"]
