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

from coalition import analysis, edits
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


# --- after an edit: the new version built from the previous one, analyses keyed on content -------


def _store_of_tiny_city(tmp_path, monkeypatch):
    db = tmp_path / "t.db"
    open_store(db).replace_city(make_tiny_city())
    monkeypatch.setenv("COALITION_DB", str(db))
    return db


def _count_full_reads(monkeypatch) -> list[int]:
    """Count the cache's full reads of the store (its own Store object's read_city)."""
    store = cache.get_store()
    reads: list[int] = []
    read_city = store.read_city

    def counting(*args, **kwargs):
        reads.append(1)
        return read_city(*args, **kwargs)

    monkeypatch.setattr(store, "read_city", counting)
    return reads


def _assert_same_city(built, read):
    import pandas as pd

    from coalition import schema

    assert built.name == read.name and built.metric_crs == read.metric_crs
    assert built.meta == read.meta
    assert built.boundaries.equals(read.boundaries)
    assert set(built.tables) == set(read.tables) == set(schema.TABLES)
    for table in schema.TABLES:
        pd.testing.assert_frame_equal(built.tables[table], read.tables[table], obj=table)


def _save(db, make_changes, what="test edit"):
    """Apply the edit ``make_changes(city)`` to the store and return the new snapshot."""
    store = open_store(db)
    store.apply(make_changes(store.read_city()), what=what, who="tester")
    return cache.snapshot()


EDITS = {
    "note on an organization": lambda c: edits.change(
        c, "organizations", "lonely", {"notes": "met at the fair; =1+1"}
    ),
    "new partnership": lambda c: edits.add(
        c,
        "ties",
        {
            "source_id": "lonely",
            "target_id": "clinic",
            "tie_type": "partnership",
            "strength": "2",
            "source": "working session",
            "source_date": "2026-11",
            "illustrative": "no",
        },
    ),
    "partnership ended": lambda c: edits.retire(
        c, "ties", "legal|lib|partnership", reason="program ended", on="2026-11-30"
    ),
    "organization placed": lambda c: edits.change(
        c, "organizations", "clinic", {"lat": "41.77", "lon": "-72.68"}
    ),
    # Blanks that change how pandas types a column, as a full read types it.
    "figure cleared": lambda c: edits.change(
        c, "communities", "karen", {"estimated_residents": ""}
    ),
    "figure given again": lambda c: edits.change(
        c, "communities", "karen", {"estimated_residents": "150"}
    ),
    "organization unplaced": lambda c: edits.change(
        c, "organizations", "clinic", {"lat": "", "lon": ""}
    ),
    "organization placed again": lambda c: edits.change(
        c, "organizations", "clinic", {"lat": "41.77", "lon": "-72.68"}
    ),
    "committee active": lambda c: edits.set_committee_status(
        c, "wc-cedar", "active", on="2026-11-30"
    ),
    "new organization": lambda c: edits.add(
        c,
        "organizations",
        {
            "org_id": "bakery",
            "name": "Elm Bakery",
            "sector": "business",
            "orientation": "both",
            "neighborhood": "birch",
            "source": "working session",
            "source_date": "2026-11",
            "illustrative": "no",
        },
    ),
    "organization closed": lambda c: edits.retire(
        c, "organizations", "church", reason="closed", on="2026-11-30"
    ),
    "organization renamed": lambda c: edits.change(
        c, "organizations", "assoc", {"name": "Alder Block Club"}
    ),
}


