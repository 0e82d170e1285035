"""What the fake GitHub knows: repositories, their items (as `ItemFacts`, the "truth"), files, renames.

The truth is stored in our own fact model so a test can compare what `triage.github` read with what
the fake served, field for field. Each item is projected into GitHub's REST and GraphQL shapes on
request (`rest.py`, `schema.py`).

`demo_truth()` turns the demo's recorded facts into complete items: what the recording did not show
is filled the way GitHub would fill it (an author association for every event, a creation date,
zero counts), and items the recording could not find at all are served as missing (404 /
NOT_FOUND) by default, because that is what the recording saw; `unknown="generated"` serves them as
synthetic items instead.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from triage.facts import EVENT_KINDS, Event, ItemFacts, ItemKey, People

KIND_ORDER = {k: n for n, k in enumerate(EVENT_KINDS)}
MAINTAINERS_FILE = Path(__file__).parents[1] / "data" / "github" / "falco-maintainers-2023-12-14.json"
LIFECYCLE = (
    "review_requested", "ready_for_review", "closed", "merged", "reopened", "commit",
    "labeled", "unlabeled", "cross_referenced", "connected", "assigned",
)


def stable_id(*parts: object) -> int:
    """A deterministic positive id (GitHub ids are integers) from any parts."""
    return zlib.crc32("/".join(map(str, parts)).encode()) % 900_000_000 + 1_000


def sha_of(*parts: object) -> str:
    """A deterministic 40-hex commit sha."""
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def sort_events(events: Iterable[Event]) -> tuple[Event, ...]:
    """Chronological, ties broken by kind order and login (how the fetcher orders them too)."""
    return tuple(sorted(events, key=lambda e: (e.at, KIND_ORDER[e.kind], e.actor or "")))


def with_borrowed_associations(events: Iterable[Event]) -> tuple[Event, ...]:
    """The events as GitHub lets a client observe them.

    GitHub reports an author association on descriptions, comments and reviews only; lifecycle
    events carry just an actor (login and account type) and commits just a login. A client can
    only borrow the same login's association and type from elsewhere on the thread (the latest
    seen wins), so that is what the truth holds too.
    """
    served = [
        replace(e, association=None, actor_type=None if e.kind == "commit" else e.actor_type)
        if e.kind in LIFECYCLE
        else e
        for e in sort_events(events)
    ]
    assoc: dict[str, str] = {}
    types: dict[str, str] = {}
    for e in served:
        if e.actor and e.association:
            assoc[e.actor] = e.association
        if e.actor and e.actor_type:
            types[e.actor] = e.actor_type
    return tuple(
        replace(
            e, association=e.association or assoc.get(e.actor), actor_type=e.actor_type or types.get(e.actor)
        )
        if e.actor
        else e
        for e in served
    )


@dataclass
class FakeItem:
    """One thread as GitHub holds it."""

    facts: ItemFacts
    hidden: bool = False  # served as 404 / NOT_FOUND (deleted, private, or never seen)
    error: tuple[str, str] | None = None  # (GraphQL error type, message) served for this alias
    body: str = ""
    store: Store | None = field(default=None, repr=False, compare=False)  # to resolve references

    @property
    def head_sha(self) -> str:
        return sha_of(self.facts.key.ref, "head", len(self.commits))

    @property
    def events(self) -> tuple[Event, ...]:
        return self.facts.events

    def of_kind(self, *kinds: str) -> list[Event]:
        return [e for e in self.facts.events if e.kind in kinds]

    @property
    def comments(self) -> list[Event]:
        return self.of_kind("comment")

    @property
    def reviews(self) -> list[Event]:
        return self.of_kind("review")

    @property
    def review_comments(self) -> list[Event]:
        return self.of_kind("review_thread")

    @property
    def commits(self) -> list[Event]:
        return self.of_kind("commit")


@dataclass
class FakeRepo:
    """One repository and its threads and files."""

    owner: str
    name: str
    items: dict[int, FakeItem] = field(default_factory=dict)
    files: dict[tuple[str, str], str] = field(default_factory=dict)  # (ref, path) -> text
    private: bool = False  # hidden from the token: 404 / NOT_FOUND, as GitHub hides private repositories
    default_branch: str = "main"
    is_private: bool = False  # `isPrivate` / `"private"`, for a private repository the token may read
    # The logins that may read a private repository (None: every token); others get 404 / NOT_FOUND.
    readers: frozenset[str] | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def id(self) -> int:
        return stable_id("repo", self.full_name.lower())

    @property
    def created_at(self) -> datetime:
        dates = [i.facts.created_at for i in self.items.values() if i.facts.created_at]
        return min(dates, default=datetime(2019, 1, 1, tzinfo=UTC))

    @property
    def updated_at(self) -> datetime:
        dates = [i.facts.updated_at for i in self.items.values() if i.facts.updated_at]
        return max(dates, default=self.created_at)


class Store:
    """All repositories, by lower-cased full name, plus renames (old name -> current name)."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.renames: dict[str, str] = {}

    def ensure_repo(self, full_name: str) -> FakeRepo:
        key = full_name.lower()
        if key not in self.repos:
            owner, name = full_name.split("/", 1)
            self.repos[key] = FakeRepo(owner, name)
        return self.repos[key]

    def add(self, facts: ItemFacts, *, hidden: bool = False) -> FakeItem:
        repo = self.ensure_repo(facts.key.repo)
        item = FakeItem(facts, hidden=hidden, store=self)
        repo.items[facts.key.number] = item
        return item

    def lookup(self, full_name: str, *, follow_renames: bool = True) -> tuple[FakeRepo | None, bool]:
        """(repo, moved): the repository under this name, following renames when allowed."""
        key = full_name.lower()
        if key in self.repos:
            return self.repos[key], False
        if follow_renames and key in self.renames:
            return self.repos.get(self.renames[key]), True
        return None, False

    def by_id(self, repo_id: int) -> FakeRepo | None:
        return next((r for r in self.repos.values() if r.id == repo_id), None)

    def item(self, key: ItemKey) -> FakeItem:
        repo, _ = self.lookup(key.repo)
        if repo is None or key.number not in repo.items:
            raise KeyError(f"the fake has no item {key.ref}")
        return repo.items[key.number]

    def rename(self, old: str, new: str) -> None:
        """Move a repository to a new owner/name; the old name then redirects (REST 301, GraphQL follows)."""
        repo = self.repos.pop(old.lower())
        owner, name = new.split("/", 1)
        moved = FakeRepo(owner, name, {}, repo.files, repo.private, repo.default_branch, repo.is_private)
        for number, item in repo.items.items():
            f = item.facts
            url = f"https://github.com/{new}/{'pull' if f.kind == 'pull' else 'issues'}/{number}"
            moved.items[number] = replace(item, facts=replace(f, key=ItemKey(new, number), url=url))
        self.repos[new.lower()] = moved
        self.renames = {o: (new.lower() if n == old.lower() else n) for o, n in self.renames.items()}
        self.renames[old.lower()] = new.lower()


