"""The "Ties from" switch of the Gaps and Network pages, and the Network page's round comparison.

The store holds tests/survey_fixture.survey_city() (five members: lib, legal, church, assoc,
clinic) and the fixture's rounds spring and fall, imported as the operator. Single points of
failure (articulation points of the members' partnership network), worked out by hand in
tests/survey_fixture.py and tests/test_survey_analysis.py:

- the recorded ties: Alder Library and Birch Legal Aid;
- spring, confirmed by both sides (legal-lib, church-legal): Birch Legal Aid;
- spring, any report (adds church-lib, assoc with lib, legal and church, church-clinic): Cedar
  Church, Dogwood Clinic's only partner;
- spring, confirmed, after Dogwood Clinic answers naming Cedar Church (church-clinic becomes
  confirmed): Birch Legal Aid and Cedar Church.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import element_texts
from streamlit.testing.v1 import AppTest
from survey_fixture import FALL_ROWS, SPRING_ROWS, fall, make_round, spring, survey_city

from coalition import store as store_module
from coalition.accounts import operator
from coalition.dashboard import PAGES, auth, cache, ties_ui
from coalition.errors import AnalysisError
from coalition.presenting.text import md
from coalition.settings import db_url
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE_FILES = {url_path: f"coalition/dashboard/{file}" for file, _, url_path in PAGES}
TIMEOUT = 120
MARKDOWN_ESCAPE = re.compile(r"\\(.)")
HOLDS = "Member holding others together"  # the fragile-links table's "What" of a cut member
RECORDED_POINTS = ["Alder Library", "Birch Legal Aid"]


def _stamps(start: int = 0):
    """Increasing timestamps for the store's writes: rounds opened in order, a second apart
    (the store keeps seconds, and two rounds opened in one second have no order)."""
    counter = itertools.count(start)

    def now() -> str:
        second = next(counter)
        return f"2026-11-30T10:{second // 60:02d}:{second % 60:02d}+00:00"

    return now


def _stored(path: Path, city, rounds) -> Path:
    store = open_store(path)
    store.replace_city(city)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "_now", _stamps())
        for survey_round in rounds:
            store.open_survey_round(survey_round.round, account=operator())
            store.import_survey_answers(survey_round, account=operator())
    return path


@pytest.fixture(scope="module")
def survey_db(tmp_path_factory) -> Path:
    return _stored(tmp_path_factory.mktemp("ties") / "t.db", survey_city(), [spring(), fall()])


@pytest.fixture
def open_app(monkeypatch):
    def start(db: Path, page: str) -> AppTest:
        monkeypatch.setenv("COALITION_DB", str(db))
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        at.switch_page(PAGE_FILES[page]).run()
        assert_clean(at)
        return at

    return start


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def choose(at: AppTest, key: str, value: str) -> AppTest:
    at.selectbox(key=key).set_value(value).run()
    assert_clean(at)
    return at


def single_points(at: AppTest) -> list[str]:
    """The Gaps page's members holding others together (fragile links tab), sorted."""
    for frame in at.dataframe:
        table = frame.value
        if "Members who would be cut off" in table.columns:
            return sorted(table.loc[table["What"] == HOLDS, "Name"].tolist())
    return []


def texts(at: AppTest) -> str:
    """Every text on the page as written (markdown escapes and all)."""
    return "\n".join(element_texts(at))


def plain(text: str) -> str:
    """A markdown text as shown: its backslash escapes removed."""
    return MARKDOWN_ESCAPE.sub(r"\1", text)


def marked_fragile(at: AppTest) -> set[str]:
    """The network drawing's nodes marked fragile (labels read from the vis-network data)."""
    import json

    (frame,) = at.get("iframe")
    string = r'("(?:[^"\\]|\\.)*")'
    node = rf'"label": {string}(?:(?!"label": ).)*?"title": {string}'
    return {
        json.loads(m.group(1))
        for m in re.finditer(node, frame.proto.srcdoc)
        if "Highlighted: fragile" in json.loads(m.group(2))
    }


