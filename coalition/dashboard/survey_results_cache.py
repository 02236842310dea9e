"""Cached results of a survey round for the Survey results page.

A round's figures depend on two things the store keeps apart: the city (its roster and the
organization rows a profile update changes; :class:`coalition.dashboard.cache.Snapshot`, whose
version changes on every city write) and the round's answers (kept beside the versions: a
survey write changes :meth:`coalition.store.Store.survey_revision`, never the version). Every
loader here is keyed on a :class:`RoundKey` holding both and the round's name, so a new answer,
a closed round or an edited organization is seen at the next rerun and nothing is served for
another round.

The answers are read as the page's account (``_account``, not part of the key: every account
that reaches the page may read them, :func:`coalition.dashboard.auth.require` ``"view"``, and
the cached object never leaves the server). Individual ratings are not cached here: the page
asks :func:`coalition.survey.analysis.ratings` for them as an administrator on each run.
What holds text for people (:func:`results`) takes the language as part of its key; the
others hold data only. Spinners are said in the language in use by the page
(``show_spinner=False`` here: a decorator's text is fixed at import, in English).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from coalition.accounts import Account
from coalition.dashboard import cache
from coalition.edits import RowChange
from coalition.presenting import survey_results as words
from coalition.survey import analysis, profiles
from coalition.survey.schema import RoundAnswers


@dataclass(frozen=True)
class RoundKey:
    """The store at a version, its survey at a revision, and one round: the key of a result.

    Examples
    --------
    >>> RoundKey(cache.Snapshot("sqlite:////tmp/t.db", 3), 7, "spring").round
    'spring'
    """

    snap: cache.Snapshot
    revision: int
    round: str


def round_key(round_name: str) -> RoundKey:
    """The key of ``round_name`` now (two small queries).

    Examples
    --------
    >>> round_key("spring").snap == cache.snapshot()  # doctest: +SKIP
    True
    """
    return RoundKey(cache.snapshot(), int(cache.get_store().survey_revision()), str(round_name))


@dataclass(frozen=True)
class RoundResults:
    """Everything the page shows of a round to anyone who may view (aggregates only)."""

    summary: analysis.ResponseSummary
    reciprocity: dict[str, int]
    confirmed: analysis.NetworkMeasures
    any_report: analysis.NetworkMeasures
    trust_value: pd.DataFrame
    network: analysis.NetworkTrustValue
    candidates: pd.DataFrame


@st.cache_resource(show_spinner=False, max_entries=8)
def answers(key: RoundKey, _account: Account | None) -> RoundAnswers:
    """The round's answers as kept (read as the page's account)."""
    return cache.get_store().read_survey_round(key.round, account=_account)


def roster(key: RoundKey) -> pd.DataFrame:
    """The round's roster: the city's member organizations now."""
    return analysis.roster_of(cache.city(key.snap))


@st.cache_resource(show_spinner=False, max_entries=8)
def results(key: RoundKey, lang: str, _account: Account | None) -> RoundResults:
    """The round's aggregates (response, reciprocity, measures, trust and value, candidates).

    ``lang`` (:func:`coalition.i18n.language`) is part of the key: the summary's sentence and
    the candidates table's headers and cells are text in the language in use.

    Raises
    ------
    coalition.errors.ValidationError
        The answers name an organization that is no longer a member (retired since).
    """
    found = answers(key, _account)
    members = roster(key)
    return RoundResults(
        summary=analysis.response_summary(found, members),
        reciprocity=analysis.reciprocity_counts(found, members),
        confirmed=analysis.network_measures(found, members, ties="confirmed"),
        any_report=analysis.network_measures(found, members, ties="any"),
        trust_value=analysis.trust_value(found, members),
        network=analysis.network_trust_value(found, members),
        candidates=words.invitation_candidates(
            found.outside, cache.city(key.snap).tables.get("organizations")
        ),
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def profile_updates(key: RoundKey, _account: Account | None) -> list[RowChange]:
    """The changes the round's profile answers would make to the city at ``key.snap``."""
    return profiles.profile_changes(cache.city(key.snap), answers(key, _account))
