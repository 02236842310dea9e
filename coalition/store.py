"""Where a city's validated tables are kept: an embedded SQLite database by default, or PostgreSQL.

SQLAlchemy Core, the same on both engines. On SQLite the database runs in WAL mode (readers never
block the writer) and every write transaction starts with ``BEGIN IMMEDIATE``; on PostgreSQL
(``COALITION_DB=postgresql+psycopg://…``) every write transaction first locks the one row of
``store_lock`` and reads run in ``REPEATABLE READ``: on both, no two read-then-write transactions
interleave and a read sees one version (docs/architecture.md). Loading a city replaces the
previous one in a single transaction: a failed load leaves the previous contents exactly as they
were. The schema is migrated on opening (Alembic, :mod:`coalition.migrations`).

Every write bumps ``version``; the dashboard keys its caches on it. Every version stays readable:

- a whole-city write (a load, an import, a restore) keeps a *snapshot* of every table (compressed
  JSON in ``history``) with the city's name, settings and boundaries;
- an edit (:meth:`Store.apply`) writes only the rows it changes, and keeps only those rows, before
  and after (``edits``): one edit costs its rows, not the city;
- every ``settings.CHECKPOINT_EVERY`` edits a snapshot is added (outside the edit's transaction),
  so reading an old version replays at most that many edits onto the snapshot before it.

Records are never deleted by an edit: a retired row stays in its table with ``_retired`` set and
is hidden from :meth:`Store.read_city`. Each row carries its key (``_key``: the id, or
:func:`coalition.edits.tie_key`) and the version that last changed it (``_changed``).

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
import itertools
import json
import logging
import secrets
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely
from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.types import TypeEngine

from . import accounts, i18n, schema, settings
from .accounts import Account
from .edits import (
    RETIRED,
    RowChange,
    apply_to_tables,
    inverse,
    keys_of,
    net_changes,
    plain_row,
    plain_value,
)
from .errors import (
    AccountError,
    Conflict,
    ConflictError,
    DataError,
    PermissionDenied,
    SignInError,
    StoreError,
    SurveyError,
    ValidationError,
)
from .model import WGS84, CityData, build_graph, gc_paused
from .survey import schema as survey_schema
from .survey.schema import RoundAnswers

log = logging.getLogger(__name__)


def _whole_number() -> TypeEngine[int]:
    """INTEGER (64 bits on SQLite); BIGINT on PostgreSQL, whose INTEGER has 32 bits."""
    return Integer().with_variant(BigInteger(), "postgresql")


_SQL_TYPES: dict[str, Callable[[], TypeEngine[Any]]] = {"int": _whole_number, "float": Float}
metadata = MetaData()


# Columns every table has besides the schema's: its order, key, last change and retirement.
INTERNAL_COLUMNS = {"_key": Text, "_changed": Integer, "_retired": Text}


def _table_for(name: str) -> Table:
    # Every integer key below is given by the store, never generated (no SERIAL on PostgreSQL).
    columns: list[Any] = [Column("_pos", Integer, primary_key=True, autoincrement=False)]
    columns += [Column(n, t) for n, t in INTERNAL_COLUMNS.items()]
    for column in schema.TABLES[name]:
        columns.append(Column(column.name, _SQL_TYPES.get(column.type, Text)()))
    # The same indexes _migrate gives stores written before rows had keys.
    columns.append(Index(f"ix_{name}_key", "_key", unique=True))
    if name == "ties":
        columns += [Index(f"ix_ties_{end}", end) for end in ("source_id", "target_id")]
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
    Column("version", Integer, primary_key=True, autoincrement=False),
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
    Column("version", Integer, primary_key=True, autoincrement=False),
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
# One row per version: when, what, who, from where, and its kind: "load", "import", "restore"
# (whole-city writes, with a snapshot in HISTORY) or "edit", "undo" (rows, in EDITS).
VERSIONS = Table(
    "versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("saved_at", Text, nullable=False),
    Column("what", Text, nullable=False),
    Column("who", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("kind", String, nullable=False),
)
# The rows an edit changed, before and after (zlib-compressed JSON of RowChange.as_dict()).
EDITS = Table(
    "edits",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("changes", LargeBinary, nullable=False),
)
# Versions named as meetings ("March convening"), for "since last meeting".
MEETINGS = Table(
    "meetings",
    metadata,
    Column("name", String, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("saved_at", Text, nullable=False),
    Column("who", Text, nullable=False, default=""),
)
# Accounts (coalition.accounts): name, role, the Argon2id hash of the password, and the state of
# failed sign-ins (consecutive failures, locked until when).
ACCOUNTS = Table(
    "accounts",
    metadata,
    Column("name", String, primary_key=True),
    Column("role", String, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("failed_sign_ins", Integer, nullable=False, default=0),
    Column("locked_until", Text),
    Column("last_sign_in", Text),
)
# Signed-in sessions: only the SHA-256 of the token is kept (a copy of the store signs nobody in).
SESSIONS = Table(
    "sessions",
    metadata,
    Column("token_sha256", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
)
# The audit log: sign-ins (and failures), exports, changes and account changes; never pruned.
AUDIT = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("action", String, nullable=False),
    Column("what", Text, nullable=False),
)
# PostgreSQL: the one row every write transaction locks first (SELECT ... FOR UPDATE), so that
# writes follow one another as SQLite's BEGIN IMMEDIATE makes them (docs/architecture.md).
# Present on SQLite too (one row, never locked there) so that both engines share one layout.
STORE_LOCK = Table(
    "store_lock", metadata, Column("id", Integer, primary_key=True, autoincrement=False)
)
# The partner survey (coalition.survey): its rounds, each member's answers in a round (the
# canonical tables of coalition.survey.schema, one row per respondent x partner, per respondent,
# per outside organization), and the per-member links (only the SHA-256 of each link's token).
# Kept beside the versions, not in them: restoring an old version of the city keeps the answers.
SURVEY_ROUNDS = Table(
    "survey_rounds",
    metadata,
    Column("name", String, primary_key=True),
    Column("opened_at", Text, nullable=False),
    Column("opened_by", Text, nullable=False),
    Column("closed_at", Text),
    Column("closed_by", Text),
)
SURVEY_ANSWERS = Table(
    "survey_answers",
    metadata,
    Column("round", String, primary_key=True),
    Column("respondent", String, primary_key=True),
    Column("partner", String, primary_key=True),
    Column("relation", Integer, nullable=False),
    *(Column(name, Integer) for name in survey_schema.OPTIONAL_ITEM_COLUMNS),
    Column("answered_at", Text, nullable=False),
    Column("channel", String, nullable=False),
)
SURVEY_PROFILES = Table(
    "survey_profiles",
    metadata,
    Column("round", String, primary_key=True),
    Column("respondent", String, primary_key=True),
    *(Column(name, Text, nullable=False) for name in survey_schema.LIST_COLUMNS),  # JSON lists
    Column("answered_at", Text),
    Column("channel", String),
)
SURVEY_OUTSIDE = Table(
    "survey_outside",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("round", String, nullable=False, index=True),
    Column("respondent", String, nullable=False),
    Column("name", Text, nullable=False),
    Column("relation", Integer),
)
SURVEY_LINKS = Table(
    "survey_links",
    metadata,
    Column("token_sha256", String, primary_key=True),
    Column("round", String, nullable=False),
    Column("org_id", String, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Index("ix_survey_links_member", "round", "org_id", unique=True),
)
SURVEY_TABLES = (SURVEY_ROUNDS, SURVEY_ANSWERS, SURVEY_PROFILES, SURVEY_OUTSIDE, SURVEY_LINKS)
WHOLE_CITY_KINDS = ("load", "import", "restore")
# Bumped when the store's own layout changes; _migrate brings older stores up to it.
STORE_FORMAT = 2
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
    """A cell as stored: its plain value (:func:`coalition.edits.plain_value`), lists as JSON,
    yes/no as "1"/"0"."""
    if column.type == "list":
        return json.dumps(plain_value(value, column), ensure_ascii=False)
    if column.type == "bool":
        return _bool_cell(value, column)
    return plain_value(value, column)


def stored_value(value: Any, column: schema.Column) -> Any:
    """A cell as a read of the store gives it back: encoded as written, decoded as read.

    Examples
    --------
    >>> from coalition.schema import Column
    >>> stored_value(("a",), Column("languages", "list", False, "", ""))
    ['a']
    """
    return _decode_column([_encode(value, column)], column)[0]


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


def _read_table(conn: Connection, name: str, include_retired: bool = False) -> pd.DataFrame:
    """One stored table as a frame with the schema's columns, read and decoded column by column.

    The frame is the one a row-by-row read builds (pandas infers each column's type the same
    way from its values): at 100,000 ties this takes a fraction of a per-cell decode. Retired
    rows are left out, unless ``include_retired`` (the frame then has a ``_retired`` column).
    """
    table, columns = TABLES[name], schema.TABLES[name]
    names = [c.name for c in columns]
    query = select(*(table.c[n] for n in names), table.c._retired).order_by(table.c._pos)
    if not include_retired:
        query = query.where(table.c._retired.is_(None))
    rows = conn.execute(query).all()
    shown = [*names, "_retired"] if include_retired else names
    if not rows:
        return pd.DataFrame([], columns=shown)
    cells = list(zip(*rows, strict=True))
    frame = {c.name: _decode_column(values, c) for c, values in zip(columns, cells, strict=False)}
    if include_retired:
        frame["_retired"] = [json.loads(v) if v else None for v in cells[-1]]
    return pd.DataFrame(frame, columns=shown)


def _retired_text(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None


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


def _history_blob(
    encoded: dict[str, dict[str, list[Any]]], retired: dict[str, list[Any]] | None = None
) -> bytes:
    """The encoded columns of every table as zlib-compressed JSON, column by column.

    List cells are decoded back to lists (they stay lists in the history), yes/no cells to
    booleans. ``retired`` holds each table's ``_retired`` marks (None for active rows).
    """
    tables: dict[str, dict[str, list[Any]]] = {
        name: {
            column.name: _decode_column(columns[column.name], column)
            for column in schema.TABLES[name]
        }
        for name, columns in encoded.items()
    }
    for name, marks in (retired or {}).items():
        if any(marks):
            tables[name]["_retired"] = marks
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


def _tables_from_blob(blob: bytes, include_retired: bool = False) -> dict[str, pd.DataFrame]:
    """The tables kept by :func:`_history_blob`, as frames with the schema's columns.

    Retired rows are left out unless ``include_retired`` (every frame then has ``_retired``).
    """
    stored = json.loads(zlib.decompress(blob).decode("utf-8"))
    tables = {}
    for name, columns in schema.TABLES.items():
        kept = stored.get(name, {})
        rows = len(next(iter(kept.values()), []))
        marks = kept.get("_retired") or [None] * rows
        # A column added to the schema after a version was saved reads as blank cells.
        kept = {c.name: kept.get(c.name, [c.blank_value for _ in range(rows)]) for c in columns}
        # Let pandas infer every type (as read_city does), but keep list cells as objects.
        frame = pd.DataFrame(
            {
                c.name: pd.Series(kept.get(c.name, []), dtype=object)
                if c.type == "list"
                else kept.get(c.name, [])
                for c in columns
            },
            columns=[c.name for c in columns],
        )
        if include_retired:
            frame["_retired"] = pd.Series(marks, dtype=object)
        elif any(marks):
            frame = frame[[m is None for m in marks]].reset_index(drop=True)
        tables[name] = frame
    return tables


def _changes_blob(changes: Sequence[RowChange]) -> bytes:
    return zlib.compress(
        json.dumps([c.as_dict() for c in changes], ensure_ascii=False).encode("utf-8")
    )


def _changes_from_blob(blob: bytes) -> list[RowChange]:
    return [RowChange.from_dict(d) for d in json.loads(zlib.decompress(blob).decode("utf-8"))]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _from(source: str) -> str:
    return f" from {source[:100]}" if source else ""


def _who(actor: Account, given: str) -> str:
    """The history's "who": a signed-in account's own name; the operator's given name."""
    return given if actor.operator else actor.name


