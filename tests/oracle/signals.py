"""The reference for `triage.ranking.signals`: the item-by-item signals triage computed before issue 13.

Kept as the oracle the property test (`tests/test_columns_agree.py`) compares the columnar signals
with; nothing in `triage` uses it. What the signals mean, and the order in which the whose-turn
rules are tried, is told in `triage.ranking.signals` and `triage.ranking.turns`; here each rule reads one item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Literal, NamedTuple

from triage.agenda.earlier import meeting_label
from triage.facts import Event, ItemFacts, People
from triage.ranking.as_of import (
    CURRENT_FACTS_SLACK,
    LABEL_EVENTS,
    Hold,
    hold_as_of,
    hold_label,
    labels_as_of,
    opened_before,
    state_as_of,
    visible,
)
from triage.ranking.signals import NO_AGENDA, AgendaContext
from triage.ranking.timelines import days_between
from triage.ranking.turns import (  # the reasons' words: the same in both
    AUTHOR_HOLD,
    AUTHOR_SPOKE_LAST,
    CHANGES_REQUESTED,
    CI_FAILING,
    COMMUNITY_SPOKE_LAST,
    MAINTAINER_SPOKE_LAST,
    MERGE_CONFLICTS,
    NO_REPLY_YET,
    ON_HOLD,
    RESOLVED,
    REVIEW_REQUESTED,
    TAKEN_UP,
)

__all__ = ["CURRENT_FACTS_SLACK", "state_as_of"]

Ball = Literal["maintainers", "maintainers_own", "author", "nobody"]
FAILING_CI = frozenset({"FAILURE", "ERROR"})  # StatusState values that need the author's fix
_VERDICTS = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})  # a reviewer's latest word
# Events that are not a word on the thread: labels (read by the hold rule) and activity elsewhere.
_SIDE_EVENTS = frozenset({"labeled", "unlabeled", "cross_referenced", "connected", "assigned"})
MEETING = "Meeting"  # the actor type of an assignment read from an earlier meeting's minutes

# The maintainers' turn reasons that are only the author's own request.
_OWN_REASONS = frozenset({AUTHOR_SPOKE_LAST, NO_REPLY_YET, REVIEW_REQUESTED})


class Signals(NamedTuple):
    """One item's signals as of `as_of` (None where the facts do not tell).

    (A named tuple: a scan computes 10,000 of them, and a frozen dataclass of this size takes
    three times as long to build.)
    """

    item: ItemFacts
    as_of: datetime
    agenda: AgendaContext
    state: str | None  # open / closed / merged as of the moment; None when the facts cannot tell
    state_note: str | None  # why the state is what it is, when it is not plainly observed
    age_days: int | None  # from the observed opening only
    opened_before: datetime | None  # the opening was not observed: it was no later than this
    idle_days: int | None  # days since the last visible activity (bots excluded)
    ball: Ball | None  # whose turn it is; None when no dated activity is visible
    ball_since: datetime | None
    ball_days: int | None
    ball_reason: str | None  # which rule decided the ball (one of the reasons above)
    maintainer_silence_days: int | None  # days since a maintainer other than the author acted
    last_maintainer_at: datetime | None
    last_maintainer_where: str | None  # how a maintainer acted elsewhere, when that was the latest
    participants: tuple[str, ...]  # humans who acted on the thread, author first
    external_participants: tuple[str, ...]  # participants who are neither maintainers nor the author
    bot_events: int  # events by bots, left out of every signal above
    author_is_maintainer: bool | None
    author_is_bot: bool | None
    first_time_contributor: bool | None
    approving_review: bool  # someone's review approved it by the moment (GitHub's review states)
    labels: tuple[str, ...] | None  # the labels at the moment; None when unknown
    hold: Hold | None  # the hold in force at the moment
    role_note: str | None  # where today's GitHub role decided who counted as a maintainer back then

    @property
    def resolved(self) -> bool:
        """Closed or merged as of the moment (an unknown state is not resolved)."""
        return self.state in ("closed", "merged")




class Turn(NamedTuple):
    """A rule's verdict: whose turn it is, since when, and the rule's reason."""

    ball: Ball
    since: datetime | None
    reason: str


class Thread(NamedTuple):
    """What the ball rules read: the item, and what one pass over its visible events found.

    (Thread and Turn are named tuples rather than dataclasses: a scan builds one of each per item,
    and a tuple is built in a fraction of the time. The pass is done once, in `compute`, so that
    each rule is a look-up rather than another walk through the timeline.)
    """

    item: ItemFacts
    as_of: datetime
    state: str | None
    current: bool  # the item's current-state facts (CI, mergeable, requests) describe the moment
    last_human_at: datetime | None  # the latest event by a person
    last_author_at: datetime | None  # the latest event by the author
    last_response_at: datetime | None  # the latest event by a maintainer other than the author
    waiting: Event | None  # the first event by anyone else since that response (or ever, if none)
    verdicts: Mapping[str, Event]  # each maintainer reviewer's latest approving/blocking review
    last_request_at: datetime | None  # the latest review request or ready-for-review, bots included
    author: str | None  # lower-cased login
    hold: Hold | None
    own: bool  # a maintainer's item on which only the author has spoken since the last response
    elsewhere: bool  # the last response was a maintainer acting elsewhere (see the module docstring)


_AT = attrgetter("at")


# --- the ball rules, in the order `compute` tries them ----------------------------------------------


def resolved(t: Thread) -> Turn | None:
    """Closed or merged as of the moment: nobody's turn."""
    if t.state in ("closed", "merged"):
        return Turn("nobody", t.item.merged_at or t.item.closed_at, RESOLVED)
    return None


