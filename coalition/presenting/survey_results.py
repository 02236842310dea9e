"""A survey round's results for people: sentences and tables for the Survey results page.

Streamlit-free. Every figure comes from :mod:`coalition.survey.analysis`; this module only says
it. Names from data are values put into sentences and cells, never format strings; a page shows
sentences through :func:`coalition.presenting.text.md` and tables with ``st.dataframe`` (text
cells, never markup).

Privacy: nothing here reads individual ratings except :func:`rating_rows`, which formats the
table :func:`coalition.survey.analysis.ratings` gives to administrators only. Trust and value per
member come from :func:`coalition.survey.analysis.trust_value`, whose figures are already blank
under :data:`coalition.survey.analysis.MIN_RATERS` raters: the rows show its note instead.

Examples
--------
>>> reciprocity_sentences({"confirmed": 2, "one side": 1, "non-respondent": 4})[0]
'2 pairs confirmed by both sides: each named the other.'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from coalition.analysis.graph_index import plural
from coalition.model import is_member
from coalition.names import name_key
from coalition.survey import analysis as survey
from coalition.survey.questions import RATING_ITEMS

# What each reciprocity class means, in one sentence (the figure is put in front).
RECIPROCITY_WORDS = {
    survey.CONFIRMED: "confirmed by both sides: each named the other.",
    survey.ONE_SIDE: (
        "reported by one side only: the other member answered the round without naming it "
        "(low confidence)."
    ),
    survey.NON_RESPONDENT: (
        "reported by one side, and the other member has not answered yet (not checked: it may "
        "confirm the tie when it answers)."
    ),
}
# The network measures' formulas in words (as in docs/survey.md).
MEASURE_FORMULAS = (
    (
        "Density",
        "the ties there are, out of all the ties there could be between the members: "
        "ties / (n × (n − 1) / 2) for n members.",
    ),
    (
        "Degree centralization",
        "how much the ties gather on one member (Freeman): the sum over members of (the most "
        "partners any member has − its partners), divided by (n − 1)(n − 2). 0 when every "
        "member has as many partners as the others, 1 for a star around one member.",
    ),
    (
        "Bridging share",
        "the ties between an immigrant-serving and a receiving-community organization, out of "
        "all ties (an organization serving both counts on either side): relationships between "
        "people of like and unlike backgrounds.",
    ),
)
TRUST_VALUE_FORMULA = (
    "One partner's rating gives a value (the mean of the three value items its rater answered: "
    "influence, involvement, resources) and a trust (the mean of the three trust items: "
    "reliable, shared mission, open to talk), each on 1 (not at all) to 4 (a great deal). A "
    "member's value and trust are the means of the ratings it received from its partners; the "
    "network's are the means over every rated tie. The structure is that of the PARTNER tool's "
    "trust and value scores (Varda & Retrum 2012); the arithmetic is ours. A figure resting on "
    f"fewer than {survey.MIN_RATERS} raters is never shown."
)
TRUST_VALUE_HEADERS = {
    "name": "Member",
    "value": "Value (1–4)",
    "value_raters": "Value: raters",
    "trust": "Trust (1–4)",
    "trust_raters": "Trust: raters",
    "note": "Note",
}
CANDIDATE_COLUMNS = ["Organization", "Named by (members)", "In the data"]


def _share(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0%}"


def _figure(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def response_sentence(summary: survey.ResponseSummary) -> str:
    """The round's response in counts only (the list of who has not answered is the editors').

    Examples
    --------
    >>> response_sentence(survey.ResponseSummary("spring", 5, 3, 0.6, ("B", "C"), ""))
    '3 of 5 members answered round spring (60%).'
    """
    members = plural(summary.members, "member")
    return f"{summary.answered:,} of {members} answered round {summary.round} ({summary.rate:.0%})."


def reciprocity_sentences(counts: Mapping[str, int]) -> list[str]:
    """One sentence per reciprocity class: how many pairs, and what that class means.

    Parameters
    ----------
    counts : mapping
        :func:`coalition.survey.analysis.reciprocity_counts`.

    Examples
    --------
    >>> reciprocity_sentences({"confirmed": 1, "one side": 0, "non-respondent": 0})[1]
    'No pair reported by one side only: the other member answered the round without naming it (low confidence).'
    """  # noqa: E501
    sentences = []
    for kind in survey.RECIPROCITY_CLASSES:
        count = int(counts.get(kind, 0))
        head = plural(count, "pair") if count else "No pair"
        sentences.append(f"{head} {RECIPROCITY_WORDS[kind]}")
    return sentences


def measures_table(
    confirmed: survey.NetworkMeasures, any_report: survey.NetworkMeasures
) -> pd.DataFrame:
    """The round's network measures under both tie choices, as text cells.

    Examples
    --------
    >>> m = survey.NetworkMeasures("r", "any", 5, 2, 0.2, 0.5, 1, 0.5)
    >>> measures_table(m, m)["Confirmed by both sides"].tolist()
    ['2', '0.20', '0.50', '50% (1 of 2 ties)']
    """
    columns = {}
    for title, m in (("Confirmed by both sides", confirmed), ("Any report", any_report)):
        bridging = (
            f"{_share(m.bridging_share)} ({m.bridging_ties:,} of {plural(m.ties, 'tie')})"
            if m.bridging_share is not None
            else "– (no ties)"
        )
        columns[title] = [f"{m.ties:,}", _figure(m.density), _figure(m.centralization), bridging]
    return pd.DataFrame(
        columns, index=pd.Index(["Ties", "Density", "Degree centralization", "Bridging share"])
    )


def trust_value_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Each member's value and trust as rated by its partners, with the note where withheld.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`coalition.survey.analysis.trust_value` (figures already blank under
        :data:`~coalition.survey.analysis.MIN_RATERS` raters).

    Returns
    -------
    pandas.DataFrame
        Text cells: a withheld figure is "–" and its note says why.

    Examples
    --------
    >>> tv = pd.DataFrame({"org_id": ["a"], "name": ["A"], "value_raters": [1],
    ...     "value": [float("nan")], "trust_raters": [1], "trust": [float("nan")],
    ...     "note": ["fewer than 3 ratings"]})
    >>> row = trust_value_table(tv).iloc[0]
    >>> row["Value (1–4)"], row["Note"]
    ('–', 'fewer than 3 ratings')
    """
    out = pd.DataFrame(
        {
            TRUST_VALUE_HEADERS["name"]: [str(n) for n in frame["name"].tolist()],
            TRUST_VALUE_HEADERS["value"]: [_figure(v) for v in frame["value"].tolist()],
            TRUST_VALUE_HEADERS["value_raters"]: [int(v) for v in frame["value_raters"].tolist()],
            TRUST_VALUE_HEADERS["trust"]: [_figure(v) for v in frame["trust"].tolist()],
            TRUST_VALUE_HEADERS["trust_raters"]: [int(v) for v in frame["trust_raters"].tolist()],
            TRUST_VALUE_HEADERS["note"]: [str(n) for n in frame["note"].tolist()],
        }
    )
    return out


