"""The Data page's history: what changed since a meeting or a version, and the versions kept.

:func:`what_changed` compares today's data with an earlier version or a named meeting ("Since
the last meeting" first when one is named). :func:`versions_section` lists every version with
who saved it and its meetings, and offers to name a version as a meeting, restore it (after a
confirmation) and download a backup of the store. With ``COALITION_READ_ONLY`` none of the
controls that write (or hand out the whole store) is shown.

Meetings are read from the store on every rerun, not cached: naming a meeting does not change
the data version that keys the caches.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from coalition import errors, settings
from coalition import store as store_module
from coalition.dashboard import cache, ui
from coalition.presenting import changes as change_text
from coalition.presenting.text import md, slug

logger = logging.getLogger(__name__)

# Sentences listed under the headline figures; more are in the table below them.
MAX_CHANGE_SENTENCES = 15
MAX_EFFECT_SENTENCES = 10


def _meetings() -> pd.DataFrame:
    """The named meetings, newest first (read now: naming one keeps the data version)."""
    return cache.get_store().meetings()


def _since_options(
    snap: cache.Snapshot, kept: pd.DataFrame, meetings: pd.DataFrame
) -> dict[Any, str]:
    """Picker options: meetings (by name, the latest first), then the earlier versions.

    A meeting's value is its name (never only digits); a version's is its number.
    """
    saved_at = dict(zip(kept["version"].tolist(), kept["saved_at"].tolist(), strict=True))
    options: dict[Any, str] = {}
    for position, (name, version) in enumerate(
        zip(meetings["name"].tolist(), meetings["version"].tolist(), strict=True)
    ):
        if int(version) <= snap.version:
            options[str(name)] = change_text.meeting_label(
                name, version, saved_at.get(int(version), ""), last=position == 0
            )
    earlier = kept[kept["version"] < snap.version]
    for row in earlier.to_dict("records"):
        options[int(row["version"])] = change_text.version_label(
            row["version"], row["saved_at"], row["what"]
        )
    return options


def _show_sentences(sentences: list[str], limit: int) -> None:
    st.markdown("\n".join(f"- {md(s)}" for s in sentences[:limit]))
    if len(sentences) > limit:
        st.caption(f"… and {len(sentences) - limit:,} more in the table below.")


def what_changed(snap: cache.Snapshot) -> None:
    """The "What changed" section: a meeting or version to compare with, the figures, the changes
    and what they did (brokers, single points of failure, coverage, the ranking).

    Examples
    --------
    >>> what_changed(cache.snapshot())  # doctest: +SKIP
    """
    st.header("What changed")
    with ui.problems_shown():
        kept = cache.versions(snap)
        meetings = _meetings()
    options = _since_options(snap, kept, meetings)
    if not options:
        st.info(
            "This is the first version of the data kept, so there is nothing to compare "
            "with yet. Each load or recorded change keeps a version."
        )
        return
    since = st.selectbox(
        "Compare today's data with",
        list(options),
        format_func=ui.shown_as(options),
        key="changes_since",
        help="Every version is kept. Name a version as a meeting (below) to find it here.",
    )
    with ui.problems_shown():
        version = since if isinstance(since, int) else cache.get_store().version_of(str(since))
        report = cache.changes(snap, int(version))
    st.markdown(md(report.explanation))
    metrics = change_text.change_metrics(report.headline)
    for row_start in range(0, len(metrics), 3):
        for column, metric in zip(st.columns(3), metrics[row_start : row_start + 3], strict=False):
            with column:
                st.metric(
                    metric["label"],
                    metric["value"],
                    delta=metric["delta"],
                    delta_color=metric["delta_color"],
                )
    sentences = change_text.shared_sentences(report.changes["explanation"].tolist())
    if sentences:
        _show_sentences(sentences, MAX_CHANGE_SENTENCES)
    with ui.problems_shown():
        found = cache.change_effects(snap, int(version))
    effects = change_text.shared_sentences(found["explanation"].tolist())
    if effects:
        st.subheader("What the changes did")
        st.caption(
            "Brokers and single points of failure among coalition members (as on the Gaps "
            "page), neighborhoods reached by an active committee, and the top candidates for "
            "the next committee (default weights)."
        )
        _show_sentences(effects, MAX_EFFECT_SENTENCES)
    if sentences:
        with st.expander(
            f"Every change ({len(sentences):,}), as a table",
            expanded=len(sentences) > MAX_CHANGE_SENTENCES,
        ):
            words = st.text_input(
                "Find in the changes",
                key="changes_filter",
                placeholder="a name, a place, 'added', 'partnership'…",
            )
            table = change_text.changes_table(report.changes.assign(explanation=sentences), words)
            st.dataframe(table, hide_index=True, width="stretch")
    if len(effects) > MAX_EFFECT_SENTENCES:
        with st.expander(f"Everything the changes did ({len(effects):,})"):
            st.dataframe(
                pd.DataFrame({"What the changes did": effects}), hide_index=True, width="stretch"
            )


# --- versions, meetings, restore, backup ---------------------------------------------------------


def backup_bytes(store: store_module.Store) -> bytes:
    """The whole store (every version) as a SQLite file's bytes, via a temporary file.

    Raises
    ------
    coalition.errors.StoreError
        For a store that is not a SQLite file.

    Examples
    --------
    >>> backup_bytes(cache.get_store())[:16]  # doctest: +SKIP
    b'SQLite format 3\\x00'
    """
    with tempfile.TemporaryDirectory(prefix="coalition-backup-") as folder:
        path = store.backup(Path(folder) / "coalition.db")
        return path.read_bytes()


def _deferred_backup() -> Callable[[], bytes]:
    """A callable for ``st.download_button``: the backup is made only when it is clicked."""

    def build() -> bytes:
        return backup_bytes(cache.get_store())

    return build


def backup_file_name(city: object, today: dt.date | None = None) -> str:
    """``coalition-<city>-<date>.db``.

    Examples
    --------
    >>> backup_file_name("Tiny Town", dt.date(2026, 11, 30))
    'coalition-tiny-town-2026-11-30.db'
    """
    day = today or dt.date.today()
    return f"coalition-{slug(str(city or 'city'))}-{day.isoformat()}.db"


def _done(message: str) -> None:
    st.session_state["history_saved"] = message
    st.session_state.pop("restore_asked", None)
    st.rerun()


def _who() -> str:
    return str(st.session_state.get("editor_name", "") or "")


def _name_meeting_form(version: int) -> None:
    with st.form("name_meeting", clear_on_submit=True):
        name = st.text_input(
            f"Name version {version} as a meeting",
            key="meeting_name",
            placeholder="e.g. March convening",
            help="Later, compare with it by its name ('Since the last meeting').",
        )
        submitted = st.form_submit_button("Name this version as a meeting")
    if not submitted:
        return
    try:
        named = cache.get_store().name_meeting(name, version, who=_who())
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    _done(f"Version {named} is now the meeting '{' '.join(name.split())}'.")


def _restore_controls(version: int, current: int) -> None:
    if version == current:
        st.caption(f"Version {version} is the current data: choose an earlier one to restore.")
        return
    if st.session_state.get("restore_asked") != version:
        if st.button(f"Restore version {version}", key="restore_version"):
            st.session_state["restore_asked"] = version
            st.rerun()
        return
    st.warning(
        f"Restore version {version}? Its data becomes the current data, as a new version: "
        f"version {current} and everything before it stay in the history, and this restore "
        "can be undone by restoring again."
    )
    yes, no = st.columns(2)
    if yes.button(f"Yes, restore version {version}", key="restore_confirm", type="primary"):
        try:
            new_version = cache.get_store().restore(version, who=_who())
        except errors.CoalitionError as exc:
            st.session_state.pop("restore_asked", None)
            ui.show_problem(exc)
            return
        _done(f"Restored version {version} as version {new_version}.")
    if no.button("Cancel", key="restore_cancel"):
        st.session_state.pop("restore_asked", None)
        st.rerun()


def versions_section(snap: cache.Snapshot, city_name: object) -> None:
    """The "Versions and meetings" section: every version kept with who saved it and its
    meetings; name one as a meeting, restore one, download a backup (not when read-only).

    Examples
    --------
    >>> versions_section(cache.snapshot(), "Hartford")  # doctest: +SKIP
    """
    st.header("Versions and meetings")
    done = st.session_state.pop("history_saved", None)
    if done:
        st.success(md(done))
    with ui.problems_shown():
        kept = cache.get_store().versions()  # meetings included, read now
    if kept.empty:
        return
    st.dataframe(change_text.versions_table(kept, snap.version), hide_index=True, width="stretch")
    if settings.read_only():
        st.caption("This screen is read-only: versions can be named and restored elsewhere.")
        return
    labels = {
        int(row["version"]): change_text.version_label(row["version"], row["saved_at"], row["what"])
        + (f" — meeting: {' '.join(str(row['meeting']).split())}" if row["meeting"] else "")
        for row in kept.to_dict("records")
    }
    chosen = int(
        st.selectbox(
            "Version",
            list(labels),
            format_func=ui.shown_as(labels),
            key="history_version",
            help="The current version is first.",
        )
    )
    _name_meeting_form(chosen)
    _restore_controls(chosen, snap.version)
    if cache.get_store().engine.dialect.name != "sqlite":
        st.caption("To back up this database, use its own tools (PostgreSQL: pg_dump).")
        return
    st.download_button(
        "Download a backup",
        data=_deferred_backup(),
        file_name=backup_file_name(city_name),
        mime="application/vnd.sqlite3",
        key="download_backup",
        icon=":material/download:",
        on_click="ignore",
        help="The whole store, every version included. To use it, stop the dashboard and "
        "start it on the backup: coalition serve --db <the downloaded file>.",
    )
