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


# --- issue 7 §2: validate never crashes; §6: clearer messages ---------------------------------


def _book_folder(folder, tmp_path):
    """The tiny city as a workbook folder; returns (folder, path of the workbook)."""
    from coalition.exports import export_city

    book_dir = tmp_path / "book"
    book_dir.mkdir()
    export_city(ingest.read_city(folder), "xlsx", book_dir / "city.xlsx")
    for name in ("neighborhoods.geojson", "city.toml"):
        (book_dir / name).write_bytes((folder / name).read_bytes())
    return book_dir, book_dir / "city.xlsx"


def _rewrite_zip_member(path, member_suffix, change):
    """Rewrite the zip at ``path`` with ``change(bytes) -> bytes`` applied to one member."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    hit = [info.filename for info, _ in members if info.filename.endswith(member_suffix)]
    assert hit, member_suffix
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info.filename, change(data) if info.filename == hit[0] else data)


def _sheet_of(path, table):
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    index = [s.title for s in book.worksheets].index(table) + 1
    book.close()
    return f"worksheets/sheet{index}.xml"


def test_invalid_and_blank_tie_types_in_a_long_table_are_reported(folder):
    set_cell(folder / "ties.csv", 0, "tie_type", "friendship")
    set_cell(folder / "ties.csv", 1, "tie_type", "")
    problems = errors_of(folder)
    assert {(p.row, p.column) for p in problems} == {(2, "tie_type"), (3, "tie_type")}
    assert any("Must be one of" in p.message for p in problems)
    assert any("'tie_type' is required" in p.message for p in problems)


def test_bad_id_with_space_or_accent_and_a_tie_to_an_unknown_id(folder):
    set_cell(folder / "organizations.csv", 5, "org_id", "Lonely Shöp")  # lonely has no ties
    set_cell(folder / "ties.csv", 0, "target_id", "nobody")
    problems = errors_of(folder)
    assert {(p.file, p.column, p.value) for p in problems} == {
        ("organizations.csv", "org_id", "Lonely Shöp"),
        ("ties.csv", "target_id", "nobody"),
    }


def test_a_blank_id_is_one_error_not_two(folder):
    set_cell(folder / "organizations.csv", 5, "org_id", "")
    set_cell(folder / "ties.csv", 0, "source_id", "")
    problems = errors_of(folder)
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("organizations.csv", 7, "org_id"),
        ("ties.csv", 2, "source_id"),
    ]
    assert not any("nan" in p.message for p in problems)


def test_a_tie_to_a_neighborhood_name_where_an_organization_is_wanted_names_its_kind(folder):
    set_cell(folder / "ties.csv", 0, "target_id", "Alder")  # a partnership lib -> Alder
    [problem] = errors_of(folder)
    assert "unknown id" not in problem.message
    assert "'Alder' is a neighborhood" in problem.message


def test_two_neighborhood_names_with_the_same_key_are_an_error(folder):
    set_cell(folder / "neighborhoods.csv", 1, "name", "ALDER.")
    problems = [p for p in errors_of(folder) if "same as 'Alder' on row 2" in p.message]
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "name", "ALDER.")]


def test_a_title_row_above_the_header_is_recognised(folder):
    path = folder / "organizations.csv"
    path.write_text(
        "Organizations of Tiny Town, 2024\n" + path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    [problem] = errors_of(folder)
    assert problem.file == "organizations.csv" and problem.row == 2
    assert "header seems to be on row 2" in problem.message


def test_a_title_row_in_a_workbook_sheet_is_recognised(folder, tmp_path):
    from openpyxl import load_workbook

    book_dir, book = _book_folder(folder, tmp_path)
    workbook = load_workbook(book)
    workbook["communities"].insert_rows(1)
    workbook["communities"]["A1"] = "Communities (draft)"
    workbook.save(book)
    [problem] = errors_of(book_dir)
    assert problem.file == "city.xlsx[communities]"
    assert "header seems to be on row 2" in problem.message


def test_corrupted_sheet_xml_inside_a_workbook_is_reported(folder, tmp_path):
    book_dir, book = _book_folder(folder, tmp_path)
    member = _sheet_of(book, "organizations")
    _rewrite_zip_member(book, member, lambda xml: xml[: len(xml) // 2] + b"<c><<</row>")
    problems = errors_of(book_dir)
    assert any(
        p.file == "city.xlsx[organizations]" and "Cannot read this sheet" in p.message
        for p in problems
    )


def test_a_workbook_declaring_millions_of_rows_is_refused_before_its_rows_are_read(
    folder, tmp_path
):
    import re

    book_dir, book = _book_folder(folder, tmp_path)
    member = _sheet_of(book, "ties")
    _rewrite_zip_member(
        book,
        member,
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:N4000000"', xml),
    )
    problems = errors_of(book_dir)
    assert any(
        p.file == "city.xlsx[ties]" and "declares 4,000,000 rows" in p.message for p in problems
    )


def test_rows_beyond_the_limit_are_not_parsed(folder, monkeypatch):
    from coalition.ingest import limits

    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    problems = errors_of(folder)  # ties.csv has 17 rows
    assert any(p.file == "ties.csv" and "more than 5 rows" in p.message for p in problems)


def test_city_toml_nested_a_thousand_levels_deep(folder):
    (folder / "city.toml").write_text("x = " + "[" * 1000 + "]" * 1000 + "\n")
    [problem] = errors_of(folder)
    assert problem.file == "city.toml" and "nested too deeply" in problem.message


def test_city_toml_setting_that_is_not_text(folder):
    (folder / "city.toml").write_text('name = "Tiny Town"\nboundary_name_field = {a = 1}\n')
    [problem] = errors_of(folder)
    assert problem.column == "boundary_name_field" and "must be text" in problem.message


@pytest.mark.parametrize("name", ["city.toml", "organizations.csv", "city.xlsx"])
def test_a_folder_in_place_of_a_file(folder, name):
    target = folder / name
    if target.exists():
        target.unlink()
    if name == "city.xlsx":
        for csv_file in folder.glob("*.csv"):
            csv_file.unlink()
    target.mkdir()
    problems = errors_of(folder)
    assert any(p.file == name and "is a folder" in p.message for p in problems)


def test_a_fifo_is_refused_without_waiting(folder):
    import os

    (folder / "communities.csv").unlink()
    os.mkfifo(folder / "communities.csv")  # reading it would wait forever for a writer
    problems = errors_of(folder)
    assert any(
        p.file == "communities.csv" and "not an ordinary file" in p.message for p in problems
    )


@pytest.mark.parametrize("replacement", ["fifo", "device", "folder"])
def test_the_boundary_file_must_be_an_ordinary_file(folder, replacement):
    import os

    boundary = folder / "neighborhoods.geojson"
    boundary.unlink()
    if replacement == "fifo":
        os.mkfifo(boundary)  # GDAL would wait forever for a writer
    elif replacement == "device":
        boundary.symlink_to("/dev/zero")
    else:
        boundary.mkdir()
    problems = errors_of(folder)
    assert any(
        p.file == "neighborhoods.geojson"
        and ("not an ordinary file" in p.message or "is a folder" in p.message)
        for p in problems
    )


def test_a_link_to_an_endless_device_is_refused(folder):
    (folder / "communities.csv").unlink()
    (folder / "communities.csv").symlink_to("/dev/zero")
    problems = errors_of(folder)
    assert any(
        p.file == "communities.csv" and "not an ordinary file" in p.message for p in problems
    )


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(folder, monkeypatch):
    import os

    path = folder / "ties.csv"
    os.truncate(path, 60 * 2**20)  # sparse: 60 MB declared, nothing to read
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read whole"))
    problems = errors_of(folder)
    assert any(p.file == "ties.csv" and "larger than 50 MB" in p.message for p in problems)


@pytest.mark.parametrize(
    "column,value,expected",
    [
        ("population", "99999999999999999999999", "Too large"),
        ("population", "1000000001", "Too large"),
        ("population_moe", "1e300", "between 0 and"),
        ("population_moe", "-3", "cannot be negative"),
    ],
)
def test_numbers_are_bounded_so_the_store_can_hold_them(folder, column, value, expected):
    set_cell(folder / "neighborhoods.csv", 0, column, value)
    [problem] = errors_of(folder)
    assert problem.column == column and expected in problem.message


def test_coordinates_out_of_range_are_refused(folder):
    set_cell(folder / "organizations.csv", 0, "lat", "241.7")
    set_cell(folder / "organizations.csv", 0, "lon", "-72.7")
    [problem] = errors_of(folder)
    assert problem.column == "lat" and "between -90 and 90" in problem.message


def test_a_large_whole_number_within_bounds_is_exact(folder):
    set_cell(folder / "neighborhoods.csv", 0, "population", "987,654,321")
    city = ingest.read_city(folder)
    assert city.tables["neighborhoods"]["population"].iloc[0] == 987_654_321


def test_ambiguous_names_suggest_every_close_match():
    matcher = names.NameMatcher.from_names(
        [("ne", "North End"), ("nea", "Northeast"), ("se", "South End")]
    )
    assert matcher.suggestions("North") == ["North End", "Northeast"]
    assert (
        names.did_you_mean("Nort End", ["North End", "Northeast", "South End"])
        == ' Did you mean "North End"?'
    )


def test_mt_is_mount():
    assert names.name_key("Mt. Pleasant") == names.name_key("Mount Pleasant")
    assert names.name_key("mt pleasant") == names.name_key("MOUNT PLEASANT")
    assert names.name_key("Mtn View") != names.name_key("Mount View")


def test_suggestions_among_thousands_use_the_index():
    ids = [
        f"org-{i:05d}-{w}"
        for i, w in zip(range(5000), ["alpha", "beta", "gamma"] * 2000, strict=False)
    ]
    suggester = names.Suggester(ids)
    assert suggester.suggest("org-01234-beta")[0] == "org-01234-beta"
    assert suggester.suggest("org-1234-beta")[0] == "org-01234-beta"
    assert suggester.suggest("zzzzzz") == []


# --- issue 12: cells read and typed a column at a time ----------------------------------------


def test_raw_table_from_rows_keeps_cells_by_column():
    raw = ingest.RawTable("t.csv", ["a", "b"], [{"a": "1", "b": "2"}, {"a": "3"}], [2, 4])
    assert raw.cells == {"a": ["1", "3"], "b": ["2", ""]}
    assert raw.rows == [{"a": "1", "b": "2"}, {"a": "3", "b": ""}]
    assert list(raw.column("zzz")) == ["", ""]


def test_csv_column_named_twice_keeps_its_last_cells(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,a\n1,2,3\n  ,  ,  \n4,5\n6,7,8\n", encoding="utf-8")
    raw, problems = ingest.read_csv_table(path)
    assert raw.columns == ["a", "b", "a"]
    assert raw.rows == [{"a": "3", "b": "2"}, {"a": "8", "b": "7"}]
    assert raw.row_numbers == [2, 5]  # the blank row 3 is skipped, the short row 4 reported
    [short] = problems
    assert short.row == 4 and "2 values but the header has 3" in short.message


def test_bad_cells_are_reported_row_by_row_then_column_by_column(folder):
    rows = read_rows(folder / "ties.csv")
    rows[0]["since"] = "2014-13"  # a later column of an earlier row...
    rows[1]["tie_type"] = "parnership"  # ...comes before an earlier column of a later row
    rows[1]["strength"] = "-1"
    rows[2]["since"] = "2014-13"  # the same bad text on another row: reported there too
    write_rows(folder / "ties.csv", rows)
    found = [(p.row, p.column) for p in errors_of(folder)]
    assert found == [(2, "since"), (3, "tie_type"), (3, "strength"), (4, "since")]


def test_spaces_around_cells_are_stripped_before_typing(folder):
    rows = read_rows(folder / "organizations.csv")
    rows[0]["name"] = "  Padded Name  "
    rows[0]["orientation"] = " Both "
    write_rows(folder / "organizations.csv", rows)
    orgs = ingest.read_city(folder).tables["organizations"]
    assert orgs["name"].iloc[0] == "Padded Name"
    assert orgs["orientation"].iloc[0] == "both"


def test_equal_list_cells_are_separate_lists(folder):
    rows = read_rows(folder / "organizations.csv")
    rows[0]["languages"] = rows[1]["languages"] = "English;Spanish"
    write_rows(folder / "organizations.csv", rows)
    languages = ingest.read_city(folder).tables["organizations"]["languages"]
    assert languages.iloc[0] == languages.iloc[1] == ["English", "Spanish"]
    languages.iloc[0].append("French")
    assert languages.iloc[1] == ["English", "Spanish"]


def test_validation_leaves_the_garbage_collector_as_it_found_it(folder):
    import gc

    assert gc.isenabled()
    ingest.validate_city(folder)
    assert gc.isenabled()
    gc.disable()
    try:
        ingest.validate_city(folder)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(DataError):
        ingest.validate_city(folder / "nope")
    assert gc.isenabled()


def test_long_names_are_keyed_like_short_ones():
    long_name = "Saint Mary's " + "x" * 300
    assert names.name_key(long_name) == names.name_key("St. Marys " + "X" * 300)
    assert names.name_key(long_name) == names.name_key(long_name)  # also once remembered


def test_matcher_suggests_after_matching():
    matcher = names.NameMatcher({"asylum-hill": "asylum-hill", "Asylum Hill": "asylum-hill"})
    assert matcher.match("ASYLUM hill") == "asylum-hill"
    assert matcher.match("Asylum Hil") is None
    assert matcher.suggestions("Asylum Hil") == ["Asylum Hill"]


def test_a_table_with_a_header_only_types_as_empty_untyped_columns(tmp_path):
    from coalition.ingest.cells import _type_table

    path = tmp_path / "navigators.csv"
    path.write_text("navigator_id,alias,source,source_date,illustrative\n", encoding="utf-8")
    raw, problems = ingest.read_csv_table(path)
    typed = _type_table("navigators", raw, problems)
    assert typed.empty and problems == []
    assert set(map(str, typed.dtypes)) == {"object"}
