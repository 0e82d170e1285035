"""Check a ranked row's one-line "why" against a recording, clause by clause (issue 10).

Each clause of a headline must be one of the known sentence forms below, and each form is checked
against the recording itself (`items.json`, `maintainers.json`, the minutes), not against the
converted facts or the signals: a reason that says something the recording does not support, or
a clause no form here knows, fails the test that calls `check_headline`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from triage.agenda import parse_agenda

_DAY = r"(\d{4}-\d\d-\d\d)"
_PARTIAL = r"(?: \(timeline partial\))?"  # said when the recorded timeline is partial, as all here are


def _d(text: str) -> date:
    return date.fromisoformat(text[:10])


@dataclass
class Record:
    """A recording and the minutes around it, read as plain JSON and text."""

    items: dict[str, dict[str, Any]]
    approvers: dict[str, set[str]]
    maintainers: set[str]
    minutes: str
    earlier: dict[str, str]
    as_of: datetime

    @classmethod
    def read(cls, recording: Path, minutes: Path, meeting: str, as_of: datetime, earlier: list[str]) -> Record:
        raw = json.loads((recording / "items.json").read_text())
        people = json.loads((recording / "maintainers.json").read_text())
        by_repo = next(v for k, v in people.items() if k.startswith("approvers_by_repo"))
        emeritus = {m.lower() for m in people.get("emeritus", ())}  # their words were maintainers' words
        return cls(
            {f"{r['repo']}#{r['number']}": r for r in raw},
            {repo.lower(): {m.lower() for m in logins} | emeritus for repo, logins in by_repo.items()},
            {m.lower() for m in people["maintainers"]} | emeritus,
            (minutes / f"{meeting}.md").read_text(),
            {name: (minutes / f"{name}.md").read_text() for name in earlier},
            as_of,
        )

    def is_maintainer(self, repo: str, login: str | None) -> bool:
        """An approver of `repo`; for a repository of the project without approvers, a listed maintainer;
        in another organisation's repository, nobody the recording knows."""
        owners = {r.split("/")[0] for r in self.approvers}
        fallback = self.maintainers if repo.split("/")[0].lower() in owners else set()
        return (login or "").lower() in self.approvers.get(repo.lower(), fallback)

    def events(self, ref: str) -> list[tuple[str | None, date, str]]:
        """(actor, day, type) of the recorded events up to the moment."""
        return [(e["actor"], _d(e["date"]), e["type"]) for e in self.items[ref]["events"]
                if _d(e["date"]) <= self.as_of.date()]

    def days(self, day: date) -> int:
        return (self.as_of.date() - day).days

    def mentions(self, text: str, ref: str) -> bool:
        return any(r.ref == ref for r in parse_agenda(text, default_org="falcosecurity"))


def _partial(m: re.Match[str]) -> None:
    """A claim that no maintainer spoke, on a recording whose timelines are all partial, says so."""
    assert m[0].endswith(" (timeline partial)"), m[0]


