"""Take the README's screenshot: serve the dashboard headless and capture it in Debian's Chromium.

Usage: .venv/bin/python scripts/screenshot.py docs/screenshot.png
"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(out: str) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1"], cwd=ROOT)
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
            page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
            page.wait_for_timeout(2500)
            page.screenshot(path=out)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1])
