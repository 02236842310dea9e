"""A city for people: filter choices, a neighborhood's members, its sources, its warnings.

Examples
--------
>>> import pandas as pd
>>> illustrative_totals(pd.DataFrame({'rows': [4, 6], 'illustrative_rows': [0, 6]}))
(6, 10)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import pandas as pd

from coalition import labels, model, privacy, schema
from coalition.i18n import _

# The column of illustrative counts, in English (``illustrative_column()``: in the language in use).
ILLUSTRATIVE_COLUMN = f"Illustrative {labels.ILLUSTRATIVE_MARK}"
# Ties through which an organization reaches a neighborhood.
_REACHING_TIES = ("located_in", "serves_neighborhood")


def filter_options(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Choices for the filters: kinds, sectors, communities, neighborhoods, services, orgs.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph (see :func:`coalition.model.build_graph`).

    Returns
    -------
    dict
        ``kinds`` present, ``sectors``; ``communities``, ``neighborhoods``, ``organizations``,
        ``navigators``, ``committees`` as id -> name sorted by name; ``services`` as
        key -> label; ``total`` nodes and ``organization_count``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("lib", kind="organization", name="Alder Library", sector="library",
    ...            services=["esl"])
    >>> G.add_node("alder", kind="neighborhood", name="Alder")
    >>> G.add_node("birch", kind="neighborhood", name="Birch")
    >>> G.add_node("c1", kind="committee", name="Alder Committee", neighborhood="alder",
    ...            status="active")
    >>> options = filter_options(G)
    >>> options["neighborhoods"], options["sectors"], options["organization_count"]
    ({'alder': 'Alder', 'birch': 'Birch'}, ['library'], 1)
    """
    by_kind: dict[str, dict[str, str]] = {kind: {} for kind in schema.NODE_KINDS}
    sectors: set[str] = set()
    services: set[str] = set()
    for node, attrs in G.nodes(data=True):
        kind = attrs.get("kind")
        if kind not in by_kind:
            continue
        by_kind[kind][node] = str(attrs.get("name") or node)
        if kind == schema.ORGANIZATION:
            if attrs.get("sector"):
                sectors.add(str(attrs["sector"]))
            services.update(str(s) for s in attrs.get("services") or [])
    return _options(by_kind, sectors, services, G.number_of_nodes())


def filter_options_of_tables(tables: model.GraphTables) -> dict[str, Any]:
    """:func:`filter_options` of the graph the tables describe, without building it.

    Read from :func:`coalition.model.graph_tables` (the dashboard's sidebar and filters at
    10,000 organizations: building the graph costs seconds). A node's name is its table's
    ``name`` cell (a navigator's ``alias``), or its id, as ``build_graph`` names it.

    Parameters
    ----------
    tables : coalition.model.GraphTables
        The graph's contents as tables.

    Returns
    -------
    dict
        As :func:`filter_options`.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> city = example_city()
    >>> options = filter_options_of_tables(model.graph_tables(city))
    >>> options == filter_options(model.build_graph(city))
    True
    >>> options["navigators"]
    {'nav1': 'Navigator One'}
    """
    by_kind: dict[str, dict[str, str]] = {kind: {} for kind in schema.NODE_KINDS}
    sectors: set[str] = set()
    services: set[str] = set()
    for table, ids in tables.ids.items():
        kind = schema.KIND_OF_TABLE[table]
        cells, blank = tables.columns[table], [None] * len(ids)
        shown = cells.get("alias" if kind == schema.NAVIGATOR else "name", blank)
        by_kind[kind].update(
            (node, str(name or node)) for node, name in zip(ids, shown, strict=True)
        )
        if kind == schema.ORGANIZATION:
            sectors.update(str(sector) for sector in cells.get("sector", blank) if sector)
            for offered in cells.get("services", blank):
                services.update(str(s) for s in offered or [])
    total = sum(len(ids) for ids in tables.ids.values()) + len(tables.bare_nodes)
    return _options(by_kind, sectors, services, total)


def _options(
    by_kind: dict[str, dict[str, str]], sectors: set[str], services: set[str], total: int
) -> dict[str, Any]:
    """The filter choices from the names per kind, sectors and services found."""

    def by_name(items: dict[str, str]) -> dict[str, str]:
        return dict(sorted(items.items(), key=lambda item: (item[1].lower(), item[0])))

    service_labels = {
        key: service_words(key).capitalize() for key in schema.SERVICES if key in services
    }
    service_labels.update({s: s for s in sorted(services) if s not in service_labels})
    return {
        "kinds": [k for k in schema.NODE_KINDS if by_kind[k]],
        "sectors": sorted(sectors, key=str.lower),
        "communities": by_name(by_kind[schema.COMMUNITY]),
        "neighborhoods": by_name(by_kind[schema.NEIGHBORHOOD]),
        "organizations": by_name(by_kind[schema.ORGANIZATION]),
        "navigators": by_name(by_kind[schema.NAVIGATOR]),
        "committees": by_name(by_kind[schema.COMMITTEE]),
        "services": service_labels,
        "total": total,
        "organization_count": len(by_kind[schema.ORGANIZATION]),
    }


