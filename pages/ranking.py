"""Ranking: the meeting's items, best first, with the weights in the sidebar."""

import streamlit as st

from triage import scoring
from triage.ui import live, loaders, ranking_view, session, source_panel, weights_panel

source_panel.reopen_from_link()
meeting, meeting_key = session.meeting()
config = session.config()
session.show_link_problems()
source_panel.show()
preset, weights = weights_panel.show(config)
live.sidebar()

evaluated = loaders.evaluated(meeting_key, meeting.as_of, preset.name, config.sources, meeting, config)
ranked = scoring.rank(evaluated, weights)
moves = scoring.movement(ranked, scoring.rank(evaluated, preset.weights))

st.title(meeting.title or "Triage")
st.caption(
    f"{len(ranked)} items ranked as of {meeting.as_of:%Y-%m-%d} · preset “{preset.name}” · "
    f"source: {meeting.facts.source}" + (f" · {meeting.facts.note}" if meeting.facts.note else "")
)
if ranked.empty:
    st.info("No PRs or issues found in this agenda.")
else:
    ranking_view.show_table(ranked, moves)
    st.subheader("What makes each score")
    st.altair_chart(ranking_view.contribution_chart(ranked), width="stretch")
    st.subheader("Why this rank")
    ranking_view.show_why(ranked, weights, session.view().item)
session.write_link(config)
