"""Gap reports for people: readable tables, rows matching a filter, the top sentences, brokers.

Small counts: a :class:`~coalition.analysis.GapReport` made for an audience already has protected
sentences and marks its hidden cells (``report.hidden``); :func:`readable` writes those markers'
text ("fewer than 11", "withheld to protect a small count") in place of the numbers. Given no
``hidden`` mapping, it hides every small count it shows (primary suppression) unless told the
audience sees exact counts. Nothing here edits finished sentences.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"id": ["lib"], "name": ["Alder Library"], "severity": [2.0],
...                       "explanation": ["Alder Library has one partner."]})
>>> readable(frame).columns.tolist()
['Why it matters', 'Name']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import pandas as pd

from coalition import labels, privacy
from coalition.analysis.gaps import ROW_IDS

# Which families lead on the Overview (severities are not comparable across families, so the
# top sentences take the worst finding of each family in turn, in this order).
OVERVIEW_GAP_ORDER = (
    "fragile_links",
    "service_gaps",
    "language_gaps",
    "uncovered_need",
    "isolated",
    "bridging",
)
# Columns never worth showing to a commission member (ids, internal scores).
_HIDDEN_COLUMN = re.compile(r"(^|_)ids?$|^position$|^index$")


def is_id_column(column: object) -> bool:
    """True for a column of ids or internal positions (never shown to people).

    Parameters
    ----------
    column : object
        A column name.

    Returns
    -------
    bool

    Examples
    --------
    >>> [is_id_column(c) for c in ("id", "org_ids", "community_id", "name", "position")]
    [True, True, True, False, True]
    """
    return bool(_HIDDEN_COLUMN.search(str(column))) or str(column).endswith("_id")


def severity_sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows worst first, when the frame has a numeric ``severity`` (else unchanged).

    Parameters
    ----------
    frame : pandas.DataFrame
        One gap family's table.

    Returns
    -------
    pandas.DataFrame
        A new frame (stable sort: equal severities keep their order).

    Examples
    --------
    >>> severity_sorted(pd.DataFrame({"severity": [1.0, 3.0, 1.0], "n": [1, 2, 3]}))["n"].tolist()
    [2, 1, 3]
    """
    if "severity" in frame and pd.api.types.is_numeric_dtype(frame["severity"]):
        return frame.sort_values("severity", ascending=False, kind="stable")
    return frame


