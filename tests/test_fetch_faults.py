"""Every fault GitHub throws, over HTTP from the fake: what the user reads, and what is kept."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FAKE_TOKEN, LIBS_470, free_port
from tests.fakegithub import FakeGitHub, faults, generate_org
from triage.facts import ItemKey
from triage.github.agenda_fetch import fetch_items
from triage.github.config import FetchResult
from triage.github.errors import BadCredentialsError, GitHubFailedError, RateLimitedError
from triage.github.file_links import fetch_file_text
from triage.github.probe import probe_groups

LIBS_1375 = ItemKey("falcosecurity/libs", 1375)
MINUTES_URL = (
    "https://github.com/falcosecurity/community/blob/main/meeting-notes/2023-12-14-falco-core-maintainers.md"
)
# With chunks of 6, the demo's 16 items (sorted by repo and number) make three queries:
CHUNK_2 = ["libs#470", "libs#1375", "libs#1376", "libs#1393", "libs#1452", "libs#1463"]


def hhmm(epoch: float) -> str:
    return f"{datetime.fromtimestamp(epoch, UTC):%H:%M}"


def short(item) -> str:
    return item.ref.removeprefix("falcosecurity/")


def assert_no_token(result: FetchResult | Exception) -> None:
    assert FAKE_TOKEN not in repr(result) and FAKE_TOKEN not in str(result)


def test_bad_credentials_stop_the_run_with_one_sentence(fake_github, github_config, demo_keys):
    fake_github.inject(faults.bad_credentials(times=None))
    result = fetch_items(demo_keys, dataclasses.replace(github_config, chunk_size=5))
    assert result.errors == (
        "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN or the token in the sidebar",
    )
    assert {(i.status, i.status_detail) for i in result.items} == {
        ("error", "not fetched: GitHub rejected the token")
    }
    assert len(fake_github.log) == 1  # no retries, no further chunks
    assert_no_token(result)


def test_a_spent_rate_limit_is_reported_with_its_reset_time_not_waited_out(
    fake_github, github_config, demo_keys
):
    fault = fake_github.inject(faults.primary_rate_limit(reset_in=40 * 60, path="^/graphql$", times=None))
    result = fetch_items(demo_keys, github_config)
    assert len(fake_github.log) == 1  # asked once, not retried until the reset
    when = hhmm(int(fault.headers["X-RateLimit-Reset"]))
    assert result.errors == (f"GitHub rate limit reached; resets at {when} UTC",)
    assert {(i.status, i.status_detail) for i in result.items} == {
        ("rate_limited", f"rate limited until {when} UTC")
    }
    assert_no_token(result)


def test_a_rest_style_403_rate_limit_on_graphql_is_not_waited_out_either(
    fake_github, github_config, demo_keys
):
    fault = fake_github.inject(
        faults.primary_rate_limit(40 * 60, graphql=False, path="^/graphql$", times=None)
    )
    result = fetch_items(demo_keys, github_config)
    assert result.errors == (
        f"GitHub rate limit reached; resets at {hhmm(int(fault.headers['X-RateLimit-Reset']))} UTC",
    )
    assert len(fake_github.log) == 1


def test_a_rate_limit_that_resets_within_max_wait_is_waited_for(fake_github, github_config, demo_keys):
    fake_github.inject(faults.primary_rate_limit(reset_in=0, graphql=False, path="^/graphql$"))
    result = fetch_items(demo_keys, github_config)
    assert result.ok and len(fake_github.log) == 2


def test_a_secondary_limit_with_a_short_retry_after_is_retried(fake_github, github_config):
    fault = fake_github.inject(faults.secondary_rate_limit(retry_after=1, path="^/graphql$"))
    result = fetch_items([LIBS_470], github_config)
    assert result.ok and [r.status for r in fake_github.log] == [403, 200]
    assert fault.hits == 1


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_asking_for_long_is_reported_with_its_time(fake_github, github_config, status):
    fake_github.inject(
        faults.secondary_rate_limit(retry_after=600, status=status, path="^/graphql$", times=None)
    )
    before = time.time()
    result = fetch_items([LIBS_470], github_config)
    assert len(fake_github.log) == 1  # asked once, not retried after ten minutes
    (error,) = result.errors
    when = re.fullmatch(r"GitHub's secondary rate limit was reached; try again after (\d\d:\d\d) UTC", error)
    assert when and when[1] in {hhmm(before + 600), hhmm(time.time() + 600)}
    assert result.items[0].status == "rate_limited"


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_without_retry_after_asks_for_a_minute(fake_github, github_config, status):
    fake_github.inject(
        faults.secondary_rate_limit(retry_after=None, status=status, path="^/graphql$", times=None)
    )
    before = time.time()
    result = fetch_items([LIBS_470], github_config)
    (error,) = result.errors
    when = re.fullmatch(r"GitHub's secondary rate limit was reached; try again after (\d\d:\d\d) UTC", error)
    assert when and when[1] in {hhmm(before + 60), hhmm(time.time() + 60)}
    assert result.items[0].status_detail == f"rate limited until {when[1]} UTC"


def test_a_server_error_once_is_retried_transparently(fake_github, github_config, demo_keys):
    fake_github.inject(faults.server_error(502, path="^/graphql$"))
    result = fetch_items(demo_keys, github_config)
    assert result.ok and result.requests == 1 and [r.status for r in fake_github.log] == [502, 200]


def test_a_failing_chunk_loses_only_its_own_items(fake_github, github_config, demo_keys, item_cache):
    config = dataclasses.replace(github_config, chunk_size=6)
    fake_github.inject(faults.server_error(502, path="^/graphql$", body=r"\bi470:", times=None))
    result = fetch_items(demo_keys, config, cache=item_cache)
    assert result.errors == ("GitHub kept failing (502 Bad Gateway) after 2 retries; try again later",)
    failed = sorted(short(i) for i in result.items if i.status == "error")
    assert failed == sorted(CHUNK_2)
    assert {i.status_detail for i in result.items if i.status == "error"} == {
        "not fetched: GitHub failed (502)"
    }
    kept = [i for i in result.items if short(i) not in CHUNK_2]
    assert len(kept) == 10 and all(i.status in ("ok", "not_found") for i in kept)
    for item in kept:
        if item.status == "ok":
            assert dataclasses.replace(item, observed_at=None) == dataclasses.replace(
                fake_github.truth(item.key), observed_at=None
            )
    assert len(fake_github.requests("^/graphql$")) == 1 + 3 + 1  # chunk 2 was tried three times
    # The cache kept chunks 1 and 3: once GitHub recovers, only chunk 2 is asked for.
    fake_github.reset()
    again = fetch_items(demo_keys, config, cache=item_cache)
    assert again.ok
    asked = [sorted(re.findall(r"\b[id](\d+):", r.json["query"])) for r in fake_github.requests("^/graphql$")]
    assert asked == [sorted(s.split("#")[1] for s in CHUNK_2)]


def test_github_down_for_two_chunks_in_a_row_stops_asking(fake_github, github_config, demo_keys):
    fake_github.inject(faults.server_error(503, path="^/graphql$", times=None))
    calls = []
    result = fetch_items(
        demo_keys,
        dataclasses.replace(github_config, chunk_size=5),
        progress=lambda done, total: calls.append(done),
    )
    assert len(fake_github.log) == 2 * 3  # two chunks, three attempts each, then no more
    assert result.errors == (
        "GitHub kept failing (503 Service Unavailable) after 2 retries; try again later",
    )
    assert {i.status for i in result.items} == {"error"} and calls[-1] == 16


def test_a_response_slower_than_the_timeout_is_reported(fake_github, github_config):
    config = dataclasses.replace(github_config, timeout=1, retries=0)
    fake_github.inject(faults.slow(1.5, path="^/graphql$"))
    result = fetch_items([LIBS_470], config)
    assert result.errors == ("GitHub did not answer within 1 s; try again later",)
    assert (result.items[0].status, result.items[0].status_detail) == (
        "error",
        "not fetched: GitHub timed out",
    )


def test_github_unreachable_is_one_sentence_naming_the_host(github_config, demo_keys):
    port = free_port()  # nothing listens on it
    config = dataclasses.replace(github_config, api_url=f"http://127.0.0.1:{port}")
    result = fetch_items(demo_keys, config)
    assert result.errors == (
        f"GitHub could not be reached at 127.0.0.1:{port}: check the network connection or GITHUB_API_URL",
    )
    assert {i.status_detail for i in result.items} == {"not fetched: GitHub unreachable"}
    assert_no_token(result)


def test_cached_facts_are_kept_when_github_is_unreachable(github_config, demo_keys, item_cache):
    port = free_port()
    fake = FakeGitHub.demo(port=port).start()
    config = dataclasses.replace(github_config, api_url=fake.url)
    first = fetch_items(demo_keys, config, cache=item_cache)
    fake.stop()
    result = fetch_items(demo_keys, dataclasses.replace(config, max_age=timedelta(0)), cache=item_cache)
    # issue 12, D1: kept facts are "stale", never shown as fetched; answers without facts keep their status
    assert result.errors and [i.status for i in result.items] == [
        "stale" if i.status == "ok" else i.status for i in first.items]
    libs_470 = result.items[demo_keys.index(LIBS_470)]
    assert libs_470.title == first.items[demo_keys.index(LIBS_470)].title
    assert libs_470.status_detail.startswith("not refreshed (not fetched: GitHub unreachable); facts as read ")


@pytest.mark.parametrize(
    "fault",
    [faults.malformed(path="^/graphql$"), faults.html(path="^/graphql$")],
    ids=["truncated-json", "html"],
)
def test_an_unreadable_answer_is_reported(fake_github, github_config, fault):
    fake_github.inject(fault)
    result = fetch_items([LIBS_470], github_config)
    assert result.errors == ("GitHub sent a response triage could not read; try again later",)
    assert result.items[0].status_detail == "not fetched: unreadable answer from GitHub"


def test_graphql_errors_for_some_items_keep_the_others(fake_github, github_config, demo_keys):
    fake_github.item_error(LIBS_470, "FORBIDDEN")
    fake_github.item_error(LIBS_1375, "INTERNAL", "Something went wrong while executing your query.")
    result = fetch_items(demo_keys, github_config)
    by_key = {i.key: i for i in result.items}
    assert (by_key[LIBS_470].status, by_key[LIBS_470].status_detail) == (
        "forbidden",
        "access refused: Resource protected by organization SAML enforcement. You must grant your Personal "
        "Access token access to this organization.",
    )
    assert (by_key[LIBS_1375].status, by_key[LIBS_1375].status_detail) == (
        "error",
        "not fetched: Something went wrong while executing your query.",
    )
    assert sum(i.status == "ok" for i in result.items) == 13 and len(fake_github.log) == 1  # 16 - 2 - evolution#345


def test_a_query_github_gave_up_on_marks_its_items(fake_github, github_config, demo_keys):
    fake_github.inject(faults.graphql_timeout(times=None))
    result = fetch_items(demo_keys, github_config)
    (error,) = result.errors
    assert error.startswith("GitHub could not answer: Something went wrong while executing your query.")
    assert {i.status for i in result.items} == {"error"}


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (faults.bad_credentials(), BadCredentialsError, "GitHub rejected the token"),
        (
            faults.primary_rate_limit(40 * 60, path="/contents/"),
            RateLimitedError,
            "GitHub rate limit reached; resets at",
        ),
        (faults.server_error(502, times=None), GitHubFailedError, "GitHub kept failing (502 Bad Gateway)"),
    ],
)
def test_reading_a_minutes_file_raises_typed_errors(fake_github, github_config, fault, error, message):
    fake_github.inject(fault)
    with pytest.raises(error) as raised:
        fetch_file_text(MINUTES_URL, github_config)
    assert str(raised.value).startswith(message)
    assert_no_token(raised.value)


def test_failures_leave_the_token_out_of_every_message_and_log(fake_github, github_config, demo_keys, caplog):
    caplog.set_level("DEBUG")
    for fault in (
        faults.bad_credentials(),
        faults.server_error(502, times=None),
        faults.malformed(),
        faults.secondary_rate_limit(600, times=None),
    ):
        fake_github.reset()
        fake_github.inject(fault)
        assert_no_token(fetch_items(demo_keys, github_config))
    assert FAKE_TOKEN not in caplog.text


def test_a_broken_cache_file_is_reported_and_the_fetch_goes_on(
    fake_github, github_config, demo_keys, tmp_path
):
    from triage.github.cache import ItemCache

    broken = tmp_path / "github-cache.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    result = fetch_items(demo_keys, github_config, cache=ItemCache(broken))
    (error,) = result.errors
    assert error.startswith(f"Cannot use the GitHub cache {str(broken)!r}") and error.endswith(
        "fetched without the cache"
    )
    assert sum(i.status == "ok" for i in result.items) == 15  # all but evolution#345, which the fake hides


def test_missing_and_private_things_say_not_found_or_private(fake_github, github_config):
    fake_github.make_private("falcosecurity/plugins")
    keys = [
        ItemKey("falcosecurity/libs", 99999),
        ItemKey("falcosecurity/libz", 1),
        ItemKey("falcosecurity/plugins", 378),
    ]
    result = fetch_items(keys, github_config)
    assert [(i.status, i.status_detail) for i in result.items] == [
        ("not_found", "not found or private"),
        ("not_found", "repository falcosecurity/libz not found or private"),
        ("not_found", "repository falcosecurity/plugins not found or private"),
    ]
    assert result.ok and result.errors == ()
    # Only a repository GraphQL cannot resolve is asked about over REST (it might have moved).
    assert [(r.path, r.status) for r in fake_github.log] == [
        ("/graphql", 200),
        ("/repos/falcosecurity/libz", 404),
        ("/repos/falcosecurity/plugins", 404),
    ]


def test_a_rate_limited_probe_falls_back_to_fetching(fake_github, github_config, demo_keys, item_cache):
    fetch_items(demo_keys, github_config, cache=item_cache)
    fake_github.reset()
    fake_github.inject(faults.secondary_rate_limit(600, status=429, path="^/search/", times=None))
    result = fetch_items(demo_keys, github_config, cache=item_cache)
    assert result.ok and result.errors == ()
    # The first 429 stops the other probe too: it would only fail the same way.
    assert [(r.path, r.status) for r in fake_github.log] == [("/search/issues", 429), ("/graphql", 200)]


def test_a_spent_search_limit_stops_the_other_probes_not_the_fetch(fake_github, github_config, item_cache):
    # 40 repositories with issues and PRs need 15 probe queries (four repositories each, one kind each);
    # once the first says the search limit is spent, asking the others would only fail the same way.
    items = generate_org("wideorg", repos=40, total=120, seed=5)
    fake_github.add_items(items)
    keys = [i.key for i in items]
    targets = {("pr" if i.kind == "pull" else "issue", i.repo.lower()) for i in items}
    assert len(probe_groups(targets)) == 15
    fetch_items(keys, github_config, cache=item_cache)
    fake_github.reset()
    fake_github.inject(faults.secondary_rate_limit(600, status=429, path="^/search/", times=None))
    result = fetch_items(keys, github_config, cache=item_cache)
    assert result.ok and len(result.items) == 120
    assert [r.path for r in fake_github.requests("^/search/")] == ["/search/issues"]
