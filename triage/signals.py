"""Signals: what the facts say about an item as of a moment, ignoring everything after it.

Facts are what GitHub showed; signals are what a maintainer asks of them on the meeting day: how
old is it, whose turn is it and since when, when did a maintainer last look at it, who takes part.
Bots never count as participants or as the person the ball is with.

Whose turn it is (the *ball*) is decided by small rules, one function each, tried in this order:

1. `resolved`: closed or merged as of the moment: nobody's.
2. `merge_conflicts`, `failing_ci`: only the author can rebase or fix the build: the author's.
3. `changes_requested`: a maintainer asked for changes and the author has not acted since.
4. `review_requested` and `conversation`: a review was requested and not given, or someone other
   than a maintainer spoke last: the maintainers', since the earlier of the two.
5. `conversation`: a maintainer spoke last: the author's.

Conflicts, CI and pending review requests are GitHub's *current* state, not dated history, so they
are only used when the facts were observed around the moment (`CURRENT_FACTS_SLACK`): today's red
build says nothing about a meeting two years ago.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Literal, NamedTuple

from triage.facts import Event, ItemFacts, People
from triage.outcomes import EarlierOutcome

Ball = Literal["maintainers", "author", "nobody"]
# Facts observed this long after the moment still describe it: a live fetch reads GitHub a few
# seconds after `as_of` was taken, and a meeting prepared the day before ranks next-day facts.
CURRENT_FACTS_SLACK = timedelta(days=1)
FAILING_CI = frozenset({"FAILURE", "ERROR"})  # StatusState values that need the author's fix
_VERDICTS = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})  # a reviewer's latest word

# The reasons a rule gives (shown as "waiting on author: CI failing" and the like).
RESOLVED = "resolved"
MERGE_CONFLICTS = "merge conflicts"
CI_FAILING = "CI failing"
CHANGES_REQUESTED = "changes requested"
REVIEW_REQUESTED = "review requested, not given"
AUTHOR_SPOKE_LAST = "author spoke last"
COMMUNITY_SPOKE_LAST = "community spoke last"
NO_REPLY_YET = "no maintainer reply yet"
MAINTAINER_SPOKE_LAST = "maintainer spoke last"


@dataclass(frozen=True)
class AgendaContext:
    """What the agenda says about an item: where it sits, its flags, earlier meetings naming it."""

    flags: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    bullet: str | None = None
    carried_over: tuple[str, ...] = ()  # names of earlier meetings whose minutes name the item
    outcomes: tuple[EarlierOutcome, ...] = ()  # what earlier meetings decided about it, oldest first


class Signals(NamedTuple):
    """One item's signals as of `as_of` (None where the facts do not tell).

    (A named tuple: a scan computes 10,000 of them, and a frozen dataclass of this size takes
    three times as long to build.)
    """

    item: ItemFacts
    as_of: datetime
    agenda: AgendaContext
    state: str | None  # open / closed / merged as of the moment; None when the facts cannot tell
    state_note: str | None  # why the state is what it is, when it is not plainly observed
    age_days: int | None
    idle_days: int | None  # days since the last visible activity (bots excluded)
    ball: Ball | None  # whose turn it is; None when no dated activity is visible
    ball_since: datetime | None
    ball_days: int | None
    ball_reason: str | None  # which rule decided the ball (one of the reasons above)
    maintainer_silence_days: int | None  # days since a maintainer other than the author acted
    last_maintainer_at: datetime | None
    participants: tuple[str, ...]  # humans who acted on the thread, author first
    external_participants: tuple[str, ...]  # participants who are neither maintainers nor the author
    bot_events: int  # events by bots, left out of every signal above
    author_is_maintainer: bool | None
    author_is_bot: bool | None
    first_time_contributor: bool | None
    approving_review: bool  # someone's review approved it by the moment (GitHub's review states)

    @property
    def resolved(self) -> bool:
        """Closed or merged as of the moment (an unknown state is not resolved)."""
        return self.state in ("closed", "merged")


NO_AGENDA = AgendaContext()  # the context of an item no agenda names


class Turn(NamedTuple):
    """A rule's verdict: whose turn it is, since when, and the rule's reason."""

    ball: Ball
    since: datetime | None
    reason: str


class Thread(NamedTuple):
    """What the ball rules read: the item, and what one pass over its visible events found.

    (Thread and Turn are named tuples rather than dataclasses: a scan builds one of each per item,
    and a tuple is built in a fraction of the time. The pass is done once, in `compute`, so that
    each rule is a look-up rather than another walk through the timeline.)
    """

    item: ItemFacts
    as_of: datetime
    state: str | None
    current: bool  # the item's current-state facts (CI, mergeable, requests) describe the moment
    last_human_at: datetime | None  # the latest event by a person
    last_author_at: datetime | None  # the latest event by the author
    last_response_at: datetime | None  # the latest event by a maintainer other than the author
    waiting: Event | None  # the first event by anyone else since that response (or ever, if none)
    verdicts: Mapping[str, Event]  # each maintainer reviewer's latest approving/blocking review
    last_request_at: datetime | None  # the latest review request or ready-for-review, bots included
    author: str | None  # lower-cased login


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from `start` to `end` (never negative)."""
    return max((end - start).days, 0)  # timedelta.days is the floor of the whole days


