"""`make bench`: run every benchmark module, print its figures, merge them into bench/results.json."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

from bench import readme

RESULTS = Path(__file__).with_name("results.json")


def main(selected: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in names:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        figures = importlib.import_module(f"bench.{name}").run()
        for key, value in figures.items():
            print(f"  {key:<34} {value:>12,.4g}" if isinstance(value, (int, float)) else f"  {key:<34} {value}")
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
        results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    readme.rewrite(results)
    print(f"wrote {RESULTS} and the README's performance table")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
