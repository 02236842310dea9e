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


def _run(conn) -> None:
    context.configure(
        connection=conn,
        target_metadata=metadata,
        render_as_batch=conn.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    """Run the migrations on the store's connection, or on COALITION_DB's store."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_engine_url(settings.db_url()))  # the alembic command line
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


# Alembic runs this file with its context set up; imported otherwise (by pytest's doctest
# collection, by an editor), it does nothing.
if getattr(context, "config", None) is not None:
    main()
