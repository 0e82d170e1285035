"""Ranking: (facts, weights, as_of) -> ranked DataFrame with per-criterion contributions.

Two steps, so that moving a weight is cheap: `evaluate` runs every criterion once per item (the
slow part, cached by the app), and `rank` combines the scores with the weights (vectorised).
An item's score is the weighted mean of its criterion scores, so it stays in 0..1, only the
ratios between weights matter, and its contributions (weight x score / total weight) sum to it.
Items already closed or merged as of the moment score 0 and sink to the bottom. Ties break on
the reference, so the same input always gives the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from triage.criteria import CRITERIA, Params, Score, clamp
from triage.facts import FactSet, ItemKey, People
from triage.signals import AgendaContext, compute
from triage.weights import Weights

SCORE = "score_"  # column prefix: a criterion's 0..1 score
WHY = "why_"  # column prefix: its one-line reason
CONTRIB = "contrib_"  # column prefix: its share of the item's score
_TIE_DIGITS = 12  # scores equal to this many digits tie (float noise must not reorder them)

# The columns `evaluate` produces besides the criteria's, in display order.
ITEM_COLUMNS = [
    "ref", "repo", "number", "kind", "title", "url", "status", "status_detail", "state", "state_note",
    "author", "ball", "ball_days", "age_days", "idle_days", "participants", "flags", "section",
    "bullet", "carried_over",
]


def evaluate(
    facts: FactSet,
    params: Params,
    as_of: datetime,
    agenda: Mapping[ItemKey, AgendaContext] | None = None,
    people: People | None = None,
) -> pd.DataFrame:
    """One row per item: its signals as of `as_of` and every criterion's score and reason."""
    crowd = facts.people if people is None else facts.people.merged_with(people)
    context = agenda or {}
    rows: dict[str, list[Any]] = {c: [] for c in ITEM_COLUMNS}
    for name in CRITERIA:
        rows[SCORE + name], rows[WHY + name] = [], []
    for item in facts.items:
        s = compute(item, as_of, crowd, context.get(item.key))
        for column, value in (
            ("ref", item.ref), ("repo", item.repo), ("number", item.number), ("kind", item.kind),
            ("title", item.title), ("url", item.html_url), ("status", item.status),
            ("status_detail", item.status_detail), ("state", s.state), ("state_note", s.state_note),
            ("author", item.author), ("ball", s.ball), ("ball_days", s.ball_days),
            ("age_days", s.age_days), ("idle_days", s.idle_days),
            ("participants", len(s.participants)), ("flags", ", ".join(s.agenda.flags)),
            ("section", " / ".join(s.agenda.section)), ("bullet", s.agenda.bullet),
            ("carried_over", len(s.agenda.carried_over)),
        ):
            rows[column].append(value)
        ended = s.item.merged_at or s.item.closed_at
        for name, criterion in CRITERIA.items():
            if s.resolved:
                score = Score(0.0, f"{s.state} on {ended:%Y-%m-%d}" if ended else str(s.state))
            else:
                score = criterion(s, params)
            rows[SCORE + name].append(clamp(score.value))
            rows[WHY + name].append(score.why)
    frame = pd.DataFrame(rows)
    for column in ("ball_days", "age_days", "idle_days"):
        frame[column] = frame[column].astype("Int64")
    return frame


def rank(evaluated: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """`evaluated` ordered best first, with `rank`, `score` and one contribution column per criterion."""
    names = list(CRITERIA)
    w = np.array([float(weights.get(n, 0.0)) for n in names])
    total = w.sum()
    scores = evaluated[[SCORE + n for n in names]].to_numpy(dtype=float)
    contrib = scores * (w / total) if total > 0 else np.zeros_like(scores)
    out = evaluated.copy()
    for i, n in enumerate(names):
        out[CONTRIB + n] = contrib[:, i]
    out["score"] = contrib.sum(axis=1)
    out["_tie"] = -out["score"].round(_TIE_DIGITS)
    out = out.sort_values(["_tie", "repo", "number"], kind="stable").drop(columns="_tie")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)


def rank_items(
    facts: FactSet,
    weights: Weights,
    params: Params,
    as_of: datetime,
    agenda: Mapping[ItemKey, AgendaContext] | None = None,
    people: People | None = None,
) -> pd.DataFrame:
    """`evaluate` then `rank`, for callers that rank once."""
    return rank(evaluate(facts, params, as_of, agenda, people), weights)


def movement(ranked: pd.DataFrame, baseline: pd.DataFrame) -> pd.Series:
    """Places each item moved up (+) or down (-) against `baseline`, aligned with `ranked`."""
    before = baseline.set_index("ref")["rank"]
    return (ranked["ref"].map(before) - ranked["rank"]).astype("Int64")


def contributions(ranked: pd.DataFrame) -> pd.DataFrame:
    """Long form (ref, criterion, points, why) of the contributions, for charts and the why view."""
    parts = []
    for name in CRITERIA:
        part = ranked[["rank", "ref"]].copy()
        part["criterion"] = name
        part["points"] = ranked[CONTRIB + name]
        part["why"] = ranked[WHY + name]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def typical(ranked: pd.DataFrame) -> dict[str, float]:
    """The median contribution of each criterion: what an item of this ranking usually gets."""
    if ranked.empty:
        return dict.fromkeys(CRITERIA, 0.0)
    return {n: float(ranked[CONTRIB + n].median()) for n in CRITERIA}


def explain(row: Mapping[str, Any], usual: Mapping[str, float] | None = None) -> str:
    """The one-line "why" of a ranked row: the reasons of the two contributions that most exceed
    what items usually get (`usual`, from `typical`), so a reason every item shares is not news."""
    base = usual or {}
    top = sorted(((row[CONTRIB + n] - base.get(n, 0.0), row[CONTRIB + n], n) for n in CRITERIA), reverse=True)
    reasons = [str(row[WHY + n]) for excess, points, n in top[:2] if points > 0 and (excess > 0 or not base)]
    if not reasons:
        reasons = [str(row[WHY + n]) for _, points, n in top[:1] if points > 0]
    return "; ".join(reasons) if reasons else "nothing scores: " + str(row[WHY + "waiting_on_maintainers"])
