"""Data page: where every figure comes from, what is illustrative, validation, downloads.

What each role downloads (issue 9):

- everyone (action ``export_public``): the public export of every format
  (:func:`coalition.exports.export_bytes` with ``Disclosure.public()``: small counts hidden,
  README says so), file names ``<city>-public-<format>``;
- editors (``exact_counts``): also the exact tables (CSV, Excel), labelled
  :data:`coalition.privacy.EXACT_LABEL`, file names ``…-exact-not-for-sharing``;
- admins (``export_full``): the exact export of every format (the full export).

Every download is written to the audit log when it is built (``store.audit("export", …)``, as
the signed-in account). No machine path is shown: the folder the city was loaded from is shown
by its last part only, and the load warnings' file names and messages are cut the same way.
The history (what changed, versions, restore, backup) is the "What changed" page, for editors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from coalition import errors, exports, labels, privacy
from coalition import store as store_module
from coalition.accounts import Account
from coalition.dashboard import auth, cache, ui
from coalition.i18n import N_, _
from coalition.presenting import changes as change_text
from coalition.presenting import city as city_text
from coalition.presenting.text import fmt_int, loaded_time, md

logger = logging.getLogger(__name__)

DOWNLOADS = (
    # (format, button label, file suffix, what it is for); mime types: exports.MEDIA_TYPES.
    # Label and purpose are marked here and translated where shown.
    ("xlsx", N_("Spreadsheet (Excel)"), "xlsx", N_("every table on its own sheet")),
    ("csv", N_("Tables (CSV, zipped)"), "zip", N_("one CSV file per table")),
    (
        "geojson",
        N_("Map layer (GeoJSON)"),
        "geojson",
        N_("neighborhoods with their figures, for QGIS or a web map"),
    ),
    (
        "gpkg",
        N_("Map layers (GeoPackage)"),
        "gpkg",
        N_("neighborhoods and located organizations, for QGIS or ArcGIS"),
    ),
    ("graphml", N_("Network (GraphML)"), "graphml", N_("for Gephi or yEd")),
    ("gexf", N_("Network (GEXF)"), "gexf", N_("for Gephi")),
)
# The exact tables an editor may take (the full export of every format is an admin's).
EXACT_TABLE_FORMATS = ("xlsx", "csv")


@cache.cached(N_("Preparing the download…"), max_entries=24)
def _export(snap: cache.Snapshot, fmt: str, disclosure: privacy.Disclosure) -> bytes:
    """One export of the current city for one audience (cached per version and audience)."""
    return exports.export_bytes(
        cache.city(snap), fmt, graph=cache.graph(snap), disclosure=disclosure
    )


def deferred_download(
    snap: cache.Snapshot,
    fmt: str,
    disclosure: privacy.Disclosure,
    account: Account | None,
    store: store_module.Store | None = None,
) -> Callable[[], bytes]:
    """A callable for ``st.download_button``: builds the export when clicked and audits it.

    Examples
    --------
    >>> build = deferred_download(snap, "csv", privacy.Disclosure.public(), account)
    ... # doctest: +SKIP
    """
    store = store if store is not None else cache.get_store()
    audience = "public" if exports.is_public(disclosure) else "exact"
    what = f"{audience} {fmt} download, version {snap.version}"

    def build() -> bytes:
        data = _export(snap, fmt, disclosure)
        try:
            store.audit("export", what, account=account)
        except errors.CoalitionError as exc:  # the download itself must not fail for the log
            logger.warning("could not audit the export %s: %s", what, exc)
        return data

    return build


def _download_buttons(
    snap: cache.Snapshot,
    city_name: object,
    formats: list[tuple[str, str, str, str]],
    disclosure: privacy.Disclosure,
    account: Account | None,
    tier: str,
) -> None:
    cols = st.columns(3)
    for index, (fmt, label, _suffix, purpose) in enumerate(formats):
        with cols[index % 3]:
            st.download_button(
                _(label),
                data=deferred_download(snap, fmt, disclosure, account),
                file_name=exports.file_name(city_name, fmt, disclosure),
                mime=exports.MEDIA_TYPES[fmt],
                key=f"download_{tier}_{fmt}",
                icon=":material/download:",
                on_click="ignore",
                width="stretch",
            )
            st.caption(_(purpose))


def _shown_warnings(warnings: list) -> list:
    """The load's warnings with any machine path cut to its last part."""
    shown: list[Any] = []
    for warning in warnings:
        if isinstance(warning, dict):
            shown.append(
                {
                    **warning,
                    "file": change_text.shown_what(warning.get("file") or ""),
                    "message": change_text.shown_what(warning.get("message") or ""),
                }
            )
        else:
            shown.append(change_text.shown_what(warning))
    return shown


