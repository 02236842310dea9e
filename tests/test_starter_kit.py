"""The starter kit (issue 11): the kit invites exactly the organizations the rules select.

Hand-worked answers on the tiny city (tests/tiny_city.py; its map in coalition/examples.py):

Cedar (committee forming; borders Alder and Dogwood; Latino newcomers live there, 100):
  1 anchor: Cedar Church (faith, located in Cedar).
  2 members reaching Cedar: Cedar Church only (already an anchor).
  3 bridges: members reaching Latino newcomers: Alder Library (direct, and through Navigator
    One), Birch Legal Aid (direct).
  4 navigators speaking Spanish: Navigator One.
  5 nearby committees: Alder is active (wc-alder) and borders Cedar; Dogwood has none.
  6 recruits: none (every organization of the tiny city is a member).
  -> church/anchor, lib/bridge, legal/bridge, nav1/navigator, wc-alder/nearby_committee.

The "recruiting" variant adds to the tiny city: Lonely Shop is not a member; a non-member
"Dogwood School" (school, located in Dogwood); a non-member "Karen Center" serving the Karen
refugees, located nowhere; Navigator Two (Karen, based in Birch); the Karen refugees' lives_in
Dogwood has 7 residents (a small count) and its own source. Dogwood (borders Birch and Cedar,
neither active; Karen refugees live there):
  1 anchor: Dogwood School (not a member).  2 members reaching Dogwood: Dogwood Clinic (Lonely
  Shop is no longer a member).  3 bridges: members reaching the Karen: Dogwood Clinic (taken).
  4 navigators speaking Karen: Navigator Two.  5 nearby committees: none.
  6 recruits: non-members reaching Dogwood (Lonely Shop, Dogwood School: already an anchor) or
  serving the Karen (Karen Center).
  -> dogwood-school/anchor, clinic/member_reaching, nav2/navigator, karen-center/recruit,
     lonely/recruit.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import pytest
from tiny_city import make_tiny_city

from coalition import i18n, labels, privacy
from coalition.analysis import index_graph
from coalition.analysis.graph_index import index_city
from coalition.analysis.starter_kit import (
    CHECKLIST_AREAS,
    ROLES,
    RULES,
    resolve_neighborhood,
    selected,
    starter_kit,
)
from coalition.errors import AnalysisError
from coalition.ingest import read_city
from coalition.model import build_graph
from coalition.presenting.starter_kit import kit_html, kit_markdown, kit_sections

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile_city"
PUBLIC = privacy.Disclosure(exact=False, threshold=11)
EXACT = privacy.Disclosure(exact=True, threshold=11)


def recruiting_city():
    """The tiny city with non-members, a Karen-speaking navigator and a small count."""
    city = make_tiny_city()
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    orgs = tables["organizations"]
    orgs.loc[orgs["org_id"] == "lonely", "member"] = False
    template = orgs[orgs["org_id"] == "clinic"].iloc[0].to_dict()
    school = {
        **template,
        "org_id": "dogwood-school",
        "name": "Dogwood School",
        "sector": "education",
        "services": ["education"],
        "languages": ["English"],
        "anchor_type": "school",
        "neighborhood": "dogwood",
        "member": False,
    }
    center = {
        **template,
        "org_id": "karen-center",
        "name": "Karen Center",
        "sector": "community",
        "services": ["english"],
        "languages": ["Karen"],
        "anchor_type": "none",
        "neighborhood": None,
        "member": False,
    }
    tables["organizations"] = pd.concat([orgs, pd.DataFrame([school, center])], ignore_index=True)
    navs = tables["navigators"]
    nav2 = {
        **navs.iloc[0].to_dict(),
        "navigator_id": "nav2",
        "alias": "Navigator Two",
        "languages": ["Karen"],
        "neighborhood": "birch",
    }
    tables["navigators"] = pd.concat([navs, pd.DataFrame([nav2])], ignore_index=True)
    ties = tables["ties"]
    serves = {**ties.iloc[0].to_dict(), "source_id": "karen-center", "target_id": "karen"}
    serves["tie_type"] = "serves_community"
    ties = pd.concat([ties, pd.DataFrame([serves])], ignore_index=True)
    karen_lives = (ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in")
    ties.loc[karen_lives, "residents"] = 7
    ties.loc[karen_lives, "source"] = "School home languages 2014"
    ties.loc[karen_lives, "source_date"] = "2014"
    tables["ties"] = ties
    communities = tables["communities"]
    communities.loc[communities["community_id"] == "karen", "source"] = "ACS B05006"
    communities.loc[communities["community_id"] == "karen", "source_date"] = "2012"
    return type(city)(city.name, tables, city.boundaries, city.metric_crs, dict(city.meta))


@pytest.fixture(scope="module")
def tiny():
    return index_graph(build_graph(make_tiny_city()))


@pytest.fixture(scope="module")
def recruiting():
    return index_city(recruiting_city())


def roles_of(kit):
    return dict(zip(kit.invite["id"], kit.invite["role"], strict=True))


# --- the rules --------------------------------------------------------------------------------


def test_the_kit_for_cedar_invites_exactly_the_hand_worked_list(tiny):
    kit = starter_kit(tiny, "cedar")
    assert roles_of(kit) == {
        "church": "anchor",
        "lib": "bridge",
        "legal": "bridge",
        "nav1": "navigator",
        "wc-alder": "nearby_committee",
    }
    assert kit.invite["kind"].tolist() == [
        "organization",
        "organization",
        "organization",
        "navigator",
        "committee",
    ]
    church = kit.invite.set_index("id").loc["church"]
    assert church["roles"] == ["anchor", "member_reaching"]
    assert kit.invite.set_index("id").loc["wc-alder", "neighborhood"] == "Alder"
    assert kit.invite.set_index("id").loc["nav1", "languages"] == ["Spanish"]
    # Nothing outside the rules' union, nothing of it left out.
    union = {node for _, rule, _ in RULES for node in rule(tiny, "cedar")}
    assert set(kit.invite["id"]) == union == set(selected(tiny, "cedar"))


def test_the_recruiting_city_invites_exactly_the_hand_worked_list(recruiting):
    kit = starter_kit(recruiting, "dogwood")
    assert roles_of(kit) == {
        "dogwood-school": "anchor",
        "clinic": "member_reaching",
        "nav2": "navigator",
        "karen-center": "recruit",
        "lonely": "recruit",
    }
    rows = kit.invite.set_index("id")
    assert rows.loc["dogwood-school", "roles"] == ["anchor", "recruit"]
    assert not rows.loc["dogwood-school", "member"]
    assert rows.loc["karen-center", "communities"] == ["Karen refugees"]
    assert not rows.loc["karen-center", "reaches"]
    assert rows.loc["lonely", "reaches"]
    # Roles come in the rules' order.
    order = [ROLES.index(r) for r in kit.invite["role"]]
    assert order == sorted(order)


def test_recruits_are_non_members_and_members_reaching_are_members(recruiting):
    for neighborhood in ("alder", "birch", "cedar", "dogwood"):
        invite = starter_kit(recruiting, neighborhood).invite
        assert not invite.loc[invite["role"] == "recruit", "member"].any()
        assert invite.loc[invite["role"] == "member_reaching", "member"].all()
        assert invite.loc[invite["role"] == "bridge", "member"].all()
    # Lonely Shop is a member in the tiny city: reaching Dogwood, never a recruit there.
    tiny_kit = starter_kit(index_graph(build_graph(make_tiny_city())), "dogwood")
    assert roles_of(tiny_kit) == {"clinic": "member_reaching", "lonely": "member_reaching"}


def test_navigators_are_invited_by_the_languages_spoken_there(tiny, recruiting):
    assert starter_kit(tiny, "dogwood").invite["kind"].eq("navigator").sum() == 0  # no Karen
    assert starter_kit(tiny, "alder").invite.query("kind == 'navigator'")["id"].tolist() == ["nav1"]
    # Birch: only long-time residents (English): no navigator, though Navigator Two is based there.
    assert "nav2" not in set(starter_kit(recruiting, "birch").invite["id"])


def test_nearby_committees_are_the_active_ones_across_a_border(tiny):
    assert starter_kit(tiny, "birch").invite.query("kind == 'committee'")["id"].tolist() == [
        "wc-alder"
    ]
    # Dogwood touches Alder at a corner only; its bordering Cedar's committee is only forming.
    assert starter_kit(tiny, "dogwood").invite.query("kind == 'committee'").empty


def test_the_graph_and_the_tables_give_the_same_kit():
    city = recruiting_city()
    from_graph = starter_kit(build_graph(city), "dogwood")
    from_tables = starter_kit(index_city(city), "dogwood")
    pd.testing.assert_frame_equal(from_graph.invite, from_tables.invite)
    pd.testing.assert_frame_equal(from_graph.languages, from_tables.languages)


# --- languages, communities, gaps, checklist -------------------------------------------------


def test_languages_carry_their_figures_and_sources(recruiting):
    languages = starter_kit(recruiting, "dogwood").languages
    karen = languages.set_index("language").loc["Karen"]
    assert karen["speakers"] == 7
    assert karen["communities"] == ["Karen refugees"]
    assert karen["sources"] == [["School home languages 2014", "2014"], ["ACS B05006", "2012"]]
    assert "School home languages 2014" in karen["source"] and "ACS B05006" in karen["source"]
    assert bool(karen["offered"])  # Dogwood Clinic speaks Karen
    section = next(
        s for s in kit_sections(starter_kit(recruiting, "dogwood")) if s.key == "languages"
    )
    assert section.sources == ["School home languages 2014 (2014)", "ACS B05006 (2012)"]


def test_a_language_no_member_there_offers_is_a_gap_and_said_so(tiny):
    # Cedar without Navigator One's base: Spanish is then offered by no one reaching Cedar.
    city = make_tiny_city()
    city.tables["navigators"].loc[0, "neighborhood"] = "birch"
    kit = starter_kit(index_city(city), "cedar")
    assert not kit.languages.set_index("language").loc["Spanish", "offered"]
    assert kit.gaps.query("gap == 'language'")["language"].tolist() == ["Spanish"]
    lines = next(s for s in kit_sections(kit) if s.key == "languages").lines
    assert lines == [
        "◇ Spanish: spoken by Latino newcomers (residents here: 100); no member reaching "
        "Cedar offers it yet."
    ]


def test_gaps_and_checklist(tiny):
    kit = starter_kit(tiny, "cedar")
    assert kit.gaps["gap"].tolist()[:2] == ["one_organization", "uncovered_need"]
    services = kit.gaps.query("gap == 'service'")
    assert set(services["community_id"]) == {"latino"}
    assert set(services.query("providers == 1")["domain"]) == {"citizenship", "english", "legal"}
    assert tuple(dict.fromkeys(kit.checklist["area"])) == CHECKLIST_AREAS
    facts = {row.item: row.facts for row in kit.checklist.itertuples()}
    assert facts["host"]["anchors"] == ["Cedar Church"]
    assert facts["learn_from"]["committees"] == ["Alder Welcoming Committee"]
    assert facts["navigators"]["navigators"] == ["Navigator One"]
    assert facts["gaps"]["gaps"] == len(kit.gaps)
    sections = {s.key: s for s in kit_sections(kit)}
    assert sections["checklist_positioning"].lines[0] == (
        "Ask Cedar Church to host the first meeting in Cedar."
    )


# --- privacy, escaping, errors ----------------------------------------------------------------


def test_small_counts_are_hidden_for_viewers_and_shown_exactly_to_editors(recruiting):
    kit = starter_kit(recruiting, "dogwood")
    public = "\n".join(line for s in kit_sections(kit, PUBLIC) for line in s.lines)
    exact = "\n".join(line for s in kit_sections(kit, EXACT) for line in s.lines)
    assert "Karen: spoken by Karen refugees (residents here: fewer than 11)" in public
    assert "residents here fewer than 11" in public
    assert not re.search(r"\b7\b", public)
    assert "Karen: spoken by Karen refugees (residents here: 7)" in exact
    for page in (kit_markdown(kit, PUBLIC), kit_html(kit, PUBLIC)):
        assert "fewer than 11" in page and not re.search(r"\b7\b", page.split("<style>")[0])
    assert kit.to_dict(PUBLIC)["communities"][0]["residents"] == "fewer than 11"
    assert kit.to_dict(PUBLIC)["languages"][0]["speakers"] == "fewer than 11"
    assert kit.to_dict(EXACT)["communities"][0]["residents"] == 7
    with i18n.using("es"):
        spanish = "\n".join(line for s in kit_sections(kit, PUBLIC) for line in s.lines)
    assert "menos de 11" in spanish and "fewer" not in spanish


def test_illustrative_entries_are_marked(tiny):
    kit = starter_kit(tiny, "cedar")
    lines = next(s for s in kit_sections(kit) if s.key == "invite").lines
    mark = labels.ILLUSTRATIVE_MARK
    # The example's organizations and navigator are illustrative; its Alder committee is real.
    assert [line.startswith(mark) for line in lines] == [True, True, True, True, False]


def test_hostile_names_are_escaped_in_markdown_and_html():
    city = read_city(HOSTILE)
    index = index_city(city)
    names = index.neighborhoods["name"].tolist()
    for neighborhood in index.neighborhoods.index:
        kit = starter_kit(index, neighborhood)
        markdown = kit_markdown(kit, EXACT)
        page = kit_html(kit, EXACT)
        # Every markdown-active character of the data is escaped: no raw tag, link or image.
        assert not re.search(r"(?<!\\)[<>]", markdown)
        assert not re.search(r"(?<!\\)\]\(", markdown)
        assert "\\<script\\>" in markdown
        assert "<script" not in page and "<img" not in page and "{{" not in page
        assert 'onmouseover="' not in page
        # Plain lines keep the data as written (the PDF draws them as text).
        plain = [line for s in kit_sections(kit, EXACT) for line in s.lines]
        assert any(str(kit.neighborhood_name) in line for line in plain)
    assert any("<" in name for name in names)  # the fixture really is hostile


def test_the_printable_page_is_standalone(tiny):
    page = kit_html(starter_kit(tiny, "cedar"), PUBLIC, lang="es")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="es">' in page
    assert "@media print" in page
    assert "Kit de inicio para un comité de bienvenida en Cedar" in page
    assert not re.search(r"(?i)(src|href)\s*=|https?://|<script|<link|@import|url\(", page)


def test_an_unknown_neighborhood_is_an_error_that_says_what_to_do(tiny):
    with pytest.raises(AnalysisError, match="No neighborhood has the id or name 'Atlantis'"):
        starter_kit(tiny, "Atlantis")
    with pytest.raises(AnalysisError):
        starter_kit(tiny, None)  # type: ignore[arg-type]
    assert resolve_neighborhood(tiny, " DOGWOOD ") == "dogwood"
    assert starter_kit(tiny, "Alder").neighborhood_id == "alder"


def test_the_input_is_not_mutated():
    city = recruiting_city()
    G = build_graph(city)
    nodes_before = copy.deepcopy(dict(G.nodes(data=True)))
    edges_before = sorted(map(repr, G.edges(keys=True, data=True)))
    index = index_graph(G)
    frames = {
        name: getattr(index, name).copy(deep=True)
        for name in ("neighborhoods", "organizations", "communities", "navigators")
    }
    for neighborhood in ("alder", "birch", "cedar", "dogwood"):
        kit = starter_kit(index, neighborhood)
        kit_sections(kit, PUBLIC)
        kit_html(kit, PUBLIC)
    assert dict(G.nodes(data=True)) == nodes_before
    assert sorted(map(repr, G.edges(keys=True, data=True))) == edges_before
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(getattr(index, name), frame)


def test_the_gaps_are_the_neighborhoods_findings_plus_its_communities_services(recruiting):
    from coalition.analysis import gap_findings_by_neighborhood

    counts, _ = gap_findings_by_neighborhood(recruiting)
    for neighborhood in ("alder", "birch", "cedar", "dogwood"):
        gaps = starter_kit(recruiting, neighborhood).gaps
        assert (gaps["gap"] != "service").sum() == counts[neighborhood], neighborhood
