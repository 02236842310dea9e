"""Read a city folder's raw files (CSV, workbook, city.toml) into raw string tables."""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import itertools
import logging
import os
import re
import stat
import tomllib
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import schema
from ..errors import Problem
from ..i18n import _, fmt_number
from . import limits

log = logging.getLogger(__name__)


class RawTable:
    """A table as read from a file: header-normalised columns and raw string cells.

    The cells are kept a column at a time (``cells``: column name -> one string per row), which
    is how they are checked; ``rows`` gives them a row at a time. Surrounding spaces may still
    be there: they are stripped when the cells are typed. Give either ``rows`` (one dict
    per row, a missing key being an empty cell) or ``cells``. When a header names a column twice,
    its last column's cells are kept, as in a row dict.

    Examples
    --------
    >>> t = RawTable("t.csv", ["a", "b"], [{"a": "1", "b": "2"}, {"a": "3"}], [2, 3])
    >>> t.cells, t.rows[1]
    ({'a': ['1', '3'], 'b': ['2', '']}, {'a': '3', 'b': ''})
    """

    __slots__ = ("cells", "columns", "file", "row_numbers")

    def __init__(
        self,
        file: str,
        columns: list[str],
        rows: list[dict[str, str]] | None = None,
        row_numbers: list[int] | None = None,
        *,
        cells: Mapping[str, Sequence[str]] | None = None,
    ):
        self.file = file
        self.columns = columns
        self.row_numbers = list(row_numbers or [])
        if cells is None:
            rows = rows or []
            cells = {name: [row.get(name, "") for row in rows] for name in dict.fromkeys(columns)}
        self.cells = cells

    @property
    def rows(self) -> list[dict[str, str]]:
        """The cells a row at a time: one dict per row, keyed by column."""
        names = list(self.cells)
        return [
            dict(zip(names, values, strict=True))
            for values in zip(*self.cells.values(), strict=True)
        ]

    def column(self, name: str) -> Sequence[str]:
        """One column's cells (empty strings when the table has no such column)."""
        found = self.cells.get(name)
        return found if found is not None else [""] * len(self.row_numbers)

    def __repr__(self) -> str:
        return f"RawTable({self.file!r}, {self.columns!r}, {len(self.row_numbers)} rows)"


def _normalise_header(name: Any) -> str:
    return re.sub(r"\s+", "_", str(name or "").strip().lstrip("\ufeff").lower())


def file_problem(path: Path, limit: int = limits.MAX_FILE_BYTES) -> Problem | None:
    """Why a file cannot be read safely (not a regular file, too large), or None.

    Only regular files are read: a folder, a pipe (which would never end), a device or a link to
    one is refused, and the size is checked with :func:`os.stat` before anything is read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file_problem(pathlib.Path(tempfile.mkdtemp())).message[:20]
    'This is a folder, no'
    """
    file = path.name
    try:
        info = os.stat(path)  # follows links: a link to a device is a device
    except OSError as exc:
        return Problem(
            file,
            _("Cannot read the file ({error}). Check that it exists and is readable.").format(
                error=exc.strerror
            ),
        )
    if stat.S_ISDIR(info.st_mode):
        return Problem(
            file,
            _("This is a folder, not a file. Put the file itself here (see data/template/)."),
        )
    if not stat.S_ISREG(info.st_mode):
        return Problem(
            file,
            _(
                "This is not an ordinary file (it is a device, pipe or socket, or a link to "
                "one). Put a copy of the file itself here."
            ),
        )
    if info.st_size > limit:
        return Problem(
            file,
            _("The file is larger than {size}; split it or remove unused columns and rows.").format(
                size=_size_text(limit)
            ),
        )
    return None


def _size_text(limit: int) -> str:
    if limit >= 2**20:
        return f"{limit // 2**20} MB"
    return f"{limit // 1024} KB" if limit >= 1024 else f"{limit} bytes"


def read_file_bytes(
    path: Path, limit: int = limits.MAX_FILE_BYTES
) -> tuple[bytes | None, Problem | None]:
    """The bytes of a regular file of at most ``limit`` bytes, or None and the problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"; _ = p.write_bytes(b"abc")
    >>> read_file_bytes(p), read_file_bytes(p, limit=2)[1].message[:31]
    ((b'abc', None), 'The file is larger than 2 bytes')
    """
    problem = file_problem(path, limit)
    if problem is not None:
        return None, problem
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)  # never more, even if the file grows meanwhile
    except OSError as exc:
        return None, Problem(
            path.name,
            _("Cannot read the file ({error}). Check that it exists and is readable.").format(
                error=exc.strerror
            ),
        )
    if len(data) > limit:
        return None, Problem(
            path.name,
            _("The file is larger than {size}; split it or remove unused columns and rows.").format(
                size=_size_text(limit)
            ),
        )
    return data, None


