"""The commission brief (coalition/brief.py): renders, says every figure, hides small counts.

Figures are worked out here from the city's own tables (Hartford: data/hartford), not from the
brief's code: foreign-born total and covered (the neighborhood with the active committee), the
plan's picks' foreign-born figures. Pages are drawn to PNG with poppler's ``pdftoppm``
(``make pdf-deps``) and the text is read back with pypdf.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from test_i18n import ENGLISH_WORDS, data_strings
from tiny_city import make_tiny_city

from coalition import analysis, cli, i18n
from coalition.brief import UNSHOWN_MARK, build_brief, page_count, writable
from coalition.errors import AnalysisError
from coalition.ingest import read_city
from coalition.model import build_graph
from coalition.presenting.gaps import top_gap_sentences
from coalition.privacy import Disclosure
from coalition.store import open_store

ROOT = Path(__file__).resolve().parent.parent
HARTFORD = ROOT / "data" / "hartford"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CREATED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def text_of(pdf: bytes, *, footers: bool = True) -> str:
    """The PDF's text, whitespace collapsed (lines wrap anywhere); without ``footers`` each
    page's last line (its footer, which a paragraph running over a page break would enclose)
    is left out."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() or "" for page in reader.pages]
    if not footers:
        pages = [page.rsplit("\n", 1)[0] for page in pages]
    return " ".join(" ".join(pages).split())


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cut(text: str, strings: list[str]) -> str:
    """``text`` without ``strings``, matched whatever whitespace the wrapping put inside them."""
    for value in sorted({s for s in strings if s.strip()}, key=len, reverse=True):
        chars = [re.escape(c) for c in re.sub(r"\s+", "", value)]
        text = re.sub(r"\s*".join(chars), " ", text)
    return text


@pytest.fixture(scope="module")
def hartford():
    city = read_city(HARTFORD)
    return city, build_graph(city)


@pytest.fixture(scope="module")
def briefs(hartford):
    city, graph = hartford
    return {lang: build_brief(city, graph, lang=lang, created=CREATED) for lang in ("en", "es")}


@pytest.fixture(scope="module")
def figures(hartford):
    """Hartford's figures worked out from its tables alone."""
    city, graph = hartford
    hoods = city.tables["neighborhoods"].set_index("neighborhood_id")
    committees = city.tables["committees"]
    by_name = {str(n): i for i, n in hoods["name"].items()}
    active = {
        by_name.get(n, n) for n in committees[committees["status"] == "active"]["neighborhood"]
    }
    total = int(hoods["foreign_born"].sum())
    covered = int(hoods.loc[sorted(active), "foreign_born"].sum())
    plan = analysis.plan_committees(graph, 3, ranking=analysis.rank_candidates(graph, k=3))
    picks = [p.neighborhood_id for p in plan.selected]
    newly = int(hoods.loc[picks, "foreign_born"].sum())
    return {
        "neighborhoods": len(hoods),
        "active": len(active),
        "total": total,
        "covered": covered,
        "share": round(100 * covered / total),
        "picks": [str(hoods.loc[p, "name"]) for p in picks],
        "newly": newly,
        "after": covered + newly,
        "source": str(hoods["source"].iloc[0]),
        "source_date": str(hoods["source_date"].iloc[0]),
    }


