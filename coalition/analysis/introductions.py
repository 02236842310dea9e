"""Introductions: who should meet. Ranked pairs not yet tied, with reasons and measured effect.

Three kinds of pair are proposed (:data:`PAIR_KINDS`), each the tie it would add:

* two organizations (a ``partnership``), at least one of them a coalition member;
* an organization and a community (``serves_community``);
* a Cultural Navigator and a community (``mentors``).

A pair is a *candidate* only when it is not tied yet and has at least one reason
(:data:`REASONS`, kept as codes with their data, never as English text):

``same_neighborhood``
    Both are present in a neighborhood: an organization located in or serving it, a community
    living there, a navigator based there.
``complementary_services``
    One side offers a service domain a community lacks (a service gap of the coalition's
    members: no provider, or one only): the organization itself (with a community), the
    organizations a navigator volunteers with (with a community), or, for two organizations, one
    reaching a community with a gap in a domain the other offers.
``shared_partner``
    Two organizations with a partner in common; an organization whose partner already reaches
    the community; a navigator volunteering with an organization that reaches the community.
``orientation``
    Two organizations, one serving newcomers and the other long-time residents (the sides of
    :func:`coalition.analysis.gaps.bridging_pairs`: "both" counts on either side).
``common_language``
    A language both speak (English, which everyone offers, does not count).

Every candidate's *effect* is measured, not guessed: the tie is added to a copy of the index (the
input is never changed) and the gap families the tie can move are recomputed with the functions
of :mod:`coalition.analysis.gaps` (service and language gaps, fragile links, isolated members,
bridging, uncovered need), on the members only, exactly as :func:`~coalition.analysis.gaps.
find_gaps` does. A pair with a non-member is measured as an invitation: the organization joins
the coalition and the tie is added (its own ties then count too). The effect lists the findings
it closes (a service gap whose severity drops counts one per step) and the new findings it
leaves (e.g. a community now reached by one organization only).

Cost and limits: recomputing the gaps for every candidate would be slow on a large city, so the
candidates are first ordered cheaply by their reasons (the complementary domains and the
under-connected members or communities they involve, then how many reasons, then ids), and only
the first ``measure_top`` of each kind are measured exactly;
:attr:`IntroductionReport.candidates` says how many there were. Two organizations are compared
pairwise (quadratic in the organizations: Hartford's 56 take about 4 s of CPU in all, a synthetic
city of 1,000 about 15 s, mostly the pairwise step). Committee coverage
(:func:`coalition.analysis.coverage.coverage_report`) counts the neighborhoods of active
welcoming committees; none of these ties places a committee, so an
introduction never changes it (the tests check this), and its effect is read in the gaps instead.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..privacy import Disclosure
from .coverage import frame_records
from .gaps import (
    COMMON_LANGUAGE,
    bridging,
    find_gaps,
    fragile_links,
    isolated_members,
    language_gaps,
    service_gaps,
    uncovered_need,
)
from .graph_index import IMMIGRANT_SIDE, RECEIVING_SIDE, GraphIndex, as_index
from .membership import member_view, non_member_ids
from .provenance import illustrative_ids

logger = logging.getLogger(__name__)

ORG_ORG = "organization_organization"
ORG_COMMUNITY = "organization_community"
NAVIGATOR_COMMUNITY = "navigator_community"
PAIR_KINDS = (ORG_ORG, ORG_COMMUNITY, NAVIGATOR_COMMUNITY)
# The tie each kind of pair would add (source is the pair's first end).
TIE_OF_KIND = {
    ORG_ORG: "partnership",
    ORG_COMMUNITY: "serves_community",
    NAVIGATOR_COMMUNITY: "mentors",
}
REASONS = (
    "complementary_services",
    "same_neighborhood",
    "shared_partner",
    "orientation",
    "common_language",
)
# The gap families an introduction's effect is read in, in the order they are reported.
EFFECT_FAMILIES = (
    "service_gaps",
    "language_gaps",
    "fragile_links",
    "isolated",
    "bridging",
    "uncovered_need",
)
# Which families a tie can move (an invitation, which adds a member, can move all of them).
_MOVED_BY = {
    "partnership": ("fragile_links", "isolated", "bridging"),
    "serves_community": ("service_gaps", "fragile_links"),
    "mentors": ("service_gaps", "fragile_links"),
}
DEFAULT_MEASURE_TOP = 30

PAIR_COLUMNS = [
    "rank",
    "pair_kind",
    "tie_type",
    "first_id",
    "first_name",
    "first_kind",
    "second_id",
    "second_name",
    "second_kind",
    "invite",
    "invite_ids",
    "reason_codes",
    "reasons",
    "effect",
    "closes",
    "opens",
    "illustrative",
    "illustrative_rows",
]


@dataclass
class IntroductionReport:
    """Ranked introductions and what was measured.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per measured pair, best first (columns :data:`PAIR_COLUMNS`): ``rank`` (1 =
        best), ``pair_kind`` (:data:`PAIR_KINDS`), ``tie_type``, each end's id, name and kind
        (``first`` is the organization or navigator, ``second`` the organization or
        community), ``invite`` (True when an end is not a coalition member) and ``invite_ids``,
        ``reason_codes`` and ``reasons`` (dicts: ``code`` plus ids and words from the data),
        ``effect`` (dict: per family of :data:`EFFECT_FAMILIES` the findings closed, and
        ``opened``), ``closes`` / ``opens`` (counts), ``illustrative`` and
        ``illustrative_rows`` (an end, or a finding it closes, rests on illustrative rows).
    candidates : int
        Pairs not tied yet with at least one reason (after the filters).
    measured : int
        Candidates whose effect was measured (at most ``measure_top`` of each kind).
    neighborhood, community : str or None
        The filters' ids.
    disclosure : Disclosure
        Who the numbers kept in the effects (language-gap speakers) are protected for.
    """

    pairs: pd.DataFrame
    candidates: int
    measured: int
    neighborhood: str | None = None
    community: str | None = None
    disclosure: Disclosure = field(default_factory=Disclosure.public)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: the counts, the filters and the pairs as records."""
        return {
            "candidates": self.candidates,
            "measured": self.measured,
            "neighborhood": self.neighborhood,
            "community": self.community,
            "pairs": frame_records(self.pairs),
        }


