"""The fact model: references, dates, people rules and item addresses."""

from datetime import UTC, datetime

import pytest

from triage.facts import Event, ItemFacts, ItemKey, People, parse_when


def test_item_key_parses_and_prints_owner_repo_number():
    key = ItemKey.parse("falcosecurity/libs#1557")
    assert (key.repo, key.number, key.owner, key.ref) == ("falcosecurity/libs", 1557, "falcosecurity",
                                                           "falcosecurity/libs#1557")


@pytest.mark.parametrize("bad", ["libs#1557", "falcosecurity/libs", "falcosecurity/libs#x", "a/b#1 c"])
def test_item_key_rejects_malformed_refs_quoting_them(bad):
    with pytest.raises(ValueError, match="expected owner/repo#number") as e:
        ItemKey.parse(bad)
    assert repr(bad) in str(e.value)


def test_bare_date_means_start_of_day_or_last_second():
    assert parse_when("2023-12-14") == datetime(2023, 12, 14, tzinfo=UTC)
    assert parse_when("2023-12-14", end_of_day=True) == datetime(2023, 12, 14, 23, 59, 59, tzinfo=UTC)
    assert parse_when("2023-12-14T10:00:00Z") == datetime(2023, 12, 14, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="Invalid date '14/12/2023'"):
        parse_when("14/12/2023")


def test_people_rules_for_maintainers_and_bots():
    people = People.of(maintainers=["LeoGr"], bots=["poiana"])
    assert people.is_maintainer("leogr")  # logins compare case-insensitively
    assert people.is_maintainer("someone", "MEMBER")
    assert not people.is_maintainer("someone", "CONTRIBUTOR")
    assert not people.is_maintainer(None, "OWNER")  # ghost accounts
    assert people.is_bot("poiana") and people.is_bot("dependabot[bot]") and people.is_bot("x", "Bot")
    assert not people.is_bot("Molter73", "User")


def test_html_url_is_built_from_the_key_when_missing():
    item = ItemFacts(ItemKey("a/b", 3), kind="pull", events=(Event("x", parse_when("2023-01-01"), "comment"),))
    assert item.html_url == "https://github.com/a/b/pull/3"
    assert ItemFacts(ItemKey("a/b", 4)).html_url == "https://github.com/a/b/issues/4"


def test_a_repositorys_own_maintainers_replace_the_general_list_there():
    people = People.of(["leogr", "andreagit97"], by_repo={"falcosecurity/plugins": ["leogr", "mstemm"]})
    plugins = people.for_repo("falcosecurity/plugins")
    assert plugins.is_maintainer("mstemm") and not plugins.is_maintainer("Andreagit97")
    assert not plugins.is_maintainer("someone", "MEMBER")  # the repository's file decides, not the org
    assert people.for_repo("falcosecurity/libs") is people and people.is_maintainer("andreagit97")
    merged = people.merged_with(People.of(by_repo={"falcosecurity/plugins": ["jasondellaluce"]}))
    assert merged.by_repo["falcosecurity/plugins"] == {"leogr", "mstemm", "jasondellaluce"}
