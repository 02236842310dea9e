"""Read the neighborhoods' boundary file, match it to the table, choose the metric CRS.

Nothing here guesses a coordinate system silently: a file whose coordinates cannot be longitude
and latitude is refused unless ``boundary_crs`` in city.toml says what they are, and a
``metric_crs`` that is not in metres or does not cover the city is refused (see the "Geography"
section of docs/data-format.md).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Geod

from .. import schema, settings
from ..errors import Problem
from ..model import WGS84
from ..names import NameMatcher, did_you_mean, name_key
from .checks import _suggestion
from .files import file_problem

# A TopoJSON file is read too (GDAL's TopoJSON driver), under this name or any of the above
# (GDAL recognises TopoJSON by its content, whatever the file is called).
BOUNDARY_FILES = (*schema.BOUNDARY_FILES, "neighborhoods.topojson")
# Drivers whose coordinates are longitude/latitude by definition when the file says nothing.
_LONLAT_DRIVERS = ("GeoJSON", "TopoJSON")
# How far (in degrees) the city may reach beyond a CRS's published area of use: a city across a
# UTM zone's edge is measured well enough by that zone; a CRS for another region is not.
AREA_OF_USE_MARGIN_DEGREES = 0.5
# The most a metric_crs may stretch or shrink distances anywhere in the city (1% in distances is
# about 2% in areas): Web Mercator (EPSG:3857) stretches them by a third at 42°N.
MAX_SCALE_ERROR = 0.01
# The largest accepted adjacency tolerance (metres): wide enough for a broad river.
MAX_ADJACENCY_TOLERANCE_M = 5000.0
# An invalid polygon is repaired (with a warning) when the repair changes its area by at most this
# share; beyond, the repair would have to guess the shape and the feature is refused.
REPAIR_MAX_AREA_CHANGE = 0.01
# Features sharing a name that lie farther apart than this are probably different places (two
# Marion counties), not a neighborhood and its island: the message says rename before dissolve.
DUPLICATE_NEAR_KM = 5.0

_GEOD = Geod(ellps="WGS84")
_FEET_SUFFIX = re.compile(r"\s*\((?:ftUS|ft|ftIntl|ftCla|ftSe|ftGC|ftInd\w*|ftBr\w*)\)\s*$")
_DISSOLVE_HINT = (
    "A neighborhood with an island or a detached part is often exported as several "
    "features: dissolve them into one MultiPolygon by name (QGIS: Vector > "
    "Geoprocessing Tools > Dissolve, dissolve field = the name; geopandas: "
    'frame.dissolve(by="{field}")), or give each feature its own name.'
)


def _crs_label(crs: CRS) -> str:
    """``EPSG:2234 (NAD83 / Connecticut (ftUS))`` or the CRS's name when it has no code."""
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def parse_crs(value: Any) -> CRS | None:
    """A :class:`pyproj.CRS` from a city.toml value, or None when it is not a known CRS.

    Examples
    --------
    >>> parse_crs("EPSG:32618").name
    'WGS 84 / UTM zone 18N'
    >>> parse_crs("not a crs") is None, parse_crs({"a": 1}) is None
    (True, True)
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    try:
        return CRS.from_user_input(value)
    except Exception:  # pyproj raises CRSError, but odd input may raise TypeError/ValueError
        return None


def _declared_crs(config: dict, problems: list[Problem]) -> CRS | None:
    """The CRS that city.toml's ``boundary_crs`` declares for the boundary file, if any."""
    value = config.get("boundary_crs")
    if value is None or value == "":
        return None
    crs = parse_crs(value)
    if crs is None:
        problems.append(
            Problem(
                schema.CITY_FILE,
                "boundary_crs is not a known coordinate "
                "reference system; write the CRS your boundary file was exported "
                'in, e.g. "EPSG:2234" (Connecticut state plane, feet). Look it up '
                "on epsg.io or in your GIS's layer properties.",
                column="boundary_crs",
                value=str(value)[:80],
            )
        )
    return crs


def _pick_layer(path: Path | str, file: str, problems: list[Problem]) -> str | None:
    """The layer to read: the only one, else one named 'neighborhoods', else the first."""
    import pyogrio

    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception:  # unreadable: read_file reports it
        return None
    if len(layers) <= 1:
        return None
    chosen = next((n for n in layers if n.lower() == "neighborhoods"), layers[0])
    problems.append(
        Problem(
            file,
            f"The file holds {len(layers)} layers "
            f"({', '.join(layers[:6])}); the layer '{chosen}' was read. Name the "
            "neighborhoods' layer 'neighborhoods' or keep only that one.",
            severity="warning",
        )
    )
    return chosen


def _driver(path: Path | str) -> str:
    import pyogrio

    try:
        return str(pyogrio.read_info(path).get("driver") or "")
    except Exception:
        return ""


