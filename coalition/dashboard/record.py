"""Record page: the room adds, changes, retires and merges any record during a working session.

Organizations, ties, communities, cultural navigators (aliases only) and welcoming committees
(with their status and its date). Every save passes the same checks as a data file
(:mod:`coalition.edits`) and is one new version of the store (:meth:`coalition.store.Store.apply`)
under the editor's name (a signed-in account's own name; with no accounts, the name the
operator gives once per browser session). A form keeps the record as it read it: when someone
saved the same record since, nothing is overwritten — both values are shown and the editor
chooses. Different records never conflict. "Undo my last change" undoes the editor's own last
change as a new version. Hidden when ``COALITION_READ_ONLY`` is set, and from viewers (the page
is not registered for them, and checks the role again when it runs). The forms are in
:mod:`coalition.dashboard.record_forms` and :mod:`coalition.dashboard.record_lifecycle`, the
saving in :mod:`coalition.dashboard.record_save`.
"""

from __future__ import annotations

import streamlit as st

from coalition.dashboard import auth, cache, record_forms, record_lifecycle, record_save, ui
from coalition.i18n import _
from coalition.presenting import record as words
from coalition.presenting.text import md

state = st.session_state
SHOW = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}


def _set_name() -> None:
    name = " ".join(str(state.get("record_who") or "").split())
    if name:
        state[record_save.NAME] = name
        state.pop("record_who_problem", None)
    else:
        state["record_who_problem"] = True


def _change_name() -> None:
    state.pop(record_save.NAME, None)


def _who() -> str | None:
    """Who is editing: a signed-in account, or (no accounts) a name asked once per session."""
    account = auth.current_account()
    if account is not None and not account.operator:
        st.markdown(
            _(
                "Editing as **{name}** ({role}): your account's name is kept with every change "
                "you save."
            ).format(name=md(account.name), role=auth.role_name(account.role))
        )
        return account.name
    name = state.get(record_save.NAME)
    if name:
        left, right = st.columns([4, 1])
        left.markdown(
            _("Editing as **{name}**: your name is kept with every change you save.").format(
                name=md(name)
            )
        )
        right.button(_("Not you? Change the name"), on_click=_change_name, key="record_rename")
        return str(name)
    st.subheader(_("Who is editing?"))
    with st.form("record_who_form"):
        st.text_input(
            _("Your name (kept with every change you save; asked once in this browser)"),
            key="record_who",
        )
        st.form_submit_button(_("Start editing"), type="primary", on_click=_set_name)
    if state.get("record_who_problem"):
        st.error(_("Please give your name (or the name of your table or group) to start editing."))
    return None


def _message() -> None:
    said = state.pop(record_save.MESSAGE, None)
    if said:
        kind, text = said
        SHOW.get(kind, st.info)(md(text))


def _conflict() -> None:
    """A refused save: both values side by side, and the choice."""
    conflict = state.get(record_save.CONFLICT)
    if not conflict:
        return
    lines = [
        _(
            "**Someone saved the same record after you opened the form: nothing of yours was "
            "saved yet.** Compare the values and choose."
        )
    ]
    for record in conflict["records"]:
        lines.append("\n" + _was_changed(record))
        if record["rows"]:
            header = "| {} | {} | {} |".format(_("Field"), _("Yours"), _("Theirs"))
            table = [header, "| --- | --- | --- |"]
            table += [
                f"| {md(r['field'])} | {md(r['yours'])} | {md(r['theirs'])} |"
                for r in record["rows"]
            ]
            lines.append("\n" + "\n".join(table))
    unexplained = any(not r["rows"] or not r["version"] for r in conflict["records"])
    if conflict.get("message") and unexplained:
        lines.append("\n" + md(conflict["message"]))
    with st.container(border=True):
        st.warning("\n".join(lines[:1]))
        st.markdown("\n".join(lines[1:]))
        st.caption(
            _(
                "Keep mine saves your values on top of the record as it is now (fields you did "
                "not change keep theirs). Keep theirs drops your values. Every version stays in "
                "the history either way."
            )
        )
        left, right = st.columns(2)
        left.button(_("Keep mine"), type="primary", on_click=record_save.keep_mine, key="keep_mine")
        right.button(_("Keep theirs"), on_click=record_save.keep_theirs, key="keep_theirs")


def _was_changed(record: dict) -> str:
    """ "**<record>** was changed in data version 4 by Ana (what)." as markdown."""
    values = {
        "record": md(record["record"]),
        "version": record["version"],
        "who": md(record["who"]),
        "what": md(record["what"]),
    }
    if not record["version"]:
        if record["what"]:
            return _("**{record}** was changed ({what}).").format(**values)
        return _("**{record}** was changed.").format(**values)
    if record["who"] and record["what"]:
        return _("**{record}** was changed in data version {version} by {who} ({what}).").format(
            **values
        )
    if record["who"]:
        return _("**{record}** was changed in data version {version} by {who}.").format(**values)
    if record["what"]:
        return _("**{record}** was changed in data version {version} ({what}).").format(**values)
    return _("**{record}** was changed in data version {version}.").format(**values)


def _actions(kind: str) -> dict[str, str]:
    shown = words.TIE_ACTION_WORDS if kind == "ties" else words.ACTION_WORDS
    return {a: shown[a] for a in words.ACTIONS[kind]}


def render() -> None:
    """Draw the Record page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    auth.require("edit", "record changes")  # second guard: the page is not even registered
    with ui.problems_shown():
        cache.snapshot()

    st.title(_("Record"))
    st.markdown(
        _(
            "Add, change, retire or merge any record as partners say it in the room. Each entry "
            "is checked like a data file, saved at once under your name with its source, and "
            "shown on every page from the next click."
        )
    )
    name = _who()
    if name is None:
        return
    _message()
    st.button(
        _("Undo my last change"),
        on_click=record_save.undo_mine,
        key="record_undo",
        help=_("Undoes the last change you saved (as a new version: nothing is lost)."),
    )
    st.caption(_("Never record a private person: cultural navigators appear under an alias only."))
    kinds = {t: _(words.TABLE_WORDS[t][1]) for t in words.ACTIONS}
    kind = st.radio(
        _("What to record"),
        list(kinds),
        format_func=ui.shown_as(kinds),
        horizontal=True,
        key="record_kind",
    )
    actions = _actions(kind)
    if state.get("record_action") not in actions:
        state.pop("record_action", None)
    action = st.radio(
        _("What to do"),
        list(actions),
        format_func=ui.shown_as(actions),
        horizontal=True,
        key="record_action",
    )
    _conflict()
    with ui.problems_shown():
        if action == "add":
            record_forms.add_form(kind)
        elif action == "change":
            record_forms.change_form(kind)
        elif action == "retire":
            record_lifecycle.retire_form(kind)
        elif action == "merge":
            record_lifecycle.merge_form(kind)
        elif action == "status":
            record_lifecycle.status_form()
    st.caption(
        _(
            "To take the recorded data with you, use the downloads on the Data page; to "
            "replace everything with a folder, run `coalition init <folder>`."
        )
    )


if __name__ == "__main__":
    render()
