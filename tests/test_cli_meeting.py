"""`triage meeting start|record|export` and `triage rank --previous` (issue 14): what they print,
their exit statuses, and what they stored."""

import json
import os

import pytest

from triage.cli import main
from triage.outcomes import minutes


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def snapshot_id(capsys) -> str:
    code, out, err = run(capsys, "snapshot", "create", "--demo")
    assert code == 0, err
    return out.splitlines()[-1]


@pytest.fixture
def started(capsys, snapshot_id) -> tuple[str, str]:
    code, out, _ = run(capsys, "meeting", "start", snapshot_id[:12], "--by", "leogr")
    assert code == 0
    *_, meeting_id, key = out.splitlines()
    return meeting_id, key


def test_start_prints_the_meeting_id_and_key_on_its_last_two_lines(capsys, snapshot_id):
    code, out, err = run(capsys, "meeting", "start", snapshot_id)
    assert code == 0 and err == ""
    lines = out.splitlines()
    meeting_id, key = lines[-2], lines[-1]
    home = os.environ["TRIAGE_HOME"]
    assert lines[0] == (f"Started meeting {meeting_id} on snapshot {snapshot_id[:12]} (16 items, as of 2023-12-14) "
                        f"in sqlite:///{home}/triage.db")
    link = f"http://localhost:8501/?snapshot={snapshot_id}&meeting={meeting_id}"
    assert lines[1] == f"Attendees follow along at {link}"
    assert lines[2] == (f"The chair records at {link}&key={key} (keep this link to yourself: it holds the edit key)")
    assert len(meeting_id) == 12 and len(key) == 24


def test_record_says_what_it_recorded_and_what_it_replaced(capsys, started):
    meeting_id, key = started
    code, out, _ = run(capsys, "meeting", "record", meeting_id, "falcosecurity/libs#381", "skipped", "--key", key)
    assert (code, out) == (0, f"Recorded falcosecurity/libs#381: skipped (recording 1 of meeting {meeting_id})\n")
    code, out, _ = run(capsys, "meeting", "record", meeting_id, "https://github.com/falcosecurity/libs/issues/381",
                       "deferred", "--note", "no time left", "--by", "leogr", "--key", key)
    assert (code, out) == (0, f"Recorded falcosecurity/libs#381: deferred to the next meeting (recording 2 of "
                              f"meeting {meeting_id}); it replaces “skipped”, which stays in the history\n")


def test_a_wrong_key_exits_3_with_a_sentence_and_records_nothing(capsys, started):
    meeting_id, key = started
    code, out, err = run(capsys, "meeting", "record", meeting_id, "falcosecurity/libs#381", "skipped",
                         "--key", key[::-1])
    assert (code, out) == (3, "")
    assert err == (f"triage: error: The edit key does not open meeting {meeting_id} for recording; nothing was "
                   "recorded. Use the chair's link (or the key `triage meeting start` printed)\n")
    _, exported, _ = run(capsys, "meeting", "export", meeting_id, "--format", "json")
    assert json.loads(exported) == []


@pytest.mark.parametrize(("args", "sentence"), [
    (["falcosecurity/falco#1340", "assigned"], "Outcome 'assigned' needs the login it is assigned to (--who LOGIN)"),
    (["falco#1340", "discussed"],
     "Invalid item reference 'falco#1340': expected owner/repo#number or the item's GitHub URL"),
    (["falcosecurity/falco#9", "discussed"], "falcosecurity/falco#9 is not on the agenda of snapshot "),
])
def test_bad_input_exits_2_with_a_sentence(capsys, started, args, sentence):
    meeting_id, key = started
    code, out, err = run(capsys, "meeting", "record", meeting_id, *args, "--key", key)
    assert (code, out) == (2, "")
    assert err.startswith(f"triage: error: {sentence}")


def test_an_unknown_outcome_is_refused_by_the_parser(capsys, started):
    meeting_id, key = started
    with pytest.raises(SystemExit) as e:
        main(["meeting", "record", meeting_id, "falcosecurity/libs#381", "maybe", "--key", key])
    assert e.value.code == 2
    assert "argument OUTCOME: invalid choice: 'maybe'" in capsys.readouterr().err


def test_export_prints_markdown_minutes_and_json_records(capsys, started, snapshot_id):
    meeting_id, key = started
    run(capsys, "meeting", "record", meeting_id, "falcosecurity/falco#1340", "assigned", "--who", "@LucaGuerra",
        "--note", "Luca working on it", "--key", key)
    run(capsys, "meeting", "record", meeting_id, "falcosecurity/libs#1561", "decision", "--key", key)
    code, text, _ = run(capsys, "meeting", "export", meeting_id, "--base-url", "https://triage.example.org/")
    assert code == 0
    assert f"Snapshot: <https://triage.example.org/?snapshot={snapshot_id}>" in text
    back = {(m.key.ref, m.outcome, m.who) for m in minutes.read_outcomes(text) if m.outcome}
    assert back == {("falcosecurity/falco#1340", "assigned", "LucaGuerra"),
                    ("falcosecurity/libs#1561", "decision", None)}
    code, raw, _ = run(capsys, "meeting", "export", meeting_id, "--format", "json")
    records = json.loads(raw)
    assert [{k: r[k] for k in ("ref", "outcome", "who", "note")} for r in records] == [
        {"ref": "falcosecurity/falco#1340", "outcome": "assigned", "who": "LucaGuerra", "note": "Luca working on it"},
        {"ref": "falcosecurity/libs#1561", "outcome": "decision", "who": None, "note": None},
    ]
    assert all(r["at"].startswith("20") for r in records)


def test_rank_previous_feeds_the_meetings_outcomes_into_the_next_ranking(capsys, started, snapshot_id):
    meeting_id, key = started
    run(capsys, "meeting", "record", meeting_id, "falcosecurity/libs#1557", "deferred", "--key", key)
    # libs#1452 stayed open until 2024-03-05 (falco#1340, closed 2023-12-22, is resolved by then)
    run(capsys, "meeting", "record", meeting_id, "falcosecurity/libs#1452", "assigned", "--who", "LucaGuerra",
        "--key", key)
    code, out, err = run(capsys, "rank", "--demo", "--as-of", "2024-02-01", "--previous", meeting_id,
                         "--format", "json")
    assert code == 0, err
    reasons = {r["ref"]: r["reasons"]["earlier_outcomes"] for r in json.loads(out)["items"]}
    assert reasons["falcosecurity/libs#1557"] == "carried over: deferred to the next meeting on 2023-12-14"
    assert reasons["falcosecurity/libs#1452"] == (
        "assigned to @LucaGuerra on 2023-12-14, no progress (49 days); timeline incomplete")
    assert reasons["falcosecurity/libs#381"] == "no outcome recorded at an earlier meeting"
    # a snapshot id stands for all its meetings; the same outcomes then freeze into the next snapshot
    code, out, _ = run(capsys, "snapshot", "create", "--demo", "--as-of", "2024-02-01", "--previous", snapshot_id)
    _, shown, _ = run(capsys, "snapshot", "show", out.splitlines()[-1], "--format", "json")
    assert {r["ref"]: r["reasons"]["earlier_outcomes"] for r in json.loads(shown)["items"]} == reasons
    code, _, err = run(capsys, "rank", "--demo", "--previous", "0123456789ab")
    assert (code, err) == (2, "triage: error: --previous 0123456789ab: no meeting or snapshot has this id\n")
