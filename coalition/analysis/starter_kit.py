"""The starter kit for the next welcoming committee: who to invite first, and why.

For one neighborhood (the planner's first pick, or any other) :func:`starter_kit` gathers, as
data (no sentences: :mod:`coalition.presenting.starter_kit` writes them in the language in use):

* ``invite``: one row per invitation, selected by the rules below;
* ``languages``: the languages to prepare outreach in, with the source of their figures;
* ``communities``: the communities living there, with their residents and sources;
* ``gaps``: the gaps a committee there would start to close;
* ``checklist``: the toolkit's four areas (positioning, messaging, strategies and tactics,
  communications) as items with the neighborhood's own facts.

The invitation rules
--------------------
Let N be the neighborhood. An organization *reaches* N when it is located in N or serves N
(``located_in`` / ``serves_neighborhood`` ties); it is *based* in N when it is located there.
The communities *living* in N are those with a ``lives_in`` tie to N; *their languages* are the
languages of those communities other than English (:data:`COMMON_LANGUAGE`), compared without
case. Each rule is a function of this module (:data:`RULES` lists them in order):

1. ``anchor`` (:func:`anchors`): organizations based in N whose ``anchor_type`` is one of
   :data:`ANCHOR_TYPES` (library, neighborhood association, school, faith group), members or not.
2. ``member_reaching`` (:func:`members_reaching`): coalition members that reach N.
3. ``bridge`` (:func:`bridges`): coalition members that reach a community living in N (a
   ``serves_community`` tie, or a navigator volunteering with them mentors it).
4. ``navigator`` (:func:`navigators`): cultural navigators who speak one of the languages of
   the communities living in N.
5. ``nearby_committee`` (:func:`nearby_committees`): active welcoming committees covering a
   neighborhood that shares a border with N (:func:`coalition.analysis.geometry.adjacency_pairs`).
6. ``recruit`` (:func:`recruits`): organizations that are not coalition members and could fill
   a gap there: they reach N, or serve a community living in N.

An organization, navigator or committee selected by several rules is invited once, under the
first rule in this order (``role``); ``roles`` lists every rule that selected it. So the kit
invites exactly the union of what the rules select.

Examples
--------
>>> kit = starter_kit(index, "cedar")
>>> kit.invite[["id", "role"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
[['church', 'anchor'], ['lib', 'bridge'], ['legal', 'bridge'], ['nav1', 'navigator'],
 ['wc-alder', 'nearby_committee']]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import privacy
from ..errors import AnalysisError
from ..privacy import Line
from .coverage import index_counts
from .gaps import COMMON_LANGUAGE, language_gap_findings, service_gaps, uncovered_need_ids
from .geometry import adjacency_pairs
from .graph_index import GraphIndex, as_index
from .membership import member_view, non_member_ids
from .provenance import committee_ids_by_name, illustrative_ids, is_illustrative

if TYPE_CHECKING:
    import networkx as nx

logger = logging.getLogger(__name__)

# The anchor institutions whose presence in a neighborhood invites them first.
ANCHOR_TYPES = ("library", "neighborhood_association", "school", "faith")
# The roles, in the order they win when one node is selected by several rules.
ROLES = ("anchor", "member_reaching", "bridge", "navigator", "nearby_committee", "recruit")
# The toolkit's four areas, in order.
CHECKLIST_AREAS = ("positioning", "messaging", "strategies", "communications")

INVITE_COLUMNS = [
    "id",
    "name",
    "kind",
    "role",
    "roles",
    "sector",
    "anchor_type",
    "based_here",
    "reaches",
    "communities",
    "languages",
    "services",
    "neighborhood",
    "member",
    "illustrative",
]
LANGUAGE_COLUMNS = [
    "language",
    "communities",
    "community_ids",
    "speakers",
    "offered",
    "source",
    "source_date",
    "sources",
    "illustrative",
]
COMMUNITY_COLUMNS = [
    "community_id",
    "name",
    "community_kind",
    "languages",
    "residents",
    "estimated_residents",
    "source",
    "source_date",
    "sources",
    "illustrative",
]
GAP_COLUMNS = [
    "gap",
    "language",
    "community_id",
    "community",
    "domain",
    "providers",
    "speakers",
    "communities",
]
CHECKLIST_COLUMNS = ["area", "item", "facts"]


@dataclass(frozen=True)
class StarterKit:
    """Everything a new welcoming committee in one neighborhood starts from, as data.

    Attributes
    ----------
    neighborhood_id, neighborhood_name : str
        The neighborhood.
    invite : pandas.DataFrame
        One row per invitation (:data:`INVITE_COLUMNS`): ``id``, ``name``, ``kind``
        ("organization", "navigator" or "committee"), ``role`` (the first rule of
        :data:`ROLES` that selected it), ``roles`` (every rule that did), the reasons' data
        (``sector``, ``anchor_type``, ``based_here``, ``reaches``, ``communities`` it reaches
        among those living there, ``languages`` it shares with them, ``services`` it offers,
        ``neighborhood``: for a committee, the bordering neighborhood it covers), ``member``
        and ``illustrative``. Sorted by role, then members first, then name.
    languages : pandas.DataFrame
        :data:`LANGUAGE_COLUMNS`: per language of the communities living there, their names,
        ``speakers`` (their residents there, NaN when unknown), ``offered`` (a member reaching
        the neighborhood offers it), ``source`` and ``source_date`` of the figures (the
        communities' rows and their ``lives_in`` ties: census, school home-language figures),
        most speakers first.
    communities : pandas.DataFrame
        :data:`COMMUNITY_COLUMNS`: the communities living there, most residents first.
    gaps : pandas.DataFrame
        :data:`GAP_COLUMNS`: ``gap`` is "language" (no member reaching it offers a language
        residents speak), "one_organization" (one member organization reaches it),
        "uncovered_need" (foreign-born residents above the median, members at or below it) or
        "service" (a community living there that no member, or one, offers a kind of help).
    checklist : pandas.DataFrame
        :data:`CHECKLIST_COLUMNS`: ``area`` (of :data:`CHECKLIST_AREAS`), ``item`` (a code) and
        ``facts`` (a dict of the neighborhood's facts to fill in).
    figures : dict
        The neighborhood's ``population``, ``foreign_born``, ``limited_english`` (with
        ``*_moe``), ``source``, ``source_date``, ``committee_status`` and ``illustrative``.
    counts : privacy.CityCounts
        The city's resident counts plus the kit's speakers per language, for :meth:`protected`.
    """

    neighborhood_id: str
    neighborhood_name: str
    invite: pd.DataFrame
    languages: pd.DataFrame
    communities: pd.DataFrame
    gaps: pd.DataFrame
    checklist: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)
    counts: privacy.CityCounts | None = field(default=None, repr=False, compare=False)

    def protected(self, disclosure: privacy.Disclosure | None = None) -> dict[Hashable, Any]:
        """The kit's counts as ``disclosure`` may see them (markers for hidden ones).

        Keys: ``("lives_in", community_id, neighborhood_id)``, ``("neighborhood",
        neighborhood_id, column)`` and ``("speakers", neighborhood_id, language.lower())``.

        Examples
        --------
        >>> kit = starter_kit(index, "cedar")
        >>> kit.protected(privacy.Disclosure.exact_counts())[("lives_in", "latino", "cedar")]
        100.0
        """
        disclosure = disclosure or privacy.Disclosure.public()
        if self.counts is None:
            return {}
        return self.counts.protect(disclosure)

    def to_dict(self, disclosure: privacy.Disclosure | None = None) -> dict[str, Any]:
        """JSON-serialisable form; counts a non-exact ``disclosure`` may not see as text.

        Examples
        --------
        >>> kit = starter_kit(index, "cedar")
        >>> kit.to_dict()["communities"][0]["residents"]
        100
        """
        from .coverage import frame_records

        disclosure = disclosure or privacy.Disclosure.exact_counts()
        shown = {} if disclosure.exact else self.protected(disclosure)
        nid = self.neighborhood_id

        def count(key: Hashable, value: Any) -> Any:
            value = shown.get(key, value)
            if privacy.is_hidden(value):
                return str(value)
            if not disclosure.exact and disclosure.is_small(value):
                return str(privacy.SmallCount(disclosure.threshold))
            return _plain(value)

        figures = {k: _plain(v) for k, v in self.figures.items()}
        for column in privacy.NEIGHBORHOOD_COUNTS:
            figures[column] = count(("neighborhood", nid, column), self.figures.get(column))
            if isinstance(figures[column], str):
                figures[f"{column}_moe"] = None
        communities = frame_records(self.communities)
        for row in communities:
            cid = str(row["community_id"])
            row["residents"] = count(("lives_in", cid, nid), row["residents"])
            row["estimated_residents"] = count(("community", cid), row["estimated_residents"])
        languages = frame_records(self.languages)
        for row in languages:
            key = ("speakers", nid, str(row["language"]).lower())
            row["speakers"] = count(key, row["speakers"])
        gaps = frame_records(self.gaps)
        for row in gaps:
            if row.get("gap") == "language":
                key = ("speakers", nid, str(row["language"]).lower())
                row["speakers"] = count(key, row["speakers"])
        checklist = []
        for area, item, facts in zip(
            self.checklist["area"], self.checklist["item"], self.checklist["facts"], strict=True
        ):
            plain = {k: _plain(v) for k, v in facts.items()}
            for column in ("population", "foreign_born"):
                if column in plain:
                    plain[column] = figures[column]
            checklist.append({"area": area, "item": item, "facts": plain})
        return {
            "neighborhood_id": nid,
            "neighborhood_name": self.neighborhood_name,
            "exact_counts": disclosure.exact,
            "figures": figures,
            "invite": frame_records(self.invite),
            "languages": languages,
            "communities": communities,
            "gaps": gaps,
            "checklist": checklist,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- the rules --------------------------------------------------------------------------------


def _items(values: Any) -> list[Any]:
    return list(values) if isinstance(values, (list, tuple)) else []


def _lower(values: Any) -> set[str]:
    return {str(v).strip().lower() for v in (values or []) if str(v).strip()}


def _reaching(index: GraphIndex, neighborhood_id: str) -> list[str]:
    reach = index.neighborhood_org_reach
    return sorted(set(reach.loc[reach["neighborhood"] == neighborhood_id, "org"].tolist()))


def _based(index: GraphIndex, neighborhood_id: str) -> list[str]:
    located = index.tie_frame("located_in")
    ids = located.loc[located["target"] == neighborhood_id, "source"].tolist()
    return sorted({o for o in ids if o in index.organizations.index})


def living_communities(index: GraphIndex, neighborhood_id: str) -> list[str]:
    """Ids of the communities with a ``lives_in`` tie to the neighborhood (sorted).

    Examples
    --------
    >>> living_communities(index, "alder")
    ['latino', 'longtime']
    """
    residence = index.residence
    return sorted(
        set(residence.loc[residence["neighborhood"] == neighborhood_id, "community"].tolist())
    )


def community_languages(index: GraphIndex, neighborhood_id: str) -> dict[str, str]:
    """The languages of the communities living there (lower case -> as first written), but
    English.

    Examples
    --------
    >>> community_languages(index, "dogwood")
    {'karen': 'Karen'}
    """
    found: dict[str, str] = {}
    for community_id in living_communities(index, neighborhood_id):
        languages: Any = index.communities.at[community_id, "languages"]
        for language in languages or []:
            key = str(language).strip()
            if key and key.lower() != COMMON_LANGUAGE:
                found.setdefault(key.lower(), key)
    return found


def anchors(index: GraphIndex, neighborhood_id: str) -> list[str]:
    """Rule 1: organizations based in the neighborhood whose anchor type is an anchor.

    Examples
    --------
    >>> anchors(index, "alder")
    ['assoc', 'lib']
    """
    types = index.organizations["anchor_type"]
    return [o for o in _based(index, neighborhood_id) if types.at[o] in ANCHOR_TYPES]


def members_reaching(index: GraphIndex, neighborhood_id: str) -> list[str]:
    """Rule 2: coalition members located in or serving the neighborhood.

    Examples
    --------
    >>> members_reaching(index, "birch")
    ['legal']
    """
    member = index.organizations["member"]
    return [o for o in _reaching(index, neighborhood_id) if bool(member.at[o])]


def bridges(index: GraphIndex, neighborhood_id: str) -> list[str]:
    """Rule 3: coalition members reaching a community that lives in the neighborhood.

    Examples
    --------
    >>> bridges(index, "dogwood")
    ['clinic']
    """
    living = set(living_communities(index, neighborhood_id))
    reach = index.community_reach
    ids = set(reach.loc[reach["community"].isin(living), "org"].tolist())
    member = index.organizations["member"]
    return sorted(o for o in ids if bool(member.at[o]))


def navigators(index: GraphIndex, neighborhood_id: str) -> list[str]:
    """Rule 4: cultural navigators who speak a language of the communities living there.

    Examples
    --------
    >>> navigators(index, "cedar"), navigators(index, "dogwood")
    (['nav1'], [])
    """
    wanted = set(community_languages(index, neighborhood_id))
    spoken = index.navigators["languages"]
    return sorted(n for n in index.navigators.index if _lower(spoken.at[n]) & wanted)


def nearby_committees(index: GraphIndex, neighborhood_id: str) -> list[str]:
    """Rule 5: active committees covering a neighborhood that borders this one.

    Examples
    --------
    >>> nearby_committees(index, "birch"), nearby_committees(index, "dogwood")
    (['wc-alder'], [])
    """
    return sorted(_nearby_committees(index, neighborhood_id))


def _nearby_committees(index: GraphIndex, neighborhood_id: str) -> dict[str, str]:
    """Committee id -> the id of the bordering neighborhood it covers (the first by name)."""
    ids = index.neighborhoods.index.tolist()
    here = ids.index(neighborhood_id)
    pairs = adjacency_pairs(index)
    bordering = sorted(
        {ids[j] for i, j in pairs.tolist() if i == here}, key=lambda n: (index.name(n), n)
    )
    by_name = committee_ids_by_name(index)
    found: dict[str, str] = {}
    frame = index.neighborhoods
    for other in bordering:
        if frame.at[other, "committee_status"] != "active":
            continue
        names: Any = frame.at[other, "committee_names"]
        for name in names or []:
            for committee_id in by_name.get(str(name), []):
                found.setdefault(committee_id, other)
    return found


def recruits(index: GraphIndex, neighborhood_id: str) -> list[str]:
    """Rule 6: organizations not in the coalition that reach the neighborhood or serve a
    community living there.

    Examples
    --------
    >>> recruits(index, "dogwood")  # every organization of the example city is a member
    []
    """
    outside = set(non_member_ids(index))
    if not outside:
        return []
    living = set(living_communities(index, neighborhood_id))
    reach = index.community_reach
    serving = set(reach.loc[reach["community"].isin(living), "org"].tolist())
    reaching = set(_reaching(index, neighborhood_id))
    return sorted(o for o in outside if o in serving or o in reaching)


# The rules in order: (role, the function selecting the ids, the kind of node it selects).
RULES: tuple[tuple[str, Callable[[GraphIndex, str], list[str]], str], ...] = (
    ("anchor", anchors, "organization"),
    ("member_reaching", members_reaching, "organization"),
    ("bridge", bridges, "organization"),
    ("navigator", navigators, "navigator"),
    ("nearby_committee", nearby_committees, "committee"),
    ("recruit", recruits, "organization"),
)


def selected(graph_or_index: nx.MultiDiGraph | GraphIndex, neighborhood_id: str) -> dict[str, str]:
    """Every node the rules select, with the first role that selected it (rule order).

    Examples
    --------
    >>> selected(index, "birch")
    {'legal': 'member_reaching', 'church': 'bridge', 'wc-alder': 'nearby_committee'}
    """
    index = as_index(graph_or_index)
    neighborhood_id = resolve_neighborhood(index, neighborhood_id)
    chosen: dict[str, str] = {}
    for role, rule, _ in RULES:
        for node_id in rule(index, neighborhood_id):
            chosen.setdefault(node_id, role)
    return chosen


# --- the kit ----------------------------------------------------------------------------------


def resolve_neighborhood(graph_or_index: nx.MultiDiGraph | GraphIndex, wanted: Any) -> str:
    """The id of a neighborhood given by id or by name (names compared without case).

    Raises
    ------
    AnalysisError
        When no neighborhood has that id or name (the message says how to list them).

    Examples
    --------
    >>> resolve_neighborhood(index, "CEDAR"), resolve_neighborhood(index, "cedar")
    ('cedar', 'cedar')
    """
    index = as_index(graph_or_index)
    frame = index.neighborhoods
    text = str(wanted).strip() if wanted is not None else ""
    if text in frame.index:
        return text
    by_name = [n for n, name in frame["name"].items() if str(name).strip().lower() == text.lower()]
    if len(by_name) >= 1:
        return str(sorted(str(n) for n in by_name)[0])
    by_id = [n for n in frame.index if str(n).lower() == text.lower()]
    if by_id:
        return str(by_id[0])
    raise AnalysisError(
        f"No neighborhood has the id or name {text!r}: give a neighborhood's id or name as "
        "the city's neighborhoods.csv has them (`coalition coverage --json` lists them)."
    )


_PROVENANCE = ("source", "source_date", "illustrative")


def _node_attrs(index: GraphIndex, node_id: str) -> dict[str, Any]:
    """A node's source, date and illustrative flag: from the city's tables when the index was
    read from them (no graph is built for three cells), else from the graph."""
    city = index._source.get("city")
    if city is not None and index._source.get("graph") is None:
        return _table_rows(index, city)["nodes"].get(node_id, {})
    nodes = index.graph.nodes
    return {k: nodes[node_id].get(k) for k in _PROVENANCE} if node_id in nodes else {}


def _edge_attrs(index: GraphIndex, source: str, target: str, tie_type: str) -> dict[str, Any]:
    """A tie's source, date and illustrative flag (the last row of a repeated tie, as the
    graph keeps it)."""
    city = index._source.get("city")
    if city is not None and index._source.get("graph") is None:
        return _table_rows(index, city)["ties"].get((source, target, tie_type), {})
    graph = index.graph
    if graph.has_edge(source, target, key=tie_type):
        data = graph.edges[source, target, tie_type]
        return {k: data.get(k) for k in _PROVENANCE}
    return {}


def _table_rows(index: GraphIndex, city: Any) -> dict[str, dict[Any, dict[str, Any]]]:
    """Provenance of the neighborhoods, communities and lives_in ties, read once per index."""

    def compute() -> dict[str, dict[Any, dict[str, Any]]]:
        nodes: dict[Any, dict[str, Any]] = {}
        for table, id_column in (
            ("neighborhoods", "neighborhood_id"),
            ("communities", "community_id"),
        ):
            frame = city.tables.get(table)
            if frame is None or id_column not in frame.columns:
                continue
            for row in frame.to_dict("records"):
                nodes[str(row[id_column])] = {k: row.get(k) for k in _PROVENANCE}
        ties: dict[Any, dict[str, Any]] = {}
        frame = city.tables.get("ties")
        if frame is not None and "tie_type" in frame.columns:
            lives = frame[frame["tie_type"] == "lives_in"]
            for row in lives.to_dict("records"):
                key = (str(row["source_id"]), str(row["target_id"]), "lives_in")
                ties[key] = {k: row.get(k) for k in _PROVENANCE}
        return {"nodes": nodes, "ties": ties}

    result: dict[str, dict[Any, dict[str, Any]]] = index.memo("starter_kit_provenance", compute)
    return result


def _text(value: Any) -> str:
    """A provenance cell as text ("" when missing)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _joined(values: list[Any]) -> str:
    seen: list[str] = []
    for value in values:
        text = _text(value)
        if text and text not in seen:
            seen.append(text)
    return "; ".join(seen)


