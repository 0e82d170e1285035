"""triage's test suite (a package, so that `python -m tests.fakegithub` runs the fake GitHub)."""
