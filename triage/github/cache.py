"""The persistent GitHub cache: item facts, the validators of the change probes that keep them fresh,
and each repository's maintainers as its OWNERS (or similar) file named them.

One SQLite file under `settings.triage_home()`, shared by the app and the command line, so a second
run (in the same process or a new one) reuses what the first one fetched. Entries are keyed by the
API root, the item and the *identity* that may be served them: "" for facts of a public repository
(the same for everyone), else the GitHub login that read them (facts of a private repository, and
answers that depend on who asks, such as "not found"), so that no one is served another account's
private facts (issue 12, D1). Nothing derived from the token is a key; no token, header or response
body beyond the item facts, the probe's list of changed items and the maintainers' logins is written
(never a file's text).

A *probe* is a conditional search for the items of one kind in a group of repositories updated
since a baseline time; its ETag turns "did anything change?" into a 304 that costs no rate limit, and its
last answer says which items changed (see `triage.github.probe`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from triage import settings
from triage.facts import ItemFacts, ItemKey, parse_when
from triage.facts.format import item_from_dict, item_to_dict

CACHE_FILE = "github-cache.sqlite3"
SCHEMA_VERSION = 3  # bump when a table changes; an older file is then emptied, never misread
PUBLIC = ""  # the identity of facts anyone may be served
_BUSY_TIMEOUT = 10.0  # seconds to wait for another session's write; writes take milliseconds

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    scope TEXT NOT NULL,        -- API root, e.g. https://api.github.com
    repo TEXT NOT NULL,         -- owner/name as the agenda spells it, lower-cased
    number INTEGER NOT NULL,
    identity TEXT NOT NULL,     -- '' (public: anyone) or the lower-cased login that read them
    facts TEXT NOT NULL,        -- triage.facts.format.item_to_dict as JSON
    probe_repo TEXT,            -- GitHub's current name of the repo whose probe covers it; NULL: age only
    PRIMARY KEY (scope, repo, number, identity)
);
CREATE TABLE IF NOT EXISTS probes (
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,         -- issue or pr: GitHub searches one kind at a time
    repos TEXT NOT NULL,        -- the group's repos, lower-cased, sorted, space-separated
    baseline TEXT NOT NULL,     -- the probe lists items updated at or after this time
    etag TEXT,
    seen TEXT NOT NULL,         -- JSON [[repo, number, updated_at], ...] from the last full answer
    complete INTEGER NOT NULL,  -- 0 when that answer cannot vouch (more than a page, or off target)
    PRIMARY KEY (scope, kind, repos)
);
CREATE TABLE IF NOT EXISTS repos (
    scope TEXT NOT NULL,
    repo TEXT NOT NULL,         -- owner/name, lower-cased (as requested, and GitHub's current name)
    maintainers TEXT NOT NULL,  -- JSON list of logins its OWNERS/MAINTAINERS/CODEOWNERS names; [] for none
    PRIMARY KEY (scope, repo)
);
"""


class CacheError(RuntimeError):
    """The cache file cannot be opened or read; the message names the file."""


@dataclass(frozen=True)
class CachedItem:
    """An item's facts as last fetched, the repo whose probe can vouch they are current, and who may
    be served them."""

    facts: ItemFacts
    probe_repo: str | None  # None: nothing but the age of the facts decides when to refetch
    identity: str = PUBLIC  # PUBLIC, or the lower-cased login that read them (see the module docstring)


@dataclass(frozen=True)
class Probe:
    """The validator of one kind in one repo group: what its last answer listed, and that answer's ETag."""

    repos: tuple[str, ...]  # lower-cased, sorted
    baseline: datetime
    etag: str | None
    seen: tuple[tuple[str, int, datetime], ...]  # (repo lower-cased, number, updated_at)
    complete: bool
    kind: str = "pr"  # "issue" or "pr": the `is:` qualifier of its search


