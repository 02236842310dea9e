"""Heavy network metrics on the organization partnership network, backed by python-igraph.

networkx stays the model; these measures run on an igraph copy of the undirected partnership
network because they must stay fast at 10,000 organizations / 100,000 ties (networkx's
``effective_size`` allocates an N x N array; its exact betweenness takes minutes there).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import AnalysisError
from .graph_index import GraphIndex

logger = logging.getLogger(__name__)


@dataclass
class PartnershipNetwork:
    """The undirected, simple partnership network of all organizations.

    Attributes
    ----------
    graph : igraph.Graph
        Vertex i is organization ``org_ids[i]``; isolated organizations are included.
    org_ids : numpy.ndarray
        Organization ids in vertex order (sorted).
    """

    graph: ig.Graph
    org_ids: np.ndarray


def partnership_network(index: GraphIndex) -> PartnershipNetwork:
    """Build the igraph partnership network (parallel and reverse ties collapsed).

    Examples
    --------
    >>> network = partnership_network(index_graph(G))  # doctest: +SKIP
    >>> network.graph.vcount()  # doctest: +SKIP
    6
    """
    org_ids = index.organizations.index.to_numpy(dtype=object)
    ends = partnership_positions(index)
    graph = ig.Graph(n=len(org_ids), edges=ends.tolist(), directed=False)
    return PartnershipNetwork(graph=graph, org_ids=org_ids)


def partnership_positions(index: GraphIndex) -> np.ndarray:
    """The partnerships as positions in ``index.organizations`` (an m x 2 integer array, rows
    in ``index.partnerships`` order), computed once per index.

    Raises
    ------
    AnalysisError
        A partnership names an organization that is not in the index (an index built by
        :func:`index_graph` drops those, so this means the index was edited by hand).

    Examples
    --------
    >>> partnership_positions(index_graph(G))[:2].tolist()  # doctest: +SKIP
    [[0, 3], [1, 3]]
    """

    def compute() -> np.ndarray:
        # Plain object ids: hashing Python strings is much faster here than Arrow strings.
        ids = pd.Index(index.organizations.index.to_numpy(dtype=object), dtype=object)
        pairs = index.partnerships
        ends = np.column_stack(
            [
                ids.get_indexer(pd.Index(pairs["a"].to_numpy(dtype=object), dtype=object)),
                ids.get_indexer(pd.Index(pairs["b"].to_numpy(dtype=object), dtype=object)),
            ]
        ).astype(np.int64)
        if (ends < 0).any():
            raise AnalysisError(
                "A partnership names an organization missing from the index: rebuild the "
                "index with coalition.analysis.index_graph(G)."
            )
        return ends

    return index.memo("partnership_positions", compute)


def brokerage(network: PartnershipNetwork) -> pd.DataFrame:
    """Degree, triangles, effective size and Burt's constraint per organization.

    Effective size uses Borgatti's formula for unweighted graphs, ``n - 2t/n`` (n = partners,
    t = ties among them), computed from triangle counts; constraint is igraph's Burt
    constraint on the unweighted network (NaN for organizations with no partner).

    Examples
    --------
    >>> table = brokerage(partnership_network(index_graph(G)))  # doctest: +SKIP
    >>> table.loc["lib", "effective_size"]  # doctest: +SKIP
    3.0
    """
    graph = network.graph
    degree = np.asarray(graph.degree(), dtype=float)
    local = np.asarray(graph.transitivity_local_undirected(mode="zero"), dtype=float)
    triangles = np.rint(local * degree * (degree - 1) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = np.where(degree > 0, degree - 2.0 * triangles / degree, 0.0)
    constraint = np.asarray(graph.constraint(), dtype=float)
    constraint[degree == 0] = np.nan
    return pd.DataFrame(
        {
            "degree": degree.astype(int),
            "triangles": triangles.astype(int),
            "effective_size": effective,
            "constraint": constraint,
        },
        index=pd.Index(network.org_ids, name="id"),
    )


@dataclass
class CutVertex:
    """An organization whose departure would split its part of the partnership network.

    Attributes
    ----------
    position : int
        Vertex of the organization.
    cut_off : numpy.ndarray
        Vertices no longer connected to the largest remaining part if it left (sorted).
    component_size : int
        Size of its connected part of the network (itself included).
    parts : list of numpy.ndarray
        The parts ``cut_off`` falls into once it left, each sorted, largest first.
    equal_parts : list of numpy.ndarray
        When two or more remaining parts share the largest size (so no side is "the rest of
        the network"), every one of them, the kept one included; otherwise empty.
    """

    position: int
    cut_off: np.ndarray
    component_size: int
    parts: list[np.ndarray] = field(default_factory=list)
    equal_parts: list[np.ndarray] = field(default_factory=list)


def cut_vertices(network: PartnershipNetwork) -> list[CutVertex]:
    """Articulation points with what each one holds together.

    igraph finds the biconnected blocks and the articulation points; the block-cut tree they
    form (one node per block, one per articulation point) shows what each point holds: removing
    it splits its tree into the subtrees around it. The parts other than the largest (ties keep
    the part towards the tree's root, then the earlier subtree, and are reported in
    ``equal_parts``) are what it "cuts off". Linear in the network's size, apart from listing
    the vertices cut off.

    Examples
    --------
    >>> [c.position for c in cut_vertices(partnership_network(index_graph(G)))]  # doctest: +SKIP
    [2, 3]
    """
    graph = network.graph
    blocks, points = graph.biconnected_components(return_articulation_points=True)
    if not points:
        return []
    n_blocks = len(blocks)
    node_of_point = {v: n_blocks + i for i, v in enumerate(points)}
    tree = ig.Graph(
        n=n_blocks + len(points),
        directed=False,
        edges=[
            (b, node_of_point[v])
            for b, members in enumerate(blocks)
            for v in members
            if v in node_of_point
        ],
    )

    # Each vertex of a block belongs to one tree node: an articulation point to its own node,
    # any other vertex to its only block. Vertices in no block (isolated) belong to none.
    owner = np.full(graph.vcount(), -1, dtype=np.int64)
    for b, block in enumerate(blocks):
        owner[block] = b
    owner[list(node_of_point)] = list(node_of_point.values())
    owned: list[list[int]] = [[] for _ in range(tree.vcount())]
    for vertex, node in enumerate(owner.tolist()):
        if node >= 0:
            owned[node].append(vertex)
    weight = np.array([len(o) for o in owned], dtype=np.int64)

    # Root every tree at a block; preorder makes each subtree a contiguous run.
    preorder: list[int] = []
    parent = np.full(tree.vcount(), -2, dtype=np.int64)  # -2 unvisited, -1 a root
    for root in range(n_blocks):
        if parent[root] != -2:
            continue
        vids, parents = tree.dfs(root)  # parents are aligned with vids; the root's is -1
        preorder.extend(vids)
        parent[vids] = parents
    position = np.empty(tree.vcount(), dtype=np.int64)
    position[preorder] = np.arange(len(preorder))
    subtree_weight = weight.copy()
    subtree_nodes = np.ones(tree.vcount(), dtype=np.int64)
    for node in reversed(preorder):
        up = parent[node]
        if up >= 0:
            subtree_weight[up] += subtree_weight[node]
            subtree_nodes[up] += subtree_nodes[node]
    order = np.array(preorder, dtype=np.int64)

    def members(node: int) -> list[int]:
        start = position[node]
        return [v for t in order[start : start + subtree_nodes[node]].tolist() for v in owned[t]]

    membership = np.asarray(graph.connected_components().membership)
    component_sizes = np.bincount(membership)

    def above_part(vertex: int, node: int) -> np.ndarray:
        keep = membership == membership[vertex]
        keep[members(node)] = False
        return np.flatnonzero(keep)

    results = []
    for vertex, node in node_of_point.items():
        comp_size = int(component_sizes[membership[vertex]])
        children = sorted(
            (c for c in tree.neighbors(node) if parent[c] == node), key=position.__getitem__
        )
        above = comp_size - int(subtree_weight[node])  # the side towards the root
        largest_child = max(children, key=lambda c: (subtree_weight[c], -position[c]))
        sizes = [int(subtree_weight[c]) for c in children] + ([above] if above else [])
        top = max(sizes)
        tied = sizes.count(top) >= 2
        parts: list[np.ndarray] = []
        if above >= subtree_weight[largest_child]:
            parts = [np.sort(np.asarray(members(c), dtype=int)) for c in children]
            kept = [above_part(vertex, node)] if tied else []
        else:
            kept = [np.sort(np.asarray(members(largest_child), dtype=int))]
            if above:
                parts.append(above_part(vertex, node))
            parts.extend(
                np.sort(np.asarray(members(c), dtype=int)) for c in children if c != largest_child
            )
        parts.sort(key=lambda p: (-len(p), p[0] if len(p) else -1))
        cut = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=int)
        equal = [*kept, *(p for p in parts if len(p) == top)] if tied else []
        results.append(
            CutVertex(
                position=int(vertex),
                cut_off=cut.astype(int),
                component_size=comp_size,
                parts=parts,
                equal_parts=equal,
            )
        )
    results.sort(key=lambda c: (-len(c.cut_off), c.position))
    return results


def org_community_matrix(
    index: GraphIndex, org_ids: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Sparse organizations x communities reach matrix (rows in ``org_ids`` order).

    Returns the matrix and the community ids of its columns.
    """
    reach = index.community_reach
    community_ids = index.communities.index.to_numpy(dtype=object)
    rows = pd.Index(org_ids).get_indexer(reach["org"])
    cols = pd.Index(community_ids).get_indexer(reach["community"])
    data = np.ones(len(rows), dtype=np.int64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(org_ids), len(community_ids)))
    return matrix, community_ids
