"""Where the coalition has gaps: six families of findings, each explained in plain words.

See docs/analysis.md for the exact rule behind every family.

Small counts (issue 9): :func:`find_gaps` takes a ``disclosure``
(:class:`coalition.privacy.Disclosure`, default :meth:`~coalition.privacy.Disclosure.public`).
The families' numeric columns (``residents``, ``speakers``, ``foreign_born``, ``severity``) stay
exact numbers for code that ranks or counts (the ranking reads the family functions directly,
which are exact building blocks and never shown); every ``explanation`` in a report is composed
from protected counts, and :attr:`GapReport.hidden` marks every hidden cell (keyed by family, the
row's id columns :data:`ROW_IDS` and the column). Views take numbers through
:meth:`GapReport.shown` or :meth:`GapReport.to_dict` (which writes a hidden number's text).

Protected together: the city's resident counts and lines
(:func:`coalition.analysis.coverage.index_counts`), plus the speakers of each language gap (the
sum of its communities' lives_in residents in that neighborhood) and the foreign-born median the
uncovered-need sentences quote (the middle neighborhood's figure, or the sum of the two middle
ones).
"""

from __future__ import annotations

import logging
from bisect import insort
from dataclasses import dataclass, field
from itertools import chain, compress
from typing import Any, cast

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from .. import privacy
from ..i18n import N_, Translated, _, ngettext
from ..i18n import language as language_in_use
from ..privacy import Disclosure, Line
from ..schema import SERVICES
from ..values import whole
from .coverage import count_words, frame_records, index_counts
from .graph_index import (
    IMMIGRANT_SIDE,
    RECEIVING_SIDE,
    GraphIndex,
    as_index,
    figure,
    join_names,
)
from .membership import member_view, non_member_ids
from .metrics import (
    PartnershipNetwork,
    brokerage,
    cut_vertices,
    org_community_matrix,
    partnership_network,
    partnership_positions,
)
from .provenance import illustrative_ids
from .provenance import label as labelled_rows

logger = logging.getLogger(__name__)

# Receiving (long-time resident) communities do not need these domains from an
# immigrant-welcoming coalition: English classes, citizenship, immigration law.
IMMIGRANT_ONLY_DOMAINS = ("english", "citizenship", "legal")
# English is offered by every organization in practice, so it is never reported as a gap.
COMMON_LANGUAGE = "english"

# How each service domain reads in a sentence ("offers ... to <community>"), read in the
# language in use.
DOMAIN_PHRASES = Translated(
    {
        "legal": N_("legal and immigration help"),
        "english": N_("English and language classes"),
        "employment": N_("employment help"),
        "health": N_("health services"),
        "housing": N_("housing help"),
        "education": N_("education programs"),
        "citizenship": N_("citizenship and civic help"),
        "youth": N_("youth programs"),
    }
)

GAP_FAMILIES = (
    "service_gaps",
    "language_gaps",
    "fragile_links",
    "bridging",
    "isolated",
    "uncovered_need",
    "could_invite",
)
# Every family also has these columns: does the finding rest on illustrative rows, and which.
LABEL_COLUMNS = ["illustrative", "illustrative_rows"]
# A broker has at least this many non-redundant partners (Burt's effective size).
BROKER_MIN_EFFECTIVE_SIZE = 2.0


@dataclass
class GapReport:
    """The coalition's gaps, one DataFrame per family (each with an ``explanation`` column)."""

    service_gaps: pd.DataFrame
    language_gaps: pd.DataFrame
    fragile_links: pd.DataFrame
    bridging: pd.DataFrame
    isolated: pd.DataFrame
    uncovered_need: pd.DataFrame
    could_invite: pd.DataFrame = None  # type: ignore[assignment]
    disclosure: Disclosure = field(default_factory=Disclosure.public)
    # (family, row id tuple (ROW_IDS), column) -> marker of a hidden number; empty when exact.
    hidden: dict[tuple[str, tuple[str, ...], str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.could_invite is None:
            self.could_invite = _frame([], INVITE_COLUMNS)

    def shown(self, family: str, row: Any, column: str) -> Any:
        """The value of ``row[column]`` a view may show: a hidden cell's marker, else the value.

        Examples
        --------
        >>> report.shown("language_gaps", row, "speakers")  # doctest: +SKIP
        SmallCount(threshold=11)
        """
        key = (family, tuple(str(row[c]) for c in ROW_IDS.get(family, ())), column)
        return self.hidden.get(key, row[column])

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """JSON-serialisable form: one list of records per family (hidden numbers as text)."""
        result = {}
        for family in GAP_FAMILIES:
            records = frame_records(getattr(self, family))
            if self.hidden and family in ROW_IDS:
                records = [
                    {
                        column: str(marker)
                        if (marker := self.hidden.get((family, _row_id(family, row), column)))
                        is not None
                        else value
                        for column, value in row.items()
                    }
                    for row in records
                ]
            result[family] = records
        return result


# The columns that identify a row of each family whose numbers can be hidden.
ROW_IDS = {
    "service_gaps": ("community_id",),
    "language_gaps": ("neighborhood_id", "language"),
    "uncovered_need": ("neighborhood_id",),
}


def _row_id(family: str, row: Any) -> tuple[str, ...]:
    return tuple(str(row[c]) for c in ROW_IDS[family])


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*columns, *LABEL_COLUMNS])


def _reach_ids(index: GraphIndex) -> dict[str, list[str]]:
    """Ids of the members (organizations, then navigators) reaching each neighborhood."""

    def compute() -> dict[str, list[str]]:
        ids: dict[str, list[str]] = {}
        for frame, column in (
            (index.neighborhood_org_reach, "org"),
            (index.neighborhood_navigators, "navigator"),
        ):
            for node_id, neighborhood_id in zip(
                frame[column].tolist(), frame["neighborhood"].tolist(), strict=False
            ):
                ids.setdefault(neighborhood_id, []).append(node_id)
        return ids

    return index.memo("reach_ids", compute)


def _reach_labels(index: GraphIndex) -> dict[str, tuple[list[str], set[str]]]:
    """Per neighborhood, the illustrative ids (as text) among the members reaching it: sorted,
    and as a set (computed once; several findings of one neighborhood share them)."""

    def compute() -> dict[str, tuple[list[str], set[str]]]:
        flagged = illustrative_ids(index)
        found = {}
        for neighborhood_id, ids in _reach_ids(index).items():
            text = {str(i) for i in ids if i in flagged}
            found[neighborhood_id] = (sorted(text), text)
        return found

    return index.memo("reach_labels", compute)


def _labels_reaching(index: GraphIndex, neighborhood_id: str, ids: list[Any]) -> dict[str, Any]:
    """:func:`_labels` of ``[*ids, *members reaching neighborhood_id]``, the members' part
    looked up once per neighborhood rather than once per finding."""
    flagged = illustrative_ids(index)
    if not flagged:
        return {"illustrative": False, "illustrative_rows": []}
    base, base_set = _reach_labels(index).get(neighborhood_id, ([], set()))
    extra = [t for t in {str(i) for i in ids if i in flagged} if t not in base_set]
    rows = sorted(base + extra) if extra else list(base)
    return {"illustrative": bool(rows), "illustrative_rows": rows}


def _labels(index: GraphIndex, ids: list[Any]) -> dict[str, Any]:
    """The illustrative label of a finding (cheap when no row is illustrative)."""
    if not illustrative_ids(index):
        return {"illustrative": False, "illustrative_rows": []}
    return labelled_rows(index, ids)


