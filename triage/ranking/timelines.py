"""Readings of every item's timeline at once, over the event columns (`triage.facts.columns`): item
i's events are `ev_start[i]:ev_start[i + 1]`, in time order, so "the last event of each item where
a condition holds" is one numpy pass over all events (`last_event`, `first_event`). `triage.ranking.signals`
builds whose turn it is and the rest from these; the few readings that need Python objects (a hold
label's history, a state told from dates alone) are made only for the items that need them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import numpy as np

from triage.facts import Event, ItemFacts, People
from triage.facts.columns import EVENT_CODES, NAT, FactColumns, LabelSets, moment
from triage.ranking.as_of import Hold, hold_as_of, is_hold_label, labels_as_of, state_as_of
from triage.ranking.turns import CLOSED, MERGED, OPEN, STATES

_VERDICTS = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")  # a reviewer's latest word
MEETING = "Meeting"  # the actor type of an assignment read from an earlier meeting's minutes
DAY_US = 86_400_000_000

SIDE = ("labeled", "unlabeled", "cross_referenced", "connected", "assigned")  # not a word on the thread
LABEL_EVENTS = ("labeled", "unlabeled")
REQUESTS = ("review_requested", "ready_for_review")


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from `start` to `end` (never negative)."""
    return max((end - start).days, 0)  # timedelta.days is the floor of the whole days


