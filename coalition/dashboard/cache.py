"""Cached loaders: every heavy result is computed once per store version and then reused.

Every loader takes a :class:`Snapshot` (the store's URL and its
:meth:`~coalition.store.Store.version`, which changes on every write), so a new city or a new tie
invalidates exactly what depends on it and nothing is ever served stale. Results are cached with
``st.cache_resource`` (shared, not copied) because they are large (a 10,000-organization graph,
its layout and reports) and the library's functions never mutate their inputs; pages must treat
them as read-only (``.copy()`` before changing).

The store itself is opened once per URL (``COALITION_DB``, see :func:`coalition.settings.db_url`)
and, when empty, filled from the sample city (:func:`coalition.store.ensure_loaded`), which the
store remembers (``info()["loaded_automatically"]``) and the sidebar says on screen.

What is shown is worked out by :mod:`coalition.presenting` (pure, streamlit-free); the loaders
here only cache what is expensive to work out again on every rerun.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd
import streamlit as st

from coalition import analysis, labels, model, schema, settings
from coalition import store as store_module
from coalition.presenting import city as city_text
from coalition.presenting import gaps as gap_text

if TYPE_CHECKING:  # drawing and export modules load with the first page that needs them
    import folium
    import geopandas as gpd

    from coalition import history

logger = logging.getLogger(__name__)

# Above this many organizations the map draws only those of the chosen neighborhood: 10,000
# points took 9 s per rerun (st_folium renders every marker as its own script); 2,300
# polygons alone take 0.5 s (measured on the synthetic city).
MAX_MAP_ORGANIZATIONS = 1_500


@dataclass(frozen=True)
class Snapshot:
    """Which store, at which version: the key of every cached result.

    Streamlit hashes a dataclass by its fields, so two snapshots of the same store version
    share every cached result.

    Examples
    --------
    >>> Snapshot('sqlite:////tmp/t.db', 3).version
    3
    >>> Snapshot('sqlite:////tmp/t.db', 3) == Snapshot('sqlite:////tmp/t.db', 3)
    True
    """

    url: str
    version: int


@st.cache_resource(show_spinner="Opening the coalition's data…", max_entries=8)
def _open(url: str) -> store_module.Store:
    store = store_module.open_store(url)
    if store_module.ensure_loaded(store):  # the sidebar says so (loaded_automatically)
        logger.warning(
            "The store %s was empty: loaded the sample city from %s", url, settings.data_dir()
        )
    return store


def get_store() -> store_module.Store:
    """The store named by ``COALITION_DB`` (opened once, loaded with the sample city if empty).

    Examples
    --------
    >>> get_store().is_empty()
    False
    """
    return _open(settings.db_url())


def snapshot() -> Snapshot:
    """The current store URL and version (cheap: one small query per rerun).

    Examples
    --------
    >>> snap = snapshot()
    >>> G = graph(snap)
    """
    url = settings.db_url()
    return Snapshot(url, int(_open(url).version()))


# --- the city and its graph -----------------------------------------------------------------------


@st.cache_resource(show_spinner="Reading the coalition's data…", max_entries=4)
def city(snap: Snapshot) -> model.CityData:
    """The stored city's tables at one version.

    Examples
    --------
    >>> city(snap).name
    'Tiny Town'
    """
    return _open(snap.url).read_city()


@st.cache_resource(show_spinner="Building the coalition graph…", max_entries=4)
def graph(snap: Snapshot) -> nx.MultiDiGraph:
    """The coalition graph of one store version.

    Examples
    --------
    >>> graph(snap).number_of_nodes()
    16
    """
    return model.build_graph(city(snap))


@st.cache_resource(show_spinner="Reading the coalition's data…", max_entries=4)
def tables(snap: Snapshot) -> model.GraphTables | None:
    """What the graph would hold, as tables (:func:`coalition.model.graph_tables`).

    Read once and shared by the index, the counts and the filter choices, so that the
    Overview, the sidebar and the filters never build the networkx graph (seconds at 10,000
    organizations). None when only the graph can tell (an id in two tables): the loaders
    then read the graph.

    Examples
    --------
    >>> len(tables(snap).ids['organizations'])
    6
    """
    return model.graph_tables(city(snap))


@st.cache_resource(show_spinner="Indexing the coalition…", max_entries=4)
def index(snap: Snapshot) -> analysis.GraphIndex:
    """The analyses' index (built once, shared by gaps, coverage and ranking).

    Read from the tables (:func:`coalition.analysis.graph_index.index_city`, equal to the
    graph's index); the graph is built only if something asks the index for it.

    Examples
    --------
    >>> index(snap) is index(snap)  # cached per snapshot
    True
    """
    from coalition.analysis.graph_index import index_city

    return index_city(city(snap), tables(snap))


@st.cache_resource(show_spinner=False, max_entries=4)
def counts(snap: Snapshot) -> dict[str, int]:
    """Counts per node kind, ties and illustrative items (see :func:`coalition.model.summary`).

    Read from the tables (the same numbers as the graph's, without building it).

    Examples
    --------
    >>> counts(snap)['partnerships']
    4
    """
    from coalition.analysis import provenance

    read = tables(snap)
    if read is None:  # the tables need the graph's merging
        G = graph(snap)
        result = dict(model.summary(G))
        result["partnerships"] = sum(1 for *_, key in G.edges(keys=True) if key == "partnership")
        entries = provenance.illustrative_counts(G)
    else:
        result = dict(model.tables_summary(read))
        # One row per edge of the graph: repeated rows of a tie are one partnership.
        result["partnerships"] = int((read.edges["tie_type"] == "partnership").sum())
        entries = provenance.illustrative_counts_of_tables(read)
    # Entries = table rows (nodes and ties), counted as the Data page counts them.
    result["entries"], result["illustrative_entries"] = entries["entries"], entries["illustrative"]
    return result


@st.cache_resource(show_spinner=False, max_entries=4)
def filter_options(snap: Snapshot) -> dict[str, Any]:
    """Choices for the filters (see :func:`coalition.presenting.city.filter_options`).

    Read from the tables when they can tell (the graph is not built for them).

    Examples
    --------
    >>> filter_options(snap)['sectors'][:2]
    ['business', 'faith']
    """
    read = tables(snap)
    if read is None:
        return city_text.filter_options(graph(snap))
    return city_text.filter_options_of_tables(read)


# --- the analyses ---------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Looking for the coalition's gaps…", max_entries=4)
def gaps(snap: Snapshot) -> analysis.GapReport:
    """Every gap family of one store version.

    Examples
    --------
    >>> gaps(snap).isolated['id'].tolist()
    ['lonely', 'assoc', 'church', 'clinic']
    """
    return analysis.find_gaps(index(snap))


@st.cache_resource(show_spinner=False, max_entries=32)
def _gap_rows(snap: Snapshot, family: str) -> gap_text.GapRows:
    """A family's rows sorted by severity, each row's ids, names and search text."""
    return gap_text.index_rows(getattr(gaps(snap), family, None))


def gap_table(
    snap: Snapshot,
    family: str,
    *,
    neighborhood: str | None = None,
    community: str | None = None,
    text: str | None = None,
    neighborhood_id: str | None = None,
    community_id: str | None = None,
) -> pd.DataFrame:
    """One gap family, filtered, with readable columns (ids hidden, lists joined).

    See :func:`coalition.presenting.gaps.matching` for what matches.

    Examples
    --------
    >>> len(gap_table(snap, 'service_gaps', text='karen'))
    8
    """
    rows = _gap_rows(snap, family)
    if rows.frame.empty:
        return pd.DataFrame()
    keep = gap_text.matching(
        rows,
        neighborhood_id=neighborhood_id,
        neighborhood=neighborhood,
        community_id=community_id,
        community=community,
        text=text,
    )
    return gap_text.readable(rows.frame[keep], family)


@st.cache_resource(show_spinner="Working out committee coverage…", max_entries=32)
def coverage(
    snap: Snapshot, rule: str = "own", distance_km: float = 1.0, extra: tuple[str, ...] = ()
) -> analysis.CoverageReport:
    """Coverage under a rule, optionally with extra (imagined) active committees.

    Examples
    --------
    >>> coverage(snap, 'adjacent').summary['neighborhoods_covered']
    3
    """
    return analysis.coverage_report(
        index(snap), rule=rule, distance_km=distance_km, extra_committees=extra
    )


def candidate_count(snap: Snapshot) -> int:
    """Neighborhoods without an active committee: the candidates for the next one.

    Read from the index's committee status (:func:`coalition.model.neighborhood_committees`, the
    one source of "has an active committee").

    Examples
    --------
    >>> candidate_count(snap)
    3
    """
    return int((~index(snap).has_active_committee).sum())


@st.cache_resource(show_spinner="Ranking the candidate neighborhoods…", max_entries=32)
def ranking(
    snap: Snapshot,
    weights: tuple[tuple[str, float], ...] | None = None,
    k: int = settings.DEFAULT_K,
) -> analysis.RankReport | None:
    """The replication ranking (with stability).

    ``k`` is capped at the number of candidates; ``None`` when there is no candidate (every
    neighborhood has an active committee).

    Examples
    --------
    >>> ranking(snap, (('need', 1.0),), k=2).candidates['name'].tolist()[:2]
    ['Cedar', 'Dogwood']
    """
    candidates = candidate_count(snap)
    if candidates == 0:
        return None
    return analysis.rank_candidates(
        index(snap),
        dict(weights) if weights else None,
        k=min(k, candidates),
        stability_runs=settings.DEFAULT_STABILITY_RUNS,
        seed=settings.DEFAULT_SEED,
    )


@st.cache_resource(show_spinner="Choosing the best set of next committees…", max_entries=32)
def plan(
    snap: Snapshot,
    weights: tuple[tuple[str, float], ...] | None = None,
    k: int = settings.DEFAULT_K,
    rule: str = "own",
    distance_km: float = 1.0,
) -> analysis.PlanReport | None:
    """The optimised k-plan, compared with :func:`ranking` for the same weights and k.

    ``None`` when there is no candidate (every neighborhood has an active committee).

    Examples
    --------
    >>> plan(snap, (('need', 1.0),), k=2).newly_covered_neighborhoods
    ['Cedar', 'Dogwood']
    """
    ranked = ranking(snap, weights, k)
    if ranked is None:
        return None
    return analysis.plan_committees(
        index(snap),
        ranked.k_requested or ranked.k,
        ranking=ranked,
        rule=rule,
        distance_km=distance_km,
    )


@st.cache_resource(show_spinner="Imagining the new committees…", max_entries=32)
def what_if(
    snap: Snapshot, ids: tuple[str, ...], rule: str = "own", distance_km: float = 1.0
) -> analysis.WhatIfReport:
    """Coverage before and after adding active committees in ``ids``.

    Examples
    --------
    >>> what_if(snap, ('dogwood',)).share_after
    0.6
    """
    return analysis.what_if(index(snap), list(ids), rule=rule, distance_km=distance_km)


# --- the network ----------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Placing the network on screen…", max_entries=8)
def positions(snap: Snapshot, geographic: bool = True) -> dict[str, tuple[float, float]]:
    """Node positions of the FULL graph, so that filtering never moves a node.

    Examples
    --------
    >>> len(positions(snap))  # one (x, y) per node
    16
    """
    from coalition import network_view

    return network_view.layout_positions(
        graph(snap), seed=settings.DEFAULT_SEED, geographic=geographic
    )


@st.cache_resource(show_spinner="Filtering the network…", max_entries=16)
def filtered(snap: Snapshot, selection: tuple) -> nx.MultiDiGraph:
    """The sub-graph for one filter choice (see :func:`network_page_html`).

    Examples
    --------
    >>> filtered(snap, (('organization',), (), (), (), (), None, 1)).number_of_nodes()
    6
    """
    from coalition import network_view

    kinds, sectors, communities, neighborhoods, services, focus, depth = selection
    G = graph(snap)
    if not (sectors or communities or neighborhoods or services) and focus is None:
        # Nothing filtered out (the page's default): the cached graph itself, read-only as
        # every cached result, instead of a copy of it (1-2 s at 10,000 organizations).
        present = set(dict(G.nodes(data="kind")).values())
        if not kinds or present <= set(kinds) <= set(schema.NODE_KINDS):
            return G
    return network_view.filter_graph(
        G,
        kinds=list(kinds) or None,
        sectors=list(sectors) or None,
        communities=list(communities) or None,
        neighborhoods=list(neighborhoods) or None,
        services=list(services) or None,
        focus=focus,
        depth=depth,
    )


def matched_count(snap: Snapshot, selection: tuple) -> int:
    """How many nodes a filter choice keeps.

    Examples
    --------
    >>> matched_count(snap, ((), ('health',), (), (), (), None, 1))
    11
    """
    return filtered(snap, selection).number_of_nodes()


@st.cache_resource(show_spinner=False, max_entries=4)
def brokerage(snap: Snapshot) -> pd.DataFrame:
    """Per organization: degree, effective size and Burt's constraint (python-igraph).

    Examples
    --------
    >>> float(brokerage(snap).loc['lib', 'effective_size'])
    3.0
    """
    from coalition.analysis import metrics

    return metrics.brokerage(metrics.partnership_network(index(snap)))


@st.cache_resource(show_spinner=False, max_entries=16)
def node_sizes(snap: Snapshot, size_by: str) -> dict[str, float]:
    """A size value per node for a measure of :data:`coalition.labels.SIZE_LABELS`.

    Empty for ``"none"``.

    Examples
    --------
    >>> node_sizes(snap, 'degree')['lib']
    6.0
    """
    if size_by == "none":
        return {}
    G = graph(snap)
    if size_by == "degree":
        return {node: float(degree) for node, degree in G.degree()}
    table = brokerage(snap)
    # independence: Burt's constraint is high for members boxed into one group
    values = table["effective_size"] if size_by == "effective_size" else 1.0 - table["constraint"]
    return {str(node): float(value) for node, value in values.dropna().items()}


@st.cache_resource(show_spinner=False, max_entries=16)
def highlights(
    snap: Snapshot, marks: tuple[str, ...]
) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Nodes to mark (node -> reason) and ties to thicken, for the chosen marks.

    Examples
    --------
    >>> nodes, edges = highlights(snap, ('brokers',))
    >>> nodes
    {'lib': 'broker', 'legal': 'broker'}
    """
    nodes: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    if "brokers" in marks:
        for node in gap_text.broker_ids(gaps(snap).bridging, 10):
            nodes[node] = "broker"
    if "fragile" in marks:
        for node in gap_text.fragile_members(gaps(snap).fragile_links):
            nodes[node] = "fragile" if node not in nodes else nodes[node] + ", fragile"
    if "bridging" in marks:
        pairs = analysis.bridging_pairs(index(snap))
        edges.update(zip(pairs["a"].tolist(), pairs["b"].tolist(), strict=True))
    return nodes, edges


@st.cache_resource(show_spinner="Drawing the network…", max_entries=16)
def network_page_html(
    snap: Snapshot,
    selection: tuple,
    color_by: str,
    size_by: str,
    marks: tuple[str, ...],
    geographic: bool,
    aggregate_by: str | None,
) -> tuple[str, int, int, bool]:
    """The pyvis page for one choice of filters (html, nodes shown, nodes matched, aggregated).

    ``selection`` is ``(kinds, sectors, communities, neighborhoods, services, focus, depth)``
    with tuples for the lists (hashable).

    Examples
    --------
    >>> selection = ((), (), (), (), (), None, 1)  # everything
    >>> html, shown, matched, grouped = network_page_html(
    ...     snap, selection, 'sector', 'none', (), True, None)
    >>> shown, matched, grouped
    (16, 16, False)
    """
    from coalition import network_view

    view = filtered(snap, selection)
    matched = view.number_of_nodes()
    if matched > network_view.MAX_VISIBLE_NODES and aggregate_by:
        grouped = network_view.aggregate_graph(view, by=aggregate_by)
        group_positions = network_view.layout_positions(
            grouped, seed=settings.DEFAULT_SEED, geographic=False
        )
        html_text = network_view.network_html(grouped, group_positions, height="650px")
        return html_text, grouped.number_of_nodes(), matched, True
    size = node_sizes(snap, size_by)
    highlight_nodes, highlight_edges = highlights(snap, marks)
    marked = {n: r for n, r in highlight_nodes.items() if n in view}
    focus = selection[5]
    if focus in view:  # the organization searched for stands out from its surroundings
        marked[focus] = ", ".join(filter(None, ["the organization you chose", marked.get(focus)]))
    html_text = network_view.network_html(
        view,
        positions(snap, geographic),
        color_by=color_by,
        size_by={n: v for n, v in size.items() if n in view} if size else None,
        highlight_nodes=marked or None,
        highlight_edges={e for e in highlight_edges if e[0] in view and e[1] in view} or None,
        height="650px",
    )
    return html_text, matched, matched, False


# --- the map and a neighborhood's profile --------------------------------------------------------


@st.cache_resource(show_spinner="Preparing the map…", max_entries=4)
def neighborhoods(snap: Snapshot) -> gpd.GeoDataFrame:
    """Neighborhood polygons + figures + committee status, default score and gap count.

    Examples
    --------
    >>> neighborhoods(snap).loc['cedar', 'gap_count']
    np.float64(2.0)
    """
    from coalition import map_files

    return map_files.neighborhood_measures(graph(snap), ranking(snap), index=index(snap))


@st.cache_resource(show_spinner=False, max_entries=4)
def _organizations_frame(snap: Snapshot) -> pd.DataFrame:
    return model.nodes_frame(graph(snap), model.ORGANIZATION)


@st.cache_resource(show_spinner=False, max_entries=4)
def _committees_frame(snap: Snapshot) -> pd.DataFrame:
    return model.nodes_frame(graph(snap), model.COMMITTEE)


def neighborhood_map(
    snap: Snapshot, measure: str, organizations_in: tuple[str, ...] | None, tiles: str | None
) -> folium.Map:
    """A freshly built folium map (offline: assets inlined by :func:`maps.make_offline`).

    Built on every run rather than cached: ``st_folium`` renders, and so changes, the map it is
    given, and a deep copy of a cached map costs more than building it (0.6 s vs 0.15 s for
    2,300 neighborhoods, measured). ``organizations_in`` limits the organization points to
    some neighborhoods (``()`` draws none, ``None`` all).

    Examples
    --------
    >>> m = neighborhood_map(snap, 'foreign_born', None, None)
    """
    from coalition import maps

    frame = neighborhoods(snap)
    organizations = _organizations_frame(snap)
    if organizations_in is not None:
        organizations = organizations[organizations["neighborhood"].isin(organizations_in)]
    built = maps.neighborhood_map(
        frame,
        measure,
        organizations=organizations if len(organizations) else None,
        tiles=tiles,
        title=maps.MEASURES.get(measure, measure),
        committees=_committees_frame(snap),
    )
    return maps.make_offline(built)


@st.cache_resource(show_spinner=False, max_entries=64)
def neighborhood_members(snap: Snapshot, neighborhood_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A neighborhood's organizations and communities (see
    :func:`coalition.presenting.city.neighborhood_members`).

    Examples
    --------
    >>> members, communities = neighborhood_members(snap, 'alder')
    """
    return city_text.neighborhood_members(graph(snap), neighborhood_id)


def neighborhood_gap_lines(snap: Snapshot, neighborhood_id: str) -> list[str]:
    """Explanations of every gap that mentions a neighborhood (plain text, each once).

    Examples
    --------
    >>> len(neighborhood_gap_lines(snap, 'dogwood'))
    9
    """
    name = str(graph(snap).nodes[neighborhood_id].get("name") or neighborhood_id)
    lines: list[str] = []
    for family in labels.GAP_FAMILIES:
        lines.extend(
            gap_text.explanations(
                gap_table(snap, family, neighborhood=name, neighborhood_id=neighborhood_id)
            )
        )
    return list(dict.fromkeys(lines))


# --- the store's data, history and downloads ------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=4)
def datasets(snap: Snapshot) -> pd.DataFrame:
    """Per table: rows, illustrative rows, sources and latest source date.

    Examples
    --------
    >>> int(datasets(snap)['rows'].sum())
    33
    """
    return _open(snap.url).datasets()


@st.cache_resource(show_spinner=False, max_entries=4)
def source_list(snap: Snapshot) -> pd.DataFrame:
    """Per table and source (see :func:`coalition.presenting.city.source_table`).

    Examples
    --------
    >>> source_list(snap)['Source'].unique().tolist()
    ['coalition/examples.py']
    """
    return city_text.source_table(city(snap).tables)


@st.cache_resource(show_spinner=False, max_entries=4)
def info(snap: Snapshot) -> dict[str, Any]:
    """The store's metadata: city, when and from where it was loaded, warnings.

    Examples
    --------
    >>> info(snap)['city']
    'Tiny Town'
    """
    return _open(snap.url).info()


@st.cache_resource(show_spinner=False, max_entries=4)
def versions(snap: Snapshot) -> pd.DataFrame:
    """The versions kept in the store's history (version, saved_at, what), newest first.

    Examples
    --------
    >>> versions(snap)['version'].tolist()
    [1]
    """
    return _open(snap.url).versions()


@st.cache_resource(show_spinner="Comparing the two versions…", max_entries=16)
def changes(snap: Snapshot, since: int) -> history.ChangeReport:
    """What changed from the kept version ``since`` to the current one (``snap.version``).

    Raises :class:`coalition.errors.StoreError` for a version the history no longer keeps.

    Examples
    --------
    The example store keeps only version 1:

    >>> changes(snap, 0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coalition.errors.StoreError: Version 0 is not in the store's history: ... --list
    """
    from coalition import history

    return history.compare_cities(
        _open(snap.url).read_version(since), city(snap), with_effects=False
    )


@st.cache_resource(show_spinner="Working out what the changes did…", max_entries=8)
def change_effects(snap: Snapshot, since: int) -> pd.DataFrame:
    """What the changes since ``since`` did: brokers, single points of failure, coverage,
    ranking (:func:`coalition.history.change_effects`; both versions analysed).

    Kept apart from :func:`changes`, so the page shows the changes first.
    """
    from coalition import history

    return history.change_effects(_open(snap.url).read_version(since), city(snap))


@st.cache_resource(show_spinner="Preparing the download…", max_entries=12)
def export(snap: Snapshot, fmt: str) -> bytes:
    """One export format of the current graph, as bytes for a download button.

    Examples
    --------
    >>> export(snap, 'xlsx')[:2]
    b'PK'
    """
    from coalition import exports

    return exports.export_bytes(city(snap), fmt, graph=graph(snap))


def deferred_export(snap: Snapshot, fmt: str) -> Callable[[], bytes]:
    """A no-argument callable for ``st.download_button``: builds the export only when clicked.

    Examples
    --------
    >>> build = deferred_export(snap, 'xlsx')  # for st.download_button('Excel', build)
    >>> build()[:2]
    b'PK'
    """

    def build() -> bytes:
        return export(snap, fmt)

    return build


# --- changes since a meeting (the Network and Map pages' "Show changes since") --------------------
# Imported where used (as the drawing modules above are): this section is added last, apart.

if TYPE_CHECKING:
    from coalition import since as since_module


@st.cache_resource(show_spinner=False, max_entries=4)
def since_choices(snap: Snapshot) -> dict[str, since_module.SinceChoice]:
    """The earlier versions a page can show changes since: meetings first, then versions.

    See :func:`coalition.since.since_choices` (keys stay the same when a version is added).

    Examples
    --------
    >>> list(since_choices(snap))
    ['version:1']
    """
    from coalition import since as since_module

    store = _open(snap.url)
    return since_module.since_choices(store.meetings(), store.versions())


@st.cache_resource(show_spinner="Comparing with the meeting…", max_entries=16)
def since_marks(snap: Snapshot, version: int) -> since_module.SinceMarks:
    """What changed from the kept ``version`` to ``snap.version``, as marks to draw.

    The tables of both versions are compared by key (:func:`coalition.since.changes_since`);
    an ended tie's date and reason come from the edits between them, or, when a whole-city
    load lies between, from the store's retired ties. Raises
    :class:`coalition.errors.StoreError` for a version the history does not keep.

    Examples
    --------
    >>> since_marks(snap, 1).is_empty
    True
    """
    from coalition import edits
    from coalition import since as since_module

    store = _open(snap.url)
    changes = store.changes_between(version, snap.version)
    if changes == []:  # nothing saved since: no need to read the older version
        return since_module.SinceMarks()
    if changes is not None:
        retired = {
            c.key: c.after["_retired"]
            for c in changes
            if c.table == "ties" and c.kind == "retired" and c.after is not None
        }
    else:
        gone = store.retired("ties")
        retired = (
            {
                key: {"on": on, "reason": reason}
                for key, on, reason in zip(
                    edits.keys_of("ties", gone),
                    gone["_retired_on"].tolist(),
                    gone["_retired_reason"].tolist(),
                    strict=True,
                )
            }
            if len(gone)
            else {}
        )
    return since_module.changes_since(store.read_version(version), city(snap), retired=retired)


@st.cache_resource(show_spinner="Drawing the network…", max_entries=16)
def network_since_html(
    snap: Snapshot,
    selection: tuple,
    color_by: str,
    size_by: str,
    marks: tuple[str, ...],
    geographic: bool,
    version: int,
    label: str,
) -> tuple[str, int]:
    """The pyvis page of one (ungrouped) choice of filters with the changes since ``version``
    drawn on it: new ties, ended ties (dashed), new organizations outlined.

    Same drawing as :func:`network_page_html` (same cached positions, sizes and highlights:
    the marks move nothing); returns ``(html, nodes shown)``. Views too large to draw one by
    one are grouped by :func:`network_page_html`, without the marks.

    Examples
    --------
    >>> html, shown = network_since_html(
    ...     snap, ((), (), (), (), (), None, 1), 'kind', 'none', (), True, 1, 'version 1')
    >>> shown, '0 new ties since version 1' in html
    (16, True)
    """
    from coalition import network_view

    view = filtered(snap, selection)
    changes = since_marks(snap, version)
    size = node_sizes(snap, size_by)
    highlight_nodes, highlight_edges = highlights(snap, marks)
    marked = {n: r for n, r in highlight_nodes.items() if n in view}
    focus = selection[5]
    if focus in view:
        marked[focus] = ", ".join(filter(None, ["the organization you chose", marked.get(focus)]))
    html_text = network_view.network_html(
        view,
        positions(snap, geographic),
        color_by=color_by,
        size_by={n: v for n, v in size.items() if n in view} if size else None,
        highlight_nodes=marked or None,
        highlight_edges={e for e in highlight_edges if e[0] in view and e[1] in view} or None,
        height="650px",
        new_ties=set(changes.ties_added),
        ended_ties=[
            {**tie.row, "on": tie.on, "reason": tie.reason} for tie in changes.ties_ended.values()
        ],
        new_nodes=set(changes.organizations_added),
        changes_label=label,
    )
    return html_text, view.number_of_nodes()


def neighborhood_map_since(
    snap: Snapshot,
    measure: str,
    organizations_in: tuple[str, ...] | None,
    tiles: str | None,
    version: int,
    label: str,
) -> folium.Map:
    """:func:`neighborhood_map` with the neighborhoods changed since ``version`` outlined.

    Built on every run, as :func:`neighborhood_map` is (``st_folium`` changes the map it is
    given); the changes themselves are cached (:func:`since_marks`).

    Examples
    --------
    >>> m = neighborhood_map_since(snap, 'foreign_born', None, None, 1, 'version 1')
    """
    from coalition import maps
    from coalition import since as since_module

    organizations = _organizations_frame(snap)
    if organizations_in is not None:
        organizations = organizations[organizations["neighborhood"].isin(organizations_in)]
    built = maps.neighborhood_map(
        neighborhoods(snap),
        measure,
        organizations=organizations if len(organizations) else None,
        tiles=tiles,
        title=maps.MEASURES.get(measure, measure),
        committees=_committees_frame(snap),
        outlines=since_module.outline_texts(since_marks(snap, version), label),
        outlines_label=label,
    )
    return maps.make_offline(built)
