"""The Streamlit dashboard: the only part of the package that imports streamlit.

``app.py`` (the entry point) registers one page per module here with ``st.navigation``:
:mod:`overview`, :mod:`network`, :mod:`map`, :mod:`gaps`, :mod:`planner` and :mod:`data_page`.
Pages are thin: they read cached results from :mod:`coalition.dashboard.data` (keyed on the store's
version, so every interaction after the first is answered from the cache) and draw them with the
helpers in :mod:`coalition.dashboard.ui`, which escape every string that comes from data.
"""

PAGES = (
    # (file inside coalition/dashboard/, title, url path, icon)
    ("overview.py", "Overview", "overview", ":material/dashboard:"),
    ("network.py", "Network", "network", ":material/hub:"),
    ("map.py", "Map", "map", ":material/map:"),
    ("gaps.py", "Gaps", "gaps", ":material/report:"),
    ("planner.py", "Coverage & planner", "planner", ":material/insights:"),
    ("data_page.py", "Data", "data", ":material/database:"),
)
