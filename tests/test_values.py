"""The one missing-value module and the one escaping helper, and that the library uses them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coalition import escaping, maps, network_view, values


@pytest.mark.parametrize("blank", [None, float("nan"), np.float64("nan"), pd.NA, pd.NaT])
def test_every_blank_is_missing_and_reads_as_no_figure(blank):
    assert values.is_missing(blank)
    assert values.plain(blank) is None
    assert values.json_value(blank) is None
    assert values.finite_or_none(blank) is None
    assert values.text(blank) == ""
    assert math.isnan(values.float_or_nan(blank))


@pytest.mark.parametrize("value", [0, 0.0, "", "0", [], {}, False])
def test_zero_empty_and_false_are_not_missing(value):
    assert not values.is_missing(value)


def test_plain_unwraps_numpy_and_keeps_containers():
    assert values.plain(np.int64(3)) == 3 and type(values.plain(np.int64(3))) is int
    assert values.plain(np.float64(2.5)) == 2.5 and type(values.plain(np.float64(2.5))) is float
    cell = ["a", "b"]
    assert values.plain(cell) is cell
    assert values.plain("Asylum Hill") == "Asylum Hill"


def test_whole_numbers_and_infinities():
    assert values.whole(1958.0) == 1958 and type(values.whole(1958.0)) is int
    assert values.whole(np.int32(4)) == 4 and type(values.whole(np.int32(4))) is int
    assert values.whole(2.5) == 2.5
    assert values.whole(float("inf")) is None and values.whole(None) is None
    assert values.whole("12") == "12"  # not a number: unchanged


def test_json_value_walks_containers():
    data = {
        1: (np.float64(1.0), float("-inf")),
        "x": np.array([np.int64(2), np.nan]),
        "i": pd.Index(["a"]),
        "na": pd.NA,
    }
    assert values.json_value(data) == {"1": [1.0, None], "x": [2.0, None], "i": ["a"], "na": None}


@pytest.mark.parametrize(
    "value, expected",
    [("2.5", 2.5), (3, 3.0), ("x", None), ([1], None), (float("inf"), None), (True, 1.0)],
)
def test_finite_or_none(value, expected):
    assert values.finite_or_none(value) == expected


@pytest.mark.parametrize("value", [True, False, "twelve", object(), None])
def test_float_or_nan_never_reads_a_bool_or_text_as_a_figure(value):
    assert math.isnan(values.float_or_nan(value))


def test_float_or_nan_keeps_numbers_and_infinities():
    assert values.float_or_nan("12") == 12.0
    assert values.float_or_nan(np.int64(7)) == 7.0
    assert values.float_or_nan(float("inf")) == float("inf")


def test_text_of_values():
    assert values.text("Asylum Hill") == "Asylum Hill" and values.text(3) == "3"


def test_escape_text_escapes_html_template_literals_and_template_syntax():
    payload = '<img src=x onerror="alert(1)"> `${x}` {{7*7}} {% raw %} \\'
    out = escaping.escape_text(payload)
    for dangerous in ("<", ">", '"', "`", "$", "{", "}", "\\"):
        assert dangerous not in out
    assert escaping.escape_text(None) == "" and escaping.escape_text(42) == "42"


def test_maps_and_network_views_share_the_one_escaping_helper():
    assert maps.escape_text is escaping.escape_text
    assert network_view.escape_text is escaping.escape_text
