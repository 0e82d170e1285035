"""Cached wrappers around core calls. The core stays free of Streamlit; caching lives here."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from triage.demo import DEMO_NAME, load_demo
from triage.meeting import Meeting, demo_meeting
from triage.outcomes import carryover
from triage.outcomes.store import MeetingStore
from triage.ranking import scoring
from triage.ranking.weights import Config, WeightsError, demo_config_path, load_config
from triage.snapshots import Snapshot
from triage.snapshots.demo import ensure_demo_snapshots
from triage.snapshots.store import SnapshotStore


@st.cache_resource(show_spinner=False)
def demo(name: str = DEMO_NAME) -> Meeting:
    """An embedded Falco demo meeting (each read once per server process)."""
    return demo_meeting(name)


@st.cache_resource(show_spinner=False)
def config(for_demo: bool, cwd: str) -> tuple[Config, str | None]:
    """Criteria settings: built-in, the demo's own for the demo, then `triage.toml` in `cwd`; and,
    when `triage.toml` cannot be used, the sentence saying why (the app then runs without it)."""
    overlays = [demo_config_path()] if for_demo else []
    try:
        return load_config(overlays, local=Path(cwd)), None
    except WeightsError as e:  # a broken triage.toml must not make the whole app unusable (issue 12)
        return load_config(overlays), f"{e}. Using the built-in criteria settings until it is fixed."


@st.cache_resource(show_spinner="Scoring items…", max_entries=16)
def evaluated(
    meeting_key: str, as_of: datetime, preset: str, config_key: tuple[str, ...], _meeting: Meeting, _config: Config
) -> pd.DataFrame:
    """Every criterion's score per item, keyed by the meeting's identity, the moment and the
    preset (not the weights): moving a slider only re-weights (`scoring.rank`), never re-scores.

    A resource, not data: every run gets the same frame instead of a copy unpickled for it (15 ms
    at 10,000 items). Nothing changes it: ranking and filtering make new frames."""
    p = _config.preset(preset)
    return scoring.evaluate(_meeting.facts, p.params, as_of, _meeting.context(), _config.people)


@st.cache_resource(show_spinner=False)
def demo_minutes() -> str:
    """The demo's minutes text."""
    return load_demo().minutes


@st.cache_resource(show_spinner=False)
def store(url: str) -> SnapshotStore:
    """The snapshot store (one engine per database URL per server process)."""
    return SnapshotStore(url)


@st.cache_resource(show_spinner="Saving the demo meetings' snapshots…")
def demo_snapshots(url: str, _config: Config) -> list[str]:
    """On a store's first start (no snapshot at all), the two demo meetings' snapshots, so that
    Compare opens on real data offline; once per server process and store."""
    return ensure_demo_snapshots(store(url), _config)


@st.cache_resource(show_spinner=False, max_entries=64)
def snapshot(url: str, snapshot_id: str) -> Snapshot:
    """A stored snapshot; safe to keep: its content never changes (its id is its hash)."""
    return store(url).load(snapshot_id)


@st.cache_resource(show_spinner=False)
def meetings(url: str) -> MeetingStore:
    """Meetings and outcomes, in the snapshot store's database (its engine)."""
    return MeetingStore(store(url))


@st.cache_data(ttl=5, show_spinner=False)
def earlier_outcomes(url: str, as_of: datetime) -> carryover.Outcomes:
    """What meetings held before `as_of` decided, per item (re-read at most every 5 seconds)."""
    return carryover.load_earlier(meetings(url), before=as_of)
