"""Shareable map files: the analyses drawn as self-contained HTML pages (``coalition maps``).

A commission that installs nothing gets a folder of HTML files that open from a USB stick with no
internet and no Python: one map per measure, and an index page. This module joins the analyses'
results to the neighborhoods (computing) and hands them to :mod:`coalition.maps` (drawing).

Map files are shared, so they are public by default: resident counts are protected
(:func:`coalition.maps.protect_neighborhoods`) with the whole city's counts and lines
(:func:`coalition.analysis.coverage.index_counts`, as the dashboard's protected counts are).
``disclosure=`` an exact :class:`~coalition.privacy.Disclosure` (``coalition maps --exact``)
draws exact figures, each legend saying :data:`coalition.privacy.EXACT_LABEL`.

Examples
--------
>>> from coalition.map_files import write_city_maps
>>> write_city_maps(city, Path("maps"))  # doctest: +SKIP
[PosixPath('maps/foreign_born.html'), ..., PosixPath('maps/index.html')]

``write_city_maps`` takes the graph, or the city's tables: then it reads them through the
analyses' index (:func:`coalition.analysis.graph_index.index_city`) and never builds the
networkx graph (seconds at 10,000 organizations), and draws the same bytes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from . import analysis, maps, privacy, schema
from .analysis.coverage import index_counts
from .analysis.graph_index import index_city
from .errors import AnalysisError
from .model import WGS84, CityData, build_graph, clean_columns, is_member, nodes_frame

log = logging.getLogger(__name__)

# Measure -> map title, in the order the index lists them.
MAP_TITLES = {
    "foreign_born": "Foreign-born residents by neighborhood",
    "share_foreign_born": "Share of residents born abroad",
    "committee_status": "Neighborhood welcoming committees",
    "score": "Candidates for the next welcoming committee",
    "gap_count": "Coalition gaps by neighborhood",
}


@dataclass(frozen=True)
class MapTables:
    """What the maps read of a city: its neighborhoods, organizations and committees.

    Attributes
    ----------
    neighborhoods : geopandas.GeoDataFrame
        :func:`coalition.maps.neighborhood_map_frame` (indexed by id, EPSG:4326).
    organizations, committees : pandas.DataFrame
        ``nodes_frame(G, kind)`` of each kind (indexed by id).
    """

    neighborhoods: gpd.GeoDataFrame
    organizations: pd.DataFrame
    committees: pd.DataFrame


def map_tables(
    source: nx.MultiDiGraph | CityData | analysis.GraphIndex,
    index: analysis.GraphIndex | None = None,
) -> MapTables:
    """The neighborhoods, organizations and committees the maps draw, from a graph or a city.

    From a city, the frames are read from its tables as :func:`coalition.model.build_graph`
    would put them on the nodes (equal to what the graph gives), without building the graph;
    the committee status and the boundaries come from ``index``. A city whose tables only the
    graph can merge (an id in two tables, a missing id column) is read through its graph.

    Parameters
    ----------
    source : networkx.MultiDiGraph, CityData or GraphIndex
        The coalition graph, or the city's validated tables (left unchanged); an index stands
        for its graph (:attr:`GraphIndex.graph`: prefer the city, which needs no graph).
    index : GraphIndex, optional
        ``index_city(city)`` (or ``index_graph(G)``), if already built.

    Returns
    -------
    MapTables

    Examples
    --------
    >>> tables = map_tables(city)  # doctest: +SKIP
    >>> tables.neighborhoods.loc["alder", "committee_status"]  # doctest: +SKIP
    'active'
    """
    if isinstance(source, analysis.GraphIndex):  # its graph (built now if read from tables)
        source, index = source.graph, source
    if isinstance(source, CityData):
        frames = _node_frames(source)
        if frames is not None:
            index = index if index is not None else index_city(source)
            return _tables_from_city(frames, index)
        source = index.graph if index is not None else build_graph(source)
    return MapTables(
        neighborhoods=maps.neighborhood_map_frame(source),
        organizations=nodes_frame(source, schema.ORGANIZATION),
        committees=nodes_frame(source, schema.COMMITTEE),
    )


def _tables_from_city(frames: dict[str, pd.DataFrame], index: analysis.GraphIndex) -> MapTables:
    neighborhoods = frames[schema.NEIGHBORHOOD]  # not empty: index_city needs neighborhoods
    geometry = pd.Series(
        [index.geometries.get(n) for n in neighborhoods.index],
        index=neighborhoods.index,
        dtype=object,
    )
    neighborhoods = gpd.GeoDataFrame(
        neighborhoods.assign(geometry=geometry), geometry="geometry", crs=WGS84
    )
    status = index.neighborhoods["committee_status"]
    return MapTables(
        neighborhoods=maps.with_map_measures(neighborhoods, status.to_dict()),
        organizations=frames[schema.ORGANIZATION],
        committees=frames[schema.COMMITTEE],
    )


def _node_frames(city: CityData) -> dict[str, pd.DataFrame] | None:
    """Per kind, ``nodes_frame(build_graph(city), kind)`` read from the tables (the
    neighborhoods without their geometry and point), or None when only the graph can tell."""
    cells_of: dict[str, dict[str, list[Any]]] = {}
    for table in schema.KIND_OF_TABLE:
        frame = city.tables.get(table)
        if frame is None:
            continue
        if schema.ID_COLUMNS[table] not in frame.columns:
            return None
        cells_of[table] = clean_columns(frame, table)
    ids_of = {
        table: [str(v) for v in cells[schema.ID_COLUMNS[table]]]
        for table, cells in cells_of.items()
    }
    every_id = [n for ids in ids_of.values() for n in ids]
    if len(set(every_id)) != len(every_id):  # the graph merges such rows into one node
        return None
    frames = {}
    for table, kind in schema.KIND_OF_TABLE.items():
        if not ids_of.get(table):
            frames[kind] = pd.DataFrame(columns=["id", "kind", "name"]).set_index("id")
            continue
        frames[kind] = _node_frame(kind, ids_of[table], cells_of[table], schema.ID_COLUMNS[table])
    return frames


def _node_frame(
    kind: str, ids: list[str], cells: dict[str, list[Any]], id_column: str
) -> pd.DataFrame:
    """One kind's node attributes, as build_graph sets them, a column at a time."""
    blank = [None] * len(ids)
    columns = {c: v for c, v in cells.items() if c != id_column}
    columns["kind"] = [kind] * len(ids)
    columns["source"] = [v or "" for v in cells.get("source", blank)]
    columns["source_date"] = [v or "" for v in cells.get("source_date", blank)]
    columns["illustrative"] = [bool(v) for v in cells.get("illustrative", blank)]
    columns["illustrative_columns"] = [
        [str(c) for c in v] if isinstance(v, (list, tuple)) else []
        for v in cells.get("illustrative_columns", blank)
    ]
    for list_column in ("services", "languages"):
        if list_column in columns:
            columns[list_column] = [list(v or []) for v in columns[list_column]]
    if kind == schema.ORGANIZATION:
        columns["member"] = [is_member(v) for v in cells.get("member", blank)]
    if kind == schema.NAVIGATOR:
        columns["name"] = [a or n for a, n in zip(cells.get("alias", blank), ids, strict=True)]
    frame = pd.DataFrame({"id": ids, **columns})
    return frame.set_index("id").sort_index()


