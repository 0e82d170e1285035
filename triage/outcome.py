"""What a run of `triage fetch` or `triage scan` achieved, as the exit status a cron job reads.

0: everything was read (an item GitHub says is missing or private was read: that is its answer).
1: part was read; the output is written and every failure is a warning on standard error.
2: nothing usable was read (or the input was bad); no output is written, and the reason is on
   standard error.
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.facts import ItemFacts

EXIT_OK, EXIT_PARTIAL, EXIT_NOTHING = 0, 1, 2
FETCHED = ("ok", "moved")  # statuses whose facts were read
ANSWERED = (*FETCHED, "not_found")  # statuses GitHub answered for (missing or private is an answer)


def fetched(items: Sequence[ItemFacts]) -> int:
    """How many items have facts read from GitHub (or its cache) in this run."""
    return sum(i.status in FETCHED for i in items)


def usable(items: Sequence[ItemFacts]) -> int:
    """How many items have facts to rank: fetched, or kept from an earlier run ("stale")."""
    return sum(i.found for i in items)


def fetch_status(items: Sequence[ItemFacts], errors: Sequence[str]) -> int:
    """The exit status of an agenda fetch: stale facts are written, as a partial result."""
    if not usable(items):
        return EXIT_NOTHING
    if errors or any(i.status not in ANSWERED for i in items):
        return EXIT_PARTIAL
    return EXIT_OK


def scan_status(items: Sequence[ItemFacts], errors: Sequence[str]) -> int:
    """The exit status of a scan: an organisation without open PRs is a complete, empty answer."""
    if errors and not items:
        return EXIT_NOTHING
    return EXIT_PARTIAL if errors else EXIT_OK
