"""Meeting outcomes: the fixed vocabulary a chair records per item, and the records themselves.

A meeting walks a frozen ranking and gives each item one of seven outcomes (`OUTCOMES`), with the
login it names for "assigned to @x" and "needs review by @x", and an optional one-line note. Every
recording is kept (`OutcomeRecord`, numbered in the order the store received them): when two people
record the same item, the later one wins (`latest`) and the history stays.

What the next meeting's ranking reads from them is an `EarlierOutcome` per recording (see
`triage.outcomes.carryover`), and what it does with them is the `earlier_outcomes` criterion.

The package holds the rest of the meeting loop: `store` (meetings and outcomes beside the snapshots),
`minutes` (the outcomes as Markdown minutes the agenda reader reads back) and `carryover` (earlier
outcomes into the next ranking, and what happened on GitHub since).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.facts import ItemFacts, ItemKey, parse_when


class OutcomeError(ValueError):
    """An outcome, login, note or item reference that cannot be recorded."""


@dataclass(frozen=True)
class Outcome:
    """One entry of the vocabulary."""

    name: str  # the stored value and the CLI's OUTCOME argument
    label: str  # how the app, the minutes and the "why" text say it
    heading: str  # the minutes' heading for items with this outcome
    button: str  # the chair's button (short: seven of them share a row)
    shortcut: str  # the key the chair presses in meeting mode
    names_someone: bool = False  # "assigned to @x", "needs review by @x": a login is required
    carry: float = 0.0  # the next ranking's `earlier_outcomes` score (those naming someone: STALLED or MOVING)

    def describe(self, who: str | None = None) -> str:
        """"assigned to @leogr", "skipped", ..."""
        return f"{self.label} @{who}" if self.names_someone and who else self.label


# The vocabulary, in the order the chair's buttons and the minutes show it. The carry scores: an
# item the meeting put off comes back first; an open decision or a stalled assignment next; an
# item discussed, or assigned and moving, hardly needs the meeting again.
OUTCOMES: dict[str, Outcome] = {o.name: o for o in (
    Outcome("discussed", "discussed", "Discussed", "Discussed", "1", carry=0.2),
    Outcome("assigned", "assigned to", "Assigned", "Assigned", "2", names_someone=True),
    Outcome("needs-review", "needs review by", "Needs review", "Review", "3", names_someone=True),
    Outcome("decision", "decision needed", "Decision needed", "Decision", "4", carry=0.7),
    Outcome("deferred", "deferred to the next meeting", "Deferred to the next meeting", "Deferred", "5", carry=1.0),
    Outcome("skipped", "skipped", "Skipped", "Skipped", "6", carry=0.8),
    Outcome("wontfix", "closed/won't do", "Closed or won't do", "Won't do", "7", carry=0.1),
)}
CARRIED = ("deferred", "skipped")  # outcomes that put the item on the next agenda as it was
STALLED = 0.6  # "assigned"/"needs review" and the person named has not acted since
MOVING = 0.1  # ... and the person named has acted since
STILL_OPEN = 0.5  # "closed/won't do" and the item is still open: someone should close it

MAX_NOTE_CHARS = 300  # a one-line note; longer text belongs in the issue itself
MAX_NAME_CHARS = 80  # the recorder's name as typed
# GitHub logins: letters, digits and single dashes, not at either end, at most 39 characters.
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class OutcomeRecord:
    """One recording: who recorded which outcome for which item of which meeting, and when."""

    meeting_id: str
    seq: int  # the store's order of arrival: a later seq wins
    ref: ItemKey
    outcome: str  # a key of OUTCOMES
    who: str | None  # the login the outcome names (assigned / needs review), else None
    note: str | None
    by: str | None  # who recorded it: the name they typed, or a login the app knows
    at: datetime

    def describe(self) -> str:
        """The outcome as one phrase: "assigned to @leogr"."""
        return OUTCOMES[self.outcome].describe(self.who)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record `triage meeting export --format json` lists."""
        return {"ref": self.ref.ref, "outcome": self.outcome, "who": self.who, "note": self.note,
                "at": self.at.isoformat(), "by": self.by, "seq": self.seq}


