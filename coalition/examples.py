"""A tiny example city shipped with the package, whose every answer can be worked out by hand.

The docstrings' examples run on it (``conftest.py`` puts ``city``, ``G`` and ``index`` in their
namespace), and the tests use it as their smallest fixture. Build it with :func:`example_city`,
its graph with :func:`example_graph` and the analyses' index with :func:`example_index`.

Four square neighborhoods in a 2 x 2 grid (each about 0.83 km x 1.11 km, near Hartford):

    +---------+---------+
    | Alder   | Birch   |      Alder: active committee (wc-alder); Cedar: committee forming.
    +---------+---------+      Alder borders Birch and Cedar (shared edges) and touches
    | Cedar   | Dogwood |      Dogwood only at a corner.
    +---------+---------+

Figures (population / foreign-born ± moe): Alder 1000 / 400 ± 100, Birch 800 / 100 ± 50,
Cedar 600 / 300 ± 80, Dogwood 500 / 200 ± 60. Foreign-born total 1000; covered (Alder) 400 = 40%.

Organizations and partnerships (lib is the hub):

    assoc --- lib --- legal --- clinic        church --- lib        lonely (no ties)

lib and legal are articulation points of the partnership network; lonely is isolated.
Communities: latino (immigrant, Spanish, 300: Alder 200, Cedar 100), karen (immigrant, Karen,
100: Dogwood 100), longtime (receiving, English, 1000: Alder 500, Birch 500).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from coalition.model import CityData, build_graph

if TYPE_CHECKING:
    import networkx as nx

    from coalition.analysis import GraphIndex

__all__ = ["example_city", "example_graph", "example_index", "make_tiny_city"]

X0, Y0, STEP = -72.70, 41.75, 0.01
SOURCE = "coalition/examples.py"


def _prov(illustrative: bool = True) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "source_date": "2024-01",
        "illustrative": illustrative,
        "illustrative_columns": [],
    }


def example_city() -> CityData:
    """The tiny example city as validated tables (see the module docstring for its map).

    Returns
    -------
    CityData
        Four neighborhoods, six organizations, three communities, one navigator, two
        committees and seventeen ties; a new object on every call.

    Examples
    --------
    >>> city = example_city()
    >>> city.name, len(city.tables["organizations"]), len(city.tables["ties"])
    ('Tiny Town', 6, 17)
    """
    cells = {"alder": (0, 1), "birch": (1, 1), "cedar": (0, 0), "dogwood": (1, 0)}
    boundaries = gpd.GeoDataFrame(
        {
            "neighborhood_id": list(cells),
            "geometry": [
                box(X0 + i * STEP, Y0 + j * STEP, X0 + (i + 1) * STEP, Y0 + (j + 1) * STEP)
                for i, j in cells.values()
            ],
        },
        geometry="geometry",
        crs="EPSG:4326",
    )
    neighborhoods = pd.DataFrame(
        [
            {
                "neighborhood_id": "alder",
                "name": "Alder",
                "population": 1000,
                "population_moe": 150.0,
                "foreign_born": 400,
                "foreign_born_moe": 100.0,
                "limited_english": 200,
                "limited_english_moe": 50.0,
                **_prov(False),
            },
            {
                "neighborhood_id": "birch",
                "name": "Birch",
                "population": 800,
                "population_moe": 120.0,
                "foreign_born": 100,
                "foreign_born_moe": 50.0,
                "limited_english": 50,
                "limited_english_moe": 20.0,
                **_prov(False),
            },
            {
                "neighborhood_id": "cedar",
                "name": "Cedar",
                "population": 600,
                "population_moe": 90.0,
                "foreign_born": 300,
                "foreign_born_moe": 80.0,
                "limited_english": 150,
                "limited_english_moe": 40.0,
                **_prov(False),
            },
            {
                "neighborhood_id": "dogwood",
                "name": "Dogwood",
                "population": 500,
                "population_moe": 80.0,
                "foreign_born": 200,
                "foreign_born_moe": 60.0,
                "limited_english": 120,
                "limited_english_moe": 30.0,
                **_prov(False),
            },
        ]
    )

    def org(org_id, name, sector, orientation, services, languages, anchor, nbhd):
        return {
            "org_id": org_id,
            "name": name,
            "sector": sector,
            "orientation": orientation,
            "services": services,
            "languages": languages,
            "anchor_type": anchor,
            "neighborhood": nbhd,
            "address": None,
            "lat": None,
            "lon": None,
            "notes": None,
            "member": True,
            **_prov(),
        }

    organizations = pd.DataFrame(
        [
            org(
                "lib",
                "Alder Library",
                "library",
                "both",
                ["english", "citizenship"],
                ["English", "Spanish"],
                "library",
                "alder",
            ),
            org(
                "legal",
                "Birch Legal Aid",
                "legal",
                "immigrant_serving",
                ["legal"],
                ["English", "Spanish", "Arabic"],
                "none",
                "birch",
            ),
            org(
                "church",
                "Cedar Church",
                "faith",
                "receiving_community",
                ["housing"],
                ["English"],
                "faith",
                "cedar",
            ),
            org(
                "assoc",
                "Alder Neighbors",
                "neighborhood association",
                "receiving_community",
                [],
                ["English"],
                "neighborhood_association",
                "alder",
            ),
            org(
                "clinic",
                "Dogwood Clinic",
                "health",
                "immigrant_serving",
                ["health"],
                ["English", "Karen"],
                "none",
                "dogwood",
            ),
            org(
                "lonely",
                "Lonely Shop",
                "business",
                "receiving_community",
                [],
                ["English"],
                "none",
                "dogwood",
            ),
        ]
    )
    communities = pd.DataFrame(
        [
            {
                "community_id": "latino",
                "name": "Latino newcomers",
                "community_kind": "immigrant",
                "languages": ["Spanish"],
                "estimated_residents": 300,
                "notes": None,
                **_prov(),
            },
            {
                "community_id": "karen",
                "name": "Karen refugees",
                "community_kind": "immigrant",
                "languages": ["Karen"],
                "estimated_residents": 100,
                "notes": None,
                **_prov(),
            },
            {
                "community_id": "longtime",
                "name": "Long-time residents",
                "community_kind": "receiving",
                "languages": ["English"],
                "estimated_residents": 1000,
                "notes": None,
                **_prov(),
            },
        ]
    )
    navigators = pd.DataFrame(
        [
            {
                "navigator_id": "nav1",
                "alias": "Navigator One",
                "languages": ["Spanish", "English"],
                "neighborhood": "cedar",
                **_prov(),
            },
        ]
    )
    committees = pd.DataFrame(
        [
            {
                "committee_id": "wc-alder",
                "name": "Alder Welcoming Committee",
                "neighborhood": "alder",
                "status": "active",
                "start_date": "2012",
                **_prov(False),
            },
            {
                "committee_id": "wc-cedar",
                "name": "Cedar Welcoming Committee",
                "neighborhood": "cedar",
                "status": "forming",
                "start_date": "2024",
                **_prov(),
            },
        ]
    )

    def tie(s, t, tie_type, strength=1, residents=None):
        return {
            "source_id": s,
            "target_id": t,
            "tie_type": tie_type,
            "kind": "",
            "strength": strength,
            "since": "2020",
            "residents": residents,
            "notes": None,
            **_prov(),
        }

    ties = pd.DataFrame(
        [
            tie("lib", "legal", "partnership", 3),
            tie("lib", "assoc", "partnership", 2),
            tie("lib", "church", "partnership", 1),
            tie("legal", "clinic", "partnership", 2),
            tie("lib", "latino", "serves_community"),
            tie("legal", "latino", "serves_community"),
            tie("clinic", "karen", "serves_community"),
            tie("church", "longtime", "serves_community"),
            tie("legal", "birch", "serves_neighborhood"),
            tie("latino", "alder", "lives_in", residents=200),
            tie("latino", "cedar", "lives_in", residents=100),
            tie("karen", "dogwood", "lives_in", residents=100),
            tie("longtime", "alder", "lives_in", residents=500),
            tie("longtime", "birch", "lives_in", residents=500),
            tie("nav1", "latino", "mentors"),
            tie("nav1", "lib", "volunteers_with"),
            tie("assoc", "wc-alder", "committee_member"),
        ]
    )
    return CityData(
        name="Tiny Town",
        tables={
            "neighborhoods": neighborhoods,
            "organizations": organizations,
            "communities": communities,
            "navigators": navigators,
            "committees": committees,
            "ties": ties,
        },
        boundaries=boundaries,
        metric_crs="EPSG:32618",
        meta={"source_dir": None},
    )


make_tiny_city = example_city  # the name the tests have always used


def example_graph() -> nx.MultiDiGraph:
    """The example city as a coalition graph (:func:`coalition.model.build_graph`).

    Returns
    -------
    networkx.MultiDiGraph
        A new graph on every call.

    Examples
    --------
    >>> G = example_graph()
    >>> sorted(n for n, kind in G.nodes(data="kind") if kind == "committee")
    ['wc-alder', 'wc-cedar']
    """
    return build_graph(example_city())


def example_index() -> GraphIndex:
    """The analyses' index of the example graph (:func:`coalition.analysis.index_graph`).

    Returns
    -------
    coalition.analysis.GraphIndex

    Examples
    --------
    >>> type(example_index()).__name__
    'GraphIndex'
    """
    from coalition.analysis import index_graph  # the analyses build on the model, not the reverse

    return index_graph(example_graph())
