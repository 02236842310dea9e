"""The dashboard, driven page by page with Streamlit's AppTest (no browser, no JavaScript).

Every test points ``COALITION_DB`` at a temporary SQLite store loaded through the library: the
tiny city (tests/tiny_city.py, answers worked out by hand in its docstring), the Hartford sample
(data/hartford) and the hostile city (tests/fixtures/hostile_city, names full of script).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import element_texts
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import privacy
from coalition.dashboard import PAGES
from coalition.ingest import read_city
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
HARTFORD = ROOT / "data" / "hartford"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile_city"
PAGE_FILES = {url_path: f"coalition/dashboard/{file}" for file, _, url_path in PAGES}
TIMEOUT = 120  # the first run builds every cached result on a shared 2-core machine


# --- fixtures and helpers -----------------------------------------------------------------------


def _stored(path: Path, city) -> Path:
    open_store(path).replace_city(city)
    return path


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    return _stored(tmp_path_factory.mktemp("tiny") / "t.db", make_tiny_city())


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    return _stored(tmp_path_factory.mktemp("hostile") / "t.db", read_city(HOSTILE))


@pytest.fixture(scope="module")
def hartford_db(tmp_path_factory) -> Path:
    if not (HARTFORD / "neighborhoods.csv").exists():
        pytest.fail("data/hartford is missing: the sample city must ship with the project")
    return _stored(tmp_path_factory.mktemp("hartford") / "t.db", read_city(HARTFORD))


@pytest.fixture
def open_app(monkeypatch):
    """Start the app on a store (and optionally a page); returns the AppTest after its run."""

    def start(db: Path, page: str | None = None) -> AppTest:
        monkeypatch.setenv("COALITION_DB", str(db))
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        if page is not None:
            at.switch_page(PAGE_FILES[page]).run()
        return at

    return start


def texts(at: AppTest) -> list[str]:
    """Every markdown-like text on the page (markdown, captions, titles, alerts)."""
    return element_texts(at)


def iframe_html(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1, "expected exactly one embedded network view"
    return frames[0].proto.srcdoc


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return values[0]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def dataframe(at: AppTest, containing: str):
    for frame in at.dataframe:
        if containing in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {containing!r}")


# --- every page renders -------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_renders_on_the_tiny_city(open_app, tiny_db, page):
    at = open_app(tiny_db, page)
    assert_clean(at)
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_every_page_renders_on_hartford(open_app, hartford_db, page):
    at = open_app(hartford_db, page)
    assert_clean(at)
    assert at.title


def test_pages_are_thin_and_never_allow_raw_html():
    sources = [ROOT / "app.py", *sorted((ROOT / "coalition" / "dashboard").glob("*.py"))]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html=" not in text, path
        assert "components.v1" not in text, path  # deprecated; st.iframe replaces it


# --- overview -----------------------------------------------------------------------------------


def test_overview_shows_the_tiny_city_figures(open_app, tiny_db):
    at = open_app(tiny_db)
    assert_clean(at)
    # 6 organizations, 4 partnerships, 3 communities, Alder active / Cedar forming, 400 of 1000.
    assert metric(at, "Member organizations") == "6"
    assert metric(at, "Partnerships between members") == "4"
    assert metric(at, "Communities") == "3"
    assert metric(at, "Welcoming committees") == "1 active"
    assert metric(at, "Foreign-born residents reached") == "40%"
    body = "\n".join(texts(at))
    assert "Illustrative entries" in body  # organizations, communities... are illustrative
    assert "Lonely Shop" in body or "Long\\-time residents" in body  # a gap, named
    # Candidates are Birch, Cedar and Dogwood (Alder already has an active committee).
    assert "**Cedar**" in body or "**Dogwood**" in body or "**Birch**" in body


# --- network ------------------------------------------------------------------------------------


def test_network_sector_filter_changes_the_nodes_drawn(open_app, tiny_db):
    at = open_app(tiny_db, "network")
    assert_clean(at)
    before = iframe_html(at)
    assert "Dogwood Clinic" in before and "Cedar Church" in before
    at.multiselect(key="net_sectors").set_value(["health"]).run()
    assert_clean(at)
    after = iframe_html(at)
    assert "Dogwood Clinic" in after
    assert "Cedar Church" not in after and "Alder Library" not in after


def test_network_focus_shows_one_step_then_two(open_app, tiny_db):
    at = open_app(tiny_db, "network")
    at.selectbox(key="net_focus").set_value("legal").run()
    assert_clean(at)
    one_step = iframe_html(at)
    # legal's direct ties: lib, clinic (partners), latino (serves), birch (serves, located).
    for name in ("Birch Legal Aid", "Alder Library", "Dogwood Clinic", "Latino newcomers"):
        assert name in one_step
    assert "Cedar Church" not in one_step and "Lonely Shop" not in one_step
    assert "the organization you chose" in one_step  # the searched one is marked
    at.radio(key="net_depth").set_value(2).run()
    two_steps = iframe_html(at)
    assert "Cedar Church" in two_steps  # lib's partner, two steps from legal
    assert "Lonely Shop" not in two_steps  # no ties at all... only located in Dogwood


def test_network_groups_members_when_too_many(open_app, tiny_db, monkeypatch):
    from coalition import network_view

    monkeypatch.setattr(network_view, "MAX_VISIBLE_NODES", 5)
    at = open_app(tiny_db, "network")
    assert_clean(at)
    assert at.radio(key="net_group").value == "sector"
    assert any("groups standing for" in info.value for info in at.info)
    html = iframe_html(at)  # one circle per sector (and per other kind), with its count
    assert "library (1 member)" in html and "Communities (3 members)" in html
    assert "Alder Library" not in html  # members are not drawn one by one
    at.radio(key="net_group").set_value("neighborhood").run()
    assert_clean(at)
    html = iframe_html(at)
    assert "Alder (6 members)" in html and "library (1 member)" not in html


def _titles(html: str) -> dict[str, str]:
    """Node label -> tooltip, read from the vis-network data in the page."""
    import json

    found = {}
    string = r'("(?:[^"\\]|\\.)*")'
    node = rf'"label": {string}(?:(?!"label": ).)*?"title": {string}'
    for match in re.finditer(node, html):
        found[json.loads(match.group(1))] = json.loads(match.group(2))
    return found


def test_network_marks_brokers_and_fragile_members(open_app, tiny_db):
    at = open_app(tiny_db, "network")
    assert not any("Highlighted" in t for t in _titles(iframe_html(at)).values())
    at.checkbox(key="net_mark_brokers").check().run()
    assert_clean(at)
    marked = {name for name, title in _titles(iframe_html(at)).items() if "Highlighted" in title}
    assert marked == {"Alder Library", "Birch Legal Aid"}  # effective size 3 and 2
    at.checkbox(key="net_mark_brokers").uncheck()
    at.checkbox(key="net_mark_fragile").check().run()
    titles = _titles(iframe_html(at))
    # Articulation points of the partnership network: lib and legal.
    assert {n for n, t in titles.items() if "Highlighted: fragile" in t} == {
        "Alder Library",
        "Birch Legal Aid",
    }


def test_network_size_and_colour_choices_change_the_drawing(open_app, tiny_db):
    at = open_app(tiny_db, "network")
    plain = iframe_html(at)
    at.selectbox(key="net_size").set_value("effective_size").run()
    assert_clean(at)
    sized = iframe_html(at)
    assert sized != plain
    at.selectbox(key="net_color").set_value("orientation").run()
    assert_clean(at)
    assert iframe_html(at) != sized


# --- map ----------------------------------------------------------------------------------------


def test_map_profile_of_a_chosen_neighborhood(open_app, tiny_db):
    at = open_app(tiny_db, "map")
    assert_clean(at)
    at.selectbox(key="map_profile").set_value("alder").run()
    assert_clean(at)
    assert [s.value for s in at.subheader] == ["Alder"]
    assert metric(at, "Foreign-born residents") == "400 ± 100"
    assert metric(at, "Residents") == "1,000 ± 150"
    body = "\n".join(texts(at))
    assert "Alder has an active welcoming committee" in body
    assert "coalition/examples\\.py" in body or "coalition\\/examples\\.py" in body  # source
    members = dataframe(at, "Organization")
    assert set(members["Organization"]) == {"Alder Library", "Alder Neighbors"}
    communities = dataframe(at, "Community")
    assert dict(zip(communities["Community"], communities["Residents here"], strict=True)) == {
        "Latino newcomers": "200",
        "Long-time residents": "500",
    }


def map_args(at: AppTest) -> dict:
    import json

    components = [
        c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")
    ]
    assert len(components) == 1
    return json.loads(components[0].proto.json_args)


def test_map_is_offline_and_toggles_organizations(open_app, tiny_db):
    at = open_app(tiny_db, "map")
    args = map_args(at)
    assert all(link.startswith("data:") for link in args["js_links"] + args["css_links"])
    assert "Alder Library" in args["script"] and "Alder Welcoming Committee" in args["script"]
    at.toggle(key="map_orgs").set_value(False).run()
    assert_clean(at)
    script = map_args(at)["script"]
    assert "Alder Library" not in script and "Alder Welcoming Committee" in script


def test_map_of_a_big_city_draws_only_the_chosen_neighborhoods_organizations(
    open_app, tiny_db, monkeypatch
):
    from coalition.dashboard import cache

    monkeypatch.setattr(cache, "MAX_MAP_ORGANIZATIONS", 2)  # the tiny city has 6
    at = open_app(tiny_db, "map")
    assert_clean(at)
    assert "Alder Library" not in map_args(at)["script"]
    assert any("too many to draw at once" in c.value for c in at.caption)
    at.selectbox(key="map_profile").set_value("alder").run()
    script = map_args(at)["script"]
    assert "Alder Library" in script and "Alder Neighbors" in script
    assert "Dogwood Clinic" not in script


def test_map_gap_count_and_score_per_neighborhood(open_app, tiny_db):
    at = open_app(tiny_db, "map")
    at.selectbox(key="map_measure").set_value("gap_count").run()
    assert_clean(at)
    tooltip = re.compile(r"u003e([A-Z]\w+)\\u003c/b\\u003e\\u003cbr\\u003eCoalition gaps: (\d+)")
    # Reached by one organization only: Birch, Cedar; uncovered need: Alder, Cedar.
    assert dict(tooltip.findall(map_args(at)["script"])) == {
        "Alder": "1",
        "Birch": "1",
        "Cedar": "2",
        "Dogwood": "0",
    }
    at.selectbox(key="map_measure").set_value("score").run()
    script = map_args(at)["script"]
    assert "Alder\\u003c/b\\u003e\\u003cbr\\u003eReplication score: Not a candidate" in script
    assert "Cedar\\u003c/b\\u003e\\u003cbr\\u003eReplication score: 1" in script


def test_map_measure_changes_the_legend(open_app, tiny_db):
    at = open_app(tiny_db, "map")
    at.selectbox(key="map_measure").set_value("committee_status").run()
    assert_clean(at)
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "Active committee" in legend and "Committee forming" in legend


# --- gaps ---------------------------------------------------------------------------------------


def test_gaps_filters_narrow_the_tables(open_app, tiny_db):
    at = open_app(tiny_db, "gaps")
    assert_clean(at)
    isolated = dataframe(at, "Only partner")
    assert "Lonely Shop (business) has no partnership" in isolated.iloc[0]["Why it matters"]
    at.text_input(key="gaps_text").set_value("Karen").run()
    assert_clean(at)
    for frame in at.dataframe:
        if "Introduction" in frame.value.columns:  # the introductions section has its own filters
            continue
        for explanation in frame.value["Why it matters"]:
            assert "karen" in explanation.lower()
    at.text_input(key="gaps_text").set_value("").run()
    at.selectbox(key="gaps_community").set_value("karen").run()
    services = dataframe(at, "Kind of help")
    assert set(services["Community"]) == {"Karen refugees"}


@pytest.fixture(scope="module")
def small_count_db(tmp_path_factory) -> Path:
    """The tiny city where 3 Karen refugees live in Dogwood and nobody offers Karen there."""
    city = make_tiny_city()
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    orgs = tables["organizations"]
    orgs["languages"] = [
        ["English"] if org == "clinic" else languages
        for org, languages in zip(orgs["org_id"], orgs["languages"], strict=True)
    ]
    ties = tables["ties"]
    ties.loc[(ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in"), "residents"] = 3
    changed = type(city)(
        name=city.name,
        tables=tables,
        boundaries=city.boundaries,
        metric_crs=city.metric_crs,
        meta={},
    )
    return _stored(tmp_path_factory.mktemp("small") / "t.db", changed)


def test_small_resident_counts_are_suppressed(open_app, small_count_db, monkeypatch):
    # A viewer's audience (what auth.disclosure() gives an account without exact-count rights).
    monkeypatch.setattr(
        "coalition.dashboard.auth.disclosure", lambda: privacy.Disclosure(False, 11)
    )
    at = open_app(small_count_db, "gaps")
    assert_clean(at)
    languages = dataframe(at, "Speakers here")
    karen = languages[languages["Language"] == "Karen"]
    assert list(karen["Speakers here"]) == ["fewer than 11"]
    assert "fewer than 11 residents" in karen.iloc[0]["Why it matters"]
    assert "(3 residents)" not in " ".join(languages["Why it matters"])
    assert privacy.EXACT_LABEL not in texts(at)
    at = open_app(small_count_db, "map")
    at.selectbox(key="map_profile").set_value("dogwood").run()
    communities = dataframe(at, "Community")
    assert list(communities["Residents here"]) == ["fewer than 11"]
    assert not any("(3 residents)" in m.value for m in at.markdown)


def test_the_operator_sees_exact_counts_labelled(open_app, small_count_db):
    # No accounts: the single-person local app acts as the operator (an admin): exact counts.
    at = open_app(small_count_db, "gaps")
    assert_clean(at)
    languages = dataframe(at, "Speakers here")
    karen = languages[languages["Language"] == "Karen"]
    assert list(karen["Speakers here"]) == ["3"]
    assert privacy.EXACT_LABEL in texts(at)


def _with_active_committees(neighborhoods: list[str]):
    city = make_tiny_city()
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    template = tables["committees"].iloc[0].to_dict()
    tables["committees"] = pd.DataFrame(
        [
            {**template, "committee_id": f"wc-{n}", "name": f"{n} committee", "neighborhood": n}
            for n in neighborhoods
        ]
    )
    return type(city)(
        name=city.name,
        tables=tables,
        boundaries=city.boundaries,
        metric_crs=city.metric_crs,
        meta={},
    )


@pytest.mark.parametrize(
    "active",
    [["alder", "birch", "cedar", "dogwood"], ["alder", "birch", "cedar"]],
    ids=["no candidate", "one candidate"],
)
def test_every_page_copes_with_few_candidates(open_app, tmp_path, active):
    db = _stored(tmp_path / "t.db", _with_active_committees(active))
    for page in PAGE_FILES:
        at = open_app(db, page)
        assert_clean(at)
    at = open_app(db, "planner")
    if len(active) == 4:
        assert any("no candidate to rank" in i.value for i in at.info)
    else:  # k is capped at the one candidate
        assert ranking_order(at) == ["Dogwood"]


# --- coverage & planner -------------------------------------------------------------------------


def test_planner_coverage_and_rules(open_app, tiny_db):
    at = open_app(tiny_db, "planner")
    assert_clean(at)
    assert metric(at, "Foreign-born residents reached") == "400 of 1,000"
    at.selectbox(key="plan_rule").set_value("adjacent").run()
    # Alder borders Birch and Cedar: 400 + 100 + 300 = 800 of 1,000.
    assert metric(at, "Foreign-born residents reached") == "800 of 1,000"


def ranking_order(at: AppTest) -> list[str]:
    return list(dataframe(at, "Stability")["Neighborhood"])


def test_planner_new_weights_change_the_ranking(open_app, tiny_db):
    at = open_app(tiny_db, "planner")
    for name in ("need", "readiness", "access", "adjacency", "gaps"):
        at.slider(key=f"plan_w_{name}").set_value(1.0 if name == "need" else 0.0)
    at.run()
    assert_clean(at)
    by_need = ranking_order(at)
    # Need: Cedar 300 foreign-born (50%), Dogwood 200 (40%), Birch 100 (12.5%).
    assert by_need == ["Cedar", "Dogwood", "Birch"]
    at.slider(key="plan_w_need").set_value(0.0)
    at.slider(key="plan_w_adjacency").set_value(1.0).run()
    assert_clean(at)
    by_adjacency = ranking_order(at)
    assert by_adjacency != by_need
    assert by_adjacency[-1] == "Dogwood"  # it only touches Alder at a corner


def test_planner_all_zero_weights_asks_for_one(open_app, tiny_db):
    at = open_app(tiny_db, "planner")
    for name in ("need", "readiness", "access", "adjacency", "gaps"):
        at.slider(key=f"plan_w_{name}").set_value(0.0)
    at.run()
    assert_clean(at)
    assert any("All weights are zero" in w.value for w in at.warning)


def test_planner_what_if(open_app, tiny_db):
    at = open_app(tiny_db, "planner")
    at.multiselect(key="plan_what_if").set_value(["birch", "dogwood"]).run()
    assert_clean(at)
    # Birch 100 + Dogwood 200 foreign-born more: 700 of 1,000.
    assert metric(at, "Newly reached") == "300"
    assert metric(at, "Share reached after") == "70%"


# --- data ---------------------------------------------------------------------------------------


def test_data_page_sources_illustrative_and_downloads(open_app, tiny_db):
    at = open_app(tiny_db, "data")
    assert_clean(at)
    table = dataframe(at, "Rows")
    rows = dict(zip(table["Table"], table["Rows"], strict=True))
    assert rows["Organizations"] == 6 and rows["Ties"] == 17
    illustrative = dict(zip(table["Table"], table[table.columns[2]], strict=True))
    assert illustrative["Neighborhoods"] == 0 and illustrative["Organizations"] == 6
    assert any("illustrative" in w.value for w in at.warning)
    # The operator (an admin): six public exports and the six exact ones (backup: What changed)
    assert len(at.get("download_button")) == 12


def test_downloads_build_the_exports_when_clicked(hostile_db):
    import io
    import zipfile

    from openpyxl import load_workbook

    from coalition.dashboard import cache
    from coalition.settings import db_url

    snap = cache.Snapshot(db_url(hostile_db), open_store(hostile_db).version())
    for fmt, *_ in __import__("coalition.dashboard.data_page", fromlist=["DOWNLOADS"]).DOWNLOADS:
        assert cache.deferred_export(snap, fmt)(), fmt
    tables = zipfile.ZipFile(io.BytesIO(cache.deferred_export(snap, "csv")()))
    assert "organizations.csv" in tables.namelist()
    sheet = load_workbook(io.BytesIO(cache.export(snap, "xlsx")))["organizations"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://example.com","Shop")' in names  # a formula no more


def test_one_snapshot_of_the_store_keys_every_cached_result(tiny_db):
    from coalition.dashboard import cache
    from coalition.settings import db_url

    snap = cache.Snapshot(db_url(tiny_db), open_store(tiny_db).version())
    again = cache.Snapshot(snap.url, snap.version)  # equal, not the same object
    assert cache.graph(again) is cache.graph(snap)
    assert cache.gaps(again) is cache.gaps(snap)
    assert cache.graph(cache.Snapshot(snap.url, snap.version + 1)) is not cache.graph(snap)


# --- safety -------------------------------------------------------------------------------------

HOSTILE_RAW = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "![pic](https://example.com/x.png)",
    "[click](javascript:alert(1))",
)


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_hostile_names_appear_only_escaped(open_app, hostile_db, page):
    at = open_app(hostile_db, page)
    if page == "map":
        at.selectbox(key="map_profile").set_value("alder").run()
    if page == "network":
        at.checkbox(key="net_mark_brokers").check().run()
    assert_clean(at)
    body = "\n".join(texts(at))
    for raw in HOSTILE_RAW:
        assert raw not in body, f"unescaped {raw!r} on {page}"
    if page == "overview":
        assert "Hostile Town \\<script\\>" in body  # shown, as text
    if page == "map":
        script = map_args(at)["script"]
        for raw in HOSTILE_RAW[:2]:
            assert raw not in script
        assert (  # in a tooltip, or in the JSON of the one organization layer (& as \u0026)
            "Library &lt;img src=x onerror=alert(1)&gt;" in script
            or "Library \\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in script
        )
    if page == "network":
        html = iframe_html(at)
        for raw in HOSTILE_RAW[:2]:
            assert raw not in html
        assert (
            "&lt;img src=x onerror=alert(1)&gt;" in html
            or "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html
        )
    for element in at.get("html"):
        assert not re.search(
            r"<(img|script)\b",
            element.proto.body.replace("<span", "").replace("<div", "").replace("<strong", ""),
        ), element.proto.body


# --- problems become messages -------------------------------------------------------------------


def test_invalid_data_shows_a_message_not_a_traceback(open_app, tmp_path, monkeypatch):
    broken = tmp_path / "broken_city"
    broken.mkdir()
    (broken / "organizations.csv").write_text('org_id,name\nx,"never closed\n', encoding="utf-8")
    monkeypatch.setenv("COALITION_DATA_DIR", str(broken))
    at = open_app(tmp_path / "empty.db")
    assert not at.exception
    assert at.error and "problem" in at.error[0].value.lower()


def test_unreadable_store_shows_a_message(open_app, tmp_path):
    folder = tmp_path / "a_folder.db"
    folder.mkdir()  # a directory where the database file should be
    at = open_app(folder)
    assert not at.exception
    assert at.error and "store" in at.error[0].value.lower()


def test_sidebar_and_data_page_count_illustrative_entries_alike(open_app, hartford_db):
    """One count of illustrative entries (rows of the city's tables) on every view."""
    at = open_app(hartford_db, "data")
    sidebar = next(c.value for c in at.sidebar.caption if "entries are illustrative" in c.value)
    data_page = next(w.value for w in at.warning if "rows are illustrative" in w.value)
    overview = open_app(hartford_db)
    caption = next(c.value for c in overview.main.caption if "Illustrative entries" in c.value)
    numbers = [re.findall(r"[\d,]+ of [\d,]+", text)[0] for text in (sidebar, data_page, caption)]
    assert numbers[0] == numbers[1] == numbers[2]
