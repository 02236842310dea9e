"""Build the Hartford sample city folder (data/hartford/) from the public files in its raw/ folder.

Usage::

    .venv/bin/python scripts/build_hartford_sample.py   # (make sample) rebuild data/hartford/,
        # data/template/ and the schema tables of docs/data-format.md
    .venv/bin/python scripts/build_hartford_sample.py --out DIR --city-only
        # build only the Hartford folder, into DIR

Reads ONLY data/hartford/raw/ (copies of the public files listed in data/hartford/SOURCES.md)
and writes the same bytes on every run. Real figures carry their source; every made-up row is
marked ``illustrative = yes``. This is a command-line tool, so it prints its checks.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from coalition import schema  # noqa: E402
from coalition.apportion import apportion  # noqa: E402
from coalition.names import slugify  # noqa: E402

RAW_DIR = ROOT / "data" / "hartford" / "raw"
OUT_DIR = ROOT / "data" / "hartford"
TEMPLATE_DIR = ROOT / "data" / "template"
DOC_PATH = ROOT / "docs" / "data-format.md"

CITY_NAME = "Hartford, Connecticut"
# NAD83(2011) / Connecticut in metres: the state's own plane projection, least area distortion
# for Hartford (UTM 18N would also do: Hartford sits near its eastern edge).
METRIC_CRS = "EPSG:6433"
CITY_POPULATION, CITY_FOREIGN_BORN = 119_970, 27_598  # ACS 2019-2023 B05001, city of Hartford
TOLERANCE = 0.005

ACS = (
    "U.S. Census Bureau, ACS 2019-2023 5-year, table B05001 (tracts; via "
    "CT-Data-Haven/2023acs), area-weighted to the neighborhoods - see SOURCES.md"
)
ACS_DATE = "2024-12"  # release of the 2019-2023 5-year estimates
ILLUSTRATIVE = "illustrative sample"
ILLUSTRATIVE_DATE = "2025"
# Undated public web pages: the approximate year the reference files were compiled.
UNDATED = "2025"
SCHOOL_LANGUAGES = (
    "Hartford Public Schools home languages 2013-14 (CT State Dept. of "
    "Education, via sgaul/westindian)"
)
METRO_B05006 = (
    "ACS 2010-2012 3-year B05006, Hartford metro area (American FactFinder, via sgaul/westindian)"
)

# Spellings in the 2013 boundary file -> Hartford's official neighborhood names.
OFFICIAL_NAMES = {
    "North East": "Northeast",
    "South West": "Southwest",
    "Behind The Rocks": "Behind the Rocks",
    "Sheldon Charter Oak": "Sheldon-Charter Oak",
}
OFFICIAL_LIST = (
    "Asylum Hill",
    "Barry Square",
    "Behind the Rocks",
    "Blue Hills",
    "Clay Arsenal",
    "Downtown",
    "Frog Hollow",
    "North Meadows",
    "Northeast",
    "Parkville",
    "Sheldon-Charter Oak",
    "South End",
    "South Green",
    "South Meadows",
    "Southwest",
    "Upper Albany",
    "West End",
)
# DataHaven's units: same polygons except South End + South Meadows merged, other spellings.
DATAHAVEN_UNITS = {
    "South End & South Meadows": ("South End", "South Meadows"),
    "Sheldon Charter Oak": ("Sheldon-Charter Oak",),
}


# --- reading the raw files ----------------------------------------------------------------------


def read_tracts(raw: Path) -> gpd.GeoDataFrame:
    """The 41 tracts with their B05001 estimates, joined through the id crosswalk."""
    estimates = pd.read_csv(
        raw / "census" / "hartford_tracts_B05001_nativity_2023.csv",
        dtype={"geoid_cog_2022": str, "geoid_2020_county_based": str},
    )
    crosswalk = pd.read_csv(raw / "census" / "hartford_tract_ids.csv", dtype=str)
    geometry = gpd.read_file(raw / "boundaries" / "hartford_tracts_2020.geojson")
    geometry["GEOID"] = geometry["GEOID"].astype(str)
    # ACS 2023 uses planning-region ids (09110...), the 2020 geometry county-based ids (09003...).
    joined = estimates.merge(
        crosswalk, left_on="geoid_cog_2022", right_on="tract_cog", how="inner", validate="1:1"
    )
    tracts = geometry.merge(joined, left_on="GEOID", right_on="tract", how="inner", validate="1:1")
    if len(tracts) != 41 or len(estimates) != 41:
        raise SystemExit(f"expected 41 joined tracts, got {len(tracts)}")
    return tracts.sort_values("GEOID").set_index("GEOID")


def read_neighborhood_polygons(raw: Path) -> gpd.GeoDataFrame:
    """The 17 official polygons, with official names and slug ids, sorted by name."""
    polygons = gpd.read_file(raw / "boundaries" / "hartford_17_neighborhoods.geojson")
    polygons["name"] = polygons["name"].replace(OFFICIAL_NAMES)
    if sorted(polygons["name"]) != sorted(OFFICIAL_LIST):
        raise SystemExit(f"unexpected neighborhood names: {sorted(polygons['name'])}")
    polygons["neighborhood_id"] = polygons["name"].map(slugify)
    polygons = polygons[["neighborhood_id", "name", "geometry"]].to_crs("EPSG:4326")
    polygons["geometry"] = shapely.transform(polygons.geometry.values, lambda xy: np.round(xy, 6))
    if not polygons.is_valid.all():
        raise SystemExit("rounding to 6 decimals made a polygon invalid")
    return polygons.sort_values("neighborhood_id").set_index("neighborhood_id")


# --- neighborhoods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Apportioned neighborhood figures and the checks run on them."""

    table: pd.DataFrame  # the neighborhoods.csv table
    apportioned: pd.DataFrame  # unrounded estimates and MOEs, indexed by neighborhood id
    comparison: pd.DataFrame  # against DataHaven's published neighborhood estimates


def neighborhood_figures(
    tracts: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, raw: Path
) -> Figures:
    """Apportion population, foreign-born and born-in-Puerto-Rico to the 17 polygons."""
    estimates = ["total", "foreign_born", "us_citizen_born_in_pr_or_island_areas"]
    tracts = tracts.assign(
        foreign_born_moe=np.sqrt(
            tracts["naturalized_citizen_moe"] ** 2 + tracts["not_a_citizen_moe"] ** 2
        )
    )
    moes = {
        "total": "total_moe",
        "foreign_born": "foreign_born_moe",
        "us_citizen_born_in_pr_or_island_areas": "us_citizen_born_in_pr_or_island_areas_moe",
    }
    result = apportion(tracts, polygons, estimates, moes, METRIC_CRS)
    for column, expected in (("total", CITY_POPULATION), ("foreign_born", CITY_FOREIGN_BORN)):
        total = result[column].sum()
        if abs(total - expected) > TOLERANCE * expected:
            raise SystemExit(f"{column}: neighborhoods sum to {total:.0f}, expected {expected}")

    table = pd.DataFrame(
        {
            "neighborhood_id": polygons.index,
            "name": polygons["name"].to_numpy(),
            "population": result["total"].round().astype(int).to_numpy(),
            "population_moe": result["total_moe"].round().astype(int).to_numpy(),
            "foreign_born": result["foreign_born"].round().astype(int).to_numpy(),
            "foreign_born_moe": result["foreign_born_moe"].round().astype(int).to_numpy(),
            "limited_english": None,  # only a town-level figure exists (see SOURCES.md)
            "limited_english_moe": None,
            "source": ACS,
            "source_date": ACS_DATE,
            "illustrative": False,
        }
    )
    return Figures(table, result, compare_with_datahaven(table, raw))


def compare_with_datahaven(table: pd.DataFrame, raw: Path) -> pd.DataFrame:
    """Our figures next to DataHaven's (tract-population weights) where the units match."""
    published = pd.read_csv(raw / "census" / "datahaven_neighborhoods_B05001_nativity_2023.csv")
    ours = table.set_index("name")
    rows = []
    for unit in published["neighborhood"]:
        names = DATAHAVEN_UNITS.get(unit, (unit,))
        if not all(n in ours.index for n in names):
            continue  # West Hartford units
        theirs = published.set_index("neighborhood").loc[unit]
        mine = ours.loc[list(names)]
        rows.append(
            {
                "unit": unit,
                "population": int(mine["population"].sum()),
                "datahaven_population": int(theirs["total"]),
                "foreign_born": int(mine["foreign_born"].sum()),
                "datahaven_foreign_born": int(theirs["foreign_born"]),
            }
        )
    frame = pd.DataFrame(rows)
    frame["population_diff_pct"] = (
        100 * (frame["population"] - frame["datahaven_population"]) / frame["datahaven_population"]
    ).round(1)
    frame["foreign_born_diff_pct"] = (
        100
        * (frame["foreign_born"] - frame["datahaven_foreign_born"])
        / frame["datahaven_foreign_born"]
    ).round(1)
    return frame


