"""What changed between two versions of a city: members, committees, ties and their effects.

:func:`compare_cities` is pure: it takes two :class:`~coalition.model.CityData` (for example
``store.read_version(3)`` and ``store.read_city()``) and returns a :class:`ChangeReport` whose
every entry carries a plain-language ``explanation`` naming things by name. It never touches the
store and never mutates its inputs.

Coverage is measured with the "own" rule (a committee reaches its own neighborhood): the store's
history keeps tables, not boundaries, and that rule needs none.

Resident counts are protected before any sentence is written (``disclosure=``, default
:meth:`coalition.privacy.Disclosure.public`: a forgotten argument hides, never shows). Each
version's counts are protected with its own lines (:func:`coalition.privacy.city_counts`) plus
the foreign-born residents its active committees reach (a sum of its neighborhoods'), so a
changed figure, a new lives_in tie's residents, the residents a committee newly reaches and the
headline totals say "fewer than 11" or "withheld…" wherever the public views hide them. Editors
and admins pass an exact disclosure (the dashboard's history page is theirs only).

Examples
--------
>>> report = compare_cities(store.read_version(3), store.read_city())  # doctest: +SKIP
>>> report.changes["explanation"].tolist()  # doctest: +SKIP
['Dogwood Clinic and Lonely Shop started working together.']
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import i18n, labels, privacy, schema
from .analysis import coverage_report
from .analysis.coverage import frame_records
from .errors import AnalysisError
from .i18n import N_, _, fmt_number, fmt_percent, ngettext, pgettext
from .model import CityData, build_graph
from .privacy import Disclosure, Line
from .settings import DEFAULT_K
from .values import json_value, plain, whole

logger = logging.getLogger(__name__)

# The tables whose rows are compared, in the order their changes are listed.
ENTITY_TABLES = ("organizations", "committees", "communities", "navigators", "neighborhoods")
# Per table, the fields whose change is worth a sentence (others, e.g. notes, are not listed).
FIELDS_THAT_MATTER: dict[str, tuple[str, ...]] = {
    "organizations": ("name", "neighborhood", "services", "languages", "orientation"),
    "committees": ("name", "status", "neighborhood"),
    "communities": ("name", "languages", "estimated_residents"),
    "navigators": ("alias", "neighborhood", "languages"),
    "neighborhoods": ("name", "population", "foreign_born"),
}
# Marked here, translated where a sentence uses them: _(ENTITY_WORDS[table]).
ENTITY_WORDS = {
    "organizations": N_("organization"),
    "committees": N_("welcoming committee"),
    "communities": N_("community"),
    "navigators": N_("cultural navigator"),
    "neighborhoods": N_("neighborhood"),
}
# Tie types whose two ends are interchangeable (a partnership a-b is the one b-a).
UNDIRECTED_TIES = ("partnership",)
# (sentence when added, sentence when removed) per tie type; {a} and {b} are the ends' names.
# Marked here and translated where used: _(template).format(a=…, b=…).
TIE_SENTENCES: dict[str, tuple[str, str]] = {
    "partnership": (
        N_("{a} and {b} started working together."),
        N_("{a} and {b} no longer work together."),
    ),
    "serves_community": (N_("{a} started serving {b}."), N_("{a} no longer serves {b}.")),
    "serves_neighborhood": (
        N_("{a} started serving the {b} neighborhood."),
        N_("{a} no longer serves the {b} neighborhood."),
    ),
    "lives_in": (
        N_("{a} are now recorded living in {b}."),
        N_("{a} are no longer recorded in {b}."),
    ),
    "mentors": (N_("{a} started mentoring {b}."), N_("{a} no longer mentors {b}.")),
    "volunteers_with": (
        N_("{a} started volunteering with {b}."),
        N_("{a} no longer volunteers with {b}."),
    ),
    "committee_member": (N_("{a} joined {b}."), N_("{a} left {b}.")),
}
OTHER_TIE_SENTENCES = (N_("{a} – {b}: new tie."), N_("{a} – {b}: tie removed."))
# What a committee did, by its new status: a whole sentence each ({name}, {before}).
STATUS_WORDS = {
    "active": N_("{name} became active (it was {before})."),
    "forming": N_("{name} is now forming (it was {before})."),
    "paused": N_("{name} is paused (it was {before})."),
    "none": N_("{name} stopped (it was {before})."),
}
CHANGE_COLUMNS = [
    "change",
    "table",
    "tie_type",
    "id",
    "name",
    "field",
    "before",
    "after",
    "explanation",
]
# What a comparison says the changes did (:attr:`ChangeReport.effects`), in this order.
EFFECT_KINDS = ("broker", "single_point_of_failure", "coverage", "ranking")
EFFECT_COLUMNS = ["effect", "kind", "id", "name", "before", "after", "explanation"]
# Partners named in a broker sentence (the rest are counted).
SHOWN_PARTNERS = 3
HEADLINE_LABELS = {  # marked; a report's labels are in the language of its comparison
    "organizations": N_("Member organizations"),
    "partnerships": N_("Partnerships"),
    "isolated_organizations": N_("Isolated organizations"),
    "active_committees": N_("Active welcoming committees"),
    "foreign_born_covered": N_("Foreign-born residents reached"),
    "share_foreign_born_covered": N_("Share of foreign-born residents reached"),
}


@dataclass
class ChangeReport:
    """The differences between two versions of a city.

    Attributes
    ----------
    changes : pandas.DataFrame
        One row per change, columns :data:`CHANGE_COLUMNS`: ``change`` (added / removed /
        changed), ``table``, ``tie_type`` (ties only), ``id`` (for a tie "a -> b"), ``name``,
        ``field``/``before``/``after`` (changed fields only) and ``explanation``.
    headline : dict
        Per measure (:data:`HEADLINE_LABELS`): ``label``, ``before``, ``after``, ``delta``.
    explanation : str
        One paragraph: what changed overall, or that nothing did.
    effects : pandas.DataFrame
        What the changes did, one row per effect, columns :data:`EFFECT_COLUMNS`: ``effect``
        (new / lost / changed), ``kind`` (:data:`EFFECT_KINDS`: broker,
        single_point_of_failure, coverage, ranking), ``id``, ``name``, ``before``/``after``
        (short texts) and ``explanation``. Empty when nothing changed them.
    """

    changes: pd.DataFrame
    headline: dict[str, dict[str, Any]]
    explanation: str
    effects: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=EFFECT_COLUMNS)
    )

    @property
    def is_empty(self) -> bool:
        """True when nothing that matters changed."""
        return self.changes.empty

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``{"explanation", "headline", "changes", "effects"}``.

        Examples
        --------
        >>> import json; json.dumps(report.to_dict())  # doctest: +SKIP
        """
        return {
            "explanation": self.explanation,
            "headline": json_value(self.headline),
            "changes": frame_records(self.changes),
            "effects": frame_records(self.effects),
        }


