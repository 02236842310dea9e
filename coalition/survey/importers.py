"""Read a survey round's answers back, from whichever channel they came.

:func:`read_answers` (and :func:`import_answers`, which also returns the warnings and a preview)
take the files a round brings back and return the canonical :class:`RoundAnswers`:

- ``html``: the JSON files saved by the offline form (:func:`coalition.survey.forms.offline_form`).
- ``xlsx``: our workbook (:func:`coalition.survey.forms.workbook`), filled in.
- ``kobo``: a KoboToolbox export of our XLSForm: its CSV (``;``-separated, every cell quoted,
  group paths in headers as ``group/name``; metadata ``_id``, ``_uuid``, ``_submission_time``,
  ``_index``), with the repeat groups as separate files (``_parent_index`` / ``_submission__uuid``
  link each row to its submission), or joined in one file (one row per partner), or its .xlsx
  export (one sheet per repeat group).
- ``odk``: an ODK Central CSV export (``SubmissionDate``, ``meta-instanceID``, ``KEY``; a repeat
  in its own CSV linked by ``PARENT_KEY``), as the .zip Central gives or as the CSV files.
- ``google``: a Google Forms CSV (``Timestamp``, question texts as headers, grids as
  ``Question [Row]``).
- ``msforms``: a Microsoft Forms .xlsx export (``ID``, ``Start time``, ``Completion time``,
  ``Email``, ``Name``, then a column per question; a Likert row as ``Question.Row``).

The import rules are the data folder's: every problem at once, each with file, row, column, value
and what to do, raised as one :class:`coalition.errors.ValidationError`; names matched forgivingly
against the roster with "did you mean"; a member answering twice keeps its latest answer (a
warning says so); all or nothing. Every cell is hostile text: parsed as data, never evaluated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem, ValidationError
from ..i18n import _, fmt_number
from ..ingest import limits
from ..ingest.files import decode_text, read_file_bytes
from ..names import NameMatcher, hint, name_key
from ..schema import SERVICES
from . import forms, questions
from .schema import (
    CHANNELS,
    RoundAnswers,
    answers_frame,
    check_answers,
    neighborhoods_frame,
    outside_frame,
    profiles_frame,
    roster_frame,
)

log = logging.getLogger(__name__)

Source = str | Path | bytes | tuple[str, bytes]

FILE_CHANNELS = ("html", "xlsx", "kobo", "odk", "google", "msforms")
# Most submissions in one import (a round of a coalition is tens to hundreds).
MAX_SUBMISSIONS = 20_000


@dataclass(frozen=True)
class ImportResult:
    """A round read from files: the answers, the warnings, and what the round adds.

    Attributes
    ----------
    answers : RoundAnswers
        The canonical answers.
    warnings : list of Problem
        Things done on the user's behalf (e.g. an earlier answer of a member replaced).
    channel : str
        The channel the files came from.
    """

    answers: RoundAnswers
    warnings: list[Problem]
    channel: str

    def preview(self) -> dict[str, int]:
        """What the round adds: counts of respondents, answers, profiles, outside names.

        Examples
        --------
        >>> from coalition.survey.schema import empty_round
        >>> ImportResult(empty_round("r"), [], "html").preview()["respondents"]
        0
        """
        a = self.answers
        return {
            "respondents": len(a.respondents()),
            "answers": len(a.answers),
            "profiles": len(a.profiles),
            "outside": len(a.outside),
            "replaced": sum(1 for w in self.warnings if w.column == "respondent"),
        }


# --- entry points --------------------------------------------------------------------------------
def read_answers(
    source: Source | Sequence[Source],
    roster: Any,
    round: str,
    *,
    channel: str | None = None,
) -> RoundAnswers:
    """A round's answers from the files it brought back (see the module docstring).

    Parameters
    ----------
    source : path, bytes, (name, bytes), or a list of them
        One file, a folder (every file in it), or several files (e.g. a KoboToolbox main CSV
        and its repeat-group CSV, or many offline-form JSON files).
    roster : CityData, dict of city tables, or frame
        The members (see :func:`coalition.survey.schema.roster_frame`).
    round : str
        The round the answers belong to.
    channel : str, optional
        One of ``html``, ``xlsx``, ``kobo``, ``odk``, ``google``, ``msforms``; detected from the
        files when not given.

    Raises
    ------
    coalition.errors.ValidationError
        Listing every problem (nothing is imported).
    coalition.errors.DataError
        When the channel asked for is unknown.

    Examples
    --------
    >>> import json, pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> saved = {"format": "coalition-partner-survey", "round": "r1", "respondent": "a",
    ...          "answered_at": "2026-11-30T10:00:00Z",
    ...          "partners": [{"partner": "Beta", "relation": 3}]}
    >>> r = read_answers(("a.json", json.dumps(saved).encode()), orgs, "r1")
    >>> r.answers[["respondent", "partner", "relation"]].values.tolist()
    [['a', 'b', 3]]
    """
    result = import_answers(source, roster, round, channel=channel)
    for warning in result.warnings:
        log.info("%s", warning)
    return result.answers


def import_answers(
    source: Source | Sequence[Source],
    roster: Any,
    round: str,
    *,
    channel: str | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Like :func:`read_answers`, also returning the warnings and the channel.

    ``now`` is the time used when a file carries none (our workbook saved by a program that
    does not record it); default: the current time.

    Examples
    --------
    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["a"], "name": ["Alpha"]})
    >>> try:
    ...     import_answers(("x.csv", b"nothing,here\\n1,2\\n"), orgs, "r1")
    ... except ValidationError as exc:
    ...     print(exc.problems[0].message[:40])
    The file is not an export this tool know
    """
    if channel is not None and channel not in FILE_CHANNELS:
        raise DataError(
            f"Unknown channel {channel!r}; use one of: {', '.join(FILE_CHANNELS)} "
            "(or leave it out to detect it)."
        )
    now = now or dt.datetime.now(dt.UTC)
    problems: list[Problem] = []
    files = _load_sources(source, problems)
    if problems:
        raise ValidationError(problems)
    members = roster_frame(roster)
    context = _Context(
        round=str(round),
        members=NameMatcher.from_names(zip(members["org_id"], members["name"], strict=True)),
        member_ids=set(members["org_id"]),
        names=dict(zip(members["org_id"], members["name"], strict=True)),
        hoods=_hood_matcher(roster),
        now=now,
    )
    found = channel or _detect(files, problems)
    if found is None:
        raise ValidationError(problems)
    reader = _READERS[found]
    submissions = reader(files, context, problems)
    if len(submissions) > MAX_SUBMISSIONS:
        problems.append(
            Problem(
                files[0].name,
                _("More than {count} submissions in one import; split the files.").format(
                    count=fmt_number(MAX_SUBMISSIONS)
                ),
            )
        )
        raise ValidationError(problems)
    result = _build(submissions, context, found, problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(problems)
    return ImportResult(result, [p for p in problems if p.severity != "error"], found)


# --- files ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _File:
    name: str
    data: bytes


def _load_sources(source: Any, problems: list[Problem]) -> list[_File]:
    if isinstance(source, (str, Path, bytes, tuple)):
        items: list[Any] = [source]
    else:
        items = list(source)
    files: list[_File] = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            name, data = str(item[0]), item[1]
            if len(data) > limits.MAX_FILE_BYTES:
                problems.append(
                    Problem(name, _("The file is too large; split it or remove empty rows."))
                )
                continue
            files.append(_File(Path(name).name or "upload", data))
        elif isinstance(item, bytes):
            if len(item) > limits.MAX_FILE_BYTES:
                problems.append(
                    Problem("upload", _("The file is too large; split it or remove empty rows."))
                )
                continue
            files.append(_File("upload", item))
        else:
            path = Path(item)
            if path.is_dir():
                inside = sorted(p for p in path.iterdir() if p.is_file() and p.name[0] != ".")
                if not inside:
                    problems.append(Problem(path.name, _("The folder has no files to import.")))
                for p in inside:
                    _read_path(p, files, problems)
            else:
                _read_path(path, files, problems)
    if not files and not problems:
        problems.append(
            Problem("upload", _("No file given: pick the files the round brought back."))
        )
    return files


def _read_path(path: Path, files: list[_File], problems: list[Problem]) -> None:
    data, problem = read_file_bytes(path)
    if data is None:
        if problem:
            problems.append(problem)
        return
    files.append(_File(path.name, data))


def _is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def _is_workbook(data: bytes) -> bool:
    return _is_zip(data) and "xl/workbook.xml" in _zip_names(data)


# --- tables --------------------------------------------------------------------------------------
@dataclass
class _Table:
    """A sheet or CSV: its header as written and its rows (cells as text or values)."""

    file: str
    header: list[str]
    rows: list[list[Any]]
    numbers: list[int]  # the spreadsheet row number of each row (header = 1)

    def index(self) -> dict[str, int]:
        return {h: i for i, h in enumerate(self.header)}


def _delimiter(text: str) -> str:
    """The delimiter of a CSV text: Kobo writes ';', the others ','.

    The one that splits the first lines into the same number (above one) of columns, the most
    columns winning; a question title may itself hold ';' or ','.

    Examples
    --------
    >>> _delimiter('"a";"b;c";"d"\\n"1";"2";"3"\\n')
    ';'
    >>> _delimiter('t,"x (a; b; c; d)"\\n1,2\\n')
    ','
    """
    lines = text[:65536].splitlines()[:6]
    if len(lines) > 1 and len(text) > 65536:
        lines = lines[:-1]  # the last line may be cut
    sample = "\n".join(lines)
    best, best_width = ",", 0
    fallback, fallback_width = ",", 0
    for candidate in (",", ";", "\t"):
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=candidate)]
        except csv.Error:
            continue
        if not widths:
            continue
        if widths[0] > fallback_width:
            fallback, fallback_width = candidate, widths[0]
        if widths[0] > 1 and len(set(widths)) == 1 and widths[0] > best_width:
            best, best_width = candidate, widths[0]
    return best if best_width else fallback


