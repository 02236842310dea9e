"""A member's private survey link in a real, offline Chromium (issue 10).

The dashboard served as ``coalition serve`` does, a store with an admin account and round
"spring" open on the survey fixture's city. Opening ``/survey?link=TOKEN`` shows the Survey page
alone (no navigation, no sign-in), nothing is fetched from outside, and "Save my answers" keeps
the member's answers; an invalid link says so above the Sign in page.
"""

from __future__ import annotations

import pytest
from harness import offline_browser, require_browser, running_server
from signed_in import new_visitor, settle
from survey_fixture import survey_city

from coalition.accounts import operator
from coalition.dashboard.survey_page import SAVED_BY_LINK
from coalition.store import open_store

pytestmark = pytest.mark.browser
TIMEOUT = 120_000


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_browser()
    path = tmp_path_factory.mktemp("survey_browser") / "survey.db"
    store = open_store(path)
    store.replace_city(survey_city(), account=operator())
    store.add_account("ada", "admin passphrase one", "admin")
    store.open_survey_round("spring", account=operator())
    token = store.make_survey_links("spring", ["lib"], account=operator())["lib"]
    with running_server(path, log_dir=path.parent, guarded=True) as server:
        yield server, path, token


@pytest.fixture(scope="module")
def browser():
    with offline_browser() as (context, _, _recorder):
        yield context.browser


def test_a_link_opens_the_survey_page_alone_and_saves(served, browser):
    server, path, token = served
    visitor = new_visitor(browser, server.url)
    try:
        page = visitor.page
        page.goto(f"{server.url}/survey?link={token}")
        page.get_by_text("Answering for").first.wait_for(timeout=TIMEOUT)
        settle(page)
        visitor.close_dialogs()
        assert visitor.notices == []  # no "Page not found": /survey is the page's own address
        assert visitor.heading_shown("Survey")
        assert visitor.nav_paths() == set()  # one page: no navigation at all
        assert not visitor.heading_shown("Sign in")
        page.get_by_role("button", name="Save my answers").click()
        page.get_by_text(SAVED_BY_LINK).first.wait_for(timeout=TIMEOUT)
        settle(page)
        # A rerun (the click) kept the link: the member's answer is in the store.
        kept = open_store(path).read_survey_round("spring", account=operator())
        assert kept.respondents() == ["lib"]
        assert kept.profiles["channel"].tolist() == ["dashboard"]
        assert visitor.exceptions() == 0
        assert visitor.recorder.blocked == [] and visitor.recorder.dialogs == []
    finally:
        visitor.close()


def test_the_link_at_the_root_address_lands_on_the_survey_page(served, browser):
    server, _, token = served
    visitor = new_visitor(browser, server.url)
    try:
        visitor.page.goto(f"{server.url}/?link={token}")
        visitor.page.get_by_text("Answering for").first.wait_for(timeout=TIMEOUT)
        # The form is drawn after the sentence: wait for its button (a loaded machine may not
        # have drawn it when settle() looks).
        save = visitor.page.get_by_role("button", name="Save my answers")
        save.first.wait_for(timeout=TIMEOUT)
        settle(visitor.page)
        visitor.close_dialogs()
        assert visitor.notices == [] and visitor.nav_paths() == set()
        assert save.count() == 1
        assert visitor.recorder.blocked == [] and visitor.recorder.dialogs == []
    finally:
        visitor.close()


def test_an_invalid_link_says_so_above_sign_in(served, browser):
    server, _, _ = served
    visitor = new_visitor(browser, server.url)
    try:
        page = visitor.page
        page.goto(f"{server.url}/survey?link=not-a-token")
        page.get_by_label("Name", exact=True).wait_for(timeout=TIMEOUT)
        settle(page)
        assert visitor.heading_shown("Sign in")
        assert page.get_by_text("This link is not valid any more").count() == 1
        assert not visitor.heading_shown("Survey")
        assert visitor.recorder.blocked == [] and visitor.recorder.dialogs == []
    finally:
        visitor.close()
