"""The HTTP beneath PyGithub, bounded: an overall deadline per run, a size bound on every answer once
decompressed, and redirects followed only within the API's own host, a few times at most.

PyGithub builds its own `requests.Session` and offers no hook into it, and urllib3's timeouts bound
each read, not a whole answer: a server sending one byte every 2 s kept a fetch running past ten
minutes (issue 12, D7). So `install` mounts an adapter of ours on the session PyGithub made. It

* keeps the sockets it opens, so that `Guard.expire` (a timer set to the deadline) can shut them down
  and wake a read that would otherwise wait for the next byte, and refuses a connection (a retry
  included) once the deadline has passed;
* reads each body through `_Bounded`, which stops after `max_bytes` of decompressed data (a 1 MB gzip
  answer once grew to 3 GB in memory, D9; urllib3 decompresses at most one chunk's worth per read);
* checks every redirect before PyGithub sees it: PyGithub follows a 301 by itself with no limit (a
  loop ended in RecursionError) and raised RuntimeError for another host or the same address (D8).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from triage.github.errors import DeadlineError, GitHubError, RedirectRefusedError, ResponseTooLargeError

FOLLOWED = 301  # the only redirect PyGithub follows by itself (a renamed or transferred repository)
_SHOWN = 80  # characters of a path or address quoted in a sentence


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        port = -1
    return parts.scheme, (parts.hostname or "").lower(), port


class Guard:
    """The bounds of one run against GitHub (a fetch, a scan, a doctor's check), shared by its requests."""

    def __init__(self, api_url: str, seconds: float, max_bytes: int, max_redirects: int) -> None:
        self.api_url = api_url
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.expired = False
        self._origin = _origin(api_url)
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._visited: list[str] = []  # paths of the request in flight and of its redirects
        self.retry: Any = None  # PyGithub's retry policy and pool size, set by `install`
        self.pool_size = requests.adapters.DEFAULT_POOLSIZE

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it passed)."""
        return self.ends - time.monotonic()

    def check(self) -> None:
        """Raise DeadlineError once the deadline has passed."""
        if self.expired or self.remaining() <= 0:
            self.expired = True
            raise DeadlineError(self.seconds)

    def expire(self) -> None:
        """The deadline passed: shut every socket down, waking whatever read waits on one."""
        self.expired = True
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed, or detached into its TLS socket
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def track(self, sock: socket.socket | None) -> None:
        """Keep `sock` for `expire`."""
        if sock is not None:
            with self._lock:
                self._sockets.add(sock)

    @contextmanager
    def request(self) -> Iterator[None]:
        """One request (with its retries and redirects): within the deadline, or DeadlineError."""
        self.check()
        self._visited = []
        timer = threading.Timer(max(self.remaining(), 0.0), self.expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        except GitHubError:
            raise
        except Exception:
            if self.expired:  # the read that was cut fails in urllib3's words: say why instead
                raise DeadlineError(self.seconds) from None
            raise
        finally:
            timer.cancel()

    def redirect(self, url: str, status: int, location: str | None) -> None:
        """Let a 301 within the API's host through, at most `max_redirects` times per request and never
        back to an address already asked; anything else raises RedirectRefusedError."""
        path = urlsplit(url).path
        if not self._visited:
            self._visited.append(path)
        what = path[:_SHOWN]
        target = urljoin(url, location or "")
        if not location:
            raise RedirectRefusedError(what, f"with a {status} that names no address")
        if status != FOLLOWED:
            raise RedirectRefusedError(what, f"with a {status} to {target[:_SHOWN]} (only 301s are followed)")
        if _origin(target) != self._origin:
            raise RedirectRefusedError(
                what, f"to another host ({urlsplit(target).netloc[:_SHOWN]}; only {urlsplit(self.api_url).netloc} "
                "is followed)")
        to = urlsplit(target).path
        if to == path:
            raise RedirectRefusedError(what, "to itself")
        if to in self._visited:
            raise RedirectRefusedError(what, f"in a loop (back to {to[:_SHOWN]})")
        self._visited.append(to)
        if len(self._visited) - 1 > self.max_redirects:
            raise RedirectRefusedError(what, f"more than {self.max_redirects} times (TRIAGE_MAX_REDIRECTS)")


class _Bounded:
    """A urllib3 response whose decompressed body stops at the guard's `max_bytes`."""

    def __init__(self, raw: Any, guard: Guard, what: str) -> None:
        self._raw = raw
        self._guard = guard
        self._what = what

    def stream(self, amt: int = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        read = 0
        for chunk in self._raw.stream(amt, decode_content=decode_content):
            read += len(chunk)
            if read > self._guard.max_bytes:
                self._raw.close()
                raise ResponseTooLargeError(self._what, self._guard.max_bytes / 1_000_000)
            yield chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _pool_classes(guard: Guard) -> dict[str, type[HTTPConnectionPool]]:
    """urllib3 pools whose connections the guard can cut and refuse."""

    class Connection(HTTPConnection):
        def connect(self) -> None:
            guard.check()
            super().connect()
            guard.track(self.sock)

    class TLSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            guard.track(sock)  # cut even while the TLS handshake waits
            return sock

        def connect(self) -> None:
            guard.check()
            super().connect()
            guard.track(self.sock)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Connection

    class TLSPool(HTTPSConnectionPool):
        ConnectionCls = TLSConnection

    return {"http": Pool, "https": TLSPool}


class _Adapter(HTTPAdapter):
    """requests' adapter with the guard's connections, redirect policy and size bound."""

    def __init__(self, guard: Guard, **kwargs: Any) -> None:
        self.guard = guard  # before HTTPAdapter.__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.guard)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _pool_classes(self.guard)
        return manager

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().send(request, *args, **kwargs)
        url = request.url or ""
        what = urlsplit(url).path[:_SHOWN]
        try:
            if 300 <= response.status_code < 400 and response.status_code != 304:
                self.guard.redirect(url, response.status_code, response.headers.get("location"))
            length = response.headers.get("content-length") or ""
            if length.isdigit() and int(length) > self.guard.max_bytes:
                raise ResponseTooLargeError(what, self.guard.max_bytes / 1_000_000)
        except GitHubError:
            response.close()
            raise
        response.raw = _Bounded(response.raw, self.guard, what)
        return response


def install(connection_session: requests.Session, guard: Guard, retry: Any, pool_size: int) -> None:
    """Mount the guarded adapter (with PyGithub's retry policy and pool size) for http and https."""
    guard.retry, guard.pool_size = retry, pool_size
    adapter = _Adapter(guard, max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
    for prefix in ("http://", "https://"):
        connection_session.mount(prefix, adapter)


def ensure(connection_session: requests.Session, guard: Guard) -> None:
    """Install the guard on `connection_session` unless it is there (PyGithub made a new connection)."""
    adapters: Mapping[str, Any] = connection_session.adapters
    if not all(isinstance(adapters.get(p), _Adapter) and adapters[p].guard is guard for p in ("http://", "https://")):
        install(connection_session, guard, guard.retry, guard.pool_size)
