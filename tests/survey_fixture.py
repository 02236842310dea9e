"""Two hand-worked partner-survey rounds on the tiny city (coalition.examples).

The roster is the tiny city's organizations with Lonely made a non-member: five members,
    lib    Alder Library     both
    legal  Birch Legal Aid   immigrant_serving
    church Cedar Church      receiving_community
    assoc  Alder Neighbors   receiving_community
    clinic Dogwood Clinic    immigrant_serving

Round "spring": lib, legal and church answer (3 of 5); assoc and clinic do not.
    respondent -> partner  relation  value items  trust items   value trust
    lib    -> legal        3         4 3 2        4 4 4         3     4
    lib    -> church       2         2 2 2        3 3 3         2     3
    lib    -> assoc        1         1 2 3        2 2 2         2     2
    legal  -> lib          4         4 4 4        3 4 -         4     3.5
    legal  -> church       3         3 3 3        4 3 2         3     3
    legal  -> assoc        2         2 2 -        3 3 3         2     3
    church -> legal        2         3 3 3        2 2 2         3     2
    church -> clinic       1         - - -        - - -         (no rating)
    church -> assoc        4         4 4 4        4 4 4         4     4
Pairs: legal-lib and church-legal confirmed; church-lib one side (church answered without
naming lib); assoc-church, assoc-legal, assoc-lib and church-clinic non-respondent.

Round "fall": all five answer.
    lib -> legal 3 (4 4 4 / 4 4 4), lib -> assoc 3 (3 3 3 / 3 3 3),
    legal -> lib 3 (3s / 3s), legal -> church 3 (3s / 3s), legal -> clinic 3 (2s / 2s),
    legal -> assoc 3 (3s / 4s), church -> legal 3 (2s / 3s), church -> assoc 3 (4s / 4s),
    assoc -> lib 3 (3s / 3s), assoc -> church 3 (3s / 3s), clinic -> legal 3 (3s / 2s).
Pairs: legal-lib, church-legal, assoc-lib, clinic-legal, assoc-church confirmed; assoc-legal
one side (assoc answered without naming legal).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from coalition.examples import example_city
from coalition.model import CityData
from coalition.survey.schema import RoundAnswers, answers_frame, outside_frame, profiles_frame

ITEMS = (
    "value_power",
    "value_involvement",
    "value_resources",
    "trust_reliability",
    "trust_mission",
    "trust_openness",
)
NAMES = {
    "lib": "Alder Library",
    "legal": "Birch Legal Aid",
    "church": "Cedar Church",
    "assoc": "Alder Neighbors",
    "clinic": "Dogwood Clinic",
}


def survey_city() -> CityData:
    """The tiny city with Lonely no longer a member (five members)."""
    city = example_city()
    orgs = city.tables["organizations"].copy()
    orgs["member"] = orgs["org_id"] != "lonely"
    return dataclasses.replace(city, tables={**city.tables, "organizations": orgs})


def roster() -> pd.DataFrame:
    from coalition.survey.analysis import roster_of

    return roster_of(survey_city())


def _answer(name, respondent, partner, relation, value, trust, day="2026-03-02"):
    row = {
        "round": name,
        "respondent": respondent,
        "partner": partner,
        "relation": relation,
        "frequency": 2,
        "answered_at": f"{day}T10:00:00Z",
        "channel": "html",
    }
    row.update(dict(zip(ITEMS, (*value, *trust), strict=True)))
    return row


def _profile(name, respondent, day):
    return {
        "round": name,
        "respondent": respondent,
        "services": [],
        "languages": [],
        "neighborhoods": [],
        "answered_at": f"{day}T09:00:00Z",
        "channel": "html",
    }


def make_round(name: str, rows: list[tuple], profiles: list[str] = (), day="2026-03-02"):
    """A round from ``(respondent, partner, relation, value items, trust items)`` rows
    (``None`` for a blank item) and the respondents with a profile."""
    return RoundAnswers(
        name,
        answers_frame([_answer(name, *row, day=day) for row in rows]),
        profiles_frame([_profile(name, who, day) for who in profiles]),
        outside_frame([]),
    )


N = None
SPRING_ROWS = [
    ("lib", "legal", 3, (4, 3, 2), (4, 4, 4)),
    ("lib", "church", 2, (2, 2, 2), (3, 3, 3)),
    ("lib", "assoc", 1, (1, 2, 3), (2, 2, 2)),
    ("legal", "lib", 4, (4, 4, 4), (3, 4, N)),
    ("legal", "church", 3, (3, 3, 3), (4, 3, 2)),
    ("legal", "assoc", 2, (2, 2, N), (3, 3, 3)),
    ("church", "legal", 2, (3, 3, 3), (2, 2, 2)),
    ("church", "clinic", 1, (N, N, N), (N, N, N)),
    ("church", "assoc", 4, (4, 4, 4), (4, 4, 4)),
]


def _all(n):
    return (n, n, n)


FALL_ROWS = [
    ("lib", "legal", 3, _all(4), _all(4)),
    ("lib", "assoc", 3, _all(3), _all(3)),
    ("legal", "lib", 3, _all(3), _all(3)),
    ("legal", "church", 3, _all(3), _all(3)),
    ("legal", "clinic", 3, _all(2), _all(2)),
    ("legal", "assoc", 3, _all(3), _all(4)),
    ("church", "legal", 3, _all(2), _all(3)),
    ("church", "assoc", 3, _all(4), _all(4)),
    ("assoc", "lib", 3, _all(3), _all(3)),
    ("assoc", "church", 3, _all(3), _all(3)),
    ("clinic", "legal", 3, _all(3), _all(2)),
]


def spring() -> RoundAnswers:
    return make_round("spring", SPRING_ROWS, ["lib", "legal", "church"])


def fall() -> RoundAnswers:
    return make_round(
        "fall", FALL_ROWS, ["lib", "legal", "church", "assoc", "clinic"], day="2026-10-05"
    )
