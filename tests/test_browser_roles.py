"""Each role in a real (offline) Chromium, on a served store of the leaky fixture city.

A viewer, an editor and an admin (made with ``coalition user add … --password-stdin``) sign in
through the page, visit every page of their navigation, and try every way to what their role may
not use: each page's URL typed in the address bar, the page asked for by name over the page's own
WebSocket (what the browser sends for a typed URL), and widget actions captured in an editor's and
an admin's session and replayed in theirs. Then, read with the library:

- viewer: 0 changes (store version, accounts), 0 secret small counts in anything the browser
  received (on screen, in every frame, in every WebSocket message — tables cell by cell — and in
  every downloaded file), no removed record's name, no folder of this machine;
- editor: records a change (kept under its name), a person's details are refused (an SSN-like
  column in an import, an SSN in a form), no accounts page, no restore;
- admin: every page, adds an account on the Accounts page and restores a version.

Signing in: 5 wrong passwords lock the account (the page says so, the right password then fails
too); a session idle past its limit (its last use moved back in the store: no waiting) sends the
next click back to the sign-in page with the reason.

Drives Debian's ``chromium`` with Playwright (never ``playwright install``); one server and one
browser for the module, one browser context per person.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_wire import back_message
from harness import offline_browser, require_browser, running_server
from leak_scan import leaks
from signed_in import Visitor, add_user, new_visitor, settle
from streamlit.proto.BackMsg_pb2 import BackMsg

from coalition import accounts, edits, settings
from coalition.dashboard import PAGES
from coalition.ingest import read_city
from coalition.store import open_store

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEAKY = FIXTURES / "leaky_city"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT = 60_000
ERROR_BOX = '[data-testid="stAlertContentError"]'
PEOPLE = {
    # name: (role, password)
    "vera": ("viewer", "viewer passphrase one"),
    "eddie": ("editor", "editor passphrase two"),
    "erin": ("editor", "editor passphrase three"),
    "ada": ("admin", "admin passphrase four"),
    "lou": ("viewer", "lockout passphrase five"),
    "sam": ("viewer", "session passphrase six"),
}
# Pages by url path ('' is the default page, the overview), and the least role for each.
VIEWER_PAGES = {
    "",
    "network",
    "map",
    "gaps",
    "planner",
    "starter-kit",
    "data",
    "survey-results",
}
EDITOR_PAGES = {"record", "import", "history", "survey", "survey-rounds"}
ADMIN_PAGES = {"accounts"}
FORBIDDEN = {
    "viewer": EDITOR_PAGES | ADMIN_PAGES,
    "editor": ADMIN_PAGES,
    "admin": set(),
}
EXPECTED = {
    "viewer": VIEWER_PAGES,
    "editor": VIEWER_PAGES | EDITOR_PAGES,
    "admin": VIEWER_PAGES | EDITOR_PAGES | ADMIN_PAGES,
}
TITLES = {
    "": "the coalition at a glance",
    "record": "Record",
    "import": "Import",
    "history": "What changed",
    "accounts": "Accounts",
}
# A record entered by mistake and removed before anyone shared the city: a viewer never sees it.
MISTAKE = {"org_id": "mistake", "name": "Rosalind Quarrington-Mistake"}
SSN = "219-09-9999"


# --- the secret values of the leaky city (tests/fixtures/leaky_city/README.md) ------------------


def secret_leaks(texts: list[str]) -> list[str]:
    """Every place where a small count of the leaky city shows (or can be derived)."""
    return leaks(texts)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_browser()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    """The leaky city in a store, a record added and removed by mistake, then the accounts."""
    import sys

    sys.path.insert(0, str(LEAKY))
    folder = tmp_path_factory.mktemp("roles")
    db = folder / "roles.db"
    store = open_store(db)
    store.replace_city(read_city(LEAKY))
    city = store.read_city()
    added = edits.add(
        city,
        "organizations",
        {
            "org_id": MISTAKE["org_id"],
            "name": MISTAKE["name"],
            "sector": "nonprofit",
            "orientation": "both",
            "source": "working session",
            "source_date": "2026-11",
            "illustrative": "no",
        },
    )
    store.apply(added, what=f"Added {MISTAKE['name']}", who="setup")
    city = store.read_city()
    store.apply(
        edits.retire(
            city,
            "organizations",
            MISTAKE["org_id"],
            reason="a person, not an organization",
            on="2026-11-30",
        ),
        what="Removed a record made by mistake",
        who="setup",
    )
    for name, (role, password) in PEOPLE.items():
        done = add_user(db, name, role, password)
        assert done.returncode == 0, done.stdout + done.stderr
        assert password not in done.stdout + done.stderr
    return db


@pytest.fixture(scope="module")
def server(store_path):
    with running_server(store_path, log_dir=store_path.parent, guarded=True) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with offline_browser() as (context, _, _recorder):
        yield context.browser


def operator():
    return accounts.operator("test")


def version(store_path: Path) -> int:
    return open_store(store_path).version()


def signed_in(browser, server, name: str) -> Visitor:
    visitor = new_visitor(browser, server.url)
    visitor.open()
    visitor.sign_in(name, PEOPLE[name][1])
    visitor.name = name
    role = PEOPLE[name][0]
    visitor.page.get_by_text(f"Signed in as {name} ({role})").first.wait_for(timeout=TIMEOUT)
    return visitor


def title_of(path: str) -> str:
    if path in TITLES:
        return TITLES[path]
    for entry in PAGES:
        if entry[2] == path:
            return entry[1]
    return path


def ask_for_page(visitor: Visitor, path: str) -> None:
    """Ask the server for a page by name over the page's own WebSocket (as a typed URL does)."""
    message = BackMsg()
    message.rerun_script.page_name = path
    message.rerun_script.query_string = ""
    visitor.tap.send_and_wait(visitor.page, message.SerializeToString())
    settle(visitor.page)


