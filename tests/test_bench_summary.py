"""The benchmark summary table (benchmarks/summary.py): rows, units and the met column."""

from __future__ import annotations

import json

from benchmarks.summary import main, targets_markdown, write_summary

RECORDS = [
    {"case": "hartford", "seconds": 0.06},  # no target: no row
    {
        "case": "cli-10k-rank",
        "seconds": 2.5,
        "floor_seconds": 1.3,
        "ratio": 1.923,
        "target": "<= 3 s",
        "meets_target": True,
        "load_average": 0.41,
    },
    {
        "case": "synthetic-huge",
        "seconds": 31.0,
        "target": "refresh <= 30 s and <= 4000 MB peak",
        "meets_target_seconds": False,
        "meets_target_rss": True,
    },
    {
        "case": "dashboard-hartford",
        "first_content_median_s": 4.0,
        "seconds": 4.0,
        "floor_seconds": 3.5,
        "ratio": 1.143,
        "target": 1.2,
    },
    {"case": "dashboard-hartford-network-1500-paint", "seconds": 0.9, "target": 2},
]


def test_one_row_per_record_with_a_target():
    rows = targets_markdown(RECORDS).splitlines()[2:]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == [
        "cli-10k-rank",
        "synthetic-huge",
        "dashboard-hartford",
        "dashboard-hartford-network-1500-paint",
    ]


def test_figures_units_and_met():
    table = targets_markdown(RECORDS)
    assert "| cli-10k-rank | 2.50 | 1.30 | 1.92 | <= 3 s | yes | 0.41 |" in table
    # Every flag must hold for "yes": the huge case missed its time.
    assert "| synthetic-huge | 31.00 | — | — | refresh <= 30 s and <= 4000 MB peak | no | — |" in (
        table
    )
    # Bare-number targets: the dashboard's first content is a ratio, the network paint seconds.
    assert "| 4.00 | 3.50 | 1.14 | <= 1.2 x floor | yes |" in table
    assert "| 0.90 | — | — | <= 2 s | yes |" in table


def test_written_next_to_the_json(tmp_path, capsys):
    out = write_summary(RECORDS, tmp_path / "latest.md")
    assert "cli-10k-rank" in out.read_text(encoding="utf-8")
    source = tmp_path / "latest.json"
    source.write_text(json.dumps(RECORDS), encoding="utf-8")
    assert main([str(source)]) == 0
    assert "synthetic-huge" in capsys.readouterr().out
