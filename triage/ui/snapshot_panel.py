"""Snapshots in the app: reopening `/?snapshot=<id>` read-only, saving one, and the downloads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from triage import export, settings
from triage.access import Viewer, exposes_private, may_list, may_open
from triage.facts import People
from triage.markup import inline as md
from triage.meeting import Meeting
from triage.ranking import filters
from triage.ranking.criteria import title
from triage.ranking.weights import Preset
from triage.snapshots import (
    Snapshot,
    SnapshotError,
    SnapshotIdError,
    SnapshotNotFoundError,
    SnapshotStoreError,
    SnapshotSummary,
    freeze,
)
from triage.snapshots.rendering import heading as snapshot_heading
from triage.snapshots.rendering import meta, ordered_rows
from triage.snapshots.share import default_base_url, share_link
from triage.ui import filter_panel, identity, live, loaders, ranking_view, session

_SAVED = "saved_snapshot_link"  # (the link, the view it froze, private?): shown only while that view is on screen
_LOG = logging.getLogger(__name__)


def base_url() -> str:
    """The app's address as the browser sees it: scheme, host and port, plus the server's base
    path (`server.baseUrlPath`), never the page's path (a link made on /compare opened Compare)."""
    parts = urlsplit(st.context.url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
        return f"{parts.scheme}://{parts.netloc}" + (f"/{prefix}" if prefix else "")
    return default_base_url()


def viewer() -> Viewer:
    """Who is looking (the signed-in user, or the visitor known by their token)."""
    return identity.viewer(live.token())


def _said(e: SnapshotError, snapshot_id: str) -> str:
    """What a visitor is told: never the server's database address (issue 12); the detail is logged."""
    _LOG.warning("Snapshot %s could not be opened: %s", snapshot_id[:64], e)
    if isinstance(e, SnapshotNotFoundError | SnapshotIdError):
        return f"No snapshot {md(snapshot_id[:64])} is stored here, or it is not shared with you"
    if isinstance(e, SnapshotStoreError):
        return "The snapshot store could not be read (the server's log has the details)"
    return md(str(e).replace(f" in {loaders.store(settings.db_url()).location}", ""))


def snapshot_link(snapshot_id: str, focus: filters.Filters | None = None) -> str:
    """The app's link to a snapshot, with the focus filters as query parameters."""
    extra = filters.to_params(focus) if focus is not None else {}
    query = urlencode([(k, v) for k, values in extra.items() for v in values])
    return share_link(snapshot_id, base_url()) + (f"&{query}" if query else "")


def load(snapshot_id: str) -> Snapshot | None:
    """The snapshot a link names, when this viewer may open it; else None after saying why (a
    private snapshot not shared with them reads exactly like one that does not exist)."""
    url = settings.db_url()
    try:
        snap = loaders.snapshot(url, snapshot_id)
        private = exposes_private(snap.meeting.facts)
        if not may_open(private, loaders.store(url).owners(snap.id) if private else {}, viewer(), identity.policy()):
            raise SnapshotNotFoundError(snapshot_id)
        return snap
    except SnapshotError as e:
        st.error(f"{_said(e, snapshot_id)}. Showing the default view instead.")
        return None


def listing() -> list[SnapshotSummary]:
    """The stored snapshots this viewer may open (private ones only when listed or their own), newest
    first; a row that cannot be read is named in a warning and left out."""
    found = loaders.store(settings.db_url()).listing()
    for problem in found.skipped:
        st.warning(md(problem))
    who, rules = viewer(), identity.policy()
    return [s for s in found.summaries if may_list(s.private, found.owners.get(s.id, {}), who, rules)]


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
    st.title(md(snap.title or "Triage snapshot"))
    created = f" · saved {snap.created_at:%Y-%m-%d %H:%M} UTC" if isinstance(snap.created_at, datetime) else ""
    st.caption(f"Snapshot {snap.short_id} · frozen, read-only · {len(frame)} items ranked as of "
               f"{snap.as_of:%Y-%m-%d} · preset “{md(snap.preset)}” · source: {md(snap.source)}{created}")
    for change in snap.criteria_changes():
        st.info(f"{md(change)} The rows below are as they were frozen.")
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
    # The rows laid out exactly as `snapshots.rendering.render` lays them out, when a download is clicked.
    kept = set(rows["ref"])
    downloads(lambda: [r for r in ordered_rows(snap) if r["ref"] in kept], snapshot_heading(snap),
              f"triage-{snap.short_id}", snapshot_link(snap.id, filter_panel.current()), meta(snap))
    session.write_snapshot_link(snap.id)


def downloads(
    rows: Callable[[], list[export.Row]], title: str, stem: str, link: str | None = None,
    meta: export.Meta | None = None,
) -> None:
    """Markdown (for the next minutes), CSV and JSON download buttons, all rendered from `rows()`
    when one is clicked (issue 13: building all three on every rerun cost 0.34 s at 1,000 rows)."""
    cols = st.columns(3)
    for col, (fmt, ext, mime) in zip(cols, [("markdown", "md", "text/markdown"), ("csv", "csv", "text/csv"),
                                            ("json", "json", "application/json")], strict=True):
        col.download_button(f"Download {fmt.upper() if fmt != 'markdown' else 'Markdown'}",
                            data=partial(_render, rows, fmt, title, link, meta), file_name=f"{stem}.{ext}",
                            mime=mime, key=f"download_{fmt}", on_click="ignore")


def _render(
    rows: Callable[[], list[export.Row]], fmt: str, title: str, link: str | None, meta: export.Meta | None
) -> str:
    """One download's content; Streamlit calls it on a thread of its own when the button is clicked."""
    return export.render_rows(rows(), fmt, title, link, meta)


def save_button(
    meeting: Meeting, preset: Preset, weights: dict[str, float], people: People, as_of: datetime, view_key: str
) -> None:
    """Freeze the current view and show the link that reopens it, for as long as that view is the
    one on screen: `view_key` names the meeting, moment, preset, weights and filters, and a link
    saved under another key is dropped (after a slider move it no longer shows "this ranking").
    A snapshot of private repositories opens only for its creator (issue 12) and is unlisted unless
    they list it."""
    saved = st.session_state.get(_SAVED)
    if saved is not None and saved[1] != view_key:
        st.session_state.pop(_SAVED)
    private = exposes_private(meeting.facts)
    listed = private and st.checkbox(
        "List it in Compare", key="list_snapshot", help="It holds facts of private repositories: only you "
        + ("and other signed-in users " if identity.policy().private_snapshots == "signed-in" else "")
        + "can open it. Listed, it also shows in their Compare list; unlisted, only its link opens it.")
    if st.button("Save snapshot", key="save_snapshot", icon=":material/link:"):
        try:
            snap = freeze(meeting, preset, people, weights=weights, as_of=as_of, secrets=[live.token()])
            sid = loaders.store(settings.db_url()).save(snap, owner=viewer().identity, listed=bool(listed))
            st.session_state[_SAVED] = (snapshot_link(sid, filter_panel.current()), view_key, private)
        except SnapshotError as e:
            st.error(_said(e, ""))
    saved = st.session_state.get(_SAVED)
    if saved:
        link, _, was_private = saved
        st.success("Saved. It holds facts of private repositories, so only you (and whom the server's settings "
                   "allow) open it with:" if was_private else
                   "Saved. Anyone who can reach this app opens exactly this ranking with:")
        st.code(link, language=None)
