"""Sign-in against a real OpenID Connect provider (Canaille, started on this machine by pytest-iam):
with `[auth]` in the secrets only signed-in users with an allowed e-mail reach the app (issue 12).
Nothing is mocked: Streamlit's st.login talks OIDC to the provider over HTTP, checks the ID token's
signature against its keys and sets its own cookie; the browser follows every redirect."""

import secrets
import uuid

import pytest

from tests import test_browser
from tests.test_browser import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
browser = test_browser.browser
page = test_browser.page
ALLOWED, REFUSED = "alice@team.example", "mallory@elsewhere.example"


@pytest.fixture(scope="module")
def login_app(iam_server, tmp_path_factory):
    """The dashboard with sign-in on ([auth] in its secrets file), registered with the provider."""
    from tests.conftest import free_port

    port = free_port()
    app = f"http://localhost:{port}"
    client_id, client_secret = f"triage-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    client = iam_server.models.Client(
        client_id=client_id, client_secret=client_secret, client_name="triage",
        redirect_uris=[f"{app}/oauth2callback"], post_logout_redirect_uris=[app],
        grant_types=["authorization_code"], response_types=["code"], scope=["openid", "email", "profile"],
        token_endpoint_auth_method="client_secret_basic",
    )
    iam_server.backend.save(client)
    home = tmp_path_factory.mktemp("login-home")
    secrets_file = home / "secrets.toml"
    secrets_file.write_text(f"""
[auth]
redirect_uri = "{app}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "{client_id}"
client_secret = "{client_secret}"
server_metadata_url = "{iam_server.url}.well-known/openid-configuration"

[access]
allowed_domains = ["team.example"]
""")
    with serve(home, {"AUTHLIB_INSECURE_TRANSPORT": "1"}, (f"--secrets.files={secrets_file}",), port=port) as url:
        yield app, url, client


PASSWORD = "correct horse battery staple"


def user(iam_server, email):
    return iam_server.random_user(emails=[email], user_name=email.split("@")[0] + uuid.uuid4().hex[:6],
                                  password=PASSWORD)


def sign_in(page, iam_server, app, who):
    """Open the app, press Sign in, and sign in on the provider's own pages as a person would."""
    from playwright.sync_api import expect

    iam_server.consent(who)  # they agreed before to share their e-mail with triage
    page.goto(app)
    expect(page.get_by_text("sign in to continue")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)  # nothing of the app before signing in
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("textbox", name="Login").fill(who.user_name, timeout=30_000)
    page.keyboard.press("Enter")
    page.get_by_role("textbox", name="Password").fill(PASSWORD, timeout=30_000)
    page.keyboard.press("Enter")


def test_only_a_signed_in_user_with_an_allowed_email_reaches_the_app(login_app, iam_server, page):
    from playwright.sync_api import expect

    app, _, _ = login_app
    sign_in(page, iam_server, app, user(iam_server, ALLOWED))
    signed = page.get_by_test_id("stSidebar").get_by_text("Signed in as")
    expect(signed).to_be_visible(timeout=60_000)
    assert signed.inner_text().replace("\u2060", "") == f"Signed in as {ALLOWED}"
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)  # the ranking


def test_a_signed_in_user_outside_the_allowed_domains_is_turned_away(login_app, iam_server, page):
    from playwright.sync_api import expect

    app, _, _ = login_app
    sign_in(page, iam_server, app, user(iam_server, REFUSED))
    refused = page.get_by_test_id("stAlert").filter(has_text="which may not use this server")
    expect(refused).to_be_visible(timeout=60_000)
    assert f"You are signed in as {REFUSED}, which may" in refused.inner_text().replace("\u2060", "")
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
