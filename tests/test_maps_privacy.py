"""Maps show resident counts as their audience may see them (issue 9: privacy by construction).

A tiny city built to leak (by hand, from tests/tiny_city.py): Birch has 6 foreign-born residents
(small) and Alder 7 residents who speak English less than very well; the city totals of both
figures are shown elsewhere (overview, coverage), so one more neighborhood must be withheld in
each figure or the small one is a subtraction away. Karen refugees live 3 in Alder, 97 in Dogwood.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from tiny_city import make_tiny_city

from coalition import cli, maps, privacy
from coalition.analysis.coverage import index_counts
from coalition.analysis.graph_index import index_city
from coalition.map_files import neighborhood_measures, write_city_maps
from coalition.model import build_graph
from coalition.privacy import Disclosure
from coalition.store import open_store

PUBLIC = Disclosure(exact=False, threshold=11)
EXACT = Disclosure(exact=True, threshold=11)


@pytest.fixture
def leaky():
    city = make_tiny_city()
    hoods = city.tables["neighborhoods"].copy()
    hoods.loc[hoods["neighborhood_id"] == "birch", "foreign_born"] = 6
    hoods.loc[hoods["neighborhood_id"] == "alder", "limited_english"] = 7
    ties = city.tables["ties"].copy()
    karen = (ties["source_id"] == "karen") & (ties["tie_type"] == "lives_in")
    ties.loc[karen, "residents"] = 97
    ties = pd.concat([ties, ties.loc[karen].assign(target_id="alder", residents=3)])
    return dataclasses.replace(
        city, tables={**city.tables, "neighborhoods": hoods, "ties": ties.reset_index(drop=True)}
    )


def _area_heads(m) -> dict[str, str]:
    layer = next(c for c in m._children.values() if isinstance(c, maps._AreaLayer))
    return dict(zip(layer.ids, layer.tooltips, strict=True))


def test_a_shared_map_hides_small_counts_and_the_cell_that_would_give_them_away(leaky):
    frame = neighborhood_measures(leaky)  # public by default
    m = maps.neighborhood_map(frame, "foreign_born")
    heads = _area_heads(m)
    assert "Foreign-born residents: fewer than 11" in heads["birch"]
    withheld = [n for n, h in heads.items() if privacy.WITHHELD_TEXT in h]
    assert len(withheld) == 1 and withheld != ["birch"]  # the complement, not "fewer than"
    assert not any(re.search(r"residents: 6\b", h) for h in heads.values())
    # The same cells as a public download hides (one protection for every view).
    public = privacy.public_tables(leaky.tables, PUBLIC)["neighborhoods"].set_index(
        "neighborhood_id"
    )
    for nid, head in heads.items():
        assert (privacy.WITHHELD_TEXT in head or "fewer than" in head) == isinstance(
            public.loc[nid, "foreign_born"], str
        )


def test_margins_and_shares_of_hidden_figures_are_withheld(leaky):
    frame = neighborhood_measures(leaky)
    assert frame.loc["birch", "foreign_born_moe"] is None
    assert frame.loc["birch", "share_foreign_born"] == privacy.WITHHELD_TEXT
    heads = _area_heads(maps.neighborhood_map(frame, "share_foreign_born"))
    assert privacy.WITHHELD_TEXT in heads["birch"]
    assert "%" in heads["cedar"] or privacy.WITHHELD_TEXT in heads["cedar"]


def test_legend_classes_come_from_shown_figures_only(leaky):
    frame = neighborhood_measures(leaky)
    items = maps.legend_items(frame, "limited_english")
    assert items[-1] == (maps.HIDDEN_COLOUR, maps.HIDDEN_LABEL)
    assert not any(re.search(r"(^|\D)7(\D|$)", label) for _, label in items)
    # Exact: the 7 is a class boundary again.
    exact = maps.legend_items(
        neighborhood_measures(leaky, disclosure=EXACT), "limited_english", disclosure=EXACT
    )
    assert any(label.startswith("7 ") for _, label in exact)


def test_index_counts_equal_the_city_tables_counts(leaky):
    from_index = index_counts(index_city(leaky)).protect(PUBLIC)
    from_tables = privacy.city_counts(leaky.tables).protect(PUBLIC)
    assert {k: str(v) for k, v in from_index.items()} == {k: str(v) for k, v in from_tables.items()}


def test_map_files_are_public_by_default_and_exact_ones_say_not_for_sharing(leaky, tmp_path):
    public = write_city_maps(leaky, tmp_path / "public")
    text = (tmp_path / "public" / "foreign_born.html").read_text("utf-8")
    assert "fewer than 11" in text and "not for sharing" not in text
    assert not re.search(r"residents: 6\b", text)
    assert len(public) == len(list((tmp_path / "public").glob("*.html")))
    write_city_maps(build_graph(leaky), tmp_path / "exact", disclosure=EXACT)
    exact = (tmp_path / "exact" / "foreign_born.html").read_text("utf-8")
    # The legend is JSON in the page: the dash is written as \u2014.
    assert "Exact counts \\u2014 not for sharing" in exact and re.search(r"residents: 6\b", exact)
    assert "fewer than 11" not in exact


def test_an_unprotected_frame_is_protected_when_drawn(leaky):
    frame = neighborhood_measures(leaky, disclosure=EXACT)  # exact figures in the frame
    heads = _area_heads(maps.neighborhood_map(frame, "foreign_born"))  # drawn for the public
    assert "fewer than 11" in heads["birch"]
    heads = _area_heads(maps.neighborhood_map(frame, "foreign_born", disclosure=EXACT))
    assert re.search(r"residents: 6\b", heads["birch"])


def test_cli_maps_public_by_default_exact_on_request(leaky, tmp_path, capsys):
    db = tmp_path / "c.db"
    open_store(db).replace_city(leaky)
    assert cli.main(["maps", "--db", str(db), "--out", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "below 11 are hidden" in out and privacy.EXACT_LABEL not in out
    assert "fewer than 11" in (tmp_path / "m" / "foreign_born.html").read_text("utf-8")
    assert cli.main(["maps", "--db", str(db), "--out", str(tmp_path / "x"), "--exact"]) == 0
    assert privacy.EXACT_LABEL in capsys.readouterr().out
    assert "not for sharing" in (tmp_path / "x" / "foreign_born.html").read_text("utf-8")


# --- the leaky city (tests/fixtures/leaky_city/README.md): secrets 4-9, every other figure >= 94

LEAKY = Path(__file__).resolve().parent / "fixtures" / "leaky_city"
SMALL = re.compile(r"(?<![\d.,])([1-9]|10)(?![\d.,])")


def test_leaky_city_maps_show_no_secret_in_any_tooltip_or_legend():
    from coalition import ingest

    city = ingest.read_city(LEAKY)
    frame = neighborhood_measures(city)
    for measure in maps.MEASURES:
        if measure in ("score", "gap_count", "committee_status"):
            continue  # not resident counts (a gap count of 2 is no secret)
        heads = _area_heads(maps.neighborhood_map(frame, measure))
        for nid, head in heads.items():
            figure = head.split("</b><br>", 1)[1].split("<br>", 1)[0]
            assert not SMALL.search(figure), (measure, nid, figure)
        for _, label in maps.legend_items(frame, measure):
            assert not SMALL.search(label), (measure, label)
    exact = neighborhood_measures(city, disclosure=EXACT)
    heads = _area_heads(maps.neighborhood_map(exact, "foreign_born", disclosure=EXACT))
    assert "6 ± 4" in heads["dunmore"]  # the test can fail


def test_leaky_city_map_files_hold_no_secret(tmp_path):
    from coalition import ingest

    leak = re.compile(r"residents: [4-9]\b|[0-9] \\u00b1 [45]\b|± [45]\b")
    city = ingest.read_city(LEAKY)
    write_city_maps(city, tmp_path / "public")
    for path in (tmp_path / "public").glob("*.html"):
        assert not leak.search(path.read_text("utf-8")), path
    write_city_maps(city, tmp_path / "exact", disclosure=EXACT)  # the check can fail
    assert leak.search((tmp_path / "exact" / "foreign_born.html").read_text("utf-8"))
