"""Import page: upload a whole city or one table, see every problem and what would change, apply.

A new spreadsheet goes in during a working session without the command line: a zip of the city
folder or one workbook (the whole city), or one table as CSV (e.g. new ties). The page shows the
same report as ``coalition validate`` (file, row, column, value, what to do) and, when nothing
blocks it, what would change table by table; "Apply" saves it all as ONE new version, or nothing.
The work is done by :mod:`coalition.imports` (pure); this page only draws it. Hidden when
``COALITION_READ_ONLY`` is set.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import NamedTuple

import pandas as pd
import streamlit as st

from coalition import errors, i18n, imports, labels
from coalition.dashboard import auth, cache, ui
from coalition.i18n import N_, _, pgettext
from coalition.ingest import ValidationReport
from coalition.presenting import changes as change_text
from coalition.presenting import city as city_text
from coalition.presenting.text import fmt_int, md

# What the workbook choice offers (an .xlsx is a whole city or one table).
WORKBOOK_CHOICES = i18n.Translated(
    {"city": N_("The whole city (a sheet per table)"), "table": N_("Rows of one table")}
)
# Rows of the preview shown at most (the counts above always cover everything).
MAX_PREVIEW_ROWS = 5_000


class Checked(NamedTuple):
    """An upload checked against one store version (kept across reruns in session state).

    Compared by value, never by class: this page's module runs afresh on every rerun, so a
    class defined here is a new class each time.
    """

    key: tuple
    mode: str  # "city" or "table"
    table: str | None
    report: ValidationReport
    preview: imports.ImportPreview | None


def _kept() -> Checked | None:
    """The check the last run showed, if any."""
    kept = st.session_state.get("import_checked")
    return Checked(*kept) if isinstance(kept, tuple) and len(kept) == len(Checked._fields) else None


def _editor_name() -> str:
    """The operator's name from the Record page (a signed-in account is its own name)."""
    return str(st.session_state.get("editor_name") or "")


def _uploader_key() -> str:
    # A new key after each import empties the uploader.
    return f"import_file_{st.session_state.get('import_round', 0)}"


def _choose(name: str, data: bytes) -> tuple[str, str | None]:
    """Whole city or one table (and which), from the file's kind and the convener's choice."""
    suffix = PurePosixPath(name.lower()).suffix
    mode = "city" if suffix == ".zip" else "table"
    if suffix == ".xlsx":
        mode = st.radio(
            _("What does the workbook hold?"),
            list(WORKBOOK_CHOICES),
            format_func=ui.shown_as(WORKBOOK_CHOICES),
            horizontal=True,
            key="import_workbook_mode",
        )
    if mode == "city":
        return mode, None
    header = data[:4096].decode("utf-8", "replace").splitlines()[:1] if suffix == ".csv" else []
    columns = [c.strip().lower() for c in header[0].replace(";", ",").split(",")] if header else []
    guessed = imports.guess_table(name, columns)
    options = list(imports.TABLE_IMPORTS)
    table = st.selectbox(
        _("Which table are these rows of?"),
        options,
        index=options.index(guessed) if guessed in options else None,
        format_func=lambda table: labels.TABLE_TITLES.get(table, table),
        placeholder=_("Choose the table"),
        key="import_table",
        help=_(
            "Rows whose id is already in the city replace those rows; the others are added; "
            "rows not in the file are kept."
        ),
    )
    return mode, table


def _check(name: str, data: bytes, mode: str, table: str | None, snap: cache.Snapshot) -> Checked:
    """The upload's report and preview, worked out once per upload, choice and store version."""
    # The language is part of the key: the report's sentences are in the language of its check.
    key = (hashlib.sha256(data).hexdigest(), name, mode, table, snap, i18n.language())
    kept = _kept()
    if kept is not None and kept.key == key:
        return kept
    current = cache.city(snap)
    with st.spinner(_("Checking the file…")):
        if mode == "city":
            report = imports.validate_uploaded_city(data, name, current)
        else:
            report = imports.validate_uploaded_table(data, name, current, table)
        found = imports.preview(current, report.city) if report.city is not None else None
    checked = Checked(key, mode, table, report, found)
    st.session_state["import_checked"] = tuple(checked)
    return checked


def _report(report: ValidationReport, name: str) -> None:
    """Every problem, as ``coalition validate`` gives them."""
    st.subheader(_("Check"))
    if report.errors:
        st.error(
            _(
                "{count} problem(s) in {file}: nothing was imported. Fix them in the file and "
                "upload it again."
            ).format(count=fmt_int(len(report.errors)), file=md(name))
        )
        st.dataframe(
            change_text.shown_columns(
                city_text.warnings_table([p.as_dict() for p in report.errors])
            ),
            hide_index=True,
            width="stretch",
            key="import_errors",
        )
    if report.warnings:
        st.warning(
            _("{count} warning(s) to look at (they do not block it):").format(
                count=fmt_int(len(report.warnings))
            )
        )
        st.dataframe(
            change_text.shown_columns(
                city_text.warnings_table([p.as_dict() for p in report.warnings])
            ),
            hide_index=True,
            width="stretch",
            key="import_warnings",
        )
    if report.ok:
        st.success(_("{file} passed every check.").format(file=md(name)))


