"""Record page: add a tie or an organization during a working session.

What partners say in the room goes in at once, with its source, and every page shows it on the
next click. Each entry passes the same checks as a data folder
(:func:`coalition.ingest.add_records`) and is saved in one transaction
(:meth:`coalition.store.Store.update`), so two people recording at the same moment both count.
Hidden when ``COALITION_READ_ONLY`` is set.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from coalition import errors, ingest, labels, schema
from coalition.dashboard import cache, ui
from coalition.names import slugify
from coalition.presenting.text import md

# Tie type -> (what the convener reads, the table of its first end, of its second end).
TIE_CHOICES: dict[str, tuple[str, str, str]] = {
    "partnership": ("Two organizations work together", "organizations", "organizations"),
    "serves_community": ("An organization serves a community", "organizations", "communities"),
    "serves_neighborhood": (
        "An organization serves a neighborhood",
        "organizations",
        "neighborhoods",
    ),
    "committee_member": (
        "An organization sits on a welcoming committee",
        "organizations",
        "committees",
    ),
    "mentors": ("A cultural navigator mentors a community", "navigators", "communities"),
    "volunteers_with": (
        "A cultural navigator volunteers with an organization",
        "navigators",
        "organizations",
    ),
    "lives_in": ("A community lives in a neighborhood", "communities", "neighborhoods"),
}


def _provenance(source: str, when: dt.date, example: bool) -> dict[str, str]:
    return {
        "source": source.strip(),
        "source_date": when.isoformat(),
        "illustrative": "yes" if example else "no",
    }


def _save(table: str, row: dict[str, str], what: str) -> None:
    """Check and save one row; say what happened in plain words."""
    store = cache.get_store()
    try:
        version = store.update(
            lambda city: ingest.add_records(city, table, [row]), what=f"Recorded: {what}"
        )
    except errors.ValidationError as exc:
        lines = [f"- {md(p.column + ': ') if p.column else ''}{md(p.message)}" for p in exc.errors]
        st.error("Not saved. Please fix:\n\n" + "\n".join(lines))
        return
    except errors.CoalitionError as exc:
        ui.show_problem(exc)
        return
    st.session_state["record_saved"] = f"Saved: {what} (data version {version})."
    st.rerun()


def _unique_id(name: str, taken: set[str]) -> str:
    base = slugify(name) or "organization"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _tie_form(options: dict) -> None:
    st.header("A new tie")
    tie_type = st.selectbox(
        "What did you learn?",
        list(TIE_CHOICES),
        format_func=lambda t: TIE_CHOICES[t][0],
        key="record_tie_type",
    )
    _, first_table, second_table = TIE_CHOICES[tie_type]
    firsts, seconds = options[first_table], options[second_table]
    if not firsts or not seconds:
        st.info(
            f"This city has no {first_table if not firsts else second_table} yet: add them "
            "to its data folder first."
        )
        return
    with st.form("record_tie", clear_on_submit=False):
        left, right = st.columns(2)
        source_id = left.selectbox(
            labels.ROLE_WORDS[first_table],
            list(firsts),
            format_func=ui.shown_as(firsts),
            key="record_tie_from",
        )
        target_id = right.selectbox(
            labels.ROLE_WORDS[second_table],
            list(seconds),
            format_func=ui.shown_as(seconds),
            key="record_tie_to",
        )
        kind = st.text_input(
            "In a few words", placeholder="e.g. joint ESL class since spring", key="record_tie_kind"
        )
        left, right = st.columns(2)
        strength = left.selectbox(
            "How strong",
            list(labels.STRENGTH_LABELS),
            index=1,
            format_func=ui.shown_as(labels.STRENGTH_LABELS),
            key="record_tie_strength",
        )
        since = right.text_input(
            "Since (YYYY, YYYY-MM or YYYY-MM-DD, optional)", key="record_tie_since"
        )
        residents = None
        if tie_type == "lives_in":
            residents = st.number_input(
                "Residents of the community there (estimate)",
                min_value=0,
                step=10,
                value=None,
                key="record_tie_residents",
            )
        source, when, example = _provenance_fields("record_tie")
        submitted = st.form_submit_button("Save the tie", type="primary")
    if submitted:
        row = {
            "source_id": source_id,
            "target_id": target_id,
            "tie_type": tie_type,
            "kind": kind,
            "strength": str(strength),
            "since": since,
            "residents": "" if residents is None else str(int(residents)),
            **_provenance(source, when, example),
        }
        _save(
            "ties",
            row,
            f"{firsts[source_id]} — {TIE_CHOICES[tie_type][0].lower()} — {seconds[target_id]}",
        )


def _organization_form(options: dict) -> None:
    st.header("A new organization")
    neighborhoods = options["neighborhoods"]
    with st.form("record_organization", clear_on_submit=False):
        name = st.text_input("Name", key="record_org_name")
        left, right = st.columns(2)
        sector = left.selectbox(
            "Sector",
            options["sectors"] + ["other"],
            key="record_org_sector",
            accept_new_options=True,
        )
        orientation = right.radio(
            "Who it mainly serves",
            list(labels.ORIENTATION_LABELS),
            format_func=ui.shown_as(labels.ORIENTATION_LABELS),
            horizontal=True,
            key="record_org_orientation",
        )
        services = st.multiselect(
            "Kinds of help it offers",
            list(schema.SERVICES),
            format_func=lambda s: schema.SERVICES[s].capitalize(),
            key="record_org_services",
        )
        languages = st.text_input(
            "Languages offered, separated by ;",
            placeholder="English; Spanish",
            key="record_org_languages",
        )
        left, right = st.columns(2)
        neighborhood = left.selectbox(
            "Neighborhood where it is",
            list(neighborhoods),
            index=None,
            format_func=ui.shown_as(neighborhoods),
            placeholder="Outside the city, or not known",
            key="record_org_neighborhood",
        )
        anchor = right.selectbox(
            "Is it a neighborhood anchor?",
            list(labels.ANCHOR_LABELS),
            format_func=ui.shown_as(labels.ANCHOR_LABELS),
            key="record_org_anchor",
        )
        source, when, example = _provenance_fields("record_org")
        submitted = st.form_submit_button("Save the organization", type="primary")
    if submitted:
        if not name.strip():
            st.error("Not saved. Please give the organization's name.")
            return
        row = {
            "org_id": _unique_id(name, set(cache.graph(cache.snapshot()).nodes)),
            "name": name,
            "sector": sector or "",
            "orientation": orientation,
            "services": ";".join(services),
            "languages": languages,
            "anchor_type": anchor,
            "neighborhood": neighborhoods.get(neighborhood, "") if neighborhood else "",
            **_provenance(source, when, example),
        }
        _save("organizations", row, name.strip())


def _provenance_fields(key: str) -> tuple[str, dt.date, bool]:
    """Where it comes from, when, and whether it is only an example."""
    left, right = st.columns([3, 1])
    source = left.text_input(
        "Source: who said it, or where it is written",
        value=f"Working session, {dt.date.today():%d %B %Y}",
        key=f"{key}_source",
    )
    when = right.date_input("Date", value=dt.date.today(), key=f"{key}_date")
    example = st.checkbox("This is only an example, not a real fact", key=f"{key}_example")
    return source, when, example


def render() -> None:
    """Draw the Record page.

    Examples
    --------
    >>> render()  # doctest: +SKIP
    """
    with ui.problems_shown():
        snap = cache.snapshot()
        options = cache.filter_options(snap)

    st.title("Record")
    st.markdown(
        "Add what partners say in the room: a new tie or a new organization. Each entry "
        "is checked like a data file, saved at once with its source, and shown on every "
        "page from the next click."
    )
    saved = st.session_state.pop("record_saved", None)
    if saved:
        st.success(md(saved))
    st.caption("Never record a private person: cultural navigators appear under an alias only.")
    _tie_form(options)
    _organization_form(options)
    st.caption(
        "To take the recorded data with you, use the downloads on the Data page; to "
        "replace everything with a folder, run `coalition init <folder>`."
    )


if __name__ == "__main__":
    render()
