"""The change probe: a conditional search per kind and group of repositories that says which cached
items changed since their facts were read, so a warm run costs no rate limit when nothing did.

A probe is `(repo:a OR repo:b) is:pr updated:>=BASELINE` (or `is:issue`), sent with
`advanced_search=true` and its ETag kept (`triage.github.cache.Probe`). Its meaning does not depend on
how GitHub reads several `repo:` qualifiers side by side (with advanced search a space is AND, so
`repo:a repo:b` matches nothing): the OR is written out, and GitHub documents both the syntax and the
parameter. Issues and PRs take separate searches because GitHub refuses a search that is not
restricted to one of them (422).

Repeated with `If-None-Match`, a 304 means nothing in those repositories changed and costs nothing
(GitHub documents a 304 on `/search/issues`); a 200 lists exactly which items changed, and only those
are fetched again. What a probe cannot vouch for is fetched again, never read as "nothing changed": a
probe that fails, answers more than one page, lists items it was not asked for, leaves out an item
known to have changed after its baseline, or was recorded after the facts were read.

Cost: one search per kind per group of up to `MAX_GROUP` repositories, recorded on a cold run (the
16-item demo agenda: a PR probe and an issue probe, each over its repositories) and repeated on
every warm run, where each 304 costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from triage.facts import ItemKey, Kind, parse_when
from triage.github.cache import CachedItem, Probe
from triage.github.client import Session
from triage.github.errors import GitHubError, GitHubFailedError, RateLimitedError
from triage.github.faults import failure

_log = logging.getLogger(__name__)

ProbeKind = Literal["issue", "pr"]
PROBE_KINDS: dict[Kind | None, ProbeKind] = {"issue": "issue", "pull": "pr"}  # search does not see discussions
PROBE_PAGE = 100  # one page of changed items per probe; more than that and the whole group is refetched
SEARCH_QUERY_LIMIT = 256  # GitHub rejects longer search queries
# Repositories per probe. GitHub allows at most five AND/OR/NOT operators; `(a OR b OR c OR d) is:pr
# updated:>=T` writes three and implies two with its spaces, which are counted too because GitHub does
# not say whether they count.
MAX_GROUP = 4
# The probe's baseline sits this far before the facts were read: it absorbs whole-second clocks and
# the few seconds GitHub's search index lags behind, at the price of listing a few unchanged items.
PROBE_MARGIN = timedelta(minutes=2)
_SOME_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)  # every baseline prints with the same length


@dataclass(frozen=True, order=True)
class ProbeGroup:
    """Which items one probe watches: one kind, in a few repositories (lower-cased, sorted)."""

    kind: ProbeKind
    repos: tuple[str, ...]


def probe_query(group: ProbeGroup, baseline: datetime) -> str:
    """The search text of one probe."""
    names = " OR ".join(f"repo:{r}" for r in group.repos)
    scope = f"({names})" if len(group.repos) > 1 else names
    return f"{scope} is:{group.kind} updated:>={baseline:%Y-%m-%dT%H:%M:%SZ}"


def probe_groups(targets: Iterable[tuple[ProbeKind, str]]) -> list[ProbeGroup]:
    """(kind, repo) pairs packed into groups of one kind whose query fits GitHub's limits."""
    groups: list[ProbeGroup] = []
    pairs = set(targets)
    kinds: tuple[ProbeKind, ...] = ("issue", "pr")
    for kind in kinds:
        packed: list[str] = []
        for repo in sorted({r for k, r in pairs if k == kind}):
            trial = ProbeGroup(kind, (*packed, repo))
            too_long = len(probe_query(trial, _SOME_MOMENT)) > SEARCH_QUERY_LIMIT
            if packed and (len(trial.repos) > MAX_GROUP or too_long):
                groups.append(ProbeGroup(kind, tuple(packed)))
                packed = []
            packed.append(repo)
        if packed:
            groups.append(ProbeGroup(kind, tuple(packed)))
    return groups


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_when(value)
    except ValueError:
        return None


