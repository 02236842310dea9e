"""A synthetic city at city-to-state scale, for benchmarks (every row is illustrative).

The default size is what a large city's or a state's network reaches: 10,000 organizations,
100,000 ties (rows of ties.csv) and 2,300 small areas (census-tract-like squares). Partnerships
follow a skewed (heavy-tailed) degree distribution, as real coalitions do: a few hubs, many
organizations with one or two partners. Everything is drawn with numpy from one seed, so the same
arguments give the same city.
"""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from ..errors import AnalysisError
from ..model import TIE_COLUMNS, CityData, build_graph
from ..schema import SERVICES

logger = logging.getLogger(__name__)

SOURCE = "synthetic benchmark city"
SOURCE_DATE = "2026"
METRIC_CRS = "EPSG:32618"  # UTM 18N: metres around the grid's origin
ORIGIN_LON, ORIGIN_LAT, CELL_DEGREES = -72.95, 41.55, 0.01

SECTORS = np.array(
    [
        "nonprofit",
        "faith",
        "school",
        "health",
        "legal",
        "government",
        "library",
        "neighborhood association",
        "business",
        "foundation",
    ]
)
SECTOR_SHARE = np.array([0.30, 0.15, 0.12, 0.08, 0.05, 0.06, 0.02, 0.07, 0.12, 0.03])
ANCHOR_OF_SECTOR = {
    "library": "library",
    "faith": "faith",
    "school": "school",
    "neighborhood association": "neighborhood_association",
}
LANGUAGES = np.array(
    [
        "Spanish",
        "Portuguese",
        "Polish",
        "Arabic",
        "Bosnian",
        "Karen",
        "Burmese",
        "Somali",
        "Haitian Creole",
        "Vietnamese",
        "Nepali",
        "Swahili",
        "Dari",
        "Pashto",
        "French",
        "Mandarin",
        "Albanian",
        "Ukrainian",
    ]
)
ORIENTATIONS = np.array(["immigrant_serving", "receiving_community", "both"])