# --- organizations ------------------------------------------------------------------------------

# Real organizations: attributes read from the facts in raw/organizations (services and languages
# inferred from those facts where the source does not list them; see SOURCES.md).
# org_id: (sector, orientation, services, languages, anchor_type, neighborhood, source_date)
REAL_ORGS = {
    "hpl_tap": (
        "library",
        "both",
        "english;citizenship;legal;youth",
        "English;Spanish",
        "library",
        "Downtown",
        "2023-11",
    ),
    "cc_mris": (
        "nonprofit",
        "immigrant_serving",
        "housing;employment;education",
        "English",
        "none",
        "",
        "2019-12",
    ),
    "cc_ahfc": ("nonprofit", "both", "", "English", "none", "Asylum Hill", "2017-03"),
    "ahna": (
        "neighborhood association",
        "receiving_community",
        "citizenship",
        "English",
        "neighborhood_association",
        "Asylum Hill",
        "2016-03",
    ),
    "hhc": (
        "health",
        "immigrant_serving",
        "health;english;legal;youth",
        "English;Spanish",
        "none",
        "",
        "2022-10",
    ),
    "clp": (
        "nonprofit",
        "immigrant_serving",
        "legal;citizenship",
        "English;Spanish",
        "none",
        "",
        UNDATED,
    ),
    "sjc": ("nonprofit", "immigrant_serving", "housing", "English;Spanish", "none", "", UNDATED),
    "lcs": ("nonprofit", "immigrant_serving", "", "English;Spanish", "none", "", UNDATED),
    "hsc": (
        "nonprofit",
        "immigrant_serving",
        "health",
        "English;Spanish",
        "none",
        "South Green",
        UNDATED,
    ),
    "ciri": ("nonprofit", "immigrant_serving", "legal;education", "English", "none", "", "2023"),
    "iris": (
        "nonprofit",
        "immigrant_serving",
        "housing;employment;legal",
        "English",
        "none",
        "",
        UNDATED,
    ),
    "circ": (
        "nonprofit",
        "immigrant_serving",
        "housing;citizenship",
        "English",
        "none",
        "",
        UNDATED,
    ),
    "jfs_greenwich": ("nonprofit", "both", "", "English", "none", "", UNDATED),
    "hart": ("nonprofit", "both", "citizenship", "English", "none", "", "2006-05"),
    "cria": ("government", "immigrant_serving", "citizenship", "English", "none", "", UNDATED),
    "c4d": ("nonprofit", "immigrant_serving", "youth;citizenship", "English", "none", "", UNDATED),
    "cira": ("nonprofit", "immigrant_serving", "citizenship", "English", "none", "", UNDATED),
    "ctfhc": ("legal", "both", "housing;legal", "English", "none", "", UNDATED),
    "ct_dcp": ("government", "receiving_community", "", "English", "none", "", UNDATED),
    "hrrjc": ("nonprofit", "immigrant_serving", "", "English", "none", "", "2009"),
    "hfpg": ("foundation", "receiving_community", "", "English", "none", "", "2009"),
}
# Street addresses only where the source gives one for a Hartford site.
REAL_ADDRESSES = {
    "hpl_tap": "500 Main Street, Hartford, CT 06103",
    "hsc": "45 Wadsworth Street, Hartford",
    "hhc": "590 Park St, Hartford (Family Wellness and Cultural Center)",
}

# Illustrative organizations: (org_id, name, sector, orientation, services, languages,
#                              anchor_type, neighborhood)
ILLUSTRATIVE_ORGS = (
    (
        "lib_frog_hollow",
        "Frog Hollow Branch Library",
        "library",
        "both",
        "english;education;youth",
        "English;Spanish",
        "library",
        "Frog Hollow",
    ),
    (
        "lib_blue_hills",
        "Blue Hills Branch Library",
        "library",
        "receiving_community",
        "education;youth",
        "English",
        "library",
        "Blue Hills",
    ),
    (
        "lib_south_end",
        "South End Branch Library",
        "library",
        "both",
        "english;education",
        "English;Spanish;Bosnian",
        "library",
        "South End",
    ),
    (
        "lib_upper_albany",
        "Upper Albany Branch Library",
        "library",
        "receiving_community",
        "education;youth",
        "English",
        "library",
        "Upper Albany",
    ),
    (
        "lib_barry_square",
        "Barry Square Branch Library",
        "library",
        "both",
        "english;citizenship",
        "English;Spanish;Polish",
        "library",
        "Barry Square",
    ),
    (
        "na_frog_hollow",
        "Frog Hollow Neighbors Association",
        "neighborhood association",
        "receiving_community",
        "citizenship",
        "English;Spanish",
        "neighborhood_association",
        "Frog Hollow",
    ),
    (
        "na_south_end",
        "South End Neighbors Association",
        "neighborhood association",
        "receiving_community",
        "",
        "English",
        "neighborhood_association",
        "South End",
    ),
    (
        "na_blue_hills",
        "Blue Hills Civic Association",
        "neighborhood association",
        "receiving_community",
        "citizenship",
        "English",
        "neighborhood_association",
        "Blue Hills",
    ),
    (
        "na_west_end",
        "West End Civic Association",
        "neighborhood association",
        "receiving_community",
        "",
        "English",
        "neighborhood_association",
        "West End",
    ),
    (
        "na_parkville",
        "Parkville Neighborhood Association",
        "neighborhood association",
        "receiving_community",
        "",
        "English;Portuguese",
        "neighborhood_association",
        "Parkville",
    ),
    (
        "na_barry_square",
        "Barry Square Neighbors",
        "neighborhood association",
        "receiving_community",
        "",
        "English;Spanish",
        "neighborhood_association",
        "Barry Square",
    ),
    (
        "school_frog_hollow",
        "Frog Hollow Elementary School",
        "school",
        "both",
        "education;english;youth",
        "English;Spanish",
        "school",
        "Frog Hollow",
    ),
    (
        "school_asylum_hill",
        "Asylum Hill Middle School",
        "school",
        "both",
        "education;english;youth",
        "English;Karen;Nepali;Arabic",
        "school",
        "Asylum Hill",
    ),
    (
        "school_newcomer",
        "Newcomer Academy",
        "school",
        "immigrant_serving",
        "education;english;youth",
        "English;Spanish;Bosnian;Somali;Arabic",
        "school",
        "South End",
    ),
    (
        "adult_ed_south_green",
        "South Green Adult Learning Center",
        "school",
        "immigrant_serving",
        "english;citizenship;employment",
        "English;Spanish;Vietnamese",
        "none",
        "South Green",
    ),
    (
        "faith_karen",
        "Karen Baptist Fellowship",
        "faith",
        "immigrant_serving",
        "housing;english",
        "Karen;Burmese;English",
        "faith",
        "Asylum Hill",
    ),
    (
        "faith_islamic_center",
        "Barry Square Islamic Center",
        "faith",
        "immigrant_serving",
        "education;english",
        "Arabic;Somali;Bengali;English",
        "faith",
        "Barry Square",
    ),
    (
        "faith_polish_parish",
        "Polish Parish of Sheldon-Charter Oak",
        "faith",
        "both",
        "",
        "Polish;English",
        "faith",
        "Sheldon-Charter Oak",
    ),
    (
        "faith_northeast_baptist",
        "Northeast Community Baptist Church",
        "faith",
        "receiving_community",
        "housing;youth",
        "English",
        "faith",
        "Northeast",
    ),
    (
        "faith_haitian",
        "Blue Hills Haitian Church",
        "faith",
        "immigrant_serving",
        "english;citizenship",
        "Haitian Creole;French;English",
        "faith",
        "Blue Hills",
    ),
    (
        "faith_parkville_pentecostal",
        "Parkville Pentecostal Church",
        "faith",
        "both",
        "youth;housing",
        "Spanish;English",
        "faith",
        "Parkville",
    ),
    (
        "faith_downtown_interfaith",
        "Downtown Interfaith Council",
        "faith",
        "both",
        "housing",
        "English",
        "faith",
        "Downtown",
    ),
    (
        "clinic_park_street",
        "Park Street Community Clinic",
        "health",
        "both",
        "health",
        "English;Spanish;Portuguese",
        "none",
        "Frog Hollow",
    ),
    (
        "clinic_north_end",
        "North End Health Center",
        "health",
        "receiving_community",
        "health",
        "English",
        "none",
        "Upper Albany",
    ),
    (
        "employer_south_meadows",
        "South Meadows Manufacturing Co.",
        "business",
        "receiving_community",
        "employment",
        "English",
        "none",
        "South Meadows",
    ),
    (
        "employer_southwest_care",
        "Southwest Care Home",
        "business",
        "receiving_community",
        "employment;health",
        "English;Spanish",
        "none",
        "Southwest",
    ),
    (
        "youth_clay_arsenal",
        "Clay Arsenal Youth Center",
        "nonprofit",
        "receiving_community",
        "youth;education",
        "English;Spanish",
        "none",
        "Clay Arsenal",
    ),
    (
        "youth_newcomer_soccer",
        "Newcomer Youth Soccer League",
        "nonprofit",
        "immigrant_serving",
        "youth",
        "English;Swahili;Arabic;Nepali",
        "none",
        "West End",
    ),
    (
        "legal_law_clinic",
        "Law School Immigration Clinic",
        "legal",
        "immigrant_serving",
        "legal;citizenship",
        "English;Spanish",
        "none",
        "West End",
    ),
    (
        "tenants_behind_the_rocks",
        "Behind the Rocks Tenants Union",
        "nonprofit",
        "receiving_community",
        "housing",
        "English;Spanish",
        "none",
        "Behind the Rocks",
    ),
    (
        "job_center_downtown",
        "Downtown Job Center",
        "government",
        "both",
        "employment",
        "English;Spanish",
        "none",
        "Downtown",
    ),
    (
        "business_north_meadows",
        "North Meadows Business Association",
        "business",
        "receiving_community",
        "employment",
        "English",
        "none",
        "North Meadows",
    ),
    (
        "pantry_south_green",
        "South Green Food Pantry",
        "nonprofit",
        "receiving_community",
        "",
        "English;Spanish",
        "none",
        "South Green",
    ),
    (
        "karen_community_assoc",
        "Karen Community Association",
        "nonprofit",
        "immigrant_serving",
        "english;employment",
        "Karen;Burmese",
        "none",
        "Asylum Hill",
    ),
    (
        "bhutanese_nepali_assoc",
        "Bhutanese Nepali Community Association",
        "nonprofit",
        "immigrant_serving",
        "english;youth",
        "Nepali;English",
        "none",
        "South End",
    ),
)


