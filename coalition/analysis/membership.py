"""Coalition members and the organizations the coalition could invite.

An organization node's ``member`` attribute says whether it belongs to the coalition; a missing
(or blank) attribute counts as a member, so cities without the column keep their meaning.
Member-only analyses (isolated and peripheral members, fragile links, brokers, who reaches a
neighborhood) run on :func:`member_view`, an index restricted to members; non-members are
offered as organizations to invite (:func:`coalition.analysis.gaps.could_invite`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any

from .graph_index import GraphIndex

logger = logging.getLogger(__name__)

_NOT_MEMBER_WORDS = {"false", "no", "n", "0", "not a member", "non-member", "nonmember"}


def is_member(value: Any) -> bool:
    """Whether a ``member`` attribute means "a coalition member" (missing counts as yes).

    Examples
    --------
    >>> is_member(None), is_member(False), is_member("no"), is_member(float("nan"))
    (True, False, False, True)
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        word = value.strip().lower()
        return not word or word not in _NOT_MEMBER_WORDS
    try:
        return bool(value)
    except (TypeError, ValueError):
        return True


def non_member_ids(index: GraphIndex) -> list[str]:
    """Ids of the organizations that are not coalition members (sorted).

    Examples
    --------
    >>> non_member_ids(index_graph(G))  # doctest: +SKIP
    ['shop']
    """

    def compute() -> list[str]:
        if index.non_members is not None:  # read from the tables (index_city): no graph
            outside = index.non_members
            return sorted(o for o in index.organizations.index.tolist() if o in outside)
        nodes = index.graph.nodes
        return sorted(
            o
            for o in index.organizations.index.tolist()
            if not is_member(nodes[o].get("member"))
            if o in nodes
        )

    return index.memo("non_member_ids", compute)


def member_view(index: GraphIndex) -> GraphIndex:
    """The index restricted to member organizations (the index itself when all are members).

    Every table derived from the organizations (who reaches whom, partnerships, members per
    neighborhood) is recomputed on the members only; neighborhoods, communities and navigators
    are unchanged.

    Examples
    --------
    >>> member_view(index).organizations.index.tolist()  # doctest: +SKIP
    ['lib', 'legal']
    """
    outside = non_member_ids(index)
    if not outside:
        return index

    def compute() -> GraphIndex:
        organizations = index.organizations.drop(index=outside)
        return dataclasses.replace(index, organizations=organizations, _memo={})

    return index.memo("member_view", compute)
