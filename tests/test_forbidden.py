"""A person's details are refused, by column name and by value, at import and in forms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import read_rows, tiny_folder, write_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny_city import make_tiny_city

from coalition import cli, ingest, schema
from coalition.errors import Problem, ValidationError
from coalition.ingest import forbidden
from coalition.ingest.files import RawTable

ROOT = Path(__file__).resolve().parent.parent

# --- values: every pattern, hits and near misses ------------------------------------------------

HITS = [
    # (cell text, about people, the pattern that recognises it)
    ("123-45-6789", False, "ssn"),
    ("note: 123 45 6789.", False, "ssn"),
    ("SSN: 123456789", False, "ssn_named"),
    ("social security no. 123.45.6789", False, "ssn_named"),
    ("número de seguro social 123456789", False, "ssn_named"),
    ("912-78-1234", False, "itin"),
    ("ITIN 912781234", False, "itin_named"),
    ("A012345678", False, "a_number"),
    ("A12345678", False, "a_number"),
    ("(A-012-345-678)", False, "a_number"),
    ("A# 012345678", False, "a_number_named"),
    ("alien number: 12345678", False, "a_number_named"),
    ("USCIS # 123-456-789", False, "a_number_named"),
    ("DOB 1990-01-02", False, "date_of_birth_named"),
    ("D.O.B.: 01/02/1990", False, "date_of_birth_named"),
    ("date of birth March 2, 1988", False, "date_of_birth_named"),
    ("fecha de nacimiento: 2 de marzo de 1988", False, "date_of_birth_named"),
    ("birthdate 1990", False, "date_of_birth_named"),
    ("born 02/03/1988", False, "born_on"),
    ("was born on March 2, 1988", False, "born_on"),
    ("nacida el 2 de marzo de 1988", False, "born_on"),
    ("(860) 555-1234", True, "phone"),
    ("860.555.1234", True, "phone"),
    ("+1 860 555 1234", True, "phone"),
    ("+52 55 1234 5678", True, "phone_international"),
    ("cell 5551234", True, "phone_named"),
    ("WhatsApp: 8605551234", True, "phone_named"),
]

MISSES = [
    "123-45-678",  # too short
    "000-12-3456",  # no Social Security number starts 000, 666, or has group 00 or serial 0000
    "666-12-3456",
    "123-00-4567",
    "123-45-0000",
    "123-45-67890",
    "123456789",  # nine digits alone: an EIN, a count, a code
    "EIN 06-1623555",
    "https://projects.propublica.org/nonprofits/organizations/061623555",
    "900-12-3456",  # 9xx but not an ITIN's middle group
    "ITIN pending",
    "Route A1234",
    "A1234567",  # seven digits
    "Form I-485",
    "nav-01",
    "org-00182",
    "Navigator A",
    "DOB unknown",
    "Adobe 2019-01-02",
    "born in Puerto Rico",
    "born in 1988",  # a year alone after born
    "2010-12: 16,943 born in Jamaica (± 1,527)",
    "ACS 2019-2023 5-year, B05001",
    "population 10131 (± 1334)",
    "41.7658, -72.6734",
    "tract 09003500100",
    "1400000US09003500100",
    "500 Main Street, Hartford, CT 06103",
    "+1,200 residents",
    "tel 2019",
    "call us at the library",
    "860-555-123",
    "2014-09",
]


@pytest.mark.parametrize("text, people, key", HITS)
def test_each_pattern_recognises_its_values(text, people, key):
    [(pattern, shown)] = forbidden.find_values(text, people)
    assert pattern.key == key
    digits = re.sub(r"\D", "", shown)
    assert len(digits) <= pattern.keep_last, shown  # masked
    assert "*" in shown


@pytest.mark.parametrize("text", MISSES)
def test_ordinary_text_is_left_alone(text):
    assert forbidden.find_values(text, people=True) == []
    assert forbidden.mask(text) == text


def test_every_pattern_has_a_hit_here():
    assert {key for _, _, key in HITS} == set(forbidden.PATTERN_OF)


@pytest.mark.parametrize(
    "text", ["(860) 555-1234", "+52 55 1234 5678", "cell 5551234", "call 860-555-1234"]
)
def test_an_organizations_public_phone_is_allowed(text):
    assert forbidden.find_values(text, people=False) == []
    assert forbidden.mask(text, "organizations") == text
    assert forbidden.mask(text, "navigators") != text


def test_masking_keeps_only_the_last_four_digits_of_an_identifier():
    assert (
        forbidden.mask("SSN 123-45-6789 and A-012-345-678") == "SSN ***-**-6789 and A-***-**5-678"
    )
    assert forbidden.mask("DOB 1990-01-02") == "DOB ****-**-**"
    assert forbidden.mask("tel. (860) 555-1234", "communities") == "tel. (***) ***-**34"


def test_messages_hold_nothing_that_masking_would_change():
    for pattern in forbidden.VALUE_PATTERNS:
        assert forbidden.mask(pattern.label) == pattern.label
        assert not re.search(r"\d", pattern.label)
    for field in forbidden.FIELDS:
        assert not re.search(r"\d", field.what + field.hint)


def test_one_problem_per_field_in_a_cell():
    found = forbidden.find_values("SSN 123-45-6789, DOB 1990-01-02, 111-22-3333")
    assert [p.field for p, _ in found] == ["ssn", "date_of_birth"]


# fmt: off
FRAGMENTS = [
    *"0123456789-./()+#:,\n Aax",
    "123", "45", "6789", "912", "78", "1990", "88", "555", "860",
    "SSN", "ITIN", "social security", "seguro social", "A-number", "alien number", "USCIS",
    "DOB", "D.O.B.", "date of birth", "fecha de nacimiento", "born", "nacida el", "on",
    "March", "de marzo de", "tel", "cell", "call", "WhatsApp", "is", "no.",
]
# fmt: on


@settings(max_examples=600, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
def test_the_quick_searches_find_every_cell_a_pattern_finds(parts):
    text = "".join(parts)
    fields = {p.field for p in forbidden.VALUE_PATTERNS if p.regex.search(text)}
    assert {p.field for p, _ in forbidden.find_values(text, people=True)} == fields
    if fields:
        assert forbidden._suspects(["org-01", text, "2020", ""]) == [text]


@pytest.mark.parametrize("text, people, key", HITS)
def test_a_value_is_found_among_many_ordinary_cells(text, people, key):
    cells = [f"org-{i:05d}" for i in range(50)] + [text] + ["2020", "1", "Tract 12"]
    assert forbidden._suspects(cells) == [text]


# --- columns ------------------------------------------------------------------------------------

FORBIDDEN_HEADERS = [
    ("navigators", "immigration_status", "immigration_status"),
    ("organizations", "Status Migratorio", "immigration_status"),
    ("communities", "Visa type", "immigration_status"),
    ("ties", "immigration", "immigration_status"),
    ("navigators", "A#", "a_number"),
    ("navigators", "A-Number", "a_number"),
    ("organizations", "alien_registration_number", "a_number"),
    ("navigators", "USCIS number", "a_number"),
    ("navigators", "número de extranjero", "a_number"),
    ("navigators", "SSN", "ssn"),
    ("organizations", "client_ssn", "ssn"),
    ("navigators", "Social Security Number", "ssn"),
    ("navigators", "número de seguro social", "ssn"),
    ("organizations", "ITIN", "itin"),
    ("navigators", "tax_id", "tax_id"),
    ("navigators", "DOB", "date_of_birth"),
    ("organizations", "contact date of birth", "date_of_birth"),
    ("navigators", "DateOfBirth", "date_of_birth"),
    ("communities", "Fecha de Nacimiento", "date_of_birth"),
    ("navigators", "birthdate", "date_of_birth"),
    ("organizations", "home_address", "home_address"),
    ("organizations", "Domicilio", "home_address"),
    ("navigators", "address", "street_address"),
    ("communities", "Dirección", "street_address"),
    ("navigators", "phone", "phone"),
    ("communities", "Teléfono", "phone"),
    ("navigators", "cell_phone", "phone"),
    ("committees", "mobile", "phone"),
    ("navigators", "PhoneNumber", "phone"),
    ("navigators", "email", "contact"),
    ("navigators", "last name", "contact"),
    ("navigators", "nombre completo", "contact"),
]

ALLOWED_HEADERS = [
    ("organizations", "phone"),  # an organization's public phone
    ("organizations", "address"),
    ("organizations", "tax_id"),  # an organization's EIN
    ("organizations", "email"),
    ("organizations", "immigration_services"),
    ("organizations", "legal_status"),  # a nonprofit's corporate status
    ("organizations", "visa_lottery_help"),
    ("organizations", "celebration"),
    ("committees", "address"),  # where a committee meets
    ("communities", "number of members"),
    ("communities", "country of birth"),
    ("navigators", "languages"),
    ("navigators", "notes"),
    ("ties", "strength"),
]


@pytest.mark.parametrize("table, header, key", FORBIDDEN_HEADERS)
def test_forbidden_columns_are_recognised(table, header, key):
    assert forbidden.forbidden_column(table, header).key == key


@pytest.mark.parametrize("table, header", ALLOWED_HEADERS)
def test_near_miss_columns_are_allowed(table, header):
    assert forbidden.forbidden_column(table, header) is None


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_no_column_of_the_schema_is_forbidden_in_its_table(table):
    assert [c.name for c in schema.TABLES[table] if forbidden.forbidden_column(table, c.name)] == []


def test_every_field_has_a_column_here():
    assert {key for _, _, key in FORBIDDEN_HEADERS} == {f.key for f in forbidden.FIELDS}


def test_screen_table_drops_the_column_and_leaves_the_input_unchanged():
    raw = RawTable(
        "navigators.csv",
        ["navigator_id", "alias", "phone"],
        [{"navigator_id": "n1", "alias": "Navigator One", "phone": "860-555-1234"}],
        [2],
    )
    kept, problems = forbidden.screen_table("navigators", raw)
    assert kept.columns == ["navigator_id", "alias"] and "phone" not in kept.cells
    assert raw.columns == ["navigator_id", "alias", "phone"]
    assert [(p.column, p.row, p.value) for p in problems] == [("phone", None, None)]


def test_redaction_leaves_a_problem_with_a_number_for_a_value_alone():
    problem = Problem("neighborhoods.csv", "Too large.", row=2, column="population", value=1e12)
    assert forbidden.redact_problems([problem]) == [problem]


def test_phone_numbers_in_ties_are_refused_only_where_a_navigator_or_community_is_an_end():
    notes = "call 860-555-1234"
    raw = RawTable(
        "ties.csv",
        ["tie_type", "notes"],
        [{"tie_type": "partnership", "notes": notes}, {"tie_type": "Mentors", "notes": notes}],
        [2, 3],
    )
    _, problems = forbidden.screen_table("ties", raw)
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "notes", "***-***-**34")]


# --- a data folder, a workbook, the command line ------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    return tiny_folder(tmp_path / "tiny")


def add_column(path: Path, column: str, values: list[str]) -> None:
    rows = read_rows(path)
    for row, value in zip(rows, values, strict=False):
        row[column] = value
    write_rows(path, rows, [*rows[0]])


def all_text(problems: list[Problem]) -> str:
    return "\n".join([*map(str, problems), json.dumps([p.as_dict() for p in problems])])


def test_a_forbidden_column_is_an_error_not_an_ignored_column(folder):
    add_column(folder / "navigators.csv", "SSN", ["123-45-6789"])
    report = ingest.validate_city(folder)
    assert not report.ok and report.city is None
    [problem] = report.errors
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "navigators.csv",
        None,
        "ssn",
        None,
    )
    assert "Remove the column; this tool never stores Social Security numbers" in problem.message
    assert report.warnings == []  # not also an "Unknown column ... is ignored"
    assert "6789" not in all_text(report.problems)


def test_a_forbidden_value_is_refused_masked(folder):
    path = folder / "communities.csv"
    rows = read_rows(path)
    rows[1]["notes"] = "Contact: Maria, DOB 1990-01-02, tel. (860) 555-1234"
    write_rows(path, rows)
    report = ingest.validate_city(folder)
    found = [(p.file, p.row, p.column, p.value) for p in report.errors]
    assert found == [
        ("communities.csv", 3, "notes", "DOB ****-**-**"),
        ("communities.csv", 3, "notes", "(***) ***-**34"),
    ]
    text = all_text(report.problems)
    assert "1990" not in text and "555-1234" not in text
    assert "this tool never stores dates of birth about a person" in report.errors[0].message


def test_a_value_repeated_by_another_check_is_masked_there_too(folder):
    rows = read_rows(folder / "ties.csv")
    rows[0]["target_id"] = "123-45-6789"  # also an unknown id
    write_rows(folder / "ties.csv", rows)
    report = ingest.validate_city(folder)
    assert ("ties.csv", 2, "target_id", "***-**-6789") in {
        (p.file, p.row, p.column, p.value) for p in report.errors
    }
    assert any("unknown id" in p.message for p in report.errors)
    assert "123-45" not in all_text(report.problems)


def test_an_organizations_public_phone_number_is_accepted(folder):
    path = folder / "organizations.csv"
    rows = read_rows(path)
    rows[0]["notes"] = "Front desk (860) 555-1234"
    write_rows(path, rows)
    add_column(path, "phone", ["860-555-1234"])
    report = ingest.validate_city(folder)
    assert report.ok
    assert [p.column for p in report.warnings] == ["phone"]  # unknown, ignored as before
    organizations = report.city.tables["organizations"]
    assert organizations["notes"].iloc[0] == "Front desk (860) 555-1234"


def test_a_workbook_is_refused_the_same_way(folder, tmp_path):
    from openpyxl import load_workbook

    from coalition.exports import export_city

    book_dir = tmp_path / "book"
    book_dir.mkdir()
    export_city(ingest.read_city(folder), "xlsx", book_dir / "city.xlsx")
    for name in ("neighborhoods.geojson", "city.toml"):
        (book_dir / name).write_bytes((folder / name).read_bytes())
    book = load_workbook(book_dir / "city.xlsx")
    sheet = book["navigators"]
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column, value="Date of birth")
    sheet.cell(row=2, column=column, value="1990-01-02")
    sheet["B2"] = "Navigator One, A012345678"  # the alias
    book.save(book_dir / "city.xlsx")
    report = ingest.validate_city(book_dir)
    found = [(p.file, p.row, p.column, p.value) for p in report.errors]
    assert found == [
        ("city.xlsx[navigators]", None, "date_of_birth", None),
        ("city.xlsx[navigators]", 2, "alias", "A*****5678"),
    ]
    assert "1990" not in all_text(report.problems)


def test_cli_validate_exits_1_and_says_what_to_do_without_the_value(capsys, folder):
    add_column(folder / "navigators.csv", "home address", ["12 Elm Street"])
    add_column(folder / "navigators.csv", "notes", ["SSN 123-45-6789"])
    code = cli.main(["validate", str(folder)])
    out = capsys.readouterr().out
    assert code == 1
    assert "navigators.csv, column 'home_address'" in out
    assert "Remove the column; this tool never stores home addresses about a person" in out
    assert "navigators.csv, row 2, column 'notes'" in out and "'***-**-6789'" in out
    assert "12 Elm" not in out and "123-45" not in out
    assert "INVALID" in out


# --- forms: add_records -------------------------------------------------------------------------

PROVENANCE = {"source": "working session", "source_date": "2026-11", "illustrative": "no"}


def test_add_records_refuses_a_forbidden_field():
    city = make_tiny_city()
    row = {"navigator_id": "nav2", "alias": "Navigator Two", "Phone": "860-555-1234", **PROVENANCE}
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(city, "navigators", [row])
    [problem] = caught.value.errors
    assert (problem.file, problem.column) == ("navigators.csv", "phone")
    assert "this tool never stores phone numbers about a person" in problem.message
    assert "555" not in str(caught.value)
    assert len(city.tables["navigators"]) == 1  # unchanged


def test_add_records_refuses_a_forbidden_value_and_masks_it_everywhere():
    city = make_tiny_city()
    row = {"navigator_id": "123-45-6789", "alias": "María, A-number 12345678", **PROVENANCE}
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(city, "navigators", [row])
    assert [(p.row, p.column, p.value) for p in caught.value.errors] == [
        (3, "navigator_id", "***-**-6789"),
        (3, "alias", "A-number ****5678"),
    ]
    assert "123-45" not in str(caught.value) and "1234" not in str(caught.value)


def test_add_records_accepts_an_organizations_public_phone():
    city = make_tiny_city()
    row = {
        "org_id": "clinic2",
        "name": "Elm Clinic",
        "sector": "health",
        "orientation": "both",
        "notes": "Call (860) 555-1234 for appointments",
        **PROVENANCE,
    }
    added = ingest.add_records(city, "organizations", [row])
    assert added.tables["organizations"]["notes"].iloc[-1] == row["notes"]


# --- no false alarms on real and synthetic data -------------------------------------------------


def _screen(folder: Path) -> list[Problem]:
    from coalition.ingest.files import _read_tables

    problems: list[Problem] = []
    return forbidden.screen_tables(_read_tables(folder, problems))[1]


@pytest.mark.parametrize(
    "folder",
    [
        ROOT / "data" / "hartford",
        ROOT / "data" / "template",
        ROOT / "tests" / "fixtures" / "hostile_city",
        *sorted(p for p in (ROOT / "tests" / "fixtures" / "real").glob("*") if p.is_dir()),
    ],
    ids=lambda p: p.name,
)
def test_no_false_alarm_on_real_cities(folder):
    assert _screen(folder) == []


def test_no_false_alarm_on_a_synthetic_city(tmp_path):
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.exports import write_city_folder

    city = make_synthetic_city(orgs=400, ties=3000, areas=60, seed=3)
    assert _screen(write_city_folder(city, tmp_path / "synthetic")) == []


# --- documentation ------------------------------------------------------------------------------


def _doc_section() -> str:
    doc = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    match = re.search(r"^## What this tool never stores$(.*?)(?=^## |\Z)", doc, re.M | re.S)
    assert match, "no section 'What this tool never stores' in docs/data-format.md"
    return match.group(1)


def test_every_column_name_and_pattern_is_documented():
    text = _doc_section()
    missing = [f"`{h}`" for h in forbidden.header_phrases() if f"`{h}`" not in text]
    missing += [f"`{p.key}`" for p in forbidden.VALUE_PATTERNS if f"`{p.key}`" not in text]
    missing += [f"`{f.key}`" for f in forbidden.FIELDS if f"`{f.key}`" not in text]
    assert missing == []


def test_the_documented_examples_hold():
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for line in _doc_section().splitlines()
        if line.startswith("| `") and line.split("`")[1] in forbidden.PATTERN_OF
    ]
    rows = [row for row in rows if len(row) == 4]  # the values table (fields have 3 columns)
    assert len(rows) == len(forbidden.VALUE_PATTERNS)
    checked = 0
    for key, _, recognised, left_alone in rows:
        for example in re.findall(r"`([^`]*\d[^`]*)`", recognised):
            assert forbidden.find_values(example), (key, example)
            checked += 1
        for example in re.findall(r"`([^`]*\d[^`]*)`", left_alone):
            assert forbidden.find_values(example) == [], (key, example)
            checked += 1
    assert checked >= 30
