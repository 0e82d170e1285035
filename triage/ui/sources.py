"""Where a live meeting comes from: a GitHub file link, and the fetch that turns refs into facts."""

from __future__ import annotations

import hashlib
import secrets

import streamlit as st

from triage import outcome
from triage.agenda import AgendaRef, read_minutes
from triage.github.errors import GitHubError
from triage.github.file_links import fetch_file_text
from triage.markup import inline as md
from triage.ui import live, session


def read_url(url: str) -> str | None:
    """The minutes at a GitHub file link (github.com or raw GitHub hosts only), or None with a message."""
    try:
        text = fetch_file_text(url.strip(), live.github_config())
        return read_minutes(text.encode("utf-8"), url.strip())
    except (GitHubError, ValueError) as e:
        st.error(md(e))
        return None


def fetch_and_use(
    name: str, refs: list[AgendaRef], kind: str, url: str | None = None, minutes: str = "",
    filename: str | None = None,
) -> bool:
    """Fetch `refs` from GitHub (progress bar), rank them from now on, and report per-item failures."""
    try:
        meeting, result = live.fetch_meeting(name, refs, minutes, filename or url)
    except GitHubError as e:  # a failure before any item could be fetched (e.g. the cache is unusable)
        st.error(md(e))
        return False
    for error in result.errors:
        st.error(md(error))
    if not outcome.usable(result.items):
        # Issue 11: offline, every item scored alike, in alphabetical order, and could be saved as
        # a snapshot of the meeting. Nothing read is nothing to rank: the ranking stays as it was.
        was = session.live()
        st.error("Nothing could be fetched from GitHub, so there is no ranking of these minutes to show or save; "
                 f"the Ranking page still shows {md(was.meeting.title) if was else 'the demo'}.")
        return False
    key = hashlib.sha256("|".join([kind, url or name, *(r.ref for r in refs)]).encode()).hexdigest()[:16]
    # Which fetch this was, too: caches are shared by every session, and another session fetching the
    # same refs in the same second with another token may have read other facts (issue 12).
    read = secrets.token_hex(8)
    session.set_live(session.LiveSource(meeting, kind, url, f"{key}:{meeting.as_of.isoformat()}#{read}"))
    failed = [i for i in result.items if i.status != "ok"]
    fetched = len(result.items) - len(failed)
    if failed:
        # Facts kept from an earlier run are listed with why they were not refreshed, never counted as
        # fetched (issue 12: a 401 sat beside "Fetched all 2 items").
        st.warning(
            f"Fetched {fetched} of {len(result.items)} items; the others are ranked with what is known:\n\n"
            + "\n".join(f"- {md(i.ref)}: {md(i.status_detail or i.status)}" for i in failed)
        )
    else:
        st.success(f"Fetched all {fetched} items ({result.requests} requests, {result.from_cache} from the cache).")
    return True
