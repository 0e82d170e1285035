"""The prioritization criteria: one small documented function each.

Each criterion reads an item's `Signals` (and the project's `Params`) and returns a `Score`: the
pair (value in 0..1 where 1 = discuss first, one-line reason). The docstring's first line is the help
text in the app's weights panel and the criteria page; the reason is the "why" in the table.
A weight of 0 switches a criterion off; the TOML keys are the function names.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TypeAlias

from triage.outcomes import CARRIED, MOVING, OUTCOMES, STALLED, STILL_OPEN, activity_by
from triage.signals import CHANGES_REQUESTED, CI_FAILING, MERGE_CONFLICTS, REVIEW_REQUESTED, Signals, days_between

# A criterion's verdict on one item: (value in 0..1, one-line reason). A plain tuple rather than a
# named one: ranking 10,000 items builds 120,000 of them, and a named tuple costs 8 times as much.
Score: TypeAlias = tuple[float, str]


@dataclass(frozen=True)
class Params:
    """Project-specific knobs the criteria read (the `[params]` tables of triage.toml)."""

    waiting_half_days: int = 30  # waiting this long on maintainers scores 0.5
    silence_half_days: int = 60  # no maintainer activity for this long scores 0.5
    age_half_days: int = 180  # this old scores 0.5
    demand_full: int = 10  # reactions + 2 per outside participant at which demand scores 1.0
    release_targets: tuple[str, ...] = ()  # milestones (or agenda headings) naming the next release
    area_weights: tuple[tuple[str, float], ...] = ()  # (repo glob, 0..1), first match wins
    area_default: float = 0.5
    label_rules: tuple[tuple[str, float], ...] = ()  # (label glob, 0..1), highest match wins
    ready_labels: tuple[str, ...] = ("approved", "lgtm")  # labels that mean "a maintainer approved"
    wip_labels: tuple[str, ...] = ("do-not-merge/*", "wip", "work-in-progress")
    flag_scores: tuple[tuple[str, float], ...] = (
        ("urgent", 1.0),
        ("skipped", 0.6),
        ("needs-review", 0.5),
        ("if-time-permits", 0.1),
    )
    carried_over_step: float = 0.25  # each earlier meeting that named the item adds this, up to 1.0
    effort_buckets: tuple[tuple[int, float], ...] = field(
        default=((50, 1.0), (200, 0.75), (500, 0.5), (1000, 0.25))
    )  # (max lines changed, score); larger PRs score 0.1


AUTHOR_FIXES = (MERGE_CONFLICTS, CI_FAILING, CHANGES_REQUESTED)  # ball reasons only the author can clear


# Verdicts that depend on a few values (a label set, a repository, a reaction count, ...) are
# memoised: a scan asks the same few hundred questions for every one of thousands of items.
_MEMO = 4096


@lru_cache(maxsize=_MEMO)
def _glob(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


@lru_cache(maxsize=_MEMO)
def _any_matches(names: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    """Does any of `names` match any of `patterns`? (Items share a few dozen label sets.)"""
    return any(_glob(name, p) for name in names for p in patterns)


def _ymd(moment: datetime) -> str:
    """`YYYY-MM-DD`; isoformat, because strftime costs 5 microseconds, which 10,000 items notice."""
    return moment.date().isoformat()


def saturating(days: int, half: int) -> float:
    """0 at 0 days, 0.5 at `half` days, approaching 1 beyond: longer always ranks higher, unlike
    a cap at which a 4-month and a 2-year wait would tie."""
    return days / (days + half)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def waiting_on_maintainers(s: Signals, p: Params) -> Score:
    """Days the author (or the community) has waited for a maintainer's reply; 0.5 at 30 days."""
    if s.ball == "maintainers" and s.ball_days is not None:
        since = f" since {_ymd(s.ball_since)}" if s.ball_since else ""
        requested = f" ({s.ball_reason})" if s.ball_reason == REVIEW_REQUESTED else ""
        why = f"waiting {_days(s.ball_days)} on maintainers{since}{requested}"
        return saturating(s.ball_days, p.waiting_half_days), why
    if s.ball == "author" and s.ball_reason in AUTHOR_FIXES:
        since = f" since {_ymd(s.ball_since)}" if s.ball_since else ""
        return 0.0, f"the author's turn: {s.ball_reason}{since}"
    if s.ball == "author" and s.ball_since is not None:
        return 0.0, f"maintainers replied on {_ymd(s.ball_since)}; the author's turn"
    if s.ball == "nobody":
        return 0.0, "resolved"
    return 0.0, "no dated activity known"


