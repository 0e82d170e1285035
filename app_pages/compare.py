"""Compare: the saved snapshots, and what changed between two of them (by default the last two)."""

import altair as alt
import pandas as pd
import streamlit as st

from triage import compare, settings
from triage.markup import inline as md
from triage.snapshots import SnapshotError
from triage.ui import loaders, meeting_panel, snapshot_panel

st.title("Compare snapshots")
url = settings.db_url()
summaries = snapshot_panel.listing()  # only what this viewer may open; unreadable rows named and left out
if not summaries:
    st.info("No snapshots saved yet. Use **Save snapshot** on the Ranking page before each meeting.")
    st.stop()

base = snapshot_panel.base_url()
listing = pd.DataFrame({
    "Saved": [s.created_at.strftime("%Y-%m-%d %H:%M") for s in summaries],
    "As of": [s.as_of.strftime("%Y-%m-%d") for s in summaries],
    "Title": [s.title or "" for s in summaries],
    "Source": [s.source for s in summaries],
    "Items": [s.items for s in summaries],
    "Preset": [s.preset for s in summaries],
    "Link": [f"{base}/?snapshot={s.id}" for s in summaries],
})
st.dataframe(listing, hide_index=True, key="snapshot_list",
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
counts = result.counts()
cols = st.columns(4)
for col, (name, label) in zip(cols, [("resolved", "Resolved since"), ("new", "New"),
                                     ("still_waiting", "Still waiting"), ("dropped", "Dropped")], strict=True):
    col.metric(label, counts[name])

for name, heading in [("resolved", "Resolved since"), ("new", "New"), ("still_waiting", "Still waiting"),
                      ("dropped", "Dropped from the agenda"), ("other", "Still listed, not waiting")]:
    table = getattr(result, name)
    if table.empty:
        continue
    st.subheader(heading)
    if name == "still_waiting":
        # How many meetings in a row listed each item: the (at most 12) latest saved snapshots up to the newer.
        recent = [s for s in summaries if s.as_of <= newer.as_of][:12]
        carried = compare.carried_over([loaders.snapshot(url, s.id) for s in recent])
        table = table.merge(carried[["ref", "meetings"]], on="ref", how="left")
    st.dataframe(table.drop(columns=["url"], errors="ignore"), hide_index=True, key=f"compare_{name}")

if not result.movement.empty:
    st.subheader("Rank movement")
    moved = result.movement.assign(item=result.movement["ref"].str.split("/", n=1).str[-1])
    chart = alt.Chart(moved).mark_bar().encode(
        y=alt.Y("item:N", sort=alt.EncodingSortField(field="rank", op="min"), title=None),
        x=alt.X("moved:Q", title="Places moved up (+) or down (-)"),
        color=alt.condition("datum.moved >= 0", alt.value("#2e7d32"), alt.value("#c62828")),
        tooltip=["ref:N", "older_rank:Q", "rank:Q", "moved:Q"],
    ).properties(height=alt.Step(18))
    st.altair_chart(chart, width="stretch")
