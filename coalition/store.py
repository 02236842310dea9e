"""Where a city's validated tables are kept: an embedded SQLite database by default.

SQLAlchemy Core, so a PostgreSQL URL can follow. On SQLite the database runs in WAL mode (readers
never block the writer) and every write transaction starts with ``BEGIN IMMEDIATE`` (no two
read-then-write transactions interleave). Loading a city replaces the previous one in a single
transaction: a failed load leaves the previous contents exactly as they were.

Every write bumps ``version``; the dashboard keys its caches on it. Every version is kept in the
history (the last ``settings.HISTORY_LIMIT``) with its tables, its city's name and settings and
its boundaries, so that a replaced city can be compared with and restored
(:meth:`Store.restore`).

Examples
--------
>>> from coalition.store import open_store
>>> store = open_store("/tmp/example.db")  # doctest: +SKIP
>>> store.replace_city(read_city("data/hartford"))  # doctest: +SKIP
1
>>> store.graph().number_of_nodes()  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely
from sqlalchemy import (
    Column,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from . import schema, settings
from .errors import StoreError
from .model import WGS84, CityData, build_graph, gc_paused

log = logging.getLogger(__name__)

_SQL_TYPES = {"int": Integer, "float": Float}
metadata = MetaData()


def _table_for(name: str) -> Table:
    columns = [Column("_pos", Integer, primary_key=True)]
    for column in schema.TABLES[name]:
        columns.append(Column(column.name, _SQL_TYPES.get(column.type, Text)))
    return Table(name, metadata, *columns)


TABLES = {name: _table_for(name) for name in schema.TABLES}
BOUNDARIES = Table(
    "boundaries",
    metadata,
    Column("neighborhood_id", String, primary_key=True),
    Column("wkb", LargeBinary, nullable=False),
)
META = Table(
    "meta", metadata, Column("key", String, primary_key=True), Column("value", Text, nullable=False)
)
# One row per write: the city's tables as they were after it, so that "what changed since last
# time" can be answered (a version's boundaries and meta are kept in HISTORY_CITY).
HISTORY = Table(
    "history",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("saved_at", Text, nullable=False),
    Column("what", Text, nullable=False),
    Column("tables", LargeBinary, nullable=False),
)
# Per version: the city's name, metric CRS and load metadata (JSON) and which boundaries it had,
# so that a version of another city (replaced by ``init --replace``) can be restored whole.
# A separate table, so that stores written before it existed keep working.
HISTORY_CITY = Table(
    "history_city",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("meta", Text, nullable=False),
    Column("boundaries", String, nullable=False),
)
# Boundaries by content digest: a recorded tie does not copy the polygons again.
BOUNDARY_SETS = Table(
    "boundary_sets",
    metadata,
    Column("digest", String, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
# Meta keys kept with each version (besides the version itself).
_CITY_META = ("city", "metric_crs", "loaded_at", "source_dir", "warnings", "loaded_automatically")


def _bool_cell(value: Any, column: schema.Column) -> str:
    """A yes/no cell as stored ("1"/"0"); a missing one is the column's blank value.

    A blank ``member`` means a member (as :func:`coalition.model.is_member` reads it), so a
    city handed to the store without the column keeps its members.

    Examples
    --------
    >>> from coalition.schema import Column
    >>> member = Column("member", "bool", False, "", "yes", default=True)
    >>> [_bool_cell(v, member) for v in (None, float("nan"), False, True)]
    ['1', '1', '0', '1']
    >>> _bool_cell(None, Column("illustrative", "bool", False, "", "no"))
    '0'
    """
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        value = column.blank_value
    return "1" if bool(value) else "0"


def _encode(value: Any, column: schema.Column) -> Any:
    if column.type == "list":
        return json.dumps(list(value or []), ensure_ascii=False)
    if column.type == "bool":
        return _bool_cell(value, column)
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return None
    if column.type == "int":
        return int(value)
    if column.type == "float":
        return float(value)
    return str(value)


def _decode_column(values: Sequence[Any], column: schema.Column) -> list[Any]:
    """A column's stored cells decoded: list cells (JSON) to lists, yes/no cells to booleans.

    The list cells of a column are parsed as one JSON document, not one ``json.loads`` each;
    empty ones (most of them) are not parsed at all.

    Examples
    --------
    >>> from coalition.schema import Column
    >>> _decode_column(['["a"]', None, "[]"], Column("languages", "list", False, "", ""))
    [['a'], [], []]
    """
    if column.type == "list":
        filled = [i for i, v in enumerate(values) if v and v != "[]"]
        decoded: list[Any] = [[] for _ in values]
        if filled:
            parsed = json.loads("[" + ",".join(values[i] for i in filled) + "]")
            for i, cell in zip(filled, parsed, strict=True):
                decoded[i] = cell
        return decoded
    if column.type == "bool":
        return [v == "1" for v in values]
    return list(values)


def _read_table(conn: Connection, name: str) -> pd.DataFrame:
    """One stored table as a frame with the schema's columns, read and decoded column by column.

    The frame is the one a row-by-row read builds (pandas infers each column's type the same
    way from its values): at 100,000 ties this takes a fraction of a per-cell decode.
    """
    table, columns = TABLES[name], schema.TABLES[name]
    names = [c.name for c in columns]
    rows = conn.execute(select(*(table.c[n] for n in names)).order_by(table.c._pos)).all()
    if not rows:
        return pd.DataFrame([], columns=names)
    cells = zip(*rows, strict=True)
    return pd.DataFrame(
        {c.name: _decode_column(values, c) for c, values in zip(columns, cells, strict=True)},
        columns=names,
    )


# json.dumps(value, ensure_ascii=False) without building an encoder per call.
_LIST_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _encode_column(series: pd.Series | None, rows: int, column: schema.Column) -> list[Any]:
    """A frame's column encoded for the store (:func:`_encode` of each cell), column at a time.

    ``series`` None (no such column in the frame) encodes ``rows`` blank cells.

    Examples
    --------
    >>> from coalition.schema import Column
    >>> _encode_column(pd.Series([3.0, None]), 2, Column("population", "int", False, "", ""))
    [3, None]
    """
    if series is None:
        return [_encode(None, column)] * rows
    values = series.tolist()
    if column.type == "list":
        encode = _LIST_ENCODER.encode
        return [encode(list(v)) if v else "[]" for v in values]  # list(v or []), encoded
    if column.type == "bool":
        return [_bool_cell(v, column) for v in values]
    missing = series.isna().tolist()  # pd.isna of each cell (a list or text cell never is)
    convert = {"int": int, "float": float}.get(column.type, str)
    return [None if gone else convert(v) for v, gone in zip(values, missing, strict=True)]


def _history_blob(encoded: dict[str, dict[str, list[Any]]]) -> bytes:
    """The encoded columns of every table as zlib-compressed JSON, column by column.

    List cells are decoded back to lists (they stay lists in the history), yes/no cells to
    booleans.
    """
    tables = {
        name: {
            column.name: _decode_column(columns[column.name], column)
            for column in schema.TABLES[name]
        }
        for name, columns in encoded.items()
    }
    return zlib.compress(json.dumps(tables, ensure_ascii=False).encode("utf-8"))


def _boundaries_digest(ids: list[str], wkbs: list[bytes]) -> str:
    """A content digest of a set of boundaries (ids and WKB, in order)."""
    digest = hashlib.sha256()
    for neighborhood_id, wkb in zip(ids, wkbs, strict=False):
        encoded = neighborhood_id.encode("utf-8")
        for part in (encoded, wkb):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def _boundaries_blob(ids: list[str], wkbs: list[bytes]) -> bytes:
    """Neighborhood ids and WKB geometries (WGS84, base64) as zlib-compressed JSON.

    Compression level 1: kept once per distinct set of boundaries, written on a load, and a
    large city's polygons (2,300 neighborhoods, 7 MB of WKB) took 0.6 s, not 1.3 s at the default.
    """
    return zlib.compress(
        json.dumps(
            {"neighborhood_id": ids, "wkb": [base64.b64encode(w).decode("ascii") for w in wkbs]}
        ).encode("utf-8"),
        1,
    )


def _boundaries_from_blob(blob: bytes) -> gpd.GeoDataFrame:
    kept = json.loads(zlib.decompress(blob).decode("utf-8"))
    return gpd.GeoDataFrame(
        {
            "neighborhood_id": kept["neighborhood_id"],
            "geometry": [shapely.from_wkb(base64.b64decode(w)) for w in kept["wkb"]],
        },
        geometry="geometry",
        crs=WGS84,
    )


def _no_boundaries() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"neighborhood_id": [], "geometry": []}, geometry="geometry", crs=WGS84)


def empty_message(url: str) -> str:
    """What to say when an analysis is asked of a store with no city in it.

    Examples
    --------
    >>> empty_message("sqlite:////tmp/none.db")  # doctest: +ELLIPSIS
    'the store /tmp/none.db is empty: run `coalition init DIR` to load a city folder ...'
    """
    return (
        f"the store {url.removeprefix('sqlite:///')} is empty: run `coalition init DIR` to "
        "load a city folder (`coalition sample DIR` writes the sample city to try)."
    )


def _tables_from_blob(blob: bytes) -> dict[str, pd.DataFrame]:
    """The tables kept by :func:`_history_blob`, as frames with the schema's columns."""
    stored = json.loads(zlib.decompress(blob).decode("utf-8"))
    tables = {}
    for name, columns in schema.TABLES.items():
        kept = stored.get(name, {})
        rows = len(next(iter(kept.values()), []))
        # A column added to the schema after a version was saved reads as blank cells.
        kept = {c.name: kept.get(c.name, [c.blank_value for _ in range(rows)]) for c in columns}
        # Let pandas infer every type (as read_city does), but keep list cells as objects.
        tables[name] = pd.DataFrame(
            {
                c.name: pd.Series(kept.get(c.name, []), dtype=object)
                if c.type == "list"
                else kept.get(c.name, [])
                for c in columns
            },
            columns=[c.name for c in columns],
        )
    return tables


