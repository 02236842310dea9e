"""The tool's languages: English (the source) and Spanish, from gettext catalogues read with Babel.

Every sentence a person reads is a template marked for translation, filled with values after
it is translated::

    _("{count} members reach {neighborhood}").format(count=fmt_int(n), neighborhood=md(name))

never English pieces joined together (word order differs between languages) and never a data
string used as a template (data goes into the values only). Words kept in module-level tables
(:mod:`coalition.labels`) are marked with :func:`N_` where they are defined and translated with
:func:`_` where they are shown, so the table is read in whichever language is in use then.

The language in use is a context variable: the dashboard sets it at the top of every script run
(each browser session runs in its own thread), the CLI once from ``--lang`` / ``COALITION_LANG`` /
the locale environment, and :func:`using` sets it for a block (the brief in Spanish while the
dashboard is in English). Catalogues live in ``coalition/locale/<lang>/LC_MESSAGES/*.po``: one
part per area of the tool (so a translator can take one at a time), merged when first used.
``make i18n`` extracts the marked strings and lists what is missing; ``tests/test_i18n.py``
fails on any marked string without a translation, or a translation whose placeholders differ.

Examples
--------
>>> with using("es"):
...     _("Overview")
'Resumen'
>>> _("Overview")
'Overview'
>>> with using("es"):
...     fmt_number(12345.5, 1), fmt_date(date(2026, 12, 1), "long")
('12,345.5', '1 de diciembre de 2026')
"""

from __future__ import annotations

import contextvars
import functools
import gettext as _gettext
import io
import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

logger = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")

