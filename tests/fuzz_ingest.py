"""Mutation fuzzing of city folders: validation never crashes, and what validates loads whole.

The strategies here mutate copies of two small valid cities, the template (``data/template``)
and the tiny city (``tests/tiny_city.py``), optionally saved as a ``city.xlsx`` workbook:
cells, whole columns (wrong types), headers (renamed, dropped, repeated, a title row above),
rows (repeated, deleted, blank), encodings (UTF-16, Windows-1252, binary), delimiters,
truncation, city.toml content, the GeoJSON's text and geometries, damaged workbook parts, and
files replaced by folders, deleted or emptied.

Each case is judged by :func:`run_case`:

- ``crash``: :func:`coalition.ingest.validate_city` raised (anything at all);
- ``partial``: the folder validated, but loading it into a fresh SQLite store failed, or the
  store gave back a different number of rows (or polygons) than validation accepted;
- ``refused`` / ``loaded``: the expected outcomes.

Used by ``tests/test_fuzz_ingest.py`` (a derandomized budget that fits CI) and by
``make fuzz``::

    python -m tests.fuzz_ingest --cases 10000

which prints one summary line (cases, crashes, partial loads) and the distinct crash sites.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import io
import json
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from coalition import schema
from coalition.exports import write_city_folder
from coalition.ingest import validate_city
from coalition.settings import PROJECT_ROOT
from coalition.store import Store

try:  # as a test module (tests/ on sys.path) or as ``python -m tests.fuzz_ingest``
    from tiny_city import make_tiny_city
except ImportError:  # pragma: no cover - depends on how it is run
    from tests.tiny_city import make_tiny_city

TEMPLATE = PROJECT_ROOT / "data" / "template"
TABLE_FILES = tuple(f"{t}.csv" for t in schema.TABLES)
FOLDER = object()  # a file replaced by a folder of the same name


# --- the valid cities that are mutated ----------------------------------------------------------

_BASES: dict[str, dict[str, bytes]] = {}


def bases() -> dict[str, dict[str, bytes]]:
    """The files of each valid base city, read once: ``{"template": {...}, "tiny": {...}}``."""
    if not _BASES:
        _BASES["template"] = {
            p.name: p.read_bytes()
            for p in sorted(TEMPLATE.iterdir())
            if p.is_file() and p.name != "README.md"
        }
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_city_folder(make_tiny_city(), Path(tmp) / "tiny")
            _BASES["tiny"] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    return _BASES


# --- hostile values -----------------------------------------------------------------------------

CURATED = [
    "",
    " ",
    "nan",
    "NaN",
    "None",
    "null",
    "N/A",
    "-",
    "inf",
    "-inf",
    "0",
    "-1",
    "1",
    "3",
    "7",
    "1.5",
    "1,000",
    "1.000,5",
    "1e400",
    "1e18",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999",
    "1000000001",
    "-0",
    "0x10",
    "١٢٣",
    "12 345",
    "41.7658",
    "-72.67",
    "91",
    "-181",
    "2024",
    "2024-13",
    "2024-02-30",
    "1799",
    "3000-01",
    "24/12/2024",
    "yes",
    "no",
    "maybe",
    "TRUE",
    "x",
    "José Pérez",
    "a b",
    "ümlaut-id",
    "lib",
    "legal",
    "latino",
    "alder",
    "Alder",
    "ALDER.",
    "Birch ",
    "Mt. Cedar",
    "Saint Dogwood",
    "riverside",
    "Riverside",
    "riverside_library",
    "example-community",
    "nav-01",
    "wc-riverside",
    "partnership",
    "friendship",
    "serves_community",
    "lives_in",
    "covers",
    "immigrant",
    "receiving",
    "both",
    "active",
    "forming",
    "english;legal",
    "english;;bogus",
    ";",
    ",",
    '"',
    '""',
    "'",
    "\t",
    "\r",
    "\n",
    "a\nb",
    "\ufeff",
    "\u200b",
    "\u202e",
    "=cmd|' /C calc'!A0",
    "+1",
    "@SUM(A1)",
    "{{7*7}}",
    "{% raw %}",
    "${7*7}",
    "{0.__class__}",
    "%(x)s",
    "<script>alert(1)</script>",
    "x" * 300,
    "é" * 50,
    "🙂",
    "\\",
    "../../etc/passwd",
]

values = st.one_of(
    st.sampled_from(CURATED),
    st.text(max_size=12),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


# --- mutations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One change to a city's files; ``what`` names it, ``args`` are its drawn parameters."""

    what: str
    target: str
    args: tuple = ()


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig", errors="replace")
    return list(csv.reader(io.StringIO(text, newline="")))