# --- the index with one more tie ----------------------------------------------------------------


def with_tie(
    index: GraphIndex, source: str, target: str, tie_type: str, *, join: tuple[str, ...] = ()
) -> GraphIndex:
    """A copy of ``index`` with one more tie (and ``join`` made members); ``index`` is unchanged.

    The tie frames and, when organizations join, the organizations frame are new objects; the
    rest is shared read-only. Derived tables (reach, partnerships, gaps) are recomputed on use.

    Examples
    --------
    >>> after = with_tie(index, "clinic", "church", "partnership")
    >>> len(after.partnerships) - len(index.partnerships)
    1
    """
    ties = dict(index.ties)
    row = pd.DataFrame(
        {
            "source": pd.Series([source], dtype=object),
            "target": pd.Series([target], dtype=object),
            "strength": [1.0],
            "residents": [np.nan],
        }
    )
    frame = index.tie_frame(tie_type)
    ties[tie_type] = row if frame.empty else pd.concat([frame, row], ignore_index=True)
    organizations = index.organizations
    outside = frozenset(non_member_ids(index))
    if join:
        organizations = organizations.copy()
        organizations.loc[list(join), "member"] = True
        outside = outside - set(join)
    return dataclasses.replace(
        index,
        ties=ties,
        organizations=organizations,
        non_members=outside,
        illustrative_nodes=illustrative_ids(index),
        _memo={},
    )


