"""Take the README's screenshots: serve the dashboard headless on the demo (with two snapshots in
a throwaway store) and capture it in Debian's Chromium.

Usage: .venv/bin/python scripts/screenshot.py docs/

Writes screenshot.png (the ranking), filters.png (the sidebar's filters on the libs items waiting
on maintainers), snapshot.png (a frozen snapshot opened from its link) and compare.png (two
meetings compared).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from triage.facts import parse_when  # noqa: E402
from triage.meeting import demo_meeting  # noqa: E402
from triage.snapshot_store import SnapshotStore  # noqa: E402
from triage.snapshots import freeze  # noqa: E402
from triage.weights import demo_config_path, load_config  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def two_meetings(home: Path) -> str:
    """The demo saved as of its meeting and, with waiting weighed more, four weeks later; the
    later one's id."""
    config = load_config([demo_config_path()])
    meeting = demo_meeting()
    with SnapshotStore(f"sqlite:///{home / 'triage.db'}") as store:
        store.save(freeze(meeting, config.preset(), config.people, as_of=parse_when("2023-12-14", end_of_day=True)))
        return store.save(freeze(meeting, config.preset("waiting first"), config.people,
                                 as_of=parse_when("2024-01-11", end_of_day=True)))


def settle(page: Page) -> None:
    """Wait for the ranked grid and for Streamlit to stop running."""
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(2500)


def main(out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        later = two_meetings(Path(home))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TRIAGE_"))}
        env["TRIAGE_HOME"] = home
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
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.goto(url)
                settle(page)
                page.screenshot(path=str(folder / "screenshot.png"))

                page.set_viewport_size({"width": 1500, "height": 1150})
                page.goto(f"{url}/?repo=falcosecurity/libs&turn=maintainers")
                settle(page)
                page.screenshot(path=str(folder / "filters.png"))

                page.set_viewport_size({"width": 1500, "height": 1000})
                page.goto(f"{url}/?snapshot={later}")
                settle(page)
                page.screenshot(path=str(folder / "snapshot.png"))

                page.set_viewport_size({"width": 1500, "height": 1500})
                page.goto(f"{url}/compare")
                settle(page)
                page.screenshot(path=str(folder / "compare.png"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1])
