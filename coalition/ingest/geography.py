"""Geographic checks of a city folder: organization points and overlapping neighborhoods.

Run by :func:`coalition.ingest.validate_city` once the boundaries are read (in WGS84) and matched
to neighborhoods.csv. Each check appends :class:`~coalition.errors.Problem` objects and never
raises; the thresholds are documented in the "Geography" section of docs/data-format.md.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod

from ..errors import Problem
from ..i18n import _
from ..model import WGS84

log = logging.getLogger(__name__)

# A point farther than this beyond the bounding box of all neighborhoods is an error (a typo,
# a dropped minus sign, a geocoder that found a namesake town): regional organizations a few
# suburbs away stay well inside it.
FAR_OUTSIDE_KM = 50.0
# A point farther than this from its own neighborhood's polygon gets a warning. Geocoders put
# addresses on or near the street, and streets often are the boundary: closer is not reported.
OWN_NEIGHBORHOOD_TOLERANCE_M = 50.0
# Two neighborhoods overlapping by more than this share of the smaller one get a warning; less is
# digitising noise along a shared border.
OVERLAP_MIN_SHARE = 0.01
# Neighborhoods whose median area is outside this range (km²) get a warning: larger than most
# whole cities, or smaller than a city block, they usually mean coordinates read in the wrong CRS
# or units (a GeoJSON in other units passes for lon/lat when its numbers are small).
PLAUSIBLE_MEDIAN_KM2 = (0.005, 1000.0)

_GEOD = Geod(ellps="WGS84")


def _distance_text(metres: float) -> str:
    """``"350 m"`` below a kilometre, ``"1.2 km"`` above.

    Examples
    --------
    >>> _distance_text(349.6), _distance_text(1234.0), _distance_text(56789.0)
    ('350 m', '1.2 km', '57 km')
    """
    if metres < 1000:
        return f"{metres:.0f} m"
    km = metres / 1000
    return f"{km:.1f} km" if km < 10 else f"{km:,.0f} km"


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _beyond_box_m(lon: float, lat: float, box: tuple[float, float, float, float]) -> float:
    """Geodesic metres from a lon/lat point to the nearest point of a lon/lat box (0 inside)."""
    west, south, east, north = box
    near_lon = min(max(lon, west), east)
    near_lat = min(max(lat, south), north)
    if near_lon == lon and near_lat == lat:
        return 0.0
    return float(_GEOD.inv(lon, lat, near_lon, near_lat)[2])


def _inside(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = box
    return west <= lon <= east and south <= lat <= north


def check_points(
    organizations: pd.DataFrame,
    boundaries: gpd.GeoDataFrame,
    names: dict[str, str],
    metric_crs: str,
    file: str,
    problems: list[Problem],
) -> None:
    """Check each organization's lat/lon against the city and its own ``neighborhood`` cell.

    Errors: a point more than :data:`FAR_OUTSIDE_KM` beyond the bounding box of all
    neighborhoods, a latitude/longitude out of range, latitude and longitude swapped (the
    swapped point falls inside the city). Warnings: only one of lat/lon given; a point more than
    :data:`OWN_NEIGHBORHOOD_TOLERANCE_M` outside the neighborhood its row names.

    Parameters
    ----------
    organizations : pandas.DataFrame
        The typed table (``org_id``, ``lat``, ``lon``, ``neighborhood`` as ids, ``_row``).
    boundaries : geopandas.GeoDataFrame
        ``neighborhood_id`` and ``geometry`` in WGS84.
    names : dict of str to str
        Neighborhood id -> display name, for messages.
    metric_crs : str
        A projected CRS in metres, for distances to polygons.
    file : str
        The organizations' file name, for messages.
    problems : list of Problem
        Appended to.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> b = gpd.GeoDataFrame({"neighborhood_id": ["a"]},
    ...                      geometry=[box(-72.7, 41.7, -72.6, 41.8)], crs="EPSG:4326")
    >>> orgs = pd.DataFrame({"org_id": ["x"], "lat": [-72.65], "lon": [41.75],
    ...                      "neighborhood": ["a"], "_row": [2]})
    >>> problems = []
    >>> check_points(orgs, b, {"a": "A"}, "EPSG:32618", "organizations.csv", problems)
    >>> "look swapped" in problems[0].message
    True
    """
    if organizations is None or organizations.empty or boundaries is None or boundaries.empty:
        return
    lats, lons = _numbers(organizations, "lat"), _numbers(organizations, "lon")
    rows = organizations["_row"].tolist() if "_row" in organizations else [None] * len(lats)
    cells = (
        organizations["neighborhood"].tolist()
        if "neighborhood" in organizations
        else [None] * len(lats)
    )
    west, south, east, north = (float(v) for v in boundaries.total_bounds)
    box = (west, south, east, north)
    near: list[tuple[int, float, float, str]] = []  # (position, lon, lat, own neighborhood id)
    for position, (lat, lon) in enumerate(zip(lats, lons, strict=False)):
        row = rows[position]
        has_lat, has_lon = not math.isnan(lat), not math.isnan(lon)
        if not has_lat and not has_lon:
            continue
        if has_lat != has_lon:
            given, missing = ("lat", "lon") if has_lat else ("lon", "lat")
            problems.append(
                Problem(
                    file,
                    _(
                        "Only {given} is given, so the point is not shown; add {missing} or clear "
                        "both."
                    ).format(given=given, missing=missing),
                    row=row,
                    column=missing,
                    severity="warning",
                )
            )
            continue
        value = f"lat {lat:g}, lon {lon:g}"
        if not _inside(lon, lat, box) and _inside(lat, lon, box):
            problems.append(
                Problem(
                    file,
                    _(
                        "Latitude and longitude look swapped: swapped, the point falls inside the "
                        "city. Put the latitude (north-south, about {lat} here) in lat and the "
                        "longitude (about {lon}) in lon."
                    ).format(
                        lat=f"{(box[1] + box[3]) / 2:.2f}", lon=f"{(box[0] + box[2]) / 2:.2f}"
                    ),
                    row=row,
                    column="lat",
                    value=value,
                )
            )
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems.append(
                Problem(
                    file,
                    _(
                        "lat must be between -90 and 90 and lon between -180 and 180 (WGS84 "
                        "degrees, e.g. lat 41.7658, lon -72.6734)."
                    ),
                    row=row,
                    column="lat" if abs(lat) > 90 else "lon",
                    value=value,
                )
            )
            continue
        beyond = _beyond_box_m(lon, lat, box)
        if beyond > FAR_OUTSIDE_KM * 1000:
            problems.append(
                Problem(
                    file,
                    _(
                        "The point lies {distance} outside the city (more than {limit} km beyond "
                        "the area of its neighborhoods): check lat and lon (a missing minus "
                        "sign, a typo, a geocoder that found another town), or clear them."
                    ).format(distance=_distance_text(beyond), limit=f"{FAR_OUTSIDE_KM:g}"),
                    row=row,
                    column="lat",
                    value=value,
                )
            )
            continue
        own = cells[position]
        if own is not None and not (isinstance(own, float) and math.isnan(own)) and str(own):
            near.append((position, lon, lat, str(own)))
    if near:
        _check_own_neighborhood(near, rows, boundaries, names, metric_crs, file, problems)


def _check_own_neighborhood(
    near: list[tuple[int, float, float, str]],
    rows: list[Any],
    boundaries: gpd.GeoDataFrame,
    names: dict[str, str],
    metric_crs: str,
    file: str,
    problems: list[Problem],
) -> None:
    try:
        shapes = boundaries.to_crs(metric_crs)
        points = (
            gpd.GeoSeries(gpd.points_from_xy([p[1] for p in near], [p[2] for p in near]), crs=WGS84)
            .to_crs(metric_crs)
            .to_numpy()
        )
    except Exception as exc:  # a metric_crs problem is reported by its own check
        log.debug("own-neighborhood check skipped: %s", exc)
        return
    polygon_of = dict(zip(shapes["neighborhood_id"].astype(str), shapes.geometry, strict=False))
    ids = shapes["neighborhood_id"].astype(str).to_numpy()
    tree = shapely.STRtree(shapes.geometry.to_numpy())
    for (position, lon, lat, own), point in zip(near, points, strict=False):
        polygon = polygon_of.get(own)
        if polygon is None or not shapely.is_valid(point):
            continue
        distance = float(shapely.distance(point, polygon))
        if not math.isfinite(distance) or distance <= OWN_NEIGHBORHOOD_TOLERANCE_M:
            continue
        hits = tree.query(point, predicate="intersects")
        values = {
            "distance": _distance_text(distance),
            "own": names.get(own, own),
            "place": names.get(ids[hits[0]], ids[hits[0]]) if len(hits) else "",
        }
        message = (
            _(
                "The point lies {distance} outside its neighborhood {own} (it falls in {place}). "
                "Check lat/lon or the neighborhood cell."
            )
            if len(hits)
            else _(
                "The point lies {distance} outside its neighborhood {own} (it falls in no "
                "neighborhood). Check lat/lon or the neighborhood cell."
            )
        )
        problems.append(
            Problem(
                file,
                message.format(**values),
                row=rows[position],
                column="lat",
                value=f"lat {lat:g}, lon {lon:g}",
                severity="warning",
            )
        )


def check_overlaps(
    boundaries: gpd.GeoDataFrame,
    names: dict[str, str],
    metric_crs: str,
    file: str,
    problems: list[Problem],
) -> None:
    """Warn about each pair of neighborhoods overlapping by more than :data:`OVERLAP_MIN_SHARE`.

    The share is the overlap's area over the smaller neighborhood's area, measured in
    ``metric_crs``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> b = gpd.GeoDataFrame({"neighborhood_id": ["a", "b"],
    ...                       "geometry": [box(0, 0, 0.01, 0.01), box(0.005, 0, 0.015, 0.01)]},
    ...                      crs="EPSG:4326")
    >>> problems = []; check_overlaps(b, {"a": "A", "b": "B"}, "EPSG:32631", "n.geojson", problems)
    >>> problems[0].message.split(":")[0]
    'A and B overlap'
    """
    if boundaries is None or len(boundaries) < 2:
        return
    try:
        shapes = boundaries.to_crs(metric_crs)
        geoms = shapes.geometry.to_numpy()
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        overlap = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    except Exception as exc:  # GEOS trouble on odd shapes: the check is advisory
        log.debug("overlap check skipped: %s", exc)
        return
    ids = shapes["neighborhood_id"].astype(str).to_numpy()
    areas = shapely.area(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(smaller > 0, overlap / smaller, 0.0)
    for i, j, s, a in zip(left, right, share, overlap, strict=False):
        if not s > OVERLAP_MIN_SHARE:
            continue
        first, second = names.get(ids[i], ids[i]), names.get(ids[j], ids[j])
        small = second if areas[j] <= areas[i] else first
        problems.append(
            Problem(
                file,
                f"{first} and {second} overlap: {s:.0%} of {small} "
                f"({a / 1e6:.2f} km²) lies in both. Places in the overlap count "
                "for both neighborhoods on maps and in distances; fix the "
                "boundaries so each place is in one neighborhood.",
                value=f"{first} / {second}",
                severity="warning",
            )
        )


def check_sizes(
    boundaries: gpd.GeoDataFrame, metric_crs: str, file: str, problems: list[Problem]
) -> None:
    """Warn when the neighborhoods' median area is implausible for a city (see
    :data:`PLAUSIBLE_MEDIAN_KM2`).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> b = gpd.GeoDataFrame({"neighborhood_id": ["a"]}, geometry=[box(5, 10, 6, 11)],
    ...                      crs="EPSG:4326")
    >>> problems = []; check_sizes(b, "EPSG:32631", "n.geojson", problems)
    >>> problems[0].severity, "12,1" in problems[0].message
    ('warning', True)
    """
    if boundaries is None or boundaries.empty:
        return
    try:
        if not CRS.from_user_input(metric_crs).is_projected:
            return  # metric_crs is refused by its own check
        median = float(np.median(boundaries.to_crs(metric_crs).geometry.area)) / 1e6
    except Exception as exc:  # a metric_crs problem is reported by its own check
        log.debug("size check skipped: %s", exc)
        return
    low, high = PLAUSIBLE_MEDIAN_KM2
    if not math.isfinite(median) or low <= median <= high:
        return
    size = f"{median:,.0f} km²" if median >= 1 else f"{median * 1e6:,.0f} m²"
    what = "larger than most whole cities" if median > high else "smaller than a city block"
    problems.append(
        Problem(
            file,
            f"The neighborhoods measure {size} each (median), {what}. If "
            "that is not right, the coordinates are not in the CRS the file is "
            "read in (a GeoJSON is read as longitude/latitude degrees): check "
            "where the map puts them, and declare the file's real CRS with "
            "boundary_crs in city.toml.",
            severity="warning",
        )
    )


def check_geography(
    boundaries: gpd.GeoDataFrame | None,
    tables: dict[str, pd.DataFrame],
    files: dict[str, str],
    metric_crs: str,
    boundary_file: str,
    problems: list[Problem],
) -> None:
    """Run every geographic check on a city's matched boundaries and typed tables.

    Organizations are the only table with points (navigators and committees have a
    neighborhood, not coordinates).

    Examples
    --------
    >>> check_geography(None, {}, {}, "EPSG:32618", "neighborhoods.geojson", [])
    """
    if boundaries is None or boundaries.empty:
        return
    neighborhoods = tables.get("neighborhoods")
    names = {}
    if neighborhoods is not None and not neighborhoods.empty:
        names = dict(
            zip(
                neighborhoods["neighborhood_id"].astype(str),
                neighborhoods["name"].astype(str),
                strict=False,
            )
        )
    check_sizes(boundaries, metric_crs, boundary_file, problems)
    check_overlaps(boundaries, names, metric_crs, boundary_file, problems)
    organizations = tables.get("organizations")
    if organizations is not None:
        check_points(
            organizations,
            boundaries,
            names,
            metric_crs,
            files.get("organizations", "organizations.csv"),
            problems,
        )
