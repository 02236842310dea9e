"""Where next: score every neighborhood without an active welcoming committee, and say why.

Components (each 0-1, see docs/analysis.md): need, readiness, access, adjacency, gaps. The score
is ``sum(weight x component)`` and the ``part_*`` columns hold each product, so the parts add up
to the score exactly. Stability re-ranks under jittered weights and need drawn within its margin
of error, vectorised with numpy (200 runs x 2,300 areas in milliseconds).
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..i18n import _, ngettext
from ..settings import DEFAULT_K, DEFAULT_SEED, DEFAULT_STABILITY_RUNS
from ..values import json_value, whole
from .coverage import frame_records
from .gaps import language_gap_findings, uncovered_need_ids
from .geometry import adjacency_pairs
from .graph_index import ANCHOR_LABELS, GraphIndex, as_index, figure, join_names, percent
from .membership import member_view
from .provenance import illustrative_ids

logger = logging.getLogger(__name__)

COMPONENTS = ("need", "readiness", "access", "adjacency", "gaps")
DEFAULT_WEIGHTS: dict[str, float] = {
    "need": 0.35,
    "readiness": 0.20,
    "access": 0.15,
    "adjacency": 0.15,
    "gaps": 0.15,
}
# Margins of error are published at 90% confidence: sd = moe / 1.645.
MOE_Z = 1.645
WEIGHT_JITTER = 0.2
# Stability runs are drawn in chunks of this many cells (runs x candidates) to bound memory.
STABILITY_CHUNK_CELLS = 2_000_000
# z of the 95% interval reported with every stability share.
INTERVAL_Z = 1.96
# Stability work is bounded: at most this many runs x candidates cells per ranking (at least
# MIN_STABILITY_RUNS runs); fewer runs than asked are said in the report's notes.
STABILITY_MAX_CELLS = 1_000_000
MIN_STABILITY_RUNS = 200


def validate_weights(weights: Mapping[str, Any] | None) -> dict[str, float]:
    """Check user weights; return all five, missing ones set to 0 (``None`` -> defaults).

    Raises
    ------
    AnalysisError
        Unknown component name, a value that is not a finite number, a negative value, or
        all weights zero.

    Examples
    --------
    >>> validate_weights({"need": 1})["readiness"]
    0.0
    """
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    if not isinstance(weights, Mapping):
        raise AnalysisError("Weights must be a mapping like {'need': 0.35, 'readiness': 0.2}.")
    unknown = sorted(str(k) for k in weights if k not in COMPONENTS)
    if unknown:
        raise AnalysisError(
            f"Unknown weight name(s): {', '.join(unknown)}. Valid names: {', '.join(COMPONENTS)}."
        )
    checked = {}
    for name in COMPONENTS:
        value = weights.get(name, 0.0)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.number))
            or not math.isfinite(float(value))
        ):
            raise AnalysisError(f"Weight {name!r} must be a number, got {value!r}.")
        if value < 0:
            raise AnalysisError(
                f"Weight {name!r} is negative ({value}); weights must be 0 or more."
            )
        checked[name] = float(value)
    if sum(checked.values()) <= 0:
        raise AnalysisError(
            "All weights are zero: give at least one component a positive "
            f"weight ({', '.join(COMPONENTS)})."
        )
    return checked


def _scaled(values: np.ndarray) -> np.ndarray:
    """Divide by the largest value (NaN stays NaN; all zero -> zeros)."""
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    if not top or top <= 0:
        return np.where(np.isnan(values), np.nan, 0.0)
    return values / top


def _need(
    foreign_born: np.ndarray, population: np.ndarray, limited_english: np.ndarray
) -> np.ndarray:
    """Need component over the last axis: mean of the scaled count, share and limited English.

    Each figure is divided by its largest finite value (a figure that is missing is left out
    of the mean; a figure whose largest value is 0 scales to 0). Works on 1-D arrays (one
    ranking) and 2-D arrays (runs x neighborhoods).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            population > 0, foreign_born / population, np.where(np.isnan(population), np.nan, 0.0)
        )  # no figure stays NaN

    def scaled(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | bool]:
        finite = np.isfinite(values)
        if finite.all():
            top = values.max(axis=-1, keepdims=True)
            known: np.ndarray | bool = True
        else:
            top = np.where(finite, values, -np.inf).max(axis=-1, keepdims=True)
            values = np.where(finite, values, 0.0)
            known = finite
        return values / np.where(top > 0, top, np.inf), known

    total = np.zeros(
        np.broadcast_shapes(np.shape(foreign_born), np.shape(share), np.shape(limited_english))
    )
    counts = np.zeros(total.shape)
    for values in (foreign_born, share, limited_english):
        part, known = scaled(np.asarray(values, dtype=float))
        total = total + part
        counts = counts + known
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, total / np.maximum(counts, 1), 0.0)


