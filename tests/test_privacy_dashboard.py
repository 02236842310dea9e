"""The dashboard's cache serves each audience its own results: public ones protected, exact ones
only to an exact disclosure (the cache is keyed on it)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import streamlit as st

from coalition import privacy
from coalition.dashboard import cache
from coalition.ingest import read_city
from coalition.store import open_store

LEAKY = Path(__file__).resolve().parent / "fixtures" / "leaky_city"
PUBLIC = privacy.Disclosure(exact=False, threshold=11)
EXACT = privacy.Disclosure(exact=True, threshold=11)


@pytest.fixture
def snap(tmp_path, monkeypatch):
    st.cache_resource.clear()
    db = tmp_path / "leaky.db"
    open_store(db).replace_city(read_city(LEAKY))
    monkeypatch.setenv("COALITION_DB", str(db))
    yield cache.snapshot()
    st.cache_resource.clear()


def _hidden(value) -> bool:
    """Hidden: its text ("fewer than 11", "withheld…", maps.protect_neighborhoods), or none."""
    return isinstance(value, str) or value is None or math.isnan(value)


def test_map_figures_hidden_for_a_viewer_only(snap):
    public = cache.neighborhoods(snap, PUBLIC)
    assert _hidden(public.loc["dunmore", "foreign_born"])
    assert _hidden(public.loc["dunmore", "foreign_born_moe"])
    assert _hidden(public.loc["dunmore", "share_foreign_born"])  # 6 / 1,753 gives 6 back
    assert _hidden(public.loc["cliffside", "foreign_born"])  # withheld: 734 - the rest
    assert public.loc["brookside", "foreign_born"] == 318
    exact = cache.neighborhoods(snap, EXACT)
    assert exact.loc["dunmore", "foreign_born"] == 6
    assert _hidden(cache.neighborhoods(snap).loc["dunmore", "foreign_born"])  # default


def test_results_are_kept_per_disclosure(snap):
    public, exact = cache.gaps(snap, PUBLIC), cache.gaps(snap, EXACT)
    assert public is not exact
    assert public.hidden and not exact.hidden
    assert cache.gaps(snap) is public  # the default is the public one
    said = " ".join(cache.coverage(snap, disclosure=PUBLIC).communities["explanation"])
    assert "Of the 9 residents" not in said and "fewer than 11" in said
    said = " ".join(cache.coverage(snap, disclosure=EXACT).communities["explanation"])
    assert "Of the 9 residents" in said


def test_a_neighborhoods_communities_are_protected_together(snap):
    _, ashgrove = cache.neighborhood_members(snap, "ashgrove", PUBLIC)
    _, brookside = cache.neighborhood_members(snap, "brookside", PUBLIC)
    here = dict(zip(ashgrove["Community"], ashgrove["Residents here"], strict=True))
    there = dict(zip(brookside["Community"], brookside["Residents here"], strict=True))
    assert here["Andean families"] == "fewer than 11"
    assert there["Andean families"] == privacy.WITHHELD_TEXT  # 419 - 412 would give 7
    assert there["Long-time residents"] == "1,240"
    _, exact = cache.neighborhood_members(snap, "ashgrove", EXACT)
    assert "7" in exact["Residents here"].tolist()


def test_gap_tables_write_the_markers(snap):
    table = cache.gap_table(snap, "language_gaps", disclosure=PUBLIC)
    assert set(table["Speakers here"]) == {"fewer than 11", privacy.WITHHELD_TEXT}
    table = cache.gap_table(snap, "language_gaps", disclosure=EXACT)
    assert set(table["Speakers here"]) == {"9", "412"}
