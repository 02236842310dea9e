"""A city's tables as spreadsheet cells, and rows recorded in a working session."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import schema
from ..errors import DataError, Problem, ValidationError
from ..i18n import _
from ..model import CityData
from ..names import NameMatcher
from .cells import _type_table
from .checks import _check_ids, _check_ties, _resolve_neighborhoods, _tie_key
from .figures import check_figures
from .files import RawTable, _normalise_header
from .forbidden import people_files, redact_problems, screen_table


def cell_text(value: Any, column: schema.Column | None = None) -> str | int | float:
    """A table value as a spreadsheet cell: lists joined by ';', booleans yes/no, missing empty.

    Examples
    --------
    >>> cell_text(["English", "Spanish"]), cell_text(True), cell_text(None)
    ('English;Spanish', 'yes', '')
    """
    if isinstance(value, (list, tuple)):
        return schema.LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if (
        isinstance(value, float)
        and value.is_integer()
        and column is not None
        and column.type == "int"
    ):
        return int(value)
    return value


def text_tables(city: CityData) -> dict[str, pd.DataFrame]:
    """The city's tables as the cells of its data folder (schema column order).

    Neighborhood references are written as names, as a convener would type them.
    """
    names = dict(
        zip(
            city.tables["neighborhoods"]["neighborhood_id"],
            city.tables["neighborhoods"]["name"],
            strict=False,
        )
    )
    out = {}
    for table, columns in schema.TABLES.items():
        frame = city.tables.get(table, pd.DataFrame(columns=[c.name for c in columns]))
        rows = []
        for record in frame.to_dict("records"):
            row = {}
            for column in columns:
                value = record.get(column.name)
                if column.type == "neighborhood" and value in names:
                    value = names[value]
                row[column.name] = cell_text(value, column)
            rows.append(row)
        out[table] = pd.DataFrame(rows, columns=[c.name for c in columns])
    return out


EDITABLE_TABLES = ("organizations", "communities", "navigators", "committees", "ties")


def add_records(city: CityData, table: str, rows: list[dict[str, Any]]) -> CityData:
    """The city with rows added to one table, checked exactly like a data folder.

    What a convener records in a working session (a new tie, a new organization) passes the
    same checks as a file: ids unique, ties to known ids of the right kinds, neighborhoods
    matched forgivingly, vocabularies, dates, provenance.

    Parameters
    ----------
    city : CityData
        The current city (left unchanged).
    table : str
        One of :data:`EDITABLE_TABLES` (neighborhoods need polygons: load a folder instead).
    rows : list of dict
        Cell texts keyed by column, as in a spreadsheet (lists separated by ';', yes/no).

    Returns
    -------
    CityData
        A new city with the rows appended.

    Raises
    ------
    ValidationError
        Listing every problem of the new rows.
    DataError
        For a table that cannot be edited this way.

    Examples
    --------
    >>> add_records(city, "ties", [{"source_id": "lib", "target_id": "clinic",
    ...     "tie_type": "partnership", "source": "working session", "source_date": "2026-11",
    ...     "illustrative": "no"}])  # doctest: +SKIP
    """
    if table not in EDITABLE_TABLES:
        raise DataError(
            _(
                "Rows can be added to {tables}; '{table}' needs a data folder (coalition init)."
            ).format(tables=", ".join(EDITABLE_TABLES), table=table)
        )
    # The stored city is already valid: only the new rows are typed and checked against it, so
    # recording one tie costs the same in a city of 50 members or of 10,000.
    existing = city.tables[table]
    records = [
        {_normalise_header(k): "" if v is None else str(v).strip() for k, v in row.items()}
        for row in rows
    ]
    columns = list(dict.fromkeys([*schema.column_names(table), *(k for r in records for k in r)]))
    first_row = len(existing) + 2  # as if appended to the table's file
    raw = RawTable(
        f"{table}.csv", columns, records, list(range(first_row, first_row + len(records)))
    )
    raw, problems = screen_table(table, raw)  # a person's details are refused
    typed = _type_table(table, raw, problems)
    files = {name: f"{name}.csv" for name in schema.TABLES}
    known = {}
    for name, id_column in schema.ID_COLUMNS.items():
        kind = schema.KIND_OF_TABLE[name]
        known.update(dict.fromkeys(map(str, city.tables[name][id_column].tolist()), kind))
    kinds = _check_ids({table: typed}, files, problems, known=known)
    neighborhoods = city.tables["neighborhoods"]
    matcher = NameMatcher.from_names(
        zip(neighborhoods["neighborhood_id"], neighborhoods["name"], strict=False)
    )
    _resolve_neighborhoods({table: typed}, files, matcher, problems)
    if table == "ties":
        stored = {
            _tie_key(str(s), str(t), str(k))
            for s, t, k in zip(
                existing["source_id"].tolist(),
                existing["target_id"].tolist(),
                existing["tie_type"].tolist(),
                strict=False,
            )
        }
        typed = _check_ties(typed, files["ties"], kinds, matcher, problems, seen=stored)
        # The checks' own sentence, in the language in use (the checks wrote it in it).
        twice = _("This tie is listed twice; keep one row (the second is ignored).")
        repeated = [p for p in problems if p.message == twice]
        for problem in repeated:
            problems.append(
                Problem(
                    problem.file,
                    _("This tie is already recorded: nothing new to save."),
                    row=problem.row,
                    value=problem.value,
                )
            )
    check_figures({table: typed}, files, problems, neighborhoods=neighborhoods)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(redact_problems(errors, people_files({table: raw})))
    added = typed.drop(columns="_row")
    tables = dict(city.tables)
    tables[table] = (
        pd.concat([existing, added[existing.columns]], ignore_index=True)
        if len(existing)
        else added.reset_index(drop=True)
    )
    return CityData(
        name=city.name,
        tables=tables,
        boundaries=city.boundaries,
        metric_crs=city.metric_crs,
        meta=dict(city.meta),
    )
