"""Run the dashboard in a real server and a real (offline) Chromium: shared by the browser tests
(``tests/test_browser.py`` and others) and the benchmark (``benchmarks/bench_dashboard.py``).
It lives in tests/, not in the package: the installed dashboard never needs it.

Nothing here imports streamlit: the server is ``streamlit run app.py`` in a subprocess, and
Playwright (a test dependency, imported only when used) drives Debian's ``chromium`` — never a
browser downloaded by ``playwright install``. Every request whose host is not 127.0.0.1 /
localhost is blocked and recorded: that is the meeting room with no internet.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from coalition.errors import CoalitionError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent  # the checkout: app.py is the entry point

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Schemes that never leave the machine.
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "chrome-extension", "devtools"}
# Selectors of what each page must have drawn before it counts as shown.
NETWORK_IFRAME = 'iframe[data-testid="stIFrame"]'
MAP_IFRAME = 'iframe[title*="st_folium"]'
EXCEPTION_BOX = '[data-testid="stException"]'


def free_port() -> int:
    """A TCP port nobody listens on right now (on 127.0.0.1).

    Examples
    --------
    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``streamlit run app.py``: its URL, process and log file.

    Examples
    --------
    >>> with running_server('/tmp/t.db', log_dir='/tmp') as server:  # doctest: +SKIP
    ...     server.url
    """

    url: str
    process: subprocess.Popen
    log_path: Path
    started_at: float
    healthy_after: float = 0.0


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_server(
    db_path: str | os.PathLike,
    *,
    log_dir: str | os.PathLike,
    timeout: float = 90.0,
    app: Path | None = None,
    guarded: bool = False,
) -> Iterator[Server]:
    """Start the dashboard on a free port for a store, wait until healthy, stop it afterwards.

    Parameters
    ----------
    db_path : path-like
        The store (``COALITION_DB``), already loaded.
    log_dir : path-like
        Where the server's output goes (``server-<port>.log``).
    timeout : float
        Seconds to wait for ``/_stcore/health``.
    app : pathlib.Path, optional
        The entry point (default: ``app.py`` in the project root).
    guarded : bool
        Serve ``app`` as ``coalition serve`` does: ``streamlit run`` of
        ``coalition/dashboard/guarded.py`` with ``COALITION_APP`` naming the entry point (the
        host and origin checks, and the cache warm-up at start), local host names only.

    Raises
    ------
    CoalitionError
        When the server exits or does not answer in time (its log is in the message).

    Examples
    --------
    >>> with running_server("/tmp/t.db", log_dir="/tmp") as server:  # doctest: +SKIP
    ...     print(server.url)
    """
    app = app or ROOT / "app.py"
    port = free_port()
    log_path = Path(log_dir) / f"server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "COALITION_DB": str(db_path), "PYTHONUNBUFFERED": "1"}
    script = app
    if guarded:
        env["COALITION_APP"] = str(app)
        script = ROOT / "coalition" / "dashboard" / "guarded.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    if guarded:
        command += ["--server.allowedHosts", "127.0.0.1", "--server.allowedHosts", "localhost"]
    started = time.perf_counter()
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command, cwd=app.parent, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path, started)
    try:
        deadline = started + timeout
        while not _healthy(server.url):
            if process.poll() is not None or time.perf_counter() > deadline:
                raise CoalitionError(
                    f"The dashboard did not start (exit code {process.poll()}). Its log:\n"
                    + log_path.read_text(errors="replace")[-3000:]
                )
            time.sleep(0.2)
        server.healthy_after = time.perf_counter() - started
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def chromium_path() -> str | None:
    """Debian's chromium, if installed.

    Examples
    --------
    >>> chromium_path()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class OfflineRecorder:
    """Blocks and records every request that would leave the machine, and every dialog.

    Examples
    --------
    >>> recorder = OfflineRecorder()
    >>> recorder.blocked, recorder.dialogs
    ([], [])
    """

    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def attach(self, context: Any, page: Any) -> None:
        """Route every request of the context (all frames) and watch dialogs and errors."""
        context.route("**/*", self.route)
        page.on("dialog", self.dialog)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))


def require_browser() -> None:
    """Skip the calling test module when Chromium or Playwright is missing; fail instead in CI."""
    import pytest

    missing = None
    if chromium_path() is None:
        missing = "Debian chromium is not installed (make browser-deps)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed (pip install -e '.[test]')"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"The browser test is required in CI: {missing}.")
        pytest.skip(missing)


