"""Signals: what the facts say about every item as of a moment, ignoring everything after it.

Facts are what GitHub showed; signals are what a maintainer asks of them on the meeting day: how
old is it, whose turn is it and since when, when did a maintainer last look at it, who takes part.
Bots never count as participants or as the person the ball is with. Who is a maintainer is asked
of the item's own repository (`People.for_repo`): its OWNERS approvers when they are known.

Signals are computed for all items at once, over their columns (`triage.fact_columns`): one pass
of numpy over every event of every timeline instead of a Python loop per item, so that ten
thousand scanned PRs are ranked in milliseconds (issue 13). `Signals.row` reads one item's
signals back as plain values, for the reasons shown next to the rows on screen.

Whose turn it is (the *ball*) is decided by small rules, one function each, tried in this order:

1. `resolved`: closed or merged as of the moment: nobody's.
2. `on_hold`: a hold label (Prow's `/hold`, "do-not-merge", "on-hold") or an agenda saying "on hold":
   the maintainers' turn, since the hold, unless the author set it.
3. `merge_conflicts`, `failing_ci`: only the author can rebase or fix the build: the author's.
4. `changes_requested`: a maintainer asked for changes and the author has not acted since.
5. `review_requested` and `conversation`: a review was requested and not given, or someone other
   than a maintainer spoke last: the maintainers', since the earlier of the two.
6. `conversation`: a maintainer spoke last: the author's; a maintainer took it up elsewhere (see
   below) and nobody spoke since: `maintainers_own`, the maintainers' own work.

When the maintainers' turn is only the author's own word and the author is a maintainer of the
repository (a proposal, a tracking issue, a maintainer's PR), the ball is `maintainers_own`: the
maintainers' own backlog, told apart from a contributor waiting on them.

A maintainer acting elsewhere answers too, and makes the item the maintainers' own work: a
maintainer's PR or issue referring to it (a cross-reference, a "Fixes #N" link, a vote or decision
issue), a maintainer assigned to it, or an earlier meeting's minutes assigning it.

Conflicts, CI, labels and pending review requests are GitHub's *current* state, not dated history,
so they are only used when the facts were observed around the moment (`as_of.CURRENT_FACTS_SLACK`):
today's red build says nothing about a meeting two years ago (labels are replayed through their
events when every one is known, see `as_of.labels_as_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Literal, NamedTuple, cast

import numpy as np

from triage.agenda.earlier import meeting_label
from triage.as_of import (
    CURRENT_FACTS_SLACK,
    Hold,
    hold_as_of,
    is_hold_label,
    labels_as_of,
    state_as_of,
)
from triage.fact_columns import CI_FAILS, EVENT_CODES, NAT, FactColumns, LabelSets, moment, us
from triage.facts import Event, ItemFacts, People
from triage.outcomes import EarlierOutcome

__all__ = ["CURRENT_FACTS_SLACK", "state_as_of"]

Ball = Literal["maintainers", "maintainers_own", "author", "nobody"]
_VERDICTS = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")  # a reviewer's latest word
MEETING = "Meeting"  # the actor type of an assignment read from an earlier meeting's minutes
DAY_US = 86_400_000_000
_US = timedelta(microseconds=1)

# The reasons a rule gives (shown as "waiting on author: CI failing" and the like).
RESOLVED = "resolved"
ON_HOLD = "on hold"
AUTHOR_HOLD = "on hold by the author"
MERGE_CONFLICTS = "merge conflicts"
CI_FAILING = "CI failing"
CHANGES_REQUESTED = "changes requested"
REVIEW_REQUESTED = "review requested, not given"
AUTHOR_SPOKE_LAST = "author spoke last"
COMMUNITY_SPOKE_LAST = "community spoke last"
NO_REPLY_YET = "no maintainer reply yet"
MAINTAINER_SPOKE_LAST = "maintainer spoke last"
TAKEN_UP = "taken up by the maintainers elsewhere"  # an assignment, a maintainer's PR or decision issue

# Codes of the columns: index 0 is "unknown" (None).
BALLS: tuple[Ball | None, ...] = (None, "maintainers", "maintainers_own", "author", "nobody")
NO_BALL, MAINTAINERS, OWN, AUTHOR, NOBODY = range(5)
REASONS: tuple[str | None, ...] = (
    None, RESOLVED, ON_HOLD, AUTHOR_HOLD, MERGE_CONFLICTS, CI_FAILING, CHANGES_REQUESTED, REVIEW_REQUESTED,
    AUTHOR_SPOKE_LAST, COMMUNITY_SPOKE_LAST, NO_REPLY_YET, MAINTAINER_SPOKE_LAST, TAKEN_UP,
)
REASON_CODES = {reason: n for n, reason in enumerate(REASONS)}
STATES: tuple[str | None, ...] = (None, "open", "closed", "merged")  # fact_columns.STATE_CODES order
OPEN, CLOSED, MERGED = 1, 2, 3
# The maintainers' turn reasons that are only the author's own request.
_OWN_REASONS = (AUTHOR_SPOKE_LAST, NO_REPLY_YET, REVIEW_REQUESTED)

_SIDE = ("labeled", "unlabeled", "cross_referenced", "connected", "assigned")  # not a word on the thread
_LABEL_EVENTS = ("labeled", "unlabeled")
_REQUESTS = ("review_requested", "ready_for_review")


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


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from `start` to `end` (never negative)."""
    return max((end - start).days, 0)  # timedelta.days is the floor of the whole days


