"""The embedded demo: real facts about the 16 items of the Falco 2023-12-14 maintainers' agenda.

The facts were recorded from public GitHub threads and the repositories' git history (see
`triage.recording`) and are partial: what the recording did not show is `None`, and items whose
thread it could not show carry status "unknown". `build` converts the recording; the converted
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

from triage.facts import FactSet, factset_from_dict, factset_to_dict, parse_when
from triage.recording import from_recorded

DEMO_NAME = "falco-2023-12-14"
DEMO_AS_OF = parse_when("2023-12-14", end_of_day=True)
DEMO_DEFAULT_ORG = "falcosecurity"
_DATA = resources.files("triage") / "data" / "demo"


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


DEMO_NOTE = (
    "Real facts about the agenda's items, recorded from public GitHub threads (2026-11-23) and the repositories' "
    "git history (merge dates, approvers; 2026-11-30). Partial: what was not seen is unknown, and labels and "
    "states are those of 2026, not of the meeting day."
)


def convert(src: Path) -> FactSet:
    """The demo's facts from its recording directory (`items.json`, `maintainers.json`)."""
    return from_recorded(
        json.loads((src / "items.json").read_text("utf-8")),
        json.loads((src / "maintainers.json").read_text("utf-8")),
        name=DEMO_NAME, collected="2026-11-23", note=DEMO_NOTE,
    )


def build(src: Path, out: Path) -> None:
    """Write the package's demo facts file from a recording directory."""
    facts = convert(src)
    out.write_text(json.dumps(factset_to_dict(facts), indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":  # python -m triage.demo RECORDING_DIR OUT_JSON
    build(Path(sys.argv[1]), Path(sys.argv[2]))
