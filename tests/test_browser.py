"""Share links in a real browser: Playwright driving Debian's /usr/bin/chromium against
`streamlit run` on a free port. AppTest has no URL bar; these tests do."""

import re
from pathlib import Path

import pytest

from tests.dashboard_server import launch, serve
from triage.facts import parse_when
from triage.meeting import demo_meeting
from triage.ranking import scoring
from triage.ranking.criteria import CRITERIA
from triage.ranking.weights import demo_config_path, load_config
from triage.snapshots import freeze
from triage.snapshots.store import SnapshotStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).parents[1]
# With age weighing 10, the two oldest threads rise to 2nd and 3rd, behind falco#1340 (opened by
# 2023-06-08, on the agenda of three earlier meetings, listed under the release).
OLDEST = ["https://github.com/falcosecurity/libs/pull/470", "https://github.com/falcosecurity/libs/issues/381"]
GRID = '[data-testid="stMain"] [data-testid="stDataFrame"] >> nth=0'  # the ranked table


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One dashboard server for the module, and its TRIAGE_HOME (snapshot store)."""
    home = tmp_path_factory.mktemp("server-home")
    with serve(home) as url:
        yield url, home


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            b = launch(p)
        except RuntimeError as e:
            pytest.fail(str(e))
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    yield context.new_page()
    context.close()


def idle(page) -> None:
    """Wait until the app's run is over and nothing on the page is still moving. A key pressed or a
    widget clicked while a run still draws, or while an expander still unfolds, can reach an element
    that is then replaced, and be lost (CI saw both on a loaded machine)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=30_000)
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


def grid_items(page, count: int) -> list[str]:
    """The Item column (GitHub URLs) of the ranked grid, read from its hidden a11y table (the grid
    itself draws on a canvas); row 1 is the header."""
    from playwright.sync_api import expect

    rows = page.locator(GRID).locator("table tr[aria-rowindex]")
    expect(rows.nth(count)).to_be_attached(timeout=30_000)
    header = [c.text_content() for c in rows.nth(0).locator("td, th").all()]
    column = header.index("Item")
    return [rows.nth(i).locator("td, th").nth(column).text_content() for i in range(1, count + 1)]


def item_cell(page, rank: int):
    """A locator for the Item cell of the item ranked `rank` (for waiting on a re-rank)."""
    return page.locator(GRID).locator(f'table tr[aria-rowindex="{rank + 1}"]').locator("td, th").nth(3)


def item_column(page, count: int):
    """A locator for the Item cells of the first `count` ranked rows, for `expect(...).to_have_text(list)`,
    which waits until the grid shows exactly that order."""
    rows = page.locator(GRID).locator("table tr[aria-rowindex]")
    from playwright.sync_api import expect

    expect(rows.nth(count)).to_be_attached(timeout=30_000)
    header = [c.text_content() for c in rows.nth(0).locator("td, th").all()]
    column = header.index("Item") + 1
    wanted = ", ".join(f'tr[aria-rowindex="{i}"] > [aria-colindex="{column}"]' for i in range(2, count + 2))
    return page.locator(GRID).locator("table").locator(wanted)


# The demo's rows on screen: 16 less falco#2413, merged before the meeting (resolved items are hidden).
SHOWN = 15


def demo_order(**weights: float) -> list[str]:
    """The demo's ranked item URLs shown (resolved ones hidden) with some weights changed, computed by
    the core itself."""
    config = load_config([demo_config_path()])
    preset = config.preset()
    meeting = demo_meeting()
    ranked = scoring.rank_items(meeting.facts, {**preset.weights, **weights}, preset.params, meeting.as_of,
                                meeting.context(), config.people)
    return list(ranked[~ranked["state"].isin(("closed", "merged"))]["url"])


def slide(page, name: str, steps: int) -> None:
    """Move a weight's slider `steps` notches (0.5 each) with the keyboard."""
    slider = page.get_by_role("group", name=name, exact=True).get_by_role("slider")
    slider.focus()
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")


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
    shown = grid_items(page, SHOWN)
    assert shown == [r["url"] for r in snap.rows if r["state"] not in ("closed", "merged")]
    # age weighs 10 in this snapshot: the oldest threads rise
    assert shown[1:3] == OLDEST


