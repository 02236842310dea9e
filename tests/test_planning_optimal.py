"""The k-plan is optimal: checked against brute force over every k-subset on small random cities.

Each city is a small synthetic grid (random figures, random active committees). Some cities get
tiny foreign-born counts (0-3) so that many plans tie and many candidates add nothing: the cases
where a solver's tolerance, the exact shortlist or the "drop what adds nothing" step could go
wrong. The brute force reads the same coverage matrix (the coverage rules themselves are tested
in test_analysis_coverage.py and test_analysis_rank.py) and tries every k-subset of the
neighborhoods without an active committee.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import plan_of

from coalition.analysis.geometry import coverage_matrix
from coalition.analysis.graph_index import as_index
from coalition.analysis.planning import METHOD_MCLP
from coalition.analysis.synthetic import make_synthetic_graph

RULES = [("own", 1.0), ("adjacent", 1.0), ("distance", 1.2), ("distance", 2.5)]


def random_city(seed: int, tiny_counts: bool):
    rng = np.random.default_rng(seed)
    areas = int(rng.integers(6, 17))
    graph = make_synthetic_graph(orgs=20, ties=120, areas=areas, seed=seed).copy()
    hoods = [n for n, d in graph.nodes(data=True) if d.get("kind") == "neighborhood"]
    if tiny_counts:
        for node in hoods:
            graph.nodes[node]["foreign_born"] = float(rng.integers(0, 4))
    return graph


class Problem:
    """One city under one coverage rule, as plain arrays the brute force can read."""

    def __init__(self, index, rule: str, distance_km: float):
        frame = index.neighborhoods
        self.ids = frame.index
        self.reach = coverage_matrix(index, rule, distance_km).toarray()
        self.weight = np.clip(np.nan_to_num(frame["foreign_born"].to_numpy(dtype=float)), 0, None)
        active = (frame["committee_status"] == "active").to_numpy()
        self.already = self.reach[active].any(axis=0)
        self.candidates = np.flatnonzero(~active)

    def newly_covered(self, positions) -> float:
        if len(positions) == 0:
            return 0.0
        return float(self.weight[self.reach[list(positions)].any(axis=0) & ~self.already].sum())

    def brute_force(self, k: int) -> float:
        """Best newly covered foreign-born over every k-subset of the candidates."""
        return max(
            self.newly_covered(combo) for combo in itertools.combinations(self.candidates, k)
        )


@pytest.mark.parametrize("seed", range(16))
def test_plan_equals_brute_force_on_random_small_cities(seed):
    graph = random_city(seed, tiny_counts=seed % 3 == 0)
    index = as_index(graph)
    rng = np.random.default_rng(1000 + seed)
    for rule, distance_km in RULES:
        problem = Problem(index, rule, distance_km)
        k = int(rng.integers(1, min(4, len(problem.candidates)) + 1))
        plan = plan_of(index, k, {"need": 1}, rule=rule, distance_km=distance_km)
        best = problem.brute_force(k)
        picks = problem.ids.get_indexer([s.neighborhood_id for s in plan.selected])
        label = f"seed={seed} rule={rule} d={distance_km} k={k}"
        assert plan.newly_covered == pytest.approx(best), label
        # The plan's own picks really cover that much and are k distinct candidates (none of
        # them with an active committee already).
        assert problem.newly_covered(picks) == pytest.approx(best), label
        assert len(set(picks)) == k and set(picks) <= set(problem.candidates), label
        if best > 0:
            assert plan.method == METHOD_MCLP, label
        # Each pick said to add coverage is needed: without it, the plan covers less.
        adding = picks[: plan.committees_adding_coverage]
        for pick in adding:
            assert problem.newly_covered([p for p in adding if p != pick]) < best, label


def test_every_candidate_in_play_when_k_equals_the_candidates():
    graph = random_city(7, tiny_counts=False)
    problem = Problem(as_index(graph), "adjacent", 1.0)
    k = len(problem.candidates)
    plan = plan_of(graph, k, {"need": 1}, rule="adjacent")
    best = problem.brute_force(k)
    assert plan.newly_covered == pytest.approx(best)
    assert plan.foreign_born_covered_after == pytest.approx(plan.foreign_born_covered_before + best)


def test_ties_go_to_the_earliest_shortlisted_candidate():
    # Every area has the same count and the "own" rule: every k-subset ties. The plan must be
    # the same on every run and be the top of the ranking (the shortlist's tie-break).
    graph = random_city(3, tiny_counts=False)
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "neighborhood":
            graph.nodes[node]["foreign_born"] = 100.0
    plans = [plan_of(graph, 3, {"need": 1}, rule="own") for _ in range(3)]
    picks = [[s.neighborhood_id for s in p.selected] for p in plans]
    assert picks[0] == picks[1] == picks[2]
    top = [t["neighborhood_id"] for t in plans[0].top_k_by_score]
    assert sorted(picks[0]) == sorted(top)
