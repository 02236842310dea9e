"""Every gap family on the tiny city (and small variants of it), with hand-worked answers.

Tiny city recap: partnerships assoc - lib - legal - clinic and church - lib; lonely has none.
Reach: lib and legal serve latino; clinic serves karen; church serves longtime; nav1 mentors
latino and volunteers with lib. Located: lib, assoc in Alder; legal in Birch (and serves it);
church in Cedar; clinic, lonely in Dogwood; nav1 based in Cedar.
"""

import dataclasses
import json

import pandas as pd
import pytest

from coalition.analysis import find_gaps
from coalition.model import CityData, build_graph

PROV = {"source": "test", "source_date": "2024", "illustrative": True}


def variant(
    city: CityData, *, drop_ties=(), add_ties=(), add_orgs=(), navigators=None, org_updates=None
) -> CityData:
    """A copy of the tiny city with some ties/orgs changed (the original stays untouched)."""
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    ties = tables["ties"]
    for source, target, tie_type in drop_ties:
        ties = ties[
            ~(
                (ties["source_id"] == source)
                & (ties["target_id"] == target)
                & (ties["tie_type"] == tie_type)
            )
        ]
    extra = [
        {
            "source_id": s,
            "target_id": t,
            "tie_type": tt,
            "kind": "",
            "strength": 1,
            "since": "2020",
            "residents": None,
            "notes": None,
            **PROV,
        }
        for s, t, tt in add_ties
    ]
    tables["ties"] = pd.concat([ties, pd.DataFrame(extra)], ignore_index=True) if extra else ties
    if add_orgs:
        rows = [
            {
                "org_id": org_id,
                "name": name,
                "sector": sector,
                "orientation": orientation,
                "services": [],
                "languages": ["English"],
                "anchor_type": "none",
                "neighborhood": place,
                "address": None,
                "lat": None,
                "lon": None,
                "notes": None,
                **PROV,
            }
            for org_id, name, sector, orientation, place in add_orgs
        ]
        tables["organizations"] = pd.concat(
            [tables["organizations"], pd.DataFrame(rows)], ignore_index=True
        )
    if org_updates:
        orgs = tables["organizations"].set_index("org_id")
        for (org_id, column), value in org_updates.items():
            orgs.at[org_id, column] = value
        tables["organizations"] = orgs.reset_index()
    if navigators is not None:
        tables["navigators"] = navigators
    return CityData(
        name=city.name, tables=tables, boundaries=city.boundaries, metric_crs=city.metric_crs
    )


def test_service_gaps_none_or_one_provider(tiny_graph):
    gaps = find_gaps(tiny_graph).service_gaps
    table = {(r.community_id, r.domain): r for r in gaps.itertuples()}
    # latino: english + citizenship (lib) and legal (legal) have one provider each; the other
    # five domains have none. lib offers english/citizenship, legal offers legal.
    assert table[("latino", "legal")].providers == 1
    assert table[("latino", "legal")].provider_names == ["Birch Legal Aid"]
    assert table[("latino", "english")].provider_names == ["Alder Library"]
    assert {d for (c, d) in table if c == "latino"} == {
        "legal",
        "english",
        "citizenship",
        "employment",
        "health",
        "housing",
        "education",
        "youth",
    }
    # karen: only clinic (health) reaches them: health has one provider, 7 domains none.
    assert table[("karen", "health")].providers == 1
    assert sum(1 for (c, _), r in table.items() if c == "karen" and r.providers == 0) == 7
    assert table[("karen", "legal")].severity == 2
    assert table[("karen", "health")].severity == 1
    assert "Karen refugees" in table[("karen", "legal")].explanation
    assert "Dogwood" in table[("karen", "legal")].explanation
    # longtime is a receiving community: no english / citizenship / legal rows.
    assert {d for (c, d) in table if c == "longtime"} == {
        "employment",
        "health",
        "housing",
        "education",
        "youth",
    }
    assert table[("longtime", "housing")].provider_names == ["Cedar Church"]
    assert len(gaps) == 8 + 8 + 5
    assert list(gaps["severity"]) == sorted(gaps["severity"], reverse=True)


