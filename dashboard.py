"""triage: the router. Page config, the link's view, navigation; each page is in app_pages/.

The pages live in `app_pages/`, not `pages/`: Streamlit runs a folder called `pages/` next to the
entrypoint as a legacy multipage app until some session has called `st.navigation`, so a shared
link to /compare opened first on a fresh server skipped this router (and crashed).
"""

import streamlit as st

from triage.ui import identity, session

st.set_page_config(page_title="triage", page_icon=":material/low_priority:", layout="wide")
identity.gate()  # with sign-in on ([auth] in secrets.toml), only allowed, signed-in users go on
session.init_weights()
session.show_config_problem()
in_meeting = session.view().meeting is not None  # `/?snapshot=ID&meeting=1` opens meeting mode

page = st.navigation([
    st.Page("app_pages/ranking.py", title="Ranking", icon=":material/leaderboard:", default=not in_meeting),
    st.Page("app_pages/agenda.py", title="Agenda", icon=":material/description:", url_path="agenda"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("app_pages/criteria.py", title="Criteria", icon=":material/rule:", url_path="criteria"),
    st.Page("app_pages/scan.py", title="Scan", icon=":material/travel_explore:", url_path="scan"),
    st.Page("app_pages/meeting.py", title="Meeting", icon=":material/groups:", url_path="meeting",
            default=in_meeting),
])
page.run()
