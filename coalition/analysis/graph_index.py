"""One pass over the coalition graph into flat tables the analyses share.

Every analysis needs the same few things (the neighborhoods' figures, who reaches whom, the
partnership ties). Reading them from the networkx graph once, into pandas frames and plain dicts,
keeps a full refresh fast at 10,000 organizations / 100,000 ties: later steps are vectorised
instead of walking the graph again. Nothing here mutates the graph.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from babel.numbers import format_decimal

from .. import i18n
from ..errors import AnalysisError
from ..i18n import _, ngettext
from ..model import (
    WGS84,
    CityData,
    GraphTables,
    NeighborhoodCommittees,
    build_graph,
    gc_paused,
    graph_tables,
    is_member,
    neighborhood_committees,
    place_committees,
)
from ..schema import COMMITTEE, COMMUNITY, KIND_OF_TABLE, NAVIGATOR, NEIGHBORHOOD, ORGANIZATION
from ..values import float_or_nan

logger = logging.getLogger(__name__)

# Orientation values that may stand on each side of a bridging tie ("both" counts as either).
IMMIGRANT_SIDE = {"immigrant_serving", "both"}
RECEIVING_SIDE = {"receiving_community", "both"}
# Anchor institutions that make a neighborhood ready for a committee.
# Read in the language in use (an anchor's kind in a sentence: "Alder Library (library)").
ANCHOR_LABELS = i18n.Translated(
    {
        "library": i18n.N_("library"),
        "neighborhood_association": i18n.N_("neighborhood association"),
        "school": i18n.N_("school"),
        "faith": i18n.N_("faith group"),
    }
)
COVERAGE_RULES = ("own", "adjacent", "distance")


@dataclass
class GraphIndex:
    """Flat views of a coalition graph, built once by :func:`index_graph` (from the graph) or
    :func:`index_city` (from the city's tables, without building the graph).

    Attributes
    ----------
    graph : networkx.MultiDiGraph
        The graph it was read from (never modified); built on first use when the index was
        read from the tables (a property: the analyses read the fields below instead).
    names : dict of str to str
        Display name of every node.
    neighborhoods : pandas.DataFrame
        Indexed by neighborhood id, in id order: name, population, foreign_born,
        foreign_born_moe, limited_english, limited_english_moe (floats, NaN when unknown:
        a blank figure is never read as 0), illustrative (the whole row),
        illustrative_columns (list of the columns guessed in a real row), committee_status,
        committee_names (active committees covering it), both from
        :func:`coalition.model.neighborhood_committees`.
    organizations : pandas.DataFrame
        Indexed by org id: name, sector, orientation, services, languages, anchor_type,
        neighborhood, member (bool: False for an organization the coalition could invite).
    communities, navigators : pandas.DataFrame
        Indexed by id, with their table columns.
    ties : dict of str to pandas.DataFrame
        Per tie type, columns source, target, strength, residents (one row per tie).
    geometries : dict of str to shapely geometry
        Each neighborhood's polygon (EPSG:4326; None when it has none).
    graph_attrs : dict
        The graph's attributes: ``city``, ``crs``, ``metric_crs``, ``adjacency_tolerance_m``.
    illustrative_nodes : frozenset of str or None
        Ids of the nodes whose whole row is illustrative (read from the tables by
        :func:`index_city`; None from :func:`index_graph`: the nodes' attributes tell, see
        :func:`coalition.analysis.provenance.illustrative_ids`).
    committee_ids : tuple of str
        Ids of the welcoming committees, in graph order.
    non_members : frozenset of str or None
        Ids of the organizations that are not coalition members (from the tables; None from
        :func:`index_graph`, see :func:`coalition.analysis.membership.non_member_ids`).
    """

    names: dict[str, str]
    neighborhoods: pd.DataFrame
    organizations: pd.DataFrame
    communities: pd.DataFrame
    navigators: pd.DataFrame
    ties: dict[str, pd.DataFrame]
    geometries: dict[str, Any] = field(repr=False, default_factory=dict)
    graph_attrs: dict[str, Any] = field(default_factory=dict)
    illustrative_nodes: frozenset[str] | None = None
    committee_ids: tuple[str, ...] = ()
    non_members: frozenset[str] | None = None
    # {"graph": G} or {"city": city}: shared by the views made with dataclasses.replace, so
    # that a graph built for one is built once for all.
    _source: dict[str, Any] = field(repr=False, default_factory=dict)
    _memo: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The coalition graph (built from the city's tables on first use when not given)."""
        if self._source.get("graph") is None:
            self._source["graph"] = build_graph(self._source["city"])
        return self._source["graph"]

    def memo(self, key: str, compute: Any) -> Any:
        """``compute()`` once per index (results shared by the analyses of one refresh)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def tie_frame(self, tie_type: str) -> pd.DataFrame:
        """The ties of one type (an empty frame when there are none)."""
        frame = self.ties.get(tie_type)
        if frame is None:
            return pd.DataFrame(
                {
                    "source": pd.Series(dtype=object),
                    "target": pd.Series(dtype=object),
                    "strength": pd.Series(dtype=float),
                    "residents": pd.Series(dtype=float),
                }
            )
        return frame

    def name(self, node_id: str) -> str:
        """The display name of a node (its id when it has none)."""
        return self.names.get(node_id) or str(node_id)

    @cached_property
    def has_active_committee(self) -> np.ndarray:
        """One bool per neighborhood (in ``neighborhoods`` order): it has an active committee.

        The analyses read "which neighborhoods have an active committee" from here only: the
        covered ones, the fixed sites of the plan, the candidates (the others).
        """
        return (self.neighborhoods["committee_status"] == "active").to_numpy()

    @cached_property
    def community_reach(self) -> pd.DataFrame:
        """Distinct (org, community, via) pairs: which organization reaches which community.

        An organization reaches a community through a ``serves_community`` tie (via
        ``"direct"``), or through a Cultural Navigator who volunteers with it and mentors that
        community (via ``"navigator"``): the navigator connects the community to that
        organization's help.
        """
        direct = self.tie_frame("serves_community")[["source", "target"]].rename(
            columns={"source": "org", "target": "community"}
        )
        direct = direct.assign(via="direct")
        volunteers = self.tie_frame("volunteers_with")[["source", "target"]].rename(
            columns={"source": "navigator", "target": "org"}
        )
        mentors = self.tie_frame("mentors")[["source", "target"]].rename(
            columns={"source": "navigator", "target": "community"}
        )
        via_navigator = volunteers.merge(mentors, on="navigator")[["org", "community"]]
        via_navigator = via_navigator.assign(via="navigator")
        reach = pd.concat([direct, via_navigator], ignore_index=True)
        reach = reach[
            reach["org"].isin(self.organizations.index)
            & reach["community"].isin(self.communities.index)
        ]
        # A direct tie wins over the same pair reached through a navigator.
        reach = reach.sort_values("via").drop_duplicates(["org", "community"], keep="first")
        return reach.reset_index(drop=True)

    @cached_property
    def neighborhood_org_reach(self) -> pd.DataFrame:
        """Distinct (org, neighborhood) pairs from ``located_in`` and ``serves_neighborhood``."""
        frames = [
            self.tie_frame(t)[["source", "target"]] for t in ("located_in", "serves_neighborhood")
        ]
        reach = pd.concat(frames, ignore_index=True).rename(
            columns={"source": "org", "target": "neighborhood"}
        )
        reach = reach[
            reach["org"].isin(self.organizations.index)
            & reach["neighborhood"].isin(self.neighborhoods.index)
        ]
        return reach.drop_duplicates().reset_index(drop=True)

    @cached_property
    def neighborhood_navigators(self) -> pd.DataFrame:
        """Distinct (navigator, neighborhood) pairs from ``based_in``."""
        based = self.tie_frame("based_in")[["source", "target"]].rename(
            columns={"source": "navigator", "target": "neighborhood"}
        )
        based = based[
            based["navigator"].isin(self.navigators.index)
            & based["neighborhood"].isin(self.neighborhoods.index)
        ]
        return based.drop_duplicates().reset_index(drop=True)

    @cached_property
    def residence(self) -> pd.DataFrame:
        """``lives_in`` ties as (community, neighborhood, residents) with residents as float."""
        lives = self.tie_frame("lives_in").rename(
            columns={"source": "community", "target": "neighborhood"}
        )
        lives = lives[
            lives["community"].isin(self.communities.index)
            & lives["neighborhood"].isin(self.neighborhoods.index)
        ]
        return lives[["community", "neighborhood", "residents"]].reset_index(drop=True)

    @cached_property
    def member_org_reach(self) -> pd.DataFrame:
        """:attr:`neighborhood_org_reach` restricted to coalition members (``member`` True)."""
        reach = self.neighborhood_org_reach
        members = self.organizations.index[self.organizations["member"].to_numpy(dtype=bool)]
        return reach[reach["org"].isin(members)].reset_index(drop=True)

    @cached_property
    def member_names(self) -> dict[str, list[str]]:
        """Names of the members reaching each neighborhood: member organizations, then navigators.

        Organizations that are not coalition members are left out. Shared by several
        analyses: treat the lists as read-only.
        """
        names: dict[str, list[str]] = {}
        for org_id, neighborhood_id in zip(
            self.member_org_reach["org"].tolist(),
            self.member_org_reach["neighborhood"].tolist(),
            strict=False,
        ):
            names.setdefault(neighborhood_id, []).append(self.name(org_id))
        for navigator_id, neighborhood_id in zip(
            self.neighborhood_navigators["navigator"].tolist(),
            self.neighborhood_navigators["neighborhood"].tolist(),
            strict=False,
        ):
            names.setdefault(neighborhood_id, []).append(self.name(navigator_id))
        return names

    @cached_property
    def members_per_neighborhood(self) -> pd.Series:
        """Coalition members reaching each neighborhood: distinct member orgs + navigators there."""
        orgs = self.member_org_reach.groupby("neighborhood")["org"].nunique()
        navigators = self.neighborhood_navigators.groupby("neighborhood")["navigator"].nunique()
        members = orgs.add(navigators, fill_value=0)
        return members.reindex(self.neighborhoods.index, fill_value=0).astype(int)

    @cached_property
    def orgs_per_neighborhood(self) -> pd.Series:
        """Distinct organizations reaching each neighborhood (located there or serving it)."""
        orgs = self.neighborhood_org_reach.groupby("neighborhood")["org"].nunique()
        return orgs.reindex(self.neighborhoods.index, fill_value=0).astype(int)

    @cached_property
    def partnerships(self) -> pd.DataFrame:
        """Undirected, de-duplicated partnership pairs (a < b) between known organizations."""
        ties = self.tie_frame("partnership")
        if ties.empty:
            return pd.DataFrame({"a": pd.Series(dtype=object), "b": pd.Series(dtype=object)})
        source = ties["source"].astype(str).to_numpy()
        target = ties["target"].astype(str).to_numpy()
        keep = source != target
        a = np.where(source < target, source, target)[keep]
        b = np.where(source < target, target, source)[keep]
        pairs = pd.DataFrame({"a": a, "b": b}).drop_duplicates()
        known = set(self.organizations.index)
        pairs = pairs[pairs["a"].isin(known) & pairs["b"].isin(known)]
        return pairs.reset_index(drop=True)


_NEIGHBORHOOD_NUMBERS = [
    "population",
    "population_moe",
    "foreign_born",
    "foreign_born_moe",
    "limited_english",
    "limited_english_moe",
    "lon",
    "lat",
]
# The node attributes each kind's frame is made of (besides its id).
_FRAME_COLUMNS = {
    NEIGHBORHOOD: ["name", *_NEIGHBORHOOD_NUMBERS, "illustrative", "illustrative_columns"],
    ORGANIZATION: [
        "name",
        "sector",
        "orientation",
        "services",
        "languages",
        "anchor_type",
        "neighborhood",
        "member",
    ],
    COMMUNITY: ["name", "community_kind", "languages", "estimated_residents"],
    NAVIGATOR: ["name", "languages", "neighborhood"],
}


def index_graph(G: nx.MultiDiGraph) -> GraphIndex:
    """Read a coalition graph once into a :class:`GraphIndex`.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph built by :func:`coalition.model.build_graph`.

    Returns
    -------
    GraphIndex

    Raises
    ------
    AnalysisError
        If ``G`` is not a graph or holds no neighborhood.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(); G.add_node("n", kind="neighborhood", name="N", foreign_born=5)
    >>> index_graph(G).neighborhoods.loc["n", "foreign_born"]
    np.float64(5.0)
    """
    if not isinstance(G, nx.Graph):
        raise AnalysisError(
            f"Expected a coalition graph (networkx), got {type(G).__name__}: build one with "
            "coalition.model.build_graph(city)."
        )
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in _FRAME_COLUMNS}
    names: dict[str, str] = {}
    geometries: dict[str, Any] = {}
    committee_ids: list[str] = []
    for node_id, data in G.nodes(data=True):
        names[node_id] = str(data.get("name") or node_id)
        kind = data.get("kind")
        if kind == COMMITTEE:
            committee_ids.append(node_id)
        if kind in by_kind:
            by_kind[kind].append({"id": node_id, **data})
            if kind == NEIGHBORHOOD:
                geometries[node_id] = data.get("geometry")
    _require_neighborhoods(by_kind[NEIGHBORHOOD])

    tie_rows: dict[str, list[tuple[Any, Any, Any, Any]]] = {}
    for source, target, tie_type, data in G.edges(keys=True, data=True):
        tie_rows.setdefault(tie_type, []).append(
            (source, target, data.get("strength"), data.get("residents"))
        )
    return _assemble(
        names=names,
        by_kind=by_kind,
        tie_rows=tie_rows,
        committees=lambda ids: neighborhood_committees(G, ids),
        geometries=geometries,
        graph_attrs=dict(G.graph),
        illustrative=None,  # read from the nodes' attributes (provenance, membership)
        committee_ids=tuple(committee_ids),
        non_members=None,
        source={"graph": G},
    )


def index_city(city: CityData, tables: GraphTables | None = None) -> GraphIndex:
    """The index of ``build_graph(city)``, read straight from the city's tables.

    Equal to ``index_graph(build_graph(city))`` in every frame, dict and geometry, without
    building the networkx graph (seconds at 10,000 organizations): the CLI's analyses read this.
    The graph is built only if something asks for :attr:`GraphIndex.graph`. Cities the tables
    alone cannot answer for (an id in two tables, a missing id column; see
    :func:`coalition.model.graph_tables`) are indexed through the graph.

    Parameters
    ----------
    city : CityData
        Validated tables (:func:`coalition.ingest.read_city`, or the store's
        :meth:`coalition.store.Store.read_city`).
    tables : GraphTables, optional
        ``graph_tables(city)`` when the caller has it already (read once, shared).

    Returns
    -------
    GraphIndex

    Raises
    ------
    AnalysisError
        If the city has no neighborhood.

    Examples
    --------
    >>> index_city(city).neighborhoods.loc["alder", "committee_status"]
    'active'
    """
    with gc_paused():
        return _index_city(city, tables)


def _index_city(city: CityData, tables: GraphTables | None) -> GraphIndex:
    if tables is None:
        tables = graph_tables(city)
    if tables is None:
        logger.info(
            "indexing %s through its graph (its tables need the graph's merging)", city.name
        )
        return index_graph(build_graph(city))
    names: dict[str, str] = {}
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in _FRAME_COLUMNS}
    illustrative: set[str] = set()
    committees: dict[str, dict[str, Any]] = {}
    non_members: set[str] = set()
    geometries: dict[str, Any] = {}
    for table, kind in KIND_OF_TABLE.items():
        if table not in tables.columns:
            continue
        cells, ids = tables.columns[table], tables.ids[table]
        blank = [None] * len(ids)  # no such column: no such attribute, as on the graph
        shown = cells.get("alias" if kind == NAVIGATOR else "name", blank)
        for node_id, name, flag in zip(ids, shown, cells.get("illustrative", blank), strict=True):
            names[node_id] = str(name or node_id)
            if flag:
                illustrative.add(node_id)
        if kind == COMMITTEE:
            for node_id, name, status, place in zip(
                ids,
                cells.get("name", blank),
                cells.get("status", blank),
                cells.get("neighborhood", blank),
                strict=True,
            ):
                committees[node_id] = {"name": name, "status": status, "neighborhood": place}
            continue
        rows = [
            dict(zip(cells, values, strict=True)) for values in zip(*cells.values(), strict=True)
        ]
        for node_id, row in zip(ids, rows, strict=True):
            row["id"] = node_id
            row["illustrative"] = bool(row.get("illustrative"))
            row["illustrative_columns"] = _guessed_columns(row.get("illustrative_columns"))
            for column in ("services", "languages"):
                if column in row:
                    row[column] = list(row[column] or [])
        if kind == ORGANIZATION:
            for node_id, row in zip(ids, rows, strict=True):
                row["member"] = is_member(row.get("member"))
                if not row["member"]:
                    non_members.add(node_id)
        if kind == NEIGHBORHOOD:
            _place_points(rows, city, geometries)
        by_kind[kind] = rows
    for node_id in tables.bare_nodes:
        names[node_id] = node_id
    _require_neighborhoods(by_kind[NEIGHBORHOOD])

    edges = tables.edges
    tie_rows: dict[str, list[tuple[Any, Any, Any, Any]]] = {}
    for tie_type, source, target, strength, residents in zip(
        edges["tie_type"].tolist(),
        edges["source"].tolist(),
        edges["target"].tolist(),
        edges["strength"].tolist(),
        edges["residents"].tolist(),
        strict=True,
    ):
        tie_rows.setdefault(tie_type, []).append((source, target, strength, residents))
    covers = [(c, t) for c, t, *_ in tie_rows.get("covers", []) if c in committees]
    return _assemble(
        names=names,
        by_kind=by_kind,
        tie_rows=tie_rows,
        committees=lambda ids: place_committees(ids, committees, covers),
        geometries=geometries,
        graph_attrs=tables.graph_attrs,
        illustrative=frozenset(illustrative),
        committee_ids=tuple(committees),
        non_members=frozenset(non_members),
        source={"city": city},
    )


def _guessed_columns(value: Any) -> list[str]:
    return [str(c) for c in value] if isinstance(value, (list, tuple)) and value else []


def _place_points(rows: list[dict[str, Any]], city: CityData, geometries: dict[str, Any]) -> None:
    """Each neighborhood row's geometry (EPSG:4326) and ``lon``/``lat`` of a point inside it,
    as :func:`coalition.model.build_graph` puts them on the node (``geometries`` is filled)."""
    boundaries = city.boundaries.to_crs(WGS84) if city.boundaries.crs else city.boundaries
    geometry_by_id = dict(zip(boundaries["neighborhood_id"], boundaries.geometry, strict=False))
    shapes = [geometry_by_id.get(row["id"]) for row in rows]
    placed = [i for i, g in enumerate(shapes) if g is not None and not g.is_empty]
    points = shapely.point_on_surface([shapes[i] for i in placed])
    for i, point in zip(placed, points, strict=True):
        rows[i]["lon"], rows[i]["lat"] = float(point.x), float(point.y)
    for row, geometry in zip(rows, shapes, strict=True):
        geometries[row["id"]] = geometry


def _require_neighborhoods(rows: list[dict[str, Any]]) -> None:
    if not rows:
        raise AnalysisError(
            "The graph has no neighborhoods, so nothing can be analysed: load a city folder "
            "(e.g. `coalition init`) before running an analysis."
        )


def _assemble(
    *,
    names: dict[str, str],
    by_kind: dict[str, list[dict[str, Any]]],
    tie_rows: dict[str, list[tuple[Any, Any, Any, Any]]],
    committees: Callable[[Any], NeighborhoodCommittees],
    geometries: dict[str, Any],
    graph_attrs: dict[str, Any],
    illustrative: frozenset[str] | None,
    committee_ids: tuple[str, ...],
    non_members: frozenset[str] | None,
    source: dict[str, Any],
) -> GraphIndex:
    """The index's frames from node rows and tie rows (shared by both ways of building it)."""
    ties = {}
    for tie_type, rows in tie_rows.items():
        frame = pd.DataFrame(rows, columns=["source", "target", "strength", "residents"])
        # Plain object ids: hashing them in isin/merge is much faster than Arrow strings.
        frame["source"] = frame["source"].astype(object)
        frame["target"] = frame["target"].astype(object)
        frame["strength"] = pd.to_numeric(frame["strength"], errors="coerce").fillna(1.0)
        frame["residents"] = pd.to_numeric(frame["residents"], errors="coerce")
        ties[tie_type] = frame

    def frame_of(kind: str) -> pd.DataFrame:
        rows, columns = by_kind[kind], _FRAME_COLUMNS[kind]
        frame = (
            pd.DataFrame(rows, columns=["id", *columns])
            if rows
            else pd.DataFrame(columns=["id", *columns])
        )
        frame["id"] = frame["id"].astype(object)
        return frame.set_index("id").sort_index()

    neighborhoods = frame_of(NEIGHBORHOOD)
    for column in _NEIGHBORHOOD_NUMBERS:
        neighborhoods[column] = [float_or_nan(v) for v in neighborhoods[column]]
    neighborhoods["name"] = [names[n] for n in neighborhoods.index]
    neighborhoods["illustrative"] = [
        bool(v) if isinstance(v, (bool, np.bool_, int, np.integer)) else False
        for v in neighborhoods["illustrative"]
    ]
    neighborhoods["illustrative_columns"] = [
        [str(c) for c in v] if isinstance(v, (list, tuple)) else []
        for v in neighborhoods["illustrative_columns"]
    ]

    organizations = frame_of(ORGANIZATION)
    organizations["name"] = [names[n] for n in organizations.index]
    organizations["member"] = pd.Series(
        [is_member(v) for v in organizations["member"]], index=organizations.index, dtype=bool
    )
    for column in ("services", "languages"):
        organizations[column] = [
            list(v) if isinstance(v, (list, tuple)) else [] for v in organizations[column]
        ]
    organizations["sector"] = organizations["sector"].fillna("unknown").astype(str)
    organizations["orientation"] = organizations["orientation"].fillna("").astype(str)
    organizations["anchor_type"] = organizations["anchor_type"].fillna("none").astype(str)

    communities = frame_of(COMMUNITY)
    communities["name"] = [names[n] for n in communities.index]
    communities["languages"] = [
        list(v) if isinstance(v, (list, tuple)) else [] for v in communities["languages"]
    ]
    communities["estimated_residents"] = [
        float_or_nan(v) for v in communities["estimated_residents"]
    ]

    navigators = frame_of(NAVIGATOR)
    navigators["name"] = [names[n] for n in navigators.index]
    navigators["languages"] = [
        list(v) if isinstance(v, (list, tuple)) else [] for v in navigators["languages"]
    ]

    placed = committees(neighborhoods.index)
    status, active_names = placed.status, placed.active_names
    neighborhoods["committee_status"] = [status[n] for n in neighborhoods.index]
    neighborhoods["committee_names"] = [active_names[n] for n in neighborhoods.index]

    logger.debug(
        "indexed graph: %d neighborhoods, %d organizations, %d tie types",
        len(neighborhoods),
        len(organizations),
        len(ties),
    )
    return GraphIndex(
        names=names,
        neighborhoods=neighborhoods,
        organizations=organizations,
        communities=communities,
        navigators=navigators,
        ties=ties,
        geometries=geometries,
        graph_attrs=graph_attrs,
        illustrative_nodes=illustrative,
        committee_ids=committee_ids,
        non_members=non_members,
        _source=source,
    )


def as_index(graph_or_index: nx.MultiDiGraph | GraphIndex) -> GraphIndex:
    """The index of a graph (built now), or the index itself when one is passed."""
    if isinstance(graph_or_index, GraphIndex):
        return graph_or_index
    return index_graph(graph_or_index)


def figure(value: float, decimals: int | None = 0, *, grouped: bool = True) -> str:
    """A figure for an analysis sentence, in the language in use.

    English keeps the sentences' own Python formatting (``1,234``; ``decimals=None`` writes as
    few decimals as needed, like ``:g``); another language uses its region's separators
    (:func:`coalition.i18n.fmt_number`).

    Examples
    --------
    >>> figure(1234.0), figure(0.675, 2, grouped=False), figure(2.5, None)
    ('1,234', '0.68', '2.5')
    >>> with i18n.using("es"):
    ...     figure(1234.0), figure(2.0, None)
    ('1,234', '2')
    """
    if decimals is None:
        text = f"{value:g}"
        if i18n.language() == i18n.SOURCE_LANGUAGE or "e" in text:
            return text
        decimals = len(text.split(".")[1]) if "." in text else 0
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    pattern = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=i18n.locale())


