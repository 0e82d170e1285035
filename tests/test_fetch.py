"""Fetching agenda items: the real PyGithub client over HTTP against the fake GitHub."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FAKE_TOKEN, LIBS_470
from tests.fakegithub import FakeGitHub, faults, generate_org
from tests.fakegithub.store import UNSERVED
from triage.facts import Event, ItemFacts, ItemKey, People, item_from_dict, item_to_dict
from triage.fetch import SEARCH_QUERY_LIMIT, _probe_groups, _probe_query, fetch_file_text, fetch_items
from triage.file_links import parse_file_url
from triage.github_config import FetchResult, GitHubConfig
from triage.github_errors import NotFoundError, UnsupportedURLError
from triage.graphql_queries import (
    CHUNK_SIZE,
    GITHUB_NODE_LIMIT,
    borrow_associations,
    build_items_query,
    query_cost,
    query_pages_and_nodes,
)
from triage.http_cache import ItemCache

DEMO_MISSING = {"falcosecurity/evolution#345"}  # the one thread the recording never saw


def comparable(item: ItemFacts) -> ItemFacts:
    """Facts without the fields that say when and how they were read."""
    return dataclasses.replace(item, observed_at=None, note=None)


def graphql_aliases(fake: FakeGitHub) -> list[list[str]]:
    """The item aliases each GraphQL request asked for."""
    return [sorted(re.findall(r"\b([id]\d+):", r.json["query"])) for r in fake.requests("^/graphql$")]


def test_the_demo_agenda_round_trips_through_github(fake_github, github_config, demo, demo_keys):
    result = fetch_items(demo_keys, github_config)
    assert [i.key for i in result.items] == demo_keys
    assert result.errors == () and result.ok
    for fetched, recorded in zip(result.items, demo.facts.items, strict=True):
        if recorded.status != "ok":
            assert (fetched.status, fetched.status_detail) == ("not_found", "not found or private")
            assert fetched.ref in DEMO_MISSING
            continue
        # Everything GitHub serves is read back exactly ...
        assert comparable(fetched) == comparable(fake_github.truth(fetched.key))
        # ... and agrees with what the recording knew.
        for field in ("kind", "url", "title", "state", "merged", "author", "labels", "created_at"):
            known = getattr(recorded, field)
            if known is not None:
                assert getattr(fetched, field) == (
                    tuple(sorted(known, key=str.lower)) if field == "labels" else known
                )
        seen = {(e.actor, e.at, e.kind) for e in fetched.events}
        assert {(e.actor, e.at, e.kind) for e in recorded.events if e.kind not in UNSERVED} <= seen
        assert fetched.observed_at is not None and fetched.timeline_complete


def test_the_demo_agenda_costs_one_request_without_a_cache(fake_github, github_config, demo_keys):
    result = fetch_items(demo_keys, github_config)
    assert result.requests == len(fake_github.log) == 1
    assert fake_github.quota_spent() == {"core": 0, "search": 0, "graphql": query_cost([None] * 16)}
    assert result.rate is not None and result.rate.resource == "graphql"
    assert result.rate.remaining == fake_github.remaining("graphql")


def test_cold_takes_two_requests_and_warm_spends_no_quota(fake_github, github_config, demo_keys, item_cache):
    cold = fetch_items(demo_keys, github_config, cache=item_cache)
    assert [r.path for r in fake_github.log] == ["/graphql", "/search/issues"]  # the 4 repos share a probe
    assert cold.requests == 2
    fake_github.reset()
    warm = fetch_items(demo_keys, github_config, cache=item_cache)
    assert fake_github.quota_spent() == {"core": 0, "search": 0, "graphql": 0}
    assert [(r.path, r.status) for r in fake_github.log] == [("/search/issues", 304)]
    assert [comparable(i) for i in warm.items] == [comparable(i) for i in cold.items]
    assert warm.from_cache == 16


def test_a_new_process_reuses_the_cache_file(fake_github, github_config, demo_keys, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_HOME", str(tmp_path / "home"))
    fetch_items(demo_keys, github_config, cache=ItemCache())
    fake_github.reset()
    fetch_items(demo_keys, github_config, cache=ItemCache())  # a fresh object: only the file is shared
    assert fake_github.quota_spent() == {"core": 0, "search": 0, "graphql": 0}
    assert (tmp_path / "home" / "github-cache.sqlite3").exists()


def test_only_items_that_changed_are_fetched_again(fake_github, github_config, demo_keys, item_cache):
    fetch_items(demo_keys, github_config, cache=item_cache)
    changed = ItemKey("falcosecurity/libs", 1557)
    truth = fake_github.add_comment(changed, "leogr")
    fake_github.clear_log()
    result = fetch_items(demo_keys, github_config, cache=item_cache)
    assert [r.path for r in fake_github.log] == ["/search/issues", "/graphql"]
    assert graphql_aliases(fake_github) == [["i1557"]]
    fetched = result.items[demo_keys.index(changed)]
    assert comparable(fetched) == comparable(truth)
    assert fetched.events[-1].actor == "leogr" and fetched.comments_count == 2  # stevenbrz's and leogr's
    fake_github.clear_log()
    fetch_items(demo_keys, github_config, cache=item_cache)
    assert [(r.path, r.status) for r in fake_github.log] == [("/search/issues", 304)]


def test_a_probe_that_cannot_list_every_change_refetches_its_group(
    fake_github, github_config, demo_keys, item_cache
):
    fetch_items(demo_keys, github_config, cache=item_cache)
    fake_github.clear_log()
    # A busy org: more changes since the baseline than one page of search results holds.
    fake_github.inject(
        faults.Fault(
            200, {"total_count": 500, "incomplete_results": False, "items": []}, path="^/search/issues$"
        )
    )
    result = fetch_items(demo_keys, github_config, cache=item_cache)
    assert [r.path for r in fake_github.log] == ["/search/issues", "/graphql", "/search/issues"]
    assert result.ok and result.from_cache == 0
    fake_github.clear_log()
    fetch_items(demo_keys, github_config, cache=item_cache)  # the new baseline is complete again
    assert [(r.path, r.status) for r in fake_github.log] == [("/search/issues", 304)]


def test_fresh_facts_are_served_without_asking(fake_github, github_config, demo_keys, item_cache):
    fetch_items(demo_keys, github_config, cache=item_cache)
    fake_github.clear_log()
    fresh = dataclasses.replace(github_config, fresh_for=timedelta(minutes=5))
    result = fetch_items(demo_keys, fresh, cache=item_cache)
    assert fake_github.log == [] and result.requests == 0 and result.rate is None


def test_facts_older_than_max_age_are_fetched_again(fake_github, github_config, demo_keys, item_cache):
    fetch_items(demo_keys, github_config, cache=item_cache)
    fake_github.clear_log()
    fetch_items(demo_keys, dataclasses.replace(github_config, max_age=timedelta(0)), cache=item_cache)
    assert [r.path for r in fake_github.log] == ["/graphql"]  # the probe still vouches for its baseline


def test_the_cache_holds_facts_but_never_the_token(fake_github, github_config, demo_keys, item_cache):
    fetch_items(demo_keys, github_config, cache=item_cache)
    raw = item_cache.path.read_bytes()
    assert FAKE_TOKEN.encode() not in raw and b"Authorization" not in raw
    cached = item_cache.get_items(github_config.scope, [LIBS_470])[LIBS_470]
    assert comparable(cached.facts) == comparable(fake_github.truth(LIBS_470))
    assert item_from_dict(json.loads(json.dumps(item_to_dict(cached.facts)))) == cached.facts


def test_a_thousand_items_take_at_most_one_request_per_25(fake_github, github_config, item_cache):
    items = generate_org("bigorg", repos=12, total=1000, seed=11)
    fake_github.add_items(items)
    result = fetch_items([i.key for i in items], github_config, cache=item_cache)
    assert len(fake_github.log) <= 40
    assert len(fake_github.requests("^/graphql$")) == -(-1000 // CHUNK_SIZE)
    assert all(i.status == "ok" for i in result.items)
    complete = [i for i in result.items if i.timeline_complete]
    assert len(complete) > 900
    for fetched in complete:
        assert comparable(fetched) == comparable(fake_github.truth(fetched.key))
    fake_github.reset()
    fetch_items([i.key for i in items], github_config, cache=item_cache)
    assert sum(fake_github.quota_spent().values()) == 0


def test_a_long_timeline_is_marked_incomplete_and_keeps_its_latest_events(fake_github, github_config):
    key = ItemKey("falcosecurity/libs", 1557)
    start = fake_github.truth(key).created_at
    for n in range(120):
        fake_github.add_comment(key, f"user{n}", association="NONE", at=start + timedelta(hours=n))
    (item,) = fetch_items([key], github_config).items
    assert not item.timeline_complete and "incomplete" in (item.note or "")
    assert item.comments_count == 121  # and stevenbrz's of 2024-04-10, the latest
    assert [e.actor for e in item.events][-3:] == ["user118", "user119", "stevenbrz"]
    assert item.events[0].kind == "description"  # the opening post is always known


def test_events_carry_association_and_account_type_for_people_rules(fake_github, github_config):
    items = generate_org("peopleorg", repos=2, total=80, seed=2)
    fake_github.add_items(items)
    result = fetch_items([i.key for i in items], github_config)
    people = People.of(bots=["ci-robot"])
    events = [e for i in result.items for e in i.events]
    assert any(people.is_bot(e.actor, e.actor_type) for e in events)
    assert any(e.actor_type == "Bot" and e.actor.endswith("[bot]") for e in events)  # GraphQL drops [bot]
    assert any(people.is_maintainer(e.actor, e.association) for e in events if e.kind == "merged")
    for e in events:
        if e.kind in ("description", "comment", "review", "review_thread") and e.actor:
            assert e.association is not None and e.actor_type is not None


def test_discussions_are_read_when_the_agenda_says_so(fake_github, github_config):
    base = generate_org("talk", repos=1, total=1, seed=9, issue_share=1)[0]
    key = ItemKey("talk/core", 7)
    discussion = dataclasses.replace(
        base,
        key=key,
        kind="discussion",
        url="https://github.com/talk/core/discussions/7",
        draft=None,
        merged=None,
        state="open",
        state_reason=None,
        closed_at=None,
        milestone=None,
        milestone_due=None,
        events=tuple(e for e in base.events if e.kind in ("description", "comment")),
    )
    discussion = dataclasses.replace(
        discussion,
        comments_count=sum(e.kind == "comment" for e in discussion.events),
        updated_at=max(e.at for e in discussion.events),
    )
    fake_github.add_items([discussion])
    result = fetch_items([key], github_config, kinds={key: "discussion"})
    assert comparable(result.items[0]) == comparable(discussion)
    assert "discussion(number: 7)" in fake_github.log[0].json["query"]
    (guessed,) = fetch_items([key], github_config).items  # without the hint it looks for an issue or PR
    assert guessed.status == "not_found"


def test_an_item_of_a_moved_repository_keeps_its_facts_and_says_where_it_went(fake_github, github_config):
    fake_github.rename_repo("falcosecurity/plugins", "falcosecurity/plugins-ng")
    key = ItemKey("falcosecurity/plugins", 378)
    (item,) = fetch_items([key], github_config).items
    assert (item.key, item.status, item.status_detail) == (key, "moved", "moved to falcosecurity/plugins-ng")
    assert item.title == fake_github.truth(ItemKey("falcosecurity/plugins-ng", 378)).title
    assert item.url == "https://github.com/falcosecurity/plugins-ng/pull/378"
    assert len(fake_github.log) == 1  # GraphQL follows renames: no REST call needed


def test_a_moved_repository_is_told_apart_through_rest_where_graphql_does_not_follow(github_config, demo):
    with FakeGitHub.demo(follow_renames=False) as fake:
        fake.rename_repo("falcosecurity/plugins", "falcosecurity/plugins-ng")
        config = dataclasses.replace(github_config, api_url=fake.url)
        moved, gone = ItemKey("falcosecurity/plugins", 378), ItemKey("falcosecurity/nope", 1)
        result = fetch_items([moved, gone, LIBS_470], config)
    assert [(i.status, i.status_detail) for i in result.items] == [
        ("moved", "moved to falcosecurity/plugins-ng"),
        ("not_found", "repository falcosecurity/nope not found or private"),
        ("ok", None),
    ]
    assert [r.path for r in fake.log] == [
        "/graphql",
        "/repos/falcosecurity/nope",
        "/repos/falcosecurity/plugins",
        f"/repositories/{fake.store.repos['falcosecurity/plugins-ng'].id}",
    ]


def test_progress_is_reported_as_items_complete(fake_github, github_config, demo_keys):
    calls = []
    fetch_items(
        demo_keys,
        dataclasses.replace(github_config, chunk_size=5),
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[0] == (0, 16) and calls[-1] == (16, 16)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(fake_github.requests("^/graphql$")) == 4


def test_duplicate_and_invalid_keys(fake_github, github_config):
    bad = ItemKey("not a repo", 3)
    result = fetch_items([LIBS_470, bad, LIBS_470], github_config)
    assert [i.key for i in result.items] == [LIBS_470, bad, LIBS_470]
    assert result.items[0] == result.items[2] and result.items[0].status == "ok"
    assert (result.items[1].status, result.items[1].status_detail) == (
        "error",
        "not a valid owner/repo#number",
    )
    assert graphql_aliases(fake_github) == [["i470"]]


def test_chunks_stay_far_inside_githubs_node_limit_and_cost_little():
    _, nodes = query_pages_and_nodes([None] * CHUNK_SIZE)
    assert nodes < GITHUB_NODE_LIMIT / 10
    assert query_cost([None] * CHUNK_SIZE) <= 15
    plan = build_items_query([ItemKey(f"o/r{n % 7}", n) for n in range(1, CHUNK_SIZE + 1)])
    assert len(plan.keys) == CHUNK_SIZE and len(plan.repo_aliases) == 7
    assert "o/r" not in plan.text  # owner and name travel as variables


def test_the_config_never_shows_its_token():
    config = GitHubConfig(api_url="https://api.github.com", token=FAKE_TOKEN)
    assert FAKE_TOKEN not in repr(config) and FAKE_TOKEN not in str(config) and "***" in repr(config)
    assert FAKE_TOKEN not in f"{[config]}"


def test_the_config_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    config = GitHubConfig.from_env(timeout=3)
    assert (config.api_url, config.token, config.timeout, config.scope) == (
        "http://127.0.0.1:9",
        FAKE_TOKEN,
        3,
        "http://127.0.0.1:9",
    )


@pytest.mark.parametrize(
    "bad", [{"api_url": "ftp://x"}, {"timeout": 0}, {"chunk_size": 101}, {"retries": -1}]
)
def test_the_config_rejects_values_it_cannot_use(bad):
    with pytest.raises(ValueError, match=repr(next(iter(bad.values())))):
        GitHubConfig(**bad)


def test_the_token_is_in_no_log_message_or_fact(fake_github, github_config, demo_keys, item_cache, caplog):
    caplog.set_level(logging.DEBUG)
    result = fetch_items(demo_keys, github_config, cache=item_cache)
    fake_github.add_comment(LIBS_470, "leogr")
    result2 = fetch_items(demo_keys, github_config, cache=item_cache)
    text = caplog.text + repr(result) + repr(result2) + json.dumps([item_to_dict(i) for i in result2.items])
    assert caplog.records and FAKE_TOKEN not in text
    for r in fake_github.log:
        assert FAKE_TOKEN not in r.path + json.dumps(r.query) + r.body + json.dumps(r.headers)


# --- minutes files from GitHub links ------------------------------------------------------------------------

MINUTES = "meeting-notes/2023-12-14-falco-core-maintainers.md"


@pytest.mark.parametrize(
    "url",
    [
        f"https://github.com/falcosecurity/community/blob/main/{MINUTES}",
        f"https://github.com/falcosecurity/community/raw/main/{MINUTES}?plain=1#L3",
        f"https://raw.githubusercontent.com/falcosecurity/community/main/{MINUTES}",
        f"https://raw.githubusercontent.com/falcosecurity/community/refs/heads/main/{MINUTES}",
    ],
)
def test_a_minutes_file_is_read_from_a_github_link(fake_github, github_config, demo, url):
    assert fetch_file_text(url, github_config) == demo.minutes
    assert [r.path for r in fake_github.log] == [f"/repos/falcosecurity/community/contents/{MINUTES}"]


def test_links_to_other_hosts_are_refused_naming_the_host(github_config):
    with pytest.raises(UnsupportedURLError, match=r"'gitlab\.com'"):
        fetch_file_text("https://gitlab.com/falcosecurity/community/-/blob/main/x.md", github_config)
    with pytest.raises(UnsupportedURLError, match="not a link to a file"):
        parse_file_url("https://github.com/falcosecurity/libs/pull/470")


def test_a_missing_file_names_the_file(fake_github, github_config):
    with pytest.raises(NotFoundError, match=r"nope\.md in falcosecurity/community at main"):
        fetch_file_text("https://github.com/falcosecurity/community/blob/main/nope.md", github_config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 1_000_001, "1,000,001 bytes"),
        ("PK\0\0binary", "binary file"),
    ],
)
def test_files_that_are_not_minutes_are_refused(fake_github, github_config, text, message):
    fake_github.add_file("falcosecurity/community", "big.md", text)
    with pytest.raises(UnsupportedURLError, match=message):
        fetch_file_text("https://github.com/falcosecurity/community/blob/main/big.md", github_config)


def test_result_type_is_plain_data(fake_github, github_config):
    result = fetch_items([LIBS_470], github_config)
    assert isinstance(result, FetchResult) and isinstance(result.items[0], ItemFacts)
    assert all(isinstance(e, Event) for e in result.items[0].events)


# --- properties of the pure parts ------------------------------------------------------------------------

_repo_names = st.from_regex(r"[a-z][a-z0-9-]{0,38}/[a-z0-9._-]{1,60}", fullmatch=True)


@settings(max_examples=200)
@given(st.lists(_repo_names, max_size=60))
def test_probe_groups_cover_every_repo_once_inside_githubs_query_limit(repos):
    groups = _probe_groups(repos)
    assert sorted(r for g in groups for r in g) == sorted(set(repos))
    for group in groups:
        assert (
            len(_probe_query(group, datetime(2024, 1, 1, tzinfo=UTC))) <= SEARCH_QUERY_LIMIT
            or len(group) == 1
        )


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_the_cache_gives_back_exactly_what_it_was_given(tmp_path_factory, seed):
    from triage.http_cache import CachedItem

    cache = ItemCache(tmp_path_factory.mktemp("cache") / "c.sqlite3")
    items = generate_org("prop", repos=2, total=30, seed=seed)
    cache.put_items("https://api.github.com", [CachedItem(i, i.repo) for i in items])
    got = cache.get_items("https://api.github.com", [i.key for i in items])
    assert [got[i.key].facts for i in items] == items


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_borrowing_associations_is_idempotent_and_keeps_every_event(seed):
    for item in generate_org("prop", repos=1, total=20, seed=seed):
        once = borrow_associations(item.events)
        assert borrow_associations(once) == once
        assert sorted(map(repr, once)) == sorted(map(repr, item.events))
