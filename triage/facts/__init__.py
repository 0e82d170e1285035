"""The fact model: typed, frozen records of what GitHub says about agenda items.

Everything downstream (signals, criteria, scoring, snapshots) reads these records and nothing else,
so no code outside `triage.github` can issue a GitHub request. A fact that was not observed is
`None`: unknown stays unknown, it is never guessed. `triage.facts.format` writes these records to
JSON and reads them back; `triage.facts.columns` holds them as the columns the ranking reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from functools import cached_property
from itertools import pairwise
from operator import attrgetter
from sys import intern
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from triage.facts.columns import FactColumns

from triage.markup import item_url

Kind = Literal["pull", "issue", "discussion"]
State = Literal["open", "closed", "merged"]
# What happened on a thread: the opening description, a conversation comment, a review (with a
# verdict), a comment in a review thread, a pushed commit, a lifecycle event, a label added or
# removed, another thread referring to this one (a mention, or a "Fixes #N" link), or an assignment.
EventKind = Literal[
    "description",
    "comment",
    "review",
    "review_thread",
    "commit",
    "review_requested",
    "ready_for_review",
    "closed",
    "merged",
    "reopened",
    "labeled",
    "unlabeled",
    "cross_referenced",
    "connected",
    "assigned",
]
EVENT_KINDS: tuple[str, ...] = EventKind.__args__  # type: ignore[attr-defined]
# Why an item's facts are what they are: fetched fine, or the reason they could not be.
# "stale": facts read on an earlier run, shown because this run could not refresh them (status_detail
# says why and when they were read).
FetchStatus = Literal["ok", "unknown", "not_found", "moved", "rate_limited", "forbidden", "error", "stale"]

FIRST_TIME_ASSOCIATIONS = frozenset({"FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER"})

_REF_RE = re.compile(r"^(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+)#(?P<number>\d+)$")


@dataclass(frozen=True, order=True)
class ItemKey:
    """One GitHub thread: `owner/repo#number` (PRs and issues share the number space)."""

    repo: str  # "owner/name", as GitHub spells it
    number: int

    @property
    def ref(self) -> str:
        """The `owner/repo#N` form used in links, exports and the command line."""
        return f"{self.repo}#{self.number}"

    @property
    def owner(self) -> str:
        """The organisation or user that owns the repository."""
        return self.repo.split("/", 1)[0]

    @classmethod
    def parse(cls, ref: str) -> ItemKey:
        """Read `owner/repo#N`; raise ValueError quoting the bad value otherwise."""
        m = _REF_RE.match(ref.strip())
        if not m:
            raise ValueError(f"Invalid item reference {ref!r}: expected owner/repo#number")
        return cls(f"{m['owner']}/{m['repo']}", int(m["number"]))

    def __str__(self) -> str:
        return self.ref


@dataclass(frozen=True)
class Event:
    """One dated thing someone did on a thread."""

    actor: str | None  # login; None for a ghost (deleted) account
    at: datetime
    kind: EventKind
    association: str | None = None  # GitHub's author association (OWNER, MEMBER, ...), if seen
    actor_type: str | None = None  # "User", "Bot", "Organization", "Mannequin", if seen
    review_state: str | None = None  # APPROVED / CHANGES_REQUESTED / COMMENTED / DISMISSED for reviews
    detail: str | None = None
    # labeled/unlabeled: the label name; cross_referenced/connected: "owner/repo#N" of the other thread
    # (the PR or issue that referenced or was linked to this one); assigned: the assignee's login.

    def __post_init__(self) -> None:
        _share_text(self, ("actor", "association", "actor_type", "review_state", "detail"))


def _share_text(record: object, names: tuple[str, ...]) -> None:
    """Intern the `names` fields of a frozen `record`. A scan holds 100,000 events by a few hundred
    people: one shared string per login (type, association) instead of one per event saves memory,
    and ranking, which looks each one up, runs faster through the smaller working set."""
    for name in names:
        value = getattr(record, name)
        if value is not None:
            object.__setattr__(record, name, intern(value))


_AT = attrgetter("at")


@dataclass(frozen=True)
class ItemFacts:
    """What is known about one PR, issue or discussion at the moment it was observed."""

    key: ItemKey
    kind: Kind | None = None
    url: str | None = None
    status: FetchStatus = "ok"
    status_detail: str | None = None  # user-facing sentence for a failed fetch, e.g. "moved to a/b"
    title: str | None = None
    state: State | None = None  # as observed at `observed_at`, not necessarily as of the ranking
    state_reason: str | None = None
    draft: bool | None = None
    merged: bool | None = None
    author: str | None = None
    author_association: str | None = None
    author_type: str | None = None
    labels: tuple[str, ...] | None = None
    milestone: str | None = None
    milestone_due: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    events: tuple[Event, ...] = ()  # oldest first (sorted on construction)
    timeline_complete: bool = False  # False when only part of the timeline was seen
    comments_count: int | None = None
    reactions: int | None = None  # total reactions on the opening post
    review_decision: str | None = None  # APPROVED / CHANGES_REQUESTED / REVIEW_REQUIRED
    review_requests: int | None = None  # reviews requested and not yet given
    ci_status: str | None = None  # SUCCESS / FAILURE / PENDING / ERROR / EXPECTED
    mergeable: bool | None = None
    additions: int | None = None
    deletions: int | None = None
    changed_files: int | None = None
    observed_at: datetime | None = None  # when these facts were read from GitHub
    note: str | None = None  # provenance remark shown to users (e.g. "timeline incomplete")
    created_bounds: tuple[datetime, datetime] | None = None
    # [earliest, latest] possible opening moment when `created_at` was not observed (a bound, not an
    # observation: never shown as an age).
    label_history: bool = False
    # True when every labeled/unlabeled event of the thread is in `events`, so the labels at any moment can be
    # replayed back from `labels` (which are the labels at `observed_at`). False: `labels` say nothing about
    # moments well before `observed_at`.
    private: bool | None = None  # the repository's `isPrivate`, when read

    def __post_init__(self) -> None:
        # Events are kept oldest first, whatever order they came in: signals cut them at a moment
        # with a bisection instead of sorting them again for every ranking.
        events = self.events
        if any(a.at > b.at for a, b in pairwise(events)):
            object.__setattr__(self, "events", tuple(sorted(events, key=_AT)))
        _share_text(self, ("author", "author_association", "author_type"))

    @property
    def ref(self) -> str:
        """`owner/repo#N`."""
        return self.key.ref

    @property
    def repo(self) -> str:
        """`owner/name`."""
        return self.key.repo

    @property
    def number(self) -> int:
        """The PR or issue number."""
        return self.key.number

    @property
    def found(self) -> bool:
        """True when GitHub (or the recorded source) showed this thread (moved repos, and facts kept
        from an earlier run that this one could not refresh, included)."""
        return self.status in ("ok", "moved", "stale")

    @property
    def first_time_contributor(self) -> bool | None:
        """GitHub says this is the author's first contribution (None when the association is unknown)."""
        association = (self.author_association or "").upper()
        return association in FIRST_TIME_ASSOCIATIONS if association else None

    @property
    def size(self) -> int | None:
        """Lines changed (additions + deletions) for a PR, when known."""
        if self.additions is None or self.deletions is None:
            return None
        return self.additions + self.deletions

    @property
    def html_url(self) -> str:
        """The thread's address on github.com (built from the key when none was recorded)."""
        # Only an http(s) link to this thread on a GitHub host: the API's `url` is shown as a link
        # and pasted into minutes (issue 12).
        return item_url(self.url, self.repo, self.number, self.kind)


