"""The Streamlit dashboard: the only part of the package that imports streamlit.

``main.py`` (the entry script; ``app.py`` at the root runs it) registers one page per module
here with ``st.navigation``:
:mod:`overview`, :mod:`network`, :mod:`map`, :mod:`gaps`, :mod:`planner`,
:mod:`starter_kit_page`, :mod:`data_page`,
:mod:`record`, :mod:`import_page`, :mod:`survey_page` and :mod:`accounts_page` (the pages that
write: not registered when ``COALITION_READ_ONLY`` is set or in presenter mode, see
:func:`ui.editing_allowed`).
Each page needs an action (:data:`PAGE_ACTIONS`, see :mod:`coalition.accounts`): only the pages
the signed-in account's role may use are registered; with accounts in the store and nobody signed
in, the only page is :mod:`sign_in` (see :mod:`coalition.dashboard.auth`).
Pages are thin: they read cached results from :mod:`coalition.dashboard.cache` (keyed on one
:class:`~coalition.dashboard.cache.Snapshot` of the store, so every interaction after the first is
answered from the cache), turn them into rows and sentences with :mod:`coalition.presenting`
(streamlit-free, words from :mod:`coalition.labels`, small counts hidden by
:mod:`coalition.privacy`) and draw them with the helpers in :mod:`coalition.dashboard.ui`.
"""

from coalition.i18n import N_

# No page icons: Streamlit fetches the favicon of a ":material/...:" icon from fonts.gstatic.com
# (seen in the offline browser test), and emoji need a colour-emoji font that a meeting-room
# machine may lack (they drew as empty boxes in Debian's headless Chromium).
PAGES = (
    # (file inside coalition/dashboard/, title, url path)
    ("overview.py", N_("Overview"), "overview"),
    ("network.py", N_("Network"), "network"),
    ("map.py", N_("Map"), "map"),
    ("gaps.py", N_("Gaps"), "gaps"),
    ("planner.py", N_("Coverage & planner"), "planner"),
    ("starter_kit_page.py", N_("Starter kit"), "starter-kit"),
    ("data_page.py", N_("Data"), "data"),
    ("survey_results_page.py", N_("Survey results"), "survey-results"),  # aggregates: anyone
    ("history_page.py", N_("What changed"), "history"),  # editors and admins (action "history")
    ("record.py", N_("Record"), "record"),
    ("import_page.py", N_("Import"), "import"),
    ("survey_page.py", N_("Survey"), "survey"),  # also the only page of a member's private link
    ("survey_rounds_page.py", N_("Survey rounds"), "survey-rounds"),  # editors (action "survey")
    ("accounts_page.py", N_("Accounts"), "accounts"),
)
# What each page needs (an action of coalition.accounts.ACTIONS): a page whose action the
# account's role may not do is never registered, so its URL leads nowhere. A page missing here
# is shown to admins only (main.shown_pages: closed by default).
PAGE_ACTIONS = {
    "overview": "view",
    "network": "view",
    "map": "view",
    "gaps": "view",
    "planner": "view",
    "starter-kit": "view",
    "data": "view",
    "survey-results": "view",
    "history": "history",  # "What changed", when it is a page of its own
    "record": "edit",
    "import": "import",
    "survey": "survey",
    "survey-rounds": "survey",
    "accounts": "accounts",
}
# Pages that change data: left out unless ui.editing_allowed() (not read-only, not presenting).
WRITING_PAGES = ("record", "import", "accounts", "survey", "survey-rounds")
# The page shown, alone, to a visitor who is not signed in (while the store has accounts).
SIGN_IN_PAGE = ("sign_in.py", N_("Sign in"), "sign-in")