def _split(why: str) -> list[str]:
    """Clauses at "; " outside parentheses."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(why):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and why.startswith("; ", i):
            out.append(why[start:i])
            start = i + 2
    return [*out, why[start:]]


Check = Callable[[re.Match[str], str, Record, Mapping[str, Any]], None]
FORMS: list[tuple[re.Pattern[str], Check]] = []


def form(pattern: str) -> Callable[[Check], Check]:
    def add(check: Check) -> Check:
        FORMS.append((re.compile(pattern + "$"), check))
        return check
    return add


@form(rf"waiting (\d+) days? on maintainers since {_DAY}(?: \((on hold: .*)\))?{_PARTIAL}")
def _waiting(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    repo, days, since, why = ref.split("#")[0], int(m[1]), _d(m[2]), m[3]
    assert rec.days(since) == days, (ref, m[0])
    raw = rec.items[ref]
    if why and why.startswith("on hold: "):
        held = re.match(rf"on hold: (\S+), set by (\S+) on {_DAY}", why)
        assert held and _d(held[3]) == since, (ref, why)
        assert f"{held[2]} '/hold" in raw["notes"] and held[3] in raw["notes"], (ref, why)
        assert rec.is_maintainer(repo, held[2]), (ref, why)
        return
    _partial(m)
    events = rec.events(ref)  # in the recorded order, which orders the events of one day
    asked = [n for n, (actor, day, _) in enumerate(events)
             if day == since and (actor == raw["author"] or not rec.is_maintainer(repo, actor))]
    assert asked or (raw["created_at"] and _d(raw["created_at"]) == since), (ref, m[0])
    later = [a for a, day, _ in events[asked[0] if asked else 0:]
             if a != raw["author"] and rec.is_maintainer(repo, a)]
    assert not later, (ref, m[0], later)


@form(rf"no maintainer activity in (\d+) days?{_PARTIAL}")
def _silent(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    raw, repo = rec.items[ref], ref.split("#")[0]
    _partial(m)
    assert rec.days(_d(raw["created_at"])) == int(m[1]), (ref, m[0])
    assert not [a for a, _, _ in rec.events(ref) if a != raw["author"] and rec.is_maintainer(repo, a)], ref


@form(rf"last maintainer activity (\d+) days? ago \({_DAY}\){_PARTIAL}")
def _last_maintainer(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    raw, repo = rec.items[ref], ref.split("#")[0]
    _partial(m)
    acted = [day for a, day, _ in rec.events(ref) if a != raw["author"] and rec.is_maintainer(repo, a)]
    assert acted and max(acted) == _d(m[2]) and rec.days(_d(m[2])) == int(m[1]), (ref, m[0])


@form(r"opened (\d+) days? ago")
def _opened(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    created = rec.items[ref]["created_at"]
    assert created and rec.days(_d(created)) == int(m[1]), (ref, m[0])


@form(rf"opened between {_DAY} and {_DAY} \(not observed\)")
def _bounds(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    raw = rec.items[ref]
    assert raw["created_at"] is None and raw["created_at_bounds"] == [m[1], m[2]], (ref, m[0])


@form(rf"a maintainer's own (issue|PR) \(by (\S+)\), waiting (\d+) days? on the other maintainers since {_DAY}"
      rf"{_PARTIAL}")
def _own(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    raw, repo = rec.items[ref], ref.split("#")[0]
    _partial(m)
    assert raw["author"] == m[2] and rec.is_maintainer(repo, m[2]), (ref, m[0])
    assert raw["kind"] == {"issue": "issue", "PR": "pull"}[m[1]], (ref, m[0])
    assert rec.days(_d(m[4])) == int(m[3]), (ref, m[0])
    assert all(a == raw["author"] for a, _, _ in rec.events(ref)), (ref, "someone else spoke")


@form(rf"taken up by the maintainers on {_DAY} \((.*)\), (\d+) days? ago")
def _taken_up(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    day, how = m[1], m[2]
    assert rec.days(_d(day)) == int(m[3]), (ref, m[0])
    if how == f"assigned at the {day} meeting":
        name = next(n for n in rec.earlier if n.startswith(day))
        assert rec.mentions(rec.earlier[name], ref), (ref, name)
        return
    by = re.fullmatch(r"(\S+) referred to it from (\S+)/(\S+)#(\d+)", how)
    assert by, (ref, how)
    notes = rec.items[ref]["notes"]
    assert f"{by[3]}#{by[4]}" in notes and by[1] in notes and day in notes, (ref, how)
    assert rec.is_maintainer(ref.split("#")[0], by[1]), (ref, how)


@form(r"listed on the agenda under release (\S+)")
def _release(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    lines = rec.minutes.split("\n")
    url = rec.items[ref]["url"]
    n = next(i for i, line in enumerate(lines) if url in line)
    block = [lines[n]]
    indent = len(lines[n]) - len(lines[n].lstrip())
    for line in reversed(lines[:n]):  # the bullets the item sits under
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            block.append(line)
            indent = len(line) - len(line.lstrip())
    assert any(m[1] in line for line in block), (ref, m[0])


@form(r"on the agenda of (\d+) earlier meetings?")
def _earlier(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    assert sum(rec.mentions(text, ref) for text in rec.earlier.values()) == int(m[1]), (ref, m[0])


@form(r"reactions unknown, (\d+) outside participants?")
def _outside(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    raw, repo = rec.items[ref], ref.split("#")[0]
    outside = {a for a, _, _ in rec.events(ref) if a != raw["author"] and not rec.is_maintainer(repo, a)}
    assert raw.get("reactions") is None and len(outside) == int(m[1]), (ref, m[0], outside)


@form(rf"resolved: (merged|closed) on {_DAY}")
def _resolved(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    raw = rec.items[ref]
    ended = raw["merged_at"] if m[1] == "merged" else raw["closed_at"]
    moment = datetime.fromisoformat(ended) if len(ended) > 10 else None
    day = moment.astimezone(rec.as_of.tzinfo).date() if moment else _d(ended)
    assert day.isoformat() == m[2] and day <= rec.as_of.date(), (ref, m[0])


@form(r"needs facts: (.*)")
def _needs_facts(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    raw = rec.items[ref]
    if m[1].startswith("not shown by the recorded source"):
        via = f" (closed via {raw['closed_via']})" if raw["closed_via"] else ""
        assert not raw["found"] and m[1] == "not shown by the recorded source" + via, (ref, m[0])
    elif m[1].startswith("whether it was still open is unknown"):
        assert m[1] == f"whether it was still open is unknown (now {raw['state']}, date unknown)", (ref, m[0])
        assert raw["state"] in ("closed", "merged") and not raw["closed_at"] and not raw["merged_at"], ref
    else:
        assert m[1] == "whose turn it is is unknown (no dated activity known)", (ref, m[0])
        assert not rec.events(ref) and not raw["created_at"], ref


@form(r"scored at typical values where unknown")
def _typical(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    assert row["why"].startswith("needs facts: "), ref


@form(r"area (\S+) \(.*\)")
def _area(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    assert ref.startswith(m[1] + "#"), (ref, m[0])


@form(r"opened by (\S+)")
def _author(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    assert rec.items[ref]["author"] == m[1], (ref, m[0])


_FLAG_NAMES = ("urgent", "neglected", "needs-review", "under-evaluation", "experimental", "priority", "blocked")
_AGENDA_PART = (rf"(?:{'|'.join(_FLAG_NAMES)}|on the agenda of \d+ earlier meetings?"
                rf"|skipped at the {_DAY[1:-1]} meeting, raised now)")


@form(rf"{_AGENDA_PART}(?:, {_AGENDA_PART})*")
def _agenda(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    """The agenda_flags reason: flags read from the minutes, earlier meetings naming or skipping the item."""
    agenda = {r.ref: r for r in parse_agenda(rec.minutes, default_org="falcosecurity")}
    text = m[0]
    for skipped in re.finditer(rf"skipped at the {_DAY} meeting, raised now", text):
        name = next(n for n in rec.earlier if n.startswith(skipped[1]))
        earlier = {r.ref for r in parse_agenda(rec.earlier[name], default_org="falcosecurity") if "skipped" in r.flags}
        assert ref in earlier, (ref, name)
    for count in re.finditer(r"on the agenda of (\d+) earlier meetings?", text):
        assert sum(rec.mentions(t, ref) for t in rec.earlier.values()) == int(count[1]), (ref, count[0])
    rest = re.sub(rf"skipped at the {_DAY} meeting, raised now|on the agenda of \d+ earlier meetings?", "", text)
    flags = {f for f in rest.split(", ") if f}
    assert flags <= set(agenda[ref].flags), (ref, m[0], agenda[ref].flags)


@form(r"skipped here \(raised at the next meeting\)")
def _skipped_here(m: re.Match[str], ref: str, rec: Record, row: Mapping[str, Any]) -> None:
    agenda = {r.ref: r for r in parse_agenda(rec.minutes, default_org="falcosecurity")}
    assert "skipped" in agenda[ref].flags, ref


def check_headline(row: Mapping[str, Any], rec: Record) -> None:
    """Every clause of `row["why"]` is a known form, true of the recording."""
    ref = row["ref"]
    assert ref in rec.items, ref
    for clause in _split(row["why"]):
        for pattern, check in FORMS:
            if m := pattern.match(clause):
                check(m, ref, rec, row)
                break
        else:
            raise AssertionError(f"{ref}: no check knows the clause {clause!r} (of {row['why']!r})")
