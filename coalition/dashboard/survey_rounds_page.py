"""The Survey rounds page: the convener runs a partner-survey round from start to finish.

An editor's page (action ``survey``): open a round, see who has answered and chase the others,
hand out the forms and each member's private link, import what came back, close the round.
Three guards, as on every writing page: the page is registered only for roles that may run a
survey (``main.py``), :func:`render` checks the role again
(:func:`coalition.dashboard.auth.require`), and every store call passes the account
(``account=``), so the library refuses whatever the page asked.

What is shown is worked out by :mod:`coalition.presenting.survey_rounds` (pure); the answers are
read and checked by :mod:`coalition.survey` and kept by the store. The page shows only who
answered, when and how, and how many partners each named: no rating of a named partner (those
are administrators' only, through :func:`coalition.survey.analysis.ratings`). Organization names
are hostile: in markdown only through :func:`coalition.presenting.text.md`, otherwise in tables.

A survey write does not change the data version: what is read here is keyed on
:meth:`coalition.store.Store.survey_revision` too.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import NamedTuple

import pandas as pd
import streamlit as st

from coalition import errors, imports, model
from coalition import store as store_module
from coalition.accounts import Account
from coalition.dashboard import auth, cache, ui
from coalition.i18n import _, fmt_number, language, ngettext
from coalition.presenting import survey_rounds as words
from coalition.presenting.text import md
from coalition.survey import analysis, forms, importers

logger = logging.getLogger(__name__)

ROUND_KEY = "survey_round"
DONE_KEY = "survey_rounds_done"
NEW_LINKS_KEY = "survey_new_links"
CHECKED_KEY = "survey_import_checked"
UPLOAD_FILES = ["json", "xlsx", "csv", "zip"]


class Checked(NamedTuple):
    """An upload read for one round, store version and survey revision (kept across reruns).

    Compared by value, never by class: this module runs afresh on every rerun.
    """

    key: tuple
    result: importers.ImportResult | None
    problems: list[errors.Problem]


def _counter(name: str) -> int:
    return int(st.session_state.get(name, 0))


def _bump(name: str) -> None:
    """A new widget key after an action (empties an uploader, resets a default)."""
    st.session_state[name] = _counter(name) + 1


def _done(message: str) -> None:
    """Say ``message`` (plain text) at the top of the next run, then rerun."""
    st.session_state[DONE_KEY] = message
    st.rerun()


@st.cache_resource(show_spinner=False, max_entries=8)
def _response(
    snap: cache.Snapshot, round_name: str, revision: int, lang: str, _account: Account | None
) -> tuple[analysis.ResponseSummary, pd.DataFrame]:
    """The round's response against the city's roster, per version, survey revision and
    language (the summary holds a sentence).

    The round is read as the account (the page has checked it may run a survey).
    """
    answers = cache.get_store().read_survey_round(round_name, account=_account)
    roster = analysis.roster_of(cache.city(snap))
    return analysis.response_summary(answers, roster), analysis.response(answers, roster)


# --- 1. rounds ------------------------------------------------------------------------------------
def _open_round(store: store_module.Store, account: Account) -> None:
    with st.form("survey_open_round", clear_on_submit=True):
        name = st.text_input(
            _("Name of a new round"),
            placeholder=_("2026 spring"),
            max_chars=80,
            key="survey_new_round",
            help=_("A round is one wave of the survey; compare rounds later (e.g. each spring)."),
        )
        if not st.form_submit_button(_("Open the round")):
            return
    try:
        kept = store.open_survey_round(name, account=account)
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    st.session_state[ROUND_KEY] = kept
    _done(_("Opened round {round}: members can answer it now.").format(round=kept))


def _close_or_reopen(
    store: store_module.Store, round_name: str, is_open: bool, account: Account
) -> None:
    """Close an open round or reopen a closed one, each after a ticked confirmation."""
    if is_open:
        state = _("Round {round} is **open**: members can answer and change answers.")
        confirm_label = _("Yes, close it: members can no longer change their answers")
        action, button, write = "close", _("Close the round"), store.close_survey_round
        done = _("Closed round {round}: members can no longer change their answers.").format(
            round=round_name
        )
    else:
        state = _(
            "Round {round} is **closed**: nobody can answer it or change an answer, and no "
            "answers can be imported into it."
        )
        confirm_label = _("Yes, reopen it: members can answer and change their answers again")
        action, button, write = "reopen", _("Reopen the round"), store.reopen_survey_round
        done = _("Reopened round {round}: members can answer again.").format(round=round_name)
    st.caption(state.format(round=md(round_name)))
    confirm = st.checkbox(confirm_label, key=f"survey_{action}_confirm")
    if st.button(button, key=f"survey_{action}", disabled=not confirm):
        try:
            write(round_name, account=account)
        except errors.CoalitionError as exc:
            ui.show_problem(exc)
            return
        st.session_state.pop(f"survey_{action}_confirm", None)
        _done(done)


def rounds_section(
    store: store_module.Store, rounds: pd.DataFrame, account: Account
) -> tuple[str, bool] | None:
    """The rounds, opening one, choosing one, closing or reopening it; the chosen round."""
    st.header(_("Rounds"))
    if rounds.empty:
        st.info(_("No survey round yet: open the first one."))
    else:
        st.dataframe(
            words.rounds_table(rounds), hide_index=True, width="stretch", key="survey_rounds"
        )
    _open_round(store, account)
    if rounds.empty:
        return None
    names = [str(n) for n in rounds["round"].tolist()]
    if st.session_state.get(ROUND_KEY) not in names:
        st.session_state[ROUND_KEY] = names[0]
    chosen = st.selectbox(_("Round"), names, key=ROUND_KEY, help=_("The newest round comes first."))
    is_open = bool(rounds.loc[rounds["round"] == chosen, "is_open"].iloc[0])
    _close_or_reopen(store, chosen, is_open, account)
    return chosen, is_open


# --- 2. responses ---------------------------------------------------------------------------------
def _chase_download(
    response: pd.DataFrame, round_name: str, account: Account, store: store_module.Store
) -> Callable[[], bytes]:
    """A callable for ``st.download_button``: the not-answered list, audited when taken."""

    def build() -> bytes:
        data = words.not_answered_csv(response)
        try:
            store.audit(
                "survey_download", f"not-answered list of round {round_name}", account=account
            )
        except errors.CoalitionError as exc:  # the download itself must not fail for the log
            logger.warning("could not audit the not-answered list: %s", exc)
        return data

    return build


def responses_section(
    snap: cache.Snapshot, store: store_module.Store, round_name: str, account: Account
) -> None:
    """The response rate, the chase list (not answered first) and its download."""
    st.header(_("Responses"))
    with st.spinner(_("Reading the round's answers…")):
        summary, response = _response(
            snap, round_name, store.survey_revision(), language(), account
        )
    columns = st.columns(3)
    columns[0].metric(_("Members"), fmt_number(summary.members))
    columns[1].metric(_("Answered"), fmt_number(summary.answered))
    columns[2].metric(_("Response rate"), f"{summary.rate:.0%}")
    st.markdown(md(summary.sentence))
    st.dataframe(
        words.response_rows(response), hide_index=True, width="stretch", key="survey_response"
    )
    missing = words.not_answered(response)
    if missing:
        st.download_button(
            ngettext(
                "Download the {count} member to chase (CSV)",
                "Download the {count} members to chase (CSV)",
                len(missing),
            ).format(count=fmt_number(len(missing))),
            data=_chase_download(response, round_name, account, store),
            file_name=words.form_file_name(round_name, "-not-answered.csv"),
            mime="text/csv",
            key="survey_chase_csv",
            on_click="ignore",
        )
        st.caption(
            _("Names only, for the convener's follow-up. The download is written to the audit log.")
        )


# --- 3. forms and links ---------------------------------------------------------------------------
def _form_builder(city: model.CityData, round_name: str, kind: str) -> Callable[[], bytes]:
    """A callable for ``st.download_button``: builds the form only when it is clicked."""

    def build() -> bytes:
        if kind == "html":
            return forms.offline_form(city, round_name).encode("utf-8")
        if kind == "workbook":
            return forms.workbook(city, round_name)
        return forms.xlsform(city, round_name)

    return build


def forms_section(city: model.CityData, round_name: str, is_open: bool) -> None:
    """The round's three forms, with when to use which."""
    st.header(_("Forms"))
    if not is_open:
        st.caption(_("The round is closed: answers on these forms can be imported once reopened."))
    columns = st.columns(len(words.FORMS))
    for column, (kind, label, ending, mime, use) in zip(columns, words.FORMS, strict=True):
        with column:
            st.download_button(
                _(label),
                data=_form_builder(city, round_name, kind),
                file_name=words.form_file_name(round_name, ending),
                mime=mime,
                key=f"survey_form_{kind}",
                on_click="ignore",
                width="stretch",
            )
            st.caption(_(use))


