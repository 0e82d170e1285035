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
from dataclasses import dataclass, replace
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

from triage.access import exposes_private
from triage.facts import parse_when
from triage.settings import db_url, github_token_from_env
from triage.snapshots import (
    MIN_PREFIX,
    Snapshot,
    SnapshotAmbiguousError,
    SnapshotError,
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
# Who saved a snapshot made from private repositories (issue 12): one row per identity that saved it
# (the same content saved by two people has one id), and whether they listed it in Compare. A
# table of its own, so that stores made before it need no migration; snapshots without a row
# here are judged by their content (`access.exposes_private`).
ACCESS_TABLE = "triage_snapshot_access"
_access = Table(
    ACCESS_TABLE,
    _metadata,
    Column("snapshot_id", String(64), primary_key=True),
    Column("owner", String(200), primary_key=True),  # an `access` identity; "" when saved by no one known
    Column("listed", Integer, nullable=False),  # 1: listed in Compare for those who may open it
)
LISTING_CACHE = 4096  # verified listing lines kept per store: a snapshot's content never changes


@dataclass(frozen=True)
class Listing:
    """The store's listing, newest first: the lines that could be read and checked against their
    content, with who saved the private ones, and one sentence per row left out."""

    summaries: builtins.list[SnapshotSummary]
    owners: dict[str, dict[str, bool]]  # snapshot id -> {identity: listed}, private snapshots only
    skipped: builtins.list[str]


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
        self._lines: dict[str, SnapshotSummary] = {}  # verified listing lines by id (see `listing`)
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

    def save(self, snapshot: Snapshot, owner: str | None = None, listed: bool = False) -> str:
        """Store `snapshot` and return its id; saving the same content again keeps the one row. A
        snapshot of private data records `owner` (an `access` identity) as one who may open it, and
        whether they list it in Compare (`listed`; unlisted by default)."""
        check_secrets(snapshot.document, [github_token_from_env()])
        self._ensure_schema()
        if exposes_private(snapshot.meeting.facts):
            grant = {"snapshot_id": snapshot.id, "owner": owner or "", "listed": int(listed)}
            with contextlib.suppress(IntegrityError):  # this identity saved it before
                self._run(lambda conn: conn.execute(insert(_access).values(**grant)), write=True)
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

    def _from_row(self, row: Any, quiet: bool = False) -> Snapshot:
        where = "" if quiet else f"Snapshot {row.id[:MIN_PREFIX]}… in {self.location} "
        tampered = (
            f"{where}was changed after it was saved: its content no longer matches its id, so it cannot be "
            "trusted and is not shown"
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
        try:
            created = parse_when(row.created_at)
        except (ValueError, TypeError):  # a damaged saving date does not hide the content
            created = None
        return snapshot_from_document(parsed, created_at=created)

    def list(self, limit: int | None = None) -> builtins.list[SnapshotSummary]:
        """Summaries of the stored snapshots, newest first (rows that cannot be read are left out:
        `listing` says which and why)."""
        return self.listing(limit).summaries

    def owners(self, snapshot_id: str) -> dict[str, bool]:
        """Who saved this snapshot of private data (identity -> listed); empty for public ones."""
        self._ensure_schema()
        query = select(_access).where(_access.c.snapshot_id == snapshot_id)
        return {r.owner: bool(r.listed) for r in self._run(lambda conn: conn.execute(query).all(), write=False)}

    def listing(self, limit: int | None = None) -> Listing:
        """The listing, each line read from its snapshot's verified content rather than from the
        row's own columns (which could say anything); a row that cannot be read or checked is left
        out with a sentence, never the whole list (issue 12)."""
        self._ensure_schema()
        query = select(_table.c.id, _table.c.created_at).order_by(_table.c.created_at.desc(), _table.c.id)
        if limit is not None:
            query = query.limit(limit)
        rows = self._run(lambda conn: conn.execute(query).all(), write=False)
        owners: dict[str, dict[str, bool]] = {}
        for r in self._run(lambda conn: conn.execute(select(_access)).all(), write=False):
            owners.setdefault(r.snapshot_id, {})[r.owner] = bool(r.listed)
        summaries, skipped = [], []
        for row in rows:
            short = str(row.id)[:MIN_PREFIX]
            try:
                created = parse_when(row.created_at)
            except (ValueError, TypeError):
                created = None
            if created is None:
                skipped.append(f"Snapshot {short}… is left out: its saving date {str(row.created_at)!r:.40} is "
                               "not a date")
                continue
            try:
                line = self._checked_line(row.id)
            except SnapshotError as e:
                skipped.append(f"Snapshot {short}… is left out: {e}")
                continue
            summaries.append(replace(line, created_at=created))
        return Listing(summaries, {k: v for k, v in owners.items() if k in {s.id for s in summaries}}, skipped)

    def _checked_line(self, snapshot_id: str) -> SnapshotSummary:
        """The listing line of one snapshot, from its verified content (kept: content never changes)."""
        with self._ready_lock:
            line = self._lines.get(snapshot_id)
        if line is not None:
            return line
        query = select(_table).where(_table.c.id == snapshot_id)
        found = self._run(lambda conn: conn.execute(query).all(), write=False)
        if not found:
            raise SnapshotNotFoundError("it was deleted while being listed")
        snap = self._from_row(found[0], quiet=True)
        line = replace(snap.summary(), private=exposes_private(snap.meeting.facts))
        with self._ready_lock:
            self._lines[snapshot_id] = line
            while len(self._lines) > LISTING_CACHE:
                self._lines.pop(next(iter(self._lines)))
        return line

    def latest(self, n: int = 1) -> builtins.list[Snapshot]:
        """The `n` most recently saved snapshots, newest first, each verified against its id."""
        self._ensure_schema()
        query = select(_table).order_by(_table.c.created_at.desc(), _table.c.id).limit(n)
        rows = self._run(lambda conn: conn.execute(query).all(), write=False)
        return [self._from_row(r) for r in rows]
