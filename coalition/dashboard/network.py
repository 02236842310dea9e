"""Network page: the coalition as a network you can filter, colour, size and focus."""

from __future__ import annotations

import streamlit as st

from coalition import network_view
from coalition.dashboard import data, measures, ui

KIND_LABELS = {
    "organization": "Organizations",
    "community": "Communities",
    "neighborhood": "Neighborhoods",
    "navigator": "Cultural navigators",
    "committee": "Welcoming committees",
}
COLOR_LABELS = {
    "sector": "Sector (library, faith, school…)",
    "kind": "Type (organization, community…)",
    "orientation": "Who they serve (newcomers, long-time residents, both)",
}
MARK_LABELS = {
    "brokers": "Brokers: members who link partners that are not linked to each other",
    "fragile": "Fragile links: members whose departure would cut others off",
    "bridging": "Bridging ties between newcomer-serving and long-time-resident organizations",
}
GROUP_LABELS = {"neighborhood": "Neighborhood", "sector": "Sector"}


def render() -> None:
    """Draw the Network page."""
    with ui.problems_shown():
        snap = data.snapshot()
        options = measures.filter_options(snap.url, snap.version)

    st.title("Network")
    st.markdown("Who works with whom. Narrow the view with the filters, pick an organization to "
                "see its surroundings, and mark the members the network depends on.")

    first, second, third = st.columns(3)
    kinds = first.multiselect("Show these types", list(KIND_LABELS),
                              default=[k for k in KIND_LABELS if k in options["kinds"]],
                              format_func=KIND_LABELS.get, key="net_kinds")
    sectors = first.multiselect("Only these sectors", options["sectors"],
                                placeholder="All sectors", key="net_sectors")
    communities = second.multiselect("Only ties to these communities",
                                     list(options["communities"]),
                                     format_func=options["communities"].get,
                                     placeholder="All communities", key="net_communities")
    neighborhoods = second.multiselect("Only these neighborhoods", list(options["neighborhoods"]),
                                       format_func=options["neighborhoods"].get,
                                       placeholder="All neighborhoods", key="net_neighborhoods")
    services = third.multiselect("Only organizations offering", list(options["services"]),
                                 format_func=options["services"].get,
                                 placeholder="Any service", key="net_services")
    focus = third.selectbox("Find an organization", list(options["organizations"]),
                            index=None, format_func=options["organizations"].get,
                            placeholder="Type a name…", key="net_focus")
    depth = third.radio("Show around it", [1, 2], horizontal=True, key="net_depth",
                        format_func=lambda d: "Direct ties" if d == 1 else "Two steps away",
                        disabled=focus is None)

    style_left, style_mid, style_right = st.columns(3)
    color_by = style_left.selectbox("Colour by", list(COLOR_LABELS), format_func=COLOR_LABELS.get,
                                    key="net_color")
    size_by = style_mid.selectbox("Size by", list(measures.SIZE_MEASURES),
                                  format_func=measures.SIZE_MEASURES.get, key="net_size")
    geographic = style_right.toggle("Place members near their neighborhood", value=True,
                                    key="net_geographic",
                                    help="Off: a layout that groups members who work together.")
    marks = tuple(mark for mark, label in MARK_LABELS.items()
                  if st.checkbox(label, key=f"net_mark_{mark}"))

    selection = (tuple(kinds), tuple(sectors), tuple(communities), tuple(neighborhoods),
                 tuple(services), focus, int(depth))
    matched = measures.matched_count(snap.url, snap.version, selection)
    aggregate_by = None
    if matched > network_view.MAX_VISIBLE_NODES:
        aggregate_by = st.radio(
            f"{matched:,} members match: too many to draw one by one. Group them by",
            list(GROUP_LABELS), format_func=GROUP_LABELS.get, horizontal=True, key="net_group")
    if matched == 0:
        st.warning("Nothing matches these filters. Remove a filter to see more.")
        return
    with ui.problems_shown():
        page_html, shown, matched, grouped = data.network_page_html(
            snap.url, snap.version, selection, color_by, size_by, marks, geographic, aggregate_by)
    if grouped:
        st.info(f"Showing {shown:,} groups standing for {matched:,} members. Narrow the filters "
                f"(fewer than {network_view.MAX_VISIBLE_NODES:,}) to see each member.")
    else:
        st.caption(f"Showing {shown:,} of {options['total']:,} entries. Drag to move around, "
                   "scroll to zoom, hover over a circle for details.")
    st.iframe(page_html, height=680)
    if not grouped:
        legend_items = measures.network_legend(snap.url, snap.version, selection, color_by)
        ui.legend(legend_items, title=f"Colour: {COLOR_LABELS[color_by]}")
    if marks:
        st.caption("Marked members have a thick outline; bridging ties are drawn thicker.")

    with st.expander("Who holds the coalition together?"):
        lines = measures.broker_sentences(snap.url, snap.version, 8)
        if lines:
            st.markdown("\n".join(f"- {ui.md(line)}" for line in lines))
        else:
            st.write("No member links otherwise separate partners.")


if __name__ == "__main__":
    render()
