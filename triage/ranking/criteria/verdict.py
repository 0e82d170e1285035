"""What a criterion returns and reads: `Verdict` (every item's value and how to say why), `Params`
(the project's knobs), `UNKNOWN`, and the column helpers criteria share (labels matched once per
name, whose-turn verdicts that hold only while the item is open, per-agenda-item rules)."""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeAlias

import numpy as np

from triage.ranking.criteria import words
from triage.ranking.signals import SignalRow, Signals
from triage.ranking.turns import (
    AUTHOR_HOLD,
    CHANGES_REQUESTED,
    CI_FAILING,
    MERGE_CONFLICTS,
    NO_BALL,
    REASON_CODES,
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
MEMO = 4096


@lru_cache(maxsize=MEMO)
def glob_match(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


@lru_cache(maxsize=MEMO)
def any_matches(names: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    """Does any of `names` match any of `patterns`? (Items share a few dozen label sets.)"""
    return any(glob_match(name, p) for name in names for p in patterns)


def per_label(s: Signals, per_name: Callable[[str], float], empty: float) -> np.ndarray:
    """The largest `per_name` answer over each item's labels at the moment (`empty` for none; NaN
    where the labels are unknown), asked once per label name."""
    answers = np.array([per_name(name) for name in s.label_sets.names], dtype=float)
    out: np.ndarray = np.r_[s.label_sets.most(answers, empty), math.nan][s.labels]  # -1 (unknown) reads NaN
    return out


def matches(patterns: tuple[str, ...]) -> Callable[[str], float]:
    return lambda name: float(any(glob_match(name, p) for p in patterns))


def saturating(days: np.ndarray, half: int) -> np.ndarray:
    """0 at 0 days, 0.5 at `half` days, approaching 1 beyond: longer always ranks higher, unlike
    a cap at which a 4-month and a 2-year wait would tie."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = days / (days + half)
    return out


def if_open(s: Signals, values: np.ndarray, why: Why) -> Verdict:
    """A whose-turn verdict holds only if the item was still open: when that is unknown (closed since,
    on a date nobody recorded), it is scored at the typical value and says why."""

    def if_open(r: SignalRow) -> str:
        if r.state is not None or r.ball is None:
            return why(r)
        return f"{why(r)}, if still open on {words.ymd(r.as_of)} ({r.state_note or 'state unknown'})"

    return Verdict(np.where((s.state == 0) & (s.ball != NO_BALL), UNKNOWN, values), if_open)


def reason_is(s: Signals, reasons: Sequence[str]) -> np.ndarray:
    return np.isin(s.ball_reason, [REASON_CODES[r] for r in reasons])


def per_agenda_item(s: Signals, p: Params, rule: Callable[[SignalRow, Params], Score], otherwise: str) -> Verdict:
    """A verdict only the agenda's own items can earn: `rule` for each of them, 0 (`otherwise`) for the rest."""
    values = np.zeros(len(s))
    for i in s.agenda:
        values[i] = rule(s.row(i), p)[0]
    return Verdict(values, lambda r: rule(r, p)[1] if r.i in s.agenda else otherwise)
