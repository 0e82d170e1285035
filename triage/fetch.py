"""Fetch the agenda's items from GitHub through PyGithub: batched, cached, and every fault a sentence.

The only module in `triage/` that imports PyGithub. It takes item keys and returns plain
`ItemFacts`, so nothing downstream can issue a request (STYLE: "fetch once, at one boundary").

How a run spends requests:

* **Cold:** the items travel in aliased GraphQL queries, `CHUNK_SIZE` items per query across
  repositories (`triage.graphql_queries`), sent with `requester.requestJsonAndCheck` so one missing
  item does not throw away the rest of the answer (TECH-NOTES §2.6). With a cache, one *probe* per
  group of repositories then records a baseline: a search for the group's items updated since the
  facts were read, whose ETag is kept.
* **Warm:** each probe is repeated with `If-None-Match`. A 304 means nothing in those repositories
  changed, costs no rate limit, and every cached item is served as is; a 200 lists exactly which
  items changed since the baseline, and only those are fetched again. The 16 items of the demo
  agenda take 2 requests cold (one query, one probe: the four Falco repositories share one probe)
  and 1 request, 0 points, warm. A probe per repository (the obvious design) would cost 5 cold.
* **Limits of the probe:** search sees changes that touch an item's `updated_at` once GitHub's
  search index has them (usually seconds). CI status and mergeability change without touching
  `updated_at`, so facts older than `max_age` are fetched again whatever the probe says; search
  does not cover discussions, so they are fetched again every run outside `fresh_for`.

Moved repositories: GitHub's GraphQL follows renames and transfers (`repository(followRenames:)`
defaults to true), so such items come back with their facts and the status "moved to owner/new".
Only a repository GraphQL cannot resolve at all costs one REST `GET /repos/o/r`, whose 301 (which
PyGithub follows) tells "moved" from "not found or private" on servers that do not follow renames.

Failures become typed `GitHubError`s with a user-facing sentence in one place (`_failure`,
`_graphql_failure`); per-item statuses come from the same objects. Nothing fetched is lost when
a later request fails: each item carries its facts or the sentence saying why it has none, and
the cache keeps what was read.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
    UnknownObjectException,
)
from github.Requester import Requester
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError

from triage.facts import ItemFacts, ItemKey, Kind
from triage.file_links import parse_file_url
from triage.github_config import (
    FetchResult,
    GitHubConfig,
    Progress,
    RateInfo,
)
from triage.github_errors import (
    BadCredentialsError,
    ForbiddenError,
    GitHubError,
    GitHubFailedError,
    GitHubTimeoutError,
    GitHubUnreachableError,
    MovedError,
    NotFoundError,
    RateLimitedError,
    UnsupportedURLError,
    header,
    reset_time,
)
from triage.graphql_queries import (
    ChunkAnswer,
    GraphQLError,
    RateLimitBody,
    build_items_query,
    parse_items_answer,
)
from triage.http_cache import CachedItem, CacheError, ItemCache, Probe
from triage.scan_queries import (
    MAX_ALIASES,
    MIN_PAGE_SIZE,
    REPO_RE,
    Discovery,
    Planner,
    RepoScan,
    ScanKind,
    ScanTarget,
    org_query,
    parse_org_answer,
    parse_page_answer,
    parse_repos_answer,
    repos_query,
)

_log = logging.getLogger(__name__)

MAX_CONSECUTIVE_FAILED_CHUNKS = 2  # then GitHub is down for us; stop instead of timing out 20 more times

PROBE_PAGE = 100  # one page of changed items per probe; more than that and the whole group is refetched
SEARCH_QUERY_LIMIT = 256  # GitHub rejects longer search queries
# The probe's baseline sits this far before the facts were read: it absorbs whole-second clocks and
# the few seconds GitHub's search index lags behind, at the price of listing a few unchanged items.
PROBE_MARGIN = timedelta(minutes=2)

MAX_FILE_BYTES = 1_000_000  # minutes files are a few KB; GitHub's contents API stops inlining at 1 MB
_RETRY_STATUS = re.compile(r"too many (\d{3}) error responses")



# --- failures: the one place where they become sentences --------------------------------------------


def _is_secondary(message: str | None, headers: Mapping[str, Any] | None) -> bool:
    return Requester.isSecondaryRateLimitError(message or "") or (
        header(headers, "retry-after") is not None and header(headers, "x-ratelimit-remaining") != "0"
    )


def _github_message(data: Any) -> str | None:
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])
    return None


def _not_found(subject: str, hidden: str = "private") -> NotFoundError:
    """GitHub does not show `subject`: deleted, mistyped, or hidden from the token."""
    sentence = f"GitHub does not show {subject}: it does not exist, or it is {hidden}"
    return NotFoundError(sentence, "not found or private")


def _failure(exc: BaseException, config: GitHubConfig, subject: str = "the items") -> GitHubError | None:
    """The typed, user-facing error for anything a GitHub request raised; None for our own bugs."""
    if isinstance(exc, GitHubError):
        return exc
    if isinstance(exc, RateLimitExceededException):
        message = _github_message(exc.data)
        wait = exc.wait if isinstance(exc, RateLimitExceededExceedsMaxWait) else None
        return RateLimitedError(reset_time(exc.headers, wait), secondary=_is_secondary(message, exc.headers))
    if isinstance(exc, BadCredentialsException):
        return BadCredentialsError(
            "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN or the token in the sidebar",
            "not fetched: GitHub rejected the token",
        )
    if isinstance(exc, UnknownObjectException):
        return _not_found(subject)
    if isinstance(exc, GithubException):
        return _status_failure(exc.status, _github_message(exc.data), exc.headers, config, subject)
    if isinstance(exc, requests.exceptions.RetryError):
        cause = exc.args[0] if exc.args else None
        reason = getattr(cause, "reason", None)
        match = _RETRY_STATUS.search(str(reason))
        code = int(match[1]) if match else 0
        if code in (403, 429):  # a secondary limit that outlasted every retry
            return RateLimitedError(reset_time(None), secondary=True)
        return _server_failure(code, config)
    if isinstance(exc, requests.exceptions.Timeout) or _caused_by_timeout(exc):
        attempts = f" ({config.retries + 1} attempts)" if config.retries else ""
        return GitHubTimeoutError(
            f"GitHub did not answer within {config.timeout} s{attempts}; try again later",
            "not fetched: GitHub timed out",
        )
    if isinstance(exc, requests.RequestException):
        return GitHubUnreachableError(
            f"GitHub could not be reached at {config.host}: check the network connection or GITHUB_API_URL",
            "not fetched: GitHub unreachable",
        )
    if isinstance(exc, ValueError):  # JSON that does not parse, or a MalformedResponseError
        _log.info("unreadable answer from GitHub: %s", exc)
        return GitHubFailedError(
            "GitHub sent a response triage could not read; try again later",
            "not fetched: unreadable answer from GitHub",
        )
    return None


def _caused_by_timeout(exc: BaseException) -> bool:
    # requests wraps a read timeout that exhausted the retries in a ConnectionError around a
    # MaxRetryError; only its `reason` tells a slow server from a refused connection. urllib3 still
    # derives NewConnectionError (refused, DNS) from ConnectTimeoutError for compatibility.
    for arg in exc.args:
        if isinstance(arg, MaxRetryError) and not isinstance(arg.reason, NewConnectionError):
            return isinstance(arg.reason, ReadTimeoutError | ConnectTimeoutError)
    return False


def _server_failure(code: int, config: GitHubConfig) -> GitHubFailedError:
    phrase = f"{code} {HTTPStatus(code).phrase}" if code in HTTPStatus._value2member_map_ else f"HTTP {code}"
    tries = f" after {config.retries} retries" if config.retries else ""
    return GitHubFailedError(
        f"GitHub kept failing ({phrase}){tries}; try again later", f"not fetched: GitHub failed ({code})"
    )


def _status_failure(
    status: int, message: str | None, headers: Mapping[str, Any] | None, config: GitHubConfig, subject: str
) -> GitHubError:
    if status == 401:
        return BadCredentialsError(
            f"GitHub refused the request (401 {message or 'Unauthorized'}): "
            "check GITHUB_TOKEN or the token in the sidebar",
            "not fetched: GitHub rejected the token",
        )
    if status in (403, 429) and (Requester.isRateLimitError(message or "") or status == 429):
        return RateLimitedError(
            reset_time(headers), secondary=_is_secondary(message, headers) or status == 429
        )
    if status == 403:
        return ForbiddenError(
            f"GitHub refused access to {subject}: {message or 'Forbidden'}", f"access refused: {message}"
        )
    if status == 404:
        return _not_found(subject)
    if status >= 500:
        return _server_failure(status, config)
    return GitHubFailedError(
        f"GitHub refused the request ({status}: {message or 'no message'})", f"not fetched ({status})"
    )


def _graphql_failure(
    err: GraphQLError, key: ItemKey | None, headers: Mapping[str, Any] | None
) -> GitHubError:
    """The typed error for one GraphQL `errors` entry."""
    kind = (err.type or "").upper()
    if kind in ("RATE_LIMITED", "RATE_LIMIT") or Requester.isPrimaryRateLimitError(err.message):
        return RateLimitedError(reset_time(headers))
    if kind == "NOT_FOUND":
        return _not_found(key.ref if key else "the item")
    if kind == "FORBIDDEN":
        return ForbiddenError(
            f"GitHub refused access to {key.ref if key else 'the items'}: {err.message}",
            f"access refused: {err.message}",
        )
    where = f" for {key.ref}" if key else ""
    return GitHubFailedError(f"GitHub could not answer{where}: {err.message}", f"not fetched: {err.message}")


# --- the client ---------------------------------------------------------------------------------------


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


def _rate_from_headers(headers: Mapping[str, Any]) -> RateInfo | None:
    remaining, limit, reset = (header(headers, f"x-ratelimit-{n}") for n in ("remaining", "limit", "reset"))
    if not (remaining and limit and reset and remaining.isdigit() and limit.isdigit() and reset.isdigit()):
        return None
    resource = header(headers, "x-ratelimit-resource") or "core"
    return RateInfo(int(remaining), int(limit), datetime.fromtimestamp(int(reset), UTC), resource)


def _observed_at(headers: Mapping[str, Any]) -> datetime:
    """The server's clock (the `Date` header) when present: it is the clock `updated_at` uses."""
    date = header(headers, "date")
    if date:
        try:
            return parsedate_to_datetime(date).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC).replace(microsecond=0)


