"""Signals: what the facts say about an item as of a moment, ignoring everything after it.

Facts are what GitHub showed; signals are what a maintainer asks of them on the meeting day: how
old is it, whose turn is it and since when, when did a maintainer last look at it, who takes part.
Bots never count as participants or as the person the ball is with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from triage.facts import Event, ItemFacts, People

Ball = Literal["maintainers", "author", "nobody"]
_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class AgendaContext:
    """What the agenda says about an item: where it sits, its flags, earlier meetings naming it."""

    flags: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    bullet: str | None = None
    carried_over: tuple[str, ...] = ()  # names of earlier meetings whose minutes name the item


@dataclass(frozen=True)
class Signals:
    """One item's signals as of `as_of` (None where the facts do not tell)."""

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
    maintainer_silence_days: int | None  # days since a maintainer other than the author acted
    last_maintainer_at: datetime | None
    participants: tuple[str, ...]  # humans who acted on the thread, author first
    external_participants: tuple[str, ...]  # participants who are neither maintainers nor the author
    bot_events: int  # events by bots, left out of every signal above
    author_is_maintainer: bool | None
    author_is_bot: bool | None
    first_time_contributor: bool | None

    @property
    def resolved(self) -> bool:
        """Closed or merged as of the moment (an unknown state is not resolved)."""
        return self.state in ("closed", "merged")


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from `start` to `end` (never negative)."""
    return max(int((end - start).total_seconds() // _DAY_SECONDS), 0)


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


def _visible(item: ItemFacts, as_of: datetime) -> list[Event]:
    return sorted((e for e in item.events if e.at <= as_of), key=lambda e: e.at)


def compute(item: ItemFacts, as_of: datetime, people: People, agenda: AgendaContext | None = None) -> Signals:
    """Every signal of `item` as of `as_of`."""
    state, state_note = state_as_of(item, as_of)
    events = _visible(item, as_of)
    author = (item.author or "").lower() or None
    humans = [e for e in events if not people.is_bot(e.actor, e.actor_type)]
    bot_events = len(events) - len(humans)

    def by_maintainer(e: Event) -> bool:
        # The author's own activity is a request, even when the author is a maintainer:
        # a maintainer's PR waits on the *other* maintainers.
        return people.is_maintainer(e.actor, e.association) and (e.actor or "").lower() != author

    last_response: datetime | None = None
    wait_start: datetime | None = None
    for e in humans:
        if by_maintainer(e):
            last_response, wait_start = e.at, None
        elif wait_start is None:
            wait_start = e.at
    if wait_start is None and last_response is None and item.created_at is not None and item.created_at <= as_of:
        wait_start = item.created_at  # nothing visible but the opening: it waits since it was opened

    ball: Ball | None
    if state in ("closed", "merged"):
        ball, since = "nobody", item.merged_at or item.closed_at
    elif wait_start is not None:
        ball, since = "maintainers", wait_start
    elif last_response is not None:
        ball, since = "author", last_response
    else:
        ball, since = None, None

    first_seen = item.created_at or (events[0].at if events else None)
    last_seen = humans[-1].at if humans else None
    silence_from = last_response or first_seen
    participants: list[str] = []
    for login in ([item.author] if item.author else []) + [e.actor for e in humans if e.actor]:
        if login.lower() not in (p.lower() for p in participants):
            participants.append(login)
    external = tuple(
        p for p in participants if p.lower() != author and not people.is_maintainer(p)
        and not any(e.actor == p and people.is_maintainer(p, e.association) for e in humans)
    )
    association = (item.author_association or "").upper()
    return Signals(
        item=item,
        as_of=as_of,
        agenda=agenda or AgendaContext(),
        state=state,
        state_note=state_note,
        age_days=days_between(first_seen, as_of) if first_seen and first_seen <= as_of else None,
        idle_days=days_between(last_seen, as_of) if last_seen else None,
        ball=ball,
        ball_since=since,
        ball_days=days_between(since, as_of) if since and since <= as_of else None,
        maintainer_silence_days=days_between(silence_from, as_of) if silence_from else None,
        last_maintainer_at=last_response,
        participants=tuple(participants),
        external_participants=external,
        bot_events=bot_events,
        author_is_maintainer=(
            people.is_maintainer(item.author, item.author_association) if item.author else None
        ),
        author_is_bot=people.is_bot(item.author, item.author_type) if item.author else None,
        first_time_contributor=(
            association in ("FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER") if association else None
        ),
    )
