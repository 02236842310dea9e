"""The members' own profile answers as reviewed changes to the city (coalition.survey.profiles).

The tiny city (coalition.examples), by hand:
    lib     Alder Library    english, citizenship  English, Spanish          in alder
    legal   Birch Legal Aid  legal                 English, Spanish, Arabic  in birch, serves birch
    church  Cedar Church     housing               English                   in cedar
    clinic  Dogwood Clinic   health                English, Karen            in dogwood
(services, languages, where it is located).

Round "spring" profiles:
    legal   services legal, english; languages english, Spanish, Karen; neighborhoods birch, cedar
        -> services legal;english, languages English;Spanish;Karen (row spelling kept, Arabic
           dropped), one new serves_neighborhood tie legal -> cedar (birch already served)
    lib     services youth only (languages and neighborhoods unanswered)
        -> services youth; nothing else
    church  languages English, neighborhoods cedar (where it is located), services unanswered
        -> nothing
    clinic  services health; languages karen, english (same set, other case and order)
        -> nothing
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from coalition import edits
from coalition.errors import DataError, ValidationError
from coalition.examples import example_city
from coalition.survey.profiles import (
    by_member,
    describe_profile_changes,
    member_of,
    names_of,
    profile_changes,
)
from coalition.survey.schema import RoundAnswers, answers_frame, outside_frame, profiles_frame

DAY = "2026-03-02"


def profile(who, services=(), languages=(), neighborhoods=(), day=DAY):
    return {
        "round": "spring",
        "respondent": who,
        "services": list(services),
        "languages": list(languages),
        "neighborhoods": list(neighborhoods),
        "answered_at": f"{day}T09:00:00Z",
        "channel": "html",
    }


def spring(*rows) -> RoundAnswers:
    return RoundAnswers("spring", answers_frame([]), profiles_frame(rows), outside_frame([]))


SPRING = (
    profile("legal", ["legal", "english"], ["english", "Spanish", "Karen"], ["birch", "cedar"]),
    profile("lib", ["youth"]),
    profile("church", [], ["English"], ["cedar"]),
    profile("clinic", ["health"], ["karen", "english"]),
)


def test_each_answer_becomes_the_change_worked_out_by_hand():
    city = example_city()
    changes = profile_changes(city, spring(*SPRING))
    assert [(c.table, c.key, c.kind) for c in changes] == [
        ("organizations", "legal", "changed"),
        ("ties", "legal|cedar|serves_neighborhood", "added"),
        ("organizations", "lib", "changed"),
    ]
    legal, tie, lib = changes
    assert legal.fields == ["services", "languages"]
    assert legal.after["services"] == ["legal", "english"]
    assert legal.after["languages"] == ["English", "Spanish", "Karen"]
    assert lib.fields == ["services"]
    assert lib.after["services"] == ["youth"]
    assert lib.after["languages"] == ["English", "Spanish"]  # unanswered: unchanged
    assert tie.after["source_id"] == "legal" and tie.after["target_id"] == "cedar"
    assert tie.after["source"] == "partner survey spring"
    assert tie.after["source_date"] == DAY
    assert tie.after["illustrative"] is False


def test_the_changes_applied_make_the_city_say_what_was_answered():
    city = example_city()
    changes = profile_changes(city, spring(*SPRING))
    after = edits.apply_changes(city, changes)
    orgs = after.tables["organizations"].set_index("org_id")
    assert orgs.loc["legal", "services"] == ["legal", "english"]
    assert orgs.loc["legal", "languages"] == ["English", "Spanish", "Karen"]
    assert orgs.loc["lib", "services"] == ["youth"]
    ties = after.tables["ties"]
    served = ties[(ties["tie_type"] == "serves_neighborhood") & (ties["source_id"] == "legal")]
    assert sorted(served["target_id"]) == ["birch", "cedar"]
    # Asked again on the updated city, the same answers change nothing.
    assert profile_changes(after, spring(*SPRING)) == []


def test_empty_lists_change_nothing_an_unanswered_question_is_not_none():
    assert profile_changes(example_city(), spring(profile("legal"), profile("lib"))) == []


def test_the_same_set_in_another_order_or_case_is_no_change():
    city = example_city()
    same = profile("legal", ["legal"], ["arabic", "SPANISH", "english"], ["birch"])
    assert profile_changes(city, spring(same)) == []


def test_a_neighborhood_not_named_is_never_taken_away():
    # legal serves birch and is located there; answering only cedar adds cedar, keeps birch.
    changes = profile_changes(example_city(), spring(profile("legal", neighborhoods=["cedar"])))
    assert [(c.table, c.kind) for c in changes] == [("ties", "added")]
    assert not any(c.kind == "retired" for c in changes)


def test_a_respondent_no_longer_in_the_city_is_left_out(caplog):
    city = example_city()
    orgs = city.tables["organizations"]
    gone = dataclasses.replace(
        city, tables={**city.tables, "organizations": orgs[orgs["org_id"] != "clinic"]}
    )
    with caplog.at_level("INFO", logger="coalition.survey.profiles"):
        changes = profile_changes(gone, spring(profile("clinic", ["youth"])))
    assert changes == []
    assert "clinic is no longer an organization of the city" in caplog.text


def test_the_city_and_the_round_are_not_changed():
    city = example_city()
    before = {name: frame.copy() for name, frame in city.tables.items()}
    answered = spring(*SPRING)
    profiles_before = answered.profiles.copy()
    profile_changes(city, answered)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(city.tables[name], frame)
    pd.testing.assert_frame_equal(answered.profiles, profiles_before)


def test_an_unknown_neighborhood_is_refused_like_a_typed_edit():
    with pytest.raises(ValidationError) as caught:
        profile_changes(example_city(), spring(profile("legal", neighborhoods=["atlantis"])))
    assert any(p.value == "atlantis" for p in caught.value.problems)


def test_an_unknown_service_is_refused_like_a_typed_edit():
    with pytest.raises(ValidationError) as caught:
        profile_changes(example_city(), spring(profile("legal", services=["juggling"])))
    assert any("juggling" in str(p) for p in caught.value.problems)


def test_not_a_round_is_refused():
    with pytest.raises(DataError, match="RoundAnswers"):
        profile_changes(example_city(), {"profiles": []})


def test_a_city_without_organizations_is_refused():
    city = example_city()
    tables = {k: v for k, v in city.tables.items() if k != "organizations"}
    with pytest.raises(DataError, match="no organizations table"):
        profile_changes(dataclasses.replace(city, tables=tables), spring(profile("lib")))


def test_sentences_say_what_each_member_answered():
    city = example_city()
    changes = profile_changes(city, spring(*SPRING))
    assert describe_profile_changes(changes, names_of(city)) == [
        "Birch Legal Aid says it also offers English and language learning; also serves "
        "people in Karen; no longer serves people in Arabic; and also works in Cedar.",
        "Alder Library says it also offers youth and no longer offers English and language "
        "learning and citizenship and civic life.",
    ]


def test_sentences_without_names_use_ids_and_names_stay_values():
    changes = profile_changes(example_city(), spring(profile("legal", neighborhoods=["cedar"])))
    assert describe_profile_changes(changes) == ["legal says it also works in cedar."]
    hostile = {"legal": "{0} %s <script>alert(1)</script>", "cedar": "{{7*7}}"}
    assert describe_profile_changes(changes, hostile) == [
        "{0} %s <script>alert(1)</script> says it also works in {{7*7}}."
    ]


def test_changes_group_by_the_member_they_are_about():
    changes = profile_changes(example_city(), spring(*SPRING))
    grouped = by_member(changes)
    assert list(grouped) == ["legal", "lib"]
    assert [len(v) for v in grouped.values()] == [2, 1]
    assert {member_of(c) for c in grouped["legal"]} == {"legal"}
