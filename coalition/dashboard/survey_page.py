"""Survey page: a coalition member answers the partner survey (and changes its answers).

Two ways in:

- a member's private link (``…/survey?link=TOKEN``, see :mod:`coalition.dashboard.survey_link`):
  no account needed; the visitor answers for that member and round only, and sees no other page;
- an editor (action ``survey``) at a working session picks the open round and the member it
  answers with ("a member picks itself").

The form asks the questions of :mod:`coalition.survey.questions` in their own words: the
partners picked from the roster (never typed), for each its relation (required), how often and
the three value and three trust ratings (optional); the member's own services, languages and
neighborhoods; and up to :data:`~coalition.survey.questions.MAX_OUTSIDE` organizations not yet
in the coalition (invitation candidates, never members). It starts from the member's kept
answers, so coming back shows them. "Save my answers" replaces the member's answers in the round
through :meth:`coalition.store.Store.save_survey_answers`, which checks them against the roster;
its problems are shown on the form. A closed round shows the kept answers read-only.

A member's ratings of named partners are shown to the member itself (its link) and to
administrators; an editor who is not one sees "kept (not shown)" and saving keeps them. The
values are worked out by :mod:`coalition.presenting.survey` (pure); every data string that
goes through markdown is escaped with :func:`coalition.presenting.text.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from coalition import accounts, errors, i18n, schema
from coalition.dashboard import auth, cache, language, survey_link, ui
from coalition.i18n import N_, _
from coalition.presenting import survey as survey_text
from coalition.presenting.text import md
from coalition.store import MemberAnswers
from coalition.survey import questions
from coalition.survey.analysis import roster_of
from coalition.survey.schema import MAX_OUTSIDE_NAME

state = st.session_state
PREFIX = "survey_f|"  # every form widget's key starts with this (dropped when the form changes)
FORM_FOR = "survey_form_for"  # (round, respondent) the form's widgets hold
MESSAGE = "survey_message"  # (kind, text) to show once after a save
PROBLEMS = "survey_problems"  # ((round, respondent), {where: [lines]}) from the last save
SAVED_BY_LINK = N_(
    "Saved. You can come back with the same link and change your answers until the round closes."
)
NO_OPEN_ROUND = N_(
    "No survey round is open. Open one on the **Survey rounds** page, then come back here to "
    "answer with a member."
)


@dataclass(frozen=True)
class Who:
    """Who answers on this screen: a link holder (``link``) or an editor (``account``)."""

    round: str
    respondent: str
    link: str | None
    account: accounts.Account | None
    show_ratings: bool


def _key(*parts: object) -> str:
    return PREFIX + "|".join(str(p) for p in parts)


def _kept(store: Any, who: Who) -> MemberAnswers:
    """The member's kept answers and the round's state, read by its link or as the editor."""
    return store.member_survey_answers(
        who.round, who.respondent, account=who.account, link=who.link
    )


def _reset_form(context: tuple[str, str]) -> None:
    """Forget the widgets of another member's or round's form."""
    if state.get(FORM_FOR) == context:
        return
    for key in [k for k in state if isinstance(k, str) and k.startswith(PREFIX)]:
        del state[key]
    state.pop(PROBLEMS, None)
    state[FORM_FOR] = context


def _service(key: str) -> str:
    """A service key as its words in the language in use (the key itself when unknown)."""
    return _(schema.SERVICES[key]) if key in schema.SERVICES else key


def _values() -> survey_text.FormValues:
    """The form's values, read from the widgets' state (in a callback: before the rerun)."""
    partners = [str(p) for p in state.get(_key("partners"), [])]
    items = {
        partner: {key: state.get(_key(partner, key)) for key in survey_text.ITEMS}
        for partner in partners
    }
    outside = [
        (str(state.get(_key("outside_name", i)) or ""), state.get(_key("outside_relation", i)))
        for i in range(questions.MAX_OUTSIDE)
    ]
    return survey_text.FormValues(
        partners=partners,
        items=items,
        services=[str(s) for s in state.get(_key("services"), [])],
        languages=survey_text.split_languages(state.get(_key("languages"), "")),
        neighborhoods=[str(n) for n in state.get(_key("neighborhoods"), [])],
        outside=outside,
    )


def _save(who: Who, names: dict[str, str]) -> None:
    """The Save button's callback, in the page's language (a callback runs before
    :func:`coalition.dashboard.language.start` sets it for the run)."""
    with i18n.using(state.get(language.KEY)):
        _keep(who, names)


def _keep(who: Who, names: dict[str, str]) -> None:
    """Keep the member's answers, or say what is wrong."""
    store = cache.get_store()
    context = (who.round, who.respondent)
    state.pop(PROBLEMS, None)
    answers = None
    try:
        if who.link is not None and store.survey_link(who.link) != context:
            raise errors.PermissionDenied(_(survey_link.INVALID_MESSAGE))
        answers = survey_text.build_answers(
            who.round,
            who.respondent,
            _values(),
            answered_at=survey_text.now_stamp(),
            kept=_kept(store, who).answers,
        )
        store.save_survey_answers(answers, who.respondent, account=who.account, link=who.link)
    except errors.ValidationError as exc:
        placed = survey_text.place_problems(exc.problems, answers, names) if answers else {}
        state[PROBLEMS] = (context, placed)
        state[MESSAGE] = (
            "error",
            _("Not saved: fix the problems marked below, then save again."),
        )
        return
    except errors.CoalitionError as exc:  # closed round, refused, unknown round
        state[MESSAGE] = ("error", _("Not saved: {problem}").format(problem=md(exc)))
        return
    if who.link is not None:
        state[MESSAGE] = ("success", _(SAVED_BY_LINK))
    else:
        state[MESSAGE] = (
            "success",
            _(
                "Saved the answers of {member}. They can be changed here, or with the member's "
                "link, until the round closes."
            ).format(member=md(names.get(who.respondent, who.respondent))),
        )