@dataclass
class NeighborhoodSignals:
    """Raw figures behind the components for every candidate (positions in the index)."""

    positions: np.ndarray
    raw: pd.DataFrame
    components: pd.DataFrame
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


def gap_findings_by_neighborhood(
    graph_or_index: nx.MultiDiGraph | GraphIndex,
) -> tuple[pd.Series, dict[str, list[str]]]:
    """Gap findings located in each neighborhood: their count and short descriptions.

    The findings are language gaps, "reached by one organization only" and uncovered need
    (coalition members only); the count is the raw value behind the ``gaps`` component and the
    map's gap-count measure.

    Examples
    --------
    >>> counts, findings = gap_findings_by_neighborhood(G)  # doctest: +SKIP
    >>> counts["dogwood"], findings["dogwood"][0]  # doctest: +SKIP
    """
    index = member_view(as_index(graph_or_index))
    findings: dict[str, list[str]] = {}
    # The findings themselves, without writing their sentences: the same rows in the same
    # order as language_gaps and uncovered_need.
    for neighborhood_id, language in language_gap_findings(index):
        findings.setdefault(neighborhood_id, []).append(
            _("no one offers {language}").format(language=language)
        )
    orgs_reaching = index.orgs_per_neighborhood
    for neighborhood_id in orgs_reaching.index[orgs_reaching == 1]:
        findings.setdefault(neighborhood_id, []).append(_("reached by one organization only"))
    for neighborhood_id in uncovered_need_ids(index):
        findings.setdefault(neighborhood_id, []).append(
            _("many foreign-born residents but few coalition members")
        )
    counts = pd.Series({n: len(v) for n, v in findings.items()}, dtype=float)
    return counts.reindex(index.neighborhoods.index, fill_value=0.0), findings


def _lists_by(frame: pd.DataFrame, key: str, value: str) -> dict[Any, list[Any]]:
    """``frame[value]`` listed per ``frame[key]``, both in table order.

    Examples
    --------
    >>> _lists_by(pd.DataFrame({"n": ["b", "a", "b"], "o": [1, 2, 3]}), "n", "o")
    {'b': [1, 3], 'a': [2]}
    """
    lists: dict[Any, list[Any]] = {}
    for k, v in zip(frame[key].tolist(), frame[value].tolist(), strict=True):
        lists.setdefault(k, []).append(v)
    return lists


