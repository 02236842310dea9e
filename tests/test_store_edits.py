"""The store's row edits: apply, undo, restore, history, meetings, backup, conflicts, checkpoints
and the migration of a store written before rows had keys. All on the tiny example city, on
SQLite and PostgreSQL (the stores written before rows had keys were SQLite files only)."""

from __future__ import annotations

import sqlite3
import threading

import pandas as pd
import pytest
from sqlalchemy import text
from tiny_city import example_city

from coalition import edits, schema, settings
from coalition.errors import ConflictError, StoreError
from coalition.store import open_store

ON = "2026-11-30"


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    store.replace_city(example_city())
    return store


def _tie(source: str, target: str, tie_type: str = "partnership", **cells: str) -> dict:
    return {
        "source_id": source,
        "target_id": target,
        "tie_type": tie_type,
        "source": "working session",
        "source_date": ON,
        "illustrative": "no",
        **cells,
    }


def _org(org_id: str, **cells: str) -> dict[str, str]:
    return {
        "org_id": org_id,
        "name": f"Org {org_id}",
        "sector": "nonprofit",
        "orientation": "both",
        "source": "working session",
        "source_date": ON,
        "illustrative": "no",
        **cells,
    }


def _plain(city, tables=edits.EDITABLE_TABLES) -> dict[str, list[dict]]:
    return {t: [edits.plain_row(t, r) for r in city.tables[t].to_dict("records")] for t in tables}


def _notes(store, org_id: str):
    return store.row("organizations", org_id)[0]["notes"]


# --- apply, row, retired ---------------------------------------------------------------------


def test_apply_writes_the_rows_and_a_version(store):
    city = store.read_city()
    changes = edits.change(city, "organizations", "lonely", {"services": "health"})
    assert store.apply(changes, what="Lonely Shop offers health", who="Ana") == 2
    assert store.version() == 2 and store.read_city().meta["version"] == 2
    row, changed_in = store.row("organizations", "lonely")
    assert row["services"] == ["health"] and changed_in == 2
    assert store.row("organizations", "lib")[1] == 1  # untouched: still the load's
    assert store.row("organizations", "ghost") == (None, None)
    top = store.versions().iloc[0]
    assert (top["version"], top["what"], top["who"], top["kind"], top["meeting"]) == (
        2,
        "Lonely Shop offers health",
        "Ana",
        "edit",
        "",
    )
    assert store.changes_in(2) == changes
    assert store.changes_in(1) == []  # a whole-city version
    assert store.apply([], what="nothing") == 2  # no change: no version


def test_apply_an_add_puts_the_row_last(store):
    city = store.read_city()
    store.apply(edits.add(city, "ties", _tie("lonely", "lib", strength="2")), what="tie")
    ties = store.read_city().tables["ties"]
    assert len(ties) == 18
    last = ties.iloc[-1]
    assert (last["source_id"], last["target_id"], last["strength"]) == ("lonely", "lib", 2)
    assert store.changes_in(2)[0].kind == "added"


def test_retired_rows_leave_the_city_but_stay_in_the_store(store):
    city = store.read_city()
    store.apply(
        edits.retire(city, "organizations", "clinic", reason="closed", on=ON), what="closed"
    )
    now = store.read_city()
    assert "clinic" not in set(now.tables["organizations"]["org_id"])
    assert len(now.tables["ties"]) == 15
    full = store.read_city(include_retired=True)
    assert len(full.tables["organizations"]) == 6 and len(full.tables["ties"]) == 17
    marks = full.tables["organizations"].set_index("org_id")["_retired"]
    assert marks["clinic"] == {"on": ON, "reason": "closed"} and marks.drop("clinic").isna().all()
    retired = store.retired("ties")
    assert sorted(retired["source_id"] + ">" + retired["target_id"]) == [
        "clinic>karen",
        "legal>clinic",
    ]
    assert set(retired["_retired_reason"]) == {"Dogwood Clinic retired: closed"}
    assert set(retired["_retired_on"]) == {ON}
    assert "_retired" not in retired.columns
    assert store.retired("committees").empty
    row, version = store.row("organizations", "clinic")
    assert row["_retired"] == {"on": ON, "reason": "closed"} and version == 2


