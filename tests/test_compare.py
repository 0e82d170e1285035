"""Meeting over meeting, on the real Falco 2023-12-14 snapshot and a next meeting built from it.

The older snapshot is the demo as its maintainers saw it on 2023-12-14. The newer one is the same
agenda four weeks later, on 2024-01-11: by the recorded merge and close dates, four items landed or
closed in between and one closed on 2023-12-22; one skipped item is gone from the agenda, and one
new PR (made up) joins it. Each side ranks on a single criterion (age, then waiting on maintainers)
so that the expected orders follow from the recorded dates alone.
"""

import json
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
import pytest

from triage.agenda import AgendaRef
from triage.facts import Event, ItemFacts, ItemKey
from triage.meeting import Meeting, demo_meeting
from triage.ranking.criteria import CRITERIA
from triage.snapshots import compare, freeze
from triage.snapshots.compare import ComparisonOrderError, carried_over

NEXT_MEETING = datetime(2024, 1, 11, 23, 59, 59, tzinfo=UTC)
FETCHED = datetime(2024, 1, 11, 9, 0, tzinfo=UTC)
NEW_PR = ItemKey("falcosecurity/libs", 1600)  # made up for the next meeting; every other fact is real


def only(name: str) -> dict[str, float]:
    return {n: (1.0 if n == name else 0.0) for n in CRITERIA}


def next_meeting(meeting: Meeting, *, drop=("falcosecurity/libs#1463",), moment=NEXT_MEETING) -> Meeting:
    """The demo agenda as a fetch on 2024-01-11 would show it."""
    items = [i for i in meeting.facts.items if i.ref not in drop]
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
    return Meeting(facts, moment, tuple(refs), dict(meeting.history), "Falco core maintainers, 2024-01-11")


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
    assert [r["ref"] for r in older.rows[:6]] == [
        "falcosecurity/libs#381",  # opened 2022-06-08
        "falcosecurity/libs#470",  # 2022-07-11
        "falcosecurity/falco#1340",  # between 2020-07-02 and 2023-06-08: counted from 2023-06-08
        "falcosecurity/falco#2655",  # between 2023-06-22 and 2023-07-05: counted from 2023-07-05
        "falcosecurity/libs#1375",
        "falcosecurity/libs#1376",
    ]  # oldest first; 1375 and 1376 were opened the same day
    assert [r["ref"] for r in newer.rows[:2]] == [
        "falcosecurity/libs#1452",  # on hold since 2023-10-27
        "falcosecurity/libs#1557",  # since 2023-12-06
    ]  # longest wait on maintainers first; then the needs-facts items, at the typical wait of the open items
    typical = {r["ref"] for r in newer.rows[2:9]}
    assert {round(r["score"], 6) for r in newer.rows[2:9]} == {0.526872}
    assert typical == {"falcosecurity/falco#2655", "falcosecurity/falco#2960", "falcosecurity/libs#381",
                       "falcosecurity/libs#470", "falcosecurity/libs#1375", "falcosecurity/libs#1376",
                       "falcosecurity/libs#1393"}
    assert newer.rows[9]["ref"] == "falcosecurity/libs#1600"  # since 2023-12-28


def test_every_item_lands_in_exactly_one_bucket(pair):
    older, newer = pair
    c = compare.compare(older, newer)
    # landed or closed between the meetings, per git and the closing PRs
    assert refs(c.resolved) == {"falcosecurity/plugins#378", "falcosecurity/libs#1575", "falcosecurity/libs#1561",
                                "falcosecurity/evolution#345", "falcosecurity/falco#1340"}
    assert refs(c.new) == {"falcosecurity/libs#1600"}
    # on both agendas and not known to be resolved: open, or closed since on a date nobody recorded
    assert refs(c.still_waiting) == {
        "falcosecurity/libs#1452", "falcosecurity/libs#1557", "falcosecurity/falco#2655", "falcosecurity/libs#1393",
        "falcosecurity/falco#2960", "falcosecurity/libs#381", "falcosecurity/libs#470", "falcosecurity/libs#1375",
        "falcosecurity/libs#1376",
    }
    assert refs(c.dropped) == {"falcosecurity/libs#1463"}
    assert refs(c.other) == {"falcosecurity/falco#2413"}  # merged before the older meeting
    assert c.counts() == {"resolved": 5, "new": 1, "still_waiting": 9, "dropped": 1, "other": 1}
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
        "falcosecurity/plugins#378": ("merged", "2023-12-18", 11, 16, True),
        "falcosecurity/libs#1575": ("merged", "2023-12-16", 15, 15, True),
        "falcosecurity/libs#1561": ("merged", "2023-12-18", 14, 14, True),
        "falcosecurity/evolution#345": ("closed", "2023-12-19", 7, 11, True),
        "falcosecurity/falco#1340": ("closed", "2023-12-22", 3, 12, True),
    }


