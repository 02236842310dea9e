"""The command line: exit codes, messages, all-or-nothing init, exports."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from coalition import cli
from coalition.store import open_store
from helpers import read_rows, set_cell, tiny_folder, write_rows


@pytest.fixture
def folder(tmp_path):
    return tiny_folder(tmp_path / "tiny")


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "c.db")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_ok(capsys, folder):
    code, out, _ = run(capsys, "validate", str(folder))
    assert code == 0 and out.startswith("OK:")


def test_validate_json(capsys, folder):
    set_cell(folder / "ties.csv", 0, "target_id", "nobody")
    code, out, _ = run(capsys, "validate", str(folder), "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert data["errors"][0] | {"message": ""} == {
        "severity": "error", "file": "ties.csv", "row": 2, "column": "target_id",
        "value": "nobody", "message": ""}


def broken_copy(folder):
    set_cell(folder / "organizations.csv", 0, "neighborhood", "Aldr")
    orgs = read_rows(folder / "organizations.csv")
    write_rows(folder / "organizations.csv", orgs + [dict(orgs[-1], org_id="lib")])
    rows = read_rows(folder / "communities.csv")
    for row in rows:
        row.pop("community_kind")
    write_rows(folder / "communities.csv", rows)
    set_cell(folder / "ties.csv", 3, "target_id", "nobody")
    path = folder / "neighborhoods.geojson"
    path.write_bytes(path.read_bytes()[:300])
    return folder


def test_validate_names_all_five_problems_and_exits_1(capsys, folder):
    code, out, _ = run(capsys, "validate", str(broken_copy(folder)))
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 5
    assert "organizations.csv, row 2" in out and "organizations.csv, row 8" in out
    assert "communities.csv, column 'community_kind'" in out
    assert "ties.csv, row 5" in out and "neighborhoods.geojson" in out


def test_init_with_a_bad_folder_leaves_the_store_exactly_as_it_was(capsys, tmp_path, db):
    good = tiny_folder(tmp_path / "good")
    assert run(capsys, "init", str(good), "--db", db)[0] == 0
    store = open_store(db)
    before = (store.version(), store.info(), store.read_city().tables)
    bad = broken_copy(tiny_folder(tmp_path / "bad"))
    code, _, err = run(capsys, "init", str(bad), "--db", db)
    assert code == 1 and "nothing was loaded" in err
    after = (store.version(), store.info(), store.read_city().tables)
    assert before[0] == after[0] and before[1] == after[1]
    for name in before[2]:
        assert before[2][name].equals(after[2][name]), name


def test_init_if_empty(capsys, folder, db):
    assert run(capsys, "init", str(folder), "--db", db)[0] == 0
    code, out, _ = run(capsys, "init", str(folder), "--db", db, "--if-empty")
    assert code == 0 and "nothing to do" in out
    assert open_store(db).version() == 1


def test_info_json(capsys, folder, db):
    run(capsys, "init", str(folder), "--db", db)
    code, out, _ = run(capsys, "info", "--db", db, "--json")
    data = json.loads(out)
    assert code == 0 and data["city"] == "Tiny Town" and data["counts"]["organization"] == 6


@pytest.mark.parametrize("fmt,name", [("graphml", "c.graphml"), ("gexf", "c.gexf"),
                                      ("geojson", "c.geojson"), ("gpkg", "c.gpkg"),
                                      ("xlsx", "c.xlsx"), ("csv", "c.zip")])
def test_export_every_format(capsys, folder, db, tmp_path, fmt, name):
    run(capsys, "init", str(folder), "--db", db)
    code, out, _ = run(capsys, "export", "--format", fmt, str(tmp_path / name), "--db", db)
    assert code == 0 and (tmp_path / name).stat().st_size > 0
    if fmt == "graphml":
        assert nx.read_graphml(tmp_path / name).number_of_nodes() == 16


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["export", "--format", "pdf", "x"],
                                  ["rank", "--k", "three"], ["validate"]])
def test_usage_errors_exit_2(capsys, argv):
    assert run(capsys, *argv)[0] == 2


def test_bad_weights_syntax_exits_2(capsys, folder, db):
    run(capsys, "init", str(folder), "--db", db)
    code, _, err = run(capsys, "rank", "--db", db, "--weights", "need:1")
    assert code == 2 and "name=value" in err


def test_validate_missing_folder_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 1 and "not a folder" in err
