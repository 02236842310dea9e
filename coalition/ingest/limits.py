"""The bounds a city folder must keep: files, rows, columns and numbers.

They keep validation fast and bounded on hostile input (a huge or endless file, a workbook that
declares millions of rows) and make sure that what validates also fits the store (SQLite holds
whole numbers up to 2**63 - 1). Each limit is far above what a real city needs; see
``docs/data-format.md`` ("Limits").

Examples
--------
>>> MAX_ROWS >= 100_000 and MAX_COUNT < 2**63
True
"""

from __future__ import annotations

from .. import settings

# A table or workbook file larger than this is refused before it is read.
MAX_FILE_BYTES = settings.MAX_UPLOAD_BYTES
# city.toml holds a few settings.
MAX_TOML_BYTES = 1024 * 1024
# Rows per table (the tool is measured at 10,000 organizations and 100,000 ties).
MAX_ROWS = 200_000
# Columns per table (the widest table has 15).
MAX_COLUMNS = 200
# Rows above the header that may hold a title: looked at to recognise a misplaced header.
HEADER_SEARCH_ROWS = 10
# Whole numbers (people, residents, strength): 0 to this. No city has a billion residents, and
# SQLite's INTEGER holds them all.
MAX_COUNT = 1_000_000_000
# Decimal numbers other than coordinates (margins of error): 0 to this.
MAX_DECIMAL = float(MAX_COUNT)
# Ranges of coordinates in degrees (WGS84).
LATITUDE = (-90.0, 90.0)
LONGITUDE = (-180.0, 180.0)
# A workbook (a zip) whose parts unpack to more than this is refused before it is parsed.
MAX_UNZIPPED_WORKBOOK_BYTES = 4 * MAX_FILE_BYTES
