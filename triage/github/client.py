"""The PyGithub client triage uses, and one run's session over it: requests counted, rate limits
noted, failures collected, the cache guarded.

`github_client` builds PyGithub with the waits chosen in `GitHubConfig` (TECH-NOTES §0: capped
retries, no hour-long sleeps). A `Session` is what the agenda fetch, the probe, the scan and the
doctor share for one run: every request goes through it, so the count in `FetchResult.requests`
and the rate limit shown to users come from one place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait
from github.Requester import Requester

from triage.github.answers import RateLimitBody
from triage.github.cache import CacheError, ItemCache
from triage.github.config import GitHubConfig, RateInfo
from triage.github.errors import GitHubError, header

_log = logging.getLogger(__name__)


class _CappedRetry(GithubRetry):
    """GithubRetry that reports a `Retry-After` longer than `max_rate_limit_wait` instead of sleeping it.

    urllib3 honours Retry-After on 403/429 with no upper bound, so a secondary limit asking for an
    hour would freeze the app for an hour; GithubRetry caps only the waits it computes itself.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Any:
        if response is not None and response.status in (403, 429) and self.max_rate_limit_wait is not None:
            try:
                retry_after = self.get_retry_after(response)
            except Exception:  # an unparseable Retry-After: let urllib3 and GithubRetry decide
                retry_after = None
            if retry_after is not None and retry_after > self.max_rate_limit_wait:
                try:
                    content: Any = json.loads(self.get_content(response, url or ""))
                except ValueError:
                    content = None
                raise RateLimitExceededExceedsMaxWait(
                    response.status, content, dict(response.headers), wait=retry_after
                )
        return super().increment(method, url, response, error, _pool, _stacktrace)


def github_client(config: GitHubConfig) -> Github:
    """A PyGithub client with the waits chosen in `config` (lazy: objects cost nothing until read)."""
    retry = _CappedRetry(
        total=config.retries,
        backoff_factor=config.backoff_factor,
        secondary_rate_wait=config.secondary_wait,
        max_rate_limit_wait=config.max_wait,
    )
    return Github(
        auth=Auth.Token(config.token) if config.token else None,
        base_url=config.api_url.rstrip("/"),
        timeout=config.timeout,
        per_page=100,
        seconds_between_requests=config.seconds_between_requests,
        # PyGithub spaces "writes" (any POST) 1 s apart by default; our POSTs are GraphQL *queries*,
        # reads that GitHub's one-second advice for content-creating requests does not cover.
        seconds_between_writes=config.seconds_between_requests,
        retry=retry,
        lazy=True,
    )


def rate_from_headers(headers: Mapping[str, Any]) -> RateInfo | None:
    """The rate limit the `X-RateLimit-*` headers report, if they are all there."""
    remaining, limit, reset = (header(headers, f"x-ratelimit-{n}") for n in ("remaining", "limit", "reset"))
    if not (remaining and limit and reset and remaining.isdigit() and limit.isdigit() and reset.isdigit()):
        return None
    resource = header(headers, "x-ratelimit-resource") or "core"
    return RateInfo(int(remaining), int(limit), datetime.fromtimestamp(int(reset), UTC), resource)


def observed_at(headers: Mapping[str, Any]) -> datetime:
    """The server's clock (the `Date` header) when present: it is the clock `updated_at` uses."""
    date = header(headers, "date")
    if date:
        try:
            return parsedate_to_datetime(date).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC).replace(microsecond=0)


class Session:
    """One run against GitHub: the client, the requests it made, the last rate limit, the failures."""

    def __init__(self, config: GitHubConfig, cache: ItemCache | None = None) -> None:
        self.config = config
        self.cache = cache
        self.requests = 0
        self.rate: RateInfo | None = None
        self.errors: list[str] = []  # sentences, each once
        self.stopped: GitHubError | None = None  # set when every further request would fail the same way
        self._gh: Github | None = None
        self._redirects: dict[str, str | None] = {}

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def gh(self) -> Github:
        """The PyGithub client, built on first use."""
        if self._gh is None:
            self._gh = github_client(self.config)
        return self._gh

    def close(self) -> None:
        """Close the client's connections."""
        if self._gh is not None:
            self._gh.close()

    def note(self, headers: Mapping[str, Any]) -> None:
        """Keep the rate limit a response reported."""
        self.rate = rate_from_headers(headers) or self.rate

    def note_body_rate(self, headers: Mapping[str, Any], rate: RateLimitBody | None) -> None:
        """GraphQL's own `rateLimit` answer, for servers that send no rate headers (e.g. GHES)."""
        if rate is not None and rate_from_headers(headers) is None:
            self.rate = RateInfo(rate.remaining, rate.limit, rate.reset, "graphql")

    def error(self, err: GitHubError) -> None:
        """Report `err` once; an error that stops the run stops it."""
        if str(err) not in self.errors:
            self.errors.append(str(err))
        if err.stops_run and self.stopped is None:
            self.stopped = err

    def cached(self, use: Callable[[ItemCache], Any], default: Any) -> Any:
        """Run `use` on the cache; a broken cache file is reported once and then left alone."""
        if self.cache is None:
            return default
        try:
            return use(self.cache)
        except CacheError as e:
            self.errors.append(f"{e}; fetched without the cache")
            self.cache = None
            return default

    # -- requests --

    def graphql(self, text: str, variables: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]:
        """POST one GraphQL document; (headers, body) with `errors` left for the caller to read.

        Sent through `requestJsonAndCheck`, not `graphql_query`, which throws away partial data
        (TECH-NOTES §2.6).
        """
        self.requests += 1
        requester = self.gh.requester
        headers, body = requester.requestJsonAndCheck(
            "POST", requester.graphql_url, input={"query": text, "variables": dict(variables)}
        )
        self.note(headers)
        return headers, body

    def conditional_get(
        self, path: str, parameters: Mapping[str, Any], etag: str | None
    ) -> tuple[str | None, Any] | None:
        """A GET with `If-None-Match`: None on 304, else (ETag, JSON body); an error status raises."""
        self.requests += 1
        status, headers, body = self.gh.requester.requestJson(
            "GET", path, parameters=dict(parameters), headers={"If-None-Match": etag} if etag else None
        )
        self.note(headers)
        if status == 304:
            return None
        data = json.loads(body) if body else None
        if status >= 400:
            raise Requester.createException(status, headers, data if isinstance(data, dict) else {})
        return header(headers, "etag"), data

    def redirect_of(self, repo: str) -> str | None:
        """GitHub's current name for a repo GraphQL could not resolve, when REST says it moved."""
        if repo not in self._redirects:
            self.requests += 1
            target: str | None = None
            try:
                # PyGithub follows the 301 of a renamed or transferred repository by itself.
                _, data = self.gh.requester.requestJsonAndCheck("GET", f"/repos/{repo}")
                name = data.get("full_name") if isinstance(data, Mapping) else None
                if isinstance(name, str) and name.lower() != repo.lower():
                    target = name
            except (GithubException, requests.RequestException) as e:
                _log.debug("REST check of %s failed: %s", repo, type(e).__name__)
            self._redirects[repo] = target
        return self._redirects[repo]
