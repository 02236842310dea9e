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

from coalition.i18n import N_, Translated

# Marks what is made up to show how the tool works (an illustrative row, figure or organization).
ILLUSTRATIVE_MARK = "◇"

# --- the network ----------------------------------------------------------------------------------

# Node kinds in the plural, as the network's "Show these types" choices.
NODE_KIND_LABELS = Translated(
    {
        "organization": N_("Organizations"),
        "community": N_("Communities"),
        "neighborhood": N_("Neighborhoods"),
        "navigator": N_("Cultural navigators"),
        "committee": N_("Welcoming committees"),
    }
)
COLOR_LABELS = Translated(
    {
        "sector": N_("Sector (library, faith, school…)"),
        "kind": N_("Type (organization, community…)"),
        "orientation": N_("Who they serve (newcomers, long-time residents, both)"),
    }
)
SIZE_LABELS = Translated(
    {
        "none": N_("Same size for everyone"),
        "degree": N_("Number of ties"),
        "effective_size": N_("Broker reach: partners who are not partners of each other"),
        "independence": N_("Independence: partners spread over separate groups"),
    }
)
MARK_LABELS = Translated(
    {
        # key: (short label for the checkbox, what it means)
        "brokers": (
            N_("Brokers"),
            N_("Members who link partners that are not linked to each other."),
        ),
        "fragile": (N_("Fragile links"), N_("Members whose departure would cut others off.")),
        "bridging": (
            N_("Bridging ties"),
            N_(
                "Partnerships between organizations serving newcomers and "
                "organizations serving long-time residents."
            ),
        ),
    }
)
# Sector first: a handful of groups draws at once, while one group per neighborhood can be
# thousands (2,300 groups with 92,921 lines made an 11 MB page on the synthetic city).
GROUP_LABELS = Translated({"sector": N_("Sector"), "neighborhood": N_("Neighborhood")})

# --- communities and committees -----------------------------------------------------------------

COMMUNITY_KIND_WORDS = Translated(
    {"immigrant": N_("Newcomers"), "receiving": N_("Long-time residents")}
)
COMMITTEE_STATUS_WORDS = Translated(
    {
        "active": N_("Active"),
        "forming": N_("Forming"),
        "paused": N_("Paused"),
        "none": N_("None"),
    }
)
# "<neighborhood> has …" in a neighborhood's profile.
COMMITTEE_STATUS_SENTENCES = Translated(
    {
        "active": N_("has an active welcoming committee"),
        "forming": N_("has a welcoming committee forming"),
        "paused": N_("has a welcoming committee that is paused"),
        "none": N_("has no welcoming committee yet"),
    }
)
YES_NO = Translated({True: N_("Yes"), False: N_("No")})

# --- coverage and the planner ---------------------------------------------------------------------

RULE_LABELS = Translated(
    {
        "own": N_("Its own neighborhood"),
        "adjacent": N_("Its own and bordering neighborhoods"),
        "distance": N_("Neighborhoods within a distance"),
    }
)
PART_LABELS = Translated(
    {
        "need": N_("Need"),
        "readiness": N_("Readiness"),
        "access": N_("Access"),
        "adjacency": N_("Next to a committee"),
        "gaps": N_("Gaps to close"),
    }
)
PART_HELP = Translated(
    {
        "need": N_("Many foreign-born residents and residents with limited English."),
        "readiness": N_(
            "Anchors already there: a library, a neighborhood association, a school, a "
            "faith community, cultural navigators."
        ),
        "access": N_("Coalition members already reaching the neighborhood."),
        "adjacency": N_("Borders a neighborhood that already has an active committee."),
        "gaps": N_("Gaps found in the neighborhood that a committee could help close."),
    }
)
# The parts' colours, in the order of PART_LABELS (Okabe-Ito: distinguishable with
# colour-blindness and on a projector).
PART_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]

# --- gaps -----------------------------------------------------------------------------------------