def _check_size(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise AnalysisError(f"{name} must be a whole number of at least {minimum}, got {value!r}.")
    return int(value)


def _provenance(n: int) -> dict[str, list[str] | list[bool]]:
    return {"source": [SOURCE] * n, "source_date": [SOURCE_DATE] * n, "illustrative": [True] * n}


def _unique_pairs(source: np.ndarray, target: np.ndarray, undirected: bool) -> np.ndarray:
    """Distinct (source, target) pairs without self-ties, in first-seen order."""
    keep = source != target
    source, target = source[keep], target[keep]
    if undirected:
        source, target = np.minimum(source, target), np.maximum(source, target)
    pairs = np.column_stack([source, target])
    _, first = np.unique(pairs, axis=0, return_index=True)
    return pairs[np.sort(first)]


def make_synthetic_city(
    orgs: int = 10_000, ties: int = 100_000, areas: int = 2_300, seed: int = 0
) -> CityData:
    """Build a synthetic city's validated tables (see the module docstring).

    Parameters
    ----------
    orgs : int
        Organizations.
    ties : int
        Rows of the ties table (partnerships make up what the other tie types leave).
    areas : int
        Square neighborhoods on a grid of 0.01 degree cells.
    seed : int
        Random seed.

    Returns
    -------
    coalition.model.CityData
        Every row ``illustrative=True`` with source "synthetic benchmark city".

    Raises
    ------
    AnalysisError
        Sizes too small to build a city (fewer than 10 organizations, 4 areas, or fewer ties
        than the non-partnership ties need).

    Examples
    --------
    >>> city = make_synthetic_city(orgs=50, ties=300, areas=16, seed=1)
    >>> len(city.tables["organizations"]), len(city.tables["ties"])
    (50, 300)
    """
    orgs = _check_size("orgs", orgs, 10)
    areas = _check_size("areas", areas, 4)
    ties = _check_size("ties", ties, 1)
    rng = np.random.default_rng(seed)

    # --- neighborhoods: a grid of squares, need clustered around a few gateway centres --------
    columns = math.ceil(math.sqrt(areas))
    cell = np.arange(areas)
    col, row = cell % columns, cell // columns
    xmin = ORIGIN_LON + col * CELL_DEGREES
    ymin = ORIGIN_LAT + row * CELL_DEGREES
    geometry = shapely.box(
        xmin, ymin, ORIGIN_LON + (col + 1) * CELL_DEGREES, ORIGIN_LAT + (row + 1) * CELL_DEGREES
    )
    area_ids = np.array([f"area-{i:05d}" for i in cell], dtype=object)
    rows_total = math.ceil(areas / columns)
    centres = rng.uniform([0, 0], [columns, rows_total], size=(max(2, areas // 300), 2))
    distance = np.min(np.hypot(col[:, None] - centres[:, 0], row[:, None] - centres[:, 1]), axis=1)
    population = np.maximum(200, rng.lognormal(np.log(4000), 0.35, areas)).round()
    share = np.clip(
        0.04 + 0.45 * np.exp(-distance / (columns / 6)) + rng.normal(0, 0.04, areas), 0.01, 0.8
    )
    foreign_born = (population * share).round()
    limited_english = (foreign_born * rng.uniform(0.2, 0.6, areas)).round()
    neighborhoods = pd.DataFrame(
        {
            "neighborhood_id": area_ids,
            "name": [f"Tract {i + 1}" for i in cell],
            "population": population.astype(int),
            "population_moe": (population * 0.12 + 80).round(),
            "foreign_born": foreign_born.astype(int),
            "foreign_born_moe": (foreign_born * 0.25 + 40).round(),
            "limited_english": limited_english.astype(int),
            "limited_english_moe": (limited_english * 0.3 + 30).round(),
            **_provenance(areas),
        }
    )
    boundaries = gpd.GeoDataFrame(
        {"neighborhood_id": area_ids, "geometry": geometry}, geometry="geometry", crs="EPSG:4326"
    )

    # --- organizations: located where people are, a few hubs ----------------------------------
    org_ids = np.array([f"org-{i:05d}" for i in range(orgs)], dtype=object)
    sector = rng.choice(SECTORS, size=orgs, p=SECTOR_SHARE)
    orientation = rng.choice(ORIENTATIONS, size=orgs, p=[0.4, 0.35, 0.25])
    home = rng.choice(areas, size=orgs, p=population / population.sum())
    service_keys = np.array(list(SERVICES))
    service_count = rng.integers(0, 4, size=orgs)
    service_draw = rng.random((orgs, len(service_keys))).argsort(axis=1)
    language_draw = rng.random((orgs, len(LANGUAGES))).argsort(axis=1)
    language_count = rng.choice([0, 1, 2], size=orgs, p=[0.5, 0.35, 0.15])
    organizations = pd.DataFrame(
        {
            "org_id": org_ids,
            "name": [f"Organization {i + 1}" for i in range(orgs)],
            "sector": sector,
            "orientation": orientation,
            "services": [
                service_keys[service_draw[i, : service_count[i]]].tolist() for i in range(orgs)
            ],
            "languages": [
                ["English", *LANGUAGES[language_draw[i, : language_count[i]]].tolist()]
                for i in range(orgs)
            ],
            "anchor_type": [ANCHOR_OF_SECTOR.get(s, "none") for s in sector],
            "neighborhood": area_ids[home],
            "address": None,
            "lat": None,
            "lon": None,
            "notes": None,
            **_provenance(orgs),
        }
    )

    # --- communities, where they live, navigators, committees ----------------------------------
    n_communities = max(3, min(80, areas // 30))
    community_ids = np.array([f"community-{i:03d}" for i in range(n_communities)], dtype=object)
    kind = np.where(np.arange(n_communities) < max(1, n_communities // 6), "receiving", "immigrant")
    community_language = [
        ["English"] if k == "receiving" else [str(LANGUAGES[i % len(LANGUAGES)])]
        for i, k in enumerate(kind)
    ]
    places_per_community = min(areas, 25)
    lives = []
    for i in range(n_communities):
        weights = share if kind[i] == "immigrant" else (1 - share)
        places = rng.choice(
            areas, size=places_per_community, replace=False, p=weights / weights.sum()
        )
        residents = rng.integers(20, 600, size=places_per_community)
        lives.append(
            pd.DataFrame(
                {
                    "source_id": community_ids[i],
                    "target_id": area_ids[places],
                    "tie_type": "lives_in",
                    "residents": residents,
                }
            )
        )
    lives_in = pd.concat(lives, ignore_index=True)
    communities = pd.DataFrame(
        {
            "community_id": community_ids,
            "name": [f"Community {i + 1}" for i in range(n_communities)],
            "community_kind": kind,
            "languages": community_language,
            "estimated_residents": lives_in.groupby("source_id")["residents"]
            .sum()
            .reindex(community_ids)
            .to_numpy(),
            "notes": None,
            **_provenance(n_communities),
        }
    )

    n_navigators = max(1, areas // 5)
    navigator_ids = np.array([f"nav-{i:05d}" for i in range(n_navigators)], dtype=object)
    navigators = pd.DataFrame(
        {
            "navigator_id": navigator_ids,
            "alias": [f"Navigator {i + 1}" for i in range(n_navigators)],
            "languages": [
                ["English", str(LANGUAGES[i % len(LANGUAGES)])] for i in range(n_navigators)
            ],
            "neighborhood": area_ids[rng.choice(areas, size=n_navigators, p=share / share.sum())],
            **_provenance(n_navigators),
        }
    )

    status = rng.choice(["active", "forming", "none"], size=areas, p=[0.08, 0.03, 0.89])
    with_committee = np.flatnonzero(status != "none")
    committee_ids = np.array([f"wc-{i:05d}" for i in with_committee], dtype=object)
    committees = pd.DataFrame(
        {
            "committee_id": committee_ids,
            "name": [f"Tract {i + 1} Welcoming Committee" for i in with_committee],
            "neighborhood": area_ids[with_committee],
            "status": status[with_committee],
            "start_date": "2020",
            **_provenance(len(with_committee)),
        }
    )

    # --- ties: fixed small types first, partnerships fill the rest -----------------------------
    mentors = pd.DataFrame(
        {
            "source_id": navigator_ids,
            "tie_type": "mentors",
            "target_id": community_ids[rng.integers(0, n_communities, n_navigators)],
        }
    )
    volunteers = pd.DataFrame(
        {
            "source_id": navigator_ids,
            "tie_type": "volunteers_with",
            "target_id": org_ids[rng.integers(0, orgs, n_navigators)],
        }
    )
    members = pd.DataFrame(
        {
            "source_id": org_ids[rng.integers(0, orgs, 2 * len(committee_ids))],
            "tie_type": "committee_member",
            "target_id": np.repeat(committee_ids, 2),
        }
    ).drop_duplicates()
    fixed = pd.concat([lives_in, mentors, volunteers, members], ignore_index=True)
    remaining = ties - len(fixed)
    if remaining < 10:
        raise AnalysisError(
            f"ties={ties} is too few: the communities, navigators and committees alone need "
            f"{len(fixed) + 10}; ask for more ties or fewer areas."
        )
    n_serve_community = remaining * 12 // 100
    n_serve_area = remaining * 10 // 100
    n_partnership = remaining - n_serve_community - n_serve_area

    immigrant_weight = np.where(orientation == "receiving_community", 0.3, 1.0)
    pairs = _unique_pairs(
        rng.choice(orgs, 2 * n_serve_community, p=immigrant_weight / immigrant_weight.sum()),
        rng.integers(0, n_communities, 2 * n_serve_community),
        undirected=False,
    )[:n_serve_community]
    serve_community = pd.DataFrame(
        {
            "source_id": org_ids[pairs[:, 0]],
            "tie_type": "serves_community",
            "target_id": community_ids[pairs[:, 1]],
        }
    )
    # Organizations serve areas near home: a step of up to 3 cells in each direction.
    server = rng.integers(0, orgs, 2 * n_serve_area)
    near_col = np.clip(col[home[server]] + rng.integers(-3, 4, len(server)), 0, columns - 1)
    near_row = np.clip(row[home[server]] + rng.integers(-3, 4, len(server)), 0, rows_total - 1)
    target = np.minimum(near_row * columns + near_col, areas - 1)
    pairs = _unique_pairs(server, target + orgs, undirected=False)[:n_serve_area]
    serve_area = pd.DataFrame(
        {
            "source_id": org_ids[pairs[:, 0]],
            "tie_type": "serves_neighborhood",
            "target_id": area_ids[pairs[:, 1] - orgs],
        }
    )
    # Heavy-tailed activity: Pareto weights give a few hubs and many one-partner members.
    activity = rng.pareto(1.6, orgs) + 1.0
    probability = activity / activity.sum()
    drawn = _unique_pairs(
        rng.choice(orgs, int(n_partnership * 1.6), p=probability),
        rng.choice(orgs, int(n_partnership * 1.6), p=probability),
        undirected=True,
    )
    while len(drawn) < n_partnership:  # heavy hubs repeat pairs: top up with uniform draws
        extra = rng.integers(0, orgs, (n_partnership, 2))
        drawn = _unique_pairs(
            np.concatenate([drawn[:, 0], extra[:, 0]]),
            np.concatenate([drawn[:, 1], extra[:, 1]]),
            undirected=True,
        )
    drawn = drawn[:n_partnership]
    partnerships = pd.DataFrame(
        {
            "source_id": org_ids[drawn[:, 0]],
            "tie_type": "partnership",
            "target_id": org_ids[drawn[:, 1]],
            "strength": rng.integers(1, 4, len(drawn)),
        }
    )
    all_ties = pd.concat([partnerships, serve_community, serve_area, fixed], ignore_index=True)
    n = len(all_ties)
    all_ties = all_ties.assign(
        kind="",
        strength=all_ties.get("strength", pd.Series(1, index=all_ties.index)).fillna(1).astype(int),
        since="2020",
        residents=all_ties["residents"].astype("float"),
        notes=None,
        **_provenance(n),
    )
    all_ties = all_ties[TIE_COLUMNS]
    logger.info(
        "synthetic city: %d areas, %d organizations, %d ties (%d partnerships)",
        areas,
        orgs,
        n,
        len(partnerships),
    )
    return CityData(
        name=f"Synthetic city ({orgs:,} organizations, {areas:,} areas)",
        tables={
            "neighborhoods": neighborhoods,
            "organizations": organizations,
            "communities": communities,
            "navigators": navigators,
            "committees": committees,
            "ties": all_ties,
        },
        boundaries=boundaries,
        metric_crs=METRIC_CRS,
        meta={"synthetic": True, "seed": seed},
    )


def make_synthetic_graph(
    orgs: int = 10_000, ties: int = 100_000, areas: int = 2_300, seed: int = 0
) -> nx.MultiDiGraph:
    """:func:`make_synthetic_city` as a coalition graph (:func:`coalition.model.build_graph`).

    Examples
    --------
    >>> G = make_synthetic_graph(orgs=50, ties=300, areas=16, seed=1)
    >>> G.graph["metric_crs"]
    'EPSG:32618'
    """
    return build_graph(make_synthetic_city(orgs=orgs, ties=ties, areas=areas, seed=seed))