def replay(visitor: Visitor, messages: list[bytes]) -> None:
    for data in messages:
        visitor.tap.send_and_wait(visitor.page, data)
    settle(visitor.page)


def reruns_since(visitor: Visitor, mark: int) -> list[bytes]:
    return [m for m in visitor.tap.sent[mark:] if back_message(m).HasField("rerun_script")]


def visit_everything(visitor: Visitor, problems: list[str], *, download: bool = False) -> list[str]:
    """Click every page of the navigation (and download every file offered, when
    ``download``). Returns the texts seen.

    What goes wrong on a page (not drawn, an exception, an error message) is added to
    ``problems``, and the visit goes on to the next page, so one run lists every problem.
    """
    seen = []
    for path in sorted(visitor.nav_paths()):
        where = f"{visitor.name} on {path or 'overview'}"
        started = time.monotonic()
        try:
            visitor.click_nav(path, title_of(path))
        except Exception as exc:  # Playwright's TimeoutError: the page never finished drawing
            problems.append(f"{where}: not drawn ({str(exc).splitlines()[0]})")
        finally:
            shot(visitor, path or "overview")
        if visitor.exceptions():
            problems.append(f"{where}: an exception")
        errors = visitor.page.locator(ERROR_BOX)
        problems += [f"{where}: {errors.nth(i).inner_text()}" for i in range(errors.count())]
        seen.append(visitor.visible_text())
        if download and visitor.page.locator('[data-testid="stDownloadButton"]').count():
            try:
                visitor.download_all()
            except Exception as exc:
                problems.append(f"{where}: a download failed ({str(exc).splitlines()[0]})")
        print(f"{where}: {time.monotonic() - started:.1f} s")  # shown with -s or on failure
    return seen


def choose_earlier_version(visitor: Visitor) -> None:
    """On the What changed page, choose the version before the current one."""
    page = visitor.page
    page.get_by_label("Version", exact=True).first.click()
    page.get_by_role("option").nth(1).click()
    settle(page)


def tracebacks(server) -> str:
    """The server's tracebacks, if any (to say why a page showed an exception)."""
    log = server.log_path.read_text(errors="replace")
    found = [part[:3000] for part in log.split("Traceback")[1:]]
    return "\n\nServer tracebacks:\nTraceback" + "\nTraceback".join(found) if found else ""


def shot(visitor: Visitor, what: str) -> None:
    """A screenshot of the page in tests/artifacts/ (git-ignored), named after who and what."""
    ARTIFACTS.mkdir(exist_ok=True)
    who = visitor.name or "signed-out"
    visitor.page.screenshot(path=str(ARTIFACTS / f"roles-{who}-{what}.png"), full_page=True)