# Retried like SQLite's "database is locked": PostgreSQL's serialization failure, deadlock and
# lock timeout (the transaction was rolled back whole; running it again is safe).
_RETRIED_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# The transaction-scoped advisory lock held while a PostgreSQL store's tables are created or
# migrated (the lock row does not exist yet then). Any fixed 64-bit number: "coalitn" in ASCII.
_SCHEMA_LOCK = 0x636F616C69746E
# Alembic: the migrations shipped in the package, and the revision stamped onto stores made
# before the store used Alembic (their layout is brought up to it by _add_new_columns/_migrate).
MIGRATIONS = "coalition:migrations"
BASELINE_REVISION = "0001"


def _is_busy(exc: OperationalError) -> bool:
    """True for a write that failed only because another one held the lock (retry it).

    Examples
    --------
    >>> _is_busy(OperationalError("BEGIN", {}, Exception("database is locked")))
    True
    >>> _is_busy(OperationalError("INSERT", {}, Exception("disk I/O error")))
    False
    """
    cause = getattr(exc, "orig", exc)
    if getattr(cause, "sqlstate", None) in _RETRIED_SQLSTATES:
        return True
    text_ = str(cause).lower()
    return "locked" in text_ or "busy" in text_


def _engine_url(url: str) -> URL:
    """The SQLAlchemy URL to connect to: ``postgresql://`` means the psycopg (3) driver.

    Examples
    --------
    >>> _engine_url("postgresql://u@h/db").drivername
    'postgresql+psycopg'
    >>> _engine_url("sqlite:////tmp/x.db").drivername
    'sqlite'
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def shown_url(url: str) -> str:
    """A store URL as it may be shown or logged: a password in it is replaced by ``***``.

    Examples
    --------
    >>> shown_url("postgresql+psycopg://coalition:s3cret@db/coalition")
    'postgresql+psycopg://coalition:***@db/coalition'
    >>> shown_url("sqlite:////tmp/x.db")
    'sqlite:////tmp/x.db'
    """
    try:
        parsed = make_url(url)
    except SQLAlchemyError:
        return url
    return parsed.render_as_string(hide_password=True) if parsed.password else url


def _alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's configuration for the shipped migrations (no ini file), on ``connection``."""
    from alembic.config import Config  # imported when a store is opened, not with the CLI

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def _code_revisions(config: Any) -> tuple[set[str], set[str]]:
    """Every revision this release knows, and its head(s)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(config)
    return {s.revision for s in scripts.walk_revisions()}, set(scripts.get_heads())


def _stored_revisions(conn: Connection) -> set[str]:
    """The revisions stamped in the store (empty for a store made before Alembic, or a new one)."""
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}


# --- the partner survey --------------------------------------------------------------------------
SURVEY_ROUND_COLUMNS = [
    "round",
    "opened_at",
    "opened_by",
    "closed_at",
    "closed_by",
    "is_open",
    "respondents",
]


def survey_round_name(name: Any) -> str:
    """A round's name as kept: spaces tidied, 1 to 80 printable characters.

    Raises
    ------
    SurveyError
        For an empty or too long name, or one with control characters.

    Examples
    --------
    >>> survey_round_name("  2026   spring ")
    '2026 spring'
    """
    kept = " ".join(str(name).split())
    if not kept or len(kept) > survey_schema.MAX_ROUND_NAME or not kept.isprintable():
        raise SurveyError(
            f"A round needs a name of 1 to {survey_schema.MAX_ROUND_NAME} printable "
            "characters, e.g. '2026 spring'."
        )
    return kept


@dataclass(frozen=True)
class SurveyImport:
    """What an import of survey answers does to its round, member by member.

    Attributes
    ----------
    round : str
    new : list of str
        Members that had not answered the round: their answers are added.
    replaced : list of str
        Members whose kept answers the file's replace (the file's are as recent or newer).
    kept : list of str
        Members whose kept answers are newer than the file's: the file's are left out.
    """

    round: str
    new: list[str]
    replaced: list[str]
    kept: list[str]

    @property
    def sentence(self) -> str:
        """The plan in one sentence.

        Examples
        --------
        >>> SurveyImport("spring", ["a", "b"], ["c"], []).sentence
        'Round spring: 2 members answer for the first time, 1 replaces its earlier answers.'
        """
        parts = []
        if self.new:
            verb = "answers" if len(self.new) == 1 else "answer"
            parts.append(f"{_members(len(self.new))} {verb} for the first time")
        if self.replaced:
            parts.append(
                f"{len(self.replaced)} "
                + ("replaces its" if len(self.replaced) == 1 else "replace their")
                + " earlier answers"
            )
        if self.kept:
            parts.append(
                f"{len(self.kept)} "
                + ("keeps its" if len(self.kept) == 1 else "keep their")
                + " answers (newer than the file's)"
            )
        return f"Round {self.round}: " + (", ".join(parts) if parts else "nothing to import") + "."


@dataclass(frozen=True)
class MemberAnswers:
    """One member's kept answers in a round, and when the round closed (None: still open)."""

    answers: RoundAnswers
    closed_at: str | None


def _members(count: int) -> str:
    return f"{count} member" if count == 1 else f"{count} members"