def test_moving_a_weight_puts_the_view_in_the_address_for_a_colleague(server, browser, page):
    from playwright.sync_api import expect

    url, _ = server
    page.goto(url)
    slider = page.get_by_role("group", name="Age", exact=True).get_by_role("slider")
    expect(slider).to_have_value("1", timeout=30_000)
    before = grid_items(page, SHOWN)
    slider.focus()
    for _ in range(18):  # 0.5 per step: 1 -> 10
        page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"w_age=10"), timeout=30_000)
    # Issue 11: this test read the grid as soon as the oldest item led, which it does from age 4 on,
    # while rows 7 and 8 keep their age-4 order until age 6: a grid drawn by an intermediate rerun
    # was taken for the final one. Wait for the order the core gives at age 10 instead.
    after = demo_order(age=10.0)
    expect(item_column(page, SHOWN)).to_have_text(after, timeout=30_000)
    assert after != before
    colleague = browser.new_context(viewport={"width": 1400, "height": 2400})
    try:
        other = colleague.new_page()
        other.goto(page.url)
        age = other.get_by_role("group", name="Age", exact=True).get_by_role("slider")
        expect(age).to_have_value("10", timeout=30_000)
        expect(item_column(other, SHOWN)).to_have_text(after, timeout=30_000)
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


def test_a_saved_link_disappears_when_a_weight_moves(server, page):
    # issue 11: after a slider move, the "Saved ... exactly this ranking" link stayed under another ranking
    from playwright.sync_api import expect

    url, _ = server
    page.goto(url)
    expect(item_column(page, SHOWN)).to_have_text(demo_order(), timeout=30_000)
    page.get_by_role("button", name="Save snapshot").click()
    saved = page.get_by_text("opens exactly this ranking")
    expect(saved).to_be_visible(timeout=30_000)
    expect(page.get_by_text("/?snapshot=")).to_be_visible()
    slide(page, "Age", 2)
    expect(page).to_have_url(re.compile(r"w_age=2"), timeout=30_000)
    expect(saved).to_have_count(0, timeout=30_000)
    expect(page.get_by_text("/?snapshot=")).to_have_count(0)


def test_a_snapshot_link_shows_its_address_and_leads_back_to_the_live_view(server, page):
    # issue 11: a snapshot link trapped its reader: no way back but reloading, though the address showed /
    from playwright.sync_api import expect

    url, home = server
    config = load_config([demo_config_path()])
    snap = freeze(demo_meeting(), config.preset(), config.people, weights={**config.preset().weights, "age": 10.0})
    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        store.save(snap)
    page.goto(f"{url}/?snapshot={snap.id}")
    expect(page.get_by_text("frozen, read-only")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(rf"\?snapshot={snap.id}$"))
    page.get_by_role("button", name="Back to the live view").click()
    expect(page.get_by_text("frozen, read-only")).to_have_count(0, timeout=30_000)
    expect(page.get_by_role("group", name="Age", exact=True).get_by_role("slider")).to_have_value("1")
    expect(item_column(page, SHOWN)).to_have_text(demo_order(), timeout=30_000)
    expect(page).not_to_have_url(re.compile("snapshot="))


def test_compares_link_opens_the_snapshot_not_the_compare_page(server, page):
    # issue 11: the Link column opened /compare/?snapshot=..., the Compare page again
    from playwright.sync_api import expect

    url, home = server
    config = load_config([demo_config_path()])
    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        for day in ("2023-12-14", "2024-01-11"):
            store.save(freeze(demo_meeting(), config.preset(), config.people,
                              as_of=parse_when(day, end_of_day=True)))
    page.goto(f"{url}/compare")
    expect(page.get_by_role("heading", name="Compare snapshots")).to_be_visible(timeout=30_000)
    listing = page.locator('[data-testid="stDataFrame"]').first
    expect(listing.locator('table tr[aria-rowindex="3"]')).to_be_attached(timeout=30_000)
    header = [c.text_content() for c in listing.locator('table tr[aria-rowindex="1"]').locator("td, th").all()]
    column = header.index("Link")
    links = [listing.locator(f'table tr[aria-rowindex="{i}"]').locator("td, th").nth(column).text_content()
             for i in (2, 3)]
    assert all(re.fullmatch(rf"{re.escape(url)}/\?snapshot=[0-9a-f]{{64}}", link) for link in links), links
    page.goto(links[0])
    expect(page.get_by_text("frozen, read-only")).to_be_visible(timeout=30_000)


