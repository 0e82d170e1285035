"""The snapshot store: snapshots in a SQL database through SQLAlchemy Core.

SQLite under TRIAGE_HOME by default (WAL, a busy timeout, and retries, so that concurrent
sessions can all save), `$TRIAGE_DB_URL` or any SQLAlchemy URL otherwise (e.g. PostgreSQL for a
team server). Rows hold the canonical document exactly as hashed, so reading one back verifies it.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

from triage.facts import parse_when
from triage.settings import db_url, github_token_from_env
from triage.snapshots import (
    MIN_PREFIX,
    Snapshot,
    SnapshotAmbiguousError,
    SnapshotFormatError,
    SnapshotNotFoundError,
    SnapshotStoreError,
    SnapshotSummary,
    SnapshotTamperedError,
    check_secrets,
    content_id,
    normalise_id,
    snapshot_from_document,
)

TABLE = "triage_snapshots"
_BUSY_TIMEOUT_MS = 30_000  # SQLite waits this long for another writer before "database is locked"
_LOCK_ATTEMPTS = 8  # then retries "database is locked" this many times (WAL can refuse at once)
T = TypeVar("T")

# --- the store --------------------------------------------------------------------------------------

_metadata = MetaData()
_table = Table(
    TABLE,
    _metadata,
    Column("id", String(64), primary_key=True),  # content_id(content)
    Column("schema_version", Integer, nullable=False),  # the content's format
    Column("created_at", String(32), nullable=False),  # ISO 8601 UTC; sorts as text
    Column("source", Text, nullable=False),
    Column("title", Text),
    Column("as_of", String(32), nullable=False),
    Column("preset", Text, nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("content", Text, nullable=False),  # the canonical JSON document
)
Index(f"ix_{TABLE}_created_at", _table.c.created_at)


def mask_url(url: str) -> str:
    """`url` with any password replaced by ***, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


