"""Meetings and outcomes in the store (issue 14): keys kept hashed, wrong keys refused with nothing
written, append-only history where the later recording wins, the frozen snapshot untouched, and 20
concurrent writers all landing, on SQLite and (with TRIAGE_TEST_PG_URL) on PostgreSQL."""

import threading

import pytest
import sqlalchemy as sa

from triage.facts import ItemKey
from triage.meeting import demo_meeting
from triage.outcomes import OutcomeError, latest
from triage.outcomes import store as meeting_store
from triage.outcomes.store import MeetingKeyError, MeetingNotFoundError, MeetingStore, hash_key
from triage.snapshots import SnapshotNotFoundError, freeze
from triage.snapshots.store import SnapshotStore

FALCO_1340 = ItemKey("falcosecurity/falco", 1340)
LIBS_381 = ItemKey("falcosecurity/libs", 381)


@pytest.fixture(scope="module")
def snap(demo_config):
    return freeze(demo_meeting(), demo_config.preset(), demo_config.people)


@pytest.fixture
def stores(store_url, snap):
    with SnapshotStore(store_url) as snapshots:
        snapshots.save(snap)
        yield snapshots, MeetingStore(snapshots)


def _all_rows(engine, table):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table}")).all()]


def test_start_keeps_only_the_hash_of_the_key(stores, snap):
    snapshots, meetings = stores
    started = meetings.start(snap.id[:12], started_by="leogr")
    info = started.meeting
    assert info.snapshot_id == snap.id and info.snapshot_as_of == snap.as_of and info.started_by == "leogr"
    assert len(started.key) == 24 and "***" in repr(started) and started.key not in repr(started)
    (row,) = _all_rows(snapshots.engine, meeting_store.MEETINGS)
    assert hash_key(started.key) in row
    assert not any(started.key in str(value) for value in row)
    assert meetings.get(info.id) == info
    assert meetings.for_snapshot(snap.id) == [info]


def test_recording_appends_and_the_later_recording_wins(stores, snap):
    _, meetings = stores
    started = meetings.start(snap.id)
    mid, key = started.meeting.id, started.key
    first = meetings.record(mid, key, LIBS_381, "skipped", by="chair")
    second = meetings.record(mid, key, LIBS_381, "deferred", note="next time", by="someone else")
    meetings.record(mid, key, FALCO_1340, "assigned", who="@LucaGuerra", note="Luca working on it")
    history = meetings.history(mid)
    assert [(r.ref, r.outcome, r.who, r.by) for r in history] == [
        (LIBS_381, "skipped", None, "chair"),
        (LIBS_381, "deferred", None, "someone else"),
        (FALCO_1340, "assigned", "LucaGuerra", None),
    ]
    assert first.seq < second.seq
    won = latest(history)
    assert won[LIBS_381].outcome == "deferred" and won[LIBS_381].note == "next time"
    assert won[FALCO_1340].describe() == "assigned to @LucaGuerra"
    assert meetings.last_seq(mid) == history[-1].seq


def test_outcomes_never_touch_the_frozen_snapshot(stores, snap):
    snapshots, meetings = stores
    before = _all_rows(snapshots.engine, "triage_snapshots")
    started = meetings.start(snap.id)
    meetings.record(started.meeting.id, started.key, LIBS_381, "wontfix")
    meetings.follow(started.meeting.id, started.key, LIBS_381)
    assert _all_rows(snapshots.engine, "triage_snapshots") == before
    assert snapshots.load(snap.id).rows == snap.rows  # still hashes to its id


@pytest.mark.parametrize("key", [None, "", "not-the-key-0123456789", "x" * 24])
def test_a_wrong_or_missing_key_records_nothing(stores, snap, key):
    snapshots, meetings = stores
    started = meetings.start(snap.id)
    with pytest.raises(MeetingKeyError) as e:
        meetings.record(started.meeting.id, key, LIBS_381, "skipped")
    assert str(e.value) == (
        f"The edit key does not open meeting {started.meeting.id} for recording; nothing was recorded. "
        "Use the chair's link (or the key `triage meeting start` printed)")
    with pytest.raises(MeetingKeyError):
        meetings.follow(started.meeting.id, key, LIBS_381)
    assert _all_rows(snapshots.engine, meeting_store.OUTCOMES_TABLE) == []
    assert meetings.get(started.meeting.id).current_ref is None


def test_the_stored_hash_and_another_meetings_key_do_not_open_a_meeting(stores, snap):
    _, meetings = stores
    one, other = meetings.start(snap.id), meetings.start(snap.id)
    assert not meetings.can_edit(one.meeting.id, hash_key(one.key))  # what a database reader would see
    assert not meetings.can_edit(one.meeting.id, other.key)
    assert meetings.can_edit(one.meeting.id, one.key)
    with pytest.raises(MeetingKeyError):
        meetings.record(one.meeting.id, other.key, LIBS_381, "skipped")
    assert meetings.history(one.meeting.id) == []


