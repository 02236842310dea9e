"""The "Survey results" page: what a partner-survey round says, in aggregates anyone may see.

For the chosen round (:meth:`coalition.store.Store.survey_rounds`):

- the response rate, in counts only (the list of members who have not answered is on the
  editors' Survey rounds page);
- reciprocity: how many pairs are confirmed by both sides, reported by one side only, or
  reported by one side while the other has not answered, each with what it means;
- the network measures (density, degree centralization, bridging share) under "confirmed by
  both sides" and "any report", with their formulas in words;
- trust and value per member as rated by its partners, and for the network
  (:func:`coalition.survey.analysis.trust_value`, :func:`~coalition.survey.analysis.
  network_trust_value`): a figure resting on fewer than 3 raters is never shown, its note says so;
- invitation candidates: the organizations outside the coalition the members named, with how
  many members named each (names are hostile text: shown as table cells or escaped markdown).

Administrators (action ``survey_ratings``) also get each respondent's ratings of each partner,
in an expander labelled confidential, behind a switch whose first use is written to the audit
log. Editors (action ``edit``, while :func:`coalition.dashboard.ui.editing_allowed`) get
"Profile updates": what members said of themselves (:mod:`coalition.survey.profiles`), one
sentence each, to tick and apply as one new version of the city.

Anyone who may view the dashboard may use the page (action ``view``): commission members see
aggregates. Data comes from :mod:`coalition.dashboard.survey_results_cache`, keyed on the city's
version, the survey's revision and the round.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from coalition import errors
from coalition.accounts import Account
from coalition.dashboard import auth, cache, ui
from coalition.dashboard import survey_results_cache as data
from coalition.dashboard.record_save import editor
from coalition.i18n import N_, _, fmt_number, language, ngettext
from coalition.presenting import survey_results as words
from coalition.presenting.text import md
from coalition.survey import analysis, profiles

logger = logging.getLogger(__name__)

ROUND_KEY = "survey_results_round"
RATINGS_KEY = "survey_results_show_ratings"
APPLY_KEY = "survey_results_apply"
# Session state: (kind, text) to show once after applying; the rounds whose ratings were audited.
MESSAGE = "survey_results_message"
AUDITED = "survey_results_ratings_audited"
PICK_PREFIX = "survey_results_pick_"

PRIVACY_NOTE = N_(
    "Individual ratings of a named partner are seen only by the coalition's administrators; "
    "everyone else sees totals from at least {count} answers."
)
NO_ROUND = N_(
    "No survey round yet. An editor opens one on the Survey rounds page (or with "
    "`coalition survey make --round NAME OUT_DIR`) and sends the members the forms or their "
    "private links; the results appear here as the answers arrive."
)


def _when(value: object) -> str:
    return str(value or "")[:10]


def _round_status(row: pd.Series) -> str:
    opened = _when(row["opened_at"])
    if bool(row["is_open"]):
        return _("Open since {opened}: members can still answer and change their answers.").format(
            opened=opened
        )
    return _("Opened {opened}, closed on {closed}: the answers can no longer change.").format(
        opened=opened, closed=_when(row["closed_at"])
    )


def render() -> None:
    """Draw the Survey results page (anyone who may view the dashboard).

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    account = auth.require("view", "see the survey results")
    st.title(_("Survey results"))
    st.markdown(
        _(
            "What the coalition's members said in a partner-survey round: who answered, which "
            "ties both sides confirm, how the network hangs together, and how members rate "
            "their partners' value and trust."
        )
    )
    st.caption(_(PRIVACY_NOTE).format(count=analysis.MIN_RATERS))
    with ui.problems_shown():
        rounds = cache.get_store().survey_rounds(account=account)
    if rounds.empty:
        st.info(_(NO_ROUND))
        return
    names = [str(n) for n in rounds["round"].tolist()]
    if st.session_state.get(ROUND_KEY) not in names:
        st.session_state.pop(ROUND_KEY, None)
    chosen = st.selectbox(_("Round"), names, key=ROUND_KEY, help=_("The newest round first."))
    row = rounds.loc[rounds["round"] == chosen].iloc[0]
    st.caption(md(_round_status(row)))
    key = data.round_key(chosen)
    try:
        with st.spinner(_("Working out the round's results…")):
            found = data.results(key, language(), account)
    except errors.ValidationError as exc:
        _not_matching(exc)
        return
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    _response(found)
    _reciprocity(found)
    _measures(found)
    _trust_value(found)
    _candidates(found)
    if auth.may("survey_ratings"):
        _ratings(key, account)
    if auth.may("edit") and ui.editing_allowed():
        _profile_updates(key, account)


def _not_matching(exc: errors.ValidationError) -> None:
    """The round's answers no longer fit the roster: say so, and what to do."""
    problems = exc.errors or exc.problems
    lines = [f"- {md(p)}" for p in problems[:10]]
    if len(problems) > 10:
        more = _("… and {count} more").format(count=fmt_number(len(problems) - 10))
        lines.append(f"- {more}")
    st.error(
        _(
            "This round's answers no longer match the coalition's members (a member that "
            "answered or was named has been retired, merged or marked as not a member since). "
            "Make it a member again on the Record page to see the round's results:"
        )
        + "\n\n"
        + "\n".join(lines)
    )


