"""The readers behind the role tests' "nothing secret reached the browser": they must see every
cell, or a leak would pass unseen. Each format a browser can receive, with a value only its
cells hold."""

from __future__ import annotations

import io
import sqlite3
import zipfile

import pandas as pd
import pytest
from browser_wire import back_message, file_texts, wire_texts
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FRAME = pd.DataFrame({"community": ["Ahiska", "Bora"], "residents": [3, 40]})


def _arrow(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    table = pa.Table.from_pandas(frame)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def test_a_table_sent_as_arrow_is_read_cell_by_cell():
    message = ForwardMsg()
    message.delta.new_element.dataframe.arrow_data.data = _arrow(FRAME)
    texts = wire_texts(message.SerializeToString())
    assert {"Ahiska", "Bora", "3", "40", "residents"} <= set(texts)


def test_every_string_of_a_nested_message_is_read():
    message = ForwardMsg()
    message.delta.new_element.metric.label = "Residents"
    message.delta.new_element.metric.body = "43"
    message.delta.new_element.metric.help = "Of them 7 newcomers"
    texts = wire_texts(message.SerializeToString())
    assert {"Residents", "43", "Of them 7 newcomers"} <= set(texts)


def test_a_workbook_is_read_cell_by_cell():
    buffer = io.BytesIO()
    FRAME.to_excel(buffer, index=False, sheet_name="ties")
    texts = file_texts("city.xlsx", buffer.getvalue())
    assert {"ties", "Ahiska", "3", "40"} <= set(texts)


def test_a_geopackage_or_database_is_read_row_by_row(tmp_path):
    path = tmp_path / "layers.gpkg"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE ties (community TEXT, residents INTEGER)")
        connection.execute("INSERT INTO ties VALUES ('Ahiska', 3)")
    texts = file_texts("layers.gpkg", path.read_bytes())
    assert {"ties", "Ahiska", "3"} <= set(texts)


def test_a_zip_inside_a_zip_is_opened():
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("ties.csv", "community,residents\nAhiska,3\n")
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("tables.zip", inner.getvalue())
    texts = file_texts("all.zip", outer.getvalue())
    assert "community,residents\nAhiska,3\n" in texts


@pytest.mark.parametrize("page", ["record", "accounts"])
def test_a_page_asked_for_by_name_is_read_back(page):
    message = BackMsg()
    message.rerun_script.page_name = page
    assert back_message(message.SerializeToString()).rerun_script.page_name == page