@dataclass(frozen=True)
class EarlierOutcome:
    """An outcome an earlier meeting decided for an item, as the next ranking reads it."""

    outcome: str  # a key of OUTCOMES
    decided_at: datetime  # when the meeting decided it (see `carryover.decided_at`)
    who: str | None = None
    note: str | None = None
    meeting: str = ""  # the meeting's id

    def to_dict(self, ref: ItemKey) -> dict[str, Any]:
        """JSON-ready, with the item it is about (a frozen meeting keeps these)."""
        return {"ref": ref.ref, "outcome": self.outcome, "decided_at": self.decided_at.isoformat(),
                "who": self.who, "note": self.note, "meeting": self.meeting}


def earlier_from_dict(raw: Mapping[str, Any]) -> tuple[ItemKey, EarlierOutcome]:
    """Read what `EarlierOutcome.to_dict` wrote; ValueError on anything else."""
    try:
        key = ItemKey.parse(raw["ref"])
        outcome = check_outcome(raw["outcome"])
        decided = parse_when(raw["decided_at"])
    except (KeyError, TypeError) as e:
        raise ValueError(f"earlier outcome {dict(raw)!r} is incomplete: {e}") from None
    if decided is None:
        raise ValueError(f"earlier outcome {dict(raw)!r} has no decided_at")
    return key, EarlierOutcome(outcome, decided, raw.get("who"), raw.get("note"), str(raw.get("meeting") or ""))


# --- checking what a chair types ----------------------------------------------------------------------


def check_outcome(name: str) -> str:
    """`name` if it is in the vocabulary; OutcomeError naming the choices otherwise."""
    if name not in OUTCOMES:
        raise OutcomeError(f"Unknown outcome {name!r}; expected one of {', '.join(OUTCOMES)}")
    return name


def check_login(raw: str | None) -> str | None:
    """A GitHub login without its leading @ (None for blank); OutcomeError when it cannot be one."""
    text = (raw or "").strip().removeprefix("@")
    if not text:
        return None
    if not _LOGIN.fullmatch(text):
        raise OutcomeError(
            f"{raw!r} is not a GitHub login: letters, digits and single dashes, at most 39 characters"
        )
    return text


def one_line(raw: str | None, limit: int, what: str) -> str | None:
    """`raw` on one line (line breaks and runs of spaces become one space); None for blank;
    OutcomeError when it is longer than `limit` characters."""
    text = _SPACES.sub(" ", raw or "").strip()
    if len(text) > limit:
        raise OutcomeError(f"The {what} is {len(text)} characters long; keep it to {limit} (one line)")
    return text or None


def check_who(outcome: str, who: str | None) -> str | None:
    """The login an outcome names: required for assigned / needs review, refused for the others."""
    login = check_login(who)
    entry = OUTCOMES[check_outcome(outcome)]
    if entry.names_someone and login is None:
        raise OutcomeError(f"Outcome {outcome!r} needs the login it is {entry.label} (--who LOGIN)")
    if not entry.names_someone and login is not None:
        raise OutcomeError(
            f"Outcome {outcome!r} names nobody; only assigned and needs-review take a login (got @{login})"
        )
    return login


# --- reading the records ------------------------------------------------------------------------------


def latest(records: Iterable[OutcomeRecord]) -> dict[ItemKey, OutcomeRecord]:
    """Each item's winning record: the one the store received last."""
    out: dict[ItemKey, OutcomeRecord] = {}
    for record in sorted(records, key=lambda r: r.seq):
        out[record.ref] = record
    return out


def activity_by(item: ItemFacts, login: str | None, after: datetime, until: datetime) -> datetime | None:
    """The last time `login` acted on the item after `after` and up to `until`, or None."""
    if not login:
        return None
    wanted = login.lower()
    seen = [e.at for e in item.events if e.actor and e.actor.lower() == wanted and after < e.at <= until]
    return max(seen) if seen else None
