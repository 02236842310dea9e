"""A person with an account in a real (offline) Chromium: sign in, list the navigation, visit a
page, read everything it received. Shared by ``tests/test_browser_roles.py`` and
``tests/test_serve_accounts.py``.

Accounts are made as an operator would, with ``coalition user add NAME --role ROLE
--password-stdin`` (:func:`add_user`). Each person gets their own browser context (their own
Streamlit session: the sign-in lives in the server's session state, never in a cookie or the URL).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from browser_wire import WireTap, file_texts
from harness import (
    EXCEPTION_BOX,
    HEADINGS,
    MAP_IFRAME,
    NAV_LINK,
    NETWORK_IFRAME,
    OfflineRecorder,
    wait_until_ready,
)

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60_000
# The sign-in page (coalition/dashboard/sign_in.py).
SIGN_IN_HEADING = "Sign in"
NAME_LABEL = "Name"
PASSWORD_LABEL = "Password"
SIGN_IN_BUTTON = "Sign in"
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
DOWNLOAD_BUTTON = '[data-testid="stDownloadButton"] button'
EXPANDER = '[data-testid="stExpander"]'
# The drawings of the map and network pages: (iframe, what is inside once drawn).
DRAWINGS = {
    "map": (MAP_IFRAME, ".leaflet-overlay-pane > *"),
    "network": (NETWORK_IFRAME, "canvas"),
}
# Markdown escapes in Streamlit's messages ("foreign\-born"): read the text as shown.
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>:$&=%'\"])")


def add_user(db: Path | str, name: str, role: str, password: str) -> subprocess.CompletedProcess:
    """``coalition user add NAME --role ROLE --password-stdin --db DB``, the password on stdin."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("COALITION_DB", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "coalition.cli",
            "user",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            "--db",
            str(db),
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def settle(page: Any) -> None:
    """Wait until Streamlit has finished running the script for the last interaction."""
    page.wait_for_timeout(300)
    page.wait_for_function(f"() => !document.querySelector('{STATUS_WIDGET}')", timeout=TIMEOUT)


def url_path(href: str) -> str:
    """The page part of a navigation link ('' for the default page)."""
    return urlsplit(href).path.strip("/")


