"""Coverage, the ranking and the plan for people: tables, score parts and sentences.

The functions take the frames of :class:`coalition.analysis.CoverageReport` (``neighborhoods``,
``communities``) and of :class:`coalition.analysis.RankReport` (``candidates``, ``plan``).

Small counts: the coverage tables take the report's ``hidden`` cells and write their markers'
text ("fewer than 11", "withheld to protect a small count"); a count not marked is shown as it is
to an exact audience and, for anyone else, as "fewer than 11" when small (a safety net: the
report's protection, with complementary suppression, is what makes the table safe).

Examples
--------
>>> import pandas as pd
>>> committee_counts(pd.DataFrame({"committee_status": ["active", "none", "active"]}))
{'active': 2, 'forming': 0}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from coalition import i18n, labels, privacy
from coalition.i18n import N_, _, fmt_number, fmt_percent
from coalition.presenting.text import fmt_int, fmt_share, md, with_moe

if TYPE_CHECKING:  # the presenting layer reads reports; it never runs an analysis
    from coalition.analysis import PlanReport


def committee_counts(neighborhoods: pd.DataFrame) -> dict[str, int]:
    """Neighborhoods with an active / forming committee (from a coverage report).

    Parameters
    ----------
    neighborhoods : pandas.DataFrame
        A coverage report's ``neighborhoods`` (its ``committee_status`` column).

    Returns
    -------
    dict
        ``{"active": n, "forming": m}``; zeros when the column is missing.

    Examples
    --------
    >>> committee_counts(pd.DataFrame({'committee_status': ['active', 'none', 'forming']}))
    {'active': 1, 'forming': 1}
    """
    status = neighborhoods.get("committee_status", pd.Series(dtype=str))
    return {"active": int((status == "active").sum()), "forming": int((status == "forming").sum())}


def neighborhoods_without_committee(neighborhoods: pd.DataFrame) -> list[str]:
    """Ids of neighborhoods with no active committee, by name.

    Parameters
    ----------
    neighborhoods : pandas.DataFrame
        A coverage report's ``neighborhoods`` (``id``, ``name``, ``committee_status``).

    Returns
    -------
    list of str

    Examples
    --------
    >>> neighborhoods_without_committee(pd.DataFrame({"id": ["c", "a", "b"],
    ...     "name": ["Cedar", "Alder", "Birch"],
    ...     "committee_status": ["none", "active", "forming"]}))
    ['b', 'c']
    """
    frame = neighborhoods[neighborhoods["committee_status"] != "active"].sort_values("name")
    return [str(n) for n in frame["id"]]


def _shown(
    hidden: Mapping[tuple[str, str, str], Any] | None,
    part: str,
    row_id: Any,
    column: str,
    value: Any,
) -> Any:
    """A cell's marker when the report hid it, else its value."""
    return (hidden or {}).get((part, str(row_id), column), value)


def _count(value: Any, disclosure: privacy.Disclosure | None) -> str:
    return privacy.format_count(value, disclosure or privacy.Disclosure.public())


def _figure(value: Any, moe: Any, disclosure: privacy.Disclosure | None) -> str:
    """A figure with its margin; a hidden or small figure as text, without its margin."""
    text = _count(value, disclosure)
    if privacy.is_hidden(value) or privacy.is_hidden(moe) or not text[:1].isdigit():
        return text
    return with_moe(value, moe)


def community_coverage_table(
    communities: pd.DataFrame,
    *,
    hidden: Mapping[tuple[str, str, str], Any] | None = None,
    disclosure: privacy.Disclosure | None = None,
) -> pd.DataFrame:
    """Coverage per community, hidden counts written as their markers' text.

    Parameters
    ----------
    communities : pandas.DataFrame
        A coverage report's ``communities``.
    hidden : mapping, optional
        The report's :attr:`~coalition.analysis.CoverageReport.hidden`.
    disclosure : Disclosure, optional
        The report's audience (default public).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> communities = pd.DataFrame({"id": ["karen"], "name": ["Karen"],
    ...     "community_kind": ["immigrant"], "residents": [4], "residents_covered": [0],
    ...     "share_covered": [0.0], "explanation": ["No Karen residents are reached."]})
    >>> community_coverage_table(communities).iloc[0].tolist()[:5]
    ['Karen', 'Newcomers', 'fewer than 11', '0', '0%']
    >>> hidden = {("communities", "karen", "share_covered"): privacy.Withheld()}
    >>> community_coverage_table(communities, hidden=hidden).iloc[0].tolist()[4]
    'withheld to protect a small count'
    """
    ids = communities["id"] if "id" in communities else pd.Series([""] * len(communities))

    def column(name: str) -> list[Any]:
        return [
            _shown(hidden, "communities", i, name, v)
            for i, v in zip(ids, communities[name], strict=True)
        ]

    return pd.DataFrame(
        {
            _("Community"): communities["name"],
            _("Kind"): communities["community_kind"].map(labels.COMMUNITY_KIND_WORDS),
            _("Residents"): [_count(v, disclosure) for v in column("residents")],
            _("In reached neighborhoods"): [
                _count(v, disclosure) for v in column("residents_covered")
            ],
            _("Share reached"): [
                str(v) if privacy.is_hidden(v) else fmt_share(v) for v in column("share_covered")
            ],
            _("Why"): communities["explanation"],
        }
    )


