"""Area-weighted apportioning on tiny squares whose answers are worked out by hand."""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from coalition.apportion import apportion, area_weights
from coalition.errors import DataError

UTM = "EPSG:32618"
KM = 1000.0  # squares of 1 km so the areas are realistic


def squares(boxes: dict, crs: str | None = UTM, **columns) -> gpd.GeoDataFrame:
    """A layer of km-sized boxes given as (xmin, ymin, xmax, ymax) in km, indexed by name."""
    geometry = [box(*(v * KM for v in b)) for b in boxes.values()]
    return gpd.GeoDataFrame(columns, geometry=geometry, index=list(boxes), crs=crs)


def test_one_source_split_half_and_half():
    tract = squares({"t": (0, 0, 2, 1)}, pop=[100], pop_moe=[20.0])
    hoods = squares({"west": (0, 0, 1, 1), "east": (1, 0, 2, 1)})
    result = apportion(tract, hoods, ["pop"], {"pop": "pop_moe"}, UTM)
    assert list(result.index) == ["west", "east"]
    assert list(result.columns) == ["pop", "pop_moe"]
    assert result.loc["west", "pop"] == pytest.approx(50)
    assert result.loc["east", "pop"] == pytest.approx(50)
    # MOE = sqrt((0.5 * 20)^2) = 10
    assert result.loc["west", "pop_moe"] == pytest.approx(10)


def test_two_sources_moe_combined_as_independent():
    # A (60 ± 30) lies wholly in T1; B (40 ± 40) is split half/half between T1 and T2.
    tracts = squares({"A": (0, 0, 1, 1), "B": (1, 0, 2, 1)}, pop=[60, 40], pop_moe=[30.0, 40.0])
    hoods = squares({"T1": (0, 0, 1.5, 1), "T2": (1.5, 0, 2, 1)})
    result = apportion(tracts, hoods, ["pop"], {"pop": "pop_moe"}, UTM)
    assert result.loc["T1", "pop"] == pytest.approx(60 + 20)
    assert result.loc["T2", "pop"] == pytest.approx(20)
    assert result.loc["T1", "pop_moe"] == pytest.approx(math.sqrt(30**2 + (0.5 * 40) ** 2))
    assert result.loc["T2", "pop_moe"] == pytest.approx(20)


def test_weights_normalised_to_the_part_inside_the_targets():
    # The targets cover only [0, 1.5] of the source [0, 2]: weights 1/1.5 and 0.5/1.5.
    tract = squares({"t": (0, 0, 2, 1)}, pop=[90], pop_moe=[30.0])
    hoods = squares({"a": (0, 0, 1, 1), "b": (1, 0, 1.5, 1)})
    result = apportion(tract, hoods, ["pop"], {"pop": "pop_moe"}, UTM)
    assert result.loc["a", "pop"] == pytest.approx(60)
    assert result.loc["b", "pop"] == pytest.approx(30)
    assert result["pop"].sum() == pytest.approx(90)  # the total is preserved
    assert result.loc["a", "pop_moe"] == pytest.approx(20)
    assert result.loc["b", "pop_moe"] == pytest.approx(10)


def test_totals_preserved_on_misaligned_grids():
    tracts = squares(
        {f"t{i}": (i, 0, i + 1, 2) for i in range(4)}, pop=[100, 250, 75, 40], fb=[10, 50, 5, 0]
    )
    # Targets offset by a third and missing a sliver at the left edge.
    hoods = squares(
        {
            "h1": (0.2, 0, 1.7, 2),
            "h2": (1.7, 0, 3.1, 1.2),
            "h3": (1.7, 1.2, 3.1, 2),
            "h4": (3.1, 0, 4.5, 2),
        }
    )
    result = apportion(tracts, hoods, ["pop", "fb"], {}, UTM)
    assert result["pop"].sum() == pytest.approx(465)
    assert result["fb"].sum() == pytest.approx(65)
    assert list(result.columns) == ["pop", "fb"]


