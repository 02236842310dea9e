"""DNS rebinding and cross-site WebSockets in a real Chromium: `coalition serve` refuses what is
not its own page, and refusing it reaches nothing outside.

Chromium's ``--host-resolver-rules`` maps ``rebind.test`` to 127.0.0.1, as a rebinding attacker's
DNS would after the page loaded. Requests to 127.0.0.1 and rebind.test (which is 127.0.0.1) go to
the server; the attacker's own page (evil.test) is answered by the test itself; every other request
is blocked and recorded, and none may happen. The server's HTTP(S) proxy is a local recorder, so
an attempt by Streamlit to look up this machine's external IP address would be caught.

Drives Debian's ``chromium`` with Playwright (never ``playwright install``); launch flags from the
browser-test harness.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from harness import CHROMIUM_ARGS, EXCEPTION_BOX, chromium_path, require_browser, wait_until_ready
from serve_helpers import OutsideRecorder, coalition_serve
from tiny_city import make_tiny_city

from coalition.store import open_store

pytestmark = pytest.mark.browser

REBIND = "rebind.test"
ATTACKER = "evil.test"
# The attacker's page: opens the dashboard's WebSocket from another origin and reports.
ATTACKER_PAGE = """<!doctype html><title>attacker</title><script>
window.outcome = null;
const socket = new WebSocket("ws://127.0.0.1:{port}/_stcore/stream");
socket.onopen = () => {{ window.outcome = "open"; }};
socket.onerror = () => {{ window.outcome = window.outcome || "refused"; }};
socket.onclose = () => {{ window.outcome = window.outcome || "refused"; }};
</script>"""


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_browser()


@pytest.fixture(scope="module")
def outside():
    recorder = OutsideRecorder()
    yield recorder
    recorder.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, outside):
    folder = tmp_path_factory.mktemp("hosts")
    open_store(folder / "t.db").replace_city(make_tiny_city())
    proxy = {
        name: outside.url for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")
    }
    with coalition_serve(
        "t.db", cwd=folder, env={**proxy, "NO_PROXY": "", "no_proxy": ""}
    ) as served:
        yield served


class Gate:
    """Lets 127.0.0.1 and rebind.test through, answers evil.test, blocks and records the rest."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.blocked: list[str] = []
        self.dialogs: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        local = parts.hostname in ("127.0.0.1", REBIND) and parts.port == self.port
        if parts.scheme in ("data", "blob", "about") or local:
            route.continue_()
        elif parts.hostname == ATTACKER:
            route.fulfill(
                status=200, content_type="text/html", body=ATTACKER_PAGE.format(port=self.port)
            )
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def browser_page(server):
    from playwright.sync_api import sync_playwright

    gate = Gate(server.port)
    # Chromium's own Local Network Access checks would stop the attacker's WebSocket before it
    # reaches the server; switched off, so that the server's refusal is what is tested (other
    # and older browsers have no such check).
    args = [
        *CHROMIUM_ARGS,
        f"--host-resolver-rules=MAP {REBIND} 127.0.0.1",
        (
            "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
            "PrivateNetworkAccessRespectPreflightResults"
        ),
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=args)
        try:
            context = browser.new_context(service_workers="block")
            context.route("**/*", gate.route)
            page = context.new_page()
            page.on(
                "dialog", lambda dialog: (gate.dialogs.append(dialog.message), dialog.dismiss())
            )
            yield page, gate
        finally:
            browser.close()


def test_the_dashboard_loads_on_its_own_address(browser_page, server, outside):
    """The control: the same browser and server show the app at http://127.0.0.1:PORT/."""
    page, gate = browser_page
    page.goto(f"http://127.0.0.1:{server.port}/")
    wait_until_ready(page, "overview")
    assert page.get_by_text("Tiny Town: the coalition at a glance").count() >= 1
    assert page.locator(EXCEPTION_BOX).count() == 0
    assert gate.blocked == [] and gate.dialogs == [] and outside.requests == []


def test_a_rebound_name_gets_no_app(browser_page, server, outside):
    page, gate = browser_page
    response = page.goto(f"http://{REBIND}:{server.port}/")
    assert response is not None and response.status == 400
    page.wait_for_load_state("load")
    body = page.inner_text("body")
    assert "Invalid host header" in body
    assert "Tiny Town" not in page.content()
    assert page.locator('[data-testid="stApp"]').count() == 0
    # Nothing on that origin answers the attacker's script: not the files, not the data.
    for path in ("/_stcore/health", "/_stcore/host-config", "/map", "/media/x"):
        assert page.evaluate("path => fetch(path).then(r => r.status)", path) == 400
    outcome = page.evaluate(
        """port => new Promise(done => {
        const socket = new WebSocket(`ws://rebind.test:${port}/_stcore/stream`);
        socket.onopen = () => done("open");
        socket.onerror = () => done("refused");
    })""",
        server.port,
    )
    assert outcome == "refused"
    assert gate.blocked == [] and gate.dialogs == [] and outside.requests == []


def test_another_sites_page_cannot_open_the_websocket(browser_page, server, outside):
    page, gate = browser_page
    page.goto(f"http://{ATTACKER}/")
    page.wait_for_function("() => window.outcome !== null", timeout=30_000)
    assert page.evaluate("window.outcome") == "refused"
    assert gate.blocked == [] and gate.dialogs == []
    assert outside.requests == [], "refusing the page made the server call out"
    assert "Refused a WebSocket from another site" in server.log()
