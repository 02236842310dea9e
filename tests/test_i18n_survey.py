"""The partner survey in Spanish (issue 11): a member answers with its link in Spanish and keeps
exactly the answers an English answer keeps; the survey's pages and sentences speak Spanish.

Stores as in tests/test_survey_page.py and tests/test_survey_results_page.py: the survey
fixture's city (five members lib, legal, church, assoc, clinic), round "spring" open with a
link for lib (Alder Library); for the editors' and results pages, the fixture's rounds spring
and fall imported (spring: 3 of 5 answered, 2 pairs confirmed, 1 one side, 4 non-respondent).

"No English" is the check of tests/test_i18n.py (:func:`english_left`), on the page's main
area: the sidebar is the shared layout's (coalition/dashboard/ui.py), checked there.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from survey_fixture import NAMES, fall, spring, survey_city
from test_i18n import data_strings, english_left, shown_strings

from coalition import i18n
from coalition.accounts import operator
from coalition.analysis.graph_index import join_names
from coalition.dashboard import PAGES, language, survey_link
from coalition.dashboard.survey_page import PREFIX
from coalition.errors import Problem
from coalition.i18n import using
from coalition.presenting import survey as survey_text
from coalition.presenting import survey_results, survey_rounds
from coalition.schema import SERVICES
from coalition.store import SurveyImport, open_store
from coalition.survey import analysis, profiles, questions
from coalition.survey.schema import check_answers

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGE_FILES = {url_path: f"coalition/dashboard/{file}" for file, _, url_path in PAGES}
TIMEOUT = 120
PASSWORD = "correct horse battery"
# Titles in the questions' source note (a citation: names of a journal and a tool, as
# published, like a data string).
CITED = ["Journal of Public Health Research", "PARTNER Tool, Visible Network Labs"]
TYPED = ["Spanish; Portuguese", "Spanish", "Portuguese", "Elm Mutual Aid", "spring", "fall"]


def cut_out(strings: list[str]) -> list[str]:
    """Strings to cut out before looking for English, longest first (as test_i18n's)."""
    return sorted(set(strings), key=len, reverse=True)


def untranslated_services() -> list[str]:
    """The services' words (coalition.schema.SERVICES) the Spanish catalogue lacks yet: they
    are marked and translated with the shared vocabulary (another part), not the survey's."""
    spanish = i18n.translations("es")
    return [words for words in SERVICES.values() if spanish.gettext(words) == words]


def key(*parts: object) -> str:
    return PREFIX + "|".join(str(p) for p in parts)


def link_store(path: Path) -> str:
    """The survey city with accounts, round spring open and lib's link (returned)."""
    store = open_store(path)
    store.replace_city(survey_city(), account=operator())
    store.add_account("ada", PASSWORD, "admin")
    store.open_survey_round("spring", account=operator())
    return store.make_survey_links("spring", ["lib"], account=operator())["lib"]


def open_with_link(monkeypatch, path: Path, token: str, lang: str) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(path))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params[survey_link.PARAM] = token
    at.session_state[language.KEY] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "")


def texts(at: AppTest) -> list[str]:
    return [plain(t) for t in shown_strings(at.main)]


def fill(at: AppTest, lang: str) -> AppTest:
    """lib's answers: legal (2; often 3; value 4 3 2; trust 4 4 4), church (3, nothing else);
    services legal and english; languages typed; the first neighborhood; one outside group.

    AppTest finds a picked code among the options by formatting it in the test's thread:
    in the page's language, as the page formatted them."""
    with using(lang):
        return _fill(at)