# --- conflicts -------------------------------------------------------------------------------


def test_a_row_saved_since_the_form_was_read_is_a_conflict(store):
    city = store.read_city()  # both forms read version 1
    store.apply(edits.change(city, "organizations", "lib", {"notes": "Ana's"}), what="a")
    mine = edits.change(city, "organizations", "lib", {"notes": "Bo's"})
    with pytest.raises(ConflictError, match="1 record") as error:
        store.apply(mine, what="b", read_version=1)
    [conflict] = error.value.conflicts
    assert conflict.change == mine[0]
    assert conflict.current["notes"] == "Ana's" and conflict.changed_in == 2
    assert store.version() == 2 and _notes(store, "lib") == "Ana's"  # nothing saved


def test_a_conflict_on_one_row_saves_none_of_the_others(store):
    city = store.read_city()
    store.apply(edits.change(city, "ties", "legal|lib|partnership", {"strength": "1"}), what="a")
    both = [
        *edits.change(city, "organizations", "lonely", {"notes": "mine"}),
        *edits.change(city, "ties", "legal|lib|partnership", {"strength": "2"}),
    ]
    with pytest.raises(ConflictError) as error:
        store.apply(both, what="b")
    assert [c.change.key for c in error.value.conflicts] == ["legal|lib|partnership"]
    assert error.value.conflicts[0].current["strength"] == 1
    assert _notes(store, "lonely") is None and store.version() == 2


def test_different_rows_never_conflict(store):
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "a"}), what="a")
    store.apply(edits.change(city, "organizations", "legal", {"notes": "b"}), what="b")
    store.apply(edits.add(city, "ties", _tie("lonely", "clinic")), what="c")
    store.apply(edits.retire(city, "ties", "assoc|lib|partnership", reason="x", on=ON), what="d")
    assert store.version() == 5
    assert (_notes(store, "lib"), _notes(store, "legal")) == ("a", "b")


def test_adding_a_row_someone_added_meanwhile_is_a_conflict(store):
    city = store.read_city()
    store.apply(edits.add(city, "ties", _tie("lonely", "lib")), what="a")
    with pytest.raises(ConflictError) as error:
        store.apply(edits.add(city, "ties", _tie("lib", "lonely", strength="3")), what="b")
    assert error.value.conflicts[0].current["source_id"] == "lonely"
    assert error.value.conflicts[0].changed_in == 2


def test_adding_over_a_retired_row_brings_it_back_in_its_place(store):
    city = store.read_city()
    store.apply(
        edits.retire(city, "ties", "legal|lib|partnership", reason="ended", on=ON), what="end"
    )
    again = store.read_city()
    [added] = edits.add(again, "ties", _tie("lib", "legal", strength="1"))
    assert added.before is None
    assert store.apply([added], what="again") == 3
    ties = store.read_city().tables["ties"]
    assert edits.keys_of("ties", ties)[0] == "legal|lib|partnership"  # its old place
    assert ties["strength"].iloc[0] == 1
    [applied] = store.changes_in(3)
    assert applied.kind == "restored"  # kept as it was applied: before = the retired row
    assert applied.before["_retired"] == {"on": ON, "reason": "ended"}
    assert store.retired("ties").empty
    store.undo()  # undoing it retires it again
    assert store.row("ties", "legal|lib|partnership")[0]["_retired"]["reason"] == "ended"


def test_a_tie_to_a_record_retired_meanwhile_is_refused(store):
    city = store.read_city()
    store.apply(
        edits.retire(city, "organizations", "lonely", reason="closed", on=ON), what="closed"
    )
    with pytest.raises(ConflictError, match="retired or missing end") as error:
        store.apply(edits.add(city, "ties", _tie("lonely", "lib")), what="tie")
    assert [c.change.key for c in error.value.conflicts] == ["lib|lonely|partnership"]
    assert store.version() == 2 and store.row("ties", "lib|lonely|partnership") == (None, None)


def test_retiring_a_record_that_gained_a_tie_meanwhile_is_refused(store):
    city = store.read_city()
    store.apply(edits.add(city, "ties", _tie("lonely", "clinic")), what="tie")
    with pytest.raises(ConflictError, match="retired or missing end") as error:
        store.apply(
            edits.retire(city, "organizations", "clinic", reason="closed", on=ON), what="close"
        )
    assert [c.change.key for c in error.value.conflicts] == ["clinic"]
    assert store.row("organizations", "clinic")[0]["_retired"] is None


