"""The fake's REST answers have the shapes GitHub's REST description documents (issue 9).

Every JSON answer the fake gives for an endpoint triage calls is checked as it is served (the autouse
check in conftest fails the test that received a wrong one); these tests call each endpoint once and
show that the check catches a field GitHub documents differently.
"""

import json

import pytest
from github import Auth, Github

from tests.conftest import FAKE_TOKEN
from tests.fakegithub import FakeGitHub
from tests.fakegithub.rest_description import check, described


@pytest.fixture
def requester(fake_github):
    gh = Github(auth=Auth.Token(FAKE_TOKEN), base_url=fake_github.url, seconds_between_requests=None, retry=None)
    yield gh.requester
    gh.close()


CALLS = [
    ("/search/issues", {"q": "(repo:falcosecurity/libs OR repo:falcosecurity/falco) is:pr", "advanced_search": "true"}),
    ("/search/issues", {"q": "repo:falcosecurity/libs"}),  # 422 Validation Failed
    ("/repos/falcosecurity/libs", {}),
    ("/repos/falcosecurity/nope", {}),  # 404
    ("/repos/falcosecurity/community/contents/meeting-notes/2023-12-14-falco-core-maintainers.md", {"ref": "main"}),
    ("/meta", {}),
    ("/rate_limit", {}),
    ("/user", {}),
]


@pytest.mark.parametrize(("path", "parameters"), CALLS)
def test_every_rest_call_triage_makes_is_answered_as_github_documents_it(requester, path, parameters):
    status, _, body = requester.requestJson("GET", path, parameters=parameters)


    assert described("GET", path) is not None
    assert check("GET", path, status, json.loads(body)) == []
    assert FakeGitHub.take_violations() == []


def test_an_answer_github_documents_differently_is_caught(requester):


    status, _, body = requester.requestJson("GET", "/search/issues", parameters={"q": "repo:falcosecurity/libs is:pr"})
    answer = json.loads(body)
    answer["items"][0]["number"] = str(answer["items"][0]["number"])
    del answer["search_type"]
    assert check("GET", "/search/issues", status, answer) == [
        "GET /search/issues 200: (body): 'search_type' is a required property",
        "GET /search/issues 200: items/0/number: '1452' is not of type 'integer'",
    ]
    assert check("GET", "/repos/a/b", 200, {"full_name": "a/b"})[0] == (
        "GET /repos/{owner}/{repo} 200: (body): 'archive_url' is a required property"
    )
    assert check("GET", "/meta", 418, {}) == ["GET /meta does not document the status 418"]


def test_github_enterprise_answers_follow_its_own_description():
    with FakeGitHub.demo(enterprise="3.19.0") as fake:
        gh = Github(auth=Auth.Token(FAKE_TOKEN), base_url=fake.url, seconds_between_requests=None, retry=None)
        status, headers, body = gh.requester.requestJson("GET", "/meta")
        gh.close()


    assert (status, headers["x-github-enterprise-version"]) == (200, "3.19.0")
    assert check("GET", "/meta", status, json.loads(body), plan="ghes-3.19") == []
    assert check("GET", "/meta", 200, {"installed_version": 3.19}, plan="ghes-3.19") == [
        "GET /meta 200: (body): 'verifiable_password_authentication' is a required property",
        "GET /meta 200: installed_version: 3.19 is not of type 'string'",
    ]
    assert FakeGitHub.take_violations() == []
