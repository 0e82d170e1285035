"""Agenda: minutes in (pasted, uploaded, or a file on GitHub), references out, then fetch and rank."""

import pandas as pd
import streamlit as st

from triage.markup import inline as md
from triage.ui import agenda_input, live, loaders, ranking_view, session, sources

st.title("Agenda")
live.sidebar()  # the token field: a token typed here (or on another page) is the one this page fetches with
mode = st.radio("Minutes from", ["Paste or upload", "A file on GitHub", "The demo's minutes"],
                horizontal=True, key="agenda_source")

url = filename = None
if mode == "Paste or upload":
    text, name, filename = agenda_input.show()
elif mode == "A file on GitHub":
    url = st.text_input("Link to the minutes file", key="minutes_url", value=session.view().url or "",
                        placeholder="https://github.com/OWNER/REPO/blob/main/meetings/2023-12-14.md")
    if st.button("Read the file", key="read_url") and url:
        st.session_state["url_minutes"] = (url, sources.read_url(url))
    read_url, text = st.session_state.get("url_minutes", (None, None))
    text = text if read_url == url else None
    name = url or "the file"
else:
    text, name = loaders.demo_minutes(), "the demo's minutes (Falco 2023-12-14)"

if text is None:
    st.stop()

default_repo, default_org = agenda_input.defaults()
refs = agenda_input.read(text, default_repo, default_org)
if refs is None:  # a malformed default repository or organisation: said above
    st.stop()
if not refs:
    st.info(f"No GitHub pull requests, issues or discussions found in {md(name)}.")
    st.stop()

st.success(f"{len(refs)} references found in {md(name)}.")
ranking_view.show_frame(
    pd.DataFrame({
        "Item": [r.ref for r in refs],
        "Kind": [r.kind or "?" for r in refs],
        "Lines": [", ".join(map(str, r.lines)) for r in refs],
        "Section": [" / ".join(r.section) for r in refs],
        "Flags": [", ".join(r.flags) for r in refs],
        "Under": [" > ".join(r.parents) for r in refs],
        "Agenda bullet": [r.bullet or "" for r in refs],
    }),
    key="agenda_refs",
)
if st.button("Fetch from GitHub and rank", type="primary", key="fetch"):
    kind = "url" if url else "minutes"
    if sources.fetch_and_use(name, refs, kind, url, text, filename):
        st.page_link("app_pages/ranking.py", label="See the ranking", icon=":material/leaderboard:")
