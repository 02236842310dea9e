"""We Belong Here — coalition mapper: the dashboard.

Run with ``make run`` (or ``streamlit run app.py``). The pages live in ``coalition/dashboard/``;
this file only sets up the page and the navigation. The store is the one named by the
``COALITION_DB`` environment variable (default ``coalition.db``); an empty store is loaded with the
sample city on first use.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coalition import settings
from coalition.dashboard import PAGES, WRITING_PAGES, sidebar

st.set_page_config(
    page_title="We Belong Here — coalition mapper",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGE_DIR = Path("coalition") / "dashboard"
shown = [page for page in PAGES if not (settings.read_only() and page[2] in WRITING_PAGES)]
navigation = st.navigation([
    st.Page(str(PAGE_DIR / file), title=title, url_path=url_path, default=(index == 0))
    for index, (file, title, url_path) in enumerate(shown)
])
sidebar.render()
navigation.run()