SOURCE_LANGUAGE = "en"
# Each language in its own name: what the language switch shows (never translated).
LANGUAGES: Mapping[str, str] = {"en": "English", "es": "Español"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
# Environment variables read, in order, for the CLI's language (COALITION_LANG first).
LANGUAGE_VARIABLES = ("COALITION_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

# The regional formats used for numbers and dates: the tool's cities are in the United States,
# where Spanish is written with the US separators (CLDR es_US: 12,345.5; "1 de diciembre de 2026").
REGIONS: Mapping[str, str] = {"en": "en_US", "es": "es_US"}

# Each language's plural rule, written in every catalogue part's header: GNU gettext's classic
# Spanish rule (singular for 1 only). Babel's CLDR rule for "es" adds a third form for exact
# millions ("1 millón de …"), which no sentence of this tool needs.
PLURAL_FORMS: Mapping[str, str] = {"es": "nplurals=2; plural=(n != 1);"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "coalition_language", default=SOURCE_LANGUAGE
)


def supported(code: object) -> str | None:
    """The supported language a code or an ``Accept-Language`` header asks for, if any.

    Parameters
    ----------
    code : object
        ``"es"``, ``"es_MX.UTF-8"``, ``"es-419,es;q=0.9,en;q=0.8"``, ``None``…

    Returns
    -------
    str or None
        A key of :data:`LANGUAGES`, or ``None`` when none is asked for.

    Examples
    --------
    >>> supported("es_MX.UTF-8"), supported("fr-CA,es;q=0.8"), supported("C"), supported(None)
    ('es', 'es', None, None)
    """
    if not isinstance(code, str):
        return None
    # A header lists languages by preference (q weights are in decreasing order in practice);
    # LANGUAGE lists them separated by colons.
    for part in code.replace(":", ",").split(","):
        tag = part.split(";")[0].strip().lower().replace("_", "-").split(".")[0]
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The CLI's language: the first of :data:`LANGUAGE_VARIABLES` naming a supported language.

    Examples
    --------
    >>> from_environment({"LANG": "es_ES.UTF-8"}), from_environment({"LANG": "C.UTF-8"})
    ('es', 'en')
    >>> from_environment({"COALITION_LANG": "en", "LANG": "es_ES.UTF-8"})
    'en'
    """
    environ = os.environ if environ is None else environ
    for variable in LANGUAGE_VARIABLES:
        value = environ.get(variable)
        if value:
            found = supported(value)
            if found or variable == "COALITION_LANG":
                return found or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def language() -> str:
    """The language in use (a key of :data:`LANGUAGES`).

    Examples
    --------
    >>> language()
    'en'
    """
    return _current.get()


def set_language(code: object) -> str:
    """Use this language from now on in this thread (unsupported codes fall back to English).

    Returns
    -------
    str
        The language now in use.

    Examples
    --------
    >>> token = set_language("es"); language(), set_language("en")
    ('es', 'en')
    """
    chosen = supported(code) or SOURCE_LANGUAGE
    _current.set(chosen)
    return chosen


@contextmanager
def using(code: object) -> Iterator[str]:
    """Use a language for the block only (e.g. the brief in Spanish from an English screen).

    Examples
    --------
    >>> with using("es") as lang:
    ...     lang, language()
    ('es', 'es')
    >>> language()
    'en'
    """
    token = _current.set(supported(code) or SOURCE_LANGUAGE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def catalogue_files(lang: str) -> list[Path]:
    """The catalogue's parts for a language (sorted, so merging is the same everywhere).

    Examples
    --------
    >>> [p.name for p in catalogue_files("es")][:1]  # doctest: +SKIP
    ['brief.po']
    """
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


def read_catalogue(lang: str) -> Catalog:
    """Every part of a language's catalogue, merged into one :class:`babel.messages.Catalog`.

    A message translated in two parts keeps the first part's translation (the completeness
    test fails when two parts disagree).

    Examples
    --------
    >>> read_catalogue("es")["Overview"].string
    'Resumen'
    >>> read_catalogue("es").num_plurals
    2
    >>> read_catalogue("es").get("viewer", context="role").string
    'lector'
    """
    merged = Catalog(locale=lang, domain=DOMAIN)
    # The parts' plural rule (PLURAL_FORMS), not Babel's CLDR rule for the locale (3 forms for
    # "es"): with that, ngettext(…, 12) asked for a form no part has and fell back to English.
    merged.mime_headers = [("Plural-Forms", _plural_forms(lang))]
    for path in catalogue_files(lang):
        for message in _read(path, lang):
            # Looked up with its context: "in merged" alone finds only the context-free entry,
            # so a pgettext("role", "viewer") was dropped when a plain "viewer" came first.
            if message.id and merged.get(message.id, context=message.context) is None:
                merged[message.id] = message
    return merged


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled translations of a language (English: the marked strings as they are).

    Examples
    --------
    >>> translations("es").gettext("Overview")
    'Resumen'
    """
    if lang == SOURCE_LANGUAGE or lang not in LANGUAGES:
        return _gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(lang))  # fuzzy entries are left out (not yet checked)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    """A marked string in the language in use (``_`` for short).

    Examples
    --------
    >>> with using("es"):
    ...     gettext("Overview")
    'Resumen'
    """
    return translations(language()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for a count, in the language in use.

    Examples
    --------
    >>> ngettext("{count} member", "{count} members", 2).format(count=2)
    '2 members'
    """
    return translations(language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A marked string with a context, for a word whose translation depends on where it is.

    Examples
    --------
    >>> pgettext("survey answer", "Yes")
    'Yes'
    """
    return translations(language()).pgettext(context, message)


def _translated(value: object) -> object:
    if isinstance(value, str):
        return gettext(value) if value else value  # gettext("") is the catalogue's header
    if isinstance(value, tuple):
        return tuple(_translated(part) for part in value)
    if isinstance(value, Mapping):
        return {key: _translated(part) for key, part in value.items()}
    return value


class Translated(Mapping[K, V]):
    """A table of marked words (:func:`N_`) that reads them in the language in use.

    Kept at module level (built once, at import), it still answers in the language of the
    moment it is read: a Spanish page and an English one share it.

    Examples
    --------
    >>> kinds = Translated({"page": N_("Overview")})
    >>> kinds["page"], dict(kinds)
    ('Overview', {'page': 'Overview'})
    >>> with using("es"):
    ...     kinds["page"], list(kinds.values())
    ('Resumen', ['Resumen'])
    """

    def __init__(self, table: Mapping[K, V]) -> None:
        self._table = dict(table)

    def __getitem__(self, key: K) -> V:
        return _translated(self._table[key])  # type: ignore[return-value]

    def __iter__(self) -> Iterator[K]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __repr__(self) -> str:
        return f"Translated({self._table!r})"


def N_(message: str) -> str:
    """Mark a string for translation where it is defined (in a table); ``_`` translates it later.

    Examples
    --------
    >>> N_("Organizations")
    'Organizations'
    """
    return message


def locale() -> Locale:
    """The Babel locale of the language in use (number and date formats).

    Examples
    --------
    >>> str(locale())
    'en_US'
    """
    try:
        return Locale.parse(REGIONS.get(language(), language()))
    except (UnknownLocaleError, ValueError):  # pragma: no cover - every supported code parses
        return Locale.parse("en_US")


def fmt_number(value: float, decimals: int = 0) -> str:
    """A number with the separators of the language's region (:data:`REGIONS`).

    Examples
    --------
    >>> fmt_number(12345), fmt_number(0.25, 2)
    ('12,345', '0.25')
    """
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=locale())


def fmt_percent(share: float, decimals: int = 0) -> str:
    """A share 0-1 as a whole (or ``decimals``) percentage in the language's style.

    Examples
    --------
    >>> fmt_percent(0.404), fmt_percent(0.125, 1)
    ('40%', '12.5%')
    """
    pattern = None if decimals <= 0 else "#,##0." + "0" * decimals + "%"
    if pattern is None:
        return format_percent(share, locale=locale())
    return format_percent(share, format=pattern, locale=locale())


def fmt_date(value: date | datetime, style: str = "medium") -> str:
    """A date (or the date of a time) for people, in the language in use.

    Examples
    --------
    >>> fmt_date(date(2026, 12, 1)), fmt_date(date(2026, 12, 1), "long")
    ('Dec 1, 2026', 'December 1, 2026')
    >>> with using("es"):
    ...     fmt_date(date(2026, 12, 1), "long")
    '1 de diciembre de 2026'
    """
    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, format=style, locale=locale())


def fmt_datetime(value: datetime, style: str = "medium") -> str:
    """A time for people, in the language in use (the time zone as given).

    Examples
    --------
    >>> fmt_datetime(datetime(2026, 12, 1, 14, 5), "short")
    '12/1/26, 2:05\\u202fPM'
    """
    return format_datetime(value, format=style, locale=locale())


# --- checking the catalogues (tests/test_i18n.py and `make i18n`) ---------------------------------

PACKAGE_DIR = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A marked message: (context or None, msgid), the msgid a (singular, plural) pair for ngettext.
MessageKey = tuple[str | None, str | tuple[str, ...]]


def marked_messages() -> dict[MessageKey, list[str]]:
    """Every string marked for translation in the package, with where it is marked.

    Examples
    --------
    >>> (None, "Overview") in marked_messages()
    True
    """
    found: dict[MessageKey, list[str]] = {}
    for file, line, message, _comments, context in extract_from_dir(
        str(PACKAGE_DIR), method_map=[("**.py", "python")]
    ):
        found.setdefault((context, message), []).append(f"coalition/{file}:{line}")
    return found


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a template fills (what a translation must keep).

    Examples
    --------
    >>> sorted(placeholders("{count} of {total} ({share})"))
    ['count', 'share', 'total']
    """
    return set(_PLACEHOLDER.findall(text))


def _key(message: Message) -> MessageKey:
    context = message.context
    msgid = message.id
    return (context, tuple(msgid) if isinstance(msgid, (list, tuple)) else msgid)


def catalogue_problems(lang: str = "es") -> list[str]:
    """What a language's catalogue lacks or gets wrong, one sentence each (empty when complete).

    A marked string without a translation, a plural without every form, a translation whose
    placeholders differ from the English (``str.format`` would fail or drop a figure), a fuzzy
    (unchecked) entry, two parts translating one string differently, and an entry no longer
    marked anywhere.

    Examples
    --------
    >>> catalogue_problems("es")  # doctest: +SKIP
    []
    """
    problems: list[str] = []
    marked = marked_messages()
    plural_forms = _plural_forms(lang)  # what the merged catalogue uses
    seen: dict[MessageKey, tuple[str, object]] = {}
    for path in catalogue_files(lang):
        part = _read(path, lang)
        if part.plural_forms != plural_forms:
            problems.append(f"{path.name}: Plural-Forms must be {plural_forms!r} (PLURAL_FORMS)")
        for message in part:
            if not message.id:
                continue
            key = _key(message)
            if key in seen and seen[key][1] != message.string:
                problems.append(f"{key[1]!r}: translated differently in {seen[key][0]}")
            seen[key] = (path.name, message.string)
            strings = (
                [str(s) for s in message.string]
                if isinstance(message.string, (list, tuple))
                else [str(message.string or "")]
            )
            english = key[1] if isinstance(key[1], tuple) else (key[1],)
            if message.fuzzy:
                problems.append(f"{key[1]!r}: marked fuzzy in {path.name} (check it)")
            if not all(strings):
                problems.append(f"{key[1]!r}: no translation in {path.name}")
            wanted = set().union(*(placeholders(text) for text in english))
            for text in strings:
                if text and placeholders(text) != wanted:
                    problems.append(
                        f"{key[1]!r}: placeholders {sorted(placeholders(text))} in "
                        f"{path.name}, the English has {sorted(wanted)}"
                    )
    for key, places in marked.items():
        if key not in seen:
            problems.append(f"{key[1]!r} ({places[0]}): not in the {lang} catalogue")
    for key, (file, _string) in seen.items():
        if key not in marked:
            problems.append(f"{key[1]!r}: in {file} but marked nowhere (remove it)")
    return problems


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def missing_entries(lang: str = "es") -> str:
    """The marked strings a language's catalogue lacks, as ``.po`` entries to translate.

    ``make i18n`` prints them: paste them into the catalogue part of their area, translate.

    Examples
    --------
    >>> missing_entries("es")  # doctest: +SKIP
    ''
    """
    have = {_key(message) for path in catalogue_files(lang) for message in _read(path, lang)}
    entries: list[str] = []
    for key, places in marked_messages().items():
        if key in have:
            continue
        context, msgid = key
        lines = [f"#: {' '.join(places[:3])}"]
        if context:
            lines.append(f"msgctxt {_po_quote(context)}")
        if isinstance(msgid, tuple):
            lines += [f"msgid {_po_quote(msgid[0])}", f"msgid_plural {_po_quote(msgid[1])}"]
            lines += ['msgstr[0] ""', 'msgstr[1] ""']
        else:
            lines += [f"msgid {_po_quote(msgid)}", 'msgstr ""']
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + ("\n" if entries else "")


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def _plural_forms(lang: str) -> str:
    """The Plural-Forms every part of a language declares, and the merged catalogue uses."""
    return PLURAL_FORMS.get(lang, "nplurals=2; plural=(n != 1);")
