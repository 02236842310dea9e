"""A survey round's canonical answers, whatever channel they came from.

A round is three tables (:class:`RoundAnswers`):

- ``answers``: one row per respondent x partner (:data:`ANSWER_COLUMNS`). ``relation`` is 1..4
  (see :data:`coalition.survey.questions.RELATION`); ``frequency`` and the six rating items are
  1..4 or missing (pandas ``Int64``); ``answered_at`` is ISO 8601 text in UTC; ``channel`` is one
  of :data:`CHANNELS`. A partner is a roster member and never the respondent itself.
- ``profiles``: one row per respondent (:data:`PROFILE_COLUMNS`): the services (keys of
  :data:`coalition.schema.SERVICES`), languages and neighborhoods (ids) it reports for itself,
  which update its organization row after review.
- ``outside``: organizations not in the coalition a respondent works with
  (:data:`OUTSIDE_COLUMNS`); ``relation`` is 1..4 or missing (some channels cannot ask it);
  ``name`` is free text (hostile: never evaluated, escaped where
  shown); they become invitation candidates, never members.

The roster is the city's member organizations (``organizations`` with ``member`` true): see
:func:`roster_frame`.

Examples
--------
>>> r = empty_round("2026 spring")
>>> list(r.answers.columns) == ANSWER_COLUMNS
True
>>> check_answers(r)
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from ..errors import Problem
from ..i18n import _
from ..schema import SERVICES
from . import questions

CHANNELS = ("dashboard", "html", "xlsx", "kobo", "odk", "google", "msforms")

VALUE_COLUMNS = [item.key for item in questions.VALUE_ITEMS]
TRUST_COLUMNS = [item.key for item in questions.TRUST_ITEMS]
RATING_COLUMNS = VALUE_COLUMNS + TRUST_COLUMNS
# Optional 1..4 items (Int64, may be missing).
OPTIONAL_ITEM_COLUMNS = ["frequency", *RATING_COLUMNS]
ANSWER_COLUMNS = [
    "round",
    "respondent",
    "partner",
    "relation",
    *OPTIONAL_ITEM_COLUMNS,
    "answered_at",
    "channel",
]
PROFILE_COLUMNS = [
    "round",
    "respondent",
    "services",
    "languages",
    "neighborhoods",
    "answered_at",
    "channel",
]
OUTSIDE_COLUMNS = ["round", "respondent", "name", "relation"]
LIST_COLUMNS = ["services", "languages", "neighborhoods"]

# The "file" a problem in each table is reported against when it has no file of its own.
ANSWERS_TABLE = "answers"
PROFILES_TABLE = "profiles"
OUTSIDE_TABLE = "outside"

MAX_ROUND_NAME = 80
MAX_OUTSIDE_NAME = 200


@dataclass(frozen=True)
class RoundAnswers:
    """One survey round's answers (see the module docstring for the columns).

    Attributes
    ----------
    round : str
        The round's name (e.g. ``"2026 spring"``).
    answers, profiles, outside : pandas.DataFrame
        The three tables, with :data:`ANSWER_COLUMNS`, :data:`PROFILE_COLUMNS` and
        :data:`OUTSIDE_COLUMNS`.

    Examples
    --------
    >>> r = empty_round("r1")
    >>> r.respondents()
    []
    """

    round: str
    answers: pd.DataFrame
    profiles: pd.DataFrame
    outside: pd.DataFrame

    def respondents(self) -> list[str]:
        """Every org_id that answered (named a partner or filled in its profile), sorted."""
        seen = set(self.answers["respondent"]) | set(self.profiles["respondent"])
        seen |= set(self.outside["respondent"])
        return sorted(str(r) for r in seen if isinstance(r, str))


def answers_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """An answers table from row dicts, with the canonical columns and dtypes.

    Missing keys become missing values; ``relation`` stays ``Int64`` so a bad row can still be
    reported by :func:`check_answers` rather than failing here.

    Examples
    --------
    >>> f = answers_frame([{"round": "r", "respondent": "a", "partner": "b", "relation": 2}])
    >>> str(f["frequency"].dtype), f.loc[0, "relation"]
    ('Int64', np.int64(2))
    """
    frame = pd.DataFrame(list(rows), columns=ANSWER_COLUMNS)
    return _typed_answers(frame)


def _typed_answers(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("relation", *OPTIONAL_ITEM_COLUMNS):
        frame[column] = _int_column(frame[column])
    for column in ("round", "respondent", "partner", "answered_at", "channel"):
        frame[column] = frame[column].astype(object)
    return frame.reset_index(drop=True)


def _int_column(series: pd.Series) -> pd.Series:
    """Whole numbers as Int64; anything else (text, 2.5) becomes missing only if it was blank.

    Values that are not whole numbers are kept as they are (object) so check_answers reports them.
    """
    try:
        return series.astype("Int64")
    except (TypeError, ValueError):
        return series.astype(object)


def profiles_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A profiles table from row dicts; list cells default to empty lists.

    Examples
    --------
    >>> f = profiles_frame([{"round": "r", "respondent": "a", "services": ["legal"]}])
    >>> f.loc[0, "languages"]
    []
    """
    frame = pd.DataFrame(list(rows), columns=PROFILE_COLUMNS).astype(object)
    for column in LIST_COLUMNS:
        frame[column] = [list(v) if isinstance(v, (list, tuple)) else [] for v in frame[column]]
    return frame.reset_index(drop=True)


