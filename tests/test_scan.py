"""Scanning repositories and organisations: real PyGithub over HTTP against the fake GitHub, with
hand-made timelines for every "waiting on" case, and the pure parts (input, filters, packing)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FAKE_TOKEN
from tests.fakegithub import FakeGitHub, faults, generate_org
from tests.fakegithub.generate import spread
from tests.fakegithub.graphql_endpoint import check
from tests.one_item import compute
from triage import scan
from triage.cli import main
from triage.facts import Event, ItemFacts, ItemKey, People
from triage.github.config import GitHubConfig
from triage.github.scan import fetch_open_pulls
from triage.github.scan_pages import PAGE_SIZE, QUERY_ITEMS, PageAnswer, Planner
from triage.github.scan_queries import RepoInfo, ScanInputError, ScanTarget, org_query, repos_query
from triage.meeting import demo_meeting
from triage.ranking.scoring import with_reasons
from triage.ranking.turns import (
    AUTHOR_SPOKE_LAST,
    CHANGES_REQUESTED,
    CI_FAILING,
    MAINTAINER_SPOKE_LAST,
    MERGE_CONFLICTS,
    NO_REPLY_YET,
    RESOLVED,
    REVIEW_REQUESTED,
)
from triage.ranking.weights import load_config

NOW = datetime.now(UTC).replace(microsecond=0)
REPO = "handmade/widgets"


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def ev(actor, days, kind="comment", association="CONTRIBUTOR", actor_type="User", state=None) -> Event:
    return Event(actor, ago(days), kind, association, actor_type, state)


def pr(number, events, *, author="alice", association="CONTRIBUTOR", author_type="User", **facts) -> ItemFacts:
    """An open PR as GitHub would hold it: green, mergeable, no pending review unless told otherwise."""
    base = dict(
        kind="pull", url=f"https://github.com/{REPO}/pull/{number}", title=f"Change {number}", state="open",
        draft=False, merged=False, author=author, author_association=association, author_type=author_type,
        labels=(), created_at=events[0].at, updated_at=events[-1].at, timeline_complete=True,
        comments_count=sum(e.kind == "comment" for e in events), reactions=0, review_decision=None,
        review_requests=0, ci_status="SUCCESS", mergeable=True, additions=10, deletions=2, changed_files=1,
    )
    base.update(facts)
    return ItemFacts(key=ItemKey(REPO, number), events=tuple(events), **base)


def opened(days, author="alice", association="CONTRIBUTOR", actor_type="User") -> Event:
    return ev(author, days, "description", association, actor_type)


MAINTAINER = dict(association="MEMBER")
# One open PR per "waiting on" case: (bucket, reason, days in the bucket).
HANDMADE = {
    1: (pr(1, [opened(40), ev("mia", 30, **MAINTAINER), ev("alice", 20)]),
        ("maintainers", AUTHOR_SPOKE_LAST, 20)),
    2: (pr(2, [opened(15), ev("mia", 12, **MAINTAINER), ev("alice", 10, "review_requested")], review_requests=1),
        ("maintainers", REVIEW_REQUESTED, 10)),
    3: (pr(3, [opened(30), ev("mia", 5, "review", state="CHANGES_REQUESTED", **MAINTAINER)],
           review_decision="CHANGES_REQUESTED"),
        ("author", CHANGES_REQUESTED, 5)),
    4: (pr(4, [opened(30), ev("mia", 6, "review", state="CHANGES_REQUESTED", **MAINTAINER),
               ev("alice", 3, "commit")], review_decision="CHANGES_REQUESTED"),
        ("maintainers", AUTHOR_SPOKE_LAST, 3)),
    5: (pr(5, [opened(10)], ci_status="FAILURE"), ("author", CI_FAILING, 10)),
    6: (pr(6, [opened(9), ev("alice", 8)], mergeable=False), ("author", MERGE_CONFLICTS, 8)),
    7: (pr(7, [opened(25), ev("mia", 4, **MAINTAINER)]), ("author", MAINTAINER_SPOKE_LAST, 4)),
    8: (pr(8, [opened(50, "dependabot[bot]", "NONE", "Bot")], author="dependabot[bot]", association="NONE",
           author_type="Bot", labels=("dependencies",)), ("bot", NO_REPLY_YET, 50)),
    9: (pr(9, [opened(12, "renovate[bot]", "NONE", "Bot")], author="renovate[bot]", association="NONE",
           author_type="Bot"), ("bot", NO_REPLY_YET, 12)),
    10: (pr(10, [opened(7, "ci-robot", "NONE")], author="ci-robot", association="NONE"), ("bot", NO_REPLY_YET, 7)),
    11: (pr(11, [opened(3, "newbie", "FIRST_TIME_CONTRIBUTOR")], author="newbie",
            association="FIRST_TIME_CONTRIBUTOR", draft=True), ("maintainers", NO_REPLY_YET, 3)),
}
PEOPLE = People.of(bots=["ci-robot"])


@pytest.fixture(scope="module")
def handmade():
    fake = FakeGitHub([item for item, _ in HANDMADE.values()]).start()
    yield fake
    fake.stop()


def config_for(fake: FakeGitHub, **overrides) -> GitHubConfig:
    values = dict(api_url=fake.url, token=FAKE_TOKEN, timeout=5, retries=2, backoff_factor=0,
                  secondary_wait=0.1, max_wait=1, seconds_between_requests=None)
    values.update(overrides)
    return GitHubConfig(**values)


@pytest.fixture(scope="module")
def handmade_scan(handmade):
    handmade.reset()
    result = scan.run(ScanTarget(repos=(REPO,)), config_for(handmade), people=PEOPLE)
    frame = with_reasons(scan.evaluate(result, load_config().preset().params, PEOPLE))
    return result, frame.set_index("number")


# --- whose turn: every case, read back from the fake by the real PyGithub client --------------------------


@pytest.mark.parametrize("number", sorted(HANDMADE))
def test_each_handmade_timeline_lands_in_its_bucket_for_its_reason(handmade_scan, number):
    _, frame = handmade_scan
    bucket, reason, days = HANDMADE[number][1]
    row = frame.loc[number]
    assert row["bucket"] == bucket
    assert row["ball_reason"] == reason
    assert row["ball_days"] == days


def test_the_waiting_reason_is_the_criterions_why(handmade_scan):
    _, frame = handmade_scan
    assert frame.loc[2, "why_waiting_on_maintainers"] == (
        f"waiting 10 days on maintainers since {ago(10):%Y-%m-%d} (review requested, not given)")
    assert frame.loc[5, "why_waiting_on_maintainers"] == f"the author's turn: CI failing since {ago(10):%Y-%m-%d}"
    assert frame.loc[6, "why_waiting_on_maintainers"].startswith("the author's turn: merge conflicts")
    assert frame.loc[7, "why_waiting_on_maintainers"] == (
        f"maintainers replied on {ago(4):%Y-%m-%d}; the author's turn")


def test_bots_and_dependency_bots_get_their_own_bucket(handmade_scan):
    result, frame = handmade_scan
    assert set(frame.index[frame["bot"]]) == {8, 9, 10}  # dependabot, renovate, the configured ci-robot
    assert set(frame.index[frame["dependency_bot"]]) == {8, 9}
    by_number = {i.number: i for i in result.facts.items}
    assert by_number[8].author == "dependabot[bot]"  # GraphQL's "dependabot" (a Bot) read back with its suffix
    assert not scan.is_bot_item(by_number[10], People())  # a plain User account: a bot only when configured
    assert frame.loc[11, "first_time"] and not frame.loc[1, "first_time"]


def test_a_resolved_pr_is_nobodys_turn():
    merged = replace(HANDMADE[1][0], state="merged", merged=True, merged_at=ago(2), closed_at=ago(2))
    s = compute(merged, NOW, People())
    assert (s.ball, s.ball_reason) == ("nobody", RESOLVED)
    assert scan.bucket_of(s.ball, bot=False) == "nobody"
    assert scan.bucket_of(None, bot=False) == "nobody"  # nothing dated known
    assert scan.bucket_of("maintainers", bot=True) == "bot"


def test_current_state_facts_do_not_rewrite_history():
    # CI and mergeability are what GitHub says now: they must not decide a meeting two years ago.
    failing, _ = HANDMADE[5]
    observed = replace(failing, observed_at=NOW)
    assert compute(observed, NOW, People()).ball_reason == CI_FAILING
    assert compute(observed, ago(2), People()).ball == "maintainers"


def test_filters_keep_what_they_say(handmade_scan):
    _, frame = handmade_scan
    frame = frame.reset_index()
    default = scan.select(frame, scan.ScanFilter())
    assert set(default["number"]) == {1, 2, 4}  # waiting on maintainers, no drafts, no bots
    assert set(scan.select(frame, scan.ScanFilter(min_waiting=10))["number"]) == {1, 2}
    assert set(scan.select(frame, scan.ScanFilter(include_drafts=True))["number"]) == {1, 2, 4, 11}
    assert set(scan.select(frame, scan.ScanFilter(include_bots=True))["number"]) == {1, 2, 4, 8, 9, 10}
    assert set(scan.select(frame, scan.ScanFilter(waiting_on=("author",)))["number"]) == {3, 5, 6, 7}


def test_scanned_items_rank_exactly_as_on_the_agenda(handmade_scan):
    from triage.ranking import scoring

    result, frame = handmade_scan
    preset = load_config().preset()
    ranked = scan.rank(scan.select(frame.reset_index(), scan.ScanFilter(waiting_on=("maintainers", "author"))),
                       preset.weights)
    agenda = scoring.rank_items(result.facts, preset.weights, preset.params, result.as_of, people=PEOPLE)
    scores = dict(zip(agenda["ref"], agenda["score"], strict=True))
    assert [scores[r] for r in ranked["ref"]] == list(ranked["score"])
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert ranked["score"].is_monotonic_decreasing


# --- pagination, packing and request counts ------------------------------------------------------------------


@pytest.fixture(scope="module")
def org_fake():
    # 740 PRs (about 490 open) and issues over 4 repositories of very different sizes.
    items = generate_org("scanco", repos=4, total=980, seed=11, skew=1.0)
    fake = FakeGitHub(items).start()
    yield fake, items
    fake.stop()


def _asked(request) -> list[tuple[str, int]]:
    """(owner/name, items asked for) of each alias of a page query, in the query's order."""
    variables = request.json["variables"]
    return [(f"{variables[f'o{n}']}/{variables[f'n{n}']}", variables[f"f{n}"])
            for n in range(len([k for k in variables if k.startswith("f")]))]