# --- fetching items -------------------------------------------------------------------------------------


def _failed(key: ItemKey, kind: Kind | None, err: GitHubError, now: datetime) -> ItemFacts:
    return ItemFacts(key=key, kind=kind, status=err.status, status_detail=err.detail, observed_at=now)


def _stale(cached: CachedItem, err: GitHubError) -> ItemFacts:
    seen = cached.facts.observed_at
    when = f"{seen:%Y-%m-%d %H:%M} UTC" if seen else "earlier"
    return replace(cached.facts, note=f"not refreshed ({err.detail}); facts as observed {when}")


def _probe_groups(repos: Iterable[str]) -> list[tuple[str, ...]]:
    """Sorted repos packed into groups whose probe query stays inside GitHub's 256 characters."""
    groups: list[list[str]] = []
    room = SEARCH_QUERY_LIMIT - len(" updated:>=2000-01-01T00:00:00Z")
    used = room
    for repo in sorted(set(repos)):
        cost = len(f"repo:{repo} ")
        if used + cost > room:
            groups.append([])
            used = 0
        groups[-1].append(repo)
        used += cost
    return [tuple(g) for g in groups]


def _probe_query(repos: Sequence[str], baseline: datetime) -> str:
    return " ".join(f"repo:{r}" for r in repos) + f" updated:>={baseline:%Y-%m-%dT%H:%M:%SZ}"


