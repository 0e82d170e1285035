"""Progress on standard error for the commands that read GitHub item by item (`fetch`, `scan`)."""

from __future__ import annotations

import sys


class Progress:
    """A progress callback on standard error (`template` has {done}, {total}): one line rewritten
    in place on a terminal, one line per step in a log (a log has no carriage returns: rewritten
    lines ran together there, "fetched 0/16fetched 16/16")."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.live = sys.stderr.isatty()
        self.last: str | None = None

    def __call__(self, done: int, total: int) -> None:
        line = self.template.format(done=done, total=total)
        if self.live:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif line != self.last:
            print(line, file=sys.stderr, flush=True)
        self.last = line

    def finish(self) -> None:
        """End the rewritten line on a terminal."""
        if self.live and self.last is not None:
            print(file=sys.stderr)
