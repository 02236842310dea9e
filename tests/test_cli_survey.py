"""`coalition survey …`, `--ties`/`--round` on the analyses and `changes --round A --round B`.

The store holds tests/survey_fixture.py's city (five members: lib, legal, church, assoc,
clinic; Lonely is not a member) and, where a test says so, its hand-worked rounds spring
(3 of 5 answered) and fall (5 of 5).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import stat
from pathlib import Path

import pytest
from survey_fixture import fall, spring, survey_city

from coalition import cli
from coalition.accounts import operator
from coalition.store import open_store

OP = operator("convener")


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "survey.db")
    open_store(path).replace_city(survey_city(), account=OP)
    return path


@pytest.fixture
def with_spring(db):
    store = open_store(db)
    store.open_survey_round("spring", account=OP)
    store.import_survey_answers(spring(), account=OP)
    return db


class Terminal(io.StringIO):
    """Standard input that says it is a terminal (for the y/N prompt)."""

    def isatty(self) -> bool:
        return True


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def answer_file(
    folder: Path,
    name: str,
    respondent: str,
    partners,
    *,
    when="2026-11-30T10:00:00Z",
    round="2026 fall",
    **extra,
) -> Path:
    """An offline-form file, as the HTML form saves it."""
    saved = {
        "format": "coalition-partner-survey",
        "round": round,
        "respondent": respondent,
        "answered_at": when,
        "partners": [{"partner": p, "relation": r} for p, r in partners],
        **extra,
    }
    path = folder / name
    path.write_text(json.dumps(saved), encoding="utf-8")
    return path


def kept(db, name):
    answers = open_store(db).read_survey_round(name, account=OP).answers
    return sorted(
        zip(answers["respondent"], answers["partner"], map(int, answers["relation"]), strict=True)
    )


# --- survey make ----------------------------------------------------------------------------------
def test_make_opens_the_round_and_writes_three_forms(capsys, db, tmp_path):
    out_dir = tmp_path / "forms"
    code, out, _ = run(capsys, "survey", "make", "--round", " 2026  fall", str(out_dir), "--db", db)
    assert code == 0
    assert "Opened the survey round 2026 fall." in out
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [
        "partner-survey-2026-fall-workbook.xlsx",
        "partner-survey-2026-fall-xlsform.xlsx",
        "partner-survey-2026-fall.html",
    ]
    for name in names:
        assert str(out_dir / name) in out
    assert "KoboToolbox or ODK" in out and "without a server or internet" in out
    assert "(5 members on the roster)" in out
    assert "coalition survey import FILE… --round '2026 fall'" in out
    rounds = open_store(db).survey_rounds(account=OP)
    assert rounds["round"].tolist() == ["2026 fall"] and rounds.loc[0, "is_open"]
    assert not list(out_dir.glob("links-*"))  # links only with --links
    html = (out_dir / "partner-survey-2026-fall.html").read_text(encoding="utf-8")
    assert "Dogwood Clinic" in html and "Lonely" not in html  # the roster: members only

    code, out, _ = run(capsys, "survey", "make", "--round", "2026 fall", str(out_dir), "--db", db)
    assert code == 0 and "Round 2026 fall already exists (open): writing its forms again." in out
    assert len(open_store(db).survey_rounds(account=OP)) == 1


def test_make_with_links_writes_a_confidential_csv(capsys, db, tmp_path):
    out_dir = tmp_path / "forms"
    argv = ["survey", "make", "--round", "2026 fall", str(out_dir), "--links", "--db", db]
    code, out, _ = run(capsys, *argv, "--base-url", "https://survey.example.org/")
    assert code == 0 and "CONFIDENTIAL" in out
    path = out_dir / "links-2026-fall.csv"
    assert f"Wrote 5 private links to {path}" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["org_id"] for r in rows] == ["lib", "legal", "church", "assoc", "clinic"]
    assert rows[0]["member"] == "Alder Library"
    store = open_store(db)
    for row in rows:
        prefix = "https://survey.example.org/survey?link="
        assert row["url"].startswith(prefix)
        assert store.survey_link(row["url"].removeprefix(prefix)) == ("2026 fall", row["org_id"])
    # Made again: new links, the old ones stop working.
    assert run(capsys, *argv)[0] == 0
    with path.open(newline="", encoding="utf-8") as handle:
        again = list(csv.DictReader(handle))
    old_token = rows[0]["url"].rsplit("=", 1)[1]
    new_token = again[0]["url"].rsplit("=", 1)[1]
    assert again[0]["url"].startswith("http://localhost:8501/survey?link=")
    assert store.survey_link(old_token) is None
    assert store.survey_link(new_token) == ("2026 fall", "lib")


def test_links_never_hold_a_live_formula(capsys, tmp_path):
    city = survey_city()
    orgs = city.tables["organizations"].copy()
    orgs.loc[orgs["org_id"] == "lib", "name"] = '=HYPERLINK("http://x.example","go")'
    db = str(tmp_path / "h.db")
    open_store(db).replace_city(
        dataclasses.replace(city, tables={**city.tables, "organizations": orgs}), account=OP
    )
    code, _, _ = run(
        capsys, "survey", "make", "--round", "r1", str(tmp_path / "f"), "--links", "--db", db
    )
    assert code == 0
    with (tmp_path / "f" / "links-r1.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["member"] == '\'=HYPERLINK("http://x.example","go")'


def test_make_links_for_a_closed_round_writes_nothing(capsys, db, tmp_path):
    store = open_store(db)
    store.open_survey_round("2026 fall", account=OP)
    store.close_survey_round("2026 fall", account=OP)
    out_dir = tmp_path / "forms"
    code, _, err = run(
        capsys, "survey", "make", "--round", "2026 fall", str(out_dir), "--links", "--db", db
    )
    assert code == 1
    assert "is closed: links cannot be made" in err and "coalition survey reopen '2026 fall'" in err
    assert not out_dir.exists()
    assert store.survey_links("2026 fall", account=OP).empty


@pytest.mark.parametrize(
    "argv,said",
    [
        (["--base-url", "localhost:8501"], "--base-url must start with http:// or https://"),
        (["--round", ""], "1 to 80 printable characters"),
    ],
)
def test_make_refuses_bad_arguments(capsys, db, tmp_path, argv, said):
    base = ["survey", "make", "--round", "r1", str(tmp_path / "forms"), "--db", db]
    code, _, err = run(capsys, *base, *argv)
    assert code in (1, 2) and said in err
    assert not (tmp_path / "forms").exists()
    assert open_store(db).survey_rounds(account=OP).empty


def test_make_on_an_empty_store_says_to_load_a_city(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "survey",
        "make",
        "--round",
        "r1",
        str(tmp_path / "f"),
        "--db",
        str(tmp_path / "empty.db"),
    )
    assert code == 1 and "coalition init" in err


# --- survey import --------------------------------------------------------------------------------
@pytest.fixture
def fall_round(db):
    open_store(db).open_survey_round("2026 fall", account=OP)
    return db


def test_import_without_a_terminal_or_yes_only_previews(capsys, fall_round, tmp_path):
    db = fall_round
    files = [
        answer_file(
            tmp_path, "a.json", "Alder Library", [("Birch Legal Aid", 3), ("cedar church", 2)]
        ),
        answer_file(
            tmp_path,
            "b.json",
            "legal",
            [("Alder Library", 4)],
            outside=[{"name": "Elm Co-op", "relation": 2}],
        ),
    ]
    revision = open_store(db).survey_revision()
    code, out, _ = run(
        capsys, "survey", "import", *map(str, files), "--round", "2026 fall", "--db", db
    )
    assert code == 0
    assert (
        "Read 2 files (offline form): 2 members answered, 3 partner answers, 0 profiles, "
        "1 organization outside the coalition." in out
    )
    assert "Round 2026 fall: 2 members answer for the first time." in out
    assert "run again with --yes to import" in out
    assert kept(db, "2026 fall") == [] and open_store(db).survey_revision() == revision

    code, out, _ = run(
        capsys, "survey", "import", *map(str, files), "--round", "2026 fall", "--yes", "--db", db
    )
    assert code == 0 and "Imported into round 2026 fall" in out
    assert kept(db, "2026 fall") == [("legal", "lib", 4), ("lib", "church", 2), ("lib", "legal", 3)]
    outside = open_store(db).read_survey_round("2026 fall", account=OP).outside
    assert outside["name"].tolist() == ["Elm Co-op"]


@pytest.mark.parametrize(
    "typed,imported", [("y\n", True), ("yes\n", True), ("n\n", False), ("\n", False), ("", False)]
)
def test_import_asks_on_a_terminal(capsys, monkeypatch, fall_round, tmp_path, typed, imported):
    path = answer_file(tmp_path, "a.json", "lib", [("legal", 3)])
    monkeypatch.setattr("sys.stdin", Terminal(typed))
    code, out, _ = run(
        capsys, "survey", "import", str(path), "--round", "2026 fall", "--db", fall_round
    )
    assert code == 0 and "Import these answers into round 2026 fall? [y/N]" in out
    assert kept(fall_round, "2026 fall") == ([("lib", "legal", 3)] if imported else [])
    assert ("Nothing was imported." in out) is not imported


def test_import_json(capsys, fall_round, tmp_path):
    path = answer_file(tmp_path, "a.json", "lib", [("legal", 3)])
    code, out, _ = run(
        capsys, "survey", "import", str(path), "--round", "2026 fall", "--json", "--db", fall_round
    )
    data = json.loads(out)
    assert code == 0 and data["imported"] is False and data["channel"] == "html"
    assert data["preview"] == {
        "respondents": 1,
        "answers": 1,
        "profiles": 0,
        "outside": 0,
        "replaced": 0,
    }
    assert data["plan"]["new"] == ["lib"] and data["city"] == "Tiny Town"
    code, out, _ = run(
        capsys,
        "survey",
        "import",
        str(path),
        "--round",
        "2026 fall",
        "--json",
        "--yes",
        "--db",
        fall_round,
    )
    assert json.loads(out)["imported"] is True and kept(fall_round, "2026 fall") != []


def test_a_member_answering_twice_keeps_the_latest_and_says_so(capsys, fall_round, tmp_path):
    early = answer_file(tmp_path, "early.json", "lib", [("legal", 1)], when="2026-11-01T10:00:00Z")
    late = answer_file(tmp_path, "late.json", "lib", [("legal", 4)], when="2026-11-20T10:00:00Z")
    code, out, _ = run(
        capsys,
        "survey",
        "import",
        str(early),
        str(late),
        "--round",
        "2026 fall",
        "--yes",
        "--db",
        fall_round,
    )
    assert code == 0
    warnings = [line for line in out.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and warnings[0].startswith("WARNING: early.json")
    assert "Alder Library answered more than once; the latest answer (late.json" in warnings[0]
    assert kept(fall_round, "2026 fall") == [("lib", "legal", 4)]


def test_a_newer_kept_answer_is_not_overwritten(capsys, fall_round, tmp_path):
    late = answer_file(tmp_path, "late.json", "lib", [("legal", 4)], when="2026-11-20T10:00:00Z")
    early = answer_file(tmp_path, "early.json", "lib", [("legal", 1)], when="2026-11-01T10:00:00Z")
    assert (
        run(
            capsys,
            "survey",
            "import",
            str(late),
            "--round",
            "2026 fall",
            "--yes",
            "--db",
            fall_round,
        )[0]
        == 0
    )
    code, out, _ = run(
        capsys, "survey", "import", str(early), "--round", "2026 fall", "--yes", "--db", fall_round
    )
    assert code == 0 and "1 keeps its answers (newer than the file's)" in out
    assert "Nothing to import" in out
    assert kept(fall_round, "2026 fall") == [("lib", "legal", 4)]


def test_a_broken_file_lists_every_problem_and_imports_nothing(capsys, fall_round, tmp_path):
    good = answer_file(tmp_path, "good.json", "church", [("legal", 2)])
    bad = answer_file(
        tmp_path, "bad.json", "Birch Legal Aid", [("Alder Libary", 3), ("Nobody Here", 7)]
    )
    wrong_round = answer_file(tmp_path, "old.json", "lib", [("legal", 3)], round="spring")
    revision = open_store(fall_round).survey_revision()
    code, out, err = run(
        capsys,
        "survey",
        "import",
        str(good),
        str(bad),
        str(wrong_round),
        "--round",
        "2026 fall",
        "--yes",
        "--db",
        fall_round,
    )
    assert code == 1
    assert "problem(s) found; nothing was loaded" in err
    assert "bad.json, column 'partners[1].partner'" in err and 'Did you mean "Alder Library"' in err
    assert "(value: 'Alder Libary')" in err
    assert "bad.json, column 'partners[2].partner'" in err and "(value: 'Nobody Here')" in err
    assert "bad.json, column 'partners[2].relation'" in err and "(value: '7')" in err
    assert "old.json" in err
    assert kept(fall_round, "2026 fall") == [] and open_store(fall_round).survey_revision() == (
        revision
    )
    assert "Imported" not in out


def test_import_a_missing_file(capsys, fall_round, tmp_path):
    code, _, err = run(
        capsys,
        "survey",
        "import",
        str(tmp_path / "nowhere.json"),
        "--round",
        "2026 fall",
        "--yes",
        "--db",
        fall_round,
    )
    assert code == 1 and "nowhere.json" in err


def test_import_into_an_unknown_round_says_did_you_mean(capsys, fall_round, tmp_path):
    path = answer_file(tmp_path, "a.json", "lib", [("legal", 3)])
    code, _, err = run(
        capsys, "survey", "import", str(path), "--round", "2026 fal", "--yes", "--db", fall_round
    )
    assert code == 1 and "no survey round called '2026 fal'" in err
    assert 'Did you mean "2026 fall"' in err


def test_import_into_a_closed_round_is_refused(capsys, fall_round, tmp_path):
    open_store(fall_round).close_survey_round("2026 fall", account=OP)
    path = answer_file(tmp_path, "a.json", "lib", [("legal", 3)])
    code, _, err = run(
        capsys, "survey", "import", str(path), "--round", "2026 fall", "--yes", "--db", fall_round
    )
    assert code == 1 and "is closed" in err and "coalition survey reopen '2026 fall'" in err
    assert kept(fall_round, "2026 fall") == []


def test_import_with_a_channel_that_does_not_fit(capsys, fall_round, tmp_path):
    path = answer_file(tmp_path, "a.json", "lib", [("legal", 3)])
    code, _, err = run(
        capsys,
        "survey",
        "import",
        str(path),
        "--round",
        "2026 fall",
        "--channel",
        "google",
        "--yes",
        "--db",
        fall_round,
    )
    assert code == 1 and "a.json" in err and kept(fall_round, "2026 fall") == []
    code, _, err = run(
        capsys,
        "survey",
        "import",
        str(path),
        "--round",
        "2026 fall",
        "--channel",
        "paper",
        "--db",
        fall_round,
    )
    assert code == 2 and "invalid choice: 'paper'" in err


# --- rounds, open, close, reopen, status ----------------------------------------------------------
def test_rounds_open_close_reopen(capsys, db):
    code, out, _ = run(capsys, "survey", "rounds", "--db", db)
    assert code == 0 and out.startswith("No survey round yet.")
    code, out, _ = run(capsys, "survey", "open", " spring ", "--db", db)
    assert code == 0 and out.startswith("Opened the survey round spring.")
    code, _, err = run(capsys, "survey", "open", "spring", "--db", db)
    assert code == 1 and "'spring' already exists" in err
    code, out, _ = run(capsys, "survey", "close", "spring", "--db", db)
    assert code == 0 and "Closed the round spring" in out
    assert open_store(db).survey_round_is_open("spring") is False
    code, out, _ = run(capsys, "survey", "rounds", "--db", db)
    lines = out.splitlines()
    assert lines[0].split() == ["round", "state", "opened", "by", "respondents"]
    assert lines[1].split()[:2] == ["spring", "closed"] and lines[1].split()[-1] == "0"
    code, out, _ = run(capsys, "survey", "reopen", "spring", "--db", db)
    assert code == 0 and "Reopened the round spring" in out
    code, out, _ = run(capsys, "survey", "rounds", "--json", "--db", db)
    data = json.loads(out)
    assert [(r["round"], r["is_open"], r["respondents"]) for r in data] == [("spring", True, 0)]
    code, _, err = run(capsys, "survey", "close", "sprin", "--db", db)
    assert code == 1 and 'Did you mean "spring"' in err


def test_status_for_the_convener(capsys, with_spring):
    code, out, _ = run(capsys, "survey", "status", "--round", "spring", "--db", with_spring)
    assert code == 0
    assert "Round spring is open." in out
    assert "3 of 5 members answered round spring (60%)." in out
    assert (
        "Ties reported: 2 confirmed by both sides, 1 by one side only, 4 naming a member that "
        "has not answered." in out
    )
    assert out.endswith("To chase (2):\n  - Alder Neighbors\n  - Dogwood Clinic\n")
    code, out, _ = run(capsys, "survey", "status", "--json", "--db", with_spring)  # the newest
    data = json.loads(out)
    assert (data["round"], data["members"], data["answered"], data["rate"]) == ("spring", 5, 3, 0.6)
    assert data["not_answered"] == ["Alder Neighbors", "Dogwood Clinic"]
    assert data["ties"] == {"confirmed": 2, "one side": 1, "non-respondent": 4}
    assert [r["org_id"] for r in data["response"] if r["answered"]] == ["lib", "legal", "church"]


def test_status_without_rounds_or_of_an_unknown_round(capsys, db, with_spring):
    code, _, err = run(capsys, "survey", "status", "--round", "sprig", "--db", with_spring)
    assert code == 1 and 'Did you mean "spring"' in err


def test_status_of_a_store_without_rounds(capsys, db):
    code, _, err = run(capsys, "survey", "status", "--db", db)
    assert code == 1 and "no partner survey round yet" in err


# --- --ties on the analyses ----------------------------------------------------------------------
def fragile(report) -> list[str]:
    return [entry["explanation"] for entry in report["fragile_links"]]


def test_gaps_on_the_survey_ties_change_the_single_points_of_failure(capsys, with_spring):
    """tests/survey_fixture.py, spring: confirmed only makes Birch Legal Aid hold the coalition
    together; any report makes Cedar Church the only partner of Dogwood Clinic."""
    db = with_spring
    code, out, _ = run(capsys, "gaps", "--ties", "confirmed", "--json", "--db", db)
    confirmed = json.loads(out)
    code2, out, _ = run(capsys, "gaps", "--ties", "any", "--round", "spring", "--json", "--db", db)
    any_report = json.loads(out)
    assert code == code2 == 0
    assert confirmed["survey_ties"] == {
        "round": "spring",
        "ties": "confirmed",
        "members": 5,
        "answered": 3,
    }
    assert any_report["survey_ties"]["ties"] == "any"
    assert any(
        e.startswith("Birch Legal Aid holds the coalition together") for e in fragile(confirmed)
    )
    assert not any(e.startswith("Cedar Church holds") for e in fragile(confirmed))
    assert any(
        e.startswith("Cedar Church holds part of the coalition together") and "Dogwood Clinic" in e
        for e in fragile(any_report)
    )
    assert not any(e.startswith("Birch Legal Aid holds") for e in fragile(any_report))

    code, out, _ = run(capsys, "gaps", "--round", "spring", "--db", db)  # confirmed by default
    assert code == 0
    assert out.splitlines()[1] == (
        "Ties: partner survey round spring, confirmed by both sides; 3 of 5 members answered."
    )
    code, out, _ = run(capsys, "gaps", "--json", "--db", db)  # the recorded ties
    recorded = json.loads(out)
    assert "survey_ties" not in recorded and fragile(recorded) != fragile(confirmed)
    code, out, _ = run(capsys, "gaps", "--db", db)
    assert "Ties:" not in out


def test_ties_without_a_round_is_a_clear_error(capsys, db):
    code, _, err = run(capsys, "gaps", "--ties", "any", "--db", db)
    assert code == 1 and "no partner survey round yet" in err and "leave out --ties" in err


def test_ties_of_an_unknown_round(capsys, with_spring):
    code, _, err = run(
        capsys, "gaps", "--ties", "any", "--round", "Spring 2026", "--db", with_spring
    )
    assert code == 1 and "no survey round called 'Spring 2026'" in err
    code, _, err = run(capsys, "gaps", "--ties", "some", "--db", with_spring)
    assert code == 2 and "invalid choice: 'some'" in err


def test_export_with_survey_ties(capsys, with_spring, tmp_path):
    out_dir = tmp_path / "export"
    code, out, _ = run(
        capsys, "export", "--format", "csv", "--ties", "any", str(out_dir), "--db", with_spring
    )
    assert code == 0 and "Ties: partner survey round spring, any report" in out
    with (out_dir / "ties.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["tie_type"] == "partnership"]
    members = {"lib", "legal", "church", "assoc", "clinic"}
    between = {
        tuple(sorted((r["source_id"], r["target_id"])))
        for r in rows
        if {r["source_id"], r["target_id"]} <= members
    }
    assert between == {
        ("legal", "lib"),
        ("church", "legal"),
        ("church", "lib"),
        ("assoc", "church"),
        ("assoc", "legal"),
        ("assoc", "lib"),
        ("church", "clinic"),
    }
    assert {r["source"] for r in rows if {r["source_id"], r["target_id"]} <= members} == {
        "partner survey spring"
    }
    audit = open_store(with_spring).audit_log(account=OP)
    assert audit.iloc[0]["what"].endswith("with the ties of partner survey round spring (any)")


# --- changes --round A --round B -----------------------------------------------------------------
@pytest.fixture
def two_rounds(with_spring):
    store = open_store(with_spring)
    store.open_survey_round("fall", account=OP)
    store.import_survey_answers(fall(), account=OP)
    return with_spring


def test_changes_between_two_rounds(capsys, two_rounds):
    code, out, _ = run(
        capsys, "changes", "--round", "spring", "--round", "fall", "--db", two_rounds
    )
    assert code == 0
    assert "Partner survey rounds spring and fall:" in out
    assert (
        "  - Round fall compared with round spring (any reported tie): 1 tie gained, 2 lost." in out
    )
    assert "Birch Legal Aid is newly among the most connected quarter of members" in out
    code, out, _ = run(
        capsys,
        "changes",
        "--round",
        "spring",
        "--round",
        "fall",
        "--ties",
        "confirmed",
        "--json",
        "--db",
        two_rounds,
    )
    data = json.loads(out)
    assert code == 0 and (data["before"], data["after"], data["ties"]) == (
        "spring",
        "fall",
        "confirmed",
    )
    gained = {(r["a"], r["b"]) for r in data["ties_gained"]}
    assert gained == {("assoc", "lib"), ("clinic", "legal"), ("assoc", "church")}
    assert data["ties_lost"] == []
    assert data["sentences"][0].startswith("Round fall compared with round spring")
    assert {"trust_value", "newly_central", "newly_peripheral", "measures"} <= set(data)


@pytest.mark.parametrize(
    "argv,said",
    [
        (["--round", "spring"], "give two survey rounds"),
        (["--round", "spring", "--round", " spring"], "both --round name the round spring"),
        (["--round", "spring", "--round", "fall", "--since", "1"], "use one or the other"),
        (["--round", "spring", "--round", "fall", "--list"], "use one or the other"),
        (["--ties", "any"], "give two survey rounds"),
    ],
)
def test_changes_round_usage_errors(capsys, two_rounds, argv, said):
    code, _, err = run(capsys, "changes", *argv, "--db", two_rounds)
    assert code == 2 and said in err


def test_changes_of_an_unknown_round(capsys, two_rounds):
    code, _, err = run(
        capsys, "changes", "--round", "spring", "--round", "autumn", "--db", two_rounds
    )
    assert code == 1 and "no survey round called 'autumn'" in err


def test_changes_since_still_compares_versions(capsys, two_rounds):
    code, out, _ = run(capsys, "changes", "--db", two_rounds)
    assert code == 0 and "only one version so far" in out


def test_the_channels_offered_are_the_importers():
    from coalition.survey.importers import FILE_CHANNELS

    assert tuple(cli.CHANNEL_WORDS) == FILE_CHANNELS
