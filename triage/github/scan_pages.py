"""The pages of a scan: which open items are still to read, and the packed GraphQL query reading them.

Pure, like `triage.github.scan_queries` (discovery): a page reads the open items of several
repositories at once, oldest first, one alias and cursor each, so 10,000 PRs across 50 repositories of
any sizes take about 100 queries; `triage.github.scan` sends them.

Every item is read with the agenda look-up's own field selections and `parse_item`, except review-thread
comments (see `triage.github.scan_queries`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triage.facts import ItemFacts, ItemKey
from triage.github.answers import GraphQLError, RateLimitBody, parse_item, read_rate
from triage.github.queries import ISSUE_SELECTION, PULL_SELECTION
from triage.github.scan_queries import MAX_ALIASES, RATE, RepoInfo, ScanKind, mapping, read_body

PAGE_SIZE = 100  # items per page query: GitHub's maximum page; about 4 points a query
MIN_PAGE_SIZE = 10  # a page that keeps timing out is halved down to this, then reported

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
    text = f"query TriageScanPage({', '.join(declarations)}) {{\n  {RATE}\n" + "\n".join(blocks) + "\n}" + fragments
    return PagePlan(text, variables, tuple(slices))


def parse_page_answer(plan: PagePlan, streams: Sequence[Stream], body: Any, observed_at: datetime) -> PageAnswer:
    """Read a page answer into items per alias; raise MalformedResponseError when it is not GraphQL."""
    data, errors = read_body(body)
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
        info = mapping(conn.get("pageInfo"))
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
