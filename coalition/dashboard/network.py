"""Network page: the coalition as a network you can filter, colour, size and focus."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from coalition import errors, i18n, labels, network_view
from coalition.dashboard import auth, cache, since_ui, ties_ui, ui
from coalition.i18n import N_, Translated, _
from coalition.presenting import gaps as gap_text
from coalition.presenting.text import fmt_int, md
from coalition.since import SinceChoice

# In presenter mode the drawing is as tall as its frame (vh inside the frame is the frame).
PRESENTER_DRAWING_HEIGHT = "98vh"


def render() -> None:
    """Draw the Network page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        recorded = cache.snapshot()
        options = cache.filter_options(recorded)  # the nodes: the same whichever ties

    if not ui.presenting():
        st.title(_("Network"))
        st.markdown(
            _(
                "Who works with whom. Narrow the view with the filters, pick an organization "
                "to see its surroundings, and mark the members the network depends on."
            )
        )
        controls, drawing = st.columns([1, 3], gap="medium")
    else:  # presenter mode: the drawing first and 85% of the screen tall, the controls below
        drawing = st.container()
        controls = st.expander(_("Filters and colours"))
    with controls:
        with ui.problems_shown():
            # The recorded ties, or a partner survey round's (shared with the Gaps page).
            snap = ties_ui.choose_ties(recorded, "net_ties")
        kinds = st.multiselect(
            _("Show these types"),
            list(labels.NODE_KIND_LABELS),
            default=[k for k in labels.NODE_KIND_LABELS if k in options["kinds"]],
            format_func=ui.shown_as(labels.NODE_KIND_LABELS),
            key="net_kinds",
        )
        focus = st.selectbox(
            _("Find an organization"),
            list(options["organizations"]),
            index=None,
            format_func=ui.shown_as(options["organizations"]),
            placeholder=_("Type a name…"),
            key="net_focus",
        )
        depth = st.radio(
            _("Show around it"),
            [1, 2],
            horizontal=True,
            key="net_depth",
            format_func=lambda d: _("Direct ties") if d == 1 else _("Two steps away"),
            disabled=focus is None,
        )
        with st.expander(_("More filters"), expanded=False):
            sectors = st.multiselect(
                _("Only these sectors"),
                options["sectors"],
                placeholder=_("All sectors"),
                key="net_sectors",
            )
            communities = st.multiselect(
                _("Only ties to these communities"),
                list(options["communities"]),
                format_func=ui.shown_as(options["communities"]),
                placeholder=_("All communities"),
                key="net_communities",
            )
            neighborhoods = st.multiselect(
                _("Only these neighborhoods"),
                list(options["neighborhoods"]),
                format_func=ui.shown_as(options["neighborhoods"]),
                placeholder=_("All neighborhoods"),
                key="net_neighborhoods",
            )
            services = st.multiselect(
                _("Only organizations offering"),
                list(options["services"]),
                format_func=ui.shown_as(options["services"]),
                placeholder=_("Any service"),
                key="net_services",
            )
        color_by = st.selectbox(
            _("Colour by"),
            list(labels.COLOR_LABELS),
            format_func=ui.shown_as(labels.COLOR_LABELS),
            key="net_color",
        )
        size_by = st.selectbox(
            _("Size by"),
            list(labels.SIZE_LABELS),
            format_func=ui.shown_as(labels.SIZE_LABELS),
            key="net_size",
        )
        st.markdown(_("**Mark**"))
        marks = tuple(
            mark
            for mark, (label, meaning) in labels.MARK_LABELS.items()
            if st.checkbox(label, key=f"net_mark_{mark}", help=meaning)
        )
        if snap.survey is None:
            since = since_ui.choose_since(snap, "net_since")  # changes since a meeting
        else:  # changes since a meeting are changes of the recorded ties
            since = None
            st.caption(_("Changes since a meeting are drawn on the recorded ties only."))
        geographic = st.toggle(
            _("Place by neighborhood"),
            value=True,
            key="net_geographic",
            help=_(
                "On: members sit near their neighborhood. Off: members "
                "who work together sit together."
            ),
        )

    selection = (
        tuple(kinds),
        tuple(sectors),
        tuple(communities),
        tuple(neighborhoods),
        tuple(services),
        focus,
        int(depth),
    )
    with drawing:
        if snap.survey is not None:
            with ui.problems_shown():
                ties_ui.explain(snap, auth.disclosure())
        shown_ok = _draw(
            snap, options, selection, color_by, size_by, marks, geographic, since=since
        )
    if not shown_ok:
        return

    with st.expander(_("Who holds the coalition together?")):
        lines = gap_text.broker_sentences(cache.gaps(snap, auth.disclosure()).bridging, 8)
        if lines:
            st.markdown("\n".join(f"- {md(line)}" for line in lines))
        else:
            st.write(_("No member links otherwise separate partners."))
    _compare_rounds(recorded)


