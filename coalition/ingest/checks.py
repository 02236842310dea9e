"""Cross-table checks: unique ids, known neighborhoods, ties between known nodes of the right kinds."""

from __future__ import annotations

import math

import pandas as pd

from .. import schema
from ..errors import Problem
from ..names import NameMatcher, did_you_mean
from .cells import _type_table
from .files import RawTable


def _check_ids(typed: dict[str, pd.DataFrame], files: dict[str, str],
               problems: list[Problem], known: dict[str, str] | None = None) -> dict[str, str]:
    """Ids are unique within and across tables (and ``known`` ones); returns id -> node kind."""
    kinds: dict[str, str] = dict(known or {})
    first_seen: dict[str, str] = {node_id: "the data already stored" for node_id in kinds}
    for table, id_column in schema.ID_COLUMNS.items():
        frame = typed.get(table)
        if frame is None or frame.empty:
            continue
        for node_id, number in zip(frame[id_column], frame["_row"]):
            if node_id is None:
                continue
            if node_id in kinds:
                problems.append(Problem(files[table], f"Duplicate id '{node_id}' (already used in "
                                        f"{first_seen[node_id]}). Ids must be unique across all "
                                        "tables.", row=number, column=id_column, value=node_id))
                continue
            kinds[node_id] = schema.KIND_OF_TABLE[table]
            first_seen[node_id] = f"{files[table]}"
    return kinds


def _suggestion(value: str, matcher: NameMatcher) -> str:
    """' Did you mean "x"?' for the closest known name, or an empty string."""
    suggestion = matcher.suggest(value)
    return f' Did you mean "{suggestion}"?' if suggestion else ""


def _neighborhood_hint(value: str, matcher: NameMatcher) -> str:
    return "Unknown neighborhood; use a name or id from neighborhoods.csv." + \
        _suggestion(value, matcher)


def _resolve_neighborhoods(typed: dict[str, pd.DataFrame], files: dict[str, str],
                           matcher: NameMatcher, problems: list[Problem]) -> None:
    for table, columns in schema.TABLES.items():
        frame = typed.get(table)
        if frame is None or frame.empty:
            continue
        for column in (c for c in columns if c.type == "neighborhood"):
            resolved = []
            for value, number in zip(frame[column.name], frame["_row"]):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    resolved.append(None)
                    continue
                match = matcher.match(value)
                if match is None:
                    problems.append(Problem(files[table], _neighborhood_hint(value, matcher),
                                            row=number, column=column.name, value=value))
                resolved.append(match)
            frame[column.name] = resolved


def _tie_key(source: str, target: str, tie_type: str) -> tuple[str, str, str]:
    """A tie's identity: a partnership is the same whichever way round it is written."""
    if tie_type == "partnership" and target < source:
        source, target = target, source
    return source, target, tie_type


def _check_ties(ties: pd.DataFrame, file: str, kinds: dict[str, str], matcher: NameMatcher,
                problems: list[Problem], seen: set[tuple[str, str, str]] | None = None
                ) -> pd.DataFrame:
    """Check every tie's ends, kinds and strength; drop repeated ties (a warning).

    ``seen`` holds the keys (:func:`_tie_key`) of ties already accepted, e.g. those stored.
    """
    seen = set() if seen is None else seen
    keep: list[int] = []
    sources, targets = ties["source_id"].tolist(), ties["target_id"].tolist()
    for position, (number, tie_type, value_s, value_t, strength) in enumerate(zip(
            ties["_row"].tolist(), ties["tie_type"].tolist(), sources, list(targets),
            ties["strength"].tolist())):
        if tie_type is None or value_s is None or value_t is None:
            continue  # already reported as a missing or bad cell
        source_kind, target_kind = schema.TIE_TYPES[tie_type]
        ends = {}
        ok = True
        for column, value, wanted in (("source_id", value_s, source_kind),
                                      ("target_id", value_t, target_kind)):
            node_id = value if value in kinds else (
                matcher.match(value) if wanted == schema.NEIGHBORHOOD else None)
            if node_id is None:
                if wanted == schema.NEIGHBORHOOD:
                    hint = _suggestion(value, matcher)
                else:
                    hint = did_you_mean(value, [k for k, v in kinds.items() if v == wanted])
                problems.append(Problem(file, f"The tie points to an unknown id. Add '{value}' "
                                        f"to the {wanted} table or correct the id.{hint}",
                                        row=number, column=column, value=value))
                ok = False
            elif kinds[node_id] != wanted:
                problems.append(Problem(file, f"A {tie_type} tie goes from a {source_kind} to a "
                                        f"{target_kind}, but '{value}' is a {kinds[node_id]}.",
                                        row=number, column=column, value=value))
                ok = False
            ends[column] = node_id
        if not ok:
            continue
        if ends["source_id"] == ends["target_id"]:
            problems.append(Problem(file, "A tie cannot link an id to itself.", row=number,
                                    column="target_id", value=value_t))
            continue
        key = _tie_key(ends["source_id"], ends["target_id"], tie_type)
        if key in seen:
            problems.append(Problem(file, "This tie is listed twice; keep one row (the second is "
                                    "ignored).", row=number, severity="warning",
                                    value=f"{value_s} -> {value_t}"))
            continue
        seen.add(key)
        if strength is not None and not pd.isna(strength) and not 1 <= strength <= 3:
            problems.append(Problem(file, "strength must be 1 (weak), 2 (working) or 3 "
                                    "(strong).", row=number, column="strength",
                                    value=str(strength)))
            continue
        sources[position], targets[position] = ends["source_id"], ends["target_id"]
        keep.append(position)
    checked = ties.assign(source_id=sources, target_id=targets)
    return checked.iloc[keep]


def _check_tables(raw_tables: dict[str, RawTable], problems: list[Problem]
                  ) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Type every table and run the cross-table checks; returns typed tables and file names."""
    typed: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for table in schema.TABLES:
        raw = raw_tables.get(table)
        files[table] = raw.file if raw else f"{table}.csv"
        if raw is None:
            typed[table] = pd.DataFrame(columns=["_row", *schema.column_names(table)])
            continue
        typed[table] = _type_table(table, raw, problems)

    kinds = _check_ids(typed, files, problems)
    neighborhoods = typed["neighborhoods"]
    matcher = NameMatcher.from_names(zip(neighborhoods["neighborhood_id"], neighborhoods["name"]))
    _resolve_neighborhoods(typed, files, matcher, problems)
    typed["ties"] = _check_ties(typed["ties"], files["ties"], kinds, matcher, problems)
    committees = typed["committees"]
    active = committees[committees["status"] == "active"]
    for nbhd in active["neighborhood"][active["neighborhood"].duplicated()].dropna().unique():
        problems.append(Problem(files["committees"], "Two active committees cover the same "
                                "neighborhood; is one of them forming or ended?", value=nbhd,
                                severity="warning"))
    return typed, files

