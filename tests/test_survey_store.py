"""The partner survey in the store (issue 10), on SQLite and PostgreSQL.

Rounds open, close and reopen; a member's answers are saved by its own link or by an editor;
imports are planned member by member (new / replaced / kept when the kept answers are newer)
and all or nothing; links are kept as SHA-256 only and a new one replaces the old; every survey
write is audited and bumps survey_revision (never the city's version); backups carry the survey
and restoring an old city version keeps it. The rounds are tests/survey_fixture.py's, on its
five-member city (Lonely is not a member).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from sqlalchemy import select
from survey_fixture import fall, make_round, spring, survey_city

from coalition import edits
from coalition import store as store_module
from coalition.accounts import Account, operator
from coalition.errors import DataError, PermissionDenied, SurveyError, ValidationError
from coalition.survey.schema import RoundAnswers, outside_frame

OP = operator("convener")
PASSWORD = "correct horse battery"
V = (3, 3, 3)  # value items of a row whose ratings do not matter to the test
T = (2, 2, 2)  # trust items


@pytest.fixture
def store(store_url):
    made = store_module.open_store(store_url)
    made.replace_city(survey_city(), account=OP)
    return made


@pytest.fixture
def spring_store(store):
    """The store with round spring opened and the fixture's answers imported."""
    store.open_survey_round("spring", account=OP)
    store.import_survey_answers(spring(), account=OP)
    return store


def combine(name: str, *rounds: RoundAnswers) -> RoundAnswers:
    """One round of several members' answers."""
    return RoundAnswers(
        name,
        pd.concat([r.answers for r in rounds], ignore_index=True),
        pd.concat([r.profiles for r in rounds], ignore_index=True),
        pd.concat([r.outside for r in rounds], ignore_index=True),
    )


def pairs(answers: RoundAnswers) -> list[tuple[str, str, int]]:
    frame = answers.answers
    return sorted(
        zip(frame["respondent"], frame["partner"], (int(r) for r in frame["relation"]), strict=True)
    )


def lib_answers(name: str = "spring", relation: int = 4, day: str = "2026-03-05"):
    """Alder Library's answers alone: one partner (Birch Legal Aid)."""
    return make_round(name, [("lib", "legal", relation, V, T)], ["lib"], day=day)


def survey_actions(store) -> list[str]:
    log = store.audit_log(account=OP)
    return [a for a in log["action"] if a.startswith("survey")]


# --- rounds ---------------------------------------------------------------------------------------
def test_open_close_reopen_a_round(store):
    assert store.open_survey_round("  2026   spring ", account=OP) == "2026 spring"
    rounds = store.survey_rounds(account=OP)
    assert rounds["round"].tolist() == ["2026 spring"]
    assert rounds.loc[0, "is_open"] and rounds.loc[0, "respondents"] == 0
    assert rounds.loc[0, "opened_by"] == "convener"
    store.close_survey_round("2026 spring", account=OP)
    closed = store.survey_rounds(account=OP).iloc[0]
    assert not closed["is_open"] and closed["closed_by"] == "convener"
    assert store.survey_round_is_open("2026 spring") is False
    store.reopen_survey_round(" 2026 spring", account=OP)
    again = store.survey_rounds(account=OP).iloc[0]
    assert again["is_open"] and again["closed_at"] is None and again["closed_by"] is None


def test_a_taken_name_is_refused(store):
    store.open_survey_round("spring", account=OP)
    with pytest.raises(SurveyError, match="'spring' already exists"):
        store.open_survey_round(" spring ", account=OP)
    assert store.survey_rounds(account=OP)["round"].tolist() == ["spring"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "bell\x07", "a\x00b"])
def test_bad_round_names_are_refused(store, name):
    with pytest.raises(SurveyError, match="1 to 80 printable characters"):
        store.open_survey_round(name, account=OP)
    assert store.survey_rounds(account=OP).empty


def test_an_unknown_round_says_did_you_mean(spring_store):
    with pytest.raises(SurveyError, match=r"'sprng'.*Did you mean \"spring\".*rounds: spring"):
        spring_store.read_survey_round("sprng", account=OP)
    with pytest.raises(SurveyError, match="no survey round called 'fall'"):
        spring_store.close_survey_round("fall", account=OP)


