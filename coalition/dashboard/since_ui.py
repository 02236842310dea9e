"""The "Show changes since" choice of the Network and Map pages, and the sentence under them.

Changes since a meeting are history (ended ties, removed organizations): only an account that
may read it (action ``history``: editors and admins) gets the choice. For anyone else
:func:`choose_since` draws nothing and returns None, so the pages draw no changes. The versions
and meetings are read from the store as the account on every run (the library refuses a
viewer); the marks themselves are worked out by :mod:`coalition.since` (pure) and cached in
:mod:`coalition.dashboard.cache` (:func:`~coalition.dashboard.cache.since_marks`, read for a
version this module offered). Meeting names are data, so the sentence goes through
:func:`coalition.presenting.text.md`.
"""

from __future__ import annotations

import logging

import streamlit as st

from coalition import errors, since
from coalition.dashboard import auth, cache
from coalition.i18n import N_, _
from coalition.presenting.text import md

logger = logging.getLogger(__name__)

NOTHING = ""  # the option that draws no changes
NOTHING_LABEL = N_("Nothing: draw no changes")  # translated where shown


def choose_since(snap: cache.Snapshot, key: str) -> since.SinceChoice | None:
    """A selectbox of the meetings and versions to show changes since (editors and admins).

    The latest meeting is chosen at first when one is named; otherwise nothing is drawn until
    a version is chosen. None, and nothing drawn, for an account that may not read the history.

    Examples
    --------
    >>> choice = choose_since(snap, "net_since")  # doctest: +SKIP
    """
    account = auth.current_account()
    if account is None or not account.can("history"):
        return None
    store = cache.get_store()
    try:
        kept = store.versions(account=account)  # the library checks the role again
    except errors.PermissionDenied as exc:
        logger.info("no changes since a meeting for %s: %s", account.name, exc)
        return None
    choices = since.since_choices(store.meetings(), kept)
    if not choices:
        return None
    options = [NOTHING, *choices]
    meetings = [k for k in choices if k.startswith("meeting:")]
    picked = st.selectbox(
        _("Show changes since"),
        options,
        index=options.index(meetings[0]) if meetings else 0,
        format_func=lambda k: _(NOTHING_LABEL) if k == NOTHING else choices[k].option,
        key=key,
        help=_(
            "Marks what was recorded after a meeting (name one on the Data page, or with "
            "`coalition meeting NAME`) or after any saved version."
        ),
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