# --- undo, restore ---------------------------------------------------------------------------


def test_undo_adds_a_version_that_undoes_the_latest_of_who(store):
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "Ana"}), what="a", who="Ana")
    store.apply(edits.change(city, "organizations", "legal", {"notes": "Bo"}), what="b", who="Bo")
    assert store.undo(who="Ana") == 4
    assert (_notes(store, "lib"), _notes(store, "legal")) == (None, "Bo")
    top = store.versions().iloc[0]
    assert (top["kind"], top["who"], top["what"]) == ("undo", "Ana", "undid version 2: a")
    assert store.changes_in(4) == edits.inverse(store.changes_in(2))
    with pytest.raises(StoreError, match="nothing of yours to undo"):
        store.undo(who="Cy")
    with pytest.raises(StoreError, match="Version 99 is not kept"):
        store.undo(version=99)


def test_undo_refuses_when_a_row_changed_since(store):
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "Ana"}), what="a", who="Ana")
    store.apply(
        edits.change(store.read_city(), "organizations", "lib", {"notes": "Bo"}), what="b", who="Bo"
    )
    with pytest.raises(ConflictError) as error:
        store.undo(who="Ana")
    assert error.value.conflicts[0].current["notes"] == "Bo"
    assert error.value.conflicts[0].changed_in == 3
    assert store.version() == 3


def test_undo_a_merge_restores_the_city_exactly(store):
    before = store.read_city()
    store.apply(edits.merge(before, "organizations", "lib", "legal"), what="merge", who="Ana")
    merged = store.read_city()
    assert "legal" not in set(merged.tables["organizations"]["org_id"])
    assert len(merged.tables["ties"]) == 15
    store.undo(who="Ana")
    assert _plain(store.read_city()) == _plain(before)
    for table in edits.EDITABLE_TABLES:
        assert store.retired(table).empty
    pd.testing.assert_frame_equal(
        store.read_city().tables["organizations"], before.tables["organizations"]
    )


def test_undo_a_load_restores_the_version_before_it(store):
    other = example_city()
    other.tables["organizations"] = other.tables["organizations"].iloc[:2]
    other.tables["ties"] = other.tables["ties"].iloc[[0, 4, 5, 8]]
    store.replace_city(other, what="loaded the small one")
    assert len(store.read_city().tables["organizations"]) == 2
    assert store.undo() == 3
    assert _plain(store.read_city()) == _plain(example_city())
    assert store.versions().iloc[0]["kind"] == "restore"
    with pytest.raises(StoreError, match="first version cannot be undone"):
        store.undo(version=1)


def test_restore_adds_a_version_and_keeps_every_one(store):
    city = store.read_city()
    store.apply(edits.retire(city, "organizations", "clinic", reason="x", on=ON), what="r")
    assert store.restore(1, who="Ana") == 3
    assert _plain(store.read_city()) == _plain(example_city())
    top = store.versions().iloc[0]
    assert (top["kind"], top["who"]) == ("restore", "Ana")
    assert top["what"] == "restored version 1 (Tiny Town)"
    assert "clinic" not in set(store.read_version(2).tables["organizations"]["org_id"])
    assert store.restore(2) == 4  # retired rows come back as retired
    assert store.row("organizations", "clinic")[0]["_retired"] == {"on": ON, "reason": "x"}
    assert store.read_city().boundaries.geometry.equals(example_city().boundaries.geometry)
    with pytest.raises(StoreError, match="not in the store's history"):
        store.restore(9)


# --- history -------------------------------------------------------------------------------


