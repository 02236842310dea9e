"""The Survey rounds page in words and tables: rounds, the chase list, links, import problems.

Streamlit-free and pure, so the page (:mod:`coalition.dashboard.survey_rounds_page`) only draws
what is worked out here. Every frame returned is for a component that never interprets markup
(``st.dataframe``); the CSV files are neutralised for spreadsheets
(:func:`coalition.exports.neutralise_formula`): a hostile organization name never runs as a
formula when the convener opens the chase list or the links in Excel.

Examples
--------
>>> survey_url("http://10.0.0.5:8501", "abc")
'http://10.0.0.5:8501/survey?link=abc'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import pandas as pd

from coalition.errors import DataError, Problem
from coalition.exports import neutralise_formula
from coalition.i18n import N_, Translated, _, fmt_number, ngettext
from coalition.names import slugify
from coalition.presenting.city import warnings_table
from coalition.presenting.text import loaded_time

# Where links point when the page cannot tell the address its browser used.
DEFAULT_BASE = "http://localhost:8501"
# The url path of the Survey page a member's link opens (coalition.dashboard.PAGES).
SURVEY_PATH = "survey"
# A channel (coalition.survey.schema.CHANNELS) in words.
CHANNEL_NAMES = Translated(
    {
        "dashboard": N_("Survey page"),
        "html": N_("Offline form"),
        "xlsx": N_("Workbook"),
        "kobo": "KoboToolbox",
        "odk": "ODK",
        "google": "Google Forms",
        "msforms": "Microsoft Forms",
    }
)
# The three forms of a round: (kind, label, file-name ending, media type, when to use it);
# the label and the when are marked (N_): a page shows them with _().
FORMS = (
    (
        "html",
        N_("Offline form (.html)"),
        ".html",
        "text/html",
        N_(
            "One file members open in any web browser, with no internet and no server: they "
            "answer, save their answers as a file and email it back. Best for email rounds."
        ),
    ),
    (
        "workbook",
        N_("Workbook (.xlsx)"),
        "-workbook.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        N_(
            "An Excel workbook with the roster and drop-down lists: fill it in on paper at a "
            "meeting and type it up, or send it by email to members who prefer spreadsheets."
        ),
    ),
    (
        "xlsform",
        N_("XLSForm for KoboToolbox / ODK (.xlsx)"),
        "-xlsform.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        N_(
            "Upload it to KoboToolbox or ODK Central when your coalition already collects "
            "forms there (phones, tablets, offline collection); import their CSV export below."
        ),
    ),
)
# What an import adds (coalition.survey.importers.ImportResult.preview), in words.
PREVIEW_WORDS = Translated(
    {
        "respondents": N_("Members answering"),
        "answers": N_("Partner answers"),
        "profiles": N_("About-us answers (services, languages, neighborhoods)"),
        "outside": N_("Organizations outside the coalition named"),
        "replaced": N_("Earlier answers in the files replaced by a later one"),
    }
)
# Table headers (English, marked): the tables are returned with them in the language in use.
ROUND_COLUMNS = [
    N_("Round"),
    N_("State"),
    N_("Opened"),
    N_("Opened by"),
    N_("Closed"),
    N_("Closed by"),
    N_("Members answered"),
]
RESPONSE_COLUMNS = [N_("Member"), N_("Answered"), N_("When"), N_("How"), N_("Partners named")]
LINK_COLUMNS = [N_("Member"), N_("Link")]
HOLDER_COLUMNS = [N_("Member"), N_("Link made"), N_("Made by")]
PREVIEW_COLUMNS = [N_("What"), N_("How many")]


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its (marked) English headers in the language in use."""
    return frame.rename(columns=lambda column: _(str(column)))


