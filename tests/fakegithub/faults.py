"""Faults the fake GitHub can inject, with GitHub's own status codes, messages and headers.

Each builder returns a `Fault` matching requests by path regex, method and request-body regex (a
GraphQL chunk can be targeted by an alias it contains); `times=None` means forever, `skip` lets
the first matches through. Messages are GitHub's exact wording, because PyGithub's retry logic
recognises rate limits by their text (TECH-NOTES §2.4).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakegithub.rest import error_json

PRIMARY_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include "
    "the request ID F4KE:0000:1111:2222:3333 and timestamp 2024-06-03 09:00:00 UTC. For more on scraping "
    "GitHub and how it may affect your rights, please review our Terms of Service "
    "(https://docs.github.com/en/site-policy/github-terms/github-terms-of-service)."
)
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach "
    "out to GitHub Support for help, please include the request ID F4KE:0000:1111:2222:3333."
)
GRAPHQL_TIMEOUT_MESSAGE = (
    "Something went wrong while executing your query. This may be the result of a timeout, or it could be "
    "a GitHub bug. Please include `F4KE:0000:1111:2222:3333` when reporting this issue."
)


@dataclass
class Fault:
    """A canned answer for matching requests (or, with `respond=False`, only a delay before the real one)."""

    status: int = 500
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    path: str = ""  # regex searched in the request path
    method: str | None = None
    body: str | None = None  # regex searched in the request body
    times: int | None = 1  # None: forever
    skip: int = 0  # let this many matching requests through first
    delay: float = 0.0
    respond: bool = True
    hits: int = 0  # how many requests it answered (or delayed)
    seen: int = 0
    # Hostile faults are what no GitHub sends (another host's redirect, a decompression bomb, a byte
    # every few seconds): the bounds triage keeps against a broken or hostile server. Their answers are
    # exempt from the checks against GitHub's REST description, on purpose.
    hostile: bool = False
    drip: float = 0.0  # seconds between bytes: the whole answer, status line included, one byte at a time
    sent: int = 0  # bytes a dripping answer got out before the client left

    def take(self, request: Any) -> bool:
        """Does this fault handle `request` (a Recorded)? Counts it if so."""
        if self.method and request.method != self.method:
            return False
        if self.path and not re.search(self.path, request.path):
            return False
        if self.body and not re.search(self.body, request.body or ""):
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True


def bad_credentials(**where: Any) -> Fault:
    """401 Bad credentials (a revoked or mistyped token)."""
    return Fault(401, error_json("Bad credentials", 401), **where)


def primary_rate_limit(reset_in: float = 2400, *, graphql: bool | None = None, **where: Any) -> Fault:
    """The primary limit is spent: REST 403 with X-RateLimit-Remaining 0 and the reset time; GraphQL
    (a `/graphql` path, or `graphql=True`) answers 200 with a RATE_LIMITED error, as GitHub does."""
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time() + reset_in))}
    if graphql if graphql is not None else "graphql" in where.get("path", ""):
        payload = {
            "errors": [
                {
                    "type": "RATE_LIMITED",
                    "code": "graphql_rate_limit",
                    "message": "API rate limit already exceeded for user ID 1.",
                }
            ]
        }
        return Fault(200, payload, headers, **where)
    return Fault(403, error_json(PRIMARY_MESSAGE, 403), headers, **where)


def secondary_rate_limit(retry_after: int | None = 60, status: int = 403, **where: Any) -> Fault:
    """A secondary (abuse) limit: 403 or 429, with Retry-After unless `retry_after` is None."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Fault(status, error_json(SECONDARY_MESSAGE, status), headers, **where)


def server_error(status: int = 502, **where: Any) -> Fault:
    """A 5xx from GitHub's front end."""
    message = {
        502: "Server Error",
        503: "Service Unavailable",
        504: "We couldn't respond to your request in time.",
    }
    return Fault(status, {"message": message.get(status, "Server Error")}, **where)


def not_found(**where: Any) -> Fault:
    """404 Not Found for a REST path."""
    return Fault(404, error_json("Not Found", 404), **where)


def slow(delay: float, **where: Any) -> Fault:
    """Answer normally, but only after `delay` seconds (set it above the client's timeout)."""
    return Fault(delay=delay, respond=False, **where)


def malformed(**where: Any) -> Fault:
    """200 with a JSON body cut short."""
    return Fault(200, '{"data": {"r0": {"nameWithOwner": "falcosecurity/li', **where)


def html(status: int = 200, **where: Any) -> Fault:
    """An HTML page where JSON was expected (a proxy's error page)."""
    return Fault(
        status, "<html><body><h1>Unicorn!</h1></body></html>", {"Content-Type": "text/html"}, **where
    )


def graphql_errors(errors: list[dict[str, Any]], data: Any = None, **where: Any) -> Fault:
    """A GraphQL answer with these `errors` (and `data`, null by default)."""
    where.setdefault("path", "^/graphql$")
    return Fault(200, {"data": data, "errors": errors}, **where)


def graphql_timeout(**where: Any) -> Fault:
    """GitHub's answer to a query that ran past its 10 s budget: no data, one error."""
    return graphql_errors([{"message": GRAPHQL_TIMEOUT_MESSAGE}], **where)


# --- hostile: what no GitHub sends; triage must bound it (issue 12) ---------------------------------------


def drip(interval: float = 2.0, **where: Any) -> Fault:
    """HOSTILE: the real answer, sent one byte every `interval` seconds, status line and headers
    included, so that no read ever waits long enough to time out (issue 12, D7)."""
    return Fault(respond=False, drip=interval, hostile=True, **where)


def gzip_bomb(megabytes: int = 100, **where: Any) -> Fault:
    """HOSTILE: a 200 answer of `megabytes` MB of JSON once decompressed, a few hundred KB on the wire
    (`Content-Encoding: gzip`, issue 12, D9)."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip wrapper
    block = b"a" * 1_000_000
    parts = [packer.compress(b'{"data": {"pad": "')]
    parts += [packer.compress(block) for _ in range(megabytes)]
    parts += [packer.compress(b'"}}'), packer.flush()]
    headers = {"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "gzip"}
    return Fault(200, b"".join(parts), headers, hostile=True, **where)


def redirect(location: str, status: int = 301, **where: Any) -> Fault:
    """A redirect to `location` in GitHub's words (a 301 is how GitHub answers for a renamed
    repository). HOSTILE when `location` is another host, the same address, or part of a loop."""
    body = {"message": "Moved Permanently", "url": location, "documentation_url": "https://docs.github.com/v3/#http-redirects"}
    return Fault(status, body, {"Location": location}, hostile=True, **where)