def on_hold(t: Thread) -> Turn | None:
    """Held back by a hold label or the agenda: the maintainers lift it, unless the author set it."""
    hold = t.hold
    if hold is None:
        return None
    if hold.by is not None and hold.by.lower() == t.author:
        return Turn("author", hold.since, AUTHOR_HOLD)
    return Turn("maintainers", hold.since, ON_HOLD)


def merge_conflicts(t: Thread) -> Turn | None:
    """The PR conflicts with its base branch: only the author can rebase it."""
    if t.current and t.item.kind == "pull" and t.item.mergeable is False:
        return Turn("author", t.last_human_at, MERGE_CONFLICTS)
    return None


def failing_ci(t: Thread) -> Turn | None:
    """The PR's checks fail: the author fixes the build before anyone reviews."""
    if t.current and t.item.kind == "pull" and t.item.ci_status in FAILING_CI:
        return Turn("author", t.last_human_at, CI_FAILING)
    return None


def changes_requested(t: Thread) -> Turn | None:
    """A maintainer's latest verdict asks for changes and the author has not acted since."""
    asked = [e.at for e in t.verdicts.values() if e.review_state == "CHANGES_REQUESTED"]
    if not asked:
        return None
    since = max(asked)
    answered = t.last_author_at is not None and t.last_author_at > since
    return None if answered else Turn("author", since, CHANGES_REQUESTED)


def review_requested(t: Thread) -> Turn | None:
    """GitHub still lists a review request: a reviewer was asked and has not reviewed."""
    if not (t.current and t.item.kind == "pull" and (t.item.review_requests or 0) > 0):
        return None
    return Turn("maintainers", t.last_request_at or t.item.created_at, REVIEW_REQUESTED)


def conversation(t: Thread) -> Turn | None:
    """Who spoke last: anyone but a maintainer (the author, the community) -> the maintainers'
    turn since the first unanswered word; a maintainer -> the author's turn."""
    waiting = t.waiting
    if waiting is not None:
        if t.last_response_at is None:
            reason = NO_REPLY_YET
        else:
            by_author = (waiting.actor or "").lower() == t.author
            reason = AUTHOR_SPOKE_LAST if by_author else COMMUNITY_SPOKE_LAST
        return Turn("maintainers", waiting.at, reason)
    if t.last_response_at is not None:
        if t.elsewhere:
            return Turn("maintainers_own", t.last_response_at, TAKEN_UP)
        return Turn("author", t.last_response_at, MAINTAINER_SPOKE_LAST)
    created = t.item.created_at
    if created is not None and created <= t.as_of:
        return Turn("maintainers", created, NO_REPLY_YET)  # nothing visible but the opening
    return None


