"""The prioritization criteria: one small documented function each.

Each criterion reads every item's `Signals` at once (columns, see `triage.signals`) and the
project's `Params`, and returns a `Verdict`: each item's value in 0..1 (1 = discuss first), and
how to say in one line why an item got its value. Reasons are built only for the items someone
reads (the rows on screen, an export): ten thousand items times a dozen criteria is more text than
anyone reads, and took longer to write than to score (issue 13). The docstring's first line is the
help text in the app's weights panel and the criteria page; the reason is the "why" in the table.
A weight of 0 switches a criterion off; the TOML keys are the function names.

Unknown is not zero: a criterion whose facts are missing gives `UNKNOWN` (NaN) with a reason
saying what is unknown, and `scoring.evaluate` scores it at the typical value of that criterion
in the ranking, never as "brand new" or "not waiting".
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TypeAlias

import numpy as np

from triage.agenda.earlier import meeting_label
from triage.fact_columns import CI_GREEN, NAT
from triage.outcomes import CARRIED, MOVING, OUTCOMES, STALLED, STILL_OPEN, activity_by
from triage.signals import SignalRow, Signals
from triage.timelines import DAY_US, days_between
from triage.turns import (
    AUTHOR,
    AUTHOR_HOLD,
    CHANGES_REQUESTED,
    CI_FAILING,
    MAINTAINERS,
    MERGE_CONFLICTS,
    NO_BALL,
    NOBODY,
    ON_HOLD,
    OWN,
    REASON_CODES,
    REVIEW_REQUESTED,
    TAKEN_UP,
)

# A criterion's verdict on one item: (value in 0..1, one-line reason).
Score: TypeAlias = tuple[float, str]
UNKNOWN = math.nan  # a criterion's value when its facts are missing (see the module docstring)
Why = Callable[[SignalRow], str]  # one item's reason, from its signals


@dataclass(frozen=True)
class Verdict:
    """A criterion's verdict on every item: values in 0..1 (NaN: unknown), and each one's reason."""

    values: np.ndarray  # float64, one per item
    why: Why

    def at(self, s: Signals, i: int) -> Score:
        """Item `i`'s value and reason."""
        return float(self.values[i]), self.why(s.row(i))


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
    # "skipped" scores at the meeting after the one that skipped the item (it is raised then);
    # "neglected" is the agenda saying items have waited ("not been given priority", "stale").
    flag_scores: tuple[tuple[str, float], ...] = (
        ("urgent", 1.0),
        ("neglected", 0.9),
        ("skipped", 0.9),
        ("needs-review", 0.5),
    )
    carried_over_step: float = 0.25  # each earlier meeting that named the item adds this, up to 1.0
    time_permits_cap: float = 0.1  # the highest score of an item the agenda takes "if time permits"
    effort_buckets: tuple[tuple[int, float], ...] = field(
        default=((50, 1.0), (200, 0.75), (500, 0.5), (1000, 0.25))
    )  # (max lines changed, score); larger PRs score 0.1


AUTHOR_FIXES = (MERGE_CONFLICTS, CI_FAILING, CHANGES_REQUESTED, AUTHOR_HOLD)  # ball reasons only the author clears


# Verdicts that depend on a few values (a label set, a repository, a reaction count, ...) are
# asked once per distinct value: a scan asks the same few hundred questions for thousands of items.
_MEMO = 4096


