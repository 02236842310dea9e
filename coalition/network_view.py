"""Network views: filter the coalition graph, place its nodes, and draw it as offline HTML.

These functions DRAW: they take a graph (and analysis results as plain arguments) and return a
graph, positions or an HTML string. They compute no analysis.

Drawing (:func:`network_html`) uses pyvis' ``generate_html()`` with this package's own template
(``coalition/static/network_template.html``): vis-network 9.1.2 is inlined from the installed
pyvis package, and the page has no Bootstrap, no CDN link, no heading, no select/filter menu and
no HTML-popup mode (pyvis switches titles to ``innerHTML`` once any title contains ``href``).
Every label and title is escaped here (:func:`coalition.escaping.escape_text`); the page's script
decodes them back to plain text in an inert document, so names show as written and are drawn as
text, never parsed as HTML.
Resident counts: a lives_in tie's tooltip says how many residents of the community live in the
neighborhood, as the page's audience may see it (``disclosure``, default
:meth:`coalition.privacy.Disclosure.public`): exact for editors (the legend then says
:data:`coalition.privacy.EXACT_LABEL`), protected with the whole city's lines for anyone else
(``counts``, :func:`coalition.privacy.city_counts`), and left out when those lines are not given
(a view is a part of the city: protecting it alone could show what the city's protection hides).

Positions are computed in Python (:func:`layout_positions`) and physics is always off, so large
views draw at once and never jump. Compute the positions once on the full graph and reuse them
for every filtered view.

Examples
--------
>>> positions = layout_positions(G)  # doctest: +SKIP
>>> page = network_html(filter_graph(G, focus="legal"), positions)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from importlib import resources
from typing import Any

import igraph
import networkx as nx
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pyvis.network import Network

from . import i18n, privacy
from .edits import tie_key
from .errors import AnalysisError
from .escaping import escape_text
from .model import is_member
from .schema import COMMITTEE, COMMUNITY, NAVIGATOR, NEIGHBORHOOD, NODE_KINDS, ORGANIZATION
from .settings import STATIC_DIR
from .values import finite_or_none

logger = logging.getLogger(__name__)

# Above this many nodes a view is hard to read and slow to draw: show aggregate_graph() instead.
MAX_VISIBLE_NODES = 1500
# Above this many nodes only neighborhoods, groups and highlighted nodes get a visible label.
MAX_LABELLED_NODES = 300
GROUP = "group"  # kind of the nodes of aggregate_graph()
NO_NEIGHBORHOOD = i18n.N_("(no neighborhood)")
NO_SECTOR = i18n.N_("(no sector)")
NO_ORIENTATION = i18n.N_("(no orientation)")

KIND_COLOURS = {
    ORGANIZATION: "#0072B2",
    NEIGHBORHOOD: "#9E9E9E",
    COMMUNITY: "#E69F00",
    NAVIGATOR: "#009E73",
    COMMITTEE: "#CC79A7",
    GROUP: "#56B4E9",
}
# The words drawn in the view (legend, tooltips): marked here, read in the language in use.
KIND_LABELS: i18n.Translated[str, str] = i18n.Translated(
    {
        ORGANIZATION: i18n.N_("Organization"),
        NEIGHBORHOOD: i18n.N_("Neighborhood"),
        COMMUNITY: i18n.N_("Community"),
        NAVIGATOR: i18n.N_("Cultural navigator"),
        COMMITTEE: i18n.N_("Welcoming committee"),
        GROUP: i18n.N_("Group"),
    }
)
# Group ids of aggregate_graph(by="sector") for what is not an organization (kept in English:
# they are ids; a group's name is translated, see _group_name).
KIND_PLURALS = {
    NEIGHBORHOOD: i18n.N_("Neighborhoods"),
    COMMUNITY: i18n.N_("Communities"),
    NAVIGATOR: i18n.N_("Cultural navigators"),
    COMMITTEE: i18n.N_("Welcoming committees"),
    GROUP: i18n.N_("Groups"),
}
ORIENTATION_WORDS: i18n.Translated[str, str] = i18n.Translated(
    {
        "immigrant_serving": i18n.N_("immigrant serving"),
        "receiving_community": i18n.N_("receiving community"),
        "both": i18n.N_("both"),
    }
)
STATUS_WORDS: i18n.Translated[str, str] = i18n.Translated(
    {
        "active": i18n.N_("active"),
        "forming": i18n.N_("forming"),
        "paused": i18n.N_("paused"),
        "none": i18n.N_("none"),
    }
)
TIE_WORDS: i18n.Translated[str, str] = i18n.Translated(
    {
        "tie": i18n.N_("tie"),
        "partnership": i18n.N_("partnership"),
        "serves_community": i18n.N_("serves community"),
        "serves_neighborhood": i18n.N_("serves neighborhood"),
        "located_in": i18n.N_("located in"),
        "lives_in": i18n.N_("lives in"),
        "mentors": i18n.N_("mentors"),
        "volunteers_with": i18n.N_("volunteers with"),
        "based_in": i18n.N_("based in"),
        "committee_member": i18n.N_("committee member"),
        "covers": i18n.N_("covers"),
    }
)


def _tie_word(tie_type: Any) -> str:
    """A tie type in words ("serves community"); an unknown type as written."""
    key = str(tie_type or "tie")
    return TIE_WORDS.get(key, key.replace("_", " "))


def _orientation_word(orientation: str) -> str:
    return ORIENTATION_WORDS.get(orientation, orientation.replace("_", " "))


def _group_name(group: str) -> str:
    """A group's name: our own group words translated, a sector or neighborhood as written."""
    ours = {NO_NEIGHBORHOOD, NO_SECTOR, *KIND_PLURALS.values()}
    return i18n.gettext(group) if group in ours else group


