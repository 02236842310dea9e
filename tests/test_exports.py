"""Exports read back by the tools that consume them, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import dataclasses
import io as stdio
import zipfile

import geopandas as gpd
import networkx as nx
import pytest
from openpyxl import load_workbook

from coalition import exports, ingest
from coalition.errors import DataError
from coalition.model import build_graph

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB"]


@pytest.fixture
def hostile_city(tiny_city):
    orgs = tiny_city.tables["organizations"].copy()
    orgs.loc[: len(HOSTILE) - 1, "name"] = HOSTILE
    orgs.loc[0, "lon"], orgs.loc[0, "lat"] = -72.695, 41.765
    return dataclasses.replace(tiny_city, tables={**tiny_city.tables, "organizations": orgs})


def test_neutralise_formula():
    assert exports.neutralise_formula("=1+1") == "'=1+1"
    assert exports.neutralise_formula("@x") == "'@x"
    assert exports.neutralise_formula("Alder") == "Alder"
    assert exports.neutralise_formula(-72.5) == -72.5


def test_graphml_and_gexf_read_back_by_networkx(tiny_city, tmp_path):
    G = build_graph(tiny_city)
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        path = exports.export_city(tiny_city, fmt, tmp_path / f"city.{fmt}")
        back = reader(path)
        assert back.number_of_nodes() == G.number_of_nodes() == 16
        assert back.number_of_edges() == G.number_of_edges() == 26
        assert back.nodes["legal"]["languages"] == "English;Spanish;Arabic"
        assert back.nodes["alder"]["foreign_born"] == 400


def test_geopackage_layers_read_back_by_geopandas(hostile_city, tmp_path):
    path = exports.export_city(hostile_city, "gpkg", tmp_path / "city.gpkg")
    neighborhoods = gpd.read_file(path, layer="neighborhoods")
    assert sorted(neighborhoods["neighborhood_id"]) == ["alder", "birch", "cedar", "dogwood"]
    assert neighborhoods.crs.to_epsg() == 4326
    assert int(neighborhoods["foreign_born"].sum()) == 1000
    orgs = gpd.read_file(path, layer="organizations")
    assert len(orgs) == 1 and orgs.geometry[0].x == pytest.approx(-72.695)


def test_geojson_export(tiny_city, tmp_path):
    path = exports.export_city(tiny_city, "geojson", tmp_path / "n.geojson")
    assert len(gpd.read_file(path)) == 4


def test_csv_export_neutralises_formulas_and_reimports(hostile_city, tmp_path):
    folder = exports.export_city(hostile_city, "csv", tmp_path / "folder")
    with open(folder / "organizations.csv", newline="", encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f)]
    assert names[: len(HOSTILE)] == ["'" + n for n in HOSTILE]
    assert ingest.validate_city(folder).ok


def test_csv_zip_bytes(hostile_city):
    data = exports.export_bytes(hostile_city, "csv")
    with zipfile.ZipFile(stdio.BytesIO(data)) as archive:
        assert "organizations.csv" in archive.namelist()
        text = archive.read("organizations.csv").decode("utf-8")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_xlsx_export_neutralises_formulas(hostile_city, tmp_path):
    path = exports.export_city(hostile_city, "xlsx", tmp_path / "city.xlsx")
    book = load_workbook(path)
    assert set(book.sheetnames) == {
        "neighborhoods",
        "organizations",
        "communities",
        "navigators",
        "committees",
        "ties",
    }
    sheet = book["organizations"]
    header = [c.value for c in sheet[1]]
    names = [row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[: len(HOSTILE)] == ["'" + n for n in HOSTILE]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    lon = next(row[header.index("lon")] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert lon == pytest.approx(-72.695)  # numbers stay numbers


def test_unknown_format(tiny_city, tmp_path):
    with pytest.raises(DataError, match="choose one of"):
        exports.export_city(tiny_city, "pdf", tmp_path / "x.pdf")


def test_export_does_not_mutate_city(hostile_city, tmp_path):
    before = hostile_city.tables["organizations"].copy()
    exports.export_city(hostile_city, "xlsx", tmp_path / "c.xlsx")
    assert hostile_city.tables["organizations"].equals(before)
