"""Criteria of the project's priorities: the release, community demand, readiness, review effort,
area, labels, the agenda's own words (and its "if time permits" cap), who the author is."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from triage.agenda.earlier import meeting_label
from triage.facts.columns import CI_GREEN
from triage.ranking.criteria import words
from triage.ranking.criteria.verdict import (
    MEMO,
    UNKNOWN,
    Params,
    Score,
    Verdict,
    any_matches,
    glob_match,
    matches,
    per_agenda_item,
    per_label,
)
from triage.ranking.signals import SignalRow, Signals


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
    wip = per_label(s, matches(p.wip_labels), 0.0) == 1.0
    ready_label = per_label(s, matches(p.ready_labels), 0.0) == 1.0
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
    wip = any_matches(labels, p.wip_labels)
    approved: bool | None = True
    if not (r.approving_review or any_matches(labels, p.ready_labels) or (
            r.current and item.review_decision == "APPROVED")):
        blind = (not r.current or item.review_decision is None) and r.labels is None and not item.timeline_complete
        approved = None if blind else False
    draft = True if wip else (item.draft if r.current else None)
    ci = None if item.ci_status is None or not r.current else item.ci_status == "SUCCESS"
    return _readiness(approved, ci, item.mergeable if r.current else None,
                      None if draft is None else not draft, wip)


@lru_cache(maxsize=MEMO)
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


@lru_cache(maxsize=MEMO)
def _area(repo: str, weights: tuple[tuple[str, float], ...], default: float) -> Score:
    for pattern, value in weights:
        if glob_match(repo, pattern):
            return value, f"area {repo} ({value:g})"
    return default, f"area {repo} (default {default:g})"


def labels(s: Signals, p: Params) -> Verdict:
    """The highest-scoring label rule the item matched at the moment, from `[params.labels]`."""
    best = per_label(s, lambda name: max((v for pattern, v in p.label_rules if glob_match(name, pattern)),
                                          default=-math.inf), -math.inf)
    return Verdict(np.where(best == -math.inf, 0.0, best), lambda r: _label(r, p))


def _label(r: SignalRow, p: Params) -> str:
    if r.labels is None:
        if r.item.labels is None:
            return "labels unknown"
        seen = f", read {words.ymd(r.item.observed_at)}," if r.item.observed_at else ""
        return f"labels on {words.ymd(r.as_of)} unknown (today's{seen} may be later ones)"
    return _labels(r.labels, p.label_rules)[1]


@lru_cache(maxsize=MEMO)
def _labels(names: tuple[str, ...], rules: tuple[tuple[str, float], ...]) -> Score:
    hits = [(value, name) for name in names for pattern, value in rules if glob_match(name, pattern)]
    if not hits:
        return 0.0, "no label rule matches"
    value, label = max(hits)
    return value, f"label {label} ({value:g})"


def agenda_flags(s: Signals, p: Params) -> Verdict:
    """Agenda markers (URGENT, neglected, ...), an earlier meeting's SKIPPED, earlier meetings naming the item."""
    return per_agenda_item(s, p, _flags, "no agenda flag")


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
        return f"contributor history on {words.ymd(r.as_of)} unknown (GitHub's association is today's)"
    return f"first contribution by {r.item.author}" if r.first_time_contributor else "returning contributor"
