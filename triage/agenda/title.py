"""A meeting's title and date, read from its minutes (issue 11: a pasted agenda is no longer titled
"Agenda: the pasted text" and judged as of today).

The title is the front matter's `title:`, else the document's first heading. The date is the first
one found in, in this order: the title, the front matter's `date:`, the file name (its last date:
"2020-08-12-to-2020-12-16.md" holds meetings up to the 16th), the other headings ("## 2020-12-16"),
then the text. Dates are read as ISO `2023-12-14` (or with `/` or `.`), "14 December 2023",
"25th July 2019", "December 14, 2023" and "Dec 14th 2023"; numeric day/month orders are ambiguous
and are not read.
"""

from __future__ import annotations

import re
from datetime import date

from triage.agenda.inline import read_inline
from triage.agenda.outline import ATX, SETEXT, source_lines

_TEXT_LINES = 200  # a meeting's date is near the top; later dates are deadlines and release dates
_FRONT_MATTER = re.compile(r"(?P<key>title|date)[ \t]*:[ \t]*(?P<value>.{1,300})", re.IGNORECASE)
_MONTHS = {
    name: n for n, names in enumerate((
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
        ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
        ("november", "nov"), ("december", "dec"),
    ), 1) for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day{i}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year{i}>(?:19|20)\d\d)"
_DATE = re.compile(
    r"(?<!\d)(?P<year0>(?:19|20)\d\d)(?P<sep>[-/.])(?P<month0>[01]?\d)(?P=sep)(?P<day0>[0-3]?\d)(?!\d)"
    rf"|\b{_DAY.format(i=1)}[ \t]{{1,3}}(?:of[ \t]{{1,3}})?(?P<month1>{_MONTH})\.?,?[ \t]{{1,3}}{_YEAR.format(i=1)}\b"
    rf"|\b(?P<month2>{_MONTH})\.?[ \t]{{1,3}}{_DAY.format(i=2)},?[ \t]{{1,3}}{_YEAR.format(i=2)}\b",
    re.IGNORECASE,
)


def find_date(text: str) -> date | None:
    """The first real calendar date written in `text`, or None."""
    for m in _DATE.finditer(text):
        for i in range(3):
            if m[f"year{i}"] is None:
                continue
            month = m[f"month{i}"]
            number = int(month) if month.isdigit() else _MONTHS[month.lower()]
            try:
                return date(int(m[f"year{i}"]), number, int(m[f"day{i}"]))
            except ValueError:  # 2023-02-30, "31 April 2024": not a date
                break
    return None


def _last_date(name: str) -> date | None:
    """The last calendar date written in a file name."""
    found = None
    for m in _DATE.finditer(name):
        found = find_date(m[0]) or found
    return found


def meeting_title_and_date(text: str, filename: str | None = None) -> tuple[str | None, date | None]:
    """The meeting's title and date as the minutes (and their file name, when known) give them."""
    front: dict[str, str] = {}
    lines = text.split("\n", _TEXT_LINES)[:_TEXT_LINES]
    if lines and lines[0].rstrip() == "---":
        for line in lines[1:60]:
            if line.rstrip() in ("---", "..."):
                break
            if m := _FRONT_MATTER.fullmatch(line.strip()):
                front.setdefault(m["key"].lower(), m["value"].strip().strip("\"'"))
    headings: list[str] = []
    previous: str | None = None  # the last non-blank line, which a setext underline makes a heading
    for _, _, body in source_lines("\n".join(lines)):
        if body is None or not body.strip():
            previous = None
            continue
        if m := ATX.fullmatch(body.rstrip()):
            headings.append(read_inline((m[2] or "").rstrip().rstrip("#")).plain)
        elif previous is not None and SETEXT.fullmatch(body):
            headings.append(read_inline(previous).plain)
        previous = body.strip()
    headings = [h for h in headings if h]
    title = front.get("title") or (headings[0] if headings else None)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1] if filename else ""
    day = (
        (find_date(title) if title else None)
        or find_date(front.get("date", ""))
        or _last_date(name)
        or next((d for h in headings if (d := find_date(h))), None)
        or find_date("\n".join(lines))
    )
    return title, day


def meeting_label(title: str | None, day: date | None, fallback: str) -> str:
    """How a meeting is named on screen and in exports: its title, with its date when the title does not
    say it ("Falco Community Call, 2020-12-16"), or "Agenda: <fallback>" when the minutes have no title."""
    label = title or f"Agenda: {fallback}"
    if day is not None and find_date(label) != day:
        label = f"{label}, {day:%Y-%m-%d}"
    return label
