"""The partner survey's questions: scales, items and their wording.

One place for the wording every channel shows (dashboard, offline HTML form, workbook, XLSForm),
so that an answer means the same thing whichever way it came in.

Source
------
The value and trust items follow the structure of the PARTNER tool's published value and trust
scores (Varda, D. M. & Retrum, J. H., "An exploratory analysis of network characteristics and
quality of interactions among public health collaboratives", *Journal of Public Health Research*
1(2):e27, 2012; the PARTNER Tool, Visible Network Labs / University of Colorado Denver):
value = power and influence, level of involvement, resource contribution; trust = reliability,
support of the shared mission, openness to discussion; each rated 1-4. Only the structure is
taken: the wording below is this project's own.

Examples
--------
>>> RELATION.label(3)
'coordinate activities'
>>> [item.key for item in VALUE_ITEMS]
['value_power', 'value_involvement', 'value_resources']
"""

from __future__ import annotations

from dataclasses import dataclass

from coalition.i18n import N_, _

# Every wording below is English (the importers match it in the files that come back) and
# marked with N_: a page shows it in the language in use with _() (Scale.shown, Item.shown_short,
# Item.shown_text). Answer codes never change with the language.
SOURCE = N_(
    "Value and trust items follow the structure of the PARTNER tool's value and trust scores "
    "(Varda & Retrum, Journal of Public Health Research 1(2):e27, 2012; PARTNER Tool, Visible "
    "Network Labs). The wording is our own."
)


@dataclass(frozen=True)
class Scale:
    """An ordered answer scale: codes 1..n with a label each.

    Attributes
    ----------
    name : str
        A short id (used as the XLSForm choice list name).
    choices : tuple of (int, str)
        ``(code, label)`` pairs in order.

    Examples
    --------
    >>> FREQUENCY.codes
    (1, 2, 3, 4)
    """

    name: str
    choices: tuple[tuple[int, str], ...]

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(code for code, _ in self.choices)

    def label(self, code: int) -> str:
        """The label of a code (KeyError for a code not on the scale)."""
        return dict(self.choices)[int(code)]

    def shown(self, code: int) -> str:
        """The label of a code in the language in use (what a page shows).

        Examples
        --------
        >>> RELATION.shown(2)
        'share information'
        """
        return _(self.label(code))

    def code_of(self, label: str) -> int | None:
        """The code of a label, case and spacing ignored, or None.

        A label is read in English (the forms' language) and in the language in use (what
        the pages and the problems show), so either way means the same code.

        Examples
        --------
        >>> RATING.code_of("  A great DEAL ")
        4
        >>> from coalition.i18n import using
        >>> with using("es"):
        ...     RATING.code_of("Mucho"), RATING.code_of("a great deal")
        (4, 4)
        """
        wanted = " ".join(str(label).split()).lower()
        for code, text in self.choices:
            if wanted in (text.lower(), _(text).lower()):
                return code
        return None


@dataclass(frozen=True)
class Item:
    """One question asked about each partner.

    Attributes
    ----------
    key : str
        The column in :data:`coalition.survey.schema.ANSWER_COLUMNS`.
    short : str
        A short label (a table header, a grid row).
    text : str
        The question as asked.
    scale : Scale
        Its answer scale.
    required : bool
        Whether a partner's answer needs it.
    """

    key: str
    short: str
    text: str
    scale: Scale
    required: bool = False

    @property
    def shown_short(self) -> str:
        """The short label in the language in use.

        Examples
        --------
        >>> FREQUENCY_ITEM.shown_short
        'How often'
        """
        return _(self.short)

    @property
    def shown_text(self) -> str:
        """The question in the language in use."""
        return _(self.text)


RELATION = Scale(
    "relation",
    (
        (1, N_("aware of each other")),
        (2, N_("share information")),
        (3, N_("coordinate activities")),
        (4, N_("integrated programs")),
    ),
)
FREQUENCY = Scale(
    "frequency",
    (
        (1, N_("once a year or less")),
        (2, N_("a few times a year")),
        (3, N_("monthly")),
        (4, N_("weekly or more")),
    ),
)
RATING = Scale(
    "rating",
    (
        (1, N_("not at all")),
        (2, N_("a little")),
        (3, N_("a fair amount")),
        (4, N_("a great deal")),
    ),
)

RELATION_ITEM = Item(
    "relation",
    N_("Working together"),
    N_(
        "How do you work with this organization today? Pick the closest: we know of each other; "
        "we share information; we coordinate activities; we run integrated programs together."
    ),
    RELATION,
    required=True,
)
FREQUENCY_ITEM = Item(
    "frequency",
    N_("How often"),
    N_("How often are you in touch with this organization about the work?"),
    FREQUENCY,
)
VALUE_ITEMS: tuple[Item, ...] = (
    Item(
        "value_power",
        N_("Value: influence"),
        N_(
            "How much does this organization bring the standing and influence to get things done "
            "for newcomers and their neighbors?"
        ),
        RATING,
    ),
    Item(
        "value_involvement",
        N_("Value: involvement"),
        N_("How involved is this organization in the coalition's shared work?"),
        RATING,
    ),
    Item(
        "value_resources",
        N_("Value: resources"),
        N_(
            "How much does this organization contribute resources (people, space, money, "
            "expertise, contacts) to the shared work?"
        ),
        RATING,
    ),
)
TRUST_ITEMS: tuple[Item, ...] = (
    Item(
        "trust_reliability",
        N_("Trust: reliable"),
        N_("How far can you count on this organization to do what it says it will do?"),
        RATING,
    ),
    Item(
        "trust_mission",
        N_("Trust: shared mission"),
        N_("How much does this organization share the coalition's goal of welcoming newcomers?"),
        RATING,
    ),
    Item(
        "trust_openness",
        N_("Trust: open to talk"),
        N_("How open is this organization to frank discussion, including disagreement?"),
        RATING,
    ),
)
# Every item asked about a partner, in the order the forms show them.
PARTNER_ITEMS: tuple[Item, ...] = (RELATION_ITEM, FREQUENCY_ITEM, *VALUE_ITEMS, *TRUST_ITEMS)
RATING_ITEMS: tuple[Item, ...] = (*VALUE_ITEMS, *TRUST_ITEMS)

# --- questions about the respondent itself (its organization row, updated after review) -------
RESPONDENT_QUESTION = N_("Which organization are you answering for?")
PARTNERS_QUESTION = N_(
    "Which coalition members does your organization work with? Pick each one from the list; "
    "leave out those you do not work with."
)
SERVICES_QUESTION = N_("Which services does your organization offer to the coalition's work?")
LANGUAGES_QUESTION = N_(
    "In which languages can your organization serve people? (separate several with ';')"
)
NEIGHBORHOODS_QUESTION = N_("In which neighborhoods does your organization work?")
OUTSIDE_QUESTION = N_(
    "Optional: organizations NOT yet in the coalition that you work with (one per line). "
    "They may be invited; they do not become members by being named here."
)
OUTSIDE_RELATION_QUESTION = N_("How do you work with it?")
INTRO = N_(
    "This survey asks how your organization works with the other members of the coalition. "
    "Individual ratings of a named partner are seen only by the coalition's administrators; "
    "everyone else sees totals from at least 3 answers."
)

# Most outside organizations one respondent may name (a form shows this many rows).
MAX_OUTSIDE = 10