def _response(found: data.RoundResults) -> None:
    st.header(_("Response"))
    summary = found.summary
    st.markdown(md(words.response_sentence(summary)))
    columns = st.columns(3)
    columns[0].metric(_("Members answered"), fmt_number(summary.answered))
    columns[1].metric(_("Members on the roster"), fmt_number(summary.members))
    columns[2].metric(_("Response rate"), f"{summary.rate:.0%}")


def _reciprocity(found: data.RoundResults) -> None:
    st.header(_("Ties confirmed by both sides"))
    st.markdown(
        _(
            "Every pair of members where at least one named the other, by whether the other "
            "named it back:"
        )
    )
    st.markdown("\n".join(f"- {md(s)}" for s in words.reciprocity_sentences(found.reciprocity)))


def _measures(found: data.RoundResults) -> None:
    st.header(_("The partnership network"))
    st.markdown(
        _(
            "Every member is a node; a tie is a pair of members, counted either only when "
            "both sides confirm it or on any report."
        )
    )
    st.dataframe(words.measures_table(found.confirmed, found.any_report))
    st.markdown("\n".join(f"- **{title}**: {md(text)}" for title, text in words.measure_formulas()))


def _trust_value(found: data.RoundResults) -> None:
    st.header(_("Trust and value"))
    st.markdown(md(words.network_trust_sentence(found.network)))
    st.dataframe(words.trust_value_table(found.trust_value), hide_index=True)
    st.caption(
        md(
            _(
                "A member rated by fewer than {count} partners shows “{note}” instead of a "
                "figure: with so few answers a figure would tell who gave which rating."
            ).format(count=analysis.MIN_RATERS, note=words.withheld_note())
        )
    )
    with st.expander(_("How trust and value are worked out")):
        st.markdown(md(words.trust_value_formula()))


def _candidates(found: data.RoundResults) -> None:
    st.header(_("Organizations to invite"))
    table = found.candidates
    st.markdown(md(words.candidates_sentence(table)))
    if not table.empty:
        st.dataframe(table, hide_index=True)


def _ratings(key: data.RoundKey, account: Account | None) -> None:
    with st.expander(
        _("Confidential: each member's ratings of its partners (administrators only)")
    ):
        st.warning(
            _(
                "Confidential. These are individual answers: do not show them on a projector "
                "or share them. Opening them is written to the audit log."
            )
        )
        if not st.toggle(_("Show the individual ratings"), key=RATINGS_KEY):
            return
        store = cache.get_store()
        audited = st.session_state.setdefault(AUDITED, set())
        if key.round not in audited:
            store.audit("survey_ratings", f"read the ratings of round {key.round}", account=account)
            audited.add(key.round)
        with ui.problems_shown():
            rated = analysis.ratings(
                data.answers(key, account), account=account, roster=data.roster(key)
            )
        st.dataframe(words.rating_rows(rated), hide_index=True)


def _profile_updates(key: data.RoundKey, account: Account | None) -> None:
    st.header(_("Profile updates"))
    st.markdown(
        _(
            "What the members said of themselves (services, languages, neighborhoods), as "
            "changes to their rows. Nothing changes until you tick and apply; a question a "
            "member left empty changes nothing."
        )
    )
    message = st.session_state.pop(MESSAGE, None)
    if message:
        kind, text = message
        getattr(st, kind)(md(text))
    with ui.problems_shown(), st.spinner(_("Reading the members' own answers…")):
        changes = data.profile_updates(key, account)
    if not changes:
        st.info(
            _(
                "No profile update to review: every answering member's row already says what "
                "it answered about itself, or it left those questions empty."
            )
        )
        return
    names = profiles.names_of(cache.city(key.snap))
    grouped = profiles.by_member(changes)
    picked: list[str] = []
    for org_id, found in grouped.items():
        (sentence,) = profiles.describe_profile_changes(found, names)
        if st.checkbox(md(sentence), key=PICK_PREFIX + org_id):
            picked.append(org_id)
    label = ngettext("Apply {count} update", "Apply {count} updates", len(picked)).format(
        count=fmt_number(len(picked))
    )
    clicked = st.button(label, key=APPLY_KEY, disabled=not picked, type="primary")
    if clicked and picked:
        _apply(key, [c for org_id in picked for c in grouped[org_id]], account)


def _apply(key: data.RoundKey, changes: list, account: Account | None) -> None:
    acting, who = editor()
    what = f"survey profile updates (round {key.round})"
    try:
        version = cache.get_store().apply(
            changes, what=what, who=who, read_version=key.snap.version, account=acting or account
        )
    except errors.ConflictError:
        st.session_state[MESSAGE] = (
            "warning",
            _(
                "Not applied: someone changed these organizations since the page read them. "
                "The list now shows them as they are: review it and apply again."
            ),
        )
    except errors.CoalitionError as exc:
        st.session_state[MESSAGE] = ("error", _("Not applied: {problem}").format(problem=exc))
    else:
        logger.info("survey results page saved version %d: %s", version, what)
        st.session_state[MESSAGE] = (
            "success",
            _("Applied: survey profile updates (round {round}) (data version {version}).").format(
                round=key.round, version=version
            ),
        )
        for name in [k for k in st.session_state if str(k).startswith(PICK_PREFIX)]:
            del st.session_state[name]
    st.rerun()


if __name__ == "__main__":
    render()
