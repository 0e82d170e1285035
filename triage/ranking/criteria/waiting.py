"""Criteria of time and whose turn: waiting on the maintainers, their silence, the maintainers' own
backlog, age, and what earlier meetings decided."""

from __future__ import annotations

import numpy as np

from triage.facts.columns import NAT
from triage.outcomes import CARRIED, MOVING, OUTCOMES, STALLED, STILL_OPEN, activity_by
from triage.ranking.criteria import words
from triage.ranking.criteria.verdict import (
    AUTHOR_FIXES,
    UNKNOWN,
    Params,
    Score,
    Verdict,
    if_open,
    per_agenda_item,
    reason_is,
    saturating,
)
from triage.ranking.signals import SignalRow, Signals
from triage.ranking.timelines import DAY_US, days_between
from triage.ranking.turns import (
    AUTHOR,
    AUTHOR_HOLD,
    MAINTAINERS,
    NO_BALL,
    NOBODY,
    ON_HOLD,
    OWN,
    REVIEW_REQUESTED,
    TAKEN_UP,
)


def waiting_on_maintainers(s: Signals, p: Params) -> Verdict:
    """Days a contributor (or the community) has waited on the maintainers (a reply, a hold); 0.5 at 30 days."""
    ball = s.ball
    author_fix = (ball == AUTHOR) & reason_is(s, AUTHOR_FIXES)
    values = np.select(
        [(ball == MAINTAINERS) & (s.ball_days >= 0), ball == MAINTAINERS, ball == OWN, author_fix,
         (ball == AUTHOR) & (s.ball_since != NAT), ball == NOBODY],
        [saturating(s.ball_days, p.waiting_half_days), UNKNOWN, 0.0, 0.0, 0.0, 0.0], UNKNOWN)
    return if_open(s, values, _waiting)


def _waiting(r: SignalRow) -> str:
    ball = r.ball
    if ball == "maintainers":
        why = r.ball_reason if r.ball_reason != ON_HOLD else words.hold_text(r)
        if r.ball_days is None:
            return f"waiting on maintainers ({why}), since an unknown date"
        extra = f" ({why})" if r.ball_reason in (REVIEW_REQUESTED, ON_HOLD) else words.partial(r)
        return f"waiting {words.days(r.ball_days)} on maintainers{words.since(r.ball_since)}{extra}"
    if ball == "maintainers_own":
        return f"{words.own(r)}: not a contributor waiting{words.note(r)}"
    if ball == "author" and r.ball_reason in AUTHOR_FIXES:
        why = words.hold_text(r) if r.ball_reason == AUTHOR_HOLD else r.ball_reason
        return f"the author's turn: {why}{words.since(r.ball_since)}"
    if ball == "author" and r.ball_since is not None:
        return f"maintainers replied on {words.replied(r)}; the author's turn{words.note(r)}"
    if ball == "nobody":
        return "resolved"
    return "whose turn it is is unknown: no dated activity known"


def maintainer_silence(s: Signals, p: Params) -> Verdict:
    """Days since a maintainer (other than the author) acted, while it is their turn; 0.5 at 60 days."""
    unknown = (s.ball == NO_BALL) | (s.maintainer_silence_days < 0)
    values = np.select(
        [s.resolved, unknown, (s.ball == AUTHOR) | (s.ball == OWN)],
        [0.0, UNKNOWN, 0.0], saturating(s.maintainer_silence_days, p.silence_half_days))
    return if_open(s, values, _silence)


def _silence(r: SignalRow) -> str:
    if r.resolved:
        return "resolved"
    if r.ball is None or r.maintainer_silence_days is None:
        return "maintainer activity unknown: no dated activity known"
    if r.ball == "author":
        return f"the author's turn (a maintainer last acted on {words.replied(r)})"
    if r.ball == "maintainers_own":
        return "a maintainer's own item: counted under maintainers' own"
    days = r.maintainer_silence_days
    if r.last_maintainer_at is not None:
        why = f"last maintainer activity {words.days(days)} ago ({words.replied(r)})"
    elif r.age_days is None:
        why = f"no maintainer activity seen in the {words.days(days)} since it was first seen"
    else:
        why = f"no maintainer activity in {words.days(days)}"
    return why + words.partial(r)


