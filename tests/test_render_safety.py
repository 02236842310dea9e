"""Data never runs as code: template and format-string payloads stay literal on every render path.

Each payload (Jinja ``{{7*7}}`` and ``{% raw %}``, JavaScript ``${7*7}``, ``str.format``
``{0.__class__}``, ``%``-format ``%(x)s``, HTML/script, a spreadsheet formula, and a Jinja
expression that would create the file ``wbh_pwned`` in the current directory) is put in EVERY
free-text cell of every table of the tiny city, in the city name and in an extra GeoJSON property
(tests/fixtures/hostile_city/build_fixture.py: ``payload_city``). Each cell is
``"<payload> <marker><row>"`` where the marker (letters only, unchanged by any escaping) names its
table and column. A test renders an output, turns it back into the text a reader sees (JSON
``\\uXXXX``, HTML character references and markdown backslashes undone) and checks that EVERY
marker found is preceded by the payload exactly (so ``{{7*7}}`` did not become ``49``, and a
``{% raw %}`` did not swallow text), that the columns the output shows were all found, and that
the side-effect file was never created.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest
from helpers import TEXT_ELEMENTS, element_texts
from tiny_city import make_tiny_city

from coalition import cli, edits, exports, history, maps, network_view, schema, since
from coalition.ingest import read_city
from coalition.map_files import neighborhood_measures, write_city_maps
from coalition.model import build_graph, nodes_frame
from coalition.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "hostile_city"))
from build_fixture import (
    PAYLOADS,
    SIDE_EFFECT_FILE,
    list_payload,
    marker,
    payload_cell,
    write_payload_folder,
)

# Every payload at once, in one cell: what the dashboard pages are driven with.
PAYLOADS = {**PAYLOADS, "all": " ".join(PAYLOADS.values())}
ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"zq([a-z]+)zq")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """What a reader sees: JSON and HTML escapes undone (twice: HTML inside JSON inside HTML),
    markdown backslash escapes dropped, lower case (the reader title-cases languages)."""
    text = text.replace(WORD_JOINER, "")
    for _ in range(3):
        text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
        text = html.unescape(text)
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"[ \t]+", " ", text).lower()  # HTML and markdown show runs of spaces as one


def m(table: str, column: str) -> str:
    """The marker's inner name, as MARKER captures it."""
    return marker(table, column)[2:-2]


def assert_literal(output: str, payload: str, required: set[str], where: str) -> None:
    """Every marker in ``output`` follows the literal payload; every required marker is there."""
    text = plain(output)
    found = set()
    for match in MARKER.finditer(text):
        shown = list_payload(payload) if match.group(1) == LANGUAGES else payload
        expected = shown.lower() + " "
        before = text[max(0, match.start() - len(expected) - 40) : match.start()]
        assert before.endswith(expected), (
            f"{where}: {match.group(0)} is preceded by {before!r}, not by the payload {payload!r}"
        )
        found.add(match.group(1))
    missing = required - found
    assert not missing, f"{where}: the payload cells {sorted(missing)} are not shown at all"


LANGUAGES = m("languages", "lang")
NAMES = {
    m("neighborhoods", "name"),
    m("organizations", "name"),
    m("communities", "name"),
    m("committees", "name"),
}


@cache
def _folder(name: str, root: str) -> Path:
    return write_payload_folder(PAYLOADS[name], Path(root) / f"city_{name}")


@pytest.fixture(scope="module")
def city_root(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("payload_cities"))


@pytest.fixture
def city_of(city_root):
    """payload name -> the city read from its data folder (through the real reader)."""
    return lambda name: read_city(_folder(name, city_root))


@pytest.fixture(autouse=True)
def no_side_effect(tmp_path, monkeypatch):
    """Run each test in an empty folder; the payload's file must never appear in it."""
    monkeypatch.chdir(tmp_path)
    yield
    assert not (tmp_path / SIDE_EFFECT_FILE).exists(), "a payload ran as code"


# --- the reader keeps the text as text ---------------------------------------------------------


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_the_reader_keeps_every_payload_as_text(city_of, name):
    city = city_of(name)
    cells = [city.name] + [
        str(v) for frame in city.tables.values() for v in frame.to_numpy().ravel()
    ]
    assert_literal(
        "\n".join(cells),
        PAYLOADS[name],
        NAMES | {m("ties", "kind"), m("navigators", "alias"), "cityname"},
        "read_city",
    )


