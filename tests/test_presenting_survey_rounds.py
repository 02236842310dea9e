"""The Survey rounds page's words and tables (coalition.presenting.survey_rounds), no Streamlit.

Every expected value is worked out by hand from the tiny frames below.
"""

from __future__ import annotations

import csv
import io
import tempfile

import pandas as pd
import pytest

from coalition.errors import DataError, Problem
from coalition.presenting import survey_rounds as words

ROSTER = pd.DataFrame(
    {"org_id": ["lib", "legal", "clinic"], "name": ["Alder Library", "Birch Legal", "=cmd|x"]}
)
RESPONSE = pd.DataFrame(
    {
        "org_id": ["lib", "legal", "clinic"],
        "name": ["Alder Library", "Birch Legal", "=cmd|x"],
        "answered": [True, False, False],
        "partners_named": [2, 0, 0],
        "answered_at": ["2026-03-02T10:00:00Z", "", ""],
        "channel": ["google", "", ""],
    }
)


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- rounds and responses -------------------------------------------------------------------------
def test_rounds_table_says_open_or_closed_and_who_did_it():
    rounds = pd.DataFrame(
        [
            {
                "round": "fall",
                "opened_at": "2026-10-01T09:00:00+00:00",
                "opened_by": "ed",
                "closed_at": None,
                "closed_by": None,
                "is_open": True,
                "respondents": 0,
            },
            {
                "round": "spring",
                "opened_at": "2026-03-01T09:00:00+00:00",
                "opened_by": "ada",
                "closed_at": "2026-04-01T17:30:00+00:00",
                "closed_by": "ed",
                "is_open": False,
                "respondents": 3,
            },
        ]
    )
    table = words.rounds_table(rounds)
    assert table.columns.tolist() == words.ROUND_COLUMNS
    assert table["State"].tolist() == ["open", "closed"]
    assert table["Closed"].tolist() == ["", "2026-04-01 17:30 UTC"]
    assert table["Closed by"].tolist() == ["", "ed"]
    assert table["Members answered"].tolist() == [0, 3]


def test_rounds_table_of_no_rounds_is_empty_with_its_columns():
    empty = pd.DataFrame(
        columns=[
            "round",
            "opened_at",
            "opened_by",
            "closed_at",
            "closed_by",
            "is_open",
            "respondents",
        ]
    )
    table = words.rounds_table(empty)
    assert table.empty and table.columns.tolist() == words.ROUND_COLUMNS


def test_response_rows_put_who_has_not_answered_first_in_roster_order():
    rows = words.response_rows(RESPONSE)
    assert rows["Member"].tolist() == ["Birch Legal", "=cmd|x", "Alder Library"]
    assert rows["Answered"].tolist() == ["no", "no", "yes"]
    assert rows["How"].tolist() == ["", "", "Google Forms"]
    assert rows["When"].tolist() == ["", "", "2026-03-02 10:00 UTC"]
    named = rows["Partners named"]
    assert named.isna().tolist() == [True, True, False] and named.iloc[2] == 2
    assert RESPONSE["answered"].tolist() == [True, False, False]  # the input is not changed


def test_an_unknown_channel_is_shown_as_written():
    odd = RESPONSE.assign(channel=["carrier pigeon", "", ""])
    assert words.response_rows(odd)["How"].tolist()[2] == "carrier pigeon"


def test_the_chase_list_is_names_only_with_formulas_neutralised():
    assert words.not_answered(RESPONSE) == ["Birch Legal", "=cmd|x"]
    assert _csv_rows(words.not_answered_csv(RESPONSE)) == [
        ["Member"],
        ["Birch Legal"],
        ["'=cmd|x"],
    ]
    everyone = RESPONSE.assign(answered=True)
    assert _csv_rows(words.not_answered_csv(everyone)) == [["Member"]]


# --- addresses and links --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "base_path", "expected"),
    [
        ("http://192.168.1.20:8501/survey-rounds", "", "http://192.168.1.20:8501"),
        ("https://c.example.org/app/survey-rounds", "app", "https://c.example.org/app"),
        ("http://localhost:8501/", "", "http://localhost:8501"),
        (None, "", words.DEFAULT_BASE),
        ("", "", words.DEFAULT_BASE),
        ("file:///etc/passwd", "", words.DEFAULT_BASE),
        ("javascript:alert(1)", "", words.DEFAULT_BASE),
        ("http://[::1", "", words.DEFAULT_BASE),  # not a URL at all
    ],
)
def test_page_base_keeps_scheme_and_host_only(url, base_path, expected):
    assert words.page_base(url, base_path) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "localhost:8501",
        "ftp://host",
        "javascript:alert(1)",
        "http://",
        "http://host:port",
        "http://host/?x=1",
        "http://host/#x",
        "http://user@host",
        "http://ho st",
        "http://ho\nst",
        "http://" + "h" * 400,
    ],
)
def test_link_base_refuses_what_is_not_an_http_address(text):
    with pytest.raises(DataError, match="starting with http:// or https://"):
        words.link_base(text)