def test_an_org_scan_takes_as_many_page_queries_as_its_biggest_repo_has_pages(org_fake):
    # issue 13: the request floor. A repository's pages follow one another (each needs the last
    # cursor); every other repository's pages ride along in those queries.
    fake, items = org_fake
    fake.reset()
    result = fetch_open_pulls(ScanTarget(org="scanco"), config_for(fake))
    expected = {i.key for i in items if i.kind == "pull" and i.state == "open"}
    keys = [i.key for i in result.items]
    assert len(keys) == len(set(keys)) and set(keys) == expected
    per_repo = {repo: sum(k.repo == repo for k in expected) for repo in {k.repo for k in expected}}
    biggest = max(per_repo, key=per_repo.__getitem__)
    pages = -(-per_repo[biggest] // PAGE_SIZE)
    assert result.requests == len(fake.requests("^/graphql$")) == 1 + pages  # discovery, then the floor
    asked = [_asked(r) for r in fake.requests("^/graphql$")[1:]]
    assert all(a[0] == (biggest, min(PAGE_SIZE, per_repo[biggest] - PAGE_SIZE * n)) for n, a in enumerate(asked))
    assert len(asked[0]) > 1  # the others ride along from the first query on
    assert result.complete and not result.errors
    # ~4 points per 100 PRs: labels, reactions, review requests and timeline are 4 connections per PR.
    assert fake.quota_spent()["graphql"] <= 1 + 4 * sum(-(-n // PAGE_SIZE) for n in per_repo.values())
    assert FAKE_TOKEN not in repr(result)


def test_scanned_facts_are_the_facts_the_fake_serves(org_fake):
    fake, _ = org_fake
    fake.reset()
    result = fetch_open_pulls(ScanTarget(repos=("scanco/libs",)), config_for(fake))
    assert result.items
    for item in result.items[:50]:
        truth = fake.truth(item.key)
        assert (item.title, item.author, item.author_association, item.draft, item.labels) == (
            truth.title, truth.author, truth.author_association, truth.draft, truth.labels)
        assert (item.review_decision, item.review_requests, item.ci_status, item.mergeable) == (
            truth.review_decision, truth.review_requests, truth.ci_status, truth.mergeable)
        served = [(e.actor, e.at, e.kind) for e in truth.events if e.kind != "review_thread"]
        assert [(e.actor, e.at, e.kind) for e in item.events] == served


def test_issues_are_read_only_when_asked(org_fake):
    fake, items = org_fake
    fake.reset()
    result = fetch_open_pulls(ScanTarget(org="scanco"), config_for(fake), include_issues=True)
    assert {i.key for i in result.items} == {i.key for i in items if i.state == "open"}
    assert {r.kind for r in result.repos} == {"pull", "issue"}


def test_progress_counts_items_up_to_the_total(org_fake):
    fake, items = org_fake
    fake.reset()
    seen: list[tuple[int, int]] = []
    fetch_open_pulls(ScanTarget(org="scanco"), config_for(fake), progress=lambda d, t: seen.append((d, t)))
    total = sum(i.kind == "pull" and i.state == "open" for i in items)
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_scan_writes_what_it_read_to_the_cache(org_fake, item_cache):
    fake, _ = org_fake
    fake.reset()
    result = fetch_open_pulls(ScanTarget(repos=("scanco/plugins",)), config_for(fake), cache=item_cache)
    cached = item_cache.get_items(config_for(fake).scope, [i.key for i in result.items])
    assert set(cached) == {i.key for i in result.items}
    assert all(c.probe_repo == "scanco/plugins" for c in cached.values())


# --- failures: kept, and said in a sentence ------------------------------------------------------------------


def test_a_repo_that_disappears_mid_scan_is_reported_and_the_rest_is_kept(org_fake):
    fake, items = org_fake
    fake.reset()
    open_prs = {i.key for i in items if i.kind == "pull" and i.state == "open"}
    biggest = max({k.repo for k in open_prs}, key=lambda r: sum(k.repo == r for k in open_prs))

    def progress(done: int, total: int) -> None:
        if done > 0:  # after the first page: GitHub stops showing the biggest repository
            fake.make_private(biggest)

    result = fetch_open_pulls(ScanTarget(org="scanco"), config_for(fake), progress=progress)
    (error,) = result.errors
    read = sum(i.repo == biggest for i in result.items)
    total = sum(k.repo == biggest for k in open_prs)
    assert error == (f"{biggest} could not be read to the end: GitHub no longer shows it (deleted, or made "
                     f"private during the scan); {read} of its {total} open pull requests were read")
    assert 0 < read < total
    others = {k for k in open_prs if k.repo != biggest}
    assert others <= {i.key for i in result.items}  # every other repository was read to the end
    assert not result.complete


def test_items_github_lists_but_answers_with_an_error_are_counted_not_dropped(org_fake):
    # GitHub nulls a listed node whose fields fail (a SAML-protected item, a timeout inside it) and keeps
    # the rest of the page: the scan read the others but once dropped those silently.
    fake, items = org_fake
    fake.reset()
    plugins = sorted((i.key for i in items if i.repo == "scanco/plugins" and i.kind == "pull" and i.state == "open"),
                     key=lambda k: k.number)
    broken = plugins[:2]
    for key in broken:
        fake.item_error(key)
    try:
        result = fetch_open_pulls(ScanTarget(repos=("scanco/plugins",)), config_for(fake))
    finally:
        fake.reset()
    assert {i.key for i in result.items} == set(plugins) - set(broken)
    assert result.errors == ("2 open items that GitHub listed could not be read (GitHub answered them with an"
                             " error) and are not in the scan",)
    assert not result.complete


def test_a_missing_repo_among_named_ones_is_a_sentence_and_the_others_are_read(org_fake):
    fake, items = org_fake
    fake.reset()
    result = fetch_open_pulls(ScanTarget(repos=("scanco/libs", "scanco/nope")), config_for(fake))
    assert result.errors == (
        "GitHub does not show the repository scanco/nope: it does not exist, or it is private to the token",)
    assert {i.key for i in result.items} == {
        i.key for i in items if i.repo == "scanco/libs" and i.kind == "pull" and i.state == "open"}


def test_an_unknown_org_is_a_sentence(org_fake):
    fake, _ = org_fake
    fake.reset()
    result = fetch_open_pulls(ScanTarget(org="nosuchorg"), config_for(fake))
    assert result.errors == (
        "GitHub does not show the organisation nosuchorg: it does not exist, or it is private to the token",)
    assert result.items == () and result.requests == 1


def test_a_secondary_rate_limit_mid_scan_is_waited_out_within_the_cap(org_fake):
    fake, items = org_fake
    fake.reset()
    limit = fake.inject(faults.secondary_rate_limit(retry_after=1, path="^/graphql$", skip=2, times=1))
    result = fetch_open_pulls(ScanTarget(org="scanco"), config_for(fake, max_wait=2))
    assert limit.hits == 1 and result.complete
    assert {i.key for i in result.items} == {i.key for i in items if i.kind == "pull" and i.state == "open"}
    asked = fake.requests("^/graphql$")
    assert [r.status for r in asked[:4]] == [200, 200, 403, 200]
    assert asked[3].body == asked[2].body  # the limited page was asked for again, and answered
    assert [r.status for r in asked].count(403) == 1


def test_a_secondary_rate_limit_beyond_the_cap_stops_the_scan_with_a_sentence(org_fake):
    fake, _ = org_fake
    fake.reset()
    fake.inject(faults.secondary_rate_limit(retry_after=3600, path="^/graphql$", skip=2, times=None))
    result = fetch_open_pulls(ScanTarget(org="scanco"), config_for(fake, max_wait=1))
    (error,) = result.errors
    assert error.startswith("GitHub's secondary rate limit was reached; try again after ")
    said = datetime.strptime(error.removesuffix(" UTC")[-5:], "%H:%M").time()
    expected = datetime.now(UTC) + timedelta(seconds=3600)
    assert abs(expected.hour * 60 + expected.minute - said.hour * 60 - said.minute) % (24 * 60) <= 1
    assert len(result.items) == sum(n for _, n in _asked(fake.requests("^/graphql$")[1]))  # the first page is kept
    assert len(fake.requests("^/graphql$")) == 3  # discovery, one page, the limited page: no hammering
    assert not result.complete and all(r.error == error for r in result.repos if r.fetched < r.expected)


def test_a_page_that_times_out_is_retried_smaller(org_fake):
    fake, items = org_fake
    fake.reset()
    fake.inject(faults.graphql_timeout(skip=1, times=1))
    result = fetch_open_pulls(ScanTarget(org="scanco"), config_for(fake))
    assert result.complete
    assert {i.key for i in result.items} == {i.key for i in items if i.kind == "pull" and i.state == "open"}
    sizes = [sum(n for _, n in _asked(r)) for r in fake.requests("^/graphql$")[1:]]
    assert sizes[1] == sizes[0] // 2 and sizes[0] > PAGE_SIZE


def test_a_renamed_repo_is_scanned_under_its_new_name(org_fake):
    fake, _ = org_fake
    fake.reset()
    fake.rename_repo("scanco/rules", "scanco/rules-engine")
    result = fetch_open_pulls(ScanTarget(repos=("scanco/rules",)), config_for(fake))
    assert result.notes == ("scanco/rules is now scanco/rules-engine; scanned under its new name",)
    assert result.items and {i.repo for i in result.items} == {"scanco/rules-engine"}


def test_a_repo_named_under_its_old_and_new_names_is_read_once(org_fake):
    fake, _ = org_fake
    fake.reset()
    fake.rename_repo("scanco/rules", "scanco/rules-engine")
    result = fetch_open_pulls(ScanTarget(repos=("scanco/rules", "scanco/rules-engine")), config_for(fake))
    keys = [i.key for i in result.items]
    assert keys and len(keys) == len(set(keys))
    assert len(fake.requests("^/graphql$")) == 2  # discovery, then one page: not the same pages twice


# --- the queries: valid against GitHub's schema, and priced as GitHub would --------------------------------------


def test_every_scan_query_validates_against_the_schema():
    streams = Planner()
    streams.add(RepoInfo("o/a", False, 30, 5), ("pull", "issue"))
    streams.add(RepoInfo("o/b", False, 150, 0), ("pull", "issue"))
    plan = streams.next_page()
    assert plan is not None
    for text, variables in (org_query("o", None, True), repos_query(["o/a", "o/b"], False)):
        checked = check(text, variables)
        assert checked.errors == () and checked.price.cost <= 4
    checked = check(plan.text, plan.variables)
    assert [(streams.streams[s.stream].kind, s.first) for s in plan.slices] == [
        ("pull", 100), ("pull", 30), ("issue", 5)]
    # GitHub's price: 4 connections per PR and 3 per issue, one request per 100 of them.
    assert checked.errors == () and checked.price.cost == round((3 + 130 * 4 + 5 * 3) / 100)
    assert checked.price.nodes == plan.nodes(streams.streams)


def test_pages_are_packed_across_repositories_longest_first():
    planner = Planner()
    for name, count in (("o/mid", 60), ("o/big", 230), ("o/small", 5), ("o/archived", 40)):
        planner.add(RepoInfo(name, name == "o/archived", count, None), ("pull",))
    # 5 pages to read, 3 of them o/big's in a row: 2 pages a query end with it.
    plan = planner.next_page()
    assert [(planner.streams[s.stream].repo, s.first) for s in plan.slices] == [
        ("o/big", 100), ("o/mid", 60), ("o/small", 5)]
    _read(planner, plan)
    plan = planner.next_page()
    assert [(planner.streams[s.stream].repo, s.first) for s in plan.slices] == [("o/big", 100)]
    _read(planner, plan)
    assert [(planner.streams[s.stream].repo, s.first) for s in planner.next_page().slices] == [("o/big", 30)]
    assert "o/archived" not in {s.repo for s in planner.streams}


def _read(planner: Planner, plan) -> None:
    """As if GitHub answered `plan` in full: every stream moves on by what it asked for."""
    answer = PageAnswer(
        items={s.alias: [None] * s.first for s in plan.slices},
        pages={s.alias: (planner.streams[s.stream].fetched + s.first < planner.streams[s.stream].expected,
                         f"cursor{planner.streams[s.stream].fetched + s.first}") for s in plan.slices},
        failed={}, general=())
    planner.take(plan, answer)


def test_a_kubernetes_sized_org_is_read_at_the_floor_within_githubs_limits():
    # issue 13: 10,000 open PRs in 50 repositories, sized like kubernetes' (the bench's org): 23 page
    # queries, the biggest repository's pages, none past GitHub's node limit or the item budget.
    planner = Planner()
    sizes = spread(10_000, 50, 1.0)
    for n, count in enumerate(sizes):
        planner.add(RepoInfo(f"k/r{n}", False, count, None), ("pull",))
    plans = []
    while (plan := planner.next_page()) is not None:
        plans.append(plan)
        _read(planner, plan)
    assert len(plans) == -(-max(sizes) // PAGE_SIZE) == 23
    assert planner.fetched == 10_000
    assert max(p.size for p in plans) <= QUERY_ITEMS
    biggest = max(plans, key=lambda p: p.nodes(planner.streams))
    checked = check(biggest.text, biggest.variables)  # GitHub's rules, as the fake applies them
    assert checked.errors == () and checked.price.nodes == biggest.nodes(planner.streams) < 500_000


# --- input -------------------------------------------------------------------------------------------------------


def test_repos_are_read_from_commas_new_lines_and_links():
    assert scan.parse_repos("falcosecurity/libs, falcosecurity/falco\nhttps://github.com/falcosecurity/plugins/pulls"
                            " falcosecurity/libs") == ("falcosecurity/libs", "falcosecurity/falco",
                                                       "falcosecurity/plugins")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: scan.parse_repos("falcosecurity/libs libs"),
     "Invalid repository 'libs': expected owner/name, e.g. falcosecurity/libs"),
    (lambda: scan.target("bad org!"),
     "Invalid organisation 'bad org!': expected a GitHub login such as falcosecurity"),
    (lambda: scan.target(None, ()), "Name an organisation or at least one owner/repo to scan, not both"),
    (lambda: scan.ScanFilter(min_waiting=-3), "Minimum days waiting -3 must be a whole number of at least 0"),
    (lambda: scan.ScanFilter(waiting_on=("everyone",)),
     "Unknown bucket 'everyone'; expected one of maintainers, maintainers_own, author, nobody"),
])
def test_bad_input_is_refused_with_a_sentence_quoting_it(call, message):
    with pytest.raises((ScanInputError, scan.ScanFilterError)) as e:
        call()
    assert str(e.value) == message


# --- summaries and the agenda ------------------------------------------------------------------------------------


def test_charts_get_counts_not_rows(handmade_scan):
    _, frame = handmade_scan
    frame = frame.reset_index()
    hist = scan.waiting_histogram(frame)
    assert hist["items"].sum() == len(frame)
    assert set(hist["bucket"]) == {"waiting on maintainers", "waiting on the author", "bot"}
    repos = scan.repo_counts(frame)
    assert repos["items"].sum() == len(frame) and set(repos["repo"]) == {REPO}


def test_found_items_join_the_agenda_flagged_and_once(handmade_scan):
    result, _ = handmade_scan
    meeting = demo_meeting()
    chosen = [i for i in result.facts.items if i.number in (1, 2)]
    updated = scan.add_found(meeting, chosen + chosen[:1], "handmade/widgets", result.as_of)
    added = updated.refs[len(meeting.refs):]
    assert [r.ref for r in added] == [f"{REPO}#1", f"{REPO}#2"]
    assert all(r.flags == (scan.FOUND_FLAG,) and r.section == ("Found by scan", REPO) for r in added)
    assert updated.facts.items[-2:] == tuple(chosen) and updated.as_of == result.as_of
    assert "2 items added from a scan of handmade/widgets" in updated.facts.note
    assert scan.add_found(updated, chosen, REPO, result.as_of) is updated  # nothing new: unchanged
    assert scan.on_agenda(scan.rank(scan.evaluate(result, load_config().preset().params), {
        n: 1.0 for n in load_config().preset().weights}), updated).sum() == 2


# --- the command line ----------------------------------------------------------------------------------------------


def test_triage_scan_prints_the_waiting_prs_ranked(handmade, capsys, monkeypatch, tmp_path):
    handmade.reset()
    monkeypatch.setenv("GITHUB_API_URL", handmade.url)
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    code = main(["scan", "--repo", REPO, "--min-waiting", "5"])
    assert code == 0 and f"[{REPO}#10]" in capsys.readouterr().out  # ci-robot is a User account...
    settings = tmp_path / "triage.toml"
    settings.write_text('[people]\nbots = ["ci-robot"]\n')
    code = main(["scan", "--repo", REPO, "--min-waiting", "5", "--format", "markdown", "--weights", str(settings)])
    out, err = capsys.readouterr()
    assert code == 0 and f"[{REPO}#10]" not in out  # ...and a bot once the project says so
    lines = out.splitlines()
    assert lines[0] == (f"### Open items waiting on maintainers for 5+ days in {REPO}: 2 of 11, as of "
                        f"{datetime.now(UTC):%Y-%m-%d} (balanced)")
    refs = [line.split("[", 1)[1].split("]")[0] for line in lines[2:]]
    assert sorted(refs) == [f"{REPO}#1", f"{REPO}#2"] and lines[2].startswith("1. [")
    assert "(waiting on maintainers 20 d)" in out and "(waiting on maintainers 10 d)" in out
    assert "11 open items read from 1 repository in 2 requests" in err
    assert FAKE_TOKEN not in out + err


def test_triage_scan_json_and_csv_and_bots(handmade, capsys, monkeypatch):
    handmade.reset()
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    code = main(["scan", "--repo", REPO, "--api-url", handmade.url, "--include-bots", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)["items"]
    assert code == 0 and {r["ref"] for r in rows} == {f"{REPO}#{n}" for n in (1, 2, 4, 8, 9, 10)}
    code = main(["scan", "--repo", REPO, "--api-url", handmade.url, "--waiting-on", "author", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("rank,ref,title,url,kind,state,status,waiting_on,waiting_days,score,why")
    assert len(out.splitlines()) == 5  # header + PRs 3, 5, 6, 7


def test_triage_scan_reports_failures_and_bad_input(handmade, capsys, monkeypatch):
    handmade.reset()
    monkeypatch.setenv("GITHUB_API_URL", handmade.url)
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    code = main(["scan", "--repo", REPO, "--repo", "handmade/gone"])
    _, err = capsys.readouterr()
    assert code == 1
    assert ("triage: warning: GitHub does not show the repository handmade/gone: it does not exist, or it is "
            "private to the token") in err
    code = main(["scan", "--repo", "not-a-repo"])
    assert code == 2
    assert capsys.readouterr().err == (
        "triage: error: Invalid repository 'not-a-repo': expected owner/name, e.g. falcosecurity/libs\n")
    assert main(["scan", "--org", "handmade", "--min-waiting", "-1"]) == 2
    assert "Minimum days waiting -1" in capsys.readouterr().err


def test_the_app_and_the_cli_read_without_pauses(monkeypatch):
    # issue 13: GitHub asks for a pause between requests that create content; triage only reads,
    # one request at a time, and waits only when a secondary limit says so (Retry-After).
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    config = GitHubConfig.from_env()
    assert config.seconds_between_requests is None
    assert (config.secondary_wait, config.max_wait) == (60.0, 30.0)


def test_triage_scan_that_reads_nothing_exits_2_without_a_heading(handmade, capsys, monkeypatch):
    # issue 11: a scan that read nothing exited 1 yet printed a "0 of 0" heading as if it had
    handmade.reset()
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    code = main(["scan", "--repo", "handmade/gone", "--api-url", handmade.url])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.rstrip().endswith("triage: error: nothing could be read from handmade/gone; no output")