def test_clicking_a_row_opens_its_why_and_tables_show_every_row(server, page):
    # issue 11: clicking a row did not open its "Why this rank"; tables showed 10 of 12-16 rows
    from playwright.sync_api import expect

    url, _ = server
    page.goto(url)
    order = demo_order()
    expect(item_column(page, SHOWN)).to_have_text(order, timeout=30_000)
    grid = page.locator(GRID)
    box = grid.bounding_box()
    assert box is not None and box["height"] >= (SHOWN + 1) * 35  # header and every row, no inner scrollbar
    page.mouse.click(box["x"] + 14, box["y"] + 35 * 5 + 17)  # the fifth row's selection box
    fifth = order[4].removeprefix("https://github.com/").replace("/issues/", "#").replace("/pull/", "#")
    opened = page.get_by_test_id("stMarkdown").filter(has_text="Rank 5, score")
    expect(opened).to_contain_text(fifth, timeout=30_000)
    # the why table: the one whose header says Criterion (the needs-facts band sits between)
    why = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').filter(
        has=page.locator("th, td").filter(has_text=re.compile(r"^Criterion$")))
    rows = len(CRITERIA) + 1  # a header and every criterion
    expect(why.locator(f'table tr[aria-rowindex="{rows}"]')).to_be_attached(timeout=30_000)
    why_box = why.bounding_box()
    assert why_box is not None and why_box["height"] >= rows * 35


def test_the_downloads_are_the_ranking_on_screen_built_when_clicked(server, page):
    # issue 13: the three downloads were rendered on every rerun; now each is built on its click,
    # from the ranking on screen (here with age moved to 10).
    from playwright.sync_api import expect

    from triage import export
    from triage.ranking import filters
    from triage.snapshots import preset_label

    url, _ = server
    page.goto(f"{url}/?w_age=10")
    expect(item_column(page, SHOWN)).to_have_text(demo_order(age=10.0), timeout=30_000)
    config = load_config([demo_config_path()])
    preset = config.preset()
    meeting = demo_meeting()
    weights = {**preset.weights, "age": 10.0}
    ranked = scoring.rank_items(meeting.facts, weights, preset.params, meeting.as_of, meeting.context(),
                                config.people)
    meta = export.Meta(meeting.as_of, preset_label(preset, weights), weights, None, meeting.title)
    heading = f"{meeting.title}: ranked as of {meeting.as_of:%Y-%m-%d}"
    shown = set(filters.apply(ranked, filters.Filters()).rows["ref"])  # resolved items are hidden
    rows = [r for r in export.to_rows(ranked) if r["ref"] in shown]
    assert len(rows) == SHOWN
    for label, fmt in (("Download Markdown", "markdown"), ("Download JSON", "json")):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        assert Path(download.value.path()).read_text("utf-8") == export.render_rows(rows, fmt, heading, None, meta)


def test_a_slider_move_redraws_the_ranking_not_the_page(server, page):
    # issue 13: a slider move reruns the fragment holding the sliders and the ranking, and nothing
    # above it: the server sends nothing for the title, the moment and the filters (a full rerun
    # sends every element again, the caption under the title among them).
    from playwright.sync_api import expect

    url, _ = server
    received: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(
        data if isinstance(data, bytes) else data.encode())))
    page.goto(url)
    expect(item_column(page, SHOWN)).to_have_text(demo_order(), timeout=30_000)
    caption = b"items ranked as of"
    assert any(caption in frame for frame in received)
    before = len(received)
    slide(page, "Age", 18)  # 1 -> 10
    expect(item_column(page, SHOWN)).to_have_text(demo_order(age=10.0), timeout=30_000)
    expect(page).to_have_url(re.compile(r"w_age=10"))
    assert len(received) > before  # the ranking came back...
    assert not any(caption in frame for frame in received[before:])  # ...and nothing above it
    # A filter is above the fragment: showing resolved items reruns the page, caption included.
    before = len(received)
    page.get_by_test_id("stCheckbox").filter(has_text="Show resolved items").click()
    expect(page).to_have_url(re.compile(r"resolved=shown"), timeout=30_000)
    assert any(caption in frame for frame in received[before:])
