"""Exports read back by the tools that consume them, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import dataclasses
import io as stdio
import zipfile
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest
from openpyxl import load_workbook

from coalition import exports, ingest, privacy
from coalition.errors import DataError
from coalition.model import build_graph
from coalition.privacy import Disclosure

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
        exports.README_SHEET,
    }
    assert book.sheetnames[-1] == exports.README_SHEET  # after the tables: re-imports ignore it
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


# --- who an export is for ------------------------------------------------------------------------
# A city built to leak: Karen refugees live 3 in Alder and 97 in Dogwood (their total, 100, is
# recorded), so hiding the 3 alone would give it away as 100 - 97. Alder's limited_english is 7.
PUBLIC = Disclosure(exact=False, threshold=11)
EXACT = Disclosure(exact=True, threshold=11)


@pytest.fixture
def leaky_city(tiny_city):
    ties = tiny_city.tables["ties"].copy()
    karen = (ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in")
    ties.loc[karen, "residents"] = 97
    extra = ties.loc[karen].assign(target_id="alder", residents=3)
    ties = __import__("pandas").concat([ties, extra], ignore_index=True)
    hoods = tiny_city.tables["neighborhoods"].copy()
    hoods.loc[hoods["neighborhood_id"] == "alder", "limited_english"] = 7
    city = dataclasses.replace(
        tiny_city,
        tables={**tiny_city.tables, "ties": ties, "neighborhoods": hoods},
        meta={**tiny_city.meta, "source_dir": "/home/ana/secret-folder/tiny", "version": 4},
    )
    return city


def karen_residents(frame) -> dict[str, object]:
    lives = frame[(frame["source_id"] == "karen") & (frame["tie_type"] == "lives_in")]
    return dict(zip(lives["target_id"], lives["residents"], strict=True))


def test_public_csv_folder_hides_small_counts_and_their_complements(leaky_city, tmp_path):
    folder = exports.export_city(leaky_city, "csv", tmp_path / "public", disclosure=PUBLIC)
    ties = __import__("pandas").read_csv(folder / "ties.csv", dtype=str)
    ties = ties.assign(target_id=ties["target_id"])
    residents = {
        row["target_id"]: row["residents"]
        for row in ties.to_dict("records")
        if row["source_id"] == "karen" and row["tie_type"] == "lives_in"
    }
    # 3 is small; 97 would give it away (100 - 97): both hidden, and only the 3 says "fewer".
    assert residents == {"alder": "fewer than 11", "dogwood": privacy.WITHHELD_TEXT}
    hoods = __import__("pandas").read_csv(folder / "neighborhoods.csv", dtype=str)
    alder = hoods[hoods["neighborhood_id"] == "alder"].iloc[0]
    assert alder["limited_english"] == "fewer than 11"
    assert pd_isna(alder["limited_english_moe"]) or alder["limited_english_moe"] != "50"
    text = "\n".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    assert "secret-folder" not in text and "/home/" not in text
    readme = (folder / exports.README_FILE).read_text(encoding="utf-8")
    assert "PUBLIC export" in readme and "fewer than 11" in readme and "threshold: 11" in readme
    assert "data version 4" in readme and "not for sharing" not in readme.lower()


def pd_isna(value) -> bool:
    return value is None or value != value


def test_exact_csv_folder_keeps_counts_says_not_for_sharing_and_reimports(leaky_city, tmp_path):
    folder = exports.export_city(leaky_city, "csv", tmp_path / "full")
    back = ingest.read_city(folder)
    assert karen_residents(back.tables["ties"]) == {"alder": 3, "dogwood": 97}
    readme = (folder / exports.README_FILE).read_text(encoding="utf-8")
    assert privacy.EXACT_LABEL in readme and "NOT FOR SHARING" in readme
    assert "coalition export --public" in readme
    assert "secret-folder" not in "".join(p.read_text("utf-8") for p in folder.iterdir())


def test_public_zip_and_xlsx_bytes_hold_no_small_count(leaky_city):
    data = exports.export_bytes(leaky_city, "csv", disclosure=PUBLIC)
    with zipfile.ZipFile(stdio.BytesIO(data)) as archive:
        assert exports.README_FILE in archive.namelist()
        ties = archive.read("ties.csv").decode("utf-8")
    rows = list(csv.DictReader(stdio.StringIO(ties)))
    karen = {
        r["target_id"]: r["residents"]
        for r in rows
        if r["source_id"] == "karen" and r["tie_type"] == "lives_in"
    }
    assert karen == {"Alder": "fewer than 11", "Dogwood": privacy.WITHHELD_TEXT} or karen == {
        "alder": "fewer than 11",
        "dogwood": privacy.WITHHELD_TEXT,
    }
    book = load_workbook(stdio.BytesIO(exports.export_bytes(leaky_city, "xlsx", disclosure=PUBLIC)))
    sheet = book["ties"]
    header = [c.value for c in sheet[1]]
    cells = [
        row[header.index("residents")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[header.index("source_id")] == "karen" and row[header.index("tie_type")] == "lives_in"
    ]
    assert sorted(map(str, cells)) == sorted(["fewer than 11", privacy.WITHHELD_TEXT])
    readme = "\n".join(str(r[0]) for r in book[exports.README_SHEET].iter_rows(values_only=True))
    assert "PUBLIC export" in readme


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_public_graph_exports_protect_node_and_tie_counts(leaky_city, tmp_path, fmt):
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    public = reader(exports.export_city(leaky_city, fmt, tmp_path / f"p.{fmt}", disclosure=PUBLIC))
    lives = {
        (u, v): d.get("residents")
        for u, v, d in public.edges(data=True)
        if d.get("tie_type") == "lives_in" and u == "karen"
    }
    assert lives == {
        ("karen", "alder"): "fewer than 11",
        ("karen", "dogwood"): privacy.WITHHELD_TEXT,
    }
    assert public.nodes["alder"]["limited_english"] == "fewer than 11"
    if fmt == "graphml":  # GEXF keeps no graph attributes
        assert "Public export" in public.graph["disclosure"]
    exact = reader(exports.export_city(leaky_city, fmt, tmp_path / f"e.{fmt}"))
    assert {
        d.get("residents")
        for u, v, d in exact.edges(data=True)
        if u == "karen" and d.get("tie_type") == "lives_in"
    } == {3, 97}
    if fmt == "graphml":
        assert privacy.EXACT_LABEL in exact.graph["disclosure"]


def test_public_geo_exports_protect_neighborhood_figures(leaky_city, tmp_path):
    path = exports.export_city(leaky_city, "gpkg", tmp_path / "p.gpkg", disclosure=PUBLIC)
    layer = gpd.read_file(path, layer="neighborhoods").set_index("neighborhood_id")
    assert layer.loc["alder", "limited_english"] == "fewer than 11"
    assert layer.loc["birch", "limited_english"] in ("50", privacy.WITHHELD_TEXT)
    geojson = exports.export_city(leaky_city, "geojson", tmp_path / "p.geojson", disclosure=PUBLIC)
    assert '"limited_english": 7' not in geojson.read_text("utf-8")
    assert "fewer than 11" in geojson.read_text("utf-8")


def test_public_export_leaves_out_retired_rows(leaky_city, tmp_path):
    orgs = leaky_city.tables["organizations"].copy()
    orgs["_retired"] = [{"on": "2026-11-30", "reason": "recorded by mistake"}] + [None] * (
        len(orgs) - 1
    )
    city = dataclasses.replace(leaky_city, tables={**leaky_city.tables, "organizations": orgs})
    folder = exports.export_city(city, "csv", tmp_path / "p", disclosure=PUBLIC)
    names = (folder / "organizations.csv").read_text("utf-8")
    assert orgs.loc[0, "name"] not in names and orgs.loc[1, "name"] in names
    assert "recorded by mistake" not in names


def test_file_names_say_who_a_download_is_for():
    assert exports.file_name("Tiny Town", "csv", PUBLIC) == "tiny-town-public-csv.zip"
    assert exports.file_name("Tiny Town", "gpkg", EXACT).endswith("-exact-not-for-sharing.gpkg")
    assert exports.file_name("Tiny Town", "xlsx", None).endswith("-exact-not-for-sharing.xlsx")


def test_unknown_format_refused_for_bytes_too(tiny_city):
    with pytest.raises(DataError, match="choose one of"):
        exports.export_bytes(tiny_city, "pdf", disclosure=PUBLIC)


# --- coalition export -----------------------------------------------------------------------------


def test_cli_export_public_and_full_say_who_they_are_for_and_are_audited(
    leaky_city, tmp_path, capsys
):
    from coalition import accounts, cli
    from coalition.store import open_store

    db = tmp_path / "c.db"
    open_store(db).replace_city(leaky_city)
    out = tmp_path / "public"
    assert cli.main(["export", "--public", str(out), "--db", str(db)]) == 0
    said = capsys.readouterr().out
    assert "public csv export" in said and "below 11 are hidden" in said
    assert privacy.EXACT_LABEL not in said
    ties = (out / "ties.csv").read_text("utf-8")
    assert "karen,alder,lives_in,,1,2020,fewer than 11," in ties
    assert "PUBLIC export" in (out / exports.README_FILE).read_text("utf-8")
    full = tmp_path / "full.zip"
    assert cli.main(["export", str(full), "--db", str(db)]) == 0
    said = capsys.readouterr().out
    assert privacy.EXACT_LABEL in said and "--public" in said
    with zipfile.ZipFile(full) as archive:
        assert "NOT FOR SHARING" in archive.read(exports.README_FILE).decode("utf-8")
    log = open_store(db).audit_log(account=accounts.operator())
    assert log[log["action"] == "export"]["what"].tolist() == [
        "full (exact counts) csv export by the command line",
        "public csv export by the command line",
    ]


def test_cli_export_bad_format_exits_2(tmp_path, capsys):
    from coalition import cli

    assert cli.main(["export", "--public", "--format", "pdf", str(tmp_path / "x")]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --- the leaky city (tests/fixtures/leaky_city/README.md): every secret is below 11 and every
# other figure at least 94, so a count cell holding a number from 1 to 10 is a leak.

LEAKY = Path(__file__).resolve().parent / "fixtures" / "leaky_city"
COUNT_COLUMNS = {
    "population",
    "population_moe",
    "foreign_born",
    "foreign_born_moe",
    "limited_english",
    "limited_english_moe",
    "estimated_residents",
    "residents",
}


def _small_numbers(values) -> list:
    found = []
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue  # text: "fewer than 11", "withheld…", or empty
        if 0 < number < 11:
            found.append(value)
    return found


def _count_cells(fmt: str, data: bytes, tmp_path) -> list:
    """Every cell of a count column in an export, whatever its format."""
    import pandas as pd

    cells: list = []
    if fmt == "csv":
        with zipfile.ZipFile(stdio.BytesIO(data)) as archive:
            for name in ("ties.csv", "neighborhoods.csv", "communities.csv"):
                frame = pd.read_csv(stdio.BytesIO(archive.read(name)), dtype=str)
                for column in COUNT_COLUMNS & set(frame.columns):
                    cells += frame[column].tolist()
    elif fmt == "xlsx":
        book = load_workbook(stdio.BytesIO(data))
        for name in ("ties", "neighborhoods", "communities"):
            rows = list(book[name].iter_rows(values_only=True))
            for index, column in enumerate(rows[0]):
                if column in COUNT_COLUMNS:
                    cells += [row[index] for row in rows[1:]]
    elif fmt in ("graphml", "gexf"):
        path = tmp_path / f"x.{fmt}"
        path.write_bytes(data)
        G = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(path)
        for _, attrs in G.nodes(data=True):
            cells += [v for k, v in attrs.items() if k in COUNT_COLUMNS]
        for *_, attrs in G.edges(data=True):
            cells += [v for k, v in attrs.items() if k in COUNT_COLUMNS]
    else:
        path = tmp_path / f"x.{fmt}"
        path.write_bytes(data)
        layer = gpd.read_file(path, layer="neighborhoods") if fmt == "gpkg" else gpd.read_file(path)
        for column in COUNT_COLUMNS & set(layer.columns):
            cells += layer[column].tolist()
    return cells


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_leaky_city_public_exports_hold_no_secret(fmt, tmp_path):
    city = ingest.read_city(LEAKY)
    public = _count_cells(fmt, exports.export_bytes(city, fmt, disclosure=PUBLIC), tmp_path)
    assert public and _small_numbers(public) == []
    assert "fewer than 11" in map(str, public)
    exact = _count_cells(fmt, exports.export_bytes(city, fmt), tmp_path)  # the test can fail
    expected = [4, 5, 6, 8] if fmt in ("geojson", "gpkg") else [4, 5, 6, 7, 8, 9, 9]
    assert sorted(float(v) for v in _small_numbers(exact)) == expected  # neighborhoods only
