"""The Record page: a convener adds, changes, retires and merges any record; two people editing
the same record see both values and choose; bad entries are refused on their field."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import edits
from coalition.presenting.record import Picker
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


def open_page(monkeypatch, db: Path, name: str | None = "Ana") -> AppTest:
    """The Record page in a new browser session, the editor's name given."""
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(RECORD).run()
    assert not at.exception
    if name is not None:
        at.text_input(key="record_who").set_value(name)
        button(at, "Start editing").click().run()
        assert not at.exception
    return at


@pytest.fixture
def record_page(monkeypatch, db) -> AppTest:
    return open_page(monkeypatch, db)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def all_text(at: AppTest) -> str:
    """The page's messages and markdown, markdown escapes removed."""
    kinds = [*at.success, *at.error, *at.markdown, *at.info, *at.warning, *at.caption]
    return "\n".join(str(e.value) for e in kinds).replace("\\", "")


def choose(at: AppTest, kind: str, action: str) -> AppTest:
    at.radio(key="record_kind").set_value(kind).run()
    at.radio(key="record_action").set_value(action).run()
    assert not at.exception
    return at


def pick(at: AppTest, slot: str, key: str) -> AppTest:
    at.selectbox(key=f"pick_{slot}").set_value(key).run()
    assert not at.exception
    return at


def row(db: Path, table: str, key: str) -> dict:
    return open_store(db).row(table, key)[0]


# --- who is editing ------------------------------------------------------------------------------


def test_the_name_is_asked_once_and_kept_with_every_change(monkeypatch, db):
    at = open_page(monkeypatch, db, name=None)
    assert not at.radio, "no form before a name is given"
    button(at, "Start editing").click().run()
    assert "Please give your name" in all_text(at)
    at.text_input(key="record_who").set_value("  Ana   María ")
    button(at, "Start editing").click().run()
    assert "Editing as **Ana María**" in all_text(at)
    at.switch_page("coalition/dashboard/data_page.py").run()
    at.switch_page(RECORD).run()
    assert "Editing as **Ana María**" in all_text(at) and not [
        t for t in at.text_input if t.key == "record_who"
    ]
    choose(at, "organizations", "change")
    at.text_input(key="change_organizations_sector").set_value("public library")
    button(at, "Save the changes").click().run()
    versions = open_store(db).versions()
    assert versions.iloc[0]["who"] == "Ana María" and versions.iloc[0]["kind"] == "edit"


# --- add -----------------------------------------------------------------------------------------


def test_add_an_organization(record_page, db):
    at = choose(record_page, "organizations", "add")
    at.text_input(key="add_organizations_name").set_value("Birch Mosque")
    at.text_input(key="add_organizations_sector").set_value("faith")
    at.selectbox(key="add_organizations_orientation").set_value("immigrant_serving")
    at.multiselect(key="add_organizations_services").set_value(["english", "youth"])
    at.text_input(key="add_organizations_languages").set_value("Arabic; English")
    at.selectbox(key="add_organizations_neighborhood").set_value("birch")
    at.text_input(key="add_organizations_lat").set_value("41.77")
    at.text_input(key="add_organizations_lon").set_value("-72.68")
    at.checkbox(key="add_organizations_member").uncheck()
    at.checkbox(key="add_organizations_illustrative").check()
    button(at, "Save the new organization").click().run()
    assert not at.exception and not at.error
    assert "Saved: Added Birch Mosque" in all_text(at)
    node = open_store(db).graph().nodes["birch-mosque"]
    assert node["name"] == "Birch Mosque" and node["neighborhood"] == "birch"
    assert node["services"] == ["english", "youth"] and node["languages"] == ["Arabic", "English"]
    assert (node["lat"], node["lon"], node["member"]) == (41.77, -72.68, False)
    assert node["illustrative"] is True and node["source"].startswith("Working session")
    # The form is empty again for the next one.
    assert at.text_input(key="add_organizations_name").value == ""


def test_record_a_partnership(record_page, db):
    at = choose(record_page, "ties", "add")
    at.selectbox(key="add_tie_type").set_value("partnership").run()
    pick(at, "tie_from", "clinic")
    pick(at, "tie_to", "lonely")
    at.text_input(key="add_ties_kind").set_value("joint health fair")
    button(at, "Save the new tie").click().run()
    assert not at.exception and not at.error
    assert "Saved: Added partnership Dogwood Clinic – Lonely Shop" in all_text(at)
    store = open_store(db)
    assert store.version() == 2
    tie = store.graph()["clinic"]["lonely"]["partnership"]
    assert tie["kind"] == "joint health fair" and tie["strength"] == 2


