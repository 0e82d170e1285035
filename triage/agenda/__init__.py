"""Reading the agenda: minutes markdown -> the GitHub threads it names, with their context.

`reader` is the entry point (`parse_agenda`, `read_agenda`, `read_minutes`); the other modules hold
one step each: `outline` (headings, paragraphs and nested bullets), `inline` (links and references
inside a line), `context` (what an item's own entry and the headings above say), `flags` (the flag
vocabulary: URGENT, SKIPPED, neglected, ...), `title` (the meeting's title and date) and `earlier`
(what earlier minutes already said of an item).
"""

from triage.agenda.context import MAX_BULLET_CHARS
from triage.agenda.flags import FLAGS
from triage.agenda.reader import (
    MAX_MINUTES_BYTES,
    MAX_REFS,
    MENTIONS_PER_REF,
    AgendaInputError,
    AgendaReading,
    AgendaRef,
    carried_over,
    parse_agenda,
    read_agenda,
    read_minutes,
    refs_to_json,
)

__all__ = [
    "FLAGS",
    "MAX_BULLET_CHARS",
    "MAX_MINUTES_BYTES",
    "MAX_REFS",
    "MENTIONS_PER_REF",
    "AgendaInputError",
    "AgendaReading",
    "AgendaRef",
    "carried_over",
    "parse_agenda",
    "read_agenda",
    "read_minutes",
    "refs_to_json",
]
