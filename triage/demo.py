"""The embedded demos: real facts about the items of two Falco core maintainers' agendas.

`falco-2023-12-14` (the default) and `falco-2024-02-01`, the next meeting, each ranked as of its
own day with the same rules and weights. The facts were recorded from public GitHub threads and
the repositories' git history (see `triage.recording`) and are partial: what the recording did not
show is `None`, and items whose thread it could not show carry status "unknown". `build` converts
a recording; the converted files ship inside the package with the Falco minutes of 2023-06-08 to
2024-02-01 (each demo's earlier meetings are those before its day), so the app starts with no
network and no token.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from triage.facts import FactSet, parse_when
from triage.facts.format import factset_from_dict, factset_to_dict
from triage.recording import from_recorded

DEMO_DEFAULT_ORG = "falcosecurity"
_DATA = resources.files("triage") / "data" / "demo"


@dataclass(frozen=True)
class DemoSpec:
    """One embedded meeting: its name, its day, its minutes and when its recording was made."""

    name: str
    day: str  # the meeting's date, YYYY-MM-DD: the demo is ranked as of its end
    title: str
    minutes: str  # the file name (without .md) of its minutes in data/demo/minutes
    collected: str  # when the recording read GitHub (its states and labels are of that day)
    note: str

    @property
    def as_of(self) -> datetime:
        """The end of the meeting's day (UTC)."""
        moment = parse_when(self.day, end_of_day=True)
        assert moment is not None
        return moment


def _note(collected: str, enriched: str) -> str:
    return (f"Real facts about the agenda's items, recorded from public GitHub threads ({collected}) and the "
            f"repositories' git history (merge dates, approvers; {enriched}). Partial: what was not seen is "
            "unknown, and labels and states are those of 2026, not of the meeting day.")


DEMOS: dict[str, DemoSpec] = {
    spec.name: spec
    for spec in (
        DemoSpec("falco-2023-12-14", "2023-12-14", "Falco core maintainers, 2023-12-14",
                 "2023-12-14-Falco-Core-Maintainers", "2026-11-23", _note("2026-11-23", "2026-11-30")),
        DemoSpec("falco-2024-02-01", "2024-02-01", "Falco core maintainers, 2024-02-01",
                 "2024-02-01-Falco-Core-Maintainers", "2026-11-30", _note("2026-11-30", "2026-11-30")),
    )
}
DEMO_NAME = "falco-2023-12-14"  # the demo `--demo` and the app open on
DEMO_AS_OF = DEMOS[DEMO_NAME].as_of


class UnknownDemoError(ValueError):
    """A demo name that is not one of DEMOS."""


@dataclass(frozen=True)
class Demo:
    """A demo's facts, the minutes that name them and the earlier minutes (for carry-over)."""

    facts: FactSet
    minutes: str
    earlier: Mapping[str, str]  # meeting name -> minutes text, oldest first
    as_of: datetime
    spec: DemoSpec


def spec(name: str | None = None) -> DemoSpec:
    """The demo called `name` (the default one for None); UnknownDemoError quoting it otherwise."""
    key = name or DEMO_NAME
    if key not in DEMOS:
        raise UnknownDemoError(f"Unknown demo {key!r}; expected one of {', '.join(DEMOS)}")
    return DEMOS[key]


def load_demo(name: str | None = None) -> Demo:
    """An embedded demo, read from package data (no network)."""
    chosen = spec(name)
    facts = factset_from_dict(json.loads((_DATA / f"{chosen.name}.json").read_text("utf-8")))
    minutes = {
        p.name.removesuffix(".md"): p
        for p in sorted((_DATA / "minutes").iterdir(), key=lambda p: p.name)
        if p.name.endswith(".md")
    }
    # Minutes are named after their meeting's date: the earlier meetings are those of earlier days.
    earlier = {name: p.read_text("utf-8") for name, p in minutes.items() if name[:10] < chosen.day}
    return Demo(facts, minutes[chosen.minutes].read_text("utf-8"), earlier, chosen.as_of, chosen)


def convert(src: Path, name: str | None = None) -> FactSet:
    """A demo's facts from its recording directory (`items.json`, `maintainers.json`)."""
    chosen = spec(name)
    return from_recorded(
        json.loads((src / "items.json").read_text("utf-8")),
        json.loads((src / "maintainers.json").read_text("utf-8")),
        name=chosen.name, collected=chosen.collected, note=chosen.note,
    )


def build(src: Path, out: Path, name: str | None = None) -> None:
    """Write a demo's facts file from its recording directory."""
    facts = convert(src, name)
    out.write_text(json.dumps(factset_to_dict(facts), indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":  # python -m triage.demo RECORDING_DIR OUT_JSON [DEMO_NAME]
    build(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
