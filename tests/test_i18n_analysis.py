"""Spanish analysis sentences (issue 11): explanations and reasons built from whole templates.

On the tiny city (coalition/examples.py: Alder has the active committee, foreign-born 400 of
1,000; Cedar 300 of its 600 residents, 150 with limited English, Cedar Church and Navigator One
there), the sentences read in Spanish with the figures formatted for Spanish and the data's
names as written; the English ones are unchanged; and a result the dashboard caches follows the
language of the screen that reads it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_i18n import data_strings, english_left
from tiny_city import make_tiny_city

from coalition import analysis, i18n, privacy
from coalition.model import CityData, build_graph
from coalition.presenting import plans
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
EXACT = privacy.Disclosure(True, 11)


@pytest.fixture(scope="module")
def index():
    return analysis.index_graph(build_graph(make_tiny_city()))


def _with_figures(city: CityData, neighborhood: str, **figures: float) -> CityData:
    """A copy of the city with one neighborhood's census figures replaced."""
    tables = {name: frame.copy() for name, frame in city.tables.items()}
    frame = tables["neighborhoods"].set_index("neighborhood_id")
    for column, value in figures.items():
        frame.loc[neighborhood, column] = value
    tables["neighborhoods"] = frame.reset_index()
    return CityData(
        name=city.name, tables=tables, boundaries=city.boundaries, metric_crs=city.metric_crs
    )


def _need_reason(index, name: str) -> str:
    ranked = analysis.rank_candidates(index, k=2, stability_runs=0)
    reasons = ranked.candidates.set_index("name").loc[name, "reasons"]
    return next(r for r in reasons if r.startswith(i18n.gettext("Need:")))


def test_a_ranking_reason_reads_in_spanish_and_the_english_is_unchanged(index):
    english = _need_reason(index, "Cedar")
    with i18n.using("es"):
        spanish = _need_reason(index, "Cedar")
    assert english == (
        "Need: Cedar has 300 foreign-born residents (± 80), 50% of its 600 residents; "
        "150 speak English less than very well."
    )
    assert spanish == (
        "Necesidad: Cedar tiene 300 residentes nacidos en el extranjero (± 80), el 50% de "
        "sus 600 residentes; 150 hablan inglés menos que muy bien."
    )


def test_figures_follow_the_spanish_region_format(monkeypatch):
    """Spanish as written in Spain (12.345, "62 %") proves the figures go through the locale;
    the tool's own region for Spanish, es_US, writes 12,345 like English."""
    city = _with_figures(make_tiny_city(), "cedar", foreign_born=12345, population=20000)
    index = analysis.index_graph(build_graph(city))
    with i18n.using("es"):
        us = _need_reason(index, "Cedar")
    monkeypatch.setattr(i18n, "REGIONS", {"en": "en_US", "es": "es_ES"})
    with i18n.using("es"):
        spain = _need_reason(index, "Cedar")
        expected_share = i18n.fmt_percent(12345 / 20000)
    assert "tiene 12,345 residentes" in us and "de sus 20,000 residentes" in us
    assert "tiene 12.345 residentes" in spain and "de sus 20.000 residentes" in spain
    assert f"el {expected_share} de sus" in spain and expected_share != "62%"


def test_gap_explanations_read_in_spanish_with_the_data_names_untouched(index):
    with i18n.using("es"):
        report = analysis.find_gaps(index, disclosure=EXACT)
    isolated = report.isolated.set_index("id")
    assert isolated.loc["lonely", "explanation"] == (
        "Lonely Shop (business) no tiene ninguna alianza con otro miembro de la coalición: "
        "está aislada."
    )
    fragile = report.fragile_links
    lib = fragile[fragile["id"] == "lib"].iloc[0]["explanation"]
    assert lib.startswith(
        "Alder Library mantiene unida parte de la coalición: si se fuera, 2 organizaciones "
        "(Alder Neighbors y Cedar Church) quedarían aisladas del resto de la red de alianzas"
    )
    need = report.uncovered_need.set_index("neighborhood_id")
    assert need.loc["alder", "explanation"] == (
        "Alder tiene 400 residentes nacidos en el extranjero (± 100), más que el barrio mediano "
        "de la ciudad (250), pero solo 2 miembros de la coalición llegan a él (Alder Library y "
        "Alder Neighbors), no más que la mediana de 2."
    )
    # The columns the code reads stay codes and numbers, whatever the language.
    english = analysis.find_gaps(index, disclosure=EXACT)
    for family in ("service_gaps", "fragile_links", "isolated", "uncovered_need"):
        left = getattr(report, family).drop(columns="explanation")
        right = getattr(english, family).drop(columns="explanation")
        if family == "service_gaps":  # the help's words, translated where the schema marks them
            left, right = left.drop(columns="domain_label"), right.drop(columns="domain_label")
        pd.testing.assert_frame_equal(left, right)