def test_changes_between_nets_the_edits_and_refuses_across_a_load(store):
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="2")
    store.apply(edits.change(store.read_city(), "organizations", "lib", {"notes": "y"}), what="3")
    store.apply(edits.add(store.read_city(), "ties", _tie("lonely", "lib")), what="4")
    store.apply(edits.change(store.read_city(), "organizations", "legal", {"notes": "z"}), what="5")
    store.undo(version=5)  # 6: legal's notes back as they were
    between = store.changes_between(1, 6)
    assert [(c.key, c.kind) for c in between] == [
        ("lib", "changed"),
        ("lib|lonely|partnership", "added"),
    ]
    assert (between[0].before["notes"], between[0].after["notes"]) == (None, "y")
    assert store.changes_between(2, 3)[0].after["notes"] == "y"
    assert store.changes_between(6, 6) == []
    assert store.changes_between(0, 2) is None  # the load (version 1) lies between
    store.replace_city(example_city())  # 7
    assert store.changes_between(5, 7) is None
    assert store.changes_between(7, 7) == []


def test_read_version_reads_any_version_and_refuses_unknown_ones(store):
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"name": "Library"}), what="renamed")
    old = store.read_version(1)
    assert old.tables["organizations"]["name"].iloc[0] == "Alder Library"
    assert (old.name, old.meta["version"], old.meta["what"]) == ("Tiny Town", 1, "loaded Tiny Town")
    assert old.boundaries.empty
    assert store.read_version(2).tables["organizations"]["name"].iloc[0] == "Library"
    with pytest.raises(StoreError, match="keeps versions 1 to 2"):
        store.read_version(3)
    with pytest.raises(StoreError, match="keeps versions 1 to 2"):
        store.read_version(0)


def test_checkpoints_keep_every_version_readable_as_it_was(store_url, monkeypatch):
    monkeypatch.setattr(settings, "CHECKPOINT_EVERY", 3)
    store = open_store(store_url)
    store.replace_city(example_city())
    kept = {1: _plain(store.read_city())}  # a full copy of every version, kept by the test

    def save(changes, what, **kwargs):
        version = store.apply(changes, what=what, **kwargs)
        kept[version] = _plain(store.read_city())

    for k in range(4):
        city = store.read_city()
        save(edits.change(city, "organizations", "lib", {"notes": f"n{k}"}), f"notes {k}")
    save(edits.add(store.read_city(), "organizations", _org("new")), "add org")
    save(edits.add(store.read_city(), "ties", _tie("new", "lib")), "add tie")
    save(edits.merge(store.read_city(), "organizations", "lib", "legal"), "merge", who="Ana")
    save(edits.set_committee_status(store.read_city(), "wc-alder", "paused", on=ON), "paused")
    version = store.undo(who="Ana")  # the merge
    kept[version] = _plain(store.read_city())
    city = store.read_city()
    save(edits.retire(city, "organizations", "clinic", reason="closed", on=ON), "retire")
    save(edits.retire(store.read_city(), "ties", "lib|new|partnership", reason="x", on=ON), "end")
    save(edits.add(store.read_city(), "ties", _tie("new", "lib", strength="1")), "revived")
    restored = store.restore(4)
    kept[restored] = _plain(store.read_city())
    for k in range(5):
        city = store.read_city()
        save(edits.change(city, "communities", "karen", {"notes": f"k{k}"}), f"karen {k}")

    assert sorted(kept) == list(range(1, store.version() + 1))
    for version, tables in kept.items():
        assert _plain(store.read_version(version)) == tables, version
    with store.engine.connect() as conn:
        snapshots = [r[0] for r in conn.execute(text("SELECT version FROM history ORDER BY 1"))]
    # The load (1) and the restore (14) keep a snapshot; edits one after every 3 in a row:
    # 2-4, 5-7, 8-10 (merge, status, undo), 11-13, then 15-17 after the restore.
    assert (restored, store.version()) == (14, 19)
    assert snapshots == [1, 4, 7, 10, 13, 14, 17]


# --- meetings, version_of, backup ---------------------------------------------------------------


