"""The outcome vocabulary, the `earlier_outcomes` criterion, carry-over rules and the minutes'
round trip through our own agenda parser (issue 14)."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.one_item import compute, verdict
from triage.facts import Event, ItemFacts, ItemKey, People
from triage.meeting import demo_meeting, meeting_from_dict, meeting_to_dict
from triage.outcomes import OUTCOMES, EarlierOutcome, OutcomeRecord, carryover, check_login, latest, minutes
from triage.outcomes.store import MeetingInfo
from triage.ranking.criteria import Params, earlier_outcomes
from triage.ranking.signals import AgendaContext
from triage.snapshots import freeze

MEETING_DAY = datetime(2023, 12, 14, 23, 59, 59, tzinfo=UTC)
NEXT = datetime(2024, 2, 1, 23, 59, 59, tzinfo=UTC)
KEY = ItemKey("falcosecurity/falco", 1340)


def _item(events=(), state="open", complete=True, **extra) -> ItemFacts:
    return ItemFacts(KEY, kind="issue", title="Support partial overrides", state=state, author="leogr",
                     created_at=datetime(2020, 8, 1, tzinfo=UTC), events=tuple(events),
                     timeline_complete=complete, **extra)


def _score(item: ItemFacts, *history: EarlierOutcome, as_of=NEXT):
    s = compute(item, as_of, People.of(["leogr", "LucaGuerra"]), AgendaContext(outcomes=history))
    return verdict(earlier_outcomes, s, Params())


def _decided(outcome, who=None, at=MEETING_DAY):
    return EarlierOutcome(outcome, at, who, None, "abcdefabcdef")


def test_the_vocabulary_is_the_issues_seven_outcomes_with_distinct_keys():
    assert [o.describe("leogr") for o in OUTCOMES.values()] == [
        "discussed", "assigned to @leogr", "needs review by @leogr", "decision needed",
        "deferred to the next meeting", "skipped", "closed/won't do"]
    assert len({o.shortcut for o in OUTCOMES.values()}) == 7
    assert check_login(" @Andreagit97 ") == "Andreagit97" and check_login("") is None


def test_deferred_and_skipped_items_carry_over_first():
    deferred = _score(_item(), _decided("deferred"))
    skipped = _score(_item(), _decided("skipped"))
    discussed = _score(_item(), _decided("discussed"))
    assert deferred == (1.0, "carried over: deferred to the next meeting on 2023-12-14")
    assert skipped == (0.8, "carried over: skipped on 2023-12-14")
    assert deferred[0] > skipped[0] > discussed[0]
    twice = _score(_item(), _decided("skipped", at=MEETING_DAY - timedelta(days=35)), _decided("skipped"))
    assert twice == (0.8, "carried over: skipped on 2023-12-14 (2 meetings)")
    assert _score(_item()) == (0.0, "no outcome recorded at an earlier meeting")


def test_an_assignment_without_progress_is_flagged_with_its_days():
    quiet = _item(events=[Event("leogr", MEETING_DAY + timedelta(days=3), "comment")])
    assert _score(quiet, _decided("assigned", "LucaGuerra")) == (
        0.6, "assigned to @LucaGuerra on 2023-12-14, no progress (49 days)")
    moving = _item(events=[Event("lucaguerra", MEETING_DAY + timedelta(days=10), "comment")])
    assert _score(moving, _decided("assigned", "LucaGuerra")) == (
        0.1, "assigned to @LucaGuerra on 2023-12-14; @LucaGuerra active on 2023-12-24")
    # activity after the ranking's moment is not progress as of it
    assert _score(moving, _decided("assigned", "LucaGuerra"), as_of=MEETING_DAY + timedelta(days=5))[0] == 0.6
    partial = _item(complete=False)
    assert _score(partial, _decided("needs-review", "FedeDP")) == (
        0.6, "review asked of @FedeDP on 2023-12-14, no progress (49 days); timeline incomplete")


def test_wont_do_items_still_open_are_shown_as_such():
    assert _score(_item(), _decided("wontfix")) == (0.5, "closed/won't do on 2023-12-14, still open")
    unknown = _item(state=None)
    assert _score(unknown, _decided("wontfix")) == (0.1, "closed/won't do on 2023-12-14")


def test_a_recording_long_after_the_snapshot_counts_from_the_meeting_day():
    assert carryover.decided_at(MEETING_DAY + timedelta(hours=3), MEETING_DAY) == MEETING_DAY + timedelta(hours=3)
    assert carryover.decided_at(datetime(2026, 11, 30, tzinfo=UTC), MEETING_DAY) == MEETING_DAY
    assert carryover.decided_at(MEETING_DAY - timedelta(hours=1), MEETING_DAY) == MEETING_DAY


def _record(seq, ref, outcome, who=None, note=None, at=MEETING_DAY):
    return OutcomeRecord("abcdefabcdef", seq, ItemKey.parse(ref), outcome, who, note, "leogr", at)


def test_earlier_takes_each_meetings_winner_in_meeting_order():
    first = MeetingInfo("aaaaaaaaaaaa", "0" * 64, MEETING_DAY, MEETING_DAY, None, None)
    second = MeetingInfo("bbbbbbbbbbbb", "1" * 64, NEXT, NEXT, None, None)
    history = carryover.earlier([
        (second, [_record(9, "falcosecurity/falco#1340", "skipped", at=NEXT)]),
        (first, [_record(1, "falcosecurity/falco#1340", "discussed"),
                 _record(2, "falcosecurity/falco#1340", "deferred")]),
    ])
    assert [(o.outcome, o.meeting) for o in history[KEY]] == [("deferred", "aaaaaaaaaaaa"),
                                                               ("skipped", "bbbbbbbbbbbb")]


def test_earlier_outcomes_survive_a_frozen_meeting_and_leave_other_documents_alone(demo_config):
    meeting = demo_meeting()
    plain = meeting_to_dict(meeting)
    assert "earlier_outcomes" not in plain  # documents without outcomes (and their ids) are unchanged
    stranger = ItemKey("nodejs/node", 1)
    carried = carryover.with_outcomes(meeting, {KEY: (_decided("assigned", "LucaGuerra"),),
                                                stranger: (_decided("skipped"),)})
    assert set(carried.outcomes) == {KEY}  # not on this agenda: not its business
    again = meeting_from_dict(meeting_to_dict(carried))
    assert again.outcomes == carried.outcomes
    assert again.context()[KEY].outcomes == (_decided("assigned", "LucaGuerra"),)
    snap = freeze(carried, demo_config.preset(), demo_config.people)
    assert snap.meeting.outcomes == carried.outcomes
    row = next(r for r in snap.rows if r["ref"] == KEY.ref)
    assert row["reasons"]["earlier_outcomes"].startswith("assigned to @LucaGuerra on 2023-12-14, no progress (")


def test_since_says_what_github_showed_after_the_decision():
    item = _item(events=[Event("FedeDP", MEETING_DAY + timedelta(days=2), "comment"),
                         Event("leogr", MEETING_DAY + timedelta(days=9), "review")])
    assert carryover.since(item, MEETING_DAY, NEXT) == "2 events by @FedeDP, @leogr; last review on 2023-12-23"
    merged = replace(item, state="merged", merged_at=MEETING_DAY + timedelta(days=20))
    assert carryover.since(merged, MEETING_DAY, NEXT) == "merged on 2024-01-03"
    assert carryover.since(_item(complete=False), MEETING_DAY, NEXT) == "no activity seen (timeline incomplete)"
    assert carryover.since(None, MEETING_DAY, NEXT) == "unknown (not fetched)"


# --- the minutes and their round trip ---------------------------------------------------------------


@pytest.fixture(scope="module")
def snap(demo_config):
    return freeze(demo_meeting(), demo_config.preset(), demo_config.people)


def test_minutes_group_items_by_outcome_and_link_back_to_the_snapshot(snap):
    records = [
        _record(1, "falcosecurity/libs#381", "skipped"),
        _record(2, "falcosecurity/falco#1340", "assigned", "LucaGuerra", "Luca working on it"),
        _record(3, "falcosecurity/libs#381", "deferred", note="no time left"),
    ]
    text = minutes.to_markdown(snap, "abcdefabcdef", records, "http://localhost:8501/?snapshot=" + snap.id)
    assert text.startswith("### Meeting outcomes: Falco core maintainers, 2023-12-14\n\n"
                           "Meeting abcdefabcdef on the ranking as of 2023-12-14 (balanced): "
                           "2 of 16 items have an outcome.\n\n"
                           f"Snapshot: <http://localhost:8501/?snapshot={snap.id}>\n")
    assert ("#### Assigned\n\n- [falcosecurity/falco#1340](https://github.com/falcosecurity/falco/issues/1340): "
            "**assigned to @LucaGuerra** · Support partial overrides / merging for existing rule \\(e.g. "
            "\\`priority\\` field\\) to complement the append functionality · note: Luca working on it\n") in text
    assert "#### Deferred to the next meeting\n\n- [falcosecurity/libs#381]" in text
    assert "#### Skipped" not in text  # the later recording won
    assert text.count("no outcome recorded") == 14


def test_minutes_read_back_to_the_same_items_and_outcomes(snap):
    refs = [r["ref"] for r in snap.rows]
    names = list(OUTCOMES)
    records = [
        _record(n + 1, ref, names[n % 7], "LucaGuerra" if OUTCOMES[names[n % 7]].names_someone else None,
                # notes naming other items, in every form, must not add items to the minutes
                note=["see libs#1500", "https://github.com/falcosecurity/falco/pull/2000 `x`",
                      "#12 and falcosecurity/plugins#9", "[link](https://github.com/a/b/issues/3)", None][n % 5])
        for n, ref in enumerate(refs[:12])
    ]
    text = minutes.to_markdown(snap, "abcdefabcdef", records)
    back = minutes.read_outcomes(text)
    won = latest(records)
    assert [(m.key.ref, m.outcome, m.who) for m in back if m.outcome] == [
        (r.ref.ref, r.outcome, r.who) for name in OUTCOMES for r in sorted(won.values(), key=lambda r: r.seq)
        if r.outcome == name]
    assert {m.key.ref for m in back} == set(refs)
    assert {m.key.ref for m in back if m.outcome is None} == set(refs[12:])


def test_json_minutes_list_every_recording(snap):
    records = [_record(1, "falcosecurity/libs#381", "skipped"),
               _record(2, "falcosecurity/libs#381", "deferred", note="later")]
    listed = json.loads(minutes.render(snap, "abcdefabcdef", records, "json"))
    assert [(r["seq"], r["outcome"], r["note"]) for r in listed] == [(1, "skipped", None), (2, "deferred", "later")]
    with pytest.raises(ValueError) as e:
        minutes.render(snap, "abcdefabcdef", records, "pdf")
    assert str(e.value) == "Unknown format 'pdf'; expected one of markdown, json"
