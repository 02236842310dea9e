"""The survey analysis on two hand-worked rounds (tests/survey_fixture.py has the tables).

Every figure asserted here is worked out by hand in the fixture's docstring or next to the
assertion.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from survey_fixture import NAMES, fall, make_round, roster, spring, survey_city

from coalition.accounts import Account, operator
from coalition.analysis import find_gaps, index_graph, member_view
from coalition.analysis.metrics import cut_vertices, partnership_network
from coalition.errors import DataError, PermissionDenied, ValidationError
from coalition.model import build_graph
from coalition.schema import TABLES
from coalition.survey import analysis as A
from coalition.survey.compare import compare_rounds


def ends(table: pd.DataFrame, a: str = "a", b: str = "b") -> list[tuple[str, str]]:
    """A table's pairs as (a, b) tuples, in its order."""
    return list(zip(table[a], table[b], strict=True))


# --- response -------------------------------------------------------------------------------------


def test_response_per_member_and_rate():
    table = A.response(spring(), roster()).set_index("org_id")
    assert table["answered"].to_dict() == {
        "lib": True,
        "legal": True,
        "church": True,
        "assoc": False,
        "clinic": False,
    }
    assert table["partners_named"].to_dict() == {
        "lib": 3,
        "legal": 3,
        "church": 3,
        "assoc": 0,
        "clinic": 0,
    }
    assert table.at["lib", "answered_at"] == "2026-03-02T10:00:00Z"
    assert table.at["lib", "channel"] == "html"
    assert table.at["assoc", "answered_at"] == ""
    summary = A.response_summary(spring(), roster())
    assert (summary.members, summary.answered, summary.rate) == (5, 3, 0.6)
    assert summary.not_answered == ("Alder Neighbors", "Dogwood Clinic")
    assert summary.sentence == (
        "3 of 5 members answered round spring (60%). "
        "Not answered yet: Alder Neighbors and Dogwood Clinic."
    )


def test_a_profile_alone_counts_as_an_answer():
    # assoc names nobody but sends its profile: it answered, with 0 partners.
    survey = make_round("r", [("lib", "legal", 2, (3, 3, 3), (3, 3, 3))], ["lib", "assoc"])
    table = A.response(survey, roster()).set_index("org_id")
    assert table.at["assoc", "answered"] and table.at["assoc", "partners_named"] == 0
    assert A.response_summary(survey, roster()).rate == pytest.approx(2 / 5)


def test_everyone_answered_says_so():
    summary = A.response_summary(fall(), roster())
    assert summary.rate == 1.0 and summary.not_answered == ()
    assert summary.sentence.endswith("Every member has answered.")


# --- reciprocity ----------------------------------------------------------------------------------


def test_each_pair_reciprocity_class_relation_and_strength():
    pairs = A.reciprocity(spring(), roster())
    got = {
        (a, b): (kind, confidence, relation, strength)
        for a, b, kind, confidence, relation, strength in zip(
            pairs["a"],
            pairs["b"],
            pairs["reciprocity"],
            pairs["confidence"],
            pairs["relation"],
            pairs["strength"],
            strict=True,
        )
    }
    assert got == {
        ("legal", "lib"): ("confirmed", "high", 3, 2),  # reports 4 and 3: the lower
        ("church", "legal"): ("confirmed", "high", 2, 1),  # reports 2 and 3
        ("church", "lib"): ("one side", "low", 2, 1),  # church answered, did not name lib
        ("assoc", "church"): ("non-respondent", "medium", 4, 3),
        ("assoc", "legal"): ("non-respondent", "medium", 2, 1),
        ("assoc", "lib"): ("non-respondent", "medium", 1, 1),
        ("church", "clinic"): ("non-respondent", "medium", 1, 1),
    }
    row = pairs.set_index(["a", "b"]).loc[("church", "lib")]
    assert (row["a_names_b"], row["b_names_a"], row["a_answered"]) == (False, True, True)
    assert pd.isna(row["relation_a"]) and row["relation_b"] == 2
    assert A.reciprocity_counts(spring(), roster()) == {
        "confirmed": 2,
        "one side": 1,
        "non-respondent": 4,
    }


