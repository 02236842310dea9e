"""Spanish (issue 11) on the Sign-in, Import and Record pages, and in the sentences they show.

The pages are driven with AppTest in Spanish (``session_state["language"] = "es"``) and every
string drawn in the page's main area is checked with the English detector of
``tests/test_i18n.py`` (the sidebar is another part of the catalogue, checked there). The
library's sentences (what changed, a record's description, an upload's problems) are checked
in both languages: Spanish without English words, English as it always read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_i18n import data_strings, english_left, shown_strings
from tiny_city import make_tiny_city

from coalition import edits, history, i18n, imports
from coalition.accounts import Account
from coalition.dashboard import auth, record_save
from coalition.errors import ValidationError
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
IMPORT = "coalition/dashboard/import_page.py"
RECORD = "coalition/dashboard/record.py"
TIMEOUT = 120
PASSWORD = "correct horse battery"

# A ties file with two problems: an end nobody knows, and a strength out of range.
BROKEN_TIES = (
    b"source_id,target_id,tie_type,kind,strength,source,source_date\n"
    b"clinic,nobody,partnership,health fair,2,working session,2026-11\n"
    b"clinic,lib,partnership,,9,s,2026\n"
)


def plain(text: str) -> str:
    """Markdown-escaped text as it reads on the screen."""
    return text.replace("\\", "")


def no_english_in_main(at: AppTest, data: list[str]) -> None:
    shown = shown_strings(at.main)
    assert len(shown) > 3, "the page drew almost nothing"
    left = english_left(shown, data)
    assert not left, "\n".join(left)


@pytest.fixture
def city():
    return make_tiny_city()


@pytest.fixture
def db(tmp_path, city) -> Path:
    path = tmp_path / "es.db"
    open_store(path).replace_city(city)
    return path


def spanish_app(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(db))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = "es"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- the pages -----------------------------------------------------------------------------------


def test_the_sign_in_page_in_spanish_shows_no_english(monkeypatch, db, city):
    open_store(db).add_account("ada", PASSWORD, "admin")  # accounts: nobody is signed in
    at = spanish_app(monkeypatch, db)
    assert [t.value for t in at.title] == ["Iniciar sesión"]
    assert [t.label for t in at.text_input] == ["Nombre", "Contraseña"]
    no_english_in_main(at, data_strings(city))
    # A wrong password is refused in Spanish too (the store's own sentence).
    at.text_input(key="sign_in_name").input("ada")
    at.text_input(key="sign_in_password").input("not the password")
    at.button(key="FormSubmitter:sign_in_form-Iniciar sesión").click().run()
    assert [plain(e.value) for e in at.error] == ["Nombre o contraseña incorrectos."]


def test_the_import_page_lists_a_broken_files_problems_in_spanish(monkeypatch, db, city):
    at = spanish_app(monkeypatch, db)
    at.switch_page(IMPORT).run()
    assert at.title[0].value == "Importar"
    at.file_uploader[0].set_value(("ties.csv", BROKEN_TIES, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert plain(at.error[0].value).startswith("2 problema(s) en ties.csv: no se importó nada.")
    report = at.dataframe[0].value
    assert report.columns.tolist() == ["Archivo", "Fila", "Columna", "Valor", "Qué hacer"]
    assert report["Fila"].tolist() == [2, 3]
    messages = report["Qué hacer"].tolist()
    assert messages[0].startswith("El vínculo apunta a un id desconocido. Agregue «nobody»")
    assert messages[1] == "strength debe ser 1 (débil), 2 (de trabajo) o 3 (fuerte)."
    assert not english_left(messages, [*data_strings(city), "nobody"])
    no_english_in_main(at, [*data_strings(city), "ties.csv"])
    assert open_store(db).version() == 1  # nothing was imported


def test_the_record_pages_form_labels_are_spanish(monkeypatch, db, city):
    monkeypatch.setenv("COALITION_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = "es"
    at.session_state[record_save.NAME] = "Ana"  # the operator gave a name once
    at.run()
    at.switch_page(RECORD).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Registro"
    labels = [w.label for w in at.text_input]
    # The add form of an organization: its fields and where the facts come from.
    assert "Dirección" in labels and "Latitud (WGS84)" in labels
    assert "Fuente: quién lo dijo, o dónde está escrito" in labels
    assert "Guardar la organización nueva" in [b.label for b in at.get("form_submit_button")]
    no_english_in_main(at, [*data_strings(city), "Ana"])


# --- the sentences behind them -------------------------------------------------------------------


def _changed(city):
    """The tiny city with one more partnership and one organization gone."""
    changes = edits.add(
        city,
        "ties",
        {
            "source_id": "clinic",
            "target_id": "lonely",
            "tie_type": "partnership",
            "strength": "2",
            "source": "working session",
            "source_date": "2026-11",
        },
    )
    return edits.apply_changes(city, changes)


def test_what_changed_reads_in_spanish_and_english_as_before(city):
    after = _changed(city)
    english = history.compare_cities(city, after, with_effects=False)
    assert english.changes["explanation"].tolist() == [
        "Dogwood Clinic and Lonely Shop started working together."
    ]
    assert english.explanation.startswith("1 change(s): 1 added.")
    with i18n.using("es"):
        spanish = history.compare_cities(city, after, with_effects=False)
    assert spanish.changes["explanation"].tolist() == [
        "Dogwood Clinic y Lonely Shop empezaron a trabajar juntos."
    ]
    assert spanish.explanation.startswith("1 cambio(s): 1 agregados.")
    assert spanish.headline["partnerships"]["label"] == "Alianzas"
    sentences = [spanish.explanation, *spanish.changes["explanation"]]
    assert not english_left(sentences, data_strings(city))


def test_a_records_description_is_kept_in_english_and_shown_in_spanish(city):
    changes = edits.retire(city, "organizations", "lib", reason="closed", on="2026-11-30")
    more = len(changes) - 1  # its ties end with it
    assert more > 1
    assert edits.describe(changes) == f"Retired Alder Library (and {more} more rows)"
    with i18n.using("es"):
        assert edits.describe(changes) == f"Se retiró Alder Library (y {more} filas más)"
    assert edits.describe(changes[:2]) == "Retired Alder Library (and 1 more row)"


def test_an_uploads_problems_follow_the_language(city):
    with i18n.using("es"):
        report = imports.validate_uploaded_table(BROKEN_TIES, "ties.csv", city, "ties")
    assert [p.message for p in report.errors][1:] == [
        "strength debe ser 1 (débil), 2 (de trabajo) o 3 (fuerte)."
    ]
    report = imports.validate_uploaded_table(BROKEN_TIES, "ties.csv", city, "ties")
    assert [p.message for p in report.errors][1:] == [
        "strength must be 1 (weak), 2 (working) or 3 (strong)."
    ]
    with i18n.using("es"), pytest.raises(Exception, match="no es una tabla"):
        imports.validate_uploaded_table(b"x", "notes.txt", city)


def test_a_refused_page_says_why_in_spanish():
    with i18n.using("es"):
        refused = auth.refusal(Account("vi", "viewer"), "edit")
        nobody = auth.refusal(None, "accounts")
    assert refused == (
        "Solo un editor o un administrador puede usar esta página; vi es lector. Un "
        "administrador puede cambiar el rol con: coalition user set-role vi editor"
    )
    assert nobody == "Inicie sesión para usar esta página."
    # English keeps the library's own sentence on the page; the page's reads the same facts.
    assert auth.refusal(Account("ed", "editor"), "accounts").startswith(
        "Only an admin may use this page; ed is an editor."
    )


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "This tie is already recorded: nothing new to save."),
        ("es", "Este vínculo ya está registrado: no hay nada nuevo que guardar."),
    ],
)
def test_a_tie_recorded_twice_is_refused_in_either_language(city, lang, message):
    """The check that finds a repeated tie reads its own sentence in the language in use."""
    tie = city.tables["ties"].iloc[0]
    row = {
        "source_id": tie["source_id"],
        "target_id": tie["target_id"],
        "tie_type": tie["tie_type"],
        "source": "working session",
        "source_date": "2026-11",
    }
    with i18n.using(lang), pytest.raises(ValidationError) as refused:
        edits.add(city, "ties", row)
    assert [p.message for p in refused.value.problems] == [message]
