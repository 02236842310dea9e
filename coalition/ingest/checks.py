"""Cross-table checks: unique ids, known neighborhoods, ties between known nodes of the right
kinds."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from .. import schema
from ..errors import Problem
from ..i18n import _, pgettext
from ..names import NameMatcher, Suggester, hint, name_key
from ..values import is_missing
from .cells import _type_table
from .files import RawTable


def _check_ids(
    typed: dict[str, pd.DataFrame],
    files: dict[str, str],
    problems: list[Problem],
    known: dict[str, str] | None = None,
) -> dict[str, str]:
    """Ids are unique within and across tables (and ``known`` ones); returns id -> node kind."""
    kinds: dict[str, str] = dict(known or {})
    first_seen: dict[str, str] = {node_id: "the data already stored" for node_id in kinds}
    for table, id_column in schema.ID_COLUMNS.items():
        frame = typed.get(table)
        if frame is None or frame.empty:
            continue
        for node_id, number, blank in zip(
            frame[id_column].tolist(),
            frame["_row"].tolist(),
            frame[id_column].isna().tolist(),
            strict=False,
        ):
            if blank:
                continue  # a blank or invalid id: already reported once, by the cell check
            if node_id in kinds:
                problems.append(
                    Problem(
                        files[table],
                        _(
                            "Duplicate id '{id}' (already used in {file}). Ids must be unique "
                            "across all tables."
                        ).format(id=node_id, file=first_seen[node_id]),
                        row=number,
                        column=id_column,
                        value=node_id,
                    )
                )
                continue
            kinds[node_id] = schema.KIND_OF_TABLE[table]
            first_seen[node_id] = f"{files[table]}"
    return kinds


def _kind_word(kind: str) -> str:
    """A kind of node (schema.ORGANIZATION…) in a problem's sentence, in the language in use."""
    words = {
        schema.ORGANIZATION: pgettext("node kind", "organization"),
        schema.NEIGHBORHOOD: pgettext("node kind", "neighborhood"),
        schema.COMMUNITY: pgettext("node kind", "community"),
        schema.NAVIGATOR: pgettext("node kind", "navigator"),
        schema.COMMITTEE: pgettext("node kind", "committee"),
    }
    return words.get(kind, kind)


def _suggestion(value: str, matcher: NameMatcher) -> str:
    """' Did you mean "x"?' naming every close known name, or an empty string."""
    return hint(matcher.suggestions(value))


def _neighborhood_hint(value: str, matcher: NameMatcher) -> str:
    return _("Unknown neighborhood; use a name or id from neighborhoods.csv.") + _suggestion(
        value, matcher
    )


def _resolve_neighborhoods(
    typed: dict[str, pd.DataFrame],
    files: dict[str, str],
    matcher: NameMatcher,
    problems: list[Problem],
) -> None:
    for table, columns in schema.TABLES.items():
        frame = typed.get(table)
        if frame is None or frame.empty:
            continue
        for column in (c for c in columns if c.type == "neighborhood"):
            resolved: list[str | None] = []
            matches: dict[str, str | None] = {}  # a name repeated on many rows is matched once
            for value, number, blank in zip(
                frame[column.name].tolist(),
                frame["_row"].tolist(),
                frame[column.name].isna().tolist(),
                strict=False,
            ):
                if blank:
                    resolved.append(None)
                    continue
                if value in matches:
                    match = matches[value]
                else:
                    match = matches[value] = matcher.match(value)
                if match is None:
                    problems.append(
                        Problem(
                            files[table],
                            _neighborhood_hint(value, matcher),
                            row=number,
                            column=column.name,
                            value=value,
                        )
                    )
                resolved.append(match)
            frame[column.name] = resolved


def _tie_key(source: str, target: str, tie_type: str) -> tuple[str, str, str]:
    """A tie's identity: a partnership is the same whichever way round it is written."""
    if tie_type == "partnership" and target < source:
        source, target = target, source
    return source, target, tie_type


class _IdSuggester:
    """'Did you mean' among the ids of one kind, indexed once per kind (not once per tie)."""

    def __init__(self, kinds: dict[str, str]):
        self._kinds = kinds
        self._by_kind: dict[str, Suggester] = {}

    def hint(self, value: str, kind: str) -> str:
        if kind not in self._by_kind:
            self._by_kind[kind] = Suggester(k for k, v in self._kinds.items() if v == kind)
        return hint(self._by_kind[kind].suggest(value))


