"""Small counts stay private: suppression is a transform on the numbers, applied before any text.

A count of the residents of one community in one neighborhood can point at a family. Every view a
viewer can reach (the dashboard, the CLI's ``--public`` output, public exports, briefs) takes its
resident counts through :func:`protect` (or :func:`public_tables` for whole tables) and formats
the result with :func:`format_count`. Nothing here reads or edits finished sentences.

The rules (``disclosure.threshold`` is :func:`coalition.settings.small_count_threshold`, 11 by
default, never below 5):

* **Primary suppression.** A count above 0 and below the threshold is hidden and shown as a range,
  :class:`SmallCount` ("fewer than 11").
* **Complementary suppression.** Cells related by sums form *lines*: parts that add up to a total
  (:class:`Line`). Cells a view never shows but that could be worked out (residents of a community
  outside the reached neighborhoods = residents - residents covered) are parts too, *unshown*:
  hidden from the start. Then, until nothing changes, in any line with exactly one hidden cell, or
  whose hidden parts add up to a small number while its total is shown, the smallest positive shown
  part is hidden too (the total when no part is left). Cells hidden this way are :class:`Withheld`
  ("withheld to protect a small count"): never "fewer than 11", because they are not small.
* **Checked by linear algebra.** The line rules can leave a small cell determined by a longer chain
  of equations (two blocks of hidden cells joined by one cell). :func:`protect` finishes by
  solving: a hidden small cell is determined by the shown numbers iff its unit vector lies in the
  row space of the line equations restricted to the hidden cells (iff every vector of the null
  space is 0 there). While one is, more cells are withheld.
* Editors and admins (``disclosure.exact``) get every number unchanged, labelled
  :data:`EXACT_LABEL`.

Which lines the city's tables have is documented in :func:`public_tables`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from coalition import settings
from coalition.i18n import N_, gettext
from coalition.presenting.text import MISSING, fmt_int

if TYPE_CHECKING:
    from coalition.accounts import Account

# Said beside exact counts shown to editors and admins.
EXACT_LABEL = N_("Exact counts — not for sharing")  # translated where shown: _(EXACT_LABEL)

WITHHELD_TEXT = N_("withheld to protect a small count")  # English: files and JSON keep it


@dataclass(frozen=True)
class Disclosure:
    """How counts of residents or members are shown to one audience.

    Attributes
    ----------
    exact : bool
        True for editors and admins (exact counts, labelled :data:`EXACT_LABEL`); False for
        viewers and everything public (small counts as ranges, with complementary suppression).
    threshold : int
        Counts above 0 and below it are small (:func:`coalition.settings.small_count_threshold`).

    Examples
    --------
    >>> from coalition.accounts import Account
    >>> Disclosure.for_account(Account("vi", "viewer")).exact
    False
    >>> Disclosure.for_account(Account("ed", "editor")).exact
    True
    """

    exact: bool = False
    threshold: int = field(default_factory=settings.small_count_threshold)

    @classmethod
    def for_account(cls, account: Account | None) -> Disclosure:
        """Exact counts for an account that may see them; ranges for anyone else."""
        return cls(exact=account is not None and account.can("exact_counts"))

    @classmethod
    def public(cls) -> Disclosure:
        """What a viewer, a public export or a shared file gets."""
        return cls(exact=False)

    @classmethod
    def exact_counts(cls) -> Disclosure:
        """What the operator (the CLI, the local single-person dashboard) and editors get."""
        return cls(exact=True)

    def is_small(self, count: Any) -> bool:
        """True for a number that must not be shown to this audience: above 0, below threshold.

        Examples
        --------
        >>> d = Disclosure(exact=False, threshold=11)
        >>> d.is_small(3), d.is_small(11), d.is_small(0), d.is_small(None)
        (True, False, False, False)
        """
        number = _number(count)
        return number is not None and 0 < number < self.threshold


@dataclass(frozen=True)
class SmallCount:
    """A primary-suppressed count: above 0 and below ``threshold``. Shown as a range.

    Examples
    --------
    >>> str(SmallCount(11))
    'fewer than 11'
    >>> from coalition.i18n import using
    >>> with using("es"):
    ...     str(SmallCount(11))
    'menos de 11'
    """

    threshold: int

    def __str__(self) -> str:  # in the language in use: a Spanish page says "menos de 11"
        return gettext("fewer than {threshold}").format(threshold=self.threshold)


@dataclass(frozen=True)
class Withheld:
    """A count withheld so that a small count elsewhere cannot be worked out by subtraction.

    The count itself is not small; saying "fewer than 11" of it would be false.

    Examples
    --------
    >>> str(Withheld())
    'withheld to protect a small count'
    """

    def __str__(self) -> str:
        return gettext(WITHHELD_TEXT)


Hidden = SmallCount | Withheld


def is_hidden(value: Any) -> bool:
    """True for a :class:`SmallCount` or :class:`Withheld` marker.

    Examples
    --------
    >>> is_hidden(Withheld()), is_hidden(SmallCount(11)), is_hidden(3)
    (True, True, False)
    """
    return isinstance(value, (SmallCount, Withheld))


def _number(value: Any) -> float | None:
    """A finite number, or None (missing, NaN, markers and non-numbers)."""
    if value is None or isinstance(value, (bool, str, SmallCount, Withheld)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_count(value: Any, disclosure: Disclosure) -> str:
    """A count as text for one audience.

    A marker from :func:`protect` says what it is; a plain number is shown exactly to an exact
    audience and as "fewer than N" to anyone else when it is small (primary suppression only: a
    count related to others by sums must go through :func:`protect` first).

    Parameters
    ----------
    value : Any
        A number, a :class:`SmallCount` / :class:`Withheld` marker, or missing (``None``, NaN).
    disclosure : Disclosure
        The audience.

    Returns
    -------
    str
        ``"1,234"``, ``"fewer than 11"``, ``"withheld to protect a small count"`` or an en dash.

    Examples
    --------
    >>> public, exact = Disclosure(False, 11), Disclosure(True, 11)
    >>> format_count(3, public), format_count(3, exact), format_count(1200, public)
    ('fewer than 11', '3', '1,200')
    >>> format_count(Withheld(), public), format_count(0, public), format_count(None, public)
    ('withheld to protect a small count', '0', '–')
    """
    if is_hidden(value):
        return str(value)
    number = _number(value)
    if number is None:
        return MISSING
    if not disclosure.exact and disclosure.is_small(number):
        return str(SmallCount(disclosure.threshold))
    return fmt_int(number)


def count_phrase(value: Any, noun: str, plural_noun: str | None = None) -> str:
    """A protected count with its noun, for a sentence.

    Parameters
    ----------
    value : Any
        A number or a marker from :func:`protect` (never a raw count a viewer may not see: this
        function shows numbers as they are).
    noun, plural_noun : str
        The noun for one and for several (``noun + "s"`` by default).

    Returns
    -------
    str

    Examples
    --------
    >>> count_phrase(1, "resident"), count_phrase(1200, "resident")
    ('1 resident', '1,200 residents')
    >>> count_phrase(SmallCount(11), "resident"), count_phrase(Withheld(), "resident")
    ('fewer than 11 residents', 'residents (number withheld to protect a small count)')
    """
    many = plural_noun or f"{noun}s"
    if isinstance(value, SmallCount):
        return f"{value} {many}"
    if isinstance(value, Withheld):
        return f"{many} (number {WITHHELD_TEXT})"
    number = _number(value)
    if number is None:
        return f"an unknown number of {many}"
    return f"{fmt_int(number)} {noun if round(number) == 1 else many}"


def hidden_share(*cells: Any) -> bool:
    """True when a share of these protected cells would reveal a hidden one.

    Examples
    --------
    >>> hidden_share(412, 419), hidden_share(Withheld(), 419)
    (False, True)
    """
    return any(is_hidden(c) for c in cells)


@dataclass(frozen=True)
class Line:
    """Cells related by a sum: ``parts`` add up to ``total``.

    When the parts' values do not add up to the total (a community's neighborhoods hold fewer
    residents than its estimate), :func:`protect` adds the difference as an unshown part: the
    rest is never shown, but it is there in the equation.

    Attributes
    ----------
    parts : tuple of Hashable
        Keys of the part cells in the ``values`` given to :func:`protect`.
    total : Hashable
        Key of the total cell (shown or not: an unshown total is listed in ``unshown``).

    Examples
    --------
    >>> Line(("a", "b"), "a+b").cells
    ('a', 'b', 'a+b')
    """

    parts: tuple[Hashable, ...]
    total: Hashable

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))

    @property
    def cells(self) -> tuple[Hashable, ...]:
        """The parts then the total."""
        return (*self.parts, self.total)


_TOLERANCE = 1e-9


def _components(
    hidden: set[Hashable], lines: list[Line]
) -> list[tuple[list[Hashable], list[Line]]]:
    """Hidden cells grouped by the lines that join them, each with the lines that touch it."""
    parent: dict[Hashable, Hashable] = {c: c for c in hidden}

    def find(c: Hashable) -> Hashable:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching = []
    for line in lines:
        here = [c for c in line.cells if c in hidden]
        if not here:
            continue
        touching.append((line, here))
        for other in here[1:]:
            parent[find(other)] = find(here[0])
    cells: dict[Hashable, list[Hashable]] = {}
    for c in hidden:
        cells.setdefault(find(c), []).append(c)
    groups: dict[Hashable, list[Line]] = {root: [] for root in cells}
    for line, here in touching:
        groups[find(here[0])].append(line)
    return [(cells[root], groups[root]) for root in cells]


def determined_cells(hidden: Iterable[Hashable], lines: Iterable[Line]) -> set[Hashable]:
    """The hidden cells whose value the line equations fix, given every shown cell.

    A hidden cell is determined iff its unit vector lies in the row space of the equations
    restricted to the hidden cells, i.e. iff every null-space vector is 0 at that cell.

    Parameters
    ----------
    hidden : iterable of Hashable
        The cells a reader does not see.
    lines : iterable of Line
        The sums a reader knows hold.

    Returns
    -------
    set

    Examples
    --------
    >>> sorted(determined_cells({"a"}, [Line(("a", "b"), "t")]))
    ['a']
    >>> sorted(determined_cells({"a", "b"}, [Line(("a", "b"), "t")]))
    []
    """
    hidden_set = set(hidden)
    found: set[Hashable] = set()
    for cells, group in _components(hidden_set, list(lines)):
        column = {c: j for j, c in enumerate(cells)}
        matrix = np.zeros((max(len(group), 1), len(cells)))
        for i, line in enumerate(group):
            for part in line.parts:
                if part in column:
                    matrix[i, column[part]] += 1.0
            if line.total in column:
                matrix[i, column[line.total]] -= 1.0
        _, singular, vt = np.linalg.svd(matrix)
        rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
        null = vt[rank:]
        for c, j in column.items():
            if null.shape[0] == 0 or np.all(np.abs(null[:, j]) < 1e-8):
                found.add(c)
    return found


def protect(
    values: Mapping[Hashable, Any],
    lines: Iterable[Line],
    disclosure: Disclosure,
    *,
    unshown: Iterable[Hashable] = (),
) -> dict[Hashable, Any]:
    """Hide small counts and every count they could be worked out from.

    Parameters
    ----------
    values : mapping of Hashable to number
        Every cell: what a view shows and what it could be derived from. Missing values (None,
        NaN) are not numbers anyone sees; they are left out of every line.
    lines : iterable of Line
        Sums that hold between cells (row and column totals of a table, a community's residents
        and its neighborhoods, residents = reached + outside). A line whose total is missing is
        dropped; a line whose parts do not add up to its total gets the difference as an unshown
        part.
    disclosure : Disclosure
        The audience. Exact: every value comes back unchanged.
    unshown : iterable of Hashable, optional
        Cells no view shows (derived parts such as "residents outside the reached neighborhoods"):
        hidden from the start. An unshown 0 counts as known (a reader assumes a remainder of 0).
        An unshown cell that is not small may be worked out (it says nothing small by itself):
        a line whose only hidden cell is such a part withholds nothing more; should working it
        out unlock a small cell, the linear-algebra step finds that.

    Returns
    -------
    dict
        Every key of ``values``: the value unchanged, :class:`SmallCount` for a small count,
        :class:`Withheld` for a cell hidden to protect one (and for unshown cells, which a view
        must not show anyway).

    Examples
    --------
    A community with 3 residents in one neighborhood and 40 in another, its total 43 shown:

    >>> d = Disclosure(exact=False, threshold=11)
    >>> out = protect({"n1": 3, "n2": 40, "all": 43}, [Line(("n1", "n2"), "all")], d)
    >>> [str(out[k]) for k in ("n1", "n2", "all")]
    ['fewer than 11', 'withheld to protect a small count', '43']
    >>> protect({"n1": 3}, [], Disclosure(exact=True, threshold=11))
    {'n1': 3}
    """
    values = dict(values)
    if disclosure.exact:
        return values
    threshold = disclosure.threshold
    known = {key: number for key, value in values.items() if (number := _number(value)) is not None}
    active: list[Line] = []
    for index, line in enumerate(lines):
        if line.total not in known:
            continue
        parts = tuple(p for p in line.parts if p in known)
        rest = known[line.total] - sum(known[p] for p in parts)
        if abs(rest) > _TOLERANCE:
            key = ("_rest", index)
            known[key] = rest
            parts = (*parts, key)
            unshown = [*unshown, key]
        active.append(Line(parts, line.total))
    unshown_set = {c for c in unshown if c in known and known[c] != 0}
    small = {c for c, v in known.items() if 0 < v < threshold}
    hidden = small | unshown_set

    def hide_one(line: Line) -> bool:
        shown_parts = sorted(
            (p for p in line.parts if p not in hidden and known[p] > 0),
            key=lambda p: (known[p], repr(p)),
        )
        if shown_parts:
            hidden.add(shown_parts[0])
            return True
        if line.total not in hidden:
            hidden.add(line.total)
            return True
        return False

    def line_rules() -> bool:
        changed = False
        for line in active:
            hidden_here = [c for c in line.cells if c in hidden]
            if not hidden_here:
                continue
            # An unshown cell that is not small may be worked out: it says nothing small by
            # itself, and the linear-algebra step below catches it if it unlocks a small one.
            lone = hidden_here[0] if len(hidden_here) == 1 else None
            exposed = lone is not None and (lone in small or lone not in unshown_set)
            if not exposed and line.total not in hidden:
                hidden_sum = sum(known[p] for p in line.parts if p in hidden)
                exposed = 0 < hidden_sum < threshold
            if exposed and hide_one(line):
                changed = True
        return changed

    def candidates(cell: Hashable) -> list[Hashable]:
        near = [line for line in active if cell in line.cells]
        far = [line for line in active if any(c in hidden for c in line.cells)]
        seen: list[Hashable] = []
        for group in (near, far):
            for kind in ("part", "total", "zero"):
                pool = []
                for line in group:
                    for c in line.cells:
                        if c in hidden or c in seen or c in pool:
                            continue
                        is_total = c == line.total
                        wanted = {
                            "part": not is_total and known[c] > 0,
                            "total": is_total,
                            "zero": not is_total and known[c] <= 0,
                        }[kind]
                        if wanted:
                            pool.append(c)
                seen.extend(sorted(pool, key=lambda c: (abs(known[c]), repr(c))))
        return seen

    while True:
        while line_rules():
            pass
        exposed_small = sorted(
            (c for c in determined_cells(hidden, active) if c in small), key=repr
        )
        if not exposed_small:
            break
        cell = exposed_small[0]
        options = candidates(cell)
        if not options:  # cannot happen: a determined positive cell has a shown cell in its lines
            break
        chosen: Hashable = options[0]
        for option in options:
            if cell not in determined_cells(hidden | {option}, active):
                chosen = option
                break
        hidden.add(chosen)

    result: dict[Hashable, Any] = {}
    for cell_key, value in values.items():
        if cell_key in hidden and cell_key in small and cell_key not in unshown_set:
            result[cell_key] = SmallCount(threshold)
        elif cell_key in hidden:
            result[cell_key] = Withheld()
        else:
            result[cell_key] = value
    return result


# Neighborhood figures that count residents, each with its margin of error.
NEIGHBORHOOD_COUNTS = ("population", "foreign_born", "limited_english")


def _active(frame: pd.DataFrame) -> pd.DataFrame:
    """A table without its retired rows (and without the ``_retired`` column)."""
    if "_retired" not in frame.columns:
        return frame.copy()
    keep = frame["_retired"].map(
        lambda mark: mark is None or (isinstance(mark, float) and mark != mark)
    )
    return frame.loc[keep].drop(columns="_retired")


@dataclass(frozen=True)
class CityCounts:
    """A city's resident counts as cells and lines for :func:`protect`.

    Keys: ``("lives_in", community_id, neighborhood_id)``, ``("community", community_id)`` (its
    estimated residents), ``("recorded", community_id)`` (the sum of its lives_in residents, shown
    by coverage as "Of the N residents recorded"), ``("neighborhood", neighborhood_id, column)``
    for each of :data:`NEIGHBORHOOD_COUNTS`, ``("city", column)`` (the city total of a column over
    the neighborhoods with a figure).
    """

    values: dict[Hashable, Any]
    lines: tuple[Line, ...]
    unshown: frozenset[Hashable] = frozenset()

    def extended(
        self,
        values: Mapping[Hashable, Any],
        lines: Iterable[Line],
        unshown: Iterable[Hashable] = (),
    ) -> CityCounts:
        """These counts with a view's own cells and lines added (for a consistent protection)."""
        return CityCounts(
            {**self.values, **values},
            (*self.lines, *lines),
            self.unshown | frozenset(unshown),
        )

    def protect(self, disclosure: Disclosure) -> dict[Hashable, Any]:
        """:func:`protect` over these cells and lines."""
        return protect(self.values, self.lines, disclosure, unshown=self.unshown)


