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
from triage.facts import Event, ItemFacts, ItemKey, People
from triage.facts.format import item_from_dict, item_to_dict
from triage.github.agenda_fetch import fetch_items
from triage.github.answers import borrow_associations
from triage.github.cache import ItemCache
from triage.github.config import FetchResult, GitHubConfig
from triage.github.errors import NotFoundError, UnsupportedURLError
from triage.github.file_links import fetch_file_text, parse_file_url
from triage.github.probe import SEARCH_QUERY_LIMIT, probe_groups, probe_query
from triage.github.queries import CHUNK_SIZE, GITHUB_NODE_LIMIT, build_items_query, query_cost, query_pages_and_nodes

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
        assert {(e.actor, e.at, e.kind) for e in recorded.events} <= seen
        assert fetched.observed_at is not None and fetched.timeline_complete


def test_the_demo_agenda_costs_one_request_without_a_cache(fake_github, github_config, demo_keys):
    result = fetch_items(demo_keys, github_config)
    assert result.requests == len(fake_github.log) == 1
    assert fake_github.quota_spent() == {"core": 0, "search": 0, "graphql": query_cost([None] * 16)}
    assert result.rate is not None and result.rate.resource == "graphql"
    assert result.rate.remaining == fake_github.remaining("graphql")


def test_cold_records_one_probe_per_kind_and_warm_spends_no_quota(fake_github, github_config, demo_keys, item_cache):
    cold = fetch_items(demo_keys, github_config, cache=item_cache)
    assert [r.path for r in fake_github.log] == ["/graphql", "/search/issues", "/search/issues"]
    assert cold.requests == 3
    # Issue 9: the probes say what they mean whatever GitHub makes of several `repo:` qualifiers (with
    # advanced search a space is AND), and each restricts itself to issues or to PRs, as GitHub requires.
    probes = [r.query for r in fake_github.requests("^/search/issues$")]
    assert [(q["q"][0].rsplit(" ", 1)[0], q["advanced_search"]) for q in probes] == [
        ("(repo:falcosecurity/falco OR repo:falcosecurity/libs) is:issue", ["true"]),
        ("(repo:falcosecurity/falco OR repo:falcosecurity/libs OR repo:falcosecurity/plugins) is:pr", ["true"]),
    ]
    fake_github.reset()
    warm = fetch_items(demo_keys, github_config, cache=item_cache)
    assert fake_github.quota_spent() == {"core": 0, "search": 0, "graphql": 0}
    assert [(r.path, r.status) for r in fake_github.log] == [("/search/issues", 304)] * 2
    assert [comparable(i) for i in warm.items] == [comparable(i) for i in cold.items]
    assert warm.from_cache == 16


def test_an_agenda_of_one_kind_records_one_probe(fake_github, github_config, demo, item_cache):
    pulls = [i.key for i in demo.facts.items if i.kind == "pull" and i.status == "ok"]
    fetch_items(pulls, github_config, cache=item_cache)
    assert [r.path for r in fake_github.log] == ["/graphql", "/search/issues"]


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
    assert [r.path for r in fake_github.log] == ["/search/issues", "/search/issues", "/graphql"]
    assert graphql_aliases(fake_github) == [["i1557"]]
    fetched = result.items[demo_keys.index(changed)]
    assert comparable(fetched) == comparable(truth)
    assert fetched.events[-1].actor == "leogr" and fetched.comments_count == 2  # stevenbrz's and leogr's
    fake_github.clear_log()
    fetch_items(demo_keys, github_config, cache=item_cache)
    assert [(r.path, r.status) for r in fake_github.log] == [("/search/issues", 304)] * 2


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
    # The issue probe could not list everything: its issues are fetched again and it is recorded anew;
    # the PR probe still vouches for the PRs (and threads GitHub does not show are kept for an hour).
    assert [r.path for r in fake_github.log] == ["/search/issues", "/search/issues", "/graphql", "/search/issues"]
    assert graphql_aliases(fake_github) == [["i1340", "i1376", "i1463", "i1557", "i2960", "i381"]]
    assert result.ok and result.from_cache == 10
    fake_github.clear_log()
    fetch_items(demo_keys, github_config, cache=item_cache)  # the new baseline is complete again
    assert [(r.path, r.status) for r in fake_github.log] == [("/search/issues", 304)] * 2


