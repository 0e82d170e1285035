"""Meeting over meeting: what changed between two snapshots of an agenda.

`compare(older, newer)` sorts every item of either snapshot into one bucket: resolved since the
older one, new, still waiting (listed in both and not known to be resolved: with how long it has
waited as of the newer one, and how many earlier meetings' minutes named it), dropped from the
agenda without being resolved since, or still listed but resolved before the older one. It also
gives every item's rank movement. `carried_over(snapshots)` counts how many meetings in a row have
listed each item. Everything is a plain DataFrame the app can
table and chart; `render` writes Markdown or JSON for the command line.

States are read as of each snapshot's moment, as the ranking reads them: an item merged after the
newer meeting was still open at it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from triage.facts import ItemFacts, ItemKey
from triage.ranking.criteria import CRITERIA
from triage.ranking.signals import state_as_of
from triage.ranking.turns import waiting_words
from triage.snapshots import Row, Snapshot, SnapshotSummary

RESOLVED = ("closed", "merged")
FORMATS = ("markdown", "json")

# The columns of each bucket, in display order.
RESOLVED_COLUMNS = ["ref", "title", "url", "state", "resolved_on", "older_rank", "rank", "on_agenda"]
NEW_COLUMNS = ["ref", "title", "url", "rank", "score", "state", "waiting_on", "waiting_days"]
WAITING_COLUMNS = [
    "ref", "title", "url", "older_rank", "rank", "moved", "score", "state", "waiting_on", "waiting_days",
    "earlier_agendas",
]
DROPPED_COLUMNS = ["ref", "title", "url", "older_rank", "state"]
OTHER_COLUMNS = ["ref", "title", "url", "older_rank", "rank", "moved", "state", "note"]
MOVEMENT_COLUMNS = ["ref", "title", "older_rank", "rank", "moved", "older_score", "score"]
CARRIED_COLUMNS = ["ref", "title", "rank", "meetings", "since"]


class ComparisonOrderError(ValueError):
    """The snapshot given as the older one was judged after the one given as the newer one."""


@dataclass(frozen=True, eq=False)
class Comparison:
    """What changed from `older` to `newer`; each item of either is in exactly one bucket."""

    older: SnapshotSummary
    newer: SnapshotSummary
    resolved: pd.DataFrame  # merged or closed since the older snapshot (listed now or gone)
    new: pd.DataFrame  # listed in the newer snapshot only
    still_waiting: pd.DataFrame  # in both and not known to be resolved as of the newer one
    dropped: pd.DataFrame  # gone from the newer agenda, not resolved since
    other: pd.DataFrame  # in both, resolved before the older one
    movement: pd.DataFrame  # every item in both: older rank, newer rank, places moved (+ is up)
    weight_changes: tuple[str, ...] = ()  # criteria weighed differently in the two (see `weight_changes`)

    def counts(self) -> dict[str, int]:
        """Items per bucket."""
        return {name: len(getattr(self, name)) for name in BUCKETS}


BUCKETS = ("resolved", "new", "still_waiting", "dropped", "other")
_TITLES = {
    "resolved": "Resolved since",
    "new": "New",
    "still_waiting": "Still waiting",
    "dropped": "Dropped from the agenda",
    "other": "Still listed, resolved before",
}


def _state_at(item: ItemFacts | None, moment: datetime) -> str | None:
    """The item's state at `moment`: dated facts first, then an undated close seen before it."""
    if item is None:
        return None
    state, _ = state_as_of(item, moment)
    seen = item.observed_at
    if state is None and item.state in RESOLVED and seen is not None and seen <= moment:
        return item.state  # seen closed before the moment, even if GitHub gave no date
    return state


def _ended(item: ItemFacts | None) -> str | None:
    ended = None if item is None else (item.merged_at or item.closed_at)
    return None if ended is None else f"{ended:%Y-%m-%d}"


def _rows(snapshot: Snapshot) -> dict[str, Row]:
    return {r["ref"]: r for r in snapshot.rows}


def _frame(records: list[dict[str, Any]], columns: list[str], ints: Sequence[str] = ()) -> pd.DataFrame:
    table = pd.DataFrame(records, columns=columns)
    for column in ints:
        table[column] = table[column].astype("Int64")
    return table


