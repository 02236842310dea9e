"""The Survey rounds page (issue 10): the convener opens, chases, hands out, imports, closes.

Driven with AppTest on a store holding the survey fixture's city (tests/survey_fixture.py: five
members, Lonely a non-member) with an admin (ada), an editor (ed) and a viewer (vi), signed in
through session state. By hand, round "spring": Alder Library, Birch Legal Aid and Cedar Church
answered (3 partners each); Alder Neighbors (assoc) and Dogwood Clinic (clinic) did not: 3 of 5,
60 %.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest
from survey_fixture import spring, survey_city

from coalition import imports
from coalition.dashboard import auth
from coalition.store import open_store
from coalition.survey import forms

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = str(ROOT / "coalition" / "dashboard" / "survey_rounds_page.py")
TIMEOUT = 120
PASSWORD = "correct horse battery"
OPEN_BUTTON = "FormSubmitter:survey_open_round-Open the round"
HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(1))"


def _city(hostile: bool = False):
    city = survey_city()
    if not hostile:
        return city
    orgs = city.tables["organizations"].copy()
    orgs.loc[orgs["org_id"] == "clinic", "name"] = HOSTILE
    return dataclasses.replace(city, tables={**city.tables, "organizations": orgs})


def _store(path: Path, *, hostile: bool = False, with_spring: bool = True) -> Path:
    store = open_store(path)
    store.replace_city(_city(hostile))
    store.add_account("ada", PASSWORD, "admin")
    admin = store.sign_in("ada", PASSWORD)[0]
    store.add_account("ed", PASSWORD, "editor", account=admin)
    store.add_account("vi", PASSWORD, "viewer", account=admin)
    if with_spring:
        editor = store.sign_in("ed", PASSWORD)[0]
        store.open_survey_round("spring", account=editor)
        store.import_survey_answers(spring(), account=editor)
    return path


@pytest.fixture
def db(tmp_path) -> Path:
    return _store(tmp_path / "rounds.db")


@pytest.fixture
def start(monkeypatch):
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)

    def run(db: Path, name: str = "ed", script: str = APP) -> AppTest:
        monkeypatch.setenv("COALITION_DB", str(db))
        at = AppTest.from_file(script, default_timeout=TIMEOUT)
        at.session_state[auth.SESSION_KEY] = open_store(db).sign_in(name, PASSWORD)[1]
        at.run()
        if script == APP:
            at.switch_page(PAGE).run()
        assert not at.exception, at.exception
        return at

    return run


def editor(store):
    return store.sign_in("ed", PASSWORD)[0]


def survey_rounds(db: Path):
    store = open_store(db)
    return store.survey_rounds(account=editor(store))


def links_of(db: Path):
    store = open_store(db)
    return store.survey_links("spring", account=editor(store))


def plain(text: str) -> str:
    """Markdown-escaped text (coalition.presenting.text.md) as it reads on the screen."""
    return text.replace("\\", "")


def texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "warning", "error")
    return "\n".join(plain(str(e.value)) for kind in kinds for e in at.get(kind))


# The page's tables, known by a column only each has (AppTest keeps no dataframe keys).
TABLE_COLUMNS = {
    "rounds": "State",
    "response": "Partners named",
    "new links": "Link",
    "link holders": "Link made",
    "preview": "How many",
    "problems": "What to do",  # the import's problems, or its warnings
}


def table(at: AppTest, which: str):
    for frame in at.dataframe:
        if TABLE_COLUMNS[which] in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table {which!r}")


def has_table(at: AppTest, which: str) -> bool:
    return any(TABLE_COLUMNS[which] in frame.value.columns for frame in at.dataframe)


def tables(at: AppTest) -> list:
    return [frame.value for frame in at.dataframe]


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def saved_answer(respondent: str, partners: list[dict], day: str = "2026-03-20") -> bytes:
    """A file as the offline form saves it (coalition.survey.forms.JSON_FORMAT)."""
    return json.dumps(
        {
            "format": forms.JSON_FORMAT,
            "round": "spring",
            "respondent": respondent,
            "answered_at": f"{day}T10:00:00Z",
            "partners": partners,
        }
    ).encode()


def upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    mime = {"json": "application/json", "csv": "text/csv"}
    at.file_uploader[0].set_value(
        [
            (name, data, mime.get(name.rsplit(".", 1)[-1], "application/octet-stream"))
            for name, data in files
        ]
    ).run()
    assert not at.exception, at.exception
    return at


# --- rounds ---------------------------------------------------------------------------------------
def test_an_editor_opens_the_first_round(start, tmp_path):
    db = _store(tmp_path / "empty.db", with_spring=False)
    at = start(db)
    no_errors(at)
    assert [t.value for t in at.title] == ["Survey rounds"]
    assert "No survey round yet" in texts(at)
    at.text_input(key="survey_new_round").input("  2026   fall ")
    at.button(key=OPEN_BUTTON).click().run()
    no_errors(at)
    rounds = survey_rounds(db)
    assert rounds["round"].tolist() == ["2026 fall"]
    assert rounds["opened_by"].tolist() == ["ed"]
    assert "Opened round 2026 fall" in texts(at)
    assert at.selectbox(key="survey_round").value == "2026 fall"
    assert table(at, "rounds")["State"].tolist() == ["open"]
    # Nobody answered yet: 0 of 5, all five to chase.
    assert [m.value for m in at.metric] == ["5", "0", "0%"]


def test_a_round_name_already_taken_is_refused_and_nothing_added(start, db):
    at = start(db)
    at.text_input(key="survey_new_round").input("spring")
    at.button(key=OPEN_BUTTON).click().run()
    assert any("already exists" in plain(e.value) for e in at.error)
    assert survey_rounds(db)["round"].tolist() == ["spring"]


def test_closing_needs_a_confirmation_and_reopening_brings_the_controls_back(start, db):
    at = start(db)
    assert at.button(key="survey_close").disabled  # not without ticking the confirmation
    assert (
        "members can no longer change their answers"
        in at.checkbox(key="survey_close_confirm").label
    )
    at.checkbox(key="survey_close_confirm").check().run()
    at.button(key="survey_close").click().run()
    no_errors(at)
    store = open_store(db)
    assert not store.survey_round_is_open("spring")
    assert "Closed round spring" in texts(at)
    assert table(at, "rounds")["State"].tolist() == ["closed"]
    # A closed round: no links to make, nothing to import; the chase list is still there.
    assert "Make links" not in labels(at) and not at.file_uploader
    assert [m.value for m in at.metric] == ["5", "3", "60%"]
    assert at.button(key="survey_reopen").disabled
    at.checkbox(key="survey_reopen_confirm").check().run()
    at.button(key="survey_reopen").click().run()
    no_errors(at)
    assert store.survey_round_is_open("spring")
    assert "Make links" in labels(at) and at.file_uploader
    log = store.audit_log(account=store.sign_in("ada", PASSWORD)[0])
    assert {"closed round spring", "reopened round spring"} <= set(log["what"])


# --- responses ------------------------------------------------------------------------------------
def test_the_response_table_lists_who_has_not_answered_first(start, db):
    at = start(db)
    no_errors(at)
    assert [m.value for m in at.metric] == ["5", "3", "60%"]
    assert (
        "3 of 5 members answered round spring (60%). Not answered yet: Alder Neighbors and "
        "Dogwood Clinic." in texts(at)
    )
    rows = table(at, "response")
    assert rows["Member"].tolist() == [
        "Alder Neighbors",
        "Dogwood Clinic",
        "Alder Library",
        "Birch Legal Aid",
        "Cedar Church",
    ]
    assert rows["Answered"].tolist() == ["no", "no", "yes", "yes", "yes"]
    assert rows["How"].tolist() == ["", "", "Offline form", "Offline form", "Offline form"]
    assert rows["Partners named"].tolist()[2:] == [3, 3, 3]
    assert rows["When"].tolist()[2] == "2026-03-02 10:00 UTC"
    assert not any("value" in str(c).lower() or "trust" in str(c).lower() for c in rows.columns)


def test_the_chase_list_download_holds_names_only_and_is_audited(db, monkeypatch):
    from survey_fixture import roster

    from coalition.dashboard import survey_rounds_page as page
    from coalition.survey import analysis

    store = open_store(db)
    editor = store.sign_in("ed", PASSWORD)[0]
    response = analysis.response(store.read_survey_round("spring", account=editor), roster())
    data = page._chase_download(response, "spring", editor, store)()
    assert data.decode("utf-8-sig").splitlines() == ["Member", "Alder Neighbors", "Dogwood Clinic"]
    log = store.audit_log(account=store.sign_in("ada", PASSWORD)[0])
    taken = log[log["action"] == "survey_download"]
    assert taken[["who", "what"]].values.tolist() == [["ed", "not-answered list of round spring"]]


def test_the_chase_list_download_is_offered_with_its_count(start, db):
    at = start(db)
    buttons = [e for e in at.get("download_button")]
    assert any("2 members to chase" in str(b.proto.label) for b in buttons), [
        b.proto.label for b in buttons
    ]
    forms_offered = {b.proto.label for b in buttons}
    assert {
        "Offline form (.html)",
        "Workbook (.xlsx)",
        "XLSForm for KoboToolbox / ODK (.xlsx)",
    } <= forms_offered


# --- links ----------------------------------------------------------------------------------------
def test_links_for_two_members_are_shown_once_and_map_back(start, db):
    at = start(db)
    members = at.multiselect[0]
    assert members.value == ["lib", "legal", "church", "assoc", "clinic"]  # nobody has one yet
    members.set_value(["assoc", "clinic"]).run()
    at.button(key="survey_make_links").click().run()
    no_errors(at)
    shown = table(at, "new links")
    assert shown["Member"].tolist() == ["Alder Neighbors", "Dogwood Clinic"]
    store = open_store(db)
    for org_id, url in zip(["assoc", "clinic"], shown["Link"].tolist(), strict=True):
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://localhost:8501/survey"
        (token,) = parse_qs(parts.query)["link"]
        assert store.survey_link(token) == ("spring", org_id)
    assert "stops its old one" in texts(at)
    holders = table(at, "link holders")
    assert holders["Member"].tolist() == ["Alder Neighbors", "Dogwood Clinic"]
    assert holders["Made by"].tolist() == ["ed", "ed"]
    # Members without a link are now the default; the links are not shown again.
    assert at.multiselect[0].value == ["lib", "legal", "church"]
    at.run()
    assert not has_table(at, "new links")
    assert "http://localhost:8501/survey?link=" not in "\n".join(
        str(v) for frame in tables(at) for v in frame.to_numpy().ravel()
    )


def test_a_new_link_stops_the_old_one_and_follows_the_address_typed(start, db):
    at = start(db)
    at.multiselect[0].set_value(["lib"]).run()
    at.button(key="survey_make_links").click().run()
    (old,) = parse_qs(urlsplit(table(at, "new links")["Link"][0]).query)["link"]
    at.multiselect[0].set_value(["lib"]).run()
    at.text_input(key="survey_link_base").input("https://coalition.example.org/").run()
    at.button(key="survey_make_links").click().run()
    no_errors(at)
    url = table(at, "new links")["Link"][0]
    assert url.startswith("https://coalition.example.org/survey?link=")
    (new,) = parse_qs(urlsplit(url).query)["link"]
    store = open_store(db)
    assert store.survey_link(old) is None
    assert store.survey_link(new) == ("spring", "lib")


def test_an_address_that_is_not_http_makes_no_link(start, db):
    at = start(db)
    at.multiselect[0].set_value(["lib"]).run()
    at.text_input(key="survey_link_base").input("javascript:alert(1)").run()
    at.button(key="survey_make_links").click().run()
    assert any("must be the dashboard's as members reach it" in plain(e.value) for e in at.error)
    assert links_of(db).empty


# --- import ---------------------------------------------------------------------------------------
def _filled_workbook(city, respondent: str, partners: list[list]) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(forms.workbook(city, "spring")))
    book["about you"]["B1"] = respondent
    sheet = book["partners"]
    for r, values in enumerate(partners, start=3):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_good_files_are_previewed_then_imported(start, db):
    at = start(db)
    assert not [b for b in labels(at) if b.startswith("Import ")]
    files = [
        # Alder Neighbors answers twice: the later file is kept (a warning says so).
        (
            "assoc-early.json",
            saved_answer(
                "Alder Neighbors", [{"partner": "Cedar Church", "relation": 2}], "2026-03-10"
            ),
        ),
        (
            "assoc.json",
            saved_answer(
                "alder  NEIGHBORS",
                [  # matched forgivingly
                    {"partner": "Alder Library", "relation": 3, "trust_reliability": 4},
                    {"partner": "Cedar Church", "relation": 4},
                ],
            ),
        ),
        (
            "clinic.json",
            saved_answer("Dogwood Clinic", [{"partner": "Cedar Church", "relation": 1}]),
        ),
    ]
    at = upload(at, files)
    no_errors(at)
    preview = table(at, "preview").set_index("What")["How many"]
    assert preview["Members answering"] == 2
    assert preview["Partner answers"] == 3
    assert preview["Earlier answers in the files replaced by a later one"] == 1
    assert len(table(at, "problems")) >= 1
    assert "Round spring: 2 members answer for the first time." in texts(at)
    store = open_store(db)
    assert sorted(store.read_survey_round("spring", account=editor(store)).respondents()) == [
        "church",
        "legal",
        "lib",
    ]  # nothing saved by the preview
    assert "Import 2 members' answers" in labels(at)
    at.button(key="survey_import").click().run()
    no_errors(at)
    kept = store.read_survey_round("spring", account=editor(store))
    assert sorted(kept.respondents()) == ["assoc", "church", "clinic", "legal", "lib"]
    mine = kept.answers[kept.answers["respondent"] == "assoc"]
    assert sorted(mine["partner"].tolist()) == ["church", "lib"]
    assert "Imported. Round spring: 2 members answer for the first time." in texts(at)
    assert [m.value for m in at.metric] == ["5", "5", "100%"]  # the round's figures update
    assert not at.file_uploader[0].value  # emptied for the next files


def test_a_filled_in_workbook_imports_and_replaces_an_earlier_answer(start, db):
    city = survey_city()
    data = _filled_workbook(city, "Alder Library", [["Dogwood Clinic", "2 - share information"]])
    at = upload(start(db), [("lib.xlsx", data)])
    no_errors(at)
    assert "Round spring: 1 replaces its earlier answers." in texts(at)
    at.button(key="survey_import").click().run()
    no_errors(at)
    store = open_store(db)
    kept = store.read_survey_round("spring", account=editor(store))
    lib = kept.answers[kept.answers["respondent"] == "lib"]
    assert lib[["partner", "relation", "channel"]].values.tolist() == [["clinic", 2, "xlsx"]]


def test_a_broken_file_lists_every_problem_and_stores_nothing(start, db):
    store = open_store(db)
    revision = store.survey_revision()
    at = start(db)
    broken = [
        (
            "nobody.json",
            saved_answer("Nobody At All", [{"partner": "Cedar Church", "relation": 2}]),
        ),
        (
            "assoc.json",
            saved_answer(
                "Alder Neighbors",
                [
                    {"partner": "Cedar Curch", "relation": 9},
                ],
            ),
        ),
        ("junk.json", b"{not json"),
    ]
    at = upload(at, broken)
    assert any("nothing was imported" in plain(e.value) for e in at.error)
    problems = table(at, "problems")
    assert set(problems["File"]) == {"nobody.json", "assoc.json", "junk.json"}
    assert len(problems) >= 4  # unknown respondent, misspelt partner, relation 9, bad JSON
    assert "Cedar Curch" in problems["Value"].tolist()
    assert any("Cedar Church" in m for m in problems["What to do"])  # did you mean
    assert not [b for b in labels(at) if b.startswith("Import ")]
    assert store.survey_revision() == revision
    assert sorted(store.read_survey_round("spring", account=editor(store)).respondents()) == [
        "church",
        "legal",
        "lib",
    ]


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(start, db, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100)
    at = start(db)
    at = upload(at, [("clinic.json", saved_answer("Dogwood Clinic", []) + b" " * 200)])
    problems = table(at, "problems")
    assert problems["File"].tolist() == ["clinic.json"]
    assert "more than" in problems["What to do"][0]
    assert not [b for b in labels(at) if b.startswith("Import ")]


# --- who gets the page, and hostile names ---------------------------------------------------------
def test_a_viewer_does_not_get_the_page(start, db, monkeypatch):
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[auth.SESSION_KEY] = open_store(db).sign_in("vi", PASSWORD)[1]
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE).run()
    # Its script run directly: refused, nothing drawn.
    direct = start(db, "vi", script=PAGE)
    assert next(plain(e.value) for e in direct.error).startswith("Only an editor or an admin")
    assert not direct.title and not direct.dataframe and not direct.button


def test_an_admin_gets_the_page(start, db):
    at = start(db, "ada")
    no_errors(at)
    assert [t.value for t in at.title] == ["Survey rounds"]


def test_hostile_names_are_shown_as_text(start, tmp_path):
    db = _store(tmp_path / "hostile.db")
    store = open_store(db)
    admin = store.sign_in("ada", PASSWORD)[0]
    # The name changes after the round: the chase list names the member as the city does now.
    store.replace_city(_city(hostile=True), account=admin)
    at = start(db)
    no_errors(at)
    body = "\n".join(str(e.value) for kind in ("markdown", "caption") for e in at.get(kind))
    assert not re.search(r"(?<!\\)<img", body) and "](javascript" not in body
    assert r"\<img src\=x onerror\=alert\(1\)\>" in body  # shown as text
    assert HOSTILE in table(at, "response")["Member"].tolist()