ORIENTATION_COLOURS = {
    "immigrant_serving": "#D55E00",
    "receiving_community": "#0072B2",
    "both": "#009E73",
}
SECTOR_COLOURS = {
    "library": "#0072B2",
    "nonprofit": "#E69F00",
    "faith": "#CC79A7",
    "school": "#009E73",
    "government": "#56B4E9",
    "health": "#D55E00",
    "legal": "#882255",
    "neighborhood association": "#F0E442",
    "business": "#666666",
    "foundation": "#44AA99",
}
# Colours for categories not listed above, picked by a hash of the category (stable across runs).
EXTRA_COLOURS = (
    "#332288",
    "#117733",
    "#88CCEE",
    "#DDCC77",
    "#AA4499",
    "#999933",
    "#661100",
    "#6699CC",
    "#AA4466",
    "#4477AA",
)
OTHER_KIND_COLOUR = "#D9D9D9"  # non-organizations when colouring by sector or orientation
HIGHLIGHT_COLOUR = "#D50000"
BRIDGE_COLOUR = "#FF6D00"
# Changes since a meeting (network_html's new_ties / ended_ties / new_nodes).
NEW_COLOUR = "#7B1FA2"  # new ties (thick) and new organizations (outline)
ENDED_COLOUR = "#757575"  # ended ties, dashed
KIND_SIZES = {
    ORGANIZATION: 12,
    NEIGHBORHOOD: 18,
    COMMUNITY: 16,
    NAVIGATOR: 8,
    COMMITTEE: 12,
    GROUP: 16,
}
COLOR_BY = ("kind", "sector", "orientation")
AGGREGATE_BY = ("neighborhood", "sector")

# Ties that attach a node to a neighborhood, by the kind of the attached node.
_ATTACHING_TIES = ("located_in", "serves_neighborhood", "lives_in", "based_in", "covers")
_HOME_TIES = {ORGANIZATION: "located_in", NAVIGATOR: "based_in", COMMITTEE: "covers"}
_TEMPLATE_NAME = "network_template.html"
_DEFAULT_BORDER_WIDTH = 1  # in the page's options; a node carries its own only when wider
_IGRAPH_RNG_LOCK = threading.Lock()


# --- filtering ----------------------------------------------------------------------------------


def _as_set(values: Iterable[str] | str | None) -> set[str]:
    if values is None:
        return set()
    if isinstance(values, str):
        return {values}
    return {str(v) for v in values}


def filter_graph(
    G: nx.MultiDiGraph,
    *,
    kinds: Iterable[str] | None = None,
    sectors: Iterable[str] | None = None,
    communities: Iterable[str] | None = None,
    neighborhoods: Iterable[str] | None = None,
    services: Iterable[str] | None = None,
    focus: str | None = None,
    depth: int = 1,
) -> nx.MultiDiGraph:
    """A new graph with the nodes a view asks for and every tie among them.

    Each criterion left ``None`` (or empty) keeps everything; the criteria given all apply
    (intersection):

    - ``kinds``: nodes of those kinds.
    - ``sectors``: organizations of those sectors; other kinds are kept.
    - ``services``: organizations offering at least one of those services; other kinds kept.
    - ``communities``: those communities and every node tied to them (either direction); all
      else is dropped.
    - ``neighborhoods``: those neighborhoods and the nodes located, based, living in, serving or
      covering them (ties located_in, serves_neighborhood, lives_in, based_in, covers).
    - ``focus``: applied last, on what the other criteria kept: the nodes within ``depth`` steps
      of the focus node, ignoring tie direction. The focus node itself is always kept.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The coalition graph (left unchanged).
    kinds, sectors, communities, neighborhoods, services : iterable of str, optional
        See above. ``communities`` and ``neighborhoods`` are node ids.
    focus : str, optional
        A node id.
    depth : int
        Steps from ``focus`` (0 keeps the focus node alone).

    Returns
    -------
    networkx.MultiDiGraph
        A copy: changing it never changes ``G``. Graph attributes are kept.

    Raises
    ------
    AnalysisError
        For an unknown kind, community, neighborhood or focus id, or a negative depth.

    Examples
    --------
    >>> sorted(filter_graph(G, focus="legal"))  # doctest: +SKIP
    ['birch', 'clinic', 'latino', 'legal', 'lib']
    """
    kind_set, sector_set = _as_set(kinds), _as_set(sectors)
    community_set, neighborhood_set = _as_set(communities), _as_set(neighborhoods)
    service_set = _as_set(services)
    unknown_kinds = kind_set - set(NODE_KINDS) - {GROUP}
    if unknown_kinds:
        raise AnalysisError(
            f"Unknown node kind(s) {sorted(unknown_kinds)}: choose from {', '.join(NODE_KINDS)}."
        )
    for wanted, kind, what in (
        (community_set, COMMUNITY, "community"),
        (neighborhood_set, NEIGHBORHOOD, "neighborhood"),
    ):
        missing = sorted(n for n in wanted if G.nodes.get(n, {}).get("kind") != kind)
        if missing:
            raise AnalysisError(
                f"No {what} with id {', '.join(map(repr, missing))} in the "
                f"graph: pick {what} ids from the data."
            )
    if focus is not None and focus not in G:
        raise AnalysisError(f"No node with id {focus!r} to focus on: pick an id from the data.")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise AnalysisError(f"depth must be a whole number of steps, 0 or more (got {depth!r}).")

    keep = set(G.nodes)
    if kind_set:
        keep = {n for n in keep if G.nodes[n].get("kind") in kind_set}
    if sector_set:
        keep = {
            n
            for n in keep
            if G.nodes[n].get("kind") != ORGANIZATION or G.nodes[n].get("sector") in sector_set
        }
    if service_set:
        keep = {
            n
            for n in keep
            if G.nodes[n].get("kind") != ORGANIZATION
            or service_set & set(G.nodes[n].get("services") or ())
        }
    if community_set:
        tied = set(community_set)
        for c in community_set:
            tied.update(G.predecessors(c))
            tied.update(G.successors(c))
        keep &= tied
    if neighborhood_set:
        attached = set(neighborhood_set)
        for n in neighborhood_set:
            attached.update(u for u, _, key in G.in_edges(n, keys=True) if key in _ATTACHING_TIES)
        keep &= attached
    if focus is not None:
        keep.add(focus)
        undirected = G.subgraph(keep).to_undirected(as_view=True)
        keep = set(nx.single_source_shortest_path_length(undirected, focus, cutoff=depth))
    return G.subgraph(keep).copy()


