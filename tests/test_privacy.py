"""Small-count suppression as a transform on numbers: protect(), format_count(), public_tables()."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import solvable
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from coalition import settings
from coalition.privacy import (
    EXACT_LABEL,
    Disclosure,
    Line,
    SmallCount,
    Withheld,
    city_counts,
    determined_cells,
    format_count,
    is_hidden,
    protect,
    public_tables,
)

PUBLIC = Disclosure(exact=False, threshold=11)
EXACT = Disclosure(exact=True, threshold=11)


def hidden_keys(result: dict) -> set:
    return {k for k, v in result.items() if is_hidden(v)}


def wide(table: list[list[int]]) -> tuple[dict, list[Line]]:
    """A wide table with row and column totals (and a grand total) as cells and lines."""
    values: dict = {}
    lines = []
    for i, row in enumerate(table):
        for j, v in enumerate(row):
            values[(i, j)] = v
        values[("row", i)] = sum(row)
        lines.append(Line(tuple((i, j) for j in range(len(row))), ("row", i)))
    for j in range(len(table[0])):
        values[("col", j)] = sum(row[j] for row in table)
        lines.append(Line(tuple((i, j) for i in range(len(table))), ("col", j)))
    values["all"] = sum(map(sum, table))
    lines.append(Line(tuple(("row", i) for i in range(len(table))), "all"))
    return values, lines


# --- settings and markers -------------------------------------------------------------------------


def test_threshold_is_eleven_by_default(monkeypatch):
    monkeypatch.delenv("COALITION_SMALL_COUNT_THRESHOLD", raising=False)
    assert settings.SMALL_COUNT_THRESHOLD == 11
    assert Disclosure.public().threshold == 11


def test_markers_say_what_they_are():
    assert str(SmallCount(11)) == "fewer than 11"
    assert str(Withheld()) == "withheld to protect a small count"
    assert "fewer than" not in str(Withheld())
    assert EXACT_LABEL == "Exact counts — not for sharing"


@pytest.mark.parametrize(
    ("value", "public", "exact"),
    [
        (3, "fewer than 11", "3"),
        (10.4, "fewer than 11", "10"),
        (11, "11", "11"),
        (0, "0", "0"),
        (1234, "1,234", "1,234"),
        (None, "–", "–"),
        (float("nan"), "–", "–"),
        ("many", "–", "–"),
        (SmallCount(11), "fewer than 11", "fewer than 11"),
        (Withheld(), "withheld to protect a small count", "withheld to protect a small count"),
    ],
)
def test_format_count(value, public, exact):
    assert format_count(value, PUBLIC) == public
    assert format_count(value, EXACT) == exact


def test_format_count_follows_the_threshold():
    assert format_count(7, Disclosure(exact=False, threshold=5)) == "7"
    assert format_count(4, Disclosure(exact=False, threshold=5)) == "fewer than 5"


# --- protect: hand-worked examples ----------------------------------------------------------------


def test_two_by_two_hides_the_whole_block():
    values, lines = wide([[3, 40], [50, 60]])
    out = protect(values, lines, PUBLIC)
    assert out[(0, 0)] == SmallCount(11)
    assert {k for k, v in out.items() if isinstance(v, Withheld)} == {(0, 1), (1, 0), (1, 1)}
    # totals stay shown: no hidden cell is alone in a line
    assert [out[("row", 0)], out[("col", 0)], out["all"]] == [43, 53, 153]


def test_three_by_three_hides_the_smallest_partners():
    values, lines = wide([[3, 20, 30], [25, 40, 50], [35, 45, 60]])
    out = protect(values, lines, PUBLIC)
    assert hidden_keys(out) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert out[(0, 0)] == SmallCount(11) and out[(1, 1)] == Withheld()
    assert out[(2, 2)] == 60


def test_difference_of_two_shown_totals_is_protected():
    # "43 recorded, 40 reached": residents = reached + outside, outside never shown.
    values = {"n1": 3, "n2": 40, "recorded": 43, "covered": 40, "outside": 3}
    lines = [
        Line(("n1", "n2"), "recorded"),
        Line(("n2",), "covered"),
        Line(("n1",), "outside"),
        Line(("covered", "outside"), "recorded"),
    ]
    out = protect(values, lines, PUBLIC, unshown=["outside"])
    assert out["n1"] == SmallCount(11)
    assert out["n2"] == Withheld() and out["covered"] == Withheld()
    assert out["recorded"] == 43
    assert not solvable(hidden_keys(out), lines, "n1")
    assert not solvable(hidden_keys(out), lines, "outside")


def test_an_unshown_part_that_is_not_small_hides_nothing():
    values = {"n1": 500, "n2": 40, "recorded": 540, "covered": 40, "outside": 500}
    lines = [Line(("n1", "n2"), "recorded"), Line(("covered", "outside"), "recorded")]
    out = protect(values, lines, PUBLIC, unshown=["outside"])
    assert hidden_keys(out) == {"outside"}
    assert out["covered"] == 40


def test_a_chain_needs_several_rounds():
    values = {"x": 3, "y": 20, "z": 30, "w": 40, "t1": 23, "t2": 50, "t3": 70}
    lines = [Line(("z", "w"), "t3"), Line(("y", "z"), "t2"), Line(("x", "y"), "t1")]
    out = protect(values, lines, PUBLIC)
    assert hidden_keys(out) == {"x", "y", "z", "w"}
    assert [out["t1"], out["t2"], out["t3"]] == [23, 50, 70]


def test_hidden_parts_that_add_up_to_a_small_number_get_a_partner():
    # 4 and 5 both hidden, but 100 - 91 = 9 tells their sum: a small count of the two together.
    values = {"a": 4, "b": 5, "c": 91, "t": 100}
    out = protect(values, [Line(("a", "b", "c"), "t")], PUBLIC)
    assert out["c"] == Withheld()
    assert out["t"] == 100


def test_total_is_withheld_when_no_part_is_left():
    values = {"a": 4, "t": 4, "u": 30, "v": 34}
    lines = [Line(("a",), "t"), Line(("t", "u"), "v")]
    out = protect(values, lines, PUBLIC)
    # t is 4 itself (small); then u goes with it in the second line
    assert out["a"] == SmallCount(11) and out["t"] == SmallCount(11) and out["u"] == Withheld()


def test_parts_that_do_not_add_up_get_an_unshown_rest():
    # estimate 100, neighborhoods 3 + 40: the rest (57) is unknown to a reader, so 3 stays hidden
    # without withholding 40.
    values = {"n1": 3, "n2": 40, "estimate": 100}
    out = protect(values, [Line(("n1", "n2"), "estimate")], PUBLIC)
    assert hidden_keys(out) == {"n1"}


def test_a_small_rest_is_protected_too():
    # estimate 45, neighborhoods 20 + 23: the rest is 2 residents somewhere unrecorded.
    values = {"n1": 20, "n2": 23, "estimate": 45}
    out = protect(values, [Line(("n1", "n2"), "estimate")], PUBLIC)
    assert hidden_keys(out) == {"n1"}


def test_two_blocks_joined_by_one_cell_need_linear_algebra():
    # Every row and column has two or more hidden cells, yet the joining cell (1, 2) is fixed.
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    values, lines = wide([[1] * 4 for _ in range(4)])
    assert determined_cells(hidden, lines) >= {(1, 2)}
    table = [[6, 7, 40, 50], [8, 9, 6, 60], [70, 80, 7, 8], [90, 95, 9, 6]]
    values, lines = wide(table)
    out = protect(values, lines, PUBLIC)
    small = {k for k, v in values.items() if 0 < v < 11}
    assert small <= hidden_keys(out)
    assert not [c for c in small if solvable(hidden_keys(out), lines, c)]


def test_missing_values_are_in_no_line():
    values = {"a": 3, "b": None, "c": 40, "t": 43}
    out = protect(values, [Line(("a", "b", "c"), "t")], PUBLIC)
    assert out["b"] is None and out["c"] == Withheld()
    out = protect({"a": 3, "t": float("nan")}, [Line(("a",), "t")], PUBLIC)
    assert out["a"] == SmallCount(11)


def test_exact_disclosure_changes_nothing_and_inputs_are_not_changed():
    values, lines = wide([[3, 40], [50, 60]])
    before = dict(values)
    assert protect(values, lines, EXACT) == values
    protect(values, lines, PUBLIC)
    assert values == before


def test_a_higher_threshold_hides_more():
    values, lines = wide([[7, 40], [50, 60]])
    assert hidden_keys(protect(values, lines, Disclosure(False, 5))) == set()
    assert len(hidden_keys(protect(values, lines, Disclosure(False, 11)))) == 4


# --- protect: any small table ---------------------------------------------------------------------

CELL = st.sampled_from([0, 0, 1, 2, 4, 6, 9, 10, 11, 12, 15, 25, 40, 100])


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    return [[draw(CELL) for _ in range(cols)] for _ in range(rows)]


@hsettings(max_examples=300, deadline=None)
@given(tables(), st.booleans(), st.integers(5, 12))
def test_no_hidden_small_cell_can_be_solved(table, long_form, threshold):
    disclosure = Disclosure(exact=False, threshold=threshold)
    if long_form:  # community x neighborhood in long form: lines per community and neighborhood
        values = {("lives_in", i, j): v for i, row in enumerate(table) for j, v in enumerate(row)}
        lines = []
        for i, row in enumerate(table):
            values[("community", i)] = sum(row)
            lines.append(Line(tuple(("lives_in", i, j) for j in range(len(row))), ("community", i)))
        for j in range(len(table[0])):
            values[("neighborhood", j)] = sum(r[j] for r in table) + 30  # others live there too
            lines.append(
                Line(tuple(("lives_in", i, j) for i in range(len(table))), ("neighborhood", j))
            )
    else:
        values, lines = wide(table)
    out = protect(values, lines, disclosure)
    hidden = hidden_keys(out)
    small = {k for k, v in values.items() if 0 < v < threshold}
    assert small <= hidden
    # the rests protect() adds are unshown parts of the lines: include them in the check
    full_lines = []
    for line in lines:
        rest = values[line.total] - sum(values[p] for p in line.parts)
        if rest:
            key = ("rest", line.total)
            values = {**values, key: rest}
            hidden = hidden | {key}
            full_lines.append(Line((*line.parts, key), line.total))
        else:
            full_lines.append(line)
    for cell in small:
        assert not solvable(hidden, full_lines, cell), (cell, sorted(hidden, key=repr))
    for line in full_lines:
        if line.total not in hidden:
            hidden_sum = sum(values[p] for p in line.parts if p in hidden)
            assert not 0 < hidden_sum < threshold
    for key, value in out.items():
        if isinstance(value, SmallCount):
            assert 0 < values[key] < threshold  # never "fewer than" of a cell that is not small
        elif not is_hidden(value):
            assert value == values[key]


# --- public_tables --------------------------------------------------------------------------------


def city_tables() -> dict[str, pd.DataFrame]:
    return {
        "communities": pd.DataFrame(
            {"community_id": ["a", "b"], "name": ["A", "B"], "estimated_residents": [43, 200]}
        ),
        "ties": pd.DataFrame(
            {
                "source_id": ["a", "a", "b", "b", "org"],
                "target_id": ["n1", "n2", "n2", "n3", "a"],
                "tie_type": ["lives_in", "lives_in", "lives_in", "lives_in", "serves_community"],
                "residents": [3, 40, 150, 50, None],
                "_retired": [None, None, None, None, None],
            }
        ),
        "neighborhoods": pd.DataFrame(
            {
                "neighborhood_id": ["n1", "n2", "n3", "old"],
                "population": [900, 1500, 800, 2],
                "population_moe": [90.0, 100.0, 80.0, 2.0],
                "foreign_born": [6, 300, 200, 1],
                "foreign_born_moe": [5.0, 50.0, 40.0, 1.0],
                "limited_english": [120, 130, 140, None],
                "limited_english_moe": [10.0, 11.0, 12.0, None],
                "_retired": [None, None, None, {"on": "2026-01-01", "reason": "merged"}],
            }
        ),
    }


def test_public_tables_hide_small_counts_and_their_partners():
    tables = city_tables()
    out = public_tables(tables, PUBLIC)
    ties = out["ties"]
    assert ties["residents"].tolist()[:2] == ["fewer than 11", "withheld to protect a small count"]
    assert pd.isna(ties["residents"].tolist()[4])
    hoods = out["neighborhoods"]
    assert "old" not in hoods["neighborhood_id"].tolist()  # retired rows never
    assert "_retired" not in hoods.columns and "_retired" not in ties.columns
    fb = dict(zip(hoods["neighborhood_id"], hoods["foreign_born"], strict=True))
    assert fb["n1"] == "fewer than 11"
    assert fb["n3"] == "withheld to protect a small count"  # smallest partner of the city total
    assert fb["n2"] == 300
    moe = dict(zip(hoods["neighborhood_id"], hoods["foreign_born_moe"], strict=True))
    assert moe["n1"] == moe["n3"] == "withheld to protect a small count"
    assert moe["n2"] == 50.0
    # nothing left shows 3 or 6, and 43 - 40 cannot be formed
    assert 3 not in ties["residents"].tolist()
    assert 40 not in ties["residents"].tolist()
    # the inputs are unchanged
    assert tables["ties"]["residents"].tolist()[:2] == [3, 40]
    assert len(tables["neighborhoods"]) == 4


def test_public_tables_exact_keeps_every_number():
    tables = city_tables()
    out = public_tables(tables, EXACT)
    assert out["ties"]["residents"].tolist()[:4] == [3, 40, 150, 50]
    assert out["neighborhoods"]["foreign_born"].tolist() == [6, 300, 200]
    assert "_retired" not in out["neighborhoods"].columns


def test_public_tables_take_tables_without_counts():
    out = public_tables({"organizations": pd.DataFrame({"org_id": ["x"]})}, PUBLIC)
    assert out["organizations"]["org_id"].tolist() == ["x"]


def test_city_counts_lines():
    counts = city_counts(city_tables())
    assert counts.values[("recorded", "a")] == 43
    assert counts.values[("city", "foreign_born")] == 506  # the retired neighborhood left out
    totals = {line.total for line in counts.lines}
    assert {("community", "a"), ("recorded", "b"), ("neighborhood", "n2", "population")} <= totals