def _message() -> None:
    shown = state.pop(MESSAGE, None)
    if shown:
        kind, text = shown
        (st.success if kind == "success" else st.error)(text)


def _problems(where: str, context: tuple[str, str]) -> None:
    kept = state.get(PROBLEMS)
    if not kept or kept[0] != context:
        return
    lines = kept[1].get(where, [])
    if lines:
        st.error("\n".join(f"- {md(line)}" for line in lines))


def _scale_box(
    item: questions.Item, key: str, start: int | None, *, label: str | None = None
) -> None:
    """A selectbox for one item: required items start blank, optional ones offer "no answer"."""
    scale = item.scale
    options: list[int | None] = list(scale.codes)
    if not item.required:
        options = [None, *options]
    if start == survey_text.KEPT:
        options.append(survey_text.KEPT)
    index = options.index(start) if start in options else (None if item.required else 0)
    st.selectbox(
        label or item.shown_short,
        options,
        index=index,
        format_func=lambda code: survey_text.code_label(scale, code),
        placeholder=_("Pick one"),
        help=item.shown_text,
        key=key,
    )


def _partner_block(partner: str, name: str, start: dict[str, int | None], context: Any) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(name)}**")
        _problems(partner, context)
        first, second = st.columns(2)
        with first:
            _scale_box(
                questions.RELATION_ITEM,
                _key(partner, "relation"),
                start.get("relation"),
                label=_("{question} (required)").format(
                    question=questions.RELATION_ITEM.shown_short
                ),
            )
        with second:
            _scale_box(questions.FREQUENCY_ITEM, _key(partner, "frequency"), start.get("frequency"))
        for group in (questions.VALUE_ITEMS, questions.TRUST_ITEMS):
            for column, item in zip(st.columns(len(group)), group, strict=True):
                with column:
                    _scale_box(item, _key(partner, item.key), start.get(item.key))


def _questions_help() -> None:
    with st.expander(_("The questions in full")):
        st.markdown(
            "\n".join(
                f"- **{item.shown_short}**: {item.shown_text}" for item in questions.PARTNER_ITEMS
            )
        )
        st.caption(_(questions.SOURCE))


def _form(who: Who, start: survey_text.FormValues, roster: pd.DataFrame, hoods: Any) -> None:
    context = (who.round, who.respondent)
    names = survey_text.roster_names(roster)
    _problems(survey_text.GENERAL, context)
    st.subheader(_("Your partners in the coalition"))
    picked = st.multiselect(
        _(questions.PARTNERS_QUESTION),
        survey_text.partner_choices(roster, who.respondent, start.partners),
        default=start.partners,
        format_func=lambda org_id: names.get(org_id, org_id),
        placeholder=_("Pick from the members"),
        key=_key("partners"),
    )
    if picked:
        _questions_help()
    for partner in picked:
        _partner_block(partner, names.get(partner, partner), start.items.get(partner, {}), context)

    st.subheader(_("Your organization"))
    _problems(survey_text.PROFILE, context)
    st.multiselect(
        _(questions.SERVICES_QUESTION),
        list(schema.SERVICES),
        default=[s for s in start.services if s in schema.SERVICES],
        format_func=_service,
        key=_key("services"),
    )
    st.text_input(
        _(questions.LANGUAGES_QUESTION), value="; ".join(start.languages), key=_key("languages")
    )
    hood_names = survey_text.neighborhood_names(hoods)
    hood_options = list(hood_names) + [n for n in start.neighborhoods if n not in hood_names]
    st.multiselect(
        _(questions.NEIGHBORHOODS_QUESTION),
        hood_options,
        default=start.neighborhoods,
        format_func=lambda hood: hood_names.get(hood, hood),
        key=_key("neighborhoods"),
    )

    with st.expander(
        _("Organizations not yet in the coalition (optional)"), expanded=bool(start.outside)
    ):
        st.markdown(md(_(questions.OUTSIDE_QUESTION)))
        _problems(survey_text.OUTSIDE, context)
        for i in range(questions.MAX_OUTSIDE):
            name, relation = start.outside[i] if i < len(start.outside) else ("", None)
            left, right = st.columns([3, 2])
            with left:
                st.text_input(
                    _("Organization {number}").format(number=i + 1),
                    value=name,
                    max_chars=MAX_OUTSIDE_NAME,
                    key=_key("outside_name", i),
                )
            with right:
                options: list[int | None] = [None, *questions.RELATION.codes]
                st.selectbox(
                    _(questions.OUTSIDE_RELATION_QUESTION),
                    options,
                    index=options.index(relation) if relation in options else 0,
                    format_func=lambda code: survey_text.code_label(questions.RELATION, code),
                    key=_key("outside_relation", i),
                )
    st.button(
        _("Save my answers"),
        type="primary",
        key="survey_save",
        on_click=_save,
        args=(who, names),
    )


