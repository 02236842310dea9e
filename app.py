"""We Belong Here — coalition mapper: the dashboard.

Run with ``make run`` (or ``streamlit run app.py``, or ``coalition serve``). The entry script
and the pages live in the package (``coalition/dashboard/main.py``); this file only runs it, so
a checkout and an installed package serve the same dashboard.
"""

from coalition.dashboard.main import run

run()