@contextmanager
def offline_browser(
    viewport: tuple[int, int] = (1600, 1200),
) -> Iterator[tuple[Any, Any, OfflineRecorder]]:
    """A headless Debian Chromium page whose outside requests are blocked and recorded.

    Yields ``(context, page, recorder)``.

    Raises
    ------
    CoalitionError
        When chromium is not installed (install it with ``make browser-deps``).

    Examples
    --------
    >>> with offline_browser() as (context, page, recorder):  # doctest: +SKIP
    ...     page.goto('http://127.0.0.1:8501/')
    """
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise CoalitionError(
            "Chromium is not installed: run `make browser-deps` (Debian "
            "package chromium); never `playwright install`."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, service_workers="block"
            )
            page = context.new_page()
            recorder = OfflineRecorder()
            recorder.attach(context, page)
            yield context, page, recorder
        finally:
            browser.close()


HEADINGS = {
    "overview": "the coalition at a glance",
    "network": "Network",
    "map": "Map",
    "gaps": "Gaps",
    "planner": "Coverage & planner",
    "starter-kit": "Starter kit",
    "data": "Data",
    "survey-results": "Survey results",
    "history": "What changed",
    "record": "Record",
    "import": "Import",
    "survey": "Survey",
    "survey-rounds": "Survey rounds",
    "accounts": "Accounts",
}
NAV_LINK = '[data-testid="stSidebarNavLink"]'


def wait_for_page(page: Any, title: str, timeout_ms: float = 60_000) -> None:
    """Wait until a page's title is drawn and Streamlit has finished running the script.

    Examples
    --------
    >>> wait_for_page(page, 'Gaps')  # doctest: +SKIP
    """
    page.get_by_role("heading", name=title).first.wait_for(timeout=timeout_ms)
    # The status widget shows "Running…" while the script runs; wait until it is gone.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )


def wait_until_ready(page: Any, url_path: str, timeout_ms: float = 120_000) -> None:
    """Wait until a dashboard page shows its last, slowest part (what a user waits for).

    Overview: the link under the candidates; Network: the drawing's canvas; Map: the Leaflet
    layer (SVG or canvas); Gaps: a table or "nothing here"; planner: the "What if" section;
    Data: the last download button.

    Examples
    --------
    >>> wait_until_ready(page, 'network')  # doctest: +SKIP
    """
    wait_for_page(page, HEADINGS[url_path], timeout_ms)
    last_part_drawn(page, url_path, timeout_ms)


def last_part_drawn(
    page: Any, url_path: str, timeout_ms: float = 120_000, say: Any = lambda text: text
) -> None:
    """Wait for the last, slowest part of a page: the lists under the Overview, the network's
    canvas, the map's layer, a gap table, the planner's "What if" section, the Data page's last
    download. ``say`` puts the words looked for in the page's language (English as they are).

    Examples
    --------
    >>> last_part_drawn(page, 'map')  # doctest: +SKIP
    """
    if url_path == "overview":
        page.get_by_text(say("Compare candidates and plans")).first.wait_for(timeout=timeout_ms)
    elif url_path == "network":
        page.frame_locator(NETWORK_IFRAME).locator("canvas").first.wait_for(timeout=timeout_ms)
    elif url_path == "map":
        page.frame_locator(MAP_IFRAME).locator(".leaflet-overlay-pane > *").first.wait_for(
            timeout=timeout_ms
        )
    elif url_path == "gaps":
        page.locator(
            '[data-testid="stDataFrame"], [data-testid="stAlertContentSuccess"]'
        ).first.wait_for(timeout=timeout_ms)
    elif url_path == "planner":
        page.get_by_role("heading", name=say("What if…")).first.wait_for(timeout=timeout_ms)
    elif url_path == "data":
        # Operators, editors and admins get two tiers of downloads (public and exact): the last.
        page.get_by_text(say("Network (GEXF)")).last.wait_for(timeout=timeout_ms)


def switch_page(page: Any, title: str, url_path: str, timeout_ms: float = 120_000) -> None:
    """Click a page in the sidebar (as a user does) and wait until it is ready.

    Examples
    --------
    >>> switch_page(page, 'Map', 'map')  # doctest: +SKIP
    """
    page.locator(NAV_LINK).filter(has_text=title).first.click()
    wait_until_ready(page, url_path, timeout_ms)
