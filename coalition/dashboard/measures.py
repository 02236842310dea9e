"""What the pages show, worked out from cached results: options, sizes, tables and sentences.

Functions decorated with ``st.cache_resource`` are keyed on the store's URL and version like
everything in :mod:`coalition.dashboard.data`; the others are cheap transformations of cached
results. Functions whose name ends in ``_markdown`` return markdown in which every data string is
already escaped with :func:`coalition.dashboard.ui.md`; the rest return plain text or frames (shown
with ``st.dataframe``, which never interprets markup).
"""

from __future__ import annotations

import re
from typing import Any, Callable

import networkx as nx
import pandas as pd
import streamlit as st

from coalition import analysis, network_view, schema, settings
from coalition.dashboard import data, ui

# Above this many organizations the map draws only those of the chosen neighborhood: 10,000
# points took 9 s per rerun (st_folium renders every marker as its own script); 2,300
# polygons alone take 0.5 s (measured on the synthetic city).
MAX_MAP_ORGANIZATIONS = 1_500

SIZE_MEASURES = {
    "none": "Same size for everyone",
    "degree": "Number of ties",
    "effective_size": "Broker reach: partners who are not partners of each other",
    "independence": "Independence: partners spread over separate groups",
}
RULE_LABELS = {
    "own": "Its own neighborhood",
    "adjacent": "Its own and bordering neighborhoods",
    "distance": "Neighborhoods within a distance",
}
PART_LABELS = {
    "need": "Need",
    "readiness": "Readiness",
    "access": "Access",
    "adjacency": "Next to a committee",
    "gaps": "Gaps to close",
}
# Okabe-Ito colours: distinguishable with colour-blindness and on a projector.
PART_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
GAP_FAMILIES: dict[str, tuple[str, str]] = {
    "service_gaps": ("Help not reaching a community",
                     "Communities that no member, or only one, reaches with a kind of help."),
    "language_gaps": ("Languages",
                      "Languages residents speak that no member reaching their neighborhood "
                      "offers."),
    "fragile_links": ("Fragile links",
                      "Communities, neighborhoods or partnerships that hang on a single member: "
                      "if it left, others would be cut off."),
    "bridging": ("Bridges",
                 "Ties between organizations serving newcomers and those serving long-time "
                 "residents, and the members who broker between otherwise separate partners."),
    "isolated": ("Isolated members",
                 "Members with no partner or only one, and sectors that never work together."),
    "uncovered_need": ("Need with no one nearby",
                       "Neighborhoods with many foreign-born residents and few members reaching "
                       "them."),
}
# Columns never worth showing to a commission member (ids, internal scores).
_HIDDEN_COLUMN = re.compile(r"(^|_)ids?$|^position$|^index$")
COLUMN_TITLES = {
    "explanation": "Why it matters",
    "severity": "Severity",
    "neighborhood": "Neighborhood",
    "neighborhood_name": "Neighborhood",
    "community": "Community",
    "community_name": "Community",
    "organization": "Organization",
    "name": "Name",
    "service": "Kind of help",
    "language": "Language",
}


# --- options --------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=4)
def filter_options(url: str, version: int) -> dict[str, Any]:
    """Choices for the filters: kinds, sectors, communities, neighborhoods, services, orgs.

    Examples
    --------
    >>> filter_options(url, version)['sectors'][:2]  # doctest: +SKIP
    ['business', 'faith']
    """
    G = data.graph(url, version)
    by_kind: dict[str, dict[str, str]] = {kind: {} for kind in schema.NODE_KINDS}
    sectors: set[str] = set()
    services: set[str] = set()
    for node, attrs in G.nodes(data=True):
        kind = attrs.get("kind")
        if kind not in by_kind:
            continue
        by_kind[kind][node] = str(attrs.get("name") or node)
        if kind == schema.ORGANIZATION:
            if attrs.get("sector"):
                sectors.add(str(attrs["sector"]))
            services.update(str(s) for s in attrs.get("services") or [])

    def by_name(items: dict[str, str]) -> dict[str, str]:
        return dict(sorted(items.items(), key=lambda item: (item[1].lower(), item[0])))

    active = {attrs.get("neighborhood") for _, attrs in G.nodes(data=True)
              if attrs.get("kind") == schema.COMMITTEE and attrs.get("status") == "active"}
    service_labels = {key: label.capitalize() for key, label in schema.SERVICES.items()
                      if key in services}
    service_labels.update({s: s for s in sorted(services) if s not in service_labels})
    return {
        "kinds": [k for k in schema.NODE_KINDS if by_kind[k]],
        "sectors": sorted(sectors, key=str.lower),
        "communities": by_name(by_kind[schema.COMMUNITY]),
        "neighborhoods": by_name(by_kind[schema.NEIGHBORHOOD]),
        "organizations": by_name(by_kind[schema.ORGANIZATION]),
        "navigators": by_name(by_kind[schema.NAVIGATOR]),
        "committees": by_name(by_kind[schema.COMMITTEE]),
        "services": service_labels,
        "total": G.number_of_nodes(),
        "organization_count": len(by_kind[schema.ORGANIZATION]),
        "candidates": sum(1 for n in by_kind[schema.NEIGHBORHOOD] if n not in active),
    }


