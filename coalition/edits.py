"""Edits of single records in a working session, as row changes the store saves one by one.

Every function here is pure: it takes the current city (:class:`~coalition.model.CityData`, the
active rows as :meth:`coalition.store.Store.read_city` returns them) and returns the list of
:class:`RowChange` that the edit makes, checked exactly like a data file (the checks of
:func:`coalition.ingest.add_records`), or raises :class:`~coalition.errors.ValidationError`. The
store saves a list of changes in one transaction (:meth:`coalition.store.Store.apply`), refusing
it when a row changed since it was read (:class:`~coalition.errors.ConflictError`).

Nothing is ever deleted by an edit: a record is *retired* (kept, with the date and the reason,
hidden from analyses), and every change can be undone (:func:`inverse`).

Examples
--------
>>> from coalition.examples import example_city
>>> city = example_city()
>>> [c.kind for c in change(city, "organizations", "lonely", {"services": "health;legal"})]
['changed']
>>> changes = retire(city, "organizations", "clinic", reason="closed", on="2026-11-30")
>>> sorted({c.table for c in changes})
['organizations', 'ties']
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import schema
from .errors import Problem, ValidationError
from .i18n import N_, _, ngettext
from .model import CityData

EDITABLE_TABLES = ("organizations", "communities", "navigators", "committees", "ties")
# The columns that make a tie what it is: a different one is another tie (retire and add).
TIE_KEY_COLUMNS = ("source_id", "target_id", "tie_type")
# The file name shown in a problem found by a form (the dashboard shows the form's field instead).
FORM = "the form"
RETIRED = "_retired"


def tie_key(source_id: Any, target_id: Any, tie_type: Any) -> str:
    """A tie's key: its ends and type; a partnership is the same whichever way round.

    Examples
    --------
    >>> tie_key("b", "a", "partnership"), tie_key("b", "a", "serves_community")
    ('a|b|partnership', 'b|a|serves_community')
    """
    source, target, kind = str(source_id), str(target_id), str(tie_type)
    if kind == "partnership" and target < source:
        source, target = target, source
    return f"{source}|{target}|{kind}"


def row_key(table: str, row: Mapping[str, Any]) -> str:
    """The key of a row of ``table``: its id, or :func:`tie_key` for a tie.

    Examples
    --------
    >>> row_key("organizations", {"org_id": "lib", "name": "Library"})
    'lib'
    """
    if table == "ties":
        return tie_key(*(row.get(c) for c in TIE_KEY_COLUMNS))
    return str(row.get(schema.ID_COLUMNS[table]))


def keys_of(table: str, frame: pd.DataFrame) -> list[str]:
    """The key of every row of a table's frame, in order (see :func:`row_key`)."""
    if table == "ties":
        return [
            tie_key(s, t, k)
            for s, t, k in zip(
                frame["source_id"].tolist(),
                frame["target_id"].tolist(),
                frame["tie_type"].tolist(),
                strict=True,
            )
        ]
    return [str(v) for v in frame[schema.ID_COLUMNS[table]].tolist()]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def plain_value(value: Any, column: schema.Column) -> Any:
    """A cell as a plain JSON value of its column's type (None for a missing or empty cell).

    An empty text is a blank cell, as a data file's reader reads it: a row given with ``""``
    (a city built in code) and the same row checked by a form are the same row.

    Examples
    --------
    >>> plain_value(float("nan"), schema.Column("population", "int", False, "", ""))
    >>> plain_value("", schema.Column("kind", "text", False, "", ""))
    >>> plain_value(("a", "b"), schema.Column("languages", "list", False, "", ""))
    ['a', 'b']
    """
    if column.type == "list":
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else []
    if column.type == "bool":
        return bool(column.blank_value) if _missing(value) else bool(value)
    if _missing(value) or (isinstance(value, str) and value == ""):
        return None
    if column.type == "int":
        return int(value)
    if column.type == "float":
        return float(value)
    return str(value)


