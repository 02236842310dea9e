"""Shared fixtures: the tiny hand-checkable city (tests/tiny_city.py) as tables and as a graph."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tiny_city import make_tiny_city

from coalition import settings
from coalition.model import build_graph

# The tests read English unless they ask for Spanish: a machine whose LANG is Spanish must not
# turn the CLI's sentences (which many tests assert on) into Spanish.
os.environ["COALITION_LANG"] = "en"


@pytest.fixture(autouse=True)
def checkpoints_in_the_foreground(monkeypatch):
    """Checkpoints are kept in the saving call, so tests see them at once (the app keeps them in
    a background thread: tests/test_store_edits.py checks that too)."""
    monkeypatch.setattr(settings, "CHECKPOINT_IN_BACKGROUND", False)


@pytest.fixture(autouse=True)
def dashboard_on_this_machine():
    """AppTest runs the dashboard as if served on 127.0.0.1, wherever pytest runs from.

    Streamlit reads ``server.address`` from ``.streamlit/config.toml`` in the working directory;
    without it the dashboard (rightly) treats itself as reachable from other machines and asks for
    accounts. Tests of that refusal set the option themselves (tests/test_app_accounts.py).
    """
    from streamlit import config as st_config

    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", before)


@pytest.fixture
def tiny_city():
    return make_tiny_city()


@pytest.fixture
def tiny_graph(tiny_city):
    return build_graph(tiny_city)


# --- the store on both engines -------------------------------------------------------------------
# Store tests take ``store_url`` (or ``new_store_url`` for more than one store) and run twice: on a
# SQLite file and on a PostgreSQL database of their own. The server is COALITION_TEST_POSTGRES (a
# URL of a role that may CREATE DATABASE), or else a throwaway one started here from Debian's
# postgresql package (`make postgres-deps`); without either, the PostgreSQL half is skipped, and
# under CI (CI=true) it fails, so CI cannot pass without it.


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgres: runs on a PostgreSQL server (started by the tests when none is set)"
    )


def _postgres_bin() -> Path | None:
    """The folder of initdb/pg_ctl: COALITION_PG_BIN, the PATH, or Debian's newest."""
    given = os.environ.get("COALITION_PG_BIN")
    if given:
        return Path(given)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    return next((d for d in debian if (d / "initdb").exists()), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server:
    """A PostgreSQL server in a temporary folder, on 127.0.0.1 and a free port.

    initdb and the server refuse to run as root: as root they run as the ``postgres`` user
    (runuser), which owns the folder.
    """

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        if self.bin is None:
            raise RuntimeError(
                "no PostgreSQL server programs (initdb) found: install Debian's postgresql "
                "(`make postgres-deps`) or set COALITION_TEST_POSTGRES to a server's URL"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="coalition-postgres-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")  # KeyError: no such user
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.as_user = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]
        try:
            self._start()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _start(self) -> None:
        self.port = _free_port()
        self.data = self.folder / "data"
        self._run(
            "initdb",
            "-D",
            self.data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.folder / "server.log",
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def _run(self, program: str, *args: object) -> None:
        command = [*self.as_user, str(self.bin / program), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.folder / "server.log"
            raise RuntimeError(
                f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout}"
                + (f"\n{log.read_text()[-2000:]}" if log.exists() else "")
            )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database, for making test databases."""
    given = os.environ.get("COALITION_TEST_POSTGRES")
    if given:
        yield given
        return
    try:
        server = _Server()
    except (RuntimeError, OSError, KeyError, subprocess.SubprocessError) as exc:
        reason = f"no PostgreSQL server for the store tests: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must run them: `make postgres-deps` installs one)")
        pytest.skip(reason)
    try:
        yield server.url
    finally:
        server.stop()


def _admin(server_url: str, statement: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database or "postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_store_url(request, tmp_path, monkeypatch) -> Iterator[Callable[[], str]]:
    """Makes the URL of a new, empty store on the test's engine (each call: another one)."""
    made: list[str] = []
    if request.param == "sqlite":

        def sqlite_url() -> str:
            made.append(str(tmp_path / f"store-{len(made)}.db"))
            return settings.db_url(made[-1])

        yield sqlite_url
        return
    from sqlalchemy.engine import make_url

    from coalition import store as store_module

    server = request.getfixturevalue("postgres_server")
    engines = []
    make_engine = store_module.create_engine

    def recording(*args, **kwargs):  # every engine is disposed before its database is dropped
        engines.append(make_engine(*args, **kwargs))
        return engines[-1]

    monkeypatch.setattr(store_module, "create_engine", recording)

    def postgres_url() -> str:
        name = f"coalition_test_{uuid.uuid4().hex[:12]}"
        _admin(server, f'CREATE DATABASE "{name}"')
        made.append(name)
        return make_url(server).set(database=name).render_as_string(hide_password=False)

    try:
        yield postgres_url
    finally:
        for engine in engines:
            engine.dispose()
        for name in made:
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store_url(new_store_url) -> str:
    """The URL of a new, empty store: a SQLite file, then a PostgreSQL database."""
    return new_store_url()


# Fixture folders hold data and the scripts that rebuilt them (which need build-only packages,
# e.g. libpysal): they are not test modules.
collect_ignore_glob = ["fixtures/*"]