def test_a_probe_answer_off_its_target_vouches_for_nothing(fake_github, github_config, demo_keys, item_cache):
    fetch_items(demo_keys, github_config, cache=item_cache)
    fake_github.clear_log()
    # What a search reading `(repo:a OR repo:b)` some other way could answer: a thread of another repository.
    stray = {"number": 9, "updated_at": "2024-01-01T00:00:00Z", "repository_url": f"{fake_github.url}/repos/x/y"}
    answer = {"total_count": 1, "incomplete_results": False, "search_type": "lexical", "items": [stray]}
    fake_github.inject(faults.Fault(200, answer, path="^/search/issues$"))
    result = fetch_items(demo_keys, github_config, cache=item_cache)
    assert graphql_aliases(fake_github) == [["i1340", "i1376", "i1463", "i1557", "i2960", "i381"]]
    assert result.ok


def test_a_probe_that_misses_a_known_change_is_never_read_as_nothing_changed(
    fake_github, github_config, demo_keys, item_cache
):
    # Issue 9: a search that silently matches nothing (as `repo:a repo:b` does under advanced search)
    # must not make every later run serve stale facts. libs#1557 changed after the probe's baseline,
    # so a baseline answer without it shows the search does not find what it should.
    fake_github.add_comment(ItemKey("falcosecurity/libs", 1557), "leogr")
    empty = {"total_count": 0, "incomplete_results": False, "search_type": "lexical", "items": []}
    fake_github.inject(faults.Fault(200, empty, path="^/search/issues$", body=None, times=1))
    fetch_items(demo_keys, github_config, cache=item_cache)
    fake_github.clear_log()
    fetch_items(demo_keys, github_config, cache=item_cache)
    assert graphql_aliases(fake_github) == [["i1340", "i1376", "i1463", "i1557", "i2960", "i381"]]


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
    # Comments are counted from the timeline (no connection of their own), so a cut timeline leaves
    # the count unknown rather than wrong.
    assert item.comments_count is None
    assert [e.actor for e in item.events][-3:] == ["user118", "user119", "stevenbrz"]  # stevenbrz: 2024-04-10
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


def _discussion(key: ItemKey, seed: int = 9) -> ItemFacts:
    """A generated issue turned into a discussion (title, author, comments), as the fake serves one."""
    base = generate_org(key.owner, repos=1, total=1, seed=seed, issue_share=1)[0]
    discussion = dataclasses.replace(
        base,
        key=key,
        kind="discussion",
        url=f"https://github.com/{key.repo}/discussions/{key.number}",
        draft=None,
        merged=None,
        state="open",
        state_reason=None,
        closed_at=None,
        milestone=None,
        milestone_due=None,
        events=tuple(e for e in base.events if e.kind in ("description", "comment")),
    )
    return dataclasses.replace(
        discussion,
        comments_count=sum(e.kind == "comment" for e in discussion.events),
        updated_at=max(e.at for e in discussion.events),
    )


def test_discussions_are_read_when_the_agenda_says_so(fake_github, github_config):
    key = ItemKey("talk/core", 7)
    discussion = _discussion(key)
    fake_github.add_items([discussion])
    result = fetch_items([key], github_config, kinds={key: "discussion"})
    assert comparable(result.items[0]) == comparable(fake_github.truth(key))
    assert "discussion(number: 7)" in fake_github.log[0].json["query"]
    (guessed,) = fetch_items([key], github_config).items  # without the hint it looks for an issue or PR
    assert guessed.status == "not_found"