# Family -> (tab title, what the family is about).
GAP_FAMILIES: Translated[str, tuple[str, str]] = Translated(
    {
        "service_gaps": (
            N_("Help not reaching a community"),
            N_("Communities that no member, or only one, reaches with a kind of help."),
        ),
        "language_gaps": (
            N_("Languages"),
            N_("Languages residents speak that no member reaching their neighborhood offers."),
        ),
        "fragile_links": (
            N_("Fragile links"),
            N_(
                "Communities, neighborhoods or partnerships that hang on a single member: "
                "if it left, others would be cut off."
            ),
        ),
        "bridging": (
            N_("Bridges"),
            N_(
                "Ties between organizations serving newcomers and those serving long-time "
                "residents, and the members who broker between otherwise separate partners."
            ),
        ),
        "isolated": (
            N_("Isolated members"),
            N_("Members with no partner or only one, and sectors that never work together."),
        ),
        "uncovered_need": (
            N_("Need with no one nearby"),
            N_("Neighborhoods with many foreign-born residents and few members reaching them."),
        ),
        "could_invite": (
            N_("Organizations to invite"),
            N_(
                "Organizations that are not coalition members but offer help, a language or "
                "a presence where the members leave a gap."
            ),
        ),
    }
)
# Titles of columns that any table may have (a family's own columns: FAMILY_COLUMNS).
COLUMN_TITLES = Translated(
    {
        "explanation": N_("Why it matters"),
        "severity": N_("Severity"),
        "neighborhood": N_("Neighborhood"),
        "neighborhood_name": N_("Neighborhood"),
        "community": N_("Community"),
        "community_name": N_("Community"),
        "organization": N_("Organization"),
        "name": N_("Name"),
        "service": N_("Kind of help"),
        "language": N_("Language"),
    }
)
# Per gap family: the columns worth showing, in order, with plain titles.
FAMILY_COLUMNS: Translated[str, dict[str, str]] = Translated(
    {
        "service_gaps": {
            "community": N_("Community"),
            "domain_label": N_("Kind of help"),
            "providers": N_("Members offering it"),
            "provider_names": N_("Who"),
            "neighborhoods": N_("Where they live"),
        },
        "language_gaps": {
            "neighborhood": N_("Neighborhood"),
            "language": N_("Language"),
            "communities": N_("Spoken by"),
            "speakers": N_("Speakers here"),
            "offered_languages": N_("Languages offered there"),
            "reached_by": N_("Members reaching it"),
        },
        "fragile_links": {
            "type": N_("What"),
            "name": N_("Name"),
            "through": N_("Depends on"),
            "org_names_cut_off": N_("Members who would be cut off"),
            "communities_cut_off": N_("Communities left without help"),
        },
        "bridging": {
            "kind": N_("What"),
            "name": N_("Name"),
            "bridging_ties": N_("Bridging ties"),
            "partners": N_("Partners"),
            "effective_size": N_("Broker reach"),
        },
        "isolated": {
            "kind": N_("What"),
            "name": N_("Name"),
            "sector": N_("Sector"),
            "partner_names": N_("Only partner"),
        },
        "uncovered_need": {
            "name": N_("Neighborhood"),
            "foreign_born": N_("Foreign-born residents"),
            "members": N_("Members reaching it"),
            "member_names": N_("Who"),
            "committee_status": N_("Committee"),
        },
        "could_invite": {
            "name": N_("Organization"),
            "sector": N_("Sector"),
            "fills": N_("Gaps it could fill"),
        },
    }
)
# Values of the "type"/"kind"/"status" columns of the gap tables, in words.
KIND_WORDS = Translated(
    {
        "articulation_point": N_("Member holding others together"),
        "community": N_("Community with one provider"),
        "neighborhood": N_("Neighborhood"),
        "broker": N_("Broker"),
        "isolated": N_("No partner"),
        "peripheral": N_("One partner only"),
        "sector_pair": N_("Sectors that never work together"),
        **COMMUNITY_KIND_WORDS,
        **COMMITTEE_STATUS_WORDS,
    }
)

# --- the data and its history ---------------------------------------------------------------------

TABLE_TITLES = Translated(
    {
        "neighborhoods": N_("Neighborhoods"),
        "organizations": N_("Organizations"),
        "communities": N_("Communities"),
        "navigators": N_("Cultural navigators"),
        "committees": N_("Welcoming committees"),
        "ties": N_("Ties"),
    }
)
CHANGE_WORDS = Translated(
    {"added": N_("Added"), "removed": N_("Removed"), "changed": N_("Changed")}
)

# --- recording in a working session ---------------------------------------------------------------

# A table's row in the singular, as a form field's label.
ROLE_WORDS = Translated(
    {
        "organizations": N_("Organization"),
        "communities": N_("Community"),
        "neighborhoods": N_("Neighborhood"),
        "committees": N_("Welcoming committee"),
        "navigators": N_("Cultural navigator"),
    }
)
STRENGTH_LABELS = Translated(
    {
        1: N_("1 — weak (met, listed together)"),
        2: N_("2 — working together"),
        3: N_("3 — strong (joint program, shared staff)"),
    }
)
ANCHOR_LABELS = Translated(
    {
        "none": N_("No"),
        "library": N_("Library"),
        "neighborhood_association": N_("Neighborhood association"),
        "school": N_("School"),
        "faith": N_("Faith group"),
    }
)
ORIENTATION_LABELS = Translated(
    {
        "immigrant_serving": N_("Mainly newcomers"),
        "receiving_community": N_("Mainly long-time residents"),
        "both": N_("Both"),
    }
)
