"""Where next: score every neighborhood without an active welcoming committee, and say why.

Components (each 0-1, see docs/analysis.md): need, readiness, access, adjacency, gaps. The score
is ``sum(weight x component)`` and the ``part_*`` columns hold each product, so the parts add up
to the score exactly. Stability re-ranks under jittered weights and need drawn within its margin
of error, vectorised with numpy (200 runs x 2,300 areas in milliseconds).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..settings import DEFAULT_K, DEFAULT_SEED, DEFAULT_STABILITY_RUNS
from .coverage import frame_records, json_value, whole
from .gaps import language_gaps, uncovered_need
from .geometry import adjacency_pairs, check_rule
from .graph_index import ANCHOR_LABELS, GraphIndex, as_index, join_names, plural

logger = logging.getLogger(__name__)

COMPONENTS = ("need", "readiness", "access", "adjacency", "gaps")
DEFAULT_WEIGHTS: dict[str, float] = {"need": 0.35, "readiness": 0.20, "access": 0.15,
                                     "adjacency": 0.15, "gaps": 0.15}
# Margins of error are published at 90% confidence: sd = moe / 1.645.
MOE_Z = 1.645
WEIGHT_JITTER = 0.2


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
            f"Unknown weight name(s): {', '.join(unknown)}. Valid names: {', '.join(COMPONENTS)}.")
    checked = {}
    for name in COMPONENTS:
        value = weights.get(name, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                or not math.isfinite(float(value)):
            raise AnalysisError(f"Weight {name!r} must be a number, got {value!r}.")
        if value < 0:
            raise AnalysisError(
                f"Weight {name!r} is negative ({value}); weights must be 0 or more.")
        checked[name] = float(value)
    if sum(checked.values()) <= 0:
        raise AnalysisError("All weights are zero: give at least one component a positive "
                            f"weight ({', '.join(COMPONENTS)}).")
    return checked


def _scaled(values: np.ndarray) -> np.ndarray:
    """Divide by the largest value (NaN stays NaN; all zero -> zeros)."""
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    if not top or top <= 0:
        return np.where(np.isnan(values), np.nan, 0.0)
    return values / top


def _need(foreign_born: np.ndarray, population: np.ndarray,
          limited_english: np.ndarray) -> np.ndarray:
    """Need component over the last axis: mean of the scaled count, share and limited English.

    Works on 1-D arrays (one ranking) and 2-D arrays (runs x neighborhoods).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(population > 0, foreign_born / population,
                         np.where(np.isnan(population), np.nan, 0.0))  # no figure stays NaN

    def scale(values: np.ndarray) -> np.ndarray:
        finite = np.where(np.isfinite(values), values, -np.inf)
        top = finite.max(axis=-1, keepdims=True)
        top = np.where(top > 0, top, np.inf)
        return values / top

    parts = np.stack([scale(foreign_born), scale(share), scale(limited_english)])
    with np.errstate(invalid="ignore"):
        counts = np.isfinite(parts).sum(axis=0)
        need = np.where(counts > 0, np.nansum(parts, axis=0) / np.maximum(counts, 1), 0.0)
    return need


@dataclass
class NeighborhoodSignals:
    """Raw figures behind the components for every candidate (positions in the index)."""

    positions: np.ndarray
    raw: pd.DataFrame
    components: pd.DataFrame
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


def gap_findings_by_neighborhood(graph_or_index: nx.MultiDiGraph | GraphIndex
                                 ) -> tuple[pd.Series, dict[str, list[str]]]:
    """Gap findings located in each neighborhood: their count and short descriptions.

    The findings are language gaps, "reached by one organization only" and uncovered need; the
    count is the raw value behind the ``gaps`` component and the map's gap-count measure.

    Examples
    --------
    >>> counts, findings = gap_findings_by_neighborhood(G)  # doctest: +SKIP
    >>> counts["dogwood"], findings["dogwood"][0]  # doctest: +SKIP
    """
    index = as_index(graph_or_index)
    findings: dict[str, list[str]] = {}
    for neighborhood_id, language in zip(*(language_gaps(index)[c] for c in
                                           ("neighborhood_id", "language"))):
        findings.setdefault(neighborhood_id, []).append(f"no one offers {language}")
    orgs_reaching = index.orgs_per_neighborhood
    for neighborhood_id in orgs_reaching.index[orgs_reaching == 1]:
        findings.setdefault(neighborhood_id, []).append("reached by one organization only")
    for neighborhood_id in uncovered_need(index)["neighborhood_id"]:
        findings.setdefault(neighborhood_id, []).append(
            "many foreign-born residents but few coalition members")
    counts = pd.Series({n: len(v) for n, v in findings.items()}, dtype=float)
    return counts.reindex(index.neighborhoods.index, fill_value=0.0), findings


