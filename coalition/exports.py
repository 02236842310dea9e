"""Export a city in the formats other tools read: GraphML, GEXF, GeoJSON, GeoPackage, CSV, Excel.

``csv`` writes a complete data folder (the input format, re-importable with ``coalition init``);
``xlsx`` a workbook with one sheet per table (also re-importable). Spreadsheet cells that start
with ``= + - @`` (or a tab / carriage return) are neutralised with a leading apostrophe, so that a
hostile name never runs as a formula when a partner opens the file.

Examples
--------
>>> from coalition.exports import export_city
>>> export_city(city, "graphml", "out/hartford.graphml")  # doctest: +SKIP
PosixPath('out/hartford.graphml')
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from . import schema
from .errors import DataError
from .ingest import text_tables
from .model import WGS84, CityData, build_graph, neighborhoods_frame, nodes_frame

log = logging.getLogger(__name__)

FORMATS = ("graphml", "gexf", "geojson", "gpkg", "csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Numbers are left alone (a negative longitude is not a formula).

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula(-72.5)
    -72.5
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_tables(city: CityData) -> dict[str, pd.DataFrame]:
    """The city's tables as spreadsheet-ready frames: its data folder's cells, neutralised."""
    return {table: frame.map(neutralise_formula) for table, frame in text_tables(city).items()}


def _scalar_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes GraphML/GEXF can hold: lists joined, None dropped, no geometry."""
    H = nx.MultiDiGraph()
    H.graph.update({k: str(v) for k, v in G.graph.items() if v is not None})

    def flat(attrs: dict) -> dict:
        out = {}
        for key, value in attrs.items():
            if key == "geometry" or value is None:
                continue
            if isinstance(value, float) and pd.isna(value):
                continue
            if isinstance(value, (list, tuple)):
                value = schema.LIST_SEPARATOR.join(map(str, value))
            out[key] = value
        return out

    H.add_nodes_from((n, flat(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, k, flat(d)) for u, v, k, d in G.edges(keys=True, data=True))
    return H


def _neighborhood_layer(G: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    frame = neighborhoods_frame(G).drop(columns=["kind"], errors="ignore")
    return gpd.GeoDataFrame(
        frame.reset_index().rename(columns={"id": "neighborhood_id"}),
        geometry="geometry",
        crs=WGS84,
    )


def _organization_layer(G: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    orgs = nodes_frame(G, schema.ORGANIZATION).reset_index().rename(columns={"id": "org_id"})
    for column in ("services", "languages"):
        if column in orgs:
            orgs[column] = orgs[column].map(lambda v: schema.LIST_SEPARATOR.join(v or []))
    located = orgs.dropna(subset=["lat", "lon"]) if {"lat", "lon"} <= set(orgs) else orgs.iloc[0:0]
    return gpd.GeoDataFrame(
        located.drop(columns=["kind"], errors="ignore"),
        geometry=gpd.points_from_xy(located.get("lon", []), located.get("lat", [])),
        crs=WGS84,
    )


def write_city_folder(city: CityData, folder: str | Path) -> Path:
    """Write a city as a data folder (CSV tables, ``neighborhoods.geojson``, ``city.toml``).

    The folder reads back with :func:`coalition.ingest.read_city` to the same tables.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in spreadsheet_tables(city).items():
        frame.to_csv(folder / f"{table}.csv", index=False, encoding="utf-8")
    names = dict(
        zip(
            city.tables["neighborhoods"]["neighborhood_id"],
            city.tables["neighborhoods"]["name"],
            strict=False,
        )
    )
    boundaries = city.boundaries.to_crs(WGS84).assign(
        name=lambda f: f["neighborhood_id"].map(names)
    )
    boundaries[["neighborhood_id", "name", "geometry"]].to_file(
        folder / "neighborhoods.geojson", driver="GeoJSON"
    )
    (folder / schema.CITY_FILE).write_text(
        f"name = {json.dumps(city.name)}\nmetric_crs = {json.dumps(city.metric_crs)}\n"
        'boundary_name_field = "name"\n'
        + (
            f"adjacency_tolerance_m = {float(tolerance)!r}\n"
            if (tolerance := city.meta.get("adjacency_tolerance_m"))
            else ""
        ),
        encoding="utf-8",
    )
    return folder


def export_city(
    city: CityData, fmt: str, out: str | Path, graph: nx.MultiDiGraph | None = None
) -> Path:
    """Export a city to a file (or, for ``csv``, a folder or ``.zip``).

    Parameters
    ----------
    city : CityData
        The city's tables.
    fmt : {"graphml", "gexf", "geojson", "gpkg", "csv", "xlsx"}
        GraphML/GEXF: the whole graph for Gephi, Cytoscape or networkx. GeoJSON: neighborhoods
        with their figures. GeoPackage: layers ``neighborhoods`` and ``organizations``. CSV: a
        re-importable data folder (a ``.zip`` if ``out`` ends with .zip). XLSX: one sheet per table.
    out : str or path-like
        Where to write.
    graph : networkx.MultiDiGraph, optional
        The city's graph, if already built.

    Returns
    -------
    pathlib.Path
        What was written.

    Raises
    ------
    DataError
        For an unknown format.
    """
    if fmt not in FORMATS:
        raise DataError(f"Unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}.")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    G = graph if graph is not None else build_graph(city)
    if fmt == "graphml":
        nx.write_graphml(_scalar_graph(G), out)
    elif fmt == "gexf":
        nx.write_gexf(_scalar_graph(G), out)
    elif fmt == "geojson":
        out.unlink(missing_ok=True)
        _neighborhood_layer(G).to_file(out, driver="GeoJSON")
    elif fmt == "gpkg":
        out.unlink(missing_ok=True)
        _neighborhood_layer(G).to_file(out, layer="neighborhoods", driver="GPKG")
        _organization_layer(G).to_file(out, layer="organizations", driver="GPKG")
    elif fmt == "xlsx":
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for table, frame in spreadsheet_tables(city).items():
                frame.to_excel(writer, sheet_name=table, index=False)
    elif out.suffix == ".zip":
        out.write_bytes(_zip_folder(city))
    else:
        write_city_folder(city, out)
    log.info("exported %s to %s", fmt, out)
    return out


def _zip_folder(city: CityData) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_city_folder(city, Path(tmp) / "city")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, arcname=path.name)
        return buffer.getvalue()


def export_bytes(city: CityData, fmt: str, graph: nx.MultiDiGraph | None = None) -> bytes:
    """The export as bytes (for a download button); ``csv`` is a zipped data folder.

    Examples
    --------
    >>> data = export_bytes(city, "xlsx")  # doctest: +SKIP
    """
    if fmt == "csv":
        return _zip_folder(city)
    suffix = {
        "graphml": ".graphml",
        "gexf": ".gexf",
        "geojson": ".geojson",
        "gpkg": ".gpkg",
        "xlsx": ".xlsx",
    }.get(fmt, "")
    with tempfile.TemporaryDirectory() as tmp:
        path = export_city(city, fmt, Path(tmp) / f"export{suffix}", graph=graph)
        return path.read_bytes()


MEDIA_TYPES = {
    "graphml": "application/xml",
    "gexf": "application/xml",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
