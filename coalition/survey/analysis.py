"""What a partner-survey round says: response, reciprocity, trust and value, network measures.

Every function reads one round's canonical answers (:class:`coalition.survey.schema.RoundAnswers`,
whatever channel they came from) and the round's roster: the city's member organizations, a
DataFrame with ``org_id`` and ``name`` (and ``orientation`` for the network measures; see
:func:`roster_of`). Nothing here reads the store or draws; :mod:`coalition.survey.compare`
compares two rounds.

Response
--------
A member has answered when it sent anything in the round: a partner answer, its own profile or
an organization outside the coalition (a member may answer that it works with nobody). The
response rate is answered / roster members.

Reciprocity
-----------
Every pair of members where at least one named the other is classed:

- ``confirmed``: both named each other;
- ``one side``: one named the other, which answered the round but did not name it;
- ``non-respondent``: one named the other, which has not answered (so nothing contradicts it).

The tie's confidence follows: ``high`` (confirmed), ``medium`` (non-respondent: not yet
checked), ``low`` (one side: the other side's answers leave it out). :func:`survey_ties` turns
the pairs into partnership ties for the existing analyses, either ``"confirmed"`` only or
``"any"`` report; :func:`with_survey_ties` puts them into a city's ties table.

A pair's relation is the lower of the two reports when both sides named each other (what both
agree on at least), else the one report. Its partnership strength (the ties table's 1 weak,
2 working, 3 strong) is :data:`STRENGTH_OF_RELATION` of that relation: aware of each other or
sharing information -> 1, coordinating activities -> 2, integrated programs -> 3.

Trust and value (formula)
-------------------------
The structure is the PARTNER tool's trust and value scores (Varda, D. M., Chandra, A., Stern,
S. A. & Lurie, N. (2008) "Core dimensions of connectivity in public health collaboratives",
*Journal of Public Health Management and Practice* 14(5); Varda & Retrum (2012), *Journal of
Public Health Research* 1(2):e27; Visible Network Labs, "Analyze trust and value", PARTNER CPRM
knowledge base): value from three items (power and influence, level of involvement, resource
contribution) and trust from three items (reliability, shared mission, openness to discussion),
each rated 1-4 by a respondent about each partner it names. The arithmetic is ours:

- a rating's value = the mean of the value items the respondent answered (1-4); its trust = the
  mean of the trust items it answered; a rating with none of the three items gives no score;
- an organization's value (trust) = the mean of the value (trust) of the ratings it received
  from its partners, with the number of raters;
- the network's value (trust) = the mean over every rated tie (each respondent's rating of each
  partner counts once), with the number of ratings and of raters.

Privacy: a respondent's rating of a named partner is in :func:`ratings` only, which needs the
``survey_ratings`` action (administrators). Everyone else sees the aggregates of
:func:`trust_value` and :func:`network_trust_value`, and an aggregate of fewer than
:data:`MIN_RATERS` raters is never given: its figure is blank (NaN) and its note says
:data:`FEWER_THAN`.

Network measures
----------------
On the round's partnership network (roster members are the nodes, isolated ones included):
density = ties / (n (n - 1) / 2); Freeman's degree centralization = sum over members of
(highest degree - degree) / ((n - 1)(n - 2)), 0 for a network where every member has the same
degree and 1 for a star; the bridging share = ties linking an immigrant-serving and a
receiving-community organization (an organization oriented to "both" counts on either side, as
in :func:`coalition.analysis.gaps.bridging_pairs`) / ties.

Examples
--------
>>> summary = response_summary(survey_round, roster)  # doctest: +SKIP
>>> summary.sentence  # doctest: +SKIP
'3 of 5 members answered round spring (60%). Not answered yet: Alder Neighbors and Dogwood Clinic.'
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..accounts import Account, require
from ..analysis.graph_index import IMMIGRANT_SIDE, RECEIVING_SIDE, join_names
from ..errors import DataError, ValidationError
from ..i18n import N_, _, fmt_number, ngettext
from ..model import CityData, is_member
from ..schema import ORIENTATIONS, TABLES
from .questions import RELATION
from .schema import RATING_COLUMNS, TRUST_COLUMNS, VALUE_COLUMNS, RoundAnswers, check_answers

logger = logging.getLogger(__name__)

# The fewest raters an aggregate rating may rest on outside the administrators' view.
MIN_RATERS = 3
# A withheld figure's note, kept in English in the tables (a code a page translates:
# coalition.presenting.survey_results.withheld_note); the template is marked for the pages.
FEWER_THAN_TEMPLATE = N_("fewer than {count} ratings")
FEWER_THAN = FEWER_THAN_TEMPLATE.format(count=MIN_RATERS)
NOT_RATED = N_("not rated")

CONFIRMED = "confirmed"
ONE_SIDE = "one side"
NON_RESPONDENT = "non-respondent"
RECIPROCITY_CLASSES = (CONFIRMED, ONE_SIDE, NON_RESPONDENT)
CONFIDENCE = {CONFIRMED: "high", NON_RESPONDENT: "medium", ONE_SIDE: "low"}
# Which reciprocity classes each tie mode keeps.
TIE_MODES: dict[str, tuple[str, ...]] = {
    "confirmed": (CONFIRMED,),
    "any": (CONFIRMED, ONE_SIDE, NON_RESPONDENT),
}
# Survey relation (1 aware .. 4 integrated) -> ties-table strength (1 weak, 2 working, 3 strong).
STRENGTH_OF_RELATION = {1: 1, 2: 1, 3: 2, 4: 3}
TIE_NOTES = {
    CONFIRMED: "partner survey: confirmed by both organizations",
    ONE_SIDE: "partner survey: reported by one organization; the other answered without naming it",
    NON_RESPONDENT: "partner survey: reported by one organization; the other has not answered",
}

RESPONSE_COLUMNS = ["org_id", "name", "answered", "partners_named", "answered_at", "channel"]
RECIPROCITY_COLUMNS = [
    "a",
    "b",
    "a_name",
    "b_name",
    "a_names_b",
    "b_names_a",
    "a_answered",
    "b_answered",
    "reciprocity",
    "confidence",
    "relation_a",
    "relation_b",
    "relation",
    "strength",
    "answered_at",
]
TRUST_VALUE_COLUMNS = [
    "org_id",
    "name",
    "value_raters",
    "value",
    "trust_raters",
    "trust",
    "note",
]
RATINGS_COLUMNS = [
    "respondent",
    "respondent_name",
    "partner",
    "partner_name",
    *RATING_COLUMNS,
    "value",
    "trust",
    "answered_at",
]


# --- inputs ---------------------------------------------------------------------------------------


def roster_of(city: CityData) -> pd.DataFrame:
    """The city's roster: its member organizations' ``org_id``, ``name`` and ``orientation``.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> roster_of(example_city())["org_id"].tolist()
    ['lib', 'legal', 'church', 'assoc', 'clinic', 'lonely']
    """
    orgs = city.tables.get("organizations")
    if orgs is None or "org_id" not in orgs or "name" not in orgs:
        raise DataError(
            "The city has no organizations table with org_id and name: read the city with "
            "coalition.ingest.read_city before analysing a survey round."
        )
    members = orgs["member"].map(is_member) if "member" in orgs else pd.Series(True, orgs.index)
    columns = [c for c in ("org_id", "name", "orientation") if c in orgs]
    return orgs.loc[members.astype(bool), columns].reset_index(drop=True)


def _roster(roster: pd.DataFrame, *, orientation: bool = False) -> pd.DataFrame:
    """The roster indexed by org id (a copy), checked."""
    if not isinstance(roster, pd.DataFrame):
        raise DataError(
            f"The roster must be a table of member organizations, got {type(roster).__name__}: "
            "pass coalition.survey.analysis.roster_of(city)."
        )
    needed = ["org_id", "name", *(["orientation"] if orientation else [])]
    missing = [c for c in needed if c not in roster.columns]
    kept = [c for c in ("org_id", "name", "orientation") if c in roster.columns]
    if missing:
        raise DataError(
            f"The roster has no {join_names(missing)} column: pass "
            "coalition.survey.analysis.roster_of(city), which has org_id, name and orientation."
        )
    if roster.empty:
        raise DataError(
            "The roster is empty: a survey round needs the coalition's member organizations "
            "(organizations with member = yes)."
        )
    ids = roster["org_id"].astype(str)
    if ids.duplicated().any():
        twice = sorted(set(ids[ids.duplicated()]))
        raise DataError(
            f"The roster lists {join_names(twice)} more than once: give each member one row."
        )
    frame = roster[kept].copy()
    frame["org_id"] = ids
    frame["name"] = [
        str(n) if not pd.isna(n) and str(n) else o
        for n, o in zip(frame["name"].tolist(), ids.tolist(), strict=True)
    ]
    if "orientation" in frame.columns:
        frame["orientation"] = [
            None if pd.isna(o) else str(o) for o in frame["orientation"].tolist()
        ]
    if orientation:
        odd = sorted({str(o) for o in frame["orientation"] if o is not None} - set(ORIENTATIONS))
        if odd:
            raise DataError(
                f"The roster's orientation holds {join_names(odd)}: use one of "
                f"{', '.join(ORIENTATIONS)} (see coalition.schema.ORIENTATIONS)."
            )
    return frame.set_index("org_id")


def _answers(survey_round: RoundAnswers, roster: pd.DataFrame | None) -> pd.DataFrame:
    """The round's partner answers, checked (against the roster, when given).

    Returns a frame with ``respondent``, ``partner`` (str), ``relation`` (int), the six rating
    columns (float, NaN when blank) and ``answered_at`` (str).

    Raises
    ------
    coalition.errors.ValidationError
        Every problem :func:`coalition.survey.schema.check_answers` finds, at once.
    """
    if not isinstance(survey_round, RoundAnswers):
        raise DataError(
            "Expected a survey round (coalition.survey.schema.RoundAnswers), got "
            f"{type(survey_round).__name__}: read the round with the survey import."
        )
    problems = check_answers(survey_round, None if roster is None else roster.reset_index())
    if problems:
        raise ValidationError(problems)
    answers = survey_round.answers
    frame = pd.DataFrame(
        {
            "respondent": answers["respondent"].astype(str).tolist(),
            "partner": answers["partner"].astype(str).tolist(),
            "relation": [int(r) for r in answers["relation"].tolist()],
            **{
                c: pd.to_numeric(answers[c], errors="coerce").astype("float64").tolist()
                for c in RATING_COLUMNS
            },
            "answered_at": answers["answered_at"].astype(str).tolist(),
        },
        columns=["respondent", "partner", "relation", *RATING_COLUMNS, "answered_at"],
    )
    frame["relation"] = frame["relation"].astype("int64")
    return frame


def _round_name(survey_round: RoundAnswers) -> str:
    return str(survey_round.round)


def _respondents(survey_round: RoundAnswers) -> set[str]:
    """Members that answered anything: a partner answer, their profile, an outside partner."""
    return set(survey_round.respondents())


def _check_mode(ties: str) -> tuple[str, ...]:
    if ties not in TIE_MODES:
        raise DataError(f"ties must be 'confirmed' or 'any', not {ties!r}.")
    return TIE_MODES[ties]


@dataclass
class _Checked:
    """A round checked once against its roster, for the analyses that read it several times."""

    round: RoundAnswers
    members: pd.DataFrame  # indexed by org_id: name (and orientation when the roster has it)
    answers: pd.DataFrame  # _answers, with each rating's value and trust (_scored)
    respondents: set[str]

    @property
    def name(self) -> str:
        return _round_name(self.round)

    @cached_property
    def pairs(self) -> pd.DataFrame:
        return _reciprocity(self)


def _check(survey_round: RoundAnswers, roster: pd.DataFrame, *, orientation: bool = False):
    members = _roster(roster, orientation=orientation)
    answers = _scored(_answers(survey_round, members))
    return _Checked(survey_round, members, answers, _respondents(survey_round))


# --- response -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseSummary:
    """A round's response in figures and one sentence.

    Attributes
    ----------
    round : str
    members : int
        Roster members.
    answered : int
        Members that answered.
    rate : float
        ``answered / members`` (0..1).
    not_answered : tuple of str
        Names of the members to chase, in roster order.
    sentence : str
    """

    round: str
    members: int
    answered: int
    rate: float
    not_answered: tuple[str, ...]
    sentence: str


def response(survey_round: RoundAnswers, roster: pd.DataFrame) -> pd.DataFrame:
    """Per roster member: answered yes/no, how many partners it named, when and how.

    Parameters
    ----------
    survey_round : RoundAnswers
        The round's canonical answers.
    roster : pandas.DataFrame
        The member organizations (``org_id``, ``name``), e.g. :func:`roster_of`.

    Returns
    -------
    pandas.DataFrame
        Columns ``org_id``, ``name``, ``answered`` (bool), ``partners_named`` (int),
        ``answered_at`` (its latest answer, "" when none) and ``channel`` ("" when none), one
        row per member in roster order.

    Raises
    ------
    coalition.errors.DataError
        The roster or the answers are malformed, or name organizations not on the roster.

    Examples
    --------
    >>> response(survey_round, roster).loc[:, ["org_id", "answered"]]  # doctest: +SKIP
    """
    return _response(_check(survey_round, roster))


def _response(checked: _Checked) -> pd.DataFrame:
    members, answered = checked.members, checked.respondents
    named = checked.answers["respondent"].value_counts()
    survey_round = checked.round
    latest: dict[str, tuple[str, str]] = {}
    for frame in (survey_round.answers, survey_round.profiles):
        for who, stamp, channel in zip(
            frame["respondent"].astype(str).tolist(),
            frame["answered_at"].astype(str).tolist(),
            frame["channel"].astype(str).tolist(),
            strict=True,
        ):
            if who not in latest or stamp > latest[who][0]:
                latest[who] = (stamp, channel)
    ids = members.index.tolist()
    return pd.DataFrame(
        {
            "org_id": ids,
            "name": members["name"].tolist(),
            "answered": [o in answered for o in ids],
            "partners_named": [int(named.get(o, 0)) for o in ids],
            "answered_at": [latest.get(o, ("", ""))[0] for o in ids],
            "channel": [latest.get(o, ("", ""))[1] for o in ids],
        },
        columns=RESPONSE_COLUMNS,
    )


def response_summary(survey_round: RoundAnswers, roster: pd.DataFrame) -> ResponseSummary:
    """The round's response rate and the members who have not answered yet.

    Examples
    --------
    >>> response_summary(survey_round, roster).rate  # doctest: +SKIP
    0.6
    """
    return _response_summary(_check(survey_round, roster))


def _response_summary(checked: _Checked) -> ResponseSummary:
    table = _response(checked)
    members = len(table)
    answered = int(table["answered"].sum())
    rate = answered / members
    missing = tuple(table.loc[~table["answered"], "name"].tolist())
    name = checked.name
    sentence = ngettext(
        "{answered} of {count} member answered round {round} ({share}).",
        "{answered} of {count} members answered round {round} ({share}).",
        members,
    ).format(
        answered=fmt_number(answered),
        count=fmt_number(members),
        round=name,
        share=f"{rate:.0%}",
    )
    if missing:
        sentence += " " + _("Not answered yet: {names}.").format(
            names=join_names(list(missing), limit=10)
        )
    else:
        sentence += " " + _("Every member has answered.")
    return ResponseSummary(name, members, answered, rate, missing, sentence)


# --- reciprocity and ties -------------------------------------------------------------------------


def reciprocity(survey_round: RoundAnswers, roster: pd.DataFrame) -> pd.DataFrame:
    """Every pair of members where at least one named the other, with its reciprocity class.

    Returns
    -------
    pandas.DataFrame
        One row per pair, ``a`` < ``b`` (ids), sorted by ``a`` then ``b``. Columns
        ``a_name``, ``b_name``; ``a_names_b``/``b_names_a`` (bool); ``a_answered``/
        ``b_answered`` (bool); ``reciprocity`` (``"confirmed"``, ``"one side"`` or
        ``"non-respondent"``); ``confidence`` (``"high"``, ``"low"``, ``"medium"``);
        ``relation_a``/``relation_b`` (each side's report, Int64, NA when it did not name the
        other); ``relation`` (the lower report: what both agree on); ``strength`` (1..3, see
        :data:`STRENGTH_OF_RELATION`); ``answered_at`` (the latest report of the pair).

    Examples
    --------
    >>> reciprocity(survey_round, roster)[["a", "b", "reciprocity"]]  # doctest: +SKIP
    """
    return _check(survey_round, roster).pairs.copy()


def _reciprocity(checked: _Checked) -> pd.DataFrame:
    answers, answered = checked.answers, checked.respondents
    names = dict(zip(checked.members.index, checked.members["name"], strict=True))
    reports: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
    for respondent, partner, relation, stamp in zip(
        answers["respondent"].tolist(),
        answers["partner"].tolist(),
        answers["relation"].tolist(),
        answers["answered_at"].tolist(),
        strict=True,
    ):
        pair = (respondent, partner) if respondent < partner else (partner, respondent)
        reports.setdefault(pair, {})[respondent] = (int(relation), stamp)
    rows = []
    for a, b in sorted(reports):
        said = reports[(a, b)]
        a_names_b, b_names_a = a in said, b in said
        if a_names_b and b_names_a:
            kind = CONFIRMED
        else:
            silent = b if a_names_b else a
            kind = ONE_SIDE if silent in answered else NON_RESPONDENT
        relations = [r for r, _ in said.values()]
        relation = min(relations)
        rows.append(
            {
                "a": a,
                "b": b,
                "a_name": names[a],
                "b_name": names[b],
                "a_names_b": a_names_b,
                "b_names_a": b_names_a,
                "a_answered": a in answered,
                "b_answered": b in answered,
                "reciprocity": kind,
                "confidence": CONFIDENCE[kind],
                "relation_a": said[a][0] if a_names_b else pd.NA,
                "relation_b": said[b][0] if b_names_a else pd.NA,
                "relation": relation,
                "strength": STRENGTH_OF_RELATION[relation],
                "answered_at": max(s for _, s in said.values()),
            }
        )
    frame = pd.DataFrame(rows, columns=RECIPROCITY_COLUMNS)
    for column in ("relation_a", "relation_b"):
        frame[column] = frame[column].astype("Int64")
    for column in ("relation", "strength"):
        frame[column] = frame[column].astype("int64")
    for column in ("a_names_b", "b_names_a", "a_answered", "b_answered"):
        frame[column] = frame[column].astype(bool)
    return frame


def reciprocity_counts(survey_round: RoundAnswers, roster: pd.DataFrame) -> dict[str, int]:
    """How many pairs fall in each reciprocity class (every class present, 0 when none).

    Examples
    --------
    >>> reciprocity_counts(survey_round, roster)  # doctest: +SKIP
    {'confirmed': 2, 'one side': 1, 'non-respondent': 4}
    """
    counts = reciprocity(survey_round, roster)["reciprocity"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in RECIPROCITY_CLASSES}


def survey_ties(
    survey_round: RoundAnswers, roster: pd.DataFrame, *, ties: str = "confirmed"
) -> pd.DataFrame:
    """The round's partnerships as rows of the ties table, for the existing analyses.

    Parameters
    ----------
    survey_round : RoundAnswers
    roster : pandas.DataFrame
    ties : {"confirmed", "any"}
        ``"confirmed"``: only pairs that named each other; ``"any"``: every reported pair.

    Returns
    -------
    pandas.DataFrame
        The ties table's columns (:data:`coalition.schema.TABLES` ``["ties"]``), one row per
        pair: ``tie_type`` "partnership", ``kind`` the relation's label, ``strength`` from
        :data:`STRENGTH_OF_RELATION`, ``source`` "partner survey <round>", ``source_date`` the
        day of the pair's latest report, ``notes`` the reciprocity class in words,
        ``illustrative`` False.

    Examples
    --------
    >>> survey_ties(survey_round, roster, ties="any")[["source_id", "target_id"]]  # doctest: +SKIP
    """
    keep = _check_mode(ties)
    pairs = reciprocity(survey_round, roster)
    pairs = pairs[pairs["reciprocity"].isin(keep)]
    source = f"partner survey {_round_name(survey_round)}"
    columns = [c.name for c in TABLES["ties"]]
    frame = pd.DataFrame(
        {
            "source_id": pairs["a"].tolist(),
            "target_id": pairs["b"].tolist(),
            "tie_type": "partnership",
            "kind": [RELATION.label(r) for r in pairs["relation"].tolist()],
            "strength": pairs["strength"].tolist(),
            "since": None,
            "residents": None,
            "notes": [TIE_NOTES[k] for k in pairs["reciprocity"].tolist()],
            "source": source,
            "source_date": [str(s)[:10] for s in pairs["answered_at"].tolist()],
            "illustrative": False,
            "illustrative_columns": [[] for _ in range(len(pairs))],
        },
        columns=columns,
    )
    frame["strength"] = frame["strength"].astype("int64")
    for column in ("source_id", "target_id", "kind", "notes", "source_date"):
        frame[column] = frame[column].astype(object)
    return frame


def with_survey_ties(
    city: CityData, survey_round: RoundAnswers, *, ties: str = "confirmed", mode: str = "replace"
) -> CityData:
    """A copy of ``city`` whose partnerships come from the survey round.

    Parameters
    ----------
    city : CityData
    survey_round : RoundAnswers
    ties : {"confirmed", "any"}
        Which reported pairs count (see :func:`survey_ties`).
    mode : {"replace", "add"}
        ``"replace"``: partnerships between two members are the survey's only (partnerships
        with a non-member, which the survey does not ask about, stay); ``"add"``: the survey's
        partnerships are added to the ties table's.

    Returns
    -------
    CityData
        A new object; ``city`` is unchanged. Build its graph with
        :func:`coalition.model.build_graph` and run the analyses on it.

    Examples
    --------
    >>> city_now = with_survey_ties(city, survey_round, ties="any")  # doctest: +SKIP
    >>> find_gaps(build_graph(city_now)).fragile_links  # doctest: +SKIP
    """
    if mode not in ("replace", "add"):
        raise DataError(f"mode must be 'replace' or 'add', not {mode!r}.")
    roster = roster_of(city)
    new = survey_ties(survey_round, roster, ties=ties)
    tables = dict(city.tables)
    old = tables.get("ties")
    if old is None:
        old = pd.DataFrame(columns=new.columns)
    if mode == "replace" and len(old):
        members = set(roster["org_id"].astype(str))
        between_members = (
            (old["tie_type"] == "partnership")
            & old["source_id"].astype(str).isin(members)
            & old["target_id"].astype(str).isin(members)
        )
        old = old[~between_members]
    parts = [frame for frame in (old, new) if len(frame)]
    tables["ties"] = (
        pd.concat(parts, ignore_index=True) if parts else new.iloc[0:0].reset_index(drop=True)
    )
    meta = {**city.meta, "survey_ties": {"round": _round_name(survey_round), "ties": ties}}
    return dataclasses.replace(city, tables=tables, meta=meta)


# --- trust and value ------------------------------------------------------------------------------


def _scored(answers: pd.DataFrame) -> pd.DataFrame:
    """Each rating's value and trust: the mean of the items answered (NaN when none)."""
    return answers.assign(
        value=answers[list(VALUE_COLUMNS)].mean(axis=1, skipna=True),
        trust=answers[list(TRUST_COLUMNS)].mean(axis=1, skipna=True),
    )


