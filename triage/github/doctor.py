"""`triage doctor`: the first minute with a real token, in a few requests, one line per check.

1. **API**: `GET /meta` answers, and says whether it is api.github.com or GitHub Enterprise Server
   (which names its version in `/meta`'s `installed_version`).
2. **Token**: `GET /user` accepts it; its kind comes from its documented prefix (`ghp_` classic,
   `github_pat_` fine-grained, ...), its scopes from `X-OAuth-Scopes` (classic tokens only).
3. **Rate limits**: `GET /rate_limit` (free) says what is left of the core, search and GraphQL limits.
4. **GraphQL**: one known public item reads back through the very document the agenda fetch sends.
5. **Agenda** (when one is given, as `make check-github` does with the demo's): its items read as
   `triage fetch` reads them.

A failed check says how to fix it; the token itself is never printed, only its kind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from triage.agenda import AgendaRef
from triage.facts import ItemKey
from triage.github.agenda_fetch import fetch_items
from triage.github.answers import parse_items_answer
from triage.github.client import Session, observed_at
from triage.github.config import GitHubConfig
from triage.github.errors import GitHubError, GitHubUnreachableError, header
from triage.github.faults import failure, graphql_failure
from triage.github.queries import build_items_query

# A public thread that will stay: the demo agenda's falcosecurity/libs#1557 (an open feature issue).
KNOWN_ITEM = ItemKey("falcosecurity/libs", 1557)
TOKEN_PAGE = "https://github.com/settings/tokens"
# GitHub's documented token prefixes ("Behind GitHub's new authentication token formats", 2021).
_TOKEN_KINDS = (
    ("github_pat_", "fine-grained personal access token"),
    ("ghp_", "classic personal access token"),
    ("gho_", "OAuth app token"),
    ("ghu_", "GitHub App user token"),
    ("ghs_", "GitHub App installation token (GITHUB_TOKEN in Actions)"),
)


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None

    def __str__(self) -> str:
        line = f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"
        return line + (f"\n      fix: {self.fix}" if self.fix else "")


@dataclass(frozen=True)
class Diagnosis:
    """Every check that ran, and the requests they took."""

    checks: tuple[Check, ...]
    requests: int
    reachable: bool  # False when the API root could not be reached at all (offline, wrong host)

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)


def token_kind(token: str) -> str:
    """What kind of token this is, from its documented prefix (never more of the token than that)."""
    return next((kind for prefix, kind in _TOKEN_KINDS if token.startswith(prefix)), "token of an unknown kind")


def _web_root_hint(config: GitHubConfig) -> str:
    parts = urlsplit(config.api_url)
    if parts.hostname == "api.github.com" or parts.path.rstrip("/").endswith("/api/v3"):
        return "check the network, a proxy, or GITHUB_API_URL"
    return f"for GitHub Enterprise, set GITHUB_API_URL to {parts.scheme}://{parts.netloc}/api/v3"


def _get(session: Session, path: str, subject: str) -> tuple[int, Mapping[str, Any], Any]:
    """One GET through the run's client: (status, headers, JSON or None); a 4xx does not raise, a
    failure to get any answer raises its `GitHubError`."""
    try:
        status, headers, body = session.request_json(path)
    except Exception as e:
        err = failure(e, session.config, subject)
        if err is None:
            raise
        raise err from None
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None  # an HTML page: a web server, not GitHub's API
    return status, headers, data


def _check_api(session: Session) -> tuple[Check, bool]:
    config = session.config
    try:
        status, headers, data = _get(session, "/meta", "the API")
    except GitHubError as err:
        return Check("API", False, str(err), _web_root_hint(config)), not isinstance(err, GitHubUnreachableError)
    if status == 401 and isinstance(data, Mapping):  # GitHub answers, and refuses the token: checked next
        return Check("API", True, f"{config.host} answers"), True
    if status != 200 or not isinstance(data, Mapping):
        return Check(
            "API", False, f"{config.api_url}/meta answered {status} without GitHub's JSON", _web_root_hint(config)
        ), True
    version = data.get("installed_version") or header(headers, "x-github-enterprise-version")
    if version:
        return Check("API", True, f"GitHub Enterprise Server {version} answers at {config.api_url}"), True
    if urlsplit(config.api_url).hostname == "api.github.com":
        return Check("API", True, "api.github.com answers (GitHub.com)"), True
    return Check("API", True, f"{config.host} answers like GitHub.com (GitHub Enterprise Cloud or a proxy)"), True


def _check_token(session: Session) -> Check:
    token = session.config.token
    if not token:
        return Check("token", False, "no token: GitHub's GraphQL API refuses anonymous requests",
                     f"create one at {TOKEN_PAGE} (read access to issues and pull requests is enough) "
                     "and set GITHUB_TOKEN, or paste it in the app's sidebar")
    kind = token_kind(token)
    try:
        status, headers, data = _get(session, "/user", "the token's account")
    except GitHubError as err:
        return Check("token", False, str(err))
    if status == 401:
        return Check("token", False, f"GitHub rejected the {kind} (401 Bad credentials)",
                     f"it is mistyped, expired or revoked: create a new one at {TOKEN_PAGE} and set GITHUB_TOKEN")
    if status not in (200, 403):
        return Check("token", False, f"GET /user answered {status}")
    # An App installation token has no user behind it: GitHub answers /user with 403.
    login = data.get("login") if isinstance(data, Mapping) and status == 200 else None
    who = f" of {login}" if isinstance(login, str) else " (no user account behind it)"
    scopes = header(headers, "x-oauth-scopes")
    if scopes is not None:
        what = f"scopes: {scopes}" if scopes.strip() else "no scopes (enough for public repositories)"
    else:
        what = "permissions are set per repository (this kind of token lists no scopes)"
    return Check("token", True, f"{kind}{who}; {what}")


def _check_rate(session: Session) -> Check:
    try:
        status, _, data = _get(session, "/rate_limit", "the rate limits")  # GitHub documents it costs nothing
    except GitHubError as err:
        return Check("rate limits", False, str(err))
    if status == 404:
        return Check("rate limits", True, "not enabled on this server (GitHub Enterprise Server's default)")
    resources = data.get("resources") if isinstance(data, Mapping) else None
    if status != 200 or not isinstance(resources, Mapping):
        return Check("rate limits", False, f"GET /rate_limit answered {status}")
    parts, spent = [], []
    for name, unit in (("core", "requests"), ("graphql", "GraphQL points"), ("search", "searches a minute")):
        bucket = resources.get(name)
        if isinstance(bucket, Mapping):
            parts.append(f"{bucket.get('remaining', 0):,} of {bucket.get('limit', 0):,} {unit}")
            if bucket.get("remaining") == 0:
                spent.append(name)
    detail = "; ".join(parts) + " left"
    if spent:
        return Check("rate limits", False, f"{detail}; spent: {', '.join(spent)}",
                     "wait for the reset (the app says when), or use another token")
    return Check("rate limits", True, detail)


def _check_graphql(session: Session, item: ItemKey) -> Check:
    plan = build_items_query([item])
    try:
        headers, body = session.graphql(plan.text, plan.variables)
        answer = parse_items_answer(plan, body, observed_at(headers))
    except Exception as e:
        err = failure(e, session.config, "the GraphQL API")
        if err is None:
            raise
        return Check("GraphQL", False, str(err))
    cost = f" ({answer.rate.cost} point{'s' if answer.rate.cost != 1 else ''})" if answer.rate else ""
    if item in answer.found:
        facts = answer.found[item]
        return Check("GraphQL", True, f"{item.ref} read back through the agenda's query{cost}: {facts.title!r}")
    if answer.general_errors:
        err = graphql_failure(answer.general_errors[0], item, headers)
        return Check("GraphQL", False, f"the agenda's query was refused: {err}",
                     "update triage; if it persists, the server's GraphQL schema differs from GitHub.com's")
    # NOT_FOUND comes from running the document: GitHub accepted it, the item is not on this server.
    return Check("GraphQL", True, f"the agenda's query runs here{cost}; {item.ref} is not on this server "
                 "(name one of yours with --item OWNER/REPO#N to read it back)")


def diagnose(config: GitHubConfig, item: ItemKey = KNOWN_ITEM) -> Diagnosis:
    """Run every check against `config`'s API root; stop after the first when GitHub cannot be reached."""
    with Session(config) as session:
        api, reachable = _check_api(session)
        checks = [api]
        if api.ok:
            token = _check_token(session)
            checks.append(token)
            if config.token and token.ok:
                checks.append(_check_rate(session))
                checks.append(_check_graphql(session, item))
    return Diagnosis(tuple(checks), session.requests, reachable)


def check_agenda(config: GitHubConfig, refs: Sequence[AgendaRef], name: str) -> Check:
    """Read an agenda's items the way `triage fetch` does (without the cache), and say how it went."""
    result = fetch_items([r.key for r in refs], config, kinds={r.key: r.kind for r in refs})
    read = sum(i.found for i in result.items)
    hidden = sum(i.status == "not_found" for i in result.items)
    detail = f"{read} of {len(result.items)} items of {name} read in {result.requests} requests"
    if hidden:
        detail += f"; {hidden} not shown to this token (deleted, private or mistyped)"
    if result.errors:
        return Check("agenda", False, f"{detail}; {result.errors[0]}")
    return Check("agenda", True, detail)


def default_config(api_url: str | None = None) -> GitHubConfig:
    """`$GITHUB_API_URL` and `$GITHUB_TOKEN`, with quick failures: the doctor must answer in seconds."""
    return GitHubConfig.from_env(
        **({"api_url": api_url} if api_url else {}), timeout=10, retries=1, max_wait=5.0
    )