def _lonlat_bounds_ok(bounds: np.ndarray) -> bool:
    west, south, east, north = (float(b) for b in bounds)
    values = (west, south, east, north)
    return (
        all(math.isfinite(v) for v in values)
        and -180 <= west <= east <= 180
        and -90 <= south <= north <= 90
    )


def _projected_message(bounds: np.ndarray, source: str) -> str:
    west, south, east, north = (float(b) for b in bounds)
    return (
        f"The coordinates run from x = {west:,.0f} to {east:,.0f} and y = {south:,.0f} to "
        f"{north:,.0f}: these look like projected coordinates (feet or metres), not "
        f"longitude/latitude degrees, although {source}. Export the file as EPSG:4326 "
        "(WGS84 longitude/latitude), or declare the CRS it was exported in with a line "
        'such as boundary_crs = "EPSG:2234" in city.toml (your state plane or UTM zone; '
        "your GIS shows it in the layer's properties)."
    )


def _outside_area_of_use(bounds: np.ndarray, crs: CRS, *, centre_inside: bool = True) -> str | None:
    """A description of ``crs``'s area of use when lon/lat ``bounds`` reach outside it.

    Reaching beyond it is accepted when the centre of the bounds is inside (unless
    ``centre_inside`` is False: a file's own CRS need not be the best one for the city) and
    ``crs`` distorts distances by at most :data:`MAX_SCALE_ERROR` over them: Germany
    measures all of Bavaria (9°E to 13.8°E) in UTM zone 32N (6°E to 12°E);
    libpysal's Tokyo file is in Japan's zone VI (made for 135°E to 137°E).

    Examples
    --------
    >>> bavaria = np.array([8.98, 47.27, 13.84, 50.56])
    >>> _outside_area_of_use(bavaria, CRS("EPSG:25832")) is None
    True
    >>> _outside_area_of_use(bavaria, CRS("EPSG:2234")).startswith("United States")
    True
    """
    area = crs.area_of_use
    if area is None:
        return None
    west, south, east, north = (float(b) for b in bounds)
    m = AREA_OF_USE_MARGIN_DEGREES
    inside = (
        west >= area.west - m
        and east <= area.east + m
        and south >= area.south - m
        and north <= area.north + m
    )
    if inside or area.west > area.east:  # an area across the antimeridian: not checked
        return None
    lon, lat = (west + east) / 2, (south + north) / 2
    centre_ok = not centre_inside or (
        area.west - m <= lon <= area.east + m and area.south - m <= lat <= area.north + m
    )
    if centre_ok and crs.is_projected and _scale_error(bounds, crs) <= MAX_SCALE_ERROR:
        return None
    return (
        f"{area.name.rstrip('.')} (longitude {area.west:g} to {area.east:g}, latitude "
        f"{area.south:g} to {area.north:g})"
    )


def _scale_error(bounds: np.ndarray, crs: CRS) -> float:
    """The largest relative scale error of ``crs`` over a grid of points across lon/lat bounds.

    Examples
    --------
    >>> bounds = np.array([-72.72, 41.72, -72.65, 41.80])
    >>> mercator, state_plane = CRS("EPSG:3857"), CRS("EPSG:6433")
    >>> round(_scale_error(bounds, mercator), 2), _scale_error(bounds, state_plane) < 1e-4
    (0.34, True)
    >>> _scale_error(np.array([-180.0, -10.0, 180.0, 81.0]), CRS("EPSG:32630")) > 1
    True
    """
    from pyproj import Proj

    west, south, east, north = (float(b) for b in bounds)
    # A 9 x 9 grid over the box: its corners and centre alone can all lie near the projection's
    # line of true scale (a box from -180 to 180 has its corners 180° from a UTM zone's meridian).
    grid_lons, grid_lats = np.meshgrid(np.linspace(west, east, 9), np.linspace(south, north, 9))
    lons, lats = grid_lons.ravel().tolist(), grid_lats.ravel().tolist()
    try:
        factors = Proj(crs).get_factors(lons, lats)
        scales = np.concatenate(
            [
                np.asarray(factors.meridional_scale, dtype=float),
                np.asarray(factors.parallel_scale, dtype=float),
            ]
        )
    except Exception:  # pyproj cannot compute the factors: nothing known, nothing refused
        return 0.0
    if not np.all(np.isfinite(scales)):
        return math.inf
    return float(np.max(np.abs(scales - 1.0)))