def test_the_choices_follow_the_tie_type(record_page):
    at = choose(record_page, "ties", "add")
    at.selectbox(key="add_tie_type").set_value("mentors").run()
    assert at.selectbox(key="pick_tie_from").options == ["Navigator One"]
    assert at.selectbox(key="pick_tie_to").options == [
        "Karen refugees",
        "Latino newcomers",
        "Long-time residents",
    ]


def test_the_picker_finds_as_you_type(record_page):
    at = choose(record_page, "organizations", "change")
    assert len(at.selectbox(key="pick_change_organizations").options) == 6
    at.text_input(key="pick_change_organizations_find").set_value("legal").run()
    assert at.selectbox(key="pick_change_organizations").options == ["Birch Legal Aid"]
    assert at.text_input(key="change_organizations_name").value == "Birch Legal Aid"
    at.text_input(key="pick_change_organizations_find").set_value("alder").run()
    assert at.selectbox(key="pick_change_organizations").options == [
        "Alder Library",
        "Alder Neighbors",
    ]
    at.text_input(key="pick_change_organizations_find").set_value("qqqq").run()
    assert "Nothing matches" in all_text(at) and not at.get("form")


def test_add_a_community_a_navigator_and_a_committee(record_page, db):
    at = choose(record_page, "communities", "add")
    at.text_input(key="add_communities_name").set_value("Bhutanese families")
    at.selectbox(key="add_communities_community_kind").set_value("immigrant")
    at.text_input(key="add_communities_languages").set_value("Nepali")
    at.text_input(key="add_communities_estimated_residents").set_value("120")
    button(at, "Save the new community").click().run()
    assert not at.error
    assert row(db, "communities", "bhutanese-families")["estimated_residents"] == 120

    choose(at, "navigators", "add")
    assert "record an alias only" in all_text(at)
    at.text_input(key="add_navigators_alias").set_value("Navigator B")
    at.selectbox(key="add_navigators_neighborhood").set_value("birch")
    button(at, "Save the new cultural navigator").click().run()
    assert not at.error
    assert row(db, "navigators", "navigator-b")["neighborhood"] == "birch"

    choose(at, "committees", "add")
    at.text_input(key="add_committees_name").set_value("Birch Welcoming Committee")
    at.selectbox(key="add_committees_neighborhood").set_value("birch")
    button(at, "Save the new welcoming committee").click().run()
    assert not at.error
    added = row(db, "committees", "birch-welcoming-committee")
    assert added["status"] == "forming" and added["neighborhood"] == "birch"


# --- change --------------------------------------------------------------------------------------


def test_change_an_organization(record_page, db):
    at = choose(record_page, "organizations", "change")
    pick(at, "change_organizations", "lonely")
    assert at.text_input(key="change_organizations_name").value == "Lonely Shop"
    at.multiselect(key="change_organizations_services").set_value(["employment"])
    at.text_input(key="change_organizations_languages").set_value("English; Karen")
    at.selectbox(key="change_organizations_neighborhood").set_value("cedar")
    at.text_input(key="change_organizations_lat").set_value("41.5")
    at.checkbox(key="change_organizations_member").uncheck()
    button(at, "Save the changes").click().run()
    assert not at.exception and not at.error
    assert "Saved: Changed Lonely Shop: services, languages, neighborhood, lat, member" in all_text(
        at
    )
    stored = row(db, "organizations", "lonely")
    assert stored["services"] == ["employment"] and stored["languages"] == ["English", "Karen"]
    assert (stored["neighborhood"], stored["lat"], stored["member"]) == ("cedar", 41.5, False)
    assert stored["name"] == "Lonely Shop"  # untouched fields stay


def test_nothing_changed_saves_nothing(record_page, db):
    at = choose(record_page, "organizations", "change")
    button(at, "Save the changes").click().run()
    assert "Nothing to save" in all_text(at)
    assert open_store(db).version() == 1


