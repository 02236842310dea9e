"""What changed between two versions of the data, for people: names, headline figures, a table.

Also the kept versions and named meetings as a picker and a table. A version's "what" may name
the folder a city was loaded from; only the folder's own name is shown (:func:`shown_what`),
never where it sits on the machine.

Examples
--------
>>> version_label(2, "2026-11-26T23:20:05+00:00", "Loaded   the city")
'version 2 — 2026-11-26 23:20 UTC — Loaded the city'
>>> shown_what("loaded from /home/ana/coalition data/hartford")
'loaded from hartford'
"""

from __future__ import annotations

import re
from pathlib import PureWindowsPath
from typing import Any

import pandas as pd

from coalition import labels
from coalition.i18n import N_, Translated, _
from coalition.presenting.text import fmt_int, fmt_share, loaded_time
from coalition.privacy import suppress_small_counts

# For these figures, going down is the good direction (st.metric colours the delta by it).
LOWER_IS_BETTER = ("isolated_organizations",)
MAX_WHAT = 90  # characters of a version's "what" shown in a list
# A version's kind ("load", "edit"…; coalition.store.Store.versions), in words.
KIND_WORDS = Translated(
    {
        "load": N_("Loaded from a folder"),
        "import": N_("Imported"),
        "edit": N_("Edited"),
        "undo": N_("Undone"),
        "restore": N_("Restored"),
    }
)
# "loaded from <folder>" (the store's words for a load) runs to the end of the text, spaces too.
_LOADED_FROM = re.compile(r"(loaded from )(.+)$", re.IGNORECASE)
# Any other absolute path: /…, ~/…, C:\… or C:/… (a word starting with a separator).
_ABSOLUTE_PATH = re.compile(r"(?<!\S)(?:~|[A-Za-z]:)?[\\/]\S*")


# Column headers of the presenting tables the Data and Import pages show (presenting.city and
# coalition.imports build them in English): marked here, translated where shown.
COLUMN_WORDS = (
    N_("Table"),
    N_("Rows"),
    N_("Illustrative ◇"),
    N_("Sources cited"),
    N_("Oldest source date"),
    N_("Latest source date"),
    N_("Sources"),
    N_("Source"),
    N_("Dates"),
    N_("File"),
    N_("Row"),
    N_("Column"),
    N_("Value"),
    N_("What to do"),
    N_("Added"),
    N_("Changed"),
    N_("Removed"),
    N_("Change"),
    N_("Key"),
    N_("Name"),
    N_("What changes"),
)


def shown_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A presenting table with its column headers in the language in use (a copy).

    Examples
    --------
    >>> shown_columns(pd.DataFrame({"Rows": [1]})).columns.tolist()
    ['Rows']
    """
    return frame.rename(columns=lambda column: _(column) if isinstance(column, str) else column)


def folder_name(path: object) -> str:
    r"""The last part of a path (Windows or POSIX), without where it sits on the machine.

    Examples
    --------
    >>> folder_name("/home/ana/data/hartford/"), folder_name("C:\\Users\\ana\\hartford")
    ('hartford', 'hartford')
    >>> folder_name("hartford"), folder_name(None)
    ('hartford', '')
    """
    text = str(path or "").strip().rstrip("/\\")
    return PureWindowsPath(text).name or text  # PureWindowsPath splits on / and \ alike


def shown_what(what: object) -> str:
    """A version's "what" for the page: spaces flattened, machine paths cut to their last part.

    Examples
    --------
    >>> shown_what("undid version 3: loaded from /srv/cities/new haven")
    'undid version 3: loaded from new haven'
    >>> shown_what("Imported /tmp/upload/x.xlsx into the city")
    'Imported x.xlsx into the city'
    >>> shown_what("Added: Dogwood Clinic works with A/B Shop")
    'Added: Dogwood Clinic works with A/B Shop'
    """
    text = " ".join(str(what or "").split())
    found = _LOADED_FROM.search(text)
    if found:
        text = text[: found.start(2)] + folder_name(found.group(2))
    return _ABSOLUTE_PATH.sub(lambda m: folder_name(m.group(0)), text)


def version_label(version: int, saved_at: str, what: str) -> str:
    """How a kept version is named in a list: number, time (UTC) and what the change was.

    Plain text for a selectbox option (options are not markdown).

    Parameters
    ----------
    version : int
    saved_at : str
        ISO time stamp.
    what : str
        What the change was (spaces flattened, paths cut to their last part
        (:func:`shown_what`), cut at 90 characters).

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
    text = shown_what(what)
    if len(text) > MAX_WHAT:
        text = text[: MAX_WHAT - 1] + "…"
    return _("version {version} — {saved} — {what}").format(
        version=int(version), saved=loaded_time(saved_at), what=text
    )


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
                None
                if delta is None
                else _("{points} points (was {before})").format(
                    points=f"{delta * 100:+.0f}", before=fmt_share(before)
                )
            )
        else:
            value = fmt_int(after)
            shown_delta = (
                None
                if delta is None
                else _("{delta} (was {before})").format(delta=f"{delta:+,}", before=fmt_int(before))
            )
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
    change, where, who, what = _("Change"), _("In"), _("Who"), _("What changed")
    out = pd.DataFrame(
        {
            change: changes["change"].map(lambda c: labels.CHANGE_WORDS.get(c, c)),
            where: changes["table"].map(lambda t: labels.TABLE_TITLES.get(t, t)),
            who: changes["name"].astype(str),
            what: changes["explanation"].astype(str),
        }
    )
    needle = " ".join(str(words or "").split()).lower()
    if needle:
        text = (out[change] + " " + out[where] + " " + out[who] + " " + out[what]).str.lower()
        out = out[text.str.contains(needle, regex=False)]
    return out.reset_index(drop=True)