def _csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _pick(sequence, fraction: float):
    return sequence[min(int(fraction * len(sequence)), len(sequence) - 1)]


def _edit_csv(rows: list[list[str]], what: str, args: tuple) -> list[list[str]] | None:
    """The rows after one table edit (None: not applicable to this table)."""
    if not rows or not rows[0]:
        return None
    header, body = rows[0], rows[1:]
    if what == "cell" and body:
        row_f, col_f, value = args
        r = min(int(row_f * len(body)), len(body) - 1)
        c = min(int(col_f * len(header)), len(header) - 1)
        if c < len(body[r]):
            body[r][c] = value
    elif what == "column":
        col_f, value = args
        c = min(int(col_f * len(header)), len(header) - 1)
        for row in body:
            if c < len(row):
                row[c] = value
    elif what == "rename_header":
        col_f, value = args
        header[min(int(col_f * len(header)), len(header) - 1)] = value
    elif what == "drop_column":
        (col_f,) = args
        c = min(int(col_f * len(header)), len(header) - 1)
        rows = [[v for i, v in enumerate(row) if i != c] for row in rows]
        return rows
    elif what == "repeat_column":
        (col_f,) = args
        c = min(int(col_f * len(header)), len(header) - 1)
        return [[*row, row[c]] if c < len(row) else row for row in rows]
    elif what == "title_row":
        (value,) = args
        return [[value], *rows]
    elif what == "repeat_row" and body:
        (row_f,) = args
        body.append(list(_pick(body, row_f)))
    elif what == "delete_row" and body:
        (row_f,) = args
        del body[min(int(row_f * len(body)), len(body) - 1)]
    elif what == "blank_row":
        body.insert(0, [""] * len(header))
    elif what == "short_row" and body:
        (row_f,) = args
        row = _pick(body, row_f)
        del row[len(row) // 2 :]
    else:
        return None
    return [header, *body]


def _edit_geojson(data: bytes, what: str, args: tuple) -> bytes:
    """A GeoJSON with one edit of its features (text edits when it no longer parses)."""
    try:
        doc = json.loads(data)
        features = doc["features"]
        assert isinstance(features, list) and features
    except Exception:
        return data[: len(data) // 2]
    feature_f, value = args
    feature = _pick(features, feature_f)
    geometry = feature.get("geometry") or {}
    if what == "geo_coordinate":
        text = json.dumps(geometry)
        numbers = list(re.finditer(r"-?\d+\.?\d*(?:[eE][-+]?\d+)?", text))
        if numbers:
            hit = _pick(numbers, abs(hash(value)) % 97 / 97)
            replacement = value if re.fullmatch(r"-?\d+\.?\d*(?:[eE][-+]?\d+)?", value) else "1e6"
            text = text[: hit.start()] + replacement + text[hit.end() :]
            with contextlib.suppress(ValueError):  # an edit that breaks the JSON is skipped
                feature["geometry"] = json.loads(text)
    elif what == "geo_projected":  # feet-like coordinates (state plane), no CRS declared
        doc.pop("crs", None)
        for feat in features:
            text = json.dumps(feat.get("geometry"))
            text = re.sub(r"-?\d+\.\d+", lambda m: str(round(float(m.group()) * 25000, 1)), text)
            feat["geometry"] = json.loads(text)
    elif what == "geo_swap":  # latitude and longitude swapped
        text = json.dumps(geometry)
        text = re.sub(r"\[\s*(-?[\d.]+),\s*(-?[\d.]+)\s*\]", r"[\2, \1]", text)
        feature["geometry"] = json.loads(text)
    elif what == "geo_drop":
        features.remove(feature)
    elif what == "geo_repeat":
        features.append(json.loads(json.dumps(feature)))
    elif what == "geo_name":
        feature.setdefault("properties", {})["name"] = value
    elif what == "geo_property_key":
        props = feature.get("properties") or {}
        feature["properties"] = {value if k == "name" else k: v for k, v in props.items()}
    elif what == "geo_point":
        feature["geometry"] = {"type": "Point", "coordinates": [-72.7, 41.7]}
    elif what == "geo_null":
        feature["geometry"] = None
    elif what == "geo_bowtie":
        feature["geometry"] = {
            "type": "Polygon",
            "coordinates": [
                [[-72.7, 41.75], [-72.69, 41.76], [-72.69, 41.75], [-72.7, 41.76], [-72.7, 41.75]]
            ],
        }
    elif what == "geo_crs":
        doc["crs"] = {"type": "name", "properties": {"name": value}}
    return json.dumps(doc).encode("utf-8")


TOML_SNIPPETS = [
    'name = "Fuzz City"\n',
    "x = " + "[" * 1000 + "]" * 1000 + "\n",
    "x = " + "{a = " * 600 + "1" + "}" * 600 + "\n",
    'metric_crs = "EPSG:4326"\n',
    'metric_crs = "EPSG:2234"\n',
    'metric_crs = "EPSG:32618"\n',
    'metric_crs = "nonsense"\n',
    "metric_crs = 32618\n",
    'metric_crs = ""\n',
    'boundary_name_field = "geometry"\n',
    'boundary_name_field = "neighborhood_id"\n',
    'boundary_name_field = "NAME"\n',
    'boundary_name_field = ""\n',
    "boundary_name_field = 3\n",
    "name = {a = 1}\n",
    "name = [1, 2]\n",
    'name = "{{7*7}}"\n',
    "name = \n",
    "[[name]]\n",
    "\x00\x01",
    "name = '''\n",
]


def _toml(base: bytes, what: str, args: tuple) -> bytes:
    (text,) = args
    if what == "toml_replace":
        return text.encode("utf-8", errors="surrogatepass")
    return base + b"\n" + text.encode("utf-8", errors="surrogatepass")


def _encode(data: bytes, args: tuple) -> bytes:
    (encoding,) = args
    if encoding == "binary":
        return bytes(range(256)) * 4
    text = data.decode("utf-8-sig", errors="replace")
    return text.encode(encoding, errors="replace")


def _as_workbook(files: dict[str, object]) -> dict[str, object]:
    """The CSV tables (as they are, mutated or not) moved into one city.xlsx workbook."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    out = {}
    for name, data in files.items():
        if name in TABLE_FILES and isinstance(data, bytes):
            sheet = book.create_sheet(name.removesuffix(".csv"))
            rows = _csv_rows(data)
            for row in rows:
                cleaned = [
                    "".join(ch for ch in cell if ch >= " " or ch in "\t\n\r") for cell in row
                ]
                sheet.append(cleaned)
        else:
            out[name] = data
    buffer = io.BytesIO()
    book.save(buffer)
    out[schema.WORKBOOK_FILE] = buffer.getvalue()
    return out


def _edit_workbook(data: bytes, what: str, args: tuple) -> bytes:
    """A workbook with one of its zip parts damaged."""
    part_f, cut_f = args
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheets = sorted(n for n in parts if n.startswith("xl/worksheets/"))
    name = _pick(sheets or sorted(parts), part_f)
    if what == "xlsx_truncate_part":
        parts[name] = parts[name][: int(cut_f * len(parts[name]))]
    elif what == "xlsx_dimension":
        parts[name] = re.sub(
            rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD4000000"', parts[name]
        )
    elif what == "xlsx_far_row":
        parts[name] = parts[name].replace(b'<row r="2"', b'<row r="3999999"', 1)
    elif what == "xlsx_garbage_part":
        parts[name] = b"<worksheet><sheetData><row><c t='s'><v>99999</v></c></row>"
    elif what == "xlsx_drop_part":
        parts.pop(_pick(sorted(parts), part_f))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return buffer.getvalue()


def apply(base: str, mutations: list[Mutation], workbook: bool) -> dict[str, object]:
    """The files of ``base`` after the mutations (bytes, or :data:`FOLDER`)."""
    files: dict[str, object] = dict(bases()[base])
    late = []
    for mutation in mutations:
        what, target, args = mutation.what, mutation.target, mutation.args
        if what.startswith("xlsx_"):
            late.append(mutation)
            continue
        current = files.get(target)
        if what == "folder":
            files[target] = FOLDER
        elif what == "delete":
            files.pop(target, None)
        elif not isinstance(current, bytes):
            continue
        elif what == "empty":
            files[target] = b""
        elif what == "truncate":
            files[target] = current[: int(args[0] * len(current))]
        elif what == "encode":
            files[target] = _encode(current, args)
        elif what == "delimiter":
            files[target] = _csv_bytes(_csv_rows(current), delimiter=args[0])
        elif what == "flip_bytes":
            position, byte = args
            index = min(int(position * len(current)), max(len(current) - 1, 0))
            files[target] = current[:index] + bytes([byte]) + current[index + 1 :]
        elif what.startswith("toml_"):
            files[target] = _toml(current, what, args)
        elif what.startswith("geo_"):
            files[target] = _edit_geojson(current, what, args)
        else:
            rows = _edit_csv(_csv_rows(current), what, args)
            if rows is not None:
                files[target] = _csv_bytes(rows)
    if workbook:
        files = _as_workbook(files)
        for mutation in late:
            if isinstance(files.get(schema.WORKBOOK_FILE), bytes):
                files[schema.WORKBOOK_FILE] = _edit_workbook(
                    files[schema.WORKBOOK_FILE], mutation.what, mutation.args
                )
    return files


fractions = st.floats(min_value=0, max_value=1, exclude_max=True)
table_files = st.sampled_from(TABLE_FILES)
all_files = st.sampled_from([*TABLE_FILES, schema.CITY_FILE, "neighborhoods.geojson"])

mutation = st.one_of(
    st.builds(Mutation, st.just("cell"), table_files, st.tuples(fractions, fractions, values)),
    st.builds(Mutation, st.just("cell"), table_files, st.tuples(fractions, fractions, values)),
    st.builds(Mutation, st.just("column"), table_files, st.tuples(fractions, values)),
    st.builds(Mutation, st.just("rename_header"), table_files, st.tuples(fractions, values)),
    st.builds(
        Mutation,
        st.sampled_from(["drop_column", "repeat_column"]),
        table_files,
        st.tuples(fractions),
    ),
    st.builds(Mutation, st.just("title_row"), table_files, st.tuples(values)),
    st.builds(
        Mutation,
        st.sampled_from(["repeat_row", "delete_row", "blank_row", "short_row"]),
        table_files,
        st.tuples(fractions),
    ),
    st.builds(
        Mutation,
        st.just("encode"),
        table_files,
        st.tuples(
            st.sampled_from(["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-8-sig", "binary"])
        ),
    ),
    st.builds(Mutation, st.just("delimiter"), table_files, st.tuples(st.sampled_from(";\t|"))),
    st.builds(Mutation, st.just("truncate"), all_files, st.tuples(fractions)),
    st.builds(
        Mutation, st.just("flip_bytes"), all_files, st.tuples(fractions, st.integers(0, 255))
    ),
    st.builds(Mutation, st.sampled_from(["folder", "delete", "empty"]), all_files),
    st.builds(
        Mutation,
        st.sampled_from(["toml_replace", "toml_append"]),
        st.just(schema.CITY_FILE),
        st.tuples(st.one_of(st.sampled_from(TOML_SNIPPETS), st.text(max_size=40))),
    ),
    st.builds(
        Mutation,
        st.sampled_from(
            [
                "geo_coordinate",
                "geo_projected",
                "geo_swap",
                "geo_drop",
                "geo_repeat",
                "geo_name",
                "geo_property_key",
                "geo_point",
                "geo_null",
                "geo_bowtie",
                "geo_crs",
            ]
        ),
        st.just("neighborhoods.geojson"),
        st.tuples(fractions, values),
    ),
    st.builds(
        Mutation,
        st.sampled_from(
            [
                "xlsx_truncate_part",
                "xlsx_dimension",
                "xlsx_far_row",
                "xlsx_garbage_part",
                "xlsx_drop_part",
            ]
        ),
        st.just(schema.WORKBOOK_FILE),
        st.tuples(fractions, fractions),
    ),
)


@dataclass(frozen=True)
class Case:
    """A base city, whether it is saved as a workbook, and the mutations applied to it."""

    base: str
    workbook: bool
    mutations: tuple[Mutation, ...]


cases = st.builds(
    Case,
    st.sampled_from(["template", "tiny"]),
    st.integers(0, 5).map(lambda i: i == 0),  # one case in six is a workbook
    st.lists(mutation, min_size=1, max_size=3).map(tuple),
)


# --- running a case -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to a case: ``kind`` is loaded, refused, crash or partial."""

    kind: str
    detail: str = ""
    site: str = ""  # for a crash: the innermost frame in coalition/, "file:line function"
    errors: list[str] = field(default_factory=list)


def _write(folder: Path, files: dict[str, object]) -> None:
    folder.mkdir()
    for name, data in files.items():
        if data is FOLDER:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(data)


def _site(exc: BaseException) -> str:
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "/coalition/" in f.filename.replace("\\", "/")
    ]
    if not frames:
        return "outside coalition"
    frame = frames[-1]
    path = frame.filename.replace("\\", "/")
    path = path[path.rindex("/coalition/") + 1 :]
    return f"{path}:{frame.lineno} {frame.name}"


def run_case(case: Case) -> Outcome:
    """Validate the mutated folder; when it validates, load it into a fresh SQLite store."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "city"
        _write(folder, apply(case.base, list(case.mutations), case.workbook))
        try:
            report = validate_city(folder)
        except Exception as exc:
            return Outcome("crash", f"{type(exc).__name__}: {str(exc)[:200]}", _site(exc))
        if not report.ok:
            return Outcome("refused", errors=[str(p) for p in report.errors])
        city = report.city
        try:
            store = Store(f"sqlite:///{Path(tmp) / 'store.db'}")
            try:
                store.replace_city(city)
                stored = store.read_city()
            finally:
                store.engine.dispose()
        except Exception as exc:
            return Outcome(
                "partial", f"init failed: {type(exc).__name__}: {str(exc)[:200]}", _site(exc)
            )
        for table, frame in city.tables.items():
            if len(stored.tables[table]) != len(frame):
                return Outcome(
                    "partial",
                    f"{table}: {len(frame)} rows validated, {len(stored.tables[table])} stored",
                )
        if len(stored.boundaries) != len(city.boundaries):
            return Outcome(
                "partial",
                f"boundaries: {len(city.boundaries)} validated, {len(stored.boundaries)} stored",
            )
        return Outcome("loaded")


# --- make fuzz ----------------------------------------------------------------------------------


class _Slow(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Slow()


def _summary(counts: collections.Counter, sites: dict, seconds: float, slowest: float) -> str:
    return (
        f"fuzz: {counts['cases']} cases, {counts['crash']} crashes, "
        f"{counts['partial']} partial loads, "
        f"{counts['loaded']} loaded, {counts['refused']} refused; {seconds:.0f} s, "
        f"slowest case {slowest:.1f} s"
    )


def fuzz(n_cases: int, seed_value: int = 7, case_seconds: float = 60.0, progress: int = 0) -> dict:
    """Run ``n_cases`` generated cases (no shrinking); returns the counts and crash sites.

    With ``progress``, a summary line is printed every ``progress`` cases.
    """
    started = time.perf_counter()
    counts: collections.Counter[str] = collections.Counter()
    sites: dict[str, tuple[int, str, Case]] = {}
    slowest = [0.0]

    @seed(seed_value)  # the same cases every run
    @settings(
        max_examples=n_cases,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def one(case: Case) -> None:
        start = time.perf_counter()
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, case_seconds)
        try:
            outcome = run_case(case)
        except _Slow:
            outcome = Outcome("crash", f"took over {case_seconds:.0f} s", "timeout")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        slowest[0] = max(slowest[0], time.perf_counter() - start)
        counts["cases"] += 1
        counts[outcome.kind] += 1
        if outcome.kind in ("crash", "partial"):
            key = f"{outcome.kind} at {outcome.site}"
            seen = sites.get(key)
            if progress and seen is None:
                print(f"new: {key}: {outcome.detail}\n        e.g. {case}", flush=True)
            sites[key] = (seen[0] + 1 if seen else 1, outcome.detail, seen[2] if seen else case)
        if progress and counts["cases"] % progress == 0:
            print(_summary(counts, sites, time.perf_counter() - started, slowest[0]), flush=True)

    one()
    return {"counts": counts, "sites": sites, "slowest": slowest[0]}


def _fuzz_share(job: tuple[int, int, int]) -> dict:
    """One worker's share of the cases (its own seed, so the workers' cases differ)."""
    n_cases, seed_value, progress = job
    return fuzz(n_cases, seed_value=seed_value, progress=progress)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mutation-fuzz validate_city and init.")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes sharing the cases, each with its own seed (seed, seed+1…)",
    )
    parser.add_argument(
        "--progress",
        type=int,
        default=500,
        help="print a summary line every N cases per worker (0: only at the end)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    workers = max(1, min(args.workers, args.cases))
    shares = [args.cases // workers + (i < args.cases % workers) for i in range(workers)]
    jobs = [(n, args.seed + i, args.progress) for i, n in enumerate(shares)]
    if workers == 1:
        results = [_fuzz_share(jobs[0])]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_fuzz_share, jobs)
    counts: collections.Counter[str] = collections.Counter()
    sites: dict[str, tuple[int, str, Case]] = {}
    for result in results:
        counts.update(result["counts"])
        for key, (count, detail, case) in result["sites"].items():
            seen = sites.get(key)
            sites[key] = (count + (seen[0] if seen else 0), detail, seen[2] if seen else case)
    for key, (count, detail, case) in sorted(sites.items(), key=lambda kv: -kv[1][0]):
        print(f"{count:6d}  {key}: {detail}")
        print(f"        e.g. {case}")
    slowest = max(result["slowest"] for result in results)
    print(
        _summary(counts, sites, time.perf_counter() - start, slowest)
        + f"; {workers} worker(s), seeds {args.seed}–{args.seed + workers - 1}"
    )
    return 1 if counts["crash"] or counts["partial"] else 0


if __name__ == "__main__":
    sys.exit(main())
