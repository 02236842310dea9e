"""Importing a partner-survey round: 200 members, 4,000 answers (issue 10; target under 5 s).

Run: ``.venv/bin/python -m benchmarks.bench_survey`` (also picked up by ``make bench`` through
``run()``). Not a test: nothing here asserts a time.

Cases (each: 200 members, every one answering about 20 partners = 4,000 answers, all 8 items,
a profile, and 10 members answering twice so the latest-answer rule runs):

- ``survey-import-html-200``: 210 JSON files saved by the offline form, partners named by their
  *names* with varied case and punctuation (the forgiving matcher's path).
- ``survey-import-kobo-200``: a KoboToolbox CSV export (main file + the partners repeat file).
- ``survey-import-workbook-20``: 20 filled-in workbooks of a 200-member roster (openpyxl is the
  slow part; a round gets at most a few by email).
- ``survey-store-import-html-200``: the offline-form files read and imported into a SQLite store
  holding a 200-member city (the round as the CLI and the Survey rounds page import it).
- ``survey-forms-200``: making the XLSForm, the offline form and the workbook for 200 members.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from coalition.survey import forms, questions
from coalition.survey.importers import import_answers

MEMBERS = 200
PARTNERS_EACH = 20
TWICE = 10
TARGET_SECONDS = 5.0


def roster(n: int = MEMBERS) -> dict[str, pd.DataFrame]:
    """A roster of ``n`` members with distinct names."""
    orgs = pd.DataFrame(
        {
            "org_id": [f"org-{i:04d}" for i in range(n)],
            "name": [f"Member Organization {i} of Hartford" for i in range(n)],
        }
    )
    hoods = pd.DataFrame(
        {
            "neighborhood_id": [f"hood-{i}" for i in range(17)],
            "name": [f"Area {i}" for i in range(17)],
        }
    )
    return {"organizations": orgs, "neighborhoods": hoods}


def _answers(seed: int = 0) -> list[tuple[int, int, list[tuple[int, list[int]]]]]:
    """(respondent, minute, [(partner, 8 codes)]) for every submission, with a few repeats."""
    rng = random.Random(seed)
    subs = []
    for i in range(MEMBERS):
        others = [j for j in range(MEMBERS) if j != i]
        picked = rng.sample(others, PARTNERS_EACH)
        subs.append((i, i, [(j, [rng.randint(1, 4) for _ in range(8)]) for j in picked]))
    for i in range(TWICE):  # answered again, later
        subs.append((i, 10_000 + i, subs[i][2]))
    return subs


def _stamp(minute: int) -> str:
    return f"2026-11-{1 + minute // 1440:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00Z"


def html_files(members: dict[str, pd.DataFrame] | None = None) -> list[tuple[str, bytes]]:
    """The offline form's files of every submission, for ``members`` (default: :func:`roster`)."""
    members = members if members is not None else roster()
    ids = members["organizations"]["org_id"].tolist()
    names = members["organizations"]["name"].tolist()
    hood = str(members["neighborhoods"]["neighborhood_id"].iloc[1])
    keys = [item.key for item in questions.PARTNER_ITEMS]
    files = []
    for n, (i, minute, partners) in enumerate(_answers()):
        entry = {
            "format": forms.JSON_FORMAT,
            "version": 1,
            "round": "bench",
            "respondent": ids[i],
            "answered_at": _stamp(minute),
            "partners": [
                # Names, not ids, spelled loosely: upper case, extra spaces.
                {
                    "partner": "  ".join(names[j].upper().split(" ", 1)),
                    **dict(zip(keys, codes, strict=True)),
                }
                for j, codes in partners
            ],
            "profile": {
                "services": ["legal", "health"],
                "languages": ["English"],
                "neighborhoods": [hood],
            },
            "outside": [{"name": "Somewhere Else", "relation": 2}],
        }
        files.append((f"answer-{n}.json", json.dumps(entry).encode()))
    return files


