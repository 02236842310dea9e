"""The command line: exit codes, messages, all-or-nothing init, exports."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from helpers import read_rows, set_cell, tiny_folder, write_rows

from coalition import cli
from coalition.store import open_store


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
        "severity": "error",
        "file": "ties.csv",
        "row": 2,
        "column": "target_id",
        "value": "nobody",
        "message": "",
    }


def broken_copy(folder):
    set_cell(folder / "organizations.csv", 0, "neighborhood", "Aldr")
    orgs = read_rows(folder / "organizations.csv")
    write_rows(folder / "organizations.csv", [*orgs, dict(orgs[-1], org_id="lib")])
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


@pytest.mark.parametrize(
    "fmt,name",
    [
        ("graphml", "c.graphml"),
        ("gexf", "c.gexf"),
        ("geojson", "c.geojson"),
        ("gpkg", "c.gpkg"),
        ("xlsx", "c.xlsx"),
        ("csv", "c.zip"),
    ],
)
def test_export_every_format(capsys, folder, db, tmp_path, fmt, name):
    run(capsys, "init", str(folder), "--db", db)
    code, _, _ = run(capsys, "export", "--format", fmt, str(tmp_path / name), "--db", db)
    assert code == 0 and (tmp_path / name).stat().st_size > 0
    if fmt == "graphml":
        assert nx.read_graphml(tmp_path / name).number_of_nodes() == 16


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["export", "--format", "pdf", "x"],
        ["rank", "--k", "three"],
        ["validate"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    assert run(capsys, *argv)[0] == 2


def test_bad_weights_syntax_exits_2(capsys, folder, db):
    run(capsys, "init", str(folder), "--db", db)
    code, _, err = run(capsys, "rank", "--db", db, "--weights", "need:1")
    assert code == 2 and "name=value" in err


def test_validate_missing_folder_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 1 and "not a folder" in err


# --- the store never surprises ------------------------------------------------------------------

ANALYSES = [
    ["gaps"],
    ["coverage"],
    ["rank", "--runs", "5"],
    ["maps"],
    ["info"],
    ["changes"],
    ["changes", "--list"],
    ["export", "--format", "csv", "out.zip"],
    ["gaps", "--json"],
    ["info", "--json"],
]


@pytest.mark.parametrize("argv", ANALYSES, ids=lambda a: " ".join(a))
def test_analyses_on_a_missing_store_exit_1_and_create_nothing(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv, "--db", "missing.db")
    assert code == 1
    assert (
        f"the store {tmp_path.resolve() / 'missing.db'} is empty: run `coalition init DIR`" in err
    )
    assert list(tmp_path.iterdir()) == []  # no store, no maps, no export


@pytest.mark.parametrize("argv", ANALYSES, ids=lambda a: " ".join(a))
def test_analyses_on_an_empty_store_exit_1_and_never_load_the_sample(
    capsys, tmp_path, monkeypatch, argv
):
    monkeypatch.chdir(tmp_path)
    empty = open_store(tmp_path / "empty.db")
    code, _, err = run(capsys, *argv, "--db", "empty.db")
    assert code == 1 and "is empty: run `coalition init DIR`" in err
    assert empty.is_empty() and empty.version() == 0


@pytest.mark.parametrize("verb", ["gaps", "coverage", "rank", "info", "changes", "maps"])
def test_text_output_names_the_city_and_data_version(capsys, folder, db, tmp_path, verb):
    run(capsys, "init", str(folder), "--db", db)
    extra = {"rank": ["--runs", "5"], "maps": ["--out", str(tmp_path / "m")]}.get(verb, [])
    code, out, _ = run(capsys, verb, "--db", db, *extra)
    assert code == 0
    assert out.splitlines()[0] == f"Tiny Town — data version 1 (store: {db})"


@pytest.mark.parametrize("verb", ["gaps", "coverage", "rank", "info", "changes"])
def test_json_output_names_the_city_and_data_version(capsys, folder, db, verb):
    run(capsys, "init", str(folder), "--db", db)
    run(capsys, "init", str(folder), "--db", db)  # version 2: the number is read, not assumed
    extra = ["--runs", "5"] if verb == "rank" else []
    code, out, _ = run(capsys, verb, "--json", "--db", db, *extra)
    data = json.loads(out)
    assert code == 0 and (data["city"], data["data_version"]) == ("Tiny Town", 2)
    assert list(data)[:2] == ["city", "data_version"]


def test_export_names_what_it_wrote(capsys, folder, db, tmp_path):
    run(capsys, "init", str(folder), "--db", db)
    code, out, _ = run(capsys, "export", "--format", "xlsx", str(tmp_path / "c.xlsx"), "--db", db)
    assert code == 0 and out.splitlines()[0].startswith("Tiny Town — data version 1")


# --- paths mean the caller's working directory --------------------------------------------------


def test_relative_db_and_env_mean_the_current_directory(capsys, folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "init", str(folder), "--db", "rel.db")[0] == 0
    assert (tmp_path / "rel.db").is_file()
    monkeypatch.setenv("COALITION_DB", "env.db")
    assert run(capsys, "init", str(folder))[0] == 0
    assert (tmp_path / "env.db").is_file()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, _, err = run(capsys, "info", "--json")
    assert code == 1 and "elsewhere" in err  # the same relative name, another directory


def test_the_default_store_is_coalition_db_in_the_current_directory(
    capsys, folder, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COALITION_DB", raising=False)
    assert run(capsys, "init", str(folder))[0] == 0
    assert (tmp_path / "coalition.db").is_file()


def test_maps_go_to_maps_in_the_current_directory_and_say_where(
    capsys, folder, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COALITION_MAPS_DIR", raising=False)
    run(capsys, "init", str(folder), "--db", "c.db")
    code, out, _ = run(capsys, "maps", "--db", "c.db")
    written = sorted((tmp_path / "maps").iterdir())
    assert code == 0 and written
    assert (
        f"map(s) to {tmp_path.resolve() / 'maps'}" in out or f"map(s) to {tmp_path / 'maps'}" in out
    )
    assert all(str(path) in out for path in written)


def test_maps_out_is_relative_to_the_current_directory(capsys, folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run(capsys, "init", str(folder), "--db", "c.db")
    assert run(capsys, "maps", "--db", "c.db", "--out", "here")[0] == 0
    assert any((tmp_path / "here").iterdir())


# --- init --replace, restore, sample ------------------------------------------------------------


def other_city(tmp_path):
    other = tiny_folder(tmp_path / "other")
    toml = other / "city.toml"
    toml.write_text(toml.read_text().replace('"Tiny Town"', '"Other Town"'))
    return other


def test_init_of_a_different_city_asks_for_replace(capsys, folder, db, tmp_path):
    run(capsys, "init", str(folder), "--db", db)
    code, _, err = run(capsys, "init", str(other_city(tmp_path)), "--db", db)
    assert code == 1 and "--replace" in err and "holds Tiny Town (version 1)" in err
    assert "coalition restore 1" in err
    store = open_store(db)
    assert store.version() == 1 and store.read_city().name == "Tiny Town"


def test_reloading_the_same_city_needs_no_replace(capsys, folder, db):
    run(capsys, "init", str(folder), "--db", db)
    assert run(capsys, "init", str(folder), "--db", db)[0] == 0
    assert open_store(db).version() == 2


def test_replace_then_restore_brings_the_first_city_back(capsys, folder, db, tmp_path):
    run(capsys, "init", str(folder), "--db", db)
    code, out, _ = run(capsys, "init", str(other_city(tmp_path)), "--db", db, "--replace")
    assert code == 0 and "Replaced Tiny Town (version 1" in out
    assert open_store(db).read_city().name == "Other Town"
    code, out, _ = run(capsys, "restore", "1", "--db", db)
    assert code == 0 and "Restored version 1 (Tiny Town) as version 3" in out
    store = open_store(db)
    assert store.read_city().name == "Tiny Town" and store.version() == 3
    assert store.versions()["what"].tolist()[0] == "restored version 1 (Tiny Town)"
    code, out, _ = run(capsys, "changes", "--since", "1", "--db", db, "--json")
    assert json.loads(out)["changes"] == []  # version 3 is version 1 again


@pytest.mark.parametrize("version", ["7", "0"])
def test_restore_of_a_version_not_kept_exits_1(capsys, folder, db, version):
    run(capsys, "init", str(folder), "--db", db)
    code, _, err = run(capsys, "restore", version, "--db", db)
    assert code == 1 and f"Version {version} is not in the store's history" in err
    assert open_store(db).version() == 1


def test_restore_on_a_missing_store_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "restore", "1", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "is empty" in err and not (tmp_path / "none.db").exists()


def test_restore_needs_a_number_or_a_meeting_name(capsys, folder, db):
    run(capsys, "init", str(folder), "--db", db)
    code, _, err = run(capsys, "restore", "one", "--db", db)
    assert code == 1 and "No version or meeting is called 'one'" in err
    assert open_store(db).version() == 1


def test_sample_writes_the_sample_city(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "sample", "hartford")
    names = {p.name for p in (tmp_path / "hartford").iterdir()}
    assert code == 0 and str(tmp_path / "hartford") in out and "coalition init hartford" in out
    assert {"city.toml", "organizations.csv", "ties.csv", "neighborhoods.geojson"} <= names
    assert "raw" not in names  # the raw downloads stay behind
    assert 'name = "Hartford, Connecticut"' in (tmp_path / "hartford" / "city.toml").read_text()


def test_sample_never_overwrites(capsys, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.csv").write_text("keep me")
    code, _, err = run(capsys, "sample", str(tmp_path / "full"))
    assert code == 1 and "not an empty folder" in err
    assert (tmp_path / "full" / "mine.csv").read_text() == "keep me"
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["mine.csv"]


def test_init_if_empty_loads_the_sample_and_says_so(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("COALITION_DATA_DIR", raising=False)
    db = str(tmp_path / "s.db")
    code, out, _ = run(capsys, "init", "--if-empty", "--db", db)
    assert code == 0 and "The store was empty: loaded the sample city (Hartford" in out
    assert open_store(db).info()["loaded_automatically"] is True
    code, out, _ = run(capsys, "init", "--if-empty", "--db", db)
    assert code == 0 and "nothing to do" in out


def test_the_packaged_sample_comes_first(tmp_path, monkeypatch):
    from coalition import samples, settings

    assert samples.sample_dir() == samples.CHECKOUT_SAMPLE  # a checkout: no packaged copy
    packaged = tmp_path / "_sample" / "hartford"
    packaged.mkdir(parents=True)
    monkeypatch.setattr(samples, "PACKAGED_SAMPLE", packaged)
    monkeypatch.delenv("COALITION_DATA_DIR", raising=False)
    assert samples.sample_dir() == packaged and settings.data_dir() == packaged


def test_no_default_path_hangs_off_the_source_tree(tmp_path, monkeypatch):
    from coalition import settings

    monkeypatch.chdir(tmp_path)
    for name in ("COALITION_DB", "COALITION_MAPS_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert settings.db_url() == f"sqlite:///{tmp_path.resolve() / 'coalition.db'}"
    assert settings.maps_dir() == tmp_path / "maps"


def test_rank_on_a_city_where_every_neighborhood_has_a_committee(capsys, tmp_path):
    """A complete city is an answer (exit 0, said in words), not an error."""
    import dataclasses

    from coalition.examples import example_city

    city = example_city()
    committees = city.tables["committees"]
    neighborhoods = city.tables["neighborhoods"]["neighborhood_id"].tolist()
    template = committees.iloc[0].to_dict()
    rows = [
        {
            **template,
            "committee_id": f"wc-{n}",
            "name": f"{n} committee",
            "neighborhood": n,
            "status": "active",
        }
        for n in neighborhoods
    ]
    tables = {**city.tables, "committees": committees.__class__(rows)}
    db = str(tmp_path / "full.db")
    open_store(db).replace_city(dataclasses.replace(city, tables=tables))
    capsys.readouterr()
    assert cli.main(["rank", "--db", db]) == 0
    assert "Every neighborhood already has an active welcoming committee" in capsys.readouterr().out
    assert cli.main(["rank", "--db", db, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["candidates"] == [] and data["k"] == 0 and data["notes"]
