"""What the members said of themselves in a survey round, as reviewed changes to the city.

Each respondent's profile row (:data:`coalition.survey.schema.PROFILE_COLUMNS`) says which
services it offers, in which languages it serves people and in which neighborhoods it works.
:func:`profile_changes` turns those answers into the row changes
(:class:`coalition.edits.RowChange`) that would make the city say the same, each made by
:mod:`coalition.edits` and so checked exactly like a typed edit; nothing is saved here: an editor
reviews the changes (:func:`describe_profile_changes` says them in sentences) and saves the ones
they pick with :meth:`coalition.store.Store.apply`.

How the answers map onto the city
---------------------------------
- ``services`` -> the organization's ``services`` column (a list of
  :data:`coalition.schema.SERVICES` keys): the column becomes the services answered.
- ``languages`` -> its ``languages`` column: the column becomes the languages answered; a
  language already listed keeps the row's spelling ("spanish" answered, "Spanish" kept), and
  languages are compared ignoring case.
- ``neighborhoods`` -> the neighborhoods the organization reaches, as the analyses read them:
  its ``neighborhood`` column (where it is located) and its ``serves_neighborhood`` ties. Each
  neighborhood answered that neither holds yet becomes a new ``serves_neighborhood`` tie
  (source "partner survey <round>", dated the day of the answer). A neighborhood the member did
  not name is never taken away: the tie may come from another source (retire it on the Record
  page if the member stopped working there).

A list left empty changes nothing: an unanswered question is not "none". Only columns whose
value differs are changed (the same set of services in another order is no change). A
respondent that is no longer an organization of the city (retired or merged since it answered)
is left out, with a log message.

Examples
--------
>>> from coalition.examples import example_city
>>> from coalition.survey.schema import RoundAnswers, answers_frame, outside_frame, profiles_frame
>>> answered = RoundAnswers("spring", answers_frame([]), profiles_frame([{
...     "round": "spring", "respondent": "legal", "services": ["legal", "english"],
...     "languages": [], "neighborhoods": ["cedar"],
...     "answered_at": "2026-03-02T09:00:00Z", "channel": "html"}]), outside_frame([]))
>>> changes = profile_changes(example_city(), answered)
>>> [(c.table, c.key, c.kind) for c in changes]
[('organizations', 'legal', 'changed'), ('ties', 'legal|cedar|serves_neighborhood', 'added')]
>>> describe_profile_changes(changes, {"legal": "Birch Legal Aid", "cedar": "Cedar"})
['Birch Legal Aid says it also offers English and language learning and also works in Cedar.']
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..analysis.graph_index import join_names
from ..edits import RowChange, add, change, current_row
from ..errors import DataError
from ..i18n import _
from ..model import CityData
from ..schema import LIST_SEPARATOR, SERVICES
from .schema import RoundAnswers

logger = logging.getLogger(__name__)

SERVES = "serves_neighborhood"
# A list this long in one sentence is summarised ("… and 3 more").
_SHOWN = 8


def _source(round_name: str) -> str:
    return f"partner survey {round_name}"


def _listed(value: Any) -> list[str]:
    """A profile's list cell as clean, distinct texts (blanks dropped, order kept)."""
    if not isinstance(value, (list, tuple)):
        return []
    seen: dict[str, str] = {}
    for item in value:
        text = " ".join(str(item).split())
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


def _new_languages(now: list[str], answered: list[str]) -> list[str] | None:
    """The languages column after the answer, or None when it says the same (ignoring case)."""
    spelled = {lang.casefold(): lang for lang in now}
    if {a.casefold() for a in answered} == set(spelled):
        return None
    return [spelled.get(a.casefold(), a) for a in answered]


def _reached(city: CityData, org_id: str, located: str | None) -> set[str]:
    """The neighborhoods an organization reaches already: where it is and what it serves."""
    reached = {located} if located else set()
    ties = city.tables.get("ties")
    if ties is not None and len(ties):
        mine = ties[(ties["tie_type"] == SERVES) & (ties["source_id"].astype(str) == org_id)]
        reached |= {str(t) for t in mine["target_id"].tolist()}
    return reached