def _cells(frame) -> str:
    """Every cell of a table, one a line (no CSV quoting)."""
    return "\n".join(map(str, [*frame.columns, *frame.astype(str).to_numpy().ravel()]))


# --- maps ---------------------------------------------------------------------------------------

MAP_SHOWS = {
    m("neighborhoods", "name"),
    m("neighborhoods", "source"),
    m("organizations", "name"),
    m("organizations", "sector"),
    m("committees", "name"),
    "cityname",
}


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_measure_map_shows_the_payload_as_text(city_of, name):
    G = build_graph(city_of(name))
    frame = neighborhood_measures(G)
    organizations = nodes_frame(G, schema.ORGANIZATION)
    committees = nodes_frame(G, schema.COMMITTEE)
    for measure in maps.MEASURES:
        drawn = maps.neighborhood_map(
            frame,
            measure,
            organizations=organizations,
            committees=committees,
            title=G.graph["city"],
            highlight=["alder"],
        )
        page = maps.offline_map_html(drawn)
        assert_literal(page, PAYLOADS[name], MAP_SHOWS, f"map of {measure}")
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        # The map drawn again (as st_folium does) is still literal.
        assert_literal(
            maps.make_offline(drawn).get_root().render(),
            PAYLOADS[name],
            MAP_SHOWS,
            f"map of {measure}, rendered twice",
        )


def test_a_map_with_committee_status_only_is_literal(city_of):
    G = build_graph(city_of("all"))
    page = maps.offline_map_html(
        maps.neighborhood_map(maps.neighborhood_map_frame(G), "committee_status")
    )
    assert_literal(page, PAYLOADS["all"], {m("neighborhoods", "name")}, "committee map")


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_coalition_maps_files_show_the_payload_as_text(city_of, name, tmp_path):
    paths = write_city_maps(build_graph(city_of(name)), tmp_path / "maps")
    assert [p.name for p in paths][-1] == "index.html"
    for path in paths:
        text = path.read_text(encoding="utf-8")
        shows = {"cityname"} if path.name == "index.html" else MAP_SHOWS
        assert_literal(text, PAYLOADS[name], shows, path.name)


# --- the network view ---------------------------------------------------------------------------

NETWORK_SHOWS = NAMES | {m("navigators", "alias"), m("ties", "kind")}


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_network_html_shows_the_payload_as_text(city_of, name):
    G = build_graph(city_of(name))
    positions = network_view.layout_positions(G)
    for color_by in network_view.COLOR_BY:
        page = network_view.network_html(
            G, positions, color_by=color_by, highlight_nodes={"lib": "broker"}
        )
        assert_literal(page, PAYLOADS[name], NETWORK_SHOWS, f"network by {color_by}")
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    for by, shown in (
        ("sector", m("organizations", "sector")),
        ("neighborhood", m("neighborhoods", "name")),
    ):
        grouped = network_view.aggregate_graph(G, by)
        page = network_view.network_html(
            grouped, network_view.layout_positions(grouped), color_by="sector"
        )
        assert_literal(page, PAYLOADS[name], {shown}, f"network grouped by {by}")


# --- changes since a meeting, on the network and the map ---------------------------------------

SINCE_SHOWS = {m("ties", "reason"), m("meeting", "name")}


