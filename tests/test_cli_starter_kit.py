"""`coalition starter-kit NEIGHBORHOOD [--json] [--html OUT] [--public] [--exact]` on the tiny city.

Cedar's kit (worked out in tests/test_starter_kit.py): Cedar Church (anchor), Alder Library and
Birch Legal Aid (bridges), Navigator One (navigator), Alder Welcoming Committee (nearby).
"""

from __future__ import annotations

import json

import pytest
from tiny_city import make_tiny_city

from coalition import cli
from coalition.store import open_store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.db"
    open_store(path).replace_city(make_tiny_city())
    return str(path)


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_kit_in_text_by_name_in_any_case(capsys, db):
    code, out, _ = run(capsys, "starter-kit", "CEDAR", "--db", db)
    assert code == 0
    assert "Starter kit for a welcoming committee in Cedar" in out
    assert "  - ◇ Cedar Church: a faith group based in Cedar." in out
    assert (
        "  - Alder Welcoming Committee: active next door in Alder, a committee to learn from."
        in out
    )
    assert "Exact counts — not for sharing" in out
    assert "POSITIONING" in out and "COMMUNICATIONS" in out


def test_the_kit_as_json(capsys, db):
    code, out, err = run(capsys, "starter-kit", "cedar", "--json", "--db", db)
    assert code == 0
    data = json.loads(out)
    assert data["city"] == "Tiny Town" and data["neighborhood_id"] == "cedar"
    assert [(row["id"], row["role"]) for row in data["invite"]] == [
        ("church", "anchor"),
        ("lib", "bridge"),
        ("legal", "bridge"),
        ("nav1", "navigator"),
        ("wc-alder", "nearby_committee"),
    ]
    assert data["languages"][0]["language"] == "Spanish"
    assert data["languages"][0]["sources"] == [["coalition/examples.py", "2024-01"]]
    assert [s["key"] for s in data["sections"]][:2] == ["neighborhood", "invite"]
    assert "Exact counts" in err  # the label goes to stderr: the JSON stays parseable


def test_public_hides_small_counts(capsys, tmp_path):
    city = make_tiny_city()
    ties = city.tables["ties"]
    ties.loc[(ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in"), "residents"] = 4
    path = tmp_path / "small.db"
    open_store(path).replace_city(city)
    code, out, _ = run(capsys, "starter-kit", "dogwood", "--public", "--db", str(path))
    assert code == 0 and "residents here: fewer than 11" in out and "residents here: 4" not in out
    code, out, _ = run(capsys, "starter-kit", "dogwood", "--db", str(path))
    assert "residents here: 4" in out
    code, out, _ = run(capsys, "starter-kit", "dogwood", "--json", "--public", "--db", str(path))
    assert json.loads(out)["communities"][0]["residents"] == "fewer than 11"


def test_the_printable_page_is_written_public_unless_exact(capsys, tmp_path):
    city = make_tiny_city()
    ties = city.tables["ties"]
    ties.loc[(ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in"), "residents"] = 4
    path = tmp_path / "small.db"
    open_store(path).replace_city(city)
    out_file = tmp_path / "kit.html"
    code, out, _ = run(capsys, "starter-kit", "Dogwood", "--html", str(out_file), "--db", str(path))
    assert code == 0 and f"Printable page written to {out_file}" in out
    page = out_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "fewer than 11" in page
    assert "residents here: 4" not in page
    run(capsys, "starter-kit", "Dogwood", "--html", str(out_file), "--exact", "--db", str(path))
    assert "residents here: 4" in out_file.read_text(encoding="utf-8")


def test_an_unknown_neighborhood_exits_2_and_lists_valid_ones(capsys, db):
    code, _, err = run(capsys, "starter-kit", "Atlantis", "--db", db)
    assert code == 2
    assert 'no neighborhood has the id or name "Atlantis"' in err
    assert "alder (Alder)" in err and "dogwood (Dogwood)" in err
    assert "coalition coverage --json" in err


def test_an_unwritable_html_path_exits_1(capsys, db, tmp_path):
    code, _, err = run(
        capsys, "starter-kit", "cedar", "--html", str(tmp_path / "no" / "kit.html"), "--db", db
    )
    assert code == 1 and "Could not write" in err


def test_an_empty_store_says_to_init(capsys, tmp_path):
    code, _, err = run(capsys, "starter-kit", "cedar", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "coalition init" in err
