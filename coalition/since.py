"""What changed since a meeting, as marks to draw on the network and the map.

:func:`changes_since` is pure: it takes two :class:`~coalition.model.CityData` (for example
``store.read_version(store.version_of("March convening"))`` and ``store.read_city()``), compares
their tables row by row by key (:func:`coalition.edits.keys_of`, so it works whether the two
versions are separated by edits or by a whole-city load), and returns :class:`SinceMarks`: the
ties added, the ties ended (with their rows, so an ended tie can still be drawn), the
organizations added, retired and changed, and the neighborhoods whose figures changed. It never
touches the store and never mutates its inputs.

What changed since a meeting is history: it names ties that ended and organizations that were
removed, so the dashboard shows it to editors and admins only (action ``history``, see
:mod:`coalition.dashboard.since_ui`). It counts ties and organizations, never residents, so
nothing here needs the small-count protection of :mod:`coalition.privacy`.

Where a tie or a neighborhood "is": a neighborhood is itself; an organization, a navigator and a
committee are in their ``neighborhood``; a community lives in many places and is in none. A tie
counts for the neighborhoods of its two ends.

Examples
--------
>>> from coalition import edits
>>> from coalition.examples import example_city
>>> before = example_city()
>>> after = edits.apply_changes(before, edits.add(before, "ties", {
...     "source_id": "clinic", "target_id": "lonely", "tie_type": "partnership",
...     "source": "meeting", "source_date": "2026-11"}))
>>> marks = changes_since(before, after)
>>> list(marks.ties_added), sorted(marks.neighborhoods)
(['clinic|lonely|partnership'], ['dogwood'])
>>> neighborhood_line(marks.neighborhoods["dogwood"], "March convening")
'Changed since March convening: 1 tie added, 0 ended'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import labels, schema
from .edits import RETIRED, keys_of, plain_row, plain_value, tie_key
from .errors import DataError
from .i18n import _, fmt_number, ngettext
from .model import CityData, is_member, place_committees
from .presenting.changes import version_label

logger = logging.getLogger(__name__)

# The tables whose rows locate a node in a neighborhood, and the column that says where.
_PLACED = {
    "organizations": "neighborhood",
    "navigators": "neighborhood",
    "committees": "neighborhood",
}
SERVING_TIE = "serves_neighborhood"


@dataclass(frozen=True)
class EndedTie:
    """A tie that was in the earlier version and is not any more.

    Attributes
    ----------
    key : str
        :func:`coalition.edits.tie_key` of the tie.
    row : dict
        The tie as it was (plain values of every ties column: ``source_id``, ``target_id``,
        ``tie_type``, ``strength``...), enough to draw it.
    on : str or None
        The day it was retired (``YYYY-MM-DD``); None when not known (it left in a whole load).
    reason : str or None
        Why, as the editor said; None when not known.
    """

    key: str
    row: dict[str, Any]
    on: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class NeighborhoodChange:
    """A neighborhood whose figures changed; each pair is ``(before, after)``, None if unchanged.

    Attributes
    ----------
    neighborhood_id, name : str
    ties_added, ties_ended : int
        Ties with an end in the neighborhood (see the module docstring).
    committee_status : tuple of str or None
        Its committee status (:func:`coalition.model.place_committees`).
    covered : tuple of bool or None
        Whether an active committee covers it (the "own" coverage rule).
    members : tuple of int or None
        Member organizations located there, when who they are changed.
    serving : tuple of int or None
        Ties serving it (``serves_neighborhood``), when which they are changed.
    """

    neighborhood_id: str
    name: str
    ties_added: int = 0
    ties_ended: int = 0
    committee_status: tuple[str, str] | None = None
    covered: tuple[bool, bool] | None = None
    members: tuple[int, int] | None = None
    serving: tuple[int, int] | None = None


@dataclass(frozen=True)
class SinceMarks:
    """What changed between two versions, by key (see :func:`changes_since`).

    Attributes
    ----------
    ties_added : dict of str to dict
        Tie key -> the tie's row (plain values), in the later version's order.
    ties_ended : dict of str to EndedTie
        Tie key -> the ended tie, in the earlier version's order.
    organizations_added, organizations_retired : tuple of str
        Organization ids (retired: active before, not after: retired, merged or removed).
    organizations_changed : dict of str to tuple of str
        Organization id -> the columns whose value changed.
    neighborhoods : dict of str to NeighborhoodChange
        Only the neighborhoods whose figures changed, in the later version's order.
    """

    ties_added: dict[str, dict[str, Any]] = field(default_factory=dict)
    ties_ended: dict[str, EndedTie] = field(default_factory=dict)
    organizations_added: tuple[str, ...] = ()
    organizations_retired: tuple[str, ...] = ()
    organizations_changed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    neighborhoods: dict[str, NeighborhoodChange] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when nothing that is drawn changed.

        Examples
        --------
        >>> SinceMarks().is_empty
        True
        """
        return not (
            self.ties_added
            or self.ties_ended
            or self.organizations_added
            or self.organizations_retired
            or self.organizations_changed
            or self.neighborhoods
        )


