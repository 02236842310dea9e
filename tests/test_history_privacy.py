"""History sentences protect resident counts before they are written (issue 9).

The tiny city by hand (tests/tiny_city.py): foreign-born Alder 400, Birch 100, Cedar 300,
Dogwood 200 (city total 1,000, shown on the overview); Alder's committee is active.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
from tiny_city import make_tiny_city

from coalition import privacy
from coalition.history import change_effects, compare_cities
from coalition.privacy import Disclosure

PUBLIC = Disclosure(exact=False, threshold=11)
EXACT = Disclosure(exact=True, threshold=11)


def _with(city, table, change):
    frame = city.tables[table].copy()
    change(frame)
    return dataclasses.replace(city, tables={**city.tables, table: frame})


def _cedar_fb(value):
    def change(frame):
        frame.loc[frame["neighborhood_id"] == "cedar", "foreign_born"] = value

    return change


def _activate_cedar(frame):
    frame.loc[frame["committee_id"] == "wc-cedar", "status"] = "active"


def test_a_changed_small_figure_is_a_range_for_the_public_and_exact_for_editors():
    before = make_tiny_city()
    after = _with(before, "neighborhoods", _cedar_fb(3))
    public = compare_cities(before, after, with_effects=False, disclosure=PUBLIC)
    row = public.changes[public.changes["field"] == "foreign_born"].iloc[0]
    assert "fewer than 11" in row["explanation"] and row["after"] == "fewer than 11"
    assert not re.search(r"\b3\b", row["explanation"])
    # 300 -> hidden: the 300 was shown then, and a withheld complement keeps the total safe.
    exact = compare_cities(before, after, with_effects=False, disclosure=EXACT)
    row = exact.changes[exact.changes["field"] == "foreign_born"].iloc[0]
    assert row["explanation"] == "Cedar: foreign born changed from 300 to 3."


def test_a_new_lives_in_tie_says_its_residents_as_the_public_may_see_them():
    before = make_tiny_city()
    tie = (
        before.tables["ties"]
        .iloc[[0]]
        .assign(source_id="karen", target_id="birch", tie_type="lives_in", residents=4)
    )
    after = _with(before, "ties", lambda f: None)
    after = dataclasses.replace(
        after, tables={**after.tables, "ties": pd.concat([after.tables["ties"], tie])}
    )
    public = compare_cities(before, after, with_effects=False)  # default: public
    sentence = public.changes[public.changes["tie_type"] == "lives_in"]["explanation"].iloc[0]
    assert "(fewer than 11 residents)" in sentence
    exact = compare_cities(before, after, with_effects=False, disclosure=EXACT)
    sentence = exact.changes[exact.changes["tie_type"] == "lives_in"]["explanation"].iloc[0]
    assert "(4 residents)" in sentence


def test_reach_and_headline_hide_a_small_neighborhood_reached():
    few = _with(make_tiny_city(), "neighborhoods", _cedar_fb(3))
    reached = _with(few, "committees", _activate_cedar)
    public = compare_cities(few, reached, disclosure=PUBLIC)
    text = " ".join(public.changes["explanation"]) + " " + public.explanation
    # 400 -> 403 would give the 3 away: the after total is withheld, and its share too.
    assert "403" not in text and " 3 more" not in text
    assert public.headline["foreign_born_covered"]["after"] is None
    assert public.headline["share_foreign_born_covered"]["after"] is None
    assert public.headline["foreign_born_covered"]["before"] == 400
    effects = " ".join(public.effects["explanation"])
    assert "Cedar (fewer than 11 foreign-born residents)" in effects
    exact = compare_cities(few, reached, disclosure=EXACT)
    assert exact.headline["foreign_born_covered"]["after"] == 403
    assert "3 more foreign-born residents of Cedar are reached" in " ".join(
        exact.changes["explanation"]
    )


def test_change_effects_default_is_public():
    few = _with(make_tiny_city(), "neighborhoods", _cedar_fb(3))
    effects = change_effects(few, _with(few, "committees", _activate_cedar))
    assert "fewer than 11" in " ".join(effects["explanation"])
    assert privacy.EXACT_LABEL not in " ".join(effects["explanation"])
