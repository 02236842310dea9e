"""The typed coalition graph, built from a city's validated tables.

:func:`build_graph` turns a :class:`CityData` (what :mod:`coalition.ingest` reads and
:mod:`coalition.store` keeps) into a :class:`networkx.MultiDiGraph` following
:mod:`coalition.schema`. The frame helpers turn the graph back into tables for analyses, maps and
exports. None of these functions mutates its input.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from . import i18n, schema
from .schema import COMMITTEE, COMMUNITY, NAVIGATOR, NEIGHBORHOOD, ORGANIZATION

WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class CityData:
    """A city's validated tables.

    Attributes
    ----------
    name : str
        The city's display name.
    tables : dict of str to pandas.DataFrame
        One frame per table in :data:`coalition.schema.TABLES`, with the schema's columns. List
        cells (services, languages) are Python lists; ``neighborhood`` cells hold neighborhood ids
        (already matched); booleans are ``bool``; missing values are ``None``/NaN.
    boundaries : geopandas.GeoDataFrame
        Columns ``neighborhood_id`` and ``geometry`` in EPSG:4326, one row per neighborhood.
    metric_crs : str
        A projected CRS in metres for areas and distances (e.g. ``"EPSG:32618"``).
    meta : dict
        Free metadata (e.g. the folder it came from, the warnings found when reading it).
    """

    name: str
    tables: dict[str, pd.DataFrame]
    boundaries: gpd.GeoDataFrame
    metric_crs: str
    meta: dict = field(default_factory=dict)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many objects at once.

    Building a 100,000-row table or graph creates hundreds of thousands of lists, dicts and
    tuples; each burst makes the collector rescan everything alive (half the time of reading
    a 10,000-organization store). These objects hold no reference cycles, so nothing is
    lost by collecting after. Re-enabled on exit only if it was enabled on entry (nesting,
    threads).

    Examples
    --------
    >>> with gc_paused():
    ...     rows = [[i] for i in range(3)]
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def clean_columns(
    frame: pd.DataFrame, table: str, only: Iterable[str] | None = None
) -> dict[str, list[Any]]:
    """A table's columns as lists of plain Python values: missing values None, integers integers.

    Cleaned a column at a time (a per-cell loop costs seconds at 100,000 ties). pandas stores an
    integer column holding a missing value as float: undo that, so that a count of residents
    never shows as "698.0". ``only`` names the columns wanted (default: all of the frame's).
    The graph's node attributes and the maps' frames are read through it, so both agree.

    Examples
    --------
    >>> clean_columns(pd.DataFrame({"residents": [698, None]}), "ties")
    {'residents': [698, None]}
    """
    int_columns = {c.name for c in schema.TABLES[table] if c.type == "int"}
    wanted = None if only is None else set(only)
    columns = {}
    for name in frame.columns:
        if wanted is not None and name not in wanted:
            continue
        series = frame[name]
        if name in int_columns:
            numbers = pd.to_numeric(series, errors="coerce")
            missing = numbers.isna().tolist()
            values = [
                None if gone else int(v) for v, gone in zip(numbers.tolist(), missing, strict=True)
            ]
        elif series.dtype == object:  # values.plain, with the missing test done for the column
            missing = series.isna().tolist()  # pd.isna per cell (containers are never missing)
            values = [
                None if gone else (v.item() if isinstance(v, np.generic) else v)
                for v, gone in zip(series.tolist(), missing, strict=True)
            ]
        else:  # numeric, bool: tolist() gives Python scalars; NaN -> None
            values = [None if v != v else v for v in series.tolist()]
        columns[name] = values
    return columns


def _provenance(row: dict[str, Any]) -> dict[str, Any]:
    """Source, date, whole-row ``illustrative`` and the ``illustrative_columns`` of a real row."""
    guessed = row.get("illustrative_columns")
    return {
        "source": row.get("source") or "",
        "source_date": row.get("source_date") or "",
        "illustrative": bool(row.get("illustrative")),
        "illustrative_columns": [str(c) for c in guessed]
        if isinstance(guessed, (list, tuple))
        else [],
    }


def is_member(value: Any) -> bool:
    """An organization's ``member`` cell as a bool: only an explicit no (False) is not a member.

    A missing column or a blank cell means a member, so that files written before the column
    existed keep their meaning.

    Examples
    --------
    >>> is_member(None), is_member(True), is_member(False)
    (True, True, False)
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return not (isinstance(value, str) and value.strip().lower() in ("no", "n", "false"))


def is_illustrative(data: dict[str, Any], column: str | None = None) -> bool:
    """True when a node's or tie's value is made up: the whole row, or (given) that column.

    Examples
    --------
    >>> is_illustrative({"illustrative": False, "illustrative_columns": ["population"]},
    ...                 "population")
    True
    """
    if data.get("illustrative"):
        return True
    return column is not None and column in (data.get("illustrative_columns") or [])


def build_graph(city: CityData) -> nx.MultiDiGraph:
    """Build the coalition graph from a city's tables.

    Parameters
    ----------
    city : CityData
        Validated tables (see :func:`coalition.ingest.read_city`).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with ``kind`` and the table's columns; edges keyed by tie type.
        Neighborhood nodes also carry ``geometry`` (shapely, EPSG:4326), ``lon``/``lat`` of a
        point inside the polygon, and ``area_km2``.

    Examples
    --------
    >>> from coalition.ingest import read_city
    >>> G = build_graph(read_city("data/hartford"))  # doctest: +SKIP
    >>> G.nodes["asylum-hill"]["kind"]  # doctest: +SKIP
    'neighborhood'
    """
    with gc_paused():
        return _build_graph(city)


def _build_graph(city: CityData) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(
        city=city.name,
        crs=WGS84,
        metric_crs=city.metric_crs,
        adjacency_tolerance_m=float(city.meta.get("adjacency_tolerance_m") or 0),
    )
    boundaries = city.boundaries.to_crs(WGS84) if city.boundaries.crs else city.boundaries
    geometry_by_id = dict(zip(boundaries["neighborhood_id"], boundaries.geometry, strict=False))
    areas = boundaries.to_crs(city.metric_crs).geometry.area / 1e6
    area_by_id = dict(zip(boundaries["neighborhood_id"], areas, strict=False))

    cleaned: dict[str, dict[str, list[Any]]] = {}  # each table cleaned once, for nodes and ties
    for table, kind in schema.KIND_OF_TABLE.items():
        frame = city.tables.get(table)
        if frame is None:
            continue
        id_column = schema.ID_COLUMNS[table]
        cleaned[table] = clean_columns(frame, table)
        columns = cleaned[table]
        for values in zip(*columns.values(), strict=True):
            row = dict(zip(columns, values, strict=True))
            node_id = str(row[id_column])
            attrs = {k: v for k, v in row.items() if k != id_column}
            attrs["kind"] = kind
            attrs.update(_provenance(row))
            for list_column in ("services", "languages"):
                if list_column in attrs:
                    attrs[list_column] = list(attrs[list_column] or [])
            if kind == ORGANIZATION:
                attrs["member"] = is_member(attrs.get("member"))
            if kind == NAVIGATOR:
                attrs["name"] = attrs.get("alias") or node_id
            if kind == NEIGHBORHOOD:
                geometry = geometry_by_id.get(node_id)
                attrs["geometry"] = geometry
                if geometry is not None and not geometry.is_empty:
                    point = geometry.representative_point()
                    attrs["lon"], attrs["lat"] = float(point.x), float(point.y)
                    attrs["area_km2"] = float(area_by_id[node_id])
            G.add_node(node_id, **attrs)

    # Ties derived from an entity table's neighborhood column (the attributes of _edge, whose
    # key order they keep, built a column at a time: seconds at 100,000 ties otherwise).
    for tie_type, (table, column) in schema.DERIVED_TIE_TYPES.items():
        frame = city.tables.get(table)
        if frame is None or column not in frame:
            continue
        cells = cleaned[table]
        blank = [None] * len(frame)
        for node_id, place, source, date, flag, guessed in zip(
            cells[schema.ID_COLUMNS[table]],
            cells[column],
            cells.get("source", blank),
            cells.get("source_date", blank),
            cells.get("illustrative", blank),
            cells.get("illustrative_columns", blank),
            strict=True,
        ):
            if place:
                G.add_edge(
                    str(node_id),
                    str(place),
                    key=tie_type,
                    tie_type=tie_type,
                    kind="",
                    strength=1,
                    since="",
                    residents=None,
                    notes="",
                    source=source or "",
                    source_date=date or "",
                    illustrative=bool(flag),
                    illustrative_columns=[str(c) for c in guessed]
                    if isinstance(guessed, (list, tuple))
                    else [],
                )

    ties = city.tables.get("ties")
    if ties is not None and len(ties):
        cells = clean_columns(ties, "ties")
        blank = [None] * len(ties)
        for tie_type, source_id, target_id, *rest in zip(
            cells["tie_type"],
            cells["source_id"],
            cells["target_id"],
            *(cells.get(c, blank) for c in _TIE_ATTRIBUTES),
            strict=True,
        ):
            kind, strength, since, residents, notes, source, date, flag, guessed = rest
            G.add_edge(
                str(source_id),
                str(target_id),
                key=tie_type,
                tie_type=tie_type,
                kind=kind or "",
                strength=int(strength) if strength else 1,
                since=since or "",
                residents=residents,
                notes=notes or "",
                source=source or "",
                source_date=date or "",
                illustrative=bool(flag),
                illustrative_columns=[str(c) for c in guessed]
                if isinstance(guessed, (list, tuple))
                else [],
            )
    return G


# The ties table's columns build_graph reads besides the ends and the type, in order.
_TIE_ATTRIBUTES = tuple(
    c.name for c in schema.TABLES["ties"] if c.name not in ("source_id", "target_id", "tie_type")
)


# --- the graph's contents straight from the tables --------------------------------------------


@dataclass(frozen=True)
class GraphTables:
    """What :func:`build_graph` would put in the graph, read from the tables without building it.

    Built by :func:`graph_tables`; the analyses' index (:func:`coalition.analysis.index_city`)
    and :func:`city_summary` read it instead of a networkx graph (building one costs seconds
    at 10,000 organizations).

    Attributes
    ----------
    graph_attrs : dict
        The graph's attributes (``city``, ``crs``, ``metric_crs``, ``adjacency_tolerance_m``).
    columns : dict of str to dict of str to list
        Per entity table, its cleaned columns (plain Python values, as on the nodes) that
        the index and the summary read (:data:`_READ_COLUMNS`; not sources, notes, dates).
    ids : dict of str to list of str
        Per entity table, its node ids (``str`` of the id cells), in table order.
    bare_nodes : list of str
        Ids named by ties but in no table (nodes with no attributes), in the order the graph
        adds them.
    edges : pandas.DataFrame
        One row per edge, in the graph's edge order (a repeated ``source, target, tie_type``
        is one edge holding the last row's values): ``source``, ``target``, ``tie_type``,
        ``strength`` (int), ``residents`` (int or None), ``illustrative`` (bool),
        ``illustrative_columns`` (the cleaned cell: a list when some columns are guessed);
        object columns.
    """

    graph_attrs: dict[str, Any]
    columns: dict[str, dict[str, list[Any]]]
    ids: dict[str, list[str]]
    bare_nodes: list[str]
    edges: pd.DataFrame

    def node_order(self) -> list[str]:
        """Every node id in the graph's node order (tables in order, then bare nodes)."""
        return [n for ids in self.ids.values() for n in ids] + self.bare_nodes


_EDGE_COLUMNS = [
    "source",
    "target",
    "tie_type",
    "strength",
    "residents",
    "illustrative",
    "illustrative_columns",
]


# The entity tables' columns graph_tables cleans: what index_city and city_summary read.
_READ_COLUMNS = {
    *schema.ID_COLUMNS.values(),
    "name",
    "alias",
    "illustrative",
    "illustrative_columns",
    "member",
    "neighborhood",
    "status",
    "sector",
    "orientation",
    "services",
    "languages",
    "anchor_type",
    "community_kind",
    "estimated_residents",
    "population",
    "population_moe",
    "foreign_born",
    "foreign_born_moe",
    "limited_english",
    "limited_english_moe",
}
_READ_TIE_COLUMNS = (
    "source_id",
    "target_id",
    "tie_type",
    "strength",
    "residents",
    "illustrative",
    "illustrative_columns",
)


def _partly(flag: Any, guessed: Any) -> bool:
    """A real row (not illustrative) with guessed columns (see :func:`_provenance`)."""
    return not flag and isinstance(guessed, (list, tuple)) and len(guessed) > 0


def _cells(columns: dict[str, list[Any]], name: str, rows: int) -> list[Any]:
    """A cleaned column, or blank cells when the table has no such column (``row.get``)."""
    return columns[name] if name in columns else [None] * rows


def graph_tables(city: CityData) -> GraphTables | None:
    """The contents of ``build_graph(city)`` as tables, or None when only the graph can tell.

    None when an id is in two entity tables (or twice in one: the graph merges such rows), a
    table lacks its id column (or the ties table an end or the type), or a tie's type is not
    text; callers then build the graph (:func:`build_graph`), which handles (or reports)
    every case. Other missing columns are missing attributes, as on the graph.

    Parameters
    ----------
    city : CityData
        Validated tables.

    Returns
    -------
    GraphTables or None

    Examples
    --------
    >>> tables = graph_tables(city)
    >>> tables.edges[["source", "target", "tie_type"]].iloc[0].tolist()
    ['lib', 'alder', 'located_in']
    """
    columns: dict[str, dict[str, list[Any]]] = {}
    ids: dict[str, list[str]] = {}
    for table in schema.KIND_OF_TABLE:
        frame = city.tables.get(table)
        if frame is None:
            continue
        if schema.ID_COLUMNS[table] not in frame.columns:
            return None
        columns[table] = clean_columns(frame, table, _READ_COLUMNS)
        ids[table] = [str(v) for v in columns[table][schema.ID_COLUMNS[table]]]
    known = [n for table_ids in ids.values() for n in table_ids]
    node_set = set(known)
    if len(node_set) != len(known):
        return None

    # Edges in the order build_graph adds them: derived ties, then the ties table.
    parts: list[dict[str, list[Any]]] = []
    for tie_type, (table, column) in schema.DERIVED_TIE_TYPES.items():
        if table not in columns or column not in columns[table]:
            continue
        cells = columns[table]
        keep = [i for i, v in enumerate(cells[column]) if v]
        guessed = _cells(cells, "illustrative_columns", len(ids[table]))
        flags = _cells(cells, "illustrative", len(ids[table]))
        parts.append(
            {
                "source": [ids[table][i] for i in keep],
                "target": [str(cells[column][i]) for i in keep],
                "tie_type": [tie_type] * len(keep),
                "strength": [1] * len(keep),
                "residents": [None] * len(keep),
                "illustrative": [bool(flags[i]) for i in keep],
                "illustrative_columns": [guessed[i] for i in keep],
            }
        )
    ties = city.tables.get("ties")
    if ties is not None:
        if any(c not in ties.columns for c in ("source_id", "target_id", "tie_type")):
            return None
        cells = clean_columns(ties, "ties", _READ_TIE_COLUMNS)
        if not all(isinstance(t, str) for t in cells["tie_type"]):
            return None
        rows = len(ties)
        parts.append(
            {
                "source": [str(v) for v in cells["source_id"]],
                "target": [str(v) for v in cells["target_id"]],
                "tie_type": cells["tie_type"],
                "strength": [int(v) if v else 1 for v in _cells(cells, "strength", rows)],
                "residents": _cells(cells, "residents", rows),
                "illustrative": [bool(v) for v in _cells(cells, "illustrative", rows)],
                "illustrative_columns": _cells(cells, "illustrative_columns", rows),
            }
        )
    added = {c: [v for part in parts for v in part[c]] for c in _EDGE_COLUMNS}
    edges = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in added.items()})

    # Nodes first named by a tie, in the order add_edge adds them (source, then target).
    bare_nodes = []
    for node_id in (n for pair in zip(added["source"], added["target"], strict=True) for n in pair):
        if node_id not in node_set:
            node_set.add(node_id)
            bare_nodes.append(node_id)
    position = {n: i for i, n in enumerate([*known, *bare_nodes])}

    if len(edges):
        # A repeated (source, target, type) is one edge: first place, last values. The graph
        # lists edges by source node, then by target in first-tie order, then by type.
        order = np.arange(len(edges))
        first_of_edge = edges.groupby(["source", "target", "tie_type"], sort=False).ngroup()
        first_of_pair = edges.groupby(["source", "target"], sort=False).ngroup()
        last = ~edges.duplicated(["source", "target", "tie_type"], keep="last").to_numpy()
        source_position = np.array([position[n] for n in added["source"]], dtype=np.int64)
        # ngroup numbers groups by first appearance: the same order as the first rows' places.
        keys = (
            first_of_edge.to_numpy()[last],
            first_of_pair.to_numpy()[last],
            source_position[last],
        )
        edges = edges.iloc[order[last][np.lexsort(keys)]].reset_index(drop=True)
    return GraphTables(
        graph_attrs={
            "city": city.name,
            "crs": WGS84,
            "metric_crs": city.metric_crs,
            "adjacency_tolerance_m": float(city.meta.get("adjacency_tolerance_m") or 0),
        },
        columns=columns,
        ids=ids,
        bare_nodes=bare_nodes,
        edges=edges,
    )