def test_survey_ties_are_ties_table_rows():
    confirmed = A.survey_ties(spring(), roster(), ties="confirmed")
    assert list(confirmed.columns) == [c.name for c in TABLES["ties"]]
    assert sorted(ends(confirmed, "source_id", "target_id")) == [
        ("church", "legal"),
        ("legal", "lib"),
    ]
    row = confirmed.set_index(["source_id", "target_id"]).loc[("legal", "lib")]
    assert row["tie_type"] == "partnership"
    assert row["kind"] == "coordinate activities"
    assert row["strength"] == 2
    assert row["source"] == "partner survey spring"
    assert row["source_date"] == "2026-03-02"
    assert not row["illustrative"]
    assert len(A.survey_ties(spring(), roster(), ties="any")) == 7


def test_confirmed_or_any_changes_the_single_points_of_failure():
    city = survey_city()
    before = city.tables["ties"].copy()

    def cut_ids(mode):
        index = member_view(index_graph(build_graph(A.with_survey_ties(city, spring(), ties=mode))))
        network = partnership_network(index)
        return sorted(network.org_ids[c.position] for c in cut_vertices(network))

    # Confirmed only: lib - legal - church, so legal holds it together. Any report: church is
    # clinic's only partner. The ties table itself: lib (assoc, church) and legal (clinic).
    assert cut_ids("confirmed") == ["legal"]
    assert cut_ids("any") == ["church"]
    index = member_view(index_graph(build_graph(city)))
    network = partnership_network(index)
    assert sorted(network.org_ids[c.position] for c in cut_vertices(network)) == ["legal", "lib"]
    # The gap report (fragile links) follows.
    fragile = find_gaps(build_graph(A.with_survey_ties(city, spring(), ties="any"))).fragile_links
    points = fragile[fragile["type"] == "articulation_point"]
    assert points["id"].tolist() == ["church"]
    assert "Dogwood Clinic" in points["explanation"].iloc[0]
    pd.testing.assert_frame_equal(city.tables["ties"], before)  # the city is untouched


def test_add_mode_keeps_the_table_partnerships():
    city = survey_city()
    added = A.with_survey_ties(city, spring(), ties="confirmed", mode="add")
    # Table: assoc-lib, lib-legal, legal-clinic, church-lib; plus church-legal: lib and legal.
    index = member_view(index_graph(build_graph(added)))
    network = partnership_network(index)
    assert sorted(network.org_ids[c.position] for c in cut_vertices(network)) == ["legal", "lib"]
    assert len(added.tables["ties"]) == len(city.tables["ties"]) + 2
    replaced = A.with_survey_ties(city, spring(), ties="confirmed")
    partnerships = replaced.tables["ties"][replaced.tables["ties"]["tie_type"] == "partnership"]
    assert len(partnerships) == 2
    assert replaced.meta["survey_ties"] == {"round": "spring", "ties": "confirmed"}


# --- trust and value ------------------------------------------------------------------------------


def test_trust_and_value_per_member_never_from_fewer_than_three():
    table = A.trust_value(spring(), roster()).set_index("org_id")
    # assoc: value (2 + 2 + 4) / 3 from lib (1,2,3), legal (2,2,-), church (4,4,4);
    # trust (2 + 3 + 4) / 3.
    assert table.at["assoc", "value"] == pytest.approx(8 / 3)
    assert table.at["assoc", "trust"] == pytest.approx(3.0)
    assert (table.at["assoc", "value_raters"], table.at["assoc", "trust_raters"]) == (3, 3)
    assert table.at["assoc", "note"] == ""
    for org, raters in (("lib", 1), ("legal", 2), ("church", 2)):
        assert table.at[org, "value_raters"] == raters
        assert math.isnan(table.at[org, "value"]) and math.isnan(table.at[org, "trust"])
        assert table.at[org, "note"] == "fewer than 3 ratings"
    # church named clinic without rating it: no rater.
    assert table.at["clinic", "value_raters"] == 0
    assert table.at["clinic", "note"] == "not rated"


def test_network_trust_and_value_over_rated_ties():
    network = A.network_trust_value(spring(), roster())
    # 8 rated ties: value 3+2+2+4+3+2+3+4 = 23, trust 4+3+2+3.5+3+3+2+4 = 24.5.
    assert network.value == pytest.approx(23 / 8)
    assert network.trust == pytest.approx(24.5 / 8)
    assert (network.value_ratings, network.trust_ratings, network.raters) == (8, 8, 3)
    assert network.note == ""


