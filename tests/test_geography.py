"""No silent wrong geography: coordinates, CRSs, points, overlaps, adjacency, TopoJSON.

Every fixture is a tiny hand-made square city whose answers can be worked out by hand; each test
failed (a traceback, or a wrong acceptance) before these checks existed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from helpers import set_cell, tiny_folder
from shapely.geometry import box
from tiny_city import make_tiny_city

from coalition.analysis.geometry import adjacency_pairs
from coalition.analysis.graph_index import index_graph
from coalition.exports import write_city_folder
from coalition.ingest import read_city, validate_city
from coalition.model import CityData, build_graph
from coalition.store import open_store

# EPSG:2234 (NAD83 / Connecticut, US survey feet) puts its false origin, x = 1,000,000 ftUS and
# y = 500,000 ftUS, on the central meridian 72°45'W at the latitude of origin 40°50'N.
CT_FEET = "EPSG:2234"
ORIGIN_LONLAT = (-72.75, 40.0 + 50.0 / 60.0)
FT = 3000.0  # the side of a square neighborhood in feet (about 914 m)


def _toml(folder: Path, **settings) -> None:
    settings = {"name": "Tiny Town", "boundary_name_field": "name", **settings}
    lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    (folder / "city.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _geojson(
    folder: Path,
    squares: dict[str, tuple[float, float, float, float]],
    crs_member: str | None = None,
) -> None:
    """Write neighborhoods.geojson with one square per name, coordinates as given (no CRS)."""
    features = []
    for name, (x0, y0, x1, y1) in squares.items():
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    data = {"type": "FeatureCollection", "features": features}
    if crs_member:
        data["crs"] = {"type": "name", "properties": {"name": crs_member}}
    (folder / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")


def _feet_squares() -> dict[str, tuple[float, float, float, float]]:
    """The tiny city's 2 x 2 grid in Connecticut state plane feet, Cedar's corner at the origin."""
    x, y = 1_000_000.0, 500_000.0
    cells = {"Alder": (0, 1), "Birch": (1, 1), "Cedar": (0, 0), "Dogwood": (1, 0)}
    return {
        n: (x + i * FT, y + j * FT, x + (i + 1) * FT, y + (j + 1) * FT)
        for n, (i, j) in cells.items()
    }


def _messages(report, severity: str = "error") -> list[str]:
    chosen = report.errors if severity == "error" else report.warnings
    return [p.message for p in chosen]


@pytest.fixture
def tiny(tmp_path) -> Path:
    return tiny_folder(tmp_path / "tiny")


# --- 1. coordinates that cannot be longitude/latitude -----------------------------------------


def test_projected_geojson_without_crs_is_refused_not_a_traceback(tiny):
    _geojson(tiny, _feet_squares())
    _toml(tiny)  # no metric_crs: the UTM estimate used to crash on these coordinates
    report = validate_city(tiny)
    assert not report.ok
    (message,) = [m for m in _messages(report) if "projected coordinates" in m]
    assert "these look like projected coordinates" in message
    assert "EPSG:4326" in message and "boundary_crs" in message
    assert "1,000,000" in message  # shows the offending values


def test_declared_boundary_crs_is_used_and_reprojects_correctly(tiny):
    _geojson(tiny, _feet_squares())
    _toml(tiny, boundary_crs=CT_FEET)
    city = read_city(tiny)
    cedar = city.boundaries.set_index("neighborhood_id").geometry["cedar"]
    corner = min(cedar.exterior.coords)  # the south-west corner, at the projection's origin
    assert corner == pytest.approx(ORIGIN_LONLAT, abs=1e-7)
    assert city.metric_crs == "EPSG:32618"  # estimated from the reprojected squares
    area_km2 = build_graph(city).nodes["cedar"]["area_km2"]
    assert area_km2 == pytest.approx((FT * 0.3048006096) ** 2 / 1e6, rel=1e-3)


def test_declared_boundary_crs_that_does_not_fit_the_coordinates_is_refused(tiny):
    _toml(tiny, boundary_crs=CT_FEET)  # but the file is in lon/lat degrees
    report = validate_city(tiny)
    (message,) = [m for m in _messages(report) if "boundary_crs" in m]
    assert "Connecticut" in message and "outside the area" in message


def test_unknown_boundary_crs_is_an_error(tiny):
    _toml(tiny, boundary_crs="EPSG:999999")
    report = validate_city(tiny)
    assert any(p.column == "boundary_crs" and "not a known" in p.message for p in report.errors)


def test_gpkg_without_crs_is_refused_then_accepted_with_boundary_crs(tiny):
    (tiny / "neighborhoods.geojson").unlink()
    squares = _feet_squares()
    frame = gpd.GeoDataFrame(
        {"name": list(squares)}, geometry=[box(*b) for b in squares.values()], crs=None
    )
    with pytest.warns(UserWarning, match="crs"):  # pyogrio: writing a file with no CRS
        frame.to_file(tiny / "neighborhoods.gpkg", driver="GPKG")
    _toml(tiny)
    report = validate_city(tiny)
    (message,) = [m for m in _messages(report) if "no coordinate reference" in m]
    assert 'boundary_crs = "EPSG:' in message
    _toml(tiny, boundary_crs=CT_FEET)
    city = read_city(tiny)
    corner = min(city.boundaries.set_index("neighborhood_id").geometry["cedar"].exterior.coords)
    assert corner == pytest.approx(ORIGIN_LONLAT, abs=1e-7)


# --- 2. metric_crs ---------------------------------------------------------------------------


def test_metric_crs_in_feet_is_refused_naming_a_metre_equivalent(tiny):
    _toml(tiny, metric_crs=CT_FEET)
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if p.column == "metric_crs"]
    assert "US survey foot" in problem.message and "not metres" in problem.message
    assert '"EPSG:26956"' in problem.message  # NAD83 / Connecticut, the same projection in m
    assert '"EPSG:32618"' in problem.message  # the UTM zone of the tiny city


def test_metric_crs_whose_area_of_use_misses_the_city_is_refused(tiny):
    _toml(tiny, metric_crs="EPSG:32633")  # UTM 33N: 12°E to 18°E, the tiny city is at 72.7°W
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if p.column == "metric_crs"]
    assert "does not cover the city" in problem.message
    assert "EPSG:32618" in problem.message


def test_web_mercator_metric_crs_is_refused_for_its_distortion(tiny):
    # EPSG:3857 is in metres and covers the world, but at 41.76°N it stretches every distance
    # by 1 / cos(41.76°) ≈ 1.34 (areas ≈ 1.80).
    _toml(tiny, metric_crs="EPSG:3857")
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if p.column == "metric_crs"]
    assert "distorts distances in the city by 34%" in problem.message
    assert "EPSG:32618" in problem.message


def test_metric_crs_left_out_never_crashes_and_says_what_to_set(tiny):
    # Near the pole no UTM zone exists: the estimate used to raise "Unable to determine UTM CRS".
    data = json.loads((tiny / "neighborhoods.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["geometry"]["coordinates"] = [
            [[x, y + 47.0] for x, y in ring] for ring in feature["geometry"]["coordinates"]
        ]
    (tiny / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")
    _toml(tiny)
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if p.column == "metric_crs"]
    assert "set metric_crs" in problem.message


# --- 3. organization points -----------------------------------------------------------------


def test_point_far_outside_the_city_is_an_error(tiny):
    # The library, in Alder, with the minus sign of its longitude lost: 72.695°E is in Asia.
    set_cell(tiny / "organizations.csv", 0, "lat", "41.765")
    set_cell(tiny / "organizations.csv", 0, "lon", "72.695")
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if p.file == "organizations.csv"]
    assert problem.row == 2 and "km outside the city" in problem.message
    assert "50 km" in problem.message


def test_point_in_another_neighborhood_is_a_warning_with_the_distance(tiny):
    # The library says Alder (x -72.70..-72.69) but its point is Birch's centre (-72.685):
    # 0.005° of longitude at 41.765°N ≈ 0.005 × 111.3 km × cos(41.765°) ≈ 415 m.
    set_cell(tiny / "organizations.csv", 0, "lat", "41.765")
    set_cell(tiny / "organizations.csv", 0, "lon", "-72.685")
    report = validate_city(tiny)
    assert report.ok
    (problem,) = [p for p in report.warnings if p.file == "organizations.csv"]
    match = re.search(
        r"lies (\d+) m outside its neighborhood Alder \(it falls in Birch\)", problem.message
    )
    assert match, problem.message
    assert 405 <= int(match.group(1)) <= 425


def test_swapped_latitude_and_longitude_are_detected(tiny):
    set_cell(tiny / "organizations.csv", 0, "lat", "-72.695")
    set_cell(tiny / "organizations.csv", 0, "lon", "41.765")
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if p.file == "organizations.csv"]
    assert "latitude and longitude look swapped" in problem.message.lower()


def test_latitude_out_of_range_and_half_a_point(tiny):
    set_cell(tiny / "organizations.csv", 0, "lat", "141.7")
    set_cell(tiny / "organizations.csv", 0, "lon", "-72.695")
    set_cell(tiny / "organizations.csv", 1, "lat", "41.765")
    report = validate_city(tiny)
    assert any(p.row == 2 and "between -90 and 90" in p.message for p in report.errors)
    assert any(p.row == 3 and "Only lat is given" in p.message for p in report.warnings)


# --- 4. overlaps and adjacency ---------------------------------------------------------------


def test_overlapping_neighborhoods_are_a_warning_with_the_share(tiny):
    x0, y0, s = -72.70, 41.75, 0.01
    _geojson(
        tiny,
        {
            "Alder": (x0, y0 + s, x0 + s, y0 + 2 * s),
            # Birch reaches half-way into Alder: half of Alder lies in both.
            "Birch": (x0 + s / 2, y0 + s, x0 + 2 * s, y0 + 2 * s),
            "Cedar": (x0, y0, x0 + s, y0 + s),
            "Dogwood": (x0 + s, y0, x0 + 2 * s, y0 + s),
        },
    )
    report = validate_city(tiny)
    assert report.ok
    (problem,) = [p for p in report.warnings if "overlap" in p.message]
    assert problem.message.startswith("Alder and Birch overlap: 50% of Alder")


def _two_squares_city(gap_m: float, tolerance_m: float) -> CityData:
    """West and East, 1 km squares (UTM 18N) ``gap_m`` apart; Corner, diagonal to West."""
    squares = {
        "west": box(500_000, 4_620_000, 501_000, 4_621_000),
        "east": box(501_000 + gap_m, 4_620_000, 502_000 + gap_m, 4_621_000),
        "corner": box(501_000 + gap_m, 4_621_000 + gap_m, 502_000 + gap_m, 4_622_000 + gap_m),
    }
    tiny = make_tiny_city()
    frame = tiny.tables["neighborhoods"].iloc[:3].copy()
    frame["neighborhood_id"] = list(squares)
    frame["name"] = [n.title() for n in squares]
    boundaries = gpd.GeoDataFrame(
        {"neighborhood_id": list(squares)}, geometry=list(squares.values()), crs="EPSG:32618"
    ).to_crs("EPSG:4326")
    tables = {name: t.iloc[0:0] for name, t in tiny.tables.items()}
    tables["neighborhoods"] = frame.reset_index(drop=True)
    return CityData(
        name="Two squares",
        tables=tables,
        boundaries=boundaries,
        metric_crs="EPSG:32618",
        meta={"adjacency_tolerance_m": tolerance_m},
    )


def _adjacent(city: CityData) -> set[tuple[str, str]]:
    index = index_graph(build_graph(city))
    ids = list(index.neighborhoods.index)
    return {(ids[i], ids[j]) for i, j in adjacency_pairs(index) if i < j}


def test_adjacency_honours_the_tolerance_across_a_river():
    assert _adjacent(_two_squares_city(gap_m=50, tolerance_m=0)) == set()
    # 50 m apart, 100 m tolerance: West and East face each other over 1 km; Corner is only a
    # corner away from West (and shares East's north edge).
    assert _adjacent(_two_squares_city(gap_m=50, tolerance_m=100)) == {
        ("east", "west"),
        ("corner", "east"),
    }
    assert _adjacent(_two_squares_city(gap_m=0, tolerance_m=0)) == {
        ("east", "west"),
        ("corner", "east"),
    }


def test_adjacency_tolerance_travels_from_city_toml_to_the_store_and_the_graph(tiny, tmp_path):
    _toml(tiny, metric_crs="EPSG:32618", adjacency_tolerance_m=150)
    city = read_city(tiny)
    assert city.meta["adjacency_tolerance_m"] == 150.0
    store = open_store(tmp_path / "s.db")
    store.replace_city(city)
    stored = store.read_city()
    assert stored.meta["adjacency_tolerance_m"] == 150.0
    assert store.graph().graph["adjacency_tolerance_m"] == 150.0
    again = read_city(write_city_folder(stored, tmp_path / "again"))
    assert again.meta["adjacency_tolerance_m"] == 150.0


@pytest.mark.parametrize("value", ["wide", -5, 1e9, True])
def test_bad_adjacency_tolerance_is_an_error(tiny, value):
    _toml(tiny, adjacency_tolerance_m=value)
    report = validate_city(tiny)
    assert any(p.column == "adjacency_tolerance_m" for p in report.errors)


# --- boundary crashes of issue 7 §2 ------------------------------------------------------------


def test_duplicate_feature_names_are_one_clear_error_suggesting_dissolve(tiny):
    data = json.loads((tiny / "neighborhoods.geojson").read_text(encoding="utf-8"))
    island = json.loads(json.dumps(data["features"][0]))  # Alder's island, a second feature
    island["geometry"]["coordinates"] = [
        [[-72.71, 41.76], [-72.705, 41.76], [-72.705, 41.765], [-72.71, 41.765], [-72.71, 41.76]]
    ]
    data["features"].append(island)
    (tiny / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")
    report = validate_city(tiny)
    (message,) = [m for m in _messages(report) if "same neighborhood name" in m]
    assert "2 features (numbers 1, 5)" in message and '"Alder"' in message
    assert "island" in message and "Dissolve" in message and 'dissolve(by="name")' in message


def test_boundary_name_field_geometry_is_a_clear_error(tiny):
    _toml(tiny, boundary_name_field="geometry")
    report = validate_city(tiny)
    (problem,) = report.errors
    assert problem.column == "boundary_name_field"
    assert "geometry" in problem.message and "name" in problem.message


def test_feature_without_a_name_is_not_loaded_and_its_row_is_an_error(tiny):
    # Real files often hold unnamed water or park polygons: a warning, and they are not loaded;
    # a neighborhood whose feature lost its name is still an error, through its row.
    data = json.loads((tiny / "neighborhoods.geojson").read_text(encoding="utf-8"))
    data["features"][1]["properties"]["name"] = None
    (tiny / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")
    report = validate_city(tiny)
    (warning,) = [p for p in report.warnings if "no name" in p.message]
    assert warning.row == 2 and "(numbers 2)" in warning.message
    assert "not loaded" in warning.message
    (error,) = report.errors
    assert error.file == "neighborhoods.csv" and error.value == "Birch"
    assert "No feature with this name" in error.message


def test_unnamed_features_besides_the_neighborhoods_are_left_out(tiny):
    data = json.loads((tiny / "neighborhoods.geojson").read_text(encoding="utf-8"))
    water = json.loads(json.dumps(data["features"][0]))
    water["properties"]["name"] = None
    water["geometry"]["coordinates"] = [
        [[-72.72, 41.74], [-72.71, 41.74], [-72.71, 41.75], [-72.72, 41.75], [-72.72, 41.74]]
    ]
    data["features"].append(water)
    (tiny / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")
    report = validate_city(tiny)
    assert report.ok and len(report.city.boundaries) == 4
    assert [p.row for p in report.warnings] == [5]


def test_no_feature_named_at_all_says_to_set_the_name_field(tiny):
    data = json.loads((tiny / "neighborhoods.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"]["name"] = ""
    (tiny / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")
    problems = [p for p in validate_city(tiny).errors if p.file == "neighborhoods.geojson"]
    expected = (
        "No feature has a name in its 'name' property. Set boundary_name_field in "
        "city.toml to the property holding the neighborhoods' names."
    )
    assert [p.message for p in problems] == [expected]


# --- 5. TopoJSON -------------------------------------------------------------------------------


def _topojson() -> dict:
    """The tiny city's four squares as TopoJSON (no transform); Alder and Birch share arc 0."""
    x0, y0, s = -72.70, 41.75, 0.01
    west, mid, east = x0, x0 + s, x0 + 2 * s
    low, mid_y, high = y0, y0 + s, y0 + 2 * s
    arcs = [
        [[mid, mid_y], [mid, high]],  # 0: the Alder | Birch border, south to north
        [[mid, high], [west, high], [west, mid_y], [mid, mid_y]],  # 1: the rest of Alder
        [[mid, mid_y], [east, mid_y], [east, high], [mid, high]],  # 2: the rest of Birch
        [[west, low], [mid, low], [mid, mid_y], [west, mid_y], [west, low]],  # 3: Cedar
        [[mid, low], [east, low], [east, mid_y], [mid, mid_y], [mid, low]],
    ]  # 4: Dogwood
    polygons = [("Alder", [[0, 1]]), ("Birch", [[2, -1]]), ("Cedar", [[3]]), ("Dogwood", [[4]])]
    return {
        "type": "Topology",
        "arcs": arcs,
        "objects": {
            "neighborhoods": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": rings, "properties": {"name": name}}
                    for name, rings in polygons
                ],
            }
        },
    }


