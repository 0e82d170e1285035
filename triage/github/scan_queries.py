"""What a repository or organisation scan targets, and its first step, discovery, in GraphQL.

Pure, like `triage.github.queries`: query text in, response dicts out, no PyGithub and no network;
`triage.github.scan.fetch_open_pulls` sends the queries and turns failures into sentences.

A scan has two steps:

1. **Discovery** (here) lists the repositories and how many open PRs (and issues) each has, with
   their visibility and maintainers' file: one query per 100 repositories of an organisation
   (`organization.repositories`), or one query for up to 100 named repositories (aliases), which
   also resolves renamed ones.
2. **Pages** (`triage.github.scan_pages`) read the open items, oldest first, 100 per query. A query
   is *packed*: when a repository has fewer items left than the page holds, the rest of the page
   goes to the next repositories (one alias and cursor each), so 10,000 PRs across 50 repositories
   of any sizes take about 100 queries instead of one page per repository and more.

Every item is read with the agenda look-up's own field selections and `parse_item`, so a scanned
PR has the same facts, signals and scores as the same PR named on an agenda, with one exception:
review-thread comments are not read. GitHub files every thread comment under a review, which the
timeline already lists with its author and time, and reading threads would cost six times the
points of a page (GitHub prices nested pages: 100 PRs x 20 threads).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from triage.github.answers import (
    GraphQLError,
    MalformedResponseError,
    RateLimitBody,
    read_errors,
    read_rate,
)
from triage.github.owners import OWNER_SELECTION, maintainers_from
from triage.github.queries import count_of

ScanKind = Literal["pull", "issue"]

DISCOVERY_PAGE = 100  # repositories per discovery query (GitHub's maximum page)
MAX_ALIASES = 100  # repositories per query, named or packed; keeps the query text under ~40 KB
# GitHub's owner and repository name rules: what `--repo` and the app's repo box accept.
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
REPO_RE = re.compile(rf"^{_OWNER}/[A-Za-z0-9._-]+$")
ORG_RE = re.compile(rf"^{_OWNER}$")

RATE = "rateLimit { cost limit remaining resetAt }"


class ScanInputError(ValueError):
    """A repository or organisation name a scan cannot use; the message quotes it."""


@dataclass(frozen=True)
class ScanTarget:
    """What to scan: every repository of an organisation, or a list of repositories."""

    org: str | None = None
    repos: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.org is None) == (not self.repos):
            raise ScanInputError("Name an organisation or at least one owner/repo to scan, not both")
        if self.org is not None and not ORG_RE.match(self.org):
            raise ScanInputError(f"Invalid organisation {self.org!r}: expected a GitHub login such as falcosecurity")
        for repo in self.repos:
            if not REPO_RE.match(repo):
                raise ScanInputError(f"Invalid repository {repo!r}: expected owner/name, e.g. falcosecurity/libs")

    @property
    def label(self) -> str:
        """`org:falcosecurity` or the repositories, comma-separated (for titles and sources)."""
        return f"org:{self.org}" if self.org else ", ".join(self.repos)


@dataclass(frozen=True)
class RepoInfo:
    """A repository as discovery saw it."""

    name: str  # GitHub's current owner/name
    archived: bool
    open_pulls: int
    open_issues: int | None  # None when issues were not asked for
    requested: str | None = None  # the name asked for, when it was renamed or moved since
    private: bool | None = None  # `isPrivate`
    maintainers: frozenset[str] = frozenset()  # named by its OWNERS, MAINTAINERS or CODEOWNERS file


@dataclass(frozen=True)
class Discovery:
    """One discovery answer: repositories, pagination, and what went wrong."""

    repos: tuple[RepoInfo, ...]
    missing: dict[str, GraphQLError]  # requested owner/name -> why it is not there
    general: tuple[GraphQLError, ...]  # errors about the whole query
    has_next: bool = False
    cursor: str | None = None
    rate: RateLimitBody | None = None


def _open_counts(issues: bool) -> str:
    """A repository's fields for discovery: name, state, visibility, maintainers' file, and the counts
    of its open PRs (and issues)."""
    pulls = count_of("pullRequests", "states: [OPEN]")
    counts = pulls + (" " + count_of("issues", "states: [OPEN]") if issues else "")
    return f"nameWithOwner isArchived isPrivate {OWNER_SELECTION} {counts}"


def org_query(org: str, after: str | None, issues: bool) -> tuple[str, dict[str, Any]]:
    """One page of an organisation's repositories with their open PR (and issue) counts."""
    counts = _open_counts(issues)
    text = (
        "query TriageScanOrg($org: String!, $after: String) {\n"
        f"  {RATE}\n"
        "  organization(login: $org) {\n"
        f"    repositories(first: {DISCOVERY_PAGE}, after: $after, orderBy: {{field: NAME, direction: ASC}}) {{\n"
        "      pageInfo { hasNextPage endCursor }\n"
        f"      nodes {{ {counts} }}\n"
        "    }\n  }\n}\n"
    )
    return text, {"org": org, "after": after}


