"""The embedded demo: the real Falco 2023-12-14 facts, converted, shipped and partial."""

import json
from pathlib import Path

from triage.demo import DEMO_AS_OF, from_recorded
from triage.facts import factset_to_dict

RECORDING = Path(__file__).parent / "data" / "falco-2023-12-14"


def test_shipped_demo_is_the_conversion_of_the_recording(demo):
    converted = from_recorded(
        json.loads((RECORDING / "items.json").read_text()),
        json.loads((RECORDING / "maintainers.json").read_text()),
        collected="2026-11-23",
    )
    assert factset_to_dict(converted) == factset_to_dict(demo.facts)


def test_demo_holds_the_sixteen_items_of_the_agenda(demo):
    refs = {i.ref for i in demo.facts.items}
    assert len(refs) == 16
    assert {"falcosecurity/libs#1557", "falcosecurity/evolution#345", "falcosecurity/plugins#378"} <= refs
    assert DEMO_AS_OF.isoformat() == "2023-12-14T23:59:59+00:00"


def test_items_the_recording_did_not_find_are_unknown_not_invented(demo):
    unknown = {i.ref for i in demo.facts.items if i.status == "unknown"}
    assert unknown == {"falcosecurity/falco#2655", "falcosecurity/libs#1393", "falcosecurity/libs#1575",
                       "falcosecurity/libs#1561", "falcosecurity/evolution#345"}
    for item in demo.facts.items:
        if item.status == "unknown":
            assert item.title is None and item.state is None and item.events == ()


def test_recorded_facts_are_kept_exactly(demo):
    by_ref = {i.ref: i for i in demo.facts.items}
    libs470 = by_ref["falcosecurity/libs#470"]
    assert libs470.state == "closed" and libs470.merged is False
    assert [(e.actor, e.at.date().isoformat(), e.kind) for e in libs470.events][-1] == (
        "leogr", "2022-12-20", "review")
    assert by_ref["falcosecurity/falco#2413"].state == "merged"
    assert by_ref["falcosecurity/libs#1376"].merged is None  # an issue cannot merge
    assert by_ref["falcosecurity/libs#1557"].labels == ("kind/feature",)
    # facts GitHub has but the recording did not show stay unknown
    assert all(i.ci_status is None and i.mergeable is None and i.reactions is None for i in demo.facts.items)


def test_demo_ships_its_minutes_and_earlier_meetings(demo):
    assert demo.minutes.startswith("# 2023-12-14 Falco Core Maintainers")
    assert next(iter(demo.earlier)) == "2023-06-08-Falco-Core-Maintainers"
    assert len(demo.earlier) == 6