def _text(value: Any) -> str:
    """A cell as text: blank for missing values (``None``, NaN)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _names(roster: pd.DataFrame) -> dict[str, str]:
    """Member id → name from a roster frame (``org_id``, ``name``)."""
    return {
        str(o): (_text(n) or str(o))
        for o, n in zip(roster["org_id"].tolist(), roster["name"].tolist(), strict=True)
    }


def _csv(frame: pd.DataFrame) -> bytes:
    """A frame as UTF-8 CSV (with a byte-order mark, for Excel), formulas neutralised."""
    safe = frame.astype(object).map(neutralise_formula)
    return safe.to_csv(index=False).encode("utf-8-sig")


# --- rounds ---------------------------------------------------------------------------------------
def rounds_table(rounds: pd.DataFrame) -> pd.DataFrame:
    """The store's rounds (:meth:`coalition.store.Store.survey_rounds`) as a table for people.

    Parameters
    ----------
    rounds : pandas.DataFrame
        ``round``, ``opened_at``, ``opened_by``, ``closed_at``, ``closed_by``, ``is_open``,
        ``respondents``.

    Returns
    -------
    pandas.DataFrame
        :data:`ROUND_COLUMNS`, in the order given (the store's: newest first).

    Examples
    --------
    >>> rounds = pd.DataFrame([{"round": "spring", "opened_at": "2026-03-01T09:00:00+00:00",
    ...     "opened_by": "ed", "closed_at": None, "closed_by": None, "is_open": True,
    ...     "respondents": 3}])
    >>> [str(v) for v in rounds_table(rounds).iloc[0]]
    ['spring', 'open', '2026-03-01 09:00 UTC', 'ed', '', '', '3']
    """
    rows = [
        {
            "Round": _text(r["round"]),
            "State": _("open") if bool(r["is_open"]) else _("closed"),
            "Opened": loaded_time(r["opened_at"]) if _text(r["opened_at"]) else "",
            "Opened by": _text(r["opened_by"]),
            "Closed": loaded_time(r["closed_at"]) if _text(r["closed_at"]) else "",
            "Closed by": _text(r["closed_by"]),
            "Members answered": int(r["respondents"]),
        }
        for r in rounds.to_dict("records")
    ]
    return _shown(pd.DataFrame(rows, columns=ROUND_COLUMNS))


# --- responses ------------------------------------------------------------------------------------
def response_rows(response: pd.DataFrame) -> pd.DataFrame:
    """The chase list: who has NOT answered first (roster order), then who answered.

    Parameters
    ----------
    response : pandas.DataFrame
        :func:`coalition.survey.analysis.response` (``org_id``, ``name``, ``answered``,
        ``partners_named``, ``answered_at``, ``channel``).

    Returns
    -------
    pandas.DataFrame
        :data:`RESPONSE_COLUMNS`: the member's name, "yes"/"no", when (UTC), the channel in
        words, and how many partners it named (blank when it has not answered).

    Examples
    --------
    >>> response = pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"],
    ...     "answered": [True, False], "partners_named": [2, 0],
    ...     "answered_at": ["2026-03-02T10:00:00Z", ""], "channel": ["html", ""]})
    >>> [[str(v) for v in row] for row in response_rows(response).values.tolist()]
    [['Beta', 'no', '', '', '<NA>'], ['Alpha', 'yes', '2026-03-02 10:00 UTC', 'Offline form', '2']]
    """
    missing = response[~response["answered"].astype(bool)]
    answered = response[response["answered"].astype(bool)]
    rows = []
    for frame in (missing, answered):
        for r in frame.to_dict("records"):
            yes = bool(r["answered"])
            channel = _text(r["channel"])
            rows.append(
                {
                    "Member": _text(r["name"]) or _text(r["org_id"]),
                    "Answered": _("yes") if yes else _("no"),
                    "When": loaded_time(r["answered_at"]) if _text(r["answered_at"]) else "",
                    "How": CHANNEL_NAMES.get(channel, channel),
                    "Partners named": int(r["partners_named"]) if yes else None,
                }
            )
    table = pd.DataFrame(rows, columns=RESPONSE_COLUMNS)
    # Whole numbers, blank (not NaN, not 0) for a member that has not answered.
    table["Partners named"] = pd.Series(
        [r["Partners named"] for r in rows], index=table.index, dtype="Int64"
    )
    return _shown(table)


def not_answered(response: pd.DataFrame) -> list[str]:
    """The names of the members that have not answered, in roster order.

    Examples
    --------
    >>> not_answered(pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"],
    ...     "answered": [True, False]}))
    ['Beta']
    """
    return [
        _text(n) or _text(o)
        for o, n, a in zip(
            response["org_id"].tolist(),
            response["name"].tolist(),
            response["answered"].tolist(),
            strict=True,
        )
        if not bool(a)
    ]


def not_answered_csv(response: pd.DataFrame) -> bytes:
    """The chase list as CSV: one column, ``Member``, the names only (nothing else leaves).

    Examples
    --------
    >>> data = not_answered_csv(pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "=1+1"],
    ...     "answered": [False, False]}))
    >>> data.decode("utf-8-sig").splitlines()
    ['Member', 'Alpha', "'=1+1"]
    """
    member = _("Member")
    return _csv(pd.DataFrame({member: not_answered(response)}, columns=[member]))


# --- links ----------------------------------------------------------------------------------------
def page_base(context_url: str | None, base_path: str = "") -> str:
    """The dashboard's address as the browser reached it: scheme, host and port (and base path).

    Parameters
    ----------
    context_url : str or None
        Streamlit's ``st.context.url`` (it includes the page's path, which is dropped).
    base_path : str
        Streamlit's ``server.baseUrlPath`` (when served under a path, e.g. behind a proxy).

    Returns
    -------
    str
        ``scheme://host[:port][/base]``, or :data:`DEFAULT_BASE` when the URL is missing or not
        an http(s) address.

    Examples
    --------
    >>> page_base("http://192.168.1.20:8501/survey-rounds")
    'http://192.168.1.20:8501'
    >>> page_base("https://coalition.example.org/app/survey-rounds", "/app/")
    'https://coalition.example.org/app'
    >>> page_base(None)
    'http://localhost:8501'
    """
    try:
        parts = urlsplit(str(context_url or ""))
    except ValueError:
        return DEFAULT_BASE
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return DEFAULT_BASE
    path = str(base_path or "").strip("/")
    base = f"{parts.scheme}://{parts.netloc}"
    return f"{base}/{path}" if path else base


def link_base(text: str) -> str:
    """The address typed for the links, checked: an http(s) address with a host, nothing else.

    Raises
    ------
    coalition.errors.DataError
        When it is not an ``http://`` or ``https://`` address with a host, or carries a query
        or a fragment.

    Examples
    --------
    >>> link_base("  http://10.0.0.5:8501/ ")
    'http://10.0.0.5:8501'
    >>> try:
    ...     link_base("javascript:alert(1)")
    ... except DataError as exc:
    ...     print(str(exc)[:33])
    The address for the links must be
    """
    shown = str(text or "").strip()
    problem = DataError(
        _(
            "The address for the links must be the dashboard's as members reach it, starting "
            "with http:// or https:// (e.g. {example} or https://coalition.example.org)."
        ).format(example=DEFAULT_BASE)
    )
    if not shown.isprintable() or any(c.isspace() for c in shown) or len(shown) > 300:
        raise problem
    try:
        parts = urlsplit(shown)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise problem from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise problem
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise problem
    return shown.rstrip("/")


def survey_url(base: str, token: str) -> str:
    """A member's private link: the Survey page with its token.

    Examples
    --------
    >>> survey_url("http://localhost:8501/", "a-b_c")
    'http://localhost:8501/survey?link=a-b_c'
    """
    return f"{str(base).rstrip('/')}/{SURVEY_PATH}?link={quote(str(token), safe='-_')}"


def link_rows(tokens: Mapping[str, str], roster: pd.DataFrame, base: str) -> pd.DataFrame:
    """The links just made, one row per member in roster order: the name and its full URL.

    Parameters
    ----------
    tokens : mapping of str to str
        Member id → token (:meth:`coalition.store.Store.make_survey_links`).
    roster : pandas.DataFrame
        The members (``org_id``, ``name``); an id missing from it is shown as itself.
    base : str
        The dashboard's address (:func:`link_base`).

    Examples
    --------
    >>> roster = pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> link_rows({"b": "t2", "a": "t1"}, roster, "http://h:8501").values.tolist()
    [['Alpha', 'http://h:8501/survey?link=t1'], ['Beta', 'http://h:8501/survey?link=t2']]
    """
    names = _names(roster)
    order = {org_id: i for i, org_id in enumerate(names)}
    ids = sorted(tokens, key=lambda o: (order.get(o, len(order)), o))
    rows = [{"Member": names.get(o, o), "Link": survey_url(base, tokens[o])} for o in ids]
    return _shown(pd.DataFrame(rows, columns=LINK_COLUMNS))


def links_csv(rows: pd.DataFrame) -> bytes:
    """The links as CSV (``Member``, ``Link``, in the language in use), formulas neutralised,
    for a mail merge.

    Examples
    --------
    >>> links_csv(pd.DataFrame({"Member": ["@x"], "Link": ["http://h/survey?link=t"]})
    ...     ).decode("utf-8-sig").splitlines()
    ['Member,Link', "'@x,http://h/survey?link=t"]
    """
    return _csv(rows.loc[:, [_(column) for column in LINK_COLUMNS]])


def without_link(roster: pd.DataFrame, links: pd.DataFrame) -> list[str]:
    """The ids of the members that have no link for the round yet, in roster order.

    Examples
    --------
    >>> roster = pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> without_link(roster, pd.DataFrame({"org_id": ["a"]}))
    ['b']
    """
    have = {str(o) for o in links["org_id"].tolist()} if "org_id" in links else set()
    return [o for o in _names(roster) if o not in have]


def link_holders(links: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Who has a link for the round (never the link itself: only its fingerprint is kept).

    Examples
    --------
    >>> roster = pd.DataFrame({"org_id": ["a"], "name": ["Alpha"]})
    >>> links = pd.DataFrame({"org_id": ["a"], "created_at": ["2026-03-01T09:00:00+00:00"],
    ...     "created_by": ["ed"]})
    >>> link_holders(links, roster).values.tolist()
    [['Alpha', '2026-03-01 09:00 UTC', 'ed']]
    """
    names = _names(roster)
    rows = [
        {
            "Member": names.get(str(r["org_id"]), str(r["org_id"])),
            "Link made": loaded_time(r["created_at"]) if _text(r["created_at"]) else "",
            "Made by": _text(r["created_by"]),
        }
        for r in links.to_dict("records")
    ]
    return _shown(pd.DataFrame(rows, columns=HOLDER_COLUMNS))


