"""Export a city in the formats other tools read: GraphML, GEXF, GeoJSON, GeoPackage, CSV, Excel.

``csv`` writes a complete data folder (the input format, re-importable with ``coalition init``);
``xlsx`` a workbook with one sheet per table (also re-importable). Spreadsheet cells that start
with ``= + - @`` (or a tab / carriage return) are neutralised with a leading apostrophe, so that a
hostile name never runs as a formula when a partner opens the file.

Who an export is for is its ``disclosure`` (:class:`coalition.privacy.Disclosure`):

- ``Disclosure.public()`` (``coalition export --public``, a viewer's downloads): the active rows
  only, with every count of residents passed through :func:`coalition.privacy.public_tables`
  (small counts and the cells that would give them away by subtraction written as text such as
  "fewer than 11"), the boundaries, and a README saying it is the public export and its threshold.
  Such a folder is for sharing, not for loading back: the hidden counts are text.
- exact (``disclosure=None`` or ``Disclosure(exact=True)``: ``coalition export``, an editor's
  downloads): the exact tables, re-importable, with a README (a ``README`` sheet in a workbook, a
  ``disclosure`` attribute in GraphML/GEXF) saying :data:`coalition.privacy.EXACT_LABEL`.

Neither holds retired rows, the history or where the city was loaded from on this machine.

Examples
--------
>>> from coalition.exports import export_city
>>> export_city(city, "graphml", "out/hartford.graphml")  # doctest: +SKIP
PosixPath('out/hartford.graphml')
"""

from __future__ import annotations

import dataclasses
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

from . import privacy, schema
from .errors import DataError
from .i18n import _
from .ingest import text_tables
from .model import WGS84, CityData, build_graph, neighborhoods_frame, nodes_frame
from .privacy import Disclosure

log = logging.getLogger(__name__)

