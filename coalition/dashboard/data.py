"""Cached loaders: every heavy result is computed once per store version and then reused.

Each loader takes the store's URL and its :meth:`~coalition.store.Store.version` (which changes
on every write), so a new city or a new tie invalidates exactly what depends on it and nothing is
ever served stale. Results are cached with ``st.cache_resource`` (shared, not copied) because
they are large (a 10,000-organization graph, its layout and reports) and the library's functions
never mutate their inputs; pages must treat them as read-only (``.copy()`` before changing).

The store itself is opened once per URL (``COALITION_DB``, see :func:`coalition.settings.db_url`)
and, when empty, filled from the sample city (:func:`coalition.store.ensure_loaded`), which the
store remembers (``info()["loaded_automatically"]``) and the sidebar says on screen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import streamlit as st

from coalition import analysis, exports, history, map_files, maps, model, network_view, settings
from coalition import store as store_module

logger = logging.getLogger(__name__)

RULES = {
    "own": "A committee reaches its own neighborhood",
    "adjacent": "… and the neighborhoods that border it",
    "distance": "… and neighborhoods within a distance",
}


@dataclass(frozen=True)
class Snapshot:
    """Which store, at which version: the key of every cached result.

    Examples
    --------
    >>> Snapshot('sqlite:////tmp/t.db', 3).version
    3
    """

    url: str
    version: int


@st.cache_resource(show_spinner="Opening the coalition's data…", max_entries=8)
def _open(url: str) -> store_module.Store:
    store = store_module.open_store(url)
    if store_module.ensure_loaded(store):  # the sidebar says so (loaded_automatically)
        logger.warning("The store %s was empty: loaded the sample city from %s", url,
                       settings.data_dir())
    return store


def get_store() -> store_module.Store:
    """The store named by ``COALITION_DB`` (opened once, loaded with the sample city if empty).

    Examples
    --------
    >>> get_store().is_empty()  # doctest: +SKIP
    False
    """
    return _open(settings.db_url())


def snapshot() -> Snapshot:
    """The current store URL and version (cheap: one small query per rerun).

    Examples
    --------
    >>> snap = snapshot()  # doctest: +SKIP
    >>> G = graph(snap.url, snap.version)  # doctest: +SKIP
    """
    url = settings.db_url()
    return Snapshot(url, int(_open(url).version()))


@st.cache_resource(show_spinner="Reading the coalition's data…", max_entries=4)
def city(url: str, version: int) -> model.CityData:
    """The stored city's tables at one version.

    Examples
    --------
    >>> city(snap.url, snap.version).name  # doctest: +SKIP
    'Hartford, Connecticut'
    """
    return _open(url).read_city()


@st.cache_resource(show_spinner="Building the coalition graph…", max_entries=4)
def graph(url: str, version: int) -> nx.MultiDiGraph:
    """The coalition graph of one store version.

    Examples
    --------
    >>> graph(snap.url, snap.version).number_of_nodes()  # doctest: +SKIP
    104
    """
    return model.build_graph(city(url, version))


@st.cache_resource(show_spinner="Indexing the coalition…", max_entries=4)
def index(url: str, version: int) -> analysis.GraphIndex:
    """The analyses' index of the graph (built once, shared by gaps, coverage and ranking).

    Examples
    --------
    >>> index(snap.url, snap.version)  # doctest: +SKIP
    """
    return analysis.index_graph(graph(url, version))


@st.cache_resource(show_spinner=False, max_entries=4)
def counts(url: str, version: int) -> dict[str, int]:
    """Counts per node kind, ties and illustrative items (see :func:`coalition.model.summary`).

    Examples
    --------
    >>> counts(snap.url, snap.version)['partnerships']  # doctest: +SKIP
    66
    """
    G = graph(url, version)
    result = dict(model.summary(G))
    result["partnerships"] = sum(1 for *_, key in G.edges(keys=True) if key == "partnership")
    return result


@st.cache_resource(show_spinner="Looking for the coalition's gaps…", max_entries=4)
def gaps(url: str, version: int) -> analysis.GapReport:
    """Every gap family of one store version.

    Examples
    --------
    >>> gaps(snap.url, snap.version).isolated.head()  # doctest: +SKIP
    """
    return analysis.gaps_from_index(index(url, version))


@st.cache_resource(show_spinner="Working out committee coverage…", max_entries=32)
def coverage(url: str, version: int, rule: str = "own", distance_km: float = 1.0,
             extra: tuple[str, ...] = ()) -> analysis.CoverageReport:
    """Coverage under a rule, optionally with extra (imagined) active committees.

    Examples
    --------
    >>> coverage(snap.url, snap.version, 'adjacent').summary['neighborhoods_covered']  # doctest: +SKIP
    """
    return analysis.coverage_from_index(index(url, version), rule=rule, distance_km=distance_km,
                                        extra_committees=extra)


def candidate_count(url: str, version: int) -> int:
    """Neighborhoods without an active committee: the candidates for the next one.

    Examples
    --------
    >>> candidate_count(snap.url, snap.version)  # doctest: +SKIP
    16
    """
    status = coverage(url, version).neighborhoods["committee_status"]
    return int((status != "active").sum())


@st.cache_resource(show_spinner="Ranking the candidate neighborhoods…", max_entries=32)
def ranking(url: str, version: int, weights: tuple[tuple[str, float], ...] | None = None,
            k: int = settings.DEFAULT_K, rule: str = "own",
            distance_km: float = 1.0) -> analysis.RankReport | None:
    """The replication ranking (with stability and the optimised k-plan).

    ``k`` is capped at the number of candidates; ``None`` when there is no candidate (every
    neighborhood has an active committee).

    Examples
    --------
    >>> ranking(snap.url, snap.version, (('need', 1.0),), k=2)  # doctest: +SKIP
    """
    candidates = candidate_count(url, version)
    if candidates == 0:
        return None
    return analysis.rank_from_index(
        index(url, version), dict(weights) if weights else None, k=min(k, candidates),
        rule=rule, distance_km=distance_km, stability_runs=settings.DEFAULT_STABILITY_RUNS,
        seed=settings.DEFAULT_SEED)


@st.cache_resource(show_spinner="Imagining the new committees…", max_entries=32)
def what_if(url: str, version: int, ids: tuple[str, ...], rule: str = "own",
            distance_km: float = 1.0) -> dict[str, Any]:
    """Coverage before and after adding active committees in ``ids``.

    Examples
    --------
    >>> what_if(snap.url, snap.version, ('south-end',))['share_after']  # doctest: +SKIP
    """
    return analysis.what_if(graph(url, version), list(ids), rule=rule, distance_km=distance_km)


@st.cache_resource(show_spinner="Placing the network on screen…", max_entries=8)
def positions(url: str, version: int, geographic: bool = True) -> dict[str, tuple[float, float]]:
    """Node positions of the FULL graph, so that filtering never moves a node.

    Examples
    --------
    >>> positions(snap.url, snap.version)['hpl_tap']  # doctest: +SKIP
    """
    return network_view.layout_positions(graph(url, version), seed=settings.DEFAULT_SEED,
                                         geographic=geographic)


@st.cache_resource(show_spinner="Drawing the network…", max_entries=16)
def network_page_html(url: str, version: int, selection: tuple, color_by: str, size_by: str,
                      marks: tuple[str, ...], geographic: bool,
                      aggregate_by: str | None) -> tuple[str, int, int, bool]:
    """The pyvis page for one choice of filters (html, nodes shown, nodes matched, aggregated).

    ``selection`` is ``(kinds, sectors, communities, neighborhoods, services, focus, depth)``
    with tuples for the lists (hashable).

    Examples
    --------
    >>> selection = ((), (), (), (), (), None, 1)  # everything
    >>> html, shown, matched, grouped = network_page_html(
    ...     snap.url, snap.version, selection, 'sector', 'none', (), True, None)  # doctest: +SKIP
    """
    from coalition.dashboard import measures  # local: keeps import order simple for pages

    view = measures.filtered(url, version, selection)
    matched = view.number_of_nodes()
    if matched > network_view.MAX_VISIBLE_NODES and aggregate_by:
        grouped = network_view.aggregate_graph(view, by=aggregate_by)
        group_positions = network_view.layout_positions(grouped, seed=settings.DEFAULT_SEED,
                                                        geographic=False)
        html_text = network_view.network_html(grouped, group_positions, height="650px")
        return html_text, grouped.number_of_nodes(), matched, True
    size = measures.node_sizes(url, version, size_by)
    highlight_nodes, highlight_edges = measures.highlights(url, version, marks)
    marked = {n: r for n, r in highlight_nodes.items() if n in view}
    focus = selection[5]
    if focus in view:  # the organization searched for stands out from its surroundings
        marked[focus] = ", ".join(filter(None, ["the organization you chose",
                                                marked.get(focus)]))
    html_text = network_view.network_html(
        view, positions(url, version, geographic), color_by=color_by,
        size_by={n: v for n, v in size.items() if n in view} if size else None,
        highlight_nodes=marked or None,
        highlight_edges={e for e in highlight_edges if e[0] in view and e[1] in view} or None,
        height="650px")
    return html_text, matched, matched, False


@st.cache_resource(show_spinner=False, max_entries=4)
def datasets(url: str, version: int) -> pd.DataFrame:
    """Per table: rows, illustrative rows, sources and latest source date.

    Examples
    --------
    >>> datasets(snap.url, snap.version)['rows'].sum()  # doctest: +SKIP
    """
    return _open(url).datasets()


@st.cache_resource(show_spinner=False, max_entries=4)
def info(url: str, version: int) -> dict[str, Any]:
    """The store's metadata: city, when and from where it was loaded, warnings.

    Examples
    --------
    >>> info(snap.url, snap.version)['city']  # doctest: +SKIP
    """
    return _open(url).info()


@st.cache_resource(show_spinner=False, max_entries=4)
def versions(url: str, version: int) -> pd.DataFrame:
    """The versions kept in the store's history (version, saved_at, what), newest first.

    Examples
    --------
    >>> versions(snap.url, snap.version)['version'].tolist()  # doctest: +SKIP
    [2, 1]
    """
    return _open(url).versions()


@st.cache_resource(show_spinner="Comparing the two versions…", max_entries=16)
def changes(url: str, version: int, since: int) -> history.ChangeReport:
    """What changed from the kept version ``since`` to the current one (``version``).

    Raises :class:`coalition.errors.StoreError` for a version the history no longer keeps.

    Examples
    --------
    >>> changes(snap.url, snap.version, snap.version - 1).explanation  # doctest: +SKIP
    """
    return history.compare_cities(_open(url).read_version(since), city(url, version))


@st.cache_resource(show_spinner="Preparing the download…", max_entries=12)
def export(url: str, version: int, fmt: str) -> bytes:
    """One export format of the current graph, as bytes for a download button.

    Examples
    --------
    >>> export(snap.url, snap.version, 'xlsx')[:2]  # doctest: +SKIP
    b'PK'
    """
    return exports.export_bytes(city(url, version), fmt, graph=graph(url, version))


def neighborhoods(url: str, version: int) -> gpd.GeoDataFrame:
    """The neighborhoods with every map measure (see :func:`_neighborhood_measures`).

    Examples
    --------
    >>> neighborhoods(snap.url, snap.version)[['name', 'gap_count']]  # doctest: +SKIP
    """
    return _neighborhood_measures(url, version)


@st.cache_resource(show_spinner="Preparing the map…", max_entries=4)
def _neighborhood_measures(url: str, version: int) -> gpd.GeoDataFrame:
    """Neighborhood polygons + figures + committee status, default score and gap count."""
    return map_files.neighborhood_measures(graph(url, version), ranking(url, version),
                                           index=index(url, version))


def neighborhood_map(url: str, version: int, measure: str,
                     organizations_in: tuple[str, ...] | None, tiles: str | None):
    """A freshly built folium map (offline: assets inlined by :func:`maps.make_offline`).

    Built on every run rather than cached: ``st_folium`` renders, and so changes, the map it is
    given, and a deep copy of a cached map costs more than building it (0.6 s vs 0.15 s for
    2,300 neighborhoods, measured). ``organizations_in`` limits the organization points to
    some neighborhoods (``()`` draws none, ``None`` all).

    Examples
    --------
    >>> m = neighborhood_map(snap.url, snap.version, 'foreign_born', None, None)  # doctest: +SKIP
    """
    frame = _neighborhood_measures(url, version)
    organizations = _organizations_frame(url, version)
    if organizations_in is not None:
        organizations = organizations[organizations["neighborhood"].isin(organizations_in)]
    built = maps.neighborhood_map(frame, measure,
                                  organizations=organizations if len(organizations) else None,
                                  tiles=tiles, title=maps.MEASURES.get(measure, measure),
                                  committees=_committees_frame(url, version))
    return maps.make_offline(built)


@st.cache_resource(show_spinner=False, max_entries=4)
def _organizations_frame(url: str, version: int) -> pd.DataFrame:
    return model.nodes_frame(graph(url, version), model.ORGANIZATION)


@st.cache_resource(show_spinner=False, max_entries=4)
def _committees_frame(url: str, version: int) -> pd.DataFrame:
    return model.nodes_frame(graph(url, version), model.COMMITTEE)