def _lower_set(values: list[str]) -> set[str]:
    return {str(v).strip().lower() for v in values if str(v).strip()}


# --- service gaps -------------------------------------------------------------------------------

SERVICE_COLUMNS = [
    "community_id",
    "community",
    "community_kind",
    "domain",
    "domain_label",
    "providers",
    "provider_names",
    "neighborhoods",
    "residents",
    "severity",
    "explanation",
]


def _service_sentence(provider: str | None, phrase: str, community: str, places: str) -> str:
    """One service gap's sentence: its only provider (or none), the help, who and where.

    Examples
    --------
    >>> _service_sentence(None, "housing help", "Karen", "Dogwood")
    'No organization in the coalition offers housing help to Karen, who live in Dogwood.'
    >>> print(_service_sentence("Alder Library", "youth programs", "Karen", ""))
    ... # doctest: +NORMALIZE_WHITESPACE
    Only Alder Library offers youth programs to Karen (no neighborhood recorded for them): if
    it stopped, no one in the coalition would.
    """
    values = {"provider": provider, "help": phrase, "community": community, "places": places}
    if provider is not None and places:
        template = _(
            "Only {provider} offers {help} to {community}, who live in {places}: if it "
            "stopped, no one in the coalition would."
        )
    elif provider is not None:
        template = _(
            "Only {provider} offers {help} to {community} (no neighborhood recorded for "
            "them): if it stopped, no one in the coalition would."
        )
    elif places:
        template = _(
            "No organization in the coalition offers {help} to {community}, who live in {places}."
        )
    else:
        template = _(
            "No organization in the coalition offers {help} to {community} (no neighborhood "
            "recorded for them)."
        )
    return template.format(**values)


def service_gaps(index: GraphIndex) -> pd.DataFrame:
    """Community x service domain with no provider (severity 2) or only one (severity 1)."""
    orgs = index.organizations
    reach = index.community_reach
    residence = index.residence
    services_by_org = orgs["services"].to_dict()
    providers: dict[tuple[str, str], list[str]] = {}
    for org_id, community_id in zip(reach["org"], reach["community"], strict=False):
        for service in services_by_org.get(org_id, []):
            providers.setdefault((community_id, service), []).append(org_id)
    places = residence.groupby("community")["neighborhood"].agg(list).to_dict()
    rows = []
    for row_label, community in index.communities.iterrows():
        community_id = cast(str, row_label)  # index labels are node ids
        immigrant = community["community_kind"] != "receiving"
        place_ids = places.get(community_id, [])
        where = [index.name(n) for n in place_ids]
        places_words = join_names(where) if where else ""
        estimate = community["estimated_residents"]
        for domain, label in SERVICES.items():
            if not immigrant and domain in IMMIGRANT_ONLY_DOMAINS:
                continue
            phrase = DOMAIN_PHRASES.get(domain, label)
            provider_ids = sorted(set(providers.get((community_id, domain), [])))
            if len(provider_ids) > 1:
                continue
            names = [index.name(o) for o in provider_ids]
            explanation = _service_sentence(
                names[0] if names else None, phrase, community["name"], places_words
            )
            rows.append(
                {
                    "community_id": community_id,
                    "community": community["name"],
                    "community_kind": community["community_kind"],
                    "domain": domain,
                    "domain_label": _(label),  # schema.SERVICES words (marked there)
                    "providers": len(provider_ids),
                    "provider_names": names,
                    "neighborhoods": where,
                    "residents": whole(estimate),
                    "severity": 2 - len(provider_ids),
                    "explanation": explanation,
                    **_labels(index, [community_id, *provider_ids, *place_ids]),
                }
            )
    frame = _frame(rows, SERVICE_COLUMNS)
    return frame.sort_values(
        ["severity", "residents", "community", "domain"],
        ascending=[False, False, True, True],
        na_position="last",
    ).reset_index(drop=True)


# --- language gaps ------------------------------------------------------------------------------

LANGUAGE_COLUMNS = [
    "neighborhood_id",
    "neighborhood",
    "language",
    "communities",
    "speakers",
    "offered_languages",
    "reached_by",
    "severity",
    "explanation",
]


def language_gaps(index: GraphIndex) -> pd.DataFrame:
    """Per neighborhood, languages of resident communities that nobody reaching it offers."""
    # The sentences are in the language in use: memoised per language.
    return index.memo(f"language_gaps:{language_in_use()}", lambda: _language_gaps(index)).copy()


def _language_needs(
    index: GraphIndex,
) -> tuple[dict[str, set[str]], dict[tuple[str, str], dict[str, Any]]]:
    """The languages offered in each neighborhood, and the needs nobody there meets.

    Returns ``offered`` (neighborhood id -> lower-case languages of the members reaching it)
    and ``needs`` ((neighborhood id, lower-case language) -> its language as first written,
    communities and their ids, speakers, and whether a resident count is unknown), computed
    once per index and shared (read only) by :func:`language_gaps` and
    :func:`language_gap_findings`.
    """
    return index.memo("language_needs", lambda: _compute_language_needs(index))


def _compute_language_needs(
    index: GraphIndex,
) -> tuple[dict[str, set[str]], dict[tuple[str, str], dict[str, Any]]]:
    # Languages are lowered per reach row into temporary sets: keeping one lowered set per
    # organization alive (100,000 of them) triggers full garbage collections over the whole
    # graph, which cost more than lowering again.
    org_languages = dict(
        zip(
            index.organizations.index.tolist(),
            index.organizations["languages"].tolist(),
            strict=False,
        )
    )
    navigator_languages = dict(
        zip(index.navigators.index.tolist(), index.navigators["languages"].tolist(), strict=False)
    )
    offered: dict[str, set[str]] = {}
    for org_id, neighborhood_id in zip(
        index.neighborhood_org_reach["org"].tolist(),
        index.neighborhood_org_reach["neighborhood"].tolist(),
        strict=False,
    ):
        offered.setdefault(neighborhood_id, set()).update(_lower_set(org_languages[org_id]))
    for navigator_id, neighborhood_id in zip(
        index.neighborhood_navigators["navigator"].tolist(),
        index.neighborhood_navigators["neighborhood"].tolist(),
        strict=False,
    ):
        offered.setdefault(neighborhood_id, set()).update(
            _lower_set(navigator_languages[navigator_id])
        )

    needs: dict[tuple[str, str], dict[str, Any]] = {}
    community_languages = index.communities["languages"].to_dict()
    residence = index.residence
    nothing: set[str] = set()
    for community_id, neighborhood_id, residents in zip(
        residence["community"].tolist(),
        residence["neighborhood"].tolist(),
        residence["residents"].tolist(),
        strict=False,
    ):
        here = offered.get(neighborhood_id, nothing)
        for language in community_languages.get(community_id, []):
            key = str(language).strip()
            if not key or key.lower() == COMMON_LANGUAGE:
                continue
            if key.lower() in here:
                continue
            entry = needs.setdefault(
                (neighborhood_id, key.lower()),
                {"language": key, "communities": [], "speakers": 0.0, "unknown": False},
            )
            entry["communities"].append(index.name(community_id))
            entry.setdefault("community_ids", []).append(community_id)
            if pd.isna(residents):
                entry["unknown"] = True
            else:
                entry["speakers"] += float(residents)
    return offered, needs


