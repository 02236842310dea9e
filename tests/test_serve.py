"""`coalition serve`: a real server in a subprocess, started as a user would.

- SIGTERM to `coalition serve` stops its Streamlit child and closes the port.
- A relative --db means the caller's working directory.
- Only its own page is served: a foreign Host is refused on every route (DNS rebinding), a
  WebSocket from another origin is refused, and refusing it reaches nothing outside (a proxy
  that records every attempt stands in for the internet).
- Every setting of .streamlit/config.toml is passed as a flag (an installed package has none).
- A non-local address refuses to start until the store has an admin account (issue 9).
"""

from __future__ import annotations

import signal
import socket
import sys
import tomllib

import psutil
import pytest
from serve_helpers import ROOT, OutsideRecorder, coalition_serve, get_status, websocket_handshake

from coalition import cli, settings
from coalition.store import open_store


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    from tiny_city import make_tiny_city

    folder = tmp_path_factory.mktemp("served")
    open_store(folder / "rel.db").replace_city(make_tiny_city())
    return folder


@pytest.fixture(scope="module")
def recorder():
    outside = OutsideRecorder()
    yield outside
    outside.close()


def _proxied(recorder: OutsideRecorder) -> dict[str, str]:
    return {
        "HTTP_PROXY": recorder.url,
        "HTTPS_PROXY": recorder.url,
        "http_proxy": recorder.url,
        "https_proxy": recorder.url,
        "NO_PROXY": "",
        "no_proxy": "",
    }


@pytest.fixture(scope="module")
def served(tiny_db, recorder):
    with coalition_serve("rel.db", cwd=tiny_db, env=_proxied(recorder)) as server:
        yield server


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- stopping ----------------------------------------------------------------------------------


def test_sigterm_stops_the_streamlit_child_and_closes_the_port(tiny_db):
    with coalition_serve("rel.db", cwd=tiny_db) as server:
        children = psutil.Process(server.process.pid).children(recursive=True)
        assert children, "serve runs Streamlit in a child process"
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=60)
        _, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], f"left running after SIGTERM: {alive}"
        assert not _port_open(server.port)
        assert code == 0, server.log()


def test_a_relative_db_means_the_callers_directory(served, tiny_db):
    (child,) = [
        p
        for p in psutil.Process(served.process.pid).children(recursive=True)
        if "streamlit" in " ".join(p.cmdline())
    ]
    assert child.environ()["COALITION_DB"] == f"sqlite:///{(tiny_db / 'rel.db').resolve()}"
    assert f"store: {(tiny_db / 'rel.db').resolve()}" in served.log()


# --- only its own page -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/_stcore/host-config", "/map"])
def test_a_foreign_host_is_refused_and_the_own_host_served(served, path):
    assert get_status(served.port, "evil.example", path) == 400
    assert get_status(served.port, f"evil.example:{served.port}", path) == 400
    assert get_status(served.port, f"127.0.0.1:{served.port}", path) == 200
    assert get_status(served.port, f"localhost:{served.port}", path) == 200


def test_websocket_from_another_origin_is_refused_without_calling_out(served, recorder):
    own = f"127.0.0.1:{served.port}"
    assert websocket_handshake(served.port, own, f"http://{own}") == 101
    assert websocket_handshake(served.port, own, None) == 101  # not a browser: no Origin
    assert websocket_handshake(served.port, own, "http://evil.example") == 403
    assert websocket_handshake(served.port, own, f"http://localhost:{served.port}") == 403
    assert websocket_handshake(served.port, own, "null") == 403
    assert websocket_handshake(served.port, "rebind.test", "http://rebind.test") == 400
    assert recorder.requests == []


def test_plain_streamlit_would_call_out_for_a_foreign_origin(tmp_path, tiny_db):
    """The control: without the guard, the same handshake makes Streamlit ask the internet for
    this machine's address (checkip.amazonaws.com), even with server.allowedHosts set. This is
    what the recorder above would have caught."""
    outside = OutsideRecorder()
    try:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            "{port}",
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.allowedHosts",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
        ]
        with coalition_serve(
            "unused",
            cwd=tmp_path,
            command=command,
            env={**_proxied(outside), "COALITION_DB": str(tiny_db / "rel.db")},
        ) as server:
            own = f"127.0.0.1:{server.port}"
            websocket_handshake(server.port, own, "http://evil.example")
        assert any("checkip" in line for line in outside.requests), outside.requests
    finally:
        outside.close()


def test_serving_on_all_interfaces_needs_accounts_and_looks_nothing_up(tmp_path):
    """Binding 0.0.0.0 makes plain Streamlit look up this machine's addresses at start."""
    from tiny_city import make_tiny_city

    store = open_store(tmp_path / "shared.db")
    store.replace_city(make_tiny_city())
    store.add_account("ada", "correct horse battery", "admin")
    outside = OutsideRecorder()
    try:
        with coalition_serve(
            "shared.db",
            cwd=tmp_path,
            env=_proxied(outside),
            extra=("--address", "0.0.0.0", "--allow-host", "meeting.local", "--read-only"),
        ) as server:
            assert get_status(server.port, f"meeting.local:{server.port}") == 200
            assert get_status(server.port, f"evil.example:{server.port}") == 400
            log = server.log()
        assert "Serving on 0.0.0.0 for meeting.local: accounts are required" in log
        assert "External URL" not in log
        assert outside.requests == []
    finally:
        outside.close()


# --- settings as flags -------------------------------------------------------------------------