@dataclass
class Capture:
    """Widget actions captured in a session that was allowed to write, and what they wrote."""

    messages: list[bytes]
    versions: tuple[int, int] = (0, 0)
    notes: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def editor_capture(browser, server, store_path) -> Capture:
    """An editor changes an organization's name on the Record page; the widget actions are kept.

    The change is then undone with the library, so a replay that got through would show as a new
    version.
    """
    editor = signed_in(browser, server, "eddie")
    try:
        before = version(store_path)
        mark = len(editor.tap.sent)
        editor.click_nav("record", "Record")
        assert editor.page.get_by_text("Your name (kept with every change").count() == 0
        editor.page.get_by_text("Change", exact=True).click()
        name_field = editor.page.get_by_label("Name", exact=True)
        name_field.wait_for(timeout=TIMEOUT)
        settle(editor.page)
        editor.page.wait_for_function(  # the form has read its record
            "() => [...document.querySelectorAll('input')]"
            ".some(i => i.getAttribute('aria-label') === 'Name' && i.value !== '')",
            timeout=TIMEOUT,
        )
        old_name = name_field.input_value()
        assert old_name in {"Ashgrove Clinic", "Brookside Library"}, old_name
        name_field.fill(f"{old_name} Renamed")
        editor.page.get_by_role("button", name="Save the changes").click()
        settle(editor.page)
        editor.page.get_by_text(f"Saved: Changed {old_name} Renamed").wait_for(timeout=TIMEOUT)
        after = version(store_path)
        messages = reruns_since(editor, mark)
    finally:
        editor.close()
    store = open_store(store_path)
    org = store.read_city().tables["organizations"]
    key = org.loc[org["name"] == f"{old_name} Renamed", "org_id"].iloc[0]
    store.apply(
        edits.change(store.read_city(), "organizations", key, {"name": old_name}),
        what="test: back to the old name",
        account=operator(),
    )
    return Capture(messages, (before, after), {"old_name": old_name, "key": key})


@pytest.fixture(scope="module")
def admin_capture(browser, server, store_path) -> Capture:
    """An admin adds an account on the Accounts page; the widget actions are kept.

    The account is then removed with the library, so a replay that got through would bring it
    back.
    """
    admin = signed_in(browser, server, "ada")
    try:
        mark = len(admin.tap.sent)
        admin.click_nav("accounts", "Accounts")
        page = admin.page
        form = page.locator('[data-testid="stForm"]').filter(has_text="Add an account")
        form.get_by_label(re.compile("^Name")).fill("newcomer")
        form.get_by_label(re.compile("^Password")).fill("newcomer passphrase")
        form.get_by_label("The same password again").fill("newcomer passphrase")
        form.get_by_role("button", name="Add the account").click()
        settle(page)
        shot(admin, "accounts-added")
        messages = reruns_since(admin, mark)
    finally:
        admin.close()
    store = open_store(store_path)
    names = set(store.accounts(account=operator())["name"])
    assert "newcomer" in names, "the admin could not add an account on the Accounts page"
    store.remove_account("newcomer", account=operator())
    return Capture(messages, notes={"added": True})


# --- signed out -----------------------------------------------------------------------------


def test_signed_out_every_url_is_the_sign_in_page_and_no_data_is_sent(browser, server):
    city = read_city(LEAKY)
    names = list(city.tables["organizations"]["name"]) + list(city.tables["communities"]["name"])
    visitor = new_visitor(browser, server.url)
    try:
        for path in sorted(EXPECTED["admin"]):
            visitor.open(path)
            assert visitor.nav_paths() <= {"", path}, visitor.nav_paths()
            if path:
                assert not visitor.heading_shown(title_of(path)), path
            received = visitor.received_text()
            assert not [name for name in names if name in received], path
        assert visitor.recorder.blocked == [] and visitor.recorder.dialogs == []
    finally:
        visitor.close()


# --- viewer -----------------------------------------------------------------------------------


