"""The starter kit for people: sections of plain sentences, markdown for the dashboard, a
printable standalone HTML page.

:func:`kit_sections` turns a :class:`coalition.analysis.starter_kit.StarterKit` into
:class:`KitSection` objects whose ``lines`` are PLAIN text (no markdown, no HTML: the PDF brief
draws them as they are), each written from a translatable template filled after translation.
:func:`kit_markdown` escapes every line for markdown (:func:`coalition.presenting.text.md`) and
:func:`kit_html` every line for HTML (:func:`coalition.escaping.escape_text`): a line is built
from data values, so the whole line is escaped for its context.

Small counts: for an audience that is not exact, the counts (residents of a community here,
speakers of a language here, the neighborhood's figures) are taken through the kit's protected
counts (:meth:`StarterKit.protected`: :func:`coalition.privacy.protect` over the city's counts,
with complementary suppression) and written as ranges or "withheld", as the planner's tables do
for viewers. Illustrative entries start with :data:`coalition.labels.ILLUSTRATIVE_MARK`.

Examples
--------
>>> from coalition.analysis.starter_kit import starter_kit
>>> sections = kit_sections(starter_kit(index, "cedar"))
>>> [s.key for s in sections][:4]
['neighborhood', 'invite', 'languages', 'communities']
>>> sections[1].lines[0]
'◇ Cedar Church: a faith group based in Cedar.'
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from babel.lists import format_list

from coalition import i18n, labels, privacy
from coalition.escaping import escape_text
from coalition.i18n import N_, Translated, _
from coalition.presenting.text import MISSING, fmt_int, md

if TYPE_CHECKING:  # the presenting layer reads the kit; it never runs an analysis
    from coalition.analysis.starter_kit import StarterKit

# At most this many names in one sentence; the rest are counted ("and 3 more").
NAMES_IN_A_LINE = 8

ANCHOR_WORDS = Translated(
    {
        "library": N_("a library"),
        "neighborhood_association": N_("a neighborhood association"),
        "school": N_("a school"),
        "faith": N_("a faith group"),
    }
)
SERVICE_WORDS = Translated(
    {
        "legal": N_("legal and immigration help"),
        "english": N_("English classes"),
        "employment": N_("employment help"),
        "health": N_("health services"),
        "housing": N_("housing help"),
        "education": N_("education programs"),
        "citizenship": N_("citizenship help"),
        "youth": N_("youth programs"),
    }
)
ROLE_TITLES = Translated(
    {
        "anchor": N_("Anchor based here"),
        "member_reaching": N_("Member that reaches it"),
        "bridge": N_("Bridge to the communities here"),
        "navigator": N_("Cultural navigator"),
        "nearby_committee": N_("Nearby committee"),
        "recruit": N_("Organization to recruit"),
    }
)
AREA_TITLES = Translated(
    {
        "positioning": N_("Positioning"),
        "messaging": N_("Messaging"),
        "strategies": N_("Strategies and tactics"),
        "communications": N_("Communications"),
    }
)


@dataclass(frozen=True)
class KitSection:
    """One part of the starter kit, ready to draw.

    Attributes
    ----------
    key : str
        ``neighborhood``, ``invite``, ``languages``, ``communities``, ``gaps`` or
        ``checklist_<area>`` (positioning, messaging, strategies, communications).
    title : str
        The section's title in the language in use.
    lines : list of str
        Plain-text sentences (data values as written: escape them for the place they go).
    sources : list of str
        Where the section's figures come from ("source (date)"), plain text.
    """

    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


# --- small helpers --------------------------------------------------------------------------


def _plain(value: Any) -> str:
    """A data value on one line (line breaks flattened)."""
    return " ".join(str(value if value is not None else "").split())


def _names(values: Any) -> str:
    """Names joined for the language in use ("A, B and C"), the tail counted past the limit."""
    names = [_plain(v) for v in (values or []) if _plain(v)]
    if len(names) > NAMES_IN_A_LINE + 1:
        hidden = len(names) - NAMES_IN_A_LINE
        names = [
            *names[:NAMES_IN_A_LINE],
            _("{count} more").format(count=fmt_int(hidden)),
        ]
    if not names:
        return ""
    return format_list(names, locale=i18n.locale())


def _marked(line: str, illustrative: Any) -> str:
    return f"{labels.ILLUSTRATIVE_MARK} {line}" if bool(illustrative) else line


def _count_text(value: Any, disclosure: privacy.Disclosure) -> str:
    """A count (or a protection marker) as text for the audience, in the language in use."""
    if isinstance(value, privacy.SmallCount):
        return _("fewer than {threshold}").format(threshold=fmt_int(value.threshold))
    if isinstance(value, privacy.Withheld):
        return _("withheld to protect a small count")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return MISSING
    if number != number:
        return MISSING
    if not disclosure.exact and disclosure.is_small(number):
        return _("fewer than {threshold}").format(threshold=fmt_int(disclosure.threshold))
    return fmt_int(number)


class _Counts:
    """The kit's counts as one audience may see them."""

    def __init__(self, kit: StarterKit, disclosure: privacy.Disclosure) -> None:
        self.disclosure = disclosure
        self.protected: Mapping[Hashable, Any] = (
            {} if disclosure.exact else kit.protected(disclosure)
        )

    def text(self, key: Hashable, value: Any) -> str:
        return _count_text(self.protected.get(key, value), self.disclosure)


