"""The GraphQL of a repository or organisation scan, and the reading of its pages into `ItemFacts`.

Pure, like `triage.github.queries`: query text in, response dicts out, no PyGithub and no network;
`triage.github.scan.fetch_open_pulls` sends the queries and turns failures into sentences.

A scan has two steps:

1. **Discovery** lists the repositories and how many open PRs (and issues) each has: one query per
   100 repositories of an organisation (`organization.repositories`), or one query for up to 100
   named repositories (aliases), which also resolves renamed ones.
2. **Pages** read the open items, oldest first, 100 per query. A query is *packed*: when a
   repository has fewer items left than the page holds, the rest of the page goes to the next
   repositories (one alias and cursor each), so 10,000 PRs across 50 repositories of any sizes
   take about 100 queries instead of one page per repository and more.

Every item is read with the agenda look-up's own field selections and `parse_item`, so a scanned
PR has the same facts, signals and scores as the same PR named on an agenda, with one exception:
review-thread comments are not read. GitHub files every thread comment under a review, which the
timeline already lists with its author and time, and reading threads would cost six times the
points of a page (GitHub prices nested pages: 100 PRs x 20 threads).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from triage.facts import ItemFacts, ItemKey
from triage.github.answers import (
    GraphQLError,
    MalformedResponseError,
    RateLimitBody,
    parse_item,
    read_errors,
    read_rate,
)
from triage.github.owners import OWNER_SELECTION, maintainers_from
from triage.github.queries import ISSUE_SELECTION, PULL_SELECTION, count_of

ScanKind = Literal["pull", "issue"]

PAGE_SIZE = 100  # items per page query: GitHub's maximum page; about 2 points a query
MIN_PAGE_SIZE = 10  # a page that keeps timing out is halved down to this, then reported
DISCOVERY_PAGE = 100  # repositories per discovery query (GitHub's maximum page)
MAX_ALIASES = 100  # repositories per query, named or packed; keeps the query text under ~40 KB
# GitHub's owner and repository name rules: what `--repo` and the app's repo box accept.
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
REPO_RE = re.compile(rf"^{_OWNER}/[A-Za-z0-9._-]+$")
ORG_RE = re.compile(rf"^{_OWNER}$")

# The agenda's fragments minus `reviewThreads` (see the module docstring); `state` keeps its alias
# because `parse_item` reads `prState` / `issueState`. GitHub rejects a document with an unused
# fragment, so each page carries only the fragments of the kinds it reads.
FRAGMENTS: dict[ScanKind, str] = {
    "issue": f"\nfragment ScanIssue on Issue {{{ISSUE_SELECTION}\n}}",
    "pull": f"\nfragment ScanPull on PullRequest {{{PULL_SELECTION}\n}}",
}
_CONNECTION = {"pull": "pullRequests", "issue": "issues"}
_FRAGMENT = {"pull": "ScanPull", "issue": "ScanIssue"}
# Oldest first: items opened while the scan runs land after every cursor, never shift a page.
_ORDER = "orderBy: {field: CREATED_AT, direction: ASC}"
_RATE = "rateLimit { cost limit remaining resetAt }"


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
        f"  {_RATE}\n"
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
    text = f"query TriageScanRepos({', '.join(declarations)}) {{\n  {_RATE}\n" + "\n".join(blocks) + "\n}\n"
    return text, variables


def _mapping(value: Any) -> Mapping[str, Any]:
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


def _body(body: Any) -> tuple[Mapping[str, Any], list[GraphQLError]]:
    if not isinstance(body, Mapping):
        raise MalformedResponseError(f"the response is {type(body).__name__}, expected a JSON object")
    data = body.get("data") or {}
    if not isinstance(data, Mapping):
        raise MalformedResponseError(f"'data' is {type(data).__name__}, expected an object")
    return data, read_errors(body)


def parse_org_answer(body: Any, org: str, issues: bool) -> Discovery:
    """Read one page of `org_query`; a missing organisation comes back in `missing`."""
    data, errors = _body(body)
    node = data.get("organization")
    missing = {org: errs[0]} if (errs := [e for e in errors if e.path[:1] == ("organization",)]) else {}
    general = tuple(e for e in errors if e.path[:1] != ("organization",))
    if not isinstance(node, Mapping):
        if not missing and not general:
            missing[org] = GraphQLError("NOT_FOUND", f"no organisation {org!r} in the answer")
        return Discovery((), missing, general, rate=read_rate(data))
    conn = _mapping(node.get("repositories"))
    info = _mapping(conn.get("pageInfo"))
    repos = tuple(r for n in conn.get("nodes") or [] if (r := _repo_info(n, issues)) is not None)
    cursor = info.get("endCursor")
    return Discovery(
        repos, {}, general, bool(info.get("hasNextPage")), cursor if isinstance(cursor, str) else None,
        read_rate(data),
    )


def parse_repos_answer(body: Any, repos: Sequence[str], issues: bool) -> Discovery:
    """Read `repos_query`'s answer: found repositories in order, and why the others are missing."""
    data, errors = _body(body)
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