def _days(start: np.ndarray, end: int | np.ndarray) -> np.ndarray:
    """`days_between` of microsecond columns; -1 where `start` is unknown."""
    return np.where(start == NAT, -1, np.maximum((end - start) // DAY_US, 0))


def _kinds(names: tuple[str, ...]) -> np.ndarray:
    """A look-up table over event kind codes: True for `names`."""
    table = np.zeros(len(EVENT_CODES), dtype=bool)
    table[[EVENT_CODES[n] for n in names]] = True
    return table


# --- segments: item i's events are ev_start[i]:ev_start[i + 1] ------------------------------------------


def _last(mask: np.ndarray, ev_item: np.ndarray, n: int) -> np.ndarray:
    """Per item, the index of its last event where `mask` holds (-1 when none)."""
    return _edge(mask, ev_item, n, last=True)


def _first(mask: np.ndarray, ev_item: np.ndarray, n: int) -> np.ndarray:
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


def _take(values: np.ndarray, index: np.ndarray, missing: Any) -> np.ndarray:
    """`values[index]`, with `missing` where the index is -1."""
    out = values[np.maximum(index, 0)] if len(values) else np.full(len(index), missing, dtype=values.dtype)
    return np.where(index >= 0, out, missing)


# --- the ball rules, in the order `whose_turn` tries them --------------------------------------------------


class Turn(NamedTuple):
    """A rule's verdict for every item: where it applies, whose turn it is, since when, and why."""

    applies: np.ndarray  # bool
    ball: np.ndarray | int  # BALLS code(s)
    since: np.ndarray  # int64 microseconds (NAT: undated)
    reason: np.ndarray | int  # REASONS code(s)


@dataclass(frozen=True)
class Thread:
    """What the ball rules read, for every item: one pass over the visible events found these."""

    state: np.ndarray  # STATES code
    ended: np.ndarray  # the merge (else close) moment
    current: np.ndarray  # the current-state facts (CI, mergeable, requests) describe the moment
    pull: np.ndarray
    mergeable: np.ndarray  # int8
    ci_failing: np.ndarray
    review_requests: np.ndarray
    created: np.ndarray
    as_of: int
    last_human_at: np.ndarray
    last_author_at: np.ndarray
    last_response_at: np.ndarray
    waiting_at: np.ndarray  # the first word by anyone else since the last response (NAT: none)
    waiting_by_author: np.ndarray
    changes_requested_at: np.ndarray  # the latest maintainer verdict asking for changes (NAT: none)
    last_request_at: np.ndarray
    hold: np.ndarray  # object: Hold or None
    hold_since: np.ndarray
    hold_by_author: np.ndarray
    own: np.ndarray  # a maintainer's item on which only the author has spoken since the last response
    elsewhere: np.ndarray  # the last response was a maintainer acting elsewhere


def resolved(t: Thread) -> Turn:
    """Closed or merged as of the moment: nobody's turn."""
    return Turn((t.state == CLOSED) | (t.state == MERGED), NOBODY, t.ended, REASON_CODES[RESOLVED])


def on_hold(t: Thread) -> Turn:
    """Held back by a hold label or the agenda: the maintainers lift it, unless the author set it."""
    held = t.hold.astype(bool)
    return Turn(held, np.where(t.hold_by_author, AUTHOR, MAINTAINERS), t.hold_since,
                np.where(t.hold_by_author, REASON_CODES[AUTHOR_HOLD], REASON_CODES[ON_HOLD]))


def merge_conflicts(t: Thread) -> Turn:
    """The PR conflicts with its base branch: only the author can rebase it."""
    return Turn(t.current & t.pull & (t.mergeable == 0), AUTHOR, t.last_human_at, REASON_CODES[MERGE_CONFLICTS])


def failing_ci(t: Thread) -> Turn:
    """The PR's checks fail: the author fixes the build before anyone reviews."""
    return Turn(t.current & t.pull & t.ci_failing, AUTHOR, t.last_human_at, REASON_CODES[CI_FAILING])


def changes_requested(t: Thread) -> Turn:
    """A maintainer's latest verdict asks for changes and the author has not acted since."""
    asked = t.changes_requested_at != NAT
    answered = (t.last_author_at != NAT) & (t.last_author_at > t.changes_requested_at)
    return Turn(asked & ~answered, AUTHOR, t.changes_requested_at, REASON_CODES[CHANGES_REQUESTED])


def review_requested(t: Thread) -> Turn:
    """GitHub still lists a review request: a reviewer was asked and has not reviewed."""
    since = np.where(t.last_request_at != NAT, t.last_request_at, t.created)
    return Turn(t.current & t.pull & (t.review_requests > 0), MAINTAINERS, since, REASON_CODES[REVIEW_REQUESTED])


def conversation(t: Thread) -> Turn:
    """Who spoke last: anyone but a maintainer (the author, the community) -> the maintainers'
    turn since the first unanswered word; a maintainer -> the author's turn."""
    waiting = t.waiting_at != NAT
    replied = t.last_response_at != NAT
    opened = (t.created != NAT) & (t.created <= t.as_of)  # nothing visible but the opening
    talk_reason = np.where(~replied, REASON_CODES[NO_REPLY_YET],
                           np.where(t.waiting_by_author, REASON_CODES[AUTHOR_SPOKE_LAST],
                                    REASON_CODES[COMMUNITY_SPOKE_LAST]))
    return Turn(
        waiting | replied | opened,
        np.select([waiting, replied & t.elsewhere, replied], [MAINTAINERS, OWN, AUTHOR], MAINTAINERS),
        np.select([waiting, replied], [t.waiting_at, t.last_response_at], t.created),
        np.select([waiting, replied & t.elsewhere, replied],
                  [talk_reason, REASON_CODES[TAKEN_UP], REASON_CODES[MAINTAINER_SPOKE_LAST]],
                  REASON_CODES[NO_REPLY_YET]),
    )


AUTHOR_RULES: tuple[Callable[[Thread], Turn], ...] = (merge_conflicts, failing_ci, changes_requested)


def _talk_or_request(t: Thread) -> Turn:
    """The conversation's verdict, or the pending review request's, whichever waited longer (an
    undated one waits least)."""
    talk, asked = conversation(t), review_requested(t)
    talk_ball = np.broadcast_to(talk.ball, t.state.shape)
    # asked wins over talk when talk says nothing or not the maintainers' turn, or when it waited longer
    earlier = np.where(asked.since == NAT, talk.since == NAT,
                       (talk.since == NAT) | (asked.since <= talk.since))
    use_asked = asked.applies & (~talk.applies | (talk_ball != MAINTAINERS) | earlier)
    return Turn(
        talk.applies | asked.applies,
        np.where(use_asked, MAINTAINERS, talk.ball),
        np.where(use_asked, asked.since, talk.since),
        np.where(use_asked, asked.reason, talk.reason),
    )


def whose_turn(t: Thread) -> Turn:
    """The ball as the rules above decide it (see the module docstring for the order)."""
    n = len(t.state)
    ball = np.zeros(n, dtype=np.int8)
    since = np.full(n, NAT, dtype=np.int64)
    reason = np.zeros(n, dtype=np.int8)
    open_ = np.ones(n, dtype=bool)  # no rule has decided yet
    talk = _talk_or_request(t)
    own = (t.own & talk.applies & (np.broadcast_to(talk.ball, (n,)) == MAINTAINERS)
           & np.isin(talk.reason, [REASON_CODES[r] for r in _OWN_REASONS]))
    talk = Turn(talk.applies, np.where(own, OWN, talk.ball), talk.since, talk.reason)
    for turn in (resolved(t), on_hold(t), *(rule(t) for rule in AUTHOR_RULES), talk):
        decide = open_ & turn.applies
        ball = np.where(decide, turn.ball, ball)
        since = np.where(decide, turn.since, since)
        reason = np.where(decide, turn.reason, reason)
        open_ &= ~turn.applies
    return Turn(~open_, ball.astype(np.int8), since, reason.astype(np.int8))  # arrays, every one


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
        if e.at > s.as_of or e.kind in _SIDE:
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


@dataclass
class _Events:
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


def _events(columns: FactColumns, agenda: Mapping[int, AgendaContext], as_of: datetime) -> _Events:
    """The event columns, with each earlier meeting's assignment as an event of the moment it
    happened (merged in after the facts' own events of the same moment)."""
    base = _Events(columns.ev_item, columns.ev_at, columns.ev_kind, columns.ev_actor_key, columns.ev_login,
                   columns.ev_review, columns.ev_detail, columns.details, np.zeros(columns.events, dtype=bool))
    extra = [(i, us(at), f"assigned at the {meeting_label(name)} meeting")
             for i, context in sorted(agenda.items()) for name, at in context.assigned if at <= as_of]
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
    return _Events(
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
    state, state_note, ended = _states(columns, as_of, t)
    current = (columns.observed == NAT) | (columns.observed <= t + CURRENT_FACTS_SLACK // _US)

    # The events up to the moment, and what each one is.
    first_seen = _first_seen(columns, t)
    ev = _events(columns, context, as_of)
    actor_keys = [*columns.actor_keys, (None, MEETING, None)]  # the last: an earlier meeting's assignment
    visible = ev.at <= t
    side = _kinds(_SIDE)[ev.kind]
    request = _kinds(_REQUESTS)[ev.kind]
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
    elsewhere = visible & side & _elsewhere(ev, columns, bot, maintainer, own_login, item_view, views)

    last_response = _last(responds | elsewhere, ev.item, n)
    after = np.arange(len(ev.at)) > last_response[ev.item]
    waiting = _first((by_author | outsider) & after, ev.item, n)
    last_response_at = _take(ev.at, last_response, NAT)
    last_is_elsewhere = _take(elsewhere, last_response, False)
    last_human_at = _take(ev.at, _last(human, ev.item, n), NAT)
    approved = review_codes.get("APPROVED", -2)

    # Labels and holds at the moment.
    labels, label_sets = _labels_then(columns, current, as_of)
    hold = _holds(columns, ev, visible, labels, label_sets, context, actor_keys)
    hold_since = np.full(n, NAT, dtype=np.int64)
    hold_by_author = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(hold.astype(bool)):
        h, login = hold[i], columns.author[i]
        hold_since[i] = us(h.since)
        hold_by_author[i] = h.by is not None and login is not None and h.by.lower() == login.lower()

    # The author (bots are the same in every view of the people).
    author_bot, author_maintains, author_by_association = flat[:, item_view * width + columns.author_key]
    has_author = columns.author_login >= 0
    author_is_maintainer = np.where(has_author, author_maintains, -1).astype(np.int8)
    author_is_bot = np.where(has_author, author_bot, -1).astype(np.int8)

    turn = whose_turn(Thread(
        state=state, ended=ended, current=current, pull=columns.kind_code == 1, mergeable=columns.mergeable,
        ci_failing=columns.ci == CI_FAILS, review_requests=columns.review_requests, created=columns.created,
        as_of=t, last_human_at=last_human_at, last_author_at=_take(ev.at, _last(by_author, ev.item, n), NAT),
        last_response_at=last_response_at, waiting_at=_take(ev.at, waiting, NAT),
        waiting_by_author=_take(by_author, waiting, False),
        changes_requested_at=_changes_requested_at(ev, responds, review_codes, n),
        last_request_at=_take(ev.at, _last(visible & ~side & request, ev.item, n), NAT), hold=hold,
        hold_since=hold_since, hold_by_author=hold_by_author,
        own=(author_is_maintainer == 1) & (_first(outsider & after, ev.item, n) < 0), elsewhere=last_is_elsewhere,
    ))
    since = turn.since
    where = np.full(n, None, dtype=object)
    for i in np.flatnonzero(last_is_elsewhere):
        where[i] = _place(ev, int(last_response[i]), actor_keys)
    silence_from = np.where(last_response_at != NAT, last_response_at,
                            np.where(columns.created != NAT, columns.created, first_seen))
    opened_before = np.where(
        columns.created != NAT, NAT,
        np.where((first_seen != NAT) & ((columns.bounds_end == NAT) | (first_seen < columns.bounds_end)),
                 first_seen, columns.bounds_end))
    participants, external = _counts(columns, ev, human, responds, own_login, author)
    signals = Signals(
        columns=columns, as_of=as_of, agenda=context, people=people, state=state, state_note=state_note,
        age_days=np.where((columns.created != NAT) & (columns.created <= t), _days(columns.created, t), -1),
        opened_before=opened_before, idle_days=_days(last_human_at, t), ball=np.asarray(turn.ball),
        ball_since=since, ball_days=np.where((since != NAT) & (since <= t), _days(since, t), -1),
        ball_reason=np.asarray(turn.reason),
        maintainer_silence_days=_days(silence_from, t), last_maintainer_at=last_response_at,
        last_maintainer_where=where, participants=participants, external_participants=external,
        bot_events=np.bincount(ev.item[visible & ~side & bot], minlength=n),
        author_is_maintainer=author_is_maintainer, author_is_bot=author_is_bot,
        approving_review=_first(visible & ~side & ~request & (ev.review == approved), ev.item, n) >= 0,
        labels=labels, label_sets=label_sets, hold=hold, role_note=np.full(n, None, dtype=object), current=current,
    )
    _role_notes(signals, author_by_association & has_author, ev, last_response, responds & by_association, actor_keys)
    return signals


def _first_seen(columns: FactColumns, t: int) -> np.ndarray:
    """Each item's first event, if it happened by the moment (the facts' own, before any meeting's)."""
    starts, ends = columns.ev_start[:-1], columns.ev_start[1:]
    first = columns.ev_at[np.minimum(starts, max(columns.events - 1, 0))] if columns.events else starts
    return np.where((ends > starts) & (first <= t), first, NAT)


def _states(columns: FactColumns, as_of: datetime, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _elsewhere(ev: _Events, columns: FactColumns, bot: np.ndarray, maintainer: np.ndarray, own_login: np.ndarray,
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


def _place(ev: _Events, k: int, actor_keys: list[tuple[str | None, str | None, str | None]]) -> str:
    """How event `k`, a maintainer acting elsewhere, says where: "leogr referred to o/r#2"."""
    detail = ev.details[ev.detail[k]] if ev.detail[k] >= 0 else None
    if ev.meeting[k]:
        return detail or ""
    actor = actor_keys[ev.key[k]][0]
    if ev.kind[k] == EVENT_CODES["assigned"]:
        return f"{actor or 'someone'} assigned {detail or 'someone'}"
    verb = "referred to it from" if ev.kind[k] == EVENT_CODES["cross_referenced"] else "linked"
    return f"{actor} {verb} {detail or 'another thread'}"


def _changes_requested_at(ev: _Events, responds: np.ndarray, review_codes: dict[str, int], n: int) -> np.ndarray:
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


def _counts(columns: FactColumns, ev: _Events, human: np.ndarray, responds: np.ndarray, own_login: np.ndarray,
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


def _labels_then(columns: FactColumns, current: np.ndarray, as_of: datetime) -> tuple[np.ndarray, LabelSets]:
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


def _holds(columns: FactColumns, ev: _Events, visible: np.ndarray, labels: np.ndarray,
           label_sets: LabelSets, agenda: Mapping[int, AgendaContext],
           actor_keys: list[tuple[str | None, str | None, str | None]]) -> np.ndarray:
    """Each item's hold at the moment (`as_of.hold_as_of`), or None; an agenda saying "on hold"
    holds an item no label holds."""
    n = len(columns)
    hold = np.full(n, None, dtype=object)
    label_event = visible & _kinds(_LABEL_EVENTS)[ev.kind]
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
    for i, context in agenda.items():
        if context.held and hold[i] is None:
            hold[i] = Hold("the agenda says on hold", None, None, False)
    return hold


def _role_notes(s: Signals, author_by_association: np.ndarray, ev: _Events, last_response: np.ndarray,
                responds_by_association: np.ndarray,
                actor_keys: list[tuple[str | None, str | None, str | None]]) -> None:
    """Where an association read today decided who was a maintainer at a past moment (items whose
    facts do not describe the moment only)."""
    then = f"not necessarily the role on {s.as_of:%Y-%m-%d}"
    columns = s.columns
    own = (s.ball == OWN) & author_by_association
    spoke = s.ball_reason == REASON_CODES[MAINTAINER_SPOKE_LAST]
    responder = _take(responds_by_association, last_response, False)
    for i in np.flatnonzero(~s.current & (s.ball != NO_BALL) & (own | (spoke & responder))):
        if own[i]:
            s.role_note[i] = (f"{columns.author[i]} counted as a maintainer by today's GitHub role "
                              f"({columns.author_association[i]}), {then}")
        else:
            actor, _, association = actor_keys[ev.key[last_response[i]]]
            s.role_note[i] = f"{actor} counted as a maintainer by today's GitHub role ({association}), {then}"