_KNOWN_COLUMNS = frozenset(c.name for columns in schema.TABLES.values() for c in columns)


def _header_index(records: list[list[Any]]) -> int:
    """Where the header row is: 0, or the first of the next rows that holds column names.

    A title or a note above the header is common in spreadsheets; the header is the first row
    with two or more known column names when the first row holds none.
    """

    def known(record: list[Any]) -> int:
        return sum(_normalise_header(cell) in _KNOWN_COLUMNS for cell in record)

    if not records or known(records[0]):
        return 0
    for index, record in enumerate(records[1 : limits.HEADER_SEARCH_ROWS], start=1):
        if known(record) >= 2:
            return index
    return 0


def _header_problem(file: str, index: int) -> Problem:
    message = (
        _(
            "The header seems to be on row {row}: row 1 holds something else (a title?). "
            "Delete the rows above the header so that the column names are on row 1."
        )
        if index == 1
        else _(
            "The header seems to be on row {row}: rows 1-{last} hold something else (a "
            "title?). Delete the rows above the header so that the column names are on row 1."
        )
    )
    return Problem(file, message.format(row=index + 1, last=index), row=index + 1)


def _too_many_rows(file: str) -> Problem:
    return Problem(
        file,
        _(
            "The table has more than {limit} rows. Remove empty or unused rows (or split the "
            "city), then try again."
        ).format(limit=fmt_number(limits.MAX_ROWS)),
    )


def _too_many_columns(file: str, count: int) -> Problem:
    return Problem(
        file,
        _(
            "The table has {count} columns, more than {limit}. Remove unused columns (see "
            "data/template/ for the expected ones)."
        ).format(count=fmt_number(count), limit=limits.MAX_COLUMNS),
    )


