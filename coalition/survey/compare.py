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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from ..analysis.graph_index import join_names
from ..i18n import _, fmt_number, ngettext
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
        What changed, in the language in use when they are read (a comparison kept in a
        cache holds no text: the tables' ``relation`` and ``note`` cells are English).
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
    said: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @property
    def sentences(self) -> list[str]:
        """What changed, one sentence each, in the language in use."""
        return _sentences(*self.said) if self.said else []


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
    lost_silent: list[list[str]] = []
    for a, b in lost:
        silent = [
            str(old[(a, b)][f"{end}_name"])
            for end, org in (("a", a), ("b", b))
            if org not in answered_after
        ]
        lost_silent.append(silent)
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

    said = (
        name_before,
        name_after,
        ties,
        _response_summary(then),
        _response_summary(now),
        ties_gained,
        ties_lost,
        lost_silent,
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
        said=said,
    )


def _pair_words(
    table: pd.DataFrame, silent: list[list[str]] | None = None, name_after: str = ""
) -> list[str]:
    """Each pair as "A – B", with who did not answer the later round when it is known."""
    words = []
    for i, (a, b) in enumerate(
        zip(table["a_name"].tolist(), table["b_name"].tolist(), strict=True)
    ):
        quiet = silent[i] if silent is not None else []
        if len(quiet) == 2:
            note = _("neither answered round {round}").format(round=name_after)
        elif quiet:
            note = _("{member} did not answer round {round}").format(
                member=quiet[0], round=name_after
            )
        else:
            note = ""
        pair = f"{a} – {b}"
        words.append(_("{pair} ({note})").format(pair=pair, note=note) if note else pair)
    return words


def _sentences(
    name_before: str,
    name_after: str,
    ties: str,
    response_before,
    response_after,
    gained: pd.DataFrame,
    lost: pd.DataFrame,
    lost_silent: list[list[str]],
    ratings: pd.DataFrame,
    central: pd.DataFrame,
    peripheral: pd.DataFrame,
    measures: pd.DataFrame,
    network_before: NetworkTrustValue,
    network_after: NetworkTrustValue,
) -> list[str]:
    mode_words = _("ties confirmed by both sides") if ties == "confirmed" else _("any reported tie")
    out = [
        ngettext(
            "Round {after} compared with round {before} ({ties}): {gained} tie gained, "
            "{lost} lost.",
            "Round {after} compared with round {before} ({ties}): {gained} ties gained, "
            "{lost} lost.",
            len(gained),
        ).format(
            after=name_after,
            before=name_before,
            ties=mode_words,
            gained=fmt_number(len(gained)),
            lost=fmt_number(len(lost)),
        )
    ]
    out.append(
        _(
            "Response: {answered_before} of {members_before} members ({share_before}) in round "
            "{before}, {answered_after} of {members_after} ({share_after}) in round {after}."
        ).format(
            answered_before=fmt_number(response_before.answered),
            members_before=fmt_number(response_before.members),
            share_before=f"{response_before.rate:.0%}",
            before=name_before,
            answered_after=fmt_number(response_after.answered),
            members_after=fmt_number(response_after.members),
            share_after=f"{response_after.rate:.0%}",
            after=name_after,
        )
    )
    if len(gained):
        out.append(_("New ties: {pairs}.").format(pairs=join_names(_pair_words(gained), limit=10)))
    if len(lost):
        out.append(
            _("No longer reported: {pairs}.").format(
                pairs=join_names(_pair_words(lost, lost_silent, name_after), limit=10)
            )
        )
    if len(measures) == 2:
        earlier, later = measures.to_dict("records")
        density = {"old": f"{earlier['density']:.2f}", "new": f"{later['density']:.2f}"}
        if not (pd.isna(earlier["bridging_share"]) or pd.isna(later["bridging_share"])):
            out.append(
                _(
                    "The network's density went from {old} to {new} and the share of ties "
                    "bridging immigrant-serving and receiving-community organizations from "
                    "{old_share} to {new_share}."
                ).format(
                    **density,
                    old_share=f"{earlier['bridging_share']:.0%}",
                    new_share=f"{later['bridging_share']:.0%}",
                )
            )
        else:
            out.append(_("The network's density went from {old} to {new}.").format(**density))
    shown_network = {
        score: (_figure(getattr(network_before, score)), _figure(getattr(network_after, score)))
        for score in ("value", "trust")
        if not (
            math.isnan(getattr(network_before, score)) or math.isnan(getattr(network_after, score))
        )
    }
    if len(shown_network) == 2:
        out.append(
            _(
                "Across the network, value went from {old_value} to {new_value} and trust from "
                "{old_trust} to {new_trust}."
            ).format(
                old_value=shown_network["value"][0],
                new_value=shown_network["value"][1],
                old_trust=shown_network["trust"][0],
                new_trust=shown_network["trust"][1],
            )
        )
    elif "value" in shown_network:
        out.append(
            _("Across the network, value went from {old} to {new}.").format(
                old=shown_network["value"][0], new=shown_network["value"][1]
            )
        )
    elif "trust" in shown_network:
        out.append(
            _("Across the network, trust went from {old} to {new}.").format(
                old=shown_network["trust"][0], new=shown_network["trust"][1]
            )
        )
    # The largest rating changes first (a round of 200 members would otherwise give 200).
    changes = ratings.assign(
        _size=ratings[["value_change", "trust_change"]].abs().max(axis=1, skipna=True)
    )
    changes = changes[changes["_size"].notna()].sort_values(
        ["_size", "name"], ascending=[False, True], kind="stable"
    )
    for record in changes.head(SHOWN_CHANGES).to_dict("records"):
        parts = [
            _score_change(score, record)
            for score in ("value", "trust")
            if not pd.isna(record[f"{score}_change"])
        ]
        joined = (
            _("{names} and {last}").format(names=parts[0], last=parts[1])
            if len(parts) == 2
            else parts[0]
        )
        out.append(
            _("As rated by its partners, {member}: {changes}.").format(
                member=record["name"], changes=joined
            )
        )
    if len(changes) > SHOWN_CHANGES:
        more = len(changes) - SHOWN_CHANGES
        out.append(
            ngettext(
                "Trust and value changed for {count} more member (see the table).",
                "Trust and value changed for {count} more members (see the table).",
                more,
            ).format(count=fmt_number(more))
        )
    for record in central.head(SHOWN_CHANGES).to_dict("records"):
        out.append(
            _(
                "{member} is newly among the most connected quarter of members ({before} "
                "partners in round {round_before}, {after} in round {round_after})."
            ).format(**_position_values(record, name_before, name_after))
        )
    if len(central) > SHOWN_CHANGES:
        hidden = len(central) - SHOWN_CHANGES
        out.append(
            ngettext(
                "And {count} more member is newly among the most connected quarter of members "
                "(see the table).",
                "And {count} more members are newly among the most connected quarter of "
                "members (see the table).",
                hidden,
            ).format(count=fmt_number(hidden))
        )
    for record in peripheral.head(SHOWN_CHANGES).to_dict("records"):
        out.append(
            _(
                "{member} is no longer among the most connected quarter of members ({before} "
                "partners in round {round_before}, {after} in round {round_after})."
            ).format(**_position_values(record, name_before, name_after))
        )
    if len(peripheral) > SHOWN_CHANGES:
        hidden = len(peripheral) - SHOWN_CHANGES
        out.append(
            ngettext(
                "And {count} more member is no longer among the most connected quarter of "
                "members (see the table).",
                "And {count} more members are no longer among the most connected quarter of "
                "members (see the table).",
                hidden,
            ).format(count=fmt_number(hidden))
        )
    return out


def _position_values(
    record: Mapping[Any, Any], name_before: str, name_after: str
) -> dict[str, str]:
    return {
        "member": str(record["name"]),
        "before": fmt_number(record["partners_before"]),
        "round_before": name_before,
        "after": fmt_number(record["partners_after"]),
        "round_after": name_after,
    }


def _score_change(score: str, record: Mapping[Any, Any]) -> str:
    """How one member's value or trust changed between the rounds, as a clause."""
    change = record[f"{score}_change"]
    values = {"old": _figure(record[f"{score}_before"]), "new": _figure(record[f"{score}_after"])}
    if score == "value":
        if change > 0:
            return _("value rose from {old} to {new}").format(**values)
        if change < 0:
            return _("value fell from {old} to {new}").format(**values)
        return _("value stayed at {new}").format(**values)
    if change > 0:
        return _("trust rose from {old} to {new}").format(**values)
    if change < 0:
        return _("trust fell from {old} to {new}").format(**values)
    return _("trust stayed at {new}").format(**values)