# --- the switch on the Gaps page ------------------------------------------------------------------


def test_the_switch_offers_each_round_and_starts_on_the_recorded_ties(open_app, survey_db):
    at = open_app(survey_db, "gaps")
    switch = at.selectbox(key="gaps_ties")
    assert switch.value == ties_ui.RECORDED
    assert switch.options == [
        "the recorded ties",
        "partner survey round fall — confirmed by both sides",
        "partner survey round fall — any report",
        "partner survey round spring — confirmed by both sides",
        "partner survey round spring — any report",
    ]
    assert single_points(at) == RECORDED_POINTS
    assert not at.info  # no survey line for the recorded ties


def test_confirmed_or_any_changes_the_single_points_of_failure(open_app, survey_db):
    at = open_app(survey_db, "gaps")
    choose(at, "gaps_ties", "confirmed:spring")
    assert single_points(at) == ["Birch Legal Aid"]
    (line,) = [i.value for i in at.info]
    assert "\\(60\\%\\)" in line  # markdown, escaped
    assert plain(line) == (
        "Ties from partner survey round spring, confirmed by both sides: 2 pairs. 3 of 5 "
        "members answered (60%). Missing here: 4 reported ties with a member that has not "
        "answered (it cannot confirm them yet) and 1 tie the other side left out."
    )
    body = plain(texts(at))
    assert (
        "Birch Legal Aid with ties confirmed by both sides only, not with any report; "
        "Cedar Church with any report, not with confirmed ties only" in body
    )

    choose(at, "gaps_ties", "any:spring")
    assert single_points(at) == ["Cedar Church"]
    assert "round spring, any report: 7 pairs, 2 confirmed by both sides." in plain(
        at.info[0].value
    )

    # Back to the recorded ties: the original gaps, not a survey result kept in the cache.
    choose(at, "gaps_ties", ties_ui.RECORDED)
    assert single_points(at) == RECORDED_POINTS
    assert not at.info

    # Fall, confirmed: legal-lib, church-legal, assoc-lib, clinic-legal, assoc-church form a
    # ring lib-legal-church-assoc with clinic on legal: Birch Legal Aid alone again.
    choose(at, "gaps_ties", "confirmed:fall")
    assert single_points(at) == ["Birch Legal Aid"]
    assert "5 of 5 members answered (100%)." in plain(at.info[0].value)


def test_the_choice_is_shared_with_the_network_page(open_app, survey_db):
    at = open_app(survey_db, "gaps")
    choose(at, "gaps_ties", "any:spring")
    at.switch_page(PAGE_FILES["network"]).run()
    assert_clean(at)
    assert at.selectbox(key="net_ties").value == "any:spring"
    assert "round spring, any report" in plain(at.info[0].value)
    at.checkbox(key="net_mark_fragile").check().run()
    assert marked_fragile(at) == {"Cedar Church"}
    # Changes since a meeting are not drawn on survey ties.
    assert "Changes since a meeting are drawn on the recorded ties only." in plain(texts(at))

    choose(at, "net_ties", "confirmed:spring")
    assert marked_fragile(at) == {"Birch Legal Aid"}
    choose(at, "net_ties", ties_ui.RECORDED)
    assert marked_fragile(at) == set(RECORDED_POINTS)
    at.switch_page(PAGE_FILES["gaps"]).run()
    assert at.selectbox(key="gaps_ties").value == ties_ui.RECORDED
    assert single_points(at) == RECORDED_POINTS


def test_the_page_follows_a_new_answer(open_app, tmp_path):
    db = _stored(tmp_path / "t.db", survey_city(), [spring()])
    at = open_app(db, "gaps")
    choose(at, "gaps_ties", "confirmed:spring")
    assert single_points(at) == ["Birch Legal Aid"]
    store = open_store(db)
    revision = store.survey_revision()
    store.save_survey_answers(
        make_round("spring", [("clinic", "church", 3, (3, 3, 3), (3, 3, 3))], ["clinic"]),
        "clinic",
        account=operator(),
    )
    assert store.survey_revision() > revision and store.version() == 1  # no new version
    at.run()
    assert_clean(at)
    assert single_points(at) == ["Birch Legal Aid", "Cedar Church"]
    assert "4 of 5 members answered (80%)." in plain(at.info[0].value)