def resident_counts(
    lives: Iterable[tuple[Any, Any, Any]],
    estimates: Iterable[tuple[Any, Any]] = (),
    figures: Mapping[str, Iterable[tuple[Any, Any]]] | None = None,
) -> CityCounts:
    """Resident counts and the sums that relate them, from plain rows (see :func:`city_counts`).

    Parameters
    ----------
    lives : iterable of (community_id, neighborhood_id, residents)
        The active lives_in ties.
    estimates : iterable of (community_id, estimated_residents)
        The active communities.
    figures : mapping of column to iterable of (neighborhood_id, value), optional
        The active neighborhoods' population, foreign_born and limited_english.

    Returns
    -------
    CityCounts

    Examples
    --------
    >>> counts = resident_counts([("a", "n1", 3), ("a", "n2", 40)], [("a", 43)])
    >>> counts.values[("recorded", "a")], len(counts.lines)
    (43.0, 2)
    """
    values: dict[Hashable, Any] = {}
    lines: list[Line] = []
    by_community: dict[str, list[Hashable]] = {}
    by_neighborhood: dict[str, list[Hashable]] = {}
    for community, neighborhood, residents in lives:
        number = _number(residents)
        if number is None:
            continue
        key = ("lives_in", str(community), str(neighborhood))
        values[key] = number
        by_community.setdefault(str(community), []).append(key)
        by_neighborhood.setdefault(str(neighborhood), []).append(key)
    for community, parts in by_community.items():
        total = ("recorded", community)
        values[total] = sum(values[p] for p in parts)
        lines.append(Line(tuple(parts), total))
    for community, estimate in estimates:
        number = _number(estimate)
        if number is None:
            continue
        total = ("community", str(community))
        values[total] = number
        lines.append(Line(tuple(by_community.get(str(community), ())), total))
    for column, rows in (figures or {}).items():
        parts = []
        for neighborhood, figure in rows:
            number = _number(figure)
            if number is None:
                continue
            key = ("neighborhood", str(neighborhood), column)
            values[key] = number
            parts.append(key)
            if column == "population":
                lines.append(Line(tuple(by_neighborhood.get(str(neighborhood), ())), key))
        values[("city", column)] = sum(values[p] for p in parts)
        lines.append(Line(tuple(parts), ("city", column)))
    return CityCounts(values, tuple(lines))


