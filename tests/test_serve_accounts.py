"""`coalition serve` on a network address needs an admin account.

- Without any account, or with accounts but no admin, `serve --address 0.0.0.0` exits non-zero,
  says how to create an admin, and never listens.
- With an admin it starts; an admin and a viewer sign in from two browser contexts at once, and
  each sees only its role's pages (the viewer: no Record, Import, History or Accounts).

The servers bind 0.0.0.0 but are reached only through 127.0.0.1 (nothing else is contacted).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from harness import free_port, offline_browser, require_browser
from serve_helpers import ROOT, coalition_serve
from signed_in import add_user, new_visitor
from tiny_city import make_tiny_city

from coalition.store import open_store

ADMIN = ("ada", "admin passphrase four")
VIEWER = ("vera", "viewer passphrase one")
EDITOR = ("eddie", "editor passphrase two")
VIEWER_PAGES = {
    "",
    "network",
    "map",
    "gaps",
    "planner",
    "starter-kit",
    "data",
    "survey-results",
}
NOT_FOR_VIEWERS = {"record", "import", "history", "survey", "survey-rounds", "accounts"}


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _serve_refused(db: Path) -> tuple[int, str, bool]:
    """Run `coalition serve --address 0.0.0.0`; (exit code, output, whether it ever listened).

    A serve that does not refuse is stopped after a while (its whole process group), and the
    test then fails on its exit code.
    """
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    env.pop("COALITION_DB", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coalition.cli",
            "serve",
            "--db",
            str(db),
            "--address",
            "0.0.0.0",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    listened = False
    try:
        for _ in range(600):  # at most a minute: a refusal comes before any server starts
            if process.poll() is not None:
                break
            if _listening(port):
                listened = True
                break
            time.sleep(0.1)
    finally:
        if process.poll() is None:  # it did not refuse: stop it and its Streamlit child
            children = psutil.Process(process.pid).children(recursive=True)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            for child in children:
                if child.is_running():
                    child.kill()
        output, _ = process.communicate(timeout=30)
    return (process.returncode if not listened else 0), output, listened or _listening(port)


@pytest.fixture()
def loaded(tmp_path) -> Path:
    db = tmp_path / "shared.db"
    open_store(db).replace_city(make_tiny_city())
    return db


def test_a_network_address_without_accounts_is_refused(loaded):
    code, output, listened = _serve_refused(loaded)
    assert code != 0, output
    assert not listened
    assert "coalition user add" in output and "admin" in output, output


def test_a_network_address_with_accounts_but_no_admin_is_refused(loaded):
    for name, password in (VIEWER, EDITOR):
        role = "viewer" if name == VIEWER[0] else "editor"
        done = add_user(loaded, name, role, password)
        assert done.returncode == 0, done.stdout + done.stderr
    code, output, listened = _serve_refused(loaded)
    assert code != 0, output
    assert not listened
    assert "--role admin" in output, output


def test_the_local_address_without_accounts_still_serves(loaded):
    """Today's single-person tool: no accounts, bound to 127.0.0.1, starts as before."""
    with coalition_serve(str(loaded), cwd=loaded.parent) as served:
        assert served.process.poll() is None


@pytest.mark.browser
def test_with_an_admin_it_serves_and_a_viewer_sees_only_viewer_pages(tmp_path):
    require_browser()
    db = tmp_path / "shared.db"
    open_store(db).replace_city(make_tiny_city())
    for (name, password), role in ((ADMIN, "admin"), (VIEWER, "viewer")):
        done = add_user(db, name, role, password)
        assert done.returncode == 0, done.stdout + done.stderr
    with (
        coalition_serve(str(db), cwd=tmp_path, extra=("--address", "0.0.0.0")) as served,
        offline_browser() as (context, _, _recorder),
    ):
        base = f"http://127.0.0.1:{served.port}"
        admin = new_visitor(context.browser, base)
        viewer = new_visitor(context.browser, base)
        admin.open()
        viewer.open()
        admin.sign_in(*ADMIN)
        viewer.sign_in(*VIEWER)
        viewer_nav, admin_nav = viewer.nav_paths(), admin.nav_paths()
        assert viewer_nav >= VIEWER_PAGES and not viewer_nav & NOT_FOR_VIEWERS, viewer_nav
        assert admin_nav >= VIEWER_PAGES | NOT_FOR_VIEWERS, admin_nav
        # Each context keeps its own sign-in: the viewer's page still says who it is.
        viewer.page.get_by_text("Signed in as vera (viewer)").first.wait_for(timeout=30_000)
        admin.page.get_by_text("Signed in as ada (admin)").first.wait_for(timeout=30_000)
        for visitor in (admin, viewer):
            assert visitor.exceptions() == 0
            assert visitor.recorder.blocked == [] and visitor.recorder.dialogs == []
        admin.close()
        viewer.close()
    assert "accounts" in served.log().lower(), served.log()[-2000:]
