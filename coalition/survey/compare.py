"""Compare two partner-survey rounds: ties gained and lost, trust and value, who became central.

Definitions
-----------
- A tie is gained when the later round reports a pair the earlier did not, lost the other way
  round, counting the pairs kept by the tie mode (``"confirmed"`` or ``"any"`` report, see
  :func:`coalition.survey.analysis.survey_ties`). A lost tie whose ends did not both answer the
  later round says so: it may simply not have been asked.
- Trust and value changes are the differences of :func:`coalition.survey.analysis.trust_value`
  between the rounds, given only when both rounds have at least
  :data:`coalition.survey.analysis.MIN_RATERS` raters for that figure.
- A member is central in a round when its degree centrality is in the round's top quartile:
  more partners than at least three quarters of the members
  (:func:`coalition.survey.analysis.central_members`). Newly central: central in the later
  round and not in the earlier; newly peripheral: the other way round (it left the top
  quartile).

Sentences name organizations by the names in the data; a name is only ever a value put into a
sentence, never part of a format string.

Examples
--------
>>> comparison = compare_rounds(spring, fall, roster, ties="any")  # doctest: +SKIP
>>> comparison.sentences[0]  # doctest: +SKIP
'Round fall compared with round spring (any report): 1 tie gained, 2 lost.'
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from ..analysis.graph_index import join_names, plural
from .analysis import (
    FEWER_THAN,
    MIN_RATERS,
    NetworkTrustValue,
    RoundAnswers,
    _check,
    _check_mode,
    _Checked,
    _measures,
    _network,
    _network_trust_value,
    _response_summary,
    _trust_value,
    central_members,
)
from .questions import RELATION

logger = logging.getLogger(__name__)

TIE_CHANGE_COLUMNS = ["a", "b", "a_name", "b_name", "relation", "reciprocity", "note"]
RATING_CHANGE_COLUMNS = [
    "org_id",
    "name",
    "value_before",
    "value_after",
    "value_change",
    "trust_before",
    "trust_after",
    "trust_change",
    "note",
]
# Sentences name at most this many members per kind of change; the tables have them all.
SHOWN_CHANGES = 10
POSITION_CHANGE_COLUMNS = [
    "org_id",
    "name",
    "partners_before",
    "partners_after",
    "centrality_before",
    "centrality_after",
]


@dataclass(frozen=True)
class RoundComparison:
    """Two rounds compared: tables and the sentences that say what changed.

    Attributes
    ----------
    before, after : str
        The rounds' names.
    ties_mode : str
        ``"confirmed"`` or ``"any"``.
    ties_gained, ties_lost : pandas.DataFrame
        :data:`TIE_CHANGE_COLUMNS`; ``relation`` is the label reported in the round that has
        the tie, ``note`` says when an end did not answer the later round.
    trust_value : pandas.DataFrame
        :data:`RATING_CHANGE_COLUMNS`, one row per member on both rosters; a figure from fewer
        than 3 raters is NaN and its change too.
    newly_central, newly_peripheral : pandas.DataFrame
        :data:`POSITION_CHANGE_COLUMNS`.
    measures : pandas.DataFrame
        The two rounds' network measures (one row each, earlier first).
    sentences : list of str
    """

    before: str
    after: str
    ties_mode: str
    ties_gained: pd.DataFrame
    ties_lost: pd.DataFrame
    trust_value: pd.DataFrame
    newly_central: pd.DataFrame
    newly_peripheral: pd.DataFrame
    measures: pd.DataFrame
    sentences: list[str]


Pair = tuple[str, str]


def _pairs(checked: _Checked, keep: tuple[str, ...]) -> dict[Pair, dict[Any, Any]]:
    """The kept pairs of a round, (a, b) -> its reciprocity row."""
    pairs = checked.pairs
    pairs = pairs[pairs["reciprocity"].isin(keep)]
    return {(str(row["a"]), str(row["b"])): row for row in pairs.to_dict("records")}


def _tie_table(
    pairs: dict[Pair, dict[Any, Any]], keys: list[Pair], notes: list[str]
) -> pd.DataFrame:
    rows = [
        {
            "a": a,
            "b": b,
            "a_name": pairs[(a, b)]["a_name"],
            "b_name": pairs[(a, b)]["b_name"],
            "relation": RELATION.label(int(pairs[(a, b)]["relation"])),
            "reciprocity": pairs[(a, b)]["reciprocity"],
            "note": note,
        }
        for (a, b), note in zip(keys, notes, strict=True)
    ]
    return pd.DataFrame(rows, columns=TIE_CHANGE_COLUMNS)


def _positions(
    nodes: list[str],
    names: dict[str, str],
    before: nx.Graph,
    after: nx.Graph,
) -> pd.DataFrame:
    def centrality(graph: nx.Graph, node: str) -> float:
        n = graph.number_of_nodes()
        return graph.degree(node) / (n - 1) if node in graph and n > 1 else math.nan

    rows = [
        {
            "org_id": node,
            "name": names[node],
            "partners_before": before.degree(node) if node in before else 0,
            "partners_after": after.degree(node) if node in after else 0,
            "centrality_before": centrality(before, node),
            "centrality_after": centrality(after, node),
        }
        for node in nodes
    ]
    return pd.DataFrame(rows, columns=POSITION_CHANGE_COLUMNS)


def _figure(value: float) -> str:
    return f"{value:.2f}"


def _direction(change: float) -> str:
    return "rose" if change > 0 else ("fell" if change < 0 else "stayed")


def compare_rounds(
    before: RoundAnswers,
    after: RoundAnswers,
    roster: pd.DataFrame,
    *,
    ties: str = "any",
    roster_before: pd.DataFrame | None = None,
) -> RoundComparison:
    """Compare an earlier and a later survey round.

    Parameters
    ----------
    before, after : RoundAnswers
        The earlier and the later round.
    roster : pandas.DataFrame
        The later round's roster (``org_id``, ``name``, ``orientation``:
        :func:`coalition.survey.analysis.roster_of`).
    ties : {"confirmed", "any"}
        Which reported pairs count as ties.
    roster_before : pandas.DataFrame, optional
        The earlier round's roster when membership changed (default: ``roster``).

    Returns
    -------
    RoundComparison

    Raises
    ------
    coalition.errors.DataError, coalition.errors.ValidationError
        A roster or a round is malformed, or a round names an organization not on its roster.

    Examples
    --------
    >>> compare_rounds(spring, fall, roster).newly_central["name"].tolist()  # doctest: +SKIP
    ['Birch Legal Aid']
    """
    keep = _check_mode(ties)
    roster_before = roster if roster_before is None else roster_before
    then, now = _check(before, roster_before), _check(after, roster)
    members_after, members_before = now.members, then.members
    name_before, name_after = then.name, now.name

    old = _pairs(then, keep)
    new = _pairs(now, keep)
    old_keys, new_keys = set(old), set(new)
    answered_after = now.respondents
    gained = sorted(new_keys - old_keys)
    lost = sorted(old_keys - new_keys)
    lost_notes = []
    for a, b in lost:
        silent = [
            str(old[(a, b)][f"{end}_name"])
            for end, org in (("a", a), ("b", b))
            if org not in answered_after
        ]
        if len(silent) == 2:
            lost_notes.append(f"neither answered round {name_after}")
        elif silent:
            lost_notes.append(f"{silent[0]} did not answer round {name_after}")
        else:
            lost_notes.append("")
    ties_gained = _tie_table(new, gained, [""] * len(gained))
    ties_lost = _tie_table(old, lost, lost_notes)

    # Trust and value of the members on both rosters.
    shared = [o for o in members_after.index if o in members_before.index]
    tv_before = {r["org_id"]: r for r in _trust_value(then).to_dict("records")}
    tv_after = {r["org_id"]: r for r in _trust_value(now).to_dict("records")}
    rating_rows = []
    for org in shared:
        earlier, later = tv_before[org], tv_after[org]
        row: dict[str, Any] = {"org_id": org, "name": later["name"]}
        withheld = False
        for score in ("value", "trust"):
            old_value, new_value = float(earlier[score]), float(later[score])
            row[f"{score}_before"] = old_value
            row[f"{score}_after"] = new_value
            row[f"{score}_change"] = new_value - old_value
            raters = min(int(earlier[f"{score}_raters"]), int(later[f"{score}_raters"]))
            withheld = withheld or raters < MIN_RATERS
        row["note"] = f"{FEWER_THAN} in a round" if withheld else ""
        rating_rows.append(row)
    rating_changes = pd.DataFrame(rating_rows, columns=RATING_CHANGE_COLUMNS)

    # Who entered or left the top quartile of degree centrality.
    graph_before = _network(then, ties)
    graph_after = _network(now, ties)
    central_before = central_members(graph_before)
    central_after = central_members(graph_after)
    names = {
        str(o): str(n)
        for frame in (members_before, members_after)
        for o, n in zip(frame.index, frame["name"], strict=True)
    }
    order = [
        *members_after.index,
        *(o for o in members_before.index if o not in members_after.index),
    ]
    newly_central = _positions(
        [o for o in order if o in central_after and o not in central_before],
        names,
        graph_before,
        graph_after,
    )
    newly_peripheral = _positions(
        [o for o in order if o in central_before and o not in central_after],
        names,
        graph_before,
        graph_after,
    )

    has_orientation = all("orientation" in c.members.columns for c in (then, now))
    measures = (
        pd.DataFrame([_measures(then, ties).as_row(), _measures(now, ties).as_row()])
        if has_orientation
        else pd.DataFrame()
    )

    sentences = _sentences(
        name_before,
        name_after,
        ties,
        _response_summary(then),
        _response_summary(now),
        ties_gained,
        ties_lost,
        rating_changes,
        newly_central,
        newly_peripheral,
        measures,
        _network_trust_value(then),
        _network_trust_value(now),
    )
    return RoundComparison(
        before=name_before,
        after=name_after,
        ties_mode=ties,
        ties_gained=ties_gained,
        ties_lost=ties_lost,
        trust_value=rating_changes,
        newly_central=newly_central,
        newly_peripheral=newly_peripheral,
        measures=measures,
        sentences=sentences,
    )


def _pair_words(table: pd.DataFrame) -> list[str]:
    return [
        f"{a} – {b}" + (f" ({note})" if note else "")
        for a, b, note in zip(
            table["a_name"].tolist(), table["b_name"].tolist(), table["note"].tolist(), strict=True
        )
    ]


def _sentences(
    name_before: str,
    name_after: str,
    ties: str,
    response_before,
    response_after,
    gained: pd.DataFrame,
    lost: pd.DataFrame,
    ratings: pd.DataFrame,
    central: pd.DataFrame,
    peripheral: pd.DataFrame,
    measures: pd.DataFrame,
    network_before: NetworkTrustValue,
    network_after: NetworkTrustValue,
) -> list[str]:
    mode_words = "ties confirmed by both sides" if ties == "confirmed" else "any reported tie"
    out = [
        f"Round {name_after} compared with round {name_before} ({mode_words}): "
        f"{plural(len(gained), 'tie')} gained, {len(lost):,} lost."
    ]
    out.append(
        f"Response: {response_before.answered:,} of {response_before.members:,} members "
        f"({response_before.rate:.0%}) in round {name_before}, "
        f"{response_after.answered:,} of {response_after.members:,} "
        f"({response_after.rate:.0%}) in round {name_after}."
    )
    if len(gained):
        out.append(f"New ties: {join_names(_pair_words(gained), limit=10)}.")
    if len(lost):
        out.append(f"No longer reported: {join_names(_pair_words(lost), limit=10)}.")
    if len(measures) == 2:
        earlier, later = measures.to_dict("records")
        measure_words = [
            f"density went from {earlier['density']:.2f} to {later['density']:.2f}",
        ]
        if not (pd.isna(earlier["bridging_share"]) or pd.isna(later["bridging_share"])):
            measure_words.append(
                f"the share of ties bridging immigrant-serving and receiving-community "
                f"organizations from {earlier['bridging_share']:.0%} to "
                f"{later['bridging_share']:.0%}"
            )
        out.append(f"The network's {' and '.join(measure_words)}.")
    shown_network = [
        (score, getattr(network_before, score), getattr(network_after, score))
        for score in ("value", "trust")
        if not (
            math.isnan(getattr(network_before, score)) or math.isnan(getattr(network_after, score))
        )
    ]
    if shown_network:
        network_words = [
            f"{score}{' went' if i == 0 else ''} from {_figure(old)} to {_figure(new)}"
            for i, (score, old, new) in enumerate(shown_network)
        ]
        out.append(f"Across the network, {' and '.join(network_words)}.")
    # The largest rating changes first (a round of 200 members would otherwise give 200).
    changes = ratings.assign(
        _size=ratings[["value_change", "trust_change"]].abs().max(axis=1, skipna=True)
    )
    changes = changes[changes["_size"].notna()].sort_values(
        ["_size", "name"], ascending=[False, True], kind="stable"
    )
    for record in changes.head(SHOWN_CHANGES).to_dict("records"):
        parts = []
        for score in ("value", "trust"):
            change = record[f"{score}_change"]
            if pd.isna(change):
                continue
            verb = _direction(change)
            if verb == "stayed":
                parts.append(f"{score} stayed at {_figure(record[f'{score}_after'])}")
            else:
                parts.append(
                    f"{score} {verb} from {_figure(record[f'{score}_before'])} "
                    f"to {_figure(record[f'{score}_after'])}"
                )
        out.append(f"As rated by its partners, {record['name']}: {' and '.join(parts)}.")
    if len(changes) > SHOWN_CHANGES:
        out.append(
            f"Trust and value changed for {plural(len(changes) - SHOWN_CHANGES, 'more member')} "
            "(see the table)."
        )
    for table, phrase in (
        (central, "is newly among the most connected quarter of members"),
        (peripheral, "is no longer among the most connected quarter of members"),
    ):
        for record in table.head(SHOWN_CHANGES).to_dict("records"):
            out.append(
                f"{record['name']} {phrase} "
                f"({record['partners_before']:,} partners in round {name_before}, "
                f"{record['partners_after']:,} in round {name_after})."
            )
        if len(table) > SHOWN_CHANGES:
            hidden = len(table) - SHOWN_CHANGES
            out.append(
                f"And {plural(hidden, 'more member')} "
                + phrase.replace("is ", "are " if hidden != 1 else "is ", 1)
                + " (see the table)."
            )
    return out
