"""Settings read from the environment, in one place, failing fast with a sentence."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from platformdirs import user_data_dir

DEFAULT_API_URL = "https://api.github.com"


class SettingsError(ValueError):
    """An environment setting has a value triage cannot use."""


def triage_home() -> Path:
    """Where triage keeps its cache and snapshot store: `$TRIAGE_HOME`, else the user's data dir."""
    home = os.environ.get("TRIAGE_HOME") or user_data_dir("triage", appauthor=False)
    path = Path(home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def github_api_url() -> str:
    """The GitHub API root: `$GITHUB_API_URL` (GitHub Enterprise, the fake server) or api.github.com."""
    url = (os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"GITHUB_API_URL {url!r} is not an http(s) URL such as {DEFAULT_API_URL}")
    return url


def github_token_from_env() -> str | None:
    """`$GITHUB_TOKEN`, or None when it is unset or blank."""
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    return token or None


def db_url() -> str:
    """The snapshot store: `$TRIAGE_DB_URL` (any SQLAlchemy URL), else SQLite under `triage_home()`."""
    return os.environ.get("TRIAGE_DB_URL") or f"sqlite:///{triage_home() / 'triage.db'}"


def whole_number(name: str, default: int, unit: str) -> int:
    """`$name` as a whole number of `unit` (at least 1), else `default`; a SettingsError with a
    sentence when it is something else."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 10**9:
        raise SettingsError(f"{name} {raw[:40]!r} is not a whole number of {unit} of at least 1, such as {default}")
    return int(raw)


def max_refs(default: int) -> int:
    """`$TRIAGE_MAX_REFS`: the most items one agenda may name, else `default` (bounds the work a paste
    can cause: every item is fetched from GitHub)."""
    return whole_number("TRIAGE_MAX_REFS", default, "items")