def _resolve_crs(
    frame: gpd.GeoDataFrame, driver: str, declared: CRS | None, file: str, problems: list[Problem]
) -> gpd.GeoDataFrame | None:
    """``frame`` in its true CRS (declared or its own), or None after reporting why not."""
    own = frame.crs
    lonlat_default = driver in _LONLAT_DRIVERS
    if declared is not None:
        if not (declared.is_geographic or declared.is_projected):
            problems.append(
                Problem(
                    schema.CITY_FILE,
                    f"boundary_crs {_crs_label(declared)} is "
                    "neither longitude/latitude nor a map projection; write the "
                    'CRS the file was exported in, e.g. "EPSG:2234".',
                    column="boundary_crs",
                )
            )
            return None
        if own is not None and not own.is_geographic and not own.equals(declared):
            problems.append(
                Problem(
                    file,
                    f"The file declares {_crs_label(own)} but city.toml's "
                    f"boundary_crs says {_crs_label(declared)}; boundary_crs "
                    "was used. Remove boundary_crs if the file is right.",
                    column="boundary_crs",
                    severity="warning",
                )
            )
        return frame.set_crs(declared, allow_override=True)
    if own is None and lonlat_default:  # TopoJSON: no CRS member; lon/lat by convention
        return frame.set_crs(WGS84)
    if own is None:
        bounds = frame.total_bounds
        west, south, east, north = (float(b) for b in bounds)
        if _lonlat_bounds_ok(bounds):
            looks = (
                f" Its coordinates (x {west:g} to {east:g}, y {south:g} to {north:g}) could "
                "be longitude/latitude degrees: if they are, write boundary_crs = "
                '"EPSG:4326" (or "EPSG:4269" for NAD83) — but check the map lands on your '
                "city."
            )
        else:
            looks = (
                f" Its coordinates (x {west:,.0f} to {east:,.0f}, y {south:,.0f} to "
                f"{north:,.0f}) are projected (feet or metres): your state plane or UTM "
                "zone, shown in your GIS's layer properties."
            )
        problems.append(
            Problem(
                file,
                "The boundary file declares no coordinate reference "
                "system (CRS). Export it again with its CRS (a Shapefile needs "
                "its .prj file inside the zip), or declare it in city.toml with "
                'a line such as boundary_crs = "EPSG:2234".' + looks,
            )
        )
        return None
    return frame


def _to_lonlat(
    frame: gpd.GeoDataFrame, driver: str, declared: CRS | None, file: str, problems: list[Problem]
) -> gpd.GeoDataFrame | None:
    """``frame`` in WGS84 lon/lat, refusing coordinates that cannot be what the CRS says."""
    crs = frame.crs
    bounds = frame.total_bounds
    if crs.is_geographic and not _lonlat_bounds_ok(bounds):
        if declared is not None:
            source = f"boundary_crs says {_crs_label(declared)}"
        elif driver in _LONLAT_DRIVERS:
            source = f"a {driver} file is longitude/latitude (EPSG:4326) unless told otherwise"
        else:
            source = f"the file declares {_crs_label(crs)}"
        problems.append(Problem(file, _projected_message(bounds, source)))
        return None
    try:
        lonlat = frame.to_crs(WGS84)
    except Exception as exc:  # pyproj cannot transform at all
        problems.append(
            Problem(
                file,
                f"The boundaries cannot be converted from {_crs_label(crs)} "
                f"to longitude/latitude ({type(exc).__name__}). Export the file "
                "as EPSG:4326 (WGS84 longitude/latitude).",
            )
        )
        return None
    converted = lonlat.total_bounds
    if not _lonlat_bounds_ok(converted):
        problems.append(
            Problem(
                file,
                f"Read as {_crs_label(crs)}, the coordinates do not give "
                "places on Earth: the CRS is not the one the file was made in. "
                "Export the file as EPSG:4326 (WGS84 longitude/latitude) or "
                "declare its real CRS with boundary_crs in city.toml.",
                column="boundary_crs" if declared is not None else None,
            )
        )
        return None
    if not crs.is_geographic:
        # A file's own CRS was written by the GIS that made its coordinates: trusted wherever it
        # measures the city well. A hand-written boundary_crs must also have the city's centre
        # in its area (degrees read as Connecticut feet land in Maryland, measured within 1%).
        outside = _outside_area_of_use(converted, crs, centre_inside=declared is not None)
        if outside:
            where = (
                "city.toml's boundary_crs" if declared is not None else "the CRS the file declares"
            )
            problems.append(
                Problem(
                    file,
                    f"Read as {_crs_label(crs)} ({where}), the boundaries "
                    f"fall outside the area that CRS is made for: {outside}. "
                    "The coordinates are in another CRS: check boundary_crs, or "
                    "export the file as EPSG:4326 (WGS84 longitude/latitude).",
                    column="boundary_crs" if declared is not None else None,
                )
            )
            return None
    return lonlat


def _feature_name(value: Any) -> str | None:
    """A feature's name as text (``12.0`` -> ``"12"``), or None when blank."""
    try:
        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _polygonal(geometry: Any) -> tuple[Any, bool]:
    """The polygons of a geometry as a Polygon/MultiPolygon, and whether anything else was dropped.

    A GeometryCollection (as some exports write islands) keeps its polygonal parts; None when
    there are none.

    Examples
    --------
    >>> from shapely.geometry import GeometryCollection, Point, box
    >>> shape, dropped = _polygonal(GeometryCollection([box(0, 0, 1, 1), Point(5, 5)]))
    >>> shape.geom_type, dropped
    ('Polygon', True)
    >>> _polygonal(Point(0, 0))
    (None, True)
    """
    import shapely
    from shapely.geometry import MultiPolygon

    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry, False
    parts = shapely.get_parts(geometry)
    while any(p.geom_type in ("GeometryCollection", "MultiPolygon") for p in parts):
        parts = shapely.get_parts(parts)
    polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    dropped = len(polygons) < len([p for p in parts if not p.is_empty])
    if not polygons:
        return None, True
    return (polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)), dropped