def neighborhood_coverage_table(
    neighborhoods: pd.DataFrame,
    *,
    hidden: Mapping[tuple[str, str, str], Any] | None = None,
    disclosure: privacy.Disclosure | None = None,
) -> pd.DataFrame:
    """Coverage per neighborhood in plain words, reached ones first, then by name.

    Parameters
    ----------
    neighborhoods : pandas.DataFrame
        A coverage report's ``neighborhoods``.
    hidden : mapping, optional
        The report's :attr:`~coalition.analysis.CoverageReport.hidden`.
    disclosure : Disclosure, optional
        The report's audience (default public: an unmarked small figure shows as a range).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["Birch", "Alder"], "committee_status": ["none", "active"],
    ...     "covered": [False, True], "foreign_born": [120, 300], "foreign_born_moe": [None, 40],
    ...     "covered_by": [[], ["Alder Welcoming Committee"]]})
    >>> for row in neighborhood_coverage_table(frame).values.tolist():
    ...     print(row)
    ['Alder', 'Active', 'Yes', '300 ± 40', 'Alder Welcoming Committee']
    ['Birch', 'None', 'No', '120', '']
    """
    ids = neighborhoods["id"] if "id" in neighborhoods else pd.Series([""] * len(neighborhoods))
    reached, neighborhood = _("Reached"), _("Neighborhood")
    return pd.DataFrame(
        {
            neighborhood: neighborhoods["name"],
            _("Committee"): neighborhoods["committee_status"]
            .map(labels.COMMITTEE_STATUS_WORDS)
            .fillna(labels.COMMITTEE_STATUS_WORDS["none"]),
            reached: neighborhoods["covered"].map(labels.YES_NO),
            _("Foreign-born residents"): [
                _figure(
                    _shown(hidden, "neighborhoods", i, "foreign_born", v),
                    _shown(hidden, "neighborhoods", i, "foreign_born_moe", m),
                    disclosure,
                )
                for i, v, m in zip(
                    ids,
                    neighborhoods["foreign_born"],
                    neighborhoods["foreign_born_moe"],
                    strict=True,
                )
            ],
            _("Reached by"): neighborhoods["covered_by"].map(
                lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else (v or "")
            ),
        }
    ).sort_values([reached, neighborhood], ascending=[False, True])


def _top(candidates: pd.DataFrame, count: int) -> pd.DataFrame:
    return candidates.sort_values("rank").head(count)


def ranking_table(candidates: pd.DataFrame) -> pd.DataFrame:
    """The ranking: rank, name, score, stability and reasons (joined into one text).

    Parameters
    ----------
    candidates : pandas.DataFrame
        A rank report's ``candidates``.

    Returns
    -------
    pandas.DataFrame
        Empty when there is no candidate.

    Examples
    --------
    >>> candidates = pd.DataFrame({"rank": [2, 1], "name": ["Birch", "Cedar"],
    ...     "score": [0.4, 0.9], "stability": [0.3, 1.0],
    ...     "reasons": [["Need: low."], ["Need: high.", "Library there."]]})
    >>> ranking_table(candidates)[["Rank", "Neighborhood", "Why"]].values.tolist()
    [[1, 'Cedar', 'Need: high. Library there.'], [2, 'Birch', 'Need: low.']]
    """
    frame = candidates.sort_values("rank")
    if frame.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            _("Rank"): frame["rank"].astype(int),
            _("Neighborhood"): frame["name"],
            _("Score"): frame["score"].astype(float),
            _("Stability"): frame["stability"].astype(float),
            _("Why"): frame["reasons"].map(
                lambda r: " ".join(r) if isinstance(r, (list, tuple)) else str(r or "")
            ),
        }
    )


