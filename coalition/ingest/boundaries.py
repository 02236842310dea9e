"""Read the neighborhoods' boundary file, match it to the table, choose the metric CRS."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from .. import schema, settings
from ..errors import Problem
from ..model import WGS84
from ..names import NameMatcher, did_you_mean, name_key
from .checks import _suggestion


def _read_boundaries(folder: Path, name_field: str,
                     problems: list[Problem]) -> tuple[gpd.GeoDataFrame | None, str]:
    path = next((folder / f for f in schema.BOUNDARY_FILES if (folder / f).exists()), None)
    if path is None:
        problems.append(Problem(schema.BOUNDARY_FILES[0], "No boundary file: add the "
                                "neighborhoods' polygons as neighborhoods.geojson, "
                                "neighborhoods.gpkg or neighborhoods.zip (a zipped Shapefile)."))
        return None, schema.BOUNDARY_FILES[0]
    file = path.name
    if path.stat().st_size > settings.MAX_UPLOAD_BYTES:
        problems.append(Problem(file, "The boundary file is larger than "
                                f"{settings.MAX_UPLOAD_BYTES // 2**20} MB; simplify it."))
        return None, file
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        problems.append(Problem(file, f"Cannot read the boundary file ({type(exc).__name__}: "
                                f"{str(exc)[:160]}). It may be truncated or not GeoJSON / "
                                "GeoPackage / zipped Shapefile: export it again from your GIS."))
        return None, file
    if frame.crs is None:
        problems.append(Problem(file, "The boundary file declares no coordinate reference "
                                "system (CRS). Export it again with its CRS (a Shapefile needs "
                                "its .prj file inside the zip)."))
        return None, file
    if name_field not in frame.columns:
        problems.append(Problem(file, f"The features have no '{name_field}' property with the "
                                "neighborhood's name. Set boundary_name_field in city.toml."
                                + did_you_mean(name_field, [str(c) for c in frame.columns]),
                                column=name_field))
        return None, file
    if frame.empty:
        problems.append(Problem(file, "The boundary file has no features."))
        return None, file
    bad = False
    for index, (name, geometry) in enumerate(zip(frame[name_field], frame.geometry), start=1):
        label = f"feature {index}"
        if geometry is None or geometry.is_empty:
            problems.append(Problem(file, f"{label} has an empty geometry; draw its polygon "
                                    "or remove the feature.", row=index, value=str(name)))
            bad = True
        elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(file, f"{label} is a {geometry.geom_type}; neighborhoods must "
                                    "be polygons.", row=index, value=str(name)))
            bad = True
        elif not geometry.is_valid:
            from shapely.validation import explain_validity

            problems.append(Problem(file, f"{label} has an invalid polygon "
                                    f"({explain_validity(geometry)}). Repair it in your GIS "
                                    "(e.g. QGIS 'Fix geometries').", row=index, value=str(name)))
            bad = True
    if bad:
        return None, file
    frame = frame.rename(columns={name_field: "_feature_name"})[["_feature_name", "geometry"]]
    return frame.to_crs(WGS84), file


def _match_boundaries(neighborhoods: pd.DataFrame, boundaries: gpd.GeoDataFrame, file: str,
                      nbhd_file: str, problems: list[Problem]) -> gpd.GeoDataFrame:
    feature_matcher = NameMatcher({str(n): str(n) for n in boundaries["_feature_name"]})
    counts = boundaries["_feature_name"].map(name_key).value_counts()
    for name in boundaries["_feature_name"]:
        if counts[name_key(name)] > 1:
            problems.append(Problem(file, "Two features carry the same neighborhood name; merge "
                                    "them into one (multi)polygon.", value=str(name)))
            counts[name_key(name)] = 0  # report once
    geometry_by_key = {name_key(n): g for n, g in zip(boundaries["_feature_name"],
                                                       boundaries.geometry)}
    ids, geometries, used = [], [], set()
    for node_id, name, number in zip(neighborhoods["neighborhood_id"], neighborhoods["name"],
                                     neighborhoods["_row"]):
        key = next((k for k in (name_key(name), name_key(node_id)) if k in geometry_by_key), None)
        if key is None:
            hint = _suggestion(name, feature_matcher)
            problems.append(Problem(nbhd_file, f"No feature with this name in {file}: the name "
                                    f"must match the boundary file.{hint}", row=number,
                                    column="name", value=name))
            continue
        used.add(key)
        ids.append(node_id)
        geometries.append(geometry_by_key[key])
    for name in boundaries["_feature_name"]:
        if name_key(name) not in used:
            problems.append(Problem(file, "This feature has no row in neighborhoods.csv and is "
                                    "not loaded.", value=str(name), severity="warning"))
    return gpd.GeoDataFrame({"neighborhood_id": ids, "geometry": geometries},
                            geometry="geometry", crs=WGS84)


def _metric_crs(config: dict, boundaries: gpd.GeoDataFrame | None,
                problems: list[Problem]) -> str:
    configured = config.get("metric_crs")
    if configured:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            crs = CRS.from_user_input(configured)
        except CRSError:
            problems.append(Problem(schema.CITY_FILE, "metric_crs is not a known CRS; write e.g. "
                                    '"EPSG:32618".', column="metric_crs", value=str(configured)))
            return "EPSG:3857"
        if not crs.is_projected:
            problems.append(Problem(schema.CITY_FILE, "metric_crs must be projected (in metres), "
                                    'e.g. a UTM zone such as "EPSG:32618".', column="metric_crs",
                                    value=str(configured)))
        return str(configured)
    if boundaries is not None and not boundaries.empty:
        return boundaries.estimate_utm_crs().to_string()
    return "EPSG:3857"