def test_a_round_that_no_longer_fits_the_members_falls_back_to_the_recorded_ties(
    open_app, tmp_path
):
    db = _stored(tmp_path / "t.db", survey_city(), [spring(), make_round("winter", [])])
    city = survey_city()
    orgs = city.tables["organizations"].copy()
    orgs.loc[orgs["org_id"] == "clinic", "member"] = False  # spring names it: not on the roster
    open_store(db).replace_city(
        dataclasses.replace(city, tables={**city.tables, "organizations": orgs})
    )
    at = open_app(db, "gaps")
    at.selectbox(key="gaps_ties").set_value("any:spring").run()
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert plain(warning) == (
        "Partner survey round spring does not fit the coalition's current members: The "
        "partner is not on the roster; pick a member organization (clinic). An organization "
        "that has left the coalition cannot be in the round's analyses (make it a member "
        "again to use this round). Showing the recorded ties."
    )
    assert not at.info
    assert single_points(at) == ["Alder Library"]  # the recorded ties, without the clinic

    # Comparing spring with a later round refuses in words, and the rest of the page stays.
    at.switch_page(PAGE_FILES["network"]).run()
    assert not at.exception and not at.error
    warnings = [w.value for w in at.warning]
    assert any("Rounds spring and winter cannot be compared" in plain(w) for w in warnings)
    assert at.get("iframe")


def test_a_round_without_answers_yet(open_app, tmp_path):
    db = _stored(tmp_path / "t.db", survey_city(), [make_round("winter", [])])
    at = open_app(db, "gaps")
    choose(at, "gaps_ties", "any:winter")
    assert single_points(at) == []
    assert plain(at.info[0].value).startswith(
        "Ties from partner survey round winter, any report: 0 pairs, 0 confirmed by both sides. "
        "0 of 5 members answered (0%)."
    )
    assert (
        "No member is a single point of failure, with confirmed ties only or with any report."
        in plain(texts(at))
    )


def test_a_viewer_gets_the_switch_and_aggregates_only(open_app, tmp_path, monkeypatch):
    db = _stored(tmp_path / "t.db", survey_city(), [spring()])
    store = open_store(db)
    store.add_account("ada", "a long enough password", "admin")
    admin = store.sign_in("ada", "a long enough password")[0]
    store.add_account("vi", "a long enough password", "viewer", account=admin)
    token = store.sign_in("vi", "a long enough password")[1]
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[auth.SESSION_KEY] = token
    at.run()
    at.switch_page(PAGE_FILES["gaps"]).run()
    assert_clean(at)
    choose(at, "gaps_ties", "confirmed:spring")
    assert single_points(at) == ["Birch Legal Aid"]
    assert "3 of 5 members answered" in plain(at.info[0].value)


def test_no_round_no_switch(open_app, tmp_path):
    db = _stored(tmp_path / "t.db", survey_city(), [])
    for page in ("gaps", "network"):
        at = open_app(db, page)
        assert not [s for s in at.selectbox if s.label == "Ties from"]
        assert not [e for e in at.expander if e.label == "Compare survey rounds"]


# --- the cache's keys -----------------------------------------------------------------------------


