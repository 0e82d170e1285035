"""The reference for `triage.ranking.criteria`: the item-by-item criteria triage ran before issue 13 (the
oracle of `tests/test_columns_agree.py`; nothing in `triage` uses it).

The prioritization criteria: one small documented function each.

Each criterion reads an item's `Signals` (and the project's `Params`) and returns a `Score`: the
pair (value in 0..1 where 1 = discuss first, one-line reason). The docstring's first line is the help
text in the app's weights panel and the criteria page; the reason is the "why" in the table.
A weight of 0 switches a criterion off; the TOML keys are the function names.

Unknown is not zero: a criterion whose facts are missing returns `UNKNOWN` (NaN) with a reason
saying what is unknown, and `scoring.evaluate` scores it at the typical value of that criterion
in the ranking, never as "brand new" or "not waiting".
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import TypeAlias

from tests.oracle.signals import (
    AUTHOR_HOLD,
    CHANGES_REQUESTED,
    CI_FAILING,
    MERGE_CONFLICTS,
    ON_HOLD,
    REVIEW_REQUESTED,
    TAKEN_UP,
    Signals,
    days_between,
)
from triage.agenda.earlier import meeting_label
from triage.facts import ItemFacts
from triage.outcomes import CARRIED, MOVING, OUTCOMES, STALLED, STILL_OPEN, activity_by
from triage.ranking.as_of import CURRENT_FACTS_SLACK
from triage.ranking.criteria import Params


def is_current(item: ItemFacts, as_of: datetime) -> bool:
    """The item's current-state facts (labels, CI, mergeability, review decision) describe `as_of` (the
    columnar ranking reads this from its `observed` column)."""
    return item.observed_at is None or item.observed_at <= as_of + CURRENT_FACTS_SLACK


# A criterion's verdict on one item: (value in 0..1, one-line reason). A plain tuple rather than a
# named one: ranking 10,000 items builds 120,000 of them, and a named tuple costs 8 times as much.
Score: TypeAlias = tuple[float, str]
UNKNOWN = math.nan  # a criterion's value when its facts are missing (see the module docstring)


AUTHOR_FIXES = (MERGE_CONFLICTS, CI_FAILING, CHANGES_REQUESTED, AUTHOR_HOLD)  # ball reasons only the author clears


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


def _since(moment: datetime | None) -> str:
    return f" since {_ymd(moment)}" if moment else ""


def _hold_text(s: Signals) -> str:
    """"on hold: do-not-merge/hold, set by FedeDP on 2023-10-27; no removal seen"."""
    hold = s.hold
    if hold is None:
        return ON_HOLD
    by = f", set by {hold.by}" if hold.by else ""
    when = f" on {_ymd(hold.since)}" if hold.since and by else ""
    seen = "; the labels then are unknown, no removal seen" if hold.seen_only else ""
    return f"on hold: {hold.label}{by}{when}{seen}"


def _note(s: Signals) -> str:
    """The role note, as a suffix."""
    return f" ({s.role_note})" if s.role_note else ""


def _kind(s: Signals) -> str:
    return {"pull": "PR", "issue": "issue", "discussion": "discussion"}.get(s.item.kind or "", "item")


def _own(s: Signals) -> str:
    """Why the item is the maintainers' own: "a maintainer's own issue (by incertum)" or "taken up by
    the maintainers on 2023-10-05 (assigned at the 2023-10-05 meeting)"."""
    if s.ball_reason == TAKEN_UP:
        return f"taken up by the maintainers on {_replied(s)}"
    return f"a maintainer's own {_kind(s)} (by {s.item.author})"


def _replied(s: Signals) -> str:
    """When (and where, if elsewhere) a maintainer last acted: "2023-11-30 (incertum referred to ...)"."""
    moment = s.last_maintainer_at
    if moment is None:
        return "never"
    return _ymd(moment) + (f" ({s.last_maintainer_where})" if s.last_maintainer_where else "")


