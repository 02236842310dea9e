"""Type the raw cells of a table: every value converted or reported with how to fix it."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .. import schema
from ..errors import Problem
from ..i18n import _, fmt_number
from ..names import did_you_mean
from . import limits
from .files import RawTable

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
_DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_TRUE = {"yes", "y", "true", "t", "1", "x"}
_FALSE = {"no", "n", "false", "f", "0", ""}


def _description(column: schema.Column) -> str:
    """A column's description in the language in use (as written when it has no translation)."""
    return _(column.description) if column.description else ""


class _CellError(ValueError):
    """A cell's value is not acceptable; the message says how to fix it."""


_INT_TEXT = re.compile(r"^[+-]?\d+(\.0*)?$")


def _to_int(text: str) -> int:
    cleaned = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
    if len(cleaned) > 40:  # far beyond any count; float() of it would only lose digits
        raise _CellError(
            _("Too large: at most {limit}.").format(limit=fmt_number(limits.MAX_COUNT))
        )
    if _INT_TEXT.match(cleaned):
        number: float | int = int(cleaned.split(".")[0])
    else:
        try:
            number = float(cleaned)
        except ValueError:
            raise _CellError(_("Not a whole number; write digits only, e.g. 1200.")) from None
        if not math.isfinite(number) or not number.is_integer():
            raise _CellError(_("Not a whole number; write digits only, e.g. 1200."))
    if number < 0:
        raise _CellError(_("Cannot be negative: must be 0 or more."))
    if number > limits.MAX_COUNT:
        raise _CellError(
            _("Too large: at most {limit}. Is a digit repeated, or two cells run together?").format(
                limit=fmt_number(limits.MAX_COUNT)
            )
        )
    return int(number)


# Decimal columns with a range other than 0..MAX_DECIMAL.
_FLOAT_RANGES = {"lat": limits.LATITUDE, "lon": limits.LONGITUDE}


def _to_float(text: str, name: str = "") -> float:
    try:
        number = float(text.replace(",", "") if text.count(".") else text.replace(",", "."))
    except ValueError:
        raise _CellError(_("Not a number; write e.g. 41.7658 (a dot for decimals).")) from None
    if not math.isfinite(number):
        raise _CellError(_("Not a finite number."))
    low, high = _FLOAT_RANGES.get(name, (0.0, limits.MAX_DECIMAL))
    if number < 0 and low == 0 and name.endswith("_moe"):
        raise _CellError(
            _(
                "A margin of error cannot be negative. Census tables write codes such as "
                "-555555555 where a margin does not apply: leave the cell blank then."
            )
        )
    if number < 0 and low == 0:
        raise _CellError(_("Cannot be negative: must be 0 or more."))
    if not low <= number <= high:
        bounds = {"low": f"{low:g}", "high": f"{high:,.0f}"}
        if name == "lat":
            message = _("A latitude must be between {low} and {high}.")
        elif name == "lon":
            message = _("A longitude must be between {low} and {high}.")
        else:
            message = _("The value must be between {low} and {high}.")
        raise _CellError(message.format(**bounds))
    return number


def _to_date(text: str) -> str:
    match = _DATE_PATTERN.match(text)
    if not match:
        raise _CellError(_("Not a date; write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2014-09)."))
    year = int(match.group(1))  # the pattern requires the year
    month, day = (int(g) if g else None for g in match.groups()[1:])
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise _CellError(_("No such date; write YYYY-MM-DD, YYYY-MM or YYYY.")) from None
    if not 1800 <= year <= dt.date.today().year + 10:
        raise _CellError(_("The year {year} is out of range.").format(year=year))
    return "-".join([f"{year:04d}"] + [f"{v:02d}" for v in (month, day) if v])


def _to_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _CellError(_("Write yes or no."))


def _normalise_language(item: str) -> str:
    return item if any(c.isupper() for c in item) else item.title()


def _to_list(text: str, column: schema.Column) -> list[str]:
    separator = schema.LIST_SEPARATOR if schema.LIST_SEPARATOR in text else ","
    items = [item.strip() for item in text.split(separator) if item.strip()]
    if column.choices:
        out = []
        for item in items:
            value = item.lower().replace(" ", "_")
            if value not in column.choices:
                raise _CellError(
                    _('"{item}" is not one of: {choices}.').format(
                        item=item, choices=", ".join(column.choices)
                    )
                    + did_you_mean(item, column.choices)
                )
            out.append(value)
        return list(dict.fromkeys(out))
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.casefold(), _normalise_language(item))
    return list(seen.values())


def _to_choice(text: str, column: schema.Column) -> str:
    value = text.lower().replace(" ", "_").replace("-", "_")
    if value not in column.choices:
        raise _CellError(
            _("Must be one of: {choices}.").format(choices=", ".join(column.choices))
            + did_you_mean(text, column.choices)
        )
    return value