class ItemCache:
    """Item facts and probe validators in one SQLite file (default: under `settings.triage_home()`)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else settings.triage_home() / CACHE_FILE
        self._ready = False

    def __repr__(self) -> str:
        return f"ItemCache({str(self.path)!r})"

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT)
        except (OSError, sqlite3.Error) as e:
            raise CacheError(f"Cannot open the GitHub cache {str(self.path)!r}: {e}") from e
        try:
            if not self._ready:
                self._prepare(conn)
            with conn:
                yield conn
        except sqlite3.DatabaseError as e:
            raise CacheError(f"Cannot use the GitHub cache {str(self.path)!r}: {e}") from e
        finally:
            conn.close()

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != str(SCHEMA_VERSION):
            with conn:
                for table in ("items", "probes", "repos"):
                    conn.execute(f"DELETE FROM {table}")
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        self._ready = True

    def get_entries(self, scope: str, keys: Iterable[ItemKey]) -> dict[ItemKey, list[CachedItem]]:
        """Every cached entry among `keys`, whoever may be served it, each keyed (and spelled) as requested."""
        wanted = {(k.repo.lower(), k.number): k for k in keys}
        if not wanted:
            return {}
        out: dict[ItemKey, list[CachedItem]] = {}
        with self._db() as conn:
            repos = sorted({r for r, _ in wanted})
            marks = ",".join("?" * len(repos))
            rows = conn.execute(
                f"SELECT repo, number, identity, facts, probe_repo FROM items WHERE scope = ? AND repo IN ({marks})",
                (scope, *repos),
            )
            for repo, number, identity, facts, probe_repo in rows:
                key = wanted.get((repo, number))
                if key is not None:
                    facts_now = replace(item_from_dict(json.loads(facts)), key=key)
                    out.setdefault(key, []).append(CachedItem(facts_now, probe_repo, identity))
        return out

    def get_items(
        self, scope: str, keys: Iterable[ItemKey], identities: Iterable[str] | None = None
    ) -> dict[ItemKey, CachedItem]:
        """The newest cached entry of each of `keys` that one of `identities` may be served (None: any)."""
        allowed = None if identities is None else set(identities)
        out: dict[ItemKey, CachedItem] = {}
        for key, entries in self.get_entries(scope, keys).items():
            usable = [e for e in entries if allowed is None or e.identity in allowed]
            if usable:
                out[key] = max(usable, key=lambda e: e.facts.observed_at or datetime.min.replace(tzinfo=UTC))
        return out

    def put_items(self, scope: str, entries: Iterable[CachedItem]) -> None:
        """Store (or replace) entries; a public entry replaces every identity's entry of its item."""
        entries = list(entries)
        rows = [
            (scope, e.facts.repo.lower(), e.facts.number, e.identity, json.dumps(item_to_dict(e.facts)), e.probe_repo)
            for e in entries
        ]
        public = [(scope, e.facts.repo.lower(), e.facts.number) for e in entries if e.identity == PUBLIC]
        private = [(scope, e.facts.repo.lower(), e.facts.number, PUBLIC)
                   for e in entries if e.identity != PUBLIC and e.facts.private]
        if rows:
            with self._db() as conn:
                # An item read as public makes every narrower entry of it out of date; one read as
                # private is nobody else's to be served any more, not even as it was when public.
                conn.executemany("DELETE FROM items WHERE scope = ? AND repo = ? AND number = ?", public)
                conn.executemany(
                    "DELETE FROM items WHERE scope = ? AND repo = ? AND number = ? AND identity = ?", private)
                conn.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?)", rows)

    def get_probe(self, scope: str, repos: Sequence[str], kind: str) -> Probe | None:
        """The stored probe of exactly this kind and repo group, if any."""
        group = " ".join(repos)
        with self._db() as conn:
            row = conn.execute(
                "SELECT baseline, etag, seen, complete FROM probes WHERE scope = ? AND kind = ? AND repos = ?",
                (scope, kind, group),
            ).fetchone()
        if row is None:
            return None
        baseline = parse_when(row[0])
        assert baseline is not None
        seen = tuple((str(r), int(n), _utc(u)) for r, n, u in json.loads(row[2]))
        return Probe(tuple(repos), baseline, row[1], seen, bool(row[3]), kind)

    def put_probe(self, scope: str, probe: Probe) -> None:
        """Store (or replace) a probe."""
        seen = json.dumps([[r, n, u.isoformat()] for r, n, u in probe.seen])
        with self._db() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO probes VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scope, probe.kind, " ".join(probe.repos), probe.baseline.isoformat(), probe.etag, seen,
                 int(probe.complete)),
            )

    def get_maintainers(self, scope: str, repos: Iterable[str]) -> dict[str, frozenset[str]]:
        """The maintainers last read for these repositories (lower-cased names), where they were read."""
        wanted = sorted({r.lower() for r in repos})
        if not wanted:
            return {}
        with self._db() as conn:
            rows = conn.execute(
                f"SELECT repo, maintainers FROM repos WHERE scope = ? AND repo IN ({','.join('?' * len(wanted))})",
                (scope, *wanted),
            ).fetchall()
        return {repo: frozenset(json.loads(logins)) for repo, logins in rows}

    def put_maintainers(self, scope: str, maintainers: Mapping[str, frozenset[str]]) -> None:
        """Store (or replace) the maintainers read for repositories (an empty set: no file names any)."""
        rows = [(scope, repo.lower(), json.dumps(sorted(logins))) for repo, logins in maintainers.items()]
        if rows:
            with self._db() as conn:
                conn.executemany("INSERT OR REPLACE INTO repos VALUES (?, ?, ?)", rows)

    def clear(self) -> None:
        """Forget everything (the file stays)."""
        with self._db() as conn:
            for table in ("items", "probes", "repos"):
                conn.execute(f"DELETE FROM {table}")


def _utc(text: str) -> datetime:
    value = parse_when(text)
    return value if value is not None else datetime.min.replace(tzinfo=UTC)
