"""Figures that cannot be true: checked across columns and tables, each refused with its fix.

The cell checks (:mod:`coalition.ingest.cells`) already refuse what a single cell cannot be (a
negative count, text in a number column). This module checks what figures cannot be *together*:

- a neighborhood's foreign-born or limited-English residents above its population (error);
- a margin of error below 0 (error: Census tables write codes such as ``-555555555`` where
  there is no margin), or given for a blank estimate (error: a margin of nothing);
- a margin of error larger than the neighborhood's whole population (a warning, not an error:
  the American Community Survey publishes margins larger than small estimates by design, and
  a margin on a population of 0; such a figure is too uncertain to lean on);
- a community's residents in a neighborhood (``lives_in`` residents) above that neighborhood's
  population (error); the communities of one neighborhood adding up to more than its population
  (a warning: groups may overlap); a community's neighborhoods adding up to more than its
  city-wide ``estimated_residents`` (a warning);
- a community's ``estimated_residents`` above the whole city's population (error, when every
  neighborhood has a population figure);
- ``illustrative_columns`` filled in a row that is illustrative as a whole (a warning).

A blank figure is never an error here: blank means "no figure" and is skipped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import Problem
from ..i18n import N_, _
from ..values import finite_or_none

# Estimate column -> its margin-of-error column (neighborhoods.csv).
MARGINS = {
    "population": "population_moe",
    "foreign_born": "foreign_born_moe",
    "limited_english": "limited_english_moe",
}
# Counts of residents that cannot exceed the neighborhood's population.
PARTS_OF_POPULATION = {
    "foreign_born": N_("foreign-born residents"),  # translated where shown
    "limited_english": N_("residents who speak English less than very well"),
}


def _number(value: Any) -> float | None:
    """A finite float, or None for a blank (None, NaN) or unreadable cell (a bool is no figure)."""
    return None if isinstance(value, bool) else finite_or_none(value)


def _shown(number: float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:,}"


def _check_neighborhood_figures(frame: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    # A cell already refused reads as blank: say nothing more about it (no cascade).
    refused = {(p.row, p.column) for p in problems if p.file == file and p.severity == "error"}
    for record in frame.to_dict("records"):
        row = record.get("_row")
        population = _number(record.get("population"))
        for column, words in PARTS_OF_POPULATION.items():
            part = _number(record.get(column))
            if part is not None and population is not None and part > population:
                problems.append(
                    Problem(
                        file,
                        _(
                            "{count} {who} is more than the population ({population}). Both "
                            "figures must be for the same area and year: check that the columns "
                            "are not swapped, or leave '{column}' blank if there is no figure."
                        ).format(
                            count=_shown(part),
                            who=_(words),
                            population=_shown(population),
                            column=column,
                        ),
                        row=row,
                        column=column,
                        value=_shown(part),
                    )
                )
        for estimate_column, margin_column in MARGINS.items():
            margin = _number(record.get(margin_column))
            if margin is None:
                continue
            if margin < 0:
                problems.append(
                    Problem(
                        file,
                        _(
                            "A margin of error cannot be negative. Census tables write codes such "
                            "as -555555555 where a margin does not apply: leave the cell blank "
                            "then."
                        ),
                        row=row,
                        column=margin_column,
                        value=_shown(margin),
                    )
                )
            elif (
                _number(record.get(estimate_column)) is None
                and (row, estimate_column) not in refused
            ):
                problems.append(
                    Problem(
                        file,
                        _(
                            "A margin of error is given but '{column}' is blank: fill in the "
                            "estimate or clear the margin."
                        ).format(column=estimate_column),
                        row=row,
                        column=margin_column,
                        value=_shown(margin),
                    )
                )
            elif population is not None and population > 0 and margin > population:
                problems.append(
                    Problem(
                        file,
                        _(
                            "The margin of error is larger than the whole population "
                            "({population}): the figure is too uncertain to lean on. Check that "
                            "it is a 90% margin for this neighborhood (not a total or a variance)."
                        ).format(population=_shown(population)),
                        row=row,
                        column=margin_column,
                        value=_shown(margin),
                        severity="warning",
                    )
                )


def _population_by_id(neighborhoods: pd.DataFrame) -> dict[str, float | None]:
    return {
        str(n): _number(p)
        for n, p in zip(
            neighborhoods["neighborhood_id"].tolist(),
            neighborhoods["population"].tolist(),
            strict=False,
        )
        if n is not None
    }


def _check_residents(
    ties: pd.DataFrame,
    file: str,
    population: dict[str, float | None],
    names: dict[str, str],
    problems: list[Problem],
) -> dict[str, float]:
    """Per lives_in tie: residents at most the neighborhood's population (sums returned)."""
    per_community: dict[str, float] = {}
    per_neighborhood: dict[str, float] = {}
    refused: set[str] = set()
    lives = ties[ties["tie_type"] == "lives_in"]
    for record in lives.to_dict("records"):
        residents = _number(record.get("residents"))
        if residents is None:
            continue
        community, neighborhood = str(record["source_id"]), str(record["target_id"])
        per_community[community] = per_community.get(community, 0.0) + residents
        per_neighborhood[neighborhood] = per_neighborhood.get(neighborhood, 0.0) + residents
        total = population.get(neighborhood)
        if total is not None and residents > total:
            refused.add(neighborhood)
            problems.append(
                Problem(
                    file,
                    _(
                        "{count} residents is more than the population of {place} ({total} in "
                        "neighborhoods.csv). Give the community's residents in this neighborhood "
                        "only, or leave the cell blank if there is no figure."
                    ).format(
                        count=_shown(residents),
                        place=names.get(neighborhood, neighborhood),
                        total=_shown(total),
                    ),
                    row=record.get("_row"),
                    column="residents",
                    value=_shown(residents),
                )
            )
    for neighborhood, residents in sorted(per_neighborhood.items()):
        total = population.get(neighborhood)
        if total is not None and residents > total and neighborhood not in refused:
            problems.append(
                Problem(
                    file,
                    _(
                        "The communities living in {place} add up to {count} residents, more "
                        "than its population ({total}). Fine only if the communities overlap; "
                        "otherwise check the residents figures."
                    ).format(
                        place=names.get(neighborhood, neighborhood),
                        count=_shown(residents),
                        total=_shown(total),
                    ),
                    column="residents",
                    value=neighborhood,
                    severity="warning",
                )
            )
    return per_community


