"""The fake GitHub itself: it must answer the real PyGithub client the way GitHub does."""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from github import Auth, Github, GithubException, RateLimitExceededException, UnknownObjectException
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FAKE_TOKEN, LIBS_470, free_port
from tests.fakegithub import FakeGitHub, faults, generate_org
from tests.fakegithub.resolvers import connection
from triage.facts import ItemKey
from triage.github.queries import build_items_query, query_cost, query_pages_and_nodes

ROOT = Path(__file__).resolve().parents[1]


_clients: list[Github] = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _clients:
        _clients.pop().close()


def client(url: str, token: str | None = FAKE_TOKEN, **kwargs) -> Github:
    """A real PyGithub client for the fake (closed after the test)."""
    kwargs.setdefault("retry", None)
    gh = Github(
        auth=Auth.Token(token) if token else None,
        base_url=url,
        seconds_between_requests=None,
        seconds_between_writes=None,  # GraphQL queries are POSTs; PyGithub would space them 1 s apart
        per_page=100,
        **kwargs,
    )
    _clients.append(gh)
    return gh


def graphql(gh: Github, query: str, variables: dict | None = None) -> tuple[dict, dict]:
    requester = gh.requester
    return requester.requestJsonAndCheck(
        "POST", requester.graphql_url, input={"query": query, "variables": variables or {}}
    )


def test_pygithub_reads_repos_pulls_and_issues_from_the_fake(fake_github):
    gh = client(fake_github.url, lazy=False)
    repo = gh.get_repo("falcosecurity/libs")
    pr = repo.get_pull(470)
    issue = repo.get_issue(1376)
    assert repo.full_name == "falcosecurity/libs"
    assert (pr.title, pr.user.login, pr.state, pr.merged) == (
        "[WIP] Introduce a coding style for `libs` repo",
        "Andreagit97",
        "closed",
        False,
    )
    assert issue.title == "Allow loading tracepoints other than the ones needed by Falco"
    assert [c.user.login for c in issue.get_comments()] == ["Andreagit97", "FedeDP", "Stringy", "erthalion"]
    assert pr.url.startswith(fake_github.url)


def test_urls_are_built_from_the_request_host(fake_github):
    # PyGithub refuses URLs on another host; localhost and 127.0.0.1 are different hosts to it.
    url = f"http://localhost:{fake_github.port}"
    repo = client(url, lazy=False).get_repo("falcosecurity/falco")
    assert repo.url == f"{url}/repos/falcosecurity/falco"
    assert repo.get_issue(1340).comments_url.startswith(url)


def test_each_rate_limit_header_is_sent_exactly_once(fake_github):
    conn = http.client.HTTPConnection("127.0.0.1", fake_github.port, timeout=5)
    conn.request("GET", "/repos/falcosecurity/libs", headers={"Authorization": f"token {FAKE_TOKEN}"})
    response = conn.getresponse()
    response.read()
    conn.close()
    names = [k.lower() for k, _ in response.getheaders()]
    for header in (
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-used",
        "x-ratelimit-resource",
        "etag",
    ):
        assert names.count(header) == 1, header
    assert response.getheader("X-RateLimit-Resource") == "core"
    assert response.getheader("X-RateLimit-Remaining") == "4999"


def test_a_304_costs_no_quota_when_authorized_but_does_when_anonymous(fake_github):
    for token, resource_left in ((FAKE_TOKEN, 4999), (None, 59)):
        fake_github.reset()
        requester = client(fake_github.url, token).requester
        status, headers, _ = requester.requestJson("GET", "/repos/falcosecurity/libs/issues/1376")
        assert status == 200
        status, headers, body = requester.requestJson(
            "GET", "/repos/falcosecurity/libs/issues/1376", headers={"If-None-Match": headers["etag"]}
        )
        assert (status, body) == (304, "")
        expected = resource_left if token else resource_left - 1
        assert int(headers["x-ratelimit-remaining"]) == expected


def test_lists_paginate_with_link_headers(fake_github):
    key = ItemKey("falcosecurity/libs", 1557)
    for n in range(150):
        fake_github.add_comment(key, f"user{n}", association="NONE")
    fake_github.clear_log()
    comments = list(client(fake_github.url).get_repo("falcosecurity/libs").get_issue(1557).get_comments())
    assert len(comments) == 151  # the recorded one (stevenbrz, 2024-04-10) and the 150 added
    assert [r.query.get("page") for r in fake_github.requests("/comments$")] == [None, ["2"]]