def _families(index: GraphIndex, which: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The gap families ``which`` of ``index``, on its members (as :func:`find_gaps` reads them)."""
    members = member_view(index)
    compute = {
        "service_gaps": service_gaps,
        "language_gaps": language_gaps,
        "fragile_links": fragile_links,
        "isolated": isolated_members,
        "bridging": bridging,
        "uncovered_need": uncovered_need,
    }
    return {family: compute[family](members) for family in which}


# Each family's findings as {key: row}; a finding "closes" when its key goes (or, for a service
# gap, when its severity drops).
def _keyed(family: str, frame: pd.DataFrame) -> dict[tuple[Any, ...], dict[str, Any]]:
    records = _records(frame)
    if family == "service_gaps":
        return {(r["community_id"], r["domain"]): r for r in records}
    if family == "language_gaps":
        return {(r["neighborhood_id"], str(r["language"]).lower()): r for r in records}
    if family == "fragile_links":
        return {(r["type"], r["id"]): r for r in records}
    if family == "isolated":
        return {(r["kind"], r["id"]): r for r in records}
    if family == "bridging":  # neighborhoods with no bridging tie (brokers are not gaps)
        return {
            (r["id"],): r for r in records if r["kind"] == "neighborhood" and r["severity"] == 1
        }
    return {(r["neighborhood_id"],): r for r in records}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _by_id(frame: pd.DataFrame, column: str) -> dict[str, Any]:
    """One column of a frame indexed by node id, as {id: value}."""
    return dict(zip(map(str, frame.index.tolist()), frame[column].tolist(), strict=True))


def _closed_entry(family: str, row: dict[str, Any], after: dict[str, Any] | None) -> dict[str, Any]:
    """What a closed finding says, as data (ids, names from the data, numbers), and the
    illustrative rows it rested on."""
    return {**_closed_data(family, row, after), "illustrative_rows": _rows_of(row)}


def _rows_of(row: dict[str, Any]) -> list[str]:
    value = row.get("illustrative_rows")
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def _closed_data(family: str, row: dict[str, Any], after: dict[str, Any] | None) -> dict[str, Any]:
    if family == "service_gaps":
        return {
            "community_id": row["community_id"],
            "community": row["community"],
            "domain": row["domain"],
            "severity_before": int(row["severity"]),
            "severity_after": int(after["severity"]) if after is not None else 0,
            "providers_before": list(row["provider_names"]),
        }
    if family == "language_gaps":
        return {
            "neighborhood_id": row["neighborhood_id"],
            "neighborhood": row["neighborhood"],
            "language": row["language"],
            "communities": list(row["communities"]),
            "speakers": row["speakers"],
        }
    if family == "fragile_links":
        return {
            "type": row["type"],
            "id": row["id"],
            "name": row["name"],
            "through": row["through"],
        }
    if family == "isolated":
        return {"kind": row["kind"], "id": row["id"], "name": row["name"]}
    if family == "bridging":
        return {"neighborhood_id": row["id"], "neighborhood": row["name"]}
    return {"neighborhood_id": row["neighborhood_id"], "neighborhood": row["name"]}


def _opened_entry(family: str, key: tuple[Any, ...], row: dict[str, Any]) -> dict[str, Any]:
    name = row.get("name") or row.get("neighborhood") or row.get("community")
    kind = row.get("type") or row.get("kind")
    return {"family": family, "id": "|".join(str(k) for k in key), "kind": kind, "name": name}


def measure(
    before: dict[str, pd.DataFrame],
    after: dict[str, pd.DataFrame],
    before_keyed: dict[str, dict[tuple[Any, ...], dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The findings of ``before`` that ``after`` no longer has, and the new ones.

    Parameters
    ----------
    before, after : dict of str to pandas.DataFrame
        Gap families (as :func:`coalition.analysis.gaps.find_gaps` makes them) before and after
        a change; only the families in ``after`` are compared.
    before_keyed : dict, optional
        ``before``'s findings by key, when read once for many measures.

    Returns
    -------
    dict
        One list per family of :data:`EFFECT_FAMILIES` (findings closed, or a service gap whose
        severity dropped), ``opened`` (new findings), ``closes`` (service steps + other
        findings closed) and ``opens``.

    Examples
    --------
    >>> empty = {"isolated": pd.DataFrame(columns=["kind", "id", "name"])}
    >>> measure(empty, empty)["closes"]
    0
    """
    effect: dict[str, Any] = {family: [] for family in EFFECT_FAMILIES}
    effect["opened"] = []
    closes = 0
    for family, frame in after.items():
        old, new = _keyed(family, before[family]), _keyed(family, frame)
        for key, row in old.items():
            now = new.get(key)
            if family == "service_gaps":
                drop = int(row["severity"]) - (int(now["severity"]) if now is not None else 0)
                if drop > 0:
                    effect[family].append(_closed_entry(family, row, now))
                    closes += drop
            elif now is None:
                effect[family].append(_closed_entry(family, row, None))
                closes += 1
        effect["opened"] += [_opened_entry(family, k, r) for k, r in new.items() if k not in old]
    effect["closes"] = closes
    effect["opens"] = len(effect["opened"])
    return effect


# --- reasons ------------------------------------------------------------------------------------


def _lower(values: Any) -> set[str]:
    return {str(v).strip().lower() for v in (values or []) if str(v).strip()}


def _spoken(values: Any) -> dict[str, str]:
    """Lower-case language -> the language as first written (English left out)."""
    found: dict[str, str] = {}
    for value in values or []:
        text = str(value).strip()
        if text and text.lower() != COMMON_LANGUAGE:
            found.setdefault(text.lower(), text)
    return found


@dataclass
class _Facts:
    """What the reasons are read from, looked up once."""

    members: set[str]
    org_places: dict[str, set[str]]
    community_places: dict[str, set[str]]
    navigator_places: dict[str, set[str]]
    partners: dict[str, set[str]]
    reaches: dict[str, set[str]]  # org -> communities it reaches (any way)
    reached_by: dict[str, set[str]]  # community -> orgs reaching it
    direct: set[tuple[str, str]]  # (org, community) serves_community ties
    mentors: set[tuple[str, str]]  # (navigator, community)
    volunteers: dict[str, set[str]]  # navigator -> orgs
    services: dict[str, set[str]]
    languages: dict[str, dict[str, str]]
    orientation: dict[str, str]
    gap_domains: dict[str, set[str]]  # community -> domains with a service gap (members)
    member_degree: dict[str, int]


def _pairs_of(frame: pd.DataFrame, left: str, right: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for a, b in zip(frame[left].tolist(), frame[right].tolist(), strict=True):
        found.setdefault(a, set()).add(b)
    return found


def _facts(index: GraphIndex, service: pd.DataFrame) -> _Facts:
    orgs = index.organizations
    outside = set(non_member_ids(index))
    members = {o for o in orgs.index.tolist() if o not in outside}
    partners: dict[str, set[str]] = {}
    for a, b in zip(
        index.partnerships["a"].tolist(), index.partnerships["b"].tolist(), strict=True
    ):
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    reach = index.community_reach
    direct_ties = index.tie_frame("serves_community")
    mentor_ties = index.tie_frame("mentors")
    volunteer_ties = index.tie_frame("volunteers_with")
    gap_domains: dict[str, set[str]] = {}
    for community_id, domain in zip(
        service["community_id"].tolist(), service["domain"].tolist(), strict=True
    ):
        gap_domains.setdefault(community_id, set()).add(domain)
    return _Facts(
        members=members,
        org_places=_pairs_of(index.neighborhood_org_reach, "org", "neighborhood"),
        community_places=_pairs_of(index.residence, "community", "neighborhood"),
        navigator_places=_pairs_of(index.neighborhood_navigators, "navigator", "neighborhood"),
        partners=partners,
        reaches=_pairs_of(reach, "org", "community"),
        reached_by=_pairs_of(reach, "community", "org"),
        direct=set(
            zip(direct_ties["source"].tolist(), direct_ties["target"].tolist(), strict=True)
        ),
        mentors=set(
            zip(mentor_ties["source"].tolist(), mentor_ties["target"].tolist(), strict=True)
        ),
        volunteers=_pairs_of(volunteer_ties, "source", "target"),
        services={o: {str(s) for s in v} for o, v in _by_id(orgs, "services").items()},
        languages={
            **{o: _spoken(v) for o, v in _by_id(orgs, "languages").items()},
            **{c: _spoken(v) for c, v in _by_id(index.communities, "languages").items()},
            **{n: _spoken(v) for n, v in _by_id(index.navigators, "languages").items()},
        },
        orientation={o: str(v) for o, v in _by_id(orgs, "orientation").items()},
        gap_domains=gap_domains,
        member_degree={
            o: len({p for p in partners.get(o, set()) if p in members}) for o in members
        },
    )


def _common_language(facts: _Facts, a: str, b: str) -> dict[str, Any] | None:
    left, right = facts.languages.get(a, {}), facts.languages.get(b, {})
    shared = sorted(left[k] for k in left.keys() & right.keys())
    return {"code": "common_language", "languages": shared} if shared else None


def _same_place(places_a: set[str], places_b: set[str]) -> dict[str, Any] | None:
    shared = sorted(places_a & places_b)
    return {"code": "same_neighborhood", "neighborhood_ids": shared} if shared else None


def _offers_for(facts: _Facts, provider: str, community_id: str) -> list[str]:
    """The domains ``provider`` offers that ``community_id`` has a service gap in."""
    return sorted(facts.services.get(provider, set()) & facts.gap_domains.get(community_id, set()))


def _org_org_reasons(facts: _Facts, a: str, b: str) -> list[dict[str, Any]]:
    reasons = []
    needs = []
    for reacher, provider in ((a, b), (b, a)):
        for community_id in sorted(facts.reaches.get(reacher, set())):
            if community_id in facts.reaches.get(provider, set()):
                continue
            domains = _offers_for(facts, provider, community_id)
            if domains:
                needs.append(
                    {"community_id": community_id, "domains": domains, "provider_id": provider}
                )
    if needs:
        reasons.append({"code": "complementary_services", "needs": needs})
    if place := _same_place(facts.org_places.get(a, set()), facts.org_places.get(b, set())):
        reasons.append(place)
    shared = sorted(facts.partners.get(a, set()) & facts.partners.get(b, set()))
    if shared:
        reasons.append({"code": "shared_partner", "partner_ids": shared})
    side_a, side_b = facts.orientation.get(a, ""), facts.orientation.get(b, "")
    if side_a in IMMIGRANT_SIDE and side_b in RECEIVING_SIDE:
        reasons.append({"code": "orientation", "newcomers_id": a, "long_time_id": b})
    elif side_a in RECEIVING_SIDE and side_b in IMMIGRANT_SIDE:
        reasons.append({"code": "orientation", "newcomers_id": b, "long_time_id": a})
    if language := _common_language(facts, a, b):
        reasons.append(language)
    return reasons


def _org_community_reasons(facts: _Facts, org: str, community_id: str) -> list[dict[str, Any]]:
    reasons = []
    domains = _offers_for(facts, org, community_id)
    if domains:
        needs = [{"community_id": community_id, "domains": domains, "provider_id": org}]
        reasons.append({"code": "complementary_services", "needs": needs})
    places = facts.community_places.get(community_id, set())
    if place := _same_place(facts.org_places.get(org, set()), places):
        reasons.append(place)
    through = sorted(facts.partners.get(org, set()) & facts.reached_by.get(community_id, set()))
    if through:
        reasons.append({"code": "shared_partner", "partner_ids": through})
    if language := _common_language(facts, org, community_id):
        reasons.append(language)
    return reasons


def _navigator_community_reasons(
    facts: _Facts, navigator: str, community_id: str
) -> list[dict[str, Any]]:
    reasons = []
    orgs = sorted(facts.volunteers.get(navigator, set()))
    needs = [
        {"community_id": community_id, "domains": domains, "provider_id": org}
        for org in orgs
        if org in facts.members
        and community_id not in facts.reaches.get(org, set())
        and (domains := _offers_for(facts, org, community_id))
    ]
    if needs:
        reasons.append({"code": "complementary_services", "needs": needs})
    places = facts.community_places.get(community_id, set())
    if place := _same_place(facts.navigator_places.get(navigator, set()), places):
        reasons.append(place)
    through = sorted(set(orgs) & facts.reached_by.get(community_id, set()))
    if through:
        reasons.append({"code": "shared_partner", "partner_ids": through})
    if language := _common_language(facts, navigator, community_id):
        reasons.append(language)
    return reasons


def _potential(facts: _Facts, pair_kind: str, a: str, reasons: list[dict[str, Any]], b: str) -> int:
    """A cheap guess of what a pair could close (orders the candidates before measuring)."""
    score = sum(
        len(need["domains"])
        for r in reasons
        if r["code"] == "complementary_services"
        for need in r["needs"]
    )
    if pair_kind == ORG_ORG:
        score += sum(1 for o in (a, b) if facts.member_degree.get(o, 2) <= 1)
        score += any(r["code"] == "orientation" for r in reasons)
    else:  # a community reached by one organization or none
        score += len(facts.reached_by.get(b, set())) <= 1
    return score


def _named(index: GraphIndex, reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reasons with the names (data) beside their ids, for sentences and JSON."""
    named = []
    for reason in reasons:
        reason = dict(reason)
        if "neighborhood_ids" in reason:
            reason["neighborhoods"] = [index.name(n) for n in reason["neighborhood_ids"]]
        if "partner_ids" in reason:
            reason["partners"] = [index.name(n) for n in reason["partner_ids"]]
        if "needs" in reason:
            reason["needs"] = [
                {
                    **need,
                    "community": index.name(need["community_id"]),
                    "provider": index.name(need["provider_id"]),
                }
                for need in reason["needs"]
            ]
        if reason["code"] == "orientation":
            reason["newcomers"] = index.name(reason["newcomers_id"])
            reason["long_time"] = index.name(reason["long_time_id"])
        named.append(reason)
    return named


# --- filters ------------------------------------------------------------------------------------


def _resolve(value: str | None, frame: pd.DataFrame, what: str, option: str) -> str | None:
    """An id from an id or a name (any case); AnalysisError naming the choices otherwise."""
    if value is None:
        return None
    text = str(value).strip()
    if text in frame.index:
        return text
    by_name = {str(n).strip().lower(): i for i, n in frame["name"].items()}
    if text.lower() in by_name:
        return str(by_name[text.lower()])
    choices = ", ".join(str(i) for i in frame.index.tolist()) or "none"
    raise AnalysisError(
        f"Unknown {what} {text!r}: give the id or the name of one of the city's {what}s "
        f"({option}: {choices})."
    )


def _present(facts: _Facts, kind: str, node: str) -> set[str]:
    """The neighborhoods a pair's end is present in."""
    if kind == "organization":
        return facts.org_places.get(node, set())
    if kind == "community":
        return facts.community_places.get(node, set())
    return facts.navigator_places.get(node, set())


# --- the ranking --------------------------------------------------------------------------------


def introductions(
    graph_or_index: nx.MultiDiGraph | GraphIndex,
    *,
    neighborhood: str | None = None,
    community: str | None = None,
    limit: int | None = None,
    measure_top: int = DEFAULT_MEASURE_TOP,
    disclosure: Disclosure | None = None,
) -> IntroductionReport:
    """Who should meet: pairs not yet tied, their reasons and their measured effect, best first.

    Candidates are the pairs with at least one reason (see the module docstring); the first
    ``measure_top`` of each kind, in a cheap order by what their reasons could close, are
    measured exactly by adding
    the tie to a copy of the index and recomputing the gaps; the measured pairs are ranked by
    effect (findings closed, most first; then new findings left, fewest first), then by reasons
    (most first), then by kind and ids (a deterministic order).

    Parameters
    ----------
    graph_or_index : networkx.MultiDiGraph or GraphIndex
        The coalition graph or its index (never changed).
    neighborhood : str, optional
        Keep pairs with an end present in this neighborhood (id or name).
    community : str, optional
        Keep pairs with this community (id or name) as an end, and pairs of organizations where
        one reaches it and the other offers what it lacks (a complementary-services reason).
    limit : int, optional
        Return at most this many pairs (default: every measured pair).
    measure_top : int
        How many candidates of each kind to measure (the cost: one recomputation each).
    disclosure : Disclosure, optional
        Who reads the numbers kept in the effects (the speakers of a language gap closed):
        default public (small counts hidden, as :func:`find_gaps` hides them).

    Returns
    -------
    IntroductionReport

    Raises
    ------
    AnalysisError
        Unknown neighborhood or community (the message lists the choices), a limit or
        ``measure_top`` below 1, or a graph with no neighborhood.

    Examples
    --------
    >>> introductions(G).pairs.loc[0, ["first_id", "second_id"]].tolist()
    ['church', 'clinic']
    >>> pairs = introductions(G, community="karen").pairs
    >>> top = pairs[pairs["pair_kind"] == "organization_community"].iloc[0]
    >>> closed = top["effect"]["service_gaps"]
    >>> top["first_id"], [(g["domain"], g["severity_before"]) for g in closed]
    ('lib', [('citizenship', 2), ('english', 2)])
    """
    if limit is not None and limit < 1:
        raise AnalysisError(f"The limit must be 1 or more pairs (got {limit}).")
    if measure_top < 1:
        raise AnalysisError(f"measure_top must be 1 or more pairs per kind (got {measure_top}).")
    index = as_index(graph_or_index)
    neighborhood_id = _resolve(neighborhood, index.neighborhoods, "neighborhood", "ids")
    community_id = _resolve(community, index.communities, "community", "ids")
    disclosure = disclosure or Disclosure.public()
    report = find_gaps(index, disclosure=disclosure)
    before = {family: getattr(report, family) for family in EFFECT_FAMILIES}
    before_keyed = {family: _keyed(family, frame) for family, frame in before.items()}
    facts = _facts(index, before["service_gaps"])
    outside = set(non_member_ids(index))
    kinds = {
        **dict.fromkeys(index.organizations.index.tolist(), "organization"),
        **dict.fromkeys(index.communities.index.tolist(), "community"),
        **dict.fromkeys(index.navigators.index.tolist(), "navigator"),
    }

    def wanted(pair_kind: str, a: str, b: str, reasons: list[dict[str, Any]]) -> bool:
        if neighborhood_id is not None and not any(
            neighborhood_id in _present(facts, kinds[n], n) for n in (a, b)
        ):
            return False
        if community_id is None:
            return True
        if pair_kind != ORG_ORG:
            return b == community_id
        return any(
            need["community_id"] == community_id
            for r in reasons
            if r["code"] == "complementary_services"
            for need in r["needs"]
        )

    candidates: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in PAIR_KINDS}
    org_ids = sorted(str(o) for o in index.organizations.index.tolist())
    community_ids = sorted(str(c) for c in index.communities.index.tolist())
    navigator_ids = sorted(str(n) for n in index.navigators.index.tolist())
    for a, b in combinations(org_ids, 2):  # two organizations, at least one a member
        if (a in outside and b in outside) or b in facts.partners.get(a, set()):
            continue
        reasons = _org_org_reasons(facts, a, b)
        if reasons and wanted(ORG_ORG, a, b, reasons):
            candidates[ORG_ORG].append((a, b, reasons))
    for org in org_ids:
        for c in community_ids if community_id is None else [community_id]:
            if (org, c) in facts.direct or c in facts.reaches.get(org, set()):
                continue
            reasons = _org_community_reasons(facts, org, c)
            if reasons and wanted(ORG_COMMUNITY, org, c, reasons):
                candidates[ORG_COMMUNITY].append((org, c, reasons))
    for navigator in navigator_ids:
        for c in community_ids if community_id is None else [community_id]:
            if (navigator, c) in facts.mentors:
                continue
            reasons = _navigator_community_reasons(facts, navigator, c)
            if reasons and wanted(NAVIGATOR_COMMUNITY, navigator, c, reasons):
                candidates[NAVIGATOR_COMMUNITY].append((navigator, c, reasons))

    flagged = illustrative_ids(index)
    speakers = {(r["neighborhood_id"], r["language"]): r for r in _records(report.language_gaps)}
    rows = []
    total = sum(len(found) for found in candidates.values())
    for pair_kind in PAIR_KINDS:

        def cheap_order(found: tuple[Any, ...], kind: str = pair_kind) -> tuple[Any, ...]:
            first, second, reasons = found
            return (-_potential(facts, kind, first, reasons, second), -len(reasons), first, second)

        found = sorted(candidates[pair_kind], key=cheap_order)
        for a, b, reasons in found[:measure_top]:
            tie_type = TIE_OF_KIND[pair_kind]
            join = tuple(n for n in (a, b) if n in outside)
            moved = EFFECT_FAMILIES if join else _MOVED_BY[tie_type]
            after = _families(with_tie(index, a, b, tie_type, join=join), moved)
            effect = measure(before, after, before_keyed)
            for entry in effect["language_gaps"]:  # the speakers as this audience may see them
                shown = speakers.get((entry["neighborhood_id"], entry["language"]))
                if shown is not None:
                    entry["speakers"] = report.shown("language_gaps", shown, "speakers")
            resting = {str(n) for n in (a, b) if n in flagged}
            for family in EFFECT_FAMILIES:
                for entry in effect[family]:
                    resting.update(entry["illustrative_rows"])
            rows.append(
                {
                    "rank": 0,
                    "pair_kind": pair_kind,
                    "tie_type": tie_type,
                    "first_id": a,
                    "first_name": index.name(a),
                    "first_kind": kinds[a],
                    "second_id": b,
                    "second_name": index.name(b),
                    "second_kind": kinds[b],
                    "invite": bool(join),
                    "invite_ids": list(join),
                    "reason_codes": [r["code"] for r in reasons],
                    "reasons": _named(index, reasons),
                    "effect": {k: v for k, v in effect.items() if k not in ("closes", "opens")},
                    "closes": effect["closes"],
                    "opens": effect["opens"],
                    "illustrative": bool(resting),
                    "illustrative_rows": sorted(resting),
                }
            )
    order = {kind: i for i, kind in enumerate(PAIR_KINDS)}
    rows.sort(
        key=lambda r: (
            -r["closes"],
            r["opens"],
            -len(r["reasons"]),
            order[r["pair_kind"]],
            r["first_id"],
            r["second_id"],
        )
    )
    if limit is not None:
        rows = rows[:limit]
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    logger.info("introductions: %d candidates, %d measured", total, len(rows))
    return IntroductionReport(
        pairs=pd.DataFrame(rows, columns=PAIR_COLUMNS),
        candidates=total,
        measured=sum(min(len(found), measure_top) for found in candidates.values()),
        neighborhood=neighborhood_id,
        community=community_id,
        disclosure=disclosure,
    )


__all__ = [
    "DEFAULT_MEASURE_TOP",
    "EFFECT_FAMILIES",
    "NAVIGATOR_COMMUNITY",
    "ORG_COMMUNITY",
    "ORG_ORG",
    "PAIR_KINDS",
    "REASONS",
    "TIE_OF_KIND",
    "IntroductionReport",
    "introductions",
    "measure",
    "with_tie",
]
