"""The tiny hand-checkable city, now shipped in the package (:mod:`coalition.examples`).

Re-exported here so the tests keep importing ``make_tiny_city`` from ``tiny_city``.
"""

from coalition.examples import SOURCE, STEP, X0, Y0, example_city, example_graph, make_tiny_city

__all__ = ["SOURCE", "STEP", "X0", "Y0", "example_city", "example_graph", "make_tiny_city"]