# --- network --------------------------------------------------------------------------------

@st.cache_resource(show_spinner="Filtering the network…", max_entries=16)
def filtered(url: str, version: int, selection: tuple) -> nx.MultiDiGraph:
    """The sub-graph for one filter choice (see :func:`data.network_page_html`).

    Examples
    --------
    >>> filtered(url, version, (('organization',), (), (), (), (), None, 1))  # doctest: +SKIP
    """
    kinds, sectors, communities, neighborhoods, services, focus, depth = selection
    return network_view.filter_graph(
        data.graph(url, version), kinds=list(kinds) or None, sectors=list(sectors) or None,
        communities=list(communities) or None, neighborhoods=list(neighborhoods) or None,
        services=list(services) or None, focus=focus, depth=depth)


def matched_count(url: str, version: int, selection: tuple) -> int:
    """How many nodes a filter choice keeps.

    Examples
    --------
    >>> matched_count(url, version, ((), ('health',), (), (), (), None, 1))  # doctest: +SKIP
    """
    return filtered(url, version, selection).number_of_nodes()


@st.cache_resource(show_spinner=False, max_entries=4)
def brokerage(url: str, version: int) -> pd.DataFrame:
    """Per organization: degree, effective size and Burt's constraint (python-igraph).

    Examples
    --------
    >>> brokerage(url, version).loc['lib', 'effective_size']  # doctest: +SKIP
    3.0
    """
    from coalition.analysis import metrics

    return metrics.brokerage(metrics.partnership_network(data.index(url, version)))


@st.cache_resource(show_spinner=False, max_entries=16)
def node_sizes(url: str, version: int, size_by: str) -> dict[str, float]:
    """A size value per node for a measure of :data:`SIZE_MEASURES` (empty for "none").

    Examples
    --------
    >>> node_sizes(url, version, 'degree')['lib']  # doctest: +SKIP
    """
    if size_by == "none":
        return {}
    G = data.graph(url, version)
    if size_by == "degree":
        return {node: float(degree) for node, degree in G.degree()}
    table = brokerage(url, version)
    if size_by == "effective_size":
        values = table["effective_size"]
    else:  # independence: Burt's constraint is high for members boxed into one group
        values = 1.0 - table["constraint"]
    return {str(node): float(value) for node, value in values.dropna().items()}


@st.cache_resource(show_spinner=False, max_entries=16)
def highlights(url: str, version: int,
               marks: tuple[str, ...]) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Nodes to mark (node -> reason) and ties to thicken, for the chosen marks.

    Examples
    --------
    >>> nodes, edges = highlights(url, version, ('brokers',))  # doctest: +SKIP
    >>> nodes  # doctest: +SKIP
    {'lib': 'broker', 'legal': 'broker'}
    """
    nodes: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    if "brokers" in marks:
        for node in broker_ids(url, version, 10):
            nodes[node] = "broker"
    if "fragile" in marks:
        for node in fragile_members(url, version):
            nodes[node] = "fragile" if node not in nodes else nodes[node] + ", fragile"
    if "bridging" in marks:
        pairs = analysis.bridging_pairs(data.index(url, version))
        edges.update(zip(pairs["a"].tolist(), pairs["b"].tolist()))
    return nodes, edges


def _brokers(url: str, version: int) -> pd.DataFrame:
    """The gap report's broker rows, largest effective size first."""
    table = data.gaps(url, version).bridging
    brokers = table[table["kind"] == "broker"]
    return brokers.sort_values("effective_size", ascending=False, kind="stable")


def broker_ids(url: str, version: int, count: int) -> list[str]:
    """The gap report's top brokers (largest effective size first).

    Examples
    --------
    >>> broker_ids(url, version, 2)  # doctest: +SKIP
    ['lib', 'legal']
    """
    return [str(n) for n in _brokers(url, version)["id"].head(count)]


