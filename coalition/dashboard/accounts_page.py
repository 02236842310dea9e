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
from coalition.presenting.text import md

state = st.session_state
MESSAGE = "accounts_message"  # (kind, text) to show once after an action
SHOW = {"success": st.success, "error": st.error}
AUDIT_LIMIT = 5000  # the newest entries read for the page (the CLI reads them all)
ROLE_HELP = (
    "viewer: the pages and public downloads, small counts as ranges. editor: also records "
    "changes, imports files, sees exact counts and the history. admin: also manages accounts, "
    "restores versions, reads the audit log and makes full exports."
)


def _say(kind: str, text: str) -> None:
    state[MESSAGE] = (kind, text)


def _acting() -> accounts.Account | None:
    return auth.current_account()


def _two_passwords(first: str, second: str) -> str | None:
    """The password when both entries agree, else None (and a message)."""
    if first != second:
        _say("error", "The two passwords differ: nothing was changed. Type the same one twice.")
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
        _say("error", f"Not added: {exc}")
        return
    for key in ("acc_add_name", "acc_add_password", "acc_add_again"):
        state[key] = ""
    _say("success", f"Added {added.name} as {added.role}.")
    if acting is not None and acting.operator:  # the first account: this screen signs in now
        state[auth.ENDED_KEY] = (
            f"Added {added.name} as {added.role}. The store has accounts now, so everyone "
            "signs in, on this machine too."
        )


def _set_role() -> None:
    name, role = str(state.get("acc_role_name", "")), str(state.get("acc_role_role", ""))
    try:
        cache.get_store().set_role(name, role, account=_acting())
    except errors.CoalitionError as exc:
        _say("error", f"Role not changed: {exc}")
        return
    _say("success", f"{name} is now {accounts.ROLE_WORDS.get(role, role)}.")


def _set_password() -> None:
    password = _two_passwords(state.get("acc_pw_password", ""), state.get("acc_pw_again", ""))
    if password is None:
        return
    name = str(state.get("acc_pw_name", ""))
    try:
        cache.get_store().set_password(name, password, account=_acting())
    except errors.CoalitionError as exc:
        _say("error", f"Password not set: {exc}")
        return
    state["acc_pw_password"] = state["acc_pw_again"] = ""
    _say("success", f"Set a new password for {name}: it is unlocked, and signed out everywhere.")


def _remove() -> None:
    name = str(state.get("acc_remove_name", ""))
    if not state.get("acc_remove_sure"):
        _say("error", f"Tick the box to confirm that {name} should go: nothing was removed.")
        return
    try:
        cache.get_store().remove_account(name, account=_acting())
    except errors.CoalitionError as exc:
        _say("error", f"Not removed: {exc}")
        return
    state["acc_remove_sure"] = False
    _say("success", f"Removed {name}: it can no longer sign in.")


def _message() -> None:
    said = state.pop(MESSAGE, None)
    if said:
        kind, text = said
        SHOW.get(kind, st.info)(md(text))


def _add_form() -> None:
    with st.form("acc_add_form"):
        st.subheader("Add an account")
        st.text_input("Name (letters, digits and . _ @ -)", key="acc_add_name")
        st.selectbox("Role", accounts.ROLES, key="acc_add_role", help=ROLE_HELP)
        st.text_input("Password (at least 10 characters)", type="password", key="acc_add_password")
        st.text_input("The same password again", type="password", key="acc_add_again")
        st.form_submit_button("Add the account", on_click=_add, type="primary")


def _change_forms(names: list[str], roles: dict[str, str]) -> None:
    left, right = st.columns(2)
    with left, st.form("acc_role_form"):
        st.subheader("Change a role")
        st.selectbox("Account", names, key="acc_role_name")
        st.selectbox("New role", accounts.ROLES, key="acc_role_role", help=ROLE_HELP)
        st.form_submit_button("Change the role", on_click=_set_role)
    with right, st.form("acc_pw_form"):
        st.subheader("Set a new password")
        st.selectbox("Account", names, key="acc_pw_name")
        st.text_input("New password", type="password", key="acc_pw_password")
        st.text_input("The same password again", type="password", key="acc_pw_again")
        st.form_submit_button("Set the password (and unlock)", on_click=_set_password)
    with st.form("acc_remove_form"):
        st.subheader("Remove an account")
        st.selectbox(
            "Account",
            names,
            key="acc_remove_name",
            format_func=lambda name: f"{name} ({roles.get(name, '')})",
        )
        st.checkbox("Yes, remove this account (it can no longer sign in)", key="acc_remove_sure")
        st.form_submit_button("Remove the account", on_click=_remove)


def audit_csv(log: pd.DataFrame) -> bytes:
    """The audit log as CSV, every cell safe to open in a spreadsheet (no live formulas).

    Examples
    --------
    >>> audit_csv(pd.DataFrame({"who": ["=cmd"]})).decode()
    "who\\n'=cmd\\n"
    """
    return log.map(exports.neutralise_formula).to_csv(index=False).encode("utf-8")


def _audit_log(account: accounts.Account) -> None:
    st.subheader("Audit log")
    log = cache.get_store().audit_log(account=account, limit=AUDIT_LIMIT)
    st.caption(
        "Sign-ins (and failed ones), account changes, saved versions, backups and downloads: "
        f"who did what, when (UTC), newest first. The newest {AUDIT_LIMIT:,} entries; "
        "`coalition audit` prints them all."
    )
    left, right = st.columns(2)
    actions = left.multiselect("Actions", sorted(log["action"].unique()), key="audit_actions")
    who = right.selectbox("Who", ["(everyone)", *sorted(log["who"].unique())], key="audit_who")
    shown = log
    if actions:
        shown = shown[shown["action"].isin(actions)]
    if who != "(everyone)":
        shown = shown[shown["who"] == who]
    st.dataframe(shown, hide_index=True, width="stretch", key="audit_table")
    st.download_button(
        "Download these entries (CSV)",
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
    st.title("Accounts")
    st.markdown(
        "Who may sign in to this dashboard, and what each may do. Passwords are kept only as "
        "Argon2 hashes; five failed sign-ins in a row lock an account for a while (setting a "
        "new password unlocks it). The same can be done on the server with `coalition user`."
    )
    _message()
    listed = store.accounts(account=account)
    if listed.empty:
        st.info(
            "No accounts yet: this dashboard is a single-person tool on this machine. Add an "
            "admin first; from then on everyone signs in, and this screen too."
        )
    else:
        st.dataframe(listed, hide_index=True, width="stretch", key="accounts_table")
    _add_form()
    if not listed.empty:
        names = [str(n) for n in listed["name"]]
        _change_forms(names, dict(zip(names, listed["role"].astype(str), strict=True)))
    _audit_log(account)


if __name__ == "__main__":
    render()