def _urls(text: str) -> str:
    """The source URLs of the raw file, ' ; '-separated, as one source string."""
    return " ; ".join(u.strip() for u in str(text).split(" ; ") if u.strip())


def _list(text: str) -> list[str]:
    return [item for item in text.split(";") if item]


# The organization that runs "We Belong Here" (and so convenes the coalition).
CONVENER = "hpl_tap"


def organizations(raw: Path) -> pd.DataFrame:
    """The 21 real organizations followed by the illustrative ones."""
    real = pd.read_csv(raw / "organizations" / "hartford_immigrant_serving_orgs.csv", dtype=str)
    if sorted(real["org_id"]) != sorted(REAL_ORGS):
        raise SystemExit("the raw organizations file does not hold the 21 expected ids")
    rows = []
    for org in real.to_dict("records"):
        sector, orientation, services, languages, anchor, hood, date = REAL_ORGS[org["org_id"]]
        address = REAL_ADDRESSES.get(org["org_id"], "")
        rows.append(
            {
                "org_id": org["org_id"],
                "name": org["name"],
                "sector": sector,
                "orientation": orientation,
                "services": _list(services),
                "languages": _list(languages),
                "anchor_type": anchor,
                "neighborhood": hood,
                "address": address,
                "lat": None,
                "lon": None,
                "notes": (
                    f"{org['type']}. Source facts: {org['facts_from_source']} "
                    "[services and languages inferred from these facts]"
                ),
                "source": _urls(org["source_urls"]),
                "source_date": date,
                "illustrative": False,
                # Every listed organization counts as a coalition member, as before the column
                # existed; only the library's own membership (it runs the coalition) is sourced.
                "member": True,
                "illustrative_columns": [] if org["org_id"] == CONVENER else ["member"],
            }
        )
    for org_id, name, sector, orientation, services, languages, anchor, hood in ILLUSTRATIVE_ORGS:
        rows.append(
            {
                "org_id": org_id,
                "name": name,
                "sector": sector,
                "orientation": orientation,
                "services": _list(services),
                "languages": _list(languages),
                "anchor_type": anchor,
                "neighborhood": hood,
                "address": "",
                "lat": None,
                "lon": None,
                "notes": "Illustrative organization: made up to show the tool, not a real record.",
                "source": ILLUSTRATIVE,
                "source_date": ILLUSTRATIVE_DATE,
                "illustrative": True,
                "member": True,
            }
        )
    return pd.DataFrame(rows, columns=schema.column_names("organizations"))


# --- communities --------------------------------------------------------------------------------

# (community_id, name, kind, languages, notes, source, source_date)
COMMUNITIES = (
    (
        "jamaican",
        "Jamaican",
        "immigrant",
        "English;Patois",
        "No city figure. Hartford metro area 2010-12: 16,943 born in Jamaica (± 1,527); 33 "
        "Hartford students spoke Patois at home in 2013-14.",
        f"{METRO_B05006}; {SCHOOL_LANGUAGES}",
        "2014",
    ),
    (
        "polish",
        "Polish",
        "immigrant",
        "Polish;English",
        "No city figure. Hartford metro area 2010-12: 17,097 born in Poland (± 1,661); 45 Hartford "
        "students spoke Polish at home in 2013-14.",
        f"{METRO_B05006}; {SCHOOL_LANGUAGES}",
        "2014",
    ),
    (
        "indian",
        "Indian",
        "immigrant",
        "Hindi;Telugu;Gujarati;English",
        "No city figure. Hartford metro area 2010-12: 12,584 born in India (± 1,269); Hartford "
        "students speaking Telugu 48, Hindi 41, Gujarati 9 at home in 2013-14.",
        f"{METRO_B05006}; {SCHOOL_LANGUAGES}",
        "2014",
    ),
    (
        "peruvian",
        "Peruvian",
        "immigrant",
        "Spanish;Quechua",
        "No city figure. Hartford metro area 2010-12: 6,321 born in Peru (± 1,253).",
        METRO_B05006,
        "2012",
    ),
    (
        "bosnian",
        "Bosnian",
        "immigrant",
        "Bosnian;English",
        "No city figure. Hartford metro area 2010-12: 1,584 born in Bosnia and Herzegovina "
        "(± 558); 215 Hartford students spoke Serbo-Croatian at home in 2013-14.",
        f"{METRO_B05006}; {SCHOOL_LANGUAGES}",
        "2014",
    ),
    (
        "karen",
        "Karen (from Burma)",
        "immigrant",
        "Karen;Burmese",
        "No city figure. 174 Hartford students spoke Karen at home in 2013-14 (147 English "
        "learners); metro area 2010-12: 137 born in Burma (± 133).",
        f"{SCHOOL_LANGUAGES}; {METRO_B05006}",
        "2014",
    ),
    (
        "bhutanese-nepali",
        "Bhutanese-Nepali",
        "immigrant",
        "Nepali;English",
        "No city figure. 44 Hartford students spoke Nepali at home in 2013-14 (39 English "
        "learners); metro area 2010-12: 1,082 born in Nepal (± 577).",
        f"{SCHOOL_LANGUAGES}; {METRO_B05006}",
        "2014",
    ),
    (
        "albanian",
        "Albanian",
        "immigrant",
        "Albanian;English",
        "No city figure. 65 Hartford students spoke Albanian at home in 2013-14; metro area "
        "2010-12: 1,482 born in Albania (± 645).",
        f"{SCHOOL_LANGUAGES}; {METRO_B05006}",
        "2014",
    ),
    (
        "vietnamese",
        "Vietnamese",
        "immigrant",
        "Vietnamese;English",
        "No city figure. 46 Hartford students spoke Vietnamese at home in 2013-14; metro area "
        "2010-12: 3,626 born in Vietnam (± 851).",
        f"{SCHOOL_LANGUAGES}; {METRO_B05006}",
        "2014",
    ),
    (
        "somali",
        "Somali",
        "immigrant",
        "Somali;Arabic",
        "No city figure. 26 Hartford students spoke Somali at home in 2013-14 (18 English "
        "learners).",
        SCHOOL_LANGUAGES,
        "2014",
    ),
    (
        "haitian",
        "Haitian",
        "immigrant",
        "Haitian Creole;French",
        "No city figure. Hartford metro area 2010-12: 1,304 born in Haiti (± 520); 46 Hartford "
        "students spoke Haitian Creole at home in 2013-14.",
        f"{METRO_B05006}; {SCHOOL_LANGUAGES}",
        "2014",
    ),
    (
        "arabic-speaking",
        "Arabic-speaking",
        "immigrant",
        "Arabic",
        "No city figure. 66 Hartford students spoke Arabic at home in 2013-14; metro area "
        "2010-12: 231 born in Iraq (± 263), 129 in Syria (± 99).",
        f"{SCHOOL_LANGUAGES}; {METRO_B05006}",
        "2014",
    ),
)
RECEIVING_COMMUNITIES = (
    ("north-end-longtime", "Long-time residents of the North End", "English"),
    ("asylum-hill-longtime", "Asylum Hill long-time residents", "English"),
    ("south-end-longtime", "South End long-time residents", "English;Spanish"),
)


