"""The human words the dashboard shows: one vocabulary, so a thing has one name everywhere.

Every mapping here goes from a key the library uses (a column, a kind, a rule, a score part, a
table, a change, a status…) to the words a commission member reads. Nothing here is computed and
nothing here comes from data: these are trusted strings, safe to show as they are.

Examples
--------
>>> RULE_LABELS["adjacent"]
'Its own and bordering neighborhoods'
>>> COMMITTEE_STATUS_WORDS["forming"]
'Forming'
"""

from __future__ import annotations

# Marks what is made up to show how the tool works (an illustrative row, figure or organization).
ILLUSTRATIVE_MARK = "◇"

# --- the network ----------------------------------------------------------------------------------

# Node kinds in the plural, as the network's "Show these types" choices.
NODE_KIND_LABELS = {
    "organization": "Organizations",
    "community": "Communities",
    "neighborhood": "Neighborhoods",
    "navigator": "Cultural navigators",
    "committee": "Welcoming committees",
}
COLOR_LABELS = {
    "sector": "Sector (library, faith, school…)",
    "kind": "Type (organization, community…)",
    "orientation": "Who they serve (newcomers, long-time residents, both)",
}
SIZE_LABELS = {
    "none": "Same size for everyone",
    "degree": "Number of ties",
    "effective_size": "Broker reach: partners who are not partners of each other",
    "independence": "Independence: partners spread over separate groups",
}
MARK_LABELS = {
    # key: (short label for the checkbox, what it means)
    "brokers": ("Brokers", "Members who link partners that are not linked to each other."),
    "fragile": ("Fragile links", "Members whose departure would cut others off."),
    "bridging": (
        "Bridging ties",
        "Partnerships between organizations serving newcomers and "
        "organizations serving long-time residents.",
    ),
}
# Sector first: a handful of groups draws at once, while one group per neighborhood can be
# thousands (2,300 groups with 92,921 lines made an 11 MB page on the synthetic city).
GROUP_LABELS = {"sector": "Sector", "neighborhood": "Neighborhood"}

# --- communities and committees -----------------------------------------------------------------

COMMUNITY_KIND_WORDS = {"immigrant": "Newcomers", "receiving": "Long-time residents"}
COMMITTEE_STATUS_WORDS = {
    "active": "Active",
    "forming": "Forming",
    "paused": "Paused",
    "none": "None",
}
# "<neighborhood> has …" in a neighborhood's profile.
COMMITTEE_STATUS_SENTENCES = {
    "active": "has an active welcoming committee",
    "forming": "has a welcoming committee forming",
    "paused": "has a welcoming committee that is paused",
    "none": "has no welcoming committee yet",
}
YES_NO = {True: "Yes", False: "No"}

# --- coverage and the planner ---------------------------------------------------------------------

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
PART_HELP = {
    "need": "Many foreign-born residents and residents with limited English.",
    "readiness": "Anchors already there: a library, a neighborhood association, a school, a "
    "faith community, cultural navigators.",
    "access": "Coalition members already reaching the neighborhood.",
    "adjacency": "Borders a neighborhood that already has an active committee.",
    "gaps": "Gaps found in the neighborhood that a committee could help close.",
}
# The parts' colours, in the order of PART_LABELS (Okabe-Ito: distinguishable with
# colour-blindness and on a projector).
PART_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]

# --- gaps -----------------------------------------------------------------------------------------

# Family -> (tab title, what the family is about).
GAP_FAMILIES: dict[str, tuple[str, str]] = {
    "service_gaps": (
        "Help not reaching a community",
        "Communities that no member, or only one, reaches with a kind of help.",
    ),
    "language_gaps": (
        "Languages",
        "Languages residents speak that no member reaching their neighborhood offers.",
    ),
    "fragile_links": (
        "Fragile links",
        "Communities, neighborhoods or partnerships that hang on a single member: "
        "if it left, others would be cut off.",
    ),
    "bridging": (
        "Bridges",
        "Ties between organizations serving newcomers and those serving long-time "
        "residents, and the members who broker between otherwise separate partners.",
    ),
    "isolated": (
        "Isolated members",
        "Members with no partner or only one, and sectors that never work together.",
    ),
    "uncovered_need": (
        "Need with no one nearby",
        "Neighborhoods with many foreign-born residents and few members reaching them.",
    ),
    "could_invite": (
        "Organizations to invite",
        "Organizations that are not coalition members but offer help, a language or "
        "a presence where the members leave a gap.",
    ),
}
# Titles of columns that any table may have (a family's own columns: FAMILY_COLUMNS).
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
# Per gap family: the columns worth showing, in order, with plain titles.
FAMILY_COLUMNS: dict[str, dict[str, str]] = {
    "service_gaps": {
        "community": "Community",
        "domain_label": "Kind of help",
        "providers": "Members offering it",
        "provider_names": "Who",
        "neighborhoods": "Where they live",
    },
    "language_gaps": {
        "neighborhood": "Neighborhood",
        "language": "Language",
        "communities": "Spoken by",
        "speakers": "Speakers here",
        "offered_languages": "Languages offered there",
        "reached_by": "Members reaching it",
    },
    "fragile_links": {
        "type": "What",
        "name": "Name",
        "through": "Depends on",
        "org_names_cut_off": "Members who would be cut off",
        "communities_cut_off": "Communities left without help",
    },
    "bridging": {
        "kind": "What",
        "name": "Name",
        "bridging_ties": "Bridging ties",
        "partners": "Partners",
        "effective_size": "Broker reach",
    },
    "isolated": {
        "kind": "What",
        "name": "Name",
        "sector": "Sector",
        "partner_names": "Only partner",
    },
    "uncovered_need": {
        "name": "Neighborhood",
        "foreign_born": "Foreign-born residents",
        "members": "Members reaching it",
        "member_names": "Who",
        "committee_status": "Committee",
    },
    "could_invite": {"name": "Organization", "sector": "Sector", "fills": "Gaps it could fill"},
}
# Values of the "type"/"kind"/"status" columns of the gap tables, in words.
KIND_WORDS = {
    "articulation_point": "Member holding others together",
    "community": "Community with one provider",
    "neighborhood": "Neighborhood",
    "broker": "Broker",
    "isolated": "No partner",
    "peripheral": "One partner only",
    "sector_pair": "Sectors that never work together",
    **COMMUNITY_KIND_WORDS,
    **COMMITTEE_STATUS_WORDS,
}

# --- the data and its history ---------------------------------------------------------------------

TABLE_TITLES = {
    "neighborhoods": "Neighborhoods",
    "organizations": "Organizations",
    "communities": "Communities",
    "navigators": "Cultural navigators",
    "committees": "Welcoming committees",
    "ties": "Ties",
}
CHANGE_WORDS = {"added": "Added", "removed": "Removed", "changed": "Changed"}

# --- recording in a working session ---------------------------------------------------------------

# A table's row in the singular, as a form field's label.
ROLE_WORDS = {
    "organizations": "Organization",
    "communities": "Community",
    "neighborhoods": "Neighborhood",
    "committees": "Welcoming committee",
    "navigators": "Cultural navigator",
}
STRENGTH_LABELS = {
    1: "1 — weak (met, listed together)",
    2: "2 — working together",
    3: "3 — strong (joint program, shared staff)",
}
ANCHOR_LABELS = {
    "none": "No",
    "library": "Library",
    "neighborhood_association": "Neighborhood association",
    "school": "School",
    "faith": "Faith group",
}
ORIENTATION_LABELS = {
    "immigrant_serving": "Mainly newcomers",
    "receiving_community": "Mainly long-time residents",
    "both": "Both",
}
