"""Maps of a large city: one layer per kind of thing, boundaries simplified together, files small.

The fixture is a realistic coverage: 2,300 tract-sized areas (Voronoi cells about 1 km across)
whose boundaries have ~100 points each and meander by about 10 m over ~330 m (shared borders
identical on both sides). Hartford's real boundaries lose 37% of their points to the default
10 m simplification; these lose 35%. Nothing here asserts a time.
"""

from __future__ import annotations

import json
import math
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from harness import offline_browser

from coalition import maps
from coalition.errors import DataError

MAX_FILE_BYTES = 3_000_000


def realistic_areas(n: int = 2_300, seed: int = 0, points: int = 100) -> gpd.GeoDataFrame:
    """``n`` areas tiling a rectangle, ~``points`` points each, with meandering shared borders."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(n) * 0.012
    x0, y0 = -72.9, 41.6
    frame = shapely.box(x0, y0, x0 + side, y0 + side * 0.75)
    seeds = shapely.multipoints(
        np.column_stack([x0 + rng.random(n) * side, y0 + rng.random(n) * side * 0.75])
    )
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame)), frame
    )
    dense = shapely.segmentize(cells, float(np.median(shapely.length(cells))) / points)

    def meander(xy: np.ndarray) -> np.ndarray:
        # A displacement that depends on the position only, so both sides of a border move alike.
        x, y = np.round(xy[:, 0], 7), np.round(xy[:, 1], 7)
        k = 2 * math.pi / 0.004
        dx = 0.00012 * (np.sin(k * y + 3 * np.sin(k * x / 3)) + 0.5 * np.sin(2.3 * k * (x + y)))
        dy = 0.00012 * (np.cos(k * x + 2 * np.cos(k * y / 2)) + 0.5 * np.cos(1.7 * k * (x - y)))
        return np.column_stack([x + dx, y + dy])

    areas = shapely.transform(dense, meander)
    ids = [f"t{i:04d}" for i in range(len(areas))]
    return gpd.GeoDataFrame(
        {
            "name": [f"Tract {i}" for i in range(len(areas))],
            "foreign_born": np.arange(len(areas)) % 997,
            "foreign_born_moe": 50,
            "source": "US Census Bureau, ACS 2019-2023 5-year estimates, table B05002",
            "source_date": "2024-12",
            "illustrative": True,
        },
        geometry=areas,
        crs="EPSG:4326",
        index=ids,
    )


def many_organizations(areas: gpd.GeoDataFrame, n: int = 10_000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = areas.total_bounds
    return pd.DataFrame(
        {
            "name": [f"Neighborhood Services Organization {i:05d}" for i in range(n)],
            "sector": rng.choice(["legal aid", "health", "faith", "education", "housing"], n),
            "lat": rng.uniform(miny, maxy, n).round(6),
            "lon": rng.uniform(minx, maxx, n).round(6),
            "neighborhood": rng.choice(areas.index, n),
            "member": rng.random(n) < 0.6,
            "illustrative": True,
        },
        index=[f"org-{i:05d}" for i in range(n)],
    )


@pytest.fixture(scope="module")
def city() -> gpd.GeoDataFrame:
    return realistic_areas()


@pytest.fixture(scope="module")
def layers(city) -> maps.MapLayers:
    return maps.prepare_map_layers(city, organizations=many_organizations(city))


def test_fixture_is_a_realistic_coverage(city):
    counts = shapely.get_num_coordinates(city.geometry.to_numpy())
    assert len(city) == 2_300 and 90 <= counts.mean() <= 120
    assert city.is_valid.all() and shapely.coverage_is_valid(city.geometry.to_numpy())


def test_a_map_file_at_2300_areas_and_10000_organizations_is_small(city, layers):
    for measure in ("foreign_born", "committee_status"):
        frame = city.assign(committee_status="none") if measure == "committee_status" else city
        page = maps.offline_map_html(maps.neighborhood_map(frame, measure, layers=layers))
        assert len(page.encode("utf-8")) <= MAX_FILE_BYTES, measure
    assert len(layers.organizations) == 10_000
    assert "Boundaries simplified for display (to about 10 m)" in page


def test_neighbours_still_meet_after_simplification(city, layers):
    drawn = np.array([shapely.geometry.shape(layers.geometries[k]) for k in city.index])
    exact = shapely.get_num_coordinates(city.geometry.to_numpy()).sum()
    assert shapely.get_num_coordinates(drawn).sum() < 0.8 * exact  # simplified...
    assert shapely.coverage_is_valid(drawn)  # ...with no gap or overlap between neighbours
    # Simplifying each area on its own (what the map did before) opens gaps and overlaps.
    alone = shapely.simplify(city.geometry.to_numpy(), 10 / 111_320 / 0.75)
    assert not shapely.coverage_is_valid(alone)
    # Each area stays where it was: within the tolerance (and rounding) of its boundary.
    worst = max(shapely.hausdorff_distance(a, b) for a, b in zip(city.geometry, drawn, strict=True))
    assert worst * 111_320 < 4 * maps.SIMPLIFY_METRES


def test_tolerance_zero_keeps_every_point_and_rounds(city):
    exact = maps.prepare_map_layers(city.iloc[:50], simplify_metres=0)
    assert exact.simplified_metres is None
    drawn = np.array([shapely.geometry.shape(g) for g in exact.geometries.values()])
    assert shapely.get_num_coordinates(drawn).sum() == pytest.approx(
        shapely.get_num_coordinates(city.geometry.to_numpy()[:50]).sum(), rel=0.01
    )  # rounding to about 1 m may merge a few neighbouring points, nothing else
    ring = shapely.get_coordinates(drawn[0])
    assert np.array_equal(ring, ring.round(maps.COORDINATE_DECIMALS))


@pytest.mark.parametrize("metres", [-1, float("nan"), "ten", None])
def test_bad_tolerance_is_refused(city, metres):
    with pytest.raises(DataError, match="number of metres"):
        maps.prepare_map_layers(city.iloc[:3], simplify_metres=metres)


def test_layers_must_match_the_neighborhoods(city, layers):
    with pytest.raises(DataError, match="other neighborhoods"):
        maps.neighborhood_map(city.iloc[:10], "foreign_born", layers=layers)
    with pytest.raises(DataError, match="prepare_map_layers"):
        maps.neighborhood_map(
            city, "foreign_born", layers=layers, organizations=many_organizations(city, 3)
        )


def test_measures_share_the_prepared_parts(city, layers):
    one = maps.neighborhood_map(city, "foreign_born", layers=layers)
    two = maps.neighborhood_map(city.assign(foreign_born=1), "foreign_born", layers=layers)
    (area_one,), (area_two,) = (
        [e for e in maps._walk(m) if isinstance(e, maps._AreaLayer)] for m in (one, two)
    )
    assert area_one.shapes is area_two.shapes is layers.shapes_json
    assert area_one.values != area_two.values
    offline = maps.make_offline(one)
    (points,) = [e for e in maps._walk(offline) if isinstance(e, maps._PointLayer)]
    assert points.points is layers.organizations  # not deep-copied for the offline page
    # One element per kind of thing, not one per organization or neighborhood.
    assert sum(1 for _ in maps._walk(one)) < 40


# --- hostile names in the one-layer payloads -----------------------------------------------------

HOSTILE_NAMES = {
    "a": "{{7*7}}",
    "b": "</script><script>alert(1)</script>",
    "c": "line\u2028sep\u2029end & <b>",
    "d": "${alert(1)}`",
}


def _hostile(city: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    areas = city.iloc[:4].copy()
    areas["name"] = list(HOSTILE_NAMES.values())
    areas["source"] = "</script><script>alert(2)</script>"
    orgs = pd.DataFrame(
        {
            "name": list(HOSTILE_NAMES.values()),
            "sector": ["{% raw %}", "x", "</script>", "y"],
            "neighborhood": list(areas.index),
            "member": [True, False, True, False],
        },
        index=list(HOSTILE_NAMES),
    )
    return areas, orgs


def test_hostile_names_stay_data_in_the_one_layer_payloads(city):
    areas, orgs = _hostile(city)
    page = maps.offline_map_html(maps.neighborhood_map(areas, "foreign_born", organizations=orgs))
    assert "</script><script>" not in page and "{{7*7}}" not in page
    assert "\u2028" not in page and "\u2029" not in page
    (payload,) = re.findall(r"\}\)\(point_layer_\w+, (\{.*?\}),\n", page, flags=re.S)
    data = json.loads(payload)
    shown = [
        name + data["endings"][i] for name, i in zip(data["name"], data["ending"], strict=True)
    ]
    assert shown[0] == "&#123;&#123;7*7&#125;&#125; — &#123;% raw %&#125;"
    assert shown[1] == (
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; — x (not a member — could be invited)"
    )
    assert shown[2].startswith("line\u2028sep\u2029end &amp; &lt;b&gt;")


@pytest.mark.browser
def test_one_layer_points_draw_with_literal_tooltips_in_chromium(tmp_path, city):
    areas, orgs = _hostile(city)
    m = maps.neighborhood_map(areas, "foreign_born", organizations=orgs)
    path = tmp_path / "map.html"
    path.write_text(maps.offline_map_html(m), encoding="utf-8")
    with offline_browser() as (_, page, recorder):
        page.goto(path.as_uri())
        page.wait_for_selector(f"path.{maps.NEIGHBORHOOD_CLASS}")
        areas_drawn = page.locator(f"path.{maps.NEIGHBORHOOD_CLASS}").count()
        drawn = page.locator("path.leaflet-interactive").count()
        # Each point's tooltip opened from its own layer and read as the page shows it (a
        # mouse hover was flaky: while the map settles, a point can sit under another one).
        tooltips = page.evaluate(
            """() => {
                const name = Object.keys(window).find(k => k.startsWith("point_layer_"));
                return window[name].getLayers().map(point => {
                    point.openTooltip();
                    const text = point.getTooltip().getElement().innerText;
                    point.closeTooltip();
                    return text;
                });
            }"""
        )
        # An area's centre may be under a point: open its tooltip from its own layer instead.
        page.evaluate(
            """() => {
                const name = Object.keys(window).find(k => k.startsWith("area_layer_"));
                window[name].getLayers()[0].openTooltip();
            }"""
        )
        area_tip = page.locator(".leaflet-tooltip").last.inner_text()
    assert recorder.blocked == [] and recorder.dialogs == []
    assert areas_drawn == 4 and drawn == 4 + 4  # no committees here
    assert sorted(tooltips) == sorted(
        [
            "{{7*7}} — {% raw %}",
            "</script><script>alert(1)</script> — x (not a member — could be invited)",
            "line\u2028sep\u2029end & <b> — </script>",
            "${alert(1)}` — y (not a member — could be invited)",
        ]
    )
    assert area_tip.startswith(HOSTILE_NAMES["a"])
    assert "</script><script>alert(2)</script>" in area_tip


@pytest.mark.browser
def test_ten_thousand_points_draw_on_a_canvas_in_chromium(tmp_path, city, layers):
    m = maps.neighborhood_map(city, "foreign_born", layers=layers)
    path = tmp_path / "big.html"
    path.write_text(maps.offline_map_html(m), encoding="utf-8")
    with offline_browser() as (_, page, recorder):
        page.goto(path.as_uri())
        page.wait_for_selector("canvas.leaflet-zoom-animated")
        counts = page.evaluate(
            """() => {
                let areas = 0, points = 0;
                window.map_ids = Object.keys(window).filter(k => k.startsWith("map_"));
                const m = window[window.map_ids[0]];
                m.eachLayer(l => {
                    if (l instanceof L.CircleMarker) points++;
                    else if (l instanceof L.Polygon) areas++;
                });
                return [areas, points];
            }"""
        )
    assert recorder.blocked == [] and recorder.dialogs == []
    assert counts == [2_300, 10_000]
    assert isinstance(m, folium.Map)