def maintainer_silence(s: Signals, p: Params) -> Score:
    """Days since any maintainer (other than the author) acted on the thread; 0.5 at 60 days."""
    if s.resolved:
        return 0.0, "resolved"
    if s.maintainer_silence_days is None:
        return 0.0, "no dated activity known"
    days = s.maintainer_silence_days
    if s.last_maintainer_at is None:
        why = f"no maintainer activity in {_days(days)}"
    else:
        why = f"last maintainer activity {_days(days)} ago ({_ymd(s.last_maintainer_at)})"
    return saturating(days, p.silence_half_days), why


def age(s: Signals, p: Params) -> Score:
    """How long ago the thread was opened; 0.5 at six months."""
    if s.age_days is None:
        return 0.0, "opening date unknown"
    return saturating(s.age_days, p.age_half_days), f"opened {_days(s.age_days)} ago"


def release_milestone(s: Signals, p: Params) -> Score:
    """The item is planned for the next release: its milestone, or its agenda heading, names a target."""
    if not p.release_targets:
        return 0.0, "no release target configured"
    milestone = s.item.milestone
    if milestone and any(t.lower() in milestone.lower() for t in p.release_targets):
        return 1.0, f"milestone {milestone}"
    context = " / ".join((*s.agenda.section, s.agenda.bullet or ""))
    hit = next((t for t in p.release_targets if t.lower() in context.lower()), None)
    if hit:
        return 0.8, f"listed on the agenda under release {hit}"
    if milestone:
        return 0.2, f"milestone {milestone}, not a target release"
    return 0.0, "no milestone" if s.item.found else "milestone unknown"


def community_demand(s: Signals, p: Params) -> Score:
    """Reactions plus people outside the maintainers and the author taking part; 1.0 at 10 points."""
    return _demand(s.item.reactions, len(s.external_participants), p.demand_full)


@lru_cache(maxsize=_MEMO)
def _demand(reactions: int | None, outside: int, full: int) -> Score:
    points = (reactions or 0) + 2 * outside
    reaction_text = "reactions unknown" if reactions is None else f"{reactions} reactions"
    people = "1 outside participant" if outside == 1 else f"{outside} outside participants"
    return min(points / full, 1.0), f"{reaction_text}, {people}"


def _approved(s: Signals, p: Params) -> bool | None:
    """A maintainer approved: GitHub's review decision, an approving review, or an approval label."""
    item = s.item
    if item.review_decision == "APPROVED" or s.approving_review or _any_matches(item.labels or (), p.ready_labels):
        return True
    if item.review_decision is None and item.labels is None and not item.timeline_complete:
        return None  # nothing observed could have shown an approval
    return False


def readiness(s: Signals, p: Params) -> Score:
    """How close a PR is to merging: approved, CI green, mergeable, not a draft (a quarter each)."""
    item = s.item
    if item.kind != "pull":
        return 0.0, "not a pull request" if item.kind else "kind unknown"
    if s.resolved:
        return 0.0, "resolved"
    wip = _any_matches(item.labels or (), p.wip_labels)
    draft = True if wip else item.draft
    ci = None if item.ci_status is None else item.ci_status == "SUCCESS"
    return _readiness(_approved(s, p), ci, item.mergeable, None if draft is None else not draft, wip)


@lru_cache(maxsize=_MEMO)
def _readiness(
    approved: bool | None, ci_green: bool | None, mergeable: bool | None, not_draft: bool | None, wip: bool
) -> Score:
    """The readiness verdict on four yes/no/unknown answers (81 cases x WIP: built once each)."""
    parts = {"approved": approved, "CI green": ci_green, "mergeable": mergeable, "not a draft": not_draft}
    met = [name for name, ok in parts.items() if ok]
    unknown = [name for name, ok in parts.items() if ok is None]
    missing = [f"not {name}" if name != "not a draft" else ("work in progress" if wip else "draft")
               for name, ok in parts.items() if ok is False]
    parts_text = [", ".join(met), ", ".join(missing), "unknown: " + ", ".join(unknown) if unknown else ""]
    return len(met) / len(parts), "; ".join(t for t in parts_text if t)


def review_effort(s: Signals, p: Params) -> Score:
    """Small PRs first: 1.0 up to 50 changed lines, falling to 0.1 above 1,000."""
    item = s.item
    if item.kind != "pull":
        return 0.0, "not a pull request" if item.kind else "kind unknown"
    size = item.size
    if size is None:
        return 0.0, "size unknown"
    files = f" in {item.changed_files} files" if item.changed_files is not None else ""
    value = next((v for limit, v in p.effort_buckets if size <= limit), 0.1)
    return value, f"{size:,} lines changed{files}"


def area(s: Signals, p: Params) -> Score:
    """The weight of the item's repository (e.g. Falco vs. libs), from `[params.area]`."""
    return _area(s.item.key.repo, p.area_weights, p.area_default)


