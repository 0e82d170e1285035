"""Who is served what from the GitHub cache (issue 12, D1): private facts go only to the login that
read them, never to another account, a rejected token or no token; a failed fetch says so and shows
the facts it kept as stale, never as fetched. Against a fake GitHub that knows two accounts, one of
which may read the private falcosecurity/libs."""

import dataclasses
from datetime import timedelta

import pytest

from tests.conftest import LIBS_470
from tests.fakegithub import FakeGitHub
from triage.github.agenda_fetch import fetch_items
from triage.github.cache import PUBLIC
from triage.github.config import GitHubConfig

ALICE = "ghp_AliceToken0123456789abcdefghijklmn"  # may read falcosecurity/libs
BOB = "ghp_BobToken0123456789abcdefghijklmnopq"  # may not
REJECTED = "ghp_RevokedToken0123456789abcdefghijk"
PRIVATE = "falcosecurity/libs"
FALCO_1340 = "falcosecurity/falco#1340"  # public, on the demo agenda


@pytest.fixture(scope="module")
def accounts_server():
    fake = FakeGitHub.demo(tokens={ALICE, BOB}, users={ALICE: "alice", BOB: "bob"}).start()
    yield fake
    fake.stop()


@pytest.fixture
def accounts(accounts_server):
    accounts_server.reset()
    accounts_server.grant_private(PRIVATE, readers={"alice"})
    yield accounts_server
    accounts_server.reset()


def config(fake: FakeGitHub, token: str | None, **changes) -> GitHubConfig:
    return GitHubConfig(api_url=fake.url, token=token, timeout=5, retries=0, backoff_factor=0,
                        secondary_wait=0.1, max_wait=1, seconds_between_requests=None, **changes)


def by_ref(result):
    return {i.ref: i for i in result.items}


def test_alice_reads_the_private_repository_and_the_cache_keeps_it_under_her_login(accounts, demo_keys, item_cache):
    first = by_ref(fetch_items(demo_keys, config(accounts, ALICE), cache=item_cache))
    assert first[LIBS_470.ref].status == "ok" and first[LIBS_470.ref].private is True
    entries = item_cache.get_entries(config(accounts, ALICE).scope, demo_keys)
    assert {e.identity for e in entries[LIBS_470]} == {"alice"}
    assert {e.identity for k, found in entries.items() if k.repo != PRIVATE for e in found} == {PUBLIC}
    data = item_cache.path.read_bytes()
    assert ALICE.encode() not in data and b"AliceToken" not in data  # never the token, in any part


@pytest.mark.parametrize("token", [REJECTED, None], ids=["rejected-token", "no-token"])
def test_a_failed_fetch_never_serves_private_facts_and_shows_public_ones_as_stale(
    accounts, demo_keys, item_cache, token
):
    # issue 12, D1: after token A fetched, a rejected token (401) or no token got A's titles with status ok.
    fetch_items(demo_keys, config(accounts, ALICE), cache=item_cache)
    result = fetch_items(demo_keys, config(accounts, token, max_age=timedelta(0)), cache=item_cache)
    items = by_ref(result)
    assert result.errors[0].startswith(("GitHub refused the request (401", "GitHub rejected the token"))
    libs = [i for i in result.items if i.repo == PRIVATE]
    assert libs and all(i.title is None and i.status == "error" and not i.found for i in libs)
    falco = items[FALCO_1340]
    assert falco.status == "stale" and falco.title  # public facts kept, marked stale, never "ok"
    assert falco.status_detail.startswith("not refreshed (not fetched: GitHub rejected the token); facts as read ")
    assert result.from_cache == 0 and not any(i.status == "ok" for i in result.items)
    assert result.maintainers.get(PRIVATE) is None  # a private repository's OWNERS names its people too


def test_another_account_is_never_served_private_facts_even_when_they_are_fresh(accounts, demo_keys, item_cache):
    # issue 12, D1: the cache was keyed by API address and item only.
    fresh = {"fresh_for": timedelta(hours=1)}
    fetch_items(demo_keys, config(accounts, ALICE, **fresh), cache=item_cache)
    accounts.clear_log()
    bob = by_ref(fetch_items(demo_keys, config(accounts, BOB, **fresh), cache=item_cache))
    libs = [i for i in bob.values() if i.repo == PRIVATE]
    assert libs and all(i.status == "not_found" and i.title is None for i in libs)
    assert bob[FALCO_1340].status == "ok" and bob[FALCO_1340].title  # public facts are anyone's
    # GitHub is asked who Bob is (one point), then for libs alone: the rest is public and fresh.
    asked = [r.json for r in accounts.requests("^/graphql$")]
    assert [a["query"].split("{")[0].split("(")[0] for a in asked] == ["query TriageViewer ", "query TriageItems"]
    assert asked[1]["variables"] == {"o0": "falcosecurity", "n0": "libs"}
    # Bob's "not found" is his own answer: Alice is still served her facts, after one look at who she is.
    accounts.clear_log()
    alice = fetch_items(demo_keys, config(accounts, ALICE, **fresh), cache=item_cache)
    assert by_ref(alice)[LIBS_470.ref].status == "ok" and by_ref(alice)[LIBS_470.ref].title
    queries = [r.json["query"] for r in accounts.requests("^/graphql$")]
    assert len(queries) == 1 and queries[0].startswith("query TriageViewer")
    assert alice.requests == 1 and alice.from_cache == len(demo_keys)


