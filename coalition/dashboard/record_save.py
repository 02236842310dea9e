"""Saving what the Record page's forms ask for: row changes, conflicts, problems, undo.

A form reads its record at a version and keeps the row it read (``st.session_state``); a save
sends :func:`coalition.edits` changes whose ``before`` is that row, so the store refuses it
(:class:`~coalition.errors.ConflictError`) when someone saved the same record since. The page
then shows both values and lets the editor keep theirs or keep the other person's. Everything
here runs in widget callbacks (before the page is drawn again) and only writes
``st.session_state``; :mod:`coalition.dashboard.record` draws the outcome.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from coalition import edits, errors, i18n, schema
from coalition.accounts import Account
from coalition.dashboard import auth, cache
from coalition.i18n import _
from coalition.presenting import record as words

logger = logging.getLogger(__name__)

NAME = "editor_name"  # who is editing (the operator only), asked once per browser session
READ = "record_read"  # the record a form read: form, table, key, version, before, values
PROBLEMS = "record_problems"  # validation problems of the last save: form, table, lines, by_column
CONFLICT = "record_conflict"  # a refused save: the pending save and both sides
MESSAGE = "record_message"  # (kind, text) to show once: success, info, warning or error


def names(snap: cache.Snapshot) -> dict[str, str]:
    """Every node's shown name by id (ties are described with them)."""
    return _names(snap)


@st.cache_resource(show_spinner=False, max_entries=4)
def _names(snap: cache.Snapshot) -> dict[str, str]:
    options = cache.filter_options(snap)
    shown: dict[str, str] = {}
    for kind in ("neighborhoods", "organizations", "communities", "navigators", "committees"):
        shown.update(options.get(kind, {}))
    return shown


def editor() -> tuple[Account | None, str]:
    """The acting account and the name the history keeps for it.

    A signed-in account is its own name; the operator (a store without accounts) is the name
    given on the Record page. Every store call here passes the account: the store refuses what
    its role may not do, whatever the page showed (a replayed widget, a role changed since).
    """
    account = auth.current_account()
    if account is not None and not account.operator:
        return account, account.name
    return account, str(st.session_state.get(NAME) or "")


def say(kind: str, text: str) -> None:
    """Keep a message for the page to show once (text is plain: the page escapes it)."""
    st.session_state[MESSAGE] = (kind, text)


def read_record(form: str, table: str, key: str) -> dict[str, Any]:
    """Read a record for a form at the current version and remember it.

    Returns
    -------
    dict
        ``form``, ``table``, ``key``, ``version`` and ``before`` (the row as
        :func:`coalition.edits.current_row` gives it).
    """
    snap = cache.snapshot()
    before = edits.current_row(cache.city(snap), table, key)
    read = {"form": form, "table": table, "key": key, "version": snap.version, "before": before}
    st.session_state[READ] = read
    return read


def forget_read() -> None:
    """The forms read their record again (after a save, an undo or "keep theirs")."""
    st.session_state.pop(READ, None)


def _with_read_before(changes: list[edits.RowChange], pending: dict) -> list[edits.RowChange]:
    """The changes with the edited record's ``before`` as the form read it (conflict check)."""
    before = pending.get("read_before")
    if before is None:
        return changes
    return [
        edits.RowChange(c.table, c.key, before, c.after)
        if (c.table, c.key) == (pending["table"], pending["key"])
        else c
        for c in changes
    ]


def build(city: Any, pending: dict, *, fresh: bool) -> list[edits.RowChange]:
    """The row changes of a pending save on ``city``.

    ``fresh`` ("keep mine"): on the record as stored now, the editor's values applied again.
    Otherwise on the record as the form read it, so a save after someone else's is refused.
    """
    op, table = pending["op"], pending["table"]
    key = str(pending.get("key") or "")
    if op == "add":
        cells = pending["cells"]
        if fresh and key and _active(city, table, key):
            fixed = edits.TIE_KEY_COLUMNS if table == "ties" else (schema.ID_COLUMNS[table],)
            return edits.change(
                city, table, key, {c: v for c, v in cells.items() if c not in fixed}
            )
        return edits.add(city, table, cells)
    if op == "merge":
        if not fresh:
            return list(pending["changes"])
        return edits.merge(city, table, pending["keep"], pending["drop"])
    if op == "change":
        changes = edits.change(city, table, key, pending["cells"])
    elif op == "retire":
        changes = edits.retire(city, table, key, reason=pending["reason"], on=pending["on"])
    elif op == "status":
        changes = edits.set_committee_status(city, key, pending["status"], on=pending["on"])
    else:
        raise ValueError(f"unknown save {op!r}")
    return changes if fresh else _with_read_before(changes, pending)