def _survey_row(table: Table, record: dict[str, Any]) -> dict[str, Any]:
    """A row of answers ready for the store: missing cells None, lists as JSON, no NUL."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.name == "seq":
            continue
        value = record.get(column.name)
        if column.name in survey_schema.LIST_COLUMNS:
            value = json.dumps(list(value) if isinstance(value, (list, tuple)) else [])
        elif value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
            value = None
        elif isinstance(column.type, Integer):
            value = int(value)
        else:  # PostgreSQL refuses NUL in text
            value = str(value).replace("\x00", "\ufffd")
        row[column.name] = value
    return row


class Store:
    """A city's tables in a database: a SQLite file, or PostgreSQL by URL.

    Opening a store creates it (at the newest schema) or brings it up to date: stores made
    before Alembic by :meth:`_add_new_columns`/:meth:`_migrate`, then the Alembic revisions in
    :mod:`coalition.migrations`. A store written by a newer release is refused.

    Parameters
    ----------
    url : str, optional
        A SQLite file path or an SQLAlchemy URL (default: :func:`coalition.settings.db_url`),
        e.g. ``postgresql+psycopg://coalition:PASSWORD@localhost/coalition``.
        A relative path means the current working directory.
    must_exist : bool, optional
        When True, a SQLite file that does not exist is not created: :class:`StoreError` says
        the store is empty (for commands that only read).
    """

    def __init__(self, url: str | Path | None = None, *, must_exist: bool = False):
        self.url = settings.db_url(url)
        self._checkpoint_lock = threading.Lock()
        self._checkpoint_thread: threading.Thread | None = None
        if must_exist and self.url.startswith("sqlite:///"):
            path = self.url.removeprefix("sqlite:///")
            if path != ":memory:" and not Path(path).is_file():
                raise StoreError(empty_message(self.shown_url))
        try:
            self.engine: Engine = self._make_engine()
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(
                f"Cannot open the store at {self.shown_url} ({exc}). Check COALITION_DB or --db."
            ) from exc
        try:
            self._bring_up_to_date()
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc  # the driver's own words when it has them
            raise StoreError(
                f"Cannot create the store's tables at {self.shown_url} ({cause}). Is the path "
                "writable (SQLite), or the server reachable and the role allowed to create "
                "tables (PostgreSQL)?"
            ) from exc

    @property
    def shown_url(self) -> str:
        """The store's URL with any password hidden, for messages and logs."""
        return shown_url(self.url)

    def _make_engine(self) -> Engine:
        url = _engine_url(self.url)
        if url.get_backend_name() == "postgresql":
            engine = create_engine(
                url,
                # Reads see one snapshot (as a SQLite reader in WAL mode does); write
                # transactions switch to READ COMMITTED in _write, after taking the lock.
                isolation_level="REPEATABLE READ",
                pool_pre_ping=True,
                # A writer waits for the lock as long as SQLite's busy timeout, then retries.
                connect_args={"options": f"-c lock_timeout={int(settings.BUSY_TIMEOUT_MS)}"},
            )
            self._configure_postgresql(engine)
            return engine
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            self._configure_sqlite(engine)
        return engine

    def _bring_up_to_date(self) -> None:
        """Create the store, or migrate it, holding the write lock while doing it.

        Several processes (or threads) may open a new store at once: creating the tables in a
        plain transaction let one of them fail at once with "database is locked" (SQLite does
        not wait when a reader asks to become the writer), so it is done in one write
        transaction (on PostgreSQL under an advisory lock), and only when something is
        missing: opening a store that is up to date takes no lock. Everything is looked at
        again inside the transaction: another process may have done it meanwhile.
        """
        config = _alembic_config()
        known, heads = _code_revisions(config)
        with self.engine.connect() as conn:
            stored = _stored_revisions(conn)
            self._refuse_newer(conn, stored, known)
            if stored == heads and self._columns_complete(self._columns_present(conn)):
                return
        with self._write(schema_lock=True) as conn, conn.begin():
            stored = _stored_revisions(conn)
            self._refuse_newer(conn, stored, known)
            config.attributes["connection"] = conn
            from alembic import command

            if not set(inspect(conn).get_table_names()) & set(metadata.tables):
                # A new store: every table as of now, stamped at the head (Alembic's recipe
                # for a database built from scratch).
                metadata.create_all(conn)
                conn.execute(insert(STORE_LOCK).values(id=1))
                self._set_meta(conn, {"store_format": STORE_FORMAT})
                command.stamp(config, "heads")
                log.info("created a new store at %s", self.shown_url)
                return
            if not stored:  # made before the store used Alembic: stamped once brought up to it
                metadata.create_all(conn, checkfirst=True)  # tables added since
                self._add_new_columns(conn)
                self._migrate(conn)
                if conn.execute(select(STORE_LOCK.c.id)).first() is None:
                    conn.execute(insert(STORE_LOCK).values(id=1))
                command.stamp(config, BASELINE_REVISION)
                log.info(
                    "stamped the store at %s with revision %s", self.shown_url, BASELINE_REVISION
                )
            if stored != heads:
                command.upgrade(config, "heads")
            # Columns follow the city schema (coalition.schema), not a migration of their own.
            self._add_new_columns(conn)

    def _refuse_newer(self, conn: Connection, stored: set[str], known: set[str]) -> None:
        """Refuse a store written by a newer release (a revision or format this one lacks)."""
        unknown = stored - known
        stamped_format = (
            self._meta(conn).get("store_format", 0) if inspect(conn).has_table("meta") else 0
        )
        if unknown or int(stamped_format or 0) > STORE_FORMAT:
            raise StoreError(
                f"The store at {self.shown_url} was written by a newer release of coalition "
                f"(schema {', '.join(sorted(unknown)) or f'format {stamped_format}'}): upgrade "
                "the tool (pip install --upgrade coalition, or git pull then make install) to "
                "open it. Nothing was changed."
            )

    def _columns_present(self, bind: Engine | Connection) -> dict[str, set[str]]:
        found = inspect(bind)
        return {
            name: {c["name"] for c in found.get_columns(name)} if found.has_table(name) else set()
            for name in TABLES
        }

    @staticmethod
    def _columns_complete(present: dict[str, set[str]]) -> bool:
        return all(
            c.name in present[name] for name, columns in schema.TABLES.items() for c in columns
        ) and all(n in present[name] for name in TABLES for n in INTERNAL_COLUMNS)

    def _add_new_columns(self, conn: Connection) -> None:
        """Add columns the schema gained since the store was made; old rows get blank cells.

        Stores made before rows had keys get ``_key``, ``_changed`` and ``_retired`` too (filled
        by :meth:`_migrate`). Runs inside :meth:`_bring_up_to_date`'s write transaction.
        """
        present = self._columns_present(conn)
        if self._columns_complete(present):
            return
        dialect = conn.dialect
        for name, columns in schema.TABLES.items():
            for internal, kind in INTERNAL_COLUMNS.items():
                if internal not in present[name]:
                    sql_type = kind().compile(dialect)
                    conn.exec_driver_sql(f'ALTER TABLE "{name}" ADD COLUMN "{internal}" {sql_type}')
            for column in (c for c in columns if c.name not in present[name]):
                sql_type = _SQL_TYPES.get(column.type, Text)().compile(dialect)
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

    def _migrate(self, conn: Connection) -> None:
        """Bring a store written before Alembic up to the baseline revision (idempotent).

        Rows without a key get one, the keys get a unique index, and a history kept before
        versions had their own table is listed in it. Runs inside :meth:`_bring_up_to_date`'s
        write transaction.
        """
        version = int(self._meta(conn).get("version", 0))
        for name, table in TABLES.items():
            positions = [r[0] for r in conn.execute(select(table.c._pos).order_by(table.c._pos))]
            if (
                not positions
                or not conn.execute(
                    select(table.c._pos).where(table.c._key.is_(None)).limit(1)
                ).first()
            ):
                continue
            keys = keys_of(name, _read_table(conn, name, include_retired=True))
            conn.execute(
                update(table)
                .where(table.c._pos == bindparam("pos"))
                .values(_key=bindparam("key"), _changed=bindparam("changed")),
                [
                    {"pos": pos, "key": key, "changed": version}
                    for pos, key in zip(positions, keys, strict=True)
                ],
            )
        for name in TABLES:
            conn.exec_driver_sql(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "ix_{name}_key" ON "{name}" ("_key")'
            )
        for end in ("source_id", "target_id"):
            conn.exec_driver_sql(f'CREATE INDEX IF NOT EXISTS "ix_ties_{end}" ON "ties" ("{end}")')
        if conn.execute(select(VERSIONS.c.version).limit(1)).first() is None:
            kept = conn.execute(select(HISTORY.c.version, HISTORY.c.saved_at, HISTORY.c.what)).all()
            if kept:
                conn.execute(
                    insert(VERSIONS),
                    [
                        {
                            "version": r.version,
                            "saved_at": r.saved_at,
                            "what": r.what,
                            "who": "",
                            "source": "",
                            "kind": "load",
                        }
                        for r in kept
                    ],
                )
        self._set_meta(conn, {"store_format": STORE_FORMAT})

    def _configure_sqlite(self, engine: Engine) -> None:
        path = self.url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Let SQLAlchemy, not pysqlite, issue BEGIN, so that we choose its kind.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # The busy timeout first: switching to WAL needs a lock too. It is sized to the
            # longest write (loading a 100,000-tie city), so a writer waits instead of failing.
            cursor.execute(f"PRAGMA busy_timeout={settings.BUSY_TIMEOUT_MS}")
            # Switching a new file to WAL while other connections open it can fail at once with
            # "database is locked" (SQLite does not call the busy handler there): try again.
            deadline = time.monotonic() + settings.BUSY_TIMEOUT_MS / 1000
            for attempt in itertools.count(1):
                try:
                    cursor.execute("PRAGMA journal_mode=WAL")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(min(0.01 * attempt, 0.2))
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            immediate = connection.get_execution_options().get("immediate", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    def _configure_postgresql(self, engine: Engine) -> None:
        """Every write transaction first locks the one row of ``store_lock`` (FOR UPDATE).

        That is PostgreSQL's BEGIN IMMEDIATE: writes follow one another, each reading what the
        one before it committed (READ COMMITTED: every statement after the lock sees it), so
        "read the version, add one" and "is this row as the form read it?" hold exactly as on
        SQLite. Readers are never blocked (MVCC). The lock goes with the transaction's commit
        or rollback, also when the process dies (the server ends its session).
        """

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            immediate = connection.get_execution_options().get("immediate", False)
            if immediate == "schema":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            elif immediate:
                locked = connection.exec_driver_sql(
                    "SELECT id FROM store_lock WHERE id = 1 FOR UPDATE"
                ).first()
                if locked is None:
                    raise StoreError(
                        "The store's lock row is missing (table store_lock): run "
                        "`INSERT INTO store_lock (id) VALUES (1)` on the database, then retry."
                    )

    # --- transactions ---------------------------------------------------------------------------
    def _write(self, *, schema_lock: bool = False) -> Connection:
        """A connection whose transactions are write transactions.

        SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: READ COMMITTED, starting with the lock of the
        ``store_lock`` row (or, with ``schema_lock``, an advisory lock: for creating and
        migrating the tables, when the row may not exist yet).
        """
        options: dict[str, Any] = {"immediate": "schema" if schema_lock else True}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "READ COMMITTED"
        return self.engine.connect().execution_options(**options)

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
            raise StoreError(f"Cannot read the store at {self.shown_url} ({exc}).") from exc
        meta.setdefault("version", 0)
        return meta

    def version(self) -> int:
        """A number that changes on every write (0 for an empty store)."""
        return int(self.info().get("version", 0))

    def is_empty(self) -> bool:
        """True when no city has been loaded."""
        with self.engine.connect() as conn:
            return conn.execute(select(TABLES["neighborhoods"]).limit(1)).first() is None

    def read_city(
        self, *, include_retired: bool = False, account: Account | None = None
    ) -> CityData:
        """The stored city's tables (its active rows), as of one version.

        Parameters
        ----------
        include_retired : bool, optional
            Keep retired rows too; every table then has a ``_retired`` column (None, or the
            ``{"on": date, "reason": text}`` of a retired row). Analyses never ask for them.
            Retired rows are history: only an editor or admin ``account`` may read them.

        Returns
        -------
        CityData
            ``meta["version"]`` is the version read (one snapshot: a write in between is
            either wholly in it or not at all).

        Raises
        ------
        StoreError
            When the store is empty.
        """
        if include_retired:
            self.acting(account, "history", "read removed records")
        try:
            with self.engine.connect() as conn, conn.begin(), gc_paused():  # one snapshot
                return self._read_city(conn, include_retired)
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot read the store at {self.shown_url} ({exc}).") from exc

    def _read_city(self, conn: Connection, include_retired: bool = False) -> CityData:
        meta = self._meta(conn)
        tables = {name: _read_table(conn, name, include_retired) for name in TABLES}
        if tables["neighborhoods"].empty:
            raise StoreError(empty_message(self.shown_url))
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

    def row(
        self, table: str, key: str, *, account: Account | None = None
    ) -> tuple[dict[str, Any] | None, int | None]:
        """One stored row (retired or not) and the version that last changed it.

        Returns
        -------
        tuple
            ``(row, version)``: the row as :func:`coalition.edits.plain_row` makes it (with
            ``_retired``), or ``(None, None)`` when no row has that key.

        Examples
        --------
        >>> store.row("organizations", "lib")[0]["name"]  # doctest: +SKIP
        'Alder Library'
        """
        self.acting(account, "edit", "read a record for editing")
        with self.engine.connect() as conn:
            return self._row(conn, table, key)

    def _row(
        self, conn: Connection, table: str, key: str
    ) -> tuple[dict[str, Any] | None, int | None]:
        stored = TABLES[table]
        found = conn.execute(select(stored).where(stored.c._key == key)).first()
        if found is None:
            return None, None
        cells = found._mapping
        row = {c.name: _decode_column([cells[c.name]], c)[0] for c in schema.TABLES[table]}
        row[RETIRED] = json.loads(cells["_retired"]) if cells["_retired"] else None
        return plain_row(table, row), cells["_changed"]

    def retired(self, table: str, *, account: Account | None = None) -> pd.DataFrame:
        """The retired rows of ``table`` with ``_retired_on`` and ``_retired_reason``.

        Examples
        --------
        >>> store.retired("ties")[["source_id", "_retired_reason"]]  # doctest: +SKIP
        """
        self.acting(account, "history", "read removed records")
        with self.engine.connect() as conn:
            frame = _read_table(conn, table, include_retired=True)
        frame = frame[frame["_retired"].notna()] if len(frame) else frame
        marks = frame["_retired"].tolist() if len(frame) else []
        return (
            frame.drop(columns="_retired")
            .assign(
                _retired_on=[m["on"] for m in marks], _retired_reason=[m["reason"] for m in marks]
            )
            .reset_index(drop=True)
        )

    # --- history --------------------------------------------------------------------------------
    def versions(self, *, account: Account | None = None) -> pd.DataFrame:
        """Every version, newest first.

        Returns
        -------
        pandas.DataFrame
            Columns ``version`` (int), ``saved_at`` (ISO time, UTC), ``what`` (how the data
            changed), ``who`` (the name the editor gave, or ""), ``kind`` ("load", "import",
            "restore", "edit" or "undo") and ``meeting`` (the names given to the version,
            joined by "; ", or ""). Empty for an empty store.

        Examples
        --------
        >>> store.versions().iloc[0]["what"]  # doctest: +SKIP
        'Recorded: Dogwood Clinic and Lonely Shop work together'
        """
        self.acting(account, "history", "read the history of changes")
        query = select(
            VERSIONS.c.version,
            VERSIONS.c.saved_at,
            VERSIONS.c.what,
            VERSIONS.c.who,
            VERSIONS.c.kind,
        ).order_by(VERSIONS.c.version.desc())
        try:
            with self.engine.connect() as conn, conn.begin():
                rows = conn.execute(query).all()
                named: dict[int, list[str]] = {}
                for meeting in conn.execute(
                    select(MEETINGS.c.name, MEETINGS.c.version).order_by(MEETINGS.c.saved_at)
                ):
                    named.setdefault(meeting.version, []).append(meeting.name)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot read the store's history at {self.shown_url} ({exc})."
            ) from exc
        return pd.DataFrame(
            [(*r, "; ".join(named.get(r.version, []))) for r in rows],
            columns=["version", "saved_at", "what", "who", "kind", "meeting"],
        ).astype({"version": "int64"})

    def _kept_range(self, conn: Connection) -> str:
        oldest, newest = conn.execute(
            select(func.min(VERSIONS.c.version), func.max(VERSIONS.c.version))
        ).one()
        return (
            f"it keeps versions {oldest} to {newest}"
            if oldest is not None
            else "it keeps none yet (load a city first: coalition init data/hartford)"
        )

    def _tables_at(
        self, conn: Connection, version: int, include_retired: bool = False
    ) -> dict[str, pd.DataFrame]:
        """Every table as it was after ``version``.

        The snapshot at or before ``version``, with the edits after it replayed.
        """
        known = conn.execute(
            select(VERSIONS.c.version).where(VERSIONS.c.version == version)
        ).first()
        base = conn.execute(
            select(HISTORY.c.version, HISTORY.c.tables)
            .where(HISTORY.c.version <= version)
            .order_by(HISTORY.c.version.desc())
            .limit(1)
        ).first()
        if known is None or base is None:
            raise StoreError(
                f"Version {version} is not in the store's history: {self._kept_range(conn)}. "
                "List them with: coalition changes --list"
            )
        tables = _tables_from_blob(base.tables, include_retired=True)
        replay: list[RowChange] = []
        for kept in conn.execute(
            select(EDITS.c.changes)
            .where(EDITS.c.version > base.version, EDITS.c.version <= version)
            .order_by(EDITS.c.version)
        ):
            replay.extend(_changes_from_blob(kept.changes))
        if replay:
            tables = apply_to_tables(tables, replay, keep_retired=True)
        if not include_retired:
            tables = {
                name: frame[frame[RETIRED].isna()].drop(columns=RETIRED).reset_index(drop=True)
                for name, frame in tables.items()
            }
        return tables

    def read_version(self, version: int, *, account: Account | None = None) -> CityData:
        """The city's tables as they were at ``version`` (no boundaries: an empty frame).

        Parameters
        ----------
        version : int
            One of :meth:`versions` (every version stays readable).

        Returns
        -------
        CityData
            The tables as after that write (active rows); ``boundaries`` is empty,
            ``meta`` holds ``version``, ``saved_at`` and ``what``.

        Raises
        ------
        StoreError
            For a version the history does not hold.

        Examples
        --------
        >>> store.read_version(1).tables["ties"].shape  # doctest: +SKIP
        (17, 11)
        """
        self.acting(account, "history", "read an old version")
        try:
            with self.engine.connect() as conn, conn.begin(), gc_paused():
                tables = self._tables_at(conn, int(version))
                row = conn.execute(select(VERSIONS).where(VERSIONS.c.version == int(version))).one()
                kept_meta = self._city_meta(conn, int(version)) or self._meta(conn)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Cannot read the store's history at {self.shown_url} ({exc})."
            ) from exc
        return CityData(
            name=kept_meta.get("city", "City"),
            tables=tables,
            boundaries=_no_boundaries(),
            metric_crs=kept_meta.get("metric_crs", "EPSG:3857"),
            meta={"version": row.version, "saved_at": row.saved_at, "what": row.what},
        )

    def _city_meta(self, conn: Connection, version: int) -> dict[str, Any] | None:
        """The city metadata in force at ``version`` (None for versions before it was kept)."""
        row = conn.execute(
            select(HISTORY_CITY.c.meta)
            .where(HISTORY_CITY.c.version <= version)
            .order_by(HISTORY_CITY.c.version.desc())
            .limit(1)
        ).first()
        return json.loads(row.meta) if row else None

    def _kept_city(self, conn: Connection, version: int) -> CityData:
        """The whole city (tables with retired rows, name, settings, boundaries) at ``version``."""
        tables = self._tables_at(conn, version, include_retired=True)
        extra = conn.execute(
            select(HISTORY_CITY)
            .where(HISTORY_CITY.c.version <= version)
            .order_by(HISTORY_CITY.c.version.desc())
            .limit(1)
        ).first()
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
            tables=tables,
            boundaries=_boundaries_from_blob(shapes.data),
            metric_crs=meta.get("metric_crs", "EPSG:3857"),
            meta={k: v for k, v in meta.items() if k not in ("city", "metric_crs")},
        )

    def changes_in(self, version: int, *, account: Account | None = None) -> list[RowChange]:
        """The rows an edit changed (before and after); [] for a whole-city version.

        Examples
        --------
        >>> [c.kind for c in store.changes_in(2)]  # doctest: +SKIP
        ['added']
        """
        self.acting(account, "history", "read the history of changes")
        with self.engine.connect() as conn:
            kept = conn.execute(
                select(EDITS.c.changes).where(EDITS.c.version == int(version))
            ).first()
        return _changes_from_blob(kept.changes) if kept else []

    def changes_between(
        self, old: int, new: int, *, account: Account | None = None
    ) -> list[RowChange] | None:
        """The net row changes from version ``old`` to ``new`` (one per row).

        None when a whole-city write (a load, an import, a restore) lies between: compare the
        two versions' tables instead (:func:`coalition.history.compare_cities`).

        Examples
        --------
        >>> len(store.changes_between(3, store.version()))  # doctest: +SKIP
        2
        """
        self.acting(account, "history", "read the history of changes")
        with self.engine.connect() as conn, conn.begin():
            kinds = conn.execute(
                select(VERSIONS.c.kind).where(
                    VERSIONS.c.version > int(old), VERSIONS.c.version <= int(new)
                )
            ).all()
            if any(k.kind in WHOLE_CITY_KINDS for k in kinds):
                return None
            changes: list[RowChange] = []
            for kept in conn.execute(
                select(EDITS.c.changes)
                .where(EDITS.c.version > int(old), EDITS.c.version <= int(new))
                .order_by(EDITS.c.version)
            ):
                changes.extend(_changes_from_blob(kept.changes))
        return net_changes(changes)

    # --- meetings -------------------------------------------------------------------------------
    def name_meeting(
        self,
        name: str,
        version: int | None = None,
        who: str = "",
        *,
        account: Account | None = None,
    ) -> int:
        """Name a version (default: the current one) as a meeting; returns the version.

        Naming again moves the name to the new version.

        Raises
        ------
        StoreError
            For an empty name, a name that is only digits, or a version not kept.

        Examples
        --------
        >>> store.name_meeting("March convening")  # doctest: +SKIP
        7
        """
        who = _who(self.acting(account, "edit", "name a meeting"), who)
        label = " ".join(str(name).split())
        if not label or label.isdigit():
            raise StoreError(
                "Give the meeting a name with words in it (for example 'March convening'): "
                "a number alone would read as a version."
            )
        if len(label) > 120:
            raise StoreError("Keep the meeting's name under 120 characters.")

        def write(conn: Connection) -> int:
            current = int(self._meta(conn).get("version", 0))
            chosen = current if version is None else int(version)
            if (
                conn.execute(select(VERSIONS.c.version).where(VERSIONS.c.version == chosen)).first()
                is None
            ):
                raise StoreError(f"Version {chosen} is not kept: {self._kept_range(conn)}.")
            conn.execute(delete(MEETINGS).where(MEETINGS.c.name == label))
            conn.execute(
                insert(MEETINGS).values(name=label, version=chosen, saved_at=_now(), who=who)
            )
            return chosen

        return self._in_write(write, "Naming the meeting")

    def meetings(self) -> pd.DataFrame:
        """The named meetings, newest first: ``name``, ``version``, ``saved_at``, ``who``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    MEETINGS.c.name, MEETINGS.c.version, MEETINGS.c.saved_at, MEETINGS.c.who
                ).order_by(MEETINGS.c.version.desc(), MEETINGS.c.saved_at.desc(), MEETINGS.c.name)
            ).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["name", "version", "saved_at", "who"]
        ).astype({"version": "int64"})

    def version_of(self, text: str | int) -> int:
        """A version given as its number or as a meeting's name.

        Raises
        ------
        StoreError
            Naming the meetings that exist.

        Examples
        --------
        >>> store.version_of("March convening")  # doctest: +SKIP
        7
        """
        given = str(text).strip()
        if given.lstrip("-").isdigit():
            with self.engine.connect() as conn:
                if (
                    conn.execute(
                        select(VERSIONS.c.version).where(VERSIONS.c.version == int(given))
                    ).first()
                    is None
                ):
                    raise StoreError(
                        f"Version {given} is not in the store's history: "
                        f"{self._kept_range(conn)}. List them with: coalition changes --list"
                    )
            return int(given)
        meetings = self.meetings()
        for name, version in zip(meetings["name"], meetings["version"], strict=True):
            if name.casefold() == " ".join(given.split()).casefold():
                return int(version)
        known = ", ".join(repr(n) for n in meetings["name"]) or "none yet"
        raise StoreError(
            f"No version or meeting is called {given!r}. Meetings: {known}. Name one with "
            "`coalition meeting NAME`, or give a version number (coalition changes --list)."
        )

    # --- writing --------------------------------------------------------------------------------
    def _in_write(self, work: Callable[[Connection], Any], doing: str) -> Any:
        """Run ``work`` in one write transaction, retrying while another write holds the lock."""
        for attempt in range(settings.WRITE_ATTEMPTS):
            try:
                with self._write() as conn, conn.begin():
                    return work(conn)
            except OperationalError as exc:
                if not _is_busy(exc) or attempt == settings.WRITE_ATTEMPTS - 1:
                    raise StoreError(f"{doing} failed and nothing was changed ({exc}).") from exc
                log.info("store busy, retrying (%s)", exc)
                time.sleep(0.05 * (attempt + 1))
            except IntegrityError as exc:
                raise StoreError(
                    f"{doing} failed and nothing was changed: another change saved the same "
                    f"record at the same moment ({exc.orig}). Reload the page and try again."
                ) from exc
            except SQLAlchemyError as exc:
                raise StoreError(f"{doing} failed and nothing was changed ({exc}).") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _add_version(
        self, conn: Connection, version: int, what: str, who: str, source: str, kind: str
    ) -> None:
        conn.execute(delete(VERSIONS).where(VERSIONS.c.version >= version))
        conn.execute(delete(EDITS).where(EDITS.c.version >= version))
        conn.execute(delete(MEETINGS).where(MEETINGS.c.version >= version))
        conn.execute(
            insert(VERSIONS).values(
                version=version, saved_at=_now(), what=what, who=who, source=source, kind=kind
            )
        )
        self._audit(conn, who or "operator", kind, f"version {version}: {what}")

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
        retired: dict[str, list[Any]] = {}
        for name, table in TABLES.items():
            conn.execute(delete(table))
            columns = schema.TABLES[name]
            frame = city.tables.get(name)
            if frame is None or frame.empty:
                encoded[name] = {c.name: [] for c in columns}
                retired[name] = []
                continue
            encoded[name] = {
                c.name: _encode_column(frame.get(c.name), len(frame), c) for c in columns
            }
            retired[name] = (
                [m if m else None for m in frame[RETIRED].tolist()]
                if RETIRED in frame.columns
                else [None] * len(frame)
            )
            internal: dict[str, list[Any]] = {
                "_key": keys_of(name, frame),
                "_changed": [version] * len(frame),
                "_retired": [_retired_text(m) for m in retired[name]],
            }
            self._insert_columns(conn, table, {**internal, **encoded[name]})
        conn.execute(delete(BOUNDARIES))
        shapes = city.boundaries.to_crs(WGS84)
        ids = [str(i) for i in shapes["neighborhood_id"]]
        wkbs = [shapely.to_wkb(g) for g in shapes.geometry]
        conn.execute(
            insert(BOUNDARIES),
            [{"neighborhood_id": i, "wkb": w} for i, w in zip(ids, wkbs, strict=False)],
        )
        now = _now()
        # The survey's revision counts on across loads and restores (caches key on it alone).
        conn.execute(delete(META).where(META.c.key.notin_(("store_format", "survey_revision"))))
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
                version=version, saved_at=now, what=what, tables=_history_blob(encoded, retired)
            )
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
        elif conn.dialect.name == "postgresql":  # COPY: a statement per row took 5x longer
            names = ", ".join(f'"{n}"' for n in ["_pos", *columns])
            driver = conn.connection.driver_connection  # the same connection and transaction
            with (
                driver.cursor() as cursor,  # type: ignore[union-attr]
                cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
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
        restoring a city with the same polygons only hashes them, it does not copy them again)."""
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

    def _write_row(
        self,
        conn: Connection,
        change: RowChange,
        current: dict[str, Any] | None,
        version: int,
    ) -> None:
        table = TABLES[change.table]
        if change.after is None:
            conn.execute(delete(table).where(table.c._key == change.key))
            return
        values = {c.name: _encode(change.after.get(c.name), c) for c in schema.TABLES[change.table]}
        values.update(_changed=version, _retired=_retired_text(change.after.get(RETIRED)))
        if current is None:
            last = conn.execute(select(func.max(table.c._pos))).scalar()
            conn.execute(
                insert(table).values(
                    _pos=(-1 if last is None else last) + 1, _key=change.key, **values
                )
            )
        else:
            conn.execute(update(table).where(table.c._key == change.key).values(**values))

    def _active(self, conn: Connection, key: str) -> bool:
        """True when ``key`` is an active row of a table other than ties."""
        for name, table in TABLES.items():
            if (
                name != "ties"
                and conn.execute(
                    select(table.c._pos).where(table.c._key == key, table.c._retired.is_(None))
                ).first()
            ):
                return True
        return False

    def _apply_rows(
        self, conn: Connection, changes: Sequence[RowChange], version: int
    ) -> list[RowChange]:
        """Write the changed rows; the changes as they were applied (before = what was stored).

        Raises ConflictError when a row is not as the change read it (someone saved it since),
        or when the changes would leave a tie whose end is retired or gone.
        """
        applied: list[RowChange] = []
        conflicts: list[Conflict] = []
        for change in changes:
            current, changed_in = self._row(conn, change.table, change.key)
            expected = None if change.before is None else plain_row(change.table, change.before)
            revived = expected is None and current is not None and current[RETIRED] is not None
            if current != expected and not revived:
                conflicts.append(Conflict(change, current, changed_in))
                continue
            self._write_row(conn, change, current, version)
            applied.append(RowChange(change.table, change.key, current, change.after))
        if conflicts:
            raise ConflictError(conflicts)
        ties = TABLES["ties"]
        for change in applied:
            after = change.after
            if change.table == "ties" and after is not None and not after.get(RETIRED):
                missing = [
                    e
                    for e in (after["source_id"], after["target_id"])
                    if not self._active(conn, str(e))
                ]
                if missing:
                    conflicts.append(Conflict(change, None, None))
            elif change.table != "ties" and (after is None or after.get(RETIRED)):
                left = conn.execute(
                    select(ties.c._key)
                    .where(
                        (ties.c.source_id == change.key) | (ties.c.target_id == change.key),
                        ties.c._retired.is_(None),
                    )
                    .limit(1)
                ).first()
                if left is not None:
                    conflicts.append(Conflict(change, None, None))
        if conflicts:
            raise ConflictError(
                conflicts,
                "A tie would be left with a retired or missing end (someone changed the same "
                "records at the same moment); nothing was saved. Reload the page and try again.",
            )
        return applied

    def apply(
        self,
        changes: Sequence[RowChange],
        *,
        what: str,
        who: str = "",
        source: str = "dashboard",
        read_version: int | None = None,
        kind: str = "edit",
        account: Account | None = None,
    ) -> int:
        """Save row changes (:mod:`coalition.edits`) as one new version; returns it.

        Only the changed rows are written, with the version row and the changes kept for the
        history: one edit costs the same at 50 organizations or 10,000. Each change's
        ``before`` must be the row as stored (or None for an add): a row that someone saved
        since the form was read is a conflict, and nothing is saved.

        Parameters
        ----------
        changes : sequence of RowChange
            From :func:`coalition.edits.add`, ``change``, ``retire``, ``merge``…
        what : str
            What the change was, in a few words, for the history.
        who : str, optional
            The name the editor gave.
        source : str, optional
            Where the change came from ("dashboard", "cli", "import").
        read_version : int, optional
            The version the form was read at (kept in the log; the rows themselves decide).
        kind : str, optional
            "edit" (default), "undo" or "import".
        account : Account, optional
            The acting account (an editor or admin; "import" needs the import right). Its name
            is the history's "who"; ``who`` is used only for the operator.

        Raises
        ------
        PermissionDenied
            When the account may not change the city.
        ConflictError
            Listing each row changed since it was read, with its current value.
        StoreError
            When the write fails; nothing is then changed.

        Examples
        --------
        >>> store.apply(edits.change(city, "organizations", "lib", {"name": "Library"}),
        ...             what="Renamed the library", who="Ana")  # doctest: +SKIP
        8
        """
        actor = self.acting(account, "import" if kind == "import" else "edit", "change the city")
        who = _who(actor, who)
        if not changes:
            return self.version()

        def write(conn: Connection) -> int:
            version = int(self._meta(conn).get("version", 0)) + 1
            applied = self._apply_rows(conn, changes, version)
            self._add_version(conn, version, what, who, source, kind)
            conn.execute(insert(EDITS).values(version=version, changes=_changes_blob(applied)))
            self._set_meta(conn, {"version": version, "updated_at": _now()})
            return version

        version = self._in_write(write, "Saving the change")
        log.info("saved %d row(s) as version %d (read at %s)", len(changes), version, read_version)
        self._checkpoint_if_due(version)
        return version

    def _checkpoint_if_due(self, version: int) -> None:
        """Keep a snapshot after ``settings.CHECKPOINT_EVERY`` edits in a row.

        Read in a read transaction (writers go on), then written in a short one; by default in
        a background thread, so the edit that makes it due is not the one that waits for it
        (5 s at 10,000 organizations). The edit is saved before: a checkpoint that cannot be
        kept (the store busy past every retry) is logged, not raised, since raising would
        report the saved edit as not saved (and the editor, saving it again, would meet a
        conflict with their own edit). The next edit tries again.
        """
        with self.engine.connect() as conn:
            base = conn.execute(select(func.max(HISTORY.c.version))).scalar() or 0
        if version - base < settings.CHECKPOINT_EVERY:
            return
        if not settings.CHECKPOINT_IN_BACKGROUND:
            self._checkpoint_now(version)
            return
        with self._checkpoint_lock:
            if self._checkpoint_thread is not None and self._checkpoint_thread.is_alive():
                return  # one at a time; the next edit finds it due again if it failed
            self._checkpoint_thread = threading.Thread(
                target=self._checkpoint_now, args=(version,), name="checkpoint", daemon=True
            )
            self._checkpoint_thread.start()

    def wait_for_checkpoint(self, timeout: float | None = None) -> None:
        """Wait until a checkpoint being kept in the background is kept (tests, shutdown)."""
        thread = self._checkpoint_thread
        if thread is not None:
            thread.join(timeout)

    def _checkpoint_now(self, version: int) -> None:
        try:
            self._keep_checkpoint(version)
        except (StoreError, SQLAlchemyError) as exc:
            log.warning("no checkpoint kept after version %d (the edit is saved): %s", version, exc)

    def _keep_checkpoint(self, version: int) -> None:
        with self.engine.connect() as conn:
            base = conn.execute(select(func.max(HISTORY.c.version))).scalar() or 0
        if version - base < settings.CHECKPOINT_EVERY:
            return  # kept meanwhile
        with self.engine.connect() as conn, conn.begin(), gc_paused():
            at = int(self._meta(conn).get("version", 0))
            encoded: dict[str, dict[str, list[Any]]] = {}
            retired: dict[str, list[Any]] = {}
            for name in TABLES:
                frame = _read_table(conn, name, include_retired=True)
                encoded[name] = {
                    c.name: _encode_column(frame.get(c.name), len(frame), c)
                    for c in schema.TABLES[name]
                }
                retired[name] = frame[RETIRED].tolist() if len(frame) else []
            what = conn.execute(select(VERSIONS.c.what).where(VERSIONS.c.version == at)).scalar()
        blob = _history_blob(encoded, retired)

        def write(conn: Connection) -> None:
            if conn.execute(select(HISTORY.c.version).where(HISTORY.c.version == at)).first():
                return
            conn.execute(
                insert(HISTORY).values(version=at, saved_at=_now(), what=what or "", tables=blob)
            )

        self._in_write(write, "Keeping a checkpoint")
        log.info("kept a checkpoint of version %d", at)

    def update(
        self,
        change: Callable[[CityData], CityData],
        what: str = "Changed",
        *,
        account: Account | None = None,
    ) -> int:
        """Read, change and save the city in one transaction; returns the new version.

        Only the rows that differ are written (as :meth:`apply` does). The transaction starts
        with ``BEGIN IMMEDIATE`` on SQLite, so two people recording at the same moment never
        overwrite each other's change: the second waits, then reads the first one's result.

        Parameters
        ----------
        change : callable
            Takes the current city and returns the changed one (e.g.
            ``lambda city: ingest.add_records(city, "ties", rows)``); whatever it raises (a
            ValidationError) leaves the store untouched.
        what : str, optional
            What the change was, in a few words, kept in the history.
        account : Account, optional
            The acting account (an editor or admin).

        Examples
        --------
        >>> store.update(lambda city: add_records(city, "ties", [row]),
        ...              what="Recorded: a partnership")  # doctest: +SKIP
        2
        """

        who = _who(self.acting(account, "edit", "change the city"), "")

        def write(conn: Connection) -> int:
            current = self._read_city(conn)
            changed = change(current)
            version = int(self._meta(conn).get("version", 0)) + 1
            rows = _row_changes(current, changed)
            applied = self._apply_rows(conn, rows, version)
            self._add_version(conn, version, what, who, "dashboard", "edit")
            conn.execute(insert(EDITS).values(version=version, changes=_changes_blob(applied)))
            self._set_meta(conn, {"version": version, "updated_at": _now()})
            return version

        version = self._in_write(write, "Saving the change")
        log.info("updated the city to version %d", version)
        self._checkpoint_if_due(version)
        return version

    def replace_city(
        self,
        city: CityData,
        *,
        automatic: bool = False,
        what: str | None = None,
        who: str = "",
        kind: str = "load",
        account: Account | None = None,
    ) -> int:
        """Replace the stored city by ``city`` in one transaction; returns the new version.

        The replaced version stays in the history (see :meth:`restore`).

        Parameters
        ----------
        city : CityData
            The validated city (:func:`coalition.ingest.read_city`).
        automatic : bool, optional
            True when the store is filled with the sample city because it was empty (not asked
            for by name): the dashboard then says so on screen.
        what : str, optional
            What the history says (default: "loaded from <folder>").
        who : str, optional
            Who loaded it.
        kind : str, optional
            "load" (default) or "import" (from the dashboard's import).
        account : Account, optional
            The acting account (an editor or admin).

        Raises
        ------
        PermissionDenied
            When the account may not load or import.
        StoreError
            When the write fails; the previous contents are then untouched.

        Examples
        --------
        >>> store.replace_city(read_city("data/hartford"))  # doctest: +SKIP
        2
        """
        who = _who(self.acting(account, "import", "load or import a city"), who)
        label = what or _loaded_from(city)

        def write(conn: Connection) -> int:
            version = int(self._meta(conn).get("version", 0)) + 1
            self._add_version(conn, version, label, who, kind, kind)
            self._write_city(conn, city, version, label, automatic=automatic)
            return version

        version = self._in_write(write, "Loading into the store")
        log.info("stored %s as version %d", city.name, version)
        return version

    def restore(
        self,
        version: int,
        *,
        who: str = "",
        what: str | None = None,
        account: Account | None = None,
    ) -> int:
        """Make a kept version the current data again; returns the NEW version number.

        A restore is itself a write: it adds a version (whose history entry says
        "restored version N"), so nothing is lost and a restore can be undone by restoring the
        version before it. Everything comes back: tables (with their retired rows), the city's
        name and metric CRS, and its boundaries.

        Raises
        ------
        StoreError
            For a version not kept, or one written before the store kept boundaries with each
            version; the store is then untouched.

        Examples
        --------
        >>> store.restore(1)  # doctest: +SKIP
        4
        """
        who = _who(self.acting(account, "restore", "restore a version"), who)
        kept_name: list[str] = []

        def write(conn: Connection) -> int:
            kept = self._kept_city(conn, int(version))
            kept_name.append(kept.name)
            new_version = int(self._meta(conn).get("version", 0)) + 1
            label = what or f"restored version {int(version)} ({kept.name})"
            self._add_version(conn, new_version, label, who, "dashboard", "restore")
            self._write_city(conn, kept, new_version, label, loaded_at=kept.meta.get("loaded_at"))
            return new_version

        new_version = self._in_write(write, f"Restoring version {version}")
        log.info("restored version %d of %s as version %d", version, kept_name[0], new_version)
        return new_version

    def undo(
        self, *, who: str = "", version: int | None = None, account: Account | None = None
    ) -> int:
        """Undo a version as a NEW version; returns it.

        Parameters
        ----------
        who : str, optional
            Whose last change to undo (the name the editor gave; "" for changes saved without
            a name), and who undoes it.
        version : int, optional
            The version to undo (default: the latest one ``who`` saved).
        account : Account, optional
            The acting account (an editor; undoing a whole-city write needs an admin). For a
            signed-in account ``who`` is its name.

        Raises
        ------
        ConflictError
            When a row the version changed was changed again since (nothing is undone).
        StoreError
            When there is nothing to undo, or the version is the first load, or it replaced
            the whole city (a load, an import, a restore: undone by restoring the version
            before it) and other versions were saved after it.

        Examples
        --------
        >>> store.undo(who="Ana")  # doctest: +SKIP
        9
        """
        actor = self.acting(account, "edit", "undo a change")
        who = _who(actor, who)
        kept = self.versions(account=account)
        if version is None:
            mine = kept[kept["who"] == who]
            if mine.empty:
                raise StoreError(
                    "There is nothing of yours to undo"
                    + (f" ({who})" if who else "")
                    + ": no version was saved under that name."
                )
            version = int(mine.iloc[0]["version"])
        target = kept[kept["version"] == int(version)]
        if target.empty:
            raise StoreError(f"Version {version} is not kept: nothing to undo.")
        entry = target.iloc[0]
        if entry["kind"] in WHOLE_CITY_KINDS:
            earlier = kept[kept["version"] < int(version)]
            if earlier.empty:
                raise StoreError(
                    "The first version cannot be undone: there is nothing before it. Load "
                    "another folder instead (coalition init DIR --replace)."
                )
            later = kept[kept["version"] > int(version)]
            if not later.empty:  # restoring the version before would drop them unnoticed
                raise StoreError(
                    f"Version {version} ({entry['what']}) replaced the whole city and "
                    f"{len(later)} version(s) were saved after it; undoing it would discard "
                    "them too, so nothing was undone. To go back anyway, restore version "
                    f"{int(earlier.iloc[0]['version'])} (every version stays readable)."
                )
            return self.restore(
                int(earlier.iloc[0]["version"]),
                who=who,
                what=f"undid version {version}: {entry['what']}",
                account=account,
            )
        return self.apply(
            inverse(self.changes_in(int(version), account=account)),
            what=f"undid version {version}: {entry['what']}",
            who=who,
            kind="undo",
            account=account,
        )

    def backup(self, path: str | Path, *, account: Account | None = None) -> Path:
        """Copy the store to a new SQLite file ``path``, safely while the app runs.

        A SQLite store is copied with SQLite's online backup. A PostgreSQL store is copied table
        by table, in one read transaction (one consistent snapshot), into a new SQLite store:
        the backup opens with ``coalition --db PATH`` like any store, and can be kept, sent or
        restored without a server. (``pg_dump`` backs up the server's database as it is:
        docs/deploy.md.)

        Restore from a backup by pointing the app at it (``COALITION_DB=PATH``) or copying it
        over the store while the app is stopped (docs/dashboard.md).

        Raises
        ------
        StoreError
            When ``path`` exists, or the copy fails (nothing is then left at ``path``).

        Examples
        --------
        >>> store.backup("/tmp/coalition-2026-11-30.db")  # doctest: +SKIP
        PosixPath('/tmp/coalition-2026-11-30.db')
        """
        actor = self.acting(account, "backup", "back up the store")
        target = Path(path).expanduser()
        if target.exists():
            raise StoreError(f"{target} exists already: give a new file name for the backup.")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        leftovers = [partial.with_name(partial.name + end) for end in ("", "-wal", "-shm")]
        for leftover in leftovers:  # of a backup that was interrupted
            leftover.unlink(missing_ok=True)
        try:
            if self.engine.dialect.name == "sqlite":
                self._sqlite_backup(partial)
            else:
                self._copy_to_sqlite(partial)
            partial.replace(target)
        except (sqlite3.Error, OSError, SQLAlchemyError, StoreError) as exc:
            raise StoreError(
                f"The backup to {target} failed ({exc}); nothing was written."
            ) from exc
        finally:
            for leftover in leftovers:
                leftover.unlink(missing_ok=True)
        self.audit("backup", f"backed up the store to {target.name}", account=actor)
        log.info("backed up the store to %s", target)
        return target

    def _sqlite_backup(self, partial: Path) -> None:
        raw = self.engine.raw_connection()
        try:
            with sqlite3.connect(partial) as copy:
                raw.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.close()
        finally:
            raw.close()

    def _copy_to_sqlite(self, partial: Path) -> None:
        """Copy every table into a new SQLite store at ``partial``, from one snapshot."""
        copy = Store(partial)  # made at this release's schema, as this store is
        try:
            with (
                self.engine.connect() as source,
                source.begin(),
                copy._write() as target,
                target.begin(),
            ):
                for table in metadata.sorted_tables:
                    target.execute(delete(table))
                    rows = source.execute(select(table).execution_options(yield_per=5000))
                    for chunk in rows.partitions():
                        target.execute(insert(table), [row._asdict() for row in chunk])
            with copy.engine.connect() as conn:  # everything into the file itself, no WAL left
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            copy.engine.dispose()

    # --- accounts, sessions and the audit log ---------------------------------------------------
    def has_accounts(self) -> bool:
        """True once any account exists: the dashboard then signs everyone in."""
        with self.engine.connect() as conn:
            return conn.execute(select(ACCOUNTS.c.name).limit(1)).first() is not None

    def has_admin(self) -> bool:
        """True when an admin account exists (``serve`` on a network address needs one)."""
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(ACCOUNTS.c.name).where(ACCOUNTS.c.role == "admin").limit(1)
                ).first()
                is not None
            )

    def acting(self, account: Account | None, action: str, doing: str) -> Account:
        """The account an operation acts as, checked against ``action``'s role.

        A stored account is read again from the store (its role now, not when it signed in:
        a removed or demoted account loses its rights at once). ``None`` means the operator
        while the store has no accounts, and nobody once it has.

        Raises
        ------
        PermissionDenied
            When the account may not do ``action`` (its message says which role may).

        Examples
        --------
        >>> store.acting(None, "edit", "record a change").operator  # doctest: +SKIP
        True
        """
        if account is None:
            if self.has_accounts():
                raise PermissionDenied(
                    f"This store has accounts: sign in to {doing} (library callers pass the "
                    "acting account; the command line acts as the store's operator)."
                )
            return accounts.require(accounts.operator(), action, doing)
        if account.operator:
            return accounts.require(account, action, doing)
        with self.engine.connect() as conn:
            role = conn.execute(
                select(ACCOUNTS.c.role).where(ACCOUNTS.c.name == account.name)
            ).scalar()
        if role is None:
            raise PermissionDenied(
                f"The account {account.name} no longer exists, so it may not {doing}. "
                "Sign in again with another account."
            )
        return accounts.require(accounts.Account(account.name, role), action, doing)

    def add_account(
        self, name: str, password: str, role: str = "viewer", *, account: Account | None = None
    ) -> accounts.Account:
        """Add an account (admins only; the operator may add the first one).

        Raises
        ------
        AccountError
            For a bad name, role or password, or a name already taken.
        PermissionDenied
            When the acting account is not an admin.

        Examples
        --------
        >>> store.add_account("ana", "correct horse battery", "admin")  # doctest: +SKIP
        Account(name='ana', role='admin', operator=False)
        """
        actor = self.acting(account, "accounts", "add an account")
        name, role = accounts.check_name(name), accounts.check_role(role)
        hashed = accounts.hash_password(password)

        def write(conn: Connection) -> None:
            if conn.execute(select(ACCOUNTS.c.name).where(ACCOUNTS.c.name == name)).first():
                raise AccountError(
                    f"An account called {name} exists already: choose another name, or change "
                    f"its role with: coalition user set-role {name} ROLE"
                )
            conn.execute(
                insert(ACCOUNTS).values(
                    name=name, role=role, password_hash=hashed, created_at=_now(), failed_sign_ins=0
                )
            )
            self._audit(conn, actor.name, "account", f"added {name} as {role}")

        self._in_write(write, "Adding the account")
        return accounts.Account(name, role)

    def remove_account(self, name: str, *, account: Account | None = None) -> None:
        """Remove an account and end its sessions (admins only; never the last admin).

        Examples
        --------
        >>> store.remove_account("old-volunteer", account=admin)  # doctest: +SKIP
        """
        actor = self.acting(account, "accounts", "remove an account")

        def write(conn: Connection) -> None:
            role = self._account_role(conn, name)
            if role == "admin" and self._admins(conn) == 1:
                raise AccountError(
                    f"{name} is the only admin: add another admin before removing it, or nobody "
                    "could manage the accounts."
                )
            conn.execute(delete(SESSIONS).where(SESSIONS.c.name == name))
            conn.execute(delete(ACCOUNTS).where(ACCOUNTS.c.name == name))
            self._audit(conn, actor.name, "account", f"removed {name}")

        self._in_write(write, "Removing the account")

    def set_role(self, name: str, role: str, *, account: Account | None = None) -> None:
        """Change an account's role (admins only; the last admin stays an admin).

        Examples
        --------
        >>> store.set_role("ana", "editor", account=admin)  # doctest: +SKIP
        """
        actor = self.acting(account, "accounts", "change a role")
        role = accounts.check_role(role)

        def write(conn: Connection) -> None:
            before = self._account_role(conn, name)
            if before == "admin" and role != "admin" and self._admins(conn) == 1:
                raise AccountError(
                    f"{name} is the only admin: make another account an admin first, or nobody "
                    "could manage the accounts."
                )
            conn.execute(update(ACCOUNTS).where(ACCOUNTS.c.name == name).values(role=role))
            self._audit(conn, actor.name, "account", f"{name}: {before} -> {role}")

        self._in_write(write, "Changing the role")

    def set_password(self, name: str, password: str, *, account: Account | None = None) -> None:
        """Set an account's password and unlock it; ends its sessions.

        An admin may set anyone's password; any account may set its own.

        Examples
        --------
        >>> store.set_password("ana", "another long passphrase", account=ana)  # doctest: +SKIP
        """
        action = "view" if account is not None and account.name == name else "accounts"
        actor = self.acting(account, action, "set a password")
        hashed = accounts.hash_password(password)

        def write(conn: Connection) -> None:
            self._account_role(conn, name)
            conn.execute(
                update(ACCOUNTS)
                .where(ACCOUNTS.c.name == name)
                .values(password_hash=hashed, failed_sign_ins=0, locked_until=None)
            )
            conn.execute(delete(SESSIONS).where(SESSIONS.c.name == name))
            self._audit(conn, actor.name, "account", f"set the password of {name}")

        self._in_write(write, "Setting the password")

    def accounts(self, *, account: Account | None = None) -> pd.DataFrame:
        """The accounts (admins only): name, role, created_at, last_sign_in, locked_until.

        Examples
        --------
        >>> store.accounts(account=admin)["role"].tolist()  # doctest: +SKIP
        ['admin', 'viewer']
        """
        self.acting(account, "accounts", "list the accounts")
        columns = ["name", "role", "created_at", "last_sign_in", "locked_until"]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(*(ACCOUNTS.c[c] for c in columns)).order_by(ACCOUNTS.c.name)
            ).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)

    def sign_in(self, name: str, password: str, *, source: str = "") -> tuple[Account, str]:
        """Check a name and password; returns the account and a new session token.

        After :data:`coalition.settings.LOCKOUT_AFTER` failures in a row the account is locked
        for :data:`coalition.settings.LOCKOUT_MINUTES` (a correct password then fails too). A
        wrong name and a wrong password get the same message. Every attempt is audited.

        Parameters
        ----------
        source : str, optional
            Where the attempt came from (e.g. the browser's address), for the audit log.

        Raises
        ------
        SignInError
            Saying only "wrong name or password", or that the account is locked and until when.

        Examples
        --------
        >>> account, token = store.sign_in("ana", "correct horse battery")  # doctest: +SKIP
        """
        given = " ".join(str(name).split())[:64]
        now = _utcnow()
        with self.engine.connect() as conn:
            found = conn.execute(select(ACCOUNTS).where(ACCOUNTS.c.name == given)).first()
        # Checked outside the write lock: hashing takes a tenth of a second on purpose.
        matches = accounts.verify_password(found.password_hash if found else None, password)
        locked_until = _parse_time(found.locked_until) if found else None
        if found is not None and locked_until is not None and locked_until > now:
            self._in_write(
                lambda conn: self._audit(conn, given, "sign_in_refused", f"locked{_from(source)}"),
                "Recording the sign-in",
            )
            minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
            raise SignInError(
                i18n.gettext(
                    "This account is locked after {failures} failed sign-ins: try again in "
                    "{minutes} minute(s), or ask an admin to set a new password."
                ).format(failures=settings.LOCKOUT_AFTER, minutes=minutes)
            )
        if found is None or not matches:

            def failed(conn: Connection) -> None:
                if found is not None:
                    failures = (
                        int(
                            conn.execute(
                                select(ACCOUNTS.c.failed_sign_ins).where(ACCOUNTS.c.name == given)
                            ).scalar()
                            or 0
                        )
                        + 1
                    )
                    lock = failures >= settings.LOCKOUT_AFTER
                    conn.execute(
                        update(ACCOUNTS)
                        .where(ACCOUNTS.c.name == given)
                        .values(
                            failed_sign_ins=0 if lock else failures,
                            locked_until=_iso(now + dt.timedelta(minutes=settings.LOCKOUT_MINUTES))
                            if lock
                            else None,
                        )
                    )
                    if lock:
                        self._audit(conn, given, "locked", f"after {failures} failed sign-ins")
                self._audit(conn, given, "sign_in_failed", f"wrong name or password{_from(source)}")

            self._in_write(failed, "Recording the sign-in")
            raise SignInError(i18n.gettext("Wrong name or password."))
        token = secrets.token_urlsafe(32)
        rehash = (
            accounts.hash_password(password) if accounts.needs_rehash(found.password_hash) else None
        )

        def succeeded(conn: Connection) -> None:
            values: dict[str, Any] = {
                "failed_sign_ins": 0,
                "locked_until": None,
                "last_sign_in": _iso(now),
            }
            if rehash:
                values["password_hash"] = rehash
            conn.execute(update(ACCOUNTS).where(ACCOUNTS.c.name == given).values(**values))
            conn.execute(
                insert(SESSIONS).values(
                    token_sha256=_token_digest(token),
                    name=given,
                    created_at=_iso(now),
                    last_seen=_iso(now),
                )
            )
            self._audit(conn, given, "sign_in", f"signed in{_from(source)}")

        self._in_write(succeeded, "Signing in")
        return accounts.Account(given, found.role), token

    def session_account(self, token: str | None) -> Account | None:
        """The account a session token signs in, or None when it is unknown or expired.

        A session ends :data:`coalition.settings.SESSION_IDLE_MINUTES` after its last use and
        :data:`coalition.settings.SESSION_MAX_HOURS` after signing in, whichever comes first.
        The role is read now, so a change of role takes effect at the next page.

        Examples
        --------
        >>> store.session_account("no such token") is None  # doctest: +SKIP
        True
        """
        if not token:
            return None
        digest = _token_digest(token)
        now = _utcnow()
        with self.engine.connect() as conn:
            found = conn.execute(
                select(
                    SESSIONS.c.last_seen, SESSIONS.c.created_at, ACCOUNTS.c.name, ACCOUNTS.c.role
                )
                .join(ACCOUNTS, ACCOUNTS.c.name == SESSIONS.c.name)
                .where(SESSIONS.c.token_sha256 == digest)
            ).first()
        if found is None:
            return None
        last_seen, created = _parse_time(found.last_seen), _parse_time(found.created_at)
        idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
        longest = dt.timedelta(hours=settings.SESSION_MAX_HOURS)
        if (
            last_seen is None
            or created is None
            or now - last_seen > idle
            or now - created > longest
        ):
            self._in_write(
                lambda conn: conn.execute(
                    delete(SESSIONS).where(SESSIONS.c.token_sha256 == digest)
                ),
                "Ending the session",
            )
            return None
        if now - last_seen > dt.timedelta(minutes=1):  # one write a minute, not one a click
            self._in_write(
                lambda conn: conn.execute(
                    update(SESSIONS)
                    .where(SESSIONS.c.token_sha256 == digest)
                    .values(last_seen=_iso(now))
                ),
                "Keeping the session",
            )
        return accounts.Account(found.name, found.role)

    def sign_out(self, token: str | None) -> None:
        """End a session (nothing happens for an unknown token)."""
        if not token:
            return
        digest = _token_digest(token)

        def write(conn: Connection) -> None:
            name = conn.execute(
                select(SESSIONS.c.name).where(SESSIONS.c.token_sha256 == digest)
            ).scalar()
            if name is not None:
                conn.execute(delete(SESSIONS).where(SESSIONS.c.token_sha256 == digest))
                self._audit(conn, name, "sign_out", "signed out")

        self._in_write(write, "Signing out")

    def audit(self, action: str, what: str, *, account: Account | None = None) -> None:
        """Add a line to the audit log (e.g. an export), as the acting account.

        Examples
        --------
        >>> store.audit("export", "public tables (csv)", account=viewer)  # doctest: +SKIP
        """
        actor = self.acting(account, "view", "use the dashboard")
        self._in_write(
            lambda conn: self._audit(conn, actor.name, action, what), "Writing the audit log"
        )

    def audit_log(
        self, *, account: Account | None = None, limit: int | None = None
    ) -> pd.DataFrame:
        """The audit log, newest first (admins only): at, who, action, what.

        Examples
        --------
        >>> store.audit_log(account=admin, limit=5)["action"].tolist()  # doctest: +SKIP
        ['sign_in', 'export', 'change', 'sign_in_failed', 'account']
        """
        self.acting(account, "audit", "read the audit log")
        query = select(AUDIT.c.at, AUDIT.c.who, AUDIT.c.action, AUDIT.c.what).order_by(
            AUDIT.c.seq.desc()
        )
        if limit is not None:
            query = query.limit(int(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=["at", "who", "action", "what"])

    def _audit(self, conn: Connection, who: str, action: str, what: str) -> None:
        conn.execute(insert(AUDIT).values(at=_now(), who=who, action=action, what=what[:500]))

    def _account_role(self, conn: Connection, name: str) -> str:
        role = conn.execute(select(ACCOUNTS.c.role).where(ACCOUNTS.c.name == name)).scalar()
        if role is None:
            raise AccountError(f"There is no account called {name} (coalition user list).")
        return str(role)

    def _admins(self, conn: Connection) -> int:
        return int(
            conn.execute(
                select(func.count()).select_from(ACCOUNTS).where(ACCOUNTS.c.role == "admin")
            ).scalar()
            or 0
        )

    # --- the partner survey ---------------------------------------------------------------------
    def survey_rounds(self, *, account: Account | None = None) -> pd.DataFrame:
        """Every survey round, newest first, with how many members have answered it.

        Returns
        -------
        pandas.DataFrame
            ``round``, ``opened_at``, ``opened_by``, ``closed_at``, ``closed_by``, ``is_open``,
            ``respondents`` (members that sent anything in the round).

        Examples
        --------
        >>> store.survey_rounds(account=viewer)["round"].tolist()  # doctest: +SKIP
        ['2026 autumn', '2026 spring']
        """
        self.acting(account, "view", "see the survey rounds")
        with self.engine.connect() as conn:
            rounds = conn.execute(
                select(SURVEY_ROUNDS).order_by(SURVEY_ROUNDS.c.opened_at.desc())
            ).all()
            answered: dict[str, set[str]] = {}
            for table in (SURVEY_ANSWERS, SURVEY_PROFILES, SURVEY_OUTSIDE):
                for name, respondent in conn.execute(
                    select(table.c.round, table.c.respondent).distinct()
                ):
                    answered.setdefault(name, set()).add(respondent)
        return pd.DataFrame(
            [
                {
                    "round": r.name,
                    "opened_at": r.opened_at,
                    "opened_by": r.opened_by,
                    "closed_at": r.closed_at,
                    "closed_by": r.closed_by,
                    "is_open": r.closed_at is None,
                    "respondents": len(answered.get(r.name, ())),
                }
                for r in rounds
            ],
            columns=SURVEY_ROUND_COLUMNS,
        )

    def open_survey_round(self, name: str, *, account: Account | None = None) -> str:
        """Open a new survey round (editors); returns its name as kept (spaces tidied).

        Raises
        ------
        SurveyError
            When the name is empty, too long, or already a round's.

        Examples
        --------
        >>> store.open_survey_round("2026 spring", account=editor)  # doctest: +SKIP
        '2026 spring'
        """
        actor = self.acting(account, "survey", "open a survey round")
        kept = survey_round_name(name)

        def write(conn: Connection) -> None:
            if self._survey_round(conn, kept, must_exist=False) is not None:
                raise SurveyError(
                    f"A survey round called {kept!r} already exists: choose another name (e.g. "
                    "with the season and year), or reopen that one."
                )
            conn.execute(
                insert(SURVEY_ROUNDS).values(
                    # To the microsecond: "the newest round" is the one opened last, even when
                    # two rounds are opened within one second (a script, a test).
                    name=kept,
                    opened_at=_utcnow().isoformat(timespec="microseconds"),
                    opened_by=actor.name,
                )
            )
            self._survey_written(conn, actor.name, "survey_round", f"opened round {kept}")

        self._in_write(write, "Opening the survey round")
        return kept

    def close_survey_round(self, name: str, *, account: Account | None = None) -> None:
        """Close a round (editors): its answers can no longer change, by any channel.

        Examples
        --------
        >>> store.close_survey_round("2026 spring", account=editor)  # doctest: +SKIP
        """
        self._set_round_closed(name, True, account)

    def reopen_survey_round(self, name: str, *, account: Account | None = None) -> None:
        """Open a closed round again (editors): members may change their answers again."""
        self._set_round_closed(name, False, account)

    def _set_round_closed(self, name: str, closed: bool, account: Account | None) -> None:
        doing = "close a survey round" if closed else "reopen a survey round"
        actor = self.acting(account, "survey", doing)

        def write(conn: Connection) -> None:
            found = self._survey_round(conn, name)
            values = (
                {"closed_at": _now(), "closed_by": actor.name}
                if closed
                else {
                    "closed_at": None,
                    "closed_by": None,
                }
            )
            conn.execute(
                update(SURVEY_ROUNDS).where(SURVEY_ROUNDS.c.name == found.name).values(**values)
            )
            what = "closed" if closed else "reopened"
            self._survey_written(conn, actor.name, "survey_round", f"{what} round {found.name}")

        self._in_write(write, doing.capitalize())

    def survey_revision(self) -> int:
        """A number that changes on every survey write (rounds, answers, imports), for caches.

        The city's :meth:`version` does not change when answers arrive: the survey is kept
        beside the versions.

        Examples
        --------
        >>> store.survey_revision()  # doctest: +SKIP
        4
        """
        return int(self.info().get("survey_revision", 0))

    def _survey_written(self, conn: Connection, who: str, action: str, what: str) -> None:
        """Audit a survey write and bump :meth:`survey_revision` (inside its transaction)."""
        revision = int(self._meta(conn).get("survey_revision", 0)) + 1
        self._set_meta(conn, {"survey_revision": revision})
        self._audit(conn, who, action, what)

    def survey_round_is_open(self, name: str) -> bool:
        """True while the round takes answers (raises SurveyError for an unknown round)."""
        with self.engine.connect() as conn:
            return self._survey_round(conn, name).closed_at is None

    def read_survey_round(self, name: str, *, account: Account | None = None) -> RoundAnswers:
        """A round's answers as kept (:class:`coalition.survey.schema.RoundAnswers`).

        Anyone who may view the dashboard may read them for the analyses, which show only
        aggregates; a respondent's ratings of a named partner are shown only through
        :func:`coalition.survey.analysis.ratings` (administrators).

        Examples
        --------
        >>> store.read_survey_round("2026 spring", account=viewer).respondents()  # doctest: +SKIP
        ['alder-library', 'birch-legal']
        """
        self.acting(account, "view", "read a survey round")
        with self.engine.connect() as conn:
            kept = self._survey_round(conn, name).name
            return self._read_survey_round(conn, kept)

    def _read_survey_round(
        self, conn: Connection, name: str, *, respondent: str | None = None
    ) -> RoundAnswers:
        def rows_of(table: Table, *order: Any) -> Any:
            query = select(table).where(table.c.round == name)
            if respondent is not None:
                query = query.where(table.c.respondent == respondent)
            return conn.execute(query.order_by(*order))

        answers = [
            row._asdict()
            for row in rows_of(
                SURVEY_ANSWERS, SURVEY_ANSWERS.c.respondent, SURVEY_ANSWERS.c.partner
            )
        ]
        profiles = [
            {
                **row._asdict(),
                **{c: json.loads(getattr(row, c)) for c in survey_schema.LIST_COLUMNS},
            }
            for row in rows_of(SURVEY_PROFILES, SURVEY_PROFILES.c.respondent)
        ]
        outside = [
            {k: v for k, v in row._asdict().items() if k != "seq"}
            for row in rows_of(SURVEY_OUTSIDE, SURVEY_OUTSIDE.c.seq)
        ]
        return RoundAnswers(
            name,
            survey_schema.answers_frame(answers),
            survey_schema.profiles_frame(profiles),
            survey_schema.outside_frame(outside),
        )

    def save_survey_answers(
        self,
        answers: RoundAnswers,
        respondent: str,
        *,
        account: Account | None = None,
        link: str | None = None,
    ) -> None:
        """Keep one member's answers in a round, replacing what it sent before.

        Who may: a member holding its own link for the round (``link``, no account needed),
        or an editor (``account``) answering with a member at a working session. The round
        must be open. ``answers`` holds only this respondent's rows (any of the three tables
        may be empty: an empty round withdraws its answers).

        Raises
        ------
        PermissionDenied
            No editor account and no link of this member for this round.
        SurveyError
            The round is unknown or closed.
        ValidationError
            Listing every problem in the answers (nothing is kept).

        Examples
        --------
        >>> store.save_survey_answers(mine, "alder-library", link=token)  # doctest: +SKIP
        """
        who = self._member_answerer(answers.round, respondent, account, link)
        stray = [
            table
            for table, frame in (
                ("answers", answers.answers),
                ("profiles", answers.profiles),
                ("outside", answers.outside),
            )
            if len(frame) and set(frame["respondent"].astype(str)) != {respondent}
        ]
        if stray:
            raise DataError(
                f"Answers saved for {respondent} hold rows of another respondent "
                f"({', '.join(stray)}): save each member's answers on their own."
            )
        self._check_survey_answers(answers)

        def write(conn: Connection) -> None:
            found = self._survey_round(conn, answers.round)
            self._refuse_closed(found)
            self._replace_respondents(conn, answers, [respondent])
            self._survey_written(
                conn,
                who,
                "survey_answer",
                f"{respondent} answered round {found.name} ({len(answers.answers)} partners)",
            )

        self._in_write(write, "Saving the survey answers")

    def member_survey_answers(
        self,
        name: str,
        respondent: str,
        *,
        account: Account | None = None,
        link: str | None = None,
    ) -> MemberAnswers:
        """One member's kept answers in a round, and whether the round is still open.

        Who may: the member's own link for the round, or an editor (as for
        :meth:`save_survey_answers`). Only this member's rows are read.

        Examples
        --------
        >>> store.member_survey_answers("spring", "lib", link=token).closed_at  # doctest: +SKIP
        """
        self._member_answerer(name, respondent, account, link)
        with self.engine.connect() as conn:
            found = self._survey_round(conn, name)
            kept = self._read_survey_round(conn, found.name, respondent=respondent)
        return MemberAnswers(kept, found.closed_at)

    def _member_answerer(
        self, name: str, respondent: str, account: Account | None, link: str | None
    ) -> str:
        """Who answers for ``respondent`` (for the audit log), refused unless allowed."""
        if link is not None:
            if self.survey_link(link) != (" ".join(str(name).split()), respondent):
                raise PermissionDenied(
                    "This survey link is not for this member and round: open the link the "
                    "convener sent you again, or ask for a new one."
                )
            return f"link of {respondent}"
        return self.acting(account, "survey", "answer the survey for a member").name

    def plan_survey_import(
        self, answers: RoundAnswers, *, account: Account | None = None
    ) -> SurveyImport:
        """What importing ``answers`` into its round would do, without doing it (editors).

        A member already in the round is replaced when the file's answers are at least as
        recent as the kept ones, and kept (the file's answers left out) when the kept ones
        are newer, e.g. changed on the Survey page after the file was exported.

        Examples
        --------
        >>> store.plan_survey_import(result.answers, account=editor).sentence  # doctest: +SKIP
        '2 members new in round spring, 1 replaced (its file answers are newer).'
        """
        self.acting(account, "survey", "import survey answers")
        with self.engine.connect() as conn:
            found = self._survey_round(conn, answers.round)
            return self._plan_survey_import(conn, answers, found.name)

    def import_survey_answers(
        self, answers: RoundAnswers, *, account: Account | None = None
    ) -> SurveyImport:
        """Import a round's answers read from files (editors): all or nothing.

        The plan (:meth:`plan_survey_import`) is made again inside the write, so an answer
        saved meanwhile is not overwritten by an older file. The round must be open.

        Raises
        ------
        SurveyError
            Unknown or closed round.
        ValidationError
            Every problem in the answers (nothing is imported).

        Examples
        --------
        >>> store.import_survey_answers(result.answers, account=editor).replaced  # doctest: +SKIP
        ['birch-legal']
        """
        actor = self.acting(account, "survey", "import survey answers")
        self._check_survey_answers(answers)

        def write(conn: Connection) -> SurveyImport:
            found = self._survey_round(conn, answers.round)
            self._refuse_closed(found)
            plan = self._plan_survey_import(conn, answers, found.name)
            self._replace_respondents(conn, answers, plan.new + plan.replaced)
            self._survey_written(conn, actor.name, "survey_import", plan.sentence)
            return plan

        return self._in_write(write, "Importing the survey answers")

    def make_survey_links(
        self, name: str, org_ids: Sequence[str], *, account: Account | None = None
    ) -> dict[str, str]:
        """A new private link token for each member (editors); a member's older link stops working.

        Only each token's SHA-256 is kept: the tokens are returned once, to be sent.

        Raises
        ------
        SurveyError
            Unknown or closed round, or an id that is not a member organization.

        Examples
        --------
        >>> store.make_survey_links("r1", ["alder-library"], account=editor)  # doctest: +SKIP
        """
        actor = self.acting(account, "survey", "make survey links")
        wanted = list(dict.fromkeys(str(org_id) for org_id in org_ids))

        def write(conn: Connection) -> dict[str, str]:
            found = self._survey_round(conn, name)
            self._refuse_closed(found)
            members = set(survey_schema.roster_frame(self._survey_roster(conn))["org_id"])
            unknown = [org_id for org_id in wanted if org_id not in members]
            if unknown:
                raise SurveyError(
                    f"Not member organizations: {', '.join(unknown[:10])}. Links are made for "
                    "the coalition's members (organizations with member true)."
                )
            tokens = {org_id: secrets.token_urlsafe(24) for org_id in wanted}
            now = _now()
            for org_id, token in tokens.items():
                conn.execute(
                    delete(SURVEY_LINKS).where(
                        (SURVEY_LINKS.c.round == found.name) & (SURVEY_LINKS.c.org_id == org_id)
                    )
                )
                conn.execute(
                    insert(SURVEY_LINKS).values(
                        token_sha256=_token_digest(token),
                        round=found.name,
                        org_id=org_id,
                        created_at=now,
                        created_by=actor.name,
                    )
                )
            self._survey_written(
                conn, actor.name, "survey_links", f"made {len(tokens)} links for round {found.name}"
            )
            return tokens

        return self._in_write(write, "Making the survey links")

    def survey_links(self, name: str, *, account: Account | None = None) -> pd.DataFrame:
        """The members of a round that have a link: ``org_id``, ``created_at``, ``created_by``."""
        self.acting(account, "survey", "see the survey links")
        with self.engine.connect() as conn:
            kept = self._survey_round(conn, name).name
            rows = conn.execute(
                select(SURVEY_LINKS.c.org_id, SURVEY_LINKS.c.created_at, SURVEY_LINKS.c.created_by)
                .where(SURVEY_LINKS.c.round == kept)
                .order_by(SURVEY_LINKS.c.org_id)
            ).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["org_id", "created_at", "created_by"]
        )

    def survey_link(self, token: str | None) -> tuple[str, str] | None:
        """The round and member a link token is for, or None (unknown or replaced token).

        No account is needed: the token is the member's proof. Whether the round is still
        open is :meth:`survey_round_is_open`'s answer.

        Examples
        --------
        >>> store.survey_link("no such token") is None  # doctest: +SKIP
        True
        """
        if not token or len(token) > 200:
            return None
        with self.engine.connect() as conn:
            found = conn.execute(
                select(SURVEY_LINKS.c.round, SURVEY_LINKS.c.org_id).where(
                    SURVEY_LINKS.c.token_sha256 == _token_digest(token)
                )
            ).first()
        return (found.round, found.org_id) if found else None

    def _survey_round(self, conn: Connection, name: str, *, must_exist: bool = True) -> Any:
        kept = " ".join(str(name).split())
        found = conn.execute(select(SURVEY_ROUNDS).where(SURVEY_ROUNDS.c.name == kept)).first()
        if found is None and must_exist:
            names = [r[0] for r in conn.execute(select(SURVEY_ROUNDS.c.name))]
            from .names import did_you_mean

            hint = did_you_mean(kept, names)
            raise SurveyError(
                f"There is no survey round called {kept!r}.{hint} Open it first (Survey page, "
                "or `coalition survey make --round NAME OUT_DIR`); rounds: "
                f"{', '.join(names) or 'none yet'}."
            )
        return found

    @staticmethod
    def _refuse_closed(found: Any) -> None:
        if found.closed_at is not None:
            raise SurveyError(
                f"Round {found.name!r} closed on {str(found.closed_at)[:10]}: its answers can no "
                "longer change. An editor can reopen it (Survey page, or `coalition survey "
                "reopen`)."
            )

    def _survey_roster(self, conn: Connection) -> dict[str, pd.DataFrame]:
        return {name: _read_table(conn, name) for name in ("organizations", "neighborhoods")}

    def _check_survey_answers(self, answers: RoundAnswers) -> None:
        with self.engine.connect() as conn:
            roster = self._survey_roster(conn)
        problems = survey_schema.check_answers(answers, roster)
        if problems:
            raise ValidationError(problems)

    def _plan_survey_import(
        self, conn: Connection, answers: RoundAnswers, name: str
    ) -> SurveyImport:
        def latest(frames: Sequence[pd.DataFrame]) -> dict[str, str]:
            times: dict[str, str] = {}
            for frame in frames:
                for respondent, at in zip(frame["respondent"], frame["answered_at"], strict=True):
                    if isinstance(at, str) and at > times.get(respondent, ""):
                        times[respondent] = at
            return times

        kept = self._read_survey_round(conn, name)
        kept_times = latest([kept.answers, kept.profiles])
        kept_respondents = set(kept.respondents())
        incoming = latest([answers.answers, answers.profiles])
        new, replaced, older = [], [], []
        for respondent in answers.respondents():
            if respondent not in kept_respondents:
                new.append(respondent)
            elif incoming.get(respondent, "") >= kept_times.get(respondent, ""):
                replaced.append(respondent)
            else:
                older.append(respondent)
        return SurveyImport(name, new, replaced, older)

    def _replace_respondents(
        self, conn: Connection, answers: RoundAnswers, respondents: Sequence[str]
    ) -> None:
        """Delete these respondents' rows in the round and insert theirs from ``answers``."""
        if not respondents:
            return
        name = answers.round
        chosen = set(respondents)
        for table in (SURVEY_ANSWERS, SURVEY_PROFILES, SURVEY_OUTSIDE):
            ordered = sorted(chosen)
            for start in range(0, len(ordered), 500):  # a bounded IN list per statement
                conn.execute(
                    delete(table).where(
                        (table.c.round == name)
                        & table.c.respondent.in_(ordered[start : start + 500])
                    )
                )
        for table, frame in (
            (SURVEY_ANSWERS, answers.answers),
            (SURVEY_PROFILES, answers.profiles),
            (SURVEY_OUTSIDE, answers.outside),
        ):
            rows = [
                _survey_row(table, {**{str(k): v for k, v in record.items()}, "round": name})
                for record in frame.to_dict("records")
                if record["respondent"] in chosen
            ]
            if rows:
                conn.execute(insert(table), rows)


