"""Snapshots in the app: reopening `/?snapshot=<id>` read-only, saving one, and the downloads."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from triage import export, settings
from triage.criteria import title
from triage.facts import People
from triage.markup import inline as md
from triage.meeting import Meeting
from triage.snapshots import (
    Snapshot,
    SnapshotError,
    check_base_url,
    default_base_url,
    freeze,
    ordered_rows,
    share_link,
)
from triage.snapshots import heading as snapshot_heading
from triage.ui import live, loaders, ranking_view
from triage.weights import Preset

_SAVED = "saved_snapshot_link"


def base_url() -> str:
    """The app's address as the browser sees it (without page path or query), for share links."""
    url = st.context.url
    if url:
        try:
            return check_base_url(url.split("?", 1)[0])
        except ValueError:
            pass
    return default_base_url()


def load(snapshot_id: str) -> Snapshot | None:
    """The snapshot a link names, or None after saying why it cannot be opened."""
    try:
        return loaders.snapshot(settings.db_url(), snapshot_id)
    except SnapshotError as e:
        st.error(f"{md(e)}. Showing the default view instead.")
        return None


def _frozen_table(snap: Snapshot) -> pd.DataFrame:
    frame = snap.frame()
    return pd.DataFrame({
        "Rank": frame["rank"],
        "Score": frame["score"],
        "Item": frame["url"],
        "Title": frame["title"].fillna("(title unknown)"),
        "Waiting on": [ranking_view.waiting_text(w, d)
                       for w, d in zip(frame["waiting_on"], frame["waiting_days"], strict=True)],
        "Why": frame["why"],
        "State": frame["state"].fillna("unknown"),
        "Kind": frame["kind"].fillna("?"),
    })


def show(snap: Snapshot) -> None:
    """The frozen ranking exactly as saved: rows, order, weights and reasons; nothing recomputed."""
    rows = snap.rows  # parsed from the frozen JSON on every access: read once
    st.title(md(snap.title or "Triage snapshot"))
    created = f" · saved {snap.created_at:%Y-%m-%d %H:%M} UTC" if isinstance(snap.created_at, datetime) else ""
    st.caption(f"Snapshot {snap.short_id} · frozen, read-only · {len(rows)} items ranked as of "
               f"{snap.as_of:%Y-%m-%d} · preset “{md(snap.preset)}” · source: {md(snap.source)}{created}")
    for change in snap.criteria_changes():
        st.info(f"{md(change)} The rows below are as they were frozen.")
    st.sidebar.caption("Weights of this snapshot (frozen)")
    st.sidebar.dataframe(pd.DataFrame({"Criterion": [title(n) for n in snap.weights],
                                       "Weight": list(snap.weights.values())}),
                         hide_index=True, key="snapshot_weights")
    st.dataframe(_frozen_table(snap), hide_index=True, key="ranked", height=ranking_view.table_height(len(rows)),
                 column_config=ranking_view.column_config(ranking_view.score_top(float(r["score"]) for r in rows)))
    data = snap.contributions()
    st.subheader("What made each score")
    st.altair_chart(ranking_view.chart_from_long(data), width="stretch")
    # The rows laid out exactly as `snapshots.render` lays them out, read once for the three formats.
    downloads(ordered_rows(snap), snapshot_heading(snap), f"triage-{snap.short_id}", share_link(snap.id, base_url()))


def downloads(rows: list[export.Row], title: str, stem: str, link: str | None = None) -> None:
    """Markdown (for the next minutes), CSV and JSON download buttons, all rendered from `rows`."""
    cols = st.columns(3)
    for col, (fmt, ext, mime) in zip(cols, [("markdown", "md", "text/markdown"), ("csv", "csv", "text/csv"),
                                            ("json", "json", "application/json")], strict=True):
        col.download_button(f"Download {fmt.upper() if fmt != 'markdown' else 'Markdown'}",
                            data=export.render_rows(rows, fmt, title, link), file_name=f"{stem}.{ext}",
                            mime=mime, key=f"download_{fmt}", on_click="ignore")


def save_button(
    meeting: Meeting, preset: Preset, weights: dict[str, float], people: People, as_of: datetime
) -> None:
    """Freeze the current view and show the link that reopens it."""
    if st.button("Save snapshot", key="save_snapshot", icon=":material/link:"):
        try:
            snap = freeze(meeting, preset, people, weights=weights, as_of=as_of, secrets=[live.token()])
            sid = loaders.store(settings.db_url()).save(snap)
            st.session_state[_SAVED] = share_link(sid, base_url())
        except SnapshotError as e:
            st.error(md(e))
    link = st.session_state.get(_SAVED)
    if link:
        st.success("Saved. Anyone who can reach this app opens exactly this ranking with:")
        st.code(link, language=None)


def live_downloads(ranked: pd.DataFrame, heading: str) -> None:
    """Downloads of the live ranking (no snapshot link: save one to get a link)."""
    downloads(export.to_rows(ranked), heading, "triage")