def test_each_edit_builds_the_new_version_from_the_last_equal_to_a_full_read(
    tmp_path, monkeypatch, fresh_cache
):
    db = _store_of_tiny_city(tmp_path, monkeypatch)
    reads = _count_full_reads(monkeypatch)
    first = cache.city(cache.snapshot())
    assert len(reads) == 1
    versions = [int(first.meta["version"])]
    for name, make_changes in EDITS.items():
        snap = _save(db, make_changes, what=name)
        built = cache.city(snap)
        _assert_same_city(built, open_store(db).read_city())
        versions.append(int(built.meta["version"]))
        assert versions[-1] == snap.version == versions[-2] + 1, name
    assert len(reads) == 1  # every version after the first came from the one before
    # By hand: one organization added, one retired; one partnership added, legal-lib ended and
    # church's lib partnership ended with church.
    organizations = cache.city(cache.snapshot()).tables["organizations"]
    assert organizations["org_id"].tolist() == [
        "lib", "legal", "assoc", "clinic", "lonely", "bakery"
    ]  # fmt: skip
    assert organizations.loc[3, "lat"] == 41.77 and organizations.loc[2, "name"] == (
        "Alder Block Club"
    )
    ties = cache.tables(cache.snapshot()).edges
    partnerships = ties[ties["tie_type"] == "partnership"]
    assert sorted(zip(partnerships["source"], partnerships["target"], strict=True)) == [
        ("legal", "clinic"),
        ("lib", "assoc"),
        ("lonely", "clinic"),
    ]


def test_an_empty_text_kept_by_the_store_and_blanked_by_an_edit(tmp_path, monkeypatch, fresh_cache):
    # A city built in code may hold "" where a file would hold a blank: the store keeps "",
    # an edit of that row writes a blank (None); a full read then gives None, and so must this.
    city = make_tiny_city()
    organizations = city.tables["organizations"].copy()
    organizations["notes"] = organizations["notes"].astype(object)
    organizations.loc[organizations["org_id"] == "lonely", "notes"] = ""
    db = tmp_path / "t.db"
    open_store(db).replace_city(
        dataclasses.replace(city, tables={**city.tables, "organizations": organizations})
    )
    monkeypatch.setenv("COALITION_DB", str(db))
    reads = _count_full_reads(monkeypatch)
    assert cache.city(cache.snapshot()).tables["organizations"].loc[5, "notes"] == ""
    snap = _save(db, lambda c: edits.change(c, "organizations", "lonely", {"services": "legal"}))
    built = cache.city(snap)
    _assert_same_city(built, open_store(db).read_city())
    assert len(reads) == 1
    assert built.tables["organizations"].loc[5, "services"] == ["legal"]


def test_two_versions_at_once_and_two_added_rows_over_them(tmp_path, monkeypatch, fresh_cache):
    db = _store_of_tiny_city(tmp_path, monkeypatch)
    reads = _count_full_reads(monkeypatch)
    cache.city(cache.snapshot())
    _save(db, EDITS["note on an organization"])
    snap = _save(db, EDITS["new partnership"])  # two versions on: one added row, built
    _assert_same_city(cache.city(snap), open_store(db).read_city())
    assert len(reads) == 1
    _save(db, EDITS["new organization"])
    snap = _save(db, EDITS["partnership ended"])  # again, only one added row
    _assert_same_city(cache.city(snap), open_store(db).read_city())
    assert len(reads) == 1
    for partner in ("lib", "legal"):
        snap = _save(
            db,
            lambda c, partner=partner: edits.add(
                c,
                "ties",
                {
                    "source_id": "bakery",
                    "target_id": partner,
                    "tie_type": "partnership",
                    "source": "s",
                    "source_date": "2026",
                    "illustrative": "no",
                },
            ),
        )
    # two ties added over two versions: their order is the store's, read in full
    _assert_same_city(cache.city(snap), open_store(db).read_city())
    assert len(reads) == 2