def _check_community_sizes(
    communities: pd.DataFrame,
    file: str,
    population: dict[str, float | None],
    per_community: dict[str, float],
    problems: list[Problem],
) -> None:
    known = [p for p in population.values() if p is not None]
    city_total = sum(known) if known and len(known) == len(population) else None
    for record in communities.to_dict("records"):
        estimate = _number(record.get("estimated_residents"))
        if estimate is None:
            continue
        row = record.get("_row")
        if city_total is not None and estimate > city_total:
            problems.append(
                Problem(
                    file,
                    _(
                        "{count} residents is more than the whole city's population ({total}, "
                        "the sum of neighborhoods.csv). Give the community's residents in the "
                        "city only, or leave the cell blank."
                    ).format(count=_shown(estimate), total=_shown(city_total)),
                    row=row,
                    column="estimated_residents",
                    value=_shown(estimate),
                )
            )
        placed = per_community.get(str(record.get("community_id")))
        if placed is not None and placed > estimate:
            problems.append(
                Problem(
                    file,
                    _(
                        "The community's lives_in residents in ties.csv add up to {count}, more "
                        "than this city-wide estimate: one of them is off."
                    ).format(count=_shown(placed)),
                    row=row,
                    column="estimated_residents",
                    value=_shown(estimate),
                    severity="warning",
                )
            )


def _check_illustrative_columns(frame: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    if "illustrative_columns" not in frame or "illustrative" not in frame:
        return
    for row, whole_row, guessed in zip(
        frame["_row"].tolist(),
        frame["illustrative"].tolist(),
        frame["illustrative_columns"].tolist(),
        strict=False,
    ):
        if whole_row is True and isinstance(guessed, list) and guessed:
            problems.append(
                Problem(
                    file,
                    _(
                        "The whole row is illustrative (illustrative = yes), so every column is "
                        "already marked: clear illustrative_columns, or set illustrative to no if "
                        "the rest of the row is sourced."
                    ),
                    row=row,
                    column="illustrative_columns",
                    value=";".join(map(str, guessed)),
                    severity="warning",
                )
            )


def check_figures(
    typed: dict[str, pd.DataFrame],
    files: dict[str, str],
    problems: list[Problem],
    *,
    neighborhoods: pd.DataFrame | None = None,
) -> None:
    """Append a problem (file, row, column, fix) for every figure that cannot be true.

    Parameters
    ----------
    typed : dict of str to pandas.DataFrame
        Typed tables with their ``_row`` column (spreadsheet row numbers), ties already checked
        (ends resolved to ids). Any subset of the tables.
    files : dict of str to str
        The file name of each table, for the messages.
    problems : list of Problem
        Extended in place.
    neighborhoods : pandas.DataFrame, optional
        The neighborhoods to check residents against when ``typed`` has none (rows recorded
        into a stored city).

    Examples
    --------
    >>> hoods = pd.DataFrame({"_row": [2], "neighborhood_id": ["n"], "population": [100],
    ...                       "foreign_born": [150]})
    >>> found = []
    >>> check_figures({"neighborhoods": hoods}, {"neighborhoods": "neighborhoods.csv"}, found)
    >>> found[0].row, found[0].column
    (2, 'foreign_born')
    """
    own = typed.get("neighborhoods")
    if own is not None and not own.empty:
        _check_neighborhood_figures(own, files["neighborhoods"], problems)
    reference = own if neighborhoods is None else neighborhoods
    population: dict[str, float | None] = {}
    names: dict[str, str] = {}
    if reference is not None and not reference.empty:
        population = _population_by_id(reference)
        if "name" in reference:
            names = {
                str(n): str(m)
                for n, m in zip(
                    reference["neighborhood_id"].tolist(), reference["name"].tolist(), strict=False
                )
            }
    per_community: dict[str, float] = {}
    ties = typed.get("ties")
    if ties is not None and not ties.empty:
        per_community = _check_residents(ties, files["ties"], population, names, problems)
    communities = typed.get("communities")
    if communities is not None and not communities.empty:
        _check_community_sizes(
            communities, files["communities"], population, per_community, problems
        )
    for table, frame in typed.items():
        if frame is not None and not frame.empty and "_row" in frame:
            _check_illustrative_columns(frame, files[table], problems)


__all__ = ["MARGINS", "check_figures"]
