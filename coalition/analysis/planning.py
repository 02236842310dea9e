"""Plan the next k welcoming committees (maximal covering location) and ask "what if".

The plan maximises newly covered foreign-born residents with the existing active committees
fixed, as a maximal covering location problem: a small mixed-integer program built from the
sparse coverage matrix and solved to proven optimality by HiGHS (``scipy.optimize.milp``).

Exact shortlist: before solving, candidates are cut to the top M by their own gain (newly
covered foreign-born residents if chosen alone), with M = (k - 1) x D + 1 where D is the largest
number of candidates that share an uncovered resident with any one candidate. A swap argument
shows some optimal plan lies inside that shortlist: any chosen candidate outside it can be
swapped for a shortlisted one that overlaps none of the other k - 1 choices and gains at least
as much. So the shortlist loses nothing; it only shrinks the model (docs/analysis.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import AnalysisError
from ..i18n import N_, _, ngettext
from ..values import json_value, whole
from .coverage import coverage_report
from .geometry import check_rule, coverage_matrix, positions_of
from .graph_index import GraphIndex, as_index, figure, join_names
from .graph_index import percent as percent_words
from .provenance import illustrative_ids
from .replication import RankReport, candidate_positions, fit_k

if TYPE_CHECKING:
    from scipy.optimize import LinearConstraint

logger = logging.getLogger(__name__)

METHOD_MCLP = N_("MCLP (exact MILP, HiGHS)")  # a name, translated where shown
# A gain resting on a neighborhood of fewer residents than this, or on a foreign-born figure no
# larger than its margin of error, is flagged in the plan's explanation.
TINY_POPULATION = 100


@dataclass(frozen=True)
class PlanPick:
    """One neighborhood the plan chooses.

    Attributes
    ----------
    neighborhood_id, name : str
        The neighborhood.
    foreign_born_if_alone : int or float
        Foreign-born residents it would newly cover if it were the only new committee.
    covers : list of str
        Names of the neighborhoods it would newly cover alone.
    adds_coverage : bool
        It adds coverage beside the other picks (``filler`` is the opposite: a place given to
        the best-ranked remaining neighborhood because no pick can add more).
    filler : bool
        See ``adds_coverage``.
    caveats : list of str
        Sentences naming tiny or doubtful figures its gain rests on.
    illustrative : bool
        Its gain rests on illustrative rows (listed in ``illustrative_rows``).
    illustrative_rows : list of str
        Ids of those rows.
    """

    neighborhood_id: str
    name: str
    foreign_born_if_alone: Any
    covers: list[str]
    adds_coverage: bool
    filler: bool
    caveats: list[str]
    illustrative: bool
    illustrative_rows: list[str]


@dataclass(frozen=True)
class PlanReport:
    """The next k committees that cover the most foreign-born residents not yet covered.

    Attributes
    ----------
    k, k_requested : int
        The k used (reduced to the candidates available) and the k asked for.
    notes : list of str
        How the request was adapted (e.g. k reduced).
    rule : str
        The coverage rule; ``distance_km`` its radius (None unless ``rule == "distance"``).
    distance_km : float or None
        See ``rule``.
    method : str
        How the plan was solved (:data:`METHOD_MCLP`, or none needed).
    selected : list of PlanPick
        The picks: first those adding coverage, then fillers in ranking order.
    newly_covered : int or float
        Foreign-born residents the picks newly cover together.
    newly_covered_neighborhoods : list of str
        Names of the neighborhoods they newly cover.
    top_k_by_score : list of dict
        ``neighborhood_id`` and ``name`` of the ranking's top k (the yardstick).
    top_k_by_score_newly_covered, gain_over_top_k
        What the top k would newly cover, and how many more the plan covers.
    foreign_born_covered_before, foreign_born_covered_after, foreign_born_total
        Coverage totals before and after the plan.
    shortlist_size : int
        Candidates the solver considered (the exact shortlist).
    committees_adding_coverage : int
        Picks that add coverage (the rest are ``fillers``).
    fillers : list of str
        Names of the picks that add nothing.
    caveats : list of str
        Sentences naming tiny or doubtful figures the gains rest on.
    illustrative, illustrative_rows
        Whether, and on which rows, the plan rests on illustrative rows.
    explanation : str
        The plan in plain words.
    """

    k: int
    k_requested: int
    notes: list[str]
    rule: str
    distance_km: float | None
    method: str
    selected: list[PlanPick]
    newly_covered: Any
    newly_covered_neighborhoods: list[str]
    top_k_by_score: list[dict[str, str]]
    top_k_by_score_newly_covered: Any
    gain_over_top_k: Any
    foreign_born_covered_before: Any
    foreign_born_covered_after: Any
    foreign_born_total: Any
    shortlist_size: int
    committees_adding_coverage: int
    fillers: list[str]
    caveats: list[str]
    illustrative: bool
    illustrative_rows: list[str]
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: the attributes as keys, ``selected`` as a list of dicts."""
        return json_value(asdict(self))