def _to_id(text: str) -> str:
    if not _ID_PATTERN.match(text):
        raise _CellError(
            _("Ids may hold letters, digits and - _ . : only (no spaces), e.g. asylum-hill.")
        )
    return text


def _convert(text: str, column: schema.Column) -> Any:
    kind = column.type
    if kind == "id":
        return _to_id(text)
    if kind == "int":
        return _to_int(text)
    if kind == "float":
        return _to_float(text, column.name)
    if kind == "date":
        return _to_date(text)
    if kind == "bool":
        return _to_bool(text)
    if kind == "list":
        return _to_list(text, column)
    if kind == "choice":
        return _to_choice(text, column)
    return text  # text, ref, neighborhood: resolved later


def _type_table(table: str, raw: RawTable, problems: list[Problem]) -> pd.DataFrame:
    """Check columns and convert every cell; rows with an error are dropped (and reported)."""
    columns = schema.TABLES[table]
    names = [c.name for c in columns]
    present = set(raw.columns)
    missing = [c for c in columns if c.required and c.name not in present]
    unknown = [c for c in raw.columns if c and c not in names]
    for column in missing:
        hint = did_you_mean(column.name, unknown) if unknown else ""
        problems.append(
            Problem(
                raw.file,
                _("Missing required column '{column}' ({description}).").format(
                    column=column.name, description=_description(column)
                )
                + hint,
                column=column.name,
            )
        )
    for name in unknown:
        if not did_you_mean(name, [c.name for c in missing]):
            problems.append(
                Problem(
                    raw.file,
                    _("Unknown column '{column}' is ignored.").format(column=name)
                    + did_you_mean(name, names),
                    column=name,
                    severity="warning",
                )
            )
    duplicated = {c for c in raw.columns if c and raw.columns.count(c) > 1}
    for name in sorted(duplicated):
        problems.append(
            Problem(
                raw.file,
                _("The column '{column}' appears twice; keep one.").format(column=name),
                column=name,
            )
        )
    missing_names = {c.name for c in missing}

    # Rows with a bad cell are kept (the cell set to None) so that cross-table checks still see
    # their ids: one typo must not cascade into "unknown id" errors elsewhere.
    # Each column is checked at once, and each distinct text in it converted once; the cells'
    # problems are then put back in the order of a reading row by row.
    numbers = raw.row_numbers
    data: dict[str, Any] = {"_row": list(numbers)}
    found: list[tuple[int, int, Problem]] = []
    for place, column in enumerate(columns):
        data[column.name] = _type_column(
            raw.column(column.name),
            column,
            column.blank_allowed or column.name in missing_names,
            raw.file,
            numbers,
            place,
            found,
        )
    found.sort(key=lambda item: item[:2])
    problems.extend(problem for _, _, problem in found)
    if not numbers:  # no rows: columns of no type (object), as pandas makes of no records
        return pd.DataFrame([], columns=["_row", *names])
    return pd.DataFrame(data, columns=["_row", *names])


_PLAIN_TYPES = frozenset({"text", "ref", "neighborhood"})


def _type_column(
    texts: Sequence[str],
    column: schema.Column,
    blank_ok: bool,
    file: str,
    numbers: list[int],
    place: int,
    found: list[tuple[int, int, Problem]],
) -> list[Any]:
    """One column's typed values; each bad cell adds ``(row position, place, Problem)``."""
    is_list = column.type == "list"
    failed: Any = [] if is_list else None
    blank = column.blank_value
    required = (
        None
        if blank_ok
        else _("'{column}' is required ({description})").format(
            column=column.name, description=_description(column)
        )
    )
    plain = column.type in _PLAIN_TYPES
    # Each distinct text is stripped and converted once: its typed value, and the message of
    # its problem (None when it is fine).
    value_of: dict[str, Any] = {}
    message_of: dict[str, str] = {}
    unchanged = plain  # a column of plain texts that are all non-blank and already stripped
    for text in set(texts):
        stripped = text.strip()
        if not stripped:
            value_of[text] = blank
            unchanged = False
            if required is not None:
                message_of[text] = required
        elif plain:
            value_of[text] = stripped
            unchanged = unchanged and stripped == text
        else:
            try:
                value_of[text] = _convert(stripped, column)
            except _CellError as exc:
                value_of[text] = failed
                message_of[text] = str(exc)
    if unchanged:
        return list(texts)
    values = list(map(value_of.__getitem__, texts))
    if message_of:
        for position, text in enumerate(texts):
            message = message_of.get(text)
            if message is None:
                continue
            stripped = text.strip()
            if stripped:
                problem = Problem(
                    file, message, row=numbers[position], column=column.name, value=stripped
                )
            else:
                problem = Problem(file, message, row=numbers[position], column=column.name)
            found.append((position, place, problem))
    if is_list:  # every cell its own list, as if converted alone
        values = [list(value) for value in values]
    return values