@pytest.mark.parametrize("file", ["neighborhoods.topojson", "neighborhoods.geojson"])
def test_topojson_is_read(tiny, file):
    (tiny / "neighborhoods.geojson").unlink()
    (tiny / file).write_text(json.dumps(_topojson()), encoding="utf-8")
    report = validate_city(tiny)
    assert report.ok, [str(p) for p in report.errors]
    assert report.warnings == []
    shapes = report.city.boundaries.set_index("neighborhood_id").geometry
    assert shapes["alder"].bounds == pytest.approx((-72.70, 41.76, -72.69, 41.77))
    assert shapes["birch"].bounds == pytest.approx((-72.69, 41.76, -72.68, 41.77))
    assert shapes["dogwood"].area == pytest.approx(0.01 * 0.01)


# --- 6. what real cities' files hold (found by scripts/try_real_cities.py) --------------------


def _rename(folder: Path, names: dict[str, str]) -> None:
    """Rename neighborhoods in both neighborhoods.csv (name column) and the boundary file."""
    from helpers import read_rows, write_rows

    rows = read_rows(folder / "neighborhoods.csv")
    for row in rows:
        row["name"] = names.get(row["name"], row["name"])
    write_rows(folder / "neighborhoods.csv", rows)
    data = json.loads((folder / "neighborhoods.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"]["name"] = names[feature["properties"]["name"]]
    (folder / "neighborhoods.geojson").write_text(
        json.dumps(data, ensure_ascii=False), encoding="utf-8"
    )


def _set_geometry(folder: Path, index: int, geometry: dict) -> None:
    data = json.loads((folder / "neighborhoods.geojson").read_text(encoding="utf-8"))
    data["features"][index]["geometry"] = geometry
    (folder / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")


def test_names_in_other_scripts_each_get_their_own_polygon(tiny):
    # Every Japanese, Greek or Russian name used to have the empty key: all four features were
    # "the same neighborhood name" and nothing loaded.
    original = read_city(tiny).boundaries.set_index("neighborhood_id").geometry
    _rename(tiny, {"Alder": "北区", "Birch": "Αθήνα", "Cedar": "Москва", "Dogwood": "南区"})
    report = validate_city(tiny)
    assert report.ok, [str(p) for p in report.errors]
    shapes = report.city.boundaries.set_index("neighborhood_id").geometry
    for node_id in ("alder", "birch", "cedar", "dogwood"):
        assert shapes[node_id].equals(original[node_id])


def test_a_slightly_invalid_polygon_is_repaired_with_a_warning(tiny):
    # Alder with a one-vertex spike folding back on itself (a "Ring Self-intersection"), as in
    # many real exports: the repair removes the spike, Alder keeps its area (a 0.01° square).
    x0, y0, x1, y1 = -72.70, 41.76, -72.69, 41.77
    ring = [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0 + 0.005, y1],
        [x0 + 0.005, y1 + 0.00001],
        [x0 + 0.005, y1],
        [x0, y1],
        [x0, y0],
    ]
    _set_geometry(tiny, 0, {"type": "Polygon", "coordinates": [ring]})
    report = validate_city(tiny)
    assert report.ok, [str(p) for p in report.errors]
    (warning,) = [p for p in report.warnings if "invalid polygon" in p.message]
    assert warning.row == 1 and "repaired" in warning.message and "0.00%" in warning.message
    alder = report.city.boundaries.set_index("neighborhood_id").geometry["alder"]
    assert alder.is_valid and alder.area == pytest.approx(0.01 * 0.01)


def test_a_polygon_whose_repair_would_change_its_area_is_refused(tiny):
    # A figure-eight: what it encloses is ambiguous (the rings' area is 0, the repair's 0.0001).
    bowtie = [[-72.70, 41.76], [-72.69, 41.77], [-72.69, 41.76], [-72.70, 41.77], [-72.70, 41.76]]
    _set_geometry(tiny, 0, {"type": "Polygon", "coordinates": [bowtie]})
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if "invalid polygon" in p.message]
    assert problem.row == 1 and "Fix geometries" in problem.message
    assert "cannot be repaired automatically" in problem.message


