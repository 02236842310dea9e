"""The Survey page's values, worked out without Streamlit.

A member answers the partner survey on the dashboard's Survey page. This module turns what the
member's kept answers hold into the form's starting values (:func:`prefill`), the form's values
into that member's rows of a round (:func:`build_answers`, what
:meth:`coalition.store.Store.save_survey_answers` takes), the store's problems into lines placed
on the form (:func:`place_problems`), and kept answers into a read-only table
(:func:`answers_table`).

A respondent's ratings of a named partner are seen only by the coalition's administrators and by
the member itself (its own link). An editor who is not an administrator answering with a member
sees its kept ratings as :data:`KEPT` ("kept, not shown"): saving keeps them as they are unless
a new rating is picked.

Every value returned here that comes from data is plain text: the page escapes it
(:func:`coalition.presenting.text.md`) before it goes through markdown.

Examples
--------
>>> values = FormValues(partners=["legal"], items={"legal": {"relation": 3}})
>>> r = build_answers("spring", "lib", values, answered_at="2026-11-30T10:00:00Z")
>>> r.answers[["respondent", "partner", "relation"]].values.tolist()
[['lib', 'legal', 3]]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coalition.errors import Problem
from coalition.i18n import N_, Translated, _
from coalition.survey import questions
from coalition.survey import schema as survey_schema
from coalition.survey.schema import RoundAnswers

CHANNEL = "dashboard"
# A rating kept in the store but not shown to this screen (an editor who is not an admin).
KEPT = -1
KEPT_LABEL = N_("kept (not shown)")
NO_ANSWER_LABEL = N_("no answer")
# Where a problem is shown on the form: a partner's id, or one of these.
PROFILE = "profile"
OUTSIDE = "outside"
GENERAL = "general"
# A profile column (coalition.survey.schema.PROFILE_COLUMNS) as a problem line names it.
PROFILE_QUESTIONS = Translated(
    {"services": N_("services"), "languages": N_("languages"), "neighborhoods": N_("neighborhoods")}
)
# The items asked about each partner, by key.
ITEMS: dict[str, questions.Item] = {item.key: item for item in questions.PARTNER_ITEMS}
RATING_KEYS: tuple[str, ...] = tuple(item.key for item in questions.RATING_ITEMS)


@dataclass(frozen=True)
class FormValues:
    """What the Survey page's form holds for one member.

    Attributes
    ----------
    partners : list of str
        The partners picked (org ids), in the order picked.
    items : dict
        Per partner id, its answers by item key (``relation``, ``frequency``, the six rating
        keys): a code 1..4, ``None`` (no answer) or :data:`KEPT` (a rating kept, not shown).
    services, languages, neighborhoods : list of str
        The member's own profile (service keys, languages, neighborhood ids).
    outside : list of (str, int or None)
        Organizations not in the coalition: (name, relation code or None).

    Examples
    --------
    >>> FormValues().partners
    []
    """

    partners: list[str] = field(default_factory=list)
    items: dict[str, dict[str, int | None]] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    neighborhoods: list[str] = field(default_factory=list)
    outside: list[tuple[str, int | None]] = field(default_factory=list)


def now_stamp(now: dt.datetime | None = None) -> str:
    """A time as the importers write ``answered_at``: ISO 8601 in UTC, whole seconds, ``Z``.

    Examples
    --------
    >>> eastern = dt.timezone(dt.timedelta(hours=-5))
    >>> now_stamp(dt.datetime(2026, 11, 30, 9, 5, 7, 120, tzinfo=eastern))
    '2026-11-30T14:05:07Z'
    """
    when = now if now is not None else dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        raise ValueError("a time without a time zone: pass an aware datetime (e.g. in UTC)")
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def split_languages(text: str | None) -> list[str]:
    """The languages typed in one box, separated by ``;`` (spaces tidied, repeats dropped).

    Examples
    --------
    >>> split_languages(" Spanish ;Portuguese;; spanish ")
    ['Spanish', 'Portuguese']
    """
    seen: dict[str, str] = {}
    for part in str(text or "").split(";"):
        kept = " ".join(part.split())
        if kept and kept.lower() not in seen:
            seen[kept.lower()] = kept
    return list(seen.values())


def own_answers(answers: RoundAnswers, respondent: str) -> RoundAnswers:
    """Only ``respondent``'s rows of a round (a new object; the input is not changed).

    Examples
    --------
    >>> from coalition.survey.schema import empty_round
    >>> own_answers(empty_round("r"), "lib").answers.empty
    True
    """

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["respondent"] == respondent].reset_index(drop=True)

    return RoundAnswers(
        answers.round, mine(answers.answers), mine(answers.profiles), mine(answers.outside)
    )


def _code(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value)


def prefill(kept: RoundAnswers, respondent: str, *, show_ratings: bool = True) -> FormValues:
    """The form's starting values from a member's kept answers in a round.

    Parameters
    ----------
    kept : RoundAnswers
        The round as kept (other members' rows are ignored).
    respondent : str
        The member answering.
    show_ratings : bool
        False for a screen that may not see a member's ratings of a named partner: each kept
        rating becomes :data:`KEPT`.

    Examples
    --------
    >>> from coalition.survey.schema import answers_frame, empty_round
    >>> e = empty_round("r")
    >>> kept = RoundAnswers("r", answers_frame([{"round": "r", "respondent": "lib",
    ...     "partner": "legal", "relation": 2, "value_power": 4}]), e.profiles, e.outside)
    >>> prefill(kept, "lib", show_ratings=False).items["legal"]["value_power"]
    -1
    """
    mine = own_answers(kept, respondent)
    partners: list[str] = []
    items: dict[str, dict[str, int | None]] = {}
    for rec in mine.answers.to_dict("records"):
        partner = str(rec["partner"])
        partners.append(partner)
        values: dict[str, int | None] = {}
        for key in ITEMS:
            code = _code(rec.get(key))
            if key in RATING_KEYS and code is not None and not show_ratings:
                code = KEPT
            values[key] = code
        items[partner] = values
    services: list[str] = []
    languages: list[str] = []
    neighborhoods: list[str] = []
    if len(mine.profiles):
        profile = mine.profiles.iloc[0]
        services = [str(v) for v in profile["services"]]
        languages = [str(v) for v in profile["languages"]]
        neighborhoods = [str(v) for v in profile["neighborhoods"]]
    outside = [
        (str(rec["name"]), _code(rec["relation"])) for rec in mine.outside.to_dict("records")
    ]
    return FormValues(partners, items, services, languages, neighborhoods, outside)


def build_answers(
    round_name: str,
    respondent: str,
    values: FormValues,
    *,
    answered_at: str,
    kept: RoundAnswers | None = None,
) -> RoundAnswers:
    """One member's rows of a round from the form's values (channel ``dashboard``).

    Every partner picked gets a row (its relation may be missing: the store's check then says
    it is required); a rating :data:`KEPT` takes the kept answer's value for that partner (and
    is left blank if there is none). The profile row is always written (answering with no
    partner is an answer); outside organizations with a blank name are left out, names have
    their spaces tidied. The respondent itself is never its own partner (dropped).

    Examples
    --------
    >>> v = FormValues(partners=["legal"], items={"legal": {"relation": 2, "trust_mission": 4}},
    ...     services=["legal"], outside=[("  New  Group ", 1), ("", 3)])
    >>> r = build_answers("spring", "lib", v, answered_at="2026-11-30T10:00:00Z")
    >>> int(r.answers.loc[0, "trust_mission"]), r.profiles.loc[0, "services"]
    (4, ['legal'])
    >>> r.outside["name"].tolist()
    ['New Group']
    """
    kept_items: dict[str, Mapping[Any, Any]] = {}
    if kept is not None:
        for rec in own_answers(kept, respondent).answers.to_dict("records"):
            kept_items[str(rec["partner"])] = rec
    rows = []
    for partner in dict.fromkeys(values.partners):
        if partner == respondent:
            continue
        given = values.items.get(partner, {})
        row: dict[str, Any] = {
            "round": round_name,
            "respondent": respondent,
            "partner": partner,
            "answered_at": answered_at,
            "channel": CHANNEL,
        }
        for key in ITEMS:
            code = given.get(key)
            if code == KEPT:
                code = _code(kept_items.get(partner, {}).get(key))
            row[key] = code
        rows.append(row)
    profile = {
        "round": round_name,
        "respondent": respondent,
        "services": list(dict.fromkeys(values.services)),
        "languages": list(values.languages),
        "neighborhoods": list(dict.fromkeys(values.neighborhoods)),
        "answered_at": answered_at,
        "channel": CHANNEL,
    }
    outside = [
        {"round": round_name, "respondent": respondent, "name": name, "relation": relation}
        for name, relation in (
            (" ".join(str(text or "").split()), relation) for text, relation in values.outside
        )
        if name
    ][: questions.MAX_OUTSIDE]
    return RoundAnswers(
        round_name,
        survey_schema.answers_frame(rows),
        survey_schema.profiles_frame([profile]),
        survey_schema.outside_frame(outside),
    )


def place_problems(
    problems: Iterable[Problem], answers: RoundAnswers, names: Mapping[str, str]
) -> dict[str, list[str]]:
    """The store's problems with a member's answers, as lines placed on the form.

    Keys are a partner's id (its answer's problems), :data:`PROFILE`, :data:`OUTSIDE` or
    :data:`GENERAL`; each line names the question (from :mod:`coalition.survey.questions`)
    and says what to do. Lines are plain text (names from data: escape before markdown).

    Examples
    --------
    >>> v = FormValues(partners=["legal"], items={"legal": {}})
    >>> r = build_answers("spring", "lib", v, answered_at="2026-11-30T10:00:00Z")
    >>> from coalition.survey.schema import check_answers
    >>> place_problems(check_answers(r), r, {"legal": "Birch Legal Aid"})
    {'legal': ['Birch Legal Aid — Working together: Required: a code from 1 to 4.']}
    """
    placed: dict[str, list[str]] = {}
    partners = [str(p) for p in answers.answers["partner"]]
    outside_names = [str(n) for n in answers.outside["name"]]
    for problem in problems:
        column = problem.column or ""
        if problem.file == survey_schema.ANSWERS_TABLE and problem.row is not None:
            partner = partners[problem.row] if problem.row < len(partners) else ""
            where = partner or GENERAL
            item = ITEMS.get(column)
            what = item.shown_short if item is not None else column
            line = _("{partner} — {question}: {problem}").format(
                partner=names.get(partner, partner), question=what, problem=problem.message
            )
        elif problem.file == survey_schema.PROFILES_TABLE:
            where = PROFILE
            line = _("{question}: {problem}").format(
                question=PROFILE_QUESTIONS.get(column, column) if column else _("profile"),
                problem=problem.message,
            )
            if problem.value:
                line = _("{problem} ({value})").format(problem=line, value=problem.value)
        elif problem.file == survey_schema.OUTSIDE_TABLE and problem.row is not None:
            where = OUTSIDE
            name = outside_names[problem.row] if problem.row < len(outside_names) else ""
            line = _("{question}: {problem}").format(
                question=name or _("row {row}").format(row=problem.row + 1),
                problem=problem.message,
            )
        else:
            where = GENERAL
            line = str(problem.message)
        placed.setdefault(where, []).append(line)
    return placed


def code_label(scale: questions.Scale, code: int | None) -> str:
    """A code as its label on the scale, :data:`NO_ANSWER_LABEL` or :data:`KEPT_LABEL`.

    Examples
    --------
    >>> code_label(questions.RELATION, 2), code_label(questions.RATING, None)
    ('share information', 'no answer')
    """
    if code is None:
        return _(NO_ANSWER_LABEL)
    if code == KEPT:
        return _(KEPT_LABEL)
    return scale.shown(code)


def answers_table(
    values: FormValues, names: Mapping[str, str], *, show_ratings: bool = True
) -> pd.DataFrame:
    """A member's answers about its partners as a table (one row per partner, labels as words).

    Ratings are ``"not shown"`` when ``show_ratings`` is false. Plain text, for ``st.dataframe``.

    Examples
    --------
    >>> v = FormValues(partners=["legal"], items={"legal": {"relation": 3, "value_power": 4}})
    >>> answers_table(v, {"legal": "Birch Legal Aid"}).iloc[0].tolist()[:4]
    ['Birch Legal Aid', 'coordinate activities', 'no answer', 'a great deal']
    """
    partner_column = _("Partner")
    rows = []
    for partner in values.partners:
        given = values.items.get(partner, {})
        row = {partner_column: names.get(partner, partner)}
        for key, item in ITEMS.items():
            if key in RATING_KEYS and not show_ratings:
                row[item.shown_short] = _("not shown")
            else:
                row[item.shown_short] = code_label(item.scale, given.get(key))
        rows.append(row)
    return pd.DataFrame(
        rows, columns=[partner_column, *(item.shown_short for item in ITEMS.values())]
    )


def closed_sentence(round_name: str, closed_at: Any) -> str:
    """What a closed round's page says (plain text: the round's name is data).

    Examples
    --------
    >>> closed_sentence("spring", "2026-06-01T10:00:00Z")
    'Round spring closed on 2026-06-01: answers can no longer change.'
    """
    day = str(closed_at)[:10] if closed_at is not None and not pd.isna(closed_at) else "?"
    return _("Round {round} closed on {day}: answers can no longer change.").format(
        round=round_name, day=day
    )


def roster_names(roster: pd.DataFrame) -> dict[str, str]:
    """The roster's ``org_id`` -> name, in roster order.

    Examples
    --------
    >>> roster_names(pd.DataFrame({"org_id": ["a"], "name": ["Alder"]}))
    {'a': 'Alder'}
    """
    return {str(i): str(n) for i, n in zip(roster["org_id"], roster["name"], strict=True)}


def neighborhood_names(neighborhoods: pd.DataFrame | None) -> dict[str, str]:
    """The city's ``neighborhood_id`` -> name (empty without a neighborhoods table).

    Examples
    --------
    >>> neighborhood_names(pd.DataFrame({"neighborhood_id": ["ah"], "name": ["Asylum Hill"]}))
    {'ah': 'Asylum Hill'}
    """
    if neighborhoods is None or not {"neighborhood_id", "name"} <= set(neighborhoods.columns):
        return {}
    return {
        str(i): str(n)
        for i, n in zip(neighborhoods["neighborhood_id"], neighborhoods["name"], strict=True)
    }


def partner_choices(roster: pd.DataFrame, respondent: str, picked: Sequence[str] = ()) -> list[str]:
    """The partners a member may pick: every roster member but itself (ids, roster order).

    Ids already picked that left the roster are kept at the end, so a kept answer still shows.

    Examples
    --------
    >>> partner_choices(pd.DataFrame({"org_id": ["a", "b", "c"], "name": ["A", "B", "C"]}), "b")
    ['a', 'c']
    """
    choices = [str(i) for i in roster["org_id"] if str(i) != respondent]
    return choices + [p for p in picked if p not in choices and p != respondent]
