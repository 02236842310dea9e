"""The foundation and analytics issues' "Done means", run literally on the Hartford sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import read_rows, set_cell, write_rows

from coalition import cli
from coalition.store import open_store

HARTFORD = Path(__file__).resolve().parent.parent / "data" / "hartford"


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def hartford_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("store") / "hartford.db"
    assert cli.main(["init", str(HARTFORD), "--db", str(db)]) == 0
    return db


def test_validate_hartford_exits_0(capsys):
    code, out = run(capsys, "validate", HARTFORD)
    assert code == 0 and out.startswith("OK:") and "17 neighborhoods" in out


def test_broken_copy_names_all_five_problems_and_init_changes_nothing(
    capsys, tmp_path, hartford_db
):
    copy = Path(
        shutil.copytree(
            HARTFORD, tmp_path / "hartford", ignore=shutil.ignore_patterns("raw", "SOURCES.md")
        )
    )
    set_cell(copy / "organizations.csv", 2, "neighborhood", "Asylum Hil")  # misspelled
    orgs = read_rows(copy / "organizations.csv")
    write_rows(copy / "organizations.csv", [*orgs, dict(orgs[0])])  # duplicate id
    rows = read_rows(copy / "communities.csv")
    for row in rows:
        row.pop("community_kind")  # missing column
    write_rows(copy / "communities.csv", rows)
    set_cell(copy / "ties.csv", 0, "target_id", "ct_dcpp")  # unknown id
    boundary = copy / "neighborhoods.geojson"
    boundary.write_bytes(boundary.read_bytes()[:5000])  # truncated

    code, out = run(capsys, "validate", copy)
    errors = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert code == 1 and len(errors) == 5, errors
    assert any(
        "organizations.csv, row 4, column 'neighborhood'" in e
        and 'Did you mean "Asylum Hill"?' in e
        for e in errors
    )
    assert any(
        f"organizations.csv, row {len(orgs) + 2}, column 'org_id'" in e
        and "Duplicate id 'hpl_tap'" in e
        for e in errors
    )
    assert any("communities.csv, column 'community_kind'" in e for e in errors)
    assert any(
        "ties.csv, row 2, column 'target_id'" in e and 'Did you mean "ct_dcp"?' in e for e in errors
    )
    assert any("neighborhoods.geojson" in e and "truncated" in e for e in errors)

    store = open_store(hartford_db)
    version, info, tables = store.version(), store.info(), store.read_city().tables
    assert cli.main(["init", str(copy), "--db", str(hartford_db)]) == 1
    assert store.version() == version and store.info() == info
    after = store.read_city().tables
    assert all(tables[name].equals(after[name]) for name in tables)


def test_gaps_json_shape(capsys, hartford_db):
    code, out = run(capsys, "gaps", "--json", "--db", hartford_db)
    data = json.loads(out)
    assert code == 0
    assert list(data) == [
        "city",
        "data_version",
        "service_gaps",
        "language_gaps",
        "fragile_links",
        "bridging",
        "isolated",
        "uncovered_need",
        "could_invite",
    ]
    assert (data.pop("city"), data.pop("data_version")) == ("Hartford, Connecticut", 1)
    for family, entries in data.items():
        # could_invite is empty while every sample organization is a member
        assert entries or family == "could_invite", f"the sample shows nothing for {family}"
        assert all(entry["explanation"] for entry in entries)


def test_coverage_json_shape(capsys, hartford_db):
    code, out = run(capsys, "coverage", "--json", "--db", hartford_db)
    data = json.loads(out)
    assert code == 0 and len(data["neighborhoods"]) == 17
    first = data["neighborhoods"][0]
    assert {"id", "name", "committee_status", "population", "foreign_born", "covered"} <= set(first)
    summary = data["summary"]
    assert summary["neighborhoods_total"] == 17 and summary["neighborhoods_covered"] == 1
    assert summary["foreign_born_total"] == sum(n["foreign_born"] for n in data["neighborhoods"])
    asylum_hill = next(n for n in data["neighborhoods"] if n["name"] == "Asylum Hill")
    assert asylum_hill["committee_status"] == "active" and asylum_hill["covered"] is True
    assert summary["foreign_born_covered"] == asylum_hill["foreign_born"]
    assert summary["share_foreign_born_covered"] == pytest.approx(
        asylum_hill["foreign_born"] / summary["foreign_born_total"], abs=1e-3
    )
    assert data["communities"]


def test_rank_json_shape(capsys, hartford_db):
    code, out = run(capsys, "rank", "--json", "--k", 3, "--runs", 50, "--db", hartford_db)
    data = json.loads(out)
    assert code == 0
    assert set(data["weights"]) == {"need", "readiness", "access", "adjacency", "gaps"}
    candidates = data["candidates"]
    assert len(candidates) == 16  # every neighborhood but Asylum Hill (active committee)
    assert [c["rank"] for c in candidates] == list(range(1, 17))
    for candidate in candidates:
        parts = sum(
            data["weights"][name] * value for name, value in candidate["components"].items()
        )
        assert candidate["score"] == pytest.approx(parts, abs=1e-9)
        assert 2 <= len(candidate["reasons"]) <= 4 and 0 <= candidate["stability"] <= 1
    plan = data["plan"]
    assert plan["k"] == 3 and len(plan["selected"]) == 3
    assert plan["newly_covered"] >= plan["top_k_by_score_newly_covered"]
