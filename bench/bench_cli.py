"""Benchmark: how long the `triage` command takes to start (issue 13: `cli_help_seconds` <= 0.2).

Each command runs in a fresh process, as a user or a cron job runs it, best of `RUNS` with the median
beside it. Python's compiled bytecode is kept between runs, as it is after any first run of an
installed command (in a temporary `PYTHONPYCACHEPREFIX`, so the tree stays clean, and whatever
`PYTHONDONTWRITEBYTECODE` says); the first, compiling run is not counted.

* `cli_help_seconds`: `triage --help`; `cli_criteria_seconds`: `triage criteria`;
  `cli_refs_seconds`: `triage refs` on the demo minutes (the agenda reader, no GitHub).
* `python_startup_seconds`: `python -c pass` in the same environment, the floor under all three.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 15
TRIAGE = str(Path(sys.executable).with_name("triage"))  # the console script `pip install` writes
COMMANDS = {
    "python_startup": [sys.executable, "-c", "pass"],
    "cli_help": [TRIAGE, "--help"],
    "cli_criteria": [TRIAGE, "criteria"],
    "cli_refs": [TRIAGE, "refs", "tests/data/minutes/2023-12-14-Falco-Core-Maintainers.md"],
}


def _seconds(argv: list[str], env: dict[str, str]) -> list[float]:
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)  # compiles, not counted
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return times


def run() -> dict[str, float]:
    """Start-up times of the quick commands, in fresh processes."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        for name, argv in COMMANDS.items():
            times = _seconds(argv, env)
            figures[f"{name}_seconds"] = min(times)
            figures[f"{name}_median_seconds"] = statistics.median(times)
    return figures
