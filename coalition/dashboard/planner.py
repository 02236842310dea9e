"""Coverage & planner page: who committees reach now, which neighborhood next, and why."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from coalition import analysis, labels, privacy
from coalition.dashboard import auth, cache, ui
from coalition.i18n import _
from coalition.presenting import plans
from coalition.presenting.text import fmt_int, fmt_share, md


def render() -> None:
    """Draw the Coverage & planner page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        snap = cache.snapshot()
        options = cache.filter_options(snap)
        candidates_total = cache.candidate_count(snap)

    st.title(_("Coverage & planner"))
    st.markdown(
        _(
            "Where welcoming committees reach today, and which neighborhoods are the best "
            "places to start the next ones."
        )
    )

    rule_col, distance_col, k_col = st.columns(3)
    rule = rule_col.selectbox(
        _("A committee reaches"),
        list(labels.RULE_LABELS),
        format_func=ui.shown_as(labels.RULE_LABELS),
        key="plan_rule",
    )
    distance_km = distance_col.slider(
        _("Distance (km)"),
        0.5,
        5.0,
        1.0,
        0.5,
        key="plan_distance",
        disabled=rule != "distance",
        help=_("Used only with the distance rule."),
    )
    k = int(
        k_col.number_input(
            _("How many new committees?"),
            min_value=1,
            max_value=max(1, min(10, candidates_total)),
            value=min(3, max(1, candidates_total)),
            step=1,
            key="plan_k",
        )
    )

    with ui.problems_shown():
        audience = auth.disclosure()
        cover = cache.coverage(snap, rule, distance_km, disclosure=audience)
    _coverage_section(cover)

    st.header(_("Where to start next"))
    if candidates_total == 0:
        st.info(
            _(
                "Every neighborhood already has an active welcoming committee: there is no "
                "candidate to rank."
            )
        )
        return
    st.markdown(
        _(
            "Each neighborhood without an active committee gets a score from five parts. "
            "Move the sliders to say what matters most; the ranking updates."
        )
    )
    defaults = dict(analysis.DEFAULT_WEIGHTS)
    slider_cols = st.columns(len(defaults))
    weights = tuple(
        (
            name,
            float(
                col.slider(
                    labels.PART_LABELS.get(name, name),
                    0.0,
                    1.0,
                    float(value),
                    0.05,
                    key=f"plan_w_{name}",
                    help=labels.PART_HELP.get(name),
                )
            ),
        )
        for col, (name, value) in zip(slider_cols, defaults.items(), strict=True)
    )
    if not any(value for _, value in weights):
        st.warning(_("All weights are zero: move at least one slider above zero."))
        return
    with ui.problems_shown():
        ranked = cache.ranking(snap, weights, k)
        best = cache.plan(snap, weights, k, rule, distance_km)
    if ranked is None:  # no candidate left (checked above; the store may have changed since)
        st.info(_("Every neighborhood already has an active committee."))
        return
    protected = cache.protected_counts(snap, audience)
    candidates = (
        ranked.candidates
        if audience.exact
        else plans.public_candidates(ranked.candidates, protected)
    )
    _ranking_section(candidates, k, sum(value for _, value in weights))
    _plan_section(best, k, not audience.exact and plans.plan_figures_hidden(protected))
    from coalition.dashboard.starter_kit_page import planner_link  # the kit of the first pick

    planner_link(best)
    from coalition.dashboard import brief_ui  # the commission brief's download (issue 11)

    brief_ui.render(
        snap, options["neighborhoods"], k=k, rule=rule, distance_km=distance_km, weights=weights
    )
    _what_if_section(snap, options, rule, distance_km, cover)


def _summary_count(cover: analysis.CoverageReport, key: str) -> str:
    """A summary figure, or the text of its marker when the report hid it."""
    return privacy.format_count(
        cover.shown("summary", "", key, cover.summary.get(key)), cover.disclosure
    )


def _coverage_section(cover: analysis.CoverageReport) -> None:
    st.header(_("Coverage today"))
    if cover.disclosure.exact:
        st.caption(_(privacy.EXACT_LABEL))
    summary = cover.summary
    cols = st.columns(3)
    cols[0].metric(
        _("Neighborhoods reached"),
        _("{reached} of {total}").format(
            reached=fmt_int(summary.get("neighborhoods_covered")),
            total=fmt_int(summary.get("neighborhoods_total")),
        ),
    )
    cols[1].metric(
        _("Foreign-born residents reached"),
        _("{reached} of {total}").format(
            reached=_summary_count(cover, "foreign_born_covered"),
            total=_summary_count(cover, "foreign_born_total"),
        ),
    )
    share = cover.shown("summary", "", "share_foreign_born_covered", None)
    cols[2].metric(
        _("Share reached"),
        _("withheld")
        if privacy.is_hidden(share)
        else fmt_share(summary.get("share_foreign_born_covered")),
    )
    if summary.get("explanation"):
        st.markdown(md(summary["explanation"]))
    with st.expander(_("Coverage by community")):
        st.dataframe(
            plans.community_coverage_table(
                cover.communities, hidden=cover.hidden, disclosure=cover.disclosure
            ),
            hide_index=True,
            width="stretch",
        )
    with st.expander(_("Coverage by neighborhood")):
        st.dataframe(
            plans.neighborhood_coverage_table(
                cover.neighborhoods, hidden=cover.hidden, disclosure=cover.disclosure
            ),
            hide_index=True,
            width="stretch",
        )


