"""A meeting's title and date read from its minutes (issue 11: a live agenda kept "Agenda: the pasted
text" as its title and today as its as-of date), on the real Falco and Node.js minutes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from triage.agenda import parse_agenda
from triage.agenda.title import find_date, meeting_label, meeting_title_and_date
from triage.meeting import fetched_meeting

DATA = Path(__file__).parent / "data"
FALCO = DATA / "minutes"
NODE = DATA / "minutes-other"


def read(path: Path, with_name: bool = True) -> tuple[str | None, date | None]:
    return meeting_title_and_date(path.read_text("utf-8"), path.name if with_name else None)


@pytest.mark.parametrize("path", sorted(FALCO.glob("20*-Falco-*.md")) + sorted(NODE.glob("*.md")),
                         ids=lambda p: p.name)
def test_title_is_the_first_heading_and_the_date_is_in_it(path):
    # "# 2023-12-14 Falco Core Maintainers (monthly)", "# Node.js ... (TSC) Meeting 2023-11-22"
    first_line = path.read_text("utf-8").split("\n", 1)[0]
    title, day = read(path, with_name=False)
    assert title == first_line.removeprefix("# ")
    assert day is not None and f"{day:%Y-%m-%d}" in title
    assert day == date.fromisoformat(re.search(r"\d{4}-\d\d-\d\d", path.name)[0])


def test_a_date_written_in_words_in_the_title():
    assert read(FALCO / "2019-07-25.md", with_name=False) == (
        "Falco Office hours - Meeting 25th July 2019", date(2019, 7, 25))


def test_a_title_without_a_date_takes_it_from_the_file_name():
    assert read(FALCO / "2019-10-02.md") == ("Falco Office Hours", date(2019, 10, 2))
    # Neither the title nor the text of these minutes holds a date: unknown, never today.
    assert read(FALCO / "2019-10-02.md", with_name=False) == ("Falco Office Hours", None)


def test_a_file_of_several_meetings_is_dated_by_its_latest():
    # "# Falco Community Call", then "## 2020-12-16" first: the file ends with the 2020-12-16 meeting.
    path = FALCO / "2020-08-12-to-2020-12-16.md"
    assert read(path) == ("Falco Community Call", date(2020, 12, 16))
    assert read(path, with_name=False) == ("Falco Community Call", date(2020, 12, 16))


def test_front_matter_title_and_date_come_first():
    text = "---\ntitle: Triage meeting\ndate: 2024-03-06\n---\n\n# T-lang meeting agenda\n\n- Dated 2024-01-01"
    assert meeting_title_and_date(text) == ("Triage meeting", date(2024, 3, 6))


def test_setext_headings_and_dates_in_the_text():
    assert meeting_title_and_date("Arrow sync\n==========\n\nHeld on March 5, 2024.\n") == (
        "Arrow sync", date(2024, 3, 5))
    assert meeting_title_and_date("no heading here, only 1 Feb 2024") == (None, date(2024, 2, 1))
    assert meeting_title_and_date("") == (None, None)


def test_headings_in_code_are_not_titles():
    assert meeting_title_and_date("```\n# not a title 2020-01-01\n```\n## Real 2021-02-03") == (
        "Real 2021-02-03", date(2021, 2, 3))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023-12-14", date(2023, 12, 14)),
        ("2023/12/14", date(2023, 12, 14)),
        ("14 December 2023", date(2023, 12, 14)),
        ("25th July 2019", date(2019, 7, 25)),
        ("December 14, 2023", date(2023, 12, 14)),
        ("Dec. 14th 2023", date(2023, 12, 14)),
        ("Thursday, 4th of January 2024", date(2024, 1, 4)),
        ("2023-02-30", None),  # no such day
        ("12/14/2023", None),  # day and month order unknown
        ("v0.37.0 and 2023-13-01", None),
        ("build 20231214", None),
    ],
)
def test_date_forms(text, day):
    assert find_date(text) == day


def test_label_adds_the_date_when_the_title_does_not_say_it():
    assert meeting_label("Falco Community Call", date(2020, 12, 16), "x.md") == "Falco Community Call, 2020-12-16"
    assert meeting_label("Meeting 25th July 2019", date(2019, 7, 25), "x.md") == "Meeting 25th July 2019"
    assert meeting_label(None, None, "the pasted text") == "Agenda: the pasted text"


NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def test_a_fetched_meeting_is_judged_at_the_end_of_its_day_and_keeps_its_fetch_time():
    text = (FALCO / "2023-12-14-Falco-Core-Maintainers.md").read_text("utf-8")
    meeting = fetched_meeting("2023-12-14.md", parse_agenda(text), (), NOW, text, "2023-12-14.md")
    assert meeting.title == "2023-12-14 Falco Core Maintainers (monthly)"
    assert meeting.as_of == datetime(2023, 12, 14, 23, 59, 59, tzinfo=UTC)
    assert meeting.facts.observed_at == NOW


def test_a_meeting_dated_later_than_the_fetch_is_judged_at_the_fetch():
    meeting = fetched_meeting("paste", [], (), NOW, "# Next week's agenda, 2026-12-07\n- o/r#1")
    assert (meeting.title, meeting.as_of) == ("Next week's agenda, 2026-12-07", NOW)


def test_minutes_without_title_or_date_keep_the_old_name_and_now():
    meeting = fetched_meeting("the pasted text", [], (), NOW, "- https://github.com/o/r/pull/1")
    assert (meeting.title, meeting.as_of) == ("Agenda: the pasted text", NOW)
