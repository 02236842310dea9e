"""Area-weighted apportioning of census estimates (with margins of error) to other polygons.

Census figures come for tracts; a coalition thinks in neighborhoods. :func:`apportion` moves
count estimates (people, foreign-born residents…) from source polygons (tracts) to target
polygons (neighborhoods) in proportion to area, and carries the margins of error along.

Method
------
Both layers are projected to a metric CRS, and each source polygon *i* is intersected with each
target *j*. The weight ``w_ij`` is the area of ``i ∩ j`` divided by the area of ``i`` that falls
inside the *union of the targets* (not by the whole area of ``i``): the two layers rarely align
perfectly (water, slivers, boundary files of different vintages), and normalising this way hands
out every source's full estimate, so the targets' totals equal the sources' totals.

- Estimates: ``E_j = sum_i w_ij * E_i``, one sparse matrix product (the same figures as PySAL
  ``tobler``'s ``area_interpolate`` with ``allocate_total=True``, checked when it was replaced).
- Margins of error: the Census Bureau's approximation for a derived sum,
  ``MOE_j = sqrt(sum_i (w_ij * MOE_i) ** 2)``. It treats the sources' sampling errors as
  independent, and scales each source's margin by the share of it that is apportioned (the
  ACS handbook's formula for a sum of estimates, each multiplied by a constant weight).

Area weighting assumes people are spread evenly inside each source polygon; it is the standard,
transparent choice when nothing finer (blocks, parcels) is at hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError
from scipy.sparse import csr_matrix

from .errors import DataError

logger = logging.getLogger(__name__)

__all__ = ["apportion", "area_weights"]


def _check_layer(frame: object, role: str) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise DataError(
            f"The {role} must be a GeoDataFrame (got {type(frame).__name__}); "
            "read it with geopandas.read_file."
        )
    if frame.empty:
        raise DataError(f"The {role} layer has no rows; give it at least one polygon.")
    if frame.crs is None:
        raise DataError(
            f"The {role} layer has no CRS, so its coordinates cannot be placed on "
            "the map. Declare it (e.g. frame.set_crs('EPSG:4326')) or fix the file."
        )
    if not frame.index.is_unique:
        raise DataError(
            f"The {role} layer has duplicate index labels; give every row its own "
            "label (e.g. frame.reset_index(drop=True))."
        )
    geometry = frame.geometry
    if geometry.isna().any() or geometry.is_empty.any():
        raise DataError(
            f"The {role} layer has missing or empty geometries; drop or fix those rows."
        )
    if not geometry.is_valid.all():
        bad = list(frame.index[~geometry.is_valid])[:5]
        raise DataError(
            f"The {role} layer has invalid geometries (rows {bad}); repair them "
            "(e.g. shapely.make_valid) and try again."
        )


def _check_metric_crs(metric_crs: str) -> CRS:
    try:
        crs = CRS.from_user_input(metric_crs)
    except CRSError as exc:
        raise DataError(
            f"Unknown metric CRS {metric_crs!r}: give an EPSG code such as 'EPSG:32618'."
        ) from exc
    if not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
        raise DataError(
            f"The metric CRS {metric_crs!r} is not a projected CRS in metres; "
            "areas would be wrong. Use e.g. a UTM zone ('EPSG:32618')."
        )
    return crs


def area_weights(
    sources: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, metric_crs: str
) -> pd.DataFrame:
    """The share of each source polygon that falls in each target polygon.

    Parameters
    ----------
    sources, targets : geopandas.GeoDataFrame
        Polygon layers with a declared CRS (any; both are projected to ``metric_crs``).
    metric_crs : str
        A projected CRS in metres, e.g. ``"EPSG:32618"``.

    Returns
    -------
    pandas.DataFrame
        One row per intersecting (source, target) pair: ``source`` and ``target`` (index labels
        of the inputs), ``area_m2`` (area of the intersection) and ``weight`` (that area divided
        by the source's area inside the union of the targets, so each source's weights sum
        to 1). Sources that touch no target are absent.

    Raises
    ------
    coalition.errors.DataError
        If a layer is not a GeoDataFrame, is empty, has no CRS or has invalid geometries, or if
        ``metric_crs`` is not a projected CRS in metres.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> src = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 1)], crs="EPSG:32618")
    >>> tgt = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:32618")
    >>> area_weights(src, tgt, "EPSG:32618")["weight"].tolist()
    [0.5, 0.5]
    """
    _check_layer(sources, "sources")
    _check_layer(targets, "targets")
    _check_metric_crs(metric_crs)
    source_geometry = sources.geometry.to_crs(metric_crs).reset_index(drop=True)
    target_geometry = targets.geometry.to_crs(metric_crs).reset_index(drop=True)
    target_positions, source_positions = source_geometry.sindex.query(
        target_geometry, predicate="intersects"
    )
    areas = (
        source_geometry.values[source_positions]
        .intersection(target_geometry.values[target_positions])
        .area
    )
    pairs = pd.DataFrame(
        {"source_position": source_positions, "target_position": target_positions, "area_m2": areas}
    )
    pairs = pairs[pairs["area_m2"] > 0]  # polygons that only touch along an edge share nothing
    inside = pairs.groupby("source_position")["area_m2"].transform("sum")
    pairs = pairs.assign(weight=pairs["area_m2"] / inside)
    pairs = pairs.sort_values(["source_position", "target_position"], kind="stable")
    return pd.DataFrame(
        {
            "source": sources.index[pairs["source_position"].to_numpy()],
            "target": targets.index[pairs["target_position"].to_numpy()],
            "area_m2": pairs["area_m2"].to_numpy(),
            "weight": pairs["weight"].to_numpy(),
        }
    )


def _numeric_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"The sources have no {what} column(s) {missing}; available columns: "
            f"{[c for c in frame.columns if c != frame.geometry.name]}."
        )
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.fillna(0.0))
        if bad.any():
            rows = list(frame.index[bad])[:5]
            raise DataError(
                f"The {what} column {column!r} has missing, infinite or non-numeric "
                f"values (rows {rows}); fill them with numbers before apportioning."
            )
        if (values < 0).any():
            raise DataError(
                f"The {what} column {column!r} has negative values; estimates and "
                "margins of error are counts and cannot be negative."
            )


def apportion(
    sources: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    estimates: Sequence[str],
    moes: Mapping[str, str],
    metric_crs: str,
) -> pd.DataFrame:
    """Apportion count estimates and their margins of error from sources to targets by area.

    See the module docstring for the method (weights normalised to the part of each source
    inside the union of the targets, so totals are preserved; MOEs combined as independent).

    Parameters
    ----------
    sources : geopandas.GeoDataFrame
        Source polygons (e.g. census tracts) carrying the estimate and MOE columns.
    targets : geopandas.GeoDataFrame
        Target polygons (e.g. neighborhoods).
    estimates : sequence of str
        Columns of ``sources`` holding counts to apportion (extensive variables).
    moes : mapping of str to str
        ``{estimate column: its margin-of-error column}`` in ``sources``; may cover only some
        of the estimates.
    metric_crs : str
        A projected CRS in metres in which areas are measured, e.g. ``"EPSG:32618"``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``targets``: one column per estimate (float) followed by one per MOE
        (named as in ``sources``). A target that touches no source gets 0.

    Raises
    ------
    coalition.errors.DataError
        On a layer without CRS, empty or invalid geometries, a missing, non-numeric or negative
        estimate / MOE column, an MOE for a column not in ``estimates``, or a metric CRS that is
        not projected in metres.

    Examples
    --------
    One tract of 100 people (MOE 20) split half and half by two neighborhoods:

    >>> from shapely.geometry import box
    >>> tract = gpd.GeoDataFrame({"pop": [100], "pop_moe": [20]}, geometry=[box(0, 0, 2, 1)],
    ...                          crs="EPSG:32618")
    >>> hoods = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], index=["a", "b"],
    ...                          crs="EPSG:32618")
    >>> apportion(tract, hoods, ["pop"], {"pop": "pop_moe"}, "EPSG:32618").loc["a"].tolist()
    [50.0, 10.0]
    """
    estimates = list(estimates)
    if not estimates:
        raise DataError("Name at least one estimate column to apportion.")
    unknown = [c for c in moes if c not in estimates]
    if unknown:
        raise DataError(
            f"Margins of error given for {unknown}, which are not among the "
            f"estimates {estimates}; list them in estimates too."
        )
    weights = area_weights(sources, targets, metric_crs)  # checks layers and CRS
    _numeric_columns(sources, estimates, "estimate")
    _numeric_columns(sources, list(moes.values()), "margin of error")

    source_position = pd.Series(np.arange(len(sources)), index=sources.index)
    target_position = pd.Series(np.arange(len(targets)), index=targets.index)
    rows = source_position.loc[weights["source"]].to_numpy()
    cols = target_position.loc[weights["target"]].to_numpy()
    shape = (len(sources), len(targets))
    weight_table = csr_matrix((weights["weight"].to_numpy(), (rows, cols)), shape=shape)

    values = sources[estimates].apply(pd.to_numeric).astype(float)
    lost = values[~source_position.isin(rows).to_numpy() & (values.sum(axis=1) > 0).to_numpy()]
    if not lost.empty:
        logger.warning(
            "%d source polygon(s) with non-zero estimates lie outside every target "
            "and are not apportioned: %s",
            len(lost),
            list(lost.index)[:10],
        )

    # E_j = sum_i w_ij * E_i for every estimate at once: one sparse product.
    result = pd.DataFrame(
        weight_table.T @ values.to_numpy(dtype=float), index=targets.index, columns=estimates
    )

    squared_weights = weight_table.multiply(weight_table).T.tocsr()
    for moe_column in moes.values():
        source_moes = pd.to_numeric(sources[moe_column]).to_numpy(dtype=float)
        result[moe_column] = np.sqrt(squared_weights @ (source_moes**2))
    return result