def _fill(at: AppTest) -> AppTest:
    at.multiselect(key=key("partners")).set_value(["legal", "church"]).run()
    ratings = {
        "frequency": 3,
        "value_power": 4,
        "value_involvement": 3,
        "value_resources": 2,
        "trust_reliability": 4,
        "trust_mission": 4,
        "trust_openness": 4,
    }
    at.selectbox(key=key("legal", "relation")).set_value(2)
    for item, code in ratings.items():
        at.selectbox(key=key("legal", item)).set_value(code)
    at.selectbox(key=key("church", "relation")).set_value(3)
    at.multiselect(key=key("services")).set_value(["legal", "english"])
    at.text_input(key=key("languages")).input("Spanish; Portuguese")
    hood = at.multiselect(key=key("neighborhoods"))
    hood.set_value([hood.options[0]])
    at.text_input(key=key("outside_name", 0)).input("Elm Mutual Aid")
    at.selectbox(key=key("outside_relation", 0)).set_value(2)
    at.button(key="survey_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def kept(path: Path) -> dict[str, pd.DataFrame]:
    """The round's kept rows, without when they were answered (the two answers differ there)."""
    found = open_store(path).read_survey_round("spring", account=operator())
    return {
        name: frame.drop(columns=["answered_at"], errors="ignore").reset_index(drop=True)
        for name, frame in (
            ("answers", found.answers),
            ("profiles", found.profiles),
            ("outside", found.outside),
        )
    }


# --- a member answers in Spanish ------------------------------------------------------------


def test_a_member_answers_in_spanish_and_keeps_what_an_english_answer_keeps(tmp_path, monkeypatch):
    english_db, spanish_db = tmp_path / "en.db", tmp_path / "es.db"
    english = fill(open_with_link(monkeypatch, english_db, link_store(english_db), "en"), "en")
    at = open_with_link(monkeypatch, spanish_db, link_store(spanish_db), "es")
    shown = texts(at)
    assert "Encuesta" in shown
    assert "Respondiendo por **Alder Library** en la ronda **spring**." in shown
    assert at.multiselect(key=key("partners")).label == (
        "¿Con qué miembros de la coalición trabaja su organización? Elija cada uno de la lista; "
        "omita aquellos con los que no trabaja."
    )
    at.multiselect(key=key("partners")).set_value(["legal"]).run()
    relation = at.selectbox(key=key("legal", "relation"))
    assert relation.label == "Trabajan juntos (obligatorio)"
    assert list(relation.options) == [
        "nos conocemos",
        "compartimos información",
        "coordinamos actividades",
        "programas integrados",
    ]
    assert list(at.selectbox(key=key("legal", "value_power")).options) == [
        "sin respuesta",
        "nada",
        "un poco",
        "bastante",
        "mucho",
    ]
    spanish = fill(at, "es")
    assert english.success[0].value == (
        "Saved. You can come back with the same link and change your answers until the round "
        "closes."
    )
    assert spanish.success[0].value == (
        "Guardado. Puede volver con el mismo enlace y cambiar sus respuestas hasta que se "
        "cierre la ronda."
    )
    english_rows, spanish_rows = kept(english_db), kept(spanish_db)
    assert len(spanish_rows["answers"]) == 2 and len(spanish_rows["outside"]) == 1
    assert sorted(spanish_rows["answers"]["relation"].tolist()) == [2, 3]  # codes, not labels
    assert spanish_rows["profiles"].loc[0, "services"] == ["legal", "english"]
    for name in ("answers", "profiles", "outside"):
        pd.testing.assert_frame_equal(spanish_rows[name], english_rows[name])


def test_the_spanish_survey_form_shows_no_english(tmp_path, monkeypatch):
    path = tmp_path / "es.db"
    at = open_with_link(monkeypatch, path, link_store(path), "es")
    at.multiselect(key=key("partners")).set_value(["legal", "church"]).run()
    data = cut_out(data_strings(survey_city()) + CITED + TYPED + untranslated_services())
    shown = shown_strings(at.main)
    assert len(shown) > 40  # every question, label and option of the form
    assert not english_left(shown, data), english_left(shown, data)


def test_a_missing_relation_is_said_in_spanish_on_the_form(tmp_path, monkeypatch):
    path = tmp_path / "es.db"
    at = open_with_link(monkeypatch, path, link_store(path), "es")
    at.multiselect(key=key("partners")).set_value(["church"]).run()
    at.button(key="survey_save").click().run()
    errors = [plain(e.value) for e in at.error]
    assert "No se guardó: corrija los problemas señalados abajo y vuelva a guardar." in errors
    assert "- Cedar Church — Trabajan juntos: Obligatorio: un código del 1 al 4." in errors
    assert open_store(path).read_survey_round("spring", account=operator()).answers.empty


def test_an_invalid_link_is_said_in_spanish(tmp_path, monkeypatch):
    path = tmp_path / "es.db"
    link_store(path)
    at = open_with_link(monkeypatch, path, "not-a-token", "es")
    assert [plain(e.value) for e in at.error] == [
        "Este enlace ya no es válido: pida uno nuevo a quien convoca."
    ]


# --- the editors' and the results pages in Spanish ------------------------------------------


@pytest.fixture
def rounds_db(tmp_path) -> Path:
    """The survey city with the fixture's spring and fall imported, no accounts (operator)."""
    path = tmp_path / "rounds.db"
    store = open_store(path)
    store.replace_city(survey_city(), account=operator())
    for name, made in (("spring", spring), ("fall", fall)):
        store.open_survey_round(name, account=operator())
        store.import_survey_answers(made(), account=operator())
    return path


def open_page(monkeypatch, path: Path, url_path: str) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(path))
    monkeypatch.delenv("COALITION_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[language.KEY] = "es"
    at.run()
    at.switch_page(PAGE_FILES[url_path]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("url_path", ["survey-rounds", "survey-results"])
def test_the_survey_pages_with_rounds_show_no_english(url_path, rounds_db, monkeypatch):
    at = open_page(monkeypatch, rounds_db, url_path)
    data = cut_out(data_strings(survey_city()) + TYPED)
    shown = shown_strings(at.main)
    assert len(shown) > 20
    assert not english_left(shown, data), english_left(shown, data)


def test_the_results_page_says_the_hand_worked_figures_in_spanish(rounds_db, monkeypatch):
    at = open_page(monkeypatch, rounds_db, "survey-results")
    at.selectbox(key="survey_results_round").set_value("spring").run()
    shown = texts(at)
    assert "3 de 5 miembros respondieron la ronda spring (60%)." in shown
    sentences = "\n".join(shown)
    assert "- 2 pares confirmados por ambas partes: cada uno nombró al otro." in sentences
    assert "- 1 par reportado solo por una parte" in sentences
    assert (
        "En toda la red (8 vínculos calificados de 3 miembros): valor 2.88 y confianza 3.06 "
        "sobre 4." in shown
    )
    frames = [f.value for f in at.main.get("dataframe")]
    rated = next(f for f in frames if "Valor (1–4)" in f.columns).set_index("Miembro")
    assert rated.loc["Alder Neighbors", "Valor (1–4)"] == "2.67"
    assert rated.loc["Birch Legal Aid", "Nota"] == "menos de 3 calificaciones"
    assert rated.loc["Dogwood Clinic", "Nota"] == "sin calificar"


def test_the_rounds_page_in_spanish_lists_who_to_chase(rounds_db, monkeypatch):
    at = open_page(monkeypatch, rounds_db, "survey-rounds")
    at.selectbox(key="survey_round").set_value("spring").run()
    frames = [f.value for f in at.main.get("dataframe")]
    chase = next(f for f in frames if "Socios nombrados" in f.columns)
    assert chase.columns.tolist() == ["Miembro", "Respondió", "Cuándo", "Cómo", "Socios nombrados"]
    assert chase["Respondió"].tolist() == ["no", "no", "sí", "sí", "sí"]
    labels = [b.label for b in at.main.get("download_button")]
    assert "Descargar los 2 miembros pendientes (CSV)" in labels


# --- the sentences, worked out without Streamlit ------------------------------------------------


def test_the_spanish_catalogue_uses_both_plural_forms():
    with using("es"):
        assert i18n.ngettext("{count} pair", "{count} pairs", 1).format(count=1) == "1 par"
        assert i18n.ngettext("{count} pair", "{count} pairs", 3).format(count=3) == "3 pares"
        assert i18n.ngettext("{count} pair", "{count} pairs", 0).format(count=0) == "0 pares"


def test_survey_sentences_in_spanish():
    summary = analysis.ResponseSummary("spring", 5, 3, 0.6, ("B", "C"), "")
    counts = {"confirmed": 2, "one side": 1, "non-respondent": 0}
    with using("es"):
        assert survey_results.response_sentence(summary) == (
            "3 de 5 miembros respondieron la ronda spring (60%)."
        )
        assert survey_results.reciprocity_sentences(counts)[2].startswith("Ningún par")
        assert survey_rounds.import_sentence(SurveyImport("spring", ["a", "b"], ["c"], [])) == (
            "Ronda spring: 2 miembros responden por primera vez, 1 reemplaza sus respuestas "
            "anteriores."
        )
        assert survey_rounds.import_label(12) == "Importar las respuestas de 12 miembros"
        assert join_names(["A", "B", "C", "D"], limit=2) == "A, B y 2 más"
        assert survey_text.closed_sentence("fall", "2026-12-01T08:00:00") == (
            "La ronda fall se cerró el 2026-12-01: las respuestas ya no pueden cambiar."
        )
        assert survey_text.code_label(questions.RATING, survey_text.KEPT) == (
            "guardada (no se muestra)"
        )
    # English stays as it was.
    assert survey_rounds.import_sentence(SurveyImport("spring", ["a", "b"], ["c"], [])) == (
        SurveyImport("spring", ["a", "b"], ["c"], []).sentence
    )


def test_a_round_summary_and_profile_changes_in_spanish():
    answers = spring()
    roster = analysis.roster_of(survey_city())
    with using("es"):
        summary = analysis.response_summary(answers, roster)
        problems = check_answers(
            survey_text.build_answers(
                "spring",
                "lib",
                survey_text.FormValues(outside=[("x" * 300, 1)]),
                answered_at="2026-03-02T10:00:00Z",
            )
        )
    assert summary.sentence == (
        "3 de 5 miembros respondieron la ronda spring (60%). Todavía no han respondido: "
        f"{NAMES['assoc']} y {NAMES['clinic']}."
    )
    assert [p.message for p in problems] == [
        "Una organización de fuera necesita un nombre de 1 a 200 caracteres."
    ]
    city = survey_city()
    changes = profiles.profile_changes(
        city,
        survey_text.build_answers(
            "spring",
            "legal",
            survey_text.FormValues(languages=["Karen"], neighborhoods=["cedar"]),
            answered_at="2026-03-02T10:00:00Z",
        ),
    )
    with using("es"):
        (sentence,) = profiles.describe_profile_changes(changes, profiles.names_of(city))
    assert sentence.startswith("Birch Legal Aid dice que también atiende a personas en Karen")
    assert " y también trabaja en " in sentence and sentence.endswith(".")


def test_a_problem_line_fills_names_as_values_in_spanish():
    built = survey_text.build_answers(
        "spring",
        "lib",
        survey_text.FormValues(partners=["p"], items={"p": {"relation": 1}}),
        answered_at="2026-03-02T10:00:00Z",
    )
    with using("es"):
        placed = survey_text.place_problems(
            [Problem("answers", "m", row=0, column="frequency")], built, {"p": "{0} %s {x}"}
        )
    assert placed == {"p": ["{0} %s {x} — Frecuencia: m"]}


# --- the import's problems (Survey rounds page) ---------------------------------------------

GOOGLE_HEADER = (
    'Timestamp,"Which organization are you answering for?","Working together [Birch Legal Aid]"'
)


def _google(relation: str) -> tuple[str, bytes]:
    row = f"2026/11/06 9:15:02 AM GMT-5,Alder Library,{relation}"
    return ("g.csv", f"{GOOGLE_HEADER}\n{row}\n".encode())


def test_an_import_problem_is_said_in_spanish_and_a_spanish_label_is_read():
    from coalition.errors import ValidationError
    from coalition.survey.importers import import_answers

    roster = survey_city().tables
    with using("es"), pytest.raises(ValidationError) as caught:
        import_answers(_google("monthly"), roster, "spring")  # a frequency, not a relation
    (problem,) = [p for p in caught.value.problems if p.severity == "error"]
    assert problem.message == (
        "No es una respuesta de la escala; use una de estas: 1 nos conocemos; "
        "2 compartimos información; 3 coordinamos actividades; 4 programas integrados."
    )
    with using("es"):  # the label as the Spanish problem lists it
        spanish = import_answers(_google("compartimos información"), roster, "spring")
    english = import_answers(_google("share information"), roster, "spring")
    assert spanish.answers.answers["relation"].tolist() == [2]
    pd.testing.assert_frame_equal(spanish.answers.answers, english.answers.answers)


# --- the "Ties from" switch (Gaps page) ----------------------------------------------------------


def test_the_ties_switch_speaks_spanish(rounds_db, monkeypatch):
    at = open_page(monkeypatch, rounds_db, "gaps")
    switch = at.selectbox(key="gaps_ties")
    assert switch.label == "Vínculos de"
    assert switch.options[:3] == [
        "los vínculos registrados",
        "ronda fall de la encuesta de socios — confirmados por ambas partes",
        "ronda fall de la encuesta de socios — cualquier reporte",
    ]
    switch.set_value("confirmed:spring").run()
    assert not at.exception, [e.value for e in at.exception]
    (line,) = [plain(i.value) for i in at.info]
    assert line == (
        "Vínculos de la ronda spring de la encuesta de socios, confirmados por ambas partes: "
        "2 pares. 3 de 5 miembros respondieron (60%). Faltan aquí: 4 vínculos reportados con "
        "un miembro que no ha respondido (todavía no puede confirmarlos) y 1 vínculo que la "
        "otra parte omitió."
    )
    assert (
        "Los puntos únicos de falla dependen de esta elección: Birch Legal Aid solo con "
        "vínculos confirmados por ambas partes, no con cualquier reporte; Cedar Church con "
        "cualquier reporte, no solo con vínculos confirmados." in texts(at)
    )
