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
        when = moment(reset)
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


class DeadlineError(GitHubError):
    """The run's overall deadline passed; what was read before it is kept."""

    stops_run = True

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"GitHub took longer than the {seconds:g} s allowed for one fetch or scan (TRIAGE_DEADLINE), so "
            "triage stopped asking; what was read before is kept",
            f"not fetched: the {seconds:g} s deadline passed",
        )


class BudgetSpentError(GitHubError):
    """The run spent the requests or GraphQL points it may spend; what was read before is kept."""

    stops_run = True

    def __init__(self, amount: int, unit: str, setting: str) -> None:
        super().__init__(
            f"This fetch or scan reached its budget of {amount:,} {unit} to GitHub ({setting}), so triage "
            "stopped asking; what was read before is kept",
            f"not fetched: the budget of {amount:,} {unit} was spent",
        )


class ResponseTooLargeError(GitHubError):
    """An answer was larger than the bound on one answer; it was not read."""

    def __init__(self, what: str, limit_mb: float) -> None:
        super().__init__(
            f"GitHub's answer to {what} was larger than {limit_mb:g} MB once decompressed "
            "(TRIAGE_MAX_RESPONSE_MB), so it was not read",
            f"not fetched: GitHub's answer was over {limit_mb:g} MB",
        )


class RedirectRefusedError(GitHubError):
    """GitHub answered with a redirect triage does not follow (another host, a loop, too many)."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"GitHub redirected {what} {why}, which triage does not follow",
                         "not fetched: a redirect triage does not follow")


def header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    """A response header by lower-case name, whatever its case in `headers`."""
    if not headers:
        return None
    for k, v in headers.items():
        if k.lower() == name:
            return str(v)
    return None


def moment(when: datetime) -> str:
    """"14:05 UTC" today, "2057-09-09 01:46 UTC" on any other day: a reset read as today's time
    when it is years away misleads (issue 12: a Retry-After of 10^9 s showed as "after 18:50 UTC")."""
    today = datetime.now(UTC).date()
    return f"{when:%H:%M} UTC" if when.date() == today else f"{when:%Y-%m-%d %H:%M} UTC"


def epoch(value: str | None) -> datetime | None:
    """An `X-RateLimit-Reset`-style epoch in seconds, or None when it is not one a date can hold."""
    if not value or not value.isdigit() or len(value) > 12:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def later(now: datetime, seconds: float) -> datetime:
    """`now` plus `seconds`, or the last moment a date can hold when that is beyond it."""
    try:
        return now + timedelta(seconds=seconds)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def reset_time(headers: Mapping[str, Any] | None, wait: float | None = None) -> datetime:
    """When a rate limit lifts: X-RateLimit-Reset, else Retry-After, else `wait`, else a minute."""
    now = datetime.now(UTC).replace(microsecond=0)
    reset = epoch(header(headers, "x-ratelimit-reset"))
    remaining = header(headers, "x-ratelimit-remaining")
    if reset is not None and remaining == "0":
        return reset
    retry_after = header(headers, "retry-after")
    if retry_after and retry_after.isdigit():
        return later(now, min(int(retry_after[:15]), 10**14))
    if wait is not None:
        return later(now, wait)
    return now + NO_RESET_WAIT


