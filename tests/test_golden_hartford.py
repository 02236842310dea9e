"""Golden outputs: Hartford's gaps, coverage and rank JSON stay byte-identical across refactors.

A change that alters them on purpose regenerates the files and says why in its commit:
``UPDATE_GOLDEN=1 python -m pytest tests/test_golden_hartford.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coalition import cli

HARTFORD = Path(__file__).resolve().parent.parent / "data" / "hartford"
GOLDEN = Path(__file__).resolve().parent / "golden"
COMMANDS = {
    "gaps": ["gaps", "--json"],
    "coverage": ["coverage", "--json"],
    "coverage_adjacent": ["coverage", "--rule", "adjacent", "--json"],
    "rank": ["rank", "--json"],
    "rank_k3_adjacent": ["rank", "--k", "3", "--rule", "adjacent", "--json"],
}


@pytest.fixture(scope="module")
def hartford_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("golden") / "hartford.db"
    assert cli.main(["init", str(HARTFORD), "--db", str(db)]) == 0
    return db


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_hartford_json_is_unchanged(name, hartford_db, capsys):
    capsys.readouterr()
    assert cli.main([*COMMANDS[name], "--db", str(hartford_db)]) == 0
    out = capsys.readouterr().out
    golden = GOLDEN / f"hartford_{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with UPDATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")
