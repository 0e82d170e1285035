"""Facts as columns: every item's fields and every event of every timeline in flat numpy arrays.

`ItemFacts` records are how facts travel (JSON files, snapshots, the GitHub layer, tests); ranking
reads them as columns, built once per `FactSet` (`FactSet.columns`), so that signals and criteria
run over all items at once (`triage.ranking.signals`, `triage.ranking.criteria`) instead of item by item. Ten
thousand scanned PRs carry about 110,000 events: as Python objects they cost more to walk than to
score.

Layout:

* items: one entry per item, in `FactSet.items` order. Moments are int64 microseconds since the
  Unix epoch (UTC), `NAT` when unknown; yes/no facts are int8 with -1 for unknown; counts are int64
  with -1 for unknown; text is kept as Python objects (or as codes into a table where the ranking
  compares it).
* events: one entry per event, items' timelines one after the other, each oldest first (as
  `ItemFacts` keeps them), so `ev_item` never decreases; item `i`'s events are
  `ev_start[i]:ev_start[i + 1]`. Actors, associations, account types, review states and details
  are codes into small tables (`-1`: none).

A login is compared lower-cased everywhere (GitHub logins ignore case): `actor_login` and
`author_login` are codes into `logins`, the lower-cased spellings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np

from triage.facts import EVENT_KINDS, Event, ItemFacts, ItemKey

NAT = np.iinfo(np.int64).min  # an unknown moment
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
KIND_CODES = {None: 0, "pull": 1, "issue": 2, "discussion": 3}
STATE_CODES = {None: 0, "open": 1, "closed": 2, "merged": 3}
EVENT_CODES = {name: n for n, name in enumerate(EVENT_KINDS)}
# int8 views of yes/no/unknown facts
UNKNOWN_BOOL = -1
# The CI status in three: green, failing (only the author can fix it) or anything else; -1 unknown.
CI_OTHER, CI_GREEN, CI_FAILS = 0, 1, 2
FAILING_CI = frozenset({"FAILURE", "ERROR"})  # StatusState values that need the author's fix

IntArray = np.ndarray  # every array here is one-dimensional (a named alias for readability)


def us(moment: datetime | None) -> int:
    """Microseconds since the epoch (exact), or NAT for an unknown moment."""
    if moment is None:
        return int(NAT)
    delta = moment - _EPOCH
    return delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds


def moment(value: int) -> datetime | None:
    """The aware UTC datetime of `us`'s value (None for NAT)."""
    return None if value == NAT else _EPOCH + int(value) * _US


_STATES: dict[int, Any] = {code: state for state, code in STATE_CODES.items()}


def _bool(value: int) -> bool | None:
    return None if value < 0 else bool(value)


def _none(value: int) -> int | None:
    return None if value < 0 else int(value)


def _tri(value: bool | None) -> int:
    return UNKNOWN_BOOL if value is None else int(value)


def _count(value: int | None) -> int:
    return -1 if value is None else int(value)


@dataclass(frozen=True)
class LabelSets:
    """Label sets by their names: set k holds `names[name[start[k]:start[k + 1]]]`, so that a
    question about labels is asked once per label name and combined per set with numpy."""

    sets: list[tuple[str, ...]]
    names: list[str]
    start: IntArray  # int64, one more than the sets
    name: IntArray  # int32 codes into `names`

    @classmethod
    def of(cls, sets: Sequence[tuple[str, ...]]) -> LabelSets:
        """The table of `sets` (in that order)."""
        names = Table()
        codes = [names.code(label) for labels in sets for label in labels]
        start = np.zeros(len(sets) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(labels) for labels in sets])
        return cls(list(sets), names.values, start, np.array(codes, dtype=np.int32))

    def most(self, per_name: np.ndarray, empty: float) -> np.ndarray:
        """Per set, the largest of `per_name` (a value per label name) over its labels; `empty` for a
        set without labels."""
        counts = np.diff(self.start)
        out = np.full(len(self.sets), empty, dtype=float)
        filled = counts > 0
        if filled.any():
            out[filled] = np.maximum.reduceat(per_name[self.name], self.start[:-1][filled])
        return out