def test_a_problem_is_shown_on_its_field(record_page, db):
    at = choose(record_page, "organizations", "change")
    at.text_input(key="change_organizations_lat").set_value("north")
    at.text_input(key="change_organizations_name").set_value("")
    button(at, "Save the changes").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("Latitude (WGS84): Not a number") for e in errors)
    assert any(e.startswith("Name:") for e in errors)
    summary = errors[0].replace("\\", "")
    assert summary.startswith("Not saved") and "Latitude (WGS84): Not a number" in summary
    assert "organizations.csv" not in summary and "row " not in summary
    assert open_store(db).version() == 1
    # What was typed stays, to be fixed.
    assert at.text_input(key="change_organizations_lat").value == "north"


def test_an_entry_without_a_source_is_refused_and_nothing_changes(record_page, db):
    at = choose(record_page, "ties", "add")
    at.selectbox(key="add_tie_type").set_value("partnership").run()
    pick(at, "tie_from", "clinic")
    pick(at, "tie_to", "lonely")
    at.text_input(key="add_ties_source").set_value("")
    button(at, "Save the new tie").click().run()
    assert "Source: who said it" in at.error[0].value.replace("\\", "")
    assert open_store(db).version() == 1


def test_a_tie_to_itself_is_refused(record_page, db):
    at = choose(record_page, "ties", "add")
    at.selectbox(key="add_tie_type").set_value("partnership").run()
    pick(at, "tie_from", "lib")
    pick(at, "tie_to", "lib")
    button(at, "Save the new tie").click().run()
    assert "itself" in at.error[0].value
    assert open_store(db).version() == 1


def test_change_a_tie(record_page, db):
    at = choose(record_page, "ties", "change")
    pick(at, "change_ties", "legal")
    at.selectbox(key="pick_change_ties_tie").set_value("legal|lib|partnership").run()
    assert at.selectbox(key="change_ties_strength").value == 3
    at.selectbox(key="change_ties_strength").set_value(1)
    at.text_input(key="change_ties_since").set_value("2019-05")
    button(at, "Save the changes").click().run()
    assert not at.error
    stored = row(db, "ties", "legal|lib|partnership")
    assert (stored["strength"], stored["since"]) == (1, "2019-05")


# --- retire, status, merge -----------------------------------------------------------------------


def test_a_partnership_ended(record_page, db):
    at = choose(record_page, "ties", "retire")
    pick(at, "retire_ties", "clinic")
    at.selectbox(key="pick_retire_ties_tie").set_value("clinic|legal|partnership").run()
    at.text_input(key="retire_reason").set_value("the grant ended")
    at.date_input(key="retire_on").set_value(dt.date(2026, 10, 1))
    button(at, "This tie ended").click().run()
    assert not at.error
    assert "Saved: Retired partnership" in all_text(at)
    stored = row(db, "ties", "clinic|legal|partnership")
    assert stored["_retired"] == {"on": "2026-10-01", "reason": "the grant ended"}
    assert not open_store(db).graph().has_edge("legal", "clinic")


def test_retire_an_organization_ends_its_ties_and_needs_a_reason(record_page, db):
    at = choose(record_page, "organizations", "retire")
    pick(at, "retire_organizations", "clinic")
    assert "ends its 2 ties" in all_text(at)
    button(at, "Retire this organization").click().run()
    assert any(e.value.startswith("Why (for example") for e in at.error)
    assert open_store(db).version() == 1
    at.text_input(key="retire_reason").set_value("closed")
    button(at, "Retire this organization").click().run()
    assert not at.error
    store = open_store(db)
    assert row(db, "organizations", "clinic")["_retired"]["reason"] == "closed"
    assert row(db, "ties", "clinic|karen|serves_community")["_retired"] is not None
    assert "clinic" not in store.graph()


def test_committee_status_with_its_date(record_page, db):
    at = choose(record_page, "committees", "status")
    pick(at, "status_committees", "wc-cedar")
    assert "Now: **Forming**" in all_text(at)
    at.radio(key="status_status").set_value("active")
    at.date_input(key="status_on").set_value(dt.date(2026, 11, 2))
    button(at, "Save the status").click().run()
    assert not at.error
    stored = row(db, "committees", "wc-cedar")
    assert (stored["status"], stored["source_date"]) == ("active", "2026-11-02")
    at.radio(key="status_status").set_value("paused")
    button(at, "Save the status").click().run()
    assert row(db, "committees", "wc-cedar")["status"] == "paused"
    assert open_store(db).version() == 3


