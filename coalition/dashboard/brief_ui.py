"""The Coverage & planner page's "Commission brief (PDF)" download (:mod:`coalition.brief`).

The brief is for sharing, so it always shows counts as a viewer sees them (small counts hidden),
whoever downloads it. Its language defaults to the screen's and can be changed (a Spanish brief
from an English screen); a neighborhood can be chosen for its one-page profile. The PDF is built
only when the button is clicked, cached per store version, language, neighborhood and plan
choice, and every download is written to the audit log (``store.audit("export", …)``), as the
Data page's downloads are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from coalition import errors, i18n, privacy
from coalition.dashboard import auth, cache
from coalition.i18n import _
from coalition.presenting.text import slug

logger = logging.getLogger(__name__)

WHOLE_CITY = ""  # the neighborhood choice that means the whole brief


@st.cache_resource(show_spinner=False, max_entries=8)
def brief_bytes(
    snap: cache.Snapshot,
    lang: str,
    neighborhood: str,
    k: int,
    rule: str,
    distance_km: float,
    weights: tuple[tuple[str, float], ...],
) -> bytes:
    """The brief's PDF for one store version, language, neighborhood and plan (public counts).

    Examples
    --------
    >>> brief_bytes(snap, "es", "", 3, "own", 1.0, ())[:5]  # doctest: +SKIP
    b'%PDF-'
    """
    from coalition.brief import build_brief

    return build_brief(
        cache.city(snap),
        cache.index(snap),
        neighborhood=neighborhood or None,
        lang=lang,
        disclosure=privacy.Disclosure.public(),
        k=k,
        rule=rule,
        distance_km=distance_km,
        weights=dict(weights) or None,
    )


def deferred_brief(
    snap: cache.Snapshot,
    lang: str,
    neighborhood: str,
    plan: tuple[int, str, float, tuple[tuple[str, float], ...]],
) -> Callable[[], bytes]:
    """A callable for ``st.download_button``: builds the brief when clicked and audits it.

    Examples
    --------
    >>> build = deferred_brief(snap, "en", "", (3, "own", 1.0, ()))  # doctest: +SKIP
    """
    account = auth.current_account()
    what = (
        f"commission brief (pdf, {lang}, {neighborhood or 'whole city'}, public), "
        f"version {snap.version}"
    )

    def build() -> bytes:
        data = brief_bytes(snap, lang, neighborhood, *plan)
        try:
            cache.get_store().audit("export", what, account=account)
        except errors.CoalitionError as exc:  # the download itself must not fail for the log
            logger.warning("could not audit the download %s: %s", what, exc)
        return data

    return build


def render(
    snap: cache.Snapshot,
    neighborhoods: Mapping[str, Any],
    *,
    k: int,
    rule: str,
    distance_km: float,
    weights: tuple[tuple[str, float], ...] = (),
) -> None:
    """Draw the brief's download: language, optional neighborhood, the button.

    Parameters
    ----------
    snap : Snapshot
        The store version shown.
    neighborhoods : mapping
        Neighborhood ids to names (the page's filter options).
    k, rule, distance_km, weights :
        The plan chosen on the page (the brief shows the same plan).

    Examples
    --------
    >>> render(snap, {"alder": "Alder"}, k=3, rule="own", distance_km=1.0)  # doctest: +SKIP
    """
    st.subheader(_("Commission brief (PDF)"))
    st.caption(
        _(
            "The map, coverage, the ranking and the plan, the gaps and the starter kit for the "
            "first pick, with sources and dates, to print or share: small counts are hidden."
        )
    )
    codes = list(i18n.LANGUAGES)
    language_col, neighborhood_col = st.columns(2)
    lang = language_col.selectbox(
        _("Language of the brief"),
        codes,
        index=codes.index(i18n.language()) if i18n.language() in codes else 0,
        format_func=lambda code: i18n.LANGUAGES[code],
        key="brief_lang",
    )
    choices = [WHOLE_CITY, *sorted(neighborhoods, key=lambda n: str(neighborhoods[n]))]
    neighborhood = neighborhood_col.selectbox(
        _("One neighborhood's profile (optional)"),
        choices,
        format_func=lambda n: _("The whole city") if n == WHOLE_CITY else str(neighborhoods[n]),
        key="brief_neighborhood",
    )
    city_name = cache.city(snap).name
    name = slug(str(neighborhoods.get(neighborhood, "")) if neighborhood else str(city_name))
    st.download_button(
        _("Download the commission brief (PDF)"),
        data=deferred_brief(snap, lang, neighborhood, (k, rule, float(distance_km), weights)),
        file_name=f"{name or 'city'}-brief-{lang}.pdf",
        mime="application/pdf",
        key="brief_download",
        icon=":material/download:",
        on_click="ignore",
    )
