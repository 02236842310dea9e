"""The partner survey's forms, one roster for every channel.

- :func:`xlsform`: an XLSForm (.xlsx) for KoboToolbox and ODK, the roster as choices.
- :func:`offline_form`: one self-contained HTML file that works with no server and no
  internet; it saves the answers as a JSON file to email back.
- :func:`workbook`: an .xlsx with the roster and drop-down lists, for paper or email rounds.

Every roster name (and the round name) is hostile text: it goes into the forms as data only —
a spreadsheet cell typed as text (never a formula), JSON read by the page's script and shown with
``textContent`` (never HTML), escaped HTML where the page itself shows it.

The answers come back through :mod:`coalition.survey.importers`; the field names used here are
the ones it reads (:data:`FIELD_NAMES`).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..names import slugify
from ..schema import SERVICES
from . import questions
from .schema import CHANNELS, neighborhoods_frame, roster_frame

# The JSON the offline form saves, and the marker of our workbook.
JSON_FORMAT = "coalition-partner-survey"
WORKBOOK_FORMAT = "coalition-partner-survey-workbook"
FORMAT_VERSION = 1

# XLSForm field names (also the column names KoboToolbox and ODK export).
RESPONDENT = "respondent"
PARTNERS_GROUP = "partners"
PARTNER = "partner"
PROFILE_GROUP = "profile"
SERVICES_FIELD = "services"
LANGUAGES_FIELD = "languages"
NEIGHBORHOODS_FIELD = "neighborhoods"
OUTSIDE_GROUP = "outside"
OUTSIDE_NAME = "outside_name"
OUTSIDE_RELATION = "outside_relation"
FIELD_NAMES = (
    RESPONDENT,
    PARTNER,
    *(item.key for item in questions.PARTNER_ITEMS),
    SERVICES_FIELD,
    LANGUAGES_FIELD,
    NEIGHBORHOODS_FIELD,
    OUTSIDE_NAME,
    OUTSIDE_RELATION,
)

# Workbook sheet names.
SHEET_START = "start here"
SHEET_PARTNERS = "partners"
SHEET_PROFILE = "about you"
SHEET_OUTSIDE = "outside"
SHEET_LISTS = "lists"
SHEET_ABOUT = "about"
WORKBOOK_PARTNER_ROWS_SPARE = 5
YES = "yes"


def _members(roster: Any) -> list[tuple[str, str]]:
    frame = roster_frame(roster)
    return list(zip(frame["org_id"], frame["name"], strict=True))


def _hoods(roster: Any) -> list[tuple[str, str]]:
    frame = neighborhoods_frame(roster)
    return list(zip(frame["neighborhood_id"], frame["name"], strict=True))


def _check_round(round_name: str) -> str:
    from ..errors import DataError

    name = str(round_name).strip()
    if not name or len(name) > 80:
        raise DataError("A round needs a name of 1 to 80 characters, e.g. '2026 spring'.")
    return name


def form_id(round_name: str) -> str:
    """The XLSForm ``form_id`` of a round: letters, digits and underscores only.

    Examples
    --------
    >>> form_id("2026 Spring!")
    'partner_survey_2026_spring'
    """
    slug = slugify(round_name).replace("-", "_") or "round"
    return f"partner_survey_{slug}"[:60]


# --- XLSForm -------------------------------------------------------------------------------------
_SURVEY_HEADER = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "constraint",
    "constraint_message",
    "appearance",
)


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_#[]<>`"})


def _xlsform_text(text: str) -> str:
    """A label safe for XLSForm: ``${`` would be read as a reference to a field, and Collect and
    Enketo render markdown and some HTML in labels (a name's ``[x](javascript:…)`` must not
    become a link), so those characters are backslash-escaped as ODK's markdown allows.

    Examples
    --------
    >>> _xlsform_text("A_B [x](y) ${z}")
    'A\\\\_B \\\\[x\\\\](y) $\\u200b{z}'
    """
    return str(text).translate(_MARKDOWN).replace("${", "$\u200b{")


def xlsform(roster: Any, round: str) -> bytes:
    """An XLSForm (.xlsx) of the partner survey, for KoboToolbox or ODK.

    Sheets ``survey``, ``choices`` and ``settings``. The respondent and each partner are picked
    from the roster (``select_one members``: no free typing), in a repeat group ``partners``
    with the relation, frequency, value and trust items; then the profile (services, languages,
    neighborhoods) and an optional repeat ``outside`` for organizations not in the coalition.
    Choice names are the org_ids, so exports carry ids.

    Parameters
    ----------
    roster : CityData, dict of city tables, or frame
        See :func:`coalition.survey.schema.roster_frame`.
    round : str
        The round (shown in the title, part of the form id).

    Returns
    -------
    bytes
        The .xlsx file.

    Examples
    --------
    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> xlsform(orgs, "r1")[:2]
    b'PK'
    """
    from openpyxl import Workbook

    round_name = _check_round(round)
    members = _members(roster)
    hoods = _hoods(roster)
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    rows: list[tuple[str, ...]] = [
        ("note", "intro", _xlsform_text(questions.INTRO), "", "", "", "", ""),
        (
            "select_one members",
            RESPONDENT,
            questions.RESPONDENT_QUESTION,
            "",
            "yes",
            "",
            "",
            "minimal",
        ),
        ("begin_repeat", PARTNERS_GROUP, questions.PARTNERS_QUESTION, "", "", "", "", ""),
        (
            "select_one members",
            PARTNER,
            "Partner",
            "Pick one member you work with.",
            "yes",
            f". != ${{{RESPONDENT}}}",
            "Pick another organization than your own.",
            "minimal",
        ),
    ]
    for item in questions.PARTNER_ITEMS:
        rows.append(
            (
                f"select_one {item.scale.name}",
                item.key,
                item.text,
                item.short,
                "yes" if item.required else "",
                "",
                "",
                "",
            )
        )
    rows += [
        ("end_repeat", "", "", "", "", "", "", ""),
        ("begin_group", PROFILE_GROUP, "About your organization", "", "", "", "", ""),
        (
            "select_multiple services",
            SERVICES_FIELD,
            questions.SERVICES_QUESTION,
            "",
            "",
            "",
            "",
            "",
        ),
        ("text", LANGUAGES_FIELD, questions.LANGUAGES_QUESTION, "", "", "", "", ""),
    ]
    if hoods:
        rows.append(
            (
                "select_multiple neighborhoods",
                NEIGHBORHOODS_FIELD,
                questions.NEIGHBORHOODS_QUESTION,
                "",
                "",
                "",
                "",
                "minimal",
            )
        )
    rows += [
        ("end_group", "", "", "", "", "", "", ""),
        ("begin_repeat", OUTSIDE_GROUP, questions.OUTSIDE_QUESTION, "", "", "", "", ""),
        ("text", OUTSIDE_NAME, "Organization's name", "", "", "", "", ""),
        (
            "select_one relation",
            OUTSIDE_RELATION,
            questions.OUTSIDE_RELATION_QUESTION,
            "",
            "",
            "",
            "",
            "",
        ),
        ("end_repeat", "", "", "", "", "", "", ""),
    ]
    _write_rows(survey, [_SURVEY_HEADER, *rows])

    choices = book.create_sheet("choices")
    choice_rows: list[tuple[str, str, str]] = [("list_name", "name", "label")]
    for org_id, name in members:
        choice_rows.append(("members", _choice_name(org_id), _xlsform_text(name)))
    for scale in (questions.RELATION, questions.FREQUENCY, questions.RATING):
        for code, label in scale.choices:
            choice_rows.append((scale.name, str(code), label))
    for key, label in SERVICES.items():
        choice_rows.append(("services", key, label))
    for hood_id, name in hoods:
        choice_rows.append(("neighborhoods", _choice_name(hood_id), _xlsform_text(name)))
    _write_rows(choices, choice_rows)

    settings = book.create_sheet("settings")
    _write_rows(
        settings,
        [
            ("form_title", "form_id", "version"),
            (
                _xlsform_text(f"Partner survey: {round_name}"),
                form_id(round_name),
                dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M"),
            ),
        ],
    )
    return _save(book)


def _choice_name(value: str) -> str:
    """An id as an XLSForm choice name (ids follow the schema's id pattern: no spaces)."""
    return str(value)


def check_xlsform(data: bytes) -> str:
    """Convert an XLSForm with pyxform (as KoboToolbox and ODK do) and return the XForm XML.

    Raises :class:`coalition.errors.DataError` with pyxform's message when it does not convert.
    Needs the ``pyxform`` package.

    Examples
    --------
    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> "<h:title>" in check_xlsform(xlsform(orgs, "r1"))  # doctest: +SKIP
    True
    """
    import tempfile

    from pyxform.xls2xform import convert

    from ..errors import DataError

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.xlsx"
        path.write_bytes(data)
        try:
            result = convert(xlsform=str(path))
        except Exception as exc:  # pyxform raises several kinds
            raise DataError(f"The XLSForm does not convert: {exc}") from exc
    return result.xform


# --- spreadsheets --------------------------------------------------------------------------------
def _write_rows(sheet: Any, rows: Iterable[Iterable[Any]]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            _set_text(sheet, r, c, value)


def _set_text(sheet: Any, row: int, column: int, value: Any) -> None:
    """Write a value; text is stored as text, never as a formula (a name may start with '=')."""
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the workbook for paper and email rounds ------------------------------------------------------
def scale_choice(code: int, label: str) -> str:
    """How a scale choice reads in the workbook's drop-downs.

    Examples
    --------
    >>> scale_choice(2, "share information")
    '2 - share information'
    """
    return f"{code} - {label}"


def workbook(roster: Any, round: str) -> bytes:
    """An .xlsx for paper or email rounds: the roster and a drop-down list per answer column.

    Sheets: ``start here`` (how to fill it in), ``about you`` (the respondent, services,
    languages, neighborhoods), ``partners`` (one row per partner: a roster name, then the
    relation, frequency, value and trust items), ``outside`` (organizations not in the
    coalition), ``lists`` (the roster and scales the drop-downs use) and ``about`` (hidden: the
    format and round, so the importer knows the file).

    Examples
    --------
    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["a", "b"], "name": ["Alpha", "Beta"]})
    >>> workbook(orgs, "r1")[:2]
    b'PK'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    round_name = _check_round(round)
    members = _members(roster)
    hoods = _hoods(roster)
    book = Workbook()
    bold = Font(bold=True)

    start = book.active
    start.title = SHEET_START
    lines = [
        f"Partner survey: {round_name}",
        questions.INTRO,
        f"1. On '{SHEET_PROFILE}', pick your organization and fill in what it offers.",
        f"2. On '{SHEET_PARTNERS}', add one row per coalition member you work with: pick its "
        "name from the list, then answer each column from its list.",
        f"3. Optional: on '{SHEET_OUTSIDE}', list organizations not in the coalition you work "
        "with.",
        "4. Save the file and email it back to the convener.",
        "Sources: " + questions.SOURCE,
    ]
    _write_rows(start, [[line] for line in lines])
    start.cell(row=1, column=1).font = bold
    start.column_dimensions["A"].width = 120

    lists = book.create_sheet(SHEET_LISTS)
    scales = [questions.RELATION, questions.FREQUENCY, questions.RATING]
    columns: list[tuple[str, list[str]]] = [
        ("members", [name for _, name in members]),
        *[(s.name, [scale_choice(c, label) for c, label in s.choices]) for s in scales],
        ("yes", [YES]),
    ]
    ranges: dict[str, str] = {}
    for index, (title, values) in enumerate(columns, start=1):
        letter = _column_letter(index)
        _set_text(lists, 1, index, title)
        for r, value in enumerate(values, start=2):
            _set_text(lists, r, index, value)
        last = max(len(values) + 1, 2)
        ranges[title] = f"'{SHEET_LISTS}'!${letter}$2:${letter}${last}"
    lists.sheet_state = "hidden"

    profile = book.create_sheet(SHEET_PROFILE, 1)
    _set_text(profile, 1, 1, questions.RESPONDENT_QUESTION)
    profile.cell(row=1, column=1).font = bold
    profile.column_dimensions["A"].width = 60
    profile.column_dimensions["B"].width = 50
    picker = DataValidation(type="list", formula1=ranges["members"], allow_blank=False)
    picker.error = "Pick your organization from the list."
    profile.add_data_validation(picker)
    picker.add("B1")
    _set_text(profile, 2, 1, questions.LANGUAGES_QUESTION)
    _set_text(profile, 4, 1, questions.SERVICES_QUESTION + f" (write '{YES}' or pick it)")
    profile.cell(row=4, column=1).font = bold
    yes_list = DataValidation(type="list", formula1=ranges["yes"], allow_blank=True)
    profile.add_data_validation(yes_list)
    row = 5
    for key, label in SERVICES.items():
        _set_text(profile, row, 1, label)
        _set_text(profile, row, 3, key)
        yes_list.add(f"B{row}")
        row += 1
    if hoods:
        row += 1
        _set_text(profile, row, 1, questions.NEIGHBORHOODS_QUESTION + f" (write '{YES}')")
        profile.cell(row=row, column=1).font = bold
        row += 1
        for hood_id, name in hoods:
            _set_text(profile, row, 1, name)
            _set_text(profile, row, 3, hood_id)
            yes_list.add(f"B{row}")
            row += 1
    profile.column_dimensions["C"].hidden = True

    partners = book.create_sheet(SHEET_PARTNERS, 2)
    header = ["Partner (pick from the list)", *(item.short for item in questions.PARTNER_ITEMS)]
    keys = [PARTNER, *(item.key for item in questions.PARTNER_ITEMS)]
    _write_rows(partners, [header])
    _write_rows(partners, [[], keys])  # row 2: the field names, read back by the importer
    partners.row_dimensions[2].hidden = True
    for c in range(1, len(header) + 1):
        partners.cell(row=1, column=c).font = bold
        partners.column_dimensions[_column_letter(c)].width = 28 if c == 1 else 20
    last_row = 2 + len(members) + WORKBOOK_PARTNER_ROWS_SPARE
    partner_list = DataValidation(type="list", formula1=ranges["members"], allow_blank=True)
    partner_list.error = "Pick a coalition member from the list."
    partners.add_data_validation(partner_list)
    partner_list.add(f"A3:A{last_row}")
    for c, item in enumerate(questions.PARTNER_ITEMS, start=2):
        letter = _column_letter(c)
        check = DataValidation(type="list", formula1=ranges[item.scale.name], allow_blank=True)
        check.error = "Pick an answer from the list."
        check.prompt = item.text
        partners.add_data_validation(check)
        check.add(f"{letter}3:{letter}{last_row}")
    partners.freeze_panes = "B3"

    outside = book.create_sheet(SHEET_OUTSIDE, 3)
    _write_rows(outside, [[questions.OUTSIDE_QUESTION], ["Organization", "How you work with it"]])
    outside.cell(row=2, column=1).font = bold
    outside.cell(row=2, column=2).font = bold
    outside.column_dimensions["A"].width = 50
    outside.column_dimensions["B"].width = 30
    relation_list = DataValidation(type="list", formula1=ranges["relation"], allow_blank=True)
    outside.add_data_validation(relation_list)
    relation_list.add(f"B3:B{2 + questions.MAX_OUTSIDE}")

    about = book.create_sheet(SHEET_ABOUT)
    _write_rows(
        about,
        [
            ("format", WORKBOOK_FORMAT),
            ("version", FORMAT_VERSION),
            ("round", round_name),
            ("made_at", _now()),
        ],
    )
    about.sheet_state = "hidden"
    return _save(book)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- the offline HTML form -----------------------------------------------------------------------
def script_json(value: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` block.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc. (no ``</script>`` or ``<!--`` can close or
    confuse the block) and U+2028/U+2029 are escaped too.

    Examples
    --------
    >>> script_json({"n": "</script><b>&"})
    '{"n": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def form_data(roster: Any, round: str) -> dict[str, Any]:
    """Everything the offline form shows, as plain data (what :func:`offline_form` embeds).

    Examples
    --------
    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["a"], "name": ["Alpha"]})
    >>> form_data(orgs, "r1")["members"]
    [{'id': 'a', 'name': 'Alpha'}]
    """
    round_name = _check_round(round)
    return {
        "format": JSON_FORMAT,
        "version": FORMAT_VERSION,
        "round": round_name,
        "channel": "html",
        "members": [{"id": i, "name": n} for i, n in _members(roster)],
        "neighborhoods": [{"id": i, "name": n} for i, n in _hoods(roster)],
        "services": [{"id": k, "name": v} for k, v in SERVICES.items()],
        "items": [
            {
                "key": item.key,
                "short": item.short,
                "text": item.text,
                "required": item.required,
                "choices": [{"code": c, "label": label} for c, label in item.scale.choices],
            }
            for item in questions.PARTNER_ITEMS
        ],
        "relation": [{"code": c, "label": label} for c, label in questions.RELATION.choices],
        "text": {
            "intro": questions.INTRO,
            "respondent": questions.RESPONDENT_QUESTION,
            "partners": questions.PARTNERS_QUESTION,
            "services": questions.SERVICES_QUESTION,
            "languages": questions.LANGUAGES_QUESTION,
            "neighborhoods": questions.NEIGHBORHOODS_QUESTION,
            "outside": questions.OUTSIDE_QUESTION,
            "outside_relation": questions.OUTSIDE_RELATION_QUESTION,
        },
        "max_outside": questions.MAX_OUTSIDE,
    }


def offline_form(roster: Any, round: str) -> str:
    """The survey as ONE self-contained HTML file: no server, no internet.

    The member picks itself, then its partners (from the roster only), answers, and a button
    saves a JSON file (to email back; :func:`coalition.survey.importers.read_answers` reads it).
    Inline CSS and JavaScript only, run under a strict Content-Security-Policy (``default-src
    'none'``, scripts and styles by nonce, no network at all). The roster is embedded as escaped
    JSON and shown with ``textContent``: a name like ``</script><img onerror=…>`` stays text.

    Examples
    --------
    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["a"], "name": ["</script><b>"]})
    >>> page = offline_form(orgs, "r1")
    >>> "</script><b>" in page, "default-src 'none'" in page
    (False, True)
    """
    data = form_data(roster, round)
    nonce = secrets.token_urlsafe(18)
    csp = (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "img-src 'none'; connect-src 'none'; font-src 'none'; object-src 'none'; "
        "frame-src 'none'; base-uri 'none'; form-action 'none'"
    )
    title = html.escape(f"Partner survey: {data['round']}", quote=True)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f'<style nonce="{nonce}">{_CSS}</style>\n'
        "</head>\n<body>\n"
        f"<h1>{title}</h1>\n"
        '<noscript><p class="warn">This form needs JavaScript. Open it in a web browser '
        "(it sends nothing anywhere).</p></noscript>\n"
        '<main id="app"></main>\n'
        f'<script type="application/json" id="survey-data">{script_json(data)}</script>\n'
        f'<script nonce="{nonce}">{_JS}</script>\n'
        "</body>\n</html>\n"
    )


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;
line-height:1.4;color:#111;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
fieldset{border:1px solid #999;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:bold}label{display:block;margin:.3rem 0}
select,input[type=text]{font-size:1rem;max-width:100%}
.partner{background:#f4f6fa}.warn{color:#a00;font-weight:bold}
.item{margin:.4rem 0}.item span{display:block}
button{font-size:1rem;padding:.4rem 1rem;margin:.3rem .3rem .3rem 0}
#problems li{color:#a00}#saved{margin-top:1rem}
@media print{button,#saved{display:none}}
"""

