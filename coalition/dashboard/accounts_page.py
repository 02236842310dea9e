"""Accounts page (admins only): who may sign in, with which role, and the audit log.

List the accounts (names, roles, dates: never a password or its hash), add one (name, role, the
password twice), change a role, set a new password (which also unlocks a locked account and ends
its sessions), remove one (after a confirmation), and read the audit log (newest first, filtered
by action or by who; the download is itself written to the audit log). Everything goes through
the store's account methods with the signed-in admin as the acting account, so the store refuses
what the page would not offer (:mod:`coalition.dashboard.auth`). The store never removes or
demotes its last admin.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition import accounts, errors, exports
from coalition.dashboard import auth, cache
from coalition.i18n import N_, _, pgettext
from coalition.presenting.text import fmt_int, md

state = st.session_state
MESSAGE = "accounts_message"  # (kind, text) to show once after an action
SHOW = {"success": st.success, "error": st.error}
AUDIT_LIMIT = 5000  # the newest entries read for the page (the CLI reads them all)
ROLE_HELP = N_(
    "viewer: the pages and public downloads, small counts as ranges. editor: also records "
    "changes, imports files, sees exact counts and the history. admin: also manages accounts, "
    "restores versions, reads the audit log and makes full exports."
)  # translated where shown
EVERYONE = "(everyone)"  # the "Who" filter's option for every account (shown translated)


def _action_name(action: object) -> str:
    """An audit log action in the language in use (unknown actions as recorded)."""
    words = {
        "account": pgettext("audit action", "account"),
        "backup": pgettext("audit action", "backup"),
        "export": pgettext("audit action", "export"),
        "locked": pgettext("audit action", "locked"),
        "sign_in": pgettext("audit action", "sign_in"),
        "sign_in_failed": pgettext("audit action", "sign_in_failed"),
        "sign_in_refused": pgettext("audit action", "sign_in_refused"),
        "sign_out": pgettext("audit action", "sign_out"),
        "survey_ratings": pgettext("audit action", "survey_ratings"),
    }
    return words.get(str(action), str(action))


def _shown_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The store's accounts or audit table with its column names in the language in use.

    The store names its columns in English (``name``, ``role``, ``at``, ``who``…); English
    shows them as they are.
    """
    words = {
        "name": pgettext("accounts column", "name"),
        "role": pgettext("accounts column", "role"),
        "created_at": pgettext("accounts column", "created_at"),
        "last_sign_in": pgettext("accounts column", "last_sign_in"),
        "locked_until": pgettext("accounts column", "locked_until"),
        "at": pgettext("accounts column", "at"),
        "who": pgettext("accounts column", "who"),
        "action": pgettext("accounts column", "action"),
        "what": pgettext("accounts column", "what"),
    }
    return frame.rename(columns=lambda column: words.get(str(column), column))


def _say(kind: str, text: str) -> None:
    state[MESSAGE] = (kind, text)


def _acting() -> accounts.Account | None:
    return auth.current_account()


def _two_passwords(first: str, second: str) -> str | None:
    """The password when both entries agree, else None (and a message)."""
    if first != second:
        _say(
            "error",
            _("The two passwords differ: nothing was changed. Type the same one twice."),
        )
        return None
    return first


def _add() -> None:
    password = _two_passwords(state.get("acc_add_password", ""), state.get("acc_add_again", ""))
    if password is None:
        return
    name = str(state.get("acc_add_name", ""))
    role = str(state.get("acc_add_role", "viewer"))
    acting = _acting()
    try:
        added = cache.get_store().add_account(name, password, role, account=acting)
    except errors.CoalitionError as exc:
        _say("error", _("Not added: {problem}").format(problem=exc))
        return
    for key in ("acc_add_name", "acc_add_password", "acc_add_again"):
        state[key] = ""
    _say(
        "success",
        _("Added {name} as {role}.").format(name=added.name, role=auth.role_name(added.role)),
    )
    if acting is not None and acting.operator:  # the first account: this screen signs in now
        state[auth.ENDED_KEY] = _(
            "Added {name} as {role}. The store has accounts now, so everyone signs in, on this "
            "machine too."
        ).format(name=added.name, role=auth.role_name(added.role))


def _set_role() -> None:
    name, role = str(state.get("acc_role_name", "")), str(state.get("acc_role_role", ""))
    try:
        cache.get_store().set_role(name, role, account=_acting())
    except errors.CoalitionError as exc:
        _say("error", _("Role not changed: {problem}").format(problem=exc))
        return
    _say("success", _("{name} is now {role}.").format(name=name, role=auth.role_with_article(role)))


def _set_password() -> None:
    password = _two_passwords(state.get("acc_pw_password", ""), state.get("acc_pw_again", ""))
    if password is None:
        return
    name = str(state.get("acc_pw_name", ""))
    try:
        cache.get_store().set_password(name, password, account=_acting())
    except errors.CoalitionError as exc:
        _say("error", _("Password not set: {problem}").format(problem=exc))
        return
    state["acc_pw_password"] = state["acc_pw_again"] = ""
    _say(
        "success",
        _("Set a new password for {name}: it is unlocked, and signed out everywhere.").format(
            name=name
        ),
    )


