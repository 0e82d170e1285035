"""Snapshots in the app: reopening `/?snapshot=<id>` read-only, saving one, and the downloads."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from triage import export, filters, settings
from triage.criteria import title
from triage.facts import People
from triage.meeting import Meeting
from triage.snapshots import (
    Snapshot,
    SnapshotError,
    default_base_url,
    freeze,
    meta,
    ordered_rows,
    share_link,
)
from triage.snapshots import heading as snapshot_heading
from triage.ui import filter_panel, live, loaders, ranking_view, session
from triage.weights import Preset

_SAVED = "saved_snapshot_link"  # (the link, the view it froze): shown only while that view is on screen


def base_url() -> str:
    """The app's address as the browser sees it: scheme, host and port, plus the server's base
    path (`server.baseUrlPath`), never the page's path (a link made on /compare opened Compare)."""
    parts = urlsplit(st.context.url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
        return f"{parts.scheme}://{parts.netloc}" + (f"/{prefix}" if prefix else "")
    return default_base_url()


def snapshot_link(snapshot_id: str, focus: filters.Filters | None = None) -> str:
    """The app's link to a snapshot, with the focus filters as query parameters."""
    extra = filters.to_params(focus) if focus is not None else {}
    query = urlencode([(k, v) for k, values in extra.items() for v in values])
    return share_link(snapshot_id, base_url()) + (f"&{query}" if query else "")


def load(snapshot_id: str) -> Snapshot | None:
    """The snapshot a link names, or None after saying why it cannot be opened."""
    try:
        return loaders.snapshot(settings.db_url(), snapshot_id)
    except SnapshotError as e:
        st.error(f"{e}. Showing the default view instead.")
        return None


def _frozen_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Rank": frame["rank"],
        "Score": frame["score"],
        "Item": frame["url"],
        "Title": frame["title"].fillna("(title unknown)"),
        "State": frame["state"].fillna("unknown"),
        "Waiting on": [ranking_view.waiting_text(w, d)
                       for w, d in zip(frame["waiting_on"], frame["waiting_days"], strict=True)],
        "Why": frame["why"],
        "Kind": frame["kind"].fillna("?"),
    })


def _to_live() -> None:
    session.leave_snapshot()
    st.session_state.pop(_SAVED, None)


def show(snap: Snapshot) -> None:
    """The frozen ranking exactly as saved: rows, order, weights and reasons; nothing recomputed.
    The focus filters apply (they hide rows, never re-rank), and a button leads back to the live view."""
    st.sidebar.button("Back to the live view", key="leave_snapshot", on_click=_to_live, type="primary",
                      icon=":material/arrow_back:", help="Leave this frozen snapshot for the live ranking.")
    frame = filters.frozen_frame(snap)
    focus = filters.apply(frame, filter_panel.show(frame))
    st.title(snap.title or "Triage snapshot")
    created = f" · saved {snap.created_at:%Y-%m-%d %H:%M} UTC" if isinstance(snap.created_at, datetime) else ""
    st.caption(f"Snapshot {snap.short_id} · frozen, read-only · {len(frame)} items ranked as of "
               f"{snap.as_of:%Y-%m-%d} · preset “{snap.preset}” · source: {snap.source}{created}")
    for change in snap.criteria_changes():
        st.info(f"{change} The rows below are as they were frozen.")
    with st.sidebar:
        st.caption("Weights of this snapshot (frozen)")
        ranking_view.show_frame(pd.DataFrame({"Criterion": [title(n) for n in snap.weights],
                                              "Weight": list(snap.weights.values())}), key="snapshot_weights")
    st.caption(focus.summary())
    rows = focus.rows
    st.dataframe(_frozen_table(rows), hide_index=True, key="ranked", height=ranking_view.table_height(len(rows)),
                 column_config=ranking_view.column_config(ranking_view.score_top(frame["score"])))
    data = snap.contributions()
    st.subheader("What made each score")
    shown = data[data["ref"].isin(set(rows["ref"]))]
    ranking_view.show_chart(ranking_view.chart_from_long(shown), len(shown))
    # The rows laid out exactly as `snapshots.render` lays them out, read once for the three formats.
    kept = set(rows["ref"])
    downloads([r for r in ordered_rows(snap) if r["ref"] in kept], snapshot_heading(snap),
              f"triage-{snap.short_id}", snapshot_link(snap.id, filter_panel.current()), meta(snap))
    session.write_snapshot_link(snap.id)


def downloads(
    rows: list[export.Row], title: str, stem: str, link: str | None = None, meta: export.Meta | None = None
) -> None:
    """Markdown (for the next minutes), CSV and JSON download buttons, all rendered from `rows`."""
    cols = st.columns(3)
    for col, (fmt, ext, mime) in zip(cols, [("markdown", "md", "text/markdown"), ("csv", "csv", "text/csv"),
                                            ("json", "json", "application/json")], strict=True):
        col.download_button(f"Download {fmt.upper() if fmt != 'markdown' else 'Markdown'}",
                            data=export.render_rows(rows, fmt, title, link, meta), file_name=f"{stem}.{ext}",
                            mime=mime, key=f"download_{fmt}", on_click="ignore")


def save_button(
    meeting: Meeting, preset: Preset, weights: dict[str, float], people: People, as_of: datetime, view_key: str
) -> None:
    """Freeze the current view and show the link that reopens it, for as long as that view is the
    one on screen: `view_key` names the meeting, moment, preset, weights and filters, and a link
    saved under another key is dropped (after a slider move it no longer shows "this ranking")."""
    saved = st.session_state.get(_SAVED)
    if saved is not None and saved[1] != view_key:
        st.session_state.pop(_SAVED)
    if st.button("Save snapshot", key="save_snapshot", icon=":material/link:"):
        try:
            snap = freeze(meeting, preset, people, weights=weights, as_of=as_of, secrets=[live.token()])
            sid = loaders.store(settings.db_url()).save(snap)
            st.session_state[_SAVED] = (snapshot_link(sid, filter_panel.current()), view_key)
        except SnapshotError as e:
            st.error(str(e))
    saved = st.session_state.get(_SAVED)
    if saved:
        st.success("Saved. Anyone who can reach this app opens exactly this ranking with:")
        st.code(saved[0], language=None)