def neighborhood_measures(
    G: nx.MultiDiGraph | CityData | analysis.GraphIndex,
    ranking: analysis.RankReport | None = None,
    *,
    index: analysis.GraphIndex | None = None,
    tables: MapTables | None = None,
    disclosure: privacy.Disclosure | None = None,
) -> gpd.GeoDataFrame:
    """The neighborhoods with every map measure: figures, committee status, score, gap count.

    Parameters
    ----------
    G : networkx.MultiDiGraph, CityData or GraphIndex
        The coalition graph, or the city's tables (read through ``index`` without building
        the graph), or an index standing for its graph (see :func:`map_tables`); left
        unchanged.
    ranking : RankReport, optional
        A ranking already computed (default: the ranking with the default weights, from
        ``index``). Neighborhoods with an active committee have no score; when no
        neighborhood is left to rank, no neighborhood has one.
    index : GraphIndex, optional
        ``analysis.index_graph(G)`` or ``index_city(city)``, if already built.
    tables : MapTables, optional
        ``map_tables(G, index)``, if already read.
    disclosure : Disclosure, optional
        Who sees the figures (default ``Disclosure.public()``): resident counts protected with
        the whole city's lines (:func:`coalition.maps.protect_neighborhoods`,
        :func:`coalition.analysis.coverage.index_counts`); hidden ones are text. Exact: unchanged.

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
    if index is None:
        index = _index_of(G)
    if ranking is None:
        try:
            ranking = analysis.rank_candidates(index)
        except AnalysisError:  # every neighborhood already has an active committee
            log.info("no candidate neighborhoods: the score measure is empty")
    frame = (tables if tables is not None else map_tables(G, index)).neighborhoods.copy()
    if ranking is None:
        frame["score"] = float("nan")
    else:
        scores = ranking.candidates.set_index("neighborhood_id")["score"]
        frame["score"] = scores.reindex(frame.index)
    # The same count as the score's gaps component, so map and ranking agree.
    counts, _ = analysis.gap_findings_by_neighborhood(index)
    frame["gap_count"] = counts.reindex(frame.index).fillna(0)
    disclosure = disclosure if disclosure is not None else privacy.Disclosure.public()
    return maps.protect_neighborhoods(
        frame, disclosure, counts=None if disclosure.exact else index_counts(index)
    )


def _index_of(source: nx.MultiDiGraph | CityData | analysis.GraphIndex) -> analysis.GraphIndex:
    if isinstance(source, CityData):
        return index_city(source)
    return analysis.as_index(source)


def write_city_maps(
    G: nx.MultiDiGraph | CityData | analysis.GraphIndex,
    out_dir: Path,
    *,
    tiles: bool = False,
    index: analysis.GraphIndex | None = None,
    disclosure: privacy.Disclosure | None = None,
) -> list[Path]:
    """Write one self-contained HTML map per measure, and an index, into ``out_dir``.

    Parameters
    ----------
    G : networkx.MultiDiGraph, CityData or GraphIndex
        The coalition graph, or the city's tables (then the graph is never built: the
        analyses read ``index_city(city)``, the maps the tables; the same files are written),
        or an index standing for its graph.
    out_dir : pathlib.Path
        The folder (created if needed).
    tiles : bool
        Add an OpenStreetMap basemap; it shows only where there is internet, and the map stays
        readable without it.
    index : GraphIndex, optional
        The analyses' index of ``G``, if already built.
    disclosure : Disclosure, optional
        Default ``Disclosure.public()`` (files people share: small counts hidden); an exact one
        draws exact figures, every legend saying :data:`coalition.privacy.EXACT_LABEL`.

    Returns
    -------
    list of pathlib.Path
        The files written, index last.

    Examples
    --------
    >>> write_city_maps(city, Path("maps"))[-1].name  # doctest: +SKIP
    'index.html'
    """
    if index is None:
        index = _index_of(G)
    tables = map_tables(G, index)
    # The ranking and the gap counts are computed once, from the one index, for every measure.
    disclosure = disclosure if disclosure is not None else privacy.Disclosure.public()
    frame = neighborhood_measures(G, index=index, tables=tables, disclosure=disclosure)
    # What every measure's map shares (simplified boundaries, committees, the organization
    # layer) is computed once.
    layers = maps.prepare_map_layers(
        frame, organizations=tables.organizations, committees=tables.committees
    )
    city = index.graph_attrs.get("city") or "City"
    drawn = {}
    for measure, title in MAP_TITLES.items():
        m = maps.neighborhood_map(
            frame,
            measure,
            layers=layers,
            tiles="OpenStreetMap" if tiles else None,
            title=f"{city}: {title}",
            disclosure=disclosure,
        )
        drawn[measure] = m
    paths = maps.write_map_files(drawn, Path(out_dir))
    log.info("wrote %d map files to %s", len(paths), out_dir)
    return paths
