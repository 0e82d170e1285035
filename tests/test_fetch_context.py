"""What the agenda fetch reads besides the conversation, in the same GraphQL request: label, reference,
link and assignment events; the repository's visibility; its maintainers from its OWNERS file (issue 10's
facts, fetched live for issue 9)."""

import dataclasses
import json
from datetime import timedelta

from tests.conftest import FAKE_TOKEN, LIBS_470
from tests.fakegithub import generate_org
from tests.fakegithub.store import MAINTAINERS_FILE
from triage.cli import main
from triage.facts import Event, ItemKey
from triage.github.agenda_fetch import fetch_items
from triage.github.scan import fetch_open_pulls
from triage.github.scan_queries import ScanTarget

LIBS_1557 = ItemKey("falcosecurity/libs", 1557)
APPROVERS = {
    repo: frozenset(login.lower() for login in logins)
    for repo, logins in json.loads(MAINTAINERS_FILE.read_text())["approvers_by_repo_2023_12_14"].items()
}


def _with_context_events(fake):
    """libs#1557 as GitHub would show it after a label, a reference, a link, an assignment and an unlabel."""
    truth = fake.truth(LIBS_1557)
    at = truth.updated_at
    events = (
        Event("FedeDP", at + timedelta(hours=1), "labeled", None, "User", detail="kind/feature"),
        Event("Andreagit97", at + timedelta(hours=2), "cross_referenced", None, "User",
              detail="falcosecurity/libs#1575"),
        Event("Andreagit97", at + timedelta(hours=3), "connected", None, "User", detail="falcosecurity/libs#470"),
        Event("leogr", at + timedelta(hours=4), "assigned", None, "User", detail="Andreagit97"),
        Event("poiana", at + timedelta(hours=5), "unlabeled", None, "Bot", detail="needs-triage"),
    )
    return fake.update_item(LIBS_1557, events=(*truth.events, *events), updated_at=at + timedelta(hours=5))


def test_label_reference_link_and_assignment_events_are_read_with_what_they_were_about(fake_github, github_config):
    truth = _with_context_events(fake_github)
    (item,) = fetch_items([LIBS_1557], github_config).items
    read = [(e.kind, e.actor, e.detail) for e in item.events if e.detail is not None]
    assert read == [
        ("labeled", "FedeDP", "kind/feature"),
        ("cross_referenced", "Andreagit97", "falcosecurity/libs#1575"),
        ("connected", "Andreagit97", "falcosecurity/libs#470"),  # the other end of the link, not this thread
        ("assigned", "leogr", "Andreagit97"),
        ("unlabeled", "poiana[bot]", "needs-triage"),  # GraphQL names bots without [bot]; we keep REST's form
    ]
    assert dataclasses.replace(item, observed_at=None, note=None) == dataclasses.replace(
        truth, observed_at=None, note=None,
        events=tuple(dataclasses.replace(e, actor="poiana[bot]") if e.actor == "poiana" else e for e in item.events),
    )
    assert item.label_history  # the whole timeline was read: every label change is there


def test_a_cut_timeline_says_the_label_history_is_not_known(fake_github, github_config):
    start = fake_github.truth(LIBS_1557).created_at
    for n in range(120):
        fake_github.add_comment(LIBS_1557, f"user{n}", association="NONE", at=start + timedelta(hours=n))
    (item,) = fetch_items([LIBS_1557], github_config).items
    assert not item.timeline_complete and not item.label_history


def test_the_repositorys_visibility_is_read(fake_github, github_config):
    fake_github.grant_private("falcosecurity/libs")
    public, private = fetch_items([ItemKey("falcosecurity/falco", 1340), LIBS_470], github_config).items
    assert (public.private, private.private) == (False, True)


def test_maintainers_come_from_each_repositorys_owners_file_in_the_same_request(
    fake_github, github_config, demo_keys, item_cache
):
    cold = fetch_items(demo_keys, github_config, cache=item_cache)
    assert len(fake_github.requests("^/graphql$")) == 1  # no request of its own
    repos = ("falcosecurity/falco", "falcosecurity/libs", "falcosecurity/plugins")
    expected = {repo: APPROVERS[repo] for repo in repos}
    assert cold.maintainers == expected
    assert len(expected["falcosecurity/plugins"]) == 3 and "molter73" in expected["falcosecurity/libs"]
    assert "fntlnz" not in expected["falcosecurity/falco"]  # an emeritus approver is not a maintainer
    fake_github.reset()
    warm = fetch_items(demo_keys, github_config, cache=item_cache)
    assert sum(fake_github.quota_spent().values()) == 0
    assert warm.maintainers == expected  # kept in the cache as logins (never the file's text)
    assert "approvers:" not in item_cache.path.read_bytes().decode("utf-8", "replace")


def test_triage_fetch_writes_maintainers_by_repository(fake_github, monkeypatch, tmp_path, capsys):
    from tests.test_cli_fetch import MINUTES

    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    out = tmp_path / "facts.json"
    assert main(["fetch", str(MINUTES), "--api-url", fake_github.url, "--out", str(out)]) == 0
    by_repo = json.loads(out.read_text())["facts"]["people"]["by_repo"]
    assert by_repo["falcosecurity/plugins"] == sorted(APPROVERS["falcosecurity/plugins"])
    assert set(by_repo) == {"falcosecurity/falco", "falcosecurity/libs", "falcosecurity/plugins"}


def test_a_scan_reads_maintainers_and_visibility_at_discovery(fake_github, github_config):
    items = generate_org("acme", repos=2, prs_per_repo=4, seed=3, issue_share=0)
    fake_github.add_items(items)
    fake_github.add_file("acme/" + items[0].repo.split("/")[1], ".github/CODEOWNERS", "* @Alice @acme/team\n")
    fake_github.grant_private(items[0].repo)
    result = fetch_open_pulls(ScanTarget(org="acme"), github_config)
    assert result.maintainers == {items[0].repo.lower(): frozenset({"alice"})}
    assert {i.private for i in result.items if i.repo == items[0].repo} == {True}
    assert {i.private for i in result.items if i.repo != items[0].repo} == {False}
