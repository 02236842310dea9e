"""The command line in Spanish (issue 11): ``--lang``, the environment, help, and machine output.

What is checked for English: the CLI's own sentences. Sentences the analyses write (gap
explanations, coverage summary, reasons for a candidate, the plan's explanation; the privacy
label) come from library modules with their own catalogue parts: they are computed here the way
the command computes them, in Spanish, and cut out like the data's strings before
:func:`test_i18n.english_left` looks for English words in what is left.
"""

from __future__ import annotations

import json
import re

import pytest
from helpers import set_cell, tiny_folder
from test_i18n import data_strings, english_left

from coalition import cli, i18n, settings
from coalition.store import open_store

RUNS = "20"  # stability runs: enough for the sentences, quick


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A store holding the tiny city (read-only commands share it), and the folder it came from."""
    root = tmp_path_factory.mktemp("spanish")
    folder = tiny_folder(root / "tiny")
    db = str(root / "c.db")
    assert cli.main(["init", str(folder), "--db", db]) == 0
    return folder, db


@pytest.fixture(autouse=True)
def english_environment(monkeypatch):
    """Every test starts from an English environment (conftest sets COALITION_LANG=en)."""
    for name in i18n.LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COALITION_LANG", "en")


def cut(text: str, strings) -> str:
    """``text`` with each of ``strings`` (longest first) cut out."""
    for value in sorted({s for s in strings if s}, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def english_in(out: str, *, data=(), library=()) -> list[str]:
    """The lines of ``out`` holding English once data and library sentences are cut out."""
    text = cut(out, [*library, *data])
    return english_left([line for line in text.splitlines() if line.strip()], [])


def city_data(db: str) -> list[str]:
    return [*data_strings(open_store(db).read_city()), db]


# --- choosing the language ---------------------------------------------------------------------


def test_lang_es_before_or_after_the_verb(capsys, loaded):
    folder, db = loaded
    for argv in (["--lang", "es", "info", "--db", db], ["info", "--db", db, "--lang=es"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert out.splitlines()[0] == f"Tiny Town — versión de datos 1 (almacén: {db})"
        assert "recuentos: {'organizaciones': 6, 'barrios': 4," in out
        assert english_in(out, data=[*city_data(db), str(folder)]) == []
    assert i18n.language() == "en"  # put back when the run ends


def test_info_in_english_is_unchanged(capsys, loaded):
    _folder, db = loaded
    code, out, _ = run(capsys, "info", "--db", db)
    assert code == 0 and out.splitlines()[0] == f"Tiny Town — data version 1 (store: {db})"
    assert "counts: {'organization': 6, 'neighborhood': 4," in out


@pytest.mark.parametrize(
    "environment",
    [
        {"COALITION_LANG": "es"},
        {"LANG": "es_ES.UTF-8"},
        {"LC_ALL": "es_MX.UTF-8", "LANG": "en_US.UTF-8"},
        {"LANGUAGE": "es:en"},
    ],
)
def test_the_environment_picks_spanish(capsys, loaded, monkeypatch, environment):
    _folder, db = loaded
    monkeypatch.delenv("COALITION_LANG")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run(capsys, "info", "--db", db)
    assert code == 0 and "versión de datos 1" in out


def test_lang_en_overrides_a_spanish_locale(capsys, loaded, monkeypatch):
    _folder, db = loaded
    monkeypatch.delenv("COALITION_LANG")
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    code, out, _ = run(capsys, "--lang", "en", "info", "--db", db)
    assert code == 0 and "data version 1" in out and "versión" not in out


def test_an_unsupported_coalition_lang_falls_back_to_english(capsys, loaded, monkeypatch):
    _folder, db = loaded
    monkeypatch.setenv("COALITION_LANG", "fr")
    monkeypatch.setenv("LANG", "es_ES.UTF-8")  # COALITION_LANG, when set, decides
    code, out, _ = run(capsys, "info", "--db", db)
    assert code == 0 and "data version 1" in out


def test_an_unsupported_lang_is_a_usage_error_in_the_environments_language(capsys, monkeypatch):
    code, _, err = run(capsys, "--lang", "fr", "info")
    assert code == 2 and "invalid choice: 'fr' (choose from 'en', 'es')" in err
    monkeypatch.setenv("COALITION_LANG", "es")
    code, _, err = run(capsys, "--lang", "fr", "info")
    assert code == 2 and "opción no válida: 'fr' (elija entre 'en', 'es')" in err


# --- the commands' sentences -------------------------------------------------------------------


def test_validate_in_spanish(capsys, tmp_path):
    folder = tiny_folder(tmp_path / "tiny")
    code, out, _ = run(capsys, "--lang", "es", "validate", str(folder))
    assert code == 0
    assert out == (
        f"Correcto: {folder} es válida (4 barrios, 6 organizaciones, 3 comunidades, "
        "1 navegador cultural, 2 comités, 17 vínculos; 0 advertencias).\n"
    )
    assert english_in(out, data=[str(folder)]) == []


def test_validate_a_broken_folder_in_spanish(capsys, tmp_path):
    folder = tiny_folder(tmp_path / "bad")
    set_cell(folder / "ties.csv", 0, "target_id", "nobody")
    code, out, _ = run(capsys, "--lang", "es", "validate", str(folder))
    assert code == 1
    # The problem itself is coalition.ingest's sentence; the verdict is the CLI's own.
    last = out.splitlines()[-1]
    assert last == (f"NO VÁLIDA: 1 problema en {folder}; no se puede cargar nada hasta corregirlo.")
    assert english_in(last, data=[str(folder)]) == []


def _library_gaps(db: str) -> list[str]:
    from coalition.analysis import find_gaps
    from coalition.analysis.graph_index import index_city
    from coalition.privacy import EXACT_LABEL, Disclosure

    with i18n.using("es"):
        report = find_gaps(
            index_city(open_store(db).read_city()), disclosure=Disclosure.exact_counts()
        ).to_dict()
        return [str(EXACT_LABEL)] + [e["explanation"] for es in report.values() for e in es]


def test_gaps_in_spanish(capsys, loaded):
    _folder, db = loaded
    code, out, _ = run(capsys, "--lang", "es", "gaps", "--db", db, "--limit", "2")
    assert code == 0
    for heading in (
        "BRECHAS DE SERVICIOS (21)",
        "BRECHAS DE IDIOMA (0)",
        "VÍNCULOS FRÁGILES (6)",
        "PUENTES (6)",
        "MIEMBROS AISLADOS (4)",
        "NECESIDAD SIN COBERTURA (2)",
        "ORGANIZACIONES QUE INVITAR (0)",
    ):
        assert f"\n{heading}\n" in out
    assert "  … y 19 más (--limit, o --json para verlas todas)" in out
    assert "◇ se basa en filas ilustrativas" in out
    assert english_in(out, data=city_data(db), library=_library_gaps(db)) == []


def test_the_checker_sees_an_untranslated_cli_line(capsys, loaded):
    """The cut-outs leave the CLI's own lines: an English one among them is found."""
    _folder, db = loaded
    _code, out, _ = run(capsys, "--lang", "es", "gaps", "--db", db, "--limit", "2")
    left = english_in(
        out + "\n… and 19 more (--limit)", data=city_data(db), library=_library_gaps(db)
    )
    assert len(left) == 1 and "… and 19 more" in left[0]


