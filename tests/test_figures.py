"""Figures: impossible ones refused where they are, blank ones kept as "no figure", guessed
columns labelled, and explicit coalition membership.

The tiny city (tests/tiny_city.py) as a folder: neighborhoods.csv rows 2-5 are Alder (population
1,000, foreign-born 400), Birch (800, 100), Cedar (600, 300) and Dogwood (500, 200): 2,900
residents. ties.csv row 11 is Latino newcomers living in Alder (200 residents), row 15
Long-time residents in Alder (500). communities.csv row 4 is Long-time residents.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from helpers import read_rows, set_cell, tiny_folder, write_rows

from coalition import cli, ingest, model, network_view
from coalition.analysis import coverage_report, index_graph, rank_candidates
from coalition.errors import ValidationError
from coalition.ingest import add_records
from coalition.maps import neighborhood_map, neighborhood_map_frame

ALDER, BIRCH, CEDAR, DOGWOOD = 0, 1, 2, 3  # data rows of neighborhoods.csv (file rows 2-5)


@pytest.fixture
def folder(tmp_path):
    return tiny_folder(tmp_path / "tiny")


def problems_of(folder, severity="error"):
    return [p for p in ingest.validate_city(folder).problems if p.severity == severity]


def _vis_nodes(page):
    """The vis-network node list written into a network page."""
    match = re.search(r"var nodeList = (\[.*?\]);\n", page, re.DOTALL)
    return json.loads(match.group(1))


def where(problem):
    return problem.file, problem.row, problem.column


# --- 1. impossible figures are refused, with file, row, column and a fix ----------------------


@pytest.mark.parametrize(
    "row, column, value, location, words",
    [
        (
            ALDER,
            "foreign_born",
            "1200",
            ("neighborhoods.csv", 2, "foreign_born"),
            "more than the population (1,000)",
        ),
        (
            BIRCH,
            "limited_english",
            "900",
            ("neighborhoods.csv", 3, "limited_english"),
            "more than the population (800)",
        ),
        (
            CEDAR,
            "foreign_born_moe",
            "-555555555",
            ("neighborhoods.csv", 4, "foreign_born_moe"),
            "cannot be negative",
        ),
        (
            DOGWOOD,
            "population_moe",
            "-1",
            ("neighborhoods.csv", 5, "population_moe"),
            "leave the cell blank",
        ),
    ],
)
def test_impossible_neighborhood_figure_is_refused_where_it_is(
    folder, row, column, value, location, words
):
    set_cell(folder / "neighborhoods.csv", row, column, value)
    [problem] = problems_of(folder)
    assert where(problem) == location
    assert words in problem.message and problem.value
    with pytest.raises(ValidationError):
        ingest.read_city(folder)


def test_margin_without_its_estimate_is_refused(folder):
    set_cell(folder / "neighborhoods.csv", DOGWOOD, "limited_english", "")
    [problem] = problems_of(folder)
    assert where(problem) == ("neighborhoods.csv", 5, "limited_english_moe")
    assert "'limited_english' is blank" in problem.message
    assert "fill in the estimate or clear the margin" in problem.message
    # An estimate refused as a cell is one error: it does not cascade into its margin.
    set_cell(folder / "neighborhoods.csv", DOGWOOD, "limited_english", "a hundred")
    [problem] = problems_of(folder)
    assert where(problem) == ("neighborhoods.csv", 5, "limited_english")


def test_margin_larger_than_the_population_is_a_warning_not_an_error(folder):
    set_cell(folder / "neighborhoods.csv", BIRCH, "foreign_born_moe", "900")
    report = ingest.validate_city(folder)
    assert report.ok
    [warning] = report.warnings
    assert where(warning) == ("neighborhoods.csv", 3, "foreign_born_moe")
    assert "larger than the whole population (800)" in warning.message


def test_residents_above_the_neighborhood_population_are_refused(folder):
    set_cell(folder / "ties.csv", 9, "residents", "5000")  # Latino newcomers in Alder
    [problem] = problems_of(folder)
    assert where(problem) == ("ties.csv", 11, "residents")
    assert "more than the population of Alder (1,000" in problem.message


def test_communities_adding_up_past_a_population_is_a_warning(folder):
    set_cell(folder / "ties.csv", 12, "residents", "900")  # Long-time in Alder: 200 + 900
    report = ingest.validate_city(folder)
    assert report.ok
    assert any(
        "add up to 1,100 residents, more than its population (1,000)" in w.message
        for w in report.warnings
    )


def test_community_larger_than_the_whole_city_is_refused(folder):
    set_cell(folder / "communities.csv", 2, "estimated_residents", "5000")
    [problem] = problems_of(folder)
    assert where(problem) == ("communities.csv", 4, "estimated_residents")
    assert "whole city's population (2,900" in problem.message


def test_recorded_rows_pass_the_same_figure_checks(tiny_city):
    tie = {
        "source_id": "karen",
        "target_id": "Birch",
        "tie_type": "lives_in",
        "residents": "5000",
        "source": "working session",
        "source_date": "2026-11",
    }
    with pytest.raises(ValidationError) as caught:
        add_records(tiny_city, "ties", [tie])
    [problem] = caught.value.errors
    assert where(problem) == ("ties.csv", 19, "residents")
    assert "population of Birch (800" in problem.message
    # Within the population it is recorded.
    added = add_records(tiny_city, "ties", [{**tie, "residents": "50"}])
    assert len(added.tables["ties"]) == len(tiny_city.tables["ties"]) + 1


# --- 2. blank figures are "no figure", never 0 ---------------------------------------------------


@pytest.fixture
def birch_without_figures(folder):
    for column in ("population", "population_moe", "foreign_born", "foreign_born_moe"):
        set_cell(folder / "neighborhoods.csv", BIRCH, column, "")
    return folder


def test_blank_required_figures_load_and_stay_blank_in_the_graph(birch_without_figures):
    report = ingest.validate_city(birch_without_figures)
    assert report.ok, [str(p) for p in report.problems]
    G = model.build_graph(report.city)
    assert G.nodes["birch"]["population"] is None
    assert G.nodes["birch"]["foreign_born"] is None
    assert G.nodes["alder"]["population"] == 1000
    # Blank cells are allowed; the column itself is still required (a renamed header is not
    # read as "no figure anywhere").
    rows = read_rows(birch_without_figures / "neighborhoods.csv")
    for row in rows:
        row.pop("foreign_born")
    write_rows(birch_without_figures / "neighborhoods.csv", rows)
    assert any(
        p.column == "foreign_born" and "Missing required column" in p.message
        for p in problems_of(birch_without_figures)
    )


def test_coverage_says_no_figure_instead_of_zero(birch_without_figures):
    G = model.build_graph(ingest.read_city(birch_without_figures))
    report = coverage_report(G, rule="adjacent")  # Alder's committee reaches Birch
    rows = report.neighborhoods.set_index("id")
    assert rows.loc["birch", "covered"]
    assert pd.isna(rows.loc["birch", "foreign_born"]) and pd.isna(rows.loc["birch", "population"])
    assert "no foreign-born figure (no figure, not 0)" in rows.loc["birch", "explanation"]
    assert "0 foreign-born" not in rows.loc["birch", "explanation"]
    summary = report.summary
    # Known figures only: Alder 400 + Cedar 300 + Dogwood 200 (Birch left out, not added as 0).
    assert summary["foreign_born_total"] == 900
    assert summary["no_foreign_born_figure"] == ["Birch"]
    assert summary["no_population_figure"] == ["Birch"]
    assert (
        "No foreign-born figure for Birch: it is left out of these totals" in summary["explanation"]
    )
    birch = report.to_dict()["neighborhoods"][1]
    assert birch["id"] == "birch" and birch["foreign_born"] is None  # JSON null, not 0


def test_no_figure_anywhere_gives_an_unknown_share(folder):
    for row in (ALDER, BIRCH, CEDAR, DOGWOOD):
        set_cell(folder / "neighborhoods.csv", row, "foreign_born", "")
        set_cell(folder / "neighborhoods.csv", row, "foreign_born_moe", "")
    summary = coverage_report(model.build_graph(ingest.read_city(folder))).summary
    assert summary["share_foreign_born_covered"] is None
    assert "no neighborhood has a foreign-born figure" in summary["explanation"]


def test_cli_coverage_prints_no_figure(birch_without_figures, tmp_path, capsys):
    db = str(tmp_path / "store.db")
    assert cli.main(["init", str(birch_without_figures), "--db", db]) == 0
    capsys.readouterr()
    assert cli.main(["coverage", "--db", db]) == 0
    birch = next(
        line[2:] for line in capsys.readouterr().out.splitlines() if line[2:].startswith("Birch")
    )  # the first two characters hold the ◇ mark
    assert birch.split()[2:4] == ["no", "figure"]


def test_rank_need_uses_the_figures_there_are(birch_without_figures):
    G = model.build_graph(ingest.read_city(birch_without_figures))
    table = rank_candidates(G, stability_runs=0).candidates.set_index("neighborhood_id")
    # Candidates Birch, Cedar, Dogwood. Birch's need rests on limited English alone:
    # 50 / 150 (Cedar's, the largest) = 1/3; a blank foreign-born read as 0 would give 1/9.
    assert table.loc["birch", "need"] == pytest.approx(1 / 3)
    assert all("0 foreign-born" not in reason for reason in table.loc["birch", "reasons"])


# --- 3. illustrative per column ------------------------------------------------------------------


def test_illustrative_columns_reach_the_graph_and_the_coverage_row(folder):
    set_cell(
        folder / "neighborhoods.csv",
        BIRCH,
        "illustrative_columns",
        "foreign_born; Foreign Born MOE",
    )
    city = ingest.read_city(folder)
    G = model.build_graph(city)
    birch = G.nodes["birch"]
    assert birch["illustrative"] is False
    assert birch["illustrative_columns"] == ["foreign_born", "foreign_born_moe"]
    assert model.is_illustrative(birch, "foreign_born")
    assert not model.is_illustrative(birch, "population")
    assert model.summary(G)["partly_illustrative_nodes"] == 1
    rows = coverage_report(G).neighborhoods.set_index("id")
    assert rows.loc["birch", "illustrative"] and not rows.loc["alder", "illustrative"]
    assert "Its foreign-born figure is illustrative (made up)." in rows.loc["birch", "explanation"]


def test_illustrative_columns_must_name_columns_of_the_table(folder):
    set_cell(folder / "neighborhoods.csv", BIRCH, "illustrative_columns", "populaton")
    [problem] = problems_of(folder)
    assert where(problem) == ("neighborhoods.csv", 3, "illustrative_columns")
    assert 'Did you mean "population"?' in problem.message


def test_illustrative_columns_on_an_illustrative_row_is_a_warning(folder):
    set_cell(folder / "organizations.csv", 0, "illustrative_columns", "lat;lon")  # lib: yes
    report = ingest.validate_city(folder)
    assert report.ok
    [warning] = report.warnings
    assert where(warning) == ("organizations.csv", 2, "illustrative_columns")


# --- 4. explicit coalition membership -----------------------------------------------------------


def test_member_defaults_to_yes_without_the_column(folder):
    rows = read_rows(folder / "organizations.csv")
    for row in rows:
        row.pop("member")
    write_rows(folder / "organizations.csv", rows)
    G = model.build_graph(ingest.read_city(folder))
    assert all(G.nodes[n]["member"] is True for n in model.nodes_of_kind(G, "organization"))


@pytest.mark.parametrize(
    "cell, expected", [("", True), ("yes", True), ("no", False), ("No", False)]
)
def test_member_cell(folder, cell, expected):
    set_cell(folder / "organizations.csv", 5, "member", cell)  # lonely
    G = model.build_graph(ingest.read_city(folder))
    assert G.nodes["lonely"]["member"] is expected


def test_member_cell_must_be_yes_or_no(folder):
    set_cell(folder / "organizations.csv", 5, "member", "maybe")
    [problem] = problems_of(folder)
    assert where(problem) == ("organizations.csv", 7, "member")
    assert "yes or no" in problem.message


@pytest.fixture
def lonely_invited(tiny_city):
    organizations = tiny_city.tables["organizations"].copy()
    organizations["member"] = organizations["org_id"] != "lonely"
    return model.build_graph(
        model.CityData(
            name=tiny_city.name,
            tables={**tiny_city.tables, "organizations": organizations},
            boundaries=tiny_city.boundaries,
            metric_crs=tiny_city.metric_crs,
        )
    )


def test_summary_counts_members_and_other_organizations(lonely_invited):
    counts = model.summary(lonely_invited)
    assert (counts["organization"], counts["members"], counts["other_organizations"]) == (6, 5, 1)
    assert model.members_phrase(counts) == "5 members, 1 other organization"


def test_members_reaching_a_neighborhood_leave_out_non_members(lonely_invited):
    index = index_graph(lonely_invited)
    # Dogwood: the clinic (member) and the shop (not a member) are located there.
    assert index.orgs_per_neighborhood["dogwood"] == 2
    assert index.members_per_neighborhood["dogwood"] == 1
    assert index.member_names["dogwood"] == ["Dogwood Clinic"]
    assert not index.organizations.loc["lonely", "member"]


def test_network_and_map_show_non_members_as_could_be_invited(lonely_invited):
    page = network_view.network_html(lonely_invited, network_view.layout_positions(lonely_invited))
    assert "Not a member — could be invited" in page
    lonely = next(n for n in _vis_nodes(page) if n["id"] == "lonely")
    assert lonely["color"]["background"] == "#ffffff"  # hollow
    clinic = next(n for n in _vis_nodes(page) if n["id"] == "clinic")
    assert clinic["color"]["background"] != "#ffffff"
    organizations = model.nodes_frame(lonely_invited, "organization")
    drawn = neighborhood_map(
        neighborhood_map_frame(lonely_invited), "foreign_born", organizations=organizations
    )
    html = drawn.get_root().render()
    assert re.search(r"Not a member (—|\\u2014) could be invited", html)  # the legend
    # The organizations are one layer drawn from JSON (its tooltips are name + ending).
    (points,) = [
        e for e in drawn._children.values() if getattr(e, "layer_name", "") == "Organizations"
    ]
    tooltips = [tooltip for _, _, tooltip, _ in points.points]
    assert "Lonely Shop — business (illustrative) (not a member — could be invited)" in tooltips
    assert "(not a member \\u2014 could be invited)" in html


def test_all_members_show_no_invitation_legend(tiny_graph):
    page = network_view.network_html(tiny_graph, network_view.layout_positions(tiny_graph))
    assert "could be invited" not in page
    assert model.members_phrase(model.summary(tiny_graph)) == "6 members"


def test_recorded_organization_can_be_a_non_member(tiny_city):
    row = {
        "org_id": "bakery",
        "name": "Birch Bakery",
        "sector": "business",
        "orientation": "receiving_community",
        "neighborhood": "Birch",
        "member": "no",
        "source": "working session",
        "source_date": "2026-11",
        "illustrative": "no",
    }
    city = add_records(tiny_city, "organizations", [row])
    assert model.build_graph(city).nodes["bakery"]["member"] is False


def test_a_store_made_before_the_new_columns_reads_everyone_as_a_member(tiny_city, tmp_path):
    import sqlite3
    import zlib

    from coalition.store import _tables_from_blob, open_store

    path = tmp_path / "old.db"
    open_store(path).replace_city(tiny_city)
    with sqlite3.connect(path) as conn:  # as a store written before the columns existed
        conn.execute("ALTER TABLE organizations DROP COLUMN member")
        conn.execute("ALTER TABLE organizations DROP COLUMN illustrative_columns")
    G = open_store(path).graph()
    assert model.summary(G)["other_organizations"] == 0
    assert G.nodes["lonely"]["member"] is True and G.nodes["lonely"]["illustrative_columns"] == []
    # A version saved in the history before the columns existed reads back the same way.
    blob = zlib.compress(json.dumps({"organizations": {"org_id": ["a", "b"]}}).encode())
    organizations = _tables_from_blob(blob)["organizations"]
    assert organizations["member"].tolist() == [True, True]


def test_sidebar_and_overview_count_members_and_other_organizations(
    tiny_city, tmp_path, monkeypatch
):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from coalition.store import open_store

    organizations = tiny_city.tables["organizations"].copy()
    organizations["member"] = organizations["org_id"] != "lonely"
    city = model.CityData(
        name=tiny_city.name,
        tables={**tiny_city.tables, "organizations": organizations},
        boundaries=tiny_city.boundaries,
        metric_crs=tiny_city.metric_crs,
    )
    open_store(tmp_path / "t.db").replace_city(city)
    monkeypatch.setenv("COALITION_DB", str(tmp_path / "t.db"))
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120
    )
    at.run()
    captions = [str(c.value) for c in at.sidebar.caption]
    assert "Organizations: 5 members, 1 other organization (could be invited)." in captions
    assert [m.value for m in at.metric if m.label == "Member organizations"] == ["5"]