def communities(pr_born: int) -> pd.DataFrame:
    """Immigrant communities drawn from the real figures, plus receiving-community groups."""
    rows = [
        {
            "community_id": "puerto-rican",
            "name": "Puerto Rican",
            "community_kind": "immigrant",
            "languages": ["Spanish", "English"],
            "estimated_residents": pr_born,
            "notes": (
                "Residents born in Puerto Rico or the U.S. island areas (ACS 2019-2023 "
                "B05001, city of Hartford: 18,253). U.S. citizens by birth, counted here as "
                "newcomers; Hartford residents of Puerto Rican heritage are many more."
            ),
            "source": (
                "U.S. Census Bureau, ACS 2019-2023 5-year, B05001 (41 Hartford tracts, via "
                "CT-Data-Haven/2023acs)"
            ),
            "source_date": ACS_DATE,
            "illustrative": False,
        }
    ]
    for community_id, name, kind, languages, notes, source, date in COMMUNITIES:
        rows.append(
            {
                "community_id": community_id,
                "name": name,
                "community_kind": kind,
                "languages": _list(languages),
                "estimated_residents": None,
                "notes": notes,
                "source": source,
                "source_date": date,
                "illustrative": False,
            }
        )
    for community_id, name, languages in RECEIVING_COMMUNITIES:
        rows.append(
            {
                "community_id": community_id,
                "name": name,
                "community_kind": "receiving",
                "languages": _list(languages),
                "estimated_residents": None,
                "notes": "Illustrative receiving-community group.",
                "source": ILLUSTRATIVE,
                "source_date": ILLUSTRATIVE_DATE,
                "illustrative": True,
            }
        )
    return pd.DataFrame(rows, columns=schema.column_names("communities"))


# --- committees and navigators ------------------------------------------------------------------

AHNA_SOURCE = (
    "https://redtruckstonecatcher.com/2016/03/27/theyre-desperate-and-have-lost-"
    "everything/ ; http://blogs.hplct.org/?tag=the-american-place"
)


def committees() -> pd.DataFrame:
    """Asylum Hill's real, active committee; the others illustrative."""
    rows = [
        {
            "committee_id": "wc-asylum-hill",
            "name": "Asylum Hill Welcoming Committee",
            "neighborhood": "Asylum Hill",
            "status": "active",
            "start_date": None,
            "source": AHNA_SOURCE,
            "source_date": "2016-03",
            "illustrative": False,
        }
    ]
    for committee_id, name, hood, status, start in (
        ("wc-frog-hollow", "Frog Hollow Welcoming Committee", "Frog Hollow", "forming", "2025"),
        ("wc-blue-hills", "Blue Hills Welcoming Committee", "Blue Hills", "forming", "2024-09"),
        ("wc-south-end", "South End Welcoming Committee", "South End", "none", None),
        ("wc-barry-square", "Barry Square Welcoming Committee", "Barry Square", "none", None),
    ):
        rows.append(
            {
                "committee_id": committee_id,
                "name": name,
                "neighborhood": hood,
                "status": status,
                "start_date": start,
                "source": ILLUSTRATIVE,
                "source_date": ILLUSTRATIVE_DATE,
                "illustrative": True,
            }
        )
    return pd.DataFrame(rows, columns=schema.column_names("committees"))


# (navigator_id, alias, languages, neighborhood, mentors, volunteers_with)
NAVIGATORS = (
    (
        "nav-01",
        "Navigator A",
        "Spanish;English",
        "Frog Hollow",
        ("puerto-rican", "peruvian"),
        ("hpl_tap", "lib_frog_hollow"),
    ),
    (
        "nav-02",
        "Navigator B",
        "Karen;Burmese;English",
        "Asylum Hill",
        ("karen",),
        ("hpl_tap", "karen_community_assoc"),
    ),
    (
        "nav-03",
        "Navigator C",
        "Nepali;English",
        "South End",
        ("bhutanese-nepali",),
        ("lib_south_end",),
    ),
    (
        "nav-04",
        "Navigator D",
        "Arabic;English",
        "Asylum Hill",
        ("arabic-speaking", "somali"),
        ("hpl_tap",),
    ),
    ("nav-05", "Navigator E", "Polish;English", "Barry Square", ("polish",), ("lib_barry_square",)),
    (
        "nav-06",
        "Navigator F",
        "Haitian Creole;French;English",
        "Blue Hills",
        ("haitian",),
        ("lib_blue_hills",),
    ),
    ("nav-07", "Navigator G", "English", "Northeast", ("jamaican",), ("hpl_tap",)),
    ("nav-08", "Navigator H", "Bosnian;English", "South End", ("bosnian",), ()),
    (
        "nav-09",
        "Navigator I",
        "Spanish;English",
        "Barry Square",
        ("puerto-rican",),
        ("hpl_tap", "adult_ed_south_green"),
    ),
    ("nav-10", "Navigator J", "English;Hindi", "West End", ("indian",), ("hpl_tap",)),
)


def navigators() -> pd.DataFrame:
    """Illustrative Cultural Navigators: aliases only, never real people."""
    rows = [
        {
            "navigator_id": nav_id,
            "alias": alias,
            "languages": _list(languages),
            "neighborhood": hood,
            "source": ILLUSTRATIVE,
            "source_date": ILLUSTRATIVE_DATE,
            "illustrative": True,
        }
        for nav_id, alias, languages, hood, *_ in NAVIGATORS
    ]
    return pd.DataFrame(rows, columns=schema.column_names("navigators"))


# --- ties ---------------------------------------------------------------------------------------

# Strength and start of the 16 sourced partnerships (the raw file states neither directly).
SOURCED_TIE_DETAILS = {
    ("hpl_tap", "ct_dcp"): (2, None, UNDATED),
    ("hpl_tap", "ctfhc"): (1, None, UNDATED),
    ("hpl_tap", "ahna"): (3, "2014-09", "2014"),
    ("hart", "cc_mris"): (1, "2005-10", "2006-05"),
    ("hfpg", "hrrjc"): (2, "2008", "2009"),
    ("jfs_greenwich", "circ"): (3, None, UNDATED),
    ("cc_mris", "hsc"): (3, "2007", UNDATED),
    ("cc_mris", "cc_ahfc"): (2, None, "2017-03"),
    ("ahna", "cc_mris"): (1, None, "2016-03"),
    ("clp", "sjc"): (1, None, UNDATED),
    ("clp", "lcs"): (1, None, UNDATED),
    ("sjc", "lcs"): (1, None, UNDATED),
    ("cria", "c4d"): (1, None, UNDATED),
    ("cria", "cira"): (1, None, UNDATED),
    ("cria", "clp"): (1, None, UNDATED),
    ("iris", "ciri"): (1, "2022", "2022"),
}
# Further ties that the facts in the raw organizations file state directly.
SOURCED_FACT_TIES = (
    (
        "ahna",
        "karen",
        "serves_community",
        "Karen language focus group, Multicultural Neighborhood Place (2014)",
        "http://blogs.hplct.org/?tag=the-american-place",
        "2014",
    ),
    (
        "ahna",
        "bhutanese-nepali",
        "serves_community",
        "Bhutanese/Nepalese focus group, Multicultural Neighborhood Place (2014)",
        "http://blogs.hplct.org/?tag=the-american-place",
        "2014",
    ),
    (
        "ahna",
        "arabic-speaking",
        "serves_community",
        "Arabic/Middle Eastern focus group, Multicultural Neighborhood Place (2014)",
        "http://blogs.hplct.org/?tag=the-american-place",
        "2014",
    ),
    (
        "cc_mris",
        "somali",
        "serves_community",
        "resettled refugees from Somalia",
        "https://www.catholictranscript.org/news/local-news/4424-catholic-charities-all-refugees-"
        "welcome.html",
        "2016",
    ),
    (
        "hhc",
        "puerto-rican",
        "serves_community",
        "founded in the Puerto Rican community (1978)",
        "https://en.wikipedia.org/wiki/Hispanic_Health_Council",
        UNDATED,
    ),
    (
        "ahna",
        "wc-asylum-hill",
        "committee_member",
        "the association's Welcoming Committee",
        AHNA_SOURCE,
        "2016-03",
    ),
)