def _pairs(pairs: list[tuple[Any, Any]]) -> list[list[str]]:
    """Distinct (source, date) pairs with a source, in order of first appearance."""
    found: list[list[str]] = []
    for source, when in pairs:
        pair = [_text(source), _text(when)]
        if pair[0] and pair not in found:
            found.append(pair)
    return found


def starter_kit(
    graph_or_index: nx.MultiDiGraph | GraphIndex,
    neighborhood_id: str,
) -> StarterKit:
    """The starter kit for a new welcoming committee in one neighborhood.

    Parameters
    ----------
    graph_or_index : networkx.MultiDiGraph or GraphIndex
        The coalition graph or its index (never modified).
    neighborhood_id : str
        The neighborhood's id, or its name (without case).

    Returns
    -------
    StarterKit
        Invitations selected by the rules of this module's docstring, languages, communities,
        gaps and the four areas' checklist.

    Raises
    ------
    AnalysisError
        If the neighborhood is unknown, or the graph holds no neighborhoods.

    Examples
    --------
    >>> kit = starter_kit(index, "Dogwood")
    >>> kit.neighborhood_id, kit.languages["language"].tolist(), kit.gaps["gap"].tolist()[:1]
    ('dogwood', ['Karen'], ['service'])
    """
    index = as_index(graph_or_index)
    nid = resolve_neighborhood(index, neighborhood_id)
    name = index.name(nid)
    flagged = illustrative_ids(index)
    living = living_communities(index, nid)
    languages_here = community_languages(index, nid)
    invite = _invite(index, nid, living, languages_here, flagged)
    communities = _communities(index, nid, living, flagged)
    languages = _languages(index, nid, living, languages_here, flagged)
    gaps = _gaps(index, nid, living, languages)
    row = index.neighborhoods.loc[nid]
    attrs = _node_attrs(index, nid)
    figures = {
        "population": row["population"],
        "population_moe": row["population_moe"],
        "foreign_born": row["foreign_born"],
        "foreign_born_moe": row["foreign_born_moe"],
        "limited_english": row["limited_english"],
        "limited_english_moe": row["limited_english_moe"],
        "source": _text(attrs.get("source")),
        "source_date": _text(attrs.get("source_date")),
        "committee_status": str(row["committee_status"]),
        "illustrative": bool(row["illustrative"]),
    }
    counts = _counts(index, nid, languages)
    checklist = _checklist(index, nid, invite, languages, communities, gaps, figures)
    logger.debug("starter kit for %s: %d invitations", nid, len(invite))
    return StarterKit(
        neighborhood_id=nid,
        neighborhood_name=name,
        invite=invite,
        languages=languages,
        communities=communities,
        gaps=gaps,
        checklist=checklist,
        figures=figures,
        counts=counts,
    )


