"""Recorded facts -> our fact format: how the embedded demos were made from real, partial records.

A recording (`items.json`, `maintainers.json`) holds what public GitHub threads and the
repositories' git history showed about a meeting's items: titles, states, labels, logins, dated
events, merge and close dates, opening bounds, and each repository's OWNERS approvers on the day.
`from_recorded` keeps every recorded fact and invents none:

* `state` and `labels` are as read when recorded (years later), so labels carry no history
  (`label_history=False`): they say nothing about the meeting day;
* `merged_at` (from git) and `closed_at` (the day a "Fixes #N" PR closed it) date the outcome,
  even for a thread that was not shown;
* `created_at_bounds` become `created_bounds`, never an opening date;
* the approvers per repository become `People.by_repo`; the emeritus maintainers count as
  maintainers everywhere: their past words were maintainers' words, and the recording does not say
  until when they served.

A few dated facts are written in a recording's notes rather than its event list (a `/hold`, a
decision issue continuing the discussion, a "Fixes #N" PR). `FROM_NOTES` lists them, each as the
event GitHub records for it, with the note it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from triage.facts import Event, EventKind, FactSet, ItemFacts, ItemKey, People, parse_when

# The recording's event types map one to one onto ours.
_EVENT_KINDS: dict[str, EventKind] = {
    "description": "description", "comment": "comment", "review": "review", "review_thread": "review_thread",
}


def _on(day: str) -> datetime:
    moment = parse_when(day)
    assert moment is not None
    return moment


# "owner/repo#N" -> events that the recording's notes date and attribute. Prow's `/hold` command
# sets the label do-not-merge/hold; it is recorded as that label, set by who asked for it.
FROM_NOTES: dict[str, tuple[Event, ...]] = {
    # "FedeDP '/hold We must first figure how to support something like this in driverkit' (2023-10-27)"
    "falcosecurity/libs#1452": (Event("FedeDP", _on("2023-10-27"), "labeled", detail="do-not-merge/hold"),),
    # "Discussion continued in libs#1527 ([DECISION/VOTE], incertum 2023-11-30; ...)"
    "falcosecurity/libs#1376": (
        Event("incertum", _on("2023-11-30"), "cross_referenced", detail="falcosecurity/libs#1527"),),
    # "falcosecurity/falco#2981 (merged PR by LucaGuerra, description 2023-12-19) says 'Fixes #1340'"
    "falcosecurity/falco#1340": (
        Event("LucaGuerra", _on("2023-12-19"), "cross_referenced", detail="falcosecurity/falco#2981"),),
    # "evolution#350 by leogr (2023-12-19, 'Fixes #345') ...; test-infra#1331 by leogr (2023-12-19)"
    "falcosecurity/evolution#345": (
        Event("leogr", _on("2023-12-19"), "cross_referenced", detail="falcosecurity/evolution#350"),
        Event("leogr", _on("2023-12-19"), "cross_referenced", detail="falcosecurity/test-infra#1331"),
    ),
    # The 2024-02-01 recording. "plugins#313 (Andreagit97 2023-12-18 closed it as tracked in falco#2895);
    # falco#2752 (Andreagit97 2024-01-02 closed it as a duplicate of falco#2895 ...)"
    "falcosecurity/falco#2895": (
        Event("Andreagit97", _on("2023-12-18"), "cross_referenced", detail="falcosecurity/plugins#313"),
        Event("Andreagit97", _on("2024-01-02"), "cross_referenced", detail="falcosecurity/falco#2752"),
    ),
    # "incertum's first 2024-02-01 comment sets /milestone 0.38.0 and /assign leogr"
    "falcosecurity/falco#3050": (Event("incertum", _on("2024-02-01"), "assigned", detail="leogr"),),
    # "Referenced from falco#530 by JPLachance 2019-02-14"
    "falcosecurity/falco#421": (
        Event("JPLachance", _on("2019-02-14"), "cross_referenced", detail="falcosecurity/falco#530"),),
    # "plugins#551 'vote: Add AKS audit logs plugin' (IgorEulalio, description 2024-12-16) says it fixes
    # plugins#243 and #368"
    "falcosecurity/plugins#243": (
        Event("IgorEulalio", _on("2024-12-16"), "cross_referenced", detail="falcosecurity/plugins#551"),),
    "falcosecurity/plugins#368": (
        Event("IgorEulalio", _on("2024-12-16"), "cross_referenced", detail="falcosecurity/plugins#551"),),
    # "falco#3131 (incertum, 2024-03-07) lists libs#1652 as a done work item"
    "falcosecurity/libs#1652": (
        Event("incertum", _on("2024-03-07"), "cross_referenced", detail="falcosecurity/falco#3131"),),
}

_NOTE = ("recorded from public GitHub threads and the repositories' git history; the timeline is partial, "
         "and the state and labels are those seen when recorded, not on the meeting day")


def _bounds(raw: Any) -> tuple[datetime, datetime] | None:
    """`[earliest, latest]` dates: from the first day's start to the last day's end."""
    if not raw:
        return None
    first, last = parse_when(raw[0]), parse_when(raw[1], end_of_day=True)
    assert first is not None and last is not None
    return first, last


def _events(rec: Mapping[str, Any], ref: str) -> tuple[Event, ...]:
    recorded = tuple(Event(e.get("actor"), _on(e["date"]), _EVENT_KINDS[e["type"]]) for e in rec.get("events") or [])
    return recorded + FROM_NOTES.get(ref, ())


def recorded_item(rec: Mapping[str, Any], observed_at: datetime | None) -> ItemFacts:
    """One recorded item as facts: what was seen, with the rest unknown."""
    key = ItemKey(rec["repo"], int(rec["number"]))
    kind = rec.get("kind")
    via = rec.get("closed_via")
    dated: dict[str, Any] = {
        "merged_at": parse_when(rec.get("merged_at")),
        "closed_at": parse_when(rec.get("closed_at")),
        "created_bounds": _bounds(rec.get("created_at_bounds")),
        "events": _events(rec, key.ref),
        "observed_at": observed_at,
    }
    if not rec.get("found"):
        return ItemFacts(
            key=key, kind=kind, url=rec.get("url"), status="unknown",
            status_detail="not shown by the recorded source" + (f" (closed via {via})" if via else ""),
            note=_NOTE + (f"; closed via {via}" if via else ""), **dated,
        )
    state = rec.get("state")
    merged = rec.get("merged")
    if state == "merged" or rec.get("merged_at"):
        merged = True
    if state == "closed" and merged:
        state = "merged"
    return ItemFacts(
        key=key,
        kind=kind,
        url=rec.get("url"),
        title=rec.get("title"),
        state=state,
        merged=merged if kind == "pull" else None,
        author=rec.get("author"),
        labels=tuple(rec["labels"]) if rec.get("labels") is not None else None,
        created_at=parse_when(rec.get("created_at")),
        timeline_complete=False,
        label_history=False,
        note=_NOTE + (f"; closed via {via}" if via else ""),
        **dated,
    )


def approvers(maintainers: Mapping[str, Any]) -> Mapping[str, list[str]]:
    """Each repository's approvers on the meeting day (the recording names the key after the day)."""
    key = next((k for k in maintainers if k.startswith("approvers_by_repo")), None)
    return maintainers.get(key, {}) if key else {}


def from_recorded(
    items: list[Mapping[str, Any]], maintainers: Mapping[str, Any], *, name: str, collected: str, note: str
) -> FactSet:
    """Convert a recording (`items.json`, `maintainers.json`) into a FactSet, sorted by key."""
    observed_at = parse_when(collected)
    emeritus = list(maintainers.get("emeritus", ()))
    people = People.of([*maintainers.get("maintainers", ()), *emeritus], maintainers.get("bots", ()),
                       by_repo={repo: [*logins, *emeritus] for repo, logins in approvers(maintainers).items()})
    converted = [recorded_item(rec, observed_at) for rec in items]
    return FactSet(
        items=tuple(sorted(converted, key=lambda i: i.key)),
        source=f"demo:{name}",
        people=people,
        observed_at=observed_at,
        note=note,
    )