def test_a_restored_row_or_a_whole_city_write_reads_the_store(tmp_path, monkeypatch, fresh_cache):
    db = _store_of_tiny_city(tmp_path, monkeypatch)
    reads = _count_full_reads(monkeypatch)
    cache.city(cache.snapshot())
    _save(db, EDITS["partnership ended"])
    cache.city(cache.snapshot())
    assert len(reads) == 1
    open_store(db).undo(who="tester")  # the partnership back at its old place
    snap = cache.snapshot()
    restored = cache.city(snap)
    assert len(reads) == 2
    _assert_same_city(restored, open_store(db).read_city())
    assert restored.tables["ties"].loc[0, "source_id"] == "lib"  # its place, not the end
    open_store(db).replace_city(make_tiny_city())
    _assert_same_city(cache.city(cache.snapshot()), open_store(db).read_city())
    assert len(reads) == 3


def test_a_version_that_is_not_a_row_edit_is_never_read_as_no_change(
    tmp_path, monkeypatch, fresh_cache
):
    db = _store_of_tiny_city(tmp_path, monkeypatch)
    reads = _count_full_reads(monkeypatch)
    first = cache.snapshot()
    cache.gaps(first)
    snap = _save(db, EDITS["note on an organization"])
    store = cache.get_store()
    versions = store.versions

    def unknown_kind(**kwargs):  # a kind of write this module does not know (no rows kept)
        kept = versions(**kwargs)
        kept.loc[kept["version"] == snap.version, "kind"] = "survey"
        return kept

    monkeypatch.setattr(store, "versions", unknown_kind)
    cache.city(snap)
    assert len(reads) == 2
    assert cache.analysis_key(snap).version == snap.version != cache.analysis_key(first).version


def test_a_failing_change_log_is_logged_and_read_in_full(
    tmp_path, monkeypatch, caplog, fresh_cache
):
    from coalition.errors import StoreError

    db = _store_of_tiny_city(tmp_path, monkeypatch)
    reads = _count_full_reads(monkeypatch)
    cache.city(cache.snapshot())
    snap = _save(db, EDITS["note on an organization"])

    def broken(old, new):
        raise StoreError("the change log cannot be read")

    monkeypatch.setattr(cache.get_store(), "changes_between", broken)
    with caplog.at_level(logging.WARNING, logger=cache.__name__):
        built = cache.city(snap)
    assert len(reads) == 2
    assert any("read in full" in record.getMessage() for record in caplog.records)
    assert built.tables["organizations"].loc[5, "notes"] == "met at the fair; =1+1"


def test_a_change_that_does_not_start_from_the_kept_rows_is_not_applied():
    city = make_tiny_city()
    frame = city.tables["organizations"]
    keys = edits.keys_of("organizations", frame)
    (change,) = edits.change(city, "organizations", "lonely", {"notes": "x"})
    assert cache._patched_table("organizations", frame, keys, [change], 1) is not None
    stale = edits.RowChange(
        change.table, change.key, {**change.before, "name": "Someone else"}, change.after
    )
    assert cache._patched_table("organizations", frame, keys, [stale], 1) is None
    # A row said to be added that is already there, a key twice, columns not the schema's.
    added = edits.RowChange(change.table, change.key, None, change.after)
    assert cache._patched_table("organizations", frame, keys, [added], 1) is None
    assert cache._patched_table("organizations", frame, [*keys[:-1], "lib"], [change], 1) is None
    renamed = frame.rename(columns={"notes": "remarks"})
    assert cache._patched_table("organizations", renamed, keys, [change], 1) is None
    # A row coming back from retirement goes back to its old place, which only the store knows.
    retired = {**change.before, "_retired": {"on": "2026-11-30", "reason": "closed"}}
    back = edits.RowChange(change.table, change.key, retired, change.before)
    without = frame[frame["org_id"] != "lonely"].reset_index(drop=True)
    assert cache._patched_table("organizations", without, keys[:-1], [back], 1) is None


