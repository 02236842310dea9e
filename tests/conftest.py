"""Shared fixtures: the tiny hand-checkable city (tests/tiny_city.py) as tables and as a graph."""

from __future__ import annotations

import pytest
from tiny_city import make_tiny_city

from coalition.model import build_graph


@pytest.fixture
def tiny_city():
    return make_tiny_city()


@pytest.fixture
def tiny_graph(tiny_city):
    return build_graph(tiny_city)


# Fixture folders hold data and the scripts that rebuilt them (which need build-only packages,
# e.g. libpysal): they are not test modules.
collect_ignore_glob = ["fixtures/*"]
