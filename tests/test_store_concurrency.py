"""Several writers on one store at once: no edit lost or doubled, no "database is locked".

On a SQLite file and on a PostgreSQL database. Each writer is a thread with its own
:class:`~coalition.store.Store` (its own engine and connections) on the same store, as the
dashboard's sessions and a CLI run are. The writers add, change and retire rows of their own,
and all of them increment one shared counter (an organization's notes), retrying on
:class:`~coalition.errors.ConflictError`: a lost update would leave the counter short, a
doubled one long.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import text
from tiny_city import example_city

from coalition import edits, settings
from coalition.errors import ConflictError
from coalition.store import open_store

WRITERS = 4
EDITS = 25  # per writer: 5 rounds of add org, add tie, change org, retire tie, shared counter
COUNTER = ("organizations", "lonely")


def _org(org_id: str) -> dict[str, str]:
    return {
        "org_id": org_id,
        "name": f"Org {org_id}",
        "sector": "nonprofit",
        "orientation": "both",
        "source": "working session",
        "source_date": "2026-11-30",
        "illustrative": "no",
    }


def _tie(org_id: str) -> dict[str, str]:
    return {
        "source_id": org_id,
        "target_id": "lib",
        "tie_type": "partnership",
        "source": "working session",
        "source_date": "2026-11-30",
        "illustrative": "no",
    }


def _increment(store, what: str) -> int:
    """Add one to the counter's notes, reading again after each conflict; the conflicts seen."""
    conflicts = 0
    while True:
        city = store.read_city()
        count = int(edits.current_row(city, *COUNTER)["notes"] or 0)
        try:
            store.apply(
                edits.change(city, *COUNTER, {"notes": str(count + 1)}),
                what=what,
                who=what.split("-")[0],
                read_version=city.meta["version"],
            )
            return conflicts
        except ConflictError as exc:
            assert [c.change.key for c in exc.conflicts] == ["lonely"]
            assert int(exc.conflicts[0].current["notes"]) > count
            conflicts += 1


def _writer(path, w: int, barrier: threading.Barrier, failures: list, conflicts: Counter) -> None:
    store = open_store(path)
    barrier.wait()
    for i in range(EDITS):
        what = f"w{w}-e{i}"
        org_id = f"w{w}-o{i - i % 5}"
        try:
            city = store.read_city()
            step = i % 5
            if step == 0:
                changes = edits.add(city, "organizations", _org(org_id))
            elif step == 1:
                changes = edits.add(city, "ties", _tie(org_id))
            elif step == 2:
                changes = edits.change(city, "organizations", org_id, {"notes": what})
            elif step == 3:
                key = edits.tie_key(org_id, "lib", "partnership")
                changes = edits.retire(city, "ties", key, reason=what, on="2026-11-30")
            else:
                conflicts[w] += _increment(store, what)
                continue
            store.apply(changes, what=what, who=f"w{w}")
        except Exception as exc:  # every failure is counted, "database is locked" included
            failures.append((what, repr(exc)))


def _plain(tables) -> dict[str, list[dict]]:
    return {
        t: [edits.plain_row(t, r) for r in tables[t].to_dict("records")]
        for t in edits.EDITABLE_TABLES
    }


def test_writers_on_one_store_lose_and_double_nothing(store_url, monkeypatch):
    # Checkpoints are taken while the others write (every 7 edits, not every 200).
    monkeypatch.setattr(settings, "CHECKPOINT_EVERY", 7)
    path = store_url
    store = open_store(path)
    store.replace_city(example_city())
    failures: list[tuple[str, str]] = []
    conflicts: Counter = Counter()
    barrier = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_writer, args=(path, w, barrier, failures, conflicts))
        for w in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert failures == []

    total = WRITERS * EDITS
    versions = store.versions()
    assert sorted(versions["version"]) == list(range(1, total + 2))  # contiguous, none lost
    assert store.version() == total + 1
    assert Counter(versions["kind"]) == {"load": 1, "edit": total}
    saved = Counter(versions.loc[versions["kind"] == "edit", "what"])
    assert saved == Counter({f"w{w}-e{i}": 1 for w in range(WRITERS) for i in range(EDITS)})

    city = store.read_city()
    orgs = city.tables["organizations"].set_index("org_id")
    assert orgs.loc["lonely", "notes"] == str(WRITERS * EDITS // 5)  # every increment, once
    for w in range(WRITERS):
        for i in range(0, EDITS, 5):
            assert orgs.loc[f"w{w}-o{i}", "notes"] == f"w{w}-e{i + 2}"
    assert edits.keys_of("ties", city.tables["ties"]) == edits.keys_of(
        "ties", example_city().tables["ties"]
    )
    retired = store.retired("ties")
    assert sorted(retired["_retired_reason"]) == sorted(
        f"w{w}-e{i}" for w in range(WRITERS) for i in range(3, EDITS, 5)
    )

    # Each version holds the rows its writer changed, and every version reads as the one
    # before it with that version's changes applied (checkpoints were taken concurrently).
    by_what = dict(zip(versions["what"], versions["version"], strict=True))
    assert [c.key for c in store.changes_in(by_what["w1-e6"])] == ["lib|w1-o5|partnership"]
    assert [c.kind for c in store.changes_in(by_what["w2-e13"])] == ["retired"]
    previous = store.read_version(1)
    for version in range(2, total + 2):
        current = store.read_version(version)
        replayed = edits.apply_to_tables(previous.tables, store.changes_in(version))
        assert _plain(current.tables) == _plain(replayed), version
        previous = current
    assert _plain(previous.tables) == _plain(city.tables)

    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


@pytest.mark.parametrize("trial", range(3))
def test_opening_a_new_store_from_several_threads_at_once(new_store_url, trial):
    # Creating the tables in a plain transaction failed at once with "database is locked"
    # (a reader asking to write is not made to wait); they are created holding the write lock
    # (on PostgreSQL: concurrent CREATE TABLEs of one name fail, so an advisory lock).
    path = new_store_url()
    barrier = threading.Barrier(WRITERS)
    failures: list[str] = []

    def opener() -> None:
        barrier.wait()
        try:
            open_store(path)
        except Exception as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=opener) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert open_store(path).replace_city(example_city()) == 1