def _detected_base() -> str:
    try:
        url = st.context.url
    except Exception as exc:  # no browser session (a test): the default address
        logger.debug("no page address: %s", exc)
        url = None
    return words.page_base(url, str(st.get_option("server.baseUrlPath") or ""))


def _show_new_links(round_name: str) -> None:
    """The links made by the last click, shown this once (only their fingerprints are kept)."""
    made = st.session_state.pop(NEW_LINKS_KEY, None)
    if not (isinstance(made, tuple) and len(made) == 2 and made[0] == round_name):
        return
    rows = made[1]
    st.success(
        ngettext(
            "{count} private link made. It is shown only now: copy it or download it before "
            "you do anything else on this page, and send the member its own.",
            "{count} private links made. They are shown only now: copy them or download them "
            "before you do anything else on this page, and send each member its own.",
            len(rows),
        ).format(count=fmt_number(len(rows)))
    )
    st.dataframe(rows, hide_index=True, width="stretch", key="survey_new_links_table")
    st.download_button(
        _("Download the links (CSV)"),
        data=words.links_csv(rows),
        file_name=words.form_file_name(round_name, "-links.csv"),
        mime="text/csv",
        key="survey_links_csv",
        on_click="ignore",
    )


def links_section(
    city: model.CityData,
    store: store_module.Store,
    round_name: str,
    is_open: bool,
    account: Account,
) -> None:
    """Per-member private links: make them, show them once, list who has one."""
    st.header(_("Private links"))
    st.markdown(
        _(
            "A private link opens the Survey page for one member and this round, with no "
            "account: the member answers and can come back to change its answers until the "
            "round closes. Making a new link for a member **stops its old one**."
        )
    )
    roster = analysis.roster_of(city)
    links = store.survey_links(round_name, account=account)
    _show_new_links(round_name)
    if is_open:
        names = dict(zip(roster["org_id"].astype(str), roster["name"].astype(str), strict=True))
        chosen = st.multiselect(
            _("Members to make links for"),
            list(names),
            default=words.without_link(roster, links),
            format_func=ui.shown_as(names),
            key=f"survey_link_members_{_counter('survey_links_made')}",
            help=_("At first, the members without a link for this round."),
        )
        typed = st.text_input(
            _("The dashboard's address, as members reach it"),
            value=_detected_base(),
            key="survey_link_base",
            help=_(
                "The links start with it; change it when members reach the dashboard by "
                "another address than yours (e.g. the coalition's server name)."
            ),
        )
        if st.button(_("Make links"), key="survey_make_links", disabled=not chosen):
            try:
                base = words.link_base(typed)
                tokens = store.make_survey_links(round_name, chosen, account=account)
            except errors.CoalitionError as exc:
                ui.show_problem(exc)
                return
            st.session_state[NEW_LINKS_KEY] = (round_name, words.link_rows(tokens, roster, base))
            _bump("survey_links_made")
            st.rerun()
    else:
        st.caption(_("The round is closed: reopen it to make links."))
    if links.empty:
        st.caption(_("No member has a link for this round yet."))
    else:
        st.markdown(
            ngettext(
                "**{count}** member has a link for this round:",
                "**{count}** members have a link for this round:",
                len(links),
            ).format(count=fmt_number(len(links)))
        )
        st.dataframe(
            words.link_holders(links, roster),
            hide_index=True,
            width="stretch",
            key="survey_link_holders",
        )


