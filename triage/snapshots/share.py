"""Share links: the app's address (its base URL) and the link that reopens a snapshot in it.

The base URL is the one setting a link needs: `--base-url` or the app's own address when given,
else `$TRIAGE_BASE_URL`, else the local address `make run` serves on. Meeting links
(`triage.links.meeting_link`) are built on the same base.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "http://localhost:8501"  # `make run`'s address; TRIAGE_BASE_URL (or PORT) overrides it


def default_base_url() -> str:
    """The app's address for snapshot links: `$TRIAGE_BASE_URL`, else http://localhost:$PORT (the
    port `make run PORT=...` serves on; 8501 by default)."""
    port = os.environ.get("PORT", "").strip()
    local = f"http://localhost:{port}" if port.isdigit() else DEFAULT_BASE_URL
    return check_base_url(os.environ.get("TRIAGE_BASE_URL") or local)


def check_base_url(url: str) -> str:
    """`url` without a trailing slash; ValueError unless it is an http(s) address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"Base URL {url!r} is not an http(s) address such as {DEFAULT_BASE_URL}")
    return url.strip().rstrip("/")


def share_link(snapshot_id: str, base_url: str | None = None) -> str:
    """The address that reopens a snapshot in the app: `<base-url>/?snapshot=<id>`."""
    base = check_base_url(base_url) if base_url else default_base_url()
    return f"{base}/?snapshot={snapshot_id}"