def test_network_figure_withheld_under_three_raters():
    survey = make_round(
        "two",
        [
            ("lib", "legal", 3, (4, 4, 4), (4, 4, 4)),
            ("lib", "church", 3, (2, 2, 2), (2, 2, 2)),
            ("legal", "lib", 3, (3, 3, 3), (3, 3, 3)),
        ],
        ["lib", "legal"],
    )
    network = A.network_trust_value(survey, roster())
    assert math.isnan(network.value) and math.isnan(network.trust)
    assert network.raters == 2 and network.note == "fewer than 3 ratings"
    assert A.trust_value(survey, roster())["value"].isna().all()


def test_individual_ratings_for_admins_only():
    table = A.ratings(spring(), account=Account("ada", "admin"), roster=roster())
    assert len(table) == 9
    row = table.set_index(["respondent", "partner"]).loc[("legal", "lib")]
    assert row["respondent_name"] == "Birch Legal Aid" and row["partner_name"] == "Alder Library"
    assert (row["value"], row["trust"]) == (4.0, 3.5)  # trust (3 + 4) / 2: openness blank
    assert len(A.ratings(spring(), account=operator())) == 9  # names are the ids without a roster
    for account in (Account("ed", "editor"), Account("vi", "viewer"), None):
        with pytest.raises(PermissionDenied):
            A.ratings(spring(), account=account, roster=roster())


# --- network measures -----------------------------------------------------------------------------


def test_network_measures_by_hand():
    any_report = A.network_measures(spring(), roster(), ties="any")
    # 7 ties of 10 possible; degrees lib 3, legal 3, church 4, assoc 3, clinic 1:
    # (1 + 1 + 0 + 1 + 3) / (4 * 3) = 0.5. Every tie but church-assoc (both receiving) bridges.
    assert (any_report.members, any_report.ties) == (5, 7)
    assert any_report.density == pytest.approx(0.7)
    assert any_report.centralization == pytest.approx(0.5)
    assert (any_report.bridging_ties, any_report.bridging_share) == (6, pytest.approx(6 / 7))
    confirmed = A.network_measures(spring(), roster(), ties="confirmed")
    # lib - legal - church: degrees 1, 2, 1, 0, 0: (1 + 0 + 1 + 2 + 2) / 12.
    assert confirmed.ties == 2 and confirmed.density == pytest.approx(0.2)
    assert confirmed.centralization == pytest.approx(0.5)
    assert (confirmed.bridging_ties, confirmed.bridging_share) == (2, 1.0)
    assert confirmed.as_row()["ties_mode"] == "confirmed"


def test_centralization_and_central_members():
    import networkx as nx

    assert A.degree_centralization(nx.star_graph(5)) == 1.0
    assert A.degree_centralization(nx.complete_graph(4)) == 0.0
    assert A.degree_centralization(nx.path_graph(2)) is None
    assert A.central_members(nx.complete_graph(4)) == set()
    assert A.central_members(nx.path_graph(5)) == set()  # 3 of 5 share the top degree
    assert A.central_members(A.survey_network(spring(), roster(), ties="any")) == {"church"}


def test_a_round_with_no_ties_has_no_bridging_share():
    survey = make_round("quiet", [], ["lib"])
    measures = A.network_measures(survey, roster())
    assert (measures.ties, measures.density, measures.bridging_share) == (0, 0.0, None)


# --- comparing rounds -----------------------------------------------------------------------------


