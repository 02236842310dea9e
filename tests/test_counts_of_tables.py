"""The dashboard's counts and filter choices read from the tables equal the graph's.

illustrative_counts_of_tables / illustrative_counts_of_city, model.tables_summary and
filter_options_of_tables against illustrative_counts, summary and filter_options of
build_graph(city): on the example city, Hartford, a synthetic city and edge cases (repeated
ties, derived ties, illustrative rows and ties, unknown ids, missing columns, an id in two tables).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from coalition import model
from coalition.analysis import provenance
from coalition.analysis.provenance import (
    illustrative_counts,
    illustrative_counts_of_city,
    illustrative_counts_of_tables,
)
from coalition.analysis.synthetic import make_synthetic_city
from coalition.examples import example_city
from coalition.ingest import read_city
from coalition.model import build_graph, graph_tables, summary, tables_summary
from coalition.presenting.city import filter_options, filter_options_of_tables


def with_tables(city: model.CityData, **frames: pd.DataFrame) -> model.CityData:
    return dataclasses.replace(city, tables={**city.tables, **frames})


def tie(source, target, tie_type, strength=1, illustrative=False, guessed=()):
    return {
        "source_id": source,
        "target_id": target,
        "tie_type": tie_type,
        "kind": "",
        "strength": strength,
        "since": "",
        "residents": None,
        "notes": None,
        "source": "test",
        "source_date": "2024",
        "illustrative": illustrative,
        "illustrative_columns": list(guessed),
    }


def more_ties(city: model.CityData, *rows: dict) -> model.CityData:
    ties = pd.concat([city.tables["ties"], pd.DataFrame(list(rows))], ignore_index=True)
    return with_tables(city, ties=ties)


def check(city: model.CityData) -> dict:
    """Every table-read result equals the graph's; returns the counts for hand checks."""
    graph = build_graph(city)
    tables = graph_tables(city)
    assert tables is not None
    counts = illustrative_counts_of_tables(tables)
    assert counts == illustrative_counts(graph)
    assert illustrative_counts_of_city(city) == counts
    assert tables_summary(tables) == summary(graph)
    options = filter_options_of_tables(tables)
    expected = filter_options(graph)
    assert options == expected
    for key, value in expected.items():  # same order too (the widgets list them in order)
        if isinstance(value, dict):
            assert list(options[key].items()) == list(value.items())
    return counts


def test_example_city_by_hand():
    counts = check(example_city())
    # 6 organizations, 4 neighborhoods, 3 communities, 1 navigator, 2 committees; the ties
    # table's rows (derived located_in / lives_in / covers ties are not rows of their own).
    city = example_city()
    assert counts["by_table"]["organizations"]["rows"] == 6
    assert counts["by_table"]["ties"]["rows"] == len(city.tables["ties"])
    rows = sum(len(city.tables[t]) for t in ("organizations", "neighborhoods", "communities"))
    rows += sum(len(city.tables[t]) for t in ("navigators", "committees", "ties"))
    assert counts["entries"] == rows


def test_hartford():
    check(read_city("data/hartford"))


def test_synthetic_city():
    check(make_synthetic_city(orgs=200, ties=1500, areas=30, seed=3))


def test_stored_city(tmp_path):
    from coalition.store import open_store

    store = open_store(tmp_path / "c.db")
    store.replace_city(example_city())
    check(store.read_city())


def test_repeated_ties_are_one_entry_and_one_partnership():
    city = example_city()
    ties = city.tables["ties"].copy()
    ties["illustrative"] = False  # the example's ties are illustrative: none here
    city = with_tables(city, ties=ties)
    before = illustrative_counts(build_graph(city))["by_table"]["ties"]["rows"]
    # lib -> legal is already a partnership: two more rows of it are still one edge.
    changed = more_ties(
        city,
        tie("lib", "legal", "partnership", strength=1),
        tie("lib", "legal", "partnership", strength=3, illustrative=True),
        tie("legal", "lib", "partnership"),  # reversed: another edge, another entry
    )
    counts = check(changed)
    assert counts["by_table"]["ties"]["rows"] == before + 1
    # The repeated tie keeps its last row's values: illustrative now.
    assert counts["by_table"]["ties"]["illustrative"] == 1
    read = graph_tables(changed)
    partnerships = int((read.edges["tie_type"] == "partnership").sum())
    G = build_graph(changed)
    assert partnerships == sum(1 for *_, key in G.edges(keys=True) if key == "partnership")


def test_derived_ties_are_not_counted_even_when_repeated_in_the_ties_table():
    city = example_city()
    before = check(city)
    organizations = city.tables["organizations"]
    org, place = organizations.loc[0, "org_id"], organizations.loc[0, "neighborhood"]
    # A located_in row repeating the one derived from the organization's neighborhood column,
    # and one to another neighborhood: neither is a tie entry (derived types never are).
    changed = more_ties(
        city,
        tie(org, place, "located_in", illustrative=True),
        tie(org, "dogwood", "located_in", illustrative=True),
    )
    after = check(changed)
    assert after["by_table"]["ties"] == before["by_table"]["ties"]


