"""The facts file (triage.facts.format): every record round-trips through JSON, older formats are
still read, and a bad field is named."""

import json

import pytest

from triage.facts import Event, FactSet, ItemFacts, ItemKey, People, parse_when
from triage.facts.format import FactsFormatError, factset_from_dict, factset_to_dict, item_from_dict, item_to_dict


def test_item_round_trips_through_json_with_unknowns_kept_unknown(demo):
    for item in demo.facts.items:
        again = item_from_dict(json.loads(json.dumps(item_to_dict(item))))
        assert again == item
    unknown = next(i for i in demo.facts.items if i.ref == "falcosecurity/falco#2413")
    assert unknown.author is None and unknown.created_at is None  # the recording did not show them


def test_facts_file_errors_name_the_field():
    with pytest.raises(FactsFormatError, match="unsupported format 99"):
        factset_from_dict({"format": 99, "items": []})
    with pytest.raises(FactsFormatError, match="missing field 'number'"):
        factset_from_dict({"format": 1, "items": [{"repo": "a/b"}]})
    with pytest.raises(FactsFormatError, match=r"a/b#1: field 'created_at': Invalid date 'yesterday'"):
        item_from_dict({"repo": "a/b", "number": 1, "created_at": "yesterday"})
    with pytest.raises(FactsFormatError, match="unknown event kind 'poke'"):
        item_from_dict({"repo": "a/b", "number": 1, "events": [{"kind": "poke", "at": "2023-01-01"}]})


def test_factset_round_trip_keeps_people(demo):
    again = factset_from_dict(json.loads(json.dumps(factset_to_dict(demo.facts))))
    assert again == demo.facts
    assert "fededp" in again.people.maintainers and "poiana" in again.people.bots


def test_format_2_fields_round_trip_and_format_1_is_still_read():
    # the fact-model contract shared with the live GitHub work (issue 10)
    item = ItemFacts(
        ItemKey("a/b", 5), kind="pull",
        events=(Event("mia", parse_when("2023-01-02"), "labeled", detail="do-not-merge/hold"),
                Event("bob", parse_when("2023-01-03"), "cross_referenced", detail="a/c#9")),
        created_bounds=(parse_when("2022-12-01"), parse_when("2022-12-20")), label_history=True, private=False,
    )
    data = item_to_dict(item)
    assert data["created_bounds"] == ["2022-12-01T00:00:00Z", "2022-12-20T00:00:00Z"]
    assert data["events"][0]["detail"] == "do-not-merge/hold" and data["label_history"] is True
    assert item_from_dict(json.loads(json.dumps(data))) == item
    people = People.of(["leogr"], by_repo={"Falcosecurity/Plugins": ["MStemm"]})
    doc = factset_to_dict(FactSet((item,), "t", people))
    assert doc["format"] == 2 and doc["people"]["by_repo"] == {"falcosecurity/plugins": ["mstemm"]}
    assert factset_from_dict(json.loads(json.dumps(doc))).people.by_repo == {"falcosecurity/plugins": {"mstemm"}}
    old = factset_from_dict({"format": 1, "items": [{"repo": "a/b", "number": 1}], "people": {"maintainers": ["x"]}})
    assert old.items[0].created_bounds is None and old.items[0].label_history is False
    assert old.people.maintainers == {"x"} and old.people.by_repo == {}


def test_bad_format_2_fields_are_named():
    with pytest.raises(FactsFormatError, match=r"a/b#1: field 'created_bounds' is \['2023-02-01', '2023-01-01'\]"):
        item_from_dict({"repo": "a/b", "number": 1, "created_bounds": ["2023-02-01", "2023-01-01"]})
    with pytest.raises(FactsFormatError, match="people: by_repo must map owner/name to a list of logins"):
        factset_from_dict({"format": 2, "items": [], "people": {"by_repo": {"a/b": "leogr"}}})


def test_the_fields_read_live_for_issue_10_round_trip_through_json():
    at = parse_when("2023-12-01T10:00:00Z")
    item = ItemFacts(
        ItemKey("falcosecurity/libs", 1557),
        kind="issue",
        events=(Event("FedeDP", at, "labeled", detail="kind/feature"),
                Event("leogr", at, "assigned", detail="Andreagit97")),
        created_bounds=(parse_when("2023-10-01"), parse_when("2023-10-05")),
        label_history=True,
        private=False,
    )
    data = json.loads(json.dumps(item_to_dict(item)))
    assert data["created_bounds"] == ["2023-10-01T00:00:00Z", "2023-10-05T00:00:00Z"]
    assert item_from_dict(data) == item
    people = People(by_repo={"falcosecurity/plugins": frozenset({"mstemm", "leogr", "jasondellaluce"})})
    doc = factset_to_dict(FactSet((item,), "test", people))
    assert doc["format"] == 2
    assert doc["people"]["by_repo"] == {"falcosecurity/plugins": ["jasondellaluce", "leogr", "mstemm"]}
    assert factset_from_dict(json.loads(json.dumps(doc))).people.by_repo == people.by_repo
    older = {**doc, "format": 1, "people": {"maintainers": ["leogr"]}}  # a format 1 file still reads
    assert factset_from_dict(older).people.by_repo == {}
