"""GitHub failures become sentences here, in one place: PyGithub's, requests' and GraphQL's errors
mapped onto the typed errors of `triage.github.errors`.

Every module of the boundary that sends a request hands what it raised to `failure` (or a GraphQL
`errors` entry to `graphql_failure`); the per-item statuses ("not found or private", "rate limited
until 14:05 UTC") come from the same objects.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import requests
from github import GithubException
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
    UnknownObjectException,
)
from github.Requester import Requester
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError, ReadTimeoutError

from triage.facts import ItemKey
from triage.github.answers import GraphQLError
from triage.github.config import GitHubConfig
from triage.github.errors import (
    BadCredentialsError,
    ForbiddenError,
    GitHubError,
    GitHubFailedError,
    GitHubTimeoutError,
    GitHubUnreachableError,
    NotFoundError,
    RateLimitedError,
    header,
    reset_time,
)

_log = logging.getLogger(__name__)

_RETRY_STATUS = re.compile(r"too many (\d{3}) error responses")


def _is_secondary(message: str | None, headers: Mapping[str, Any] | None) -> bool:
    return Requester.isSecondaryRateLimitError(message or "") or (
        header(headers, "retry-after") is not None and header(headers, "x-ratelimit-remaining") != "0"
    )


def _github_message(data: Any) -> str | None:
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])
    return None


def not_found(subject: str, hidden: str = "private") -> NotFoundError:
    """GitHub does not show `subject`: deleted, mistyped, or hidden from the token."""
    sentence = f"GitHub does not show {subject}: it does not exist, or it is {hidden}"
    return NotFoundError(sentence, "not found or private")


def failure(exc: BaseException, config: GitHubConfig, subject: str = "the items") -> GitHubError | None:
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
        return not_found(subject)
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
        return not_found(subject)
    if status >= 500:
        return _server_failure(status, config)
    return GitHubFailedError(
        f"GitHub refused the request ({status}: {message or 'no message'})", f"not fetched ({status})"
    )


def graphql_failure(
    err: GraphQLError, key: ItemKey | None, headers: Mapping[str, Any] | None
) -> GitHubError:
    """The typed error for one GraphQL `errors` entry."""
    kind = (err.type or "").upper()
    if kind in ("RATE_LIMITED", "RATE_LIMIT") or Requester.isPrimaryRateLimitError(err.message):
        return RateLimitedError(reset_time(headers))
    if kind == "NOT_FOUND":
        return not_found(key.ref if key else "the item")
    if kind == "FORBIDDEN":
        return ForbiddenError(
            f"GitHub refused access to {key.ref if key else 'the items'}: {err.message}",
            f"access refused: {err.message}",
        )
    where = f" for {key.ref}" if key else ""
    return GitHubFailedError(f"GitHub could not answer{where}: {err.message}", f"not fetched: {err.message}")

