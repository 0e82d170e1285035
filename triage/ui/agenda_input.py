"""The minutes input: a paste box and an uploader, validated, owning their session keys."""

from __future__ import annotations

import streamlit as st

from triage import settings
from triage.agenda import MAX_MINUTES_BYTES, MAX_REFS, AgendaInputError, AgendaRef, read_agenda, read_minutes
from triage.markup import inline as md


def show() -> tuple[str | None, str, str | None]:
    """Draw the inputs; return the minutes text (None when there is none or it is unusable), a name
    for it and its file name (None for pasted text). Bad input gets a message, never a traceback."""
    pasted = st.text_area("Minutes (markdown)", key="minutes_text", height=200,
                          placeholder="- https://github.com/owner/repo/pull/123 needs review …")
    # The uploader states the reader's limit (Streamlit's default says 200 MB, which the reader refuses);
    # its megabytes are 2**20 bytes, so the reader's own sentence still answers a file just over 2,000,000.
    upload = st.file_uploader("…or upload a minutes file", type=["md", "markdown", "txt"], key="minutes_file",
                              max_upload_size=-(-MAX_MINUTES_BYTES // 2**20))
    if upload is None:
        if not pasted.strip():  # nothing typed yet: nothing to say
            return None, "the pasted text", None
        raw, name, filename = pasted.encode("utf-8"), "the pasted text", None
    else:
        raw, name, filename = upload.getvalue(), upload.name, upload.name
    try:
        return read_minutes(raw, name), name, filename
    except AgendaInputError as e:
        st.error(md(e))
        return None, name, filename


def read(text: str, default_repo: str = "", default_org: str = "") -> list[AgendaRef] | None:
    """The references in `text`, up to the limit per agenda (`TRIAGE_MAX_REFS`), which is stated when
    hit; None, with a message, when a default or the limit is malformed."""
    try:
        reading = read_agenda(text, default_repo or None, default_org or None, settings.max_refs(MAX_REFS))
    except (AgendaInputError, settings.SettingsError) as e:
        st.error(md(e))
        return None
    if reading.limit_note:
        st.warning(md(reading.limit_note))
    return reading.refs


def defaults() -> tuple[str, str]:
    """Default repository and organisation for `#N` and `repo#N` shorthand."""
    left, right = st.columns(2)
    repo = left.text_input("Default repository for #N", key="default_repo", placeholder="owner/repo").strip()
    org = right.text_input("Default organisation for repo#N", key="default_org", placeholder="owner").strip()
    return repo, org
