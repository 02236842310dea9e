"""Tests of coalition.maps on the tiny city (tests/tiny_city.py): answers worked out by hand."""

from __future__ import annotations

import copy
import json
import re

import folium
import folium.plugins
import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from branca.element import MacroElement
from harness import offline_browser
from shapely.geometry import Point

from coalition import maps
from coalition.errors import CoalitionError, DataError
from coalition.model import nodes_frame
from coalition.privacy import Disclosure

HOSTILE = {
    "img": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "attr": 'x" onmouseover="alert(1)',
    "href": "see href here <b>x</b>",
    "literal": "${alert(1)}`+alert(2)+`\\",
}
RAW_PATTERNS = [
    "<img src=x",
    "<script>alert",
    '" onmouseover="',
    "<b>x</b>",
    "${alert(1)}",
    "`+alert(2)+`",
]
# src=/href= attributes and CSS url(...) that point outside the page.
EXTERNAL = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//)|(?:url\(\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


@pytest.fixture
def frame(tiny_graph):
    return maps.neighborhood_map_frame(tiny_graph)


@pytest.fixture
def organizations(tiny_graph):
    return nodes_frame(tiny_graph, "organization")


@pytest.fixture
def committees(tiny_graph):
    return nodes_frame(tiny_graph, "committee")


def _children(element, kind):
    found = []
    for child in element._children.values():
        if isinstance(child, kind):
            found.append(child)
        found.extend(_children(child, kind))
    return found


def _areas(m):
    (layer,) = _children(m, maps._AreaLayer)
    return layer


def _points(m):
    (layer,) = _children(m, maps._PointLayer)
    return layer


def _group(m, name):
    (group,) = [g for g in _children(m, folium.FeatureGroup) if g.layer_name == name]
    return group


def _tooltip_texts(element):
    return [t.text for t in _children(element, folium.Tooltip)]


def _hostile_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    H = copy.deepcopy(G)
    H.nodes["alder"]["name"] = HOSTILE["img"]
    H.nodes["birch"]["name"] = HOSTILE["literal"]
    H.nodes["birch"]["source"] = HOSTILE["script"]
    H.nodes["lib"]["name"] = HOSTILE["attr"]
    H.nodes["legal"]["sector"] = HOSTILE["href"]
    H.nodes["wc-alder"]["name"] = HOSTILE["script"]
    H.nodes["wc-cedar"]["start_date"] = HOSTILE["literal"]
    return H


# --- frame and legend ---------------------------------------------------------------------------


def test_map_frame_adds_share_and_committee_status(frame, tiny_graph):
    assert frame.loc["alder", "share_foreign_born"] == pytest.approx(0.4)
    assert frame.loc["birch", "share_foreign_born"] == pytest.approx(0.125)
    assert frame["committee_status"].to_dict() == {
        "alder": "active",
        "birch": "none",
        "cedar": "forming",
        "dogwood": "none",
    }


def test_map_frame_leaves_graph_unchanged(tiny_graph):
    before = copy.deepcopy(tiny_graph)
    maps.neighborhood_map_frame(tiny_graph)
    assert nx.utils.graphs_equal(before, tiny_graph)


def test_legend_quantiles_worked_by_hand(frame):
    # foreign_born 100, 200, 300, 400: 4 distinct values -> 4 classes at quartiles 175/250/325.
    assert maps.legend_items(frame, "foreign_born") == [
        ("#ffffcc", "100 – 175"),
        ("#a1dab4", "175 – 250"),
        ("#2c7fb8", "250 – 325"),
        ("#253494", "325 – 400"),
    ]


def test_legend_percent_and_duplicate_edges(frame):
    # shares .4, .125, .5, .4: 3 distinct values, tertiles .125/.4/.4/.5 -> 2 classes.
    assert maps.legend_items(frame, "share_foreign_born") == [
        ("#ffffcc", "12% – 40%"),
        ("#253494", "40% – 50%"),
    ]


