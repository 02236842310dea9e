"""The Survey results page, driven with AppTest on the hand-worked rounds of tests/survey_fixture.

The store holds survey_fixture.survey_city() and its rounds "spring" and "fall" (opened and
imported as the operator). Spring, by hand (survey_fixture's docstring): 3 of 5 members answered
(60%); pairs: 2 confirmed, 1 one side, 4 non-respondent; confirmed network 2 ties of 10 possible
(density 0.20), any report 7 ties (0.70) of which 6 bridge (86%); trust and value: only Alder
Neighbors has 3 raters (value (2 + 2 + 4) / 3 = 2.67, trust (2 + 3 + 4) / 3 = 3.00); Alder Library,
Birch Legal Aid and Cedar Church fewer than 3; Dogwood Clinic not rated; the network: 8 rated
ties from 3 members, value 23 / 8 = 2.88, trust 24.5 / 8 = 3.06. Fall: 5 of 5 (100%), 5 confirmed
pairs and 1 one side.

Spring here also carries profile and outside answers (they change none of the figures above):
Birch Legal Aid says it offers legal help and English (its row: legal only) and works in Cedar
(its row: Birch); Alder Library, Birch Legal Aid and Cedar Church name outside organizations.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers import element_texts
from streamlit.testing.v1 import AppTest
from survey_fixture import fall, make_round, spring, survey_city

from coalition.accounts import operator
from coalition.dashboard import auth
from coalition.dashboard import survey_results_page as page
from coalition.presenting.text import WORD_JOINER
from coalition.store import open_store
from coalition.survey.schema import outside_frame, profiles_frame

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "coalition/dashboard/survey_results_page.py"
TIMEOUT = 120
PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script> [x](http://example.com) {{7*7}}"


def spring_with_profiles():
    """Spring with Birch Legal Aid's profile answered and three outside organizations named."""
    base = spring()
    profile = {
        "round": "spring",
        "services": [],
        "languages": [],
        "neighborhoods": [],
        "answered_at": "2026-03-02T09:00:00Z",
        "channel": "html",
    }
    profiles = profiles_frame(
        [
            {**profile, "respondent": "lib"},
            {
                **profile,
                "respondent": "legal",
                "services": ["legal", "english"],
                "neighborhoods": ["cedar"],
            },
            {**profile, "respondent": "church"},
        ]
    )
    outside = outside_frame(
        [
            {"round": "spring", "respondent": "lib", "name": "Elm Food Pantry", "relation": 2},
            {"round": "spring", "respondent": "legal", "name": "elm food pantry", "relation": 3},
            {"round": "spring", "respondent": "church", "name": HOSTILE, "relation": 1},
            {"round": "spring", "respondent": "church", "name": "Lonely Shop", "relation": 1},
        ]
    )
    return dataclasses.replace(base, profiles=profiles, outside=outside)


def stored(path: Path, rounds=("spring", "fall")) -> Path:
    store = open_store(path)
    store.replace_city(survey_city(), account=operator())
    made = {"spring": spring_with_profiles, "fall": fall}
    for name in rounds:
        store.open_survey_round(name, account=operator())
        store.import_survey_answers(made[name](), account=operator())
    return path


@pytest.fixture
def db(tmp_path) -> Path:
    """The survey city with spring and fall, and no accounts (the dashboard is the operator)."""
    return stored(tmp_path / "survey.db")


@pytest.fixture
def accounts_db(db) -> Path:
    """The same store with an admin (ada), an editor (ed) and a viewer (vi)."""
    store = open_store(db)
    store.add_account("ada", PASSWORD, "admin")
    admin = store.sign_in("ada", PASSWORD)[0]
    store.add_account("ed", PASSWORD, "editor", account=admin)
    store.add_account("vi", PASSWORD, "viewer", account=admin)
    return db


