"""Overview page: the city at a glance, the top gaps and the top candidates as sentences."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coalition import model, privacy
from coalition.dashboard import auth, cache, ui
from coalition.i18n import _, ngettext
from coalition.presenting import gaps as gap_text
from coalition.presenting import plans
from coalition.presenting.text import fmt_int, fmt_share, md

TOP = 3


def render() -> None:
    """Draw the Overview page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    # Drawn as soon as each part is known (the cheap parts first): the title needs only the
    # store's metadata, the figures the graph and coverage, the two lists below the gaps and
    # the ranking, the slowest results on a first visit.
    with ui.problems_shown():
        snap = cache.snapshot()
        meta = cache.info(snap)

    st.title(
        _("{city}: the coalition at a glance").format(city=md(meta.get("city") or _("Our city")))
    )
    st.markdown(
        _(
            "Who is in the welcoming network, where committees reach, what is missing, "
            "and where to start next."
        )
    )
    audience = auth.disclosure()
    if audience.exact:
        st.caption(_(privacy.EXACT_LABEL))
    with ui.problems_shown():
        counts = cache.counts(snap)
        cover = cache.coverage(snap, disclosure=audience)

    summary = cover.summary
    committees = plans.committee_counts(cover.neighborhoods)
    cols = st.columns(5)
    cols[0].metric(
        _("Member organizations"),
        fmt_int(counts.get("members", counts.get("organization"))),
        help=_("Organizations: {members} (those that are not members could be invited).").format(
            members=model.members_phrase(counts)
        ),
    )
    cols[1].metric(
        _("Partnerships between members"),
        fmt_int(counts.get("partnerships")),
        help=_(
            "Ties recorded between two member organizations. All ties, including who serves "
            "which community and where members are: {ties}."
        ).format(ties=fmt_int(counts.get("ties"))),
    )
    cols[2].metric(_("Communities"), fmt_int(counts.get("community")))
    active, forming = committees["active"], committees["forming"]
    cols[3].metric(
        _("Welcoming committees"),
        ngettext("{count} active", "{count} active", active).format(count=fmt_int(active)),
        ngettext("{count} forming", "{count} forming", forming).format(count=fmt_int(forming)),
        delta_color="off",
        delta_arrow="off",
    )
    cols[4].metric(
        _("Foreign-born residents reached"),
        _share_shown(cover.shown("summary", "", "share_foreign_born_covered", None), summary),
        help=_(
            "Share of the city's foreign-born residents who live in a neighborhood "
            "with an active welcoming committee."
        ),
    )
    # Entries = rows of the city's tables, counted as the sidebar and the Data page count them.
    ui.illustrative_caption(counts["illustrative_entries"], counts["entries"], "entries")
    if summary.get("explanation"):
        st.markdown(md(summary["explanation"]))

    left, right = st.columns(2)
    with left:
        st.subheader(_("Biggest gaps"))
        with ui.problems_shown():
            gap_report = cache.gaps(snap, audience)
        sentences = gap_text.top_gap_sentences(gap_report, TOP)
        if sentences:
            st.markdown("\n".join(f"{i}. {md(s)}" for i, s in enumerate(sentences, 1)))
        else:
            st.success(_("No gaps found in the current data."))
        st.page_link(
            str(Path(__file__).with_name("gaps.py")),
            label=_("See every gap"),
            icon=":material/arrow_forward:",
        )
    with right:
        st.subheader(_("Where to start the next committee"))
        with ui.problems_shown():
            ranked = cache.ranking(snap)
        candidates = None
        if ranked is not None:
            candidates = (
                ranked.candidates
                if audience.exact
                else plans.public_candidates(
                    ranked.candidates, cache.protected_counts(snap, audience)
                )
            )
        sentences = plans.top_candidate_markdown(candidates, TOP) if candidates is not None else []
        if sentences:
            st.markdown("\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1)))
        else:
            st.info(_("Every neighborhood already has an active committee."))
        st.page_link(
            str(Path(__file__).with_name("planner.py")),
            label=_("Compare candidates and plans"),
            icon=":material/arrow_forward:",
        )


def _share_shown(marker: object, summary: dict) -> str:
    """The share reached, or the text of its marker when the report hid it."""
    if privacy.is_hidden(marker):
        return _("withheld")
    return fmt_share(summary.get("share_foreign_born_covered"))


if __name__ == "__main__":
    render()
