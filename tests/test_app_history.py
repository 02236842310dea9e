"""The Data page's "What changed" section, driven with AppTest on the tiny and hostile cities.

Tiny city by hand (tests/tiny_city.py): 4 partnerships, Lonely Shop isolated, one active
committee (Alder) reaching 400 of 1,000 foreign-born residents; Cedar's committee (300) forming.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import ingest
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DATA_PAGE = "coalition/dashboard/data_page.py"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile_city"
TIMEOUT = 120
PARTNERSHIP = {
    "source_id": "clinic",
    "target_id": "lonely",
    "tie_type": "partnership",
    "source": "working session",
    "source_date": "2026-11",
    "illustrative": "no",
}
HOSTILE_RAW = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "![pic](https://example.com/x.png)",
    "[click](javascript:alert(1))",
)


def activate_cedar(city):
    committees = city.tables["committees"].copy()
    committees.loc[committees["committee_id"] == "wc-cedar", "status"] = "active"
    return dataclasses.replace(city, tables={**city.tables, "committees": committees})


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "history.db"
    open_store(path).replace_city(make_tiny_city())
    return path


def record(db: Path) -> None:
    open_store(db).update(
        lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]),
        what="Recorded: Dogwood Clinic — works with — Lonely Shop",
    )


def open_data_page(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(DATA_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def page_text(at: AppTest) -> str:
    """Markdown, captions and alerts with the markdown escapes removed."""
    parts = [str(e.value) for kind in ("markdown", "caption", "info") for e in at.get(kind)]
    return "\n".join(parts).replace("\\", "")


def metric(at: AppTest, label: str) -> tuple[str, str | None]:
    found = [(m.value, m.delta) for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def test_a_recorded_tie_appears_as_a_sentence(monkeypatch, db):
    record(db)
    at = open_data_page(monkeypatch, db)
    since = at.selectbox(key="changes_since")
    assert since.options == [
        "version 1 — " + since.options[0].split(" — ")[1] + " — loaded Tiny Town"
    ]
    since.set_value(1).run()
    assert not at.exception
    assert "- Dogwood Clinic and Lonely Shop started working together." in page_text(at)
    assert metric(at, "Partnerships") == ("5", "+1 (was 4)")
    assert metric(at, "Isolated organizations") == ("0", "-1 (was 1)")
    assert metric(at, "Active welcoming committees") == ("1", "")  # unchanged: no delta
    table = at.dataframe[0].value
    assert table.to_dict("records") == [
        {
            "Change": "Added",
            "In": "Ties",
            "Who": "Dogwood Clinic – Lonely Shop",
            "What changed": "Dogwood Clinic and Lonely Shop started working together.",
        }
    ]


def test_an_earlier_version_shows_every_change_since_then(monkeypatch, db):
    record(db)
    open_store(db).update(activate_cedar, what="Cedar's committee is active")
    at = open_data_page(monkeypatch, db)
    since = at.selectbox(key="changes_since")
    assert [label.split(" — ", 2)[2] for label in since.options] == [
        "Recorded: Dogwood Clinic — works with — Lonely Shop",
        "loaded Tiny Town",
    ]
    assert "Cedar Welcoming Committee became active" in page_text(at)  # default: previous
    assert "started working together" not in page_text(at)
    since.set_value(1).run()
    text = page_text(at)
    assert (
        "- Cedar Welcoming Committee became active (it was forming): 300 more foreign-born "
        "residents of Cedar are reached (40% -> 70%)."
    ) in text
    assert "- Dogwood Clinic and Lonely Shop started working together." in text
    assert metric(at, "Share of foreign-born residents reached") == ("70%", "+30 points (was 40%)")
    assert metric(at, "Foreign-born residents reached") == ("700", "+300 (was 400)")


def test_the_table_filters_by_words(monkeypatch, db):
    record(db)
    open_store(db).update(activate_cedar, what="Cedar's committee is active")
    at = open_data_page(monkeypatch, db)
    at.selectbox(key="changes_since").set_value(1).run()
    assert len(at.dataframe[0].value) == 2
    at.text_input(key="changes_filter").set_value("cedar").run()
    assert at.dataframe[0].value["In"].tolist() == ["Welcoming committees"]
    at.text_input(key="changes_filter").set_value("no such words").run()
    assert at.dataframe[0].value.empty


def test_no_change_says_so(monkeypatch, db):
    open_store(db).update(lambda city: city, what="Saved again")
    at = open_data_page(monkeypatch, db)
    assert "Nothing changed between the two versions" in page_text(at)
    assert not at.dataframe[0].value.empty  # the sources table only: no table of changes
    assert "Change" not in at.dataframe[0].value.columns


def test_the_first_version_has_nothing_to_compare(monkeypatch, db):
    at = open_data_page(monkeypatch, db)
    assert "nothing to compare with yet" in page_text(at)
    assert not at.get("selectbox")


def test_hostile_names_in_changes_stay_text(monkeypatch, tmp_path):
    path = tmp_path / "hostile.db"
    store = open_store(path)
    store.replace_city(ingest.read_city(HOSTILE))
    store.update(
        lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]),
        what="Recorded: <script>alert(1)</script> ![pic](https://example.com/x.png)",
    )
    at = open_data_page(monkeypatch, path)
    body = "\n".join(str(e.value) for kind in ("markdown", "caption", "info") for e in at.get(kind))
    assert "started working together" in body
    for raw in HOSTILE_RAW:
        assert raw not in body, raw
    assert "Clinic \\!\\[pic\\]" in body  # shown, escaped
