"""The dashboard's language: chosen in the sidebar, remembered by the browser in a cookie.

The first script run of a browser session picks the language from, in order: ``?lang=es`` in
the address (a link handed out for a Spanish-speaking meeting), the cookie this switch wrote
the last time, the browser's own ``Accept-Language``, and English. :func:`start` runs at the top
of every script run, before anything is drawn; :func:`switch` draws the choice in the sidebar.
The cookie (``coalition_lang=es``, a year, this site only) is written when the visitor chooses
a language, with the switch or a ``?lang=`` link; a browser that never chose follows its own
language and gets no cookie.
"""

from __future__ import annotations

import json
import logging

import streamlit as st

from coalition import i18n

logger = logging.getLogger(__name__)

COOKIE = "coalition_lang"
KEY = "language"
_SAVED_KEY = "language_saved"
COOKIE_DAYS = 365


def _request_value(getter: str, name: str) -> object:
    """A cookie or header of the browser's request (``None`` under AppTest or when absent)."""
    try:
        return getattr(st.context, getter).get(name)
    except Exception:  # no request (AppTest, a bare script run): nothing to read
        return None


def start() -> str:
    """Set this run's language (the session's choice, else the first one found); return it.

    Examples
    --------
    >>> start()  # doctest: +SKIP
    'es'
    """
    state = st.session_state
    asked = i18n.supported(st.query_params.get("lang"))
    if asked is not None and state.get("_language_asked") != asked:
        # A link with ?lang= wins once; the sidebar's switch may change it afterwards.
        state["_language_asked"] = asked
        state[KEY] = asked
    if state.get(KEY) not in i18n.LANGUAGES:
        remembered = i18n.supported(_request_value("cookies", COOKIE))
        state[KEY] = (
            remembered
            or i18n.supported(_request_value("headers", "Accept-Language"))
            or i18n.SOURCE_LANGUAGE
        )
        # Nothing to write until the visitor chooses (the switch or a ?lang= link): the cookie
        # already says it, or the browser's own language will say it again next time.
        state[_SAVED_KEY] = remembered or state[KEY]
    return i18n.set_language(state[KEY])


def _remember(code: str) -> None:
    """Write the cookie from a tiny same-origin frame (Streamlit cannot set cookies itself)."""
    # The value is one of LANGUAGES' keys, never typed by a visitor; json.dumps quotes it anyway.
    cookie = f"{COOKIE}={code}; path=/; max-age={COOKIE_DAYS * 86400}; SameSite=Strict"
    st.iframe(f"<script>document.cookie = {json.dumps(cookie)};</script>", height=1)
    st.session_state[_SAVED_KEY] = code


def switch() -> None:
    """The language choice (labelled in both languages, so anyone can find it), in the sidebar.

    Examples
    --------
    >>> switch()  # doctest: +SKIP
    """
    st.selectbox(
        "Language · Idioma",
        options=list(i18n.LANGUAGES),
        format_func=lambda code: i18n.LANGUAGES[code],
        key=KEY,
    )
    chosen = st.session_state[KEY]
    if st.session_state.get(_SAVED_KEY) != chosen:
        _remember(chosen)
