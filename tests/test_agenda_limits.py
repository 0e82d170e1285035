"""Bounds of the agenda reader (issue 12): references per agenda, empty minutes, and a fuzz test
showing that no input gives a traceback, a hang or an unbounded amount of memory."""

from __future__ import annotations

import tracemalloc
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.agenda_shapes import read_in_child
from triage import settings as triage_settings
from triage.agenda import (
    MAX_REFS,
    MENTIONS_PER_REF,
    AgendaInputError,
    read_agenda,
    read_minutes,
)
from triage.agenda.title import meeting_title_and_date
from triage.cli import main

MEMORY_LIMIT = 500_000_000  # issue 12: no input may take the reader past 500 MB


def numbered(count: int) -> str:
    return "".join(f"- https://github.com/o/r/pull/{n}\n" for n in range(1, count + 1))


# --- references per agenda --------------------------------------------------------------------------


def test_an_agenda_naming_more_items_than_the_limit_keeps_the_first_and_says_where_it_stopped():
    reading = read_agenda(numbered(1_500))
    assert MAX_REFS == 1_000
    assert [r.key.number for r in reading.refs] == list(range(1, 1_001))
    assert reading.refs[-1].lines == (1_000,)
    assert reading.limit_note == (
        "Reading stopped at line 1,001 of 1,501: there the minutes name more than 1,000 items, the limit per"
        " agenda (raise it with --max-refs or TRIAGE_MAX_REFS); the 1,000 items named up to that point are kept."
    )


def test_the_limit_is_a_parameter_and_a_document_within_it_has_no_note():
    assert read_agenda(numbered(1_000)).limit_note is None
    reading = read_agenda(numbered(10), max_refs=3)
    assert [r.ref for r in reading.refs] == ["o/r#1", "o/r#2", "o/r#3"]
    assert reading.limit_note is not None and reading.limit_note.startswith("Reading stopped at line 4 of 11:")
    with pytest.raises(ValueError, match="max_refs must be at least 1, not 0"):
        read_agenda("#1", max_refs=0)


def test_a_line_naming_too_many_items_keeps_those_up_to_the_limit():
    line = " ".join(f"o/r#{n}" for n in range(1, 50)) + "\n- o/r#99"
    reading = read_agenda(line, max_refs=5)
    assert [r.key.number for r in reading.refs] == [1, 2, 3, 4, 5]
    assert reading.stopped_at == 1


def test_mentions_of_items_already_kept_do_not_count_against_the_items():
    text = numbered(3) + numbered(3) + "- https://github.com/o/r/pull/4\n"
    reading = read_agenda(text, max_refs=3)
    assert [(r.key.number, r.lines) for r in reading.refs] == [(1, (1, 4)), (2, (2, 5)), (3, (3, 6))]
    assert reading.stopped_at == 7


def test_one_item_repeated_past_the_reference_limit_stops_the_reading_too():
    reading = read_agenda("o/r#1 " * 30 + "\n- o/r#2", max_refs=1)
    assert [(r.ref, r.lines) for r in reading.refs] == [("o/r#1", (1,))]
    assert reading.limit_note == (
        f"Reading stopped at line 1 of 2: there the minutes name more than {MENTIONS_PER_REF} references"
        f" ({MENTIONS_PER_REF} per item allowed), the limit per agenda (raise it with --max-refs or"
        " TRIAGE_MAX_REFS); the 1 item named up to that point is kept."
    )


def test_the_limit_comes_from_the_environment_with_a_sentence_when_malformed(monkeypatch):
    assert triage_settings.max_refs(MAX_REFS) == 1_000
    monkeypatch.setenv("TRIAGE_MAX_REFS", "25")
    assert triage_settings.max_refs(MAX_REFS) == 25
    for bad in ("0", "-3", "lots", "1e3"):
        monkeypatch.setenv("TRIAGE_MAX_REFS", bad)
        with pytest.raises(triage_settings.SettingsError) as caught:
            triage_settings.max_refs(MAX_REFS)
        assert str(caught.value) == (
            f"TRIAGE_MAX_REFS {bad!r} is not a whole number of items of at least 1, such as 1000")