def test_legend_categories_and_no_data(frame):
    assert maps.legend_items(frame, "committee_status") == [
        ("#0072B2", "Active committee"),
        ("#E69F00", "Committee forming"),
        ("#f7f7f7", "No committee"),
    ]
    partial = frame.assign(score=[0.9, None, 0.5, None])
    # 2 distinct values -> 2 classes split at the median 0.7, drawn lightest and darkest.
    # A missing score means "already has an active committee", and the legend says so.
    assert maps.legend_items(partial, "score") == [
        ("#f2f0f7", "0.50 – 0.70"),
        ("#54278f", "0.70 – 0.90"),
        ("#bdbdbd", "Not a candidate (active committee)"),
    ]
    exact = Disclosure(exact=True, threshold=11)
    assert maps.legend_items(
        frame.assign(population=[5, None, 5, 5]), "population", disclosure=exact
    )[-1] == ("#bdbdbd", "No data")
    # For everyone else, 5 residents are hidden: their own class, not "No data".
    assert maps.legend_items(frame.assign(population=[5, None, 5, 5]), "population")[-2:] == [
        ("#bdbdbd", "No data"),
        (maps.HIDDEN_COLOUR, maps.HIDDEN_LABEL),
    ]
    single = frame.assign(gap_count=[2, 2, 2, 2])
    assert maps.legend_items(single, "gap_count") == [("#bd0026", "2")]


def test_legend_leaves_frame_unchanged(frame):
    before = frame.copy()
    maps.legend_items(frame, "foreign_born")
    pd.testing.assert_frame_equal(frame, before)


def test_missing_measure_says_what_to_do(frame):
    with pytest.raises(DataError, match=r"no 'score' column.*Join it"):
        maps.legend_items(frame, "score")
    with pytest.raises(DataError, match="no 'score' column"):
        maps.neighborhood_map(frame, "score")


def test_bad_neighborhood_inputs(frame):
    with pytest.raises(DataError, match="no neighborhoods"):
        maps.neighborhood_map(frame.iloc[0:0], "foreign_born")
    with pytest.raises(DataError, match="no geometry"):
        maps.neighborhood_map(pd.DataFrame(frame.drop(columns="geometry")), "foreign_born")
    empty = frame.copy()
    empty["geometry"] = None
    with pytest.raises(DataError, match="No neighborhood has a boundary"):
        maps.neighborhood_map(
            gpd.GeoDataFrame(empty, geometry="geometry", crs="EPSG:4326"), "foreign_born"
        )


# --- the map ------------------------------------------------------------------------------------


def test_map_has_four_features_with_ids_and_colours(frame):
    m = maps.neighborhood_map(frame, "foreign_born")
    layer = _areas(m)
    assert layer.ids == ["alder", "birch", "cedar", "dogwood"]
    fills = {key: style["fillColor"] for key, style in zip(layer.ids, layer.styles, strict=True)}
    assert fills == {
        "alder": "#253494",
        "birch": "#ffffcc",
        "cedar": "#2c7fb8",
        "dogwood": "#a1dab4",
    }
    assert {style["className"] for style in layer.styles} == {maps.NEIGHBORHOOD_CLASS}
    # The page gets the same colours: a palette and each area's index in it.
    values = json.loads(layer.values)
    assert [values["colours"][i] for i in values["fill"]] == list(fills.values())


def test_polygon_tooltips_show_value_margin_and_source(frame):
    m = maps.neighborhood_map(frame, "foreign_born")
    assert _areas(m).tooltips[0] == (
        "<b>Alder</b><br>Foreign-born residents: 400 ± 100<br>"
        "Source: coalition/examples.py (2024-01)"
    )
    values = json.loads(_areas(m).values)
    assert values["head"][0] == "<b>Alder</b><br>Foreign-born residents: 400 ± 100"
    assert values["sources"][values["source"][0]] == "Source: coalition/examples.py (2024-01)"


def test_highlight_thickens_outline(frame):
    m = maps.neighborhood_map(frame, "foreign_born", highlight=["birch"])
    layer = _areas(m)
    weights = {key: style["weight"] for key, style in zip(layer.ids, layer.styles, strict=True)}
    assert weights == {"alder": 1, "birch": 4, "cedar": 1, "dogwood": 1}
    assert json.loads(layer.values)["thick"] == [0, 1, 0, 0]


def test_boundaries_are_encoded_as_integer_steps(frame):
    layers = maps.prepare_map_layers(frame)
    shapes = json.loads(layers.shapes_json)
    assert shapes["ids"] == ["alder", "birch", "cedar", "dogwood"] and shapes["scale"] == 100_000
    ((ring,),) = shapes["rings"][0]  # alder: one polygon of one ring
    x, y, points = 0, 0, []
    for dx, dy in zip(ring[::2], ring[1::2], strict=True):
        x, y = x + dx, y + dy
        points.append((x / 100_000, y / 100_000))
    assert shapely.Polygon(points).equals(frame.loc["alder", "geometry"])