def _source(source: Any, source_date: Any) -> str:
    text, when = _plain(source), _plain(source_date)
    if not text:
        return ""
    return f"{text} ({when})" if when else text


def _sources(pairs: list[tuple[Any, Any]]) -> list[str]:
    found: list[str] = []
    for source, when in pairs:
        text = _source(source, when)
        if text and text not in found:
            found.append(text)
    return found


# --- the sections -----------------------------------------------------------------------------


def kit_sections(kit: StarterKit, disclosure: privacy.Disclosure | None = None) -> list[KitSection]:
    """The starter kit as sections of plain sentences in the language in use.

    Parameters
    ----------
    kit : StarterKit
        From :func:`coalition.analysis.starter_kit.starter_kit`.
    disclosure : Disclosure, optional
        Who reads it; default :meth:`Disclosure.public` (small counts hidden).

    Returns
    -------
    list of KitSection
        ``neighborhood``, ``invite``, ``languages``, ``communities``, ``gaps``, then one
        ``checklist_<area>`` per area of the toolkit.

    Examples
    --------
    >>> from coalition.analysis.starter_kit import starter_kit
    >>> kit = starter_kit(index, "dogwood")
    >>> kit_sections(kit)[2].lines
    ['◇ Karen: spoken by Karen refugees (residents here: 100).']
    """
    disclosure = disclosure or privacy.Disclosure.public()
    counts = _Counts(kit, disclosure)
    place = _plain(kit.neighborhood_name)
    sections = [
        _neighborhood_section(kit, counts, place),
        _invite_section(kit, place),
        _languages_section(kit, counts, place),
        _communities_section(kit, counts, place),
        _gaps_section(kit, place),
    ]
    sections += _checklist_sections(kit, counts, place)
    return sections


def _neighborhood_section(kit: StarterKit, counts: _Counts, place: str) -> KitSection:
    figures, nid = kit.figures, kit.neighborhood_id
    lines = [
        _marked(
            _(
                "Population {population}; foreign-born residents {foreign_born}; residents "
                "with limited English {limited_english}."
            ).format(
                population=counts.text(("neighborhood", nid, "population"), figures["population"]),
                foreign_born=counts.text(
                    ("neighborhood", nid, "foreign_born"), figures["foreign_born"]
                ),
                limited_english=counts.text(
                    ("neighborhood", nid, "limited_english"), figures["limited_english"]
                ),
            ),
            figures.get("illustrative"),
        )
    ]
    status = str(figures.get("committee_status") or "none")
    sentence = labels.COMMITTEE_STATUS_SENTENCES.get(
        status, labels.COMMITTEE_STATUS_SENTENCES["none"]
    )
    lines.append(_("{neighborhood} {status}.").format(neighborhood=place, status=sentence))
    return KitSection(
        "neighborhood",
        _("{neighborhood} at a glance").format(neighborhood=place),
        lines,
        _sources([(figures.get("source"), figures.get("source_date"))]),
    )