def test_navigator_connects_the_organization_they_volunteer_with(tiny_city):
    # Without lib's direct tie, lib still reaches latino through nav1 (mentors latino,
    # volunteers with lib), so english/citizenship keep one provider.
    city = variant(tiny_city, drop_ties=[("lib", "latino", "serves_community")])
    table = find_gaps(build_graph(city)).service_gaps.set_index(["community_id", "domain"])
    assert table.loc[("latino", "english"), "provider_names"] == ["Alder Library"]
    # And without the navigator, nobody teaches them English.
    city = variant(city, drop_ties=[("nav1", "lib", "volunteers_with")])
    table = find_gaps(build_graph(city)).service_gaps.set_index(["community_id", "domain"])
    assert table.loc[("latino", "english"), "providers"] == 0


def test_no_language_gap_in_tiny_city(tiny_graph):
    # Alder: Spanish offered by lib; Cedar: Spanish by nav1; Dogwood: Karen by clinic;
    # English is never a gap.
    assert find_gaps(tiny_graph).language_gaps.empty


def test_language_gaps_when_nobody_offers_the_language(tiny_city):
    navigators = tiny_city.tables["navigators"].iloc[0:0]
    city = variant(
        tiny_city,
        navigators=navigators,
        drop_ties=[("nav1", "latino", "mentors"), ("nav1", "lib", "volunteers_with")],
        org_updates={("clinic", "languages"): ["English"]},
    )
    gaps = find_gaps(build_graph(city)).language_gaps
    rows = {(r.neighborhood_id, r.language): r for r in gaps.itertuples()}
    assert set(rows) == {("cedar", "Spanish"), ("dogwood", "Karen")}
    cedar = rows[("cedar", "Spanish")]
    assert cedar.speakers == 100 and cedar.communities == ["Latino newcomers"]
    assert cedar.reached_by == ["Cedar Church"]
    assert cedar.explanation == (
        "In Cedar, Latino newcomers (100 residents) speak Spanish, but "
        "none of the coalition members reaching Cedar (Cedar Church) "
        "offers Spanish."
    )
    assert rows[("dogwood", "Karen")].speakers == 100


def test_fragile_links_single_org_and_articulation_points(tiny_graph):
    fragile = find_gaps(tiny_graph).fragile_links
    by_type = {t: frame.set_index("id") for t, frame in fragile.groupby("type")}
    assert set(by_type["community"].index) == {"karen", "longtime"}
    assert by_type["community"].loc["karen", "through"] == "Dogwood Clinic"
    assert set(by_type["neighborhood"].index) == {"birch", "cedar"}
    assert by_type["neighborhood"].loc["cedar", "through"] == "Cedar Church"
    points = by_type["articulation_point"]
    assert set(points.index) == {"lib", "legal"}
    # Without lib: {assoc}, {church}, {legal, clinic}; the largest part stays, so assoc and
    # church are cut off. longtime is still reached by church, so it loses its link to the
    # rest of the network, not its only organization (and that does not count in severity).
    assert points.loc["lib", "org_names_cut_off"] == ["Alder Neighbors", "Cedar Church"]
    assert points.loc["lib", "communities_cut_off"] == []
    assert points.loc["lib", "communities_losing_link"] == ["Long-time residents"]
    assert points.loc["lib", "severity"] == 2
    # Without legal: clinic is cut off; karen keeps clinic but loses its link.
    assert points.loc["legal", "org_names_cut_off"] == ["Dogwood Clinic"]
    assert points.loc["legal", "communities_cut_off"] == []
    assert points.loc["legal", "communities_losing_link"] == ["Karen refugees"]
    assert "lose their only organization" not in points.loc["legal", "explanation"]
    assert (
        "Karen refugees would lose their link to the rest of the network"
        in points.loc["legal", "explanation"]
    )
    assert "Alder Library holds part of the coalition together" in points.loc["lib", "explanation"]
    assert fragile.iloc[0]["id"] == "lib"  # most depends on it