def test_viewer_changes_nothing_and_sees_no_small_count(
    browser, server, store_path, editor_capture, admin_capture
):
    store = open_store(store_path)
    before = store.version()
    accounts_before = store.accounts(account=operator())[["name", "role"]].to_dict("records")
    viewer = signed_in(browser, server, "vera")
    try:
        nav = viewer.nav_paths()
        assert nav >= VIEWER_PAGES and not nav & FORBIDDEN["viewer"], nav
        problems: list[str] = []
        seen = visit_everything(viewer, problems, download=True)
        if not viewer.downloads:
            problems.append("vera on data: no downloads offered to a viewer")

        # The browser asks for a page by name (a typed URL): allowed works, the others do not.
        ask_for_page(viewer, "data")
        assert viewer.heading_shown("Data"), "asking for a page by name reaches it"
        for path in sorted(FORBIDDEN["viewer"]):
            ask_for_page(viewer, path)
            assert not viewer.heading_shown(title_of(path)), path
            seen.append(viewer.visible_text())

        # Widget actions of an editor (a saved change) and an admin (a new account), replayed.
        replay(viewer, editor_capture.messages + admin_capture.messages)
        assert viewer.exceptions() == 0
        seen.append(viewer.visible_text())
        received = viewer.received_text()
        downloaded = viewer.download_texts()
        assert viewer.recorder.blocked == [] and viewer.recorder.dialogs == []
    finally:
        viewer.close()

    # Every forbidden page's URL typed in a fresh tab, then signing in there.
    for path in sorted(FORBIDDEN["viewer"]):
        typed = new_visitor(browser, server.url)
        try:
            typed.open(path)
            typed.sign_in("vera", PEOPLE["vera"][1])
            assert not typed.heading_shown(title_of(path)), path
            assert typed.nav_paths() & FORBIDDEN["viewer"] == set()
        finally:
            typed.close()

    store = open_store(store_path)
    assert store.version() == before, "a viewer changed the city"
    after = store.accounts(account=operator())[["name", "role"]].to_dict("records")
    assert after == accounts_before, "a viewer changed the accounts"
    # The readers read: names and figures a viewer may see are there.
    assert "Brookside Library" in received and ("1,532" in received or "1532" in received)
    if downloaded:  # (none offered is one of the problems below)
        assert "Andean families" in downloaded
        assert "population=1532" in downloaded.replace(".0\n", "\n")
    found = secret_leaks([*seen, received, downloaded])
    assert found == [], "a viewer can read or derive a small count:\n" + "\n".join(found)
    everything = "\n".join([*seen, received, downloaded])
    assert MISTAKE["name"] not in everything, "a removed record reached a viewer"
    assert str(store_path.parent) not in everything, "a folder of this machine reached a viewer"
    assert problems == [], "\n".join(problems) + tracebacks(server)


# --- editor -----------------------------------------------------------------------------------


def test_editor_records_but_reaches_no_accounts_and_no_restore(
    browser, server, store_path, editor_capture, admin_capture
):
    before, after = editor_capture.versions
    assert after == before + 1, "the editor's change was saved as one version"
    store = open_store(store_path)
    history = store.versions(account=operator())
    saved = history[history["version"] == after].iloc[0]
    assert saved["who"] == "eddie"

    editor = signed_in(browser, server, "eddie")
    try:
        nav = editor.nav_paths()
        assert EXPECTED["editor"] <= nav and not nav & FORBIDDEN["editor"], nav
        problems: list[str] = []
        visit_everything(editor, problems)
        assert problems == [], "\n".join(problems) + tracebacks(server)
        # History: the versions, but no restore for an editor.
        editor.click_nav("history", title_of("history"))
        choose_earlier_version(editor)
        editor.page.get_by_text("An admin can restore an earlier version.").wait_for(
            timeout=TIMEOUT
        )
        assert editor.page.get_by_role("button", name=re.compile("^Restore")).count() == 0
        # An import with an SSN-like column is refused, and nothing is saved.
        v0 = store.version()
        editor.click_nav("import", "Import")
        mark = editor.tap.mark()
        editor.page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[
                {
                    "name": "organizations.csv",
                    "mimeType": "text/csv",
                    "buffer": (
                        "org_id,name,sector,orientation,ssn,source,source_date,illustrative\n"
                        f"newone,New One,nonprofit,both,{SSN},session,2026-11,no\n"
                    ).encode(),
                }
            ]
        )
        settle(editor.page)
        editor.page.locator(ERROR_BOX).first.wait_for(timeout=TIMEOUT)
        for _ in range(TIMEOUT // 250):  # the problems' table comes after the message
            if re.search("Social Security", editor.received_text(mark), re.I):
                break
            editor.page.wait_for_timeout(250)
        assert re.search("Social Security", editor.received_text(mark), re.I)
        assert "1 problem(s)" in editor.received_text(mark), "refused for the SSN column alone"
        assert editor.page.get_by_role("button", name=re.compile("^Apply")).count() == 0
        assert store.version() == v0
        assert SSN not in editor.visible_text(), "the refused value is masked in the message"
        # The same number typed in a form's notes is refused too.
        editor.click_nav("record", "Record")
        editor.page.get_by_text("Change", exact=True).click()
        notes = editor.page.get_by_label("Notes", exact=True)
        notes.wait_for(timeout=TIMEOUT)
        settle(editor.page)
        notes.fill(f"client SSN {SSN}")
        editor.page.get_by_role("button", name="Save the changes").click()
        settle(editor.page)
        editor.page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=TIMEOUT)
        assert store.version() == v0

        # An admin's widget actions (a new account) and the accounts page by name: refused.
        ask_for_page(editor, "accounts")
        assert not editor.heading_shown("Accounts")
        replay(editor, admin_capture.messages)
        assert editor.exceptions() == 0
        assert editor.recorder.blocked == [] and editor.recorder.dialogs == []
    finally:
        editor.close()

    typed = new_visitor(browser, server.url)
    try:
        typed.open("accounts")
        typed.sign_in("eddie", PEOPLE["eddie"][1])
        assert not typed.heading_shown("Accounts")
    finally:
        typed.close()
    assert "newcomer" not in set(store.accounts(account=operator())["name"])
    assert store.version() == v0, "nothing an editor may not do was saved"
    stored = store.read_city(include_retired=True, account=operator()).tables
    assert not [
        name
        for name, table in stored.items()
        if table.astype(str).apply(lambda column: column.str.contains(SSN, regex=False)).any().any()
    ], "a forbidden value was stored"


