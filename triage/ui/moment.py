"""Sidebar: the moment to judge at ("as of"), seeded from the link, defaulting to the meeting's."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from triage.facts import parse_when
from triage.meeting import Meeting

_KEY = "as_of_date"


def show(meeting: Meeting, from_link: str | None) -> datetime:
    """A date picker; returns the end of the chosen day (UTC), or the meeting's own moment."""
    default = meeting.as_of.date()
    if _KEY not in st.session_state:
        linked = parse_when(from_link) if from_link else None  # validated by links.parse_view
        st.session_state[_KEY] = linked.date() if linked else default
    picked: date = st.sidebar.date_input(
        "As of", key=_KEY, help="Judge every item as it stood at the end of this day (UTC); "
        "activity after it is ignored. Default: the meeting's day.")
    if picked == default:
        return meeting.as_of
    moment = parse_when(picked, end_of_day=True)
    assert moment is not None
    return moment


def link_value(meeting: Meeting, as_of: datetime) -> str | None:
    """The `as_of` link parameter: the day, unless it is the meeting's own."""
    return None if as_of == meeting.as_of else f"{as_of:%Y-%m-%d}"


def forget() -> None:
    """Drop the picked day: the next run starts again from the link's day or the meeting's own."""
    st.session_state.pop(_KEY, None)
