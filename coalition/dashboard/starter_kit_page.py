"""The "Starter kit" page: who to invite to a new welcoming committee, and its checklist.

The neighborhood defaults to the planner's first pick (the plan the Coverage & planner page
shows, from the same cached results: :func:`coalition.dashboard.cache.plan`), or the pick the
planner's link handed over (:data:`PICK_KEY`), or ``?neighborhood=`` in the address. The kit is
drawn in sections (:func:`coalition.presenting.starter_kit.kit_markdown`) with counts as the
account may see them, and offered as a printable standalone page in the language of the screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from coalition import analysis, i18n, settings
from coalition.analysis.starter_kit import StarterKit, resolve_neighborhood, starter_kit
from coalition.dashboard import auth, cache, ui
from coalition.errors import AnalysisError
from coalition.i18n import _
from coalition.presenting.starter_kit import kit_html, kit_markdown, kit_title
from coalition.presenting.text import md, slug

# Session state: the neighborhood the planner's link hands over, the one last applied, the select.
PICK_KEY = "starter_kit_pick"
APPLIED_KEY = "starter_kit_applied"
SELECT_KEY = "starter_kit_neighborhood"
QUERY_PARAM = "neighborhood"
PAGE_FILE = Path(__file__).resolve().with_name("starter_kit_page.py")


def planner_link(plan: analysis.PlanReport | None) -> None:
    """On the planner: a link to this page, opening on the plan's first pick.

    Examples
    --------
    >>> planner_link(best)  # doctest: +SKIP
    """
    if plan is None or not plan.selected:
        return
    first = plan.selected[0]
    st.session_state[PICK_KEY] = first.neighborhood_id
    st.page_link(
        str(PAGE_FILE),
        label=_("Starter kit for {neighborhood}").format(neighborhood=md(first.name)),
    )


def first_pick(snap: cache.Snapshot) -> str | None:
    """The planner's first pick with the planner's defaults (None when there is no candidate).

    Examples
    --------
    >>> first_pick(snap)  # doctest: +SKIP
    'dogwood'
    """
    candidates = cache.candidate_count(snap)
    if candidates == 0:
        return None
    k = min(settings.DEFAULT_K, candidates)
    weights = tuple((name, float(value)) for name, value in analysis.DEFAULT_WEIGHTS.items())
    plan = cache.plan(snap, weights, k, "own", 1.0)
    if plan is None or not plan.selected:
        return None
    return str(plan.selected[0].neighborhood_id)


@st.cache_resource(show_spinner=False, max_entries=32)
def _kit(key: Any, _snap: cache.Snapshot, neighborhood_id: str) -> StarterKit:
    """The kit's data (no text: the sentences are written outside the cache, per language)."""
    return starter_kit(cache.index(_snap), neighborhood_id)


def kit(snap: cache.Snapshot, neighborhood_id: str) -> StarterKit:
    """The starter kit of one neighborhood, cached per analysed content.

    Examples
    --------
    >>> kit(snap, "cedar").neighborhood_name  # doctest: +SKIP
    'Cedar'
    """
    return _kit(cache.analysis_key(snap), snap, neighborhood_id)


def _default(snap: cache.Snapshot, ids: list[str]) -> str:
    state = st.session_state
    asked = st.query_params.get(QUERY_PARAM)
    wanted = None
    if asked:
        try:
            wanted = resolve_neighborhood(cache.index(snap), asked)
        except AnalysisError:  # an address naming no neighborhood: the usual default
            wanted = None
    return wanted or state.get(PICK_KEY) or first_pick(snap) or ids[0]


def render() -> None:
    """Draw the Starter kit page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        snap = cache.snapshot()
        options = cache.filter_options(snap)
    st.title(_("Starter kit"))
    st.markdown(
        _(
            "Who to invite to a new welcoming committee and why, the languages to prepare, "
            "the gaps it would start to close, and the toolkit's four areas as a checklist."
        )
    )
    names: dict[str, str] = dict(options["neighborhoods"])
    ids = sorted(names, key=lambda n: (str(names[n]).lower(), n))
    if not ids:
        st.info(_("No neighborhood is recorded yet."))
        return
    with ui.problems_shown():
        default = _default(snap, ids)
    state = st.session_state
    if state.get(APPLIED_KEY) != default or state.get(SELECT_KEY) not in ids:
        state[SELECT_KEY] = default if default in ids else ids[0]
        state[APPLIED_KEY] = default
    chosen = st.selectbox(
        _("Neighborhood"),
        ids,
        format_func=lambda n: str(names.get(n, n)),
        key=SELECT_KEY,
        help=_("It opens on the planner's first pick."),
    )
    with ui.problems_shown():
        audience = auth.disclosure()
        the_kit = kit(snap, chosen)
    st.subheader(kit_title(the_kit))
    st.download_button(
        _("Printable page"),
        data=kit_html(the_kit, audience, i18n.language()).encode("utf-8"),
        file_name=f"starter-kit-{slug(str(the_kit.neighborhood_id)) or 'neighborhood'}.html",
        mime="text/html",
        help=_("A page to print or share, in the language of this screen."),
    )
    st.markdown(kit_markdown(the_kit, audience))


if __name__ == "__main__":
    render()