def test_merge_shows_what_moves_then_merges(record_page, db):
    at = choose(record_page, "organizations", "merge")
    pick(at, "merge_organizations_keep", "lib")
    pick(at, "merge_organizations_drop", "assoc")
    shown = all_text(at)
    assert "Ends: Alder Library works with Alder Neighbors" in shown
    assert "Ends: Alder Neighbors sits on Alder Welcoming Committee" in shown
    assert "New: Alder Library sits on Alder Welcoming Committee" in shown
    assert "Retired: Alder Neighbors (merged into Alder Library)" in shown
    assert open_store(db).version() == 1, "nothing is saved before confirming"
    button(at, "Merge the two").click().run()
    assert not at.error
    store = open_store(db)
    assert row(db, "organizations", "assoc")["_retired"]["reason"] == "merged into Alder Library"
    assert store.graph().has_edge("lib", "wc-alder") and "assoc" not in store.graph()


# --- undo ----------------------------------------------------------------------------------------


def test_undo_my_last_change(record_page, db):
    at = record_page
    button(at, "Undo my last change").click().run()
    assert "nothing of yours to undo" in all_text(at)
    choose(at, "organizations", "change")
    pick(at, "change_organizations", "lonely")
    at.text_input(key="change_organizations_name").set_value("Lonely Corner Shop")
    button(at, "Save the changes").click().run()
    assert row(db, "organizations", "lonely")["name"] == "Lonely Corner Shop"
    button(at, "Undo my last change").click().run()
    assert not at.exception
    assert "Undone (undid version 2: Changed Lonely Corner Shop: name" in all_text(at)
    assert row(db, "organizations", "lonely")["name"] == "Lonely Shop"
    assert at.text_input(key="change_organizations_name").value == "Lonely Shop"
    # Pressing again does not redo it: there is nothing more of Ana's to undo.
    button(at, "Undo my last change").click().run()
    assert "nothing of yours to undo" in all_text(at)
    assert row(db, "organizations", "lonely")["name"] == "Lonely Shop"


def test_undo_says_what_changed_since(monkeypatch, db):
    ana = choose(open_page(monkeypatch, db, "Ana"), "organizations", "change")
    pick(ana, "change_organizations", "lonely")
    ana.text_input(key="change_organizations_sector").set_value("shop")
    button(ana, "Save the changes").click().run()
    bo = choose(open_page(monkeypatch, db, "Bo"), "organizations", "change")
    pick(bo, "change_organizations", "lonely")
    bo.text_input(key="change_organizations_sector").set_value("corner shop")
    button(bo, "Save the changes").click().run()
    button(ana, "Undo my last change").click().run()
    said = ana.warning[0].value.replace("\\", "")
    assert said.startswith("Not undone") and "Lonely Shop (version 3 by Bo" in said
    assert row(db, "organizations", "lonely")["sector"] == "corner shop"


# --- two people, one record ----------------------------------------------------------------------


def two_editors_on_lib(monkeypatch, db) -> tuple[AppTest, AppTest]:
    """Ana and Bo both open Alder Library's form at version 1; Ana saves a new name first."""
    ana = choose(open_page(monkeypatch, db, "Ana"), "organizations", "change")
    bo = choose(open_page(monkeypatch, db, "Bo"), "organizations", "change")
    ana.text_input(key="change_organizations_name").set_value("Alder Public Library")
    button(ana, "Save the changes").click().run()
    assert open_store(db).version() == 2
    bo.text_input(key="change_organizations_name").set_value("Alder **Branch** | Library")
    bo.multiselect(key="change_organizations_services").set_value(["english", "legal"])
    button(bo, "Save the changes").click().run()
    assert not bo.exception
    return ana, bo


def test_a_stale_form_shows_both_values(monkeypatch, db):
    _, bo = two_editors_on_lib(monkeypatch, db)
    assert open_store(db).version() == 2, "nothing of Bo's saved yet"
    assert "Someone saved the same record" in bo.warning[0].value
    table = next(m.value for m in bo.markdown if "| Field | Yours | Theirs |" in m.value)
    # Both values, escaped (Bo's asterisks and bar stay text, not bold or a new column).
    assert "| Name | Alder \\*\\*Branch\\*\\* \\| Library | Alder Public Library |" in table
    assert "| Kinds of help it offers | english; legal | english; citizenship |" in table
    assert "changed in data version 2 by Ana" in all_text(bo)