def _since(city, payload: str):
    """The city after a meeting: lib and church stopped working together (the reason is the
    payload), clinic and lonely started; the meeting's name is the payload too."""
    ending = edits.retire(
        city,
        "ties",
        "church|lib|partnership",
        reason=payload_cell(payload, "ties", "reason", "x"),
        on="2026-11-30",
    )
    adding = edits.add(
        city,
        "ties",
        {
            "source_id": "clinic",
            "target_id": "lonely",
            "tie_type": "partnership",
            "source": "working session",
            "source_date": "2026-11",
        },
    )
    after = edits.apply_changes(city, [*ending, *adding])
    marks = since.changes_since(
        city, after, retired={c.key: c.after["_retired"] for c in ending if c.table == "ties"}
    )
    return after, marks, payload_cell(payload, "meeting", "name", "x")


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_changes_since_on_the_network_show_the_payload_as_text(city_of, name):
    after, marks, label = _since(city_of(name), PAYLOADS[name])
    G = build_graph(after)
    page = network_view.network_html(
        G,
        network_view.layout_positions(G),
        new_ties=set(marks.ties_added),
        ended_ties=[{**e.row, "on": e.on, "reason": e.reason} for e in marks.ties_ended.values()],
        new_nodes={"clinic"},
        changes_label=label,
    )
    assert "1 new tie since" in page and "1 ended tie (dashed)" in page
    assert_literal(page, PAYLOADS[name], NETWORK_SHOWS | SINCE_SHOWS, "network since")
    assert "<script>alert(1)" not in page and "<img src=x" not in page


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_changes_since_on_the_map_show_the_payload_as_text(city_of, name):
    after, marks, label = _since(city_of(name), PAYLOADS[name])
    assert sorted(marks.neighborhoods) == ["alder", "cedar", "dogwood"]
    drawn = maps.neighborhood_map(
        neighborhood_measures(build_graph(after)),
        "foreign_born",
        outlines=since.outline_texts(marks, label),
        outlines_label=label,
    )
    shows = {m("meeting", "name"), m("neighborhoods", "name"), m("neighborhoods", "source")}
    for page, where in (
        (maps.offline_map_html(drawn), "map since"),
        (maps.make_offline(drawn).get_root().render(), "map since, rendered twice"),
    ):
        assert_literal(page, PAYLOADS[name], shows, where)
        assert "<script>alert(1)" not in page and "<img src=x" not in page


# --- exports ------------------------------------------------------------------------------------

EXPORT_SHOWS = NAMES | {m("organizations", "notes"), m("ties", "kind")}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells_of_export(fmt: str, path: Path) -> list[str]:
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        return [
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        ]
    if fmt == "csv":
        with zipfile.ZipFile(path) as archive:
            return [
                cell
                for name in archive.namelist()
                if name.endswith(".csv")
                for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8")))
                for cell in row
            ]
    if fmt == "gpkg":
        import pyogrio

        return [
            str(v)
            for layer, _ in pyogrio.list_layers(path)
            for v in pyogrio.read_dataframe(path, layer=layer)
            .drop(columns="geometry")
            .to_numpy()
            .ravel()
        ]
    return [path.read_text(encoding="utf-8")]


@pytest.mark.parametrize("name", list(PAYLOADS))
@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_exports_keep_the_payload_as_inert_text(city_of, name, fmt, tmp_path):
    city = city_of(name)
    out = tmp_path / ("city.zip" if fmt == "csv" else f"city.{fmt}")
    exports.export_city(city, fmt, out)
    cells = _cells_of_export(fmt, out)
    # The GeoJSON and GeoPackage hold places: neighborhoods (and organizations with coordinates,
    # which the tiny city has not).
    shows = {m("neighborhoods", "name")} if fmt in ("geojson", "gpkg") else EXPORT_SHOWS
    if fmt in ("csv", "xlsx"):
        live = [c for c in cells if c.startswith(FORMULA_STARTS)]
        assert not live, f"{fmt}: cells a spreadsheet would run: {live[:3]}"
        cells = [c.removeprefix("'") for c in cells]
    assert_literal("\n".join(cells), PAYLOADS[name], shows, fmt)


# --- history sentences --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_change_sentences_keep_the_payload_as_text(city_of, name):
    city = city_of(name)
    for before, after in ((make_tiny_city(), city), (city, make_tiny_city())):
        report = history.compare_cities(before, after)
        text = "\n".join(
            [report.explanation, _cells(report.changes), json.dumps(report.to_dict(), default=str)]
        )
        assert_literal(text, PAYLOADS[name], NAMES, "changes")


# --- the command line ---------------------------------------------------------------------------


def _run(capsys, *argv: str) -> str:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    assert code == 0, (argv, out.err)
    return out.out


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_cli_text_and_json_keep_the_payload_as_text(city_of, name, capsys, tmp_path):
    db = str(tmp_path / "store.db")
    store = open_store(db)
    store.replace_city(make_tiny_city())
    store.replace_city(city_of(name))
    payload = PAYLOADS[name]
    neighborhoods = {m("neighborhoods", "name")}
    for verb, shows in (
        ("gaps", {m("communities", "name")}),
        ("coverage", neighborhoods),
        ("rank", neighborhoods),
        ("changes", NAMES),
        ("info", {"cityname"}),
    ):
        extra = ["--runs", "5"] if verb == "rank" else ["--since", "1"] if verb == "changes" else []
        text = _run(capsys, verb, "--db", db, *extra)
        # The text table of coverage cuts names at 28 characters: a cut marker is not checked.
        assert_literal(text, payload, shows if verb != "coverage" else set(), f"{verb} text")
        raw = _run(capsys, verb, "--db", db, "--json", *extra)
        json.loads(raw)
        assert_literal(raw, payload, shows, f"{verb} --json")
    _run(capsys, "maps", "--db", db, "--out", str(tmp_path / "maps"))
    index = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert_literal(index, payload, {"cityname"}, "coalition maps index")