# --- 4. import ------------------------------------------------------------------------------------
def _read(
    uploads: list, city: model.CityData, round_name: str, snap: cache.Snapshot, revision: int
) -> Checked:
    """The uploads read for the round, once per upload, round, version and revision."""
    files = [(imports.upload_name(u.name), u.getvalue()) for u in uploads]
    digest = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for _, d in files)).hexdigest()
    key = (digest, tuple(n for n, _ in files), round_name, snap, revision)
    kept = st.session_state.get(CHECKED_KEY)
    if isinstance(kept, tuple) and len(kept) == len(Checked._fields) and kept[0] == key:
        return Checked(*kept)
    too_big = words.oversized(((n, len(d)) for n, d in files), imports.MAX_UPLOAD_BYTES)
    if too_big:
        checked = Checked(key, None, too_big)
    else:
        try:
            with st.spinner(_("Reading the answers…")):
                result = importers.import_answers(files, city, round_name)
            checked = Checked(key, result, [])
        except errors.ValidationError as exc:
            checked = Checked(key, None, list(exc.problems))
    st.session_state[CHECKED_KEY] = tuple(checked)
    return checked


def _problems(problems: list[errors.Problem]) -> None:
    shown = [p for p in problems if p.severity == "error"] or problems
    st.error(
        ngettext(
            "{count} problem in the file(s): nothing was imported. Fix it (or ask the member "
            "for a corrected file) and upload again.",
            "{count} problems in the file(s): nothing was imported. Fix them (or ask the "
            "member for a corrected file) and upload again.",
            len(shown),
        ).format(count=fmt_number(len(shown)))
    )
    st.dataframe(
        words.problem_rows(shown), hide_index=True, width="stretch", key="survey_import_problems"
    )