def _invite_line(row: Mapping[Any, Any], place: str) -> str:
    name = _plain(row["name"])
    role = row["role"]
    if role == "anchor":
        anchor = ANCHOR_WORDS.get(str(row["anchor_type"]), _("an anchor"))
        template = (
            _("{name}: {anchor} based in {neighborhood}.")
            if row["member"]
            else _("{name}: {anchor} based in {neighborhood}, not yet a coalition member.")
        )
        return template.format(name=name, anchor=anchor, neighborhood=place)
    if role == "member_reaching":
        return _("{name}: a coalition member that already reaches {neighborhood}.").format(
            name=name, neighborhood=place
        )
    if role == "bridge":
        return _("{name}: reaches {communities}, who live in {neighborhood}.").format(
            name=name, communities=_names(row["communities"]), neighborhood=place
        )
    if role == "navigator":
        return _("{name}: a cultural navigator who speaks {languages}.").format(
            name=name, languages=_names(row["languages"])
        )
    if role == "nearby_committee":
        return _("{name}: active next door in {bordering}, a committee to learn from.").format(
            name=name, bordering=_plain(row["neighborhood"])
        )
    if row["reaches"]:
        return _(
            "{name}: not yet a coalition member, but it reaches {neighborhood}; invite it to join."
        ).format(name=name, neighborhood=place)
    return _(
        "{name}: not yet a coalition member, but it serves {communities}, who live in "
        "{neighborhood}; invite it to join."
    ).format(name=name, communities=_names(row["communities"]), neighborhood=place)


def _invite_section(kit: StarterKit, place: str) -> KitSection:
    rows = kit.invite.to_dict("records")
    lines = [_marked(_invite_line(row, place), row["illustrative"]) for row in rows]
    if not lines:
        lines = [
            _(
                "No organization, navigator or committee matches the invitation rules for "
                "{neighborhood} yet."
            ).format(neighborhood=place)
        ]
    return KitSection("invite", _("Who to invite first"), lines, [])


def _languages_section(kit: StarterKit, counts: _Counts, place: str) -> KitSection:
    lines, pairs = [], []
    for row in kit.languages.to_dict("records"):
        key = ("speakers", kit.neighborhood_id, str(row["language"]).lower())
        values = {
            "language": _plain(row["language"]),
            "communities": _names(row["communities"]),
            "speakers": counts.text(key, row["speakers"]),
            "neighborhood": place,
        }
        line = (
            _("{language}: spoken by {communities} (residents here: {speakers}).")
            if row["offered"]
            else _(
                "{language}: spoken by {communities} (residents here: {speakers}); no member "
                "reaching {neighborhood} offers it yet."
            )
        )
        lines.append(_marked(line.format(**values), row["illustrative"]))
        pairs += [tuple(pair) for pair in row["sources"]]
    if not lines:
        lines = [_("No language other than English is recorded for the communities living here.")]
    return KitSection("languages", _("Languages to prepare outreach in"), lines, _sources(pairs))


def _communities_section(kit: StarterKit, counts: _Counts, place: str) -> KitSection:
    lines, pairs = [], []
    for row in kit.communities.to_dict("records"):
        key = ("lives_in", str(row["community_id"]), kit.neighborhood_id)
        kind = labels.COMMUNITY_KIND_WORDS.get(str(row["community_kind"]), MISSING)
        line = _("{community} ({kind}): residents here {residents}; languages: {languages}.")
        lines.append(
            _marked(
                line.format(
                    community=_plain(row["name"]),
                    kind=kind,
                    residents=counts.text(key, row["residents"]),
                    languages=_names(row["languages"]) or MISSING,
                ),
                row["illustrative"],
            )
        )
        pairs += [tuple(pair) for pair in row["sources"]]
    if not lines:
        lines = [
            _("No community is recorded as living in {neighborhood}.").format(neighborhood=place)
        ]
    return KitSection("communities", _("Communities living here"), lines, _sources(pairs))


def _gaps_section(kit: StarterKit, place: str) -> KitSection:
    lines: list[str] = []
    services: dict[tuple[str, int], list[str]] = {}
    for row in kit.gaps.to_dict("records"):
        gap = row["gap"]
        if gap == "language":
            lines.append(
                _(
                    "No member reaching {neighborhood} offers {language}, spoken by {communities}."
                ).format(
                    neighborhood=place,
                    language=_plain(row["language"]),
                    communities=_names(row["communities"]) or MISSING,
                )
            )
        elif gap == "one_organization":
            lines.append(
                _("Only one member organization reaches {neighborhood}.").format(neighborhood=place)
            )
        elif gap == "uncovered_need":
            lines.append(
                _(
                    "{neighborhood} has more foreign-born residents than most neighborhoods, "
                    "and few members reach it."
                ).format(neighborhood=place)
            )
        elif gap == "service":
            word = SERVICE_WORDS.get(str(row["domain"]), _plain(row["domain"]))
            services.setdefault((_plain(row["community"]), int(row["providers"])), []).append(word)
    for (community, providers), words in services.items():
        template = (
            _("No member offers {services} to {community}.")
            if providers == 0
            else _("Only one member offers {services} to {community}.")
        )
        lines.append(template.format(services=_names(words), community=community))
    if not lines:
        lines = [_("No gap was found in {neighborhood}.").format(neighborhood=place)]
    return KitSection("gaps", _("Gaps a committee here would start to close"), lines, [])