def city_counts(tables: Mapping[str, pd.DataFrame]) -> CityCounts:
    """The resident counts of a city's tables and the sums that relate them.

    Lines (every one a sum a reader of some view can form):

    * each community: its lives_in residents (+ an unshown rest) = its ``estimated_residents``;
    * each community: its lives_in residents = the residents recorded for it (coverage);
    * each neighborhood: the lives_in residents into it (+ an unshown rest) = its ``population``;
    * each of population, foreign_born, limited_english: the neighborhoods' figures = the city
      total (the overview's and coverage's totals count the neighborhoods with a figure).

    Retired rows are left out. Missing figures are in no line.

    Examples
    --------
    >>> tables = {
    ...     "communities": pd.DataFrame({"community_id": ["a"], "estimated_residents": [43]}),
    ...     "ties": pd.DataFrame({"source_id": ["a", "a"], "target_id": ["n1", "n2"],
    ...                          "tie_type": ["lives_in"] * 2, "residents": [3, 40]}),
    ... }
    >>> counts = city_counts(tables)
    >>> counts.values[("lives_in", "a", "n1")], counts.values[("recorded", "a")]
    (3.0, 43.0)
    """
    empty = pd.DataFrame()
    ties = _active(tables.get("ties", empty))
    communities = _active(tables.get("communities", empty))
    neighborhoods = _active(tables.get("neighborhoods", empty))
    lives: list[tuple[Any, Any, Any]] = []
    if {"tie_type", "residents", "source_id", "target_id"} <= set(ties.columns):
        chosen = ties[ties["tie_type"] == "lives_in"]
        lives = list(
            zip(chosen["source_id"], chosen["target_id"], chosen["residents"], strict=True)
        )
    estimates: list[tuple[Any, Any]] = []
    if {"community_id", "estimated_residents"} <= set(communities.columns):
        estimates = list(
            zip(communities["community_id"], communities["estimated_residents"], strict=True)
        )
    figures = {}
    if "neighborhood_id" in neighborhoods.columns:
        figures = {
            column: list(zip(neighborhoods["neighborhood_id"], neighborhoods[column], strict=True))
            for column in NEIGHBORHOOD_COUNTS
            if column in neighborhoods.columns
        }
    return resident_counts(lives, estimates, figures)