# --- positions ----------------------------------------------------------------------------------


def _unit_hash(key: str, salt: str = "") -> tuple[float, float]:
    """Two numbers in [0, 1) fixed by ``key`` (not Python's salted hash())."""
    digest = hashlib.blake2b(f"{salt}|{key}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest[:4], "big") / 2**32, int.from_bytes(digest[4:], "big") / 2**32)


def _jitter(
    key: str, x: float, y: float, radius: float, inner: float = 0.35
) -> tuple[float, float]:
    a, b = _unit_hash(key)
    angle, distance = 2 * math.pi * a, radius * (inner + (1 - inner) * b)
    return x + distance * math.cos(angle), y + distance * math.sin(angle)


def _home_neighborhood(G: nx.Graph, node: str, data: dict) -> str | None:
    """The neighborhood a node sits in: its ``neighborhood`` attribute, else its home tie."""
    where = data.get("neighborhood")
    if where is not None and where in G:
        return where
    tie = _HOME_TIES.get(str(data.get("kind")))
    if tie and G.is_multigraph() and G.is_directed():
        for _, target, key in G.out_edges(node, keys=True):
            if key == tie:
                return target
    return None


def layout_positions(
    G: nx.Graph, *, seed: int = 20100, geographic: bool = True, scale: float = 1000.0
) -> dict[str, tuple[float, float]]:
    """Screen positions for every node; the same graph always gets the same positions.

    ``geographic=True``: neighborhoods (and any node with ``lon``/``lat``, such as the groups
    of :func:`aggregate_graph`) at their coordinates, projected flat (longitude scaled by the
    cosine of the latitude, y flipped for the screen) and scaled so the city spans ``scale``
    units; organizations at their own ``lat``/``lon`` when known, else near their neighborhood;
    navigators and committees near their neighborhood; communities near the mean of the
    neighborhoods they live in. "Near" is a fixed offset drawn from a hash of the node id, so
    nodes do not jump between runs. Nodes that cannot be placed go on a ring outside the city,
    in id order. With no located neighborhood at all, the force layout is used instead.

    ``geographic=False``: a Fruchterman-Reingold layout computed by python-igraph (about 1 s at
    10,000 nodes / 40,000 ties here), with a random start drawn from a generator seeded with
    ``seed``.

    Compute once on the full graph and reuse for filtered views, so filtering never moves nodes.

    Parameters
    ----------
    G : networkx.Graph
        Any graph of this package (left unchanged).
    seed : int
        Seed of the force layout.
    geographic : bool
        Place nodes by geography (default) or by force layout.
    scale : float
        Width of the drawing, in vis-network units.

    Returns
    -------
    dict of str to (float, float)
        Node id -> (x, y).

    Examples
    --------
    >>> layout_positions(G) == layout_positions(G)  # doctest: +SKIP
    True
    """
    if G.number_of_nodes() == 0:
        return {}
    if geographic:
        positions = _geographic_positions(G, scale)
        if positions is not None:
            return positions
        logger.info("No neighborhood has coordinates: using a force layout instead.")
    return _force_positions(G, seed, scale)


def _geographic_positions(G: nx.Graph, scale: float) -> dict[str, tuple[float, float]] | None:
    located = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") in (NEIGHBORHOOD, GROUP) or data.get("kind") not in NODE_KINDS:
            lon, lat = finite_or_none(data.get("lon")), finite_or_none(data.get("lat"))
            if lon is not None and lat is not None:
                located[node] = (lon, lat)
    anchors = [xy for n, xy in located.items() if G.nodes[n].get("kind") == NEIGHBORHOOD] or list(
        located.values()
    )
    if not anchors:
        return None
    lons, lats = [a[0] for a in anchors], [a[1] for a in anchors]
    lon0, lat0 = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    cos0 = math.cos(math.radians(lat0))
    span = max((max(lons) - min(lons)) * cos0, max(lats) - min(lats))
    factor = scale / span if span > 0 else 1.0

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * cos0 * factor, -(lat - lat0) * factor

    positions = {n: project(*xy) for n, xy in located.items()}
    n_anchors = max(1, sum(1 for n in positions if G.nodes[n].get("kind") == NEIGHBORHOOD))
    spacing = scale / math.sqrt(n_anchors)  # typical distance between neighborhoods
    near = 0.3 * spacing

    pending = []
    for node in sorted(G.nodes, key=str):
        if node in positions:
            continue
        data = G.nodes[node]
        kind = data.get("kind")
        lon, lat = finite_or_none(data.get("lon")), finite_or_none(data.get("lat"))
        if kind == ORGANIZATION and lon is not None and lat is not None:
            x, y = project(lon, lat)
            positions[node] = _jitter(str(node), x, y, 0.03 * near, inner=0.0)
            continue
        if kind == COMMUNITY and G.is_directed():
            homes = (
                [
                    positions[t]
                    for _, t, key in G.out_edges(node, keys=True)
                    if key == "lives_in" and t in positions
                ]
                if G.is_multigraph()
                else []
            )
            if homes:
                x = sum(h[0] for h in homes) / len(homes)
                y = sum(h[1] for h in homes) / len(homes)
                positions[node] = _jitter(str(node), x, y, near)
                continue
        home = _home_neighborhood(G, node, data)
        if home is not None and home in positions:
            positions[node] = _jitter(str(node), *positions[home], near)
        else:
            pending.append(node)

    if pending:
        xs, ys = [p[0] for p in positions.values()], [p[1] for p in positions.values()]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        radius = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 + 0.15 * scale
        for i, node in enumerate(pending):
            angle = 2 * math.pi * i / len(pending) - math.pi / 2
            positions[node] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return {str(n): (float(x), float(y)) for n, (x, y) in positions.items()}


def _force_positions(G: nx.Graph, seed: int, scale: float) -> dict[str, tuple[float, float]]:
    ids = sorted(G.nodes, key=str)
    index = {n: i for i, n in enumerate(ids)}
    pairs = sorted({tuple(sorted((index[u], index[v]))) for u, v in G.edges() if u != v})
    graph = igraph.Graph(n=len(ids), edges=pairs)
    # igraph draws its random start from the generator it is given: a seeded one makes the
    # layout repeatable (ids are sorted, so insertion order does not matter either). Its own
    # random start is ~10x faster than a start passed in (1 s vs 10 s at 10,000 nodes).
    # The default generator (the random module) is restored at once.
    with _IGRAPH_RNG_LOCK:  # the generator is global: one layout at a time (dashboard threads)
        igraph.set_random_number_generator(random.Random(seed))
        try:
            coords = graph.layout_fruchterman_reingold().coords
        finally:
            igraph.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {
        str(n): ((c[0] - cx) * scale / span, (c[1] - cy) * scale / span)
        for n, c in zip(ids, coords, strict=False)
    }


# --- aggregation --------------------------------------------------------------------------------


def should_aggregate(G: nx.Graph) -> bool:
    """True when a view of ``G`` has more nodes than :data:`MAX_VISIBLE_NODES`.

    Examples
    --------
    >>> should_aggregate(nx.path_graph(10))
    False
    """
    return G.number_of_nodes() > MAX_VISIBLE_NODES


def _group_of_node(G: nx.Graph, node: str, data: dict, by: str) -> str:
    kind = data.get("kind")
    if by == "sector":
        if kind == ORGANIZATION:
            return str(data.get("sector") or NO_SECTOR)
        return KIND_PLURALS.get(str(kind), str(kind))
    if kind == NEIGHBORHOOD:
        return node
    if kind == COMMUNITY and G.is_directed() and G.is_multigraph():
        homes = [
            (-(finite_or_none(d.get("residents")) or 0.0), str(t))
            for _, t, key, d in G.out_edges(node, keys=True, data=True)
            if key == "lives_in"
        ]
        return min(homes)[1] if homes else NO_NEIGHBORHOOD
    home = _home_neighborhood(G, node, data)
    return home if home is not None else NO_NEIGHBORHOOD


def aggregate_graph(G: nx.Graph, by: str = "neighborhood") -> nx.Graph:
    """One node per group of members, with ties between groups counted, for very large views.

    ``by="neighborhood"``: each neighborhood with what sits in it (organizations located there,
    navigators based there, committees covering it, communities where most of their residents
    live); the rest in ``"(no neighborhood)"``. ``by="sector"``: organizations by sector, other
    nodes by kind (groups "Neighborhoods", "Communities", "Cultural navigators"...).

    Parameters
    ----------
    G : networkx.Graph
        The coalition graph, or a filtered view of it (left unchanged).
    by : {"neighborhood", "sector"}
        How to group.

    Returns
    -------
    networkx.Graph
        Nodes: group id with ``kind="group"``, ``name``, ``label`` ("Asylum Hill (23
        members)"), ``size`` and ``members`` (member count), ``internal_ties``,
        ``illustrative_members``, and ``lon``/``lat`` for neighborhood groups. Edges:
        ``weight`` (ties between members of the two groups) and ``strength`` (their summed
        strength).

    Raises
    ------
    AnalysisError
        If ``by`` is not one of :data:`AGGREGATE_BY`.

    Examples
    --------
    >>> A = aggregate_graph(G)  # doctest: +SKIP
    >>> A.nodes["alder"]["label"]  # doctest: +SKIP
    'Alder (5 members)'
    """
    if by not in AGGREGATE_BY:
        raise AnalysisError(f"Cannot group by {by!r}: choose one of {', '.join(AGGREGATE_BY)}.")
    group_of = {n: _group_of_node(G, n, d, by) for n, d in G.nodes(data=True)}
    members = Counter(group_of.values())
    illustrative = Counter(group_of[n] for n, flag in G.nodes(data="illustrative") if flag)
    internal: Counter = Counter()
    weights: Counter = Counter()
    strengths: defaultdict[tuple[str, ...], float] = defaultdict(float)
    for u, v, data in G.edges(data=True):
        gu, gv = group_of[u], group_of[v]
        if gu == gv:
            internal[gu] += 1
            continue
        pair = tuple(sorted((gu, gv)))
        weights[pair] += 1
        strengths[pair] += finite_or_none(data.get("strength")) or 1.0

    A = nx.Graph(city=G.graph.get("city"), grouped_by=by)
    for group in sorted(members):
        count = members[group]
        source = G.nodes[group] if by == "neighborhood" and group in G else {}
        name = source.get("name") or _group_name(group)
        attrs = {
            "kind": GROUP,
            "name": name,
            "label": i18n.ngettext(
                "{group} ({count} member)", "{group} ({count} members)", count
            ).format(group=name, count=count),
            "size": count,
            "members": count,
            "internal_ties": internal[group],
            "illustrative_members": illustrative[group],
            "illustrative": illustrative[group] == count,
        }
        if None not in (finite_or_none(source.get("lon")), finite_or_none(source.get("lat"))):
            attrs["lon"], attrs["lat"] = source["lon"], source["lat"]
        A.add_node(group, **attrs)
    for (gu, gv), weight in sorted(weights.items()):
        A.add_edge(gu, gv, weight=weight, strength=strengths[(gu, gv)])
    return A


# --- colours and legend -------------------------------------------------------------------------


def category_colour(category: str, fixed: dict[str, str] | None = None) -> str:
    """A colour for a category: from ``fixed`` if listed, else picked by a stable hash.

    Examples
    --------
    >>> category_colour("library", SECTOR_COLOURS)
    '#0072B2'
    >>> category_colour("zoo") == category_colour("zoo")
    True
    """
    if fixed and category in fixed:
        return fixed[category]
    a, _ = _unit_hash(str(category), salt="colour")
    return EXTRA_COLOURS[int(a * len(EXTRA_COLOURS))]


def _category(data: dict, color_by: str) -> tuple[str, str, str]:
    """(legend key, colour, legend label) of a node."""
    kind = data.get("kind")
    if color_by == "kind" or kind != ORGANIZATION:
        if color_by != "kind":
            return "other", OTHER_KIND_COLOUR, i18n.gettext("Not an organization")
        return (
            "kind:" + str(kind),
            KIND_COLOURS.get(str(kind)) or category_colour(str(kind)),
            KIND_LABELS.get(str(kind), str(kind)),
        )
    if color_by == "sector":
        sector = str(data.get("sector") or NO_SECTOR)
        shown = i18n.gettext(sector) if sector == NO_SECTOR else sector
        return "sector:" + sector, category_colour(sector, SECTOR_COLOURS), shown
    orientation = str(data.get("orientation") or NO_ORIENTATION)
    return (
        "orientation:" + orientation,
        category_colour(orientation, ORIENTATION_COLOURS),
        i18n.gettext(orientation)
        if orientation == NO_ORIENTATION
        else _orientation_word(orientation),
    )


def _check_color_by(color_by: str) -> None:
    if color_by not in COLOR_BY:
        raise AnalysisError(f"Cannot colour by {color_by!r}: choose one of {', '.join(COLOR_BY)}.")


def legend_for(G: nx.Graph, color_by: str = "kind") -> list[tuple[str, str]]:
    """The ``(colour, label)`` pairs for the categories present in ``G``, organizations first.

    Labels are plain text: escape them before putting them into HTML.

    Raises
    ------
    AnalysisError
        If ``color_by`` is not one of :data:`COLOR_BY`.

    Examples
    --------
    >>> H = nx.Graph(); H.add_node("a", kind="organization", sector="library")
    >>> legend_for(H, "sector")
    [('#0072B2', 'library')]
    """
    _check_color_by(color_by)
    found: dict[str, tuple[str, str]] = {}
    for _, data in G.nodes(data=True):
        key, colour, label = _category(data, color_by)
        found.setdefault(key, (colour, label))
    order = {kind: i for i, kind in enumerate((*NODE_KINDS, GROUP))}

    def sort_key(key: str) -> tuple[int, int, str]:
        prefix, _, value = key.partition(":")
        if prefix in ("sector", "orientation"):
            return (0, 0, value)
        if prefix == "other":
            return (2, 0, "")
        return (1, order.get(value, len(order)), value)

    return [found[k] for k in sorted(found, key=sort_key)]


# --- drawing ------------------------------------------------------------------------------------


def _node_title(node: str, data: dict, reason: str | None) -> str:
    kind = data.get("kind")
    lines = [
        str(data.get("label") if kind == GROUP else data.get("name") or node),
        KIND_LABELS.get(str(kind), str(kind)),
    ]
    if kind == ORGANIZATION:
        if data.get("sector"):  # free text: shown exactly as written
            lines.append(i18n.gettext("Sector: {sector}").format(sector=data["sector"]))
        if data.get("orientation"):  # a vocabulary word such as immigrant_serving
            lines.append(
                i18n.gettext("Orientation: {orientation}").format(
                    orientation=_orientation_word(str(data["orientation"]))
                )
            )
        if data.get("services"):
            lines.append(
                i18n.gettext("Services: {services}").format(
                    services=", ".join(map(str, data["services"]))
                )
            )
    if kind == COMMITTEE and data.get("status"):
        status = str(data["status"])
        lines.append(
            i18n.gettext("Status: {status}").format(status=STATUS_WORDS.get(status, status))
        )
    if kind == GROUP:
        internal = int(data.get("internal_ties", 0))
        lines.append(
            i18n.ngettext(
                "{count} ties inside the group", "{count} ties inside the group", internal
            ).format(count=internal)
        )
    if data.get("illustrative"):
        lines.append(i18n.gettext("Illustrative data"))
    if reason:
        lines.append(i18n.gettext("Highlighted: {reason}").format(reason=reason))
    return "\n".join(lines)


def _scaled_sizes(values: dict[str, float]) -> dict[str, float]:
    """Node sizes 8-40 with area proportional to the value."""
    finite = {n: v for n, v in values.items() if finite_or_none(v) is not None and v >= 0}
    top = max(finite.values(), default=0) or 1.0
    return {n: 8 + 32 * math.sqrt(v / top) for n, v in finite.items()}


def _template_environment() -> Environment:
    """The page template's environment: the template is this package's file, never data.

    Data reaches the page only as ``tojson`` values (``<``, ``>``, ``&``, ``'`` escaped), rendered
    once. The sandbox is a second wall: even a template that somehow held data could not reach
    Python internals (``cycler.__init__.__globals__``...).
    """
    pyvis_templates = str(resources.files("pyvis").joinpath("templates"))
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(STATIC_DIR)), FileSystemLoader(pyvis_templates)])
    )


