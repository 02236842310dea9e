"""`coalition introductions`: text, JSON, filters, bad choices (exit 2) and Spanish.

On the tiny city (tests/tiny_city.py; the ranking is worked out in tests/test_introductions.py):
church - clinic first (closes four findings), lib - Karen refugees the first organization -
community pair for Karen refugees.
"""

from __future__ import annotations

import json

import pytest
from tiny_city import make_tiny_city

from coalition import cli, i18n
from coalition.store import open_store


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("intro") / "c.db"
    open_store(path).replace_city(make_tiny_city())
    return str(path)


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_text_names_the_city_and_the_top_pair_with_its_effect(capsys, db):
    code, out, _ = run(capsys, "introductions", "--db", db, "--limit", "2")
    assert code == 0
    assert out.startswith("Tiny Town — data version 1")
    assert "  1. ◇ Introduce Cedar Church and Dogwood Clinic as partners." in out
    assert "  2. ◇ Introduce Alder Neighbors and Dogwood Clinic as partners." in out
    assert "  3. " not in out
    assert "Effect: Dogwood gets its first partnership between an organization serving" in out
    assert (
        "Why: Dogwood Clinic serves newcomers and Cedar Church serves long-time residents." in out
    )
    assert "◇ rests on illustrative rows" in out


def test_json_rows_are_machine_readable(capsys, db):
    code, out, _ = run(capsys, "introductions", "--db", db, "--json", "--community", "karen")
    assert code == 0
    data = json.loads(out)
    assert data["city"] == "Tiny Town" and data["community"] == "karen"
    assert data["measured"] <= data["candidates"]
    pairs = data["pairs"]
    assert [p["rank"] for p in pairs] == list(range(1, len(pairs) + 1))
    row = next(p for p in pairs if p["pair_kind"] == "organization_community")
    assert (row["first_id"], row["first_name"], row["second_id"]) == (
        "lib",
        "Alder Library",
        "karen",
    )
    assert row["first_kind"] == "organization" and row["second_kind"] == "community"
    assert row["tie_type"] == "serves_community" and row["invite"] is False
    assert row["reason_codes"] == ["complementary_services"]
    assert {
        (g["domain"], g["severity_before"], g["severity_after"])
        for g in row["effect"]["service_gaps"]
    } == {("citizenship", 2, 1), ("english", 2, 1)}
    assert row["closes"] == 3 and row["illustrative"] is True


def test_neighborhood_filter_by_name(capsys, db):
    code, out, _ = run(capsys, "introductions", "--db", db, "--json", "--neighborhood", "Dogwood")
    data = json.loads(out)
    assert code == 0 and data["neighborhood"] == "dogwood" and data["pairs"]


@pytest.mark.parametrize(
    ("option", "value", "choices"),
    [
        ("--neighborhood", "atlantis", "alder, birch, cedar, dogwood"),
        ("--community", "martians", "karen, latino, longtime"),
    ],
)
def test_an_unknown_choice_is_a_usage_error_naming_the_choices(capsys, db, option, value, choices):
    code, _, err = run(capsys, "introductions", "--db", db, option, value)
    assert code == 2
    assert f"coalition introductions: {option}: no '{value}' in this city." in err
    assert choices in err


def test_a_limit_below_one_is_a_usage_error(capsys, db):
    code, _, err = run(capsys, "introductions", "--db", db, "--limit", "0")
    assert code == 2 and "--limit must be 1 or more" in err


def test_an_empty_store_says_to_load_a_city(capsys, tmp_path):
    code, _, err = run(capsys, "introductions", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "coalition init" in err


def test_in_spanish(capsys, db, monkeypatch):
    monkeypatch.setenv("COALITION_LANG", "es")
    token = i18n.set_language("es")  # in case the CLI does not read the environment itself
    try:
        code, out, _ = run(capsys, "introductions", "--db", db, "--limit", "1")
    finally:
        i18n.set_language("en")
        del token
    assert code == 0
    assert "PRESENTACIONES: QUIÉN DEBERÍA CONOCERSE" in out
    assert "  1. ◇ Presente a Cedar Church y Dogwood Clinic como socios." in out
    assert "Por qué: " in out and "Efecto: " in out
    assert "Introduce" not in out and "Why:" not in out
