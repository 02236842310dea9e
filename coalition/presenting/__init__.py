"""Reports in words: the library's results turned into table rows and sentences for people.

Streamlit-free and pure (no input is changed, nothing is printed), so that the dashboard and
the command line can show the same figures in the same words. The words themselves come from
:mod:`coalition.labels`; small resident counts are hidden with :mod:`coalition.privacy`.

- :mod:`~coalition.presenting.text`: escaping for markdown, numbers, shares, times, file names.
- :mod:`~coalition.presenting.gaps`: gap tables for people, the top gap sentences, brokers.
- :mod:`~coalition.presenting.plans`: coverage tables, the ranking, score parts, the plan.
- :mod:`~coalition.presenting.city`: filter choices, a neighborhood's members, sources, warnings.
- :mod:`~coalition.presenting.changes`: what changed between two versions.

Functions whose name ends in ``_markdown`` (and :func:`~coalition.presenting.plans.reason_lines`)
return markdown in which every data string is already escaped with
:func:`~coalition.presenting.text.md`; the others return plain text or frames, to be shown by
something that never interprets markup (``st.dataframe``, a terminal).

The package imports none of its modules here, so that :mod:`coalition.privacy` can use
:mod:`~coalition.presenting.text` while the table builders use :mod:`coalition.privacy`.
"""