class Role(NamedTuple):
    """What an event's actor counts as."""

    bot: bool
    maintainer: bool
    login: str  # lower-cased; "" for a ghost (deleted) account
    # A maintainer only through GitHub's author association, which is the account's role when the
    # facts were read, not necessarily its role at an earlier moment.
    by_association: bool = False


@dataclass(frozen=True)
class People:
    """Who counts as a maintainer and who is a bot, beyond what GitHub's associations say."""

    maintainers: frozenset[str] = frozenset()  # lower-cased logins
    bots: frozenset[str] = frozenset()  # lower-cased logins of bot accounts without a [bot] suffix
    maintainer_associations: frozenset[str] = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
    # Every (login, type, association) `roles` has answered: signals look here first, for every event.
    # Not a field of the value (init=False: `replace` starts a fresh memo, so merged lists never
    # reuse stale verdicts).
    known_roles: dict[tuple[str | None, str | None, str | None], Role] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    by_repo: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False, hash=False)
    # lower-cased "owner/name" -> lower-cased logins of that repository's maintainers (its OWNERS approvers,
    # CODEOWNERS or MAINTAINERS file). A repository absent here falls back to `maintainers` + associations.
    # The people of each repository of `by_repo`, built once (see `for_repo`).
    repo_views: dict[str, People] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)

    @classmethod
    def of(
        cls,
        maintainers: Iterable[str] = (),
        bots: Iterable[str] = (),
        associations: Iterable[str] | None = None,
        by_repo: Mapping[str, Iterable[str]] | None = None,
    ) -> People:
        """Build from logins and repository names in any case."""
        people = cls(frozenset(m.lower() for m in maintainers), frozenset(b.lower() for b in bots))
        if associations is not None:
            people = replace(people, maintainer_associations=frozenset(a.upper() for a in associations))
        if by_repo:
            people = replace(people, by_repo={r.lower(): frozenset(m.lower() for m in ms) for r, ms in by_repo.items()})
        return people

    def merged_with(self, other: People) -> People:
        """Both lists of maintainers and bots, and both repositories' maintainers (associations from `self`)."""
        by_repo = dict(self.by_repo)
        for repo, logins in other.by_repo.items():
            by_repo[repo] = by_repo.get(repo, frozenset()) | logins
        return replace(self, maintainers=self.maintainers | other.maintainers, bots=self.bots | other.bots,
                       by_repo=by_repo)

    def for_repo(self, repo: str) -> People:
        """Who counts in `repo`: its own maintainers when `by_repo` names it (no association counts
        there: the repository's file says who maintains it); in another organisation's repository,
        only GitHub's associations (the project's maintainers wait on that organisation like anyone);
        otherwise these people."""
        if not self.by_repo:
            return self
        view = self.repo_views.get(repo)
        if view is None:
            lower = repo.lower()
            logins = self.by_repo.get(lower)
            if logins is not None:
                view = People(logins, self.bots, frozenset())
            elif lower.split("/", 1)[0] not in {r.split("/", 1)[0] for r in self.by_repo}:
                view = People(frozenset(), self.bots, self.maintainer_associations)
            else:
                view = self
            self.repo_views[repo] = view
        return view

    def is_bot(self, login: str | None, actor_type: str | None = None) -> bool:
        """A bot account: typed Bot by GitHub, a `[bot]` login, or a login configured as a bot."""
        if login is None:
            return False  # ghost (deleted) accounts are people whose account is gone
        lower = login.lower()
        return actor_type == "Bot" or lower.endswith("[bot]") or lower in self.bots

    def roles(self, login: str | None, actor_type: str | None, association: str | None) -> Role:
        """Who one event's actor is, in one memo look-up: signals ask it for every event."""
        key = (login, actor_type, association)
        role = self.known_roles.get(key)
        if role is None:
            lower = (login or "").lower()
            maintainer = self.is_maintainer(login, association)
            role = self.known_roles[key] = Role(
                self.is_bot(login, actor_type), maintainer, lower, maintainer and lower not in self.maintainers
            )
        return role

    def is_maintainer(self, login: str | None, association: str | None = None) -> bool:
        """A maintainer: a configured login, or an OWNER/MEMBER/COLLABORATOR association."""
        if login is None:
            return False
        return login.lower() in self.maintainers or (association or "").upper() in self.maintainer_associations