def _as_text(value: Any) -> Any:
    return str(value) if is_hidden(value) else value


def public_tables(
    tables: Mapping[str, pd.DataFrame], disclosure: Disclosure
) -> dict[str, pd.DataFrame]:
    """A city's tables as one audience may download them.

    Resident counts are protected together (:func:`city_counts` lists the lines: each community's
    lives_in residents with its estimated residents and with the residents recorded for it, each
    neighborhood's lives_in residents with its population, and the city totals of the
    neighborhoods' population, foreign_born and limited_english). A hidden count is replaced by
    its text ("fewer than 11", "withheld to protect a small count") in its column:
    ``ties.residents`` of lives_in ties, ``communities.estimated_residents``, ``neighborhoods``
    ``population`` / ``foreign_born`` / ``limited_english``, and the ``*_moe`` of a hidden
    estimate (withheld: a margin says how big its estimate is). Those columns then hold numbers
    and text (dtype object). With ``disclosure.exact`` every value is unchanged. Retired rows are
    never in the result (nor the ``_retired`` column). The inputs are not changed.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The city's tables (:attr:`coalition.model.CityData.tables`, or the store's with
        ``_retired``).
    disclosure : Disclosure
        The audience.

    Returns
    -------
    dict of str to pandas.DataFrame

    Examples
    --------
    >>> tables = {
    ...     "communities": pd.DataFrame({"community_id": ["a"], "estimated_residents": [43]}),
    ...     "ties": pd.DataFrame({"source_id": ["a", "a"], "target_id": ["n1", "n2"],
    ...                          "tie_type": ["lives_in"] * 2, "residents": [3, 40]}),
    ... }
    >>> public_tables(tables, Disclosure(exact=False, threshold=11))["ties"]["residents"].tolist()
    ['fewer than 11', 'withheld to protect a small count']
    """
    result = {name: _active(frame) for name, frame in tables.items()}
    if disclosure.exact:
        return result
    shown = city_counts(tables).protect(disclosure)
    ties = result.get("ties")
    if ties is not None and {"tie_type", "residents", "source_id", "target_id"} <= set(
        ties.columns
    ):
        cells = [
            shown.get(("lives_in", str(s), str(t)), r) if kind == "lives_in" else r
            for s, t, kind, r in zip(
                ties["source_id"],
                ties["target_id"],
                ties["tie_type"],
                ties["residents"],
                strict=True,
            )
        ]
        ties["residents"] = pd.Series([_as_text(c) for c in cells], index=ties.index, dtype=object)
    communities = result.get("communities")
    if communities is not None and {"community_id", "estimated_residents"} <= set(
        communities.columns
    ):
        cells = [
            shown.get(("community", str(c)), v)
            for c, v in zip(
                communities["community_id"], communities["estimated_residents"], strict=True
            )
        ]
        communities["estimated_residents"] = pd.Series(
            [_as_text(c) for c in cells], index=communities.index, dtype=object
        )
    neighborhoods = result.get("neighborhoods")
    if neighborhoods is not None and "neighborhood_id" in neighborhoods.columns:
        for column in NEIGHBORHOOD_COUNTS:
            if column not in neighborhoods.columns:
                continue
            cells = [
                shown.get(("neighborhood", str(n), column), v)
                for n, v in zip(
                    neighborhoods["neighborhood_id"], neighborhoods[column], strict=True
                )
            ]
            neighborhoods[column] = pd.Series(
                [_as_text(c) for c in cells], index=neighborhoods.index, dtype=object
            )
            moe = f"{column}_moe"
            if moe in neighborhoods.columns:
                neighborhoods[moe] = pd.Series(
                    [
                        WITHHELD_TEXT if is_hidden(c) else m
                        for c, m in zip(cells, neighborhoods[moe], strict=True)
                    ],
                    index=neighborhoods.index,
                    dtype=object,
                )
    return result


