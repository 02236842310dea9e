"""The store: round trips, versions, WAL, and all-or-nothing loads (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from helpers import set_cell, tiny_folder
from sqlalchemy import text

from coalition import store as store_module
from coalition.errors import StoreError, ValidationError
from coalition.model import build_graph, summary


@pytest.fixture
def store(store_url):
    return store_module.open_store(store_url)


def test_empty_store(store):
    assert store.is_empty() and store.version() == 0
    with pytest.raises(StoreError, match="coalition init"):
        store.read_city()


def test_round_trip_keeps_every_value(store, tiny_city):
    assert store.replace_city(tiny_city) == 1
    back = store.read_city()
    assert back.name == "Tiny Town" and back.metric_crs == "EPSG:32618"
    for name, frame in tiny_city.tables.items():
        left = frame.astype(object).where(frame.notna(), None).to_dict("records")
        right = back.tables[name].astype(object).where(back.tables[name].notna(), None)
        assert left == right.to_dict("records"), name
    assert summary(store.graph()) == summary(build_graph(tiny_city))
    assert back.boundaries.geometry.equals(tiny_city.boundaries.geometry)


def test_version_changes_on_every_load(store, tiny_city):
    store.replace_city(tiny_city)
    store.replace_city(tiny_city)
    assert store.version() == 2


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = store_module.open_store(tmp_path / "s.db")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_failed_write_leaves_previous_contents(store, tiny_city):
    store.replace_city(tiny_city)
    broken_boundaries = tiny_city.boundaries.copy()
    broken_boundaries.loc[0, "geometry"] = None  # NOT NULL violation half-way through the load
    other = dataclasses.replace(tiny_city, name="Other", boundaries=broken_boundaries)
    with pytest.raises(StoreError, match="nothing was changed"):
        store.replace_city(other)
    assert store.version() == 1
    assert store.read_city().name == "Tiny Town"
    assert len(store.read_city().tables["organizations"]) == 6


def test_datasets_summarise_provenance(store, tiny_city):
    store.replace_city(tiny_city)
    frame = store.datasets().set_index("table")
    assert frame.loc["organizations", "rows"] == 6
    assert frame.loc["organizations", "illustrative_rows"] == 6
    assert frame.loc["neighborhoods", "illustrative_rows"] == 0
    assert frame.loc["ties", "latest_source_date"] == "2024-01"


def test_ensure_loaded_only_fills_an_empty_store(store, tmp_path):
    folder = tiny_folder(tmp_path / "tiny")
    assert store_module.ensure_loaded(store, folder) is True
    assert store_module.ensure_loaded(store, folder) is False
    assert store.version() == 1


def test_ensure_loaded_with_a_bad_folder_keeps_the_store_empty(store, tmp_path):
    folder = tiny_folder(tmp_path / "tiny")
    set_cell(folder / "ties.csv", 0, "target_id", "nobody")
    with pytest.raises(ValidationError):
        store_module.ensure_loaded(store, folder)
    assert store.is_empty()


def test_unusable_url_is_a_store_error(tmp_path):
    with pytest.raises(StoreError):
        store_module.open_store("nosuchdialect://x")


def test_tables_are_frames_with_schema_columns(store, tiny_city):
    store.replace_city(tiny_city)
    ties = store.read_city().tables["ties"]
    assert isinstance(ties, pd.DataFrame)
    assert list(ties.columns[:3]) == ["source_id", "target_id", "tie_type"]


# --- history keeps whole cities; restore --------------------------------------------------------


def _other(city):
    shifted = city.boundaries.copy()
    shifted["geometry"] = shifted.geometry.translate(0.5, 0.5)
    return dataclasses.replace(city, name="Other Town", metric_crs="EPSG:32619", boundaries=shifted)


def test_restore_brings_back_a_replaced_city_whole(store, tiny_city):
    store.replace_city(tiny_city)
    store.replace_city(_other(tiny_city))
    assert store.restore(1) == 3  # a restore is itself a new version
    back = store.read_city()
    assert (back.name, back.metric_crs) == ("Tiny Town", "EPSG:32618")
    assert back.boundaries.geometry.equals(tiny_city.boundaries.geometry)
    for name, frame in tiny_city.tables.items():
        assert len(back.tables[name]) == len(frame), name
    assert store.versions()["what"].tolist() == [
        "restored version 1 (Tiny Town)",
        "loaded Other Town",
        "loaded Tiny Town",
    ]
    assert store.restore(2) == 4 and store.read_city().name == "Other Town"
    assert store.read_city().boundaries.geometry.equals(_other(tiny_city).boundaries.geometry)


def test_read_version_names_the_city_of_that_version(store, tiny_city):
    store.replace_city(tiny_city)
    store.replace_city(_other(tiny_city))
    assert store.read_version(1).name == "Tiny Town"
    assert store.read_version(2).name == "Other Town"


def test_restore_of_an_unknown_version_changes_nothing(store, tiny_city):
    store.replace_city(tiny_city)
    with pytest.raises(StoreError, match="Version 5 is not in the store's history"):
        store.restore(5)
    assert store.version() == 1


def test_restore_of_a_version_saved_without_boundaries_says_so(store, tiny_city):
    store.replace_city(tiny_city)
    with store.engine.begin() as conn:  # as a store written before boundaries were kept
        conn.execute(store_module.HISTORY_CITY.delete())
    store.replace_city(_other(tiny_city))
    with pytest.raises(StoreError, match="before the store kept boundaries"):
        store.restore(1)
    assert store.version() == 2 and store.read_city().name == "Other Town"


def test_boundaries_are_kept_once_per_distinct_set(store, tiny_city):
    store.replace_city(tiny_city)
    store.replace_city(tiny_city)  # same polygons: one set
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM boundary_sets")).scalar() == 1
    store.replace_city(_other(tiny_city))
    store.replace_city(_other(tiny_city))  # every version is kept: two sets, four versions
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM boundary_sets")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM history_city")).scalar() == 4
    assert store.restore(1) == 5 and store.read_city().name == "Tiny Town"


def test_the_automatic_sample_is_remembered_until_the_next_load(store, tmp_path, tiny_city):
    assert store_module.ensure_loaded(store, tiny_folder(tmp_path / "tiny")) is True
    assert store.info()["loaded_automatically"] is True
    store.update(lambda city: city, what="Recorded: nothing")
    assert store.info()["loaded_automatically"] is True  # still the sample, with an edit
    store.replace_city(tiny_city)  # loaded on purpose
    assert "loaded_automatically" not in store.info()


def test_a_missing_store_is_not_created_when_it_must_exist(tmp_path):
    with pytest.raises(StoreError, match=r"is empty: run `coalition init DIR`"):
        store_module.open_store(tmp_path / "none.db", must_exist=True)
    assert not (tmp_path / "none.db").exists()


def test_the_empty_message_says_what_to_do(store):
    with pytest.raises(StoreError) as caught:
        store.read_city()
    assert str(caught.value).endswith(
        "is empty: run `coalition init DIR` to load a city folder "
        "(`coalition sample DIR` writes the sample city to try)."
    )