def percent(share: float) -> str:
    """A share 0-1 as a whole percentage for a sentence, in the language in use.

    Examples
    --------
    >>> percent(0.404)
    '40%'
    """
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return f"{share:.0%}"
    return i18n.fmt_percent(share)


def join_names(
    names: list[str],
    limit: int = 5,
    more_word: str | None = None,
    more: Callable[[int], str] | None = None,
) -> str:
    """Names joined for a sentence, "A, B and C", the tail summarised past ``limit``.

    A tail of one name is never summarised ("and 1 more" would hide a name to save none);
    ``more_word`` says what the tail holds ("and 3 more organizations"; English only: a
    sentence in another language passes ``more`` instead: the tail's words for a count). The
    joining word is in the language in use.

    Examples
    --------
    >>> join_names(["A", "B", "C"])
    'A, B and C'
    >>> join_names(["A", "B", "C"], limit=2)
    'A, B and C'
    >>> join_names(["A", "B", "C", "D"], limit=2, more_word="organization")
    'A, B and 2 more organizations'
    >>> with i18n.using("es"):
    ...     join_names(["A", "B", "C"]), join_names(["A", "B", "C", "D"], limit=2)
    ('A, B y C', 'A, B y 2 más')
    """
    names = [str(n) for n in names]
    if not names:
        return ""
    if len(names) > limit + 1:
        hidden = len(names) - limit
        if more is not None:
            tail = more(hidden)
        elif more_word:
            tail = plural(hidden, f"more {more_word}")
        else:
            tail = ngettext("{count} more", "{count} more", hidden).format(count=figure(hidden))
        return _("{names} and {last}").format(names=", ".join(names[:limit]), last=tail)
    if len(names) == 1:
        return names[0]
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def plural(count: float, word: str, plural_word: str | None = None) -> str:
    """``"1 organization"``, ``"3 organizations"``.

    Examples
    --------
    >>> plural(2, "partner")
    '2 partners'
    """
    count_int = int(round(count))
    if count_int == 1:
        return f"1 {word}"
    return f"{count_int:,} {plural_word or word + 's'}"