def _invite(
    index: GraphIndex,
    nid: str,
    living: list[str],
    languages_here: dict[str, str],
    flagged: frozenset[str],
) -> pd.DataFrame:
    roles: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for role, rule, kind in RULES:
        for node_id in rule(index, nid):
            roles.setdefault(node_id, []).append(role)
            kinds[node_id] = kind
    based = set(_based(index, nid))
    reaching = set(_reaching(index, nid))
    reach = index.community_reach
    reach = reach[reach["community"].isin(living)]
    communities_of = {o: sorted(set(g)) for o, g in reach.groupby("org")["community"]}
    nearby = _nearby_committees(index, nid)
    orgs, navs = index.organizations, index.navigators
    rows = []
    for node_id, picked in roles.items():
        kind = kinds[node_id]
        row: dict[str, Any] = {
            "id": node_id,
            "name": index.name(node_id),
            "kind": kind,
            "role": picked[0],
            "roles": picked,
            "sector": "",
            "anchor_type": "",
            "based_here": False,
            "reaches": False,
            "communities": [],
            "languages": [],
            "services": [],
            "neighborhood": "",
            "member": True,
            "illustrative": node_id in flagged,
        }
        if kind == "organization":
            spoken = _lower(orgs.at[node_id, "languages"])
            row.update(
                sector=str(orgs.at[node_id, "sector"]),
                anchor_type=str(orgs.at[node_id, "anchor_type"]),
                based_here=node_id in based,
                reaches=node_id in reaching,
                communities=[index.name(c) for c in communities_of.get(node_id, [])],
                languages=[v for k, v in languages_here.items() if k in spoken],
                services=[str(s) for s in _items(orgs.at[node_id, "services"])],
                member=bool(orgs.at[node_id, "member"]),
            )
        elif kind == "navigator":
            spoken = _lower(navs.at[node_id, "languages"])
            row.update(
                languages=[v for k, v in languages_here.items() if k in spoken],
                based_here=str(navs.at[node_id, "neighborhood"] or "") == nid,
            )
        else:
            row["neighborhood"] = index.name(nearby[node_id])
        rows.append(row)
    frame = pd.DataFrame(rows, columns=INVITE_COLUMNS)
    if frame.empty:
        return frame
    order = {role: i for i, role in enumerate(ROLES)}
    frame["_order"] = frame["role"].map(order)
    frame["_outside"] = ~frame["member"].astype(bool)
    frame = frame.sort_values(["_order", "_outside", "name", "id"], kind="stable")
    return frame.drop(columns=["_order", "_outside"]).reset_index(drop=True)