def state_as_of(item: ItemFacts, as_of: datetime) -> tuple[str | None, str | None]:
    """The item's state at `as_of`, and a note when it is inferred or unknown."""
    if not item.found:
        return None, None
    if item.created_at is not None and item.created_at > as_of:
        return None, f"created after {as_of:%Y-%m-%d}"
    if item.state == "open":
        return "open", None
    ended = item.merged_at or item.closed_at
    if ended is not None:
        if ended <= as_of:
            return item.state, None
        return "open", f"{item.state} later, on {ended:%Y-%m-%d}"
    if item.state in ("closed", "merged"):
        # The facts say it ended, not when: on the meeting day it may still have been open.
        return None, f"now {item.state}, date unknown"
    return None, None


_AT = attrgetter("at")


def visible(item: ItemFacts, as_of: datetime) -> Sequence[Event]:
    """The item's events up to `as_of`, oldest first (facts keep their events in that order)."""
    events = item.events
    if not events or events[-1].at <= as_of:
        return events
    return events[: bisect_right(events, as_of, key=_AT)]


# --- the ball rules, in the order `compute` tries them ----------------------------------------------


def resolved(t: Thread) -> Turn | None:
    """Closed or merged as of the moment: nobody's turn."""
    if t.state in ("closed", "merged"):
        return Turn("nobody", t.item.merged_at or t.item.closed_at, RESOLVED)
    return None


def merge_conflicts(t: Thread) -> Turn | None:
    """The PR conflicts with its base branch: only the author can rebase it."""
    if t.current and t.item.kind == "pull" and t.item.mergeable is False:
        return Turn("author", t.last_human_at, MERGE_CONFLICTS)
    return None


def failing_ci(t: Thread) -> Turn | None:
    """The PR's checks fail: the author fixes the build before anyone reviews."""
    if t.current and t.item.kind == "pull" and t.item.ci_status in FAILING_CI:
        return Turn("author", t.last_human_at, CI_FAILING)
    return None


def changes_requested(t: Thread) -> Turn | None:
    """A maintainer's latest verdict asks for changes and the author has not acted since."""
    asked = [e.at for e in t.verdicts.values() if e.review_state == "CHANGES_REQUESTED"]
    if not asked:
        return None
    since = max(asked)
    answered = t.last_author_at is not None and t.last_author_at > since
    return None if answered else Turn("author", since, CHANGES_REQUESTED)


def review_requested(t: Thread) -> Turn | None:
    """GitHub still lists a review request: a reviewer was asked and has not reviewed."""
    if not (t.current and t.item.kind == "pull" and (t.item.review_requests or 0) > 0):
        return None
    return Turn("maintainers", t.last_request_at or t.item.created_at, REVIEW_REQUESTED)


