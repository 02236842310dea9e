"""The Survey page's values without Streamlit (coalition.presenting.survey).

On the survey fixture (tests/survey_fixture.py): round spring, lib answered legal (3; value 4 3 2,
trust 4 4 4), church (2; 2 2 2 / 3 3 3) and assoc (1; 1 2 3 / 2 2 2), frequency 2 each, with an
empty profile; legal and church answered too.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from survey_fixture import roster, spring, survey_city

from coalition.errors import Problem
from coalition.presenting import survey as S
from coalition.survey import questions
from coalition.survey.schema import (
    ANSWER_COLUMNS,
    OUTSIDE_COLUMNS,
    PROFILE_COLUMNS,
    RoundAnswers,
    check_answers,
    outside_frame,
)

STAMP = "2026-11-30T14:05:00Z"


def test_now_stamp_is_utc_whole_seconds_with_z():
    when = dt.datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert S.now_stamp(when) == "2026-11-30T21:59:59Z"
    assert S.now_stamp().endswith("Z")


def test_now_stamp_refuses_a_naive_time():
    with pytest.raises(ValueError, match="time zone"):
        S.now_stamp(dt.datetime(2026, 11, 30, 10, 0))


@pytest.mark.parametrize(
    ("typed", "languages"),
    [
        ("Spanish; Portuguese", ["Spanish", "Portuguese"]),
        ("  haitian   creole ;; ", ["haitian creole"]),
        ("Arabic;arabic;ARABIC", ["Arabic"]),
        ("", []),
        (None, []),
    ],
)
def test_split_languages(typed, languages):
    assert S.split_languages(typed) == languages


def test_own_answers_keeps_only_the_respondent_and_changes_nothing():
    round_ = spring()
    before = round_.answers.copy()
    mine = S.own_answers(round_, "lib")
    assert mine.answers["partner"].tolist() == ["legal", "church", "assoc"]
    assert mine.profiles["respondent"].tolist() == ["lib"]
    assert S.own_answers(round_, "clinic").respondents() == []
    pd.testing.assert_frame_equal(round_.answers, before)


def test_prefill_from_the_kept_answers():
    values = S.prefill(spring(), "lib")
    assert values.partners == ["legal", "church", "assoc"]
    assert values.items["legal"] == {
        "relation": 3,
        "frequency": 2,
        "value_power": 4,
        "value_involvement": 3,
        "value_resources": 2,
        "trust_reliability": 4,
        "trust_mission": 4,
        "trust_openness": 4,
    }
    assert values.services == [] and values.outside == []


def test_prefill_hides_ratings_but_not_relations_when_asked():
    values = S.prefill(spring(), "legal", show_ratings=False)
    lib = values.items["lib"]
    assert lib["relation"] == 4 and lib["frequency"] == 2
    # legal rated lib 4 4 4 / 3 4 blank: the blank stays blank, the others are "kept".
    assert [lib[k] for k in S.RATING_KEYS] == [S.KEPT] * 5 + [None]


def test_prefill_of_a_member_that_did_not_answer_is_empty():
    assert S.prefill(spring(), "clinic") == S.FormValues()


def test_build_answers_makes_only_the_respondents_rows_in_the_canonical_shape():
    values = S.FormValues(
        partners=["legal", "church", "legal", "lib"],  # a repeat and itself: dropped
        items={"legal": {"relation": 4, "trust_mission": 3}, "church": {"relation": 1}},
        services=["legal", "legal", "english"],
        languages=["Spanish"],
        neighborhoods=["n1"],
        outside=[("  Elm   Mutual Aid ", 2), ("   ", 4), ("Fir House", None)],
    )
    built = S.build_answers("spring", "lib", values, answered_at=STAMP)
    assert list(built.answers.columns) == ANSWER_COLUMNS
    assert list(built.profiles.columns) == PROFILE_COLUMNS
    assert list(built.outside.columns) == OUTSIDE_COLUMNS
    assert built.answers["partner"].tolist() == ["legal", "church"]
    assert built.answers["relation"].tolist() == [4, 1]
    assert built.answers["trust_mission"].tolist()[0] == 3
    assert built.answers["value_power"].isna().all()
    assert set(built.answers["channel"]) == {"dashboard"}
    assert set(built.answers["answered_at"]) == {STAMP}
    assert built.profiles.loc[0, "services"] == ["legal", "english"]
    assert built.outside["name"].tolist() == ["Elm Mutual Aid", "Fir House"]
    assert built.outside["relation"].tolist()[0] == 2 and pd.isna(built.outside["relation"][1])
    assert built.respondents() == ["lib"]
    assert check_answers(built, roster()) == []


def test_build_answers_takes_kept_ratings_where_the_form_kept_them():
    kept = spring()
    values = S.prefill(kept, "lib", show_ratings=False)
    values.items["legal"]["relation"] = 4
    values.items["legal"]["trust_mission"] = 1  # a new rating replaces the kept one
    values.items["church"]["value_power"] = None  # cleared
    built = S.build_answers("spring", "lib", values, answered_at=STAMP, kept=kept)
    rows = built.answers.set_index("partner")
    assert rows.loc["legal", "relation"] == 4
    assert [rows.loc["legal", k] for k in S.RATING_KEYS] == [4, 3, 2, 4, 1, 4]
    assert pd.isna(rows.loc["church", "value_power"])
    assert rows.loc["church", "value_involvement"] == 2
    # A kept rating with nothing kept behind it (a new partner) is left blank.
    values.partners.append("clinic")
    values.items["clinic"] = {"relation": 2, "value_power": S.KEPT}
    built = S.build_answers("spring", "lib", values, answered_at=STAMP, kept=kept)
    assert pd.isna(built.answers.set_index("partner").loc["clinic", "value_power"])


def test_build_answers_keeps_at_most_max_outside():
    values = S.FormValues(outside=[(f"Org {i}", 1) for i in range(questions.MAX_OUTSIDE + 3)])
    built = S.build_answers("spring", "lib", values, answered_at=STAMP)
    assert len(built.outside) == questions.MAX_OUTSIDE


def test_with_no_partner_the_profile_row_still_records_the_answer():
    built = S.build_answers("spring", "clinic", S.FormValues(), answered_at=STAMP)
    assert built.answers.empty and built.respondents() == ["clinic"]


def test_place_problems_puts_each_problem_where_it_belongs():
    values = S.FormValues(
        partners=["legal", "church"],
        items={"legal": {"relation": 2}, "church": {}},
        services=["astrology"],
        outside=[("x" * 300, 1)],
    )
    built = S.build_answers("spring", "lib", values, answered_at=STAMP)
    names = {"legal": "Birch Legal Aid", "church": "Cedar Church"}
    placed = S.place_problems(check_answers(built, roster()), built, names)
    assert placed["church"] == ["Cedar Church — Working together: Required: a code from 1 to 4."]
    assert "legal" not in placed
    assert placed[S.PROFILE][0].startswith("services: Unknown service; use one of: legal")
    assert placed[S.PROFILE][0].endswith("(astrology)")
    assert placed[S.OUTSIDE] == [
        "x" * 300 + ": An outside organization needs a name of 1 to 200 characters."
    ]
    general = S.place_problems([Problem("answers", "Columns missing: x.")], built, names)
    assert general == {S.GENERAL: ["Columns missing: x."]}


def test_answers_table_shows_words_and_hides_ratings_when_asked():
    values = S.prefill(spring(), "lib")
    names = S.roster_names(roster())
    table = S.answers_table(values, names)
    assert table["Partner"].tolist() == ["Birch Legal Aid", "Cedar Church", "Alder Neighbors"]
    assert table["Working together"].tolist() == [
        "coordinate activities",
        "share information",
        "aware of each other",
    ]
    assert table.loc[0, "Value: influence"] == "a great deal"
    hidden = S.answers_table(values, names, show_ratings=False)
    assert set(hidden["Trust: reliable"]) == {"not shown"}
    assert hidden["How often"].tolist() == ["a few times a year"] * 3


def test_code_label():
    assert S.code_label(questions.RELATION, 4) == "integrated programs"
    assert S.code_label(questions.RATING, S.KEPT) == S.KEPT_LABEL
    assert S.code_label(questions.FREQUENCY, None) == S.NO_ANSWER_LABEL


def test_closed_sentence():
    assert S.closed_sentence("fall", "2026-12-01T08:00:00") == (
        "Round fall closed on 2026-12-01: answers can no longer change."
    )
    assert "closed on ?" in S.closed_sentence("fall", None)


def test_roster_partner_and_neighborhood_choices():
    members = roster()
    assert S.partner_choices(members, "lib") == ["legal", "church", "assoc", "clinic"]
    # A partner kept from before that left the roster still shows (the store then says why).
    assert S.partner_choices(members, "lib", ["gone", "lib"])[-1] == "gone"
    hoods = survey_city().tables["neighborhoods"]
    assert list(S.neighborhood_names(hoods)) == [str(i) for i in hoods["neighborhood_id"]]
    assert S.neighborhood_names(None) == {}


def test_nothing_is_built_from_a_name_as_a_format_string():
    values = S.FormValues(outside=[("{0} %s {{7*7}} ${x}", 1)])
    built = S.build_answers("spring", "lib", values, answered_at=STAMP)
    assert built.outside["name"].tolist() == ["{0} %s {{7*7}} ${x}"]
    placed = S.place_problems(
        [Problem("answers", "m", row=0, column="relation")],
        RoundAnswers(
            "spring",
            S.build_answers(
                "spring",
                "lib",
                S.FormValues(partners=["p"], items={"p": {"relation": 1}}),
                answered_at=STAMP,
            ).answers,
            built.profiles,
            outside_frame([]),
        ),
        {"p": "{0} %s"},
    )
    assert placed == {"p": ["{0} %s — Working together: m"]}