def _repaired(geometry: Any) -> tuple[Any, float]:
    """An invalid polygon repaired, and the relative change of its area (inf when unusable).

    The repair is GEOS's "structure" make-valid (QGIS 'Fix geometries' gives the same rings):
    rings are made valid, shells merged, holes subtracted. The area compared with is what the
    invalid polygon's rings enclose (shell minus holes), so a repair that only removes a spike, a
    doubled vertex or a sliver changes it by a hair, and one that has to guess (a figure-eight,
    overlapping parts, a hole outside its shell) changes it a lot.

    Examples
    --------
    >>> from shapely.geometry import Polygon
    >>> spike = Polygon([(0, 0), (10, 0), (10, 10), (10.001, 10.5), (10, 10.0001), (0, 10)])
    >>> fixed, change = _repaired(spike)
    >>> fixed.is_valid, change < 0.001
    (True, True)
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> _repaired(bowtie)[1] > 0.5
    True
    """
    import shapely

    try:
        fixed = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    except Exception:  # GEOS could not repair it at all
        return None, math.inf
    fixed, _ = _polygonal(fixed) if fixed is not None and not fixed.is_empty else (None, True)
    if fixed is None or not fixed.is_valid or fixed.is_empty:
        return None, math.inf
    before = abs(float(geometry.area))
    after = float(fixed.area)
    if before <= 0:
        return fixed, math.inf
    return fixed, abs(after - before) / before


def _examples(names: list[str | None], positions: list[int]) -> str:
    shown = [f"{p} ('{names[p - 1]}')" if names[p - 1] else str(p) for p in positions[:5]]
    return ", ".join(shown) + (f" and {len(positions) - 5} more" if len(positions) > 5 else "")


def _check_geometries(
    geometries: list[Any], names: list[str | None], file: str, problems: list[Problem]
) -> tuple[list[Any], bool]:
    """The features' geometries ready to use, and whether any is refused.

    Features that are not areas (points, lines) are reported once per geometry type. A
    GeometryCollection keeps its polygons. An invalid polygon is repaired when the repair changes
    its area by at most :data:`REPAIR_MAX_AREA_CHANGE` (a warning says so), else refused.
    """
    from shapely.validation import explain_validity

    bad = False
    kept: list[Any] = []
    not_areas: dict[str, list[int]] = defaultdict(list)
    for index, (name, geometry) in enumerate(zip(names, geometries, strict=False), start=1):
        if geometry is None or geometry.is_empty:
            problems.append(
                Problem(
                    file,
                    f"feature {index} has an empty geometry; draw its "
                    "polygon or remove the feature.",
                    row=index,
                    value=name,
                )
            )
            bad = True
            kept.append(geometry)
            continue
        shape, dropped = _polygonal(geometry)
        if shape is None:
            not_areas[geometry.geom_type].append(index)
            bad = True
            kept.append(geometry)
            continue
        if dropped:
            problems.append(
                Problem(
                    file,
                    f"feature {index} is a {geometry.geom_type} mixing "
                    "polygons with points or lines; only its polygons were "
                    "read.",
                    row=index,
                    value=name,
                    severity="warning",
                )
            )
        if not shape.is_valid:
            reason = explain_validity(shape)
            fixed, change = _repaired(shape)
            if fixed is not None and change <= REPAIR_MAX_AREA_CHANGE:
                problems.append(
                    Problem(
                        file,
                        f"feature {index} had an invalid polygon ({reason});"
                        " it was repaired (its area changed by "
                        f"{change:.2%}), as QGIS 'Fix geometries' would. Repair "
                        "it in the file to silence this warning.",
                        row=index,
                        value=name,
                        severity="warning",
                    )
                )
                shape = fixed
            else:
                size = (
                    f"repairing it would change its area by {change:.0%}"
                    if math.isfinite(change)
                    else "it cannot be repaired automatically"
                )
                problems.append(
                    Problem(
                        file,
                        f"feature {index} has an invalid polygon "
                        f"({reason}) and {size}. Repair it in your GIS (e.g. "
                        "QGIS 'Fix geometries', then check the shape).",
                        row=index,
                        value=name,
                    )
                )
                bad = True
        kept.append(shape)
    total = len(geometries)
    for kind, positions in not_areas.items():
        if len(positions) == total:
            what = (
                f"All {total} features are {kind}s, not areas: this file holds places or "
                "lines, not neighborhoods' boundaries. Export the neighborhoods' polygons "
                "(one Polygon or MultiPolygon per neighborhood)."
            )
        else:
            what = (
                f"{len(positions)} feature(s) are {kind}s, not areas: numbers "
                f"{_examples(names, positions)}. Neighborhoods must be polygons: draw "
                "their areas or remove these features."
            )
        problems.append(Problem(file, what, row=positions[0], value=names[positions[0] - 1]))
    return kept, bad


