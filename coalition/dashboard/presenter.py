"""Presenter mode: the dashboard on a projector in a working session.

Large type, no Streamlit chrome, the map or the network filling the screen, nothing that edits
(the pages and controls hidden exactly as with ``COALITION_READ_ONLY``), and a live line of
what the meeting has changed so far. It is switched on per screen, by the sidebar's toggle or by
opening the dashboard with ``?present=1`` (the projector's address). It only ever hides: turning
it off never shows what ``COALITION_READ_ONLY`` hides, and the address cannot turn it off.

The meeting starts at the latest named meeting (:meth:`coalition.store.Store.meetings`) or,
when none is named, at the data version shown when presenter mode was switched on. The counting
and the words are :mod:`coalition.presenting.meeting` (pure, tested without Streamlit). The
line reads the history of changes, so it is counted for editors and admins only.
"""

from __future__ import annotations

import logging

import streamlit as st

from coalition import errors
from coalition.dashboard import auth, cache, ui
from coalition.i18n import _
from coalition.presenting import meeting
from coalition.presenting.text import md

logger = logging.getLogger(__name__)

PARAM = "present"  # ?present=1: the projector's address
ON_VALUES = ("1", "true", "yes", "on")
SINCE_KEY = "presenter_since"  # session state: the data version when presenter mode came on
REFRESH_SECONDS = 10  # the meeting line re-counts this often (others may be recording)
SHOWN_KEY = "presenter_shown_version"  # session state: the data version the page was drawn at


def _current_version() -> int | None:
    try:
        return cache.snapshot().version
    except errors.CoalitionError as exc:  # the page itself shows the problem
        logger.info("presenter mode: no version to start from: %s", exc)
        return None


def start() -> None:
    """Turn presenter mode on for ``?present=1`` and keep the address saying so.

    Called first on every run (before the pages are chosen). The address only turns the mode
    on; it is put back after a page switch (Streamlit clears it) so that reloading the
    projector's page keeps presenting.

    Examples
    --------
    >>> start()  # doctest: +SKIP
    """
    if str(st.query_params.get(PARAM, "")).strip().lower() in ON_VALUES:
        st.session_state[ui.PRESENTER_KEY] = True
    if ui.presenting():
        if st.session_state.get(SINCE_KEY) is None:
            st.session_state[SINCE_KEY] = _current_version()
        if st.query_params.get(PARAM) != "1":
            st.query_params[PARAM] = "1"


def _switched() -> None:
    """The toggle moved: note where the meeting starts, and put the mode in the address."""
    if st.session_state.get(ui.PRESENTER_KEY):
        st.session_state[SINCE_KEY] = _current_version()
        st.query_params[PARAM] = "1"
    else:
        st.session_state.pop(SINCE_KEY, None)
        if PARAM in st.query_params:
            del st.query_params[PARAM]


def toggle() -> None:
    """The sidebar's presenter-mode switch.

    Examples
    --------
    >>> toggle()  # doctest: +SKIP
    """
    st.toggle(
        _("Presenter mode"),
        key=ui.PRESENTER_KEY,
        on_change=_switched,
        help=_(
            "For a projector: large type, the map or network filling the screen, nothing "
            "that changes data, and a count of what this meeting has added. The address "
            "?present=1 opens the dashboard this way."
        ),
    )


def meeting_text() -> str:
    """The meeting line as markdown (data escaped): what changed since the meeting started.

    Examples
    --------
    >>> meeting_text()  # doctest: +SKIP
    'Since this meeting started: nothing has been added or changed yet.'
    """
    account = auth.current_account()
    if account is None or not account.can("history"):
        return _("What this meeting has changed is counted for editors and admins.")
    store = cache.get_store()
    current = int(store.version())
    since_on = st.session_state.get(SINCE_KEY)
    start_version, name = meeting.meeting_start(store.meetings(), since_on)
    if start_version is None:
        start_version = current
    changes = store.changes_between(start_version, current, account=account)
    if changes is None:
        sentence = md(meeting.reloaded_sentence(name))
    else:
        sentence = md(meeting.tally_sentence(meeting.meeting_tally(changes)))
    if not name:
        return sentence
    return _("**Meeting: {meeting}** — {sentence}").format(meeting=md(name), sentence=sentence)


@st.fragment(run_every=REFRESH_SECONDS)
def meeting_line() -> None:
    """The live meeting line at the top of every page (re-counted every few seconds).

    When someone has saved since the page was drawn, the whole page is drawn again, so the
    projector shows the new data without anyone touching it.

    Examples
    --------
    >>> meeting_line()  # doctest: +SKIP
    """
    shown = st.session_state.get(SHOWN_KEY)
    if shown is not None and _current_version() not in (None, shown):
        st.rerun()  # the whole page, on the new data
    try:
        text = meeting_text()
    except errors.CoalitionError as exc:
        logger.info("presenter mode: no meeting line: %s", exc)
        st.caption(
            _("What this meeting has changed cannot be counted: {problem}").format(problem=md(exc))
        )
        return
    st.markdown(text)


def render() -> None:
    """Everything presenter mode adds to a page: the style block and the meeting line.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    ui.presenter_style()
    st.session_state[SHOWN_KEY] = _current_version()
    meeting_line()