def score_parts(candidates: pd.DataFrame, limit: int = 15) -> pd.DataFrame:
    """Long table (neighborhood, part, points, order) of the top candidates' score parts.

    Parameters
    ----------
    candidates : pandas.DataFrame
        A rank report's ``candidates`` (the ``part_<name>`` columns).
    limit : int
        How many candidates, best first.

    Returns
    -------
    pandas.DataFrame
        One row per candidate and part (parts in the order of
        :data:`coalition.labels.PART_LABELS`; missing parts left out).

    Examples
    --------
    >>> candidates = pd.DataFrame({"rank": [1], "name": ["Cedar"], "part_need": [0.5],
    ...                            "part_access": [0.25]})
    >>> score_parts(candidates).values.tolist()
    [['Cedar', 'Need', 0.5, 0], ['Cedar', 'Access', 0.25, 2]]
    """
    rows = []
    for _position, row in _top(candidates, limit).iterrows():
        for order, (component, label) in enumerate(labels.PART_LABELS.items()):
            column = f"part_{component}"
            if column in row and row[column] == row[column]:
                rows.append(
                    {
                        "neighborhood": str(row["name"]),
                        "part": label,
                        "points": float(row[column]),
                        "order": order,
                    }
                )
    return pd.DataFrame(rows, columns=["neighborhood", "part", "points", "order"])


def top_candidate_markdown(candidates: pd.DataFrame, count: int) -> list[str]:
    """The top candidates as markdown lines: bold name, score, first reason (escaped).

    Parameters
    ----------
    candidates : pandas.DataFrame
        A rank report's ``candidates``.
    count : int
        How many lines at most.

    Returns
    -------
    list of str

    Examples
    --------
    >>> candidates = pd.DataFrame({"rank": [1], "name": ["Cedar"], "score": [1.0],
    ...                            "reasons": [["Need: high."]]})
    >>> top_candidate_markdown(candidates, 3)
    ['**Cedar** (score 1.00) — Need\\\\: high\\\\.']
    """
    lines = []
    for _position, row in _top(candidates, count).iterrows():
        reasons = list(row.get("reasons") or [])
        values = {"name": md(row["name"]), "score": _score(row["score"])}
        lines.append(
            _("**{name}** (score {score}) — {reason}").format(**values, reason=md(reasons[0]))
            if reasons
            else _("**{name}** (score {score})").format(**values)
        )
    return lines


def _score(value: Any) -> str:
    """A score (0 to the sum of the weights) with two decimals, in the language in use.

    English keeps Python's rounding (what these lines always showed); another language takes
    its region's separators.

    Examples
    --------
    >>> _score(0.675), _score(1)
    ('0.68', '1.00')
    """
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return f"{float(value):.2f}"
    return fmt_number(float(value), 2)


def _stability(value: Any) -> str:
    """A stability share as a whole percentage, in the language in use (see :func:`_score`).

    Examples
    --------
    >>> _stability(0.75)
    '75%'
    """
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return f"{float(value):.0%}"
    return fmt_percent(float(value))


def reason_lines(candidates: pd.DataFrame, limit: int) -> list[str]:
    """Markdown: per top candidate, its name, score, stability and reasons (escaped).

    Parameters
    ----------
    candidates : pandas.DataFrame
        A rank report's ``candidates``.
    limit : int
        How many candidates.

    Returns
    -------
    list of str
        One markdown block per candidate: a bold line, then its reasons as bullets.

    Examples
    --------
    >>> candidates = pd.DataFrame({"rank": [1], "name": ["Cedar"], "score": [0.5],
    ...                            "stability": [0.75], "reasons": [["Need is high"]]})
    >>> print(reason_lines(candidates, 1)[0])
    **1. Cedar** — score 0.50, in the top group in 75% of the uncertainty runs
      - Need is high
    """
    lines = []
    for _position, row in _top(candidates, limit).iterrows():
        reasons = row.get("reasons") or []
        bullets = "\n".join(f"  - {md(reason)}" for reason in reasons)
        head = _(
            "**{rank}. {name}** — score {score}, in the top group in {stability} of the "
            "uncertainty runs"
        ).format(
            rank=int(row["rank"]),
            name=md(row["name"]),
            score=_score(row["score"]),
            stability=_stability(row["stability"]),
        )
        lines.append(f"{head}\n{bullets}")
    return lines


# Said instead of a candidate's "Need" reason when its figures are hidden (translated where used).
NEED_WITHHELD = N_("Need: this neighborhood's figures are withheld to protect a small count.")
# How a ranking's "Need" reason starts (the reasons are in the language in use).
NEED_PREFIX = N_("Need:")


