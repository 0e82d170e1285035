"""The fake GitHub: a real HTTP server on 127.0.0.1 speaking GitHub's REST and GraphQL dialects.

    fake = FakeGitHub.demo().start()          # or FakeGitHub(items).start(); stop() when done
    gh = Github(base_url=fake.url, ...)        # the real PyGithub client, over HTTP
    fake.inject(faults.server_error(502, path="/graphql"))
    fake.requests(path="/graphql")             # what was asked, Authorization masked
    fake.quota_spent()                         # {"core": 0, "search": 1, "graphql": 2}
    fake.reset()                               # data, faults, log and counters back to the start

It answers like GitHub: URLs built from the request's own Host header, ETag and 304 on
If-None-Match (a 304 with an Authorization header costs no rate limit, as GitHub documents),
X-RateLimit-* headers exactly once each, Link pagination, 301 for renamed repositories, 404 for
missing or hidden items, GraphQL `errors` next to partial `data`, and the per-resource rate-limit
buckets (core, search, graphql points) that GitHub keeps. Like GitHub, GraphQL follows renamed
repositories (`follow_renames=False` emulates a server without `followRenames`). The token is
never stored or printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, TextIO
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from tests.fakegithub import rest
from tests.fakegithub.faults import Fault
from tests.fakegithub.graphql_endpoint import check, execute
from tests.fakegithub.resolvers import query_root
from tests.fakegithub.rest_description import check as check_rest
from tests.fakegithub.search import SearchRejected, search
from tests.fakegithub.store import FakeItem, FakeRepo, Store, demo_owners_files, demo_truth
from triage.facts import Event, ItemFacts, ItemKey, parse_when

LIMITS = {"core": 5000, "search": 30, "graphql": 5000}  # per token, as GitHub gives a personal token
ANON_LIMITS = {"core": 60, "search": 10, "graphql": 0}  # GitHub's GraphQL refuses anonymous calls
WINDOWS = {"core": 3600, "search": 60, "graphql": 3600}  # seconds until a bucket refills
DEMO_MINUTES = ("falcosecurity/community", "meeting-notes/2023-12-14-falco-core-maintainers.md")
VIEWER = "fake-user"
_REQUEST_ID = "F4KE:0000:1111:2222:3333"


@dataclass
class Recorded:
    """One request the fake received (the Authorization header is masked)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str
    authorized: bool
    generation: int = 0  # which reset() period it arrived in
    token_kind: str | None = None  # the token's prefix (ghp, github_pat, ...), never the token
    status: int = 0
    resource: str | None = None
    charged: int = 0

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Bucket:
    limit: int
    remaining: int
    reset: int  # epoch seconds

    @property
    def used(self) -> int:
        return self.limit - self.remaining


@dataclass
class _Reply:
    status: int
    payload: Any = None  # JSON-able, or str/bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)
    charge: int = 1