class Store:
    """A city's tables in a database.

    Parameters
    ----------
    url : str, optional
        A SQLite file path or an SQLAlchemy URL (default: :func:`coalition.settings.db_url`).
        A relative path means the current working directory.
    must_exist : bool, optional
        When True, a SQLite file that does not exist is not created: :class:`StoreError` says
        the store is empty (for commands that only read).
    """

    def __init__(self, url: str | Path | None = None, *, must_exist: bool = False):
        self.url = settings.db_url(url)
        if must_exist and self.url.startswith("sqlite:///"):
            path = self.url.removeprefix("sqlite:///")
            if path != ":memory:" and not Path(path).is_file():
                raise StoreError(empty_message(self.url))
        try:
            self.engine: Engine = create_engine(self.url)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(
                f"Cannot open the store at {self.url} ({exc}). Check COALITION_DB or --db."
            ) from exc
        if self.engine.dialect.name == "sqlite":
            self._configure_sqlite()
        try:
            metadata.create_all(self.engine)
            self._add_new_columns()
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc  # the driver's own words when it has them
            raise StoreError(
                f"Cannot create the store's tables at {self.url} ({cause}). Is the path writable?"
            ) from exc

    def _add_new_columns(self) -> None:
        """Add columns the schema gained since the store was made; old rows get blank cells."""
        present = {
            name: {c["name"] for c in inspect(self.engine).get_columns(name)} for name in TABLES
        }
        with self._write() as conn, conn.begin():
            for name, columns in schema.TABLES.items():
                for column in (c for c in columns if c.name not in present[name]):
                    sql_type = _SQL_TYPES.get(column.type, Text)().compile(self.engine.dialect)
                    blank = _encode(column.blank_value, column)
                    default = (
                        ""
                        if blank is None
                        else " DEFAULT "
                        + (
                            str(blank)
                            if isinstance(blank, (int, float))
                            else "'" + str(blank).replace("'", "''") + "'"
                        )
                    )
                    conn.exec_driver_sql(
                        f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" {sql_type}{default}'
                    )

    def _configure_sqlite(self) -> None:
        path = self.url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Let SQLAlchemy, not pysqlite, issue BEGIN, so that we choose its kind.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(connection: Connection) -> None:
            immediate = connection.get_execution_options().get("immediate", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    # --- transactions ---------------------------------------------------------------------------
    def _write(self):
        """A write transaction (BEGIN IMMEDIATE on SQLite)."""
        return self.engine.connect().execution_options(immediate=True)

    def _meta(self, conn: Connection) -> dict[str, Any]:
        return {row.key: json.loads(row.value) for row in conn.execute(select(META))}

    def _set_meta(self, conn: Connection, values: dict[str, Any]) -> None:
        for key, value in values.items():
            conn.execute(delete(META).where(META.c.key == key))
            conn.execute(insert(META).values(key=key, value=json.dumps(value, default=str)))

    # --- reading --------------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """City name, version, when and from where it was loaded, and the load's warnings."""
        try:
            with self.engine.connect() as conn:
                meta = self._meta(conn)
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot read the store at {self.url} ({exc}).") from exc
        meta.setdefault("version", 0)
        return meta

    def version(self) -> int:
        """A number that changes on every write (0 for an empty store)."""
        return int(self.info().get("version", 0))

    def is_empty(self) -> bool:
        """True when no city has been loaded."""
        with self.engine.connect() as conn:
            return conn.execute(select(TABLES["neighborhoods"]).limit(1)).first() is None

    def read_city(self) -> CityData:
        """The stored city's tables.

        Raises
        ------
        StoreError
            When the store is empty.
        """
        try:
            with self.engine.connect() as conn, conn.begin(), gc_paused():  # one snapshot
                return self._read_city(conn)
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot read the store at {self.url} ({exc}).") from exc

    def _read_city(self, conn: Connection) -> CityData:
        meta = self._meta(conn)
        tables = {name: _read_table(conn, name) for name in TABLES}
        if tables["neighborhoods"].empty:
            raise StoreError(empty_message(self.url))
        shapes = conn.execute(select(BOUNDARIES)).all()
        boundaries = gpd.GeoDataFrame(
            {
                "neighborhood_id": [r.neighborhood_id for r in shapes],
                "geometry": [shapely.from_wkb(r.wkb) for r in shapes],
            },
            geometry="geometry",
            crs=WGS84,
        )
        return CityData(
            name=meta.get("city", "City"),
            tables=tables,
            boundaries=boundaries,
            metric_crs=meta.get("metric_crs", "EPSG:3857"),
            meta={k: v for k, v in meta.items() if k not in ("city", "metric_crs")},
        )

    def graph(self) -> nx.MultiDiGraph:
        """The coalition graph built from the stored tables."""
        return build_graph(self.read_city())

    def datasets(self) -> pd.DataFrame:
        """Per table: rows, illustrative rows, distinct sources and the latest source date."""
        city = self.read_city()
        rows = []
        for name, frame in city.tables.items():
            sources = sorted({s for s in frame.get("source", []) if s})
            dates = sorted({d for d in frame.get("source_date", []) if d})
            rows.append(
                {
                    "table": name,
                    "rows": len(frame),
                    "illustrative_rows": int(frame["illustrative"].sum()) if len(frame) else 0,
                    "sources": len(sources),
                    "oldest_source_date": dates[0] if dates else "",
                    "latest_source_date": dates[-1] if dates else "",
                }
            )
        return pd.DataFrame(rows)

    # --- history --------------------------------------------------------------------------------
    def versions(self) -> pd.DataFrame:
        """The versions kept in the history, newest first.

        Returns
        -------
        pandas.DataFrame
            Columns ``version`` (int), ``saved_at`` (ISO time, UTC) and ``what`` (how the data
            changed: "loaded from <folder>" or what was recorded). Empty for an empty store.

        Examples
        --------
        >>> store.versions().iloc[0]["what"]  # doctest: +SKIP
        'Recorded: Dogwood Clinic and Lonely Shop work together'
        """
        query = select(HISTORY.c.version, HISTORY.c.saved_at, HISTORY.c.what).order_by(
            HISTORY.c.version.desc()
        )
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot read the store's history at {self.url} ({exc}).") from exc
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["version", "saved_at", "what"]
        ).astype({"version": "int64"})

    def read_version(self, version: int) -> CityData:
        """The city's tables as they were at ``version`` (no boundaries: an empty frame).

        Parameters
        ----------
        version : int
            One of :meth:`versions` (the last ``settings.HISTORY_LIMIT`` writes are kept).

        Returns
        -------
        CityData
            The tables as after that write; ``boundaries`` is empty (the history keeps
            tables only), ``meta`` holds ``version``, ``saved_at`` and ``what``.

        Raises
        ------
        StoreError
            For a version the history does not hold (never written, or pruned).

        Examples
        --------
        >>> store.read_version(1).tables["ties"].shape  # doctest: +SKIP
        (17, 11)
        """
        try:
            with self.engine.connect() as conn, conn.begin():
                row = conn.execute(select(HISTORY).where(HISTORY.c.version == int(version))).first()
                meta = self._meta(conn)
                oldest, newest = conn.execute(
                    select(func.min(HISTORY.c.version), func.max(HISTORY.c.version))
                ).one()
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot read the store's history at {self.url} ({exc}).") from exc
        if row is None:
            kept = (
                f"it keeps versions {oldest} to {newest}"
                if oldest is not None
                else "it keeps none yet (load a city first: coalition init data/hartford)"
            )
            raise StoreError(
                f"Version {version} is not in the store's history: {kept}. "
                "List them with: coalition changes --list"
            )
        kept_meta = self._version_meta(int(version)) or meta
        return CityData(
            name=kept_meta.get("city", "City"),
            tables=_tables_from_blob(row.tables),
            boundaries=_no_boundaries(),
            metric_crs=kept_meta.get("metric_crs", "EPSG:3857"),
            meta={"version": row.version, "saved_at": row.saved_at, "what": row.what},
        )

    def _version_meta(self, version: int) -> dict[str, Any] | None:
        """The city metadata kept with ``version`` (None for versions written before it was)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(HISTORY_CITY.c.meta).where(HISTORY_CITY.c.version == version)
            ).first()
        return json.loads(row.meta) if row else None

    def _kept_city(self, conn: Connection, version: int) -> CityData:
        """The whole city (tables, name, settings, boundaries) as it was at ``version``."""
        row = conn.execute(select(HISTORY).where(HISTORY.c.version == version)).first()
        if row is None:
            oldest, newest = conn.execute(
                select(func.min(HISTORY.c.version), func.max(HISTORY.c.version))
            ).one()
            kept = (
                f"it keeps versions {oldest} to {newest}"
                if oldest is not None
                else "it keeps none yet"
            )
            raise StoreError(
                f"Version {version} is not in the store's history ({kept}): "
                "nothing was changed. List them with: coalition changes --list"
            )
        extra = conn.execute(select(HISTORY_CITY).where(HISTORY_CITY.c.version == version)).first()
        shapes = (
            None
            if extra is None
            else conn.execute(
                select(BOUNDARY_SETS.c.data).where(BOUNDARY_SETS.c.digest == extra.boundaries)
            ).first()
        )
        if extra is None or shapes is None:
            raise StoreError(
                f"Version {version} was saved before the store kept boundaries "
                "with each version, so it cannot be restored (it can still be "
                f"compared: coalition changes --since {version}). Nothing was "
                "changed."
            )
        meta = json.loads(extra.meta)
        return CityData(
            name=meta.get("city", "City"),
            tables=_tables_from_blob(row.tables),
            boundaries=_boundaries_from_blob(shapes.data),
            metric_crs=meta.get("metric_crs", "EPSG:3857"),
            meta={k: v for k, v in meta.items() if k not in ("city", "metric_crs")},
        )

    # --- writing --------------------------------------------------------------------------------
    def _write_city(
        self,
        conn: Connection,
        city: CityData,
        version: int,
        what: str,
        loaded_at: str | None = None,
        automatic: bool = False,
    ) -> None:
        with gc_paused():
            self._write_tables(conn, city, version, what, loaded_at, automatic)

    def _write_tables(
        self,
        conn: Connection,
        city: CityData,
        version: int,
        what: str,
        loaded_at: str | None,
        automatic: bool,
    ) -> None:
        encoded: dict[str, dict[str, list[Any]]] = {}
        for name, table in TABLES.items():
            conn.execute(delete(table))
            columns = schema.TABLES[name]
            frame = city.tables.get(name)
            if frame is None or frame.empty:
                encoded[name] = {c.name: [] for c in columns}
                continue
            encoded[name] = {
                c.name: _encode_column(frame.get(c.name), len(frame), c) for c in columns
            }
            self._insert_columns(conn, table, encoded[name])
        conn.execute(delete(BOUNDARIES))
        shapes = city.boundaries.to_crs(WGS84)
        ids = [str(i) for i in shapes["neighborhood_id"]]
        wkbs = [shapely.to_wkb(g) for g in shapes.geometry]
        conn.execute(
            insert(BOUNDARIES),
            [{"neighborhood_id": i, "wkb": w} for i, w in zip(ids, wkbs, strict=False)],
        )
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        conn.execute(delete(META))
        meta = {
            "version": version,
            "city": city.name,
            "metric_crs": city.metric_crs,
            "adjacency_tolerance_m": city.meta.get("adjacency_tolerance_m", 0.0),
            "loaded_at": loaded_at or now,
            "updated_at": now,
            "source_dir": city.meta.get("source_dir"),
            "warnings": city.meta.get("warnings", []),
        }
        if automatic:  # filled with the sample because it was empty: the dashboard says so
            meta["loaded_automatically"] = True
        self._set_meta(conn, meta)
        self._keep_city(conn, version, meta, ids, wkbs)
        # In the same transaction as the data, so history and data never disagree. Rows at or
        # above this version can only be left over from a store whose meta was reset: replace.
        conn.execute(delete(HISTORY).where(HISTORY.c.version >= version))
        conn.execute(
            insert(HISTORY).values(
                version=version, saved_at=now, what=what, tables=_history_blob(encoded)
            )
        )
        conn.execute(delete(HISTORY).where(HISTORY.c.version <= version - settings.HISTORY_LIMIT))
        conn.execute(
            delete(HISTORY_CITY).where(HISTORY_CITY.c.version <= version - settings.HISTORY_LIMIT)
        )
        conn.execute(
            delete(BOUNDARY_SETS).where(
                BOUNDARY_SETS.c.digest.not_in(select(HISTORY_CITY.c.boundaries))
            )
        )

    def _insert_columns(
        self, conn: Connection, table: Table, columns: dict[str, list[Any]]
    ) -> None:
        """Insert a table's encoded columns as rows (``_pos`` 0, 1, …), in one executemany."""
        rows = zip(range(len(next(iter(columns.values())))), *columns.values(), strict=True)
        if conn.dialect.name == "sqlite":  # positional rows: no dict per row
            names = ", ".join(f'"{n}"' for n in ["_pos", *columns])
            marks = ", ".join("?" * (len(columns) + 1))
            conn.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', list(rows)
            )
        else:
            keys = ["_pos", *columns]
            conn.execute(insert(table), [dict(zip(keys, row, strict=True)) for row in rows])

    def _keep_city(
        self,
        conn: Connection,
        version: int,
        meta: dict[str, Any],
        ids: list[str],
        wkbs: list[bytes],
    ) -> None:
        """Keep the version's city metadata and boundaries (stored once per distinct set:
        recording a tie only hashes the polygons, it does not copy them again)."""
        digest = _boundaries_digest(ids, wkbs)
        if (
            conn.execute(
                select(BOUNDARY_SETS.c.digest).where(BOUNDARY_SETS.c.digest == digest)
            ).first()
            is None
        ):
            conn.execute(
                insert(BOUNDARY_SETS).values(digest=digest, data=_boundaries_blob(ids, wkbs))
            )
        conn.execute(delete(HISTORY_CITY).where(HISTORY_CITY.c.version >= version))
        conn.execute(
            insert(HISTORY_CITY).values(
                version=version,
                boundaries=digest,
                meta=json.dumps({k: meta.get(k) for k in _CITY_META}, default=str),
            )
        )

    def update(self, change: Callable[[CityData], CityData], what: str = "Changed") -> int:
        """Read, change and write the city in one transaction; returns the new version.

        The transaction starts with ``BEGIN IMMEDIATE`` on SQLite, so two people recording at
        the same moment never overwrite each other's change: the second waits, then reads the
        first one's result.

        Parameters
        ----------
        change : callable
            Takes the current city and returns the changed one (e.g.
            ``lambda city: ingest.add_records(city, "ties", rows)``); whatever it raises (a
            ValidationError) leaves the store untouched.
        what : str, optional
            What the change was, in a few words, kept in the history
            (e.g. ``"Recorded: Dogwood Clinic works with Lonely Shop"``).

        Examples
        --------
        >>> store.update(lambda city: add_records(city, "ties", [row]),
        ...              what="Recorded: a partnership")  # doctest: +SKIP
        2
        """
        try:
            with self._write() as conn, conn.begin():
                current = self._read_city(conn)
                meta = self._meta(conn)
                changed = change(current)
                version = int(meta.get("version", 0)) + 1
                self._write_city(
                    conn,
                    changed,
                    version,
                    what,
                    loaded_at=meta.get("loaded_at"),
                    automatic=bool(meta.get("loaded_automatically")),
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"Saving the change failed and nothing was changed ({exc}).") from exc
        log.info("updated %s to version %d", changed.name, version)
        return version

    def replace_city(self, city: CityData, *, automatic: bool = False) -> int:
        """Replace the stored city by ``city`` in one transaction; returns the new version.

        The replaced version stays in the history (see :meth:`restore`).

        Parameters
        ----------
        city : CityData
            The validated city (:func:`coalition.ingest.read_city`).
        automatic : bool, optional
            True when the store is filled with the sample city because it was empty (not asked
            for by name): the dashboard then says so on screen.

        Raises
        ------
        StoreError
            When the write fails; the previous contents are then untouched.

        Examples
        --------
        >>> store.replace_city(read_city("data/hartford"))  # doctest: +SKIP
        2
        """
        try:
            with self._write() as conn, conn.begin():
                version = int(self._meta(conn).get("version", 0)) + 1
                self._write_city(conn, city, version, _loaded_from(city), automatic=automatic)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Loading into the store failed and nothing was changed ({exc})."
            ) from exc
        log.info("stored %s as version %d", city.name, version)
        return version

    def restore(self, version: int) -> int:
        """Make a kept version the current data again; returns the NEW version number.

        A restore is itself a write: it adds a version (whose history entry says
        "restored version N"), so nothing is lost and a restore can be undone by restoring the
        version before it. Everything comes back: tables, the city's name and metric CRS, and
        its boundaries.

        Parameters
        ----------
        version : int
            One of :meth:`versions`.

        Raises
        ------
        StoreError
            For a version not kept (never written, or pruned), or one written before the store
            kept boundaries with each version; the store is then untouched.

        Examples
        --------
        >>> store.restore(1)  # doctest: +SKIP
        4
        """
        try:
            with self._write() as conn, conn.begin():
                kept = self._kept_city(conn, int(version))
                new_version = int(self._meta(conn).get("version", 0)) + 1
                self._write_city(
                    conn,
                    kept,
                    new_version,
                    f"restored version {int(version)} ({kept.name})",
                    loaded_at=kept.meta.get("loaded_at"),
                )
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Restoring version {version} failed and nothing was changed ({exc})."
            ) from exc
        log.info("restored version %d of %s as version %d", version, kept.name, new_version)
        return new_version


