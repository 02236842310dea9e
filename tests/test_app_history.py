"""The "What changed" page (editors and admins) and what a viewer gets instead (issue 9).

Driven with AppTest on the tiny and hostile cities.

Tiny city by hand (tests/tiny_city.py): 4 partnerships, Lonely Shop isolated, one active
committee (Alder) reaching 400 of 1,000 foreign-born residents; Cedar's committee (300) forming.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import ingest
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DATA_PAGE = "coalition/dashboard/data_page.py"
HISTORY_PAGE = "coalition/dashboard/history_page.py"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile_city"
TIMEOUT = 120
PARTNERSHIP = {
    "source_id": "clinic",
    "target_id": "lonely",
    "tie_type": "partnership",
    "source": "working session",
    "source_date": "2026-11",
    "illustrative": "no",
}
HOSTILE_RAW = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "![pic](https://example.com/x.png)",
    "[click](javascript:alert(1))",
)


def activate_cedar(city):
    committees = city.tables["committees"].copy()
    committees.loc[committees["committee_id"] == "wc-cedar", "status"] = "active"
    return dataclasses.replace(city, tables={**city.tables, "committees": committees})


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "history.db"
    open_store(path).replace_city(make_tiny_city())
    return path


def record(db: Path) -> None:
    open_store(db).update(
        lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]),
        what="Recorded: Dogwood Clinic — works with — Lonely Shop",
    )


def open_data_page(monkeypatch, db: Path, page: str = HISTORY_PAGE) -> AppTest:
    """The history page (the data page with ``page=DATA_PAGE``), as the operator (no accounts)."""
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def page_text(at: AppTest) -> str:
    """Markdown, captions and alerts with the markdown escapes removed."""
    parts = [str(e.value) for kind in ("markdown", "caption", "info") for e in at.get(kind)]
    return "\n".join(parts).replace("\\", "")


def metric(at: AppTest, label: str) -> tuple[str, str | None]:
    found = [(m.value, m.delta) for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def test_a_recorded_tie_appears_as_a_sentence(monkeypatch, db):
    record(db)
    at = open_data_page(monkeypatch, db)
    since = at.selectbox(key="changes_since")
    assert since.options == [
        "version 1 — " + since.options[0].split(" — ")[1] + " — loaded Tiny Town"
    ]
    since.set_value(1).run()
    assert not at.exception
    assert "- Dogwood Clinic and Lonely Shop started working together." in page_text(at)
    assert metric(at, "Partnerships") == ("5", "+1 (was 4)")
    assert metric(at, "Isolated organizations") == ("0", "-1 (was 1)")
    assert metric(at, "Active welcoming committees") == ("1", "")  # unchanged: no delta
    table = at.dataframe[0].value
    assert table.to_dict("records") == [
        {
            "Change": "Added",
            "In": "Ties",
            "Who": "Dogwood Clinic – Lonely Shop",
            "What changed": "Dogwood Clinic and Lonely Shop started working together.",
        }
    ]


def test_an_earlier_version_shows_every_change_since_then(monkeypatch, db):
    record(db)
    open_store(db).update(activate_cedar, what="Cedar's committee is active")
    at = open_data_page(monkeypatch, db)
    since = at.selectbox(key="changes_since")
    assert [label.split(" — ", 2)[2] for label in since.options] == [
        "Recorded: Dogwood Clinic — works with — Lonely Shop",
        "loaded Tiny Town",
    ]
    assert "Cedar Welcoming Committee became active" in page_text(at)  # default: previous
    assert "started working together" not in page_text(at)
    since.set_value(1).run()
    text = page_text(at)
    assert (
        "- Cedar Welcoming Committee became active (it was forming): 300 more foreign-born "
        "residents of Cedar are reached (40% -> 70%)."
    ) in text
    assert "- Dogwood Clinic and Lonely Shop started working together." in text
    assert metric(at, "Share of foreign-born residents reached") == ("70%", "+30 points (was 40%)")
    assert metric(at, "Foreign-born residents reached") == ("700", "+300 (was 400)")


def test_the_table_filters_by_words(monkeypatch, db):
    record(db)
    open_store(db).update(activate_cedar, what="Cedar's committee is active")
    at = open_data_page(monkeypatch, db)
    at.selectbox(key="changes_since").set_value(1).run()
    assert len(at.dataframe[0].value) == 2
    at.text_input(key="changes_filter").set_value("cedar").run()
    assert at.dataframe[0].value["In"].tolist() == ["Welcoming committees"]
    at.text_input(key="changes_filter").set_value("no such words").run()
    assert at.dataframe[0].value.empty


def test_no_change_says_so(monkeypatch, db):
    open_store(db).update(lambda city: city, what="Saved again")
    at = open_data_page(monkeypatch, db)
    assert "Nothing changed between the two versions" in page_text(at)
    assert not at.dataframe[0].value.empty  # the sources table only: no table of changes
    assert "Change" not in at.dataframe[0].value.columns


def test_the_first_version_has_nothing_to_compare(monkeypatch, db):
    at = open_data_page(monkeypatch, db)
    assert "nothing to compare with yet" in page_text(at)
    assert "changes_since" not in [s.key for s in at.selectbox]


def test_hostile_names_in_changes_stay_text(monkeypatch, tmp_path):
    path = tmp_path / "hostile.db"
    store = open_store(path)
    store.replace_city(ingest.read_city(HOSTILE))
    store.update(
        lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]),
        what="Recorded: <script>alert(1)</script> ![pic](https://example.com/x.png)",
    )
    at = open_data_page(monkeypatch, path)
    body = "\n".join(str(e.value) for kind in ("markdown", "caption", "info") for e in at.get(kind))
    assert "started working together" in body
    for raw in HOSTILE_RAW:
        assert raw not in body, raw
    assert "Clinic \\!\\[pic\\]" in body  # shown, escaped


# --- meetings, versions, restore, backup ---------------------------------------------------------


def partnerships(db: Path) -> int:
    ties = open_store(db).read_city().tables["ties"]
    return int((ties["tie_type"] == "partnership").sum())


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}; have {[b.label for b in at.button]}"
    return found[0]


def download_labels(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def test_since_the_last_meeting_is_the_default(monkeypatch, db):
    store = open_store(db)
    store.name_meeting("Kick-off", 1)
    record(db)  # version 2
    store.name_meeting("March convening", 2)
    open_store(db).update(activate_cedar, what="Cedar's committee is active")  # version 3
    at = open_data_page(monkeypatch, db)
    since = at.selectbox(key="changes_since")
    assert [label.split(" (version")[0] for label in since.options[:2]] == [
        "Since the last meeting: March convening",
        "Meeting: Kick-off",
    ]
    assert [label.split(" — ")[0] for label in since.options[2:]] == ["version 2", "version 1"]
    assert since.value == "March convening"
    text = page_text(at)
    assert "Cedar Welcoming Committee became active" in text
    assert "started working together" not in text  # that was before the March convening
    # What the changes did: Cedar is reached and leaves the candidates (tests/test_history.py).
    assert "- Cedar (300 foreign-born residents) is now reached by an active welcoming" in text
    since.set_value("Kick-off").run()
    assert "- Dogwood Clinic and Lonely Shop started working together." in page_text(at)
    assert (
        "- Dogwood Clinic is now a broker: its 2 partners (Birch Legal Aid and Lonely Shop) "
        "count as 2.0 independent contacts (effective size; it was 1.0)."
    ) in page_text(at)


def test_naming_a_meeting_from_the_page(monkeypatch, db):
    record(db)
    at = open_data_page(monkeypatch, db)
    at.session_state["editor_name"] = "Ana"
    assert at.selectbox(key="history_version").value == 2  # the current version first
    at.text_input(key="meeting_name").input("March   convening")
    button(at, "Name this version as a meeting").click().run()
    assert not at.exception
    meetings = open_store(db).meetings()
    assert meetings[["name", "version", "who"]].values.tolist() == [["March convening", 2, "Ana"]]
    assert any("Version 2 is now the meeting" in s.value for s in at.success)
    # The versions table shows it, and the picker offers it (comparing with itself: nothing).
    table = next(d.value for d in at.dataframe if "Meeting" in d.value.columns)
    assert table["Meeting"].tolist() == ["March convening", ""]
    since = at.selectbox(key="changes_since")
    assert since.options[0].startswith("Since the last meeting: March convening (version 2")


def test_a_meeting_named_with_a_number_only_is_refused(monkeypatch, db):
    at = open_data_page(monkeypatch, db)
    at.text_input(key="meeting_name").input("12")
    button(at, "Name this version as a meeting").click().run()
    assert any("a number alone would read as a version" in e.value for e in at.error)
    assert open_store(db).meetings().empty


def test_restore_asks_first_then_adds_a_version_with_the_data_back(monkeypatch, db):
    record(db)  # version 2: 5 partnerships
    at = open_data_page(monkeypatch, db)
    at.session_state["editor_name"] = "Ana"
    at.selectbox(key="history_version").set_value(1).run()
    at.button(key="restore_version").click().run()
    assert open_store(db).version() == 2  # asked, not done
    assert any("Restore version 1?" in w.value for w in at.warning)
    at.button(key="restore_confirm").click().run()
    assert not at.exception
    store = open_store(db)
    assert store.version() == 3 and partnerships(db) == 4
    latest = store.versions().iloc[0]
    assert (latest["kind"], latest["who"]) == ("restore", "Ana")
    assert any("Restored version 1 as version 3" in s.value for s in at.success)
    table = next(d.value for d in at.dataframe if "Kind" in d.value.columns)
    assert table[["Version", "Who", "Kind"]].values.tolist()[0] == [
        "3 (current)",
        "Ana",
        "Restored",
    ]


def test_restore_can_be_cancelled(monkeypatch, db):
    record(db)
    at = open_data_page(monkeypatch, db)
    at.selectbox(key="history_version").set_value(1).run()
    at.button(key="restore_version").click().run()
    at.button(key="restore_cancel").click().run()
    assert open_store(db).version() == 2 and partnerships(db) == 5
    assert not [w for w in at.warning if "Restore version" in w.value]


def test_the_current_version_offers_no_restore(monkeypatch, db):
    record(db)
    at = open_data_page(monkeypatch, db)
    assert "restore_version" not in [b.key for b in at.button]
    assert "is the current data" in page_text(at)


def test_backup_is_offered_and_its_bytes_are_the_store(monkeypatch, db, tmp_path):
    from coalition.dashboard import history_page

    record(db)
    at = open_data_page(monkeypatch, db)
    assert "Download a backup" in download_labels(at)
    data = history_page.backup_bytes(open_store(db))
    assert data.startswith(b"SQLite format 3\x00")
    copy = tmp_path / "copy.db"
    copy.write_bytes(data)
    restored = open_store(copy, must_exist=True)
    assert restored.version() == 2 and restored.versions()["version"].tolist() == [2, 1]
    assert partnerships(copy) == 5
    assert history_page.backup_file_name("Tiny Town", dt.date(2026, 11, 30)) == (
        "coalition-tiny-town-2026-11-30.db"
    )


def test_read_only_hides_every_control_that_writes(monkeypatch, db):
    monkeypatch.setenv("COALITION_READ_ONLY", "1")
    record(db)
    at = open_data_page(monkeypatch, db)
    assert at.selectbox(key="changes_since").options  # comparing is reading: still there
    # the sidebar's language switch writes nothing (a browser cookie): every other select is gone
    assert [s.key for s in at.selectbox if s.key != "language"] == ["changes_since"]
    assert "meeting_name" not in [t.key for t in at.text_input]
    assert not [b for b in at.button if "restore" in str(b.key) or "meeting" in str(b.key)]
    assert "Download a backup" not in download_labels(at)
    assert any("Meeting" in d.value.columns for d in at.dataframe)  # the versions list stays


def test_machine_paths_are_not_shown(monkeypatch, tmp_path):
    path = tmp_path / "paths.db"
    city = make_tiny_city()
    store = open_store(path)
    store.replace_city(dataclasses.replace(city, meta={"source_dir": "/home/secret/cities/tiny"}))
    record(path)
    at = open_data_page(monkeypatch, path)
    shown = "\n".join(
        [page_text(at)]
        + [o for s in at.selectbox for o in s.options]
        + [d.value.to_csv() for d in at.dataframe]
    )
    assert "secret" not in shown and "/home" not in shown
    assert "loaded from tiny" in shown
    data = open_data_page(monkeypatch, path, DATA_PAGE)
    assert "from the folder tiny" in page_text(data)
    assert "secret" not in page_text(data) and "/home" not in page_text(data)


def test_hostile_meeting_and_editor_names_stay_text(monkeypatch, db):
    hostile = "<script>alert(1)</script> ![pic](https://example.com/x.png)"
    store = open_store(db)
    store.name_meeting(hostile, 1, who="[click](javascript:alert(1))")
    record(db)
    at = open_data_page(monkeypatch, db)
    at.text_input(key="meeting_name").input(f"Also {hostile}")
    button(at, "Name this version as a meeting").click().run()
    assert not at.exception
    body = "\n".join(
        str(e.value) for kind in ("markdown", "success", "caption") for e in at.get(kind)
    )
    for raw in HOSTILE_RAW:
        assert raw not in body, raw
    assert "Version 2 is now the meeting" in body.replace("\\", "")
    since = at.selectbox(key="changes_since")
    assert since.options[1].startswith(f"Meeting: {hostile} (version 1")  # plain text option


# --- who sees the history, and what each role downloads (issue 9) -------------------------------
# A store with accounts: its operator could do anything, so every screen signs in. A record
# named by mistake ("Mistaken Person Name") was added then removed: it lives in the history only.

PASSWORD = "correct horse battery"
MISTAKE = "Mistaken Person Name"
VISIBLE = ("markdown", "caption", "info", "warning", "success", "error", "title", "header")


@pytest.fixture
def shared(tmp_path) -> Path:
    """A shared store: the tiny city loaded from a folder deep in tmp_path, accounts of every
    role, a partnership recorded and a mistaken organization added then removed."""
    from coalition import accounts, edits

    path = tmp_path / "shared.db"
    store = open_store(path)
    folder = tmp_path / "machine-only" / "tiny"
    store.replace_city(dataclasses.replace(make_tiny_city(), meta={"source_dir": str(folder)}))
    record(path)
    city = store.read_city()
    added = edits.add(
        city,
        "organizations",
        {
            "org_id": "mistake",
            "name": MISTAKE,
            "sector": "other",
            "orientation": "both",
            "neighborhood": "alder",
            "source": "working session",
            "source_date": "2026-11",
        },
    )
    store.apply(added, what=f"Added: {MISTAKE}")
    city = store.read_city()
    store.apply(
        edits.retire(
            city, "organizations", "mistake", reason="recorded by mistake", on="2026-11-30"
        ),
        what="Removed an organization",
    )
    store.add_account("ada", PASSWORD, "admin")
    operator = accounts.operator()
    store.add_account("ed", PASSWORD, "editor", account=operator)
    store.add_account("vi", PASSWORD, "viewer", account=operator)
    return path


def signed_in(monkeypatch, db: Path, name: str, page: str) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(db))
    _, token = open_store(db).sign_in(name, PASSWORD)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["session_token"] = token
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def visible_text(at: AppTest) -> str:
    """Every text a person can read on the page (escapes removed), tables and options included."""
    parts = [str(e.value) for kind in VISIBLE for e in at.get(kind)]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [str(o) for s in at.selectbox for o in s.options]
    parts += [str(b.label) for b in at.button] + download_labels(at)
    return "\n".join(parts).replace("\\", "")


def download_keys(at: AppTest) -> list[str]:
    return [d.proto.id.rsplit("-", 1)[-1] for d in at.get("download_button")]


def test_a_viewer_gets_no_history_page(monkeypatch, shared):
    # First guard: the page is not registered for a viewer (its address leads nowhere).
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        signed_in(monkeypatch, shared, "vi", HISTORY_PAGE)
    # Second guard: its script, run directly, refuses.
    at = AppTest.from_file(str(ROOT / HISTORY_PAGE), default_timeout=TIMEOUT)
    at.session_state["session_token"] = open_store(shared).sign_in("vi", PASSWORD)[1]
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] and "Only an editor or an admin" in at.error[0].value
    assert not at.dataframe and not at.selectbox and not at.get("download_button")
    assert MISTAKE not in visible_text(at)


def test_a_viewer_data_page_has_no_history_no_exact_download_no_machine_path(
    monkeypatch, shared, tmp_path
):
    at = signed_in(monkeypatch, shared, "vi", DATA_PAGE)
    text = visible_text(at)
    assert "What changed" not in text and "Versions and meetings" not in text
    assert MISTAKE not in text
    assert str(tmp_path) not in text and "machine-only" not in text
    assert "from the folder tiny" in text  # its last part only
    keys = download_keys(at)
    assert len(keys) == 6 and all(k.startswith("download_public_") for k in keys)
    assert "Download a backup" not in download_labels(at)


def test_a_viewer_other_pages_show_no_machine_path_and_no_removed_name(
    monkeypatch, shared, tmp_path
):
    for page in ("overview.py", "gaps.py", "planner.py", "network.py", "map.py"):
        at = signed_in(monkeypatch, shared, "vi", f"coalition/dashboard/{page}")
        text = visible_text(at)
        assert str(tmp_path) not in text and "machine-only" not in text, page
        assert MISTAKE not in text, page
        assert "net_since" not in [s.key for s in at.selectbox], page  # no changes since
        assert "map_since" not in [s.key for s in at.selectbox], page


def test_an_editor_sees_the_history_and_takes_exact_tables_only(monkeypatch, shared):
    at = signed_in(monkeypatch, shared, "ed", HISTORY_PAGE)
    assert not at.error
    text = visible_text(at)
    assert "What changed" in text and "not for sharing" in text
    assert at.selectbox(key="changes_since").options
    assert "meeting_name" in [t.key for t in at.text_input]  # naming a meeting is editing
    assert "restore_version" not in [b.key for b in at.button]  # restoring is an admin's
    assert "Download a backup" not in download_labels(at)
    data = signed_in(monkeypatch, shared, "ed", DATA_PAGE)
    keys = download_keys(data)
    assert sorted(k for k in keys if k.startswith("download_exact_")) == [
        "download_exact_csv",
        "download_exact_xlsx",
    ]
    assert any("not for sharing" in str(s.value) for s in data.subheader)


def test_an_editor_is_offered_changes_since_on_the_network(monkeypatch, shared):
    at = signed_in(monkeypatch, shared, "ed", "coalition/dashboard/network.py")
    assert "net_since" in [s.key for s in at.selectbox]


def test_an_admin_takes_the_full_export_restores_and_backs_up(monkeypatch, shared):
    data = signed_in(monkeypatch, shared, "ada", DATA_PAGE)
    keys = download_keys(data)
    assert len(keys) == 12 and sum(k.startswith("download_exact_") for k in keys) == 6
    history = signed_in(monkeypatch, shared, "ada", HISTORY_PAGE)
    assert "Download a backup" in download_labels(history)
    history.selectbox(key="history_version").set_value(1).run()
    assert "restore_version" in [b.key for b in history.button]


def test_every_download_is_audited_as_its_account(shared):
    import io
    import zipfile

    from coalition import accounts, privacy
    from coalition.dashboard import cache, data_page
    from coalition.settings import db_url

    store = open_store(shared)
    viewer, _ = store.sign_in("vi", PASSWORD)
    snap = cache.Snapshot(db_url(shared), store.version())
    public = privacy.Disclosure.public()
    data = data_page.deferred_download(snap, "csv", public, viewer, store)()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        readme = archive.read("README.txt").decode("utf-8")
        assert MISTAKE not in archive.read("organizations.csv").decode("utf-8")
    assert "PUBLIC export" in readme
    log = store.audit_log(account=accounts.operator())
    exports = log[log["action"] == "export"]
    assert exports.iloc[0]["who"] == "vi"
    assert exports.iloc[0]["what"] == f"public csv download, version {snap.version}"


def test_a_viewer_downloads_from_the_leaky_city_hold_no_secret(monkeypatch, tmp_path):
    from test_exports import LEAKY, _count_cells, _small_numbers

    from coalition import accounts, ingest, privacy
    from coalition.dashboard import cache, data_page
    from coalition.settings import db_url

    path = tmp_path / "leaky.db"
    store = open_store(path)
    store.replace_city(ingest.read_city(LEAKY))
    store.add_account("ada", PASSWORD, "admin")
    store.add_account("vi", PASSWORD, "viewer", account=accounts.operator())
    at = signed_in(monkeypatch, path, "vi", DATA_PAGE)
    assert all(k.startswith("download_public_") for k in download_keys(at))
    viewer, _ = store.sign_in("vi", PASSWORD)
    snap = cache.Snapshot(db_url(path), store.version())
    audience = privacy.Disclosure.for_account(viewer)  # what the page gives a viewer
    for fmt, *_ in data_page.DOWNLOADS:
        data = data_page.deferred_download(snap, fmt, audience, viewer, store)()
        cells = _count_cells(fmt, data, tmp_path)
        assert cells and _small_numbers(cells) == [], fmt
    log = store.audit_log(account=accounts.operator())
    assert (log[log["action"] == "export"]["who"] == "vi").sum() == len(data_page.DOWNLOADS)