def city_summary(city: CityData) -> dict[str, int]:
    """``summary(build_graph(city))`` from the tables (no graph built when it can be avoided).

    Examples
    --------
    >>> city_summary(city) == summary(build_graph(city))
    True
    """
    tables = graph_tables(city)
    if tables is None:
        return summary(build_graph(city))
    return tables_summary(tables)


def tables_summary(tables: GraphTables) -> dict[str, int]:
    """``summary`` of the graph that ``tables`` (from :func:`graph_tables`) describe.

    Examples
    --------
    >>> tables_summary(graph_tables(city)) == summary(build_graph(city))
    True
    """
    counts: dict[Any, int] = {kind: 0 for kind in schema.NODE_KINDS}
    members = illustrative = partly = 0
    for table, kind in schema.KIND_OF_TABLE.items():
        if table not in tables.columns:
            continue
        cells, rows = tables.columns[table], len(tables.ids[table])
        counts[kind] += rows
        flags = [bool(v) for v in _cells(cells, "illustrative", rows)]
        illustrative += sum(flags)
        guessed = _cells(cells, "illustrative_columns", rows)
        partly += sum(_partly(flag, g) for flag, g in zip(flags, guessed, strict=True))
        if kind == ORGANIZATION:
            members += sum(is_member(v) for v in _cells(cells, "member", rows))
    if tables.bare_nodes:  # nodes with no kind, as summary() counts them
        counts[None] = len(tables.bare_nodes)
    counts["members"] = members
    counts["other_organizations"] = counts[ORGANIZATION] - members
    edges = tables.edges
    counts["ties"] = len(edges)
    counts["illustrative_nodes"] = illustrative
    counts["illustrative_ties"] = int(sum(bool(v) for v in edges["illustrative"].tolist()))
    counts["partly_illustrative_nodes"] = partly
    counts["partly_illustrative_ties"] = sum(
        _partly(flag, guessed)
        for flag, guessed in zip(
            edges["illustrative"].tolist(), edges["illustrative_columns"].tolist(), strict=True
        )
    )
    return counts