def test_coverage_in_spanish(capsys, loaded):
    from coalition.analysis import coverage_report
    from coalition.analysis.graph_index import index_city
    from coalition.privacy import EXACT_LABEL, Disclosure

    _folder, db = loaded
    code, out, _ = run(capsys, "--lang", "es", "coverage", "--db", db)
    assert code == 0
    assert (
        "Barrios cubiertos: 1 de 4; residentes nacidos en el extranjero cubiertos: "
        "400 de 1,000 (40.0%)."
    ) in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("  barrio"))
    assert lines[header].split() == [
        "barrio",
        "comité",
        "población",
        "nacidos",
        "en",
        "el",
        "extranjero",
        "cubierto",
    ]
    assert lines[header + 1].split() == ["Alder", "activo", "1,000", "400", "sí"]
    assert lines[header + 3].split() == ["Cedar", "en", "formación", "600", "300", "no"]
    # The columns line up: every row's last cell starts where the header's does.
    assert {len(line) - len(line.split()[-1]) for line in lines[header:]} == {
        len(lines[header]) - len("cubierto")
    }
    with i18n.using("es"):
        summary = coverage_report(
            index_city(open_store(db).read_city()), disclosure=Disclosure.exact_counts()
        ).to_dict()["summary"]
        library = [str(EXACT_LABEL), summary["explanation"]]
    assert english_in(out, data=city_data(db), library=library) == []


def test_rank_in_spanish(capsys, loaded):
    from coalition.analysis import plan_committees, rank_candidates
    from coalition.analysis.graph_index import index_city
    from coalition.privacy import EXACT_LABEL

    _folder, db = loaded
    code, out, _ = run(capsys, "--lang", "es", "rank", "--db", db, "--runs", RUNS, "--k", "1")
    assert code == 0
    assert "Pesos: need=0.35, readiness=0.2, access=0.15, adjacency=0.15, gaps=0.15" in out
    assert re.search(
        r"◇ 1\. Cedar  puntaje 1\.000  \(en el puesto 1 en el \d+% de las corridas variadas, "
        r"intervalo del 95%: \d+%–\d+%\)",
        out,
    )
    assert "Plan de 1 comité nuevo (" in out and "): Cedar\n" in out
    assert (
        "Residentes nacidos en el extranjero que quedarían cubiertos: 300 (con el puesto 1 " in out
    )
    index = index_city(open_store(db).read_city())
    with i18n.using("es"):
        ranking = rank_candidates(
            index, None, k=1, stability_runs=int(RUNS), seed=settings.DEFAULT_SEED
        )
        plan = plan_committees(index, 1, ranking=ranking, rule="own", distance_km=1.0)
        ranked = ranking.to_dict()
        library = [
            str(EXACT_LABEL),
            plan.method,
            plan.to_dict()["explanation"],
            *ranked.get("notes", []),
            *(reason for c in ranked["candidates"] for reason in c["reasons"]),
        ]
    assert english_in(out, data=city_data(db), library=library) == []


