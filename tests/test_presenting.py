"""The streamlit-free presentation layer: labels, privacy, and reports turned into rows and text.

Tiny hand-made frames with answers worked out by hand; the pages that show these are driven in
test_app*.py.
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

from coalition import analysis, labels, privacy, schema
from coalition.presenting import changes, city, gaps, plans, text

EXACT = privacy.Disclosure(exact=True, threshold=11)

HOSTILE = "[click](javascript:alert(1)) ![x](https://e.example/x.png) <b>$x$</b>"


# --- one vocabulary -------------------------------------------------------------------------------


def test_every_key_the_library_uses_has_words():
    assert set(labels.PART_LABELS) == set(analysis.DEFAULT_WEIGHTS) == set(labels.PART_HELP)
    assert len(labels.PART_COLOURS) == len(labels.PART_LABELS)
    assert set(labels.RULE_LABELS) == set(analysis.COVERAGE_RULES)
    assert list(labels.GAP_FAMILIES) == list(analysis.GAP_FAMILIES)
    assert set(labels.FAMILY_COLUMNS) == set(analysis.GAP_FAMILIES)
    assert set(labels.NODE_KIND_LABELS) == set(schema.NODE_KINDS)
    assert set(labels.COMMITTEE_STATUS_WORDS) == set(schema.COMMITTEE_STATUSES)
    assert set(labels.COMMITTEE_STATUS_SENTENCES) == set(schema.COMMITTEE_STATUSES)
    assert set(labels.COMMUNITY_KIND_WORDS) == set(schema.COMMUNITY_KINDS)
    assert set(labels.ORIENTATION_LABELS) == set(schema.ORIENTATIONS)
    assert set(labels.ANCHOR_LABELS) == set(schema.ANCHOR_TYPES)


def test_kind_words_agree_with_the_status_and_community_words():
    for key, word in {**labels.COMMUNITY_KIND_WORDS, **labels.COMMITTEE_STATUS_WORDS}.items():
        assert labels.KIND_WORDS[key] == word


# --- privacy --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        (4, "fewer than 11"),
        (1, "fewer than 11"),
        (0.5, "fewer than 11"),
        (5, "fewer than 11"),
        (10, "fewer than 11"),
        (11, "11"),
        (0, "0"),
        (1234, "1,234"),
        (None, "–"),
        (math.nan, "–"),
        ("many", "–"),
        ([3], "–"),
    ],
)
def test_suppressed_hides_counts_below_eleven_only(value, shown):
    assert privacy.suppressed(value) == shown


@pytest.mark.parametrize(
    "sentence, shown",
    [
        ("Karen (4 residents) live here.", "Karen (fewer than 11 residents) live here."),
        ("Karen (11 residents) live here.", "Karen (11 residents) live here."),
        ("Karen (1 resident) lives here.", "Karen (fewer than 11 residents) lives here."),
        ("Latino (1,234 residents).", "Latino (1,234 residents)."),
        (
            "Nepali (2 speakers) and (3 residents).",
            "Nepali (fewer than 11 speakers) and (fewer than 11 residents).",
        ),
        ("Founded 3 residents ago", "Founded 3 residents ago"),  # not a count in brackets
    ],
)
def test_small_counts_in_sentences_are_hidden(sentence, shown):
    assert privacy.suppress_small_counts(sentence) == shown


def test_suppress_small_counts_takes_any_value():
    assert privacy.suppress_small_counts(None) == "None"
    assert privacy.suppress_small_counts(42) == "42"


# --- text -----------------------------------------------------------------------------------------


def test_md_leaves_no_live_markdown():
    shown = text.md(HOSTILE)
    assert "\\[click\\]\\(javascript\\:alert\\(1\\)\\)" in shown
    assert "\\!\\[x\\]" in shown and "\\<b\\>" in shown and "\\$x\\$" in shown
    assert text.md(None) == "" and text.md("a\n\nb") == "a b"


def test_numbers_that_are_missing_or_not_numbers_show_a_dash():
    assert [text.fmt_int(v) for v in (None, math.nan, "x", 2.5, -1200)] == [
        "–",
        "–",
        "–",
        "2",
        "-1,200",
    ]
    assert [text.fmt_share(v) for v in (None, "x", 0.5, 1)] == ["–", "–", "50%", "100%"]
    assert text.with_moe(math.nan, 3) == "not recorded"
    assert text.with_moe(10, math.nan) == "10"


def test_slug_never_leaves_path_characters():
    assert text.slug("../../etc/passwd") == "etc-passwd"
    assert text.slug("") == "coalition"
    assert len(text.slug("a" * 100)) == 40


# --- gaps -----------------------------------------------------------------------------------------


def _language_gaps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "neighborhood_id": ["alder", "birch", "alder"],
            "neighborhood": ["Alder", "Birch", "Alder"],
            "community_ids": [["karen"], ["latino"], ["latino"]],
            "language": ["Karen", "Spanish", "Spanish"],
            "speakers": [3, 40, 12.0],
            "severity": [1.0, 3.0, 2.0],
            "explanation": [
                "Karen speakers (3 residents) in Alder have no class.",
                "Spanish in Birch.",
                "Spanish in Alder.",
            ],
        }
    )


def test_gap_rows_are_worst_first_and_filter_by_id_name_and_words():
    rows = gaps.index_rows(_language_gaps())
    assert rows.frame["language"].tolist() == ["Spanish", "Spanish", "Karen"]
    assert gaps.matching(rows, neighborhood_id="alder", neighborhood="Alder") == [False, True, True]
    # A row that names the neighborhood without its id still matches (by its exact name).
    by_name = gaps.index_rows(pd.DataFrame({"neighborhood": ["Alder"], "explanation": ["x"]}))
    assert gaps.matching(by_name, neighborhood_id="alder", neighborhood="Alder") == [True]
    assert gaps.matching(rows, community_id="latino", community="Latino") == [True, True, False]
    assert gaps.matching(
        rows,
        neighborhood_id="alder",
        neighborhood="Alder",
        community_id="latino",
        community="Latino",
    ) == [False, True, False]
    assert gaps.matching(rows, text="SPANISH alder") == [False, True, False]
    assert gaps.matching(rows, text="nowhere") == [False, False, False]
    assert gaps.matching(rows) == [True, True, True]


def test_no_gap_rows_when_the_family_is_missing_or_empty():
    assert gaps.index_rows(None).frame.empty
    assert gaps.matching(gaps.index_rows(pd.DataFrame()), text="x") == []


def test_readable_gap_table_hides_ids_and_small_counts():
    table = gaps.readable(gaps.index_rows(_language_gaps()).frame, "language_gaps")
    assert table.columns.tolist() == ["Why it matters", "Neighborhood", "Language", "Speakers here"]
    # no hidden cells given: the audience is public, so a small count shows as a range
    assert table["Speakers here"].tolist() == ["40", "12", "fewer than 11"]
    # sentences are the report's own (composed from protected counts); never edited here
    assert table["Why it matters"].iloc[2] == "Karen speakers (3 residents) in Alder have no class."
    exact = gaps.readable(
        gaps.index_rows(_language_gaps()).frame, "language_gaps", disclosure=EXACT
    )
    assert exact["Speakers here"].tolist() == ["40", "12", "3"]


def test_readable_writes_the_reports_hidden_markers():
    frame = gaps.index_rows(_language_gaps()).frame
    row = frame.iloc[0]
    hidden = {
        ("language_gaps", (str(row["neighborhood_id"]), str(row["language"])), "speakers"): (
            privacy.Withheld()
        )
    }
    table = gaps.readable(frame, "language_gaps", hidden=hidden, disclosure=EXACT)
    assert table["Speakers here"].tolist() == ["withheld to protect a small count", "12", "3"]


def test_readable_without_a_family_shows_every_column_in_words():
    frame = pd.DataFrame(
        {
            "org_id": ["a"],
            "kind": ["peripheral"],
            "effective_size": [1.26],
            "ratio": [math.nan],
            "committee_status": ["forming"],
        }
    )
    assert gaps.readable(frame).to_dict("records") == [
        {
            "Kind": "One partner only",
            "Effective size": 1.3,
            "Ratio": None,
            "Committee status": "Forming",
        }
    ]


def test_top_gap_sentences_take_each_family_in_turn_without_repeats():
    from types import SimpleNamespace

    report = SimpleNamespace(
        fragile_links=pd.DataFrame({"severity": [2.0, 1.0], "explanation": ["F1", "Same"]}),
        service_gaps=pd.DataFrame({"severity": [5.0, 4.0], "explanation": ["Same", "S2"]}),
        language_gaps=pd.DataFrame({"severity": [1.0], "explanation": ["(2 speakers) L1"]}),
        bridging=pd.DataFrame({"kind": ["broker"], "explanation": ["A broker."]}),  # no severity
        isolated=pd.DataFrame({"name": ["x"]}),  # no explanation: skipped
        uncovered_need=pd.DataFrame(),
    )
    assert gaps.top_gap_sentences(report, 6) == [
        "F1",
        "Same",
        "(2 speakers) L1",  # the report's sentence as composed (protected by the analysis)
        "A broker.",
        "S2",
    ]
    assert gaps.top_gap_sentences(report, 2) == ["F1", "Same"]
    assert gaps.top_gap_sentences(report, 0) == []


# --- coverage and plans ---------------------------------------------------------------------------


def _plan(
    name: str, explanation: str = "", method: str = "exact", newly_covered: float | None = 1
) -> analysis.PlanReport:
    pick = analysis.PlanPick(
        neighborhood_id="x",
        name=name,
        foreign_born_if_alone=1,
        covers=[name],
        adds_coverage=True,
        filler=False,
        caveats=[],
        illustrative=False,
        illustrative_rows=[],
    )
    return analysis.PlanReport(
        k=1,
        k_requested=1,
        notes=[],
        rule="own",
        distance_km=None,
        method=method,
        selected=[pick] if name else [],
        newly_covered=newly_covered,
        newly_covered_neighborhoods=[],
        top_k_by_score=[],
        top_k_by_score_newly_covered=None,
        gain_over_top_k=None,
        foreign_born_covered_before=0,
        foreign_born_covered_after=1,
        foreign_born_total=10,
        shortlist_size=1,
        committees_adding_coverage=1,
        fillers=[],
        caveats=[],
        illustrative=False,
        illustrative_rows=[],
        explanation=explanation,
    )


def test_plan_and_candidates_markdown_escape_names():
    candidates = pd.DataFrame(
        {"rank": [1], "name": [HOSTILE], "score": [0.5], "stability": [1.0], "reasons": [[HOSTILE]]}
    )
    for markdown in (
        plans.top_candidate_markdown(candidates, 1)[0],
        plans.reason_lines(candidates, 1)[0],
        plans.plan_markdown(_plan(HOSTILE, HOSTILE, HOSTILE), 1),
    ):
        assert "[click](" not in markdown and "<b>" not in markdown and "$x$" not in markdown


def test_plan_markdown_without_picks_or_figure():
    shown = plans.plan_markdown(_plan("", method="", newly_covered=None), 1)
    assert shown == "**Best set of 1:** none — reaches – more foreign-born residents."


def test_ranking_of_no_candidate_is_an_empty_table():
    empty = pd.DataFrame(columns=["rank", "name", "score", "stability", "reasons"])
    assert plans.ranking_table(empty).empty
    assert plans.score_parts(empty).columns.tolist() == ["neighborhood", "part", "points", "order"]
    assert plans.top_candidate_markdown(empty, 3) == []


def test_committee_counts_without_the_column_are_zero():
    assert plans.committee_counts(pd.DataFrame({"id": ["a"]})) == {"active": 0, "forming": 0}


# --- the city -------------------------------------------------------------------------------------


def test_filter_options_sorts_by_name_and_keeps_unknown_services():
    G = nx.MultiDiGraph()
    G.add_node("lib", kind="organization", name="lib", services=["legal", "made-up"])
    G.add_node("b", kind="neighborhood", name="birch")
    G.add_node("a", kind="neighborhood", name="Alder")
    G.add_node("c", kind="committee", name="C", neighborhood="a", status="forming")
    options = city.filter_options(G)
    assert list(options["neighborhoods"]) == ["a", "b"]  # by name, any case
    assert options["services"] == {"legal": "Legal and immigration help", "made-up": "made-up"}
    assert options["sectors"] == [] and options["organization_count"] == 1
    assert options["kinds"] == ["organization", "neighborhood", "committee"]


def test_a_member_located_in_and_serving_a_neighborhood_is_listed_once():
    G = nx.MultiDiGraph()
    G.add_node("alder", kind="neighborhood", name="Alder")
    G.add_node("lib", kind="organization", name="Lib", illustrative=True)
    G.add_edge("lib", "alder", key="located_in")
    G.add_edge("lib", "alder", key="serves_neighborhood")
    members, communities = city.neighborhood_members(G, "alder")
    assert members[["Organization", "How", labels.ILLUSTRATIVE_MARK]].values.tolist() == [
        ["Lib", "located here, serves it", labels.ILLUSTRATIVE_MARK]
    ]
    assert communities.empty


def test_source_table_skips_tables_without_sources():
    tables = {"ties": pd.DataFrame({"a": [1]}), "organizations": pd.DataFrame()}
    assert city.source_table(tables).empty
    assert city.source_table(tables).columns.tolist() == [
        "Table",
        "Source",
        "Rows",
        city.ILLUSTRATIVE_COLUMN,
        "Dates",
    ]


# --- what changed ---------------------------------------------------------------------------------


def test_change_metrics_colour_fewer_isolated_members_as_good():
    metrics = changes.change_metrics(
        {
            "isolated_organizations": {"label": "Isolated", "before": 3, "after": 1, "delta": -2},
            "members": {"label": "Members", "before": 7, "after": 7, "delta": 0},
            "share_reached": {"label": "Share", "before": None, "after": 0.5, "delta": None},
        }
    )
    assert metrics[0] == {
        "label": "Isolated",
        "value": "1",
        "delta": "-2 (was 3)",
        "delta_color": "inverse",
    }
    assert metrics[1]["delta"] is None and metrics[2]["delta"] is None
    assert metrics[2]["value"] == "50%"


def test_changes_table_finds_words_in_any_column():
    frame = pd.DataFrame(
        {
            "change": ["added", "removed"],
            "table": ["ties", "organizations"],
            "name": ["A – B", "Shop"],
            "explanation": ["A and B work.", "Gone."],
        }
    )
    assert changes.changes_table(frame, "  ORGANIZATIONS   shop ")["Who"].tolist() == ["Shop"]
    assert changes.changes_table(frame, "ties")["Who"].tolist() == ["A – B"]
    assert changes.changes_table(frame, "(")["Who"].tolist() == []  # literal, not a pattern
    assert len(changes.changes_table(frame)) == 2