def test_survey_results_are_keyed_on_round_ties_and_revision(tmp_path):
    db = _stored(tmp_path / "t.db", survey_city(), [spring(), fall()])
    store = open_store(db)
    recorded = cache.Snapshot(db_url(db), store.version())
    confirmed = cache.survey_snapshot(recorded, "spring", "confirmed")
    any_report = cache.survey_snapshot(recorded, "spring", "any")
    autumn = cache.survey_snapshot(recorded, "fall", "confirmed")
    keys = {cache.analysis_key(s) for s in (recorded, confirmed, any_report, autumn)}
    assert len(keys) == 4
    assert cache.analysis_key(recorded).survey is None
    assert confirmed.recorded() == recorded
    assert cache.gaps(confirmed) is not cache.gaps(recorded)
    assert cache.gaps(confirmed) is cache.gaps(
        cache.survey_snapshot(recorded, "spring", "confirmed")
    )
    # The layout is the recorded one: the switch moves no node.
    assert cache.positions(confirmed) is cache.positions(recorded)
    partnerships = cache.city(confirmed).tables["ties"]
    partnerships = partnerships[partnerships["tie_type"] == "partnership"]
    assert sorted(zip(partnerships["source_id"], partnerships["target_id"], strict=True)) == [
        ("church", "legal"),
        ("legal", "lib"),
    ]
    assert cache.city(recorded).tables["ties"].equals(store.read_city().tables["ties"])

    store.save_survey_answers(
        make_round("spring", [("clinic", "church", 3, (3, 3, 3), (3, 3, 3))], ["clinic"]),
        "clinic",
        account=operator(),
    )
    newer = cache.survey_snapshot(recorded, "spring", "confirmed")
    assert newer != confirmed and newer.survey.revision > confirmed.survey.revision
    assert cache.analysis_key(newer) != cache.analysis_key(confirmed)
    assert cache.survey_response(newer)[0].answered == 4
    assert cache.survey_response(confirmed)[0].answered == 3  # the older key keeps its answer


def test_bad_ties_and_a_recorded_snapshot_are_refused(tmp_path):
    db = _stored(tmp_path / "t.db", survey_city(), [spring()])
    recorded = cache.Snapshot(db_url(db), open_store(db).version())
    with pytest.raises(AnalysisError, match="'confirmed' or 'any'"):
        cache.survey_snapshot(recorded, "spring", "both")
    with pytest.raises(AnalysisError, match="pick a survey round"):
        cache.survey_response(recorded)


# --- sentences ------------------------------------------------------------------------------------


def test_choices_round_trip_even_with_a_colon_in_the_round_name():
    options = ties_ui.tie_options(["2026: spring"])
    assert list(options) == ["recorded", "confirmed:2026: spring", "any:2026: spring"]
    assert [ties_ui.parse_choice(k) for k in options] == [
        None,
        ("confirmed", "2026: spring"),
        ("any", "2026: spring"),
    ]
    assert ties_ui.parse_choice("both:spring") is None
    assert ties_ui.parse_choice("any:") is None


def test_failure_points_sentences():
    sentence = ties_ui.failure_points_sentence
    assert sentence({}, {}) == (
        "No member is a single point of failure, with confirmed ties only or with any report."
    )
    assert sentence({"a": "A"}, {"a": "A"}) == (
        "The same members are single points of failure with confirmed ties only and with any "
        "report: A."
    )
    assert sentence({"a": "A", "b": "B"}, {"b": "B"}) == (
        "Single points of failure depend on this choice: A with ties confirmed by both sides "
        "only, not with any report."
    )
    assert sentence({}, {"c": "C", "d": "D"}) == (
        "Single points of failure depend on this choice: C and D with any report, not with "
        "confirmed ties only."
    )


def test_ties_sentences_count_the_pairs():
    counts = {"confirmed": 2, "one side": 1, "non-respondent": 4}
    confirmed = ties_ui.ties_sentence("spring", "confirmed", 3, 5, counts)
    assert confirmed.startswith(
        "Ties from partner survey round spring, confirmed by both sides: 2 pairs. "
        "3 of 5 members answered (60%)"
    )
    assert "4 reported ties with a member that has not answered" in confirmed
    assert ties_ui.ties_sentence("spring", "any", 3, 5, counts).startswith(
        "Ties from partner survey round spring, any report: 7 pairs, 2 confirmed by both sides. "
    )
    assert "0 of 0 members answered (0%)" in ties_ui.ties_sentence("r", "any", 0, 0, {})