AUTHOR_RULES: tuple[Callable[[Thread], Turn | None], ...] = (merge_conflicts, failing_ci, changes_requested)


def _earliest(a: Turn, b: Turn) -> Turn:
    """The turn that has waited longer (an undated one waits least)."""
    if a.since is None:
        return a if b.since is None else b
    return a if b.since is None or a.since <= b.since else b


def _talk_or_request(t: Thread) -> Turn | None:
    """The conversation's verdict, or the pending review request's, whichever waited longer."""
    talk = conversation(t)
    asked = review_requested(t)
    if asked is None:
        return talk
    if talk is None or talk.ball != "maintainers":
        return asked
    return _earliest(asked, talk)


def whose_turn(t: Thread) -> Turn | None:
    """The ball as the rules above decide it (see the module docstring for the order)."""
    if (done := resolved(t)) is not None:
        return done
    if (held := on_hold(t)) is not None:
        return held
    for rule in AUTHOR_RULES:
        if (turn := rule(t)) is not None:
            return turn
    turn = _talk_or_request(t)
    if turn is not None and t.own and turn.ball == "maintainers" and turn.reason in _OWN_REASONS:
        return Turn("maintainers_own", turn.since, turn.reason)
    return turn


def _elsewhere(e: Event, people: People, author: str | None) -> str | None:
    """How `e` (a cross-reference, a link, an assignment) is a maintainer acting on the item
    elsewhere, in a few words; None when it is not (a bot, the author, someone else)."""
    if e.actor_type == MEETING:
        return e.detail
    if e.kind in LABEL_EVENTS:
        return None
    bot, maintainer, login = people.roles(e.actor, e.actor_type, e.association)[:3]
    by_someone = not bot and login != author
    if e.kind == "assigned":
        # Prow assigns on a maintainer's `/assign`, so the assignee tells more than the (bot) actor.
        assignee = (e.detail or "").lower()
        if (by_someone and maintainer) or (assignee and assignee != author and people.is_maintainer(assignee)):
            return f"{e.actor or 'someone'} assigned {e.detail or 'someone'}"
        return None
    if not (by_someone and maintainer):
        return None
    verb = "referred to it from" if e.kind == "cross_referenced" else "linked"
    return f"{e.actor} {verb} {e.detail or 'another thread'}"


def _meeting_events(agenda: AgendaContext, as_of: datetime) -> list[Event]:
    """An earlier meeting's assignment as an event of the moment it happened."""
    return [Event(None, at, "assigned", actor_type=MEETING, detail=f"assigned at the {meeting_label(name)} meeting")
            for name, at in agenda.assigned if at <= as_of]


def _role_note(item: ItemFacts, as_of: datetime, turn: Turn | None, author_by_association: bool,
               responder: Event | None) -> str | None:
    """Where an association read today decided who was a maintainer at a past moment."""
    if turn is None:
        return None
    then = f"not necessarily the role on {as_of:%Y-%m-%d}"
    if turn.ball == "maintainers_own" and author_by_association:
        return f"{item.author} counted as a maintainer by today's GitHub role ({item.author_association}), {then}"
    if turn.reason == MAINTAINER_SPOKE_LAST and responder is not None:
        return f"{responder.actor} counted as a maintainer by today's GitHub role ({responder.association}), {then}"
    return None