def fragile_members(url: str, version: int) -> list[str]:
    """Organizations whose departure would cut other members off (articulation points).

    Examples
    --------
    >>> fragile_members(url, version)  # doctest: +SKIP
    ['lib', 'legal']
    """
    table = data.gaps(url, version).fragile_links
    return [str(n) for n in table.loc[table["type"] == "articulation_point", "id"].unique()]


def broker_sentences(url: str, version: int, count: int) -> list[str]:
    """The gap report's explanations of the top brokers (plain text).

    Examples
    --------
    >>> broker_sentences(url, version, 1)[0][:13]  # doctest: +SKIP
    'Alder Library'
    """
    return [str(e) for e in _brokers(url, version)["explanation"].head(count)]


# --- overview -------------------------------------------------------------------------------

def committee_counts(neighborhoods: pd.DataFrame) -> dict[str, int]:
    """Neighborhoods with an active / forming committee (from a coverage report).

    Examples
    --------
    >>> committee_counts(pd.DataFrame({'committee_status': ['active', 'none', 'forming']}))
    {'active': 1, 'forming': 1}
    """
    status = neighborhoods.get("committee_status", pd.Series(dtype=str))
    return {"active": int((status == "active").sum()),
            "forming": int((status == "forming").sum())}


def _severity_sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if "severity" in frame and pd.api.types.is_numeric_dtype(frame["severity"]):
        return frame.sort_values("severity", ascending=False, kind="stable")
    return frame


# Which families lead on the Overview (severities are not comparable across families, so the
# top sentences take the worst finding of each family in turn, in this order).
OVERVIEW_GAP_ORDER = ("fragile_links", "service_gaps", "language_gaps", "uncovered_need",
                      "isolated", "bridging")


def top_gap_sentences(report: Any, count: int) -> list[str]:
    """The worst finding of each gap family in turn (plain text); positive findings skipped.

    Rows with a severity of 0 or none (e.g. a neighborhood that *has* bridging ties, or a
    broker) describe strengths, not gaps, and are left out.

    Examples
    --------
    >>> top_gap_sentences(data.gaps(url, version), 3)  # doctest: +SKIP
    """
    queues = []
    for family in OVERVIEW_GAP_ORDER:
        frame = getattr(report, family, None)
        if frame is None or frame.empty or "explanation" not in frame:
            continue
        if "severity" in frame:
            severity = pd.to_numeric(frame["severity"], errors="coerce")
            frame = frame[severity > 0]
        queues.append([ui.suppress_small_counts(e)
                       for e in _severity_sorted(frame)["explanation"]])
    lines: list[str] = []
    for rank in range(count):
        for queue in queues:
            if rank < len(queue) and queue[rank] not in lines:
                lines.append(queue[rank])
            if len(lines) == count:
                return lines
    return lines


def top_candidate_markdown(ranked: Any, count: int) -> list[str]:
    """The top candidates as markdown lines: bold name, score, first reason (escaped).

    Examples
    --------
    >>> top_candidate_markdown(data.ranking(url, version), 1)  # doctest: +SKIP
    ['**Cedar** (score 1.00) — Need\\: ...']
    """
    lines = []
    for _, row in ranked.candidates.sort_values("rank").head(count).iterrows():
        reasons = list(row.get("reasons") or [])
        reason = f" — {ui.md(reasons[0])}" if reasons else ""
        lines.append(f"**{ui.md(row['name'])}** (score {float(row['score']):.2f}){reason}")
    return lines


# --- gaps -----------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=32)
def _gap_index(url: str, version: int,
               family: str) -> tuple[pd.DataFrame, list[dict[str, set[str]]], list[str]]:
    """A family's rows sorted by severity, each row's id/name cell values and search text."""
    frame = getattr(data.gaps(url, version), family, None)
    if frame is None or frame.empty:
        return pd.DataFrame(), [], []
    frame = _severity_sorted(frame).reset_index(drop=True)
    cells = _row_texts(frame)
    explanations = frame["explanation"].astype(str).to_list() if "explanation" in frame \
        else [""] * len(frame)
    search = [" ".join([text, *row["names"]]).lower() for text, row in zip(explanations, cells)]
    return frame, cells, search