def _checklist_line(
    kit: StarterKit, item: str, facts: Mapping[str, Any], counts: _Counts, place: str
) -> str:
    nid = kit.neighborhood_id
    if item == "host":
        if facts["anchors"]:
            return _("Ask {anchors} to host the first meeting in {neighborhood}.").format(
                anchors=_names(facts["anchors"]), neighborhood=place
            )
        return _(
            "Find a host in {neighborhood}: no library, neighborhood association, school or "
            "faith group based there is recorded yet."
        ).format(neighborhood=place)
    if item == "figures":
        return _(
            "Say why {neighborhood}: {foreign_born} foreign-born residents of {population}."
        ).format(
            neighborhood=place,
            foreign_born=counts.text(("neighborhood", nid, "foreign_born"), facts["foreign_born"]),
            population=counts.text(("neighborhood", nid, "population"), facts["population"]),
        )
    if item == "learn_from":
        if facts["committees"]:
            return _("Meet {committees} to learn how they started.").format(
                committees=_names(facts["committees"])
            )
        return _(
            "No active committee borders {neighborhood}: ask an existing committee to share "
            "how it started."
        ).format(neighborhood=place)
    if item == "communities":
        none = _("none recorded")
        return _(
            "Speak to newcomers ({newcomers}) and long-time residents ({receiving}) together: "
            "everyone belongs here."
        ).format(
            newcomers=_names(facts["newcomers"]) or none,
            receiving=_names(facts["receiving"]) or none,
        )
    if item == "languages":
        if facts["unmet"]:
            return _(
                "Find interpreters for {languages}: no member reaching {neighborhood} offers "
                "them yet."
            ).format(languages=_names(facts["unmet"]), neighborhood=place)
        if facts["languages"]:
            return _("Prepare every message in {languages}, as well as English.").format(
                languages=_names(facts["languages"])
            )
        return _("Prepare every message in plain English.")
    if item == "gaps":
        count = int(facts["gaps"])
        if count:
            if count == 1:
                return _("Start with the gap found here.")
            return _(
                "Pick, among the {count} gaps found here, the one members can start to close first."
            ).format(count=fmt_int(count))
        return _("No gap was found: confirm who already reaches {neighborhood}.").format(
            neighborhood=place
        )
    if item == "navigators":
        if facts["navigators"]:
            return _("Pair newcomers with {navigators}.").format(
                navigators=_names(facts["navigators"])
            )
        return _(
            "Recruit cultural navigators from the communities living in {neighborhood}."
        ).format(neighborhood=place)
    if item == "recruit":
        if facts["organizations"]:
            return _("Invite {organizations} to join the coalition.").format(
                organizations=_names(facts["organizations"])
            )
        return _("No organization outside the coalition is recorded in {neighborhood} yet.").format(
            neighborhood=place
        )
    if item == "channels":
        if facts["organizations"]:
            return _("Announce the first meeting through {organizations}.").format(
                organizations=_names(facts["organizations"])
            )
        if facts["bridges"]:
            return _("Announce the first meeting through {organizations}.").format(
                organizations=_names(facts["bridges"])
            )
        return _(
            "No member reaches {neighborhood} yet: announce the first meeting at the library."
        ).format(neighborhood=place)
    if item == "translate":
        if facts["languages"]:
            return _("Print flyers and sign-in sheets in {languages}, as well as English.").format(
                languages=_names(facts["languages"])
            )
        return _("Print flyers and sign-in sheets in plain English.")
    return MISSING


def _checklist_sections(kit: StarterKit, counts: _Counts, place: str) -> list[KitSection]:
    from coalition.analysis.starter_kit import CHECKLIST_AREAS

    sections = []
    rows = kit.checklist.to_dict("records")
    for area in CHECKLIST_AREAS:
        lines = [
            _checklist_line(kit, row["item"], row["facts"], counts, place)
            for row in rows
            if row["area"] == area
        ]
        sources = (
            _sources([(kit.figures.get("source"), kit.figures.get("source_date"))])
            if area == "positioning"
            else []
        )
        sections.append(KitSection(f"checklist_{area}", AREA_TITLES[area], lines, sources))
    return sections