def _check_ties(
    ties: pd.DataFrame,
    file: str,
    kinds: dict[str, str],
    matcher: NameMatcher,
    problems: list[Problem],
    seen: set[tuple[str, str, str]] | None = None,
) -> pd.DataFrame:
    """Check every tie's ends, kinds and strength; drop repeated ties (a warning).

    ``seen`` holds the keys (:func:`_tie_key`) of ties already accepted, e.g. those stored.
    An end may be an id, or a neighborhood's name; an end of the wrong kind is named with its
    kind, and an unknown one gets every close id of the right kind as a suggestion.
    """
    seen = set() if seen is None else seen
    suggester = _IdSuggester(kinds)
    keep: list[int] = []
    sources, targets = ties["source_id"].tolist(), ties["target_id"].tolist()
    blank = ties[["tie_type", "source_id", "target_id"]].isna().any(axis=1).tolist()
    no_strength = ties["strength"].isna().tolist()
    for position, (number, tie_type, value_s, value_t, strength) in enumerate(
        zip(
            ties["_row"].tolist(),
            ties["tie_type"].tolist(),
            sources,
            list(targets),
            ties["strength"].tolist(),
            strict=False,
        )
    ):
        if blank[position]:
            continue  # already reported as a missing or bad cell
        source_kind, target_kind = schema.TIE_TYPES[tie_type]
        # The common case: both ends are known ids of the wanted kinds.
        if (
            type(value_s) is str
            and type(value_t) is str
            and kinds.get(value_s) == source_kind
            and kinds.get(value_t) == target_kind
            and value_s != value_t
        ):
            key = _tie_key(value_s, value_t, tie_type)
            if key not in seen and (no_strength[position] or 1 <= strength <= 3):
                seen.add(key)
                keep.append(position)
                continue
        ends: dict[str, str] = {}
        ok = True
        for column, value, wanted in (
            ("source_id", value_s, source_kind),
            ("target_id", value_t, target_kind),
        ):
            value = str(value)
            node_id = value if value in kinds else matcher.match(value)
            if node_id is None:
                if wanted == schema.NEIGHBORHOOD:
                    found = _suggestion(value, matcher)
                else:
                    found = suggester.hint(value, wanted)
                problems.append(
                    Problem(
                        file,
                        _(
                            "The tie points to an unknown id. Add '{id}' to the {kind} table or "
                            "correct the id."
                        ).format(id=value, kind=_kind_word(wanted))
                        + found,
                        row=number,
                        column=column,
                        value=value,
                    )
                )
                ok = False
            elif kinds.get(node_id) != wanted:
                problems.append(
                    Problem(
                        file,
                        _(
                            "A {tie_type} tie goes from a {source_kind} to a {target_kind}, but "
                            "'{id}' is a {kind}. Use the id of a {wanted} or another tie type."
                        ).format(
                            tie_type=tie_type,
                            source_kind=_kind_word(source_kind),
                            target_kind=_kind_word(target_kind),
                            id=value,
                            kind=_kind_word(kinds.get(node_id, schema.NEIGHBORHOOD)),
                            wanted=_kind_word(wanted),
                        ),
                        row=number,
                        column=column,
                        value=value,
                    )
                )
                ok = False
            else:
                ends[column] = node_id
        if not ok:
            continue
        if ends["source_id"] == ends["target_id"]:
            problems.append(
                Problem(
                    file,
                    _("A tie cannot link an id to itself."),
                    row=number,
                    column="target_id",
                    value=value_t,
                )
            )
            continue
        key = _tie_key(ends["source_id"], ends["target_id"], tie_type)
        if key in seen:
            problems.append(
                Problem(
                    file,
                    _("This tie is listed twice; keep one row (the second is ignored)."),
                    row=number,
                    severity="warning",
                    value=f"{value_s} -> {value_t}",
                )
            )
            continue
        seen.add(key)
        if not no_strength[position] and not 1 <= strength <= 3:
            problems.append(
                Problem(
                    file,
                    _("strength must be 1 (weak), 2 (working) or 3 (strong)."),
                    row=number,
                    column="strength",
                    value=str(strength),
                )
            )
            continue
        sources[position], targets[position] = ends["source_id"], ends["target_id"]
        keep.append(position)
    checked = ties.assign(source_id=sources, target_id=targets)
    return checked.iloc[keep]


def _check_neighborhood_names(
    neighborhoods: pd.DataFrame, file: str, problems: list[Problem]
) -> None:
    """Two neighborhoods whose names compare equal would share one polygon: an error."""
    rows_by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name, number in zip(neighborhoods["name"], neighborhoods["_row"], strict=False):
        if not is_missing(name) and name_key(name):
            rows_by_key[name_key(name)].append((int(number), str(name)))
    for rows in rows_by_key.values():
        (first_row, first_name), *others = rows
        for number, name in others:
            problems.append(
                Problem(
                    file,
                    _(
                        "This name is the same as '{name}' on row {row} (names are compared "
                        "ignoring case, accents, spaces and punctuation), so both rows would get "
                        "one polygon and its residents would count twice. Give each neighborhood "
                        "its own name, or merge the two rows."
                    ).format(name=first_name, row=first_row),
                    row=number,
                    column="name",
                    value=name,
                )
            )


def _check_tables(
    raw_tables: dict[str, RawTable], problems: list[Problem]
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
    _check_neighborhood_names(neighborhoods, files["neighborhoods"], problems)
    matcher = NameMatcher.from_names(
        zip(neighborhoods["neighborhood_id"], neighborhoods["name"], strict=False)
    )
    _resolve_neighborhoods(typed, files, matcher, problems)
    typed["ties"] = _check_ties(typed["ties"], files["ties"], kinds, matcher, problems)
    committees = typed["committees"]
    active = committees[committees["status"] == "active"]
    for nbhd in active["neighborhood"][active["neighborhood"].duplicated()].dropna().unique():
        problems.append(
            Problem(
                files["committees"],
                _(
                    "Two active committees cover the same neighborhood; is one of them forming "
                    "or ended?"
                ),
                value=nbhd,
                severity="warning",
            )
        )
    return typed, files