class _Run:
    """One call of `fetch_items`: the client, what was learnt so far, and the request count."""

    def __init__(
        self, config: GitHubConfig, cache: ItemCache | None, progress: Progress | None, total: int
    ) -> None:
        self.config = config
        self.cache = cache
        self.progress = progress
        self.total = total
        self.results: dict[ItemKey, ItemFacts] = {}
        self.cached: dict[ItemKey, CachedItem] = {}
        self.requests = 0
        self.rate: RateInfo | None = None
        self.errors: list[str] = []
        self.stopped: GitHubError | None = None
        self.search_spent = False  # the search rate limit ran out: no more probes this run
        self.from_cache = 0
        self._gh: Github | None = None
        self._redirects: dict[str, str | None] = {}

    # -- plumbing --

    @property
    def gh(self) -> Github:
        if self._gh is None:
            self._gh = github_client(self.config)
        return self._gh

    def close(self) -> None:
        if self._gh is not None:
            self._gh.close()

    def _note(self, headers: Mapping[str, Any]) -> None:
        self.rate = _rate_from_headers(headers) or self.rate

    def note_body_rate(self, headers: Mapping[str, Any], rate: RateLimitBody | None) -> None:
        """GraphQL's own `rateLimit` answer, for servers that send no rate headers (e.g. GHES)."""
        if rate is not None and _rate_from_headers(headers) is None:
            self.rate = RateInfo(rate.remaining, rate.limit, rate.reset, "graphql")

    def _probe_failure(self, exc: Exception) -> GitHubError:
        """The error a probe search raised. Search has its own rate limit: a spent one stops the
        probes of this run (each would fail the same way), and says nothing about GraphQL's."""
        err = _failure(exc, self.config, "the change probe")
        if err is None:
            raise exc
        if isinstance(err, RateLimitedError):
            self.search_spent = True
        return err

    def _error(self, err: GitHubError) -> None:
        if str(err) not in self.errors:
            self.errors.append(str(err))
        if err.stops_run and self.stopped is None:
            self.stopped = err

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(len(self.results), self.total)

    def _fail(self, keys: Iterable[ItemKey], kinds: Mapping[ItemKey, Kind | None], err: GitHubError) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        for key in keys:
            cached = self.cached.get(key)
            self.results[key] = _stale(cached, err) if cached else _failed(key, kinds.get(key), err, now)

    def _cached(self, use: Callable[[ItemCache], Any], default: Any) -> Any:
        """Run `use` on the cache; a broken cache file is reported once and then left alone."""
        if self.cache is None:
            return default
        try:
            return use(self.cache)
        except CacheError as e:
            self.errors.append(f"{e}; fetched without the cache")
            self.cache = None
            return default

    def _get_probe(self, group: tuple[str, ...]) -> Probe | None:
        probe: Probe | None = self._cached(lambda c: c.get_probe(self.config.scope, group), None)
        return probe

    def _put_probe(self, probe: Probe) -> None:
        self._cached(lambda c: c.put_probe(self.config.scope, probe), None)

    def _serve(self, key: ItemKey) -> None:
        self.results[key] = self.cached[key].facts
        self.from_cache += 1

    # -- requests --

    def graphql(self, text: str, variables: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]:
        self.requests += 1
        requester = self.gh.requester
        headers, body = requester.requestJsonAndCheck(
            "POST", requester.graphql_url, input={"query": text, "variables": dict(variables)}
        )
        self._note(headers)
        return headers, body

    def search(self, query: str, etag: str | None) -> tuple[str | None, Any] | None:
        """A conditional issue search: None on 304, else (ETag, JSON body)."""
        self.requests += 1
        status, headers, body = self.gh.requester.requestJson(
            "GET",
            "/search/issues",
            parameters={"q": query, "sort": "updated", "order": "desc", "per_page": PROBE_PAGE},
            headers={"If-None-Match": etag} if etag else None,
        )
        self._note(headers)
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

    # -- steps --

    def plan(self, keys: Sequence[ItemKey]) -> tuple[list[ItemKey], dict[str, list[ItemKey]]]:
        """Serve what the cache can vouch for; return (to fetch, candidates per probe repo)."""
        now = datetime.now(UTC)
        to_fetch: list[ItemKey] = []
        candidates: dict[str, list[ItemKey]] = {}
        for key in keys:
            entry = self.cached.get(key)
            seen = entry.facts.observed_at if entry else None
            if entry is None or seen is None or now - seen > self.config.max_age:
                to_fetch.append(key)
            elif now - seen <= self.config.fresh_for or entry.probe_repo is None:
                self._serve(key)
            elif entry.facts.kind == "discussion":  # search, hence the probe, does not see discussions
                to_fetch.append(key)
            else:
                candidates.setdefault(entry.probe_repo, []).append(key)
        return to_fetch, candidates

    def validate(self, candidates: dict[str, list[ItemKey]], all_repos: Iterable[str]) -> list[ItemKey]:
        """Ask each probe what changed; serve the unchanged candidates, return the changed ones."""
        stale: list[ItemKey] = []
        for group in _probe_groups(all_repos):
            keys = [k for r in group for k in candidates.get(r, [])]
            if not keys:
                continue
            probe = self._get_probe(group)
            if self.stopped or self.search_spent or probe is None or not probe.complete:
                stale.extend(keys)
                continue
            # The probe vouches only for facts read after its baseline.
            before = [
                k for k in keys if (self.cached[k].facts.observed_at or probe.baseline) < probe.baseline
            ]
            stale.extend(before)
            keys = [k for k in keys if k not in before]
            if not keys:
                continue
            try:
                answer = self.search(_probe_query(group, probe.baseline), probe.etag)
                if answer is not None:  # 200: the list of changed items is new
                    probe = self._probe_from(group, probe.baseline, *answer)
                    self._put_probe(probe)
            except Exception as e:
                err = self._probe_failure(e)
                _log.info("change probe failed (%s); refetching %d items", err, len(keys))
                if err.stops_run and not isinstance(err, RateLimitedError):
                    self._error(err)
                stale.extend(keys)
                continue
            if not probe.complete:
                stale.extend(keys)
                continue
            changed = {(r, n): u for r, n, u in probe.seen}
            for key in keys:
                entry = self.cached[key]
                updated = changed.get((entry.probe_repo or "", key.number))
                known = entry.facts.updated_at
                if updated is not None and (known is None or updated > known):
                    stale.append(key)
                else:
                    self._serve(key)
        return stale

    def _probe_from(self, group: tuple[str, ...], baseline: datetime, etag: str | None, body: Any) -> Probe:
        if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
            raise GitHubFailedError(
                "GitHub's search answer has no item list", "not fetched: unreadable search answer"
            )
        seen: list[tuple[str, int, datetime]] = []
        for item in body["items"]:
            if not isinstance(item, Mapping):
                continue
            repo_url = str(item.get("repository_url") or "")
            repo = unquote(urlsplit(repo_url).path).split("/repos/", 1)[-1].lower()
            updated = _when(item.get("updated_at"))
            if isinstance(item.get("number"), int) and updated is not None:
                seen.append((repo, item["number"], updated))
        complete = not body.get("incomplete_results") and int(body.get("total_count") or 0) <= len(seen)
        return Probe(group, baseline, etag, tuple(seen), complete)

    def fetch(self, keys: Sequence[ItemKey], kinds: Mapping[ItemKey, Kind | None]) -> None:
        """Fetch `keys` in chunks through GraphQL, keeping every chunk's results whatever happens next."""
        ordered = sorted(keys, key=lambda k: (k.repo.lower(), k.number))
        size = self.config.chunk_size
        failures_in_a_row = 0
        for start in range(0, len(ordered), size):
            chunk = ordered[start : start + size]
            if self.stopped is not None:
                self._fail(chunk, kinds, self.stopped)
                self._tick()
                continue
            plan = build_items_query(chunk, kinds)
            try:
                headers, body = self.graphql(plan.text, plan.variables)
                answer = parse_items_answer(plan, body, _observed_at(headers))
            except Exception as e:
                err = _failure(e, self.config)
                if err is None:
                    raise
                failures_in_a_row += 1
                self._chunk_failed(chunk, kinds, err, failures_in_a_row)
                continue
            failures_in_a_row = 0
            self._take(chunk, kinds, answer, headers)
            self._tick()

    def _chunk_failed(
        self, chunk: Sequence[ItemKey], kinds: Mapping[ItemKey, Kind | None], err: GitHubError, in_a_row: int
    ) -> None:
        _log.info("GraphQL chunk of %d items failed: %s", len(chunk), err)
        self._error(err)
        if in_a_row >= MAX_CONSECUTIVE_FAILED_CHUNKS and self.stopped is None:
            self.stopped = err
        self._fail(chunk, kinds, err)
        self._tick()

    def _take(
        self,
        chunk: Sequence[ItemKey],
        kinds: Mapping[ItemKey, Kind | None],
        answer: ChunkAnswer,
        headers: Mapping[str, Any],
    ) -> None:
        now = _observed_at(headers)
        self.note_body_rate(headers, answer.rate)
        general = [_graphql_failure(e, None, headers) for e in answer.general_errors]
        limited = next((g for g in general if isinstance(g, RateLimitedError)), None)
        if limited is not None or (general and not answer.found and not answer.item_errors):
            err = limited or general[0]
            self._error(err)
            self._fail([k for k in chunk if k not in answer.found], kinds, err)
            if not answer.found:
                return
        stored: list[CachedItem] = []
        for key in chunk:
            if key in answer.found:
                facts = answer.found[key]
                canonical = answer.canonical_repo.get(key.repo, key.repo)
                if canonical.lower() != key.repo.lower():
                    moved = MovedError(key.repo, canonical)
                    facts = replace(facts, status=moved.status, status_detail=moved.detail)
                self.results[key] = facts
                stored.append(CachedItem(facts, canonical.lower()))
            elif key in answer.item_errors:
                error = answer.item_errors[key]
                err = _graphql_failure(error, key, headers)
                repo_missing = isinstance(err, NotFoundError) and len(error.path) <= 1
                if repo_missing and (target := self.redirect_of(key.repo)) is not None:
                    err = MovedError(key.repo, target)
                elif repo_missing:
                    err = NotFoundError(str(err), f"repository {key.repo} not found or private")
                facts = _failed(key, kinds.get(key), err, now)
                self.results[key] = facts
                if isinstance(err, NotFoundError | MovedError):
                    # Missing repos are not watched by a probe (search rejects them): their
                    # answer is kept until it is max_age old.
                    probe_repo = (
                        None if repo_missing else answer.canonical_repo.get(key.repo, key.repo).lower()
                    )
                    stored.append(CachedItem(facts, probe_repo))
                elif key in self.cached:
                    self.results[key] = _stale(self.cached[key], err)
            elif key not in self.results:
                self._fail([key], kinds, GitHubFailedError("GitHub's answer left out an item", "not fetched"))
        if stored:
            self._cached(lambda c: c.put_items(self.config.scope, stored), None)
        for entry in stored:
            self.cached[entry.facts.key] = entry

    def baseline(self, keys: Sequence[ItemKey]) -> None:
        """Record a probe for every repo group whose items have no valid one yet."""
        entries = [self.cached[k] for k in keys if k in self.cached and self.cached[k].probe_repo]
        by_repo: dict[str, list[CachedItem]] = {}
        for e in entries:
            by_repo.setdefault(e.probe_repo or "", []).append(e)
        for group in _probe_groups(by_repo):
            if self.stopped is not None or self.search_spent:
                return
            group_entries = [e for r in group for e in by_repo[r] if e.facts.kind != "discussion"]
            if not group_entries:
                continue
            oldest = min(e.facts.observed_at or datetime.now(UTC) for e in group_entries)
            probe = self._get_probe(group)
            if self.cache is None or (probe is not None and probe.complete and probe.baseline <= oldest):
                continue
            baseline = (oldest - PROBE_MARGIN).replace(microsecond=0)
            try:
                answer = self.search(_probe_query(group, baseline), None)
                assert answer is not None  # an unconditional request cannot answer 304
                probe = self._probe_from(group, baseline, *answer)
                self._put_probe(probe)
            except Exception as e:
                err = self._probe_failure(e)
                # Without a probe the next run simply fetches these items again.
                _log.info("could not record a change probe: %s", err)


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def fetch_items(
    keys: Sequence[ItemKey],
    config: GitHubConfig,
    *,
    kinds: Mapping[ItemKey, Kind | None] | None = None,
    cache: ItemCache | None = None,
    progress: Progress | None = None,
) -> FetchResult:
    """The facts of every item in `keys`, in the same order, one `ItemFacts` per key.

    `kinds` says which keys are discussions (the agenda knows from the URL); `cache` makes a second
    run cheap; `progress(done, total)` is called as items complete. GitHub failures never raise:
    each item carries its facts or a status with a sentence, and failures that hit several items
    are listed in `FetchResult.errors`.
    """
    kinds = dict(kinds or {})
    unique = list(dict.fromkeys(keys))
    run = _Run(config, cache, progress, len(unique))
    now = datetime.now(UTC).replace(microsecond=0)
    valid: list[ItemKey] = []
    for key in unique:
        if REPO_RE.match(key.repo) and key.number > 0:
            valid.append(key)
        else:
            err = GitHubError(f"{key.ref!r} is not a GitHub item", "not a valid owner/repo#number")
            run.results[key] = _failed(key, kinds.get(key), err, now)
    try:
        run.cached = run._cached(lambda c: c.get_items(config.scope, valid), {})
        to_fetch, candidates = run.plan(valid)
        run._tick()
        if candidates:
            # Repos of all requested items make the groups, so the same agenda always probes the
            # same groups and finds its stored ETags.
            repos = {
                run.cached[k].probe_repo or "" for k in valid if k in run.cached and run.cached[k].probe_repo
            }
            repos |= {k.repo.lower() for k in valid if k not in run.cached}
            to_fetch += run.validate(candidates, repos)
            run._tick()
        run.fetch(to_fetch, kinds)
        if run.cache is not None and to_fetch:
            run.baseline(valid)
    finally:
        run.close()
    return FetchResult(
        items=tuple(run.results[k] for k in keys),
        rate=run.rate,
        requests=run.requests,
        errors=tuple(run.errors),
        from_cache=run.from_cache,
    )


