"""Overview page: the city at a glance, the top gaps and the top candidates as sentences."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coalition import model
from coalition.dashboard import data, measures, ui

TOP = 3


def render() -> None:
    """Draw the Overview page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        snap = data.snapshot()
        meta = data.info(snap.url, snap.version)
        counts = data.counts(snap.url, snap.version)
        cover = data.coverage(snap.url, snap.version)
        gap_report = data.gaps(snap.url, snap.version)
        ranked = data.ranking(snap.url, snap.version)

    st.title(f"{ui.md(meta.get('city') or 'Our city')}: the coalition at a glance")
    st.markdown("Who is in the welcoming network, where committees reach, what is missing, "
                "and where to start next.")

    summary = cover.summary
    committees = measures.committee_counts(cover.neighborhoods)
    cols = st.columns(5)
    cols[0].metric("Member organizations",
                   ui.fmt_int(counts.get("members", counts.get("organization"))),
                   help=f"Organizations: {model.members_phrase(counts)} (those that are not "
                        "members could be invited).")
    cols[1].metric("Partnerships between members", ui.fmt_int(counts.get("partnerships")),
                   help="Ties recorded between two member organizations. All ties, including "
                        "who serves which community and where members are: "
                        f"{ui.fmt_int(counts.get('ties'))}.")
    cols[2].metric("Communities", ui.fmt_int(counts.get("community")))
    cols[3].metric("Welcoming committees", f"{committees['active']} active",
                   f"{committees['forming']} forming", delta_color="off", delta_arrow="off")
    cols[4].metric("Foreign-born residents reached",
                   ui.fmt_share(summary.get("share_foreign_born_covered")),
                   help="Share of the city's foreign-born residents who live in a neighborhood "
                        "with an active welcoming committee.")
    total = sum(counts.get(k, 0) for k in
                ("organization", "neighborhood", "community", "navigator", "committee"))
    ui.illustrative_caption(counts.get("illustrative_nodes", 0), total, "entries")
    if summary.get("explanation"):
        st.markdown(ui.md(summary["explanation"]))

    left, right = st.columns(2)
    with left:
        st.subheader("Biggest gaps")
        sentences = measures.top_gap_sentences(gap_report, TOP)
        if sentences:
            st.markdown("\n".join(f"{i}. {ui.md(s)}" for i, s in enumerate(sentences, 1)))
        else:
            st.success("No gaps found in the current data.")
        st.page_link(str(Path(__file__).with_name("gaps.py")), label="See every gap",
                     icon=":material/arrow_forward:")
    with right:
        st.subheader("Where to start the next committee")
        sentences = measures.top_candidate_markdown(ranked, TOP) if ranked else []
        if sentences:
            st.markdown("\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1)))
        else:
            st.info("Every neighborhood already has an active committee.")
        st.page_link(str(Path(__file__).with_name("planner.py")), label="Compare candidates and plans",
                     icon=":material/arrow_forward:")


if __name__ == "__main__":
    render()
