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

import logging
import time

import streamlit as st

from coalition import accounts, errors, i18n, privacy, settings
from coalition.accounts import Account
from coalition.dashboard import cache
from coalition.i18n import _, pgettext

logger = logging.getLogger(__name__)

# Session state: the token of this browser session's sign-in.
SESSION_KEY = "session_token"
# Session state: when this browser session last used its sign-in (time.time()), to say why a
# session ended; and the sentence saying so, shown once on the sign-in page.
ACTIVE_KEY = "session_last_active"
ENDED_KEY = "session_ended"
# The longest text of a client address kept in the audit log.
_SOURCE_LENGTH = 100


def _ended_sentence(last_active: float | None) -> str:
    """Why a session that worked until now has ended, as far as this screen can tell.

    Examples
    --------
    >>> _ended_sentence(None).endswith("sign in again.")
    True
    """
    idle = settings.SESSION_IDLE_MINUTES
    # The store notes a session's use once a minute: a minute's slack.
    if last_active is not None and time.time() - last_active >= (idle - 1) * 60:
        return _(
            "Your session ended after {minutes} minutes without activity; sign in again."
        ).format(minutes=idle)
    return _(
        "Your session ended (a sign-in lasts at most {hours} hours, and ends when the "
        "account's password is changed or the account is removed); sign in again."
    ).format(hours=settings.SESSION_MAX_HOURS)


def role_name(role: object) -> str:
    """A role's name in the language in use (the role itself stays the key).

    Examples
    --------
    >>> role_name("editor"), role_name("other")
    ('editor', 'other')
    """
    words = {
        "viewer": pgettext("role", "viewer"),
        "editor": pgettext("role", "editor"),
        "admin": pgettext("role", "admin"),
    }
    return words.get(str(role), str(role))


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
            st.session_state[ACTIVE_KEY] = time.time()
            return account
        # Expired, signed out elsewhere, or the account was removed: say so on the sign-in page.
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[ENDED_KEY] = _ended_sentence(st.session_state.pop(ACTIVE_KEY, None))
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
    except errors.PermissionDenied as exc:  # say so on the page, run nothing more
        # The library says it in English (its "doing" is English); another language gets the
        # page's own sentence, with the same facts.
        english = i18n.language() == i18n.SOURCE_LANGUAGE
        st.error(str(exc) if english else refusal(account, action))
        st.stop()
        raise  # unreachable: st.stop() raises


def refusal(account: Account | None, action: str) -> str:
    """Why this page is refused to ``account``, in the language in use (no English needed).

    Examples
    --------
    >>> refusal(None, "edit")
    'Sign in to use this page.'
    >>> refusal(Account("vi", "viewer"), "edit").split(";")[0]
    'Only an editor or an admin may use this page'
    """
    if account is None:
        return _("Sign in to use this page.")
    needed = accounts.ACTIONS[action]
    values = {"name": account.name, "role": role_with_article(account.role), "needed": needed}
    if needed == "admin":
        template = _(
            "Only an admin may use this page; {name} is {role}. An admin can change a role "
            "with: coalition user set-role {name} {needed}"
        )
    else:
        template = _(
            "Only an editor or an admin may use this page; {name} is {role}. An admin can "
            "change a role with: coalition user set-role {name} {needed}"
        )
    return template.format(**values)


def role_with_article(role: str) -> str:
    """ "an editor", "a viewer"… in the language in use.

    Examples
    --------
    >>> role_with_article("editor")
    'an editor'
    """
    words = {
        "viewer": _("a viewer"),
        "editor": _("an editor"),
        "admin": _("an admin"),
    }
    return words.get(role, accounts.ROLE_WORDS.get(role, role))


def disclosure() -> privacy.Disclosure:
    """How counts are shown on this screen: exact for editors and admins, ranges otherwise.

    Examples
    --------
    >>> disclosure().exact  # doctest: +SKIP
    False
    """
    return privacy.Disclosure.for_account(current_account())


def client_source() -> str:
    """Where this browser session comes from, for the audit log ("" when Streamlit cannot say).

    The address Streamlit saw, and the ``X-Forwarded-For`` header a reverse proxy adds (a
    header any client can write: kept as what it claims, printable characters only).

    Examples
    --------
    >>> client_source()  # doctest: +SKIP
    '192.168.1.20'
    """
    parts: list[str] = []
    try:
        address = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception as exc:  # no browser session (a test): nothing to say
        logger.debug("no client address: %s", exc)
        return ""
    if isinstance(address, str) and address:
        parts.append(address)
    if isinstance(forwarded, str) and forwarded.strip():
        parts.append(f"forwarded for {forwarded}")
    text = "".join(c for c in " ".join(parts) if c.isprintable())
    return text[:_SOURCE_LENGTH]


def sign_in(name: str, password: str) -> Account:
    """Sign this browser session in; returns the account.

    Raises
    ------
    SignInError
        Wrong name or password, or the account is locked (the message says until when).

    Examples
    --------
    >>> sign_in("ana", "correct horse battery")  # doctest: +SKIP
    Account(name='ana', role='editor', operator=False)
    """
    account, token = cache.get_store().sign_in(name, password, source=client_source())
    st.session_state[SESSION_KEY] = token
    st.session_state[ACTIVE_KEY] = time.time()
    st.session_state.pop(ENDED_KEY, None)
    return account


def sign_out() -> None:
    """End this browser session's sign-in and forget everything it kept (a widget callback).

    Examples
    --------
    >>> sign_out()  # doctest: +SKIP
    """
    token = st.session_state.get(SESSION_KEY)
    cache.get_store().sign_out(token)
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def exposed_without_accounts() -> bool:
    """True when other machines may reach this server and the store has no accounts.

    With no accounts the dashboard acts as the store's operator (an admin): only safe for
    the one person at this machine. Streamlit's ``server.address`` unset means every
    interface (``streamlit run`` outside a checkout, where ``.streamlit/config.toml`` sets
    127.0.0.1).

    Examples
    --------
    >>> exposed_without_accounts()  # doctest: +SKIP
    False
    """
    from coalition.cli import is_local_address

    address = st.get_option("server.address")
    if address and is_local_address(str(address)):
        return False
    return not cache.get_store().has_accounts()