class Table:
    """Distinct values, each given a code in order of first appearance."""

    def __init__(self) -> None:
        self.codes: dict[Any, int] = {}
        self.values: list[Any] = []

    def code(self, value: Any) -> int:
        """The value's code (-1 for None)."""
        if value is None:
            return -1
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found


@dataclass(frozen=True, eq=False)
class FactColumns:
    """The columns of a list of items (see the module docstring)."""

    # -- items --
    ref: np.ndarray  # object: "owner/repo#N"
    repo: np.ndarray  # object: "owner/name"
    repo_code: IntArray  # int32 codes into `repos`
    number: IntArray  # int64
    url: np.ndarray  # object: the thread's address (`ItemFacts.html_url`)
    title: np.ndarray  # object (None when unknown)
    kind: np.ndarray  # object: "pull", "issue", "discussion" or None
    kind_code: IntArray  # int8, KIND_CODES
    status: np.ndarray  # object: the fetch status
    status_detail: np.ndarray  # object
    found: np.ndarray  # bool: GitHub showed the thread (`ItemFacts.found`)
    state_code: IntArray  # int8, STATE_CODES: the state as observed
    author: np.ndarray  # object: the author's login as GitHub spells it (None when unknown)
    author_login: IntArray  # int32 code into `logins` (-1: no author)
    author_type: np.ndarray  # object
    author_association: np.ndarray  # object
    author_key: IntArray  # int32 code into `actor_keys` of (author, type, association)
    first_time: IntArray  # int8: GitHub says it is the author's first contribution (-1 unknown)
    draft: IntArray  # int8
    mergeable: IntArray  # int8
    labels: np.ndarray  # object: tuple of names, or None
    label_set: IntArray  # int32 code into `label_sets` (-1: labels unknown)
    label_history: np.ndarray  # bool
    milestone: np.ndarray  # object
    created: IntArray  # int64 microseconds (NAT unknown), and the same for the moments below
    closed: IntArray
    merged: IntArray
    observed: IntArray
    bounds_end: IntArray  # the latest possible opening moment when `created` is unknown (NAT: no bounds)
    bounds_start: IntArray
    timeline_complete: np.ndarray  # bool
    reactions: IntArray  # int64 (-1 unknown)
    review_decision: np.ndarray  # object
    approved: IntArray  # int8: GitHub's review decision is APPROVED (-1: no decision known)
    review_requests: IntArray  # int64 (-1 unknown)
    ci_status: np.ndarray  # object
    ci: IntArray  # int8, CI_CODES
    size: IntArray  # additions + deletions (-1 unknown)
    changed_files: IntArray  # int64 (-1 unknown)
    # -- events --
    ev_start: IntArray  # int64, one more than the items: item i's events are ev_start[i]:ev_start[i + 1]
    ev_item: IntArray  # int32
    ev_at: IntArray  # int64 microseconds
    ev_kind: IntArray  # int8, EVENT_CODES
    ev_actor_key: IntArray  # int32 code into `actor_keys` of (actor, type, association)
    ev_login: IntArray  # int32 code into `logins` (-1: a ghost account)
    ev_review: IntArray  # int8 code into `review_states` (-1: none)
    ev_detail: IntArray  # int32 code into `details` (-1: none)
    # -- tables --
    repos: list[str]
    logins: list[str]  # lower-cased
    actor_keys: list[tuple[str | None, str | None, str | None]]  # (login as spelled, account type, association)
    label_sets: list[tuple[str, ...]]
    review_states: list[str]
    details: list[str]
    items: Sequence[ItemFacts] | None = field(default=None, repr=False)  # the records, when built from them
    # Who each actor key is (bot, maintainer, by association), per view of the people: every
    # ranking of these facts asks it again with equal people (`triage.ranking.signals`).
    role_tables: dict[Any, np.ndarray] = field(default_factory=dict, repr=False)

    @cached_property
    def people_pairs(self) -> tuple[IntArray, IntArray]:
        """(per event, the code of its (item, login) pair, -1 for a ghost; per pair, its item): who
        acted on which item, numbered once for every ranking of these facts."""
        import pandas as pd  # its hash factorisation numbers the pairs in one pass

        named = self.ev_login >= 0
        width = max(len(self.logins), 1)
        codes, pairs = pd.factorize(self.ev_item[named].astype(np.int64) * width + self.ev_login[named])
        pair_of = np.full(self.events, -1, dtype=np.int32)
        pair_of[named] = codes
        return pair_of, (np.asarray(pairs) // width).astype(np.int32)

    @cached_property
    def label_text(self) -> np.ndarray:
        """Each item's labels as ", "-joined text ("" when unknown), for the label filter."""
        text: np.ndarray = np.array([", ".join(labels) for labels in self.label_sets] + [""], dtype=object)
        out: np.ndarray = text[self.label_set]
        return out

    def __len__(self) -> int:
        return len(self.ref)

    @cached_property
    def label_table(self) -> LabelSets:
        """The label sets by their names."""
        return LabelSets.of(self.label_sets)

    @property
    def events(self) -> int:
        """How many events there are."""
        return len(self.ev_at)

    @classmethod
    def of(cls, items: Sequence[ItemFacts]) -> FactColumns:
        """The columns of `items` (in that order)."""
        repos, logins, keys, label_sets, reviews, details = (Table() for _ in range(6))
        n = len(items)
        item_fields: dict[str, list[Any]] = {name: [] for name in _ITEM_FIELDS}
        for item in items:
            f = item_fields
            f["ref"].append(item.key.ref)
            f["repo"].append(item.key.repo)
            f["repo_code"].append(repos.code(item.key.repo))
            f["number"].append(item.key.number)
            f["url"].append(item.html_url)
            f["title"].append(item.title)
            f["kind"].append(item.kind)
            f["kind_code"].append(KIND_CODES.get(item.kind, 0))
            f["status"].append(item.status)
            f["status_detail"].append(item.status_detail)
            f["found"].append(item.found)
            f["state_code"].append(STATE_CODES.get(item.state, 0))
            f["author"].append(item.author)
            f["author_login"].append(logins.code(item.author.lower()) if item.author else -1)
            f["author_type"].append(item.author_type)
            f["author_association"].append(item.author_association)
            f["author_key"].append(keys.code((item.author, item.author_type, item.author_association)))
            f["first_time"].append(_tri(item.first_time_contributor))
            f["draft"].append(_tri(item.draft))
            f["mergeable"].append(_tri(item.mergeable))
            f["labels"].append(item.labels)
            f["label_set"].append(label_sets.code(item.labels))
            f["label_history"].append(item.label_history)
            f["milestone"].append(item.milestone)
            f["created"].append(us(item.created_at))
            f["closed"].append(us(item.closed_at))
            f["merged"].append(us(item.merged_at))
            f["observed"].append(us(item.observed_at))
            bounds = item.created_bounds
            f["bounds_start"].append(us(bounds[0]) if bounds else int(NAT))
            f["bounds_end"].append(us(bounds[1]) if bounds else int(NAT))
            f["timeline_complete"].append(item.timeline_complete)
            f["reactions"].append(_count(item.reactions))
            f["review_decision"].append(item.review_decision)
            f["approved"].append(-1 if item.review_decision is None else int(item.review_decision == "APPROVED"))
            f["review_requests"].append(_count(item.review_requests))
            f["ci_status"].append(item.ci_status)
            f["ci"].append(-1 if item.ci_status is None else CI_GREEN if item.ci_status == "SUCCESS"
                           else CI_FAILS if item.ci_status in FAILING_CI else CI_OTHER)
            f["size"].append(_count(item.size))
            f["changed_files"].append(_count(item.changed_files))
        # The events, a column at a time; codes share the tables above (dicts keep their order).
        events = [e for item in items for e in item.events]
        counts = np.fromiter((len(item.events) for item in items), dtype=np.int64, count=n)
        key_codes, review_codes, detail_codes = keys.codes, reviews.codes, details.codes
        ev_key = [key_codes.setdefault((e.actor, e.actor_type, e.association), len(key_codes)) for e in events]
        ev_review = [-1 if e.review_state is None else review_codes.setdefault(e.review_state, len(review_codes))
                     for e in events]
        ev_detail = [-1 if e.detail is None else detail_codes.setdefault(e.detail, len(detail_codes)) for e in events]
        for table in (keys, reviews, details):
            table.values = list(table.codes)
        key_login = np.array([logins.code(actor.lower()) if actor else -1 for actor, _, _ in keys.values],
                             dtype=np.int32)
        arrays: dict[str, Any] = {name: np.array(item_fields[name], dtype=dtype)
                                  for name, dtype in _ITEM_FIELDS.items() if dtype is not object}
        for name in _OBJECT_FIELDS:  # tuples and text stay Python objects, one per item
            column = np.empty(n, dtype=object)
            column[:] = item_fields[name]
            arrays[name] = column
        return cls(
            **arrays,
            ev_start=np.concatenate(([0], np.cumsum(counts))),
            ev_item=np.repeat(np.arange(n, dtype=np.int32), counts),
            ev_at=np.array([us(e.at) for e in events], dtype=np.int64),
            ev_kind=np.array([EVENT_CODES[e.kind] for e in events], dtype=np.int8),
            ev_actor_key=np.array(ev_key, dtype=np.int32),
            ev_login=key_login[np.array(ev_key, dtype=np.int64)],
            ev_review=np.array(ev_review, dtype=np.int8),
            ev_detail=np.array(ev_detail, dtype=np.int32),
            repos=repos.values,
            logins=logins.values,
            actor_keys=keys.values,
            label_sets=label_sets.values,
            review_states=reviews.values,
            details=details.values,
            items=tuple(items),
        )

    def item(self, i: int) -> ItemFacts:
        """Item `i` as a record, with the facts the ranking reads (for columns not built from records)."""
        if self.items is not None:
            return self.items[i]
        lo, hi = int(self.ev_start[i]), int(self.ev_start[i + 1])
        events = tuple(
            Event(
                self.actor_keys[self.ev_actor_key[k]][0], moment(int(self.ev_at[k])) or _EPOCH,
                EVENT_KINDS[self.ev_kind[k]],
                self.actor_keys[self.ev_actor_key[k]][2], self.actor_keys[self.ev_actor_key[k]][1],
                self.review_states[self.ev_review[k]] if self.ev_review[k] >= 0 else None,
                self.details[self.ev_detail[k]] if self.ev_detail[k] >= 0 else None,
            )
            for k in range(lo, hi)
        )
        start, end = moment(int(self.bounds_start[i])), moment(int(self.bounds_end[i]))
        return ItemFacts(
            key=ItemKey(str(self.repo[i]), int(self.number[i])), kind=self.kind[i], url=self.url[i],
            status=self.status[i], status_detail=self.status_detail[i], title=self.title[i],
            state=_STATES[self.state_code[i]], draft=_bool(self.draft[i]), author=self.author[i],
            author_association=self.author_association[i], author_type=self.author_type[i], labels=self.labels[i],
            milestone=self.milestone[i], created_at=moment(int(self.created[i])),
            closed_at=moment(int(self.closed[i])), merged_at=moment(int(self.merged[i])), events=events,
            timeline_complete=bool(self.timeline_complete[i]), reactions=_none(self.reactions[i]),
            review_decision=self.review_decision[i], review_requests=_none(self.review_requests[i]),
            ci_status=self.ci_status[i], mergeable=_bool(self.mergeable[i]), additions=_none(self.size[i]),
            deletions=0 if self.size[i] >= 0 else None, changed_files=_none(self.changed_files[i]),
            observed_at=moment(int(self.observed[i])),
            created_bounds=(start, end) if start is not None and end is not None else None,
            label_history=bool(self.label_history[i]),
        )

    def subset(self, rows: Sequence[int]) -> FactColumns:
        """The items at `rows` (in that order), with their events: to read a few items again."""
        index = np.asarray(rows, dtype=np.int64)
        starts, counts = self.ev_start[index], np.diff(self.ev_start)[index]
        ev_start = np.zeros(len(index) + 1, dtype=np.int64)
        ev_start[1:] = np.cumsum(counts)
        events = np.repeat(starts - ev_start[:-1], counts) + np.arange(int(ev_start[-1]))
        arrays: dict[str, Any] = {name: getattr(self, name)[index] for name in _ITEM_FIELDS}
        arrays.update({name: getattr(self, name)[events] for name in _EVENT_FIELDS})
        sub = FactColumns(
            **arrays,
            ev_start=ev_start,
            ev_item=np.repeat(np.arange(len(index), dtype=np.int32), counts),
            repos=self.repos, logins=self.logins, actor_keys=self.actor_keys, label_sets=self.label_sets,
            review_states=self.review_states, details=self.details,
            items=None if self.items is None else tuple(self.items[int(i)] for i in index),
            role_tables=self.role_tables,
        )
        sub.__dict__["label_table"] = self.label_table  # the same label sets: no need to index them again
        return sub

    def repeated(self, copies: int, number_step: int = 1_000_000) -> FactColumns:
        """These items `copies` times over, each copy under other numbers (`number_step` apart):
        a large ranking made of real shapes, for benchmarks."""
        n, m = len(self), self.events
        tile = np.arange(copies)
        number = (self.number[None, :] + (tile * number_step)[:, None]).ravel()
        ref = np.empty(n * copies, dtype=object)
        ref[:] = [f"{r}#{k}" for r, k in zip(np.tile(self.repo, copies), number.tolist(), strict=True)]
        arrays: dict[str, Any] = {
            name: np.tile(getattr(self, name), copies) for name in (*_ITEM_FIELDS, *_EVENT_FIELDS)
            if name not in ("ref", "number")}
        many = FactColumns(
            **arrays,
            ref=ref,
            number=number,
            ev_start=np.concatenate([self.ev_start[:-1] + c * m for c in range(copies)] + [[m * copies]]),
            ev_item=(self.ev_item[None, :] + (tile * n)[:, None]).ravel().astype(np.int32),
            repos=self.repos, logins=self.logins, actor_keys=self.actor_keys, label_sets=self.label_sets,
            review_states=self.review_states, details=self.details, role_tables=self.role_tables,
        )
        # Each copy's (item, login) pairs are the original's, numbered after the copies before it.
        pair_of, pair_item = self.people_pairs
        pairs = len(pair_item)
        many.__dict__["people_pairs"] = (
            np.where(np.tile(pair_of, copies) >= 0,
                     (pair_of[None, :] + (tile * pairs)[:, None]).ravel(), -1).astype(np.int32),
            (pair_item[None, :] + (tile * n)[:, None]).ravel().astype(np.int32),
        )
        many.__dict__["label_table"] = self.label_table
        return many


# Item columns and their dtypes (object: Python values).
_ITEM_FIELDS: dict[str, Any] = {
    "ref": object, "repo": object, "repo_code": np.int32, "number": np.int64, "url": object, "title": object,
    "kind": object, "kind_code": np.int8, "status": object, "status_detail": object, "found": bool,
    "state_code": np.int8, "author": object, "author_login": np.int32, "author_type": object,
    "author_association": object, "author_key": np.int32, "first_time": np.int8, "draft": np.int8,
    "mergeable": np.int8, "labels": object, "label_set": np.int32, "label_history": bool, "milestone": object,
    "created": np.int64, "closed": np.int64, "merged": np.int64, "observed": np.int64, "bounds_start": np.int64,
    "bounds_end": np.int64, "timeline_complete": bool, "reactions": np.int64, "review_decision": object,
    "approved": np.int8, "review_requests": np.int64, "ci_status": object, "ci": np.int8, "size": np.int64,
    "changed_files": np.int64,
}
_OBJECT_FIELDS = [name for name, dtype in _ITEM_FIELDS.items() if dtype is object]
_EVENT_FIELDS = ("ev_at", "ev_kind", "ev_actor_key", "ev_login", "ev_review", "ev_detail")
