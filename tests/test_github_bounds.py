"""The bounds on what one fetch or scan may cost, against hostile modes of the fake GitHub (issue 12):
an overall deadline (D7), a request and points budget (D6), the decompressed size of an answer (D9)
and redirects (at most 3, same host, D8); each stated in a sentence when hit, with what was read
before kept. Also the GitHub-side messages that misled: a far-off Retry-After without its date, a
302 read as "not found", and PyGithub's retry notes printed raw."""

import dataclasses
import itertools
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FAKE_TOKEN, LIBS_470
from tests.fakegithub import FakeGitHub, faults, generate_org
from triage.facts import ItemKey
from triage.github.agenda_fetch import fetch_items
from triage.github.errors import RedirectRefusedError
from triage.github.file_links import fetch_file_text
from triage.github.scan import fetch_open_pulls
from triage.github.scan_queries import ScanTarget

MINUTES_URL = "https://github.com/falcosecurity/community/blob/main/meeting-notes/2023-12-14-falco-core-maintainers.md"
GONE = ItemKey("falcosecurity/gone", 7)  # a repository GraphQL cannot resolve: REST is asked where it went


def statuses(result) -> dict[str, str]:
    return {i.ref: i.status_detail or i.status for i in result.items}


# --- D7: an overall deadline -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_a_dripping_answer_is_cut_at_the_fetch_deadline(fake_github, github_config, demo_keys):
    # issue 12, D7: a server sending a byte every 2 s kept `fetch` running past 10 minutes (only a
    # per-read timeout existed). The second chunk's answer drips, its status line included.
    drip = fake_github.inject(faults.drip(2.0, path="^/graphql$", skip=1))
    config = dataclasses.replace(github_config, chunk_size=8, deadline=6)
    result = fetch_items(demo_keys, config)
    assert result.errors == ("GitHub took longer than the 6 s allowed for one fetch or scan (TRIAGE_DEADLINE), "
                             "so triage stopped asking; what was read before is kept",)
    first = set(sorted(demo_keys, key=lambda k: (k.repo.lower(), k.number))[:8])  # the chunk read in time
    kept = [i for i in result.items if i.key in first]
    assert {i.status for i in kept} == {"ok", "not_found"}  # as GitHub answered
    cut = [i for i in result.items if i.key not in first]
    assert len(cut) == 8 and {i.status_detail for i in cut} == {"not fetched: the 6 s deadline passed"}
    # The client left after a few bytes of an answer of thousands (its headers alone are hundreds): nothing
    # was retried past the deadline.
    assert drip.hits == 1 and drip.sent < 20


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_a_dripping_page_is_cut_at_the_scan_deadline():
    # issue 12, D7: the same for `scan`; the first query's items are kept. Two repositories of 150 pulls
    # are four pages, two a query (issue 13): the first query reads a page of each.
    with FakeGitHub(generate_org("dripco", repos=2, total=300, seed=3, open_only=True)) as fake:
        drip = fake.inject(faults.drip(2.0, path="^/graphql$", body="TriageScanPage", skip=1))
        config = dataclasses.replace(_config(fake), deadline=8)
        result = fetch_open_pulls(ScanTarget(org="dripco"), config)
    assert len(result.items) == 200 and result.requests == 3  # discovery, the first query, the cut one
    assert sorted(r.fetched for r in result.repos) == [100, 100]
    assert result.errors[0].startswith("GitHub took longer than the 8 s allowed for one fetch or scan")
    assert {r.error for r in result.repos if r.fetched < r.expected} == {result.errors[0]}
    assert drip.hits == 1 and drip.sent < 20


def _config(fake: FakeGitHub):
    from triage.github.config import GitHubConfig

    return GitHubConfig(api_url=fake.url, token=FAKE_TOKEN, timeout=5, retries=2, backoff_factor=0,
                        secondary_wait=0.1, max_wait=1, seconds_between_requests=None)


# --- D6: a budget of requests and points ---------------------------------------------------------------------


def test_a_fetch_stops_at_its_request_budget_and_says_so(fake_github, github_config, demo_keys):
    # issue 12, D6: 100k references made 417 GraphQL requests and spent the token's hourly budget.
    config = dataclasses.replace(github_config, chunk_size=4, max_requests=2)
    result = fetch_items(demo_keys, config)
    assert len(fake_github.requests("^/graphql$")) == result.requests == 2
    assert result.errors[-1] == ("This fetch or scan reached its budget of 2 requests to GitHub (TRIAGE_MAX_REQUESTS), "
                                 "so triage stopped asking; what was read before is kept")
    assert sum(i.status_detail == "not fetched: the budget of 2 requests was spent" for i in result.items) == 8