def _read_csv(file: _File, problems: list[Problem]) -> _Table | None:
    text = decode_text(file.data, file.name, problems)
    if text is None:
        return None
    if "\x00" in text:
        problems.append(Problem(file.name, _("The file holds binary data; export it as CSV.")))
        return None
    delimiter = _delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        records = []
        for record in reader:
            records.append(record)
            if len(records) > limits.MAX_ROWS + 1:
                problems.append(
                    Problem(file.name, f"More than {limits.MAX_ROWS:,} rows; split the file.")
                )
                return None
    except csv.Error as exc:
        problems.append(
            Problem(
                file.name,
                f"The file cannot be read as CSV ({exc}); it may be cut short. Export it again.",
            )
        )
        return None
    if not records:
        problems.append(Problem(file.name, _("The file is empty; export it again.")))
        return None
    header = [h.strip() for h in records[0]]
    if len(header) > limits.MAX_COLUMNS:
        problems.append(Problem(file.name, f"More than {limits.MAX_COLUMNS} columns."))
        return None
    rows, numbers = [], []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append(record + [""] * (len(header) - len(record)))
        numbers.append(number)
    return _Table(file.name, header, rows, numbers)


def _open_workbook(file: _File, problems: list[Problem]) -> Any:
    from openpyxl import load_workbook  # defusedxml is installed: XML bombs are refused

    declared = 0
    try:
        with zipfile.ZipFile(io.BytesIO(file.data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        pass
    if declared > limits.MAX_UNZIPPED_WORKBOOK_BYTES:
        problems.append(
            Problem(file.name, "The workbook unpacks to too much data; remove unused sheets.")
        )
        return None
    try:
        return load_workbook(io.BytesIO(file.data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(
            Problem(
                file.name,
                f"Cannot open the workbook ({type(exc).__name__}); is it a complete .xlsx? "
                "Save it again from your spreadsheet program.",
            )
        )
        return None


def _sheet_rows(sheet: Any, file: str, problems: list[Problem]) -> list[tuple[int, list[Any]]]:
    """A sheet's non-empty rows as (row number, values), bounded by the limits."""
    declared_rows = sheet.max_row or 0
    if declared_rows > limits.MAX_ROWS + 1:
        problems.append(
            Problem(f"{file}[{sheet.title}]", f"More than {limits.MAX_ROWS:,} rows; split it.")
        )
        return []
    width = min(sheet.max_column or limits.MAX_COLUMNS, limits.MAX_COLUMNS)
    out = []
    for number, values in enumerate(
        sheet.iter_rows(max_row=limits.MAX_ROWS + 1, max_col=width, values_only=True), start=1
    ):
        if any(v is not None and str(v).strip() for v in values):
            out.append((number, list(values)))
    return out


def _sheet_table(sheet: Any, file: str, problems: list[Problem]) -> _Table | None:
    rows = _sheet_rows(sheet, file, problems)
    if not rows:
        return None
    _header_number, header = rows[0]
    names = [_cell(h) for h in header]
    while names and not names[-1]:
        names.pop()
    body = [values[: len(names)] + [None] * (len(names) - len(values)) for _, values in rows[1:]]
    return _Table(f"{file}[{sheet.title}]", names, body, [n for n, _ in rows[1:]])


def _cell(value: Any) -> str:
    """A cell as text (a whole float as an integer)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).strip()


# --- detecting the channel -----------------------------------------------------------------------
def _detect(files: list[_File], problems: list[Problem]) -> str | None:
    found: dict[str, str] = {}
    for file in files:
        before = len(problems)
        channel = _detect_one(file, problems)
        if channel is None and len(problems) == before:
            problems.append(
                Problem(
                    file.name,
                    "The file is not an export this tool knows: use the offline form's JSON, our "
                    "workbook, a KoboToolbox or ODK Central CSV export, a Google Forms CSV or a "
                    "Microsoft Forms .xlsx (see docs/survey.md), or say which with --channel.",
                )
            )
        elif channel is not None:
            found[file.name] = channel
    kinds = set(found.values())
    if len(kinds) > 1:
        listed = "; ".join(f"{name}: {kind}" for name, kind in found.items())
        problems.append(
            Problem(
                files[0].name,
                f"The files come from different channels ({listed}); import each channel "
                "separately.",
            )
        )
        return None
    if problems:
        return None
    return kinds.pop() if kinds else None


def _detect_one(file: _File, problems: list[Problem]) -> str | None:
    data = file.data
    if not data.strip():
        problems.append(Problem(file.name, _("The file is empty; export or save it again.")))
        return None
    if _is_zip(data):
        names = _zip_names(data)
        if "xl/workbook.xml" in names:
            return _detect_workbook(file, problems)
        if any(n.lower().endswith(".csv") for n in names):
            return "odk"  # Central's submissions .zip
        return None
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "html"
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    cells = {c.strip().strip('"').strip() for c in re.split(r"[,;\t]", first)}
    lowered = {c.lower() for c in cells}
    if lowered & {"_submission_time", "_uuid", "_parent_index", "_submission__uuid"}:
        return "kobo"
    if lowered & {"submissiondate", "parent_key", "meta-instanceid"} or "KEY" in cells:
        return "odk"
    if "timestamp" in lowered:
        return "google"
    return None


def _detect_workbook(file: _File, problems: list[Problem]) -> str | None:
    book = _open_workbook(file, problems)
    if book is None:
        return None
    try:
        names = [s.lower() for s in book.sheetnames]
        if forms.SHEET_ABOUT in names:
            return "xlsx"
        first = book.worksheets[0]
        header = next(first.iter_rows(max_row=1, max_col=60, values_only=True), ())
        cells = {_cell(v).lower() for v in header}
        if {"id", "start time", "completion time"} <= cells:
            return "msforms"
        if cells & {"_submission_time", "_uuid", "_index"}:
            return "kobo"
        return None
    finally:
        book.close()


# --- the raw submissions every channel reads into ------------------------------------------------
@dataclass
class _Raw:
    """A value as read, and where it was."""

    value: Any
    file: str
    row: int | None
    column: str | None


@dataclass
class _PartnerRaw:
    partner: _Raw
    items: dict[str, _Raw] = field(default_factory=dict)


@dataclass
class _Submission:
    file: str
    row: int | None
    respondent: _Raw
    when: dt.datetime | None
    partners: list[_PartnerRaw] = field(default_factory=list)
    services: list[_Raw] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    neighborhoods: list[_Raw] = field(default_factory=list)
    outside: list[tuple[_Raw, _Raw]] = field(default_factory=list)


@dataclass
class _Context:
    round: str
    members: NameMatcher
    member_ids: set[str]
    names: dict[str, str]
    hoods: NameMatcher | None
    now: dt.datetime


def _hood_matcher(roster: Any) -> NameMatcher | None:
    frame = neighborhoods_frame(roster)
    if frame.empty:
        return None
    return NameMatcher.from_names(zip(frame["neighborhood_id"], frame["name"], strict=True))


_SERVICE_MATCHER = NameMatcher({**{k: k for k in SERVICES}, **{v: k for k, v in SERVICES.items()}})


# --- building the canonical answers --------------------------------------------------------------
def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _build(
    submissions: list[_Submission], ctx: _Context, channel: str, problems: list[Problem]
) -> RoundAnswers:
    # Resolve respondents first: duplicates are decided on the matched id.
    # An unknown respondent's answers are still checked (every problem at once), not kept.
    unknown: list[tuple[_Submission, int]] = []
    latest: dict[str, tuple[_Submission, int]] = {}
    for order, sub in enumerate(submissions):
        who = _member(sub.respondent, ctx, problems, _("Which organization answered"))
        if who is None:
            unknown.append((sub, order))
            continue
        when = sub.when or ctx.now
        kept = latest.get(who)
        if kept is None:
            latest[who] = (sub, order)
            continue
        kept_sub = kept[0]
        newer = when >= (kept_sub.when or ctx.now)
        winner, loser = (sub, kept_sub) if newer else (kept_sub, sub)
        latest[who] = (winner, order) if newer else kept
        problems.append(
            Problem(
                loser.file,
                _(
                    "{member} answered more than once; the latest answer ({where}, {kept}) is "
                    "kept and this one ({dropped}) is dropped. Delete the one you do not want "
                    "to silence this warning."
                ).format(
                    member=ctx.names.get(who, who),
                    where=_where(winner),
                    kept=_stamp(winner.when or ctx.now),
                    dropped=_stamp(loser.when or ctx.now),
                ),
                loser.row,
                "respondent",
                str(who),
                severity="warning",
            )
        )
    answer_rows: list[dict[str, Any]] = []
    profile_rows: list[dict[str, Any]] = []
    outside_rows: list[dict[str, Any]] = []
    chosen: list[tuple[str | None, _Submission, int]] = [
        (who, sub, order) for who, (sub, order) in latest.items()
    ]
    chosen += [(None, sub, order) for sub, order in unknown]
    chosen.sort(key=lambda entry: entry[2])
    for who, sub, _order in chosen:
        stamp = _stamp(sub.when or ctx.now)
        seen: dict[str, _Raw] = {}
        for pr in sub.partners:
            partner = _member(pr.partner, ctx, problems, _("Which partner"))
            keep = partner is not None and who is not None
            if partner is not None and partner == who:
                problems.append(
                    _problem(
                        pr.partner,
                        _("A member cannot name itself as a partner; remove this answer."),
                    )
                )
                keep = False
            elif partner is not None and partner in seen:
                problems.append(
                    _problem(
                        pr.partner,
                        _(
                            "This partner is already answered about ({where}); keep one answer "
                            "per partner."
                        ).format(where=_raw_where(seen[partner])),
                    )
                )
                keep = False
            elif partner is not None:
                seen[partner] = pr.partner
            row: dict[str, Any] = {
                "round": ctx.round,
                "respondent": who,
                "partner": partner,
                "answered_at": stamp,
                "channel": channel,
            }
            for item in questions.PARTNER_ITEMS:
                raw = pr.items.get(item.key)
                code = _code(raw, item.scale, problems) if raw is not None else None
                if code is None and item.required and (raw is None or _blank(raw.value)):
                    where = raw or pr.partner
                    problems.append(
                        Problem(
                            where.file,
                            _(
                                "Say how you work with this partner ({question}): one of {codes}."
                            ).format(question=item.shown_short, codes=_codes(item.scale)),
                            where.row,
                            raw.column if raw else item.key,
                            None,
                        )
                    )
                row[item.key] = code
            if keep:
                answer_rows.append(row)
        services = []
        for raw in sub.services:
            key = _SERVICE_MATCHER.match(str(raw.value))
            if key is None:
                problems.append(
                    _problem(
                        raw,
                        _("Unknown service; use one of: {services}.").format(
                            services=", ".join(_(words) for words in SERVICES.values())
                        )
                        + hint(_SERVICE_MATCHER.suggestions(str(raw.value))),
                    )
                )
            elif key not in services:
                services.append(key)
        hoods = []
        for raw in sub.neighborhoods:
            hood = ctx.hoods.match(str(raw.value)) if ctx.hoods else None
            if hood is None:
                problems.append(
                    _problem(
                        raw,
                        _("Unknown neighborhood; pick one of the city's neighborhoods.")
                        + (hint(ctx.hoods.suggestions(str(raw.value))) if ctx.hoods else ""),
                    )
                )
            elif hood not in hoods:
                hoods.append(hood)
        languages = list(dict.fromkeys(x.strip() for x in sub.languages if x.strip()))
        if who is not None and (services or hoods or languages):
            profile_rows.append(
                {
                    "round": ctx.round,
                    "respondent": who,
                    "services": services,
                    "languages": languages,
                    "neighborhoods": hoods,
                    "answered_at": stamp,
                    "channel": channel,
                }
            )
        for name_raw, relation_raw in sub.outside:
            text = str(name_raw.value).strip()
            if len(text) > 200:
                problems.append(
                    _problem(name_raw, _("Keep an organization's name under 200 characters."))
                )
                continue
            code = _code(relation_raw, questions.RELATION, problems)
            if who is not None:
                outside_rows.append(
                    {"round": ctx.round, "respondent": who, "name": text, "relation": code}
                )
    result = RoundAnswers(
        ctx.round,
        answers_frame(answer_rows),
        profiles_frame(profile_rows),
        outside_frame(outside_rows),
    )
    if not any(p.severity == "error" for p in problems):
        # A last guard: what the readers built must be canonical.
        problems.extend(check_answers(result))
    return result


def _where(sub: _Submission) -> str:
    if sub.row is None:
        return sub.file
    return _("{file}, row {row}").format(file=sub.file, row=sub.row)


def _raw_where(raw: _Raw) -> str:
    where = _("row {row}").format(row=raw.row) if raw.row is not None else raw.file
    if not raw.column:
        return where
    return _("{where}, column '{column}'").format(where=where, column=raw.column)


def _codes(scale: questions.Scale) -> str:
    """A scale's codes and labels for a problem's sentence: "1 label; 2 label…"."""
    return "; ".join(f"{code} {scale.shown(code)}" for code in scale.codes)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)[:200]


def _problem(raw: _Raw, message: str) -> Problem:
    return Problem(raw.file, message, raw.row, raw.column, _shown(raw.value))


def _member(raw: _Raw, ctx: _Context, problems: list[Problem], what: str) -> str | None:
    value = raw.value
    if _blank(value):
        problems.append(
            _problem(
                raw,
                _("{question}? Pick a member organization from the roster.").format(question=what),
            )
        )
        return None
    text = str(value).strip()
    if text in ctx.member_ids:
        return text
    found = ctx.members.match(text)
    if found is not None:
        return found
    problems.append(
        _problem(
            raw,
            _(
                "Not a member on the roster; pick the organization from the list (or add it to "
                "the coalition first)."
            )
            + hint(ctx.members.suggestions(text)),
        )
    )
    return None


_LEADING_CODE = re.compile(r"^\s*([1-4])(?:\.0+)?\s*(?:$|[-–:.)]\s*|\s+)(.*)$")


def _code(raw: _Raw | None, scale: questions.Scale, problems: list[Problem]) -> int | None:
    """A 1..4 code from a cell: a number, a label, or "3 - label"; blank is None."""
    if raw is None or _blank(raw.value):
        return None
    value = raw.value
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        if float(value).is_integer() and int(value) in scale.codes:
            return int(value)
    else:
        text = str(value).strip()
        found = scale.code_of(text)
        if found is not None:
            return found
        match = _LEADING_CODE.match(text)
        if match:
            code = int(match.group(1))
            rest = match.group(2).strip()
            if not rest or scale.code_of(rest) == code:
                return code
    problems.append(
        _problem(
            raw,
            _("Not an answer on the scale; use one of: {codes}.").format(codes=_codes(scale)),
        )
    )
    return None


# --- time stamps ---------------------------------------------------------------------------------
_GMT = re.compile(r"\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)
_ZONE_WORD = re.compile(r"\s+(?:GMT|UTC|Z)\s*$", re.IGNORECASE)
_FORMATS = (
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %I:%M:%S %p",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)


def parse_time(value: Any) -> dt.datetime | None:
    """A submission time as an aware UTC datetime, or None when it is not one.

    Reads ISO 8601 (with or without a zone), a spreadsheet date, and the formats Google Forms
    and Microsoft Forms write (``2026/11/30 2:05:33 PM GMT-5``, ``11/30/2026 14:05:33``). A time
    without a zone is read as UTC.

    Examples
    --------
    >>> parse_time("2026/11/30 2:05:33 PM GMT-5").isoformat()
    '2026-11-30T19:05:33+00:00'
    >>> parse_time("2026-11-30T14:05:33.120Z").isoformat()
    '2026-11-30T14:05:33.120000+00:00'
    >>> parse_time("soon") is None
    True
    """
    if isinstance(value, dt.datetime):
        stamp = value
    elif _blank(value):
        return None
    else:
        text = str(value).strip()
        offset = None
        zone = _GMT.search(text)
        if zone:
            sign = 1 if zone.group(1) == "+" else -1
            offset = dt.timezone(
                sign * dt.timedelta(hours=int(zone.group(2)), minutes=int(zone.group(3) or 0))
            )
            text = text[: zone.start()]
        else:
            text = _ZONE_WORD.sub("", text)
        stamp = None
        try:
            stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for pattern in _FORMATS:
                try:
                    stamp = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if stamp is None:
            return None
        if offset is not None and stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=offset)
    assert stamp is not None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def _time_of(raw: _Raw, problems: list[Problem], what: str) -> dt.datetime | None:
    stamp = parse_time(raw.value)
    if stamp is None:
        problems.append(
            _problem(
                raw,
                f"{what} is not a date and time this tool reads (e.g. 2026-11-30T14:05:00Z); "
                "export the file again without changing this column.",
            )
        )
    return stamp


# --- header matching -----------------------------------------------------------------------------
def _field_spellings() -> dict[str, str]:
    """Every header spelling of our fields (names, short labels, question texts), keyed."""
    spellings: dict[str, str] = {}

    def add(field_name: str, *texts: str) -> None:
        for text in texts:
            key = name_key(text)
            if key:
                spellings.setdefault(key, field_name)

    add(forms.RESPONDENT, forms.RESPONDENT, questions.RESPONDENT_QUESTION, "organization")
    add(forms.PARTNER, forms.PARTNER, "Partner (pick from the list)")
    for item in questions.PARTNER_ITEMS:
        add(item.key, item.key, item.short, item.text)
    add(forms.SERVICES_FIELD, forms.SERVICES_FIELD, questions.SERVICES_QUESTION)
    add(forms.LANGUAGES_FIELD, forms.LANGUAGES_FIELD, questions.LANGUAGES_QUESTION)
    add(forms.NEIGHBORHOODS_FIELD, forms.NEIGHBORHOODS_FIELD, questions.NEIGHBORHOODS_QUESTION)
    add(forms.OUTSIDE_NAME, forms.OUTSIDE_NAME, questions.OUTSIDE_QUESTION, "Organization's name")
    add(forms.OUTSIDE_RELATION, forms.OUTSIDE_RELATION, questions.OUTSIDE_RELATION_QUESTION)
    return spellings


_SPELLINGS = _field_spellings()
_ITEM_KEYS = {item.key for item in questions.PARTNER_ITEMS}


def _field_of(header: str, separators: str = "/") -> str | None:
    """Our field a column header stands for: the whole header, or its last group-path segment."""
    found = _SPELLINGS.get(name_key(header))
    if found:
        return found
    for sep in separators:
        if sep in header:
            found = _SPELLINGS.get(name_key(header.rsplit(sep, 1)[1]))
            if found:
                return found
    return None


def _fields(table: _Table, separators: str = "/") -> dict[str, int]:
    out: dict[str, int] = {}
    for index, header in enumerate(table.header):
        found = _field_of(header, separators)
        if found and found not in out:
            out[found] = index
    return out


_GRID = re.compile(r"^(?P<q>.*?)\s*\[(?P<row>.*)\]\s*$", re.DOTALL)


def _grid_column(header: str) -> tuple[str, str] | None:
    """(item key, row text) for a grid or Likert column: ``Question [Row]`` or ``Question.Row``."""
    match = _GRID.match(header)
    if match:
        found = _SPELLINGS.get(name_key(match.group("q")))
        if found in _ITEM_KEYS:
            return found, match.group("row").strip()
    for sep in (".", ":", " - "):
        if sep not in header:
            continue
        # The question part ends at some separator: try each, shortest first.
        start = 0
        while True:
            at = header.find(sep, start)
            if at < 0:
                break
            found = _SPELLINGS.get(name_key(header[:at]))
            if found in _ITEM_KEYS:
                return found, header[at + len(sep) :].strip()
            start = at + 1
    return None


def _missing_column(table: _Table, what: str, fix: str) -> Problem:
    return Problem(table.file, f"No column for {what}. {fix}", 1)


# --- channel readers -----------------------------------------------------------------------------
def _read_html(files: list[_File], ctx: _Context, problems: list[Problem]) -> list[_Submission]:
    subs: list[_Submission] = []
    for file in files:
        text = decode_text(file.data, file.name, problems)
        if text is None:
            continue
        try:
            data = json.loads(text)
        except ValueError as exc:
            problems.append(
                Problem(
                    file.name,
                    f"Not a saved survey file (JSON error: {str(exc)[:80]}). Ask the member to "
                    "save it again from the form.",
                )
            )
            continue
        for number, entry in enumerate(data if isinstance(data, list) else [data], start=1):
            sub = _html_submission(
                entry, file.name, number if isinstance(data, list) else None, ctx, problems
            )
            if sub is not None:
                subs.append(sub)
    return subs


def _html_submission(
    entry: Any, file: str, row: int | None, ctx: _Context, problems: list[Problem]
) -> _Submission | None:
    if not isinstance(entry, dict) or entry.get("format") != forms.JSON_FORMAT:
        problems.append(
            Problem(file, "Not a file saved by the survey's offline form; ask for that file.", row)
        )
        return None
    if str(entry.get("round", "")) != ctx.round:
        problems.append(
            Problem(
                file,
                f"This answer is for another round; import it with --round "
                f"{str(entry.get('round'))[:80]!r} or ask the member to use this round's form.",
                row,
                "round",
                _shown(entry.get("round")),
            )
        )
        return None
    when = _time_of(
        _Raw(entry.get("answered_at"), file, row, "answered_at"), problems, "answered_at"
    )
    sub = _Submission(file, row, _Raw(entry.get("respondent"), file, row, "respondent"), when)
    partners = entry.get("partners") or []
    if not isinstance(partners, list):
        problems.append(Problem(file, "'partners' must be a list.", row, "partners"))
        partners = []
    for i, p in enumerate(partners, start=1):
        column = f"partners[{i}]"
        if not isinstance(p, dict):
            problems.append(Problem(file, "A partner's answer must be an object.", row, column))
            continue
        pr = _PartnerRaw(_Raw(p.get("partner"), file, row, f"{column}.partner"))
        for key in _ITEM_KEYS:
            if key in p:
                pr.items[key] = _Raw(p.get(key), file, row, f"{column}.{key}")
        sub.partners.append(pr)
    profile = entry.get("profile") or {}
    if isinstance(profile, dict):
        sub.services = [_Raw(v, file, row, "profile.services") for v in _list(profile, "services")]
        sub.languages = [str(v) for v in _list(profile, "languages")]
        sub.neighborhoods = [
            _Raw(v, file, row, "profile.neighborhoods") for v in _list(profile, "neighborhoods")
        ]
    for i, o in enumerate(entry.get("outside") or [], start=1):
        if isinstance(o, dict) and not _blank(o.get("name")):
            column = f"outside[{i}]"
            sub.outside.append(
                (
                    _Raw(o.get("name"), file, row, f"{column}.name"),
                    _Raw(o.get("relation"), file, row, f"{column}.relation"),
                )
            )
    return sub


def _list(mapping: dict, key: str) -> list[Any]:
    value = mapping.get(key) or []
    return [v for v in value if isinstance(v, (str, int))] if isinstance(value, list) else []


def _read_xlsx(files: list[_File], ctx: _Context, problems: list[Problem]) -> list[_Submission]:
    subs = []
    for file in files:
        book = _open_workbook(file, problems)
        if book is None:
            continue
        try:
            sub = _workbook_submission(book, file, ctx, problems)
        finally:
            book.close()
        if sub is not None:
            subs.append(sub)
    return subs


def _workbook_submission(
    book: Any, file: _File, ctx: _Context, problems: list[Problem]
) -> _Submission | None:
    sheets = {s.title.lower(): s for s in book.worksheets}
    about = sheets.get(forms.SHEET_ABOUT)
    facts = {}
    if about is not None:
        for _, values in _sheet_rows(about, file.name, problems):
            if len(values) >= 2:
                facts[_cell(values[0])] = _cell(values[1])
    if facts.get("format") != forms.WORKBOOK_FORMAT:
        problems.append(
            Problem(
                file.name,
                "Not the survey's workbook (its hidden 'about' sheet is missing); "
                "use the workbook made for this round.",
            )
        )
        return None
    if facts.get("round") != ctx.round:
        problems.append(
            Problem(
                f"{file.name}[{forms.SHEET_ABOUT}]",
                f"This workbook is for another round; import it with --round "
                f"{facts.get('round', '')[:80]!r} or send this round's workbook.",
                3,
                "round",
                facts.get("round"),
            )
        )
        return None
    missing = [s for s in (forms.SHEET_PROFILE, forms.SHEET_PARTNERS) if s not in sheets]
    if missing:
        problems.append(
            Problem(
                file.name,
                "Sheets missing: " + ", ".join(missing) + "; use the workbook "
                "made for this round without removing sheets.",
            )
        )
        return None
    modified = getattr(book.properties, "modified", None)
    when = parse_time(modified) if modified else None
    profile_name = f"{file.name}[{forms.SHEET_PROFILE}]"
    profile_rows = _sheet_rows(sheets[forms.SHEET_PROFILE], file.name, problems)
    by_number = {n: v for n, v in profile_rows}
    first = by_number.get(1, [])
    respondent = first[1] if len(first) > 1 else None
    sub = _Submission(profile_name, 1, _Raw(_cell(respondent) or None, profile_name, 1, "B"), when)
    languages = by_number.get(2, [])
    if len(languages) > 1 and languages[1] is not None:
        sub.languages = [x for x in re.split(r"[;,]", _cell(languages[1])) if x.strip()]
    in_hoods = False
    for number, values in profile_rows:
        if number <= 3:
            continue
        label = _cell(values[0]) if values else ""
        if name_key(label).startswith(name_key(questions.NEIGHBORHOODS_QUESTION)):
            in_hoods = True
            continue
        answer = _cell(values[1]) if len(values) > 1 else ""
        key = _cell(values[2]) if len(values) > 2 else ""
        if not key or not answer:
            continue
        if name_key(answer) not in ("yes", "y", "x", "1", "true"):
            if name_key(answer) in ("no", "n", "0", "false"):
                continue
            problems.append(
                Problem(
                    profile_name,
                    f"Write '{forms.YES}' or leave the cell blank.",
                    number,
                    "B",
                    answer[:200],
                )
            )
            continue
        target = sub.neighborhoods if in_hoods else sub.services
        target.append(_Raw(key, profile_name, number, "C"))
    partners_name = f"{file.name}[{forms.SHEET_PARTNERS}]"
    partner_rows = _sheet_rows(sheets[forms.SHEET_PARTNERS], file.name, problems)
    keys_row = next((v for n, v in partner_rows if n == 2), None)
    keys = [_cell(k) for k in keys_row] if keys_row else []
    if not keys or keys[0] != forms.PARTNER:
        problems.append(
            Problem(
                partners_name,
                "The hidden row 2 with the field names was changed; use the "
                "workbook made for this round.",
                2,
            )
        )
        return None
    header = next((v for n, v in partner_rows if n == 1), [])
    for number, values in partner_rows:
        if number <= 2:
            continue
        if all(_blank(v) for v in values):
            continue
        pr = _PartnerRaw(
            _Raw(
                _cell(values[0]) or None, partners_name, number, _cell(header[0]) if header else "A"
            )
        )
        for index, key in enumerate(keys[1:], start=1):
            if key in _ITEM_KEYS and index < len(values):
                column = _cell(header[index]) if index < len(header) else key
                pr.items[key] = _Raw(values[index], partners_name, number, column)
        sub.partners.append(pr)
    if forms.SHEET_OUTSIDE in sheets:
        outside_name = f"{file.name}[{forms.SHEET_OUTSIDE}]"
        for number, values in _sheet_rows(sheets[forms.SHEET_OUTSIDE], file.name, problems):
            if number <= 2 or not values or _blank(values[0]):
                continue
            relation = values[1] if len(values) > 1 else None
            sub.outside.append(
                (
                    _Raw(_cell(values[0]), outside_name, number, "A"),
                    _Raw(relation, outside_name, number, "B"),
                )
            )
    return sub


# Kobo and ODK: a main table and repeat tables linked to it.
def _tables_of(files: list[_File], problems: list[Problem]) -> list[_Table]:
    tables: list[_Table] = []
    for file in files:
        if _is_workbook(file.data):
            book = _open_workbook(file, problems)
            if book is None:
                continue
            try:
                for sheet in book.worksheets:
                    table = _sheet_table(sheet, file.name, problems)
                    if table is not None:
                        tables.append(table)
            finally:
                book.close()
        elif _is_zip(file.data):
            try:
                with zipfile.ZipFile(io.BytesIO(file.data)) as archive:
                    infos = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
                    if sum(i.file_size for i in infos) > limits.MAX_UNZIPPED_WORKBOOK_BYTES:
                        problems.append(Problem(file.name, "The .zip unpacks to too much data."))
                        continue
                    for info in infos:
                        inner = _File(Path(info.filename).name, archive.read(info))
                        table = _read_csv(inner, problems)
                        if table is not None:
                            tables.append(table)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                problems.append(
                    Problem(
                        file.name,
                        f"Cannot open the .zip ({type(exc).__name__}); download it again.",
                    )
                )
        else:
            table = _read_csv(file, problems)
            if table is not None:
                tables.append(table)
    return tables


def _cell_of(table: _Table, row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _raw_cell(table: _Table, row: list[Any], number: int, index: int | None) -> _Raw:
    """The cell of ``row`` at column ``index`` as read, with its file, row and column header."""
    return _Raw(
        _cell_of(table, row, index),
        table.file,
        number,
        table.header[index] if index is not None else None,
    )


def _form_tables(
    files: list[_File],
    problems: list[Problem],
    *,
    separators: str,
    links: tuple[tuple[str, str], ...],
    time_columns: tuple[str, ...],
    tool: str,
) -> list[_Submission]:
    """Submissions from a main table and its repeat tables (KoboToolbox, ODK Central).

    ``links`` pairs a main table's id column with the column of a repeat table that names it.
    """
    link_child = tuple(child for _, child in links)
    tables = _tables_of(files, problems)
    mains, partner_tables, outside_tables = [], [], []
    for table in tables:
        fields = _fields(table, separators)
        lowered = {h.lower(): i for i, h in enumerate(table.header)}
        is_child = any(c.lower() in lowered for c in link_child)
        if forms.RESPONDENT in fields:
            mains.append((table, fields))
        elif is_child and forms.PARTNER in fields:
            partner_tables.append((table, fields))
        elif is_child and forms.OUTSIDE_NAME in fields:
            outside_tables.append((table, fields))
    if not mains:
        problems.append(
            Problem(
                tables[0].file if tables else files[0].name,
                f"No table with the column '{forms.RESPONDENT}' (the organization answering). "
                f"Export the {tool} data of the form made by 'coalition survey make', with "
                "XML values and headers.",
            )
        )
        return []
    subs: list[_Submission] = []
    by_link: dict[tuple[str, str], _Submission] = {}
    for table, fields in mains:
        lowered = {h.lower(): i for i, h in enumerate(table.header)}
        time_at = next((lowered[c.lower()] for c in time_columns if c.lower() in lowered), None)
        own = [(child, lowered[main.lower()]) for main, child in links if main.lower() in lowered]
        if time_at is None:
            problems.append(
                _missing_column(
                    table,
                    "the submission time (" + " or ".join(time_columns) + ")",
                    f"Export again from {tool} with its metadata columns.",
                )
            )
        joined = forms.PARTNER in fields  # one row per partner, the submission's cells repeated
        for row, number in zip(table.rows, table.numbers, strict=True):
            keys = [
                (child, str(_cell_of(table, row, i)))
                for child, i in own
                if not _blank(_cell_of(table, row, i))
            ]
            sub = by_link.get(keys[0]) if joined and keys else None
            if sub is None:
                when = (
                    _time_of(
                        _raw_cell(table, row, number, time_at), problems, "The submission time"
                    )
                    if time_at is not None
                    else None
                )
                sub = _Submission(
                    table.file,
                    number,
                    _raw_cell(table, row, number, fields[forms.RESPONDENT]),
                    when,
                )
                _profile_cells(sub, table, fields, row, number, multi_sep=" ")
                subs.append(sub)
                for key in keys:
                    by_link[key] = sub
            if joined:
                partner = _partner_from_row(table, fields, row, number)
                if partner is not None:
                    sub.partners.append(partner)
    for table, fields in partner_tables:
        _attach(
            table,
            fields,
            by_link,
            link_child,
            problems,
            lambda sub, row, number, t=table, f=fields: _add_partner(sub, t, f, row, number),
        )
    for table, fields in outside_tables:
        _attach(
            table,
            fields,
            by_link,
            link_child,
            problems,
            lambda sub, row, number, t=table, f=fields: _add_outside(sub, t, f, row, number),
        )
    return subs


def _attach(
    table: _Table,
    fields: dict[str, int],
    by_link: dict[tuple[str, str], _Submission],
    link_child: tuple[str, ...],
    problems: list[Problem],
    add: Any,
) -> None:
    lowered = {h.lower(): i for i, h in enumerate(table.header)}
    links = [(c, lowered[c.lower()]) for c in link_child if c.lower() in lowered]
    for row, number in zip(table.rows, table.numbers, strict=True):
        sub = None
        for child, i in links:
            value = _cell_of(table, row, i)
            if not _blank(value):
                sub = by_link.get((child, str(value)))
                if sub is not None:
                    break
        if sub is None:
            _name, i = links[0]
            problems.append(
                Problem(
                    table.file,
                    "This row belongs to no submission in the main file; import the main file "
                    "of the same export with it.",
                    number,
                    table.header[i],
                    _shown(_cell_of(table, row, i)),
                )
            )
            continue
        add(sub, row, number)


def _partner_from_row(
    table: _Table, fields: dict[str, int], row: list[Any], number: int
) -> _PartnerRaw | None:
    index = fields[forms.PARTNER]
    value = _cell_of(table, row, index)
    item_values = {k: fields[k] for k in _ITEM_KEYS if k in fields}
    if _blank(value) and all(_blank(_cell_of(table, row, i)) for i in item_values.values()):
        return None
    pr = _PartnerRaw(_raw_cell(table, row, number, index))
    for key, i in item_values.items():
        pr.items[key] = _raw_cell(table, row, number, i)
    return pr


def _add_partner(
    sub: _Submission, table: _Table, fields: dict[str, int], row: list[Any], number: int
) -> None:
    partner = _partner_from_row(table, fields, row, number)
    if partner is not None:
        sub.partners.append(partner)


def _add_outside(
    sub: _Submission, table: _Table, fields: dict[str, int], row: list[Any], number: int
) -> None:
    name_at = fields[forms.OUTSIDE_NAME]
    name = _cell_of(table, row, name_at)
    if _blank(name):
        return
    rel_at = fields.get(forms.OUTSIDE_RELATION)
    sub.outside.append(
        (
            _raw_cell(table, row, number, name_at),
            _raw_cell(table, row, number, rel_at),
        )
    )


def _profile_cells(
    sub: _Submission,
    table: _Table,
    fields: dict[str, int],
    row: list[Any],
    number: int,
    *,
    multi_sep: str,
) -> None:
    for field_name, target in (
        (forms.SERVICES_FIELD, sub.services),
        (forms.NEIGHBORHOODS_FIELD, sub.neighborhoods),
    ):
        if field_name in fields:
            i = fields[field_name]
            text = _cell(_cell_of(table, row, i))
            for part in _split_multi(text, multi_sep, field_name):
                target.append(_Raw(part, table.file, number, table.header[i]))
    if forms.LANGUAGES_FIELD in fields:
        text = _cell(_cell_of(table, row, fields[forms.LANGUAGES_FIELD]))
        sub.languages = [x for x in re.split(r"[;,]", text) if x.strip()]


def _split_multi(text: str, sep: str, field_name: str) -> list[str]:
    if not text:
        return []
    if sep == " ":
        return text.split()
    return [part.strip() for part in text.split(sep) if part.strip()]


def _read_kobo(files: list[_File], ctx: _Context, problems: list[Problem]) -> list[_Submission]:
    return _form_tables(
        files,
        problems,
        separators="/",
        links=(
            ("_uuid", "_submission__uuid"),
            ("_index", "_parent_index"),
            ("_id", "_submission__id"),
        ),
        time_columns=("_submission_time", "end"),
        tool="KoboToolbox",
    )


def _read_odk(files: list[_File], ctx: _Context, problems: list[Problem]) -> list[_Submission]:
    return _form_tables(
        files,
        problems,
        separators="-/",
        links=(("KEY", "PARENT_KEY"),),
        time_columns=("SubmissionDate", "end"),
        tool="ODK Central",
    )


# Google Forms and Microsoft Forms: one row per submission, a grid column per item and partner.
def _read_grid_table(
    table: _Table,
    ctx: _Context,
    problems: list[Problem],
    *,
    time_columns: tuple[str, ...],
    multi_sep: str,
    tool: str,
) -> list[_Submission]:
    fields = _fields(table, "")
    lowered = {h.strip().lower(): i for i, h in enumerate(table.header)}
    time_at = next((lowered[c.lower()] for c in time_columns if c.lower() in lowered), None)
    ok = True
    if time_at is None:
        problems.append(
            _missing_column(table, " or ".join(time_columns), f"Export again from {tool}.")
        )
        ok = False
    if forms.RESPONDENT not in fields:
        problems.append(
            _missing_column(
                table,
                "the organization answering",
                f"The form needs a drop-down question '{questions.RESPONDENT_QUESTION}' "
                "listing the roster (see docs/survey.md).",
            )
        )
        ok = False
    grids: list[tuple[int, str, str]] = []
    for index, header in enumerate(table.header):
        found = _grid_column(header)
        if found:
            grids.append((index, *found))
    if not any(key == "relation" for _, key, _ in grids):
        problems.append(
            _missing_column(
                table,
                f"'{questions.RELATION_ITEM.short} [partner]'",
                "The form needs a grid question titled "
                f"'{questions.RELATION_ITEM.short}' with one row per member (see docs/survey.md).",
            )
        )
        ok = False
    if not ok or time_at is None:
        return []
    outside_at = fields.get(forms.OUTSIDE_NAME)
    subs = []
    for row, number in zip(table.rows, table.numbers, strict=True):
        sub = _Submission(
            table.file,
            number,
            _raw_cell(table, row, number, fields[forms.RESPONDENT]),
            _time_of(_raw_cell(table, row, number, time_at), problems, "The time stamp"),
        )
        _grid_profile(sub, table, fields, row, number, multi_sep, ctx)
        by_partner: dict[str, _PartnerRaw] = {}
        for index, key, partner_text in grids:
            value = _cell_of(table, row, index)
            if _blank(value):
                continue
            pr = by_partner.get(partner_text)
            if pr is None:
                pr = _PartnerRaw(_Raw(partner_text, table.file, number, table.header[index]))
                by_partner[partner_text] = pr
            pr.items[key] = _Raw(value, table.file, number, table.header[index])
        for pr in by_partner.values():
            if "relation" not in pr.items:
                # Rated but not said how they work together: reported at the relation column.
                pr.items["relation"] = _Raw(
                    None,
                    pr.partner.file,
                    pr.partner.row,
                    f"{questions.RELATION_ITEM.short} [{pr.partner.value}]",
                )
            sub.partners.append(pr)
        if outside_at is not None:
            text = _cell(_cell_of(table, row, outside_at))
            for line in text.splitlines():
                if not line.strip():
                    continue
                name, _, relation = line.partition("|")
                sub.outside.append(
                    (
                        _Raw(name.strip(), table.file, number, table.header[outside_at]),
                        _Raw(
                            relation.strip() or None, table.file, number, table.header[outside_at]
                        ),
                    )
                )
        subs.append(sub)
    return subs


def _grid_profile(
    sub: _Submission,
    table: _Table,
    fields: dict[str, int],
    row: list[Any],
    number: int,
    multi_sep: str,
    ctx: _Context,
) -> None:
    if forms.SERVICES_FIELD in fields:
        i = fields[forms.SERVICES_FIELD]
        for part in _split_known(_cell(_cell_of(table, row, i)), multi_sep, _SERVICE_MATCHER):
            sub.services.append(_Raw(part, table.file, number, table.header[i]))
    if forms.NEIGHBORHOODS_FIELD in fields:
        i = fields[forms.NEIGHBORHOODS_FIELD]
        for part in _split_known(_cell(_cell_of(table, row, i)), multi_sep, ctx.hoods):
            sub.neighborhoods.append(_Raw(part, table.file, number, table.header[i]))
    if forms.LANGUAGES_FIELD in fields:
        text = _cell(_cell_of(table, row, fields[forms.LANGUAGES_FIELD]))
        sub.languages = [x for x in re.split(r"[;,]", text) if x.strip()]


def _split_known(text: str, sep: str, matcher: NameMatcher | None) -> list[str]:
    """Split a checkbox cell; a choice whose own text holds the separator is put back together."""
    parts = [p.strip() for p in text.split(sep)]
    parts = [p for p in parts if p]
    if matcher is None:
        return parts
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of pieces that is a known choice
            candidate = sep.join(parts[i:j])
            if matcher.match(candidate) is not None:
                out.append(candidate)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return out


def _read_google(files: list[_File], ctx: _Context, problems: list[Problem]) -> list[_Submission]:
    subs = []
    for file in files:
        table = _read_csv(file, problems)
        if table is not None:
            subs += _read_grid_table(
                table,
                ctx,
                problems,
                time_columns=("Timestamp",),
                multi_sep=", ",
                tool="Google Forms",
            )
    return subs


def _read_msforms(files: list[_File], ctx: _Context, problems: list[Problem]) -> list[_Submission]:
    subs = []
    for file in files:
        book = _open_workbook(file, problems)
        if book is None:
            continue
        try:
            table = _sheet_table(book.worksheets[0], file.name, problems)
        finally:
            book.close()
        if table is None:
            problems.append(Problem(file.name, "The first sheet is empty; export it again."))
            continue
        subs += _read_grid_table(
            table,
            ctx,
            problems,
            time_columns=("Completion time", "Last modified time"),
            multi_sep=";",
            tool="Microsoft Forms",
        )
    return subs


_READERS = {
    "html": _read_html,
    "xlsx": _read_xlsx,
    "kobo": _read_kobo,
    "odk": _read_odk,
    "google": _read_google,
    "msforms": _read_msforms,
}
assert set(_READERS) == set(FILE_CHANNELS) and set(FILE_CHANNELS) <= set(CHANNELS)