def neighborhood_signals(index: GraphIndex, candidates: np.ndarray) -> NeighborhoodSignals:
    """Compute the five components for the candidate positions."""
    frame = index.neighborhoods
    ids = frame.index
    located = index.tie_frame("located_in")
    anchors = located.merge(index.organizations[["anchor_type"]], left_on="source",
                            right_index=True)
    anchors = anchors[anchors["anchor_type"].isin(list(ANCHOR_LABELS))].drop_duplicates(
        ["source", "target"])
    anchor_count = anchors.groupby("target").size().reindex(ids, fill_value=0)
    navigator_count = index.neighborhood_navigators.groupby("neighborhood").size().reindex(
        ids, fill_value=0)
    members = index.members_per_neighborhood
    status = frame["committee_status"].to_numpy()
    pairs = adjacency_pairs(index)
    active = status == "active"
    borders_active = np.zeros(len(frame), dtype=bool)
    if len(pairs):
        borders_active[pairs[active[pairs[:, 1]], 0]] = True
    gap_counts, gap_findings = gap_findings_by_neighborhood(index)

    raw = pd.DataFrame({
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
    }, index=ids[candidates])
    fb = raw["foreign_born"].to_numpy(dtype=float)  # a blank figure stays NaN, never 0
    population = raw["population"].to_numpy(dtype=float)
    components = pd.DataFrame({
        "need": _need(fb, population, raw["limited_english"].to_numpy(dtype=float)),
        "readiness": _scaled((raw["anchors"] + raw["navigators"]).to_numpy(dtype=float)),
        "access": _scaled(raw["members"].to_numpy(dtype=float)),
        "adjacency": raw["borders_active"].to_numpy(dtype=float),
        "gaps": _scaled(raw["gap_findings"].to_numpy(dtype=float)),
    }, index=raw.index)

    # Names for the reasons sentences.
    anchor_names: dict[str, list[str]] = {}
    for org_id, neighborhood_id, anchor_type in zip(anchors["source"].tolist(),
                                                    anchors["target"].tolist(),
                                                    anchors["anchor_type"].tolist()):
        anchor_names.setdefault(neighborhood_id, []).append(
            f"{index.name(org_id)} ({ANCHOR_LABELS[anchor_type]})")
    active_neighbours: dict[str, list[str]] = {}
    id_list, name_list = ids.tolist(), frame["name"].tolist()
    if len(pairs):
        for i, j in pairs[active[pairs[:, 1]]].tolist():
            active_neighbours.setdefault(id_list[i], []).append(name_list[j])
    member_names = index.member_names
    details = {n: {"anchors": anchor_names.get(n, []),
                   "active_neighbours": sorted(active_neighbours.get(n, [])),
                   "members": sorted(member_names.get(n, [])),
                   "gaps": gap_findings.get(n, [])} for n in raw.index.tolist()}
    return NeighborhoodSignals(positions=candidates, raw=raw, components=components,
                               details=details)


def _reasons(name: str, status: str, raw: Mapping[str, Any], parts: dict[str, float],
             detail: dict[str, Any]) -> list[str]:
    """Two to four sentences: the strongest contributions first, then what is missing."""
    fb, pop, le, moe = raw["foreign_born"], raw["population"], raw["limited_english"], \
        raw["foreign_born_moe"]
    moe_words = f" (± {moe:,.0f})" if pd.notna(moe) else ""
    share_words = f", {fb / pop:.0%} of its {pop:,.0f} residents" if pd.notna(pop) and pop > 0 \
        and pd.notna(fb) else ""
    le_words = f"; {le:,.0f} speak English less than very well" if pd.notna(le) and le > 0 \
        else ""
    navigators = int(raw["navigators"])
    strong = {
        "need": f"Need: {name} has "
                + ("no foreign-born figure" if pd.isna(fb) else  # no figure is never said as 0
                   f"{fb:,.0f} foreign-born residents{moe_words}{share_words}")
                + f"{le_words}.",
        "readiness": "Ready to host: " + join_names(
            detail["anchors"] + ([plural(navigators, "Cultural Navigator")] if navigators
                                 else []), limit=3)
                     + (" is" if len(detail["anchors"]) + bool(navigators) == 1 else " are")
                     + " already here.",
        "access": f"{plural(raw['members'], 'coalition member')} already "
                  f"{'reaches' if int(raw['members']) == 1 else 'reach'} {name}: "
                  f"{join_names(detail['members'], limit=3)}.",
        "adjacency": f"It borders {join_names(detail['active_neighbours'], limit=3)}, which "
                     f"{'has' if len(detail['active_neighbours']) == 1 else 'have'} an active "
                     "welcoming committee that can help it start.",
        "gaps": f"Gaps found here: {join_names(detail['gaps'], limit=3)}.",
    }
    missing = {
        "need": f"{name} has no foreign-born figure." if pd.isna(fb) else
                f"{name} has no recorded foreign-born residents.",
        "readiness": "No anchor institution (library, school, faith group, neighborhood "
                     "association) or Cultural Navigator is recorded here yet.",
        "access": f"No coalition member reaches {name} yet.",
        "adjacency": "It does not border a neighborhood with an active committee.",
        "gaps": "No gap was found here.",
    }
    ordered = sorted(COMPONENTS, key=lambda c: -parts[c])
    reasons = [strong[c] for c in ordered if parts[c] > 0][:3]
    if status == "forming":
        reasons.append(f"A welcoming committee is already forming in {name}.")
    for component in reversed(ordered):
        if len(reasons) >= 2:
            break
        if parts[component] <= 0:
            reasons.append(missing[component])
    return reasons[:4]