def neighborhood_signals(index: GraphIndex, candidates: np.ndarray) -> NeighborhoodSignals:
    """Compute the five components for the candidate positions.

    Anchor institutions count whether or not they are coalition members (a library is there
    either way); access and gaps count members only.
    """
    members_index = member_view(index)
    frame = index.neighborhoods
    ids = frame.index
    located = index.tie_frame("located_in")
    anchors = located.merge(
        index.organizations[["anchor_type"]], left_on="source", right_index=True
    )
    anchors = anchors[anchors["anchor_type"].isin(list(ANCHOR_LABELS))].drop_duplicates(
        ["source", "target"]
    )
    anchor_count = anchors.groupby("target").size().reindex(ids, fill_value=0)
    navigator_count = (
        index.neighborhood_navigators.groupby("neighborhood").size().reindex(ids, fill_value=0)
    )
    members = members_index.members_per_neighborhood
    pairs = adjacency_pairs(index)
    active = index.has_active_committee
    borders_active = np.zeros(len(frame), dtype=bool)
    if len(pairs):
        borders_active[pairs[active[pairs[:, 1]], 0]] = True
    gap_counts, gap_findings = gap_findings_by_neighborhood(members_index)

    raw = pd.DataFrame(
        {
            "foreign_born": frame["foreign_born"].to_numpy()[candidates],
            "foreign_born_moe": frame["foreign_born_moe"].to_numpy()[candidates],
            "population": frame["population"].to_numpy()[candidates],
            "limited_english": frame["limited_english"].to_numpy()[candidates],
            "limited_english_moe": frame["limited_english_moe"].to_numpy()[candidates],
            "anchors": anchor_count.to_numpy()[candidates],
            "navigators": navigator_count.to_numpy()[candidates],
            "members": members.to_numpy()[candidates],
            "borders_active": borders_active[candidates],
            "gap_findings": gap_counts.to_numpy()[candidates],
        },
        index=ids[candidates],
    )
    fb = raw["foreign_born"].to_numpy(dtype=float)  # a blank figure stays NaN, never 0
    population = raw["population"].to_numpy(dtype=float)
    components = pd.DataFrame(
        {
            "need": _need(fb, population, raw["limited_english"].to_numpy(dtype=float)),
            "readiness": _scaled((raw["anchors"] + raw["navigators"]).to_numpy(dtype=float)),
            "access": _scaled(raw["members"].to_numpy(dtype=float)),
            "adjacency": raw["borders_active"].to_numpy(dtype=float),
            "gaps": _scaled(raw["gap_findings"].to_numpy(dtype=float)),
        },
        index=raw.index,
    )

    # Names (and ids, for the illustrative labels) for the reasons sentences.
    anchor_names: dict[str, list[str]] = {}
    anchor_ids: dict[str, list[str]] = {}
    for org_id, neighborhood_id, anchor_type in zip(
        anchors["source"].tolist(),
        anchors["target"].tolist(),
        anchors["anchor_type"].tolist(),
        strict=False,
    ):
        anchor_names.setdefault(neighborhood_id, []).append(
            f"{index.name(org_id)} ({ANCHOR_LABELS[anchor_type]})"
        )
        anchor_ids.setdefault(neighborhood_id, []).append(org_id)
    active_neighbours: dict[str, list[str]] = {}
    neighbour_ids: dict[str, list[str]] = {}
    id_list, name_list = ids.tolist(), frame["name"].tolist()
    if len(pairs):
        for i, j in pairs[active[pairs[:, 1]]].tolist():
            active_neighbours.setdefault(id_list[i], []).append(name_list[j])
            neighbour_ids.setdefault(id_list[i], []).append(id_list[j])
    # Who reaches each neighborhood, in table order (a plain dict of lists: no per-group
    # Python call as in groupby().agg(list)).
    member_orgs = _lists_by(members_index.neighborhood_org_reach, "neighborhood", "org")
    navigators_here = _lists_by(index.neighborhood_navigators, "neighborhood", "navigator")
    empty: list[str] = []
    names = index.names
    details = {}
    for n in raw.index.tolist():
        orgs_here, navs_here = member_orgs.get(n, empty), navigators_here.get(n, empty)
        details[n] = {
            "anchors": anchor_names.get(n, empty),
            "active_neighbours": sorted(active_neighbours.get(n, empty)),
            "member_orgs": _NameList(orgs_here, names),
            "navigators": _NameList(navs_here, names),
            "gaps": gap_findings.get(n, empty),
            # The rows each reason rests on, as groups of ids (shared lists: read only).
            "ids": {
                "need": ([n],),
                "readiness": (anchor_ids.get(n, empty), navs_here),
                "access": (orgs_here, navs_here),
                "adjacency": (neighbour_ids.get(n, empty),),
                "gaps": ([n], orgs_here, navs_here),
            },
        }
    return NeighborhoodSignals(
        positions=candidates, raw=raw, components=components, details=details
    )


class _NameList:
    """Ids whose names a sentence may show: sorted lazily, and only the first few."""

    def __init__(self, ids: list[str], names: Mapping[str, str]) -> None:
        self.ids, self.names = ids, names

    def __len__(self) -> int:
        return len(self.ids)

    def text(self, limit: int, more_word: str) -> str:
        """Like :func:`join_names` on the sorted names, sorting only what is shown."""
        shown = heapq.nsmallest(limit + 1, (self.names.get(i) or str(i) for i in self.ids))
        if len(self.ids) <= limit + 1:
            return join_names(shown, limit=limit + 1)
        return _("{names} and {last}").format(
            names=", ".join(shown[:limit]), last=_more(len(self.ids) - limit, more_word)
        )