def _column(text: str | None) -> str | None:
    # The listing columns hold raw text (the content is escaped JSON): PostgreSQL refuses NUL in text.
    return None if text is None else text.replace("\x00", "\ufffd")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _is_locked(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "database table is locked" in text


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Busy timeout first, so that switching to WAL waits for other connections too. WAL lets
    # readers and one writer work at once: the dashboard's sessions and a cron job, say.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


class SnapshotStore:
    """Snapshots in a SQL database: SQLite under TRIAGE_HOME by default, `$TRIAGE_DB_URL` or any
    SQLAlchemy URL otherwise (or an existing engine, e.g. the app's `st.connection(...).engine`)."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        if engine is not None:
            self.engine = engine
            self.location = mask_url(engine.url.render_as_string(hide_password=False))
            sqlite = engine.url.get_backend_name() == "sqlite"
            if sqlite and not event.contains(engine, "connect", _sqlite_pragmas):
                event.listen(engine, "connect", _sqlite_pragmas)  # for the connections it opens from now on
        else:
            url = url or db_url()
            self.location = mask_url(url)
            self.engine = self._open(url)
        self._password = self.engine.url.password
        self._ready = False
        self._ready_lock = threading.Lock()

    def _open(self, url: str) -> Engine:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise SnapshotStoreError(
                f"Invalid database URL {self.location!r}: expected a SQLAlchemy URL such as "
                "sqlite:///path/to/triage.db or postgresql+psycopg://user@host/dbname"
            ) from None
        sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            connect_args = {"timeout": _BUSY_TIMEOUT_MS / 1000} if sqlite else {}
            engine = create_engine(parsed, connect_args=connect_args)
        except (ArgumentError, ImportError) as e:
            raise SnapshotStoreError(f"Cannot open the snapshot store {self.location}: {e}") from None
        if sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def __repr__(self) -> str:
        return f"SnapshotStore({self.location!r})"

    def __enter__(self) -> SnapshotStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # Every database call goes through here: "database is locked" is retried with backoff, and
    # other failures become one sentence naming the store (its password masked).
    def _run(self, work: Callable[[Connection], T], *, write: bool) -> T:
        for attempt in range(_LOCK_ATTEMPTS):
            try:
                if write:
                    with self.engine.begin() as conn:
                        return work(conn)
                with self.engine.connect() as conn:
                    return work(conn)
            except IntegrityError:
                raise
            except OperationalError as e:
                if _is_locked(e) and attempt < _LOCK_ATTEMPTS - 1:
                    time.sleep(0.02 * 2**attempt * (1 + random.random()))
                    continue
                raise self._failure(e) from None
            except DBAPIError as e:
                raise self._failure(e) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _failure(self, error: DBAPIError) -> SnapshotStoreError:
        text = str(error.orig).strip()
        detail = text.splitlines()[0] if text else type(error.orig).__name__
        if self._password:
            detail = detail.replace(self._password, "***")
        return SnapshotStoreError(f"Snapshot store {self.location} failed: {detail}")

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return

            try:
                self._run(lambda conn: _metadata.create_all(conn, checkfirst=True), write=True)
            except (IntegrityError, SnapshotStoreError):
                # Another session created it between our check and our CREATE; fine if it is there.
                if not self._run(lambda conn: inspect(conn).has_table(TABLE), write=False):
                    raise
            self._ready = True

    def save(self, snapshot: Snapshot) -> str:
        """Store `snapshot` and return its id; saving the same content again keeps the one row."""
        check_secrets(snapshot.document, [github_token_from_env()])
        self._ensure_schema()
        record = {
            "id": snapshot.id,
            "schema_version": snapshot.format,
            "created_at": _iso(snapshot.created_at or datetime.now(UTC)),
            "source": _column(snapshot.source),
            "title": _column(snapshot.title),
            "as_of": _iso(snapshot.as_of),
            "preset": _column(snapshot.preset),
            "item_count": len(snapshot.rows),
            "content": snapshot.document,
        }
        # The same id means the same content: when it is stored already, there is nothing to do.
        with contextlib.suppress(IntegrityError):
            self._run(lambda conn: conn.execute(insert(_table).values(**record)), write=True)
        return snapshot.id

    def _resolve(self, conn: Connection, key: str) -> Any:
        query = select(_table).limit(2)
        if len(key) == 64:
            query = query.where(_table.c.id == key)
        else:
            query = query.where(_table.c.id.startswith(key, autoescape=True))
        found = conn.execute(query).all()
        shown = key if len(key) == 64 else f"{key}…"
        if not found:
            raise SnapshotNotFoundError(f"No snapshot {shown} in {self.location}")
        if len(found) > 1:
            raise SnapshotAmbiguousError(
                f"Snapshot id {shown} matches more than one snapshot in {self.location}; give more digits"
            )
        return found[0]

    def load(self, id_or_prefix: str) -> Snapshot:
        """The snapshot with this id, or the only one whose id starts with this prefix (12+ digits)."""
        key = normalise_id(id_or_prefix)
        self._ensure_schema()
        row = self._run(lambda conn: self._resolve(conn, key), write=False)
        return self._from_row(row)

    def _from_row(self, row: Any) -> Snapshot:
        tampered = (
            f"Snapshot {row.id[:MIN_PREFIX]}… in {self.location} was changed after it was saved: its "
            "content no longer matches its id, so it cannot be trusted and is not shown"
        )
        try:
            parsed = json.loads(row.content)
        except (json.JSONDecodeError, TypeError):
            raise SnapshotTamperedError(tampered) from None
        try:
            if content_id(parsed) != row.id:
                raise SnapshotTamperedError(tampered)
        except SnapshotFormatError:
            raise SnapshotTamperedError(tampered) from None
        created = parse_when(row.created_at)
        return snapshot_from_document(parsed, created_at=created)

    def list(self, limit: int | None = None) -> builtins.list[SnapshotSummary]:
        """Summaries of the stored snapshots, newest first."""
        self._ensure_schema()
        query = select(_table.c.id, _table.c.created_at, _table.c.source, _table.c.title, _table.c.as_of,
                       _table.c.item_count, _table.c.preset).order_by(
            _table.c.created_at.desc(), _table.c.id)
        if limit is not None:
            query = query.limit(limit)
        rows = self._run(lambda conn: conn.execute(query).all(), write=False)
        return [self._summary(r) for r in rows]

    @staticmethod
    def _summary(r: Any) -> SnapshotSummary:
        created, as_of = parse_when(r.created_at), parse_when(r.as_of)
        assert created is not None and as_of is not None
        return SnapshotSummary(r.id, created, r.source, r.title, as_of, r.item_count, r.preset)

    def latest(self, n: int = 1) -> builtins.list[Snapshot]:
        """The `n` most recently saved snapshots, newest first, each verified against its id."""
        self._ensure_schema()
        query = select(_table).order_by(_table.c.created_at.desc(), _table.c.id).limit(n)
        rows = self._run(lambda conn: conn.execute(query).all(), write=False)
        return [self._from_row(r) for r in rows]
