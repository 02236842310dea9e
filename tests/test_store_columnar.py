"""The store reads and writes a table a column at a time: the same frames and rows as cell by cell.

The reference below decodes each stored cell on its own (what the store did before); the
columnar read must give the same frame, dtypes included. Writing must store the cells the
per-cell encoding gives, including blanks, missing columns and list cells. On SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import json
import zlib

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from coalition import schema
from coalition.examples import example_city
from coalition.store import _decode_column, _encode_column, open_store


def _fetch(store, query: str) -> list[tuple]:
    """The rows of a query, as the database driver gives them (no decoding by the store)."""
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


def _reference_read(store, name: str) -> pd.DataFrame:
    """One stored table decoded cell by cell (json.loads per list cell, "1" for yes)."""
    columns = schema.TABLES[name]
    rows = _fetch(store, f'SELECT {", ".join(c.name for c in columns)} FROM "{name}" ORDER BY _pos')

    def decode(value, column):
        if column.type == "list":
            return json.loads(value) if value else []
        if column.type == "bool":
            return value == "1"
        return value

    return pd.DataFrame(
        [{c.name: decode(v, c) for c, v in zip(columns, row, strict=True)} for row in rows],
        columns=[c.name for c in columns],
    )


def _awkward_city():
    """The example city with blanks, unicode, a guessed column and a table missing a column."""
    city = example_city()
    organizations = city.tables["organizations"].copy()
    organizations["notes"] = organizations["notes"].astype(object)
    organizations.loc[0, "notes"] = 'Café «Ñandú», 50% off; "quoted" \n new line'
    organizations.loc[1, "services"] = None  # a blank list cell: stored as []
    organizations.loc[2, "illustrative_columns"] = ["lat", "lon"]
    organizations["lat"] = [41.76, None, np.nan, 41.7, 41.71, None]
    neighborhoods = city.tables["neighborhoods"].copy()
    neighborhoods["population"] = [1000.0, np.nan, 600.0, 500.0]  # 3.0-style ints and a blank
    ties = city.tables["ties"].drop(columns=["notes"])  # no notes column: blank cells
    return dataclasses.replace(
        city,
        tables={
            **city.tables,
            "organizations": organizations,
            "neighborhoods": neighborhoods,
            "ties": ties,
        },
    )


@pytest.fixture
def stored(store_url):
    store = open_store(store_url)
    store.replace_city(_awkward_city())
    return store


def test_columnar_read_equals_the_cell_by_cell_read(stored):
    store = stored
    city = store.read_city()
    for name in schema.TABLES:
        expected = _reference_read(store, name)
        pd.testing.assert_frame_equal(city.tables[name], expected, check_exact=True)
        assert list(city.tables[name].dtypes) == list(expected.dtypes)


def test_written_cells_are_the_per_cell_encoding(stored):
    store = stored
    orgs = dict(_fetch(store, "SELECT org_id, services FROM organizations"))
    notes = _fetch(store, "SELECT notes FROM organizations WHERE org_id = 'lib'")[0]
    guessed = _fetch(store, "SELECT illustrative_columns FROM organizations ORDER BY _pos")
    population = _fetch(store, "SELECT population FROM neighborhoods ORDER BY _pos")
    tie_notes = _fetch(store, "SELECT DISTINCT notes FROM ties")
    member = _fetch(store, "SELECT DISTINCT member FROM organizations")
    first, second = list(orgs)[:2]
    assert json.loads(orgs[first]) == example_city().tables["organizations"]["services"][0]
    assert orgs[second] == "[]"  # a blank list cell
    assert notes[0] == 'Café «Ñandú», 50% off; "quoted" \n new line'
    assert guessed[2][0] == '["lat", "lon"]'  # json.dumps, non-ASCII kept
    assert population == [(1000,), (None,), (600,), (500,)]  # whole numbers, blank as NULL
    assert tie_notes == [(None,)]  # a column the frame lacks: blank cells
    assert member == [("1",)]


def test_history_keeps_what_the_tables_hold(stored):
    store = stored
    version = store.info()["version"]
    kept = store.read_version(version)
    current = store.read_city()
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(
            kept.tables[name].reset_index(drop=True),
            current.tables[name].reset_index(drop=True),
            check_dtype=False,
        )
    blob = bytes(_fetch(store, "SELECT tables FROM history")[0][0])
    columns = json.loads(zlib.decompress(blob))
    assert columns["organizations"]["illustrative_columns"][2] == ["lat", "lon"]
    assert columns["ties"]["notes"] == [None] * len(current.tables["ties"])


def test_update_round_trips_the_columnar_write(stored):
    store = stored
    before = store.read_city()
    store.update(lambda city: city, what="same again")
    after = store.read_city()
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(after.tables[name], before.tables[name], check_exact=True)


def test_decode_column_parses_only_filled_list_cells():
    column = schema.Column("languages", "list", False, "", "")
    assert _decode_column(['["a", "b"]', None, "", "[]", '["ñ"]'], column) == [
        ["a", "b"],
        [],
        [],
        [],
        ["ñ"],
    ]
    cells = _decode_column(["[]", "[]"], column)
    assert cells == [[], []] and cells[0] is not cells[1]  # one list per cell
    flag = schema.Column("member", "bool", False, "", "")
    assert _decode_column(["1", "0", None], flag) == [True, False, False]


def test_encode_column_matches_each_type():
    text = schema.Column("notes", "text", False, "", "")
    number = schema.Column("population", "int", False, "", "")
    ratio = schema.Column("population_moe", "float", False, "", "")
    flag = schema.Column("member", "bool", False, "", "")
    items = schema.Column("languages", "list", False, "", "")
    assert _encode_column(pd.Series(["a", None, 3], dtype=object), 3, text) == ["a", None, "3"]
    assert _encode_column(pd.Series([2.0, np.nan]), 2, number) == [2, None]
    assert _encode_column(pd.Series([1, None], dtype=object), 2, ratio) == [1.0, None]
    assert _encode_column(pd.Series([True, False]), 2, flag) == ["1", "0"]
    assert _encode_column(pd.Series([["é"], None, []], dtype=object), 3, items) == [
        '["é"]',
        "[]",
        "[]",
    ]
    assert _encode_column(None, 2, items) == ["[]", "[]"]
    assert _encode_column(None, 2, flag) == ["0", "0"]
    assert _encode_column(None, 1, text) == [None]


def test_an_empty_table_reads_as_the_cell_by_cell_read(store_url):
    city = example_city()
    empty = city.tables["committees"].iloc[0:0]
    store = open_store(store_url)
    store.replace_city(dataclasses.replace(city, tables={**city.tables, "committees": empty}))
    read = store.read_city().tables["committees"]
    expected = _reference_read(store, "committees")
    assert read.empty
    pd.testing.assert_frame_equal(read, expected)
    assert list(read.dtypes) == list(expected.dtypes)


@pytest.mark.parametrize("blank", ["absent", None, np.nan])
def test_a_blank_member_cell_is_stored_as_a_member(store_url, blank):
    # is_member reads a blank cell as a member; the store used to write it as "0" (no), so a
    # city handed to the library without the column lost every member once stored.
    city = example_city()
    organizations = city.tables["organizations"].copy()
    if blank == "absent":
        organizations = organizations.drop(columns="member")
        expected = [True] * len(organizations)
    else:
        # The first organization says no; the others are blank.
        organizations["member"] = [False] + [blank] * (len(organizations) - 1)
        expected = [False] + [True] * (len(organizations) - 1)
    city = dataclasses.replace(city, tables={**city.tables, "organizations": organizations})
    store = open_store(store_url)
    store.replace_city(city)
    assert store.read_city().tables["organizations"]["member"].tolist() == expected
