"""The Import page: an upload is checked, previewed, and applied as one version (or not at all).

Driven with AppTest on a store holding the tiny city (tests/tiny_city.py); the upload goes
through the page's real ``st.file_uploader`` (AppTest's ``set_value``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition.exports import export_bytes
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
IMPORT = "coalition/dashboard/import_page.py"
TIMEOUT = 120

NEW_TIE = (
    b"source_id,target_id,tie_type,kind,strength,source,source_date\n"
    b"clinic,lonely,partnership,health fair,2,working session,2026-11\n"
)


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "import.db"
    open_store(path).replace_city(make_tiny_city())
    return path


@pytest.fixture
def import_page(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(IMPORT).run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


def plain(text: str) -> str:
    """A message without its markdown escapes."""
    return text.replace("\\", "")


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_before_an_upload_nothing_can_be_applied(import_page):
    assert import_page.title[0].value == "Import"
    assert "Choose a file" in import_page.info[0].value
    assert not buttons(import_page)


def test_an_upload_with_errors_shows_the_report_and_changes_nothing(import_page, db):
    bad = NEW_TIE.replace(b"lonely", b"nobody") + b"clinic,lib,partnership,,9,s,2026\n"
    at = upload(import_page, "ties.csv", bad)
    assert "2 problem(s) in ties.csv: nothing was imported" in plain(at.error[0].value)
    report = at.dataframe[0].value
    assert report["File"].tolist() == ["ties.csv", "ties.csv"]
    assert report["Row"].tolist() == [2, 3]
    assert report["Column"].tolist() == ["target_id", "strength"]
    assert "nobody" in report["Value"].tolist()
    assert not [label for label in buttons(at) if label.startswith("Apply")]
    assert open_store(db).version() == 1


def test_a_table_import_applied_adds_one_version_and_the_tie(import_page, db):
    import_page.session_state["editor_name"] = "Ana"
    at = upload(import_page, "new ties.csv", NEW_TIE)
    assert at.selectbox(key="import_table").value == "ties"
    counts = at.dataframe[0].value.set_index("Table")
    assert counts.loc["ties"].tolist() == [1, 0, 0]
    assert counts.drop(index="ties").to_numpy().sum() == 0
    rows = at.dataframe[1].value
    assert rows["Name"].tolist() == ["Dogwood Clinic — partnership — Lonely Shop"]
    at.button(key="import_apply").click().run()
    assert not at.exception and not at.error
    assert "Imported new ties.csv as data version 2: 1 row(s) changed" in plain(at.success[0].value)
    store = open_store(db)
    assert store.version() == 2
    tie = store.graph()["clinic"]["lonely"]["partnership"]
    assert tie["kind"] == "health fair" and tie["strength"] == 2
    assert len(store.read_city().tables["ties"]) == 18  # the tiny city has 17
    latest = store.versions().iloc[0]
    assert latest[["version", "what", "who", "kind"]].tolist() == [
        2,
        "imported new ties.csv",
        "Ana",
        "import",
    ]
    assert [(c.kind, c.key) for c in store.changes_in(2)] == [
        ("added", "clinic|lonely|partnership")
    ]
    assert at.file_uploader[0].value is None  # emptied for the next file


def test_a_change_saved_meanwhile_stops_the_import_until_it_is_checked_again(import_page, db):
    from coalition import edits

    at = upload(import_page, "ties.csv", NEW_TIE)
    store = open_store(db)
    city = store.read_city()
    store.apply(
        edits.change(city, "organizations", "lonely", {"name": "Lonely Bookshop"}),
        what="renamed",
        who="Bo",
    )
    at.button(key="import_apply").click().run()
    assert "Someone saved a change" in at.warning[0].value
    assert store.version() == 2  # nothing imported
    rows = at.dataframe[1].value  # checked again against version 2
    assert rows["Name"].tolist() == ["Dogwood Clinic — partnership — Lonely Bookshop"]
    at.button(key="import_apply").click().run()
    assert not at.exception and not at.error
    assert store.version() == 3
    assert store.graph().has_edge("clinic", "lonely")


def test_a_whole_city_zip_applied_replaces_it_as_one_version(import_page, db):
    city = make_tiny_city()
    orgs = city.tables["organizations"]
    city.tables["organizations"] = orgs.assign(
        name=orgs["name"].where(orgs["org_id"] != "lonely", "Lonely Bookshop")
    )
    at = upload(import_page, "tiny.zip", export_bytes(city, "csv"), "application/zip")
    assert "tiny.zip passed every check" in plain(at.success[0].value)
    counts = at.dataframe[0].value.set_index("Table")
    assert counts.loc["organizations"].tolist() == [0, 1, 0]
    assert counts.to_numpy().sum() == 1
    assert at.dataframe[1].value["What changes"].tolist() == ["name: Lonely Shop → Lonely Bookshop"]
    at.button(key="import_apply").click().run()
    assert not at.exception and not at.error
    store = open_store(db)
    assert store.version() == 2
    assert store.graph().nodes["lonely"]["name"] == "Lonely Bookshop"
    assert store.versions().iloc[0][["what", "kind"]].tolist() == ["imported tiny.zip", "import"]


def test_an_unchanged_city_offers_nothing_to_apply(import_page, db):
    data = export_bytes(open_store(db).read_city(), "xlsx")
    at = upload(import_page, "same.xlsx", data, "application/octet-stream")
    assert at.radio(key="import_workbook_mode").value == "city"
    assert any("nothing new" in i.value for i in at.info)
    assert "import_apply" not in [b.key for b in at.button]
    assert open_store(db).version() == 1


def test_read_only_hides_the_import_page(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(IMPORT).run()


def test_a_hostile_file_name_and_cells_are_shown_as_text(import_page, db):
    name = "[click](http://evil.example) <img src=x onerror=alert(1)>.csv"
    bad = NEW_TIE.replace(b"lonely", b"<script>alert(1)</script>")
    at = upload(import_page, name, bad)
    message = at.error[0].value
    assert re.search(r"(?<!\\)[<>]", message) is None  # markup escaped
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in message
    assert "<script>alert(1)</script>" in at.dataframe[0].value["Value"].tolist()
    assert open_store(db).version() == 1
