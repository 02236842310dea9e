"""Alembic revisions of the store, one file each (``0001`` is the baseline)."""