def _zip_source(path: Path, file: str, problems: list[Problem]) -> str | Path | None:
    """What to open in a zipped boundary file, or None after saying what is wrong with the zip.

    A Shapefile at the zip's root is opened as the zip itself (every layer visible); one inside a
    folder (a zipped folder, as file managers make them) is opened by its path in the zip. A
    Shapefile missing its .shx or .dbf is reported by name; a zip holding a GeoJSON or GeoPackage
    instead is read too.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.namelist()
                if not m.endswith("/") and not m.startswith("__MACOSX/")
            ]
    except (zipfile.BadZipFile, OSError) as exc:
        problems.append(
            Problem(
                file,
                f"The file is not a readable zip ({type(exc).__name__}). "
                "Zip the Shapefile's files (.shp, .shx, .dbf, .prj) again.",
            )
        )
        return None
    lowered = {m.lower(): m for m in members}
    shapefiles = [m for m in members if m.lower().endswith(".shp")]
    if not shapefiles:
        others = [
            m for m in members if m.lower().endswith((".geojson", ".json", ".gpkg", ".topojson"))
        ]
        if len(others) == 1:
            return f"/vsizip/{path}/{others[0]}"
        listed = ", ".join(members[:8]) or "nothing"
        problems.append(
            Problem(
                file,
                f"The zip holds no Shapefile (.shp file); it holds "
                f"{listed}. Zip the Shapefile's files together (.shp, .shx, "
                ".dbf and .prj), or give the boundaries as neighborhoods.geojson "
                "or neighborhoods.gpkg.",
            )
        )
        return None
    chosen = next((m for m in shapefiles if Path(m).stem.lower() == "neighborhoods"), shapefiles[0])
    stem = chosen[:-4].lower()
    missing = [ext for ext in (".shx", ".dbf") if stem + ext not in lowered]
    if missing:
        problems.append(
            Problem(
                file,
                f"The zipped Shapefile {chosen} lacks its "
                f"{' and '.join(missing)} file: a Shapefile is several files "
                "(.shp, .shx, .dbf, .prj) with the same name. Zip them all "
                "together.",
            )
        )
        return None
    if "/" not in chosen:
        return path  # at the root: GDAL opens the zip, every layer visible
    return f"/vsizip/{path}/{chosen}"


def _read_boundaries(
    folder: Path, name_field: str, problems: list[Problem], config: dict | None = None
) -> tuple[gpd.GeoDataFrame | None, str]:
    """Read the boundary file as ``_feature_name``/``geometry`` in WGS84, or None.

    Every problem found is appended to ``problems``. ``config`` (city.toml) may hold
    ``boundary_crs``, the CRS of a file that does not declare it.

    Examples
    --------
    >>> problems = []
    >>> frame, file = _read_boundaries(Path("data/template"), "name", problems)  # doctest: +SKIP
    >>> frame.crs.to_string(), problems  # doctest: +SKIP
    ('EPSG:4326', [])
    """
    declared = _declared_crs(config or {}, problems)
    path = next((folder / f for f in BOUNDARY_FILES if (folder / f).exists()), None)
    if path is None:
        problems.append(
            Problem(
                schema.BOUNDARY_FILES[0],
                "No boundary file: add the "
                "neighborhoods' polygons as neighborhoods.geojson, "
                "neighborhoods.gpkg, neighborhoods.zip (a zipped Shapefile) or "
                "neighborhoods.topojson.",
            )
        )
        return None, schema.BOUNDARY_FILES[0]
    file = path.name
    # Only a regular file is read (a pipe would hang, a device never end), its size checked first.
    unreadable = file_problem(path, limit=settings.MAX_UPLOAD_BYTES)
    if unreadable is not None:
        problems.append(unreadable)
        return None, file
    if declared is None and (config or {}).get("boundary_crs") not in (None, ""):
        return None, file  # an unknown boundary_crs: reported, nothing to read the file with
    source = _zip_source(path, file, problems) if path.suffix.lower() == ".zip" else path
    if source is None:
        return None, file
    layer = _pick_layer(source, file, problems)
    try:
        frame = gpd.read_file(source, layer=layer) if layer else gpd.read_file(source)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        problems.append(
            Problem(
                file,
                f"Cannot read the boundary file ({type(exc).__name__}: "
                f"{str(exc)[:160]}). It may be truncated or not GeoJSON / "
                "TopoJSON / GeoPackage / zipped Shapefile: export it again from "
                "your GIS.",
            )
        )
        return None, file
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        problems.append(
            Problem(
                file,
                "The boundary file holds a table without shapes (a "
                "Shapefile's .dbf without its .shp?). Export the neighborhoods' "
                "polygons again from your GIS.",
            )
        )
        return None, file
    if name_field == frame.geometry.name or name_field == "geometry":
        properties = [str(c) for c in frame.columns if c != frame.geometry.name]
        problems.append(
            Problem(
                schema.CITY_FILE,
                "boundary_name_field names the features' "
                "geometry (their shape), not a property holding the "
                "neighborhood's name. Set it to one of the features' properties: "
                f"{', '.join(properties[:12]) or '(the features have none)'}.",
                column="boundary_name_field",
                value=name_field,
            )
        )
        return None, file
    if name_field not in frame.columns:
        problems.append(
            Problem(
                file,
                f"The features have no '{name_field}' property with the "
                "neighborhood's name. Set boundary_name_field in city.toml."
                + did_you_mean(
                    name_field, [str(c) for c in frame.columns if c != frame.geometry.name]
                ),
                column=name_field,
            )
        )
        return None, file
    if frame.empty:
        problems.append(Problem(file, "The boundary file has no features."))
        return None, file
    names = [_feature_name(v) for v in frame[name_field]]
    unnamed = [index for index, name in enumerate(names, start=1) if name is None]
    if len(unnamed) == len(names):
        problems.append(
            Problem(
                file,
                f"No feature has a name in its '{name_field}' property. "
                "Set boundary_name_field in city.toml to the property holding "
                "the neighborhoods' names.",
                column=name_field,
            )
        )
        return None, file
    if unnamed:  # water, parks, unincorporated land: not neighborhoods, so not loaded
        listed = ", ".join(str(i) for i in unnamed[:10]) + (" …" if len(unnamed) > 10 else "")
        problems.append(
            Problem(
                file,
                f"{len(unnamed)} feature(s) have no name in their "
                f"'{name_field}' property (numbers {listed}) and are not loaded "
                "(often water, parks or land outside any neighborhood). If one "
                "is a neighborhood, give it the name of its row in "
                "neighborhoods.csv.",
                row=unnamed[0],
                column=name_field,
                severity="warning",
            )
        )
        keep = [i for i, name in enumerate(names) if name is not None]
        frame = frame.iloc[keep].reset_index(drop=True)
        names = [names[i] for i in keep]
    geometries, bad = _check_geometries(list(frame.geometry), names, file, problems)
    if bad:
        return None, file
    frame = gpd.GeoDataFrame(
        {"_feature_name": names, "geometry": geometries}, geometry="geometry", crs=frame.crs
    )
    frame.attrs["name_field"] = name_field
    driver = _driver(source)
    frame = _resolve_crs(frame, driver, declared, file, problems)
    if frame is None:
        return None, file
    return _to_lonlat(frame, driver, declared, file, problems), file


def _key(name: Any) -> str:
    """The matching key of a name; a name of punctuation only is its own key, never ``""``.

    Examples
    --------
    >>> _key("North-End") == _key("north end"), _key("—") == _key("–")
    (True, False)
    """
    return name_key(name) or f"\x00{str(name).strip()}"


def _duplicate_names(boundaries: gpd.GeoDataFrame, file: str, problems: list[Problem]) -> None:
    """One error per neighborhood name carried by several features, suggesting to dissolve."""
    features: dict[str, list[int]] = defaultdict(list)
    spellings: dict[str, list[str]] = defaultdict(list)
    for position, name in enumerate(boundaries["_feature_name"], start=1):
        key = _key(name)
        features[key].append(position)
        if name not in spellings[key]:
            spellings[key].append(name)
    field = boundaries.attrs.get("name_field", "name")
    if len(features) == 1 and len(boundaries) > 2:
        problems.append(
            Problem(
                file,
                f"All {len(boundaries)} features carry the same name "
                f"\"{spellings[next(iter(features))][0]}\" in their '{field}' "
                "property: it does not name the neighborhoods. Set "
                "boundary_name_field in city.toml to the property that does.",
                column=field,
            )
        )
        return
    for key, positions in features.items():
        if len(positions) < 2:
            continue
        names = " / ".join(f'"{s}"' for s in spellings[key])
        listed = ", ".join(str(p) for p in positions[:10])
        listed += " …" if len(positions) > 10 else ""
        gap = (
            _largest_gap_km(boundaries.geometry.iloc[[p - 1 for p in positions]])
            if len(positions) <= 20
            else None
        )
        if gap is not None and gap > DUPLICATE_NEAR_KM:
            advice = (
                f"They lie up to {gap:,.0f} km apart, so they are probably different "
                "places sharing a name (two counties, two towns): give each feature its "
                f"own name in its '{field}' property (e.g. \"{spellings[key][0]} (2)\") "
                "and its own row in neighborhoods.csv. If they really are parts of one "
                "neighborhood, dissolve them into one MultiPolygon (QGIS: Vector > "
                "Geoprocessing Tools > Dissolve)."
            )
        else:
            advice = _DISSOLVE_HINT.format(field=field)
        problems.append(
            Problem(
                file,
                f"{len(positions)} features (numbers {listed}) carry the "
                f"same neighborhood name {names}; each neighborhood must be one "
                "feature. " + advice,
                value=spellings[key][0],
            )
        )


def _largest_gap_km(geometries: gpd.GeoSeries) -> float | None:
    """How far (km) the farthest of some lon/lat features lies from the others; None if unknown.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> parts = gpd.GeoSeries([box(0, 0, 0.01, 0.01), box(0.02, 0, 0.03, 0.01)], crs=WGS84)
    >>> round(_largest_gap_km(parts), 1)
    1.1
    """
    try:
        metric = geometries.to_crs(geometries.estimate_utm_crs())
        shapes = list(metric.geometry)
        gaps = [
            min(shape.distance(other) for j, other in enumerate(shapes) if j != i)
            for i, shape in enumerate(shapes)
        ]
    except Exception:  # an odd extent (poles) or GEOS trouble: no distance to give
        return None
    largest = max(gaps) / 1000
    return largest if math.isfinite(largest) else None


def _match_boundaries(
    neighborhoods: pd.DataFrame,
    boundaries: gpd.GeoDataFrame,
    file: str,
    nbhd_file: str,
    problems: list[Problem],
) -> gpd.GeoDataFrame:
    feature_matcher = NameMatcher({str(n): str(n) for n in boundaries["_feature_name"]})
    _duplicate_names(boundaries, file, problems)
    geometry_by_key: dict[str, Any] = {}
    for name, geometry in zip(boundaries["_feature_name"], boundaries.geometry, strict=False):
        geometry_by_key.setdefault(_key(name), geometry)
    ids, geometries, used = [], [], set()
    for node_id, name, number in zip(
        neighborhoods["neighborhood_id"], neighborhoods["name"], neighborhoods["_row"], strict=False
    ):
        key = next((k for k in (_key(name), _key(node_id)) if k in geometry_by_key), None)
        if key is None:
            hint = _suggestion(name, feature_matcher)
            problems.append(
                Problem(
                    nbhd_file,
                    f"No feature with this name in {file}: the name "
                    f"must match the boundary file.{hint}",
                    row=number,
                    column="name",
                    value=name,
                )
            )
            continue
        used.add(key)
        ids.append(node_id)
        geometries.append(geometry_by_key[key])
    for name in boundaries["_feature_name"]:
        if _key(name) not in used:
            problems.append(
                Problem(
                    file,
                    "This feature has no row in neighborhoods.csv and is not loaded.",
                    value=str(name),
                    severity="warning",
                )
            )
    return gpd.GeoDataFrame(
        {"neighborhood_id": ids, "geometry": geometries}, geometry="geometry", crs=WGS84
    )


def _utm_estimate(boundaries: gpd.GeoDataFrame | None) -> str | None:
    """The UTM zone of the boundaries' centre (``"EPSG:32618"``), or None; never raises."""
    if boundaries is None or boundaries.empty:
        return None
    try:
        if not _lonlat_bounds_ok(boundaries.to_crs(WGS84).total_bounds):
            return None
        crs = boundaries.estimate_utm_crs()
    except Exception:  # pyproj: "Unable to determine UTM CRS" (poles, odd coordinates)
        return None
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.to_string()