def outside_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """An outside-organizations table from row dicts.

    Examples
    --------
    >>> outside_frame([{"round": "r", "respondent": "a", "name": "X", "relation": 1}]).shape
    (1, 4)
    """
    frame = pd.DataFrame(list(rows), columns=OUTSIDE_COLUMNS)
    for column in ("round", "respondent", "name"):
        frame[column] = frame[column].astype(object)
    frame["relation"] = _int_column(frame["relation"])
    return frame.reset_index(drop=True)


def empty_round(name: str) -> RoundAnswers:
    """A round with no answers yet.

    Examples
    --------
    >>> empty_round("r1").answers.empty
    True
    """
    return RoundAnswers(str(name), answers_frame([]), profiles_frame([]), outside_frame([]))


# --- the roster ----------------------------------------------------------------------------------
def roster_frame(roster: Any) -> pd.DataFrame:
    """The roster as a frame of ``org_id``, ``name``: the member organizations, in table order.

    Accepts a :class:`coalition.model.CityData`, a dict of city tables (with ``organizations``),
    or an organizations-like frame (``org_id``, ``name`` and optionally ``member``). Rows with
    ``member`` false are left out (they are organizations the coalition could invite).

    Examples
    --------
    >>> orgs = pd.DataFrame({"org_id": ["a", "b"], "name": ["A", "B"], "member": [True, False]})
    >>> roster_frame({"organizations": orgs})["org_id"].tolist()
    ['a']
    """
    tables = getattr(roster, "tables", roster)
    frame = tables["organizations"] if isinstance(tables, Mapping) else tables
    if not isinstance(frame, pd.DataFrame) or not {"org_id", "name"} <= set(frame.columns):
        raise TypeError("a roster is city tables or a frame with the columns org_id and name")
    if "member" in frame.columns:
        frame = frame[[not _is_false(m) for m in frame["member"]]]
    out = pd.DataFrame(
        {
            "org_id": [str(v) for v in frame["org_id"]],
            "name": [
                v if isinstance(v, str) and v.strip() else str(i)
                for v, i in zip(frame["name"], frame["org_id"], strict=True)
            ],
        }
    )
    return out.reset_index(drop=True)


def _is_false(value: Any) -> bool:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return False  # blank means a member
    if isinstance(value, str):
        return value.strip().lower() in {"no", "false", "0", "n"}
    return not bool(value)


def neighborhoods_frame(roster: Any) -> pd.DataFrame:
    """The city's neighborhoods (``neighborhood_id``, ``name``) when the roster carries them.

    An empty frame when the roster is only an organizations frame.

    Examples
    --------
    >>> neighborhoods_frame(pd.DataFrame({"org_id": [], "name": []})).empty
    True
    """
    tables = getattr(roster, "tables", roster)
    if isinstance(tables, Mapping) and "neighborhoods" in tables:
        frame = tables["neighborhoods"]
        return pd.DataFrame(
            {
                "neighborhood_id": [str(v) for v in frame["neighborhood_id"]],
                "name": [str(v) for v in frame["name"]],
            }
        )
    return pd.DataFrame({"neighborhood_id": [], "name": []}, dtype=object)