# Illustrative partnerships: (source, target, kind, strength)
ILLUSTRATIVE_PARTNERSHIPS = (
    ("hpl_tap", "lib_frog_hollow", "branch of the same library", 3),
    ("hpl_tap", "lib_blue_hills", "branch of the same library", 3),
    ("hpl_tap", "lib_south_end", "branch of the same library", 3),
    ("hpl_tap", "lib_upper_albany", "branch of the same library", 3),
    ("hpl_tap", "lib_barry_square", "branch of the same library", 3),
    ("hpl_tap", "cria", "hosts commission listening sessions", 2),
    ("hpl_tap", "adult_ed_south_green", "ESL class referrals", 2),
    ("hpl_tap", "clp", "legal clinic referrals", 2),
    ("hpl_tap", "ciri", "refugee case referrals", 1),
    ("hpl_tap", "legal_law_clinic", "citizenship day volunteers", 1),
    ("lib_frog_hollow", "na_frog_hollow", "shared meeting room", 2),
    ("lib_frog_hollow", "school_frog_hollow", "family literacy nights", 2),
    ("lib_frog_hollow", "clinic_park_street", "health information table", 1),
    ("na_frog_hollow", "hhc", "neighborhood health fair", 1),
    ("hhc", "clinic_park_street", "patient referrals", 2),
    ("lib_blue_hills", "na_blue_hills", "civic meetings at the branch", 2),
    ("lib_blue_hills", "faith_haitian", "English conversation circle", 1),
    ("na_blue_hills", "faith_northeast_baptist", "neighborhood clean-ups", 1),
    ("faith_northeast_baptist", "clinic_north_end", "health screenings", 1),
    ("lib_upper_albany", "clinic_north_end", "health information table", 2),
    ("lib_upper_albany", "youth_clay_arsenal", "homework help", 2),
    ("sjc", "youth_clay_arsenal", "north end youth referrals", 1),
    ("lib_south_end", "school_newcomer", "newcomer family orientation", 2),
    ("lib_south_end", "bhutanese_nepali_assoc", "meeting space", 1),
    ("school_newcomer", "cc_mris", "enrolment of refugee students", 2),
    ("lib_barry_square", "faith_islamic_center", "Arabic story time", 1),
    ("lib_barry_square", "na_barry_square", "shared meeting room", 2),
    ("faith_polish_parish", "lib_barry_square", "Polish book collection", 1),
    ("ahna", "school_asylum_hill", "school volunteers", 2),
    ("ahna", "faith_karen", "welcoming dinners", 2),
    ("ahna", "cc_ahfc", "resource corner partners", 3),
    ("faith_karen", "karen_community_assoc", "shared members", 3),
    ("karen_community_assoc", "school_asylum_hill", "parent liaisons", 1),
    ("cc_mris", "karen_community_assoc", "resettled Karen families", 2),
    ("iris", "cc_mris", "statewide resettlement coordination", 1),
    ("circ", "cira", "advocacy coalition", 1),
    ("hrrjc", "cc_mris", "member agency", 2),
    ("hrrjc", "iris", "member agency", 1),
    ("adult_ed_south_green", "job_center_downtown", "job-readiness referrals", 2),
    ("job_center_downtown", "employer_southwest_care", "hiring events", 2),
    ("job_center_downtown", "employer_south_meadows", "hiring events", 1),
    ("legal_law_clinic", "clp", "co-counsel on cases", 2),
    ("na_west_end", "legal_law_clinic", "know-your-rights night", 1),
    ("tenants_behind_the_rocks", "ctfhc", "fair housing training", 1),
    ("na_parkville", "faith_parkville_pentecostal", "neighborhood festival", 2),
    ("faith_parkville_pentecostal", "hhc", "health fair", 1),
    ("faith_downtown_interfaith", "hpl_tap", "interfaith dialogue series", 1),
    ("faith_downtown_interfaith", "faith_northeast_baptist", "interfaith council member", 1),
    ("youth_newcomer_soccer", "school_asylum_hill", "after-school league", 1),
    ("youth_newcomer_soccer", "bhutanese_nepali_assoc", "youth players", 1),
)
# Illustrative serves_community: org -> communities
ILLUSTRATIVE_SERVES_COMMUNITY = {
    "hpl_tap": ("puerto-rican", "karen", "arabic-speaking", "haitian", "polish"),
    "clp": ("puerto-rican", "peruvian"),
    "sjc": ("puerto-rican",),
    "lcs": ("puerto-rican",),
    "hsc": ("puerto-rican",),
    "faith_parkville_pentecostal": ("puerto-rican", "peruvian"),
    "lib_frog_hollow": ("puerto-rican",),
    "clinic_park_street": ("puerto-rican",),
    "lib_blue_hills": ("jamaican", "haitian"),
    "clinic_north_end": ("jamaican", "north-end-longtime"),
    "faith_polish_parish": ("polish",),
    "lib_barry_square": ("polish", "puerto-rican"),
    "adult_ed_south_green": ("indian", "vietnamese"),
    "lib_south_end": ("bosnian", "bhutanese-nepali"),
    "school_newcomer": ("bosnian", "somali", "arabic-speaking"),
    "faith_karen": ("karen",),
    "karen_community_assoc": ("karen",),
    "school_asylum_hill": ("karen", "arabic-speaking"),
    "cc_mris": ("karen",),
    "bhutanese_nepali_assoc": ("bhutanese-nepali",),
    "youth_newcomer_soccer": ("bhutanese-nepali",),
    "faith_islamic_center": ("somali", "arabic-speaking"),
    "faith_haitian": ("haitian",),
    "faith_northeast_baptist": ("north-end-longtime",),
    "na_blue_hills": ("north-end-longtime",),
    "youth_clay_arsenal": ("north-end-longtime",),
    "ahna": ("asylum-hill-longtime",),
    "na_south_end": ("south-end-longtime",),
}
# Illustrative serves_neighborhood: org -> neighborhoods (mostly city-wide agencies)
ILLUSTRATIVE_SERVES_NEIGHBORHOOD = {
    "cc_mris": ("Asylum Hill", "West End"),
    "sjc": ("Clay Arsenal", "Upper Albany"),
    "clp": ("Frog Hollow", "Parkville"),
    "hhc": ("Frog Hollow", "Barry Square"),
    "hart": ("South End", "Barry Square"),
    "job_center_downtown": ("South Green",),
    "clinic_north_end": ("Northeast", "Clay Arsenal"),
}
# Illustrative residents of communities in neighborhoods (Puerto Rican splits are real: below).
ILLUSTRATIVE_LIVES_IN = {
    "jamaican": {"Blue Hills": 900, "Northeast": 400, "Upper Albany": 300},
    "polish": {"Sheldon-Charter Oak": 150, "Barry Square": 150, "South End": 100},
    "indian": {"West End": 200, "Asylum Hill": 150, "Downtown": 100},
    "peruvian": {"Barry Square": 200, "South End": 150},
    "bosnian": {"South End": 300, "Barry Square": 150},
    "karen": {"Asylum Hill": 250, "West End": 100},
    "bhutanese-nepali": {"South End": 200, "Asylum Hill": 100},
    "albanian": {"South End": 150, "Barry Square": 100},
    "vietnamese": {"South End": 150, "South Green": 50},
    "somali": {"Asylum Hill": 100, "South End": 100},
    "haitian": {"Blue Hills": 250, "Upper Albany": 100},
    "arabic-speaking": {"Asylum Hill": 200, "Barry Square": 150},
    "north-end-longtime": {
        "Northeast": 6000,
        "Blue Hills": 4000,
        "Upper Albany": 3000,
        "Clay Arsenal": 2000,
    },
    "asylum-hill-longtime": {"Asylum Hill": 4000},
    "south-end-longtime": {"South End": 3000},
}
ILLUSTRATIVE_COMMITTEE_MEMBERS = {
    "wc-asylum-hill": ("cc_ahfc", "school_asylum_hill", "faith_karen", "hpl_tap"),
    "wc-frog-hollow": ("na_frog_hollow", "lib_frog_hollow", "school_frog_hollow"),
    "wc-blue-hills": ("na_blue_hills", "lib_blue_hills", "faith_haitian"),
}