def _row_texts(frame: pd.DataFrame) -> list[dict[str, set[str]]]:
    """Per row: the set of id-like values and of name-like values in its cells."""
    out = []
    id_columns = [c for c in frame.columns if _HIDDEN_COLUMN.search(str(c))
                  or str(c).endswith("_id")]
    other = [c for c in frame.columns if c not in id_columns and c != "explanation"]
    for record in frame.to_dict("records"):
        ids: set[str] = set()
        names: set[str] = set()
        for column in id_columns:
            ids.update(_flatten(record.get(column)))
        for column in other:
            names.update(_flatten(record.get(column)))
        out.append({"ids": ids, "names": names})
    return out


def _flatten(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [str(value)]


def gap_table(url: str, version: int, family: str, *, neighborhood: str | None = None,
              community: str | None = None, text: str | None = None,
              neighborhood_id: str | None = None, community_id: str | None = None
              ) -> pd.DataFrame:
    """One gap family, filtered, with readable columns (ids hidden, lists joined).

    A row matches a neighborhood (or community) when one of its cells holds its id or its
    exact name; a text matches when every word appears in the explanation or a cell.

    Examples
    --------
    >>> gap_table(url, version, 'service_gaps', text='karen')  # doctest: +SKIP
    """
    frame, cells, search = _gap_index(url, version, family)
    if frame.empty:
        return pd.DataFrame()
    words = text.lower().split() if text else []
    keep = []
    for row, haystack in zip(cells, search):
        ok = True
        if neighborhood_id is not None:
            ok = neighborhood_id in row["ids"] or neighborhood in row["names"]
        if ok and community_id is not None:
            ok = community_id in row["ids"] or community in row["names"]
        if ok and words:
            ok = all(word in haystack for word in words)
        keep.append(ok)
    return readable(frame[keep], family)


KIND_WORDS = {
    "articulation_point": "Member holding others together",
    "community": "Community with one provider",
    "neighborhood": "Neighborhood",
    "broker": "Broker",
    "isolated": "No partner",
    "peripheral": "One partner only",
    "sector_pair": "Sectors that never work together",
    "immigrant": "Newcomers",
    "receiving": "Long-time residents",
    "active": "Active",
    "forming": "Forming",
    "none": "None",
}
# Per family: the columns worth showing, in order, with plain titles.
FAMILY_COLUMNS: dict[str, dict[str, str]] = {
    "service_gaps": {"community": "Community", "domain_label": "Kind of help",
                     "providers": "Members offering it", "provider_names": "Who",
                     "neighborhoods": "Where they live"},
    "language_gaps": {"neighborhood": "Neighborhood", "language": "Language",
                      "communities": "Spoken by", "speakers": "Speakers here",
                      "offered_languages": "Languages offered there",
                      "reached_by": "Members reaching it"},
    "fragile_links": {"type": "What", "name": "Name", "through": "Depends on",
                      "org_names_cut_off": "Members who would be cut off",
                      "communities_cut_off": "Communities left without help"},
    "bridging": {"kind": "What", "name": "Name", "bridging_ties": "Bridging ties",
                 "partners": "Partners", "effective_size": "Broker reach"},
    "isolated": {"kind": "What", "name": "Name", "sector": "Sector",
                 "partner_names": "Only partner"},
    "uncovered_need": {"name": "Neighborhood", "foreign_born": "Foreign-born residents",
                       "members": "Members reaching it", "member_names": "Who",
                       "committee_status": "Committee"},
}
# Counts of a community's residents in one neighborhood: suppressed when small (privacy).
SUPPRESSED_COLUMNS = {"speakers"}


def _cell(value: Any, column: str) -> Any:
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    if column in SUPPRESSED_COLUMNS:
        return suppressed(value)
    if column in ("type", "kind", "committee_status", "community_kind") and isinstance(value, str):
        return KIND_WORDS.get(value, value)
    if isinstance(value, float):
        if value != value:
            return None
        return round(value, 1)
    return value


def readable(frame: pd.DataFrame, family: str | None = None) -> pd.DataFrame:
    """A gap table for people: explanation first, chosen columns with plain titles, lists joined.

    Examples
    --------
    >>> readable(pd.DataFrame({"id": ["a"], "name": ["A"], "ties": [["x", "y"]],
    ...                        "explanation": ["Why."]})).to_dict("records")
    [{'Why it matters': 'Why.', 'Name': 'A', 'Ties': 'x, y'}]
    """
    chosen = FAMILY_COLUMNS.get(family or "", {})
    if chosen:
        columns = [c for c in chosen if c in frame.columns]
    else:
        columns = [c for c in frame.columns if c not in ("explanation", "severity")
                   and not (_HIDDEN_COLUMN.search(str(c)) or str(c).endswith("_id"))]
    out = pd.DataFrame(index=range(len(frame)))
    if "explanation" in frame:
        out[COLUMN_TITLES["explanation"]] = [ui.suppress_small_counts(e)
                                             for e in frame["explanation"]]
    for column in columns:
        title = chosen.get(column) or COLUMN_TITLES.get(column) or \
            str(column).replace("_", " ").capitalize()
        out[title] = [_cell(v, column) for v in frame[column]]
    return out


def gap_column_config(table: pd.DataFrame) -> dict[str, Any]:
    """The explanation column wide.

    Examples
    --------
    >>> list(gap_column_config(pd.DataFrame(columns=['Why it matters'])))
    ['Why it matters']
    """
    title = COLUMN_TITLES["explanation"]
    if title in table.columns:
        return {title: st.column_config.TextColumn(title, width="large")}
    return {}


# --- coverage & planner ----------------------------------------------------------------------

def community_coverage_table(cover: Any) -> pd.DataFrame:
    """Coverage per community, with small resident counts suppressed.

    Examples
    --------
    >>> community_coverage_table(data.coverage(url, version))  # doctest: +SKIP
    """
    frame = cover.communities
    out = pd.DataFrame({
        "Community": frame["name"],
        "Kind": frame["community_kind"].map({"immigrant": "Newcomers",
                                             "receiving": "Long-time residents"}),
        "Residents": frame["residents"].map(suppressed),
        "In reached neighborhoods": frame["residents_covered"].map(suppressed),
        "Share reached": frame["share_covered"].map(ui.fmt_share),
        "Why": frame["explanation"],
    })
    return out


def suppressed(value: Any) -> str:
    """A resident count for a shared view: hidden below the small-count threshold.

    Examples
    --------
    >>> suppressed(3), suppressed(120)
    ('fewer than 5', '120')
    """
    try:
        if value is None or value != value:
            return "–"
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if 0 < number < settings.SMALL_COUNT_THRESHOLD:
        return f"fewer than {settings.SMALL_COUNT_THRESHOLD}"
    return ui.fmt_int(number)


def neighborhood_coverage_table(cover: Any) -> pd.DataFrame:
    """Coverage per neighborhood in plain words.

    Examples
    --------
    >>> neighborhood_coverage_table(data.coverage(url, version))  # doctest: +SKIP
    """
    frame = cover.neighborhoods
    status = {"active": "Active", "forming": "Forming", "none": "None"}
    return pd.DataFrame({
        "Neighborhood": frame["name"],
        "Committee": frame["committee_status"].map(status).fillna("None"),
        "Reached": frame["covered"].map({True: "Yes", False: "No"}),
        "Foreign-born residents": [ui.with_moe(v, m) for v, m in
                                   zip(frame["foreign_born"], frame["foreign_born_moe"])],
        "Reached by": frame["covered_by"].map(
            lambda v: ", ".join(v) if isinstance(v, (list, tuple)) else (v or "")),
    }).sort_values(["Reached", "Neighborhood"], ascending=[False, True])


def ranking_table(ranked: Any) -> pd.DataFrame:
    """The ranking: rank, name, score, stability, reasons.

    Examples
    --------
    >>> ranking_table(data.ranking(url, version))['Neighborhood'].head(1)  # doctest: +SKIP
    """
    frame = ranked.candidates.sort_values("rank")
    if frame.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "Rank": frame["rank"].astype(int),
        "Neighborhood": frame["name"],
        "Score": frame["score"].astype(float),
        "Stability": frame["stability"].astype(float),
        "Why": frame["reasons"].map(lambda r: " ".join(r) if isinstance(r, (list, tuple))
                                    else str(r or "")),
    })


