"""How triage talks to GitHub (API root, token, waits and limits) and what a fetch reports back.

Plain values, no PyGithub: the app, the command line and the rest of `triage.github` share them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from triage import settings
from triage.facts import ItemFacts
from triage.github.errors import moment
from triage.github.queries import CHUNK_SIZE, MAX_CHUNK_SIZE

DEFAULT_TIMEOUT = 15  # seconds per request (PyGithub's default); GitHub itself stops queries at 10 s
# Rides out GitHub's brief 5xx blips; a dead endpoint fails in seconds, not after PyGithub's 10 tries.
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5  # urllib3 then waits 0, 1 and 2 s between the retries
DEFAULT_SECONDARY_WAIT = 60.0  # GitHub: with no Retry-After, wait at least a minute after a secondary limit
DEFAULT_MAX_WAIT = 30.0  # longest rate-limit pause we sit through; a longer one is reported with its time
# No fixed pause (PyGithub's default is 0.25 s before every request, and 1 s before every POST):
# GitHub asks for a pause between requests that create content, and triage only reads. Its
# documented secondary limits are kept by the shape of a run instead: one request in flight at a
# time (GitHub allows 100), so at most 60 s of GitHub's time per minute, and a few dozen queries at
# 1 point each against 2,000 per minute; when a limit comes anyway, its Retry-After is waited out
# (up to `max_wait`) by `triage.github.client`'s retry.
DEFAULT_SECONDS_BETWEEN_REQUESTS: float | None = None
DEFAULT_FRESH_FOR = timedelta(0)  # by default every run asks GitHub; a 304 costs no rate limit
DEFAULT_MAX_AGE = timedelta(hours=1)  # CI status and mergeability change without moving updated_at

# Bounds on the work one fetch or scan may cause, whatever it is given (issue 12). Each is stated in a
# sentence when hit, and what was read before is kept. `from_env` reads them from the environment.
# A server that answers one byte at a time defeats the per-read timeout: the deadline cuts the run.
DEFAULT_DEADLINE = 120  # seconds for a whole fetch or scan ($TRIAGE_DEADLINE)
# A 1,000-item agenda takes 20 queries and about 280 points; 10,000 open PRs take about 100 queries
# and 400 points. The budget leaves room for that and keeps most of a token's hourly 5,000 points.
DEFAULT_MAX_REQUESTS = 300  # requests to GitHub per fetch or scan ($TRIAGE_MAX_REQUESTS)
DEFAULT_MAX_POINTS = 1_500  # GraphQL rate-limit points per fetch or scan ($TRIAGE_MAX_POINTS)
# The largest answers (a chunk of 50 items, a scan page of 100 PRs, with their timelines) are a few
# MB; a compressed answer is bounded after decompression (a 1 MB gzip once grew to 3 GB).
DEFAULT_MAX_RESPONSE_MB = 25  # decompressed MB per answer ($TRIAGE_MAX_RESPONSE_MB)
DEFAULT_MAX_REDIRECTS = 3  # 301s followed per request, within the API's own host ($TRIAGE_MAX_REDIRECTS)
LIMIT_SETTINGS = {  # GitHubConfig field -> (environment variable, default, unit)
    "deadline": ("TRIAGE_DEADLINE", DEFAULT_DEADLINE, "seconds"),
    "max_requests": ("TRIAGE_MAX_REQUESTS", DEFAULT_MAX_REQUESTS, "requests"),
    "max_points": ("TRIAGE_MAX_POINTS", DEFAULT_MAX_POINTS, "points"),
    "max_response_mb": ("TRIAGE_MAX_RESPONSE_MB", DEFAULT_MAX_RESPONSE_MB, "MB"),
    "max_redirects": ("TRIAGE_MAX_REDIRECTS", DEFAULT_MAX_REDIRECTS, "redirects"),
}

Progress = Callable[[int, int], None]  # (items done, items in total), for the app's progress bar


@dataclass(frozen=True, repr=False)
class GitHubConfig:
    """Where GitHub is, the token, and the waits and limits chosen for it."""

    api_url: str = settings.DEFAULT_API_URL
    token: str | None = None  # shown as *** by repr(); part of equality, so caches never mix tokens
    timeout: int = DEFAULT_TIMEOUT  # seconds; PyGithub asserts an int
    retries: int = DEFAULT_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF
    secondary_wait: float = DEFAULT_SECONDARY_WAIT
    max_wait: float = DEFAULT_MAX_WAIT
    seconds_between_requests: float | None = DEFAULT_SECONDS_BETWEEN_REQUESTS
    chunk_size: int = CHUNK_SIZE
    fresh_for: timedelta = DEFAULT_FRESH_FOR  # cached facts this young are served without asking
    max_age: timedelta = DEFAULT_MAX_AGE  # cached facts this old are fetched again
    deadline: float = DEFAULT_DEADLINE  # seconds for one whole fetch or scan
    max_requests: int = DEFAULT_MAX_REQUESTS  # per fetch or scan
    max_points: int = DEFAULT_MAX_POINTS  # GraphQL points per fetch or scan
    max_response_mb: float = DEFAULT_MAX_RESPONSE_MB  # one answer, decompressed
    max_redirects: int = DEFAULT_MAX_REDIRECTS  # per request, same host only

    def __post_init__(self) -> None:
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"GitHub API URL {self.api_url!r} is not an http(s) URL such as {settings.DEFAULT_API_URL}"
            )
        if not isinstance(self.timeout, int) or self.timeout < 1:
            raise ValueError(f"timeout {self.timeout!r} must be a whole number of seconds, at least 1")
        if not 1 <= self.chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size {self.chunk_size!r} must be between 1 and {MAX_CHUNK_SIZE}")
        if self.retries < 0:
            raise ValueError(f"retries {self.retries!r} must not be negative")
        for name in ("deadline", "max_requests", "max_points", "max_response_mb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} {getattr(self, name)!r} must be above 0")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects {self.max_redirects!r} must not be negative")

    def __repr__(self) -> str:
        token = "***" if self.token else None
        return (
            f"GitHubConfig(api_url={self.api_url!r}, token={token!r}, timeout={self.timeout}, "
            f"retries={self.retries}, max_wait={self.max_wait}, chunk_size={self.chunk_size})"
        )

    __str__ = __repr__

    @classmethod
    def from_env(cls, **overrides: Any) -> GitHubConfig:
        """`$GITHUB_API_URL`, `$GITHUB_TOKEN` and the bounds of `LIMIT_SETTINGS` (see `triage.settings`),
        with keyword overrides."""
        values: dict[str, Any] = {
            "api_url": settings.github_api_url(),
            "token": settings.github_token_from_env(),
            **{name: settings.whole_number(env, default, unit)
               for name, (env, default, unit) in LIMIT_SETTINGS.items()},
        }
        values.update(overrides)
        return cls(**values)

    @property
    def scope(self) -> str:
        """The cache scope: the API root without a trailing slash (never the token)."""
        return self.api_url.rstrip("/").lower()

    @property
    def max_response_bytes(self) -> int:
        """`max_response_mb` in bytes."""
        return int(self.max_response_mb * 1_000_000)

    @property
    def host(self) -> str:
        """`host[:port]` of the API, for messages."""
        return urlsplit(self.api_url).netloc


@dataclass(frozen=True)
class RateInfo:
    """The rate limit as the last response reported it."""

    remaining: int
    limit: int
    reset: datetime
    resource: str  # core, graphql, search

    def __str__(self) -> str:
        unit = "points" if self.resource == "graphql" else "requests"
        left = f"{self.remaining:,} of {self.limit:,} {self.resource} {unit} left"
        return f"{left}; resets at {moment(self.reset)}"


@dataclass(frozen=True)
class FetchResult:
    """One `ItemFacts` per requested key (same order), and what the run cost."""

    items: tuple[ItemFacts, ...]
    rate: RateInfo | None  # None when no request was made
    requests: int  # requests triage issued (urllib3's retries of one request are not counted)
    errors: tuple[str, ...]  # sentences about failures that hit more than one item
    from_cache: int = 0  # items served from the cache
    # lower-cased "owner/name" -> maintainers named by its OWNERS, MAINTAINERS or CODEOWNERS file
    # (`People.by_repo`); repositories without such a file are absent
    maintainers: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed (items GitHub does not show are not failures)."""
        return not self.errors and all(i.status in ("ok", "not_found", "moved") for i in self.items)


