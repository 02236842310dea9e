"""Shareable map files: the analyses drawn as self-contained HTML pages (``coalition maps``).

A commission that installs nothing gets a folder of HTML files that open from a USB stick with no
internet and no Python: one map per measure, and an index page. This module joins the analyses'
results to the neighborhoods (computing) and hands them to :mod:`coalition.maps` (drawing).

Examples
--------
>>> from coalition.map_files import write_city_maps
>>> write_city_maps(G, Path("maps"))  # doctest: +SKIP
[PosixPath('maps/foreign_born.html'), ..., PosixPath('maps/index.html')]
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import networkx as nx

from . import analysis, maps, schema
from .errors import AnalysisError
from .model import nodes_frame

log = logging.getLogger(__name__)

# Measure -> map title, in the order the index lists them.
MAP_TITLES = {
    "foreign_born": "Foreign-born residents by neighborhood",
    "share_foreign_born": "Share of residents born abroad",
    "committee_status": "Neighborhood welcoming committees",
    "score": "Candidates for the next welcoming committee",
    "gap_count": "Coalition gaps by neighborhood",
}


def neighborhood_measures(
    G: nx.MultiDiGraph,
    ranking: analysis.RankReport | None = None,
    *,
    index: analysis.GraphIndex | None = None,
) -> gpd.GeoDataFrame:
    """The neighborhoods with every map measure: figures, committee status, score, gap count.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph (left unchanged).
    ranking : RankReport, optional
        A ranking already computed (default: the ranking with the default weights).
        Neighborhoods with an active committee have no score; when no neighborhood is left to
        rank, no neighborhood has one.
    index : GraphIndex, optional
        ``analysis.index_graph(G)``, if already built.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by neighborhood id, EPSG:4326.

    Examples
    --------
    >>> frame = neighborhood_measures(G)  # doctest: +SKIP
    >>> frame.loc["cedar", "gap_count"]  # doctest: +SKIP
    2.0
    """
    index = index if index is not None else analysis.index_graph(G)
    if ranking is None:
        try:
            ranking = analysis.rank_candidates(index)
        except AnalysisError:  # every neighborhood already has an active committee
            log.info("no candidate neighborhoods: the score measure is empty")
    frame = maps.neighborhood_map_frame(G)
    if ranking is None:
        frame["score"] = float("nan")
    else:
        scores = ranking.candidates.set_index("neighborhood_id")["score"]
        frame["score"] = scores.reindex(frame.index)
    # The same count as the score's gaps component, so map and ranking agree.
    counts, _ = analysis.gap_findings_by_neighborhood(index)
    frame["gap_count"] = counts.reindex(frame.index).fillna(0)
    return frame


def write_city_maps(G: nx.MultiDiGraph, out_dir: Path, *, tiles: bool = False) -> list[Path]:
    """Write one self-contained HTML map per measure, and an index, into ``out_dir``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph.
    out_dir : pathlib.Path
        The folder (created if needed).
    tiles : bool
        Add an OpenStreetMap basemap; it shows only where there is internet, and the map stays
        readable without it.

    Returns
    -------
    list of pathlib.Path
        The files written, index last.
    """
    frame = neighborhood_measures(G)
    # What every measure's map shares (simplified boundaries, committees, the organization
    # layer) is computed once.
    layers = maps.prepare_map_layers(
        frame,
        organizations=nodes_frame(G, schema.ORGANIZATION),
        committees=nodes_frame(G, schema.COMMITTEE),
    )
    city = G.graph.get("city") or "City"
    drawn = {}
    for measure, title in MAP_TITLES.items():
        m = maps.neighborhood_map(
            frame,
            measure,
            layers=layers,
            tiles="OpenStreetMap" if tiles else None,
            title=f"{city}: {title}",
        )
        drawn[measure] = m
    paths = maps.write_map_files(drawn, Path(out_dir))
    log.info("wrote %d map files to %s", len(paths), out_dir)
    return paths
