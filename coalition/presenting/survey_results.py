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

from coalition.i18n import N_, Translated, _, fmt_number, ngettext
from coalition.model import is_member
from coalition.names import name_key
from coalition.survey import analysis as survey
from coalition.survey.questions import RATING_ITEMS

# (title, formula), both marked: a page shows them with _().
MEASURE_FORMULAS = (
    (
        N_("Density"),
        N_(
            "the ties there are, out of all the ties there could be between the members: "
            "ties / (n × (n − 1) / 2) for n members."
        ),
    ),
    (
        N_("Degree centralization"),
        N_(
            "how much the ties gather on one member (Freeman): the sum over members of (the "
            "most partners any member has − its partners), divided by (n − 1)(n − 2). 0 when "
            "every member has as many partners as the others, 1 for a star around one member."
        ),
    ),
    (
        N_("Bridging share"),
        N_(
            "the ties between an immigrant-serving and a receiving-community organization, out "
            "of all ties (an organization serving both counts on either side): relationships "
            "between people of like and unlike backgrounds."
        ),
    ),
)
# Marked (N_) with {count} for the fewest raters: fill it with trust_value_formula().
TRUST_VALUE_FORMULA = N_(
    "One partner's rating gives a value (the mean of the three value items its rater answered: "
    "influence, involvement, resources) and a trust (the mean of the three trust items: "
    "reliable, shared mission, open to talk), each on 1 (not at all) to 4 (a great deal). A "
    "member's value and trust are the means of the ratings it received from its partners; the "
    "network's are the means over every rated tie. The structure is that of the PARTNER tool's "
    "trust and value scores (Varda & Retrum 2012); the arithmetic is ours. A figure resting on "
    "fewer than {count} raters is never shown."
)
TRUST_VALUE_HEADERS = Translated(
    {
        "name": N_("Member"),
        "value": N_("Value (1–4)"),
        "value_raters": N_("Value: raters"),
        "trust": N_("Trust (1–4)"),
        "trust_raters": N_("Trust: raters"),
        "note": N_("Note"),
    }
)
# The candidates table's headers (English, as invitation_candidates returns them); the page
# shows the table through candidates_table() (headers and cells in the language in use).
CANDIDATE_COLUMNS = [N_("Organization"), N_("Named by (members)"), N_("In the data")]
IN_DATA_WORDS = Translated(
    {"member": N_("yes, a member"), "not member": N_("yes, not a member"), "": ""}
)


def _share(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0%}"  # es_US writes percentages as en_US does


def _figure(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"  # es_US writes decimals as en_US does


def trust_value_formula() -> str:
    """How trust and value are worked out, in the language in use.

    Examples
    --------
    >>> trust_value_formula().endswith("fewer than 3 raters is never shown.")
    True
    """
    return _(TRUST_VALUE_FORMULA).format(count=survey.MIN_RATERS)


def measure_formulas() -> list[tuple[str, str]]:
    """The network measures' (title, formula) in the language in use.

    Examples
    --------
    >>> measure_formulas()[0][0]
    'Density'
    """
    return [(_(title), _(text)) for title, text in MEASURE_FORMULAS]


def withheld_note() -> str:
    """What a withheld trust or value figure's note says, in the language in use.

    Examples
    --------
    >>> withheld_note()
    'fewer than 3 ratings'
    """
    return _(survey.FEWER_THAN_TEMPLATE).format(count=survey.MIN_RATERS)


def response_sentence(summary: survey.ResponseSummary) -> str:
    """The round's response in counts only (the list of who has not answered is the editors').

    Examples
    --------
    >>> response_sentence(survey.ResponseSummary("spring", 5, 3, 0.6, ("B", "C"), ""))
    '3 of 5 members answered round spring (60%).'
    """
    return ngettext(
        "{answered} of {count} member answered round {round} ({share}).",
        "{answered} of {count} members answered round {round} ({share}).",
        summary.members,
    ).format(
        answered=fmt_number(summary.answered),
        count=fmt_number(summary.members),
        round=summary.round,
        share=f"{summary.rate:.0%}",
    )


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
    return [
        _reciprocity_sentence(kind, int(counts.get(kind, 0))) for kind in survey.RECIPROCITY_CLASSES
    ]


def _reciprocity_sentence(kind: str, count: int) -> str:
    """How many pairs are in one reciprocity class, and what that class means."""
    shown = fmt_number(count)
    if kind == survey.CONFIRMED:
        if not count:
            return _("No pair confirmed by both sides: each named the other.")
        return ngettext(
            "{count} pair confirmed by both sides: each named the other.",
            "{count} pairs confirmed by both sides: each named the other.",
            count,
        ).format(count=shown)
    if kind == survey.ONE_SIDE:
        if not count:
            return _(
                "No pair reported by one side only: the other member answered the round "
                "without naming it (low confidence)."
            )
        return ngettext(
            "{count} pair reported by one side only: the other member answered the round "
            "without naming it (low confidence).",
            "{count} pairs reported by one side only: the other member answered the round "
            "without naming it (low confidence).",
            count,
        ).format(count=shown)
    if not count:
        return _(
            "No pair reported by one side, and the other member has not answered yet (not "
            "checked: it may confirm the tie when it answers)."
        )
    return ngettext(
        "{count} pair reported by one side, and the other member has not answered yet (not "
        "checked: it may confirm the tie when it answers).",
        "{count} pairs reported by one side, and the other member has not answered yet (not "
        "checked: it may confirm the tie when it answers).",
        count,
    ).format(count=shown)


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
    for title, m in ((_("Confirmed by both sides"), confirmed), (_("Any report"), any_report)):
        bridging = (
            ngettext(
                "{share} ({bridging} of {count} tie)",
                "{share} ({bridging} of {count} ties)",
                m.ties,
            ).format(
                share=_share(m.bridging_share),
                bridging=fmt_number(m.bridging_ties),
                count=fmt_number(m.ties),
            )
            if m.bridging_share is not None
            else _("– (no ties)")
        )
        columns[title] = [
            fmt_number(m.ties),
            _figure(m.density),
            _figure(m.centralization),
            bridging,
        ]
    rows = [_("Ties"), _("Density"), _("Degree centralization"), _("Bridging share")]
    return pd.DataFrame(columns, index=pd.Index(rows))


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
            TRUST_VALUE_HEADERS["note"]: [_note(n) for n in frame["note"].tolist()],
        }
    )
    return out


