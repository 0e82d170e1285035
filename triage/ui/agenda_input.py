"""The minutes input: a paste box and an uploader, validated, owning their session keys."""

from __future__ import annotations

import streamlit as st

from triage.agenda import AgendaInputError, read_minutes
from triage.markup import inline as md


def show() -> tuple[str | None, str]:
    """Draw the inputs; return the minutes text (None when there is none or it is unusable) and
    a name for it. Bad input gets a message, never a traceback."""
    pasted = st.text_area("Minutes (markdown)", key="minutes_text", height=200,
                          placeholder="- https://github.com/owner/repo/pull/123 needs review …")
    upload = st.file_uploader("…or upload a minutes file", type=["md", "markdown", "txt"], key="minutes_file")
    raw, name = (upload.getvalue(), upload.name) if upload is not None else (pasted.encode("utf-8"), "the pasted text")
    if not raw.strip():
        return None, name
    try:
        return read_minutes(raw, name), name
    except AgendaInputError as e:
        st.error(md(e))
        return None, name


def defaults() -> tuple[str, str]:
    """Default repository and organisation for `#N` and `repo#N` shorthand."""
    left, right = st.columns(2)
    repo = left.text_input("Default repository for #N", key="default_repo", placeholder="owner/repo").strip()
    org = right.text_input("Default organisation for repo#N", key="default_org", placeholder="owner").strip()
    return repo, org
