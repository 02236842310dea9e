"""The Survey page (issue 10): a member answers with its private link, or with an editor.

Driven with AppTest on the survey fixture's city (tests/survey_fixture.py: five members lib,
legal, church, assoc, clinic; Lonely is not a member), in a store with an admin (ada), an editor
(ed) and a viewer (vi), and round "spring" open with a link for lib (Alder Library).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import element_texts, page_files, page_is_registered, registered
from streamlit.testing.v1 import AppTest
from survey_fixture import survey_city

from coalition.accounts import operator
from coalition.dashboard import auth, survey_link
from coalition.dashboard.survey_page import PREFIX, SAVED_BY_LINK
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE_DIR = ROOT / "coalition" / "dashboard"
PAGE_FILES = page_files()
SURVEY_PAGE = PAGE_FILES["survey"]
TIMEOUT = 120
PASSWORD = "correct horse battery"
UNESCAPED = re.compile(r"(?<!\\)[<{$\[]")
HOSTILE_NAMES = {
    "legal": "<script>alert(1)</script>",
    "church": "{{7*7}} Church",
    "assoc": "$x$ and [link](http://example.com)",
}


def key(*parts: object) -> str:
    return PREFIX + "|".join(str(p) for p in parts)


def make_store(path: Path, city=None, *, with_accounts: bool = True):
    store = open_store(path)
    store.replace_city(city if city is not None else survey_city(), account=operator())
    if with_accounts:
        store.add_account("ada", PASSWORD, "admin")
        admin = store.sign_in("ada", PASSWORD)[0]
        store.add_account("ed", PASSWORD, "editor", account=admin)
        store.add_account("vi", PASSWORD, "viewer", account=admin)
    store.open_survey_round("spring", account=operator())
    token = store.make_survey_links("spring", ["lib"], account=operator())["lib"]
    return store, token


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "survey.db"


@pytest.fixture
def start(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)

    def run(script: str = APP, *, link: str | None = None, session: str | None = None) -> AppTest:
        at = AppTest.from_file(script, default_timeout=TIMEOUT)
        if link is not None:
            at.query_params[survey_link.PARAM] = link
        if session is not None:
            at.session_state[auth.SESSION_KEY] = session
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def plain(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "")


def shown(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "error", "success", "warning", "subheader", "title")
    return "\n".join(plain(t) for t in element_texts(at, kinds))


def answer(at: AppTest, partner: str, relation: int, ratings: dict[str, int | None]) -> None:
    at.selectbox(key=key(partner, "relation")).set_value(relation)
    for item, code in ratings.items():
        at.selectbox(key=key(partner, item)).set_value(code)


def save(at: AppTest) -> AppTest:
    at.button(key="survey_save").click().run()
    assert not at.exception, at.exception
    return at


def kept(db: Path) -> pd.DataFrame:
    return open_store(db).read_survey_round("spring", account=operator())


def fill_first_answers(at: AppTest) -> AppTest:
    """lib answers: legal (relation 2, how often 3, value 4 3 2, trust 4 4 4), church
    (relation 3, no ratings); services legal + english, languages Spanish; Asylum Hill."""
    at.multiselect(key=key("partners")).set_value(["legal", "church"]).run()
    answer(
        at,
        "legal",
        2,
        {
            "frequency": 3,
            "value_power": 4,
            "value_involvement": 3,
            "value_resources": 2,
            "trust_reliability": 4,
            "trust_mission": 4,
            "trust_openness": 4,
        },
    )
    answer(at, "church", 3, {})
    at.multiselect(key=key("services")).set_value(["legal", "english"])
    at.text_input(key=key("languages")).input("Spanish; Portuguese")
    hood = at.multiselect(key=key("neighborhoods"))
    hood.set_value([hood.options[0]])
    at.text_input(key=key("outside_name", 0)).input("Elm Mutual Aid")
    at.selectbox(key=key("outside_relation", 0)).set_value(2)
    return save(at)


# --- (1) a member answers with its link ---------------------------------------------------------


def test_a_member_with_its_link_answers_and_the_store_holds_exactly_those_rows(start, db):
    _, token = make_store(db)
    at = start(link=token)
    assert registered(at) == {"survey"}
    assert "Answering for **Alder Library** in round **spring**." in shown(at)
    # The member itself is not among the partners it can pick.
    options = at.multiselect(key=key("partners")).options
    assert "Alder Library" not in options and "Lonely Shop" not in options
    assert len(options) == 4
    at = fill_first_answers(at)
    assert [plain(s.value) for s in at.success] == [SAVED_BY_LINK]
    found = kept(db)
    answers = found.answers
    assert answers[["respondent", "partner", "relation"]].astype(str).values.tolist() == [
        ["lib", "church", "3"],
        ["lib", "legal", "2"],
    ]
    assert answers["frequency"].tolist()[1] == 3 and pd.isna(answers["frequency"].tolist()[0])
    legal = answers[answers["partner"] == "legal"].iloc[0]
    assert [int(legal[c]) for c in ("value_power", "value_involvement", "value_resources")] == [
        4,
        3,
        2,
    ]
    assert [int(legal[c]) for c in ("trust_reliability", "trust_mission", "trust_openness")] == [
        4,
        4,
        4,
    ]
    assert (
        answers[answers["partner"] == "church"]
        .iloc[0][["value_power", "trust_openness"]]
        .isna()
        .all()
    )
    assert set(answers["channel"]) == {"dashboard"}
    assert all(str(a).endswith("Z") for a in answers["answered_at"])
    (profile,) = found.profiles.to_dict("records")
    assert profile["respondent"] == "lib"
    assert profile["services"] == ["legal", "english"]
    assert profile["languages"] == ["Spanish", "Portuguese"]
    assert len(profile["neighborhoods"]) == 1
    assert found.outside[["respondent", "name"]].values.tolist() == [["lib", "Elm Mutual Aid"]]
    assert int(found.outside.loc[0, "relation"]) == 2
    assert found.respondents() == ["lib"]


# --- (2) it comes back and changes its answers -------------------------------------------------


def test_coming_back_shows_the_kept_answers_and_a_change_is_saved(start, db):
    _, token = make_store(db)
    fill_first_answers(start(link=token))
    at = start(link=token)  # a new visit with the same link
    assert at.multiselect(key=key("partners")).value == ["church", "legal"]
    assert at.selectbox(key=key("legal", "relation")).value == 2
    assert at.selectbox(key=key("legal", "value_power")).value == 4  # its own ratings
    assert at.text_input(key=key("languages")).value == "Spanish; Portuguese"
    assert at.text_input(key=key("outside_name", 0)).value == "Elm Mutual Aid"
    at.multiselect(key=key("partners")).set_value(["legal"]).run()  # church removed
    at.selectbox(key=key("legal", "relation")).set_value(4)
    at = save(at)
    answers = kept(db).answers
    assert answers[["partner", "relation"]].astype(str).values.tolist() == [["legal", "4"]]
    assert int(answers.loc[0, "value_power"]) == 4  # the rest kept as answered
    assert kept(db).profiles.loc[0, "services"] == ["legal", "english"]


def test_a_missing_relation_is_shown_on_the_form_and_nothing_is_saved(start, db):
    _, token = make_store(db)
    at = start(link=token)
    at.multiselect(key=key("partners")).set_value(["legal"]).run()
    at = save(at)
    errors_shown = [plain(e.value) for e in at.error]
    assert "Not saved: fix the problems marked below, then save again." in errors_shown
    assert "- Birch Legal Aid — Working together: Required: a code from 1 to 4." in errors_shown
    assert kept(db).respondents() == []


# --- (3) a closed round -------------------------------------------------------------------------


def test_a_closed_round_shows_the_kept_answers_read_only(start, db):
    store, token = make_store(db)
    fill_first_answers(start(link=token))
    store.close_survey_round("spring", account=operator())
    before = kept(db)
    at = start(link=token)
    day = str(store.survey_rounds(account=operator())["closed_at"].iloc[0])[:10]
    assert f"Round spring closed on {day}: answers can no longer change." in shown(at)
    main = at.main  # the sidebar holds the language switch (a selectbox)
    assert not main.button and not main.multiselect and not main.selectbox and not main.text_input
    table = at.dataframe[0].value
    assert table["Partner"].tolist() == ["Cedar Church", "Birch Legal Aid"]
    assert table["Working together"].tolist() == ["coordinate activities", "share information"]
    after = kept(db)
    pd.testing.assert_frame_equal(before.answers, after.answers)


def test_a_save_after_the_round_closed_meanwhile_says_so(start, db):
    store, token = make_store(db)
    at = start(link=token)
    at.multiselect(key=key("partners")).set_value(["legal"]).run()
    answer(at, "legal", 2, {})
    store.close_survey_round("spring", account=operator())
    at = save(at)
    assert any("closed on" in plain(e.value) for e in at.error)
    assert kept(db).respondents() == []


# --- (4) a link grants the Survey page and nothing else ----------------------------------------


def test_a_valid_link_shows_only_the_survey_page(start, db):
    _, token = make_store(db)
    at = start(link=token)
    assert registered(at) == {"survey"}
    assert [t.value for t in at.title] == ["Survey"]
    for url_path in set(PAGE_FILES) - {"survey"}:
        assert not page_is_registered(at, url_path), url_path
    assert not at.sidebar.button  # no sign-out, no sidebar counts


def test_the_link_is_kept_across_reruns(start, db):
    _, token = make_store(db)
    at = start(link=token)
    at.query_params.clear()  # the address lost its query string (e.g. a page reload inside)
    at.run()
    assert registered(at) == {"survey"}
    assert at.session_state[survey_link.TOKEN_KEY] == token


@pytest.mark.parametrize("replaced", [False, True])
def test_an_invalid_or_replaced_link_says_so_and_shows_sign_in(start, db, replaced):
    store, token = make_store(db)
    if replaced:
        store.make_survey_links("spring", ["lib"], account=operator())  # the old one stops
    at = start(link=token if replaced else "not-a-token")
    assert registered(at) == {"sign-in"}
    assert [t.value for t in at.title] == ["Sign in"]
    assert [plain(e.value) for e in at.error] == [plain(survey_link.INVALID_MESSAGE)]
    assert not page_is_registered(at, "survey")


def test_a_link_replaced_while_answering_saves_nothing(start, db):
    store, token = make_store(db)
    at = start(link=token)
    at.multiselect(key=key("partners")).set_value(["legal"]).run()
    answer(at, "legal", 2, {})
    store.make_survey_links("spring", ["lib"], account=operator())
    at.button(key="survey_save").click().run()
    assert kept(db).respondents() == []


def test_the_page_run_directly_without_a_link_or_account_refuses(start, db):
    make_store(db)
    at = start(SURVEY_PAGE)
    assert any("sign in" in plain(e.value).lower() for e in at.error)
    assert not at.multiselect and not at.button


# --- (5) an editor answers with a member; a viewer does not get the page -----------------------


def test_an_editor_answers_for_a_picked_member(start, db):
    store, _ = make_store(db)
    session = store.sign_in("ed", PASSWORD)[1]
    at = start(session=session)
    assert "survey" in registered(at)
    at.switch_page(SURVEY_PAGE).run()
    assert at.selectbox(key="survey_round").value == "spring"
    member = at.selectbox(key="survey_member")
    assert member.options == [
        "Alder Library",
        "Birch Legal Aid",
        "Cedar Church",
        "Alder Neighbors",
        "Dogwood Clinic",
    ]
    member.set_value("church").run()
    at.multiselect(key=key("partners")).set_value(["legal"]).run()
    answer(at, "legal", 3, {"trust_mission": 2})
    at = save(at)
    assert not at.error, [e.value for e in at.error]
    answers = kept(db).answers
    assert answers[["respondent", "partner", "relation"]].astype(str).values.tolist() == [
        ["church", "legal", "3"]
    ]
    assert int(answers.loc[0, "trust_mission"]) == 2
    log = store.audit_log(account=operator(), limit=1)
    assert log["who"].tolist() == ["ed"]


def test_an_editor_does_not_see_a_members_kept_ratings_and_saving_keeps_them(start, db):
    store, token = make_store(db)
    fill_first_answers(start(link=token))  # lib rated legal 4 3 2 / 4 4 4
    session = store.sign_in("ed", PASSWORD)[1]
    at = start(SURVEY_PAGE, session=session)
    at.selectbox(key="survey_member").set_value("lib").run()
    box = at.selectbox(key=key("legal", "value_power"))
    assert box.value == -1 and box.format_func(box.value) == "kept (not shown)"
    at.selectbox(key=key("legal", "relation")).set_value(4)
    save(at)
    legal = kept(db).answers.set_index("partner").loc["legal"]
    assert int(legal["relation"]) == 4
    assert [int(legal[c]) for c in ("value_power", "value_resources", "trust_openness")] == [
        4,
        2,
        4,
    ]


def test_an_admin_sees_a_members_kept_ratings(start, db):
    store, token = make_store(db)
    fill_first_answers(start(link=token))
    session = store.sign_in("ada", PASSWORD)[1]
    at = start(SURVEY_PAGE, session=session)
    at.selectbox(key="survey_member").set_value("lib").run()
    assert at.selectbox(key=key("legal", "value_power")).value == 4


def test_no_open_round_points_the_editor_to_the_rounds_page(start, db):
    store, _ = make_store(db)
    store.close_survey_round("spring", account=operator())
    session = store.sign_in("ed", PASSWORD)[1]
    at = start(SURVEY_PAGE, session=session)
    assert "No survey round is open. Open one on the **Survey rounds** page" in shown(at)
    assert not at.button


def test_a_viewer_does_not_get_the_page(start, db):
    store, _ = make_store(db)
    session = store.sign_in("vi", PASSWORD)[1]
    at = start(session=session)
    assert "survey" not in registered(at)
    assert not page_is_registered(at, "survey")
    at = start(SURVEY_PAGE, session=session)  # its script run directly
    assert plain(at.error[0].value).startswith("Only an editor or an admin may")
    assert not at.selectbox and not at.button


def test_a_signed_in_viewer_with_a_members_link_answers_for_that_member_only(start, db):
    store, token = make_store(db)
    session = store.sign_in("vi", PASSWORD)[1]
    at = start(link=token, session=session)
    assert "survey" in registered(at) and "overview" in registered(at)
    assert not {"record", "import", "survey-rounds"} & registered(at)
    at.switch_page(SURVEY_PAGE).run()
    assert "Answering for **Alder Library** in round **spring**." in shown(at)
    assert "survey_member" not in at.session_state  # no member to pick: the link's only
    at.multiselect(key=key("partners")).set_value(["legal"]).run()
    answer(at, "legal", 2, {})
    save(at)
    saved = kept(db).answers
    assert saved[["respondent", "partner", "relation"]].values.tolist() == [["lib", "legal", 2]]
    assert store.audit_log(account=operator())["who"].iloc[0] == "link of lib"


def test_without_accounts_the_operator_answers_and_a_link_still_works(start, db):
    _, token = make_store(db, with_accounts=False)
    at = start(link=token)
    assert "survey" in registered(at) and "overview" in registered(at)
    at.switch_page(SURVEY_PAGE).run()
    assert "Answering for **Alder Library** in round **spring**." in shown(at)


def test_read_only_hides_the_page_from_editors(start, db, monkeypatch):
    store, _ = make_store(db)
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = start(session=store.sign_in("ada", PASSWORD)[1])
    assert "survey" not in registered(at)


# --- (6) names from data are shown as text ------------------------------------------------------


def hostile_city():
    city = survey_city()
    orgs = city.tables["organizations"].copy()
    orgs["name"] = [
        HOSTILE_NAMES.get(i, n) for i, n in zip(orgs["org_id"], orgs["name"], strict=True)
    ]
    return dataclasses.replace(city, tables={**city.tables, "organizations": orgs})


def test_hostile_names_are_shown_as_text(start, db):
    store, token = make_store(db, hostile_city())
    at = start(link=token)
    at.multiselect(key=key("partners")).set_value(["legal", "church", "assoc"]).run()
    at.text_input(key=key("outside_name", 0)).input("<img src=x onerror=alert(1)> {{7*7}}")
    at = save(at)  # no relations: every partner's problem names it
    markdown = [m.value for m in at.markdown] + [e.value for e in at.error]
    for raw in (*HOSTILE_NAMES.values(), "<script>", "{{7*7}}", "[link](", "$x$"):
        assert not any(raw in text for text in markdown), (raw, markdown)
    assert not any(UNESCAPED.search(text) for text in markdown), markdown
    text = shown(at)
    assert "<script>alert(1)</script>" in text  # shown as the characters themselves
    assert "49" not in text
    for name in HOSTILE_NAMES.values():
        assert f"{name} — Working together: Required" in text
    # Closed: the read-only view escapes the outside organization's name too.
    for partner in ("legal", "church", "assoc"):
        answer(at, partner, 1, {})
    save(at)
    store.close_survey_round("spring", account=operator())
    at = start(link=token)
    markdown = [m.value for m in at.markdown]
    # Every < and { of the name reaches markdown backslash-escaped.
    assert not any(UNESCAPED.search(text) for text in markdown), markdown
    assert "<img src=x onerror=alert(1)> {{7*7}}" in shown(at)


def test_read_only_shows_a_link_holder_its_answers_without_save(start, db, monkeypatch):
    _, token = make_store(db)
    fill_first_answers(start(link=token))
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = start(link=token)
    assert registered(at) == {"survey"}
    assert "This dashboard is read-only at the moment: answers cannot be saved here." in shown(at)
    assert not at.button and not at.multiselect
    assert at.dataframe[0].value["Partner"].tolist() == ["Cedar Church", "Birch Legal Aid"]


def test_switching_member_shows_the_other_members_answers_not_the_first_ones(start, db):
    store, token = make_store(db)
    fill_first_answers(start(link=token))  # lib named church and legal
    at = start(SURVEY_PAGE, session=store.sign_in("ed", PASSWORD)[1])
    at.selectbox(key="survey_member").set_value("church").run()
    at.multiselect(key=key("partners")).set_value(["clinic"]).run()  # not saved
    at.selectbox(key="survey_member").set_value("lib").run()
    assert at.multiselect(key=key("partners")).value == ["church", "legal"]
    assert at.selectbox(key=key("legal", "relation")).value == 2
    at.selectbox(key="survey_member").set_value("church").run()
    assert at.multiselect(key=key("partners")).value == []  # church kept nothing