def _row_changes(before: CityData, after: CityData) -> list[RowChange]:
    """The row changes that turn ``before``'s tables into ``after``'s (tables compared by key)."""
    changes: list[RowChange] = []
    for name in TABLES:
        old, new = before.tables.get(name), after.tables.get(name)
        if old is new or new is None:
            continue
        old_rows = (
            dict(
                zip(
                    keys_of(name, old),
                    (plain_row(name, r) for r in old.to_dict("records")),
                    strict=True,
                )
            )
            if old is not None and len(old)
            else {}
        )
        new_rows = (
            dict(
                zip(
                    keys_of(name, new),
                    (plain_row(name, r) for r in new.to_dict("records")),
                    strict=True,
                )
            )
            if len(new)
            else {}
        )
        for key, row in new_rows.items():
            if old_rows.get(key) != row:
                changes.append(RowChange(name, key, old_rows.get(key), row))
        for key, row in old_rows.items():
            if key not in new_rows:
                retired = {**row, RETIRED: {"on": dt.date.today().isoformat(), "reason": "removed"}}
                changes.append(RowChange(name, key, row, retired))
    return changes


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
    # Setting up the store is the operator's act (the server that owns it), whoever asked.
    store.replace_city(read_city(folder), automatic=True, account=accounts.operator("setup"))
    return True
