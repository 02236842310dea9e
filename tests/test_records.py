"""Recording a tie or an organization on the spot: the same checks as a file, one transaction."""

from __future__ import annotations

import contextlib
import threading

import pytest

from coalition import ingest
from coalition.errors import DataError, ValidationError
from coalition.model import build_graph
from coalition.store import open_store

PROVENANCE = {"source": "working session", "source_date": "2026-11-26", "illustrative": "no"}


def tie(source, target, tie_type="partnership", **extra):
    return {"source_id": source, "target_id": target, "tie_type": tie_type, **PROVENANCE, **extra}


@pytest.fixture
def store(tmp_path, tiny_city):
    store = open_store(tmp_path / "r.db")
    store.replace_city(tiny_city)
    return store


def test_add_a_partnership(tiny_city):
    city = ingest.add_records(
        tiny_city, "ties", [tie("clinic", "lonely", strength="2", kind="met at the session")]
    )
    G = build_graph(city)
    attrs = G["clinic"]["lonely"]["partnership"]
    assert attrs["strength"] == 2 and attrs["kind"] == "met at the session"
    assert attrs["illustrative"] is False and attrs["source"] == "working session"
    assert len(tiny_city.tables["ties"]) == 17  # the input city is unchanged
    assert len(city.tables["ties"]) == 18


def test_add_an_organization_matches_its_neighborhood_forgivingly(tiny_city):
    city = ingest.add_records(
        tiny_city,
        "organizations",
        [
            {
                "org_id": "mosque",
                "name": "Birch Mosque",
                "sector": "faith",
                "orientation": "immigrant serving",
                "services": "english; youth",
                "languages": "arabic;English",
                "neighborhood": "BIRCH",
                **PROVENANCE,
            }
        ],
    )
    row = city.tables["organizations"].set_index("org_id").loc["mosque"]
    assert row["neighborhood"] == "birch" and row["orientation"] == "immigrant_serving"
    assert row["services"] == ["english", "youth"] and row["languages"] == ["Arabic", "English"]


def test_bad_records_are_refused_with_every_problem(tiny_city):
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(
            tiny_city, "ties", [tie("clinc", "lonely"), tie("lib", "alder", "serves_community")]
        )
    messages = [p.message for p in caught.value.errors]
    assert len(messages) == 2
    assert 'Did you mean "clinic"?' in messages[0]
    assert "is a neighborhood" in messages[1]


def test_duplicate_id_and_missing_source_are_refused(tiny_city):
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(
            tiny_city,
            "organizations",
            [
                {
                    "org_id": "lib",
                    "name": "Another library",
                    "sector": "library",
                    "orientation": "both",
                    "source_date": "2026",
                    "illustrative": "no",
                }
            ],
        )
    text = str(caught.value)
    assert "Duplicate id 'lib'" in text and "'source' is required" in text


def test_neighborhoods_cannot_be_added_without_polygons(tiny_city):
    with pytest.raises(DataError, match="data folder"):
        ingest.add_records(tiny_city, "neighborhoods", [{}])


def test_store_update_records_and_bumps_the_version(store):
    version = store.update(lambda city: ingest.add_records(city, "ties", [tie("clinic", "lonely")]))
    assert version == 2 == store.version()
    assert store.graph().has_edge("clinic", "lonely", key="partnership")
    assert store.info()["loaded_at"] and store.info()["updated_at"]


def test_store_update_that_fails_changes_nothing(store):
    before = store.read_city().tables["ties"]
    with pytest.raises(ValidationError):
        store.update(lambda city: ingest.add_records(city, "ties", [tie("nobody", "lonely")]))
    assert store.version() == 1
    assert store.read_city().tables["ties"].equals(before)


def test_two_people_recording_at_once_both_count(store):
    # Each change waits (up to a second) for the other to start. With BEGIN IMMEDIATE the
    # second cannot start until the first has committed, so it reads the first one's tie
    # instead of overwriting it.
    barrier = threading.Barrier(2, timeout=1.0)
    errors = []

    def record(row):
        def change(city):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            return ingest.add_records(city, "ties", [row])

        try:
            store.update(change)
        except Exception as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=record, args=(tie("clinic", "lonely"),)),
        threading.Thread(target=record, args=(tie("church", "lonely"),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    G = store.graph()
    assert G.has_edge("clinic", "lonely") and G.has_edge("church", "lonely")
    assert store.version() == 3


def test_a_tie_already_recorded_is_refused_either_way_round(tiny_city):
    with pytest.raises(ValidationError, match="already recorded"):
        ingest.add_records(tiny_city, "ties", [tie("legal", "lib")])  # stored as lib -> legal


def test_new_rows_are_numbered_after_the_stored_ones(tiny_city):
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(tiny_city, "ties", [tie("lib", "nobody")])
    [problem] = caught.value.errors
    assert (problem.file, problem.row, problem.column) == ("ties.csv", 19, "target_id")


def test_bad_and_blank_tie_types_in_several_rows_are_refused_not_crashed(tiny_city):
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(
            tiny_city,
            "ties",
            [tie("clinic", "lonely", "friendship"), tie("lib", "lonely", ""), tie("", "lonely")],
        )
    assert [(p.row, p.column) for p in caught.value.errors] == [
        (19, "tie_type"),
        (20, "tie_type"),
        (21, "source_id"),
    ]
    assert not any("nan" in p.message for p in caught.value.errors)


def test_a_neighborhood_name_where_an_organization_is_wanted_names_its_kind(tiny_city):
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(tiny_city, "ties", [tie("clinic", "Mt. Birch")])
    # not a known name either way: an unknown id, with every close organization suggested
    assert "unknown id" in caught.value.errors[0].message
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(tiny_city, "ties", [tie("clinic", "BIRCH")])
    [problem] = caught.value.errors
    assert "'BIRCH' is a neighborhood" in problem.message and "unknown" not in problem.message


def test_an_id_with_an_accent_and_a_tie_to_an_unknown_id(tiny_city):
    with pytest.raises(ValidationError) as caught:
        ingest.add_records(
            tiny_city,
            "organizations",
            [
                {
                    "org_id": "café",
                    "name": "Café",
                    "sector": "business",
                    "orientation": "both",
                    **PROVENANCE,
                }
            ],
        )
    [problem] = caught.value.errors
    assert problem.column == "org_id" and "no spaces" in problem.message
