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

import importlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..settings import (
    DEFAULT_K,
    DEFAULT_SEED,
    DEFAULT_STABILITY_RUNS,
    SMALL_COUNT_THRESHOLD,
)

if TYPE_CHECKING:
    import networkx as nx

    from .coverage import CoverageReport, coverage_report
    from .gaps import GAP_FAMILIES, GapReport, bridging_pairs, find_gaps
    from .graph_index import COVERAGE_RULES, GraphIndex, as_index, index_graph
    from .membership import is_member, member_view, non_member_ids
    from .planning import PlanPick, PlanReport, WhatIfReport, plan_committees, what_if
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
        validate_weights,
    )

# The submodule that defines each public name. Each is imported on first use (PEP 562), so a
# command that needs the gaps alone never loads the plan's solver (scipy.optimize), and
# `from coalition.analysis import find_gaps` still works.
_WHERE = {
    **dict.fromkeys(["CoverageReport", "coverage_report"], "coverage"),
    **dict.fromkeys(["GAP_FAMILIES", "GapReport", "bridging_pairs", "find_gaps"], "gaps"),
    **dict.fromkeys(["COVERAGE_RULES", "GraphIndex", "as_index", "index_graph"], "graph_index"),
    **dict.fromkeys(["is_member", "member_view", "non_member_ids"], "membership"),
    **dict.fromkeys(
        ["PlanPick", "PlanReport", "WhatIfReport", "plan_committees", "what_if"], "planning"
    ),
    **dict.fromkeys(
        ["ILLUSTRATIVE_MARK", "illustrative_counts", "illustrative_ids", "is_illustrative"],
        "provenance",
    ),
    **dict.fromkeys(
        [
            "COMPONENTS",
            "DEFAULT_WEIGHTS",
            "RankReport",
            "gap_findings_by_neighborhood",
            "rank_candidates",
            "validate_weights",
        ],
        "replication",
    ),
}


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` on first access (PEP 562).

    Examples
    --------
    >>> from coalition.analysis import COVERAGE_RULES
    >>> COVERAGE_RULES
    ('own', 'adjacent', 'distance')
    """
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


logger = logging.getLogger(__name__)


def refresh(
    graph: nx.MultiDiGraph | GraphIndex,
    *,
    weights: Mapping[str, Any] | None = None,
    k: int = DEFAULT_K,
    rule: str = "own",
    distance_km: float = 1.0,
    stability_runs: int = DEFAULT_STABILITY_RUNS,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Every analysis in one call, reading the graph once: gaps, coverage, ranking and plan.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or GraphIndex
        The coalition graph, or its index.
    weights, k, rule, distance_km, stability_runs, seed
        As in :func:`rank_candidates`, :func:`plan_committees` and :func:`coverage_report`.
        The plan is given the ranking to compare with, and the k asked for (it reduces k to
        the candidates available as the ranking does, and says so).

    Returns
    -------
    dict
        ``{"gaps": GapReport, "coverage": CoverageReport, "rank": RankReport,
        "plan": PlanReport}`` (call ``.to_dict()`` on the reports for JSON).

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
    from ..model import gc_paused
    from .coverage import coverage_report
    from .gaps import find_gaps
    from .graph_index import as_index
    from .planning import plan_committees
    from .replication import rank_candidates

    # The analyses make millions of short-lived objects and no reference cycles; a full
    # collection over a 100,000-organization index costs 5-7 s and fell once or twice per
    # refresh (about 15% of it), so the collector waits until the refresh is done.
    with gc_paused():
        index = as_index(graph)
        gaps = find_gaps(index)
        coverage = coverage_report(index, rule=rule, distance_km=distance_km)
        rank = rank_candidates(index, weights, k=k, stability_runs=stability_runs, seed=seed)
        plan = plan_committees(index, k, ranking=rank, rule=rule, distance_km=distance_km)
    return {"gaps": gaps, "coverage": coverage, "rank": rank, "plan": plan}


__all__ = [
    "COMPONENTS",
    "COVERAGE_RULES",
    "DEFAULT_WEIGHTS",
    "GAP_FAMILIES",
    # illustrative rows and coalition membership (shared with the dashboard's counts)
    "ILLUSTRATIVE_MARK",
    "SMALL_COUNT_THRESHOLD",
    "CoverageReport",
    "GapReport",
    "GraphIndex",
    "PlanPick",
    "PlanReport",
    "RankReport",
    "WhatIfReport",
    "as_index",
    "bridging_pairs",
    "coverage_report",
    "find_gaps",
    "gap_findings_by_neighborhood",
    "illustrative_counts",
    "illustrative_ids",
    # every analysis takes a graph or an index built once (what refresh and the dashboard use)
    "index_graph",
    "is_illustrative",
    "is_member",
    "member_view",
    "non_member_ids",
    "plan_committees",
    "rank_candidates",
    "refresh",
    "validate_weights",
    "what_if",
]