def _note(note: object) -> str:
    """A trust-and-value note (English, from the analysis) in the language in use."""
    text = str(note)
    if text == survey.FEWER_THAN:
        return withheld_note()
    if text == survey.NOT_RATED:
        return _(survey.NOT_RATED)
    return text


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
        return _(
            "Across the network: not shown, fewer than {fewest} members rated their partners "
            "({count} did)."
        ).format(fewest=survey.MIN_RATERS, count=fmt_number(found.raters))
    ratings = max(found.value_ratings, found.trust_ratings)
    rated = ngettext("{count} rated tie", "{count} rated ties", ratings).format(
        count=fmt_number(ratings)
    )
    return ngettext(
        "Across the network ({ratings} from {count} member): value {value} and trust {trust} "
        "out of 4.",
        "Across the network ({ratings} from {count} members): value {value} and trust {trust} "
        "out of 4.",
        found.raters,
    ).format(
        ratings=rated,
        count=fmt_number(found.raters),
        value=_figure(found.value),
        trust=_figure(found.trust),
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
                    IN_DATA_WORDS["member"] if is_member(member) else IN_DATA_WORDS["not member"]
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
    return pd.DataFrame(rows, columns=[_(column) for column in CANDIDATE_COLUMNS])


def candidates_sentence(table: pd.DataFrame) -> str:
    """How many outside organizations were named, for the section's first line.

    Examples
    --------
    >>> candidates_sentence(pd.DataFrame(columns=CANDIDATE_COLUMNS))
    'No member named an organization outside the coalition in this round.'
    """
    if table.empty:
        return _("No member named an organization outside the coalition in this round.")
    twice = int((table.iloc[:, 1] >= 2).sum())  # "Named by (members)", in any language
    text = ngettext(
        "Members named {count} organization outside the coalition: candidates to invite "
        "(never made members by the survey).",
        "Members named {count} organizations outside the coalition: candidates to invite "
        "(never made members by the survey).",
        len(table),
    ).format(count=fmt_number(len(table)))
    if twice:
        more = ngettext(
            "{count} was named by two members or more.",
            "{count} were named by two members or more.",
            twice,
        ).format(count=fmt_number(twice))
        text = f"{text} {more}"
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
        "respondent_name": _("Rated by"),
        "partner_name": _("Member rated"),
        **{item.key: item.shown_short for item in RATING_ITEMS},
        "value": _("Value"),
        "trust": _("Trust"),
        "answered_at": _("Answered"),
    }
    frame = ratings[list(headers)].rename(columns=headers)
    return frame.reset_index(drop=True)