def compute(item: ItemFacts, as_of: datetime, people: People, agenda: AgendaContext | None = None) -> Signals:
    """Every signal of `item` as of `as_of`."""
    context = agenda or NO_AGENDA
    state, state_note = state_as_of(item, as_of)
    events = visible(item, as_of)
    first_event_at = events[0].at if events else None
    if context.assigned:
        events = sorted((*events, *_meeting_events(context, as_of)), key=_AT)
    author = (item.author or "").lower() or None
    crowd = people.for_repo(item.key.repo)
    # One pass sorts out who did what; scans rank thousands of items, so the rules read its findings.
    bots = 0
    last_human_at = last_author_at = last_response_at = last_request_at = None
    waiting: Event | None = None
    outsider_waiting = False  # someone other than the author spoke since the last response
    responder: Event | None = None  # the last response, when only today's association made it one
    where: str | None = None
    approving_review = False
    verdicts: dict[str, Event] = {}
    label_events: list[Event] = []
    acted_as_maintainer: set[str] = set()
    participants: dict[str, str] = {author: item.author} if author and item.author else {}
    known, roles = crowd.known_roles, crowd.roles
    for e in events:
        kind, at, actor = e.kind, e.at, e.actor
        if kind in _SIDE_EVENTS:
            if kind in LABEL_EVENTS:
                label_events.append(e)
            elif (place := _elsewhere(e, crowd, author)) is not None:
                last_response_at, waiting, where, responder, outsider_waiting = at, None, place, None, False
            continue
        if kind == "review_requested" or kind == "ready_for_review":
            last_request_at = at
        elif e.review_state == "APPROVED":
            approving_review = True
        key = (actor, e.actor_type, e.association)
        bot, maintainer, login, by_association = known.get(key) or roles(*key)
        if bot:
            bots += 1
            continue
        last_human_at = at
        if actor and login not in participants:
            participants[login] = actor
        if login == author:
            # The author's own activity is a request, even when the author is a maintainer:
            # a maintainer's PR waits on the *other* maintainers.
            last_author_at = at
            if waiting is None:
                waiting = e
        elif maintainer:
            acted_as_maintainer.add(login)
            last_response_at, waiting, where, outsider_waiting = at, None, None, False
            responder = e if by_association else None
            if kind == "review" and e.review_state in _VERDICTS:
                verdicts[login] = e
        else:
            outsider_waiting = True
            if waiting is None:
                waiting = e
    seen = item.observed_at
    current = seen is None or seen <= as_of + CURRENT_FACTS_SLACK  # `criteria.is_current`, inlined: 10,000 calls
    labels = item.labels if current else labels_as_of(item, as_of, current)
    hold = hold_as_of(labels, label_events) if (labels and hold_label(labels)) or label_events else None
    if hold is None and context.held:
        hold = Hold("the agenda says on hold", None, None, False)
    author_role = roles(item.author, item.author_type, item.author_association) if author else None
    author_is_maintainer = author_role.maintainer if author_role else None
    turn = whose_turn(Thread(
        item, as_of, state, current, last_human_at, last_author_at, last_response_at, waiting, verdicts,
        last_request_at, author, hold, bool(author_is_maintainer) and not outsider_waiting, where is not None,
    ))
    since = turn.since if turn else None
    first_seen = item.created_at or first_event_at
    silence_from = last_response_at or first_seen
    # A configured maintainer counts as one on every event, so acting as one covers both ways of being one.
    external = tuple(
        login for lower, login in participants.items() if lower != author and lower not in acted_as_maintainer
    )
    role_note = None if current else _role_note(
        item, as_of, turn, bool(author_role and author_role.by_association), responder)
    return Signals(
        item, as_of, context, state, state_note,
        days_between(item.created_at, as_of) if item.created_at and item.created_at <= as_of else None,
        None if item.created_at else opened_before(item, first_event_at),
        days_between(last_human_at, as_of) if last_human_at else None,
        turn.ball if turn else None,
        since,
        days_between(since, as_of) if since and since <= as_of else None,
        turn.reason if turn else None,
        days_between(silence_from, as_of) if silence_from else None,
        last_response_at,
        where if last_response_at else None,
        tuple(participants.values()),
        external,
        bots,
        author_is_maintainer,
        people.is_bot(item.author, item.author_type) if item.author else None,
        item.first_time_contributor,
        approving_review,
        labels,
        hold,
        role_note,
    )