def test_a_hidden_item_is_404_in_rest_and_not_found_next_to_data_in_graphql(fake_github):
    gh = client(fake_github.url, lazy=False)
    with pytest.raises(UnknownObjectException):  # the recording never saw evolution#345's thread
        gh.get_repo("falcosecurity/evolution").get_issue(345)
    _, body = graphql(
        gh,
        """{ e: repository(owner: "falcosecurity", name: "evolution") { a: issueOrPullRequest(number: 345) {
        __typename } } l: repository(owner: "falcosecurity", name: "libs") {
        b: issueOrPullRequest(number: 1376) { __typename } } }""",
    )
    assert body["data"] == {"e": {"a": None}, "l": {"b": {"__typename": "Issue"}}}
    assert body["errors"][0]["type"] == "NOT_FOUND"
    assert body["errors"][0]["path"] == ["e", "a"]
    assert (
        body["errors"][0]["message"]
        == "Could not resolve to an issue or pull request with the number of 345."
    )


def test_a_renamed_repository_redirects_in_rest_and_is_followed_in_graphql(fake_github):
    fake_github.rename_repo("falcosecurity/plugins", "falcosecurity/plugins-ng")
    gh = client(fake_github.url, lazy=False)
    assert (
        gh.get_repo("falcosecurity/plugins").full_name == "falcosecurity/plugins-ng"
    )  # PyGithub follows the 301
    moved = fake_github.requests("^/repos/falcosecurity/plugins$")[0]
    assert moved.status == 301
    query = """query($follow: Boolean!) {
               repository(owner: "falcosecurity", name: "plugins", followRenames: $follow)
               { nameWithOwner } }"""
    _, body = graphql(gh, query, {"follow": True})
    assert body["data"]["repository"]["nameWithOwner"] == "falcosecurity/plugins-ng"
    _, body = graphql(gh, query, {"follow": False})
    assert body["data"]["repository"] is None
    assert (
        body["errors"][0]["message"]
        == "Could not resolve to a Repository with the name 'falcosecurity/plugins'."
    )


def test_graphql_validation_errors_come_without_data_and_cost_nothing(fake_github):
    gh = client(fake_github.url)
    _, body = graphql(gh, '{ repository(owner: "falcosecurity", name: "libs") { stars } }')
    assert body == {
        "errors": [
            {"message": "Cannot query field 'stars' on type 'Repository'.", "locations": [{"line": 1, "column": 54}]}
        ]
    }
    _, body = graphql(gh, "{ repository(owner: )")
    assert "data" not in body and body["errors"][0]["message"].startswith("Syntax Error")
    _, body = graphql(gh, 'query($n: String!) { repository(owner: "falcosecurity", name: $n) { id } }')
    assert "data" not in body and body["errors"][0]["message"] == (
        "Variable '$n' has invalid value: Expected a value of non-null type 'String!' to be provided."
    )
    assert fake_github.quota_spent()["graphql"] == 0  # invalid documents are not run, so not charged
    assert len(FakeGitHub.take_rejected()) == 2  # sent on purpose (the third fails later, at its variables)


def test_a_document_with_an_unused_fragment_fails_as_a_whole(fake_github):
    # Issue 9: GitHub applies every standard rule; an agenda query carrying the discussion fragment
    # for an agenda without discussions got no data at all.
    _, body = graphql(
        client(fake_github.url),
        """query { repository(owner: "falcosecurity", name: "libs") { i1376: issue(number: 1376) { ...I } } }
        fragment I on Issue { number }
        fragment D on Discussion { number }""",
    )
    assert body == {"errors": [{"message": "Fragment 'D' is never used.", "locations": [{"line": 3, "column": 9}]}]}
    assert len(FakeGitHub.take_rejected()) == 1


@pytest.mark.parametrize(
    ("selection", "type_", "message"),
    [
        ("issues { nodes { number } }", "MISSING_PAGINATION_BOUNDARIES",
         "You must provide a `first` or `last` value to properly paginate the `issues` connection."),
        # GitHub documents the rule for every connection, even one read only for its totalCount.
        ("issues { totalCount }", "MISSING_PAGINATION_BOUNDARIES",
         "You must provide a `first` or `last` value to properly paginate the `issues` connection."),
        ("issues(first: 101) { totalCount }", "EXCESSIVE_PAGINATION",
         "Requesting 101 records on the `issues` connection exceeds the `first` limit of 100 records."),
        ("issues(last: 0) { totalCount }", "EXCESSIVE_PAGINATION",
         "Requesting 0 records on the `issues` connection exceeds the `last` limit of 100 records."),
    ],
)
def test_graphql_enforces_githubs_pagination_bounds(fake_github, selection, type_, message):
    text = f'{{ repository(owner: "falcosecurity", name: "libs") {{ {selection} }} }}'
    _, body = graphql(client(fake_github.url), text)
    assert "data" not in body
    assert [(e["type"], e["message"]) for e in body["errors"]] == [(type_, message)]
    assert len(FakeGitHub.take_rejected()) == 1