def maintainers_own(s: Signals, p: Params) -> Verdict:
    """A maintainer's own proposal, tracking issue or PR waiting on the other maintainers; 0.5 at 30 days."""
    own = s.ball == OWN
    values = np.select(
        [own & (s.ball_days < 0), own, s.ball == NO_BALL],
        [UNKNOWN, saturating(s.ball_days, p.waiting_half_days), UNKNOWN], 0.0)
    return if_open(s, values, _own_wait)


def _own_wait(r: SignalRow) -> str:
    if r.ball == "maintainers_own":
        if r.ball_days is None:
            return f"{words.own(r)}, since an unknown date"
        if r.ball_reason == TAKEN_UP:
            why = f"{words.own(r)}, {words.days(r.ball_days)} ago"
        else:
            why = (f"{words.own(r)}, waiting {words.days(r.ball_days)} on the other maintainers"
                   f"{words.since(r.ball_since)}{words.partial(r)}")
        return why + words.note(r)
    if r.ball is None:
        return "whose item and whose turn are unknown"
    if r.ball == "nobody":
        return "resolved"
    return "not a maintainer's own item waiting"


def age(s: Signals, p: Params) -> Verdict:
    """How long ago the thread was opened (at least, when only bounds are known); 0.5 at six months."""
    t = s.as_of_us
    before = s.opened_before
    bounded = (before != NAT) & (before <= t)
    values = np.select(
        [s.age_days >= 0, bounded],
        [saturating(s.age_days, p.age_half_days), saturating((t - before) // DAY_US, p.age_half_days)], UNKNOWN)
    return Verdict(values, _age)


def _age(r: SignalRow) -> str:
    if r.age_days is not None:
        return f"opened {words.days(r.age_days)} ago"
    before = r.opened_before
    if before is None or before > r.as_of:
        return "opening date unknown"
    bounds = r.item.created_bounds
    if bounds is not None and before == bounds[1]:
        return f"opened between {words.ymd(bounds[0])} and {words.ymd(before)} (not observed)"
    return f"first seen {words.ymd(before)}; opening date unknown"


def earlier_outcomes(s: Signals, p: Params) -> Verdict:
    """What earlier meetings decided: deferred and skipped items come back, stalled assignments are flagged."""
    return per_agenda_item(s, p, _outcomes, "no outcome recorded at an earlier meeting")


def _outcomes(r: SignalRow, p: Params) -> Score:
    history = r.agenda.outcomes
    if not history:
        return 0.0, "no outcome recorded at an earlier meeting"
    last = history[-1]  # the latest meeting's word
    entry, on = OUTCOMES[last.outcome], words.ymd(last.decided_at)
    if last.outcome in CARRIED:
        times = sum(o.outcome == last.outcome for o in history)
        again = f" ({times} meetings)" if times > 1 else ""
        return entry.carry, f"carried over: {entry.label} on {on}{again}"
    if entry.names_someone:
        what = "assigned to" if last.outcome == "assigned" else "review asked of"
        acted = activity_by(r.item, last.who, last.decided_at, r.as_of)
        if acted is not None:
            return MOVING, f"{what} @{last.who} on {on}; @{last.who} active on {words.ymd(acted)}"
        partial = "" if r.item.timeline_complete else "; timeline incomplete"
        days = words.days(days_between(last.decided_at, r.as_of))
        return STALLED, f"{what} @{last.who} on {on}, no progress ({days}){partial}"
    if last.outcome == "wontfix" and r.state == "open":
        return STILL_OPEN, f"{entry.label} on {on}, still open"
    return entry.carry, f"{entry.label} on {on}"
