"""The embedded demo: real facts about the 16 items of the Falco 2023-12-14 maintainers' agenda.

The facts were recorded from public GitHub pages (titles, states, labels, logins, dates) and are
partial: what the recording did not show is `None`, and items it could not find at all carry
status "unknown". `from_recorded` converts that recording into our fact format; the converted
file ships inside the package so the app starts with no network and no token.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from triage.facts import (
    Event,
    FactSet,
    ItemFacts,
    ItemKey,
    People,
    factset_from_dict,
    factset_to_dict,
    parse_when,
)

DEMO_NAME = "falco-2023-12-14"
DEMO_AS_OF = parse_when("2023-12-14", end_of_day=True)
DEMO_DEFAULT_ORG = "falcosecurity"
_DATA = resources.files("triage") / "data" / "demo"

# The recording's event types map one to one onto ours.
_EVENT_KINDS = {"description": "description", "comment": "comment", "review": "review",
                "review_thread": "review_thread"}


@dataclass(frozen=True)
class Demo:
    """The demo's facts, the minutes that name them and the earlier minutes (for carry-over)."""

    facts: FactSet
    minutes: str
    earlier: Mapping[str, str]  # meeting name -> minutes text, oldest first
    as_of: datetime


def load_demo() -> Demo:
    """The embedded demo, read from package data (no network)."""
    facts = factset_from_dict(json.loads((_DATA / f"{DEMO_NAME}.json").read_text("utf-8")))
    earlier = {
        p.name.removesuffix(".md"): p.read_text("utf-8")
        for p in sorted((_DATA / "earlier").iterdir(), key=lambda p: p.name)
        if p.name.endswith(".md")
    }
    assert DEMO_AS_OF is not None
    return Demo(facts, (_DATA / "minutes.md").read_text("utf-8"), earlier, DEMO_AS_OF)


def _recorded_item(rec: Mapping[str, Any], observed_at: datetime | None) -> ItemFacts:
    key = ItemKey(rec["repo"], int(rec["number"]))
    kind = rec.get("kind")
    if not rec.get("found"):
        return ItemFacts(
            key=key, kind=kind, url=rec.get("url"), status="unknown",
            status_detail="not shown by the recorded source; nothing is known about it",
            observed_at=observed_at,
        )
    state = rec.get("state")
    merged = rec.get("merged")
    if state == "merged":
        merged = True
    elif state == "closed" and merged:
        state = "merged"
    events = tuple(
        Event(actor=e.get("actor"), at=parse_when(e["date"]), kind=_EVENT_KINDS[e["type"]])  # type: ignore[arg-type]
        for e in rec.get("events") or []
    )
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
        events=events,
        timeline_complete=False,
        observed_at=observed_at,
        note="recorded from public GitHub pages; the timeline is partial and the state is the one "
        "seen when recorded, not on the meeting day",
    )


def from_recorded(items: list[Mapping[str, Any]], maintainers: Mapping[str, Any], collected: str) -> FactSet:
    """Convert the recording (`items.json`, `maintainers.json`) into a FactSet, in agenda order."""
    observed_at = parse_when(collected)
    people = People.of(maintainers.get("maintainers", ()), maintainers.get("bots", ()))
    converted = [_recorded_item(rec, observed_at) for rec in items]
    return FactSet(
        items=tuple(sorted(converted, key=lambda i: i.key)),
        source=f"demo:{DEMO_NAME}",
        people=people,
        observed_at=observed_at,
        note="Real facts recorded from public GitHub pages on 2026-11-23; partial (unknown facts are "
        "shown as unknown).",
    )


def build(src: Path, out: Path) -> None:
    """Write the package's demo facts file from a recording directory."""
    facts = from_recorded(
        json.loads((src / "items.json").read_text("utf-8")),
        json.loads((src / "maintainers.json").read_text("utf-8")),
        collected="2026-11-23",
    )
    out.write_text(json.dumps(factset_to_dict(facts), indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":  # python -m triage.demo RECORDING_DIR OUT_JSON
    build(Path(sys.argv[1]), Path(sys.argv[2]))