@dataclass
class Visitor:
    """One person's browser context: its page, what it received, what it downloaded."""

    context: Any
    page: Any
    recorder: OfflineRecorder
    tap: WireTap
    base: str
    downloads: dict[str, bytes] = field(default_factory=dict)
    name: str = ""
    notices: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.context.close()

    # --- signing in --------------------------------------------------------------------------
    def open(self, path: str = "") -> None:
        """Type the page's address (a new Streamlit session: signed out) and wait for sign-in.

        Streamlit says "Page not found" in a dialog for a path it does not serve: the dialog's
        text is kept in ``notices`` and the dialog closed, as a person would.
        """
        self.page.goto(f"{self.base}/{path}")
        self.page.get_by_label(NAME_LABEL, exact=True).wait_for(timeout=TIMEOUT)
        settle(self.page)
        self.close_dialogs()

    def close_dialogs(self) -> None:
        dialogs = self.page.get_by_role("dialog")
        while dialogs.count() and dialogs.first.is_visible():
            self.notices.append(dialogs.first.inner_text())
            self.page.keyboard.press("Escape")
            self.page.wait_for_timeout(300)

    def sign_in(self, name: str, password: str, *, expect_success: bool = True) -> None:
        page = self.page
        page.get_by_label(NAME_LABEL, exact=True).fill(name)
        page.get_by_label(PASSWORD_LABEL, exact=True).fill(password)
        since = len(self.tap.received)
        page.get_by_role("button", name=SIGN_IN_BUTTON, exact=True).click()
        self.wait_for_run(since)
        settle(page)
        if expect_success:
            page.get_by_text(f"Signed in as {name}").first.wait_for(timeout=TIMEOUT)
            settle(page)

    def wait_for_run(self, since: int) -> None:
        """Wait until the server has finished a run of the script begun after message ``since``."""
        for _ in range(TIMEOUT // 100):
            if self.tap.finished_since(since):
                return
            self.page.wait_for_timeout(100)
        raise AssertionError("the server never finished the run")

    # --- reading -------------------------------------------------------------------------------
    def nav_paths(self) -> set[str]:
        """The url paths of the navigation's links ('' is the default page)."""
        links = self.page.locator(NAV_LINK)
        return {url_path(links.nth(i).get_attribute("href") or "") for i in range(links.count())}

    def visible_text(self) -> str:
        """The text on screen: the page and every frame in it (maps and network drawings)."""
        texts = []
        for frame in self.page.frames:
            try:
                texts.append(frame.locator("body").inner_text(timeout=5_000))
            except Exception:  # a frame that went away while reading: nothing on screen
                continue
        return "\n".join(texts)

    def received_text(self, since: int = 0) -> str:
        """Every text the server sent to this browser (WebSocket messages), as shown."""
        return MARKDOWN_ESCAPE.sub(r"\1", "\n".join(self.tap.texts(since)))

    def heading_shown(self, title: str) -> bool:
        return self.page.get_by_role("heading", name=title).count() > 0

    def exceptions(self) -> int:
        return self.page.locator(EXCEPTION_BOX).count()

    # --- moving around -------------------------------------------------------------------------
    def click_nav(self, path: str, title: str) -> None:
        """Click a page in the sidebar, as a person does, and wait until it is drawn."""
        links = self.page.locator(NAV_LINK)
        for i in range(links.count()):
            if url_path(links.nth(i).get_attribute("href") or "") == path:
                links.nth(i).click()
                break
        else:
            raise AssertionError(f"no link to {path!r} in the navigation")
        self.wait_page(path, title)

    def wait_page(self, path: str, title: str) -> None:
        key = path or "overview"
        self.page.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT)
        settle(self.page)
        if self.exceptions():  # drawn as far as it got: the caller says what went wrong
            return
        if key in DRAWINGS:  # wait for the drawing, or an exception instead of it
            frame, inner = DRAWINGS[key]
            for _ in range(TIMEOUT // 250):
                if self.exceptions() or self.page.frame_locator(frame).locator(inner).count():
                    break
                self.page.wait_for_timeout(250)
        if key == "data" and not self.exceptions():  # its last part: the download buttons
            try:
                self.page.locator(DOWNLOAD_BUTTON).last.wait_for(timeout=TIMEOUT)
            except Exception:  # none offered: the caller says so
                return
            settle(self.page)
        if key in HEADINGS and key != "data" and not self.exceptions():
            wait_until_ready(self.page, key, TIMEOUT)  # the Data page's buttons differ by role
            settle(self.page)

    def open_expanders(self) -> None:
        """Open every closed expander on the page, so what it holds is on screen."""
        closed = self.page.locator(f"{EXPANDER} details:not([open]) > summary")
        for _ in range(closed.count()):
            closed.first.click()
            settle(self.page)

    def download_all(self) -> dict[str, bytes]:
        """Click every download button on the page; keep each file's bytes by its name."""
        self.open_expanders()
        buttons = self.page.locator(DOWNLOAD_BUTTON)
        got: dict[str, bytes] = {}
        for i in range(buttons.count()):
            if not buttons.nth(i).is_visible():  # e.g. in a tab not chosen
                continue
            with self.page.expect_download(timeout=TIMEOUT) as info:
                buttons.nth(i).click()
            download = info.value
            got[download.suggested_filename] = Path(download.path()).read_bytes()
        self.downloads.update(got)
        return got

    def download_texts(self) -> str:
        return "\n".join(
            "\n".join([name, *file_texts(name, data)]) for name, data in self.downloads.items()
        )


def new_visitor(browser: Any, base: str, viewport: tuple[int, int] = (1600, 1600)) -> Visitor:
    """A fresh browser context (a new person) on the dashboard at ``base``, tapped and offline."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        service_workers="block",
        accept_downloads=True,
    )
    page = context.new_page()
    recorder = OfflineRecorder()
    recorder.attach(context, page)
    tap = WireTap()
    tap.attach(page)
    return Visitor(context, page, recorder, tap, base)
