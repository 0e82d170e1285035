"""Meeting over meeting, on the real Falco 2023-12-14 snapshot and a next meeting built from it.

The older snapshot is the demo as its maintainers saw it on 2023-12-14. The newer one is the same
agenda four weeks later, on 2024-01-11, as a fresh fetch would show it: two PRs merged in between,
two issues seen open, one skipped item gone from the agenda, and one new PR. Each side ranks on a
single criterion (age, then waiting on maintainers) so that the expected orders follow from the
recorded dates alone.
"""

import json
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
import pytest

from triage import compare
from triage.agenda import AgendaRef
from triage.compare import ComparisonOrderError, carried_over
from triage.criteria import CRITERIA
from triage.facts import Event, ItemFacts, ItemKey
from triage.meeting import Meeting, demo_meeting
from triage.snapshots import freeze

NEXT_MEETING = datetime(2024, 1, 11, 23, 59, 59, tzinfo=UTC)
FETCHED = datetime(2024, 1, 11, 9, 0, tzinfo=UTC)
NEW_PR = ItemKey("falcosecurity/libs", 1600)  # made up for the next meeting; every other fact is real


def only(name: str) -> dict[str, float]:
    return {n: (1.0 if n == name else 0.0) for n in CRITERIA}


def next_meeting(meeting: Meeting, *, drop=("falcosecurity/libs#1463",), moment=NEXT_MEETING) -> Meeting:
    """The demo agenda as a fetch on 2024-01-11 would show it."""
    changed = {
        "falcosecurity/plugins#378": dict(
            state="merged", merged=True, merged_at=datetime(2023, 12, 20, tzinfo=UTC)
        ),
        "falcosecurity/falco#2413": dict(
            state="merged", merged=True, merged_at=datetime(2024, 1, 9, tzinfo=UTC)
        ),
        "falcosecurity/falco#1340": dict(state="open"),
        "falcosecurity/libs#1376": dict(state="open"),
    }
    # Only the changed items count as re-read on the morning of the meeting; the others keep their
    # recording (whose closed states are undated, so unknown as of the meeting).
    items = [
        replace(i, **changed[i.ref], observed_at=FETCHED) if i.ref in changed else i
        for i in meeting.facts.items
        if i.ref not in drop
    ]
    opened = datetime(2023, 12, 28, tzinfo=UTC)
    items.append(
        ItemFacts(
            key=NEW_PR,
            kind="pull",
            title="new(userspace): a PR opened after the meeting",
            state="open",
            author="alice",
            author_association="CONTRIBUTOR",
            created_at=opened,
            observed_at=FETCHED,
            events=(Event("alice", opened, "description", "CONTRIBUTOR"),),
            timeline_complete=True,
        )
    )
    refs = [r for r in meeting.refs if r.ref not in drop]
    refs.append(AgendaRef(NEW_PR, "pull", (90,), ("Agenda",), "Schedule PR reviews", ("needs-review",)))
    facts = replace(meeting.facts, items=tuple(items))
    return Meeting(facts, moment, tuple(refs), dict(meeting.carried), "Falco core maintainers, 2024-01-11")


@pytest.fixture(scope="module")
def meeting():
    return demo_meeting()


@pytest.fixture(scope="module")
def pair(meeting, demo_config):
    base = demo_config.preset()
    older = freeze(meeting, replace(base, name="age only", weights=only("age")), demo_config.people)
    newer = freeze(
        next_meeting(meeting),
        replace(base, name="waiting only", weights=only("waiting_on_maintainers")),
        demo_config.people,
    )
    return older, newer


def refs(table) -> set[str]:
    return set(table["ref"])


def test_older_and_newer_rank_as_their_dates_say(pair):
    older, newer = pair
    assert [r["ref"] for r in older.rows[:10]] == [
        "falcosecurity/libs#381",
        "falcosecurity/libs#470",
        "falcosecurity/falco#1340",
        "falcosecurity/libs#1375",
        "falcosecurity/libs#1376",
        "falcosecurity/libs#1463",
        "falcosecurity/falco#2413",
        "falcosecurity/plugins#378",
        "falcosecurity/libs#1557",
        "falcosecurity/falco#2960",
    ]  # oldest first; 1375 and 1376 were opened the same day
    assert [r["ref"] for r in newer.rows[:5]] == [
        "falcosecurity/libs#381",
        "falcosecurity/falco#1340",
        "falcosecurity/libs#1557",
        "falcosecurity/falco#2960",
        "falcosecurity/libs#1600",
    ]  # longest wait on maintainers first; the rest score 0 and sort by reference
    assert newer.rows[-1]["ref"] == "falcosecurity/plugins#378"


