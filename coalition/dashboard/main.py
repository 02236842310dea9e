"""The dashboard's entry script: the page set-up and the navigation between the pages.

``coalition serve`` runs this file with ``streamlit run`` (so an installed package serves the
dashboard from any directory); ``app.py`` at the root of a checkout calls :func:`run` too, for
``streamlit run app.py``. The store is the one named by the ``COALITION_DB`` environment variable
(default ``coalition.db``); an empty store is loaded with the sample city on first use.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coalition.dashboard import PAGES, WRITING_PAGES, presenter, sidebar, ui

# The pages are files next to this one; absolute paths work whatever the working directory and
# whichever script Streamlit started (this one or app.py).
PAGE_DIR = Path(__file__).resolve().parent


def run() -> None:
    """Set up the page, draw the sidebar and run the page the visitor chose."""
    presenter.start()  # presenter mode (?present=1 or the sidebar's toggle): hides, never grants
    st.set_page_config(
        page_title="We Belong Here — coalition mapper",
        layout="wide",
        initial_sidebar_state="collapsed" if ui.presenting() else "expanded",
    )
    # Pages that write are left out with COALITION_READ_ONLY and in presenter mode.
    shown = [page for page in PAGES if ui.editing_allowed() or page[2] not in WRITING_PAGES]
    navigation = st.navigation(
        [
            st.Page(str(PAGE_DIR / file), title=title, url_path=url_path, default=(index == 0))
            for index, (file, title, url_path) in enumerate(shown)
        ]
    )
    # The sidebar's place is kept first, but it is filled after the page: the page's first
    # lines then show at once instead of after the sidebar's counts (the whole graph).
    sidebar_slot = st.sidebar.container()
    if ui.presenting():
        presenter.render()
    try:
        navigation.run()
    finally:
        sidebar.render(sidebar_slot)


if __name__ == "__main__":
    run()
