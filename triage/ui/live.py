"""Live GitHub in the app: the token, the client settings, and fetching an agenda with progress.

The token comes from the sidebar's password field, `GITHUB_TOKEN` in Streamlit secrets, or the
environment, in that order. It stays in this process: it is never put in a link, a snapshot, a
cache key or a message.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from triage import settings
from triage.agenda import AgendaRef
from triage.facts import People
from triage.github.agenda_fetch import fetch_items
from triage.github.cache import ItemCache
from triage.github.config import FetchResult, GitHubConfig, RateInfo
from triage.markup import inline as md
from triage.meeting import Meeting, fetched_meeting

_RATE = "github_rate"


def _secret_token() -> str | None:
    try:
        value = st.secrets.get("GITHUB_TOKEN")
    except (StreamlitSecretNotFoundError, FileNotFoundError):  # no secrets.toml at all
        return None
    return str(value).strip() or None if value else None


def token() -> str | None:
    """The token in force: typed in the sidebar, else Streamlit secrets, else `$GITHUB_TOKEN`."""
    typed = str(st.session_state.get("github_token") or "").strip()
    return typed or _secret_token() or settings.github_token_from_env()


def github_config() -> GitHubConfig:
    """Client settings: `$GITHUB_API_URL` (GitHub Enterprise, the fake) and the token in force."""
    return GitHubConfig(api_url=settings.github_api_url(), token=token())


def sidebar() -> None:
    """The token field and the rate limit left, at the bottom of the sidebar."""
    with st.sidebar.expander("GitHub", expanded=False):
        st.text_input("Token", type="password", key="github_token",
                      help="Used for this session only; never saved, shared or shown. "
                           "Without one, GITHUB_TOKEN from secrets or the environment is used.")
        st.caption(f"API: {md(settings.github_api_url())}")
        rate: RateInfo | None = st.session_state.get(_RATE)
        st.caption(str(rate) if rate else "Rate limit: nothing fetched yet in this session.")


def fetch_meeting(
    name: str, refs: list[AgendaRef], minutes: str = "", filename: str | None = None
) -> tuple[Meeting, FetchResult]:
    """Fetch the facts of `refs` with a progress bar; every item comes back, fetched or with a status.
    The meeting is titled and dated as its `minutes` (and their `filename`) say."""
    bar = st.progress(0.0, text=f"Fetching {len(refs)} items from GitHub…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Fetched {done} of {total} items")

    result = fetch_items([r.key for r in refs], github_config(), kinds={r.key: r.kind for r in refs},
                         cache=ItemCache(), progress=progress)
    bar.empty()
    if result.rate is not None:
        st.session_state[_RATE] = result.rate
    now = datetime.now(UTC).replace(microsecond=0)
    people = People(by_repo=result.maintainers)
    return fetched_meeting(name, refs, result.items, now, minutes, filename, people), result