def network_trust_sentence(found: survey.NetworkTrustValue) -> str:
    """The network's value and trust in one sentence (or why they are not shown).

    Examples
    --------
    >>> network_trust_sentence(survey.NetworkTrustValue("spring", 2.875, 8, 3.0625, 8, 3, ""))
    'Across the network (8 rated ties from 3 members): value 2.88 and trust 3.06 out of 4.'
    >>> network_trust_sentence(survey.NetworkTrustValue("r", float("nan"), 2, float("nan"),
    ...     2, 2, "fewer than 3 ratings"))
    'Across the network: not shown, fewer than 3 members rated their partners (2 did).'
    """
    if found.note:
        return (
            f"Across the network: not shown, fewer than {survey.MIN_RATERS} members rated "
            f"their partners ({found.raters:,} did)."
        )
    ratings = max(found.value_ratings, found.trust_ratings)
    return (
        f"Across the network ({plural(ratings, 'rated tie')} from "
        f"{plural(found.raters, 'member')}): value {_figure(found.value)} and trust "
        f"{_figure(found.trust)} out of 4."
    )


def invitation_candidates(
    outside: pd.DataFrame, organizations: pd.DataFrame | None
) -> pd.DataFrame:
    """Organizations outside the coalition the members named, with how many members named each.

    Names typed differently ("Elm Food Pantry", "elm food pantry.") are one organization
    (:func:`coalition.names.name_key`); the spelling shown is the one most members used (the
    first in the table on a tie). An organization already in the data is marked: a
    non-member there is ready to invite; a member means a respondent typed a member's name.

    Parameters
    ----------
    outside : pandas.DataFrame
        The round's ``outside`` table (``respondent``, ``name``).
    organizations : pandas.DataFrame or None
        The city's organizations (``name``, optionally ``member``).

    Returns
    -------
    pandas.DataFrame
        :data:`CANDIDATE_COLUMNS`, most named first, then by name.

    Examples
    --------
    >>> out = pd.DataFrame({"respondent": ["a", "b", "b"],
    ...     "name": ["Elm Pantry", "elm pantry.", "Oak Club"]})
    >>> orgs = pd.DataFrame({"name": ["Oak Club"], "member": [False]})
    >>> invitation_candidates(out, orgs).values.tolist()
    [['Elm Pantry', 2, ''], ['Oak Club', 1, 'yes, not a member']]
    """
    known: dict[str, str] = {}
    if organizations is not None and "name" in organizations:
        members = (
            organizations["member"].tolist()
            if "member" in organizations
            else [True] * len(organizations)
        )
        for name, member in zip(organizations["name"].tolist(), members, strict=True):
            if isinstance(name, str) and name.strip():
                known[name_key(name)] = (
                    "yes, a member" if is_member(member) else "yes, not a member"
                )
    groups: dict[str, dict[str, Any]] = {}
    for respondent, name in zip(
        outside["respondent"].tolist(), outside["name"].tolist(), strict=True
    ):
        if not isinstance(name, str) or not name.strip():
            continue
        text = " ".join(name.split())
        key = name_key(text) or text.casefold()
        group = groups.setdefault(key, {"spellings": {}, "by": set()})
        group["spellings"][text] = group["spellings"].get(text, 0) + 1
        group["by"].add(str(respondent))
    rows: list[tuple[str, int, str]] = []
    for key, group in groups.items():
        spellings: dict[str, int] = group["spellings"]
        shown = max(spellings, key=lambda s: spellings[s])  # first of the most used
        rows.append((shown, len(group["by"]), known.get(key, "")))
    rows.sort(key=lambda r: (-r[1], r[0].casefold()))
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