# --- pages ---------------------------------------------------------------------------------------------


@dataclass
class Stream:
    """The open items of one kind in one repository, read page by page."""

    repo: str  # owner/name as GitHub spells it now
    kind: ScanKind
    expected: int  # totalCount at discovery (it may change while the scan runs)
    private: bool | None = None  # the repository's `isPrivate`
    cursor: str | None = None
    fetched: int = 0
    done: bool = False
    error: str | None = None  # why the rest of this stream was not read (a sentence)

    @property
    def remaining(self) -> int:
        """Items still expected; at least 1 while GitHub says there is another page."""
        return max(self.expected - self.fetched, 1)


@dataclass(frozen=True)
class RepoScan:
    """How far a scan got in one repository: items expected, items read, and why it stopped early."""

    repo: str
    kind: ScanKind
    expected: int
    fetched: int
    error: str | None = None

    @classmethod
    def of(cls, stream: Stream) -> RepoScan:
        """A frozen summary of `stream`."""
        return cls(stream.repo, stream.kind, stream.expected, stream.fetched, stream.error)


@dataclass(frozen=True)
class Slice:
    """One alias of a page query: which stream it reads and how many items it asks for."""

    alias: str
    stream: int  # index into the planner's streams
    first: int


@dataclass(frozen=True)
class PagePlan:
    """One packed page query."""

    text: str
    variables: dict[str, Any]
    slices: tuple[Slice, ...]

    @property
    def size(self) -> int:
        """Items the query asks for."""
        return sum(s.first for s in self.slices)


@dataclass(frozen=True)
class PageAnswer:
    """What one page query returned, alias by alias."""

    items: dict[str, list[ItemFacts]]  # alias -> items read
    pages: dict[str, tuple[bool, str | None]]  # alias -> (hasNextPage, endCursor)
    failed: dict[str, GraphQLError]  # alias -> why its repository or connection did not answer
    general: tuple[GraphQLError, ...]  # errors about the whole query (rate limit, timeout)
    skipped_nodes: int = 0  # items GitHub answered with null (an error inside one item)
    rate: RateLimitBody | None = None


def page_query(streams: Sequence[Stream], slices: Sequence[Slice]) -> PagePlan:
    """The query reading `slices` (one alias per stream, each with its own size and cursor)."""
    declarations, blocks, variables = [], [], {}
    kinds: set[ScanKind] = set()
    for s in slices:
        stream = streams[s.stream]
        n = s.alias[1:]
        owner, name = stream.repo.split("/", 1)
        variables.update({f"o{n}": owner, f"n{n}": name, f"f{n}": s.first, f"a{n}": stream.cursor})
        declarations.append(f"$o{n}: String!, $n{n}: String!, $f{n}: Int!, $a{n}: String")
        conn = _CONNECTION[stream.kind]
        kinds.add(stream.kind)
        blocks.append(
            f"  {s.alias}: repository(owner: $o{n}, name: $n{n}) {{\n"
            f"    nameWithOwner\n"
            f"    {conn}(states: [OPEN], first: $f{n}, after: $a{n}, {_ORDER}) {{\n"
            f"      pageInfo {{ hasNextPage endCursor }}\n"
            f"      nodes {{ ...{_FRAGMENT[stream.kind]} }}\n"
            "    }\n  }"
        )
    fragments = "".join(FRAGMENTS[k] for k in ("pull", "issue") if k in kinds)
    text = f"query TriageScanPage({', '.join(declarations)}) {{\n  {_RATE}\n" + "\n".join(blocks) + "\n}" + fragments
    return PagePlan(text, variables, tuple(slices))


