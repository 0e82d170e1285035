"""A fake GitHub API on 127.0.0.1 for tests, benchmarks and `make run-fake`.

`FakeGitHub` is a real HTTP server that the real PyGithub client talks to; `faults` builds the
failures GitHub really produces; `generate_org` makes realistic synthetic items; `demo_truth` serves
the demo's recorded Falco items. Start it standalone with `python -m tests.fakegithub --port PORT`.
"""

from tests.fakegithub import faults
from tests.fakegithub.faults import Fault
from tests.fakegithub.generate import generate_org, synthetic_item
from tests.fakegithub.server import FakeGitHub, Recorded
from tests.fakegithub.store import complete_recorded, demo_truth

__all__ = [
    "FakeGitHub",
    "Fault",
    "Recorded",
    "complete_recorded",
    "demo_truth",
    "faults",
    "generate_org",
    "synthetic_item",
]
