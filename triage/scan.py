"""Find what the agenda missed: the open PRs (and issues) of repositories or an organisation, sorted
by whose turn it is and ranked with the agenda's own criteria and weights.

`run` reads them from GitHub (through `triage.github.scan.fetch_open_pulls`, about one request per 100
items); everything else here is pure. Each item lands in one *bucket*:

* **maintainers**: someone other than a maintainer spoke last, or a requested review was not given;
* **maintainers_own**: a maintainer's own PR or issue, waiting on the other maintainers (their
  backlog, not neglected contributions);
* **author**: changes were requested and not answered, CI fails, or the PR conflicts;
* **nobody**: resolved, or nothing dated is known;
* **bot**: opened by a bot (dependabot, renovate, GitHub's Bot accounts, the configured bot list),
  whatever its turn: dependency bumps are triaged on their own, not against people's work.

Whose turn it is comes from `triage.ranking.turns` (the same rules the agenda's ranking uses), so a PR
scores the same here as on the agenda, and a chosen one can be added to the agenda as it is.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from triage.agenda import AgendaRef
from triage.facts import FactSet, ItemFacts, ItemKey, People
from triage.github.cache import ItemCache
from triage.github.config import GitHubConfig, Progress
from triage.github.scan import ScanFetch, fetch_open_pulls
from triage.github.scan_queries import REPO_RE, ScanInputError, ScanTarget
from triage.meeting import Meeting
from triage.ranking import scoring
from triage.ranking.criteria import Params
from triage.ranking.signals import AgendaContext
from triage.ranking.weights import Weights

Bucket = Literal["maintainers", "maintainers_own", "author", "nobody", "bot"]
BUCKETS: tuple[Bucket, ...] = ("maintainers", "maintainers_own", "author", "nobody", "bot")
PEOPLE_BUCKETS = ("maintainers", "maintainers_own", "author", "nobody")  # what a filter may ask for
BUCKET_TITLES: dict[str, str] = {
    "maintainers": "waiting on maintainers",
    "maintainers_own": "maintainers' own",
    "author": "waiting on the author",
    "nobody": "waiting on nobody",
    "bot": "bot",
}
# The dependency updaters GitHub hosts; they open most bot PRs and are bots whatever the config says.
DEPENDENCY_BOTS = frozenset({"dependabot[bot]", "renovate[bot]"})
FOUND_FLAG = "found-by-scan"  # the agenda flag of items added from a scan
FOUND_SECTION = "Found by scan"
MAX_REPOS = 500  # a scan of more named repositories than this is an organisation scan
# Histogram bins of days waiting: a week, a fortnight, a month, a quarter, half a year, a year.
WAITING_BINS = (0, 7, 14, 30, 90, 180, 365)


# --- naming what to scan -------------------------------------------------------------------------------


def parse_repos(text: str) -> tuple[str, ...]:
    """Repositories from free text: owner/name separated by commas, spaces or new lines.

    github.com links are accepted too. Raises ScanInputError quoting the first bad entry.
    """
    repos: list[str] = []
    for raw in text.replace(",", " ").split():
        entry = raw.strip().removeprefix("https://").removeprefix("http://").removeprefix("github.com/")
        entry = "/".join(entry.strip("/").split("/")[:2])
        if not REPO_RE.match(entry):
            raise ScanInputError(f"Invalid repository {raw!r}: expected owner/name, e.g. falcosecurity/libs")
        if entry.lower() not in (r.lower() for r in repos):
            repos.append(entry)
    if len(repos) > MAX_REPOS:
        raise ScanInputError(f"{len(repos)} repositories named; scan at most {MAX_REPOS}, or scan the organisation")
    return tuple(repos)


def target(org: str | None = None, repos: Iterable[str] = ()) -> ScanTarget:
    """What to scan: an organisation, or repositories; ScanInputError when neither or both."""
    org = (org or "").strip() or None
    return ScanTarget(org, tuple(repos))


# --- reading from GitHub --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    """A scan's items as a FactSet (what ranking reads), with what the fetch reported."""

    fetch: ScanFetch
    facts: FactSet
    as_of: datetime
    read: str = field(default_factory=lambda: secrets.token_hex(8), compare=False)  # this read, for `key`

    @property
    def key(self) -> str:
        """Identifies this scan for caches: the target, the moment it was read and which read it was.
        The app's caches are shared by every session, and two sessions may read the same target in
        the same second with tokens that see different things: their scores must never be swapped."""
        return f"{self.fetch.target.label}@{self.fetch.observed_at.isoformat()}#{self.read}"


