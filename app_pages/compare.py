"""Compare: the saved snapshots, and what changed between two of them (by default the last two)."""

import pandas as pd
import streamlit as st

from triage import settings
from triage.markup import inline as md
from triage.snapshots import SnapshotError, compare
from triage.ui import compare_view, loaders, meeting_panel, ranking_view, session, snapshot_panel

st.title("Compare snapshots")
url = settings.db_url()
loaders.demo_snapshots(url, session.config("demo"))  # a first start: the two demo meetings, to compare offline
summaries = snapshot_panel.listing()  # only what this viewer may open; unreadable rows named and left out
if not summaries:
    st.info("No snapshots saved yet. Use **Save snapshot** on the Ranking page before each meeting.")
    st.stop()

listing = pd.DataFrame({
    "Saved": [s.created_at.strftime("%Y-%m-%d %H:%M") for s in summaries],
    "As of": [s.as_of.strftime("%Y-%m-%d") for s in summaries],
    "Title": [s.title or "" for s in summaries],
    "Source": [s.source for s in summaries],
    "Items": [s.items for s in summaries],
    "Preset": [s.preset for s in summaries],
    "Link": [snapshot_panel.snapshot_link(s.id) for s in summaries],
})
ranking_view.show_frame(listing, key="snapshot_list",
                        column_config={"Link": st.column_config.LinkColumn(display_text=r".*snapshot=(.{12}).*")})
if len(summaries) < 2:
    st.info("Save a second snapshot (at the next meeting) to compare them.")
    st.stop()

labels = [f"{s.as_of:%Y-%m-%d} · {s.title or s.source} · {s.id[:12]}" for s in summaries]
left, right = st.columns(2)
newer_label = left.selectbox("Newer", labels, index=0, key="compare_newer")
older_label = right.selectbox("Older", labels, index=1, key="compare_older")
newer_s, older_s = summaries[labels.index(newer_label)], summaries[labels.index(older_label)]
if newer_s.as_of < older_s.as_of:
    newer_s, older_s = older_s, newer_s
try:
    older, newer = loaders.snapshot(url, older_s.id), loaders.snapshot(url, newer_s.id)
    result = compare.compare(older, newer)
except (SnapshotError, ValueError) as e:
    st.error(md(e))
    st.stop()

meeting_panel.followup(older, newer)
warning = compare.weights_warning(result)
if warning:
    st.warning(md(warning))
compare_view.show_metrics(result)
for name, heading in compare_view.SECTIONS:
    table = compare_view.moved(result) if name == "moved" else getattr(result, name)
    if table.empty:
        continue
    if name == "still_waiting":
        # Meetings in a row that listed each item: the (at most 12) latest saved snapshots up to the
        # newer, one meeting per day.
        recent = [s for s in summaries if s.as_of <= newer.as_of][:12]
        carried = compare.carried_over([loaders.snapshot(url, s.id) for s in recent])
        table = table.merge(carried[["ref", "meetings"]], on="ref", how="left")
        # how long it has been carried: by the earlier minutes, and by the saved snapshots
        first = ["ref", "title", "earlier_agendas", "meetings"]
        table = table[[*first, *(c for c in table.columns if c not in first)]]
    st.subheader(f"{heading} ({len(table)})")
    compare_view.show_table(table, key=f"compare_{name}")

st.subheader("Rank movement")
compare_view.show_movement(result)