def test_committee_markers_active_filled_forming_hollow(frame, committees):
    m = maps.neighborhood_map(frame, "committee_status", committees=committees)
    markers = _children(_group(m, "Welcoming committees"), folium.CircleMarker)
    assert [mk.options["fillColor"] for mk in markers] == ["#0072B2", "#ffffff"]
    assert _tooltip_texts(_group(m, "Welcoming committees")) == [
        "Alder Welcoming Committee (active since 2012)",
        "Cedar Welcoming Committee (forming since 2024) (illustrative)",
    ]


def test_committee_markers_from_status_column_when_no_table(frame):
    m = maps.neighborhood_map(frame, "foreign_born")
    assert _tooltip_texts(_group(m, "Welcoming committees")) == [
        "Alder Welcoming Committee (active)",
        "Cedar Welcoming Committee (forming)",
    ]


def test_organization_points(frame, organizations):
    orgs = organizations.copy()
    orgs.loc["lib", ["lat", "lon"]] = [41.7555, -72.6955]
    orgs.loc["lonely", "neighborhood"] = None  # no location at all: skipped
    m = maps.neighborhood_map(frame, "foreign_born", organizations=orgs)
    layer = _points(m)
    assert len(layer.points) == 5
    assert _children(m, folium.CircleMarker) == _children(
        _group(m, "Welcoming committees"), folium.CircleMarker
    )  # one layer, not one element per organization
    by_tooltip = {tooltip: location for _, location, tooltip, _ in layer.points}
    assert by_tooltip["Alder Library — library (illustrative)"] == [41.7555, -72.6955]
    # No coordinates: near the neighborhood's representative point, inside its square.
    legal = by_tooltip["Birch Legal Aid — legal (illustrative)"]
    assert frame.loc["birch", "geometry"].contains(Point(legal[1], legal[0]))
    assert all(
        round(v, maps.COORDINATE_DECIMALS) == v
        for _, location, _, _ in layer.points
        for v in location
    )
    # The page gets the same points.
    payload = json.loads(layer.payload)
    assert list(zip(payload["lat"], payload["lon"], strict=True)) == [
        tuple(location) for _, location, _, _ in layer.points
    ]
    # Tooltips in two parts (name, one of the distinct endings), joined by the page.
    shown = [
        name + payload["endings"][i]
        for name, i in zip(payload["name"], payload["ending"], strict=True)
    ]
    assert shown == [tooltip for _, _, tooltip, _ in layer.points]
    again = maps.neighborhood_map(frame, "foreign_born", organizations=orgs)
    assert _points(again).points == layer.points
    assert _group(m, "Organizations") is layer and layer.show is True
    hidden = maps.neighborhood_map(
        frame, "foreign_born", organizations=orgs, show_organizations=False
    )
    assert _group(hidden, "Organizations").show is False


def test_labels_legend_scale_and_bounds(frame):
    m = maps.neighborhood_map(frame, "foreign_born", title="Tiny <i>Town</i>")
    labels = _children(_group(m, "Neighborhood names"), folium.DivIcon)
    assert [re.search(r">(\w+)</div>", icon.options["html"]).group(1) for icon in labels] == [
        "Alder",
        "Birch",
        "Cedar",
        "Dogwood",
    ]
    assert m.control_scale is True
    (fit,) = _children(m, folium.FitBounds)
    assert fit.bounds == [
        [pytest.approx(41.75), pytest.approx(-72.70)],
        [pytest.approx(41.77), pytest.approx(-72.68)],
    ]
    page = maps.offline_map_html(m)
    assert "Tiny &lt;i&gt;Town&lt;/i&gt;" in page.replace("\\u0026", "&").replace(
        "\\u003c", "<"
    ).replace("\\u003e", ">")
    assert "Tiny <i>Town</i>" not in page
    assert "tile.openstreetmap" not in page


def test_tiles_only_when_asked(frame):
    m = maps.neighborhood_map(frame, "foreign_born", tiles="OpenStreetMap")
    assert len(_children(m, folium.TileLayer)) == 1
    assert len(_children(maps.neighborhood_map(frame, "foreign_born"), folium.TileLayer)) == 0


