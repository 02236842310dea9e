"""The "Ties from" switch of the Gaps and Network pages: the recorded ties or a survey round's.

With a partner-survey round in the store, both pages offer its partnerships instead of the ties
table's, either confirmed by both sides or any report
(:func:`coalition.survey.analysis.with_survey_ties`, mode "replace": partnerships between two
members are the round's, those with a non-member stay as recorded). :func:`choose_ties` returns
the snapshot the page then passes to every loader (see the survey section of
:mod:`coalition.dashboard.cache` for how the results are keyed); :func:`explain` says which ties
the page shows, with the round's response, and which members are single points of failure
under one choice and not the other.

The choice is shared by the two pages (session state :data:`SHARED_KEY`): each page's selectbox
has its own key (Streamlit forgets a widget's state on a page that is not shown), is set from
the shared choice before it is drawn and writes it back when changed. The default is the
recorded ties. Round names and organization names are data: every sentence goes through
:func:`coalition.presenting.text.md`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import streamlit as st

from coalition import errors, privacy
from coalition.analysis.graph_index import join_names
from coalition.dashboard import cache
from coalition.i18n import N_, Translated, _, fmt_number, ngettext
from coalition.presenting import gaps as gap_text
from coalition.presenting.text import md

logger = logging.getLogger(__name__)

# Session state: the choice shared by the Gaps and Network pages (a key of tie_options()).
SHARED_KEY = "ties_from"
RECORDED = "recorded"
RECORDED_LABEL = N_("the recorded ties")
MODE_WORDS = Translated({"confirmed": N_("confirmed by both sides"), "any": N_("any report")})
HELP = N_(
    "The recorded ties are the ties table's. A partner survey round's ties are the "
    "partnerships its members reported: 'confirmed by both sides' keeps a pair only when "
    "each named the other; 'any report' keeps every pair one of them named. Partnerships "
    "with organizations that are not members stay as recorded."
)


def tie_options(rounds: Sequence[str]) -> dict[str, str]:
    """The switch's choices, key -> label: the recorded ties, then each round (newest first)
    confirmed and any report.

    Examples
    --------
    >>> list(tie_options(["fall"]).values())  # doctest: +NORMALIZE_WHITESPACE
    ['the recorded ties', 'partner survey round fall — confirmed by both sides',
     'partner survey round fall — any report']
    """
    options = {RECORDED: _(RECORDED_LABEL)}
    for name in rounds:
        for mode, words in MODE_WORDS.items():
            options[f"{mode}:{name}"] = _("partner survey round {round} — {ties}").format(
                round=name, ties=words
            )
    return options


def parse_choice(choice: str) -> tuple[str, str] | None:
    """``(ties, round)`` of a survey choice, None for the recorded ties (or anything else).

    Examples
    --------
    >>> parse_choice("confirmed:2026 spring: pilot"), parse_choice(RECORDED)
    (('confirmed', '2026 spring: pilot'), None)
    """
    mode, _, name = str(choice).partition(":")
    if mode in MODE_WORDS and name:
        return mode, name
    return None


def _share(key: str) -> None:
    """The widget's new choice becomes the pages' shared one (before the page runs again)."""
    st.session_state[SHARED_KEY] = st.session_state[key]


def choose_ties(snap: cache.Snapshot, key: str) -> cache.Snapshot:
    """Draw the "Ties from" switch (when the store has a survey round); the snapshot to use.

    ``snap`` is the recorded ties' snapshot (:func:`coalition.dashboard.cache.snapshot`); the
    result is ``snap`` itself for the recorded ties, else
    :func:`coalition.dashboard.cache.survey_snapshot`. A round that no longer matches the
    city's members (e.g. a respondent has left the coalition) is said in a warning and the
    recorded ties are used.

    Examples
    --------
    >>> view = choose_ties(snap, "gaps_ties")  # doctest: +SKIP
    """
    rounds = cache.survey_round_names(snap.url, cache.survey_revision(snap))
    if not rounds:
        return snap
    options = tie_options(rounds)
    shared = st.session_state.get(SHARED_KEY, RECORDED)
    if shared not in options:
        shared = RECORDED
    if st.session_state.get(key) != shared:
        st.session_state[key] = shared
    picked = st.selectbox(
        _("Ties from"),
        list(options),
        format_func=lambda k: options.get(k, k),
        key=key,
        on_change=_share,
        args=(key,),
        help=_(HELP),
    )
    st.session_state[SHARED_KEY] = picked
    parsed = parse_choice(picked)
    if parsed is None:
        return snap
    ties, name = parsed
    view = cache.survey_snapshot(snap, name, ties)
    try:
        cache.city(view)  # checks the round's answers against the city's members
    except errors.CoalitionError as exc:
        logger.warning("survey round %s not usable on this city: %s", name, exc)
        st.warning(
            _(
                "Partner survey round {round} does not fit the coalition's current members: "
                "{problems}. An organization that has left the coalition cannot be in the "
                "round's analyses (make it a member again to use this round). Showing the "
                "recorded ties."
            ).format(round=md(name), problems=md(problem_words(exc)))
        )
        return snap
    return view


def problem_words(exc: errors.CoalitionError, shown: int = 3) -> str:
    """Why a survey round cannot be analysed, in a few words (plain text): the first problems
    of a :class:`coalition.errors.ValidationError` with their values, else the message.

    Examples
    --------
    >>> problem_words(errors.ValidationError([errors.Problem(
    ...     "answers", "The partner is not on the roster.", row=1, value="clinic")]))
    'The partner is not on the roster (clinic)'
    """
    if isinstance(exc, errors.ValidationError):
        found = exc.errors or exc.problems
        words = [
            str(p.message).rstrip(".") + (f" ({p.value})" if p.value not in (None, "") else "")
            for p in found[:shown]
        ]
        more = len(found) - shown
        if more > 0:
            return _("{problems}; and {count} more").format(
                problems="; ".join(words), count=fmt_number(more)
            )
        return "; ".join(words)
    return str(exc).rstrip(".")


def ties_sentence(
    round_name: str, ties: str, answered: int, members: int, counts: Mapping[str, int]
) -> str:
    """The one line saying which ties a page shows, with the round's response (plain text).

    Examples
    --------
    >>> ties_sentence("spring", "confirmed", 3, 5,
    ...               {"confirmed": 2, "one side": 1, "non-respondent": 4})  # doctest: +ELLIPSIS
    'Ties from partner survey round spring, confirmed by both sides: 2 pairs. 3 of 5 members...'
    """
    confirmed = int(counts.get("confirmed", 0))
    one_side = int(counts.get("one side", 0))
    unanswered = int(counts.get("non-respondent", 0))
    rate = answered / members if members else 0.0
    response = _("{answered} of {count} members answered ({share})").format(
        answered=fmt_number(answered), count=fmt_number(members), share=f"{rate:.0%}"
    )
    ties_count = ngettext("{count} tie", "{count} ties", one_side).format(
        count=fmt_number(one_side)
    )
    if ties == "confirmed":
        return _(
            "Ties from partner survey round {round}, confirmed by both sides: {pairs}. "
            "{response}. Missing here: {unanswered} with a member that has not answered (it "
            "cannot confirm them yet) and {one_side} the other side left out."
        ).format(
            round=round_name,
            pairs=_pairs(confirmed),
            response=response,
            unanswered=ngettext("{count} reported tie", "{count} reported ties", unanswered).format(
                count=fmt_number(unanswered)
            ),
            one_side=ties_count,
        )
    total = confirmed + one_side + unanswered
    return _(
        "Ties from partner survey round {round}, any report: {pairs}, {confirmed} confirmed "
        "by both sides. {response}. Not confirmed: {unanswered} with a member that has not "
        "answered and {one_side} the other side left out."
    ).format(
        round=round_name,
        pairs=_pairs(total),
        confirmed=fmt_number(confirmed),
        response=response,
        unanswered=ngettext("{count} tie", "{count} ties", unanswered).format(
            count=fmt_number(unanswered)
        ),
        one_side=ties_count,
    )


def _pairs(count: int) -> str:
    return ngettext("{count} pair", "{count} pairs", count).format(count=fmt_number(count))


def failure_points_sentence(confirmed: Mapping[str, str], any_report: Mapping[str, str]) -> str:
    """Which members are single points of failure under one tie choice and not the other.

    ``confirmed`` and ``any_report`` map the single points of failure's ids to their names
    (plain text; the caller escapes the sentence).

    Examples
    --------
    >>> failure_points_sentence({"legal": "Birch Legal Aid"}, {"church": "Cedar Church"})
    ... # doctest: +NORMALIZE_WHITESPACE
    'Single points of failure depend on this choice: Birch Legal Aid with ties confirmed by
     both sides only, not with any report; Cedar Church with any report, not with confirmed
     ties only.'
    """
    only_confirmed = [name for node, name in confirmed.items() if node not in any_report]
    only_any = [name for node, name in any_report.items() if node not in confirmed]
    if not only_confirmed and not only_any:
        if not confirmed:
            return _(
                "No member is a single point of failure, with confirmed ties only or with "
                "any report."
            )
        return _(
            "The same members are single points of failure with confirmed ties only and "
            "with any report: {names}."
        ).format(names=join_names(list(confirmed.values()), limit=10))
    parts = []
    if only_confirmed:
        parts.append(
            _("{names} with ties confirmed by both sides only, not with any report").format(
                names=join_names(only_confirmed, limit=10)
            )
        )
    if only_any:
        parts.append(
            _("{names} with any report, not with confirmed ties only").format(
                names=join_names(only_any, limit=10)
            )
        )
    return _("Single points of failure depend on this choice: {choices}.").format(
        choices="; ".join(parts)
    )


def _failure_points(view: cache.Snapshot, audience: privacy.Disclosure) -> dict[str, str]:
    """The single points of failure (articulation points) of a snapshot's gaps: id -> name."""
    fragile = cache.gaps(view, audience).fragile_links
    ids = gap_text.fragile_members(fragile)
    if not ids:
        return {}
    names = dict(
        zip(fragile["id"].astype(str).tolist(), fragile["name"].astype(str).tolist(), strict=True)
    )
    return {node: names.get(node, node) for node in ids}


def explain(view: cache.Snapshot, audience: privacy.Disclosure) -> None:
    """Under a survey choice: which ties the page shows (one line, with the round's response)
    and which members are single points of failure under one choice and not the other.
    Nothing for the recorded ties.

    Examples
    --------
    >>> explain(view, auth.disclosure())  # doctest: +SKIP
    """
    choice = view.survey
    if choice is None:
        return
    summary, counts = cache.survey_response(view)
    st.info(md(ties_sentence(choice.round, choice.ties, summary.answered, summary.members, counts)))
    both = {
        ties: _failure_points(
            view if ties == choice.ties else cache.survey_snapshot(view, choice.round, ties),
            audience,
        )
        for ties in MODE_WORDS
    }
    st.markdown(md(failure_points_sentence(both["confirmed"], both["any"])))
