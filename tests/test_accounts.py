"""Accounts, roles, sessions, lockout and the audit log (issue 9): the library's guard.

Every write and sensitive read of the store takes the acting account; these tests show that a
role gets exactly what coalition.accounts.ACTIONS gives it, whatever the caller asks.
"""

from __future__ import annotations

import datetime as dt

import pytest
from tiny_city import example_city

from coalition import accounts, edits, settings
from coalition import store as store_module
from coalition.accounts import Account
from coalition.errors import AccountError, PermissionDenied, SignInError
from coalition.store import open_store

PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "s.db")
    store.replace_city(example_city())
    store.add_account("root", PASSWORD, "admin")  # the operator adds the first admin
    return store


@pytest.fixture
def admin(store):
    return store.sign_in("root", PASSWORD)[0]


def _with(store, admin, name: str, role: str) -> Account:
    store.add_account(name, PASSWORD, role, account=admin)
    return store.sign_in(name, PASSWORD)[0]


def _new_org(store, org_id: str = "newcomer-org") -> list[edits.RowChange]:
    row = {
        "org_id": org_id,
        "name": "Newcomer Org",
        "sector": "nonprofit",
        "orientation": "both",
        "source": "test",
        "source_date": "2026-11-30",
        "illustrative": "no",
    }
    return edits.add(store.read_city(), "organizations", row)


# --- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", {"view", "export_public"}),
        (
            "editor",
            {"view", "export_public", "edit", "import", "survey", "exact_counts", "history"},
        ),
        ("admin", set(accounts.ACTIONS)),
    ],
)
def test_each_role_may_do_exactly_its_actions(role, allowed):
    assert {a for a in accounts.ACTIONS if Account("x", role).can(a)} == allowed


def test_an_unknown_role_is_refused_with_the_roles_listed():
    with pytest.raises(AccountError, match="viewer, editor, admin"):
        Account("x", "superuser")


def test_permission_denied_says_which_role_may_and_how_to_get_it():
    with pytest.raises(PermissionDenied) as caught:
        accounts.require(Account("vi", "viewer"), "restore", "restore a version")
    assert str(caught.value) == (
        "Only an admin may restore a version; vi is a viewer. An admin can change a role "
        "with: coalition user set-role vi admin"
    )
    with pytest.raises(PermissionDenied, match="Sign in to record"):
        accounts.require(None, "edit", "record")


# --- every library write refuses an account without the role -------------------------------------
def _writes(store, city):
    """Every write and sensitive read of the store, with the least role that may do it."""
    version = store.version()
    return {  # in an order in which each succeeds for its role (the undo first)
        "undo": ("editor", lambda a: store.undo(version=version, account=a)),
        "apply": ("editor", lambda a: store.apply(_new_org(store, "added"), what="add", account=a)),
        "apply (import)": (
            "editor",
            lambda a: store.apply(
                _new_org(store, "imported"), what="add", kind="import", account=a
            ),
        ),
        "update": ("editor", lambda a: store.update(lambda c: c, what="nothing", account=a)),
        "replace_city": ("editor", lambda a: store.replace_city(city, account=a)),
        "name_meeting": ("editor", lambda a: store.name_meeting("March", account=a)),
        "restore": ("admin", lambda a: store.restore(version, account=a)),
        "backup": ("admin", lambda a: store.backup(store.url[10:] + f".{a.name}.bak", account=a)),
        "add_account": ("admin", lambda a: store.add_account("new", PASSWORD, account=a)),
        "set_role": ("admin", lambda a: store.set_role("root", "admin", account=a)),
        "set_password (another's)": (
            "admin",
            lambda a: store.set_password("root", PASSWORD, account=a),
        ),
        "remove_account": ("admin", lambda a: store.remove_account("spare", account=a)),
        # sensitive reads
        "versions": ("editor", lambda a: store.versions(account=a)),
        "read_version": ("editor", lambda a: store.read_version(version, account=a)),
        "changes_in": ("editor", lambda a: store.changes_in(version, account=a)),
        "changes_between": ("editor", lambda a: store.changes_between(1, version, account=a)),
        "retired": ("editor", lambda a: store.retired("organizations", account=a)),
        "read_city(include_retired)": (
            "editor",
            lambda a: store.read_city(include_retired=True, account=a),
        ),
        "row": ("editor", lambda a: store.row("organizations", "lib", account=a)),
        "accounts": ("admin", lambda a: store.accounts(account=a)),
        "audit_log": ("admin", lambda a: store.audit_log(account=a)),
    }


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_every_library_write_refuses_an_account_without_the_role(store, admin, role):
    city = store.read_city()
    store.apply(_new_org(store), what="an edit to undo", account=admin)
    store.add_account("spare", PASSWORD, "viewer", account=admin)
    acting = _with(store, admin, f"a-{role}", role)
    version_before = store.version()
    refused = []
    for name, (least, call) in _writes(store, city).items():
        if accounts.ROLES.index(role) >= accounts.ROLES.index(least):
            continue
        with pytest.raises(PermissionDenied):
            call(acting)
        refused.append(name)
    assert store.version() == version_before  # nothing was written
    assert {"apply", "restore", "add_account"} & set(refused)
    if role == "viewer":
        assert len(refused) == len(_writes(store, city))  # a viewer may do none of them


