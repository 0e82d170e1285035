"""`python -m tests.fakegithub --port PORT`: the fake GitHub serving the demo's items, logging to stdout."""

import sys

from tests.fakegithub.server import main

sys.exit(main())
