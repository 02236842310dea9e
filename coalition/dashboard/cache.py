"""Cached loaders: every heavy result is computed once per content it depends on, then reused.

Every loader takes a :class:`Snapshot` (the store's URL and its
:meth:`~coalition.store.Store.version`, which changes on every write). What reads the whole
city (the graph, the Data page) is cached per version; the analyses are cached per
:class:`AnalysisKey`, the last version that changed a column they read, so a new tie
invalidates them while an edited note reuses them (see the comment above
:data:`ANALYSED_COLUMNS` for which columns each product depends on, and why), and nothing is
ever served stale. After an edit, the new version's tables are built from the previous
version's and the edit's rows instead of reading the whole store again. Results are cached with
``st.cache_resource`` (shared, not copied) because they are large (a 10,000-organization graph,
its layout and reports) and the library's functions never mutate their inputs; pages must treat
them as read-only (``.copy()`` before changing).

The store itself is opened once per URL (``COALITION_DB``, see :func:`coalition.settings.db_url`)
and, when empty, filled from the sample city (:func:`coalition.store.ensure_loaded`), which the
store remembers (``info()["loaded_automatically"]``) and the sidebar says on screen.

What is shown is worked out by :mod:`coalition.presenting` (pure, streamlit-free); the loaders
here only cache what is expensive to work out again on every rerun.

Every loader whose result carries resident counts (gaps, coverage, a neighborhood's communities,
the map's figures, the city's protected counts) takes a ``disclosure``
(:class:`coalition.privacy.Disclosure`, from :func:`coalition.dashboard.auth.disclosure`) and is
cached per disclosure too, so an editor's exact result is never served to a viewer. Its default
is :meth:`~coalition.privacy.Disclosure.public`: a page that forgets it hides, never leaks.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd
import streamlit as st

from coalition import accounts, analysis, edits, i18n, labels, model, privacy, schema, settings
from coalition import store as store_module
from coalition.errors import AnalysisError
from coalition.presenting import city as city_text
from coalition.presenting import gaps as gap_text

if TYPE_CHECKING:  # drawing and export modules load with the first page that needs them
    import folium
    import geopandas as gpd


logger = logging.getLogger(__name__)

# Above this many organizations the map draws only those of the chosen neighborhood: 10,000
# points took 9 s per rerun (st_folium renders every marker as its own script); 2,300
# polygons alone take 0.5 s (measured on the synthetic city).
MAX_MAP_ORGANIZATIONS = 1_500


@dataclass(frozen=True)
class SurveyTies:
    """Partnerships taken from a partner-survey round instead of the ties table.

    ``ties`` is ``"confirmed"`` (pairs that named each other) or ``"any"`` (every report);
    ``revision`` is the store's :meth:`~coalition.store.Store.survey_revision` when it was
    read, so a new answer gives a new key (see :func:`survey_snapshot`).

    Examples
    --------
    >>> SurveyTies('spring', 'confirmed', 4).ties
    'confirmed'
    """

    round: str
    ties: str
    revision: int


@dataclass(frozen=True)
class Snapshot:
    """Which store, at which version (and which ties): the key of every cached result.

    Streamlit hashes a dataclass by its fields, so two snapshots of the same store version
    share every cached result. ``survey`` is None for the recorded ties (every page but the
    Gaps and Network pages' "Ties from" switch); with a :class:`SurveyTies`, :func:`city` is
    the city with the round's partnerships (see the comment above :func:`survey_snapshot`).

    Examples
    --------
    >>> Snapshot('sqlite:////tmp/t.db', 3).version
    3
    >>> Snapshot('sqlite:////tmp/t.db', 3) == Snapshot('sqlite:////tmp/t.db', 3)
    True
    >>> Snapshot('sqlite:////tmp/t.db', 3, SurveyTies('spring', 'any', 1)).recorded()
    Snapshot(url='sqlite:////tmp/t.db', version=3, survey=None)
    """

    url: str
    version: int
    survey: SurveyTies | None = None

    def recorded(self) -> Snapshot:
        """The same store version with the recorded ties (no survey round)."""
        return self if self.survey is None else Snapshot(self.url, self.version)


def cached(spinner: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``st.cache_resource`` whose "working…" message reads in the language of the screen.

    Streamlit fixes a cached function's spinner text when the module is imported (in English);
    here the function is cached without one and each call runs inside ``st.spinner`` with the
    message translated then. Streamlit shows a spinner only after half a second, so a call
    answered from the cache draws nothing.

    Parameters
    ----------
    spinner : str
        The message, marked with :func:`coalition.i18n.N_`.
    **options
        Passed to ``st.cache_resource`` (``max_entries``…).

    Examples
    --------
    >>> @cached(i18n.N_("Counting…"), max_entries=2)  # doctest: +SKIP
    ... def count(snap): ...
    """

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        kept = st.cache_resource(show_spinner=False, **options)(function)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            with st.spinner(i18n.gettext(spinner)):
                return kept(*args, **kwargs)

        call.clear = kept.clear  # type: ignore[attr-defined]
        return call

    return decorate


@cached(i18n.N_("Opening the coalition's data…"), max_entries=8)
def _open(url: str) -> store_module.Store:
    store = store_module.open_store(url)
    if store_module.ensure_loaded(store):  # the sidebar says so (loaded_automatically)
        logger.warning(
            "The store %s was empty: loaded the sample city from %s",
            store_module.shown_url(url),
            settings.data_dir(),
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


# --- building a version from the one before, and what each cached product depends on ----------
#
# After an edit, the next rerun asks for a new version. Two things keep that cheap:
#
# 1. :func:`city` builds the new version's tables from the previous version's (kept in memory,
#    see ``_LATEST``) and the store's net row changes between the two
#    (:meth:`coalition.store.Store.changes_between`): only the changed tables are rebuilt, the
#    same way the store reads them, so the frames equal a full read's. Any doubt falls back to a
#    full read: a write other than a row edit in between (a load, an import, a restore), a
#    restored row (it goes back to its old place, which only the store knows), a row that is not
#    as the change says it was, two added rows of one table over several versions, a write
#    racing the read, or any error.
#
# 2. The analyses are keyed on an :class:`AnalysisKey`, not on the version: the version of the
#    last change they can see. They read the city only through
#    :func:`coalition.model.graph_tables`, whose columns are these (``model._READ_COLUMNS`` and
#    ``model._READ_TIE_COLUMNS``; :data:`ANALYSED_COLUMNS` is derived from them, so a column the
#    tables start reading is seen here too):
#
#    - organizations: id, name, sector, orientation, services, languages, anchor_type,
#      neighborhood, member, illustrative, illustrative_columns (not address, lat, lon, notes,
#      source, source_date);
#    - communities: id, name, community_kind, languages, estimated_residents, illustrative,
#      illustrative_columns (not notes, source, source_date);
#    - navigators: id, alias, languages, neighborhood, illustrative, illustrative_columns
#      (not source, source_date);
#    - committees: id, name, neighborhood, status, illustrative, illustrative_columns (not
#      start_date, source, source_date);
#    - ties: source_id, target_id, tie_type, strength, residents, illustrative,
#      illustrative_columns (not kind, since, notes, source, source_date);
#    - and which rows there are (an added, retired, restored or deleted row is always seen).
#
#    Names are in the list on purpose: the gaps, the ranking, the plan and the filters show
#    them, so renaming an organization recomputes them (correct first); notes, sources,
#    addresses, dates and a tie's kind or notes do not. Neighborhoods, boundaries, the city's
#    name and CRS change only with a whole-city write, which always gives a new key.
#
#    Keyed on AnalysisKey (computed from the version's own city, passed unhashed as ``_snap``):
#    tables, index, counts, filter_options, gaps (and each family's rows), coverage, ranking,
#    plan, what_if, highlights on every column above (:data:`ANALYSED_COLUMNS`). Two products
#    show no name: :func:`brokerage` (numbers per organization id, from the partnerships) is
#    keyed on those columns less names and aliases (:data:`LINKED_COLUMNS`), and
#    :func:`positions` (the layout reads kinds, neighborhoods, ties and coordinates, never a
#    name) on the same plus the organizations' lat/lon (:data:`PLACED_COLUMNS`): a rename
#    keeps them, a new place or tie does not. Everything that reads the networkx graph for what
#    it shows (graph, filtered, network_page_html, node_sizes, neighborhoods, the map's frames,
#    neighborhood_members) and the Data and History pages' products stay keyed on the version:
#    the graph carries every column, notes included.
#
#    A cached index keeps the city it was built from (``GraphIndex.graph`` is built from it on
#    demand): that city may be an older version with the same analysed content, so anything
#    shown from the graph must come from :func:`graph`, never ``index(snap).graph``.

ANALYSED_COLUMNS: dict[str, frozenset[str]] = {
    table: frozenset(
        c.name
        for c in columns
        if c.name in (model._READ_TIE_COLUMNS if table == "ties" else model._READ_COLUMNS)
    )
    for table, columns in schema.TABLES.items()
}
# What shows no name reads the same columns less the names.
LINKED_COLUMNS: dict[str, frozenset[str]] = {
    table: columns - {"name", "alias"} for table, columns in ANALYSED_COLUMNS.items()
}
PLACED_COLUMNS: dict[str, frozenset[str]] = {
    **LINKED_COLUMNS,
    "organizations": LINKED_COLUMNS["organizations"] | {"lat", "lon"},
}


@dataclass(frozen=True)
class AnalysisKey:
    """The key of a product that depends only on some columns: the last version that changed them.

    Two store versions with the same key hold the same values in those columns (and the same
    rows), so they share every product computed from them. ``what`` names the column set
    (``"analysed"``, ``"linked"`` or ``"placed"``).

    Examples
    --------
    >>> AnalysisKey('sqlite:////tmp/t.db', 'analysed', 3) == AnalysisKey(
    ...     'sqlite:////tmp/t.db', 'analysed', 3)
    True
    """

    url: str
    what: str
    version: int
    survey: SurveyTies | None = None


@dataclass(frozen=True)
class _Built:
    """The newest city built for one store: its version, and each table's row keys."""

    store: store_module.Store
    version: int
    city: model.CityData
    keys: dict[str, list[str]]


_LOCK = threading.Lock()
_LATEST: dict[str, _Built] = {}
# Per store URL and column set: {content version: key version}, for the newest versions seen.
_KEYS: dict[tuple[str, str], tuple[store_module.Store, dict[int, int]]] = {}
_KEYS_KEPT = 64
# Stores remembered at once (one in a meeting; more only in tests or after switching stores).
_STORES_KEPT = 4
# The kinds of version that write rows one by one, with their changes kept (store.apply).
ROW_EDIT_KINDS = ("edit", "undo")
_COLUMN_SETS = {
    "analysed": ANALYSED_COLUMNS,
    "linked": LINKED_COLUMNS,
    "placed": PLACED_COLUMNS,
}


_SERVER = accounts.operator("dashboard")


def _changes_between(store: store_module.Store, old: int, new: int) -> list[edits.RowChange] | None:
    """The net row changes from ``old`` to ``new``, or None unless every version between is a
    row edit (:data:`ROW_EDIT_KINDS`) and is in the history: any other write is not read as
    "nothing changed".
    """
    # The server's own bookkeeping (the current city from the last one plus its edits), never
    # shown: it reads the history as the store's operator, whoever's screen asked.
    kept = store.versions(account=_SERVER)
    between = kept[(kept["version"] > old) & (kept["version"] <= new)]
    if len(between) != new - old or not between["kind"].isin(ROW_EDIT_KINDS).all():
        return None
    return store.changes_between(old, new, account=_SERVER)


def _remember(
    url: str,
    store: store_module.Store,
    built: model.CityData,
    keys: dict[str, list[str]] | None = None,
) -> None:
    """Keep ``built`` as the newest city of ``url`` (unless a newer one is kept)."""
    version = int(built.meta.get("version", 0))
    with _LOCK:
        kept = _LATEST.get(url)
        if kept is None or kept.store is not store or kept.version < version:
            _LATEST.pop(url, None)
            _LATEST[url] = _Built(store, version, built, dict(keys or {}))
            while len(_LATEST) > _STORES_KEPT:
                del _LATEST[next(iter(_LATEST))]


def _table_keys(kept: _Built, table: str) -> list[str]:
    keys = kept.keys.get(table)
    if keys is None:
        keys = edits.keys_of(table, kept.city.tables[table])
        kept.keys[table] = keys  # a cache of a derived value: the city itself is never changed
    return keys


def _as_read(cell: Any, column: schema.Column) -> Any:
    """A frame's cell as the store decoded it (see :func:`_column_values`)."""
    if column.type in ("list", "bool") or isinstance(cell, (list, tuple)):
        return cell
    if pd.isna(cell):
        return None
    return int(cell) if column.type == "int" else cell


def _column_values(series: pd.Series, column: schema.Column) -> list[Any]:
    """A column's cells as the store decodes them (None for missing, ints for an int column)."""
    values = series.tolist()
    if column.type in ("list", "bool") or not series.hasnans:
        if column.type == "int" and series.dtype.kind == "f":
            return [int(v) for v in values]
        return values
    missing = series.isna().tolist()
    if column.type == "int":
        return [None if gone else int(v) for v, gone in zip(values, missing, strict=True)]
    return [None if gone else v for v, gone in zip(values, missing, strict=True)]


def _patched_table(
    table: str, frame: pd.DataFrame, keys: list[str], changes: list[edits.RowChange], spans: int
) -> tuple[pd.DataFrame, list[str]] | None:
    """``frame`` (active rows, in store order) with ``changes`` applied, built like a full read.

    None whenever the result could differ from the store's: see the module comment.
    """
    columns = schema.TABLES[table]
    names = [c.name for c in columns]
    if list(frame.columns) != names or len(keys) != len(frame):
        return None
    position = {k: i for i, k in enumerate(keys)}
    if len(position) != len(keys):
        return None  # a key twice: which row a change means is not certain
    replaced: dict[int, dict[str, Any]] = {}
    dropped: set[int] = set()
    added: list[dict[str, Any]] = []
    for change in changes:
        before, after = change.before, change.after
        was = before is not None and not before.get(edits.RETIRED)
        now = after is not None and not after.get(edits.RETIRED)
        here = position.get(change.key)
        if was != (here is not None):
            return None  # the previous version is not what the change started from
        if here is not None and before is not None:
            row = edits.plain_row(table, frame.iloc[here].to_dict())
            row[edits.RETIRED] = None
            if row != edits.plain_row(table, before):
                return None
            if after is not None and now:
                replaced[here] = after
            else:
                dropped.add(here)
        elif after is not None and now:
            if before is not None:
                return None  # restored: back at its old place, which only the store knows
            added.append(after)
    if len(added) > 1 and spans > 1:
        return None  # rows added over several versions: their order is the store's
    if not dropped and not added:
        return _with_rows_replaced(frame, columns, replaced), list(keys)
    cells: dict[str, list[Any]] = {}
    for column in columns:
        values = _column_values(frame[column.name], column)
        for i, row in replaced.items():
            values[i] = store_module.stored_value(row.get(column.name), column)
        if dropped:
            values = [v for i, v in enumerate(values) if i not in dropped]
        values.extend(store_module.stored_value(row.get(column.name), column) for row in added)
        cells[column.name] = values
    new_keys = [k for i, k in enumerate(keys) if i not in dropped] if dropped else list(keys)
    new_keys.extend(edits.row_key(table, row) for row in added)
    if not cells[names[0]]:
        return pd.DataFrame([], columns=names), new_keys
    return pd.DataFrame(cells, columns=names), new_keys


def _with_rows_replaced(
    frame: pd.DataFrame, columns: tuple[schema.Column, ...], replaced: dict[int, dict[str, Any]]
) -> pd.DataFrame:
    """``frame`` with rows replaced in place: only the columns whose cells differ are rebuilt.

    pandas types each column of a frame built from columns (as the store's read builds it)
    from that column's values alone, so the untouched columns are already as a full read
    would type them, and a rebuilt one is typed the same way from its new values.
    """
    out = frame.copy(deep=False)  # copy-on-write: the previous version's frame is untouched
    for column in columns:
        series = frame[column.name]
        new = {
            i: store_module.stored_value(row.get(column.name), column)
            for i, row in replaced.items()
        }
        if all(_as_read(series.iat[i], column) == v for i, v in new.items()):
            continue
        values = _column_values(series, column)
        for i, value in new.items():
            values[i] = value
        out[column.name] = pd.Series(values, index=frame.index, name=column.name)
    return out


def _city_from_changes(
    store: store_module.Store, snap: Snapshot
) -> tuple[model.CityData, dict[str, list[str]]] | None:
    """The city at ``snap.version`` built from the newest one in memory, or None (read it)."""
    with _LOCK:
        kept = _LATEST.get(snap.url)
    if kept is None or kept.store is not store or kept.version > snap.version:
        return None
    if kept.version == snap.version:
        return kept.city, kept.keys
    changes = _changes_between(store, kept.version, snap.version)
    if changes is None:
        return None  # a whole-city write lies between
    by_table: dict[str, list[edits.RowChange]] = {}
    for change in changes:
        by_table.setdefault(change.table, []).append(change)
    tables = dict(kept.city.tables)
    keys = {t: k for t, k in kept.keys.items() if t not in by_table}
    for table, table_changes in by_table.items():
        if table not in tables or table not in schema.TABLES:
            return None
        patched = _patched_table(
            table,
            tables[table],
            _table_keys(kept, table),
            table_changes,
            snap.version - kept.version,
        )
        if patched is None:
            logger.info("version %d of %s: read in full (%s)", snap.version, snap.url, table)
            return None
        tables[table], keys[table] = patched
    meta = store.info()
    if (
        int(meta.get("version", 0)) != snap.version
        or meta.get("city", "City") != kept.city.name
        or meta.get("metric_crs", "EPSG:3857") != kept.city.metric_crs
    ):
        return None  # written meanwhile: read the newest in full, as a full read would
    built = model.CityData(
        name=kept.city.name,
        tables=tables,
        boundaries=kept.city.boundaries,
        metric_crs=kept.city.metric_crs,
        meta={k: v for k, v in meta.items() if k not in ("city", "metric_crs")},
    )
    return built, keys


def _key_version(store: store_module.Store, url: str, what: str, version: int) -> int:
    """The last version up to ``version`` that changed a column of the set ``what``."""
    columns = _COLUMN_SETS[what]
    with _LOCK:
        kept_store, known = _KEYS.get((url, what), (None, {}))
        if kept_store is not store:
            known = {}
        if version in known:
            return known[version]
        earlier = [v for v in known if v < version]
    key = version
    if earlier:
        base = max(earlier)
        changes = _changes_between(store, base, version)
        if changes is not None and all(_unseen(c, columns) for c in changes):
            key = known[base]
    with _LOCK:
        kept_store, known = _KEYS.get((url, what), (None, {}))
        known = dict(known) if kept_store is store else {}
        known[version] = key
        for old in sorted(known)[:-_KEYS_KEPT]:
            del known[old]
        _KEYS.pop((url, what), None)
        _KEYS[(url, what)] = (store, known)
        while len(_KEYS) > _STORES_KEPT * len(_COLUMN_SETS):
            del _KEYS[next(iter(_KEYS))]
    return key


def _unseen(change: edits.RowChange, columns: dict[str, frozenset[str]]) -> bool:
    """True when ``change`` leaves every column of ``columns`` (and the rows there are) alone."""
    if change.kind != "changed" or change.table not in columns:
        return False
    if change.before is None or change.before.get(edits.RETIRED):
        return False
    return not (set(change.fields) & (columns[change.table] | {edits.RETIRED}))


def analysis_key(snap: Snapshot, what: str = "analysed") -> AnalysisKey:
    """The key of the products that read only the columns ``what`` names (see module comment).

    Taken from the version the cached :func:`city` of ``snap`` actually holds. ``what`` is
    ``"analysed"`` (the analyses), ``"linked"`` (brokerage) or ``"placed"`` (the layout).

    Raises
    ------
    AnalysisError
        For another ``what``.

    Examples
    --------
    >>> analysis_key(snap).version  # the store's only version
    1
    """
    if what not in _COLUMN_SETS:
        raise AnalysisError(
            f"No cached product depends on the columns {what!r}: use one of "
            f"{', '.join(_COLUMN_SETS)}."
        )
    version = int(city(snap.recorded()).meta.get("version", snap.version))
    key = _key_version(_open(snap.url), snap.url, what, version)
    # A survey city is the recorded one with the round's partnerships: its analysed content is
    # fixed by the recorded one's (the roster is read from analysed columns) and the survey.
    return AnalysisKey(snap.url, what, key, snap.survey)


# --- the city and its graph -----------------------------------------------------------------------


@cached(i18n.N_("Reading the coalition's data…"), max_entries=4)
def city(snap: Snapshot) -> model.CityData:
    """The stored city's tables at one version.

    Built from the previous version's tables and the row changes between the two when the
    previous version is in memory (see the module comment), else read from the store.

    Examples
    --------
    >>> city(snap).name
    'Tiny Town'
    """
    if snap.survey is not None:  # never remembered as the store's newest city (_LATEST)
        return _survey_city(snap)
    store = _open(snap.url)
    try:
        built = _city_from_changes(store, snap)
    except Exception:  # any doubt: the full read below is always right
        logger.warning(
            "version %d of %s: read in full",
            snap.version,
            store_module.shown_url(snap.url),
            exc_info=True,
        )
        built = None
    read, keys = built if built is not None else (store.read_city(), {})
    _remember(snap.url, store, read, keys)
    return read


@cached(i18n.N_("Building the coalition graph…"), max_entries=4)
def graph(snap: Snapshot) -> nx.MultiDiGraph:
    """The coalition graph of one store version.

    Examples
    --------
    >>> graph(snap).number_of_nodes()
    16
    """
    return model.build_graph(city(snap))


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
    return _tables(analysis_key(snap), snap)


@cached(i18n.N_("Reading the coalition's data…"), max_entries=4)
def _tables(key: AnalysisKey, _snap: Snapshot) -> model.GraphTables | None:
    return model.graph_tables(city(_snap))


def index(snap: Snapshot) -> analysis.GraphIndex:
    """The analyses' index (built once, shared by gaps, coverage and ranking).

    Read from the tables (:func:`coalition.analysis.graph_index.index_city`, equal to the
    graph's index); the graph is built only if something asks the index for it.

    Examples
    --------
    >>> index(snap) is index(snap)  # cached per analysed content (see analysis_key)
    True
    """
    return _index(analysis_key(snap), snap)


@cached(i18n.N_("Indexing the coalition…"), max_entries=4)
def _index(key: AnalysisKey, _snap: Snapshot) -> analysis.GraphIndex:
    from coalition.analysis.graph_index import index_city

    return index_city(city(_snap), tables(_snap))


def counts(snap: Snapshot) -> dict[str, int]:
    """Counts per node kind, ties and illustrative items (see :func:`coalition.model.summary`).

    Read from the tables (the same numbers as the graph's, without building it).

    Examples
    --------
    >>> counts(snap)['partnerships']
    4
    """
    return _counts(analysis_key(snap), snap)


@st.cache_resource(show_spinner=False, max_entries=4)
def _counts(key: AnalysisKey, _snap: Snapshot) -> dict[str, int]:
    from coalition.analysis import provenance

    snap = _snap

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


def filter_options(snap: Snapshot) -> dict[str, Any]:
    """Choices for the filters (see :func:`coalition.presenting.city.filter_options`).

    Read from the tables when they can tell (the graph is not built for them).

    Examples
    --------
    >>> filter_options(snap)['sectors'][:2]
    ['business', 'faith']
    """
    return _filter_options(analysis_key(snap), snap, i18n.language())


@st.cache_resource(show_spinner=False, max_entries=8)
def _filter_options(key: AnalysisKey, _snap: Snapshot, language: str) -> dict[str, Any]:
    """The choices in one language (``language`` keys the cache: the services are words)."""
    snap = _snap
    with i18n.using(language):
        read = tables(snap)
        if read is None:
            return city_text.filter_options(graph(snap))
        return city_text.filter_options_of_tables(read)


# --- the analyses ---------------------------------------------------------------------------------


def _audience(disclosure: privacy.Disclosure | None) -> privacy.Disclosure:
    """The disclosure a loader works for: public unless told otherwise."""
    return disclosure if disclosure is not None else privacy.Disclosure.public()


def gaps(snap: Snapshot, disclosure: privacy.Disclosure | None = None) -> analysis.GapReport:
    """Every gap family of one store version, its sentences protected for ``disclosure``.

    Examples
    --------
    >>> gaps(snap).isolated['id'].tolist()
    ['lonely', 'assoc', 'church', 'clinic']
    """
    # The report's sentences are in the language in use: the language is part of the key.
    return _gaps(analysis_key(snap), snap, _audience(disclosure), i18n.language())


@cached(i18n.N_("Looking for the coalition's gaps…"), max_entries=8)
def _gaps(
    key: AnalysisKey, _snap: Snapshot, disclosure: privacy.Disclosure, language: str
) -> analysis.GapReport:
    """The report with its sentences in ``language`` (which keys the cache)."""
    with i18n.using(language):
        return analysis.find_gaps(index(_snap), disclosure=disclosure)


def _gap_rows(
    snap: Snapshot, family: str, disclosure: privacy.Disclosure | None = None
) -> gap_text.GapRows:
    """A family's rows sorted by severity, each row's ids, names and search text."""
    return _gap_rows_of(analysis_key(snap), snap, family, _audience(disclosure), i18n.language())


@st.cache_resource(show_spinner=False, max_entries=32)
def _gap_rows_of(
    key: AnalysisKey, _snap: Snapshot, family: str, disclosure: privacy.Disclosure, language: str
) -> gap_text.GapRows:
    with i18n.using(language):
        return gap_text.index_rows(getattr(gaps(_snap, disclosure), family, None))


def gap_table(
    snap: Snapshot,
    family: str,
    *,
    neighborhood: str | None = None,
    community: str | None = None,
    text: str | None = None,
    neighborhood_id: str | None = None,
    community_id: str | None = None,
    disclosure: privacy.Disclosure | None = None,
) -> pd.DataFrame:
    """One gap family, filtered, with readable columns (ids hidden, lists joined, hidden counts
    as their markers' text).

    See :func:`coalition.presenting.gaps.matching` for what matches.

    Examples
    --------
    >>> len(gap_table(snap, 'service_gaps', text='karen'))
    8
    """
    audience = _audience(disclosure)
    rows = _gap_rows(snap, family, audience)
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
    return gap_text.readable(
        rows.frame[keep], family, hidden=gaps(snap, audience).hidden, disclosure=audience
    )


def coverage(
    snap: Snapshot,
    rule: str = "own",
    distance_km: float = 1.0,
    extra: tuple[str, ...] = (),
    disclosure: privacy.Disclosure | None = None,
) -> analysis.CoverageReport:
    """Coverage under a rule, optionally with extra (imagined) active committees.

    Examples
    --------
    >>> coverage(snap, 'adjacent').summary['neighborhoods_covered']
    3
    """
    # The report's sentences are in the language in use: the language is part of the key.
    return _coverage(
        analysis_key(snap), snap, rule, distance_km, extra, _audience(disclosure), i18n.language()
    )


@cached(i18n.N_("Working out committee coverage…"), max_entries=32)
def _coverage(
    key: AnalysisKey,
    _snap: Snapshot,
    rule: str,
    distance_km: float,
    extra: tuple[str, ...],
    disclosure: privacy.Disclosure,
    language: str,
) -> analysis.CoverageReport:
    """The report with its sentences in ``language`` (which keys the cache)."""
    with i18n.using(language):
        return analysis.coverage_report(
            index(_snap),
            rule=rule,
            distance_km=distance_km,
            extra_committees=extra,
            disclosure=disclosure,
        )


def protected_counts(
    snap: Snapshot, disclosure: privacy.Disclosure | None = None
) -> dict[Any, Any]:
    """The city's resident counts as ``disclosure`` may see them (markers for hidden ones).

    Keys as in :func:`coalition.privacy.resident_counts`; the lines are
    :func:`coalition.analysis.coverage.index_counts`'.

    Examples
    --------
    >>> protected_counts(snap)[("lives_in", "karen", "dogwood")]
    100.0
    """
    return _protected_counts(analysis_key(snap), snap, _audience(disclosure))


@st.cache_resource(show_spinner=False, max_entries=8)
def _protected_counts(
    key: AnalysisKey, _snap: Snapshot, disclosure: privacy.Disclosure
) -> dict[Any, Any]:
    from coalition.analysis.coverage import index_counts

    return index_counts(index(_snap)).protect(disclosure)


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
    # The reasons are sentences in the language in use: the language is part of the key.
    return _ranking(analysis_key(snap), snap, weights, k, i18n.language())


@cached(i18n.N_("Ranking the candidate neighborhoods…"), max_entries=32)
def _ranking(
    key: AnalysisKey,
    _snap: Snapshot,
    weights: tuple[tuple[str, float], ...] | None,
    k: int,
    language: str,
) -> analysis.RankReport | None:
    """The ranking with its reasons in ``language`` (which keys the cache)."""
    snap = _snap
    candidates = candidate_count(snap)
    if candidates == 0:
        return None
    with i18n.using(language):
        return analysis.rank_candidates(
            index(snap),
            dict(weights) if weights else None,
            k=min(k, candidates),
            stability_runs=settings.DEFAULT_STABILITY_RUNS,
            seed=settings.DEFAULT_SEED,
        )


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
    # The explanation is in the language in use: the language is part of the key.
    return _plan(analysis_key(snap), snap, weights, k, rule, distance_km, i18n.language())


@cached(i18n.N_("Choosing the best set of next committees…"), max_entries=32)
def _plan(
    key: AnalysisKey,
    _snap: Snapshot,
    weights: tuple[tuple[str, float], ...] | None,
    k: int,
    rule: str,
    distance_km: float,
    language: str,
) -> analysis.PlanReport | None:
    """The plan with its explanation in ``language`` (which keys the cache)."""
    snap = _snap
    with i18n.using(language):
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


def what_if(
    snap: Snapshot, ids: tuple[str, ...], rule: str = "own", distance_km: float = 1.0
) -> analysis.WhatIfReport:
    """Coverage before and after adding active committees in ``ids``.

    Examples
    --------
    >>> what_if(snap, ('dogwood',)).share_after
    0.6
    """
    # The explanation is in the language in use: the language is part of the key.
    return _what_if(analysis_key(snap), snap, ids, rule, distance_km, i18n.language())


@cached(i18n.N_("Imagining the new committees…"), max_entries=32)
def _what_if(
    key: AnalysisKey,
    _snap: Snapshot,
    ids: tuple[str, ...],
    rule: str,
    distance_km: float,
    language: str,
) -> analysis.WhatIfReport:
    """The what-if with its explanation in ``language`` (which keys the cache)."""
    with i18n.using(language):
        return analysis.what_if(index(_snap), list(ids), rule=rule, distance_km=distance_km)


# --- the network ----------------------------------------------------------------------------------


def positions(snap: Snapshot, geographic: bool = True) -> dict[str, tuple[float, float]]:
    """Node positions of the FULL graph, so that filtering never moves a node.

    Laid out on the recorded ties whatever ``snap.survey`` says: the "Ties from" switch
    changes the lines drawn, never where a node sits.

    Examples
    --------
    >>> len(positions(snap))  # one (x, y) per node
    16
    """
    # Always the recorded ties' layout: switching the ties to a survey round moves no node.
    recorded = snap.recorded()
    return _positions(analysis_key(recorded, "placed"), recorded, geographic)


@cached(i18n.N_("Placing the network on screen…"), max_entries=8)
def _positions(
    key: AnalysisKey, _snap: Snapshot, geographic: bool
) -> dict[str, tuple[float, float]]:
    from coalition import network_view

    return network_view.layout_positions(
        graph(_snap), seed=settings.DEFAULT_SEED, geographic=geographic
    )


@cached(i18n.N_("Filtering the network…"), max_entries=16)
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


def brokerage(snap: Snapshot) -> pd.DataFrame:
    """Per organization: degree, effective size and Burt's constraint (python-igraph).

    Examples
    --------
    >>> float(brokerage(snap).loc['lib', 'effective_size'])
    3.0
    """
    return _brokerage(analysis_key(snap, "linked"), snap)


@st.cache_resource(show_spinner=False, max_entries=4)
def _brokerage(key: AnalysisKey, _snap: Snapshot) -> pd.DataFrame:
    from coalition.analysis import metrics

    return metrics.brokerage(metrics.partnership_network(index(_snap)))


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
    return _highlights(analysis_key(snap), snap, marks)


@st.cache_resource(show_spinner=False, max_entries=16)
def _highlights(
    key: AnalysisKey, _snap: Snapshot, marks: tuple[str, ...]
) -> tuple[dict[str, str], set[tuple[str, str]]]:
    snap = _snap
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


@cached(i18n.N_("Drawing the network…"), max_entries=16)
def network_page_html(
    snap: Snapshot,
    selection: tuple,
    color_by: str,
    size_by: str,
    marks: tuple[str, ...],
    geographic: bool,
    aggregate_by: str | None,
    height: str = "650px",
    language: str | None = None,
) -> tuple[str, int, int, bool]:
    """The pyvis page for one choice of filters (html, nodes shown, nodes matched, aggregated).

    ``selection`` is ``(kinds, sectors, communities, neighborhoods, services, focus, depth)``
    with tuples for the lists (hashable); ``height`` is the drawing's CSS height. The page's
    words (legend, tooltips) are in ``language``: pass ``i18n.language()``, which keys the
    cache (``None``: the language in use, for one-language callers).

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
    with i18n.using(language or i18n.language()):
        if matched > network_view.MAX_VISIBLE_NODES and aggregate_by:
            grouped = network_view.aggregate_graph(view, by=aggregate_by)
            group_positions = network_view.layout_positions(
                grouped, seed=settings.DEFAULT_SEED, geographic=False
            )
            html_text = network_view.network_html(grouped, group_positions, height=height)
            return html_text, grouped.number_of_nodes(), matched, True
        html_text = network_view.network_html(
            view,
            positions(snap, geographic),
            **_drawing_options(snap, view, selection, color_by, size_by, marks, height),
        )
    return html_text, matched, matched, False


def _drawing_options(
    snap: Snapshot,
    view: nx.MultiDiGraph,
    selection: tuple,
    color_by: str,
    size_by: str,
    marks: tuple[str, ...],
    height: str = "650px",
) -> dict[str, Any]:
    """The options of :func:`coalition.network_view.network_html` for one view of the graph:
    colours, sizes and marks (brokers, fragile links…, the organization searched for), and
    the drawing's CSS height."""
    size = node_sizes(snap, size_by)
    highlight_nodes, highlight_edges = highlights(snap, marks)
    marked = {n: r for n, r in highlight_nodes.items() if n in view}
    focus = selection[5]
    if focus in view:  # the organization searched for stands out from its surroundings
        chosen = i18n.gettext("the organization you chose")
        marked[focus] = ", ".join(filter(None, [chosen, marked.get(focus)]))
    return {
        "color_by": color_by,
        "size_by": {n: v for n, v in size.items() if n in view} if size else None,
        "highlight_nodes": marked or None,
        "highlight_edges": {e for e in highlight_edges if e[0] in view and e[1] in view} or None,
        "height": height,
    }


# --- the map and a neighborhood's profile --------------------------------------------------------


def neighborhoods(snap: Snapshot, disclosure: privacy.Disclosure | None = None) -> gpd.GeoDataFrame:
    """Neighborhood polygons + figures + committee status, default score and gap count.

    For an audience without exact counts, a hidden figure is its text ("fewer than 11",
    "withheld…") and its margin and share are withheld
    (:func:`coalition.maps.protect_neighborhoods`, with the city's lines: the cells
    :func:`protected_counts` hides); the map shows it as hidden, never as a number.

    Examples
    --------
    >>> neighborhoods(snap).loc['cedar', 'gap_count']
    np.float64(2.0)
    """
    return _neighborhood_measures(snap, _audience(disclosure), i18n.language())


@cached(i18n.N_("Preparing the map…"), max_entries=8)
def _neighborhood_measures(
    snap: Snapshot, disclosure: privacy.Disclosure, language: str
) -> gpd.GeoDataFrame:
    """The figures in one language (``language`` keys the cache: a hidden figure is words)."""
    from coalition import map_files

    with i18n.using(language):
        return map_files.neighborhood_measures(
            graph(snap), ranking(snap), index=index(snap), disclosure=disclosure
        )


@st.cache_resource(show_spinner=False, max_entries=4)
def _organizations_frame(snap: Snapshot) -> pd.DataFrame:
    return model.nodes_frame(graph(snap), model.ORGANIZATION)


@st.cache_resource(show_spinner=False, max_entries=4)
def _committees_frame(snap: Snapshot) -> pd.DataFrame:
    return model.nodes_frame(graph(snap), model.COMMITTEE)


def neighborhood_map(
    snap: Snapshot,
    measure: str,
    organizations_in: tuple[str, ...] | None,
    tiles: str | None,
    disclosure: privacy.Disclosure | None = None,
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
    return _offline_map(snap, measure, organizations_in, tiles, disclosure=disclosure)


def _offline_map(
    snap: Snapshot,
    measure: str,
    organizations_in: tuple[str, ...] | None,
    tiles: str | None,
    disclosure: privacy.Disclosure | None = None,
    **extra: Any,
) -> folium.Map:
    """The neighborhood map of one measure, offline (``extra``: more options of
    :func:`coalition.maps.neighborhood_map`, e.g. outlines)."""
    from coalition import maps

    organizations = _organizations_frame(snap)
    if organizations_in is not None:
        organizations = organizations[organizations["neighborhood"].isin(organizations_in)]
    built = maps.neighborhood_map(
        neighborhoods(snap, disclosure),
        measure,
        disclosure=_audience(disclosure),
        organizations=organizations if len(organizations) else None,
        tiles=tiles,
        title=maps.MEASURES.get(measure, measure),
        committees=_committees_frame(snap),
        **extra,
    )
    return maps.make_offline(built)


def neighborhood_members(
    snap: Snapshot, neighborhood_id: str, disclosure: privacy.Disclosure | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A neighborhood's organizations and communities (see
    :func:`coalition.presenting.city.neighborhood_members`), counts protected for
    ``disclosure``.

    Examples
    --------
    >>> members, communities = neighborhood_members(snap, 'alder')
    """
    return _neighborhood_members(snap, neighborhood_id, _audience(disclosure), i18n.language())


@st.cache_resource(show_spinner=False, max_entries=64)
def _neighborhood_members(
    snap: Snapshot, neighborhood_id: str, disclosure: privacy.Disclosure, language: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables in one language (``language`` keys the cache: titles and words)."""
    with i18n.using(language):
        return city_text.neighborhood_members(
            graph(snap),
            neighborhood_id,
            protected=protected_counts(snap, disclosure),
            disclosure=disclosure,
        )


def neighborhood_gap_lines(
    snap: Snapshot, neighborhood_id: str, disclosure: privacy.Disclosure | None = None
) -> list[str]:
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
                gap_table(
                    snap,
                    family,
                    neighborhood=name,
                    neighborhood_id=neighborhood_id,
                    disclosure=disclosure,
                )
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


def source_list(snap: Snapshot) -> pd.DataFrame:
    """Per table and source (see :func:`coalition.presenting.city.source_table`), in the
    language in use (the cached table is kept per language: its table titles are words).

    Examples
    --------
    >>> source_list(snap)['Source'].unique().tolist()
    ['coalition/examples.py']
    """
    return _source_list(snap, i18n.language())


@st.cache_resource(show_spinner=False, max_entries=8)
def _source_list(snap: Snapshot, lang: str) -> pd.DataFrame:
    """:func:`source_list` for one language (``lang`` keys the cache)."""
    with i18n.using(lang):
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


@cached(i18n.N_("Preparing the download…"), max_entries=12)
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


@cached(i18n.N_("Comparing with the meeting…"), max_entries=16)
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

    # Read as the server (history): only for a version since_ui offered, which it read as the
    # signed-in account (editors and admins) on this run; viewers are never offered one.
    store = _open(snap.url)
    changes = store.changes_between(version, snap.version, account=_SERVER)
    if changes == []:  # nothing saved since: no need to read the older version
        return since_module.SinceMarks()
    if changes is not None:
        retired = {
            c.key: c.after["_retired"]
            for c in changes
            if c.table == "ties" and c.kind == "retired" and c.after is not None
        }
    else:
        gone = store.retired("ties", account=_SERVER)
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
    return since_module.changes_since(
        store.read_version(version, account=_SERVER), city(snap), retired=retired
    )


@cached(i18n.N_("Drawing the network…"), max_entries=16)
def network_since_html(
    snap: Snapshot,
    selection: tuple,
    color_by: str,
    size_by: str,
    marks: tuple[str, ...],
    geographic: bool,
    version: int,
    label: str,
    height: str = "650px",
    language: str | None = None,
) -> tuple[str, int]:
    """The pyvis page of one (ungrouped) choice of filters with the changes since ``version``
    drawn on it: new ties, ended ties (dashed), new organizations outlined (``height``: the
    drawing's CSS height; ``language``: as for :func:`network_page_html`, keys the cache).

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
    with i18n.using(language or i18n.language()):
        html_text = network_view.network_html(
            view,
            positions(snap, geographic),
            **_drawing_options(snap, view, selection, color_by, size_by, marks, height),
            new_ties=set(changes.ties_added),
            ended_ties=[
                {**tie.row, "on": tie.on, "reason": tie.reason}
                for tie in changes.ties_ended.values()
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
    disclosure: privacy.Disclosure | None = None,
) -> folium.Map:
    """:func:`neighborhood_map` with the neighborhoods changed since ``version`` outlined.

    Built on every run, as :func:`neighborhood_map` is (``st_folium`` changes the map it is
    given); the changes themselves are cached (:func:`since_marks`).

    Examples
    --------
    >>> m = neighborhood_map_since(snap, 'foreign_born', None, None, 1, 'version 1')
    """
    from coalition import since as since_module

    return _offline_map(
        snap,
        measure,
        organizations_in,
        tiles,
        disclosure=disclosure,
        outlines=since_module.outline_texts(since_marks(snap, version), label),
        outlines_label=label,
    )


# --- the partner survey's ties (the Gaps and Network pages' "Ties from" switch) -----------------
#
# Design: a survey choice is a field of the Snapshot (``Snapshot.survey``, a SurveyTies of the
# round, "confirmed" or "any", and the store's survey_revision), and of the AnalysisKey that
# :func:`analysis_key` derives from it. Every loader above is keyed on one or the other, so
# with a survey snapshot every product the two pages show (gaps, fragile links, brokers, the
# drawing, its marks and sizes, the filters) is worked out on the survey city and cached under
# a key that holds (store URL, version, survey revision, round, ties): a survey result is never
# served for the recorded ties (survey None) nor for another round, mode or revision, and the
# recorded-ties keys are exactly what they were. Only three places look at the field:
# :func:`city` (a survey snapshot is the recorded city with the round's partnerships,
# :func:`coalition.survey.analysis.with_survey_ties`, mode "replace"; it is never kept as the
# store's newest city for building the next version), :func:`analysis_key` (the key version is
# the recorded city's: the survey city's analysed content is fixed by it and the survey) and
# :func:`positions` (the recorded layout, so the switch moves no node). A survey write changes
# no store version, only the revision: a new answer is a new key, never a stale result.
#
# The answers are read as the server (as :func:`since_marks` reads the history): the pages
# offer a round only to an account that may view the dashboard, which may read rounds for the
# analyses (they show aggregates only; individual ratings never reach these pages).

if TYPE_CHECKING:
    from coalition.survey.analysis import ResponseSummary
    from coalition.survey.compare import RoundComparison
    from coalition.survey.schema import RoundAnswers


def survey_revision(snap: Snapshot) -> int:
    """The store's survey revision (cheap: one small query per rerun).

    Examples
    --------
    >>> survey_revision(snap)
    0
    """
    return int(_open(snap.url).survey_revision())


def survey_snapshot(snap: Snapshot, round_name: str, ties: str) -> Snapshot:
    """``snap`` with its partnerships taken from a survey round (``ties``: confirmed or any).

    Raises
    ------
    AnalysisError
        For a ``ties`` other than "confirmed" or "any".

    Examples
    --------
    >>> survey_snapshot(snap, 'spring', 'confirmed').survey.round
    'spring'
    """
    if ties not in ("confirmed", "any"):
        raise AnalysisError(f"Ties from a survey round are 'confirmed' or 'any', not {ties!r}.")
    base = snap.recorded()
    return Snapshot(base.url, base.version, SurveyTies(round_name, ties, survey_revision(base)))


@st.cache_resource(show_spinner=False, max_entries=8)
def survey_round_names(url: str, revision: int) -> tuple[str, ...]:
    """The store's survey rounds, newest first, at one survey revision.

    Examples
    --------
    >>> survey_round_names(snap.url, survey_revision(snap))  # the example store has none
    ()
    """
    rounds = _open(url).survey_rounds(account=_SERVER)
    return tuple(str(name) for name in rounds["round"].tolist())


@cached(i18n.N_("Reading the survey round…"), max_entries=8)
def survey_round(url: str, round_name: str, revision: int) -> RoundAnswers:
    """One round's answers (:class:`coalition.survey.schema.RoundAnswers`), as kept at a
    survey revision; read-only, as every cached result.

    Examples
    --------
    >>> survey_round(snap.url, 'spring', survey_revision(snap)).respondents()  # doctest: +SKIP
    ['church', 'legal', 'lib']
    """
    return _open(url).read_survey_round(round_name, account=_SERVER)


def _survey_city(snap: Snapshot) -> model.CityData:
    """The recorded city of ``snap`` with the survey round's partnerships (cached by
    :func:`city`)."""
    from coalition.survey import analysis as survey_analysis

    choice = snap.survey
    assert choice is not None
    answers = survey_round(snap.url, choice.round, choice.revision)
    return survey_analysis.with_survey_ties(
        city(snap.recorded()), answers, ties=choice.ties, mode="replace"
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def survey_response(snap: Snapshot) -> tuple[ResponseSummary, dict[str, int]]:
    """A survey snapshot's round: its response summary and reciprocity counts.

    Returns
    -------
    tuple
        (:class:`coalition.survey.analysis.ResponseSummary`, ``{class: pairs}``).

    Raises
    ------
    AnalysisError
        For a snapshot of the recorded ties.

    Examples
    --------
    >>> summary, counts = survey_response(survey_snapshot(snap, 'spring', 'any'))  # doctest: +SKIP
    >>> summary.answered, counts['confirmed']  # doctest: +SKIP
    (3, 2)
    """
    from coalition.survey import analysis as survey_analysis

    choice = snap.survey
    if choice is None:
        raise AnalysisError("The recorded ties have no survey response: pick a survey round.")
    answers = survey_round(snap.url, choice.round, choice.revision)
    roster = survey_analysis.roster_of(city(snap.recorded()))
    return (
        survey_analysis.response_summary(answers, roster),
        survey_analysis.reciprocity_counts(answers, roster),
    )


@cached(i18n.N_("Comparing the survey rounds…"), max_entries=16)
def round_comparison(
    snap: Snapshot, before: str, after: str, ties: str, revision: int, language: str | None = None
) -> RoundComparison:
    """Two survey rounds compared (:func:`coalition.survey.compare.compare_rounds`) on the
    roster of the recorded city at ``snap``, at one survey revision (its sentences in
    ``language``: pass ``i18n.language()``, which keys the cache).

    Examples
    --------
    >>> revision = survey_revision(snap)
    >>> comparison = round_comparison(snap, 'spring', 'fall', 'any', revision)  # doctest: +SKIP
    >>> comparison.newly_central['name'].tolist()  # doctest: +SKIP
    ['Birch Legal Aid']
    """
    from coalition.survey import analysis as survey_analysis
    from coalition.survey import compare

    base = snap.recorded()
    roster = survey_analysis.roster_of(city(base))
    with i18n.using(language or i18n.language()):
        return compare.compare_rounds(
            survey_round(base.url, before, revision),
            survey_round(base.url, after, revision),
            roster,
            ties=ties,
        )
