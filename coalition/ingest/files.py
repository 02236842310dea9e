"""Read a city folder's raw files (CSV, workbook, city.toml) into raw string tables."""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import schema, settings
from ..errors import Problem

log = logging.getLogger(__name__)

_MISSING_TABLE_HINT = "copy it from data/template/ and fill it in"


@dataclass
class RawTable:
    """A table as read from a file: header-normalised columns and raw string cells."""

    file: str
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]


def _normalise_header(name: Any) -> str:
    return re.sub(r"\s+", "_", str(name or "").strip().lstrip("\ufeff").lower())


def _decode(data: bytes, file: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        problems.append(Problem(file, "The file is neither UTF-8 nor Windows-1252 text. Save it "
                                "from your spreadsheet program as 'CSV UTF-8'."))
        return None
    problems.append(Problem(file, "The file is not UTF-8; it was read as Windows-1252. Accents "
                            "may be wrong: save it as 'CSV UTF-8' to be sure.",
                            severity="warning"))
    return text


def read_csv_table(path: Path) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV file forgivingly (BOM, Windows-1252, ``;`` delimiter), strictly otherwise.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file.

    Returns
    -------
    (RawTable or None, list of Problem)
        The table is None when the file cannot be parsed at all.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"; _ = p.write_text("A;B\\n1;2\\n")
    >>> table, problems = read_csv_table(p)
    >>> table.columns, table.rows, problems
    (['a', 'b'], [{'a': '1', 'b': '2'}], [])
    """
    file = path.name
    problems: list[Problem] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, f"Cannot read the file ({exc.strerror}). Check that it exists "
                              "and is readable.")]
    if len(data) > settings.MAX_UPLOAD_BYTES:
        return None, [Problem(file, f"The file is larger than "
                              f"{settings.MAX_UPLOAD_BYTES // 2**20} MB; split it or remove "
                              "unused columns.")]
    text = _decode(data, file, problems)
    if text is None:
        return None, problems
    if "\x00" in text:
        return None, problems + [Problem(file, "The file holds binary data (is it UTF-16 or a "
                                         "renamed spreadsheet?). Save it as 'CSV UTF-8'.")]
    if not text.strip():
        return None, problems + [Problem(file, "The file is empty: it needs at least a header "
                                         "row (copy it from data/template/).")]
    header_line = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=header_line.count)
    if delimiter != ",":
        log.info("%s: reading with delimiter %r", file, delimiter)
    try:
        records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter,
                                  strict=True))
    except csv.Error as exc:
        return None, problems + [Problem(file, f"The file cannot be parsed as CSV ({exc}). It may "
                                         "be truncated or have a quote that is never closed.")]
    columns = [_normalise_header(h) for h in records[0]]
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            problems.append(Problem(
                file, f"This row has {len(record)} values but the header has {len(columns)}. "
                "The file may be truncated, or a value holds the delimiter without quotes.",
                row=index, value=delimiter.join(record)[:80]))
            continue
        rows.append(dict(zip(columns, (cell.strip() for cell in record))))
        numbers.append(index)
    return RawTable(file, columns, rows, numbers), problems


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(path: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read a ``city.xlsx`` workbook: one sheet per table, named like the CSV files.

    openpyxl parses XML; with ``defusedxml`` installed (a dependency) it refuses XML bombs.
    """
    from openpyxl import (
        load_workbook,  # deferred: only workbook users pay for the import
    )

    file = path.name
    if path.stat().st_size > settings.MAX_UPLOAD_BYTES:
        return {}, [Problem(file, "The workbook is larger than "
                            f"{settings.MAX_UPLOAD_BYTES // 2**20} MB; remove unused sheets.")]
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        return {}, [Problem(file, f"Cannot open the workbook ({type(exc).__name__}: {exc}). Is it "
                            "a complete .xlsx file? Re-save it from your spreadsheet program.")]
    tables: dict[str, RawTable] = {}
    try:
        for sheet in workbook.worksheets:
            table = sheet.title.strip().lower().removesuffix(".csv")
            if table not in schema.TABLES:
                continue
            rows_iter = sheet.iter_rows(values_only=True)
            header = next(rows_iter, None) or ()
            columns = [_normalise_header(h) for h in header]
            while columns and not columns[-1]:
                columns.pop()
            rows, numbers = [], []
            for index, values in enumerate(rows_iter, start=2):
                cells = [_cell_text(v) for v in values][: len(columns)]
                if not any(cells):
                    continue
                cells += [""] * (len(columns) - len(cells))
                rows.append(dict(zip(columns, cells)))
                numbers.append(index)
            tables[table] = RawTable(f"{file}[{sheet.title}]", columns, rows, numbers)
    finally:
        workbook.close()
    return tables, []


def _read_city_toml(folder: Path, problems: list[Problem]) -> dict:
    path = folder / schema.CITY_FILE
    if not path.exists():
        problems.append(Problem(schema.CITY_FILE, "No city.toml: the folder name is used as the "
                                "city's name. Copy data/template/city.toml to set it.",
                                severity="warning"))
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(schema.CITY_FILE, f"Cannot parse city.toml ({exc}). Lines look "
                                'like: name = "Hartford, Connecticut"'))
        return {}


def _read_tables(folder: Path, problems: list[Problem]) -> dict[str, RawTable]:
    csv_paths = {t: folder / f"{t}.csv" for t in schema.TABLES}
    present = {t: p for t, p in csv_paths.items() if p.exists()}
    workbook = folder / schema.WORKBOOK_FILE
    tables: dict[str, RawTable] = {}
    if workbook.exists() and not present:
        tables, found = read_workbook(workbook)
        problems.extend(found)
    else:
        if workbook.exists():
            problems.append(Problem(schema.WORKBOOK_FILE, "Both CSV files and a workbook are "
                                    "present; the CSV files were read and the workbook ignored.",
                                    severity="warning"))
        for table, path in present.items():
            raw, found = read_csv_table(path)
            problems.extend(found)
            if raw is not None:
                tables[table] = raw
    for table in schema.TABLES:
        if table in tables or table in schema.OPTIONAL_TABLES:
            continue
        if workbook.exists() and not present:
            where = f"a sheet named '{table}' in {schema.WORKBOOK_FILE}"
        else:
            where = f"{table}.csv"
        if not any(p.file.startswith(table) for p in problems):
            problems.append(Problem(f"{table}.csv", f"Missing table: add {where} "
                                    f"({_MISSING_TABLE_HINT})."))
    return tables

