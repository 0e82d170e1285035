"""Ranking: the meeting's items, best first, with the weights and filters in the sidebar (or a frozen snapshot)."""

import streamlit as st

from triage import export, filters, scoring
from triage.markup import inline as md
from triage.snapshots import preset_label
from triage.ui import (
    filter_panel,
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
filter_slot = st.sidebar.container()  # above the weights: what to look at comes first
preset, weights = weights_panel.show(config)
live.sidebar()

evaluated = loaders.evaluated(meeting_key, as_of, preset.name, config.sources, meeting, config)
ranked = scoring.rank(evaluated, weights)
moves = scoring.movement(ranked, scoring.rank(evaluated, preset.weights))
focus_in = filter_panel.show(ranked, filter_slot)
focus = filters.apply(ranked, focus_in)
shown = focus.rows
usual = scoring.typical(ranked)

st.title(md(meeting.title or "Triage"))
st.caption(
    f"{len(ranked)} items ranked as of {as_of:%Y-%m-%d} · preset “{md(preset.name)}” · "
    f"source: {md(meeting.facts.source)}" + (f" · {md(meeting.facts.note)}" if meeting.facts.note else "")
)
if ranked.empty:
    st.info("No PRs or issues found in this agenda.")
else:
    st.caption(focus.summary() + ("" if focus.rows.empty else " · click a row to see why it ranks there"))
    if shown.empty:
        st.info("No item matches these filters.")
    clicked = None if shown.empty else ranking_view.show_table(shown, moves.loc[shown.index], usual=usual)
    ranking_view.show_needs_facts(ranked)
    # What the saved link froze: it is shown only while this is still the view on screen.
    view_key = repr((meeting_key, as_of, preset.name, sorted(weights.items()), filters.to_params(focus_in)))
    snapshot_panel.save_button(meeting, preset, weights, config.people, as_of, view_key)
    if not shown.empty:
        st.subheader("Why this rank")
        ranking_view.show_why(shown, weights, view.item, clicked)
        st.subheader("What makes each score")
        ranking_view.show_chart(ranking_view.contribution_chart(shown), int((shown["score"] > 0).sum()))
        kept = set(shown["ref"])
        heading = f"{meeting.title or 'Triage'}: ranked as of {as_of:%Y-%m-%d}"
        snapshot_panel.downloads([r for r in export.to_rows(ranked) if r["ref"] in kept], heading, "triage", None,
                                 export.Meta(as_of, preset_label(preset, weights), weights, None, meeting.title))
session.write_link(config, moment.link_value(meeting, as_of))
