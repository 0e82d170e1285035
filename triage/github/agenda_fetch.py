"""Fetch the agenda's items from GitHub: batched GraphQL, cached, and every fault a sentence.

It takes item keys and returns plain `ItemFacts`, so nothing downstream can issue a request
(STYLE: "fetch once, at one boundary").

How a run spends requests:

* **Cold:** the items travel in aliased GraphQL queries, `CHUNK_SIZE` items per query across
  repositories (`triage.github.queries`), so one missing item does not throw away the rest of the
  answer. With a cache, the change probes then record a baseline (`triage.github.probe`).
* **Warm:** each probe is repeated with `If-None-Match`. A 304 means nothing in those repositories
  changed, costs no rate limit, and every cached item is served as is; a 200 lists exactly which
  items changed since the baseline, and only those are fetched again.
* **Limits of the probe:** search sees changes that touch an item's `updated_at` once GitHub's
  search index has them (usually seconds). CI status and mergeability change without touching
  `updated_at`, so facts older than `max_age` are fetched again whatever the probe says; search
  does not cover discussions, so they are fetched again every run outside `fresh_for`.

Moved repositories: GitHub's GraphQL follows renames and transfers (`repository(followRenames:)`
defaults to true), so such items come back with their facts and the status "moved to owner/new".
Only a repository GraphQL cannot resolve at all costs one REST `GET /repos/o/r`, whose 301 (which
PyGithub follows) tells "moved" from "not found or private" on servers that do not follow renames.

Nothing fetched is lost when a later request fails: each item carries its facts or the sentence
saying why it has none, and the cache keeps what was read.

Who is served what (issue 12, D1): facts of public repositories are cached for anyone; facts of a
private repository (or of one whose visibility is unknown), and answers that depend on who asks
("not found"), only for the login GitHub named as the token's owner (`viewer`, read in the same
query). A run serves such an entry only once GitHub has named the same login in this run (a warm run
asks it in one point when it has such entries), so no other token, no rejected token and no token at
all is ever served them. When a request fails, the failure is said and the facts kept from earlier
are shown as "stale" with the moment they were read, never as fetched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from triage.facts import ItemFacts, ItemKey, Kind
from triage.github.answers import ChunkAnswer, parse_items_answer
from triage.github.cache import PUBLIC, CachedItem, ItemCache
from triage.github.client import Session, observed_at
from triage.github.config import FetchResult, GitHubConfig, Progress
from triage.github.errors import GitHubError, GitHubFailedError, MovedError, NotFoundError, RateLimitedError
from triage.github.faults import failure, graphql_failure
from triage.github.probe import ProbeKind, Prober
from triage.github.queries import VIEWER_QUERY, build_items_query
from triage.github.scan_queries import REPO_RE

_log = logging.getLogger(__name__)

MAX_CONSECUTIVE_FAILED_CHUNKS = 2  # then GitHub is down for us; stop instead of timing out 20 more times


def _failed(key: ItemKey, kind: Kind | None, err: GitHubError, now: datetime) -> ItemFacts:
    return ItemFacts(key=key, kind=kind, status=err.status, status_detail=err.detail, observed_at=now)


def _stale(cached: CachedItem, err: GitHubError) -> ItemFacts:
    """Cached facts this run could not refresh: "stale", saying why and when they were read (an
    answer without facts, such as "not found", keeps its status and says the same)."""
    facts = cached.facts
    when = f"{facts.observed_at:%Y-%m-%d %H:%M} UTC" if facts.observed_at else "earlier"
    if facts.found:
        return replace(facts, status="stale", status_detail=f"not refreshed ({err.detail}); facts as read {when}")
    return replace(facts, status_detail=f"{facts.status_detail or facts.status} as read {when}; "
                   f"not refreshed ({err.detail})")


def _servable(entries: Mapping[ItemKey, Sequence[CachedItem]], identity: str | None) -> dict[ItemKey, CachedItem]:
    """The newest cached entry of each item that `identity` (None: unconfirmed) may be served."""
    allowed = {PUBLIC} if identity is None else {PUBLIC, identity}
    out: dict[ItemKey, CachedItem] = {}
    for key, candidates in entries.items():
        usable = [e for e in candidates if e.identity in allowed]
        if usable:
            out[key] = max(usable, key=lambda e: e.facts.observed_at or datetime.min.replace(tzinfo=UTC))
    return out


def _confirm_identity(session: Session) -> None:
    """Ask GitHub who the token belongs to (one point); a failure is said, and nothing narrow is served."""
    try:
        session.graphql(VIEWER_QUERY, {})
    except Exception as e:
        err = failure(e, session.config, "the token's account")
        if err is None:
            raise
        session.error(err)


class _ItemRun:
    """One call of `fetch_items`: what each item resolved to so far, and the progress."""

    def __init__(
        self, session: Session, kinds: Mapping[ItemKey, Kind | None], progress: Progress | None, total: int
    ) -> None:
        self.session = session
        self.kinds = kinds
        self.progress = progress
        self.total = total
        self.results: dict[ItemKey, ItemFacts] = {}
        self.cached: dict[ItemKey, CachedItem] = {}
        self.from_cache = 0
        self.maintainers: dict[str, frozenset[str]] = {}  # read in this run (empty: no owner file)

    def tick(self) -> None:
        if self.progress is not None:
            self.progress(len(self.results), self.total)

    def fail(self, keys: Iterable[ItemKey], err: GitHubError) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        for key in keys:
            cached = self.cached.get(key)
            self.results[key] = _stale(cached, err) if cached else _failed(key, self.kinds.get(key), err, now)

    def serve(self, keys: Iterable[ItemKey]) -> None:
        """Answer `keys` from the cache."""
        for key in keys:
            self.results[key] = self.cached[key].facts
            self.from_cache += 1

    def plan(self, keys: Sequence[ItemKey]) -> tuple[list[ItemKey], dict[tuple[ProbeKind, str], list[ItemKey]]]:
        """Serve what the cache can vouch for; return (to fetch, candidates per probe target)."""
        now = datetime.now(UTC)
        config = self.session.config
        to_fetch: list[ItemKey] = []
        candidates: dict[tuple[ProbeKind, str], list[ItemKey]] = {}
        for key in keys:
            entry = self.cached.get(key)
            seen = entry.facts.observed_at if entry else None
            if entry is None or seen is None or now - seen > config.max_age:
                to_fetch.append(key)
            elif now - seen <= config.fresh_for or entry.probe_repo is None:
                self.serve([key])
            elif (target := Prober.target(entry)) is None:  # search, hence the probe, does not see discussions
                to_fetch.append(key)
            else:
                candidates.setdefault(target, []).append(key)
        return to_fetch, candidates

    def fetch(self, keys: Sequence[ItemKey]) -> None:
        """Fetch `keys` in chunks through GraphQL, keeping every chunk's results whatever happens next."""
        ordered = sorted(keys, key=lambda k: (k.repo.lower(), k.number))
        size = self.session.config.chunk_size
        failures_in_a_row = 0
        for start in range(0, len(ordered), size):
            chunk = ordered[start : start + size]
            if self.session.stopped is not None:
                self.fail(chunk, self.session.stopped)
                self.tick()
                continue
            plan = build_items_query(chunk, self.kinds)
            try:
                headers, body = self.session.graphql(plan.text, plan.variables)
                answer = parse_items_answer(plan, body, observed_at(headers))
            except Exception as e:
                err = failure(e, self.session.config)
                if err is None:
                    raise
                failures_in_a_row += 1
                self._chunk_failed(chunk, err, failures_in_a_row)
                continue
            failures_in_a_row = 0
            self._take(chunk, answer, headers)
            self.tick()

    def _chunk_failed(self, chunk: Sequence[ItemKey], err: GitHubError, in_a_row: int) -> None:
        _log.info("GraphQL chunk of %d items failed: %s", len(chunk), err)
        self.session.error(err)
        if in_a_row >= MAX_CONSECUTIVE_FAILED_CHUNKS and self.session.stopped is None:
            self.session.stopped = err
        self.fail(chunk, err)
        self.tick()

    def _identity(self, public: bool) -> str | None:
        """Who may be served facts just read from the cache: anyone (`public`), the login that read
        them, or no one (None: GitHub did not say who asked)."""
        return PUBLIC if public else self.session.identity

    def _take(self, chunk: Sequence[ItemKey], answer: ChunkAnswer, headers: Mapping[str, Any]) -> None:
        now = observed_at(headers)
        self.session.note_body_rate(headers, answer.rate)
        self.maintainers.update(answer.maintainers)
        general = [graphql_failure(e, None, headers) for e in answer.general_errors]
        limited = next((g for g in general if isinstance(g, RateLimitedError)), None)
        if limited is not None or (general and not answer.found and not answer.item_errors):
            err = limited or general[0]
            self.session.error(err)
            self.fail([k for k in chunk if k not in answer.found], err)
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
                if (who := self._identity(facts.private is False)) is not None:
                    stored.append(CachedItem(facts, canonical.lower(), who))
            elif key in answer.item_errors:
                error = answer.item_errors[key]
                err = graphql_failure(error, key, headers)
                repo_missing = isinstance(err, NotFoundError) and len(error.path) <= 1
                if repo_missing and (target := self.session.redirect_of(key.repo)) is not None:
                    err = MovedError(key.repo, target)
                elif repo_missing and key.repo in self.session.refused:  # not "not found": say what happened
                    err = self.session.refused[key.repo]
                elif repo_missing:
                    err = NotFoundError(str(err), f"repository {key.repo} not found or private")
                facts = _failed(key, self.kinds.get(key), err, now)
                self.results[key] = facts
                # A thread missing from a public repository is missing for everyone; anything else
                # GitHub did not show may be hidden from this token only.
                public = not repo_missing and answer.repo_private.get(key.repo) is False
                if isinstance(err, NotFoundError | MovedError) and (who := self._identity(public)) is not None:
                    # A missing thread has no kind for a probe to search (and search rejects a missing
                    # repository): the answer is kept until it is max_age old.
                    stored.append(CachedItem(facts, None, who))
                elif key in self.cached:
                    self.results[key] = _stale(self.cached[key], err)
            elif key not in self.results:
                self.fail([key], GitHubFailedError("GitHub's answer left out an item", "not fetched"))
        scope = self.session.config.scope
        if stored:
            self.session.cached(lambda c: c.put_items(scope, stored), None)
        if answer.maintainers:
            self.session.cached(lambda c: c.put_maintainers(scope, answer.maintainers), None)
        for entry in stored:
            self.cached[entry.facts.key] = entry


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
    unique = list(dict.fromkeys(keys))
    with Session(config, cache) as session:
        run = _ItemRun(session, dict(kinds or {}), progress, len(unique))
        now = datetime.now(UTC).replace(microsecond=0)
        valid: list[ItemKey] = []
        for key in unique:
            if REPO_RE.match(key.repo) and key.number > 0:
                valid.append(key)
            else:
                err = GitHubError(f"{key.ref!r} is not a GitHub item", "not a valid owner/repo#number")
                run.results[key] = _failed(key, run.kinds.get(key), err, now)
        entries: dict[ItemKey, list[CachedItem]] = session.cached(lambda c: c.get_entries(config.scope, valid), {})
        if config.token and any(e.identity != PUBLIC for found in entries.values() for e in found):
            _confirm_identity(session)
        run.cached = _servable(entries, session.identity)
        prober = Prober(session, run.cached)
        to_fetch, candidates = run.plan(valid)
        run.tick()
        if candidates:
            # The cached items of the whole agenda make the groups, as they did when the probes were
            # recorded, so the same agenda always probes the same groups and finds its stored ETags.
            targets = {t for k in valid if k in run.cached and (t := Prober.target(run.cached[k])) is not None}
            stale, fresh = prober.validate(candidates, targets)
            run.serve(fresh)
            to_fetch += stale
            run.tick()
        run.fetch(to_fetch)
        if session.cache is not None and to_fetch:
            prober.baseline(valid)
        # Maintainers of repositories whose items all came from the cache were read on an earlier run;
        # only those of items this run may show (a private repository's file names its people too).
        repos = {k.repo.lower() for k in valid if run.results[k].found} - set(run.maintainers)
        maintainers = {**session.cached(lambda c: c.get_maintainers(config.scope, repos), {}), **run.maintainers}
    return FetchResult(
        items=tuple(run.results[k] for k in keys),
        rate=session.rate,
        requests=session.requests,
        errors=tuple(session.errors),
        from_cache=run.from_cache,
        maintainers={repo: logins for repo, logins in maintainers.items() if logins},
    )
