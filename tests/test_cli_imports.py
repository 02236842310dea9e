"""What each command loads: a verb imports what it needs when it needs it, and nothing heavy else.

Each verb runs in a fresh Python process (this checkout first on the path) that writes its
``sys.modules`` to a file when the verb has finished; the tests assert which modules are and are
not there. Behaviour, not time: a module that is never imported costs nothing, on any machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import tiny_folder

import coalition
from coalition import analysis, cli
from coalition.exports import export_city
from coalition.ingest import read_city

ROOT = Path(coalition.__file__).resolve().parent.parent
PROBE = (
    "import json, os, sys\n"
    "from coalition.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "with open(os.environ['MODULES_OUT'], 'w', encoding='utf-8') as out:\n"
    "    json.dump(sorted(sys.modules), out)\n"
    "sys.exit(code)\n"
)
# Never for a command-line verb: the dashboard and what only it draws with.
NEVER = {"streamlit", "coalition.dashboard", "pyvis", "matplotlib"}
# The map files' libraries, and the workbook reader (only for a folder holding a city.xlsx).
MAPS = {"folium", "branca", "jinja2", "coalition.maps"}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The tiny city as a CSV folder, as a workbook folder, and loaded into a store."""
    tmp = tmp_path_factory.mktemp("cli-imports")
    folder = tiny_folder(tmp / "tiny")
    book = tmp / "book"
    book.mkdir()
    export_city(read_city(folder), "xlsx", book / "city.xlsx")
    for name in ("neighborhoods.geojson", "city.toml"):
        (book / name).write_bytes((folder / name).read_bytes())
    db = tmp / "c.db"
    assert cli.main(["init", str(folder), "--db", str(db)]) == 0
    return {"folder": folder, "book": book, "db": db, "tmp": tmp}


def modules_after(city: dict[str, Path], *argv: str) -> set[str]:
    """The modules a fresh ``coalition <argv>`` process holds when the verb has finished."""
    out = city["tmp"] / "modules.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "COALITION_DB": str(city["db"]),
        "MODULES_OUT": str(out),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        env=env,
        cwd=city["tmp"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    names = set(json.loads(out.read_text(encoding="utf-8")))
    assert "coalition.cli" in names  # the probe saw the verb's process
    return names


def loaded(names: set[str], packages: set[str]) -> set[str]:
    """Which of ``packages`` (or their submodules) are among ``names``."""
    return {p for p in packages if any(n == p or n.startswith(p + ".") for n in names)}


def test_gaps_loads_neither_the_plan_solver_nor_maps_nor_workbooks(city):
    names = modules_after(city, "gaps", "--json")
    assert "coalition.analysis.gaps" in names
    assert not loaded(
        names, NEVER | MAPS | {"scipy.optimize", "coalition.analysis.planning", "openpyxl"}
    )


def test_coverage_loads_no_scipy_at_all(city):
    names = modules_after(city, "coverage")
    assert "coalition.analysis.coverage" in names
    assert not loaded(names, NEVER | MAPS | {"scipy", "coalition.analysis.gaps", "openpyxl"})


def test_rank_loads_the_plan_but_no_maps_or_dashboard(city):
    names = modules_after(city, "rank", "--json")
    assert "coalition.analysis.planning" in names
    assert not loaded(names, NEVER | MAPS | {"openpyxl"})


def test_info_runs_no_analysis(city):
    names = modules_after(city, "info", "--json")
    assert "coalition.store" in names
    assert not loaded(
        names, NEVER | MAPS | {"scipy", "coalition.analysis.gaps", "coalition.ingest", "openpyxl"}
    )


def test_validate_of_a_csv_folder_reads_no_workbook_and_opens_no_store(city):
    names = modules_after(city, "validate", str(city["folder"]))
    assert "coalition.ingest" in names
    assert not loaded(names, NEVER | MAPS | {"openpyxl", "sqlalchemy", "scipy"})


def test_validate_of_a_workbook_folder_does_load_the_workbook_reader(city):
    # The counterpart of the test above: the probe does see a lazily imported reader.
    names = modules_after(city, "validate", str(city["book"]))
    assert "openpyxl" in names
    assert not loaded(names, NEVER | MAPS | {"sqlalchemy"})


def test_maps_load_the_map_libraries_but_not_the_dashboard(city):
    names = modules_after(city, "maps", "--out", str(city["tmp"] / "maps"))
    assert loaded(names, MAPS) == MAPS
    assert not loaded(names, NEVER | {"scipy.optimize", "openpyxl"})


def test_importing_the_analysis_package_loads_no_analysis():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, coalition.analysis; print(json.dumps(sorted(sys.modules)))",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    names = set(json.loads(done.stdout))
    assert "coalition.analysis" in names
    assert not {n for n in names if n.startswith("coalition.analysis.")}
    assert not loaded(names, {"scipy", "igraph"})


def test_every_public_analysis_name_resolves_to_its_module():
    import coalition.analysis.gaps as gaps
    import coalition.analysis.planning as planning

    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
        assert name in dir(analysis)
    assert analysis.find_gaps is gaps.find_gaps
    assert analysis.plan_committees is planning.plan_committees
    from coalition.analysis import COVERAGE_RULES, refresh

    assert COVERAGE_RULES == ("own", "adjacent", "distance")
    assert callable(refresh)


def test_an_unknown_analysis_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'find_gap'"):
        _ = analysis.find_gap
    with pytest.raises(ImportError):
        from coalition.analysis import find_gap  # noqa: F401
