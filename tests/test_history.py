"""Version history in the store, the comparison of two versions, and `coalition changes`.

Hand-worked answers on the tiny city (tests/tiny_city.py): foreign-born 1000 in all, Alder 400
(active committee), Birch 100, Cedar 300 (committee forming), Dogwood 200; 4 partnerships;
Lonely Shop is the one isolated organization.
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pandas as pd
import pytest
from tiny_city import make_tiny_city

from coalition import cli, ingest, privacy
from coalition import store as store_module
from coalition.errors import AnalysisError, StoreError, ValidationError
from coalition.history import compare_cities

PARTNERSHIP = {
    "source_id": "clinic",
    "target_id": "lonely",
    "tie_type": "partnership",
    "source": "working session",
    "source_date": "2026-11",
    "illustrative": "no",
}


def with_table(city, table: str, change) -> object:
    """A copy of the city whose ``table`` is ``change(copy of the frame)``."""
    tables = dict(city.tables)
    tables[table] = change(city.tables[table].copy())
    return dataclasses.replace(city, tables=tables)


def set_status(city, committee_id: str, status: str):
    def change(frame):
        frame.loc[frame["committee_id"] == committee_id, "status"] = status
        return frame

    return with_table(city, "committees", change)


def explanations(report) -> list[str]:
    return report.changes["explanation"].tolist()


@pytest.fixture
def store(tmp_path):
    return store_module.open_store(tmp_path / "h.db")


# --- the store's history ------------------------------------------------------------------------


def test_every_write_keeps_a_version_with_what_it_was(store, tiny_city):
    assert store.versions().empty
    store.replace_city(dataclasses.replace(tiny_city, meta={"source_dir": "/data/tiny"}))
    store.update(
        lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]), what="Recorded: a partnership"
    )
    store.update(lambda city: city)  # no description given
    versions = store.versions()
    assert versions["version"].tolist() == [3, 2, 1]
    assert versions["what"].tolist() == [
        "Changed",
        "Recorded: a partnership",
        "loaded from /data/tiny",
    ]
    assert versions["saved_at"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$").all()


def test_a_past_version_reads_back_exactly(store, tiny_city):
    store.replace_city(tiny_city)
    store.update(lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]))
    past, now = store.read_version(1), store.read_version(2)
    for name, frame in tiny_city.tables.items():
        expected = frame.astype(object).where(frame.notna(), None).to_dict("records")
        got = past.tables[name].astype(object).where(past.tables[name].notna(), None)
        assert got.to_dict("records") == expected, name
    assert past.tables["organizations"].loc[0, "services"] == ["english", "citizenship"]
    assert len(past.tables["ties"]) == 17 and len(now.tables["ties"]) == 18
    assert past.meta["version"] == 1 and past.name == "Tiny Town" and past.boundaries.empty


def test_an_unknown_version_is_a_store_error_naming_what_is_kept(store, tiny_city):
    with pytest.raises(StoreError, match="keeps none yet"):
        store.read_version(1)
    store.replace_city(tiny_city)
    with pytest.raises(
        StoreError, match="Version 5 is not in the store's history: it keeps versions 1 to 1"
    ):
        store.read_version(5)


def test_every_version_stays_readable(store, tiny_city):
    for _ in range(5):
        store.replace_city(tiny_city)
    assert store.versions()["version"].tolist() == [5, 4, 3, 2, 1]
    assert store.read_version(1).tables["ties"].shape == tiny_city.tables["ties"].shape
    with pytest.raises(StoreError, match="keeps versions 1 to 5"):
        store.read_version(6)


def test_a_refused_change_adds_no_version(store, tiny_city):
    store.replace_city(tiny_city)
    with pytest.raises(ValidationError):
        store.update(
            lambda city: ingest.add_records(city, "ties", [dict(PARTNERSHIP, target_id="nobody")])
        )
    assert store.versions()["version"].tolist() == [1]


def test_a_failed_load_leaves_history_and_data_together(store, tiny_city):
    store.replace_city(tiny_city)
    broken = tiny_city.boundaries.copy()
    broken.loc[0, "geometry"] = None  # fails half-way through the write
    with pytest.raises(StoreError):
        store.replace_city(dataclasses.replace(tiny_city, boundaries=broken))
    assert store.versions()["version"].tolist() == [1] and store.version() == 1


# --- the comparison -----------------------------------------------------------------------------


def test_a_new_tie_and_an_active_committee_are_exactly_the_changes(tiny_city):
    after = set_status(ingest.add_records(tiny_city, "ties", [PARTNERSHIP]), "wc-cedar", "active")
    report = compare_cities(tiny_city, after)
    assert explanations(report) == [
        "Cedar Welcoming Committee became active (it was forming): 300 more foreign-born "
        "residents of Cedar are reached (40% -> 70%).",
        "Dogwood Clinic and Lonely Shop started working together.",
    ]
    assert report.changes[
        ["change", "table", "tie_type", "field", "before", "after"]
    ].values.tolist() == [
        ["changed", "committees", "", "status", "forming", "active"],
        ["added", "ties", "partnership", "", "", ""],
    ]
    figures = {k: (v["before"], v["after"], v["delta"]) for k, v in report.headline.items()}
    assert figures == {
        "organizations": (6, 6, 0),
        "partnerships": (4, 5, 1),
        "isolated_organizations": (1, 0, -1),
        "active_committees": (1, 2, 1),
        "foreign_born_covered": (400, 700, 300),
        "share_foreign_born_covered": (0.4, 0.7, 0.3),
    }
    assert report.explanation == (
        "2 change(s): 1 added, 1 changed. Foreign-born residents "
        "reached by active committees: 400 -> 700 (40% -> 70%)."
    )


def test_no_change_is_an_empty_report_that_says_so(tiny_city):
    report = compare_cities(tiny_city, make_tiny_city())
    assert report.is_empty and next(iter(report.changes.columns)) == "change"
    assert report.explanation.startswith("Nothing changed between the two versions")
    assert all(entry["delta"] == 0 for entry in report.headline.values())


def test_a_partnership_recorded_the_other_way_round_is_the_same_tie(tiny_city):
    def reverse_lib_legal(ties):
        first = ties.index[(ties["source_id"] == "lib") & (ties["target_id"] == "legal")][0]
        ties.loc[first, ["source_id", "target_id"]] = ["legal", "lib"]
        return ties

    assert compare_cities(tiny_city, with_table(tiny_city, "ties", reverse_lib_legal)).is_empty


def test_the_same_tie_recorded_twice_is_one_tie(tiny_city):
    duplicate = with_table(
        tiny_city, "ties", lambda t: pd.concat([t, t.iloc[[4]]], ignore_index=True)
    )
    assert compare_cities(tiny_city, duplicate).is_empty


def test_a_stopped_committee_says_who_is_no_longer_reached(tiny_city):
    report = compare_cities(tiny_city, set_status(tiny_city, "wc-alder", "none"))
    assert explanations(report) == [
        "Alder Welcoming Committee stopped (it was active): 400 foreign-born residents of Alder "
        "are no longer reached (40% -> 0%)."
    ]
    assert report.headline["active_committees"]["after"] == 0


def test_a_new_active_committee_reaches_its_neighborhood(tiny_city):
    row = {
        "committee_id": "wc-birch",
        "name": "Birch Welcoming Committee",
        "neighborhood": "birch",
        "status": "active",
        "start_date": "2026",
        "source": "working session",
        "source_date": "2026-11",
        "illustrative": False,
    }
    after = with_table(
        tiny_city, "committees", lambda f: pd.concat([f, pd.DataFrame([row])], ignore_index=True)
    )
    assert explanations(compare_cities(tiny_city, after)) == [
        "Birch Welcoming Committee joined as a new welcoming committee: 100 more foreign-born "
        "residents of Birch are reached (40% -> 50%)."
    ]


def test_a_removed_organization_and_its_ties(tiny_city):
    def drop_clinic(ties):
        return ties[(ties["source_id"] != "clinic") & (ties["target_id"] != "clinic")]

    after = with_table(
        with_table(tiny_city, "organizations", lambda f: f[f["org_id"] != "clinic"]),
        "ties",
        drop_clinic,
    )
    report = compare_cities(tiny_city, after)
    assert explanations(report) == [
        "Dogwood Clinic (organization) is no longer listed.",
        "Birch Legal Aid and Dogwood Clinic no longer work together.",  # ties by type
        "Dogwood Clinic no longer serves Karen refugees.",
    ]
    assert report.headline["partnerships"]["after"] == 3
    assert report.headline["isolated_organizations"]["after"] == 1  # Lonely Shop still


def test_changed_services_languages_and_neighborhood_are_named(tiny_city):
    def change(orgs):
        orgs.loc[orgs["org_id"] == "legal", "services"] = pd.Series(
            [["legal", "english"]], index=orgs.index[[1]]
        )
        orgs.loc[orgs["org_id"] == "clinic", "languages"] = pd.Series(
            [["English"]], index=orgs.index[[4]]
        )
        orgs.loc[orgs["org_id"] == "lonely", "neighborhood"] = "birch"
        orgs.loc[orgs["org_id"] == "church", "notes"] = "a note is not a change that matters"
        return orgs

    report = compare_cities(tiny_city, with_table(tiny_city, "organizations", change))
    assert explanations(report) == [
        "Birch Legal Aid now offers English and language learning (services).",
        "Dogwood Clinic no longer lists Karen (languages).",
        "Lonely Shop moved from Dogwood to Birch.",
    ]


def test_reordered_list_items_are_no_change(tiny_city):
    def reorder(orgs):
        orgs["languages"] = [list(reversed(v)) for v in orgs["languages"]]
        return orgs

    assert compare_cities(tiny_city, with_table(tiny_city, "organizations", reorder)).is_empty


def test_comparison_does_not_mutate_its_inputs(tiny_city):
    after = set_status(ingest.add_records(tiny_city, "ties", [PARTNERSHIP]), "wc-cedar", "active")
    before_copy, after_copy = copy.deepcopy(tiny_city.tables), copy.deepcopy(after.tables)
    compare_cities(tiny_city, after)
    for name in before_copy:
        pd.testing.assert_frame_equal(tiny_city.tables[name], before_copy[name])
        pd.testing.assert_frame_equal(after.tables[name], after_copy[name])


def test_the_report_is_json(tiny_city):
    after = set_status(tiny_city, "wc-cedar", "active")
    data = json.loads(json.dumps(compare_cities(tiny_city, after).to_dict()))
    assert data["headline"]["foreign_born_covered"] == {
        "label": "Foreign-born residents reached",
        "before": 400,
        "after": 700,
        "delta": 300,
    }
    assert data["changes"][0]["field"] == "status"


def test_a_version_without_neighborhoods_cannot_be_compared(tiny_city):
    empty = with_table(tiny_city, "neighborhoods", lambda f: f.iloc[0:0])
    with pytest.raises(AnalysisError):
        compare_cities(empty, tiny_city)


def test_a_past_version_compares_with_the_current_city(store, tiny_city):
    store.replace_city(tiny_city)
    store.update(lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]))
    report = compare_cities(store.read_version(1), store.read_city())
    assert explanations(report) == ["Dogwood Clinic and Lonely Shop started working together."]


# --- coalition changes ----------------------------------------------------------------------------


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path, tiny_city):
    path = tmp_path / "c.db"
    store_module.open_store(path).replace_city(tiny_city)
    return str(path)


def record_partnership(db: str) -> None:
    store_module.open_store(db).update(
        lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]),
        what="Recorded: clinic and shop",
    )


def test_changes_since_the_previous_version(capsys, db):
    record_partnership(db)
    code, out, _ = run(capsys, "changes", "--db", db)
    assert code == 0
    assert out.splitlines()[0].startswith("Tiny Town — data version 2 (store: ")
    assert out.splitlines()[1] == "Changes from version 1 (loaded Tiny Town) to version 2:"
    assert "  Partnerships: 4 -> 5" in out and "  Isolated organizations: 1 -> 0" in out
    assert "  - Dogwood Clinic and Lonely Shop started working together." in out
    assert "Active welcoming committees" not in out  # unchanged figures are not listed


def test_changes_as_json(capsys, db):
    record_partnership(db)
    code, out, _ = run(capsys, "changes", "--since", "1", "--json", "--db", db)
    data = json.loads(out)
    assert code == 0 and (data["since"], data["current"]) == (1, 2)
    assert [c["explanation"] for c in data["changes"]] == [
        "Dogwood Clinic and Lonely Shop started working together."
    ]


def test_changes_list(capsys, db):
    record_partnership(db)
    code, out, _ = run(capsys, "changes", "--list", "--db", db)
    lines = out.splitlines()[1:]  # after the line naming the city and version
    assert code == 0 and len(lines) == 2
    assert lines[0].split()[0] == "2" and lines[0].endswith("Recorded: clinic and shop")
    assert lines[1].endswith("loaded Tiny Town")
    code, out, _ = run(capsys, "changes", "--list", "--json", "--db", db)
    assert [v["version"] for v in json.loads(out)] == [2, 1]


def test_changes_with_an_unknown_version_exits_1(capsys, db):
    code, out, err = run(capsys, "changes", "--since", "7", "--db", db)
    assert code == 1 and "Changes from" not in out
    assert "Version 7 is not in the store's history" in err and "--list" in err


def test_changes_with_one_version_has_nothing_to_compare(capsys, db):
    code, out, _ = run(capsys, "changes", "--db", db)
    assert code == 0 and "nothing to compare yet" in out


def test_changes_on_an_empty_store_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, "changes", "--db", str(tmp_path / "empty.db"))
    assert code == 1 and "coalition init" in err


# --- what the changes did: brokers, single points of failure, coverage, ranking ---------------
# The tiny city's partnership network: assoc – lib – legal – clinic, church – lib, lonely alone.
# Brokers (effective size >= 2): lib (3 partners, 3.0) and legal (2 partners, 2.0). Single points
# of failure: lib (assoc and church would be cut off) and legal (clinic would be).


def effects(report) -> list[tuple[str, str, str, str, str]]:
    frame = report.effects
    return list(
        zip(
            frame["effect"],
            frame["kind"],
            frame["id"],
            frame["before"],
            frame["after"],
            strict=True,
        )
    )


def without_tie(city, a: str, b: str):
    return with_table(
        city,
        "ties",
        lambda t: t[
            ~(
                ((t["source_id"] == a) & (t["target_id"] == b))
                | ((t["source_id"] == b) & (t["target_id"] == a))
            )
        ],
    )


def test_a_new_partnership_makes_a_broker_and_a_single_point_of_failure(tiny_city):
    report = compare_cities(tiny_city, ingest.add_records(tiny_city, "ties", [PARTNERSHIP]))
    assert effects(report) == [
        ("new", "broker", "clinic", "1.0", "2.0"),
        ("new", "single_point_of_failure", "clinic", "0", "1"),
        ("changed", "single_point_of_failure", "legal", "1", "2"),
    ]
    assert report.effects["explanation"].tolist() == [
        "Dogwood Clinic is now a broker: its 2 partners (Birch Legal Aid and Lonely Shop) count "
        "as 2.0 independent contacts (effective size; it was 1.0).",
        "Dogwood Clinic is now a single point of failure: if it left, 1 organization (Lonely "
        "Shop) would be cut off from the rest of the partnership network.",
        "If Birch Legal Aid left now, 2 organizations (Dogwood Clinic and Lonely Shop) would be "
        "cut off from the rest of the partnership network (before: 1 organization cut off).",
    ]
    # The changes themselves are exactly as before the effects were added.
    assert explanations(report) == ["Dogwood Clinic and Lonely Shop started working together."]


def test_an_ended_partnership_loses_a_broker_and_splits_lib_evenly(tiny_city):
    report = compare_cities(tiny_city, without_tie(tiny_city, "lib", "legal"))
    assert effects(report) == [
        ("lost", "broker", "legal", "2.0", "1.0"),
        ("lost", "single_point_of_failure", "legal", "1", "0"),
        ("changed", "single_point_of_failure", "lib", "2", "2"),
    ]
    assert report.effects["explanation"].tolist() == [
        "Birch Legal Aid is no longer a broker (effective size 2.0 before): its partners count "
        "as 1.0 independent contacts now (effective size).",
        "Birch Legal Aid is no longer a single point of failure: if it left now, no organization "
        "would be cut off.",
        # lib's part is now lib, assoc and church: without lib, two parts of one each.
        "If Alder Library left now, Alder Neighbors and Cedar Church would no longer be connected "
        "to each other (before: 2 organizations cut off).",
    ]


def test_a_removed_organization_is_no_longer_a_broker_because_it_is_not_listed(tiny_city):
    def drop_lib(ties):
        return ties[(ties["source_id"] != "lib") & (ties["target_id"] != "lib")]

    after = with_table(
        with_table(tiny_city, "organizations", lambda f: f[f["org_id"] != "lib"]), "ties", drop_lib
    )
    rows = compare_cities(tiny_city, after).effects
    lib = rows[rows["id"] == "lib"]
    assert lib["explanation"].tolist() == [
        "Alder Library is no longer a broker (effective size 3.0 before): it is no longer listed.",
        "Alder Library is no longer a single point of failure: it is no longer listed.",
    ]
    assert lib["after"].tolist() == ["", ""]


def test_a_member_who_leaves_the_coalition_has_effects_but_no_listed_change(tiny_city):
    after = with_table(
        tiny_city, "organizations", lambda f: f.assign(member=[o != "legal" for o in f["org_id"]])
    )
    report = compare_cities(tiny_city, after)
    assert report.is_empty  # "member" is not one of the fields listed
    assert report.effects["explanation"].tolist()[:2] == [
        "Birch Legal Aid is no longer a broker (effective size 2.0 before): it is no longer a "
        "coalition member.",
        "Birch Legal Aid is no longer a single point of failure: it is no longer a coalition "
        "member.",
    ]
    assert report.explanation.startswith("No organization, committee, community, navigator")


def test_an_active_committee_reaches_its_neighborhood_and_leaves_the_ranking(tiny_city):
    # Candidates before, by the default weights: Cedar, Dogwood, Birch (Alder has a committee).
    report = compare_cities(tiny_city, set_status(tiny_city, "wc-cedar", "active"))
    assert effects(report) == [
        ("new", "coverage", "cedar", "not reached", "reached"),
        ("changed", "ranking", "", "Cedar, Dogwood, Birch", "Dogwood, Birch"),
        ("lost", "ranking", "cedar", "1", ""),
    ]
    assert report.effects["explanation"].tolist() == [
        "Cedar (300 foreign-born residents) is now reached by an active welcoming committee.",
        "The top 3 candidate neighborhoods for the next welcoming committee (default weights) "
        "were Cedar, Dogwood and Birch; now they are Dogwood and Birch.",
        "Cedar is no longer a top-3 candidate (it was rank 1): it has an active welcoming "
        "committee now.",
    ]


def test_a_stopped_committee_makes_its_neighborhood_a_candidate(tiny_city):
    report = compare_cities(tiny_city, set_status(tiny_city, "wc-alder", "none"))
    rows = report.effects
    assert rows.loc[rows["kind"] == "coverage", "explanation"].tolist() == [
        "Alder (400 foreign-born residents) is no longer reached by an active welcoming committee."
    ]
    entered = rows[(rows["kind"] == "ranking") & (rows["effect"] == "new")]
    assert entered["id"].tolist() == ["alder"]
    assert entered["explanation"].iloc[0].endswith("(rank 2; it was not a candidate).")
    left = rows[(rows["kind"] == "ranking") & (rows["effect"] == "lost")]
    assert left["explanation"].tolist() == [
        "Birch is no longer a top-3 candidate (it was rank 3): it is rank 4 now."
    ]


def test_small_resident_counts_are_not_shown_in_effects(tiny_city):
    def three_in_cedar(frame):
        frame.loc[frame["neighborhood_id"] == "cedar", "foreign_born"] = 3
        return frame

    few = with_table(tiny_city, "neighborhoods", three_in_cedar)
    report = compare_cities(few, set_status(few, "wc-cedar", "active"))
    sentence = report.effects.loc[report.effects["kind"] == "coverage", "explanation"].iloc[0]
    assert sentence == (
        "Cedar (fewer than 11 foreign-born residents) is now reached by an active welcoming "
        "committee."
    )
    # the residents newly reached, and the totals before and after, would give the 3 away
    text = " ".join(report.changes["explanation"]) + report.explanation
    assert "3 more" not in text and "withheld to protect a small count" in text
    assert report.headline["foreign_born_covered"]["delta"] is None
    exact = compare_cities(
        few, set_status(few, "wc-cedar", "active"), disclosure=privacy.Disclosure(True, 11)
    )
    assert exact.headline["foreign_born_covered"]["delta"] == 3


def test_no_change_has_no_effects(tiny_city):
    assert compare_cities(tiny_city, make_tiny_city()).effects.empty


def test_a_kept_version_without_boundaries_ranks_on_the_same_map(store, tiny_city):
    # With 150 foreign-born residents in Dogwood, Birch (which borders Alder's committee) ranks
    # above Dogwood on the map, below it without boundaries (no adjacency score). A kept
    # version has tables only (read_version): both must be ranked on the current map.
    def fewer_in_dogwood(frame):
        frame.loc[frame["neighborhood_id"] == "dogwood", "foreign_born"] = 150
        return frame

    store.replace_city(with_table(tiny_city, "neighborhoods", fewer_in_dogwood))
    store.update(lambda city: ingest.add_records(city, "ties", [PARTNERSHIP]))
    past = store.read_version(1)
    assert past.boundaries.empty
    report = compare_cities(past, store.read_city())
    assert "ranking" not in report.effects["kind"].tolist()
    assert compare_cities(store.read_version(2), store.read_city()).effects.empty


def test_effects_are_json(tiny_city):
    data = json.loads(
        json.dumps(compare_cities(tiny_city, set_status(tiny_city, "wc-cedar", "active")).to_dict())
    )
    assert data["effects"][0] == {
        "effect": "new",
        "kind": "coverage",
        "id": "cedar",
        "name": "Cedar",
        "before": "not reached",
        "after": "reached",
        "explanation": "Cedar (300 foreign-born residents) is now reached by an active "
        "welcoming committee.",
    }