def compare(older: Snapshot, newer: Snapshot) -> Comparison:
    """Sort every item of `older` and `newer` into the buckets of `Comparison`."""
    if older.as_of > newer.as_of:
        raise ComparisonOrderError(
            f"Snapshot {older.short_id} (as of {older.as_of:%Y-%m-%d}) is later than {newer.short_id} "
            f"(as of {newer.as_of:%Y-%m-%d}); give the older snapshot first"
        )
    before, after = _rows(older), _rows(newer)
    older_facts = older.meeting.facts.by_key()
    newer_facts = newer.meeting.facts.by_key()
    resolved, new, waiting, dropped, other, movement = [], [], [], [], [], []
    for ref, row in after.items():
        key = ItemKey.parse(ref)
        item = newer_facts.get(key)
        state = row.get("state") or _state_at(item, newer.as_of)
        if ref not in before:
            new.append({**{c: row.get(c) for c in NEW_COLUMNS}, "state": state or "unknown"})
            continue
        old = before[ref]
        old_state = old.get("state") or _state_at(older_facts.get(key), older.as_of)
        moved = old["rank"] - row["rank"]
        common = {"ref": ref, "title": row.get("title"), "url": row.get("url"), "older_rank": old["rank"],
                  "rank": row["rank"]}
        movement.append({**common, "moved": moved, "older_score": old["score"], "score": row["score"]})
        if state in RESOLVED and old_state not in RESOLVED:
            resolved.append({**common, "state": state, "resolved_on": _ended(item), "on_agenda": True})
        elif state not in RESOLVED:  # open, or closed since on a date nobody recorded: not known resolved
            past = newer.meeting.history.get(key)
            waiting.append({**common, "moved": moved, "score": row["score"], "state": state or "unknown",
                            "waiting_on": row.get("waiting_on"), "waiting_days": row.get("waiting_days"),
                            "earlier_agendas": len(past.carried_over) if past else 0})
        else:
            other.append({**common, "moved": moved, "state": state,
                          "note": f"{state} before {older.as_of:%Y-%m-%d}"})
    for ref, old in before.items():
        if ref in after:
            continue
        key = ItemKey.parse(ref)
        # Gone from the agenda: judge it by the freshest facts known about it.
        item = newer_facts.get(key) or older_facts.get(key)
        state = _state_at(item, newer.as_of)
        old_state = old.get("state") or _state_at(older_facts.get(key), older.as_of)
        common = {"ref": ref, "title": old.get("title"), "url": old.get("url"), "older_rank": old["rank"]}
        if state in RESOLVED and old_state not in RESOLVED:
            resolved.append({**common, "state": state, "resolved_on": _ended(item), "rank": None,
                             "on_agenda": False})
        else:
            dropped.append({**common, "state": state})
    return Comparison(
        older=older.summary(),
        newer=newer.summary(),
        resolved=_frame(resolved, RESOLVED_COLUMNS, ("older_rank", "rank")),
        new=_frame(new, NEW_COLUMNS, ("rank", "waiting_days")),
        still_waiting=_frame(waiting, WAITING_COLUMNS, ("older_rank", "rank", "moved", "waiting_days",
                                                        "earlier_agendas")),
        dropped=_frame(dropped, DROPPED_COLUMNS, ("older_rank",)),
        other=_frame(other, OTHER_COLUMNS, ("older_rank", "rank", "moved")),
        movement=_frame(movement, MOVEMENT_COLUMNS, ("older_rank", "rank", "moved")).sort_values(
            "rank", kind="stable").reset_index(drop=True),
        weight_changes=tuple(weight_changes(older, newer)),
    )