def _read_only(who: Who, start: survey_text.FormValues, roster: pd.DataFrame, hoods: Any) -> None:
    """The kept answers, with nothing to change."""
    names = survey_text.roster_names(roster)
    given = (start.partners, start.services, start.languages, start.neighborhoods, start.outside)
    if not any(given):
        st.markdown(_("No answers were kept for this member in this round."))
        return
    st.subheader(_("Your partners in the coalition"))
    if start.partners:
        st.dataframe(
            survey_text.answers_table(start, names, show_ratings=who.show_ratings),
            hide_index=True,
            width="stretch",
            key="survey_kept_answers",
        )
    else:
        st.markdown(_("No partners named."))
    hood_names = survey_text.neighborhood_names(hoods)
    st.subheader(_("Your organization"))
    lines = [
        (_("Services"), [_service(s) for s in start.services]),
        (_("Languages"), start.languages),
        (_("Neighborhoods"), [hood_names.get(n, n) for n in start.neighborhoods]),
    ]
    st.markdown(
        "\n".join(
            f"- **{what}**: {', '.join(md(v) for v in shown) if shown else _('none given')}"
            for what, shown in lines
        )
    )
    if start.outside:
        st.subheader(_("Organizations not yet in the coalition"))
        st.markdown(
            "\n".join(
                f"- {md(name)} ({md(survey_text.code_label(questions.RELATION, relation))})"
                for name, relation in start.outside
            )
        )


def _who(store: Any, roster: pd.DataFrame) -> Who | None:
    """The link holder, or an editor's choice of round and member (None: nothing to answer)."""
    held = survey_link.holder()
    if held is not None:
        token, round_name, org_id = held
        return Who(round_name, org_id, token, None, True)
    if survey_link.token() is not None:  # a link, but not a valid one
        st.error(_(survey_link.INVALID_MESSAGE))
        survey_link.forget()
    account = auth.require("survey", "answer the survey for a member")
    rounds = store.survey_rounds(account=account)
    open_rounds = [str(r) for r in rounds.loc[rounds["is_open"].astype(bool), "round"]]
    if not open_rounds:
        st.info(_(NO_OPEN_ROUND))
        return None
    names = survey_text.roster_names(roster)
    first, second = st.columns(2)
    with first:
        round_name = st.selectbox(_("Round"), open_rounds, key="survey_round")
    with second:
        respondent = st.selectbox(
            _(questions.RESPONDENT_QUESTION),
            list(names),
            index=None,
            format_func=lambda org_id: names.get(org_id, org_id),
            placeholder=_("Pick the member answering"),
            key="survey_member",
        )
    if round_name is None or respondent is None:
        st.caption(_("Pick the round and the member answering to see its form."))
        return None
    return Who(round_name, respondent, None, account, account.can("survey_ratings"))


def render() -> None:
    """Draw the Survey page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    st.title(_("Survey"))
    store = cache.get_store()
    with ui.problems_shown():
        city = cache.city(cache.snapshot())
        roster = roster_of(city).reset_index(drop=True)
        hoods = city.tables.get("neighborhoods")
        st.markdown(md(_(questions.INTRO)))
        who = _who(store, roster)
        if who is None:
            return
        names = survey_text.roster_names(roster)
        st.markdown(
            _("Answering for **{member}** in round **{round}**.").format(
                member=md(names.get(who.respondent, who.respondent)), round=md(who.round)
            )
        )
        kept = _kept(store, who)
        is_open, closed_at = kept.closed_at is None, kept.closed_at
        start = survey_text.prefill(kept.answers, who.respondent, show_ratings=who.show_ratings)
    _message()
    if not is_open:
        st.info(md(survey_text.closed_sentence(who.round, closed_at)))
        _read_only(who, start, roster, hoods)
        return
    if not ui.editing_allowed():
        st.info(_("This dashboard is read-only at the moment: answers cannot be saved here."))
        _read_only(who, start, roster, hoods)
        return
    _reset_form((who.round, who.respondent))
    _form(who, start, roster, hoods)


if __name__ == "__main__":
    render()
