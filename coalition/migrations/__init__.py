"""The store's schema migrations (Alembic), run by :class:`coalition.store.Store` on opening.

A new store is created at the newest revision; an older one is upgraded; a store stamped with a
revision this release does not know is refused (upgrade the tool). Revision ``0001`` is the
layout of the first release that used Alembic: it is stamped onto stores made before then, once
``Store._add_new_columns`` and ``Store._migrate`` have brought them up to it.

To change the store's own tables (not a city table's columns: those follow
:mod:`coalition.schema` and are added on opening), add a revision in ``versions/`` (``alembic -c
coalition/migrations/alembic.ini revision -m "what"`` writes its skeleton), working on both SQLite
(``op.batch_alter_table``) and PostgreSQL, and update the tables in :mod:`coalition.store`.
"""
