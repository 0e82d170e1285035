"""Ranking 100,000 and a million items, in a process of its own (`bench_scan` runs it).

The items are the 10,000 scanned PRs' columns repeated under other numbers
(`FactColumns.repeated`): real shapes, held as columns as a FactSet holds them. Each size is
ranked from its facts (`scoring.evaluate_columns`, then `scoring.rank`) `RUNS` times; the figures
are the best time, the median, and the growth of the process's peak resident memory over what it
held with the facts loaded (`rank1m_peak_mb`: issue 13 asks for < 800).

Usage: python -m bench.rank_scale FACTS.pickle  (prints the figures as JSON)
"""

from __future__ import annotations

import gc
import json
import pickle
import re
import resource
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

from triage.facts import People
from triage.facts.columns import FactColumns
from triage.ranking import scoring
from triage.ranking.criteria import Params
from triage.ranking.weights import Weights

RUNS = 3


def _rss_mb() -> float:
    """The process's resident memory now (Linux: /proc/self/statm, in pages)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_mb() -> float:
    """The process's own peak resident memory (Linux: VmHWM in /proc/self/status). Not getrusage's
    ru_maxrss: that survives exec, so a child would report its parent's size when that was larger."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def rank_at(columns: FactColumns, copies: int, params: Params, weights: Weights, as_of: datetime,
            people: People) -> tuple[float, float, float]:
    """(best seconds, median seconds, peak MB over the facts) ranking `copies` copies of `columns`."""
    many = columns.repeated(copies)
    gc.collect()
    before = _rss_mb()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        ranked = scoring.rank(scoring.evaluate_columns(many, params, as_of, people, {}), weights)
        times.append(time.perf_counter() - started)
        del ranked
        gc.collect()
    return min(times), statistics.median(times), peak_mb() - before


def main(path: str) -> None:
    columns, params, weights, as_of, people = pickle.loads(Path(path).read_bytes())
    figures = {}
    for name, copies in (("rank100k", 10), ("rank1m", 100)):
        best, median, peak = rank_at(columns, copies, params, weights, as_of, people)
        figures[f"{name}_seconds"], figures[f"{name}_median_seconds"] = best, median
        figures[f"{name}_peak_mb"] = peak
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])