def test_graphql_refuses_a_document_over_500000_nodes(fake_github):
    _, body = graphql(
        client(fake_github.url),
        """{ organization(login: "falcosecurity") { repositories(first: 100) { nodes {
           issues(first: 100) { nodes { labels(first: 51) { nodes { name } } } } } } } }""",
    )
    assert "data" not in body
    assert body["errors"][0]["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert body["errors"][0]["message"] == (
        "This query requests up to 520,100 possible nodes which exceeds the maximum limit of 500,000."
    )
    assert len(FakeGitHub.take_rejected()) == 1


def test_graphql_cost_and_nodes_follow_githubs_formula(fake_github):
    fake_github.add_items(generate_org("acme", repos=3, prs_per_repo=5, seed=1))
    gh = client(fake_github.url)
    # 1 repositories page + 10 pullRequests pages + 10*50 labels pages = 511 requests -> 5 points;
    # nodes: 10 + 10*50 + 10*50*20 = 10,510 (GitHub's worked example has the same shape).
    _, body = graphql(
        gh,
        """{ rateLimit { cost nodeCount } organization(login: "acme") {
        repositories(first: 10) { nodes {
          pullRequests(first: 50) { nodes { labels(first: 20) { nodes { name } } } } } }
    } }""",
    )
    assert body["data"]["rateLimit"] == {"cost": 5, "nodeCount": 10_510}
    assert fake_github.quota_spent()["graphql"] == 5


def test_our_cost_estimate_matches_what_the_fake_charges(fake_github, demo):
    keys = [i.key for i in demo.facts.items]
    plan = build_items_query(keys)
    text = plan.text.replace("rateLimit { cost limit remaining resetAt }", "rateLimit { cost nodeCount }")
    _, body = graphql(client(fake_github.url), text, plan.variables)
    assert body["data"]["rateLimit"]["cost"] == query_cost([None] * len(keys))
    assert body["data"]["rateLimit"]["nodeCount"] == query_pages_and_nodes([None] * len(keys))[1]