def test_meetings_name_versions(store):
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="x")
    assert store.name_meeting("  March   convening ", version=1, who="Ana") == 1
    assert store.name_meeting("April session") == 2
    meetings = store.meetings()
    assert meetings[["name", "version", "who"]].values.tolist() == [
        ["April session", 2, ""],
        ["March convening", 1, "Ana"],
    ]
    assert store.versions().set_index("version")["meeting"].to_dict() == {
        2: "April session",
        1: "March convening",
    }
    assert store.version_of("march convening") == 1
    assert store.version_of("2") == 2 and store.version_of(1) == 1
    store.name_meeting("March convening", version=2)  # naming again moves the name
    assert store.version_of("March convening") == 2
    # Both now name version 2: newest first, by the second they were named (often the same one).
    with pytest.raises(StoreError, match="No version or meeting is called 'May'") as unknown:
        store.version_of("May")
    assert str(unknown.value).count("'April session'") == 1
    assert str(unknown.value).count("'March convening'") == 1
    for bad in ("", "   ", "12"):
        with pytest.raises(StoreError, match="words in it"):
            store.name_meeting(bad)
    with pytest.raises(StoreError, match="under 120"):
        store.name_meeting("x" * 121)
    with pytest.raises(StoreError, match="Version 7 is not kept"):
        store.name_meeting("Later", version=7)


def test_a_meeting_on_a_version_that_is_overwritten_goes_with_it(store_url):
    # A store whose meta was reset writes over versions at or above its version: their
    # meetings are dropped with them, not left pointing at other data.
    store = open_store(store_url)
    store.replace_city(example_city())
    store.name_meeting("First")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '0' WHERE key = 'version'"))
    store.replace_city(example_city())
    assert store.meetings().empty


def test_backup_copies_a_store_that_opens_and_reads_the_same(store, tmp_path):
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="x")
    copy = store.backup(tmp_path / "backups" / "copy.db")
    assert copy == tmp_path / "backups" / "copy.db"
    assert not (tmp_path / "backups" / "copy.db.partial").exists()
    other = open_store(copy, must_exist=True)
    assert _plain(other.read_city()) == _plain(store.read_city())
    assert other.versions()["version"].tolist() == [2, 1]
    assert other.changes_in(2) == store.changes_in(2)
    with pytest.raises(StoreError, match="exists already"):
        store.backup(copy)


# --- a store written before rows had keys ------------------------------------------------------


def _make_old_store(path) -> None:
    """A store as written before rows had keys: tables with only ``_pos`` and the schema's
    columns, a history of whole-city snapshots and no versions, edits or meetings tables."""
    store = open_store(path)
    store.replace_city(example_city())
    second = example_city()
    second.tables["organizations"].loc[0, "name"] = "Alder Public Library"
    store.replace_city(second)
    store.engine.dispose()
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")]
        for name in names:
            if name.startswith("ix_"):
                conn.execute(f'DROP INDEX "{name}"')
        for table, columns in schema.TABLES.items():
            types = {"int": "INTEGER", "float": "FLOAT"}
            declared = ", ".join(f'"{c.name}" {types.get(c.type, "TEXT")}' for c in columns)
            listed = ", ".join(f'"{c.name}"' for c in columns)
            conn.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_new"')
            conn.execute(f'CREATE TABLE "{table}" (_pos INTEGER NOT NULL PRIMARY KEY, {declared})')
            conn.execute(
                f'INSERT INTO "{table}" (_pos, {listed}) SELECT _pos, {listed} FROM "{table}_new"'
            )
            conn.execute(f'DROP TABLE "{table}_new"')
        # Nor the tables added since, nor Alembic's stamp.
        for table in (
            "versions",
            "edits",
            "meetings",
            "accounts",
            "sessions",
            "audit",
            "store_lock",
            "alembic_version",
        ):
            conn.execute(f'DROP TABLE "{table}"')
        conn.execute("DELETE FROM meta WHERE key = 'store_format'")


def test_an_old_store_is_migrated_and_reads_the_same_city(tmp_path):
    path = tmp_path / "old.db"
    _make_old_store(path)
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(ties)")]
        assert "_key" not in columns and "_retired" not in columns
    store = open_store(path)
    city = store.read_city()
    expected = example_city()
    expected.tables["organizations"].loc[0, "name"] = "Alder Public Library"
    assert _plain(city) == _plain(expected) and city.meta["version"] == 2
    versions = store.versions()
    assert versions[["version", "kind"]].values.tolist() == [[2, "load"], [1, "load"]]
    assert _plain(store.read_version(1)) == _plain(example_city())
    assert store.row("ties", "legal|lib|partnership") == (
        edits.current_row(city, "ties", "legal|lib|partnership"),
        2,
    )
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ties WHERE _key IS NULL")).scalar() == 0
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    # It takes edits, undo and restore like a new one.
    store.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="x", who="A")
    store.undo(who="A")
    assert _plain(store.read_city()) == _plain(expected)
    store.restore(1)
    assert _plain(store.read_city()) == _plain(example_city())
    # Opening it again changes nothing.
    again = open_store(path)
    assert again.versions()["version"].tolist() == [5, 4, 3, 2, 1]


