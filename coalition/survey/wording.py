"""Names joined into a sentence in the language in use, for the survey's sentences.

:func:`coalition.analysis.graph_index.join_names` writes English ("A, B and C"); the survey's
sentences are read in Spanish too, so they join names with the templates here (the English
output is the same as ``join_names``'s).

Examples
--------
>>> join_shown(["A", "B", "C"]), join_shown(["A", "B", "C", "D"], limit=2)
('A, B and C', 'A, B and 2 more')
>>> from coalition.i18n import using
>>> with using("es"):
...     join_shown(["A", "B", "C"])
'A, B y C'
"""

from __future__ import annotations

from collections.abc import Sequence

from coalition.i18n import _, fmt_number


def join_shown(names: Sequence[object], limit: int = 5) -> str:
    """Names joined for a sentence, "A, B and C", the tail summarised past ``limit``.

    A tail of one name is never summarised ("and 1 more" would hide a name to save none).

    Parameters
    ----------
    names : sequence
        The names (data: shown as they are; the caller escapes the sentence).
    limit : int
        How many names are written out when the tail is summarised.

    Returns
    -------
    str
        ``""`` for no names.

    Examples
    --------
    >>> join_shown([]), join_shown(["A"]), join_shown(["A", "B", "C"], limit=2)
    ('', 'A', 'A, B and C')
    """
    shown = [str(n) for n in names]
    if not shown:
        return ""
    if len(shown) > limit + 1:
        return _("{names} and {count} more").format(
            names=", ".join(shown[:limit]), count=fmt_number(len(shown) - limit)
        )
    if len(shown) == 1:
        return shown[0]
    return _("{names} and {last}").format(names=", ".join(shown[:-1]), last=shown[-1])
