"""Introductions (who should meet) on the tiny city, whose answers are worked out by hand.

The tiny city (tests/tiny_city.py): partnerships assoc - lib - legal - clinic and church - lib;
lonely has none. lib and legal are articulation points; assoc, church and clinic have one partner
(peripheral), lonely none (isolated). Karen refugees are reached by clinic only (health); Long-time
residents by church only (housing). Dogwood (clinic, lonely) has no partnership across
orientations (clinic serves newcomers, lonely long-time residents).

Worked out by hand:

* church - clinic (partnership) closes 4 findings: legal stops being an articulation point (the
  cycle lib - legal - clinic - church - lib), church and clinic stop being peripheral, and Dogwood
  gets its first bridging partnership. Its reasons: church offers housing, a gap for Karen
  refugees (whom clinic reaches), clinic offers health, a gap for Long-time residents (whom church
  reaches), and one serves newcomers, the other long-time residents. assoc - clinic closes the
  same four but has one reason (orientation): church - clinic ranks first.
* lib - Karen refugees (serves_community) closes 3: English and citizenship (no provider -> one)
  and Karen refugees' dependence on clinic alone.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from tiny_city import make_tiny_city

from coalition import i18n
from coalition.analysis import coverage_report, find_gaps
from coalition.analysis.graph_index import index_graph
from coalition.analysis.introductions import introductions, measure, with_tie
from coalition.errors import AnalysisError
from coalition.model import CityData, build_graph
from coalition.presenting import introductions as intro_text
from coalition.presenting.text import md
from coalition.privacy import Disclosure

FAMILIES = ("service_gaps", "language_gaps", "fragile_links", "isolated", "bridging")


@pytest.fixture
def G():
    return build_graph(make_tiny_city())


def changed_city(organizations=(), ties=(), rename=None) -> CityData:
    """The tiny city with organizations and ties added (dicts of their columns)."""
    city = make_tiny_city()
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    template = tables["organizations"].iloc[0].to_dict()
    tables["organizations"] = pd.concat(
        [tables["organizations"], pd.DataFrame([{**template, **o} for o in organizations])],
        ignore_index=True,
    )
    if rename:
        tables["organizations"]["name"] = [
            rename.get(o, n)
            for o, n in zip(
                tables["organizations"]["org_id"], tables["organizations"]["name"], strict=True
            )
        ]
    tie = tables["ties"].iloc[0].to_dict()
    tables["ties"] = pd.concat(
        [tables["ties"], pd.DataFrame([{**tie, **t} for t in ties])], ignore_index=True
    )
    return CityData(city.name, tables, city.boundaries, city.metric_crs, {})


def with_edge(G: nx.MultiDiGraph, source: str, target: str, tie_type: str, join=()):
    """The graph with one more tie, built here (independently of the module under test)."""
    H = G.copy()
    H.add_edge(source, target, key=tie_type, tie_type=tie_type, strength=1, residents=None)
    for org in join:
        H.nodes[org]["member"] = True
    return H


def signature(report) -> dict[str, set]:
    """Each family's findings as comparable keys (service gaps with their severity)."""
    return {
        "service_gaps": {
            (r.community_id, r.domain, r.severity) for r in report.service_gaps.itertuples()
        },
        "language_gaps": {
            (r.neighborhood_id, r.language) for r in report.language_gaps.itertuples()
        },
        "fragile_links": {(r.type, r.id) for r in report.fragile_links.itertuples()},
        "isolated": {(r.kind, r.id) for r in report.isolated.itertuples()},
        "bridging": {
            r.id for r in report.bridging.itertuples() if r.kind == "neighborhood" and r.severity
        },
        "uncovered_need": {r.neighborhood_id for r in report.uncovered_need.itertuples()},
    }


