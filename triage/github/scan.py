"""Read every open PR (and issue) of repositories or an organisation: discovery, then packed pages.

`triage.github.scan_queries` (discovery) and `triage.github.scan_pages` (pages) build the queries
and read the answers; this module sends them, one at a time and without pauses, and keeps what each
page read whatever happens next. A scan takes discovery plus as many queries as its biggest
repository has pages of 100. Sorting what was read into buckets (whose turn it is) is
`triage.scan`'s, outside the boundary.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from triage.facts import ItemFacts
from triage.github.answers import GraphQLError
from triage.github.cache import CachedItem, ItemCache
from triage.github.client import Session, observed_at
from triage.github.config import GitHubConfig, Progress, RateInfo
from triage.github.errors import GitHubError, GitHubFailedError, GitHubTimeoutError, NotFoundError
from triage.github.faults import failure, graphql_failure, not_found
from triage.github.scan_pages import MIN_QUERY_ITEMS, Planner, RepoScan, parse_page_answer
from triage.github.scan_queries import (
    MAX_ALIASES,
    Discovery,
    ScanKind,
    ScanTarget,
    org_query,
    parse_org_answer,
    parse_repos_answer,
    repos_query,
)

_log = logging.getLogger(__name__)

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
    # lower-cased "owner/name" -> maintainers named by its OWNERS, MAINTAINERS or CODEOWNERS file
    maintainers: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when nothing failed: no repository, organisation or page is missing."""
        return not self.errors


def _scan_failure(err: GraphQLError, headers: Mapping[str, Any] | None, what: str) -> GitHubError:
    """The typed error for a GraphQL error about a whole repository or organisation."""
    if (err.type or "").upper() == "NOT_FOUND":
        return not_found(what, "private to the token")
    return graphql_failure(err, None, headers)


def _looks_slow(err: GitHubError) -> bool:
    """GitHub ran out of time for the query (it gives up at 10 s): a smaller page may pass."""
    return isinstance(err, GitHubTimeoutError | GitHubFailedError)