# --- comparing rounds on the Network page -------------------------------------------------------


def test_round_comparison_sentences_and_tables(open_app, survey_db):
    at = open_app(survey_db, "network")
    assert at.selectbox(key="net_compare_before").value == "spring"  # the two newest
    assert at.selectbox(key="net_compare_after").value == "fall"
    body = plain(texts(at))
    assert "Round fall compared with round spring (any reported tie)" in body
    assert (
        "Birch Legal Aid is newly among the most connected quarter of members "
        "(3 partners in round spring, 4 in round fall)." in body
    )
    at.radio(key="net_compare_ties").set_value("confirmed").run()
    assert_clean(at)
    body = plain(texts(at))
    assert "Round fall compared with round spring (ties confirmed by both sides): 3 ties" in body
    gained = next(f.value for f in at.dataframe if "Partner" in f.value.columns)
    assert {
        frozenset(pair) for pair in zip(gained["Organization"], gained["Partner"], strict=True)
    } == {
        frozenset(("Alder Library", "Alder Neighbors")),
        frozenset(("Birch Legal Aid", "Dogwood Clinic")),
        frozenset(("Cedar Church", "Alder Neighbors")),
    }
    ratings = next(f.value for f in at.dataframe if "Trust change" in f.value.columns)
    # Fewer than 3 raters in spring for everyone but Alder Neighbors: blank, never a figure.
    by_name = ratings.set_index("Organization")
    assert pd.isna(by_name.loc["Dogwood Clinic", "Trust before"])
    assert by_name.loc["Alder Neighbors", "Value before"] == pytest.approx(8 / 3)

    at.selectbox(key="net_compare_after").set_value("spring").run()
    assert [w.value for w in at.warning] == ["Pick two different rounds to compare."]


# --- hostile names --------------------------------------------------------------------------------

HOSTILE_ROUND = "<script>alert(1)</script>"
HOSTILE_LATER = "![pic](https://example.com/x.png)"
HOSTILE_NAMES = {
    "legal": "<img src=x onerror=alert(1)>",
    "church": "[click](javascript:alert(1))",
}


@pytest.fixture(scope="module")
def hostile_survey_db(tmp_path_factory) -> Path:
    city = survey_city()
    orgs = city.tables["organizations"].copy()
    orgs["name"] = [
        HOSTILE_NAMES.get(o, n) for o, n in zip(orgs["org_id"], orgs["name"], strict=True)
    ]
    city = dataclasses.replace(city, tables={**city.tables, "organizations": orgs})
    rounds = [
        make_round(HOSTILE_ROUND, SPRING_ROWS, ["lib", "legal", "church"]),
        make_round(
            HOSTILE_LATER,
            FALL_ROWS,
            ["lib", "legal", "church", "assoc", "clinic"],
            day="2026-10-05",
        ),
    ]
    return _stored(tmp_path_factory.mktemp("hostile_ties") / "t.db", city, rounds)


@pytest.mark.parametrize("page", ["gaps", "network"])
def test_hostile_round_and_organization_names_appear_only_escaped(
    open_app, hostile_survey_db, page
):
    at = open_app(hostile_survey_db, page)
    choose(at, f"{'gaps' if page == 'gaps' else 'net'}_ties", f"any:{HOSTILE_ROUND}")
    body = texts(at)
    for raw in (HOSTILE_ROUND, HOSTILE_LATER, *HOSTILE_NAMES.values()):
        assert raw not in body, raw
    assert md(HOSTILE_ROUND) in body  # shown, as text
    assert md(HOSTILE_NAMES["church"]) in body  # the single point of failure
    if page == "network":
        assert md(HOSTILE_NAMES["legal"]) in body  # in the comparison's sentences
        assert md(HOSTILE_LATER) in body
        for element in at.get("html"):
            assert "<img" not in element.proto.body and "<script" not in element.proto.body