def ranking_column_config(max_score: float = 1.0) -> dict[str, Any]:
    """Score and stability as bars (the score bar runs to the sum of the weights).

    Examples
    --------
    >>> sorted(ranking_column_config(2.0))
    ['Score', 'Stability', 'Why']
    """
    return {
        "Score": st.column_config.ProgressColumn("Score", min_value=0.0,
                                                 max_value=max(float(max_score), 1e-9),
                                                 format="%.2f"),
        "Stability": st.column_config.ProgressColumn(
            "Stability", min_value=0.0, max_value=1.0, format="percent",
            help="Share of 200 runs with the weights and census figures shaken within their "
                 "uncertainty in which it stays in the top k."),
        "Why": st.column_config.TextColumn("Why", width="large"),
    }


def score_parts(ranked: Any, limit: int = 15) -> pd.DataFrame:
    """Long table (neighborhood, part, points, order) of the top candidates' score parts.

    Examples
    --------
    >>> score_parts(data.ranking(url, version), limit=3)  # doctest: +SKIP
    """
    frame = ranked.candidates.sort_values("rank").head(limit)
    rows = []
    for _, row in frame.iterrows():
        for order, (component, label) in enumerate(PART_LABELS.items()):
            column = f"part_{component}"
            if column in row and row[column] == row[column]:
                rows.append({"neighborhood": str(row["name"]), "part": label,
                             "points": float(row[column]), "order": order})
    return pd.DataFrame(rows, columns=["neighborhood", "part", "points", "order"])


