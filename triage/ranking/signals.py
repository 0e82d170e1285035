"""Signals: what the facts say about every item as of a moment, ignoring everything after it.

Facts are what GitHub showed; signals are what a maintainer asks of them on the meeting day: how
old is it, whose turn is it and since when, when did a maintainer last look at it, who takes part.
Bots never count as participants or as the person the ball is with. Who is a maintainer is asked
of the item's own repository (`People.for_repo`): its OWNERS approvers when they are known.

Signals are computed for all items at once, over their columns (`triage.facts.columns`): one pass
of numpy over every event of every timeline (`triage.ranking.timelines`) instead of a Python loop per item,
so that ten thousand scanned PRs are ranked in milliseconds (issue 13). Whose turn it is comes from
the rules in `triage.ranking.turns`. `Signals.row` reads one item's signals back as plain values, for the
reasons shown next to the rows on screen.

A maintainer acting elsewhere answers too, and makes the item the maintainers' own work: a
maintainer's PR or issue referring to it (a cross-reference, a "Fixes #N" link, a vote or decision
issue), a maintainer assigned to it, or an earlier meeting's minutes assigning it.

Conflicts, CI, labels and pending review requests are GitHub's *current* state, not dated history,
so they are only used when the facts were observed around the moment (`as_of.CURRENT_FACTS_SLACK`):
today's red build says nothing about a meeting two years ago (labels are replayed through their
events when every one is known, see `as_of.labels_as_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np

from triage.agenda.earlier import meeting_label
from triage.facts import ItemFacts, People
from triage.facts.columns import CI_FAILS, NAT, FactColumns, LabelSets, moment, us
from triage.outcomes import EarlierOutcome
from triage.ranking import timelines as tl
from triage.ranking.as_of import CURRENT_FACTS_SLACK, Hold, state_as_of
from triage.ranking.timelines import MEETING, SIDE, days, first_event, last_event, take
from triage.ranking.turns import (
    BALLS,
    CLOSED,
    MAINTAINER_SPOKE_LAST,
    MERGED,
    NO_BALL,
    OWN,
    REASON_CODES,
    REASONS,
    STATES,
    Thread,
    whose_turn,
)

__all__ = ["CURRENT_FACTS_SLACK", "state_as_of"]

_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class AgendaContext:
    """What the agenda says about an item: where it sits, its flags, earlier meetings naming it."""

    flags: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    bullet: str | None = None
    carried_over: tuple[str, ...] = ()  # names of earlier meetings whose minutes name the item
    skipped_before: tuple[str, ...] = ()  # those of them that skipped it: to be raised this time
    assigned: tuple[tuple[str, datetime], ...] = ()  # (meeting, its date): earlier minutes assigning it
    held: bool = False  # the agenda says the item is on hold
    outcomes: tuple[EarlierOutcome, ...] = ()  # what earlier meetings decided about it, oldest first


NO_AGENDA = AgendaContext()  # the context of an item no agenda names


# --- who the actors are ---------------------------------------------------------------------------------


def _views(columns: FactColumns, people: People) -> tuple[np.ndarray, list[People]]:
    """Each item's view of the people (its repository's maintainers), as an index into the views."""
    views: list[People] = []
    index: dict[int, int] = {}
    by_repo = []
    for repo in columns.repos:
        view = people.for_repo(repo)
        by_repo.append(index.setdefault(id(view), len(views)))
        if by_repo[-1] == len(views):
            views.append(view)
    return np.array(by_repo, dtype=np.int32)[columns.repo_code] if len(columns) else np.empty(0, np.int32), views


def _role_table(columns: FactColumns, views: list[People]) -> np.ndarray:
    """bool[3, views, keys + 1]: whether each actor key (and last, an earlier meeting's assignment,
    nobody's) is a bot, a maintainer, a maintainer by association only, in each view of the people.
    Kept with the facts for the next ranking with the same people."""
    table = np.zeros((3, len(views), len(columns.actor_keys) + 1), dtype=bool)
    for v, view in enumerate(views):
        rows = columns.role_tables.get(view)
        if rows is None:
            answers = [view.roles(*key) for key in columns.actor_keys]
            rows = columns.role_tables[view] = np.array(
                [[a.bot for a in answers], [a.maintainer for a in answers], [a.by_association for a in answers]],
                dtype=bool).reshape(3, len(answers))
        table[:, v, :-1] = rows
    return table


# --- the signals ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Signals:
    """Every item's signals as of `as_of`, as columns (see `SignalRow` for what each means)."""

    columns: FactColumns
    as_of: datetime
    agenda: Mapping[int, AgendaContext]  # item -> what the agenda says (items no agenda names are absent)
    people: People
    state: np.ndarray  # STATES code: open / closed / merged as of the moment; 0 when the facts cannot tell
    state_note: np.ndarray  # object
    age_days: np.ndarray  # int64, -1 unknown (from the observed opening only)
    opened_before: np.ndarray  # microseconds: the opening was not observed, it was no later than this
    idle_days: np.ndarray  # days since the last visible activity (bots excluded); -1 unknown
    ball: np.ndarray  # BALLS code
    ball_since: np.ndarray  # microseconds
    ball_days: np.ndarray  # -1 unknown
    ball_reason: np.ndarray  # REASONS code
    maintainer_silence_days: np.ndarray  # -1 unknown
    last_maintainer_at: np.ndarray  # microseconds
    last_maintainer_where: np.ndarray  # object: how a maintainer acted elsewhere, when that was the latest
    participants: np.ndarray  # humans who acted on the thread, author included (a count)
    external_participants: np.ndarray  # participants who are neither maintainers nor the author (a count)
    bot_events: np.ndarray
    author_is_maintainer: np.ndarray  # int8, -1 unknown
    author_is_bot: np.ndarray  # int8, -1 unknown
    approving_review: np.ndarray  # bool
    labels: np.ndarray  # int32 code into `label_sets`: the labels at the moment; -1 unknown
    label_sets: LabelSets
    hold: np.ndarray  # object: the Hold in force at the moment, or None
    role_note: np.ndarray  # object
    current: np.ndarray  # bool: the current-state facts describe the moment
    _rows: dict[int, SignalRow] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.state)

    @cached_property
    def resolved(self) -> np.ndarray:
        """Closed or merged as of the moment (an unknown state is not resolved)."""
        ended: np.ndarray = (self.state == CLOSED) | (self.state == MERGED)
        return ended

    @cached_property
    def as_of_us(self) -> int:
        """The moment, in microseconds."""
        return us(self.as_of)

    def row(self, i: int) -> SignalRow:
        """Item `i`'s signals as plain values."""
        found = self._rows.get(i)
        if found is None:
            found = self._rows[i] = SignalRow(self, i)
        return found