def network_html(
    G: nx.Graph,
    positions: dict[str, tuple[float, float]],
    *,
    color_by: str = "kind",
    size_by: dict[str, float] | None = None,
    highlight_nodes: dict[str, str] | None = None,
    highlight_edges: set[tuple[str, str]] | None = None,
    height: str = "650px",
    new_ties: Collection[str] | None = None,
    ended_ties: Iterable[Mapping[str, Any]] | None = None,
    new_nodes: Collection[str] | None = None,
    changes_label: str | None = None,
    disclosure: privacy.Disclosure | None = None,
    counts: privacy.CityCounts | None = None,
) -> str:
    """A self-contained, escaped HTML page drawing the graph (vis-network, offline).

    Nodes sit at ``positions`` (physics off, so nothing moves); nodes missing from it are put
    on a ring around the drawing. Parallel ties between two nodes are drawn as one line whose
    tooltip lists them; line width follows the strongest tie (or the tie count for groups).
    Illustrative nodes have a dashed border and say so in their tooltip. With more than
    :data:`MAX_LABELLED_NODES` nodes, only neighborhoods, groups and highlighted nodes show
    their names (every node keeps its tooltip).

    Parameters
    ----------
    G : networkx.Graph
        What to draw: the coalition graph, a :func:`filter_graph` view or an
        :func:`aggregate_graph` (left unchanged).
    positions : dict of str to (float, float)
        From :func:`layout_positions` on the full graph.
    color_by : {"kind", "sector", "orientation"}
        Node colours; with sector/orientation, non-organizations are light grey.
    size_by : dict of str to float, optional
        Node -> value (e.g. a centrality); sizes grow with the square root. Default: by kind,
        or by member count for groups.
    highlight_nodes : dict of str to str, optional
        Node -> reason ("broker", "fragile"...): red thick border, reason in the tooltip.
    highlight_edges : set of (str, str), optional
        Ties to emphasise (e.g. bridging ties), in either direction.
    height : str
        CSS height such as ``"650px"`` or ``"80vh"``.
    new_ties : collection of str, optional
        Keys (:func:`coalition.edits.tie_key`) of ties new since ``changes_label``: drawn thick
        in :data:`NEW_COLOUR`, "New since ..." in their tooltip.
    ended_ties : iterable of mapping, optional
        Ties that ended since then, each with ``source_id``, ``target_id``, ``tie_type`` and
        optionally ``strength``, ``on`` (date) and ``reason``: drawn back as dashed grey lines,
        tooltip "ended <on>: <reason>", when both ends are in ``G``.
    new_nodes : collection of str, optional
        Nodes new since then (e.g. organizations added): outlined in :data:`NEW_COLOUR`.
    changes_label : str, optional
        What the changes are since ("March convening"); with it the legend counts them.
    disclosure : Disclosure, optional
        Who sees the page (default ``Disclosure.public()``). Exact: lives_in tooltips say their
        residents exactly and the legend says :data:`coalition.privacy.EXACT_LABEL`.
    counts : CityCounts, optional
        The whole city's resident counts (:func:`coalition.privacy.city_counts` of its tables):
        with them a public page shows each lives_in tie's residents as protected; without them
        it shows none.

    Returns
    -------
    str
        The HTML page (about 0.7 MB of inlined vis-network, plus the data).

    Raises
    ------
    AnalysisError
        For an unknown ``color_by`` or a ``height`` that is not a CSS length.

    Examples
    --------
    >>> page = network_html(G, layout_positions(G))  # doctest: +SKIP
    >>> "https://" in page  # doctest: +SKIP
    False
    """
    _check_color_by(color_by)
    if not re.fullmatch(r"\d+(\.\d+)?(px|vh|%|em|rem)", str(height)):
        raise AnalysisError(f"height must be a CSS length such as '650px' (got {height!r}).")
    highlight_nodes = highlight_nodes or {}
    highlighted_pairs = {frozenset(map(str, pair)) for pair in (highlight_edges or set())}
    fresh_nodes = {str(n) for n in new_nodes or ()}
    since = " ".join(str(changes_label or "").split())
    sizes = _scaled_sizes(size_by) if size_by else {}
    if not size_by and any(d.get("kind") == GROUP for _, d in G.nodes(data=True)):
        sizes = _scaled_sizes({n: d.get("size", 1) for n, d in G.nodes(data=True)})
    labelled_all = G.number_of_nodes() <= MAX_LABELLED_NODES
    missing = sorted((n for n in G.nodes if str(n) not in positions), key=str)
    extra_positions = _ring_positions(missing, positions)

    vis_nodes = []
    for node, data in G.nodes(data=True):
        key = str(node)
        kind = data.get("kind")
        _, colour, _ = _category(data, color_by)
        reason = highlight_nodes.get(node)
        name = data.get("label") if kind == GROUP else data.get("name")
        is_new = key in fresh_nodes
        show_label = labelled_all or kind in (NEIGHBORHOOD, GROUP) or reason is not None or is_new
        x, y = positions.get(key) or extra_positions[key]
        title = _node_title(key, data, reason)
        if is_new:
            title += "\n" + _new_words(since)
        entry: dict[str, Any] = {
            "id": key,
            "label": escape_text(name or key) if show_label else "",
            "title": escape_text(title),
            "x": round(float(x), 2),
            "y": round(float(y), 2),
            "color": {
                "background": colour,
                "border": HIGHLIGHT_COLOUR if reason else "#333333",
                "highlight": {"background": colour, "border": "#000000"},
            },
            "size": round(sizes.get(node, KIND_SIZES.get(kind, 10)), 2),
        }
        # Shape and the default border width are set once for all nodes in the options.
        border_width = 4 if reason else 1
        if data.get("illustrative"):
            entry["shapeProperties"] = {"borderDashes": [4, 3]}
        if kind == ORGANIZATION and not is_member(data.get("member")):  # hollow: could invite
            entry["color"] = {**entry["color"], "background": "#ffffff", "border": colour}
            border_width = max(border_width, 3)
        if is_new and not reason:  # a highlight's red outline says more than "new"
            entry["color"] = {**entry["color"], "border": NEW_COLOUR}
            border_width = max(border_width, 4)
        if border_width != _DEFAULT_BORDER_WIDTH:
            entry["borderWidth"] = border_width
        vis_nodes.append(entry)

    fresh_ties = set(new_ties or ())
    residents = _resident_words(disclosure, counts)
    vis_edges, new_drawn = _vis_edges(G, highlighted_pairs, fresh_ties, since, residents)
    ended_drawn, ended_elsewhere = _ended_edges(G, ended_ties or (), since)
    vis_edges.extend(ended_drawn)
    net = Network(height=height, width="100%", directed=False, cdn_resources="in_line", heading="")
    net.nodes, net.edges = vis_nodes, vis_edges
    net.options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": len(vis_nodes) > 500,
        },
        "nodes": {
            "shape": "dot",
            "borderWidth": _DEFAULT_BORDER_WIDTH,
            "font": {"size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {"smooth": False, "color": {"color": "#888888", "inherit": False}},
    }
    net.templateEnv = _template_environment()
    net.path = _TEMPLATE_NAME
    page = net.generate_html()
    non_members = any(
        d.get("kind") == ORGANIZATION and not is_member(d.get("member"))
        for _, d in G.nodes(data=True)
    )
    changes = (
        _changes_legend(
            since, new_drawn, len(ended_drawn), ended_elsewhere, sum(n in G for n in fresh_nodes)
        )
        if changes_label is not None
        else ""
    )
    exact = residents.exact and any(d.get("tie_type") == "lives_in" for *_, d in G.edges(data=True))
    legend = _legend_html(
        legend_for(G, color_by),
        bool(highlight_nodes),
        bool(highlighted_pairs),
        non_members,
        changes,
        exact,
    )
    page = page.replace('<html lang="en">', f'<html lang="{i18n.language()}">', 1)
    return page.replace("<!--wbh-legend-->", legend, 1)


def _ring_positions(
    nodes: list, positions: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    if not nodes:
        return {}
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    radius = max(max(xs) - min(xs), max(ys) - min(ys), 500.0) / 2 + 150.0
    return {
        str(n): (
            cx + radius * math.cos(2 * math.pi * i / len(nodes)),
            cy + radius * math.sin(2 * math.pi * i / len(nodes)),
        )
        for i, n in enumerate(nodes)
    }


class _ResidentWords:
    """How many residents a lives_in tie stands for, as one audience may read it."""

    def __init__(self, exact: bool, shown: Mapping[Any, Any] | None) -> None:
        self.exact = exact
        self.shown = shown

    def __call__(self, source: Any, target: Any, value: Any) -> str | None:
        number = finite_or_none(value)
        if number is None:
            return None
        if self.exact:
            return i18n.gettext("{count} residents").format(count=f"{number:,.0f}")
        if self.shown is None:
            return None  # no city lines given: say nothing rather than risk a derivable count
        protected = self.shown.get(("lives_in", str(source), str(target)))
        if protected is None:
            return None
        if privacy.is_hidden(protected):
            return i18n.gettext("residents: {count}").format(count=protected)
        return i18n.gettext("{count} residents").format(count=f"{float(protected):,.0f}")


def _resident_words(
    disclosure: privacy.Disclosure | None, counts: privacy.CityCounts | None
) -> _ResidentWords:
    disclosure = disclosure if disclosure is not None else privacy.Disclosure.public()
    if disclosure.exact:
        return _ResidentWords(True, None)
    return _ResidentWords(False, counts.protect(disclosure) if counts is not None else None)


def _vis_edges(
    G: nx.Graph,
    highlighted_pairs: set[frozenset],
    new_ties: set[str] | None = None,
    since: str = "",
    residents: _ResidentWords | None = None,
) -> tuple[list[dict], int]:
    """The vis-network edges (one per pair of nodes) and how many new ties they draw."""
    ties: dict[frozenset, list[dict]] = defaultdict(list)
    ends: dict[frozenset, tuple[str, str]] = {}
    grouped = G.graph.get("grouped_by") is not None
    fresh: set[int] = set()  # id() of the edge data of new ties (only while drawing)
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        pair = frozenset((str(u), str(v)))
        ties[pair].append(data)
        ends.setdefault(pair, (str(u), str(v)))
        if new_ties and not grouped and tie_key(u, v, data.get("tie_type")) in new_ties:
            fresh.add(id(data))
    vis_edges = []
    for pair in sorted(ties, key=lambda p: ends[p]):
        u, v = ends[pair]
        name_u = G.nodes[u].get("name") or u
        name_v = G.nodes[v].get("name") or v
        if grouped:
            weight = sum(finite_or_none(d.get("weight")) or 1.0 for d in ties[pair])
            lines = [
                i18n.ngettext(
                    "{one} – {other}: {count} ties", "{one} – {other}: {count} ties", int(weight)
                ).format(one=name_u, other=name_v, count=f"{weight:g}")
            ]
            width = 1 + 2 * math.log2(1 + weight)
        else:
            lines = [f"{name_u} – {name_v}"]
            for d in ties[pair]:
                detail = i18n.gettext("{tie} (strength {strength})").format(
                    tie=_tie_word(d.get("tie_type")), strength=d.get("strength", 1)
                )
                if d.get("kind"):
                    detail += f": {d['kind']}"
                if d.get("tie_type") == "lives_in" and residents is not None:
                    words = residents(u, v, d.get("residents"))
                    if words:
                        detail += f", {words}"
                if d.get("illustrative"):
                    detail += " " + i18n.gettext("[illustrative]")
                lines.append(detail)
            width = max((finite_or_none(d.get("strength")) or 1.0) for d in ties[pair])
        new_here = sum(id(d) in fresh for d in ties[pair])
        if new_here:
            lines.append(_new_words(since) + _times(new_here))
        bridging = pair in highlighted_pairs
        if bridging:
            lines.append(i18n.gettext("Highlighted tie"))
        entry = {
            "from": u,
            "to": v,
            "title": escape_text("\n".join(lines)),
            "width": round(width + (3 if bridging or new_here else 0), 2),
        }
        if new_here:
            entry["color"] = {"color": NEW_COLOUR}
        elif bridging:
            entry["color"] = {"color": BRIDGE_COLOUR}
        vis_edges.append(entry)
    return vis_edges, len(fresh)


def _new_words(since: str) -> str:
    """ "New since March convening" (or "New") in a tooltip."""
    return i18n.gettext("New since {since}").format(since=since) if since else i18n.gettext("New")


def _times(count: int) -> str:
    if count <= 1:
        return ""
    return " " + i18n.ngettext("({count} ties)", "({count} ties)", count).format(count=count)


def _ended_edges(
    G: nx.Graph, ended: Iterable[Mapping[str, Any]], since: str
) -> tuple[list[dict], int]:
    """Dashed edges for the ended ties whose two ends are drawn, and how many were not."""
    drawn: list[dict] = []
    elsewhere = 0
    for tie in ended:
        u, v = str(tie.get("source_id")), str(tie.get("target_id"))
        if u == v or u not in G or v not in G:
            elsewhere += 1
            continue
        strength = finite_or_none(tie.get("strength")) or 1.0
        on, reason = tie.get("on"), tie.get("reason")
        if on and reason:
            how_ended = i18n.gettext("ended {on}: {reason}").format(on=on, reason=reason)
        elif on:
            how_ended = i18n.gettext("ended {on} (no longer in the data)").format(on=on)
        elif reason:
            how_ended = i18n.gettext("ended: {reason}").format(reason=reason)
        else:
            how_ended = i18n.gettext("ended (no longer in the data)")
        lines = [
            f"{G.nodes[u].get('name') or u} – {G.nodes[v].get('name') or v}",
            i18n.gettext("{tie} (strength {strength})").format(
                tie=_tie_word(tie.get("tie_type")), strength=f"{strength:g}"
            ),
            how_ended,
        ]
        if since:
            lines.append(i18n.gettext("Ended since {since}").format(since=since))
        drawn.append(
            {
                "from": u,
                "to": v,
                "title": escape_text("\n".join(lines)),
                "width": round(strength, 2),
                "dashes": True,
                "color": {"color": ENDED_COLOUR},
            }
        )
    return drawn, elsewhere


def _changes_legend(since: str, new: int, ended: int, elsewhere: int, new_nodes: int) -> str:
    """Legend rows for the changes since a meeting (counts of what this view draws)."""
    new_text = i18n.ngettext(
        "{count} new tie since {since}", "{count} new ties since {since}", new
    ).format(count=i18n.fmt_number(new), since=since)
    ended_text = i18n.ngettext(
        "{count} ended tie (dashed)", "{count} ended ties (dashed)", ended
    ).format(count=i18n.fmt_number(ended))
    if elsewhere:
        ended_text = i18n.gettext("{ended}, {count} more with an end not shown").format(
            ended=ended_text, count=i18n.fmt_number(elsewhere)
        )
    rows = [
        f'<div class="wbh-since"><span class="swatch" style="background:{NEW_COLOUR};'
        f'height:5px;border:0"></span>{escape_text(new_text)}</div>',
        f'<div class="wbh-since"><span class="swatch" style="background:#fff;border:0;'
        f'border-top:2px dashed {ENDED_COLOUR};height:0"></span>'
        f"{escape_text(ended_text)}</div>",
    ]
    if new_nodes:
        outlined = i18n.ngettext(
            "{count} new organization (outlined)", "{count} new organizations (outlined)", new_nodes
        ).format(count=i18n.fmt_number(new_nodes))
        rows.append(
            f'<div class="wbh-since"><span class="swatch" style="background:#fff;border:3px '
            f'solid {NEW_COLOUR}"></span>{escape_text(outlined)}</div>'
        )
    return "".join(rows)


def _legend_html(
    items: list[tuple[str, str]],
    nodes_highlighted: bool,
    edges_highlighted: bool,
    non_members: bool = False,
    changes: str = "",
    exact: bool = False,
) -> str:
    rows = [
        f'<div><span class="swatch" style="background:{escape_text(colour)}"></span>'
        f"{escape_text(label)}</div>"
        for colour, label in items
    ]
    # Our own words (translated, no data), escaped all the same.
    words = {
        "highlighted": i18n.gettext("Highlighted"),
        "tie": i18n.gettext("Highlighted tie"),
        "illustrative": i18n.gettext("Illustrative (dashed)"),
        "invite": i18n.gettext("Not a member — could be invited (hollow)"),
        "exact": i18n.gettext(privacy.EXACT_LABEL),
    }
    shown = {key: escape_text(text) for key, text in words.items()}
    if nodes_highlighted:
        rows.append(
            f'<div><span class="swatch" style="background:#fff;border:3px solid '
            f'{HIGHLIGHT_COLOUR}"></span>{shown["highlighted"]}</div>'
        )
    if edges_highlighted:
        rows.append(
            f'<div><span class="swatch" style="background:{BRIDGE_COLOUR};'
            f'height:4px;border:0"></span>{shown["tie"]}</div>'
        )
    rows.append(
        '<div><span class="swatch" style="background:#fff;border:1px dashed #333">'
        f"</span>{shown['illustrative']}</div>"
    )
    if non_members:
        rows.append(
            '<div><span class="swatch" style="background:#fff;border:3px solid #333">'
            f"</span>{shown['invite']}</div>"
        )
    if exact:  # a constant of ours, never data
        rows.append(f'<div style="font-weight:bold;color:#b00020">{shown["exact"]}</div>')
    return f'<div class="wbh-legend">{"".join(rows)}{changes}</div>'


__all__ = [
    "MAX_VISIBLE_NODES",
    "aggregate_graph",
    "category_colour",
    "filter_graph",
    "layout_positions",
    "legend_for",
    "network_html",
    "should_aggregate",
]
