"""Map page: neighborhoods coloured by a chosen measure; click one to see its profile."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from coalition import labels, maps, privacy
from coalition.dashboard import auth, cache, since_ui, ui
from coalition.i18n import _
from coalition.presenting.text import fmt_int, md, with_moe

PROFILE_KEY = "map_profile"
LAST_CLICK_KEY = "_map_last_click"
TILES = "OpenStreetMap"
PROFILE_GAPS = 8  # gap sentences shown in a profile; the Gaps page has them all


def _clicked_neighborhood(returned: dict | None, known: set[str]) -> str | None:
    """The neighborhood id of the polygon last clicked on the map, if any."""
    if not returned:
        return None
    for field in ("last_active_drawing", "last_object_clicked"):
        feature = returned.get(field)
        if not isinstance(feature, dict):
            continue
        properties = feature.get("properties") or {}
        for candidate in (properties.get("neighborhood_id"), feature.get("id")):
            if isinstance(candidate, str) and candidate in known:
                return candidate
    return None


def render() -> None:
    """Draw the Map page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        snap = cache.snapshot()
        audience = auth.disclosure()
        frame = cache.neighborhoods(snap, audience)

    # Presenter mode: the map first and 85% of the screen tall (its legend is inside it), then
    # the controls folded in expanders.
    presenting = ui.presenting()
    if presenting:
        map_slot = st.container(key=ui.PRESENTER_VIEW_KEY)
    else:
        st.title(_("Map"))
        st.markdown(
            _(
                "Each neighborhood is coloured by the measure you choose. Click a neighborhood "
                "(or pick it from the list below the map) to see its profile."
            )
        )
    names = {nid: str(name) for nid, name in frame["name"].items()}
    settings_box = st.expander(_("Map settings")) if presenting else st.container()
    controls = settings_box.columns([2, 1, 1])
    measure = controls[0].selectbox(
        _("Colour neighborhoods by"),
        list(maps.MEASURES),
        format_func=ui.shown_as(maps.MEASURES),
        key="map_measure",
    )
    show_organizations = controls[1].toggle(_("Show organizations"), value=True, key="map_orgs")
    organization_count = cache.filter_options(snap)["organization_count"]
    chosen_before = st.session_state.get(PROFILE_KEY)
    organizations_in: tuple[str, ...] | None = None
    if not show_organizations:
        organizations_in = ()
    elif organization_count > cache.MAX_MAP_ORGANIZATIONS:
        organizations_in = (
            (chosen_before,) if isinstance(chosen_before, str) and chosen_before in names else ()
        )
    use_tiles = controls[2].toggle(
        _("Street map background"),
        value=False,
        key="map_tiles",
        help=_("Needs an internet connection. The map works without it."),
    )

    with settings_box:
        since = since_ui.choose_since(snap, "map_since")  # changes since a meeting
    with ui.problems_shown():
        if since is not None:
            built = cache.neighborhood_map_since(
                snap,
                measure,
                organizations_in,
                TILES if use_tiles else None,
                since.version,
                since.label,
                audience,
            )
        else:
            built = cache.neighborhood_map(
                snap, measure, organizations_in, TILES if use_tiles else None, audience
            )
    if presenting:
        # A plain frame that the presenter style sizes (st_folium's height is fixed in
        # pixels); a neighborhood's profile is chosen from the list, not by a click.
        map_slot.iframe(maps.offline_map_html(built), height=680)
        returned = None
    else:
        ui.legend(
            maps.legend_items(frame, measure, disclosure=audience),
            title=maps.MEASURES.get(measure, measure),
        )
        returned = st_folium(
            built,
            key="map_view",
            height=680,
            use_container_width=True,
            returned_objects=["last_active_drawing", "last_object_clicked"],
        )
    if audience.exact:
        st.caption(_(privacy.EXACT_LABEL))
    st.caption(
        _(
            "Filled blue circles: active welcoming committees. White circles: committees "
            "forming. Small dark dots: member organizations; hollow dots: not members, could "
            "be invited. Hover for names."
        )
    )
    if since is not None:
        since_ui.changes_caption(
            snap, since, _("Neighborhoods whose figures changed have a dashed purple outline.")
        )
    if show_organizations and organization_count > cache.MAX_MAP_ORGANIZATIONS:
        st.caption(
            _(
                "There are {count} organizations, too many to draw at once: the map shows "
                "those of the neighborhood chosen below."
            ).format(count=fmt_int(organization_count))
        )

    clicked = _clicked_neighborhood(returned, set(names))
    if clicked and clicked != st.session_state.get(LAST_CLICK_KEY):
        # A new click moves the profile; an old click must not override the list's choice.
        st.session_state[LAST_CLICK_KEY] = clicked
        st.session_state[PROFILE_KEY] = clicked
        if show_organizations and organization_count > cache.MAX_MAP_ORGANIZATIONS:
            # The points drawn follow the chosen neighborhood: draw the map again.
            st.rerun()
    ordered = sorted(names, key=lambda nid: names[nid].lower())
    profile_box = st.expander(_("Neighborhood profile")) if presenting else st.container()
    chosen = profile_box.selectbox(
        _("Neighborhood profile"),
        ordered,
        index=None,
        format_func=ui.shown_as(names),
        placeholder=_("Choose a neighborhood…"),
        key=PROFILE_KEY,
    )
    if chosen:
        with profile_box:
            _profile(snap, chosen, audience)
    st.caption(
        _(
            "To share these maps with people who install nothing, run `coalition maps`: it "
            "writes them as files that open in any browser, with no internet."
        )
    )


