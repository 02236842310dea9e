"""Forgiving name matching: how a neighborhood typed in a spreadsheet finds its polygon.

"South-West", "south west", "SOUTHWEST" and "St. Mary's" / "Saint Marys" match; an unknown name
gets a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Iterable, Mapping

_SAINT = re.compile(r"\b(st|ste)\b\.?", re.IGNORECASE)
# Letters and digits of every script count (a key of "北海道" is not empty); the rest is ignored.
_NOT_ALNUM = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """The comparison key of a name: case, accents, spaces, hyphens and punctuation ignored.

    "St." and "Saint" are the same word, and "&" is "and".

    Examples
    --------
    >>> name_key("South-West") == name_key("southwest")
    True
    >>> name_key("St. Mary's") == name_key("Saint Marys")
    True
    >>> name_key("北海道") != name_key("青森県")
    True
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", " and ")
    text = _SAINT.sub("saint", text)
    return _NOT_ALNUM.sub("", text.lower())


def slugify(name: str) -> str:
    """A readable id from a name.

    Examples
    --------
    >>> slugify("Sheldon-Charter Oak")
    'sheldon-charter-oak'
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


class NameMatcher:
    """Matches names forgivingly against a set of known ones.

    Parameters
    ----------
    known : mapping of str to str
        Every accepted spelling (ids and names) mapped to the id it stands for.

    Examples
    --------
    >>> m = NameMatcher({"asylum-hill": "asylum-hill", "Asylum Hill": "asylum-hill"})
    >>> m.match("ASYLUM  hill")
    'asylum-hill'
    >>> m.suggest("Asylum Hil")
    'Asylum Hill'
    """

    def __init__(self, known: Mapping[str, str]):
        self._by_key: dict[str, str] = {}
        self._display: dict[str, str] = {}
        for spelling, target in known.items():
            key = name_key(spelling)
            if key:
                self._by_key.setdefault(key, target)
                # Suggest the human spelling (the longest one, usually the name) for a key.
                if len(spelling) >= len(self._display.get(key, "")):
                    self._display[key] = spelling

    def match(self, name: str) -> str | None:
        """The id a name stands for, or None."""
        return self._by_key.get(name_key(name))

    def suggest(self, name: str) -> str | None:
        """The closest known spelling, or None when nothing is close."""
        close = difflib.get_close_matches(name_key(name), list(self._by_key), n=1, cutoff=0.6)
        return self._display[close[0]] if close else None

    @classmethod
    def from_names(cls, ids_and_names: Iterable[tuple[str, str]]) -> "NameMatcher":
        """A matcher from ``(id, name)`` pairs, accepting either spelling."""
        known: dict[str, str] = {}
        for node_id, name in ids_and_names:
            known[str(node_id)] = str(node_id)
            known[str(name)] = str(node_id)
        return cls(known)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A ' Did you mean "x"?' hint, or an empty string.

    Examples
    --------
    >>> did_you_mean("parnership", ["partnership", "mentors"])
    ' Did you mean "partnership"?'
    """
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(value).lower(), list(lowered), n=1, cutoff=0.6)
    return f' Did you mean "{lowered[close[0]]}"?' if close else ""