def test_link_base_keeps_a_path_and_drops_the_trailing_slash():
    assert words.link_base(" https://c.example.org/coalition/ ") == (
        "https://c.example.org/coalition"
    )


def test_survey_url_quotes_the_token():
    assert words.survey_url("http://h:1/", "ab-_9") == "http://h:1/survey?link=ab-_9"
    assert words.survey_url("http://h:1", "a&b=c") == "http://h:1/survey?link=a%26b%3Dc"


def test_link_rows_follow_the_roster_and_the_csv_is_neutralised():
    rows = words.link_rows({"clinic": "t3", "lib": "t1", "gone": "t9"}, ROSTER, "http://h")
    assert rows.values.tolist() == [
        ["Alder Library", "http://h/survey?link=t1"],
        ["=cmd|x", "http://h/survey?link=t3"],
        ["gone", "http://h/survey?link=t9"],  # not on the roster: shown as its id, last
    ]
    assert _csv_rows(words.links_csv(rows)) == [
        ["Member", "Link"],
        ["Alder Library", "http://h/survey?link=t1"],
        ["'=cmd|x", "http://h/survey?link=t3"],
        ["gone", "http://h/survey?link=t9"],
    ]


def test_who_has_a_link_and_who_has_not():
    links = pd.DataFrame(
        {
            "org_id": ["clinic"],
            "created_at": ["2026-03-01T09:00:00+00:00"],
            "created_by": ["ed"],
        }
    )
    assert words.without_link(ROSTER, links) == ["lib", "legal"]
    assert words.without_link(ROSTER, links.iloc[0:0]) == ["lib", "legal", "clinic"]
    assert words.link_holders(links, ROSTER).values.tolist() == [
        ["=cmd|x", "2026-03-01 09:00 UTC", "ed"]
    ]


# --- forms and import -----------------------------------------------------------------------------
def test_form_file_names_match_the_command_line():
    from coalition.survey import forms

    assert [words.form_file_name("2026 Fall", ending) for _, _, ending, _, _ in words.FORMS] == [
        "partner-survey-2026-fall.html",
        "partner-survey-2026-fall-workbook.xlsx",
        "partner-survey-2026-fall-xlsform.xlsx",
    ]
    roster = ROSTER.iloc[:2]
    written = forms.write_forms(roster, "2026 Fall", tempfile.mkdtemp())
    assert [p.name for p in written] == [
        words.form_file_name("2026 Fall", ending) for _, _, ending, _, _ in words.FORMS
    ]
    assert words.form_file_name("../../etc", ".html") == "partner-survey-etc.html"


def test_oversized_names_only_the_files_over_the_limit():
    problems = words.oversized([("a.json", 1_000), ("b.csv", 3 * 2**20)], 2**20)
    assert [p.file for p in problems] == ["b.csv"]
    assert "3.0 MB, more than the 1 MB" in problems[0].message
    assert words.oversized([("a.json", 2**20)], 2**20) == []  # at the limit is allowed


def test_problem_rows_keep_file_row_column_value_and_fix():
    rows = words.problem_rows(
        [
            Problem("a.csv", "Pick a member.", 3, "respondent", "Alpha Lib"),
            Problem("b.json", "Not a saved survey file."),
        ]
    )
    assert rows.columns.tolist() == ["File", "Row", "Column", "Value", "What to do"]
    assert rows["File"].tolist() == ["a.csv", "b.json"]
    assert rows["Value"].tolist() == ["Alpha Lib", ""]
    assert rows["What to do"].tolist() == ["Pick a member.", "Not a saved survey file."]


def test_preview_rows_and_the_import_button():
    preview = {"respondents": 2, "answers": 3, "profiles": 0, "outside": 1, "replaced": 1}
    rows = words.preview_rows(preview)
    assert rows["How many"].tolist() == [2, 3, 0, 1, 1]
    assert rows["What"].tolist()[0] == "Members answering"
    assert words.import_label(1) == "Import 1 member's answers"
    assert words.import_label(1200) == "Import 1,200 members' answers"
