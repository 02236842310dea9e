"""Spanish (issue 11): the catalogue is complete, templates are literal, and every dashboard page
in Spanish shows no English UI string.

How "no English" is checked: every string a page draws (texts, labels, options, help, table
headers, metric labels) is collected under AppTest; the data's own strings (names, notes,
sources: data is shown as it was written) are cut out; what is left must contain none of
:data:`ENGLISH_WORDS` — words frequent in any English sentence and absent from Spanish. An
untranslated template ("Members that reach it", "Download the table") always has one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import TEXT_ELEMENTS, element_texts
from streamlit.testing.v1 import AppTest
from tiny_city import make_tiny_city

from coalition import i18n
from coalition.dashboard import PAGES
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120
PAGE_FILES = {url_path: f"coalition/dashboard/{file}" for file, _, url_path in PAGES}

# Frequent English words that are not Spanish words (so "no", "a", "me", "has" are left out).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "with",
        "from",
        "this",
        "that",
        "which",
        "for",
        "are",
        "is",
        "not",
        "were",
        "was",
        "will",
        "can",
        "its",
        "their",
        "they",
        "there",
        "have",
        "been",
        "your",
        "you",
        "show",
        "shows",
        "download",
        "save",
        "members",
        "member",
        "organizations",
        "organization",
        "neighborhood",
        "neighborhoods",
        "community",
        "communities",
        "committee",
        "committees",
        "navigators",
        "navigator",
        "of",
        "to",
        "in",
        "on",
        "by",
        "or",
        "how",
        "what",
        "who",
        "where",
        "when",
    ]
)
_ESCAPE = re.compile(r"\\(.)")
_WORD = re.compile(r"[^\W\d_]+")  # letters, accented ones too ("orígenes" is one word)
MARKERS = ("_", "gettext", "ngettext", "pgettext", "N_")


# --- the catalogue --------------------------------------------------------------------------


def test_the_spanish_catalogue_is_complete_and_consistent():
    problems = i18n.catalogue_problems("es")
    assert not problems, (
        "\n".join(problems[:60])
        + (f"\n… and {len(problems) - 60} more" if len(problems) > 60 else "")
        + "\n(run `make i18n` for the entries to add)"
    )


def _marked_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
            and node.args
        ):
            yield node


def test_marked_strings_are_literal_templates_filled_after_translation():
    """An f-string, a % or a .format() inside _() would look up a string no catalogue has."""
    wrong = []
    for path in sorted((ROOT / "coalition").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _marked_calls(tree):
            for argument in call.args[:2]:
                formatted = (
                    isinstance(argument, ast.JoinedStr)
                    or (isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Mod))
                    or (
                        isinstance(argument, ast.Call)
                        and isinstance(argument.func, ast.Attribute)
                        and argument.func.attr == "format"
                    )
                )
                if formatted:
                    wrong.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not wrong, "translate the template, then fill it: " + ", ".join(wrong)


def test_the_checker_finds_an_untranslated_string(tmp_path, monkeypatch):
    """The completeness check itself fails on a marked string the catalogue lacks."""
    part = tmp_path / "es" / "LC_MESSAGES"
    part.mkdir(parents=True)
    (part / "x.po").write_text('msgid "Overview"\nmsgstr ""\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    problems = i18n.catalogue_problems("es")
    assert any("'Overview': no translation in x.po" in p for p in problems)
    assert any("'Network'" in p and "not in the es catalogue" in p for p in problems)


def test_a_translation_that_drops_a_placeholder_is_a_problem(tmp_path, monkeypatch):
    part = tmp_path / "es" / "LC_MESSAGES"
    part.mkdir(parents=True)
    (part / "x.po").write_text(
        'msgid "{count} of {total}"\nmsgstr "{count} de {todo}"\n', encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    problems = i18n.catalogue_problems("es")
    assert any("placeholders ['count', 'todo']" in p for p in problems)


def test_the_language_comes_from_the_cli_environment_in_order():
    assert i18n.from_environment({"COALITION_LANG": "es", "LANG": "en_US.UTF-8"}) == "es"
    assert i18n.from_environment({"LANGUAGE": "fr:es", "LANG": "en_US"}) == "es"
    assert i18n.from_environment({"COALITION_LANG": "fr", "LANG": "es_ES"}) == "en"
    assert i18n.from_environment({}) == "en"


# --- every page in Spanish ----------------------------------------------------------------------


def data_strings(city) -> list[str]:
    """Every string in the city's tables and its name, longest first (cut out before checking)."""
    found = {city.name}
    for frame in city.tables.values():
        for column in frame.columns:
            found.update(str(v) for v in frame[column].dropna() if isinstance(v, str))
    return sorted((s for s in found if s.strip()), key=len, reverse=True)