def test_a_public_item_answered_not_found_is_the_same_for_everyone(accounts, demo_keys, item_cache):
    # The demo's unknown items are missing from public repositories: no account check is needed for them.
    fresh = {"fresh_for": timedelta(hours=1)}
    public = [k for k in demo_keys if k.repo != PRIVATE]
    first = fetch_items(public, config(accounts, BOB, **fresh), cache=item_cache)
    assert any(i.status == "not_found" for i in first.items)
    accounts.clear_log()
    again = fetch_items(public, config(accounts, ALICE, **fresh), cache=item_cache)
    assert again.requests == 0 and again.from_cache == len(public)
    assert [i.status for i in again.items] == [i.status for i in first.items]


def test_a_repository_made_private_is_no_longer_served_as_it_was(accounts, demo_keys, item_cache):
    accounts.reset()  # libs public at first: cached for anyone
    fetch_items(demo_keys, config(accounts, ALICE), cache=item_cache)
    accounts.grant_private(PRIVATE, readers={"alice"})
    fetch_items(demo_keys, config(accounts, ALICE, max_age=timedelta(0)), cache=item_cache)
    entries = item_cache.get_entries(config(accounts, ALICE).scope, [LIBS_470])[LIBS_470]
    assert [e.identity for e in entries] == ["alice"]
    result = fetch_items([LIBS_470], dataclasses.replace(config(accounts, None), fresh_for=timedelta(hours=1)),
                         cache=item_cache)
    assert result.items[0].title is None


def test_the_cli_counts_stale_facts_apart_from_fetched_ones(accounts, tmp_path, monkeypatch, capsys):
    # issue 12: stale cached facts were reported as "Fetched all ... 0 from the cache" beside a 401.
    from triage import cli

    minutes = tmp_path / "m.md"
    minutes.write_text("- https://github.com/falcosecurity/falco/pull/1340\n"
                       "- https://github.com/falcosecurity/libs/pull/470\n")
    monkeypatch.setenv("GITHUB_API_URL", accounts.url)
    monkeypatch.setenv("GITHUB_TOKEN", ALICE)
    assert cli.main(["fetch", str(minutes), "--out", str(tmp_path / "a.json")]) == 0
    capsys.readouterr()
    monkeypatch.setenv("GITHUB_TOKEN", REJECTED)
    assert cli.main(["fetch", str(minutes), "--out", str(tmp_path / "b.json")]) == 1  # partial: stale facts
    err = capsys.readouterr().err.splitlines()
    summary = next(n for n, line in enumerate(err) if " items fetched in " in line)
    assert err[summary:] == [
        "0 of 2 items fetched in 1 requests (0 from the cache, 1 kept from an earlier run but not refreshed)",
        err[summary + 1],
        "  falcosecurity/libs#470: not fetched: GitHub rejected the token",
        "triage: warning: GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN or the token in "
        "the sidebar",
    ]
    assert err[summary + 1].startswith(
        "  falcosecurity/falco#1340: not refreshed (not fetched: GitHub rejected the token); facts as read ")


def test_a_visitor_without_a_token_is_not_shown_another_sessions_facts_in_the_app(fake_github, monkeypatch):
    # issue 12, D1: in the app, a session with no token saw "Fetched all 2 items" with another session's data.
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import FAKE_TOKEN
    from tests.test_app import APP

    st.cache_data.clear()
    fake_github.grant_private(PRIVATE)
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url)
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)

    def fetch() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page("app_pages/agenda.py").run()
        at.radio(key="agenda_source").set_value("The demo's minutes").run()
        return at.button(key="fetch").click().run()

    monkeypatch.setenv("TRIAGE_SERVER_TOKEN", "anyone")
    assert fetch().warning[0].value.startswith("Fetched 15 of 16 items")  # evolution#345 was never seen
    monkeypatch.delenv("TRIAGE_SERVER_TOKEN")  # the next visitor, not signed in, may not use the server's token
    at = fetch()
    assert not at.exception and not any(s.value.startswith("Fetched") for s in at.success)
    warning = at.warning[0].value
    assert warning.startswith("Fetched 0 of 16 items")
    assert ("- falcosecurity/falco#1340: not refreshed (not fetched: GitHub rejected the token); facts as read "
            in warning)
    assert "- falcosecurity/libs#470: not fetched: GitHub rejected the token" in warning
    at.switch_page("app_pages/ranking.py").run()
    at.toggle(key="filter_resolved").set_value(True).run()
    table = next(d.value for d in at.dataframe if "Title" in d.value.columns and "Item" in d.value.columns)
    libs = table[table["Repo"] == PRIVATE]
    assert len(libs) == 10 and set(libs["Title"]) == {"(title unknown)"}