def render() -> None:
    """Draw the Data page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    account = auth.current_account()
    with ui.problems_shown():
        snap = cache.snapshot()
        meta = cache.info(snap)
        datasets = cache.datasets(snap)

    st.title(_("Data"))
    st.markdown(_("Where every figure comes from, how recent it is, and what is only an example."))
    loaded = md(loaded_time(meta.get("loaded_at")))
    source_dir = meta.get("source_dir")
    city_name = md(meta.get("city"))
    if source_dir:
        about = _(
            "**City:** {city}  \n**Loaded:** {loaded} from the folder {folder}  \n"
            "**Data version:** {version} (it goes up each time the data changes)"
        ).format(
            city=city_name,
            loaded=loaded,
            folder=md(change_text.folder_name(source_dir)),
            version=snap.version,
        )
    else:
        about = _(
            "**City:** {city}  \n**Loaded:** {loaded}  \n"
            "**Data version:** {version} (it goes up each time the data changes)"
        ).format(city=city_name, loaded=loaded, version=snap.version)
    st.markdown(about)

    if account is not None and account.can("history"):
        st.caption(
            _(
                "What changed since a meeting, the versions kept and restoring one: the "
                "**What changed** page."
            )
        )

    st.header(_("Sources and dates"))
    table = city_text.datasets_table(datasets)
    st.dataframe(change_text.shown_columns(table), hide_index=True, width="stretch")
    with st.expander(_("Every source, table by table"), expanded=True):
        st.dataframe(
            change_text.shown_columns(cache.source_list(snap)), hide_index=True, width="stretch"
        )
    illustrative, total = city_text.illustrative_totals(datasets)
    if illustrative:
        st.warning(
            _(
                "{illustrative} of {total} rows are illustrative: made up to show how the "
                "tool works, not facts about real organizations or people. They are marked "
                "with {mark} wherever they are shown."
            ).format(
                illustrative=fmt_int(illustrative),
                total=fmt_int(total),
                mark=labels.ILLUSTRATIVE_MARK,
            )
        )
    else:
        st.success(_("Every row comes from a cited source."))

    st.header(_("Validation"))
    warnings = _shown_warnings(list(meta.get("warnings") or []))
    if warnings:
        st.warning(
            _("The data loaded, with {count} warning(s) to look at:").format(
                count=fmt_int(len(warnings))
            )
        )
        st.dataframe(
            change_text.shown_columns(city_text.warnings_table(warnings)),
            hide_index=True,
            width="stretch",
        )
    else:
        st.success(_("The data passed every check when it was loaded."))
    st.caption(_("To check a folder before loading it: `coalition validate <folder>`."))

    st.header(_("Downloads"))
    st.markdown(
        _(
            "Take the coalition's data with you. Spreadsheet cells that could run as "
            "formulas are made safe."
        )
    )
    public = privacy.Disclosure.public()
    st.subheader(_("To share"))
    st.caption(
        _(
            'Counts of residents below {threshold} are hidden ("fewer than {threshold}"), '
            "with the counts that would give them away; each download says so in a README."
        ).format(threshold=public.threshold)
    )
    _download_buttons(snap, meta.get("city"), list(DOWNLOADS), public, account, "public")
    if account is not None and account.can("exact_counts"):
        exact = privacy.Disclosure.for_account(account)
        full = account.can("export_full")
        st.subheader(_(privacy.EXACT_LABEL))
        st.warning(
            _(
                "These downloads keep every count exactly, small ones included: a small count "
                "can point at a family. Keep them within the coalition's editors; share the "
                "ones above."
            )
        )
        formats = [d for d in DOWNLOADS if full or d[0] in EXACT_TABLE_FORMATS]
        _download_buttons(snap, meta.get("city"), formats, exact, account, "exact")
        if not full:
            st.caption(_("The exact export of the map layers and networks is an admin's."))
    st.markdown(
        _(
            "**Maps for people who install nothing:** run `coalition maps` to write the maps "
            "as HTML files into `maps/` (small counts hidden: they can be shared). They open in "
            "any browser from a USB stick, with no internet and no Python."
        )
    )


if __name__ == "__main__":
    render()