def result_of(fetch: ScanFetch, people: People | None = None) -> ScanResult:
    """Wrap a fetch as a ScanResult judged as of when it was read."""
    known = people or People()
    # What the repositories' own OWNERS (or similar) files say comes with the scan.
    known = replace(known, by_repo={**known.by_repo, **fetch.maintainers})
    facts = FactSet(fetch.items, f"scan:{fetch.target.label}", known, fetch.observed_at)
    return ScanResult(fetch, facts, fetch.observed_at)


def run(
    scan_target: ScanTarget,
    config: GitHubConfig,
    *,
    include_issues: bool = False,
    people: People | None = None,
    cache: ItemCache | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Read every open PR (and issue) of `scan_target` from GitHub; failures are in `fetch.errors`."""
    fetched = fetch_open_pulls(scan_target, config, include_issues=include_issues, cache=cache, progress=progress)
    return result_of(fetched, people)


# --- classification: one rule each ----------------------------------------------------------------------


def is_dependency_bot(login: str | None) -> bool:
    """dependabot or renovate, the dependency updaters GitHub hosts."""
    return (login or "").lower() in DEPENDENCY_BOTS


def is_bot_item(item: ItemFacts, people: People) -> bool:
    """Opened by a bot: GitHub's Bot type, a `[bot]` login, a dependency bot, or a configured bot."""
    return people.is_bot(item.author, item.author_type) or is_dependency_bot(item.author)


def bucket_of(ball: str | None, bot: bool) -> Bucket:
    """The item's bucket: bots have their own; otherwise whose turn it is (unknown counts as nobody)."""
    if bot:
        return "bot"
    return ball if ball in ("maintainers", "maintainers_own", "author") else "nobody"  # type: ignore[return-value]


def classify(evaluated: pd.DataFrame, facts: FactSet, people: People | None = None) -> pd.DataFrame:
    """`evaluated` (from `scoring.evaluate`, in the order of `facts.items`) with the scan's columns:
    bucket, draft, bot, dependency_bot, first_time."""
    crowd = facts.people if people is None else facts.people.merged_with(people)
    bots = [is_bot_item(i, crowd) for i in facts.items]
    out = evaluated.copy()
    out["bot"] = bots
    out["dependency_bot"] = [is_dependency_bot(i.author) for i in facts.items]
    out["draft"] = [bool(i.draft) for i in facts.items]
    out["first_time"] = [bool(i.first_time_contributor) for i in facts.items]
    out["bucket"] = [bucket_of(b, bot) for b, bot in zip(out["ball"], bots, strict=True)]
    return out


def evaluate(
    result: ScanResult,
    params: Params,
    people: People | None = None,
    agenda: Mapping[ItemKey, AgendaContext] | None = None,
) -> pd.DataFrame:
    """Every criterion's score for every scanned item (as of the scan's moment), plus the scan's
    columns (`classify`).

    `agenda` gives items that are also on the agenda their agenda context, so they score the same
    here as on the Ranking page.
    """
    evaluated = scoring.evaluate(result.facts, params, result.as_of, agenda, people)
    return classify(evaluated, result.facts, people)


# --- filtering, ranking, summaries ------------------------------------------------------------------------


class ScanFilterError(ValueError):
    """A scan filter value triage cannot use; the message quotes it."""


@dataclass(frozen=True)
class ScanFilter:
    """Which scanned items to show: buckets, minimum days waiting, drafts, bots, kinds."""

    min_waiting: int = 0  # days in the current bucket
    waiting_on: tuple[str, ...] = ("maintainers",)  # buckets of items opened by people
    include_drafts: bool = False
    include_bots: bool = False
    include_issues: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.min_waiting, bool) or not isinstance(self.min_waiting, int) or self.min_waiting < 0:
            raise ScanFilterError(f"Minimum days waiting {self.min_waiting!r} must be a whole number of at least 0")
        for name in self.waiting_on:
            if name not in BUCKETS or name == "bot":
                raise ScanFilterError(f"Unknown bucket {name!r}; expected one of {', '.join(PEOPLE_BUCKETS)}")


