"""values.json_text writes the bytes json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import enum
import json
import math

import numpy as np
import pytest

from coalition import values


def dumps(value, default=None):
    return json.dumps(value, indent=2, ensure_ascii=False, default=default)


CASES = [
    {},
    [],
    "",
    None,
    True,
    0,
    -7,
    2.5,
    {"a": [], "b": {}, "c": [{}], "d": [[]]},
    {"text": 'quote " backslash \\ tab \t newline \n bell \x07 é ñ 中 😀 \u2028'},
    [1e16, 1e-7, -0.0, 0.1 + 0.2, 123456789.123, 10**30, -(10**20)],
    [math.nan, math.inf, -math.inf],
    {"nested": {"deeper": {"deepest": [1, [2, [3, {"x": None}]]]}}},
    ("a", ("b", 1)),
    [True, False, None, "true", "null"],
]


@pytest.mark.parametrize("value", CASES)
def test_same_bytes_as_json_dumps(value):
    assert values.json_text(value) == dumps(value)


class Level(enum.IntEnum):
    HIGH = 3


@pytest.mark.parametrize(
    "value",
    [
        {1: "a", "b": 2},  # a key that is not text
        {"set": {1}},  # a value json.dumps hands to default
        [Level.HIGH],  # an int subclass
        {"n": np.int64(3)},
    ],
)
def test_anything_else_is_written_by_json_dumps(value):
    def default(item):
        return item.item() if hasattr(item, "item") else sorted(item)

    assert values.json_text(value, default=default) == dumps(value, default=default)


def test_a_value_json_dumps_refuses_is_still_refused():
    with pytest.raises(TypeError):
        values.json_text({"x": object()})


def test_json_value_fast_paths_keep_the_rules():
    data = {
        "plain": ["a", 1, True, None, 2.5],
        "blank": [math.nan, float("inf")],
        "numpy": [np.int64(4), np.float64(np.nan), np.bool_(True)],
        7: {"k": (1, 2)},
        "nested": [{"x": np.float32(0.5)}, {8: "y"}],
    }
    assert values.json_value(data) == {
        "plain": ["a", 1, True, None, 2.5],
        "blank": [None, None],
        "numpy": [4, None, True],
        "7": {"k": [1, 2]},
        "nested": [{"x": 0.5}, {"8": "y"}],
    }
