"""The dashboard in a real, offline Chromium: every page, no exception, no outside request, the
map's polygons and the network's canvas drawn, and no script run from hostile names.

Drives Debian's ``chromium`` with Playwright (never ``playwright install``). Required in CI: when
the environment variable ``CI`` is set, a missing browser FAILS the test instead of skipping it.
Screenshots of every page go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from harness import (
    EXCEPTION_BOX,
    MAP_IFRAME,
    NETWORK_IFRAME,
    offline_browser,
    require_browser,
    running_server,
    wait_until_ready,
)

from coalition.dashboard import PAGES
from coalition.ingest import read_city
from coalition.maps import NEIGHBORHOOD_CLASS
from coalition.store import open_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
HARTFORD = ROOT / "data" / "hartford"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile_city"
sys.path.insert(0, str(HOSTILE))
from build_fixture import TEMPLATE  # noqa: E402  (template syntax in hostile names)

# Neighborhood polygons carry coalition.maps.NEIGHBORHOOD_CLASS; committee and organization
# circle markers do not, so this selector counts polygons only.
# Tall enough that a screenshot shows a whole page (Streamlit scrolls inside the page).
SCREEN = (1600, 2400)
POLYGONS = f"path.leaflet-interactive.{NEIGHBORHOOD_CLASS}"
# Counts the non-blank pixels of a canvas (vis-network draws with a 2d context).
PAINTED_PIXELS = """canvas => {
  const context = canvas.getContext('2d');
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) painted++; }
  return painted;
}"""


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_browser()


def _store(tmp_path: Path, folder: Path) -> Path:
    db = tmp_path / "browser.db"
    open_store(db).replace_city(read_city(folder))
    return db


def _page_url(base: str, url_path: str) -> str:
    default = PAGES[0][2]
    return f"{base}/" if url_path == default else f"{base}/{url_path}"


def _visit(page, base: str, url_path: str, tag: str) -> None:
    page.goto(_page_url(base, url_path))
    wait_until_ready(page, url_path)
    if url_path == "map":
        page.frame_locator(MAP_IFRAME).locator(POLYGONS).first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)  # let the last frame paint before the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{tag}-{url_path}.png"), full_page=True)
    assert page.locator(EXCEPTION_BOX).count() == 0, f"exception box on {url_path}"


def _sweep(page, frame_selector: str, inner: str) -> None:
    """Move the mouse over a drawing so every tooltip under it shows (hostile text included)."""
    box = page.locator(frame_selector).first.bounding_box()
    assert box and box["width"] > 0
    for row in range(1, 8):
        for column in range(1, 12):
            page.mouse.move(
                box["x"] + box["width"] * column / 12, box["y"] + box["height"] * row / 8
            )
            page.wait_for_timeout(15)


def test_hartford_in_an_offline_browser(tmp_path):
    db = _store(tmp_path, HARTFORD)
    with (
        running_server(db, log_dir=tmp_path) as server,
        offline_browser(viewport=SCREEN) as (_, page, record),
    ):
        for _, _, url_path in PAGES:
            _visit(page, server.url, url_path, "hartford")
            if url_path == "network":
                canvas = page.frame_locator(NETWORK_IFRAME).locator("canvas").first
                box = canvas.bounding_box()
                assert box and box["width"] > 100 and box["height"] > 100
                assert canvas.evaluate(PAINTED_PIXELS) > 1000, "the network canvas is blank"
            if url_path == "map":
                map_frame = page.frame_locator(MAP_IFRAME)
                assert map_frame.locator(POLYGONS).count() == 17  # Hartford's neighborhoods
                # Clicking a polygon shows that neighborhood's profile below the map.
                map_frame.locator(POLYGONS).nth(3).dispatch_event("click")
                page.get_by_text("Speak English less than very well").wait_for(timeout=60_000)
                page.screenshot(path=str(ARTIFACTS / "hartford-map-profile.png"), full_page=True)
                assert page.locator(EXCEPTION_BOX).count() == 0
        assert record.blocked == [], f"requests left the machine: {record.blocked}"
        assert record.dialogs == []


def test_hostile_city_runs_no_script(tmp_path):
    db = _store(tmp_path, HOSTILE)
    with (
        running_server(db, log_dir=tmp_path) as server,
        offline_browser(viewport=SCREEN) as (_, page, record),
    ):
        for _, _, url_path in PAGES:
            _visit(page, server.url, url_path, "hostile")
            if url_path == "network":
                _sweep(page, NETWORK_IFRAME, "canvas")
                # Labels and tooltips hold the template syntax as written ({{7*7}}, not 49).
                texts = (
                    page.frame_locator(NETWORK_IFRAME)
                    .locator("body")
                    .evaluate("() => nodes.get().map(n => n.label + '\\n' + n.title)")
                )
                assert any(TEMPLATE in text for text in texts), texts
                assert not any("49" in text for text in texts), texts
            if url_path == "map":
                map_frame = page.frame_locator(MAP_IFRAME)
                assert map_frame.locator(POLYGONS).count() == 4
                labels = map_frame.locator(".wbh-label").all_inner_texts()
                assert any(TEMPLATE in label for label in labels), labels  # Dogwood's name
                assert not any("49" in label for label in labels), labels
                _sweep(page, MAP_IFRAME, POLYGONS)
                map_frame.locator(POLYGONS).first.dispatch_event("click")
                page.get_by_text("Speak English less than very well").wait_for(timeout=60_000)
                page.screenshot(path=str(ARTIFACTS / "hostile-map-profile.png"), full_page=True)
            # Links in the data stay text: nothing to click through to the attacker's site.
            assert page.locator('a[href*="example.com"], a[href^="javascript"]').count() == 0
            # The hostile names are on screen, as text.
            if url_path == "overview":
                assert page.get_by_text("Hostile Town <script>alert(1)</script>").count() >= 1
        assert record.dialogs == [], f"script ran: {record.dialogs}"
        assert record.blocked == [], f"requests left the machine: {record.blocked}"
