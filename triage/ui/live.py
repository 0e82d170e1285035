"""Live GitHub in the app: the token, the client settings, and fetching an agenda with progress.

The token comes from the sidebar's password field, else the server's own (`GITHUB_TOKEN` in
Streamlit secrets or the environment) when `[access] server_token` lets this visitor use it. It
stays in this process: it is never put in a link, a snapshot, a
cache key or a message.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from triage import settings
from triage.access import public_items
from triage.agenda import AgendaRef
from triage.facts import People
from triage.github.agenda_fetch import fetch_items
from triage.github.cache import ItemCache
from triage.github.config import FetchResult, GitHubConfig, RateInfo
from triage.github.errors import GitHubError
from triage.markup import inline as md
from triage.meeting import Meeting, fetched_meeting
from triage.ui import identity

_RATE = "github_rate"


def _secret_token() -> str | None:
    try:
        value = st.secrets.get("GITHUB_TOKEN")
    except (StreamlitSecretNotFoundError, FileNotFoundError):  # no secrets.toml at all
        return None
    return str(value).strip() or None if value else None


_TYPED = "typed_github_token"  # the sidebar's token, under a key that outlives the field (issue 12, D2)


def _keep_typed() -> None:
    st.session_state[_TYPED] = str(st.session_state.get("github_token") or "").strip()


def server_token() -> str | None:
    """The server's own token: `GITHUB_TOKEN` in Streamlit secrets, else in the environment."""
    return _secret_token() or settings.github_token_from_env()


def _server_token_use() -> str | None:
    """How the server's token serves this visitor: "all" (signed in, or the server allows anyone),
    "public" (public repositories only), or None (not at all: they bring their own)."""
    rules = identity.policy()
    if rules.server_token == "anyone" or identity.signed_in():
        return "all"
    return "public" if rules.server_token == "public" else None


def token() -> str | None:
    """The token in force: the one typed in the sidebar (this session's, on every page), else the
    server's when `[access] server_token` lets this visitor use it (`triage.access`)."""
    typed = str(st.session_state.get(_TYPED) or "")
    if typed:
        return typed
    return server_token() if _server_token_use() else None


def public_only() -> bool:
    """Fetches for this visitor keep public repositories only (the server's token, `public` mode)."""
    return not st.session_state.get(_TYPED) and _server_token_use() == "public" and server_token() is not None


def github_config() -> GitHubConfig:
    """Client settings: `$GITHUB_API_URL` (GitHub Enterprise, the fake), the bounds of a run
    (`$TRIAGE_DEADLINE` and the others of `GitHubConfig.from_env`) and the token in force."""
    try:
        return GitHubConfig.from_env(token=token())
    except settings.SettingsError as e:  # a server setting: said, never a traceback
        raise GitHubError(f"{e} (a setting of this server)") from None


def sidebar() -> None:
    """The token field and the rate limit left, at the bottom of the sidebar (on every page that fetches)."""
    if st.session_state.get(_TYPED) and not st.session_state.get("github_token"):
        st.session_state["github_token"] = st.session_state[_TYPED]  # the field was dropped on another page
    use = _server_token_use() if server_token() else None
    fallback = {"all": "the server's token is used", "public": "the server's token is used for public "
                "repositories only", None: "requests go without a token (public data, 60 an hour)"}[use]
    with st.sidebar.expander("GitHub", expanded=False):
        st.text_input("Token", type="password", key="github_token", on_change=_keep_typed,
                      help=f"Used for this session only; never saved, shared or shown. Without one, {fallback}.")
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
    if public_only():  # the server's token read them: private repositories stay out (issue 12)
        result = replace(result, items=tuple(public_items(result.items)))
    bar.empty()
    if result.rate is not None:
        st.session_state[_RATE] = result.rate
    now = datetime.now(UTC).replace(microsecond=0)
    people = People(by_repo=result.maintainers)
    return fetched_meeting(name, refs, result.items, now, minutes, filename, people), result