def _partial(s: Signals) -> str:
    """" (timeline partial)" when a claim that nobody spoke rests on a timeline read only in part."""
    return "" if s.item.timeline_complete else " (timeline partial)"


def _if_open(s: Signals, score: Score) -> Score:
    """A whose-turn verdict holds only if the item was still open: when that is unknown (closed since,
    on a date nobody recorded), it is scored at the typical value and says why."""
    if s.state is not None or s.ball is None:
        return score
    return UNKNOWN, f"{score[1]}, if still open on {_ymd(s.as_of)} ({s.state_note or 'state unknown'})"


def waiting_on_maintainers(s: Signals, p: Params) -> Score:
    """Days a contributor (or the community) has waited on the maintainers (a reply, a hold); 0.5 at 30 days."""
    return _if_open(s, _waiting(s, p))


def _waiting(s: Signals, p: Params) -> Score:
    ball = s.ball
    if ball == "maintainers":
        why = s.ball_reason if s.ball_reason != ON_HOLD else _hold_text(s)
        if s.ball_days is None:
            return UNKNOWN, f"waiting on maintainers ({why}), since an unknown date"
        extra = f" ({why})" if s.ball_reason in (REVIEW_REQUESTED, ON_HOLD) else _partial(s)
        return (saturating(s.ball_days, p.waiting_half_days),
                f"waiting {_days(s.ball_days)} on maintainers{_since(s.ball_since)}{extra}")
    if ball == "maintainers_own":
        return 0.0, f"{_own(s)}: not a contributor waiting{_note(s)}"
    if ball == "author" and s.ball_reason in AUTHOR_FIXES:
        why = _hold_text(s) if s.ball_reason == AUTHOR_HOLD else s.ball_reason
        return 0.0, f"the author's turn: {why}{_since(s.ball_since)}"
    if ball == "author" and s.ball_since is not None:
        return 0.0, f"maintainers replied on {_replied(s)}; the author's turn{_note(s)}"
    if ball == "nobody":
        return 0.0, "resolved"
    return UNKNOWN, "whose turn it is is unknown: no dated activity known"


def maintainer_silence(s: Signals, p: Params) -> Score:
    """Days since a maintainer (other than the author) acted, while it is their turn; 0.5 at 60 days."""
    return _if_open(s, _silence(s, p))


def _silence(s: Signals, p: Params) -> Score:
    if s.resolved:
        return 0.0, "resolved"
    if s.ball is None or s.maintainer_silence_days is None:
        return UNKNOWN, "maintainer activity unknown: no dated activity known"
    if s.ball == "author":
        return 0.0, f"the author's turn (a maintainer last acted on {_replied(s)})"
    if s.ball == "maintainers_own":
        return 0.0, "a maintainer's own item: counted under maintainers' own"
    days = s.maintainer_silence_days
    if s.last_maintainer_at is not None:
        why = f"last maintainer activity {_days(days)} ago ({_replied(s)})"
    elif s.age_days is None:
        why = f"no maintainer activity seen in the {_days(days)} since it was first seen"
    else:
        why = f"no maintainer activity in {_days(days)}"
    return saturating(days, p.silence_half_days), why + _partial(s)


def maintainers_own(s: Signals, p: Params) -> Score:
    """A maintainer's own proposal, tracking issue or PR waiting on the other maintainers; 0.5 at 30 days."""
    return _if_open(s, _own_wait(s, p))


def _own_wait(s: Signals, p: Params) -> Score:
    if s.ball == "maintainers_own":
        if s.ball_days is None:
            return UNKNOWN, f"{_own(s)}, since an unknown date"
        if s.ball_reason == TAKEN_UP:
            why = f"{_own(s)}, {_days(s.ball_days)} ago"
        else:
            why = (f"{_own(s)}, waiting {_days(s.ball_days)} on the other maintainers{_since(s.ball_since)}"
                   f"{_partial(s)}")
        return saturating(s.ball_days, p.waiting_half_days), why + _note(s)
    if s.ball is None:
        return UNKNOWN, "whose item and whose turn are unknown"
    if s.ball == "nobody":
        return 0.0, "resolved"
    return 0.0, "not a maintainer's own item waiting"