def _frame(city: CityData, table: str) -> pd.DataFrame:
    """A table's active rows (a city read with ``include_retired`` keeps retired ones marked)."""
    frame = city.tables.get(table)
    if frame is None:
        return pd.DataFrame(columns=[c.name for c in schema.TABLES[table]])
    if RETIRED in frame.columns:
        frame = frame[frame[RETIRED].isna()]
    return frame


def _retired_marks(city: CityData) -> dict[str, dict[str, Any]]:
    """Tie key -> ``{"on", "reason"}`` of the retired ties a city read with retired rows holds."""
    frame = city.tables.get("ties")
    if frame is None or RETIRED not in frame.columns or not len(frame):
        return {}
    gone = frame[frame[RETIRED].notna()]
    return {
        key: dict(mark)
        for key, mark in zip(keys_of("ties", gone), gone[RETIRED].tolist(), strict=True)
        if isinstance(mark, Mapping)
    }


def _check(city: Any, which: str) -> None:
    if not isinstance(city, CityData) or "ties" not in city.tables:
        raise DataError(
            f"changes_since needs two cities with their tables (the {which} one is "
            f"{type(city).__name__}): read them with store.read_version(version) and "
            "store.read_city()."
        )
    for table in ("organizations", "ties"):
        frame = city.tables.get(table)
        if frame is None:
            continue
        needed = ["source_id", "target_id", "tie_type"] if table == "ties" else ["org_id"]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(
                f"The {which} city's {table} table has no column {', '.join(missing)}: "
                "read it from the store or from a data folder."
            )


def _rows_at(frame: pd.DataFrame, keys: list[str], wanted: set[str], table: str) -> dict:
    """Key -> plain row, for the rows of ``frame`` whose key is in ``wanted`` (in frame order)."""
    if not wanted:
        return {}
    positions = [i for i, k in enumerate(keys) if k in wanted]
    records = frame.iloc[positions].to_dict("records")
    return {keys[i]: plain_row(table, r) for i, r in zip(positions, records, strict=True)}


def _same(a: Any, b: Any, column: schema.Column) -> bool:
    """Whether two cells hold the same value (NaN and None alike, a tuple and a list alike)."""
    if a is b:
        return True
    try:
        if a == b:  # the common case, cheap; an array's == is ambiguous and raises
            return True
    except (TypeError, ValueError):
        pass
    return bool(plain_value(a, column) == plain_value(b, column))


