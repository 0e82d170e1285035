"""Share links in a real browser: Playwright driving Debian's /usr/bin/chromium against
`streamlit run` on a free port. AppTest has no URL bar; these tests do."""

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port
from triage.meeting import demo_meeting
from triage.snapshot_store import SnapshotStore
from triage.snapshots import freeze
from triage.weights import demo_config_path, load_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).parents[1]
CHROMIUM = "/usr/bin/chromium"
OLDEST = "https://github.com/falcosecurity/libs/issues/381"  # opened 2022-06-08
GRID = '[data-testid="stMain"] [data-testid="stDataFrame"] >> nth=0'  # the ranked table


@contextlib.contextmanager
def serve(home: Path, env_extra: dict[str, str] | None = None, args: tuple[str, ...] = (), port: int | None = None):
    """`streamlit run dashboard.py` headless on a free port (or `port`), with its own TRIAGE_HOME (and
    `env_extra` in its environment, `args` on its command line)."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TRIAGE_"))}
    env["TRIAGE_HOME"] = str(home)
    env.update(env_extra or {})
    log = home / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless=true",
             f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
             "--browser.gatherUsageStats=false", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One dashboard server for the module, and its TRIAGE_HOME (snapshot store)."""
    home = tmp_path_factory.mktemp("server-home")
    with serve(home) as url:
        yield url, home


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    yield context.new_page()
    context.close()


def grid_items(page, count: int) -> list[str]:
    """The Item column (GitHub URLs) of the ranked grid, read from its hidden a11y table (the grid
    itself draws on a canvas); row 1 is the header."""
    from playwright.sync_api import expect

    rows = page.locator(GRID).locator("table tr[aria-rowindex]")
    expect(rows.nth(count)).to_be_attached(timeout=30_000)
    header = [c.text_content() for c in rows.nth(0).locator("td, th").all()]
    column = header.index("Item")
    return [rows.nth(i).locator("td, th").nth(column).text_content() for i in range(1, count + 1)]


def first_item(page):
    """A locator for the first ranked item's cell (for waiting on a re-rank)."""
    return page.locator(GRID).locator('table tr[aria-rowindex="2"]').locator("td, th").nth(3)


def test_snapshot_link_opens_the_same_rows_in_the_same_order(server, page):
    from playwright.sync_api import expect

    url, home = server
    config = load_config([demo_config_path()])
    weights = {**config.preset().weights, "age": 10.0}
    snap = freeze(demo_meeting(), config.preset(), config.people, weights=weights)
    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        store.save(snap)
    page.goto(f"{url}/?snapshot={snap.id}")
    expect(page.get_by_text("frozen, read-only")).to_be_visible(timeout=30_000)
    shown = grid_items(page, 16)
    assert shown == [r["url"] for r in snap.rows]
    # age weighs 10 in this snapshot: the oldest thread leads
    assert shown[0] == "https://github.com/falcosecurity/libs/issues/381"


def test_moving_a_weight_puts_the_view_in_the_address_for_a_colleague(server, browser, page):
    from playwright.sync_api import expect

    url, _ = server
    page.goto(url)
    slider = page.get_by_role("group", name="Age", exact=True).get_by_role("slider")
    expect(slider).to_have_value("1", timeout=30_000)
    before = grid_items(page, 16)
    slider.focus()
    for _ in range(18):  # 0.5 per step: 1 -> 10
        page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"w_age=10"), timeout=30_000)
    expect(first_item(page)).to_have_text(OLDEST, timeout=30_000)
    after = grid_items(page, 16)
    assert after != before
    colleague = browser.new_context(viewport={"width": 1400, "height": 2400})
    try:
        other = colleague.new_page()
        other.goto(page.url)
        age = other.get_by_role("group", name="Age", exact=True).get_by_role("slider")
        expect(age).to_have_value("10", timeout=30_000)
        expect(first_item(other)).to_have_text(OLDEST, timeout=30_000)
        assert grid_items(other, 16) == after
    finally:
        colleague.close()


def test_a_page_link_opened_first_on_a_fresh_server_goes_through_the_router(tmp_path, page):
    # Regression: with the pages in a folder called pages/, Streamlit ran /compare as a legacy
    # multipage app until some session had opened "/", skipping dashboard.py (KeyError, wrong menu).
    from playwright.sync_api import expect

    with serve(tmp_path) as url:
        page.goto(f"{url}/compare")
        expect(page.get_by_role("heading", name="Compare snapshots")).to_be_visible(timeout=30_000)
        nav = page.get_by_role("navigation")
        expect(nav.get_by_text("Ranking", exact=True)).to_be_visible()
        expect(nav.get_by_text("dashboard", exact=True)).to_have_count(0)
        expect(page.get_by_test_id("stException")).to_have_count(0)