def age(s: Signals, p: Params) -> Score:
    """How long ago the thread was opened (at least, when only bounds are known); 0.5 at six months."""
    if s.age_days is not None:
        return saturating(s.age_days, p.age_half_days), f"opened {_days(s.age_days)} ago"
    before = s.opened_before
    if before is None or before > s.as_of:
        return UNKNOWN, "opening date unknown"
    bounds = s.item.created_bounds
    if bounds is not None and before == bounds[1]:
        why = f"opened between {_ymd(bounds[0])} and {_ymd(before)} (not observed)"
    else:
        why = f"first seen {_ymd(before)}; opening date unknown"
    return saturating((s.as_of - before).days, p.age_half_days), why


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
    return (0.0, "no milestone") if s.item.found else (UNKNOWN, "milestone unknown")


def community_demand(s: Signals, p: Params) -> Score:
    """Reactions plus people outside the maintainers and the author taking part; 1.0 at 10 points."""
    if s.item.reactions is None and not s.participants:
        return UNKNOWN, "reactions and participants unknown"
    return _demand(s.item.reactions, len(s.external_participants), p.demand_full)


@lru_cache(maxsize=_MEMO)
def _demand(reactions: int | None, outside: int, full: int) -> Score:
    points = (reactions or 0) + 2 * outside
    reaction_text = "reactions unknown" if reactions is None else f"{reactions} reactions"
    people = "1 outside participant" if outside == 1 else f"{outside} outside participants"
    return min(points / full, 1.0), f"{reaction_text}, {people}"


def _approved(s: Signals, p: Params, current: bool) -> bool | None:
    """A maintainer approved: an approving review by the moment, an approval label then, or GitHub's
    review decision (today's, so only when the facts describe the moment)."""
    item = s.item
    if s.approving_review or _any_matches(s.labels or (), p.ready_labels):
        return True
    if current and item.review_decision == "APPROVED":
        return True
    if (not current or item.review_decision is None) and s.labels is None and not item.timeline_complete:
        return None  # nothing observed could have shown an approval
    return False


def readiness(s: Signals, p: Params) -> Score:
    """How close a PR is to merging: approved, CI green, mergeable, not a draft (a quarter each)."""
    item = s.item
    if item.kind != "pull":
        return (0.0, "not a pull request") if item.kind else (UNKNOWN, "kind unknown")
    if s.resolved:
        return 0.0, "resolved"
    current = is_current(item, s.as_of)
    wip = _any_matches(s.labels or (), p.wip_labels)
    # CI, mergeability and draft are GitHub's state when read: they say nothing about an earlier moment.
    draft = True if wip else (item.draft if current else None)
    ci = None if item.ci_status is None or not current else item.ci_status == "SUCCESS"
    mergeable = item.mergeable if current else None
    return _readiness(_approved(s, p, current), ci, mergeable, None if draft is None else not draft, wip)


@lru_cache(maxsize=_MEMO)
def _readiness(
    approved: bool | None, ci_green: bool | None, mergeable: bool | None, not_draft: bool | None, wip: bool
) -> Score:
    """The readiness verdict on four yes/no/unknown answers (81 cases x WIP: built once each)."""
    parts = {"approved": approved, "CI green": ci_green, "mergeable": mergeable, "not a draft": not_draft}
    met = [name for name, ok in parts.items() if ok]
    unknown = [name for name, ok in parts.items() if ok is None]
    if len(unknown) == len(parts):
        return UNKNOWN, "unknown: " + ", ".join(unknown)
    missing = [f"not {name}" if name != "not a draft" else ("work in progress" if wip else "draft")
               for name, ok in parts.items() if ok is False]
    parts_text = [", ".join(met), ", ".join(missing), "unknown: " + ", ".join(unknown) if unknown else ""]
    return len(met) / len(parts), "; ".join(t for t in parts_text if t)