# --- helpers ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as a comparable plain value: lists as lists, missing as None, 3.0 as 3."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:  # already plain (most cells)
        return value
    if kind is float:  # whole(plain(value)) for a Python float: NaN and infinities are missing
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, (list, tuple)):
        return list(value)
    return whole(plain(value))


def _rows_by_id(city: CityData, table: str) -> dict[str, dict[str, Any]]:
    frame = city.tables.get(table)
    if frame is None or frame.empty:
        return {}
    id_column = schema.ID_COLUMNS[table]
    fields = [f for f in FIELDS_THAT_MATTER[table] if f in frame.columns]
    ids = [str(v) for v in frame[id_column].tolist()]
    columns = {f: [_plain(v) for v in frame[f].tolist()] for f in fields}
    return {node_id: {f: columns[f][i] for f in fields} for i, node_id in enumerate(ids)}


def _names(*cities: CityData) -> dict[str, str]:
    """Display name of every id in the cities (later cities win: the current name)."""
    names: dict[str, str] = {}
    for city in cities:
        for table, id_column in schema.ID_COLUMNS.items():
            frame = city.tables.get(table)
            if frame is None or frame.empty:
                continue
            label = "alias" if table == "navigators" else "name"
            names.update(zip(frame[id_column].astype(str), frame[label].astype(str), strict=False))
    return names


def _tie_keys(city: CityData) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Ties of the ties table keyed by (type, end, end); partnerships in sorted order.

    The value keeps the ends as recorded (first occurrence) and the residents, for sentences.
    """
    ties = city.tables.get("ties")
    if ties is None or ties.empty:
        return {}
    keys: dict[tuple[str, str, str], dict[str, Any]] = {}
    for source, target, tie_type, residents in zip(  # lists: iterating Arrow cells is slow
        ties["source_id"].astype(str).tolist(),
        ties["target_id"].astype(str).tolist(),
        ties["tie_type"].astype(str).tolist(),
        ties["residents"].tolist(),
        strict=False,
    ):
        first, second = source, target
        if tie_type in UNDIRECTED_TIES:
            first, second = sorted((source, target))
        if (tie_type, first, second) not in keys:  # the first occurrence is kept
            keys[(tie_type, first, second)] = {
                "source": source,
                "target": target,
                "residents": _plain(residents),
            }
    return keys


def _shown(value: Any, names: dict[str, str], field: str) -> str:
    if value is None or value == []:
        return pgettext("no value", "none")
    if isinstance(value, list):
        return ", ".join(
            schema.SERVICES.get(str(v), str(v)) if field == "services" else str(v) for v in value
        )
    if field == "neighborhood":
        return names.get(str(value), str(value))
    if isinstance(value, int):
        return fmt_number(value)
    return str(value)


def _status_word(status: Any) -> str:
    """A committee status in a sentence: the code in English, the status's name otherwise."""
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return str(status)
    return str(labels.COMMITTEE_STATUS_WORDS.get(status, status)).lower()


