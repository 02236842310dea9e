"""Fields this tool never stores about a person, refused by column name and by cell value.

No individual newcomer is ever a record here and navigators are recorded by an alias only, so
a column or a cell that holds a person's immigration status, A-number, Social Security number,
taxpayer id, date of birth, home address or phone number is refused when a folder is imported
and when a form adds a row (:func:`coalition.ingest.add_records`). Every rule is listed in the
"What this tool never stores" section of ``docs/data-format.md``.

Columns are recognised by their header, normalised (case, accents, spaces and punctuation
ignored; ``#`` read as "number"), in English and Spanish. Values are recognised by patterns with
their formats (``123-45-6789``) or with a word that says what they are (``SSN 123456789``), so
that ordinary figures, years and census codes are left alone. Phone numbers are refused in the
tables about people and groups of people (navigators, communities, committees, and ties that
end at a navigator or a community); an organization's public phone number may stay in
``organizations.csv``.

A refused value is never echoed: a problem shows it masked (``***-**-6789``), and
:func:`redact_problems` masks it in every other problem that would repeat it.

Examples
--------
>>> forbidden_column("navigators", "Fecha de Nacimiento").key
'date_of_birth'
>>> mask("SSN 123-45-6789", "organizations")
'SSN ***-**-6789'
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .. import schema
from ..errors import Problem
from ..i18n import N_, _
from .files import RawTable

# Tables whose rows are about people or groups of people: phone numbers there are personal.
PEOPLE_TABLES = ("navigators", "communities", "committees")
# Tie types with a navigator or a community at one end: their notes are about people too.
PEOPLE_TIE_TYPES = frozenset(
    tie_type
    for tie_type, ends in schema.TIE_TYPES.items()
    if schema.NAVIGATOR in ends or schema.COMMUNITY in ends
)
_EVERY_TABLE = tuple(schema.TABLES)
_NOT_ORGANIZATIONS = tuple(t for t in schema.TABLES if t != "organizations")


@dataclass(frozen=True)
class Field:
    """A kind of column this tool never stores.

    Attributes
    ----------
    key : str
        Short name, e.g. ``"ssn"``.
    what : str
        What it is, to finish "this tool never stores ... about a person".
    headers : tuple of str
        Normalised header phrases (see :func:`header_key`). A phrase matches a header that holds
        it as whole words (``"date of birth"`` matches ``Navigator date of birth``); a phrase
        written ``"=word"`` matches only a header that is exactly that word.
    tables : tuple of str
        The tables where such a column is refused.
    hint : str
        What to do instead, added to the message (may be empty).
    """

    key: str
    what: str
    headers: tuple[str, ...]
    tables: tuple[str, ...] = _EVERY_TABLE
    hint: str = ""


FIELDS: tuple[Field, ...] = (
    Field(
        "immigration_status",
        N_("immigration status"),
        (
            "immigration status",
            "migration status",
            "visa status",
            "visa type",
            "documentation status",
            "citizenship status",
            "residency status",
            "asylum status",
            "refugee status",
            "status migratorio",
            "estatus migratorio",
            "estado migratorio",
            "situacion migratoria",
            "condicion migratoria",
            "calidad migratoria",
            "=immigration",
            "=visa",
            "=daca",
            "=tps",
            "=documented",
            "=undocumented",
            "=green card",
        ),
    ),
    Field(
        "a_number",
        N_("A-numbers (alien registration numbers)"),
        (
            "a number",
            "alien number",
            "alien registration",
            "alien id",
            "uscis number",
            "uscis id",
            "uscis account",
            "numero a",
            "numero de extranjero",
            "registro de extranjero",
            "=anum",
        ),
    ),
    Field(
        "ssn",
        N_("Social Security numbers"),
        (
            "ssn",
            "social security",
            "soc sec",
            "ss number",
            "ss no",
            "seguro social",
            "=nss",
        ),
    ),
    Field(
        "itin",
        N_("taxpayer identification numbers (ITIN)"),
        ("itin", "individual taxpayer", "individual tax id"),
    ),
    Field(
        "tax_id",
        N_("taxpayer identification numbers"),
        ("tax id", "taxpayer id", "taxpayer identification", "=tin"),
        tables=_NOT_ORGANIZATIONS,
        hint=N_("An organization's own EIN may stay in organizations.csv."),
    ),
    Field(
        "date_of_birth",
        N_("dates of birth"),
        (
            "date of birth",
            "birth date",
            "birthdate",
            "birthday",
            "dob",
            "born on",
            "fecha de nacimiento",
            "fecha nacimiento",
            "cumpleanos",
            "=born",
            "=birth",
            "=nacimiento",
            "=f nac",
        ),
    ),
    Field(
        "home_address",
        N_("home addresses"),
        (
            "home address",
            "home street address",
            "residential address",
            "residence address",
            "house address",
            "domicilio",
            "direccion de casa",
            "direccion particular",
            "direccion residencial",
            "direccion del hogar",
        ),
    ),
    Field(
        "phone",
        N_("phone numbers"),
        (
            "phone",
            "telephone",
            "cellphone",
            "cell",
            "mobile",
            "whatsapp",
            "telefono",
            "celular",
            "movil",
            "contact number",
            "=tel",
        ),
        tables=_NOT_ORGANIZATIONS,
        hint=N_("An organization's public phone number may stay in organizations.csv."),
    ),
    Field(
        "contact",
        N_("email addresses or real names"),
        (
            "email",
            "e mail",
            "correo",
            "full name",
            "real name",
            "legal name",
            "first name",
            "last name",
            "given name",
            "family name",
            "surname",
            "apellido",
            "apellidos",
            "nombre completo",
        ),
        tables=("navigators",),
        hint=N_("Navigators are recorded by an alias only."),
    ),
    Field(
        "street_address",
        N_("home addresses"),
        ("address", "direccion", "street", "=residence", "=home", "=apt", "=apartment"),
        tables=("navigators", "communities"),
        hint=N_("Navigators are recorded by their neighborhood only."),
    ),
)
FIELD_OF = {f.key: f for f in FIELDS}


@dataclass(frozen=True)
class ValuePattern:
    """A pattern of cell text this tool never stores.

    Attributes
    ----------
    key : str
        Short name, e.g. ``"ssn"``.
    field : str
        The :class:`Field` key it belongs to (for the message).
    label : str
        What it is, for the message (no digits: a message is masked like any text).
    regex : re.Pattern
        The pattern, searched anywhere in a cell.
    keep_last : int
        Digits left visible when a match is masked (the last ones).
    people_only : bool
        True when it applies only to rows about people (see :data:`PEOPLE_TABLES`).
    words : tuple of str
        When given, the pattern is searched only in a text that holds one of these (casefolded),
        as every match of it does: most texts are then passed over without the slower search.
    """

    key: str
    field: str
    label: str
    regex: re.Pattern[str]
    keep_last: int = 0
    people_only: bool = False
    words: tuple[str, ...] = ()


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|abril|mayo"
    r"|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\.?"
)
# A date with its day: 1990-01-02, 02/03/1988, 2.3.88, March 2, 1988, 2 de marzo de 1988.
_FULL_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?{_MONTH},?\s+(?:de\s+)?\d{{4}})"
)
# After a word that says "date of birth", a month and year or a year alone are enough.
_ANY_DATE = (
    rf"(?:{_FULL_DATE}|{_MONTH}\s+(?:de\s+)?\d{{4}}"
    r"|\d{4}[-/]\d{1,2}|\d{1,2}/\d{4}|\d{4})"
)
# After a naming word: "SSN: 123456789", "A-number is 012345678", "tel. 555-1234".
_SAYS = r"(?![a-z])\W{0,4}(?:(?:is|was|es|number|no|n[uú]mero|at|al)\b\W{0,3})?"

_I = re.IGNORECASE
VALUE_PATTERNS: tuple[ValuePattern, ...] = (
    ValuePattern(
        "ssn",
        "ssn",
        N_("a Social Security number"),
        re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])"),
        keep_last=4,
    ),
    ValuePattern(
        "ssn_named",
        "ssn",
        N_("a Social Security number"),
        re.compile(
            r"(?<![a-z])(?:ssn|s\.s\.n\.?|ss\s?#|ss\s+no\.?|soc(?:ial)?\.?\s+sec(?:urity)?\.?"
            r"(?:\s+(?:number|no\.?|#))?|(?:n[uú]mero\s+de\s+)?seguro\s+social)"
            rf"{_SAYS}\d{{3}}[-. ]?\d{{2}}[-. ]?\d{{4}}(?![\d-])",
            _I,
        ),
        keep_last=4,
        words=("ss", "s.s", "soc", "seguro"),
    ),
    ValuePattern(
        "itin",
        "itin",
        N_("an ITIN"),
        re.compile(r"(?<![\w-])9\d{2}([- ])(?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])\1\d{4}(?![\w-])"),
        keep_last=4,
    ),
    ValuePattern(
        "itin_named",
        "itin",
        N_("an ITIN"),
        re.compile(
            r"(?<![a-z])(?:itin|individual\s+taxpayer(?:\s+identification)?(?:\s+number)?)"
            rf"{_SAYS}\d{{3}}[-. ]?\d{{2}}[-. ]?\d{{4}}(?![\d-])",
            _I,
        ),
        keep_last=4,
        words=("itin", "individual"),
    ),
    ValuePattern(
        "a_number",
        "a_number",
        N_("an A-number (A and eight or nine digits)"),
        re.compile(r"A(?<![\w-]A)[-# ]?(?:\d{8,9}|\d{3}([- ])\d{3}\1\d{3})(?![\w-])"),
        keep_last=4,
    ),
    ValuePattern(
        "a_number_named",
        "a_number",
        N_("an A-number"),
        re.compile(
            r"(?<![a-z])(?:a[- ]?(?:number|num|no\.?)|a\s?#|alien\s+(?:registration\s+)?"
            r"(?:number|no\.?|#|id)|uscis\s+(?:number|no\.?|#|id)|n[uú]mero\s+a"
            r"|(?:n[uú]mero\s+de\s+)?(?:registro\s+de\s+)?extranjero)"
            rf"{_SAYS}(?:a[- ]?)?(?:\d{{3}}[- ]?\d{{3}}[- ]?\d{{1,3}}|\d{{7,9}})(?![\d-])",
            _I,
        ),
        keep_last=4,
        words=("num", "no", "#", "alien", "uscis", "mero", "extranjero"),
    ),
    ValuePattern(
        "date_of_birth_named",
        "date_of_birth",
        N_("a date of birth"),
        re.compile(
            r"(?<![a-z])(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|birthday"
            r"|fecha\s+de\s+nacimiento|fecha\s+nac\.?|f\.\s?nac\.?)(?![a-z])"
            rf"[\s:=#,.-]*(?:(?:is|was|on|el|es)\s+)?{_ANY_DATE}(?!\d)",
            _I,
        ),
    ),
    ValuePattern(
        "born_on",
        "date_of_birth",
        N_("a date of birth"),
        re.compile(
            r"(?<![a-z])(?:born|nacid[oa]|naci[oó])(?:\s+(?:on|in|el|en|the))?\s*+(?::\s*+)?"
            rf"{_FULL_DATE}(?!\d)",
            _I,
        ),
    ),
    ValuePattern(
        "phone",
        "phone",
        N_("a phone number"),
        re.compile(
            r"(?<![\w+-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])"
            r"[2-9]\d{2}[ .-]\d{4}(?![\w-])"
        ),
        keep_last=2,
        people_only=True,
    ),
    ValuePattern(
        "phone_international",
        "phone",
        N_("a phone number"),
        re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\d{2,4}){3,5}(?![\w-])"),
        keep_last=2,
        people_only=True,
    ),
    ValuePattern(
        "phone_named",
        "phone",
        N_("a phone number"),
        re.compile(
            r"(?<![a-z])(?:phone|tel|tel[eé]fono|cell|celular|mobile|m[oó]vil|whats\s?app"
            rf"|call|text|llamar|llame){_SAYS}(?:\d{{3}}[ .-]?\d{{4}}|\d{{10}})(?![\d-])",
            _I,
        ),
        keep_last=2,
        people_only=True,
        words=("phone", "tel", "cell", "celular", "mobile", "vil", "whats", "call", "text", "llam"),
    ),
)
PATTERN_OF = {p.key: p for p in VALUE_PATTERNS}


def header_key(name: str) -> str:
    """A column header as compared here: accents and case dropped, ``#`` read as "number".

    Examples
    --------
    >>> header_key("Teléfono #"), header_key("date_of-birth"), header_key("DateOfBirth")
    ('telefono number', 'date of birth', 'date of birth')
    """
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(name))  # PhoneNumber: two words
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("#", " number ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _phrase_in(phrase: str, key: str) -> bool:
    """Whether a header phrase matches a normalised header (see :class:`Field`)."""
    if phrase.startswith("="):
        phrase = phrase[1:]
        return key == phrase or key.replace(" ", "") == phrase.replace(" ", "")
    if f" {phrase} " in f" {key} ":
        return True
    compact = phrase.replace(" ", "")
    # Run together ("dateofbirth", "PhoneNumber"): a long phrase anywhere, a short one alone.
    return compact in key.replace(" ", "") if len(compact) >= 8 else compact == key


def forbidden_column(table: str, header: str) -> Field | None:
    """The field a column of ``table`` would hold that this tool never stores, or None.

    Parameters
    ----------
    table : str
        The table the column is in (rules differ: a phone column is fine for organizations).
    header : str
        The column's header, as written.

    Returns
    -------
    Field or None

    Examples
    --------
    >>> forbidden_column("navigators", "Status migratorio").key
    'immigration_status'
    >>> forbidden_column("organizations", "phone") is None
    True
    """
    key = header_key(header)
    if not key:
        return None
    for field in FIELDS:
        if table in field.tables and any(_phrase_in(p, key) for p in field.headers):
            return field
    return None


# Each pattern holds seven digits with at most three other characters between two of them (a
# "chain"), or, for a date of birth, a word about birth (birth, born, nac..., DOB): a quick
# search for these passes over ordinary cells at once. tests/test_forbidden.py checks it.
_CHAIN = r"(?<!\d)\d(?:\D{0,3}+\d){6}"
_BIRTH_WORD = r"(?i:b(?:irth|orn)|nac|d\W{0,2}+o\W{0,2}+b)"
_MAYBE = re.compile(f"{_CHAIN}|{_BIRTH_WORD}")
_HAS_CHAIN = re.compile(_CHAIN)
_BIRTH = re.compile(_BIRTH_WORD)
_BIRTH_FIELDS = frozenset({"date_of_birth"})


def _patterns(people: bool, chain: bool = True, birth: bool = True) -> list[ValuePattern]:
    """The patterns to search: phone numbers only about people; those a text may hold."""
    return [
        p
        for p in VALUE_PATTERNS
        if (people or not p.people_only) and (birth if p.field in _BIRTH_FIELDS else chain)
    ]


# Joins texts so that no match of _MAYBE runs from one into the next.
_SEPARATOR = "\n" * 4


def _suspects(texts: Collection[str]) -> list[str]:
    """The texts that may hold a forbidden value (a superset of those that do).

    The texts are searched in one search, joined by a separator that no match can cross.
    """
    ordered = [t for t in texts if t]
    if not ordered:
        return []
    joined = _SEPARATOR.join(ordered)
    matches = [(m.start(), m.end()) for m in _MAYBE.finditer(joined)]
    if not matches:
        return []
    step = len(_SEPARATOR)
    starts = list(itertools.accumulate((len(t) + step for t in ordered[:-1]), initial=0))
    found: set[int] = set()
    for start, end in matches:
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, max(end - 1, start)) - 1
        found.update(range(first, last + 1))
    return [ordered[i] for i in sorted(found)]


def find_values(text: str, people: bool = True) -> list[tuple[ValuePattern, str]]:
    """Every forbidden value in a cell: one ``(pattern, masked match)`` per field found.

    Parameters
    ----------
    text : str
        A cell's text.
    people : bool
        Whether the cell is about people (phone numbers are then refused too).

    Returns
    -------
    list of (ValuePattern, str)
        The first match of each field, masked (see :func:`mask`); empty when the text is fine.

    Examples
    --------
    >>> [(p.key, shown) for p, shown in find_values("A-012-345-678; born 02/03/1988")]
    [('a_number', 'A-***-**5-678'), ('born_on', 'born **/**/****')]
    >>> find_values("call 860-555-1234", people=False)
    []
    """
    if not _MAYBE.search(text):
        return []
    chain = _HAS_CHAIN.search(text) is not None
    birth = not chain or _BIRTH.search(text) is not None
    found: list[tuple[ValuePattern, str]] = []
    fields: set[str] = set()
    lowered = text.casefold()
    for pattern in _patterns(people, chain, birth):
        if pattern.field in fields:
            continue
        if pattern.words and not any(word in lowered for word in pattern.words):
            continue
        match = pattern.regex.search(text)
        if match:
            fields.add(pattern.field)
            found.append((pattern, _masked(match.group(0), pattern.keep_last)))
    return found


def _masked(text: str, keep_last: int) -> str:
    """Every digit of ``text`` replaced by ``*`` except the last ``keep_last``."""
    digits = sum(c.isdigit() for c in text)
    hide = digits - keep_last
    out = []
    for c in text:
        if c.isdigit() and hide > 0:
            out.append("*")
            hide -= 1
        else:
            out.append(c)
    return "".join(out)


def mask(text: str, table: str | None = None) -> str:
    """``text`` with every forbidden value masked (phone numbers only in people's tables).

    Parameters
    ----------
    text : str
        Any text, e.g. a problem's message or value.
    table : str or None
        The table the text comes from; None masks phone numbers too.

    Returns
    -------
    str

    Examples
    --------
    >>> mask("DOB 1990-01-02, tel. (860) 555-1234", "navigators")
    'DOB ****-**-**, tel. (***) ***-**34'
    """
    if not _MAYBE.search(text):
        return text
    for pattern in _patterns(table is None or table in PEOPLE_TABLES or table == "ties"):
        text = pattern.regex.sub(
            functools.partial(_masked_match, keep_last=pattern.keep_last), text
        )
    return text


def _masked_match(match: re.Match[str], keep_last: int) -> str:
    return _masked(match.group(0), keep_last)


def _column_problem(file: str, header: str, field: Field) -> Problem:
    hint = " " + _(field.hint) if field.hint else ""
    return Problem(
        file,
        _(
            "This column looks like it holds {what}. Remove the column; this tool never stores "
            "{what} about a person."
        ).format(what=_(field.what))
        + hint,
        column=header,
    )


def _value_problem(file: str, row: int, column: str, pattern: ValuePattern, shown: str) -> Problem:
    field = FIELD_OF[pattern.field]
    hint = " " + _(field.hint) if field.hint else ""
    return Problem(
        file,
        _(
            "This cell holds what looks like {label}. Remove it; this tool never stores {what} "
            "about a person."
        ).format(label=_(pattern.label), what=_(field.what))
        + hint,
        row=row,
        column=column,
        value=shown,
    )


def _people_rows(table: str, raw: RawTable) -> list[bool] | bool:
    """Whether each row is about people: a whole table, or ties row by row (by tie type)."""
    if table in PEOPLE_TABLES:
        return True
    if table != "ties":
        return False
    tie_types = raw.column("tie_type")
    about = {
        t: t.strip().lower().replace(" ", "_").replace("-", "_") in PEOPLE_TIE_TYPES
        for t in set(tie_types)
    }
    return [about[t] for t in tie_types]


def screen_table(table: str, raw: RawTable) -> tuple[RawTable, list[Problem]]:
    """Refuse forbidden columns and values of one raw table.

    Parameters
    ----------
    table : str
        The table's name (one of :data:`coalition.schema.TABLES`).
    raw : RawTable
        The table as read (left unchanged).

    Returns
    -------
    RawTable
        The table without its forbidden columns (so they are not also reported as unknown).
    list of Problem
        One error per forbidden column, and one per forbidden value in a cell (masked).

    Examples
    --------
    >>> raw = RawTable("navigators.csv", ["alias", "ssn"], [{"alias": "A", "ssn": "1"}], [2])
    >>> kept, problems = screen_table("navigators", raw)
    >>> kept.columns, problems[0].column
    (['alias'], 'ssn')
    """
    problems: list[Problem] = []
    refused: set[str] = set()
    for header in dict.fromkeys(raw.columns):
        field = forbidden_column(table, header) if header else None
        if field is not None:
            refused.add(header)
            problems.append(_column_problem(raw.file, header, field))
    kept = [c for c in raw.columns if c not in refused]
    people: list[bool] | bool | None = None  # worked out for the first suspect cell
    found: list[tuple[int, int, Problem]] = []
    for place, column in enumerate(dict.fromkeys(kept)):
        if not column:
            continue
        texts = raw.column(column)
        suspects = _suspects(set(texts))
        if not suspects:  # the common case: one quick search per distinct text
            continue
        hits = {
            (text, about_people): found_here
            for text in suspects
            for about_people in (True, False)
            if (found_here := find_values(text, about_people))
        }
        if not hits:
            continue
        if people is None:
            people = _people_rows(table, raw)
        for position, text in enumerate(texts):
            about_people = people if isinstance(people, bool) else people[position]
            for pattern, shown in hits.get((text, about_people), ()):
                problem = _value_problem(
                    raw.file, raw.row_numbers[position], column, pattern, shown
                )
                found.append((position, place, problem))
    found.sort(key=lambda item: item[:2])
    problems.extend(problem for _, _, problem in found)
    if not refused:
        return raw, problems
    cells = {name: values for name, values in raw.cells.items() if name not in refused}
    return RawTable(raw.file, kept, row_numbers=raw.row_numbers, cells=cells), problems


def screen_tables(
    raw_tables: Mapping[str, RawTable],
) -> tuple[dict[str, RawTable], list[Problem]]:
    """:func:`screen_table` over every table of a folder or workbook.

    Examples
    --------
    >>> raw = RawTable("communities.csv", ["name", "notes"], [{"name": "K", "notes": "DOB 1990"}],
    ...     [2])
    >>> screen_tables({"communities": raw})[1][0].value
    'DOB ****'
    """
    screened: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for table, raw in raw_tables.items():
        screened[table], found = screen_table(table, raw)
        problems.extend(found)
    return screened, problems


def people_files(raw_tables: Mapping[str, RawTable]) -> frozenset[str]:
    """The file names of the tables where phone numbers are masked (see :func:`redact_problems`).

    Examples
    --------
    >>> people_files({"navigators": RawTable("navigators.csv", [], [], [])})
    frozenset({'navigators.csv'})
    """
    return frozenset(
        raw.file for table, raw in raw_tables.items() if table in (*PEOPLE_TABLES, "ties")
    )


def redact_problems(
    problems: Iterable[Problem], phone_files: Collection[str] = ()
) -> list[Problem]:
    """Problems with every forbidden value masked in their messages and values.

    A cell refused here may also fail another check (an unknown id, a bad number) whose
    problem would repeat it: this masks it there too. Phone numbers are masked only in the
    problems of ``phone_files`` (see :func:`people_files`).

    Examples
    --------
    >>> p = Problem("ties.csv", "Unknown id '123-45-6789'.", value="123-45-6789")
    >>> redact_problems([p])[0].value
    '***-**-6789'
    """
    out: list[Problem] = []
    for problem in problems:
        table = None if problem.file in phone_files else "organizations"
        message = mask(problem.message, table)
        # Some checks give a figure as the value (a number, not text as typed): kept as it is.
        value = mask(problem.value, table) if isinstance(problem.value, str) else problem.value
        if message != problem.message or value != problem.value:
            problem = dataclasses.replace(problem, message=message, value=value)
        out.append(problem)
    return out


def header_phrases() -> Sequence[str]:
    """Every header phrase recognised (without the ``=`` mark), for the documentation test.

    Examples
    --------
    >>> "date of birth" in header_phrases()
    True
    """
    return [p.lstrip("=") for field in FIELDS for p in field.headers]
