"""What the facts said at a moment: the state, the labels, the opening date and any hold.

GitHub answers with today's thread. A meeting two years ago saw another one: an item merged since
was open, labels added since were absent, and a date nobody observed is not known. Each function
here reads an `ItemFacts` back to a moment, and says "unknown" (None) where the facts cannot tell.
"""

from __future__ import annotations

import fnmatch
from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from triage.facts import Event, ItemFacts

# Facts observed this long after the moment still describe it: a live fetch reads GitHub a few
# seconds after `as_of` was taken, and a meeting prepared the day before ranks next-day facts.
CURRENT_FACTS_SLACK = timedelta(days=1)
# Labels that hold a PR or issue back until a maintainer lifts them: Prow's `/hold` sets
# do-not-merge/hold; other projects say "hold", "on-hold" or plain "do-not-merge".
HOLD_LABELS = ("*hold*", "do-not-merge")
LABEL_EVENTS = frozenset({"labeled", "unlabeled"})
_AT = attrgetter("at")


def visible(item: ItemFacts, as_of: datetime) -> Sequence[Event]:
    """The item's events up to `as_of`, oldest first (facts keep their events in that order)."""
    events = item.events
    if not events or events[-1].at <= as_of:
        return events
    return events[: bisect_right(events, as_of, key=_AT)]


def state_as_of(item: ItemFacts, as_of: datetime) -> tuple[str | None, str | None]:
    """The item's state at `as_of`, and a note when it is inferred or unknown. A merge or close date
    decides even when the thread itself was not shown (a "Fixes #N" PR dates the close)."""
    if item.created_at is not None and item.created_at > as_of:
        return None, f"created after {as_of:%Y-%m-%d}"
    if item.state == "open" and item.merged_at is None:
        return "open", None  # a close date on an open thread is an earlier close, since reopened
    ended = item.merged_at or item.closed_at
    if ended is not None:
        # A merge date wins over an "open" read from a stale copy of the thread.
        state = "merged" if item.merged_at else "closed"
        if ended <= as_of:
            return state, None
        return "open", f"{state} later, on {ended:%Y-%m-%d}"
    if not item.found:
        return None, None
    if item.state in ("closed", "merged"):
        # The facts say it ended, not when: on the meeting day it may still have been open.
        return None, f"now {item.state}, date unknown"
    return None, None


def labels_as_of(item: ItemFacts, as_of: datetime, current: bool) -> tuple[str, ...] | None:
    """The labels at `as_of`: the observed ones when they describe the moment, replayed back through
    the label events when every one of them is known, otherwise unknown (None)."""
    if item.labels is None:
        return None
    if current:
        return item.labels
    if not item.label_history:
        return None
    labels = list(item.labels)
    for e in reversed(item.events):  # undo what happened after the moment, newest first
        if e.at <= as_of:
            break
        if e.kind in LABEL_EVENTS and e.detail:
            if e.kind == "labeled" and e.detail in labels:
                labels.remove(e.detail)
            elif e.kind == "unlabeled" and e.detail not in labels:
                labels.append(e.detail)
    return tuple(labels)


@lru_cache(maxsize=4096)
def is_hold_label(name: str) -> bool:
    """A label that holds the item back (see HOLD_LABELS)."""
    lower = name.lower()
    return any(fnmatch.fnmatchcase(lower, pattern) for pattern in HOLD_LABELS)


@lru_cache(maxsize=4096)
def hold_label(labels: tuple[str, ...]) -> str | None:
    """The first hold label of a label set (items share a few dozen label sets)."""
    return next((name for name in labels if is_hold_label(name)), None)


class Hold(NamedTuple):
    """A hold in force at the moment: its label, when and by whom it was set (None: not seen)."""

    label: str
    since: datetime | None
    by: str | None
    seen_only: bool  # known from a label event alone: the labels then are unknown, no removal was seen


def hold_as_of(labels: tuple[str, ...] | None, label_events: Sequence[Event]) -> Hold | None:
    """The hold on the item at the moment. `labels` are the labels then (None: unknown) and
    `label_events` the label events visible then, oldest first. With the labels unknown, a hold
    label seen added and not seen removed still counts, and says so."""
    held = hold_label(labels) if labels is not None else None
    if labels is not None and held is None:
        return None
    last: dict[str, Event] = {}
    for e in label_events:
        if e.detail and is_hold_label(e.detail):
            last[e.detail] = e
    if held is not None:
        set_by = last.get(held)
        if set_by is None or set_by.kind != "labeled":
            return Hold(held, None, None, False)
        return Hold(held, set_by.at, set_by.actor, False)
    added = [e for e in last.values() if e.kind == "labeled"]
    if not added:
        return None
    e = max(added, key=_AT)
    return Hold(e.detail or "", e.at, e.actor, True)


def opened_before(item: ItemFacts, first_seen: datetime | None) -> datetime | None:
    """The latest moment the thread can have been opened when its opening was not observed: the
    end of its recorded bounds, or its first visible event, whichever is earlier."""
    if item.created_at is not None:
        return None
    latest = item.created_bounds[1] if item.created_bounds else None
    if first_seen is not None and (latest is None or first_seen < latest):
        return first_seen
    return latest
