"""The dashboard in Spanish in a real (offline) Chromium (issue 11).

- A browser that asks for Spanish (context locale ``es-ES``: ``Accept-Language: es-ES`` and
  ``navigator.language``) opens the dashboard on the tiny city and visits every page of the
  navigation an operator gets (:data:`coalition.dashboard.PAGES`), clicking each by its Spanish
  title. Each page must draw its Spanish heading, no exception box, and no English word
  (:data:`test_i18n.ENGLISH_WORDS`) in what a person reads (``document.body.innerText``: the
  page and the sidebar) once the city's own strings are cut out (data is shown as written).
- The switch: an English browser chooses "Español" in the sidebar's "Language · Idioma" select
  and sees Spanish; a new page of the same browser (the cookie written by
  :mod:`coalition.dashboard.language`) opens in Spanish; ``?lang=en`` forces English.

Drives Debian's ``chromium`` with Playwright (never ``playwright install``); every request that
would leave the machine is blocked and recorded, and any dialog fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from harness import (
    CHROMIUM_ARGS,
    EXCEPTION_BOX,
    NAV_LINK,
    OfflineRecorder,
    chromium_path,
    last_part_drawn,
    require_browser,
    running_server,
)
from test_i18n import data_strings, english_left
from tiny_city import make_tiny_city

from coalition import i18n
from coalition.dashboard import PAGES
from coalition.store import open_store

pytestmark = pytest.mark.browser

TIMEOUT = 120_000
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
# The network's drawing: the frame in the page's main part (the sidebar may hold the language
# switch's own tiny frame, which writes its cookie).
NETWORK_IFRAME = '[data-testid="stMain"] iframe[data-testid="stIFrame"]'
LANGUAGE_LABEL = "Language · Idioma"
# The Overview's heading is "<city>: the coalition at a glance"; every other page's heading is
# its title in the navigation.
OVERVIEW_HEADING = {"en": "the coalition at a glance", "es": "la coalición de un vistazo"}


def spanish(text: str) -> str:
    """A marked English string in Spanish (the catalogue's translation)."""
    with i18n.using("es"):
        return i18n.gettext(text)


def heading(url_path: str, title: str, lang: str) -> str:
    """The heading a page draws, in a language."""
    if url_path == "overview":
        return OVERVIEW_HEADING[lang]
    return spanish(title) if lang == "es" else title


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_browser()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny city in a store (no accounts: the dashboard's operator sees every page)."""
    city = make_tiny_city()
    path = tmp_path_factory.mktemp("browser_es") / "tiny.db"
    open_store(path).replace_city(city)
    return path, data_strings(city)


@pytest.fixture(scope="module")
def server(tiny):
    with running_server(tiny[0], log_dir=ARTIFACTS) as running:
        yield running


@contextmanager
def chromium(locale: str) -> Iterator[tuple[Any, Any, OfflineRecorder]]:
    """An offline headless Chromium context with a language (as ``harness.offline_browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1600, "height": 1200},
                service_workers="block",
                locale=locale,
            )
            page = context.new_page()
            recorder = OfflineRecorder()
            recorder.attach(context, page)
            yield context, page, recorder
        finally:
            browser.close()


def wait_for_heading(page: Any, text: str) -> None:
    """Wait until a heading holding ``text`` is drawn and the script run has finished."""
    page.get_by_role("heading").filter(has_text=text).first.wait_for(timeout=TIMEOUT)
    page.wait_for_function(f"() => !document.querySelector('{STATUS_WIDGET}')", timeout=TIMEOUT)


def shows(page: Any, text: str) -> None:
    """Wait until ``text`` (a whole label, e.g. a metric's) is drawn and visible."""
    page.get_by_text(text, exact=True).first.wait_for(state="visible", timeout=TIMEOUT)


# Text that is Streamlit's, not the tool's, left out of what is checked: its hidden "Skip to main
# content" link (for keyboard users; Streamlit's frontend has no Spanish) and the names of
# Material icons, drawn as text in an icon font (a download button's icon is the word
# "download").
STREAMLIT_OWN = '[data-testid="stSkipToContent"], [data-testid="stIconMaterial"]'


def shown_lines(page: Any) -> list[str]:
    """What a person reads on the page (main part and sidebar), line by line."""
    text, own = page.evaluate(
        """own => [document.body.innerText,
                   [...document.querySelectorAll(own)].map(e => e.innerText.trim())]""",
        STREAMLIT_OWN,
    )
    return [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in own]


def wait_until_drawn(page: Any, url_path: str) -> None:
    """Wait for the last, slowest part of a page (harness.last_part_drawn, in Spanish) and the
    end of the script run."""
    last_part_drawn(page, url_path, TIMEOUT, say=spanish)
    page.wait_for_function(f"() => !document.querySelector('{STATUS_WIDGET}')", timeout=TIMEOUT)


def tracebacks(server) -> str:
    log = server.log_path.read_text(errors="replace")
    found = [part[:3000] for part in log.split("Traceback")[1:]]
    return "\nServer tracebacks:\nTraceback" + "\nTraceback".join(found) if found else ""


def wait_for_page_heading(page: Any, url_path: str, title: str) -> str:
    """Wait until the page at ``url_path`` draws its heading, in Spanish or in English, and its
    script run has finished; return the heading's text (one of the two: a page not yet
    translated fails at once instead of waiting for a heading that never comes)."""
    wanted = [heading(url_path, title, "es"), heading(url_path, title, "en")]
    if url_path != "overview":
        # Streamlit changes pages inside the document (no load event): watch the address.
        page.wait_for_function(
            "path => location.pathname.replace(/\\/+$/, '').endsWith('/' + path)",
            arg=url_path,
            timeout=TIMEOUT,
        )
    pattern = re.compile("|".join(re.escape(text) for text in wanted))
    found = page.get_by_role("heading").filter(has_text=pattern).first
    found.wait_for(timeout=TIMEOUT)
    page.wait_for_function(f"() => !document.querySelector('{STATUS_WIDGET}')", timeout=TIMEOUT)
    return found.inner_text()


def test_a_spanish_browser_sees_every_page_in_spanish(server, tiny):
    _, data = tiny
    problems: list[str] = []
    with chromium("es-ES") as (_context, page, recorder):
        page.goto(server.url)
        for _file, title, url_path in PAGES:
            # The operator (a store without accounts) gets every page of the navigation, each
            # listed by its Spanish title.
            if url_path != "overview":
                exact = re.compile(rf"^\s*{re.escape(spanish(title))}\s*$")
                page.locator(NAV_LINK).filter(has_text=exact).first.click()
            try:
                shown = wait_for_page_heading(page, url_path, title)
            except Exception as exc:
                raise AssertionError(f"{url_path}: the page was not drawn ({exc})") from exc
            if heading(url_path, title, "es") not in shown:
                problems.append(f"{url_path}: the heading is in English ({shown!r})")
            else:
                wait_until_drawn(page, url_path)
            errors = page.locator(EXCEPTION_BOX)
            problems += [f"{url_path}: {errors.nth(i).inner_text()}" for i in range(errors.count())]
            problems += [f"{url_path}: {line}" for line in english_left(shown_lines(page), data)]
        assert not recorder.dialogs, recorder.dialogs
        assert not recorder.blocked, recorder.blocked
    assert not problems, "\n".join(problems) + tracebacks(server)


def test_the_language_switch_is_remembered_and_lang_in_the_address_wins(server):
    with chromium("en-US") as (context, page, recorder):
        page.goto(server.url)
        wait_for_heading(page, OVERVIEW_HEADING["en"])
        shows(page, "Member organizations")

        # The switch, labelled in both languages, in the sidebar.
        page.get_by_label(LANGUAGE_LABEL).click()
        page.get_by_role("option", name="Español").click()
        wait_for_heading(page, OVERVIEW_HEADING["es"])
        shows(page, "Organizaciones miembro")
        assert page.locator(NAV_LINK).filter(has_text="Resumen").count() == 1

        # A new page of the same browser (a new Streamlit session): the cookie says Spanish,
        # although the browser itself asks for English.
        page.wait_for_function(
            "() => document.cookie.includes('coalition_lang=es')", timeout=TIMEOUT
        )
        cookie = {c["name"]: c["value"] for c in context.cookies()}.get("coalition_lang")
        assert cookie == "es"
        again = context.new_page()
        again.on("dialog", recorder.dialog)
        again.goto(server.url)
        wait_for_heading(again, OVERVIEW_HEADING["es"])
        shows(again, "Organizaciones miembro")

        # A link with ?lang=en forces English.
        english = context.new_page()
        english.on("dialog", recorder.dialog)
        english.goto(f"{server.url}/?lang=en")
        wait_for_heading(english, OVERVIEW_HEADING["en"])
        shows(english, "Member organizations")
        assert english.get_by_text("Organizaciones miembro", exact=True).count() == 0
        assert not recorder.dialogs, recorder.dialogs
        assert not recorder.blocked, recorder.blocked