def conversation(t: Thread) -> Turn | None:
    """Who spoke last: anyone but a maintainer (the author, the community) -> the maintainers'
    turn since the first unanswered word; a maintainer -> the author's turn."""
    waiting = t.waiting
    if waiting is not None:
        if t.last_response_at is None:
            reason = NO_REPLY_YET
        else:
            by_author = (waiting.actor or "").lower() == t.author
            reason = AUTHOR_SPOKE_LAST if by_author else COMMUNITY_SPOKE_LAST
        return Turn("maintainers", waiting.at, reason)
    if t.last_response_at is not None:
        return Turn("author", t.last_response_at, MAINTAINER_SPOKE_LAST)
    created = t.item.created_at
    if created is not None and created <= t.as_of:
        return Turn("maintainers", created, NO_REPLY_YET)  # nothing visible but the opening
    return None


AUTHOR_RULES: tuple[Callable[[Thread], Turn | None], ...] = (merge_conflicts, failing_ci, changes_requested)


def _earliest(a: Turn, b: Turn) -> Turn:
    """The turn that has waited longer (an undated one waits least)."""
    if a.since is None:
        return a if b.since is None else b
    return a if b.since is None or a.since <= b.since else b


def whose_turn(t: Thread) -> Turn | None:
    """The ball as the rules above decide it (see the module docstring for the order)."""
    if (done := resolved(t)) is not None:
        return done
    for rule in AUTHOR_RULES:
        if (turn := rule(t)) is not None:
            return turn
    talk = conversation(t)
    asked = review_requested(t)
    if asked is None:
        return talk
    if talk is None or talk.ball != "maintainers":
        return asked
    return _earliest(asked, talk)


def compute(item: ItemFacts, as_of: datetime, people: People, agenda: AgendaContext | None = None) -> Signals:
    """Every signal of `item` as of `as_of`."""
    state, state_note = state_as_of(item, as_of)
    events = visible(item, as_of)
    author = (item.author or "").lower() or None
    # One pass sorts out who did what; scans rank thousands of items, so the rules read its findings.
    bots = 0
    last_human_at = last_author_at = last_response_at = last_request_at = None
    waiting: Event | None = None
    approving_review = False
    verdicts: dict[str, Event] = {}
    acted_as_maintainer: set[str] = set()
    participants: dict[str, str] = {author: item.author} if author and item.author else {}
    known, roles = people.known_roles, people.roles
    for e in events:
        kind, at, actor = e.kind, e.at, e.actor
        if kind == "review_requested" or kind == "ready_for_review":
            last_request_at = at
        elif e.review_state == "APPROVED":
            approving_review = True
        key = (actor, e.actor_type, e.association)
        bot, maintainer, login = known.get(key) or roles(*key)
        if bot:
            bots += 1
            continue
        last_human_at = at
        if actor and login not in participants:
            participants[login] = actor
        if login == author:
            # The author's own activity is a request, even when the author is a maintainer:
            # a maintainer's PR waits on the *other* maintainers.
            last_author_at = at
            if waiting is None:
                waiting = e
        elif maintainer:
            acted_as_maintainer.add(login)
            last_response_at, waiting = at, None
            if kind == "review" and e.review_state in _VERDICTS:
                verdicts[login] = e
        elif waiting is None:
            waiting = e
    turn = whose_turn(Thread(
        item, as_of, state, item.observed_at is None or item.observed_at <= as_of + CURRENT_FACTS_SLACK,
        last_human_at, last_author_at, last_response_at, waiting, verdicts, last_request_at, author,
    ))
    since = turn.since if turn else None
    first_seen = item.created_at or (events[0].at if events else None)
    silence_from = last_response_at or first_seen
    # A configured maintainer counts as one on every event, so acting as one covers both ways of being one.
    external = tuple(
        login for lower, login in participants.items() if lower != author and lower not in acted_as_maintainer
    )
    return Signals(
        item, as_of, agenda or NO_AGENDA, state, state_note,
        days_between(first_seen, as_of) if first_seen and first_seen <= as_of else None,
        days_between(last_human_at, as_of) if last_human_at else None,
        turn.ball if turn else None,
        since,
        days_between(since, as_of) if since and since <= as_of else None,
        turn.reason if turn else None,
        days_between(silence_from, as_of) if silence_from else None,
        last_response_at,
        tuple(participants.values()),
        external,
        bots,
        people.is_maintainer(item.author, item.author_association) if item.author else None,
        people.is_bot(item.author, item.author_type) if item.author else None,
        item.first_time_contributor,
        approving_review,
    )
