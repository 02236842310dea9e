"""The "Show changes since" choice of the Network and Map pages, and the sentence under them.

The marks themselves are worked out by :mod:`coalition.since` (pure) and cached in
:mod:`coalition.dashboard.cache` (:func:`~coalition.dashboard.cache.since_marks`); meeting names
are data, so the sentence goes through :func:`coalition.presenting.text.md`.
"""

from __future__ import annotations

import streamlit as st

from coalition import since
from coalition.dashboard import cache
from coalition.presenting.text import md

NOTHING = ""  # the option that draws no changes
NOTHING_LABEL = "Nothing: draw no changes"


def choose_since(snap: cache.Snapshot, key: str) -> since.SinceChoice | None:
    """A selectbox of the meetings and versions to show changes since.

    The latest meeting is chosen at first when one is named; otherwise nothing is drawn until
    a version is chosen.

    Examples
    --------
    >>> choice = choose_since(snap, "net_since")  # doctest: +SKIP
    """
    choices = cache.since_choices(snap)
    if not choices:
        return None
    options = [NOTHING, *choices]
    meetings = [k for k in choices if k.startswith("meeting:")]
    picked = st.selectbox(
        "Show changes since",
        options,
        index=options.index(meetings[0]) if meetings else 0,
        format_func=lambda k: NOTHING_LABEL if k == NOTHING else choices[k].option,
        key=key,
        help="Marks what was recorded after a meeting (name one on the Data page, or with "
        "`coalition meeting NAME`) or after any saved version.",
    )
    return choices.get(picked)


def changes_caption(snap: cache.Snapshot, choice: since.SinceChoice, how: str) -> None:
    """One sentence: what changed since the choice, and how the page draws it.

    Examples
    --------
    >>> changes_caption(snap, choice, "New ties are thick purple lines.")  # doctest: +SKIP
    """
    marks = cache.since_marks(snap, choice.version)
    sentence = md(since.summary_sentence(marks, choice.label))
    st.caption(sentence if marks.is_empty else f"{sentence} {how}")
