"""Scan: open PRs of repositories or an organisation that wait on maintainers, ranked like the agenda."""

import streamlit as st

from triage import scan
from triage.ui import live, scan_panel, session, weights_panel

st.title("Scan for what the agenda missed")
st.caption("Every open PR of an organisation or of some repositories, sorted by whose turn it is and "
           "ranked with the sidebar's weights, so the neglected ones can join the agenda.")
config = session.project_config()  # not the demo's Falco settings: the same ranking as `triage scan`
preset, weights = weights_panel.show(config)
live.sidebar()
scan_panel.flash()

result = scan_panel.scan_result(config)
if result is None:
    st.info("Name an organisation or some repositories and press Scan.")
    st.stop()
scan_panel.report(result)

chosen = scan_panel.filters(result)
meeting, meeting_key = session.meeting()
frame = scan_panel.evaluated(result, preset, config, meeting, meeting_key)
scan_panel.charts(frame)
ranked = scan_panel.as_added(scan.rank(scan.select(frame, chosen), weights), meeting)

st.subheader(f"{len(ranked):,} of {len(frame):,} open items match")
if ranked.empty:
    st.info("No scanned item matches these filters.")
else:
    scan_panel.table(ranked)
    scan_panel.add_to_agenda(ranked, result, meeting, meeting_key)
session.write_link(config)