def test_the_round_counts_its_respondents(spring_store):
    assert spring_store.survey_rounds(account=OP).loc[0, "respondents"] == 3
    back = spring_store.read_survey_round("spring", account=OP)
    assert back.respondents() == ["church", "legal", "lib"]
    assert pairs(back) == pairs(spring())


# --- who may save a member's answers ------------------------------------------------------------
def test_a_member_saves_with_its_own_link(spring_store):
    tokens = spring_store.make_survey_links("spring", ["lib", "legal"], account=OP)
    spring_store.save_survey_answers(lib_answers(), "lib", link=tokens["lib"])
    back = spring_store.read_survey_round("spring", account=OP)
    assert [p for p in pairs(back) if p[0] == "lib"] == [("lib", "legal", 4)]
    assert ("legal", "lib", 4) in pairs(back)  # the others' answers are untouched
    log = spring_store.audit_log(account=OP)
    assert log.iloc[0]["who"] == "link of lib" and log.iloc[0]["action"] == "survey_answer"


def test_another_members_link_is_refused(spring_store):
    tokens = spring_store.make_survey_links("spring", ["lib", "legal"], account=OP)
    before = pairs(spring_store.read_survey_round("spring", account=OP))
    with pytest.raises(PermissionDenied, match="not for this member and round"):
        spring_store.save_survey_answers(lib_answers(), "lib", link=tokens["legal"])
    with pytest.raises(PermissionDenied, match="not for this member and round"):
        spring_store.save_survey_answers(lib_answers(), "lib", link="made-up-token")
    assert pairs(spring_store.read_survey_round("spring", account=OP)) == before


def test_a_link_of_another_round_is_refused(spring_store):
    spring_store.open_survey_round("fall", account=OP)
    fall_token = spring_store.make_survey_links("fall", ["lib"], account=OP)["lib"]
    with pytest.raises(PermissionDenied):
        spring_store.save_survey_answers(lib_answers("spring"), "lib", link=fall_token)
    spring_store.save_survey_answers(lib_answers("fall"), "lib", link=fall_token)
    assert pairs(spring_store.read_survey_round("fall", account=OP)) == [("lib", "legal", 4)]


def test_answers_of_another_respondent_are_refused(spring_store):
    token = spring_store.make_survey_links("spring", ["lib"], account=OP)["lib"]
    mixed = make_round("spring", [("lib", "legal", 3, V, T), ("legal", "lib", 3, V, T)])
    with pytest.raises(DataError, match="rows of another respondent"):
        spring_store.save_survey_answers(mixed, "lib", link=token)


def test_with_accounts_only_an_editor_or_a_link_saves(spring_store):
    store = spring_store
    store.add_account("ana", PASSWORD, "admin", account=OP)
    store.add_account("ed", PASSWORD, "editor", account=Account("ana", "admin"))
    store.add_account("vi", PASSWORD, "viewer", account=Account("ana", "admin"))
    token = store.make_survey_links("spring", ["lib"], account=OP)["lib"]
    with pytest.raises(PermissionDenied, match="This store has accounts: sign in"):
        store.save_survey_answers(lib_answers(relation=1), "lib")
    with pytest.raises(PermissionDenied, match="Only an editor or an admin"):
        store.save_survey_answers(lib_answers(relation=1), "lib", account=Account("vi", "viewer"))
    with pytest.raises(PermissionDenied):  # a viewer may not import or make links either
        store.import_survey_answers(lib_answers(relation=1), account=Account("vi", "viewer"))
    with pytest.raises(PermissionDenied):
        store.make_survey_links("spring", ["lib"], account=Account("vi", "viewer"))
    assert ("lib", "legal", 3) in pairs(store.read_survey_round("spring", account=OP))
    store.save_survey_answers(lib_answers(relation=2), "lib", account=Account("ed", "editor"))
    assert ("lib", "legal", 2) in pairs(store.read_survey_round("spring", account=OP))
    store.save_survey_answers(lib_answers(relation=1), "lib", link=token)  # no account needed
    assert ("lib", "legal", 1) in pairs(store.read_survey_round("spring", account=OP))
    whos = store.audit_log(account=OP)["who"].tolist()[:2]
    assert whos == ["link of lib", "ed"]