def test_hartford_brief_draws_every_page_in_both_languages(briefs, tmp_path):
    assert shutil.which("pdftoppm"), "install poppler-utils: make pdf-deps"
    for lang, pdf in briefs.items():
        assert pdf.startswith(b"%PDF-")
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        assert pages >= 4 and page_count(pdf) == pages
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", "-", str(tmp_path / lang)],
            input=pdf,
            check=True,
            capture_output=True,
        )
        images = sorted(tmp_path.glob(f"{lang}-*.png"))
        assert len(images) == pages
        for image in images:
            grey = np.asarray(Image.open(image).convert("L"))
            assert (grey < 200).mean() > 0.005, f"{image.name} is blank"
        # The map: the plan's picks in orange (230, 159, 0) and the active committee's
        # neighborhood in blue (0, 114, 178) on the first page.
        first = np.asarray(Image.open(images[0]).convert("RGB")).reshape(-1, 3).astype(int)
        orange = np.abs(first - (230, 159, 0)).max(axis=1) < 15
        blue = np.abs(first - (0, 114, 178)).max(axis=1) < 15
        assert orange.sum() > 100 and blue.sum() > 100


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_figure_is_in_the_brief(briefs, figures, lang):
    text = text_of(briefs[lang])
    with i18n.using(lang):
        share = i18n.fmt_percent(figures["share"] / 100)
    assert f"1,958 {'of' if lang == 'en' else 'de'} 27,595 ({share})" in text
    assert f"{figures['covered']:,}" == "1,958" and f"{figures['total']:,}" == "27,595"
    assert (
        f"{figures['active']} {'of' if lang == 'en' else 'de'} {figures['neighborhoods']}" in text
    )
    assert f"{figures['after']:,} {'of' if lang == 'en' else 'de'} {figures['total']:,}" in text
    assert f"{figures['newly']:,}" in text
    for name in figures["picks"]:
        assert name in text
    # Sources and dates of the figures: the census source of the neighborhoods, with its date.
    assert squeezed(figures["source"]) in squeezed(text)
    assert figures["source_date"] in text
    assert "◇" in text  # Hartford's illustrative rows are marked, and the mark explained
    explained = "rests on illustrative rows" if lang == "en" else "se basa en filas ilustrativas"
    assert explained in text


def test_the_brief_holds_the_ranking_the_gaps_and_the_starter_kit(briefs, hartford):
    _city, graph = hartford
    text = text_of(briefs["en"], footers=False)  # a paragraph may run over a page break
    ranked = analysis.rank_candidates(graph, k=3).candidates.sort_values("rank")
    for _, row in ranked.head(3).iterrows():
        # Each top candidate's line, its score parts in the table, and its first reason.
        assert f"{row['rank']}. {row['name']} ◇: score {row['score']:.2f}, in the top 3" in text
        parts = " ".join(i18n.fmt_number(row[f"part_{p}"], 2) for p in analysis.COMPONENTS)
        assert f"{row['name']} ◇ {row['score']:.2f} {parts}" in text
        assert squeezed(row["reasons"][0]) in squeezed(text)
    worst = top_gap_sentences(analysis.find_gaps(graph, disclosure=Disclosure.public()), 5)
    assert len(worst) == 5 and all(squeezed(s) in squeezed(text) for s in worst)
    assert "The best set of 3 versus the top 3 by score" in text
    assert "Starter kit for the first pick: South End" in text
    assert "Sources and dates" in text


def test_the_pdf_says_its_title_language_and_date(briefs):
    reader = PdfReader(io.BytesIO(briefs["es"]))
    assert reader.metadata.title == "Hartford, Connecticut: informe para la comisión"
    assert reader.metadata.creation_date.replace(tzinfo=UTC) == CREATED
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert PdfReader(io.BytesIO(briefs["en"])).trailer["/Root"]["/Lang"] == "en"


def test_the_spanish_brief_has_no_english_left(briefs, hartford):
    city, _graph = hartford
    # Only the data's own strings are cut out (names, notes, sources are shown as written):
    # every sentence, the analyses' reasons and findings and the starter kit's lines included,
    # must be Spanish.
    text = cut(text_of(briefs["es"], footers=False), data_strings(city))
    assert "informe para la comisión — página 2" in text_of(briefs["es"])
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
    assert not words & ENGLISH_WORDS, (sorted(words & ENGLISH_WORDS), text)
    assert "Cobertura actual" in text and "Fuentes y fechas" in text