@dataclass(frozen=True)
class WhatIfReport:
    """Coverage before and after adding active committees in some neighborhoods.

    Attributes
    ----------
    neighborhoods, neighborhood_ids : list of str
        Names and ids of the neighborhoods given hypothetical committees.
    rule : str
        The coverage rule; ``distance_km`` its radius (None unless ``rule == "distance"``).
    distance_km : float or None
        See ``rule``.
    before, after : dict
        :attr:`CoverageReport.summary` without and with the hypothetical committees.
    newly_covered_foreign_born : int or float
        Foreign-born residents newly covered.
    newly_covered_neighborhoods : list of str
        Names of the neighborhoods newly covered.
    share_before, share_after : float or None
        Share of foreign-born residents covered (None when no neighborhood has a figure).
    explanation : str
        The change in plain words.
    """

    neighborhoods: list[str]
    neighborhood_ids: list[str]
    rule: str
    distance_km: float | None
    before: dict[str, Any]
    after: dict[str, Any]
    newly_covered_foreign_born: Any
    newly_covered_neighborhoods: list[str]
    share_before: float | None
    share_after: float | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: the attributes as keys."""
        return json_value(asdict(self))


def _gain(
    matrix: sparse.csr_matrix, chosen: np.ndarray, weights: np.ndarray, already: np.ndarray
) -> tuple[float, np.ndarray]:
    """Newly covered weight of a set of committee positions, and the newly covered mask."""
    if len(chosen) == 0:
        return 0.0, np.zeros(len(weights), dtype=bool)
    covered = np.asarray(matrix[chosen].sum(axis=0)).ravel() > 0
    new = covered & ~already
    return float(weights[new].sum()), new


def _solve_milp(
    objective: np.ndarray, constraints: list[LinearConstraint], integrality: np.ndarray
) -> np.ndarray:
    from scipy.optimize import Bounds, milp  # the solver: ~0.3 s to import, only for a plan

    result = milp(
        objective,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:  # cannot happen for this model (choosing any k is feasible)
        raise AnalysisError(
            f"The plan's solver found no solution ({result.message}); please "
            "report this with the city's files."
        )
    return np.asarray(result.x)


def _solve_mclp(
    matrix: sparse.csr_matrix,
    weights: np.ndarray,
    already: np.ndarray,
    shortlist: np.ndarray,
    k: int,
) -> np.ndarray:
    """Solve the maximal covering problem exactly; return the chosen shortlist positions.

    The existing committees stay fixed: what they reach is ``already`` covered and gains nothing.
    Binary ``x_j`` (candidate j chosen) and ``0 <= y_i <= 1`` (resident group i newly covered),
    both built from the sparse coverage matrix without a loop over cells::

        maximise  sum_i w_i y_i   subject to   y_i <= sum_j a_ij x_j,   sum_j x_j = k

    At integral ``x`` the best ``y_i`` is 0 or 1, so ``y`` need not be integral. The MILP is
    solved by HiGHS (``scipy.optimize.milp``) with a relative gap of 0, i.e. to proven optimality.
    Among equally good plans, a second solve keeps the one whose picks come earliest in the
    shortlist (largest own gain, then best ranked), so ties never depend on the solver.
    """
    if k >= len(shortlist):  # choosing every candidate is the only plan: nothing to solve
        return shortlist.astype(np.int64)
    from scipy.optimize import LinearConstraint  # the solver: only when there is a choice

    covers = matrix[shortlist].tocsc()
    clients = np.flatnonzero((np.diff(covers.indptr) > 0) & ~already & (weights > 0))
    covers = covers[:, clients].T.tocsr().astype(float)  # clients x candidates: 1 = reaches
    n_picks, n_clients = len(shortlist), len(clients)
    gain = weights[clients].astype(float)
    # Rows: y_i - sum_j a_ij x_j <= 0 for every client, then sum_j x_j = k.
    rows = sparse.vstack(
        [
            sparse.hstack([-covers, sparse.identity(n_clients, format="csr")]),
            sparse.hstack(
                [sparse.csr_matrix(np.ones((1, n_picks))), sparse.csr_matrix((1, n_clients))]
            ),
        ]
    ).tocsr()
    lower = np.concatenate([np.full(n_clients, -np.inf), [k]])
    upper = np.concatenate([np.zeros(n_clients), [k]])
    cover_rows = LinearConstraint(rows, lower, upper)
    integrality = np.concatenate([np.ones(n_picks), np.zeros(n_clients)])

    def picks(x: np.ndarray) -> np.ndarray:
        return np.flatnonzero(x[:n_picks] > 0.5)

    def newly(chosen: np.ndarray) -> float:
        return float(gain[np.asarray(covers[:, chosen].sum(axis=1)).ravel() > 0].sum())

    best = picks(_solve_milp(np.concatenate([np.zeros(n_picks), -gain]), [cover_rows], integrality))
    # The same best coverage, with the earliest shortlist positions (a tie-break only).
    optimum = newly(best)
    at_optimum = LinearConstraint(
        np.concatenate([np.zeros(n_picks), gain])[np.newaxis, :],
        optimum - 1e-6 * max(1.0, optimum),
        np.inf,
    )
    order = np.concatenate([np.arange(1, n_picks + 1, dtype=float), np.zeros(n_clients)])
    earliest = picks(_solve_milp(order, [cover_rows, at_optimum], integrality))
    if len(earliest) == len(best) and newly(earliest) >= optimum:
        best = earliest
    return shortlist[best].astype(np.int64)


def _drop_redundant(
    matrix: sparse.csr_matrix,
    chosen: np.ndarray,
    weights: np.ndarray,
    already: np.ndarray,
    rank_of: np.ndarray,
) -> np.ndarray:
    """Drop chosen committees that add nothing beside the others, worst-ranked first.

    When fewer than k committees reach everyone the rule can reach, the solver may fill the
    plan with any neighborhoods at all; those places are better given to the best-ranked ones.
    """
    keep = [int(p) for p in chosen]
    best, _extra = _gain(matrix, np.array(keep, dtype=np.int64), weights, already)
    for position in sorted(keep, key=lambda p: -rank_of[p]):
        rest = np.array([p for p in keep if p != position], dtype=np.int64)
        if _gain(matrix, rest, weights, already)[0] >= best:
            keep.remove(position)
    return np.array(keep, dtype=np.int64)


def _caveats(
    frame: pd.DataFrame, pick: str, covered: np.ndarray, weights: np.ndarray, gain: float
) -> list[str]:
    """Sentences naming the tiny or doubtful figures a pick's gain rests on.

    A covered neighborhood is flagged when it has fewer than :data:`TINY_POPULATION`
    residents, more foreign-born residents than residents, or a foreign-born margin of error
    at least as large as the figure itself.
    """
    if gain <= 0:
        return []
    population = frame["population"].to_numpy(dtype=float)
    foreign_born = frame["foreign_born"].to_numpy(dtype=float)
    moe = frame["foreign_born_moe"].to_numpy(dtype=float)
    names = frame["name"].to_numpy()
    sentences = []
    for position in np.flatnonzero(covered & (weights > 0)).tolist():
        pop, fb, margin = population[position], foreign_born[position], moe[position]
        if np.isfinite(pop) and pop < TINY_POPULATION:
            template = _(
                "{name} has only {population} residents, and {share} of {pick}'s gain rests on it."
            )
        elif np.isfinite(pop) and fb > pop:
            template = _(
                "{name}'s {foreign_born} foreign-born residents are more than its {population} "
                "residents, and {share} of {pick}'s gain rests on it."
            )
        elif np.isfinite(margin) and margin >= fb:
            template = _(
                "{name}'s figure of {foreign_born} foreign-born residents has a margin of error "
                "of ± {margin}, as large as the figure, and {share} of {pick}'s gain rests on it."
            )
        else:
            continue
        sentences.append(
            template.format(
                name=names[position],
                population=figure(pop) if np.isfinite(pop) else "",
                foreign_born=figure(fb),
                margin=figure(margin) if np.isfinite(margin) else "",
                share=percent_words(weights[position] / gain),
                pick=pick,
            )
        )
    return sentences


def plan_committees(
    graph: nx.MultiDiGraph | GraphIndex,
    k: int,
    *,
    ranking: RankReport,
    rule: str = "own",
    distance_km: float = 1.0,
) -> PlanReport:
    """Choose the next k committees to cover the most foreign-born residents not yet covered.

    Existing active committees stay fixed. Solved exactly as a maximal covering location
    problem (a MILP solved by HiGHS) on an exact shortlist of candidates (see the module
    docstring).

    Parameters
    ----------
    graph : networkx.MultiDiGraph or GraphIndex
        The coalition graph, or its index built once.
    k : int
        Number of new committees, 1 or more (reduced to the neighborhoods without an active
        committee when larger: ``notes`` and the explanation say so).
    rule, distance_km
        Coverage rule (see :func:`coalition.analysis.coverage_report`).
    ranking : RankReport
        The ranking the plan is compared with (:func:`coalition.analysis.rank_candidates` on
        the same graph): its top k are the plan's yardstick, and its order breaks ties and
        fills places that add no coverage.

    Returns
    -------
    PlanReport
        ``k``, ``method``, ``selected`` (ids, names, what each covers), ``newly_covered``,
        ``top_k_by_score_newly_covered``, ``gain_over_top_k``, before/after totals,
        ``fillers`` (picks that add nothing and follow the ranking), ``caveats`` (gains resting
        on tiny or doubtful figures), ``illustrative``/``illustrative_rows``, ``notes`` and an
        ``explanation``.

    Raises
    ------
    AnalysisError
        k not a whole number of 1 or more, unknown rule or bad distance.

    Examples
    --------
    >>> ranking = rank_candidates(G, {"adjacency": 1}, k=2, stability_runs=0)  # doctest: +SKIP
    >>> plan_committees(G, 2, ranking=ranking).newly_covered  # doctest: +SKIP
    500
    """
    index = as_index(graph)
    check_rule(rule, distance_km)
    candidates = candidate_positions(index)
    k_requested = k
    k, note = fit_k(k, len(candidates))
    ranked = ranking.candidates
    frame = index.neighborhoods
    names = frame["name"].to_numpy()
    weights_fb = np.nan_to_num(frame["foreign_born"].to_numpy(dtype=float), nan=0.0)
    weights_fb = np.clip(weights_fb, 0, None)
    matrix = coverage_matrix(index, rule, distance_km)
    existing = np.flatnonzero(index.has_active_committee)
    already = (
        np.asarray(matrix[existing].sum(axis=0)).ravel() > 0
        if len(existing)
        else np.zeros(len(frame), dtype=bool)
    )
    uncovered_weight = np.where(already, 0.0, weights_fb)
    own_gain = np.asarray(matrix[candidates] @ uncovered_weight).ravel()

    useful = candidates[own_gain > 0]
    useful_gain = own_gain[own_gain > 0]
    method = METHOD_MCLP
    # Position in the ranking of every neighborhood (unranked ones last): breaks ties.
    rank_of = np.full(len(frame), len(frame), dtype=np.int64)
    rank_of[pd.Index(frame.index).get_indexer(ranked["neighborhood_id"])] = np.arange(len(ranked))
    if len(useful) == 0:
        chosen = np.empty(0, dtype=np.int64)
        method = N_("none needed (no candidate adds coverage)")
        shortlist = useful
    else:
        positive_clients = uncovered_weight > 0
        sub = matrix[useful][:, positive_clients].astype(np.int64)
        overlap = (sub @ sub.T).tocsr()
        most_overlapping = int(np.diff(overlap.indptr).max())
        size = min(len(useful), (k - 1) * most_overlapping + 1)
        # Gain desc, then the ranking's order, so ties go to the better-ranked neighborhood.
        order = np.lexsort((rank_of[useful], -useful_gain))
        shortlist = useful[order[:size]]
        k_useful = min(k, len(shortlist))
        logger.debug("plan: exact MCLP over %d candidates", len(shortlist))
        chosen = _solve_mclp(matrix, weights_fb, already, shortlist, k_useful)
    chosen = _drop_redundant(matrix, chosen, weights_fb, already, rank_of)
    needed = len(chosen)
    # Fill up to k with the best-ranked remaining candidates (they add no coverage).
    position_of = pd.Index(frame.index)
    ranked_positions = position_of.get_indexer(ranked["neighborhood_id"])
    taken = set(chosen.tolist())
    fill = [p for p in ranked_positions.tolist() if p not in taken][: k - len(chosen)]
    chosen = np.concatenate([chosen, np.array(fill, dtype=np.int64)])

    newly, newly_mask = _gain(matrix, chosen, weights_fb, already)
    top_k = ranked_positions[:k]
    top_newly, _extra = _gain(matrix, top_k, weights_fb, already)
    flagged = illustrative_ids(index)
    ids = frame.index
    selected = []
    caveats_all: list[str] = []
    labelled: set[str] = set()
    for rank, position in enumerate(chosen.tolist()):
        alone, alone_mask = _gain(matrix, np.array([position]), weights_fb, already)
        filler = rank >= needed
        caveats = [] if filler else _caveats(frame, names[position], alone_mask, weights_fb, alone)
        caveats_all.extend(caveats)
        rows = sorted({str(n) for n in [ids[position], *ids[alone_mask].tolist()] if n in flagged})
        labelled.update(rows)
        selected.append(
            PlanPick(
                neighborhood_id=str(ids[position]),
                name=str(names[position]),
                foreign_born_if_alone=whole(alone),
                covers=sorted(names[alone_mask].tolist()),
                adds_coverage=not filler,
                filler=filler,
                caveats=caveats,
                illustrative=bool(rows),
                illustrative_rows=rows,
            )
        )
    total = float(weights_fb.sum())
    before = float(weights_fb[already].sum())
    gain = newly - top_newly
    chosen_names = [s.name for s in selected]
    top_names = [names[p] for p in top_k]
    values = {
        "committees": ngettext("{count} committee", "{count} committees", k).format(
            count=figure(k)
        ),
        "chosen": join_names(chosen_names),
        "newly": figure(newly),
        "gain": figure(gain),
        "k": k,
        "top": join_names(top_names),
        "top_newly": figure(top_newly),
        "before": figure(before),
        "after": figure(before + newly),
        "total": figure(total),
    }
    explanation = (
        _(
            "Starting {committees} in {chosen} would newly cover {newly} foreign-born "
            "residents, {gain} more than starting in the top {k} by score ({top}: "
            "{top_newly}); coverage would go from {before} to {after} of {total}."
        )
        if gain > 0
        else _(
            "Starting {committees} in {chosen} would newly cover {newly} foreign-born "
            "residents, the same as starting in the top {k} by score ({top}); coverage would "
            "go from {before} to {after} of {total}."
        )
    ).format(**values)
    fillers = chosen_names[needed:]
    if fillers:
        filler_values = {
            "fillers": join_names(fillers),
            "committees": ngettext("{count} committee", "{count} committees", needed).format(
                count=figure(needed)
            ),
            "reaching": join_names(chosen_names[:needed]),
        }
        explanation += " " + (
            ngettext(
                "{fillers} adds no newly covered residents: {committees} ({reaching}) already "
                "reach everyone this coverage rule can reach, so it fills the plan from the "
                "ranking.",
                "{fillers} add no newly covered residents: {committees} ({reaching}) already "
                "reach everyone this coverage rule can reach, so they fill the plan from the "
                "ranking.",
                len(fillers),
            )
            if needed
            else ngettext(
                "{fillers} adds no newly covered residents: no new committee adds coverage "
                "under this rule, so it fills the plan from the ranking.",
                "{fillers} add no newly covered residents: no new committee adds coverage "
                "under this rule, so they fill the plan from the ranking.",
                len(fillers),
            )
        ).format(**filler_values)
    if caveats_all:
        explanation += " " + _("Caution: {caveats}").format(caveats=" ".join(caveats_all))
    notes = [note] if note else []
    if note:
        explanation = f"{note} {explanation}"
    return PlanReport(
        k=k,
        k_requested=int(k_requested),
        notes=notes,
        rule=rule,
        distance_km=float(distance_km) if rule == "distance" else None,
        method=method,
        selected=selected,
        newly_covered=whole(newly),
        newly_covered_neighborhoods=sorted(names[newly_mask].tolist()),
        top_k_by_score=[{"neighborhood_id": ids[p], "name": names[p]} for p in top_k],
        top_k_by_score_newly_covered=whole(top_newly),
        gain_over_top_k=whole(gain),
        foreign_born_covered_before=whole(before),
        foreign_born_covered_after=whole(before + newly),
        foreign_born_total=whole(total),
        shortlist_size=int(len(shortlist)),
        committees_adding_coverage=int(needed),
        fillers=fillers,
        caveats=caveats_all,
        illustrative=bool(labelled),
        illustrative_rows=sorted(labelled),
        explanation=explanation,
    )


def what_if(
    graph: nx.MultiDiGraph | GraphIndex,
    neighborhood_ids: Iterable[str],
    *,
    rule: str = "own",
    distance_km: float = 1.0,
) -> WhatIfReport:
    """Coverage before and after adding active committees in some neighborhoods.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or GraphIndex
        The coalition graph, or its index built once.
    neighborhood_ids : iterable of str
        Where the hypothetical committees start.
    rule, distance_km
        Coverage rule (see :func:`coalition.analysis.coverage_report`).

    Returns
    -------
    WhatIfReport
        ``before``/``after`` summaries, ``newly_covered_foreign_born``,
        ``newly_covered_neighborhoods``, ``share_before``, ``share_after``, ``explanation``.

    Raises
    ------
    AnalysisError
        Empty or unknown neighborhood ids, unknown rule.

    Examples
    --------
    >>> what_if(G, ["cedar"]).share_after  # doctest: +SKIP
    0.7
    """
    index = as_index(graph)
    ids = [neighborhood_ids] if isinstance(neighborhood_ids, str) else list(neighborhood_ids)
    if not ids:
        raise AnalysisError("Name at least one neighborhood id for the what-if.")
    positions_of(index, ids)  # unknown ids raise with a helpful message
    before = coverage_report(index, rule=rule, distance_km=distance_km)
    after = coverage_report(index, rule=rule, distance_km=distance_km, extra_committees=ids)
    was = dict(zip(before.neighborhoods["id"], before.neighborhoods["covered"], strict=False))
    newly = [
        row["name"]
        for row in after.neighborhoods.to_dict("records")
        if row["covered"] and not was[row["id"]]
    ]
    gained = after.summary["foreign_born_covered"] - before.summary["foreign_born_covered"]
    share_before = before.summary["share_foreign_born_covered"]
    share_after = after.summary["share_foreign_born_covered"]
    chosen = [index.name(n) for n in ids]

    def percent(share: float | None) -> str:
        return _("n/a") if share is None else percent_words(share)

    explanation = (
        ngettext(
            "With committees also in {chosen}, {newly} would become covered: {gained} more "
            "foreign-born residents, from {before} to {after}.",
            "With committees also in {chosen}, {newly} would become covered: {gained} more "
            "foreign-born residents, from {before} to {after}.",
            len(newly),
        )
        if newly
        else _(
            "With committees also in {chosen}, no neighborhood would become newly covered "
            "(they are covered already)."
        )
    ).format(
        chosen=join_names(chosen),
        newly=join_names(newly),
        gained=figure(gained) if newly else "",
        before=percent(share_before),
        after=percent(share_after),
    )
    return WhatIfReport(
        neighborhoods=chosen,
        neighborhood_ids=ids,
        rule=rule,
        distance_km=float(distance_km) if rule == "distance" else None,
        before=before.summary,
        after=after.summary,
        newly_covered_foreign_born=gained,
        newly_covered_neighborhoods=newly,
        share_before=share_before,
        share_after=share_after,
        explanation=explanation,
    )