def _active(city: Any, table: str, key: str) -> bool:
    try:
        edits.current_row(city, table, key)
    except errors.ValidationError:
        return False
    return True


def save(pending: dict, *, fresh: bool = False) -> bool:
    """Check and save a pending change; True when saved.

    Problems go to ``PROBLEMS`` (shown on the form's fields), a conflict to ``CONFLICT``
    (shown side by side), a success to ``MESSAGE``, a refusal of the account's role (the
    store's :class:`~coalition.errors.PermissionDenied`) to ``MESSAGE`` as an error.
    """
    try:
        return _save(pending, fresh=fresh)
    except errors.PermissionDenied as exc:  # a role changed, or a widget replayed
        say("error", _("Not saved: {problem}").format(problem=exc))
        return False


def _save(pending: dict, *, fresh: bool) -> bool:
    state = st.session_state
    state.pop(PROBLEMS, None)
    account, who = editor()
    store = cache.get_store()
    snap = cache.snapshot()
    city = cache.city(snap)
    shown = names(snap)
    try:
        changes = build(city, pending, fresh=fresh)
    except errors.ValidationError as exc:
        if not fresh and _gone_since(store, pending, account):
            return False
        found = words.form_problems(pending["table"], exc.problems)
        state[PROBLEMS] = {
            "form": pending["form"],
            "table": pending["table"],
            "lines": found.lines,
            "by_column": found.by_column,
        }
        return False
    if not changes:
        say("info", _("Nothing to save: the record already holds these values."))
        _settled(pending)
        forget_read()
        return True
    with i18n.using(i18n.SOURCE_LANGUAGE):  # the history keeps one language
        what = edits.describe(changes, shown)
    try:
        version = store.apply(
            changes,
            what=what,
            who=who,
            read_version=snap.version if fresh else pending.get("read_version"),
            account=account,
        )
    except errors.ConflictError as exc:
        state[CONFLICT] = conflict_view(
            store, pending, exc.conflicts, shown, str(exc), account=account
        )
        return False
    except errors.CoalitionError as exc:
        say("error", _("Not saved: {problem}").format(problem=exc))
        return False
    logger.info("record page saved version %d: %s", version, what)
    say(
        "success",
        _("Saved: {what} (data version {version}).").format(
            what=edits.describe(changes, shown), version=version
        ),
    )
    _settled(pending)
    forget_read()
    return True


def _settled(pending: dict) -> None:
    """A conflict on the record just saved is settled; one on another record stays shown."""
    conflict = st.session_state.get(CONFLICT)
    if conflict and (conflict["pending"]["table"], conflict["pending"].get("key")) == (
        pending["table"],
        pending.get("key"),
    ):
        st.session_state.pop(CONFLICT, None)


def _gone_since(store: Any, pending: dict, account: Account | None) -> bool:
    """A record retired or merged away since the form read it is a conflict too."""
    if pending.get("read_before") is None or pending["op"] == "merge":
        return False
    current, changed_in = store.row(pending["table"], pending["key"], account=account)
    if current is not None and not current.get(edits.RETIRED):
        return False
    wanted = {**pending["read_before"], **_typed(pending)}
    change = edits.RowChange(pending["table"], pending["key"], pending["read_before"], wanted)
    conflict = errors.Conflict(change, current, changed_in)
    st.session_state[CONFLICT] = conflict_view(
        store, pending, [conflict], names(cache.snapshot()), "", account=account
    )
    return True


def _typed(pending: dict) -> dict[str, Any]:
    """The editor's wish as row values, for showing (cells stay texts; a retirement a mark)."""
    if pending["op"] == "retire":
        return {edits.RETIRED: {"on": str(pending["on"]), "reason": pending["reason"]}}
    if pending["op"] == "status":
        return {"status": pending["status"], "source_date": str(pending["on"])}
    return dict(pending.get("cells", {}))


