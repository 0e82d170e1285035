"""Meeting mode in the app: the chair walks a frozen ranking and records outcomes; attendees follow.

The edit key comes only from the link (`&key=…`) and is checked by the store on every write, so a
page opened without it, or with a wrong one, has no recording controls and could not write even if
it had them. Attendees' pages read the store every `LIVE_SECONDS` inside a fragment, so outcomes
appear without a reload. Keyboard: ← and → move through the items, 1 to 7 record an outcome
(Streamlit 1.67's `st.button(shortcut=...)`; plain keys do not fire while a text field has focus,
so the chair types a login, presses Tab, then the outcome's key).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from triage import settings
from triage.facts import ItemKey
from triage.links import LATEST_MEETING, MAX_PLAYERS, View, meeting_link
from triage.markup import inline as md
from triage.markup import item_url
from triage.meeting import Meeting
from triage.outcomes import MAX_NOTE_CHARS, OUTCOMES, OutcomeError, OutcomeRecord, carryover, latest, minutes
from triage.outcomes.store import MeetingError, MeetingInfo, MeetingStore
from triage.snapshots import Snapshot
from triage.snapshots.share import share_link
from triage.ui import live, loaders, ranking_view, session, snapshot_panel

LIVE_SECONDS = 2  # how often an attendee's page looks for new outcomes
PAGE = "app_pages/meeting.py"
_POS = "meeting_position"  # the chair's place in the list (an index into this page's items)
_FLASH = "meeting_flash"  # (kind, sentence) to show after a recording
_WHO, _NOTE, _BY = "meeting_who", "meeting_note", "meeting_by"


def store() -> MeetingStore:
    """The meeting store beside the snapshots."""
    return loaders.meetings(settings.db_url())


def items(snap: Snapshot, view: View) -> list[dict[str, Any]]:
    """The ranked rows this page walks: all, or every `players`-th from `player` (Triage Party's split)."""
    return snap.rows[view.player - 1 :: view.players]


def _user_name() -> str:
    """The signed-in user's name where the app has authentication, else what was typed."""
    try:
        if st.user.get("is_logged_in"):
            return str(st.user.get("email") or st.user.get("name") or "")
    except (AttributeError, KeyError):  # no user information on this host
        pass
    return ""


# --- starting and finding a meeting -----------------------------------------------------------------


def _start(snap: Snapshot) -> None:
    try:
        started = store().start(snap.id, started_by=st.session_state.get(_BY) or _user_name() or None)
    except MeetingError as e:
        st.error(md(e))
        return
    session.forget_view()  # the next run reads the chair's link afresh
    st.switch_page(PAGE, query_params={"snapshot": snap.id, "meeting": started.meeting.id, "key": started.key})


def start_button(snap: Snapshot) -> None:
    """On a frozen ranking: run a meeting on it, or follow one already running."""
    held = store().for_snapshot(snap.id)
    base = snapshot_panel.base_url()
    st.subheader("Run the meeting")
    for info in held[:5]:
        st.markdown(f"- Meeting {info.id}, started {info.started_at:%Y-%m-%d %H:%M} UTC: "
                    f"[follow it]({meeting_link(base, snap.id, info.id)})")
    if st.button("Run the meeting" if not held else "Run another meeting on this ranking", key="start_meeting",
                 icon=":material/groups:", help="Walk the ranked items one by one and record an outcome for each; "
                 "you get a private chair's link to record with, attendees follow on the meeting link."):
        _start(snap)


def resolve(snap: Snapshot, view: View) -> MeetingInfo | None:
    """The meeting the link names (`meeting=1`: the snapshot's latest), or None after offering to start one."""
    meetings = store()
    if view.meeting == LATEST_MEETING:
        held = meetings.for_snapshot(snap.id)
        if held:
            return held[0]
        st.info("No meeting has been started on this ranking yet. Start one to get the chair's link.")
        if st.button("Start the meeting", key="start_meeting", icon=":material/groups:"):
            _start(snap)
        return None
    try:
        info = meetings.get(view.meeting or "")
    except MeetingError as e:
        st.error(md(e))
        return None
    if info.snapshot_id != snap.id:
        st.error(f"Meeting {info.id} runs on snapshot {info.snapshot_id[:12]}, not on this one; "
                 "open the meeting's own link.")
        return None
    return info


# --- the chair's controls ------------------------------------------------------------------------------


def _go(step: int, at: int, refs: list[str], meeting_id: str, key: str, follow: bool) -> None:
    # `at` is the item the button was drawn for: a press that arrives again (a rerun interrupted
    # by the next key) finds the chair elsewhere and does nothing, rather than skipping an item.
    if st.session_state.get(_POS) != at:
        return
    pos = min(max(at + step, 0), len(refs) - 1)
    st.session_state[_POS] = pos
    if follow:
        try:
            store().follow(meeting_id, key, ItemKey.parse(refs[pos]))
        except (MeetingError, OutcomeError) as e:
            st.session_state[_FLASH] = ("error", str(e))


def _record(outcome: str, at: int, refs: list[str], meeting_id: str, key: str, follow: bool) -> None:
    if st.session_state.get(_POS) != at:  # see `_go`: never record twice, or for an item not on screen
        return
    try:
        record = store().record(meeting_id, key, ItemKey.parse(refs[at]), outcome, who=st.session_state.get(_WHO),
                                note=st.session_state.get(_NOTE), by=st.session_state.get(_BY) or _user_name(),
                                secrets_to_keep_out=[live.token()])
    except (MeetingError, OutcomeError) as e:
        st.session_state[_FLASH] = ("error", f"{e}.")
        return
    st.session_state[_FLASH] = ("success", f"Recorded {record.ref.ref}: {record.describe()}.")
    st.session_state[_WHO] = st.session_state[_NOTE] = ""
    _go(1, at, refs, meeting_id, key, follow)  # on to the next item


def _url(row: dict[str, Any]) -> str:
    """The frozen row's link, only if it leads to its thread on GitHub (issue 12)."""
    key = ItemKey.parse(str(row["ref"]))
    return item_url(row.get("url"), key.repo, key.number, row.get("kind"))


def _item_card(row: dict[str, Any], pos: int, total: int, won: OutcomeRecord | None) -> None:
    st.subheader(f"Item {pos + 1} of {total}: {md(row['ref'])}")
    st.markdown(f"**[{md(row.get('title') or '(title unknown)')}]({_url(row)})**  \n"
                f"Rank {row['rank']} · score {float(row['score']):.2f} · "
                f"waiting on: {ranking_view.waiting_text(row.get('waiting_on'), row.get('waiting_days'))}  \n"
                f"Why: {md(row.get('why') or '')}")
    if won is not None:
        st.caption(f"Recorded: **{md(won.describe())}**" + (f" · {md(won.note)}" if won.note else "")
                   + f" · by {md(won.by or 'someone')} at {won.at:%H:%M:%S} UTC (a new outcome replaces it)")


def chair(snap: Snapshot, info: MeetingInfo, view: View, rows: list[dict[str, Any]]) -> None:
    """The item under discussion, the outcome buttons and the keyboard shortcuts (key holders only)."""
    assert view.key is not None
    refs = [str(r["ref"]) for r in rows]
    pos = min(int(st.session_state.get(_POS, 0)), len(refs) - 1)
    st.session_state[_POS] = pos
    follow = view.players == 1  # players review their share on their own; the chair leads everyone else
    won = latest(store().history(info.id)).get(ItemKey.parse(refs[pos]))
    _item_card(rows[pos], pos, len(rows), won)
    # The login field comes last, so that Tab leaves it for the buttons, where plain keys fire again.
    note, who = st.columns([3, 1])
    note.text_input("Note (optional, one line)", key=_NOTE, max_chars=MAX_NOTE_CHARS)
    who.text_input("Who (for assigned / needs review)", key=_WHO, placeholder="@login")
    nav = st.columns(2)
    nav[0].button("Previous", key="meeting_previous", shortcut="Left", icon=":material/arrow_back:",
                  on_click=_go, args=(-1, pos, refs, info.id, view.key, follow), disabled=pos == 0, width="stretch")
    nav[1].button("Next", key="meeting_next", shortcut="Right", icon=":material/arrow_forward:",
                  on_click=_go, args=(1, pos, refs, info.id, view.key, follow), disabled=pos == len(refs) - 1,
                  width="stretch")
    for col, (name, entry) in zip(st.columns(len(OUTCOMES)), OUTCOMES.items(), strict=True):
        col.button(entry.button, key=f"outcome_{name}", shortcut=entry.shortcut, width="stretch",
                   on_click=_record, args=(name, pos, refs, info.id, view.key, follow),
                   help=f"Record “{entry.label}{' @login' if entry.names_someone else ''}” and go to the next item")
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(md(flash[1]))


def links(snap: Snapshot, info: MeetingInfo, view: View) -> None:
    """The attendees' link, the chair's (with the key) and links that split the list among players."""
    base = snapshot_panel.base_url()
    with st.expander("Links for this meeting", expanded=False):
        st.markdown("Attendees follow along (read-only) with:")
        st.code(meeting_link(base, snap.id, info.id), language=None)
        if view.key:
            st.markdown("**Your chair's link** records outcomes; it holds the edit key, so keep it to yourself:")
            st.code(meeting_link(base, snap.id, info.id, key=view.key), language=None)
            players = int(st.number_input("Split the list among players (async review before the meeting)", 2,
                                          MAX_PLAYERS, 4, key="meeting_players"))
            st.code("\n".join(meeting_link(base, snap.id, info.id, key=view.key, player=p, players=players)
                              for p in range(1, players + 1)), language=None)


# --- what everyone sees, refreshed ---------------------------------------------------------------------


def _table(rows: list[dict[str, Any]], won: dict[ItemKey, OutcomeRecord]) -> pd.DataFrame:
    records = [won.get(ItemKey.parse(r["ref"])) for r in rows]
    return pd.DataFrame({
        "Rank": [r["rank"] for r in rows],
        "Item": [r["url"] for r in rows],
        "Title": [r.get("title") or "(title unknown)" for r in rows],
        "Outcome": [rec.describe() if rec else "" for rec in records],
        "Note": [rec.note or "" if rec else "" for rec in records],
        "By": [rec.by or "" if rec else "" for rec in records],
        "At (UTC)": [f"{rec.at:%H:%M:%S}" if rec else "" for rec in records],
    })


def _history(records: list[OutcomeRecord]) -> pd.DataFrame:
    winners = {r.seq for r in latest(records).values()}
    return pd.DataFrame({
        "#": [r.seq for r in records], "Item": [r.ref.ref for r in records],
        "Outcome": [r.describe() for r in records], "Note": [r.note or "" for r in records],
        "By": [r.by or "" for r in records], "At (UTC)": [f"{r.at:%Y-%m-%d %H:%M:%S}" for r in records],
        "Stands": ["yes" if r.seq in winners else "replaced" for r in records],
    })


@st.fragment(run_every=LIVE_SECONDS)
def outcomes_live(snapshot_id: str, meeting_id: str, player: int, players: int) -> None:
    """The outcomes as the store has them now, re-read every LIVE_SECONDS; and the minutes."""
    snap = loaders.snapshot(settings.db_url(), snapshot_id)
    meetings = store()
    info = meetings.get(meeting_id)
    records = meetings.history(meeting_id)
    won = latest(records)
    rows = snap.rows[player - 1 :: players]
    if info.current_ref and players == 1:
        row = next((r for r in rows if r["ref"] == info.current_ref), None)
        if row is not None:
            st.markdown(f"**Now discussing:** #{row['rank']} [{md(row['ref'])}]({_url(row)}) "
                        f"{md(row.get('title') or '')}")
    if records:
        last = records[-1]
        st.markdown(f"**Latest:** {last.ref.ref}: {md(last.describe())}"
                    + (f" ({md(last.note)})" if last.note else "") + f", by {md(last.by or 'someone')}")
    done = sum(1 for r in rows if ItemKey.parse(r["ref"]) in won)
    st.caption(f"{done} of {len(rows)} items have an outcome · refreshed every {LIVE_SECONDS} s")
    st.dataframe(_table(rows, won), hide_index=True, key="meeting_outcomes",
                 height=ranking_view.table_height(len(rows)),
                 column_config={"Item": st.column_config.LinkColumn(display_text=r"https://github\.com/[^/]+/(.*)"),
                                "Title": st.column_config.TextColumn(width="medium"),
                                "Outcome": st.column_config.TextColumn(width="medium")})
    if records:
        with st.expander(f"History: {len(records)} recordings (the latest per item stands)"):
            st.dataframe(_history(records), hide_index=True, key="meeting_history")
    text = minutes.to_markdown(snap, meeting_id, records, share_link(snap.id, snapshot_panel.base_url()))
    st.download_button("Export minutes", data=text, file_name=f"minutes-{meeting_id}.md", mime="text/markdown",
                       key="export_minutes", on_click="ignore", icon=":material/download:")
    with st.expander("Minutes (Markdown, ready to paste)"):
        st.code(text, language="markdown")


def show(snap: Snapshot, info: MeetingInfo, view: View) -> None:
    """The meeting page: the chair's controls for key holders, then the live outcomes for everyone."""
    rows = items(snap, view)
    editing = store().can_edit(info.id, view.key)
    st.title(f"Meeting: {md(snap.title or 'Triage')}")
    share = f" · player {view.player} of {view.players}: every {view.players}th item" if view.players > 1 else ""
    role = "you chair it: record outcomes with the keys below" if editing else "read-only, following along"
    st.caption(f"Meeting {info.id} on snapshot {snap.short_id} (ranked as of {snap.as_of:%Y-%m-%d}, "
               f"preset “{md(snap.preset)}”) · {role}{share}")
    if view.key and not editing:
        st.warning("The edit key in this link does not open this meeting; following read-only.")
    if not rows:
        st.info("This share of the list is empty.")
        return
    if editing:
        st.sidebar.text_input("Your name (recorded with each outcome)", key=_BY, value=None,
                              placeholder=_user_name() or "e.g. leogr")
        chair(snap, info, view, rows)
        st.caption("Keys: ← previous · → next · " + " · ".join(
            f"{o.shortcut} {o.describe('login')}" for o in OUTCOMES.values())
            + ". Type a login in Who, press Tab, then 2 or 3.")
    links(snap, info, view)
    outcomes_live(snap.id, info.id, view.player, view.players)


# --- the next meeting -----------------------------------------------------------------------------------


def with_earlier(meeting: Meeting, meeting_key: str, as_of: datetime) -> tuple[Meeting, str]:
    """The live ranking's meeting with the outcomes of meetings held before `as_of`, and a cache key
    that changes when they do."""
    applied = carryover.with_outcomes(meeting, loaders.earlier_outcomes(settings.db_url(), as_of))
    if applied is meeting:
        return meeting, meeting_key
    held = {o.meeting for history in applied.outcomes.values() for o in history}
    st.sidebar.caption(f"Outcomes of {len(held)} earlier meeting{'s' if len(held) > 1 else ''} feed this ranking "
                       f"({len(applied.outcomes)} items; criterion “Earlier outcomes”).")
    digest = hashlib.sha256(repr(sorted(applied.outcomes.items())).encode()).hexdigest()[:16]
    return applied, f"{meeting_key}|outcomes:{digest}"


def followup(older: Snapshot, newer: Snapshot) -> None:
    """On Compare: each item's last outcome at the older snapshot's meetings, and what GitHub showed since."""
    meetings = store()
    held = meetings.for_snapshot(older.id)
    records = [r for info in held for r in meetings.history(info.id)]
    if not records:
        return
    table = carryover.followup(records, older.as_of, older.rows, newer.meeting.facts.by_key(), newer.as_of)
    st.subheader(f"Decided at the meeting on {older.as_of:%Y-%m-%d}, and what happened since")
    st.dataframe(table.drop(columns=["url"]), hide_index=True, key="compare_outcomes",
                 column_config={"since": st.column_config.TextColumn("Since on GitHub", width="large")})
