"""`coalition maps`: one self-contained file per measure, measures joined correctly."""

from __future__ import annotations

import re

import pytest

from coalition import cli
from coalition.map_files import MAP_TITLES, neighborhood_measures, write_city_maps
from coalition.store import open_store

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_measures_joined_by_hand(tiny_graph):
    frame = neighborhood_measures(tiny_graph)
    assert frame.loc["alder", "committee_status"] == "active"
    assert frame.loc["cedar", "committee_status"] == "forming"
    assert frame["score"].isna().tolist() == [True, False, False, False]  # Alder is not a candidate
    assert frame["gap_count"].to_dict() == {"alder": 1, "birch": 1, "cedar": 2, "dogwood": 0}
    assert frame.loc["cedar", "share_foreign_born"] == pytest.approx(0.5)


def test_write_city_maps_is_offline_and_complete(tiny_graph, tmp_path):
    paths = write_city_maps(tiny_graph, tmp_path)
    assert [p.name for p in paths] == [f"{m}.html" for m in MAP_TITLES] + ["index.html"]
    for path in paths:
        html = path.read_text(encoding="utf-8")
        assert not EXTERNAL.search(html), path.name
    score = (tmp_path / "score.html").read_text(encoding="utf-8")
    assert "Not a candidate (active committee)" in score
    assert all(name in score for name in ("Alder", "Birch", "Cedar", "Dogwood"))


def test_cli_maps(tmp_path, capsys, tiny_city):
    db = tmp_path / "c.db"
    open_store(db).replace_city(tiny_city)
    assert cli.main(["maps", "--db", str(db), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "index.html").exists()
    assert "Wrote" in capsys.readouterr().out
