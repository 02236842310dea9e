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
from ..i18n import N_, Translated, _, ngettext
from ..presenting.text import fmt_int
from ..privacy import Disclosure, Line
from ..values import json_value, whole
from .geometry import check_rule, coverage_pairs, positions_of
from .graph_index import GraphIndex, as_index, figure, join_names, percent
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
            labels[position] = [_("(what if) {name}").format(name=frame["name"].iat[position])]
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


FIGURE_COLUMNS = Translated(
    {
        "population": N_("population"),
        "population_moe": N_("population"),
        "foreign_born": N_("foreign-born"),
        "foreign_born_moe": N_("foreign-born"),
    }
)


def count_words(value: Any, noun: str) -> str:
    """A protected count with its noun for a sentence, in the language in use.

    What :func:`coalition.privacy.count_phrase` says, from whole templates: ``noun`` is
    ``"foreign_born"`` or ``"residents"``.

    Examples
    --------
    >>> count_words(1, "residents"), count_words(1200.0, "foreign_born")
    ('1 resident', '1,200 foreign-born residents')
    >>> count_words(privacy.SmallCount(11), "residents"), count_words(None, "residents")
    ('fewer than 11 residents', 'an unknown number of residents')
    >>> count_words(privacy.Withheld(), "foreign_born")
    'foreign-born residents (number withheld to protect a small count)'
    """
    foreign_born = noun == "foreign_born"
    if isinstance(value, privacy.SmallCount):
        small = _("{count} foreign-born residents") if foreign_born else _("{count} residents")
        return small.format(count=value)
    if isinstance(value, privacy.Withheld):
        withheld = (
            _("foreign-born residents (number {withheld})")
            if foreign_born
            else _("residents (number {withheld})")
        )
        return withheld.format(withheld=value)
    if value is None or value != value:
        return (
            _("an unknown number of foreign-born residents")
            if foreign_born
            else _("an unknown number of residents")
        )
    number = int(round(float(value)))
    many = (
        ngettext("{count} foreign-born resident", "{count} foreign-born residents", number)
        if foreign_born
        else ngettext("{count} resident", "{count} residents", number)
    )
    return many.format(count=fmt_int(number))


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
    return _("an unknown share") if share is None else percent(share)


