"""coalition.imports: uploaded cities and tables, checked before parsing, and their preview.

Fixtures are the tiny city (tests/tiny_city.py: 4 neighborhoods, 6 organizations, 3
communities, 1 navigator, 2 committees, 17 ties) written as a folder, edited, and zipped.
"""

from __future__ import annotations

import copy
import io
import stat
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import read_rows, tiny_folder, write_rows
from tiny_city import make_tiny_city

from coalition import imports
from coalition.errors import DataError, ValidationError
from coalition.exports import export_bytes
from coalition.store import open_store

TIE_HEADER = "source_id,target_id,tie_type,kind,strength,source,source_date\n"


def zipped(folder: Path, prefix: str = "", extra: dict[str, bytes] | None = None) -> bytes:
    """The folder's files zipped under ``prefix`` (e.g. ``"hartford/"``), plus ``extra``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, arcname=prefix + path.name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def city():
    return make_tiny_city()


@pytest.fixture
def folder(tmp_path) -> Path:
    return tiny_folder(tmp_path / "tiny")


@pytest.fixture
def never_parsed(monkeypatch):
    """Fail the test if the upload reaches the city reader."""

    def refuse(_path):
        raise AssertionError("the upload was parsed")

    monkeypatch.setattr(imports, "validate_city", refuse)


# --- whole city -----------------------------------------------------------------------------------


def test_a_zip_with_the_city_in_a_folder_reads(folder, city):
    data = zipped(folder, "hartford/", {"__MACOSX/hartford/._ties.csv": b"\x00junk"})
    report = imports.validate_uploaded_city(data, "hartford.zip")
    assert report.ok, report.problems
    assert report.city.name == "Tiny Town"  # from the zip's city.toml
    assert {t: len(f) for t, f in report.city.tables.items()} == {
        "neighborhoods": 4,
        "organizations": 6,
        "communities": 3,
        "navigators": 1,
        "committees": 2,
        "ties": 17,
    }
    assert report.city.meta["source_file"] == "hartford.zip"
    assert report.city.meta["source_dir"] is None  # the temporary folder is gone
    assert imports.preview(city, report.city).is_empty


def test_without_city_toml_the_nested_folder_names_the_city(folder):
    (folder / "city.toml").unlink()
    report = imports.validate_uploaded_city(zipped(folder, "hartford/"), "upload.zip")
    assert report.ok and report.city.name == "hartford"


def test_a_workbook_takes_boundaries_and_settings_from_the_current_city(city):
    report = imports.validate_uploaded_city(export_bytes(city, "xlsx"), "Tiny.xlsx", city)
    assert report.ok, report.problems
    assert [p.severity for p in report.problems] == ["warning", "warning"]
    assert "no boundary file" in report.problems[0].message
    assert "no city.toml" in report.problems[1].message
    assert report.city.name == "Tiny Town"
    assert list(report.city.boundaries["neighborhood_id"]) == ["alder", "birch", "cedar", "dogwood"]
    assert report.city.meta["warnings"][0]["file"] == "Tiny.xlsx"


def test_a_workbook_without_a_current_city_lacks_boundaries(city):
    report = imports.validate_uploaded_city(export_bytes(city, "xlsx"), "tiny.xlsx")
    assert not report.ok
    assert any("No boundary file" in p.message for p in report.errors)


def test_a_city_with_errors_gives_the_report_with_file_row_column(folder, city):
    rows = read_rows(folder / "ties.csv")
    rows[2]["target_id"] = "nowhere"
    rows[4]["strength"] = "9"
    write_rows(folder / "ties.csv", rows)
    report = imports.validate_uploaded_city(zipped(folder, "tiny/"), "tiny.zip", city)
    assert report.city is None
    where = sorted((p.file, p.row, p.column) for p in report.errors)
    assert where == [("ties.csv", 4, "target_id"), ("ties.csv", 6, "strength")]
    with pytest.raises(ValidationError) as caught:
        imports.read_uploaded_city(zipped(folder, "tiny/"), "tiny.zip", city)
    assert len(caught.value.errors) == 2


def test_a_workbook_problem_names_the_uploaded_workbook(city, tmp_path):
    city.tables["ties"] = city.tables["ties"].assign(strength=[9] + [1] * 16)
    report = imports.validate_uploaded_city(export_bytes(city, "xlsx"), "mine.xlsx", city)
    assert [(p.file, p.row, p.column) for p in report.errors] == [
        ("mine.xlsx[ties]", 2, "strength")
    ]


def test_an_oversized_upload_is_refused_before_parsing(never_parsed):
    data = b"PK" + b"\x00" * imports.MAX_UPLOAD_BYTES
    report = imports.validate_uploaded_city(data, "big.zip")
    assert len(report.errors) == 1 and "more than the 50 MB" in report.errors[0].message
    table = imports.validate_uploaded_table(data, "ties.csv", make_tiny_city())
    assert "more than the 50 MB" in table.errors[0].message


def test_a_zip_bomb_is_refused_from_its_declared_size(monkeypatch, never_parsed):
    monkeypatch.setattr(imports, "MAX_UNZIPPED_CITY_BYTES", 1_000_000)
    data = zip_of({"city/ties.csv": b"0" * 2_000_000})
    assert len(data) < 10_000  # it compresses a thousand-fold
    report = imports.validate_uploaded_city(data, "bomb.zip")
    assert len(report.errors) == 1
    assert "unpacks to 2 MB, more than 0 MB" in report.errors[0].message


def test_a_zip_that_lies_about_its_size_is_refused_when_unpacked(never_parsed):
    data = zip_of({"city/ties.csv": b"0" * 5_000_000})
    declared, shown = struct.pack("<I", 5_000_000), struct.pack("<I", 1_000)
    assert data.count(declared) == 2  # the local header and the central directory
    lying = data.replace(declared, shown)
    assert zipfile.ZipFile(io.BytesIO(lying)).infolist()[0].file_size == 1_000
    report = imports.validate_uploaded_city(lying, "lie.zip")
    assert len(report.errors) == 1 and "cannot be unpacked" in report.errors[0].message


def test_a_member_above_the_file_limit_is_refused(monkeypatch, never_parsed):
    monkeypatch.setattr(imports.limits, "MAX_FILE_BYTES", 1_000)
    report = imports.validate_uploaded_city(zip_of({"ties.csv": b"0" * 2_000}), "c.zip")
    assert report.errors[0].value == "ties.csv"
    assert "unpacks to more than" in report.errors[0].message


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../organizations.csv", "climbs out"),
        ("city/../../ties.csv", "climbs out"),
        ("..\\..\\ties.csv", "climbs out"),
        ("/etc/ties.csv", "absolute path"),
        ("C:/Users/ties.csv", "absolute path"),
    ],
)
def test_path_traversal_names_refuse_the_whole_zip(folder, tmp_path, never_parsed, name, why):
    data = zipped(folder, "city/")
    data = _with_member(data, name, b"source_id\n")
    report = imports.validate_uploaded_city(data, "evil.zip")
    assert len(report.errors) == 1
    assert why in report.errors[0].message and "nothing was unpacked" in report.errors[0].message
    assert not (tmp_path / "ties.csv").exists() and not (tmp_path.parent / "ties.csv").exists()


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The zip with one more member whose raw name is ``name`` (zipfile would not clean it)."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # exactly as given: absolute, '..' or backslashes
        archive.writestr(info, content)
    return buffer.getvalue()


def test_a_link_in_the_zip_is_refused(never_parsed):
    info = zipfile.ZipInfo("city/ties.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    report = imports.validate_uploaded_city(buffer.getvalue(), "link.zip")
    assert "is a link" in report.errors[0].message


def test_city_files_in_two_folders_or_twice_are_refused(folder, never_parsed):
    two = zipped(folder, "a/", {"b/ties.csv": b"x"})
    assert "in 2 folders (a/, b/)" in imports.validate_uploaded_city(two, "x.zip").errors[0].message
    twice = zipped(folder, "", {"Ties.csv": b"x"})
    assert "twice" in imports.validate_uploaded_city(twice, "x.zip").errors[0].message


def test_a_zip_without_city_files_or_not_a_zip_says_what_to_do(never_parsed):
    empty = imports.validate_uploaded_city(zip_of({"notes.txt": b"hi"}), "x.zip")
    assert "holds no city files" in empty.errors[0].message
    junk = imports.validate_uploaded_city(b"hello", "x.zip")
    assert "not a zip file" in junk.errors[0].message
    with pytest.raises(DataError, match="is not a city"):
        imports.validate_uploaded_city(b"a,b\n", "ties.csv")


# --- one table ------------------------------------------------------------------------------------


def test_new_ties_are_added_and_the_city_is_unchanged(city):
    before = copy.deepcopy(city.tables["ties"])
    data = (TIE_HEADER + "clinic,lonely,partnership,fair,2,session,2026-11\n").encode()
    report = imports.validate_uploaded_table(data, "new ties.csv", city)
    assert report.ok and report.problems == []
    ties = report.city.tables["ties"]
    assert len(ties) == 18
    assert ties.iloc[-1][["source_id", "target_id", "kind", "strength"]].tolist() == [
        "clinic",
        "lonely",
        "fair",
        2,
    ]
    pd.testing.assert_frame_equal(city.tables["ties"], before)


def test_a_table_with_errors_gives_the_report_in_the_files_own_rows(city):
    data = (
        TIE_HEADER
        + "clinic,lonely,partnership,fair,2,session,2026-11\n"
        + "clinic,nobody,partnership,,2,session,2026-11\n"
        + "lib,clinic,partnership,,9,session,2026-11\n"
    ).encode()
    report = imports.validate_uploaded_table(data, "my ties.csv", city)
    assert report.city is None
    assert sorted((p.file, p.row, p.column) for p in report.errors) == [
        ("my ties.csv", 3, "target_id"),
        ("my ties.csv", 4, "strength"),
    ]
    nobody = next(p for p in report.errors if p.column == "target_id")
    assert nobody.value == "nobody"
    titled = imports.validate_uploaded_table(b"New ties\n" + data, "ties.csv", city)
    assert [(p.row, "header seems to be on row 2" in p.message) for p in titled.errors] == [
        (2, True)
    ]


def test_a_tie_already_recorded_is_replaced_not_repeated(city):
    # lib—legal exists (strength 3); written the other way round it is the same partnership.
    data = (TIE_HEADER + "legal,lib,partnership,joint desk,1,session,2026-11\n").encode()
    merged = imports.read_uploaded_table(data, "ties.csv", city)
    assert len(merged.tables["ties"]) == 17
    found = imports.preview(city, merged)
    assert found.tables["ties"].changed == ("legal|lib|partnership",)
    assert found.total == 1
    what = found.rows["What changes"][0]
    assert "strength: 3 → 1" in what and "kind: (blank) → joint desk" in what
    assert "source_id" not in what  # the ends are the same partnership


def test_organizations_rows_with_known_ids_replace_them(city):
    rows = (
        b"org_id,name,sector,orientation,source,source_date\n"
        b"lonely,Lonely Bookshop,business,receiving_community,session,2026-11\n"
        b"bakery,Cedar Bakery,business,both,session,2026-11\n"
    )
    merged = imports.read_uploaded_table(rows, "Organizations.csv", city)
    found = imports.preview(city, merged)
    assert found.tables["organizations"].added == ("bakery",)
    assert found.tables["organizations"].changed == ("lonely",)
    assert found.tables["organizations"].removed == ()
    assert len(merged.tables["organizations"]) == 7


def test_a_sheet_of_a_workbook_is_one_table(city, tmp_path):
    path = tmp_path / "ties.xlsx"
    frame = pd.DataFrame(
        [["clinic", "lonely", "partnership", "session", "2026-11"]],
        columns=["source_id", "target_id", "tie_type", "source", "source_date"],
    )
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="ties", index=False)
        frame.to_excel(writer, sheet_name="notes", index=False)
    report = imports.validate_uploaded_table(path.read_bytes(), "session.xlsx", city)
    assert report.ok and len(report.city.tables["ties"]) == 18
    missing = imports.validate_uploaded_table(path.read_bytes(), "s.xlsx", city, "communities")
    assert "no sheet named 'communities'" in missing.errors[0].message


def test_an_unknown_or_unimportable_table_is_refused(city, folder):
    unknown = imports.validate_uploaded_table(b"a,b\n1,2\n", "notes.csv", city)
    assert "Which table is this?" in unknown.errors[0].message
    hoods = (folder / "neighborhoods.csv").read_bytes()
    refused = imports.validate_uploaded_table(hoods, "neighborhoods.csv", city)
    assert "need their polygons" in refused.errors[0].message
    header_only = imports.validate_uploaded_table(TIE_HEADER.encode(), "ties.csv", city)
    assert "no rows" in header_only.errors[0].message
    with pytest.raises(DataError, match="is not a table"):
        imports.validate_uploaded_table(b"x", "ties.zip", city)


def test_guess_table():
    assert imports.guess_table("committees.CSV") == "committees"
    assert imports.guess_table("navigator.csv") == "navigators"
    assert imports.guess_table("export.csv", ["community_id", "name"]) == "communities"
    assert imports.guess_table("export.csv", ["name"]) is None


# --- preview --------------------------------------------------------------------------------------


def test_preview_counts_worked_out_by_hand(folder, city):
    # Remove Lonely Shop (no ties) and the lib—church partnership, add one community, give
    # the clinic a second service: 1 + 1 removed, 1 added, 1 changed.
    orgs = read_rows(folder / "organizations.csv")
    write_rows(folder / "organizations.csv", [r for r in orgs if r["org_id"] != "lonely"])
    for row in orgs:
        if row["org_id"] == "clinic":
            row["services"] = "health;english"
    write_rows(folder / "organizations.csv", [r for r in orgs if r["org_id"] != "lonely"])
    ties = read_rows(folder / "ties.csv")
    write_rows(
        folder / "ties.csv",
        [r for r in ties if {r["source_id"], r["target_id"]} != {"lib", "church"}],
    )
    communities = read_rows(folder / "communities.csv")
    communities.append({**communities[0], "community_id": "hmong", "name": "Hmong families"})
    write_rows(folder / "communities.csv", communities)

    incoming = imports.read_uploaded_city(zipped(folder, "tiny/"), "tiny.zip", city)
    found = imports.preview(city, incoming)
    counts = found.counts.set_index("Table")
    assert counts.to_dict("index") == {
        "neighborhoods": {"Added": 0, "Changed": 0, "Removed": 0},
        "organizations": {"Added": 0, "Changed": 1, "Removed": 1},
        "communities": {"Added": 1, "Changed": 0, "Removed": 0},
        "navigators": {"Added": 0, "Changed": 0, "Removed": 0},
        "committees": {"Added": 0, "Changed": 0, "Removed": 0},
        "ties": {"Added": 0, "Changed": 0, "Removed": 1},
    }
    assert found.total == 4 and not found.is_empty
    rows = found.rows.set_index("Key")
    assert rows.loc["clinic", "What changes"] == "services: health → health;english"
    assert rows.loc["lonely", "Change"] == "removed" and rows.loc["lonely", "Name"] == "Lonely Shop"
    assert rows.loc["hmong", "Name"] == "Hmong families"
    assert rows.loc["church|lib|partnership", "Name"] == (
        "Cedar Church — partnership — Alder Library"  # a partnership's ends in key order
    )


def test_preview_of_an_empty_store_adds_every_row(city):
    found = imports.preview(None, city)
    assert found.counts["Added"].tolist() == [4, 6, 3, 1, 2, 17]
    assert found.total == 33 and found.name_before == "" and found.name_after == "Tiny Town"


def test_a_renamed_city_is_not_empty(city):
    import dataclasses

    renamed = dataclasses.replace(city, name="Other Town")
    found = imports.preview(city, renamed)
    assert found.total == 0 and not found.is_empty


def test_the_stored_city_and_its_export_compare_equal(tmp_path, city):
    store = open_store(tmp_path / "c.db")
    store.replace_city(city)
    stored = store.read_city()
    for fmt, name in (("csv", "t.zip"), ("xlsx", "t.xlsx")):
        incoming = imports.read_uploaded_city(export_bytes(stored, fmt), name, stored)
        assert imports.preview(stored, incoming).total == 0, fmt


def test_a_current_city_without_boundaries_lends_none(city):
    import dataclasses

    bare = dataclasses.replace(city, boundaries=city.boundaries.iloc[0:0])
    report = imports.validate_uploaded_city(export_bytes(city, "xlsx"), "t.xlsx", bare)
    assert any("No boundary file" in p.message for p in report.errors)