def test_a_geometry_collection_of_polygons_is_read_as_its_polygons(tiny):
    square = [[[-72.70, 41.76], [-72.69, 41.76], [-72.69, 41.77], [-72.70, 41.77], [-72.70, 41.76]]]
    _set_geometry(
        tiny,
        0,
        {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": square}]},
    )
    report = validate_city(tiny)
    assert report.ok and report.warnings == []
    alder = report.city.boundaries.set_index("neighborhood_id").geometry["alder"]
    assert alder.geom_type == "Polygon" and alder.area == pytest.approx(0.0001)


def test_a_file_of_points_is_one_error_saying_it_holds_no_areas(tiny):
    data = json.loads((tiny / "neighborhoods.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["geometry"] = {"type": "Point", "coordinates": [-72.69, 41.76]}
    (tiny / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if "neighborhoods.geojson" in p.file]
    assert "All 4 features are Points" in problem.message
    assert "Export the neighborhoods' polygons" in problem.message


def test_a_few_points_among_polygons_are_listed_in_one_error(tiny):
    _set_geometry(tiny, 1, {"type": "Point", "coordinates": [-72.69, 41.76]})
    _set_geometry(
        tiny, 3, {"type": "LineString", "coordinates": [[-72.69, 41.76], [-72.68, 41.75]]}
    )
    report = validate_city(tiny)
    messages = [p.message for p in report.errors]
    assert any(m.startswith("1 feature(s) are Points") and "2 ('Birch')" in m for m in messages)
    assert any(
        m.startswith("1 feature(s) are LineStrings") and "4 ('Dogwood')" in m for m in messages
    )


def test_boundaries_too_large_for_one_utm_zone_are_refused_when_metric_crs_is_left_out(tiny):
    # A country's regions instead of a city's neighborhoods: the estimated UTM zone would get
    # areas wrong by several percent (Alaska's regions by 2-4%, Asia's countries by up to 4x).
    _geojson(
        tiny,
        {
            "Alder": (-100.0, 30.0, -90.0, 40.0),
            "Birch": (-90.0, 30.0, -80.0, 40.0),
            "Cedar": (-100.0, 20.0, -90.0, 30.0),
            "Dogwood": (-90.0, 20.0, -80.0, 30.0),
        },
    )
    _toml(tiny)
    for row in range(4):
        set_cell(tiny / "organizations.csv", row, "lat", "")
        set_cell(tiny / "organizations.csv", row, "lon", "")
    report = validate_city(tiny)
    (problem,) = [p for p in report.errors if p.column == "metric_crs"]
    assert "no single UTM zone" in problem.message and "2,2" in problem.message


def test_a_utm_zone_used_a_little_beyond_its_edge_is_accepted(tiny):
    # Like Germany's whole-country UTM 32N for Bavaria: the city's centre lies in zone 18N
    # (78°W to 72°W) and its east reaches 0.7° beyond, where the zone still measures within 0.1%.
    _geojson(
        tiny,
        {
            "Alder": (-72.9, 41.8, -72.1, 42.2),
            "Birch": (-72.1, 41.8, -71.3, 42.2),
            "Cedar": (-72.9, 41.4, -72.1, 41.8),
            "Dogwood": (-72.1, 41.4, -71.3, 41.8),
        },
    )
    _toml(tiny, metric_crs="EPSG:32618")
    report = validate_city(tiny)
    assert report.ok, _messages(report)
    _toml(tiny, metric_crs="EPSG:32617")  # centre outside zone 17N (84°W to 78°W): refused
    (problem,) = validate_city(tiny).errors
    assert problem.column == "metric_crs" and "does not cover the city" in problem.message


def test_a_name_field_with_one_value_for_every_feature_says_to_pick_another(tiny):
    data = json.loads((tiny / "neighborhoods.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"]["city"] = "Tiny Town"
    (tiny / "neighborhoods.geojson").write_text(json.dumps(data), encoding="utf-8")
    _toml(tiny, boundary_name_field="city")
    messages = [p.message for p in validate_city(tiny).errors if p.column == "city"]
    expected = (
        "All 4 features carry the same name \"Tiny Town\" in their 'city' property: it "
        "does not name the neighborhoods. Set boundary_name_field in city.toml to the "
        "property that does."
    )
    assert messages == [expected]


# --- 7. zipped Shapefiles as file managers make them --------------------------------------------


def _zip_tiny_shapefile(
    tiny: Path, tmp_path: Path, folder: str = "", drop: tuple[str, ...] = ()
) -> None:
    import zipfile

    frame = gpd.read_file(tiny / "neighborhoods.geojson")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    frame[["name", "geometry"]].to_file(shp_dir / "neighborhoods.shp")
    with zipfile.ZipFile(tiny / "neighborhoods.zip", "w") as archive:
        for path in shp_dir.iterdir():
            if path.suffix not in drop:
                archive.write(path, arcname=folder + path.name)
    (tiny / "neighborhoods.geojson").unlink()


def test_a_zipped_folder_holding_the_shapefile_is_read(tiny, tmp_path):
    _zip_tiny_shapefile(tiny, tmp_path, folder="Tiny Town neighborhoods/")
    report = validate_city(tiny)
    assert report.ok, _messages(report)
    shapes = report.city.boundaries.set_index("neighborhood_id").geometry
    assert shapes["dogwood"].area == pytest.approx(0.01 * 0.01)


@pytest.mark.parametrize(
    "drop, missing", [((".shx",), ".shx"), ((".dbf",), ".dbf"), ((".shx", ".dbf"), ".shx and .dbf")]
)
def test_a_zipped_shapefile_missing_a_part_names_it(tiny, tmp_path, drop, missing):
    _zip_tiny_shapefile(tiny, tmp_path, drop=drop)
    (problem,) = validate_city(tiny).errors
    assert f"lacks its {missing} file" in problem.message and "Zip them all" in problem.message


def test_a_zip_without_a_shp_lists_what_it_holds(tiny, tmp_path):
    _zip_tiny_shapefile(tiny, tmp_path, drop=(".shp",))
    (problem,) = validate_city(tiny).errors
    assert "holds no Shapefile (.shp file)" in problem.message
    assert "neighborhoods.dbf" in problem.message  # a .dbf alone used to crash validate


def test_a_file_that_is_not_a_zip_is_one_error(tiny):
    (tiny / "neighborhoods.geojson").unlink()
    (tiny / "neighborhoods.zip").write_text("not a zip", encoding="utf-8")
    (problem,) = validate_city(tiny).errors
    assert "not a readable zip" in problem.message


def test_a_file_in_a_neighbouring_zone_of_its_own_crs_is_read_exactly(tiny):
    # Like libpysal's Tokyo file (Japan zone VI, made for 135°E-137°E, around 139.5°E): the
    # file's own CRS is outside its area of use but its coordinates are really in it.
    frame = gpd.read_file(tiny / "neighborhoods.geojson")
    (tiny / "neighborhoods.geojson").unlink()
    frame.to_crs("EPSG:32617").to_file(tiny / "neighborhoods.gpkg", driver="GPKG")
    report = validate_city(tiny)
    assert report.ok, _messages(report)
    shapes = report.city.boundaries.set_index("neighborhood_id").geometry
    original = frame.set_index("name").geometry
    assert shapes["alder"].equals_exact(original["Alder"], tolerance=1e-9)