def carried_over(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """For each item of the newest snapshot: how many meetings in a row, ending with the newest,
    listed it (1 means it is new), and the as_of of the first of them. A meeting is a day: several
    snapshots judged as of the same day (saved before and after moving a weight) are one meeting,
    which lists an item if any of them does (issue 11). Snapshots are taken in as_of order."""
    if not snapshots:
        return _frame([], CARRIED_COLUMNS, ("rank", "meetings"))
    ordered = sorted(snapshots, key=lambda s: s.as_of)
    days: dict[date, tuple[datetime, set[str]]] = {}
    for snapshot in ordered:
        first, refs = days.get(snapshot.as_of.date(), (snapshot.as_of, set()))
        days[snapshot.as_of.date()] = (first, refs | {r["ref"] for r in snapshot.rows})
    meetings = [days[d] for d in sorted(days)]
    records = []
    for row in ordered[-1].rows:
        count, since = 0, ordered[-1].as_of
        for moment, refs in reversed(meetings):
            if row["ref"] not in refs:
                break
            count, since = count + 1, moment
        records.append({"ref": row["ref"], "title": row.get("title"), "rank": row["rank"], "meetings": count,
                        "since": since})
    return _frame(records, CARRIED_COLUMNS, ("rank", "meetings"))


def weight_changes(older: Snapshot, newer: Snapshot) -> list[str]:
    """One sentence per criterion weighed differently in the two snapshots: their ranks then moved
    for that reason too, not only because the items changed."""
    names = [n for n in CRITERIA if n in older.weights or n in newer.weights]
    names += sorted({*older.weights, *newer.weights} - set(CRITERIA))
    return [
        f"{n} weighed {older.weights.get(n, 0.0):g} then and {newer.weights.get(n, 0.0):g} now"
        for n in names if not math.isclose(older.weights.get(n, 0.0), newer.weights.get(n, 0.0))
    ]


def weights_warning(c: Comparison) -> str | None:
    """The sentence warning that the two snapshots used different weights, or None."""
    if not c.weight_changes:
        return None
    return ("The two snapshots used different weights (" + "; ".join(c.weight_changes) + "), so part of "
            "the rank movement comes from the weights, not from the items.")


# --- rendering --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-safe scalars: pandas' NA/NaN become null, numpy numbers Python numbers, moments ISO text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in rec.items()} for rec in table.to_dict("records")]


def to_json(c: Comparison) -> str:
    """The comparison as one JSON object: both snapshots' summaries, counts, buckets, movement."""
    out: dict[str, Any] = {"older": c.older.to_dict(), "newer": c.newer.to_dict(), "counts": c.counts(),
                           "weight_changes": list(c.weight_changes)}
    for name in (*BUCKETS, "movement"):
        out[name] = _records(getattr(c, name))
    return json.dumps(out, indent=2, ensure_ascii=False)


def _moved(rec: Mapping[str, Any]) -> str:
    moved = _plain(rec.get("moved"))
    if not moved:
        return "same place"
    return f"{'up' if moved > 0 else 'down'} {abs(moved)} from {rec['older_rank']}"


def _line(name: str, rec: Mapping[str, Any]) -> str:
    title = str(_plain(rec.get("title")) or "(title unknown)").replace("[", "\\[").replace("]", "\\]")
    head = f"- [{rec['ref']}]({rec['url']}) {title}: "
    if name == "resolved":
        when = f" on {rec['resolved_on']}" if _plain(rec["resolved_on"]) else ", date unknown"
        where = "" if rec["on_agenda"] else "; gone from the agenda"
        return head + f"{rec['state']}{when} (was #{rec['older_rank']}){where}"
    if name == "new":
        return head + f"new at #{rec['rank']}"
    if name == "still_waiting":
        words = waiting_words(rec.get("waiting_on"), _plain(rec.get("waiting_days")))
        waiting = f", {words}" if words else ""
        earlier = _plain(rec.get("earlier_agendas")) or 0
        agendas = f", on {earlier} earlier agenda{'s' if earlier > 1 else ''}" if earlier else ""
        unknown = ", open or not unknown (closed since, date unknown)" if rec.get("state") == "unknown" else ""
        return head + f"#{rec['rank']} ({_moved(rec)}){waiting}{agendas}{unknown}"
    if name == "dropped":
        state = _plain(rec["state"]) or "state unknown"
        return head + f"was #{rec['older_rank']}; {state} as of the newer meeting"
    return head + f"#{rec['rank']} ({_moved(rec)}), {rec['note']}"


def to_markdown(c: Comparison) -> str:
    """A block for the minutes: one list per non-empty bucket."""
    o, n = c.older, c.newer
    lines = [
        f"### Since {o.as_of:%Y-%m-%d}: {n.title or 'Triage'} as of {n.as_of:%Y-%m-%d}",
        "",
        f"Compared snapshot {n.id[:12]} ({n.preset}, {n.items} items) with {o.id[:12]} "
        f"({o.preset}, {o.items} items, as of {o.as_of:%Y-%m-%d}).",
    ]
    warning = weights_warning(c)
    if warning:
        lines += ["", f"**Warning:** {warning}"]
    for name in BUCKETS:
        table = getattr(c, name)
        if table.empty:
            continue
        lines += ["", f"**{_TITLES[name]} ({len(table)})**", ""]
        lines += [_line(name, rec) for rec in table.to_dict("records")]
    return "\n".join(lines) + "\n"


def render(c: Comparison, fmt: str) -> str:
    """The comparison in one of FORMATS."""
    if fmt == "markdown":
        return to_markdown(c)
    if fmt == "json":
        return to_json(c)
    raise ValueError(f"Unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