def test_a_member_reads_only_its_own_answers_with_its_link(spring_store):
    store = spring_store
    store.add_account("ana", PASSWORD, "admin", account=OP)
    store.add_account("vi", PASSWORD, "viewer", account=Account("ana", "admin"))
    tokens = store.make_survey_links("spring", ["lib", "legal"], account=OP)
    mine = store.member_survey_answers("spring", "lib", link=tokens["lib"])
    assert pairs(mine.answers) == [("lib", "assoc", 1), ("lib", "church", 2), ("lib", "legal", 3)]
    assert set(mine.answers.answers["respondent"]) == {"lib"} and mine.closed_at is None
    with pytest.raises(PermissionDenied, match="not for this member and round"):
        store.member_survey_answers("spring", "lib", link=tokens["legal"])
    with pytest.raises(PermissionDenied, match="This store has accounts: sign in"):
        store.member_survey_answers("spring", "lib")
    with pytest.raises(PermissionDenied, match="Only an editor or an admin"):
        store.member_survey_answers("spring", "lib", account=Account("vi", "viewer"))
    store.close_survey_round("spring", account=OP)
    closed = store.member_survey_answers("spring", "legal", link=tokens["legal"])
    assert closed.closed_at is not None and set(closed.answers.answers["respondent"]) == {"legal"}


def test_a_demoted_editor_can_no_longer_save(spring_store):
    store = spring_store
    store.add_account("ana", PASSWORD, "admin", account=OP)
    store.add_account("ed", PASSWORD, "editor", account=Account("ana", "admin"))
    signed_in = Account("ed", "editor")  # as the dashboard holds it since sign-in
    store.set_role("ed", "viewer", account=Account("ana", "admin"))
    with pytest.raises(PermissionDenied, match="ed is a viewer"):
        store.save_survey_answers(lib_answers(), "lib", account=signed_in)


def test_bad_answers_are_refused_with_every_problem(spring_store):
    bad = make_round(
        "spring", [("lib", "nobody", 3, V, T), ("lib", "lib", 5, V, T)], ["lib"], day="2026-03-05"
    )
    with pytest.raises(ValidationError) as caught:
        spring_store.save_survey_answers(bad, "lib", account=OP)
    where = {(p.row, p.column) for p in caught.value.errors}
    assert {(0, "partner"), (1, "partner"), (1, "relation")} <= where


# --- a closed round -------------------------------------------------------------------------------
def test_a_closed_round_refuses_saves_imports_and_links(spring_store):
    store = spring_store
    token = store.make_survey_links("spring", ["lib"], account=OP)["lib"]
    store.close_survey_round("spring", account=OP)
    revision = store.survey_revision()
    with pytest.raises(SurveyError, match=r"'spring' closed on .*reopen"):
        store.save_survey_answers(lib_answers(), "lib", link=token)
    with pytest.raises(SurveyError, match="closed"):
        store.save_survey_answers(lib_answers(), "lib", account=OP)
    with pytest.raises(SurveyError, match="closed"):
        store.import_survey_answers(lib_answers(), account=OP)
    with pytest.raises(SurveyError, match="closed"):
        store.make_survey_links("spring", ["legal"], account=OP)
    assert store.survey_revision() == revision
    assert ("lib", "legal", 3) in pairs(store.read_survey_round("spring", account=OP))
    assert store.survey_link(token) == ("spring", "lib")  # the link comes back on reopening
    store.reopen_survey_round("spring", account=OP)
    store.save_survey_answers(lib_answers(), "lib", link=token)
    assert ("lib", "legal", 4) in pairs(store.read_survey_round("spring", account=OP))