def illustrative_column() -> str:
    """The title of the column of illustrative counts, in the language in use.

    Examples
    --------
    >>> illustrative_column() == ILLUSTRATIVE_COLUMN
    True
    """
    return _("Illustrative {mark}").format(mark=labels.ILLUSTRATIVE_MARK)


def service_words(key: str) -> str:
    """A service (a key of :data:`coalition.schema.SERVICES`) in words, in the language in use;
    a service the vocabulary does not know is shown as written.

    Examples
    --------
    >>> service_words("legal"), service_words("chess")
    ('legal and immigration help', 'chess')
    """
    label = schema.SERVICES.get(key)
    return _(label) if label else key


def _mark(illustrative: Any) -> str:
    return labels.ILLUSTRATIVE_MARK if illustrative else ""


def neighborhood_members(
    G: nx.MultiDiGraph,
    neighborhood_id: str,
    *,
    protected: Mapping[Any, Any] | None = None,
    disclosure: privacy.Disclosure | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organizations located in / serving a neighborhood, and communities living there.

    "Residents here" comes from ``protected``: the city's counts protected for the audience
    (:func:`coalition.privacy.protect` over :func:`coalition.analysis.coverage.index_counts`,
    keyed ``("lives_in", community_id, neighborhood_id)``), so a count hidden to stop a
    subtraction elsewhere is hidden here too. A count not in it is shown as it is to an exact
    audience and as "fewer than 11" to anyone else when small.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph.
    neighborhood_id : str
        A neighborhood node of ``G``.
    protected : mapping, optional
        The protected counts (markers for hidden ones).
    disclosure : Disclosure, optional
        The audience (default public).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The organizations (by name) and the communities.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("alder", kind="neighborhood", name="Alder")
    >>> G.add_node("lib", kind="organization", name="Alder Library", services=["esl"])
    >>> G.add_node("karen", kind="community", name="Karen", community_kind="immigrant")
    >>> _ = G.add_edge("lib", "alder", key="located_in")
    >>> _ = G.add_edge("karen", "alder", key="lives_in", residents=3)
    >>> members, communities = neighborhood_members(G, "alder")
    >>> members[["Organization", "How"]].values.tolist()
    [['Alder Library', 'located here']]
    >>> communities[["Community", "Kind", "Residents here"]].values.tolist()
    [['Karen', 'Newcomers', 'fewer than 11']]
    """
    members: dict[str, set[str]] = {}
    communities = []
    community, kind, residents = _("Community"), _("Kind"), _("Residents here")
    for source, _target, key, attrs in G.in_edges(neighborhood_id, keys=True, data=True):
        if key in _REACHING_TIES:
            members.setdefault(source, set()).add(
                _("located here") if key == "located_in" else _("serves it")
            )
        elif key == "lives_in":
            node = G.nodes[source]
            communities.append(
                {
                    community: str(node.get("name") or source),
                    kind: labels.COMMUNITY_KIND_WORDS.get(node.get("community_kind"), ""),
                    residents: privacy.format_count(
                        (protected or {}).get(
                            ("lives_in", str(source), str(neighborhood_id)), attrs.get("residents")
                        ),
                        disclosure or privacy.Disclosure.public(),
                    ),
                    labels.ILLUSTRATIVE_MARK: _mark(attrs.get("illustrative")),
                }
            )
    rows = []
    for org, how in sorted(members.items(), key=lambda item: str(G.nodes[item[0]].get("name"))):
        node = G.nodes[org]
        rows.append(
            {
                _("Organization"): str(node.get("name") or org),
                _("Sector"): str(node.get("sector") or ""),
                _("How"): ", ".join(sorted(how)),
                _("Services"): ", ".join(service_words(s) for s in node.get("services") or []),
                _("Languages"): ", ".join(node.get("languages") or []),
                labels.ILLUSTRATIVE_MARK: _mark(node.get("illustrative")),
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(communities)


def datasets_table(datasets: pd.DataFrame) -> pd.DataFrame:
    """The store's datasets in plain words, with the illustrative share.

    Parameters
    ----------
    datasets : pandas.DataFrame
        :meth:`coalition.store.Store.datasets` (``table``, ``rows``, ``illustrative_rows`` and
        optionally ``sources``, ``oldest_source_date``, ``latest_source_date``,
        ``source_list``).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> table = datasets_table(pd.DataFrame({"table": ["ties"], "rows": [4],
    ...                                      "illustrative_rows": [1]}))
    >>> table.columns.tolist()[:3], table["Table"].tolist(), table["Rows"].tolist()
    (['Table', 'Rows', 'Illustrative ◇'], ['Ties'], [4])
    """
    frame = datasets
    out = pd.DataFrame(
        {
            _("Table"): frame["table"].map(lambda t: labels.TABLE_TITLES.get(t, t)),
            _("Rows"): frame["rows"].astype(int),
            illustrative_column(): frame["illustrative_rows"].astype(int),
            _("Sources cited"): frame.get("sources", pd.Series(0, index=frame.index)),
            _("Oldest source date"): frame.get("oldest_source_date", ""),
            _("Latest source date"): frame.get("latest_source_date", ""),
        }
    )
    if "source_list" in frame:
        out[_("Sources")] = frame["source_list"]
    return out


def source_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per table and source: rows, illustrative rows and the dates the source gives.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        A city's tables (:attr:`coalition.model.CityData.tables`); those without a ``source``
        column are left out.

    Returns
    -------
    pandas.DataFrame
        Columns Table, Source, Rows, Illustrative ◇, Dates (one date, or "first to last").

    Examples
    --------
    >>> ties = pd.DataFrame({"source": ["Survey", "Survey", None],
    ...     "source_date": ["2024-05", "2023-01", ""], "illustrative": [False, True, False]})
    >>> source_table({"ties": ties}).values.tolist()
    [['Ties', '(no source given)', 1, 0, ''], ['Ties', 'Survey', 2, 1, '2023-01 to 2024-05']]
    """
    rows = []
    titles = [_("Table"), _("Source"), _("Rows"), illustrative_column(), _("Dates")]
    for table, frame in tables.items():
        if frame.empty or "source" not in frame:
            continue
        sources = frame["source"].fillna("").astype(str).replace("", _("(no source given)"))
        dates = (
            frame["source_date"].fillna("").astype(str)
            if "source_date" in frame
            else pd.Series("", index=frame.index)
        )
        illustrative = (
            frame["illustrative"].fillna(False).astype(bool)
            if "illustrative" in frame
            else pd.Series(False, index=frame.index)
        )
        for source, group in frame.groupby(sources, sort=True):
            known = sorted(d for d in dates[group.index] if d)
            if not known:
                dates_text = ""
            elif known[0] == known[-1]:
                dates_text = known[0]
            else:
                dates_text = _("{first} to {last}").format(first=known[0], last=known[-1])
            rows.append(
                dict(
                    zip(
                        titles,
                        [
                            labels.TABLE_TITLES.get(table, table),
                            source,
                            len(group),
                            int(illustrative[group.index].sum()),
                            dates_text,
                        ],
                        strict=True,
                    )
                )
            )
    return pd.DataFrame(rows, columns=titles)


def illustrative_totals(datasets: pd.DataFrame) -> tuple[int, int]:
    """(illustrative rows, all rows) over every table.

    Parameters
    ----------
    datasets : pandas.DataFrame
        :meth:`coalition.store.Store.datasets` (``rows``, ``illustrative_rows``).

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> illustrative_totals(pd.DataFrame({'rows': [4, 6], 'illustrative_rows': [0, 6]}))
    (6, 10)
    """
    return int(datasets["illustrative_rows"].sum()), int(datasets["rows"].sum())


def warnings_table(warnings: list[Any]) -> pd.DataFrame:
    """The load's warnings as a table (file, row, column, value, what to do).

    Parameters
    ----------
    warnings : list
        Warnings as dicts (``file``, ``row``, ``column``, ``value``, ``message``) or texts.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> warnings_table([{'file': 'ties.csv', 'row': 3, 'message': 'Check it.'}])['What to do'][0]
    'Check it.'
    >>> warnings_table(["Old figures."]).iloc[0].tolist()
    ['', None, '', '', 'Old figures.']
    """
    titles = [_("File"), _("Row"), _("Column"), _("Value"), _("What to do")]
    rows = []
    for warning in warnings:
        item = warning if isinstance(warning, dict) else {"message": str(warning)}
        values = [
            item.get("file") or "",
            item.get("row"),
            item.get("column") or "",
            item.get("value") or "",
            item.get("message") or "",
        ]
        rows.append(dict(zip(titles, values, strict=True)))
    return pd.DataFrame(rows, columns=titles)
