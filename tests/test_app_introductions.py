"""The Gaps page's section "Introductions: who should meet", driven with AppTest.

The tiny city's ranking is worked out in tests/test_introductions.py: church - clinic first.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import element_texts
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import privacy
from coalition.dashboard import PAGES
from coalition.model import CityData
from coalition.presenting.text import md
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
GAPS = next(f"coalition/dashboard/{file}" for file, _, url in PAGES if url == "gaps")
TIMEOUT = 120
HOSTILE = "**Bold** <script>alert(1)</script> [x](http://evil.example) {{7*7}}"


def city_with(rename=None, organizations=(), karen_here=None, clinic_languages=None) -> CityData:
    city = make_tiny_city()
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    orgs = tables["organizations"]
    template = orgs.iloc[0].to_dict()
    orgs = pd.concat([orgs, pd.DataFrame([{**template, **o} for o in organizations])])
    orgs = orgs.reset_index(drop=True)
    if rename:
        orgs["name"] = [rename.get(o, n) for o, n in zip(orgs["org_id"], orgs["name"], strict=True)]
    if clinic_languages is not None:
        orgs["languages"] = [
            clinic_languages if o == "clinic" else v
            for o, v in zip(orgs["org_id"], orgs["languages"], strict=True)
        ]
    tables["organizations"] = orgs
    if karen_here is not None:
        ties = tables["ties"]
        ties.loc[(ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in"), "residents"] = (
            karen_here
        )
    return CityData(city.name, tables, city.boundaries, city.metric_crs, {})


def stored(tmp_path_factory, name: str, city: CityData) -> Path:
    path = tmp_path_factory.mktemp(name) / "t.db"
    open_store(path).replace_city(city)
    return path


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    return stored(tmp_path_factory, "tiny", make_tiny_city())


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    return stored(tmp_path_factory, "hostile", city_with(rename={"clinic": HOSTILE}))


@pytest.fixture(scope="module")
def small_count_db(tmp_path_factory):
    """3 Karen refugees in Dogwood, nobody there offers Karen; a Karen center (not a member) is
    there: introducing it (an invitation) closes that language gap."""
    center = {
        "org_id": "kcenter",
        "name": "Karen Center",
        "sector": "nonprofit",
        "orientation": "immigrant_serving",
        "services": [],
        "languages": ["Karen"],
        "neighborhood": "dogwood",
        "member": False,
    }
    city = city_with(organizations=[center], karen_here=3, clinic_languages=["English"])
    return stored(tmp_path_factory, "small", city)


def gaps_page(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(GAPS).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def introductions_table(at: AppTest) -> pd.DataFrame:
    for frame in at.dataframe:
        if "Introduction" in frame.value.columns:
            return frame.value
    raise AssertionError("no introductions table on the page")


def test_the_section_ranks_pairs_and_says_why(monkeypatch, tiny_db):
    at = gaps_page(monkeypatch, tiny_db)
    assert "Introductions: who should meet" in [h.value for h in at.header]
    table = introductions_table(at)
    first = table.iloc[0]
    assert first["Introduction"] == "◇ Introduce Cedar Church and Dogwood Clinic as partners."
    assert first["Findings closed"] == 4 and first["Invite"] == "No"
    assert "Dogwood gets its first partnership" in first["Measured effect"]
    shown = " ".join(m.value for m in at.markdown)
    assert "**◇ Introduce Cedar Church and Dogwood Clinic as partners.**" in shown
    assert any("marks a pair resting on illustrative rows" in c.value for c in at.caption)


def test_the_filters_narrow_the_pairs(monkeypatch, tiny_db):
    at = gaps_page(monkeypatch, tiny_db)
    everything = introductions_table(at)
    at.selectbox(key="intro_community").set_value("karen").run()
    assert not at.exception
    karen = introductions_table(at)
    assert 0 < len(karen) < len(everything)
    pairs = karen[karen["Kind"] != "Two organizations"]["Introduction"].tolist()
    assert pairs and all("Karen refugees" in p for p in pairs)
    at.selectbox(key="intro_community").set_value(None).run()
    at.selectbox(key="intro_neighborhood").set_value("birch").run()
    birch = introductions_table(at)
    assert 0 < len(birch) < len(everything)


def test_a_viewer_sees_small_counts_hidden_and_invitations_marked(monkeypatch, small_count_db):
    monkeypatch.setattr(
        "coalition.dashboard.auth.disclosure", lambda: privacy.Disclosure(False, 11)
    )
    at = gaps_page(monkeypatch, small_count_db)
    at.selectbox(key="intro_community").set_value("karen").run()
    table = introductions_table(at)
    invited = table[table["Invite"] == "Yes"]
    assert len(invited)
    effects = " ".join(table["Measured effect"])
    assert "residents who speak Karen (fewer than 11)" in effects
    assert "(3)" not in effects
    texts = element_texts(at)
    assert any(
        "include an organization to invite" in t or "includes an organization" in t for t in texts
    )
    assert all(
        "is not a coalition member yet: invite it to join" in i for i in invited["Introduction"]
    )


def test_the_operator_sees_the_exact_count(monkeypatch, small_count_db):
    at = gaps_page(monkeypatch, small_count_db)
    at.selectbox(key="intro_community").set_value("karen").run()
    effects = " ".join(introductions_table(at)["Measured effect"])
    assert "residents who speak Karen (3)" in effects


def test_a_hostile_name_is_shown_as_text(monkeypatch, hostile_db):
    at = gaps_page(monkeypatch, hostile_db)
    sentences = [m.value for m in at.markdown]
    assert any(md(HOSTILE) in s for s in sentences)
    assert not any(HOSTILE in s for s in sentences)
    assert not any("49" in s for s in sentences)
    table = introductions_table(at)
    assert any(HOSTILE in cell for cell in table["Introduction"])  # a table cell is plain text