@lru_cache(maxsize=_MEMO)
def _glob(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


@lru_cache(maxsize=_MEMO)
def _any_matches(names: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    """Does any of `names` match any of `patterns`? (Items share a few dozen label sets.)"""
    return any(_glob(name, p) for name in names for p in patterns)


def _per_label(s: Signals, per_name: Callable[[str], float], empty: float) -> np.ndarray:
    """The largest `per_name` answer over each item's labels at the moment (`empty` for none; NaN
    where the labels are unknown), asked once per label name."""
    answers = np.array([per_name(name) for name in s.label_sets.names], dtype=float)
    out: np.ndarray = np.r_[s.label_sets.most(answers, empty), math.nan][s.labels]  # -1 (unknown) reads NaN
    return out


def _matches(patterns: tuple[str, ...]) -> Callable[[str], float]:
    return lambda name: float(any(_glob(name, p) for p in patterns))


def _ymd(moment: datetime) -> str:
    """`YYYY-MM-DD`; isoformat, because strftime costs 5 microseconds, which a long export notices."""
    return moment.date().isoformat()


def saturating(days: np.ndarray, half: int) -> np.ndarray:
    """0 at 0 days, 0.5 at `half` days, approaching 1 beyond: longer always ranks higher, unlike
    a cap at which a 4-month and a 2-year wait would tie."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = days / (days + half)
    return out


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _since(moment: datetime | None) -> str:
    return f" since {_ymd(moment)}" if moment else ""


def _hold_text(r: SignalRow) -> str:
    """"on hold: do-not-merge/hold, set by FedeDP on 2023-10-27; no removal seen"."""
    hold = r.hold
    if hold is None:
        return ON_HOLD
    by = f", set by {hold.by}" if hold.by else ""
    when = f" on {_ymd(hold.since)}" if hold.since and by else ""
    seen = "; the labels then are unknown, no removal seen" if hold.seen_only else ""
    return f"on hold: {hold.label}{by}{when}{seen}"


def _note(r: SignalRow) -> str:
    """The role note, as a suffix."""
    return f" ({r.role_note})" if r.role_note else ""


def _kind(r: SignalRow) -> str:
    return {"pull": "PR", "issue": "issue", "discussion": "discussion"}.get(r.item.kind or "", "item")


def _own(r: SignalRow) -> str:
    """Why the item is the maintainers' own: "a maintainer's own issue (by incertum)" or "taken up by
    the maintainers on 2023-10-05 (assigned at the 2023-10-05 meeting)"."""
    if r.ball_reason == TAKEN_UP:
        return f"taken up by the maintainers on {_replied(r)}"
    return f"a maintainer's own {_kind(r)} (by {r.item.author})"


def _replied(r: SignalRow) -> str:
    """When (and where, if elsewhere) a maintainer last acted: "2023-11-30 (incertum referred to ...)"."""
    moment = r.last_maintainer_at
    if moment is None:
        return "never"
    return _ymd(moment) + (f" ({r.last_maintainer_where})" if r.last_maintainer_where else "")


def _partial(r: SignalRow) -> str:
    """" (timeline partial)" when a claim that nobody spoke rests on a timeline read only in part."""
    return "" if r.item.timeline_complete else " (timeline partial)"


def _if_open(s: Signals, values: np.ndarray, why: Why) -> Verdict:
    """A whose-turn verdict holds only if the item was still open: when that is unknown (closed since,
    on a date nobody recorded), it is scored at the typical value and says why."""

    def if_open(r: SignalRow) -> str:
        if r.state is not None or r.ball is None:
            return why(r)
        return f"{why(r)}, if still open on {_ymd(r.as_of)} ({r.state_note or 'state unknown'})"

    return Verdict(np.where((s.state == 0) & (s.ball != NO_BALL), UNKNOWN, values), if_open)


def _reason_is(s: Signals, reasons: Sequence[str]) -> np.ndarray:
    return np.isin(s.ball_reason, [REASON_CODES[r] for r in reasons])


def waiting_on_maintainers(s: Signals, p: Params) -> Verdict:
    """Days a contributor (or the community) has waited on the maintainers (a reply, a hold); 0.5 at 30 days."""
    ball = s.ball
    author_fix = (ball == AUTHOR) & _reason_is(s, AUTHOR_FIXES)
    values = np.select(
        [(ball == MAINTAINERS) & (s.ball_days >= 0), ball == MAINTAINERS, ball == OWN, author_fix,
         (ball == AUTHOR) & (s.ball_since != NAT), ball == NOBODY],
        [saturating(s.ball_days, p.waiting_half_days), UNKNOWN, 0.0, 0.0, 0.0, 0.0], UNKNOWN)
    return _if_open(s, values, _waiting)


def _waiting(r: SignalRow) -> str:
    ball = r.ball
    if ball == "maintainers":
        why = r.ball_reason if r.ball_reason != ON_HOLD else _hold_text(r)
        if r.ball_days is None:
            return f"waiting on maintainers ({why}), since an unknown date"
        extra = f" ({why})" if r.ball_reason in (REVIEW_REQUESTED, ON_HOLD) else _partial(r)
        return f"waiting {_days(r.ball_days)} on maintainers{_since(r.ball_since)}{extra}"
    if ball == "maintainers_own":
        return f"{_own(r)}: not a contributor waiting{_note(r)}"
    if ball == "author" and r.ball_reason in AUTHOR_FIXES:
        why = _hold_text(r) if r.ball_reason == AUTHOR_HOLD else r.ball_reason
        return f"the author's turn: {why}{_since(r.ball_since)}"
    if ball == "author" and r.ball_since is not None:
        return f"maintainers replied on {_replied(r)}; the author's turn{_note(r)}"
    if ball == "nobody":
        return "resolved"
    return "whose turn it is is unknown: no dated activity known"


def maintainer_silence(s: Signals, p: Params) -> Verdict:
    """Days since a maintainer (other than the author) acted, while it is their turn; 0.5 at 60 days."""
    unknown = (s.ball == NO_BALL) | (s.maintainer_silence_days < 0)
    values = np.select(
        [s.resolved, unknown, (s.ball == AUTHOR) | (s.ball == OWN)],
        [0.0, UNKNOWN, 0.0], saturating(s.maintainer_silence_days, p.silence_half_days))
    return _if_open(s, values, _silence)


def _silence(r: SignalRow) -> str:
    if r.resolved:
        return "resolved"
    if r.ball is None or r.maintainer_silence_days is None:
        return "maintainer activity unknown: no dated activity known"
    if r.ball == "author":
        return f"the author's turn (a maintainer last acted on {_replied(r)})"
    if r.ball == "maintainers_own":
        return "a maintainer's own item: counted under maintainers' own"
    days = r.maintainer_silence_days
    if r.last_maintainer_at is not None:
        why = f"last maintainer activity {_days(days)} ago ({_replied(r)})"
    elif r.age_days is None:
        why = f"no maintainer activity seen in the {_days(days)} since it was first seen"
    else:
        why = f"no maintainer activity in {_days(days)}"
    return why + _partial(r)


def maintainers_own(s: Signals, p: Params) -> Verdict:
    """A maintainer's own proposal, tracking issue or PR waiting on the other maintainers; 0.5 at 30 days."""
    own = s.ball == OWN
    values = np.select(
        [own & (s.ball_days < 0), own, s.ball == NO_BALL],
        [UNKNOWN, saturating(s.ball_days, p.waiting_half_days), UNKNOWN], 0.0)
    return _if_open(s, values, _own_wait)


def _own_wait(r: SignalRow) -> str:
    if r.ball == "maintainers_own":
        if r.ball_days is None:
            return f"{_own(r)}, since an unknown date"
        if r.ball_reason == TAKEN_UP:
            why = f"{_own(r)}, {_days(r.ball_days)} ago"
        else:
            why = (f"{_own(r)}, waiting {_days(r.ball_days)} on the other maintainers{_since(r.ball_since)}"
                   f"{_partial(r)}")
        return why + _note(r)
    if r.ball is None:
        return "whose item and whose turn are unknown"
    if r.ball == "nobody":
        return "resolved"
    return "not a maintainer's own item waiting"


def age(s: Signals, p: Params) -> Verdict:
    """How long ago the thread was opened (at least, when only bounds are known); 0.5 at six months."""
    t = s.as_of_us
    before = s.opened_before
    bounded = (before != NAT) & (before <= t)
    values = np.select(
        [s.age_days >= 0, bounded],
        [saturating(s.age_days, p.age_half_days), saturating((t - before) // DAY_US, p.age_half_days)], UNKNOWN)
    return Verdict(values, _age)


def _age(r: SignalRow) -> str:
    if r.age_days is not None:
        return f"opened {_days(r.age_days)} ago"
    before = r.opened_before
    if before is None or before > r.as_of:
        return "opening date unknown"
    bounds = r.item.created_bounds
    if bounds is not None and before == bounds[1]:
        return f"opened between {_ymd(bounds[0])} and {_ymd(before)} (not observed)"
    return f"first seen {_ymd(before)}; opening date unknown"


def release_milestone(s: Signals, p: Params) -> Verdict:
    """The item is planned for the next release: its milestone, or its agenda heading, names a target."""
    if not p.release_targets:
        return Verdict(np.zeros(len(s)), lambda r: "no release target configured")
    columns = s.columns
    values = np.where(columns.found, 0.0, UNKNOWN)
    milestones = np.flatnonzero(columns.milestone.astype(bool))  # None and "" name no milestone
    named = {m: _release(m, p.release_targets) for m in set(columns.milestone[milestones])}
    values[milestones] = [1.0 if named[m] else 0.2 for m in columns.milestone[milestones]]
    for i, context in s.agenda.items():  # the agenda's heading names a target: 0.8, unless the milestone does
        if _agenda_target(context.section, context.bullet, p.release_targets) and values[i] != 1.0:
            values[i] = 0.8
    return Verdict(values, lambda r: _milestone(r, p))


def _release(milestone: str, targets: tuple[str, ...]) -> bool:
    return any(t.lower() in milestone.lower() for t in targets)


def _agenda_target(section: tuple[str, ...], bullet: str | None, targets: tuple[str, ...]) -> str | None:
    context = " / ".join((*section, bullet or ""))
    return next((t for t in targets if t.lower() in context.lower()), None)


def _milestone(r: SignalRow, p: Params) -> str:
    milestone = r.item.milestone
    if milestone and _release(milestone, p.release_targets):
        return f"milestone {milestone}"
    hit = _agenda_target(r.agenda.section, r.agenda.bullet, p.release_targets)
    if hit:
        return f"listed on the agenda under release {hit}"
    if milestone:
        return f"milestone {milestone}, not a target release"
    return "no milestone" if r.item.found else "milestone unknown"


def community_demand(s: Signals, p: Params) -> Verdict:
    """Reactions plus people outside the maintainers and the author taking part; 1.0 at 10 points."""
    reactions = s.columns.reactions
    points = np.maximum(reactions, 0) + 2 * s.external_participants
    values = np.where((reactions < 0) & (s.participants == 0), UNKNOWN, np.minimum(points / p.demand_full, 1.0))
    return Verdict(values, _demand)


def _demand(r: SignalRow) -> str:
    reactions = r.item.reactions
    if reactions is None and not r.participants:
        return "reactions and participants unknown"
    outside = len(r.external_participants)
    reaction_text = "reactions unknown" if reactions is None else f"{reactions} reactions"
    people = "1 outside participant" if outside == 1 else f"{outside} outside participants"
    return f"{reaction_text}, {people}"


def readiness(s: Signals, p: Params) -> Verdict:
    """How close a PR is to merging: approved, CI green, mergeable, not a draft (a quarter each)."""
    columns = s.columns
    current = s.current
    wip = _per_label(s, _matches(p.wip_labels), 0.0) == 1.0
    ready_label = _per_label(s, _matches(p.ready_labels), 0.0) == 1.0
    # CI, mergeability and draft are GitHub's state when read: they say nothing about an earlier moment.
    draft = np.where(wip, 1, np.where(current, columns.draft, -1))
    parts = np.stack([
        _approved(s, ready_label, current),
        np.where(current & (columns.ci >= 0), (columns.ci == CI_GREEN).astype(np.int8), -1),
        np.where(current, columns.mergeable, -1),
        np.where(draft < 0, -1, 1 - draft),
    ])
    known = (parts >= 0).sum(axis=0)
    met = (parts == 1).sum(axis=0)
    pull = columns.kind_code == 1
    values = np.select([~pull & (columns.kind_code != 0), ~pull, s.resolved, known == 0],
                       [0.0, UNKNOWN, 0.0, UNKNOWN], met / 4)
    return Verdict(values, lambda r: _ready(r, p))


def _approved(s: Signals, ready_label: np.ndarray, current: np.ndarray) -> np.ndarray:
    """A maintainer approved (1): an approving review by the moment, an approval label then, or
    GitHub's review decision (today's, so only when the facts describe the moment); -1 when nothing
    observed could have shown an approval."""
    columns = s.columns
    yes = s.approving_review | ready_label | (current & (columns.approved == 1))
    blind = (~current | (columns.approved < 0)) & (s.labels < 0) & ~columns.timeline_complete
    return np.where(yes, 1, np.where(blind, -1, 0)).astype(np.int8)


def _ready(r: SignalRow, p: Params) -> str:
    item = r.item
    if item.kind != "pull":
        return "not a pull request" if item.kind else "kind unknown"
    if r.resolved:
        return "resolved"
    labels = r.labels or ()
    wip = _any_matches(labels, p.wip_labels)
    approved: bool | None = True
    if not (r.approving_review or _any_matches(labels, p.ready_labels) or (
            r.current and item.review_decision == "APPROVED")):
        blind = (not r.current or item.review_decision is None) and r.labels is None and not item.timeline_complete
        approved = None if blind else False
    draft = True if wip else (item.draft if r.current else None)
    ci = None if item.ci_status is None or not r.current else item.ci_status == "SUCCESS"
    return _readiness(approved, ci, item.mergeable if r.current else None,
                      None if draft is None else not draft, wip)


@lru_cache(maxsize=_MEMO)
def _readiness(
    approved: bool | None, ci_green: bool | None, mergeable: bool | None, not_draft: bool | None, wip: bool
) -> str:
    """The readiness reason on four yes/no/unknown answers (81 cases x WIP: built once each)."""
    parts = {"approved": approved, "CI green": ci_green, "mergeable": mergeable, "not a draft": not_draft}
    met = [name for name, ok in parts.items() if ok]
    unknown = [name for name, ok in parts.items() if ok is None]
    if len(unknown) == len(parts):
        return "unknown: " + ", ".join(unknown)
    missing = [f"not {name}" if name != "not a draft" else ("work in progress" if wip else "draft")
               for name, ok in parts.items() if ok is False]
    parts_text = [", ".join(met), ", ".join(missing), "unknown: " + ", ".join(unknown) if unknown else ""]
    return "; ".join(t for t in parts_text if t)


def review_effort(s: Signals, p: Params) -> Verdict:
    """Small PRs first: 1.0 up to 50 changed lines, falling to 0.1 above 1,000."""
    columns = s.columns
    size = columns.size
    pull = columns.kind_code == 1
    by_size = np.full(len(s), 0.1)  # larger than every bucket
    for limit, value in reversed(p.effort_buckets):  # the first bucket that holds the size wins
        by_size[size <= limit] = value
    values = np.select([~pull & (columns.kind_code != 0), ~pull, size < 0], [0.0, UNKNOWN, UNKNOWN], by_size)
    return Verdict(values, _effort)


def _effort(r: SignalRow) -> str:
    item = r.item
    if item.kind != "pull":
        return "not a pull request" if item.kind else "kind unknown"
    size = item.size
    if size is None:
        return "size unknown"
    files = f" in {item.changed_files} files" if item.changed_files is not None else ""
    return f"{size:,} lines changed{files}"


def area(s: Signals, p: Params) -> Verdict:
    """The weight of the item's repository (e.g. Falco vs. libs), from `[params.area]`."""
    table = np.array([_area(repo, p.area_weights, p.area_default)[0] for repo in s.columns.repos], dtype=float)
    return Verdict(table[s.columns.repo_code], lambda r: _area(r.item.key.repo, p.area_weights, p.area_default)[1])


@lru_cache(maxsize=_MEMO)
def _area(repo: str, weights: tuple[tuple[str, float], ...], default: float) -> Score:
    for pattern, value in weights:
        if _glob(repo, pattern):
            return value, f"area {repo} ({value:g})"
    return default, f"area {repo} (default {default:g})"


def labels(s: Signals, p: Params) -> Verdict:
    """The highest-scoring label rule the item matched at the moment, from `[params.labels]`."""
    best = _per_label(s, lambda name: max((v for pattern, v in p.label_rules if _glob(name, pattern)),
                                          default=-math.inf), -math.inf)
    return Verdict(np.where(best == -math.inf, 0.0, best), lambda r: _label(r, p))


def _label(r: SignalRow, p: Params) -> str:
    if r.labels is None:
        if r.item.labels is None:
            return "labels unknown"
        seen = f", read {_ymd(r.item.observed_at)}," if r.item.observed_at else ""
        return f"labels on {_ymd(r.as_of)} unknown (today's{seen} may be later ones)"
    return _labels(r.labels, p.label_rules)[1]


@lru_cache(maxsize=_MEMO)
def _labels(names: tuple[str, ...], rules: tuple[tuple[str, float], ...]) -> Score:
    hits = [(value, name) for name in names for pattern, value in rules if _glob(name, pattern)]
    if not hits:
        return 0.0, "no label rule matches"
    value, label = max(hits)
    return value, f"label {label} ({value:g})"


def _per_agenda_item(s: Signals, p: Params, rule: Callable[[SignalRow, Params], Score], otherwise: str) -> Verdict:
    """A verdict only the agenda's own items can earn: `rule` for each of them, 0 (`otherwise`) for the rest."""
    values = np.zeros(len(s))
    for i in s.agenda:
        values[i] = rule(s.row(i), p)[0]
    return Verdict(values, lambda r: rule(r, p)[1] if r.i in s.agenda else otherwise)


def agenda_flags(s: Signals, p: Params) -> Verdict:
    """Agenda markers (URGENT, neglected, ...), an earlier meeting's SKIPPED, earlier meetings naming the item."""
    return _per_agenda_item(s, p, _flags, "no agenda flag")


def _flags(r: SignalRow, p: Params) -> Score:
    agenda = r.agenda
    if not agenda.flags and not agenda.carried_over:
        return 0.0, "no agenda flag"
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


def score_cap(s: Signals, p: Params) -> np.ndarray:
    """The highest score each item may get: lower for what the agenda takes "if time permits"."""
    cap = np.ones(len(s))
    for i, context in s.agenda.items():
        if "if-time-permits" in context.flags:
            cap[i] = p.time_permits_cap
    return cap


def human_author(s: Signals, p: Params) -> Verdict:
    """Opened by a person rather than a bot (dependency bumps wait in their own bucket)."""
    return Verdict(np.select([s.author_is_bot < 0, s.author_is_bot == 1], [UNKNOWN, 0.0], 1.0), _human)


def _human(r: SignalRow) -> str:
    if r.author_is_bot is None:
        return "author unknown"
    return f"opened by bot {r.item.author}" if r.author_is_bot else f"opened by {r.item.author}"


def first_time_contributor(s: Signals, p: Params) -> Verdict:
    """A first-time contributor is waiting: a quick answer keeps newcomers."""
    first = s.columns.first_time
    return Verdict(np.select([first < 0, ~s.current, first == 1], [UNKNOWN, UNKNOWN, 1.0], 0.0), _first_time)


def _first_time(r: SignalRow) -> str:
    if r.first_time_contributor is None:
        return "contributor history unknown"
    if not r.current:
        # GitHub's association is the author's standing when read, not at the moment.
        return f"contributor history on {_ymd(r.as_of)} unknown (GitHub's association is today's)"
    return f"first contribution by {r.item.author}" if r.first_time_contributor else "returning contributor"


def earlier_outcomes(s: Signals, p: Params) -> Verdict:
    """What earlier meetings decided: deferred and skipped items come back, stalled assignments are flagged."""
    return _per_agenda_item(s, p, _outcomes, "no outcome recorded at an earlier meeting")


def _outcomes(r: SignalRow, p: Params) -> Score:
    history = r.agenda.outcomes
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
        acted = activity_by(r.item, last.who, last.decided_at, r.as_of)
        if acted is not None:
            return MOVING, f"{what} @{last.who} on {on}; @{last.who} active on {_ymd(acted)}"
        partial = "" if r.item.timeline_complete else "; timeline incomplete"
        days = _days(days_between(last.decided_at, r.as_of))
        return STALLED, f"{what} @{last.who} on {on}, no progress ({days}){partial}"
    if last.outcome == "wontfix" and r.state == "open":
        return STILL_OPEN, f"{entry.label} on {on}, still open"
    return entry.carry, f"{entry.label} on {on}"


Criterion = Callable[[Signals, Params], Verdict]

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


def title(name: str) -> str:
    """The human name of a criterion ("waiting_on_maintainers" -> "Waiting on maintainers")."""
    return name.replace("_", " ").capitalize()


def help_text(name: str) -> str:
    """A criterion's one-line documentation (its docstring's first line)."""
    doc = CRITERIA[name].__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