def test_still_waiting_shows_how_long_it_has_waited_now(pair):
    c = compare.compare(*pair)
    got = {
        r["ref"]: (r["older_rank"], r["rank"], r["state"],
                   r["waiting_on"] if isinstance(r["waiting_on"], str) else None, r["waiting_days"],
                   r["earlier_agendas"])
        for r in c.still_waiting.to_dict("records")
    }
    assert got["falcosecurity/libs#1452"] == (9, 1, "open", "maintainers", 76, 0)  # on hold since 2023-10-27
    assert got["falcosecurity/libs#1557"] == (12, 2, "open", "maintainers", 36, 0)  # since 2023-12-06
    assert got["falcosecurity/falco#2655"] == (4, 3, "open", None, None, 1)  # whose turn: unknown; on 2023-11-02's
    assert got["falcosecurity/libs#470"] == (2, 6, "unknown", "author", 387, 1)  # closed since, date unknown


def test_rank_movement_of_every_item_in_both(pair):
    c = compare.compare(*pair)
    moved = dict(zip(c.movement["ref"], c.movement["moved"], strict=True))
    assert moved == {
        "falcosecurity/libs#1452": 8,
        "falcosecurity/libs#1557": 10,
        "falcosecurity/falco#2655": 1,
        "falcosecurity/falco#2960": 9,
        "falcosecurity/libs#381": -4,
        "falcosecurity/libs#470": -4,
        "falcosecurity/libs#1375": -2,
        "falcosecurity/libs#1376": -2,
        "falcosecurity/libs#1393": -1,
        "falcosecurity/evolution#345": -4,
        "falcosecurity/falco#1340": -9,
        "falcosecurity/falco#2413": 3,
        "falcosecurity/libs#1561": 0,
        "falcosecurity/libs#1575": 0,
        "falcosecurity/plugins#378": -5,
    }
    assert list(c.movement["rank"]) == sorted(c.movement["rank"])
    new = c.new.to_dict("records")[0]
    assert (new["rank"], new["state"], new["waiting_on"], new["waiting_days"]) == (
        10,
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
    assert "**Resolved since (5)**" in md and "**Dropped from the agenda (1)**" in md
    assert (
        "- [falcosecurity/plugins#378](https://github.com/falcosecurity/plugins/pull/378) Add `k8smeta` "
        "plugin to the plugin repo: merged on 2023-12-18 (was #11)"
    ) in md
    assert (
        "- [falcosecurity/libs#1557](https://github.com/falcosecurity/libs/issues/1557) Introduce "
        "conditional kernel-side event filtering: #2 (up 10 from 12), waiting on maintainers 36 d"
    ) in md
    assert ("Introduce a coding style for `libs` repo: #6 (down 4 from 2), waiting on author 387 d, on 1 earlier "
            "agenda, open or not unknown (closed since, date unknown)") in md
    assert "new(userspace): a PR opened after the meeting: new at #10" in md
    data = json.loads(compare.render(c, "json"))
    assert data["counts"] == c.counts()
    assert data["older"]["id"] == older.id and data["newer"]["as_of"] == "2024-01-11T23:59:59+00:00"
    assert {r["ref"] for r in data["still_waiting"]} == refs(c.still_waiting)
    assert {r["rank"] for r in data["resolved"]} == {11, 12, 14, 15, 16}
    with pytest.raises(ValueError, match="Unknown format 'csv'"):
        compare.render(c, "csv")


def test_the_two_real_meetings_compare_as_their_recorded_dates_say(demo_config):
    # issue 15: the demo snapshots of 2023-12-14 and 2024-02-01, as the app saves them on a first start
    from triage.snapshots.demo import demo_snapshots

    older, newer = demo_snapshots(demo_config)
    assert (older.as_of.date().isoformat(), newer.as_of.date().isoformat()) == ("2023-12-14", "2024-02-01")
    c = compare.compare(older, newer)
    # landed or closed in between: git merge times, and the "Fixes #N" PRs that closed the issues
    assert {r["ref"]: r["resolved_on"] for r in c.resolved.to_dict("records")} == {
        "falcosecurity/falco#1340": "2023-12-22", "falcosecurity/libs#1575": "2023-12-16",
        "falcosecurity/libs#1561": "2023-12-18", "falcosecurity/plugins#378": "2023-12-18",
        "falcosecurity/evolution#345": "2023-12-19"}
    assert set(c.resolved["on_agenda"]) == {False}  # none of them is on the second agenda
    assert refs(c.still_waiting) == {"falcosecurity/libs#1463", "falcosecurity/falco#2655"}  # on both agendas
    assert refs(c.new) == {r["ref"] for r in newer.rows} - {r["ref"] for r in older.rows} and len(c.new) == 14
    # the carry-over counts come from the earlier minutes
    assert dict(zip(c.still_waiting["ref"], c.still_waiting["earlier_agendas"], strict=True)) == {
        "falcosecurity/libs#1463": 1, "falcosecurity/falco#2655": 2}
    # falco#2413 merged before the first meeting: it left the agenda resolved, not "resolved since"
    assert refs(c.dropped) == {"falcosecurity/libs#1376", "falcosecurity/libs#1557", "falcosecurity/falco#2960",
                               "falcosecurity/libs#1375", "falcosecurity/falco#2413", "falcosecurity/libs#1452",
                               "falcosecurity/libs#1393", "falcosecurity/libs#381", "falcosecurity/libs#470"}


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