def test_an_old_store_opened_by_several_threads_at_once_is_migrated_once(tmp_path):
    path = tmp_path / "old.db"
    _make_old_store(path)
    barrier = threading.Barrier(4)
    failures: list[str] = []

    def opener() -> None:
        barrier.wait()
        try:
            open_store(path)
        except Exception as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    store = open_store(path)
    assert store.versions()["version"].tolist() == [2, 1]
    assert len(store.read_city().tables["ties"]) == 17


def test_a_checkpoint_that_cannot_be_kept_does_not_fail_the_saved_edit(store, monkeypatch, caplog):
    monkeypatch.setattr(settings, "CHECKPOINT_EVERY", 1)
    in_write = store._in_write

    def busy(work, doing):
        if doing == "Keeping a checkpoint":
            raise StoreError(f"{doing} failed and nothing was changed (database is locked).")
        return in_write(work, doing)

    monkeypatch.setattr(store, "_in_write", busy)
    city = store.read_city()
    assert store.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="x") == 2
    assert _notes(store, "lib") == "x" and store.versions()["version"].tolist() == [2, 1]
    assert "no checkpoint kept after version 2" in caplog.text
    assert store.read_version(2).tables["organizations"]["notes"].iloc[0] == "x"  # replayed
    monkeypatch.setattr(store, "_in_write", in_write)
    store.apply(edits.change(store.read_city(), "organizations", "lib", {"notes": "y"}), what="y")
    with store.engine.connect() as conn:
        snapshots = [r[0] for r in conn.execute(text("SELECT version FROM history ORDER BY 1"))]
    assert snapshots == [1, 3]  # the next edit kept it


def test_undoing_an_import_that_others_edited_after_is_refused(store):
    # Undoing a whole-city version restores the one before it: with edits saved after the
    # import, that silently discarded them (Bo's notes were lost); it is refused instead.
    store.replace_city(example_city(), what="import", who="Ana", kind="import")  # 2
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "Bo"}), what="b", who="Bo")
    with pytest.raises(StoreError, match="1 version\\(s\\) were saved after it") as error:
        store.undo(who="Ana")
    assert "restore version 1" in str(error.value)
    assert store.version() == 3 and _notes(store, "lib") == "Bo"
    assert store.restore(1, who="Ana") == 4  # going back anyway is an explicit restore
    assert _notes(store, "lib") is None
    # The latest version, when it is a whole-city one, is undone by restoring the one before.
    store.replace_city(example_city(), what="import again", who="Ana", kind="import")  # 5
    assert store.undo(who="Ana") == 6
    assert store.versions().iloc[0]["what"] == "undid version 5: import again"


def test_a_checkpoint_is_kept_in_the_background_by_default(store_url, monkeypatch):
    monkeypatch.setattr(settings, "CHECKPOINT_IN_BACKGROUND", True)
    monkeypatch.setattr(settings, "CHECKPOINT_EVERY", 2)
    store = open_store(store_url)
    store.replace_city(example_city())
    for note in ("one", "two"):
        store.apply(
            edits.change(store.read_city(), "organizations", "lonely", {"notes": note}), what=note
        )
    store.wait_for_checkpoint(timeout=60)
    with store.engine.connect() as conn:
        kept = [r[0] for r in conn.execute(text("SELECT version FROM history ORDER BY version"))]
    assert kept == [1, 3]
    assert (
        store.read_version(3).tables["organizations"].set_index("org_id").at["lonely", "notes"]
        == "two"
    )


def test_a_version_number_not_kept_is_refused_by_version_of(store):
    with pytest.raises(
        StoreError, match="Version 7 is not in the store's history: it keeps versions 1 to 1"
    ):
        store.version_of("7")
    assert store.version_of(" 1 ") == 1
