"""What a working session has changed so far, in one sentence for the projector.

Presenter mode shows a live line such as "Since this meeting started: 3 ties, 1 organization
added; 1 partnership ended." The changes come from
:meth:`coalition.store.Store.changes_between` (row changes, :class:`coalition.edits.RowChange`,
in the order they were saved); this module only counts them and words the count, so it is pure
and testable without Streamlit or a store.

A row changed several times counts once, by its net effect from the meeting's start to now: a
tie added and then retired during the meeting is not counted at all, an organization added and
then edited counts as one organization added.

Examples
--------
>>> from coalition.edits import RowChange
>>> changes = [
...     RowChange("ties", "a|b|partnership", None, {"tie_type": "partnership", "_retired": None}),
...     RowChange("organizations", "c", None, {"name": "C", "_retired": None}),
... ]
>>> tally_sentence(meeting_tally(changes))
'Since this meeting started: 1 tie, 1 organization added.'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from coalition import edits
from coalition.i18n import _, ngettext
from coalition.presenting.text import fmt_int

# What happened to a row between the meeting's start and now, in the order the sentence says it.
TALLY_KINDS = ("added", "changed", "ended", "retired", "restored", "removed")
# Table -> (one, many), in the order the sentence names them (its words: _NOUN_PHRASES). A
# retired partnership "ended" and is called a partnership; every other tie is a tie.
# Ties come first: they are what a working session mostly records.
NOUNS: dict[str, tuple[str, str]] = {
    "ties": ("tie", "ties"),
    "partnerships": ("partnership", "partnerships"),
    "organizations": ("organization", "organizations"),
    "communities": ("community", "communities"),
    "navigators": ("cultural navigator", "cultural navigators"),
    "committees": ("welcoming committee", "welcoming committees"),
    "neighborhoods": ("neighborhood", "neighborhoods"),
}


def _same(a: Any, b: Any) -> bool:
    """Equal values, counting two missing numbers (NaN) as equal."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _is_retired(row: Mapping[str, Any]) -> bool:
    return bool(row.get(edits.RETIRED))


def _ended_noun(table: str, row: Mapping[str, Any]) -> str:
    if table == "ties" and row.get("tie_type") == "partnership":
        return "partnerships"
    return table


def _net_kind(change: edits.RowChange) -> tuple[str, str] | None:
    """(kind, noun) of one row's net change (:attr:`RowChange.kind`), or None when nothing of
    it shows on screen (a row added already retired, edited while retired, or unchanged)."""
    table, before, after = change.table, change.before, change.after
    kind = change.kind
    if kind == "added":
        return None if _is_retired(after) else ("added", table)  # type: ignore[arg-type]
    if kind == "deleted":
        return None if before is None or _is_retired(before) else ("removed", table)
    if kind == "retired":
        return ("ended", _ended_noun(table, before)) if table == "ties" else ("retired", table)  # type: ignore[arg-type]
    if kind == "restored":
        return ("restored", table)
    if _is_retired(before):  # type: ignore[arg-type]
        return None  # still retired: nothing on screen changed
    return None if _same(dict(before), dict(after)) else ("changed", table)  # type: ignore[arg-type]


def meeting_tally(changes: Iterable[edits.RowChange]) -> dict[str, dict[str, int]]:
    """Count what the changes did, row by row, by their net effect.

    Parameters
    ----------
    changes : iterable of coalition.edits.RowChange
        In the order they were saved, e.g. from :meth:`coalition.store.Store.changes_between`
        (already one per row) or several versions' :meth:`~coalition.store.Store.changes_in`.
        Left unchanged.

    Returns
    -------
    dict of str to dict of str to int
        Kind (in :data:`TALLY_KINDS` order: added, changed, ended, retired, restored, removed)
        -> noun (a table name, or ``"partnerships"`` for ended partnerships) -> count. Only
        kinds and nouns with a count above 0 appear; ``{}`` when nothing shows.

    Examples
    --------
    >>> tie = {"tie_type": "partnership", "_retired": None}
    >>> ended = {"tie_type": "partnership", "_retired": {"on": "2026-11-30", "reason": "x"}}
    >>> meeting_tally([edits.RowChange("ties", "a|b|partnership", tie, ended)])
    {'ended': {'partnerships': 1}}
    >>> meeting_tally([])
    {}
    """
    counts: dict[str, dict[str, int]] = {}
    for change in edits.net_changes(changes):  # one per row: first before, last after
        net = _net_kind(change)
        if net is None:
            continue
        kind, noun = net
        counts.setdefault(kind, {})
        counts[kind][noun] = counts[kind].get(noun, 0) + 1
    order = list(NOUNS)
    return {
        kind: {
            noun: counts[kind][noun]
            for noun in sorted(
                counts[kind], key=lambda n: (order.index(n) if n in order else 99, n)
            )
        }
        for kind in TALLY_KINDS
        if kind in counts
    }


