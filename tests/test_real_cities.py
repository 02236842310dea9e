"""Real cities' boundary files, tried as a new user would: each loads correctly or is refused
with a message that says what to do.

The folders are in tests/fixtures/real/ (see SOURCES.md there): real boundary files shipped with
libpysal, with made-up tables. Areas are checked against independent figures (Chicago's 77
community areas cover the city's 606 km² less some water; Prenzlauer Berg is 11 km²).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import read_rows, write_rows

from coalition.analysis import coverage_report
from coalition.ingest import read_city, validate_city
from coalition.store import open_store

REAL = Path(__file__).parent / "fixtures" / "real"


def _copy(name: str, tmp_path: Path, **toml: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(REAL / name, folder)
    if toml:
        extra = "".join(f'{key} = "{value}"\n' for key, value in toml.items())
        (folder / "city.toml").write_text((folder / "city.toml").read_text() + extra)
    return folder


def _errors(folder: Path) -> list[str]:
    report = validate_city(folder)
    assert not report.ok
    return [p.message for p in report.errors]


def _loads_and_covers(folder: Path, tmp_path: Path, neighborhoods: int) -> float:
    """Validate, store, read back and run coverage; the total area in km²."""
    report = validate_city(folder)
    assert report.ok, [str(p) for p in report.errors]
    store = open_store(tmp_path / "store.db")
    store.replace_city(report.city)
    G = store.graph()
    areas = [a["area_km2"] for _, a in G.nodes(data=True) if a.get("kind") == "neighborhood"]
    assert len(areas) == neighborhoods and min(areas) > 0
    summary = coverage_report(G, rule="own").to_dict()["summary"]
    assert summary["neighborhoods_total"] == neighborhoods
    assert summary["neighborhoods_covered"] == 1  # the one active committee's neighborhood
    return sum(areas)


def test_chicago_state_plane_shapefile_without_prj_is_refused_saying_what_to_declare(tmp_path):
    (message,) = _errors(_copy("chicago", tmp_path))
    assert "declares no coordinate reference system" in message
    assert "boundary_crs" in message and "projected (feet or metres)" in message


def test_chicago_with_boundary_crs_loads_with_the_citys_area(tmp_path):
    folder = _copy("chicago", tmp_path, boundary_crs="EPSG:3435")  # Illinois East, US feet
    total = _loads_and_covers(folder, tmp_path, neighborhoods=77)
    assert 585 < total < 612  # Chicago: 606 km² in all, 590 km² of land


def test_berlin_web_mercator_file_loads_with_true_areas(tmp_path):
    # In EPSG:3857 units the polygon measures 2.4 times its true area at 52.5°N.
    total = _loads_and_covers(_copy("berlin", tmp_path), tmp_path, neighborhoods=1)
    assert total == pytest.approx(11.0, abs=0.3)


def test_st_louis_counties_without_prj_get_a_lon_lat_hint(tmp_path):
    (message,) = _errors(_copy("stlouis", tmp_path))
    assert "declares no coordinate reference system" in message
    assert "could be longitude/latitude degrees" in message and '"EPSG:4326"' in message


def test_st_louis_counties_sharing_a_name_are_told_to_rename_not_dissolve(tmp_path):
    messages = _errors(_copy("stlouis", tmp_path, boundary_crs="EPSG:4269"))
    (marion,) = [m for m in messages if '"Marion"' in m]
    assert "2 features (numbers 8, 39)" in marion
    assert "211 km apart" in marion and "different places" in marion
    assert '"Marion (2)"' in marion
    assert all("same neighborhood name" in m for m in messages)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_st_louis_loads_once_the_namesakes_are_renamed(tmp_path):
    import geopandas as gpd

    folder = _copy("stlouis", tmp_path, boundary_crs="EPSG:4269")
    frame = gpd.read_file(folder / "neighborhoods.zip")
    seen: set[str] = set()
    renamed = []
    for name in frame["name"]:
        renamed.append(f"{name} (2)" if name in seen else name)
        seen.add(name)
    frame["name"] = renamed
    (folder / "neighborhoods.zip").unlink()
    frame.to_file(folder / "neighborhoods.gpkg", driver="GPKG")
    rows = read_rows(folder / "neighborhoods.csv")
    extra = [
        dict(rows[-1], neighborhood_id=f"n{i}", name=n)
        for i, n in enumerate(r for r in renamed if r.endswith("(2)"))
    ]
    write_rows(folder / "neighborhoods.csv", rows + extra)
    _loads_and_covers(folder, tmp_path, neighborhoods=78)


def test_columbus_in_book_units_is_caught_by_the_organizations_real_addresses(tmp_path):
    # Anselin's Columbus neighborhoods are in arbitrary units that also pass for lon/lat (in
    # Nigeria); the organizations' real coordinates in Columbus, Ohio, give it away.
    folder = _copy("columbus", tmp_path)
    rows = read_rows(folder / "organizations.csv")
    rows[0].update(lat="39.9612", lon="-82.9988")
    write_rows(folder / "organizations.csv", rows)
    messages = _errors(folder)
    assert any("outside the city" in m and "check lat and lon" in m for m in messages)


def test_mexico_states_with_an_empty_prj_then_too_large_for_one_utm_zone(tmp_path):
    (message,) = _errors(_copy("mexico", tmp_path))
    assert "declares no coordinate reference system" in message
    messages = _errors(_copy("mexico", tmp_path / "declared", boundary_crs="EPSG:4326"))
    (message,) = messages
    assert "no single UTM zone" in message and "keep only the city's neighborhoods" in message


@pytest.mark.parametrize("name", ["chicago", "stlouis", "mexico"])
def test_read_city_raises_a_validation_error_never_a_traceback(name, tmp_path):
    from coalition.errors import ValidationError

    with pytest.raises(ValidationError):
        read_city(_copy(name, tmp_path))


def test_columbus_in_book_units_is_warned_about_its_implausible_size(tmp_path):
    report = validate_city(_copy("columbus", tmp_path))
    assert report.ok  # nothing in the file itself can tell these numbers are not lon/lat
    (warning,) = report.warnings
    assert "larger than most whole cities" in warning.message
    assert "boundary_crs" in warning.message


def test_chicago_and_berlin_get_no_size_warning(tmp_path):
    for folder in (_copy("chicago", tmp_path, boundary_crs="EPSG:3435"), _copy("berlin", tmp_path)):
        assert validate_city(folder).warnings == []