def _need_speakers(entry: dict[str, Any]) -> float | None:
    """Speakers of a language need (None when only unknown counts were recorded)."""
    return None if entry["unknown"] and not entry["speakers"] else entry["speakers"]


def language_gap_findings(index: GraphIndex) -> list[tuple[str, str]]:
    """(neighborhood id, language) of every language gap, in :func:`language_gaps` order.

    The same findings as :func:`language_gaps` without writing their sentences (what the
    ranking's gap counts need). Order within each neighborhood is exactly the frame's
    (most speakers first, then language); across neighborhoods, by speakers then name.

    Examples
    --------
    >>> language_gap_findings(index)  # doctest: +SKIP
    [('dogwood', 'Karen')]
    """
    _offered, needs = _language_needs(index)
    keyed = [
        (
            -float(_need_speakers(entry) or 0.0),
            index.name(neighborhood_id),
            entry["language"],
            neighborhood_id,
        )
        for (neighborhood_id, _key), entry in needs.items()
    ]
    keyed.sort(key=lambda k: k[:3])
    return [(k[3], k[2]) for k in keyed]


def _speaker_words(speakers: Any) -> str:
    """ " (120 residents)", " (fewer than 11 residents)", or "" when unknown or none.

    Examples
    --------
    >>> _speaker_words(1234.0), _speaker_words(None)
    (' (1,234 residents)', '')
    """
    if isinstance(speakers, privacy.SmallCount):
        return " " + _("({count} residents)").format(count=speakers)
    if isinstance(speakers, privacy.Withheld):
        return " " + _("(number of residents {count})").format(count=speakers)
    if not speakers:
        return ""
    return " " + ngettext("({count} resident)", "({count} residents)", int(round(speakers))).format(
        count=figure(speakers)
    )


def _language_gaps(index: GraphIndex, shown: dict[Any, Any] | None = None) -> pd.DataFrame:
    offered, needs = _language_needs(index)
    reached_by = index.member_names
    rows = []
    for (neighborhood_id, _key), entry in needs.items():
        name = index.name(neighborhood_id)
        who = reached_by.get(neighborhood_id, [])
        speakers = None if entry["unknown"] and not entry["speakers"] else entry["speakers"]
        marker = (shown or {}).get(("speakers", neighborhood_id, str(entry["language"]).lower()))
        resident_words = _speaker_words(marker if privacy.is_hidden(marker) else speakers)
        values = {
            "neighborhood": name,
            "communities": join_names(entry["communities"]),
            "residents": resident_words,
            "language": entry["language"],
            "members": join_names(sorted(who)),
        }
        template = (
            _(
                "In {neighborhood}, {communities}{residents} speak {language}, but none of the "
                "coalition members reaching {neighborhood} ({members}) offers {language}."
            )
            if who
            else _(
                "In {neighborhood}, {communities}{residents} speak {language}, but no "
                "coalition member reaches {neighborhood} at all."
            )
        )
        rows.append(
            {
                "neighborhood_id": neighborhood_id,
                "neighborhood": name,
                "language": entry["language"],
                "communities": entry["communities"],
                "speakers": whole(speakers),
                "offered_languages": sorted(offered.get(neighborhood_id, set())),
                "reached_by": sorted(who),
                "severity": float(speakers or 0.0),
                "explanation": template.format(**values),
                **_labels_reaching(
                    index, neighborhood_id, [neighborhood_id, *entry["community_ids"]]
                ),
            }
        )
    frame = _frame(rows, LANGUAGE_COLUMNS)
    return frame.sort_values(
        ["severity", "neighborhood", "language"], ascending=[False, True, True]
    ).reset_index(drop=True)


# --- fragile links ------------------------------------------------------------------------------

FRAGILE_COLUMNS = [
    "type",
    "id",
    "name",
    "through",
    "orgs_cut_off",
    "org_names_cut_off",
    "communities_cut_off",
    "communities_losing_link",
    "equal_sides",
    "severity",
    "explanation",
]
NUMBER_WORDS = Translated({2: N_("two"), 3: N_("three"), 4: N_("four")})


def _side_words(names: list[str]) -> str:
    if len(names) <= 5:
        return join_names(names)
    return _("{names} ({count} organizations)").format(
        names=join_names(names), count=figure(len(names))
    )


def _alone_sentence(kind: str, place: str, org: str) -> str:
    """A community or neighborhood that one organization alone reaches, in a sentence.

    Examples
    --------
    >>> print(_alone_sentence("neighborhood", "Dogwood", "Alder Library"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Dogwood is reached by one organization only, Alder Library: if it left, no coalition
    organization would be present in Dogwood.
    """
    if kind == "community":
        template = _(
            "{place} are tied to the coalition through {org} only: if {org} left, no "
            "organization would reach them."
        )
    else:
        template = _(
            "{place} is reached by one organization only, {org}: if it left, no coalition "
            "organization would be present in {place}."
        )
    return template.format(place=place, org=org)


