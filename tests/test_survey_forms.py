"""The partner survey's schema, questions and forms (issue 10).

The XLSForm converts with pyxform (skipped when pyxform is not installed); the offline HTML form
is self-contained and keeps hostile names as text (and, in a real offline Chromium, is filled
in and its saved file imports); the workbook has a drop-down per answer column and its filled-in
copy imports.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from coalition.errors import DataError
from coalition.survey import forms, questions
from coalition.survey.importers import import_answers, read_answers
from coalition.survey.schema import (
    ANSWER_COLUMNS,
    OUTSIDE_COLUMNS,
    PROFILE_COLUMNS,
    RoundAnswers,
    answers_frame,
    check_answers,
    empty_round,
    outside_frame,
    parse_utc,
    profiles_frame,
    roster_frame,
)

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile_city"
SCRIPT_NAME = "</script><img src=x onerror=alert(1)>"
FORMULA_NAME = '=HYPERLINK("http://example.com","x")'
TEMPLATE_NAME = "Clinic {{7*7}} ${7*7} [click](javascript:alert(1)) \u2028 & <!--"


def _roster() -> dict[str, pd.DataFrame]:
    orgs = pd.DataFrame(
        {
            "org_id": ["hpl", "legal", "evil", "formula", "gone"],
            "name": [
                "Hartford Public Library",
                "Legal Aid Center",
                SCRIPT_NAME,
                FORMULA_NAME,
                "Closed Shop",
            ],
            "member": [True, True, True, None, False],
        }
    )
    hoods = pd.DataFrame(
        {"neighborhood_id": ["asylum-hill", "odd"], "name": ["Asylum Hill", TEMPLATE_NAME]}
    )
    return {"organizations": orgs, "neighborhoods": hoods}


def _row(**over) -> dict:
    row = {
        "round": "r1",
        "respondent": "hpl",
        "partner": "legal",
        "relation": 2,
        "answered_at": "2026-11-30T10:00:00Z",
        "channel": "html",
    }
    row.update(over)
    return row


# --- schema --------------------------------------------------------------------------------------
def test_empty_round_has_the_canonical_columns_and_no_problem():
    r = empty_round("2026 fall")
    assert list(r.answers.columns) == ANSWER_COLUMNS
    assert list(r.profiles.columns) == PROFILE_COLUMNS
    assert list(r.outside.columns) == OUTSIDE_COLUMNS
    assert str(r.answers["relation"].dtype) == "Int64"
    assert check_answers(r) == []
    assert r.respondents() == []


def test_roster_keeps_members_only_and_blank_member_means_yes():
    frame = roster_frame(_roster())
    assert frame["org_id"].tolist() == ["hpl", "legal", "evil", "formula"]
    assert frame.loc[2, "name"] == SCRIPT_NAME


def test_roster_refuses_a_frame_without_ids():
    with pytest.raises(TypeError):
        roster_frame(pd.DataFrame({"name": ["x"]}))


def test_a_sound_round_checks_clean_against_the_roster():
    r = RoundAnswers(
        "r1",
        answers_frame([_row(), _row(partner="evil", relation=4, trust_mission=3)]),
        profiles_frame(
            [
                {
                    "round": "r1",
                    "respondent": "hpl",
                    "services": ["legal"],
                    "languages": ["English"],
                    "neighborhoods": ["asylum-hill"],
                    "answered_at": "2026-11-30T10:00:00Z",
                    "channel": "html",
                }
            ]
        ),
        outside_frame([{"round": "r1", "respondent": "hpl", "name": "X", "relation": None}]),
    )
    assert check_answers(r, _roster()) == []
    assert r.respondents() == ["hpl"]


def test_check_answers_lists_every_problem():
    rows = [
        _row(partner="hpl"),  # itself
        _row(partner="gone"),  # not a member
        _row(partner="legal", relation=5),  # off the scale
        _row(partner="legal", relation=2),  # a second answer about legal
        _row(respondent="nobody", partner="legal", frequency=0),
        _row(round="other", partner="evil", answered_at="2026-11-30 10:00", channel="fax"),
    ]
    profiles = profiles_frame(
        [
            {
                "round": "r1",
                "respondent": "hpl",
                "services": ["cooking"],
                "neighborhoods": ["mars"],
                "answered_at": "2026-11-30T10:00:00Z",
                "channel": "html",
            }
        ]
    )
    outside = outside_frame([{"round": "r1", "respondent": "hpl", "name": " ", "relation": 9}])
    found = check_answers(RoundAnswers("r1", answers_frame(rows), profiles, outside), _roster())
    where = {(p.file, p.row, p.column) for p in found}
    assert where == {
        ("answers", 0, "partner"),
        ("answers", 1, "partner"),
        ("answers", 2, "relation"),
        ("answers", 3, "partner"),
        ("answers", 4, "respondent"),
        ("answers", 4, "frequency"),
        ("answers", 5, "round"),
        ("answers", 5, "answered_at"),
        ("answers", 5, "channel"),
        ("profiles", 0, "services"),
        ("profiles", 0, "neighborhoods"),
        ("outside", 0, "name"),
        ("outside", 0, "relation"),
    }
    assert all(p.severity == "error" for p in found)


def test_check_answers_reports_missing_columns_and_a_bad_round_name():
    r = RoundAnswers("", pd.DataFrame({"round": []}), profiles_frame([]), outside_frame([]))
    messages = [p.message for p in check_answers(r)]
    assert any(m.startswith("A round needs a name") for m in messages)
    assert any(m.startswith("Columns missing: respondent, partner") for m in messages)


def test_parse_utc_wants_a_zone_of_utc():
    assert parse_utc("2026-11-30T10:00:00Z").hour == 10
    assert parse_utc("2026-11-30T10:00:00+00:00") is not None
    assert parse_utc("2026-11-30T10:00:00+01:00") is None
    assert parse_utc("2026-11-30T10:00:00") is None
    assert parse_utc(None) is None


# --- questions -----------------------------------------------------------------------------------
def test_scales_and_items_follow_the_partner_structure():
    assert questions.RELATION.codes == (1, 2, 3, 4)
    assert questions.RELATION.label(1) == "aware of each other"
    assert questions.RELATION.label(4) == "integrated programs"
    assert questions.FREQUENCY.label(4) == "weekly or more"
    assert [i.key for i in questions.VALUE_ITEMS] == [
        "value_power",
        "value_involvement",
        "value_resources",
    ]
    assert [i.key for i in questions.TRUST_ITEMS] == [
        "trust_reliability",
        "trust_mission",
        "trust_openness",
    ]
    assert all(i.scale is questions.RATING for i in questions.RATING_ITEMS)
    assert [i.key for i in questions.PARTNER_ITEMS] == ANSWER_COLUMNS[3:11]
    assert questions.RATING.code_of("A  GREAT deal") == 4
    assert questions.RATING.code_of("lots") is None
    assert "Varda" in questions.SOURCE


# --- the XLSForm ---------------------------------------------------------------------------------
def _sheet_rows(data: bytes, title: str) -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return [tuple(c.value for c in row) for row in book[title].iter_rows()]


def test_xlsform_has_the_roster_as_choices_and_a_partner_repeat():
    data = forms.xlsform(_roster(), "2026 fall")
    survey = _sheet_rows(data, "survey")
    types = [(row[0], row[1]) for row in survey[1:]]
    assert ("select_one members", "respondent") in types
    start = types.index(("begin_repeat", "partners"))
    end = types.index(("end_repeat", None))
    inside = [name for _, name in types[start + 1 : end]]
    assert inside == ["partner", *(i.key for i in questions.PARTNER_ITEMS)]
    partner_row = survey[1:][start + 1]
    assert partner_row[0] == "select_one members"  # picked from the roster, never typed
    assert partner_row[5] == ". != ${respondent}"
    choices = _sheet_rows(data, "choices")
    members = [(row[1], row[2]) for row in choices if row[0] == "members"]
    assert [m[0] for m in members] == ["hpl", "legal", "evil", "formula"]
    assert ("relation", "3", "coordinate activities") in choices
    settings = _sheet_rows(data, "settings")
    assert settings[1][1] == "partner_survey_2026_fall"


def test_xlsform_keeps_hostile_names_as_text():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(forms.xlsform(_roster(), "r1")))
    cells = {c.value: c for row in book["choices"].iter_rows() for c in row}
    formula = cells[FORMULA_NAME]
    assert formula.data_type == "s"  # text, not a live formula
    odd = next(v for v in cells if isinstance(v, str) and v.startswith("Clinic"))
    assert "${" not in odd  # not a reference to a field
    assert "\\[click\\]" in odd  # markdown link neutralised


def test_xlsform_converts_with_pyxform():
    xform = forms.check_xlsform(forms.xlsform(_roster(), "2026 fall"))
    assert "<h:title>Partner survey: 2026 fall</h:title>" in xform
    assert 'nodeset="/data/partners"' in xform
    assert "<name>legal</name>" in xform
    assert "\\&lt;/script\\&gt;\\&lt;img" in xform  # escaped XML text, markdown-escaped
    assert "<img" not in xform


def test_xlsform_of_the_hostile_city_converts_with_pyxform():
    from coalition.ingest import read_city

    xform = forms.check_xlsform(forms.xlsform(read_city(HOSTILE), "r1"))
    assert "<script>" not in xform


def test_check_xlsform_reports_what_pyxform_says():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(forms.xlsform(_roster(), "r1")))
    book["survey"]["A3"] = "select_one no_such_list"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(DataError, match="does not convert"):
        forms.check_xlsform(buffer.getvalue())


def test_a_round_needs_a_name():
    with pytest.raises(DataError):
        forms.xlsform(_roster(), "  ")
    with pytest.raises(DataError):
        forms.offline_form(_roster(), "x" * 81)


# --- the offline HTML form -----------------------------------------------------------------------
def _embedded(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="survey-data">(.*?)</script>', page, re.DOTALL
    )
    assert match
    return json.loads(match.group(1))


def test_offline_form_is_self_contained_with_a_strict_policy():
    page = forms.offline_form(_roster(), "2026 fall")
    assert re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", page) is None
    assert "http://" not in page.replace("http://example.com", "")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp).group(1)
    assert page.count(f'<script nonce="{nonce}">') == 1
    assert "connect-src 'none'" in csp and "form-action 'none'" in csp


def test_offline_form_embeds_the_roster_as_escaped_json():
    page = forms.offline_form(_roster(), "2026 <b>fall</b>")
    assert SCRIPT_NAME not in page
    assert "<img" not in page
    assert "\u2028" not in page
    # One opening and one closing tag per script block: a name cannot close the JSON block.
    assert page.count("</script>") == page.count("<script") == 2
    data = _embedded(page)
    assert data["round"] == "2026 <b>fall</b>"
    assert [m["name"] for m in data["members"]][2] == SCRIPT_NAME
    assert data["neighborhoods"][1]["name"] == TEMPLATE_NAME
    assert "<title>Partner survey: 2026 &lt;b&gt;fall&lt;/b&gt;</title>" in page
    assert [i["key"] for i in data["items"]] == [i.key for i in questions.PARTNER_ITEMS]


def test_offline_form_script_never_writes_html():
    page = forms.offline_form(_roster(), "r1")
    script = page.split('<script nonce="', 1)[1]
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_script_json_escapes_what_could_end_the_block():
    text = forms.script_json({"a": "</script><!-- & \u2028\u2029"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029"}


def test_a_saved_offline_answer_imports():
    saved = {
        "format": forms.JSON_FORMAT,
        "version": 1,
        "round": "r1",
        "channel": "html",
        "respondent": "legal",
        "answered_at": "2026-11-30T15:04:05.678Z",
        "partners": [
            {"partner": "hpl", "relation": 3, "frequency": 2, "trust_mission": 4},
            {"partner": "evil", "relation": 1},
        ],
        "profile": {"services": ["legal"], "languages": ["English"], "neighborhoods": ["odd"]},
        "outside": [{"name": "Food Share", "relation": 2}],
    }
    r = read_answers(("legal.json", json.dumps(saved).encode()), _roster(), "r1")
    assert r.answers[["respondent", "partner", "relation", "frequency"]].values.tolist() == [
        ["legal", "hpl", 3, 2],
        ["legal", "evil", 1, pd.NA],
    ]
    assert r.answers.loc[0, "trust_mission"] == 4
    assert r.answers["answered_at"].tolist() == ["2026-11-30T15:04:05Z"] * 2
    assert r.answers["channel"].unique().tolist() == ["html"]
    assert r.profiles.loc[0, "neighborhoods"] == ["odd"]
    assert r.outside[["name", "relation"]].values.tolist() == [["Food Share", 2]]


# --- the workbook --------------------------------------------------------------------------------
def test_workbook_has_a_drop_down_per_answer_column():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(forms.workbook(_roster(), "r1")))
    assert book.sheetnames[:4] == ["start here", "about you", "partners", "outside"]
    assert book["lists"].sheet_state == "hidden" and book["about"].sheet_state == "hidden"
    partners = book["partners"]
    ranges = {str(dv.sqref): dv.formula1 for dv in partners.data_validations.dataValidation}
    assert ranges["A3:A11"] == "'lists'!$A$2:$A$5"  # 4 members + 5 spare rows
    assert ranges["B3:B11"] == "'lists'!$B$2:$B$5"  # relation
    assert ranges["C3:C11"] == "'lists'!$C$2:$C$5"  # frequency
    for letter in "DEFGHI":
        assert ranges[f"{letter}3:{letter}11"] == "'lists'!$D$2:$D$5"  # rating
    names = [c.value for c in book["lists"]["A"][1:5]]
    assert names == ["Hartford Public Library", "Legal Aid Center", SCRIPT_NAME, FORMULA_NAME]
    assert book["lists"]["A5"].data_type == "s"
    profile = book["about you"]
    assert next(str(dv.sqref) for dv in profile.data_validations.dataValidation) == "B1"


def _fill_workbook(data: bytes, respondent: str, partners: list[list], outside=()) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    profile = book["about you"]
    profile["B1"] = respondent
    profile["B2"] = "English; Spanish"
    profile["B5"] = "yes"  # legal (the first service)
    for row in range(5, profile.max_row + 1):
        if profile.cell(row=row, column=3).value == "asylum-hill":
            profile.cell(row=row, column=2).value = "yes"
    sheet = book["partners"]
    for r, values in enumerate(partners, start=3):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c).value = value
    for r, (name, relation) in enumerate(outside, start=3):
        book["outside"].cell(row=r, column=1).value = name
        book["outside"].cell(row=r, column=2).value = relation
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_filled_in_workbook_imports():
    data = _fill_workbook(
        forms.workbook(_roster(), "r1"),
        "Hartford Public Library",
        [
            ["Legal Aid Center", "3 - coordinate activities", "4 - weekly or more", "2 - a little"],
            [SCRIPT_NAME, "1 - aware of each other"],
        ],
        outside=[("Food Share", "2 - share information")],
    )
    result = import_answers(("hpl.xlsx", data), _roster(), "r1")
    assert result.channel == "xlsx"
    answers = result.answers.answers
    assert answers[["respondent", "partner", "relation", "frequency", "value_power"]].astype(
        object
    ).values.tolist() == [["hpl", "legal", 3, 4, 2], ["hpl", "evil", 1, pd.NA, pd.NA]]
    profile = result.answers.profiles.iloc[0]
    assert profile["services"] == ["legal"]
    assert profile["languages"] == ["English", "Spanish"]
    assert profile["neighborhoods"] == ["asylum-hill"]
    assert result.answers.outside[["name", "relation"]].values.tolist() == [["Food Share", 2]]


def test_a_workbook_with_mistakes_lists_them_all():
    from coalition.errors import ValidationError

    data = _fill_workbook(
        forms.workbook(_roster(), "r1"),
        "Hartford Public Library",
        [["Legal Aid Centre", "3 - coordinate activities"], ["Hartford Public Library", "9"]],
    )
    with pytest.raises(ValidationError) as caught:
        read_answers(("hpl.xlsx", data), _roster(), "r1")
    where = {(p.row, p.column) for p in caught.value.problems}
    assert where == {
        (3, "Partner (pick from the list)"),
        (4, "Partner (pick from the list)"),
        (4, "Working together"),
    }
    assert 'Did you mean "Legal Aid Center"?' in str(caught.value)


def test_a_workbook_of_another_round_is_refused():
    from coalition.errors import ValidationError

    with pytest.raises(ValidationError, match="another round"):
        read_answers(("x.xlsx", forms.workbook(_roster(), "r0")), _roster(), "r1")


# --- the offline form in a real, offline browser --------------------------------------------------
@pytest.mark.browser
def test_offline_form_in_chromium_is_filled_in_and_its_file_imports(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from harness import offline_browser, require_browser

    require_browser()
    roster = _roster()
    path = tmp_path / "form.html"
    path.write_text(forms.offline_form(roster, "r1"), encoding="utf-8")
    console: list[str] = []
    with offline_browser() as (_context, page, recorder):
        page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        page.goto(path.as_uri())
        page.select_option("#respondent", "legal")
        page.select_option("#partner-1", "evil")
        page.select_option("#item-1-relation", "3")
        page.select_option("#item-1-trust_mission", "4")
        page.click("#add-partner")
        page.select_option("#partner-2", "hpl")
        page.select_option("#item-2-relation", "1")
        page.check("#service-legal")
        page.fill("#languages", "English; Arabic")
        page.fill("#outside-name-1", SCRIPT_NAME)
        page.select_option("#outside-relation-1", "2")
        with page.expect_download() as caught:
            page.click("#save")
        saved = Path(caught.value.path()).read_bytes()
        shown = page.eval_on_selector("#partner-1", "s => s.selectedOptions[0].textContent")
        injected = page.locator("img").count()
    assert recorder.blocked == [] and recorder.dialogs == [] and recorder.page_errors == []
    assert not [c for c in console if c.startswith("error")]
    assert injected == 0  # the hostile name stayed text
    assert shown == SCRIPT_NAME  # shown as text, exactly
    r = read_answers(("legal.json", saved), roster, "r1")
    assert r.answers[["respondent", "partner", "relation", "trust_mission"]].astype(
        object
    ).values.tolist() == [["legal", "evil", 3, 4], ["legal", "hpl", 1, pd.NA]]
    assert r.profiles.loc[0, "services"] == ["legal"]
    assert r.profiles.loc[0, "languages"] == ["English", "Arabic"]
    assert r.outside[["name", "relation"]].values.tolist() == [[SCRIPT_NAME, 2]]


@pytest.mark.browser
def test_offline_form_refuses_to_save_without_a_respondent(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from harness import offline_browser, require_browser

    require_browser()
    path = tmp_path / "form.html"
    path.write_text(forms.offline_form(_roster(), "r1"), encoding="utf-8")
    with offline_browser() as (_context, page, recorder):
        page.goto(path.as_uri())
        page.click("#save")
        problems = page.locator("#problems li").all_inner_texts()
    assert problems == ["Pick your organization at the top.", "Partner 1: pick a member."]
    assert recorder.blocked == []


def test_write_forms_writes_three_files_named_from_the_round(tmp_path):
    made = forms.write_forms(_roster(), "../../2026 Fall/x", tmp_path / "out")
    assert [p.name for p in made] == [
        "partner-survey-2026-fall-x.html",
        "partner-survey-2026-fall-x-workbook.xlsx",
        "partner-survey-2026-fall-x-xlsform.xlsx",
    ]
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 1000 for p in made)
    assert _embedded(made[0].read_text(encoding="utf-8"))["round"] == "../../2026 Fall/x"