def test_a_fetch_stops_at_its_points_budget(fake_github, github_config, demo_keys):
    config = dataclasses.replace(github_config, chunk_size=4, max_points=3)
    result = fetch_items(demo_keys, config)
    assert len(fake_github.requests("^/graphql$")) == 3  # one point each, as GitHub reported
    assert "budget of 3 GraphQL points to GitHub (TRIAGE_MAX_POINTS)" in result.errors[-1]


def test_a_paste_naming_many_missing_repositories_costs_at_most_the_budget(fake_github, github_config):
    # Each repository GraphQL cannot resolve costs a REST look-up: 60 of them were 62 requests.
    keys = [ItemKey(f"nobody{n}/gone", 1) for n in range(60)]
    result = fetch_items(keys, dataclasses.replace(github_config, max_requests=10))
    assert len(fake_github.log) == result.requests == 10
    assert result.errors == ("This fetch or scan reached its budget of 10 requests to GitHub (TRIAGE_MAX_REQUESTS), "
                             "so triage stopped asking; what was read before is kept",)


# --- D9: the size of an answer ---------------------------------------------------------------------------------


def test_a_decompression_bomb_is_refused_without_filling_memory(fake_github, github_config):
    # issue 12, D9: a 1 MB gzip answer took `fetch` to 3.27 GB. This one is 100 MB once decompressed.
    fake_github.inject(faults.gzip_bomb(100, path="^/graphql$"))
    tracemalloc.start()
    try:
        result = fetch_items([LIBS_470], dataclasses.replace(github_config, max_response_mb=1, retries=0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.errors == ("GitHub's answer to /graphql was larger than 1 MB once decompressed "
                             "(TRIAGE_MAX_RESPONSE_MB), so it was not read",)
    assert result.items[0].status_detail == "not fetched: GitHub's answer was over 1 MB"
    assert peak < 20_000_000


# --- D8: redirects ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hops", "sentence"),
    [
        (["http://evil.example/repos/x/y"],
         "GitHub redirected /repos/falcosecurity/gone to another host (evil.example; only {host} is followed), "
         "which triage does not follow"),
        (["{base}/repos/falcosecurity/gone"], "GitHub redirected /repos/falcosecurity/gone to itself, which triage "
                                              "does not follow"),
        (["{base}/repos/falcosecurity/gone2", "{base}/repos/falcosecurity/gone"],
         "GitHub redirected /repos/falcosecurity/gone2 in a loop (back to /repos/falcosecurity/gone), which triage "
         "does not follow"),
        (["{base}/repos/falcosecurity/r1", "{base}/repos/falcosecurity/r2", "{base}/repos/falcosecurity/r3",
          "{base}/repos/falcosecurity/libs"],
         "GitHub redirected /repos/falcosecurity/r3 more than 3 times (TRIAGE_MAX_REDIRECTS), which triage does not "
         "follow"),
        (["{base}/repos/falcosecurity/elsewhere"], "GitHub redirected /repos/falcosecurity/gone with a 302 to "
                                                   "{base}/repos/falcosecurity/elsewhere (only 301s are followed), "
                                                   "which triage does not follow"),
    ],
    ids=["another-host", "itself", "loop", "four-hops", "302"],
)
def test_a_redirect_triage_does_not_follow_is_a_sentence(fake_github, github_config, hops, sentence):
    # issue 12, D8: a 301 to another host or to itself raised RuntimeError, a loop RecursionError; a 302
    # was reported as "not found or private".
    base, host = fake_github.url, fake_github.url.split("//", 1)[1]
    status = 302 if "302" in sentence else 301
    source = "/repos/falcosecurity/gone"
    for location in hops:
        target = location.format(base=base)
        fake_github.inject(faults.redirect(target, status, path=f"^{source}$", method="GET", times=None))
        source = target.removeprefix(base)
    result = fetch_items([GONE], github_config)
    said = sentence.format(base=base, host=host)
    assert result.errors == (said,)
    assert result.items[0].status_detail == "not fetched: a redirect triage does not follow"


def test_three_redirects_within_the_host_are_followed(fake_github, github_config):
    base = fake_github.url
    chain = [f"/repos/falcosecurity/{name}" for name in ("gone", "r1", "r2", "libs")]
    for source, target in itertools.pairwise(chain):
        fake_github.inject(faults.redirect(base + target, path=f"^{source}$", method="GET", times=None))
    result = fetch_items([GONE], github_config)
    assert not result.errors and result.items[0].status_detail == "moved to falcosecurity/libs"


def test_a_minutes_link_redirected_to_another_host_is_a_sentence(fake_github, github_config):
    fake_github.inject(faults.redirect("https://evil.example/x.md", path="/contents/", times=None))
    with pytest.raises(RedirectRefusedError) as raised:
        fetch_file_text(MINUTES_URL, github_config)
    assert str(raised.value).startswith("GitHub redirected /repos/falcosecurity/community/contents/meeting-notes/")
    assert "to another host (evil.example;" in str(raised.value)


# --- misleading messages ------------------------------------------------------------------------------------------


def test_a_far_off_retry_after_is_shown_with_its_date(fake_github, github_config):
    # issue 12: Retry-After 10^9 was shown as "after 18:50 UTC", with no date.
    fake_github.inject(faults.secondary_rate_limit(retry_after=10**9, path="^/graphql$"))
    result = fetch_items([LIBS_470], github_config)
    when = datetime.now(UTC) + timedelta(seconds=10**9)
    assert result.errors[0].startswith(f"GitHub's secondary rate limit was reached; try again after {when:%Y-%m-%d} ")
    assert result.items[0].status_detail.startswith(f"rate limited until {when:%Y-%m-%d} ")


def test_an_impossible_reset_time_is_a_sentence_not_a_traceback(fake_github, github_config):
    fake_github.inject(faults.secondary_rate_limit(retry_after=10**30, path="^/graphql$"))
    result = fetch_items([LIBS_470], github_config)
    assert result.errors == ("GitHub's secondary rate limit was reached; try again after 9999-12-31 23:59 UTC",)


def test_pygithub_retry_notes_are_not_printed_raw(fake_github, tmp_path):
    # issue 12: "Request GET /search/issues?... failed with 403: Forbidden" and "Retrying after 1
    # seconds" were printed by PyGithub's own stderr handler beside triage's sentences.
    env = {**os.environ, "GITHUB_API_URL": fake_github.url, "GITHUB_TOKEN": FAKE_TOKEN, "TRIAGE_HOME": str(tmp_path)}
    minutes = tmp_path / "m.md"
    minutes.write_text("- https://github.com/falcosecurity/libs/pull/470\n")
    command = [sys.executable, "-m", "triage.cli", "fetch", str(minutes), "--out", str(tmp_path / "f.json")]
    assert subprocess.run(command, env=env, capture_output=True, check=False).returncode == 0  # cold: a probe baseline
    fake_github.inject(faults.secondary_rate_limit(retry_after=1, path="^/search/"))
    warm = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert warm.returncode == 0 and [r.status for r in fake_github.requests("^/search/")][-2:] == [403, 304]
    assert "Retrying" not in warm.stderr and "failed with 403" not in warm.stderr
    assert warm.stderr.splitlines()[-1].startswith("1 of 1 items fetched in ")


# --- the settings -------------------------------------------------------------------------------------------------


def test_every_bound_is_read_from_the_environment(monkeypatch):
    from triage.github.config import GitHubConfig
    from triage.settings import SettingsError

    values = {"TRIAGE_DEADLINE": "30", "TRIAGE_MAX_REQUESTS": "50", "TRIAGE_MAX_POINTS": "200",
              "TRIAGE_MAX_RESPONSE_MB": "5", "TRIAGE_MAX_REDIRECTS": "1"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    config = GitHubConfig.from_env()
    assert (config.deadline, config.max_requests, config.max_points, config.max_response_mb, config.max_redirects) == (
        30, 50, 200, 5, 1)
    monkeypatch.setenv("TRIAGE_DEADLINE", "soon")
    with pytest.raises(SettingsError, match=r"^TRIAGE_DEADLINE 'soon' is not a whole number of seconds of at least 1, "
                                            r"such as 120$"):
        GitHubConfig.from_env()
