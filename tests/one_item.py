"""One item's signals and verdicts, for tests that reason about a single thread: the signals and
criteria run over columns (`triage.ranking.signals`, `triage.ranking.criteria`), here a column of one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from triage.facts import ItemFacts, People
from triage.facts.columns import FactColumns, LabelSets
from triage.ranking.criteria import Criterion, Params, Score
from triage.ranking.signals import AgendaContext, SignalRow, Signals
from triage.ranking.signals import compute as compute_all
from triage.ranking.turns import STATES


def signals_of(item: ItemFacts, as_of: datetime, people: People, agenda: AgendaContext | None = None) -> Signals:
    """The signals of `item` alone (row 0)."""
    return compute_all(FactColumns.of([item]), as_of, people, {0: agenda} if agenda is not None else None)


def compute(item: ItemFacts, as_of: datetime, people: People, agenda: AgendaContext | None = None) -> SignalRow:
    """`item`'s signals as plain values."""
    return signals_of(item, as_of, people, agenda).row(0)


def verdict(criterion: Criterion, row: SignalRow, params: Params | None = None) -> Score:
    """`criterion`'s (value, reason) for the item whose signals `row` holds."""
    return criterion(row.s, params or Params()).at(row.s, row.i)


def tweak(row: SignalRow, **changes: Any) -> SignalRow:
    """`row` with some signals changed (`agenda`, `state`, `labels`): what if the item's were these."""
    s = row.s
    values: dict[str, Any] = {"_rows": {}}
    for name, value in changes.items():
        if name == "agenda":
            values["agenda"] = {row.i: value}
        elif name == "state":
            values["state"] = _with(s.state, row.i, STATES.index(value))
        elif name == "labels":
            sets = [*s.label_sets.sets, value]
            values["label_sets"] = LabelSets.of(sets)
            values["labels"] = _with(s.labels, row.i, len(sets) - 1)
        else:
            raise ValueError(f"cannot tweak {name!r}")
    return replace(s, **values).row(row.i)


def _with(column: np.ndarray, i: int, value: Any) -> np.ndarray:
    out = column.copy()
    out[i] = value
    return out
