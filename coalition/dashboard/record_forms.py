"""The Record page's forms: find a record, then add or change it.

Pickers are a text field (type part of a name, press Enter) and a list of the best 50 matches
(:class:`coalition.presenting.record.Picker`), never a list of every organization. Forms are
``st.form``: every field labelled, Enter in a field saves. Saving happens in the submit button's
callback (:mod:`coalition.dashboard.record_save`), so the page drawn next already shows the new
version, the problems on their fields, or the conflict. Retiring, merging and a committee's
status are in :mod:`coalition.dashboard.record_lifecycle`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from coalition import edits, errors, i18n, labels, schema
from coalition.dashboard import cache, record_save, ui
from coalition.i18n import N_, _
from coalition.presenting import record as words
from coalition.presenting.text import fmt_int, md

state = st.session_state

# Tie type -> (what the convener reads, the table of its first end, of its second end).
# The words are marked here and translated where shown: _(TIE_CHOICES[t][0]).
TIE_CHOICES: dict[str, tuple[str, str, str]] = {
    "partnership": (N_("Two organizations work together"), "organizations", "organizations"),
    "serves_community": (
        N_("An organization serves a community"),
        "organizations",
        "communities",
    ),
    "serves_neighborhood": (
        N_("An organization serves a neighborhood"),
        "organizations",
        "neighborhoods",
    ),
    "committee_member": (
        N_("An organization sits on a welcoming committee"),
        "organizations",
        "committees",
    ),
    "mentors": (N_("A cultural navigator mentors a community"), "navigators", "communities"),
    "volunteers_with": (
        N_("A cultural navigator volunteers with an organization"),
        "navigators",
        "organizations",
    ),
    "lives_in": (N_("A community lives in a neighborhood"), "communities", "neighborhoods"),
}
# The ends a tie can be found by (every tie in a file has one of these as its first end).
TIE_END_KINDS = ("organizations", "communities", "navigators", "committees")


# --- pickers -------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=16)
def _picker(snap: cache.Snapshot, kinds: tuple[str, ...], lang: str = "en") -> words.Picker:
    """The names to pick from (several kinds: each with its kind, in ``lang``: a cache key)."""
    options = cache.filter_options(snap)
    if len(kinds) == 1:
        return words.Picker(options.get(kinds[0], {}))
    merged: dict[str, str] = {}
    with i18n.using(lang):
        for kind in kinds:
            one = (
                _(words.TABLE_WORDS[kind][0])
                if kind in words.TABLE_WORDS
                else labels.ROLE_WORDS.get(kind, kind).lower()
            )
            merged.update(
                {
                    k: _("{name} ({kind})").format(name=v, kind=one)
                    for k, v in options.get(kind, {}).items()
                }
            )
    return words.Picker(merged)


def pick(
    slot: str, label: str, kinds: tuple[str, ...], *, leave_out: str | None = None
) -> str | None:
    """A find-as-you-type picker: a text field and the best 50 matches; the chosen id.

    Examples
    --------
    >>> pick("change_org", "Organization", ("organizations",))  # doctest: +SKIP
    'lib'
    """
    picker = _picker(cache.snapshot(), kinds, i18n.language())
    text = st.text_input(
        _("Find the {what}: type part of its name and press Enter").format(what=label.lower()),
        key=f"pick_{slot}_find",
    )
    found = [k for k in picker.matches(text, words.MAX_MATCHES + 1) if k != leave_out]
    found = found[: words.MAX_MATCHES]
    if not found:
        if text.strip():
            st.info(
                _("Nothing matches “{text}”: try fewer letters or another spelling.").format(
                    text=md(text)
                )
            )
        else:
            st.info(
                _("There is no {what} to choose yet: add one first.").format(what=md(label.lower()))
            )
        return None
    key = f"pick_{slot}"
    if state.get(key) not in found:
        state.pop(key, None)
    chosen = st.selectbox(label, found, format_func=ui.shown_as(picker.options), key=key)
    total = len(picker.options)
    if total > len(found) and len(found) == words.MAX_MATCHES:
        st.caption(
            _("The best {count} of {total}: type more of the name to narrow.").format(
                count=len(found), total=fmt_int(total)
            )
        )
    return str(chosen) if chosen is not None else None


# --- form fields ---------------------------------------------------------------------------------


def problems_here(form: str) -> dict[str, list[str]]:
    found = state.get(record_save.PROBLEMS)
    return found["by_column"] if found and found["form"] == form else {}


def show_form_problems(form: str) -> None:
    """The last save's problems on this form, each said against its field's label."""
    found = state.get(record_save.PROBLEMS)
    if found and found["form"] == form:
        lines = "\n".join(f"- {md(line)}" for line in found["lines"])
        st.error(_("Not saved. Please fix:\n\n{problems}").format(problems=lines))


def _field(prefix: str, f: words.Field, problems: dict[str, list[str]]) -> None:
    key = f"{prefix}_{f.column}"
    help_text = _(f.help) if f.help else None
    label = _(f.label)
    if f.widget == "services":
        st.multiselect(
            label,
            list(schema.SERVICES),
            format_func=lambda s: _(schema.SERVICES[s]).capitalize(),  # marked in schema
            key=key,
            help=help_text,
        )
    elif f.widget == "choice":
        shown = words.CHOICE_WORDS.get(f.column, {})
        st.selectbox(
            label,
            list(f.choices),
            index=None,
            format_func=ui.shown_as(shown),
            placeholder=_("Not set"),
            key=key,
            help=help_text,
        )
    elif f.widget == "bool":
        st.checkbox(label, key=key, help=help_text)
    elif f.widget == "neighborhood":
        neighborhoods = cache.filter_options(cache.snapshot())["neighborhoods"]
        st.selectbox(
            label,
            list(neighborhoods),
            index=None,
            format_func=ui.shown_as(neighborhoods),
            placeholder=_("Outside the city, or not known"),
            key=key,
            help=help_text,
        )
    elif f.widget == "strength":
        st.selectbox(
            label,
            list(labels.STRENGTH_LABELS),
            format_func=ui.shown_as(labels.STRENGTH_LABELS),
            key=key,
            help=help_text,
        )
    elif f.widget == "long":
        st.text_area(label, key=key, height=68, help=help_text)
    else:
        st.text_input(label, key=key, help=help_text)
    for message in problems.get(f.column, []):
        st.error(_("{field}: {problem}").format(field=label, problem=md(message)))


def _fields(prefix: str, form: str, fields: list[words.Field]) -> None:
    problems = problems_here(form)
    for f in fields:
        _field(prefix, f, problems)


def _set_values(prefix: str, values: dict[str, Any]) -> None:
    for column, value in values.items():
        state[f"{prefix}_{column}"] = value


def _values(prefix: str, fields: list[words.Field]) -> dict[str, Any]:
    return {f.column: state.get(f"{prefix}_{f.column}") for f in fields}


def read_for_form(
    form: str, table: str, key: str, prefix: str, values_of: Any
) -> dict[str, Any] | None:
    """The form's record as read (read now when it is another record or a new form)."""
    read = state.get(record_save.READ)
    prefilled = values_of(None)
    missing = any(f"{prefix}_{c}" not in state for c in prefilled)
    if read is None or (read["form"], read["table"], read["key"]) != (form, table, key) or missing:
        try:
            read = record_save.read_record(form, table, key)
        except errors.ValidationError as exc:
            st.warning(md(exc.problems[0].message) if exc.problems else md(exc))
            return None
        read["values"] = values_of(read["before"])
        state[record_save.READ] = read
        state.pop(record_save.PROBLEMS, None)
        _set_values(prefix, read["values"])
    return read


