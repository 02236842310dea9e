"""Every output a viewer can reach on the leaky city shows no secret and lets none be derived.

tests/fixtures/leaky_city/README.md lists the secrets (small counts) and every way they could
leak. Each non-secret figure of that city is a distinct number that appears once, so the cells a
view shows are found by looking for their numbers in its text; a secret is then derivable iff its
unit vector lies in the row space of the city's sum equations restricted to the cells not shown
(numpy.linalg.matrix_rank).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import solvable

from coalition import cli, privacy
from coalition.analysis import coverage_report, find_gaps, index_graph
from coalition.analysis.coverage import coverage_counts, index_counts
from coalition.ingest import read_city
from coalition.model import build_graph
from coalition.presenting import city as city_text
from coalition.presenting import gaps as gap_text
from coalition.presenting import plans

LEAKY = Path(__file__).resolve().parent / "fixtures" / "leaky_city"
PUBLIC = privacy.Disclosure(exact=False, threshold=11)
# (cell key, value): the small counts of the fixture (README).
SECRETS = {
    ("lives_in", "andean", "ashgrove"): 7,
    ("lives_in", "eritrean", "cliffside"): 9,
    ("community", "eritrean"): 9,
    ("recorded", "eritrean"): 9,
    ("neighborhood", "dunmore", "foreign_born"): 6,
    ("neighborhood", "cliffside", "limited_english"): 8,
}
# Shares that give a secret away beside shown totals (412 / 419, 318 / 324...).
TELLING_SHARES = ("98%", "98.3%")


@pytest.fixture(scope="module")
def city():
    return read_city(LEAKY)


@pytest.fixture(scope="module")
def index(city):
    return index_graph(build_graph(city))


def numbers(text: str) -> set[float]:
    """Every whole number written in a text (thousands separators allowed)."""
    found = set()
    for token in re.findall(r"(?<![\d.])\d[\d,]*(?:\.\d+)?(?![\d])", text):
        try:
            found.add(float(token.replace(",", "")))
        except ValueError:
            continue
    return found


def viewer_outputs(city, index, capsys, tmp_path) -> str:
    """Every text a viewer can reach from the library, the presenting layer and the CLI."""
    parts: list[str] = []
    for rule in ("own", "adjacent", "distance"):
        report = coverage_report(index, rule=rule, disclosure=PUBLIC)
        parts.append(json.dumps(report.to_dict(), default=str))
        parts.append(
            plans.community_coverage_table(
                report.communities, hidden=report.hidden, disclosure=PUBLIC
            ).to_string(index=False)
        )
        parts.append(
            plans.neighborhood_coverage_table(
                report.neighborhoods, hidden=report.hidden, disclosure=PUBLIC
            ).to_string(index=False)
        )
    gaps = find_gaps(index, disclosure=PUBLIC)
    parts.append(json.dumps(gaps.to_dict(), default=str))
    parts.extend(gap_text.top_gap_sentences(gaps, 20))
    for family in ("service_gaps", "language_gaps", "uncovered_need"):
        frame = gap_text.index_rows(getattr(gaps, family)).frame
        parts.append(
            gap_text.readable(frame, family, hidden=gaps.hidden, disclosure=PUBLIC).to_string(
                index=False
            )
        )
    shown = index_counts(index).protect(PUBLIC)
    G = build_graph(city)
    for neighborhood in ("ashgrove", "brookside", "cliffside", "dunmore"):
        _, communities = city_text.neighborhood_members(
            G, neighborhood, protected=shown, disclosure=PUBLIC
        )
        parts.append(communities.to_string(index=False))
    for frame in privacy.public_tables(city.tables, PUBLIC).values():
        parts.append(frame.drop(columns=["source_date"], errors="ignore").to_csv(index=False))
    db = tmp_path / "leaky.db"
    assert cli.main(["init", str(LEAKY), "--db", str(db)]) == 0
    capsys.readouterr()
    for command in (
        ["gaps", "--limit", "50"],
        ["coverage"],
        ["rank", "--runs", "5", "--k", "2"],
        ["gaps", "--json"],
        ["coverage", "--json"],
        ["rank", "--runs", "5", "--k", "2", "--json"],
    ):
        assert cli.main([*command, "--public", "--db", str(db)]) == 0
        out = capsys.readouterr()
        parts.append(out.out)
        assert privacy.EXACT_LABEL not in out.out + out.err
    return "\n".join(parts)


@pytest.fixture(scope="module")
def outputs(city, index, tmp_path_factory):
    class Capture:  # capsys is function-scoped; capture the CLI by hand
        def __init__(self):
            import io
            import sys

            self.sys, self.io = sys, io

        def readouterr(self):
            out, err = self.sys.stdout.getvalue(), self.sys.stderr.getvalue()
            self.sys.stdout.seek(0), self.sys.stdout.truncate()
            self.sys.stderr.seek(0), self.sys.stderr.truncate()
            return type("Out", (), {"out": out, "err": err})

    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return viewer_outputs(city, index, Capture(), tmp_path_factory.mktemp("leaky"))


def test_no_secret_is_written_anywhere(outputs):
    # Dates and years are not counts; the secrets' margins of error are checked in the tables.
    text = re.sub(r"\b20\d\d(-\d\d)?\b", " ", outputs)
    written = numbers(text)
    for key, value in SECRETS.items():
        assert value not in written, f"{key} = {value} is shown"
    for share in TELLING_SHARES:
        assert share not in outputs


def test_small_counts_say_fewer_than_eleven(outputs):
    assert "fewer than 11" in outputs
    assert "withheld to protect a small count" in outputs


def derivable(written: set[float], index) -> list:
    """The secrets a reader of these numbers can work out from the city's sum equations."""
    covered = {"brookside"}  # the own rule; the adjacent and distance rules reach more
    counts = coverage_counts(index, covered)
    values = dict(counts.values)
    lines = list(counts.lines)
    # a line whose parts do not add up has an unshown rest, as protect() adds it
    full = []
    for i, line in enumerate(lines):
        rest = values[line.total] - sum(values[p] for p in line.parts)
        if abs(rest) > 1e-9:
            values[("rest", i)] = rest
            line = privacy.Line((*line.parts, ("rest", i)), line.total)
        full.append(line)
    # a cell is seen when its number is written somewhere (every figure of the city is a
    # distinct number); a zero is known (a reader assumes no one).
    hidden = [k for k, v in values.items() if not (v in written and v >= 11) and v != 0]
    return [key for key in SECRETS if key not in hidden or solvable(hidden, full, key)]