# --- the demo's items, completed ------------------------------------------------------------------------


def _association(login: str | None, author: str | None, people: People) -> str:
    if login is None:
        return "NONE"
    if people.is_maintainer(login):
        return "MEMBER"
    return "CONTRIBUTOR" if login == author else "NONE"


def _actor_type(login: str | None) -> str | None:
    if login is None:
        return None
    return "Bot" if login.lower().endswith("[bot]") else "User"


def complete_recorded(facts: ItemFacts, people: People) -> ItemFacts:
    """A recorded (partial) item made whole the way GitHub would serve it; recorded values are kept.

    Filled: a creation date (the earliest event's), updated/closed/merged dates (the latest event's),
    a description event, associations (MEMBER for the recorded maintainers, CONTRIBUTOR for the
    author, NONE otherwise), account types, review verdicts (COMMENTED), zero counts and sizes.
    An author the recording did not show is served as a ghost (null) account.
    """
    events = list(facts.events)
    author = facts.author or next((e.actor for e in events if e.kind == "description"), None)
    dates = [e.at for e in events]
    created = facts.created_at or min(dates, default=datetime(2023, 1, 1, tzinfo=UTC))
    latest = max([created, *dates])
    if not any(e.kind == "description" for e in events):
        events.append(Event(author, created, "description"))
    events = [
        replace(
            e,
            association=e.association or _association(e.actor, author, people),
            actor_type=e.actor_type or _actor_type(e.actor),
            review_state=(e.review_state or "COMMENTED") if e.kind == "review" else None,
        )
        for e in events
    ]
    pull = facts.kind == "pull"
    closed = facts.state in ("closed", "merged")
    return replace(
        facts,
        status="ok",
        status_detail=None,
        author=author,
        author_association=facts.author_association or _association(author, author, people),
        author_type=facts.author_type or _actor_type(author),
        labels=tuple(sorted(facts.labels or (), key=str.lower)),
        created_at=created,
        updated_at=facts.updated_at or latest,
        closed_at=facts.closed_at or (latest if closed else None),
        merged_at=facts.merged_at or (latest if facts.state == "merged" else None),
        draft=bool(facts.draft) if pull else None,
        merged=(facts.state == "merged") if pull else None,
        events=with_borrowed_associations(events),
        timeline_complete=True,
        created_bounds=None,  # GitHub knows when a thread was opened
        comments_count=sum(1 for e in events if e.kind == "comment"),
        reactions=facts.reactions or 0,
        review_requests=(facts.review_requests or 0) if pull else None,
        additions=(facts.additions or 0) if pull else None,
        deletions=(facts.deletions or 0) if pull else None,
        changed_files=(facts.changed_files or 0) if pull else None,
        note=None,
    )


def demo_truth(
    unknown: Literal["not_found", "generated"] = "not_found",
) -> tuple[list[ItemFacts], list[ItemFacts]]:
    """(served items, hidden items) for the demo's 16 agenda items.

    Items the recording could not find are hidden (404 / NOT_FOUND) unless `unknown="generated"`,
    which serves synthetic items under their keys instead.
    """
    from tests.fakegithub.generate import synthetic_item
    from triage.demo import load_demo

    facts = load_demo().facts
    served, hidden = [], []
    for item in facts.items:
        if item.status == "ok":
            served.append(complete_recorded(item, facts.people))
        else:
            made = synthetic_item(item.key, item.kind or "issue", seed=item.number)
            (served if unknown == "generated" else hidden).append(made)
    return served, hidden


def demo_owners_files() -> dict[str, str]:
    """Each demo repository's OWNERS file (Prow style, as falcosecurity keeps them), listing the approvers it
    had on 2023-12-14 (`tests/data/github/falco-maintainers-2023-12-14.json`)."""
    data = json.loads(MAINTAINERS_FILE.read_text("utf-8"))
    files = {}
    for repo, approvers in data["approvers_by_repo_2023_12_14"].items():
        # Emeritus approvers are listed too, as falcosecurity's files do: they are not maintainers any more.
        lines = ["approvers:", *(f"  - {login}" for login in approvers)]
        lines += ["emeritus_approvers:", *(f"  - {login}" for login in data["emeritus"])]
        files[repo] = "\n".join(lines) + "\n"
    return files