def kobo_files() -> list[tuple[str, bytes]]:
    keys = [item.key for item in questions.PARTNER_ITEMS]
    main, partners = io.StringIO(), io.StringIO()
    m = csv.writer(main, delimiter=";", quoting=csv.QUOTE_ALL)
    p = csv.writer(partners, delimiter=";", quoting=csv.QUOTE_ALL)
    m.writerow(
        [
            "respondent",
            "profile/services",
            "profile/languages",
            "_id",
            "_uuid",
            "_submission_time",
            "_index",
        ]
    )
    p.writerow(
        ["partner", *keys, "_index", "_parent_table_name", "_parent_index", "_submission__uuid"]
    )
    row = 0
    for n, (i, minute, answered) in enumerate(_answers(), start=1):
        uuid = f"uuid-{n:06d}"
        m.writerow([f"org-{i:04d}", "legal health", "English", n, uuid, _stamp(minute)[:-1], n])
        for j, codes in answered:
            row += 1
            p.writerow([f"org-{j:04d}", *codes, row, "bench", n, uuid])
    return [("main.csv", main.getvalue().encode()), ("partners.csv", partners.getvalue().encode())]


def workbook_files(count: int = 20) -> list[tuple[str, bytes]]:
    from openpyxl import load_workbook

    blank = forms.workbook(roster(), "bench")
    files = []
    for i, _, answered in _answers()[:count]:
        book = load_workbook(io.BytesIO(blank))
        book["about you"]["B1"] = f"Member Organization {i} of Hartford"
        sheet = book["partners"]
        for r, (j, codes) in enumerate(answered, start=3):
            sheet.cell(row=r, column=1).value = f"Member Organization {j} of Hartford"
            for c, code in enumerate(codes, start=2):
                sheet.cell(row=r, column=c).value = code
        buffer = io.BytesIO()
        book.save(buffer)
        files.append((f"member-{i}.xlsx", buffer.getvalue()))
    return files


def _time(case: str, files: list[tuple[str, bytes]], **extra: Any) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    result = import_answers(files, roster(), "bench")
    seconds = time.perf_counter() - start
    return {
        "case": case,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "files": len(files),
        "respondents": len(result.answers.respondents()),
        "answers": len(result.answers.answers),
        "replaced": result.preview()["replaced"],
        "load_average": os.getloadavg()[0],
        **extra,
    }


def store_import() -> dict:
    """Read the offline-form files and import them into a store (SQLite, a 200-member city)."""
    from coalition.accounts import operator
    from coalition.analysis.synthetic import make_synthetic_city
    from coalition.store import open_store

    city = make_synthetic_city(orgs=MEMBERS, ties=2_000, areas=17, seed=0)
    orgs = city.tables["organizations"].assign(member=True)
    city = dataclasses.replace(city, tables={**city.tables, "organizations": orgs})
    files = html_files(city.tables)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        store.replace_city(city, account=operator())
        store.open_survey_round("bench", account=operator())
        start, cpu = time.perf_counter(), time.process_time()
        result = import_answers(files, city, "bench")
        plan = store.import_survey_answers(result.answers, account=operator())
        seconds = time.perf_counter() - start
        kept = store.read_survey_round("bench", account=operator())
        store.engine.dispose()
    return {
        "case": "survey-store-import-html-200",
        "seconds": round(seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "files": len(files),
        "respondents": len(plan.new),
        "answers_kept": len(kept.answers),
        "load_average": os.getloadavg()[0],
        "target": TARGET_SECONDS,
        "meets_target": seconds < TARGET_SECONDS,
    }


def run() -> list[dict]:
    """Time each case once; returns one record per case (hook of benchmarks/run.py)."""
    records = [
        _time("survey-import-html-200", html_files(), target=TARGET_SECONDS),
        _time("survey-import-kobo-200", kobo_files(), target=TARGET_SECONDS),
        _time("survey-import-workbook-20", workbook_files()),
    ]
    records[0]["meets_target"] = records[0]["seconds"] < TARGET_SECONDS
    records[1]["meets_target"] = records[1]["seconds"] < TARGET_SECONDS
    records.append(store_import())
    start = time.perf_counter()
    made = roster()
    sizes = {
        "xlsform_bytes": len(forms.xlsform(made, "bench")),
        "offline_form_bytes": len(forms.offline_form(made, "bench")),
        "workbook_bytes": len(forms.workbook(made, "bench")),
    }
    records.append(
        {"case": "survey-forms-200", "seconds": round(time.perf_counter() - start, 2), **sizes}
    )
    return records


def main() -> None:
    for record in run():
        print(json.dumps(record))


if __name__ == "__main__":
    main()