# --- the dashboard ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_of(tmp_path_factory, city_root):
    """payload name -> a store holding the tiny city (version 1), then the payload city."""
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            path = tmp_path_factory.mktemp("payload_store") / f"{name}.db"
            store = open_store(path)
            store.replace_city(make_tiny_city())  # two versions: the Data page lists changes
            store.replace_city(read_city(_folder(name, city_root)))
            made[name] = path
        return made[name]

    return make


def _open_page(monkeypatch, db: Path, page: str):
    from streamlit.testing.v1 import AppTest

    from coalition.dashboard import PAGES

    files = {url_path: f"coalition/dashboard/{file}" for file, _, url_path in PAGES}
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.session_state["editor_name"] = "Ana"  # the Record page asks for it before any form
    at.switch_page(files[page]).run()
    return at


PAGE_SHOWS = {
    "overview": {"cityname"},
    "map": {m("neighborhoods", "name"), m("organizations", "name")},
    "network": {m("organizations", "name"), m("communities", "name")},
    "gaps": {m("communities", "name")},
    "planner": {m("neighborhoods", "name")},
    "starter-kit": {m("neighborhoods", "name"), m("organizations", "name")},
    "data": set(),  # its history moved to the What changed page
    "history": {m("organizations", "name")},
    "record": {m("organizations", "name")},
}


def _html_outputs(at) -> list[str]:
    """What a page hands to a browser as HTML: st.html, the network iframe, the folium map."""
    return (
        [element.proto.body for element in at.get("html")]
        + [frame.proto.srcdoc for frame in at.get("iframe")]
        + [c.proto.json_args for c in at.get("component_instance")]
    )


def _page_outputs(at) -> list[str]:
    outputs = _html_outputs(at)
    outputs.extend(element_texts(at, (*TEXT_ELEMENTS, "text", "code")))
    outputs.extend(f"{metric.label} {metric.value}" for metric in at.metric)
    outputs.extend(_cells(frame.value) for frame in at.dataframe)
    outputs.extend(_cells(table.value) for table in at.table)
    outputs.extend(str(box.options) for box in at.selectbox)
    outputs.extend(str(box.options) for box in at.multiselect)
    return outputs


@pytest.mark.parametrize(
    "page",
    ["overview", "map", "network", "gaps", "planner", "starter-kit", "data", "history", "record"],
)
def test_every_dashboard_page_shows_the_payloads_as_text(store_of, page, monkeypatch):
    at = _open_page(monkeypatch, store_of("all"), page)
    if page == "map":
        at.selectbox(key="map_profile").set_value("dogwood").run()
    if page == "network":
        at.checkbox(key="net_mark_brokers").check().run()
    if page == "record":  # the change form: the picker lists the organizations by name
        at.radio(key="record_action").set_value("change").run()
    assert not at.exception, [e.value for e in at.exception]
    for shown in _html_outputs(at):
        assert "<script>alert(1)" not in shown and "<img src=x" not in shown, page
    outputs = "\n".join(_page_outputs(at))
    assert_literal(outputs, PAYLOADS["all"], PAGE_SHOWS.get(page, set()), f"page {page}")


@pytest.mark.parametrize("name", ["jinja", "side_effect"])
def test_the_read_only_dashboard_map_evaluates_nothing(store_of, name, monkeypatch):
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = _open_page(monkeypatch, store_of(name), "map")
    assert not at.exception, [e.value for e in at.exception]
    args = json.loads(next(c.proto.json_args for c in at.get("component_instance")))
    shows = {m("neighborhoods", "name"), m("organizations", "name"), m("committees", "name")}
    assert_literal(
        args["script"] + args["html"] + args["header"], PAYLOADS[name], shows, "dashboard map"
    )
