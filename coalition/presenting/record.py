"""The Record page's words and choices, worked out without Streamlit.

Field labels and widgets of each editable table, a stored row as the values of its form and the
form's values as spreadsheet cells (what :mod:`coalition.edits` checks), validation problems
placed on the form's fields, the two sides of a conflict, and the find-as-you-type matching of
the record pickers (fast at 10,000 organizations).

Every value returned here that comes from data is plain text: the page escapes it
(:func:`coalition.presenting.text.md`) before drawing it.

Examples
--------
>>> field_label("organizations", "lat")
'Latitude (WGS84)'
>>> Picker({"lib": "Alder Library", "legal": "Birch Legal Aid"}).matches("legal")
['legal']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date

from coalition import i18n, labels, schema
from coalition.errors import Problem
from coalition.i18n import N_, Translated, _
from coalition.names import Suggester, name_key

# A table's records, in the words of the page: (one, several). Marked, kept in English (the
# singular also names a new record's fallback id); translate where shown: _(TABLE_WORDS[t][1]).
TABLE_WORDS: dict[str, tuple[str, str]] = {
    "organizations": (N_("organization"), N_("Organizations")),
    "ties": (N_("tie"), N_("Ties")),
    "communities": (N_("community"), N_("Communities")),
    "navigators": (N_("cultural navigator"), N_("Cultural navigators")),
    "committees": (N_("welcoming committee"), N_("Welcoming committees")),
}
# What can be done to each kind of record, in the order the page offers it.
ACTIONS: dict[str, tuple[str, ...]] = {
    "organizations": ("add", "change", "retire", "merge"),
    "ties": ("add", "change", "retire"),
    "communities": ("add", "change", "retire", "merge"),
    "navigators": ("add", "change", "retire", "merge"),
    "committees": ("add", "change", "status", "retire", "merge"),
}
_ACTIONS = {
    "add": N_("Add"),
    "change": N_("Change"),
    "retire": N_("Retire"),
    "merge": N_("Merge two that are the same"),
    "status": N_("Change its status"),
}
ACTION_WORDS = Translated(_ACTIONS)
# A tie is not retired: "this partnership ended".
TIE_ACTION_WORDS = Translated({**_ACTIONS, "retire": N_("It ended")})
STATUS_WORDS = Translated(
    {
        "none": N_("None (disbanded, or planned only)"),
        "forming": N_("Forming"),
        "active": N_("Active"),
        "paused": N_("Paused"),
    }
)
STATUS_ORDER = ("none", "forming", "active", "paused")

# Field labels are marked here and translated where shown (a Field's label: _(f.label)).
PROVENANCE_LABELS = {
    "source": N_("Source: who said it, or where it is written"),
    "source_date": N_("Date of the source (YYYY-MM-DD, YYYY-MM or YYYY)"),
    "illustrative": N_("This is only an example, not a real fact"),
}
# Fields of the forms that are not columns of a table.
FORM_LABELS = Translated(
    {
        "reason": N_("Why (for example: closed, the partnership ended)"),
        "on": N_("From which date"),
        "status": N_("New status"),
        "source_id": N_("First end"),
        "target_id": N_("Second end"),
        "tie_type": N_("What kind of tie"),
        "keep": N_("The one to keep"),
        "drop": N_("The one that goes (its ties move to the one kept)"),
    }
)


@dataclass(frozen=True)
class Field:
    """One field of a record's form.

    Attributes
    ----------
    column : str
        The table's column.
    widget : str
        ``text``, ``long`` (notes), ``list`` (texts separated by ';'), ``services``, ``choice``,
        ``bool``, ``neighborhood`` (an id or nothing) or ``strength``.
    label : str
        What the page shows (trusted words).
    choices : tuple of str
        The keys of a ``choice`` field.
    help : str
        A line under the field, or "".
    """

    column: str
    widget: str
    label: str
    choices: tuple[str, ...] = ()
    help: str = ""


_PROVENANCE_FIELDS = (
    Field("source", "text", PROVENANCE_LABELS["source"]),
    Field("source_date", "text", PROVENANCE_LABELS["source_date"]),
    Field("illustrative", "bool", PROVENANCE_LABELS["illustrative"]),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "organizations": (
        Field("name", "text", N_("Name")),
        Field("sector", "text", N_("Sector (library, nonprofit, faith, school, health…)")),
        Field("orientation", "choice", N_("Who it mainly serves"), schema.ORIENTATIONS),
        Field("services", "services", N_("Kinds of help it offers")),
        Field("languages", "list", N_("Languages offered, separated by ;")),
        Field("anchor_type", "choice", N_("Is it a neighborhood anchor?"), schema.ANCHOR_TYPES),
        Field("neighborhood", "neighborhood", N_("Neighborhood where it is")),
        Field("address", "text", N_("Street address")),
        Field(
            "lat",
            "text",
            N_("Latitude (WGS84)"),
            help=N_("For example 41.7658; blank if not known."),
        ),
        Field(
            "lon",
            "text",
            N_("Longitude (WGS84)"),
            help=N_("For example -72.6734; blank if not known."),
        ),
        Field("member", "bool", N_("A member of the coalition (untick: one it could invite)")),
        Field("notes", "long", N_("Notes")),
        *_PROVENANCE_FIELDS,
    ),
    "communities": (
        Field("name", "text", N_("Name")),
        Field(
            "community_kind",
            "choice",
            N_("Newcomers or long-time residents"),
            schema.COMMUNITY_KINDS,
        ),
        Field("languages", "list", N_("Languages spoken, separated by ;")),
        Field("estimated_residents", "text", N_("Estimated residents in the city")),
        Field("notes", "long", N_("Notes (for example where the estimate comes from)")),
        *_PROVENANCE_FIELDS,
    ),
    "navigators": (
        Field(
            "alias",
            "text",
            N_("Alias (never a real name or contact detail)"),
            help=N_("Cultural navigators are private people: record an alias only."),
        ),
        Field("languages", "list", N_("Languages spoken, separated by ;")),
        Field("neighborhood", "neighborhood", N_("Neighborhood where the navigator is based")),
        *_PROVENANCE_FIELDS,
    ),
    "committees": (
        Field("name", "text", N_("Name")),
        Field("neighborhood", "neighborhood", N_("Neighborhood it covers")),
        Field("status", "choice", N_("Status"), STATUS_ORDER),
        Field("start_date", "text", N_("Started (YYYY-MM-DD, YYYY-MM or YYYY)")),
        *_PROVENANCE_FIELDS,
    ),
    "ties": (
        Field("kind", "text", N_("In a few words (for example: joint ESL class)")),
        Field("strength", "strength", N_("How strong")),
        Field("since", "text", N_("Since (YYYY, YYYY-MM or YYYY-MM-DD, optional)")),
        Field("residents", "text", N_("Residents of the community there (estimate)")),
        Field("notes", "long", N_("Notes")),
        *_PROVENANCE_FIELDS,
    ),
}
# Fields changed through their own form, not the record's "Change" form.
OWN_FORM_FIELDS = {"committees": ("status",)}
CHOICE_WORDS: dict[str, Mapping[str, str]] = {
    "orientation": labels.ORIENTATION_LABELS,
    "anchor_type": labels.ANCHOR_LABELS,
    "community_kind": labels.COMMUNITY_KIND_WORDS,
    "status": STATUS_WORDS,
}


def fields_of(table: str, *, adding: bool = True, tie_type: str | None = None) -> list[Field]:
    """The fields of a table's form (adding or changing; a tie's by its type).

    Examples
    --------
    >>> [f.column for f in fields_of("committees", adding=False)][:3]
    ['name', 'neighborhood', 'start_date']
    >>> "residents" in [f.column for f in fields_of("ties", tie_type="partnership")]
    False
    """
    own = () if adding else OWN_FORM_FIELDS.get(table, ())
    return [
        f
        for f in FIELDS[table]
        if f.column not in own
        and not (table == "ties" and f.column == "residents" and tie_type != "lives_in")
    ]


def field_label(table: str, column: str | None) -> str:
    """The label a column's field has on the page (the column itself when it has none).

    Examples
    --------
    >>> field_label("navigators", "alias")
    'Alias (never a real name or contact detail)'
    >>> field_label("ties", "reason"), field_label("ties", "zzz")
    ('Why (for example: closed, the partnership ended)', 'zzz')
    """
    if not column:
        return ""
    for f in FIELDS.get(table, ()):
        if f.column == column:
            return _(f.label)
    if column in FORM_LABELS:
        return FORM_LABELS[column]
    return column


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def widget_value(f: Field, value: Any) -> Any:
    """A stored value as its field's widget holds it.

    Examples
    --------
    >>> widget_value(Field("languages", "list", ""), ["English", "Spanish"])
    'English; Spanish'
    >>> widget_value(Field("lat", "text", ""), None), widget_value(Field("m", "bool", ""), None)
    ('', False)
    >>> widget_value(Field("strength", "strength", ""), None)
    1
    """
    if f.widget == "services":
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else []
    if f.widget == "list":
        return "; ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else ""
    if f.widget == "bool":
        return bool(value) if not _missing(value) else False
    if f.widget == "strength":
        return int(value) if not _missing(value) and value in (1, 2, 3) else 1
    if f.widget in ("neighborhood", "choice"):
        return None if _missing(value) or value == "" else str(value)
    if _missing(value):
        return ""
    if isinstance(value, float) and value.is_integer() and f.column not in ("lat", "lon"):
        return str(int(value))
    return str(value)


def cell_of(f: Field, value: Any) -> str:
    """A widget's value as the spreadsheet cell :mod:`coalition.edits` checks.

    Examples
    --------
    >>> cell_of(Field("services", "services", ""), ["english", "legal"])
    'english;legal'
    >>> cell_of(Field("member", "bool", ""), True), cell_of(Field("n", "neighborhood", ""), None)
    ('yes', '')
    """
    if f.widget == "services":
        return schema.LIST_SEPARATOR.join(str(v) for v in value or [])
    if f.widget == "list":
        items = [part.strip() for part in str(value or "").split(schema.LIST_SEPARATOR)]
        return schema.LIST_SEPARATOR.join(i for i in items if i)
    if f.widget == "bool":
        return "yes" if value else "no"
    if value is None:
        return ""
    return str(value).strip()


def form_values(table: str, row: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, Any]:
    """A stored row as the values of its form's widgets, by column.

    Examples
    --------
    >>> form_values("ties", {"strength": 3, "kind": None}, fields_of("ties"))["strength"]
    3
    """
    return {f.column: widget_value(f, row.get(f.column)) for f in fields}


def cells_of(fields: Iterable[Field], values: Mapping[str, Any]) -> dict[str, str]:
    """The form's widget values as cells, by column.

    Examples
    --------
    >>> cells_of(fields_of("navigators"), {"alias": " Nav B ", "languages": "Karen ;"})["alias"]
    'Nav B'
    """
    return {f.column: cell_of(f, values.get(f.column)) for f in fields}


def changed_cells(
    fields: Iterable[Field], read: Mapping[str, Any], now: Mapping[str, Any]
) -> dict[str, str]:
    """The cells the editor changed: the form as read against the form as submitted.

    Only these go into :func:`coalition.edits.change`, so a field someone else changed in the
    meantime and the editor did not touch keeps its new value.

    Examples
    --------
    >>> fs = fields_of("communities")
    >>> read = {"name": "Karen", "languages": "Karen; Burmese"}
    >>> changed_cells(fs, read, {**read, "languages": "Karen;Burmese", "name": "Karen people"})
    {'name': 'Karen people'}
    """
    fields = list(fields)
    before, after = cells_of(fields, read), cells_of(fields, now)
    return {c: v for c, v in after.items() if before[c] != v}


# --- validation problems on the form's fields ----------------------------------------------------


@dataclass(frozen=True)
class FormProblems:
    """Validation problems placed on a form: by field (column) and the rest.

    Attributes
    ----------
    by_column : dict
        Column -> messages (plain text, from the checks).
    lines : list of str
        Every problem as "Field label: message" (plain text), in the order found.
    """

    by_column: dict[str, list[str]]
    lines: list[str]


def form_problems(table: str, problems: Sequence[Problem]) -> FormProblems:
    """Problems of a form's row said against the form's fields, not a file's row and column.

    Parameters
    ----------
    table : str
        The table the form edits.
    problems : sequence of Problem
        :attr:`coalition.errors.ValidationError.problems` (file "the form" or "<table>.csv").

    Returns
    -------
    FormProblems

    Examples
    --------
    >>> found = form_problems("organizations", [Problem("organizations.csv", "Not a number.",
    ...     row=7, column="lat", value="x"), Problem("the form", "Pick two.")])
    >>> found.lines
    ['Latitude (WGS84): Not a number. (you wrote: x)', 'Pick two.']
    >>> found.by_column
    {'lat': ['Not a number. (you wrote: x)']}
    """
    by_column: dict[str, list[str]] = {}
    lines = []
    for p in problems:
        if p.severity != "error":
            continue
        message = p.message
        if p.value not in (None, "") and p.column:
            message = _("{problem} (you wrote: {value})").format(problem=message, value=p.value)
        if p.column:
            by_column.setdefault(p.column, []).append(message)
            lines.append(
                _("{field}: {problem}").format(field=field_label(table, p.column), problem=message)
            )
        else:
            lines.append(message)
    return FormProblems(by_column, lines)


# --- conflicts -----------------------------------------------------------------------------------

NOT_YOURS = N_("(you did not change it)")  # translated where shown
GONE = N_("(no longer there)")
BLANK = N_("(blank)")


def value_text(value: Any) -> str:
    """A stored value as plain text for a person (lists with '; ', yes/no, blank).

    Examples
    --------
    >>> value_text(["a", "b"]), value_text(True), value_text(None), value_text(3.0)
    ('a; b', 'yes', '(blank)', '3')
    >>> value_text({"on": "2026-11-30", "reason": "closed"})
    'retired on 2026-11-30: closed'
    """
    if isinstance(value, Mapping):
        return _("retired on {on}: {reason}").format(
            on=value.get("on", "?"), reason=value.get("reason", "")
        )
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) if value else _(BLANK)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if _missing(value) or value == "":
        return _(BLANK)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def conflict_rows(
    table: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    current: Mapping[str, Any] | None,
    mine: Collection[str] | None = None,
) -> list[dict[str, str]]:
    """Both sides of a conflict on one record: field, yours, theirs (plain text).

    Parameters
    ----------
    table : str
    before : mapping or None
        The record as the form read it (None: the form added it).
    after : mapping or None
        The record as the editor wanted it.
    current : mapping or None
        The record as stored now (None: no longer there).
    mine : collection of str, optional
        The fields the editor changed (default: every field where ``after`` differs from
        ``before``).

    Returns
    -------
    list of dict
        ``{"field", "yours", "theirs"}`` for every field either side changed since the read.

    Examples
    --------
    >>> read = {"name": "A", "services": [], "_retired": None}
    >>> yours = {"name": "A", "services": ["legal"], "_retired": None}
    >>> theirs = {"name": "B", "services": [], "_retired": None}
    >>> for row in conflict_rows("organizations", read, yours, theirs, mine=["services"]):
    ...     print(row)
    {'field': 'Name', 'yours': '(you did not change it)', 'theirs': 'B'}
    {'field': 'Kinds of help it offers', 'yours': 'legal', 'theirs': '(blank)'}
    """
    before, after = before or {}, after or {}
    columns = list(dict.fromkeys([*before, *after, *(current or {})]))
    if mine is None:
        mine = [c for c in columns if before.get(c) != after.get(c)]
    else:
        mine = [*mine, *([RETIRED] if before.get(RETIRED) != after.get(RETIRED) else [])]
    theirs = [c for c in columns if current is not None and before.get(c) != current.get(c)]
    if current is None and before:
        theirs = [RETIRED]
    rows = []
    for column in columns:
        if column not in mine and column not in theirs:
            continue
        label = _("Retired") if column == RETIRED else field_label(table, column)
        if column == RETIRED:
            yours = value_text(after.get(RETIRED)) if column in mine else _(NOT_YOURS)
            theirs_text = _(GONE) if current is None else value_text(current.get(RETIRED))
            if theirs_text == _(BLANK):
                theirs_text = _("not retired")
            if yours == _(BLANK):
                yours = _("not retired")
        else:
            yours = value_text(after.get(column)) if column in mine else _(NOT_YOURS)
            theirs_text = _(GONE) if current is None else value_text(current.get(column))
        rows.append({"field": label, "yours": yours, "theirs": theirs_text})
    return rows


RETIRED = "_retired"


# --- naming records and ties ---------------------------------------------------------------------

# A tie in words, by its type: a whole template per type (word order differs between languages).
TIE_WORDS = Translated(
    {
        "partnership": N_("{source} works with {target}"),
        "serves_community": N_("{source} serves {target}"),
        "serves_neighborhood": N_("{source} serves the neighborhood {target}"),
        "lives_in": N_("{source} lives in {target}"),
        "mentors": N_("{source} mentors {target}"),
        "volunteers_with": N_("{source} volunteers with {target}"),
        "committee_member": N_("{source} sits on {target}"),
    }
)


def tie_text(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """A tie in words: "Alder Library works with Birch Legal Aid".

    Examples
    --------
    >>> tie_text({"source_id": "lib", "target_id": "legal", "tie_type": "partnership"},
    ...          {"lib": "Alder Library"})
    'Alder Library works with legal'
    """
    source, target = (str(row.get(e)) for e in ("source_id", "target_id"))
    kind = str(row.get("tie_type"))
    template = TIE_WORDS.get(kind)
    if template is None:  # a type the page does not know: its own words, as the data has it
        verb = kind.replace("_", " ")
        return f"{names.get(source, source)} {verb} {names.get(target, target)}"
    return template.format(source=names.get(source, source), target=names.get(target, target))


def record_text(
    table: str, row: Mapping[str, Any] | None, key: str, names: Mapping[str, str]
) -> str:
    """A record's name for a person (a tie in words; a navigator's alias).

    Examples
    --------
    >>> record_text("navigators", {"alias": "Navigator One"}, "nav1", {})
    'Navigator One'
    >>> record_text("organizations", None, "lib", {"lib": "Alder Library"})
    'Alder Library'
    """
    if table == "ties":
        if row is None:
            source, target, kind = ([*key.split("|"), "", "", ""])[:3]
            row = {"source_id": source, "target_id": target, "tie_type": kind}
        return tie_text(row, names)
    if row is None:
        return names.get(key, key)
    shown = row.get("alias" if table == "navigators" else "name")
    return str(shown) if shown not in (None, "") else names.get(key, key)


def change_lines(changes: Sequence[Any], names: Mapping[str, str]) -> list[str]:
    """What a list of row changes does, one line each (the merge preview).

    Examples
    --------
    >>> from coalition.edits import RowChange
    >>> tie = {"source_id": "lonely", "target_id": "clinic", "tie_type": "partnership",
    ...        "_retired": None}
    >>> moved = {**tie, "source_id": "lib"}
    >>> change_lines([RowChange("ties", "clinic|lonely|partnership", tie,
    ...                         {**tie, "_retired": {"on": "2026-11-30", "reason": "moved"}}),
    ...               RowChange("ties", "clinic|lib|partnership", None, moved)],
    ...              {"lib": "Alder Library", "lonely": "Lonely Shop", "clinic": "Dogwood Clinic"})
    ['Ends: Lonely Shop works with Dogwood Clinic', 'New: Alder Library works with Dogwood Clinic']
    """
    words = {
        "added": _("New: {record}"),
        "retired": _("Ends: {record}"),
        "changed": _("Changes: {record}"),
        "restored": _("Comes back: {record}"),
        "deleted": _("Removed: {record}"),
    }
    lines = []
    for c in changes:
        row = c.after or c.before
        text = record_text(c.table, row, c.key, names)
        if c.kind == "retired" and c.table != "ties":
            lines.append(
                _("Retired: {record} ({reason})").format(
                    record=text, reason=c.after[RETIRED]["reason"]
                )
            )
        else:
            lines.append(words.get(c.kind, c.kind + ": {record}").format(record=text))
    return lines


# --- ids for new records -------------------------------------------------------------------------


def new_id(name: str, taken: Collection[str], fallback: str = "record") -> str:
    """A readable id for a new record: its name as a slug, numbered when taken.

    Examples
    --------
    >>> new_id("Birch Mosque", {"birch-mosque"})
    'birch-mosque-2'
    >>> new_id("!!!", set(), "organization")
    'organization'
    """
    from coalition.names import slugify

    base = slugify(name) or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def working_session_source(today: dt.date) -> str:
    """The default source of what the room records.

    Examples
    --------
    >>> working_session_source(dt.date(2026, 11, 30))
    'Working session, 30 November 2026'
    """
    day = format_date(today, "d MMMM y", locale=i18n.locale())
    return _("Working session, {date}").format(date=day)


# --- undo ----------------------------------------------------------------------------------------

_UNDID = re.compile(r"^undid version (\d+)")


def last_undoable(versions: Iterable[Mapping[str, Any]], who: str) -> int | None:
    """The newest edit ``who`` saved that is not undone yet (None when there is none).

    Pressing "Undo my last change" again then undoes the edit before, not the undo.

    Parameters
    ----------
    versions : iterable of mapping
        Rows of :meth:`coalition.store.Store.versions` (``version``, ``what``, ``who``,
        ``kind``), any order.
    who : str

    Examples
    --------
    >>> rows = [{"version": 4, "what": "undid version 3: x", "who": "Ana", "kind": "undo"},
    ...         {"version": 3, "what": "x", "who": "Ana", "kind": "edit"},
    ...         {"version": 2, "what": "y", "who": "Ana", "kind": "edit"},
    ...         {"version": 1, "what": "z", "who": "Bo", "kind": "edit"}]
    >>> last_undoable(rows, "Ana"), last_undoable(rows, "Cy")
    (2, None)
    """
    rows = sorted(versions, key=lambda r: -int(r["version"]))
    undone = set()
    for r in rows:
        found = _UNDID.match(str(r.get("what") or ""))
        if r.get("kind") == "undo" and found:
            undone.add(int(found.group(1)))
    for r in rows:
        if r.get("who") == who and r.get("kind") == "edit" and int(r["version"]) not in undone:
            return int(r["version"])
    return None


# --- pickers -------------------------------------------------------------------------------------

MAX_MATCHES = 50


class Picker:
    """Find-as-you-type over records: the best matches of a typed text among many names.

    A name that is the text, then names that start with it, then names with a word that starts
    with it, then names (or ids) that contain it; when fewer than ``limit`` are found, close
    spellings (typos) follow. Case, accents and punctuation are ignored
    (:func:`coalition.names.name_key`). About 10 ms for 10,000 names.

    Parameters
    ----------
    options : mapping of str to str
        Id -> the name shown, in the order to show them when nothing is typed.

    Examples
    --------
    >>> p = Picker({"lib": "Alder Library", "assoc": "Alder Neighbors",
    ...             "legal": "Birch Legal Aid", "lonely": "Lonely Shop"})
    >>> p.matches("")
    ['lib', 'assoc', 'legal', 'lonely']
    >>> p.matches("a")  # names starting with it, then a word starting with it
    ['lib', 'assoc', 'legal']
    >>> p.matches("neighbours")  # a typo still finds it
    ['assoc']
    >>> p.matches("zzz")
    []
    """

    def __init__(self, options: Mapping[str, str]):
        self.options = dict(options)
        self._ids = list(self.options)
        self._keys = [name_key(self.options[i]) for i in self._ids]
        self._id_keys = [name_key(i) for i in self._ids]
        self._words = [tuple(name_key(w) for w in str(self.options[i]).split()) for i in self._ids]
        self._suggester: Suggester | None = None
        self._by_key: dict[str, list[str]] = {}

    def _fuzzy(self, text: str) -> list[str]:
        if self._suggester is None:
            for node, key in zip(self._ids, self._keys, strict=True):
                self._by_key.setdefault(key, []).append(node)
            self._suggester = Suggester(self.options.values(), key=name_key)
        found = []
        for name in self._suggester.suggest(text):
            found.extend(self._by_key.get(name_key(name), []))
        return found

    def matches(self, text: str, limit: int = MAX_MATCHES) -> list[str]:
        """The ids of the best matches of ``text``, best first (at most ``limit``)."""
        query = name_key(text)
        if not query:
            return self._ids[:limit]
        scored = []
        for position, (key, id_key, words) in enumerate(
            zip(self._keys, self._id_keys, self._words, strict=True)
        ):
            if key == query or id_key == query:
                rank = 0
            elif key.startswith(query):
                rank = 1
            elif any(w.startswith(query) for w in words):
                rank = 2
            elif query in key or query in id_key:
                rank = 3
            else:
                continue
            scored.append((rank, len(key), position))
        scored.sort()
        found = [self._ids[p] for *_, p in scored[:limit]]
        if len(found) < limit:
            seen = set(found)
            found += [i for i in self._fuzzy(text) if i not in seen][: limit - len(found)]
        return found
