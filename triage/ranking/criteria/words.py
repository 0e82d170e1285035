"""The words reasons share: dates, day counts, holds, roles, who took an item up, a partial timeline."""

from __future__ import annotations

from datetime import datetime

from triage.ranking.signals import SignalRow
from triage.ranking.turns import (
    ON_HOLD,
    TAKEN_UP,
)


def ymd(moment: datetime) -> str:
    """`YYYY-MM-DD`; isoformat, because strftime costs 5 microseconds, which a long export notices."""
    return moment.date().isoformat()


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def since(moment: datetime | None) -> str:
    return f" since {ymd(moment)}" if moment else ""


def hold_text(r: SignalRow) -> str:
    """"on hold: do-not-merge/hold, set by FedeDP on 2023-10-27; no removal seen"."""
    hold = r.hold
    if hold is None:
        return ON_HOLD
    by = f", set by {hold.by}" if hold.by else ""
    when = f" on {ymd(hold.since)}" if hold.since and by else ""
    seen = "; the labels then are unknown, no removal seen" if hold.seen_only else ""
    return f"on hold: {hold.label}{by}{when}{seen}"


def note(r: SignalRow) -> str:
    """The role note, as a suffix."""
    return f" ({r.role_note})" if r.role_note else ""


def kind(r: SignalRow) -> str:
    return {"pull": "PR", "issue": "issue", "discussion": "discussion"}.get(r.item.kind or "", "item")


def own(r: SignalRow) -> str:
    """Why the item is the maintainers' own: "a maintainer's own issue (by incertum)" or "taken up by
    the maintainers on 2023-10-05 (assigned at the 2023-10-05 meeting)"."""
    if r.ball_reason == TAKEN_UP:
        return f"taken up by the maintainers on {replied(r)}"
    return f"a maintainer's own {kind(r)} (by {r.item.author})"


def replied(r: SignalRow) -> str:
    """When (and where, if elsewhere) a maintainer last acted: "2023-11-30 (incertum referred to ...)"."""
    moment = r.last_maintainer_at
    if moment is None:
        return "never"
    return ymd(moment) + (f" ({r.last_maintainer_where})" if r.last_maintainer_where else "")


def partial(r: SignalRow) -> str:
    """" (timeline partial)" when a claim that nobody spoke rests on a timeline read only in part."""
    return "" if r.item.timeline_complete else " (timeline partial)"