def test_articulation_point_when_largest_part_is_below_it(tiny_city):
    # A chain x1 - x2 - lib - ... : removing x2 leaves x1 alone, the rest stays together.
    city = variant(
        tiny_city,
        add_orgs=[
            ("x1", "Extra One", "nonprofit", "immigrant_serving", "birch"),
            ("x2", "Extra Two", "nonprofit", "immigrant_serving", "birch"),
        ],
        add_ties=[("x1", "x2", "partnership"), ("x2", "lib", "partnership")],
    )
    points = (
        find_gaps(build_graph(city))
        .fragile_links.query("type == 'articulation_point'")
        .set_index("id")
    )
    assert points.loc["x2", "org_names_cut_off"] == ["Extra One"]
    # lib now separates {x1, x2}, {assoc}, {church} and {legal, clinic}: two parts of size 2;
    # one of them is kept, so 4 organizations are cut off.
    assert points.loc["lib", "orgs_cut_off"] == 4


def test_bridging_per_neighborhood_and_brokerage(tiny_graph):
    bridging = find_gaps(tiny_graph).bridging
    places = bridging.query("kind == 'neighborhood'").set_index("id")
    # "both" (lib) counts as either side; legal - clinic is immigrant - immigrant.
    assert places["bridging_ties"].to_dict() == {"alder": 3, "birch": 1, "cedar": 1, "dogwood": 0}
    assert places.loc["dogwood", "severity"] == 1
    assert "no partnership links" in places.loc["dogwood", "explanation"]
    assert places.loc["birch", "ties"] == ["Birch Legal Aid – Alder Library"]
    brokers = bridging.query("kind == 'broker'").set_index("id")
    assert set(brokers.index) == {"lib", "legal"}  # degree >= 2 only
    assert brokers.loc["lib", "effective_size"] == pytest.approx(3.0)
    assert brokers.loc["lib", "constraint"] == pytest.approx(1 / 3)
    assert brokers.loc["legal", "effective_size"] == pytest.approx(2.0)
    assert brokers.loc["legal", "constraint"] == pytest.approx(0.5)
    assert brokers.loc["lib", "explanation"].startswith(
        "Alder Library links 3 partners that are not linked to each other"
    )


def test_effective_size_counts_partners_who_know_each_other(tiny_city):
    # assoc - church closes a triangle with lib: n = 3, t = 1, eff = 3 - 2/3.
    city = variant(tiny_city, add_ties=[("assoc", "church", "partnership")])
    brokers = find_gaps(build_graph(city)).bridging.query("kind == 'broker'").set_index("id")
    assert brokers.loc["lib", "effective_size"] == pytest.approx(3 - 2 / 3)
    assert (
        "some of them know each other (such as Alder Neighbors and Cedar Church)"
        in brokers.loc["lib", "explanation"]
    )


def test_isolated_and_peripheral_members(tiny_graph):
    isolated = find_gaps(tiny_graph).isolated.set_index("id")
    assert isolated.loc["lonely", "kind"] == "isolated"
    assert {i for i, k in isolated["kind"].items() if k == "peripheral"} == {
        "assoc",
        "church",
        "clinic",
    }
    assert isolated.loc["clinic", "partner_names"] == ["Birch Legal Aid"]
    # Every sector has one organization: no sector pair qualifies.
    assert "sector_pair" not in set(isolated["kind"])


def test_sectors_that_never_tie(tiny_city):
    new_orgs = [
        ("s1", "School One", "school", "receiving_community", "birch"),
        ("s2", "School Two", "school", "receiving_community", "cedar"),
        ("mosque", "Dogwood Mosque", "faith", "immigrant_serving", "dogwood"),
    ]
    city = variant(
        tiny_city,
        add_orgs=new_orgs,
        add_ties=[("s1", "s2", "partnership"), ("mosque", "lib", "partnership")],
    )
    pairs = find_gaps(build_graph(city)).isolated.query("kind == 'sector_pair'")
    assert pairs["name"].tolist() == ["faith / school"]
    assert pairs.iloc[0]["explanation"] == (
        "No partnership links the 2 faith organizations with the 2 school organizations."
    )
    tied = variant(city, add_ties=[("church", "s1", "partnership")])
    assert find_gaps(build_graph(tied)).isolated.query("kind == 'sector_pair'").empty