def _changed_rows(
    table: str,
    old: pd.DataFrame,
    old_keys: list[str],
    new: pd.DataFrame,
    new_keys: list[str],
) -> dict[str, tuple[str, ...]]:
    """Key -> the schema columns whose value changed, for the rows in both frames.

    Column by column (reading 10,000 rows as dicts took seconds; a column's list does not).
    """
    old_at = {k: i for i, k in enumerate(old_keys)}
    pairs = [(k, old_at[k], j) for j, k in enumerate(new_keys) if k in old_at]
    found: dict[str, list[str]] = {}
    for column in schema.TABLES[table]:
        name = column.name
        if name not in old.columns and name not in new.columns:
            continue
        was = old[name].tolist() if name in old.columns else [None] * len(old)
        now = new[name].tolist() if name in new.columns else [None] * len(new)
        for key, i, j in pairs:
            if not _same(was[i], now[j], column):
                found.setdefault(key, []).append(name)
    return {key: tuple(found[key]) for key, _, _ in pairs if key in found}


def _places(city: CityData) -> dict[str, str]:
    """Node id -> the neighborhood it is in (neighborhoods themselves included)."""
    where: dict[str, str] = {}
    for table, column in _PLACED.items():
        frame = _frame(city, table)
        if column not in frame.columns or not len(frame):
            continue
        for node, place in zip(
            frame[schema.ID_COLUMNS[table]].tolist(), frame[column].tolist(), strict=True
        ):
            if isinstance(place, str) and place:
                where[str(node)] = place
    neighborhoods = _frame(city, "neighborhoods")
    for node in neighborhoods.get("neighborhood_id", pd.Series(dtype=object)).tolist():
        where[str(node)] = str(node)
    return where


@dataclass(frozen=True)
class _Ties:
    """A ties table's ends, types and keys as lists, read once."""

    sources: list[Any]
    targets: list[Any]
    types: list[Any]
    keys: list[str]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Ties:
        sources = frame["source_id"].tolist()
        targets = frame["target_id"].tolist()
        types = frame["tie_type"].tolist()
        keys = [tie_key(a, b, t) for a, b, t in zip(sources, targets, types, strict=True)]
        return cls(sources, targets, types, keys)


def _statuses(city: CityData, ties: _Ties, ids: list[str]) -> dict[str, str]:
    committees = _frame(city, "committees")
    by_id: dict[str, dict[str, Any]] = {
        str(row[schema.ID_COLUMNS["committees"]]): {str(k): v for k, v in row.items()}
        for row in committees.to_dict("records")
    }
    covers = [
        (str(a), str(b))
        for a, b, kind in zip(ties.sources, ties.targets, ties.types, strict=True)
        if kind == "covers" and str(a) in by_id
    ]
    return place_committees(ids, by_id, covers).status


def _members(city: CityData) -> dict[str, set[str]]:
    """Neighborhood id -> ids of the member organizations located there."""
    frame = _frame(city, "organizations")
    found: dict[str, set[str]] = {}
    if "neighborhood" not in frame.columns:
        return found
    flags = frame["member"].tolist() if "member" in frame.columns else [None] * len(frame)
    for org, place, flag in zip(
        frame["org_id"].tolist(), frame["neighborhood"].tolist(), flags, strict=True
    ):
        if isinstance(place, str) and place and is_member(flag if not _blank(flag) else None):
            found.setdefault(place, set()).add(str(org))
    return found


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _serving(ties: _Ties) -> dict[str, set[str]]:
    """Neighborhood id -> keys of the ties serving it."""
    found: dict[str, set[str]] = {}
    for key, target, kind in zip(ties.keys, ties.targets, ties.types, strict=True):
        if kind == SERVING_TIE:
            found.setdefault(str(target), set()).add(key)
    return found


