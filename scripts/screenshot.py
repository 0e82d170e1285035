"""Take the README's screenshots: serve the dashboard headless from a throwaway TRIAGE_HOME and
capture it in Debian's Chromium.

Usage: .venv/bin/python scripts/screenshot.py docs/
       .venv/bin/python scripts/screenshot.py --meeting docs/meeting.png

The first writes screenshot.png (the ranking), filters.png (the sidebar's filters on the libs
items waiting on maintainers), snapshot.png (a frozen snapshot opened from its link) and
compare.png (the two demo meetings compared, 2023-12-14 -> 2024-02-01), from a store holding the
snapshots the app saves on a first start.
`--meeting` serves the demo snapshot and a meeting on it with the first outcomes of the
2023-12-14 minutes, and captures the chair's page.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(home: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port with `home` as TRIAGE_HOME; its address."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TRIAGE_"))}
    env["TRIAGE_HOME"] = str(home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
        cwd=ROOT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health").read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def two_meetings(home: Path) -> str:
    """The two demo meetings' snapshots, as the app saves them on a first start; the later one's id."""
    from triage.ranking.weights import demo_config_path, load_config
    from triage.snapshots.demo import demo_snapshots
    from triage.snapshots.store import SnapshotStore

    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        return [store.save(s) for s in demo_snapshots(load_config([demo_config_path()]))][-1]


def demo_meeting_link(home: Path) -> str:
    """Save the demo snapshot, start a meeting and record the minutes' first outcomes; the chair's path."""
    from triage.facts import ItemKey
    from triage.meeting import demo_meeting
    from triage.outcomes.store import MeetingStore
    from triage.ranking.weights import demo_config_path, load_config
    from triage.snapshots import freeze
    from triage.snapshots.store import SnapshotStore

    config = load_config([demo_config_path()])
    snap = freeze(demo_meeting(), config.preset(), config.people)
    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        store.save(snap)
        meetings = MeetingStore(store)
        started = meetings.start(snap.id, started_by="leogr")
        for ref, outcome, who, note in [
            ("falco#1340", "assigned", "LucaGuerra", "Luca working on it"),
            ("libs#381", "skipped", None, "libs coding style"),
            ("libs#470", "skipped", None, "libs coding style"),
        ]:
            meetings.record(started.meeting.id, started.key, ItemKey.parse(f"falcosecurity/{ref}"), outcome,
                            who=who, note=note, by="leogr")
    return f"/?snapshot={snap.id}&meeting={started.meeting.id}&key={started.key}"


def settle(page: Page) -> None:
    """Wait for a table and for Streamlit to stop running."""
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(2500)


@contextlib.contextmanager
def app_in_chromium(prepare: Callable[[Path], str], height: int) -> Iterator[tuple[Page, str, str]]:
    """A throwaway TRIAGE_HOME made ready by `prepare`, the dashboard served from it, and a Chromium
    page 1500 px wide: yields (page, the app's address, what `prepare` returned)."""
    home = Path(tempfile.mkdtemp(prefix="triage-screenshot-"))
    try:
        prepared = prepare(home)
        with serve(home) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            try:
                yield browser.new_page(viewport={"width": 1500, "height": height}), url, prepared
            finally:
                browser.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def readme_pictures(folder: Path) -> None:
    """The ranking, the filters, a snapshot and Compare."""
    folder.mkdir(parents=True, exist_ok=True)
    with app_in_chromium(two_meetings, 1000) as (page, url, later):
        for path, name, height in [("/", "screenshot.png", 1000),
                                   ("/?repo=falcosecurity/libs&turn=maintainers", "filters.png", 1150),
                                   (f"/?snapshot={later}", "snapshot.png", 1000),
                                   ("/compare", "compare.png", 1500)]:
            page.set_viewport_size({"width": 1500, "height": height})
            page.goto(url + path)
            settle(page)
            page.screenshot(path=str(folder / name))


def meeting_picture(out: str) -> None:
    """The chair's page of a meeting on the demo snapshot."""
    with app_in_chromium(demo_meeting_link, 1250) as (page, url, path):
        page.goto(f"{url}{path}")
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
        for _ in range(3):  # the chair walks on to the next undecided item, as in the meeting
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(800)
        page.wait_for_timeout(2500)
        page.screenshot(path=out)


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--meeting" in args:
        meeting_picture(args[-1])
    else:
        readme_pictures(Path(args[-1]))
