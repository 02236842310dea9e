"""The data model: node kinds, tie types, vocabularies and the columns of each input table.

This module is the single source of truth that the reader (:mod:`coalition.ingest`), the store
(:mod:`coalition.store`), the graph builder (:mod:`coalition.model`), the analyses and the docs
(``docs/data-format.md``) all follow.

The graph
---------
A :class:`networkx.MultiDiGraph`. Node ids are the ids from the data folder (unique across all
tables). Every node has ``kind`` (one of :data:`NODE_KINDS`), ``name``, ``source``,
``source_date``, ``illustrative`` (bool: the whole row is made up) and ``illustrative_columns``
(list: the columns guessed in an otherwise real row). Organization nodes also have ``member``
(bool: a coalition member; False for an organization the coalition could invite). A blank figure
is ``None`` on its node, never 0. Every edge has key = ``tie_type`` (one of
:data:`TIE_TYPES`) and the attributes ``tie_type``, ``kind``, ``strength``, ``since``,
``source``, ``source_date``, ``illustrative``, ``illustrative_columns``, ``residents`` and
``notes``. Graph-level
attributes: ``city`` (name), ``crs`` (``"EPSG:4326"``; neighborhood geometries are stored in it)
and ``metric_crs`` (a projected CRS in metres for areas and distances).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coalition.i18n import N_

# --- node kinds ---------------------------------------------------------------------------------
ORGANIZATION = "organization"
NEIGHBORHOOD = "neighborhood"
COMMUNITY = "community"
NAVIGATOR = "navigator"
COMMITTEE = "committee"
NODE_KINDS = (ORGANIZATION, NEIGHBORHOOD, COMMUNITY, NAVIGATOR, COMMITTEE)

# --- tie types: name -> (source kind, target kind) ----------------------------------------------
TIE_TYPES: dict[str, tuple[str, str]] = {
    "partnership": (ORGANIZATION, ORGANIZATION),
    "serves_community": (ORGANIZATION, COMMUNITY),
    "serves_neighborhood": (ORGANIZATION, NEIGHBORHOOD),
    "located_in": (ORGANIZATION, NEIGHBORHOOD),
    "lives_in": (COMMUNITY, NEIGHBORHOOD),
    "mentors": (NAVIGATOR, COMMUNITY),
    "volunteers_with": (NAVIGATOR, ORGANIZATION),
    "based_in": (NAVIGATOR, NEIGHBORHOOD),
    "committee_member": (ORGANIZATION, COMMITTEE),
    "covers": (COMMITTEE, NEIGHBORHOOD),
}
# Tie types derived from a column of an entity table (never written in ties.csv).
DERIVED_TIE_TYPES = {
    "located_in": ("organizations", "neighborhood"),
    "based_in": ("navigators", "neighborhood"),
    "covers": ("committees", "neighborhood"),
}
TIE_TYPES_IN_FILE = tuple(t for t in TIE_TYPES if t not in DERIVED_TIE_TYPES)

# --- vocabularies -------------------------------------------------------------------------------
# Service key -> words (marked for translation: shown with _(), e.g. presenting.city.service_words).
SERVICES: dict[str, str] = {
    "legal": N_("legal and immigration help"),
    "english": N_("English and language learning"),
    "employment": N_("employment"),
    "health": N_("health"),
    "housing": N_("housing"),
    "education": N_("education"),
    "citizenship": N_("citizenship and civic life"),
    "youth": N_("youth"),
}
ORIENTATIONS = ("immigrant_serving", "receiving_community", "both")
ANCHOR_TYPES = ("library", "neighborhood_association", "school", "faith", "none")
COMMUNITY_KINDS = ("immigrant", "receiving")
COMMITTEE_STATUSES = ("active", "forming", "paused", "none")
# Separator of list cells (services, languages) in every table.
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    ``type`` is one of ``id``, ``text``, ``int``, ``float``, ``date``, ``bool``, ``list``,
    ``choice``, ``ref`` (an id of another node), ``neighborhood`` (a neighborhood id or name,
    matched forgivingly). ``choices`` applies to ``choice`` and to each item of a ``list`` of
    services.

    ``required`` means the column must be in the file. A required column's cells must be filled
    too, unless ``may_be_blank`` (a figure a new city may not have yet: blank means "no figure",
    never 0) or the column is a yes/no. ``default`` is the value of a blank cell when it is not
    the type's own (None; False for yes/no; an empty list).

    Examples
    --------
    >>> Column("member", "bool", False, "", "yes", default=True).blank_value
    True
    """

    name: str
    type: str
    required: bool
    description: str
    example: str
    choices: tuple[str, ...] = ()
    may_be_blank: bool = False
    default: Any = None

    @property
    def blank_allowed(self) -> bool:
        """True when an empty cell is accepted (it then holds :attr:`blank_value`)."""
        return not self.required or self.may_be_blank or self.type == "bool"

    @property
    def blank_value(self) -> Any:
        """The typed value of an empty cell."""
        if self.default is not None:
            return self.default
        return False if self.type == "bool" else ([] if self.type == "list" else None)