# --- markdown and HTML ------------------------------------------------------------------------


def kit_title(kit: StarterKit) -> str:
    """The kit's title in the language in use (plain text).

    Examples
    --------
    >>> from coalition.analysis.starter_kit import starter_kit
    >>> kit_title(starter_kit(index, "cedar"))
    'Starter kit for a welcoming committee in Cedar'
    """
    return _("Starter kit for a welcoming committee in {neighborhood}").format(
        neighborhood=_plain(kit.neighborhood_name)
    )


def _footnotes(kit: StarterKit, disclosure: privacy.Disclosure) -> list[str]:
    notes = [
        _("{mark} marks illustrative rows: made up to show how the tool works.").format(
            mark=labels.ILLUSTRATIVE_MARK
        )
    ]
    if disclosure.exact:
        notes.append(_("Exact counts: not for sharing."))
    else:
        notes.append(
            _("Counts under {threshold} are not shown, to protect small groups.").format(
                threshold=fmt_int(disclosure.threshold)
            )
        )
    return notes


def kit_markdown(kit: StarterKit, disclosure: privacy.Disclosure | None = None) -> str:
    """The kit as markdown for the dashboard: every line escaped (data is never markup).

    Examples
    --------
    >>> from coalition.analysis.starter_kit import starter_kit
    >>> print(kit_markdown(starter_kit(index, "birch")).splitlines()[0])
    #### Birch at a glance
    """
    disclosure = disclosure or privacy.Disclosure.public()
    parts: list[str] = []
    for section in kit_sections(kit, disclosure):
        parts.append(f"#### {md(section.title)}")
        parts.append("\n".join(f"- {md(line)}" for line in section.lines))
        if section.sources:
            parts.append(_("Sources: {sources}").format(sources=md("; ".join(section.sources))))
    parts.append("\n\n".join(md(note) for note in _footnotes(kit, disclosure)))
    return "\n\n".join(parts)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", Arial, sans-serif;
  color: #111; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #999; margin-top: 1.4rem; }
ul { padding-left: 1.2rem; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li::before { content: "\\2610\\00a0"; font-size: 1.1em; }
.sources, .notes, .date { color: #444; font-size: 0.85rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: avoid-page; }
  a { color: inherit; text-decoration: none; }
}
"""


def kit_html(
    kit: StarterKit,
    disclosure: privacy.Disclosure | None = None,
    lang: str | None = None,
) -> str:
    """The kit as one printable standalone HTML page (nothing loaded from anywhere).

    Parameters
    ----------
    kit : StarterKit
    disclosure : Disclosure, optional
        Who reads it; default public (small counts hidden).
    lang : str, optional
        ``"en"`` or ``"es"``; default the language in use.

    Returns
    -------
    str
        A complete HTML document: inline CSS (with ``@media print``), every line escaped, no
        script, font, image or link to another address.

    Examples
    --------
    >>> from coalition.analysis.starter_kit import starter_kit
    >>> page = kit_html(starter_kit(index, "cedar"), lang="es")
    >>> page.startswith("<!DOCTYPE html>"), '<html lang="es">' in page, "<script" in page
    (True, True, False)
    """
    disclosure = disclosure or privacy.Disclosure.public()
    code = i18n.supported(lang) or i18n.language()
    with i18n.using(code):
        title = kit_title(kit)
        body: list[str] = [f"<h1>{escape_text(title)}</h1>"]
        body.append(f'<p class="date">{escape_text(i18n.fmt_date(date.today(), "long"))}</p>')
        for section in kit_sections(kit, disclosure):
            css = ' class="checklist"' if section.key.startswith("checklist_") else ""
            items = "\n".join(f"<li>{escape_text(line)}</li>" for line in section.lines)
            block = [
                f'<section id="{html.escape(section.key)}">',
                f"<h2>{escape_text(section.title)}</h2>",
                f"<ul{css}>\n{items}\n</ul>",
            ]
            if section.sources:
                sources = _("Sources: {sources}").format(sources="; ".join(section.sources))
                block.append(f'<p class="sources">{escape_text(sources)}</p>')
            block.append("</section>")
            body.append("\n".join(block))
        notes = "".join(f"<p>{escape_text(note)}</p>" for note in _footnotes(kit, disclosure))
        body.append(f'<footer class="notes">{notes}</footer>')
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(code)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape_text(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
