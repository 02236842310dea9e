"""Two people editing at once, in two real (offline) Chromium sessions on one dashboard server.

Both open the same organization; the first saves, the second saves a form read before that: the
second sees the conflict with both values, keeps theirs, and nothing is lost (the first value
stays in the history). Then each edits a different record: both are saved. Forms are submitted
with Enter in a field (keyboard only) as well as with the button.
"""

from __future__ import annotations

import pytest
from harness import (
    EXCEPTION_BOX,
    OfflineRecorder,
    offline_browser,
    require_browser,
    running_server,
    wait_for_page,
)
from tiny_city import make_tiny_city

from coalition.store import open_store

pytestmark = pytest.mark.browser

TIMEOUT = 60_000
NAME_FIELD = "Your name (kept with every change you save; asked once in this browser)"
FIND_FIELD = "Find the organization: type part of its name and press Enter"


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_browser()


def settle(page) -> None:
    """Wait until Streamlit has finished running the script for the last interaction."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT
    )


def open_record_page(page, url: str, name: str) -> None:
    page.goto(f"{url}/record")
    wait_for_page(page, "Record")
    field = page.get_by_label(NAME_FIELD)
    field.fill(name)
    field.press("Enter")  # Enter submits the form
    page.get_by_text(f"Editing as {name}").wait_for(timeout=TIMEOUT)
    page.get_by_text("Change", exact=True).click()
    page.get_by_label("Name", exact=True).wait_for(timeout=TIMEOUT)
    settle(page)


def wait_value(page, label: str, value: str) -> None:
    """Wait until the field labelled ``label`` holds ``value`` (the form read its record)."""
    page.wait_for_function(
        "([label, value]) => [...document.querySelectorAll('input')]"
        ".some(i => i.getAttribute('aria-label') === label && i.value === value)",
        arg=[label, value],
        timeout=TIMEOUT,
    )


def find(page, text: str, shown: str) -> None:
    """Type in the picker's find field, press Enter, and wait for the record's form."""
    field = page.get_by_label(FIND_FIELD)
    field.fill(text)
    field.press("Enter")
    settle(page)
    wait_value(page, "Name", shown)


def set_field(page, label: str, value: str, *, enter: bool = False) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    if enter:
        field.press("Enter")
    else:
        page.get_by_role("button", name="Save the changes").click()
    settle(page)


def test_two_browsers_one_record_then_two_records(tmp_path):
    db = tmp_path / "edit.db"
    open_store(db).replace_city(make_tiny_city())
    with (
        running_server(db, log_dir=tmp_path) as server,
        offline_browser() as (context, page_a, recorder_a),
    ):
        context_b = context.browser.new_context(
            viewport={"width": 1600, "height": 1200}, service_workers="block"
        )
        page_b = context_b.new_page()
        recorder_b = OfflineRecorder()
        recorder_b.attach(context_b, page_b)

        open_record_page(page_a, server.url, "Ana")
        open_record_page(page_b, server.url, "Bo")
        for page in (page_a, page_b):  # both read Alder Library at version 1
            wait_value(page, "Name", "Alder Library")

        set_field(page_a, "Name", "Alder Public Library", enter=True)
        page_a.get_by_text("Saved: Changed Alder Public Library: name").wait_for(timeout=TIMEOUT)

        set_field(page_b, "Name", "Alder Branch Library")
        page_b.get_by_text("Someone saved the same record").wait_for(timeout=TIMEOUT)
        table = page_b.locator("table").filter(has_text="Yours").first
        assert "Alder Branch Library" in table.inner_text()
        assert "Alder Public Library" in table.inner_text()
        assert "by Ana" in page_b.inner_text("body")
        store = open_store(db)
        assert store.version() == 2 and store.row("organizations", "lib")[0]["name"] == (
            "Alder Public Library"
        )

        page_b.get_by_role("button", name="Keep mine").click()
        page_b.get_by_text("Saved: Changed Alder Branch Library: name").wait_for(timeout=TIMEOUT)
        assert store.row("organizations", "lib")[0]["name"] == "Alder Branch Library"
        kept = store.read_version(2).tables["organizations"].set_index("org_id")
        assert kept.loc["lib", "name"] == "Alder Public Library", "nothing lost"
        assert list(store.versions()["who"][:2]) == ["Bo", "Ana"]

        # Different records, both forms read before either saves: both are saved.
        find(page_a, "legal", "Birch Legal Aid")
        find(page_b, "cedar", "Cedar Church")
        sector = "Sector (library, nonprofit, faith, school, health…)"
        set_field(page_a, sector, "legal aid")
        set_field(page_b, sector, "church", enter=True)
        page_a.get_by_text("Saved: Changed Birch Legal Aid: sector").wait_for(timeout=TIMEOUT)
        page_b.get_by_text("Saved: Changed Cedar Church: sector").wait_for(timeout=TIMEOUT)
        assert store.row("organizations", "legal")[0]["sector"] == "legal aid"
        assert store.row("organizations", "church")[0]["sector"] == "church"
        assert store.version() == 5

        for page, recorder in ((page_a, recorder_a), (page_b, recorder_b)):
            assert page.locator(EXCEPTION_BOX).count() == 0
            assert recorder.blocked == [] and recorder.dialogs == []
        context_b.close()
