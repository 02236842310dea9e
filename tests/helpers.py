"""Small helpers shared by tests: write the tiny city as a data folder, edit CSV cells."""

from __future__ import annotations

import csv
from collections.abc import Collection, Hashable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from tiny_city import make_tiny_city

from coalition.exports import write_city_folder


def tiny_folder(path: Path) -> Path:
    """The tiny city written as a data folder at ``path``."""
    return write_city_folder(make_tiny_city(), path)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(path: Path, row_index: int, column: str, value: str) -> None:
    """Set one cell (row_index counts data rows from 0)."""
    rows = read_rows(path)
    rows[row_index][column] = value
    write_rows(path, rows)


def plan_of(graph, k: int, weights=None, **kwargs):
    """The k-plan compared with the ranking under ``weights`` (no stability runs)."""
    from coalition.analysis import plan_committees, rank_candidates

    ranking = rank_candidates(graph, weights, k=k, stability_runs=0)
    return plan_committees(graph, k, ranking=ranking, **kwargs)


# Streamlit elements whose value is text a person reads (AppTest element kinds).
TEXT_ELEMENTS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "error",
    "warning",
    "info",
    "success",
)


def element_texts(at: Any, kinds: tuple[str, ...] = TEXT_ELEMENTS) -> list[str]:
    """The values of every element of these kinds on an AppTest page, as strings."""
    return [str(element.value) for kind in kinds for element in at.get(kind)]


def solvable(hidden: Collection[Hashable], lines: Iterable[Any], cell: Hashable) -> bool:
    """Whether a hidden cell's value follows from sum lines (parts add up to the total), every
    cell not in ``hidden`` being known: an independent check of coalition.privacy.protect.

    It does exactly when the cell's unit vector lies in the row space of the line equations
    restricted to the hidden cells (numpy.linalg.matrix_rank).
    """
    order = sorted(hidden, key=repr)
    column = {c: j for j, c in enumerate(order)}
    rows = []
    for line in lines:
        row = np.zeros(len(order))
        for part in line.parts:
            if part in column:
                row[column[part]] += 1
        if line.total in column:
            row[column[line.total]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return False
    matrix = np.array(rows)
    unit = np.zeros(len(order))
    unit[column[cell]] = 1
    return np.linalg.matrix_rank(np.vstack([matrix, unit])) == np.linalg.matrix_rank(matrix)


# --- which dashboard pages an AppTest run registered ---------------------------------------------
DASHBOARD_DIR = Path(__file__).resolve().parent.parent / "coalition" / "dashboard"


def page_files() -> dict[str, str]:
    """Each page's url path -> its script file (coalition.dashboard.PAGES)."""
    from coalition.dashboard import PAGES

    return {url_path: str(DASHBOARD_DIR / file) for file, _, url_path in PAGES}


def registered(at: Any) -> set[str]:
    """The url paths of the pages the last AppTest run registered with st.navigation."""
    from coalition.dashboard import PAGES

    url_of_title = {title: url_path for _, title, url_path in PAGES} | {
        "Sign in": "sign-in",
        "Accounts needed": "setup",
    }
    return {url_of_title[str(info["page_name"])] for info in at._registered_pages.values()}


def page_is_registered(at: Any, url_path: str) -> bool:
    """Whether switching to the page's script works (it is a page of the navigation)."""
    try:
        at.switch_page(page_files()[url_path]).run()
    except ValueError as exc:
        assert "Could not find a navigation page" in str(exc)
        return False
    return True
