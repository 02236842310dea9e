"""The synthetic benchmark city: sizes, provenance, reproducibility, skew, bad sizes."""

import json

import numpy as np
import pytest

from benchmarks import run as bench
from coalition.analysis import refresh
from coalition.analysis.synthetic import SOURCE, make_synthetic_city, make_synthetic_graph
from coalition.errors import AnalysisError
from coalition.model import summary


@pytest.fixture(scope="module")
def city():
    return make_synthetic_city(orgs=300, ties=3_000, areas=49, seed=3)


def test_sizes_are_exact(city):
    assert len(city.tables["organizations"]) == 300
    assert len(city.tables["ties"]) == 3_000
    assert len(city.tables["neighborhoods"]) == 49
    assert len(city.boundaries) == 49
    ties = city.tables["ties"]
    assert set(ties["tie_type"]) <= {
        "partnership",
        "serves_community",
        "serves_neighborhood",
        "lives_in",
        "mentors",
        "volunteers_with",
        "committee_member",
    }


def test_every_row_is_illustrative_and_sourced(city):
    for name, table in city.tables.items():
        assert table["illustrative"].all(), name
        assert (table["source"] == SOURCE).all(), name


def test_partnerships_are_distinct_and_skewed(city):
    ties = city.tables["ties"]
    partnerships = ties[ties["tie_type"] == "partnership"]
    pairs = {
        tuple(sorted(p))
        for p in zip(partnerships["source_id"], partnerships["target_id"], strict=True)
    }
    assert len(pairs) == len(partnerships)
    assert (partnerships["source_id"] != partnerships["target_id"]).all()
    degree = np.bincount(
        np.unique(
            np.concatenate([partnerships["source_id"], partnerships["target_id"]]),
            return_inverse=True,
        )[1]
    )
    assert degree.max() > 5 * np.median(degree)  # a few hubs, many small members


def test_same_seed_same_city_and_other_seed_differs(city):
    again = make_synthetic_city(orgs=300, ties=3_000, areas=49, seed=3)
    assert again.tables["ties"].equals(city.tables["ties"])
    other = make_synthetic_city(orgs=300, ties=3_000, areas=49, seed=4)
    assert not other.tables["ties"].equals(city.tables["ties"])


def test_graph_builds_and_refresh_runs():
    G = make_synthetic_graph(orgs=200, ties=2_000, areas=36, seed=1)
    counts = summary(G)
    assert counts["organization"] == 200 and counts["neighborhood"] == 36
    results = refresh(G, k=2, rule="adjacent")
    assert results["plan"].k == 2
    json.dumps(results["rank"].to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"orgs": 5}, "orgs must be"),
        ({"areas": 2}, "areas must be"),
        ({"ties": 0}, "ties must be"),
        ({"ties": 50, "areas": 100}, "too few"),
        ({"orgs": 10.5}, "orgs must be"),
    ],
)
def test_bad_sizes(kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        make_synthetic_city(**kwargs)


def test_benchmark_writes_the_documented_records(tmp_path):
    output = tmp_path / "latest.json"
    assert bench.main(["--only", "synthetic-small", "--runs", "1", "--output", str(output)]) == 0
    records = json.loads(output.read_text())
    assert [r["case"] for r in records] == ["synthetic-small"]
    assert {"case", "orgs", "ties", "areas", "seconds", "peak_mb"} <= set(records[0])
    assert (records[0]["orgs"], records[0]["ties"], records[0]["areas"]) == (1000, 10000, 230)
    assert records[0]["seconds"] > 0 and records[0]["peak_mb"] > 0


def test_benchmark_rejects_unknown_case(tmp_path):
    with pytest.raises(SystemExit):
        bench.main(["--only", "atlantis", "--output", str(tmp_path / "x.json")])


def test_huge_case_records_time_memory_floor_and_load():
    # The huge case's record at a small size (make bench runs it at 100,000 organizations).
    record = bench.run_huge_case({"orgs": 200, "ties": 2_000, "areas": 25})
    assert record["case"] == "synthetic-huge"
    assert (record["orgs"], record["ties"], record["areas"]) == (200, 2_000, 25)
    assert record["seconds"] == pytest.approx(
        record["index_seconds"] + record["analysis_seconds"], abs=0.02
    )
    assert record["peak_rss_mb"] > 0 and record["floor_seconds"] >= 0
    assert record["meets_target_rss"] is (record["peak_rss_mb"] <= record["target_rss_mb"])
    assert {"load_average", "ratio", "target"} <= set(record)


def test_skip_huge_leaves_the_huge_case_out(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(bench, "run_huge_case", lambda: ran.append("huge") or {"case": "x"})
    monkeypatch.setattr(bench, "run_case", lambda name, runs: ran.append(name) or None)
    monkeypatch.setattr(bench, "hook_modules", lambda: [])
    assert bench.main(["--skip-huge", "--output", str(tmp_path / "a.json")]) == 0
    assert ran == ["hartford", "synthetic-small", "synthetic-large"]
    ran.clear()
    assert bench.main(["--output", str(tmp_path / "b.json")]) == 0
    assert ran == ["hartford", "synthetic-small", "synthetic-large", "huge"]
