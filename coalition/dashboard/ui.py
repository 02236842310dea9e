"""Small drawing helpers shared by the dashboard pages: captions, legends, column settings, errors.

Every string that comes from data (names, notes, sources) is hostile until escaped: markdown
text with :func:`coalition.presenting.text.md` (the pages import it from there), and the HTML of
:func:`legend` with ``html.escape``. Nothing here uses ``unsafe_allow_html``.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from coalition import errors, labels, settings
from coalition.i18n import N_, _
from coalition.presenting.text import fmt_int, md

logger = logging.getLogger(__name__)

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def shown_as(table: Mapping[Any, str]) -> Callable[[Any], str]:
    """A selectbox ``format_func`` that shows each option (a key of ``table``) as its label.

    A key missing from the table shows as itself rather than as ``None``.

    Examples
    --------
    >>> shown_as({"a": "Alder"})("a"), shown_as({"a": "Alder"})("b")
    ('Alder', 'b')
    """
    return lambda key: str(table.get(key, key))


# What an illustrative caption counts: (some are illustrative, all come from sources).
ILLUSTRATIVE_CAPTIONS = {
    "rows": (
        N_(
            "Illustrative rows: {illustrative} of {total} — marked with {mark}. They are "
            "examples, not facts about real organizations."
        ),
        N_("All {total} rows shown come from cited sources."),
    ),
    "entries": (
        N_(
            "Illustrative entries: {illustrative} of {total} — marked with {mark}. They are "
            "examples, not facts about real organizations."
        ),
        N_("All {total} entries shown come from cited sources."),
    ),
}


def illustrative_caption(illustrative: int, total: int, what: str = "rows") -> None:
    """Say how much of what is shown is made up to illustrate the tool.

    ``what`` is ``"rows"`` or ``"entries"`` (a key of :data:`ILLUSTRATIVE_CAPTIONS`).

    Examples
    --------
    >>> illustrative_caption(11, 16, 'entries')
    """
    some, every = ILLUSTRATIVE_CAPTIONS.get(what, ILLUSTRATIVE_CAPTIONS["rows"])
    if total and illustrative:
        st.caption(
            _(some).format(
                illustrative=fmt_int(illustrative),
                total=fmt_int(total),
                mark=labels.ILLUSTRATIVE_MARK,
            )
        )
    elif total:
        st.caption(_(every).format(total=fmt_int(total)))


def legend(items: Iterable[tuple[str, str]], title: str | None = None) -> None:
    """Draw a colour legend (colour, label) as escaped HTML.

    Colours must be hex codes (anything else is drawn grey); labels are escaped.

    Examples
    --------
    >>> legend([('#0072B2', 'Active committee')], title='Committees')
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
    >>> show_problem(errors.StoreError('Cannot open the store.'))
    """
    if isinstance(exc, errors.ValidationError):
        problems = exc.errors or exc.problems
        lines = [f"- {md(p)}" for p in problems[:30]]
        more = len(problems) - 30
        if more > 0:
            lines.append("- " + _("… and {count} more").format(count=fmt_int(more)))
        st.error(
            _(
                "The data has problems, so nothing new was loaded. Fix these in the data "
                "folder and load it again:"
            )
            + "\n\n"
            + "\n".join(lines)
        )
    else:
        st.error(md(exc) or _("Something went wrong with the data."))
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


def gap_column_config(table: pd.DataFrame) -> dict[str, Any]:
    """Column settings for a gap table: the explanation column wide.

    Examples
    --------
    >>> list(gap_column_config(pd.DataFrame(columns=['Why it matters'])))
    ['Why it matters']
    >>> gap_column_config(pd.DataFrame(columns=['Name']))
    {}
    """
    title = labels.COLUMN_TITLES["explanation"]
    if title in table.columns:
        return {title: st.column_config.TextColumn(title, width="large")}
    return {}


def ranking_column_config(max_score: float = 1.0) -> dict[str, Any]:
    """Column settings for the ranking: score and stability as bars, the reasons wide.

    The score bar runs to ``max_score`` (the sum of the weights).

    Examples
    --------
    >>> sorted(ranking_column_config(2.0))
    ['Score', 'Stability', 'Why']
    """
    score, stability, why = _("Score"), _("Stability"), _("Why")
    return {
        score: st.column_config.ProgressColumn(
            score, min_value=0.0, max_value=max(float(max_score), 1e-9), format="%.2f"
        ),
        stability: st.column_config.ProgressColumn(
            stability,
            min_value=0.0,
            max_value=1.0,
            format="percent",
            help=_(
                "Share of 200 runs with the weights and census figures shaken within their "
                "uncertainty in which it stays in the top k."
            ),
        ),
        why: st.column_config.TextColumn(why, width="large"),
    }


# --- presenter mode (a projector in a working session) -------------------------------------------

# Session state: True while this visitor's screen is in presenter mode (the sidebar's toggle).
PRESENTER_KEY = "presenter"
# The frame that should fill the screen in presenter mode (the map or the network) sits in a
# container with this key; Streamlit gives that container the CSS class "st-key-<key>".
PRESENTER_VIEW_KEY = "presenter_view"
# One constant style block: large type, no Streamlit chrome, the map or network 85% of the screen
# tall. A constant on purpose: no data ever goes into CSS.
PRESENTER_STYLE = """<style>
html { font-size: 24px; }
[data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stMainMenu"],
[data-testid="stToolbarActions"], [data-testid="stAppDeployButton"], footer {
  display: none !important;
}
[data-testid="stHeader"] { background: transparent; height: 0; }
[data-testid="stMainBlockContainer"], .block-container {
  padding: 0.6rem 1rem 1rem 3.5rem; max-width: 100%;
}
.st-key-presenter_view iframe { height: 85vh !important; width: 100% !important; }
</style>"""


def presenting() -> bool:
    """True while this visitor's screen is in presenter mode (large type, nothing to edit).

    Examples
    --------
    >>> presenting()  # doctest: +SKIP
    False
    """
    return bool(st.session_state.get(PRESENTER_KEY, False))


def editing_allowed() -> bool:
    """Whether pages and controls that change data may be shown.

    False when ``COALITION_READ_ONLY`` is set (:func:`coalition.settings.read_only`) or this
    screen is in presenter mode. Presenter mode only ever hides: it never turns editing on.

    Examples
    --------
    >>> editing_allowed()  # doctest: +SKIP
    True
    """
    return not settings.read_only() and not presenting()


def presenter_style() -> None:
    """Add the presenter style block (:data:`PRESENTER_STYLE`, a constant) to the page.

    Examples
    --------
    >>> presenter_style()  # doctest: +SKIP
    """
    st.html(PRESENTER_STYLE)