class _Scan:
    """One call of `fetch_open_pulls`: discovery, then packed pages, keeping what each page read."""

    def __init__(
        self, session: Session, target: ScanTarget, kinds: tuple[ScanKind, ...], progress: Progress | None
    ) -> None:
        self.session = session
        self.target = target
        self.kinds = kinds
        self.progress = progress
        self.planner = Planner()
        self.items: list[ItemFacts] = []
        self.notes: list[str] = []
        self.maintainers: dict[str, frozenset[str]] = {}
        self.unreadable = 0  # items GitHub listed but answered with null (an error inside the item)

    def tick(self) -> None:
        if self.progress is not None:
            self.progress(self.planner.fetched, self.planner.expected)

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
                    headers, body = self.session.graphql(text, variables)
                    answer = parse_org_answer(body, self.target.org, issues)
                    answers.append((answer, headers))
                    if not answer.has_next or answer.cursor is None or answer.general or answer.missing:
                        break
                    after = answer.cursor
            else:
                repos = list(dict.fromkeys(self.target.repos))
                for start in range(0, len(repos), MAX_ALIASES):
                    batch = repos[start : start + MAX_ALIASES]
                    headers, body = self.session.graphql(*repos_query(batch, issues))
                    answers.append((parse_repos_answer(body, batch, issues), headers))
        except Exception as e:
            err = failure(e, self.session.config, subject)
            if err is None:
                raise
            self.session.error(err)
            return
        archived = 0
        for answer, headers in answers:
            self.session.note_body_rate(headers, answer.rate)
            for name, error in answer.missing.items():
                what = f"the organisation {name}" if self.target.org else f"the repository {name}"
                self.session.error(_scan_failure(error, headers, what))
            for error in answer.general:
                self.session.error(_scan_failure(error, headers, subject))
            for info in answer.repos:
                if info.requested:
                    self.notes.append(f"{info.requested} is now {info.name}; scanned under its new name")
                archived += info.archived
                if info.maintainers:
                    for name in (info.name, info.requested or info.name):
                        self.maintainers[name.lower()] = info.maintainers
                self.planner.add(info, self.kinds)
        if archived:
            self.notes.append(f"{archived} archived repositor{'y' if archived == 1 else 'ies'} skipped: "
                              "nobody can act on their pull requests")

    def read_pages(self) -> None:
        """Read every planned stream, page by page; each page's items are kept whatever happens next."""
        failures = 0
        while self.session.stopped is None and (plan := self.planner.next_page()) is not None:
            try:
                headers, body = self.session.graphql(plan.text, plan.variables)
                answer = parse_page_answer(plan, self.planner.streams, body, observed_at(headers))
            except Exception as e:
                err = failure(e, self.session.config, "a page of the scan")
                if err is None:
                    raise
                failures = self._page_failed(err, failures, plan.size)
                continue
            self.session.note_body_rate(headers, answer.rate)
            self.unreadable += answer.skipped_nodes
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
                self.session.errors.append(sentence)
            read = self.planner.take(plan, answer)
            if answer.general and not answer.pages:
                err = _scan_failure(answer.general[0], headers, "a page of the scan")
                failures = self._page_failed(err, failures, plan.size)
                continue
            if answer.general:  # GitHub answered, with a remark about part of it: the data is kept
                _log.info("scan page answered with errors: %s", [e.message for e in answer.general])
            failures = 0
            self._keep(read)
            self.tick()
        if self.unreadable:
            n = self.unreadable
            self.session.errors.append(
                f"{n} open item{'s' if n != 1 else ''} that GitHub listed could not be read (GitHub answered"
                f" {'them' if n != 1 else 'it'} with an error) and {'are' if n != 1 else 'is'} not in the scan")

    def _page_failed(self, err: GitHubError, failures: int, size: int) -> int:
        """Ask for half as many items from now on, or give up; returns the count of failures in a row."""
        _log.info("scan query of %d items failed: %s", size, err)
        failures += 1
        if err.stops_run:
            self.session.error(err)
            self.planner.stop(str(err))
        elif _looks_slow(err) and size > MIN_QUERY_ITEMS:
            self.planner.query_items = max(size // 2, MIN_QUERY_ITEMS)
        elif failures >= MAX_FAILED_SCAN_PAGES:
            self.session.error(err)
            self.planner.stop(str(err))
        self.tick()
        return failures

    def _keep(self, read: Sequence[ItemFacts]) -> None:
        self.items.extend(read)
        # Public items only: the scan does not ask who the token belongs to, and the cache serves a
        # private repository's facts to the login that read them alone (issue 12, D1).
        entries = [CachedItem(f, f.repo.lower()) for f in read if f.private is False]
        scope = self.session.config.scope
        self.session.cached(lambda c: c.put_items(scope, entries), None)


def fetch_open_pulls(
    target: ScanTarget,
    config: GitHubConfig,
    *,
    include_issues: bool = False,
    cache: ItemCache | None = None,
    progress: Progress | None = None,
) -> ScanFetch:
    """Every open PR (and issue, with `include_issues`) of `target`, read through paginated GraphQL.

    Discovery, then as many queries as the biggest repository has pages of 100 (see
    `triage.github.scan_pages`). GitHub failures never raise: a
    repository that cannot be read is reported in `ScanFetch.errors` and the others are kept; a
    rate limit stops the scan with what was read so far. Items read are written to `cache`, so an
    agenda fetch of the same items right after can use them. `progress(done, total)` counts items.
    """
    kinds: tuple[ScanKind, ...] = ("pull", "issue") if include_issues else ("pull",)
    with Session(config, cache) as session:
        scan = _Scan(session, target, kinds, progress)
        scan.discover()
        scan.tick()
        scan.read_pages()
    return ScanFetch(
        target=target,
        items=tuple(scan.items),
        repos=tuple(RepoScan.of(s) for s in scan.planner.streams),
        errors=tuple(session.errors),
        notes=tuple(scan.notes),
        rate=session.rate,
        requests=session.requests,
        observed_at=datetime.now(UTC).replace(microsecond=0),
        maintainers=scan.maintainers,
    )