def test_each_write_is_allowed_to_its_least_role(store, admin):
    """The refusals above are real: the same calls succeed for the role they need."""
    city = store.read_city()
    store.apply(_new_org(store), what="an edit to undo", account=admin)
    store.add_account("spare", PASSWORD, "viewer", account=admin)
    editor = _with(store, admin, "ed", "editor")
    for _name, (least, call) in _writes(store, city).items():
        call(editor if least == "editor" else admin)


def test_a_demoted_or_removed_account_loses_its_rights_at_once(store, admin):
    editor = _with(store, admin, "ed", "editor")
    store.apply(_new_org(store), what="first", account=editor)
    store.set_role("ed", "viewer", account=admin)
    with pytest.raises(PermissionDenied, match="ed is a viewer"):
        store.name_meeting("March", account=editor)  # the object still says editor
    store.remove_account("ed", account=admin)
    with pytest.raises(PermissionDenied, match="no longer exists"):
        store.versions(account=editor)


def test_without_an_account_the_library_acts_as_operator_until_accounts_exist(tmp_path):
    store = open_store(tmp_path / "s.db")
    store.replace_city(example_city())
    assert store.apply(_new_org(store), what="local use") == 2  # no accounts: the operator
    store.add_account("root", PASSWORD, "admin")
    with pytest.raises(PermissionDenied, match="This store has accounts: sign in"):
        store.name_meeting("March")
    assert store.name_meeting("March", account=accounts.operator("cli")) == 2


def test_history_names_the_signed_in_account_not_the_name_it_gives(store, admin):
    editor = _with(store, admin, "ed", "editor")
    store.apply(_new_org(store), what="added", who="somebody else", account=editor)
    assert store.versions(account=admin).iloc[0]["who"] == "ed"


# --- accounts ------------------------------------------------------------------------------------
def test_the_last_admin_can_be_neither_removed_nor_demoted(store, admin):
    with pytest.raises(AccountError, match="only admin"):
        store.remove_account("root", account=admin)
    with pytest.raises(AccountError, match="only admin"):
        store.set_role("root", "editor", account=admin)
    store.add_account("second", PASSWORD, "admin", account=admin)
    store.set_role("root", "editor", account=admin)
    with pytest.raises(PermissionDenied):  # root demoted itself: at once no longer an admin
        store.accounts(account=admin)
    listed = store.accounts(account=accounts.operator())
    assert dict(zip(listed["name"], listed["role"], strict=True)) == {
        "root": "editor",
        "second": "admin",
    }


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("bad name!", PASSWORD, "cannot be an account name"),
        ("", PASSWORD, "cannot be an account name"),
        ("ok", "short", "too short"),
        ("root", PASSWORD, "exists already"),
    ],
)
def test_bad_accounts_are_refused_with_what_to_do(store, admin, name, password, message):
    with pytest.raises(AccountError, match=message):
        store.add_account(name, password, "viewer", account=admin)


def test_only_the_hash_of_a_password_is_stored(store):
    with store.engine.connect() as conn:
        stored = conn.execute(store_module.select(store_module.ACCOUNTS)).one()
    assert PASSWORD not in repr(tuple(stored))
    assert stored.password_hash.startswith("$argon2id$")