def _field_sentence(
    table: str, name: str, field: str, before: Any, after: Any, names: dict[str, str]
) -> str:
    if isinstance(before, list) or isinstance(after, list):
        gained = [v for v in (after or []) if v not in (before or [])]
        lost = [v for v in (before or []) if v not in (after or [])]
        values = {
            "name": name,
            "gained": _shown(gained, names, field),
            "lost": _shown(lost, names, field),
            "what": pgettext("changed field", "languages")
            if field == "languages"
            else pgettext("changed field", "services"),
        }
        offers = table == "organizations"
        if gained and lost:
            template = (
                _("{name} now offers {gained} and no longer lists {lost} ({what}).")
                if offers
                else _("{name} now lists {gained} and no longer lists {lost} ({what}).")
            )
        elif gained:
            template = (
                _("{name} now offers {gained} ({what}).")
                if offers
                else _("{name} now lists {gained} ({what}).")
            )
        else:
            template = _("{name} no longer lists {lost} ({what}).")
        return template.format(**values)
    if field == "status":
        status = STATUS_WORDS.get(str(after))
        values = {"name": name, "before": _status_word(before), "after": _status_word(after)}
        if status is None:
            return _("{name} is now {after} (it was {before}).").format(**values)
        return _(status).format(**values)
    if field == "neighborhood":
        return _("{name} moved from {before} to {after}.").format(
            name=name, before=_shown(before, names, field), after=_shown(after, names, field)
        )
    if field in ("name", "alias"):
        return _("{before} is now called {after}.").format(
            before=_shown(before, names, field), after=_shown(after, names, field)
        )
    fields = {
        "population": pgettext("changed field", "population"),
        "foreign_born": pgettext("changed field", "foreign born"),
        "estimated_residents": pgettext("changed field", "estimated residents"),
    }
    return _("{name}: {field} changed from {before} to {after}.").format(
        name=name,
        field=fields.get(field, field.replace("_", " ")),
        before=_shown(before, names, field),
        after=_shown(after, names, field),
    )


def _percent(share: Any) -> str:
    if privacy.is_hidden(share):
        return str(share)
    return _("unknown") if share is None else fmt_percent(share)


# The fields of FIELDS_THAT_MATTER that count residents: (table, field) -> privacy key maker.
_COUNT_FIELDS = {
    ("communities", "estimated_residents"): lambda i: ("community", i),
    ("neighborhoods", "population"): lambda i: ("neighborhood", i, "population"),
    ("neighborhoods", "foreign_born"): lambda i: ("neighborhood", i, "foreign_born"),
}
_COVERED = ("covered", "foreign_born")


def _version_counts(city: CityData, cov) -> privacy.CityCounts:
    """One version's resident counts and lines (:func:`coalition.privacy.city_counts`), plus
    the foreign-born residents its active committees reach (a line over those neighborhoods)."""
    counts = privacy.city_counts(city.tables)
    frame = cov.neighborhoods
    reached = tuple(
        ("neighborhood", str(n), "foreign_born")
        for n, covered in zip(frame["id"], frame["covered"], strict=False)
        if covered and ("neighborhood", str(n), "foreign_born") in counts.values
    )
    covered_total = _plain(cov.summary.get("foreign_born_covered"))
    if covered_total is None:
        return counts
    return counts.extended({_COVERED: covered_total}, [Line(reached, _COVERED)])


def _tagged(counts: privacy.CityCounts, side: str) -> privacy.CityCounts:
    return privacy.CityCounts(
        {(side, k): v for k, v in counts.values.items()},
        tuple(
            Line(tuple((side, p) for p in line.parts), (side, line.total)) for line in counts.lines
        ),
        frozenset((side, k) for k in counts.unshown),
    )


