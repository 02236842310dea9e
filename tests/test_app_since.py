"""The Network and Map pages' "Show changes since", driven with AppTest on the tiny city.

Tiny city by hand (tests/tiny_city.py): version 1 is the loaded city, named "March convening";
version 2 records one partnership, Dogwood Clinic – Lonely Shop (both in Dogwood), so since the
meeting: 1 new tie, none ended, no new organization, 1 neighborhood (Dogwood) changed.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import edits
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
NETWORK = "coalition/dashboard/network.py"
MAP = "coalition/dashboard/map.py"
TIMEOUT = 120
MEETING = "March convening"
TIE = {
    "source_id": "clinic",
    "target_id": "lonely",
    "tie_type": "partnership",
    "source": "working session",
    "source_date": "2026-11",
}
SENTENCE = "Since March convening: 1 new tie, 0 ended, 0 new organizations, 1 neighborhood changed."


def record_tie(path: Path) -> None:
    store = open_store(path)
    store.apply(edits.add(store.read_city(), "ties", TIE), what="Recorded: clinic – lonely")


@pytest.fixture
def db(tmp_path) -> Path:
    """Version 1 (the tiny city) named as the meeting, then one tie recorded (version 2)."""
    path = tmp_path / "since.db"
    store = open_store(path)
    store.replace_city(make_tiny_city())
    store.name_meeting(MEETING)
    record_tie(path)
    return path


def open_page(monkeypatch, db: Path, page: str) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.caption).replace("\\", "")


def network_html(at: AppTest) -> str:
    (frame,) = at.get("iframe")
    return frame.proto.srcdoc


def edges(page: str) -> list[dict]:
    return json.loads(re.search(r"var edgeList = (\[.*?\]);\n", page, re.DOTALL).group(1))


def map_args(at: AppTest) -> str:
    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    return args["script"] + args["html"] + args["header"]


def test_the_network_offers_the_meeting_and_draws_one_new_tie(monkeypatch, db):
    at = open_page(monkeypatch, db, NETWORK)
    since = at.selectbox(key="net_since")
    assert since.options[:3] == [
        "Nothing: draw no changes",
        "March convening (meeting, version 1)",
        since.options[2],
    ]
    assert since.options[2].startswith("version 2 — ") and len(since.options) == 4
    assert since.value == "meeting:March convening"  # the latest meeting, by default
    page = network_html(at)
    assert "1 new tie since March convening" in page
    assert "0 ended ties (dashed)" in page
    assert SENTENCE in captions(at)
    at.selectbox(key="net_since").set_value("").run()
    assert "wbh-since" not in network_html(at) and "Since March" not in captions(at)


def test_a_partnership_ended_after_the_meeting_is_dashed_with_its_reason(monkeypatch, db):
    store = open_store(db)
    store.apply(
        edits.retire(
            store.read_city(),
            "ties",
            "church|lib|partnership",
            reason="funding stopped",
            on="2026-11-30",
        ),
        what="Ended: lib – church",
    )
    at = open_page(monkeypatch, db, NETWORK)
    page = network_html(at)
    assert "1 new tie since March convening" in page and "1 ended tie (dashed)" in page
    assert "ended 2026-11-30: funding stopped" in page
    assert "Since March convening: 1 new tie, 1 ended" in captions(at)


def test_without_a_meeting_nothing_is_drawn_until_a_version_is_chosen(monkeypatch, tmp_path):
    path = tmp_path / "plain.db"
    open_store(path).replace_city(make_tiny_city())
    record_tie(path)
    at = open_page(monkeypatch, path, NETWORK)
    since = at.selectbox(key="net_since")
    assert since.value == "" and "wbh-since" not in network_html(at)
    since.set_value("version:1").run()
    assert not at.exception
    assert "1 new tie since version 1" in network_html(at)
    assert "Since version 1: 1 new tie" in captions(at)


def test_the_map_outlines_the_changed_neighborhood(monkeypatch, db):
    at = open_page(monkeypatch, db, MAP)
    assert at.selectbox(key="map_since").value == "meeting:March convening"
    drawn = map_args(at)
    assert "wbh-changed" in drawn
    assert "Changed since March convening: 1 tie added, 0 ended" in drawn
    assert "1 neighborhood changed since March convening" in drawn
    assert SENTENCE in captions(at)
    at.selectbox(key="map_since").set_value("").run()
    assert "wbh-changed" not in map_args(at)


def test_a_hostile_meeting_name_stays_text(monkeypatch, tmp_path):
    name = "<img src=x onerror=alert(1)> **bold** {{7*7}} [x](javascript:alert(1))"
    path = tmp_path / "hostile.db"
    store = open_store(path)
    store.replace_city(make_tiny_city())
    store.name_meeting(name)
    record_tie(path)
    for page in (NETWORK, MAP):
        at = open_page(monkeypatch, path, page)
        box = at.selectbox(key="net_since" if page == NETWORK else "map_since")
        assert box.value == f"meeting:{name}"
        drawn = network_html(at) if page == NETWORK else map_args(at)
        assert "<img src=x" not in drawn and "{{7*7}}" not in drawn
        caption = "\n".join(str(c.value) for c in at.caption)
        assert "&lt;img" not in caption  # markdown-escaped, not HTML-escaped
        assert "**bold**" not in caption and "](javascript" not in caption
        assert "bold" in caption and "1 new tie" in caption


def test_a_whole_load_since_the_meeting_is_compared_by_key(monkeypatch, tmp_path):
    path = tmp_path / "reloaded.db"
    store = open_store(path)
    city = make_tiny_city()
    store.replace_city(city)
    store.name_meeting(MEETING)
    ties = city.tables["ties"]
    keep = ~((ties["source_id"] == "lib") & (ties["target_id"] == "church"))
    store.replace_city(dataclasses.replace(city, tables={**city.tables, "ties": ties[keep]}))
    assert store.changes_between(1, store.version()) is None  # a whole-city write lies between
    at = open_page(monkeypatch, path, NETWORK)
    page = network_html(at)
    assert "0 new ties since March convening" in page and "1 ended tie (dashed)" in page
    (ended,) = [e for e in edges(page) if e.get("dashes")]
    assert {ended["from"], ended["to"]} == {"lib", "church"}
    # A load replaces the tables (nothing is retired): no date, no reason to show.
    assert html.unescape(ended["title"]).split("\n")[2] == "ended (no longer in the data)"
    assert "Since March convening: 0 new ties, 1 ended" in captions(at)