def reason_lines(ranked: Any, limit: int) -> list[str]:
    """Markdown: per top candidate, its name, score, stability and reasons (escaped).

    Examples
    --------
    >>> reason_lines(data.ranking(url, version), limit=1)  # doctest: +SKIP
    """
    lines = []
    for _, row in ranked.candidates.sort_values("rank").head(limit).iterrows():
        reasons = row.get("reasons") or []
        bullets = "\n".join(f"  - {ui.md(reason)}" for reason in reasons)
        lines.append(f"**{int(row['rank'])}. {ui.md(row['name'])}** — score "
                     f"{float(row['score']):.2f}, in the top group in "
                     f"{float(row['stability']):.0%} of the uncertainty runs\n{bullets}")
    return lines


def _names(selected: Any) -> list[str]:
    out = []
    for item in selected or []:
        if isinstance(item, dict):
            out.append(str(item.get("name") or item.get("id") or item.get("neighborhood_id")))
        else:
            out.append(str(item))
    return out


def plan_markdown(plan: dict[str, Any], k: int) -> str:
    """The optimised plan against the top k by score, in plain words (escaped).

    Examples
    --------
    >>> plan_markdown({'selected': [{'name': 'Cedar'}], 'newly_covered': 300.0}, 1)
    '**Best set of 1:** Cedar — reaches 300 more foreign-born residents.'
    """
    selected = _names(plan.get("selected_names") or plan.get("selected"))
    newly = plan.get("newly_covered")
    top_k = plan.get("top_k_by_score_newly_covered")
    lines = [f"**Best set of {k}:** {ui.md(', '.join(selected)) or 'none'} — reaches "
             f"{ui.fmt_int(newly)} more foreign-born residents."]
    if top_k is not None:
        lines.append(f"**Top {k} by score:** reaches {ui.fmt_int(top_k)} more.")
    if plan.get("explanation"):
        lines.append(ui.md(plan["explanation"]))
    if plan.get("method"):
        lines.append(f"_Method: {ui.md(plan['method'])}_")
    return "\n\n".join(lines)


def neighborhoods_without_committee(cover: Any) -> list[str]:
    """Ids of neighborhoods with no active committee, by name.

    Examples
    --------
    >>> neighborhoods_without_committee(data.coverage(url, version))  # doctest: +SKIP
    ['birch', 'cedar', 'dogwood']
    """
    frame = cover.neighborhoods
    frame = frame[frame["committee_status"] != "active"].sort_values("name")
    return [str(n) for n in frame["id"]]


# --- data page ------------------------------------------------------------------------------

TABLE_TITLES = {
    "neighborhoods": "Neighborhoods",
    "organizations": "Organizations",
    "communities": "Communities",
    "navigators": "Cultural navigators",
    "committees": "Welcoming committees",
    "ties": "Ties",
}


def datasets_table(datasets: pd.DataFrame) -> pd.DataFrame:
    """The store's datasets in plain words, with the illustrative share.

    Examples
    --------
    >>> datasets_table(data.datasets(url, version))  # doctest: +SKIP
    """
    frame = datasets.copy()
    out = pd.DataFrame({
        "Table": frame["table"].map(lambda t: TABLE_TITLES.get(t, t)),
        "Rows": frame["rows"].astype(int),
        f"Illustrative {ui.ILLUSTRATIVE_MARK}": frame["illustrative_rows"].astype(int),
        "Sources cited": frame.get("sources", pd.Series(0, index=frame.index)),
        "Oldest source date": frame.get("oldest_source_date", ""),
        "Latest source date": frame.get("latest_source_date", ""),
    })
    if "source_list" in frame:
        out["Sources"] = frame["source_list"]
    return out


