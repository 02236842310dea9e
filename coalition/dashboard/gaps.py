"""Gaps page: each gap family as a table you can filter, with a sentence explaining each row."""

from __future__ import annotations

import streamlit as st

from coalition import labels, privacy
from coalition.dashboard import auth, cache, ties_ui, ui
from coalition.i18n import _, ngettext
from coalition.presenting.text import fmt_int


def render() -> None:
    """Draw the Gaps page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        recorded = cache.snapshot()
        audience = auth.disclosure()
        options = cache.filter_options(recorded)  # the nodes: the same whichever ties

    st.title(_("Gaps"))
    st.markdown(
        _(
            "Where the coalition is thin: help that does not reach a community, languages "
            "nobody offers, members everything depends on, and need with no one nearby. "
            "Every row says why in its explanation."
        )
    )
    if audience.exact:
        st.caption(_(privacy.EXACT_LABEL))
    with ui.problems_shown():
        # The recorded ties, or a partner survey round's (shared with the Network page).
        snap = ties_ui.choose_ties(recorded, "gaps_ties")
        cache.gaps(snap, audience)  # worked out here so a problem shows as this page's message
        ties_ui.explain(snap, audience)
    first, second, third = st.columns(3)
    neighborhood = first.selectbox(
        _("Neighborhood"),
        list(options["neighborhoods"]),
        index=None,
        format_func=ui.shown_as(options["neighborhoods"]),
        placeholder=_("All neighborhoods"),
        key="gaps_neighborhood",
    )
    community = second.selectbox(
        _("Community"),
        list(options["communities"]),
        index=None,
        format_func=ui.shown_as(options["communities"]),
        placeholder=_("All communities"),
        key="gaps_community",
    )
    text = third.text_input(
        _("Contains the words"), key="gaps_text", placeholder=_("e.g. legal, Spanish, library")
    )

    families = list(labels.GAP_FAMILIES.items())
    tabs = st.tabs([label for _, (label, _) in families])
    for tab, (family, (_label, description)) in zip(tabs, families, strict=True):
        with tab:
            st.markdown(description)
            table = cache.gap_table(
                snap,
                family,
                neighborhood=options["neighborhoods"].get(neighborhood) if neighborhood else None,
                community=options["communities"].get(community) if community else None,
                text=text or None,
                neighborhood_id=neighborhood,
                community_id=community,
                disclosure=audience,
            )
            if table.empty:
                st.success(_("Nothing here for this choice."))
                continue
            st.caption(
                ngettext("{count} row", "{count} rows", len(table)).format(
                    count=fmt_int(len(table))
                )
            )
            # Tall rows so the explanation sentences wrap and can be read on a projector.
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                row_height=72,
                height=min(620, 40 + 72 * len(table)),
                column_config=ui.gap_column_config(table),
            )

    from coalition.dashboard import introductions_ui  # its own section (issue 11)

    introductions_ui.render(snap, audience, options)


if __name__ == "__main__":
    render()
