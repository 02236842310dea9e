"""Try real neighborhood boundary files as a new user would, and record what happens.

For each boundary file given (GeoJSON, TopoJSON, GeoPackage, zipped Shapefile), this builds a
city folder the way someone starting a new city would: ``city.toml`` with a name, the boundary
file under one of the accepted names, ``neighborhoods.csv`` with one row per feature name (made-up
figures, marked ``illustrative = yes``), a few organizations with points inside neighborhoods, a
community, a committee and ties. It then runs ``coalition validate`` and, when that says OK,
``init`` into a temporary store, ``coverage --json``, ``rank --json``, ``gaps --json`` and
``maps`` (in-process, through :func:`coalition.cli.main`).

Variants imitate what users get wrong (``--variants``): the names' property not called ``name``
and ``boundary_name_field`` left out; the file re-exported in state-plane feet without a CRS
(refused, then loaded again with ``boundary_crs``); names in the table lower-cased and stripped of
accents; the table saved as Windows-1252; a workbook instead of CSVs; a neighborhood with several
parts exported as one feature per part; a GeoPackage and a zipped Shapefile instead of GeoJSON.

Each run is recorded as ``loaded``, ``refused`` (with the first messages), ``CRASH`` (a
traceback escaped) or ``SUSPICIOUS`` (loaded, but something looks wrong: an area that differs
from the geodesic area of the same polygon, a neighborhood of zero area, every neighborhood
isolated although the polygons touch, no neighborhood covered although a committee is active,
a variant that should have been refused but loaded, or loaded with names on the wrong polygons).

Needs no internet and nothing outside the project. Example::

    PYTHONPATH=. python scripts/try_real_cities.py /tmp/cities/*.geojson --variants \\
        --report /tmp/report.json

The exit code is 1 when anything crashed or looked suspicious.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import math
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

BOUNDARY_SUFFIXES = (".geojson", ".json", ".topojson", ".gpkg", ".zip")
NAME_HINTS = ("name", "nbhd", "neighborhood", "neighbourhood", "hood", "label", "title")
GEOD = Geod(ellps="WGS84")
# A neighborhood's area in the store may differ from its geodesic area by this share at most.
AREA_TOLERANCE = 0.02


# --- reading a file the way a user looks at it in a GIS ---------------------------------------


def look(path: Path) -> gpd.GeoDataFrame:
    """The file as a GIS shows it (its own CRS, every property)."""
    return gpd.read_file(path)


def name_field(frame: gpd.GeoDataFrame) -> str | None:
    """The property a user would pick as the neighborhood's name.

    ``name`` when present; else the text property with the most distinct values among those whose
    name suggests a name; else the text property with the most distinct values.
    """
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if "name" in columns:
        return "name"
    texts = [
        c
        for c in columns
        if frame[c].dtype == object
        or str(frame[c].dtype) == "str"
        or pd.api.types.is_string_dtype(frame[c])
    ]
    if not texts:
        return columns[0] if columns else None

    def score(column: str) -> tuple[int, int]:
        hinted = any(h in column.lower() for h in NAME_HINTS)
        return (int(hinted), frame[column].nunique())

    return max(texts, key=score)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "n"


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def feature_names(frame: gpd.GeoDataFrame, field: str) -> list[str]:
    names = []
    for value in frame[field]:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if text and text not in names:
            names.append(text)
    return names


# --- building the city folder -----------------------------------------------------------------


def _points(
    frame: gpd.GeoDataFrame, field: str, names: list[str]
) -> dict[str, tuple[float, float]]:
    """A lon/lat point inside each named polygon (first feature of each name), when computable."""
    if frame.crs is None:
        return {}
    try:
        lonlat = frame.to_crs("EPSG:4326")
    except Exception:
        return {}
    points: dict[str, tuple[float, float]] = {}
    for value, geometry in zip(lonlat[field], lonlat.geometry, strict=False):
        text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip()
        if (
            text in names
            and text not in points
            and geometry is not None
            and not geometry.is_empty
            and geometry.is_valid
        ):
            point = geometry.representative_point()
            points[text] = (round(point.x, 6), round(point.y, 6))
    return points


def tables_for(
    names: list[str],
    points: dict[str, tuple[float, float]],
    seed: int,
    table_names: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """The city's tables: one neighborhood row per name, a few organizations, ties."""
    rng = random.Random(seed)
    shown = table_names or names
    ids = []
    for name in names:
        base = slug(name)
        node_id, n = base, 2
        while node_id in ids:
            node_id, n = f"{base}-{n}", n + 1
        ids.append(node_id)
    source = {"source": "made up for a loading test", "source_date": "2026", "illustrative": "yes"}
    rows = []
    for node_id, name in zip(ids, shown, strict=False):
        population = rng.randrange(1500, 40000)
        rows.append(
            dict(
                neighborhood_id=node_id,
                name=name,
                population=population,
                foreign_born=rng.randrange(0, population // 3),
                **source,
            )
        )
    neighborhoods = pd.DataFrame(rows)
    chosen = [i for i, n in enumerate(names) if n in points][:6]
    orgs = []
    for j, i in enumerate(chosen):
        lon, lat = points[names[i]]
        orgs.append(
            dict(
                org_id=f"org{j + 1}",
                name=f"Organization {j + 1}",
                sector="nonprofit",
                orientation=("immigrant_serving", "receiving_community", "both")[j % 3],
                services="english;legal" if j % 2 == 0 else "health",
                languages="English;Spanish",
                anchor_type="none",
                neighborhood=shown[i],
                lat=lat,
                lon=lon,
                **source,
            )
        )
    if not orgs:  # no points computable: organizations without coordinates
        for j in range(min(3, len(names))):
            orgs.append(
                dict(
                    org_id=f"org{j + 1}",
                    name=f"Organization {j + 1}",
                    sector="nonprofit",
                    orientation="both",
                    services="english",
                    languages="English",
                    anchor_type="none",
                    neighborhood=shown[j],
                    lat="",
                    lon="",
                    **source,
                )
            )
    organizations = pd.DataFrame(orgs)
    first = orgs[0]["neighborhood"]
    communities = pd.DataFrame(
        [
            dict(
                community_id="newcomers",
                name="Newcomers",
                community_kind="immigrant",
                languages="Spanish",
                estimated_residents=50,
                **source,
            )
        ]
    )
    committees = pd.DataFrame(
        [
            dict(
                committee_id="wc1",
                name="First Welcoming Committee",
                neighborhood=first,
                status="active",
                start_date="2025",
                **source,
            )
        ]
    )
    ties = [
        dict(source_id="org1", target_id="newcomers", tie_type="serves_community", **source),
        dict(source_id="newcomers", target_id=ids[0], tie_type="lives_in", **source),
        dict(source_id="org1", target_id="wc1", tie_type="committee_member", **source),
    ]
    if len(orgs) > 1:
        ties.append(
            dict(
                source_id="org1",
                target_id="org2",
                tie_type="partnership",
                kind="referrals",
                strength=2,
                **source,
            )
        )
    return {
        "neighborhoods": neighborhoods,
        "organizations": organizations,
        "communities": communities,
        "committees": committees,
        "ties": pd.DataFrame(ties),
    }


def write_city(
    folder: Path,
    boundary: Path,
    boundary_name: str,
    toml: dict,
    tables: dict[str, pd.DataFrame],
    *,
    encoding: str = "utf-8",
    workbook: bool = False,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(boundary, folder / boundary_name)
    lines = [f"{key} = {json.dumps(value)}" for key, value in toml.items()]
    (folder / "city.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if workbook:
        with pd.ExcelWriter(folder / "city.xlsx") as writer:
            for table, frame in tables.items():
                frame.to_excel(writer, sheet_name=table, index=False)
        return
    for table, frame in tables.items():
        frame.to_csv(folder / f"{table}.csv", index=False, encoding=encoding, errors="replace")


# --- variants of the boundary file ------------------------------------------------------------


def write_geojson_without_crs(frame: gpd.GeoDataFrame, path: Path) -> None:
    """A GeoJSON with no ``crs`` member, whatever the coordinates are (as many exporters do)."""
    data = json.loads(frame.to_json(drop_id=True))
    data.pop("crs", None)
    path.write_text(json.dumps(data), encoding="utf-8")


def state_plane_feet(lonlat: gpd.GeoDataFrame) -> str | None:
    """An EPSG code of a US-feet projection whose area of use holds the city, if any."""
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_crs_info
    from pyproj.enums import PJType

    west, south, east, north = (float(v) for v in lonlat.total_bounds)
    infos = query_crs_info(
        auth_name="EPSG",
        pj_types=PJType.PROJECTED_CRS,
        contains=True,
        area_of_interest=AreaOfInterest(west, south, east, north),
    )
    feet = [
        i
        for i in infos
        if i.name.startswith("NAD83 / ")
        and "(ftUS)" in i.name
        and not i.deprecated
        and "HARN" not in i.name
        and "CORS" not in i.name
    ]
    return f"EPSG:{feet[0].code}" if feet else None


def explode_parts(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The frame with its multipart features exported as one feature per part, if any."""
    if not any(
        g is not None and g.geom_type == "MultiPolygon" and len(g.geoms) > 1 for g in frame.geometry
    ):
        return None
    return frame.explode(index_parts=False).reset_index(drop=True)


# --- running the tool -------------------------------------------------------------------------


def run_cli(argv: list[str]) -> tuple[int | None, str, str]:
    """``coalition argv`` in-process: (exit code or None on a traceback, stdout, stderr/trace)."""
    from coalition import cli

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
    except BaseException:
        return None, out.getvalue(), traceback.format_exc()
    return code, out.getvalue(), err.getvalue()


def geodesic_km2(geometry) -> float:
    """The area on the ellipsoid (rings oriented first: pyproj adds a hole wound like its shell)."""
    import shapely

    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geometry))[0]) / 1e6


def sanity(G, expected: dict[str, str] | None) -> list[str]:
    """Reasons a loaded city looks wrong (empty when it looks right)."""
    from coalition.analysis import coverage_report
    from coalition.analysis.geometry import adjacency_pairs
    from coalition.analysis.graph_index import index_graph

    reasons = []
    hoods = [(n, a) for n, a in G.nodes(data=True) if a.get("kind") == "neighborhood"]
    for node_id, attrs in hoods:
        geometry = attrs.get("geometry")
        area = attrs.get("area_km2")
        if geometry is None or area is None:
            reasons.append(f"{node_id}: no geometry or area")
            continue
        true = geodesic_km2(geometry)
        if area <= 0 or true <= 0:
            reasons.append(f"{node_id}: zero area")
        elif abs(area - true) / true > AREA_TOLERANCE:
            reasons.append(f"{node_id}: area {area:.3f} km² but geodesic {true:.3f} km²")
        if expected is not None and node_id in expected:
            point = geometry.representative_point()
            if not expected[node_id].contains(point) and expected[node_id].distance(point) > 1e-6:
                reasons.append(f"{node_id}: matched to another feature's polygon")
    if len(hoods) >= 4:
        pairs = adjacency_pairs(index_graph(G))
        if len(pairs) == 0:
            touching = gpd.GeoSeries([a["geometry"] for _, a in hoods]).buffer(0)
            tree_pairs = touching.sindex.query(touching.values, predicate="touches")
            if tree_pairs.shape[1] > 0:
                reasons.append("no adjacent pair although polygons touch")
    report = coverage_report(G, rule="own").to_dict()
    if report["summary"]["neighborhoods_covered"] == 0:
        reasons.append("an active committee but 0 neighborhoods covered")
    return reasons


def try_folder(
    folder: Path, work: Path, expect: str, expected_polygons: dict | None, full: bool, runs: int
) -> dict:
    """Validate (and load and analyse) one city folder; the record of what happened."""
    record: dict = {"folder": folder.name, "expect": expect}
    started = time.perf_counter()
    code, out, err = run_cli(["validate", str(folder)])
    lines = [ln for ln in out.splitlines() if ln.strip()]
    record["validate_seconds"] = round(time.perf_counter() - started, 2)
    if code is None:
        record.update(outcome="CRASH", step="validate", trace=err[-2500:])
        return record
    errors = [
        ln
        for ln in lines
        if not ln.startswith(("OK", "INVALID")) and "warning" not in ln.lower()[:40]
    ]
    record["messages"] = (
        sorted(lines, key=lambda ln: not ln.startswith("ERROR"))[:6] if code != 0 else lines[:6]
    )
    if code != 0:
        record["outcome"] = "refused"
        if expect == "load":
            record["outcome"] = "refused"  # judged by hand from the messages
        return record
    record["warnings"] = [ln for ln in lines if ln not in errors][:6]
    db = work / f"{folder.name}.db"
    steps = [
        ["init", str(folder)],
        ["coverage", "--json"],
        ["gaps", "--json"],
        ["rank", "--json", "--runs", str(runs)],
        ["maps", "--out", str(work / "maps")],
    ]
    if not full:
        steps = steps[:2]
    for argv in steps:
        code, out, err = run_cli([argv[0], "--db", str(db), *argv[1:]])
        if code is None:
            record.update(outcome="CRASH", step=argv[0], trace=err[-2500:])
            return record
        if code != 0 and (argv[0] == "init" or not err.strip()):
            record.update(
                outcome="SUSPICIOUS",
                step=argv[0],
                reasons=[f"validate OK but {argv[0]} exits {code}: {err[-400:]}"],
            )
            return record
        if code != 0:  # an analysis that explains why it has no answer (e.g. nothing to rank)
            record.setdefault("notes", []).append(f"{argv[0]} exits {code}: {err.strip()[:300]}")
    from coalition.store import open_store

    try:
        G = open_store(db).graph()
        reasons = sanity(G, expected_polygons)
    except Exception:
        record.update(outcome="CRASH", step="sanity", trace=traceback.format_exc()[-2500:])
        return record
    if expect == "refuse":
        reasons.insert(0, "expected a refusal, but it loaded")
    record["outcome"] = "SUSPICIOUS" if reasons else "loaded"
    if reasons:
        record["reasons"] = reasons[:8]
    record["seconds"] = round(time.perf_counter() - started, 2)
    return record


def variants(
    path: Path,
    frame: gpd.GeoDataFrame,
    field: str,
    names: list[str],
    scratch: Path,
    want_variants: bool,
    seed: int,
):
    """(label, boundary file, its name in the folder, city.toml, tables, options, expectation)."""
    suffix = path.suffix.lower()
    stored = {
        ".geojson": "neighborhoods.geojson",
        ".json": "neighborhoods.geojson",
        ".topojson": "neighborhoods.topojson",
        ".gpkg": "neighborhoods.gpkg",
        ".zip": "neighborhoods.zip",
    }[suffix]
    toml = {"name": path.stem}
    points = _points(frame, field, names)
    tables = tables_for(names, points, seed)
    if field != "name":
        toml["boundary_name_field"] = field
    yield "as-is", path, stored, toml, tables, {}, "load"
    if not want_variants:
        return
    if field != "name":
        yield "no-name-field", path, stored, {"name": path.stem}, tables, {}, "refuse"
    lonlat = frame.to_crs("EPSG:4326") if frame.crs is not None else None
    if lonlat is not None:
        code = state_plane_feet(lonlat)
        if code is None:
            code = str(lonlat.estimate_utm_crs().to_epsg())
            code = f"EPSG:{code}"
        projected = lonlat[[field, lonlat.geometry.name]].to_crs(code)
        target = scratch / f"{path.stem}-stateplane.geojson"
        write_geojson_without_crs(projected, target)
        yield "projected-no-crs", target, "neighborhoods.geojson", toml, tables, {}, "refuse"
        yield (
            "projected-boundary_crs",
            target,
            "neighborhoods.geojson",
            {**toml, "boundary_crs": code},
            tables,
            {},
            "load",
        )
        gpkg = scratch / f"{path.stem}.gpkg"
        lonlat[[field, lonlat.geometry.name]].to_file(gpkg, driver="GPKG")
        yield "gpkg", gpkg, "neighborhoods.gpkg", toml, tables, {}, "load"
        parts = explode_parts(lonlat[[field, lonlat.geometry.name]])
        if parts is not None:
            split = scratch / f"{path.stem}-parts.geojson"
            parts.to_file(split, driver="GeoJSON")
            yield (
                "multipart-as-features",
                split,
                "neighborhoods.geojson",
                toml,
                tables,
                {},
                "refuse",
            )
    folded = [strip_accents(n).lower() for n in names]
    if len(set(folded)) == len(folded):
        yield (
            "names-lowercase-no-accents",
            path,
            stored,
            toml,
            tables_for(names, points, seed, table_names=folded),
            {},
            "load",
        )
    if any(ord(c) > 127 for n in names for c in n):
        yield "cp1252-csv", path, stored, toml, tables, {"encoding": "cp1252"}, "load"
    yield "workbook", path, stored, toml, tables, {"workbook": True}, "load"


def try_file(
    path: Path, work: Path, want_variants: bool, full: bool, runs: int, seed: int
) -> list[dict]:
    base = {"file": path.name}
    try:
        frame = look(path)
    except Exception as exc:
        return [
            {
                **base,
                "variant": "as-is",
                "outcome": "unreadable",
                "messages": [f"{type(exc).__name__}: {exc}"[:200]],
            }
        ]
    field = name_field(frame)
    if field is None or frame.empty:
        return [{**base, "variant": "as-is", "outcome": "skipped", "messages": ["no properties"]}]
    names = feature_names(frame, field)
    if not names:
        return [{**base, "variant": "as-is", "outcome": "skipped", "messages": ["no names"]}]
    expected = None
    if frame.crs is not None:
        try:
            lonlat = frame.to_crs("EPSG:4326")
            expected = {}
            ids = tables_for(names, {}, seed)["neighborhoods"]["neighborhood_id"].tolist()
            by_name: dict[str, list] = {}
            for value, geometry in zip(lonlat[field], lonlat.geometry, strict=False):
                text = str(
                    int(value) if isinstance(value, float) and value.is_integer() else value
                ).strip()
                by_name.setdefault(text, []).append(geometry)
            for node_id, name in zip(ids, names, strict=False):
                geoms = [g for g in by_name.get(name, []) if g is not None and g.is_valid]
                if geoms:
                    expected[node_id] = (
                        geoms[0] if len(geoms) == 1 else gpd.GeoSeries(geoms).union_all()
                    )
        except Exception:
            expected = None
    scratch = work / f"{slug(path.stem)}-files"
    scratch.mkdir(parents=True, exist_ok=True)
    records = []
    generated = variants(path, frame, field, names, scratch, want_variants, seed)
    while True:
        try:
            label, boundary, stored, toml, tables, options, expect = next(generated)
        except StopIteration:
            break
        except Exception as exc:
            records.append(
                {
                    **base,
                    "variant": "?",
                    "outcome": "skipped",
                    "messages": [f"variant not built: {type(exc).__name__}: {exc}"[:200]],
                }
            )
            break
        folder = work / f"{slug(path.stem)}--{label}"
        write_city(folder, boundary, stored, toml, tables, **options)
        record = try_folder(folder, work, expect, expected, full, runs)
        record.update(
            base,
            variant=label,
            features=len(frame),
            names=len(names),
            name_field=field,
            crs=str(frame.crs.to_epsg() if frame.crs else None),
        )
        records.append(record)
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return records


def first_message(record: dict) -> str:
    for line in record.get("messages", []):
        if not line.startswith(("OK", "INVALID")):
            text = re.sub(r"\d[\d,.]*", "#", line)
            text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
            return text[:110]
    return "?"


def summarise(records: list[dict]) -> str:
    outcomes = Counter((r["variant"], r["outcome"]) for r in records)
    lines = [f"{len({r['file'] for r in records})} files, {len(records)} runs"]
    for (variant, outcome), n in sorted(outcomes.items()):
        lines.append(f"  {variant:28} {outcome:11} {n}")
    refused = Counter(first_message(r) for r in records if r["outcome"] == "refused")
    lines.append("refusals by first message:")
    lines.extend(f"  {n:4}  {m}" for m, n in refused.most_common(25))
    for r in records:
        if r["outcome"] in ("CRASH", "SUSPICIOUS"):
            detail = r.get("reasons") or [r.get("trace", "").strip().splitlines()[-1:]]
            lines.append(
                f"{r['outcome']}: {r['file']} [{r['variant']}] {r.get('step', '')}: {detail}"[:300]
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="boundary files or folders of them")
    parser.add_argument("--variants", action="store_true", help="also try the user mistakes")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="validate, init and coverage only (no gaps, rank, maps)",
    )
    parser.add_argument("--runs", type=int, default=20, help="rank stability runs")
    parser.add_argument("--report", type=Path, help="write every record as JSON here")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    files = []
    for path in args.paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() in BOUNDARY_SUFFIXES
                    and not p.name.endswith(".metadata.json")
                )
            )
        else:
            files.append(path)
    records: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="try-cities-") as tmp:
        work = Path(tmp)
        for number, path in enumerate(files, start=1):
            started = time.perf_counter()
            new = try_file(path, work, args.variants, not args.quick, args.runs, args.seed)
            records.extend(new)
            print(
                f"[{number}/{len(files)}] {path.name}: "
                + ", ".join(f"{r['variant']}={r['outcome']}" for r in new)
                + f" ({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
            if args.report:
                args.report.write_text(json.dumps(records, indent=1, default=str))
    print(summarise(records))
    return 1 if any(r["outcome"] in ("CRASH", "SUSPICIOUS") for r in records) else 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
