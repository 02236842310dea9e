"""docs/data-format.md documents every column and tie type; data/template/ follows the schema."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

from coalition import schema
from coalition.ingest import validate_city

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
TEMPLATE = ROOT / "data" / "template"


def section(title: str) -> str:
    """The text of a markdown section, from its heading to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(title)}.*?$(.*?)(?=^#+ |\Z)", DOC, re.M | re.S)
    assert match, f"no section {title!r} in docs/data-format.md"
    return match.group(1)


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_every_column_is_documented_with_type_and_requirement(table):
    text = section(f"{table}.csv")
    for column in schema.TABLES[table]:
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| `{column.name}` |")), None)
        assert line, f"{table}.{column.name} is not documented"
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1].startswith(column.type)
        assert cells[2] == ("yes" if column.required else "no")
    assert "```csv" in text  # an example row


def test_every_tie_type_is_documented_with_its_ends():
    text = section("Tie types")
    for tie_type, (source_kind, target_kind) in schema.TIE_TYPES.items():
        assert f"| `{tie_type}` | {source_kind} | {target_kind} |" in text, tie_type
    for tie_type in schema.DERIVED_TIE_TYPES:
        row = next(ln for ln in text.splitlines() if ln.startswith(f"| `{tie_type}` |"))
        assert "never in ties.csv" in row


def test_every_vocabulary_word_is_documented():
    text = section("Vocabularies")
    words = [
        *schema.SERVICES,
        *schema.ORIENTATIONS,
        *schema.ANCHOR_TYPES,
        *schema.COMMUNITY_KINDS,
        *schema.COMMITTEE_STATUSES,
        *schema.TIE_TYPES_IN_FILE,
    ]
    for word in words:
        assert f"`{word}`" in text, word


@pytest.mark.parametrize(
    "topic",
    [
        "byte-order mark",
        "Windows-1252",
        "semicolon",
        "city.xlsx",
        "Saint",
        "did you mean",
        "illustrative",
        "source_date",
        "boundary_name_field",
        "metric_crs",
        "neighborhoods.gpkg",
        "zipped Shapefile",
    ],
)
def test_the_rules_are_documented(topic):
    assert topic.lower() in DOC.lower()


def test_generated_section_matches_the_schema():
    spec = importlib.util.spec_from_file_location(
        "build_hartford_sample_doc", ROOT / "scripts" / "build_hartford_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        expected = module.schema_markdown()
    finally:
        sys.modules.pop(spec.name, None)
    assert expected in DOC, "docs/data-format.md is stale: run make sample"


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_template_table_has_exactly_the_schema_columns(table):
    with open(TEMPLATE / f"{table}.csv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert header == schema.column_names(table)
    assert len(rows) == 1, "one example row"
    example = dict(zip(header, rows[0], strict=True))
    assert example["illustrative"] == "yes"
    assert example["source"]


def test_template_city_toml_and_boundary():
    config = tomllib.loads((TEMPLATE / "city.toml").read_text(encoding="utf-8"))
    assert set(config) == {"name", "metric_crs", "boundary_name_field"}
    boundary = json.loads((TEMPLATE / "neighborhoods.geojson").read_text(encoding="utf-8"))
    assert len(boundary["features"]) == 1
    feature_name = boundary["features"][0]["properties"][config["boundary_name_field"]]
    with open(TEMPLATE / "neighborhoods.csv", encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["name"] == feature_name
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    assert "city.xlsx" in readme and "coalition validate" in readme


def test_template_is_a_valid_city():
    report = validate_city(TEMPLATE)
    assert report.ok, [str(p) for p in report.problems]
    assert report.warnings == []