def claimed(effect) -> dict[str, set]:
    return {
        "service_gaps": {
            (e["community_id"], e["domain"], e["severity_before"]) for e in effect["service_gaps"]
        },
        "language_gaps": {(e["neighborhood_id"], e["language"]) for e in effect["language_gaps"]},
        "fragile_links": {(e["type"], e["id"]) for e in effect["fragile_links"]},
        "isolated": {(e["kind"], e["id"]) for e in effect["isolated"]},
        "bridging": {e["neighborhood_id"] for e in effect["bridging"]},
        "uncovered_need": {e["neighborhood_id"] for e in effect["uncovered_need"]},
    }


def assert_claims_hold(G, row, join=()):
    """The findings a row says it closes are exactly those find_gaps no longer reports."""
    before = signature(find_gaps(G, disclosure=Disclosure.exact_counts()))
    after_graph = with_edge(G, row["first_id"], row["second_id"], row["tie_type"], join)
    after = signature(find_gaps(after_graph, disclosure=Disclosure.exact_counts()))
    gone = {family: before[family] - after[family] for family in before}
    assert claimed(row["effect"]) == gone


# --- the ranking, worked out by hand ------------------------------------------------------------


def test_the_top_introduction_closes_exactly_the_gaps_it_claims(G):
    top = introductions(G).pairs.iloc[0]
    assert (top["first_id"], top["second_id"], top["tie_type"]) == (
        "church",
        "clinic",
        "partnership",
    )
    assert top["closes"] == 4 and top["opens"] == 0
    assert claimed(top["effect"]) == {
        "service_gaps": set(),
        "language_gaps": set(),
        "fragile_links": {("articulation_point", "legal")},
        "isolated": {("peripheral", "church"), ("peripheral", "clinic")},
        "bridging": {"dogwood"},
        "uncovered_need": set(),
    }
    assert_claims_hold(G, top)


def test_every_measured_pair_claims_what_recomputing_shows(G):
    for row in introductions(G).pairs.to_dict("records"):
        assert_claims_hold(G, row)


def test_a_community_introduction_closes_its_service_gaps(G):
    pairs = introductions(G, community="karen").pairs
    top = pairs[pairs["pair_kind"] == "organization_community"].iloc[0]
    assert (top["first_id"], top["second_id"]) == ("lib", "karen")
    assert claimed(top["effect"])["service_gaps"] == {
        ("karen", "citizenship", 2),
        ("karen", "english", 2),
    }
    assert claimed(top["effect"])["fragile_links"] == {("community", "karen")}
    assert top["closes"] == 3
    assert_claims_hold(G, top)
    sentences = intro_text.effect_sentences(top, str)
    assert (
        "Adding this tie closes the gap: no member offers English classes to Karen refugees."
        in (sentences)
    )


def test_ties_among_organizations_never_change_committee_coverage(G):
    top = introductions(G).pairs.iloc[0]
    after = with_edge(G, top["first_id"], top["second_id"], top["tie_type"])
    assert coverage_report(after).summary == coverage_report(G).summary


def test_ranking_is_by_effect_then_reasons_then_ids(G):
    pairs = introductions(G).pairs
    keys = [
        (-c, o, -len(r))
        for c, o, r in zip(pairs["closes"], pairs["opens"], pairs["reasons"], strict=True)
    ]
    assert keys == sorted(keys)
    # church - clinic and assoc - clinic close the same four; church - clinic has two reasons.
    assert pairs.iloc[1][["first_id", "second_id"]].tolist() == ["assoc", "clinic"]
    assert pairs["rank"].tolist() == list(range(1, len(pairs) + 1))
    assert introductions(G).pairs.equals(pairs)  # deterministic


# --- reasons ------------------------------------------------------------------------------------


def reasons_of(pairs, first, second):
    row = pairs[(pairs["first_id"] == first) & (pairs["second_id"] == second)]
    assert len(row) == 1, f"{first} - {second} not proposed"
    return {r["code"]: r for r in row.iloc[0]["reasons"]}