def stability_scores(signals: NeighborhoodSignals, weights: dict[str, float], k: int,
                     runs: int, seed: int) -> np.ndarray:
    """Share of seeded runs in which each candidate ranks in the top ``k``.

    Each run multiplies every weight by U(0.8, 1.2) and draws foreign-born (and limited
    English) counts from a normal distribution with sd = moe / 1.645, clipped at 0.

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
    rng = np.random.default_rng(seed)
    raw = signals.raw
    fb = raw["foreign_born"].to_numpy(dtype=float)  # NaN stays NaN
    fb_sd = np.nan_to_num(raw["foreign_born_moe"].to_numpy(dtype=float), nan=0.0) / MOE_Z
    le = raw["limited_english"].to_numpy(dtype=float)
    le_sd = np.nan_to_num(raw["limited_english_moe"].to_numpy(dtype=float), nan=0.0) / MOE_Z
    population = raw["population"].to_numpy(dtype=float)
    jitter = rng.uniform(1 - WEIGHT_JITTER, 1 + WEIGHT_JITTER, size=(runs, len(COMPONENTS)))
    run_weights = jitter * np.array([weights[c] for c in COMPONENTS])
    fb_draw = np.clip(fb + rng.standard_normal((runs, n)) * fb_sd, 0, None)
    le_draw = np.clip(le + rng.standard_normal((runs, n)) * le_sd, 0, None)  # NaN stays NaN
    need = _need(fb_draw, population, le_draw)
    fixed = signals.components[list(COMPONENTS[1:])].to_numpy(dtype=float)  # n x 4
    scores = run_weights[:, :1] * need + run_weights[:, 1:] @ fixed.T
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return np.bincount(top.ravel(), minlength=n) / runs


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
        (list of sentences), stability (share of runs in the top k; None if not computed).
    plan : dict
        :func:`coalition.analysis.plan_committees` for the same k and rule.
    """

    weights: dict[str, float]
    candidates: pd.DataFrame
    plan: dict[str, Any]
    k: int = DEFAULT_K
    stability_runs: int = DEFAULT_STABILITY_RUNS

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``{"weights", "candidates": [...], "plan"}``."""
        candidates = []
        for row in frame_records(self.candidates):
            candidates.append({
                "neighborhood_id": row["neighborhood_id"], "name": row["name"],
                "rank": row["rank"], "score": row["score"],
                "components": {c: row[c] for c in COMPONENTS},
                "parts": {c: row[f"part_{c}"] for c in COMPONENTS},
                "committee_status": row["committee_status"],
                "foreign_born": whole(row["foreign_born"]),
                "reasons": row["reasons"], "stability": row["stability"],
            })
        return {"weights": json_value(self.weights), "k": self.k,
                "stability_runs": self.stability_runs, "candidates": candidates,
                "plan": json_value(self.plan)}


def candidate_positions(index: GraphIndex) -> np.ndarray:
    """Positions of the neighborhoods without an active committee."""
    return np.flatnonzero((index.neighborhoods["committee_status"] != "active").to_numpy())


def check_k(k: Any, available: int) -> int:
    """Validate the number of next committees against the candidates available."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise AnalysisError(f"k must be a whole number of committees, 1 or more; got {k!r}.")
    if k > available:
        raise AnalysisError(
            f"k={k} is more than the {available} neighborhood(s) without an active committee: "
            f"choose k between 1 and {available}.")
    return int(k)