def changes_since(
    before: CityData,
    after: CityData,
    *,
    retired: Mapping[str, Mapping[str, Any]] | None = None,
) -> SinceMarks:
    """The marks of what changed from ``before`` to ``after``, compared by key.

    Parameters
    ----------
    before, after : CityData
        Two versions of a city (left unchanged). Retired rows are ignored, so ``after`` may be
        read with ``include_retired=True``: its retired ties then give each ended tie its date
        and reason.
    retired : mapping, optional
        Tie key -> ``{"on": "YYYY-MM-DD", "reason": "..."}`` for ended ties (what
        :meth:`coalition.store.Store.changes_between` or :meth:`~coalition.store.Store.retired`
        tell); used where ``after`` does not say.

    Returns
    -------
    SinceMarks

    Raises
    ------
    DataError
        If either city has no ties table or lacks a key column.

    Examples
    --------
    >>> from coalition import edits
    >>> from coalition.examples import example_city
    >>> before = example_city()
    >>> ending = edits.retire(before, "ties", "church|lib|partnership",
    ...                       reason="funding stopped", on="2026-11-30")
    >>> marks = changes_since(before, edits.apply_changes(before, ending),
    ...                       retired={c.key: c.after["_retired"] for c in ending})
    >>> tie = marks.ties_ended["church|lib|partnership"]
    >>> tie.on, tie.reason, tie.row["strength"]
    ('2026-11-30', 'funding stopped', 1)
    >>> sorted(marks.neighborhoods)
    ['alder', 'cedar']
    """
    _check(before, "earlier")
    _check(after, "later")
    marks_of_retired = {**(retired or {}), **_retired_marks(after)}

    old_ties, new_ties = _frame(before, "ties"), _frame(after, "ties")
    old_read, new_read = _Ties.of(old_ties), _Ties.of(new_ties)
    old_keys, new_keys = old_read.keys, new_read.keys
    old_set, new_set = set(old_keys), set(new_keys)
    added_rows = _rows_at(new_ties, new_keys, new_set - old_set, "ties")
    ended_rows = _rows_at(old_ties, old_keys, old_set - new_set, "ties")
    ended = {}
    for key, row in ended_rows.items():
        mark = marks_of_retired.get(key) or {}
        on, reason = mark.get("on"), mark.get("reason")
        ended[key] = EndedTie(
            key=key,
            row={k: v for k, v in row.items() if k != RETIRED},
            on=None if _blank(on) else str(on),
            reason=None if _blank(reason) else str(reason),
        )

    old_orgs, new_orgs = _frame(before, "organizations"), _frame(after, "organizations")
    old_org_keys = keys_of("organizations", old_orgs)
    new_org_keys = keys_of("organizations", new_orgs)
    old_org_set, new_org_set = set(old_org_keys), set(new_org_keys)
    changed = _changed_rows("organizations", old_orgs, old_org_keys, new_orgs, new_org_keys)

    return SinceMarks(
        ties_added=added_rows,
        ties_ended=ended,
        organizations_added=tuple(k for k in dict.fromkeys(new_org_keys) if k not in old_org_set),
        organizations_retired=tuple(k for k in dict.fromkeys(old_org_keys) if k not in new_org_set),
        organizations_changed=changed,
        neighborhoods=_neighborhood_changes(before, after, old_read, new_read, added_rows, ended),
    )


def _neighborhood_changes(
    before: CityData,
    after: CityData,
    old_ties: _Ties,
    new_ties: _Ties,
    added: dict[str, dict[str, Any]],
    ended: dict[str, EndedTie],
) -> dict[str, NeighborhoodChange]:
    new_frame = _frame(after, "neighborhoods")
    old_frame = _frame(before, "neighborhoods")
    names: dict[str, str] = {}
    for frame in (old_frame, new_frame):  # the later name wins
        if "neighborhood_id" in frame.columns:
            for nid, name in zip(
                frame["neighborhood_id"].tolist(),
                frame["name"].tolist() if "name" in frame.columns else [None] * len(frame),
                strict=True,
            ):
                names[str(nid)] = str(nid) if _blank(name) or name == "" else str(name)
    ids = list(names)
    old_places, new_places = _places(before), _places(after)

    tie_counts: dict[str, list[int]] = {}
    for rows, places, other, slot in (
        (added.values(), new_places, old_places, 0),
        ((e.row for e in ended.values()), old_places, new_places, 1),
    ):
        for row in rows:
            touched = set()
            for end in (str(row.get("source_id")), str(row.get("target_id"))):
                place = places.get(end) or other.get(end)
                if place is not None:
                    touched.add(place)
            for place in touched:
                tie_counts.setdefault(place, [0, 0])[slot] += 1

    old_status, new_status = _statuses(before, old_ties, ids), _statuses(after, new_ties, ids)
    old_members, new_members = _members(before), _members(after)
    old_serving, new_serving = _serving(old_ties), _serving(new_ties)

    found: dict[str, NeighborhoodChange] = {}
    for nid in ids:
        status = (old_status.get(nid, "none"), new_status.get(nid, "none"))
        covered = (status[0] == "active", status[1] == "active")
        members = (old_members.get(nid, set()), new_members.get(nid, set()))
        serving = (old_serving.get(nid, set()), new_serving.get(nid, set()))
        added_count, ended_count = tie_counts.get(nid, (0, 0))
        change = NeighborhoodChange(
            neighborhood_id=nid,
            name=names[nid],
            ties_added=added_count,
            ties_ended=ended_count,
            committee_status=status if status[0] != status[1] else None,
            covered=covered if covered[0] != covered[1] else None,
            members=(len(members[0]), len(members[1])) if members[0] != members[1] else None,
            serving=(len(serving[0]), len(serving[1])) if serving[0] != serving[1] else None,
        )
        if (
            added_count
            or ended_count
            or change.committee_status
            or change.members
            or change.serving
        ):
            found[nid] = change
    return found