@lru_cache(maxsize=_MEMO)
def _area(repo: str, weights: tuple[tuple[str, float], ...], default: float) -> Score:
    for pattern, value in weights:
        if _glob(repo, pattern):
            return value, f"area {repo} ({value:g})"
    return default, f"area {repo} (default {default:g})"


def labels(s: Signals, p: Params) -> Score:
    """The highest-scoring label rule the item matches, from `[params.labels]`."""
    return _labels(s.item.labels, p.label_rules)


@lru_cache(maxsize=_MEMO)
def _labels(names: tuple[str, ...] | None, rules: tuple[tuple[str, float], ...]) -> Score:
    if names is None:
        return 0.0, "labels unknown"
    hits = [(value, name) for name in names for pattern, value in rules if _glob(name, pattern)]
    if not hits:
        return 0.0, "no label rule matches"
    value, label = max(hits)
    return value, f"label {label} ({value:g})"


def agenda_flags(s: Signals, p: Params) -> Score:
    """Agenda markers (URGENT, SKIPPED, ...) and earlier meetings that already named the item."""
    if not s.agenda.flags and not s.agenda.carried_over:
        return 0.0, "no agenda flag"  # every scanned item: no need to build the table below
    flag_scores = dict(p.flag_scores)
    found = [(flag_scores[f], f) for f in s.agenda.flags if f in flag_scores]
    carried = len(s.agenda.carried_over)
    if carried:
        found.append((min(0.5 + p.carried_over_step * (carried - 1), 1.0),
                      f"on the agenda of {carried} earlier meeting{'s' if carried > 1 else ''}"))
    if not found:
        return 0.0, "no agenda flag"
    value = max(v for v, _ in found)
    return value, ", ".join(f for _, f in sorted(found, reverse=True))


def human_author(s: Signals, p: Params) -> Score:
    """Opened by a person rather than a bot (dependency bumps wait in their own bucket)."""
    if s.author_is_bot is None:
        return 0.5, "author unknown"
    if s.author_is_bot:
        return 0.0, f"opened by bot {s.item.author}"
    return 1.0, f"opened by {s.item.author}"


def first_time_contributor(s: Signals, p: Params) -> Score:
    """A first-time contributor is waiting: a quick answer keeps newcomers."""
    if s.first_time_contributor is None:
        return 0.0, "contributor history unknown"
    if s.first_time_contributor:
        return 1.0, f"first contribution by {s.item.author}"
    return 0.0, "returning contributor"


def earlier_outcomes(s: Signals, p: Params) -> Score:
    """What earlier meetings decided: deferred and skipped items come back, stalled assignments are flagged."""
    history = s.agenda.outcomes
    if not history:
        return 0.0, "no outcome recorded at an earlier meeting"
    last = history[-1]  # the latest meeting's word
    entry, on = OUTCOMES[last.outcome], _ymd(last.decided_at)
    if last.outcome in CARRIED:
        times = sum(o.outcome == last.outcome for o in history)
        again = f" ({times} meetings)" if times > 1 else ""
        return entry.carry, f"carried over: {entry.label} on {on}{again}"
    if entry.names_someone:
        what = "assigned to" if last.outcome == "assigned" else "review asked of"
        acted = activity_by(s.item, last.who, last.decided_at, s.as_of)
        if acted is not None:
            return MOVING, f"{what} @{last.who} on {on}; @{last.who} active on {_ymd(acted)}"
        partial = "" if s.item.timeline_complete else "; timeline incomplete"
        days = _days(days_between(last.decided_at, s.as_of))
        return STALLED, f"{what} @{last.who} on {on}, no progress ({days}){partial}"
    if last.outcome == "wontfix" and s.state == "open":
        return STILL_OPEN, f"{entry.label} on {on}, still open"
    return entry.carry, f"{entry.label} on {on}"


Criterion = Callable[[Signals, Params], Score]

# The registry, in the order the app shows them. Names are the keys of triage.toml.
CRITERIA: dict[str, Criterion] = {
    f.__name__: f
    for f in (
        waiting_on_maintainers,
        maintainer_silence,
        age,
        release_milestone,
        community_demand,
        readiness,
        review_effort,
        area,
        labels,
        agenda_flags,
        human_author,
        first_time_contributor,
        earlier_outcomes,
    )
}


def title(name: str) -> str:
    """The human name of a criterion ("waiting_on_maintainers" -> "Waiting on maintainers")."""
    return name.replace("_", " ").capitalize()


def help_text(name: str) -> str:
    """A criterion's one-line documentation (its docstring's first line)."""
    doc = CRITERIA[name].__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""