def test_area_weights_table():
    tracts = squares({"A": (0, 0, 1, 1), "B": (1, 0, 2, 1)})
    hoods = squares({"T1": (0, 0, 1.5, 1), "T2": (1.5, 0, 2, 1)})
    weights = area_weights(tracts, hoods, UTM)
    assert list(zip(weights["source"], weights["target"], strict=True)) == [
        ("A", "T1"),
        ("B", "T1"),
        ("B", "T2"),
    ]
    assert weights["weight"].tolist() == pytest.approx([1.0, 0.5, 0.5])
    assert weights["area_m2"].tolist() == pytest.approx([1e6, 0.5e6, 0.5e6])
    assert weights.groupby("source")["weight"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_edge_contact_is_not_an_overlap():
    tract = squares({"t": (0, 0, 1, 1)}, pop=[10])
    hoods = squares({"inside": (0, 0, 1, 1), "touching": (1, 0, 2, 1)})
    result = apportion(tract, hoods, ["pop"], {}, UTM)
    assert result.loc["inside", "pop"] == pytest.approx(10)
    assert result.loc["touching", "pop"] == 0


def test_layers_in_other_crs_are_projected():
    # A small lon/lat square split at its middle longitude: two halves of nearly equal area.
    tract = gpd.GeoDataFrame(
        {"pop": [1000]}, geometry=[box(-72.70, 41.75, -72.68, 41.76)], crs="EPSG:4326"
    )
    hoods = gpd.GeoDataFrame(
        geometry=[box(-72.70, 41.75, -72.69, 41.76), box(-72.69, 41.75, -72.68, 41.76)],
        index=["w", "e"],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    result = apportion(tract, hoods, ["pop"], {}, UTM)
    assert result.loc["w", "pop"] == pytest.approx(500, abs=1)
    assert result["pop"].sum() == pytest.approx(1000)


def test_inputs_are_not_mutated():
    tract = squares({"t": (0, 0, 2, 1)}, crs="EPSG:3857", pop=[100], pop_moe=[20.0])
    hoods = squares({"west": (0, 0, 1, 1), "east": (1, 0, 2, 1)}, crs="EPSG:3857")
    tract_before, hoods_before = tract.copy(), hoods.copy()
    apportion(tract, hoods, ["pop"], {"pop": "pop_moe"}, UTM)
    pd.testing.assert_frame_equal(tract, tract_before)
    pd.testing.assert_frame_equal(hoods, hoods_before)
    assert tract.crs == "EPSG:3857"


def test_source_outside_every_target_is_reported(caplog):
    tracts = squares({"in": (0, 0, 1, 1), "out": (5, 5, 6, 6)}, pop=[10, 99])
    hoods = squares({"h": (0, 0, 1, 1)})
    with caplog.at_level(logging.WARNING, logger="coalition.apportion"):
        result = apportion(tracts, hoods, ["pop"], {}, UTM)
    assert result.loc["h", "pop"] == pytest.approx(10)
    assert "outside every target" in caplog.text and "out" in caplog.text


# --- bad inputs ---------------------------------------------------------------------------------


@pytest.fixture
def layers():
    tract = squares({"t": (0, 0, 2, 1)}, pop=[100], pop_moe=[20.0])
    hoods = squares({"west": (0, 0, 1, 1), "east": (1, 0, 2, 1)})
    return tract, hoods


def test_source_without_crs_is_refused(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="no CRS"):
        apportion(tract.set_crs(None, allow_override=True), hoods, ["pop"], {}, UTM)


def test_target_without_crs_is_refused(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="targets layer has no CRS"):
        apportion(tract, hoods.set_crs(None, allow_override=True), ["pop"], {}, UTM)


def test_missing_estimate_column(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match=r"no estimate column.*'people'"):
        apportion(tract, hoods, ["people"], {}, UTM)


def test_missing_moe_column(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match=r"no margin of error column.*'pop_m'"):
        apportion(tract, hoods, ["pop"], {"pop": "pop_m"}, UTM)


def test_moe_for_a_column_not_apportioned(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="not among the estimates"):
        apportion(tract, hoods, ["pop"], {"fb": "pop_moe"}, UTM)


def test_no_estimates(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="at least one estimate"):
        apportion(tract, hoods, [], {}, UTM)


@pytest.mark.parametrize("bad", [["n/a"], [None], [-5], [float("inf")], ["inf"]])
def test_non_numeric_missing_or_negative_values(layers, bad):
    tract, hoods = layers
    tract = tract.assign(pop=bad)
    with pytest.raises(DataError, match="'pop'"):
        apportion(tract, hoods, ["pop"], {}, UTM)


@pytest.mark.parametrize(
    "crs, message",
    [
        ("EPSG:4326", "not a projected CRS in metres"),
        ("EPSG:6434", "not a projected CRS in metres"),
        ("EPSG:999999", "Unknown metric CRS"),
    ],
)
def test_metric_crs_must_be_projected_in_metres(layers, crs, message):
    tract, hoods = layers
    with pytest.raises(DataError, match=message):
        apportion(tract, hoods, ["pop"], {}, crs)


def test_not_a_geodataframe(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="must be a GeoDataFrame"):
        apportion(pd.DataFrame(tract.drop(columns="geometry")), hoods, ["pop"], {}, UTM)


def test_empty_layer(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="targets layer has no rows"):
        apportion(tract, hoods.iloc[0:0], ["pop"], {}, UTM)


def test_invalid_geometry(layers):
    tract, hoods = layers
    bowtie = Polygon([(0, 0), (KM, KM), (KM, 0), (0, KM)])
    with pytest.raises(DataError, match="invalid geometries"):
        apportion(tract, hoods.set_geometry([bowtie, hoods.geometry.iloc[1]]), ["pop"], {}, UTM)


def test_empty_geometry(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="missing or empty geometries"):
        apportion(tract, hoods.set_geometry([Polygon(), hoods.geometry.iloc[1]]), ["pop"], {}, UTM)


def test_duplicate_index_labels(layers):
    tract, hoods = layers
    with pytest.raises(DataError, match="duplicate index labels"):
        apportion(tract, hoods.set_axis(["x", "x"]), ["pop"], {}, UTM)
