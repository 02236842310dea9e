"""Alembic's environment for the store: run on the connection the store hands it.

:class:`coalition.store.Store` runs the migrations inside its own write transaction (holding the
write lock) and passes that connection in ``config.attributes["connection"]``. Run from the
``alembic`` command instead, the store named by ``COALITION_DB`` (or ``--db``'s default) is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from coalition import settings
from coalition.store import _engine_url, metadata

connection = context.config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(
        connection=conn,
        target_metadata=metadata,
        render_as_batch=conn.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # the alembic command line
    engine = create_engine(_engine_url(settings.db_url()))
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
