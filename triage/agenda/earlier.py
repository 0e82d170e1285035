"""What minutes say about an item beyond its flags: its history at earlier meetings, and a hold.

For each item of the current agenda, `history` reads the earlier meetings' minutes:

* **carried over**: the meetings whose minutes name it;
* **skipped before**: those that marked it SKIPPED, which means "raise it next time", so it
  scores at the next meeting (the criteria's `agenda_flags`), not at the one that skipped it;
* **assigned**: those that gave it to someone, a maintainer acting on it ("Luca working on <link>",
  or "@jasondellaluce will do it" in a line under the item's own). The assignment counts as
  maintainer activity on the day of that meeting (`signals.compute`).

`held` reads the current minutes for items they say are "on hold": the maintainers' turn.

An assignment phrase covers the first reference written after it on the same line, or the item
whose line it sits under (in a more indented line naming no other item), never a passing mention:
"Melissa to provide some updates re #1453 ..., see #2655" assigns #1453 only. A meeting's date
is read from its name (`2023-10-05-Falco-Core-Maintainers`); a meeting without one assigns nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.agenda.reader import AgendaRef, parse_agenda
from triage.facts import ItemKey, parse_when

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
# Someone takes the item on. Bounded alternatives only: the phrases of real Falco and Node.js minutes.
ASSIGNMENT = re.compile(
    r"(?i)\bworking\son\b|\bwill\s(?:do|take|work\son|look\s(?:at|into)|handle|review|follow\sup|pick\s(?:it|this)\sup)\b"
    r"|\bassigned\sto\b|\bto\s(?:provide|look\sinto|work\son|follow\sup)\b|/assign\b|\btake\scare\sof\b"
)
HOLD = re.compile(r"(?i)\bon[- ]hold\b")
_NOT_HELD = re.compile(r"(?i)\b(?:not|no\slonger|off|taken\soff)\s$")
_LINK = re.compile(r"(?i)github\.com/|#\d")


@dataclass(frozen=True)
class History:
    """What earlier meetings did with an item."""

    carried_over: tuple[str, ...] = ()  # the meetings naming it, oldest first
    skipped_before: tuple[str, ...] = ()  # those that skipped it
    assigned: tuple[tuple[str, datetime], ...] = ()  # (meeting, its date) of those that assigned it


def meeting_date(name: str) -> datetime | None:
    """The date in a meeting's name (its start, UTC), if it has one."""
    m = _DATE.search(name)
    try:
        return parse_when(m[1]) if m else None
    except ValueError:
        return None


def meeting_label(name: str) -> str:
    """How a meeting is named in a reason: its date when its name has one."""
    m = _DATE.search(name)
    return m[1] if m else name


def _fold(key: ItemKey) -> tuple[str, int]:
    """The key as GitHub compares it: repository names ignore case."""
    return key.repo.lower(), key.number


def _indent(line: str) -> int:
    stripped = line.lstrip(" \t")
    return len(line[: len(line) - len(stripped)].expandtabs(4))


def _under(lines: Sequence[str], n: int) -> Iterable[str]:
    """The lines nested under 1-based line `n` (more indented, up to the first that is not)."""
    base = _indent(lines[n - 1])
    for line in lines[n:]:
        if not line.strip():
            continue
        if _indent(line) <= base:
            return
        yield line


def _names(ref: AgendaRef, lines: Sequence[str], pattern: re.Pattern[str], defaults: tuple[str | None, str | None]
           ) -> bool:
    """Does `pattern` speak of `ref` on one of its lines (the first reference after the phrase) or in
    a line nested under one that names no other item?"""
    for n in ref.lines:
        line = lines[n - 1]
        for m in pattern.finditer(line):
            after = parse_agenda(line[m.end():], *defaults)
            if after and _fold(after[0].key) == _fold(ref.key):
                return True
        if any(pattern.search(child) and not _LINK.search(child) for child in _under(lines, n)):
            return True
    return False


def history(
    current: Iterable[AgendaRef],
    earlier: Mapping[str, str],
    default_repo: str | None = None,
    default_org: str | None = None,
) -> dict[ItemKey, History]:
    """For each current item that the `earlier` minutes (name -> text) name, what they did with it."""
    wanted = {_fold(r.key): r.key for r in current}
    found: dict[ItemKey, dict[str, list[Any]]] = {key: {"carried": [], "skipped": [], "assigned": []}
                                                  for key in wanted.values()}
    for name in sorted(earlier):
        text = earlier[name]
        lines = text.split("\n")
        when = meeting_date(name)
        for ref in parse_agenda(text, default_repo, default_org):
            key = wanted.get(_fold(ref.key))
            if key is None:
                continue
            record = found[key]
            record["carried"].append(name)
            if "skipped" in ref.flags:
                record["skipped"].append(name)
            if when is not None and _names(ref, lines, ASSIGNMENT, (default_repo, default_org)):
                record["assigned"].append((name, when))
    return {key: History(tuple(r["carried"]), tuple(r["skipped"]), tuple(r["assigned"]))
            for key, r in found.items() if r["carried"]}


def held(refs: Iterable[AgendaRef], text: str, default_repo: str | None = None,
         default_org: str | None = None) -> frozenset[ItemKey]:
    """The items the minutes say are on hold (and not "no longer on hold")."""
    lines = text.split("\n")

    def un_negated(line: str) -> bool:
        return any(not _NOT_HELD.search(line[: m.start()]) for m in HOLD.finditer(line))

    out = set()
    for ref in refs:
        for n in ref.lines:
            line = lines[n - 1]
            if un_negated(line) or any(un_negated(c) and not _LINK.search(c) for c in _under(lines, n)):
                out.add(ref.key)
    return frozenset(out)