def test_every_item_lands_in_exactly_one_bucket(pair):
    older, newer = pair
    c = compare.compare(older, newer)
    assert refs(c.resolved) == {"falcosecurity/plugins#378", "falcosecurity/falco#2413"}
    assert refs(c.new) == {"falcosecurity/libs#1600"}
    assert refs(c.still_waiting) == {
        "falcosecurity/libs#1557",
        "falcosecurity/falco#1340",
        "falcosecurity/libs#1376",
    }
    assert refs(c.dropped) == {"falcosecurity/libs#1463"}
    assert c.counts() == {"resolved": 2, "new": 1, "still_waiting": 3, "dropped": 1, "other": 10}
    everything = [ref for name in compare.BUCKETS for ref in getattr(c, name)["ref"]]
    assert len(everything) == len(set(everything)) == 17
    assert set(everything) == {r["ref"] for r in older.rows} | {r["ref"] for r in newer.rows}


def test_resolved_items_say_how_and_when(pair):
    c = compare.compare(*pair)
    got = {
        r["ref"]: (r["state"], r["resolved_on"], r["older_rank"], r["rank"], r["on_agenda"])
        for r in c.resolved.to_dict("records")
    }
    assert got == {
        "falcosecurity/plugins#378": ("merged", "2023-12-20", 8, 16, True),
        "falcosecurity/falco#2413": ("merged", "2024-01-09", 7, 7, True),
    }


def test_still_waiting_shows_how_long_it_has_waited_now(pair):
    c = compare.compare(*pair)
    got = {
        r["ref"]: (r["older_rank"], r["rank"], r["moved"], r["waiting_on"], r["waiting_days"])
        for r in c.still_waiting.to_dict("records")
    }
    assert got == {
        "falcosecurity/falco#1340": (3, 2, 1, "maintainers", 156),  # since 2023-08-08
        "falcosecurity/libs#1557": (9, 3, 6, "maintainers", 36),  # since 2023-12-06
        "falcosecurity/libs#1376": (5, 11, -6, "author", 97),  # maintainers replied 2023-10-06
    }


def test_rank_movement_of_every_item_in_both(pair):
    c = compare.compare(*pair)
    moved = dict(zip(c.movement["ref"], c.movement["moved"], strict=True))
    assert moved == {
        "falcosecurity/libs#381": 0,
        "falcosecurity/falco#1340": 1,
        "falcosecurity/libs#1557": 6,
        "falcosecurity/falco#2960": 6,
        "falcosecurity/evolution#345": 5,
        "falcosecurity/falco#2413": 0,
        "falcosecurity/falco#2655": 4,
        "falcosecurity/libs#470": -7,
        "falcosecurity/libs#1375": -6,
        "falcosecurity/libs#1376": -6,
        "falcosecurity/libs#1393": 1,
        "falcosecurity/libs#1452": 1,
        "falcosecurity/libs#1561": 1,
        "falcosecurity/libs#1575": 1,
        "falcosecurity/plugins#378": -8,
    }
    assert list(c.movement["rank"]) == sorted(c.movement["rank"])
    new = c.new.to_dict("records")[0]
    assert (new["rank"], new["state"], new["waiting_on"], new["waiting_days"]) == (
        5,
        "open",
        "maintainers",
        14,
    )


def test_an_item_gone_from_the_agenda_because_it_closed_is_resolved(meeting, demo_config):
    closed = datetime(2023, 12, 20, tzinfo=UTC)
    # Facts read after the older meeting can know it closed after that meeting, on 2023-12-20.
    known = replace(
        meeting,
        facts=replace(
            meeting.facts,
            items=tuple(
                replace(i, state="closed", closed_at=closed) if i.ref == "falcosecurity/falco#2960" else i
                for i in meeting.facts.items
            ),
        ),
    )
    older = freeze(known, demo_config.preset(), demo_config.people)
    newer = freeze(
        next_meeting(meeting, drop=("falcosecurity/falco#2960",)), demo_config.preset(), demo_config.people
    )
    c = compare.compare(older, newer)
    row = c.resolved.set_index("ref").loc["falcosecurity/falco#2960"]
    assert (row["state"], row["resolved_on"], row["on_agenda"]) == ("closed", "2023-12-20", False)
    assert row["rank"] is pd.NA and "falcosecurity/falco#2960" not in refs(c.dropped)


