"""The Record page: a convener adds a tie or an organization; bad entries are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
RECORD = "coalition/dashboard/record.py"
TIMEOUT = 120


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "record.db"
    open_store(path).replace_city(make_tiny_city())
    return path


@pytest.fixture
def record_page(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(RECORD).run()
    assert not at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def all_text(at: AppTest) -> str:
    """The page's messages and markdown, markdown escapes removed."""
    text = "\n".join(e.value for e in [*at.success, *at.error, *at.markdown, *at.info])
    return text.replace("\\", "")


def test_record_a_partnership(record_page, db):
    at = record_page
    at.selectbox(key="record_tie_type").set_value("partnership").run()
    at.selectbox(key="record_tie_from").set_value("clinic")
    at.selectbox(key="record_tie_to").set_value("lonely")
    at.text_input(key="record_tie_kind").set_value("joint health fair")
    button(at, "Save the tie").click().run()
    assert not at.exception and not at.error
    assert "Saved: Dogwood Clinic" in all_text(at) and "Lonely Shop" in all_text(at)
    store = open_store(db)
    assert store.version() == 2
    tie = store.graph()["clinic"]["lonely"]["partnership"]
    assert tie["kind"] == "joint health fair" and tie["strength"] == 2
    assert tie["source"].startswith("Working session") and tie["illustrative"] is False


def test_the_choices_follow_the_tie_type(record_page):
    at = record_page
    at.selectbox(key="record_tie_type").set_value("mentors").run()
    assert at.selectbox(key="record_tie_from").options == ["Navigator One"]
    assert at.selectbox(key="record_tie_to").options == [
        "Karen refugees",
        "Latino newcomers",
        "Long-time residents",
    ]


def test_an_entry_without_a_source_is_refused_and_nothing_changes(record_page, db):
    at = record_page
    at.selectbox(key="record_tie_type").set_value("partnership").run()
    at.selectbox(key="record_tie_from").set_value("clinic")
    at.selectbox(key="record_tie_to").set_value("lonely")
    at.text_input(key="record_tie_source").set_value("")
    button(at, "Save the tie").click().run()
    assert not at.exception
    assert "Not saved" in at.error[0].value and "source" in at.error[0].value
    assert open_store(db).version() == 1


def test_a_tie_to_itself_is_refused(record_page, db):
    at = record_page
    at.selectbox(key="record_tie_type").set_value("partnership").run()
    at.selectbox(key="record_tie_from").set_value("lib")
    at.selectbox(key="record_tie_to").set_value("lib")
    button(at, "Save the tie").click().run()
    assert "itself" in at.error[0].value
    assert open_store(db).version() == 1


def test_record_an_organization(record_page, db):
    at = record_page
    at.text_input(key="record_org_name").set_value("Birch Mosque")
    at.selectbox(key="record_org_sector").set_value("faith")
    at.radio(key="record_org_orientation").set_value("immigrant_serving")
    at.multiselect(key="record_org_services").set_value(["english", "youth"])
    at.text_input(key="record_org_languages").set_value("Arabic; English")
    at.selectbox(key="record_org_neighborhood").set_value("birch")
    at.checkbox(key="record_org_example").check()
    button(at, "Save the organization").click().run()
    assert not at.exception and not at.error
    node = open_store(db).graph().nodes["birch-mosque"]
    assert node["name"] == "Birch Mosque" and node["neighborhood"] == "birch"
    assert node["services"] == ["english", "youth"] and node["illustrative"] is True


def test_read_only_hides_the_record_page(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(RECORD).run()
    at.switch_page("coalition/dashboard/data_page.py").run()  # the read-only pages remain
    assert not at.exception and at.title[0].value == "Data"
