"""The dashboard served for real, and Debian's Chromium to drive it: `streamlit run dashboard.py`
headless on a free port with a TRIAGE_HOME of its own. The browser tests and `make bench` share it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tests.conftest import free_port

ROOT = Path(__file__).parents[1]
CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT = 60  # seconds for the server to answer its health check (a cold start imports pandas)


@contextlib.contextmanager
def serve(home: Path, env: Mapping[str, str] | None = None, args: tuple[str, ...] = (),
          port: int | None = None) -> Iterator[str]:
    """The dashboard's address while it runs (on `port`, or a free one); GitHub and triage settings
    come from `env` only, and `args` go on its command line."""
    port = port or free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TRIAGE_"))}
    environ.update(env or {})
    environ["TRIAGE_HOME"] = str(home)
    log = home / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless=true",
             f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
             "--browser.gatherUsageStats=false", *args],
            cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright (no `playwright install`)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"])
