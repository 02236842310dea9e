"""The docstrings' namespace: their examples run on the package's tiny example city.

``city`` (:class:`coalition.model.CityData`), ``G`` (its graph) and ``index`` (the analyses'
:class:`coalition.analysis.GraphIndex`) are there in every doctest, so an example can say
``>>> analysis.coverage(G)`` and show a result that can be checked by hand against the map in
:mod:`coalition.examples`. Analyses are pure, so one city serves the whole session.
"""

from __future__ import annotations

from typing import Any

import pytest

from coalition import analysis, examples, model


@pytest.fixture(scope="session", autouse=True)
def _example_namespace(doctest_namespace: dict[str, Any]) -> None:
    city = examples.example_city()
    G = model.build_graph(city)
    doctest_namespace.update(
        city=city, G=G, index=analysis.index_graph(G), analysis=analysis, model=model
    )
