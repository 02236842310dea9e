"""Small counts stay private: resident counts below a threshold are never shown in shared views.

A count of the residents of one community in one neighborhood can point at a family. Every table
and sentence shown to people (the dashboard, a brief) passes its resident counts through
:func:`suppressed` and its analysis sentences through :func:`suppress_small_counts`. The
threshold is :data:`coalition.settings.SMALL_COUNT_THRESHOLD`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coalition import settings
from coalition.presenting.text import MISSING, fmt_int
from coalition.settings import SMALL_COUNT_THRESHOLD

if TYPE_CHECKING:
    from coalition.accounts import Account

# Said beside exact counts shown to editors and admins.
EXACT_LABEL = "Exact counts — not for sharing"


@dataclass(frozen=True)
class Disclosure:
    """How counts of residents or members are shown to one audience.

    Attributes
    ----------
    exact : bool
        True for editors and admins (exact counts, labelled :data:`EXACT_LABEL`); False for
        viewers and everything public (small counts as ranges, with complementary suppression).
    threshold : int
        Counts above 0 and below it are small (:func:`coalition.settings.small_count_threshold`).

    Examples
    --------
    >>> from coalition.accounts import Account
    >>> Disclosure.for_account(Account("vi", "viewer")).exact
    False
    >>> Disclosure.for_account(Account("ed", "editor")).exact
    True
    """

    exact: bool = False
    threshold: int = field(default_factory=settings.small_count_threshold)

    @classmethod
    def for_account(cls, account: Account | None) -> Disclosure:
        """Exact counts for an account that may see them; ranges for anyone else."""
        return cls(exact=account is not None and account.can("exact_counts"))

    @classmethod
    def public(cls) -> Disclosure:
        """What a viewer, a public export or a shared file gets."""
        return cls(exact=False)


# Columns of the gap tables that count one community's residents in one neighborhood.
SUPPRESSED_COLUMNS = frozenset({"speakers"})

_RESIDENT_COUNT = re.compile(r"\((\d[\d,]*) (residents?|speakers?)\)")


def is_small(count: float) -> bool:
    """True for a count that must not be shown: above zero and below the threshold.

    Parameters
    ----------
    count : float
        A number of residents.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_small(0), is_small(3), is_small(SMALL_COUNT_THRESHOLD)
    (False, True, False)
    """
    return 0 < count < SMALL_COUNT_THRESHOLD


def suppressed(value: Any) -> str:
    """A resident count for a shared view: hidden below the small-count threshold.

    Parameters
    ----------
    value : Any
        A count; ``None``, NaN and non-numbers show as an en dash.

    Returns
    -------
    str

    Examples
    --------
    >>> suppressed(3), suppressed(120), suppressed(0), suppressed(None)
    ('fewer than 5', '120', '0', '–')
    """
    try:
        if value is None or value != value:
            return MISSING
        number = float(value)
    except (TypeError, ValueError):
        return MISSING
    if is_small(number):
        return f"fewer than {SMALL_COUNT_THRESHOLD}"
    return fmt_int(number)


def suppress_small_counts(text: object) -> str:
    """Hide counts of residents below the small-count threshold in an analysis sentence.

    Sentences such as "Karen refugees (3 residents) speak Karen" describe residents of one
    community in one neighborhood; shared views must not show counts that small.

    Parameters
    ----------
    text : object
        A sentence (anything else is turned into text first).

    Returns
    -------
    str

    Examples
    --------
    >>> suppress_small_counts("Karen (3 residents) speak Karen; Latino (120 residents) too.")
    'Karen (fewer than 5 residents) speak Karen; Latino (120 residents) too.'
    >>> suppress_small_counts("(1 speaker)")
    '(fewer than 5 speakers)'
    """

    def replace(match: re.Match) -> str:
        count = int(match.group(1).replace(",", ""))
        if is_small(count):
            return f"(fewer than {SMALL_COUNT_THRESHOLD} {match.group(2).rstrip('s')}s)"
        return match.group(0)

    return _RESIDENT_COUNT.sub(replace, str(text))