def test_compare_two_rounds():
    comparison = compare_rounds(spring(), fall(), roster(), ties="any")
    gained = ends(comparison.ties_gained)
    lost = ends(comparison.ties_lost)
    assert gained == [("clinic", "legal")]
    assert lost == [("church", "clinic"), ("church", "lib")]
    assert comparison.ties_lost["note"].tolist() == ["", ""]  # all answered in fall
    changes = comparison.trust_value.set_index("org_id")
    # assoc: value 8/3 -> (3 + 3 + 4)/3, trust 3 -> (3 + 4 + 4)/3.
    assert changes.at["assoc", "value_change"] == pytest.approx(2 / 3)
    assert changes.at["assoc", "trust_change"] == pytest.approx(2 / 3)
    # legal: 3 raters in fall (value 3.0) but 2 in spring: no change is given.
    assert changes.at["legal", "value_after"] == pytest.approx(3.0)
    assert math.isnan(changes.at["legal", "value_change"])
    assert changes.at["legal", "note"] == "fewer than 3 ratings in a round"
    assert comparison.newly_central["org_id"].tolist() == ["legal"]
    assert comparison.newly_peripheral["org_id"].tolist() == ["church"]
    central = comparison.newly_central.iloc[0]
    assert (central["partners_before"], central["partners_after"]) == (3, 4)
    assert central["centrality_after"] == pytest.approx(1.0)
    # fall: 6 ties, degrees lib 2, legal 4, church 2, assoc 3, clinic 1.
    assert comparison.measures["ties"].tolist() == [7, 6]
    assert comparison.measures["centralization"].tolist() == pytest.approx([0.5, 8 / 12])
    assert comparison.measures["bridging_ties"].tolist() == [6, 4]
    assert comparison.sentences == [
        "Round fall compared with round spring (any reported tie): 1 tie gained, 2 lost.",
        "Response: 3 of 5 members (60%) in round spring, 5 of 5 (100%) in round fall.",
        "New ties: Dogwood Clinic – Birch Legal Aid.",
        "No longer reported: Cedar Church – Dogwood Clinic and Cedar Church – Alder Library.",
        "The network's density went from 0.70 to 0.60 and the share of ties bridging "
        "immigrant-serving and receiving-community organizations from 86% to 67%.",
        # value 23/8 -> 33/11, trust 24.5/8 -> 34/11
        "Across the network, value went from 2.88 to 3.00 and trust from 3.06 to 3.09.",
        "As rated by its partners, Alder Neighbors: value rose from 2.67 to 3.33 and trust "
        "rose from 3.00 to 3.67.",
        "Birch Legal Aid is newly among the most connected quarter of members (3 partners in "
        "round spring, 4 in round fall).",
        "Cedar Church is no longer among the most connected quarter of members (4 partners in "
        "round spring, 2 in round fall).",
    ]


def test_sentences_name_a_few_members_and_point_to_the_tables(monkeypatch):
    from coalition.survey import compare

    monkeypatch.setattr(compare, "SHOWN_CHANGES", 0)
    sentences = compare_rounds(spring(), fall(), roster()).sentences
    assert not any(s.startswith("As rated by its partners") for s in sentences)
    assert sentences[-3:] == [
        "Trust and value changed for 1 more member (see the table).",
        "And 1 more member is newly among the most connected quarter of members (see the table).",
        "And 1 more member is no longer among the most connected quarter of members (see the "
        "table).",
    ]


def test_compare_says_when_a_lost_tie_was_not_asked():
    comparison = compare_rounds(fall(), spring(), roster(), ties="any")
    assert ends(comparison.ties_lost) == [("clinic", "legal")]
    assert comparison.ties_lost["note"].tolist() == ["Dogwood Clinic did not answer round spring"]
    assert "(Dogwood Clinic did not answer round spring)" in comparison.sentences[3]


def test_compare_confirmed_only():
    comparison = compare_rounds(spring(), fall(), roster(), ties="confirmed")
    # spring confirmed: legal-lib, church-legal; fall adds assoc-lib, clinic-legal, assoc-church.
    gained = ends(comparison.ties_gained)
    assert gained == [("assoc", "church"), ("assoc", "lib"), ("clinic", "legal")]
    assert comparison.ties_lost.empty
    assert comparison.sentences[0].startswith(
        "Round fall compared with round spring (ties confirmed by both sides): 3 ties gained"
    )


def test_hostile_names_are_only_values_in_sentences():
    hostile = {"lib": "{{7*7}} <script>alert(1)</script>", "legal": "{0} %s {name}"}
    frame = roster()
    frame["name"] = [hostile.get(o, NAMES[o]) for o in frame["org_id"]]
    comparison = compare_rounds(spring(), fall(), frame)
    text = " ".join(comparison.sentences)
    assert "{0} %s {name} is newly among the most connected quarter" in text
    summary = A.response_summary(spring(), frame)
    assert summary.not_answered == ("Alder Neighbors", "Dogwood Clinic")
    table = A.reciprocity(spring(), frame).set_index(["a", "b"])
    assert table.at[("legal", "lib"), "b_name"] == hostile["lib"]


