"""Missing values and plain Python values: one place for what "no figure" means.

A blank cell reaches the code as ``None``, ``float("nan")``, ``pd.NA`` or ``pd.NaT`` (pandas 3
turns a dropped string cell into NaN, not None), and numbers arrive as numpy scalars. Every
module that cleans, compares or prints a value uses these helpers, so a blank figure is read the
same way everywhere: never 0, never the text "nan".

Examples
--------
>>> import numpy as np
>>> is_missing(float("nan")), plain(np.int64(3)), whole(1958.0), finite_or_none("x")
(True, 3, 1958, None)
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring as _encode_string  # what ensure_ascii=False uses
from typing import Any

import numpy as np
import pandas as pd


def is_missing(value: Any) -> bool:
    """True for a missing scalar: None, NaN, ``pd.NA``, ``pd.NaT``. Containers are never missing.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing([])
    (True, True, True, False)
    >>> is_missing(0), is_missing("")
    (False, False)
    """
    if value is None:
        return True
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def plain(value: Any) -> Any:
    """A cell as a plain Python value: missing -> None, numpy scalar -> Python scalar.

    Lists, tuples and dicts are returned as they are.

    Examples
    --------
    >>> plain(np.float64(2.5)), plain(float("nan")), plain(["a"])
    (2.5, None, ['a'])
    """
    if isinstance(value, (list, tuple, dict)):
        return value
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def whole(value: Any) -> Any:
    """A count as an ``int`` when it is a whole number (None for missing), else unchanged.

    Counts are stored as floats so that missing figures can be NaN; people read "1,958", not
    "1,958.0". Infinities count as missing.

    Examples
    --------
    >>> whole(1958.0), whole(float("nan")), whole(2.5)
    (1958, None, 2.5)
    """
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return None
        if float(value).is_integer():
            return int(value)
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


# Types json_value returns unchanged (exact types: a subclass takes the general path).
_AS_IS = frozenset({str, int, bool, type(None)})


def json_value(value: Any) -> Any:
    """A JSON-safe Python value: numpy scalars unwrapped, NaN/inf -> None, containers walked.

    Dict keys become strings; lists, tuples, numpy arrays and pandas indexes become lists.

    Examples
    --------
    >>> json_value(np.float64("nan")) is None, json_value(np.int64(3))
    (True, 3)
    >>> json_value({"a": (1.0, float("inf"))})
    {'a': [1.0, None]}
    """
    kind = type(value)
    if kind in _AS_IS:  # most values: plain text, whole numbers, yes/no, None
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:  # one level inline: a report is mostly lists of flat records
        return {
            (k if type(k) is str else str(k)): v if type(v) in _AS_IS else json_value(v)
            for k, v in value.items()
        }
    if kind is list:
        return [v if type(v) in _AS_IS else json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Index)):
        return [json_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


class _NotPlain(Exception):
    """A value :func:`json_text` does not write itself (json.dumps then writes everything)."""


def _float_text(value: float) -> str:
    """A float as json.dumps writes it (NaN and infinities as JavaScript names)."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _scalar_text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return _float_text(value)
    raise _NotPlain


def _write_json(value: Any, level: int, out: list[str]) -> None:
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        inner = "\n" + "  " * (level + 1)
        between = "," + inner
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            if type(item) is str:
                items.append(_encode_string(key) + ": " + _encode_string(item))
            elif type(item) in _CONTAINERS:
                nested: list[str] = []
                _write_json(item, level + 1, nested)
                items.append(_encode_string(key) + ": " + "".join(nested))
            else:
                items.append(_encode_string(key) + ": " + _scalar_text(item))
        out.append("{" + inner + between.join(items) + "\n" + "  " * level + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = "\n" + "  " * (level + 1)
        items = []
        for item in value:
            if type(item) is str:
                items.append(_encode_string(item))
            elif type(item) in _CONTAINERS:
                nested = []
                _write_json(item, level + 1, nested)
                items.append("".join(nested))
            else:
                items.append(_scalar_text(item))
        out.append("[" + inner + ("," + inner).join(items) + "\n" + "  " * level + "]")
    else:
        out.append(_scalar_text(value))


_CONTAINERS = frozenset({dict, list, tuple})


def json_text(value: Any, default: Any = None) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, default=default)``, written faster.

    The standard library writes indented JSON in pure Python, checking every value against
    every type; plain values (dicts with text keys, lists, text, numbers, booleans, None:
    what :func:`json_value` returns) are written here with exact type checks, in the same
    bytes. Anything else is handed to ``json.dumps`` whole.

    Examples
    --------
    >>> print(json_text({"a": [1, 2.5, None], "b": {}, "c": "é"}))
    {
      "a": [
        1,
        2.5,
        null
      ],
      "b": {},
      "c": "é"
    }
    """
    out: list[str] = []
    try:
        _write_json(value, 0, out)
    except (_NotPlain, RecursionError):
        return json.dumps(value, indent=2, ensure_ascii=False, default=default)
    return "".join(out)


def finite_or_none(value: Any) -> float | None:
    """The value as a finite float, or None (missing, not a number, or infinite).

    Examples
    --------
    >>> finite_or_none("2.5"), finite_or_none(None), finite_or_none(float("inf"))
    (2.5, None, None)
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def float_or_nan(value: Any) -> float:
    """The value as a float for a figure column: NaN when missing, not a number, or a bool.

    Infinities are kept (the analyses flag them); a bool is never read as 1 or 0.

    Examples
    --------
    >>> float_or_nan("12"), float_or_nan(None), float_or_nan(True)
    (12.0, nan, nan)
    """
    if value is None or isinstance(value, bool):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def text(value: Any) -> str:
    """The value as display text: "" when missing, ``str(value)`` otherwise.

    Examples
    --------
    >>> text(None), text(float("nan")), text("Asylum Hill"), text(3)
    ('', '', 'Asylum Hill', '3')
    """
    return "" if is_missing(value) else str(value)


__all__ = [
    "finite_or_none",
    "float_or_nan",
    "is_missing",
    "json_text",
    "json_value",
    "plain",
    "text",
    "whole",
]
