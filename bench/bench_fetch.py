"""Benchmark: HTTP requests and rate-limit quota of `triage.github`, against a straightforward REST script.

Everything runs against the fake GitHub on 127.0.0.1 with the real PyGithub client over HTTP, and
the counts are the fake's own request log and rate-limit buckets (so urllib3's retries would count).

* agenda: the demo's 16 Falco items, cold (empty cache), warm in the same process (a fresh
  `ItemCache` object on the same file) and warm in a new process (same cache directory);
* baseline: what a typical script does for the same items with PyGithub's REST objects
  (`lazy=False`): get_repo once per repo, get_pull or get_issue, reviews, comments, combined status;
* org1000: 1,000 generated items across 20 repositories of one org, cold and warm.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from github import Auth, Github, GithubException

from tests.fakegithub import FakeGitHub, generate_org
from triage.demo import load_demo
from triage.facts import ItemKey, Kind
from triage.github.agenda_fetch import fetch_items
from triage.github.cache import ItemCache
from triage.github.config import GitHubConfig

TOKEN = "bench-token"
ROOT = Path(__file__).resolve().parents[1]

_WARM_SCRIPT = """
import json, sys
from triage.facts import ItemKey
from triage.github.agenda_fetch import fetch_items
from triage.github.config import GitHubConfig
from triage.github.cache import ItemCache
url, keys = sys.argv[1], [ItemKey.parse(k) for k in json.loads(sys.argv[2])]
result = fetch_items(keys, GitHubConfig(api_url=url, token="bench-token", seconds_between_requests=None),
                     cache=ItemCache())
print(sum(i.status in ("ok", "not_found") for i in result.items))
"""


def _config(fake: FakeGitHub) -> GitHubConfig:
    # No throttle: the fake is local; real runs keep PyGithub's 0.25 s between requests.
    return GitHubConfig(api_url=fake.url, token=TOKEN, seconds_between_requests=None)


def _quota(fake: FakeGitHub) -> int:
    return sum(fake.quota_spent().values())


def baseline_script(fake: FakeGitHub, keys: list[ItemKey], kinds: dict[ItemKey, Kind | None]) -> None:
    """The REST way: a PyGithub object per thing, as issue-metrics-style scripts do it."""
    gh = Github(
        auth=Auth.Token(TOKEN),
        base_url=fake.url,
        per_page=100,
        lazy=False,
        seconds_between_requests=None,
        seconds_between_writes=None,
        retry=None,
    )
    repos = {}
    for key in keys:
        try:
            if key.repo not in repos:
                repos[key.repo] = gh.get_repo(key.repo)
            repo = repos[key.repo]
            if kinds.get(key) == "pull":
                pr = repo.get_pull(key.number)
                list(pr.get_reviews())
                list(pr.get_issue_comments())
                repo.get_commit(pr.head.sha).get_combined_status()
            else:
                issue = repo.get_issue(key.number)
                list(issue.get_comments())
        except GithubException:
            pass  # a missing item costs its 404 and nothing more
    gh.close()


def _agenda(figures: dict[str, float]) -> None:
    demo = load_demo().facts
    keys = [i.key for i in demo.items]
    kinds = {i.key: i.kind for i in demo.items}
    with FakeGitHub.demo() as fake, tempfile.TemporaryDirectory() as home:
        config = _config(fake)
        cache = ItemCache(Path(home) / "github-cache.sqlite3")
        started = time.perf_counter()
        fetch_items(keys, config, kinds=kinds, cache=cache)
        figures["agenda_cold_seconds"] = time.perf_counter() - started
        figures["agenda_cold_requests"] = len(fake.log)
        figures["agenda_cold_quota"] = _quota(fake)

        fake.reset()
        started = time.perf_counter()
        fetch_items(keys, config, kinds=kinds, cache=ItemCache(cache.path))
        figures["agenda_warm_seconds"] = time.perf_counter() - started
        figures["agenda_warm_requests"] = len(fake.log)
        figures["agenda_warm_quota"] = _quota(fake)

        fake.reset()
        env = {**os.environ, "TRIAGE_HOME": home}
        out = subprocess.run(
            [sys.executable, "-c", _WARM_SCRIPT, fake.url, json.dumps([k.ref for k in keys])],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == "16", out.stdout + out.stderr
        figures["agenda_warm_new_process_requests"] = len(fake.log)
        figures["agenda_warm_new_process_quota"] = _quota(fake)

        fake.reset()
        started = time.perf_counter()
        baseline_script(fake, keys, kinds)
        figures["baseline_cold_seconds"] = time.perf_counter() - started
        figures["baseline_cold_requests"] = len(fake.log)
        figures["baseline_cold_quota"] = _quota(fake)
    figures["baseline_to_agenda_cold_request_ratio"] = (
        figures["baseline_cold_requests"] / figures["agenda_cold_requests"]
    )


def _org1000(figures: dict[str, float]) -> None:
    items = generate_org("bench", repos=20, total=1000, seed=1)
    keys = [i.key for i in items]
    with FakeGitHub(items) as fake, tempfile.TemporaryDirectory() as home:
        config = _config(fake)
        cache = ItemCache(Path(home) / "github-cache.sqlite3")
        started = time.perf_counter()
        result = fetch_items(keys, config, cache=cache)
        assert result.ok, result.errors
        figures["org1000_cold_seconds"] = time.perf_counter() - started
        figures["org1000_cold_requests"] = len(fake.log)
        figures["org1000_cold_quota"] = _quota(fake)
        fake.reset()
        fetch_items(keys, config, cache=cache)
        figures["org1000_warm_requests"] = len(fake.log)
        figures["org1000_warm_quota"] = _quota(fake)


def run() -> dict[str, float]:
    """Requests and quota for the demo agenda (cold, warm, baseline) and for 1,000 items."""
    figures: dict[str, float] = {}
    _agenda(figures)
    _org1000(figures)
    baseline, ours = figures["baseline_cold_requests"], figures["agenda_cold_requests"]
    ratio = figures["baseline_to_agenda_cold_request_ratio"]
    print(f"  REST baseline: {baseline:.0f} requests for the 16 demo items, {ratio:.1f}x our {ours:.0f}")
    return figures