def parse_page_answer(plan: PagePlan, streams: Sequence[Stream], body: Any, observed_at: datetime) -> PageAnswer:
    """Read a page answer into items per alias; raise MalformedResponseError when it is not GraphQL."""
    data, errors = _body(body)
    aliases = {s.alias for s in plan.slices}
    by_alias: dict[str, GraphQLError] = {}
    general: list[GraphQLError] = []
    for e in errors:
        head = str(e.path[0]) if e.path else ""
        if head in aliases:
            by_alias.setdefault(head, e)
        else:
            general.append(e)
    items: dict[str, list[ItemFacts]] = {}
    pages: dict[str, tuple[bool, str | None]] = {}
    failed: dict[str, GraphQLError] = {}
    skipped = 0
    for s in plan.slices:
        stream = streams[s.stream]
        repo_node = data.get(s.alias)
        conn = repo_node.get(_CONNECTION[stream.kind]) if isinstance(repo_node, Mapping) else None
        if not isinstance(conn, Mapping):
            err = by_alias.get(s.alias)
            if err is not None or not general:
                failed[s.alias] = err or GraphQLError("NOT_FOUND", f"no repository {stream.repo!r} in the answer")
            continue
        repo = str(repo_node.get("nameWithOwner") or stream.repo) if isinstance(repo_node, Mapping) else stream.repo
        read: list[ItemFacts] = []
        for node in conn.get("nodes") or []:
            if isinstance(node, Mapping) and isinstance(node.get("number"), int):
                read.append(parse_item(ItemKey(repo, int(node["number"])), node, observed_at, stream.private))
            else:
                skipped += 1
        items[s.alias] = read
        info = _mapping(conn.get("pageInfo"))
        cursor = info.get("endCursor")
        pages[s.alias] = (bool(info.get("hasNextPage")), cursor if isinstance(cursor, str) else None)
    return PageAnswer(items, pages, failed, tuple(general), skipped, read_rate(data))


@dataclass
class Planner:
    """Which items are still to be read, and the next packed page query to read them."""

    streams: list[Stream] = field(default_factory=list)
    page_size: int = PAGE_SIZE

    def add(self, info: RepoInfo, kinds: Sequence[ScanKind]) -> None:
        """Plan to read `info`'s open items of `kinds`. Archived repositories are skipped, and so is
        one already planned: a renamed repository named under its old and new names is read once."""
        if info.archived or any(s.repo.lower() == info.name.lower() for s in self.streams):
            return
        for kind in kinds:
            expected = info.open_pulls if kind == "pull" else info.open_issues or 0
            if expected > 0:
                self.streams.append(Stream(info.name, kind, expected, private=info.private))

    @property
    def expected(self) -> int:
        """Items expected in total (what the progress bar counts to)."""
        return sum(max(s.expected, s.fetched) for s in self.streams)

    @property
    def fetched(self) -> int:
        """Items read so far."""
        return sum(s.fetched for s in self.streams)

    def next_page(self) -> PagePlan | None:
        """The next query: streams in order, each given what it has left until the page is full."""
        slices: list[Slice] = []
        room = self.page_size
        for index, stream in enumerate(self.streams):
            if stream.done:
                continue
            take = min(stream.remaining, room)
            slices.append(Slice(f"s{len(slices)}", index, take))
            room -= take
            if room == 0 or len(slices) == MAX_ALIASES:
                break
        return page_query(self.streams, slices) if slices else None

    def take(self, plan: PagePlan, answer: PageAnswer) -> list[ItemFacts]:
        """Advance every stream the answer covers; return the items read."""
        out: list[ItemFacts] = []
        for s in plan.slices:
            stream = self.streams[s.stream]
            if s.alias not in answer.pages:
                continue
            read = answer.items.get(s.alias, [])
            out.extend(read)
            stream.fetched += len(read)
            more, cursor = answer.pages[s.alias]
            if more and cursor is not None and cursor != stream.cursor:  # a cursor that does not move ends it
                stream.cursor = cursor
            else:
                stream.done = True
        return out

    def fail(self, stream_index: int, sentence: str) -> None:
        """Give up on one stream, saying why."""
        stream = self.streams[stream_index]
        stream.done, stream.error = True, sentence

    def stop(self, sentence: str) -> None:
        """Give up on every stream not finished yet."""
        for stream in self.streams:
            if not stream.done:
                stream.done, stream.error = True, sentence