FORMATS = ("graphml", "gexf", "geojson", "gpkg", "csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The README written into a folder or .zip export (a sheet of that name in a workbook).
README_FILE = "README.txt"
README_SHEET = "README"


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


def is_public(disclosure: Disclosure | None) -> bool:
    """Whether an export for ``disclosure`` is the public one (None: the exact, full export).

    Examples
    --------
    >>> is_public(Disclosure.public()), is_public(None), is_public(Disclosure(exact=True))
    (True, False, False)
    """
    return disclosure is not None and not disclosure.exact


def readme_text(city: CityData, disclosure: Disclosure | None = None) -> str:
    """The README of an export: public (with its threshold) or exact and not for sharing.

    Plain text (a file, never a page); the city's name is flattened to one line.

    Parameters
    ----------
    city : CityData
    disclosure : Disclosure, optional
        ``Disclosure.public()`` for the public export; None or exact for the full one.

    Returns
    -------
    str

    Examples
    --------
    >>> print(readme_text(city, Disclosure(exact=False, threshold=11)))  # doctest: +SKIP
    Tiny Town: public export of the coalition's data
    ...
    """
    name = " ".join(str(city.name or "City").split())
    version = city.meta.get("version")
    of_version = f" (data version {int(version)})" if version not in (None, "") else ""
    if is_public(disclosure):
        assert disclosure is not None
        threshold = int(disclosure.threshold)
        lines = [
            f"{name}: public export of the coalition's data{of_version}",
            "",
            "This is the PUBLIC export: what anyone allowed to view the coalition's dashboard "
            "may see, and what may be shared.",
            f"Counts of residents below {threshold} (of a community in a neighborhood, of a "
            f"community, of a neighborhood) are written as 'fewer than {threshold}', and the "
            "counts that would let a hidden one be worked out by subtraction are withheld "
            "too (small-count threshold: "
            f"{threshold}).",
            "Only the current records are included: no removed records and no history of changes.",
            "Hidden counts are written as text, so this folder is for reading and sharing, "
            "not for loading back into the tool.",
        ]
    else:
        lines = [
            f"{name}: full export of the coalition's data{of_version}",
            "",
            f"{privacy.EXACT_LABEL}.",
            "This export keeps every count of residents exactly as recorded, small ones "
            "included: a small count can point at a family. It is NOT FOR SHARING outside the "
            "people who edit the coalition's data.",
            "To share the data, use the public export instead: coalition export --public OUT "
            "(or the public downloads on the dashboard's Data page).",
            "Only the current records are included: no removed records and no history.",
        ]
    lines += ["", "Written by We Belong Here — coalition mapper."]
    return "\n".join(lines) + "\n"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return list(a or []) == list(b or [])
    a_missing = a is None or (not isinstance(a, str) and pd.isna(a))
    b_missing = b is None or (not isinstance(b, str) and pd.isna(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return bool(a == b)


def _changed_columns(exact: pd.DataFrame, shown: pd.DataFrame) -> list[str]:
    """The columns whose cells the disclosure changed (hidden counts, withheld margins)."""
    if len(exact) != len(shown):
        raise DataError(
            _(
                "The protected tables do not match the city's rows; export again from the stored "
                "city (this is a bug in the privacy transform if it happens twice)."
            )
        )
    changed = []
    for column in shown.columns:
        if column not in exact.columns:
            continue
        pairs = zip(exact[column].tolist(), shown[column].tolist(), strict=True)
        if not all(_same(a, b) for a, b in pairs):
            changed.append(column)
    return changed


def _as_text_column(values: list[Any]) -> list[Any]:
    """A protected column as one type: every present value as text (hidden ones already are)."""
    out: list[str | None] = []
    for value in values:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(None)
        elif isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))
        else:
            out.append(str(value))
    return out


def _active_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """A table without its retired rows (a store read with ``include_retired``) or that column."""
    if "_retired" not in frame.columns:
        return frame
    keep = [
        mark is None or (isinstance(mark, float) and pd.isna(mark)) for mark in frame["_retired"]
    ]
    return frame.loc[keep].drop(columns="_retired").reset_index(drop=True)


def shared_city(city: CityData, disclosure: Disclosure | None = None) -> CityData:
    """The city as ``disclosure`` may take it away: its tables through the privacy transform.

    Exact (None, or an exact disclosure): the city unchanged but for its machine details. Public:
    :func:`coalition.privacy.public_tables` of its tables, where every column holding a hidden
    count is text in every row (a column of one type reads back the same in any tool). Either
    way ``meta`` keeps only the version and the adjacency tolerance: never the folder the city
    was loaded from or its load warnings.

    Examples
    --------
    >>> public = shared_city(city, Disclosure.public())  # doctest: +SKIP
    >>> public.tables["ties"]["residents"].tolist()  # doctest: +SKIP
    ['fewer than 11', '40', None]
    """
    meta = {k: v for k, v in city.meta.items() if k in ("version", "adjacency_tolerance_m")}
    active = {table: _active_rows(frame) for table, frame in city.tables.items()}
    if not is_public(disclosure):
        return dataclasses.replace(city, tables=active, meta=meta)
    assert disclosure is not None
    shown = privacy.public_tables(active, disclosure)
    tables = {}
    for table, frame in active.items():
        protected = shown.get(table)
        if protected is None:
            tables[table] = frame
            continue
        changed = _changed_columns(frame, protected)
        if changed:
            protected = protected.assign(
                **{c: _as_text_column(protected[c].tolist()) for c in changed}
            )
        tables[table] = protected
    return dataclasses.replace(city, tables=tables, meta=meta)


def _protected_graph(G: nx.MultiDiGraph, city: CityData, shared: CityData) -> nx.MultiDiGraph:
    """A copy of ``G`` whose count attributes are the shared tables' (hidden ones as text)."""
    H = G.copy()
    for table, id_column in schema.ID_COLUMNS.items():
        exact, shown = city.tables.get(table), shared.tables.get(table)
        if exact is None or shown is None or exact is shown:
            continue
        changed = _changed_columns(exact, shown)
        for column in changed:
            for node, value in zip(shown[id_column].tolist(), shown[column].tolist(), strict=True):
                if node in H:
                    H.nodes[node][column] = value
    exact, shown = city.tables.get("ties"), shared.tables.get("ties")
    if exact is not None and shown is not None and exact is not shown:
        changed = _changed_columns(exact, shown)
        if changed:
            by_tie = {
                (row["source_id"], row["target_id"], row["tie_type"]): row
                for row in shown[["source_id", "target_id", "tie_type", *changed]].to_dict(
                    "records"
                )
            }
            for u, v, data in H.edges(data=True):
                row = by_tie.get((u, v, data.get("tie_type")))
                if row is None:
                    row = by_tie.get((v, u, data.get("tie_type")))
                for column in changed:
                    if column in data:
                        data[column] = row[column] if row is not None else None
    return H


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
    city: CityData,
    fmt: str,
    out: str | Path,
    graph: nx.MultiDiGraph | None = None,
    *,
    disclosure: Disclosure | None = None,
) -> Path:
    """Export a city to a file (or, for ``csv``, a folder or ``.zip``).

    Parameters
    ----------
    city : CityData
        The city's tables (active rows, as :meth:`coalition.store.Store.read_city` gives them).
    fmt : {"graphml", "gexf", "geojson", "gpkg", "csv", "xlsx"}
        GraphML/GEXF: the whole graph for Gephi, Cytoscape or networkx. GeoJSON: neighborhoods
        with their figures. GeoPackage: layers ``neighborhoods`` and ``organizations``. CSV: a
        data folder with a README (a ``.zip`` if ``out`` ends with .zip). XLSX: one sheet per
        table and a README sheet.
    out : str or path-like
        Where to write.
    graph : networkx.MultiDiGraph, optional
        The city's graph (exact), if already built.
    disclosure : Disclosure, optional
        ``Disclosure.public()`` for the public export (:func:`shared_city`: small counts hidden,
        README says so); None (the default: the operator's full export, re-importable) or an
        exact disclosure for exact counts, labelled not for sharing.

    Returns
    -------
    pathlib.Path
        What was written.

    Raises
    ------
    DataError
        For an unknown format.

    Examples
    --------
    >>> export_city(city, "csv", "out/public", disclosure=Disclosure.public())  # doctest: +SKIP
    PosixPath('out/public')
    """
    if fmt not in FORMATS:
        raise DataError(
            _("Unknown export format '{format}'; choose one of {formats}.").format(
                format=fmt, formats=", ".join(FORMATS)
            )
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shared = shared_city(city, disclosure)
    readme = readme_text(city, disclosure)
    if fmt in ("graphml", "gexf", "geojson", "gpkg"):
        exact = shared_city(city, None)  # the active rows, exact
        G = graph if graph is not None else build_graph(exact)
        if is_public(disclosure):
            G = _protected_graph(G, exact, shared)
    if fmt in ("graphml", "gexf"):
        H = _scalar_graph(G)
        H.graph["disclosure"] = (
            f"Public export: counts of residents below {disclosure.threshold} are hidden"
            if disclosure is not None and is_public(disclosure)
            else f"{privacy.EXACT_LABEL}: full export"
        )
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(H, out)
    elif fmt == "geojson":
        out.unlink(missing_ok=True)
        _neighborhood_layer(G).to_file(out, driver="GeoJSON")
    elif fmt == "gpkg":
        out.unlink(missing_ok=True)
        _neighborhood_layer(G).to_file(out, layer="neighborhoods", driver="GPKG")
        _organization_layer(G).to_file(out, layer="organizations", driver="GPKG")
    elif fmt == "xlsx":
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for table, frame in spreadsheet_tables(shared).items():
                frame.to_excel(writer, sheet_name=table, index=False)
            lines = [neutralise_formula(line) for line in readme.splitlines()]  # a hostile name
            pd.DataFrame({README_SHEET: lines}).to_excel(
                writer, sheet_name=README_SHEET, index=False
            )
    elif out.suffix == ".zip":
        out.write_bytes(_zip_folder(shared, readme))
    else:
        write_city_folder(shared, out)
        (out / README_FILE).write_text(readme, encoding="utf-8")
    log.info("exported %s to %s", fmt, out)
    return out


def _zip_folder(city: CityData, readme: str | None = None) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_city_folder(city, Path(tmp) / "city")
        if readme is not None:
            (folder / README_FILE).write_text(readme, encoding="utf-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, arcname=path.name)
        return buffer.getvalue()


def export_bytes(
    city: CityData,
    fmt: str,
    graph: nx.MultiDiGraph | None = None,
    *,
    disclosure: Disclosure | None = None,
) -> bytes:
    """The export as bytes (for a download button); ``csv`` is a zipped data folder.

    ``disclosure`` as for :func:`export_city` (None: exact, the full export).

    Examples
    --------
    >>> data = export_bytes(city, "xlsx", disclosure=Disclosure.public())  # doctest: +SKIP
    """
    if fmt not in FORMATS:
        raise DataError(
            _("Unknown export format '{format}'; choose one of {formats}.").format(
                format=fmt, formats=", ".join(FORMATS)
            )
        )
    if fmt == "csv":
        return _zip_folder(shared_city(city, disclosure), readme_text(city, disclosure))
    suffix = {
        "graphml": ".graphml",
        "gexf": ".gexf",
        "geojson": ".geojson",
        "gpkg": ".gpkg",
        "xlsx": ".xlsx",
    }[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        path = export_city(
            city, fmt, Path(tmp) / f"export{suffix}", graph=graph, disclosure=disclosure
        )
        return path.read_bytes()


def file_name(city_name: object, fmt: str, disclosure: Disclosure | None = None) -> str:
    """A download's file name: ``<city>-<fmt>.<suffix>``, exact ones ``-exact-not-for-sharing``.

    Examples
    --------
    >>> file_name("Tiny Town", "csv", Disclosure(exact=False, threshold=11))
    'tiny-town-public-csv.zip'
    >>> file_name("Tiny Town", "xlsx", Disclosure(exact=True, threshold=11))
    'tiny-town-xlsx-exact-not-for-sharing.xlsx'
    """
    from .presenting.text import slug

    base = slug(str(city_name or "coalition")) or "coalition"
    suffix = SUFFIXES[fmt]
    if is_public(disclosure):
        return f"{base}-public-{fmt}.{suffix}"
    return f"{base}-{fmt}-exact-not-for-sharing.{suffix}"


SUFFIXES = {
    "graphml": "graphml",
    "gexf": "gexf",
    "geojson": "geojson",
    "gpkg": "gpkg",
    "csv": "zip",
    "xlsx": "xlsx",
}

MEDIA_TYPES = {
    "graphml": "application/xml",
    "gexf": "application/xml",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