def open_page(monkeypatch, db: Path, name: str | None = None, round_name: str = "spring"):
    """The Survey results page, signed in as ``name`` (the operator when None), on a round."""
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if name is not None:
        at.session_state[auth.SESSION_KEY] = open_store(db).sign_in(name, PASSWORD)[1]
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    if round_name is not None and at.selectbox:
        at.selectbox(key=page.ROUND_KEY).set_value(round_name).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    """Everything written on the page, markdown escapes removed."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "header", "title")
    return "\n".join(element_texts(at, kinds)).replace("\\", "").replace(WORD_JOINER, "")


def frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def frame_with(at: AppTest, column: str):
    found = [f for f in frames(at) if column in f.columns]
    assert found, f"no table with {column!r}"
    return found[0]


def metric(at: AppTest, label: str) -> str:
    (value,) = [m.value for m in at.metric if m.label == label]
    return value


# --- the figures, by hand ------------------------------------------------------------------------


def test_spring_figures_match_the_hand_worked_round(monkeypatch, db):
    at = open_page(monkeypatch, db)
    shown = text(at)
    assert "3 of 5 members answered round spring (60%)." in shown
    assert metric(at, "Response rate") == "60%"
    assert metric(at, "Members answered") == "3"
    # Counts only: who has not answered is the editors' page.
    assert "Not answered yet" not in shown
    assert "- 2 pairs confirmed by both sides: each named the other." in shown
    assert "- 1 pair reported by one side only" in shown
    assert "- 4 pairs reported by one side, and the other member has not answered yet" in shown
    measures = frame_with(at, "Confirmed by both sides")
    assert measures["Confirmed by both sides"].tolist() == [
        "2",
        "0.20",
        "0.50",
        "100% (2 of 2 ties)",
    ]
    assert measures["Any report"].tolist() == ["7", "0.70", "0.50", "86% (6 of 7 ties)"]
    assert (
        "Across the network (8 rated ties from 3 members): value 2.88 and trust 3.06 out of 4."
        in shown
    )
    rated = frame_with(at, "Trust (1–4)").set_index("Member")
    assert rated.loc["Alder Neighbors", "Value (1–4)"] == "2.67"
    assert rated.loc["Alder Neighbors", "Trust (1–4)"] == "3.00"
    assert rated.loc["Alder Neighbors", "Value: raters"] == 3


def test_a_member_with_fewer_than_3_raters_shows_the_note_not_a_figure(monkeypatch, db):
    at = open_page(monkeypatch, db)
    rated = frame_with(at, "Trust (1–4)").set_index("Member")
    for name in ("Alder Library", "Birch Legal Aid", "Cedar Church"):
        assert rated.loc[name, "Value (1–4)"] == "–", name
        assert rated.loc[name, "Trust (1–4)"] == "–", name
        assert rated.loc[name, "Note"] == "fewer than 3 ratings", name
    assert rated.loc["Dogwood Clinic", "Note"] == "not rated"
    # Alder Library's one rating (Birch Legal Aid's: value 4, trust 3.5) is nowhere.
    cells = [str(v) for f in frames(at) for v in f.astype(str).to_numpy().ravel()]
    assert "3.50" not in cells and "3.5" not in cells


def test_fall_figures_match_the_hand_worked_round(monkeypatch, db):
    at = open_page(monkeypatch, db, round_name="fall")
    shown = text(at)
    assert "5 of 5 members answered round fall (100%)." in shown
    assert "- 5 pairs confirmed by both sides" in shown
    assert "- 1 pair reported by one side only" in shown
    assert "- No pair reported by one side, and the other member has not answered yet" in shown
    rated = frame_with(at, "Trust (1–4)").set_index("Member")
    assert rated.loc["Birch Legal Aid", "Value (1–4)"] == "3.00"
    assert rated.loc["Alder Neighbors", "Trust (1–4)"] == "3.67"


def test_the_rounds_are_listed_newest_first_and_the_status_said(monkeypatch, db):
    open_store(db).close_survey_round("spring", account=operator())
    at = open_page(monkeypatch, db)
    assert set(at.selectbox(key=page.ROUND_KEY).options) == {"spring", "fall"}
    assert "closed on" in text(at)


def test_no_round_yet_says_how_to_start_one(monkeypatch, tmp_path):
    path = tmp_path / "empty.db"
    open_store(path).replace_city(survey_city(), account=operator())
    at = open_page(monkeypatch, path, round_name=None)
    assert page.NO_ROUND.replace("`", "") in text(at).replace("`", "")
    assert not at.main.selectbox and not at.dataframe  # the sidebar holds the language switch


def test_a_new_answer_is_seen_at_the_next_rerun(monkeypatch, db):
    at = open_page(monkeypatch, db)
    assert "3 of 5 members answered round spring (60%)." in text(at)
    # Alder Neighbors answers, naming Cedar Church back: the city's version stays the same,
    # the survey's revision changes, and the cached figures follow it.
    store = open_store(db)
    version = store.version()
    assoc = make_round("spring", [("assoc", "church", 3, (3, 3, 3), (3, 3, 3))], ["assoc"])
    store.save_survey_answers(assoc, "assoc", account=operator())
    assert store.version() == version
    at.run()
    shown = text(at)
    assert "4 of 5 members answered round spring (80%)." in shown
    assert "- 3 pairs confirmed by both sides" in shown


# --- invitation candidates -----------------------------------------------------------------------


def test_outside_organizations_are_counted_once_per_member_and_escaped(monkeypatch, db):
    at = open_page(monkeypatch, db)
    candidates = frame_with(at, "Named by (members)")
    rows = candidates.values.tolist()
    assert rows[0] == ["Elm Food Pantry", 2, ""]
    assert [HOSTILE, 1, ""] in rows
    assert ["Lonely Shop", 1, "yes, not a member"] in rows
    assert "Members named 3 organizations outside the coalition" in text(at)
    # Markdown never holds the raw name: it is only a table cell (text, never markup).
    raw = "\n".join(element_texts(at, ("markdown", "caption", "info")))
    assert "<script>" not in raw and "](http" not in raw


def test_a_hostile_round_name_is_escaped(monkeypatch, tmp_path):
    path = tmp_path / "hostile.db"
    store = open_store(path)
    store.replace_city(survey_city(), account=operator())
    name = store.open_survey_round("[x](http://example.com) <b>x</b>", account=operator())
    at = open_page(monkeypatch, path, round_name=name)
    raw = "\n".join(element_texts(at, ("markdown", "caption")))
    assert "](http" not in raw and "<b>" not in raw
    assert "0 of 5 members answered round [x](http://example.com) <b>x</b> (0%)." in text(at)


# --- who sees individual ratings -----------------------------------------------------------------


def test_a_viewer_sees_no_individual_rating(monkeypatch, accounts_db):
    at = open_page(monkeypatch, accounts_db, "vi")
    assert not [t for t in at.toggle if t.key == page.RATINGS_KEY]
    assert not [e for e in at.expander if "Confidential" in str(e.label)]
    for frame in frames(at):
        assert "Rated by" not in frame.columns
        # No row pairs a rater's name with a figure of its own rating.
        for row in frame.astype(str).to_numpy().tolist():
            assert not ({"Alder Library", "Birch Legal Aid"} <= set(row)), row
    assert "Rated by" not in text(at)


def test_an_admin_sees_each_rating_after_the_confidential_switch(monkeypatch, accounts_db):
    at = open_page(monkeypatch, accounts_db, "ada")
    (expander,) = [e for e in at.expander if "Confidential" in str(e.label)]
    assert "administrators only" in expander.label
    assert not [f for f in frames(at) if "Rated by" in f.columns]  # not until switched on
    at.toggle(key=page.RATINGS_KEY).set_value(True).run()
    assert not at.exception
    rated = frame_with(at, "Rated by")
    assert len(rated) == 9  # every spring answer
    row = rated[
        (rated["Rated by"] == "Birch Legal Aid") & (rated["Member rated"] == "Alder Library")
    ]
    assert row[["Value", "Trust"]].values.tolist() == [[4.0, 3.5]]
    at.run()  # a rerun reads them again, and is not audited again
    log = open_store(accounts_db).audit_log(account=operator())
    assert (log["action"] == "survey_ratings").sum() == 1


def test_an_editor_does_not_get_the_ratings(monkeypatch, accounts_db):
    at = open_page(monkeypatch, accounts_db, "ed")
    assert not [e for e in at.expander if "Confidential" in str(e.label)]
    assert not [f for f in frames(at) if "Rated by" in f.columns]


# --- profile updates -----------------------------------------------------------------------------

LEGAL_SENTENCE = (
    "Birch Legal Aid says it also offers English and language learning and also works in Cedar."
)


def test_an_editor_applies_a_profile_update_and_the_row_changes(monkeypatch, accounts_db):
    store = open_store(accounts_db)
    version = store.version()
    at = open_page(monkeypatch, accounts_db, "ed")
    box = at.checkbox(key=page.PICK_PREFIX + "legal")
    assert box.label.replace("\\", "") == LEGAL_SENTENCE
    assert at.button(key=page.APPLY_KEY).disabled
    box.check().run()
    at.button(key=page.APPLY_KEY).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.version() == version + 1
    city = store.read_city()
    orgs = city.tables["organizations"].set_index("org_id")
    assert orgs.loc["legal", "services"] == ["legal", "english"]
    ties = city.tables["ties"]
    served = ties[(ties["tie_type"] == "serves_neighborhood") & (ties["source_id"] == "legal")]
    assert sorted(served["target_id"]) == ["birch", "cedar"]
    kept = store.versions(account=operator()).iloc[0]
    assert kept["what"] == "survey profile updates (round spring)"
    assert kept["who"] == "ed"
    shown = text(at)
    assert f"Applied: survey profile updates (round spring) (data version {version + 1})." in shown
    # The row now says what was answered: nothing left to apply.
    assert not at.checkbox
    assert "already says what it answered" in shown


def test_nothing_is_applied_without_a_tick(monkeypatch, db):
    version = open_store(db).version()
    at = open_page(monkeypatch, db)  # the operator (no accounts): an admin
    button = at.button(key=page.APPLY_KEY)
    assert button.disabled and button.label == "Apply 0 updates"
    at.checkbox(key=page.PICK_PREFIX + "legal").check().run()
    assert at.button(key=page.APPLY_KEY).label == "Apply 1 update"
    at.checkbox(key=page.PICK_PREFIX + "legal").uncheck().run()
    assert at.button(key=page.APPLY_KEY).disabled
    assert open_store(db).version() == version


def test_a_viewer_gets_no_apply_button(monkeypatch, accounts_db):
    at = open_page(monkeypatch, accounts_db, "vi")
    assert not at.checkbox
    assert not [b for b in at.button if b.key == page.APPLY_KEY]
    assert "Profile updates" not in text(at)


def test_read_only_hides_the_profile_updates(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "3 of 5 members answered round" in text(at) or "5 of 5" in text(at)
    assert not at.checkbox and "Profile updates" not in text(at)


def test_a_round_whose_member_left_says_so_instead_of_failing(monkeypatch, db):
    store = open_store(db)
    city = store.read_city()
    orgs = city.tables["organizations"].copy()
    orgs.loc[orgs["org_id"] == "clinic", "member"] = False
    store.replace_city(
        dataclasses.replace(city, tables={**city.tables, "organizations": orgs}),
        account=operator(),
    )
    at = open_page(monkeypatch, db)
    (error,) = [e.value for e in at.error]
    assert "no longer match the coalition's members" in error.replace("\\", "")
    assert "clinic" in error


# --- the words, without Streamlit ----------------------------------------------------------------


def test_candidates_skip_blank_names_and_read_members_like_the_data():
    from coalition.presenting.survey_results import candidates_sentence, invitation_candidates

    outside = outside_frame(
        [
            {"round": "r", "respondent": "a", "name": "  ", "relation": None},
            {"round": "r", "respondent": "a", "name": "Oak  Club", "relation": None},
            {"round": "r", "respondent": "a", "name": "oak club", "relation": None},
            {"round": "r", "respondent": "b", "name": "Alder Library", "relation": None},
        ]
    )
    orgs = survey_city().tables["organizations"]
    table = invitation_candidates(outside, orgs)
    # One member naming the same place twice counts once; a member's name is marked.
    assert table.values.tolist() == [
        ["Alder Library", 1, "yes, a member"],
        ["Oak Club", 1, ""],
    ]
    assert invitation_candidates(outside, None)["In the data"].tolist() == ["", ""]
    assert candidates_sentence(table) == (
        "Members named 2 organizations outside the coalition: candidates to invite (never made "
        "members by the survey)."
    )


def test_measures_with_no_ties_say_so():
    from coalition.presenting.survey_results import measures_table
    from coalition.survey.analysis import NetworkMeasures

    empty = NetworkMeasures("r", "confirmed", 2, 0, 0.0, None, 0, None)
    assert measures_table(empty, empty)["Any report"].tolist() == ["0", "0.00", "–", "– (no ties)"]