@st.cache_resource(show_spinner=False, max_entries=4)
def source_list(url: str, version: int) -> pd.DataFrame:
    """Per table and source: rows, illustrative rows and the dates the source gives.

    Examples
    --------
    >>> source_list(url, version)[['Table', 'Source']]  # doctest: +SKIP
    """
    rows = []
    for table, frame in data.city(url, version).tables.items():
        if frame.empty or "source" not in frame:
            continue
        sources = frame["source"].fillna("").astype(str).replace("", "(no source given)")
        dates = frame["source_date"].fillna("").astype(str) if "source_date" in frame \
            else pd.Series("", index=frame.index)
        illustrative = frame["illustrative"].fillna(False).astype(bool) \
            if "illustrative" in frame else pd.Series(False, index=frame.index)
        for source, group in frame.groupby(sources, sort=True):
            known = sorted(d for d in dates[group.index] if d)
            rows.append({
                "Table": TABLE_TITLES.get(table, table),
                "Source": source,
                "Rows": len(group),
                f"Illustrative {ui.ILLUSTRATIVE_MARK}": int(illustrative[group.index].sum()),
                "Dates": (known[0] if known[0] == known[-1] else f"{known[0]} to {known[-1]}")
                if known else "",
            })
    return pd.DataFrame(rows, columns=["Table", "Source", "Rows",
                                       f"Illustrative {ui.ILLUSTRATIVE_MARK}", "Dates"])


def illustrative_totals(datasets: pd.DataFrame) -> tuple[int, int]:
    """(illustrative rows, all rows) over every table.

    Examples
    --------
    >>> illustrative_totals(pd.DataFrame({'rows': [4, 6], 'illustrative_rows': [0, 6]}))
    (6, 10)
    """
    return int(datasets["illustrative_rows"].sum()), int(datasets["rows"].sum())


def warnings_table(warnings: list[Any]) -> pd.DataFrame:
    """The load's warnings as a table (file, row, column, value, message).

    Examples
    --------
    >>> warnings_table([{'file': 'ties.csv', 'row': 3, 'message': 'Check it.'}])['What to do'][0]
    'Check it.'
    """
    rows = []
    for warning in warnings:
        item = warning if isinstance(warning, dict) else {"message": str(warning)}
        rows.append({"File": item.get("file") or "", "Row": item.get("row"),
                     "Column": item.get("column") or "", "Value": item.get("value") or "",
                     "What to do": item.get("message") or ""})
    return pd.DataFrame(rows, columns=["File", "Row", "Column", "Value", "What to do"])


def slug(text: str) -> str:
    """A safe file-name part.

    Examples
    --------
    >>> slug("Hartford, Connecticut")
    'hartford-connecticut'
    """
    cleaned = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return cleaned[:40] or "coalition"


def deferred_export(url: str, version: int, fmt: str) -> Callable[[], bytes]:
    """A no-argument callable for ``st.download_button``: builds the export only when clicked.

    Examples
    --------
    >>> st.download_button('Excel', deferred_export(url, version, 'xlsx'))  # doctest: +SKIP
    """
    def build() -> bytes:
        return data.export(url, version, fmt)
    return build


# --- neighborhood profile ---------------------------------------------------------------------

_REACHING_TIES = ("located_in", "serves_neighborhood")


