"""A member's private survey link: ``…/survey?link=TOKEN``, kept for this browser session.

The convener sends each member a link made by
:meth:`coalition.store.Store.make_survey_links`. Whoever opens it answers the partner survey for
that member and round, and for nothing else: with accounts in the store and nobody signed in,
``main.py`` then registers the Survey page alone (no other page, not even Sign in). The token is
kept in ``st.session_state`` (on the server) so reruns keep it, and checked against the store on
every rerun: a link replaced by a newer one stops working at the next click.
"""

from __future__ import annotations

import streamlit as st

from coalition.dashboard import cache
from coalition.i18n import N_

# The URL's query parameter, and the session-state key the token is kept under.
PARAM = "link"
TOKEN_KEY = "survey_link_token"
INVALID_MESSAGE = N_("This link is not valid any more: ask the convener for a new one.")


def token() -> str | None:
    """The link token of this browser session: from the URL (kept), else as kept before.

    Examples
    --------
    >>> token()  # doctest: +SKIP
    'Xq3…'
    """
    given = st.query_params.get(PARAM)
    if isinstance(given, str) and given.strip():
        st.session_state[TOKEN_KEY] = given.strip()
    kept = st.session_state.get(TOKEN_KEY)
    return kept if isinstance(kept, str) and kept else None


def holder() -> tuple[str, str, str] | None:
    """``(token, round, org_id)`` when this session holds a valid link, else None.

    Examples
    --------
    >>> holder()  # doctest: +SKIP
    ('Xq3…', 'spring', 'lib')
    """
    found = token()
    if found is None:
        return None
    held = cache.get_store().survey_link(found)
    return (found, held[0], held[1]) if held is not None else None


def forget() -> None:
    """Drop this session's link token (and the URL's), e.g. after it proved invalid."""
    st.session_state.pop(TOKEN_KEY, None)
    if PARAM in st.query_params:
        del st.query_params[PARAM]
