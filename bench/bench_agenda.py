"""The agenda reader: real minutes, and the largest accepted upload in the shapes that cost it most.

Each 2 MB shape is read in a fresh process, so that its peak resident memory (interpreter and
imports included, about 20 MB) is its own; issue 12 asks for under 5 s and under 500 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from triage.agenda import read_agenda

DATA = Path(__file__).parents[1] / "tests" / "data"
SHAPES = {  # expressions building 2 MB (the limit for minutes) of each costly shape
    "list_items": "'- a\\n' * (MAX_MINUTES_BYTES // 4)",
    "lines": "'a\\n' * (MAX_MINUTES_BYTES // 2)",
    "labels": "'SKIPPED:\\n' * (MAX_MINUTES_BYTES // 9)",
    "quoted_items": "'> - a\\n' * (MAX_MINUTES_BYTES // 6)",
    "counted_words": "'Topic #1 ' * (MAX_MINUTES_BYTES // 9)",
    "distinct_refs": "''.join(f'- o/r#{n}\\n' for n in range(1, 250_000))[:MAX_MINUTES_BYTES]",
}
_CHILD = """
import json, resource, sys, time
from triage.agenda import MAX_MINUTES_BYTES, read_agenda
text = {shape}
started = time.perf_counter()
reading = read_agenda(text, "o/r")
print(json.dumps([time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))
"""


def _real_minutes_ms() -> float:
    texts = [p.read_text("utf-8") for p in sorted(DATA.glob("minutes*/*.md"))]
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for text in texts:
            read_agenda(text)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / len(texts)


def run() -> dict[str, float]:
    figures = {"agenda_real_minutes_ms_each": _real_minutes_ms()}
    peak = 0.0
    for name, shape in SHAPES.items():
        done = subprocess.run([sys.executable, "-c", _CHILD.format(shape=shape)], capture_output=True, text=True,
                              check=True)
        seconds, mb = json.loads(done.stdout)
        figures[f"agenda_2mb_{name}_seconds"] = seconds
        peak = max(peak, mb)
    figures["agenda_2mb_peak_mb"] = peak
    return figures