def _remove() -> None:
    name = str(state.get("acc_remove_name", ""))
    if not state.get("acc_remove_sure"):
        _say(
            "error",
            _("Tick the box to confirm that {name} should go: nothing was removed.").format(
                name=name
            ),
        )
        return
    try:
        cache.get_store().remove_account(name, account=_acting())
    except errors.CoalitionError as exc:
        _say("error", _("Not removed: {problem}").format(problem=exc))
        return
    state["acc_remove_sure"] = False
    _say("success", _("Removed {name}: it can no longer sign in.").format(name=name))


def _message() -> None:
    said = state.pop(MESSAGE, None)
    if said:
        kind, text = said
        SHOW.get(kind, st.info)(md(text))


def _add_form() -> None:
    with st.form("acc_add_form"):
        st.subheader(_("Add an account"))
        st.text_input(_("Name (letters, digits and . _ @ -)"), key="acc_add_name")
        st.selectbox(
            _("Role"),
            accounts.ROLES,
            format_func=auth.role_name,
            key="acc_add_role",
            help=_(ROLE_HELP),
        )
        st.text_input(
            _("Password (at least 10 characters)"), type="password", key="acc_add_password"
        )
        st.text_input(_("The same password again"), type="password", key="acc_add_again")
        st.form_submit_button(_("Add the account"), on_click=_add, type="primary")


def _change_forms(names: list[str], roles: dict[str, str]) -> None:
    left, right = st.columns(2)
    with left, st.form("acc_role_form"):
        st.subheader(_("Change a role"))
        st.selectbox(_("Account"), names, key="acc_role_name")
        st.selectbox(
            _("New role"),
            accounts.ROLES,
            format_func=auth.role_name,
            key="acc_role_role",
            help=_(ROLE_HELP),
        )
        st.form_submit_button(_("Change the role"), on_click=_set_role)
    with right, st.form("acc_pw_form"):
        st.subheader(_("Set a new password"))
        st.selectbox(_("Account"), names, key="acc_pw_name")
        st.text_input(_("New password"), type="password", key="acc_pw_password")
        st.text_input(_("The same password again"), type="password", key="acc_pw_again")
        st.form_submit_button(_("Set the password (and unlock)"), on_click=_set_password)
    with st.form("acc_remove_form"):
        st.subheader(_("Remove an account"))
        st.selectbox(
            _("Account"),
            names,
            key="acc_remove_name",
            format_func=lambda name: f"{name} ({auth.role_name(roles.get(name, ''))})",
        )
        st.checkbox(_("Yes, remove this account (it can no longer sign in)"), key="acc_remove_sure")
        st.form_submit_button(_("Remove the account"), on_click=_remove)


def audit_csv(log: pd.DataFrame) -> bytes:
    """The audit log as CSV, every cell safe to open in a spreadsheet (no live formulas).

    Examples
    --------
    >>> audit_csv(pd.DataFrame({"who": ["=cmd"]})).decode()
    "who\\n'=cmd\\n"
    """
    return log.map(exports.neutralise_formula).to_csv(index=False).encode("utf-8")


def _audit_log(account: accounts.Account) -> None:
    st.subheader(_("Audit log"))
    log = cache.get_store().audit_log(account=account, limit=AUDIT_LIMIT)
    st.caption(
        _(
            "Sign-ins (and failed ones), account changes, saved versions, backups and "
            "downloads: who did what, when (UTC), newest first. The newest {limit} entries; "
            "`coalition audit` prints them all."
        ).format(limit=fmt_int(AUDIT_LIMIT))
    )
    left, right = st.columns(2)
    actions = left.multiselect(
        _("Actions"),
        sorted(log["action"].unique()),
        format_func=_action_name,
        key="audit_actions",
    )
    who = right.selectbox(
        _("Who"),
        [EVERYONE, *sorted(log["who"].unique())],
        format_func=lambda name: _(EVERYONE) if name == EVERYONE else name,
        key="audit_who",
    )
    shown = log
    if actions:
        shown = shown[shown["action"].isin(actions)]
    if who != EVERYONE:
        shown = shown[shown["who"] == who]
    st.dataframe(_shown_table(shown), hide_index=True, width="stretch", key="audit_table")
    st.download_button(
        _("Download these entries (CSV)"),
        data=audit_csv(shown),
        file_name="coalition-audit-log.csv",
        mime="text/csv",
        key="audit_download",
        on_click=lambda: cache.get_store().audit(
            "export", f"audit log (csv, {len(shown):,} entries)", account=_acting()
        ),
    )


def render() -> None:
    """Draw the Accounts page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    account = auth.require("accounts", "manage the accounts")
    store = cache.get_store()
    st.title(_("Accounts"))
    st.markdown(
        _(
            "Who may sign in to this dashboard, and what each may do. Passwords are kept only "
            "as Argon2 hashes; five failed sign-ins in a row lock an account for a while "
            "(setting a new password unlocks it). The same can be done on the server with "
            "`coalition user`."
        )
    )
    _message()
    listed = store.accounts(account=account)
    if listed.empty:
        st.info(
            _(
                "No accounts yet: this dashboard is a single-person tool on this machine. Add an "
                "admin first; from then on everyone signs in, and this screen too."
            )
        )
    else:
        st.dataframe(_shown_table(listed), hide_index=True, width="stretch", key="accounts_table")
    _add_form()
    if not listed.empty:
        names = [str(n) for n in listed["name"]]
        _change_forms(names, dict(zip(names, listed["role"].astype(str), strict=True)))
    _audit_log(account)


if __name__ == "__main__":
    render()