def repos_query(repos: Sequence[str], issues: bool) -> tuple[str, dict[str, Any]]:
    """Named repositories (one alias each, `r0`...) with their open PR (and issue) counts."""
    counts = _open_counts(issues)
    declarations, blocks, variables = [], [], {}
    for n, repo in enumerate(repos):
        owner, name = repo.split("/", 1)
        variables[f"o{n}"], variables[f"n{n}"] = owner, name
        declarations.append(f"$o{n}: String!, $n{n}: String!")
        blocks.append(f"  r{n}: repository(owner: $o{n}, name: $n{n}) {{ {counts} }}")
    text = f"query TriageScanRepos({', '.join(declarations)}) {{\n  {RATE}\n" + "\n".join(blocks) + "\n}\n"
    return text, variables


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _total(node: Mapping[str, Any], name: str) -> int | None:
    conn = node.get(name)
    if isinstance(conn, Mapping) and isinstance(conn.get("totalCount"), int):
        return int(conn["totalCount"])
    return None


def _repo_info(node: Any, issues: bool, requested: str | None = None) -> RepoInfo | None:
    if not isinstance(node, Mapping) or not isinstance(node.get("nameWithOwner"), str):
        return None
    name = str(node["nameWithOwner"])
    private = node.get("isPrivate")
    return RepoInfo(
        name=name,
        archived=bool(node.get("isArchived")),
        open_pulls=_total(node, "pullRequests") or 0,
        open_issues=(_total(node, "issues") or 0) if issues else None,
        requested=requested if requested and requested.lower() != name.lower() else None,
        private=private if isinstance(private, bool) else None,
        maintainers=maintainers_from(node) or frozenset(),
    )


def read_body(body: Any) -> tuple[Mapping[str, Any], list[GraphQLError]]:
    if not isinstance(body, Mapping):
        raise MalformedResponseError(f"the response is {type(body).__name__}, expected a JSON object")
    data = body.get("data") or {}
    if not isinstance(data, Mapping):
        raise MalformedResponseError(f"'data' is {type(data).__name__}, expected an object")
    return data, read_errors(body)


def parse_org_answer(body: Any, org: str, issues: bool) -> Discovery:
    """Read one page of `org_query`; a missing organisation comes back in `missing`."""
    data, errors = read_body(body)
    node = data.get("organization")
    missing = {org: errs[0]} if (errs := [e for e in errors if e.path[:1] == ("organization",)]) else {}
    general = tuple(e for e in errors if e.path[:1] != ("organization",))
    if not isinstance(node, Mapping):
        if not missing and not general:
            missing[org] = GraphQLError("NOT_FOUND", f"no organisation {org!r} in the answer")
        return Discovery((), missing, general, rate=read_rate(data))
    conn = mapping(node.get("repositories"))
    info = mapping(conn.get("pageInfo"))
    repos = tuple(r for n in conn.get("nodes") or [] if (r := _repo_info(n, issues)) is not None)
    cursor = info.get("endCursor")
    return Discovery(
        repos, {}, general, bool(info.get("hasNextPage")), cursor if isinstance(cursor, str) else None,
        read_rate(data),
    )


def parse_repos_answer(body: Any, repos: Sequence[str], issues: bool) -> Discovery:
    """Read `repos_query`'s answer: found repositories in order, and why the others are missing."""
    data, errors = read_body(body)
    by_alias = {str(e.path[0]): e for e in errors if e.path}
    general = tuple(e for e in errors if not e.path or str(e.path[0]) not in {f"r{n}" for n in range(len(repos))})
    found: list[RepoInfo] = []
    missing: dict[str, GraphQLError] = {}
    for n, repo in enumerate(repos):
        info = _repo_info(data.get(f"r{n}"), issues, repo)
        if info is not None:
            found.append(info)
        elif f"r{n}" in by_alias:
            missing[repo] = by_alias[f"r{n}"]
        elif not general:
            missing[repo] = GraphQLError("NOT_FOUND", f"no repository {repo!r} in the answer")
    return Discovery(tuple(found), missing, general, rate=read_rate(data))


