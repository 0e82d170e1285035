"""A meeting to triage: the agenda's references, the facts about them, and the moment to judge at.

This is what the dashboard, the CLI and a snapshot all rank: the facts alone do not say which
items the agenda flagged URGENT or which earlier meetings already discussed them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from triage.agenda import AgendaRef, parse_agenda
from triage.agenda.earlier import History, held, history
from triage.agenda.title import meeting_label, meeting_title_and_date
from triage.demo import DEMO_DEFAULT_ORG, load_demo
from triage.facts import FactSet, ItemFacts, ItemKey, People, parse_when
from triage.facts.format import FactsFormatError, factset_from_dict, factset_to_dict
from triage.outcomes import EarlierOutcome, earlier_from_dict
from triage.ranking.signals import AgendaContext


@dataclass(frozen=True)
class Meeting:
    """Facts plus agenda context, judged as of `as_of`."""

    facts: FactSet
    as_of: datetime
    refs: tuple[AgendaRef, ...] = ()
    history: Mapping[ItemKey, History] = field(default_factory=dict)  # what earlier meetings did with each
    title: str | None = None
    # What earlier meetings decided about the items (`triage.outcomes.carryover`), oldest first per item.
    outcomes: Mapping[ItemKey, tuple[EarlierOutcome, ...]] = field(default_factory=dict)
    held: frozenset[ItemKey] = frozenset()  # the items the minutes say are on hold

    def context(self) -> dict[ItemKey, AgendaContext]:
        """What the agenda says about each item, keyed for `scoring.evaluate`. Its section is the
        heading path and then the bullets it sits under ("libs 0.14.0 release for Falco 0.37.0")."""
        none = History()
        out = {}
        for r in self.refs:
            h = self.history.get(r.key, none)
            out[r.key] = AgendaContext(r.flags, (*r.section, *r.parents), r.bullet, h.carried_over,
                                       h.skipped_before, h.assigned, r.key in self.held,
                                       outcomes=self.outcomes.get(r.key, ()))
        return out


def agenda_facts(refs: list[AgendaRef], known: FactSet, source: str) -> FactSet:
    """The agenda's items in agenda order: known facts where there are some, unknown otherwise."""
    by_key = known.by_key()
    items = tuple(
        by_key.get(r.key) or ItemFacts(key=r.key, kind=r.kind, status="unknown",
                                       status_detail="not fetched yet")
        for r in refs
    )
    return FactSet(items, source, known.people, known.observed_at, known.note)


def fetched_meeting(
    name: str,
    refs: list[AgendaRef],
    items: tuple[ItemFacts, ...],
    observed_at: datetime,
    minutes: str = "",
    filename: str | None = None,
    people: People | None = None,
) -> Meeting:
    """The meeting of an agenda whose items were just fetched, titled and dated as its `minutes` (and
    their `filename`) say. It is judged as of the end of the meeting's day, as `--as-of DAY` would be,
    or as of the fetch when the minutes give no date or a later one (an agenda for next week).
    `people` is what GitHub said about who maintains each repository."""
    title, day = meeting_title_and_date(minutes, filename)
    end_of_day = parse_when(day, end_of_day=True) if day else None
    as_of = min(end_of_day, observed_at) if end_of_day else observed_at
    facts = FactSet(items, f"minutes:{name}", people or People(), observed_at=observed_at)
    return Meeting(facts, as_of, tuple(refs), {}, meeting_label(title, day, name))


def demo_meeting(name: str | None = None) -> Meeting:
    """An embedded Falco meeting (the 2023-12-14 one by default) as its maintainers could have seen
    it that day."""
    demo = load_demo(name)
    refs = parse_agenda(demo.minutes, default_org=DEMO_DEFAULT_ORG)
    past = history(refs, demo.earlier, default_org=DEMO_DEFAULT_ORG)
    facts = agenda_facts(refs, demo.facts, demo.facts.source)
    return Meeting(facts, demo.as_of, tuple(refs), past, demo.spec.title,
                   held=held(refs, demo.minutes, default_org=DEMO_DEFAULT_ORG))


MEETING_FORMAT = 1


def _ref_to_dict(ref: AgendaRef, past: History, on_hold: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": ref.ref, "kind": ref.kind, "lines": list(ref.lines), "section": list(ref.section),
        "parents": list(ref.parents), "bullet": ref.bullet, "flags": list(ref.flags),
        "carried_over": list(past.carried_over),
    }
    # Written only when there is something to say: documents without them (and their ids) stay as they were.
    if past.skipped_before:
        out["skipped_before"] = list(past.skipped_before)
    if past.assigned:
        out["assigned"] = [[name, when.isoformat()] for name, when in past.assigned]
    if on_hold:
        out["held"] = True
    return out


def _history_from_dict(raw: Mapping[str, Any]) -> History:
    """The history of an agenda entry (documents written before it was recorded have none)."""
    assigned = []
    for name, when in raw.get("assigned") or ():
        moment = parse_when(when)
        if moment is not None:
            assigned.append((str(name), moment))
    return History(tuple(raw.get("carried_over") or ()), tuple(raw.get("skipped_before") or ()), tuple(assigned))


def meeting_to_dict(meeting: Meeting) -> dict[str, Any]:
    """The facts file `triage fetch --out` writes: facts plus the agenda context they came with."""
    out = {
        "format": MEETING_FORMAT,
        "title": meeting.title,
        "as_of": meeting.as_of.isoformat(),
        "agenda": [_ref_to_dict(r, meeting.history.get(r.key, History()), r.key in meeting.held)
                   for r in meeting.refs],
        "facts": factset_to_dict(meeting.facts),
    }
    if meeting.outcomes:  # only when there are some: documents without them (and their ids) stay as they were
        out["earlier_outcomes"] = [o.to_dict(key) for key, history in sorted(meeting.outcomes.items())
                                   for o in history]
    return out


def meeting_from_dict(data: Any) -> Meeting:
    """Read a document written by `meeting_to_dict` (or a bare facts document)."""
    if not isinstance(data, Mapping):
        raise FactsFormatError(f"meeting: expected a JSON object, got {type(data).__name__}")
    if "facts" not in data:  # a bare facts document: no agenda context, judged now
        return Meeting(factset_from_dict(data), datetime.now(UTC))
    refs, past, on_hold = [], {}, set()
    for n, raw in enumerate(data.get("agenda") or []):
        try:
            key = ItemKey.parse(raw["ref"])
            refs.append(AgendaRef(key, raw.get("kind"), tuple(raw.get("lines") or ()),
                                  tuple(raw.get("section") or ()), raw.get("bullet"),
                                  tuple(raw.get("flags") or ()), tuple(raw.get("parents") or ())))
            entry = _history_from_dict(raw)
        except (KeyError, TypeError, ValueError) as e:
            raise FactsFormatError(f"meeting: agenda entry {n} is invalid: {e}") from None
        if entry != History():
            past[key] = entry
        if raw.get("held"):
            on_hold.add(key)
    outcomes: dict[ItemKey, tuple[EarlierOutcome, ...]] = {}
    for n, raw in enumerate(data.get("earlier_outcomes") or []):
        try:
            key, earlier = earlier_from_dict(raw)
        except (TypeError, ValueError) as e:
            raise FactsFormatError(f"meeting: earlier outcome {n} is invalid: {e}") from None
        outcomes[key] = (*outcomes.get(key, ()), earlier)
    as_of = parse_when(data.get("as_of")) or datetime.now(UTC)
    return Meeting(factset_from_dict(data["facts"]), as_of, tuple(refs), past, data.get("title"), outcomes,
                   frozenset(on_hold))
