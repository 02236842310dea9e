"""A writer killed (SIGKILL) at a random moment leaves the store at the version before or after.

A child process writes in a loop: whole cities (``replace_city`` of two synthetic cities in
turn) or row edits (``apply``, with a checkpoint every 3 edits). The test kills it at a random
moment, opens the store again and checks that it holds exactly one of the versions the child
could have left, that every kept version still reads as it was, that the versions table agrees
with the store's version, and that SQLite's integrity check passes. On SQLite and on PostgreSQL
(where the server rolls back the killed session's transaction).
"""

from __future__ import annotations

import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from tiny_city import example_city

from coalition import edits, settings
from coalition.analysis.synthetic import make_synthetic_city
from coalition.model import CityData
from coalition.store import open_store

TESTS = Path(__file__).resolve().parent
ORGS = ("lib", "legal", "church", "assoc", "clinic", "lonely")


def _synthetic(seed: int) -> CityData:
    return make_synthetic_city(orgs=400, ties=3000, areas=60, seed=seed)


def edit_number(city: CityData, k: int) -> list[edits.RowChange]:
    """The child's k-th edit (k = 1, 2, ...): every third adds an organization, others change
    one of the tiny city's organizations' notes."""
    if k % 3 == 0:
        cells = {
            "org_id": f"k{k}",
            "name": f"Added {k}",
            "sector": "nonprofit",
            "orientation": "both",
            "source": "kill test",
            "source_date": "2026-11-30",
            "illustrative": "yes",
        }
        return edits.add(city, "organizations", cells)
    return edits.change(city, "organizations", ORGS[k % len(ORGS)], {"notes": f"e{k}"})


def child(path: str, mode: str, cities: str) -> None:
    """The writer the test kills: loops until it is killed, printing each version it saved."""
    store = open_store(path)
    if mode == "replace":
        with open(cities, "rb") as f:
            first, second = pickle.load(f)
        for k in range(10**6):
            version = store.replace_city(second if k % 2 == 0 else first)
            print(version, flush=True)
    else:
        settings.CHECKPOINT_EVERY = 3
        for k in range(1, 10**6):
            version = store.apply(edit_number(store.read_city(), k), what=f"edit {k}")
            print(version, flush=True)


def _run_and_kill(paths: list[str], mode: str, cities: Path, seed: int) -> list[int]:
    """Start one child per store (at once: the test pays for one start-up), kill each at a
    random moment once it saved once; the last version each reported saving."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = []
    for path in paths:
        code = (
            f"import sys; sys.path.insert(0, {str(TESTS)!r}); import test_store_kill as t; "
            f"t.child({str(path)!r}, {mode!r}, {str(cities)!r})"
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", code],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
        )
    firsts = [process.stdout.readline() for process in processes]  # each saved once
    for process, first in zip(processes, firsts, strict=True):
        if not first.strip():
            process.kill()
            pytest.fail(process.communicate()[1].decode())
    rng = random.Random(seed)
    started = time.monotonic()
    for at, process in sorted(
        ((rng.uniform(0.0, 0.8), p) for p in processes), key=lambda pair: pair[0]
    ):
        time.sleep(max(0.0, started + at - time.monotonic()))
        process.send_signal(signal.SIGKILL)
    last = []
    for process, first in zip(processes, firsts, strict=True):
        process.wait(timeout=60)
        # Read through the file object: readline() may have buffered lines past the first one,
        # which communicate() (reading the pipe itself) would miss.
        out = process.stdout.read()
        process.stdout.close()
        process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        last.append(int([first, *out.split()][-1]))
    return last


def _plain(city: CityData, tables=(*edits.EDITABLE_TABLES, "neighborhoods")) -> dict:
    return {t: [edits.plain_row(t, r) for r in city.tables[t].to_dict("records")] for t in tables}


def _check_store(path: str) -> int:
    """Integrity, and the versions table against the store's version; returns the version."""
    store = open_store(path)
    version = store.version()
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert sorted(store.versions()["version"]) == list(range(1, version + 1))
    return version


KILLS = 3  # children per test, each killed at its own random moment


def test_killed_import_leaves_the_old_or_the_new_city(tmp_path, new_store_url):
    first, second = _synthetic(1), _synthetic(2)
    cities = tmp_path / "cities.pickle"
    cities.write_bytes(pickle.dumps((first, second)))
    paths = [new_store_url() for _ in range(KILLS)]
    for path in paths:
        open_store(path).replace_city(first)
    expected = {1: _plain(first), 0: _plain(second)}  # odd versions hold the first city
    for path, printed in zip(paths, _run_and_kill(paths, "replace", cities, 13), strict=True):
        version = _check_store(path)
        assert version in (printed, printed + 1)  # the last write it reported, or the next
        store = open_store(path)
        now = _plain(store.read_city())
        assert now == expected[version % 2] and now != expected[1 - version % 2]
        assert _plain(store.read_version(version - 1), edits.EDITABLE_TABLES) == {
            t: rows for t, rows in expected[1 - version % 2].items() if t != "neighborhoods"
        }
        assert store.replace_city(first) == version + 1  # and it takes writes again


def test_killed_editor_leaves_the_edits_it_saved_and_no_half_edit(tmp_path, new_store_url):
    paths = [new_store_url() for _ in range(KILLS)]
    for path in paths:
        open_store(path).replace_city(example_city())
    expected = [example_city()]  # expected[n]: the city after n edits
    for path, printed in zip(paths, _run_and_kill(paths, "edits", tmp_path, 31), strict=True):
        version = _check_store(path)
        assert version in (printed, printed + 1)
        store = open_store(path)
        for k in range(len(expected), version):
            expected.append(edits.apply_changes(expected[-1], edit_number(expected[-1], k)))
        assert _plain(store.read_city(), edits.EDITABLE_TABLES) == _plain(
            expected[version - 1], edits.EDITABLE_TABLES
        )
        for kept in range(1, version + 1):  # every version: checkpoints and replayed edits
            assert _plain(store.read_version(kept), edits.EDITABLE_TABLES) == _plain(
                expected[kept - 1], edits.EDITABLE_TABLES
            ), kept
        assert [c.key for c in store.changes_in(version)] == [
            c.key for c in edit_number(expected[version - 2], version - 1)
        ]