def test_the_english_brief_fails_the_same_check(briefs, hartford):
    city, _graph = hartford
    text = cut(text_of(briefs["en"]), data_strings(city))
    assert {"the", "of"} <= {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


@pytest.fixture(scope="module")
def leaky():
    city = read_city(FIXTURES / "leaky_city")
    return city, build_graph(city)


def _whole_numbers(text: str) -> set[int]:
    """Counts in a text: whole numbers not part of a decimal, a date or an id."""
    found = re.findall(r"(?<![\d.,/\-:])(\d{1,3}(?:,\d{3})*)(?![\d.]|,\d|-\d|%)", text)
    return {int(n.replace(",", "")) for n in found}


def test_no_small_count_in_a_shared_brief(leaky):
    city, graph = leaky
    # By hand (tests/fixtures/leaky_city): Andean families in Ashgrove 7, Eritrean families 9
    # (in Cliffside), Dunmore's foreign-born 6, Cliffside's limited English 8.
    small = {6, 7, 8, 9}
    for neighborhood in (None, "ashgrove", "cliffside", "dunmore"):
        text = text_of(build_brief(city, graph, neighborhood=neighborhood))
        assert not _whole_numbers(text) & small, (neighborhood, _whole_numbers(text) & small)
    profile = text_of(build_brief(city, graph, neighborhood="dunmore"))
    assert "Foreign-born residents: fewer than 11." in profile
    # The same page for an editor shows them (so the check above can fail).
    exact = text_of(build_brief(city, graph, neighborhood="dunmore", disclosure=Disclosure(True)))
    assert "Foreign-born residents: 6 ± 4." in exact
    assert "not for sharing" in exact


def test_a_neighborhood_profile_is_one_page(hartford):
    city, graph = hartford
    for neighborhood in ("south-end", "asylum-hill", "north-meadows"):
        for lang in ("en", "es"):
            pdf = build_brief(city, graph, neighborhood=neighborhood, lang=lang)
            assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, (neighborhood, lang)
    text = text_of(build_brief(city, graph, neighborhood="south-end"))
    hoods = city.tables["neighborhoods"].set_index("neighborhood_id")
    assert f"Foreign-born residents: {int(hoods.loc['south-end', 'foreign_born']):,} ±" in text
    assert "South End: neighborhood profile" in text


def test_hostile_names_are_literal_text():
    city = read_city(FIXTURES / "hostile_city")
    graph = build_graph(city)
    whole = text_of(build_brief(city, graph))
    for name in ("Alder <img src=x onerror=alert(1)>", "Birch <script>alert(1)</script>"):
        assert name in whole
    profile = text_of(build_brief(city, graph, neighborhood="dogwood"))
    assert "{{7*7}} {% raw %} ${7*7} {0.__class__} %(x)s" in profile
    assert len(PdfReader(io.BytesIO(build_brief(city, graph, neighborhood="dogwood"))).pages) == 1


def _renamed(names: dict[str, str]):
    city = make_tiny_city()
    communities = city.tables["communities"].copy()
    communities["name"] = [
        names.get(c, n)
        for c, n in zip(communities["community_id"], communities["name"], strict=True)
    ]
    city.tables["communities"] = communities
    return city


def test_names_in_other_scripts_use_the_bundled_fonts_or_their_id():
    assert writable("नेपाली") and writable("ကညီ") and writable("العربية") and writable("ትግርኛ")
    assert not writable("ᏣᎳᎩ") and not writable("中文")
    city = _renamed({"latino": "नेपाली समुदाय", "karen": "ᏣᎳᎩ families"})
    pdf = build_brief(city, build_graph(city), neighborhood="dogwood")
    text = text_of(pdf)
    assert f"karen {UNSHOWN_MARK}" in text
    assert "ᏣᎳᎩ" not in text
    assert "is shown by its id: karen" in text
    alder = text_of(build_brief(city, build_graph(city), neighborhood="alder"))
    assert f"latino {UNSHOWN_MARK}" not in alder  # the Devanagari name is drawn (Noto)
    assert "is shown by its id" not in alder  # and nobody on Alder's page lacks a glyph


def test_bad_requests_say_what_to_do(hartford):
    city, graph = hartford
    with pytest.raises(AnalysisError, match="use one of en, es"):
        build_brief(city, graph, lang="fr")
    with pytest.raises(AnalysisError, match="south-end"):
        build_brief(city, graph, neighborhood="atlantis")
    with pytest.raises(AnalysisError, match="1 or more"):
        build_brief(city, graph, k=0)


def test_a_city_with_every_committee_active_still_has_a_brief():
    city = make_tiny_city()
    hoods = city.tables["neighborhoods"]
    committees = pd.DataFrame(
        {
            "committee_id": [f"wc-{n}" for n in hoods["neighborhood_id"]],
            "name": [f"{n} committee" for n in hoods["name"]],
            "neighborhood": list(hoods["neighborhood_id"]),
            "status": ["active"] * len(hoods),
            "start_date": ["2020"] * len(hoods),
        }
    )
    for column in city.tables["committees"].columns:
        if column not in committees:
            committees[column] = [city.tables["committees"][column].iloc[0]] * len(committees)
    city.tables["committees"] = committees[city.tables["committees"].columns]
    text = text_of(build_brief(city, build_graph(city)))
    assert "there is no candidate to rank" in text


def test_cli_writes_the_brief(tmp_path, capsys):
    db = tmp_path / "h.db"
    assert cli.main(["init", "--db", str(db), str(HARTFORD)]) == 0
    out = tmp_path / "brief.pdf"
    assert cli.main(["brief", "--db", str(db), "--lang", "es", str(out)]) == 0
    said = capsys.readouterr().out
    pages = len(PdfReader(out).pages)
    assert f"{out}: {pages} páginas" in said
    assert "informe para la comisión" in text_of(out.read_bytes())
    one = tmp_path / "one.pdf"
    assert cli.main(["brief", "--db", str(db), "--neighborhood", "South End", str(one)]) == 0
    assert "1 page" in capsys.readouterr().out and len(PdfReader(one).pages) == 1
    assert cli.main(["brief", "--db", str(db), "--neighborhood", "Atlantis", str(one)]) == 1
    assert "use one of its ids" in capsys.readouterr().err
    assert cli.main(["brief", "--db", str(db), str(tmp_path)]) == 2
    assert cli.main(["brief", "--db", str(db), "--k", "0", str(one)]) == 2


# --- the dashboard's download -----------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("brief") / "t.db"
    open_store(path).replace_city(make_tiny_city())
    return path


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_planner_offers_the_brief_in_the_screens_language(tiny_db, monkeypatch, lang):
    monkeypatch.setenv("COALITION_DB", str(tiny_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["language"] = lang
    at.run()
    at.switch_page("coalition/dashboard/planner.py").run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b for b in at.get("download_button") if b.proto.id.endswith("brief_download")]
    assert len(buttons) == 1
    label = buttons[0].proto.label
    assert label == (
        "Download the commission brief (PDF)"
        if lang == "en"
        else "Descargar el informe para la comisión (PDF)"
    )
    choice = at.selectbox(key="brief_lang")
    assert choice.value == lang
    whole = "The whole city" if lang == "en" else "Toda la ciudad"
    options = at.selectbox(key="brief_neighborhood").options
    assert options == [whole, "Alder", "Birch", "Cedar", "Dogwood"]


def test_the_download_builds_the_brief_and_audits_it(tiny_db, monkeypatch):
    from coalition.accounts import operator
    from coalition.dashboard import brief_ui, cache
    from coalition.settings import db_url

    monkeypatch.setenv("COALITION_DB", str(tiny_db))
    store = open_store(tiny_db)
    snap = cache.Snapshot(db_url(tiny_db), store.version())
    before = len(store.audit_log(account=operator(), limit=1000))
    pdf = brief_ui.deferred_brief(snap, "es", "dogwood", (2, "own", 1.0, ()))()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "Dogwood: perfil del barrio" in text_of(pdf)
    log = store.audit_log(account=operator(), limit=1000)
    assert len(log) == before + 1
    assert "commission brief (pdf, es, dogwood, public)" in log.iloc[0]["what"]


def test_a_crowded_profile_is_cut_to_fit_its_one_page():
    city = make_tiny_city()
    long = "Very Long Name of a Community Organization Serving Everyone in the Whole Region " * 9
    organizations = city.tables["organizations"].copy()
    organizations["name"] = [f"{i} {long}" for i in range(len(organizations))]
    city.tables["organizations"] = organizations
    city = _renamed({c: f"{c} {long}" for c in city.tables["communities"]["community_id"]})
    city.tables["organizations"] = organizations
    pdf = build_brief(city, build_graph(city), neighborhood="alder")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    # Every line is on the page: the last note (the privacy line) is drawn above the footer.
    ys: list[float] = []
    reader.pages[0].extract_text(
        visitor_text=lambda text, _cm, tm, *_: ys.append(tm[5]) if text.strip() else None
    )
    assert min(ys) > 0, "a line was drawn below the page"
    text = text_of(pdf)
    assert "may be shared" in text
    assert long.strip() not in text and "…" in text  # the names were shortened to fit