def test_map_leaves_inputs_unchanged(frame, organizations, committees):
    before = (frame.copy(), organizations.copy(), committees.copy())
    maps.neighborhood_map(
        frame,
        "foreign_born",
        organizations=organizations,
        committees=committees,
        highlight=["alder"],
    )
    pd.testing.assert_frame_equal(frame, before[0])
    pd.testing.assert_frame_equal(organizations, before[1])
    pd.testing.assert_frame_equal(committees, before[2])


# --- offline and escaping -----------------------------------------------------------------------


def test_offline_page_has_no_external_url(frame, organizations, committees):
    m = maps.neighborhood_map(
        frame, "foreign_born", organizations=organizations, committees=committees
    )
    page = maps.offline_map_html(m)
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert EXTERNAL.search(page) is None
    assert "//cdn" not in page
    assert page.count('src="data:text/javascript;base64,') == 1


def test_make_offline_copies_and_keeps_only_leaflet(frame):
    m = maps.neighborhood_map(frame, "foreign_born")
    offline = maps.make_offline(m)
    assert offline is not m
    assert [name for name, _ in offline.default_js] == ["leaflet"]
    assert [name for name, _ in offline.default_css] == ["leaflet_css"]
    assert all(url.startswith("data:") for _, url in [*offline.default_js, *offline.default_css])
    assert m.default_js is folium.Map.default_js  # the input keeps folium's own links
    assert "cdn.jsdelivr" in folium.Map.default_js[0][1]  # and the class was not changed


def test_leaflet_images_inlined_in_css():
    _, css = maps.offline_assets()
    assert "url(images/" not in css[0][1]


def test_make_offline_refuses_elements_that_need_the_internet():
    m = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(CoalitionError, match="offline room cannot reach"):
        maps.make_offline(m)


def test_hostile_names_are_escaped(tiny_graph):
    H = _hostile_graph(tiny_graph)
    frame = maps.neighborhood_map_frame(H)
    m = maps.neighborhood_map(
        frame,
        "foreign_born",
        organizations=nodes_frame(H, "organization"),
        committees=nodes_frame(H, "committee"),
        title=HOSTILE["script"],
    )
    page = maps.offline_map_html(m)
    for raw in RAW_PATTERNS:
        assert raw not in page
    tooltips = _tooltip_texts(m) + [tooltip for _, _, tooltip, _ in _points(m).points]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (active since 2012)" in tooltips
    assert (
        "Cedar Welcoming Committee (forming since &#36;&#123;alert(1)&#125;&#96;+alert(2)+"
        "&#96;&#92;) "
        "(illustrative)" in tooltips
    )
    assert "x&quot; onmouseover=&quot;alert(1) — library (illustrative)" in tooltips
    labels = " ".join(icon.options["html"] for icon in _children(m, folium.DivIcon))
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels
    legend = maps.legend_items(
        frame.assign(committee_status=[HOSTILE["img"]] * 4), "committee_status"
    )
    assert legend == [("#bdbdbd", "No data")]


def test_escape_text():
    assert maps.escape_text(None) == ""
    assert maps.escape_text("a & b") == "a &amp; b"
    assert maps.escape_text("`${x}`\\") == "&#96;&#36;&#123;x&#125;&#96;&#92;"
    assert (
        maps.escape_text("{{7*7}} {% raw %} {# c #}")
        == "&#123;&#123;7*7&#125;&#125; &#123;% raw %&#125; &#123;# c #&#125;"
    )


def test_rendered_elements_are_never_compiled_again_as_templates(tmp_path, monkeypatch):
    # Text that is NOT escaped here (a raw tooltip, a raw legend box, a GeoJSON property) still
    # never runs: folium/branca would compile each rendered macro again as a Jinja2 template.
    monkeypatch.chdir(tmp_path)
    payload = "{{7*7}} {{ cycler.__init__.__globals__.os.open(dict(pwned=1)|first, 65) }}"
    m = folium.Map(tiles=None)
    folium.CircleMarker([41.7, -72.7], tooltip=folium.Tooltip(payload)).add_to(m)
    folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"text": payload + " {% raw %}"},
                    "geometry": {"type": "Point", "coordinates": [-72.7, 41.7]},
                }
            ],
        }
    ).add_to(m)
    maps._HtmlControl(f"<b>{payload}</b>").add_to(m)
    offline = maps.make_offline(m)
    assert isinstance(offline, folium.Map) and isinstance(offline, maps._RenderOnce)
    for page in (offline.get_root().render(), maps.offline_map_html(m)):
        assert page.count("{{7*7}}") == 3 and "{% raw %}" in page
    assert not (tmp_path / "pwned").exists()
    # The map given is left as it was; the offline copy is what renders safely.
    assert not isinstance(m, maps._RenderOnce)