def test_the_same_snapshot_twice_changes_nothing(pair):
    older, _ = pair
    c = compare.compare(older, older)
    assert c.counts()["resolved"] == c.counts()["new"] == c.counts()["dropped"] == 0
    assert set(c.movement["moved"]) == {0}


def test_older_must_come_first(pair):
    older, newer = pair
    with pytest.raises(ComparisonOrderError, match=r"is later than .* give the older snapshot first"):
        compare.compare(newer, older)


def test_carried_over_counts_consecutive_meetings_up_to_the_newest(meeting, demo_config, pair):
    older, newer = pair
    between = next_meeting(
        meeting, drop=("falcosecurity/libs#1376",), moment=datetime(2023, 12, 28, tzinfo=UTC)
    )
    middle = freeze(
        replace(
            between,
            facts=replace(between.facts, items=tuple(i for i in between.facts.items if i.key != NEW_PR)),
            refs=tuple(r for r in between.refs if r.key != NEW_PR),
        ),
        demo_config.preset(),
        demo_config.people,
    )
    table = carried_over([newer, older, middle])  # any order: they are put in as_of order
    counts = dict(zip(table["ref"], table["meetings"], strict=True))
    assert counts["falcosecurity/libs#1557"] == 3 and counts["falcosecurity/falco#1340"] == 3
    assert counts["falcosecurity/libs#1376"] == 1  # missing from the meeting in between
    assert counts["falcosecurity/libs#1600"] == 1  # new this time
    assert len(counts) == 16 and set(counts.values()) == {1, 3}
    since = dict(zip(table["ref"], table["since"], strict=True))
    assert since["falcosecurity/libs#1557"] == older.as_of and since["falcosecurity/libs#1376"] == newer.as_of
    assert carried_over([]).empty


def test_markdown_and_json_for_the_minutes(pair):
    older, newer = pair
    c = compare.compare(older, newer)
    md = compare.render(c, "markdown")
    assert md.startswith("### Since 2023-12-14: Falco core maintainers, 2024-01-11 as of 2024-01-11\n")
    assert "**Resolved since (2)**" in md and "**Dropped from the agenda (1)**" in md
    assert (
        "- [falcosecurity/plugins#378](https://github.com/falcosecurity/plugins/pull/378) Add `k8smeta` "
        "plugin to the plugin repo: merged on 2023-12-20 (was #8)"
    ) in md
    assert (
        "- [falcosecurity/libs#1557](https://github.com/falcosecurity/libs/issues/1557) Introduce "
        "conditional kernel-side event filtering: #3 (up 6 from 9), waiting on maintainers 36 d"
    ) in md
    assert "new(userspace): a PR opened after the meeting: new at #5" in md
    data = json.loads(compare.render(c, "json"))
    assert data["counts"] == c.counts()
    assert data["older"]["id"] == older.id and data["newer"]["as_of"] == "2024-01-11T23:59:59+00:00"
    assert {r["ref"] for r in data["still_waiting"]} == refs(c.still_waiting)
    assert data["resolved"][0]["rank"] in (7, 16)
    with pytest.raises(ValueError, match="Unknown format 'csv'"):
        compare.render(c, "csv")


def test_two_snapshots_of_one_day_are_one_meeting(meeting, demo_config, pair):
    # issue 11: "meetings" counted two snapshots of one day (saved before and after a slider move) as two
    older, newer = pair
    again = freeze(meeting, demo_config.preset("waiting first"), demo_config.people)  # same day as `older`
    assert again.as_of.date() == older.as_of.date() and again.id != older.id
    counts = dict(zip(*[carried_over([older, again, newer])[c] for c in ("ref", "meetings")], strict=True))
    assert counts["falcosecurity/libs#1557"] == 2


def test_weights_warning_names_each_criterion_weighed_differently(meeting, demo_config, pair):
    older, newer = pair
    assert compare.weights_warning(compare.compare(older, older)) is None
    c = compare.compare(older, newer)
    assert c.weight_changes == ("waiting_on_maintainers weighed 0 then and 1 now", "age weighed 1 then and 0 now")