def test_keep_mine_saves_on_top_of_theirs(monkeypatch, db):
    _, bo = two_editors_on_lib(monkeypatch, db)
    button(bo, "Keep mine").click().run()
    assert not bo.exception and not bo.warning
    stored = row(db, "organizations", "lib")
    assert stored["name"] == "Alder **Branch** | Library"
    assert stored["services"] == ["english", "legal"]
    store = open_store(db)
    assert store.version() == 3 and store.versions().iloc[0]["who"] == "Bo"
    assert (
        store.read_version(2).tables["organizations"].set_index("org_id").loc["lib", "name"]
        == "Alder Public Library"
    ), "Ana's version is kept"


def test_keep_theirs_discards_mine(monkeypatch, db):
    _, bo = two_editors_on_lib(monkeypatch, db)
    button(bo, "Keep theirs").click().run()
    assert not bo.warning and "Kept theirs" in all_text(bo)
    assert open_store(db).version() == 2
    assert row(db, "organizations", "lib")["name"] == "Alder Public Library"
    assert bo.text_input(key="change_organizations_name").value == "Alder Public Library"
    # The form now reads the current version: Bo's next save goes through.
    bo.text_area(key="change_organizations_notes").set_value("Opens Sundays")
    button(bo, "Save the changes").click().run()
    assert not bo.warning and row(db, "organizations", "lib")["notes"] == "Opens Sundays"


def test_different_records_never_conflict(monkeypatch, db):
    ana = choose(open_page(monkeypatch, db, "Ana"), "organizations", "change")
    bo = choose(open_page(monkeypatch, db, "Bo"), "organizations", "change")
    pick(bo, "change_organizations", "legal")
    ana.text_input(key="change_organizations_sector").set_value("public library")
    bo.text_input(key="change_organizations_sector").set_value("legal aid")
    button(ana, "Save the changes").click().run()
    button(bo, "Save the changes").click().run()
    assert not ana.warning and not bo.warning
    assert row(db, "organizations", "lib")["sector"] == "public library"
    assert row(db, "organizations", "legal")["sector"] == "legal aid"
    assert open_store(db).version() == 3


def test_a_record_retired_since_is_a_conflict(monkeypatch, db):
    ana = choose(open_page(monkeypatch, db, "Ana"), "organizations", "change")
    pick(ana, "change_organizations", "lonely")
    bo = choose(open_page(monkeypatch, db, "Bo"), "organizations", "retire")
    pick(bo, "retire_organizations", "lonely")
    bo.text_input(key="retire_reason").set_value("closed")
    button(bo, "Retire this organization").click().run()
    ana.text_input(key="change_organizations_sector").set_value("shop")
    button(ana, "Save the changes").click().run()
    table = next(m.value for m in ana.markdown if "| Field | Yours | Theirs |" in m.value)
    assert "| Retired | (you did not change it) | retired on" in table.replace("\\", "")
    button(ana, "Keep theirs").click().run()
    assert row(db, "organizations", "lonely")["sector"] == "business"