def read_caption(read: dict[str, Any]) -> None:
    st.caption(
        _(
            "Read at data version {version}. If someone saves this record before you, "
            "you will see both values and choose."
        ).format(version=read["version"])
    )


# --- add -----------------------------------------------------------------------------------------


def _add_defaults(table: str, fields: list[words.Field]) -> dict[str, Any]:
    today = dt.date.today()
    defaults: dict[str, Any] = {f.column: words.widget_value(f, None) for f in fields}
    defaults.update(source=words.working_session_source(today), source_date=today.isoformat())
    if "anchor_type" in defaults:
        defaults["anchor_type"] = "none"
    if "member" in defaults:
        defaults["member"] = True
    if table == "committees":
        defaults["status"] = "forming"
    if table == "ties":
        defaults["strength"] = 2
    return defaults


def _ensure_defaults(prefix: str, defaults: dict[str, Any]) -> None:
    for column, value in defaults.items():
        state.setdefault(f"{prefix}_{column}", value)


def _free_id(name: str, table: str) -> str:
    """A new record's id from its name: unique among every id, retired ones too."""
    city = cache.city(cache.snapshot())
    store = cache.get_store()
    account, _who = record_save.editor()
    taken = {
        str(v) for t, column in schema.ID_COLUMNS.items() for v in city.tables[t][column].tolist()
    }
    stored = [t for t in edits.EDITABLE_TABLES if t != "ties"]
    fallback = words.TABLE_WORDS[table][0].replace(" ", "-")
    while True:
        candidate = words.new_id(name, taken, fallback)
        if not any(store.row(t, candidate, account=account)[0] is not None for t in stored):
            return candidate
        taken.add(candidate)  # a retired record holds it


def _submit_add(table: str, form: str, prefix: str, fields: list[words.Field], ends: dict) -> None:
    cells = words.cells_of(fields, _values(prefix, fields))
    key: str | None = None
    if table == "ties":
        cells.update(ends)
        key = edits.tie_key(ends["source_id"], ends["target_id"], ends["tie_type"])
    else:
        name = cells.get("alias" if table == "navigators" else "name", "")
        if name:
            try:
                key = _free_id(name, table)
            except errors.PermissionDenied as exc:  # a role changed since the page was drawn
                record_save.say("error", _("Not saved: {problem}").format(problem=exc))
                return
            cells[schema.ID_COLUMNS[table]] = key
    pending: dict[str, Any] = {
        "op": "add",
        "table": table,
        "key": key,
        "cells": cells,
        "form": form,
        "read_version": cache.snapshot().version,
    }
    if record_save.save(pending):
        _set_values(prefix, _add_defaults(table, fields))


