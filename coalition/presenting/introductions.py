"""Introductions for people: who should meet, why, and what the tie was measured to change.

Reads the rows of :class:`coalition.analysis.introductions.IntroductionReport` and writes whole
translatable sentences (one template per finding, filled after translation). Names and other
data values go through ``escape`` (markdown escaping by default, :func:`coalition.presenting.
text.md`; the command line passes :class:`str`), never into a template's source. A sentence about
an effect is written only from what the recomputation found. Resident counts (the speakers of a
language gap closed) arrive already protected for the report's audience (a marker when hidden)
and are written with :func:`coalition.privacy.format_count`.

Examples
--------
>>> from coalition.analysis.introductions import introductions
>>> row = introductions(G, community="karen").pairs.iloc[0]
>>> pair_sentences(row)["headline"]
'◇ Introduce Cedar Church and Dogwood Clinic as partners.'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from babel.lists import format_list

from coalition import i18n, labels, privacy
from coalition.i18n import _, ngettext, pgettext
from coalition.presenting.text import fmt_int, md

Escape = Callable[[Any], str]

# Short words take the context "introductions" (pgettext): their Spanish is this part's own.
CONTEXT = "introductions"


def service_phrase(domain: Any) -> str:
    """How a service domain reads in a sentence ("offers ... to <community>").

    Examples
    --------
    >>> service_phrase("legal"), service_phrase("something new")
    ('legal and immigration help', 'something new')
    """
    phrases = {
        "legal": pgettext("introductions", "legal and immigration help"),
        "english": pgettext("introductions", "English classes"),
        "employment": pgettext("introductions", "employment help"),
        "health": pgettext("introductions", "health services"),
        "housing": pgettext("introductions", "housing help"),
        "education": pgettext("introductions", "education programs"),
        "citizenship": pgettext("introductions", "citizenship help"),
        "youth": pgettext("introductions", "youth programs"),
    }
    return phrases.get(str(domain), str(domain))


def pair_kind_words(kind: str) -> str:
    """The kind of a pair in words.

    Examples
    --------
    >>> pair_kind_words("navigator_community")
    'Navigator and community'
    """
    words = {
        "organization_organization": pgettext("introductions", "Two organizations"),
        "organization_community": pgettext("introductions", "Organization and community"),
        "navigator_community": pgettext("introductions", "Navigator and community"),
    }
    return words.get(kind, kind)


# At most this many names in one list of a sentence ("A, B, C and 2 more").
SHOWN_NAMES = 4


def names_list(values: list[Any], escape: Escape = md) -> str:
    """Names joined for the language in use ("A, B and C" / "A, B y C"), the tail counted.

    Examples
    --------
    >>> names_list(["A", "B", "C"])
    'A, B, and C'
    >>> names_list(["A", "B", "C", "D", "E", "F"])
    'A, B, C, D, and 2 more'
    """
    items = [escape(v) for v in values]
    if not items:
        return ""
    if len(items) > SHOWN_NAMES + 1:
        rest = len(items) - SHOWN_NAMES
        items = [
            *items[:SHOWN_NAMES],
            pgettext("introductions", "{count} more").format(count=fmt_int(rest)),
        ]
    return format_list(items, locale=i18n.locale())


def headline(row: Mapping[Any, Any], escape: Escape = md) -> str:
    """What to do, in one sentence (marked when it rests on illustrative rows).

    Examples
    --------
    >>> headline({"pair_kind": "navigator_community", "first_name": "Ana",
    ...           "second_name": "Karen refugees", "illustrative": False})
    'Ask Ana to mentor Karen refugees.'
    """
    first, second = escape(row["first_name"]), escape(row["second_name"])
    kind = row["pair_kind"]
    if kind == "organization_organization":
        text = _("Introduce {first} and {second} as partners.").format(first=first, second=second)
    elif kind == "organization_community":
        text = _("Introduce {organization} to {community}.").format(
            organization=first, community=second
        )
    else:
        text = _("Ask {navigator} to mentor {community}.").format(navigator=first, community=second)
    return f"{labels.ILLUSTRATIVE_MARK} {text}" if row.get("illustrative") else text


def invitation(row: Mapping[Any, Any], escape: Escape = md) -> str:
    """The sentence that says an end is not a coalition member yet ("" when both are).

    Examples
    --------
    >>> invitation({"invite_ids": ["shop"], "first_id": "shop", "first_name": "Shop",
    ...             "second_id": "lib", "second_name": "Library"})
    'Shop is not a coalition member yet: invite it to join. The effect below counts it as a member.'
    """
    names = {row["first_id"]: row["first_name"], row["second_id"]: row["second_name"]}
    invited = [names.get(i, i) for i in row.get("invite_ids") or []]
    if not invited:
        return ""
    return _(
        "{name} is not a coalition member yet: invite it to join. "
        "The effect below counts it as a member."
    ).format(name=names_list(invited, escape))


def reason_sentences(row: Mapping[Any, Any], escape: Escape = md) -> list[str]:
    """One sentence per reason of a pair.

    Examples
    --------
    >>> reason_sentences({"reasons": [{"code": "common_language", "languages": ["Karen"]}]})
    ['Both speak Karen.']
    """
    sentences = []
    for reason in row.get("reasons") or []:
        code = reason["code"]
        if code == "complementary_services":
            for need in reason["needs"]:
                services = names_list([service_phrase(d) for d in need["domains"]], str)
                sentences.append(
                    _("{provider} offers {services}: a gap for {community}.").format(
                        provider=escape(need["provider"]),
                        services=services,
                        community=escape(need["community"]),
                    )
                )
        elif code == "same_neighborhood":
            sentences.append(
                _("Both are present in {neighborhoods}.").format(
                    neighborhoods=names_list(reason["neighborhoods"], escape)
                )
            )
        elif code == "shared_partner":
            if row.get("pair_kind") == "organization_organization":
                template = _("Both work with {partners}.")
            elif row.get("pair_kind") == "navigator_community":
                template = _("The navigator volunteers with {partners}, who already reach them.")
            else:
                template = _("Its partner {partners} already reaches them.")
            sentences.append(template.format(partners=names_list(reason["partners"], escape)))
        elif code == "orientation":
            sentences.append(
                _(
                    "{newcomers} serves newcomers and {long_time} serves long-time residents."
                ).format(
                    newcomers=escape(reason["newcomers"]), long_time=escape(reason["long_time"])
                )
            )
        elif code == "common_language":
            sentences.append(
                _("Both speak {languages}.").format(
                    languages=names_list(reason["languages"], escape)
                )
            )
    return sentences


def _service_effect(entry: Mapping[Any, Any], escape: Escape) -> str:
    values = {
        "service": service_phrase(entry["domain"]),
        "community": escape(entry["community"]),
    }
    if entry["severity_before"] >= 2:
        return _(
            "Adding this tie closes the gap: no member offers {service} to {community}."
        ).format(**values)
    providers = names_list(entry.get("providers_before") or [], escape)
    return _(
        "Adding this tie removes a single point of failure: only {provider} offered {service} "
        "to {community}."
    ).format(provider=providers, **values)


def _language_effect(
    entry: Mapping[Any, Any], escape: Escape, disclosure: privacy.Disclosure
) -> str:
    values = {
        "neighborhood": escape(entry["neighborhood"]),
        "language": escape(entry["language"]),
    }
    speakers = entry.get("speakers")
    if speakers is None or (not privacy.is_hidden(speakers) and not speakers):
        return _(
            "Adding this tie closes the language gap: no member reaching {neighborhood} offers "
            "{language}."
        ).format(**values)
    return _(
        "Adding this tie closes the language gap: in {neighborhood}, residents who speak "
        "{language} ({count}) had no member offering it."
    ).format(count=privacy.format_count(speakers, disclosure), **values)


def _fragile_effect(entry: Mapping[Any, Any], escape: Escape) -> str:
    name, through = escape(entry["name"]), escape(entry["through"])
    if entry["type"] == "community":
        return _(
            "Adding this tie removes a single point of failure: {community} no longer depend on "
            "{organization} alone."
        ).format(community=name, organization=through)
    if entry["type"] == "neighborhood":
        return _(
            "Adding this tie removes a single point of failure: {neighborhood} is no longer "
            "reached by {organization} alone."
        ).format(neighborhood=name, organization=through)
    return _(
        "Adding this tie removes a single point of failure: if {organization} left, no member "
        "would be cut off from the partnership network any more."
    ).format(organization=name)


def _isolated_effect(entry: Mapping[Any, Any], escape: Escape) -> str:
    if entry["kind"] == "isolated":
        return _("{organization} is no longer isolated: it gains its first partner.").format(
            organization=escape(entry["name"])
        )
    if entry["kind"] == "peripheral":
        return _(
            "{organization} gains a second partner: it no longer hangs on one partnership."
        ).format(organization=escape(entry["name"]))
    first, _sep, second = str(entry["id"]).partition("|")
    return _("The first partnership between {first} and {second} organizations.").format(
        first=escape(first), second=escape(second)
    )


def effect_sentences(
    row: Mapping[Any, Any],
    escape: Escape = md,
    disclosure: privacy.Disclosure | None = None,
) -> list[str]:
    """What adding the tie was measured to change, one sentence per finding closed.

    Parameters
    ----------
    row : mapping
        A row of :attr:`IntroductionReport.pairs`.
    escape : callable
        How data values are written (markdown escaping by default; ``str`` for plain text).
    disclosure : Disclosure, optional
        The audience of the counts (default public); hidden counts arrive as markers.

    Returns
    -------
    list of str

    Examples
    --------
    >>> effect_sentences({"effect": {"service_gaps": [{"community": "Somali residents",
    ...     "domain": "legal", "severity_before": 2}]}, "opens": 0})[0][:54]
    'Adding this tie closes the gap: no member offers legal'
    """
    audience = disclosure or privacy.Disclosure.public()
    effect = row.get("effect") or {}
    sentences = [_service_effect(e, escape) for e in effect.get("service_gaps", [])]
    sentences += [_language_effect(e, escape, audience) for e in effect.get("language_gaps", [])]
    sentences += [_fragile_effect(e, escape) for e in effect.get("fragile_links", [])]
    sentences += [_isolated_effect(e, escape) for e in effect.get("isolated", [])]
    sentences += [
        _(
            "{neighborhood} gets its first partnership between an organization serving newcomers "
            "and one serving long-time residents."
        ).format(neighborhood=escape(e["neighborhood"]))
        for e in effect.get("bridging", [])
    ]
    sentences += [
        _("{neighborhood} is no longer a place of high need with few coalition members.").format(
            neighborhood=escape(e["neighborhood"])
        )
        for e in effect.get("uncovered_need", [])
    ]
    if not sentences:
        sentences.append(
            _(
                "Adding this tie closes none of the gaps found; the reasons still make it worth "
                "a talk."
            )
        )
    opens = int(row.get("opens") or 0)
    if opens:
        sentences.append(
            ngettext(
                "It leaves {count} new, smaller finding to watch on the Gaps page.",
                "It leaves {count} new, smaller findings to watch on the Gaps page.",
                opens,
            ).format(count=fmt_int(opens))
        )
    return sentences


def pair_sentences(
    row: Mapping[Any, Any],
    escape: Escape = md,
    disclosure: privacy.Disclosure | None = None,
) -> dict[str, Any]:
    """A pair's headline, invitation, reasons and effects as sentences.

    Examples
    --------
    >>> sorted(pair_sentences({"pair_kind": "organization_community", "first_name": "A",
    ...     "second_name": "B", "first_id": "a", "second_id": "b", "reasons": []}))
    ['effects', 'headline', 'invitation', 'reasons']
    """
    return {
        "headline": headline(row, escape),
        "invitation": invitation(row, escape),
        "reasons": reason_sentences(row, escape),
        "effects": effect_sentences(row, escape, disclosure),
    }


def readable(
    pairs: pd.DataFrame, disclosure: privacy.Disclosure | None = None, escape: Escape = str
) -> pd.DataFrame:
    """The pairs as a table for people: rank, kind, who, invitation, reasons, effect.

    Cells are plain text (a table cell is not markdown): ``escape`` defaults to :class:`str`.

    Examples
    --------
    >>> from coalition.analysis.introductions import introductions
    >>> readable(introductions(G, limit=1).pairs).columns.tolist()
    ['Rank', 'Kind', 'Introduction', 'Invite', 'Why', 'Measured effect', 'Findings closed']
    """
    columns = [
        pgettext("introductions", "Rank"),
        pgettext("introductions", "Kind"),
        pgettext("introductions", "Introduction"),
        pgettext("introductions", "Invite"),
        pgettext("introductions", "Why"),
        pgettext("introductions", "Measured effect"),
        pgettext("introductions", "Findings closed"),
    ]
    rows = []
    for row in pairs.to_dict("records"):
        said = pair_sentences(row, escape, disclosure)
        rows.append(
            {
                columns[0]: int(row["rank"]),
                columns[1]: pair_kind_words(row["pair_kind"]),
                columns[2]: " ".join(filter(None, [said["headline"], said["invitation"]])),
                columns[3]: labels.YES_NO[bool(row["invite"])],
                columns[4]: " ".join(said["reasons"]),
                columns[5]: " ".join(said["effects"]),
                columns[6]: int(row["closes"]),
            }
        )
    return pd.DataFrame(rows, columns=columns)


__all__ = [
    "CONTEXT",
    "effect_sentences",
    "headline",
    "invitation",
    "names_list",
    "pair_kind_words",
    "pair_sentences",
    "readable",
    "reason_sentences",
    "service_phrase",
]
