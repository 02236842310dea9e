"""The Gaps page's section "Introductions: who should meet".

Pairs not tied yet (two organizations, an organization and a community, a Cultural Navigator
and a community), the reasons to introduce them and the gaps adding the tie was measured to close
(:func:`coalition.analysis.introductions.introductions`). The report is cached per store version,
ties choice, audience and filters (:func:`report`); it holds data, not text, so the sentences are
written on every run in the language in use (:mod:`coalition.presenting.introductions`). Names
are data: escaped for markdown. Viewers get the counts protected as on the rest of the page.
"""

from __future__ import annotations

import streamlit as st

from coalition import labels, privacy
from coalition.analysis.introductions import IntroductionReport, introductions
from coalition.dashboard import cache, ui
from coalition.i18n import N_, _, ngettext
from coalition.presenting import introductions as intro_text
from coalition.presenting.text import fmt_int, md

# Pairs shown with their sentences below the table (the table lists every measured pair).
SHOWN_PAIRS = 5


def report(
    snap: cache.Snapshot,
    disclosure: privacy.Disclosure,
    neighborhood: str | None = None,
    community: str | None = None,
) -> IntroductionReport:
    """The introductions of one store version (and ties choice), for an audience and filters.

    Examples
    --------
    >>> report(snap, privacy.Disclosure.public()).pairs["first_id"].iloc[0]  # doctest: +SKIP
    'church'
    """
    return _report(cache.analysis_key(snap), snap, disclosure, neighborhood, community)


@cache.cached(N_("Measuring which introductions close gaps…"), max_entries=16)
def _report(
    key: cache.AnalysisKey,
    _snap: cache.Snapshot,
    disclosure: privacy.Disclosure,
    neighborhood: str | None,
    community: str | None,
) -> IntroductionReport:
    return introductions(
        cache.index(_snap), neighborhood=neighborhood, community=community, disclosure=disclosure
    )


def render(snap: cache.Snapshot, audience: privacy.Disclosure, options: dict) -> None:
    """Draw the section: filters, the table of pairs, and the sentences of the first pairs.

    Parameters
    ----------
    snap : Snapshot
        The snapshot the Gaps page shows (its ties choice included).
    audience : Disclosure
        Who is looking (viewers get small counts hidden).
    options : dict
        The page's filter choices (:func:`coalition.dashboard.cache.filter_options`).

    Examples
    --------
    >>> render(snap, audience, options)  # doctest: +SKIP
    """
    st.header(_("Introductions: who should meet"))
    st.markdown(
        _(
            "Pairs not tied yet who have a reason to meet: two organizations, an organization "
            "and a community, a Cultural Navigator and a community. Each effect was measured by "
            "adding the tie to a copy of the coalition and finding the gaps again. An "
            "organization that is not a member yet is marked as one to invite."
        )
    )
    first, second = st.columns(2)
    neighborhoods = options["neighborhoods"]
    communities = options["communities"]
    neighborhood = first.selectbox(
        _("Introductions in the neighborhood"),
        list(neighborhoods),
        index=None,
        format_func=ui.shown_as(neighborhoods),
        placeholder=_("Every neighborhood"),
        key="intro_neighborhood",
    )
    community = second.selectbox(
        _("Introductions for the community"),
        list(communities),
        index=None,
        format_func=ui.shown_as(communities),
        placeholder=_("Every community"),
        key="intro_community",
    )
    with ui.problems_shown():
        found = report(snap, audience, neighborhood, community)
    pairs = found.pairs
    st.caption(
        ngettext(
            "{measured} of {candidates} candidate pair measured, the most promising first.",
            "{measured} of {candidates} candidate pairs measured, the most promising first.",
            found.candidates,
        ).format(measured=fmt_int(found.measured), candidates=fmt_int(found.candidates))
    )
    if pairs.empty:
        st.success(_("No pair to introduce for this choice."))
        return
    invited = int(pairs["invite"].sum())
    if invited:
        st.caption(
            ngettext(
                "{count} pair includes an organization to invite into the coalition.",
                "{count} pairs include an organization to invite into the coalition.",
                invited,
            ).format(count=fmt_int(invited))
        )
    marked = int(pairs["illustrative"].sum())
    if marked:
        st.caption(
            _(
                "{mark} marks a pair resting on illustrative rows: examples, not facts about "
                "real organizations."
            ).format(mark=labels.ILLUSTRATIVE_MARK)
        )
    table = intro_text.readable(pairs, audience)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        row_height=72,
        height=min(620, 40 + 72 * len(table)),
    )
    for row in pairs.head(SHOWN_PAIRS).to_dict("records"):
        said = intro_text.pair_sentences(row, md, audience)
        lines = [f"**{said['headline']}**"]
        if said["invitation"]:
            lines.append(f"- {said['invitation']}")
        lines += [f"- {sentence}" for sentence in said["reasons"]]
        lines += [f"- {sentence}" for sentence in said["effects"]]
        st.markdown("\n".join(lines))
