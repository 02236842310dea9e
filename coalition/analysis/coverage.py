"""Where welcoming committees reach: coverage by neighborhood, by resident need, by community.

Small counts (issue 9): :func:`coverage_report` takes a ``disclosure``
(:class:`coalition.privacy.Disclosure`, default :meth:`~coalition.privacy.Disclosure.public`: a
forgotten argument hides, never leaks). The report's numeric columns and summary figures stay
exact numbers, for code that ranks, sums or compares (the plan, the what-if, the ranking); every
sentence (``explanation``) is composed from protected numbers, and :attr:`CoverageReport.hidden`
holds the marker (:class:`~coalition.privacy.SmallCount` / :class:`~coalition.privacy.Withheld`)
of every hidden cell. Whatever is shown takes numbers through :meth:`CoverageReport.shown` or
:meth:`CoverageReport.to_dict` (which writes the marker's text in place of a hidden number), never
from the frames directly.

The cells protected together (:func:`index_counts` and :func:`coverage_counts`): the city's
resident counts and their lines (:func:`coalition.privacy.resident_counts`), plus per community
the residents in reached neighborhoods and the unshown rest outside them, and the foreign-born
residents and population in reached neighborhoods with the unshown rest outside them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .. import privacy
from ..privacy import Disclosure, Line
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
    disclosure: Disclosure = field(default_factory=Disclosure.public)
    # (part, row id, column) -> marker; part is "neighborhoods", "communities" or "summary" (row
    # id "" for the summary). Empty for an exact disclosure.
    hidden: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def shown(self, part: str, row_id: Any, column: str, value: Any) -> Any:
        """The value a view may show: the marker of a hidden cell, else ``value`` itself.

        Examples
        --------
        >>> report.shown("communities", "andean", "residents_covered", 412)  # doctest: +SKIP
        Withheld()
        """
        return self.hidden.get((part, str(row_id), column), value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``{"neighborhoods", "summary", "communities"}``.

        A hidden number is written as its marker's text ("fewer than 11", "withheld to protect a
        small count").
        """
        return {
            "neighborhoods": _masked(
                frame_records(self.neighborhoods), "neighborhoods", self.hidden
            ),
            "summary": {
                key: str(self.hidden[("summary", "", key)])
                if ("summary", "", key) in self.hidden
                else value
                for key, value in json_value(self.summary).items()
            },
            "communities": _masked(frame_records(self.communities), "communities", self.hidden),
        }


def _masked(
    records: list[dict[str, Any]], part: str, hidden: dict[tuple[str, str, str], Any]
) -> list[dict[str, Any]]:
    """Records with the marker text in place of every hidden number."""
    if not hidden:
        return records
    return [
        {
            key: str(hidden[(part, str(row["id"]), key)])
            if (part, str(row["id"]), key) in hidden
            else value
            for key, value in row.items()
        }
        for row in records
    ]


def index_counts(index: GraphIndex) -> privacy.CityCounts:
    """The city's resident counts and lines (:func:`coalition.privacy.resident_counts`).

    Examples
    --------
    >>> index_counts(index).values[("recorded", "andean")]  # doctest: +SKIP
    419.0
    """

    def compute() -> privacy.CityCounts:
        residence = index.residence
        frame = index.neighborhoods
        return privacy.resident_counts(
            zip(
                residence["community"].tolist(),
                residence["neighborhood"].tolist(),
                residence["residents"].tolist(),
                strict=True,
            ),
            zip(
                index.communities.index.tolist(),
                index.communities["estimated_residents"].tolist(),
                strict=True,
            ),
            {
                column: list(zip(frame.index.tolist(), frame[column].tolist(), strict=True))
                for column in privacy.NEIGHBORHOOD_COUNTS
                if column in frame.columns
            },
        )

    return index.memo("privacy_counts", compute)