def test_plural_forms_follow_the_count_in_spanish(capsys, loaded):
    """Spanish has two forms (one, other): 0 and 3 take the plural, 1 the singular."""
    _folder, db = loaded
    _code, out, _ = run(capsys, "--lang", "es", "rank", "--db", db, "--runs", RUNS, "--k", "3")
    assert "Plan de 3 comités nuevos (" in out
    assert "(con los 3 primeros por puntaje: 600)" in out
    assert "(entre los 3 primeros en el " in out


def test_survey_rounds_in_spanish(capsys, tmp_path):
    folder = tiny_folder(tmp_path / "tiny")
    db = str(tmp_path / "s.db")
    run(capsys, "init", str(folder), "--db", db)
    code, out, _ = run(capsys, "--lang", "es", "survey", "rounds", "--db", db)
    assert code == 0 and out.startswith("Todavía no hay rondas de la encuesta.")
    code, out, _ = run(capsys, "--lang", "es", "survey", "open", "otoño 2026", "--db", db)
    assert code == 0 and out.startswith("Se abrió la ronda de la encuesta otoño 2026.")
    code, table, _ = run(capsys, "--lang", "es", "survey", "rounds", "--db", db)
    assert table.splitlines()[0].split() == [
        "ronda",
        "estado",
        "abierta",
        "el",
        "por",
        "respondieron",
    ]
    assert table.splitlines()[1].split()[2] == "abierta"
    assert english_in(out + table, data=["otoño 2026", db]) == []


# --- help and argparse -------------------------------------------------------------------------

# What a help text shows that is the command line's own vocabulary, not a sentence: options,
# metavars, choices, the verbs and a few names.
_COMMAND_WORDS = re.compile(
    r"--?[\w-]+|\b[A-Z][A-Z_]+\b|\{[\w,]+\}|\$\w+|\b[\w.-]+\.(db|csv|zip)\b"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["gaps", "--help"],
        ["rank", "--help"],
        ["changes", "--help"],
        ["export", "--help"],
        ["serve", "--help"],
        ["survey", "--help"],
        ["survey", "make", "--help"],
        ["survey", "import", "--help"],
        ["user", "--help"],
        ["user", "add", "--help"],
    ],
)
def test_help_in_spanish(capsys, argv):
    code, out, _ = run(capsys, "--lang", "es", *argv)
    assert code == 0 and out.startswith("uso: coalition")
    assert "opciones:" in out and "-h, --help" in out and "mostrar esta ayuda y salir" in out
    listed = re.sub(r"^ {4}[a-z-]+ ", " ", out, flags=re.MULTILINE)  # the verbs listed
    assert english_in(_COMMAND_WORDS.sub(" ", listed)) == []


def test_argparse_errors_in_spanish(capsys):
    code, _, err = run(capsys, "--lang", "es", "rank", "--bogus")
    assert code == 2 and "uso: coalition" in err
    assert "coalition: error: argumentos no reconocidos: --bogus" in err
    code, _, err = run(capsys, "--lang", "es", "validate")
    assert code == 2
    assert "faltan los siguientes argumentos obligatorios: folder" in err
    code, _, err = run(capsys, "--lang", "es", "rank", "--k", "many")
    assert code == 2 and "argumento --k: valor int no válido: 'many'" in err


def test_argparse_is_english_again_after_a_spanish_run(capsys):
    run(capsys, "--lang", "es", "--help")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and out.startswith("usage: coalition") and "options:" in out


def test_a_usage_error_of_the_cli_in_spanish(capsys, loaded):
    _folder, db = loaded
    code, _, err = run(capsys, "--lang", "es", "rank", "--db", db, "--weights", "need")
    assert code == 2
    assert err == (
        "coalition rank: --weights acepta pares nombre=valor, p. ej. need=0.4,readiness=0.2 "
        "(se recibió 'need').\n"
    )


# --- machine output ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["info"],
        ["gaps"],
        ["gaps", "--public"],
        ["coverage", "--rule", "adjacent"],
        ["rank", "--runs", RUNS],
        ["rank", "--runs", RUNS, "--public"],
        ["changes", "--list"],
    ],
)
def test_json_is_the_same_in_both_languages(capsys, loaded, argv):
    _folder, db = loaded
    code, english, english_err = run(capsys, *argv, "--db", db, "--json")
    assert code == 0
    code, spanish, spanish_err = run(capsys, "--lang", "es", *argv, "--db", db, "--json")
    assert code == 0
    assert json.loads(spanish) == json.loads(english)
    assert spanish == english and spanish_err == english_err


def test_validate_json_is_the_same_in_both_languages(capsys, tmp_path):
    folder = tiny_folder(tmp_path / "bad")
    set_cell(folder / "ties.csv", 0, "target_id", "nobody")
    english = run(capsys, "validate", str(folder), "--json")
    spanish = run(capsys, "validate", str(folder), "--json", "--lang", "es")
    assert english[0] == spanish[0] == 1 and english[1] == spanish[1]
