"""Importing a survey round from each channel's export (issue 10).

The fixtures in tests/fixtures/survey/ are shaped like each tool's export (made-up content):
KoboToolbox CSV (';'-separated, quoted, repeat groups in their own files linked by
``_parent_index`` / ``_submission__uuid``), ODK Central CSV (``SubmissionDate`` … ``KEY``, the
repeat in ``<form>-partners.csv`` linked by ``PARENT_KEY``), a Google Forms CSV (``Timestamp``,
grids as ``Question [Row]``) and a Microsoft Forms .xlsx (``ID``, ``Start time``, ``Completion
time``, ``Email``, ``Name``…, Likert rows as ``Question.Row``). Every expected value below is read
off those files by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from coalition.errors import DataError, ValidationError
from coalition.survey import forms
from coalition.survey.importers import import_answers, parse_time, read_answers

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "survey"
ROUND = "2026 fall"
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _roster() -> dict[str, pd.DataFrame]:
    orgs = pd.DataFrame(
        {
            "org_id": ["hpl", "legal", "stmary", "burns", "clinic"],
            "name": [
                "Hartford Public Library",
                "Legal Aid Center",
                "St. Mary's Church",
                "Burns School",
                "Clinic </script><img src=x onerror=alert(1)>",
            ],
        }
    )
    hoods = pd.DataFrame(
        {
            "neighborhood_id": ["asylum-hill", "south-end", "frog-hollow"],
            "name": ["Asylum Hill", "South End", "Frog Hollow"],
        }
    )
    return {"organizations": orgs, "neighborhoods": hoods}


def _ties(result) -> list[list]:
    columns = ["respondent", "partner", "relation", "frequency", "value_power", "trust_mission"]
    frame = result.answers.answers[columns].astype(object)
    return [[None if pd.isna(v) else v for v in row] for row in frame.values.tolist()]


def _where(problems) -> set[tuple]:
    return {(p.file, p.row, p.column, p.value) for p in problems if p.severity == "error"}


KOBO = [FIXTURES / "kobo_main.csv", FIXTURES / "kobo_partners.csv", FIXTURES / "kobo_outside.csv"]
KOBO_TIES = [
    ["legal", "hpl", 3, 4, 4, 4],
    ["legal", "stmary", 1, None, None, None],
    ["hpl", "legal", 3, 3, 3, 3],
    ["hpl", "burns", 2, 2, None, None],
]


# --- KoboToolbox ---------------------------------------------------------------------------------
def test_kobo_csv_with_repeat_files_imports_and_keeps_the_latest_answer():
    result = import_answers(KOBO, _roster(), ROUND, now=NOW)
    assert result.channel == "kobo"
    assert _ties(result) == KOBO_TIES
    answers = result.answers.answers
    assert (
        answers["answered_at"].tolist()
        == ["2026-11-03T10:00:00Z"] * 2 + ["2026-11-05T09:30:00Z"] * 2
    )
    assert set(answers["channel"]) == {"kobo"}
    assert set(answers["round"]) == {ROUND}
    profiles = result.answers.profiles.set_index("respondent")
    assert profiles.loc["hpl", "services"] == [
        "english"
    ]  # the later answer, not "english citizenship"
    assert profiles.loc["legal", "neighborhoods"] == ["south-end", "frog-hollow"]
    assert profiles.loc["legal", "languages"] == ["English", "Arabic"]
    assert result.answers.outside.values.tolist() == [[ROUND, "legal", "Hartford Food Share", 2]]
    # hpl answered twice: one warning, at the dropped (earlier) submission.
    assert [(w.file, w.row, w.column, w.severity) for w in result.warnings] == [
        ("kobo_main.csv", 2, "respondent", "warning")
    ]
    assert "latest answer (kobo_main.csv, row 4" in result.warnings[0].message
    assert result.preview() == {
        "respondents": 2,
        "answers": 4,
        "profiles": 2,
        "outside": 1,
        "replaced": 1,
    }


def test_kobo_joined_export_one_row_per_partner_imports():
    main = (FIXTURES / "kobo_main.csv").read_text().splitlines()
    partners = (FIXTURES / "kobo_partners.csv").read_text().splitlines()
    head = main[0].split(";")
    by_index = {line.split(";")[-1]: line for line in main[1:]}
    lines = [";".join([*head, '"partners/partner"', '"partners/relation"', '"partners/frequency"'])]
    for line in partners[1:]:
        cells = line.split(";")
        parent = cells[11]
        lines.append(by_index[parent] + ";" + ";".join(cells[:3]))
    joined = ("\n".join(lines) + "\n").encode()
    result = import_answers(("kobo_joined.csv", joined), _roster(), ROUND, now=NOW)
    assert [row[:4] for row in _ties(result)] == [row[:4] for row in KOBO_TIES]
    assert len(result.warnings) == 1


def test_kobo_xlsx_export_with_a_sheet_per_repeat_imports():
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, path in (
        ("Partner survey 2026 fall", KOBO[0]),
        ("partners", KOBO[1]),
        ("outside", KOBO[2]),
    ):
        sheet = book.create_sheet(title)
        for record in csv.reader(io.StringIO(path.read_text()), delimiter=";"):
            sheet.append(record)
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_answers(("kobo.xlsx", buffer.getvalue()), _roster(), ROUND, now=NOW)
    assert result.channel == "kobo"
    assert _ties(result) == KOBO_TIES
    assert len(result.answers.outside) == 1


def test_a_broken_kobo_export_lists_every_problem():
    files = [FIXTURES / "kobo_broken_main.csv", FIXTURES / "kobo_broken_partners.csv"]
    with pytest.raises(ValidationError) as caught:
        read_answers(files, _roster(), ROUND)
    main, partners = "kobo_broken_main.csv", "kobo_broken_partners.csv"
    assert _where(caught.value.problems) == {
        (main, 2, "respondent", "hpll"),
        (main, 2, "profile/services", "cooking"),
        (main, 2, "profile/neighborhoods", "asylum-hil"),
        (main, 3, "respondent", "Nobody Known"),
        (main, 3, "_submission_time", "yesterday"),
        (partners, 2, "partner", "Legal Aid Centre"),
        (partners, 3, "partner", "burns"),  # burns named itself
        (partners, 3, "relation", None),  # and said nothing of how they work together
        (partners, 3, "value_power", "5"),
        (partners, 4, "relation", "7"),
        (partners, 4, "frequency", "often"),
        (partners, 5, "_submission__uuid", "b0000000-0009-4000-8000-000000000009"),
    }
    text = str(caught.value)
    assert 'Did you mean "Legal Aid Center"?' in text
    assert 'Did you mean "Asylum Hill"?' in text
    assert "nothing was loaded" in text


# --- ODK Central ---------------------------------------------------------------------------------
ODK_TIES = [
    ["stmary", "legal", 2, 2, 3, 4],
    ["burns", "hpl", 4, 4, 4, 4],
    ["burns", "stmary", 3, 3, None, None],
]


def test_odk_central_csv_files_import():
    result = import_answers(FIXTURES / "odk", _roster(), ROUND)
    assert result.channel == "odk"
    assert _ties(result) == ODK_TIES
    assert result.answers.answers["answered_at"].tolist() == [
        "2026-11-04T14:05:33Z",
        "2026-11-04T16:40:00Z",
        "2026-11-04T16:40:00Z",
    ]
    profiles = result.answers.profiles.set_index("respondent")
    assert profiles.loc["burns", "services"] == ["education", "youth"]
    assert profiles.loc["stmary", "languages"] == ["English", "Portuguese"]
    assert result.warnings == []


def test_odk_central_zip_imports():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((FIXTURES / "odk").iterdir()):
            archive.write(path, path.name)
    result = import_answers(("submissions.csv.zip", buffer.getvalue()), _roster(), ROUND)
    assert result.channel == "odk"
    assert _ties(result) == ODK_TIES


def test_an_odk_repeat_without_its_main_file_is_refused():
    with pytest.raises(ValidationError) as caught:
        read_answers(FIXTURES / "odk" / "partner_survey_2026_fall-partners.csv", _roster(), ROUND)
    assert "No table with the column 'respondent'" in caught.value.problems[0].message


# --- Google Forms --------------------------------------------------------------------------------
def test_google_forms_csv_imports():
    result = import_answers(FIXTURES / "google.csv", _roster(), ROUND)
    assert result.channel == "google"
    assert _ties(result) == [
        ["burns", "hpl", 4, 4, 4, None],
        ["burns", "stmary", 3, 3, None, None],
        ["stmary", "hpl", 2, 2, 2, None],
        ["stmary", "legal", 1, 1, None, None],
    ]
    answers = result.answers.answers
    assert answers.loc[0, "trust_reliability"] == 3
    # 9:15:02 AM at GMT-5 is 14:15:02 UTC.
    assert answers.loc[0, "answered_at"] == "2026-11-06T14:15:02Z"
    profiles = result.answers.profiles.set_index("respondent")
    assert profiles.loc["burns", "neighborhoods"] == ["south-end", "frog-hollow"]
    assert profiles.loc["stmary", "services"] == ["housing", "english"]
    outside = result.answers.outside.astype(object)
    assert outside[["name", "relation"]].values.tolist() == [
        ["Hartford Food Share", 2],
        ["Iglesia Nueva Vida", pd.NA],
    ]


def test_a_broken_google_export_lists_every_problem():
    with pytest.raises(ValidationError) as caught:
        read_answers(FIXTURES / "google_broken.csv", _roster(), ROUND)
    file = "google_broken.csv"
    respondent = "Which organization are you answering for?"
    services = "Which services does your organization offer to the coalition's work?"
    assert _where(caught.value.problems) == {
        (file, 2, respondent, "Burns Scool"),
        (file, 2, "How often [Hartford Public Library]", "every day"),
        (file, 2, "Working together [Legal Aid Centre]", "Legal Aid Centre"),
        (file, 2, services, "cooking"),
        (file, 3, "Timestamp", "not a date"),
        # Rated trust in the library without saying how they work together.
        (file, 3, "Working together [Hartford Public Library]", None),
    }
    assert 'Did you mean "Burns School"?' in str(caught.value)


def test_a_google_form_without_the_respondent_question_says_how_to_fix_it():
    data = b"Timestamp,Working together [Burns School]\n2026/11/06 9:15:02 AM GMT-5,monthly\n"
    with pytest.raises(ValidationError) as caught:
        read_answers(("g.csv", data), _roster(), ROUND)
    assert [p.message.split(".")[0] for p in caught.value.problems] == [
        "No column for the organization answering"
    ]


# --- Microsoft Forms -----------------------------------------------------------------------------
def test_microsoft_forms_xlsx_imports():
    result = import_answers(FIXTURES / "msforms.xlsx", _roster(), ROUND)
    assert result.channel == "msforms"
    assert _ties(result) == [
        ["legal", "hpl", 3, 3, None, 4],
        ["legal", "burns", 2, 2, None, 3],
        ["hpl", "burns", 4, 4, None, 4],
    ]
    assert result.answers.answers["answered_at"].tolist()[::2] == [
        "2026-11-08T10:07:40Z",
        "2026-11-09T15:41:12Z",
    ]
    profiles = result.answers.profiles.set_index("respondent")
    assert profiles.loc["legal", "services"] == ["legal", "citizenship"]
    assert profiles.loc["hpl", "services"] == ["english"]


def test_a_broken_microsoft_forms_export_lists_every_problem():
    with pytest.raises(ValidationError) as caught:
        read_answers(FIXTURES / "msforms_broken.xlsx", _roster(), ROUND)
    file = "msforms_broken.xlsx[Sheet1]"
    assert _where(caught.value.problems) == {
        (
            file,
            2,
            "Which organization are you answering for?",
            '=HYPERLINK("http://example.com","x")',
        ),
        (file, 2, "Working together.Hartford Public Library", "sometimes"),
        (file, 2, "How often.Burns Schol", "Burns Schol"),
        (file, 2, "Working together [Burns Schol]", None),
    }


# --- the offline form's files --------------------------------------------------------------------
def _saved(respondent: str, when: str, partners: list[dict], round_name: str = ROUND) -> dict:
    return {
        "format": forms.JSON_FORMAT,
        "version": 1,
        "round": round_name,
        "respondent": respondent,
        "answered_at": when,
        "partners": partners,
        "profile": {"services": [], "languages": [], "neighborhoods": []},
        "outside": [],
    }


def test_a_folder_of_saved_files_imports_and_the_latest_of_two_wins(tmp_path):
    early = _saved("hpl", "2026-11-01T10:00:00Z", [{"partner": "legal", "relation": 1}])
    late = _saved(
        "Hartford Public Library",
        "2026-11-02T10:00:00Z",
        [{"partner": "Legal Aid Center", "relation": 4}],
    )
    other = _saved("legal", "2026-11-01T12:00:00Z", [{"partner": "hpl", "relation": 4}])
    # The later answer is read first: "latest" is by time, not by file order.
    (tmp_path / "a.json").write_text(json.dumps(late))
    (tmp_path / "b.json").write_text(json.dumps(early))
    (tmp_path / "c.json").write_text(json.dumps(other))
    result = import_answers(tmp_path, _roster(), ROUND)
    assert [row[:3] for row in _ties(result)] == [["hpl", "legal", 4], ["legal", "hpl", 4]]
    assert [(w.file, w.column) for w in result.warnings] == [("b.json", "respondent")]


def test_saved_files_with_mistakes_list_every_problem(tmp_path):
    files = [
        ("a.json", b"{not json"),
        ("b.json", json.dumps(_saved("hpl", "2026-11-01T10:00:00Z", [], "2025 spring")).encode()),
        ("c.json", json.dumps({"format": "something else"}).encode()),
        (
            "d.json",
            json.dumps(
                _saved(
                    "legal",
                    "whenever",
                    [{"partner": "legal", "relation": 2}, {"partner": "hpl", "relation": "lots"}],
                )
            ).encode(),
        ),
    ]
    with pytest.raises(ValidationError) as caught:
        read_answers(files, _roster(), ROUND)
    assert {(p.file, p.column) for p in caught.value.problems} == {
        ("a.json", None),
        ("b.json", "round"),
        ("c.json", None),
        ("d.json", "answered_at"),
        ("d.json", "partners[1].partner"),
        ("d.json", "partners[2].relation"),
    }


# --- detection and limits ------------------------------------------------------------------------
def test_an_unknown_file_is_refused_with_what_to_send():
    with pytest.raises(ValidationError) as caught:
        read_answers(("notes.csv", b"a,b\n1,2\n"), _roster(), ROUND)
    assert "not an export this tool knows" in caught.value.problems[0].message


def test_files_from_two_channels_are_refused():
    with pytest.raises(ValidationError, match="different channels"):
        read_answers([FIXTURES / "google.csv", *KOBO[:2]], _roster(), ROUND)


def test_an_unknown_channel_is_refused():
    with pytest.raises(DataError, match="Unknown channel"):
        read_answers(FIXTURES / "google.csv", _roster(), ROUND, channel="fax")


def test_the_channel_can_be_told():
    result = import_answers(FIXTURES / "google.csv", _roster(), ROUND, channel="google")
    assert len(result.answers.answers) == 4


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    from coalition.ingest import limits

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 10)
    with pytest.raises(ValidationError, match="too large"):
        read_answers(("big.csv", b"x" * 11), _roster(), ROUND)


def test_a_broken_workbook_is_refused():
    with pytest.raises(ValidationError):
        read_answers(("x.xlsx", b"PK\x03\x04 not really a zip"), _roster(), ROUND)


def test_nothing_is_imported_when_one_answer_is_wrong():
    good = _saved("hpl", "2026-11-01T10:00:00Z", [{"partner": "legal", "relation": 1}])
    bad = _saved("legal", "2026-11-01T10:00:00Z", [{"partner": "nobody", "relation": 1}])
    with pytest.raises(ValidationError) as caught:
        read_answers(
            [("a.json", json.dumps(good).encode()), ("b.json", json.dumps(bad).encode())],
            _roster(),
            ROUND,
        )
    assert [p.file for p in caught.value.errors] == ["b.json"]


def test_parse_time_reads_each_tool_s_format():
    assert parse_time("2026-11-30T14:05:33") == dt.datetime(2026, 11, 30, 14, 5, 33, tzinfo=dt.UTC)
    assert parse_time("2026/11/30 2:05:33 PM GMT+5:30").isoformat() == "2026-11-30T08:35:33+00:00"
    assert parse_time("11/30/2026 14:05:33").isoformat() == "2026-11-30T14:05:33+00:00"
    assert parse_time("2026-11-30T09:05:33.000-05:00").hour == 14
    assert parse_time(dt.datetime(2026, 11, 30, 14, 5)).tzinfo == dt.UTC
    assert parse_time("") is None
    assert parse_time("30 November") is None


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_parsed(monkeypatch):
    from coalition.ingest import limits

    monkeypatch.setattr(limits, "MAX_UNZIPPED_WORKBOOK_BYTES", 1000)
    data = (FIXTURES / "msforms.xlsx").read_bytes()
    with pytest.raises(ValidationError) as caught:
        read_answers(("big.xlsx", data), _roster(), ROUND)
    assert [p.message for p in caught.value.problems] == [
        "The workbook unpacks to too much data; remove unused sheets."
    ]


def test_a_header_with_semicolons_inside_quotes_is_still_read_as_commas():
    # More ';' than ',' on the header line, all inside quotes: the file is still comma-separated.
    header = (
        'Timestamp,"Which organization are you answering for?","Working together [Burns School]",'
        "\"In which languages can your organization serve people? (separate several with ';')\","
        '"Anything else? (funding; space; staff; time; rooms)"'
    )
    row = "2026/11/06 9:15:02 AM GMT-5,Legal Aid Center,monthly,English;Arabic,no"
    data = f"{header}\n{row}\n".encode()
    with pytest.raises(ValidationError) as caught:  # "monthly" is not a relation
        read_answers(("g.csv", data), _roster(), ROUND)
    assert [(p.column, p.value) for p in caught.value.problems] == [
        ("Working together [Burns School]", "monthly")
    ]
    fixed = data.replace(b",monthly,", b",coordinate activities,")
    result = import_answers(("g.csv", fixed), _roster(), ROUND)
    assert _ties(result) == [["legal", "burns", 3, None, None, None]]
    assert result.answers.profiles.loc[0, "languages"] == ["English", "Arabic"]


KOBO_HEAD = b'"respondent";"_uuid";"_submission_time";"_index"\n'


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("e.csv", b"", "The file is empty"),
        ("u.csv", "Timestamp\n".encode("utf-16"), "not an export this tool knows"),
        ("q.csv", KOBO_HEAD + b'"hpl";"u1";"2026-11-01T10:00:00";"1\n', "cannot be read as CSV"),
        ("n.csv", b'"respondent";"_uuid";"_index"\n"hpl";"u1";"1"\n', "submission time"),
        ("g.csv", b"Timestamp,Which organization are you answering for?\n", "Working together"),
        (
            "j.json",
            b'{"format": "coalition-partner-survey", "round": "2026 fall", '
            b'"respondent": "hpl", "answered_at": "2026-11-01T10:00:00Z", "partners": 3}',
            "'partners' must be a list",
        ),
        ("z.zip", b"PK\x03\x04" + b"\x00" * 40, "not an export this tool knows"),
    ],
)
def test_each_bad_file_says_what_is_wrong(name, data, expected):
    with pytest.raises(ValidationError) as caught:
        read_answers((name, data), _roster(), ROUND)
    assert expected in str(caught.value) or any(
        expected in p.message for p in caught.value.problems
    )


def test_a_windows_1252_file_is_read_with_a_warning():
    data = "Timestamp,Which organization are you answering for?,Working together [Burns School]\n"
    data += "2026/11/06 9:15:02 AM GMT-5,Legal Aid Center,coordinate activities\n"
    data = data.replace("Legal Aid Center", "L\u00e9gal Aid Center")  # é in Windows-1252
    result = import_answers(("w.csv", data.encode("cp1252")), _roster(), ROUND)
    assert _ties(result) == [["legal", "burns", 3, None, None, None]]
    assert [w.message[:24] for w in result.warnings] == ["The file is not UTF-8; i"]


def test_a_workbook_whose_structure_was_changed_is_refused():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(forms.workbook(_roster(), ROUND)))
    book["partners"]["A2"] = "something"
    book["about you"]["B1"] = "Hartford Public Library"
    book["about you"]["B5"] = "maybe"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as caught:
        read_answers(("w.xlsx", buffer.getvalue()), _roster(), ROUND)
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "Write 'yes' or leave the cell blank.",
        "The hidden row 2 with the field names was changed; use the workbook made for this round.",
    ]
    book.remove(book["partners"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError, match="Sheets missing: partners"):
        read_answers(("w.xlsx", buffer.getvalue()), _roster(), ROUND)