class FakeGitHub:
    """A fake GitHub API server holding `items` (their `ItemFacts` are the truth it serves)."""

    # Every GraphQL document any fake refused (text, errors), for the test suite's autouse check:
    # a document GitHub would reject fails the test that sent it unless the test takes it back.
    rejected: ClassVar[list[tuple[str, list[dict[str, Any]]]]] = []
    # Every JSON answer any fake gave that breaks GitHub's REST description of that endpoint
    # (`rest_description.check`), for the same autouse check: the fake must not invent a shape.
    violations: ClassVar[list[str]] = []

    def __init__(
        self,
        items: Iterable[ItemFacts] = (),
        *,
        hidden: Iterable[ItemFacts] = (),
        tokens: Iterable[str] | None = None,
        follow_renames: bool = True,
        log_stream: TextIO | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        scopes: Iterable[str] = ("repo", "read:org"),
        enterprise: str | None = None,
        users: Mapping[str, str] | None = None,
    ) -> None:
        self._initial = (list(items), list(hidden))
        self.scopes = tuple(scopes)  # X-OAuth-Scopes of a classic token (fine-grained ones get no header)
        # A GitHub Enterprise Server version: the API then lives under /api/v3 (GraphQL at /api/graphql),
        # answers say the version, and rate limits are off, as they are by default on GHES.
        self.enterprise = enterprise
        self._initial_files: list[tuple[str, str, str, str]] = []
        self.tokens = set(tokens) if tokens is not None else None  # None: any token is valid
        # token -> the login it belongs to (`viewer`, `GET /user`); any other token is VIEWER's
        self.users = dict(users or {})
        self.follow_renames = follow_renames  # False: GraphQL behaves like GitHub before followRenames
        self.log_stream = log_stream
        self.host, self._port = host, port
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.log: list[Recorded] = []
        self.faults: list[Fault] = []
        self.store = Store()
        self.reset()

    # -- lifecycle --

    @classmethod
    def demo(cls, unknown: str = "not_found", **kwargs: Any) -> FakeGitHub:
        """The demo's 16 Falco items (see `store.demo_truth`), and the demo minutes as a file."""
        from triage.demo import load_demo

        served, hidden = demo_truth(unknown)  # type: ignore[arg-type]
        fake = cls(served, hidden=hidden, **kwargs)
        fake.add_file(*DEMO_MINUTES, load_demo().minutes)
        for repo, text in demo_owners_files().items():
            fake.add_file(repo, "OWNERS", text)
        return fake

    def start(self) -> FakeGitHub:
        """Listen on host:port (port 0 picks a free one) in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as PyGithub's pooled session expects

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; without this, Nagle's algorithm holds the
                # body until the client's delayed ACK, adding ~40 ms to every response.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def handle(self) -> None:
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # the client left mid-answer
                    super().handle()

            def do_GET(self) -> None:
                fake._handle(self)

            do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

            def log_message(self, format: str, *args: Any) -> None:  # the fake logs requests itself
                pass

        server = ThreadingHTTPServer((self.host, self._port), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name="fake-github", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self if self._server else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The API root to give PyGithub as base_url (`/api/v3` on GitHub Enterprise Server)."""
        return f"http://{self.host}:{self.port}{'/api/v3' if self.enterprise else ''}"

    def reset(self) -> None:
        """Back to the initial items and files, no faults, an empty log and full rate limits."""
        with self._lock:
            self.store = Store()
            items, hidden = self._initial
            for f in items:
                self.store.add(f)
            for f in hidden:
                self.store.add(f, hidden=True)
            for repo, path, text, ref in self._initial_files:
                self.store.ensure_repo(repo).files[(ref, path)] = text
            self.faults.clear()
            self.log.clear()
            self._generation = getattr(self, "_generation", 0) + 1
            now = int(time.time())
            self.buckets = {
                (auth, r): Bucket(
                    (LIMITS if auth else ANON_LIMITS)[r],
                    (LIMITS if auth else ANON_LIMITS)[r],
                    now + WINDOWS[r],
                )
                for auth in (True, False)
                for r in LIMITS
            }

    # -- data --

    def add_items(self, items: Iterable[ItemFacts], *, hidden: bool = False) -> None:
        """Serve more items (kept across `reset()`)."""
        with self._lock:
            for f in items:
                self.store.add(f, hidden=hidden)
                self._initial[1 if hidden else 0].append(f)

    def add_file(self, repo: str, path: str, text: str, ref: str = "main") -> None:
        """Serve a file through the contents API (kept across `reset()`)."""
        with self._lock:
            self._initial_files.append((repo, path, text, ref))
            self.store.ensure_repo(repo).files[(ref, path)] = text

    def truth(self, key: ItemKey) -> ItemFacts:
        """The facts served for `key`, with what its repository adds: `private` (its `isPrivate`), and
        `label_history` (every label event is on the timeline the fake serves, discussions have none)."""
        facts = self.store.item(key).facts
        repo, _ = self.store.lookup(key.repo)
        private = repo.is_private if repo is not None else None
        return replace(facts, private=private, label_history=facts.kind != "discussion" and facts.timeline_complete)

    def hide(self, key: ItemKey, hidden: bool = True) -> None:
        """Serve `key` as missing (404 / NOT_FOUND) until `reset()`."""
        with self._lock:
            self.store.item(key).hidden = hidden

    def item_error(self, key: ItemKey, type: str = "FORBIDDEN", message: str | None = None) -> None:
        """Answer this item's GraphQL alias with an error of `type` (and null) until `reset()`."""
        text = message or {
            "FORBIDDEN": "Resource protected by organization SAML enforcement. You must grant your Personal "
            "Access token access to this organization.",
        }.get(type, "Something went wrong while executing your query.")
        with self._lock:
            self.store.item(key).error = (type, text)

    def grant_private(self, repo: str, readers: Iterable[str] | None = None) -> None:
        """Make a repository private (`isPrivate`, `"private": true`) but readable by the token, or
        only by the tokens of `readers` (logins, see `users`): GitHub hides it from the others."""
        with self._lock:
            found = self.store.ensure_repo(repo)
            found.is_private = True
            found.readers = frozenset(readers) if readers is not None else None

    def make_private(self, repo: str) -> None:
        """Make a repository invisible to the token (404 / NOT_FOUND, as GitHub hides private repos)."""
        with self._lock:
            self.store.ensure_repo(repo).private = True

    def rename_repo(self, old: str, new: str) -> None:
        """Rename or transfer a repository; the old name redirects (until `reset()`)."""
        with self._lock:
            self.store.rename(old, new)

    def update_item(self, key: ItemKey, **changes: Any) -> ItemFacts:
        """Change an item's facts; `updated_at` moves to now unless given (until `reset()`)."""
        with self._lock:
            item = self.store.item(key)
            changes.setdefault("updated_at", datetime.now(UTC).replace(microsecond=0))
            item.facts = replace(item.facts, **changes)
            return self.truth(key)

    def add_comment(
        self, key: ItemKey, login: str, *, association: str = "MEMBER", at: datetime | None = None
    ) -> ItemFacts:
        """Someone comments on `key` now (or at `at`); counts and `updated_at` follow."""
        at = at or datetime.now(UTC).replace(microsecond=0)
        f = self.truth(key)
        events = (*f.events, Event(login, at, "comment", association, "User"))
        return self.update_item(
            key,
            events=events,
            comments_count=(f.comments_count or 0) + 1,
            updated_at=max(at, f.updated_at or at),
        )

    # -- faults, log, rate limits --

    def inject(self, fault: Fault) -> Fault:
        """Answer matching requests with `fault` (see `tests.fakegithub.faults`) until `reset()`."""
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests(self, path: str | None = None, method: str | None = None) -> list[Recorded]:
        """Recorded requests, optionally those whose path matches the regex `path`."""
        with self._lock:
            return [
                r
                for r in self.log
                if (path is None or re.search(path, r.path)) and (method is None or r.method == method)
            ]

    @staticmethod
    def take_violations() -> list[str]:
        """The REST answers that broke GitHub's description since the last call."""
        taken = list(FakeGitHub.violations)
        FakeGitHub.violations.clear()
        return taken

    @staticmethod
    def take_rejected() -> list[tuple[str, list[dict[str, Any]]]]:
        """The GraphQL documents refused since the last call (a test that sends invalid ones on purpose)."""
        taken = list(FakeGitHub.rejected)
        FakeGitHub.rejected.clear()
        return taken

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def set_rate(
        self,
        resource: str,
        *,
        remaining: int | None = None,
        reset_in: float | None = None,
        authorized: bool = True,
    ) -> None:
        """Set a bucket's remaining count and/or its reset time (seconds from now)."""
        with self._lock:
            b = self.buckets[(authorized, resource)]
            if remaining is not None:
                b.remaining = remaining
            if reset_in is not None:
                b.reset = int(time.time() + reset_in)

    def remaining(self, resource: str, authorized: bool = True) -> int:
        with self._lock:
            return self.buckets[(authorized, resource)].remaining

    def quota_spent(self) -> dict[str, int]:
        """Rate-limit units charged since the last `reset()`, per resource (authorized buckets)."""
        with self._lock:
            return {r: b.used for (auth, r), b in self.buckets.items() if auth}

    # -- request handling --

    def _api_path(self, path: str) -> str | None:
        """The API path of a request (GHES's /api/v3 and /api/graphql prefixes removed); None outside the API."""
        if not self.enterprise:
            return path
        if path == "/api/graphql":
            return "/graphql"
        return path.removeprefix("/api/v3") or "/" if path.startswith("/api/v3") else None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        api_path = self._api_path(split.path)
        if api_path is None:  # GHES's web pages, not its API: an HTML page, whatever was asked
            page = _Reply(404, "<html><body><h1>Page not found</h1></body></html>", {"Content-Type": "text/html"})
            rec = Recorded(h.command, split.path, {}, {}, "", authorized=False, generation=self._generation)
            with self._lock:
                self.log.append(rec)
            self._respond(h, rec, page, "core", injected=True)
            return
        split = split._replace(path=api_path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length).decode("utf-8", "replace") if length else ""
        auth = h.headers.get("Authorization") or ""
        token = auth.split(None, 1)[1] if " " in auth else None
        headers = {k: ("<masked>" if k.lower() == "authorization" else v) for k, v in h.headers.items()}
        rec = Recorded(
            h.command,
            split.path,
            parse_qs(split.query, keep_blank_values=True),
            headers,
            body,
            authorized=token is not None,
            generation=self._generation,
            token_kind=token.split("_", 1)[0] if token and token.startswith(("ghp_", "gho_", "ghu_", "ghs_")) else None,
        )
        base = f"http://{h.headers.get('Host') or f'{self.host}:{self.port}'}{'/api/v3' if self.enterprise else ''}"
        resource = (
            "graphql"
            if split.path == "/graphql"
            else "search"
            if split.path.startswith("/search/")
            else "core"
        )
        with self._lock:
            self.log.append(rec)
            fault = next((f for f in self.faults if f.take(rec)), None)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        try:
            injected = fault is not None and fault.respond
            if fault is not None and fault.respond:
                reply = _Reply(
                    fault.status, fault.payload, dict(fault.headers), charge=1 if fault.status != 304 else 0
                )
            elif self.tokens is not None and token is not None and token not in self.tokens:
                reply = _Reply(401, rest.error_json("Bad credentials", 401))
            else:
                login = self.users.get(token, VIEWER) if token is not None else None
                with self._lock, self._as_viewer(login):
                    reply = self._route(rec, base, resource, token is not None, login or VIEWER)
            self._respond(h, rec, reply, resource, injected, fault)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass

    @contextmanager
    def _as_viewer(self, login: str | None) -> Iterator[None]:
        """Hide, for this request, the private repositories whose readers do not include `login`."""
        hidden = [r for r in self.store.repos.values()
                  if r.readers is not None and login not in r.readers and not r.private]
        for repo in hidden:
            repo.private = True
        try:
            yield
        finally:
            for repo in hidden:
                repo.private = False

    def _respond(
        self, h: BaseHTTPRequestHandler, rec: Recorded, reply: _Reply, resource: str, injected: bool = False,
        fault: Fault | None = None,
    ) -> None:
        payload = reply.payload
        if not injected and isinstance(payload, dict | list):  # a fault's answer is wrong on purpose
            plan = "ghes-3.19" if self.enterprise else "api.github.com"
            FakeGitHub.violations.extend(check_rest(rec.method, rec.path, reply.status, payload, plan))
        if isinstance(payload, bytes):
            data = payload
        elif isinstance(payload, str):
            data = payload.encode()
        elif payload is None:
            data = b""
        else:
            data = json.dumps(payload).encode()
        out = {k.lower(): v for k, v in reply.headers.items()}
        status = reply.status
        if status == 200 and rec.method == "GET":
            etag = f'W/"{hashlib.sha1(data).hexdigest()}"'
            out.setdefault("etag", etag)
            wanted = [t.strip() for t in (rec.header("If-None-Match") or "").split(",") if t.strip()]
            if out["etag"] in wanted or out["etag"].removeprefix("W/") in [
                w.removeprefix("W/") for w in wanted
            ]:
                status, data = 304, b""
        with self._lock:
            bucket = self.buckets[(rec.authorized, resource)]
            if time.time() >= bucket.reset:
                bucket.remaining, bucket.reset = bucket.limit, int(time.time()) + WINDOWS[resource]
            # GitHub: a 304 to an authorized conditional request does not count against the limit.
            # A request from before the last reset() (a slow-response test's straggler) costs nothing.
            late = rec.generation != self._generation
            charge = 0 if (status == 304 and rec.authorized) or late else reply.charge
            bucket.remaining = max(0, bucket.remaining - charge)
            rate = {
                "x-ratelimit-limit": str(bucket.limit),
                "x-ratelimit-remaining": str(bucket.remaining),
                "x-ratelimit-reset": str(bucket.reset),
                "x-ratelimit-used": str(bucket.used),
                "x-ratelimit-resource": resource,
            }
            rec.status, rec.resource, rec.charged = status, resource, charge
        if not self.enterprise:  # GHES disables rate limits by default: no rate headers at all
            for k, v in rate.items():
                out.setdefault(k, v)  # a fault's own rate headers win; each header is sent once
        else:
            out.setdefault("x-github-enterprise-version", self.enterprise)
        token = rec.token_kind
        if token in ("ghp", "gho") and rec.authorized:  # classic and OAuth tokens list their scopes
            out.setdefault("x-oauth-scopes", ", ".join(self.scopes))
        if data and "content-type" not in out:
            out["content-type"] = "application/json; charset=utf-8"
        out.setdefault("x-github-media-type", "github.v3; format=json")
        out.setdefault("x-github-request-id", _REQUEST_ID)
        if fault is not None and fault.drip:
            self._drip(h, fault, status, out, data)
            return
        h.send_response(status)
        for k, v in out.items():
            h.send_header(k, v)
        if status != 304:
            h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if status != 304 and rec.method != "HEAD":
            h.wfile.write(data)
        if self.log_stream is not None:
            query = f"?{urlencode(rec.query, doseq=True)}" if rec.query else ""
            print(
                f"{rec.method} {rec.path}{query} -> {status} "
                f"({resource}: {rate['x-ratelimit-remaining']} left)",
                file=self.log_stream,
                flush=True,
            )

    @staticmethod
    def _drip(h: BaseHTTPRequestHandler, fault: Fault, status: int, headers: Mapping[str, str], data: bytes) -> None:
        """HOSTILE: the whole answer one byte every `fault.drip` seconds, until the client leaves."""
        head = [f"HTTP/1.1 {status} {h.responses.get(status, ('',))[0]}"]
        head += [f"{k}: {v}" for k, v in headers.items()] + [f"Content-Length: {len(data)}", "", ""]
        raw = "\r\n".join(head).encode("latin-1") + data
        try:
            for byte in raw:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                fault.sent += 1
                time.sleep(fault.drip)
        except OSError:  # the client gave up: what the bound is for
            pass
        h.close_connection = True

    def _exhausted(self, resource: str, authorized: bool) -> _Reply | None:
        with self._lock:
            bucket = self.buckets[(authorized, resource)]
            if time.time() >= bucket.reset or bucket.remaining > 0:
                return None
            reset = bucket.reset
        who = "user ID 1" if authorized else "127.0.0.1"
        message = (
            f"API rate limit exceeded for {who}. If you reach out to GitHub Support for help, "
            "please include the "
            f"request ID {_REQUEST_ID} and timestamp {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC."
        )
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
        if resource == "graphql":
            return _Reply(
                200,
                {
                    "errors": [
                        {
                            "type": "RATE_LIMITED",
                            "code": "graphql_rate_limit",
                            "message": f"API rate limit already exceeded for {who}.",
                        }
                    ]
                },
                headers,
                charge=0,
            )
        return _Reply(403, rest.error_json(message, 403), headers, charge=0)

    def _route(self, rec: Recorded, base: str, resource: str, authorized: bool, login: str = VIEWER) -> _Reply:
        if rec.path == "/graphql" and rec.method == "POST":
            if not authorized:
                return _Reply(
                    401, rest.error_json("This endpoint requires you to be authenticated.", 401), charge=0
                )
            return self._exhausted("graphql", True) or self._graphql(rec, login)
        if rec.method != "GET":
            return _Reply(404, rest.error_json("Not Found", 404))
        if rec.path == "/rate_limit":
            if self.enterprise:
                return _Reply(404, rest.error_json("Rate limiting is not enabled.", 404), charge=0)
            return _Reply(200, self._rate_limit_json(authorized), charge=0)  # GitHub: free
        if rec.path == "/meta":
            return _Reply(200, rest.meta_json(self.enterprise))
        limited = self._exhausted(resource, authorized)
        if limited:
            return limited
        with self._lock:
            if rec.path == "/search/issues":
                return self._search(rec, base)
            if rec.path == "/user":
                return (
                    _Reply(200, rest.viewer_json(login, base))
                    if authorized
                    else _Reply(401, rest.error_json("Requires authentication", 401))
                )
            m = re.fullmatch(r"/users/([^/]+)", rec.path)
            if m:
                return _Reply(200, rest.user(m[1], "Bot" if m[1].endswith("[bot]") else "User", base))
            m = re.fullmatch(r"/repositories/(\d+)(/.*)?", rec.path)
            if m:
                repo = self.store.by_id(int(m[1]))
                return (
                    self._repo_route(repo, m[2] or "", rec, base)
                    if repo
                    else _Reply(404, rest.error_json("Not Found", 404))
                )
            m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", rec.path)
            if m:
                full = f"{m[1]}/{m[2]}"
                repo, _ = self.store.lookup(full, follow_renames=False)
                if repo is None:
                    target, _ = self.store.lookup(full)
                    if target is not None:  # renamed or transferred: GitHub answers 301 to /repositories/{id}
                        where = f"{base}/repositories/{target.id}{m[3] or ''}"
                        return _Reply(
                            301,
                            {
                                "message": "Moved Permanently",
                                "url": where,
                                "documentation_url": "https://docs.github.com/v3/#http-redirects",
                            },
                            {"Location": where},
                        )
                    return _Reply(404, rest.error_json("Not Found", 404))
                return self._repo_route(repo, m[3] or "", rec, base)
        return _Reply(404, rest.error_json("Not Found", 404))

    def _rate_limit_json(self, authorized: bool) -> dict[str, Any]:
        with self._lock:
            resources = {
                r: {
                    "limit": b.limit,
                    "remaining": b.remaining,
                    "reset": b.reset,
                    "used": b.used,
                    "resource": r,
                }
                for (auth, r), b in self.buckets.items()
                if auth == authorized
            }
        return {"resources": resources, "rate": resources["core"]}

    # -- REST repository routes --

    def _repo_route(self, repo: FakeRepo, rest_path: str, rec: Recorded, base: str) -> _Reply:
        not_found = _Reply(404, rest.error_json("Not Found", 404))
        if repo.private:
            return not_found
        if rest_path in ("", "/"):
            return _Reply(200, rest.repo_json(repo, base))
        if rest_path in ("/issues", "/pulls"):
            return self._list(repo, rest_path, rec, base)
        m = re.fullmatch(r"/contents/(.+)", rest_path)
        if m:
            path = unquote(m[1])
            ref = (rec.query.get("ref") or [repo.default_branch])[0]
            text = repo.files.get((ref, path))
            return (
                _Reply(200, rest.content_json(repo, ref, path, text, base)) if text is not None else not_found
            )
        m = re.fullmatch(r"/(issues|pulls)/(\d+)(/comments|/reviews|/commits)?", rest_path)
        if m:
            item = repo.items.get(int(m[2]))
            if (
                item is None
                or item.hidden
                or item.facts.kind == "discussion"
                or (m[1] == "pulls" and item.facts.kind != "pull")
            ):
                return not_found
            sub = m[3]
            if sub is None:
                make = rest.pull_json if m[1] == "pulls" else rest.issue_json
                return _Reply(200, make(item, repo, base))
            if m[1] == "issues" and sub == "/comments":
                return self._page(
                    [rest.comment_json(e, n, item, repo, base) for n, e in enumerate(item.comments)],
                    rec,
                    base,
                )
            if m[1] == "pulls" and sub == "/reviews":
                return self._page(
                    [rest.review_json(e, n, item, repo, base) for n, e in enumerate(item.reviews)], rec, base
                )
            if m[1] == "pulls" and sub == "/comments":
                return self._page(
                    [
                        rest.review_comment_json(e, n, item, repo, base)
                        for n, e in enumerate(item.review_comments)
                    ],
                    rec,
                    base,
                )
            if m[1] == "pulls" and sub == "/commits":
                return self._page(
                    [rest.commit_json(rest_sha(item, n), e, repo, base) for n, e in enumerate(item.commits)],
                    rec,
                    base,
                )
            return not_found
        m = re.fullmatch(r"/commits/([0-9a-f]{40})(/status|/check-runs)?", rest_path)
        if m:
            item = next((i for i in repo.items.values() if i.head_sha == m[1] and not i.hidden), None)
            if item is None:
                return _Reply(422, rest.error_json(f"No commit found for SHA: {m[1]}", 422))
            if m[2] == "/status":
                return _Reply(200, rest.combined_status_json(item, repo, base))
            if m[2] == "/check-runs":
                return _Reply(200, {"total_count": 0, "check_runs": []})
            last = item.commits[-1] if item.commits else None
            return _Reply(200, rest.commit_json(m[1], last, repo, base))
        return not_found

    def _list(self, repo: FakeRepo, kind: str, rec: Recorded, base: str) -> _Reply:
        q = {k: v[0] for k, v in rec.query.items()}
        state = q.get("state", "open")
        since = parse_when(q.get("since")) if q.get("since") else None
        items = [
            i
            for i in repo.items.values()
            if not i.hidden and i.facts.kind in (("pull",) if kind == "/pulls" else ("issue", "pull"))
        ]
        if state != "all":
            items = [i for i in items if (i.facts.state == "open") == (state == "open")]
        if since is not None:
            items = [i for i in items if i.facts.updated_at and i.facts.updated_at >= since]
        items = _sort(items, q.get("sort", "created"), q.get("direction", "desc"))
        make = rest.pull_json if kind == "/pulls" else rest.issue_json
        return self._page([make(i, repo, base) for i in items], rec, base)

    def _page(
        self, rows: list[Any], rec: Recorded, base: str, wrap: Mapping[str, Any] | None = None
    ) -> _Reply:
        q = {k: v[0] for k, v in rec.query.items()}
        per_page = min(max(int(q.get("per_page") or 30), 1), 100)
        page = max(int(q.get("page") or 1), 1)
        last = max(1, -(-len(rows) // per_page))
        chunk = rows[(page - 1) * per_page : page * per_page]
        pages = [("next", page + 1), ("last", last)] if page < last else []
        pages += [("prev", page - 1), ("first", 1)] if page > 1 else []
        links = [f'<{base}{rec.path}?{urlencode({**q, "page": n})}>; rel="{rel}"' for rel, n in pages]
        headers = {"Link": ", ".join(links)} if links else {}
        payload: Any = chunk if wrap is None else {**wrap, "items": chunk}
        return _Reply(200, payload, headers)

    # -- search --

    def _search(self, rec: Recorded, base: str) -> _Reply:
        """Issue search with today's rules (`search.py`): advanced syntax, and GitHub's 422s."""
        q = (rec.query.get("q") or [""])[0]
        try:
            found = search(q, self.store)
        except SearchRejected as e:
            error = {"message": str(e), "resource": "Search", "field": "q", "code": "invalid"}
            return _Reply(422, rest.error_json("Validation Failed", None, errors=[error]))
        params = {k: v[0] for k, v in rec.query.items()}
        sort = params.get("sort") if params.get("sort") in ("updated", "created", "comments") else "updated"
        ordered = _sort([i for _, i in found], sort, params.get("order", "desc"))
        repo_of = {id(i): r for r, i in found}
        rows = [{**rest.search_item_json(i, repo_of[id(i)], base), "score": 1.0} for i in ordered]
        wrap = {"total_count": len(rows), "incomplete_results": False, "search_type": "lexical"}
        return self._page(rows, rec, base, wrap=wrap)

    # -- GraphQL --

    def _graphql(self, rec: Recorded, login: str = VIEWER) -> _Reply:
        try:
            request = json.loads(rec.body)
            text, variables = request["query"], request.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return _Reply(400, rest.error_json("Problems parsing JSON", 400))
        if not isinstance(text, str) or not isinstance(variables, dict):
            return _Reply(400, rest.error_json("Problems parsing JSON", 400))
        with self._lock:
            checked = check(text, variables)
            if checked.document is None:  # GitHub runs nothing, answers no `data`, charges nothing
                FakeGitHub.rejected.append((text, list(checked.errors)))
                return _Reply(200, {"errors": list(checked.errors)}, charge=0)
            cost = checked.price.cost
            bucket = self.buckets[(True, "graphql")]
            if bucket.remaining < cost:
                limited = self._exhausted("graphql", True)
                bucket.remaining = 0
                return limited or _Reply(
                    200,
                    {"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]},
                    {"x-ratelimit-remaining": "0"},
                    charge=0,
                )
            after = bucket.remaining - cost
            rate = {
                "cost": cost,
                "limit": bucket.limit,
                "remaining": after,
                "resetAt": datetime.fromtimestamp(bucket.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "used": bucket.limit - after,
                "nodeCount": checked.price.nodes,
            }
            root = query_root(self.store, follow_renames=self.follow_renames, rate=rate, viewer=login)
            out = execute(checked, variables, root)
        # Variables that do not fit their declarations stop the request before it runs: no charge.
        return _Reply(200, out, charge=cost if "data" in out else 0)


def rest_sha(item: FakeItem, n: int) -> str:
    from tests.fakegithub.store import sha_of

    return item.head_sha if n == len(item.commits) - 1 else sha_of(item.facts.key.ref, "commit", n)


def _sort(items: list[FakeItem], sort: str, direction: str) -> list[FakeItem]:
    attr = {"updated": "updated_at", "comments": "comments_count"}.get(sort, "created_at")
    floor: Any = 0 if attr == "comments_count" else datetime.min.replace(tzinfo=UTC)
    return sorted(
        items, key=lambda i: (getattr(i.facts, attr) or floor, i.facts.number), reverse=direction != "asc"
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.fakegithub --port PORT`: serve the demo's items until interrupted."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.fakegithub", description=main.__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--unknown",
        choices=("not_found", "generated"),
        default="not_found",
        help="how to serve demo items the recording could not find",
    )
    parser.add_argument("--org", help="also serve a generated org of this name")
    parser.add_argument("--org-items", type=int, default=1000)
    args = parser.parse_args(argv)
    fake = FakeGitHub.demo(args.unknown, host=args.host, port=args.port, log_stream=sys.stdout)
    if args.org:
        from tests.fakegithub.generate import generate_org

        fake.add_items(generate_org(args.org, repos=20, total=args.org_items, seed=1))
    fake.start()
    print(
        f"fake GitHub serving {len(fake.store.repos)} repositories at {fake.url} "
        f"(demo minutes: {quote(DEMO_MINUTES[1])} in {DEMO_MINUTES[0]})",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0