class SignalRow:
    """One item's signals as plain values (datetimes, None for unknown): what reasons are built from."""

    def __init__(self, s: Signals, i: int) -> None:
        self.s, self.i = s, i
        self.as_of = s.as_of
        self.agenda = s.agenda.get(i, NO_AGENDA)
        self.state = STATES[s.state[i]]
        self.state_note: str | None = s.state_note[i]
        self.age_days = _int(s.age_days[i])
        self.opened_before = moment(int(s.opened_before[i]))
        self.idle_days = _int(s.idle_days[i])
        self.ball = BALLS[s.ball[i]]
        self.ball_since = moment(int(s.ball_since[i]))
        self.ball_days = _int(s.ball_days[i])
        self.ball_reason = REASONS[s.ball_reason[i]]
        self.maintainer_silence_days = _int(s.maintainer_silence_days[i])
        self.last_maintainer_at = moment(int(s.last_maintainer_at[i]))
        self.last_maintainer_where: str | None = s.last_maintainer_where[i]
        self.bot_events = int(s.bot_events[i])
        self.author_is_maintainer = _tri(s.author_is_maintainer[i])
        self.author_is_bot = _tri(s.author_is_bot[i])
        self.first_time_contributor = _tri(s.columns.first_time[i])
        self.approving_review = bool(s.approving_review[i])
        self.labels = s.label_sets.sets[s.labels[i]] if s.labels[i] >= 0 else None
        self.hold: Hold | None = s.hold[i]
        self.role_note: str | None = s.role_note[i]
        self.current = bool(s.current[i])

    @property
    def resolved(self) -> bool:
        """Closed or merged as of the moment (an unknown state is not resolved)."""
        return self.state in ("closed", "merged")

    @cached_property
    def item(self) -> ItemFacts:
        """The item's facts."""
        items = self.s.columns.items
        return items[self.i] if items is not None else self.s.columns.item(self.i)

    @cached_property
    def participants(self) -> tuple[str, ...]:
        """Humans who acted on the thread, author first, each as first spelled."""
        return _participants(self.s, self.i)[0]

    @cached_property
    def external_participants(self) -> tuple[str, ...]:
        """Participants who are neither maintainers nor the author."""
        return _participants(self.s, self.i)[1]


