"""The "What changed" page: what changed since a meeting or a version, and the versions kept.

An editor's page (action ``history``): the history holds what was removed (a name recorded by
mistake and then taken out stays in it), so a viewer never sees it. Three guards: the page is
registered only for roles that may read the history (``main.py``), :func:`render` checks the
role again (:func:`coalition.dashboard.auth.require`), and every store read here passes the
account (``account=``), so the library refuses a viewer whatever the page asked.

:func:`what_changed` compares today's data with an earlier version or a named meeting ("Since
the last meeting" first when one is named); its sentences' resident counts are protected for
the account (:func:`coalition.dashboard.auth.disclosure`: exact for editors, labelled
:data:`coalition.privacy.EXACT_LABEL`). :func:`versions_section` lists every version with who
saved it and its meetings, and offers to name a version as a meeting (editors), restore it
after a confirmation (admins) and download a backup of the store (admins). With
``COALITION_READ_ONLY`` none of the controls that write (or hand out the whole store) is shown.

Meetings are read from the store on every rerun, not cached: naming a meeting does not change
the data version that keys the caches.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from coalition import errors, history, i18n, privacy
from coalition import store as store_module
from coalition.accounts import Account
from coalition.dashboard import auth, cache, ui
from coalition.i18n import _
from coalition.presenting import changes as change_text
from coalition.presenting.text import fmt_int, md, slug

logger = logging.getLogger(__name__)

# Sentences listed under the headline figures; more are in the table below them.
MAX_CHANGE_SENTENCES = 15
MAX_EFFECT_SENTENCES = 10


def _meetings() -> pd.DataFrame:
    """The named meetings, newest first (read now: naming one keeps the data version)."""
    return cache.get_store().meetings()


def _kept(account: Account | None) -> pd.DataFrame:
    """The versions kept, read now as ``account`` (the library refuses a viewer)."""
    return cache.get_store().versions(account=account)


@st.cache_resource(show_spinner=False, max_entries=8)
def _changes(
    snap: cache.Snapshot,
    since: int,
    disclosure: privacy.Disclosure,
    _account: Account | None,
    lang: str = "en",
) -> history.ChangeReport:
    """The changes from ``since`` to ``snap.version``, their counts protected for ``disclosure``.

    The older version is read as the account (history: editors and admins). Shared between the
    accounts of one disclosure: the page reads the versions as the account on every run first.
    Its sentences are in ``lang`` (a key of the cache: a Spanish screen gets its own).
    """
    before = cache.get_store().read_version(since, account=_account)
    with i18n.using(lang):
        return history.compare_cities(
            before, cache.city(snap), with_effects=False, disclosure=disclosure
        )


@st.cache_resource(show_spinner=False, max_entries=8)
def _effects(
    snap: cache.Snapshot,
    since: int,
    disclosure: privacy.Disclosure,
    _account: Account | None,
    lang: str = "en",
) -> pd.DataFrame:
    """What the changes since ``since`` did (:func:`coalition.history.change_effects`), in
    ``lang``."""
    before = cache.get_store().read_version(since, account=_account)
    with i18n.using(lang):
        return history.change_effects(before, cache.city(snap), disclosure=disclosure)


def render() -> None:
    """Draw the "What changed" page (editors and admins; a viewer is stopped with a message).

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    account = auth.require("history", "see what changed and the versions kept")
    with ui.problems_shown():
        snap = cache.snapshot()
        meta = cache.info(snap)
    st.title(_("What changed"))
    st.markdown(
        _(
            "What was added, removed or changed since a meeting or an earlier version, what that "
            "did, and every version kept."
        )
    )
    if auth.disclosure().exact:
        st.caption(
            _("{exact}: this page is for the coalition's editors.").format(
                exact=_(privacy.EXACT_LABEL)
            )
        )
    what_changed(snap, account)
    versions_section(snap, meta.get("city"), account)


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
        st.caption(
            _("… and {count} more in the table below.").format(
                count=fmt_int(len(sentences) - limit)
            )
        )


def what_changed(snap: cache.Snapshot, account: Account | None = None) -> None:
    """The "What changed" section: a meeting or version to compare with, the figures, the changes
    and what they did (brokers, single points of failure, coverage, the ranking).

    Examples
    --------
    >>> what_changed(cache.snapshot(), auth.current_account())  # doctest: +SKIP
    """
    st.header(_("What changed"))
    disclosure = privacy.Disclosure.for_account(account)
    with ui.problems_shown():
        kept = _kept(account)
        meetings = _meetings()
    options = _since_options(snap, kept, meetings)
    if not options:
        st.info(
            _(
                "This is the first version of the data kept, so there is nothing to compare "
                "with yet. Each load or recorded change keeps a version."
            )
        )
        return
    since = st.selectbox(
        _("Compare today's data with"),
        list(options),
        format_func=ui.shown_as(options),
        key="changes_since",
        help=_("Every version is kept. Name a version as a meeting (below) to find it here."),
    )
    with ui.problems_shown():
        version = since if isinstance(since, int) else cache.get_store().version_of(str(since))
        with st.spinner(_("Comparing the two versions…")):
            report = _changes(snap, int(version), disclosure, account, i18n.language())
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
    with ui.problems_shown(), st.spinner(_("Working out what the changes did…")):
        found = _effects(snap, int(version), disclosure, account, i18n.language())
    effects = change_text.shared_sentences(found["explanation"].tolist())
    if effects:
        st.subheader(_("What the changes did"))
        st.caption(
            _(
                "Brokers and single points of failure among coalition members (as on the Gaps "
                "page), neighborhoods reached by an active committee, and the top candidates for "
                "the next committee (default weights)."
            )
        )
        _show_sentences(effects, MAX_EFFECT_SENTENCES)
    if sentences:
        with st.expander(
            _("Every change ({count}), as a table").format(count=fmt_int(len(sentences))),
            expanded=len(sentences) > MAX_CHANGE_SENTENCES,
        ):
            words = st.text_input(
                _("Find in the changes"),
                key="changes_filter",
                placeholder=_("a name, a place, 'added', 'partnership'…"),
            )
            table = change_text.changes_table(report.changes.assign(explanation=sentences), words)
            st.dataframe(table, hide_index=True, width="stretch")
    if len(effects) > MAX_EFFECT_SENTENCES:
        with st.expander(
            _("Everything the changes did ({count})").format(count=fmt_int(len(effects)))
        ):
            st.dataframe(
                pd.DataFrame({_("What the changes did"): effects}), hide_index=True, width="stretch"
            )