def rank_from_index(index: GraphIndex, weights: Mapping[str, Any] | None = None, *,
                    k: int = DEFAULT_K, rule: str = "own", distance_km: float = 1.0,
                    stability_runs: int = DEFAULT_STABILITY_RUNS, seed: int = DEFAULT_SEED,
                    include_plan: bool = True) -> RankReport:
    """:func:`rank_candidates` on an already built :class:`GraphIndex`."""
    checked = validate_weights(weights)
    check_rule(rule, distance_km)
    if isinstance(stability_runs, bool) or not isinstance(stability_runs, (int, np.integer)) \
            or stability_runs < 0:
        raise AnalysisError(f"stability_runs must be 0 or a positive whole number, got "
                            f"{stability_runs!r}.")
    candidates = candidate_positions(index)
    if len(candidates) == 0:
        raise AnalysisError("Every neighborhood already has an active welcoming committee: "
                            "there is no candidate to rank.")
    k = check_k(k, len(candidates))
    signals = neighborhood_signals(index, candidates)
    components = signals.components
    frame = index.neighborhoods.iloc[candidates]
    table = pd.DataFrame({"neighborhood_id": components.index.to_list(),
                          "name": frame["name"].to_list(),
                          "committee_status": frame["committee_status"].to_list()})
    score = np.zeros(len(table))
    for component in COMPONENTS:
        values = components[component].to_numpy(dtype=float)
        table[component] = values
        part = checked[component] * values
        table[f"part_{component}"] = part
        score = score + part  # summed in component order: the parts add up to the score
    table["score"] = score
    table["foreign_born"] = signals.raw["foreign_born"].to_numpy()
    table["stability"] = (stability_scores(signals, checked, k, stability_runs, seed)
                          if stability_runs > 0 else None)
    reasons = []
    part_rows = table[[f"part_{c}" for c in COMPONENTS]].to_numpy(dtype=float)
    raw_rows = signals.raw.to_dict("records")
    for position, (neighborhood_id, name, status) in enumerate(zip(
            table["neighborhood_id"].tolist(), table["name"].tolist(),
            table["committee_status"].tolist())):
        parts = dict(zip(COMPONENTS, part_rows[position].tolist()))
        reasons.append(_reasons(name, status, raw_rows[position], parts,
                                signals.details[neighborhood_id]))
    table["reasons"] = reasons
    table = table.assign(_fb=table["foreign_born"].fillna(0)).sort_values(
        ["score", "_fb", "name"], ascending=[False, False, True], kind="mergesort").drop(
        columns="_fb").reset_index(drop=True)
    table.insert(2, "rank", np.arange(1, len(table) + 1))
    columns = ["neighborhood_id", "name", "rank", "score", *COMPONENTS,
               *(f"part_{c}" for c in COMPONENTS), "committee_status", "foreign_born",
               "reasons", "stability"]
    table = table[columns]
    plan: dict[str, Any] = {}
    if include_plan:
        from .planning import plan_from_index  # planning needs ranking; avoid an import cycle
        plan = plan_from_index(index, k, rule=rule, distance_km=distance_km, ranking=table)
    return RankReport(weights=checked, candidates=table, plan=plan, k=k,
                      stability_runs=int(stability_runs))


def rank_candidates(G: nx.MultiDiGraph, weights: Mapping[str, Any] | None = None, *,
                    k: int = DEFAULT_K, rule: str = "own", distance_km: float = 1.0,
                    stability_runs: int = DEFAULT_STABILITY_RUNS,
                    seed: int = DEFAULT_SEED) -> RankReport:
    """Rank the neighborhoods without an active committee as places for the next one.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph.
    weights : mapping, optional
        Weights of ``need``, ``readiness``, ``access``, ``adjacency`` and ``gaps`` (missing
        ones count as 0). Defaults to :data:`DEFAULT_WEIGHTS`.
    k : int
        Size of the top group for stability, and of the plan.
    rule, distance_km
        Coverage rule of the plan (see :func:`coalition.analysis.coverage_report`).
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
        Bad weights, k outside 1..candidates, unknown rule, no candidate.

    Examples
    --------
    >>> report = rank_candidates(G, k=1)  # doctest: +SKIP
    >>> report.candidates.loc[0, "name"]  # doctest: +SKIP
    'Cedar'
    """
    return rank_from_index(as_index(G), weights, k=k, rule=rule, distance_km=distance_km,
                           stability_runs=stability_runs, seed=seed)