def _preview(found: imports.ImportPreview) -> None:
    st.subheader(_("What would change"))
    if found.name_before != found.name_after:
        st.warning(
            _(
                "This replaces the city {before} by {after}. The current data stays in the "
                "history and can be restored."
            ).format(before=md(found.name_before), after=md(found.name_after))
        )
    counts = found.counts
    st.dataframe(_shown_preview(counts), hide_index=True, width="stretch", key="import_counts")
    if found.total:
        st.markdown(
            _(
                "**{total}** row(s) change: {added} added, {changed} changed, {removed} removed."
            ).format(
                total=fmt_int(found.total),
                added=fmt_int(int(counts["Added"].sum())),
                changed=fmt_int(int(counts["Changed"].sum())),
                removed=fmt_int(int(counts["Removed"].sum())),
            )
        )
        rows = found.rows
        if len(rows) > MAX_PREVIEW_ROWS:
            st.caption(
                _("The first {shown} of {count} changed rows:").format(
                    shown=fmt_int(MAX_PREVIEW_ROWS), count=fmt_int(len(rows))
                )
            )
            rows = rows.head(MAX_PREVIEW_ROWS)
        st.dataframe(_shown_preview(rows), hide_index=True, width="stretch", key="import_rows")


def _change_word(change: object) -> str:
    words = {
        "added": pgettext("import preview", "added"),
        "changed": pgettext("import preview", "changed"),
        "removed": pgettext("import preview", "removed"),
    }
    return words.get(str(change), str(change))


def _shown_preview(frame: pd.DataFrame) -> pd.DataFrame:
    """A preview table in the language in use: headers, table titles and change words.

    English is left as the library wrote it (table keys such as ``ties``).
    """
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return frame
    shown = frame.copy()
    if "Table" in shown:
        shown["Table"] = shown["Table"].map(lambda t: labels.TABLE_TITLES.get(t, t))
    if "Change" in shown:
        shown["Change"] = shown["Change"].map(_change_word)
    return change_text.shown_columns(shown)


def _apply(checked: Checked, name: str, snap: cache.Snapshot) -> None:
    """Save the import as one version, or nothing; say what happened."""
    store = cache.get_store()
    account = auth.current_account()
    what = f"imported {name}"
    who = _editor_name()
    incoming = checked.report.city
    if incoming is None:
        return
    try:
        if store.version() != snap.version:  # saved between this run's start and now
            st.session_state.pop("import_checked", None)
            st.warning(
                _(
                    "Someone saved a change just now, so nothing was imported. Press Apply "
                    "again after looking at the changes, which are checked against the new data."
                )
            )
            return
        if checked.mode == "city":
            version = store.replace_city(
                incoming, what=what, who=who, kind="import", account=account
            )
        else:
            changes = imports.row_changes(cache.city(snap), incoming, checked.preview)
            version = store.apply(
                changes,
                what=what,
                who=who,
                source="import",
                read_version=snap.version,
                kind="import",
                account=account,
            )
    except errors.ConflictError as exc:
        st.session_state.pop("import_checked", None)
        names = ", ".join(md(c.change.key) for c in exc.conflicts[:10])
        st.error(_("{problem} Changed meanwhile: {names}.").format(problem=md(exc), names=names))
        return
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    found = checked.preview
    summary = (
        _("{count} row(s) changed").format(count=fmt_int(found.total)) if found is not None else ""
    )
    st.session_state["import_done"] = _(
        "Imported {file} as data version {version}: {summary}."
    ).format(file=name, version=version, summary=summary)
    st.session_state["import_round"] = int(st.session_state.get("import_round", 0)) + 1
    st.session_state.pop("import_checked", None)
    st.rerun()


def render() -> None:
    """Draw the Import page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    auth.require("import", "import files")  # second guard: the page is not even registered
    with ui.problems_shown():
        snap = cache.snapshot()

    st.title(_("Import"))
    st.markdown(
        _(
            "Bring in a new spreadsheet during the session: a **whole city** (a zip of the city "
            "folder, or one Excel workbook with a sheet per table) or **one table** (a CSV file, "
            "e.g. new ties or organizations). Every row is checked like `coalition validate` "
            "does; you see what would change before anything is saved, and it is saved as one "
            "new version (the Data page can bring the previous one back)."
        )
    )
    done = st.session_state.pop("import_done", None)
    if done:
        st.success(md(done))
    upload = st.file_uploader(
        _("A city (.zip or .xlsx) or one table (.csv)"),
        type=["zip", "xlsx", "csv"],
        key=_uploader_key(),
        max_upload_size=imports.MAX_UPLOAD_BYTES // 2**20,
        help=_("At most {megabytes} MB.").format(megabytes=imports.MAX_UPLOAD_BYTES // 2**20),
    )
    if upload is None:
        st.info(_("Choose a file to check. Nothing is saved until you press Apply."))
        return
    name = imports.upload_name(upload.name)
    data = upload.getvalue()
    mode, table = _choose(name, data)
    if mode == "table" and table is None:
        return
    shown = _kept()  # what the last run showed, if anything
    try:
        checked = _check(name, data, mode, table, snap)
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    _report(checked.report, name)
    if checked.preview is None:
        return
    _preview(checked.preview)
    if checked.preview.is_empty:
        st.info(_("The file holds nothing new: there is nothing to apply."))
        return
    # The same file checked anew because the data changed: what was shown is not what
    # would be saved, so the click only shows the new check.
    stale = (
        shown is not None
        and shown.key[:4] == checked.key[:4]
        and shown.key[4] != checked.key[4]  # the store's version (not the language) moved
    )
    if st.button(_("Apply: save it all as one new version"), type="primary", key="import_apply"):
        if stale:
            st.warning(
                _(
                    "Someone saved a change while you were looking, so nothing was imported. The "
                    "file was checked again against the new data (above): look at the changes, "
                    "then apply."
                )
            )
        else:
            _apply(checked, name, snap)


if __name__ == "__main__":
    render()