def _flatten(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [str(value)]


class GapRows(NamedTuple):
    """A gap family's rows worst first, ready to be filtered (see :func:`index_rows`)."""

    frame: pd.DataFrame
    ids: list[set[str]]  # per row: every id-like cell value
    names: list[set[str]]  # per row: every other cell value (names, languages, sectors…)
    search: list[str]  # per row: explanation and names, lower case


def index_rows(frame: pd.DataFrame | None) -> GapRows:
    """Sort a gap family's rows worst first and note each row's ids, names and search text.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        One gap family's table (``None`` or empty gives no rows).

    Returns
    -------
    GapRows

    Examples
    --------
    >>> rows = index_rows(pd.DataFrame({"neighborhood_id": ["alder"], "language": ["Karen"],
    ...                                 "explanation": ["Nobody offers Karen."]}))
    >>> rows.ids, rows.names, rows.search
    ([{'alder'}], [{'Karen'}], ['nobody offers karen. karen'])
    """
    if frame is None or frame.empty:
        return GapRows(pd.DataFrame(), [], [], [])
    frame = severity_sorted(frame).reset_index(drop=True)
    id_columns = [c for c in frame.columns if is_id_column(c)]
    other = [c for c in frame.columns if c not in id_columns and c != "explanation"]
    ids: list[set[str]] = []
    names: list[set[str]] = []
    for record in frame.to_dict("records"):
        ids.append({v for column in id_columns for v in _flatten(record.get(column))})
        names.append({v for column in other for v in _flatten(record.get(column))})
    explanations = (
        frame["explanation"].astype(str).to_list() if "explanation" in frame else [""] * len(frame)
    )
    search = [
        " ".join([text, *sorted(row)]).lower()
        for text, row in zip(explanations, names, strict=True)
    ]
    return GapRows(frame, ids, names, search)


def matching(
    rows: GapRows,
    *,
    neighborhood_id: str | None = None,
    neighborhood: str | None = None,
    community_id: str | None = None,
    community: str | None = None,
    text: str | None = None,
) -> list[bool]:
    """Which rows match a neighborhood, a community and words (a mask, one flag per row).

    A row matches a neighborhood (or community) when one of its cells holds its id or its
    exact name; a text matches when every word appears in the explanation or a cell.

    Parameters
    ----------
    rows : GapRows
        From :func:`index_rows`.
    neighborhood_id, neighborhood : str, optional
        The neighborhood's id and name (the id decides whether to filter).
    community_id, community : str, optional
        The community's id and name.
    text : str, optional
        Words that must all appear (any case).

    Returns
    -------
    list of bool

    Examples
    --------
    >>> rows = index_rows(pd.DataFrame({"neighborhood_id": ["alder", "birch"],
    ...                                 "explanation": ["No legal help.", "No Karen class."]}))
    >>> matching(rows, neighborhood_id="alder"), matching(rows, text="karen CLASS")
    ([True, False], [False, True])
    """
    words = text.lower().split() if text else []
    keep = []
    for ids, names, haystack in zip(rows.ids, rows.names, rows.search, strict=True):
        ok = True
        if neighborhood_id is not None:
            ok = neighborhood_id in ids or neighborhood in names
        if ok and community_id is not None:
            ok = community_id in ids or community in names
        if ok and words:
            ok = all(word in haystack for word in words)
        keep.append(ok)
    return keep


# Columns of the gap tables that count residents.
COUNT_COLUMNS = frozenset({"speakers", "residents", "foreign_born", "foreign_born_moe"})


def _cell(value: Any, column: str, disclosure: privacy.Disclosure | None = None) -> Any:
    if privacy.is_hidden(value):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    if column in COUNT_COLUMNS:
        return privacy.format_count(value, disclosure or privacy.Disclosure.public())
    if column in ("type", "kind", "committee_status", "community_kind") and isinstance(value, str):
        return labels.KIND_WORDS.get(value, value)
    if isinstance(value, float):
        if value != value:
            return None
        return round(value, 1)
    return value


def readable(
    frame: pd.DataFrame,
    family: str | None = None,
    *,
    hidden: Mapping[tuple[str, tuple[str, ...], str], Any] | None = None,
    disclosure: privacy.Disclosure | None = None,
) -> pd.DataFrame:
    """A gap table for people: explanation first, chosen columns with plain titles, lists joined.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of one gap family.
    family : str, optional
        The family (a key of :data:`coalition.labels.FAMILY_COLUMNS`): its columns, in its
        order, with its titles. Without it, every column but ids and severity.
    hidden : mapping, optional
        The report's hidden cells (:attr:`coalition.analysis.GapReport.hidden`).
    disclosure : Disclosure, optional
        The audience (the report's); default public: counts not in ``hidden`` that are small are
        still shown as "fewer than 11".

    Returns
    -------
    pandas.DataFrame
        Kinds in words, small resident counts suppressed, numbers to one decimal.

    Examples
    --------
    >>> readable(pd.DataFrame({"id": ["a"], "name": ["A"], "ties": [["x", "y"]],
    ...                        "explanation": ["Why."]})).to_dict("records")
    [{'Why it matters': 'Why.', 'Name': 'A', 'Ties': 'x, y'}]
    >>> readable(pd.DataFrame({"neighborhood": ["Alder"], "language": ["Karen"],
    ...                        "speakers": [3]}), "language_gaps").to_dict("records")
    [{'Neighborhood': 'Alder', 'Language': 'Karen', 'Speakers here': 'fewer than 11'}]
    """
    chosen = labels.FAMILY_COLUMNS.get(family or "", {})
    if chosen:
        columns = [c for c in chosen if c in frame.columns]
    else:
        columns = [
            c for c in frame.columns if c not in ("explanation", "severity") and not is_id_column(c)
        ]
    out = pd.DataFrame(index=range(len(frame)))
    if "explanation" in frame:
        out[labels.COLUMN_TITLES["explanation"]] = [str(e) for e in frame["explanation"]]
    id_columns = ROW_IDS.get(family or "", ())
    row_ids = (
        [tuple(str(v) for v in ids) for ids in zip(*(frame[c] for c in id_columns), strict=True)]
        if hidden and id_columns and all(c in frame.columns for c in id_columns)
        else [()] * len(frame)
    )
    for column in columns:
        title = (
            chosen.get(column)
            or labels.COLUMN_TITLES.get(column)
            or str(column).replace("_", " ").capitalize()
        )
        out[title] = [
            _cell((hidden or {}).get((family or "", row, column), v), column, disclosure)
            for v, row in zip(frame[column], row_ids, strict=True)
        ]
    return out


def explanations(table: pd.DataFrame) -> list[str]:
    """The "why it matters" sentences of a :func:`readable` table (empty when it has none).

    Parameters
    ----------
    table : pandas.DataFrame
        A table made by :func:`readable`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> explanations(readable(pd.DataFrame({"explanation": ["One.", "Two."]})))
    ['One.', 'Two.']
    """
    title = labels.COLUMN_TITLES["explanation"]
    if table.empty or title not in table:
        return []
    return [str(e) for e in table[title]]


def top_gap_sentences(report: Any, count: int) -> list[str]:
    """The worst finding of each gap family in turn (plain text); positive findings skipped.

    Rows with a severity of 0 or none (e.g. a neighborhood that *has* bridging ties, or a
    broker) describe strengths, not gaps, and are left out. The sentences are the report's own,
    composed from protected counts for the audience the report was made for.

    Parameters
    ----------
    report : GapReport
        Anything with a frame per family in :data:`OVERVIEW_GAP_ORDER` (missing ones skipped).
    count : int
        How many sentences at most.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> report = SimpleNamespace(
    ...     fragile_links=pd.DataFrame({"severity": [1.0, 2.0], "explanation": ["F1", "F2"]}),
    ...     isolated=pd.DataFrame({"severity": [0.0, 1.0], "explanation": ["fine", "I1"]}))
    >>> top_gap_sentences(report, 3)
    ['F2', 'I1', 'F1']
    """
    queues = []
    for family in OVERVIEW_GAP_ORDER:
        frame = getattr(report, family, None)
        if frame is None or frame.empty or "explanation" not in frame:
            continue
        if "severity" in frame:
            severity = pd.to_numeric(frame["severity"], errors="coerce")
            frame = frame[severity > 0]
        queues.append([str(e) for e in severity_sorted(frame)["explanation"]])
    lines: list[str] = []
    for rank in range(count):
        for queue in queues:
            if rank < len(queue) and queue[rank] not in lines:
                lines.append(queue[rank])
            if len(lines) == count:
                return lines
    return lines


def _brokers(bridging: pd.DataFrame) -> pd.DataFrame:
    brokers = bridging[bridging["kind"] == "broker"]
    return brokers.sort_values("effective_size", ascending=False, kind="stable")


def broker_ids(bridging: pd.DataFrame, count: int) -> list[str]:
    """The top brokers of a gap report's ``bridging`` table, largest effective size first.

    Parameters
    ----------
    bridging : pandas.DataFrame
        The ``bridging`` family (rows of kind ``"broker"`` are the brokers).
    count : int
        How many at most.

    Returns
    -------
    list of str

    Examples
    --------
    >>> bridging = pd.DataFrame({"kind": ["broker", "neighborhood", "broker"],
    ...                          "id": ["lib", "alder", "legal"],
    ...                          "effective_size": [2.0, None, 3.5],
    ...                          "explanation": ["Lib links 2.", "Alder.", "Legal links 3."]})
    >>> broker_ids(bridging, 5), broker_sentences(bridging, 1)
    (['legal', 'lib'], ['Legal links 3.'])
    """
    return [str(n) for n in _brokers(bridging)["id"].head(count)]


def broker_sentences(bridging: pd.DataFrame, count: int) -> list[str]:
    """The explanations of the top brokers (plain text), in the order of :func:`broker_ids`.

    Parameters
    ----------
    bridging : pandas.DataFrame
        The ``bridging`` family of a gap report.
    count : int
        How many at most.

    Returns
    -------
    list of str

    Examples
    --------
    >>> broker_sentences(pd.DataFrame({"kind": ["broker"], "id": ["lib"],
    ...     "effective_size": [1.0], "explanation": ["Lib links two partners."]}), 3)
    ['Lib links two partners.']
    """
    return [str(e) for e in _brokers(bridging)["explanation"].head(count)]


def fragile_members(fragile_links: pd.DataFrame) -> list[str]:
    """Organizations whose departure would cut other members off (articulation points).

    Parameters
    ----------
    fragile_links : pandas.DataFrame
        The ``fragile_links`` family of a gap report.

    Returns
    -------
    list of str
        Each id once, in the table's order.

    Examples
    --------
    >>> fragile_members(pd.DataFrame({"type": ["articulation_point", "community",
    ...                                        "articulation_point"],
    ...                               "id": ["lib", "karen", "lib"]}))
    ['lib']
    """
    table = fragile_links
    return [str(n) for n in table.loc[table["type"] == "articulation_point", "id"].unique()]
