"""triage: the router. Page config, the link's view, navigation; each page is in pages/."""

import streamlit as st

from triage.ui import session

st.set_page_config(page_title="triage", page_icon=":material/low_priority:", layout="wide")
session.init_weights()

page = st.navigation([
    st.Page("pages/ranking.py", title="Ranking", icon=":material/leaderboard:", default=True),
    st.Page("pages/agenda.py", title="Agenda", icon=":material/description:", url_path="agenda"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/criteria.py", title="Criteria", icon=":material/rule:", url_path="criteria"),
    st.Page("pages/scan.py", title="Scan", icon=":material/travel_explore:", url_path="scan"),
])
page.run()
