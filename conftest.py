"""The docstrings' namespace: their examples run on the package's tiny example city.

``city`` (:class:`coalition.model.CityData`), ``G`` (its graph) and ``index`` (the analyses'
:class:`coalition.analysis.GraphIndex`) are there in every doctest, so an example can say
``>>> analysis.coverage(G)`` and show a result that can be checked by hand against the map in
:mod:`coalition.examples`. Analyses are pure, so one city serves the whole session.

The dashboard's cached loaders (:mod:`coalition.dashboard.cache`) read a store: their examples
also get ``snap``, a :class:`~coalition.dashboard.cache.Snapshot` of a temporary SQLite store
holding the example city (``COALITION_DB`` names it while they run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coalition import analysis, examples, model

_EXAMPLE_NAMES = ("city", "G", "index", "analysis", "model")


@pytest.fixture(scope="session")
def _example_objects() -> dict[str, Any]:
    city = examples.example_city()
    G = model.build_graph(city)
    return {
        "city": city,
        "G": G,
        "index": analysis.index_graph(G),
        "analysis": analysis,
        "model": model,
    }


@pytest.fixture(scope="session")
def _example_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    from coalition import settings, store  # only the dashboard's examples need a store

    url = settings.db_url(Path(tmp_path_factory.mktemp("doctest-store")) / "example.db")
    version = store.open_store(url).replace_city(examples.example_city())
    return url, version


@pytest.fixture(autouse=True)
def _doctest_globals(
    request: pytest.FixtureRequest,
    doctest_namespace: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fill the namespace for each doctest (the dict is shared, so every item sets it afresh)."""
    if type(request.node).__name__ != "DoctestItem":
        return
    if request.node.name.startswith("coalition.dashboard.cache"):
        # The cache module has its own `city` and `index` functions; its examples use `snap`.
        from coalition.dashboard.cache import Snapshot  # imports streamlit: only here

        for name in _EXAMPLE_NAMES:
            doctest_namespace.pop(name, None)
        url, version = request.getfixturevalue("_example_store")
        monkeypatch.setenv("COALITION_DB", url)
        doctest_namespace["snap"] = Snapshot(url, version)
    else:
        doctest_namespace.pop("snap", None)
        doctest_namespace.update(request.getfixturevalue("_example_objects"))
