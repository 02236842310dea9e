"""The "Starter kit" page under AppTest (tiny city; its kits are worked out in test_starter_kit.py).

The planner's first pick on the tiny city (default weights, k = 3, own neighborhood): the three
candidates Birch (100 foreign-born), Cedar (300) and Dogwood (200) are all picked, Cedar first
(it adds the most), so the page opens on Cedar.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import accounts, analysis, settings
from coalition.dashboard import starter_kit_page
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE = "coalition/dashboard/starter_kit_page.py"
PLANNER = "coalition/dashboard/planner.py"
TIMEOUT = 120
PASSWORD = "correct horse battery staple 42"


def small_city():
    """The tiny city with 4 Karen refugees in Dogwood (a small count)."""
    city = make_tiny_city()
    ties = city.tables["ties"]
    ties.loc[(ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in"), "residents"] = 4
    return city


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kit") / "t.db"
    open_store(path).replace_city(small_city())
    return path


@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kit-accounts") / "t.db"
    store = open_store(path)
    store.replace_city(small_city())
    store.add_account("ada", PASSWORD, "admin")
    store.add_account("vi", PASSWORD, "viewer", account=accounts.operator())
    return path


@pytest.fixture
def downloads(monkeypatch):
    """Every file a download button hands to Streamlit: (data, mimetype, filename)."""
    saved: list[tuple[bytes, str, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        saved.append((path_or_data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return saved


def open_page(monkeypatch, db: Path, *, token: str | None = None, state=None) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if token is not None:
        at.session_state["session_token"] = token
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown).replace("\\", "")


def test_the_page_opens_on_the_planners_first_pick(monkeypatch, tiny_db):
    from coalition.analysis.graph_index import index_city

    index = index_city(small_city())
    ranking = analysis.rank_candidates(
        index,
        None,
        k=3,
        stability_runs=settings.DEFAULT_STABILITY_RUNS,
        seed=settings.DEFAULT_SEED,
    )
    plan = analysis.plan_committees(index, 3, ranking=ranking)
    assert plan.selected[0].neighborhood_id == "cedar"  # worked out by hand above
    at = open_page(monkeypatch, tiny_db)
    assert at.title[0].value == "Starter kit"
    select = at.selectbox(key=starter_kit_page.SELECT_KEY)
    assert select.value == "cedar"
    text = page_text(at)
    assert "Cedar Church: a faith group based in Cedar." in text
    assert "Alder Welcoming Committee: active next door in Alder" in text
    assert "Exact counts: not for sharing." in text  # the local operator is an admin


def test_the_planners_link_hands_over_its_pick(monkeypatch, tiny_db):
    at = open_page(monkeypatch, tiny_db, state={starter_kit_page.PICK_KEY: "dogwood"})
    assert at.selectbox(key=starter_kit_page.SELECT_KEY).value == "dogwood"
    # The planner page draws the link (and sets the pick it hands over: its first pick).
    monkeypatch.setenv("COALITION_DB", str(tiny_db))
    planner = AppTest.from_file(APP, default_timeout=TIMEOUT)
    planner.run()
    planner.switch_page(PLANNER).run()
    assert not planner.exception
    assert planner.session_state[starter_kit_page.PICK_KEY] == "cedar"
    links = [e for e in planner.get("page_link")]
    assert any("Starter kit for Cedar" in str(e.proto.label) for e in links)


def test_choosing_another_neighborhood_redraws_the_kit(monkeypatch, tiny_db, downloads):
    at = open_page(monkeypatch, tiny_db)
    at.selectbox(key=starter_kit_page.SELECT_KEY).set_value("dogwood").run()
    assert not at.exception
    text = page_text(at)
    assert "Dogwood Clinic: a coalition member that already reaches Dogwood." in text
    assert "residents here: 4" in text  # the operator sees exact counts
    data, mimetype, filename = downloads[-1]
    assert mimetype == "text/html" and filename == "starter-kit-dogwood.html"
    assert b"Dogwood Clinic" in data


def test_the_download_is_the_printable_page_in_the_screens_language(
    monkeypatch, tiny_db, downloads
):
    at = open_page(monkeypatch, tiny_db, state={"language": "es"})
    assert at.get("download_button")[0].proto.label == "Página para imprimir"
    data, mimetype, filename = downloads[-1]
    page = data.decode("utf-8")
    assert mimetype == "text/html" and filename == "starter-kit-cedar.html"
    assert page.startswith("<!DOCTYPE html>") and '<html lang="es">' in page
    assert "Kit de inicio para un comité de bienvenida en Cedar" in page
    assert "<script" not in page and "http" not in page


def test_a_viewer_gets_small_counts_suppressed(monkeypatch, accounts_db, downloads):
    store = open_store(accounts_db)
    _, token = store.sign_in("vi", PASSWORD)
    at = open_page(monkeypatch, accounts_db, token=token)
    at.selectbox(key=starter_kit_page.SELECT_KEY).set_value("dogwood").run()
    assert not at.exception
    text = page_text(at)
    assert "residents here: fewer than 11" in text and "residents here: 4" not in text
    assert "Exact counts" not in text
    page = downloads[-1][0].decode("utf-8")
    assert "fewer than 11" in page and "residents here: 4" not in page
    # An admin, signed in, sees the exact count.
    _, token = store.sign_in("ada", PASSWORD)
    admin = open_page(monkeypatch, accounts_db, token=token)
    admin.selectbox(key=starter_kit_page.SELECT_KEY).set_value("dogwood").run()
    assert "residents here: 4" in page_text(admin)