def _ranking_section(candidates: pd.DataFrame, k: int, max_score: float) -> None:
    """The ranking of ``candidates`` (already as the audience may see them)."""
    table = plans.ranking_table(candidates)
    if table.empty:
        st.info(_("Every neighborhood already has an active committee."))
        return
    st.subheader(_("Ranking"))
    st.dataframe(
        table, hide_index=True, width="stretch", column_config=ui.ranking_column_config(max_score)
    )
    st.caption(
        _(
            "Stability: how often the neighborhood stays in the top {k} when the weights and "
            "the census figures move within their uncertainty."
        ).format(k=k)
    )
    parts = plans.score_parts(candidates, limit=15)
    st.subheader(_("What each score is made of"))
    chart = (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            y=alt.Y(
                "neighborhood:N",
                sort=list(parts.drop_duplicates("neighborhood")["neighborhood"]),
                title=None,
            ),
            x=alt.X("points:Q", stack="zero", title=_("Score")),
            color=alt.Color(
                "part:N",
                title=_("Part"),
                sort=list(labels.PART_LABELS.values()),
                scale=alt.Scale(range=labels.PART_COLOURS),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("neighborhood:N", title=_("Neighborhood")),
                alt.Tooltip("part:N", title=_("Part")),
                alt.Tooltip("points:Q", title=_("Points"), format=".3f"),
            ],
        )
        .properties(height=max(160, 32 * parts["neighborhood"].nunique()))
        .configure_axis(labelFontSize=15, titleFontSize=15, labelLimit=260)
        .configure_legend(labelFontSize=15, titleFontSize=15)
    )
    st.altair_chart(chart, width="stretch")
    st.subheader(_("Why these neighborhoods"))
    for line in plans.reason_lines(candidates, limit=k):
        st.markdown(line)


def _plan_section(plan: analysis.PlanReport | None, k: int, figures_hidden: bool = False) -> None:
    st.subheader(_("The best set of {k} versus the top {k}").format(k=k))
    if plan is None:
        st.info(_("No plan could be worked out for this choice."))
        return
    st.markdown(plans.plan_markdown(plan, k, figures_hidden=figures_hidden))


def _what_if_section(
    snap: cache.Snapshot,
    options: dict,
    rule: str,
    distance_km: float,
    cover: analysis.CoverageReport,
) -> None:
    st.header(_("What if…"))
    st.markdown(
        _(
            "Pick neighborhoods where a committee could start, and see how many more "
            "foreign-born residents would be reached."
        )
    )
    without = plans.neighborhoods_without_committee(cover.neighborhoods)
    chosen = st.multiselect(
        _("Start committees in"),
        without,
        format_func=ui.shown_as(options["neighborhoods"]),
        key="plan_what_if",
        placeholder=_("Choose neighborhoods…"),
    )
    if not chosen:
        return
    with ui.problems_shown():
        result = cache.what_if(snap, tuple(sorted(chosen)), rule, distance_km)
    if not cover.disclosure.exact and _what_if_hides(snap, options, result, cover.disclosure):
        st.metric(_("Newly reached"), _("withheld"))
        st.markdown(
            _(
                "The number of foreign-born residents these committees would newly reach, and "
                "the shares before and after, are withheld to protect a small count."
            )
        )
        return
    _what_if_metrics(result)


def _what_if_hides(
    snap: cache.Snapshot,
    options: dict,
    result: analysis.WhatIfReport,
    disclosure: privacy.Disclosure,
) -> bool:
    """True when the what-if's figures would show or let a reader work out a hidden count:
    a newly reached neighborhood's foreign-born figure is hidden, or the gain is small."""
    shown = cache.protected_counts(snap, disclosure)
    ids_by_name = {str(name): str(nid) for nid, name in options["neighborhoods"].items()}
    for name in result.newly_covered_neighborhoods:
        nid = ids_by_name.get(str(name), str(name))
        if privacy.is_hidden(shown.get(("neighborhood", nid, "foreign_born"))):
            return True
    return disclosure.is_small(result.newly_covered_foreign_born)


def _what_if_metrics(result: analysis.WhatIfReport) -> None:
    """Newly reached foreign-born residents and the share before and after."""
    newly = result.newly_covered_foreign_born
    share_before, share_after = result.share_before, result.share_after
    cols = st.columns(3)
    cols[0].metric(
        _("Newly reached"),
        fmt_int(newly),
        help=_("Foreign-born residents who would newly live in a reached neighborhood."),
    )
    cols[1].metric(_("Share reached now"), fmt_share(share_before))
    delta = None
    if isinstance(share_before, (int, float)) and isinstance(share_after, (int, float)):
        delta = _("{points} points").format(points=f"{(share_after - share_before) * 100:+.0f}")
    cols[2].metric(_("Share reached after"), fmt_share(share_after), delta)
    if result.explanation:
        st.markdown(md(result.explanation))


if __name__ == "__main__":
    render()
