"""Which findings rest on illustrative rows, and how many entries are illustrative.

A city's tables may hold illustrative rows (made up to show how the tool works). The dashboard
and the maps mark an entity as illustrative when its node carries a true ``illustrative``
attribute; the analyses use the same rule, so that every finding, reason and figure resting on
such a row can say so (``"illustrative": true`` and the ids in ``"illustrative_rows"``; the CLI
shows :data:`ILLUSTRATIVE_MARK`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import Any

import networkx as nx

from ..model import CityData, GraphTables, build_graph, graph_tables
from ..schema import DERIVED_TIE_TYPES, KIND_OF_TABLE
from .graph_index import GraphIndex

logger = logging.getLogger(__name__)

ILLUSTRATIVE_MARK = "◇"
TIES_TABLE = "ties"
_TRUE_WORDS = {"true", "yes", "y", "1"}
_TABLE_OF_KIND = {kind: table for table, kind in KIND_OF_TABLE.items()}


def is_illustrative(value: Any) -> bool:
    """Whether an ``illustrative`` cell or attribute is true (missing and NaN are false).

    Examples
    --------
    >>> is_illustrative(True), is_illustrative("yes"), is_illustrative(float("nan"))
    (True, True, False)
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    try:
        return bool(value)
    except (TypeError, ValueError):
        return False


def illustrative_ids(graph_or_index: nx.MultiDiGraph | GraphIndex) -> frozenset[str]:
    """Ids of the illustrative nodes (organizations, neighborhoods, communities, ...).

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("n", kind="neighborhood", illustrative=True)
    >>> sorted(illustrative_ids(G))
    ['n']
    """
    if isinstance(graph_or_index, GraphIndex):
        if graph_or_index.illustrative_nodes is not None:  # read from the tables: no graph
            return graph_or_index.illustrative_nodes
        return graph_or_index.memo(
            "illustrative_ids", lambda: illustrative_ids(graph_or_index.graph)
        )
    return frozenset(
        n for n, flag in graph_or_index.nodes(data="illustrative") if is_illustrative(flag)
    )


def illustrative_rows(index: GraphIndex, ids: Iterable[Any]) -> list[str]:
    """The illustrative ids among ``ids`` (sorted, each once).

    Examples
    --------
    >>> illustrative_rows(index, ["lib", "alder"])  # doctest: +SKIP
    ['lib']
    """
    flagged = illustrative_ids(index)
    if not flagged:
        return []
    return sorted({str(i) for i in ids if i in flagged})


def committee_ids_by_name(index: GraphIndex) -> dict[str, list[str]]:
    """Committee ids per display name (coverage names the committees covering a place).

    Examples
    --------
    >>> committee_ids_by_name(index)["Alder Welcoming Committee"]  # doctest: +SKIP
    ['wc-alder']
    """

    def compute() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for node_id in index.committee_ids:
            found.setdefault(index.name(node_id), []).append(node_id)
        return found

    return index.memo("committee_ids_by_name", compute)


def label(index: GraphIndex, ids: Iterable[Any]) -> dict[str, Any]:
    """``{"illustrative": bool, "illustrative_rows": [ids]}`` for a finding resting on ``ids``.

    Examples
    --------
    >>> label(index, ["lib"])  # doctest: +SKIP
    {'illustrative': True, 'illustrative_rows': ['lib']}
    """
    rows = illustrative_rows(index, ids)
    return {"illustrative": bool(rows), "illustrative_rows": rows}