def _shown_counts(
    before: CityData, before_cov, after: CityData, after_cov, disclosure: Disclosure
) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Both versions' resident counts as ``disclosure`` may see them (markers where hidden).

    Protected together: a count that did not change is one cell seen twice (a line "before =
    after"), so "400 reached, then 403" cannot give away a new 3 when 400 was shown before.
    Each version hides at least what it hides alone (what a public download of it hides).
    """
    old, new = _version_counts(before, before_cov), _version_counts(after, after_cov)
    if disclosure.exact:
        return dict(old.values), dict(new.values)
    alone = [
        (side, key)
        for side, counts in (("before", old), ("after", new))
        for key, value in counts.protect(disclosure).items()
        if privacy.is_hidden(value)
    ]
    both_old, both_new = _tagged(old, "before"), _tagged(new, "after")
    same = [
        Line((("before", key),), ("after", key))
        for key, value in old.values.items()
        if key in new.values and new.values[key] == value
    ]
    shown = privacy.protect(
        {**both_old.values, **both_new.values},
        [*both_old.lines, *both_new.lines, *same],
        disclosure,
        unshown=[*both_old.unshown, *both_new.unshown, *alone],
    )
    small = privacy.SmallCount(disclosure.threshold)

    def side_of(side: str, counts: privacy.CityCounts) -> dict[Any, Any]:
        out = {}
        for key, value in counts.values.items():
            got = shown[(side, key)]
            # A cell hidden from the start (unshown) comes back Withheld: a small one is "fewer".
            if privacy.is_hidden(got) and disclosure.is_small(value):
                got = small
            out[key] = got
        return out

    return side_of("before", old), side_of("after", new)


def _count_text(value: Any) -> str:
    """A protected count for a sentence: its marker's words, or the number."""
    if privacy.is_hidden(value):
        return str(value)
    number = whole(value) if value is not None else None
    return _("unknown") if number is None else fmt_number(number)


def _coverage(city: CityData):
    """Coverage (own rule) from a graph of the only tables it reads: neighborhoods, committees.

    Building the whole graph of a 10,000-organization city costs seconds and adds nothing here.
    """
    tables: dict[str, pd.DataFrame] = {
        name: city.tables[name] for name in ("neighborhoods", "committees") if name in city.tables
    }
    # Exact figures: this module protects the counts itself, both versions together.
    return coverage_report(
        build_graph(dataclasses.replace(city, tables=tables)),
        disclosure=Disclosure.exact_counts(),
    )


def _coverage_effects(before_cov, after_cov) -> dict[str, int]:
    """Per neighborhood id: foreign-born residents newly reached (+) or no longer reached (-)."""
    was = dict(
        zip(before_cov.neighborhoods["id"], before_cov.neighborhoods["covered"], strict=False)
    )
    effects = {}
    for nbhd, covered, foreign_born in zip(
        after_cov.neighborhoods["id"],
        after_cov.neighborhoods["covered"],
        after_cov.neighborhoods["foreign_born"],
        strict=False,
    ):
        if bool(covered) != bool(was.get(nbhd, False)):
            effects[nbhd] = (1 if covered else -1) * int(foreign_born or 0)
    return effects


def _headline(before: CityData, after: CityData, before_cov, after_cov) -> dict[str, dict]:
    def counts(city: CityData, cov) -> dict[str, Any]:
        ties = _tie_keys(city)
        partnered = {end for (tie_type, *ends) in ties if tie_type == "partnership" for end in ends}
        org_ids = set(_rows_by_id(city, "organizations"))
        return {
            "organizations": len(org_ids),
            "partnerships": sum(1 for key in ties if key[0] == "partnership"),
            "isolated_organizations": len(org_ids - partnered),
            "active_committees": cov.summary["active_committees"],
            "foreign_born_covered": cov.summary["foreign_born_covered"],
            "share_foreign_born_covered": cov.summary["share_foreign_born_covered"],
        }

    old, new = counts(before, before_cov), counts(after, after_cov)
    headline = {}
    for key, label in HEADLINE_LABELS.items():
        delta = None if old[key] is None or new[key] is None else new[key] - old[key]
        if isinstance(delta, float):  # 0.7 - 0.4 is 0.29999999999999993
            delta = round(delta, 6)
        headline[key] = {"label": _(label), "before": old[key], "after": new[key], "delta": delta}
    return headline


# --- what the changes did: brokers, single points of failure, coverage, ranking -----------------


@dataclass(frozen=True)
class _Roles:
    """Who holds one version's partnership network together, and where committees are next.

    ``brokers``: id -> (partners, effective size); ``effective``: every member's effective
    size; ``cut_off``: articulation point id -> (the organization ids it would cut off, and
    whether its departure leaves parts of equal size: then the ids are every part's);
    ``members``: member organization ids in vertex order; ``ranks``: candidate neighborhood
    id -> rank (default weights); ``top``: the first :data:`DEFAULT_K` of them, in order;
    ``graph`` and ``position``: the partnership network (igraph) and each member's vertex, for
    :meth:`partners`.
    """

    brokers: dict[str, tuple[int, float]]
    effective: dict[str, float]
    cut_off: dict[str, tuple[list[str], bool]]
    members: list[str]
    ranks: dict[str, int]
    top: list[str]
    graph: Any
    position: dict[str, int]

    def partners(self, node_id: str) -> list[str]:
        """A member's partners (ids, sorted): asked for the few brokers named only."""
        return sorted(self.members[p] for p in self.graph.neighbors(self.position[node_id]))


def _roles(city: CityData) -> _Roles:
    """Brokers and single points of failure among members (as on the Gaps page) and the ranking.

    The same measures the Gaps page shows: :func:`coalition.analysis.gaps.bridging`'s brokers
    (effective size of at least ``BROKER_MIN_EFFECTIVE_SIZE``) and the articulation points of
    :func:`coalition.analysis.gaps.fragile_links`, on the member view; the ranking is
    :func:`coalition.analysis.rank_candidates` with the default weights and no stability runs.
    """
    from .analysis.gaps import BROKER_MIN_EFFECTIVE_SIZE
    from .analysis.graph_index import index_city
    from .analysis.membership import member_view
    from .analysis.metrics import brokerage, cut_vertices, partnership_network
    from .analysis.replication import rank_candidates

    index = index_city(city)
    network = partnership_network(member_view(index))
    org_ids = [str(o) for o in network.org_ids.tolist()]
    table = brokerage(network)
    degree = table["degree"].tolist()
    effective = [float(e) for e in table["effective_size"].tolist()]
    brokers = {
        org_ids[position]: (int(count), size)
        for position, (count, size) in enumerate(zip(degree, effective, strict=True))
        if count >= 2 and size >= BROKER_MIN_EFFECTIVE_SIZE - 1e-9
    }
    cut_off = {
        org_ids[cut.position]: (
            sorted(
                {
                    org_ids[p]
                    for part in (
                        [*cut.equal_parts, *cut.parts] if cut.equal_parts else [cut.cut_off]
                    )
                    for p in part.tolist()
                }
            ),
            bool(cut.equal_parts),
        )
        for cut in cut_vertices(network)
    }
    try:
        ranking = rank_candidates(index, k=DEFAULT_K, stability_runs=0).candidates
    except AnalysisError:  # every neighborhood has an active committee: no candidate
        ranks: dict[str, int] = {}
    else:
        ranks = dict(
            zip(
                ranking["neighborhood_id"].astype(str).tolist(),
                ranking["rank"].astype(int).tolist(),
                strict=True,
            )
        )
    return _Roles(
        brokers=brokers,
        effective=dict(zip(org_ids, effective, strict=True)),
        cut_off=cut_off,
        members=org_ids,
        ranks=ranks,
        top=sorted(ranks, key=ranks.__getitem__)[:DEFAULT_K],
        graph=network.graph,
        position={node_id: i for i, node_id in enumerate(org_ids)},
    )


def _same_map(city: CityData, other: CityData) -> CityData:
    """``city`` with ``other``'s boundaries when it has none (a kept version keeps tables only).

    Both versions are then ranked on the same map, so a ranking moves only because the data did.
    """
    if len(city.boundaries) or not len(other.boundaries):
        return city
    return dataclasses.replace(city, boundaries=other.boundaries)


def _gone(node_id: str, after: CityData, roles: _Roles) -> str | None:
    """Why an organization left the partnership network: not listed, or no longer a member."""
    if node_id in roles.effective:
        return None
    if node_id in _rows_by_id(after, "organizations"):
        return _("it is no longer a coalition member")
    return _("it is no longer listed")


def _people(ids: list[str], names: dict[str, str], limit: int = SHOWN_PARTNERS) -> str:
    from .analysis.graph_index import join_names

    return join_names(sorted(names.get(i, i) for i in ids), limit=limit)


def _network_effects(
    old: _Roles, new: _Roles, after: CityData, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Brokers gained and lost, single points of failure gained, lost and changed."""

    rows: list[dict[str, Any]] = []

    def add(effect: str, kind: str, node_id: str, before: str, after_: str, text: str) -> None:
        rows.append(
            {
                "effect": effect,
                "kind": kind,
                "id": node_id,
                "name": names.get(node_id, node_id),
                "before": before,
                "after": after_,
                "explanation": text,
            }
        )

    def by_name(ids) -> list[str]:
        return sorted(ids, key=lambda i: (names.get(i, i), i))

    for node_id in by_name(new.brokers.keys() - old.brokers.keys()):
        count, size = new.brokers[node_id]
        partners = new.partners(node_id)
        was = old.effective.get(node_id)
        add(
            "new",
            "broker",
            node_id,
            "" if was is None else f"{was:.1f}",
            f"{size:.1f}",
            (
                ngettext(
                    "{name} is now a broker: its {count} partner ({partners}) count as {size} "
                    "independent contacts (effective size).",
                    "{name} is now a broker: its {count} partners ({partners}) count as {size} "
                    "independent contacts (effective size).",
                    count,
                )
                if was is None
                else ngettext(
                    "{name} is now a broker: its {count} partner ({partners}) count as {size} "
                    "independent contacts (effective size; it was {was}).",
                    "{name} is now a broker: its {count} partners ({partners}) count as {size} "
                    "independent contacts (effective size; it was {was}).",
                    count,
                )
            ).format(
                name=names.get(node_id, node_id),
                count=fmt_number(count),
                partners=_people(partners, names),
                size=fmt_number(size, 1),
                was="" if was is None else fmt_number(was, 1),
            ),
        )
    for node_id in by_name(old.brokers.keys() - new.brokers.keys()):
        size = old.brokers[node_id][1]
        name = names.get(node_id, node_id)
        gone = _gone(node_id, after, new)
        now = new.effective.get(node_id)
        if gone:
            why = gone
        elif not now:
            why = _("it has no partnership with another member now")
        else:
            why = _(
                "its partners count as {size} independent contacts now (effective size)"
            ).format(size=fmt_number(now, 1))
        add(
            "lost",
            "broker",
            node_id,
            f"{size:.1f}",
            "" if now is None else f"{now:.1f}",
            _("{name} is no longer a broker (effective size {size} before): {why}.").format(
                name=name, size=fmt_number(size, 1), why=why
            ),
        )

    def split(cut: tuple[list[str], bool]) -> str:
        ids, tied = cut
        if tied:
            return _("{names} would no longer be connected to each other").format(
                names=_people(ids, names, 5)
            )
        return ngettext(
            "{count} organization ({names}) would be cut off from the rest of the partnership "
            "network",
            "{count} organizations ({names}) would be cut off from the rest of the partnership "
            "network",
            len(ids),
        ).format(count=fmt_number(len(ids)), names=_people(ids, names, 5))

    for node_id in by_name(new.cut_off.keys() - old.cut_off.keys()):
        cut = new.cut_off[node_id]
        add(
            "new",
            "single_point_of_failure",
            node_id,
            "0",
            str(len(cut[0])),
            _("{name} is now a single point of failure: if it left, {split}.").format(
                name=names.get(node_id, node_id), split=split(cut)
            ),
        )
    for node_id in by_name(old.cut_off.keys() - new.cut_off.keys()):
        gone = _gone(node_id, after, new)
        add(
            "lost",
            "single_point_of_failure",
            node_id,
            str(len(old.cut_off[node_id][0])),
            "" if gone else "0",
            _("{name} is no longer a single point of failure: {why}.").format(
                name=names.get(node_id, node_id),
                why=gone or _("if it left now, no organization would be cut off"),
            ),
        )
    for node_id in by_name(old.cut_off.keys() & new.cut_off.keys()):
        cut_before, cut = old.cut_off[node_id], new.cut_off[node_id]
        if cut_before == cut:
            continue
        add(
            "changed",
            "single_point_of_failure",
            node_id,
            str(len(cut_before[0])),
            str(len(cut[0])),
            (
                ngettext(
                    "If {name} left now, {split} (before: {count} organization apart).",
                    "If {name} left now, {split} (before: {count} organizations apart).",
                    len(cut_before[0]),
                )
                if cut_before[1]
                else ngettext(
                    "If {name} left now, {split} (before: {count} organization cut off).",
                    "If {name} left now, {split} (before: {count} organizations cut off).",
                    len(cut_before[0]),
                )
            ).format(
                name=names.get(node_id, node_id),
                split=split(cut),
                count=fmt_number(len(cut_before[0])),
            ),
        )
    return rows


def _coverage_rows(
    before_cov, after_cov, names: dict[str, str], shown: dict[Any, Any] | None = None
) -> list[dict[str, Any]]:
    """Neighborhoods newly reached, or no longer reached, by an active committee.

    ``shown``: the after version's protected counts (:func:`_shown_counts`); without it every
    figure is left out.
    """

    def reached(cov) -> dict[str, tuple[bool, Any]]:
        frame = cov.neighborhoods
        return {
            str(n): (bool(c), _plain(f))
            for n, c, f in zip(frame["id"], frame["covered"], frame["foreign_born"], strict=False)
        }

    was, now = reached(before_cov), reached(after_cov)
    rows = []
    for effect in ("new", "lost"):
        for nbhd in sorted(now, key=lambda i: (names.get(i, i), i)):
            covered, foreign_born = now[nbhd]
            if covered == was.get(nbhd, (False, None))[0] or covered != (effect == "new"):
                continue
            value = (shown or {}).get(("neighborhood", nbhd, "foreign_born"))
            place = names.get(nbhd, nbhd)
            if foreign_born is None or value is None:
                sentence = (
                    _("{place} is now reached by an active welcoming committee.")
                    if effect == "new"
                    else _("{place} is no longer reached by an active welcoming committee.")
                ).format(place=place)
            else:
                sentence = (
                    _(
                        "{place} ({count} foreign-born residents) is now reached by an active "
                        "welcoming committee."
                    )
                    if effect == "new"
                    else _(
                        "{place} ({count} foreign-born residents) is no longer reached by an "
                        "active welcoming committee."
                    )
                ).format(place=place, count=_count_text(value))
            rows.append(
                {
                    "effect": effect,
                    "kind": "coverage",
                    "id": nbhd,
                    "name": names.get(nbhd, nbhd),
                    "before": _("reached") if effect == "lost" else _("not reached"),
                    "after": _("reached") if effect == "new" else _("not reached"),
                    "explanation": sentence,
                }
            )
    return rows


def _ranking_rows(
    old: _Roles, new: _Roles, after: CityData, names: dict[str, str]
) -> list[dict[str, Any]]:
    """The top candidates for the next committee before and after, and who entered or left."""
    from .analysis.graph_index import join_names

    if old.top == new.top:
        return []

    def listed(ids: list[str]) -> str:
        return join_names([names.get(i, i) for i in ids], limit=DEFAULT_K) or pgettext(
            "no value", "none"
        )

    rows = [
        {
            "effect": "changed",
            "kind": "ranking",
            "id": "",
            "name": _("Top {k} candidates").format(k=DEFAULT_K),
            "before": ", ".join(names.get(i, i) for i in old.top),
            "after": ", ".join(names.get(i, i) for i in new.top),
            "explanation": _(
                "The top {k} candidate neighborhoods for the next welcoming committee (default "
                "weights) were {before}; now they are {after}."
            ).format(k=DEFAULT_K, before=listed(old.top), after=listed(new.top)),
        }
    ]
    neighborhoods = _rows_by_id(after, "neighborhoods")
    for nbhd in new.top:
        if nbhd in old.top:
            continue
        was = old.ranks.get(nbhd)
        name = names.get(nbhd, nbhd)
        rows.append(
            {
                "effect": "new",
                "kind": "ranking",
                "id": nbhd,
                "name": name,
                "before": "" if was is None else str(was),
                "after": str(new.ranks[nbhd]),
                "explanation": (
                    _("{name} is now a top-{k} candidate (rank {rank}; it was rank {was}).")
                    if was is not None
                    else _(
                        "{name} is now a top-{k} candidate (rank {rank}; it was not a candidate)."
                    )
                ).format(name=name, k=DEFAULT_K, rank=new.ranks[nbhd], was=was),
            }
        )
    for nbhd in old.top:
        if nbhd in new.top:
            continue
        now = new.ranks.get(nbhd)
        name = names.get(nbhd, nbhd)
        if now is not None:
            why = _("it is rank {rank} now").format(rank=now)
        elif nbhd in neighborhoods:
            why = _("it has an active welcoming committee now")
        else:
            why = _("it is no longer listed")
        rows.append(
            {
                "effect": "lost",
                "kind": "ranking",
                "id": nbhd,
                "name": name,
                "before": str(old.ranks[nbhd]),
                "after": "" if now is None else str(now),
                "explanation": _(
                    "{name} is no longer a top-{k} candidate (it was rank {rank}): {why}."
                ).format(name=name, k=DEFAULT_K, rank=old.ranks[nbhd], why=why),
            }
        )
    return rows


def change_effects(
    before: CityData, after: CityData, *, disclosure: Disclosure | None = None
) -> pd.DataFrame:
    """What the changes from ``before`` to ``after`` did (:attr:`ChangeReport.effects`).

    The costly part of a comparison (both versions analysed and ranked): the dashboard shows
    the changes first (``compare_cities(..., with_effects=False)``) and these after. Resident
    counts protected for ``disclosure`` (default public).

    Examples
    --------
    >>> change_effects(old_city, new_city)["kind"].unique()  # doctest: +SKIP
    array(['broker', 'coverage'], dtype=object)
    """
    disclosure = disclosure if disclosure is not None else Disclosure.public()
    before_cov, after_cov = _coverage(before), _coverage(after)
    return _effects(
        before,
        after,
        before_cov,
        after_cov,
        _names(before, after),
        _shown_counts(before, before_cov, after, after_cov, disclosure)[1],
    )


def _effects(
    before: CityData,
    after: CityData,
    before_cov,
    after_cov,
    names: dict[str, str],
    shown: dict[Any, Any],
) -> pd.DataFrame:
    """Every effect of the changes, in :data:`EFFECT_KINDS` order."""
    old = _roles(_same_map(before, after))
    new = _roles(_same_map(after, before))
    rows = [
        *_network_effects(old, new, after, names),
        *_coverage_rows(before_cov, after_cov, names, shown),
        *_ranking_rows(old, new, after, names),
    ]
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


# --- the comparison -----------------------------------------------------------------------------


def compare_cities(
    before: CityData,
    after: CityData,
    *,
    with_effects: bool = True,
    disclosure: Disclosure | None = None,
) -> ChangeReport:
    """What changed from ``before`` to ``after``, in sentences and headline figures.

    Members (organizations, committees, communities, navigators, neighborhoods) added and
    removed by id; the fields that matter changed (:data:`FIELDS_THAT_MATTER`, e.g. a committee
    going from forming to active, an organization's services); ties of the ties table added and
    removed (a partnership a–b is one tie whichever way it was recorded); and the headline
    effects: organizations, partnerships, isolated organizations, active committees and the
    foreign-born residents they reach (own-neighborhood rule), before and after.

    Parameters
    ----------
    before, after : CityData
        Two versions of the same city (e.g. ``store.read_version(v)`` and
        ``store.read_city()``); neither is changed.
    with_effects : bool, optional
        Also work out what the changes did (:func:`change_effects`: brokers, single points of
        failure, coverage, ranking; the costly part). When False, ``effects`` is empty.
    disclosure : Disclosure, optional
        Who reads it (default ``Disclosure.public()``): resident counts in the sentences, the
        before/after columns and the headline's foreign-born figures are protected for it
        (hidden ones are words in sentences, None in the headline).

    Returns
    -------
    ChangeReport
        Empty ``changes`` (and an explanation saying so) when nothing that matters changed.

    Raises
    ------
    AnalysisError
        When a version has no neighborhoods (coverage cannot be measured).

    Examples
    --------
    >>> report = compare_cities(old_city, new_city)  # doctest: +SKIP
    >>> report.headline["share_foreign_born_covered"]  # doctest: +SKIP
    {'label': 'Share of foreign-born residents reached', 'before': 0.4, 'after': 0.7, ...}
    """
    disclosure = disclosure if disclosure is not None else Disclosure.public()
    names = _names(before, after)
    before_cov, after_cov = _coverage(before), _coverage(after)
    shown_before, shown_after = _shown_counts(before, before_cov, after, after_cov, disclosure)
    reached = _coverage_effects(before_cov, after_cov)

    def share(cov, shown: dict[Any, Any]) -> Any:
        # covered / total: a hidden numerator stays hidden (share x total gives it back).
        if privacy.is_hidden(shown.get(_COVERED)):
            return privacy.Withheld()
        return cov.summary["share_foreign_born_covered"]

    share_words = (
        f"{_percent(share(before_cov, shown_before))} -> {_percent(share(after_cov, shown_after))}"
    )
    rows: list[dict[str, Any]] = []

    def add(
        change: str,
        table: str,
        node_id: str,
        name: str,
        explanation: str,
        *,
        tie_type: str = "",
        field: str = "",
        old: Any = None,
        new: Any = None,
    ) -> None:
        rows.append(
            {
                "change": change,
                "table": table,
                "tie_type": tie_type,
                "id": node_id,
                "name": name,
                "field": field,
                "before": "" if field == "" else _shown(old, names, field),
                "after": "" if field == "" else _shown(new, names, field),
                "explanation": explanation,
            }
        )

    committee_neighborhood = {}
    for table in ENTITY_TABLES:
        old_rows, new_rows = _rows_by_id(before, table), _rows_by_id(after, table)
        word = _(ENTITY_WORDS[table])
        joined = {
            "organizations": _("{name} joined as a new organization."),
            "committees": _("{name} joined as a new welcoming committee."),
            "communities": _("{name} joined as a new community."),
            "navigators": _("{name} joined as a new cultural navigator."),
            "neighborhoods": _("{name} joined as a new neighborhood."),
        }[table]
        for node_id in [i for i in new_rows if i not in old_rows]:
            name = names.get(node_id, node_id)
            add("added", table, node_id, name, joined.format(name=name))
        for node_id in [i for i in old_rows if i not in new_rows]:
            name = names.get(node_id, node_id)
            add(
                "removed",
                table,
                node_id,
                name,
                _("{name} ({kind}) is no longer listed.").format(name=name, kind=word),
            )
        for node_id in [i for i in new_rows if i in old_rows]:
            name = names.get(node_id, node_id)
            for field in FIELDS_THAT_MATTER[table]:
                old, new = old_rows[node_id].get(field), new_rows[node_id].get(field)
                key_of = _COUNT_FIELDS.get((table, field))
                if key_of is not None and old != new:
                    was, now = shown_before.get(key_of(node_id)), shown_after.get(key_of(node_id))
                    old = was if privacy.is_hidden(was) else old
                    new = now if privacy.is_hidden(now) else new
                    if privacy.is_hidden(old) and privacy.is_hidden(new):
                        old, new = str(old), str(new)
                if old == new or (
                    isinstance(old, list)
                    and sorted(map(str, old or [])) == sorted(map(str, new or []))
                ):
                    continue
                add(
                    "changed",
                    table,
                    node_id,
                    name,
                    _field_sentence(table, name, field, old, new, names),
                    field=field,
                    old=old,
                    new=new,
                )
        if table == "committees":
            committee_neighborhood = {i: r.get("neighborhood") for i, r in new_rows.items()}
            committee_neighborhood.update(
                {i: r.get("neighborhood") for i, r in old_rows.items() if i not in new_rows}
            )

    # A committee whose change moved coverage says by how much (once per neighborhood).
    told: set[str] = set()
    for row in rows:
        nbhd = committee_neighborhood.get(row["id"]) if row["table"] == "committees" else None
        if (
            nbhd in reached
            and nbhd not in told
            and row["change"]
            in ("added", "removed")
            + (("changed",) if row["field"] in ("status", "neighborhood") else ())
        ):
            told.add(nbhd)
            count, place = reached[nbhd], names.get(nbhd, nbhd)
            key = ("neighborhood", nbhd, "foreign_born")
            figure = shown_after.get(key, shown_before.get(key, abs(count)))
            if privacy.is_hidden(figure) and not isinstance(figure, privacy.SmallCount):
                reach = (
                    _(
                        "more foreign-born residents of {place} are reached (how many is "
                        "withheld to protect a small count)"
                    )
                    if count > 0
                    else _(
                        "foreign-born residents of {place} are no longer reached (how many is "
                        "withheld to protect a small count)"
                    )
                ).format(place=place)
            else:
                words = _count_text(figure) if privacy.is_hidden(figure) else fmt_number(abs(count))
                reach = (
                    _("{count} more foreign-born residents of {place} are reached")
                    if count > 0
                    else _("{count} foreign-born residents of {place} are no longer reached")
                ).format(count=words, place=place)
            row["explanation"] = _("{sentence}: {reach} ({shares}).").format(
                sentence=row["explanation"][:-1], reach=reach, shares=share_words
            )

    old_ties, new_ties = _tie_keys(before), _tie_keys(after)
    for change, keys, ties, index in (
        ("added", new_ties.keys() - old_ties.keys(), new_ties, 0),
        ("removed", old_ties.keys() - new_ties.keys(), old_ties, 1),
    ):
        for key in sorted(keys):
            tie = ties[key]
            a, b = names.get(tie["source"], tie["source"]), names.get(tie["target"], tie["target"])
            sentence = _(TIE_SENTENCES.get(key[0], OTHER_TIE_SENTENCES)[index]).format(a=a, b=b)
            if key[0] == "lives_in" and tie["residents"] is not None and change == "added":
                residents = shown_after.get(
                    ("lives_in", str(tie["source"]), str(tie["target"])), tie["residents"]
                )
                sentence = _("{sentence} ({count} residents).").format(
                    sentence=sentence[:-1], count=_count_text(residents)
                )
            add(
                change,
                "ties",
                f"{tie['source']} -> {tie['target']}",
                f"{a} – {b}",
                sentence,
                tie_type=key[0],
            )

    changes = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    headline = _headline(before, after, before_cov, after_cov)
    for figure in ("foreign_born_covered", "share_foreign_born_covered"):
        entry = headline[figure]
        for side, shown in (("before", shown_before), ("after", shown_after)):
            if privacy.is_hidden(shown.get(_COVERED)):
                entry[side], entry["delta"] = None, None
    effects = (
        _effects(before, after, before_cov, after_cov, names, shown_after)
        if with_effects
        else pd.DataFrame(columns=EFFECT_COLUMNS)
    )
    if changes.empty and not effects.empty:
        explanation = _(
            "No organization, committee, community, navigator or tie was added or removed, "
            "and no field listed here changed; other fields did, with the effects below."
        )
    elif changes.empty:
        explanation = _(
            "Nothing changed between the two versions: the same organizations, "
            "committees, communities, navigators and ties."
        )
    else:
        counted = changes.groupby("change").size().to_dict()
        counts = {
            "added": _("{count} added"),
            "removed": _("{count} removed"),
            "changed": _("{count} changed"),
        }
        parts = [
            counts[c].format(count=fmt_number(counted[c]))
            for c in ("added", "removed", "changed")
            if c in counted
        ]
        covered = (
            _count_text(shown_before.get(_COVERED, before_cov.summary["foreign_born_covered"])),
            _count_text(shown_after.get(_COVERED, after_cov.summary["foreign_born_covered"])),
        )
        explanation = _(
            "{count} change(s): {parts}. Foreign-born residents reached by active committees: "
            "{before} -> {after} ({shares})."
        ).format(
            count=fmt_number(len(changes)),
            parts=", ".join(parts),
            before=covered[0],
            after=covered[1],
            shares=share_words,
        )
    logger.info("compared two versions of %s: %d change(s)", after.name, len(changes))
    return ChangeReport(
        changes=changes, headline=headline, explanation=explanation, effects=effects
    )


__all__ = [
    "CHANGE_COLUMNS",
    "EFFECT_COLUMNS",
    "EFFECT_KINDS",
    "FIELDS_THAT_MATTER",
    "HEADLINE_LABELS",
    "ChangeReport",
    "change_effects",
    "compare_cities",
]