# --- reading the graph back -------------------------------------------------------------------


def nodes_of_kind(G: nx.Graph, kind: str) -> list[str]:
    """Ids of the nodes of one kind, sorted.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("a", kind="organization")
    >>> G.add_node("n", kind="neighborhood")
    >>> nodes_of_kind(G, "organization")
    ['a']
    """
    return sorted(n for n, k in G.nodes(data="kind") if k == kind)


def ties_of_type(G: nx.MultiDiGraph, tie_type: str) -> list[tuple[str, str, dict]]:
    """The ``(source, target, attributes)`` of every tie of one type."""
    return [(u, v, d) for u, v, k, d in G.edges(keys=True, data=True) if k == tie_type]


def nodes_frame(G: nx.Graph, kind: str) -> pd.DataFrame:
    """One kind's nodes as a DataFrame indexed by id (geometry dropped).

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("a", kind="organization", name="A")
    >>> nodes_frame(G, "organization").loc["a", "name"]
    'A'
    """
    rows = [
        {"id": n, **{k: v for k, v in d.items() if k != "geometry"}}
        for n, d in G.nodes(data=True)
        if d.get("kind") == kind
    ]
    if not rows:
        return pd.DataFrame(columns=["id", "kind", "name"]).set_index("id")
    return pd.DataFrame(rows).set_index("id").sort_index()


