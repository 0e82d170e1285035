"""Sidebar: what is being ranked, a way back to the demo, and reopening a `source=url` link."""

from __future__ import annotations

import streamlit as st

from triage.demo import DEMOS
from triage.markup import inline as md
from triage.ui import agenda_input, moment, session, sources


def _back_to_demo() -> None:
    session.set_live(None)


def reopen_from_link() -> None:
    """A link that says source=url is reopened by reading and fetching that file again (once)."""
    view = session.view()
    if view.source != "url" or not view.url or session.live() or st.session_state.get("link_reopened"):
        return
    st.session_state["link_reopened"] = True
    text = sources.read_url(view.url)
    refs = agenda_input.read(text) if text is not None else None
    if text is not None and refs is not None:
        sources.fetch_and_use(view.url, refs, "url", view.url, text)


def _demo_title(name: str) -> str:
    return DEMOS[name].title


def _pick_demo() -> None:
    st.session_state[session.DEMO] = st.session_state["demo_pick"]
    moment.forget()  # the other meeting is judged as of its own day


def show() -> None:
    """The source line, the demo picker and the back-to-demo button."""
    live = session.live()
    if live is None:
        current = session.demo_name()
        st.session_state["demo_pick"] = current  # re-seeded: a widget key is dropped on pages without it
        st.sidebar.selectbox("Demo meeting", list(DEMOS), key="demo_pick", on_change=_pick_demo,
                             format_func=_demo_title,
                             help="Two real Falco core maintainers' meetings, ranked as of their own day")
        st.sidebar.caption(f"Source: the embedded demo ({DEMOS[current].title}). Open **Agenda** to rank your own.")
    else:
        fetched = live.meeting.facts.observed_at or live.meeting.as_of
        st.sidebar.caption(f"Source: {md(live.meeting.title)} (fetched {fetched:%Y-%m-%d %H:%M} UTC)")
        st.sidebar.button("Back to the demo", on_click=_back_to_demo, key="back_to_demo")