def _draw(
    snap: cache.Snapshot,
    options: dict,
    selection: tuple,
    color_by: str,
    size_by: str,
    marks: tuple[str, ...],
    geographic: bool,
    since: SinceChoice | None = None,
) -> bool:
    """Draw the network for one choice; False when nothing matches.

    In presenter mode the drawing comes first and fills its frame, which the presenter style
    makes 85% of the screen tall.
    """
    frame_slot = st.container(key=ui.PRESENTER_VIEW_KEY) if ui.presenting() else None
    matched = cache.matched_count(snap, selection)
    if matched == 0:
        st.warning(_("Nothing matches these filters. Remove a filter to see more."))
        return False
    aggregate_by = None
    if matched > network_view.MAX_VISIBLE_NODES:
        aggregate_by = st.radio(
            _("{count} entries match: too many to draw one by one. Group them by").format(
                count=fmt_int(matched)
            ),
            list(labels.GROUP_LABELS),
            format_func=ui.shown_as(labels.GROUP_LABELS),
            horizontal=True,
            key="net_group",
        )
        groups = len(options["neighborhoods"])
        if aggregate_by == "neighborhood" and groups > network_view.MAX_LABELLED_NODES:
            st.caption(
                _(
                    "One circle per neighborhood means {count} circles: this view is slow "
                    "to draw. Filter by neighborhood first for a quicker picture."
                ).format(count=fmt_int(groups))
            )
    with ui.problems_shown():
        height = PRESENTER_DRAWING_HEIGHT if ui.presenting() else "650px"
        if since is not None and aggregate_by is None:  # changes drawn on an ungrouped view
            page_html, shown = cache.network_since_html(
                snap,
                selection,
                color_by,
                size_by,
                marks,
                geographic,
                since.version,
                since.label,
                height=height,
                language=i18n.language(),
            )
            grouped = False
        else:
            page_html, shown, matched, grouped = cache.network_page_html(
                snap,
                selection,
                color_by,
                size_by,
                marks,
                geographic,
                aggregate_by,
                height=height,
                language=i18n.language(),
            )
    if grouped:
        st.info(
            _(
                "Showing {shown} groups standing for {matched} entries. Narrow the filters "
                "(to fewer than {limit}) to see each member."
            ).format(
                shown=fmt_int(shown),
                matched=fmt_int(matched),
                limit=fmt_int(network_view.MAX_VISIBLE_NODES),
            )
        )
    else:
        st.caption(
            _(
                "Showing {shown} of {total} entries. Drag to move around, scroll to zoom, "
                "hover over a circle for details. Dashed outlines are illustrative examples "
                "({mark}), not real facts; hollow circles are organizations that are not "
                "members (they could be invited)."
            ).format(
                shown=fmt_int(shown), total=fmt_int(options["total"]), mark=labels.ILLUSTRATIVE_MARK
            )
        )
    (frame_slot if frame_slot is not None else st).iframe(page_html, height=720)
    if marks:
        st.caption(_("Marked members have a thick red outline; bridging ties are drawn in orange."))
    if since is not None:
        since_ui.changes_caption(
            snap,
            since,
            _(
                "New ties are thick purple lines, ended ties dashed grey, new organizations "
                "outlined in purple."
            )
            if not grouped
            else _("Narrow the filters to see them drawn: grouped views do not show them."),
        )
    return True