# The words of the sentence, whole templates per noun and per kind of change (word order and
# agreement differ between languages): noun -> "{count} ties"; kind -> "{things} added".
_NOUN_PHRASES: dict[str, Callable[[int], str]] = {
    "ties": lambda n: ngettext("{count} tie", "{count} ties", n),
    "partnerships": lambda n: ngettext("{count} partnership", "{count} partnerships", n),
    "organizations": lambda n: ngettext("{count} organization", "{count} organizations", n),
    "communities": lambda n: ngettext("{count} community", "{count} communities", n),
    "navigators": lambda n: ngettext(
        "{count} cultural navigator", "{count} cultural navigators", n
    ),
    "committees": lambda n: ngettext(
        "{count} welcoming committee", "{count} welcoming committees", n
    ),
    "neighborhoods": lambda n: ngettext("{count} neighborhood", "{count} neighborhoods", n),
}
_KIND_PHRASES: dict[str, Callable[[int], str]] = {
    "added": lambda n: ngettext("{things} added", "{things} added", n),
    "changed": lambda n: ngettext("{things} changed", "{things} changed", n),
    "ended": lambda n: ngettext("{things} ended", "{things} ended", n),
    "retired": lambda n: ngettext("{things} retired", "{things} retired", n),
    "restored": lambda n: ngettext("{things} restored", "{things} restored", n),
    "removed": lambda n: ngettext("{things} removed", "{things} removed", n),
}


def _count_phrase(count: int, noun: str) -> str:
    phrase = _NOUN_PHRASES.get(noun)
    if phrase is None:  # a table this sentence does not know: its name, as a last resort
        one, many = NOUNS.get(noun, (noun, noun))
        return f"{fmt_int(count)} {one if count == 1 else many}"
    return phrase(count).format(count=fmt_int(count))


def tally_sentence(tally: Mapping[str, Mapping[str, int]]) -> str:
    """The tally in one plain sentence, for the projector.

    Parameters
    ----------
    tally : dict
        From :func:`meeting_tally`.

    Returns
    -------
    str
        Plain text (no markup; every word comes from :data:`NOUNS`, never from data).

    Examples
    --------
    >>> tally_sentence({"added": {"ties": 3, "organizations": 1}, "ended": {"partnerships": 1}})
    'Since this meeting started: 3 ties, 1 organization added; 1 partnership ended.'
    >>> tally_sentence({"changed": {"organizations": 2}, "removed": {"ties": 1}})
    'Since this meeting started: 2 organizations changed; 1 tie removed.'
    >>> tally_sentence({})
    'Since this meeting started: nothing has been added or changed yet.'
    """
    parts = []
    for kind in TALLY_KINDS:
        nouns = {noun: int(n) for noun, n in (tally.get(kind) or {}).items() if int(n) > 0}
        if nouns:
            phrases = ", ".join(_count_phrase(n, noun) for noun, n in nouns.items())
            parts.append(_KIND_PHRASES[kind](sum(nouns.values())).format(things=phrases))
    if not parts:
        return _("Since this meeting started: nothing has been added or changed yet.")
    return _("Since this meeting started: {changes}.").format(changes="; ".join(parts))


def reloaded_sentence(meeting: str | None) -> str:
    """What to say when a whole-city load lies between the meeting's start and now.

    Parameters
    ----------
    meeting : str or None
        The meeting's name (data: escape it where it is shown), or None when the start is the
        moment presenter mode was switched on.

    Returns
    -------
    str
        Plain text.

    Examples
    --------
    >>> reloaded_sentence("November session")
    'The data was reloaded since November session, so its changes cannot be counted one by one.'
    >>> reloaded_sentence(None).startswith("The data was reloaded since presenter mode")
    True
    """
    if not meeting:
        return _(
            "The data was reloaded since presenter mode was switched on, so its changes "
            "cannot be counted one by one."
        )
    return _(
        "The data was reloaded since {meeting}, so its changes cannot be counted one by one."
    ).format(meeting=" ".join(str(meeting).split()))


def meeting_start(
    meetings: pd.DataFrame | None, switched_on: int | None
) -> tuple[int | None, str | None]:
    """The version the meeting started at, and its name when it is a named meeting.

    Parameters
    ----------
    meetings : pandas.DataFrame or None
        :meth:`coalition.store.Store.meetings` (``name``, ``version``, …, newest first).
    switched_on : int or None
        The data version when presenter mode was switched on (used when no meeting is named).

    Returns
    -------
    (int or None, str or None)
        The latest named meeting's version and name, else ``(switched_on, None)``.

    Examples
    --------
    >>> named = pd.DataFrame({"name": ["Nov", "Oct"], "version": [12, 7]})
    >>> meeting_start(named, 20)
    (12, 'Nov')
    >>> meeting_start(named.iloc[0:0], 20)
    (20, None)
    """
    if meetings is not None and len(meetings):
        first = meetings.iloc[0]
        return int(first["version"]), str(first["name"])
    return (int(switched_on) if switched_on is not None else None), None