def days(start: np.ndarray, end: int | np.ndarray) -> np.ndarray:
    """`days_between` of microsecond columns; -1 where `start` is unknown."""
    return np.where(start == NAT, -1, np.maximum((end - start) // DAY_US, 0))


def kinds(names: tuple[str, ...]) -> np.ndarray:
    """A look-up table over event kind codes: True for `names`."""
    table = np.zeros(len(EVENT_CODES), dtype=bool)
    table[[EVENT_CODES[n] for n in names]] = True
    return table


def last_event(mask: np.ndarray, ev_item: np.ndarray, n: int) -> np.ndarray:
    """Per item, the index of its last event where `mask` holds (-1 when none)."""
    return _edge(mask, ev_item, n, last=True)


def first_event(mask: np.ndarray, ev_item: np.ndarray, n: int) -> np.ndarray:
    """Per item, the index of its first event where `mask` holds (-1 when none)."""
    return _edge(mask, ev_item, n, last=False)


def _edge(mask: np.ndarray, ev_item: np.ndarray, n: int, last: bool) -> np.ndarray:
    at = np.flatnonzero(mask)
    out = np.full(n, -1, dtype=np.int64)
    if len(at):
        items = ev_item[at]
        change = items[1:] != items[:-1]  # events are grouped by item: a new item starts here
        pick = np.r_[change, True] if last else np.r_[True, change]
        out[items[pick]] = at[pick]
    return out


def take(values: np.ndarray, index: np.ndarray, missing: Any) -> np.ndarray:
    """`values[index]`, with `missing` where the index is -1."""
    out = values[np.maximum(index, 0)] if len(values) else np.full(len(index), missing, dtype=values.dtype)
    return np.where(index >= 0, out, missing)


@dataclass
class Events:
    """The event columns one ranking reads: the facts' own, and earlier meetings' assignments."""

    item: np.ndarray
    at: np.ndarray
    kind: np.ndarray
    key: np.ndarray
    login: np.ndarray
    review: np.ndarray
    detail: np.ndarray  # code into `details`
    details: list[str]
    meeting: np.ndarray  # bool: an assignment read from earlier minutes
    order: np.ndarray | None = None  # where each came from: the facts' events, then the meetings' (None: as is)


def events(columns: FactColumns, extra: list[tuple[int, int, str]]) -> Events:
    """The event columns, with `extra` assignments (item, moment in microseconds, what to say of
    it: an earlier meeting's, in item order) merged in after the facts' own events of the same moment."""
    base = Events(columns.ev_item, columns.ev_at, columns.ev_kind, columns.ev_actor_key, columns.ev_login,
                  columns.ev_review, columns.ev_detail, columns.details, np.zeros(columns.events, dtype=bool))
    if not extra:
        return base
    details = list(columns.details)
    codes = {d: n for n, d in enumerate(details)}
    for _, _, text in extra:
        codes.setdefault(text, len(details))
        if codes[text] == len(details):
            details.append(text)
    k = len(extra)
    order = np.lexsort((np.arange(columns.events + k),
                        np.r_[columns.ev_at, [e[1] for e in extra]],
                        np.r_[columns.ev_item, [e[0] for e in extra]]))
    no_key = len(columns.actor_keys)  # a key of its own: (None, MEETING, None)
    return Events(
        np.r_[columns.ev_item, [e[0] for e in extra]].astype(np.int32)[order],
        np.r_[columns.ev_at, [e[1] for e in extra]].astype(np.int64)[order],
        np.r_[columns.ev_kind, [EVENT_CODES["assigned"]] * k].astype(np.int8)[order],
        np.r_[columns.ev_actor_key, [no_key] * k].astype(np.int32)[order],
        np.r_[columns.ev_login, [-1] * k].astype(np.int32)[order],
        np.r_[columns.ev_review, [-1] * k].astype(np.int8)[order],
        np.r_[columns.ev_detail, [codes[e[2]] for e in extra]].astype(np.int32)[order],
        details,
        np.r_[np.zeros(columns.events, dtype=bool), np.ones(k, dtype=bool)][order],
        order,
    )


def first_seen(columns: FactColumns, t: int) -> np.ndarray:
    """Each item's first event, if it happened by the moment (the facts' own, before any meeting's)."""
    starts, ends = columns.ev_start[:-1], columns.ev_start[1:]
    first = columns.ev_at[np.minimum(starts, max(columns.events - 1, 0))] if columns.events else starts
    return np.where((ends > starts) & (first <= t), first, NAT)


def states(columns: FactColumns, as_of: datetime, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each item's state at the moment (`as_of.state_as_of`, over columns), its note, and its end."""
    created_after = (columns.created != NAT) & (columns.created > t)
    observed_open = (columns.state_code == OPEN) & (columns.merged == NAT)
    ended = np.where(columns.merged != NAT, columns.merged, columns.closed)
    has_end = ended != NAT
    ended_state = np.where(columns.merged != NAT, MERGED, CLOSED)
    observed_ended = (columns.state_code == CLOSED) | (columns.state_code == MERGED)
    state = np.select(
        [created_after, observed_open, has_end & (ended <= t), has_end],
        [0, OPEN, ended_state, OPEN], 0).astype(np.int8)
    note = np.full(len(columns), None, dtype=object)
    for i in np.flatnonzero(created_after | (~observed_open & has_end & (ended > t))
                            | (~observed_open & ~has_end & columns.found & observed_ended)):
        note[i] = state_as_of(cast(ItemFacts, _Moments(columns, int(i))), as_of)[1]  # reads what _Moments holds
    return state, note, ended


class _Moments:
    """The few facts `as_of.state_as_of` reads, for one item of the columns."""

    def __init__(self, columns: FactColumns, i: int) -> None:
        self.created_at = moment(int(columns.created[i]))
        self.merged_at = moment(int(columns.merged[i]))
        self.closed_at = moment(int(columns.closed[i]))
        self.state = STATES[columns.state_code[i]]
        self.found = bool(columns.found[i])


def elsewhere(ev: Events, columns: FactColumns, bot: np.ndarray, maintainer: np.ndarray, own_login: np.ndarray,
               item_view: np.ndarray, views: list[People]) -> np.ndarray:
    """The side events that are a maintainer acting on the item elsewhere: an earlier meeting's
    assignment, a maintainer (other than the author) assigning someone or referring to it from
    another thread, or a maintainer of the repository assigned to it."""
    by_someone = ~bot & (ev.login != own_login)
    kind = ev.kind
    assigned = kind == EVENT_CODES["assigned"]
    reference = (kind == EVENT_CODES["cross_referenced"]) | (kind == EVENT_CODES["connected"])
    assignee_maintains = np.zeros(len(kind), dtype=bool)
    if assigned.any():
        # Prow assigns on a maintainer's `/assign`, so the assignee tells more than the (bot) actor.
        logins = {name: n for n, name in enumerate(columns.logins)}
        at = np.flatnonzero(assigned & (ev.detail >= 0))
        for k in at:
            assignee = ev.details[ev.detail[k]].lower()
            view = views[item_view[ev.item[k]]]
            assignee_maintains[k] = (bool(assignee) and logins.get(assignee, -3) != own_login[k]
                                     and view.is_maintainer(assignee))
    acting: np.ndarray = ev.meeting | (assigned & ((by_someone & maintainer) | assignee_maintains)) | (
        reference & by_someone & maintainer)
    return acting


def place(ev: Events, k: int, actor_keys: list[tuple[str | None, str | None, str | None]]) -> str:
    """How event `k`, a maintainer acting elsewhere, says where: "leogr referred to o/r#2"."""
    detail = ev.details[ev.detail[k]] if ev.detail[k] >= 0 else None
    if ev.meeting[k]:
        return detail or ""
    actor = actor_keys[ev.key[k]][0]
    if ev.kind[k] == EVENT_CODES["assigned"]:
        return f"{actor or 'someone'} assigned {detail or 'someone'}"
    verb = "referred to it from" if ev.kind[k] == EVENT_CODES["cross_referenced"] else "linked"
    return f"{actor} {verb} {detail or 'another thread'}"


def changes_requested_at(ev: Events, responds: np.ndarray, review_codes: dict[str, int], n: int) -> np.ndarray:
    """Per item, the latest moment a maintainer's latest verdict asked for changes (NAT: none)."""
    out = np.full(n, NAT, dtype=np.int64)
    verdict = responds & (ev.kind == EVENT_CODES["review"]) & np.isin(
        ev.review, [review_codes.get(v, -2) for v in _VERDICTS])
    at = np.flatnonzero(verdict)
    if not len(at):
        return out
    pair = ev.item[at].astype(np.int64) * (int(ev.login.max()) + 2) + (ev.login[at] + 1)
    _, last_of_pair = np.unique(pair[::-1], return_index=True)  # each reviewer's latest verdict
    latest = at[::-1][last_of_pair]
    asked = latest[ev.review[latest] == review_codes.get("CHANGES_REQUESTED", -2)]
    np.maximum.at(out, ev.item[asked], ev.at[asked])
    return out


def counts(columns: FactColumns, ev: Events, human: np.ndarray, responds: np.ndarray, own_login: np.ndarray,
            author: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item, the humans who acted (the author included) and those neither author nor maintainer
    (who never acted as one on the item)."""
    n = len(columns)
    pair_of, pair_item = columns.people_pairs
    if ev.order is not None:  # earlier meetings' assignments: nobody's, never a participant
        pair_of = np.r_[pair_of, np.full(len(ev.at) - columns.events, -1, dtype=np.int32)][ev.order]
    seen = np.zeros(len(pair_item) + 1, dtype=bool)  # the last entry takes the ghosts' -1
    seen[pair_of[human & (ev.login != own_login)]] = True
    acted = np.zeros(len(pair_item) + 1, dtype=bool)
    acted[pair_of[responds]] = True
    seen, acted = seen[:-1], acted[:-1]
    return (np.bincount(pair_item[seen], minlength=n) + (author >= 0),
            np.bincount(pair_item[seen & ~acted], minlength=n))


def labels_then(columns: FactColumns, current: np.ndarray, as_of: datetime) -> tuple[np.ndarray, LabelSets]:
    """Each item's labels at the moment (a code into the returned label sets; -1 unknown): today's
    when they describe the moment, replayed through the label events when all are known."""
    labels = np.where(current, columns.label_set, -1).astype(np.int32)
    replay = np.flatnonzero(~current & columns.label_history & (columns.label_set >= 0))
    if not len(replay):
        return labels, columns.label_table
    sets = list(columns.label_sets)
    if len(replay):
        codes = {s: n for n, s in enumerate(sets)}
        for i in replay:
            then = labels_as_of(columns.item(int(i)), as_of, False)
            assert then is not None
            labels[i] = codes.setdefault(then, len(sets))
            if labels[i] == len(sets):
                sets.append(then)
    return labels, LabelSets.of(sets)


def holds(columns: FactColumns, ev: Events, visible: np.ndarray, labels: np.ndarray,
           label_sets: LabelSets, held: Iterable[int],
           actor_keys: list[tuple[str | None, str | None, str | None]]) -> np.ndarray:
    """Each item's hold at the moment (`as_of.hold_as_of`), or None; the `held` items (an agenda
    says they are on hold) are held when no label holds them."""
    n = len(columns)
    hold = np.full(n, None, dtype=object)
    label_event = visible & kinds(LABEL_EVENTS)[ev.kind]
    held_name = np.array([is_hold_label(name) for name in label_sets.names], dtype=float)
    held_set = np.r_[label_sets.most(held_name, 0.0) == 1.0, False]
    hold_detail = np.array([is_hold_label(d) for d in ev.details] + [False], dtype=bool)
    seen = np.zeros(n, dtype=bool)
    seen[ev.item[label_event & hold_detail[ev.detail]]] = True  # a detail of -1 reads the last entry: False
    for i in np.flatnonzero(np.where(labels >= 0, held_set[labels], seen)).tolist():
        lo, hi = np.searchsorted(ev.item, [i, i + 1])
        events = [
            Event(actor_keys[ev.key[k]][0], moment(int(ev.at[k])) or datetime.min,
                  "labeled" if ev.kind[k] == EVENT_CODES["labeled"] else "unlabeled",
                  detail=ev.details[ev.detail[k]] if ev.detail[k] >= 0 else None)
            for k in range(lo, hi) if label_event[k]
        ]
        hold[i] = hold_as_of(label_sets.sets[labels[i]] if labels[i] >= 0 else None, events)
    for i in held:
        if hold[i] is None:
            hold[i] = Hold("the agenda says on hold", None, None, False)
    return hold