def neighborhoods_frame(G: nx.Graph) -> gpd.GeoDataFrame:
    """The neighborhoods as a GeoDataFrame (EPSG:4326) indexed by id, with their figures.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("n", kind="neighborhood", name="N", geometry=box(0, 0, 1, 1))
    >>> neighborhoods_frame(G).loc["n", "geometry"].area
    1.0
    """
    rows = [{"id": n, **d} for n, d in G.nodes(data=True) if d.get("kind") == NEIGHBORHOOD]
    if not rows:
        return gpd.GeoDataFrame(
            {"id": [], "geometry": []}, geometry="geometry", crs=WGS84
        ).set_index("id")
    frame = pd.DataFrame(rows).set_index("id").sort_index()
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=G.graph.get("crs", WGS84))


# The columns of a ties table as the graph holds them (ties_frame, the synthetic city).
TIE_COLUMNS = [
    "source_id",
    "target_id",
    "tie_type",
    "kind",
    "strength",
    "since",
    "residents",
    "notes",
    "source",
    "source_date",
    "illustrative",
]


def ties_frame(G: nx.MultiDiGraph) -> pd.DataFrame:
    """Every tie as a row: ``source_id``, ``target_id``, ``tie_type`` and its attributes."""
    rows = [{"source_id": u, "target_id": v, **d} for u, v, d in G.edges(data=True)]
    return pd.DataFrame(rows, columns=TIE_COLUMNS)


