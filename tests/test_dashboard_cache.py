"""The dashboard's shared cache: the warm-up ``coalition serve`` starts with the server
(coalition/dashboard/guarded.py), and results shared instead of copied.

The warm-up fills the same shared cache the first visitor reads: after it, the Overview's
results are served without being computed again. A store it cannot read is only logged. The
Network page's unfiltered view is the cached graph itself, not a copy.
"""

from __future__ import annotations

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