def plain_row(table: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row of ``table`` as plain JSON values, with every schema column and ``_retired``.

    Examples
    --------
    >>> plain_row("navigators", {"navigator_id": "n1", "alias": "Navigator A"})["languages"]
    []
    """
    plain = {c.name: plain_value(row.get(c.name), c) for c in schema.TABLES[table]}
    retired = row.get(RETIRED)
    plain[RETIRED] = dict(retired) if isinstance(retired, Mapping) else None
    return plain


@dataclass(frozen=True)
class RowChange:
    """One row's change: the row before and after (whole rows, as :func:`plain_row` makes them).

    Attributes
    ----------
    table : str
        One of :data:`EDITABLE_TABLES`.
    key : str
        The row's key (:func:`row_key`).
    before : dict or None
        The row as it was; None when the change adds it.
    after : dict or None
        The row as it is after; None when the change deletes it (only undoing an add does).
    """

    table: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def kind(self) -> str:
        """``"added"``, ``"changed"``, ``"retired"``, ``"restored"`` or ``"deleted"``.

        Examples
        --------
        >>> RowChange("ties", "a|b|partnership", None, {"_retired": None}).kind
        'added'
        """
        if self.after is None:
            return "deleted"
        if self.before is None:
            return "added"
        was, now = self.before.get(RETIRED), self.after.get(RETIRED)
        if now and not was:
            return "retired"
        if was and not now:
            return "restored"
        return "changed"

    @property
    def fields(self) -> list[str]:
        """The columns whose value differs between before and after (all for an add).

        Examples
        --------
        >>> RowChange("ties", "k", {"strength": 1, "_retired": None},
        ...           {"strength": 2, "_retired": None}).fields
        ['strength']
        """
        before, after = self.before or {}, self.after or {}
        return [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]

    def as_dict(self) -> dict[str, Any]:
        """The change as JSON-ready values (the store keeps it so)."""
        return {"table": self.table, "key": self.key, "before": self.before, "after": self.after}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RowChange:
        """The change kept by :meth:`as_dict`."""
        return cls(str(data["table"]), str(data["key"]), data.get("before"), data.get("after"))


def _form_problem(message: str, column: str | None = None, value: Any = None) -> ValidationError:
    return ValidationError(
        [Problem(FORM, message, column=column, value=None if value is None else str(value))]
    )


def _editable(table: str) -> None:
    if table not in EDITABLE_TABLES:
        raise _form_problem(
            _(
                "Records of {table} cannot be edited one by one (one of {tables}); change the "
                "data folder and load it again."
            ).format(table=repr(table), tables=", ".join(EDITABLE_TABLES))
        )


def _position(city: CityData, table: str, key: str) -> int:
    """The row position of ``key`` in the table (ValidationError when it is not there)."""
    frame = city.tables[table]
    if table == "ties":
        # Only the ties of the key's type whose ends are pieces of the key have their key
        # computed (ids may hold "|", so every run of pieces is a candidate): at 100,000 ties
        # this finds one in milliseconds instead of keying every tie.
        parts = key.split("|")
        pieces = {"|".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts))}
        near = (
            (frame["tie_type"].astype(str) == parts[-1])
            & frame["source_id"].astype(str).isin(pieces)
            & frame["target_id"].astype(str).isin(pieces)
        ).to_numpy()
        candidates = [int(i) for i in near.nonzero()[0]]
        keys = keys_of("ties", frame.iloc[candidates]) if candidates else []
        positions = [i for i, k in zip(candidates, keys, strict=True) if k == key]
    else:
        ids = frame[schema.ID_COLUMNS[table]].astype(str).to_numpy()
        positions = [int(i) for i in (ids == key).nonzero()[0]]
    if not positions:
        raise _form_problem(
            _(
                "There is no {kind} {key} (it may have been retired or merged since the page "
                "was read): reload the page and pick it again."
            ).format(kind=table[:-1], key=repr(key)),
            value=key,
        )
    return int(positions[0])


def current_row(city: CityData, table: str, key: str) -> dict[str, Any]:
    """The row of ``table`` with ``key`` as plain values (ValidationError when absent).

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> current_row(example_city(), "organizations", "lonely")["name"]
    'Lonely Shop'
    """
    _editable(table)
    frame = city.tables[table]
    return plain_row(table, frame.iloc[_position(city, table, key)].to_dict())


def _cells_of(table: str, row: Mapping[str, Any], city: CityData) -> dict[str, str]:
    """A stored row as the cells a spreadsheet would hold (neighborhoods as their ids)."""
    from .ingest.records import cell_text

    columns = {c.name: c for c in schema.TABLES[table]}
    return {
        name: str(cell_text(row.get(name), column))
        for name, column in columns.items()
        if row.get(name) is not None
    }


def _checked_row(city: CityData, table: str, cells: Mapping[str, Any]) -> dict[str, Any]:
    """One row checked like a file's row against the city (which must not hold it)."""
    from .ingest import add_records

    checked = add_records(city, table, [{k: "" if v is None else v for k, v in cells.items()}])
    return plain_row(table, checked.tables[table].iloc[-1].to_dict())


def add(city: CityData, table: str, cells: Mapping[str, Any]) -> list[RowChange]:
    """Add one record: checked like a row of the table's file.

    Parameters
    ----------
    city : CityData
        The current city.
    table : str
        One of :data:`EDITABLE_TABLES`.
    cells : mapping
        Cell texts by column, as a spreadsheet holds them (lists ``"a;b"``, yes/no).

    Raises
    ------
    ValidationError
        Every problem of the row, with the same messages as a data file's.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> added = add(example_city(), "ties", {"source_id": "lonely", "target_id": "lib",
    ...     "tie_type": "partnership", "source": "working session", "source_date": "2026-11",
    ...     "illustrative": "no"})
    >>> added[0].kind, added[0].key
    ('added', 'lib|lonely|partnership')
    """
    _editable(table)
    row = _checked_row(city, table, cells)
    return [RowChange(table, row_key(table, row), None, row)]


def _without(city: CityData, table: str, position: int) -> CityData:
    frame = city.tables[table]
    return CityData(
        name=city.name,
        tables={**city.tables, table: frame.drop(index=frame.index[position])},
        boundaries=city.boundaries,
        metric_crs=city.metric_crs,
        meta=city.meta,
    )


def change(city: CityData, table: str, key: str, cells: Mapping[str, Any]) -> list[RowChange]:
    """Change fields of one record, checked like the row of a file.

    Parameters
    ----------
    city : CityData
        The current city.
    table : str
        One of :data:`EDITABLE_TABLES`.
    key : str
        The record's key (:func:`row_key`).
    cells : mapping
        The fields that change, as cell texts. The id (a tie's ends and type) cannot change: a
        different tie is another tie (retire this one and add that one).

    Returns
    -------
    list of RowChange
        One change, or none when every field already holds its value.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> change(example_city(), "organizations", "lonely", {"name": "Lonely Shop"})
    []
    """
    _editable(table)
    fixed = TIE_KEY_COLUMNS if table == "ties" else (schema.ID_COLUMNS[table],)
    position = _position(city, table, key)
    before = plain_row(table, city.tables[table].iloc[position].to_dict())
    for column in fixed:
        if column in cells and str(cells[column]).strip() != str(before[column]):
            raise _form_problem(
                (
                    _(
                        "The {column} of a record cannot change: add a new record and retire "
                        "this one (a tie between other ends is another tie)."
                    )
                    if table == "ties"
                    else _(
                        "The {column} of a record cannot change: add a new record and retire "
                        "this one."
                    )
                ).format(column=column),
                column=column,
                value=cells[column],
            )
    unknown = sorted(set(cells) - set(schema.column_names(table)))
    if unknown:
        raise _form_problem(
            _("{table} have no column {column}: use one of {columns}.").format(
                table=table, column=repr(unknown[0]), columns=", ".join(schema.column_names(table))
            ),
            column=unknown[0],
        )
    merged = {**_cells_of(table, before, city), **{k: v for k, v in cells.items()}}
    after = _checked_row(_without(city, table, position), table, merged)
    after[RETIRED] = before[RETIRED]
    if after == before:
        return []
    return [RowChange(table, key, before, after)]


def _day(on: dt.date | str) -> str:
    if isinstance(on, dt.date):
        return on.isoformat()
    text = str(on).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise _form_problem(
            _("Give the date as YYYY-MM-DD (for example 2026-03-14)."), column="on", value=on
        ) from None


def _ties_touching(city: CityData, key: str) -> list[int]:
    ties = city.tables["ties"]
    hits = (
        (ties["source_id"].astype(str) == key) | (ties["target_id"].astype(str) == key)
    ).to_numpy()
    return [int(i) for i in hits.nonzero()[0]]


def _name(city: CityData, table: str, key: str) -> str:
    if table == "ties":
        return key
    row = city.tables[table].iloc[_position(city, table, key)]
    return str(row.get("alias") if table == "navigators" else row.get("name"))


def retire(
    city: CityData, table: str, key: str, *, reason: str, on: dt.date | str
) -> list[RowChange]:
    """Retire a record: kept with the date and reason, hidden from analyses; so are its ties.

    Retiring a tie is "this partnership ended". Retiring an organization (a community, a
    navigator, a committee) ends every tie that touches it, in the same change.

    Raises
    ------
    ValidationError
        Without a reason, with a date that is not YYYY-MM-DD, or for a record not there.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> [c.kind for c in retire(example_city(), "ties", "legal|lib|partnership",
    ...                           reason="program ended", on="2026-11-30")]
    ['retired']
    """
    _editable(table)
    reason = str(reason or "").strip()
    if not reason:
        raise _form_problem(
            _("Say why the record is retired (for example 'closed', 'partnership ended')."),
            column="reason",
        )
    mark = {"on": _day(on), "reason": reason}
    position = _position(city, table, key)
    before = plain_row(table, city.tables[table].iloc[position].to_dict())
    changes = [RowChange(table, key, before, {**before, RETIRED: mark})]
    if table != "ties":
        ties = city.tables["ties"]
        ended = {"on": mark["on"], "reason": f"{_name(city, table, key)} retired: {reason}"}
        for i in _ties_touching(city, key):
            tie = plain_row("ties", ties.iloc[i].to_dict())
            changes.append(RowChange("ties", row_key("ties", tie), tie, {**tie, RETIRED: ended}))
    return changes


def merge(city: CityData, table: str, keep: str, drop: str) -> list[RowChange]:
    """Merge two records that are the same: ``drop``'s ties move to ``keep``, ``drop`` retires.

    A moved tie that ``keep`` already has (or that would join ``keep`` to itself) is retired
    instead. Nothing else of ``drop`` is copied: change ``keep`` first if it should take
    ``drop``'s services or languages.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> changes = merge(example_city(), "organizations", "lib", "lonely")
    >>> changes[-1].kind, changes[-1].after["_retired"]["reason"]
    ('retired', 'merged into Alder Library')
    """
    _editable(table)
    if table == "ties":
        raise _form_problem(_("Ties are not merged: retire the repeated one."))
    if keep == drop:
        raise _form_problem(_("Pick two different records to merge."), value=keep)
    keep_name = _name(city, table, keep)
    position = _position(city, table, drop)
    today = dt.date.today().isoformat()
    ties = city.tables["ties"]
    existing = set(keys_of("ties", ties))
    changes: list[RowChange] = []
    for i in _ties_touching(city, drop):
        tie = plain_row("ties", ties.iloc[i].to_dict())
        moved = dict(tie)
        for end in ("source_id", "target_id"):
            if moved[end] == drop:
                moved[end] = keep
        new_key = row_key("ties", moved)
        old_key = row_key("ties", tie)
        changes.append(
            RowChange(
                "ties",
                old_key,
                tie,
                {**tie, RETIRED: {"on": today, "reason": f"moved to {keep_name} (merge)"}},
            )
        )
        if new_key in existing or moved["source_id"] == moved["target_id"]:
            continue
        existing.add(new_key)
        changes.append(RowChange("ties", new_key, None, moved))
    before = plain_row(table, city.tables[table].iloc[position].to_dict())
    changes.append(
        RowChange(
            table,
            drop,
            before,
            {**before, RETIRED: {"on": today, "reason": f"merged into {keep_name}"}},
        )
    )
    return changes


def set_committee_status(
    city: CityData, committee_id: str, status: str, *, on: dt.date | str
) -> list[RowChange]:
    """A welcoming committee's new status (none, forming, active, paused) from a date.

    The date becomes the row's ``source_date``; the store's history keeps each change, so the
    dates of every status a committee had can be read back.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> city = example_city()
    >>> committee = city.tables["committees"]["committee_id"].iloc[0]
    >>> set_committee_status(city, committee, "paused", on="2026-11-30")[0].after["status"]
    'paused'
    """
    return change(city, "committees", committee_id, {"status": status, "source_date": _day(on)})


def inverse(changes: Sequence[RowChange]) -> list[RowChange]:
    """The changes that undo ``changes`` (in reverse order).

    Examples
    --------
    >>> inverse([RowChange("ties", "k", None, {"_retired": None})])[0].kind
    'deleted'
    """
    return [RowChange(c.table, c.key, c.after, c.before) for c in reversed(changes)]


def net_changes(changes: Iterable[RowChange]) -> list[RowChange]:
    """Successive changes of the same rows folded into one per row (first before, last after).

    A row added and then deleted again drops out.

    Examples
    --------
    >>> a = RowChange("ties", "k", None, {"strength": 1, "_retired": None})
    >>> b = RowChange("ties", "k", a.after, {"strength": 2, "_retired": None})
    >>> [(c.kind, c.after["strength"]) for c in net_changes([a, b])]
    [('added', 2)]
    """
    folded: dict[tuple[str, str], RowChange] = {}
    for c in changes:
        first = folded.get((c.table, c.key))
        folded[(c.table, c.key)] = (
            c if first is None else RowChange(c.table, c.key, first.before, c.after)
        )
    return [c for c in folded.values() if c.before != c.after]


def _frame_row(table: str, frame: pd.DataFrame, row: Mapping[str, Any], keep_retired: bool) -> dict:
    out = {c: row.get(c) for c in frame.columns if c != RETIRED}
    if keep_retired:
        out[RETIRED] = row.get(RETIRED)
    return out


def apply_to_tables(
    tables: Mapping[str, pd.DataFrame], changes: Iterable[RowChange], *, keep_retired: bool = False
) -> dict[str, pd.DataFrame]:
    """The tables with the changes applied (inputs unchanged).

    Changed rows keep their place; added rows go last. A retired row leaves its table unless
    ``keep_retired`` (then the table holds a ``_retired`` column).

    Examples
    --------
    >>> frame = pd.DataFrame({"org_id": ["a"], "name": ["A"]})
    >>> after = plain_row("organizations", {"org_id": "a", "name": "B"})
    >>> before = plain_row("organizations", {"org_id": "a", "name": "A"})
    >>> apply_to_tables({"organizations": frame},
    ...     [RowChange("organizations", "a", before, after)])["organizations"]["name"].tolist()
    ['B']
    """
    by_table: dict[str, list[RowChange]] = {}
    for c in changes:
        by_table.setdefault(c.table, []).append(c)
    out = dict(tables)
    for table, table_changes in by_table.items():
        frame = tables[table]
        if keep_retired and RETIRED not in frame.columns:
            frame = frame.copy()
            frame[RETIRED] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        positions = {k: i for i, k in enumerate(keys_of(table, frame))}
        rows: dict[int, dict | None] = {}
        added: dict[str, dict] = {}
        for c in table_changes:
            shown = c.after is not None and (keep_retired or not c.after.get(RETIRED))
            if c.key in added:
                if shown:
                    added[c.key] = _frame_row(table, frame, c.after, keep_retired)  # type: ignore[arg-type]
                else:
                    del added[c.key]
            elif c.key in positions:
                rows[positions[c.key]] = (
                    _frame_row(table, frame, c.after, keep_retired) if shown else None  # type: ignore[arg-type]
                )
            elif shown:
                added[c.key] = _frame_row(table, frame, c.after, keep_retired)  # type: ignore[arg-type]
        if not rows and not added:
            continue
        records: list[dict | None] | None = list(frame.to_dict("records")) if rows else None
        if records is not None:
            for position, row in rows.items():
                records[position] = row
            kept = [r for r in records if r is not None]
            frame = pd.DataFrame(kept + list(added.values()), columns=frame.columns)
        else:
            extra = pd.DataFrame(list(added.values()), columns=frame.columns)
            frame = pd.concat([frame, extra], ignore_index=True) if len(frame) else extra
        list_columns = [
            c.name for c in schema.TABLES[table] if c.type == "list" and c.name in frame.columns
        ]
        for name in list_columns:
            frame[name] = frame[name].astype(object)
        out[table] = frame.reset_index(drop=True)
    return out


def apply_changes(city: CityData, changes: Iterable[RowChange]) -> CityData:
    """The city with the changes applied; retired rows leave it (input unchanged).

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> city = example_city()
    >>> after = apply_changes(city, retire(city, "organizations", "lonely", reason="closed",
    ...                                    on="2026-11-30"))
    >>> "lonely" in set(after.tables["organizations"]["org_id"])
    False
    """
    return CityData(
        name=city.name,
        tables=apply_to_tables(city.tables, changes),
        boundaries=city.boundaries,
        metric_crs=city.metric_crs,
        meta=dict(city.meta),
    )


# What a change did to a record, as a whole template (the record's name fills it).
VERBS = {
    "added": N_("Added {record}"),
    "changed": N_("Changed {record}: {fields}"),
    "retired": N_("Retired {record}"),
    "restored": N_("Brought back {record}"),
    "deleted": N_("Removed {record}"),
}


def describe(changes: Sequence[RowChange], names: Mapping[str, str] | None = None) -> str:
    """A few words for the history: what the first change did, and how many more there are.

    Examples
    --------
    >>> describe([RowChange("organizations", "lonely",
    ...     {"name": "Lonely Shop", "services": [], "_retired": None},
    ...     {"name": "Lonely Shop", "services": ["health"], "_retired": None})])
    'Changed Lonely Shop: services'
    """
    if not changes:
        return _("No change")
    names = names or {}
    first = changes[0]
    row = first.after or first.before or {}
    if first.table == "ties":
        source, target = (
            names.get(str(row.get(e)), str(row.get(e))) for e in ("source_id", "target_id")
        )
        label = f"{str(row.get('tie_type', 'tie')).replace('_', ' ')} {source} – {target}"
    else:
        label = str(row.get("alias") if first.table == "navigators" else row.get("name"))
    fields = ", ".join(f for f in first.fields if f != RETIRED) if first.kind == "changed" else ""
    text = _(VERBS[first.kind]).format(record=label, fields=fields)
    more = len(changes) - 1
    if more:
        text = ngettext(
            "{change} (and {count} more row)", "{change} (and {count} more rows)", more
        ).format(change=text, count=more)
    return text