def test_read_only_hides_the_record_page(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(RECORD).run()
    at.switch_page("coalition/dashboard/data_page.py").run()  # the read-only pages remain
    assert not at.exception and at.title[0].value == "Data"


def test_a_new_record_never_takes_a_retired_ones_id(record_page, db):
    store = open_store(db)
    city = store.read_city()
    store.apply(
        edits.retire(city, "organizations", "clinic", reason="closed", on="2026-01-05"),
        what="Retired Dogwood Clinic",
    )
    at = record_page
    at.run()
    choose(at, "organizations", "add")
    at.text_input(key="add_organizations_name").set_value("Clinic")
    at.text_input(key="add_organizations_sector").set_value("health")
    at.selectbox(key="add_organizations_orientation").set_value("both")
    button(at, "Save the new organization").click().run()
    assert not at.error
    assert row(db, "organizations", "clinic-2")["name"] == "Clinic"
    assert row(db, "organizations", "clinic")["_retired"]["reason"] == "closed"


def test_the_picker_shows_the_best_50_of_10000_names():
    names = {f"org-{i:05d}": f"Organization {i}" for i in range(1, 10_001)}
    picker = Picker(names)
    assert len(picker.matches("")) == 50
    assert picker.matches("Organization 424")[:3] == ["org-00424", "org-04240", "org-04241"]
    assert len(picker.matches("Organization 4")) == 50
    assert picker.matches("organisation 4242")[0] == "org-04242"  # a misspelling
    assert picker.matches("org-07777")[0] == "org-07777"  # the id works too
    assert picker.matches("nothing like it") == []


def test_an_unsettled_conflict_stays_while_another_record_is_saved(monkeypatch, db):
    _, bo = two_editors_on_lib(monkeypatch, db)
    pick(bo, "change_organizations", "legal")
    bo.text_input(key="change_organizations_sector").set_value("legal aid")
    button(bo, "Save the changes").click().run()
    assert "Saved: Changed Birch Legal Aid: sector" in all_text(bo)
    assert "Someone saved the same record" in bo.warning[0].value, "Bo has not chosen yet"
    button(bo, "Keep mine").click().run()
    assert not bo.warning
    assert row(db, "organizations", "lib")["services"] == ["english", "legal"]


def test_retiring_a_record_changed_since_asks_first(monkeypatch, db):
    ana = choose(open_page(monkeypatch, db, "Ana"), "organizations", "retire")
    pick(ana, "retire_organizations", "lonely")
    bo = choose(open_page(monkeypatch, db, "Bo"), "organizations", "change")
    pick(bo, "change_organizations", "lonely")
    bo.text_input(key="change_organizations_sector").set_value("shop")
    button(bo, "Save the changes").click().run()
    ana.text_input(key="retire_reason").set_value("closed")
    button(ana, "Retire this organization").click().run()
    table = next(m.value for m in ana.markdown if "| Field | Yours | Theirs |" in m.value)
    table = table.replace("\\", "")
    assert (
        "| Sector (library, nonprofit, faith, school, health…) | (you did not change it) | shop |"
        in table
    )
    assert "| Retired | retired on " in table and ": closed | not retired |" in table
    assert row(db, "organizations", "lonely")["_retired"] is None
    button(ana, "Keep mine").click().run()
    stored = row(db, "organizations", "lonely")
    assert stored["_retired"]["reason"] == "closed" and stored["sector"] == "shop"


HOSTILE = "<img src=x onerror=alert(1)> [x](http://e.example/x.png) **b** | c $x$ :red[r]"
RAW = ("<img", "[x](", "**b**", "$x$", ":red[")


def shown_texts(at: AppTest) -> list[str]:
    """The page's markdown and messages, as handed to the browser; none holds raw markdown."""
    assert not at.exception
    texts = [str(e.value) for e in [*at.markdown, *at.success, *at.warning, *at.info]]
    unescaped = [t for t in texts for raw in RAW if re.search(r"(?<!\\)" + re.escape(raw), t)]
    assert not unescaped, "unescaped markdown"
    return texts


def read_as_text(texts: list[str]) -> str:
    return "\n".join(texts).replace("\\", "").replace("\u2060", "")


def test_hostile_names_stay_text_on_the_page(monkeypatch, db):
    store = open_store(db)
    store.apply(
        edits.change(store.read_city(), "organizations", "lib", {"name": HOSTILE}), what="x"
    )
    ana = choose(open_page(monkeypatch, db, "Ana"), "organizations", "change")
    bo = choose(open_page(monkeypatch, db, "Bo"), "organizations", "change")
    assert ana.text_input(key="change_organizations_name").value == HOSTILE
    ana.text_input(key="change_organizations_name").set_value(HOSTILE + " 2")
    button(ana, "Save the changes").click().run()
    assert "Saved: Changed " + HOSTILE + " 2: name" in read_as_text(shown_texts(ana))
    bo.text_input(key="change_organizations_name").set_value("Plain")
    button(bo, "Save the changes").click().run()
    assert "| Plain | " + HOSTILE + " 2 |" in read_as_text(shown_texts(bo))
    choose(ana, "organizations", "merge")
    pick(ana, "merge_organizations_keep", "assoc")
    pick(ana, "merge_organizations_drop", "lib")
    preview = read_as_text(shown_texts(ana))
    assert f"Retired: {HOSTILE} 2 (merged into Alder Neighbors)" in preview


def test_a_kind_with_no_records_says_so(record_page, db):
    store = open_store(db)
    store.apply(
        edits.retire(store.read_city(), "navigators", "nav1", reason="moved", on="2026-11-01"),
        what="Retired Navigator One",
    )
    at = choose(record_page, "ties", "add")
    at.selectbox(key="add_tie_type").set_value("mentors").run()
    assert "There is no cultural navigator to choose yet" in all_text(at)
    assert not at.get("form"), "no form without both ends"
