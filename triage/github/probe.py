"""The change probe: one conditional search per group of repositories that says which cached items
changed since their facts were read, so a warm run costs no rate limit when nothing did.

A probe is a search for the group's items updated since a *baseline* moment, whose ETag is kept
(`triage.github.cache.Probe`). Repeated with `If-None-Match`, a 304 means nothing in those
repositories changed and costs nothing; a 200 lists exactly which items changed, and only those are
fetched again. What a probe cannot vouch for is fetched again: a probe that fails, answers more
than one page, or was recorded after the facts were read never stands for "nothing changed".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from triage.facts import ItemKey, parse_when
from triage.github.cache import CachedItem, Probe
from triage.github.client import Session
from triage.github.errors import GitHubError, GitHubFailedError, RateLimitedError
from triage.github.faults import failure

_log = logging.getLogger(__name__)

PROBE_PAGE = 100  # one page of changed items per probe; more than that and the whole group is refetched
SEARCH_QUERY_LIMIT = 256  # GitHub rejects longer search queries
# The probe's baseline sits this far before the facts were read: it absorbs whole-second clocks and
# the few seconds GitHub's search index lags behind, at the price of listing a few unchanged items.
PROBE_MARGIN = timedelta(minutes=2)


def probe_groups(repos: Iterable[str]) -> list[tuple[str, ...]]:
    """Sorted repos packed into groups whose probe query stays inside GitHub's 256 characters."""
    groups: list[list[str]] = []
    room = SEARCH_QUERY_LIMIT - len(" updated:>=2000-01-01T00:00:00Z")
    used = room
    for repo in sorted(set(repos)):
        cost = len(f"repo:{repo} ")
        if used + cost > room:
            groups.append([])
            used = 0
        groups[-1].append(repo)
        used += cost
    return [tuple(g) for g in groups]


def probe_query(repos: Sequence[str], baseline: datetime) -> str:
    """The search text of one probe."""
    return " ".join(f"repo:{r}" for r in repos) + f" updated:>={baseline:%Y-%m-%dT%H:%M:%SZ}"


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_when(value)
    except ValueError:
        return None


def probe_from(group: tuple[str, ...], baseline: datetime, etag: str | None, body: Any) -> Probe:
    """The probe a search answer records; raises GitHubFailedError when it is not a search answer."""
    if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
        raise GitHubFailedError("GitHub's search answer has no item list", "not fetched: unreadable search answer")
    seen: list[tuple[str, int, datetime]] = []
    for item in body["items"]:
        if not isinstance(item, Mapping):
            continue
        repo_url = str(item.get("repository_url") or "")
        repo = unquote(urlsplit(repo_url).path).split("/repos/", 1)[-1].lower()
        updated = _when(item.get("updated_at"))
        if isinstance(item.get("number"), int) and updated is not None:
            seen.append((repo, item["number"], updated))
    complete = not body.get("incomplete_results") and int(body.get("total_count") or 0) <= len(seen)
    return Probe(group, baseline, etag, tuple(seen), complete)


class Prober:
    """The probes of one agenda fetch: validating cached items, and recording new baselines."""

    def __init__(self, session: Session, cached: Mapping[ItemKey, CachedItem]) -> None:
        self.session = session
        self.cached = cached
        self.search_spent = False  # the search rate limit ran out: no more probes this run

    def _search(self, query: str, etag: str | None) -> tuple[str | None, Any] | None:
        parameters = {"q": query, "sort": "updated", "order": "desc", "per_page": PROBE_PAGE}
        return self.session.conditional_get("/search/issues", parameters, etag)

    def _get(self, group: tuple[str, ...]) -> Probe | None:
        scope = self.session.config.scope
        probe: Probe | None = self.session.cached(lambda c: c.get_probe(scope, group), None)
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
        self, candidates: Mapping[str, Sequence[ItemKey]], all_repos: Iterable[str]
    ) -> tuple[list[ItemKey], list[ItemKey]]:
        """Ask each probe what changed: (changed or unvouched keys, unchanged keys)."""
        stale: list[ItemKey] = []
        fresh: list[ItemKey] = []
        for group in probe_groups(all_repos):
            keys = [k for r in group for k in candidates.get(r, [])]
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
                answer = self._search(probe_query(group, probe.baseline), probe.etag)
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
        """Record a probe for every repo group whose items have no valid one yet."""
        entries = [self.cached[k] for k in keys if k in self.cached and self.cached[k].probe_repo]
        by_repo: dict[str, list[CachedItem]] = {}
        for e in entries:
            by_repo.setdefault(e.probe_repo or "", []).append(e)
        for group in probe_groups(by_repo):
            if self.session.stopped is not None or self.search_spent:
                return
            group_entries = [e for r in group for e in by_repo[r] if e.facts.kind != "discussion"]
            if not group_entries:
                continue
            oldest = min(e.facts.observed_at or datetime.now(UTC) for e in group_entries)
            probe = self._get(group)
            if self.session.cache is None or (probe is not None and probe.complete and probe.baseline <= oldest):
                continue
            baseline = (oldest - PROBE_MARGIN).replace(microsecond=0)
            try:
                answer = self._search(probe_query(group, baseline), None)
                assert answer is not None  # an unconditional request cannot answer 304
                self._put(probe_from(group, baseline, *answer))
            except Exception as e:
                err = self._failure(e)
                # Without a probe the next run simply fetches these items again.
                _log.info("could not record a change probe: %s", err)