def test_anyone_may_set_their_own_password_but_not_anothers(store, admin):
    viewer = _with(store, admin, "vi", "viewer")
    store.set_password("vi", "a brand new passphrase", account=viewer)
    assert store.sign_in("vi", "a brand new passphrase")[0].role == "viewer"
    with pytest.raises(PermissionDenied):
        store.set_password("root", "a brand new passphrase", account=viewer)


# --- sign-in, sessions, lockout ------------------------------------------------------------------
def test_a_wrong_name_and_a_wrong_password_get_the_same_message(store):
    with pytest.raises(SignInError) as wrong_name:
        store.sign_in("nobody", PASSWORD)
    with pytest.raises(SignInError) as wrong_password:
        store.sign_in("root", "not the password")
    assert str(wrong_name.value) == str(wrong_password.value) == "Wrong name or password."


def test_an_account_is_locked_after_repeated_failures_then_opens_again(store, monkeypatch):
    for _ in range(settings.LOCKOUT_AFTER):
        with pytest.raises(SignInError, match="Wrong name or password"):
            store.sign_in("root", "not the password")
    with pytest.raises(SignInError, match="locked after 5 failed sign-ins"):
        store.sign_in("root", PASSWORD)  # the right password is refused while locked
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=settings.LOCKOUT_MINUTES + 1)
    monkeypatch.setattr(store_module, "_utcnow", lambda: later)
    assert store.sign_in("root", PASSWORD)[0].name == "root"


def test_fewer_failures_than_the_limit_do_not_lock(store):
    for _ in range(settings.LOCKOUT_AFTER - 1):
        with pytest.raises(SignInError):
            store.sign_in("root", "not the password")
    store.sign_in("root", PASSWORD)  # resets the count
    for _ in range(settings.LOCKOUT_AFTER - 1):
        with pytest.raises(SignInError):
            store.sign_in("root", "not the password")
    assert store.sign_in("root", PASSWORD)[0].role == "admin"


def test_a_session_ends_when_idle_too_long_and_after_the_longest_time(store, monkeypatch):
    account, token = store.sign_in("root", PASSWORD)
    assert store.session_account(token) == account
    start = dt.datetime.now(dt.UTC)
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes: stays signed in…
        monkeypatch.setattr(
            store_module, "_utcnow", lambda m=minutes: start + dt.timedelta(minutes=m)
        )
        assert store.session_account(token) == account
    monkeypatch.setattr(store_module, "_utcnow", lambda: start + dt.timedelta(hours=12, minutes=1))
    assert store.session_account(token) is None  # …until 12 hours after signing in
    monkeypatch.undo()
    _, token = store.sign_in("root", PASSWORD)
    idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1)
    monkeypatch.setattr(store_module, "_utcnow", lambda: dt.datetime.now(dt.UTC) + idle)
    assert store.session_account(token) is None


def test_signing_out_or_a_new_password_ends_sessions(store, admin):
    _, token = store.sign_in("root", PASSWORD)
    store.sign_out(token)
    assert store.session_account(token) is None
    _, token = store.sign_in("root", PASSWORD)
    store.set_password("root", "another long passphrase", account=admin)
    assert store.session_account(token) is None
    assert store.session_account("made-up token") is None
    assert store.session_account(None) is None


def test_a_session_token_is_not_stored(store):
    _, token = store.sign_in("root", PASSWORD)
    with store.engine.connect() as conn:
        kept = [tuple(r) for r in conn.execute(store_module.select(store_module.SESSIONS))]
    assert token not in repr(kept)


# --- audit log -----------------------------------------------------------------------------------
def test_the_audit_log_records_sign_ins_changes_exports_and_accounts(store, admin):
    with pytest.raises(SignInError):
        store.sign_in("root", "not the password", source="10.0.0.7")
    editor = _with(store, admin, "ed", "editor")
    store.apply(_new_org(store), what="Added Newcomer Org", account=editor)
    store.audit("export", "public tables (zip)", account=editor)
    log = store.audit_log(account=admin)
    assert list(log["action"]) == [
        "export",
        "edit",
        "sign_in",
        "account",
        "sign_in_failed",
        "sign_in",  # the admin fixture's
        "account",
        "load",
    ]
    assert log.iloc[1]["what"] == "version 2: Added Newcomer Org"
    assert log.iloc[1]["who"] == "ed"
    assert log.iloc[4]["what"] == "wrong name or password from 10.0.0.7"
    assert list(store.audit_log(account=admin, limit=2)["action"]) == ["export", "edit"]