# --- importing ------------------------------------------------------------------------------------
def test_import_plan_new_replaced_and_kept_newer(spring_store):
    """Kept: lib, legal, church answered 2026-03-02. The file: lib on 03-05 (newer: replaced),
    legal on 03-01 (older: its kept answers stay), assoc on 03-03 (new); church not in it."""
    store = spring_store
    file = combine(
        "spring",
        lib_answers(day="2026-03-05"),
        make_round("spring", [("legal", "lib", 1, V, T)], ["legal"], day="2026-03-01"),
        make_round("spring", [("assoc", "church", 2, V, T)], ["assoc"], day="2026-03-03"),
    )
    plan = store.plan_survey_import(file, account=OP)
    assert (plan.new, plan.replaced, plan.kept) == (["assoc"], ["lib"], ["legal"])
    assert plan.sentence == (
        "Round spring: 1 member answers for the first time, 1 replaces its earlier answers, "
        "1 keeps its answers (newer than the file's)."
    )
    assert store.survey_revision() == 2  # planning writes nothing (open, import: 2)
    done = store.import_survey_answers(file, account=OP)
    assert done == plan
    back = pairs(store.read_survey_round("spring", account=OP))
    assert [p for p in back if p[0] == "lib"] == [("lib", "legal", 4)]
    assert [p for p in back if p[0] == "legal"] == [
        ("legal", "assoc", 2),
        ("legal", "church", 3),
        ("legal", "lib", 4),
    ]
    assert [p for p in back if p[0] == "assoc"] == [("assoc", "church", 2)]
    assert len([p for p in back if p[0] == "church"]) == 3  # not in the file: untouched
    assert store.audit_log(account=OP).iloc[0]["what"] == plan.sentence


def test_an_answer_as_recent_as_the_kept_one_replaces_it(spring_store):
    same_day = lib_answers(relation=1, day="2026-03-02")
    plan = spring_store.plan_survey_import(same_day, account=OP)
    assert (plan.new, plan.replaced, plan.kept) == ([], ["lib"], [])


def test_an_import_is_all_or_nothing(spring_store):
    store = spring_store
    before = store.read_survey_round("spring", account=OP)
    revision, log_rows = store.survey_revision(), len(store.audit_log(account=OP))
    file = combine(
        "spring",
        make_round("spring", [("assoc", "church", 2, V, T)], ["assoc"], day="2026-03-03"),
        lib_answers(),
        make_round("spring", [("clinic", "nobody", 2, V, T)], ["clinic"], day="2026-03-03"),
    )
    with pytest.raises(ValidationError) as caught:
        store.import_survey_answers(file, account=OP)
    assert [(p.column, p.value) for p in caught.value.errors] == [("partner", "nobody")]
    after = store.read_survey_round("spring", account=OP)
    assert pairs(after) == pairs(before) and after.respondents() == before.respondents()
    assert store.survey_revision() == revision
    assert len(store.audit_log(account=OP)) == log_rows


def test_an_import_into_an_unknown_round_is_refused(spring_store):
    with pytest.raises(SurveyError, match="no survey round called 'fall'"):
        spring_store.import_survey_answers(fall(), account=OP)


# --- links ----------------------------------------------------------------------------------------
def test_a_new_link_replaces_the_old_one(spring_store):
    store = spring_store
    first = store.make_survey_links("spring", ["lib", "legal"], account=OP)
    second = store.make_survey_links("spring", ["lib"], account=OP)
    assert first["lib"] != second["lib"]
    assert store.survey_link(first["lib"]) is None
    assert store.survey_link(second["lib"]) == ("spring", "lib")
    assert store.survey_link(first["legal"]) == ("spring", "legal")
    assert store.survey_links("spring", account=OP)["org_id"].tolist() == ["legal", "lib"]
    with pytest.raises(PermissionDenied):
        store.save_survey_answers(lib_answers(), "lib", link=first["lib"])
    with store.engine.connect() as conn:  # only digests are kept, never a token
        kept = [r[0] for r in conn.execute(select(store_module.SURVEY_LINKS.c.token_sha256))]
    assert len(kept) == 2 and not {first["legal"], second["lib"]} & set(kept)


def test_links_only_for_members(spring_store):
    with pytest.raises(SurveyError, match="Not member organizations: lonely, nobody"):
        spring_store.make_survey_links("spring", ["lib", "lonely", "nobody"], account=OP)
    assert spring_store.survey_links("spring", account=OP).empty


@pytest.mark.parametrize("token", [None, "", "x" * 201, "no such token"])
def test_an_unknown_token_is_no_member(spring_store, token):
    assert spring_store.survey_link(token) is None


