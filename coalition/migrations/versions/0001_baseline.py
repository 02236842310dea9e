"""The store's layout when it started using Alembic (issue 9): the baseline.

Tables: the city's tables (one per :mod:`coalition.schema` table, with ``_pos``, ``_key``,
``_changed``, ``_retired``), ``boundaries``, ``meta``, ``history``, ``history_city``,
``boundary_sets``, ``versions``, ``edits``, ``meetings``, ``accounts``, ``sessions``, ``audit``
and ``store_lock``.

A store is never built by running this revision: a new store is created from the tables in
:mod:`coalition.store` and stamped at the head (Alembic's recipe for a new database), and a store
made before Alembic is brought up to this layout by ``Store._add_new_columns`` and
``Store._migrate`` and then stamped with it. Run on an empty database by hand (``alembic
upgrade``), it creates the tables the store lacks.

Revision ID: 0001
Revises:
Created: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    from coalition.store import STORE_LOCK, metadata

    bind = op.get_bind()
    metadata.create_all(bind, checkfirst=True)
    if bind.execute(STORE_LOCK.select()).first() is None:
        bind.execute(STORE_LOCK.insert().values(id=1))


def downgrade() -> None:
    raise NotImplementedError(
        "The baseline cannot be downgraded: restore a backup made before the upgrade instead."
    )
