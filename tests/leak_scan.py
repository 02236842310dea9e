"""Find the leaky city's secret small counts in what a viewer received.

The secrets and every way they could leak are in tests/fixtures/leaky_city/README.md. Every
other figure of that city is a distinct number of at least 94, so a text shows a cell when it
holds its number. A secret leaks when:

1. it is shown: a table cell about residents (``residents=7``, ``foreign_born=6``, their
   margins ``4``/``5``), or a sentence or label that puts 6–9 next to residents, families,
   foreign-born or English speakers, or a margin "± 4";
2. it can be subtracted: every other number of one of its lines (a total and its parts) is shown
   (e.g. 419 Andean families, 412 of them in Brookside: 7 in Ashgrove), or a share with its total
   (412 of 419 is 98%).

Texts come from :mod:`browser_wire`: Arrow cells and file cells as ``column=value``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# (the secret, the numbers that together give it away)
LINES = (
    ("Andean families in Ashgrove (7)", ("419", "412")),
    ("Andean families in Ashgrove (7)", ("1147", "1140")),
    ("Andean families in Ashgrove (7)", ("419", "98%")),
    ("foreign-born residents of Dunmore (6)", ("734", "263", "318", "147")),
    ("limited-English residents of Cliffside (8)", ("399", "121", "176", "94")),
)
SMALL = ("6", "7", "8", "9")
MARGINS = ("4", "5")
# Column names of counts of people (as stored, exported or shown).
PEOPLE_COLUMN = re.compile(
    r"resident|foreign|english|limited|estimated|speaker|famil|people|members? of", re.I
)
MARGIN_COLUMN = re.compile(r"_moe$|margin|±", re.I)
_NUMBER = r"(?<![\w.,%±+-]){value}(?:\.0+)?(?![\w%]|[.,]\d)"
_SMALL = "(?:" + "|".join(SMALL) + ")"
_WORDS = r"(?:residents?|families|foreign[\s-]born|speak|English|people|newcomers)"
SENTENCES = (
    # "9 residents", "6 foreign-born residents", "(7 Andean families)"
    re.compile(_NUMBER.format(value=_SMALL) + r"\s+(?:[A-Z][\w-]*\s+){0,2}" + _WORDS),
    # "Residents: 7", "foreign-born residents 6", "Speak English less than very well | 8"
    re.compile(_WORDS + r"[^\d\n]{0,30}?" + _NUMBER.format(value=_SMALL)),
    # "(± 4)", "±5"
    re.compile(r"±\s*" + _NUMBER.format(value="(?:" + "|".join(MARGINS) + ")")),
)
CELL = re.compile(r"^(?P<column>[^=\n]{1,80})=(?P<value>[^\n]*)$", re.M)


def _plain(text: str) -> str:
    """Thousands separators dropped (1,147 -> 1147), so a number is one token."""
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def _number(value: str) -> str:
    value = value.strip()
    return value[:-2] if value.endswith(".0") else value


def shown(number: str, text: str) -> bool:
    """Whether ``number`` is a whole token of ``text`` ("147" is not in "41947" or "1.147").

    Examples
    --------
    >>> shown("147", "Cliffside 147, Ashgrove 263"), shown("147", "port 41947")
    (True, False)
    >>> shown("98%", "412 of 419 (98%)")
    True
    """
    if number.endswith("%"):
        return re.search(r"(?<![\w.])" + re.escape(number), text) is not None
    return re.search(_NUMBER.format(value=re.escape(number)), text) is not None


def leaks(texts: Iterable[str]) -> list[str]:
    """Every way the secrets show in ``texts`` (empty when none does).

    Examples
    --------
    >>> leaks(["Of the 9 residents recorded for Eritrean families"])
    ['shown: Of the 9 residents recorded for Eritrean families']
    >>> leaks(["residents=7"])[0]
    'cell: residents=7'
    >>> leaks(["Andean families: 419", "Brookside 412"])
    ['subtraction: Andean families in Ashgrove (7) from 419, 412']
    >>> leaks(["Andean families: 419", "Brookside: withheld to protect a small count",
    ...        "fewer than 11 residents", "4 neighborhoods", "version 9"])
    []
    """
    text = _plain("\n".join(texts))
    found: list[str] = []
    for match in CELL.finditer(text):
        column, value = match["column"], _number(match["value"])
        margin = MARGIN_COLUMN.search(column) is not None
        if (margin and value in MARGINS) or (
            not margin and PEOPLE_COLUMN.search(column) and value in SMALL
        ):
            found.append(f"cell: {match[0]}")
    for pattern in SENTENCES:
        for match in pattern.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            found.append(f"shown: {text[line_start : line_end if line_end >= 0 else None][:200]}")
    for secret, numbers in LINES:
        if all(shown(number, text) for number in numbers):
            found.append(f"subtraction: {secret} from {', '.join(numbers)}")
    return list(dict.fromkeys(found))
