"""What the weights change on the Ranking page, in one `st.fragment`: the sliders, the ranked table,
the saved link, the why, the chart, the downloads and the address bar.

A slider move reruns this fragment only (issue 13): the facts, the moment, the scores, the filters
and everything drawn above stay as the last full run left them. Scores are weight-free
(`loaders.evaluated`), so re-ranking is `scoring.rank`; downloads are built when clicked.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from triage import export
from triage.meeting import Meeting
from triage.ranking import filters, scoring
from triage.ranking.weights import Config, Preset
from triage.snapshots import preset_label
from triage.ui import moment, ranking_view, session, snapshot_panel, weights_panel


@st.fragment
def show(
    meeting: Meeting,
    meeting_key: str,
    config: Config,
    preset: Preset,
    as_of: datetime,
    evaluated: pd.DataFrame,
    baseline: pd.DataFrame,
    focus_in: filters.Filters,
    default_item: str | None,
) -> None:
    """Draw the sliders (sidebar) and the ranking of `evaluated` with them; `baseline` is the ranking
    with the preset's weights, which each item's movement is measured against."""
    weights = weights_panel.sliders(config)
    ranked = scoring.rank(evaluated, weights)
    if ranked.empty:
        st.info("No PRs or issues found in this agenda.")
        session.write_link(config, moment.link_value(meeting, as_of))
        return
    moves = scoring.movement(ranked, baseline)
    focus = filters.apply(ranked, focus_in)
    shown = focus.rows
    st.caption(focus.summary() + ("" if shown.empty else " · click a row to see why it ranks there"))
    if shown.empty:
        st.info("No item matches these filters.")
    clicked = (None if shown.empty else
               ranking_view.show_table(shown, moves.loc[shown.index], usual=scoring.typical(ranked)))
    ranking_view.show_needs_facts(ranked)
    # What the saved link froze: it is shown only while this is still the view on screen.
    view_key = repr((meeting_key, as_of, preset.name, sorted(weights.items()), filters.to_params(focus_in)))
    snapshot_panel.save_button(meeting, preset, weights, config.people, as_of, view_key)
    if not shown.empty:
        st.subheader("Why this rank")
        ranking_view.show_why(shown, weights, default_item, clicked)
        st.subheader("What makes each score")
        ranking_view.show_chart(ranking_view.contribution_chart(shown), int((shown["score"] > 0).sum()))
        heading = f"{meeting.title or 'Triage'}: ranked as of {as_of:%Y-%m-%d}"

        def rows() -> list[export.Row]:
            kept = set(shown["ref"])
            return [r for r in export.to_rows(ranked) if r["ref"] in kept]  # "why" as against every item

        snapshot_panel.downloads(rows, heading, "triage", None,
                                 export.Meta(as_of, preset_label(preset, weights), weights, None, meeting.title))
    session.write_link(config, moment.link_value(meeting, as_of))
