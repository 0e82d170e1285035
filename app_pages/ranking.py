"""Ranking: the meeting's items, best first, with the weights and filters in the sidebar (or a frozen snapshot)."""

import streamlit as st

from triage.markup import inline as md
from triage.ranking import scoring
from triage.ui import (
    filter_panel,
    live,
    loaders,
    meeting_panel,
    moment,
    ranked_panel,
    session,
    snapshot_panel,
    source_panel,
    weights_panel,
)

view = session.view()
if view.snapshot and session.live() is None:
    frozen = snapshot_panel.load(view.snapshot)
    if frozen is not None:
        snapshot_panel.show(frozen)
        meeting_panel.start_button(frozen)
        st.stop()

source_panel.reopen_from_link()
meeting, meeting_key = session.meeting()
config = session.config()
session.show_link_problems()
source_panel.show()
as_of = moment.show(meeting, view.as_of)
meeting, meeting_key = meeting_panel.with_earlier(meeting, meeting_key, as_of)
filter_slot = st.sidebar.container()  # above the weights: what to look at comes first
preset = weights_panel.preset_picker(config)

evaluated = loaders.evaluated(meeting_key, as_of, preset.name, config.sources, meeting, config)
focus_in = filter_panel.show(evaluated, filter_slot)

st.title(md(meeting.title or "Triage"))
st.caption(
    f"{len(evaluated)} items ranked as of {as_of:%Y-%m-%d} · preset “{md(preset.name)}” · "
    f"source: {md(meeting.facts.source)}" + (f" · {md(meeting.facts.note)}" if meeting.facts.note else "")
)
# The sliders, the table and all that the weights change: a slider move reruns only this.
ranked_panel.show(meeting, meeting_key, config, preset, as_of, evaluated, scoring.rank(evaluated, preset.weights),
                  focus_in, view.item)
live.sidebar()
