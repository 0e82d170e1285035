"""The reference for `triage.ranking.scoring.evaluate`: every criterion run item by item, as triage scored
before issue 13 (the oracle of `tests/test_columns_agree.py`; nothing in `triage` uses it).

Ranking: (facts, weights, as_of) -> ranked DataFrame with per-criterion contributions.

Two steps, so that moving a weight is cheap: `evaluate` runs every criterion once per item (the
slow part, cached by the app), and `rank` combines the scores with the weights (vectorised).
An item's score is the weighted mean of its criterion scores, so it stays in 0..1, only the
ratios between weights matter, and its contributions (weight x score / total weight) sum to it.
Items already closed or merged as of the moment score 0 and sink to the bottom. Ties break on
the reference, so the same input always gives the same order.

Unknown is not zero. A criterion that cannot tell (its facts are missing) is scored at its typical
value: the mean of the items of the same ranking that are still open and whose facts it could
read; its reason says so. An open item whose turn cannot be told at all, or whose facts could not
be read, is in the *needs facts* band (`needs_facts`), which the app shows apart. An item the
agenda takes "if time permits" has its score capped (`cap`), its contributions scaled to match.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from tests.oracle.criteria import CRITERIA, Params, Score, score_cap
from tests.oracle.signals import NO_AGENDA, AgendaContext, Signals, compute
from triage.facts import FactSet, ItemFacts, ItemKey, People
from triage.ranking.criteria import title

# The frame's columns are the contract both evaluations meet: named once, in the product.
from triage.ranking.scoring import CONTRIB, ITEM_COLUMNS, RESOLVED_STATES, SCORE, UNKNOWN_COLUMN, WHY
from triage.ranking.weights import Weights

_TIE_DIGITS = 12  # scores equal to this many digits tie (float noise must not reorder them)

# Their dtypes; the rest hold text (or None) and stay Python objects: inferring Arrow strings for
# 27 columns of 10,000 rows would cost more than every criterion's reason text together.
_ITEM_DTYPES = {"number": "int64", "participants": "int64", "carried_over": "int64",
                "ball_days": "Int64", "age_days": "Int64", "idle_days": "Int64", "needs_facts": "bool",
                "cap": "float64"}
_NO_AGENDA_ROW = ("", "", None, 0)  # the agenda columns of an item no agenda names (every scanned one)


def needs_facts(item: ItemFacts, s: Signals) -> bool:
    """Not known to be resolved, and either unread, of unknown state at the moment (closed since, on
    a date nobody recorded), or with no telling whose turn it is."""
    return not s.resolved and (not item.found or s.ball is None or s.state is None)


def _item_row(item: ItemFacts, s: Signals, cap: float) -> tuple[Any, ...]:
    """The ITEM_COLUMNS values of one item, in order."""
    agenda = s.agenda
    key = item.key
    return (
        key.ref, key.repo, key.number, item.kind, item.title, item.html_url, item.status,
        item.status_detail, s.state, s.state_note, item.author, s.ball, s.ball_days, s.ball_reason,
        s.age_days, s.idle_days, len(s.participants), needs_facts(item, s), cap,
        *(_NO_AGENDA_ROW if agenda is NO_AGENDA else (
            ", ".join(agenda.flags), " / ".join(agenda.section), agenda.bullet, len(agenda.carried_over)
        )),
        ", ".join(item.labels or ()),  # today's labels, for the label filter (triage.ranking.filters)
    )


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
    criteria = list(CRITERIA.values())
    rows: list[tuple[Any, ...]] = []
    # Every item's scores and reasons, one after the other in one flat list, split per criterion
    # in C below. (Keeping the Score tuples, or a list per item, would leave 10,000s of objects for
    # the garbage collector to walk again and again: floats and strings it does not track.)
    flat: list[float | str] = []
    n = len(criteria)
    for item in facts.items:
        s = compute(item, as_of, crowd, context.get(item.key, NO_AGENDA) if context else NO_AGENDA)
        rows.append(_item_row(item, s, score_cap(s, params) if s.agenda is not NO_AGENDA else 1.0))
        flat += chain.from_iterable([c(s, params) for c in criteria] if not s.resolved else _resolved(item, s, n))
    columns = zip(*rows, strict=True) if rows else [()] * len(ITEM_COLUMNS)
    data: dict[str, Any] = {
        name: pd.Series(values, dtype=_ITEM_DTYPES.get(name, object))
        for name, values in zip(ITEM_COLUMNS, columns, strict=True)
    }
    open_rows = ~data["state"].isin(RESOLVED_STATES).to_numpy()
    unknown: dict[int, list[str]] = {}  # row -> the criteria scored at their typical value
    for k, name in enumerate(CRITERIA):
        # Anything outside 0..1 is a criterion's bug: it must not push an item off the scale.
        values = np.clip(np.array(flat[2 * k :: 2 * n], dtype=float), 0.0, 1.0)
        why = flat[2 * k + 1 :: 2 * n]
        missing = np.isnan(values)
        if missing.any():
            typical_value = _typical(values[open_rows & ~missing])
            label = title(name).lower()
            for i in np.flatnonzero(missing).tolist():
                why[i] = f"{why[i]}; scored at the typical {typical_value:.2f}"
                unknown.setdefault(i, []).append(label)
            values[missing] = typical_value
        data[SCORE + name] = values
        data[WHY + name] = pd.Series(why, dtype=object)
    column = [""] * len(rows)
    for i, names in unknown.items():
        column[i] = ", ".join(names)
    data[UNKNOWN_COLUMN] = pd.Series(column, dtype=object)
    return pd.DataFrame(data, copy=False)


def _typical(known: np.ndarray) -> float:
    """A criterion's typical value: the mean of the open items it could score (0 when none), what an
    item of this ranking can be expected to score when nothing tells."""
    return float(known.mean()) if known.size else 0.0


def _resolved(item: ItemFacts, s: Signals, n: int) -> list[Score]:
    """The verdicts on an item already closed or merged as of the moment: 0 on every criterion."""
    ended = item.merged_at or item.closed_at
    return [(0.0, f"{s.state} on {ended.date().isoformat()}" if ended else str(s.state))] * n


def rank(evaluated: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """`evaluated` ordered best first, with `rank`, `score` and one contribution column per criterion."""
    names = list(CRITERIA)
    w = np.array([float(weights.get(n, 0.0)) for n in names])
    total = w.sum()
    scores = evaluated[[SCORE + n for n in names]].to_numpy(dtype=float)
    contrib = scores * (w / total) if total > 0 else np.zeros_like(scores)
    score = contrib.sum(axis=1)
    cap = evaluated["cap"].to_numpy(dtype=float)
    over = score > cap
    if over.any():  # "if time permits": the score is capped, its parts shrink in proportion
        contrib[over] *= (cap[over] / score[over])[:, None]
        score = np.minimum(score, cap)
    # Best first, then by repository and number; np.lexsort sorts by its last key first. One
    # `take` of every column: this is what a slider move costs, so it must stay cheap at 10,000 rows.
    repos = pd.factorize(evaluated["repo"], sort=True)[0]
    order = np.lexsort((evaluated["number"].to_numpy(), repos, -score.round(_TIE_DIGITS)))
    added = {CONTRIB + n: contrib[order, i] for i, n in enumerate(names)}
    added["score"] = score[order]
    out = pd.concat([evaluated.take(order).reset_index(drop=True), pd.DataFrame(added)], axis=1)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