@dataclass(frozen=True)
class FactSet:
    """What the ranking reads: the items, who the maintainers are, and where the facts came from."""

    items: tuple[ItemFacts, ...]
    source: str  # "demo:falco-2023-12-14", "minutes:<name>", "scan:<org>" ... (never a token)
    people: People = field(default_factory=People)
    observed_at: datetime | None = None
    note: str | None = None

    def by_key(self) -> dict[ItemKey, ItemFacts]:
        """Items keyed by `ItemKey`."""
        return {i.key: i for i in self.items}

    @cached_property
    def columns(self) -> FactColumns:
        """The items as columns (`triage.facts.columns`), built once: what the ranking reads."""
        from triage.facts.columns import FactColumns  # numpy stays out of reading and writing facts

        return FactColumns.of(self.items)


# --- dates ---------------------------------------------------------------------------------------


def parse_when(value: str | date | datetime | None, *, end_of_day: bool = False) -> datetime | None:
    """An aware UTC datetime from ISO text, a date or a datetime; a bare date means its start
    (or its last second with `end_of_day`, which is how an `--as-of DATE` is read)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"Invalid date {text!r}: expected YYYY-MM-DD or an ISO 8601 timestamp") from None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    moment = time(23, 59, 59) if end_of_day else time(0, 0)
    return datetime.combine(value, moment, tzinfo=UTC)


# The days a ranking can be judged as of: from GitHub's first year to one far enough ahead that no
# day arithmetic on it overflows (`as_of=9999-12-31` in a link raised OverflowError, issue 12).
AS_OF_FIRST, AS_OF_LAST = date(2008, 1, 1), date(2999, 12, 31)


def parse_as_of(value: str | date) -> datetime:
    """The end of the day (or the moment) `value` names, as an "as of"; ValueError with a sentence
    when it is not a date or lies outside AS_OF_FIRST..AS_OF_LAST."""
    moment = parse_when(value, end_of_day=True)
    if moment is None:
        raise ValueError("No as-of date given: expected YYYY-MM-DD")
    if not AS_OF_FIRST <= moment.date() <= AS_OF_LAST:
        raise ValueError(f"As-of date {value!s:.40} is out of range: expected a day from {AS_OF_FIRST} to {AS_OF_LAST}")
    return moment