def _tie(
    source_id,
    target_id,
    tie_type,
    kind="",
    strength=None,
    since=None,
    residents=None,
    notes="",
    source=ILLUSTRATIVE,
    source_date=ILLUSTRATIVE_DATE,
    illustrative=True,
) -> dict:
    return {
        "source_id": source_id,
        "target_id": target_id,
        "tie_type": tie_type,
        "kind": kind,
        "strength": strength,
        "since": since,
        "residents": residents,
        "notes": notes,
        "source": source,
        "source_date": source_date,
        "illustrative": illustrative,
    }


def ties(raw: Path, apportioned: pd.DataFrame, polygons: gpd.GeoDataFrame) -> pd.DataFrame:
    """The 16 sourced ties, ties stated by the facts, the real Puerto Rican splits, and the
    illustrative rest."""
    sourced = pd.read_csv(raw / "organizations" / "hartford_org_ties_from_sources.csv", dtype=str)
    rows = []
    for tie in sourced.to_dict("records"):
        pair = (tie["source_org_id"], tie["target_org_id"])
        strength, since, date = SOURCED_TIE_DETAILS[pair]
        rows.append(
            _tie(
                *pair,
                "partnership",
                kind=tie["tie_description"],
                strength=strength,
                since=since,
                source=tie["source_url"],
                source_date=date,
                illustrative=False,
                notes="strength and dates judged from the source's description",
            )
        )
    if len(rows) != 16:
        raise SystemExit(f"expected 16 sourced ties, got {len(rows)}")
    for source_id, target_id, tie_type, kind, url, date in SOURCED_FACT_TIES:
        rows.append(
            _tie(
                source_id,
                target_id,
                tie_type,
                kind=kind,
                strength=1,
                source=url,
                source_date=date,
                illustrative=False,
            )
        )

    # Residents born in Puerto Rico per neighborhood: apportioned from the tracts (real).
    pr_column = "us_citizen_born_in_pr_or_island_areas"
    for hood_id in polygons.index:
        residents = round(apportioned.loc[hood_id, pr_column])
        if residents >= 50:  # below that the estimate is noise
            moe = apportioned.loc[hood_id, pr_column + "_moe"]
            rows.append(
                _tie(
                    "puerto-rican",
                    hood_id,
                    "lives_in",
                    kind="residents",
                    residents=residents,
                    notes=(
                        f"born in Puerto Rico or U.S. island areas; 90% margin of error ± {moe:.0f}"
                    ),
                    source=ACS,
                    source_date=ACS_DATE,
                    illustrative=False,
                )
            )

    for source_id, target_id, kind, strength in ILLUSTRATIVE_PARTNERSHIPS:
        rows.append(_tie(source_id, target_id, "partnership", kind=kind, strength=strength))
    for org_id, community_ids in ILLUSTRATIVE_SERVES_COMMUNITY.items():
        for community_id in community_ids:
            rows.append(_tie(org_id, community_id, "serves_community", strength=2))
    for org_id, hoods in ILLUSTRATIVE_SERVES_NEIGHBORHOOD.items():
        for hood in hoods:
            rows.append(_tie(org_id, hood, "serves_neighborhood", strength=2))
    for community_id, splits in ILLUSTRATIVE_LIVES_IN.items():
        for hood, residents in splits.items():
            rows.append(
                _tie(
                    community_id,
                    hood,
                    "lives_in",
                    kind="residents",
                    residents=residents,
                    notes="illustrative split",
                )
            )
    for nav_id, _alias, _languages, _hood, mentored, organizations_ in NAVIGATORS:
        for community_id in mentored:
            rows.append(_tie(nav_id, community_id, "mentors", strength=2))
        for org_id in organizations_:
            rows.append(_tie(nav_id, org_id, "volunteers_with", strength=2))
    for committee_id, members in ILLUSTRATIVE_COMMITTEE_MEMBERS.items():
        for org_id in members:
            rows.append(_tie(org_id, committee_id, "committee_member", strength=2))
    return pd.DataFrame(rows, columns=schema.column_names("ties"))


# --- writing ------------------------------------------------------------------------------------


def _cell(value, column: schema.Column) -> str:
    """A cell as the data format writes it: lists with ';', booleans yes/no, blanks for None."""
    if isinstance(value, (list, tuple)):
        return schema.LIST_SEPARATOR.join(str(v) for v in value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if column.type == "bool":
        return "yes" if value else "no"
    if column.type == "int" or (column.type == "float" and float(value).is_integer()):
        return str(int(value))
    return str(value)


def table_csv(table: str, frame: pd.DataFrame) -> str:
    """A table as the CSV text of the data format (schema columns, in order)."""
    columns = schema.TABLES[table]
    text = pd.DataFrame(
        {
            c.name: [
                _cell(v, c)
                for v in (frame[c.name].tolist() if c.name in frame else [None] * len(frame))
            ]
            for c in columns
        },
        columns=[c.name for c in columns],
    )
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def boundary_geojson(polygons: gpd.GeoDataFrame) -> str:
    """The boundary layer as GeoJSON (EPSG:4326, property ``name``), one feature per line."""
    features = []
    for name, geometry in zip(polygons["name"], polygons.geometry, strict=True):
        features.append(
            json.dumps(
                {
                    "type": "Feature",
                    "properties": {"name": name},
                    "geometry": shapely.geometry.mapping(geometry),
                },
                separators=(",", ":"),
            )
        )
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"


def city_toml(name: str, metric_crs: str, comments: bool = False) -> str:
    if not comments:
        return f'name = "{name}"\nmetric_crs = "{metric_crs}"\nboundary_name_field = "name"\n'
    return (
        "# The city's settings. Lines starting with # are comments.\n"
        "# The city's display name.\n"
        f'name = "{name}"\n'
        "# A projected coordinate system in metres, used for areas and distances: a UTM zone\n"
        "# (EPSG:326xx north, EPSG:327xx south) or your state plane in metres. Look it up on\n"
        "# https://epsg.io for your city. Left out, a UTM zone is estimated from the map.\n"
        f'metric_crs = "{metric_crs}"\n'
        "# The property of the boundary file's features that holds the neighborhood's name.\n"
        'boundary_name_field = "name"\n'
    )


def _markdown_table(frame: pd.DataFrame) -> str:
    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "|".join("---" for _ in frame.columns) + "|",
    ]
    for row in frame.itertuples(index=False):
        lines.append(
            "| "
            + " | ".join(f"{v:,}" if isinstance(v, (int, np.integer)) else str(v) for v in row)
            + " |"
        )
    return "\n".join(lines)


def sources_markdown(figures: Figures) -> str:
    """data/hartford/SOURCES.md: every raw and derived file, its source, licence and method."""
    table = figures.table
    totals = (
        f"{table['population'].sum():,} people and {table['foreign_born'].sum():,} "
        f"foreign-born (city: {CITY_POPULATION:,} and {CITY_FOREIGN_BORN:,})"
    )
    figures_table = _markdown_table(
        table[["name", "population", "population_moe", "foreign_born", "foreign_born_moe"]]
    )
    comparison = figures.comparison
    mean_abs_pop = comparison["population_diff_pct"].abs().mean()
    mean_abs_fb = comparison["foreign_born_diff_pct"].abs().mean()
    comparison_table = _markdown_table(comparison)
    return SOURCES_TEMPLATE.format(
        metric_crs=METRIC_CRS,
        totals=totals,
        figures_table=figures_table,
        comparison_table=comparison_table,
        mean_abs_pop=mean_abs_pop,
        mean_abs_fb=mean_abs_fb,
        units=len(comparison),
        north_meadows=int(table.set_index("name").loc["North Meadows", "population"]),
    )