def neighborhood_line(change: NeighborhoodChange, label: str) -> str:
    """The first line of a changed neighborhood's tooltip (plain text: escape it for HTML).

    Tie counts are not resident counts: they are shown as they are.

    Examples
    --------
    >>> neighborhood_line(NeighborhoodChange("alder", "Alder", 2, 1), "version 3")
    'Changed since version 3: 2 ties added, 1 ended'
    """
    return ngettext(
        "Changed since {label}: {count} tie added, {ended} ended",
        "Changed since {label}: {count} ties added, {ended} ended",
        change.ties_added,
    ).format(
        label=" ".join(str(label).split()),
        count=fmt_number(change.ties_added),
        ended=fmt_number(change.ties_ended),
    )


def neighborhood_details(change: NeighborhoodChange) -> list[str]:
    """The figures that changed, one plain sentence each (no resident counts).

    Examples
    --------
    >>> for line in neighborhood_details(NeighborhoodChange("c", "Cedar", committee_status=(
    ...         "forming", "active"), covered=(False, True), members=(1, 2))):
    ...     print(line)
    Committee: forming → active
    Now covered by an active committee
    Member organizations located here: 1 → 2
    """
    lines = []
    if change.committee_status:
        was, now = (
            labels.COMMITTEE_STATUS_WORDS.get(s, s).lower() for s in change.committee_status
        )
        lines.append(_("Committee: {was} → {now}").format(was=was, now=now))
    if change.covered:
        lines.append(
            _("Now covered by an active committee")
            if change.covered[1]
            else _("No longer covered by an active committee")
        )
    if change.members:
        lines.append(
            _("Member organizations located here: {was} → {now}").format(
                was=change.members[0], now=change.members[1]
            )
        )
    if change.serving:
        lines.append(
            _("Ties serving it: {was} → {now}").format(was=change.serving[0], now=change.serving[1])
        )
    return lines  # counts of organizations and ties: never of residents


def outline_texts(marks: SinceMarks, label: str) -> dict[str, str]:
    """Neighborhood id -> the tooltip of its change outline (plain text lines; escape them).

    Examples
    --------
    >>> marks = SinceMarks(neighborhoods={"a": NeighborhoodChange("a", "A", 1, 0)})
    >>> outline_texts(marks, "March")
    {'a': 'Changed since March: 1 tie added, 0 ended'}
    """
    return {
        nid: "\n".join([neighborhood_line(change, label), *neighborhood_details(change)])
        for nid, change in marks.neighborhoods.items()
    }


