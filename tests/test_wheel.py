"""The package works installed from a wheel, away from the checkout.

Builds a wheel from a copy of the sources, installs it into a fresh virtualenv, and from an empty
temporary directory writes the sample city, loads it and serves the dashboard, which must answer
its health check; the dashboard's script also runs once (AppTest) from the installed package.

The fresh venv gets only the wheel (``pip install --no-deps``). Its dependencies come from the
project's own venv, which is installed from requirements.lock: a ``.pth`` file in the new venv
puts that venv's site-packages on the path *after* its own. So the test needs no network and no
second 1 GB install, and still runs only the wheel's ``coalition``: the project venv's editable
install of the checkout is activated by a ``.pth`` file there, which Python does not process for
a directory added this way (asserted below). Installing the wheel with its dependencies into a
really clean venv is the same command without ``--no-deps`` and the ``.pth`` file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a build reads: the project metadata, the package and the sample city.
SOURCES = [
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "coalition",
    "data/hartford",
]

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{command} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def _clean_env() -> dict[str, str]:
    """The environment without what would point the installed package back at the checkout."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "COALITION_DB", "COALITION_DATA_DIR", "VIRTUAL_ENV")
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError):
        return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built (no build isolation: setuptools comes from the lock) from a source copy."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_sample", "raw"),
            )
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            str(source),
            "-w",
            str(out),
        ],
        cwd=source,
        env=dict(os.environ),
    )
    (built,) = out.glob("*.whl")
    return built


def test_wheel_ships_the_dashboard_and_the_sample_not_the_test_harness(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "coalition/dashboard/main.py" in names
    assert "coalition/static/network_template.html" in names
    assert "coalition/py.typed" in names
    sample = {n for n in names if n.startswith("coalition/_sample/hartford/")}
    assert {
        f"coalition/_sample/hartford/{f}"
        for f in ("city.toml", "organizations.csv", "ties.csv", "neighborhoods.geojson")
    } <= sample
    assert not any("/raw/" in n for n in sample)  # raw sources stay in the checkout
    assert not any("harness" in n for n in names)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel; dependencies from the project venv (see above)."""
    venv = tmp_path_factory.mktemp("venv")
    env = _clean_env()
    _run([sys.executable, "-m", "venv", str(venv)], cwd=venv, env=env)
    python = venv / "bin" / "python"
    _run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], cwd=venv, env=env
    )
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([str(python), "-c", where], cwd=venv, env=env).strip())
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "project_venv.pth").write_text("\n".join(sorted(shared)) + "\n")
    return venv


def test_installed_wheel_serves_the_sample_city(installed, tmp_path):
    bin_dir = installed / "bin"
    env = _clean_env()
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        COALITION_DB=str(tmp_path / "coalition.db"),
        PYTHONUNBUFFERED="1",
    )
    work = tmp_path / "work"
    work.mkdir()

    # The wheel's coalition is the one imported, not the checkout's.
    where = _run(
        [str(bin_dir / "python"), "-c", "import coalition; print(coalition.__file__)"],
        cwd=work,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(installed), where

    coalition = str(bin_dir / "coalition")
    verbs = _run([coalition, "--help"], cwd=work, env=env)
    if "sample" in verbs:
        _run([coalition, "sample", "./city"], cwd=work, env=env)
    else:  # until `coalition sample` lands: copy the sample the wheel ships
        find = (
            "import importlib.resources as r; print(r.files('coalition') / '_sample' / 'hartford')"
        )
        shipped = _run([str(bin_dir / "python"), "-c", find], cwd=work, env=env).strip()
        shutil.copytree(shipped, work / "city")
    assert (work / "city" / "city.toml").is_file()
    _run([coalition, "init", "./city"], cwd=work, env=env)
    assert (tmp_path / "coalition.db").is_file()

    # The entry script and its pages run from the installed package, from any directory.
    script = (
        "import json, coalition.dashboard.main as m\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file(m.__file__, default_timeout=300).run()\n"
        "print(json.dumps({'exceptions': [e.message for e in at.exception],\n"
        "                  'titles': [t.value for t in at.title]}))\n"
    )
    shown = json.loads(
        _run([str(bin_dir / "python"), "-c", script], cwd=work, env=env).strip().splitlines()[-1]
    )
    assert shown["exceptions"] == []
    assert shown["titles"], shown

    port = _free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        # Its own process group: stopping it stops Streamlit too, whatever `serve` forwards.
        server = subprocess.Popen(
            [coalition, "serve", "--port", str(port)],
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        answer = None
        while answer is None and server.poll() is None and time.monotonic() < deadline:
            answer = _health(f"http://127.0.0.1:{port}/_stcore/health")
            if answer is None:
                time.sleep(0.5)
        assert answer == "ok", log_path.read_text(errors="replace")[-3000:]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
