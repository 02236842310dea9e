"""Reading and validating a city folder: every kind of bad input gets a clear, located error."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pytest
from helpers import read_rows, set_cell, tiny_folder, write_rows
from shapely.geometry import Polygon

from coalition import ingest, names
from coalition.errors import DataError, ValidationError


@pytest.fixture
def folder(tmp_path):
    return tiny_folder(tmp_path / "tiny")


def errors_of(folder):
    return ingest.validate_city(folder).errors


def test_valid_folder_reads_back_the_same_tables(folder, tiny_city):
    city = ingest.read_city(folder)
    assert city.name == "Tiny Town"
    assert list(city.tables["organizations"]["org_id"]) == list(
        tiny_city.tables["organizations"]["org_id"]
    )
    orgs = city.tables["organizations"].set_index("org_id")
    assert orgs.loc["legal", "languages"] == ["English", "Spanish", "Arabic"]
    assert orgs.loc["lib", "neighborhood"] == "alder"  # "Alder" in the file, matched to its id
    assert orgs.loc["lib", "illustrative"] is True or orgs.loc["lib", "illustrative"] == True  # noqa: E712
    ties = city.tables["ties"]
    assert int(ties.loc[ties["target_id"] == "alder", "residents"].sum()) == 700
    assert sorted(city.boundaries["neighborhood_id"]) == ["alder", "birch", "cedar", "dogwood"]


def test_not_a_folder_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="not a folder"):
        ingest.validate_city(tmp_path / "nope")


def test_misspelled_neighborhood_suggests_the_right_one(folder):
    set_cell(folder / "organizations.csv", 1, "neighborhood", "Brich")
    [problem] = errors_of(folder)
    assert problem.file == "organizations.csv" and problem.row == 3
    assert problem.column == "neighborhood" and problem.value == "Brich"
    assert 'Did you mean "Birch"?' in problem.message


@pytest.mark.parametrize("spelling", ["BIRCH", " birch ", "bir-ch", "Birch."])
def test_neighborhood_names_match_forgivingly(folder, spelling):
    set_cell(folder / "organizations.csv", 1, "neighborhood", spelling)
    assert errors_of(folder) == []


def test_name_key_handles_saint_ampersand_and_accents():
    assert names.name_key("St. Mary's") == names.name_key("Saint Marys")
    assert names.name_key("South End & Meadows") == names.name_key("south end and meadows")
    assert names.name_key("Pérez Park") == names.name_key("perez park")


def test_duplicate_ids_within_and_across_tables(folder):
    set_cell(folder / "organizations.csv", 1, "org_id", "lib")  # same table
    set_cell(folder / "communities.csv", 0, "community_id", "clinic")  # clashes with an org
    problems = [p for p in errors_of(folder) if "Duplicate id" in p.message]
    assert {(p.file, p.row, p.value) for p in problems} == {
        ("organizations.csv", 3, "lib"),
        ("communities.csv", 2, "clinic"),
    }


def test_missing_column_is_named_with_a_suggestion(folder):
    rows = read_rows(folder / "organizations.csv")
    for row in rows:
        row["sectr"] = row.pop("sector")
    write_rows(folder / "organizations.csv", rows)
    [problem] = errors_of(folder)
    assert problem.column == "sector" and "Missing required column" in problem.message
    assert 'Did you mean "sectr"?' in problem.message


def test_tie_to_unknown_id(folder):
    set_cell(folder / "ties.csv", 0, "target_id", "legl")
    [problem] = errors_of(folder)
    assert (problem.file, problem.row, problem.column) == ("ties.csv", 2, "target_id")
    assert "unknown id" in problem.message and 'Did you mean "legal"?' in problem.message


def test_tie_between_wrong_kinds_self_ties_and_strength(folder):
    set_cell(folder / "ties.csv", 0, "target_id", "latino")  # partnership org -> community
    set_cell(folder / "ties.csv", 1, "target_id", "lib")  # lib -> lib
    set_cell(folder / "ties.csv", 2, "strength", "7")
    messages = [p.message for p in errors_of(folder)]
    assert any("is a community" in m for m in messages)
    assert any("to itself" in m for m in messages)
    assert any("strength must be 1" in m for m in messages)


def test_duplicate_tie_is_a_warning_and_kept_once(folder):
    rows = read_rows(folder / "ties.csv")
    reverse = dict(rows[0], source_id=rows[0]["target_id"], target_id=rows[0]["source_id"])
    write_rows(folder / "ties.csv", [*rows, reverse])
    report = ingest.validate_city(folder)
    assert report.ok
    assert any("listed twice" in p.message for p in report.warnings)
    assert len(report.city.tables["ties"]) == len(rows)


@pytest.mark.parametrize(
    "column,value,expected",
    [
        ("population", "lots", "Not a whole number"),
        ("population", "-5", "0 or more"),
        ("foreign_born_moe", "1,5x", "Not a number"),
        ("source_date", "2024-13", "No such date"),
        ("source_date", "last spring", "YYYY-MM-DD"),
        ("illustrative", "maybe", "yes or no"),
    ],
)
def test_bad_cells_name_row_column_value(folder, column, value, expected):
    set_cell(folder / "neighborhoods.csv", 2, column, value)
    [problem] = errors_of(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "neighborhoods.csv",
        4,
        column,
        value,
    )
    assert expected in problem.message


def test_thousands_separators_and_partial_dates_are_accepted(folder):
    set_cell(folder / "neighborhoods.csv", 0, "population", "1,000")
    set_cell(folder / "neighborhoods.csv", 0, "source_date", "2024")
    city = ingest.read_city(folder)
    assert city.tables["neighborhoods"].loc[0, "population"] == 1000


def test_unknown_choice_and_service_get_suggestions(folder):
    set_cell(folder / "organizations.csv", 0, "orientation", "immigrant serving")  # accepted
    set_cell(folder / "organizations.csv", 1, "orientation", "imigrant_servng")
    set_cell(folder / "organizations.csv", 2, "services", "housing;helth")
    set_cell(folder / "committees.csv", 0, "status", "activ")
    found = {(p.file, p.column): p.message for p in errors_of(folder)}
    assert 'Did you mean "immigrant_serving"?' in found[("organizations.csv", "orientation")]
    assert 'Did you mean "health"?' in found[("organizations.csv", "services")]
    assert 'Did you mean "active"?' in found[("committees.csv", "status")]
    assert len(found) == 3


def test_required_cell_empty(folder):
    set_cell(folder / "organizations.csv", 0, "name", "")
    [problem] = errors_of(folder)
    assert (problem.row, problem.column) == (2, "name") and "required" in problem.message


def test_missing_table_and_empty_file(folder):
    (folder / "communities.csv").unlink()
    (folder / "ties.csv").write_text("")
    found = {p.file: p.message for p in errors_of(folder)}
    assert "Missing table" in found["communities.csv"]
    assert "empty" in found["ties.csv"]


def test_optional_tables_may_be_absent(folder):
    (folder / "navigators.csv").unlink()
    rows = [r for r in read_rows(folder / "ties.csv") if r["source_id"] != "nav1"]
    write_rows(folder / "ties.csv", rows)
    assert ingest.validate_city(folder).ok


def test_utf8_bom_and_semicolons_are_accepted(folder):
    path = folder / "communities.csv"
    text = path.read_text(encoding="utf-8").replace(",", ";")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = ingest.validate_city(folder)
    assert report.ok, [str(p) for p in report.problems]


def test_windows_1252_is_accepted_with_a_warning(folder):
    set_cell(folder / "organizations.csv", 0, "name", "Biblioteca Peña")
    path = folder / "organizations.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    report = ingest.validate_city(folder)
    assert report.ok
    assert any("Windows-1252" in p.message for p in report.warnings)
    assert "Biblioteca Peña" in list(report.city.tables["organizations"]["name"])


def test_truncated_csv_row_and_unclosed_quote(folder):
    path = folder / "ties.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 25], encoding="utf-8")  # cut inside the last row
    problems = errors_of(folder)
    assert any(p.file == "ties.csv" and p.row == 18 and "truncated" in p.message for p in problems)
    path.write_text(text + '"a,"b\n', encoding="utf-8")
    assert any("quote" in p.message for p in errors_of(folder) if p.file == "ties.csv")


def test_binary_file_is_refused(folder):
    (folder / "ties.csv").write_bytes("source_id,target_id\n".encode("utf-16"))
    assert any("binary" in p.message or "UTF-8" in p.message for p in errors_of(folder))


def test_truncated_boundary_file(folder):
    path = folder / "neighborhoods.geojson"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    [problem] = errors_of(folder)
    assert problem.file == "neighborhoods.geojson" and "truncated" in problem.message


def test_missing_boundary_file(folder):
    (folder / "neighborhoods.geojson").unlink()
    [problem] = errors_of(folder)
    assert "No boundary file" in problem.message


def test_invalid_and_empty_geometries(folder):
    frame = gpd.read_file(folder / "neighborhoods.geojson")
    bowtie = Polygon([(-72.70, 41.76), (-72.69, 41.77), (-72.69, 41.76), (-72.70, 41.77)])
    frame.loc[0, "geometry"] = bowtie
    frame.loc[1, "geometry"] = Polygon()
    (folder / "neighborhoods.geojson").unlink()
    frame.to_file(folder / "neighborhoods.geojson", driver="GeoJSON")
    messages = sorted(p.message for p in errors_of(folder))
    assert any("invalid polygon" in m and "Self-intersection" in m for m in messages)
    assert any("empty geometry" in m for m in messages)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_boundary_without_crs_is_refused(folder, tmp_path):
    frame = gpd.read_file(folder / "neighborhoods.geojson").set_crs(None, allow_override=True)
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    frame[["name", "geometry"]].to_file(shp_dir / "neighborhoods.shp")
    (shp_dir / "neighborhoods.prj").unlink(missing_ok=True)
    with zipfile.ZipFile(folder / "neighborhoods.zip", "w") as archive:
        for path in shp_dir.iterdir():
            archive.write(path, arcname=path.name)
    (folder / "neighborhoods.geojson").unlink()
    [problem] = errors_of(folder)
    assert (
        problem.file == "neighborhoods.zip" and "no coordinate reference system" in problem.message
    )


def test_zipped_shapefile_with_crs_and_other_projection_is_read(folder, tmp_path):
    frame = gpd.read_file(folder / "neighborhoods.geojson").to_crs("EPSG:32618")[
        ["name", "geometry"]
    ]
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    frame.to_file(shp_dir / "neighborhoods.shp")
    with zipfile.ZipFile(folder / "neighborhoods.zip", "w") as archive:
        for path in shp_dir.iterdir():
            archive.write(path, arcname=path.name)
    (folder / "neighborhoods.geojson").unlink()
    city = ingest.read_city(folder)
    assert city.boundaries.crs.to_epsg() == 4326
    assert city.boundaries.total_bounds[0] == pytest.approx(-72.70, abs=1e-6)


def test_neighborhood_row_without_a_feature(folder):
    set_cell(folder / "neighborhoods.csv", 3, "name", "Dogwod")
    set_cell(folder / "neighborhoods.csv", 3, "neighborhood_id", "dogwod")
    problems = errors_of(folder)
    assert any(
        p.file == "neighborhoods.csv" and p.row == 5 and 'Did you mean "Dogwood"?' in p.message
        for p in problems
    )


def test_the_five_problems_of_the_issue_are_all_reported_at_once(folder):
    set_cell(folder / "organizations.csv", 0, "neighborhood", "Aldr")  # misspelled
    orgs = read_rows(folder / "organizations.csv")
    write_rows(folder / "organizations.csv", [*orgs, dict(orgs[-1], org_id="lib")])  # duplicate
    rows = read_rows(folder / "communities.csv")
    for row in rows:
        row.pop("community_kind")  # missing column
    write_rows(folder / "communities.csv", rows)
    set_cell(folder / "ties.csv", 3, "target_id", "nobody")  # unknown id
    path = folder / "neighborhoods.geojson"
    path.write_bytes(path.read_bytes()[:300])  # truncated boundary
    with pytest.raises(ValidationError) as caught:
        ingest.read_city(folder)
    text = str(caught.value)
    assert "organizations.csv, row 2, column 'neighborhood'" in text and "Aldr" in text
    assert "organizations.csv, row 8, column 'org_id'" in text and "Duplicate id" in text
    assert "communities.csv, column 'community_kind'" in text
    assert "ties.csv, row 5, column 'target_id'" in text and "nobody" in text
    assert "neighborhoods.geojson" in text and "truncated" in text


def test_workbook_folder_reads_like_csv(folder, tmp_path):
    from coalition.exports import export_city

    city = ingest.read_city(folder)
    book_dir = tmp_path / "book"
    book_dir.mkdir()
    export_city(city, "xlsx", book_dir / "city.xlsx")
    for name in ("neighborhoods.geojson", "city.toml"):
        (book_dir / name).write_bytes((folder / name).read_bytes())
    again = ingest.read_city(book_dir)
    assert (
        again.tables["organizations"]["org_id"].tolist()
        == city.tables["organizations"]["org_id"].tolist()
    )
    assert (
        again.tables["ties"]["residents"].dropna().astype(int).tolist()
        == city.tables["ties"]["residents"].dropna().astype(int).tolist()
    )


def test_damaged_workbook_is_reported(tmp_path, folder):
    book_dir = tmp_path / "book"
    book_dir.mkdir()
    (book_dir / "city.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (book_dir / "neighborhoods.geojson").write_bytes(
        (folder / "neighborhoods.geojson").read_bytes()
    )
    problems = errors_of(book_dir)
    assert any(p.file == "city.xlsx" and "Cannot open the workbook" in p.message for p in problems)


def test_bad_city_toml_and_metric_crs(folder):
    (folder / "city.toml").write_text('name = "x"\nmetric_crs = "EPSG:4326"\n')
    [problem] = errors_of(folder)
    assert problem.column == "metric_crs" and "projected" in problem.message
    (folder / "city.toml").write_text("name = \n")
    assert any("Cannot parse city.toml" in p.message for p in errors_of(folder))


def test_reading_does_not_modify_the_folder(folder):
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    ingest.validate_city(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_tie_to_an_unknown_neighborhood_suggests_one(folder):
    set_cell(folder / "ties.csv", 8, "target_id", "Brch")  # legal serves_neighborhood birch
    [problem] = errors_of(folder)
    assert (problem.file, problem.row, problem.column) == ("ties.csv", 10, "target_id")
    assert problem.message.endswith('correct the id. Did you mean "Birch"?')
