"""The largest accepted minutes in the shapes that cost the agenda reader most, read in a fresh
process (shared by tests/test_agenda_limits.py and `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys

# Expressions building 2 MB (the limit for minutes) of each costly shape.
LARGEST = {
    "list_items": "'- a\\n' * (MAX_MINUTES_BYTES // 4)",
    "lines": "'a\\n' * (MAX_MINUTES_BYTES // 2)",
    "labels": "'SKIPPED:\\n' * (MAX_MINUTES_BYTES // 9)",
    "quoted_items": "'> - a\\n' * (MAX_MINUTES_BYTES // 6)",
    "code_spans": "'`a` ' * (MAX_MINUTES_BYTES // 4)",
    "counted_words": "'Topic #1 ' * (MAX_MINUTES_BYTES // 9)",
    "one_item_everywhere": "'o/r#1 ' * (MAX_MINUTES_BYTES // 6)",
    "distinct_refs": "''.join(f'- o/r#{n}\\n' for n in range(1, 250_000))[:MAX_MINUTES_BYTES]",
}
# The peak is the child's own high-water mark (VmHWM), not getrusage's ru_maxrss: on Linux ru_maxrss
# survives exec, so a child spawned by a large pytest process would report its parent's resident size
# (CI saw 508 MB for every shape, the test runner's size at that moment).
_CHILD = """
import json, re, time
from pathlib import Path
from triage.agenda import MAX_MINUTES_BYTES, read_agenda
text = {shape}
assert len(text) <= MAX_MINUTES_BYTES
started = time.perf_counter()
reading = read_agenda(text, "o/r")
seconds = time.perf_counter() - started
peak_kib = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1])
print(json.dumps([len(reading.refs), seconds, peak_kib * 1024]))
"""


def read_in_child(name: str) -> tuple[int, float, int]:
    """(items read, seconds, peak resident bytes) of reading shape `name` in a fresh process; the peak
    includes the interpreter and its imports (about 20 MB)."""
    done = subprocess.run([sys.executable, "-c", _CHILD.format(shape=LARGEST[name])], capture_output=True,
                          text=True, check=True)
    refs, seconds, peak = json.loads(done.stdout)
    return refs, seconds, peak
