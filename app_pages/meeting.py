"""Meeting: walk a frozen ranking item by item and record outcomes (`/?snapshot=ID&meeting=1`)."""

import streamlit as st

from triage.ui import meeting_panel, session, snapshot_panel

view = session.view()
session.show_link_problems()
frozen = snapshot_panel.load(view.snapshot) if view.snapshot else None
if frozen is None:
    st.title("Meeting")
    st.info("A meeting runs on a frozen ranking: open a snapshot link (or save one on the Ranking page) and "
            "press **Run the meeting**.")
    st.stop()

meeting = meeting_panel.resolve(frozen, view)
if meeting is not None:
    meeting_panel.show(frozen, meeting, view)
