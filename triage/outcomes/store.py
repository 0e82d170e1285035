"""Meetings and their outcomes, stored beside the snapshots in the same SQL database.

A meeting is started on a stored snapshot and gets a random id and a random edit key. Only the
key's SHA-256 is stored (the key is 144 random bits, so a fast hash cannot be reversed by guessing),
and the key is shown once, to whoever started the meeting, to put in the chair's link. Recording an
outcome, or moving the item everyone follows, needs the key; reading needs only the id.

Outcomes are append-only: each recording is a new row numbered by the database (`seq`), nothing
is ever updated or deleted, and the snapshot's own row is never touched, so the frozen ranking
stays exactly as it was hashed. The later recording of an item wins (`outcomes.latest`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from triage.facts import ItemKey, parse_when
from triage.outcomes import (
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    OutcomeError,
    OutcomeRecord,
    check_outcome,
    check_who,
    one_line,
)
from triage.settings import github_token_from_env
from triage.snapshots import MIN_PREFIX, SnapshotError, SnapshotStoreError
from triage.snapshots.store import SnapshotStore

MEETINGS = "triage_meetings"
OUTCOMES_TABLE = "triage_outcomes"
MEETING_ID = re.compile(r"^[0-9a-f]{12}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,128}$")  # what `secrets.token_urlsafe` gives, with room to spare
_KEY_BYTES = 18  # 144 bits: 24 URL-safe characters in the chair's link
_MIN_SECRET = 8  # shorter "tokens" are test placeholders (as for snapshots)
_AGENDAS_KEPT = 64  # snapshots whose item lists a long-running server keeps at hand


class MeetingError(SnapshotError):
    """A meeting could not be started, found or written to."""


class MeetingNotFoundError(MeetingError):
    """No stored meeting has the id asked for."""


class MeetingKeyError(MeetingError):
    """The edit key given does not open this meeting for recording."""


_metadata = MetaData()
_meetings = Table(
    MEETINGS,
    _metadata,
    Column("id", String(12), primary_key=True),  # 12 random hexadecimal digits
    Column("snapshot_id", String(64), nullable=False),
    Column("snapshot_as_of", String(32), nullable=False),  # the snapshot's moment: the meeting's date
    Column("key_hash", String(64), nullable=False),  # SHA-256 hex of the edit key; the key is not kept
    Column("started_at", String(32), nullable=False),  # ISO 8601 UTC; sorts as text
    Column("started_by", Text),
    Column("current_ref", Text),  # the item the chair has on screen, for attendees following along
)
Index(f"ix_{MEETINGS}_snapshot", _meetings.c.snapshot_id)
_outcomes = Table(
    OUTCOMES_TABLE,
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # order of arrival
    Column("meeting_id", String(12), ForeignKey(f"{MEETINGS}.id"), nullable=False),
    Column("ref", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("who", Text),
    Column("note", Text),
    Column("recorded_by", Text),
    Column("at", String(32), nullable=False),
)
Index(f"ix_{OUTCOMES_TABLE}_meeting", _outcomes.c.meeting_id, _outcomes.c.seq)


@dataclass(frozen=True)
class MeetingInfo:
    """A stored meeting (never its key)."""

    id: str
    snapshot_id: str
    snapshot_as_of: datetime
    started_at: datetime
    started_by: str | None
    current_ref: str | None


@dataclass(frozen=True)
class StartedMeeting:
    """A meeting just started, with the edit key that will not be shown again."""

    meeting: MeetingInfo
    key: str = ""

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"StartedMeeting({self.meeting.id!r}, key=***)"


def hash_key(key: str) -> str:
    """The stored form of an edit key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _when(text: str) -> datetime:
    moment = parse_when(text)
    assert moment is not None
    return moment


def _keep_out(text: str, tokens: Iterable[str | None]) -> None:
    # The GitHub token must never reach the store, the minutes or a link, even typed into a note.
    if any(t and len(t) >= _MIN_SECRET and t in text for t in tokens):
        raise OutcomeError("The note or name contains the GitHub token; nothing was recorded")