def test_an_org_scan_pages_through_every_open_pull_request(fake_github):
    items = generate_org("scanme", repos=3, prs_per_repo=130, seed=5, issue_share=0)
    fake_github.add_items(items)
    gh = client(fake_github.url)
    repos, after = [], None
    while True:
        _, body = graphql(
            gh,
            """query($after: String) { organization(login: "scanme") {
            repositories(first: 2, after: $after) {
              pageInfo { hasNextPage endCursor } nodes { name } } } }""",
            {"after": after},
        )
        page = body["data"]["organization"]["repositories"]
        repos += [n["name"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    seen = []
    for name in repos:
        after = None
        while True:
            _, body = graphql(
                gh,
                """query($name: String!, $after: String) {
                repository(owner: "scanme", name: $name) {
                  pullRequests(states: [OPEN], first: 100, after: $after) {
                    totalCount pageInfo { hasNextPage endCursor } nodes { number } } } }""",
                {"name": name, "after": after},
            )
            page = body["data"]["repository"]["pullRequests"]
            seen += [(name, n["number"]) for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    expected = {(i.key.repo.split("/")[1], i.number) for i in items if i.state == "open"}
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 250), size=st.integers(1, 100), backwards=st.booleans())
def test_connection_pages_cover_every_node_once_in_order(n, size, backwards):
    items = list(range(n))
    seen, cursor = [], None
    while True:
        args = {"last": size, "before": cursor} if backwards else {"first": size, "after": cursor}
        page = connection(items, args)
        nodes = page["nodes"]({})
        seen = nodes + seen if backwards else seen + nodes
        info = page["pageInfo"]
        more = info["hasPreviousPage"] if backwards else info["hasNextPage"]
        if not more:
            break
        cursor = info["startCursor"] if backwards else info["endCursor"]
    assert seen == items


def test_faults_answer_matching_requests_the_given_number_of_times(fake_github):
    gh = client(fake_github.url)
    fault = fake_github.inject(faults.server_error(502, path="/issues/1376$", times=2))
    requester = gh.requester
    statuses = [requester.requestJson("GET", "/repos/falcosecurity/libs/issues/1376")[0] for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert fault.hits == 2
    body_fault = fake_github.inject(faults.server_error(503, path="^/graphql$", body="i1376", times=None))
    _, ok = graphql(
        gh, '{ repository(owner: "falcosecurity", name: "libs") { i1557: issue(number: 1557) { number } } }'
    )
    assert ok["data"]["repository"]["i1557"] == {"number": 1557}
    with pytest.raises(GithubException) as e:
        graphql(
            gh,
            '{ repository(owner: "falcosecurity", name: "libs") { i1376: issue(number: 1376) { number } } }',
        )
    assert e.value.status == 503
    assert body_fault.hits == 1


def test_reset_restores_data_and_clears_faults_log_and_counters(fake_github):
    fake_github.hide(LIBS_470)
    fake_github.inject(faults.server_error(502))
    client(fake_github.url).requester.requestJson("GET", "/repos/falcosecurity/libs")
    assert fake_github.log and fake_github.quota_spent()["core"] == 1
    fake_github.reset()
    assert (fake_github.log, fake_github.faults, fake_github.quota_spent()["core"]) == ([], [], 0)
    assert client(fake_github.url, lazy=False).get_repo("falcosecurity/libs").get_pull(470).number == 470


def test_a_spent_primary_limit_answers_403_with_the_reset_time(fake_github):
    fake_github.set_rate("core", remaining=0, reset_in=2400)
    with pytest.raises(RateLimitExceededException) as e:
        client(fake_github.url, lazy=False).get_repo("falcosecurity/libs")
    assert e.value.headers["x-ratelimit-remaining"] == "0"
    assert abs(int(e.value.headers["x-ratelimit-reset"]) - (time.time() + 2400)) < 5
    assert e.value.data["message"].startswith("API rate limit exceeded for user ID 1.")


def test_a_spent_graphql_limit_answers_200_with_a_rate_limited_error(fake_github):
    fake_github.set_rate("graphql", remaining=0, reset_in=600)
    _, body = graphql(client(fake_github.url), "{ viewer { login } }")
    assert body["errors"][0]["type"] == "RATE_LIMITED"


def test_a_wrong_token_gets_401_bad_credentials(fake_github_server):
    fake = FakeGitHub(tokens={"right"}).start()
    try:
        with pytest.raises(GithubException) as e:
            client(fake.url, "wrong", lazy=False).get_repo("falcosecurity/libs")
        assert (e.value.status, e.value.data["message"]) == (401, "Bad credentials")
    finally:
        fake.stop()


def _search(gh: Github, q: str) -> list[str]:
    """The refs a search finds, in GitHub's order."""
    return [f"{i.repository.full_name}#{i.number}" for i in gh.search_issues(q)]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        # Advanced search (GitHub's default since 2025-09-04): a space is AND, so two repositories
        # side by side match nothing; the OR has to be written out.
        ("repo:falcosecurity/libs repo:falcosecurity/falco is:pr", []),
        ("(repo:falcosecurity/libs OR repo:falcosecurity/falco) is:pr",
         ["falcosecurity/libs#1452", "falcosecurity/libs#1575", "falcosecurity/libs#1561", "falcosecurity/libs#1375",
          "falcosecurity/falco#2413", "falcosecurity/falco#2655", "falcosecurity/libs#1393", "falcosecurity/libs#470"]),
        ("repo:falcosecurity/libs AND is:issue AND updated:>=2023-11-01",
         ["falcosecurity/libs#1557", "falcosecurity/libs#1376", "falcosecurity/libs#1463"]),
        ("repo:falcosecurity/libs is:issue NOT updated:>=2023-11-01",
         ["falcosecurity/libs#381"]),  # libs#1376 was referred to from the vote libs#1527 on 2023-11-30
        ("repo:falcosecurity/libs is:issue -label:lifecycle/stale",
         ["falcosecurity/libs#1557", "falcosecurity/libs#1463", "falcosecurity/libs#381"]),
        ("is:pr (repo:falcosecurity/plugins OR (repo:falcosecurity/falco AND is:merged))",
         ["falcosecurity/plugins#378", "falcosecurity/falco#2413", "falcosecurity/falco#2655"]),  # recent first
    ],
)
def test_search_reads_advanced_syntax(fake_github, q, found):
    assert _search(client(fake_github.url), q) == found