def summary(G: nx.MultiDiGraph) -> dict[str, int]:
    """Counts of nodes per kind, ties, members, illustrative nodes and ties.

    ``organization`` counts every organization; ``members`` the coalition members among them
    and ``other_organizations`` the rest (organizations the coalition could invite).
    ``illustrative_nodes``/``illustrative_ties`` count whole illustrative rows;
    ``partly_illustrative_nodes``/``partly_illustrative_ties`` the real rows with guessed columns.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("a", kind="organization", illustrative=True)
    >>> G.add_node("b", kind="organization", member=False)
    >>> counts = summary(G)
    >>> counts["organization"], counts["members"], counts["other_organizations"]
    (2, 1, 1)
    >>> counts["illustrative_nodes"]
    1
    """
    counts = {kind: 0 for kind in schema.NODE_KINDS}
    members = 0
    for _, data in G.nodes(data=True):
        kind = data.get("kind")
        counts[kind] = counts.get(kind, 0) + 1
        if kind == ORGANIZATION and is_member(data.get("member")):
            members += 1
    counts["members"] = members
    counts["other_organizations"] = counts[ORGANIZATION] - members
    counts["ties"] = G.number_of_edges()
    counts["illustrative_nodes"] = sum(1 for _, v in G.nodes(data="illustrative") if v)
    counts["illustrative_ties"] = sum(1 for *_, v in G.edges(data="illustrative") if v)
    counts["partly_illustrative_nodes"] = sum(
        1
        for _, d in G.nodes(data=True)
        if not d.get("illustrative") and d.get("illustrative_columns")
    )
    counts["partly_illustrative_ties"] = sum(
        1
        for *_, d in G.edges(data=True)
        if not d.get("illustrative") and d.get("illustrative_columns")
    )
    return counts