def review_effort(s: Signals, p: Params) -> Score:
    """Small PRs first: 1.0 up to 50 changed lines, falling to 0.1 above 1,000."""
    item = s.item
    if item.kind != "pull":
        return (0.0, "not a pull request") if item.kind else (UNKNOWN, "kind unknown")
    size = item.size
    if size is None:
        return UNKNOWN, "size unknown"
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
    """The highest-scoring label rule the item matched at the moment, from `[params.labels]`."""
    if s.labels is None:
        if s.item.labels is None:
            return UNKNOWN, "labels unknown"
        seen = f", read {_ymd(s.item.observed_at)}," if s.item.observed_at else ""
        return UNKNOWN, f"labels on {_ymd(s.as_of)} unknown (today's{seen} may be later ones)"
    return _labels(s.labels, p.label_rules)


@lru_cache(maxsize=_MEMO)
def _labels(names: tuple[str, ...], rules: tuple[tuple[str, float], ...]) -> Score:
    hits = [(value, name) for name in names for pattern, value in rules if _glob(name, pattern)]
    if not hits:
        return 0.0, "no label rule matches"
    value, label = max(hits)
    return value, f"label {label} ({value:g})"


def agenda_flags(s: Signals, p: Params) -> Score:
    """Agenda markers (URGENT, neglected, ...), an earlier meeting's SKIPPED, earlier meetings naming the item."""
    agenda = s.agenda
    if not agenda.flags and not agenda.carried_over:
        return 0.0, "no agenda flag"  # every scanned item: no need to build the table below
    flag_scores = dict(p.flag_scores)
    # SKIPPED means "raise it next time": it scores at the next meeting, not at the one that skipped it.
    found = [(flag_scores[f], f) for f in agenda.flags if f in flag_scores and f != "skipped"]
    if agenda.skipped_before:
        last = meeting_label(agenda.skipped_before[-1])
        found.append((flag_scores.get("skipped", 0.0), f"skipped at the {last} meeting, raised now"))
    carried = len(agenda.carried_over)
    if carried:
        found.append((min(0.5 + p.carried_over_step * (carried - 1), 1.0),
                      f"on the agenda of {carried} earlier meeting{'s' if carried > 1 else ''}"))
    notes = []
    if "skipped" in agenda.flags:
        notes.append("skipped here (raised at the next meeting)")
    if "if-time-permits" in agenda.flags:
        notes.append(f"if time permits (score capped at {p.time_permits_cap:g})")
    if not found:
        return 0.0, "; ".join(notes) or "no agenda flag"
    value = max(v for v, _ in found)
    return value, "; ".join([", ".join(f for _, f in sorted(found, reverse=True)), *notes])


def score_cap(s: Signals, p: Params) -> float:
    """The highest score the item may get: lower for what the agenda takes "if time permits"."""
    return p.time_permits_cap if "if-time-permits" in s.agenda.flags else 1.0


def human_author(s: Signals, p: Params) -> Score:
    """Opened by a person rather than a bot (dependency bumps wait in their own bucket)."""
    if s.author_is_bot is None:
        return UNKNOWN, "author unknown"
    if s.author_is_bot:
        return 0.0, f"opened by bot {s.item.author}"
    return 1.0, f"opened by {s.item.author}"


def first_time_contributor(s: Signals, p: Params) -> Score:
    """A first-time contributor is waiting: a quick answer keeps newcomers."""
    if s.first_time_contributor is None:
        return UNKNOWN, "contributor history unknown"
    if not is_current(s.item, s.as_of):
        # GitHub's association is the author's standing when read, not at the moment.
        return UNKNOWN, f"contributor history on {_ymd(s.as_of)} unknown (GitHub's association is today's)"
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
        maintainers_own,
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


def help_text(name: str) -> str:
    """A criterion's one-line documentation (its docstring's first line)."""
    doc = CRITERIA[name].__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""

