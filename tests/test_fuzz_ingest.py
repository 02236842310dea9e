"""Property: whatever is done to a city's files, validation returns a report (never raises), and
a folder that validates loads into a store whole. Strategies: tests/fuzz_ingest.py (also behind
``make fuzz``, which runs 10,000 cases). Derandomized: the same cases on every run.
"""

from __future__ import annotations

import os

import fuzz_ingest as fz
import pytest
from hypothesis import HealthCheck, given, settings

from coalition import schema

# The CI budget (about 20-40 s here); raise it locally with COALITION_FUZZ_EXAMPLES=500.
EXAMPLES = int(os.environ.get("COALITION_FUZZ_EXAMPLES", "60"))


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(case=fz.cases)
def test_validate_never_crashes_and_what_validates_loads_whole(case):
    outcome = fz.run_case(case)
    assert outcome.kind in ("loaded", "refused"), (
        f"{outcome.kind} at {outcome.site}: {outcome.detail}"
    )


@pytest.mark.parametrize("base", ["template", "tiny"])
@pytest.mark.parametrize("workbook", [False, True])
def test_the_unmutated_bases_load_whole(base, workbook):
    assert fz.run_case(fz.Case(base, workbook, ())).kind == "loaded"


def test_a_mutation_that_breaks_a_table_is_refused():
    case = fz.Case("tiny", False, (fz.Mutation("column", "ties.csv", (0.0, "nobody")),))
    outcome = fz.run_case(case)
    assert outcome.kind == "refused"
    assert any("unknown id" in e for e in outcome.errors)


def test_a_file_replaced_by_a_folder_is_refused():
    case = fz.Case("template", False, (fz.Mutation("folder", "organizations.csv"),))
    outcome = fz.run_case(case)
    assert outcome.kind == "refused" and any("is a folder" in e for e in outcome.errors)


def test_the_oracle_reports_a_crash_and_a_partial_load(monkeypatch):
    def boom(folder):
        raise KeyError("nan")

    monkeypatch.setattr(fz, "validate_city", boom)
    outcome = fz.run_case(fz.Case("tiny", False, ()))
    assert outcome.kind == "crash" and outcome.detail == "KeyError: 'nan'"
    monkeypatch.undo()

    class ShortStore(fz.Store):
        def read_city(self):
            city = super().read_city()
            city.tables["ties"] = city.tables["ties"].iloc[1:]
            return city

    monkeypatch.setattr(fz, "Store", ShortStore)
    outcome = fz.run_case(fz.Case("tiny", False, ()))
    assert outcome.kind == "partial" and outcome.detail.startswith("ties: 17 rows validated")


def test_workbook_damage_is_applied():
    files = fz.apply(
        "template", [fz.Mutation("xlsx_dimension", schema.WORKBOOK_FILE, (0.0, 0.0))], workbook=True
    )
    assert schema.WORKBOOK_FILE in files and "organizations.csv" not in files
    outcome = fz.run_case(
        fz.Case(
            "template", True, (fz.Mutation("xlsx_dimension", schema.WORKBOOK_FILE, (0.0, 0.0)),)
        )
    )
    assert outcome.kind == "refused" and any("4,000,000 rows" in e for e in outcome.errors)
