"""The store on both engines: migrations (Alembic), the write lock, retries, backups, URLs.

Every test runs on a SQLite file and on a PostgreSQL database of its own (tests/conftest.py).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import OperationalError
from tiny_city import example_city

import coalition.migrations
from coalition import edits, settings
from coalition import store as store_module
from coalition.errors import StoreError
from coalition.store import open_store


def _revisions(store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]


def _lock_rows(store) -> list[int]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(store_module.STORE_LOCK.c.id))]


def _heads() -> set[str]:
    return store_module._code_revisions(store_module._alembic_config())[1]


# --- migrations ----------------------------------------------------------------------------------


def test_a_new_store_is_made_at_the_newest_revision(store_url):
    store = open_store(store_url)
    assert set(_revisions(store)) == _heads() == {"0002"}
    assert _lock_rows(store) == [1]
    assert store.info()["store_format"] == store_module.STORE_FORMAT
    assert store.replace_city(example_city()) == 1
    again = open_store(store_url)  # opening it again changes nothing
    assert _revisions(again) == ["0002"] and _lock_rows(again) == [1]
    assert again.version() == 1


def test_a_store_made_before_alembic_is_stamped_with_the_baseline(store_url):
    store = open_store(store_url)
    store.replace_city(example_city())
    with store.engine.begin() as conn:  # as made by the release before: no stamp, no lock row
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("DROP TABLE store_lock"))
        conn.execute(text("DROP TABLE audit"))
    store.engine.dispose()
    again = open_store(store_url)
    assert _revisions(again) == ["0002"]  # stamped with the baseline, then upgraded
    assert _lock_rows(again) == [1]
    assert again.version() == 1 and len(again.read_city().tables["ties"]) == 17
    city = again.read_city()
    assert again.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="x") == 2
    assert again.audit_log()["what"].tolist() == ["version 2: x"]  # the audit table is back


def test_a_store_at_the_baseline_gets_the_survey_tables(store_url):
    store = open_store(store_url)
    store.replace_city(example_city())
    with store.engine.begin() as conn:  # as the release of issue 9 left it
        for table in reversed(store_module.SURVEY_TABLES):
            conn.execute(text(f"DROP TABLE {table.name}"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    store.engine.dispose()
    again = open_store(store_url)
    assert _revisions(again) == ["0002"]
    tables = set(inspect(again.engine).get_table_names())
    assert {t.name for t in store_module.SURVEY_TABLES} <= tables
    assert again.open_survey_round(" 2026  spring ") == "2026 spring"
    assert again.survey_rounds()["round"].tolist() == ["2026 spring"]
    assert again.version() == 1


def test_a_store_newer_than_the_code_is_refused(store_url):
    store = open_store(store_url)
    store.replace_city(example_city())
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_later'"))
    store.engine.dispose()
    with pytest.raises(
        StoreError, match=r"newer release of coalition \(schema 0099_later\): upgrade"
    ):
        open_store(store_url)
    with store.engine.connect() as conn:  # nothing was changed
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0099_later"
        )


def test_a_store_format_newer_than_the_code_is_refused(store_url):
    store = open_store(store_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '99' WHERE key = 'store_format'"))
    store.engine.dispose()
    with pytest.raises(StoreError, match=r"format 99\): upgrade the tool"):
        open_store(store_url)


_LATER_REVISION = '''
    """A later release's change to the store: meetings get a place.

    Revision ID: 0003
    Revises: 0002
    """

    import sqlalchemy as sa
    from alembic import op

    revision = "0003"
    down_revision = "0002"
    branch_labels = None
    depends_on = None


    def upgrade():
        with op.batch_alter_table("meetings") as batch:
            batch.add_column(sa.Column("place", sa.Text(), nullable=True))


    def downgrade():
        with op.batch_alter_table("meetings") as batch:
            batch.drop_column("place")
'''


def test_an_older_store_is_upgraded_to_a_later_revision(store_url, tmp_path, monkeypatch):
    store = open_store(store_url)
    store.replace_city(example_city())
    store.name_meeting("March convening")
    store.engine.dispose()
    later = tmp_path / "later"
    later.mkdir()
    (later / "0003_meeting_place.py").write_text(textwrap.dedent(_LATER_REVISION))
    shipped = Path(coalition.migrations.__file__).parent / "versions"
    make_config = store_module._alembic_config

    def with_a_later_release(connection=None):
        config = make_config(connection)
        config.set_main_option("version_locations", f"{shipped}{os.pathsep}{later}")
        return config

    monkeypatch.setattr(store_module, "_alembic_config", with_a_later_release)
    upgraded = open_store(store_url)
    assert _revisions(upgraded) == ["0003"]
    with upgraded.engine.connect() as conn:
        assert conn.execute(text("SELECT name, place FROM meetings")).all() == [
            ("March convening", None)
        ]
    assert upgraded.version() == 1 and upgraded.version_of("March convening") == 1
    assert upgraded.replace_city(example_city()) == 2  # and it takes writes
    monkeypatch.setattr(store_module, "_alembic_config", make_config)
    with pytest.raises(StoreError, match="newer release"):  # the older release refuses it now
        open_store(store_url)


# --- the write lock and retries ------------------------------------------------------------------


def test_a_write_waits_for_the_write_before_it_and_readers_do_not(store_url, monkeypatch):
    first = open_store(store_url)
    first.replace_city(example_city())
    monkeypatch.setattr(settings, "BUSY_TIMEOUT_MS", 200)  # the second store waits 0.2 s a try
    monkeypatch.setattr(settings, "WRITE_ATTEMPTS", 2)
    second = open_store(store_url)
    city = second.read_city()
    change = edits.change(city, "organizations", "lib", {"notes": "second"})
    with first._write() as holding, holding.begin():  # a write transaction in progress
        assert second.read_city().meta["version"] == 1  # reading is not blocked
        with pytest.raises(StoreError, match="Saving the change failed and nothing was changed"):
            second.apply(change, what="second")
    assert second.apply(change, what="second") == 2  # once it ended, the write goes through
    assert first.row("organizations", "lib")[0]["notes"] == "second"


def test_a_serialization_failure_or_deadlock_is_retried(store_url):
    store = open_store(store_url)
    store.replace_city(example_city())

    class Deadlock(Exception):
        sqlstate = "40P01"

    tries: list[int] = []

    def work(conn):
        tries.append(conn.execute(select(func.count()).select_from(store_module.META)).scalar())
        if len(tries) == 1:
            raise OperationalError("UPDATE ...", {}, Deadlock("deadlock detected"))
        return "saved"

    assert store._in_write(work, "Saving") == "saved"
    assert len(tries) == 2


@pytest.mark.parametrize(
    ("cause", "busy"),
    [
        ("database is locked", True),
        ("disk I/O error", False),
    ],
)
def test_busy_is_told_from_other_failures(cause, busy):
    assert store_module._is_busy(OperationalError("BEGIN", {}, Exception(cause))) is busy

    class Failed(Exception):
        sqlstate = "40001"  # serialization failure

    assert store_module._is_busy(OperationalError("UPDATE", {}, Failed("could not serialize")))


# --- backups -------------------------------------------------------------------------------------


def test_a_backup_is_a_sqlite_store_holding_every_table(store_url, tmp_path):
    store = open_store(store_url)
    store.replace_city(example_city())
    store.add_account("ana-admin", "a long enough passphrase", "admin")
    admin = store.sign_in("ana-admin", "a long enough passphrase")[0]
    city = store.read_city()
    store.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="x", account=admin)
    copy = store.backup(tmp_path / "backups" / "backup.db", account=admin)
    assert [p.name for p in copy.parent.iterdir()] == ["backup.db"]  # no partial, no WAL
    other = open_store(copy, must_exist=True)
    assert other.engine.dialect.name == "sqlite"
    assert _revisions(other) == _revisions(store)
    for table in store_module.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        with store.engine.connect() as a, other.engine.connect() as b:
            stored, copied = ([tuple(r) for r in c.execute(query)] for c in (a, b))
        if table.name == "audit":  # the backup's own line is written after the copy
            assert stored[-1][3:] == ("backup", "backed up the store to backup.db")
            stored = stored[:-1]
        assert stored == copied, table.name
    assert other.sign_in("ana-admin", "a long enough passphrase")[0].role == "admin"
    assert other.read_city().tables["organizations"].set_index("org_id").at["lib", "notes"] == "x"


# --- URLs ----------------------------------------------------------------------------------------


def test_a_password_in_the_url_is_never_shown():
    url = "postgresql+psycopg://coalition:s3cret-pw@127.0.0.1:1/coalition"
    with pytest.raises(StoreError) as caught:
        open_store(url)  # nothing listens on port 1
    assert "s3cret-pw" not in str(caught.value)
    assert "coalition:***@127.0.0.1:1/coalition" in str(caught.value)
    assert "server reachable" in str(caught.value)


def test_a_plain_postgresql_url_uses_psycopg():
    assert store_module._engine_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert store_module._engine_url("postgresql+psycopg://u@h/db").drivername == (
        "postgresql+psycopg"
    )


def test_the_cli_backs_up_either_store_into_a_file_it_can_open(store_url, tmp_path, capsys):
    from coalition import cli

    open_store(store_url).replace_city(example_city())
    out = tmp_path / "backups" / "cli.db"
    assert cli.main(["backup", str(out), "--db", store_url]) == 0
    printed = capsys.readouterr().out
    assert f"to {out}" in printed and "coalition serve --db" in printed
    assert cli.main(["info", "--db", str(out)]) == 0
    assert "data version 1" in capsys.readouterr().out