def test_replayed_editor_actions_do_write_for_another_editor(
    browser, server, store_path, editor_capture
):
    """The replays above are real: the same messages in another editor's session save again."""
    v0 = version(store_path)
    other = signed_in(browser, server, "erin")
    try:
        replay(other, editor_capture.messages)
    finally:
        other.close()
    assert version(store_path) > v0


# --- admin ------------------------------------------------------------------------------------


def test_admin_reaches_everything_and_restores(browser, server, store_path, admin_capture):
    assert admin_capture.notes["added"]
    admin = signed_in(browser, server, "ada")
    try:
        nav = admin.nav_paths()
        assert EXPECTED["admin"] <= nav, nav
        problems: list[str] = []
        visit_everything(admin, problems)
        assert problems == [], "\n".join(problems) + tracebacks(server)
        admin.click_nav("history", title_of("history"))
        v0 = version(store_path)
        choose_earlier_version(admin)
        admin.page.get_by_role("button", name=re.compile("^Restore version")).first.click()
        settle(admin.page)
        admin.page.get_by_role("button", name=re.compile("^Yes, restore")).first.click()
        # The page says so once the restore is saved: wait for that, not for a fixed time (a
        # loaded machine may not have started the script run when settle() looks).
        admin.page.get_by_text(re.compile(r"^Restored version \d+ as version")).first.wait_for(
            timeout=TIMEOUT
        )
        assert version(store_path) == v0 + 1
        assert admin.exceptions() == 0
        assert admin.recorder.blocked == [] and admin.recorder.dialogs == []
    finally:
        admin.close()
    history = open_store(store_path).versions(account=operator())
    assert history.iloc[0]["who"] == "ada"


# --- signing in ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account(browser, server, store_path):
    visitor = new_visitor(browser, server.url)
    try:
        visitor.open()
        for _ in range(settings.LOCKOUT_AFTER):
            visitor.sign_in("lou", "not the passphrase", expect_success=False)
            visitor.page.get_by_text("Wrong name or password.").first.wait_for(timeout=TIMEOUT)
        visitor.sign_in("lou", PEOPLE["lou"][1], expect_success=False)
        visitor.page.get_by_text(re.compile("This account is locked")).first.wait_for(
            timeout=TIMEOUT
        )
        assert visitor.page.get_by_text("Signed in as lou").count() == 0
        assert visitor.nav_paths() <= {""}
    finally:
        visitor.close()
    log = open_store(store_path).audit_log(account=operator())
    assert ((log["who"] == "lou") & (log["action"] == "locked")).sum() == 1


def test_an_idle_session_ends_at_the_next_click(browser, server, store_path):
    visitor = signed_in(browser, server, "sam")
    try:
        idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1)
        long_ago = (dt.datetime.now(dt.UTC) - idle).isoformat(timespec="seconds")
        with sqlite3.connect(store_path) as connection:
            moved = connection.execute(
                "UPDATE sessions SET last_seen = ? WHERE name = 'sam'", (long_ago,)
            ).rowcount
        assert moved == 1
        visitor.page.locator('[data-testid="stSidebarNavLink"]').nth(1).click()
        settle(visitor.page)
        visitor.page.get_by_text(re.compile("session ended", re.I)).first.wait_for(timeout=TIMEOUT)
        visitor.page.get_by_label("Password", exact=True).wait_for(timeout=TIMEOUT)
        assert visitor.page.get_by_text("Signed in as sam").count() == 0
    finally:
        visitor.close()
