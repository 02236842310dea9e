"""Where welcoming committees reach: coverage by neighborhood, by resident need, by community."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..values import json_value, whole
from .geometry import check_rule, coverage_pairs, positions_of
from .graph_index import GraphIndex, as_index, join_names, plural
from .provenance import committee_ids_by_name, illustrative_rows


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-safe records (see :func:`json_value`)."""
    return [json_value(row) for row in frame.to_dict("records")]


@dataclass
class CoverageReport:
    """Welcoming-committee coverage under one rule.

    Attributes
    ----------
    neighborhoods : pandas.DataFrame
        id, name, committee_status, population, foreign_born (None when the neighborhood has no
        figure: never 0), foreign_born_moe, covered, covered_by (list of committee names),
        illustrative and illustrative_rows (the row rests on illustrative rows: its own row, its
        population or foreign-born figure, or a committee covering it), explanation.
    summary : dict
        Totals, shares, the rule, an ``explanation`` sentence, and ``illustrative`` /
        ``illustrative_rows`` (every illustrative row behind the neighborhoods' rows). Totals and
        shares count the neighborhoods with a figure only; when some have none,
        ``no_foreign_born_figure`` and/or ``no_population_figure`` list their names (and the
        explanation says so).
    communities : pandas.DataFrame
        id, name, community_kind, residents, residents_covered, share_covered, explanation.
    """

    neighborhoods: pd.DataFrame
    summary: dict[str, Any]
    communities: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``{"neighborhoods", "summary", "communities"}``."""
        return {
            "neighborhoods": frame_records(self.neighborhoods),
            "summary": json_value(self.summary),
            "communities": frame_records(self.communities),
        }


def covered_mask(
    index: GraphIndex, rule: str, distance_km: float, extra_committees: Iterable[str] = ()
) -> tuple[np.ndarray, list[list[str]]]:
    """Which neighborhoods are covered, and by which committees' names.

    Only active committees cover; ``extra_committees`` (neighborhood ids) count as if they had
    one, named "(what if) <neighborhood>".
    """
    frame = index.neighborhoods
    pairs = coverage_pairs(index, rule, distance_km)
    active = index.has_active_committee
    labels: list[list[str]] = [
        list(names) if act else []
        for names, act in zip(frame["committee_names"], active, strict=False)
    ]
    extra_positions = (
        positions_of(index, list(extra_committees))
        if extra_committees
        else np.empty(0, dtype=np.int64)
    )
    for position in extra_positions.tolist():
        if not active[position]:
            labels[position] = [f"(what if) {frame['name'].iat[position]}"]
    sources = np.zeros(len(frame), dtype=bool)
    sources[active] = True
    sources[extra_positions] = True
    reach = pairs[sources[pairs[:, 0]]]  # (source, covered) by source, then covered position
    covered = np.zeros(len(frame), dtype=bool)
    covered[reach[:, 1]] = True
    covered_by: list[list[str]] = [[] for _ in range(len(frame))]
    for source, col in reach.tolist():
        for label in labels[source]:
            if label not in covered_by[col]:
                covered_by[col].append(label)
    return covered, covered_by


FIGURE_COLUMNS = {
    "population": "population",
    "population_moe": "population",
    "foreign_born": "foreign-born",
    "foreign_born_moe": "foreign-born",
}


def _guessed_figures(whole_row: Any, columns: Any) -> list[str]:
    """The figures of a real row marked illustrative per column ("population", "foreign-born").

    Examples
    --------
    >>> _guessed_figures(False, ["foreign_born_moe", "limited_english"])
    ['foreign-born']
    """
    if bool(whole_row) or not isinstance(columns, (list, tuple)):
        return []
    return list(dict.fromkeys(FIGURE_COLUMNS[c] for c in columns if c in FIGURE_COLUMNS))


def _share(part: float, whole: float) -> float | None:
    return float(part) / float(whole) if whole and whole > 0 else None


def _percent(share: float | None) -> str:
    return "an unknown share" if share is None else f"{share:.0%}"


def coverage_report(
    graph: nx.MultiDiGraph | GraphIndex,
    *,
    rule: str = "own",
    distance_km: float = 1.0,
    extra_committees: Iterable[str] = (),
) -> CoverageReport:
    """Which neighborhoods, residents and communities the active welcoming committees reach.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or GraphIndex
        The coalition graph (:func:`coalition.model.build_graph`), or its index built once
        (:func:`coalition.analysis.index_graph`) when several analyses read it.
    rule : {"own", "adjacent", "distance"}
        What one committee covers: its own neighborhood; plus the neighborhoods sharing a
        border with it; or the neighborhoods whose representative point lies within
        ``distance_km`` of its neighborhood's (measured in ``G.graph["metric_crs"]``).
    distance_km : float
        Radius of the "distance" rule.
    extra_committees : iterable of str
        Neighborhood ids treated as if they had an active committee (a "what if").

    Returns
    -------
    CoverageReport

    Raises
    ------
    AnalysisError
        Unknown rule, non-positive distance, unknown neighborhood id, or a graph with no
        neighborhoods.

    Examples
    --------
    >>> report = coverage_report(G)  # doctest: +SKIP
    >>> report.summary["share_foreign_born_covered"]  # doctest: +SKIP
    0.4
    """
    index = as_index(graph)
    check_rule(rule, distance_km)
    extra = [
        str(n)
        for n in ([extra_committees] if isinstance(extra_committees, str) else extra_committees)
    ]
    covered, covered_by = covered_mask(index, rule, distance_km, extra)
    frame = index.neighborhoods
    # A blank figure is "no figure", never 0: it is left out of every sum and said so.
    foreign_born_raw = frame["foreign_born"].to_numpy(dtype=float)
    population_raw = frame["population"].to_numpy(dtype=float)
    fb_known, pop_known = ~np.isnan(foreign_born_raw), ~np.isnan(population_raw)
    foreign_born = np.where(fb_known, foreign_born_raw, 0.0)
    population = np.where(pop_known, population_raw, 0.0)
    guessed = [
        _guessed_figures(whole_row, columns)
        for whole_row, columns in zip(
            frame["illustrative"], frame["illustrative_columns"], strict=False
        )
    ]
    rule_words = {
        "own": "its own neighborhood",
        "adjacent": "its own neighborhood and the neighborhoods sharing a border",
        "distance": f"neighborhoods within {distance_km:g} km",
    }[rule]

    explanations = []
    for name, status, is_covered, by, fb, known, made_up in zip(
        frame["name"],
        frame["committee_status"],
        covered,
        covered_by,
        foreign_born,
        fb_known,
        guessed,
        strict=False,
    ):
        status_words = {
            "active": "has an active welcoming committee",
            "forming": "has a welcoming committee forming (not counted yet)",
            "none": "has no welcoming committee",
        }.get(status, "has no committee")
        if not known:
            sentence = (
                f"{name} {status_words} and is "
                + (f"covered by {join_names(by)}" if is_covered else "not covered")
                + "; it has no foreign-born figure (no figure, not 0), so its residents "
                "are left out of the totals."
            )
        elif is_covered:
            sentence = (
                f"{name} {status_words} and is covered by {join_names(by)}, "
                f"reaching its {plural(fb, 'foreign-born resident')}."
            )
        else:
            sentence = (
                f"{name} {status_words} and is not covered: its "
                f"{plural(fb, 'foreign-born resident')} are outside every "
                "active committee's reach."
            )
        if made_up:
            sentence += f" Its {join_names(made_up)} figure is illustrative (made up)."
        explanations.append(sentence)
    neighborhoods = pd.DataFrame(
        {
            "id": frame.index.to_list(),
            "name": frame["name"].to_list(),
            "committee_status": frame["committee_status"].to_list(),
            "population": [whole(v) for v in frame["population"]],
            "foreign_born": [whole(v) for v in frame["foreign_born"]],
            "foreign_born_moe": frame["foreign_born_moe"].to_list(),
            "covered": covered.tolist(),
            "covered_by": covered_by,
            "illustrative": [
                bool(v) or bool(g) for v, g in zip(frame["illustrative"], guessed, strict=False)
            ],
            "explanation": explanations,
        }
    )
    # What each row rests on: its own figures and the committees covering it (by name).
    committees = committee_ids_by_name(index)
    row_ids = [
        [n, *(c for label in by for c in committees.get(label, []))]
        for n, by in zip(frame.index.tolist(), covered_by, strict=False)
    ]
    # A guessed population or foreign-born figure makes its own row illustrative too.
    neighborhoods["illustrative_rows"] = [
        sorted({*illustrative_rows(index, ids), *([str(ids[0])] if g else [])})
        for ids, g in zip(row_ids, guessed, strict=False)
    ]
    neighborhoods["illustrative"] = [bool(r) for r in neighborhoods["illustrative_rows"]]

    fb_total, fb_covered = float(foreign_born.sum()), float(foreign_born[covered].sum())
    pop_total, pop_covered = float(population.sum()), float(population[covered].sum())
    share_fb = _share(fb_covered, fb_total)
    active_count = int(index.has_active_committee.sum())
    summary = {
        "rule": rule,
        "distance_km": float(distance_km) if rule == "distance" else None,
        "active_committees": active_count,
        "what_if_committees": [index.name(n) for n in extra],
        "neighborhoods_total": int(len(frame)),
        "neighborhoods_covered": int(covered.sum()),
        "foreign_born_total": whole(fb_total),
        "foreign_born_covered": whole(fb_covered),
        "share_foreign_born_covered": share_fb,
        "population_total": whole(pop_total),
        "population_covered": whole(pop_covered),
        "share_population_covered": _share(pop_covered, pop_total),
        "explanation": (
            f"{plural(active_count, 'active welcoming committee')}"
            + (f" (plus {len(extra)} what-if)" if extra else "")
            + f", each covering {rule_words}, reach {int(covered.sum())} of "
            f"{plural(len(frame), 'neighborhood')}"
            + (
                f" and {fb_covered:,.0f} of {fb_total:,.0f} foreign-born residents "
                f"({_percent(share_fb)})."
                if fb_known.any()
                else "; no neighborhood has a foreign-born figure, so the share of foreign-born "
                "residents reached is unknown."
            )
        ),
    }
    # Keys added only when a figure is missing, so complete cities' reports keep their shape.
    for key, known, words in (
        ("no_foreign_born_figure", fb_known, "foreign-born"),
        ("no_population_figure", pop_known, "population"),
    ):
        if known.all():
            continue
        missing = frame["name"][~known].tolist()
        summary[key] = missing
        if words == "foreign-born" and fb_known.any():
            summary["explanation"] += (
                f" No foreign-born figure for {join_names(missing)}: "
                f"{'it is' if len(missing) == 1 else 'they are'} left out of these totals "
                "(no figure, not 0)."
            )
    summary_rows = sorted({i for rows in neighborhoods["illustrative_rows"] for i in rows})
    summary["illustrative"] = bool(summary_rows)
    summary["illustrative_rows"] = summary_rows

    residence = index.residence
    covered_ids = set(frame.index[covered])
    # Each community's lives_in rows, in table order (one grouping, not one scan per community).
    lives_at = residence.groupby("community", sort=False).indices
    lives_where = residence["neighborhood"].to_numpy(dtype=object)
    lives_residents = residence["residents"].to_numpy(dtype=float)
    nowhere = np.zeros(0, dtype=np.int64)
    rows = []
    for community_id, community in index.communities.iterrows():
        at = lives_at.get(community_id, nowhere)
        where, counts = lives_where[at].tolist(), lives_residents[at]
        known = counts[~np.isnan(counts)]
        places = [index.name(n) for n in where]
        residents: float | None
        if len(known):
            residents = float(known.sum())
            in_covered = counts[[n in covered_ids for n in where]]
            residents_covered = float(np.nan_to_num(in_covered, nan=0.0).sum())
            share = _share(residents_covered, residents)
            covered_places = [index.name(n) for n in where if n in covered_ids]
            explanation = (
                f"Of the {residents:,.0f} residents recorded for {community['name']}, "
                f"{_percent(share)} live in covered neighborhoods"
                + (
                    f" ({join_names(covered_places)})."
                    if covered_places
                    else f"; none of {join_names(places)} is covered."
                )
            )
        else:
            estimate = community["estimated_residents"]
            residents = None if pd.isna(estimate) else float(estimate)
            residents_covered, share = None, None
            explanation = (
                f"{community['name']}: no residents per neighborhood are recorded (lives_in ties "
                "with a residents figure), so its coverage cannot be measured; add them to see it."
            )
        rows.append(
            {
                "id": community_id,
                "name": community["name"],
                "community_kind": community["community_kind"],
                "residents": whole(residents),
                "residents_covered": whole(residents_covered),
                "share_covered": share,
                "explanation": explanation,
            }
        )
    communities = pd.DataFrame(
        rows,
        columns=[
            "id",
            "name",
            "community_kind",
            "residents",
            "residents_covered",
            "share_covered",
            "explanation",
        ],
    )
    return CoverageReport(neighborhoods=neighborhoods, summary=summary, communities=communities)