def select(frame: pd.DataFrame, chosen: ScanFilter) -> pd.DataFrame:
    """The rows of a `classify`d frame that `chosen` keeps (bots only with `include_bots`)."""
    if frame.empty:
        return frame
    days = frame["ball_days"].fillna(0).astype(int).to_numpy()
    keep = np.where(frame["bot"].to_numpy(dtype=bool), chosen.include_bots,
                    frame["bucket"].isin(chosen.waiting_on).to_numpy())
    keep &= days >= chosen.min_waiting
    if not chosen.include_drafts:
        keep &= ~frame["draft"].to_numpy(dtype=bool)
    if not chosen.include_issues:
        keep &= (frame["kind"] == "pull").to_numpy()
    return frame[keep]


def rank(frame: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """Selected rows ranked with `weights`, exactly as the agenda is (`scoring.rank`)."""
    return scoring.rank(frame.reset_index(drop=True), weights)


def on_agenda(ranked: pd.DataFrame, meeting: Meeting) -> pd.Series:
    """True for rows whose item the meeting already has (on its agenda or among its facts)."""
    refs = {r.ref.lower() for r in meeting.refs} | {i.ref.lower() for i in meeting.facts.items}
    return ranked["ref"].str.lower().isin(refs)


def waiting_histogram(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of items per (bucket, days-waiting bin): a chart of tens of rows for any scan size."""
    labels = [f"{lo}-{hi - 1} d" for lo, hi in pairwise(WAITING_BINS)]
    labels.append(f"{WAITING_BINS[-1]}+ d")
    if frame.empty:
        return pd.DataFrame({"bucket": pd.Series(dtype=str), "waiting": pd.Series(dtype=str),
                             "order": pd.Series(dtype=int), "items": pd.Series(dtype=int)})
    days = frame["ball_days"].fillna(0).astype(int).to_numpy()
    order = np.searchsorted(np.array(WAITING_BINS[1:]), days, side="right")
    counts = (pd.DataFrame({"bucket": frame["bucket"].map(BUCKET_TITLES).to_numpy(), "order": order})
              .groupby(["bucket", "order"]).size().rename("items").reset_index())
    counts["waiting"] = counts["order"].map(lambda n: labels[n])
    return counts[["bucket", "waiting", "order", "items"]]


def repo_counts(frame: pd.DataFrame, top: int = 25) -> pd.DataFrame:
    """Items per (repository, bucket) for the `top` repositories with most items; the rest as "other"."""
    if frame.empty:
        return pd.DataFrame({"repo": pd.Series(dtype=str), "bucket": pd.Series(dtype=str),
                             "items": pd.Series(dtype=int)})
    totals = frame["repo"].value_counts()
    shown = set(totals.index[:top])
    repo = frame["repo"].where(frame["repo"].isin(shown), f"other ({len(totals) - len(shown)} repositories)")
    return (pd.DataFrame({"repo": repo.to_numpy(), "bucket": frame["bucket"].map(BUCKET_TITLES).to_numpy()})
            .groupby(["repo", "bucket"]).size().rename("items").reset_index())


# --- onto the agenda -----------------------------------------------------------------------------------


def add_found(meeting: Meeting, found: Sequence[ItemFacts], source: str, as_of: datetime | None = None) -> Meeting:
    """`meeting` with the `found` items appended (those it does not have yet), each flagged
    FOUND_FLAG under the heading "Found by scan / `source`".

    The meeting is judged as of the later of its moment and `as_of` (the scan's), so nothing found
    is judged before it existed.
    """
    have = {i.key for i in meeting.facts.items} | {r.key for r in meeting.refs}
    new = [i for i in dict.fromkeys(found) if i.key not in have]
    if not new:
        return meeting
    refs = tuple(
        AgendaRef(i.key, i.kind, (), (FOUND_SECTION, source), i.title, (FOUND_FLAG,)) for i in new
    )
    note = f"{len(new)} item{'s' if len(new) != 1 else ''} added from a scan of {source}"
    facts = replace(
        meeting.facts,
        items=(*meeting.facts.items, *new),
        note="; ".join(n for n in (meeting.facts.note, note) if n),
    )
    moment = max(meeting.as_of, as_of) if as_of is not None else meeting.as_of
    return replace(meeting, facts=facts, refs=(*meeting.refs, *refs), as_of=moment)