# --- checks --------------------------------------------------------------------------------------
def check_answers(
    answers: RoundAnswers,
    roster: Any = None,
    *,
    neighborhoods: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem in a round's canonical tables (empty list when it is sound).

    Checks the columns, the round name, the 1..4 codes, the channel, the timestamp, that a
    partner is not the respondent and appears once per respondent, one profile per respondent,
    service keys, and (when given) that respondents and partners are on the roster and
    neighborhood ids are known. Problems name the table (``answers``, ``profiles``, ``outside``)
    as their file and the 0-based row index as row.

    Parameters
    ----------
    answers : RoundAnswers
        The round.
    roster : optional
        Anything :func:`roster_frame` takes; when given, ids are checked against it.
    neighborhoods : iterable of str, optional
        Known neighborhood ids (default: the roster's, when it carries them; else not checked).

    Examples
    --------
    >>> r = empty_round("r")
    >>> bad = RoundAnswers("r", answers_frame([{"round": "r", "respondent": "a",
    ...     "partner": "a", "relation": 5, "answered_at": "2026-11-30T10:00:00Z",
    ...     "channel": "html"}]), r.profiles, r.outside)
    >>> [p.column for p in check_answers(bad)]
    ['partner', 'relation']
    """
    problems: list[Problem] = []
    columns_missing = False
    name = answers.round
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_ROUND_NAME:
        problems.append(
            Problem(
                ANSWERS_TABLE,
                f"A round needs a name of 1 to {MAX_ROUND_NAME} characters.",
                column="round",
                value=str(name)[:100],
            )
        )
    for table, frame, columns in (
        (ANSWERS_TABLE, answers.answers, ANSWER_COLUMNS),
        (PROFILES_TABLE, answers.profiles, PROFILE_COLUMNS),
        (OUTSIDE_TABLE, answers.outside, OUTSIDE_COLUMNS),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            columns_missing = True
            problems.append(
                Problem(
                    table,
                    "Columns missing: "
                    + ", ".join(missing)
                    + ". Build the table with schema.answers_frame / profiles_frame / "
                    "outside_frame.",
                )
            )
    if columns_missing:
        return problems

    members: set[str] | None = None
    if roster is not None:
        members = set(roster_frame(roster)["org_id"])
        if neighborhoods is None:
            known_hoods = neighborhoods_frame(roster)
            if not known_hoods.empty:
                neighborhoods = known_hoods["neighborhood_id"]
    hoods = set(neighborhoods) if neighborhoods is not None else None

    seen_pairs: dict[tuple[str, str], int] = {}
    for row, rec in enumerate(answers.answers.to_dict("records")):
        _check_common(problems, ANSWERS_TABLE, row, rec, name, members)
        partner = rec["partner"]
        if not _text(partner):
            problems.append(
                Problem(ANSWERS_TABLE, _("Each answer names a partner."), row, "partner")
            )
        else:
            if partner == rec["respondent"]:
                problems.append(
                    Problem(
                        ANSWERS_TABLE,
                        _("A member cannot name itself as a partner; remove this answer."),
                        row,
                        "partner",
                        str(partner),
                    )
                )
            elif members is not None and partner not in members:
                problems.append(
                    Problem(
                        ANSWERS_TABLE,
                        _("The partner is not on the roster; pick a member organization."),
                        row,
                        "partner",
                        str(partner),
                    )
                )
            pair = (str(rec["respondent"]), str(partner))
            if pair in seen_pairs:
                problems.append(
                    Problem(
                        ANSWERS_TABLE,
                        _(
                            "This respondent already answered about this partner (row {row}); "
                            "keep one answer."
                        ).format(row=seen_pairs[pair]),
                        row,
                        "partner",
                        str(partner),
                    )
                )
            else:
                seen_pairs[pair] = row
        _check_code(problems, ANSWERS_TABLE, row, "relation", rec["relation"], required=True)
        for column in OPTIONAL_ITEM_COLUMNS:
            _check_code(problems, ANSWERS_TABLE, row, column, rec[column], required=False)
        _check_stamp(problems, ANSWERS_TABLE, row, rec)
    seen_profiles: dict[str, int] = {}
    for row, rec in enumerate(answers.profiles.to_dict("records")):
        _check_common(problems, PROFILES_TABLE, row, rec, name, members)
        who = str(rec["respondent"])
        if who in seen_profiles:
            problems.append(
                Problem(
                    PROFILES_TABLE,
                    f"A second profile for this respondent (first: row "
                    f"{seen_profiles[who]}); keep one.",
                    row,
                    "respondent",
                    who,
                )
            )
        else:
            seen_profiles[who] = row
        for column in LIST_COLUMNS:
            value = rec[column]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(
                    Problem(
                        PROFILES_TABLE, _("Must be a list of text."), row, column, str(value)[:100]
                    )
                )
                continue
            if column == "services":
                for v in value:
                    if v not in SERVICES:
                        problems.append(
                            Problem(
                                PROFILES_TABLE,
                                _("Unknown service; use one of: {services}.").format(
                                    services=", ".join(SERVICES)
                                ),
                                row,
                                column,
                                v,
                            )
                        )
            if column == "neighborhoods" and hoods is not None:
                for v in value:
                    if v not in hoods:
                        problems.append(
                            Problem(
                                PROFILES_TABLE,
                                _("Unknown neighborhood id; use one of the city's neighborhoods."),
                                row,
                                column,
                                v,
                            )
                        )
        _check_stamp(problems, PROFILES_TABLE, row, rec)
    for row, rec in enumerate(answers.outside.to_dict("records")):
        _check_common(problems, OUTSIDE_TABLE, row, rec, name, members)
        text = rec["name"]
        if not _text(text) or len(str(text)) > MAX_OUTSIDE_NAME:
            problems.append(
                Problem(
                    OUTSIDE_TABLE,
                    _("An outside organization needs a name of 1 to {most} characters.").format(
                        most=MAX_OUTSIDE_NAME
                    ),
                    row,
                    "name",
                    str(text)[:100],
                )
            )
        _check_code(problems, OUTSIDE_TABLE, row, "relation", rec["relation"], required=False)
    return problems


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_common(
    problems: list[Problem],
    table: str,
    row: int,
    rec: Mapping[Any, Any],
    name: str,
    members: set[str] | None,
) -> None:
    if rec["round"] != name:
        problems.append(
            Problem(
                table, f"Every row belongs to the round {name!r}.", row, "round", str(rec["round"])
            )
        )
    who = rec["respondent"]
    if not _text(who):
        problems.append(Problem(table, _("Each row names its respondent."), row, "respondent"))
    elif members is not None and who not in members:
        problems.append(
            Problem(
                table,
                _("The respondent is not on the roster; pick a member organization."),
                row,
                "respondent",
                str(who),
            )
        )


def _check_code(
    problems: list[Problem], table: str, row: int, column: str, value: Any, *, required: bool
) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        if required:
            problems.append(Problem(table, _("Required: a code from 1 to 4."), row, column))
        return
    ok = isinstance(value, (int,)) and not isinstance(value, bool) and 1 <= int(value) <= 4
    if not ok:
        try:
            ok = float(value) == int(value) and 1 <= int(value) <= 4  # numpy integers
        except (TypeError, ValueError):
            ok = False
    if not ok:
        problems.append(
            Problem(table, _("Must be a whole number from 1 to 4."), row, column, str(value)[:100])
        )


def _check_stamp(problems: list[Problem], table: str, row: int, rec: Mapping[Any, Any]) -> None:
    if rec["channel"] not in CHANNELS:
        problems.append(
            Problem(
                table,
                "Unknown channel; use one of: " + ", ".join(CHANNELS) + ".",
                row,
                "channel",
                str(rec["channel"])[:100],
            )
        )
    if parse_utc(rec["answered_at"]) is None:
        problems.append(
            Problem(
                table,
                "answered_at must be an ISO 8601 time in UTC, e.g. 2026-11-30T14:05:00Z.",
                row,
                "answered_at",
                str(rec["answered_at"])[:100],
            )
        )


def parse_utc(value: Any) -> datetime | None:
    """An ISO 8601 UTC time (``Z`` or ``+00:00``), or None when it is not one.

    Examples
    --------
    >>> parse_utc("2026-11-30T14:05:00Z").isoformat()
    '2026-11-30T14:05:00+00:00'
    >>> parse_utc("2026-11-30T14:05:00") is None
    True
    """
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if stamp.tzinfo is None or stamp.utcoffset() != pd.Timedelta(0):
        return None
    return stamp