def fragile_links(index: GraphIndex, network=None, matrix=None) -> pd.DataFrame:
    """Single-organization communities and neighborhoods, and articulation points.

    ``index`` is read as given: :func:`gaps_from_index` passes the member view, so only
    coalition members count. For an articulation point, ``communities_cut_off`` lists the
    communities it alone reaches (they would lose their only organization: the severity counts
    these and the organizations cut off), ``communities_losing_link`` those still reached, but
    only by organizations it cuts off from the rest of the network, and ``equal_sides`` the
    names on each side when its departure leaves two or more parts of the same largest size.
    """
    rows = []
    # A community or a neighborhood that one organization alone reaches.
    alone = [("community", index.community_reach), ("neighborhood", index.neighborhood_org_reach)]
    for kind, reach in alone:
        # Places reached by exactly one distinct organization, in place-id order.
        distinct = reach[[kind, "org"]].drop_duplicates()
        per_place = distinct[kind].value_counts()
        single = distinct[distinct[kind].isin(per_place.index[per_place == 1])].sort_values(
            kind, kind="stable"
        )
        for place_id, org_id in zip(single[kind].tolist(), single["org"].tolist(), strict=True):
            org_ids = [org_id]
            place, org = index.name(place_id), index.name(org_id)
            rows.append(
                {
                    "type": kind,
                    "id": place_id,
                    "name": place,
                    "through": org,
                    "orgs_cut_off": 0,
                    "org_names_cut_off": [],
                    "communities_cut_off": [place] if kind == "community" else [],
                    "communities_losing_link": [],
                    "equal_sides": [],
                    "severity": 1,
                    "explanation": _alone_sentence(kind, place, org),
                    **_labels(index, [place_id, org_ids[0]]),
                }
            )

    network = network if network is not None else partnership_network(index)
    if matrix is None:
        matrix, community_ids = org_community_matrix(index, network.org_ids)
    else:
        matrix, community_ids = matrix
    provider_counts = np.asarray(matrix.sum(axis=0)).ravel()
    matrix_csr = matrix.tocsr()
    org_ids = network.org_ids

    def reached_only_within(vertices: np.ndarray, own: np.ndarray) -> np.ndarray:
        """Columns of communities whose providers, apart from the departing one, are all
        among ``vertices`` (and at least one is)."""
        reached = matrix_csr[vertices].tocoo()
        if not reached.nnz:
            return np.zeros(0, dtype=np.int64)
        counts = np.bincount(reached.col, minlength=len(community_ids))
        return np.flatnonzero((counts > 0) & (counts + own == provider_counts))

    for cut in cut_vertices(network):
        own = np.zeros(len(community_ids), dtype=np.int64)
        own_cols = matrix_csr[cut.position].indices
        own[own_cols] = 1
        only_cols = own_cols[provider_counts[own_cols] == 1]
        lost_only = sorted(index.name(c) for c in community_ids[only_cols])
        sides = cut.equal_parts
        if sides:
            top = len(sides[0])
            groups = [*sides, *(p for p in cut.parts if len(p) != top)]
            link_cols = np.unique(
                np.concatenate(
                    [reached_only_within(g, own) for g in groups] or [np.zeros(0, dtype=np.int64)]
                )
            )
        else:
            link_cols = (
                reached_only_within(cut.cut_off, own)
                if len(cut.cut_off)
                else np.zeros(0, dtype=np.int64)
            )
        lost_link = sorted(index.name(c) for c in community_ids[link_cols])
        org_id = org_ids[cut.position]
        org_name = index.name(org_id)
        cut_names = sorted(index.name(o) for o in org_ids[cut.cut_off])
        side_names = [sorted(index.name(o) for o in org_ids[p]) for p in sides]
        if sides:
            count = len(side_names)
            others = [
                n
                for p in cut.parts
                if len(p) != len(sides[0])
                for n in (index.name(o) for o in org_ids[p])
            ]
            parts_words = NUMBER_WORDS.get(count, figure(count))
            if count == 2:
                head = _(
                    "{org} holds the coalition together: if it left, the partnership network "
                    "would split into {parts} parts of equal size: {first} on one side and "
                    "{second} on the other"
                ).format(
                    org=org_name,
                    parts=parts_words,
                    first=_side_words(side_names[0]),
                    second=_side_words(side_names[1]),
                )
            else:
                head = _(
                    "{org} holds the coalition together: if it left, the partnership network "
                    "would split into {parts} parts of equal size: {sides}"
                ).format(
                    org=org_name,
                    parts=parts_words,
                    sides="; ".join(f"({_side_words(n)})" for n in side_names),
                )
            if others:
                head += ngettext(
                    ", and {count} organization ({names}) would be cut off from both",
                    ", and {count} organizations ({names}) would be cut off from both",
                    len(others),
                ).format(count=figure(len(others)), names=join_names(sorted(others)))
            link_words = (
                "; "
                + _("{communities} would be reached from one side only").format(
                    communities=join_names(lost_link)
                )
                if lost_link
                else ""
            )
        else:
            head = ngettext(
                "{org} holds part of the coalition together: if it left, {count} organization "
                "({names}) would be cut off from the rest of the partnership network",
                "{org} holds part of the coalition together: if it left, {count} organizations "
                "({names}) would be cut off from the rest of the partnership network",
                len(cut_names),
            ).format(org=org_name, count=figure(len(cut_names)), names=join_names(cut_names))
            link_words = (
                "; "
                + _(
                    "{communities} would lose their link to the rest of the network (only "
                    "organizations cut off would still reach them)"
                ).format(communities=join_names(lost_link))
                if lost_link
                else ""
            )
        only_words = (
            "; "
            + _("{communities} would lose their only organization").format(
                communities=join_names(lost_only)
            )
            if lost_only
            else ""
        )
        rest_ids = [o for p in cut.parts for o in org_ids[p].tolist()] + [
            o for p in sides for o in org_ids[p].tolist()
        ]
        rows.append(
            {
                "type": "articulation_point",
                "id": org_id,
                "name": org_name,
                "through": org_name,
                "orgs_cut_off": len(cut_names),
                "org_names_cut_off": cut_names,
                "communities_cut_off": lost_only,
                "communities_losing_link": lost_link,
                "equal_sides": side_names,
                "severity": len(cut_names) + len(lost_only),
                "explanation": f"{head}{link_words}{only_words}.",
                **_labels(
                    index,
                    [
                        org_id,
                        *rest_ids,
                        *community_ids[only_cols].tolist(),
                        *community_ids[link_cols].tolist(),
                    ],
                ),
            }
        )
    frame = _frame(rows, FRAGILE_COLUMNS)
    type_order = {"articulation_point": 0, "community": 1, "neighborhood": 2}
    frame = frame.assign(_order=frame["type"].map(type_order))
    return (
        frame.sort_values(["severity", "_order", "name"], ascending=[False, True, True])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


# --- bridging -----------------------------------------------------------------------------------

SHOWN_TIES = 5
BRIDGING_COLUMNS = [
    "kind",
    "id",
    "name",
    "bridging_ties",
    "ties",
    "partners",
    "effective_size",
    "constraint",
    "severity",
    "explanation",
]


def _located(index: GraphIndex) -> pd.DataFrame:
    located = index.tie_frame("located_in")[["source", "target"]].rename(
        columns={"source": "org", "target": "neighborhood"}
    )
    return located[
        located["org"].isin(index.organizations.index)
        & located["neighborhood"].isin(index.neighborhoods.index)
    ].drop_duplicates()


def bridging_pairs(graph_or_index: nx.MultiDiGraph | GraphIndex) -> pd.DataFrame:
    """Partnerships that link an immigrant-serving and a receiving-community organization.

    An organization oriented to "both" counts on either side. Columns ``a`` and ``b`` hold the
    two organizations' ids (each partnership once).

    Examples
    --------
    >>> bridging_pairs(G).values.tolist()  # doctest: +SKIP
    [['legal', 'lib'], ['assoc', 'lib'], ['church', 'lib']]
    """
    index = as_index(graph_or_index)
    orientation = index.organizations["orientation"].to_numpy()
    pairs = index.partnerships
    ends = partnership_positions(index)  # each end's row in index.organizations
    a_side = orientation[ends[:, 0]]
    b_side = orientation[ends[:, 1]]
    a_imm = np.isin(a_side, list(IMMIGRANT_SIDE))
    a_rec = np.isin(a_side, list(RECEIVING_SIDE))
    b_imm = np.isin(b_side, list(IMMIGRANT_SIDE))
    b_rec = np.isin(b_side, list(RECEIVING_SIDE))
    return pairs[(a_imm & b_rec) | (a_rec & b_imm)]


def first_tied_pairs(network: PartnershipNetwork) -> dict[int, tuple[int, int]]:
    """For every organization whose partners include two tied to each other, the first such
    pair: the lowest partner vertex with a tie to another partner, and its lowest such partner.

    Read off igraph's triangle list (each triangle gives each of its corners one candidate
    pair, in both orders), so hubs with thousands of partners cost nothing extra.

    Examples
    --------
    >>> import igraph as ig
    >>> graph = ig.Graph(n=4, edges=[(0, 1), (0, 2), (0, 3), (1, 3)])
    >>> first_tied_pairs(PartnershipNetwork(graph, np.array(list("abcd"), dtype=object)))
    {0: (1, 3), 1: (0, 3), 3: (0, 1)}
    """
    triangles = np.asarray(network.graph.list_triangles(), dtype=np.int64).reshape(-1, 3)
    if not len(triangles):
        return {}
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    corner = np.concatenate([a, a, b, b, c, c])
    first = np.concatenate([b, c, a, c, a, b])
    second = np.concatenate([c, b, c, a, b, a])
    order = np.lexsort((second, first, corner))
    corner, first, second = corner[order], first[order], second[order]
    head = np.flatnonzero(np.r_[True, corner[1:] != corner[:-1]])
    return dict(
        zip(
            corner[head].tolist(),
            zip(first[head].tolist(), second[head].tolist(), strict=True),
            strict=True,
        )
    )


def _broker_labels(
    vertex: int,
    partner_vertices: list[int],
    org_list: list[str],
    flagged_vertex: list[bool],
    partner_ids: list[str],
    all_flagged: bool = False,
) -> dict[str, Any]:
    """:func:`_labels` of a broker and its partners, when vertices follow sorted text ids.

    The partners' vertices are sorted and distinct, so their flagged ids come out sorted;
    the broker's own id (never its own partner) is put in its place.

    Examples
    --------
    >>> labels = _broker_labels(1, [0, 2], ["a", "b", "c"], [True, True, False], ["a", "c"])
    >>> labels["illustrative_rows"]
    ['a', 'b']
    """
    if all_flagged:
        rows = list(partner_ids)
    else:
        rows = list(
            map(
                org_list.__getitem__,
                compress(partner_vertices, map(flagged_vertex.__getitem__, partner_vertices)),
            )
        )
    if flagged_vertex[vertex]:
        insort(rows, org_list[vertex])
    return {"illustrative": bool(rows), "illustrative_rows": rows}


def _names_and_more(shown: list[str], total: int) -> str:
    """``shown`` names joined, then "and N more" for the ``total - len(shown)`` not shown.

    Examples
    --------
    >>> _names_and_more(["A", "B"], 2), _names_and_more(["A", "B"], 5)
    ('A and B', 'A, B and 3 more')
    """
    if total <= len(shown):
        return join_names(shown)
    return _("{names} and {count} more").format(
        names=", ".join(shown), count=figure(total - len(shown))
    )


def bridging(
    index: GraphIndex, network=None, broker_table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Bridging ties per neighborhood, and the brokers of the partnership network.

    A broker is an organization with an effective size of at least
    :data:`BROKER_MIN_EFFECTIVE_SIZE` (two or more partners who are not redundant with each
    other); brokers are listed by effective size, then Burt's constraint (lower first).
    """
    orgs = index.organizations
    bridges = bridging_pairs(index)
    located = _located(index)
    by_end = pd.concat(
        [
            bridges.merge(located, left_on="a", right_on="org"),
            bridges.merge(located, left_on="b", right_on="org"),
        ]
    )[["neighborhood", "a", "b"]].drop_duplicates()
    ties_here: dict[str, list[tuple[str, str]]] = {}
    for neighborhood_id, a, b in zip(
        by_end["neighborhood"].tolist(), by_end["a"].tolist(), by_end["b"].tolist(), strict=False
    ):
        ties_here.setdefault(neighborhood_id, []).append((a, b))
    orgs_here: dict[str, list[str]] = {}
    for org_id, neighborhood_id in zip(
        located["org"].tolist(), located["neighborhood"].tolist(), strict=False
    ):
        orgs_here.setdefault(neighborhood_id, []).append(org_id)

    rows = []
    for neighborhood_id in index.neighborhoods.index.tolist():
        present = orgs_here.get(neighborhood_id)
        if not present:
            continue
        place = index.name(neighborhood_id)
        here = ties_here.get(neighborhood_id, [])
        # Name up to SHOWN_TIES examples: a hub neighborhood can hold hundreds of bridging ties.
        shown_ties = here if len(here) <= SHOWN_TIES + 1 else here[:SHOWN_TIES]
        tie_names = sorted(f"{index.name(a)} – {index.name(b)}" for a, b in shown_ties)
        if here:
            shown = _names_and_more(tie_names, len(here))
            explanation = ngettext(
                "In {place}, {count} partnership links immigrant-serving and "
                "receiving-community organizations: {ties}.",
                "In {place}, {count} partnerships link immigrant-serving and "
                "receiving-community organizations: {ties}.",
                len(here),
            ).format(place=place, count=figure(len(here)), ties=shown)
        else:
            explanation = _(
                "In {place}, no partnership links an immigrant-serving organization with a "
                "receiving-community one (organizations there: {names})."
            ).format(place=place, names=join_names(sorted(index.name(o) for o in present)))
        rows.append(
            {
                "kind": "neighborhood",
                "id": neighborhood_id,
                "name": place,
                "bridging_ties": len(here),
                "ties": tie_names,
                "partners": None,
                "effective_size": None,
                "constraint": None,
                "severity": 0 if here else 1,
                "explanation": explanation,
                **_labels(index, [neighborhood_id, *present, *chain.from_iterable(here)]),
            }
        )
    # Neighborhoods with no bridging tie first, the busiest of them first.
    present_count = {n: len(o) for n, o in orgs_here.items()}
    rows.sort(key=lambda r: (-r["severity"], -present_count[r["id"]], r["name"]))

    network = network if network is not None else partnership_network(index)
    table = broker_table if broker_table is not None else brokerage(network)
    brokers = table[
        (table["degree"] >= 2) & (table["effective_size"] >= BROKER_MIN_EFFECTIVE_SIZE - 1e-9)
    ]
    if len(brokers):
        position = {org_id: i for i, org_id in enumerate(network.org_ids.tolist())}
        org_list = network.org_ids.tolist()
        sectors = dict(zip(orgs.index.tolist(), orgs["sector"].tolist(), strict=False))
        # Partners on each side, counted for every organization at once (sparse products).
        side = orgs["orientation"].reindex(network.org_ids).to_numpy()
        edge_array = partnership_positions(index)  # the network's edges, in its edge order
        if len(edge_array) != network.graph.ecount():  # a network built from another index
            edge_array = np.asarray(network.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        size = len(org_list)
        partners_matrix = sparse.csr_matrix(
            (
                np.ones(2 * len(edge_array)),
                (
                    np.concatenate([edge_array[:, 0], edge_array[:, 1]]),
                    np.concatenate([edge_array[:, 1], edge_array[:, 0]]),
                ),
            ),
            shape=(size, size),
        )
        # Each vertex's partners in vertex order (what igraph's get_adjlist gives, read off the
        # sorted sparse rows instead of one igraph call per vertex).
        partners_matrix.sort_indices()
        partner_list = partners_matrix.indices.tolist()
        bounds = partners_matrix.indptr.tolist()
        adjacency = [partner_list[bounds[v] : bounds[v + 1]] for v in range(size)]
        immigrant_partners = partners_matrix @ np.isin(side, list(IMMIGRANT_SIDE)).astype(int)
        receiving_partners = partners_matrix @ np.isin(side, list(RECEIVING_SIDE)).astype(int)
        brokers = brokers.sort_values(["effective_size", "constraint"], ascending=[False, True])
        # The sector words of every vertex, and which vertices are illustrative rows: looked up
        # per partner in C (map) rather than in a Python loop, hubs having thousands.
        sector_words = [str(sectors.get(o)) for o in org_list]
        flagged = illustrative_ids(index)
        # Vertices follow the sorted ids, so a broker's partners (igraph lists neighbours in
        # vertex order) are already its sorted, distinct partner ids.
        sorted_text_ids = all(type(o) is str for o in org_list) and all(
            org_list[i] < org_list[i + 1] for i in range(len(org_list) - 1)
        )
        flagged_vertex = [o in flagged for o in org_list]
        all_flagged = all(flagged_vertex)
        tied_pairs = first_tied_pairs(network)
        for org_id, degree, eff, constraint in zip(
            brokers.index.tolist(),
            brokers["degree"].tolist(),
            brokers["effective_size"].tolist(),
            brokers["constraint"].tolist(),
            strict=False,
        ):
            vertex = position[org_id]
            partner_vertices = adjacency[vertex]
            partner_ids = list(map(org_list.__getitem__, partner_vertices))
            # Three example partners (the first by id), not all: hubs have thousands (a
            # fourth is named rather than summarised as "and 1 more").
            shown_ids = partner_ids if len(partner_ids) <= 4 else partner_ids[:3]
            shown_names = sorted(index.name(p) for p in shown_ids)
            partner_words = _names_and_more(shown_names, len(partner_ids))
            if immigrant_partners[vertex] and receiving_partners[vertex]:
                role = _("immigrant-serving and receiving-community organizations")
            else:
                role = _("sectors: {sectors}").format(
                    sectors=join_names(
                        sorted(set(map(sector_words.__getitem__, partner_vertices))), limit=4
                    )
                )
            name = index.name(org_id)
            pair = tied_pairs.get(vertex)  # checked on the partners' own ties
            if pair is None:
                head = ngettext(
                    "{name} links {count} partner that are not linked to each other ({partners})",
                    "{name} links {count} partners that are not linked to each other ({partners})",
                    int(round(degree)),
                ).format(name=name, count=figure(degree), partners=partner_words)
            else:
                first, second = sorted(index.name(org_list[p]) for p in pair)
                head = ngettext(
                    "{name} links {count} partner ({partners}); some of them know each other "
                    "(such as {first} and {second}), so they count as {effective} independent "
                    "contacts (effective size)",
                    "{name} links {count} partners ({partners}); some of them know each other "
                    "(such as {first} and {second}), so they count as {effective} independent "
                    "contacts (effective size)",
                    int(round(degree)),
                ).format(
                    name=name,
                    count=figure(degree),
                    partners=partner_words,
                    first=first,
                    second=second,
                    effective=figure(eff, 1, grouped=False),
                )
            rows.append(
                {
                    "kind": "broker",
                    "id": org_id,
                    "name": name,
                    "bridging_ties": None,
                    "ties": None,
                    "partners": degree,
                    "effective_size": float(eff),
                    "constraint": float(constraint),
                    "severity": None,
                    "explanation": _(
                        "{finding}: a broker between {role} (Burt's constraint {constraint}; "
                        "lower means more brokerage)."
                    ).format(
                        finding=head,
                        role=role,
                        constraint=figure(constraint, 2, grouped=False),
                    ),
                    **(
                        _broker_labels(
                            vertex,
                            partner_vertices,
                            org_list,
                            flagged_vertex,
                            partner_ids,
                            all_flagged,
                        )
                        if sorted_text_ids and flagged
                        else _labels(index, [org_id, *partner_ids])
                    ),
                }
            )
    return _frame(rows, BRIDGING_COLUMNS)


# --- isolated or peripheral members -------------------------------------------------------------

ISOLATED_COLUMNS = [
    "kind",
    "id",
    "name",
    "sector",
    "partners",
    "partner_names",
    "severity",
    "explanation",
]


def isolated_members(
    index: GraphIndex, broker_table: pd.DataFrame | None = None, network=None
) -> pd.DataFrame:
    """Members with no or one partnership with another member, and sector pairs that never tie.

    ``index`` is read as given (:func:`gaps_from_index` passes the member view). Ordered by
    severity: isolated (2), sector pairs (the smaller sector's size), peripheral (1).
    """
    orgs = index.organizations
    network = network if network is not None else partnership_network(index)
    degree = (broker_table if broker_table is not None else brokerage(network))["degree"]
    rows = []
    lonely = degree[degree <= 1]
    # An organization with one partnership has one row in the ends: its other end is its partner.
    ends = partnership_positions(index)
    org_list = orgs.index.tolist()
    other_end = np.full(len(org_list), -1, dtype=np.int64)
    other_end[ends[:, 0]] = ends[:, 1]
    other_end[ends[:, 1]] = ends[:, 0]
    lonely_at = orgs.index.get_indexer(lonely.index)
    single_partner = {
        org_id: org_list[other_end[at]]
        for org_id, at, count in zip(
            lonely.index.tolist(), lonely_at.tolist(), lonely.tolist(), strict=True
        )
        if count == 1
    }
    sector_of_org = dict(zip(orgs.index.tolist(), orgs["sector"].tolist(), strict=False))
    for org_id, count in zip(lonely.index.tolist(), lonely.tolist(), strict=False):
        name, sector = index.name(org_id), sector_of_org[org_id]
        if count == 0:
            rows.append(
                {
                    "kind": "isolated",
                    "id": org_id,
                    "name": name,
                    "sector": sector,
                    "partners": 0,
                    "partner_names": [],
                    "severity": 2,
                    "explanation": _(
                        "{name} ({sector}) has no partnership with any other coalition member: "
                        "it is isolated."
                    ).format(name=name, sector=sector),
                    **_labels(index, [org_id]),
                }
            )
        else:
            partner = index.name(single_partner[org_id])
            rows.append(
                {
                    "kind": "peripheral",
                    "id": org_id,
                    "name": name,
                    "sector": sector,
                    "partners": 1,
                    "partner_names": [partner],
                    "severity": 1,
                    "explanation": _(
                        "{name} ({sector}) is tied to the coalition through one partnership "
                        "only, with {partner}: it is peripheral."
                    ).format(name=name, sector=sector, partner=partner),
                    **_labels(index, [org_id, single_partner[org_id]]),
                }
            )

    sector_counts = orgs["sector"].value_counts()
    big = sorted(sector_counts[sector_counts >= 2].index)
    if len(big) >= 2:
        # Sector pairs that tie, as codes (one number per ordered pair of sectors).
        codes, sector_names = pd.factorize(orgs["sector"])
        code_of = {name: c for c, name in enumerate(sector_names.tolist())}
        width = len(sector_names) + 1
        sa, sb = codes[ends[:, 0]] + 1, codes[ends[:, 1]] + 1  # 0: no sector
        tied = set(np.unique(np.concatenate([sa * width + sb, sb * width + sa])).tolist())
        for i, first in enumerate(big):
            for second in big[i + 1 :]:
                if (code_of[first] + 1) * width + code_of[second] + 1 in tied:
                    continue
                n1, n2 = int(sector_counts[first]), int(sector_counts[second])
                in_pair = orgs.index[orgs["sector"].isin([first, second])].tolist()
                rows.append(
                    {
                        "kind": "sector_pair",
                        "id": f"{first}|{second}",
                        "name": f"{first} / {second}",
                        "sector": None,
                        "partners": 0,
                        "partner_names": [],
                        "severity": min(n1, n2),
                        "explanation": _(
                            "No partnership links the {first_count} {first} organizations with "
                            "the {second_count} {second} organizations."
                        ).format(
                            first_count=figure(n1),
                            first=first,
                            second_count=figure(n2),
                            second=second,
                        ),
                        **_labels(index, in_pair),
                    }
                )
    frame = _frame(rows, ISOLATED_COLUMNS)
    kind_order = {"isolated": 0, "sector_pair": 1, "peripheral": 2}
    frame = frame.assign(_order=frame["kind"].map(kind_order))
    return (
        frame.sort_values(["severity", "_order", "name"], ascending=[False, True, True])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


# --- uncovered need -----------------------------------------------------------------------------

NEED_COLUMNS = [
    "neighborhood_id",
    "name",
    "foreign_born",
    "foreign_born_moe",
    "members",
    "member_names",
    "committee_status",
    "rank",
    "severity",
    "explanation",
]


def uncovered_need(index: GraphIndex) -> pd.DataFrame:
    """Neighborhoods with foreign-born residents above the city median and members at or
    below the median number of coalition members reaching a neighborhood."""
    # The sentences are in the language in use: memoised per language.
    return index.memo(f"uncovered_need:{language_in_use()}", lambda: _uncovered_need(index)).copy()


def _uncovered_mask(index: GraphIndex) -> tuple[np.ndarray, float, float]:
    """Which neighborhoods (in index order) have uncovered need, and the two medians."""
    foreign_born = index.neighborhoods["foreign_born"]
    members = index.members_per_neighborhood
    fb_median = float(foreign_born.median()) if foreign_born.notna().any() else 0.0
    member_median = float(members.median())
    mask = ((foreign_born > fb_median) & (members <= member_median)).to_numpy(dtype=bool)
    return mask, fb_median, member_median


def uncovered_need_ids(index: GraphIndex) -> list[str]:
    """Ids of the neighborhoods :func:`uncovered_need` lists, in its order, without its
    sentences (what the ranking's gap counts need).

    Examples
    --------
    >>> uncovered_need_ids(index)  # doctest: +SKIP
    ['dogwood']
    """
    mask, _fb, _members = _uncovered_mask(index)
    frame = index.neighborhoods[mask]
    count = index.members_per_neighborhood.to_numpy()[mask]
    foreign_born = frame["foreign_born"].tolist()
    severity = [-(fb / (c + 1)) for fb, c in zip(foreign_born, count.tolist(), strict=True)]
    keyed = sorted(
        zip(
            severity,
            frame["name"].tolist(),
            frame.index.tolist(),
            strict=True,
        ),
        key=lambda k: k[:2],
    )
    return [k[2] for k in keyed]


def _median_cells(index: GraphIndex) -> tuple[tuple[Any, ...], float]:
    """The neighborhood cells the foreign-born median is made of, and their sum."""
    foreign_born = index.neighborhoods["foreign_born"].dropna().sort_values(kind="stable")
    count = len(foreign_born)
    if not count:
        return (), 0.0
    middle = [count // 2] if count % 2 else [count // 2 - 1, count // 2]
    ids = [foreign_born.index[i] for i in middle]
    cells = tuple(("neighborhood", str(n), "foreign_born") for n in ids)
    return cells, float(sum(foreign_born.iloc[i] for i in middle))


def _uncovered_need(index: GraphIndex, shown: dict[Any, Any] | None = None) -> pd.DataFrame:
    shown = shown or {}
    median_marker = shown.get(("median", "foreign_born"))
    frame = index.neighborhoods
    members = index.members_per_neighborhood
    mask, fb_median, member_median = _uncovered_mask(index)
    flagged = frame[mask]
    names = index.member_names
    rows = []
    for neighborhood_id, count, row in zip(
        flagged.index.tolist(),
        members.to_numpy()[mask].tolist(),  # members follows the neighborhoods' order
        flagged[["name", "foreign_born", "foreign_born_moe", "committee_status"]].to_dict(
            "records"
        ),
        strict=True,
    ):
        count = int(count)
        who = sorted(names.get(neighborhood_id, []))
        moe = row["foreign_born_moe"]
        fb_marker = shown.get(("neighborhood", str(neighborhood_id), "foreign_born"))
        fb_hidden = privacy.is_hidden(fb_marker)
        moe_words = f" (± {figure(moe)})" if pd.notna(moe) and not fb_hidden else ""
        fb_words = (
            count_words(fb_marker, "foreign_born")
            if fb_hidden
            else ngettext(
                "{count} foreign-born resident",
                "{count} foreign-born residents",
                int(round(row["foreign_born"])),
            ).format(count=figure(row["foreign_born"]))
        )
        values = {
            "name": row["name"],
            "foreign_born": f"{fb_words}{moe_words}",
            "median": f"{median_marker}" if privacy.is_hidden(median_marker) else figure(fb_median),
            "members": f" ({join_names(who)})" if who else "",
            "count": figure(count),
            "member_median": figure(member_median, None),
        }
        if count == 0:
            template = _(
                "{name} has {foreign_born}, more than the city's median neighborhood "
                "({median}), yet no coalition member reaches it{members}, no more than the "
                "median of {member_median}."
            )
        else:
            template = ngettext(
                "{name} has {foreign_born}, more than the city's median neighborhood "
                "({median}), yet only {count} coalition member reaches it{members}, no more "
                "than the median of {member_median}.",
                "{name} has {foreign_born}, more than the city's median neighborhood "
                "({median}), yet only {count} coalition members reach it{members}, no more "
                "than the median of {member_median}.",
                count,
            )
        rows.append(
            {
                "neighborhood_id": neighborhood_id,
                "name": row["name"],
                "foreign_born": whole(row["foreign_born"]),
                "foreign_born_moe": moe,
                "members": count,
                "member_names": who,
                "committee_status": row["committee_status"],
                "rank": 0,
                "severity": float(row["foreign_born"]) / (count + 1),
                "explanation": template.format(**values),
                **_labels_reaching(index, neighborhood_id, [neighborhood_id]),
            }
        )
    result = _frame(rows, NEED_COLUMNS).sort_values(["severity", "name"], ascending=[False, True])
    result["rank"] = np.arange(1, len(result) + 1)
    return result.reset_index(drop=True)


# --- organizations the coalition could invite ---------------------------------------------------

INVITE_COLUMNS = ["kind", "id", "name", "sector", "fills", "severity", "explanation"]


def could_invite(
    index: GraphIndex,
    members: GraphIndex,
    service: pd.DataFrame,
    language: pd.DataFrame,
    need: pd.DataFrame,
) -> pd.DataFrame:
    """Organizations that are not coalition members, with the gaps each could help fill.

    ``index`` is the whole graph, ``members`` its member view, and ``service``, ``language``
    and ``need`` the member-only findings. A non-member fills a service gap when it offers the
    domain to the community, a language gap when it offers the language in the neighborhood,
    and uncovered need when it reaches the neighborhood. Most gaps filled first.
    """
    outside = non_member_ids(index)
    if not outside:
        return _frame([], INVITE_COLUMNS)
    orgs = index.organizations.loc[outside]
    reach = index.community_reach
    reach = reach[reach["org"].isin(outside)]
    serves = {o: set(g) for o, g in reach.groupby("org")["community"]}
    where = index.neighborhood_org_reach
    where = where[where["org"].isin(outside)]
    places = {o: set(g) for o, g in where.groupby("org")["neighborhood"]}
    # Findings keyed by where they are, so each organization looks only at its own places.
    service_gap: dict[str, list[tuple[str, str]]] = {}
    for community_id, domain, community in zip(
        service["community_id"].tolist(),
        service["domain"].tolist(),
        service["community"].tolist(),
        strict=False,
    ):
        service_gap.setdefault(community_id, []).append((domain, community))
    language_gap: dict[str, list[tuple[str, str]]] = {}
    for neighborhood_id, spoken, place in zip(
        language["neighborhood_id"].tolist(),
        language["language"].tolist(),
        language["neighborhood"].tolist(),
        strict=False,
    ):
        language_gap.setdefault(neighborhood_id, []).append((spoken, place))
    need_places = dict(zip(need["neighborhood_id"].tolist(), need["name"].tolist(), strict=False))
    rows = []
    # Plain lists, not iterrows: a Series per organization was half this function at 10,000.
    for row_label, org_services, org_languages, sector in zip(
        orgs.index.tolist(),
        orgs["services"].tolist(),
        orgs["languages"].tolist(),
        orgs["sector"].tolist(),
        strict=True,
    ):
        org_id = cast(str, row_label)  # index labels are node ids
        services = {str(v) for v in org_services}
        languages = {str(v).strip().lower() for v in org_languages}
        fills, ids = [], [org_id]
        for community_id in sorted(serves.get(org_id, set())):
            for domain, community in service_gap.get(community_id, []):
                if domain in services:
                    fills.append(
                        _("offers {help} to {community}").format(
                            help=DOMAIN_PHRASES.get(domain, domain), community=community
                        )
                    )
                    ids.append(community_id)
        present = sorted(places.get(org_id, set()))
        for neighborhood_id in present:
            for spoken, place in language_gap.get(neighborhood_id, []):
                if spoken.lower() in languages:
                    fills.append(
                        _("speaks {language} in {neighborhood}").format(
                            language=spoken, neighborhood=place
                        )
                    )
                    ids.append(neighborhood_id)
        for neighborhood_id in present:
            if neighborhood_id in need_places:
                fills.append(
                    _(
                        "reaches {neighborhood}, where need is high and coalition members few"
                    ).format(neighborhood=need_places[neighborhood_id])
                )
                ids.append(neighborhood_id)
        name = index.name(org_id)
        explanation = (
            _(
                "{name} ({sector}) is not a coalition member; it {fills}: the coalition could "
                "invite it."
            ).format(name=name, sector=sector, fills=join_names(fills, limit=4))
            if fills
            else _(
                "{name} ({sector}) is not a coalition member: the coalition could invite it "
                "(it fills none of the gaps found)."
            ).format(name=name, sector=sector)
        )
        rows.append(
            {
                "kind": "non_member",
                "id": org_id,
                "name": name,
                "sector": sector,
                "fills": fills,
                "severity": len(fills),
                "explanation": explanation,
                **_labels(index, ids),
            }
        )
    frame = _frame(rows, INVITE_COLUMNS)
    return frame.sort_values(["severity", "name"], ascending=[False, True]).reset_index(drop=True)


def find_gaps(
    graph: nx.MultiDiGraph | GraphIndex, *, disclosure: Disclosure | None = None
) -> GapReport:
    """Find the coalition's gaps: six families of findings, each with an explanation.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or GraphIndex
        The coalition graph (:func:`coalition.model.build_graph`), or its index built once
        (:func:`coalition.analysis.index_graph`) when several analyses read it.
    disclosure : Disclosure, optional
        Who reads the sentences and :meth:`GapReport.to_dict`; default
        :meth:`Disclosure.public` (small counts hidden, with complementary suppression).

    Returns
    -------
    GapReport
        DataFrames ``service_gaps``, ``language_gaps``, ``fragile_links``, ``bridging``,
        ``isolated``, ``uncovered_need`` and ``could_invite`` (rules in docs/analysis.md).
        Every one has ``illustrative`` and ``illustrative_rows`` columns. Every family but
        ``could_invite`` reads the coalition's members only
        (:func:`coalition.analysis.membership.member_view`).

    Raises
    ------
    AnalysisError
        If the graph holds no neighborhoods.

    Examples
    --------
    >>> gaps = find_gaps(G)  # doctest: +SKIP
    >>> gaps.isolated.loc[0, "explanation"]  # doctest: +SKIP
    'Lonely Shop (business) has no partnership with any other coalition member: it is isolated.'
    """
    index = as_index(graph)
    members = member_view(index)
    network = partnership_network(members)
    broker_table = brokerage(network)
    matrix = org_community_matrix(members, network.org_ids)
    service = service_gaps(members)
    language = language_gaps(members)
    need = uncovered_need(members)
    disclosure = disclosure or Disclosure.public()
    hidden: dict[tuple[str, tuple[str, ...], str], Any] = {}
    invite = could_invite(index, members, service, language, need)
    if not disclosure.exact:
        shown = _gap_counts(index, members).protect(disclosure)
        language = _language_gaps(members, shown)
        need = _uncovered_need(members, shown)
        hidden = _hidden_cells(shown, service, language, need)
    return GapReport(
        service_gaps=service,
        language_gaps=language,
        fragile_links=fragile_links(members, network, matrix),
        bridging=bridging(members, network, broker_table),
        isolated=isolated_members(members, broker_table, network),
        uncovered_need=need,
        could_invite=invite,
        disclosure=disclosure,
        hidden=hidden,
    )


def _gap_counts(index: GraphIndex, members: GraphIndex) -> privacy.CityCounts:
    """The city's counts and lines plus the language gaps' speakers and the median."""
    base = index_counts(index)
    values: dict[Any, Any] = {}
    lines: list[Line] = []
    _offered, needs = _language_needs(members)
    for (neighborhood_id, language), entry in needs.items():
        parts = tuple(
            key
            for c in entry.get("community_ids", [])
            if (key := ("lives_in", str(c), str(neighborhood_id))) in base.values
        )
        total = ("speakers", neighborhood_id, language)
        values[total] = sum(base.values[p] for p in parts)
        lines.append(Line(parts, total))
    cells, total_value = _median_cells(members)
    if cells:
        values[("median", "foreign_born")] = total_value
        lines.append(Line(cells, ("median", "foreign_born")))
    return base.extended(values, lines)


def _hidden_cells(
    shown: dict[Any, Any],
    service: pd.DataFrame,
    language: pd.DataFrame,
    need: pd.DataFrame,
) -> dict[tuple[str, tuple[str, ...], str], Any]:
    """The marker of every hidden number in the families that show counts."""
    hidden: dict[tuple[str, tuple[str, ...], str], Any] = {}
    for community_id in service["community_id"].unique().tolist():
        marker = shown.get(("community", str(community_id)))
        if privacy.is_hidden(marker):
            hidden[("service_gaps", (str(community_id),), "residents")] = marker
    for neighborhood_id, language_name in zip(
        language["neighborhood_id"], language["language"], strict=True
    ):
        marker = shown.get(("speakers", neighborhood_id, str(language_name).lower()))
        if privacy.is_hidden(marker):
            row: tuple[str, ...] = (str(neighborhood_id), str(language_name))
            hidden[("language_gaps", row, "speakers")] = marker
            hidden[("language_gaps", row, "severity")] = privacy.Withheld()
    for neighborhood_id in need["neighborhood_id"].tolist():
        marker = shown.get(("neighborhood", str(neighborhood_id), "foreign_born"))
        if privacy.is_hidden(marker):
            row = (str(neighborhood_id),)
            hidden[("uncovered_need", row, "foreign_born")] = marker
            hidden[("uncovered_need", row, "foreign_born_moe")] = privacy.Withheld()
            hidden[("uncovered_need", row, "severity")] = privacy.Withheld()
    return hidden
