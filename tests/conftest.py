"""Shared fixtures: real inputs (the recorded Falco facts, the real minutes), never mocks."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest
from hypothesis import settings

from triage.demo import Demo, load_demo
from triage.facts import ItemKey
from triage.ranking.weights import Config, demo_config_path, load_config

DATA = Path(__file__).parent / "data"

# Property tests draw the same examples on every run of `make test`, so a run fails only for a change,
# never for a draw (a test that fails 1 run in 5 is a defect); `make explore` draws new ones each time
# (`HYPOTHESIS_PROFILE=explore`), which is how a case is found that then becomes a plain test.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own TRIAGE_HOME (cache, snapshot store) and no ambient GitHub settings."""
    monkeypatch.setenv("TRIAGE_HOME", str(tmp_path_factory.mktemp("home")))
    for name in ("GITHUB_TOKEN", "GITHUB_API_URL", "TRIAGE_DB_URL", "TRIAGE_MAX_REFS", "TRIAGE_SERVER_TOKEN",
                 "TRIAGE_BASE_URL", "PORT", "TRIAGE_DEADLINE", "TRIAGE_MAX_REQUESTS", "TRIAGE_MAX_POINTS",
                 "TRIAGE_MAX_RESPONSE_MB", "TRIAGE_MAX_REDIRECTS"):
        monkeypatch.delenv(name, raising=False)


def _pg_schema_url(base: str):
    """A fresh schema on the test server, so every test starts from an empty store."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    return admin, schema, f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A store URL per backend: SQLite in tmp_path, or a fresh schema on TRIAGE_TEST_PG_URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = os.environ.get("TRIAGE_TEST_PG_URL")
    if not base:
        pytest.skip(
            "TRIAGE_TEST_PG_URL is not set: no PostgreSQL server to test on (.ci/postgres.sh starts one)"
        )
    import sqlalchemy as sa

    admin, schema, url = _pg_schema_url(base)
    yield url
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def demo() -> Demo:
    """The embedded Falco 2023-12-14 demo."""
    return load_demo()


@pytest.fixture(scope="session")
def demo_config() -> Config:
    """Built-in criteria settings plus the demo's Falco presets."""
    return load_config([demo_config_path()])


@pytest.fixture
def demo_keys(demo) -> list[ItemKey]:
    """The demo agenda's 16 item keys, in the demo's order."""
    return [i.key for i in demo.facts.items]


def free_port() -> int:
    """A localhost port the OS just handed out and took back: free to listen on, and closed until someone does."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the fake GitHub (tests/fakegithub) -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _graphql_documents_are_valid():
    """Issue 9: every GraphQL document a test sends is checked against GitHub's published schema and
    rules by the fake; one GitHub would reject fails the test that sent it (unless it takes it back)."""
    from tests.fakegithub import FakeGitHub

    FakeGitHub.take_rejected()
    FakeGitHub.take_violations()
    yield
    rejected = FakeGitHub.take_rejected()
    assert not rejected, f"GitHub would reject {len(rejected)} GraphQL document(s): {rejected[0][1]}\n{rejected[0][0]}"
    # ... and every REST answer the fake gave for an endpoint triage calls has the shape GitHub documents.
    violations = FakeGitHub.take_violations()
    assert not violations, f"{len(violations)} REST answers break GitHub's description: {violations[:5]}"

# A token distinctive enough that finding it in a log, a file or a message cannot be a coincidence.
FAKE_TOKEN = "ghp_TriageTestToken0123456789abcdefXYZ"
# A pull request on the demo agenda, served by the fake.
LIBS_470 = ItemKey("falcosecurity/libs", 470)


@pytest.fixture(scope="session")
def fake_github_server():
    """One fake GitHub server for the whole session, serving the demo's 16 Falco items."""
    from tests.fakegithub import FakeGitHub

    fake = FakeGitHub.demo().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_github(fake_github_server):
    """The session's fake GitHub with its data, faults, request log and rate limits reset."""
    fake_github_server.reset()
    yield fake_github_server
    fake_github_server.reset()


@pytest.fixture
def github_config(fake_github):
    """A fetch configuration pointing at the fake: no throttle, no real backoff, waits capped at 1 s."""
    from triage.github.config import GitHubConfig

    return GitHubConfig(
        api_url=fake_github.url,
        token=FAKE_TOKEN,
        timeout=5,
        retries=2,
        backoff_factor=0,
        secondary_wait=0.1,
        max_wait=1,
        seconds_between_requests=None,
    )


@pytest.fixture
def item_cache(tmp_path):
    """A GitHub cache in its own file."""
    from triage.github.cache import ItemCache

    return ItemCache(tmp_path / "github-cache.sqlite3")
