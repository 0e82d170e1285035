"""Ranking: the meeting's items, best first, with the weights in the sidebar (or a frozen snapshot)."""

import streamlit as st

from triage import scoring
from triage.markup import inline as md
from triage.ui import (
    live,
    loaders,
    meeting_panel,
    moment,
    ranking_view,
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
preset, weights = weights_panel.show(config)
live.sidebar()

evaluated = loaders.evaluated(meeting_key, as_of, preset.name, config.sources, meeting, config)
ranked = scoring.rank(evaluated, weights)
moves = scoring.movement(ranked, scoring.rank(evaluated, preset.weights))

st.title(md(meeting.title or "Triage"))
st.caption(
    f"{len(ranked)} items ranked as of {as_of:%Y-%m-%d} · preset “{md(preset.name)}” · "
    f"source: {md(meeting.facts.source)}" + (f" · {md(meeting.facts.note)}" if meeting.facts.note else "")
)
if ranked.empty:
    st.info("No PRs or issues found in this agenda.")
else:
    ranking_view.show_table(ranked, moves)
    snapshot_panel.save_button(meeting, preset, weights, config.people, as_of)
    st.subheader("What makes each score")
    st.altair_chart(ranking_view.contribution_chart(ranked), width="stretch")
    st.subheader("Why this rank")
    ranking_view.show_why(ranked, weights, view.item)
    snapshot_panel.live_downloads(ranked, f"{meeting.title or 'Triage'}: ranked as of {as_of:%Y-%m-%d}")
session.write_link(config, moment.link_value(meeting, as_of))
