"""Escaping text from data files for the pages this package writes: one helper, one rule.

Every string from a data file is hostile. Before it reaches HTML (a map tooltip, a legend, a
network node's label or title) it goes through :func:`escape_text`: HTML-escaped, and the
characters that could end or interpolate a JavaScript template literal (`` ` ``, ``$``, ``\\``)
or open template syntax (``{``, ``}``) turned into character references. A browser shows every one
of them as the character itself; a template engine that renders the page again (branca compiles
rendered macros as new Jinja templates) finds no ``{{``, ``{%`` or ``{#`` in data.
"""

from __future__ import annotations

import html
from typing import Any

_TEMPLATE_CHARACTERS = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)


def escape_text(value: Any) -> str:
    """Escape a value for HTML, for JavaScript template literals, and for Jinja.

    Parameters
    ----------
    value : Any
        Anything; ``None`` becomes an empty string.

    Returns
    -------
    str
        ``html.escape`` of the text (quotes included), with `` ` ``, ``$`` and ``\\`` also turned
        into character references so the text cannot end or interpolate a template literal, and
        ``{`` ``}`` too, so the text holds no template syntax (``{{``, ``{%``, ``{#``) whatever
        renders it. A browser shows every one of them as the character itself.

    Examples
    --------
    >>> escape_text('<b>"x"</b> ${y}')
    '&lt;b&gt;&quot;x&quot;&lt;/b&gt; &#36;&#123;y&#125;'
    >>> escape_text(None)
    ''
    """
    if value is None:
        return ""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_CHARACTERS)


__all__ = ["escape_text"]
