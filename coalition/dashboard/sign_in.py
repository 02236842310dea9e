"""Sign-in page: the only page while the store has accounts and nobody is signed in.

A name and a password (a form: nothing is sent until "Sign in"); the store checks them
(:meth:`coalition.store.Store.sign_in`: a wrong name and a wrong password get the same message,
five failures in a row lock the account for a while, every attempt is in the audit log). The
session's token is kept in this browser session's state on the server: no cookie, nothing in the
address. A session that ended says why.
"""

from __future__ import annotations

import streamlit as st

from coalition import errors
from coalition.dashboard import auth
from coalition.i18n import _
from coalition.presenting.text import md


def render() -> None:
    """Draw the sign-in page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    st.title(_("Sign in"))
    ended = st.session_state.get(auth.ENDED_KEY)
    if ended:
        st.info(md(ended))
    st.markdown(
        _(
            "This coalition map is shared with accounts: sign in with the name and password an "
            "admin gave you. Ask an admin if you have none or forgot your password."
        )
    )
    with st.form("sign_in_form", clear_on_submit=True):
        name = st.text_input(_("Name"), key="sign_in_name", autocomplete="username")
        password = st.text_input(
            _("Password"), type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if not submitted:
        return
    if not name.strip() or not password:
        st.error(_("Give your account's name and its password."))
        return
    try:
        auth.sign_in(name, password)
    except errors.SignInError as exc:
        st.error(str(exc))  # the library's own sentence (no data in it)
        return
    st.rerun()


if __name__ == "__main__":
    render()