@pytest.mark.parametrize(
    ("q", "message"),
    [
        # Issue 9: since improved issue search became generally available, GitHub answers 422 to a search that
        # is not restricted to issues or to PRs.
        ("repo:falcosecurity/libs updated:>=2023-11-01", "Query must include 'is:issue' or 'is:pull-request'."),
        ("repo:falcosecurity/libs (is:issue OR is:pr)", "Query must include 'is:issue' or 'is:pull-request'."),
        ("repo:falcosecurity/nope is:pr", "The listed users and repositories cannot be searched either because the "
         "resources do not exist or you do not have permission to view them."),
        (" ".join(["repo:falcosecurity/libs"] * 12) + " is:pr", "The search is longer than 256 characters."),
        ("is:pr (a OR b OR c OR d OR e OR f OR g)", "The search contains more than 5 AND / OR / NOT operators."),
        ("is:pr (((((((a)))))))", "The search nests more than 5 levels of parentheses."),
    ],
)
def test_search_refuses_what_github_refuses_with_422(fake_github, q, message):
    with pytest.raises(GithubException) as e:
        _search(client(fake_github.url), q)
    assert e.value.status == 422
    assert e.value.data["errors"] == [{"message": message, "resource": "Search", "field": "q", "code": "invalid"}]


def test_the_contents_api_serves_files(fake_github):
    fake_github.add_file("falcosecurity/community", "notes/a b.md", "# héllo\n")
    content = (
        client(fake_github.url).get_repo("falcosecurity/community").get_contents("notes/a b.md", ref="main")
    )
    assert content.decoded_content.decode() == "# héllo\n"


def test_the_request_log_masks_the_token_everywhere(fake_github):
    gh = client(fake_github.url, lazy=False)
    gh.get_repo("falcosecurity/libs").get_issue(1376)
    graphql(gh, "{ viewer { login } }")
    assert len(fake_github.log) == 3
    for r in fake_github.log:
        assert r.authorized and r.header("Authorization") == "<masked>"
        assert FAKE_TOKEN not in repr(r)


def test_the_fake_runs_standalone_and_logs_requests_without_the_token():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegithub", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner, banner
        repo = client(f"http://127.0.0.1:{port}", lazy=False).get_repo("falcosecurity/libs")
        assert repo.get_issue(1557).title == "Introduce conditional kernel-side event filtering"
        lines = [proc.stdout.readline() for _ in range(2)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
    assert lines[0].startswith("GET /repos/falcosecurity/libs -> 200 (core: 4999 left)")
    assert lines[1].startswith("GET /repos/falcosecurity/libs/issues/1557 -> 200")
    assert FAKE_TOKEN not in banner + "".join(lines)


def test_generated_orgs_are_deterministic_and_shaped_like_real_projects():
    items = generate_org("acme", repos=5, total=600, seed=3)
    assert items == generate_org("acme", repos=5, total=600, seed=3)
    assert items != generate_org("acme", repos=5, total=600, seed=4)
    assert len(items) == 600 and len({i.repo for i in items}) == 5
    now = max(i.updated_at for i in items)
    ages = [(now - i.created_at) / timedelta(days=1) for i in items]
    assert min(ages) < 2 and max(ages) > 365  # from days to years
    comments = [i.comments_count for i in items]
    assert statistics.median(comments) <= 3 and max(comments) >= 50  # skewed, with a long tail
    pulls = [i for i in items if i.kind == "pull"]
    assert 0.6 < len(pulls) / len(items) < 0.9
    assert any(i.author.endswith("[bot]") and i.author_type == "Bot" for i in pulls)
    assert any(i.draft for i in pulls) and any(i.review_decision == "APPROVED" for i in pulls)
    assert {i.state for i in pulls} == {"open", "closed", "merged"}
    assert {i.author_association for i in items} >= {"OWNER", "MEMBER", "CONTRIBUTOR", "NONE"}
    assert {i.ci_status for i in pulls} >= {"SUCCESS", "FAILURE", None}
    for i in items:
        assert i.created_at <= i.updated_at and all(e.at <= i.updated_at for e in i.events)
        assert i.events[0].kind == "description" and i.events[0].actor == i.author
        assert re.fullmatch(rf"https://github.com/{i.repo}/(pull|issues)/{i.number}", i.url)


def test_demo_items_the_recording_missed_can_be_served_as_generated_items():
    with FakeGitHub.demo(unknown="generated") as fake:
        gh = client(fake.url, lazy=False)
        pr = gh.get_repo("falcosecurity/libs").get_pull(1393)
        assert pr.number == 1393 and pr.html_url == "https://github.com/falcosecurity/libs/pull/1393"
        assert gh.get_repo("falcosecurity/evolution").get_issue(345).number == 345