def illustrative_counts(graph_or_index: nx.MultiDiGraph | GraphIndex) -> dict[str, Any]:
    """Entries and illustrative entries, per table and in all: one count for every view.

    An entry is a row of a city table: a node of each kind (organizations, neighborhoods,
    communities, navigators, committees) or a tie from the ties table (ties derived from a
    table's ``neighborhood`` column are not rows of their own and are not counted). The
    sidebar and the Data page both use this, so they give the same numbers.

    Parameters
    ----------
    graph_or_index : networkx.MultiDiGraph or GraphIndex
        The coalition graph.

    Returns
    -------
    dict
        ``{"entries": int, "illustrative": int, "by_table": {table: {"rows": int,
        "illustrative": int}}}``.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("a", kind="organization", illustrative=True)
    >>> G.add_node("b", kind="organization"); G.add_edge("a", "b", key="partnership")
    'partnership'
    >>> counts = illustrative_counts(G)
    >>> counts["entries"], counts["illustrative"], counts["by_table"]["organizations"]
    (3, 1, {'rows': 2, 'illustrative': 1})
    """
    G = graph_or_index.graph if isinstance(graph_or_index, GraphIndex) else graph_or_index
    by_table = _empty_counts()
    for _, data in G.nodes(data=True):
        table = _TABLE_OF_KIND.get(data.get("kind"))
        if table is None:
            continue
        by_table[table]["rows"] += 1
        by_table[table]["illustrative"] += is_illustrative(data.get("illustrative"))
    for _, _, tie_type, flag in G.edges(keys=True, data="illustrative"):
        if tie_type in DERIVED_TIE_TYPES:
            continue
        by_table[TIES_TABLE]["rows"] += 1
        by_table[TIES_TABLE]["illustrative"] += is_illustrative(flag)
    return _totals(by_table)


def illustrative_counts_of_tables(tables: GraphTables) -> dict[str, Any]:
    """:func:`illustrative_counts` of the graph the tables describe, without building it.

    The same rule read from :func:`coalition.model.graph_tables`: a node per entity-table row
    (its whole-row ``illustrative`` cell, as ``build_graph`` stores it), a tie per edge of the
    graph (repeated rows of one tie are one edge) whose type is not derived from a
    ``neighborhood`` column. Nodes named only by a tie have no kind and are not entries.

    Parameters
    ----------
    tables : coalition.model.GraphTables
        The graph's contents as tables.

    Returns
    -------
    dict
        As :func:`illustrative_counts`.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> city = example_city()
    >>> illustrative_counts_of_tables(graph_tables(city)) == illustrative_counts(build_graph(city))
    True
    """
    by_table = _empty_counts()
    for table, ids in tables.ids.items():
        flags = tables.columns[table].get("illustrative")
        by_table[table]["rows"] = len(ids)
        # build_graph stores bool(cell) on the node, which is_illustrative reads back as is.
        by_table[table]["illustrative"] = sum(bool(flag) for flag in flags) if flags else 0
    own = [t not in DERIVED_TIE_TYPES for t in tables.edges["tie_type"].tolist()]
    flags = tables.edges["illustrative"].tolist()
    by_table[TIES_TABLE]["rows"] = sum(own)
    by_table[TIES_TABLE]["illustrative"] = sum(
        is_illustrative(flag) for flag, kept in zip(flags, own, strict=True) if kept
    )
    return _totals(by_table)


def illustrative_counts_of_city(city: CityData) -> dict[str, Any]:
    """``illustrative_counts(build_graph(city))``, read from the tables when they can tell.

    The graph is built only for a city whose tables need its merging (an id in two tables,
    see :func:`coalition.model.graph_tables`).

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> city = example_city()
    >>> illustrative_counts_of_city(city) == illustrative_counts(build_graph(city))
    True
    """
    tables = graph_tables(city)
    if tables is None:
        return illustrative_counts(build_graph(city))
    return illustrative_counts_of_tables(tables)


def _empty_counts() -> dict[str, dict[str, int]]:
    by_table = {table: {"rows": 0, "illustrative": 0} for table in KIND_OF_TABLE}
    by_table[TIES_TABLE] = {"rows": 0, "illustrative": 0}
    return by_table


def _totals(by_table: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {
        "entries": sum(t["rows"] for t in by_table.values()),
        "illustrative": sum(t["illustrative"] for t in by_table.values()),
        "by_table": by_table,
    }