def probe_from(group: ProbeGroup, baseline: datetime, etag: str | None, body: Any) -> Probe:
    """The probe a search answer records; raises GitHubFailedError when it is not a search answer.

    An answer listing a thread of another kind or repository was not read the way it was asked: the
    probe is kept as incomplete, so it vouches for nothing.
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise GitHubFailedError("GitHub's search answer has no item list", "not fetched: unreadable search answer")
    seen: list[tuple[str, int, datetime]] = []
    foreign = 0
    for item in body["items"]:
        if not isinstance(item, Mapping):
            continue
        repo_url = str(item.get("repository_url") or "")
        repo = unquote(urlsplit(repo_url).path).split("/repos/", 1)[-1].lower()
        is_pr = isinstance(item.get("pull_request"), Mapping)
        updated = _when(item.get("updated_at"))
        foreign += repo not in group.repos or is_pr != (group.kind == "pr")
        if isinstance(item.get("number"), int) and updated is not None:
            seen.append((repo, item["number"], updated))
    if foreign:
        _log.info("probe %s listed %d threads it was not asked for; it vouches for nothing", group, foreign)
    complete = not foreign and not body.get("incomplete_results") and int(body.get("total_count") or 0) <= len(seen)
    return Probe(group.repos, baseline, etag, tuple(seen), complete, group.kind)


class Prober:
    """The probes of one agenda fetch: validating cached items, and recording new baselines."""

    def __init__(self, session: Session, cached: Mapping[ItemKey, CachedItem]) -> None:
        self.session = session
        self.cached = cached
        self.search_spent = False  # the search rate limit ran out: no more probes this run

    @staticmethod
    def target(entry: CachedItem) -> tuple[ProbeKind, str] | None:
        """The (kind, repository) whose probe can vouch for a cached item; None when no probe can."""
        kind = PROBE_KINDS.get(entry.facts.kind)
        return (kind, entry.probe_repo) if kind is not None and entry.probe_repo else None

    def _search(self, group: ProbeGroup, baseline: datetime, etag: str | None) -> tuple[str | None, Any] | None:
        parameters = {
            "q": probe_query(group, baseline),
            "advanced_search": "true",  # documented; makes OR and parentheses mean what they say everywhere
            "sort": "updated",
            "order": "desc",
            "per_page": PROBE_PAGE,
        }
        return self.session.conditional_get("/search/issues", parameters, etag)

    def _get(self, group: ProbeGroup) -> Probe | None:
        scope = self.session.config.scope
        probe: Probe | None = self.session.cached(lambda c: c.get_probe(scope, group.repos, group.kind), None)
        return probe

    def _put(self, probe: Probe) -> None:
        scope = self.session.config.scope
        self.session.cached(lambda c: c.put_probe(scope, probe), None)

    def _failure(self, exc: Exception) -> GitHubError:
        """The error a probe search raised. Search has its own rate limit: a spent one stops the
        probes of this run (each would fail the same way), and says nothing about GraphQL's."""
        err = failure(exc, self.session.config, "the change probe")
        if err is None:
            raise exc
        if isinstance(err, RateLimitedError):
            self.search_spent = True
        return err

    def validate(
        self, candidates: Mapping[tuple[ProbeKind, str], Sequence[ItemKey]], targets: Iterable[tuple[ProbeKind, str]]
    ) -> tuple[list[ItemKey], list[ItemKey]]:
        """Ask each probe what changed: (changed or unvouched keys, unchanged keys)."""
        stale: list[ItemKey] = []
        fresh: list[ItemKey] = []
        for group in probe_groups(targets):
            keys = [k for r in group.repos for k in candidates.get((group.kind, r), [])]
            if not keys:
                continue
            probe = self._get(group)
            if self.session.stopped or self.search_spent or probe is None or not probe.complete:
                stale.extend(keys)
                continue
            # The probe vouches only for facts read after its baseline.
            before = [k for k in keys if (self.cached[k].facts.observed_at or probe.baseline) < probe.baseline]
            stale.extend(before)
            keys = [k for k in keys if k not in before]
            if not keys:
                continue
            try:
                answer = self._search(group, probe.baseline, probe.etag)
                if answer is not None:  # 200: the list of changed items is new
                    probe = probe_from(group, probe.baseline, *answer)
                    self._put(probe)
            except Exception as e:
                err = self._failure(e)
                _log.info("change probe failed (%s); refetching %d items", err, len(keys))
                if err.stops_run and not isinstance(err, RateLimitedError):
                    self.session.error(err)
                stale.extend(keys)
                continue
            if not probe.complete:
                stale.extend(keys)
                continue
            changed = {(r, n): u for r, n, u in probe.seen}
            for key in keys:
                entry = self.cached[key]
                updated = changed.get((entry.probe_repo or "", key.number))
                known = entry.facts.updated_at
                if updated is not None and (known is None or updated > known):
                    stale.append(key)
                else:
                    fresh.append(key)
        return stale, fresh

    def baseline(self, keys: Sequence[ItemKey]) -> None:
        """Record a probe for every group whose items have no valid one yet."""
        by_target: dict[tuple[ProbeKind, str], list[CachedItem]] = {}
        for key in keys:
            entry = self.cached.get(key)
            target = self.target(entry) if entry is not None else None
            if entry is not None and target is not None:
                by_target.setdefault(target, []).append(entry)
        for group in probe_groups(by_target):
            if self.session.stopped is not None or self.search_spent:
                return
            entries = [e for r in group.repos for e in by_target[(group.kind, r)]]
            oldest = min(e.facts.observed_at or datetime.now(UTC) for e in entries)
            probe = self._get(group)
            if self.session.cache is None or (probe is not None and probe.complete and probe.baseline <= oldest):
                continue
            baseline = (oldest - PROBE_MARGIN).replace(microsecond=0)
            try:
                answer = self._search(group, baseline, None)
                assert answer is not None  # an unconditional request cannot answer 304
                probe = probe_from(group, baseline, *answer)
            except Exception as e:
                err = self._failure(e)
                # Without a probe the next run simply fetches these items again.
                _log.info("could not record a change probe: %s", err)
                continue
            # An item known to have changed since the baseline must be listed; if one is not, the
            # search does not find what it should, and the probe must not vouch for anything.
            listed = {(r, n) for r, n, _ in probe.seen}
            missed = [
                e for e in entries
                if e.facts.updated_at is not None and e.facts.updated_at >= baseline
                and (e.probe_repo, e.facts.number) not in listed
            ]
            if missed:
                _log.info("probe %s left out %d items that changed after its baseline", group, len(missed))
                probe = Probe(probe.repos, probe.baseline, probe.etag, probe.seen, False, probe.kind)
            self._put(probe)