def coverage_counts(index: GraphIndex, covered_ids: set[str]) -> privacy.CityCounts:
    """:func:`index_counts` plus what a coverage report can show of reached neighborhoods.

    Per community: its lives_in residents in reached neighborhoods = ``("covered", id)``
    (shown), those elsewhere = ``("outside", id)`` (never shown). Per figure
    (population, foreign_born): the reached neighborhoods' figures = ``("covered", column)``,
    the others = ``("outside", column)``.
    """
    base = index_counts(index)
    values: dict[Any, Any] = {}
    lines: list[Line] = []
    unshown: list[Any] = []
    by_community: dict[str, tuple[list[Any], list[Any]]] = {}
    figures: dict[str, tuple[list[Any], list[Any]]] = {}
    key: Any
    for key in base.values:
        if key[0] == "lives_in":
            inside, outside = by_community.setdefault(key[1], ([], []))
            (inside if key[2] in covered_ids else outside).append(key)
        elif key[0] == "neighborhood" and key[2] in ("population", "foreign_born"):
            inside, outside = figures.setdefault(key[2], ([], []))
            (inside if key[1] in covered_ids else outside).append(key)
    for name, groups in [*by_community.items(), *figures.items()]:
        for kind, parts in zip(("covered", "outside"), groups, strict=True):
            total = (kind, name)
            values[total] = sum(base.values[p] for p in parts)
            lines.append(Line(tuple(parts), total))
            if kind == "outside":
                unshown.append(total)
    return base.extended(values, lines, unshown)


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
    disclosure: Disclosure | None = None,
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
    disclosure : Disclosure, optional
        Who reads the sentences and :meth:`CoverageReport.to_dict`; default
        :meth:`Disclosure.public` (small counts hidden, with complementary suppression).

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
    disclosure = disclosure or Disclosure.public()
    covered_ids = set(frame.index[covered])
    shown = {} if disclosure.exact else coverage_counts(index, covered_ids).protect(disclosure)

    def cell(key: Any, value: Any) -> Any:
        """The protected value of a counted cell (the value itself when not hidden)."""
        marker = shown.get(key)
        return marker if privacy.is_hidden(marker) else value

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
    for neighborhood_id, name, status, is_covered, by, fb, known, made_up in zip(
        frame.index.tolist(),
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
        fb_cell = cell(("neighborhood", neighborhood_id, "foreign_born"), fb)
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
                f"reaching its {privacy.count_phrase(fb_cell, 'foreign-born resident')}."
            )
        else:
            sentence = (
                f"{name} {status_words} and is not covered: its "
                f"{privacy.count_phrase(fb_cell, 'foreign-born resident')} are outside every "
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
    fb_total_shown = cell(("city", "foreign_born"), fb_total)
    fb_covered_shown = cell(("covered", "foreign_born"), fb_covered)
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
                (
                    f" and {privacy.format_count(fb_covered_shown, disclosure)} of "
                    f"{privacy.format_count(fb_total_shown, disclosure)} foreign-born residents "
                    + (
                        "(share withheld to protect a small count)."
                        if privacy.hidden_share(fb_total_shown, fb_covered_shown)
                        else f"({_percent(share_fb)})."
                    )
                )
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
            residents_shown = cell(("recorded", community_id), residents)
            covered_shown = cell(("covered", community_id), residents_covered)
            share_words = (
                "a share (withheld to protect a small count)"
                if privacy.hidden_share(residents_shown, covered_shown)
                else _percent(share)
            )
            explanation = (
                f"Of the {privacy.count_phrase(residents_shown, 'resident')} recorded for "
                f"{community['name']}, {share_words} live in covered neighborhoods"
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
    hidden: dict[tuple[str, str, str], Any] = {}
    if shown:
        for neighborhood_id in frame.index.tolist():
            for column in ("population", "foreign_born"):
                marker = shown.get(("neighborhood", neighborhood_id, column))
                if privacy.is_hidden(marker):
                    hidden[("neighborhoods", str(neighborhood_id), column)] = marker
                    if column == "foreign_born":
                        hidden[("neighborhoods", str(neighborhood_id), "foreign_born_moe")] = (
                            privacy.Withheld()
                        )
        for key, cell_key, share_key in (
            ("foreign_born_total", ("city", "foreign_born"), "share_foreign_born_covered"),
            ("foreign_born_covered", ("covered", "foreign_born"), "share_foreign_born_covered"),
            ("population_total", ("city", "population"), "share_population_covered"),
            ("population_covered", ("covered", "population"), "share_population_covered"),
        ):
            marker = shown.get(cell_key)
            if privacy.is_hidden(marker):
                hidden[("summary", "", key)] = marker
                hidden[("summary", "", share_key)] = privacy.Withheld()
        for community_id in communities["id"].tolist():
            recorded = shown.get(("recorded", community_id))
            reached = shown.get(("covered", community_id))
            estimate = shown.get(("community", community_id))
            # a community with no lives_in figure shows its estimate as "residents"
            residents_marker = recorded if ("recorded", community_id) in shown else estimate
            if privacy.is_hidden(residents_marker):
                hidden[("communities", str(community_id), "residents")] = residents_marker
            if privacy.is_hidden(reached):
                hidden[("communities", str(community_id), "residents_covered")] = reached
            if privacy.hidden_share(residents_marker, reached):
                hidden[("communities", str(community_id), "share_covered")] = privacy.Withheld()
    return CoverageReport(
        neighborhoods=neighborhoods,
        summary=summary,
        communities=communities,
        disclosure=disclosure,
        hidden=hidden,
    )
