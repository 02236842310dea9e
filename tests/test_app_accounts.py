"""Accounts in the dashboard (issue 9), driven with Streamlit's AppTest.

The tiny city in a store with three accounts (an admin, an editor, a viewer): the sign-in page is
the only page until someone signs in; each role gets only its pages; a viewer replaying the
Record page (its script run directly, a widget clicked after a demotion) saves nothing; a session
that ends mid-use returns to the sign-in page and says why; the Accounts page manages accounts
through the store; a store without accounts served to other machines is refused.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from helpers import element_texts, page_files, page_is_registered, registered
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import settings
from coalition import store as store_module
from coalition.accounts import Account
from coalition.dashboard import PAGE_ACTIONS, PAGES, WRITING_PAGES, auth
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE_DIR = ROOT / "coalition" / "dashboard"
PAGE_FILES = page_files()
TIMEOUT = 120
PASSWORD = "correct horse battery"
ALL_PAGES = {
    "overview",
    "network",
    "map",
    "gaps",
    "planner",
    "data",
    "record",
    "import",
    "accounts",
}
VIEWER_PAGES = {
    "overview",
    "network",
    "map",
    "gaps",
    "planner",
    "starter-kit",
    "data",
    "survey-results",
}


@pytest.fixture
def db(tmp_path) -> Path:
    """The tiny city with an admin (ada), an editor (ed) and a viewer (vi)."""
    path = tmp_path / "accounts.db"
    store = open_store(path)
    store.replace_city(make_tiny_city())
    store.add_account("ada", PASSWORD, "admin")  # the operator adds the first admin
    admin = store.sign_in("ada", PASSWORD)[0]
    store.add_account("ed", PASSWORD, "editor", account=admin)
    store.add_account("vi", PASSWORD, "viewer", account=admin)
    return path


@pytest.fixture
def start(monkeypatch, db):
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)

    def run(script: str = APP, token: str | None = None) -> AppTest:
        at = AppTest.from_file(script, default_timeout=TIMEOUT)
        if token is not None:
            at.session_state[auth.SESSION_KEY] = token
        at.run()
        assert not at.exception, at.exception
        return at

    return run


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="FormSubmitter:sign_in_form-Sign in").click().run()
    assert not at.exception, at.exception
    return at


# Page titles as st.navigation registers them, to their url paths.


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def plain(text: str) -> str:
    """Markdown-escaped text (coalition.presenting.text.md) as it reads on the screen."""
    return text.replace("\\", "")


def errors_shown(at: AppTest) -> list[str]:
    return [plain(e.value) for e in at.error]


# --- the sign-in page ----------------------------------------------------------------------------


def test_nobody_signed_in_sees_only_the_sign_in_page(start):
    at = start()
    assert titles(at) == ["Sign in"]
    assert registered(at) == {"sign-in"}
    assert not page_is_registered(at, "record")
    assert not page_is_registered(at, "overview")
    # Nothing about the city is drawn for a visitor who is not signed in.
    assert not any("Tiny Town" in text for text in element_texts(at))
    assert not at.sidebar.button


def test_a_wrong_password_says_so_and_signs_nobody_in(start, db):
    at = sign_in(start(), "vi", "not the password")
    assert errors_shown(at) == ["Wrong name or password."]
    assert titles(at) == ["Sign in"]
    assert auth.SESSION_KEY not in at.session_state
    # An unknown name gets the very same message.
    at = sign_in(at, "nobody", "not the password")
    assert errors_shown(at) == ["Wrong name or password."]
    log = open_store(db).audit_log(account=_operator())
    assert (log["action"] == "sign_in_failed").sum() == 2


def test_five_failures_lock_the_account_even_for_the_right_password(start):
    at = start()
    for _ in range(settings.LOCKOUT_AFTER):
        at = sign_in(at, "vi", "not the password")
    at = sign_in(at, "vi", PASSWORD)
    (message,) = errors_shown(at)
    assert message.startswith(
        f"This account is locked after {settings.LOCKOUT_AFTER} failed sign-ins: try again in"
    )
    assert titles(at) == ["Sign in"]


def test_an_empty_form_asks_for_both(start):
    at = sign_in(start(), "", "")
    assert errors_shown(at) == ["Give your account's name and its password."]


def test_every_page_says_what_it_needs():
    assert {url_path for _, _, url_path in PAGES} <= set(PAGE_ACTIONS)
    assert {url_path for _, _, url_path in PAGES} >= ALL_PAGES


def roles_pages(role: str) -> set[str]:
    """Every page whose action the role may do (PAGES may grow: e.g. a History page)."""
    return {url for _, _, url in PAGES if Account("x", role).can(PAGE_ACTIONS[url])}


@pytest.mark.parametrize(
    ("name", "has", "lacks"),
    [
        (
            "vi",
            VIEWER_PAGES,
            {"record", "import", "history", "survey", "survey-rounds", "accounts"},
        ),
        ("ed", VIEWER_PAGES | {"record", "import", "survey", "survey-rounds"}, {"accounts"}),
        ("ada", ALL_PAGES, set()),
    ],
)
def test_signing_in_shows_the_roles_pages_only(start, name, has, lacks):
    at = sign_in(start(), name)
    role = {"vi": "viewer", "ed": "editor", "ada": "admin"}[name]
    pages = registered(at)
    assert has <= pages and not pages & lacks
    assert pages == roles_pages(role)
    assert titles(at) == ["Tiny Town: the coalition at a glance"]
    role = {"vi": "viewer", "ed": "editor", "ada": "admin"}[name]
    assert f"Signed in as **{name}** ({role})" in [m.value for m in at.sidebar.markdown]
    for url_path in ALL_PAGES - pages:  # another page's address leads nowhere
        assert not page_is_registered(at, url_path), url_path


def test_the_password_is_not_kept_in_the_session(start):
    at = sign_in(start(), "vi")
    assert (
        at.session_state.get("sign_in_password", "") == ""
    )  # the form is cleared on submit, and gone once the page changes


def test_read_only_hides_writing_pages_from_an_admin_too(start, monkeypatch):
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    at = sign_in(start(), "ada")
    assert registered(at) == roles_pages("admin") - set(WRITING_PAGES)
    assert not registered(at) & {"record", "import", "accounts", *WRITING_PAGES}


def test_signing_out_returns_to_the_sign_in_page_and_ends_the_session(start, db):
    at = sign_in(start(), "ed")
    token = at.session_state[auth.SESSION_KEY]
    at.sidebar.button(key="sign_out").click().run()
    assert titles(at) == ["Sign in"]
    assert registered(at) == {"sign-in"}
    store = open_store(db)
    assert store.session_account(token) is None
    assert store.audit_log(account=_operator(), limit=1)["action"].tolist() == ["sign_out"]


# --- a viewer cannot write, whatever it replays -------------------------------------------------


def test_a_viewer_running_the_record_page_directly_is_refused(start, db):
    token = open_store(db).sign_in("vi", PASSWORD)[1]
    at = start(str(PAGE_DIR / "record.py"), token=token)
    (message,) = errors_shown(at)
    assert message.startswith("Only an editor or an admin may record changes; vi is a viewer.")
    assert not at.get("form") and not at.button and not at.text_input


def test_a_viewer_running_the_import_and_accounts_pages_directly_is_refused(start, db):
    token = open_store(db).sign_in("vi", PASSWORD)[1]
    at = start(str(PAGE_DIR / "import_page.py"), token=token)
    assert errors_shown(at)[0].startswith("Only an editor or an admin may import files")
    assert not at.get("file_uploader")
    at = start(str(PAGE_DIR / "accounts_page.py"), token=token)
    assert errors_shown(at)[0].startswith("Only an admin may manage the accounts")
    assert not at.dataframe


def test_a_save_replayed_after_a_demotion_saves_nothing(start, db):
    store = open_store(db)
    token = store.sign_in("ed", PASSWORD)[1]
    at = start(str(PAGE_DIR / "record.py"), token=token)
    assert "Editing as **ed** (editor): your account's name is kept" in at.markdown[1].value
    _fill_new_organization(at, "Replayed Org")
    before = store.version()
    # The role changes while the form is open; then the editor's Save arrives.
    store.set_role("ed", "viewer", account=_operator())
    _save_new_organization(at)
    assert store.version() == before
    assert "Replayed Org" not in store.read_city().tables["organizations"]["name"].tolist()
    (message,) = errors_shown(at)
    assert message.startswith("Only an editor or an admin may record changes; ed is a viewer.")
    # The save callback ran first and was refused by the store itself (the third guard).
    assert at.session_state["record_message"][1].startswith(
        "Not saved: Only an editor or an admin may"
    )


def _fill_new_organization(at: AppTest, name: str) -> None:
    at.text_input(key="add_organizations_name").set_value(name)
    at.text_input(key="add_organizations_sector").set_value("health")
    at.selectbox(key="add_organizations_orientation").set_value("both")


def _save_new_organization(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Save the new organization").click().run()


def test_an_editor_saves_under_the_accounts_own_name(start, db):
    store = open_store(db)
    token = store.sign_in("ed", PASSWORD)[1]
    at = start(str(PAGE_DIR / "record.py"), token=token)
    assert not [t for t in at.text_input if t.key == "record_who"]  # no "your name" prompt
    _fill_new_organization(at, "Signed Org")
    _save_new_organization(at)
    assert not errors_shown(at), errors_shown(at)
    versions = store.versions(account=_operator())
    assert versions.iloc[0]["who"] == "ed"
    assert "Signed Org" in store.read_city().tables["organizations"]["name"].tolist()


# --- sessions that end --------------------------------------------------------------------------


def test_a_session_that_ends_mid_use_returns_to_sign_in_and_says_why(start, monkeypatch):
    at = sign_in(start(), "ed")
    assert "record" in registered(at)
    idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1)
    later = dt.datetime.now(dt.UTC) + idle
    monkeypatch.setattr(store_module, "_utcnow", lambda: later)
    at.session_state[auth.ACTIVE_KEY] = time.time() - idle.total_seconds()
    at.run()
    assert titles(at) == ["Sign in"]
    assert registered(at) == {"sign-in"}
    assert plain(at.info[0].value) == (
        f"Your session ended after {settings.SESSION_IDLE_MINUTES} minutes without activity; "
        "sign in again."
    )
    assert auth.SESSION_KEY not in at.session_state


def test_a_removed_account_is_signed_out_at_the_next_click(start, db):
    at = sign_in(start(), "ed")
    open_store(db).remove_account("ed", account=_operator())
    at.run()
    assert titles(at) == ["Sign in"]
    assert "password is changed or the account is removed" in at.info[0].value


# --- the accounts page --------------------------------------------------------------------------


def _accounts_page(start) -> AppTest:
    at = sign_in(start(), "ada")
    at.switch_page(PAGE_FILES["accounts"]).run()
    assert not at.exception, at.exception
    return at


TABLE_COLUMNS = {"accounts_table": "role", "audit_table": "action"}  # a column only it has


def _table(at: AppTest, key: str):
    (found,) = [d.value for d in at.dataframe if TABLE_COLUMNS[key] in d.value.columns]
    return found


def test_the_accounts_page_lists_accounts_without_hashes(start):
    at = _accounts_page(start)
    table = _table(at, "accounts_table")
    assert table["name"].tolist() == ["ada", "ed", "vi"]
    assert table["role"].tolist() == ["admin", "editor", "viewer"]
    assert not any("hash" in str(c) for c in table.columns)
    assert not table.astype(str).apply(lambda col: col.str.contains(r"\$argon2")).any().any()


def test_the_accounts_page_adds_changes_and_removes(start, db):
    at = _accounts_page(start)
    at.text_input(key="acc_add_name").input("newbie")
    at.selectbox(key="acc_add_role").select("editor")
    at.text_input(key="acc_add_password").input(PASSWORD)
    at.text_input(key="acc_add_again").input(PASSWORD + "x")
    at.button(key="FormSubmitter:acc_add_form-Add the account").click().run()
    assert errors_shown(at) == [
        "The two passwords differ: nothing was changed. Type the same one twice."
    ]
    at.text_input(key="acc_add_again").input(PASSWORD)
    at.button(key="FormSubmitter:acc_add_form-Add the account").click().run()
    assert [plain(s.value) for s in at.success] == ["Added newbie as editor."]
    store = open_store(db)
    assert store.sign_in("newbie", PASSWORD)[0].role == "editor"

    at.selectbox(key="acc_role_name").select("newbie")
    at.selectbox(key="acc_role_role").select("viewer")
    at.button(key="FormSubmitter:acc_role_form-Change the role").click().run()
    listed = store.accounts(account=_operator()).set_index("name")["role"]
    assert listed["newbie"] == "viewer"

    # The last admin stays: the store's message is shown, nothing changes.
    at.selectbox(key="acc_role_name").select("ada")
    at.selectbox(key="acc_role_role").select("editor")
    at.button(key="FormSubmitter:acc_role_form-Change the role").click().run()
    assert errors_shown(at)[0].startswith("Role not changed: ada is the only admin")

    at.selectbox(key="acc_remove_name").select("newbie")
    at.button(key="FormSubmitter:acc_remove_form-Remove the account").click().run()
    assert "newbie" in store.accounts(account=_operator())["name"].tolist()  # not confirmed
    at.checkbox(key="acc_remove_sure").check()
    at.selectbox(key="acc_remove_name").select("newbie")
    at.button(key="FormSubmitter:acc_remove_form-Remove the account").click().run()
    assert "newbie" not in store.accounts(account=_operator())["name"].tolist()


def test_a_new_password_unlocks_a_locked_account(start, db):
    store = open_store(db)
    for _ in range(settings.LOCKOUT_AFTER):
        with pytest.raises(Exception, match="Wrong name or password"):
            store.sign_in("vi", "not the password")
    at = _accounts_page(start)
    at.selectbox(key="acc_pw_name").select("vi")
    at.text_input(key="acc_pw_password").input("a brand new passphrase")
    at.text_input(key="acc_pw_again").input("a brand new passphrase")
    at.button(key="FormSubmitter:acc_pw_form-Set the password (and unlock)").click().run()
    assert at.success[0].value.startswith("Set a new password for vi")
    assert store.sign_in("vi", "a brand new passphrase")[0].name == "vi"


def test_the_audit_log_is_shown_filtered_and_its_download_is_audited(start, db):
    at = _accounts_page(start)
    log = _table(at, "audit_table")
    assert log.iloc[0]["action"] == "sign_in" and log.iloc[0]["who"] == "ada"
    at.multiselect(key="audit_actions").select("account").run()
    shown = _table(at, "audit_table")
    assert set(shown["action"]) == {"account"} and len(shown) == 3  # ada, ed, vi were added
    at.download_button(key="audit_download").click().run()
    newest = open_store(db).audit_log(account=_operator(), limit=1).iloc[0]
    assert (newest["who"], newest["action"]) == ("ada", "export")
    assert newest["what"] == "audit log (csv, 3 entries)"


def test_the_audit_csv_holds_no_live_formula():
    import pandas as pd

    from coalition.dashboard.accounts_page import audit_csv

    text = audit_csv(pd.DataFrame({"who": ["=HYPERLINK(1)", "ana"], "what": ["@x", "-y"]}))
    assert text.decode().splitlines() == ["who,what", "'=HYPERLINK(1),'@x", "ana,'-y"]


# --- without accounts ---------------------------------------------------------------------------


@pytest.fixture
def plain_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "plain.db"
    open_store(path).replace_city(make_tiny_city())
    monkeypatch.setenv("COALITION_DB", str(path))
    return path


@pytest.fixture
def server_address():
    """Set Streamlit's server.address for one test (AppTest reads the checkout's 127.0.0.1)."""
    before = st_config.get_option("server.address")

    def set_to(value: str | None) -> None:
        st_config.set_option("server.address", value)

    yield set_to
    st_config.set_option("server.address", before)


def test_without_accounts_the_local_operator_sees_every_page(plain_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert registered(at) == {url_path for _, _, url_path in PAGES}  # the operator: an admin
    assert registered(at) >= ALL_PAGES
    assert not any(m.value.startswith("Signed in as") for m in at.sidebar.markdown)


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", None])
def test_without_accounts_a_server_others_can_reach_refuses(plain_db, server_address, address):
    server_address(address)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert titles(at) == ["Create an admin account first"]
    assert "coalition user add NAME --role admin" in errors_shown(at)[0]
    assert registered(at) == {"setup"}


def test_with_accounts_a_server_others_can_reach_asks_to_sign_in(start, server_address):
    server_address("0.0.0.0")
    assert titles(start()) == ["Sign in"]


def test_the_operator_adding_the_first_account_turns_sign_in_on(plain_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE_FILES["accounts"]).run()
    at.text_input(key="acc_add_name").input("ada")
    at.selectbox(key="acc_add_role").select("admin")
    at.text_input(key="acc_add_password").input(PASSWORD)
    at.text_input(key="acc_add_again").input(PASSWORD)
    at.button(key="FormSubmitter:acc_add_form-Add the account").click().run()
    assert titles(at) == ["Sign in"]
    assert at.info[0].value.startswith("Added ada as admin")
    assert open_store(plain_db).has_admin()


def _operator():
    from coalition.accounts import operator

    return operator("test")


def test_a_page_without_an_action_is_for_admins_only(monkeypatch):
    from coalition.dashboard import main

    monkeypatch.setattr(main, "PAGES", (*PAGES, ("new_page.py", "New", "new")))
    assert "new" not in [p[2] for p in main.shown_pages(Account("vi", "viewer"), True)]
    assert "new" not in [p[2] for p in main.shown_pages(Account("ed", "editor"), True)]
    assert "new" in [p[2] for p in main.shown_pages(Account("ada", "admin"), True)]
