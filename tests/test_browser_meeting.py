"""Meeting mode in a real browser (issue 14): the chair records with the keyboard, an attendee on
another browser context sees the outcomes arrive without reloading, a context without the key
cannot record, and the exported minutes parse back to the stored outcomes."""

import re
from pathlib import Path

import pytest

from tests import test_browser
from triage.facts import ItemKey
from triage.meeting import demo_meeting
from triage.outcomes import latest, minutes
from triage.outcomes.store import MeetingStore, hash_key
from triage.ranking.weights import demo_config_path, load_config
from triage.snapshots import freeze
from triage.snapshots.store import SnapshotStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]
browser = test_browser.browser  # the module-scoped Debian Chromium
server = test_browser.server  # a dashboard server of this module's own, with its TRIAGE_HOME
VIEWPORT = {"viewport": {"width": 1400, "height": 2400}}


@pytest.fixture(scope="module")
def snap(server):
    _, home = server
    config = load_config([demo_config_path()])
    frozen = freeze(demo_meeting(), config.preset(), config.people)
    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        store.save(frozen)
    return frozen


def stored(home, meeting_id):
    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        return MeetingStore(store).history(meeting_id)


def press(page, key: str) -> None:
    """Press `key` once the app's run is over: a key pressed while a run is still drawing the item
    reaches buttons drawn for the previous item, which ignore it (see `meeting_panel._go`)."""
    test_browser.idle(page)
    page.keyboard.press(key)


def test_a_meeting_with_a_chair_on_the_keyboard_and_an_attendee_following(server, browser, snap):
    from playwright.sync_api import expect

    url, home = server
    rows = snap.rows
    chair_ctx, attendee_ctx, crafted_ctx = (browser.new_context(**VIEWPORT) for _ in range(3))
    try:
        chair = chair_ctx.new_page()
        chair.goto(f"{url}/?snapshot={snap.id}&meeting=1")
        chair.get_by_role("button", name="Start the meeting").click(timeout=30_000)
        expect(chair.get_by_text("you chair it")).to_be_visible(timeout=30_000)
        expect(chair).to_have_url(re.compile(r"meeting=[0-9a-f]{12}&key="))
        meeting_id, key = re.search(r"meeting=([0-9a-f]{12})&key=([\w-]+)", chair.url).groups()

        attendee = attendee_ctx.new_page()
        attendee.goto(f"{url}/?snapshot={snap.id}&meeting={meeting_id}")
        expect(attendee.get_by_text("read-only, following along")).to_be_visible(timeout=30_000)
        attendee.evaluate("window.__sameDocument = true")  # gone if the page reloads
        expect(attendee.get_by_role("button", name="Skipped")).to_have_count(0)

        # The chair: a login, Tab out of the field, 2 (assigned); then 6 (skipped); → and ← to walk; 5 (deferred).
        expect(chair.get_by_text(f"Item 1 of 16: {rows[0]['ref']}")).to_be_visible()
        chair.get_by_label("Who (for assigned / needs review)").fill("LucaGuerra")
        press(chair, "Tab")
        press(chair, "2")
        expect(chair.get_by_text(f"Item 2 of 16: {rows[1]['ref']}")).to_be_visible(timeout=30_000)
        press(chair, "6")
        expect(chair.get_by_text(f"Item 3 of 16: {rows[2]['ref']}")).to_be_visible(timeout=30_000)
        press(chair, "ArrowRight")
        expect(chair.get_by_text(f"Item 4 of 16: {rows[3]['ref']}")).to_be_visible(timeout=30_000)
        press(chair, "ArrowLeft")
        expect(chair.get_by_text(f"Item 3 of 16: {rows[2]['ref']}")).to_be_visible(timeout=30_000)
        press(chair, "5")
        expect(chair.get_by_text(f"Item 4 of 16: {rows[3]['ref']}")).to_be_visible(timeout=30_000)

        history = stored(home, meeting_id)
        assert [(r.ref.ref, r.describe()) for r in history] == [
            (rows[0]["ref"], "assigned to @LucaGuerra"),
            (rows[1]["ref"], "skipped"),
            (rows[2]["ref"], "deferred to the next meeting"),
        ]

        # The attendee sees them arrive, and follows the chair's item, in the same document.
        expect(attendee.get_by_text(f"Latest: {rows[2]['ref']}: deferred to the next meeting")).to_be_visible(
            timeout=20_000)
        expect(attendee.get_by_text("3 of 16 items have an outcome · refreshed")).to_be_visible()
        expect(attendee.get_by_text(f"Now discussing: #4 {rows[3]['ref']}")).to_be_visible(timeout=20_000)
        assert attendee.evaluate("window.__sameDocument") is True

        # Without the key (or with the stored hash for one) the keys do nothing and nothing is written.
        attendee.keyboard.press("7")
        crafted = crafted_ctx.new_page()
        crafted.goto(f"{url}/?snapshot={snap.id}&meeting={meeting_id}&key={hash_key(key)}&player=1&players=1")
        expect(crafted.get_by_text("does not open this meeting; following read-only")).to_be_visible(timeout=30_000)
        expect(crafted.get_by_role("button", name="Won't do")).to_have_count(0)
        crafted.keyboard.press("7")
        crafted.keyboard.press("ArrowRight")
        attendee.wait_for_timeout(2_500)  # a fragment run later, the store still holds the chair's three
        assert stored(home, meeting_id) == history
        expect(attendee.get_by_text("3 of 16 items have an outcome · refreshed")).to_be_visible()

        # The minutes an attendee exports read back to the same items and outcomes.
        with attendee.expect_download() as download:
            attendee.get_by_role("button", name="Export minutes").click()
        text = Path(download.value.path()).read_text("utf-8")
        read = {m.key: (m.outcome, m.who) for m in minutes.read_outcomes(text) if m.outcome}
        assert read == {key_: (r.outcome, r.who) for key_, r in latest(history).items()}
        assert read[ItemKey.parse(rows[0]["ref"])] == ("assigned", "LucaGuerra")
    finally:
        for context in (chair_ctx, attendee_ctx, crafted_ctx):
            context.close()