# ---------------------------------------------------------------------------------------------
# Before issue 9: suppression per cell and over finished sentences. Kept only while callers
# outside this module's owner still use them; new code uses protect() and format_count().

SUPPRESSED_COLUMNS = frozenset({"speakers"})

_RESIDENT_COUNT = re.compile(r"\((\d[\d,]*) (residents?|speakers?)\)")


def is_small(count: float) -> bool:
    """True for a count above zero and below the configured threshold.

    Examples
    --------
    >>> is_small(0), is_small(3), is_small(settings.SMALL_COUNT_THRESHOLD)
    (False, True, False)
    """
    return Disclosure.public().is_small(count)


def suppressed(value: Any) -> str:
    """A resident count for a shared view (primary suppression only; prefer :func:`protect`).

    Examples
    --------
    >>> suppressed(3), suppressed(120), suppressed(0), suppressed(None)
    ('fewer than 11', '120', '0', '–')
    """
    return format_count(value, Disclosure.public())


def suppress_small_counts(text: object) -> str:
    """Hide "(N residents)" below the threshold in a finished sentence (legacy; prefer protect).

    Examples
    --------
    >>> suppress_small_counts("Karen (3 residents) speak Karen; Latino (120 residents) too.")
    'Karen (fewer than 11 residents) speak Karen; Latino (120 residents) too.'
    """
    threshold = Disclosure.public().threshold

    def replace(match: re.Match) -> str:
        count = int(match.group(1).replace(",", ""))
        if 0 < count < threshold:
            return f"(fewer than {threshold} {match.group(2).rstrip('s')}s)"
        return match.group(0)

    return _RESIDENT_COUNT.sub(replace, str(text))