def test_no_secret_can_be_derived_from_the_numbers_shown(outputs, index):
    assert derivable(numbers(outputs), index) == []


def test_the_derivation_check_finds_a_subtraction(outputs, index):
    # Showing Andean families in Brookside (412) beside their total (419) gives 7 away.
    assert ("lives_in", "andean", "ashgrove") in derivable(numbers(outputs) | {412.0}, index)
    # Showing Cliffside's 147 foreign-born beside the city's 734 gives Dunmore's 6 away.
    assert ("neighborhood", "dunmore", "foreign_born") in derivable(
        numbers(outputs) | {147.0}, index
    )


def test_public_tables_withhold_the_margins_of_hidden_figures(city):
    hoods = privacy.public_tables(city.tables, PUBLIC)["neighborhoods"].set_index("neighborhood_id")
    assert hoods.loc["dunmore", "foreign_born"] == "fewer than 11"
    assert hoods.loc["dunmore", "foreign_born_moe"] == privacy.WITHHELD_TEXT
    assert hoods.loc["cliffside", "limited_english"] == "fewer than 11"
    assert hoods.loc["cliffside", "limited_english_moe"] == privacy.WITHHELD_TEXT


def test_exact_outputs_do_show_the_secrets(city, index):
    # The test above could not fail if the fixture hid nothing: exact views show the secrets.
    exact = privacy.Disclosure(exact=True, threshold=11)
    report = coverage_report(index, disclosure=exact)
    assert report.hidden == {}
    assert "Of the 9 residents recorded for Eritrean families" in " ".join(
        report.communities["explanation"]
    )
    ties = privacy.public_tables(city.tables, exact)["ties"]
    assert 7 in ties["residents"].tolist()


def test_the_cli_is_exact_and_says_so_once(tmp_path, capsys):
    db = tmp_path / "leaky.db"
    assert cli.main(["init", str(LEAKY), "--db", str(db)]) == 0
    capsys.readouterr()
    assert cli.main(["coverage", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.count(privacy.EXACT_LABEL) == 1
    assert out.index(privacy.EXACT_LABEL) < out.index("Neighborhoods covered")
    assert "      6  no" in out  # Dunmore's exact foreign-born figure
    assert cli.main(["coverage", "--json", "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["communities"][1]["residents"] == 9
    assert privacy.EXACT_LABEL in captured.err  # beside the JSON, not in it
    assert cli.main(["coverage", "--json", "--public", "--db", str(db)]) == 0
    public = json.loads(capsys.readouterr().out)
    assert public["communities"][1]["residents"] == "fewer than 11"