def _more(count: int, what: str) -> str:
    """ "3 more organizations" in the language in use (``what``: "organization", "anchor
    institution", "navigator" or "gap").

    Examples
    --------
    >>> _more(1, "gap"), _more(1200, "organization")
    ('1 more gap', '1,200 more organizations')
    """
    if what == "anchor institution":
        words = ngettext(
            "{count} more anchor institution", "{count} more anchor institutions", count
        )
    elif what == "navigator":
        words = ngettext("{count} more navigator", "{count} more navigators", count)
    elif what == "gap":
        words = ngettext("{count} more gap", "{count} more gaps", count)
    else:
        words = ngettext("{count} more organization", "{count} more organizations", count)
    return words.format(count=figure(count))


def _navigator_count(count: int) -> str:
    return ngettext("{count} Cultural Navigator", "{count} Cultural Navigators", count).format(
        count=figure(count)
    )


def _names_and_navigators(
    names: list[str], navigators: int, limit: int = 3, what: str = "organization"
) -> str:
    """Names (the tail summarised as "and N more organizations"), then the navigators counted
    on their own, so a summary never hides them.

    Examples
    --------
    >>> _names_and_navigators(["Alder Library"], 2)
    'Alder Library and 2 Cultural Navigators'
    >>> _names_and_navigators(["A", "B"], 1)
    'A and B, and 1 Cultural Navigator'
    """
    parts = []
    if len(names):
        parts.append(
            names.text(limit, what)
            if isinstance(names, _NameList)
            else join_names(names, limit=limit, more=lambda n: _more(n, what))
        )
    if navigators:
        parts.append(_navigator_count(navigators))
    if len(parts) < 2:
        return "".join(parts)
    if len(names) <= 1:
        return _("{names} and {last}").format(names=parts[0], last=parts[1])
    return _("{names}, and {last}").format(names=parts[0], last=parts[1])