def shown_strings(at: AppTest) -> list[str]:
    """Every string the page draws: texts, widget labels, options and help, table headers."""
    shown = element_texts(at, (*TEXT_ELEMENTS, "exception", "code", "latex", "json", "text"))
    for kind in (
        "button",
        "checkbox",
        "toggle",
        "text_input",
        "text_area",
        "number_input",
        "selectbox",
        "multiselect",
        "radio",
        "slider",
        "select_slider",
        "date_input",
        "time_input",
        "color_picker",
        "expander",
        "tab",
        "metric",
        "download_button",
        "form_submit_button",
        "chat_input",
    ):
        for element in at.get(kind):
            for attribute in ("label", "help", "placeholder"):
                value = getattr(element, attribute, None)
                if isinstance(value, str):
                    shown.append(value)
            shown += [str(option) for option in getattr(element, "options", []) or []]
            if kind == "metric":
                shown.append(str(element.value))
    for element in at.get("dataframe") + at.get("table"):
        shown += [str(column) for column in element.value.columns]
    return shown


def english_left(texts: list[str], data: list[str]) -> list[str]:
    """The shown strings that still hold English words once the data's strings are cut out."""
    left = []
    for text in texts:
        plain = _ESCAPE.sub(r"\1", text).replace("\u2060", "")
        for value in data:
            plain = plain.replace(value, " ")
        words = {word.lower() for word in _WORD.findall(plain)}
        if words & ENGLISH_WORDS:
            left.append(f"{text!r} (English: {sorted(words & ENGLISH_WORDS)})")
    return left


def test_the_english_detector_finds_an_untranslated_sentence():
    assert english_left(["Members that reach it"], []) == [
        "'Members that reach it' (English: ['members', 'that'])"
    ]
    assert english_left(["Miembros que llegan a Parkville"], ["Parkville"]) == []
    # A data string is cut out: its English is data, not the UI's.
    assert english_left(["Fuente: U.S. Census Bureau, ACS"], ["U.S. Census Bureau, ACS"]) == []


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    city = make_tiny_city()
    path = tmp_path_factory.mktemp("es") / "t.db"
    open_store(path).replace_city(city)
    return path, data_strings(city)


@pytest.mark.parametrize("url_path", [page[2] for page in PAGES])
def test_every_page_in_spanish_shows_no_english(url_path, tiny_store, monkeypatch):
    path, data = tiny_store
    monkeypatch.setenv("COALITION_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = "es"
    at.run()
    at.switch_page(PAGE_FILES[url_path]).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = shown_strings(at)
    assert len(shown) > 3, "the page drew almost nothing"
    left = english_left(shown, data)
    assert not left, "\n".join(left)


def test_every_plural_reads_in_spanish_for_every_count():
    """Every plural's forms are read (Babel's 3-form rule for "es" made 2 and up fall back)."""
    catalogue = i18n.read_catalogue("es")
    plurals = [m for m in catalogue if m.id and isinstance(m.id, tuple | list)]
    assert plurals, "the catalogue has no plural to check"
    compiled = i18n.translations("es")
    for message in plurals:
        singular, plural = message.id[0], message.id[1]
        for count, form in ((1, 0), (2, 1), (7, 1), (1_000_000, 1)):
            assert compiled.ngettext(singular, plural, count) == message.string[form], (
                singular,
                count,
            )


# --- what a viewer sees in Spanish: the small-count markers too ----------------------------------


def test_a_viewer_reads_the_small_count_markers_in_spanish(tmp_path, monkeypatch):
    """The leaky city (tests/fixtures/leaky_city): Ashgrove's 7 Andean residents are hidden
    ("fewer than 11"), Brookside's 412 withheld (419 - 412 would give 7 back)."""
    import streamlit as st

    from coalition import privacy
    from coalition.dashboard import cache
    from coalition.ingest import read_city

    st.cache_resource.clear()
    db = tmp_path / "leaky.db"
    open_store(db).replace_city(read_city(ROOT / "tests" / "fixtures" / "leaky_city"))
    monkeypatch.setenv("COALITION_DB", str(db))
    public = privacy.Disclosure(exact=False, threshold=11)
    try:
        snap = cache.snapshot()
        with i18n.using("es"):
            table = cache.gap_table(snap, "language_gaps", disclosure=public)
            _, ashgrove = cache.neighborhood_members(snap, "ashgrove", public)
            _, brookside = cache.neighborhood_members(snap, "brookside", public)
        english = cache.gap_table(snap, "language_gaps", disclosure=public)
    finally:
        st.cache_resource.clear()
    assert "Speakers here" not in table.columns  # its headers are Spanish too
    assert set(table["Hablantes aquí"]) == {
        "menos de 11",
        "reservado para proteger una cifra pequeña",
    }
    assert any("(menos de 11 residentes)" in said for said in table["Por qué importa"])
    here = dict(zip(ashgrove["Comunidad"], ashgrove["Residentes aquí"], strict=True))
    there = dict(zip(brookside["Comunidad"], brookside["Residentes aquí"], strict=True))
    assert here["Andean families"] == "menos de 11"
    assert there["Andean families"] == "reservado para proteger una cifra pequeña"
    assert set(english["Speakers here"]) == {"fewer than 11", privacy.WITHHELD_TEXT}