# --- bad input ------------------------------------------------------------------------------------


def test_answers_naming_an_organization_off_the_roster_list_every_problem():
    survey = make_round(
        "bad",
        [
            ("lib", "nowhere", 2, (3, 3, 3), (3, 3, 3)),
            ("ghost", "lib", 2, (3, 3, 3), (3, 3, 3)),
            ("lib", "legal", 2, (3, 9, 3), (3, 3, 3)),
        ],
        ["lib"],
    )
    with pytest.raises(ValidationError) as caught:
        A.response(survey, roster())
    columns = sorted((p.row, p.column) for p in caught.value.errors)
    assert columns == [(0, "partner"), (1, "respondent"), (2, "value_involvement")]


def test_a_round_that_is_not_a_round():
    with pytest.raises(DataError, match="RoundAnswers"):
        A.response({"answers": pd.DataFrame()}, roster())


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("not a table", "table of member organizations"),
        (pd.DataFrame({"org_id": ["lib"]}), "no name column"),
        (pd.DataFrame({"org_id": [], "name": []}), "roster is empty"),
        (pd.DataFrame({"org_id": ["lib", "lib"], "name": ["A", "B"]}), "more than once"),
    ],
)
def test_bad_rosters(frame, message):
    with pytest.raises(DataError, match=message):
        A.reciprocity(spring(), frame)


def test_network_measures_need_orientation():
    with pytest.raises(DataError, match="orientation"):
        A.network_measures(spring(), roster()[["org_id", "name"]])
    odd = roster().assign(orientation="newcomers")
    with pytest.raises(DataError, match="immigrant_serving"):
        A.network_measures(spring(), odd)


def test_bad_tie_modes():
    with pytest.raises(DataError, match="'confirmed' or 'any'"):
        A.survey_ties(spring(), roster(), ties="some")
    with pytest.raises(DataError, match="'replace' or 'add'"):
        A.with_survey_ties(survey_city(), spring(), mode="merge")
    with pytest.raises(DataError, match="'confirmed' or 'any'"):
        compare_rounds(spring(), fall(), roster(), ties="both")


def test_a_city_without_organizations():
    city = survey_city()
    empty = dataclasses.replace(city, tables={"ties": city.tables["ties"]})
    with pytest.raises(DataError, match="organizations table"):
        A.roster_of(empty)


def test_compare_with_a_member_who_joined():
    # clinic joined for fall: spring's roster lacks it, and spring's church -> clinic answer
    # is then off that roster.
    before = roster()[roster()["org_id"] != "clinic"]
    spring_rows = [r for r in spring().answers.to_dict("records") if r["partner"] != "clinic"]
    early = dataclasses.replace(spring(), answers=pd.DataFrame(spring_rows))
    comparison = compare_rounds(early, fall(), roster(), roster_before=before)
    assert "clinic" not in comparison.trust_value["org_id"].tolist()
    assert ("clinic", "legal") in ends(comparison.ties_gained)
    with pytest.raises(ValidationError):
        compare_rounds(spring(), fall(), roster(), roster_before=before)


def test_compare_from_a_round_without_ties():
    quiet = make_round("quiet", [], ["lib"])
    comparison = compare_rounds(quiet, spring(), roster(), ties="confirmed")
    assert ends(comparison.ties_gained) == [("church", "legal"), ("legal", "lib")]
    # No tie in round quiet: no bridging share to compare, no rating either.
    assert "The network's density went from 0.00 to 0.20." in comparison.sentences
    assert not any(s.startswith("Across the network") for s in comparison.sentences)
    assert comparison.newly_central["org_id"].tolist() == ["legal"]
    assert comparison.newly_peripheral.empty


def test_a_round_without_ties_leaves_every_member_isolated():
    quiet = make_round("quiet", [], ["lib"])
    assert A.survey_ties(quiet, roster(), ties="any").empty
    city = A.with_survey_ties(survey_city(), quiet, ties="any")
    assert not (city.tables["ties"]["tie_type"] == "partnership").any()
    isolated = find_gaps(build_graph(city)).isolated
    assert sorted(isolated["id"]) == ["assoc", "church", "clinic", "legal", "lib"]
