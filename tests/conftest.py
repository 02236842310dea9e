"""Shared fixtures: the tiny hand-checkable city (tests/tiny_city.py) as tables and as a graph."""

from __future__ import annotations

import pytest
from tiny_city import make_tiny_city

from coalition import settings
from coalition.model import build_graph


@pytest.fixture(autouse=True)
def checkpoints_in_the_foreground(monkeypatch):
    """Checkpoints are kept in the saving call, so tests see them at once (the app keeps them in
    a background thread: tests/test_store_edits.py checks that too)."""
    monkeypatch.setattr(settings, "CHECKPOINT_IN_BACKGROUND", False)


@pytest.fixture
def tiny_city():
    return make_tiny_city()


@pytest.fixture
def tiny_graph(tiny_city):
    return build_graph(tiny_city)


# Fixture folders hold data and the scripts that rebuilt them (which need build-only packages,
# e.g. libpysal): they are not test modules.
collect_ignore_glob = ["fixtures/*"]