def _figure(
    shown: dict, attrs: dict, neighborhood_id: str, column: str, audience: privacy.Disclosure
) -> str:
    """A neighborhood figure with its margin, or the text of its marker when it is hidden."""
    marker = shown.get(("neighborhood", str(neighborhood_id), column))
    if privacy.is_hidden(marker):
        return str(marker)
    value = attrs.get(column)
    if not audience.exact and audience.is_small(value):
        return privacy.format_count(value, audience)
    return with_moe(value, attrs.get(f"{column}_moe"))


def _committee_sentence(name: str, status: str) -> str:
    """The sentence "Alder has an active welcoming committee." (``name`` already escaped): one
    template per status, as the verb and its agreement differ between languages."""
    if status == "active":
        return _("{neighborhood} has an active welcoming committee.").format(neighborhood=name)
    if status == "forming":
        return _("{neighborhood} has a welcoming committee forming.").format(neighborhood=name)
    if status == "paused":
        return _("{neighborhood} has a welcoming committee that is paused.").format(
            neighborhood=name
        )
    return _("{neighborhood} has no welcoming committee yet.").format(neighborhood=name)


def _profile(
    snap: cache.Snapshot, neighborhood_id: str, audience: privacy.Disclosure | None = None
) -> None:
    """A neighborhood's figures (with source and margin of error), members, communities, gaps.

    Figures and counts are protected for ``audience`` (default: public).
    """
    audience = audience or privacy.Disclosure.public()
    shown = cache.protected_counts(snap, audience)
    G = cache.graph(snap)
    attrs = G.nodes[neighborhood_id]
    mark = f" {labels.ILLUSTRATIVE_MARK}" if attrs.get("illustrative") else ""
    st.subheader(f"{md(attrs.get('name'))}{mark}")
    cover = cache.coverage(snap, disclosure=audience).neighborhoods.set_index("id")
    status = cover["committee_status"].get(neighborhood_id, "none")
    st.markdown(_committee_sentence(md(attrs.get("name")), status))
    cols = st.columns(3)
    cols[0].metric(_("Residents"), _figure(shown, attrs, neighborhood_id, "population", audience))
    cols[1].metric(
        _("Foreign-born residents"),
        _figure(shown, attrs, neighborhood_id, "foreign_born", audience),
    )
    cols[2].metric(
        _("Speak English less than very well"),
        _figure(shown, attrs, neighborhood_id, "limited_english", audience),
    )
    source = md(attrs.get("source")) or _("no source given")
    if attrs.get("source_date"):
        sourced = _("Source: {source} ({date}).").format(
            source=source, date=md(attrs.get("source_date"))
        )
    else:
        sourced = _("Source: {source}.").format(source=source)
    st.caption(
        " ".join(
            [sourced, _("± is the 90% margin of error of a survey estimate.")]
            + ([_("Illustrative figures, not real data.")] if mark else [])
        )
    )
    members, communities = cache.neighborhood_members(snap, neighborhood_id, audience)
    left, right = st.columns(2)
    with left:
        st.markdown(_("**Member organizations here or serving here**"))
        if members.empty:
            st.write(_("None recorded."))
        else:
            st.dataframe(members, hide_index=True, width="stretch")
    with right:
        st.markdown(_("**Communities living here**"))
        if communities.empty:
            st.write(_("None recorded."))
        else:
            st.dataframe(communities, hide_index=True, width="stretch")
    st.markdown(_("**Gaps here**"))
    lines = cache.neighborhood_gap_lines(snap, neighborhood_id, audience)
    if lines:
        first = lines[:PROFILE_GAPS]
        st.markdown("\n".join(f"- {md(line)}" for line in first))
        if len(lines) > len(first):
            st.caption(
                _(
                    "… and {count} more: choose this neighborhood on the Gaps page to see them all."
                ).format(count=fmt_int(len(lines) - len(first)))
            )
    else:
        st.write(_("No gaps recorded for this neighborhood."))


if __name__ == "__main__":
    render()