SOURCES_TEMPLATE = """# Hartford sample: sources, licences and method

This file is written by `scripts/build_hartford_sample.py` (`make sample`); edit the script, not
this file. The build reads only `raw/` and writes the same bytes on every run.

Real figures carry their source in every row (`source`, `source_date`); every made-up row says
`illustrative = yes` and `source = illustrative sample`.

## Raw files (`raw/`, copied unchanged)

| file | what | source | licence |
|---|---|---|---|
| raw/boundaries/hartford_17_neighborhoods.geojson | Hartford's 17 official neighborhoods (2013 export credited to DataHaven; spellings "Behind The Rocks", "North East", "South West", "Sheldon Charter Oak") | codeforgermany/click_that_hood `public/data/hartford.geojson` (commit fb1c363b) | MIT |
| raw/boundaries/hartford_tracts_2020.geojson | The 41 census tracts of the city, 2020 cartographic boundaries, `GEOID` (county-based 09003...) and `GEOID_COG` (planning-region 09110...) | CT-Data-Haven/cwi `data/tract_sf.rda` + `tract2town.rda` (US Census TIGER/cb) | public domain geometry, MIT repo |
| raw/census/hartford_tracts_B05001_nativity_2023.csv | ACS 2019-2023 5-year B05001 (nativity and citizenship), 41 tracts, estimates and 90% margins of error; `foreign_born` = naturalized + not a citizen | CT-Data-Haven/2023acs `fetch_data/acs_basic_2023_fetch_all.rds` (tidycensus pull), pivoted | public domain (Census) |
| raw/census/hartford_tract_ids.csv | crosswalk county-based <-> planning-region tract ids | CT-Data-Haven/cwi `tract2town.rda` | MIT |
| raw/census/datahaven_neighborhoods_B05001_nativity_2023.csv | B05001 aggregated by DataHaven to its neighborhood units (tract population weights) | CT-Data-Haven/2023acs | public domain (Census), MIT repo |
| raw/census/hartford_msa_B05006_country_of_birth_2010_12.csv | ACS 2010-2012 3-year B05006, country of birth, Connecticut and Hartford metro area | sgaul/westindian `ACS_12_3YR_B05006.xls` (American FactFinder export), transcribed | public domain (Census) |
| raw/languages/hartford_town_B16004_english_ability_2016_20.csv | ACS 2016-2020 B16004 for Hartford town: 115,348 aged 5+, 22,023 speak English less than "very well" | CT-Data-Collaborative/english-proficiency-by-age | ODC-PDDL |
| raw/languages/hartford_school_home_languages_2011_14.csv | Home languages of Hartford public-school students 2011-12 to 2013-14 (counts of 5 or fewer suppressed) | sgaul/westindian (CT State Dept. of Education figures) | not stated (public CT SDE figures) |
| raw/organizations/hartford_immigrant_serving_orgs.csv | 21 Hartford-area immigrant- and refugee-serving organizations with the public facts of their cited URLs | compiled from the public web pages cited in each row | facts from public pages |
| raw/organizations/hartford_org_ties_from_sources.csv | 16 ties between them that a public source states, each with its URL | compiled from the cited public pages | facts from public pages |

## Derived files

| file | how it is made | real / illustrative |
|---|---|---|
| city.toml | name, metric CRS ({metric_crs}, NAD83(2011) / Connecticut in metres), boundary name field | - |
| neighborhoods.geojson | the 17 polygons, names set to the official spellings (Northeast, Southwest, Behind the Rocks, Sheldon-Charter Oak), EPSG:4326, coordinates rounded to 6 decimals, property `name` | real (MIT, as the raw file) |
| neighborhoods.csv | population and foreign-born with margins of error, apportioned from the tracts (method below); `limited_english` left empty | real (apportioned ACS) |
| organizations.csv | the 21 real organizations (source = their URLs; sector, orientation, services and languages read from the stated facts, partly inferred as each row's notes say; neighborhood only where the source states it; no coordinates: none is geocoded; `member` = yes for all, as the tool counted every listed organization before the column existed: only the library's own membership is sourced, so the 20 others mark `member` in `illustrative_columns`), then 35 illustrative ones | 21 real + 35 illustrative |
| ties.csv | the 16 sourced partnerships (kind = the source's description; strength 1-3 and dates judged from it, as the notes say); 6 ties the facts state directly (AHNA's language focus groups with the Karen, Bhutanese/Nepalese and Arabic-speaking communities, Catholic Charities' Somali refugees, HHC's Puerto Rican origins, AHNA's Welcoming Committee); lives_in of the Puerto Rican community per neighborhood (real: born in Puerto Rico, apportioned like the other figures, margin of error in the notes); every other tie illustrative | real + illustrative |
| communities.csv | 13 immigrant communities drawn from the real country-of-birth and language figures: Puerto Rican with its real city count (18,253 born in Puerto Rico or U.S. island areas, B05001); the others with `estimated_residents` empty, because only metro-area (B05006) or school figures exist: those are quoted in the notes as such, never as city residents; plus 3 illustrative receiving-community groups | real + illustrative |
| committees.csv | Asylum Hill Welcoming Committee, active (the public fact; AHNA sources; start year not stated in the sources, so left empty); Frog Hollow and Blue Hills forming, South End and Barry Square none | 1 real + 4 illustrative |
| navigators.csv | 10 Cultural Navigators as aliases ("Navigator A"...), languages and neighborhood; never real people | illustrative |

`source_date` is the date the source states or carries in its address; for undated web pages and
for every illustrative row it is 2025 (the approximate year the reference files were compiled).

## Method: apportioning tracts to neighborhoods

1. Join the ACS table (planning-region ids 09110...) to the 2020 tract geometry (county-based ids
   09003...) through `raw/census/hartford_tract_ids.csv`: all 41 tracts match.
2. Project tracts and neighborhoods to {metric_crs} (NAD83(2011) / Connecticut, metres).
3. Weight w_ij = area(tract i inside neighborhood j) / area(tract i inside the union of the 17
   neighborhoods). The 2013 neighborhood file does not align exactly with the 2020 tracts (rivers,
   slivers; one tract has only 77% of its area inside the neighborhoods), so weights are
   normalised by the part of each tract inside the neighborhoods: every tract's estimate is
   handed out in full and the city totals are preserved.
4. Estimates: E_j = sum_i w_ij E_i, one sparse matrix product on these weights (the figures
   PySAL tobler's `area_interpolate` gives with `allocate_total=True`). Area weighting assumes
   residents are spread evenly inside a tract.
5. 90% margins of error: the ACS approximation for a derived sum, MOE_j = sqrt(sum_i (w_ij
   MOE_i)^2), which treats the tracts' sampling errors as independent. The foreign-born margin of
   each tract is first derived the same way from its two parts: sqrt(MOE_naturalized^2 +
   MOE_not_a_citizen^2).
6. Figures rounded to whole people. Check (asserted by the build and the tests): the 17
   neighborhoods sum to {totals}, within 0.5%.

The code is `coalition/apportion.py` (`apportion`, `area_weights`).

### Apportioned figures (ACS 2019-2023, 90% margins of error)

{figures_table}

### Comparison with DataHaven's published neighborhood estimates

DataHaven aggregates tracts with population weights to 16 Hartford units (South End and South
Meadows merged; North Meadows, largely industrial land and parks, not published), so {units}
units can be compared. Differences are ours minus theirs, in % of theirs. Mean absolute
difference: {mean_abs_pop:.1f}% for population, {mean_abs_fb:.1f}% for foreign-born; the largest
gaps (Behind the Rocks, Southwest, Sheldon-Charter Oak) are where tracts straddle neighborhood
lines. Area weighting assumes residents are spread evenly over a tract, so a tract that spans a
populated and a mostly empty area gives the empty part people (North Meadows gets {north_meadows:,}
here), which population weights avoid. Both are estimates: read them with their margins of error.

{comparison_table}

## Limited English

Only a town-level figure exists (ACS 2016-2020 B16004: 22,023 of 115,348 residents aged 5+ speak
English less than "very well"). No per-neighborhood figure is invented: `limited_english` is left
empty and the analyses use foreign-born residents as the measure of need.
"""


# --- template and docs --------------------------------------------------------------------------