# Only DOM APIs that take text (textContent, value, setAttribute of fixed names): nothing from
# the data ever becomes HTML or code.
_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("survey-data").textContent);
  var app = document.getElementById("app");
  var byId = {};
  data.members.forEach(function (m) { byId[m.id] = m; });

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    return node;
  }
  function option(value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label; return o;
  }
  function memberSelect(id, blankLabel) {
    var s = el("select", null, {id: id});
    s.appendChild(option("", blankLabel));
    data.members.forEach(function (m) { s.appendChild(option(m.id, m.name)); });
    return s;
  }

  app.appendChild(el("p", data.text.intro));

  var who = el("fieldset"); who.appendChild(el("legend", data.text.respondent));
  var respondent = memberSelect("respondent", "(pick your organization)");
  who.appendChild(respondent); app.appendChild(who);

  app.appendChild(el("h2", "Partners"));
  app.appendChild(el("p", data.text.partners));
  var partnerList = el("div", null, {id: "partners"}); app.appendChild(partnerList);
  var counter = 0;

  function addPartner() {
    counter += 1;
    var n = counter;
    var box = el("fieldset", null, {"class": "partner", "data-n": String(n)});
    box.appendChild(el("legend", "Partner " + n));
    var pick = memberSelect("partner-" + n, "(pick a member)");
    pick.setAttribute("data-field", "partner");
    var pl = el("label", "Partner"); pl.appendChild(pick); box.appendChild(pl);
    data.items.forEach(function (item) {
      var wrap = el("div", null, {"class": "item"});
      var id = "item-" + n + "-" + item.key;
      var lab = el("label", null, {"for": id});
      lab.appendChild(el("span", item.short + (item.required ? " (required)" : "")));
      lab.appendChild(el("span", item.text));
      var s = el("select", null, {id: id, "data-field": item.key});
      s.appendChild(option("", "(no answer)"));
      item.choices.forEach(function (c) { s.appendChild(option(String(c.code), c.label)); });
      wrap.appendChild(lab); wrap.appendChild(s); box.appendChild(wrap);
    });
    var remove = el("button", "Remove this partner", {type: "button"});
    remove.addEventListener("click", function () { box.remove(); });
    box.appendChild(remove);
    partnerList.appendChild(box);
  }
  var more = el("button", "Add a partner", {type: "button", id: "add-partner"});
  more.addEventListener("click", addPartner);
  app.appendChild(more);

  app.appendChild(el("h2", "About your organization"));
  var services = el("fieldset"); services.appendChild(el("legend", data.text.services));
  data.services.forEach(function (sv) {
    var l = el("label");
    var box = el("input", null, {type: "checkbox", "data-service": sv.id, id: "service-" + sv.id});
    l.appendChild(box); l.appendChild(document.createTextNode(" " + sv.name));
    services.appendChild(l);
  });
  app.appendChild(services);
  var langs = el("fieldset"); langs.appendChild(el("legend", data.text.languages));
  var langInput = el("input", null, {type: "text", id: "languages", size: "60"});
  langs.appendChild(langInput); app.appendChild(langs);
  if (data.neighborhoods.length) {
    var hoods = el("fieldset"); hoods.appendChild(el("legend", data.text.neighborhoods));
    data.neighborhoods.forEach(function (h, i) {
      var l = el("label");
      var box = el("input", null, {type: "checkbox", "data-hood": h.id, id: "hood-" + i});
      l.appendChild(box); l.appendChild(document.createTextNode(" " + h.name));
      hoods.appendChild(l);
    });
    app.appendChild(hoods);
  }

  app.appendChild(el("h2", "Organizations not in the coalition"));
  app.appendChild(el("p", data.text.outside));
  var outside = el("div", null, {id: "outside"}); app.appendChild(outside);
  for (var i = 1; i <= data.max_outside; i++) {
    var row = el("div", null, {"class": "item"});
    var name = el("input", null, {type: "text", id: "outside-name-" + i, maxlength: "200",
      "aria-label": "Outside organization " + i});
    var rel = el("select", null, {id: "outside-relation-" + i,
      "aria-label": data.text.outside_relation});
    rel.appendChild(option("", "(" + data.text.outside_relation + ")"));
    data.relation.forEach(function (c) { rel.appendChild(option(String(c.code), c.label)); });
    row.appendChild(name); row.appendChild(document.createTextNode(" ")); row.appendChild(rel);
    outside.appendChild(row);
  }

  app.appendChild(el("h2", "Save"));
  var problems = el("ul", null, {id: "problems"}); app.appendChild(problems);
  var save = el("button", "Save my answers", {type: "button", id: "save"});
  app.appendChild(save);
  var saved = el("p", null, {id: "saved"}); app.appendChild(saved);

  function collect() {
    var found = [];
    var me = respondent.value;
    if (!me) { found.push("Pick your organization at the top."); }
    var seen = {};
    var partners = [];
    partnerList.querySelectorAll("fieldset.partner").forEach(function (box) {
      var n = box.getAttribute("data-n");
      var answer = {};
      box.querySelectorAll("select[data-field]").forEach(function (s) {
        var f = s.getAttribute("data-field");
        answer[f] = f === "partner" ? (s.value || null) : (s.value ? Number(s.value) : null);
      });
      if (!answer.partner) { found.push("Partner " + n + ": pick a member."); return; }
      if (answer.partner === me) {
        found.push("Partner " + n + ": pick another organization than your own.");
      }
      if (seen[answer.partner]) { found.push("Partner " + n + ": already listed."); }
      seen[answer.partner] = true;
      if (!answer.relation) { found.push("Partner " + n + ": say how you work together."); }
      partners.push(answer);
    });
    var chosen = [];
    services.querySelectorAll("input[data-service]").forEach(function (b) {
      if (b.checked) { chosen.push(b.getAttribute("data-service")); }
    });
    var hoodsChosen = [];
    document.querySelectorAll("input[data-hood]").forEach(function (b) {
      if (b.checked) { hoodsChosen.push(b.getAttribute("data-hood")); }
    });
    var languages = langInput.value.split(";").map(function (s) { return s.trim(); })
      .filter(function (s) { return s.length > 0; });
    var others = [];
    for (var j = 1; j <= data.max_outside; j++) {
      var nm = document.getElementById("outside-name-" + j).value.trim();
      var rv = document.getElementById("outside-relation-" + j).value;
      if (nm) { others.push({name: nm, relation: rv ? Number(rv) : null}); }
    }
    return {problems: found, answers: {
      format: data.format, version: data.version, round: data.round, channel: data.channel,
      respondent: me, answered_at: new Date().toISOString(),
      partners: partners,
      profile: {services: chosen, languages: languages, neighborhoods: hoodsChosen},
      outside: others
    }};
  }

  save.addEventListener("click", function () {
    var result = collect();
    while (problems.firstChild) { problems.removeChild(problems.firstChild); }
    while (saved.firstChild) { saved.removeChild(saved.firstChild); }
    if (result.problems.length) {
      result.problems.forEach(function (p) { problems.appendChild(el("li", p)); });
      return;
    }
    var blob = new Blob([JSON.stringify(result.answers, null, 1)], {type: "application/json"});
    var safe = function (s) { return String(s).replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 60); };
    var fileName = "partner-survey-" + safe(data.round) + "-" +
      safe(result.answers.respondent) + ".json";
    var link = el("a", "Download " + fileName, {id: "download", download: fileName});
    link.href = URL.createObjectURL(blob);
    saved.appendChild(el("span", "Saved. Email this file back to the convener: "));
    saved.appendChild(link);
    link.click();
  });

  addPartner();
})();
"""


def write_forms(roster: Any, round: str, folder: str | Path) -> list[Path]:
    """Write the round's three forms into a folder (what ``coalition survey make`` does).

    Files: ``partner-survey-<round>.html`` (the offline form), ``…-workbook.xlsx`` and
    ``…-xlsform.xlsx``; the round's name is slugified into the file names. Existing files of the
    same names are replaced.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> orgs = pd.DataFrame({"org_id": ["a"], "name": ["Alpha"]})
    >>> [p.name for p in write_forms(orgs, "2026 Fall", tempfile.mkdtemp())]
    ['partner-survey-2026-fall.html', 'partner-survey-2026-fall-workbook.xlsx', \
'partner-survey-2026-fall-xlsform.xlsx']
    """
    round_name = _check_round(round)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"partner-survey-{slugify(round_name) or 'round'}"
    made = [
        (out / f"{stem}.html", offline_form(roster, round_name).encode("utf-8")),
        (out / f"{stem}-workbook.xlsx", workbook(roster, round_name)),
        (out / f"{stem}-xlsform.xlsx", xlsform(roster, round_name)),
    ]
    for path, data in made:
        path.write_bytes(data)
    return [path for path, _ in made]


__all__ = [
    "CHANNELS",
    "FIELD_NAMES",
    "JSON_FORMAT",
    "WORKBOOK_FORMAT",
    "check_xlsform",
    "form_data",
    "form_id",
    "offline_form",
    "scale_choice",
    "script_json",
    "workbook",
    "write_forms",
    "xlsform",
]