@st.cache_resource(show_spinner=False, max_entries=64)
def neighborhood_members(url: str, version: int,
                         neighborhood_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organizations located in / serving a neighborhood, and communities living there.

    Resident counts below :data:`coalition.settings.SMALL_COUNT_THRESHOLD` are suppressed.

    Examples
    --------
    >>> members, communities = neighborhood_members(url, version, 'alder')  # doctest: +SKIP
    >>> sorted(members['Organization'])  # doctest: +SKIP
    ['Alder Library', 'Alder Neighbors']
    """
    G = data.graph(url, version)
    members: dict[str, set[str]] = {}
    communities = []
    for source, _, key, attrs in G.in_edges(neighborhood_id, keys=True, data=True):
        if key in _REACHING_TIES:
            members.setdefault(source, set()).add("located here" if key == "located_in"
                                                  else "serves it")
        elif key == "lives_in":
            node = G.nodes[source]
            communities.append({
                "Community": str(node.get("name") or source),
                "Kind": {"immigrant": "Newcomers", "receiving": "Long-time residents"}.get(
                    node.get("community_kind"), ""),
                "Residents here": suppressed(attrs.get("residents")),
                ui.ILLUSTRATIVE_MARK: ui.ILLUSTRATIVE_MARK if attrs.get("illustrative") else "",
            })
    rows = []
    for org, how in sorted(members.items(), key=lambda item: str(G.nodes[item[0]].get("name"))):
        node = G.nodes[org]
        rows.append({
            "Organization": str(node.get("name") or org),
            "Sector": str(node.get("sector") or ""),
            "How": ", ".join(sorted(how)),
            "Services": ", ".join(schema.SERVICES.get(s, s) for s in node.get("services") or []),
            "Languages": ", ".join(node.get("languages") or []),
            ui.ILLUSTRATIVE_MARK: ui.ILLUSTRATIVE_MARK if node.get("illustrative") else "",
        })
    return pd.DataFrame(rows), pd.DataFrame(communities)


def neighborhood_gap_lines(url: str, version: int, neighborhood_id: str) -> list[str]:
    """Explanations of every gap that mentions a neighborhood (plain text).

    Examples
    --------
    >>> neighborhood_gap_lines(url, version, 'dogwood')  # doctest: +SKIP
    """
    G = data.graph(url, version)
    name = str(G.nodes[neighborhood_id].get("name") or neighborhood_id)
    lines: list[str] = []
    for family in GAP_FAMILIES:
        table = gap_table(url, version, family, neighborhood=name,
                          neighborhood_id=neighborhood_id)
        title = COLUMN_TITLES["explanation"]
        if not table.empty and title in table:
            lines.extend(str(e) for e in table[title])
    return list(dict.fromkeys(lines))


# --- what changed -------------------------------------------------------------------------------

CHANGE_WORDS = {"added": "Added", "removed": "Removed", "changed": "Changed"}
# For these figures, going down is the good direction (st.metric colours the delta by it).
LOWER_IS_BETTER = ("isolated_organizations",)


def version_label(version: int, saved_at: str, what: str) -> str:
    """How a kept version is named in a list: number, time (UTC) and what the change was.

    Plain text for a selectbox option (options are not markdown).

    Examples
    --------
    >>> version_label(3, "2026-11-26T23:20:05+00:00", "Recorded: a tie")
    'version 3 — 2026-11-26 23:20 UTC — Recorded: a tie'
    """
    shown_what = " ".join(str(what or "").split())
    if len(shown_what) > 90:
        shown_what = shown_what[:89] + "…"
    return f"version {int(version)} — {ui.loaded_time(saved_at)} — {shown_what}"


def change_metrics(headline: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The headline figures of a comparison as ``st.metric`` arguments (label, value, delta).

    Examples
    --------
    >>> change_metrics({"partnerships": {"label": "Partnerships", "before": 4, "after": 5,
    ...                                  "delta": 1}})[0]
    {'label': 'Partnerships', 'value': '5', 'delta': '+1 (was 4)', 'delta_color': 'normal'}
    """
    metrics = []
    for key, entry in headline.items():
        before, after, delta = entry["before"], entry["after"], entry["delta"]
        if key.startswith("share"):
            value = ui.fmt_share(after)
            shown_delta = None if delta is None else \
                f"{delta * 100:+.0f} points (was {ui.fmt_share(before)})"
        else:
            value = ui.fmt_int(after)
            shown_delta = None if delta is None else f"{delta:+,} (was {ui.fmt_int(before)})"
        if not delta:
            shown_delta = None  # "no change" reads better than a grey +0
        metrics.append({"label": entry["label"], "value": value, "delta": shown_delta,
                        "delta_color": "inverse" if key in LOWER_IS_BETTER else "normal"})
    return metrics


def changes_table(changes: pd.DataFrame, words: str = "") -> pd.DataFrame:
    """The changes as a table in plain words, keeping rows whose text contains ``words``.

    Examples
    --------
    >>> frame = pd.DataFrame({"change": ["added"], "table": ["ties"], "name": ["A – B"],
    ...     "explanation": ["A and B started working together."]})
    >>> changes_table(frame, "b started")["What changed"].tolist()
    ['A and B started working together.']
    """
    out = pd.DataFrame({
        "Change": changes["change"].map(lambda c: CHANGE_WORDS.get(c, c)),
        "In": changes["table"].map(lambda t: TABLE_TITLES.get(t, t)),
        "Who": changes["name"].astype(str),
        "What changed": changes["explanation"].astype(str),
    })
    needle = " ".join(str(words or "").split()).lower()
    if needle:
        text = (out["Change"] + " " + out["In"] + " " + out["Who"] + " "
                + out["What changed"]).str.lower()
        out = out[text.str.contains(needle, regex=False)]
    return out.reset_index(drop=True)