def _metre_twin(crs: CRS) -> str | None:
    """The EPSG code of the same projection in metres, e.g. 2234 (ftUS) -> ``"EPSG:26956"``."""
    base = _FEET_SUFFIX.sub("", crs.name)
    if base == crs.name:
        return None
    from pyproj.database import query_crs_info
    from pyproj.enums import PJType

    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS):
        if info.name == base and not info.deprecated:
            return f"EPSG:{info.code}"
    return None


def _in_metres(crs: CRS) -> bool:
    axes = crs.axis_info
    return bool(axes) and all(
        a.unit_name in ("metre", "meter") and abs(a.unit_conversion_factor - 1.0) < 1e-12
        for a in axes
    )


def _metric_crs(config: dict, boundaries: gpd.GeoDataFrame | None, problems: list[Problem]) -> str:
    """The CRS for areas and distances: city.toml's ``metric_crs``, checked, or a UTM zone.

    ``metric_crs`` must be projected, in metres, and its area of use must cover the city
    (within :data:`AREA_OF_USE_MARGIN_DEGREES`). Left out, the UTM zone of the boundaries' centre
    is used. Never raises: problems are appended to ``problems``.

    Examples
    --------
    >>> problems = []
    >>> _metric_crs({"metric_crs": "EPSG:2234"}, None, problems)
    'EPSG:2234'
    >>> "feet" in problems[0].message or "foot" in problems[0].message
    True
    """
    configured = config.get("metric_crs")
    estimate = _utm_estimate(boundaries)
    utm_hint = (
        f'the UTM zone "{estimate}" (estimated from the boundaries)'
        if estimate
        else 'a UTM zone ("EPSG:326xx" north of the equator, "EPSG:327xx" south)'
    )
    if configured is not None and configured != "":
        shown = str(configured)[:80]
        crs = parse_crs(configured)
        if crs is None:
            problems.append(
                Problem(
                    schema.CITY_FILE,
                    f"metric_crs is not a known CRS; write e.g. {utm_hint}.",
                    column="metric_crs",
                    value=shown,
                )
            )
            return "EPSG:3857"
        if not crs.is_projected:
            degrees = " (longitude/latitude degrees)" if crs.is_geographic else ""
            problems.append(
                Problem(
                    schema.CITY_FILE,
                    "metric_crs must be a projected CRS in "
                    f"metres, not {_crs_label(crs)}{degrees}. Use {utm_hint}.",
                    column="metric_crs",
                    value=shown,
                )
            )
            return str(configured)
        if not _in_metres(crs):
            unit = crs.axis_info[0].unit_name if crs.axis_info else "an unknown unit"
            twin = _metre_twin(crs)
            same = f'"{twin}" (the same projection in metres) or ' if twin else ""
            problems.append(
                Problem(
                    schema.CITY_FILE,
                    f"metric_crs {_crs_label(crs)} measures in "
                    f"{unit}, not metres (feet would make every area and "
                    f"distance wrong). Use {same}{utm_hint}.",
                    column="metric_crs",
                    value=shown,
                )
            )
            return str(configured)
        if boundaries is not None and not boundaries.empty:
            outside = _outside_area_of_use(boundaries.to_crs(WGS84).total_bounds, crs)
            error = _scale_error(boundaries.to_crs(WGS84).total_bounds, crs)
            if outside:
                problems.append(
                    Problem(
                        schema.CITY_FILE,
                        f"metric_crs {_crs_label(crs)} is made "
                        f"for {outside}, which does not cover the city: its "
                        "areas and distances would be distorted. Use "
                        f"{utm_hint}.",
                        column="metric_crs",
                        value=shown,
                    )
                )
            elif error > MAX_SCALE_ERROR:
                size = f"{error:.0%}" if math.isfinite(error) else "beyond measure"
                problems.append(
                    Problem(
                        schema.CITY_FILE,
                        f"metric_crs {_crs_label(crs)} distorts "
                        f"distances in the city by {size} (more than "
                        f"{MAX_SCALE_ERROR:.0%}), and areas by about twice as "
                        f"much. Use {utm_hint}.",
                        column="metric_crs",
                        value=shown,
                    )
                )
        return str(configured)
    if boundaries is None or boundaries.empty:
        return "EPSG:3857"  # the boundary problem is reported already
    if estimate is None:
        problems.append(
            Problem(
                schema.CITY_FILE,
                "No metric_crs, and no UTM zone can be "
                "estimated for these boundaries: set metric_crs in city.toml to "
                "a projected CRS in metres that covers the city (epsg.io lists "
                "them by place).",
                column="metric_crs",
            )
        )
        return "EPSG:3857"
    lonlat_bounds = boundaries.to_crs(WGS84).total_bounds
    error = _scale_error(lonlat_bounds, CRS.from_user_input(estimate))
    if error > MAX_SCALE_ERROR:
        west, south, east, north = (float(b) for b in lonlat_bounds)
        width = (east - west) * 111.32 * math.cos(math.radians((south + north) / 2))
        height = _GEOD.line_length([west, west], [south, north]) / 1000
        size = f"{error:.0%}" if math.isfinite(error) else "beyond measure"
        problems.append(
            Problem(
                schema.CITY_FILE,
                f"The boundaries span about {width:,.0f} km by "
                f"{height:,.0f} km: no single UTM zone measures an area that "
                f"large (the nearest, {estimate}, would distort distances by "
                f"{size} and areas by about twice as much). A city's "
                "neighborhoods fit in one zone: keep only the city's "
                "neighborhoods in the boundary file, or set metric_crs to a "
                "projection in metres made for your region (it must distort "
                f"distances by at most {MAX_SCALE_ERROR:.0%}).",
                column="metric_crs",
            )
        )
    return estimate


def _adjacency_tolerance(config: dict, problems: list[Problem]) -> float:
    """city.toml's ``adjacency_tolerance_m`` (default 0), checked: a number of metres.

    Examples
    --------
    >>> _adjacency_tolerance({"adjacency_tolerance_m": 150}, [])
    150.0
    >>> problems = []; _adjacency_tolerance({"adjacency_tolerance_m": "wide"}, problems)
    0.0
    """
    value = config.get("adjacency_tolerance_m", 0)
    ok = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= MAX_ADJACENCY_TOLERANCE_M
    )
    if not ok:
        problems.append(
            Problem(
                schema.CITY_FILE,
                "adjacency_tolerance_m must be a number of "
                f"metres from 0 to {MAX_ADJACENCY_TOLERANCE_M:g} (e.g. 150 to "
                "count neighborhoods facing each other across a river as "
                "adjacent).",
                column="adjacency_tolerance_m",
                value=str(value)[:80],
            )
        )
        return 0.0
    return float(value)
