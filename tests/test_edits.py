"""Row edits (coalition.edits) on the tiny example city, with answers worked out by hand.

The city (coalition/examples.py): organizations lib, legal, church, assoc, clinic, lonely;
partnerships lib-legal (3), lib-assoc (2), lib-church (1), legal-clinic (2); lib and legal
serve latino, clinic serves karen, church serves longtime, legal serves Birch; nav1 mentors
latino and volunteers with lib; assoc is a member of wc-alder (active); wc-cedar is forming.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from tiny_city import example_city

from coalition import edits
from coalition.edits import RowChange
from coalition.errors import ValidationError

TODAY = dt.date.today().isoformat()


def _org(**cells: str) -> dict[str, str]:
    return {
        "org_id": "newcomers",
        "name": "Newcomer Center",
        "sector": "nonprofit",
        "orientation": "immigrant_serving",
        "services": "legal; english",
        "languages": "Spanish;Arabic",
        "neighborhood": "Birch",  # a name: stored as the neighborhood's id
        "source": "working session",
        "source_date": "2026-11-30",
        "illustrative": "no",
        **cells,
    }


def _tie(source: str, target: str, tie_type: str = "partnership", **cells: str) -> dict:
    return {
        "source_id": source,
        "target_id": target,
        "tie_type": tie_type,
        "source": "working session",
        "source_date": "2026-11-30",
        "illustrative": "no",
        **cells,
    }


def _problems(error: pytest.ExceptionInfo) -> list[tuple]:
    return [(p.file, p.column, p.value) for p in error.value.problems]


def _plain(tables: dict[str, pd.DataFrame], table: str) -> list[dict]:
    return [edits.plain_row(table, r) for r in tables[table].to_dict("records")]


def _same_city(left, right) -> None:
    for table in edits.EDITABLE_TABLES:
        assert _plain(left.tables, table) == _plain(right.tables, table), table


# --- keys and plain rows --------------------------------------------------------------------


def test_tie_key_sorts_only_partnership_ends():
    assert edits.tie_key("lib", "legal", "partnership") == "legal|lib|partnership"
    assert edits.tie_key("legal", "lib", "partnership") == "legal|lib|partnership"
    assert edits.tie_key("nav1", "lib", "volunteers_with") == "nav1|lib|volunteers_with"


def test_row_key_and_keys_of_every_table():
    city = example_city()
    assert edits.row_key("committees", {"committee_id": "wc-alder"}) == "wc-alder"
    assert edits.keys_of("organizations", city.tables["organizations"]) == [
        "lib",
        "legal",
        "church",
        "assoc",
        "clinic",
        "lonely",
    ]
    ties = edits.keys_of("ties", city.tables["ties"])
    assert ties[:4] == [
        "legal|lib|partnership",
        "assoc|lib|partnership",
        "church|lib|partnership",
        "clinic|legal|partnership",
    ]
    assert len(set(ties)) == 17


def test_plain_row_types_every_column():
    row = edits.plain_row(
        "organizations",
        {"org_id": "x", "lat": 41, "member": float("nan"), "services": ("a",), "notes": ""},
    )
    assert row["lat"] == 41.0 and isinstance(row["lat"], float)
    assert row["member"] is True  # a blank member is a member
    assert row["illustrative"] is False
    assert row["services"] == ["a"] and row["languages"] == []
    assert row["notes"] is None  # an empty text is a blank cell, as a file's reader reads it
    assert row["_retired"] is None
    assert list(row) == [*(c for c in edits.schema.column_names("organizations")), "_retired"]


# --- add ------------------------------------------------------------------------------------


def test_add_an_organization_checked_like_a_file_row():
    city = example_city()
    [added] = edits.add(city, "organizations", _org())
    assert (added.table, added.key, added.before, added.kind) == (
        "organizations",
        "newcomers",
        None,
        "added",
    )
    after = added.after
    assert after["services"] == ["legal", "english"]
    assert after["languages"] == ["Spanish", "Arabic"]
    assert after["neighborhood"] == "birch"
    assert after["member"] is True and after["illustrative"] is False
    assert after["address"] is None and after["_retired"] is None
    _same_city(city, example_city())  # the input is not changed


def test_add_a_partnership_keys_it_by_sorted_ends():
    [added] = edits.add(example_city(), "ties", _tie("lonely", "lib", strength="2"))
    assert added.key == "lib|lonely|partnership"
    assert (added.after["source_id"], added.after["target_id"], added.after["strength"]) == (
        "lonely",
        "lib",
        2,
    )


def test_add_refuses_what_a_file_would_refuse_with_the_files_messages():
    city = example_city()
    with pytest.raises(ValidationError) as error:
        edits.add(city, "organizations", _org(org_id="lib", orientation="sideways"))
    assert sorted(_problems(error)) == [
        ("organizations.csv", "org_id", "lib"),
        ("organizations.csv", "orientation", "sideways"),
    ]
    assert "Duplicate id 'lib'" in str(error.value)
    assert "Must be one of: immigrant_serving, receiving_community, both." in str(error.value)

    with pytest.raises(ValidationError, match="unknown id") as error:
        edits.add(city, "ties", _tie("lonely", "nowhere"))
    assert _problems(error) == [("ties.csv", "target_id", "nowhere")]

    for source, target in (("lib", "legal"), ("legal", "lib")):  # either way round
        with pytest.raises(ValidationError, match="already recorded"):
            edits.add(city, "ties", _tie(source, target))

    with pytest.raises(ValidationError, match="cannot link an id to itself"):
        edits.add(city, "ties", _tie("lib", "lib"))

    with pytest.raises(ValidationError, match="'sector' is required"):
        edits.add(city, "organizations", {"org_id": "x", "name": "X"})


def test_add_refuses_tables_that_are_not_edited_row_by_row():
    with pytest.raises(ValidationError, match="cannot be edited one by one") as error:
        edits.add(example_city(), "neighborhoods", {"neighborhood_id": "elm", "name": "Elm"})
    assert error.value.problems[0].file == edits.FORM


def test_add_keeps_hostile_text_as_text():
    text = '=HYPERLINK("x") {{7*7}} <script>alert(1)</script>'
    [added] = edits.add(example_city(), "organizations", _org(name=text, notes=text))
    assert added.after["name"] == text and added.after["notes"] == text


# --- change ---------------------------------------------------------------------------------


def test_change_one_field_keeps_every_other():
    city = example_city()
    [changed] = edits.change(city, "organizations", "lonely", {"services": "health;legal"})
    assert changed.kind == "changed" and changed.fields == ["services"]
    assert changed.before["services"] == [] and changed.after["services"] == ["health", "legal"]
    assert {k: v for k, v in changed.after.items() if k != "services"} == {
        k: v for k, v in changed.before.items() if k != "services"
    }
    assert city.tables["organizations"]["services"].iloc[5] == []  # input unchanged


def test_change_a_tie_and_a_neighborhood_given_by_name():
    city = example_city()
    [tie] = edits.change(city, "ties", "legal|lib|partnership", {"strength": "1"})
    assert (tie.before["strength"], tie.after["strength"], tie.fields) == (3, 1, ["strength"])
    [org] = edits.change(city, "organizations", "lonely", {"neighborhood": "Cedar"})
    assert (org.before["neighborhood"], org.after["neighborhood"]) == ("dogwood", "cedar")


def test_change_that_changes_nothing_returns_no_change_for_every_row():
    city = example_city()
    for table in edits.EDITABLE_TABLES:
        for key in edits.keys_of(table, city.tables[table]):
            assert edits.change(city, table, key, {}) == [], (table, key)
    assert edits.change(city, "organizations", "lonely", {"name": "Lonely Shop"}) == []
    # The id itself may be given as long as it does not change.
    assert edits.change(city, "organizations", "lonely", {"org_id": "lonely"}) == []
    assert (
        edits.change(city, "ties", "legal|lib|partnership", {"source_id": "lib", "strength": "3"})
        == []
    )


def test_change_refuses_a_new_id_or_new_tie_ends():
    city = example_city()
    with pytest.raises(ValidationError, match="cannot change") as error:
        edits.change(city, "organizations", "lib", {"org_id": "library"})
    assert _problems(error) == [(edits.FORM, "org_id", "library")]
    for column, value in (
        ("target_id", "clinic"),
        ("source_id", "church"),
        ("tie_type", "mentors"),
    ):
        with pytest.raises(ValidationError, match="another tie") as error:
            edits.change(city, "ties", "legal|lib|partnership", {column: value})
        assert _problems(error) == [(edits.FORM, column, value)]


def test_change_refuses_an_unknown_column_record_or_value():
    city = example_city()
    with pytest.raises(ValidationError, match="organizations have no column 'colour'") as error:
        edits.change(city, "organizations", "lib", {"colour": "red"})
    assert _problems(error) == [(edits.FORM, "colour", None)]
    with pytest.raises(ValidationError, match="There is no organization 'ghost'"):
        edits.change(city, "organizations", "ghost", {"name": "Ghost"})
    with pytest.raises(ValidationError, match=re.escape("There is no tie 'lib|legal|partnership'")):
        edits.change(city, "ties", "lib|legal|partnership", {"strength": "1"})  # unsorted key
    with pytest.raises(ValidationError, match="Not a whole number") as error:
        edits.change(city, "ties", "legal|lib|partnership", {"strength": "lots"})
    assert _problems(error) == [("ties.csv", "strength", "lots")]
    with pytest.raises(ValidationError) as error:
        edits.change(city, "organizations", "lib", {"name": "", "orientation": "sideways"})
    assert sorted(p.column for p in error.value.problems) == ["name", "orientation"]


# --- retire ---------------------------------------------------------------------------------


def test_retire_an_organization_retires_its_ties_in_the_same_change():
    city = example_city()
    changes = edits.retire(
        city, "organizations", "clinic", reason="closed", on=dt.date(2026, 11, 30)
    )
    assert [(c.table, c.key, c.kind) for c in changes] == [
        ("organizations", "clinic", "retired"),
        ("ties", "clinic|legal|partnership", "retired"),
        ("ties", "clinic|karen|serves_community", "retired"),
    ]
    assert changes[0].after["_retired"] == {"on": "2026-11-30", "reason": "closed"}
    assert {c.after["_retired"]["reason"] for c in changes[1:]} == {
        "Dogwood Clinic retired: closed"
    }
    for c in changes:  # nothing but the mark changes
        assert c.fields == ["_retired"] and c.before["_retired"] is None


def test_retire_other_tables_and_a_single_tie():
    city = example_city()
    assert [c.key for c in edits.retire(city, "navigators", "nav1", reason="moved", on=TODAY)] == [
        "nav1",
        "nav1|latino|mentors",
        "nav1|lib|volunteers_with",
    ]
    assert [c.key for c in edits.retire(city, "committees", "wc-alder", reason="x", on=TODAY)] == [
        "wc-alder",
        "assoc|wc-alder|committee_member",
    ]
    assert [c.key for c in edits.retire(city, "communities", "karen", reason="x", on=TODAY)] == [
        "karen",
        "clinic|karen|serves_community",
        "karen|dogwood|lives_in",
    ]
    assert len(edits.retire(city, "organizations", "lonely", reason="closed", on=TODAY)) == 1
    [ended] = edits.retire(city, "ties", "legal|lib|partnership", reason="ended", on="2026-11-30")
    assert ended.after["_retired"] == {"on": "2026-11-30", "reason": "ended"}


def test_retire_needs_a_reason_a_date_and_a_record():
    city = example_city()
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError, match="Say why") as error:
            edits.retire(city, "organizations", "lib", reason=reason, on=TODAY)
        assert _problems(error) == [(edits.FORM, "reason", None)]
    with pytest.raises(ValidationError, match="YYYY-MM-DD") as error:
        edits.retire(city, "organizations", "lib", reason="closed", on="30/11/2026")
    assert _problems(error) == [(edits.FORM, "on", "30/11/2026")]
    with pytest.raises(ValidationError, match="There is no organization 'ghost'"):
        edits.retire(city, "organizations", "ghost", reason="closed", on=TODAY)


# --- merge ----------------------------------------------------------------------------------


def test_merge_moves_ties_retires_repeats_and_self_ties_then_the_dropped_record():
    city = example_city()
    changes = edits.merge(city, "organizations", "lib", "legal")
    moved = {"on": TODAY, "reason": "moved to Alder Library (merge)"}
    assert [(c.key, c.kind) for c in changes] == [
        ("legal|lib|partnership", "retired"),  # would join lib to itself: not added again
        ("clinic|legal|partnership", "retired"),
        ("clinic|lib|partnership", "added"),  # moved to lib
        ("legal|latino|serves_community", "retired"),  # lib serves latino already
        ("legal|birch|serves_neighborhood", "retired"),
        ("lib|birch|serves_neighborhood", "added"),
        ("legal", "retired"),
    ]
    assert all(c.after["_retired"] == moved for c in changes[:-1] if c.kind == "retired")
    assert changes[-1].after["_retired"] == {"on": TODAY, "reason": "merged into Alder Library"}
    added = changes[2].after
    assert (added["source_id"], added["target_id"], added["strength"]) == ("lib", "clinic", 2)

    merged = edits.apply_changes(city, changes)
    assert "legal" not in set(merged.tables["organizations"]["org_id"])
    assert len(merged.tables["ties"]) == 17 - 4 + 2
    assert sorted(edits.keys_of("ties", merged.tables["ties"]))[:4] == [
        "assoc|lib|partnership",
        "assoc|wc-alder|committee_member",
        "church|lib|partnership",
        "church|longtime|serves_community",
    ]
    _same_city(city, example_city())  # the input is not changed


def test_undoing_a_merge_restores_the_city_exactly():
    city = example_city()
    changes = edits.merge(city, "organizations", "lib", "legal")
    # With retired rows kept (as the store keeps them), every row comes back in its place.
    kept = edits.apply_to_tables(city.tables, changes, keep_retired=True)
    back = edits.apply_to_tables(kept, edits.inverse(changes), keep_retired=True)
    for table in edits.EDITABLE_TABLES:
        assert _plain(back, table) == _plain(city.tables, table), table
    for table in ("organizations", "ties"):  # the tables the merge touched
        assert back[table][edits.RETIRED].isna().all()
    # Without them, the rows come back (retired ones at the end of their table).
    undone = edits.apply_changes(edits.apply_changes(city, changes), edits.inverse(changes))
    for table in edits.EDITABLE_TABLES:
        key = lambda row, t=table: edits.row_key(t, row)  # noqa: E731
        assert sorted(_plain(undone.tables, table), key=key) == sorted(
            _plain(city.tables, table), key=key
        )


def test_merge_refuses_ties_the_same_record_and_unknown_records():
    city = example_city()
    with pytest.raises(ValidationError, match="Ties are not merged"):
        edits.merge(city, "ties", "legal|lib|partnership", "assoc|lib|partnership")
    with pytest.raises(ValidationError, match="two different records"):
        edits.merge(city, "organizations", "lib", "lib")
    for keep, drop in (("ghost", "lib"), ("lib", "ghost")):
        with pytest.raises(ValidationError, match="There is no organization 'ghost'"):
            edits.merge(city, "organizations", keep, drop)


def test_merge_communities_moves_who_serves_and_where_they_live():
    changes = edits.merge(example_city(), "communities", "latino", "karen")
    assert [(c.key, c.kind) for c in changes] == [
        ("clinic|karen|serves_community", "retired"),
        ("clinic|latino|serves_community", "added"),
        ("karen|dogwood|lives_in", "retired"),
        ("latino|dogwood|lives_in", "added"),
        ("karen", "retired"),
    ]
    assert changes[3].after["residents"] == 100


# --- committee status -----------------------------------------------------------------------


def test_committee_status_paused_from_a_date():
    [paused] = edits.set_committee_status(example_city(), "wc-alder", "paused", on="2026-11-30")
    assert paused.fields == ["status", "source_date"]
    assert (paused.before["status"], paused.after["status"]) == ("active", "paused")
    assert paused.after["source_date"] == "2026-11-30"
    assert paused.after["start_date"] == "2012"


def test_committee_status_refuses_unknown_statuses_and_dates():
    city = example_city()
    with pytest.raises(ValidationError, match="active, forming, paused, none") as error:
        edits.set_committee_status(city, "wc-alder", "sleeping", on="2026-11-30")
    assert _problems(error) == [("committees.csv", "status", "sleeping")]
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        edits.set_committee_status(city, "wc-alder", "paused", on="November")
    with pytest.raises(ValidationError, match="There is no committee 'wc-birch'"):
        edits.set_committee_status(city, "wc-birch", "paused", on="2026-11-30")
    paused = edits.apply_changes(
        city, edits.set_committee_status(city, "wc-cedar", "paused", on=dt.date(2026, 1, 2))
    )
    assert edits.set_committee_status(paused, "wc-cedar", "paused", on="2026-01-02") == []


# --- inverse, net changes -------------------------------------------------------------------


def _row(strength: int | None, retired: dict | None = None) -> dict:
    return {"strength": strength, "_retired": retired}


def test_kinds_and_their_inverses():
    mark = {"on": "2026-11-30", "reason": "ended"}
    changes = [
        RowChange("ties", "a", None, _row(1)),
        RowChange("ties", "b", _row(1), _row(2)),
        RowChange("ties", "c", _row(1), _row(1, mark)),
        RowChange("ties", "d", _row(1, mark), _row(1)),
    ]
    assert [c.kind for c in changes] == ["added", "changed", "retired", "restored"]
    undo = edits.inverse(changes)
    assert [(c.key, c.kind) for c in undo] == [
        ("d", "retired"),
        ("c", "restored"),
        ("b", "changed"),
        ("a", "deleted"),
    ]
    assert undo[2].after == _row(1) and undo[2].before == _row(2)
    assert edits.inverse(undo) == changes
    assert changes[0].fields == ["strength"]  # every filled column, for an add
    assert RowChange.from_dict(changes[2].as_dict()) == changes[2]


def test_net_changes_fold_successive_changes_of_a_row():
    a1 = RowChange("ties", "a", None, _row(1))
    a2 = RowChange("ties", "a", _row(1), _row(2))
    b1 = RowChange("ties", "b", _row(1), _row(3))
    b2 = RowChange("ties", "b", _row(3), _row(1))  # back as it was: no net change
    c1 = RowChange("ties", "c", None, _row(1))
    c2 = RowChange("ties", "c", _row(1), None)  # added then removed: nothing
    d1 = RowChange("organizations", "a", _row(1), _row(5))  # same key, another table
    assert edits.net_changes([a1, b1, c1, d1, a2, b2, c2]) == [
        RowChange("ties", "a", None, _row(2)),
        d1,
    ]
    assert edits.net_changes([]) == []


# --- applying changes to tables -------------------------------------------------------------


def test_apply_to_tables_keeps_order_adds_last_and_drops_retired_rows():
    city = example_city()
    tables = city.tables
    changes = [
        *edits.change(city, "organizations", "church", {"notes": "moved"}),
        *edits.add(city, "organizations", _org()),
        *edits.retire(city, "organizations", "assoc", reason="closed", on="2026-11-30"),
    ]
    out = edits.apply_to_tables(tables, changes)
    orgs = out["organizations"]
    assert orgs["org_id"].tolist() == ["lib", "legal", "church", "clinic", "lonely", "newcomers"]
    assert orgs["notes"].tolist()[2] == "moved"
    assert "_retired" not in orgs.columns
    assert len(out["ties"]) == 17 - 2  # assoc's partnership with lib and its committee seat
    assert out["communities"] is tables["communities"]  # untouched tables are the same frames
    assert len(tables["organizations"]) == 6 and len(tables["ties"]) == 17  # inputs unchanged
    assert orgs["services"].iloc[-1] == ["legal", "english"]

    kept = edits.apply_to_tables(tables, changes, keep_retired=True)["organizations"]
    assert kept["org_id"].tolist() == [
        "lib",
        "legal",
        "church",
        "assoc",
        "clinic",
        "lonely",
        "newcomers",
    ]
    marks = kept.set_index("org_id")["_retired"]
    assert marks["assoc"] == {"on": "2026-11-30", "reason": "closed"}
    assert marks.drop("assoc").isna().all()


def test_apply_to_tables_add_then_retire_or_delete_in_one_batch_leaves_nothing():
    city = example_city()
    [added] = edits.add(city, "ties", _tie("lonely", "lib"))
    mark = {"on": "2026-11-30", "reason": "typo"}
    retired = RowChange("ties", added.key, added.after, {**added.after, "_retired": mark})
    assert len(edits.apply_to_tables(city.tables, [added, retired])["ties"]) == 17
    assert len(edits.apply_to_tables(city.tables, [added, *edits.inverse([added])])["ties"]) == 17
    # A deleted row that was there leaves too; with keep_retired a retired one stays.
    [gone] = edits.inverse(edits.add(city, "ties", _tie("lonely", "clinic")))
    existing = edits.current_row(city, "ties", "legal|lib|partnership")
    deleted = RowChange("ties", "legal|lib|partnership", existing, None)
    assert len(edits.apply_to_tables(city.tables, [deleted], keep_retired=True)["ties"]) == 16
    assert len(edits.apply_to_tables(city.tables, [gone])["ties"]) == 17  # not there: nothing


def test_apply_changes_returns_a_new_city():
    city = example_city()
    after = edits.apply_changes(
        city, edits.retire(city, "organizations", "lonely", reason="closed", on=TODAY)
    )
    assert after is not city and after.name == "Tiny Town" and after.boundaries is city.boundaries
    assert "lonely" not in set(after.tables["organizations"]["org_id"])
    assert len(city.tables["organizations"]) == 6


# --- describe -------------------------------------------------------------------------------


def test_describe_says_what_the_first_change_did_and_how_many_more():
    city = example_city()
    names = {"lonely": "Lonely Shop", "lib": "Alder Library"}
    assert edits.describe([]) == "No change"
    assert (
        edits.describe(edits.change(city, "organizations", "clinic", {"services": "health;legal"}))
        == "Changed Dogwood Clinic: services"
    )
    assert edits.describe(edits.add(city, "ties", _tie("lonely", "lib")), names) == (
        "Added partnership Lonely Shop – Alder Library"
    )
    assert edits.describe(edits.add(city, "ties", _tie("lonely", "lib"))) == (
        "Added partnership lonely – lib"
    )
    assert edits.describe(
        edits.retire(city, "organizations", "clinic", reason="closed", on=TODAY)
    ) == ("Retired Dogwood Clinic (and 2 more rows)")
    assert edits.describe(
        edits.retire(city, "organizations", "lonely", reason="closed", on=TODAY)
    ) == ("Retired Lonely Shop")
    nav = edits.retire(city, "navigators", "nav1", reason="moved", on=TODAY)
    assert edits.describe(nav[:2]) == "Retired Navigator One (and 1 more row)"
    assert edits.describe(edits.inverse(nav[:1])) == "Brought back Navigator One"
    assert edits.describe(edits.inverse(edits.add(city, "organizations", _org()))) == (
        "Removed Newcomer Center"
    )
    assert edits.describe(
        edits.set_committee_status(city, "wc-cedar", "active", on="2026-11-30")
    ) == ("Changed Cedar Welcoming Committee: status, source_date")
    assert edits.describe(
        edits.add(city, "ties", _tie("karen", "cedar", "lives_in", residents="10"))
    ) == ("Added lives in karen – cedar")


def test_a_tie_between_ids_holding_the_separator_is_found_by_its_key():
    city = example_city()
    ties = city.tables["ties"].copy()
    ties.loc[0, ["source_id", "target_id"]] = ["a|b", "c"]  # a key of "a|b|c|partnership"
    ties.loc[1, ["source_id", "target_id"]] = ["a", "b|c"]  # the same text, another tie
    city = type(city)(city.name, {**city.tables, "ties": ties}, city.boundaries, city.metric_crs)
    assert edits.current_row(city, "ties", "a|b|c|partnership")["target_id"] == "c"
    positions = [edits._position(city, "ties", k) for k in edits.keys_of("ties", ties)]
    # Every other tie at its own row; the two whose keys read the same text resolve to the first
    # (a data file cannot hold such ids: they may hold letters, digits and - _ . : only).
    assert positions == [0, 0, *range(2, len(ties))]
