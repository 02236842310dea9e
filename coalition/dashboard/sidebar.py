"""The sidebar shown on every page: which city, how fresh, how much is illustrative."""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from coalition import errors, labels, model
from coalition.accounts import Account
from coalition.dashboard import auth, cache, language, presenter
from coalition.i18n import N_, Translated, _
from coalition.presenting.text import fmt_int, loaded_time, md

logger = logging.getLogger(__name__)

# An account's role, as the sidebar names it ("Signed in as ana (editor)").
ROLE_NAMES = Translated({"viewer": N_("viewer"), "editor": N_("editor"), "admin": N_("admin")})


def account_line(account: Account | None) -> None:
    """Who is signed in, and the sign-out button (nothing for the operator: no accounts).

    Examples
    --------
    >>> account_line(Account("ana", "editor"))  # doctest: +SKIP
    """
    if account is None or account.operator:
        return
    st.markdown(
        _("Signed in as **{name}** ({role})").format(
            name=md(account.name), role=ROLE_NAMES.get(account.role, account.role)
        )
    )
    st.button(_("Sign out"), on_click=auth.sign_out, key="sign_out")


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
        city = md(meta.get("city")) or _("Coalition")
        st.markdown(f"### {city}")
        st.caption(_("Data loaded {time}").format(time=md(loaded_time(meta.get("loaded_at")))))
        # "N members, M other organizations": non-members are organizations to invite.
        template = (
            _("Organizations: {members} (could be invited).")
            if counts.get("other_organizations")
            else _("Organizations: {members}.")
        )
        st.caption(template.format(members=model.members_phrase(counts)))
        if meta.get("loaded_automatically"):  # the store was empty: never a silent sample
            st.info(
                _(
                    "This is the sample city: the store was empty, so it was filled with it. "
                    "Load your own city with `coalition init DIR --replace`."
                )
            )
        total, illustrative = counts["entries"], counts["illustrative_entries"]
        if illustrative:
            st.caption(
                _(
                    "{mark} {illustrative} of {total} entries are illustrative examples, "
                    "not real facts."
                ).format(
                    mark=labels.ILLUSTRATIVE_MARK,
                    illustrative=fmt_int(illustrative),
                    total=fmt_int(total),
                )
            )
        st.caption(_("Works offline: nothing on these pages is loaded from the internet."))