def test_every_setting_of_the_checkout_config_is_passed_as_a_flag():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    flags = cli.streamlit_flags("127.0.0.1", 8501, cli.serve_hosts("127.0.0.1"))
    given: dict[str, list[str]] = {}
    for name, value in zip(flags[::2], flags[1::2], strict=True):
        given.setdefault(name.removeprefix("--"), []).append(value)
    for section, options in config.items():
        for option, value in options.items():
            expected = [
                str(v).lower() if isinstance(v, bool) else str(v)
                for v in (value if isinstance(value, list) else [value])
            ]
            assert given.get(f"{section}.{option}") == expected, f"{section}.{option}"


def test_allowed_hosts_follow_the_address():
    assert cli.serve_hosts("127.0.0.1") == ["127.0.0.1", "localhost"]
    assert cli.serve_hosts("192.168.1.20") == ["127.0.0.1", "localhost", "192.168.1.20"]
    assert cli.serve_hosts("0.0.0.0", ["Meeting-Room.local"]) == [
        "127.0.0.1",
        "localhost",
        "meeting-room.local",
    ]
    assert cli.serve_hosts("::", []) == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize(
    "address,local",
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("meeting.local", False),
    ],
)
def test_which_addresses_are_local(address, local):
    assert cli.is_local_address(address) is local


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::"])
def test_serving_on_a_non_local_address_without_an_admin_refuses(
    monkeypatch, capsys, tmp_path, address
):
    started = []
    monkeypatch.setattr(cli, "_run_until_stopped", lambda command, env: started.append(1) or 0)
    monkeypatch.chdir(tmp_path)
    # No store at all: refused, and the store is not created by refusing.
    assert cli.main(["serve", "--address", address, "--db", "x.db"]) == 2
    err = capsys.readouterr().err
    assert "this store has no admin account yet" in err
    assert "  coalition user add NAME --role admin --db x.db\n" in err
    assert not (tmp_path / "x.db").exists()
    # A store with a viewer only: still no admin.
    store = open_store(tmp_path / "x.db")
    store.add_account("vi", "correct horse battery", "viewer")
    assert cli.main(["serve", "--address", address, "--db", "x.db"]) == 2
    assert started == []


def test_answering_a_proxied_host_name_without_an_admin_refuses(monkeypatch, capsys, tmp_path):
    """Behind a reverse proxy the dashboard listens on 127.0.0.1 but answers the public name: with
    no accounts everyone coming through the proxy would be the operator, so it refuses too."""
    started = []
    monkeypatch.setattr(cli, "_run_until_stopped", lambda command, env: started.append(1) or 0)
    monkeypatch.chdir(tmp_path)
    open_store(tmp_path / "x.db")
    proxied = ["serve", "--db", "x.db", "--allow-host", "coalition.example.org"]
    assert cli.main(proxied) == 2
    err = capsys.readouterr().err
    assert "answering coalition.example.org (through a proxy)" in err
    assert "  coalition user add NAME --role admin --db x.db\n" in err
    assert cli.main(["serve", "--db", "x.db", "--allow-host", "localhost"]) == 0  # still local
    assert started == [1]
    open_store(tmp_path / "x.db").add_account("ada", "correct horse battery", "admin")
    assert cli.main(proxied) == 0
    assert "Serving on 127.0.0.1 for coalition.example.org: accounts are required" in (
        capsys.readouterr().err
    )


def test_serving_on_a_non_local_address_with_an_admin_says_accounts_are_required(
    monkeypatch, capsys, tmp_path
):
    started = []
    monkeypatch.setattr(
        cli, "_run_until_stopped", lambda command, env: started.append((command, env)) or 0
    )
    monkeypatch.chdir(tmp_path)
    open_store(tmp_path / "x.db").add_account("ada", "correct horse battery", "admin")
    assert cli.main(["serve", "--address", "0.0.0.0", "--db", "x.db"]) == 0
    err = capsys.readouterr().err
    assert "Serving on 0.0.0.0: accounts are required" in err
    assert "--read-only" not in err and "WARNING" not in err  # the old warning is gone
    assert "--allow-host" in err
    command, env = started[0]
    assert env["COALITION_DB"] == f"sqlite:///{(tmp_path / 'x.db').resolve()}"
    # Streamlit is told where the page is, so it never looks this machine's address up.
    assert command[command.index("--browser.serverAddress") + 1] == "127.0.0.1"


def test_serving_locally_does_not_warn(monkeypatch, capsys):
    monkeypatch.setattr(cli, "_run_until_stopped", lambda command, env: 0)
    assert cli.main(["serve", "--db", "x.db"]) == 0
    assert "WARNING" not in capsys.readouterr().err


def test_the_served_entry_is_the_dashboard():
    assert cli.GUARDED_SERVER.is_file()
    assert (
        settings.PROJECT_ROOT not in cli.GUARDED_SERVER.parents
        or settings.PACKAGE_DIR in cli.GUARDED_SERVER.parents
    )


# --- the dashboard fills an empty store only out loud --------------------------------------------


def test_the_dashboard_says_when_it_filled_an_empty_store(monkeypatch, tmp_path):
    from helpers import tiny_folder
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COALITION_DB", str(tmp_path / "empty.db"))
    monkeypatch.setenv("COALITION_DATA_DIR", str(tiny_folder(tmp_path / "tiny")))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    notes = [info.value for info in at.sidebar.info]
    assert any(note.startswith("This is the sample city: the store was empty") for note in notes)
    assert open_store(tmp_path / "empty.db").read_city().name == "Tiny Town"


def test_the_dashboard_adds_no_note_for_a_city_loaded_on_purpose(monkeypatch, tiny_db):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COALITION_DB", str(tiny_db / "rel.db"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert not any("sample city" in info.value for info in at.sidebar.info)