def ratings(
    survey_round: RoundAnswers, *, account: Account | None, roster: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each respondent's ratings of each partner it named: administrators only.

    Parameters
    ----------
    survey_round : RoundAnswers
    account : Account
        The acting account; it must be allowed the ``survey_ratings`` action (an admin, or
        the operator).
    roster : pandas.DataFrame, optional
        For the names (and the roster check); without it the names are the ids.

    Returns
    -------
    pandas.DataFrame
        ``respondent``, ``respondent_name``, ``partner``, ``partner_name``, the six items,
        ``value``, ``trust`` (each the mean of the items answered) and ``answered_at``.

    Raises
    ------
    coalition.errors.PermissionDenied
        The account may not read individual ratings.

    Examples
    --------
    >>> from coalition.accounts import operator
    >>> ratings(survey_round, account=operator(), roster=roster)  # doctest: +SKIP
    """
    require(account, "survey_ratings", "see each member's ratings of its partners")
    if roster is not None:
        checked = _check(survey_round, roster)
        members, scored = checked.members, checked.answers.copy()
    else:
        members, scored = None, _scored(_answers(survey_round, None))
    if members is None:
        ids = sorted(set(scored["respondent"]) | set(scored["partner"]))
        members = pd.DataFrame({"name": ids}, index=pd.Index(ids, name="org_id"))
    scored.insert(1, "respondent_name", members.loc[scored["respondent"], "name"].tolist())
    scored.insert(3, "partner_name", members.loc[scored["partner"], "name"].tolist())
    return (
        scored[RATINGS_COLUMNS]
        .sort_values(["respondent", "partner"], kind="stable")
        .reset_index(drop=True)
    )


def trust_value(survey_round: RoundAnswers, roster: pd.DataFrame) -> pd.DataFrame:
    """Each member's value and trust as rated by its partners, never from fewer than 3 raters.

    Returns
    -------
    pandas.DataFrame
        One row per roster member (roster order): ``value_raters``, ``value`` (mean 1-4, NaN
        when fewer than :data:`MIN_RATERS` raters), ``trust_raters``, ``trust`` (likewise) and
        ``note`` (:data:`FEWER_THAN` when either figure is withheld, "not rated" when nobody
        rated it, else "").

    Examples
    --------
    >>> trust_value(survey_round, roster).set_index("org_id").loc["e", "trust"]  # doctest: +SKIP
    3.0
    """
    return _trust_value(_check(survey_round, roster))


def _trust_value(checked: _Checked) -> pd.DataFrame:
    ids = checked.members.index
    frame = pd.DataFrame({"org_id": ids.tolist(), "name": checked.members["name"].tolist()})
    scored = checked.answers
    for score in ("value", "trust"):
        rated = scored[scored[score].notna()].groupby("partner")
        raters = rated["respondent"].nunique().reindex(ids, fill_value=0).astype("int64")
        mean = rated[score].mean().reindex(ids).astype("float64")
        frame[f"{score}_raters"] = raters.to_numpy()
        frame[score] = mean.where(raters >= MIN_RATERS).to_numpy()
    fewest = frame[["value_raters", "trust_raters"]].min(axis=1)
    most = frame[["value_raters", "trust_raters"]].max(axis=1)
    frame["note"] = np.select(
        [most == 0, fewest < MIN_RATERS], [NOT_RATED, FEWER_THAN], default=""
    ).astype(object)
    return frame[TRUST_VALUE_COLUMNS]


@dataclass(frozen=True)
class NetworkTrustValue:
    """The network's value and trust: means over every rated tie.

    ``value``/``trust`` are NaN (and ``note`` is :data:`FEWER_THAN`) when fewer than
    :data:`MIN_RATERS` respondents rated anything.
    """

    round: str
    value: float
    value_ratings: int
    trust: float
    trust_ratings: int
    raters: int
    note: str


def network_trust_value(survey_round: RoundAnswers, roster: pd.DataFrame) -> NetworkTrustValue:
    """The network's value and trust (means over rated ties), withheld under 3 raters.

    Examples
    --------
    >>> network_trust_value(survey_round, roster).trust  # doctest: +SKIP
    2.75
    """
    return _network_trust_value(_check(survey_round, roster))


def _network_trust_value(checked: _Checked) -> NetworkTrustValue:
    scored = checked.answers
    rated = scored[scored["value"].notna() | scored["trust"].notna()]
    raters = int(rated["respondent"].nunique())
    shown = raters >= MIN_RATERS
    value = scored["value"].dropna()
    trust = scored["trust"].dropna()
    return NetworkTrustValue(
        round=checked.name,
        value=float(value.mean()) if shown and len(value) else math.nan,
        value_ratings=len(value),
        trust=float(trust.mean()) if shown and len(trust) else math.nan,
        trust_ratings=len(trust),
        raters=raters,
        note="" if shown else FEWER_THAN,
    )


# --- network measures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkMeasures:
    """A round's partnership network in figures (see the module docstring for each formula).

    ``centralization`` is None for fewer than 3 members, ``bridging_share`` None with no ties.
    """

    round: str
    ties_mode: str
    members: int
    ties: int
    density: float
    centralization: float | None
    bridging_ties: int
    bridging_share: float | None

    def as_row(self) -> dict[str, Any]:
        """The measures as one table row."""
        return dict(self.__dict__)


def survey_network(
    survey_round: RoundAnswers, roster: pd.DataFrame, *, ties: str = "any"
) -> nx.Graph:
    """The round's partnership network: every roster member a node (``name``,
    ``orientation`` when the roster has it), every kept pair an edge (``reciprocity``,
    ``relation``, ``strength``).

    Examples
    --------
    >>> survey_network(survey_round, roster, ties="confirmed").number_of_edges()  # doctest: +SKIP
    2
    """
    return _network(_check(survey_round, roster), ties)


def _network(checked: _Checked, ties: str) -> nx.Graph:
    keep = _check_mode(ties)
    members = checked.members
    pairs = checked.pairs[checked.pairs["reciprocity"].isin(keep)]
    graph = nx.Graph(round=checked.name, ties=ties)
    sides = (
        members["orientation"].tolist()
        if "orientation" in members.columns
        else [None] * len(members)
    )
    for org, name, side in zip(members.index, members["name"], sides, strict=True):
        graph.add_node(org, name=name, orientation=side)
    for a, b, kind, relation, strength in zip(
        pairs["a"],
        pairs["b"],
        pairs["reciprocity"],
        pairs["relation"],
        pairs["strength"],
        strict=True,
    ):
        graph.add_edge(a, b, reciprocity=kind, relation=int(relation), strength=int(strength))
    return graph


def degree_centralization(graph: nx.Graph) -> float | None:
    """Freeman's degree centralization: sum(max degree - degree) / ((n - 1)(n - 2)).

    0 when every node has the same degree, 1 for a star; None for fewer than 3 nodes.

    Examples
    --------
    >>> degree_centralization(nx.star_graph(4))
    1.0
    >>> degree_centralization(nx.cycle_graph(5))
    0.0
    """
    n = graph.number_of_nodes()
    if n < 3:
        return None
    degrees = [d for _, d in graph.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def network_measures(
    survey_round: RoundAnswers, roster: pd.DataFrame, *, ties: str = "any"
) -> NetworkMeasures:
    """Density, Freeman degree centralization and the bridging share of a round's network.

    Parameters
    ----------
    survey_round : RoundAnswers
    roster : pandas.DataFrame
        Needs ``orientation`` (:func:`roster_of` has it).
    ties : {"confirmed", "any"}

    Examples
    --------
    >>> network_measures(survey_round, roster, ties="any").density  # doctest: +SKIP
    0.7
    """
    return _measures(_check(survey_round, roster, orientation=True), ties)


def _measures(checked: _Checked, ties: str) -> NetworkMeasures:
    if "orientation" not in checked.members.columns:
        raise DataError(
            "The roster has no orientation column: pass coalition.survey.analysis.roster_of(city), "
            "which has org_id, name and orientation."
        )
    graph = _network(checked, ties)
    sides = nx.get_node_attributes(graph, "orientation")
    bridging = 0
    for a, b in graph.edges():
        a_side, b_side = sides.get(a), sides.get(b)
        if (a_side in IMMIGRANT_SIDE and b_side in RECEIVING_SIDE) or (
            a_side in RECEIVING_SIDE and b_side in IMMIGRANT_SIDE
        ):
            bridging += 1
    m = graph.number_of_edges()
    return NetworkMeasures(
        round=checked.name,
        ties_mode=ties,
        members=graph.number_of_nodes(),
        ties=m,
        density=float(nx.density(graph)),
        centralization=degree_centralization(graph),
        bridging_ties=bridging,
        bridging_share=bridging / m if m else None,
    )


def central_members(graph: nx.Graph) -> set[str]:
    """Members in the top quartile of degree centrality: a degree above that of at least
    three quarters of the members (and at least one partner). Ties at the top all count; a
    network where everyone has the same degree has no central member.

    Examples
    --------
    >>> sorted(central_members(nx.star_graph(4)))
    [0]
    """
    degrees = dict(graph.degree())
    n = len(degrees)
    if not n:
        return set()
    values = np.array(sorted(degrees.values()))
    central = set()
    for node, degree in degrees.items():
        below = int(np.searchsorted(values, degree, side="left"))  # members with fewer partners
        if degree > 0 and below / n >= 0.75:
            central.add(node)
    return central
