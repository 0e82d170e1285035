"""Take the README's screenshots: serve the dashboard headless and capture it in Debian's Chromium.

Usage: .venv/bin/python scripts/screenshot.py docs/screenshot.png
       .venv/bin/python scripts/screenshot.py --meeting docs/meeting.png
       .venv/bin/python scripts/screenshot.py --compare docs/compare.png

`--meeting` serves from a throwaway TRIAGE_HOME holding the demo snapshot and a meeting on it with
the first outcomes of the 2023-12-14 minutes, and captures the chair's page. `--compare` serves
from an empty TRIAGE_HOME, whose first start saves the two demo meetings' snapshots, and captures
Compare on 2023-12-14 -> 2024-02-01.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_meeting_link(home: Path) -> str:
    """Save the demo snapshot, start a meeting and record the minutes' first outcomes; the chair's path."""
    from triage.facts import ItemKey
    from triage.meeting import demo_meeting
    from triage.meeting_store import MeetingStore
    from triage.snapshot_store import SnapshotStore
    from triage.snapshots import freeze
    from triage.weights import demo_config_path, load_config

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


def main(out: str, meeting: bool = False, compare: bool = False) -> None:
    port = free_port()
    env = dict(os.environ)
    home = Path(tempfile.mkdtemp(prefix="triage-screenshot-"))
    path = ""
    if meeting or compare:
        env["TRIAGE_HOME"] = str(home)
    if meeting:
        path = demo_meeting_link(home)
    if compare:
        path = "/compare"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1"], cwd=ROOT, env=env)
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
            page = browser.new_page(viewport={"width": 1500, "height": 1250 if meeting or compare else 1000})
            page.goto(url + path)
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
            if meeting:  # the chair walks on to the next undecided item, as in the meeting
                for _ in range(3):
                    page.keyboard.press("ArrowRight")
                    page.wait_for_timeout(800)
            page.wait_for_timeout(2500)
            page.screenshot(path=out)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[-1], meeting="--meeting" in args, compare="--compare" in args)
