"""GitHub failures as typed exceptions whose message is the sentence users see.

`triage.github.faults` maps PyGithub's and requests' exceptions onto these in one place; per-item statuses
("not found or private", "moved to o/new", "rate limited until 14:05 UTC") come from the same
objects (`GitHubError.detail`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from triage.facts import FetchStatus

NO_RESET_WAIT = timedelta(minutes=1)  # GitHub: without reset headers, wait at least a minute


class GitHubError(Exception):
    """A GitHub request failed; `str()` is the sentence shown to users."""

    status: ClassVar[FetchStatus] = "error"
    stops_run: ClassVar[bool] = False  # every further request would fail the same way

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail or message  # the short form shown next to one item


class BadCredentialsError(GitHubError):
    """GitHub rejected the token."""

    stops_run = True


class GitHubUnreachableError(GitHubError):
    """No connection to the GitHub API could be made."""

    stops_run = True


class GitHubTimeoutError(GitHubError):
    """GitHub did not answer in time."""


class RateLimitedError(GitHubError):
    """A GitHub rate limit is exhausted until `reset`."""

    status = "rate_limited"
    stops_run = True

    def __init__(self, reset: datetime, *, secondary: bool = False) -> None:
        self.reset = reset
        when = f"{reset:%H:%M} UTC"
        if secondary:
            message = f"GitHub's secondary rate limit was reached; try again after {when}"
        else:
            message = f"GitHub rate limit reached; resets at {when}"
        super().__init__(message, f"rate limited until {when}")


class NotFoundError(GitHubError):
    """GitHub does not show the thing: deleted, private to the token, or mistyped."""

    status = "not_found"


class MovedError(GitHubError):
    """The repository now lives under another name."""

    status = "moved"

    def __init__(self, repo: str, to: str) -> None:
        self.to = to
        super().__init__(f"{repo} moved to {to}", f"moved to {to}")


class ForbiddenError(GitHubError):
    """GitHub refused access (SAML enforcement, missing scope, blocked)."""

    status = "forbidden"


class GitHubFailedError(GitHubError):
    """GitHub answered with a server error or something that is not a valid answer."""


class UnsupportedURLError(GitHubError, ValueError):
    """A link that `fetch_file_text` cannot read: the message quotes it and says what is expected."""


def header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    """A response header by lower-case name, whatever its case in `headers`."""
    if not headers:
        return None
    for k, v in headers.items():
        if k.lower() == name:
            return str(v)
    return None


def reset_time(headers: Mapping[str, Any] | None, wait: float | None = None) -> datetime:
    """When a rate limit lifts: X-RateLimit-Reset, else Retry-After, else `wait`, else a minute."""
    now = datetime.now(UTC).replace(microsecond=0)
    reset = header(headers, "x-ratelimit-reset")
    remaining = header(headers, "x-ratelimit-remaining")
    if reset and reset.isdigit() and remaining == "0":
        return datetime.fromtimestamp(int(reset), UTC)
    retry_after = header(headers, "retry-after")
    if retry_after and retry_after.isdigit():
        return now + timedelta(seconds=int(retry_after))
    if wait is not None:
        return now + timedelta(seconds=wait)
    return now + NO_RESET_WAIT