def test_illustrative_flags_on_nodes_and_ties():
    city = example_city()
    neighborhoods = city.tables["neighborhoods"].copy()
    neighborhoods["illustrative"] = [True, False, False, True]
    neighborhoods["illustrative_columns"] = [[], ["foreign_born"], [], []]
    organizations = city.tables["organizations"].copy()
    organizations["illustrative"] = [False] * 5 + [True]
    ties = city.tables["ties"].copy()
    ties["illustrative"] = [i % 2 == 0 for i in range(len(ties))]
    changed = with_tables(city, neighborhoods=neighborhoods, organizations=organizations, ties=ties)
    counts = check(changed)
    assert counts["by_table"]["neighborhoods"] == {"rows": 4, "illustrative": 2}
    assert counts["by_table"]["organizations"] == {"rows": 6, "illustrative": 1}
    expected_ties = sum(1 for i in range(len(ties)) if i % 2 == 0)
    assert counts["by_table"]["ties"]["illustrative"] == expected_ties
    assert summary(build_graph(changed))["partly_illustrative_nodes"] >= 1


def test_unknown_ids_are_bare_nodes_counted_in_total_only():
    city = example_city()
    changed = more_ties(
        city, tie("ghost", "lib", "partnership"), tie("lib", "nowhere", "member_of")
    )
    counts = check(changed)
    options = filter_options_of_tables(graph_tables(changed))
    assert options["total"] == filter_options(build_graph(city))["total"] + 2
    assert "ghost" not in options["organizations"]
    nodes = sum(v["rows"] for t, v in counts["by_table"].items() if t != "ties")
    assert nodes == options["total"] - 2  # bare nodes have no table: not entries


def test_missing_columns_and_blank_cells():
    city = example_city()
    organizations = city.tables["organizations"].drop(columns=["name", "illustrative"]).copy()
    organizations["sector"] = organizations["sector"].astype(object)
    organizations.loc[0, "sector"] = None  # no sector: not a choice
    organizations.loc[1, "sector"] = ""
    organizations["services"] = [None, [], ["esl", "legal"], ["esl"], ["custom-help"], None]
    navigators = city.tables["navigators"].copy()
    navigators["alias"] = navigators["alias"].astype(object)
    navigators.loc[0, "alias"] = None  # a navigator without alias is named by its id
    ties = city.tables["ties"].drop(columns=["illustrative"])
    changed = with_tables(city, organizations=organizations, navigators=navigators, ties=ties)
    counts = check(changed)
    assert counts["by_table"]["organizations"]["illustrative"] == 0
    assert counts["by_table"]["ties"]["illustrative"] == 0
    options = filter_options_of_tables(graph_tables(changed))
    assert options["organizations"]["lib"] == "lib"
    assert list(options["navigators"].values()) == list(options["navigators"])
    assert "custom-help" in options["services"] and "" not in options["sectors"]


def test_empty_optional_tables():
    city = example_city()
    tables = {k: v for k, v in city.tables.items() if k not in ("navigators", "committees")}
    counts = check(dataclasses.replace(city, tables=tables))
    assert counts["by_table"]["navigators"] == {"rows": 0, "illustrative": 0}
    options = filter_options_of_tables(graph_tables(dataclasses.replace(city, tables=tables)))
    assert "navigator" not in options["kinds"] and options["committees"] == {}


def test_an_id_in_two_tables_is_counted_through_the_graph(monkeypatch):
    city = example_city()
    communities = city.tables["communities"].copy()
    communities.loc[0, "community_id"] = "lib"  # also an organization: the graph merges them
    changed = with_tables(city, communities=communities)
    assert graph_tables(changed) is None
    built = []

    def counting(c):
        built.append(c)
        return build_graph(c)

    monkeypatch.setattr(provenance, "build_graph", counting)
    assert illustrative_counts_of_city(changed) == illustrative_counts(build_graph(changed))
    assert len(built) == 1


def test_tables_path_never_builds_the_graph(monkeypatch):
    city = make_synthetic_city(orgs=60, ties=300, areas=8, seed=2)
    expected = illustrative_counts(build_graph(city))

    def refuse(_city):
        raise AssertionError("the networkx graph was built")

    monkeypatch.setattr(provenance, "build_graph", refuse)
    monkeypatch.setattr(model, "build_graph", refuse)
    assert illustrative_counts_of_city(city) == expected


@pytest.mark.parametrize("flag", [True, "yes", 1])
def test_truthy_illustrative_cells_count_as_build_graph_stores_them(flag):
    city = example_city()
    organizations = city.tables["organizations"].copy().astype({"illustrative": object})
    organizations.loc[2, "illustrative"] = flag
    counts = check(with_tables(city, organizations=organizations))
    assert counts["by_table"]["organizations"]["illustrative"] >= 1