def decode_text(data: bytes, file: str, problems: list[Problem]) -> str | None:
    """A text file's bytes as text: UTF-8 (with or without a BOM), else Windows-1252.

    Spreadsheet programs on Windows still save CSV as Windows-1252: read it, with a warning
    about the accents; anything else is an error (None). Problems are appended to ``problems``.

    Examples
    --------
    >>> found = []
    >>> decode_text("Café".encode("cp1252"), "t.csv", found), found[0].severity
    ('Café', 'warning')
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        problems.append(
            Problem(
                file,
                _(
                    "The file is neither UTF-8 nor Windows-1252 text. Save it from your "
                    "spreadsheet program as 'CSV UTF-8'."
                ),
            )
        )
        return None
    problems.append(
        Problem(
            file,
            _(
                "The file is not UTF-8; it was read as Windows-1252. Accents may be wrong: save "
                "it as 'CSV UTF-8' to be sure."
            ),
            severity="warning",
        )
    )
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
    data, problem = read_file_bytes(path)
    if data is None:
        return None, [problem] if problem else []
    text = decode_text(data, file, problems)
    if text is None:
        return None, problems
    if "\x00" in text:
        return None, [
            *problems,
            Problem(
                file,
                _(
                    "The file holds binary data (is it UTF-16 or a renamed spreadsheet?). Save "
                    "it as 'CSV UTF-8'."
                ),
            ),
        ]
    if not text.strip():
        return None, [
            *problems,
            Problem(
                file,
                _(
                    "The file is empty: it needs at least a header row (copy it from "
                    "data/template/)."
                ),
            ),
        ]
    first_lines = text[:65536].splitlines()[: limits.HEADER_SEARCH_ROWS]
    delimiter = max(
        [",", ";", "\t"], key=lambda d: max(line.count(d) for line in first_lines or [""])
    )
    if delimiter != ",":
        log.info("%s: reading with delimiter %r", file, delimiter)
    try:
        reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        records = list(itertools.islice(reader, limits.MAX_ROWS + limits.HEADER_SEARCH_ROWS + 1))
        if next(reader, None) is not None:
            return None, [*problems, _too_many_rows(file)]
    except csv.Error as exc:
        return None, [
            *problems,
            Problem(
                file,
                _(
                    "The file cannot be parsed as CSV ({problem}). It may be truncated or have "
                    "a quote that is never closed."
                ).format(problem=exc),
            ),
        ]
    header_at = _header_index(records)
    if header_at:
        problems.append(_header_problem(file, header_at))
    if len(records[header_at]) > limits.MAX_COLUMNS:
        return None, [*problems, _too_many_columns(file, len(records[header_at]))]
    columns = [_normalise_header(h) for h in records[header_at]]
    width = len(columns)
    kept: list[list[str]] = []
    numbers: list[int] = []
    for index, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        # A row is checked cell by cell only when it is blank or has the wrong width.
        if len(record) == width and "".join(record).strip():
            if len(kept) >= limits.MAX_ROWS:
                return None, [*problems, _too_many_rows(file)]
            kept.append(record)
            numbers.append(index)
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(kept) >= limits.MAX_ROWS:
            return None, [*problems, _too_many_rows(file)]
        problems.append(
            Problem(
                file,
                _(
                    "This row has {count} values but the header has {width}. The file may be "
                    "truncated, or a value holds the delimiter without quotes."
                ).format(count=len(record), width=width),
                row=index,
                value=delimiter.join(record)[:80],
            )
        )
    # Columns a header names twice keep their last column, as a row dict would.
    # Cells are stripped when they are typed (each distinct text once), not here.
    position = {name: i for i, name in enumerate(columns)}
    by_column = list(zip(*kept, strict=True)) if kept else [() for _ in columns]
    cells = {name: by_column[position[name]] for name in position}
    return RawTable(file, columns, row_numbers=numbers, cells=cells), problems


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
    data, problem = read_file_bytes(path)
    if data is None:
        return {}, [problem] if problem else []
    unzipped = _unzipped_size(data)
    if unzipped is not None and unzipped > limits.MAX_UNZIPPED_WORKBOOK_BYTES:
        return {}, [
            Problem(
                file,
                _(
                    "The workbook unpacks to more than {size}; remove unused sheets, rows and "
                    "formatting, or save each table as CSV."
                ).format(size=_size_text(limits.MAX_UNZIPPED_WORKBOOK_BYTES)),
            )
        ]
    try:
        workbook = load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        return {}, [
            Problem(
                file,
                _(
                    "Cannot open the workbook ({error}). Is it a complete .xlsx file? Re-save "
                    "it from your spreadsheet program."
                ).format(error=f"{type(exc).__name__}: {str(exc)[:160]}"),
            )
        ]
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    try:
        for sheet in workbook.worksheets:
            table = str(sheet.title).strip().lower().removesuffix(".csv")
            if table not in schema.TABLES or table in tables:
                continue
            where = f"{file}[{sheet.title}]"
            try:
                raw, found = _read_sheet(sheet, where)
            except Exception as exc:
                found = [
                    Problem(
                        where,
                        _(
                            "Cannot read this sheet ({error}). The workbook may be damaged: "
                            "re-save it from your spreadsheet program, or save the table as CSV."
                        ).format(error=f"{type(exc).__name__}: {str(exc)[:160]}"),
                    )
                ]
                raw = None
            problems.extend(found)
            if raw is not None:
                tables[table] = raw
    except Exception as exc:
        problems.append(
            Problem(
                file,
                _(
                    "Cannot read the workbook ({error}). Re-save it from your spreadsheet program."
                ).format(error=f"{type(exc).__name__}: {str(exc)[:160]}"),
            )
        )
    finally:
        workbook.close()
    return tables, problems


def _unzipped_size(data: bytes) -> int | None:
    """The total unpacked size an .xlsx (a zip) declares, or None when it is not a zip."""
    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _read_sheet(sheet: Any, where: str) -> tuple[RawTable | None, list[Problem]]:
    """One sheet's rows, bounded before they are parsed: a sheet that declares (or holds) more
    rows or columns than the limits is refused without reading them all."""
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    if declared_rows is not None and declared_rows > limits.MAX_ROWS + limits.HEADER_SEARCH_ROWS:
        return None, [
            Problem(
                where,
                _(
                    "The sheet declares {count} rows, more than {limit}. Delete the unused rows "
                    "below the table (select them, Delete Rows), or save the table as CSV."
                ).format(count=fmt_number(declared_rows), limit=fmt_number(limits.MAX_ROWS)),
            )
        ]
    if declared_columns is not None and declared_columns > limits.MAX_COLUMNS:
        return None, [_too_many_columns(where, declared_columns)]
    last_row = limits.MAX_ROWS + limits.HEADER_SEARCH_ROWS + 1
    width = min(declared_columns or limits.MAX_COLUMNS, limits.MAX_COLUMNS)
    rows_iter = sheet.iter_rows(min_row=1, max_row=last_row, max_col=width, values_only=True)
    # Only rows with a value are converted: a sheet may hold (or declare) long runs of empty
    # rows, which cost one quick test each.
    numbered: list[tuple[int, list[str]]] = []
    count = 0
    for count, values in enumerate(rows_iter, start=1):
        if any(v is not None for v in values):
            cells = [_cell_text(v) for v in values]
            if any(cells):
                numbered.append((count, cells))
    if count >= last_row:
        return None, [_too_many_rows(where)]
    problems: list[Problem] = []
    header_at = _header_index([cells for _, cells in numbered])
    if header_at:
        problems.append(_header_problem(where, numbered[header_at][0] - 1))
    columns = [_normalise_header(h) for h in (numbered[header_at][1] if numbered else [])]
    while columns and not columns[-1]:
        columns.pop()
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for number, values in numbered[header_at + 1 :]:
        cells = values[: len(columns)]
        if not any(cells):
            continue
        if len(rows) >= limits.MAX_ROWS:
            return None, [*problems, _too_many_rows(where)]
        cells += [""] * (len(columns) - len(cells))
        rows.append(dict(zip(columns, cells, strict=False)))
        numbers.append(number)
    return RawTable(where, columns, rows, numbers), problems


def _read_city_toml(folder: Path, problems: list[Problem]) -> dict:
    path = folder / schema.CITY_FILE
    if not path.exists() and not path.is_symlink():
        problems.append(
            Problem(
                schema.CITY_FILE,
                _(
                    "No city.toml: the folder name is used as the city's name. Copy "
                    "data/template/city.toml to set it."
                ),
                severity="warning",
            )
        )
        return {}
    data, problem = read_file_bytes(path, limits.MAX_TOML_BYTES)
    if data is None:
        problems.append(problem or Problem(schema.CITY_FILE, _("Cannot read city.toml.")))
        return {}
    try:
        config = tomllib.loads(data.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(
            Problem(
                schema.CITY_FILE,
                _(
                    "Cannot parse city.toml ({error}). Lines look like: "
                    'name = "Hartford, Connecticut"'
                ).format(error=str(exc)[:160]),
            )
        )
        return {}
    except RecursionError:
        problems.append(
            Problem(
                schema.CITY_FILE,
                _(
                    "city.toml is nested too deeply to read. It holds a few plain settings: copy "
                    "data/template/city.toml."
                ),
            )
        )
        return {}
    for key in ("name", "metric_crs", "boundary_name_field"):
        if key in config and not isinstance(config[key], str):
            problems.append(
                Problem(
                    schema.CITY_FILE,
                    _(
                        '{key} must be text in quotes, e.g. {key} = "..." '
                        "(see data/template/city.toml)."
                    ).format(key=key),
                    column=key,
                    value=str(config[key])[:80],
                )
            )
            config = {k: v for k, v in config.items() if k != key}
    return config


def _read_tables(folder: Path, problems: list[Problem]) -> dict[str, RawTable]:
    csv_paths = {t: folder / f"{t}.csv" for t in schema.TABLES}
    present = {t: p for t, p in csv_paths.items() if p.exists() or p.is_symlink()}
    workbook = folder / schema.WORKBOOK_FILE
    tables: dict[str, RawTable] = {}
    if workbook.exists() and not present:
        tables, found = read_workbook(workbook)
        problems.extend(found)
    else:
        if workbook.exists():
            problems.append(
                Problem(
                    schema.WORKBOOK_FILE,
                    _(
                        "Both CSV files and a workbook are present; the CSV files were read and "
                        "the workbook ignored."
                    ),
                    severity="warning",
                )
            )
        for table, path in present.items():
            raw, found = read_csv_table(path)
            problems.extend(found)
            if raw is not None:
                tables[table] = raw
    for table in schema.TABLES:
        if table in tables or table in schema.OPTIONAL_TABLES:
            continue
        if workbook.exists() and not present:
            missing = _(
                "Missing table: add a sheet named '{table}' in {workbook} (copy it from "
                "data/template/ and fill it in)."
            ).format(table=table, workbook=schema.WORKBOOK_FILE)
        else:
            missing = _(
                "Missing table: add {file} (copy it from data/template/ and fill it in)."
            ).format(file=f"{table}.csv")
        if not any(p.file.startswith(table) for p in problems):
            problems.append(Problem(f"{table}.csv", missing))
    return tables
