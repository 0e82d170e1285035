"""The agenda reader: real minutes, and the largest accepted upload in the shapes that cost it most.

Each 2 MB shape is read in a fresh process, so that its peak resident memory is its own; issue 12
asks for under 5 s and under 500 MB.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.agenda_shapes import LARGEST, read_in_child
from triage.agenda import read_agenda

DATA = Path(__file__).parents[1] / "tests" / "data"


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
    peak = 0
    for name in LARGEST:
        _, seconds, rss = read_in_child(name)
        figures[f"agenda_2mb_{name}_seconds"] = seconds
        peak = max(peak, rss)
    figures["agenda_2mb_peak_mb"] = peak / 1e6
    return figures
