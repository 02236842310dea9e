"""changes_since on the tiny city (tests/tiny_city.py), every answer worked out by hand.

Tiny Town: Alder (lib, assoc; active committee wc-alder), Birch (legal), Cedar (church; committee
wc-cedar forming; navigator nav1), Dogwood (clinic, lonely). Partnerships lib-legal, lib-assoc,
lib-church, legal-clinic; legal serves the Birch neighborhood.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from tiny_city import make_tiny_city

from coalition import edits
from coalition.errors import DataError
from coalition.since import (
    NeighborhoodChange,
    SinceMarks,
    changes_since,
    neighborhood_details,
    neighborhood_line,
    outline_texts,
    summary_sentence,
)

DAY = "2026-11-30"


def applied(city, changes):
    return edits.apply_changes(city, changes)


def new_tie(city, source, target, tie_type="partnership"):
    return edits.add(
        city,
        "ties",
        {
            "source_id": source,
            "target_id": target,
            "tie_type": tie_type,
            "source": "working session",
            "source_date": "2026-11",
        },
    )


def test_the_same_city_has_no_marks():
    city = make_tiny_city()
    marks = changes_since(city, make_tiny_city())
    assert marks.is_empty
    assert marks == SinceMarks()
    assert summary_sentence(marks, "March") == "Nothing drawn here changed since March."


def test_a_new_partnership_inside_dogwood():
    before = make_tiny_city()
    after = applied(before, new_tie(before, "lonely", "clinic"))
    marks = changes_since(before, after)
    # A partnership's key has its ends sorted, whatever the order given.
    assert list(marks.ties_added) == ["clinic|lonely|partnership"]
    row = marks.ties_added["clinic|lonely|partnership"]
    assert (row["source_id"], row["target_id"], row["tie_type"]) == (
        "lonely",
        "clinic",
        "partnership",
    )
    assert marks.ties_ended == {}
    assert marks.organizations_added == marks.organizations_retired == ()
    assert marks.organizations_changed == {}
    # Both ends are in Dogwood: one tie added there, nothing else anywhere.
    assert marks.neighborhoods == {
        "dogwood": NeighborhoodChange("dogwood", "Dogwood", ties_added=1, ties_ended=0)
    }
    assert summary_sentence(marks, "March convening") == (
        "Since March convening: 1 new tie, 0 ended, 0 new organizations, 1 neighborhood changed."
    )


def test_a_partnership_across_neighborhoods_marks_both():
    before = make_tiny_city()
    after = applied(before, new_tie(before, "clinic", "church"))
    marks = changes_since(before, after)
    assert sorted(marks.neighborhoods) == ["cedar", "dogwood"]
    assert marks.neighborhoods["cedar"].ties_added == 1
    assert marks.neighborhoods["dogwood"].ties_added == 1


def test_an_ended_tie_keeps_its_row_date_and_reason():
    before = make_tiny_city()
    ending = edits.retire(
        before, "ties", "church|lib|partnership", reason="funding stopped", on=DAY
    )
    after = applied(before, ending)
    marks = changes_since(before, after, retired={c.key: c.after["_retired"] for c in ending})
    assert list(marks.ties_ended) == ["church|lib|partnership"]
    tie = marks.ties_ended["church|lib|partnership"]
    assert (tie.on, tie.reason) == (DAY, "funding stopped")
    assert (tie.row["source_id"], tie.row["target_id"], tie.row["strength"]) == ("lib", "church", 1)
    assert "_retired" not in tie.row
    # lib is in Alder, church in Cedar: one ended tie in each.
    assert {n: (c.ties_added, c.ties_ended) for n, c in marks.neighborhoods.items()} == {
        "alder": (0, 1),
        "cedar": (0, 1),
    }


def test_a_tie_gone_in_a_whole_load_has_no_date_or_reason():
    before = make_tiny_city()
    ties = before.tables["ties"]
    after = dataclasses.replace(
        before,
        tables={**before.tables, "ties": ties[ties["tie_type"] != "serves_neighborhood"]},
    )
    marks = changes_since(before, after)
    tie = marks.ties_ended["legal|birch|serves_neighborhood"]
    assert (tie.on, tie.reason) == (None, None)
    # legal serves Birch and is in Birch: one tie ended there, and Birch lost its serving tie.
    assert marks.neighborhoods == {
        "birch": NeighborhoodChange("birch", "Birch", 0, 1, serving=(1, 0))
    }
    assert neighborhood_details(marks.neighborhoods["birch"]) == ["Ties serving it: 1 → 0"]


def test_a_city_read_with_retired_rows_gives_the_reason():
    before = make_tiny_city()
    ties = before.tables["ties"].copy()
    ties["_retired"] = [None] * len(ties)
    ties.loc[ties["tie_type"] == "serves_neighborhood", "_retired"] = pd.Series(
        [{"on": DAY, "reason": "moved"}],
        index=ties.index[ties["tie_type"] == "serves_neighborhood"],
    )
    after = dataclasses.replace(before, tables={**before.tables, "ties": ties})
    marks = changes_since(before, after, retired={"legal|birch|serves_neighborhood": {"on": "x"}})
    tie = marks.ties_ended["legal|birch|serves_neighborhood"]
    assert (tie.on, tie.reason) == (DAY, "moved")  # the city's own mark wins
    assert list(marks.ties_added) == []


def test_a_new_organization_in_cedar_and_a_changed_one():
    before = make_tiny_city()
    add = edits.add(
        before,
        "organizations",
        {
            "org_id": "school",
            "name": "Cedar School",
            "sector": "school",
            "orientation": "both",
            "neighborhood": "cedar",
            "source": "working session",
            "source_date": "2026-11",
        },
    )
    city = applied(before, add)
    change = edits.change(city, "organizations", "lonely", {"services": "health;legal"})
    after = applied(city, change)
    marks = changes_since(before, after)
    assert marks.organizations_added == ("school",)
    assert marks.organizations_changed == {"lonely": ("services",)}
    # Cedar had one member located there (church), now two; no tie changed.
    assert marks.neighborhoods == {"cedar": NeighborhoodChange("cedar", "Cedar", members=(1, 2))}


def test_a_retired_organization_ends_its_ties():
    before = make_tiny_city()
    after = applied(
        before, edits.retire(before, "organizations", "clinic", reason="closed", on=DAY)
    )
    marks = changes_since(before, after)
    assert marks.organizations_retired == ("clinic",)
    # clinic's ties: legal-clinic (Birch and Dogwood) and clinic serves karen (Dogwood, where
    # clinic is: a community is in no one neighborhood).
    assert sorted(marks.ties_ended) == ["clinic|karen|serves_community", "clinic|legal|partnership"]
    assert {n: (c.ties_ended, c.members) for n, c in marks.neighborhoods.items()} == {
        "birch": (1, None),
        "dogwood": (2, (2, 1)),
    }


def test_an_organization_leaving_the_coalition_changes_the_members_there():
    before = make_tiny_city()
    after = applied(before, edits.change(before, "organizations", "assoc", {"member": "no"}))
    marks = changes_since(before, after)
    assert marks.organizations_changed == {"assoc": ("member",)}
    assert marks.neighborhoods["alder"].members == (2, 1)


def test_a_committee_becoming_active_covers_cedar():
    before = make_tiny_city()
    after = applied(before, edits.set_committee_status(before, "wc-cedar", "active", on=DAY))
    marks = changes_since(before, after)
    assert marks.neighborhoods == {
        "cedar": NeighborhoodChange(
            "cedar", "Cedar", committee_status=("forming", "active"), covered=(False, True)
        )
    }
    assert outline_texts(marks, "the March meeting") == {
        "cedar": "Changed since the March meeting: 0 ties added, 0 ended\n"
        "Committee: forming → active\nNow covered by an active committee"
    }


def test_pausing_the_alder_committee_uncovers_it():
    before = make_tiny_city()
    after = applied(before, edits.set_committee_status(before, "wc-alder", "paused", on=DAY))
    change = changes_since(before, after).neighborhoods["alder"]
    assert change.committee_status == ("active", "paused")
    assert neighborhood_details(change)[1] == "No longer covered by an active committee"


def test_inputs_are_left_unchanged():
    before = make_tiny_city()
    after = applied(before, new_tie(before, "lonely", "clinic"))
    copies = {n: f.copy() for n, f in after.tables.items()}
    changes_since(before, after)
    for name, frame in after.tables.items():
        pd.testing.assert_frame_equal(frame, copies[name])


def test_lines_say_counts_in_words():
    change = NeighborhoodChange("a", "A", ties_added=1, ties_ended=2)
    assert neighborhood_line(change, "  March\n convening ") == (
        "Changed since March convening: 1 tie added, 2 ended"
    )


@pytest.mark.parametrize("which", ["before", "after"])
def test_bad_inputs_say_what_to_do(which):
    city = make_tiny_city()
    with pytest.raises(DataError, match="read_version"):
        changes_since(*(("not a city", city) if which == "before" else (city, None)))
    broken = dataclasses.replace(
        city, tables={**city.tables, "ties": city.tables["ties"].drop(columns="tie_type")}
    )
    with pytest.raises(DataError, match="no column tie_type"):
        changes_since(*((broken, city) if which == "before" else (city, broken)))


def test_since_choices_list_meetings_first_with_stable_keys():
    from coalition.since import SinceChoice, since_choices

    meetings = pd.DataFrame({"name": ["June  session", "March convening"], "version": [4, 2]})
    versions = pd.DataFrame(
        {
            "version": [5, 4],
            "saved_at": ["2026-11-30T17:05:00+00:00", "2026-11-30T17:00:00+00:00"],
            "what": ["Recorded: a tie", "Changed Dogwood Clinic: services"],
        }
    )
    choices = since_choices(meetings, versions)
    assert list(choices) == [
        "meeting:June session",
        "meeting:March convening",
        "version:5",
        "version:4",
    ]
    assert choices["meeting:June session"] == SinceChoice(
        4, "June session", "June session (meeting, version 4)"
    )
    assert choices["version:5"] == SinceChoice(
        5, "version 5", "version 5 — 2026-11-30 17:05 UTC — Recorded: a tie"
    )
    assert since_choices(meetings.iloc[:0], versions.iloc[:0]) == {}
