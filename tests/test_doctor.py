"""`triage doctor` against the fake GitHub: a healthy setup, a bad token, GitHub Enterprise, no host (issue 9)."""

from pathlib import Path

import pytest

from tests.conftest import FAKE_TOKEN, free_port
from tests.fakegithub import FakeGitHub, faults
from triage.cli import main
from triage.github.doctor import token_kind

DEMO_MINUTES = (Path(__file__).parents[1] / "triage" / "data" / "demo" / "minutes"
                / "2023-12-14-Falco-Core-Maintainers.md")


def doctor(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["doctor", *args])
    out, err = capsys.readouterr()
    assert FAKE_TOKEN not in out + err
    return code, out.splitlines()


def test_a_healthy_setup_passes_every_check_in_four_requests(fake_github, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    code, lines = doctor(capsys, "--api-url", fake_github.url)
    assert code == 0
    assert lines == [
        f"ok    API: {fake_github.url.removeprefix('http://')} answers like GitHub.com "
        "(GitHub Enterprise Cloud or a proxy)",
        "ok    token: classic personal access token of fake-user; scopes: repo, read:org",
        "ok    rate limits: 4,998 of 5,000 requests; 5,000 of 5,000 GraphQL points; 30 of 30 searches a minute left",
        "ok    GraphQL: falcosecurity/libs#1557 read back through the agenda's query (1 point): "
        "'Introduce conditional kernel-side event filtering'",
    ]
    assert [r.path for r in fake_github.log] == ["/meta", "/user", "/rate_limit", "/graphql"]


def test_the_demo_agenda_check_reads_it_as_triage_fetch_does(fake_github, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    code, lines = doctor(capsys, "--api-url", fake_github.url, "--agenda", str(DEMO_MINUTES),
                         "--default-org", "falcosecurity", "--skip-offline")
    assert code == 0
    assert lines[-1] == (
        "ok    agenda: 15 of 16 items of 2023-12-14-Falco-Core-Maintainers.md read in 1 requests; "
        "1 not shown to this token (deleted, private or mistyped)"
    )


def test_a_bad_token_fails_with_the_fix(monkeypatch, capsys):
    with FakeGitHub.demo(tokens={"ghp_the_right_one"}) as fake:
        monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
        fake_port = fake.port
        code, lines = doctor(capsys, "--api-url", fake.url)
    assert code == 1
    assert lines[0] == f"ok    API: {fake.host}:{fake_port} answers"
    assert lines[1:] == [
        "FAIL  token: GitHub rejected the classic personal access token (401 Bad credentials)",
        "      fix: it is mistyped, expired or revoked: create a new one at https://github.com/settings/tokens "
        "and set GITHUB_TOKEN",
    ]


def test_no_token_is_a_failure_with_the_fix_and_make_check_github_skips(fake_github, capsys):
    code, lines = doctor(capsys, "--api-url", fake_github.url)
    assert code == 1
    assert lines[1].startswith("FAIL  token: no token: GitHub's GraphQL API refuses anonymous requests")
    assert "set GITHUB_TOKEN" in lines[2]
    code, lines = doctor(capsys, "--api-url", fake_github.url, "--skip-offline")
    assert (code, lines) == (
        0, ["triage doctor: skipped: GITHUB_TOKEN is not set, so there is nothing to check against GitHub"]
    )


def test_github_enterprise_is_recognised_with_its_version(monkeypatch, capsys):
    with FakeGitHub.demo(enterprise="3.19.0") as fake:
        monkeypatch.setenv("GITHUB_TOKEN", "github_pat_" + "x" * 20)
        url = fake.url
        code, lines = doctor(capsys, "--api-url", url)
    assert code == 0
    assert lines == [
        f"ok    API: GitHub Enterprise Server 3.19.0 answers at {url}",
        "ok    token: fine-grained personal access token of fake-user; "
        "permissions are set per repository (this kind of token lists no scopes)",
        "ok    rate limits: not enabled on this server (GitHub Enterprise Server's default)",
        "ok    GraphQL: falcosecurity/libs#1557 read back through the agenda's query (1 point): "
        "'Introduce conditional kernel-side event filtering'",
    ]


def test_an_enterprise_web_address_instead_of_its_api_says_where_the_api_is(monkeypatch, capsys):
    with FakeGitHub.demo(enterprise="3.19.0") as fake:
        monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
        web = fake.url.removesuffix("/api/v3")
        code, lines = doctor(capsys, "--api-url", web)
    assert code == 1
    assert lines == [
        f"FAIL  API: {web}/meta answered 404 without GitHub's JSON",
        f"      fix: for GitHub Enterprise, set GITHUB_API_URL to {web}/api/v3",
    ]


def test_an_item_missing_on_the_server_still_proves_the_query_runs(fake_github, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    # evolution#345: the one demo thread the recording never saw, so the fake does not serve it
    code, lines = doctor(capsys, "--api-url", fake_github.url, "--item", "falcosecurity/evolution#345")
    assert code == 0
    assert lines[-1] == (
        "ok    GraphQL: the agenda's query runs here (1 point); falcosecurity/evolution#345 is not on this server "
        "(name one of yours with --item OWNER/REPO#N to read it back)"
    )


def test_an_unreachable_host_fails_once_with_the_fix_or_is_skipped(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    code, lines = doctor(capsys, "--api-url", url)
    assert code == 1
    assert lines == [
        f"FAIL  API: GitHub could not be reached at {url.removeprefix('http://')}: "
        "check the network connection or GITHUB_API_URL",
        f"      fix: for GitHub Enterprise, set GITHUB_API_URL to {url}/api/v3",
    ]
    code, lines = doctor(capsys, "--api-url", url, "--skip-offline")
    assert (code, lines) == (0, [f"triage doctor: skipped: {url.removeprefix('http://')} cannot be reached from "
                                 "here (no network?)"])


def test_a_spent_rate_limit_is_a_failure_that_says_to_wait(fake_github, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    fake_github.set_rate("graphql", remaining=0, reset_in=600)
    code, lines = doctor(capsys, "--api-url", fake_github.url)
    assert code == 1
    assert lines[2] == ("FAIL  rate limits: 4,998 of 5,000 requests; 0 of 5,000 GraphQL points; 30 of 30 searches "
                        "a minute left; spent: graphql")


@pytest.mark.parametrize(("token", "kind"), [
    ("ghp_abc", "classic personal access token"),
    ("github_pat_11AB", "fine-grained personal access token"),
    ("ghs_abc", "GitHub App installation token (GITHUB_TOKEN in Actions)"),
    ("0123abcd", "token of an unknown kind"),
])
def test_a_tokens_kind_comes_from_its_prefix(token, kind):
    assert token_kind(token) == kind


def test_a_graphql_refusal_says_the_query_was_refused(fake_github, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    fake_github.inject(faults.graphql_errors([{"message": "Field 'isPrivate' doesn't exist on type 'Repository'"}]))
    code, lines = doctor(capsys, "--api-url", fake_github.url)
    assert code == 1
    assert lines[3] == ("FAIL  GraphQL: the agenda's query was refused: GitHub could not answer for "
                        "falcosecurity/libs#1557: Field 'isPrivate' doesn't exist on type 'Repository'")
