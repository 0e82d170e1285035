"""Snapshots in the app: reopening `/?snapshot=<id>` read-only, saving one, and the downloads."""

from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd
import streamlit as st

from triage import export, settings
from triage.access import Viewer, exposes_private, may_list, may_open
from triage.criteria import title
from triage.facts import People
from triage.markup import inline as md
from triage.meeting import Meeting
from triage.snapshots import (
    Snapshot,
    SnapshotError,
    SnapshotIdError,
    SnapshotNotFoundError,
    SnapshotStoreError,
    SnapshotSummary,
    check_base_url,
    default_base_url,
    freeze,
    ordered_rows,
    share_link,
)
from triage.snapshots import heading as snapshot_heading
from triage.ui import identity, live, loaders, ranking_view
from triage.weights import Preset

_SAVED = "saved_snapshot_link"
_LOG = logging.getLogger(__name__)


def base_url() -> str:
    """The app's address as the browser sees it (without page path or query), for share links."""
    url = st.context.url
    if url:
        try:
            return check_base_url(url.split("?", 1)[0])
        except ValueError:
            pass
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
    private = exposes_private(meeting.facts)
    listed = private and st.checkbox(
        "List it in Compare", key="list_snapshot", help="It holds facts of private repositories: only you "
        + ("and other signed-in users " if identity.policy().private_snapshots == "signed-in" else "")
        + "can open it. Listed, it also shows in their Compare list; unlisted, only its link opens it.")
    if st.button("Save snapshot", key="save_snapshot", icon=":material/link:"):
        try:
            snap = freeze(meeting, preset, people, weights=weights, as_of=as_of, secrets=[live.token()])
            sid = loaders.store(settings.db_url()).save(snap, owner=viewer().identity, listed=bool(listed))
            st.session_state[_SAVED] = (share_link(sid, base_url()), private)
        except SnapshotError as e:
            st.error(_said(e, ""))
    saved = st.session_state.get(_SAVED)
    if saved:
        link, was_private = saved
        st.success("Saved. It holds facts of private repositories, so only you (and whom the server's settings "
                   "allow) open it with:" if was_private else
                   "Saved. Anyone who can reach this app opens exactly this ranking with:")
        st.code(link, language=None)


def live_downloads(ranked: pd.DataFrame, heading: str) -> None:
    """Downloads of the live ranking (no snapshot link: save one to get a link)."""
    downloads(export.to_rows(ranked), heading, "triage")
