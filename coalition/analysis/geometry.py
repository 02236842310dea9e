"""Which neighborhoods border which, and which a committee covers under each coverage rule.

Adjacency and distance look-ups go through a shapely STRtree (a spatial index), so 2,300 census
tracts take a fraction of a second instead of the 2.6 million pair tests of a double loop.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import AnalysisError
from .graph_index import COVERAGE_RULES, GraphIndex

if TYPE_CHECKING:
    from scipy import sparse

logger = logging.getLogger(__name__)

# Two neighborhoods share a border when a stretch of one's boundary lies within SNAP_DEGREES
# (about 10 cm) of the other, longer than MIN_SHARED_BORDER of the shorter perimeter. The snap
# forgives digitising noise (hairline gaps and overlaps between neighbours); a corner contact
# stays far below the length threshold.
SNAP_DEGREES = 1e-6
MIN_SHARED_BORDER = 1e-3
# With the city's adjacency tolerance t > 0 (city.toml ``adjacency_tolerance_m``, carried as the
# graph attribute ``adjacency_tolerance_m``), borders are compared in the metric CRS: a stretch
# within t + SNAP_METRES counts, and 2 t is taken off its length, because any two shapes closer
# than t (even corner to corner) have about t of border near each end of their closest point.
SNAP_METRES = 0.1


def check_rule(rule: str, distance_km: float) -> None:
    """Raise :class:`AnalysisError` for an unknown coverage rule or a bad distance.

    Examples
    --------
    >>> check_rule("own", 1.0)
    """
    if rule not in COVERAGE_RULES:
        raise AnalysisError(
            f"Unknown coverage rule {rule!r}: use one of {', '.join(COVERAGE_RULES)} "
            "('own' = the committee's own neighborhood, 'adjacent' = plus the neighborhoods "
            "sharing a border, 'distance' = within distance_km)."
        )
    if rule == "distance" and (
        not isinstance(distance_km, (int, float))
        or isinstance(distance_km, bool)
        or not np.isfinite(distance_km)
        or distance_km <= 0
    ):
        raise AnalysisError(
            f"distance_km must be a positive number of kilometres, got {distance_km!r}."
        )


def adjacency_tolerance(index: GraphIndex) -> float:
    """The graph's ``adjacency_tolerance_m`` (metres, 0 when absent or not a usable number).

    Examples
    --------
    >>> from coalition.analysis.graph_index import index_graph
    >>> from coalition.analysis.synthetic import make_synthetic_graph
    >>> adjacency_tolerance(index_graph(make_synthetic_graph(orgs=20, ties=200, areas=4)))
    0.0
    """
    value = index.graph_attrs.get("adjacency_tolerance_m") or 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        return 0.0
    return max(float(value), 0.0)


def adjacency_pairs(index: GraphIndex) -> np.ndarray:
    """Pairs of neighborhood positions (i, j), i != j, whose polygons share a border.

    Positions follow ``index.neighborhoods`` (sorted ids). Touching only at a corner is not a
    shared border; slightly overlapping digitised borders still are. With the graph attribute
    ``adjacency_tolerance_m`` = t > 0, neighborhoods facing each other across a gap up to t metres
    wide (a river) share a border too; shapes only a corner apart still do not. Both directions
    of each pair are returned.

    Examples
    --------
    >>> from coalition.analysis.graph_index import index_graph
    >>> from coalition.analysis.synthetic import make_synthetic_graph
    >>> index = index_graph(make_synthetic_graph(orgs=20, ties=200, areas=4))
    >>> len(adjacency_pairs(index))  # a 2 x 2 grid: 4 shared borders, both directions
    8
    """
    # Shared by the ranking and the "adjacent" coverage rule of one refresh: computed once per
    # index (seconds at 23,000 areas), read-only so no caller can change another's pairs.
    return index.memo("adjacency_pairs", lambda: _adjacency_pairs(index))


def _adjacency_pairs(index: GraphIndex) -> np.ndarray:
    ids = index.neighborhoods.index
    geoms = np.array([index.geometries.get(n) for n in ids], dtype=object)
    present = np.array([g is not None and not shapely.is_empty(g) for g in geoms], dtype=bool)
    if present.sum() < 2:
        return np.empty((0, 2), dtype=np.int64)
    positions = np.flatnonzero(present)
    valid = geoms[present]
    tolerance = adjacency_tolerance(index)
    snap = SNAP_DEGREES
    if tolerance > 0:
        metric_crs = index.graph_attrs.get("metric_crs")
        if not metric_crs:
            raise AnalysisError(
                "The graph has an adjacency tolerance but no metric_crs to measure it in: set "
                "metric_crs in the city's city.toml."
            )
        valid = (
            gpd.GeoSeries(valid, crs=index.graph_attrs.get("crs", "EPSG:4326"))
            .to_crs(metric_crs)
            .to_numpy()
        )
        snap = tolerance + SNAP_METRES
    snapped = shapely.buffer(valid, snap, quad_segs=1 if tolerance == 0 else 8)
    tree = shapely.STRtree(valid)
    left, right = tree.query(snapped, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    a, b = valid[left], snapped[right]
    shared = shapely.length(shapely.intersection(shapely.boundary(a), b)) - 2 * tolerance
    shortest = np.minimum(shapely.length(a), shapely.length(b))
    neighbours = shared > MIN_SHARED_BORDER * shortest
    i, j = positions[left[neighbours]], positions[right[neighbours]]
    pairs = np.concatenate([np.column_stack([i, j]), np.column_stack([j, i])]).astype(np.int64)
    pairs.setflags(write=False)
    return pairs


def distance_pairs(index: GraphIndex, distance_km: float) -> np.ndarray:
    """Pairs (i, j), i != j, whose representative points lie within ``distance_km``.

    Distances are measured in the graph's ``metric_crs`` (metres).
    """
    frame = index.neighborhoods
    metric_crs = index.graph_attrs.get("metric_crs")
    if not metric_crs:
        raise AnalysisError(
            "The graph has no metric_crs, so distances cannot be measured: set metric_crs in "
            "the city's city.toml, or use rule='own' or 'adjacent'."
        )
    known = frame["lon"].notna().to_numpy() & frame["lat"].notna().to_numpy()
    if known.sum() < 2:
        return np.empty((0, 2), dtype=np.int64)
    positions = np.flatnonzero(known)
    points = gpd.GeoSeries(
        gpd.points_from_xy(frame["lon"].to_numpy()[known], frame["lat"].to_numpy()[known]),
        crs=index.graph_attrs.get("crs", "EPSG:4326"),
    ).to_crs(metric_crs)
    geoms = points.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=float(distance_km) * 1000.0)
    keep = left != right
    return np.column_stack([positions[left[keep]], positions[right[keep]]]).astype(np.int64)


def coverage_pairs(index: GraphIndex, rule: str = "own", distance_km: float = 1.0) -> np.ndarray:
    """Position pairs (j, i), a committee in j covering i: each once, sorted, diagonal included.

    The cells of :func:`coverage_matrix`, without scipy (coverage needs no matrix algebra).

    Parameters
    ----------
    index : GraphIndex
    rule : {"own", "adjacent", "distance"}
    distance_km : float
        Used by the "distance" rule only.

    Examples
    --------
    >>> from coalition.analysis.graph_index import index_graph
    >>> from coalition.analysis.synthetic import make_synthetic_graph
    >>> index = index_graph(make_synthetic_graph(orgs=20, ties=200, areas=4))
    >>> coverage_pairs(index, "own").tolist()
    [[0, 0], [1, 1], [2, 2], [3, 3]]
    >>> len(coverage_pairs(index, "adjacent"))
    12
    """
    check_rule(rule, distance_km)
    n = len(index.neighborhoods)
    if rule == "own":
        pairs = np.empty((0, 2), dtype=np.int64)
    elif rule == "adjacent":
        pairs = adjacency_pairs(index)
    else:
        pairs = distance_pairs(index, distance_km)
    diagonal = np.repeat(np.arange(n, dtype=np.int64), 2).reshape(-1, 2)
    return np.unique(np.concatenate([diagonal, pairs.astype(np.int64)]), axis=0)


def coverage_matrix(
    index: GraphIndex, rule: str = "own", distance_km: float = 1.0
) -> sparse.csr_matrix:
    """Boolean sparse matrix C with C[j, i] true when a committee in j would cover i.

    Rows and columns follow ``index.neighborhoods`` (sorted ids); the diagonal is always true.

    Parameters
    ----------
    index : GraphIndex
    rule : {"own", "adjacent", "distance"}
    distance_km : float
        Used by the "distance" rule only.

    Examples
    --------
    >>> from coalition.analysis.graph_index import index_graph
    >>> from coalition.analysis.synthetic import make_synthetic_graph
    >>> index = index_graph(make_synthetic_graph(orgs=20, ties=200, areas=4))
    >>> int(coverage_matrix(index, "own").sum()), int(coverage_matrix(index, "adjacent").sum())
    (4, 12)
    """
    from scipy import sparse  # ~0.1 s to import: only the plan's matrix algebra needs it

    pairs = coverage_pairs(index, rule, distance_km)
    n = len(index.neighborhoods)
    data = np.ones(len(pairs), dtype=bool)
    matrix = sparse.csr_matrix((data, (pairs[:, 0], pairs[:, 1])), shape=(n, n), dtype=bool)
    logger.debug("coverage matrix (%s): %d neighborhoods, %d links", rule, n, matrix.nnz)
    return matrix


def positions_of(index: GraphIndex, neighborhood_ids: Sequence[str]) -> np.ndarray:
    """Positions of neighborhood ids in ``index.neighborhoods``; unknown ids raise.

    Examples
    --------
    >>> from coalition.analysis.graph_index import index_graph
    >>> from coalition.analysis.synthetic import make_synthetic_graph
    >>> index = index_graph(make_synthetic_graph(orgs=20, ties=200, areas=4))
    >>> positions_of(index, ["area-00002"]).tolist()
    [2]
    """
    if isinstance(neighborhood_ids, str):
        neighborhood_ids = [neighborhood_ids]
    ids = pd.Index(index.neighborhoods.index)
    wanted = [str(n) for n in neighborhood_ids]
    unknown = [n for n in wanted if n not in ids]
    if unknown:
        sample = ", ".join(list(ids[:5]))
        raise AnalysisError(
            f"Unknown neighborhood id(s): {', '.join(unknown)}. Use neighborhood ids from the "
            f"data (e.g. {sample})."
        )
    return ids.get_indexer(wanted).astype(np.int64)