def _reasons(
    name: str,
    status: str,
    raw: Mapping[Hashable, Any],
    parts: dict[str, float],
    detail: dict[str, Any],
    flagged: frozenset[str] = frozenset(),
) -> tuple[list[str], list[bool], list[str]]:
    """Two to four sentences: the strongest contributions first, then what is missing.

    Returns the sentences, whether each rests on an illustrative row (one of ``flagged``),
    and the illustrative ids behind them all.
    """
    fb, pop, le, moe = (
        raw["foreign_born"],
        raw["population"],
        raw["limited_english"],
        raw["foreign_born_moe"],
    )
    figures = {
        "name": name,
        "margin": f" (± {figure(moe)})" if pd.notna(moe) else "",
        "share": _(", {share} of its {population} residents").format(
            share=percent(fb / pop), population=figure(pop)
        )
        if pd.notna(pop) and pop > 0 and pd.notna(fb)
        else "",
        "limited_english": _("; {count} speak English less than very well").format(count=figure(le))
        if pd.notna(le) and le > 0
        else "",
    }
    navigators = int(raw["navigators"])
    anchors = detail["anchors"]
    if anchors:
        readiness = ngettext(
            "Ready to host: {who} is already here.",
            "Ready to host: {who} are already here.",
            len(anchors) + bool(navigators),
        ).format(who=_names_and_navigators(anchors, navigators, what="anchor institution"))
    else:  # navigators only: say plainly that no anchor institution is recorded
        readiness = ngettext(
            "Ready to host: {count} Cultural Navigator is already here, but no anchor "
            "institution (library, school, faith group, neighborhood association) is "
            "recorded yet.",
            "Ready to host: {count} Cultural Navigators are already here, but no anchor "
            "institution (library, school, faith group, neighborhood association) is "
            "recorded yet.",
            navigators,
        ).format(count=figure(navigators))
    member_orgs, member_navigators = detail["member_orgs"], detail["navigators"]
    members = int(raw["members"])
    who = _names_and_navigators(member_orgs, 0)
    if len(member_navigators):
        navigator_words = (
            member_navigators.text(3, "navigator")
            if isinstance(member_navigators, _NameList)
            else join_names(member_navigators, limit=3, more=lambda n: _more(n, "navigator"))
        )
        who = (
            ngettext(
                "{organizations}, and Cultural Navigator {navigators}",
                "{organizations}, and Cultural Navigators {navigators}",
                len(member_navigators),
            )
            if who
            else ngettext(
                "Cultural Navigator {navigators}",
                "Cultural Navigators {navigators}",
                len(member_navigators),
            )
        ).format(organizations=who, navigators=navigator_words)
    neighbours = detail["active_neighbours"]
    strong = {
        "need": (
            _("Need: {name} has no foreign-born figure{limited_english}.")
            if pd.isna(fb)  # no figure is never said as 0
            else _(
                "Need: {name} has {count} foreign-born residents{margin}{share}{limited_english}."
            )
        ).format(count=figure(fb) if pd.notna(fb) else "", **figures),
        "readiness": readiness,
        "access": ngettext(
            "{count} coalition member already reaches {name}: {who}",
            "{count} coalition members already reach {name}: {who}",
            members,
        ).format(count=figure(members), name=name, who=who)
        + ("" if who.endswith(".") else "."),
        "adjacency": ngettext(
            "It borders {names}, which has an active welcoming committee that can help it start.",
            "It borders {names}, which have an active welcoming committee that can help it start.",
            len(neighbours),
        ).format(names=join_names(neighbours, limit=3)),
        "gaps": _("Gaps found here: {gaps}.").format(
            gaps=join_names(detail["gaps"], limit=3, more=lambda n: _more(n, "gap"))
        ),
    }
    missing = {
        "need": (
            _("{name} has no foreign-born figure.")
            if pd.isna(fb)
            else _("{name} has no recorded foreign-born residents.")
        ).format(name=name),
        "readiness": _(
            "No anchor institution (library, school, faith group, neighborhood association) or "
            "Cultural Navigator is recorded here yet."
        ),
        "access": _("No coalition member reaches {name} yet.").format(name=name),
        "adjacency": _("It does not border a neighborhood with an active committee."),
        "gaps": _("No gap was found here."),
    }
    ids = detail.get("ids", {})
    ordered = sorted(COMPONENTS, key=lambda c: -parts[c])
    chosen = [c for c in ordered if parts[c] > 0][:3]
    reasons = [strong[c] for c in chosen]
    sources = [ids.get(c, ()) for c in chosen]
    if status == "forming":
        reasons.append(_("A welcoming committee is already forming in {name}.").format(name=name))
        sources.append(())
    for component in reversed(ordered):
        if len(reasons) >= 2:
            break
        if parts[component] <= 0:
            reasons.append(missing[component])
            sources.append(ids.get(component, ()) if component in ("need", "gaps") else ())
    reasons, sources = reasons[:4], sources[:4]
    if not flagged:
        return reasons, [False] * len(reasons), []
    marks = [any(i in flagged for group in source for i in group) for source in sources]
    rows = sorted({str(i) for source in sources for group in source for i in group if i in flagged})
    return reasons, marks, rows


def _top_k_counts(scores: np.ndarray, k: int) -> np.ndarray:
    """How often each column is among the ``k`` largest of its row; exact ties go to the
    earlier column (the columns are in the ranking's tie-break order)."""
    n = scores.shape[1]
    kth = np.partition(scores, n - k, axis=1)[:, n - k][:, None]
    greater = scores > kth
    equal = scores == kth
    room = k - greater.sum(axis=1, keepdims=True)
    chosen = greater | (equal & (np.cumsum(equal, axis=1) <= room))
    return chosen.sum(axis=0)