def candidates_sentence(table: pd.DataFrame) -> str:
    """How many outside organizations were named, for the section's first line.

    Examples
    --------
    >>> candidates_sentence(pd.DataFrame(columns=CANDIDATE_COLUMNS))
    'No member named an organization outside the coalition in this round.'
    """
    if table.empty:
        return "No member named an organization outside the coalition in this round."
    twice = int((table["Named by (members)"] >= 2).sum())
    text = (
        f"Members named {plural(len(table), 'organization')} outside the coalition: "
        "candidates to invite (never made members by the survey)."
    )
    if twice:
        text += f" {plural(twice, 'was', 'were')} named by two members or more."
    return text


def rating_rows(ratings: pd.DataFrame) -> pd.DataFrame:
    """The administrators' table of individual ratings, with readable headers.

    Parameters
    ----------
    ratings : pandas.DataFrame
        :func:`coalition.survey.analysis.ratings` (administrators only).

    Examples
    --------
    >>> rating_rows(pd.DataFrame(columns=survey.RATINGS_COLUMNS)).columns[:2].tolist()
    ['Rated by', 'Member rated']
    """
    headers = {
        "respondent_name": "Rated by",
        "partner_name": "Member rated",
        **{item.key: item.short for item in RATING_ITEMS},
        "value": "Value",
        "trust": "Trust",
        "answered_at": "Answered",
    }
    frame = ratings[list(headers)].rename(columns=headers)
    return frame.reset_index(drop=True)
