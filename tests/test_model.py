"""The graph builder: kinds, derived ties, attributes, and frames back out."""

import networkx as nx

from coalition import model


def test_build_graph_counts_kinds_and_ties(tiny_graph):
    counts = model.summary(tiny_graph)
    assert counts["organization"] == 6
    assert counts["neighborhood"] == 4
    assert counts["community"] == 3
    assert counts["navigator"] == 1
    assert counts["committee"] == 2
    # 17 ties in the table + 6 located_in + 1 based_in + 2 covers
    assert counts["ties"] == 26


def test_derived_ties_and_keys(tiny_graph):
    assert tiny_graph.has_edge("lib", "alder", key="located_in")
    assert tiny_graph.has_edge("wc-alder", "alder", key="covers")
    assert tiny_graph.has_edge("nav1", "cedar", key="based_in")
    assert tiny_graph["lib"]["legal"]["partnership"]["strength"] == 3
    assert tiny_graph["latino"]["alder"]["lives_in"]["residents"] == 200


def test_neighborhood_nodes_carry_geometry_and_area(tiny_graph):
    alder = tiny_graph.nodes["alder"]
    assert alder["geometry"].geom_type == "Polygon"
    assert 0.90 < alder["area_km2"] < 0.95  # 0.83 km x 1.11 km at 41.76N
    frame = model.neighborhoods_frame(tiny_graph)
    assert list(frame.index) == ["alder", "birch", "cedar", "dogwood"]
    assert frame.loc["cedar", "foreign_born"] == 300


def test_navigator_name_is_alias_and_lists_are_lists(tiny_graph):
    assert tiny_graph.nodes["nav1"]["name"] == "Navigator One"
    assert tiny_graph.nodes["lib"]["services"] == ["english", "citizenship"]


def test_build_graph_does_not_mutate_tables(tiny_city):
    before = {k: v.copy() for k, v in tiny_city.tables.items()}
    model.build_graph(tiny_city)
    for name, frame in tiny_city.tables.items():
        assert frame.equals(before[name])


def test_ties_frame_round_trip(tiny_graph):
    frame = model.ties_frame(tiny_graph)
    assert len(frame) == tiny_graph.number_of_edges()
    assert set(frame["tie_type"]) >= {"partnership", "located_in", "covers"}
    assert isinstance(tiny_graph, nx.MultiDiGraph)


def test_integer_columns_stay_integers_when_a_value_is_missing(tiny_city):
    import dataclasses

    ties = tiny_city.tables["ties"]
    assert ties["residents"].dtype == float  # pandas: ints with a missing value become float
    G = model.build_graph(dataclasses.replace(tiny_city))
    value = G["latino"]["alder"]["lives_in"]["residents"]
    assert value == 200 and isinstance(value, int)
    assert G["lib"]["legal"]["partnership"]["residents"] is None


# --- one source of truth: which neighborhoods have an active committee ---------------------------


def _committee_city():
    import networkx as nx

    G = nx.MultiDiGraph()
    for n in ("a", "b", "c", "d"):
        G.add_node(n, kind="neighborhood", name=n.upper())
    # c1 sits in A and covers B too; c2 forms in B; c3 has a status nobody knows, in C.
    G.add_node("c1", kind="committee", name="One", status="active", neighborhood="a")
    G.add_node("c2", kind="committee", name="Two", status="forming", neighborhood="b")
    G.add_node("c3", kind="committee", name="Three", status="dormant", neighborhood="c")
    G.add_edge("c1", "b", key="covers")
    return G


def test_neighborhood_committees_reads_covers_ties_and_the_committees_place():
    from coalition.model import neighborhood_committees

    found = neighborhood_committees(_committee_city())
    assert found.status == {"a": "active", "b": "active", "c": "none", "d": "none"}
    assert found.active_names == {"a": ["One"], "b": ["One"], "c": [], "d": []}
    assert found.active_ids() == ["a", "b"]
    only = neighborhood_committees(_committee_city(), ["d", "b"])
    assert only.status == {"d": "none", "b": "active"}


def test_the_index_and_the_map_frame_agree_on_committee_status():
    from shapely.geometry import box

    from coalition.analysis import index_graph
    from coalition.maps import neighborhood_map_frame

    G = _committee_city()
    for i, n in enumerate("abcd"):
        G.nodes[n].update(geometry=box(i, 0, i + 1, 1), population=100.0, foreign_born=10.0)
    index = index_graph(G)
    assert index.neighborhoods["committee_status"].to_dict() == {
        "a": "active",
        "b": "active",
        "c": "none",
        "d": "none",
    }
    assert index.has_active_committee.tolist() == [True, True, False, False]
    frame = neighborhood_map_frame(G)
    assert frame["committee_status"].to_dict() == index.neighborhoods["committee_status"].to_dict()