# The columns of the comparison's tables, with plain titles.
TIE_CHANGE_TITLES = Translated(
    {
        "a_name": N_("Organization"),
        "b_name": N_("Partner"),
        "relation": N_("Working together"),
        "reciprocity": N_("Reported"),
        "note": N_("Note"),
    }
)
RATING_CHANGE_TITLES = Translated(
    {
        "name": N_("Organization"),
        "value_before": N_("Value before"),
        "value_after": N_("Value after"),
        "value_change": N_("Value change"),
        "trust_before": N_("Trust before"),
        "trust_after": N_("Trust after"),
        "trust_change": N_("Trust change"),
        "note": N_("Note"),
    }
)
POSITION_CHANGE_TITLES = Translated(
    {
        "name": N_("Organization"),
        "partners_before": N_("Partners before"),
        "partners_after": N_("Partners after"),
        "centrality_before": N_("Centrality before"),
        "centrality_after": N_("Centrality after"),
    }
)


def _titled(table: pd.DataFrame, titles: Mapping[str, str]) -> pd.DataFrame:
    """A comparison table with only the columns in ``titles``, under those titles."""
    return table[[c for c in titles if c in table.columns]].rename(columns=dict(titles))


def _compare_rounds(snap: cache.Snapshot) -> None:
    """The _("Compare survey rounds") section (two or more rounds): what changed between an
    earlier and a later round, as sentences and tables (aggregates only: a trust or value
    figure from fewer than 3 raters is blank)."""
    revision = cache.survey_revision(snap)
    rounds = list(cache.survey_round_names(snap.url, revision))  # newest first
    if len(rounds) < 2:
        return
    with st.expander(_("Compare survey rounds")):
        first, second, third = st.columns(3)
        before = first.selectbox(_("Earlier round"), rounds, index=1, key="net_compare_before")
        after = second.selectbox(_("Later round"), rounds, index=0, key="net_compare_after")
        ties = third.radio(
            _("Ties"),
            list(ties_ui.MODE_WORDS),
            index=1,  # any report, as coalition.survey.compare.compare_rounds
            format_func=ui.shown_as(ties_ui.MODE_WORDS),
            horizontal=True,
            key="net_compare_ties",
        )
        if before == after:
            st.warning(_("Pick two different rounds to compare."))
            return
        try:
            comparison = cache.round_comparison(
                snap, before, after, ties, revision, language=i18n.language()
            )
        except errors.CoalitionError as exc:  # e.g. a round names a member that has left
            st.warning(
                _(
                    "Rounds {before} and {after} cannot be compared on the coalition's "
                    "current members: {problem}."
                ).format(before=md(before), after=md(after), problem=md(ties_ui.problem_words(exc)))
            )
            return
        st.markdown("\n".join(f"- {md(line)}" for line in comparison.sentences))
        for heading, table, titles in (
            (_("Ties gained"), comparison.ties_gained, TIE_CHANGE_TITLES),
            (_("Ties lost"), comparison.ties_lost, TIE_CHANGE_TITLES),
            (
                _("Trust and value, as rated by partners"),
                comparison.trust_value,
                RATING_CHANGE_TITLES,
            ),
            (_("Newly central members"), comparison.newly_central, POSITION_CHANGE_TITLES),
            (_("Newly peripheral members"), comparison.newly_peripheral, POSITION_CHANGE_TITLES),
        ):
            st.markdown(f"**{heading}**")
            if table.empty:
                st.caption(_("None."))
                continue
            st.dataframe(_titled(table, titles), hide_index=True, width="stretch")
        st.caption(
            _(
                "Trust and value are the means of the items partners rated (1–4); a figure "
                "rated by fewer than 3 members is left blank, and so is its change."
            )
        )


if __name__ == "__main__":
    render()