def members_phrase(counts: dict[str, int]) -> str:
    """ "N members, M other organizations" from :func:`summary` counts.

    Examples
    --------
    >>> members_phrase({"members": 12, "other_organizations": 1})
    '12 members, 1 other organization'
    >>> members_phrase({"members": 1, "other_organizations": 0})
    '1 member'
    """
    members = int(counts.get("members", counts.get(ORGANIZATION, 0)))
    others = int(counts.get("other_organizations", 0))
    text = i18n.ngettext("{count} member", "{count} members", members).format(
        count=i18n.fmt_number(members)
    )
    if others:
        text = i18n.gettext("{members}, {others}").format(
            members=text,
            others=i18n.ngettext(
                "{count} other organization", "{count} other organizations", others
            ).format(count=i18n.fmt_number(others)),
        )
    return text


# Committee status of a neighborhood: the most advanced status of the committees placed in it
# (a ``covers`` tie or the committee's ``neighborhood``): active, then forming, else none.
STATUS_ORDER = {"none": 0, "paused": 1, "forming": 2, "active": 3}


@dataclass(frozen=True)
class NeighborhoodCommittees:
    """Each neighborhood's committee status and the names of its active committees.

    The one place that says which neighborhoods have an active welcoming committee: the
    analyses (:class:`coalition.analysis.GraphIndex`), the maps and the CLI read it from here.

    Attributes
    ----------
    status : dict of str to str
        ``"active"``, ``"forming"`` or ``"none"`` per neighborhood id (an unknown status counts
        as none).
    active_names : dict of str to list of str
        Names of the active committees placed in each neighborhood, in graph order.
    """

    status: dict[str, str]
    active_names: dict[str, list[str]]

    def active_ids(self) -> list[str]:
        """Ids of the neighborhoods with an active committee, in the order of ``status``."""
        return [n for n, s in self.status.items() if s == "active"]


