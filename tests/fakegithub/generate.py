"""Synthetic GitHub items with realistic shapes, for scale tests and benchmarks.

`generate_org` makes an organisation's PRs and issues the way active open-source projects look:
ages log-normal from hours to years (numbers grow with creation time), most threads with a handful
of comments and a long tail with hundreds, maintainers (OWNER/MEMBER/COLLABORATOR) and external
authors (CONTRIBUTOR/FIRST_TIME_CONTRIBUTOR/NONE), bots (dependabot[bot] and friends, plus a bot
that is a plain User account), drafts, reviews and approvals, review threads, commits, CI states,
mergeability, sizes, labels and milestones. The same seed always gives the same items.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.fakegithub.store import with_borrowed_associations
from triage.facts import Event, EventKind, ItemFacts, ItemKey, Kind

DEFAULT_NOW = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)  # fixed, so a seed means the same data every year
MAX_AGE_DAYS = 6 * 365

_WORDS = (
    "core",
    "libs",
    "plugins",
    "rules",
    "charts",
    "operator",
    "sdk-go",
    "sdk-rs",
    "docs",
    "website",
    "client",
    "server",
    "cli",
    "agent",
    "proto",
    "ui",
    "infra",
    "test-infra",
    "driver",
    "exporter",
)
_TITLE_VERBS = (
    "Fix",
    "Add",
    "Support",
    "Refactor",
    "Update",
    "Remove",
    "Document",
    "Improve",
    "Allow",
    "Bump",
)
_TITLE_NOUNS = (
    "driver loading",
    "config parsing",
    "ring buffer sizing",
    "plugin API",
    "k8s metadata",
    "CI matrix",
    "container engine",
    "syscall filter",
    "rules engine",
    "release notes",
    "arm64 build",
    "gRPC output",
    "memory leak",
    "event drops",
    "docs examples",
)
_LABELS = (
    "kind/bug",
    "kind/feature",
    "kind/documentation",
    "kind/cleanup",
    "area/build",
    "area/driver",
    "area/plugins",
    "area/rules",
    "area/tests",
    "priority/high",
    "good first issue",
    "help wanted",
    "lifecycle/stale",
    "size/S",
    "size/M",
    "size/L",
    "size/XL",
)
_BOTS = (
    ("dependabot[bot]", "Bot"),
    ("renovate[bot]", "Bot"),
    ("github-actions[bot]", "Bot"),
    ("ci-robot", "User"),
)
_SYLLABLES = ("ka", "lo", "mi", "ra", "te", "no", "shi", "va", "de", "po", "zu", "fe", "gri", "an", "el")


@dataclass(frozen=True)
class _Person:
    login: str
    association: str
    kind: str = "User"


def _login(rng: random.Random) -> str:
    name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
    return name + (str(rng.randint(1, 99)) if rng.random() < 0.4 else "")


def _lognormal_days(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(max(rng.lognormvariate(math.log(median), sigma), low), high)


def _skewed(rng: random.Random, median: float, sigma: float, cap: int) -> int:
    """A count with a long tail: a quarter are zero, most are small, a few are large (up to `cap`)."""
    if rng.random() < 0.25:
        return 0
    return min(max(int(rng.lognormvariate(math.log(median + 1), sigma)) - 1, 0), cap)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max((end - start).total_seconds(), 1.0)
    return (start + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


class _Repo:
    def __init__(self, org: str, name: str, rng: random.Random, externals: list[str]) -> None:
        self.full = f"{org}/{name}"
        owners = [_Person(_login(rng), "OWNER")]
        members = [_Person(_login(rng), "MEMBER") for _ in range(rng.randint(3, 6))]
        collaborators = [_Person(_login(rng), "COLLABORATOR") for _ in range(rng.randint(0, 3))]
        self.maintainers = owners + members + collaborators
        self.externals = [
            _Person(login, rng.choices(("CONTRIBUTOR", "NONE", "FIRST_TIME_CONTRIBUTOR"), (6, 3, 1))[0])
            for login in rng.sample(externals, k=min(len(externals), rng.randint(20, 80)))
        ]
        self.bots = [_Person(login, "NONE", kind) for login, kind in _BOTS]
        self.requires_review = rng.random() < 0.8
        self.next_number = rng.randint(1, 40)


def _item(
    repo: _Repo,
    number: int,
    kind: Kind,
    created: datetime,
    now: datetime,
    rng: random.Random,
    open_only: bool = False,
) -> ItemFacts:
    pull = kind == "pull"
    roll = rng.random()
    if pull and roll < 0.15:
        author = rng.choice(repo.bots[:3]) if rng.random() < 0.85 else repo.bots[3]
    elif roll < (0.5 if pull else 0.35):
        author = rng.choice(repo.maintainers)
    else:
        author = rng.choice(repo.externals)
    bot = author.kind == "Bot" or author in repo.bots
    age_days = (now - created).total_seconds() / 86400
    # The draw happens either way, so `open_only` keeps every other choice of a seed unchanged.
    is_open = rng.random() < 0.7 * math.exp(-age_days / 200) + 0.12 or open_only
    end = (
        now
        if is_open
        else _between(
            rng, created + timedelta(hours=1), min(now, created + timedelta(days=max(age_days, 0.1)))
        )
    )
    draft = pull and is_open and not bot and rng.random() < 0.12
    merged = pull and not is_open and rng.random() < (0.9 if bot else 0.7)

    events: list[Event] = [Event(author.login, created, "description", author.association, author.kind)]

    def someone(maintainer_share: float) -> _Person:
        if rng.random() < 0.3:
            return author
        return rng.choice(repo.maintainers) if rng.random() < maintainer_share else rng.choice(repo.externals)

    def add(kind: EventKind, who: _Person, at: datetime, review_state: str | None = None) -> None:
        events.append(Event(who.login, at, kind, who.association, who.kind, review_state))

    for _ in range(_skewed(rng, 2 if not bot else 0.5, 1.2, 160)):
        add("comment", someone(0.5), _between(rng, created, end))
    latest_verdict: dict[str, str] = {}
    if pull:
        for n in range(max(1, _skewed(rng, 2, 0.8, 30))):
            add("commit", author, created if n == 0 else _between(rng, created, end))
        if rng.random() < 0.5:
            add("review_requested", author, created + timedelta(minutes=rng.randint(1, 90)))
        if not draft and rng.random() < 0.25:
            add("ready_for_review", author, _between(rng, created, created + (end - created) / 3))
        for _ in range(_skewed(rng, 1.5, 0.9, 25)):
            reviewer = rng.choice(repo.maintainers) if rng.random() < 0.8 else rng.choice(repo.externals)
            if reviewer == author:
                continue
            at = _between(rng, created, end)
            state = rng.choices(("APPROVED", "CHANGES_REQUESTED", "COMMENTED"), (4, 1.5, 4.5))[0]
            add("review", reviewer, at, state)
            latest_verdict[reviewer.login] = (
                state if state != "COMMENTED" else latest_verdict.get(reviewer.login, "")
            )
            for k in range(rng.randint(0, 3) if state != "APPROVED" else 0):
                add("review_thread", reviewer, at + timedelta(seconds=k))
            if state != "APPROVED" and rng.random() < 0.5:
                add("review_thread", author, _between(rng, at, end))
    # Only people with write access merge; authors may close their own threads.
    closer = rng.choice(repo.maintainers) if merged or rng.random() < 0.8 else author
    if not is_open:
        if merged:
            add("merged", closer, end)
        add("closed", closer, end)
        if end - created > timedelta(hours=4) and rng.random() < 0.05:  # closed, reopened, closed for good
            add("closed", closer, end - timedelta(hours=3))
            add("reopened", author, end - timedelta(hours=2))
    events = [e for e in events if e.at <= now]
    verdicts = set(latest_verdict.values())
    if not pull:
        decision = None
    elif "CHANGES_REQUESTED" in verdicts:
        decision = "CHANGES_REQUESTED"
    elif "APPROVED" in verdicts:
        decision = "APPROVED"
    else:
        decision = "REVIEW_REQUIRED" if repo.requires_review else None
    labels = set(rng.sample(_LABELS, k=min(len(_LABELS), _skewed(rng, 1.5, 0.7, 5))))
    if bot:
        labels.add("dependencies")
    if decision == "APPROVED":
        labels |= {"approved", "lgtm"}
    milestone = f"v0.{rng.randint(30, 40)}.0" if is_open and rng.random() < 0.2 else None
    additions = int(_lognormal_days(rng, 8 if bot else 40, 1.6, 1, 20_000)) if pull else None
    ci = rng.choices(("SUCCESS", "FAILURE", "PENDING", None), (6, 2, 1, 1))[0] if pull else None
    served = with_borrowed_associations(events)
    updated = max([e.at for e in served] + [created])
    if rng.random() < 0.3:  # label edits, bot pings and the like move updated_at without an event
        updated = min(now, _between(rng, updated, updated + timedelta(days=3)))
    return ItemFacts(
        key=ItemKey(repo.full, number),
        kind=kind,
        url=f"https://github.com/{repo.full}/{'pull' if pull else 'issues'}/{number}",
        title=f"{rng.choice(_TITLE_VERBS)} {rng.choice(_TITLE_NOUNS)}" + (" (WIP)" if draft else ""),
        state="open" if is_open else ("merged" if merged else "closed"),
        state_reason=None if pull or is_open else rng.choices(("completed", "not_planned"), (7, 3))[0],
        draft=draft if pull else None,
        merged=merged if pull else None,
        author=author.login,
        author_association=author.association,
        author_type=author.kind,
        labels=tuple(sorted(labels, key=str.lower)),
        milestone=milestone,
        milestone_due=(now + timedelta(days=rng.randint(3, 90))).replace(hour=0, minute=0, second=0)
        if milestone
        else None,
        created_at=created,
        updated_at=updated,
        closed_at=None if is_open else end,
        merged_at=end if merged else None,
        events=served,
        timeline_complete=True,
        comments_count=sum(1 for e in served if e.kind == "comment"),
        reactions=_skewed(rng, 0.3 if pull else 1.5, 1.6, 400),
        review_decision=decision,
        review_requests=rng.choice((0, 0, 1, 2)) if pull and is_open else (0 if pull else None),
        ci_status=ci,
        mergeable=rng.choices((True, False, None), (7, 2, 1))[0] if pull and is_open else None,
        additions=additions,
        deletions=int(additions * rng.uniform(0, 0.8)) if additions is not None else None,
        changed_files=max(1, int(_lognormal_days(rng, 3, 1.2, 1, 3000))) if pull else None,
    )


def spread(total: int, repos: int, skew: float) -> list[int]:
    """`total` items over `repos` repositories, shares proportional to 1 / (i + 1) ** skew."""
    weights = [1 / (i + 1) ** skew for i in range(repos)]
    counts = [int(total * w / sum(weights)) for w in weights]
    for i in range(total - sum(counts)):  # the rounding remainder, one each from the first
        counts[i % repos] += 1
    return counts


def generate_org(
    org: str = "acme",
    repos: int = 10,
    prs_per_repo: int | None = None,
    total: int | None = None,
    seed: int = 0,
    *,
    issue_share: float = 0.25,
    now: datetime = DEFAULT_NOW,
    open_only: bool = False,
    skew: float = 0.0,
) -> list[ItemFacts]:
    """Items of `repos` repositories of `org`: `prs_per_repo` each, or `total` spread over them.

    `issue_share` of the items are issues, the rest PRs. `open_only` leaves every item open (what
    a scan of open PRs sees). `skew` spreads `total` like real organisations do: repository i gets
    a share proportional to 1 / (i + 1) ** skew (0: evenly; 1: kubernetes-like, where one
    repository holds a fifth of the open PRs and the last ones a few dozen). Sorted by repo and number.
    """
    if (prs_per_repo is None) == (total is None):
        raise ValueError("give exactly one of prs_per_repo and total")
    rng = random.Random(seed)
    externals = list(dict.fromkeys(_login(rng) for _ in range(400)))
    names = [
        (_WORDS[i % len(_WORDS)] + (f"-{i // len(_WORDS) + 1}" if i >= len(_WORDS) else ""))
        for i in range(repos)
    ]
    counts = [prs_per_repo] * repos if prs_per_repo is not None else spread(int(total or 0), repos, skew)
    items: list[ItemFacts] = []
    for name, count in zip(names, counts, strict=True):
        repo = _Repo(org, name, rng, externals)
        ages = sorted((_lognormal_days(rng, 45, 1.5, 0.05, MAX_AGE_DAYS) for _ in range(count)), reverse=True)
        number = repo.next_number
        for age in ages:
            created = (now - timedelta(days=age)).replace(microsecond=0)
            kind: Kind = "issue" if rng.random() < issue_share else "pull"
            items.append(_item(repo, number, kind, created, now, rng, open_only))
            number += 1 if rng.random() < 0.8 else rng.randint(2, 4)  # gaps: numbers taken by deleted threads
    return items


def synthetic_item(key: ItemKey, kind: Kind, seed: int = 0, now: datetime = DEFAULT_NOW) -> ItemFacts:
    """One generated item under a given key (for items a recording does not know)."""
    rng = random.Random(seed)
    owner, name = key.repo.split("/", 1)
    repo = _Repo(owner, name, rng, list(dict.fromkeys(_login(rng) for _ in range(100))))
    created = (now - timedelta(days=_lognormal_days(rng, 45, 1.5, 0.05, MAX_AGE_DAYS))).replace(microsecond=0)
    return _item(repo, key.number, "issue" if kind == "discussion" else kind, created, now, rng)
