"""The Hartford sample folder: real where it can be, illustrative rows flagged, reproducible."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from coalition import schema
from coalition.ingest import read_city

ROOT = Path(__file__).resolve().parent.parent
HARTFORD = ROOT / "data" / "hartford"
OFFICIAL_NAMES = {
    "Asylum Hill",
    "Barry Square",
    "Behind the Rocks",
    "Blue Hills",
    "Clay Arsenal",
    "Downtown",
    "Frog Hollow",
    "North Meadows",
    "Northeast",
    "Parkville",
    "Sheldon-Charter Oak",
    "South End",
    "South Green",
    "South Meadows",
    "Southwest",
    "Upper Albany",
    "West End",
}
REAL_ORG_IDS = {
    "hpl_tap",
    "cc_mris",
    "cc_ahfc",
    "ahna",
    "hhc",
    "clp",
    "sjc",
    "lcs",
    "hsc",
    "ciri",
    "iris",
    "circ",
    "jfs_greenwich",
    "hart",
    "cria",
    "c4d",
    "cira",
    "ctfhc",
    "ct_dcp",
    "hrrjc",
    "hfpg",
}


def rows(table: str, folder: Path = HARTFORD) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def build_module():
    spec = importlib.util.spec_from_file_location(
        "build_hartford_sample", ROOT / "scripts" / "build_hartford_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_folder_reads_and_validates():
    city = read_city(HARTFORD)
    assert city.name == "Hartford, Connecticut"
    assert len(city.tables["neighborhoods"]) == 17
    assert city.metric_crs == "EPSG:6433"


def test_seventeen_official_neighborhoods_match_the_boundary_names():
    names = {r["name"] for r in rows("neighborhoods")}
    assert names == OFFICIAL_NAMES
    boundary = json.loads((HARTFORD / "neighborhoods.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["name"] for f in boundary["features"]} == OFFICIAL_NAMES
    ids = [r["neighborhood_id"] for r in rows("neighborhoods")]
    assert "northeast" in ids and "sheldon-charter-oak" in ids and len(set(ids)) == 17


def test_boundary_coordinates_are_rounded_to_six_decimals():
    text = (HARTFORD / "neighborhoods.geojson").read_text(encoding="utf-8")
    boundary = json.loads(text)
    ring = boundary["features"][0]["geometry"]["coordinates"][0][0]
    assert all(round(value, 6) == value for point in ring for value in point)
    assert "crs" not in boundary  # RFC 7946: lon/lat WGS84


def test_neighborhoods_sum_to_the_city_within_half_a_percent():
    table = rows("neighborhoods")
    population = sum(int(r["population"]) for r in table)
    foreign_born = sum(int(r["foreign_born"]) for r in table)
    assert abs(population - 119_970) <= 0.005 * 119_970
    assert abs(foreign_born - 27_598) <= 0.005 * 27_598
    for row in table:
        assert int(row["foreign_born"]) <= int(row["population"])
        assert float(row["population_moe"]) > 0 and float(row["foreign_born_moe"]) > 0
        assert row["illustrative"] == "no" and "B05001" in row["source"]
        assert row["limited_english"] == ""  # no per-neighborhood figure is invented


def test_twenty_one_real_organizations_with_their_sources():
    orgs = {r["org_id"]: r for r in rows("organizations")}
    real = {k: r for k, r in orgs.items() if r["illustrative"] == "no"}
    assert set(real) == REAL_ORG_IDS
    assert all(r["source"].startswith("http") for r in real.values())
    assert orgs["hpl_tap"]["neighborhood"] == "Downtown"
    assert orgs["cc_ahfc"]["neighborhood"] == orgs["ahna"]["neighborhood"] == "Asylum Hill"
    assert orgs["hsc"]["neighborhood"] == "South Green"
    # Neighborhood only where the source states it.
    stated = {"hpl_tap", "cc_ahfc", "ahna", "hsc"}
    assert all(r["neighborhood"] == "" for k, r in real.items() if k not in stated)
    illustrative = [r for r in orgs.values() if r["illustrative"] == "yes"]
    assert 25 <= len(illustrative) <= 35
    assert all(r["source"] == "illustrative sample" for r in illustrative)


def test_sixteen_sourced_ties_present():
    raw = rows("hartford_org_ties_from_sources", HARTFORD / "raw" / "organizations")
    ties = rows("ties")
    sourced = {
        (t["source_id"], t["target_id"], t["kind"], t["source"])
        for t in ties
        if t["tie_type"] == "partnership" and t["illustrative"] == "no"
    }
    assert len(raw) == 16
    for tie in raw:
        assert (
            tie["source_org_id"],
            tie["target_org_id"],
            tie["tie_description"],
            tie["source_url"],
        ) in sourced


def test_asylum_hill_committee_is_active_and_real():
    committees = {r["committee_id"]: r for r in rows("committees")}
    asylum_hill = committees["wc-asylum-hill"]
    assert asylum_hill["status"] == "active" and asylum_hill["illustrative"] == "no"
    assert asylum_hill["neighborhood"] == "Asylum Hill"
    others = [r for k, r in committees.items() if k != "wc-asylum-hill"]
    assert {r["status"] for r in others} == {"forming", "none"}
    assert all(r["illustrative"] == "yes" for r in others)


def test_every_row_has_provenance_and_illustrative_rows_say_so():
    for table in schema.TABLES:
        for row in rows(table):
            assert row["source"] and row["source_date"], (table, row)
            assert row["illustrative"] in ("yes", "no"), (table, row)
            if row["source"] == "illustrative sample":
                assert row["illustrative"] == "yes", (table, row)
            if row["illustrative"] == "no":
                assert row["source"] != "illustrative sample", (table, row)


def test_made_up_ties_are_flagged():
    real_ids = (
        REAL_ORG_IDS
        | {
            "puerto-rican",
            "karen",
            "bhutanese-nepali",
            "arabic-speaking",
            "somali",
            "wc-asylum-hill",
        }
        | {r["neighborhood_id"] for r in rows("neighborhoods")}
    )
    for tie in rows("ties"):
        if tie["illustrative"] == "no":
            # A real tie joins real nodes and cites a real source.
            assert tie["source_id"] in real_ids and tie["target_id"] in real_ids, tie
            assert tie["source"].startswith(("http", "U.S. Census Bureau")), tie
        if tie["tie_type"] in ("mentors", "volunteers_with"):
            assert tie["illustrative"] == "yes"


def test_lives_in_residents_never_exceed_plausible_counts():
    population = {r["neighborhood_id"]: int(r["population"]) for r in rows("neighborhoods")}
    by_name = {r["name"]: r["neighborhood_id"] for r in rows("neighborhoods")}
    living: dict[str, int] = {}
    for tie in rows("ties"):
        if tie["tie_type"] == "lives_in":
            hood = by_name.get(tie["target_id"], tie["target_id"])
            living[hood] = living.get(hood, 0) + int(tie["residents"])
    assert all(living[h] <= population[h] for h in living)


def test_navigators_are_aliases_only():
    navigators = rows("navigators")
    assert len(navigators) == 10
    assert set(navigators[0]) == set(schema.column_names("navigators"))
    for nav in navigators:
        assert nav["alias"].startswith("Navigator ") and len(nav["alias"]) == len("Navigator A")
        assert nav["illustrative"] == "yes"


def test_puerto_rican_count_is_the_real_one():
    communities = {r["community_id"]: r for r in rows("communities")}
    assert communities["puerto-rican"]["estimated_residents"] == "18253"
    assert communities["puerto-rican"]["illustrative"] == "no"
    # No metro-area figure is presented as city residents.
    for community_id, row in communities.items():
        if community_id != "puerto-rican":
            assert row["estimated_residents"] == ""
    assert {r["community_kind"] for r in communities.values()} == {"immigrant", "receiving"}


def test_sources_file_covers_every_raw_file_and_the_comparison():
    text = (HARTFORD / "SOURCES.md").read_text(encoding="utf-8")
    for path in sorted((HARTFORD / "raw").rglob("*")):
        if path.is_file():
            assert str(path.relative_to(HARTFORD)) in text, path
    for name in (
        "neighborhoods.csv",
        "organizations.csv",
        "ties.csv",
        "communities.csv",
        "committees.csv",
        "navigators.csv",
        "neighborhoods.geojson",
        "city.toml",
    ):
        assert name in text
    assert "DataHaven" in text and "South End & South Meadows" in text
    assert "MIT" in text and "ODC-PDDL" in text


def test_build_is_reproducible(build_module, tmp_path):
    result = build_module.build(HARTFORD / "raw", tmp_path)
    assert {p.name for p in result.files} == {
        *(f"{t}.csv" for t in schema.TABLES),
        "neighborhoods.geojson",
        "city.toml",
        "SOURCES.md",
    }
    for path in result.files:
        committed = HARTFORD / path.name
        assert path.read_bytes() == committed.read_bytes(), f"{path.name} differs: run make sample"


def test_build_refuses_figures_that_miss_the_city_totals(build_module, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "CITY_POPULATION", 150_000)
    with pytest.raises(SystemExit, match="total"):
        build_module.build(HARTFORD / "raw", tmp_path)


def test_datahaven_comparison_merges_south_end_and_south_meadows(build_module):
    tracts = build_module.read_tracts(HARTFORD / "raw")
    polygons = build_module.read_neighborhood_polygons(HARTFORD / "raw")
    figures = build_module.neighborhood_figures(tracts, polygons, HARTFORD / "raw")
    comparison = figures.comparison.set_index("unit")
    assert len(comparison) == 15  # 16 DataHaven units for Hartford, North Meadows unpublished
    table = figures.table.set_index("name")
    merged = comparison.loc["South End & South Meadows"]
    assert merged["population"] == (
        table.loc["South End", "population"] + table.loc["South Meadows", "population"]
    )
    assert merged["datahaven_population"] == 13877
