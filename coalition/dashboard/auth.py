"""Who is using this screen: the signed-in account (or the operator), and what it may see.

Three guards keep a role to what it may do, and this module is the dashboard's part of them:

1. ``main.py`` registers only the pages the account's role may use (:func:`may`), so another
   page's URL leads nowhere;
2. a page that changes data checks again when it runs (:func:`require`);
3. every write and sensitive read of the library takes the account (``account=``) and refuses
   what its role may not do, whatever the dashboard asked.

The session token lives in ``st.session_state`` (on the server, never in the browser's URL);
:meth:`coalition.store.Store.session_account` checks it on every rerun, so an expired session,
a removed account or a changed role takes effect at the next click.

With no accounts in the store, the dashboard is a single-person tool on this machine and acts as
the store's operator (:func:`coalition.accounts.operator`), as it always did.
"""

from __future__ import annotations

import streamlit as st

from coalition import accounts, privacy
from coalition.accounts import Account
from coalition.dashboard import cache

# Session state: the token of this browser session's sign-in.
SESSION_KEY = "session_token"


def current_account() -> Account | None:
    """The account this screen acts as: signed in, the operator (no accounts), or None.

    Examples
    --------
    >>> current_account()  # doctest: +SKIP
    Account(name='ana', role='editor', operator=False)
    """
    store = cache.get_store()
    token = st.session_state.get(SESSION_KEY)
    if token:
        account = store.session_account(token)
        if account is not None:
            return account
        st.session_state.pop(SESSION_KEY, None)  # expired, or the account was removed
    if not store.has_accounts():
        return accounts.operator(str(st.session_state.get("editor_name") or "") or "local")
    return None


def may(action: str) -> bool:
    """Whether this screen's account may do ``action`` (a key of ``accounts.ACTIONS``).

    Examples
    --------
    >>> may("view")  # doctest: +SKIP
    True
    """
    account = current_account()
    return account is not None and account.can(action)


def require(action: str, doing: str) -> Account:
    """The account, or an error on the page and a stop when it may not do ``action``.

    Examples
    --------
    >>> account = require("edit", "record changes")  # doctest: +SKIP
    """
    account = current_account()
    try:
        return accounts.require(account, action, doing)
    except Exception as exc:  # PermissionDenied: say so on the page, run nothing more
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop() raises


def disclosure() -> privacy.Disclosure:
    """How counts are shown on this screen: exact for editors and admins, ranges otherwise.

    Examples
    --------
    >>> disclosure().exact  # doctest: +SKIP
    False
    """
    return privacy.Disclosure.for_account(current_account())