# --- forms ----------------------------------------------------------------------------------------
def form_file_name(round_name: str, ending: str) -> str:
    """A form's file name, as ``coalition survey make`` writes it (``partner-survey-<round>…``).

    Examples
    --------
    >>> form_file_name("2026 Spring!", "-workbook.xlsx")
    'partner-survey-2026-spring-workbook.xlsx'
    >>> form_file_name("../..", ".html")
    'partner-survey-round.html'
    """
    return f"partner-survey-{slugify(round_name) or 'round'}{ending}"


# --- import ---------------------------------------------------------------------------------------
def oversized(files: Iterable[tuple[str, int]], limit: int) -> list[Problem]:
    """A problem for each uploaded file larger than ``limit`` bytes (refused before reading).

    Examples
    --------
    >>> [p.file for p in oversized([("a.csv", 10), ("b.csv", 2_000)], 1_000)]
    ['b.csv']
    """
    return [
        Problem(
            name,
            _(
                "The file is {size} MB, more than the {limit} MB an upload may be: split it, "
                "or remove empty rows and unused sheets."
            ).format(size=fmt_number(size / 2**20, 1), limit=fmt_number(limit // 2**20)),
        )
        for name, size in files
        if size > limit
    ]


def problem_rows(problems: Sequence[Problem]) -> pd.DataFrame:
    """Every problem of an import as rows: file, row, column, value, what to do.

    Examples
    --------
    >>> [str(v) for v in problem_rows(
    ...     [Problem("a.csv", "Pick a member.", 3, "respondent", "Alpha Lib")]).iloc[0]]
    ['a.csv', '3', 'respondent', 'Alpha Lib', 'Pick a member.']
    """
    return warnings_table([p.as_dict() for p in problems])


def preview_rows(preview: Mapping[str, int]) -> pd.DataFrame:
    """What an import adds (``ImportResult.preview()``) as rows: what, how many.

    Examples
    --------
    >>> preview_rows({"respondents": 2, "answers": 5}).values.tolist()
    [['Members answering', 2], ['Partner answers', 5]]
    """
    rows = [
        {"What": PREVIEW_WORDS.get(key, key), "How many": int(count)}
        for key, count in preview.items()
    ]
    return _shown(pd.DataFrame(rows, columns=PREVIEW_COLUMNS))


def import_label(members: int) -> str:
    """The import button's words.

    Examples
    --------
    >>> import_label(1), import_label(12)
    ("Import 1 member's answers", "Import 12 members' answers")
    """
    return ngettext(
        "Import {count} member's answers", "Import {count} members' answers", members
    ).format(count=fmt_number(members))


def import_sentence(plan: Any) -> str:
    """What an import does to its round, in one sentence (a store's ``SurveyImport``).

    Examples
    --------
    >>> from coalition.store import SurveyImport
    >>> import_sentence(SurveyImport("spring", ["a", "b"], ["c"], []))
    'Round spring: 2 members answer for the first time, 1 replaces its earlier answers.'
    >>> import_sentence(SurveyImport("spring", [], [], ["a", "b"]))
    "Round spring: 2 keep their answers (newer than the file's)."
    """
    parts = []
    if plan.new:
        parts.append(
            ngettext(
                "{count} member answers for the first time",
                "{count} members answer for the first time",
                len(plan.new),
            ).format(count=fmt_number(len(plan.new)))
        )
    if plan.replaced:
        parts.append(
            ngettext(
                "{count} replaces its earlier answers",
                "{count} replace their earlier answers",
                len(plan.replaced),
            ).format(count=fmt_number(len(plan.replaced)))
        )
    if plan.kept:
        parts.append(
            ngettext(
                "{count} keeps its answers (newer than the file's)",
                "{count} keep their answers (newer than the file's)",
                len(plan.kept),
            ).format(count=fmt_number(len(plan.kept)))
        )
    if not parts:
        return _("Round {round}: nothing to import.").format(round=plan.round)
    return _("Round {round}: {changes}.").format(round=plan.round, changes=", ".join(parts))


__all__ = [
    "CHANNEL_NAMES",
    "DEFAULT_BASE",
    "FORMS",
    "PREVIEW_WORDS",
    "form_file_name",
    "import_label",
    "import_sentence",
    "link_base",
    "link_holders",
    "link_rows",
    "links_csv",
    "not_answered",
    "not_answered_csv",
    "oversized",
    "page_base",
    "preview_rows",
    "problem_rows",
    "response_rows",
    "rounds_table",
    "survey_url",
    "without_link",
]
