"""Read and validate a city data folder, reporting every problem at once.

A city is a folder (see ``docs/data-format.md``): ``city.toml``, one CSV per table (or one
``city.xlsx`` workbook with a sheet per table) and a neighborhoods boundary file. Nothing is
trusted: every file is decoded, parsed, typed and cross-checked before a
:class:`~coalition.model.CityData` is returned, and any problem is reported with the file, row,
column, the bad value and how to fix it.

Examples
--------
>>> from coalition.ingest import validate_city
>>> report = validate_city("data/hartford")  # doctest: +SKIP
>>> report.ok, len(report.warnings)  # doctest: +SKIP
(True, 0)
"""

from .files import RawTable, read_csv_table, read_workbook
from .records import EDITABLE_TABLES, add_records, cell_text, text_tables
from .validate import ValidationReport, read_city, validate_city

__all__ = [
    "EDITABLE_TABLES",
    "RawTable",
    "ValidationReport",
    "add_records",
    "cell_text",
    "read_city",
    "read_csv_table",
    "read_workbook",
    "text_tables",
    "validate_city",
]
