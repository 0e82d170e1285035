"""The demo meetings' snapshots, saved into a store on its first start: Compare then opens offline on
two real meetings (Falco 2023-12-14 -> 2024-02-01), ranked with the same rules and weights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triage.demo import DEMOS
from triage.meeting import demo_meeting
from triage.ranking.weights import Config
from triage.snapshots import Snapshot, freeze
from triage.snapshots.store import SnapshotStore


def demo_snapshots(config: Config, now: datetime | None = None) -> list[Snapshot]:
    """Every demo meeting frozen with `config`'s default preset, oldest meeting first (saved a second
    apart, so the store lists the newest meeting first)."""
    start = (now or datetime.now(UTC)).replace(microsecond=0)
    preset = config.preset()
    return [freeze(demo_meeting(name), preset, config.people, created_at=start + timedelta(seconds=n))
            for n, name in enumerate(sorted(DEMOS, key=lambda d: DEMOS[d].day))]


def ensure_demo_snapshots(store: SnapshotStore, config: Config) -> list[str]:
    """Save the demo snapshots into a store holding none at all (its first start); a store that holds
    any snapshot is left as it is. Returns the ids saved."""
    first = store.listing(1)
    if first.summaries or first.skipped:  # an unreadable row is a snapshot too: not a first start
        return []
    return [store.save(s) for s in demo_snapshots(config)]
