"""Small drawing helpers shared by the dashboard pages.

Every string that comes from data (names, notes, sources) is hostile until escaped. Streamlit's
markdown does not render raw HTML, but it does render markdown links, images (which would load
from outside 127.0.0.1), ``:color[...]`` directives and ``$math$``; :func:`md` neutralises all of
them by backslash-escaping ASCII punctuation, and :func:`legend` builds its HTML with
``html.escape``. Nothing here uses ``unsafe_allow_html``.
"""

from __future__ import annotations

import html
import logging
import re
from contextlib import contextmanager
from typing import Iterable, Iterator

import streamlit as st

from coalition import errors

logger = logging.getLogger(__name__)

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# turns any data string into literal text (no links, images, emphasis, directives or math).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@/])")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")
_AUTOLINK_START = re.compile(r"(?i)\b(?:https?|ftp|www)|@")
WORD_JOINER = "\u2060"

ILLUSTRATIVE_MARK = "◇"


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


_RESIDENT_COUNT = re.compile(r"\((\d[\d,]*) (residents?|speakers?)\)")


def suppress_small_counts(text: object) -> str:
    """Hide counts of residents below the small-count threshold in an analysis sentence.

    Sentences such as "Karen refugees (3 residents) speak Karen" describe residents of one
    community in one neighborhood; shared views must not show counts that small.

    Examples
    --------
    >>> suppress_small_counts("Karen (3 residents) speak Karen; Latino (120 residents) too.")
    'Karen (fewer than 5 residents) speak Karen; Latino (120 residents) too.'
    """
    from coalition.settings import SMALL_COUNT_THRESHOLD

    def replace(match: re.Match) -> str:
        count = int(match.group(1).replace(",", ""))
        if 0 < count < SMALL_COUNT_THRESHOLD:
            return f"(fewer than {SMALL_COUNT_THRESHOLD} {match.group(2).rstrip('s')}s)"
        return match.group(0)

    return _RESIDENT_COUNT.sub(replace, str(text))


def fmt_int(value: object) -> str:
    """A count with thousands separators, or an en dash when missing.

    Examples
    --------
    >>> fmt_int(12345.0), fmt_int(None)
    ('12,345', '–')
    """
    try:
        if value is None or value != value:  # NaN check without numpy
            return "–"
        return f"{int(round(float(value))):,}"
    except (TypeError, ValueError):
        return "–"


def fmt_share(value: object) -> str:
    """A share 0-1 as a whole percentage, or an en dash when missing.

    Examples
    --------
    >>> fmt_share(0.404)
    '40%'
    """
    try:
        if value is None or value != value:
            return "–"
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return "–"


def with_moe(value: object, moe: object) -> str:
    """An estimate with its margin of error, e.g. ``2,028 ± 690``.

    Examples
    --------
    >>> with_moe(2028, 690.0), with_moe(5, None), with_moe(None, None)
    ('2,028 ± 690', '5', 'not recorded')
    """
    shown = fmt_int(value)
    if shown == "–":
        return "not recorded"
    if moe is None or moe != moe:
        return shown
    return f"{shown} ± {fmt_int(moe)}"


def loaded_time(loaded_at: object) -> str:
    """When the data was loaded, from the store's ISO time stamp (UTC), for people.

    Examples
    --------
    >>> loaded_time("2026-11-26T22:51:07+00:00"), loaded_time(None)
    ('2026-11-26 22:51 UTC', 'unknown')
    """
    text = str(loaded_at or "")
    if len(text) < 16:
        return "unknown"
    return text[:16].replace("T", " ") + (" UTC" if text.endswith(("+00:00", "Z")) else "")


def illustrative_caption(illustrative: int, total: int, what: str = "rows") -> None:
    """Say how much of what is shown is made up to illustrate the tool.

    Examples
    --------
    >>> illustrative_caption(11, 16, 'entries')  # doctest: +SKIP
    """
    if total and illustrative:
        st.caption(f"Illustrative {what}: {illustrative:,} of {total:,} — marked with "
                   f"{ILLUSTRATIVE_MARK}. They are examples, not facts about real organizations.")
    elif total:
        st.caption(f"All {total:,} {what} shown come from cited sources.")


def legend(items: Iterable[tuple[str, str]], title: str | None = None) -> None:
    """Draw a colour legend (colour, label) as escaped HTML.

    Colours must be hex codes (anything else is drawn grey); labels are escaped.

    Examples
    --------
    >>> legend([('#0072B2', 'Active committee')], title='Committees')  # doctest: +SKIP
    """
    entries = []
    for colour, label in items:
        safe_colour = colour if isinstance(colour, str) and _HEX_COLOUR.match(colour) else "#999999"
        entries.append(
            '<span style="display:inline-flex;align-items:center;margin:0 1.2em 0.3em 0;">'
            f'<span style="display:inline-block;width:1.1em;height:1.1em;background:{safe_colour};'
            'border:1px solid #555;margin-right:0.4em;"></span>'
            f"{html.escape(str(label))}</span>"
        )
    heading = f"<strong>{html.escape(title)}</strong><br>" if title else ""
    st.html(f'<div style="font-size:1.05rem;line-height:1.6;">{heading}{"".join(entries)}</div>')


def show_problem(exc: BaseException) -> None:
    """Show a :class:`coalition.errors.CoalitionError` as a readable message, never a traceback.

    Examples
    --------
    >>> show_problem(errors.StoreError('Cannot open the store.'))  # doctest: +SKIP
    """
    if isinstance(exc, errors.ValidationError):
        problems = exc.errors or exc.problems
        lines = [f"- {md(p)}" for p in problems[:30]]
        more = len(problems) - 30
        if more > 0:
            lines.append(f"- … and {more} more")
        st.error("The data has problems, so nothing new was loaded. Fix these in the data "
                 "folder and load it again:\n\n" + "\n".join(lines))
    else:
        st.error(md(exc) or "Something went wrong with the data.")
    logger.warning("dashboard error shown to the user: %s", exc)


@contextmanager
def problems_shown() -> Iterator[None]:
    """Run a page body; a CoalitionError becomes an ``st.error`` message and the page stops.

    Examples
    --------
    >>> with problems_shown():  # doctest: +SKIP
    ...     render_page()
    """
    try:
        yield
    except errors.CoalitionError as exc:
        show_problem(exc)
        st.stop()
