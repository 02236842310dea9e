"""The Record page's forms that end or join records: retire (a tie: "it ended"), merge two
records that are the same, and a welcoming committee's status with its date.

Built on the pickers and read-at-a-version forms of :mod:`coalition.dashboard.record_forms`;
saving happens in the submit buttons' callbacks (:mod:`coalition.dashboard.record_save`).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from coalition import edits, errors
from coalition.dashboard import cache, record_save, ui
from coalition.dashboard.record_forms import (
    find_record,
    pick,
    problems_here,
    read_caption,
    read_for_form,
    show_form_problems,
)
from coalition.i18n import _, ngettext
from coalition.presenting import record as words
from coalition.presenting.text import fmt_int, md

state = st.session_state


# --- retire and status ---------------------------------------------------------------------------


def _submit_retire(table: str, key: str, form: str) -> None:
    read = state.get(record_save.READ)
    if not read or (read["table"], read["key"]) != (table, key):
        record_save.say("warning", _("The form was not read yet: nothing was saved. Try again."))
        return
    record_save.save(
        {
            "op": "retire",
            "table": table,
            "key": key,
            "reason": state.get("retire_reason", ""),
            "on": state.get("retire_on") or dt.date.today(),
            "read_before": read["before"],
            "read_version": read["version"],
            "form": form,
        }
    )


def retire_form(table: str) -> None:
    """Retire a record (a tie: "it ended"), with a reason and a date; its ties end too."""
    key = find_record(table, f"retire_{table}")
    if key is None:
        return
    form = f"retire_{table}"
    read = read_for_form(
        form,
        table,
        key,
        "retire",
        lambda row: {"reason": "", "on": dt.date.today()},
    )
    if read is None:
        return
    shown = record_save.names(cache.snapshot())
    name = words.record_text(table, read["before"], key, shown)
    if table != "ties":
        ties = cache.city(cache.snapshot()).tables["ties"]
        count = int(((ties["source_id"] == key) | (ties["target_id"] == key)).sum())
        st.markdown(
            ngettext(
                "Retiring **{name}** keeps it in the history with the reason and date, hides "
                "it from the maps and analyses, and ends its {count} tie.",
                "Retiring **{name}** keeps it in the history with the reason and date, hides "
                "it from the maps and analyses, and ends its {count} ties.",
                count,
            ).format(name=md(name), count=fmt_int(count))
        )
    else:
        st.markdown(
            _("**{name}** ended: it stays in the history with the reason and date.").format(
                name=md(name)
            )
        )
    show_form_problems(form)
    problems = problems_here(form)
    with st.form(form):
        st.text_input(words.FORM_LABELS["reason"], key="retire_reason")
        for message in problems.get("reason", []):
            st.error(
                _("{field}: {problem}").format(
                    field=words.FORM_LABELS["reason"], problem=md(message)
                )
            )
        st.date_input(words.FORM_LABELS["on"], key="retire_on")
        st.form_submit_button(
            _retire_button(table),
            type="primary",
            on_click=_submit_retire,
            args=(table, key, form),
        )
    read_caption(read)


def _retire_button(table: str) -> str:
    """The retire form's button: a whole sentence per kind of record."""
    buttons = {
        "organizations": _("Retire this organization"),
        "ties": _("This tie ended"),
        "communities": _("Retire this community"),
        "navigators": _("Retire this cultural navigator"),
        "committees": _("Retire this welcoming committee"),
    }
    return buttons[table]


def _submit_status(key: str, form: str) -> None:
    read = state.get(record_save.READ)
    if not read or read["key"] != key:
        record_save.say("warning", _("The form was not read yet: nothing was saved. Try again."))
        return
    record_save.save(
        {
            "op": "status",
            "table": "committees",
            "key": key,
            "status": state.get("status_status") or "",
            "on": state.get("status_on") or dt.date.today(),
            "read_before": read["before"],
            "read_version": read["version"],
            "form": form,
        }
    )


def status_form() -> None:
    """A welcoming committee's new status (none, forming, active, paused) from a date."""
    key = find_record("committees", "status_committees")
    if key is None:
        return
    form = "status_committees"
    read = read_for_form(
        form,
        "committees",
        key,
        "status",
        lambda row: {"status": (row or {}).get("status"), "on": dt.date.today()},
    )
    if read is None:
        return
    before = read["before"]
    st.markdown(
        _(
            "Now: **{status}** (since {date}). Each change is kept with its date in the history."
        ).format(
            status=md(words.STATUS_WORDS.get(before["status"], before["status"])),
            date=md(before.get("source_date") or _("a date not recorded")),
        )
    )
    show_form_problems(form)
    with st.form(form):
        st.radio(
            words.FORM_LABELS["status"],
            list(words.STATUS_ORDER),
            format_func=ui.shown_as(words.STATUS_WORDS),
            horizontal=True,
            key="status_status",
        )
        st.date_input(words.FORM_LABELS["on"], key="status_on")
        st.form_submit_button(
            _("Save the status"), type="primary", on_click=_submit_status, args=(key, form)
        )
    read_caption(read)


# --- merge ---------------------------------------------------------------------------------------


def _submit_merge(table: str, keep: str, drop: str, changes: list, version: int) -> None:
    record_save.save(
        {
            "op": "merge",
            "table": table,
            "key": drop,
            "keep": keep,
            "drop": drop,
            "changes": changes,
            "read_version": version,
            "form": f"merge_{table}",
        }
    )


def merge_form(table: str) -> None:
    """Merge two records that are the same: what moves is shown before confirming."""
    st.markdown(
        _(
            "Two {kind} records that are the same: the ties of the one that goes move to the "
            "one kept, and the one that goes is retired (“merged into …”). Nothing else is "
            "copied: change the one kept first if it should take the other's details."
        ).format(kind=_(words.TABLE_WORDS[table][0]))
    )
    left, right = st.columns(2)
    with left:
        keep = pick(f"merge_{table}_keep", words.FORM_LABELS["keep"], (table,))
    with right:
        drop = pick(f"merge_{table}_drop", words.FORM_LABELS["drop"], (table,), leave_out=keep)
    if keep is None or drop is None:
        return
    snap = cache.snapshot()
    try:
        changes = edits.merge(cache.city(snap), table, keep, drop)
    except errors.ValidationError as exc:
        st.error("\n\n".join(md(p.message) for p in exc.problems))
        return
    shown = record_save.names(snap)
    st.markdown(
        _("**What will happen:**\n\n{lines}").format(
            lines="\n".join(f"- {md(line)}" for line in words.change_lines(changes, shown))
        )
    )
    show_form_problems(f"merge_{table}")
    with st.form(f"merge_{table}"):
        st.form_submit_button(
            _("Merge the two"),
            type="primary",
            on_click=_submit_merge,
            args=(table, keep, drop, changes, snap.version),
        )