def meeting_label(name: str, version: int, saved_at: str, *, last: bool = False) -> str:
    """How a named meeting is offered in the "compare with" picker (plain text).

    Parameters
    ----------
    name : str
        The meeting's name.
    version : int
        The version it names.
    saved_at : str
        When that version was saved (ISO time stamp).
    last : bool
        The latest meeting: offered as "Since the last meeting".

    Returns
    -------
    str

    Examples
    --------
    >>> meeting_label("March convening", 7, "2026-03-12T18:00:00+00:00", last=True)
    'Since the last meeting: March convening (version 7, 2026-03-12 18:00 UTC)'
    >>> meeting_label("Kick-off", 2, "")
    'Meeting: Kick-off (version 2, unknown)'
    """
    template = (
        _("Since the last meeting: {name} (version {version}, {saved})")
        if last
        else _("Meeting: {name} (version {version}, {saved})")
    )
    shown = " ".join(str(name).split())
    return template.format(name=shown, version=int(version), saved=loaded_time(saved_at))


def versions_table(versions: pd.DataFrame, current: int | None = None) -> pd.DataFrame:
    """The kept versions for people: number, time, what (no machine paths), who, kind, meeting.

    Parameters
    ----------
    versions : pandas.DataFrame
        :meth:`coalition.store.Store.versions` (version, saved_at, what, who, kind, meeting).
    current : int, optional
        The current version, marked "(current)".

    Returns
    -------
    pandas.DataFrame
        Columns Version, Saved, What, Who, Kind, Meeting.

    Examples
    --------
    >>> kept = pd.DataFrame({"version": [2, 1], "saved_at": ["", "2026-11-26T23:20:05+00:00"],
    ...     "what": ["Added a tie", "loaded from /data/tiny"], "who": ["Ana", ""],
    ...     "kind": ["edit", "load"], "meeting": ["", "Kick-off"]})
    >>> versions_table(kept, 2).to_dict("records")[1]["What"]
    'loaded from tiny'
    >>> versions_table(kept, 2)["Version"].tolist()
    ['2 (current)', '1']
    """
    return pd.DataFrame(
        {
            _("Version"): [
                _("{version} (current)").format(version=int(v))
                if current is not None and int(v) == current
                else str(v)
                for v in versions["version"]
            ],
            _("Saved"): [loaded_time(t) for t in versions["saved_at"]],
            _("What"): [shown_what(w) for w in versions["what"]],
            _("Who"): versions["who"].fillna("").astype(str),
            _("Kind"): versions["kind"].map(lambda k: KIND_WORDS.get(k, str(k))),
            _("Meeting"): versions["meeting"].fillna("").astype(str),
        }
    )


def shared_sentences(sentences: list[str]) -> list[str]:
    """Sentences for a shared screen: resident counts below the threshold hidden.

    Examples
    --------
    >>> shared_sentences(["Karen refugees are now recorded living in Dogwood (3 residents)."])
    ['Karen refugees are now recorded living in Dogwood (fewer than 11 residents).']
    """
    return [suppress_small_counts(s) for s in sentences]