def stability_scores(
    signals: NeighborhoodSignals,
    weights: dict[str, float],
    k: int,
    runs: int,
    seed: int,
    tiebreak: np.ndarray | None = None,
) -> np.ndarray:
    """Share of seeded runs in which each candidate ranks in the top ``k``.

    Each run multiplies every weight by U(0.8, 1.2) and draws foreign-born (and limited
    English) counts from a normal distribution with sd = moe / 1.645, clipped at 0. Exact ties
    in a run are broken as the ranking breaks them: ``tiebreak`` lists the candidates
    (positions in ``signals``) in that order (more foreign-born residents, then name); by
    default it is computed from the signals. Runs are drawn in chunks, so memory stays bounded
    however many runs are asked for. The share's sampling error is about
    ``1.96 * sqrt(p (1 - p) / runs)`` (see :func:`stability_interval`).

    Examples
    --------
    >>> from coalition.analysis.graph_index import index_graph
    >>> from coalition.analysis.synthetic import make_synthetic_graph
    >>> index = index_graph(make_synthetic_graph(orgs=20, ties=200, areas=9))
    >>> signals = neighborhood_signals(index, candidate_positions(index))
    >>> float(stability_scores(signals, DEFAULT_WEIGHTS, k=2, runs=50, seed=1).sum())
    2.0
    """
    n = len(signals.raw)
    if n == 0:
        return np.zeros(0)
    if k >= n:
        return np.ones(n)
    if runs < 1:
        raise AnalysisError(f"Stability needs 1 run or more, got {runs!r}.")
    raw = signals.raw
    if tiebreak is None:
        fb_order = raw["foreign_born"].fillna(0).to_numpy(dtype=float)
        tiebreak = np.lexsort((np.asarray(raw.index.astype(str)), -fb_order))
    rng = np.random.default_rng(seed)
    fb = raw["foreign_born"].to_numpy(dtype=float)[tiebreak]  # no figure stays NaN
    fb_sd = np.nan_to_num(raw["foreign_born_moe"].to_numpy(dtype=float), nan=0.0)[tiebreak] / MOE_Z
    le = raw["limited_english"].to_numpy(dtype=float)[tiebreak]
    le_sd = (
        np.nan_to_num(raw["limited_english_moe"].to_numpy(dtype=float), nan=0.0)[tiebreak] / MOE_Z
    )
    population = raw["population"].to_numpy(dtype=float)[tiebreak]
    fixed = signals.components[list(COMPONENTS[1:])].to_numpy(dtype=float)[tiebreak]  # n x 4
    base = np.array([weights[c] for c in COMPONENTS])
    counts = np.zeros(n, dtype=np.int64)
    chunk = max(1, STABILITY_CHUNK_CELLS // n)
    done = 0
    while done < runs:
        size = min(chunk, runs - done)
        run_weights = (
            rng.uniform(1 - WEIGHT_JITTER, 1 + WEIGHT_JITTER, size=(size, len(COMPONENTS))) * base
        )
        fb_draw = np.clip(fb + rng.standard_normal((size, n)) * fb_sd, 0, None)
        le_draw = np.clip(le + rng.standard_normal((size, n)) * le_sd, 0, None)  # NaN stays
        need = _need(fb_draw, population, le_draw)
        scores = run_weights[:, :1] * need + run_weights[:, 1:] @ fixed.T
        counts += _top_k_counts(scores, k)
        done += size
    shares = np.empty(n)
    shares[tiebreak] = counts / runs
    return shares


def stability_interval(share: float, runs: int) -> tuple[float, float]:
    """The 95% Wilson interval of a stability share measured over ``runs`` runs.

    Examples
    --------
    >>> [round(v, 3) for v in stability_interval(0.5, 20000)]
    [0.493, 0.507]
    """
    if runs <= 0 or share is None or not math.isfinite(share):
        return (float("nan"), float("nan"))
    z2 = INTERVAL_Z**2
    centre = (share + z2 / (2 * runs)) / (1 + z2 / runs)
    half = INTERVAL_Z * math.sqrt(share * (1 - share) / runs + z2 / (4 * runs**2)) / (1 + z2 / runs)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class RankReport:
    """Replication candidates, their score parts, reasons, stability and the k-plan.

    Attributes
    ----------
    weights : dict
        The weights used (all five components).
    candidates : pandas.DataFrame
        neighborhood_id, name, committee_status, rank, score, the five components, the five
        ``part_*`` columns (weight x component; they sum to ``score``), foreign_born, reasons
        (list of sentences), reasons_illustrative (one flag per sentence), stability (share of
        runs in the top k; None if not computed), stability_low / stability_high (its 95%
        interval), illustrative and illustrative_rows.
    k : int
        The k used (reduced to the number of candidates when more were asked for).
    k_requested : int
        The k asked for.
    notes : list of str
        Sentences about how the request was adapted (e.g. k reduced).
    """

    weights: dict[str, float]
    candidates: pd.DataFrame
    k: int = DEFAULT_K
    stability_runs: int = DEFAULT_STABILITY_RUNS
    k_requested: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``{"weights", "k", "k_requested", "notes", "candidates",
        ...}``."""
        candidates = []
        for row in frame_records(self.candidates):
            candidates.append(
                {
                    "neighborhood_id": row["neighborhood_id"],
                    "name": row["name"],
                    "rank": row["rank"],
                    "score": row["score"],
                    "components": {c: row[c] for c in COMPONENTS},
                    "parts": {c: row[f"part_{c}"] for c in COMPONENTS},
                    "committee_status": row["committee_status"],
                    "foreign_born": whole(row["foreign_born"]),
                    "reasons": row["reasons"],
                    "reasons_illustrative": row["reasons_illustrative"],
                    "stability": row["stability"],
                    "stability_interval": (
                        None
                        if row["stability"] is None
                        else [row["stability_low"], row["stability_high"]]
                    ),
                    "illustrative": row["illustrative"],
                    "illustrative_rows": row["illustrative_rows"],
                }
            )
        return {
            "weights": json_value(self.weights),
            "k": self.k,
            "k_requested": self.k if self.k_requested is None else self.k_requested,
            "notes": list(self.notes),
            "stability_runs": self.stability_runs,
            "candidates": candidates,
            "illustrative": any(c["illustrative"] for c in candidates),
        }


def candidate_positions(index: GraphIndex) -> np.ndarray:
    """Positions of the neighborhoods without an active committee."""
    return np.flatnonzero(~index.has_active_committee)


def check_k(k: Any, available: int) -> int:
    """Validate the number of next committees against the candidates available.

    Raises
    ------
    AnalysisError
        ``k`` is not a whole number of 1 or more, or is more than ``available``.
    """
    fitted, note = fit_k(k, available)
    if note:
        raise AnalysisError(
            f"k={k} is more than the {available} neighborhood(s) without an active committee: "
            f"choose k between 1 and {available}."
        )
    return fitted


def fit_k(k: Any, available: int) -> tuple[int, str | None]:
    """The number of next committees, reduced to the candidates available, and a note saying
    so (None when ``k`` fits).

    Raises
    ------
    AnalysisError
        ``k`` is not a whole number of 1 or more.

    Examples
    --------
    >>> fit_k(3, 2)
    (2, 'Asked for 3 next committees, but only 2 neighborhoods have no active committee: k is 2.')
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise AnalysisError(f"k must be a whole number of committees, 1 or more; got {k!r}.")
    if k > available:
        return int(available), ngettext(
            "Asked for {asked}, but only {count} neighborhood has no active committee: k is "
            "{available}.",
            "Asked for {asked}, but only {count} neighborhoods have no active committee: k is "
            "{available}.",
            int(available),
        ).format(
            asked=ngettext("{count} next committee", "{count} next committees", int(k)).format(
                count=figure(int(k))
            ),
            count=figure(available),
            available=available,
        )
    return int(k), None


def rank_candidates(
    graph: nx.MultiDiGraph | GraphIndex,
    weights: Mapping[str, Any] | None = None,
    *,
    k: int = DEFAULT_K,
    stability_runs: int = DEFAULT_STABILITY_RUNS,
    seed: int = DEFAULT_SEED,
) -> RankReport:
    """Rank the neighborhoods without an active committee as places for the next one.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or GraphIndex
        The coalition graph, or its index built once.
    weights : mapping, optional
        Weights of ``need``, ``readiness``, ``access``, ``adjacency`` and ``gaps`` (missing
        ones count as 0). Defaults to :data:`DEFAULT_WEIGHTS`.
    k : int
        Size of the top group for stability (reduced to the number of candidates when
        larger; the report's ``notes`` say so). The k-plan compared with this ranking is
        :func:`coalition.analysis.plan_committees`.
    stability_runs : int
        Seeded re-rankings for stability (0 skips it).
    seed : int
        Random seed: the same seed gives the same stability.

    Returns
    -------
    RankReport

    Raises
    ------
    AnalysisError
        Bad weights, k not a whole number of 1 or more, no candidate. A k above
        the number of candidates is reduced to it, and ``notes`` says so.

    Examples
    --------
    >>> report = rank_candidates(G, k=1)  # doctest: +SKIP
    >>> report.candidates.loc[0, "name"]  # doctest: +SKIP
    'Cedar'
    """
    checked = validate_weights(weights)
    if (
        isinstance(stability_runs, bool)
        or not isinstance(stability_runs, (int, np.integer))
        or stability_runs < 0
    ):
        raise AnalysisError(
            f"stability_runs must be 0 or a positive whole number, got {stability_runs!r}."
        )
    index = as_index(graph)
    candidates = candidate_positions(index)
    if len(candidates) == 0:
        raise AnalysisError(
            "Every neighborhood already has an active welcoming committee: "
            "there is no candidate to rank."
        )
    k_requested = k
    k, note = fit_k(k, len(candidates))
    notes = [note] if note else []
    if note:
        logger.info("rank: %s", note)
    signals = neighborhood_signals(index, candidates)
    components = signals.components
    frame = index.neighborhoods.iloc[candidates]
    table = pd.DataFrame(
        {
            "neighborhood_id": components.index.to_list(),
            "name": frame["name"].to_list(),
            "committee_status": frame["committee_status"].to_list(),
        }
    )
    score = np.zeros(len(table))
    for component in COMPONENTS:
        values = components[component].to_numpy(dtype=float)
        table[component] = values
        part = checked[component] * values
        table[f"part_{component}"] = part
        score = score + part  # summed in component order: the parts add up to the score
    table["score"] = score
    table["foreign_born"] = signals.raw["foreign_born"].to_numpy()
    # The ranking's tie-break (more foreign-born residents, then name), shared with stability.
    tiebreak = np.lexsort(
        (
            table["name"].astype(str).to_numpy(),
            -table["foreign_born"].fillna(0).to_numpy(dtype=float),
        )
    )
    runs = int(stability_runs)
    if runs > 0:
        runs = min(runs, max(MIN_STABILITY_RUNS, STABILITY_MAX_CELLS // len(candidates)))
        if runs < stability_runs:
            notes.append(
                _(
                    "Stability used {runs} runs ({asked} asked for) to keep the ranking of "
                    "{count} neighborhoods fast; each share comes with its 95% interval."
                ).format(
                    runs=figure(runs),
                    asked=figure(int(stability_runs)),
                    count=figure(len(candidates)),
                )
            )
        shares = stability_scores(signals, checked, k, runs, seed, tiebreak)
        table["stability"] = shares
        bounds = [stability_interval(float(p), runs) for p in shares]
        table["stability_low"] = [b[0] for b in bounds]
        table["stability_high"] = [b[1] for b in bounds]
    else:
        table["stability"] = None
        table["stability_low"] = None
        table["stability_high"] = None
    reasons, marks, labelled = [], [], []
    flagged = illustrative_ids(index)
    part_rows = table[[f"part_{c}" for c in COMPONENTS]].to_numpy(dtype=float)
    raw_rows = signals.raw.to_dict("records")
    for position, (neighborhood_id, name, status) in enumerate(
        zip(
            table["neighborhood_id"].tolist(),
            table["name"].tolist(),
            table["committee_status"].tolist(),
            strict=False,
        )
    ):
        parts = dict(zip(COMPONENTS, part_rows[position].tolist(), strict=False))
        sentences, sentence_marks, rows = _reasons(
            name, status, raw_rows[position], parts, signals.details[neighborhood_id], flagged
        )
        if neighborhood_id in flagged and neighborhood_id not in rows:
            rows = sorted([*rows, neighborhood_id])  # its figures make the score
        reasons.append(sentences)
        marks.append(sentence_marks)
        labelled.append(rows)
    table["reasons"] = reasons
    table["reasons_illustrative"] = marks
    table["illustrative"] = [bool(r) for r in labelled]
    table["illustrative_rows"] = labelled
    table = (
        table.assign(_fb=table["foreign_born"].fillna(0))
        .sort_values(["score", "_fb", "name"], ascending=[False, False, True], kind="mergesort")
        .drop(columns="_fb")
        .reset_index(drop=True)
    )
    table.insert(2, "rank", np.arange(1, len(table) + 1))
    columns = [
        "neighborhood_id",
        "name",
        "rank",
        "score",
        *COMPONENTS,
        *(f"part_{c}" for c in COMPONENTS),
        "committee_status",
        "foreign_born",
        "reasons",
        "reasons_illustrative",
        "stability",
        "stability_low",
        "stability_high",
        "illustrative",
        "illustrative_rows",
    ]
    table = table[columns]
    return RankReport(
        weights=checked,
        candidates=table,
        k=k,
        stability_runs=runs,
        k_requested=int(k_requested),
        notes=notes,
    )
