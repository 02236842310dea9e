"""Data page: where every figure comes from, what is illustrative, validation, downloads."""

from __future__ import annotations

import streamlit as st

from coalition import exports, labels
from coalition.dashboard import cache, history_page, ui
from coalition.presenting import changes as change_text
from coalition.presenting import city as city_text
from coalition.presenting.text import loaded_time, md, slug

DOWNLOADS = (
    # (format, button label, file suffix, what it is for); mime types: exports.MEDIA_TYPES
    ("xlsx", "Spreadsheet (Excel)", "xlsx", "every table on its own sheet"),
    ("csv", "Tables (CSV, zipped)", "zip", "one CSV file per table"),
    (
        "geojson",
        "Map layer (GeoJSON)",
        "geojson",
        "neighborhoods with their figures, for QGIS or a web map",
    ),
    (
        "gpkg",
        "Map layers (GeoPackage)",
        "gpkg",
        "neighborhoods and located organizations, for QGIS or ArcGIS",
    ),
    ("graphml", "Network (GraphML)", "graphml", "for Gephi or yEd"),
    ("gexf", "Network (GEXF)", "gexf", "for Gephi"),
)


def render() -> None:
    """Draw the Data page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        snap = cache.snapshot()
        meta = cache.info(snap)
        datasets = cache.datasets(snap)

    st.title("Data")
    st.markdown("Where every figure comes from, how recent it is, and what is only an example.")
    loaded = loaded_time(meta.get("loaded_at"))
    source_dir = meta.get("source_dir")
    st.markdown(
        f"**City:** {md(meta.get('city'))}  \n"
        f"**Loaded:** {md(loaded)}"
        + (f" from the folder {md(change_text.folder_name(source_dir))}" if source_dir else "")
        + f"  \n**Data version:** {snap.version} (it goes up each time the data "
        "changes)"
    )

    history_page.what_changed(snap)
    history_page.versions_section(snap, meta.get("city"))

    st.header("Sources and dates")
    table = city_text.datasets_table(datasets)
    st.dataframe(table, hide_index=True, width="stretch")
    with st.expander("Every source, table by table", expanded=True):
        st.dataframe(cache.source_list(snap), hide_index=True, width="stretch")
    illustrative, total = city_text.illustrative_totals(datasets)
    if illustrative:
        st.warning(
            f"{illustrative:,} of {total:,} rows are illustrative: made up to show how the "
            f"tool works, not facts about real organizations or people. They are marked "
            f"with {labels.ILLUSTRATIVE_MARK} wherever they are shown."
        )
    else:
        st.success("Every row comes from a cited source.")

    st.header("Validation")
    warnings = list(meta.get("warnings") or [])
    if warnings:
        st.warning(f"The data loaded, with {len(warnings):,} warning(s) to look at:")
        st.dataframe(city_text.warnings_table(warnings), hide_index=True, width="stretch")
    else:
        st.success("The data passed every check when it was loaded.")
    st.caption("To check a folder before loading it: `coalition validate <folder>`.")

    st.header("Downloads")
    st.markdown(
        "Take the coalition's data with you. Spreadsheet cells that could run as "
        "formulas are made safe."
    )
    city_slug = slug(meta.get("city") or "coalition")
    cols = st.columns(3)
    for index, (fmt, label, suffix, purpose) in enumerate(DOWNLOADS):
        with cols[index % 3]:
            st.download_button(
                label,
                data=cache.deferred_export(snap, fmt),
                file_name=f"{city_slug}-{fmt}.{suffix}",
                mime=exports.MEDIA_TYPES[fmt],
                key=f"download_{fmt}",
                icon=":material/download:",
                on_click="ignore",
                width="stretch",
            )
            st.caption(purpose)
    st.markdown(
        "**Maps for people who install nothing:** run `coalition maps` to write the maps "
        "as HTML files into `maps/`. They open in any browser from a USB stick, with no "
        "internet and no Python."
    )


if __name__ == "__main__":
    render()
