"""Instructions, counted by valgrind's callgrind, for ranking the 10,000 scanned PRs from their facts
and for re-ranking them after a weight change (`bench_scan` runs it when valgrind is installed).

Wall time on the shared 2-core machine swings by 2x; instruction counts do not. Three processes load
the same columns and warm up (score and rank once, so imports and first calls are paid), then do
nothing more, score once more (`scoring.evaluate_columns`), or rank once more (`scoring.rank`): the
differences are what one scoring and one re-ranking cost. `rank10k_over_rerank10k_instructions` is
their ratio, the instruction-count twin of `rank10k_over_rerank10k`.

Usage: python -m bench.callgrind_ratio FACTS.pickle {warm,evaluate,rank}  (run under valgrind)
"""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from triage.ranking import scoring

ROOT = Path(__file__).resolve().parents[1]
_COLLECTED = re.compile(r"Collected : (\d+)")


def main(path: str, step: str) -> None:
    columns, params, weights, as_of, people = pickle.loads(Path(path).read_bytes())
    evaluated = scoring.evaluate_columns(columns, params, as_of, people, {})
    scoring.rank(evaluated, weights)
    if step == "evaluate":
        scoring.evaluate_columns(columns, params, as_of, people, {})
    elif step == "rank":
        scoring.rank(evaluated, weights)


def _instructions(path: Path, step: str) -> int:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out",
             sys.executable, "-m", "bench.callgrind_ratio", str(path), step],
            cwd=ROOT, capture_output=True, text=True, check=True)
    found = _COLLECTED.search(done.stderr)
    assert found, done.stderr[-2000:]
    return int(found[1])


def figures(path: Path) -> dict[str, float]:
    """The instruction counts of one scoring and one re-ranking of the pickled columns, and their
    ratio; nothing when valgrind is not installed."""
    if shutil.which("valgrind") is None:
        return {}
    warm, evaluate, rank = (_instructions(path, step) for step in ("warm", "evaluate", "rank"))
    return {
        "rank10k_instructions": evaluate - warm,
        "rerank10k_instructions": rank - warm,
        "rank10k_over_rerank10k_instructions": (evaluate - warm) / (rank - warm),
    }


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