def import_section(
    city: model.CityData,
    snap: cache.Snapshot,
    store: store_module.Store,
    round_name: str,
    is_open: bool,
    account: Account,
) -> None:
    """Upload answers, see every problem or what they add, import them all or nothing."""
    st.header(_("Import answers"))
    if not is_open:
        st.caption(_("The round is closed: reopen it to import answers."))
        return
    limit = max(1, imports.MAX_UPLOAD_BYTES // 2**20)
    uploads = st.file_uploader(
        _(
            "Answers: offline-form files (.json), the workbook (.xlsx), a KoboToolbox or ODK "
            "export (.csv or .zip), a Google Forms .csv or a Microsoft Forms .xlsx"
        ),
        type=UPLOAD_FILES,
        accept_multiple_files=True,
        key=f"survey_upload_{_counter('survey_imports')}",
        max_upload_size=limit,
        help=_(
            "Several files at once (e.g. many members' offline-form files, or a KoboToolbox "
            "export and its repeat-group files). At most {limit} MB each."
        ).format(limit=fmt_number(limit)),
    )
    if not uploads:
        st.info(_("Choose the files to check. Nothing is imported until you press Import."))
        return
    checked = _read(list(uploads), city, round_name, snap, store.survey_revision())
    if checked.result is None:
        _problems(checked.problems)
        return
    result = checked.result
    st.success(
        _("The file(s) passed every check ({channel}).").format(
            channel=words.CHANNEL_NAMES.get(result.channel, "")
        )
    )
    st.dataframe(
        words.preview_rows(result.preview()),
        hide_index=True,
        width="stretch",
        key="survey_import_preview",
    )
    if result.warnings:
        st.warning(
            ngettext(
                "{count} thing done on your behalf (it does not block it):",
                "{count} things done on your behalf (they do not block it):",
                len(result.warnings),
            ).format(count=fmt_number(len(result.warnings)))
        )
        st.dataframe(
            words.problem_rows(result.warnings),
            hide_index=True,
            width="stretch",
            key="survey_import_warnings",
        )
    try:
        plan = store.plan_survey_import(result.answers, account=account)
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    st.markdown(md(words.import_sentence(plan)))
    members = len(plan.new) + len(plan.replaced)
    if not members:
        st.info(_("The file(s) hold nothing newer than what the round keeps: nothing to import."))
        return
    if st.button(words.import_label(members), type="primary", key="survey_import"):
        try:
            done = store.import_survey_answers(result.answers, account=account)
        except errors.CoalitionError as exc:
            ui.show_problem(exc)
            return
        st.session_state.pop(CHECKED_KEY, None)
        _bump("survey_imports")
        _done(_("Imported. {changes}").format(changes=words.import_sentence(done)))


def _section(draw: Callable[..., None], *args: object) -> None:
    """Draw one section; a CoalitionError becomes a message in it, not a stop."""
    try:
        draw(*args)
    except errors.CoalitionError as exc:
        ui.show_problem(exc)


# --- the page -------------------------------------------------------------------------------------
def render() -> None:
    """Draw the Survey rounds page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    account = auth.require("survey", "run partner-survey rounds")
    store = cache.get_store()
    with ui.problems_shown():
        snap = cache.snapshot()
        city = cache.city(snap)
        rounds = store.survey_rounds(account=account)
    st.title(_("Survey rounds"))
    st.markdown(
        _(
            "Run a partner survey on the coalition's roster: open a round, send the forms or "
            "each member's private link, import what comes back, chase who has not answered, "
            "and close the round. Members' ratings of named partners are never shown here."
        )
    )
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(md(done))
    chosen = rounds_section(store, rounds, account)
    if chosen is None:
        return
    round_name, is_open = chosen
    # A problem in one section (e.g. answers naming an organization since removed from the
    # city) is said there; the other sections still work.
    _section(responses_section, snap, store, round_name, account)
    _section(forms_section, city, round_name, is_open)
    _section(links_section, city, store, round_name, is_open, account)
    _section(import_section, city, snap, store, round_name, is_open, account)


if __name__ == "__main__":
    render()
