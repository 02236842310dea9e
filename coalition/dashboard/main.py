"""The dashboard's entry script: the page set-up and the navigation between the pages.

``coalition serve`` runs this file with ``streamlit run`` (so an installed package serves the
dashboard from any directory); ``app.py`` at the root of a checkout calls :func:`run` too, for
``streamlit run app.py``. The store is the one named by the ``COALITION_DB`` environment variable
(default ``coalition.db``); an empty store is loaded with the sample city on first use.

Which pages exist depends on who is using the screen (:mod:`coalition.dashboard.auth`): only the
pages the account's role may use are registered (:data:`coalition.dashboard.PAGE_ACTIONS`), so
the address of any other page leads to the first page. With accounts in the store and nobody
signed in, the sign-in page is the only page (or the Survey page alone, for a visitor holding a
member's valid survey link: :mod:`coalition.dashboard.survey_link`). A store without accounts
served to other machines is refused: the dashboard would act as its operator (an admin) for
anyone who reaches it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coalition import errors
from coalition.accounts import Account
from coalition.dashboard import (
    PAGE_ACTIONS,
    PAGES,
    SIGN_IN_PAGE,
    WRITING_PAGES,
    auth,
    language,
    presenter,
    sidebar,
    survey_link,
    ui,
)
from coalition.i18n import N_, _

# The pages are files next to this one; absolute paths work whatever the working directory and
# whichever script Streamlit started (this one or app.py).
PAGE_DIR = Path(__file__).resolve().parent

EXPOSED_MESSAGE = N_(  # translated where shown
    "This dashboard can be reached from other machines, and its store has no accounts: it "
    "would let anyone who reaches it change the coalition's data. Create an admin account "
    "first, on this machine:\n\n"
    "    coalition user add NAME --role admin\n\n"
    "then start it again (everyone then signs in), or serve it to this machine only "
    "(`coalition serve`, which listens on 127.0.0.1)."
)


def shown_pages(account: Account, editing: bool) -> list[tuple[str, str, str]]:
    """The pages this account may use (writing pages only while ``editing``).

    Examples
    --------
    >>> from coalition.accounts import Account
    >>> [p[2] for p in shown_pages(Account("vi", "viewer"), True)]
    ['overview', 'network', 'map', 'gaps', 'planner', 'data', 'survey-results']
    >>> "record" in [p[2] for p in shown_pages(Account("ed", "editor"), False)]
    False
    """
    return [
        page
        for page in PAGES
        if account.can(PAGE_ACTIONS.get(page[2], "accounts"))
        and (editing or page[2] not in WRITING_PAGES)
    ]


def _exposed() -> None:
    st.title(_("Create an admin account first"))
    st.error(_(EXPOSED_MESSAGE))


def run() -> None:
    """Set up the page, draw the sidebar and run the page the visitor chose."""
    language.start()  # before anything is drawn: every word of this run is in this language
    presenter.start()  # presenter mode (?present=1 or the sidebar's toggle): hides, never grants
    st.set_page_config(
        page_title=_("We Belong Here — coalition mapper"),
        layout="wide",
        initial_sidebar_state="collapsed" if ui.presenting() else "expanded",
    )
    try:
        exposed = auth.exposed_without_accounts()
        account = auth.current_account()
    except errors.CoalitionError as exc:  # the store cannot be opened: say so, nothing else
        ui.show_problem(exc)
        st.stop()
        return
    if exposed:
        with st.sidebar:
            language.switch()
        st.navigation([st.Page(_exposed, title=_("Accounts needed"), url_path="setup")]).run()
        return
    if account is None and survey_link.holder() is not None:
        # A member's private survey link: its Survey page is the only page (not even Sign in).
        # The browser asks for /survey: a page that is the default is served at / only, so the
        # default is a landing that goes to the Survey page (the token is in session state).
        file, title, url_path = next(page for page in PAGES if page[2] == "survey")
        survey = st.Page(str(PAGE_DIR / file), title=_(title), url_path=url_path)
        landing = st.Page(
            lambda: st.switch_page(survey), title=_(title), url_path="survey-link", default=True
        )
        with st.sidebar:
            language.switch()
        st.navigation([landing, survey], position="hidden").run()
        return
    if account is None:  # accounts, and nobody signed in: the sign-in page is the only page
        if survey_link.token() is not None:  # a link that is not (or no longer) valid
            st.error(_(survey_link.INVALID_MESSAGE))
            survey_link.forget()
        file, title, url_path = SIGN_IN_PAGE
        with st.sidebar:
            language.switch()
        st.navigation(
            [st.Page(str(PAGE_DIR / file), title=_(title), url_path=url_path, default=True)]
        ).run()
        return
    # Pages that write are left out with COALITION_READ_ONLY and in presenter mode, and every
    # page whose action the account's role may not do.
    shown = shown_pages(account, ui.editing_allowed())
    if not any(page[2] == "survey" for page in shown) and survey_link.holder() is not None:
        # Signed in without the survey action (a viewer) and holding a member's link: the
        # Survey page answers for that member and round only, as for a visitor with the link.
        shown.append(next(page for page in PAGES if page[2] == "survey"))
    navigation = st.navigation(
        [
            st.Page(str(PAGE_DIR / file), title=_(title), url_path=url_path, default=(index == 0))
            for index, (file, title, url_path) in enumerate(shown)
        ],
        # Every page listed: collapsed, Streamlit would hide an admin's last pages (Accounts
        # among them) behind "View more" once there are more than twelve.
        expanded=True,
    )
    # The sidebar's place is kept first, but it is filled after the page: the page's first
    # lines then show at once instead of after the sidebar's counts (the whole graph).
    sidebar_slot = st.sidebar.container()
    if ui.presenting():
        presenter.render()
    try:
        navigation.run()
    finally:
        sidebar.render(sidebar_slot, account)


if __name__ == "__main__":
    run()
