"""The dashboard's shared cache: the warm-up ``coalition serve`` starts with the server
(coalition/dashboard/guarded.py), and results shared instead of copied.

The warm-up fills the same shared cache the first visitor reads: after it, the Overview's
results are served without being computed again. A store it cannot read is only logged. The
Network page's unfiltered view is the cached graph itself, not a copy.
"""

from __future__ import annotations

import dataclasses
import logging

import pytest
import streamlit as st
from tiny_city import make_tiny_city

from coalition import analysis
from coalition.dashboard import cache, guarded
from coalition.errors import AnalysisError
from coalition.store import open_store


@pytest.fixture
def fresh_cache():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def test_warm_up_fills_what_the_overview_reads(tmp_path, monkeypatch, fresh_cache):
    db = tmp_path / "t.db"
    open_store(db).replace_city(make_tiny_city())
    monkeypatch.setenv("COALITION_DB", str(db))
    calls = {"gaps": 0, "rank": 0}
    find_gaps, rank_candidates = analysis.find_gaps, analysis.rank_candidates

    def counting(name, function):
        def wrapped(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(analysis, "find_gaps", counting("gaps", find_gaps))
    monkeypatch.setattr(analysis, "rank_candidates", counting("rank", rank_candidates))
    guarded.warm_up()
    assert calls == {"gaps": 1, "rank": 1}
    snap = cache.snapshot()
    # What the Overview reads is now served from the cache: nothing is computed again.
    assert cache.info(snap)["city"] == "Tiny Town"
    assert cache.counts(snap)["partnerships"] == 4
    assert cache.gaps(snap).isolated["id"].tolist() == ["lonely", "assoc", "church", "clinic"]
    assert cache.ranking(snap) is not None
    assert calls == {"gaps": 1, "rank": 1}


def test_warm_up_of_an_unreadable_store_only_logs(tmp_path, monkeypatch, caplog, fresh_cache):
    not_a_store = tmp_path / "not_a_store.db"
    not_a_store.write_text("this is not SQLite", encoding="utf-8")
    monkeypatch.setenv("COALITION_DB", str(not_a_store))
    with caplog.at_level(logging.WARNING, logger=guarded.__name__):
        guarded.warm_up()  # returns: the server keeps starting
    assert any("warm-up skipped" in record.getMessage() for record in caplog.records)


def test_the_unfiltered_network_is_the_cached_graph_itself(tmp_path, monkeypatch, fresh_cache):
    db = tmp_path / "t.db"
    open_store(db).replace_city(make_tiny_city())
    monkeypatch.setenv("COALITION_DB", str(db))
    snap = cache.snapshot()
    G = cache.graph(snap)
    every_kind = ("organization", "neighborhood", "community", "navigator", "committee")
    assert cache.filtered(snap, (every_kind, (), (), (), (), None, 1)) is G
    assert cache.filtered(snap, ((), (), (), (), (), None, 1)) is G
    # Any criterion that can drop a node still gives a new, filtered graph.
    organizations = cache.filtered(snap, (("organization",), (), (), (), (), None, 1))
    assert organizations is not G and organizations.number_of_nodes() == 6
    assert (
        cache.filtered(snap, (every_kind, ("health",), (), (), (), None, 1)).number_of_nodes() == 11
    )
    assert cache.filtered(snap, (every_kind, (), (), (), (), "legal", 1)).number_of_nodes() == 5
    with pytest.raises(AnalysisError, match="Unknown node kind"):
        cache.filtered(snap, ((*every_kind, "ghost"), (), (), (), (), None, 1))


# --- the Overview, the sidebar and the filters read the tables, never the networkx graph ---------


def _refuse_the_graph(monkeypatch):
    from coalition import model
    from coalition.analysis import graph_index, provenance

    def refuse(_city):
        raise AssertionError("the networkx graph was built")

    for module in (model, graph_index, provenance):
        monkeypatch.setattr(module, "build_graph", refuse)


def test_overview_and_sidebar_never_build_the_graph(tmp_path, monkeypatch, fresh_cache):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from coalition import model
    from coalition.analysis.synthetic import make_synthetic_city

    city = make_synthetic_city(orgs=150, ties=900, areas=12, seed=4)
    db = tmp_path / "t.db"
    open_store(db).replace_city(city)
    expected = model.summary(model.build_graph(open_store(db).read_city()))
    monkeypatch.setenv("COALITION_DB", str(db))
    _refuse_the_graph(monkeypatch)
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    members = [m.value for m in at.metric if m.label == "Member organizations"]
    assert members == [f"{expected['members']:,}"]
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "Organizations:" in sidebar and f"{expected['members']:,} members" in sidebar


def test_counts_and_filter_options_equal_the_graphs(tmp_path, monkeypatch, fresh_cache):
    from coalition import model
    from coalition.analysis import illustrative_counts
    from coalition.presenting import city as city_text

    db = tmp_path / "t.db"
    open_store(db).replace_city(make_tiny_city())
    monkeypatch.setenv("COALITION_DB", str(db))
    snap = cache.snapshot()
    G = model.build_graph(cache.city(snap))
    entries = illustrative_counts(G)
    expected = {
        **model.summary(G),
        "partnerships": sum(1 for *_, key in G.edges(keys=True) if key == "partnership"),
        "entries": entries["entries"],
        "illustrative_entries": entries["illustrative"],
    }
    assert expected["partnerships"] == 4  # by hand: the tiny city's four partnerships
    _refuse_the_graph(monkeypatch)
    assert cache.counts(snap) == expected
    assert cache.filter_options(snap) == city_text.filter_options(G)
    assert cache.index(snap).partnerships.equals(analysis.index_graph(G).partnerships)


def test_counts_of_a_city_the_tables_cannot_tell_read_the_graph(tmp_path, monkeypatch, fresh_cache):
    from coalition import model
    from coalition.analysis import illustrative_counts
    from coalition.presenting import city as city_text

    city = make_tiny_city()
    communities = city.tables["communities"].copy()
    communities.loc[0, "community_id"] = city.tables["organizations"].loc[0, "org_id"]
    db = tmp_path / "t.db"
    tables = {**city.tables, "communities": communities}  # an id in two tables
    open_store(db).replace_city(dataclasses.replace(city, tables=tables))
    monkeypatch.setenv("COALITION_DB", str(db))
    snap = cache.snapshot()
    assert cache.tables(snap) is None
    G = model.build_graph(cache.city(snap))
    assert cache.counts(snap)["entries"] == illustrative_counts(G)["entries"]
    assert cache.filter_options(snap) == city_text.filter_options(G)
