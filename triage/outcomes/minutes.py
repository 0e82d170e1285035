"""A meeting's minutes: its outcomes as a Markdown block grouped by outcome, or as JSON records.

The Markdown is written for the next agenda as much as for people: one `####` heading per outcome
(`Outcome.heading`), one bullet per item starting with its link and the outcome phrase, and a link
back to the snapshot. Our own agenda parser reads it back (`read_outcomes`): each item's section
heading says its outcome, and its bullet the login. Titles and notes are escaped so that nothing
in them reads as another GitHub reference; text the escaping cannot neutralise (a full GitHub URL
in a note) is written as inline code, which the parser skips.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from triage.agenda import parse_agenda
from triage.facts import ItemKey
from triage.outcomes import OUTCOMES, OutcomeRecord, latest
from triage.snapshots import Snapshot

FORMATS = ("markdown", "json")
NOT_REACHED = "Not reached"  # the heading of the snapshot's items nobody recorded an outcome for
_MARKUP = re.compile(r"([\\`*_\[\]()<>#!~|])")
_BACKTICKS = re.compile(r"`+")
_HEADINGS = {o.heading: name for name, o in OUTCOMES.items()}
_NAMED = re.compile(r"^\S+: (?:assigned to|needs review by) @(?P<login>[A-Za-z0-9-]{1,39})\b")


def _reads_as_reference(text: str) -> bool:
    # With a default repo and org every `#N` and `repo#N` resolves, so this finds all that could.
    return bool(parse_agenda(text, default_repo="o/r", default_org="o"))


def safe_text(text: str) -> str:
    """`text` as Markdown that shows it as typed and names no GitHub item."""
    escaped = _MARKUP.sub(r"\\\1", " ".join(text.split()))
    if not _reads_as_reference(escaped):
        return escaped
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{fence} {' '.join(text.split())} {fence}"


def _line(row: dict[str, object] | None, key: ItemKey, record: OutcomeRecord | None) -> str:
    url = (row or {}).get("url") or f"https://github.com/{key.repo}/issues/{key.number}"
    phrase = record.describe() if record else "no outcome recorded"
    parts = [f"- [{key.ref}]({url}): **{phrase}**"]
    title = (row or {}).get("title")
    if title:
        parts.append(safe_text(str(title)))
    if record and record.note:
        parts.append(f"note: {safe_text(record.note)}")
    return " · ".join(parts)


def to_markdown(snapshot: Snapshot, meeting_id: str, records: Sequence[OutcomeRecord],
                link: str | None = None) -> str:
    """The minutes block: items grouped by their latest outcome, in ranking order within a group."""
    rows = {str(r["ref"]): r for r in snapshot.rows}
    order = {ref: n for n, ref in enumerate(rows)}
    won = latest(records)
    title = safe_text(snapshot.title or "Triage")
    lines = [f"### Meeting outcomes: {title}", ""]
    reached = sum(1 for key in won if key.ref in rows)
    lines.append(f"Meeting {meeting_id} on the ranking as of {snapshot.as_of:%Y-%m-%d} ({snapshot.preset}): "
                 f"{reached} of {len(rows)} items have an outcome.")
    if link:
        lines += ["", f"Snapshot: <{link}>"]
    for name, entry in OUTCOMES.items():
        group = sorted((r for r in won.values() if r.outcome == name), key=lambda r: order.get(r.ref.ref, len(order)))
        if group:
            lines += ["", f"#### {entry.heading}", ""]
            lines += [_line(rows.get(r.ref.ref), r.ref, r) for r in group]
    missing = [ItemKey.parse(ref) for ref in rows if ItemKey.parse(ref) not in won]
    if missing:
        lines += ["", f"#### {NOT_REACHED}", ""]
        lines += [_line(rows[key.ref], key, None) for key in missing]
    return "\n".join(lines) + "\n"


def to_json(records: Sequence[OutcomeRecord]) -> str:
    """Every recording, in the order the store received them: `{ref, outcome, who, note, at, by, seq}`."""
    return json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False)


def render(snapshot: Snapshot, meeting_id: str, records: Sequence[OutcomeRecord], fmt: str,
           link: str | None = None) -> str:
    """The minutes in one of FORMATS."""
    if fmt == "markdown":
        return to_markdown(snapshot, meeting_id, records, link)
    if fmt == "json":
        return to_json(records)
    raise ValueError(f"Unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class MinutesOutcome:
    """One item as minutes written by `to_markdown` give it back."""

    key: ItemKey
    outcome: str | None  # None: listed as not reached
    who: str | None


def read_outcomes(text: str) -> list[MinutesOutcome]:
    """The items and outcomes of minutes written by `to_markdown`, read with the agenda parser."""
    found = []
    for ref in parse_agenda(text):
        heading = ref.section[-1] if ref.section else None
        if heading not in _HEADINGS and heading != NOT_REACHED:
            continue
        outcome = _HEADINGS.get(heading or "")
        m = _NAMED.match(ref.bullet or "")
        who = m["login"] if m and outcome and OUTCOMES[outcome].names_someone else None
        found.append(MinutesOutcome(ref.key, outcome, who))
    return found