def test_reasons_of_a_hand_made_pair(G):
    pairs = introductions(G).pairs
    # clinic and lib: lib offers English and citizenship, gaps for Karen refugees (clinic reaches
    # them); clinic offers health, a gap for Latino newcomers (lib reaches them); both work with
    # Birch Legal Aid; clinic serves newcomers, lib both (it counts as long-time residents').
    reasons = reasons_of(pairs, "clinic", "lib")
    assert list(reasons) == ["complementary_services", "shared_partner", "orientation"]
    needs = {
        (n["community_id"], n["provider_id"], tuple(n["domains"]))
        for n in reasons["complementary_services"]["needs"]
    }
    assert needs == {
        ("karen", "lib", ("citizenship", "english")),
        ("latino", "clinic", ("health",)),
    }
    assert reasons["shared_partner"]["partner_ids"] == ["legal"]
    assert reasons["shared_partner"]["partners"] == ["Birch Legal Aid"]
    assert (reasons["orientation"]["newcomers_id"], reasons["orientation"]["long_time_id"]) == (
        "clinic",
        "lib",
    )
    # clinic and lonely are both in Dogwood.
    place = reasons_of(pairs, "clinic", "lonely")["same_neighborhood"]
    assert place["neighborhood_ids"] == ["dogwood"] and place["neighborhoods"] == ["Dogwood"]


def test_a_language_in_common_is_a_reason_but_english_is_not(G):
    pairs = introductions(G).pairs
    assert "common_language" not in reasons_of(pairs, "clinic", "lonely")  # English only
    # Birch Legal Aid and Alder Library are partners already; legal and the navigator's
    # community: Latino newcomers speak Spanish, as legal does (legal reaches them already).
    graph = build_graph(
        changed_city(
            organizations=[
                {
                    "org_id": "school",
                    "name": "Birch School",
                    "sector": "school",
                    "orientation": "immigrant_serving",
                    "services": [],
                    "languages": ["Karen", "English"],
                    "neighborhood": "birch",
                }
            ]
        )
    )
    found = introductions(graph).pairs
    assert reasons_of(found, "school", "karen")["common_language"]["languages"] == ["Karen"]


def test_pairs_already_tied_never_appear(G):
    pairs = introductions(G, measure_top=1000).pairs
    proposed = {(a, b) for a, b in zip(pairs["first_id"], pairs["second_id"], strict=True)}
    tied = {
        (u, v)
        for u, v, k in G.edges(keys=True)
        if k in ("partnership", "serves_community", "mentors")
    }
    tied |= {(v, u) for u, v in tied}
    assert proposed and not (proposed & tied)
    assert ("lib", "latino") not in proposed  # lib serves Latino newcomers
    assert ("nav1", "latino") not in proposed  # the navigator mentors them


# --- non-members: organizations to invite -------------------------------------------------------


def test_a_non_member_is_flagged_to_invite_and_measured_as_joining():
    # A Karen center in Dogwood, not a member; clinic offers English and Karen, so take Karen
    # from clinic: nobody offers Karen in Dogwood, a language gap only the center can close.
    city = changed_city(
        organizations=[
            {
                "org_id": "kcenter",
                "name": "Karen Center",
                "sector": "nonprofit",
                "orientation": "immigrant_serving",
                "services": ["education"],
                "languages": ["Karen"],
                "neighborhood": "dogwood",
                "member": False,
            }
        ],
    )
    city.tables["organizations"]["languages"] = [
        ["English"] if o == "clinic" else v
        for o, v in zip(
            city.tables["organizations"]["org_id"],
            city.tables["organizations"]["languages"],
            strict=True,
        )
    ]
    graph = build_graph(city)
    pairs = introductions(graph, measure_top=1000).pairs
    invited = pairs[pairs["invite"]]
    assert len(invited) and all(ids == ["kcenter"] for ids in invited["invite_ids"])
    assert not pairs[~pairs["invite"]]["first_id"].eq("kcenter").any()
    row = invited[(invited["first_id"] == "kcenter") & (invited["second_id"] == "karen")].iloc[0]
    assert [(e["neighborhood_id"], e["language"]) for e in row["effect"]["language_gaps"]] == [
        ("dogwood", "Karen")
    ]
    assert_claims_hold(graph, row, join=["kcenter"])
    assert intro_text.invitation(row, str).startswith("Karen Center is not a coalition member yet")
    # Two non-members are never introduced to each other.
    assert not ((pairs["first_id"] == "kcenter") & (pairs["second_id"] == "kcenter")).any()