def test_bad_outcomes_are_refused_with_a_sentence_and_nothing_written(stores, snap, monkeypatch):
    _, meetings = stores
    started = meetings.start(snap.id)
    mid, key = started.meeting.id, started.key
    cases = [
        ((LIBS_381, "maybe"), {}, "Unknown outcome 'maybe'; expected one of discussed, assigned, needs-review, "
                                  "decision, deferred, skipped, wontfix"),
        ((LIBS_381, "assigned"), {}, "Outcome 'assigned' needs the login it is assigned to (--who LOGIN)"),
        ((LIBS_381, "skipped"), {"who": "leogr"},
         "Outcome 'skipped' names nobody; only assigned and needs-review take a login (got @leogr)"),
        ((LIBS_381, "needs-review"), {"who": "two words"},
         "'two words' is not a GitHub login: letters, digits and single dashes, at most 39 characters"),
        ((LIBS_381, "discussed"), {"note": "x" * 301}, "The note is 301 characters long; keep it to 300 (one line)"),
        ((ItemKey("falcosecurity/falco", 1), "discussed"), {},
         f"falcosecurity/falco#1 is not on the agenda of snapshot {snap.short_id}; nothing was recorded"),
    ]
    for (ref, outcome), extra, sentence in cases:
        with pytest.raises(OutcomeError) as e:
            meetings.record(mid, key, ref, outcome, **extra)
        assert str(e.value) == sentence
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_" + "Q7" * 18)
    with pytest.raises(OutcomeError, match="contains the GitHub token; nothing was recorded"):
        meetings.record(mid, key, LIBS_381, "discussed", note="token is ghp_" + "Q7" * 18)
    assert meetings.history(mid) == []


def test_a_note_is_kept_on_one_line(stores, snap):
    _, meetings = stores
    started = meetings.start(snap.id)
    record = meetings.record(started.meeting.id, started.key, LIBS_381, "decision", note="  ask\nthe TOC \t first ")
    assert record.note == "ask the TOC first"
    assert meetings.history(started.meeting.id)[0].note == "ask the TOC first"


def test_unknown_meetings_and_snapshots_are_named(stores, snap):
    _, meetings = stores
    with pytest.raises(MeetingNotFoundError) as e:
        meetings.get("0123456789AB")
    assert str(e.value) == f"No meeting 0123456789ab in {meetings.snapshots.location}"
    with pytest.raises(MeetingNotFoundError) as e:
        meetings.history("nope")
    assert str(e.value) == "Invalid meeting id 'nope': expected 12 hexadecimal digits"
    with pytest.raises(SnapshotNotFoundError) as e:
        meetings.start("0123456789ab")
    assert str(e.value) == f"No snapshot 0123456789ab… in {meetings.snapshots.location}"


def test_meetings_before_a_moment_are_those_on_earlier_snapshots(stores, snap, demo_config):
    snapshots, meetings = stores
    later = freeze(demo_meeting(), demo_config.preset(), demo_config.people,
                   as_of=snap.as_of.replace(year=2024, month=2, day=1))
    snapshots.save(later)
    first, second = meetings.start(snap.id), meetings.start(later.id)
    assert [m.id for m in meetings.before(later.as_of)] == [first.meeting.id]
    assert {m.id for m in meetings.before(later.as_of.replace(day=2))} == {first.meeting.id, second.meeting.id}


def test_twenty_concurrent_writers_all_land_with_the_whole_history(stores, snap):
    _, meetings = stores
    started = meetings.start(snap.id)
    mid, key = started.meeting.id, started.key
    refs = [ItemKey.parse(r["ref"]) for r in snap.rows]
    outcomes = ["discussed", "decision", "deferred", "skipped", "wontfix"]
    barrier = threading.Barrier(20)
    errors, written = [], []

    def write(n: int) -> None:
        try:
            barrier.wait()
            written.append(meetings.record(mid, key, refs[n % 4], outcomes[n % 5], note=f"writer {n}",
                                           by=f"attendee {n}"))
        except Exception as e:  # any failure is the test's failure, reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = meetings.history(mid)
    assert len(history) == 20
    assert sorted(r.note for r in history) == sorted(f"writer {n}" for n in range(20))
    assert sorted(r.seq for r in history) == sorted(r.seq for r in written)
    assert len({r.seq for r in history}) == 20
    # each item's winner is its last arrival, and everything before it is still there
    won = latest(history)
    for ref in refs[:4]:
        mine = [r for r in history if r.ref == ref]
        assert len(mine) == 5 and won[ref] == max(mine, key=lambda r: r.seq)


def test_a_meeting_key_never_reads_as_a_command_line_option(stores, snap):
    # A key starting with "-" broke `triage meeting record ... --key KEY` (1 start in 64; a flaky CLI test):
    # 300 starts would show one such key with a 99% chance
    _, meetings = stores
    keys = [meetings.start(snap.id).key for _ in range(300)]
    assert not any(k.startswith("-") for k in keys) and all(len(k) >= 16 for k in keys)


def test_every_key_has_its_full_length_and_none_reads_as_an_option():
    # One draw in 64 starts with "-"; it was once stripped, leaving a 23-character key.
    keys = [meeting_store._new_key() for _ in range(3_000)]
    assert {len(k) for k in keys} == {24}
    assert not any(k.startswith("-") for k in keys)