def _int(value: Any) -> int | None:
    return None if value < 0 else int(value)


def _tri(value: Any) -> bool | None:
    return None if value < 0 else bool(value)


def _participants(s: Signals, i: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Item `i`'s participants and external participants, as the columns count them."""
    item = s.row(i).item
    crowd = s.people.for_repo(item.key.repo)
    author = (item.author or "").lower() or None
    people: dict[str, str] = {author: item.author} if author and item.author else {}
    acted: set[str] = set()
    for e in item.events:
        if e.at > s.as_of or e.kind in SIDE:
            continue
        bot, maintainer, login = crowd.roles(e.actor, e.actor_type, e.association)[:3]
        if bot:
            continue
        if e.actor and login not in people:
            people[login] = e.actor
        if login != author and maintainer:
            acted.add(login)
    external = tuple(name for lower, name in people.items() if lower != author and lower not in acted)
    return tuple(people.values()), external


def compute(
    columns: FactColumns, as_of: datetime, people: People, agenda: Mapping[int, AgendaContext] | None = None
) -> Signals:
    """Every item's signals as of `as_of`; `agenda` gives the items an agenda names their context."""
    context = dict(agenda or {})
    n = len(columns)
    t = us(as_of)
    item_view, views = _views(columns, people)
    author = np.where(columns.author_login >= 0, columns.author_login, -2)  # never a ghost's -1

    # The state as of the moment, read back from the dated facts.
    state, state_note, ended = tl.states(columns, as_of, t)
    current = (columns.observed == NAT) | (columns.observed <= t + CURRENT_FACTS_SLACK // _US)

    # The events up to the moment, and what each one is.
    first_seen = tl.first_seen(columns, t)
    assigned = [(i, us(at), f"assigned at the {meeting_label(name)} meeting")
                for i, c in sorted(context.items()) for name, at in c.assigned if at <= as_of]
    ev = tl.events(columns, assigned)
    actor_keys = [*columns.actor_keys, (None, MEETING, None)]  # the last: an earlier meeting's assignment
    visible = ev.at <= t
    side = tl.kinds(SIDE)[ev.kind]
    request = tl.kinds(tl.REQUESTS)[ev.kind]
    review_codes = {name: code for code, name in enumerate(columns.review_states)}
    own_login = author[ev.item]
    roles = _role_table(columns, views)
    width = roles.shape[2]
    flat = roles.reshape(3, -1)
    bot, maintainer, by_association = flat[:, ev.key if len(views) == 1 else item_view[ev.item] * width + ev.key]
    human = visible & ~side & ~bot
    by_author = human & (ev.login == own_login)
    responds = human & ~by_author & maintainer
    outsider = human & ~by_author & ~maintainer
    elsewhere = visible & side & tl.elsewhere(ev, columns, bot, maintainer, own_login, item_view, views)

    last_response = last_event(responds | elsewhere, ev.item, n)
    after = np.arange(len(ev.at)) > last_response[ev.item]
    waiting = first_event((by_author | outsider) & after, ev.item, n)
    last_response_at = take(ev.at, last_response, NAT)
    last_is_elsewhere = take(elsewhere, last_response, False)
    last_human_at = take(ev.at, last_event(human, ev.item, n), NAT)
    approved = review_codes.get("APPROVED", -2)

    # Labels and holds at the moment.
    labels, label_sets = tl.labels_then(columns, current, as_of)
    hold = tl.holds(columns, ev, visible, labels, label_sets, [i for i, c in context.items() if c.held],
                    actor_keys)
    hold_since = np.full(n, NAT, dtype=np.int64)
    hold_by_author = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(hold.astype(bool)):
        h, login = hold[i], columns.author[i]
        hold_since[i] = us(h.since)
        # An empty login is unknown (an account GitHub no longer names), never the author.
        hold_by_author[i] = bool(h.by) and bool(login) and h.by.lower() == login.lower()

    # The author (bots are the same in every view of the people).
    author_bot, author_maintains, author_by_association = flat[:, item_view * width + columns.author_key]
    has_author = columns.author_login >= 0
    author_is_maintainer = np.where(has_author, author_maintains, -1).astype(np.int8)
    author_is_bot = np.where(has_author, author_bot, -1).astype(np.int8)

    turn = whose_turn(Thread(
        state=state, ended=ended, current=current, pull=columns.kind_code == 1, mergeable=columns.mergeable,
        ci_failing=columns.ci == CI_FAILS, review_requests=columns.review_requests, created=columns.created,
        as_of=t, last_human_at=last_human_at, last_author_at=take(ev.at, last_event(by_author, ev.item, n), NAT),
        last_response_at=last_response_at, waiting_at=take(ev.at, waiting, NAT),
        waiting_by_author=take(by_author, waiting, False),
        changes_requested_at=tl.changes_requested_at(ev, responds, review_codes, n),
        last_request_at=take(ev.at, last_event(visible & ~side & request, ev.item, n), NAT), hold=hold,
        hold_since=hold_since, hold_by_author=hold_by_author,
        own=(author_is_maintainer == 1) & (first_event(outsider & after, ev.item, n) < 0), elsewhere=last_is_elsewhere,
    ))
    since = turn.since
    where = np.full(n, None, dtype=object)
    for i in np.flatnonzero(last_is_elsewhere):
        where[i] = tl.place(ev, int(last_response[i]), actor_keys)
    silence_from = np.where(last_response_at != NAT, last_response_at,
                            np.where(columns.created != NAT, columns.created, first_seen))
    opened_before = np.where(
        columns.created != NAT, NAT,
        np.where((first_seen != NAT) & ((columns.bounds_end == NAT) | (first_seen < columns.bounds_end)),
                 first_seen, columns.bounds_end))
    participants, external = tl.counts(columns, ev, human, responds, own_login, author)
    signals = Signals(
        columns=columns, as_of=as_of, agenda=context, people=people, state=state, state_note=state_note,
        age_days=np.where((columns.created != NAT) & (columns.created <= t), days(columns.created, t), -1),
        opened_before=opened_before, idle_days=days(last_human_at, t), ball=np.asarray(turn.ball),
        ball_since=since, ball_days=np.where((since != NAT) & (since <= t), days(since, t), -1),
        ball_reason=np.asarray(turn.reason),
        maintainer_silence_days=days(silence_from, t), last_maintainer_at=last_response_at,
        last_maintainer_where=where, participants=participants, external_participants=external,
        bot_events=np.bincount(ev.item[visible & ~side & bot], minlength=n),
        author_is_maintainer=author_is_maintainer, author_is_bot=author_is_bot,
        approving_review=first_event(visible & ~side & ~request & (ev.review == approved), ev.item, n) >= 0,
        labels=labels, label_sets=label_sets, hold=hold, role_note=np.full(n, None, dtype=object), current=current,
    )
    _role_notes(signals, author_by_association & has_author, ev, last_response, responds & by_association, actor_keys)
    return signals


def _role_notes(s: Signals, author_by_association: np.ndarray, ev: tl.Events, last_response: np.ndarray,
                responds_by_association: np.ndarray,
                actor_keys: list[tuple[str | None, str | None, str | None]]) -> None:
    """Where an association read today decided who was a maintainer at a past moment (items whose
    facts do not describe the moment only)."""
    then = f"not necessarily the role on {s.as_of:%Y-%m-%d}"
    columns = s.columns
    own = (s.ball == OWN) & author_by_association
    spoke = s.ball_reason == REASON_CODES[MAINTAINER_SPOKE_LAST]
    responder = take(responds_by_association, last_response, False)
    for i in np.flatnonzero(~s.current & (s.ball != NO_BALL) & (own | (spoke & responder))):
        if own[i]:
            s.role_note[i] = (f"{columns.author[i]} counted as a maintainer by today's GitHub role "
                              f"({columns.author_association[i]}), {then}")
        else:
            actor, _, association = actor_keys[ev.key[last_response[i]]]
            s.role_note[i] = f"{actor} counted as a maintainer by today's GitHub role ({association}), {then}"