@pytest.mark.parametrize(
    ("agenda", "fragments"),
    [
        ("pulls", ["IssueFields", "PullFields"]),  # an agenda item's kind is unknown until GitHub answers
        ("issues", ["IssueFields", "PullFields"]),
        ("discussions", ["DiscussionFields"]),
        ("mixed", ["IssueFields", "PullFields", "DiscussionFields"]),
    ],
)
def test_agendas_of_any_kinds_fetch_with_only_the_fragments_they_use(
    fake_github, github_config, demo, agenda, fragments
):
    # Issue 9: a document carrying an unused fragment is rejected whole by GitHub (no data at all),
    # which made every agenda without a discussion link fail on api.github.com.
    discussions = [_discussion(ItemKey("falcosecurity/community", n), seed=n) for n in (51, 52)]
    fake_github.add_items(discussions)
    served = [i for i in demo.facts.items if i.status == "ok"]
    chosen = {
        "pulls": [i for i in served if i.kind == "pull"],
        "issues": [i for i in served if i.kind == "issue"],
        "discussions": discussions,
        "mixed": [*served[:3], discussions[0]],
    }[agenda]
    keys = [i.key for i in chosen]
    kinds = {i.key: "discussion" for i in discussions}
    result = fetch_items(keys, github_config, kinds=kinds)
    assert result.ok and result.errors == ()
    assert [comparable(i) for i in result.items] == [comparable(fake_github.truth(k)) for k in keys]
    (sent,) = fake_github.requests("^/graphql$")
    assert re.findall(r"^fragment (\w+) on", sent.json["query"], re.M) == fragments


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


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/o/r/blob/main/../../../../user",
        "https://github.com/o/r/blob/main/docs/%2e%2e/%2E%2E/%2e%2e/user",
        "https://github.com/o/r/raw/main/..%2F..%2F..%2Fuser",
        "https://raw.githubusercontent.com/o/r/main/a/../../../user",
    ],
)
def test_a_link_climbing_out_of_the_repository_is_refused_before_any_request(fake_github, github_config, url):
    # issue 12, D3: `blob/main/../../../../user` made the server send `GET /user` with its own token.
    with pytest.raises(UnsupportedURLError) as raised:
        fetch_file_text(url, github_config)
    assert str(raised.value) == f"{url!r} climbs out of its folder (..): expected a file inside the repository"
    assert fake_github.log == []


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("https://github.com/o/r/blob/ma..in/x.md", "names the branch or tag 'ma..in', which git does not allow"),
        ("https://github.com/o/r/blob/main%0A/x.md", "names the branch or tag 'main\\n', which git does not allow"),
        ("https://github.com/o/r/blob/main/./", "does not name a file in the repository"),
        ("https://github.com/o/r/blob/main/a%00b.md", "does not name a file in the repository"),
        ("https://github.com/..%2F/r/blob/main/x.md", "does not name a GitHub repository"),
    ],
)
def test_a_link_that_names_no_file_in_a_repository_is_refused(fake_github, github_config, url, sentence):
    with pytest.raises(UnsupportedURLError, match=re.escape(sentence)):
        fetch_file_text(url, github_config)
    assert fake_github.log == []


def test_a_link_path_is_normalised_and_read_through_the_contents_api_only(fake_github, github_config, demo):
    url = f"https://github.com/falcosecurity/community/blob/main/./meeting-notes//{MINUTES.split('/')[1]}"
    assert parse_file_url(url).path == MINUTES
    assert fetch_file_text(url, github_config) == demo.minutes
    assert [(r.method, r.path, r.query) for r in fake_github.log] == [
        ("GET", f"/repos/falcosecurity/community/contents/{MINUTES}", {"ref": ["main"]})]


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
@given(st.lists(st.tuples(st.sampled_from(["issue", "pr"]), _repo_names), max_size=60))
def test_probe_groups_cover_every_target_once_inside_githubs_query_limits(targets):
    groups = probe_groups(targets)
    assert sorted((g.kind, r) for g in groups for r in g.repos) == sorted(set(targets))
    for group in groups:
        query = probe_query(group, datetime(2024, 1, 1, tzinfo=UTC))
        assert len(query) <= SEARCH_QUERY_LIMIT or len(group.repos) == 1
        assert query.count(" OR ") + 2 <= 5  # GitHub's five operators, counting the spaces as ANDs


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_the_cache_gives_back_exactly_what_it_was_given(tmp_path_factory, seed):
    from triage.github.cache import CachedItem

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