TEMPLATE_SOURCE = "example row - replace with your source (a URL or a citation)"
TEMPLATE_ROWS = {
    "neighborhoods": {
        "neighborhood_id": "riverside",
        "name": "Riverside",
        "population": 5000,
        "population_moe": 600,
        "foreign_born": 1200,
        "foreign_born_moe": 300,
        "limited_english": 500,
        "limited_english_moe": 150,
    },
    "organizations": {
        "org_id": "riverside_library",
        "name": "Riverside Branch Library",
        "sector": "library",
        "orientation": "both",
        "services": ["english", "citizenship"],
        "languages": ["English", "Spanish"],
        "anchor_type": "library",
        "neighborhood": "Riverside",
        "address": "1 Example Street",
        "lat": 41.755,
        "lon": -72.695,
        "notes": "Runs English conversation circles.",
        "member": True,
    },
    "communities": {
        "community_id": "example-community",
        "name": "Example newcomer community",
        "community_kind": "immigrant",
        "languages": ["Spanish"],
        "estimated_residents": 300,
        "notes": "Say where the estimate comes from.",
    },
    "navigators": {
        "navigator_id": "nav-01",
        "alias": "Navigator A",
        "languages": ["Spanish", "English"],
        "neighborhood": "Riverside",
    },
    "committees": {
        "committee_id": "wc-riverside",
        "name": "Riverside Welcoming Committee",
        "neighborhood": "Riverside",
        "status": "forming",
        "start_date": "2025",
    },
    "ties": {
        "source_id": "riverside_library",
        "target_id": "example-community",
        "tie_type": "serves_community",
        "kind": "English conversation circles",
        "strength": 2,
        "since": "2024-09",
        "residents": None,
        "notes": "",
    },
}


def write_template(folder: Path) -> list[Path]:
    """data/template/: header rows, one example row per table, one example square, city.toml.

    The README.md there is hand-written and left alone.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TEMPLATE_ROWS:
        path = folder / f"{table}.csv"
        path.write_text(table_csv(table, pd.DataFrame([_template_row(table)])), encoding="utf-8")
        written.append(path)
    square = gpd.GeoDataFrame(
        {"name": ["Riverside"]},
        geometry=[shapely.box(-72.70, 41.75, -72.69, 41.76)],
        crs="EPSG:4326",
    )
    path = folder / "neighborhoods.geojson"
    path.write_text(boundary_geojson(square), encoding="utf-8")
    written.append(path)
    path = folder / schema.CITY_FILE
    path.write_text(city_toml("Example City", "EPSG:32618", comments=True), encoding="utf-8")
    written.append(path)
    return written


DOC_BEGIN = (
    "<!-- BEGIN GENERATED from coalition/schema.py by scripts/build_hartford_sample.py "
    "(make sample) -->"
)
DOC_END = "<!-- END GENERATED -->"


def columns_markdown() -> str:
    """The per-table column tables of docs/data-format.md, generated from coalition.schema."""
    parts = []
    for table, columns in schema.TABLES.items():
        optional = " (optional file)" if table in schema.OPTIONAL_TABLES else ""
        parts.append(f"### {table}.csv{optional}\n")
        lines = ["| column | type | required | meaning | example |", "|---|---|---|---|---|"]
        for c in columns:
            kind = c.type
            if c.choices and c.type == "choice":
                kind += ": " + ", ".join(f"`{v}`" for v in c.choices)
            elif c.choices:
                kind += " of: " + ", ".join(f"`{v}`" for v in c.choices)
            example = f"`{c.example}`" if c.example else ""
            lines.append(
                f"| `{c.name}` | {kind} | {'yes' if c.required else 'no'} | "
                f"{c.description.replace('|', '/')} | {example} |"
            )
        parts.append("\n".join(lines))
        parts.append(
            "\nExample row (as in data/template/):\n\n```csv\n"
            + table_csv(table, pd.DataFrame([_template_row(table)]))
            + "```\n"
        )
    return "\n".join(parts)


def tie_types_markdown() -> str:
    """The tie-types table of docs/data-format.md, generated from coalition.schema."""
    lines = [
        "| tie_type | from (source_id) | to (target_id) | where it is written |",
        "|---|---|---|---|",
    ]
    for tie_type, (source_kind, target_kind) in schema.TIE_TYPES.items():
        derived = schema.DERIVED_TIE_TYPES.get(tie_type)
        where = (
            f"derived from the `{derived[1]}` column of {derived[0]}.csv (never in ties.csv)"
            if derived
            else "a row of ties.csv"
        )
        lines.append(f"| `{tie_type}` | {source_kind} | {target_kind} | {where} |")
    return "\n".join(lines)


def vocabularies_markdown() -> str:
    """The vocabularies of docs/data-format.md, generated from coalition.schema."""
    lines = [
        "| vocabulary | values |",
        "|---|---|",
        "| services | " + "; ".join(f"`{k}` ({v})" for k, v in schema.SERVICES.items()) + " |",
    ]
    for label, values in (
        ("orientation", schema.ORIENTATIONS),
        ("anchor_type", schema.ANCHOR_TYPES),
        ("community_kind", schema.COMMUNITY_KINDS),
        ("status (committees)", schema.COMMITTEE_STATUSES),
        ("tie_type (in ties.csv)", schema.TIE_TYPES_IN_FILE),
    ):
        lines.append(f"| {label} | " + ", ".join(f"`{v}`" for v in values) + " |")
    return "\n".join(lines)


def schema_markdown() -> str:
    """Everything docs/data-format.md shows from coalition.schema: tables, tie types, words."""
    return (
        "## Tables and columns\n\n"
        + columns_markdown()
        + "\n## Tie types\n\n"
        + tie_types_markdown()
        + "\n"
        + "\n## Vocabularies\n\n"
        + vocabularies_markdown()
        + "\n"
    )


def _template_row(table: str) -> dict:
    return {
        **TEMPLATE_ROWS[table],
        "source": TEMPLATE_SOURCE,
        "source_date": "2025",
        "illustrative": True,
    }


def refresh_doc(path: Path) -> bool:
    """Replace the generated section of docs/data-format.md; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    if DOC_BEGIN not in text or DOC_END not in text:
        raise SystemExit(f"{path} lacks the generated-section markers")
    head, rest = text.split(DOC_BEGIN, 1)
    _, tail = rest.split(DOC_END, 1)
    new = f"{head}{DOC_BEGIN}\n\n{schema_markdown()}\n{DOC_END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


# --- the build ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` wrote and the figures it checked."""

    files: list[Path]
    figures: Figures


def build(raw: Path = RAW_DIR, out: Path = OUT_DIR) -> BuildResult:
    """Build the Hartford city folder into ``out`` from the raw files in ``raw``."""
    tracts = read_tracts(raw)
    polygons = read_neighborhood_polygons(raw)
    figures = neighborhood_figures(tracts, polygons, raw)
    pr_born = int(tracts["us_citizen_born_in_pr_or_island_areas"].sum())
    tables = {
        "neighborhoods": figures.table,
        "organizations": organizations(raw),
        "communities": communities(pr_born),
        "navigators": navigators(),
        "committees": committees(),
        "ties": ties(raw, figures.apportioned, polygons),
    }
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for table, frame in tables.items():
        path = out / f"{table}.csv"
        path.write_text(table_csv(table, frame), encoding="utf-8")
        files.append(path)
    for name, text in (
        ("neighborhoods.geojson", boundary_geojson(polygons.reset_index())),
        (schema.CITY_FILE, city_toml(CITY_NAME, METRIC_CRS)),
        ("SOURCES.md", sources_markdown(figures)),
    ):
        (out / name).write_text(text, encoding="utf-8")
        files.append(out / name)
    return BuildResult(files, figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=RAW_DIR, help="folder of raw files")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="city folder to write")
    parser.add_argument(
        "--city-only",
        action="store_true",
        help="skip data/template/ and the schema tables of docs/data-format.md",
    )
    args = parser.parse_args(argv)
    result = build(args.raw, args.out)
    table = result.figures.table
    print(f"Wrote {len(result.files)} files to {args.out}")
    print(
        f"Neighborhoods sum to {table['population'].sum():,} people "
        f"(city {CITY_POPULATION:,}) and {table['foreign_born'].sum():,} foreign-born "
        f"(city {CITY_FOREIGN_BORN:,})."
    )
    print("Comparison with DataHaven's neighborhood estimates (ours - theirs, % of theirs):")
    print(result.figures.comparison.to_string(index=False))
    if not args.city_only:
        print(f"Wrote {len(write_template(TEMPLATE_DIR))} files to {TEMPLATE_DIR}")
        changed = refresh_doc(DOC_PATH)
        print(f"{DOC_PATH}: schema tables {'refreshed' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