def test_the_cli_states_the_limit_and_prints_what_it_kept(tmp_path, capsys, monkeypatch):
    minutes = tmp_path / "big.md"
    minutes.write_text(numbered(5))
    assert main(["refs", str(minutes), "--max-refs", "2"]) == 0
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()] == ["o/r#1", "o/r#2"]
    assert err.startswith("triage: warning: Reading stopped at line 3 of 6: there the minutes name more than 2 items")
    monkeypatch.setenv("TRIAGE_MAX_REFS", "4")
    assert main(["refs", str(minutes)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    with pytest.raises(SystemExit):
        main(["refs", str(minutes), "--max-refs", "0"])
    assert "'0' is not a whole number of at least 1" in capsys.readouterr().err


# --- empty minutes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \n\n\t\n", "\ufeff\r\n".encode(), "\n".encode("utf-16")])
def test_empty_minutes_are_refused_with_a_sentence(raw):
    with pytest.raises(AgendaInputError) as caught:
        read_minutes(raw, "notes.md")
    assert str(caught.value) == "notes.md is empty: there is no text to read GitHub references from"


def test_the_cli_says_when_minutes_are_empty_or_name_nothing(tmp_path, capsys):
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n")
    assert main(["refs", str(empty)]) == 2
    assert capsys.readouterr().err == (
        f"triage: error: {empty} is empty: there is no text to read GitHub references from\n")
    prose = tmp_path / "prose.md"
    prose.write_text("# Notes\n\nNothing to triage this week.\n")
    assert main(["refs", str(prose)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == f"triage: no GitHub pull requests, issues or discussions found in {prose}\n"


# --- no input fails, hangs or swells -------------------------------------------------------------------------

# Pieces of the markup the reader handles, and of what breaks naive parsers: unclosed links, runs of
# brackets and backticks, deep indentation, quotes, HTML comments, fences, definitions, long numbers.
PIECES = st.sampled_from([
    "\n", "\n\n", "- ", "  - ", "    - ", "1. ", "> ", "> > ", "# ", "### o/r\n", "---\n", "===\n", "```\n", "~~~",
    "<!--", "-->", "`", "``", "*", "_", "~~", "[", "]", "(", ")", "](", "[#1]", "[x][y]", "[#1]: ", "[y]: ",
    "https://github.com/o/r/pull/", "https://github.com/o/r/issues/", "github.com/o/", "o/r#", "r#", "#", "#1",
    "GH-", "Topic #", "SKIPPED:", "needs attention", "postponed", "[if time permits]", "<https://", ">",
    "&#35;", "\\", "\t", "  ", "9" * 12, "2024-01-0", "December 14, 20", "\ufeff", "\u2026", "é",
])
chunks = st.lists(PIECES | st.text(max_size=8), max_size=30).map("".join)


FUZZ_MAX_CHARS = 200_000  # the examples stay small enough for a quick test; LARGEST covers 2 MB


@st.composite
def uploads(draw) -> bytes:
    """Bytes as an upload gives them: a generated chunk repeated (hostile input is repetitive), in
    some encoding, sometimes cut anywhere."""
    text = (draw(chunks) * draw(st.sampled_from([1, 1, 5, 50, 500, 5_000])))[:FUZZ_MAX_CHARS]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1"]))
    raw = text.encode(encoding, errors="replace")
    return raw[: draw(st.integers(0, len(raw)))] if draw(st.integers(0, 4)) == 0 else raw


FUZZ = settings(max_examples=100, deadline=timedelta(seconds=5),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.timeout(300)  # a hang guard for the whole run; each example has the 5 s deadline
@FUZZ
@given(raw=uploads(), default_repo=st.sampled_from([None, "o/r", "bad repo", ""]),
       default_org=st.sampled_from([None, "o", "a/b"]), max_refs=st.integers(1, 50))
def test_no_upload_makes_the_reader_raise_hang_or_swell(raw, default_repo, default_org, max_refs):
    tracemalloc.start()
    try:
        try:
            text = read_minutes(raw, "upload.md")
        except AgendaInputError as e:  # a sentence naming the upload, never a traceback
            assert str(e).startswith("upload.md ")
            return
        try:
            reading = read_agenda(text, default_repo, default_org, max_refs)
        except AgendaInputError as e:
            assert str(e).startswith("Invalid default ")
            return
        title, _ = meeting_title_and_date(text, "upload.md")
        assert len(reading.refs) <= max_refs
        assert (reading.stopped_at is None) == (reading.limit_note is None)
        assert title is None or "\n" not in title
        assert tracemalloc.get_traced_memory()[1] < MEMORY_LIMIT
    finally:
        tracemalloc.stop()


# Memory is deterministic, so it is asserted, for the shapes that take most of it (measured: list items
# about 230 MB, code spans 210, labels 180, the others under 160); the time is guarded by the timeout
# only (`make bench` times every shape).
@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["list_items", "code_spans", "labels", "one_item_everywhere"])
def test_the_largest_minutes_stay_below_the_memory_limit(name):
    refs, _, peak = read_in_child(name)
    assert refs <= MAX_REFS
    assert peak < MEMORY_LIMIT, f"{peak / 1e6:.0f} MB"
