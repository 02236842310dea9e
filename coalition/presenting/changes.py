"""What changed between two versions of the data, for people: names, headline figures, a table.

Examples
--------
>>> version_label(2, "2026-11-26T23:20:05+00:00", "Loaded   the city")
'version 2 — 2026-11-26 23:20 UTC — Loaded the city'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from coalition import labels
from coalition.presenting.text import fmt_int, fmt_share, loaded_time

# For these figures, going down is the good direction (st.metric colours the delta by it).
LOWER_IS_BETTER = ("isolated_organizations",)
MAX_WHAT = 90  # characters of a version's "what" shown in a list


def version_label(version: int, saved_at: str, what: str) -> str:
    """How a kept version is named in a list: number, time (UTC) and what the change was.

    Plain text for a selectbox option (options are not markdown).

    Parameters
    ----------
    version : int
    saved_at : str
        ISO time stamp.
    what : str
        What the change was (spaces flattened, cut at 90 characters).

    Returns
    -------
    str

    Examples
    --------
    >>> version_label(3, "2026-11-26T23:20:05+00:00", "Recorded: a tie")
    'version 3 — 2026-11-26 23:20 UTC — Recorded: a tie'
    >>> len(version_label(3, "", "x" * 200).split(" — ")[-1])
    90
    """
    shown_what = " ".join(str(what or "").split())
    if len(shown_what) > MAX_WHAT:
        shown_what = shown_what[: MAX_WHAT - 1] + "…"
    return f"version {int(version)} — {loaded_time(saved_at)} — {shown_what}"


def change_metrics(headline: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The headline figures of a comparison as ``st.metric`` arguments (label, value, delta).

    Parameters
    ----------
    headline : dict
        :attr:`coalition.history.ChangeReport.headline`: per figure, ``label``, ``before``,
        ``after`` and ``delta`` (figures whose key starts with ``share`` are shares 0-1).

    Returns
    -------
    list of dict
        ``label``, ``value``, ``delta`` (``None`` when unchanged) and ``delta_color``
        (``"inverse"`` for figures in :data:`LOWER_IS_BETTER`).

    Examples
    --------
    >>> change_metrics({"partnerships": {"label": "Partnerships", "before": 4, "after": 5,
    ...                                  "delta": 1}})[0]
    {'label': 'Partnerships', 'value': '5', 'delta': '+1 (was 4)', 'delta_color': 'normal'}
    >>> change_metrics({"share_reached": {"label": "Reached", "before": 0.4, "after": 0.7,
    ...                                   "delta": 0.3}})[0]["delta"]
    '+30 points (was 40%)'
    """
    metrics = []
    for key, entry in headline.items():
        before, after, delta = entry["before"], entry["after"], entry["delta"]
        if key.startswith("share"):
            value = fmt_share(after)
            shown_delta = (
                None if delta is None else f"{delta * 100:+.0f} points (was {fmt_share(before)})"
            )
        else:
            value = fmt_int(after)
            shown_delta = None if delta is None else f"{delta:+,} (was {fmt_int(before)})"
        if not delta:
            shown_delta = None  # "no change" reads better than a grey +0
        metrics.append(
            {
                "label": entry["label"],
                "value": value,
                "delta": shown_delta,
                "delta_color": "inverse" if key in LOWER_IS_BETTER else "normal",
            }
        )
    return metrics


def changes_table(changes: pd.DataFrame, words: str = "") -> pd.DataFrame:
    """The changes as a table in plain words, keeping rows whose text contains ``words``.

    Parameters
    ----------
    changes : pandas.DataFrame
        :attr:`coalition.history.ChangeReport.changes` (``change``, ``table``, ``name``,
        ``explanation``).
    words : str
        Text to look for (any case, spaces flattened); empty keeps every row.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> frame = pd.DataFrame({"change": ["added"], "table": ["ties"], "name": ["A – B"],
    ...     "explanation": ["A and B started working together."]})
    >>> changes_table(frame, "b started")["What changed"].tolist()
    ['A and B started working together.']
    >>> changes_table(frame, "removed").empty
    True
    """
    out = pd.DataFrame(
        {
            "Change": changes["change"].map(lambda c: labels.CHANGE_WORDS.get(c, c)),
            "In": changes["table"].map(lambda t: labels.TABLE_TITLES.get(t, t)),
            "Who": changes["name"].astype(str),
            "What changed": changes["explanation"].astype(str),
        }
    )
    needle = " ".join(str(words or "").split()).lower()
    if needle:
        text = (
            out["Change"] + " " + out["In"] + " " + out["Who"] + " " + out["What changed"]
        ).str.lower()
        out = out[text.str.contains(needle, regex=False)]
    return out.reset_index(drop=True)