MINE = {
    "change": lambda pending: list(pending["cells"]),
    "status": lambda pending: ["status", "source_date"],
    "retire": lambda pending: [],
}


def conflict_view(
    store: Any,
    pending: dict,
    conflicts: list,
    shown: dict[str, str],
    message: str,
    *,
    account: Account | None = None,
) -> dict[str, Any]:
    """What the page shows of a refused save: each record, who changed it, both values."""
    versions = store.versions(account=account)
    by_version = {int(r["version"]): r for r in versions.to_dict("records")}
    records = []
    for conflict in conflicts:
        change = conflict.change
        primary = (change.table, change.key) == (pending["table"], pending.get("key"))
        # The fields the editor changed (None: every field the change touches).
        mine = MINE.get(pending["op"], lambda p: None)(pending) if primary else None
        rows = words.conflict_rows(
            change.table, change.before, change.after, conflict.current, mine
        )
        if primary and pending["op"] == "add":  # both added it: only where the two differ
            rows = [r for r in rows if r["yours"] != r["theirs"]]
        entry = by_version.get(int(conflict.changed_in)) if conflict.changed_in else None
        records.append(
            {
                "record": words.record_text(
                    change.table, change.after or change.before, change.key, shown
                ),
                "version": conflict.changed_in,
                "who": str(entry["who"]) if entry else "",
                "what": str(entry["what"]) if entry else "",
                "rows": rows,
            }
        )
    return {"pending": pending, "records": records, "message": message}


def keep_mine() -> None:
    """Save the editor's values again on the records as they are now."""
    conflict = st.session_state.get(CONFLICT)
    if conflict:
        save(conflict["pending"], fresh=True)


def keep_theirs() -> None:
    """Drop the editor's values: the form reads the record as it is now."""
    conflict = st.session_state.pop(CONFLICT, None)
    if conflict:
        st.session_state.pop(PROBLEMS, None)
        forget_read()
        say(
            "info",
            _("Kept theirs: your values were not saved; the form shows the record as it is now."),
        )


def undo_mine() -> None:
    """Undo the editor's last change (not yet undone) as a new version; say what happened."""
    account, who = editor()
    store = cache.get_store()
    try:
        kept = store.versions(account=account)
    except errors.CoalitionError as exc:  # PermissionDenied: a role changed since
        say("error", _("Not undone: {problem}").format(problem=exc))
        return
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in kept.to_dict("records")
    ]
    target = words.last_undoable(rows, who)
    if target is None:
        say(
            "info",
            _("There is nothing of yours to undo ({who}): you have saved no change yet.").format(
                who=who
            ),
        )
        return
    try:
        version = store.undo(who=who, version=target, account=account)
    except errors.ConflictError as exc:
        view = conflict_view(
            store,
            {"op": "undo", "table": "", "key": None},
            exc.conflicts,
            names(cache.snapshot()),
            "",
            account=account,
        )
        since = [_changed_since(r) for r in view["records"]]
        say(
            "warning",
            _(
                "Not undone: someone changed the same record since your change (version "
                "{version}). Changed since: {changes}. Edit the record instead."
            ).format(version=target, changes="; ".join(since)),
        )
        return
    except errors.CoalitionError as exc:
        say("error", _("Not undone: {problem}").format(problem=exc))
        return
    saved = store.versions(account=account)
    what = saved.loc[saved["version"] == version, "what"].iloc[0]
    forget_read()
    say("success", _("Undone ({what}; data version {version}).").format(what=what, version=version))


def _changed_since(record: dict[str, Any]) -> str:
    """One record changed since: "<record> (version 4 by Ana: what it was)"."""
    values = {
        "record": record["record"],
        "version": record["version"],
        "who": record["who"],
        "what": record["what"],
    }
    if record["who"] and record["what"]:
        return _("{record} (version {version} by {who}: {what})").format(**values)
    if record["who"]:
        return _("{record} (version {version} by {who})").format(**values)
    if record["what"]:
        return _("{record} (version {version}: {what})").format(**values)
    return _("{record} (version {version})").format(**values)