# --- audit and revision ---------------------------------------------------------------------------
def test_every_survey_write_is_audited_and_bumps_the_revision_not_the_version(store):
    assert store.survey_revision() == 0
    steps = [
        lambda: store.open_survey_round("spring", account=OP),
        lambda: store.import_survey_answers(spring(), account=OP),
        lambda: store.make_survey_links("spring", ["lib"], account=OP),
        lambda: store.save_survey_answers(lib_answers(), "lib", account=OP),
        lambda: store.close_survey_round("spring", account=OP),
        lambda: store.reopen_survey_round("spring", account=OP),
    ]
    for number, step in enumerate(steps, start=1):
        step()
        assert store.survey_revision() == number
    assert store.version() == 1
    assert survey_actions(store) == [
        "survey_round",
        "survey_round",
        "survey_answer",
        "survey_links",
        "survey_import",
        "survey_round",
    ]
    whats = store.audit_log(account=OP)["what"].tolist()
    assert "reopened round spring" in whats and "closed round spring" in whats
    assert "lib answered round spring (1 partners)" in whats


def test_reads_and_plans_do_not_bump_the_revision(spring_store):
    revision = spring_store.survey_revision()
    spring_store.survey_rounds(account=OP)
    spring_store.read_survey_round("spring", account=OP)
    spring_store.plan_survey_import(fall_as("spring"), account=OP)
    spring_store.survey_links("spring", account=OP)
    assert spring_store.survey_revision() == revision


def fall_as(name: str) -> RoundAnswers:
    """The fall fixture's answers under another round's name."""
    answers = fall()
    return RoundAnswers(
        name,
        answers.answers.assign(round=name),
        answers.profiles.assign(round=name),
        answers.outside,
    )


# --- hostile text ---------------------------------------------------------------------------------
def test_a_nul_in_an_outside_name_is_stored(spring_store):
    """PostgreSQL refuses NUL in text: the store keeps it as U+FFFD (on SQLite too)."""
    outside = outside_frame(
        [
            {"round": "spring", "respondent": "lib", "name": "Elm\x00 Co-op", "relation": 2},
            {"round": "spring", "respondent": "lib", "name": "<b>{{7*7}}</b> =1+1", "relation": 1},
        ]
    )
    mine = dataclasses.replace(lib_answers(), outside=outside)
    spring_store.save_survey_answers(mine, "lib", account=OP)
    back = spring_store.read_survey_round("spring", account=OP).outside
    assert back["name"].tolist() == ["Elm\ufffd Co-op", "<b>{{7*7}}</b> =1+1"]
    assert back["relation"].tolist() == [2, 1]


# --- backup and restore -------------------------------------------------------------------------
def test_a_backup_carries_the_survey(spring_store, tmp_path):
    store = spring_store
    token = store.make_survey_links("spring", ["lib"], account=OP)["lib"]
    store.close_survey_round("spring", account=OP)
    path = store.backup(tmp_path / "backup.db", account=OP)
    copy = store_module.open_store(path)
    rounds = copy.survey_rounds(account=OP)
    assert rounds["round"].tolist() == ["spring"] and not rounds.loc[0, "is_open"]
    assert rounds.loc[0, "respondents"] == 3
    original, copied = (s.read_survey_round("spring", account=OP) for s in (store, copy))
    for table in ("answers", "profiles", "outside"):
        left, right = getattr(original, table), getattr(copied, table)
        assert left.astype(object).where(left.notna(), None).to_dict("records") == (
            right.astype(object).where(right.notna(), None).to_dict("records")
        ), table
    assert copy.survey_link(token) == ("spring", "lib")
    assert copy.survey_revision() == store.survey_revision()


def test_restoring_an_old_city_version_keeps_the_answers(spring_store):
    store = spring_store
    city = store.read_city()
    assert store.apply(edits.change(city, "organizations", "lib", {"notes": "x"}), what="x") == 2
    revision = store.survey_revision()
    assert store.restore(1, account=OP) == 3
    assert pairs(store.read_survey_round("spring", account=OP)) == pairs(spring())
    assert store.survey_rounds(account=OP)["respondents"].tolist() == [3]
    # The revision counts on across whole-city writes (a cache keyed on it alone stays right).
    assert store.survey_revision() == revision
    store.replace_city(survey_city(), account=OP)
    assert store.survey_revision() == revision
    store.close_survey_round("spring", account=OP)
    assert store.survey_revision() == revision + 1
