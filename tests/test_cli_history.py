"""`coalition restore / undo / meeting / backup / changes --since MEETING` on the tiny city.

Hand-worked answers (tests/tiny_city.py): version 1 is the loaded city (4 partnerships); Ana's
version 2 adds the partnership Dogwood Clinic – Lonely Shop (5 partnerships, Lonely Shop no longer
isolated; Dogwood Clinic becomes a broker and a single point of failure for Lonely Shop).
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from coalition import cli, edits
from coalition import store as store_module

TIE = {
    "source_id": "clinic",
    "target_id": "lonely",
    "tie_type": "partnership",
    "source": "working session",
    "source_date": "2026-11",
    "illustrative": "no",
}


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path, tiny_city) -> str:
    path = tmp_path / "c.db"
    store_module.open_store(path).replace_city(tiny_city)
    return str(path)


def add_tie(db: str, who: str = "Ana") -> int:
    store = store_module.open_store(db)
    changes = edits.add(store.read_city(), "ties", TIE)
    return store.apply(changes, what="Added: Dogwood Clinic works with Lonely Shop", who=who)


def change_services(db: str, services: str, who: str) -> int:
    store = store_module.open_store(db)
    changes = edits.change(store.read_city(), "organizations", "clinic", {"services": services})
    return store.apply(changes, what=f"Changed Dogwood Clinic: services {services}", who=who)


def partnerships(db: str) -> int:
    ties = store_module.open_store(db).read_city().tables["ties"]
    return int((ties["tie_type"] == "partnership").sum())


# --- meeting ----------------------------------------------------------------------------------


def test_meeting_names_the_current_version_and_lists_it(capsys, db):
    add_tie(db)
    code, out, _ = run(capsys, "meeting", "March   convening", "--who", "Ana", "--db", db)
    assert code == 0
    assert out.startswith("Version 2 is now the meeting 'March convening'.")
    assert 'coalition changes --since "March convening"' in out
    code, out, _ = run(capsys, "meeting", "--list", "--db", db)
    assert code == 0 and out.split()[:3] == ["2", "March", "convening"]
    assert "by Ana" in out


def test_meeting_with_a_version_and_as_json(capsys, db):
    add_tie(db)
    assert run(capsys, "meeting", "Kick-off", "--version", 1, "--db", db)[0] == 0
    code, out, _ = run(capsys, "meeting", "--list", "--json", "--db", db)
    assert code == 0
    assert [(m["name"], m["version"]) for m in json.loads(out)] == [("Kick-off", 1)]


def test_meeting_list_when_none_is_named(capsys, db):
    code, out, _ = run(capsys, "meeting", "--list", "--db", db)
    assert code == 0 and "No meeting is named yet" in out


@pytest.mark.parametrize(
    "argv, code, words",
    [
        ([], 2, "give the meeting's name"),  # neither a name nor --list
        (["A name", "--list"], 2, "give the meeting's name"),  # both
        (["12"], 1, "a number alone would read as a version"),
        (["   "], 1, "with words in it"),
        (["Later", "--version", "9"], 1, "Version 9 is not kept"),
    ],
)
def test_meeting_bad_input(capsys, db, argv, code, words):
    got, out, err = run(capsys, "meeting", *argv, "--db", db)
    assert (got, out) == (code, "")
    assert words in err
    assert store_module.open_store(db).meetings().empty


def test_meeting_on_a_missing_or_empty_store_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "meeting", "March", "--db", tmp_path / "none.db")
    assert code == 1 and "coalition init" in err
    store_module.open_store(tmp_path / "empty.db")  # tables, no city
    code, _, err = run(capsys, "meeting", "March", "--db", tmp_path / "empty.db")
    assert code == 1 and "coalition init" in err


# --- changes --since a meeting, changes --list ---------------------------------------------------


def test_changes_since_a_meeting_name(capsys, db):
    run(capsys, "meeting", "March convening", "--db", db)  # names version 1
    add_tie(db)
    code, out, _ = run(capsys, "changes", "--since", "march CONVENING", "--db", db)
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == (
        "Changes from version 1 ('March convening', loaded Tiny Town) to version 2:"
    )
    assert "  - Dogwood Clinic and Lonely Shop started working together." in lines
    at = lines.index("What the changes did:")
    assert lines[at + 1] == (
        "  - Dogwood Clinic is now a broker: its 2 partners (Birch Legal Aid and Lonely Shop) "
        "count as 2.0 independent contacts (effective size; it was 1.0)."
    )
    assert lines[at + 2] == (
        "  - Dogwood Clinic is now a single point of failure: if it left, 1 organization "
        "(Lonely Shop) would be cut off from the rest of the partnership network."
    )


def test_changes_since_a_meeting_as_json(capsys, db):
    run(capsys, "meeting", "March convening", "--db", db)
    add_tie(db)
    code, out, _ = run(capsys, "changes", "--since", "March convening", "--json", "--db", db)
    data = json.loads(out)
    assert code == 0
    assert (data["since"], data["since_meeting"], data["current"]) == (1, "March convening", 2)
    assert [e["kind"] for e in data["effects"]] == [
        "broker",
        "single_point_of_failure",
        "single_point_of_failure",
    ]


def test_changes_since_an_unknown_meeting_lists_the_known_ones(capsys, db):
    run(capsys, "meeting", "March convening", "--db", db)
    run(capsys, "meeting", "Kick-off", "--db", db)
    code, out, err = run(capsys, "changes", "--since", "April meeting", "--db", db)
    assert code == 1 and "Changes from" not in out
    assert "No version or meeting is called 'April meeting'" in err
    assert "'March convening'" in err and "'Kick-off'" in err


def test_changes_since_a_meeting_when_none_is_named(capsys, db):
    code, _, err = run(capsys, "changes", "--since", "March", "--db", db)
    assert code == 1 and "Meetings: none yet" in err


def test_changes_list_shows_who_and_meetings(capsys, db):
    add_tie(db, who="Ana")
    run(capsys, "meeting", "March convening", "--version", 1, "--db", db)
    code, out, _ = run(capsys, "changes", "--list", "--db", db)
    lines = out.splitlines()[1:]
    assert code == 0 and len(lines) == 2
    assert lines[0].endswith("Added: Dogwood Clinic works with Lonely Shop  (by Ana)")
    assert lines[1].endswith("loaded Tiny Town  (meeting: March convening)")
    code, out, _ = run(capsys, "changes", "--list", "--json", "--db", db)
    rows = json.loads(out)
    assert [(r["version"], r["who"], r["kind"], r["meeting"]) for r in rows] == [
        (2, "Ana", "edit", ""),
        (1, "", "load", "March convening"),
    ]


# --- restore -------------------------------------------------------------------------------------


def test_restore_a_meeting_by_name_with_who(capsys, db):
    run(capsys, "meeting", "March convening", "--db", db)
    add_tie(db)
    assert partnerships(db) == 5
    code, out, _ = run(capsys, "restore", "March convening", "--who", "Ana", "--db", db)
    assert code == 0
    assert out.startswith("Restored version 1 ('March convening') (Tiny Town) as version 3")
    assert "coalition undo --version 3" in out
    assert partnerships(db) == 4
    latest = store_module.open_store(db).versions().iloc[0]
    assert (latest["version"], latest["who"], latest["kind"]) == (3, "Ana", "restore")


def test_restore_by_number_still_works(capsys, db):
    add_tie(db)
    code, out, _ = run(capsys, "restore", "1", "--db", db)
    assert code == 0 and out.startswith("Restored version 1 (Tiny Town) as version 3")
    assert partnerships(db) == 4


@pytest.mark.parametrize(
    "version, words",
    [("7", "Version 7 is not in the store's history"), ("April", "Meetings: none yet")],
)
def test_restore_bad_input_changes_nothing(capsys, db, version, words):
    code, out, err = run(capsys, "restore", version, "--db", db)
    assert (code, out) == (1, "") and words in err
    assert store_module.open_store(db).version() == 1


# --- undo ----------------------------------------------------------------------------------------


def test_undo_who_undoes_their_last_change(capsys, db):
    add_tie(db, who="Ana")
    code, out, _ = run(capsys, "undo", "--who", "Ana", "--db", db)
    assert code == 0
    assert out.startswith(
        "Version 3: undid version 2: Added: Dogwood Clinic works with Lonely Shop."
    )
    assert partnerships(db) == 4
    latest = store_module.open_store(db).versions().iloc[0]
    assert (latest["who"], latest["kind"]) == ("Ana", "undo")


def test_undo_a_version_and_take_the_undo_back(capsys, db):
    add_tie(db, who="Ana")
    assert run(capsys, "undo", "--version", 2, "--db", db)[0] == 0
    assert partnerships(db) == 4
    assert run(capsys, "undo", "--version", 3, "--db", db)[0] == 0
    assert partnerships(db) == 5


def test_undo_with_nothing_of_yours_exits_1(capsys, db):
    add_tie(db, who="Ana")
    code, out, err = run(capsys, "undo", "--who", "Bob", "--db", db)
    assert (code, out) == (1, "") and "nothing of yours to undo (Bob)" in err
    assert store_module.open_store(db).version() == 2


def test_undo_the_first_load_is_refused(capsys, db):
    code, _, err = run(capsys, "undo", "--db", db)  # the load was saved without a name
    assert code == 1 and "The first version cannot be undone" in err


def test_undo_of_an_unknown_version_exits_1(capsys, db):
    code, _, err = run(capsys, "undo", "--version", 9, "--db", db)
    assert code == 1 and "Version 9 is not kept" in err


def test_undo_after_someone_changed_the_same_record_names_it(capsys, db):
    change_services(db, "housing", who="Ana")  # version 2
    change_services(db, "housing;legal", who="Bob")  # version 3, the same row
    code, out, err = run(capsys, "undo", "--who", "Ana", "--db", db)
    assert (code, out) == (1, "")
    assert "Nothing was undone: 1 record(s) it changed were changed again since" in err
    assert "Dogwood Clinic (organizations, changed again in version 3)" in err
    assert "coalition undo --version 3" in err
    assert store_module.open_store(db).version() == 3


def test_undo_on_a_missing_store_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "undo", "--db", tmp_path / "none.db")
    assert code == 1 and "coalition init" in err


# --- backup --------------------------------------------------------------------------------------


def test_backup_writes_a_store_with_every_version_and_says_how_to_use_it(capsys, db, tmp_path):
    add_tie(db)
    out_path = tmp_path / "backups" / "c-backup.db"
    code, out, _ = run(capsys, "backup", out_path, "--db", db)
    assert code == 0
    assert f"to {out_path}." in out
    assert f"coalition serve --db {out_path}" in out and f"cp {out_path} {db}" in out
    with sqlite3.connect(out_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy = store_module.open_store(out_path, must_exist=True)
    assert copy.version() == 2 and copy.versions()["version"].tolist() == [2, 1]
    assert int((copy.read_city().tables["ties"]["tie_type"] == "partnership").sum()) == 5


def test_backup_onto_an_existing_file_is_refused(capsys, db, tmp_path):
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"precious")
    code, out, err = run(capsys, "backup", existing, "--db", db)
    assert (code, out) == (1, "")
    assert "exists already: give a new file name" in err
    assert existing.read_bytes() == b"precious"


def test_backup_of_an_unreachable_postgresql_store_fails_and_hides_the_password(capsys, tmp_path):
    # A PostgreSQL store is backed up into a SQLite file (tests/test_store_engines.py); a server
    # that cannot be reached is a StoreError, and the URL's password is never shown.
    out_path = tmp_path / "pg.db"
    code, out, err = run(
        capsys, "backup", out_path, "--db", "postgresql://ana:secret@127.0.0.1:1/coalition"
    )
    assert (code, out) == (1, "")
    assert "Cannot" in err and "ana:***@127.0.0.1:1/coalition" in err
    assert "secret" not in err
    assert not out_path.exists()


def test_backup_of_an_empty_store_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "backup", tmp_path / "b.db", "--db", tmp_path / "none.db")
    assert code == 1 and "coalition init" in err
    assert not (tmp_path / "b.db").exists()


def test_backup_needs_a_file_name(capsys, db):
    code, _, err = run(capsys, "backup", "--db", db)
    assert code == 2 and "out" in err