def add_form(table: str) -> None:
    """Add a record of ``table`` (a tie: its type and ends first)."""
    form, prefix = f"add_{table}", f"add_{table}"
    ends: dict[str, str] = {}
    tie_type = None
    if table == "ties":
        tie_type = st.selectbox(
            _("What did you learn?"),
            list(TIE_CHOICES),
            format_func=lambda t: _(TIE_CHOICES[t][0]),
            key="add_tie_type",
        )
        _words, first, second = TIE_CHOICES[tie_type]
        left, right = st.columns(2)
        with left:
            source = pick("tie_from", labels.ROLE_WORDS[first], (first,))
        with right:
            target = pick("tie_to", labels.ROLE_WORDS[second], (second,))
        if source is None or target is None:
            return
        ends = {"source_id": source, "target_id": target, "tie_type": tie_type}
    fields = words.fields_of(table, adding=True, tie_type=tie_type)
    _ensure_defaults(prefix, _add_defaults(table, fields))
    if table == "navigators":
        st.info(
            _(
                "Cultural navigators are private people: record an alias only, never a real "
                "name, phone number or address."
            )
        )
    show_form_problems(form)
    with st.form(form):
        _fields(prefix, form, fields)
        st.form_submit_button(
            _save_new(table),
            type="primary",
            on_click=_submit_add,
            args=(table, form, prefix, fields, ends),
        )


def _save_new(table: str) -> str:
    """The add form's button: a whole sentence per kind of record."""
    buttons = {
        "organizations": _("Save the new organization"),
        "ties": _("Save the new tie"),
        "communities": _("Save the new community"),
        "navigators": _("Save the new cultural navigator"),
        "committees": _("Save the new welcoming committee"),
    }
    return buttons[table]


# --- change --------------------------------------------------------------------------------------


def _submit_change(table: str, key: str, form: str, prefix: str, fields: list[words.Field]) -> None:
    read = state.get(record_save.READ)
    if not read or (read["table"], read["key"]) != (table, key):
        record_save.say("warning", _("The form was not read yet: nothing was saved. Try again."))
        return
    cells = words.changed_cells(fields, read["values"], _values(prefix, fields))
    if not cells:
        state.pop(record_save.PROBLEMS, None)
        record_save.say("info", _("Nothing to save: no field was changed."))
        return
    record_save.save(
        {
            "op": "change",
            "table": table,
            "key": key,
            "cells": cells,
            "read_before": read["before"],
            "read_version": read["version"],
            "form": form,
        }
    )


def find_record(table: str, slot: str) -> str | None:
    """Pick a record of ``table`` (a tie: one of its ends, then the tie)."""
    if table != "ties":
        return pick(slot, labels.ROLE_WORDS[table], (table,))
    end = pick(slot, _("Organization, community, navigator or committee"), TIE_END_KINDS)
    if end is None:
        return None
    ties = cache.city(cache.snapshot()).tables["ties"]
    touching = ties[(ties["source_id"].astype(str) == end) | (ties["target_id"].astype(str) == end)]
    if touching.empty:
        st.info(_("It has no ties yet: add one with “Add”."))
        return None
    shown = record_save.names(cache.snapshot())
    rows = [
        {str(k): v for k, v in r.items()}
        for r in touching[list(edits.TIE_KEY_COLUMNS)].to_dict("records")
    ]
    options = {edits.row_key("ties", r): words.tie_text(r, shown) for r in rows}
    key = f"pick_{slot}_tie"
    if state.get(key) not in options:
        state.pop(key, None)
    return st.selectbox(_("The tie"), list(options), format_func=ui.shown_as(options), key=key)


def change_form(table: str) -> None:
    """Change the fields of one record."""
    key = find_record(table, f"change_{table}")
    if key is None:
        return
    form, prefix = f"change_{table}", f"change_{table}"
    tie_type = key.split("|")[2] if table == "ties" else None
    fields = words.fields_of(table, adding=False, tie_type=tie_type)
    read = read_for_form(
        form,
        table,
        key,
        prefix,
        lambda row: words.form_values(table, row or {}, fields),
    )
    if read is None:
        return
    if table == "navigators":
        st.info(_("Aliases only: never a cultural navigator's real name or contact details."))
    if table == "committees":
        st.caption(_("To change the committee's status with its date, use “Change its status”."))
    if table == "ties":
        st.caption(
            _(
                "A tie's ends and type cannot change: a tie between others is another tie (mark "
                "this one “It ended” and add the new one)."
            )
        )
    show_form_problems(form)
    with st.form(form):
        _fields(prefix, form, fields)
        st.form_submit_button(
            _("Save the changes"),
            type="primary",
            on_click=_submit_change,
            args=(table, key, form, prefix, fields),
        )
    read_caption(read)
