"""Whose token a fetch from the app goes out with (issue 12): the one typed in the sidebar, on every
page; the server's only for those `[access] server_token` allows; public repositories only in
"public" mode."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import FAKE_TOKEN

APP = str(Path(__file__).parents[1] / "dashboard.py")
TYPED = "ghp_TypedInTheSidebar0123456789abcdefXYZ"


@pytest.fixture(autouse=True)
def _live_env(fake_github, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url)
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)  # the server's own token


def fetch_on_agenda(at: AppTest) -> AppTest:
    at.switch_page("app_pages/agenda.py").run()
    at.radio(key="agenda_source").set_value("The demo's minutes").run()
    at.button(key="fetch").click().run()
    assert not at.exception
    return at


def graphql_auth(fake_github) -> set[tuple[bool, bool]]:
    """(sent a token, the fake accepted it) per GraphQL request (the fake masks the token itself)."""
    return {(r.header("Authorization") is not None, r.authorized) for r in fake_github.requests("/graphql")}


def test_a_token_typed_on_the_ranking_page_is_the_one_the_agenda_page_fetches_with(fake_github, monkeypatch):
    # issue 12, D2: the field was drawn only on Ranking and Scan, and the Agenda fetch went out with
    # the server's GITHUB_TOKEN (or none).
    monkeypatch.setenv("TRIAGE_SERVER_TOKEN", "anyone")
    monkeypatch.setattr(fake_github, "tokens", {TYPED})  # the fake accepts the typed token only
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="github_token").input(TYPED).run()
    fetch_on_agenda(at)
    assert graphql_auth(fake_github) == {(True, True)}
    assert at.text_input(key="github_token").value == TYPED  # the Agenda page has the field too


def test_the_servers_token_is_not_spent_for_a_visitor_by_default(fake_github):
    # issue 12, D3: any visitor could spend the server's token; now only signed-in users (or, when the
    # administrator says so, anyone) do.
    at = fetch_on_agenda(AppTest.from_file(APP, default_timeout=60).run())
    assert graphql_auth(fake_github) == {(False, False)}
    assert "requests go without a token" in at.text_input(key="github_token").help


def test_public_mode_keeps_private_repositories_out_of_a_visitors_ranking(fake_github, monkeypatch):
    monkeypatch.setenv("TRIAGE_SERVER_TOKEN", "public")
    fake_github.grant_private("falcosecurity/plugins")  # private, and readable by the server's token
    at = fetch_on_agenda(AppTest.from_file(APP, default_timeout=60).run())
    monkeypatch.setattr(fake_github, "tokens", {FAKE_TOKEN})
    assert graphql_auth(fake_github) == {(True, True)}
    at.switch_page("app_pages/ranking.py").run()
    table = next(d.value for d in at.dataframe if "Score" in d.value.columns and "Item" in d.value.columns)
    titles = dict(zip(table["Item"], table["Title"], strict=True))
    states = dict(zip(table["Item"], table["State"], strict=True))
    private = "https://github.com/falcosecurity/plugins/pull/378"
    assert titles[private] == "(title unknown)"
    assert states[private] == "private or unknown repository: sign in, or use your own token"
    assert titles["https://github.com/falcosecurity/libs/issues/1557"] == (
        "Introduce conditional kernel-side event filtering")