# --- reading a file from a GitHub link ---------------------------------------------------------------


def fetch_file_text(url: str, config: GitHubConfig) -> str:
    """The text of a minutes or agenda file named by a GitHub link, read through the contents API.

    Raises a `GitHubError` subclass with a sentence when the link is not a GitHub file link, the
    file is missing, too large, not text, or GitHub fails.
    """
    ref = parse_file_url(url, config)
    if not REPO_RE.match(ref.repo):
        raise UnsupportedURLError(f"{url!r} does not name a GitHub repository (read {ref.repo!r})")
    subject = f"{ref.path} in {ref.repo} at {ref.ref}"
    with github_client(config) as gh:
        try:
            content = gh.get_repo(ref.repo).get_contents(ref.path, ref=ref.ref)
            if isinstance(content, list):
                raise UnsupportedURLError(f"{url!r} is a folder, not a file")
            size = content.size
            encoding = content.encoding
            raw = content.decoded_content if encoding == "base64" and size <= MAX_FILE_BYTES else b""
        except Exception as e:
            err = _failure(e, config, subject)
            if err is None:
                raise
            raise err from None
    if size > MAX_FILE_BYTES or encoding != "base64":
        raise UnsupportedURLError(
            f"{subject} is {size:,} bytes; minutes files over {MAX_FILE_BYTES:,} bytes are refused"
        )
    if b"\0" in raw:
        raise UnsupportedURLError(f"{subject} is a binary file, not a markdown or text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedURLError(f"{subject} is not UTF-8 text") from None


# --- scanning repositories and organisations -----------------------------------------------------------

# A page that fails this many times in a row (after halving its size down to the minimum) means
# GitHub cannot serve the scan now; the items read so far are kept and the rest is reported.
MAX_FAILED_SCAN_PAGES = 3


@dataclass(frozen=True)
class ScanFetch:
    """The open items a scan read, how far it got in each repository, and what it cost."""

    target: ScanTarget
    items: tuple[ItemFacts, ...]
    repos: tuple[RepoScan, ...]  # one per repository and kind with open items
    errors: tuple[str, ...]  # sentences: repositories or pages that could not be read
    notes: tuple[str, ...]  # sentences that are not failures (renamed or archived repositories)
    rate: RateInfo | None
    requests: int  # GraphQL requests the scan issued
    observed_at: datetime

    @property
    def complete(self) -> bool:
        """True when nothing failed: no repository, organisation or page is missing."""
        return not self.errors


def _scan_failure(err: GraphQLError, headers: Mapping[str, Any] | None, what: str) -> GitHubError:
    """The typed error for a GraphQL error about a whole repository or organisation."""
    if (err.type or "").upper() == "NOT_FOUND":
        return _not_found(what, "private to the token")
    return _graphql_failure(err, None, headers)


def _looks_slow(err: GitHubError) -> bool:
    """GitHub ran out of time for the query (it gives up at 10 s): a smaller page may pass."""
    return isinstance(err, GitHubTimeoutError | GitHubFailedError)


class _Scan:
    """One call of `fetch_open_pulls`: discovery, then packed pages, keeping what each page read."""

    def __init__(self, run: _Run, target: ScanTarget, kinds: tuple[ScanKind, ...]) -> None:
        self.run = run
        self.target = target
        self.kinds = kinds
        self.planner = Planner()
        self.items: list[ItemFacts] = []
        self.notes: list[str] = []

    def tick(self) -> None:
        if self.run.progress is not None:
            self.run.progress(self.planner.fetched, self.planner.expected)

    def discover(self) -> None:
        """Fill the planner with every repository to read; failures become errors, never raise."""
        issues = "issue" in self.kinds
        answers: list[tuple[Discovery, Mapping[str, Any]]] = []
        subject = f"the organisation {self.target.org}" if self.target.org else "the repositories"
        try:
            if self.target.org is not None:
                after: str | None = None
                while True:
                    text, variables = org_query(self.target.org, after, issues)
                    headers, body = self.run.graphql(text, variables)
                    answer = parse_org_answer(body, self.target.org, issues)
                    answers.append((answer, headers))
                    if not answer.has_next or answer.cursor is None or answer.general or answer.missing:
                        break
                    after = answer.cursor
            else:
                repos = list(dict.fromkeys(self.target.repos))
                for start in range(0, len(repos), MAX_ALIASES):
                    batch = repos[start : start + MAX_ALIASES]
                    headers, body = self.run.graphql(*repos_query(batch, issues))
                    answers.append((parse_repos_answer(body, batch, issues), headers))
        except Exception as e:
            err = _failure(e, self.run.config, subject)
            if err is None:
                raise
            self.run._error(err)
            return
        archived = 0
        for answer, headers in answers:
            self.run.note_body_rate(headers, answer.rate)
            for name, error in answer.missing.items():
                what = f"the organisation {name}" if self.target.org else f"the repository {name}"
                self.run._error(_scan_failure(error, headers, what))
            for error in answer.general:
                self.run._error(_scan_failure(error, headers, subject))
            for info in answer.repos:
                if info.requested:
                    self.notes.append(f"{info.requested} is now {info.name}; scanned under its new name")
                archived += info.archived
                self.planner.add(info, self.kinds)
        if archived:
            self.notes.append(f"{archived} archived repositor{'y' if archived == 1 else 'ies'} skipped: "
                              "nobody can act on their pull requests")

    def read_pages(self) -> None:
        """Read every planned stream, page by page; each page's items are kept whatever happens next."""
        failures = 0
        while self.run.stopped is None and (plan := self.planner.next_page()) is not None:
            try:
                headers, body = self.run.graphql(plan.text, plan.variables)
                answer = parse_page_answer(plan, self.planner.streams, body, _observed_at(headers))
            except Exception as e:
                err = _failure(e, self.run.config, "a page of the scan")
                if err is None:
                    raise
                failures = self._page_failed(err, failures)
                continue
            self.run.note_body_rate(headers, answer.rate)
            for alias, error in answer.failed.items():
                stream_index = next(s.stream for s in plan.slices if s.alias == alias)
                stream = self.planner.streams[stream_index]
                err = _scan_failure(error, headers, f"the repository {stream.repo}")
                why = ("GitHub no longer shows it (deleted, or made private during the scan)"
                       if isinstance(err, NotFoundError) else str(err))
                noun = "pull requests" if stream.kind == "pull" else "issues"
                sentence = (f"{stream.repo} could not be read to the end: {why}; "
                            f"{stream.fetched} of its {stream.expected} open {noun} were read")
                self.planner.fail(stream_index, sentence)
                self.run.errors.append(sentence)
            read = self.planner.take(plan, answer)
            if answer.general and not answer.pages:
                err = _scan_failure(answer.general[0], headers, "a page of the scan")
                failures = self._page_failed(err, failures)
                continue
            if answer.general:  # GitHub answered, with a remark about part of it: the data is kept
                _log.info("scan page answered with errors: %s", [e.message for e in answer.general])
            failures = 0
            self._keep(read)
            self.tick()

    def _page_failed(self, err: GitHubError, failures: int) -> int:
        """Shrink the page or give up; returns the count of failures in a row."""
        _log.info("scan page of %d items failed: %s", self.planner.page_size, err)
        failures += 1
        if err.stops_run:
            self.run._error(err)
            self.planner.stop(str(err))
        elif _looks_slow(err) and self.planner.page_size > MIN_PAGE_SIZE:
            self.planner.page_size = max(self.planner.page_size // 2, MIN_PAGE_SIZE)
        elif failures >= MAX_FAILED_SCAN_PAGES:
            self.run._error(err)
            self.planner.stop(str(err))
        self.tick()
        return failures

    def _keep(self, read: Sequence[ItemFacts]) -> None:
        self.items.extend(read)
        entries = [CachedItem(f, f.repo.lower()) for f in read]
        self.run._cached(lambda c: c.put_items(self.run.config.scope, entries), None)


def fetch_open_pulls(
    target: ScanTarget,
    config: GitHubConfig,
    *,
    include_issues: bool = False,
    cache: ItemCache | None = None,
    progress: Progress | None = None,
) -> ScanFetch:
    """Every open PR (and issue, with `include_issues`) of `target`, read through paginated GraphQL.

    About one request per 100 items (see `triage.scan_queries`). GitHub failures never raise: a
    repository that cannot be read is reported in `ScanFetch.errors` and the others are kept; a
    rate limit stops the scan with what was read so far. Items read are written to `cache`, so an
    agenda fetch of the same items right after can use them. `progress(done, total)` counts items.
    """
    kinds: tuple[ScanKind, ...] = ("pull", "issue") if include_issues else ("pull",)
    run = _Run(config, cache, progress, 0)
    scan = _Scan(run, target, kinds)
    try:
        scan.discover()
        scan.tick()
        scan.read_pages()
    finally:
        run.close()
    return ScanFetch(
        target=target,
        items=tuple(scan.items),
        repos=tuple(RepoScan.of(s) for s in scan.planner.streams),
        errors=tuple(run.errors),
        notes=tuple(scan.notes),
        rate=run.rate,
        requests=run.requests,
        observed_at=datetime.now(UTC).replace(microsecond=0),
    )