def summary_sentence(marks: SinceMarks, label: str) -> str:
    """One sentence for a page: what changed since ``label`` (plain text).

    Examples
    --------
    >>> summary_sentence(SinceMarks(), "March convening")
    'Nothing drawn here changed since March convening.'
    >>> summary_sentence(SinceMarks(ties_added={"a|b|partnership": {}}), "version 2")
    'Since version 2: 1 new tie, 0 ended, 0 new organizations, 0 neighborhoods changed.'
    """
    shown = " ".join(str(label).split())
    if marks.is_empty:
        return _("Nothing drawn here changed since {label}.").format(label=shown)
    added, ended = len(marks.ties_added), len(marks.ties_ended)
    joined, gone = len(marks.organizations_added), len(marks.organizations_retired)
    places = len(marks.neighborhoods)
    parts = [
        ngettext("{count} new tie", "{count} new ties", added).format(count=fmt_number(added)),
        _("{count} ended").format(count=fmt_number(ended)),
        ngettext("{count} new organization", "{count} new organizations", joined).format(
            count=fmt_number(joined)
        ),
    ]
    if gone:
        parts.append(
            ngettext("{count} organization gone", "{count} organizations gone", gone).format(
                count=fmt_number(gone)
            )
        )
    parts.append(
        ngettext("{count} neighborhood changed", "{count} neighborhoods changed", places).format(
            count=fmt_number(places)
        )
    )
    return _("Since {label}: {changes}.").format(label=shown, changes=", ".join(parts))


@dataclass(frozen=True)
class SinceChoice:
    """An earlier version to show changes since: a named meeting or a plain version.

    Attributes
    ----------
    version : int
    label : str
        Short, for sentences and legends: the meeting's name, or ``"version 3"``.
    option : str
        Longer, for a list of choices (plain text, not markdown).
    """

    version: int
    label: str
    option: str


def since_choices(meetings: pd.DataFrame, versions: pd.DataFrame) -> dict[str, SinceChoice]:
    """The versions a page can show changes since, keyed by a stable option id.

    Meetings come first (newest first, as :meth:`coalition.store.Store.meetings` lists them),
    then every version, newest first. Keys (``"meeting:<name>"``, ``"version:<n>"``) stay the
    same when a new version is saved, so a widget keeps its choice.

    Parameters
    ----------
    meetings : pandas.DataFrame
        ``name`` and ``version`` (:meth:`~coalition.store.Store.meetings`).
    versions : pandas.DataFrame
        ``version``, ``saved_at`` and ``what`` (:meth:`~coalition.store.Store.versions`).

    Returns
    -------
    dict of str to SinceChoice

    Examples
    --------
    >>> meetings = pd.DataFrame({"name": ["March convening"], "version": [2]})
    >>> versions = pd.DataFrame({"version": [3, 2], "what": ["Recorded: a tie", "Loaded"],
    ...                          "saved_at": ["2026-11-30T17:02:00+00:00"] * 2})
    >>> for key, choice in since_choices(meetings, versions).items():
    ...     print(key, "|", choice.label, "|", choice.option)
    meeting:March convening | March convening | March convening (meeting, version 2)
    version:3 | version 3 | version 3 — 2026-11-30 17:02 UTC — Recorded: a tie
    version:2 | version 2 | version 2 — 2026-11-30 17:02 UTC — Loaded
    """
    choices: dict[str, SinceChoice] = {}
    for name, version in zip(meetings["name"].tolist(), meetings["version"].tolist(), strict=True):
        label = " ".join(str(name).split())
        choices[f"meeting:{label}"] = SinceChoice(
            int(version),
            label,
            _("{meeting} (meeting, version {version})").format(meeting=label, version=int(version)),
        )
    for version, saved_at, what in zip(
        versions["version"].tolist(),
        versions["saved_at"].tolist(),
        versions["what"].tolist(),
        strict=True,
    ):
        choices[f"version:{int(version)}"] = SinceChoice(
            int(version),
            _("version {version}").format(version=int(version)),
            version_label(int(version), saved_at, what),
        )
    return choices


__all__ = [
    "EndedTie",
    "NeighborhoodChange",
    "SinceChoice",
    "SinceMarks",
    "changes_since",
    "neighborhood_details",
    "neighborhood_line",
    "outline_texts",
    "since_choices",
    "summary_sentence",
]
