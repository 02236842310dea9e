"""Heavy network metrics on the organization partnership network, backed by python-igraph.

networkx stays the model; these measures run on an igraph copy of the undirected partnership
network because they must stay fast at 10,000 organizations / 100,000 ties (networkx's
``effective_size`` allocates an N x N array; its exact betweenness takes minutes there).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd
from scipy import sparse

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
    position = {org_id: i for i, org_id in enumerate(org_ids.tolist())}
    pairs = index.partnerships
    edges = list(zip(map(position.__getitem__, pairs["a"].tolist()),
                     map(position.__getitem__, pairs["b"].tolist())))
    graph = ig.Graph(n=len(org_ids), edges=edges, directed=False)
    return PartnershipNetwork(graph=graph, org_ids=org_ids)


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
    return pd.DataFrame({"degree": degree.astype(int), "triangles": triangles.astype(int),
                         "effective_size": effective, "constraint": constraint},
                        index=pd.Index(network.org_ids, name="id"))


@dataclass
class CutVertex:
    """An organization whose departure would split its part of the partnership network.

    Attributes
    ----------
    position : int
        Vertex of the organization.
    cut_off : numpy.ndarray
        Vertices no longer connected to the largest remaining part if it left.
    component_size : int
        Size of its connected part of the network (itself included).
    """

    position: int
    cut_off: np.ndarray
    component_size: int


def cut_vertices(network: PartnershipNetwork) -> list[CutVertex]:
    """Articulation points with what each one holds together.

    One iterative depth-first search (Hopcroft-Tarjan low-links) finds every articulation
    point and, from subtree intervals of the search order, the parts its removal would leave;
    the parts other than the largest are what it "cuts off". Linear in the network's size.

    Examples
    --------
    >>> [c.position for c in cut_vertices(partnership_network(index_graph(G)))]  # doctest: +SKIP
    [2, 3]
    """
    graph = network.graph
    n = graph.vcount()
    adjacency = graph.get_adjlist()
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    size = np.ones(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    component = np.full(n, -1, dtype=np.int64)
    separated_children: dict[int, list[int]] = {}
    counter = 0
    component_sizes = []
    disc_list = disc.tolist()  # python lists: much faster than numpy indexing in this loop
    low_list = [0] * n
    size_list = [1] * n
    for root in range(n):
        if disc_list[root] != -1:
            continue
        component_id = len(component_sizes)
        start = counter
        disc_list[root] = low_list[root] = counter
        order[counter] = root
        counter += 1
        root_children = 0
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            vertex, parent, neighbours = stack[-1]
            advanced = False
            for nxt in neighbours:
                if disc_list[nxt] == -1:
                    disc_list[nxt] = low_list[nxt] = counter
                    order[counter] = nxt
                    counter += 1
                    if vertex == root:
                        root_children += 1
                    stack.append((nxt, vertex, iter(adjacency[nxt])))
                    advanced = True
                    break
                if nxt != parent and disc_list[nxt] < low_list[vertex]:
                    low_list[vertex] = disc_list[nxt]
            if advanced:
                continue
            stack.pop()
            if parent != -1:
                size_list[parent] += size_list[vertex]
                if low_list[vertex] < low_list[parent]:
                    low_list[parent] = low_list[vertex]
                if low_list[vertex] >= disc_list[parent]:
                    separated_children.setdefault(parent, []).append(vertex)
        component[order[start:counter]] = component_id
        component_sizes.append(counter - start)
        if root_children < 2:
            separated_children.pop(root, None)
    disc[:] = disc_list
    size[:] = size_list

    results = []
    for vertex, children in separated_children.items():
        comp_size = component_sizes[component[vertex]]
        parts = [order[disc[c]: disc[c] + size[c]] for c in children]
        part_sizes = [len(p) for p in parts]
        rest = comp_size - 1 - sum(part_sizes)
        if rest >= max(part_sizes):
            cut = np.concatenate(parts)
        else:
            largest = int(np.argmax(part_sizes))
            # The largest part hangs below this vertex: everything else in the component,
            # including the side towards the search root, is cut off.
            keep = component == component[vertex]
            keep[vertex] = False
            keep[parts[largest]] = False
            cut = np.flatnonzero(keep)
        results.append(CutVertex(position=int(vertex), cut_off=np.sort(cut),
                                 component_size=int(comp_size)))
    results.sort(key=lambda c: (-len(c.cut_off), c.position))
    return results


def org_community_matrix(index: GraphIndex, org_ids: np.ndarray) -> tuple[sparse.csr_matrix,
                                                                           np.ndarray]:
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