def _communities(
    index: GraphIndex, nid: str, living: list[str], flagged: frozenset[str]
) -> pd.DataFrame:
    residence = index.residence
    here = residence[residence["neighborhood"] == nid]
    residents = here.groupby("community")["residents"].sum(min_count=1).to_dict()
    rows = []
    for community_id in living:
        community = index.communities.loc[community_id]
        attrs = _node_attrs(index, community_id)
        tie = _edge_attrs(index, community_id, nid, "lives_in")
        rows.append(
            {
                "community_id": community_id,
                "name": index.name(community_id),
                "community_kind": str(community["community_kind"] or ""),
                "languages": [str(v) for v in community["languages"]],
                "residents": residents.get(community_id, np.nan),
                "estimated_residents": community["estimated_residents"],
                "source": _joined([tie.get("source"), attrs.get("source")]),
                "source_date": _joined([tie.get("source_date"), attrs.get("source_date")]),
                "sources": _pairs(
                    [
                        (tie.get("source"), tie.get("source_date")),
                        (attrs.get("source"), attrs.get("source_date")),
                    ]
                ),
                "illustrative": community_id in flagged or is_illustrative(tie.get("illustrative")),
            }
        )
    frame = pd.DataFrame(rows, columns=COMMUNITY_COLUMNS)
    if frame.empty:
        return frame
    frame["_residents"] = frame["residents"].astype(float).fillna(-1.0)
    frame = frame.sort_values(["_residents", "name"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_residents").reset_index(drop=True)


def _languages(
    index: GraphIndex,
    nid: str,
    living: list[str],
    languages_here: dict[str, str],
    flagged: frozenset[str],
) -> pd.DataFrame:
    members = member_view(index)
    offered: set[str] = set()
    for org_id in members_reaching(index, nid):
        offered |= _lower(index.organizations.at[org_id, "languages"])
    based = index.neighborhood_navigators
    for navigator_id in based.loc[based["neighborhood"] == nid, "navigator"].tolist():
        offered |= _lower(index.navigators.at[navigator_id, "languages"])
    del members
    residence = index.residence
    here = residence[residence["neighborhood"] == nid]
    residents = here.groupby("community")["residents"].sum(min_count=1).to_dict()
    rows = []
    for key, language in languages_here.items():
        ids = [c for c in living if key in _lower(index.communities.at[c, "languages"])]
        known = [float(residents[c]) for c in ids if pd.notna(residents.get(c, np.nan))]
        sources, dates, illustrative = [], [], False
        for community_id in ids:
            tie = _edge_attrs(index, community_id, nid, "lives_in")
            attrs = _node_attrs(index, community_id)
            sources += [tie.get("source"), attrs.get("source")]
            dates += [tie.get("source_date"), attrs.get("source_date")]
            illustrative = (
                illustrative or community_id in flagged or is_illustrative(tie.get("illustrative"))
            )
        rows.append(
            {
                "language": language,
                "communities": [index.name(c) for c in ids],
                "community_ids": ids,
                "speakers": float(sum(known)) if known else np.nan,
                "offered": key in offered,
                "source": _joined(sources),
                "source_date": _joined(dates),
                "sources": _pairs(list(zip(sources, dates, strict=True))),
                "illustrative": illustrative,
            }
        )
    frame = pd.DataFrame(rows, columns=LANGUAGE_COLUMNS)
    if frame.empty:
        return frame
    frame["_speakers"] = frame["speakers"].astype(float).fillna(-1.0)
    frame = frame.sort_values(["_speakers", "language"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_speakers").reset_index(drop=True)


def _gaps(index: GraphIndex, nid: str, living: list[str], languages: pd.DataFrame) -> pd.DataFrame:
    members = member_view(index)
    rows: list[dict[str, Any]] = []
    speakers = dict(zip(languages["language"], languages["speakers"], strict=True))
    who = dict(zip(languages["language"], languages["communities"], strict=True))
    for place, language in language_gap_findings(members):
        if place == nid:
            rows.append(
                {
                    "gap": "language",
                    "language": language,
                    "speakers": speakers.get(language, np.nan),
                    "communities": who.get(language, []),
                }
            )
    if int(members.orgs_per_neighborhood.get(nid, 0)) == 1:
        rows.append({"gap": "one_organization"})
    if nid in uncovered_need_ids(members):
        rows.append({"gap": "uncovered_need"})
    services = service_gaps(members)
    services = services[services["community_id"].isin(living)]
    for community_id, community, domain, providers in zip(
        services["community_id"].tolist(),
        services["community"].tolist(),
        services["domain"].tolist(),
        services["providers"].tolist(),
        strict=True,
    ):
        rows.append(
            {
                "gap": "service",
                "community_id": community_id,
                "community": community,
                "domain": domain,
                "providers": int(providers),
            }
        )
    blank = {
        "language": "",
        "community_id": "",
        "community": "",
        "domain": "",
        "providers": 0,
        "speakers": np.nan,
        "communities": [],
    }
    return pd.DataFrame([{**blank, **row} for row in rows], columns=GAP_COLUMNS)


def _counts(index: GraphIndex, nid: str, languages: pd.DataFrame) -> privacy.CityCounts:
    """The city's counts with the kit's speakers per language (sums of lives_in cells)."""
    base = index_counts(index)
    values: dict[Hashable, Any] = {}
    lines = []
    for language, ids in zip(languages["language"], languages["community_ids"], strict=True):
        parts = tuple(key for c in ids if (key := ("lives_in", str(c), str(nid))) in base.values)
        if not parts:
            continue
        total = ("speakers", nid, str(language).lower())
        values[total] = sum(base.values[p] for p in parts)
        lines.append(Line(parts, total))
    return base.extended(values, lines)


def _checklist(
    index: GraphIndex,
    nid: str,
    invite: pd.DataFrame,
    languages: pd.DataFrame,
    communities: pd.DataFrame,
    gaps: pd.DataFrame,
    figures: dict[str, Any],
) -> pd.DataFrame:
    """The toolkit's four areas, each item with the facts of the neighborhood it needs."""

    def names(role: str) -> list[str]:
        return invite.loc[invite["role"] == role, "name"].tolist() if len(invite) else []

    kinds = communities["community_kind"].tolist() if len(communities) else []
    newcomers = [n for n, k in zip(communities["name"], kinds, strict=True) if k != "receiving"]
    receiving = [n for n, k in zip(communities["name"], kinds, strict=True) if k == "receiving"]
    unmet = languages.loc[~languages["offered"].astype(bool), "language"].tolist()
    items: list[tuple[str, str, dict[str, Any]]] = [
        (
            "positioning",
            "host",
            {"neighborhood": index.name(nid), "anchors": names("anchor")},
        ),
        (
            "positioning",
            "figures",
            {
                "neighborhood": index.name(nid),
                "foreign_born": figures["foreign_born"],
                "population": figures["population"],
                "source": figures["source"],
                "source_date": figures["source_date"],
            },
        ),
        ("positioning", "learn_from", {"committees": names("nearby_committee")}),
        (
            "messaging",
            "communities",
            {"newcomers": newcomers, "receiving": receiving},
        ),
        (
            "messaging",
            "languages",
            {"languages": languages["language"].tolist(), "unmet": unmet},
        ),
        (
            "strategies",
            "gaps",
            {"gaps": len(gaps), "kinds": sorted(set(gaps["gap"].tolist()))},
        ),
        ("strategies", "navigators", {"navigators": names("navigator")}),
        ("strategies", "recruit", {"organizations": names("recruit")}),
        (
            "communications",
            "channels",
            {
                "organizations": names("anchor") + names("member_reaching"),
                "bridges": names("bridge"),
            },
        ),
        (
            "communications",
            "translate",
            {"languages": languages["language"].tolist()},
        ),
    ]
    return pd.DataFrame(
        [{"area": a, "item": i, "facts": f} for a, i, f in items], columns=CHECKLIST_COLUMNS
    )
