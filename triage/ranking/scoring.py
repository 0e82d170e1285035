"""Ranking: (facts, weights, as_of) -> ranked DataFrame with per-criterion contributions.

Two steps, so that moving a weight is cheap: `evaluate` runs every criterion over every item at once
(over the facts' columns: `triage.ranking.signals`, `triage.ranking.criteria`; cached by the app), and `rank`
combines the scores with the weights. An item's score is the weighted mean of its criterion scores,
so it stays in 0..1, only the ratios between weights matter, and its contributions (weight x score
/ total weight) sum to it. Items already closed or merged as of the moment score 0 and sink to the
bottom. Ties break on the reference, so the same input always gives the same order.

Reasons are built when asked for (`with_reasons`), for the rows someone reads: the table's page,
the chart, the why view, an export. The evaluation keeps what they are built from (`Reasons`, in
the frame's `attrs`, which ranking, filtering and copying carry along), and each row its place in
it (`EVALUATED_ROW`).

Unknown is not zero. A criterion that cannot tell (its facts are missing) is scored at its typical
value: the mean of the items of the same ranking that are still open and whose facts it could
read; its reason says so. An open item whose turn cannot be told at all, or whose facts could not
be read, is in the *needs facts* band (`needs_facts`), which the app shows apart. An item the
agenda takes "if time permits" has its score capped (`cap`), its contributions scaled to match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from triage.facts import FactSet, ItemKey, People
from triage.facts.columns import NAT, FactColumns, moment
from triage.ranking.criteria import CRITERIA, Params, score_cap, title
from triage.ranking.signals import AgendaContext, Signals, compute
from triage.ranking.turns import BALLS, NO_BALL, REASONS, STATES
from triage.ranking.weights import Weights

SCORE = "score_"  # column prefix: a criterion's 0..1 score
WHY = "why_"  # column prefix: its one-line reason (`with_reasons`)
CONTRIB = "contrib_"  # column prefix: its share of the item's score
EVALUATED_ROW = "evaluated_row"  # each row's place in its evaluation (for its reasons)
REASONS_ATTR = "reasons"  # the frame attribute holding the evaluation's `Reasons`
_TIE_DIGITS = 12  # scores equal to this many digits tie (float noise must not reorder them)

# The columns `evaluate` produces besides the criteria's, in display order.
ITEM_COLUMNS = [
    "ref", "repo", "number", "kind", "title", "url", "status", "status_detail", "state", "state_note",
    "author", "ball", "ball_days", "ball_reason", "age_days", "idle_days", "participants", "needs_facts",
    "cap", "flags", "section", "bullet", "carried_over", "labels",
]
UNKNOWN_COLUMN = "unknown"  # the criteria scored at their typical value, by title, for each item
RESOLVED_STATES = ["closed", "merged"]


@dataclass(frozen=True, eq=False)
class Reasons:
    """What an evaluation's reasons are built from: the facts and the moment, the people and the
    agenda, the criteria's parameters, and which rows were scored at which typical value. Shared by
    every frame made from the evaluation (never copied: nothing changes it); the reasons themselves
    are worked out again for the rows asked for, from their facts (an item's signals are its own)."""

    columns: FactColumns
    as_of: datetime
    people: People
    agenda: Mapping[int, AgendaContext]
    params: Params
    typical: Mapping[str, float]  # criterion -> the value its unknowns were scored at
    unknown: np.ndarray  # per row, a bit per criterion (registry order) scored at that value

    def __deepcopy__(self, memo: dict[int, Any]) -> Reasons:
        return self  # frames carry their attrs along by deep copy; this is shared, never changed

    def of(self, rows: list[int]) -> dict[str, list[str]]:
        """Every criterion's reason for each of the evaluated `rows`."""
        s = compute(self.columns.subset(rows), self.as_of, self.people,
                    {k: self.agenda[r] for k, r in enumerate(rows) if r in self.agenda})
        out: dict[str, list[str]] = {}
        for bit, (name, criterion) in enumerate(CRITERIA.items()):
            why = criterion(s, self.params).why
            texts = []
            for k, row in enumerate(rows):
                if s.resolved[k]:
                    texts.append(_resolved_text(s, k))
                elif int(self.unknown[row]) >> bit & 1:
                    texts.append(f"{why(s.row(k))}; scored at the typical {self.typical[name]:.2f}")
                else:
                    texts.append(why(s.row(k)))
            out[name] = texts
        return out


def _resolved_text(s: Signals, k: int) -> str:
    """The reason every criterion gives an item closed or merged as of the moment: when it ended."""
    columns = s.columns
    ended = moment(int(columns.merged[k] if columns.merged[k] != NAT else columns.closed[k]))
    state = STATES[s.state[k]]
    return f"{state} on {ended.date().isoformat()}" if ended else str(state)


def with_reasons(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (rows of an evaluation, ranked or not) with every criterion's reason (`WHY` columns)."""
    if WHY + next(iter(CRITERIA)) in frame.columns:
        return frame
    reasons: Reasons | None = frame.attrs.get(REASONS_ATTR)
    if reasons is None:
        raise ValueError("these rows have lost their evaluation: reasons are built from `evaluate`'s frame")
    texts = reasons.of(frame[EVALUATED_ROW].tolist())
    return frame.assign(**{WHY + name: pd.Series(texts[name], index=frame.index, dtype=object) for name in CRITERIA})


def evaluate(
    facts: FactSet,
    params: Params,
    as_of: datetime,
    agenda: Mapping[ItemKey, AgendaContext] | None = None,
    people: People | None = None,
) -> pd.DataFrame:
    """One row per item: its signals as of `as_of` and every criterion's score (reasons: `with_reasons`)."""
    crowd = facts.people if people is None else facts.people.merged_with(people)
    columns = facts.columns
    rows: dict[int, AgendaContext] = {}
    if agenda:
        place = {item.key: i for i, item in enumerate(facts.items)}
        rows = {place[key]: context for key, context in agenda.items() if key in place}
    return evaluate_columns(columns, params, as_of, crowd, rows)


def evaluate_columns(
    columns: FactColumns, params: Params, as_of: datetime, people: People, agenda: Mapping[int, AgendaContext]
) -> pd.DataFrame:
    """`evaluate` of facts already in columns; `agenda` gives rows the context the agenda gives them."""
    s = compute(columns, as_of, people, agenda)
    n = len(columns)
    verdicts = {name: criterion(s, params) for name, criterion in CRITERIA.items()}
    resolved = s.resolved
    data: dict[str, Any] = {
        "ref": columns.ref, "repo": columns.repo, "number": columns.number, "kind": columns.kind,
        "title": columns.title, "url": columns.url, "status": columns.status, "status_detail": columns.status_detail,
        "state": np.array(STATES, dtype=object)[s.state], "state_note": s.state_note, "author": columns.author,
        "ball": np.array(BALLS, dtype=object)[s.ball], "ball_days": _nullable(s.ball_days),
        "ball_reason": np.array(REASONS, dtype=object)[s.ball_reason], "age_days": _nullable(s.age_days),
        "idle_days": _nullable(s.idle_days), "participants": s.participants.astype(np.int64),
        # not known to be resolved, and unread, of unknown state at the moment, or with no telling whose turn
        "needs_facts": ~resolved & (~columns.found | (s.ball == NO_BALL) | (s.state == 0)),
        "cap": score_cap(s, params),
        **_agenda_columns(s),
        # today's labels, for the label filter (triage.ranking.filters)
        "labels": columns.label_text,
    }
    typical: dict[str, float] = {}
    unknown = np.zeros(n, dtype=np.int64)  # a bit per criterion scored at its typical value
    for k, name in enumerate(CRITERIA):
        # Anything outside 0..1 is a criterion's bug: it must not push an item off the scale.
        values = np.clip(verdicts.pop(name).values, 0.0, 1.0)
        values[resolved] = 0.0  # closed or merged as of the moment: 0 on every criterion
        missing = np.isnan(values)
        if missing.any():
            typical[name] = _typical(values[~resolved & ~missing])
            values[missing] = typical[name]
            unknown |= missing.astype(np.int64) << k
        data[SCORE + name] = values
    data[UNKNOWN_COLUMN] = _unknown_titles(unknown)
    data[EVALUATED_ROW] = np.arange(n)
    # Text stays Python objects (None for unknown): inferring Arrow strings for a dozen columns of
    # 10,000 rows would cost more than scoring them, and readers test for None.
    for name, values in data.items():
        if isinstance(values, np.ndarray) and values.dtype == object:
            data[name] = pd.Series(values, dtype=object, copy=False)
    frame = pd.DataFrame(data, copy=False)
    frame.attrs[REASONS_ATTR] = Reasons(columns, as_of, people, agenda, params, typical, unknown)
    return frame


def _nullable(days: np.ndarray) -> pd.arrays.IntegerArray:
    """A column of whole days with -1 for unknown, as pandas' nullable Int64."""
    return pd.arrays.IntegerArray(days.astype(np.int64), days < 0)


def _agenda_columns(s: Signals) -> dict[str, np.ndarray]:
    """flags, section, bullet and carried_over: what the agenda says of the items it names."""
    n = len(s)
    flags = np.full(n, "", dtype=object)
    section = np.full(n, "", dtype=object)
    bullet = np.full(n, None, dtype=object)
    carried = np.zeros(n, dtype=np.int64)
    for i, context in s.agenda.items():
        flags[i], section[i], bullet[i] = ", ".join(context.flags), " / ".join(context.section), context.bullet
        carried[i] = len(context.carried_over)
    return {"flags": flags, "section": section, "bullet": bullet, "carried_over": carried}


def _unknown_titles(unknown: np.ndarray) -> np.ndarray:
    """Each row's criteria scored at their typical value, as ", "-joined titles ("" for none)."""
    masks, inverse = np.unique(unknown, return_inverse=True)
    names = [title(name).lower() for name in CRITERIA]
    texts = np.array([", ".join(names[k] for k in range(len(names)) if int(m) >> k & 1) for m in masks],
                     dtype=object)
    return texts[inverse] if len(unknown) else np.empty(0, dtype=object)


def _typical(known: np.ndarray) -> float:
    """A criterion's typical value: the mean of the open items it could score (0 when none), what an
    item of this ranking can be expected to score when nothing tells."""
    return float(known.mean()) if known.size else 0.0


def rank(evaluated: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """`evaluated` ordered best first, with `rank`, `score` and one contribution column per criterion."""
    names = list(CRITERIA)
    w = np.array([float(weights.get(n, 0.0)) for n in names])
    total = w.sum()
    contrib = evaluated[[SCORE + n for n in names]].to_numpy(dtype=float, copy=True)
    contrib *= (w / total) if total > 0 else 0.0  # in place: a million rows hold 112 MB of scores
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
    added = pd.DataFrame(contrib[order], columns=[CONTRIB + n for n in names], copy=False)  # one block
    del contrib
    added["score"] = score[order]
    out = pd.concat([evaluated.take(order).reset_index(drop=True), added], axis=1)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs = evaluated.attrs  # the evaluation the reasons come from
    return out


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
    ranked = with_reasons(ranked)
    parts = []
    for name in CRITERIA:
        part = ranked[["rank", "ref"]].copy()
        part["criterion"] = name
        part["points"] = ranked[CONTRIB + name]
        part["why"] = ranked[WHY + name]
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    long.attrs = {}  # plain data now (charts serialise their frames, attrs included)
    return long


def typical(ranked: pd.DataFrame) -> dict[str, float]:
    """The median contribution of each criterion: what an item of this ranking usually gets."""
    if ranked.empty:
        return dict.fromkeys(CRITERIA, 0.0)
    return {n: float(ranked[CONTRIB + n].median()) for n in CRITERIA}


# The columns `explain` reads besides each criterion's contribution and reason.
EXPLAIN_COLUMNS = ("state", "status", "status_detail", "state_note", "ball", "needs_facts", UNKNOWN_COLUMN)


def explain(row: Mapping[str, Any], usual: Mapping[str, float] | None = None) -> str:
    """The one-line "why" of a ranked row: the reasons of the two contributions that most exceed
    what items usually get (`usual`, from `typical`), so a reason every item shares is not news.
    A resolved item says so; an item needing facts says so first, then what is known about it."""
    if row.get("state") in RESOLVED_STATES:
        return f"resolved: {row[WHY + 'waiting_on_maintainers']}"
    base = usual or {}
    guessed = set(str(row.get(UNKNOWN_COLUMN) or "").split(", ")) if row.get("needs_facts") else set()
    names = [n for n in CRITERIA if title(n).lower() not in guessed]
    top = sorted(((row[CONTRIB + n] - base.get(n, 0.0), row[CONTRIB + n], n) for n in names), reverse=True)
    reasons = [str(row[WHY + n]) for excess, points, n in top[:2] if points > 0 and (excess > 0 or not base)]
    if not reasons and names:  # nothing stands out: say what scores most
        points, name = max((row[CONTRIB + n], n) for n in names)
        reasons = [str(row[WHY + name])] if points > 0 else []
    if row.get("needs_facts"):
        reasons.insert(0, f"needs facts: {_missing(row)}; scored at typical values where unknown")
    return "; ".join(reasons) if reasons else "nothing scores: " + str(row[WHY + "waiting_on_maintainers"])


def _missing(row: Mapping[str, Any]) -> str:
    """What keeps an item in the needs-facts band, in a few words."""
    if row.get("status") not in ("ok", "moved", "stale"):  # stale: facts kept from an earlier fetch
        return str(row.get("status_detail") or "its thread could not be read")
    if row.get("ball") is None or row.get("ball") != row.get("ball"):  # None, or NaN from a frame
        return "whose turn it is is unknown (no dated activity known)"
    return f"whether it was still open is unknown ({row.get('state_note') or 'state unknown'})"