# Provenance columns carried by every table.
PROVENANCE = (
    Column(
        "source",
        "text",
        True,
        "Where the row comes from: a URL or a citation.",
        "https://www.census.gov/ ACS 2019-2023 B05001",
    ),
    Column(
        "source_date",
        "date",
        True,
        "When the source said it (YYYY-MM-DD, YYYY-MM or YYYY).",
        "2024-12",
    ),
    Column(
        "illustrative",
        "bool",
        True,
        "yes if the whole row is made up to illustrate the tool; no if it is a real, sourced "
        "fact (then list any guessed columns in illustrative_columns).",
        "no",
    ),
)


def _with_provenance(*columns: Column, guessed_example: str) -> tuple[Column, ...]:
    """A table's columns followed by the provenance columns.

    ``illustrative_columns`` may name any of the table's own columns except its id.
    """
    names = tuple(c.name for c in columns[1:])
    return (
        *columns,
        *PROVENANCE,
        Column(
            "illustrative_columns",
            "list",
            False,
            "In a real row (illustrative = no), the columns whose values are guessed, separated "
            "by ';' (blank when every value is sourced).",
            guessed_example,
            names,
        ),
    )


TABLES: dict[str, tuple[Column, ...]] = {
    "neighborhoods": _with_provenance(
        Column("neighborhood_id", "id", True, "Short unique id.", "asylum-hill"),
        Column(
            "name",
            "text",
            True,
            "Official name; must match a feature in the boundary file.",
            "Asylum Hill",
        ),
        Column(
            "population",
            "int",
            True,
            "Residents (estimate); blank if there is no figure yet (never 0 for unknown).",
            "10131",
            may_be_blank=True,
        ),
        Column("population_moe", "float", False, "90% margin of error of population.", "1334"),
        Column(
            "foreign_born",
            "int",
            True,
            "Foreign-born residents (estimate); blank if there is no figure yet (never 0 "
            "for unknown). At most population.",
            "2028",
            may_be_blank=True,
        ),
        Column("foreign_born_moe", "float", False, "90% margin of error of foreign_born.", "690"),
        Column(
            "limited_english",
            "int",
            False,
            "Residents aged 5+ who speak English less than very well (estimate). At most "
            "population.",
            "1650",
        ),
        Column(
            "limited_english_moe", "float", False, "90% margin of error of limited_english.", "400"
        ),
        guessed_example="limited_english;limited_english_moe",
    ),
    "organizations": _with_provenance(
        Column("org_id", "id", True, "Short unique id.", "hpl_tap"),
        Column("name", "text", True, "Organization name.", "Hartford Public Library - TAP"),
        Column(
            "sector",
            "text",
            True,
            "Sector, free text but keep a short list (e.g. library, nonprofit, faith, school, "
            "government, health, legal, neighborhood association, business, foundation).",
            "library",
        ),
        Column(
            "orientation",
            "choice",
            True,
            "immigrant_serving, receiving_community (serves long-time residents) or both.",
            "both",
            ORIENTATIONS,
        ),
        Column(
            "services",
            "list",
            False,
            "Services offered, separated by ';'.",
            "english;citizenship;legal",
            tuple(SERVICES),
        ),
        Column(
            "languages", "list", False, "Languages offered, separated by ';'.", "English;Spanish"
        ),
        Column(
            "anchor_type",
            "choice",
            False,
            "If the organization anchors a neighborhood: library, neighborhood_association, "
            "school, faith; otherwise none.",
            "library",
            ANCHOR_TYPES,
        ),
        Column(
            "neighborhood",
            "neighborhood",
            False,
            "Neighborhood where it is located (id or name); empty if outside the city.",
            "Downtown",
        ),
        Column("address", "text", False, "Street address as published.", "500 Main Street"),
        Column("lat", "float", False, "Latitude (WGS84), if known.", "41.7658"),
        Column("lon", "float", False, "Longitude (WGS84), if known.", "-72.6734"),
        Column("notes", "text", False, "Free text.", "Runs the Cultural Navigators."),
        Column(
            "member",
            "bool",
            False,
            "yes if it is a member of the coalition; no if it is an organization the "
            "coalition could invite. Blank (or no such column) means yes.",
            "yes",
            default=True,
        ),
        guessed_example="lat;lon",
    ),
    "communities": _with_provenance(
        Column("community_id", "id", True, "Short unique id.", "karen"),
        Column("name", "text", True, "Community name.", "Karen (Burmese refugees)"),
        Column(
            "community_kind",
            "choice",
            True,
            "immigrant (newcomer group) or receiving (long-time residents).",
            "immigrant",
            COMMUNITY_KINDS,
        ),
        Column("languages", "list", False, "Languages spoken, separated by ';'.", "Karen;Burmese"),
        Column("estimated_residents", "int", False, "Estimated residents in the city.", "400"),
        Column("notes", "text", False, "Free text, e.g. where the estimate comes from.", ""),
        guessed_example="estimated_residents",
    ),
    "navigators": _with_provenance(
        Column("navigator_id", "id", True, "Short unique id.", "nav-01"),
        Column(
            "alias",
            "text",
            True,
            "An alias, never a real name or contact detail of a private person.",
            "Navigator A",
        ),
        Column(
            "languages", "list", False, "Languages spoken, separated by ';'.", "Spanish;English"
        ),
        Column(
            "neighborhood",
            "neighborhood",
            False,
            "Neighborhood where the navigator is based.",
            "Frog Hollow",
        ),
        guessed_example="languages",
    ),
    "committees": _with_provenance(
        Column("committee_id", "id", True, "Short unique id.", "wc-asylum-hill"),
        Column("name", "text", True, "Committee name.", "Asylum Hill Welcoming Committee"),
        Column("neighborhood", "neighborhood", True, "The neighborhood it covers.", "Asylum Hill"),
        Column(
            "status",
            "choice",
            True,
            "active, forming, paused or none (disbanded / planned only).",
            "active",
            COMMITTEE_STATUSES,
        ),
        Column(
            "start_date", "date", False, "When it started (YYYY-MM-DD, YYYY-MM or YYYY).", "2012"
        ),
        guessed_example="start_date",
    ),
    "ties": _with_provenance(
        Column("source_id", "ref", True, "Id of the tie's first end (see tie_type).", "hpl_tap"),
        Column(
            "target_id",
            "ref",
            True,
            "Id of the tie's second end; for neighborhoods an id or a name.",
            "ahna",
        ),
        Column(
            "tie_type",
            "choice",
            True,
            "One of the tie types below.",
            "partnership",
            TIE_TYPES_IN_FILE,
        ),
        Column("kind", "text", False, "What the tie is, in a few words.", "joint program"),
        Column("strength", "int", False, "1 weak, 2 working, 3 strong (default 1).", "2"),
        Column("since", "date", False, "Since when.", "2014-09"),
        Column(
            "residents",
            "int",
            False,
            "For lives_in: estimated residents of the community in the neighborhood (at "
            "most the neighborhood's population).",
            "350",
        ),
        Column("notes", "text", False, "Free text.", ""),
        guessed_example="strength",
    ),
}

ID_COLUMNS = {
    "neighborhoods": "neighborhood_id",
    "organizations": "org_id",
    "communities": "community_id",
    "navigators": "navigator_id",
    "committees": "committee_id",
}
KIND_OF_TABLE = {
    "neighborhoods": NEIGHBORHOOD,
    "organizations": ORGANIZATION,
    "communities": COMMUNITY,
    "navigators": NAVIGATOR,
    "committees": COMMITTEE,
}
# Tables that may be absent from a folder (an empty table is assumed).
OPTIONAL_TABLES = ("navigators", "committees")
# Accepted boundary file names, in order of preference.
BOUNDARY_FILES = ("neighborhoods.geojson", "neighborhoods.gpkg", "neighborhoods.zip")
WORKBOOK_FILE = "city.xlsx"
CITY_FILE = "city.toml"


def column_names(table: str) -> list[str]:
    """Names of a table's columns, in order.

    Examples
    --------
    >>> column_names("committees")[:3]
    ['committee_id', 'name', 'neighborhood']
    """
    return [c.name for c in TABLES[table]]
