"""Presenter mode: the meeting tally (pure, worked out by hand) and the projector dashboard.

The row changes below are built by hand from the edit API's spec (``coalition.edits.RowChange``:
table, key, the whole row before and after, ``_retired`` None or {"on", "reason"}).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import edits
from coalition.dashboard import PAGES, WRITING_PAGES, ui
from coalition.edits import RowChange
from coalition.presenting import meeting
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE_DIR = "coalition/dashboard"
RECORD = f"{PAGE_DIR}/record.py"
TIMEOUT = 120
ENDED = {"on": "2026-11-30", "reason": "the program closed"}


# --- rows and changes, by hand --------------------------------------------------------------------


def org(org_id: str, name: str, retired: dict | None = None, **cells) -> dict:
    return {"org_id": org_id, "name": name, "sector": "nonprofit", **cells, "_retired": retired}


def tie(a: str, b: str, tie_type: str = "partnership", retired: dict | None = None) -> dict:
    return {
        "source_id": a,
        "target_id": b,
        "tie_type": tie_type,
        "strength": 2,
        "_retired": retired,
    }


def tie_change(before: dict | None, after: dict | None) -> RowChange:
    row = before or after
    assert row is not None
    key = edits.tie_key(row["source_id"], row["target_id"], row["tie_type"])
    return RowChange("ties", key, before, after)


def org_change(before: dict | None, after: dict | None) -> RowChange:
    row = before or after
    assert row is not None
    return RowChange("organizations", row["org_id"], before, after)


def added_tie(a: str, b: str, tie_type: str = "partnership") -> RowChange:
    return tie_change(None, tie(a, b, tie_type))


def ended_tie(a: str, b: str, tie_type: str = "partnership") -> RowChange:
    return tie_change(tie(a, b, tie_type), tie(a, b, tie_type, ENDED))


# --- meeting_tally and tally_sentence ---------------------------------------------------------


def test_the_briefs_example_three_ties_one_organization_one_partnership_ended():
    changes = [
        added_tie("clinic", "lonely"),
        added_tie("lonely", "karen", "serves_community"),
        added_tie("nav1", "karen", "mentors"),
        org_change(None, org("birch-mosque", "Birch Mosque")),
        ended_tie("lib", "church"),
    ]
    tally = meeting.meeting_tally(changes)
    assert tally == {"added": {"ties": 3, "organizations": 1}, "ended": {"partnerships": 1}}
    assert meeting.tally_sentence(tally) == (
        "Since this meeting started: 3 ties, 1 organization added; 1 partnership ended."
    )


def test_nothing_yet():
    assert meeting.meeting_tally([]) == {}
    assert meeting.tally_sentence({}) == (
        "Since this meeting started: nothing has been added or changed yet."
    )


def test_a_row_counts_once_by_its_net_effect():
    clinic = org("clinic", "Dogwood Clinic", services=["health"])
    changes = [
        # added, then edited: one organization added
        org_change(None, org("new", "New Org")),
        org_change(org("new", "New Org"), org("new", "New Org", services=["legal"])),
        # edited, then edited back: nothing shows
        org_change(clinic, org("clinic", "Dogwood Clinic", services=["legal"])),
        org_change(org("clinic", "Dogwood Clinic", services=["legal"]), clinic),
        # added, then undone (deleted): nothing
        added_tie("clinic", "lonely"),
        tie_change(tie("clinic", "lonely"), None),
        # added, then retired within the meeting: nothing
        added_tie("assoc", "church"),
        tie_change(tie("assoc", "church"), tie("assoc", "church", retired=ENDED)),
        # edited once: one organization changed
        org_change(org("lib", "Alder Library"), org("lib", "Alder Public Library")),
    ]
    assert meeting.meeting_tally(changes) == {
        "added": {"organizations": 1},
        "changed": {"organizations": 1},
    }


def test_retiring_an_organization_ends_its_ties_and_only_partnerships_are_called_so():
    # edits.retire of "legal" also retires every tie touching it (same version).
    changes = [
        org_change(org("legal", "Legal Aid"), org("legal", "Legal Aid", ENDED)),
        ended_tie("lib", "legal"),
        ended_tie("legal", "clinic"),
        ended_tie("legal", "latino", "serves_community"),
    ]
    tally = meeting.meeting_tally(changes)
    assert tally == {"ended": {"ties": 1, "partnerships": 2}, "retired": {"organizations": 1}}
    assert meeting.tally_sentence(tally) == (
        "Since this meeting started: 1 tie, 2 partnerships ended; 1 organization retired."
    )


def test_restored_and_removed_rows():
    changes = [
        # a retired row brought back
        tie_change(tie("lib", "church", retired=ENDED), tie("lib", "church")),
        # undo of an add saved before the meeting: the row is deleted
        org_change(org("old", "Old Org"), None),
        # still retired, its reason corrected: nothing shows on screen
        org_change(
            org("gone", "Gone", ENDED),
            org("gone", "Gone", {"on": "2026-11-30", "reason": "closed"}),
        ),
    ]
    tally = meeting.meeting_tally(changes)
    assert tally == {"restored": {"ties": 1}, "removed": {"organizations": 1}}
    assert meeting.tally_sentence(tally) == (
        "Since this meeting started: 1 tie restored; 1 organization removed."
    )


def test_every_table_has_its_words_in_the_singular_and_plural():
    def row(table: str, key: str) -> RowChange:
        return RowChange(table, key, None, {"id": key, "_retired": None})

    changes = [
        row("communities", "c1"),
        row("communities", "c2"),
        row("navigators", "n1"),
        row("committees", "w1"),
        row("committees", "w2"),
    ]
    assert meeting.tally_sentence(meeting.meeting_tally(changes)) == (
        "Since this meeting started: 2 communities, 1 cultural navigator, "
        "2 welcoming committees added."
    )


def test_missing_numbers_before_and_after_are_no_change():
    before = org("lib", "Alder Library", members=math.nan, tags=[math.nan])
    after = org("lib", "Alder Library", members=math.nan, tags=[math.nan])
    assert meeting.meeting_tally([org_change(before, after)]) == {}


def test_the_changes_are_left_unchanged():
    changes = [added_tie("clinic", "lonely"), ended_tie("lib", "church")]
    kept = copy.deepcopy(changes)
    meeting.meeting_tally(changes)
    assert changes == kept


def test_zero_counts_and_unknown_kinds_are_not_said():
    tally = {"added": {"ties": 0}, "changed": {}, "merged": {"organizations": 2}}
    assert meeting.tally_sentence(tally).endswith("nothing has been added or changed yet.")
    assert meeting.tally_sentence({"added": {"ties": 1, "zines": 2}}) == (
        "Since this meeting started: 1 tie, 2 zines added."
    )


def test_thousands_are_grouped():
    assert "1,200 ties added" in meeting.tally_sentence({"added": {"ties": 1200}})


def test_meeting_start_is_the_latest_named_meeting_else_the_switch_on_version():
    named = pd.DataFrame(
        {"name": ["November session", "October"], "version": [12, 7], "saved_at": ["", ""]}
    )
    assert meeting.meeting_start(named, 20) == (12, "November session")
    assert meeting.meeting_start(named.iloc[0:0], 20) == (20, None)
    assert meeting.meeting_start(None, 20) == (20, None)
    assert meeting.meeting_start(None, None) == (None, None)


def test_reloaded_sentence_names_the_meeting_or_the_switch():
    assert meeting.reloaded_sentence("November  session") == (
        "The data was reloaded since November session, so its changes cannot be counted one by one."
    )
    assert "since presenter mode was switched on" in meeting.reloaded_sentence(None)
    assert "since presenter mode was switched on" in meeting.reloaded_sentence("")


def test_the_style_block_is_a_constant_with_no_template_or_data():
    style = ui.PRESENTER_STYLE
    assert style.startswith("<style>") and style.endswith("</style>")
    assert style.count("<") == 2 and "{{" not in style and "{%" not in style
    assert "85vh" in style and "font-size" in style
    assert f".st-key-{ui.PRESENTER_VIEW_KEY} iframe" in style
    assert "http" not in style and "@import" not in style and "url(" not in style


# --- the dashboard ------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "presenter.db"
    open_store(path).replace_city(make_tiny_city())
    return path


@pytest.fixture
def app(monkeypatch, db):
    """Start the dashboard on the tiny city; ``present`` sets ?present=… before the first run."""
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)

    def start(present: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if present is not None:
            at.query_params["present"] = present
        at.run()
        assert not at.exception
        return at

    return start


def page(name: str) -> str:
    return f"{PAGE_DIR}/{name}.py"


def record_page_registered(at: AppTest) -> bool:
    try:
        at.switch_page(RECORD).run()
    except ValueError as exc:
        assert "Could not find a navigation page" in str(exc)
        return False
    return True


def style_blocks(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if h.proto.body.startswith("<style>")]


def meeting_lines(at: AppTest) -> list[str]:
    return [
        m.value.replace("\\", "")
        for m in at.main.markdown
        if "Since this meeting started" in m.value or "reloaded since" in m.value
    ]


# Widgets that change data (st.form blocks, uploads, plain buttons, dates and long texts). The
# read-only pages filter with selects, toggles and short text boxes and download with
# download buttons; none of those is listed here.
EDITING_WIDGETS = ("button", "file_uploader", "date_input", "text_area", "form")


def editing_widgets(node) -> list[str]:
    found = []
    for child in getattr(node, "children", {}).values():
        kind = getattr(child, "type", None)
        form_id = getattr(getattr(child, "proto", None), "form_id", "") if kind != "form" else ""
        if kind in EDITING_WIDGETS or form_id:
            found.append(f"{kind} {getattr(child, 'label', '')}".strip())
        found += editing_widgets(child)
    return found


def test_the_projector_address_turns_presenter_mode_on(app):
    at = app(present="1")
    assert at.session_state[ui.PRESENTER_KEY] is True
    assert at.toggle(key=ui.PRESENTER_KEY).value is True
    assert style_blocks(at) == [ui.PRESENTER_STYLE]
    assert meeting_lines(at) == [
        "Since this meeting started: nothing has been added or changed yet."
    ]
    assert not record_page_registered(at)
    # Streamlit clears the address on a page switch; presenter mode stays and says so again.
    at.switch_page(page("data_page")).run()
    assert not at.exception and at.query_params["present"] == "1"
    assert style_blocks(at) == [ui.PRESENTER_STYLE]


def test_without_it_nothing_changes(app):
    at = app()
    assert at.toggle(key=ui.PRESENTER_KEY).value is False
    assert style_blocks(at) == [] and meeting_lines(at) == []
    assert record_page_registered(at)


@pytest.mark.parametrize("value", ["0", "no", "", "<script>"])
def test_other_address_values_do_not_present(app, value):
    at = app(present=value)
    assert at.session_state[ui.PRESENTER_KEY] is False
    assert record_page_registered(at)


def test_the_sidebar_toggle_switches_it_on_and_off(app):
    at = app()
    at.toggle(key=ui.PRESENTER_KEY).set_value(True).run()
    assert not at.exception
    assert at.query_params["present"] == "1"
    assert style_blocks(at) == [ui.PRESENTER_STYLE]
    assert not record_page_registered(at)
    at.toggle(key=ui.PRESENTER_KEY).set_value(False).run()
    assert not at.exception and "present" not in at.query_params
    assert style_blocks(at) == []
    assert record_page_registered(at)


def test_switching_it_off_never_grants_what_read_only_hides(app, monkeypatch):
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = app(present="1")
    assert not record_page_registered(at)
    at.toggle(key=ui.PRESENTER_KEY).set_value(False).run()
    assert not at.exception
    assert not record_page_registered(at)


def test_no_page_offers_anything_that_edits(app):
    # The Record page really has forms, so the check below can fail.
    plain = app()
    plain.switch_page(RECORD).run()
    assert "form" in editing_widgets(plain.main)
    at = app(present="1")
    for file, _, url_path in PAGES:  # every page, including any added later
        if url_path in WRITING_PAGES:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"{PAGE_DIR}/{file}").run()
            continue
        at.switch_page(f"{PAGE_DIR}/{file}").run()
        assert not at.exception, url_path
        assert editing_widgets(at.main) == [], url_path
        assert style_blocks(at) == [ui.PRESENTER_STYLE], url_path


def test_the_map_fills_the_frame_and_folds_its_controls(app):
    at = app(present="1")
    at.switch_page(page("map")).run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["Map settings", "Neighborhood profile"]
    frames = at.get("iframe")
    assert len(frames) == 1 and "leaflet" in frames[0].proto.srcdoc.lower()
    assert not [e for e in at.main.get("title")]  # the map comes first
    # The controls still work from inside the expander.
    at.selectbox(key="map_profile").set_value("alder").run()
    assert not at.exception
    assert any(s.value.startswith("Alder") for s in at.subheader)


def test_the_network_fills_the_frame_and_folds_its_controls(app):
    at = app(present="1")
    at.switch_page(page("network")).run()
    assert not at.exception
    assert "Filters and colours" in [e.label for e in at.expander]
    html = at.get("iframe")[0].proto.srcdoc
    assert "height: 98vh" in html
    plain = app()
    plain.switch_page(page("network")).run()
    assert "height: 650px" in plain.get("iframe")[0].proto.srcdoc


# --- a real projector screen (optional: -m browser) ----------------------------------------------

PROJECTOR = (1280, 720)
FRAME_BOX = """() => {
  const frame = document.querySelector('.st-key-presenter_view iframe');
  const box = frame.getBoundingClientRect();
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  return {top: box.top, height: box.height, width: box.width, screen: innerHeight,
          sidebar: sidebar ? sidebar.getBoundingClientRect().right : 0,
          font: getComputedStyle(document.documentElement).fontSize};
}"""


@pytest.mark.browser
def test_on_a_projector_the_map_and_network_fill_the_screen_and_stay_live(tmp_path, db):
    from harness import offline_browser, require_browser, running_server

    from coalition.maps import NEIGHBORHOOD_CLASS

    require_browser()
    artifacts = Path(__file__).resolve().parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with (
        running_server(db, log_dir=tmp_path) as server,
        offline_browser(viewport=PROJECTOR) as (_, page, record),
    ):
        for url_path, inner in (
            ("map", f"path.leaflet-interactive.{NEIGHBORHOOD_CLASS}"),
            ("network", "canvas"),
        ):
            page.goto(f"{server.url}/{url_path}?present=1")
            frame = page.frame_locator(".st-key-presenter_view iframe")
            frame.locator(inner).first.wait_for(timeout=120_000)
            page.get_by_text("Since this meeting started").wait_for(timeout=60_000)
            page.screenshot(path=str(artifacts / f"presenter-{url_path}.png"))
            box = page.evaluate(FRAME_BOX)
            # 85% of the screen tall, whole on the screen, nearly the full width, sidebar closed.
            assert box["height"] == pytest.approx(0.85 * PROJECTOR[1], abs=2), box
            assert box["top"] + box["height"] <= PROJECTOR[1], box
            assert box["width"] >= 0.9 * PROJECTOR[0], box
            assert box["sidebar"] <= 0, box
            assert box["font"] == "24px", box
            inner_box = frame.locator(
                "#mynetwork" if url_path == "network" else ".folium-map"
            ).bounding_box()
            assert inner_box and inner_box["height"] >= 0.95 * box["height"], (url_path, inner_box)
        # Someone records an organization elsewhere: within a refresh (10 s) the projector
        # counts it and draws the page again with it, untouched.
        drawn = page.locator(".st-key-presenter_view iframe").get_attribute("srcdoc")
        assert "Birch Mosque" not in drawn
        store = open_store(db)
        cells = {
            "org_id": "birch-mosque",
            "name": "Birch Mosque",
            "sector": "faith",
            "orientation": "both",
            "neighborhood": "birch",
            "source": "Working session",
            "source_date": "2026-11",
            "illustrative": "no",
        }
        store.apply(edits.add(store.read_city(), "organizations", cells), what="an organization")
        page.get_by_text("1 organization added").wait_for(timeout=60_000)
        page.wait_for_function(
            "() => (document.querySelector('.st-key-presenter_view iframe') || {srcdoc: ''})"
            ".srcdoc.includes('Birch Mosque')",
            timeout=60_000,
        )
        assert record.blocked == [] and record.dialogs == []


# --- the meeting line, after edits made through the store -------------------------------------


def new_tie(store, a: str, b: str, tie_type: str = "partnership") -> int:
    cells = {
        "source_id": a,
        "target_id": b,
        "tie_type": tie_type,
        "source": "Working session",
        "source_date": "2026-11",
        "illustrative": "no",
    }
    return store.apply(edits.add(store.read_city(), "ties", cells), what="a tie")


def end_partnership(store, a: str, b: str) -> int:
    key = edits.tie_key(a, b, "partnership")
    ended = edits.retire(store.read_city(), "ties", key, reason="program ended", on="2026-11-30")
    return store.apply(ended, what="a partnership ended")


def test_the_meeting_line_counts_two_edits_made_through_the_store(app, db):
    store = open_store(db)
    new_tie(store, "clinic", "lonely")  # before the meeting: not counted
    at = app(present="1")
    assert meeting_lines(at) == [
        "Since this meeting started: nothing has been added or changed yet."
    ]
    new_tie(store, "lonely", "karen", "serves_community")
    end_partnership(store, "lib", "church")
    at.run()
    assert not at.exception
    assert meeting_lines(at) == ["Since this meeting started: 1 tie added; 1 partnership ended."]
    # The same line on every page (here the Map).
    at.switch_page(page("map")).run()
    assert meeting_lines(at) == ["Since this meeting started: 1 tie added; 1 partnership ended."]


def test_a_named_meeting_is_the_start_and_its_name_is_escaped(app, db):
    store = open_store(db)
    new_tie(store, "clinic", "lonely")
    store.name_meeting("[Nov](http://evil.example/x.png) *session*")
    end_partnership(store, "lib", "church")
    at = app(present="1")  # switched on after the meeting started: the meeting counts
    lines = [m.value for m in at.main.markdown if "Since this meeting started" in m.value]
    assert len(lines) == 1
    assert lines[0].endswith("Since this meeting started\\: 1 partnership ended\\.")
    assert "](http" not in lines[0] and "\\[Nov\\]" in lines[0] and "\\*session\\*" in lines[0]
    # The map and network draw the changes since that meeting, filling the frame too.
    at.switch_page(page("network")).run()
    assert not at.exception
    drawn = at.get("iframe")[0].proto.srcdoc
    assert "height: 98vh" in drawn and "wbh-since" in drawn
    at.switch_page(page("map")).run()
    assert not at.exception and len(at.get("iframe")) == 1


def test_a_whole_city_load_since_the_start_is_said_not_counted(app, db):
    store = open_store(db)
    store.name_meeting("November session")
    new_tie(store, "clinic", "lonely")
    store.replace_city(make_tiny_city(), what="reloaded")
    at = app(present="1")
    assert meeting_lines(at) == [
        "**Meeting: November session** — The data was reloaded since November session, so its "
        "changes cannot be counted one by one."
    ]


def test_the_presenter_map_shows_hostile_names_as_text(app, db):
    hostile = "{{7*7}}<script>alert(1)</script>"
    store = open_store(db)
    renamed = edits.change(store.read_city(), "organizations", "lib", {"name": hostile})
    store.apply(renamed, what="a hostile name")
    at = app(present="1")
    at.switch_page(page("map")).run()
    assert not at.exception
    html = at.get("iframe")[0].proto.srcdoc
    assert "7*7" in html  # the name reached the map…
    assert "<script>alert(1)" not in html  # …as text: not markup,
    assert "49&lt;script" not in html and "49<script" not in html  # nor a template
