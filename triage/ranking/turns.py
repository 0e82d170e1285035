"""Whose turn it is (the *ball*), for every item at once: small rules, one function each, over
what one pass over the visible events found (`Thread`, built by `triage.ranking.signals.compute`), tried in
this order:

1. `resolved`: closed or merged as of the moment: nobody's.
2. `on_hold`: a hold label (Prow's `/hold`, "do-not-merge", "on-hold") or an agenda saying "on hold":
   the maintainers' turn, since the hold, unless the author set it.
3. `merge_conflicts`, `failing_ci`: only the author can rebase or fix the build: the author's.
4. `changes_requested`: a maintainer asked for changes and the author has not acted since.
5. `review_requested` and `conversation`: a review was requested and not given, or someone other
   than a maintainer spoke last: the maintainers', since the earlier of the two.
6. `conversation`: a maintainer spoke last: the author's; a maintainer took it up elsewhere (see
   `triage.ranking.timelines.elsewhere`) and nobody spoke since: `maintainers_own`, the maintainers' own work.

When the maintainers' turn is only the author's own word and the author is a maintainer of the
repository (a proposal, a tracking issue, a maintainer's PR), the ball is `maintainers_own`: the
maintainers' own backlog, told apart from a contributor waiting on them.

Balls, reasons and states are held as small integer codes (`BALLS`, `REASONS`, `STATES`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from triage.facts.columns import NAT

Ball = Literal["maintainers", "maintainers_own", "author", "nobody"]

# Whose turn in words, one place for every table, export and comparison.
BALL_WORDS: dict[str, str] = {"maintainers": "maintainers", "maintainers_own": "maintainers' own",
                              "author": "author", "nobody": "nobody"}


def waiting_words(ball: object, days: object) -> str:
    """"waiting on maintainers 36 d", "waiting on author 387 d", "maintainers' own, 5 d", or "" when the
    turn or its date is unknown or nobody's: the phrase exports and comparisons put after an item."""
    if ball not in BALL_WORDS or ball == "nobody" or days is None or days != days:  # days != days: NaN
        return ""
    if ball == "maintainers_own":
        return f"{BALL_WORDS[ball]}, {days} d"
    return f"waiting on {BALL_WORDS[ball]} {days} d"


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
STATES: tuple[str | None, ...] = (None, "open", "closed", "merged")  # triage.facts.columns.STATE_CODES order
OPEN, CLOSED, MERGED = 1, 2, 3
# The maintainers' turn reasons that are only the author's own request.
_OWN_REASONS = (AUTHOR_SPOKE_LAST, NO_REPLY_YET, REVIEW_REQUESTED)


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