def neighborhood_committees(
    G: nx.MultiDiGraph, neighborhood_ids: Iterable[str] | None = None
) -> NeighborhoodCommittees:
    """Which neighborhoods have an active (or forming) welcoming committee.

    A committee is placed in the neighborhoods its ``covers`` ties reach and in its own
    ``neighborhood``; a neighborhood's status is the most advanced of the committees placed in
    it (:data:`STATUS_ORDER`).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph (left unchanged).
    neighborhood_ids : iterable of str, optional
        The neighborhoods to report (default: every neighborhood node, in id order).

    Returns
    -------
    NeighborhoodCommittees

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("n", kind="neighborhood"); G.add_node("m", kind="neighborhood")
    >>> G.add_node("c", kind="committee", name="C", status="active", neighborhood="n")
    >>> neighborhood_committees(G).status
    {'m': 'none', 'n': 'active'}
    """
    ids = nodes_of_kind(G, NEIGHBORHOOD) if neighborhood_ids is None else list(neighborhood_ids)
    committees = {n: d for n, d in G.nodes(data=True) if d.get("kind") == COMMITTEE}
    covers = [
        (c, target)
        for c in committees
        for _, target, key in G.out_edges(c, keys=True)
        if key == "covers"
    ]
    return place_committees(ids, committees, covers)


def place_committees(
    neighborhood_ids: Iterable[str],
    committees: dict[str, dict[str, Any]],
    covers: list[tuple[str, str]],
) -> NeighborhoodCommittees:
    """:func:`neighborhood_committees` from the committees and their ``covers`` ties.

    Parameters
    ----------
    neighborhood_ids : iterable of str
        The neighborhoods to report.
    committees : dict of str to dict
        Per committee id (in graph order): its ``status``, ``name`` and ``neighborhood``.
    covers : list of (str, str)
        The ``(committee, neighborhood)`` of every ``covers`` tie, committee by committee in
        graph order.

    Returns
    -------
    NeighborhoodCommittees

    Examples
    --------
    >>> place_committees(["n", "m"], {"c": {"status": "forming", "neighborhood": "m"}}, []).status
    {'n': 'none', 'm': 'forming'}
    """
    ids = list(neighborhood_ids)
    status = {n: "none" for n in ids}
    active_names: dict[str, list[str]] = {n: [] for n in ids}
    places = list(covers)
    places += [(c, d["neighborhood"]) for c, d in committees.items() if d.get("neighborhood")]
    for committee_id, neighborhood_id in dict.fromkeys(places):
        if neighborhood_id not in status:
            continue
        data = committees[committee_id]
        committee_status = str(data.get("status") or "none")
        if STATUS_ORDER.get(committee_status, 0) > STATUS_ORDER[status[neighborhood_id]]:
            status[neighborhood_id] = committee_status
        if committee_status == "active":
            name = str(data.get("name") or committee_id)
            if name not in active_names[neighborhood_id]:
                active_names[neighborhood_id].append(name)
    return NeighborhoodCommittees(status=status, active_names=active_names)


__all__ = [
    "COMMITTEE",
    "COMMUNITY",
    "NAVIGATOR",
    "NEIGHBORHOOD",
    "ORGANIZATION",
    "STATUS_ORDER",
    "WGS84",
    "CityData",
    "GraphTables",
    "NeighborhoodCommittees",
    "build_graph",
    "city_summary",
    "clean_columns",
    "gc_paused",
    "graph_tables",
    "is_illustrative",
    "is_member",
    "members_phrase",
    "neighborhood_committees",
    "neighborhoods_frame",
    "nodes_frame",
    "nodes_of_kind",
    "place_committees",
    "summary",
    "ties_frame",
    "ties_of_type",
]
