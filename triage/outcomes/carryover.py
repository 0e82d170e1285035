"""From one meeting to the next: earlier outcomes into the next ranking, and what happened since.

The next ranking reads, per item, what earlier meetings decided (`earlier`); the
`earlier_outcomes` criterion turns that into a score and a reason. Compare shows, per item of an
older meeting, its last outcome and what GitHub showed since (`followup`).

When was something decided? A meeting is held on a snapshot judged as of some moment (the
meeting's date). A recording made within a day after that moment is taken at its own time; one
made later (a meeting replayed on an old snapshot, like the 2023-12-14 demo) is taken at the
snapshot's moment, so "no progress since" counts from the meeting's date, not from the replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd

from triage.facts import ItemFacts, ItemKey
from triage.meeting import Meeting
from triage.outcomes import OUTCOMES, EarlierOutcome, OutcomeRecord, activity_by, latest
from triage.outcomes.store import MeetingInfo, MeetingStore
from triage.ranking.as_of import state_as_of, visible

SAME_MEETING = timedelta(days=1)  # a recording this soon after the snapshot's moment keeps its own time
FOLLOWUP_COLUMNS = ["rank", "ref", "title", "url", "outcome", "note", "decided", "since"]

Outcomes = Mapping[ItemKey, tuple[EarlierOutcome, ...]]


def decided_at(recorded: datetime, meeting_as_of: datetime) -> datetime:
    """When an outcome recorded at `recorded` was decided, for a meeting on a snapshot as of
    `meeting_as_of` (see the module docstring)."""
    if meeting_as_of <= recorded <= meeting_as_of + SAME_MEETING:
        return recorded
    return meeting_as_of


def earlier(meetings: Iterable[tuple[MeetingInfo, Sequence[OutcomeRecord]]]) -> Outcomes:
    """Each item's decisions, oldest first: per meeting, the winning record of each item."""
    found: dict[ItemKey, list[EarlierOutcome]] = {}
    for info, records in meetings:
        for key, record in latest(records).items():
            found.setdefault(key, []).append(EarlierOutcome(
                record.outcome, decided_at(record.at, info.snapshot_as_of), record.who, record.note, info.id))
    return {key: tuple(sorted(history, key=lambda o: o.decided_at)) for key, history in found.items()}


def load_earlier(store: MeetingStore, *, before: datetime | None = None,
                 meeting_ids: Iterable[str] = ()) -> Outcomes:
    """The decisions of the meetings named (`meeting_ids`), or of every meeting held on a snapshot
    judged before `before`."""
    infos = [store.get(m) for m in meeting_ids]
    if before is not None:
        chosen = {i.id for i in infos}
        infos += [i for i in store.before(before) if i.id not in chosen]
    return earlier((info, store.history(info.id)) for info in infos)


def with_outcomes(meeting: Meeting, outcomes: Outcomes) -> Meeting:
    """`meeting` with earlier decisions on its agenda items (others are not its business)."""
    if not outcomes:
        return meeting
    agenda = {r.key for r in meeting.refs}
    mine = {key: history for key, history in outcomes.items() if key in agenda}
    return replace(meeting, outcomes=mine) if mine else meeting


# --- what happened since -------------------------------------------------------------------------------


def since(item: ItemFacts | None, after: datetime, until: datetime) -> str:
    """What GitHub showed on the item after `after` up to `until`, in a phrase."""
    if item is None or not item.found:
        return "unknown (not fetched)"
    ended = item.merged_at or item.closed_at
    state, _ = state_as_of(item, until)
    if ended is not None and after < ended <= until:
        return f"{item.state} on {ended.date().isoformat()}"
    events = [e for e in visible(item, until) if e.at > after and e.actor]
    if not events:
        closed = f"; {state} as of {until.date().isoformat()}" if state in ("closed", "merged") else ""
        partial = "" if item.timeline_complete else " (timeline incomplete)"
        return f"no activity seen{partial}{closed}"
    people = list(dict.fromkeys(e.actor for e in events if e.actor))
    shown = ", ".join(f"@{p}" for p in people[:3]) + (f" and {len(people) - 3} more" if len(people) > 3 else "")
    last = events[-1]
    count = f"{len(events)} event{'s' if len(events) > 1 else ''}"
    return f"{count} by {shown}; last {last.kind} on {last.at.date().isoformat()}"


def _who_acted(record: OutcomeRecord, item: ItemFacts | None, after: datetime, until: datetime) -> str | None:
    """For "assigned to @x" and "needs review by @x": whether @x acted since."""
    if not OUTCOMES[record.outcome].names_someone or item is None:
        return None
    acted = activity_by(item, record.who, after, until)
    return f"@{record.who} " + (f"last acted on {acted.date().isoformat()}" if acted else "has not acted since")


def followup(
    records: Sequence[OutcomeRecord], meeting_as_of: datetime, rows: Sequence[Mapping[str, object]],
    facts: Mapping[ItemKey, ItemFacts], until: datetime,
) -> pd.DataFrame:
    """Per item of a meeting: its last outcome, and what GitHub showed since, as of `until` (the
    newer snapshot's moment, read from its `facts`). `rows` are the meeting snapshot's rows, for rank
    and title."""
    by_ref = {str(r["ref"]): r for r in rows}
    out = []
    for key, record in latest(records).items():
        row = by_ref.get(key.ref, {})
        when = decided_at(record.at, meeting_as_of)
        item = facts.get(key)
        out.append({
            "rank": row.get("rank"), "ref": key.ref, "title": row.get("title"), "url": row.get("url"),
            "outcome": record.describe(), "note": record.note, "decided": when.date().isoformat(),
            "since": "; ".join(t for t in (since(item, when, until), _who_acted(record, item, when, until)) if t),
        })
    table = pd.DataFrame(out, columns=FOLLOWUP_COLUMNS)
    table["rank"] = table["rank"].astype("Int64")
    return table.sort_values("rank", kind="stable").reset_index(drop=True)