def public_candidates(candidates: pd.DataFrame, protected: Mapping[Any, Any]) -> pd.DataFrame:
    """The ranking's candidates as a viewer may see them.

    The ranking writes its reasons with exact figures; a candidate whose neighborhood has a
    hidden figure (``protected``: the city's counts protected for the audience, keyed
    ``("neighborhood", id, column)``) loses its "Need" sentence and its foreign-born figure.

    Examples
    --------
    >>> frame = pd.DataFrame({"neighborhood_id": ["a", "b"], "foreign_born": [6, 300],
    ...                       "reasons": [["Need: a has 6.", "Near b."], ["Need: b has 300."]]})
    >>> hidden = {("neighborhood", "a", "foreign_born"): privacy.SmallCount(11)}
    >>> public_candidates(frame, hidden)["reasons"].tolist()[0]
    ["Need: this neighborhood's figures are withheld to protect a small count.", 'Near b.']
    """
    frame = candidates.copy()
    if frame.empty or "neighborhood_id" not in frame:
        return frame
    hidden = [
        any(
            privacy.is_hidden(protected.get(("neighborhood", str(n), column)))
            for column in privacy.NEIGHBORHOOD_COUNTS
        )
        for n in frame["neighborhood_id"]
    ]
    if "reasons" in frame:
        prefix, withheld = _(NEED_PREFIX), _(NEED_WITHHELD)
        frame["reasons"] = [
            [withheld if str(r).startswith(prefix) else r for r in (reasons or [])]
            if gone
            else reasons
            for reasons, gone in zip(frame["reasons"], hidden, strict=True)
        ]
    if "foreign_born" in frame:
        frame["foreign_born"] = [
            float("nan") if gone else v
            for v, gone in zip(frame["foreign_born"], hidden, strict=True)
        ]
    return frame


def plan_figures_hidden(protected: Mapping[Any, Any]) -> bool:
    """True when a plan's foreign-born totals would give a hidden figure away (any neighborhood's
    foreign-born figure is hidden: "from 728 to 734" tells the missing one).

    Examples
    --------
    >>> plan_figures_hidden({("neighborhood", "a", "foreign_born"): privacy.Withheld()})
    True
    """
    return any(
        privacy.is_hidden(v) and key[0] == "neighborhood" and key[2] == "foreign_born"
        for key, v in protected.items()
        if isinstance(key, tuple) and len(key) == 3
    )


def plan_markdown(plan: PlanReport, k: int, *, figures_hidden: bool = False) -> str:
    """The optimised plan against the top k by score, in plain words (escaped).

    Parameters
    ----------
    plan : coalition.analysis.PlanReport
        The plan (:func:`coalition.analysis.plan_committees`).
    k : int
        How many new committees were planned.
    figures_hidden : bool, optional
        Withhold the foreign-born figures (:func:`plan_figures_hidden` for the audience).

    Returns
    -------
    str
        Markdown paragraphs.

    Examples
    --------
    >>> from coalition.analysis import PlanPick, PlanReport
    >>> pick = PlanPick(neighborhood_id="cedar", name="Cedar", foreign_born_if_alone=300,
    ...                 covers=["Cedar"], adds_coverage=True, filler=False, caveats=[],
    ...                 illustrative=False, illustrative_rows=[])
    >>> plan = PlanReport(k=1, k_requested=1, notes=[], rule="own", distance_km=None,
    ...     method="exact", selected=[pick], newly_covered=300, newly_covered_neighborhoods=[],
    ...     top_k_by_score=[], top_k_by_score_newly_covered=250, gain_over_top_k=50,
    ...     foreign_born_covered_before=0, foreign_born_covered_after=300,
    ...     foreign_born_total=1000, shortlist_size=1, committees_adding_coverage=1,
    ...     fillers=[], caveats=[], illustrative=False, illustrative_rows=[], explanation="")
    >>> print(plan_markdown(plan, 1))
    **Best set of 1:** Cedar — reaches 300 more foreign-born residents.
    <BLANKLINE>
    **Top 1 by score:** reaches 250 more.
    <BLANKLINE>
    _Method: exact_
    """
    selected = md(", ".join(pick.name for pick in plan.selected)) or _("none")
    method = _("_Method: {method}_").format(method=md(_(plan.method))) if plan.method else ""
    if figures_hidden:
        return _(
            "**Best set of {k}:** {selected} — the foreign-born residents it would reach are "
            "withheld to protect a small count."
        ).format(k=k, selected=selected) + (f"\n\n{method}" if method else "")
    lines = [
        _("**Best set of {k}:** {selected} — reaches {count} more foreign-born residents.").format(
            k=k, selected=selected, count=fmt_int(plan.newly_covered)
        )
    ]
    if plan.top_k_by_score_newly_covered is not None:
        lines.append(
            _("**Top {k} by score:** reaches {count} more.").format(
                k=k, count=fmt_int(plan.top_k_by_score_newly_covered)
            )
        )
    if plan.explanation:
        lines.append(md(plan.explanation))
    if method:
        lines.append(method)
    return "\n\n".join(lines)
