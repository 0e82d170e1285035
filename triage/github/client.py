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
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededExceedsMaxWait
from github.Requester import Requester

from triage.github import transport
from triage.github.answers import RateLimitBody
from triage.github.cache import CacheError, ItemCache
from triage.github.config import GitHubConfig, RateInfo
from triage.github.errors import BudgetSpentError, GitHubError, epoch, header

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

# PyGithub gives its "github" logger a stderr handler of its own at INFO, so its retry notes ("Request
# GET /search/issues?... failed with 403: Forbidden", "Retrying after 1 seconds") were printed raw
# beside triage's sentences (issue 12). Its records go to the application's logging instead: the
# server's log in the app, nothing on the command line unless logging is set up to show them.
_pygithub_log = logging.getLogger("github")
for _handler in list(_pygithub_log.handlers):
    if type(_handler) is logging.StreamHandler:
        _pygithub_log.removeHandler(_handler)
_pygithub_log.setLevel(logging.NOTSET)


class _CappedRetry(GithubRetry):
    """GithubRetry that reports a `Retry-After` longer than `max_rate_limit_wait` instead of sleeping it,
    and retries nothing once the run's deadline has passed (nor waits past it).

    urllib3 honours Retry-After on 403/429 with no upper bound, so a secondary limit asking for an
    hour would freeze the app for an hour; GithubRetry caps only the waits it computes itself.
    """

    def __init__(self, guard: transport.Guard | None = None, **kwargs: Any) -> None:
        self.guard = guard
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> Any:
        kw.setdefault("guard", self.guard)  # urllib3 copies the policy on every retry
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Any:
        if self.guard is not None:
            self.guard.check()  # past the deadline: no retry, and no sleep before one
            if self.max_rate_limit_wait is not None:
                self.max_rate_limit_wait = min(self.max_rate_limit_wait, max(self.guard.remaining(), 0.0))
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