def test_no_spanish_sentence_keeps_an_english_word(index):
    """Every explanation, reason and summary of the tiny city, in Spanish, with the data's own
    strings cut out, holds none of the English words tests/test_i18n.py looks for."""
    with i18n.using("es"):
        report = analysis.find_gaps(index)
        cover = analysis.coverage_report(index)
        ranked = analysis.rank_candidates(index, k=2, stability_runs=10, seed=1)
        plan = analysis.plan_committees(index, 2, ranking=ranked)
        what_if = analysis.what_if(index, ["dogwood", "birch"])
    sentences = [
        *(e for family in analysis.GAP_FAMILIES for e in getattr(report, family)["explanation"]),
        cover.summary["explanation"],
        *cover.neighborhoods["explanation"],
        *cover.communities["explanation"],
        *(r for reasons in ranked.candidates["reasons"] for r in reasons),
        plan.explanation,
        what_if.explanation,
    ]
    assert len(sentences) > 30
    assert english_left(sentences, data_strings(make_tiny_city())) == []


def test_a_viewer_loses_the_spanish_need_reason_of_a_hidden_neighborhood(index):
    with i18n.using("es"):
        candidates = analysis.rank_candidates(index, k=2, stability_runs=0).candidates
        hidden = {("neighborhood", "cedar", "foreign_born"): privacy.SmallCount(11)}
        shown = plans.public_candidates(candidates, hidden).set_index("name")
        withheld = i18n.gettext(plans.NEED_WITHHELD)
    cedar, dogwood = shown.loc["Cedar", "reasons"], shown.loc["Dogwood", "reasons"]
    assert cedar[0] == withheld and withheld.startswith("Necesidad: las cifras")
    assert not any("300" in reason for reason in cedar)
    assert dogwood[0].startswith("Necesidad: Dogwood tiene 200 residentes")


# --- the cached results on the dashboard follow the screen's language ----------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("es-analysis") / "t.db"
    open_store(path).replace_city(make_tiny_city())
    return path


def _page(store, monkeypatch, page: str) -> AppTest:
    monkeypatch.setenv("COALITION_DB", str(store))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["language"] = "es"
    at.run()
    at.switch_page(f"coalition/dashboard/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rerun_in(at: AppTest, language: str, shown_in: str) -> None:
    """Run the page again in ``language``. AppTest sends back each widget's choice by formatting
    it with the page's own format_func in the test's thread: format it in the language the last
    run showed (``shown_in``), as a browser would send the option it was shown."""
    at.session_state["language"] = language
    with i18n.using(shown_in):
        at.run()
    assert not at.exception, [e.value for e in at.exception]


def _markdown(at: AppTest) -> str:
    return "\n".join(str(element.value) for element in at.markdown)


def test_the_planner_switches_language_with_the_same_cached_results(store, monkeypatch):
    runs = []
    rank = analysis.rank_candidates
    monkeypatch.setattr(
        analysis, "rank_candidates", lambda *a, **k: runs.append(i18n.language()) or rank(*a, **k)
    )
    at = _page(store, monkeypatch, "planner.py")
    assert runs and set(runs) == {"es"}  # the Overview's ranking, then the planner's
    before = len(runs)
    spanish = _markdown(at)
    assert (
        "1 comité de bienvenida activo, con alcance en su propio barrio, llega a 1 de 4 barrios "
        "y a 400 de 1,000 residentes nacidos en el extranjero \\(40\\%\\)"
    ) in spanish
    assert "Necesidad\\: Cedar tiene 300 residentes" in spanish
    _rerun_in(at, "en", shown_in="es")
    english = _markdown(at)
    assert (
        "1 active welcoming committee, each covering its own neighborhood, reach 1 of 4 "
        "neighborhoods and 400 of 1,000 foreign\\-born residents \\(40\\%\\)"
    ) in english
    assert "Need\\: Cedar has 300 foreign\\-born residents" in english
    assert "Necesidad" not in english and "comité" not in english
    _rerun_in(at, "es", shown_in="en")
    assert _markdown(at) == spanish
    # One more ranking for English; back in Spanish, the cached Spanish result is read again.
    assert runs[before:] == ["en"]


def test_the_gaps_table_switches_language(store, monkeypatch):
    at = _page(store, monkeypatch, "gaps.py")

    def explanations() -> list[str]:
        table = at.dataframe[0].value  # the first tab: help not reaching a community
        return [str(v) for v in table.iloc[:, 0]]

    spanish = explanations()
    assert spanish[0].startswith("Ninguna organización de la coalición ofrece")
    _rerun_in(at, "en", shown_in="es")
    english = explanations()
    assert len(english) == len(spanish)
    assert english[0].startswith("No organization in the coalition offers")
