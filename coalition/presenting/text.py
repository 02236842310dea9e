"""Small text helpers: data as literal markdown, counts, shares, estimates, times, file names.

Every string that comes from data (names, notes, sources) is hostile until escaped. Streamlit's
markdown does not render raw HTML, but it does render markdown links, images (which would load
from outside 127.0.0.1), ``:color[...]`` directives and ``$math$``; :func:`md` neutralises all of
them by backslash-escaping ASCII punctuation.
"""

from __future__ import annotations

import re

from coalition.i18n import _, fmt_number, fmt_percent

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# turns any data string into literal text (no links, images, emphasis, directives or math).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@/])")
_AUTOLINK_START = re.compile(r"(?i)\b(?:https?|ftp|www)|@")
WORD_JOINER = "\u2060"
MISSING = "–"  # an en dash: a figure that is not recorded


def md(value: object) -> str:
    """A data value as literal markdown text.

    Parameters
    ----------
    value : object
        Anything; ``None`` becomes an empty string.

    Returns
    -------
    str
        The text with markdown punctuation escaped and line breaks flattened.

    Examples
    --------
    >>> md("[x](http://e/x.png) <b>").replace(WORD_JOINER, "")
    '\\\\[x\\\\]\\\\(http\\\\:\\\\/\\\\/e\\\\/x\\\\.png\\\\) \\\\<b\\\\>'
    """
    if value is None:
        return ""
    text = " ".join(str(value).split())
    # GitHub-flavoured markdown turns bare URLs and e-mail addresses into links even when
    # their punctuation is escaped; an invisible word joiner stops that (data stays text).
    text = _AUTOLINK_START.sub(lambda m: m.group(0)[0] + WORD_JOINER + m.group(0)[1:], text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def fmt_int(value: object) -> str:
    """A count with thousands separators, or an en dash when missing.

    Parameters
    ----------
    value : object
        A number (NaN and ``None`` count as missing) or anything else (shown as missing).

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_int(12345.0), fmt_int(None), fmt_int("many")
    ('12,345', '–', '–')
    """
    try:
        if value is None or value != value:  # NaN check without numpy
            return MISSING
        return fmt_number(round(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING


def fmt_share(value: object) -> str:
    """A share 0-1 as a whole percentage, or an en dash when missing.

    Parameters
    ----------
    value : object
        A share between 0 and 1; ``None``, NaN and non-numbers count as missing.

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_share(0.404), fmt_share(float("nan"))
    ('40%', '–')
    """
    try:
        if value is None or value != value:
            return MISSING
        return fmt_percent(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING


def with_moe(value: object, moe: object) -> str:
    """An estimate with its margin of error, e.g. ``2,028 ± 690``.

    Parameters
    ----------
    value, moe : object
        The estimate and its margin of error (either may be missing).

    Returns
    -------
    str
        ``"not recorded"`` when the estimate is missing.

    Examples
    --------
    >>> with_moe(2028, 690.0), with_moe(5, None), with_moe(None, None)
    ('2,028 ± 690', '5', 'not recorded')
    """
    shown = fmt_int(value)
    if shown == MISSING:
        return _("not recorded")
    if moe is None or moe != moe:
        return shown
    return f"{shown} ± {fmt_int(moe)}"


def loaded_time(loaded_at: object) -> str:
    """When the data was loaded, from the store's ISO time stamp (UTC), for people.

    Parameters
    ----------
    loaded_at : object
        An ISO 8601 time stamp such as ``2026-11-26T22:51:07+00:00``.

    Returns
    -------
    str
        Date, hours and minutes, ``UTC`` when the stamp says so; ``"unknown"`` otherwise.

    Examples
    --------
    >>> loaded_time("2026-11-26T22:51:07+00:00"), loaded_time(None)
    ('2026-11-26 22:51 UTC', 'unknown')
    """
    text = str(loaded_at or "")
    if len(text) < 16:
        return _("unknown")
    return text[:16].replace("T", " ") + (" UTC" if text.endswith(("+00:00", "Z")) else "")


def slug(text: str) -> str:
    """A safe file-name part (lower case letters, digits and dashes; at most 40 characters).

    Parameters
    ----------
    text : str
        A name, e.g. the city's.

    Returns
    -------
    str
        ``"coalition"`` when nothing usable is left.

    Examples
    --------
    >>> slug("Hartford, Connecticut"), slug("../..")
    ('hartford-connecticut', 'coalition')
    """
    cleaned = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return cleaned[:40] or "coalition"