def check_meeting_id(value: str) -> str:
    """A meeting id: 12 lower-case hexadecimal digits; MeetingNotFoundError otherwise."""
    key = value.strip().lower()
    if not MEETING_ID.match(key):
        raise MeetingNotFoundError(f"Invalid meeting id {value!r}: expected 12 hexadecimal digits")
    return key


def _new_key() -> str:
    """A fresh edit key of `_KEY_BYTES` random bytes (always the same length). A key starting with "-"
    reads as an option on the command line (`--key -x...`): such draws are thrown back."""
    while (key := secrets.token_urlsafe(_KEY_BYTES)).startswith("-"):
        pass
    return key


class MeetingStore:
    """Meetings and outcomes in the snapshot store's database (its engine, retries and wording)."""

    def __init__(self, snapshots: SnapshotStore) -> None:
        self.snapshots = snapshots
        self._ready = False
        self._lock = threading.Lock()
        self._agendas: dict[str, frozenset[ItemKey]] = {}  # snapshot id -> its items (immutable)

    def __repr__(self) -> str:
        return f"MeetingStore({self.snapshots.location!r})"

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            run = self.snapshots._run  # the snapshot store's "database is locked" retries and sentences
            try:
                run(lambda conn: _metadata.create_all(conn, checkfirst=True), write=True)
            except (IntegrityError, SnapshotStoreError):
                # Another process created the tables between our check and our CREATE.
                if not run(lambda conn: inspect(conn).has_table(OUTCOMES_TABLE), write=False):
                    raise
            self._ready = True

    def _read(self, query: Any) -> list[Any]:
        self._ensure_schema()
        return self.snapshots._run(lambda conn: list(conn.execute(query).all()), write=False)

    def _write(self, statement: Any) -> None:
        self.snapshots._run(lambda conn: conn.execute(statement), write=True)

    def _agenda(self, snapshot_id: str) -> frozenset[ItemKey]:
        if snapshot_id not in self._agendas:
            rows = self.snapshots.load(snapshot_id).rows
            if len(self._agendas) >= _AGENDAS_KEPT:
                self._agendas.clear()
            self._agendas[snapshot_id] = frozenset(ItemKey.parse(r["ref"]) for r in rows)
        return self._agendas[snapshot_id]

    # --- meetings --------------------------------------------------------------------------------

    def start(self, snapshot_id: str, *, started_by: str | None = None) -> StartedMeeting:
        """Start a meeting on a stored snapshot (an id or its 12+ digit prefix); the key is in the
        result only."""
        snapshot = self.snapshots.load(snapshot_id)
        self._ensure_schema()
        by = one_line(started_by, MAX_NAME_CHARS, "name")
        for _ in range(5):  # a clash of 48 random bits is a curiosity, but one retry costs nothing
            key = _new_key()
            info = MeetingInfo(secrets.token_hex(6), snapshot.id, snapshot.as_of, datetime.now(UTC), by, None)
            row = {"id": info.id, "snapshot_id": info.snapshot_id, "snapshot_as_of": _iso(info.snapshot_as_of),
                   "key_hash": hash_key(key), "started_at": _iso(info.started_at), "started_by": by}
            try:
                self._write(insert(_meetings).values(**row))
            except IntegrityError:
                continue
            return StartedMeeting(info, key)
        raise MeetingError("Could not pick a free meeting id; try again")  # pragma: no cover

    @staticmethod
    def _info(row: Any) -> MeetingInfo:
        return MeetingInfo(row.id, row.snapshot_id, _when(row.snapshot_as_of), _when(row.started_at),
                           row.started_by, row.current_ref)

    def get(self, meeting_id: str) -> MeetingInfo:
        """The meeting with this id."""
        mid = check_meeting_id(meeting_id)
        rows = self._read(select(_meetings).where(_meetings.c.id == mid))
        if not rows:
            raise MeetingNotFoundError(f"No meeting {mid} in {self.snapshots.location}")
        return self._info(rows[0])

    def for_snapshot(self, snapshot_id: str) -> list[MeetingInfo]:
        """The meetings started on a snapshot (its full id), newest first."""
        query = select(_meetings).where(_meetings.c.snapshot_id == snapshot_id).order_by(
            _meetings.c.started_at.desc(), _meetings.c.id)
        return [self._info(r) for r in self._read(query)]

    def before(self, moment: datetime) -> list[MeetingInfo]:
        """The meetings held on snapshots judged before `moment`, oldest first."""
        query = select(_meetings).where(_meetings.c.snapshot_as_of < _iso(moment)).order_by(
            _meetings.c.snapshot_as_of, _meetings.c.started_at, _meetings.c.id)
        return [self._info(r) for r in self._read(query)]

    def can_edit(self, meeting_id: str, key: str | None) -> bool:
        """Does `key` open this meeting for recording? (False for a missing or malformed key.)"""
        if not key or not _KEY.match(key):
            return False
        mid = check_meeting_id(meeting_id)
        rows = self._read(select(_meetings.c.key_hash).where(_meetings.c.id == mid))
        if not rows:
            raise MeetingNotFoundError(f"No meeting {mid} in {self.snapshots.location}")
        return hmac.compare_digest(rows[0].key_hash, hash_key(key))

    def _check_key(self, meeting_id: str, key: str | None) -> MeetingInfo:
        info = self.get(meeting_id)
        if not self.can_edit(info.id, key):
            raise MeetingKeyError(
                f"The edit key does not open meeting {info.id} for recording; nothing was recorded. "
                "Use the chair's link (or the key `triage meeting start` printed)"
            )
        return info

    def follow(self, meeting_id: str, key: str | None, ref: ItemKey | None) -> None:
        """Put `ref` on everyone's screen as the item under discussion (the chair's key needed)."""
        info = self._check_key(meeting_id, key)
        if ref is not None and ref not in self._agenda(info.snapshot_id):
            raise OutcomeError(f"{ref.ref} is not on the agenda of snapshot {info.snapshot_id[:MIN_PREFIX]}")
        self._write(update(_meetings).where(_meetings.c.id == info.id).values(
            current_ref=None if ref is None else ref.ref))

    # --- outcomes --------------------------------------------------------------------------------

    def record(
        self,
        meeting_id: str,
        key: str | None,
        ref: ItemKey,
        outcome: str,
        *,
        who: str | None = None,
        note: str | None = None,
        by: str | None = None,
        secrets_to_keep_out: Iterable[str | None] = (),
    ) -> OutcomeRecord:
        """Append one outcome for an item of the meeting's snapshot; nothing else is changed."""
        info = self._check_key(meeting_id, key)
        check_outcome(outcome)
        login = check_who(outcome, who)
        text = one_line(note, MAX_NOTE_CHARS, "note")
        name = one_line(by, MAX_NAME_CHARS, "name")
        if ref not in self._agenda(info.snapshot_id):
            raise OutcomeError(
                f"{ref.ref} is not on the agenda of snapshot {info.snapshot_id[:MIN_PREFIX]}; nothing was recorded"
            )
        _keep_out(f"{login} {text} {name}", [github_token_from_env(), *secrets_to_keep_out])
        at = datetime.now(UTC)
        row = {"meeting_id": info.id, "ref": ref.ref, "outcome": outcome, "who": login, "note": text,
               "recorded_by": name, "at": _iso(at)}

        def write(conn: Connection) -> int:
            inserted = conn.execute(insert(_outcomes).values(**row)).inserted_primary_key
            assert inserted is not None
            return int(inserted[0])

        seq = self.snapshots._run(write, write=True)
        return OutcomeRecord(info.id, seq, ref, outcome, login, text, name, at)

    def history(self, meeting_id: str) -> list[OutcomeRecord]:
        """Every outcome recorded in the meeting, in the order the store received them."""
        mid = check_meeting_id(meeting_id)
        query = select(_outcomes).where(_outcomes.c.meeting_id == mid).order_by(_outcomes.c.seq)
        return [OutcomeRecord(r.meeting_id, r.seq, ItemKey.parse(r.ref), r.outcome, r.who, r.note, r.recorded_by,
                              _when(r.at)) for r in self._read(query)]

    def last_seq(self, meeting_id: str) -> int:
        """The number of the meeting's latest recording (0 before the first): a cheap "anything new?"."""
        mid = check_meeting_id(meeting_id)
        rows = self._read(select(_outcomes.c.seq).where(_outcomes.c.meeting_id == mid)
                          .order_by(_outcomes.c.seq.desc()).limit(1))
        return int(rows[0].seq) if rows else 0