def _organization_ids(city: CityData) -> set[str]:
    orgs = city.tables.get("organizations")
    if orgs is None or "org_id" not in orgs:
        raise DataError(
            "The city has no organizations table: read the city from the store "
            "(store.read_city) before working out the survey's profile updates."
        )
    return {str(o) for o in orgs["org_id"].tolist()}


def profile_changes(city: CityData, survey_round: RoundAnswers) -> list[RowChange]:
    """The changes that make each respondent's row say what it answered about itself.

    Parameters
    ----------
    city : CityData
        The current city (active rows, as :meth:`coalition.store.Store.read_city` gives it).
    survey_round : RoundAnswers
        The round's answers; only its ``profiles`` table is read.

    Returns
    -------
    list of RowChange
        Per respondent (by org id), its organization row's change (services and languages,
        only the columns that differ) then one added ``serves_neighborhood`` tie per
        neighborhood it named that it does not reach yet. Empty when every row already says
        what was answered. Each change is checked like a typed edit
        (:func:`coalition.edits.change` / :func:`coalition.edits.add`).

    Raises
    ------
    coalition.errors.DataError
        ``survey_round`` is not a round's answers, or the city has no organizations.
    coalition.errors.ValidationError
        An answer the city's checks refuse (an unknown service or neighborhood), with every
        problem of that row.

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> from coalition.survey.schema import empty_round
    >>> profile_changes(example_city(), empty_round("spring"))
    []
    """
    if not isinstance(survey_round, RoundAnswers):
        raise DataError(
            f"Expected a survey round's answers (RoundAnswers), got {type(survey_round).__name__}:"
            " read the round with store.read_survey_round."
        )
    known = _organization_ids(city)
    profiles = survey_round.profiles
    if profiles.empty:
        return []
    rows: list[dict[str, Any]] = sorted(
        ({str(k): v for k, v in r.items()} for r in profiles.to_dict("records")),
        key=lambda r: str(r["respondent"]),
    )
    changes: list[RowChange] = []
    for row in rows:
        org_id = str(row["respondent"])
        if org_id not in known:
            logger.info(
                "survey round %s: %s is no longer an organization of the city; its profile "
                "answers are left out",
                survey_round.round,
                org_id,
            )
            continue
        changes.extend(_member_changes(city, survey_round.round, org_id, row))
    return changes


def _member_changes(
    city: CityData, round_name: str, org_id: str, row: Mapping[str, Any]
) -> list[RowChange]:
    now = current_row(city, "organizations", org_id)
    cells: dict[str, str] = {}
    services = _listed(row.get("services"))
    if services and set(services) != set(now["services"]):
        cells["services"] = LIST_SEPARATOR.join(services)
    languages = _new_languages(now["languages"], _listed(row.get("languages")))
    if languages and languages != now["languages"]:
        cells["languages"] = LIST_SEPARATOR.join(languages)
    found = change(city, "organizations", org_id, cells) if cells else []
    reached = _reached(city, org_id, now["neighborhood"])
    day = str(row.get("answered_at") or "")[:10]
    for hood in _listed(row.get("neighborhoods")):
        if hood in reached:
            continue
        found.extend(
            add(
                city,
                "ties",
                {
                    "source_id": org_id,
                    "target_id": hood,
                    "tie_type": SERVES,
                    "source": _source(round_name),
                    "source_date": day,
                    "illustrative": "no",
                },
            )
        )
    return found


def member_of(change_: RowChange) -> str:
    """The organization a profile change is about: the row's id, or the tie's source.

    Examples
    --------
    >>> member_of(RowChange("ties", "legal|cedar|serves_neighborhood", None,
    ...     {"source_id": "legal", "target_id": "cedar"}))
    'legal'
    """
    if change_.table == "ties":
        return str((change_.after or change_.before or {}).get("source_id"))
    return change_.key


def by_member(changes: Sequence[RowChange]) -> dict[str, list[RowChange]]:
    """The changes grouped by the organization they are about, in the order first seen.

    Examples
    --------
    >>> by_member([])
    {}
    """
    grouped: dict[str, list[RowChange]] = {}
    for found in changes:
        grouped.setdefault(member_of(found), []).append(found)
    return grouped


