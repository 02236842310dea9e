"""The sidebar shown on every page: which city, how fresh, how much is illustrative."""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from coalition import errors, labels, model
from coalition.accounts import Account
from coalition.dashboard import auth, cache, language, presenter
from coalition.presenting.text import loaded_time, md

logger = logging.getLogger(__name__)


def account_line(account: Account | None) -> None:
    """Who is signed in, and the sign-out button (nothing for the operator: no accounts).

    Examples
    --------
    >>> account_line(Account("ana", "editor"))  # doctest: +SKIP
    """
    if account is None or account.operator:
        return
    st.markdown(f"Signed in as **{md(account.name)}** ({account.role})")
    st.button("Sign out", on_click=auth.sign_out, key="sign_out")


def render(container: Any = None, account: Account | None = None) -> None:
    """Draw who is signed in, the city name, load date, members and illustrative share (silent
    if the store has problems: the page itself then shows the message).

    Parameters
    ----------
    container : streamlit container, optional
        Where to draw (a container kept in the sidebar); default ``st.sidebar``.
    account : Account, optional
        The account using this screen (a signed-in one gets its name and a Sign-out button).

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with container if container is not None else st.sidebar:
        language.switch()
        account_line(account)
        presenter.toggle()  # drawn even when the store has problems
        try:
            snap = cache.snapshot()
            meta = cache.info(snap)
            counts = cache.counts(snap)
        except errors.CoalitionError as exc:
            logger.info("sidebar skipped: %s", exc)
            return
        st.markdown(f"### {md(meta.get('city') or 'Coalition')}")
        st.caption(f"Data loaded {md(loaded_time(meta.get('loaded_at')))}")
        # "N members, M other organizations": non-members are organizations to invite.
        st.caption(
            f"Organizations: {model.members_phrase(counts)}"
            + (" (could be invited)" if counts.get("other_organizations") else "")
            + "."
        )
        if meta.get("loaded_automatically"):  # the store was empty: never a silent sample
            st.info(
                "This is the sample city: the store was empty, so it was filled with it. "
                "Load your own city with `coalition init DIR --replace`."
            )
        total, illustrative = counts["entries"], counts["illustrative_entries"]
        if illustrative:
            st.caption(
                f"{labels.ILLUSTRATIVE_MARK} {illustrative:,} of {total:,} entries are "
                "illustrative examples, not real facts."
            )
        st.caption("Works offline: nothing on these pages is loaded from the internet.")