# --- versions, meetings, restore, backup ---------------------------------------------------------


def backup_bytes(store: store_module.Store, *, account: Account | None = None) -> bytes:
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
        path = store.backup(Path(folder) / "coalition.db", account=account)
        return path.read_bytes()


def _deferred_backup(account: Account | None) -> Callable[[], bytes]:
    """A callable for ``st.download_button``: the backup is made only when it is clicked."""

    def build() -> bytes:
        return backup_bytes(cache.get_store(), account=account)

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


def _name_meeting_form(version: int, account: Account | None) -> None:
    with st.form("name_meeting", clear_on_submit=True):
        name = st.text_input(
            _("Name version {version} as a meeting").format(version=version),
            key="meeting_name",
            placeholder=_("e.g. March convening"),
            help=_("Later, compare with it by its name ('Since the last meeting')."),
        )
        submitted = st.form_submit_button(_("Name this version as a meeting"))
    if not submitted:
        return
    try:
        named = cache.get_store().name_meeting(name, version, who=_who(), account=account)
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    _done(
        _("Version {version} is now the meeting '{meeting}'.").format(
            version=named, meeting=" ".join(name.split())
        )
    )


def _restore_controls(version: int, current: int, account: Account | None) -> None:
    if version == current:
        st.caption(
            _("Version {version} is the current data: choose an earlier one to restore.").format(
                version=version
            )
        )
        return
    if st.session_state.get("restore_asked") != version:
        if st.button(_("Restore version {version}").format(version=version), key="restore_version"):
            st.session_state["restore_asked"] = version
            st.rerun()
        return
    st.warning(
        _(
            "Restore version {version}? Its data becomes the current data, as a new version: "
            "version {current} and everything before it stay in the history, and this restore "
            "can be undone by restoring again."
        ).format(version=version, current=current)
    )
    yes, no = st.columns(2)
    if yes.button(
        _("Yes, restore version {version}").format(version=version),
        key="restore_confirm",
        type="primary",
    ):
        try:
            new_version = cache.get_store().restore(version, who=_who(), account=account)
        except errors.CoalitionError as exc:
            st.session_state.pop("restore_asked", None)
            ui.show_problem(exc)
            return
        _done(
            _("Restored version {version} as version {new_version}.").format(
                version=version, new_version=new_version
            )
        )
    if no.button(_("Cancel"), key="restore_cancel"):
        st.session_state.pop("restore_asked", None)
        st.rerun()


def _version_option(row: Mapping[Any, Any]) -> str:
    """A kept version as a picker option, with its meeting's name when it has one."""
    label = change_text.version_label(row["version"], row["saved_at"], row["what"])
    if not row["meeting"]:
        return label
    return _("{version} — meeting: {meeting}").format(
        version=label, meeting=" ".join(str(row["meeting"]).split())
    )


def versions_section(
    snap: cache.Snapshot, city_name: object, account: Account | None = None
) -> None:
    """The "Versions and meetings" section: every version kept with who saved it and its
    meetings; name one as a meeting (editors), restore one and download a backup (admins), not
    when read-only.

    Examples
    --------
    >>> versions_section(cache.snapshot(), "Hartford", auth.current_account())  # doctest: +SKIP
    """
    st.header(_("Versions and meetings"))
    done = st.session_state.pop("history_saved", None)
    if done:
        st.success(md(done))
    with ui.problems_shown():
        kept = _kept(account)  # meetings included, read now
    if kept.empty:
        return
    st.dataframe(change_text.versions_table(kept, snap.version), hide_index=True, width="stretch")
    if not ui.editing_allowed():  # COALITION_READ_ONLY, or presenter mode on this screen
        st.caption(_("This screen is read-only: versions can be named and restored elsewhere."))
        return
    labels = {int(row["version"]): _version_option(row) for row in kept.to_dict("records")}
    chosen = int(
        st.selectbox(
            _("Version"),
            list(labels),
            format_func=ui.shown_as(labels),
            key="history_version",
            help=_("The current version is first."),
        )
    )
    if account is not None and account.can("edit"):
        _name_meeting_form(chosen, account)
    if account is not None and account.can("restore"):
        _restore_controls(chosen, snap.version, account)
    else:
        st.caption(_("An admin can restore an earlier version."))
    if account is None or not account.can("backup"):
        return
    if cache.get_store().engine.dialect.name != "sqlite":
        st.caption(_("To back up this database, use its own tools (PostgreSQL: pg_dump)."))
        return
    st.download_button(
        _("Download a backup"),
        data=_deferred_backup(account),
        file_name=backup_file_name(city_name),
        mime="application/vnd.sqlite3",
        key="download_backup",
        icon=":material/download:",
        on_click="ignore",
        help=_(
            "The whole store, every version included. To use it, stop the dashboard and "
            "start it on the backup: coalition serve --db <the downloaded file>."
        ),
    )


if __name__ == "__main__":
    render()
