"""index_city (the analyses' index read from the tables) equals index_graph(build_graph(city)).

Field by field, on the example city, Hartford, a synthetic city, the stored example city and
edge cases: a blank figure, unknown ids in ties, non-members, committees of each status,
illustrative columns, repeated ties, an id in two tables, a missing column. Also: the analyses
run on it without ever building the networkx graph, and city_summary equals summary.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from coalition import model
from coalition.analysis import coverage_report, find_gaps, member_view, non_member_ids
from coalition.analysis import graph_index as graph_index_module
from coalition.analysis.graph_index import GraphIndex, index_city, index_graph
from coalition.analysis.provenance import (
    committee_ids_by_name,
    illustrative_counts,
    illustrative_ids,
)
from coalition.analysis.replication import rank_candidates
from coalition.analysis.synthetic import make_synthetic_city
from coalition.errors import AnalysisError
from coalition.examples import example_city
from coalition.ingest import read_city
from coalition.model import build_graph, city_summary, graph_tables, summary
from coalition.store import open_store

FRAMES = ("neighborhoods", "organizations", "communities", "navigators")


def assert_same_index(fast: GraphIndex, slow: GraphIndex) -> None:
    assert list(fast.names.items()) == list(slow.names.items())  # same names, same order
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), check_exact=True)
    assert list(fast.ties) == list(slow.ties)
    for tie_type in slow.ties:
        pd.testing.assert_frame_equal(fast.ties[tie_type], slow.ties[tie_type], check_exact=True)
    assert list(fast.geometries) == list(slow.geometries)
    for node_id, geometry in slow.geometries.items():
        other = fast.geometries[node_id]
        assert (geometry is None and other is None) or geometry.equals_exact(other, 0)
    assert fast.graph_attrs == slow.graph_attrs
    if fast.illustrative_nodes is not None:  # None: indexed through the graph (a fallback)
        assert fast.illustrative_nodes == illustrative_ids(slow.graph)
        assert sorted(fast.non_members) == non_member_ids(slow)
    assert illustrative_ids(fast) == illustrative_ids(slow)
    assert fast.committee_ids == slow.committee_ids
    # What the analyses memoise from these must agree too.
    assert non_member_ids(fast) == non_member_ids(slow)
    assert committee_ids_by_name(fast) == committee_ids_by_name(slow)
    pd.testing.assert_frame_equal(fast.community_reach, slow.community_reach)
    pd.testing.assert_frame_equal(fast.partnerships, slow.partnerships)
    assert fast.member_names == slow.member_names


def check(city: model.CityData) -> GraphIndex:
    fast = index_city(city)
    graph = build_graph(city)
    assert_same_index(fast, index_graph(graph))
    assert city_summary(city) == summary(graph)
    assert list(city_summary(city)) == list(summary(graph))
    return fast


def with_tables(city: model.CityData, **frames: pd.DataFrame) -> model.CityData:
    return dataclasses.replace(city, tables={**city.tables, **frames})


def tie(source, target, tie_type, strength=1, residents=None, illustrative=False, guessed=()):
    return {
        "source_id": source,
        "target_id": target,
        "tie_type": tie_type,
        "kind": "",
        "strength": strength,
        "since": "",
        "residents": residents,
        "notes": None,
        "source": "test",
        "source_date": "2024",
        "illustrative": illustrative,
        "illustrative_columns": list(guessed),
    }


def test_example_city():
    index = check(example_city())
    # By hand: Alder has the active committee, Cedar the forming one; lonely is isolated.
    assert index.neighborhoods["committee_status"].to_dict() == {
        "alder": "active",
        "birch": "none",
        "cedar": "forming",
        "dogwood": "none",
    }
    assert index.tie_frame("partnership")["source"].tolist() == ["lib", "lib", "lib", "legal"]


def test_hartford():
    check(read_city("data/hartford"))


def test_synthetic_city():
    check(make_synthetic_city(orgs=200, ties=1500, areas=30, seed=3))


def test_stored_city(tmp_path):
    store = open_store(tmp_path / "c.db")
    store.replace_city(example_city())
    check(store.read_city())


def test_blank_figure_and_guessed_columns():
    city = example_city()
    neighborhoods = city.tables["neighborhoods"].copy()
    neighborhoods["population"] = neighborhoods["population"].astype(object)
    neighborhoods.loc[1, "population"] = None  # birch: no figure, never 0
    neighborhoods["illustrative_columns"] = [[], ["limited_english"], [], ["foreign_born_moe"]]
    neighborhoods.loc[3, "illustrative"] = True
    index = check(with_tables(city, neighborhoods=neighborhoods))
    assert pd.isna(index.neighborhoods.loc["birch", "population"])
    assert index.neighborhoods.loc["birch", "illustrative_columns"] == ["limited_english"]
    assert "dogwood" in index.illustrative_nodes and "birch" not in index.illustrative_nodes


def test_unknown_ids_repeated_ties_and_reversed_partnerships():
    city = example_city()
    extra = pd.DataFrame(
        [
            tie("lib", "legal", "partnership", strength=1),  # repeated: the last row's values
            tie("legal", "lib", "partnership", strength=2),  # reversed: another edge
            tie("ghost", "lib", "partnership"),  # an id in no table: a bare node
            tie("lib", "nowhere", "serves_neighborhood", illustrative=True),
            tie("latino", "alder", "lives_in", residents=None, guessed=["residents"]),
        ]
    )
    ties = pd.concat([city.tables["ties"], extra], ignore_index=True)
    index = check(with_tables(city, ties=ties))
    partnerships = index.tie_frame("partnership")
    lib = partnerships["source"] == "lib"
    lib_legal = partnerships[lib & (partnerships["target"] == "legal")]
    assert lib_legal["strength"].tolist() == [1]  # one edge, the last row's strength
    assert index.names["ghost"] == "ghost" and index.names["nowhere"] == "nowhere"
    lives = index.tie_frame("lives_in")
    alder = lives[(lives["source"] == "latino") & (lives["target"] == "alder")]
    assert alder["residents"].isna().tolist() == [True]  # the repeated row had no figure


def test_non_members_and_committees_of_each_status():
    city = example_city()
    organizations = city.tables["organizations"].copy()
    organizations["member"] = [True, False, True, True, False, True]
    committees = pd.concat(
        [
            city.tables["committees"],
            pd.DataFrame(
                [
                    {
                        "committee_id": "wc-birch",
                        "name": "Birch Committee",
                        "neighborhood": "birch",
                        "status": "none",
                        "start_date": None,
                        "source": "test",
                        "source_date": "2024",
                        "illustrative": True,
                        "illustrative_columns": [],
                    },
                    {
                        "committee_id": "wc-alder-2",
                        "name": "Alder Welcoming Committee",  # a second one, same name
                        "neighborhood": "alder",
                        "status": "active",
                        "start_date": "2020",
                        "source": "test",
                        "source_date": "2024",
                        "illustrative": False,
                        "illustrative_columns": ["start_date"],
                    },
                ]
            ),
        ],
        ignore_index=True,
    )
    # A covers tie in the ties table: the committee is placed there too.
    ties = pd.concat(
        [city.tables["ties"], pd.DataFrame([tie("wc-alder", "dogwood", "covers")])],
        ignore_index=True,
    )
    index = check(with_tables(city, organizations=organizations, committees=committees, ties=ties))
    assert index.neighborhoods["committee_status"].to_dict() == {
        "alder": "active",
        "birch": "none",
        "cedar": "forming",
        "dogwood": "active",
    }
    assert non_member_ids(index) == sorted(
        organizations.loc[~organizations["member"], "org_id"].tolist()
    )
    assert committee_ids_by_name(index)["Alder Welcoming Committee"] == ["wc-alder", "wc-alder-2"]
    assert set(non_member_ids(index)).isdisjoint(member_view(index).organizations.index)


def test_empty_optional_tables():
    city = example_city()
    tables = {k: v for k, v in city.tables.items() if k not in ("navigators", "committees")}
    index = check(dataclasses.replace(city, tables=tables))
    assert index.navigators.empty and set(index.neighborhoods["committee_status"]) == {"none"}


def test_an_id_in_two_tables_is_indexed_through_the_graph():
    city = example_city()
    communities = city.tables["communities"].copy()
    communities.loc[0, "community_id"] = "lib"  # also an organization: the graph merges them
    changed = with_tables(city, communities=communities)
    assert graph_tables(changed) is None
    check(changed)


def test_missing_columns_are_missing_attributes():
    city = example_city()
    organizations = city.tables["organizations"].drop(columns=["member", "name"])
    ties = city.tables["ties"].drop(columns=["strength", "illustrative_columns"])
    changed = with_tables(city, organizations=organizations, ties=ties)
    assert graph_tables(changed) is not None
    index = check(changed)
    assert index.organizations["member"].all()  # no column: every organization is a member
    assert index.names["lib"] == "lib"  # no name: the id


def test_a_missing_id_column_fails_as_build_graph_does():
    city = example_city()
    changed = with_tables(city, ties=city.tables["ties"].drop(columns="tie_type"))
    assert graph_tables(changed) is None
    with pytest.raises(KeyError):
        build_graph(changed)
    with pytest.raises(KeyError):
        index_city(changed)


def test_no_neighborhoods_is_an_analysis_error():
    city = example_city()
    empty = city.tables["neighborhoods"].iloc[0:0]
    with pytest.raises(AnalysisError, match="no neighborhoods"):
        index_city(with_tables(city, neighborhoods=empty))


def test_analyses_never_build_the_graph(monkeypatch):
    city = make_synthetic_city(orgs=120, ties=800, areas=16, seed=5)
    expected_gaps = find_gaps(index_graph(build_graph(city))).to_dict()
    expected_coverage = coverage_report(build_graph(city), rule="adjacent").to_dict()
    expected_rank = rank_candidates(build_graph(city), k=2, stability_runs=20, seed=1).to_dict()

    def refuse(_city):
        raise AssertionError("the networkx graph was built")

    monkeypatch.setattr(graph_index_module, "build_graph", refuse)
    assert find_gaps(index_city(city)).to_dict() == expected_gaps
    assert coverage_report(index_city(city), rule="adjacent").to_dict() == expected_coverage
    ranked = rank_candidates(index_city(city), k=2, stability_runs=20, seed=1).to_dict()
    assert ranked == expected_rank


def test_graph_is_built_once_on_demand_and_shared_with_views():
    city = example_city()
    index = index_city(city)
    assert index._source.get("graph") is None
    view = member_view(index)
    graph = index.graph
    assert graph is index.graph and graph is view.graph  # built once, for every view
    assert summary(graph) == summary(build_graph(city))
    assert illustrative_counts(index) == illustrative_counts(build_graph(city))