def github_client(config: GitHubConfig, guard: transport.Guard | None = None) -> Github:
    """A PyGithub client with the waits chosen in `config` (lazy: objects cost nothing until read),
    and, with a `guard`, the bounds of `triage.github.transport` beneath it."""
    retry = _CappedRetry(
        guard=guard,
        total=config.retries,
        backoff_factor=config.backoff_factor,
        secondary_rate_wait=config.secondary_wait,
        max_rate_limit_wait=config.max_wait,
    )
    gh = Github(
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
    if guard is not None:
        connection = _connection(gh)
        transport.install(connection.session, guard, retry, connection.pool_size)
    return gh


def _connection(gh: Github) -> Any:
    """PyGithub's connection object of `gh` (it holds the `requests.Session` every request goes
    through). PyGithub offers no public way to it, so its private factory is called: it returns the
    client's one persistent connection, creating it if need be (PyGithub 2.x, pinned below 3)."""
    return getattr(gh.requester, "_Requester__createConnection")()  # noqa: B009 (a name-mangled private)


def rate_from_headers(headers: Mapping[str, Any]) -> RateInfo | None:
    """The rate limit the `X-RateLimit-*` headers report, if they are all there."""
    remaining, limit = (header(headers, f"x-ratelimit-{n}") for n in ("remaining", "limit"))
    reset = epoch(header(headers, "x-ratelimit-reset"))
    if not (remaining and limit and reset and remaining.isdigit() and limit.isdigit()):
        return None
    resource = header(headers, "x-ratelimit-resource") or "core"
    return RateInfo(int(remaining), int(limit), reset, resource)


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
    """One run against GitHub: the client, the requests it made, the last rate limit, the failures,
    and the bounds of the run (`GitHubConfig`'s deadline, request and point budgets, answer size and
    redirects: a run past one stops with its sentence and keeps what it read)."""

    def __init__(self, config: GitHubConfig, cache: ItemCache | None = None) -> None:
        self.config = config
        self.cache = cache
        self.requests = 0
        self.points = 0  # GraphQL rate-limit points spent, as GitHub reports them (1 when it does not)
        self.rate: RateInfo | None = None
        self.errors: list[str] = []  # sentences, each once
        self.stopped: GitHubError | None = None  # set when every further request would fail the same way
        # The login GitHub named as the token's owner in this run (`viewer`), lower-cased; None until then.
        self.identity: str | None = None
        self.guard = transport.Guard(config.api_url, config.deadline, config.max_response_bytes, config.max_redirects)
        self._gh: Github | None = None
        self._redirects: dict[str, str | None] = {}
        self.refused: dict[str, GitHubError] = {}  # repo -> why its REST look-up got no answer (`redirect_of`)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def gh(self) -> Github:
        """The PyGithub client, built on first use, with the run's guard beneath it."""
        if self._gh is None:
            self._gh = github_client(self.config, self.guard)
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

    def _spend(self, graphql: bool) -> None:
        """Count one more request, or raise BudgetSpentError when the run may send no more."""
        if self.requests >= self.config.max_requests:
            raise BudgetSpentError(self.config.max_requests, "requests", "TRIAGE_MAX_REQUESTS")
        if graphql and self.points >= self.config.max_points:
            raise BudgetSpentError(self.config.max_points, "GraphQL points", "TRIAGE_MAX_POINTS")
        self.requests += 1

    def _send(self, send: Callable[[], _T]) -> _T:
        """Run one PyGithub call within the run's deadline, through the guarded transport."""
        transport.ensure(_connection(self.gh).session, self.guard)  # a connection PyGithub made anew too
        with self.guard.request():
            return send()

    def graphql(self, text: str, variables: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]:
        """POST one GraphQL document; (headers, body) with `errors` left for the caller to read.

        Sent through `requestJsonAndCheck`, not `graphql_query`, which throws away partial data
        (TECH-NOTES §2.6). The points GitHub says it charged count against the run's budget, and a
        `viewer { login }` in the answer names the run's identity.
        """
        self._spend(graphql=True)
        requester = self.gh.requester
        headers, body = self._send(lambda: requester.requestJsonAndCheck(
            "POST", requester.graphql_url, input={"query": text, "variables": dict(variables)}
        ))
        self.note(headers)
        data = body.get("data") if isinstance(body, Mapping) else None
        data = data if isinstance(data, Mapping) else {}
        cost = _mapping(data.get("rateLimit")).get("cost")
        self.points += cost if isinstance(cost, int) and cost >= 0 else 1
        login = _mapping(data.get("viewer")).get("login")
        if isinstance(login, str) and login:
            self.identity = login.lower()
        return headers, body

    def request_json(
        self, path: str, parameters: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Mapping[str, Any], str]:
        """One GET: (status, headers, body text); an error status does not raise."""
        self._spend(graphql=False)
        status, answer_headers, body = self._send(lambda: self.gh.requester.requestJson(
            "GET", path, parameters=dict(parameters or {}), headers=dict(headers) if headers else None
        ))
        self.note(answer_headers)
        return status, answer_headers, body

    def get_json(self, path: str, parameters: Mapping[str, Any] | None = None) -> Any:
        """One GET of a JSON document; an error status raises PyGithub's exception for it."""
        status, headers, body = self.request_json(path, parameters)
        data = json.loads(body) if body else None
        if status >= 400:
            raise Requester.createException(status, dict(headers), data if isinstance(data, dict) else {})
        return data

    def conditional_get(
        self, path: str, parameters: Mapping[str, Any], etag: str | None
    ) -> tuple[str | None, Any] | None:
        """A GET with `If-None-Match`: None on 304, else (ETag, JSON body); an error status raises."""
        status, headers, body = self.request_json(path, parameters, {"If-None-Match": etag} if etag else None)
        if status == 304:
            return None
        data = json.loads(body) if body else None
        if status >= 400:
            raise Requester.createException(status, dict(headers), data if isinstance(data, dict) else {})
        return header(headers, "etag"), data

    def redirect_of(self, repo: str) -> str | None:
        """GitHub's current name for a repo GraphQL could not resolve, when REST says it moved."""
        if repo not in self._redirects:
            target: str | None = None
            try:
                # PyGithub follows the 301 of a renamed or transferred repository by itself (within the
                # bounds of `transport`: same host, a few hops).
                data = self.get_json(f"/repos/{repo}")
                name = data.get("full_name") if isinstance(data, Mapping) else None
                if isinstance(name, str) and name.lower() != repo.lower():
                    target = name
            except GitHubError as e:  # a bound of the run, or a redirect refused: said once, and kept
                self.error(e)
                self.refused[repo] = e
            except (GithubException, requests.RequestException, ValueError) as e:
                _log.debug("REST check of %s failed: %s", repo, type(e).__name__)
            self._redirects[repo] = target
        return self._redirects[repo]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
