"""Analyses: coalition gaps, welcoming-committee coverage, replication candidates and the k-plan.

Pure functions from the coalition graph (:func:`coalition.model.build_graph`) to DataFrames and
records; none touches the store or draws. Every finding carries a plain-language
``explanation`` (gaps, coverage) or ``reasons`` (candidates) that names organizations,
communities and neighborhoods by name, and says whether it rests on illustrative rows
(``illustrative``, ``illustrative_rows``). Methods in plain words: docs/analysis.md.

Small counts are not suppressed here (the numbers must add up); shared views suppress counts
below :data:`SMALL_COUNT_THRESHOLD`.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

import networkx as nx

from ..settings import (
    DEFAULT_K,
    DEFAULT_SEED,
    DEFAULT_STABILITY_RUNS,
    SMALL_COUNT_THRESHOLD,
)
from .coverage import CoverageReport, coverage_from_index, coverage_report
from .gaps import GAP_FAMILIES, GapReport, bridging_pairs, find_gaps, gaps_from_index
from .graph_index import COVERAGE_RULES, GraphIndex, index_graph
from .membership import is_member, member_view, non_member_ids
from .planning import plan_committees, plan_from_index, what_if, what_if_from_index
from .provenance import (
    ILLUSTRATIVE_MARK,
    illustrative_counts,
    illustrative_ids,
    is_illustrative,
)
from .replication import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    RankReport,
    gap_findings_by_neighborhood,
    rank_candidates,
    rank_from_index,
    validate_weights,
)

logger = logging.getLogger(__name__)


def refresh(G: nx.MultiDiGraph, *, weights: Mapping[str, Any] | None = None,
            k: int = DEFAULT_K, rule: str = "own", distance_km: float = 1.0,
            stability_runs: int = DEFAULT_STABILITY_RUNS, seed: int = DEFAULT_SEED
            ) -> dict[str, Any]:
    """Every analysis in one call, reading the graph once: gaps, coverage, ranking and plan.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph.
    weights, k, rule, distance_km, stability_runs, seed
        As in :func:`rank_candidates` and :func:`coverage_report`.

    Returns
    -------
    dict
        ``{"gaps": GapReport, "coverage": CoverageReport, "rank": RankReport, "plan": dict}``
        (call ``.to_dict()`` on the reports for JSON).

    Raises
    ------
    AnalysisError
        As the analyses it runs.

    Examples
    --------
    >>> results = refresh(G)  # doctest: +SKIP
    >>> results["coverage"].summary["share_foreign_born_covered"]  # doctest: +SKIP
    0.4
    """
    index = index_graph(G)
    gaps = gaps_from_index(index)
    coverage = coverage_from_index(index, rule=rule, distance_km=distance_km)
    rank = rank_from_index(index, weights, k=k, rule=rule, distance_km=distance_km,
                           stability_runs=stability_runs, seed=seed)
    return {"gaps": gaps, "coverage": coverage, "rank": rank, "plan": rank.plan}


__all__ = [
    "coverage_report", "find_gaps", "rank_candidates", "plan_committees", "what_if", "refresh",
    # the same analyses on an index built once (what refresh and the dashboard's cache use)
    "coverage_from_index", "gaps_from_index", "rank_from_index", "plan_from_index",
    "what_if_from_index",
    "CoverageReport", "GapReport", "RankReport", "DEFAULT_WEIGHTS", "COMPONENTS",
    "COVERAGE_RULES", "GAP_FAMILIES", "SMALL_COUNT_THRESHOLD", "validate_weights",
    "index_graph", "GraphIndex", "gap_findings_by_neighborhood", "bridging_pairs",
    # illustrative rows and coalition membership (shared with the dashboard's counts)
    "ILLUSTRATIVE_MARK", "illustrative_counts", "illustrative_ids", "is_illustrative",
    "is_member", "member_view", "non_member_ids",
]
