"""Who is using the app: the optional sign-in (Streamlit's `st.login`, OpenID Connect), the
allowed e-mails and domains, and the identity that owns private snapshots.

Sign-in is on when `.streamlit/secrets.toml` has an `[auth]` section (Streamlit's own settings:
redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url); `[access]` then names
who may use the app (`triage.access`). Everything else follows from `viewer()`.
"""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from triage.access import AccessError, Policy, Viewer, email_identity, policy_from, token_identity
from triage.markup import inline as md

_LOG = logging.getLogger(__name__)


def _secret(name: str) -> object:
    try:
        return st.secrets.get(name)
    except (StreamlitSecretNotFoundError, FileNotFoundError):  # no secrets.toml at all
        return None


def _table(name: str) -> dict[str, object] | None:
    raw = _secret(name)
    return raw.to_dict() if hasattr(raw, "to_dict") else raw if isinstance(raw, dict) else None


def policy() -> Policy:
    """The server's access rules; a misconfiguration stops the app with a sentence (nobody gets in)."""
    try:
        return policy_from(_table("access"), login=_table("auth") is not None,
                           server_token=os.environ.get("TRIAGE_SERVER_TOKEN") or None)
    except AccessError as e:
        st.error(f"{md(e)}. The server's administrator must fix `.streamlit/secrets.toml`.")
        st.stop()
        raise  # st.stop() raises; this line is for the type checker


def _email() -> tuple[str | None, bool | None]:
    if not st.user.get("is_logged_in"):
        return None, None
    email = st.user.get("email")
    verified = st.user.get("email_verified")
    return (str(email) if email else None), (verified if isinstance(verified, bool) else None)


def gate() -> None:
    """With sign-in on, only signed-in users with an allowed e-mail get past this point."""
    rules = policy()
    if not rules.login:
        return
    email, verified = _email()
    if email is None and not st.user.get("is_logged_in"):
        st.title("triage")
        st.info("This triage server is for its team: sign in to continue.")
        st.button("Sign in", key="sign_in", type="primary", on_click=st.login)
        st.stop()
    if not rules.allows(email, verified):
        _LOG.warning("Refused a signed-in account that is not allowed: %s", email)
        st.title("triage")
        st.error(f"You are signed in as {md(email or 'an account without an e-mail address')}, which may not use "
                 "this server. Ask its administrator to add you, or sign in with another account.")
        st.button("Sign out", key="sign_out", on_click=st.logout)
        st.stop()
    st.sidebar.caption(f"Signed in as {md(email)}")
    st.sidebar.button("Sign out", key="sign_out", on_click=st.logout)


def signed_in() -> bool:
    """A signed-in, allowed user is using the app (never true with sign-in off)."""
    rules = policy()
    email, verified = _email() if rules.login else (None, None)
    return rules.login and rules.allows(email, verified)


def viewer(token: str | None) -> Viewer:
    """Who is looking: the signed-in user, else the visitor known by the GitHub token in force."""
    if signed_in():
        email, _ = _email()
        assert email is not None
        return Viewer(email_identity(email), signed_in=True)
    return Viewer(token_identity(token) if token else None)