# --- filters ------------------------------------------------------------------------------------


def test_neighborhood_filter_keeps_pairs_present_there(G):
    pairs = introductions(G, neighborhood="dogwood", measure_top=1000).pairs
    index = index_graph(G)
    present = set(index.neighborhood_org_reach.query("neighborhood == 'dogwood'")["org"]) | set(
        index.residence.query("neighborhood == 'dogwood'")["community"]
    )
    assert len(pairs)
    for a, b in zip(pairs["first_id"], pairs["second_id"], strict=True):
        assert a in present or b in present
    assert set(pairs["first_id"]) | set(pairs["second_id"]) >= {"clinic", "lonely"}
    by_name = introductions(G, neighborhood="DOGWOOD", measure_top=1000).pairs
    assert by_name["first_id"].tolist() == pairs["first_id"].tolist()


def test_community_filter_keeps_pairs_about_it(G):
    pairs = introductions(G, community="Karen refugees", measure_top=1000).pairs
    assert len(pairs)
    for row in pairs.to_dict("records"):
        if row["pair_kind"] == "organization_organization":
            needs = [
                n
                for r in row["reasons"]
                if r["code"] == "complementary_services"
                for n in r["needs"]
            ]
            assert any(n["community_id"] == "karen" for n in needs)
        else:
            assert row["second_id"] == "karen"


def test_limit_and_measure_top(G):
    assert len(introductions(G, limit=2).pairs) == 2
    few = introductions(G, measure_top=1)
    assert few.measured == 3 and len(few.pairs) == 3  # one of each kind
    assert few.candidates == introductions(G).candidates


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"neighborhood": "atlantis"}, ["atlantis", "alder", "birch", "cedar", "dogwood"]),
        ({"community": "martians"}, ["martians", "karen", "latino", "longtime"]),
        ({"limit": 0}, ["limit", "1 or more"]),
        ({"measure_top": 0}, ["measure_top", "1 or more"]),
    ],
)
def test_bad_inputs_say_what_to_do(G, arguments, words):
    with pytest.raises(AnalysisError) as caught:
        introductions(G, **arguments)
    for word in words:
        assert word in str(caught.value)


def test_a_graph_with_no_neighborhood_is_refused():
    with pytest.raises(AnalysisError, match="no neighborhoods"):
        introductions(nx.MultiDiGraph())


# --- no mutation, illustrative rows, privacy, words -------------------------------------------


def test_the_input_graph_and_index_are_not_changed(G):
    before = (nx.to_dict_of_dicts(G), dict(G.nodes(data=True)))
    index = index_graph(G)
    partnerships = index.partnerships.copy()
    ties = {k: v.copy() for k, v in index.ties.items()}
    introductions(G)
    introductions(index)
    assert (nx.to_dict_of_dicts(G), dict(G.nodes(data=True))) == before
    assert index.partnerships.equals(partnerships)
    assert index.ties.keys() == ties.keys() and all(index.ties[k].equals(ties[k]) for k in ties)
    after = with_tie(index, "clinic", "church", "partnership", join=())
    assert len(after.partnerships) == len(index.partnerships) + 1