def test_notes_reuse_the_analyses_and_a_new_tie_recomputes_them(tmp_path, monkeypatch, fresh_cache):
    db = _store_of_tiny_city(tmp_path, monkeypatch)
    calls = {"gaps": 0}
    find_gaps = analysis.find_gaps

    def counting(*args, **kwargs):
        calls["gaps"] += 1
        return find_gaps(*args, **kwargs)

    monkeypatch.setattr(analysis, "find_gaps", counting)
    first = cache.snapshot()
    products = (cache.tables, cache.index, cache.gaps, cache.brokerage, cache.counts)
    before = [get(first) for get in products]
    ranked, covered = cache.ranking(first), cache.coverage(first)
    tie_note = lambda c: edits.change(c, "ties", "legal|lib|partnership", {"notes": "monthly"})  # noqa: E731
    for edit in (EDITS["note on an organization"], tie_note):
        snap = _save(db, edit)
        assert snap.version > first.version
        assert cache.analysis_key(snap) == cache.analysis_key(first)
        assert all(get(snap) is old for get, old in zip(products, before, strict=True))
        assert cache.ranking(snap) is ranked and cache.coverage(snap) is covered
    assert calls["gaps"] == 1
    # What shows notes is still per version: the graph carries the new note.
    assert cache.graph(snap).edges["lib", "legal", "partnership"]["notes"] == "monthly"

    snap = _save(db, EDITS["new partnership"])
    assert cache.analysis_key(snap).version == snap.version
    assert cache.gaps(snap) is not before[2] and calls["gaps"] == 2
    # By hand: the Lonely Shop had no partner, now only the clinic (peripheral); the clinic had
    # one (Birch Legal Aid), now two: no longer on the list.
    was, now = (g.isolated.set_index("id") for g in (before[2], cache.gaps(snap)))
    assert was.loc["lonely", "kind"] == "isolated" and was.loc["clinic", "kind"] == "peripheral"
    assert now.loc["lonely", "kind"] == "peripheral" and "clinic" not in now.index
    assert now.loc["lonely", "partner_names"] == ["Dogwood Clinic"]
    assert cache.counts(snap)["partnerships"] == before[4]["partnerships"] + 1 == 5
    assert cache.brokerage(snap).loc["lonely", "degree"] == 1  # was 0, by hand
    assert before[3].loc["lonely", "degree"] == 0
    with pytest.raises(AnalysisError, match="use one of analysed, linked, placed"):
        cache.analysis_key(snap, "notes")


def test_names_committees_and_places_are_seen_by_what_shows_them(
    tmp_path, monkeypatch, fresh_cache
):
    db = _store_of_tiny_city(tmp_path, monkeypatch)
    first = cache.snapshot()
    gaps, placed = cache.gaps(first), cache.positions(first)
    assert cache.candidate_count(first) == 3  # cedar, birch, dogwood have no active committee
    assert cache.ranking(first).candidates["neighborhood_id"].tolist()[0] == "cedar"
    assert cache.filter_options(first)["sectors"][:2] == ["business", "faith"]

    snap = _save(db, EDITS["organization placed"])  # lat/lon: only the layout reads them
    assert cache.gaps(snap) is gaps
    assert cache.analysis_key(snap, "placed") != cache.analysis_key(first, "placed")
    assert cache.positions(snap) is not placed
    assert cache.positions(snap)["clinic"] != placed["clinic"]

    placed, brokers = cache.positions(snap), cache.brokerage(snap)
    snap = _save(db, EDITS["organization renamed"])  # names are shown: recomputed
    assert cache.gaps(snap) is not gaps
    # ... but the layout and the brokerage figures show no name: kept.
    assert cache.positions(snap) is placed and cache.brokerage(snap) is brokers
    names = cache.gaps(snap).isolated.set_index("id")["name"]
    assert names["assoc"] == "Alder Block Club"
    assert cache.index(snap).names["assoc"] == "Alder Block Club"

    snap = _save(db, EDITS["committee active"])  # a status is analysed: recomputed
    assert cache.candidate_count(snap) == 2
    ranked = cache.ranking(snap)
    assert ranked.candidates["neighborhood_id"].tolist() == ["dogwood", "birch"]