def _loaded_from(city: CityData) -> str:
    folder = city.meta.get("source_dir")
    return f"loaded from {folder}" if folder else f"loaded {city.name}"


def open_store(url: str | Path | None = None, *, must_exist: bool = False) -> Store:
    """Open (and create if needed) the store at ``url`` (default from settings / COALITION_DB).

    With ``must_exist``, a SQLite file that is not there is refused (StoreError: the store is
    empty) instead of created.

    Examples
    --------
    >>> open_store("/tmp/no-such-dir/none.db", must_exist=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    coalition.errors.StoreError: the store /tmp/no-such-dir/none.db is empty: run ...
    """
    return Store(url, must_exist=must_exist)


def ensure_loaded(store: Store, data_dir: str | Path | None = None) -> bool:
    """Load the default city folder (the sample city) into an empty store; True if it loaded.

    Only ``coalition init --if-empty`` (``make run``) and the dashboard call this, and both say
    so on screen; analyses never do (they refuse an empty store). The store remembers that it
    was filled automatically (``info()["loaded_automatically"]``) until the next load.

    Raises
    ------
    ValidationError
        When the folder has problems (the store stays empty).
    """
    if not store.is_empty():
        return False
    from .ingest import read_city  # the store itself never needs the reader

    folder = Path(data_dir) if data_dir is not None else settings.data_dir()
    store.replace_city(read_city(folder), automatic=True)
    return True