def test_measure_reads_severity_drops_and_new_findings():
    before = {"isolated": pd.DataFrame({"kind": ["isolated"], "id": ["a"], "name": ["A"]})}
    after = {"isolated": pd.DataFrame({"kind": ["peripheral"], "id": ["a"], "name": ["A"]})}
    effect = measure(before, after)
    assert effect["closes"] == 1 and effect["opens"] == 1
    assert effect["opened"] == [
        {"family": "isolated", "id": "peripheral|a", "kind": "peripheral", "name": "A"}
    ]


def test_illustrative_pairs_are_flagged_and_marked(G):
    pairs = introductions(G).pairs
    assert pairs["illustrative"].all()  # every tiny organization is illustrative
    assert set(pairs.iloc[0]["illustrative_rows"]) >= {"church", "clinic"}
    assert intro_text.headline(pairs.iloc[0], str).startswith("◇ ")
    real = changed_city()
    for table in ("organizations", "communities", "navigators", "ties"):
        real.tables[table]["illustrative"] = False
    real_pairs = introductions(build_graph(real)).pairs
    assert not real_pairs["illustrative"].any()
    assert not intro_text.headline(real_pairs.iloc[0], str).startswith("◇")


def test_a_viewer_sees_a_small_count_of_speakers_hidden():
    # 3 Karen refugees in Dogwood; nobody offers Karen there; the non-member center would.
    city = changed_city(
        organizations=[
            {
                "org_id": "kcenter",
                "name": "Karen Center",
                "sector": "nonprofit",
                "orientation": "immigrant_serving",
                "services": [],
                "languages": ["Karen"],
                "neighborhood": "dogwood",
                "member": False,
            }
        ],
    )
    orgs = city.tables["organizations"]
    orgs["languages"] = [
        ["English"] if o == "clinic" else v
        for o, v in zip(orgs["org_id"], orgs["languages"], strict=True)
    ]
    ties = city.tables["ties"]
    ties.loc[(ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in"), "residents"] = 3
    graph = build_graph(city)
    viewer = Disclosure(False, 11)
    pairs = introductions(graph, community="karen", disclosure=viewer).pairs
    row = pairs[pairs["first_id"] == "kcenter"].iloc[0]
    words = " ".join(intro_text.effect_sentences(row, str, viewer))
    assert "fewer than 11" in words and "(3)" not in words
    exact = introductions(graph, community="karen", disclosure=Disclosure.exact_counts()).pairs
    row = exact[exact["first_id"] == "kcenter"].iloc[0]
    assert "(3)" in " ".join(intro_text.effect_sentences(row, str, Disclosure.exact_counts()))


def test_names_are_escaped_for_markdown():
    hostile = "**Bold** <script>alert(1)</script> [x](http://evil.example)"
    graph = build_graph(changed_city(rename={"clinic": hostile}))
    row = introductions(graph).pairs.iloc[0]
    said = intro_text.pair_sentences(row)
    text = " ".join([said["headline"], *said["reasons"], *said["effects"]])
    assert md(hostile) in text and hostile not in text


def test_sentences_in_spanish(G):
    row = introductions(G, community="karen").pairs
    row = row[row["pair_kind"] == "organization_community"].iloc[0]
    with i18n.using("es"):
        said = intro_text.pair_sentences(row, str)
        table = intro_text.readable(introductions(G, limit=3).pairs)
    assert said["headline"] == "◇ Presente Alder Library a Karen refugees."
    assert any("brecha" in s for s in said["effects"])
    assert "Presentación" in table.columns and "Efecto medido" in table.columns


def test_a_plural_reads_in_spanish_for_every_count():
    # Babel's Spanish has three plural forms (one, many, other): "other" must be translated too.
    with i18n.using("es"):
        words = [
            i18n.ngettext(
                "It leaves {count} new, smaller finding to watch on the Gaps page.",
                "It leaves {count} new, smaller findings to watch on the Gaps page.",
                n,
            )
            for n in (1, 3, 1_000_000)
        ]
    assert all(w.startswith("Deja ") for w in words)
