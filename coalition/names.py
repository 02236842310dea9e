"""Forgiving name matching: how a neighborhood typed in a spreadsheet finds its polygon.

"South-West", "south west", "SOUTHWEST", "St. Mary's" / "Saint Marys" and "Mt. Pleasant" /
"Mount Pleasant" match; an unknown name gets a "did you mean" suggestion naming every close match.
Suggestions are looked up in an index (:class:`Suggester`), so thousands of unknown names against
thousands of known ones stay fast.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping

from .i18n import _

_SAINT = re.compile(r"\b(st|ste)\b\.?", re.IGNORECASE)
_MOUNT = re.compile(r"\bmt\b\.?", re.IGNORECASE)
# Letters and digits of every script count (a key of "北海道" is not empty); the rest is ignored.
_NOT_ALNUM = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """The comparison key of a name: case, accents, spaces, hyphens and punctuation ignored.

    "St." and "Saint" are the same word, so are "Mt." and "Mount", and "&" is "and".

    Examples
    --------
    >>> name_key("South-West") == name_key("southwest")
    True
    >>> name_key("St. Mary's") == name_key("Saint Marys")
    True
    >>> name_key("北海道") != name_key("青森県")
    True
    >>> name_key("Mt. Pleasant") == name_key("Mount Pleasant")
    True
    """
    text = str(name)
    if len(text) > _CACHED_CHARS:
        return _name_key(text)
    return _cached_name_key(text)


# A city's names are keyed again and again (its neighborhoods by the tables, the matcher and the
# boundary file): short ones are remembered.
_CACHED_CHARS = 200


def _name_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", " and ")
    text = _SAINT.sub("saint", text)
    text = _MOUNT.sub("mount", text)
    return _NOT_ALNUM.sub("", text.lower())


_cached_name_key = functools.lru_cache(maxsize=32768)(_name_key)


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


# Suggestions: a name is compared (difflib's ratio) only with the few known names that share the
# most trigrams with it, found in an index; trigrams shared by very many names say little and are
# skipped. A query costs about the same whatever the number of known names.
_CUTOFF = 0.6  # difflib's default: below this a name is not "close"
_BAND = 0.1  # every match within this of the best one is suggested (ambiguous names)
_MAX_SUGGESTIONS = 3
_SMALL = 40  # up to this many known names, each is compared (no index)
_SHORTLIST = 12  # otherwise, the names sharing most trigrams are compared exactly
_BUCKET_CAP = 250  # a trigram shared by more names than this is not used to find candidates
_KEY_CHARS = 80  # longer values are not typos of a name: only their start is compared


def _trigrams(key: str) -> set[str]:
    padded = f"  {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _lower(text: str) -> str:
    return str(text).lower()


class Suggester:
    """Finds the known spellings closest to a value, fast even among many thousands.

    Parameters
    ----------
    choices : iterable of str
        The known spellings.
    key : callable, optional
        How a spelling is compared (default: lower case); spellings with the same key are one
        choice, shown as the first one given (or the longest when ``prefer_longest``).
    prefer_longest : bool, optional
        Show the longest spelling of a key (a neighborhood's name rather than its id).

    Examples
    --------
    >>> s = Suggester(["North End", "Northeast", "South End"], key=name_key)
    >>> s.suggest("North")
    ['North End', 'Northeast']
    >>> s.suggest("Zzz")
    []
    """

    def __init__(
        self,
        choices: Iterable[str],
        key: Callable[[str], str] = _lower,
        prefer_longest: bool = False,
    ):
        self._key = key
        self._display: dict[str, str] = {}
        for choice in choices:
            choice = str(choice)
            compared = key(choice)[:_KEY_CHARS]
            if not compared:
                continue
            shown = self._display.get(compared)
            if shown is None or (prefer_longest and len(choice) >= len(shown)):
                self._display[compared] = choice
        self._keys = list(self._display)
        self._buckets: dict[str, list[int]] = defaultdict(list)
        if len(self._keys) > _SMALL:
            for index, compared in enumerate(self._keys):
                for gram in _trigrams(compared):
                    self._buckets[gram].append(index)

    def _candidates(self, compared: str) -> list[str]:
        if len(self._keys) <= _SMALL:
            return self._keys
        shared: Counter[int] = Counter()
        for gram in _trigrams(compared):
            bucket = self._buckets.get(gram)
            if bucket and len(bucket) <= _BUCKET_CAP:
                shared.update(bucket)
        return [self._keys[i] for i, _ in shared.most_common(_SHORTLIST)]

    def suggest(self, value: str) -> list[str]:
        """Every close known spelling, best first (at most three), or an empty list."""
        compared = self._key(str(value))[:_KEY_CHARS]
        if not compared:
            return []
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(compared)
        scored = []
        for candidate in self._candidates(compared):
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF:
                score = matcher.ratio()
                if score >= _CUTOFF:
                    scored.append((score, candidate))
        if not scored:
            return []
        scored.sort(key=lambda item: (-item[0], item[1]))
        best = scored[0][0]
        return [self._display[c] for score, c in scored[:_MAX_SUGGESTIONS] if score >= best - _BAND]


def hint(suggestions: list[str]) -> str:
    """' Did you mean "a"?' (or '"a" or "b"') for a list of suggestions; '' for none.

    Examples
    --------
    >>> hint(["North End", "Northeast"])
    ' Did you mean "North End" or "Northeast"?'
    >>> hint([])
    ''
    """
    if not suggestions:
        return ""
    quoted = [f'"{s}"' for s in suggestions]
    listed = (
        quoted[0]
        if len(quoted) == 1
        else _("{names} or {last}").format(names=", ".join(quoted[:-1]), last=quoted[-1])
    )
    return " " + _("Did you mean {names}?").format(names=listed)


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
        for spelling, target in known.items():
            key = name_key(spelling)
            if key:
                self._by_key.setdefault(key, target)
        # Built at the first suggestion: a valid city never asks for one.
        self._spellings = list(known)
        self._suggester: Suggester | None = None

    def match(self, name: str) -> str | None:
        """The id a name stands for, or None."""
        return self._by_key.get(name_key(name))

    def suggestions(self, name: str) -> list[str]:
        """Every close known spelling, best first (empty when nothing is close)."""
        if self._suggester is None:
            # Suggest the human spelling (the longest one, usually the name) for a key.
            self._suggester = Suggester(self._spellings, key=name_key, prefer_longest=True)
        return self._suggester.suggest(name)

    def suggest(self, name: str) -> str | None:
        """The closest known spelling, or None when nothing is close."""
        close = self.suggestions(name)
        return close[0] if close else None

    @classmethod
    def from_names(cls, ids_and_names: Iterable[tuple[str, str]]) -> NameMatcher:
        """A matcher from ``(id, name)`` pairs, accepting either spelling (blanks are skipped)."""
        known: dict[str, str] = {}
        for node_id, name in ids_and_names:
            if not isinstance(node_id, str):
                continue  # a blank or invalid id (None / NaN), already reported
            known[node_id] = node_id
            if isinstance(name, str):
                known[name] = node_id
        return cls(known)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A ' Did you mean "x"?' hint naming every close choice, or an empty string.

    Examples
    --------
    >>> did_you_mean("parnership", ["partnership", "mentors"])
    ' Did you mean "partnership"?'
    """
    return hint(Suggester(choices).suggest(value))
