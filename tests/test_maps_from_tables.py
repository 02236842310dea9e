"""`coalition maps` from the city's tables and the analyses' index, never building the graph
(issue 12): the same pages as from the graph."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from tiny_city import make_tiny_city

from coalition import cli, map_files, model
from coalition.analysis import graph_index as graph_index_module
from coalition.analysis.graph_index import index_city, index_graph
from coalition.analysis.synthetic import make_synthetic_city
from coalition.errors import AnalysisError
from coalition.map_files import map_tables, neighborhood_measures, write_city_maps
from coalition.model import build_graph
from coalition.store import open_store

FOLIUM_ID = re.compile(r"_[0-9a-f]{32}")  # folium names each element with a random uuid


def _same_pages(left, right) -> None:
    """The two folders hold the same files, equal once folium's random element ids are
    numbered in order of appearance."""

    def numbered(text: str) -> str:
        ids: dict[str, str] = {}
        return FOLIUM_ID.sub(lambda m: ids.setdefault(m.group(), f"_id{len(ids)}"), text)

    names = sorted(p.name for p in left.iterdir())
    assert names == sorted(p.name for p in right.iterdir())
    for name in names:
        a, b = ((d / name).read_text(encoding="utf-8") for d in (left, right))
        assert numbered(a) == numbered(b), name


def _refuse_graph(monkeypatch) -> None:
    def refuse(_city):
        raise AssertionError("the networkx graph was built")

    for module in (model, graph_index_module, map_files):
        monkeypatch.setattr(module, "build_graph", refuse)


def _with_table(city, table, frame):
    return dataclasses.replace(city, tables={**city.tables, table: frame})


def _tricky_city():
    """The synthetic city with hostile and blank cells the maps must draw as the graph does."""
    city = make_synthetic_city(orgs=60, ties=300, areas=9, seed=3)
    orgs = city.tables["organizations"].copy()
    orgs.loc[orgs.index[0], "name"] = "<b>Caf\u00e9</b> & {{x}}"
    orgs.loc[orgs.index[1], "name"] = None
    orgs.loc[orgs.index[2], "member"] = "no"
    orgs.loc[orgs.index[3], "sector"] = None
    return _with_table(city, "organizations", orgs)


@pytest.mark.parametrize("which", ["tiny", "synthetic"])
def test_cli_maps_never_builds_the_graph_and_draws_the_same(which, tmp_path, monkeypatch):
    city = make_tiny_city() if which == "tiny" else _tricky_city()
    db = tmp_path / "c.db"
    open_store(db).replace_city(city)
    expected = tmp_path / "graph"
    write_city_maps(build_graph(open_store(db).read_city()), expected)  # as main drew them
    _refuse_graph(monkeypatch)
    assert cli.main(["maps", "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    _same_pages(expected, tmp_path / "out")


def test_map_tables_from_the_city_equal_the_graphs():
    city = _tricky_city()
    from_graph = map_tables(build_graph(city))
    from_city = map_tables(city)
    drawn_only = ["lon", "lat", "area_km2"]  # on the graph's nodes, never read by the maps
    pd.testing.assert_frame_equal(
        from_city.neighborhoods,
        from_graph.neighborhoods.drop(columns=drawn_only),
        check_like=True,
    )
    pd.testing.assert_frame_equal(
        from_city.organizations, from_graph.organizations, check_like=True
    )
    pd.testing.assert_frame_equal(from_city.committees, from_graph.committees, check_like=True)
    invited = city.tables["organizations"]["org_id"].iloc[2]
    assert not from_city.organizations.loc[invited, "member"]  # the "no" cell


def test_map_tables_read_a_merged_id_through_the_graph(tiny_city):
    # An id in two tables is one node in the graph: only the graph can say what it holds.
    communities = tiny_city.tables["communities"].copy()
    communities.loc[communities.index[0], "community_id"] = "alder"
    city = _with_table(tiny_city, "communities", communities)
    from_city = map_tables(city)
    expected = map_tables(build_graph(city))
    pd.testing.assert_frame_equal(from_city.neighborhoods, expected.neighborhoods)
    pd.testing.assert_frame_equal(from_city.organizations, expected.organizations)


def test_a_table_without_its_id_column_fails_as_build_graph_does(tiny_city):
    city = _with_table(
        tiny_city, "organizations", tiny_city.tables["organizations"].drop(columns="org_id")
    )
    with pytest.raises(KeyError):
        build_graph(city)
    with pytest.raises(KeyError):
        map_tables(city)


def test_no_neighborhoods_is_an_analysis_error(tiny_city):
    city = _with_table(tiny_city, "neighborhoods", tiny_city.tables["neighborhoods"].iloc[0:0])
    with pytest.raises(AnalysisError, match="no neighborhoods"):
        neighborhood_measures(city)


def test_measures_from_city_graph_or_index_agree(tiny_city, tiny_graph):
    by_hand = {"alder": 1, "birch": 1, "cedar": 2, "dogwood": 0}
    for source in (tiny_city, tiny_graph, index_city(tiny_city), index_graph(tiny_graph)):
        frame = neighborhood_measures(source)
        assert frame["gap_count"].to_dict() == by_hand
        assert frame.loc["cedar", "committee_status"] == "forming"
        assert frame["score"].isna().tolist() == [True, False, False, False]