def _service_words(keys: list[str]) -> str:
    return join_names([_(SERVICES[k]) if k in SERVICES else k for k in keys], limit=_SHOWN)


def _parts(found: list[RowChange], names: Mapping[str, str]) -> list[str]:
    parts: list[str] = []
    for row_change in found:
        if row_change.table != "organizations" or row_change.before is None:
            continue
        before, after = row_change.before, row_change.after or {}
        was, now = before.get("services") or [], after.get("services") or []
        gained = [s for s in now if s not in was]
        lost = [s for s in was if s not in now]
        if gained:
            parts.append(_("also offers {services}").format(services=_service_words(gained)))
        if lost:
            parts.append(_("no longer offers {services}").format(services=_service_words(lost)))
        was_l = {lang.casefold() for lang in before.get("languages") or []}
        now_l = {lang.casefold() for lang in after.get("languages") or []}
        new_langs = [lang for lang in after.get("languages") or [] if lang.casefold() not in was_l]
        old_langs = [lang for lang in before.get("languages") or [] if lang.casefold() not in now_l]
        if new_langs:
            parts.append(
                _("also serves people in {languages}").format(
                    languages=join_names(new_langs, limit=_SHOWN)
                )
            )
        if old_langs:
            parts.append(
                _("no longer serves people in {languages}").format(
                    languages=join_names(old_langs, limit=_SHOWN)
                )
            )
    hoods = [
        str(c.after.get("target_id"))
        for c in found
        if c.table == "ties" and c.after is not None and c.before is None
    ]
    if hoods:
        shown = [names.get(h, h) for h in hoods]
        parts.append(
            _("also works in {neighborhoods}").format(neighborhoods=join_names(shown, limit=_SHOWN))
        )
    return parts


def describe_profile_changes(
    changes: Sequence[RowChange], names: Mapping[str, str] | None = None
) -> list[str]:
    """One sentence per organization saying what its profile answers would change.

    Parameters
    ----------
    changes : sequence of RowChange
        From :func:`profile_changes` (other changes are described by what they touch).
    names : mapping, optional
        Shown names by id, for the organizations and the neighborhoods (ids otherwise).

    Returns
    -------
    list of str
        In the order of :func:`by_member`. Names are values put into the sentence, never
        part of a format string; escape the sentence for where it is shown.

    Examples
    --------
    >>> describe_profile_changes([RowChange("organizations", "lib",
    ...     {"services": ["english"], "languages": ["English"], "_retired": None},
    ...     {"services": ["english", "youth"], "languages": ["English"], "_retired": None})],
    ...     {"lib": "Alder Library"})
    ['Alder Library says it also offers youth.']
    """
    names = names or {}
    sentences: list[str] = []
    for org_id, found in by_member(changes).items():
        who = str(names.get(org_id, org_id))
        parts = _parts(found, names)
        if not parts:
            fields = sorted({f for c in found for f in c.fields if not f.startswith("_")})
            parts = [
                _("changes {fields}").format(fields=join_names(fields, limit=_SHOWN))
                if fields
                else _("changes nothing")
            ]
        if len(parts) > 2:
            text = _("{names}; and {last}").format(names="; ".join(parts[:-1]), last=parts[-1])
        elif len(parts) == 2:
            text = _("{names} and {last}").format(names=parts[0], last=parts[1])
        else:
            text = parts[0]
        sentences.append(_("{member} says it {changes}.").format(member=who, changes=text))
    return sentences


def names_of(city: CityData) -> dict[str, str]:
    """Shown names of the city's organizations and neighborhoods by id (for the sentences).

    Examples
    --------
    >>> from coalition.examples import example_city
    >>> names_of(example_city())["cedar"]
    'Cedar'
    """
    shown: dict[str, str] = {}
    for table, id_column in (("neighborhoods", "neighborhood_id"), ("organizations", "org_id")):
        frame = city.tables.get(table)
        if frame is None or id_column not in frame or "name" not in frame:
            continue
        for key, name in zip(frame[id_column].tolist(), frame["name"].tolist(), strict=True):
            shown[str(key)] = str(key) if pd.isna(name) else str(name)
    return shown


__all__ = [
    "by_member",
    "describe_profile_changes",
    "member_of",
    "names_of",
    "profile_changes",
]