def test_the_maps_drawn_here_render_data_as_data(tiny_graph):
    m = maps.neighborhood_map(maps.neighborhood_map_frame(tiny_graph), "foreign_born")
    assert all(
        isinstance(e, maps._RenderOnce) for e in maps._walk(m) if isinstance(e, MacroElement)
    )
    m.get_root().render()
    script = m.get_root().script._children.values()
    assert script and all(isinstance(e, maps._Literal) for e in script)


def test_an_element_that_compiles_its_content_is_refused():
    m = folium.Map(tiles=None)
    folium.Marker([41.7, -72.7], popup=folium.Popup("{{7*7}}")).add_to(m)
    with pytest.raises(CoalitionError, match="renders its content as a template"):
        maps.make_offline(m)


# --- large inputs -------------------------------------------------------------------------------


def _large_city(n_side: int = 48) -> gpd.GeoDataFrame:
    """n_side^2 round neighborhoods of 65 points each (2,304 areas, ~150,000 coordinates)."""
    rows = []
    for i in range(n_side):
        for j in range(n_side):
            rows.append(
                {
                    "id": f"n{i}-{j}",
                    "name": f"N {i}-{j}",
                    "foreign_born": i * n_side + j,
                    "geometry": Point(-72.7 + i * 0.002, 41.7 + j * 0.002).buffer(
                        0.0009, quad_segs=16
                    ),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").set_index("id")


def test_large_city_is_simplified_and_rounded():
    city = _large_city()
    original = int(shapely.get_num_coordinates(city.geometry.to_numpy()).sum())
    layers = maps.prepare_map_layers(city)
    exact = Disclosure(exact=True, threshold=11)
    m = maps.neighborhood_map(
        city, "foreign_born", highlight=["n0-0"], layers=layers, disclosure=exact
    )
    assert len(_areas(m).ids) == 2304
    drawn = sum(len(g["coordinates"][0]) for g in layers.geometries.values())
    assert drawn < original / 2
    assert all(
        len(repr(x).split(".")[-1]) <= maps.COORDINATE_DECIMALS
        for x, _ in layers.geometries["n0-7"]["coordinates"][0]
    )
    assert layers.simplified_metres == maps.SIMPLIFY_METRES
    assert "Boundaries simplified for display (to about 10 m)" in maps.offline_map_html(m)
    # Too many areas to label them all: only the highlighted one is labelled.
    assert len(_children(m, folium.DivIcon)) == 1
    assert len(maps.legend_items(city, "foreign_born", disclosure=exact)) == 5
    assert (
        len(city) == 2304
        and int(shapely.get_num_coordinates(city.geometry.to_numpy()).sum()) == original
    )  # input untouched


# --- files --------------------------------------------------------------------------------------


def test_write_map_files(tmp_path, frame):
    maps_by_name = {
        "need": maps.neighborhood_map(frame, "foreign_born", title="Need & <b>"),
        "committees": maps.neighborhood_map(frame, "committee_status"),
    }
    paths = maps.write_map_files(maps_by_name, tmp_path / "out")
    assert [p.name for p in paths] == ["need.html", "committees.html", "index.html"]
    index = paths[-1].read_text(encoding="utf-8")
    assert '<a href="need.html">Need &amp; &lt;b&gt;</a>' in index
    assert '<a href="committees.html">Welcoming committee</a>' in index
    for path in paths:
        assert EXTERNAL.search(path.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("name", ["../evil", "a/b", "", "index", "x y"])
def test_write_map_files_refuses_unsafe_names(tmp_path, frame, name):
    with pytest.raises(DataError, match="not usable as a file name"):
        maps.write_map_files({name: folium.Map(tiles=None)}, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_write_map_files_needs_a_map(tmp_path):
    with pytest.raises(DataError, match="No maps"):
        maps.write_map_files({}, tmp_path)


# --- a real browser, offline --------------------------------------------------------------------


@pytest.mark.browser
def test_offline_page_renders_in_chromium_without_requests(tmp_path, tiny_graph):
    H = _hostile_graph(tiny_graph)
    m = maps.neighborhood_map(
        maps.neighborhood_map_frame(H),
        "foreign_born",
        organizations=nodes_frame(H, "organization"),
        committees=nodes_frame(H, "committee"),
    )
    path = tmp_path / "map.html"
    path.write_text(maps.offline_map_html(m), encoding="utf-8")
    with offline_browser() as (_, page, recorder):
        page.goto(path.as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        polygons = page.locator("path.leaflet-interactive").count()
        neighborhoods = page.locator(f"path.{maps.NEIGHBORHOOD_CLASS}").count()
        label = page.locator(".wbh-label").first.inner_text()
        page.locator(".leaflet-marker-icon").first.hover()
        page.mouse.move(10, 10)
    assert recorder.blocked == [] and recorder.dialogs == []
    assert neighborhoods == 4
    assert polygons == 4 + 2 + 6  # 4 neighborhoods, 2 committees, 6 organizations
    assert label == HOSTILE["img"]  # shown as text


def test_what_streamlit_folium_sends_has_no_external_url(frame, organizations):
    """st_folium sends the map's header, html, script and the default_js/css of every
    JSCSSMixin element to its frontend, which loads those links with <script src>/<link>."""
    streamlit_folium = pytest.importorskip("streamlit_folium")
    from folium.elements import JSCSSMixin

    m = maps.make_offline(maps.neighborhood_map(frame, "foreign_born", organizations=organizations))
    m.get_root().render()
    links = [
        url
        for element in [m, *_children(m, JSCSSMixin)]
        for _, url in [*element.default_js, *element.default_css]
    ]
    assert links and all(url.startswith("data:") for url in links)
    sent = (
        streamlit_folium._get_header(m)
        + streamlit_folium._get_html(m)
        + streamlit_folium._get_map_string(m)
    )
    assert EXTERNAL.search(sent) is None and "https://" not in sent


# --- changes since a meeting --------------------------------------------------------------------


def _outlines(m):
    return _children(m, maps._OutlineLayer)


def _outline_payload(m, page: str) -> dict:
    """The outline layer's JSON data, checked to be in the page as written."""
    (layer,) = _outlines(m)
    assert layer.payload in page
    return json.loads(layer.payload)


def _legend_box(m) -> str:
    (box,) = _children(m, maps._HtmlControl)
    return box.box_html


def test_changed_neighborhoods_are_outlined_in_their_own_layer(frame):
    outlines = {
        "dogwood": "Changed since March: 1 tie added, 0 ended",
        "cedar": "Changed since March: 0 ties added, 0 ended\nCommittee: forming → active",
        "atlantis": "not a neighborhood of this map",
    }
    m = maps.neighborhood_map(frame, "foreign_born", outlines=outlines, outlines_label="March")
    (layer,) = _outlines(m)
    # In the frame's order, unknown ids left out.
    assert layer.ids == [k for k in frame.index if k in ("cedar", "dogwood")]
    assert layer.layer_name == maps.CHANGED_LAYER and layer.control
    tooltips = dict(zip(layer.ids, layer.tooltips, strict=True))
    assert tooltips["dogwood"] == "<b>Changed since March: 1 tie added, 0 ended</b>"
    assert tooltips["cedar"] == (
        "<b>Changed since March: 0 ties added, 0 ended</b><br>Committee: forming → active"
    )
    page = maps.offline_map_html(m)
    payload = _outline_payload(m, page)
    assert payload["ids"] == layer.ids
    assert payload["style"] == {
        "color": maps.CHANGED_COLOUR,
        "weight": 4,
        "dashArray": "10 6",
        "fill": False,
        "className": maps.CHANGED_CLASS,
    }
    # Dogwood is the square (-72.69, 41.75)-(-72.68, 41.76): its ring, delta-encoded.
    ((ring,),) = payload["rings"][payload["ids"].index("dogwood")]
    xs, ys = np.cumsum(ring[0::2]), np.cumsum(ring[1::2])
    assert set(zip(xs.tolist(), ys.tolist(), strict=True)) == {
        (-7269000, 4175000),
        (-7268000, 4175000),
        (-7268000, 4176000),
        (-7269000, 4176000),
    }
    assert "2 neighborhoods changed since March" in _legend_box(m)
    # The measure's own areas are all still drawn, thin and solid.
    assert len(_areas(m).ids) == 4 and "dashArray" not in _areas(m).values


def test_no_outlines_no_layer_and_no_legend_line(frame):
    plain_map = maps.neighborhood_map(frame, "foreign_born")
    assert _outlines(plain_map) == []
    assert _outlines(maps.neighborhood_map(frame, "foreign_born", outlines={})) == []
    page = maps.offline_map_html(plain_map)
    assert "changed since" not in page and maps.CHANGED_CLASS not in page
    nothing = maps.neighborhood_map(frame, "foreign_born", outlines={}, outlines_label="March")
    assert "0 neighborhoods changed since March" in _legend_box(nothing)


def test_outline_tooltips_and_label_are_escaped(tiny_graph):
    H = _hostile_graph(tiny_graph)
    frame = maps.neighborhood_map_frame(H)
    text = f"Changed since {HOSTILE['img']}\n{HOSTILE['literal']} {{{{7*7}}}}"
    m = maps.neighborhood_map(
        frame,
        "foreign_born",
        outlines={"birch": text},
        outlines_label=HOSTILE["script"] + " {{7*7}}",
    )
    page = maps.offline_map_html(m)
    for raw in RAW_PATTERNS:
        assert raw not in page
    assert "{{7*7}}" not in page
    (tooltip,) = _outline_payload(m, page)["tooltips"]
    assert tooltip == (
        "<b>Changed since &lt;img src=x onerror=alert(1)&gt;</b><br>"
        "&#36;&#123;alert(1)&#125;&#96;+alert(2)+&#96;&#92; &#123;&#123;7*7&#125;&#125;"
    )
    assert (
        "1 neighborhood changed since &lt;script&gt;alert(1)&lt;/script&gt; "
        "&#123;&#123;7*7&#125;&#125;</div>" in _legend_box(m)
    )


def _hover_for_tooltip(page, selector: str, text: str, tries: int = 5) -> str:
    """Hover a point on the stroke of the first `selector` path until a Leaflet tooltip holding
    `text` opens, and return that tooltip's text.

    The point is taken on the drawn line itself (an outline with no fill is hovered only on its
    stroke), after the map has stopped moving, and taken again on each try: on a loaded machine
    the map may still be fitting its bounds when the first point is read.
    """
    find_point = """(selector) => {
        const path = document.querySelector(selector);
        const point = path.getPointAtLength(path.getTotalLength() / 3);
        const m = path.getScreenCTM();
        return {x: point.x * m.a + point.y * m.c + m.e, y: point.x * m.b + point.y * m.d + m.f};
    }"""
    # Found and read in one step: a tooltip may close between a wait and a later read.
    read_tooltip = """(text) => {
        const open = [...document.querySelectorAll(".leaflet-tooltip")]
            .filter((tip) => tip.innerText.includes(text));
        return open.length ? open[open.length - 1].innerText : null;
    }"""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    for attempt in range(1, tries + 1):
        page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")
        point = page.evaluate(find_point, selector)
        page.mouse.move(1, 1)
        page.mouse.move(point["x"], point["y"])
        try:
            return page.wait_for_function(read_tooltip, arg=text, timeout=5_000).json_value()
        except PlaywrightTimeoutError:
            if attempt == tries:
                raise
    return ""  # tries < 1


@pytest.mark.browser
def test_outlines_draw_in_chromium_with_escaped_tooltips(tmp_path, tiny_graph):
    H = _hostile_graph(tiny_graph)
    m = maps.neighborhood_map(
        maps.neighborhood_map_frame(H),
        "foreign_born",
        outlines={"dogwood": f"Changed since {HOSTILE['img']}\nCommittee: none → forming"},
        outlines_label=HOSTILE["script"],
    )
    path = tmp_path / "map.html"
    path.write_text(maps.offline_map_html(m), encoding="utf-8")
    with offline_browser() as (_, page, recorder):
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_selector(f"path.{maps.CHANGED_CLASS}")
        outlines = page.locator(f"path.{maps.CHANGED_CLASS}")
        count = outlines.count()
        dashes = outlines.first.get_attribute("stroke-dasharray")
        fill = outlines.first.get_attribute("fill")
        tooltip = _hover_for_tooltip(page, f"path.{maps.CHANGED_CLASS}", "Changed since")
        legend = page.locator(".wbh-map-box").inner_text()
    assert errors == [] and recorder.blocked == [] and recorder.dialogs == []
    assert count == 1 and dashes == "10 6" and fill == "none"
    assert tooltip == f"Changed since {HOSTILE['img']}\nCommittee: none → forming"
    assert f"1 neighborhood changed since {HOSTILE['script']}" in legend