def _summary_sentence(
    committees: int,
    what_if: int,
    rule_words: str,
    covered: int,
    neighborhoods: int,
    foreign_born: tuple[str, str, str | None] | None,
) -> str:
    """The coverage summary: committees, the rule, neighborhoods and foreign-born reached.

    ``foreign_born`` is (reached, total, share or ``None`` when withheld), or ``None`` when no
    neighborhood has a foreign-born figure.

    Examples
    --------
    >>> print(_summary_sentence(2, 0, "its own neighborhood", 2, 5, ("300", "1,000", "30%")))
    ... # doctest: +NORMALIZE_WHITESPACE
    2 active welcoming committees, each covering its own neighborhood, reach 2 of 5
    neighborhoods and 300 of 1,000 foreign-born residents (30%).
    """
    values = {
        "committees": ngettext(
            "{count} active welcoming committee", "{count} active welcoming committees", committees
        ).format(count=figure(committees)),
        "what_if": " " + _("(plus {count} what-if)").format(count=what_if) if what_if else "",
        "rule": rule_words,
        "covered": covered,
        "neighborhoods": ngettext(
            "{count} neighborhood", "{count} neighborhoods", neighborhoods
        ).format(count=figure(neighborhoods)),
    }
    # One template per case; the count chooses the verb's number (English says "reach" for one
    # committee too, as it always has).
    if foreign_born is None:
        template = ngettext(
            "{committees}{what_if}, each covering {rule}, reach {covered} of {neighborhoods}; "
            "no neighborhood has a foreign-born figure, so the share of foreign-born residents "
            "reached is unknown.",
            "{committees}{what_if}, each covering {rule}, reach {covered} of {neighborhoods}; "
            "no neighborhood has a foreign-born figure, so the share of foreign-born residents "
            "reached is unknown.",
            committees,
        )
    else:
        values["reached"], values["total"], values["share"] = foreign_born
        template = (
            ngettext(
                "{committees}{what_if}, each covering {rule}, reach {covered} of "
                "{neighborhoods} and {reached} of {total} foreign-born residents "
                "(share withheld to protect a small count).",
                "{committees}{what_if}, each covering {rule}, reach {covered} of "
                "{neighborhoods} and {reached} of {total} foreign-born residents "
                "(share withheld to protect a small count).",
                committees,
            )
            if foreign_born[2] is None
            else ngettext(
                "{committees}{what_if}, each covering {rule}, reach {covered} of "
                "{neighborhoods} and {reached} of {total} foreign-born residents ({share}).",
                "{committees}{what_if}, each covering {rule}, reach {covered} of "
                "{neighborhoods} and {reached} of {total} foreign-born residents ({share}).",
                committees,
            )
        )
    return template.format(**values)


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
        "own": _("its own neighborhood"),
        "adjacent": _("its own neighborhood and the neighborhoods sharing a border"),
        "distance": _("neighborhoods within {distance} km").format(
            distance=figure(distance_km, None)
        ),
    }[rule]
    status_table = {
        "active": _("has an active welcoming committee"),
        "forming": _("has a welcoming committee forming (not counted yet)"),
        "none": _("has no welcoming committee"),
    }

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
        values = {
            "name": name,
            "status": status_table.get(status) or _("has no committee"),
            "committees": join_names(by),
            "foreign_born": count_words(
                cell(("neighborhood", neighborhood_id, "foreign_born"), fb), "foreign_born"
            ),
        }
        if not known and is_covered:
            template = _(
                "{name} {status} and is covered by {committees}; it has no foreign-born figure "
                "(no figure, not 0), so its residents are left out of the totals."
            )
        elif not known:
            template = _(
                "{name} {status} and is not covered; it has no foreign-born figure (no figure, "
                "not 0), so its residents are left out of the totals."
            )
        elif is_covered:
            template = _(
                "{name} {status} and is covered by {committees}, reaching its {foreign_born}."
            )
        else:
            template = _(
                "{name} {status} and is not covered: its {foreign_born} are outside every active "
                "committee's reach."
            )
        sentence = template.format(**values)
        if made_up:
            sentence += " " + _("Its {figures} figure is illustrative (made up).").format(
                figures=join_names(made_up)
            )
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
        "explanation": _summary_sentence(
            active_count,
            len(extra),
            rule_words,
            int(covered.sum()),
            len(frame),
            (
                privacy.format_count(fb_covered_shown, disclosure),
                privacy.format_count(fb_total_shown, disclosure),
                None
                if privacy.hidden_share(fb_total_shown, fb_covered_shown)
                else _percent(share_fb),
            )
            if fb_known.any()
            else None,
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
            summary["explanation"] += " " + ngettext(
                "No foreign-born figure for {names}: it is left out of these totals (no "
                "figure, not 0).",
                "No foreign-born figure for {names}: they are left out of these totals (no "
                "figure, not 0).",
                len(missing),
            ).format(names=join_names(missing))
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
            values = {
                "residents": count_words(residents_shown, "residents"),
                "community": community["name"],
                "share": _("a share (withheld to protect a small count)")
                if privacy.hidden_share(residents_shown, covered_shown)
                else _percent(share),
                "covered": join_names(covered_places),
                "places": join_names(places),
            }
            explanation = (
                _(
                    "Of the {residents} recorded for {community}, {share} live in covered "
                    "neighborhoods ({covered})."
                )
                if covered_places
                else _(
                    "Of the {residents} recorded for {community}, {share} live in covered "
                    "neighborhoods; none of {places} is covered."
                )
            ).format(**values)
        else:
            estimate = community["estimated_residents"]
            residents = None if pd.isna(estimate) else float(estimate)
            residents_covered, share = None, None
            explanation = _(
                "{community}: no residents per neighborhood are recorded (lives_in ties with a "
                "residents figure), so its coverage cannot be measured; add them to see it."
            ).format(community=community["name"])
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