def test_uncovered_need(tiny_graph):
    need = find_gaps(tiny_graph).uncovered_need
    # Median foreign-born 250: Alder (400) and Cedar (300) are above; members reaching:
    # Alder 2 (lib, assoc), Birch 1, Cedar 2 (church, nav1), Dogwood 2: median 2.
    assert need["neighborhood_id"].tolist() == ["alder", "cedar"]
    assert need["rank"].tolist() == [1, 2]
    assert need["members"].tolist() == [2, 2]
    assert need.iloc[1]["member_names"] == ["Cedar Church", "Navigator One"]
    assert need.iloc[0]["severity"] == pytest.approx(400 / 3)
    assert "Alder has 400 foreign-born residents (± 100)" in need.iloc[0]["explanation"]


def test_to_dict_every_entry_has_an_explanation(tiny_graph):
    data = find_gaps(tiny_graph).to_dict()
    assert set(data) == {
        "service_gaps",
        "language_gaps",
        "fragile_links",
        "bridging",
        "isolated",
        "uncovered_need",
        "could_invite",
    }
    for family, entries in data.items():
        for entry in entries:
            assert entry["explanation"], family
    json.dumps(data, allow_nan=False)


def test_find_gaps_does_not_mutate(tiny_graph):
    before = (
        repr(sorted(tiny_graph.nodes(data=True))),
        repr(sorted(tiny_graph.edges(keys=True, data=True), key=lambda e: e[:3])),
    )
    find_gaps(tiny_graph)
    after = (
        repr(sorted(tiny_graph.nodes(data=True))),
        repr(sorted(tiny_graph.edges(keys=True, data=True), key=lambda e: e[:3])),
    )
    assert before == after


def test_cut_vertices_match_igraph_and_removal_on_random_networks():
    import igraph as ig
    import numpy as np

    from coalition.analysis.metrics import PartnershipNetwork, cut_vertices

    rng = np.random.default_rng(11)
    for _ in range(60):
        graph = ig.Graph.Erdos_Renyi(n=40, m=int(rng.integers(25, 60)))
        network = PartnershipNetwork(graph=graph, org_ids=np.arange(40))
        cuts = cut_vertices(network)
        assert sorted(c.position for c in cuts) == sorted(graph.articulation_points())
        for cut in cuts:
            # Remove the vertex for real: everything outside the largest remaining part of
            # its component is what it cuts off.
            part = set(graph.subcomponent(cut.position)) - {cut.position}
            rest = graph.copy()
            rest.delete_vertices([cut.position])
            survivors = [v for v in range(40) if v != cut.position]
            sizes = {}
            for new_id, label in enumerate(rest.connected_components().membership):
                if survivors[new_id] in part:
                    sizes.setdefault(label, []).append(survivors[new_id])
            groups = sorted(sizes.values(), key=len)
            assert len(cut.cut_off) == sum(len(g) for g in groups[:-1])
            if len(groups) == 1 or len(groups[-1]) > len(groups[-2]):  # a unique largest part
                assert set(cut.cut_off.tolist()) == {v for g in groups[:-1] for v in g}
            assert cut.component_size == len(part) + 1


def test_bridging_pairs_worked_by_hand(tiny_graph):
    # lib is "both": its ties to legal (immigrant-serving), assoc and church (receiving) all
    # bridge; legal - clinic links two immigrant-serving organizations and does not.
    from coalition.analysis import bridging_pairs

    pairs = {frozenset(p) for p in bridging_pairs(tiny_graph)[["a", "b"]].values.tolist()}
    assert pairs == {
        frozenset({"lib", "legal"}),
        frozenset({"lib", "assoc"}),
        frozenset({"lib", "church"}),
    }


