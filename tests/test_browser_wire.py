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
from leak_scan import leaks
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
    assert {"community=Ahiska", "community=Bora", "residents=3", "residents=40"} <= set(texts)


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
    assert {"ties", "community=Ahiska", "residents=3", "residents=40"} <= set(texts)


def test_a_geopackage_or_database_is_read_row_by_row(tmp_path):
    path = tmp_path / "layers.gpkg"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE ties (community TEXT, residents INTEGER)")
        connection.execute("INSERT INTO ties VALUES ('Ahiska', 3)")
    texts = file_texts("layers.gpkg", path.read_bytes())
    assert {"ties", "community=Ahiska", "residents=3"} <= set(texts)


def test_a_zip_inside_a_zip_is_opened():
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("ties.csv", "community,residents\nAhiska,3\n")
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("tables.zip", inner.getvalue())
    texts = file_texts("all.zip", outer.getvalue())
    assert {"tables.zip", "ties.csv", "community=Ahiska", "residents=3"} <= set(texts)


GRAPHML = """<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="d4" for="edge" attr.name="residents" attr.type="long"/>
<graph edgedefault="directed"><node id="a"/><node id="n"/>
<edge source="a" target="n"><data key="d4">7</data></edge></graph></graphml>"""
GEXF = """<?xml version='1.0' encoding='utf-8'?>
<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph><attributes class="edge">
<attribute id="2" title="residents" type="long"/></attributes>
<nodes><node id="a" label="A"/><node id="n" label="N"/></nodes>
<edges><edge source="a" target="n"><attvalues><attvalue for="2" value="7"/></attvalues></edge>
</edges></graph></gexf>"""


@pytest.mark.parametrize(("name", "text"), [("city.graphml", GRAPHML), ("city.gexf", GEXF)])
def test_a_network_file_is_read_by_attribute_name(name, text):
    assert "residents=7" in file_texts(name, text.encode())


def test_a_geojson_file_is_read_property_by_property():
    text = '{"type": "FeatureCollection", "features": [{"properties": {"foreign_born": 6}}]}'
    assert "foreign_born=6" in file_texts("layer.geojson", text.encode())


@pytest.mark.parametrize("page", ["record", "accounts"])
def test_a_page_asked_for_by_name_is_read_back(page):
    message = BackMsg()
    message.rerun_script.page_name = page
    assert back_message(message.SerializeToString()).rerun_script.page_name == page


# --- the leaky city's secrets (tests/fixtures/leaky_city/README.md) ---------------------------

LEAKS = [
    ["Of the 9 residents recorded for Eritrean families"],
    ["Eritrean families (9 residents) speak Tigrinya"],
    ["Dunmore has 6 foreign-born residents (± 4)"],
    ["Dunmore: ± 4"],
    ["residents=7"],
    ["foreign_born=6.0"],
    ["limited_english_moe=5"],
    ["Speak English less than very well: 8"],
    ["Andean families: 419", "Brookside: 412"],
    ["Of the 419 residents recorded, 412 (98%) live where a committee is"],
    ["Foreign-born residents: 734", "Ashgrove 263", "Brookside 318", "Cliffside 147"],
    ["1,147 residents recorded in Ashgrove", "Long-time residents 1,140"],
]
SAFE = [
    ["Of the fewer than 11 residents recorded for Eritrean families"],
    ["Andean families: 419", "Brookside: withheld to protect a small count"],
    ["Foreign-born residents: 734", "Ashgrove 263", "Brookside 318", "Cliffside withheld"],
    ["4 neighborhoods", "data version 9", "port 41947", "Ashgrove 1.147 km", "strength=2"],
    ["residents=412", "foreign_born_moe=41", "population=1186", "strength=8"],
    ["1 active welcoming committee reaches 1 of 4 neighborhoods"],
]


@pytest.mark.parametrize("texts", LEAKS)
def test_a_shown_or_subtracted_secret_is_found(texts):
    assert leaks(texts), texts


@pytest.mark.parametrize("texts", SAFE)
def test_protected_figures_and_other_numbers_are_not_leaks(texts):
    assert leaks(texts) == []