def _first_tied_pair_by_scan(adjacency, vertex):
    """The reference: scan the partners in order, each one's own partners in order."""
    partners = set(adjacency[vertex])
    for p in adjacency[vertex]:
        for q in adjacency[p]:
            if q in partners and q != p:
                return p, q
    return None


def test_first_tied_pairs_match_a_scan_of_the_partners_on_random_networks():
    import igraph as ig
    import numpy as np

    from coalition.analysis.gaps import first_tied_pairs
    from coalition.analysis.metrics import PartnershipNetwork

    rng = np.random.default_rng(5)
    for _ in range(40):
        graph = ig.Graph.Erdos_Renyi(n=30, m=int(rng.integers(10, 120)))
        pairs = first_tied_pairs(PartnershipNetwork(graph=graph, org_ids=np.arange(30)))
        adjacency = graph.get_adjlist()
        expected = {
            v: _first_tied_pair_by_scan(adjacency, v)
            for v in range(30)
            if _first_tied_pair_by_scan(adjacency, v) is not None
        }
        assert pairs == expected
    empty = PartnershipNetwork(graph=ig.Graph(n=3, edges=[(0, 1)]), org_ids=np.arange(3))
    assert first_tied_pairs(empty) == {}


def test_broker_labels_list_the_broker_and_its_partners(tiny_city):
    # lib's partners assoc, legal and church (tied to assoc): every row is illustrative.
    city = variant(tiny_city, add_ties=[("assoc", "church", "partnership")])
    brokers = find_gaps(build_graph(city)).bridging.query("kind == 'broker'").set_index("id")
    assert brokers.loc["lib", "illustrative_rows"] == ["assoc", "church", "legal", "lib"]
    # The same city with no illustrative row: no label at all.
    real = dataclasses.replace(
        city,
        tables={
            name: frame.assign(illustrative=False) if "illustrative" in frame else frame
            for name, frame in city.tables.items()
        },
    )
    brokers = find_gaps(build_graph(real)).bridging.query("kind == 'broker'").set_index("id")
    assert brokers.loc["lib", "illustrative_rows"] == []
    assert not brokers.loc["lib", "illustrative"]


def test_gap_findings_without_sentences_follow_the_frames(tiny_city):
    from coalition.analysis import index_graph, member_view
    from coalition.analysis.gaps import (
        language_gap_findings,
        language_gaps,
        uncovered_need,
        uncovered_need_ids,
    )

    navigators = tiny_city.tables["navigators"].iloc[0:0]
    city = variant(
        tiny_city,
        navigators=navigators,
        drop_ties=[("nav1", "latino", "mentors"), ("nav1", "lib", "volunteers_with")],
        org_updates={("clinic", "languages"): ["English"]},
    )
    members = member_view(index_graph(build_graph(city)))
    frame = language_gaps(members)
    assert language_gap_findings(members) == list(
        zip(frame["neighborhood_id"], frame["language"], strict=True)
    )
    # Equal speakers (100 each): by neighborhood name, Cedar before Dogwood.
    assert language_gap_findings(members) == [("cedar", "Spanish"), ("dogwood", "Karen")]
    assert uncovered_need_ids(members) == uncovered_need(members)["neighborhood_id"].tolist()


def test_partnership_positions_refuse_an_unknown_organization(tiny_graph):
    from coalition.analysis import index_graph
    from coalition.analysis.metrics import partnership_positions
    from coalition.errors import AnalysisError

    index = index_graph(tiny_graph)
    assert partnership_positions(index).tolist() == [
        index.organizations.index.get_indexer([a, b]).tolist()
        for a, b in zip(index.partnerships["a"], index.partnerships["b"], strict=True)
    ]
    edited = index_graph(tiny_graph)
    edited.__dict__["partnerships"] = pd.DataFrame({"a": ["lib"], "b": ["nowhere"]})
    with pytest.raises(AnalysisError, match="rebuild the index"):
        partnership_positions(edited)
