"""The quick commands start without the heavy libraries (issue 13): what `triage --help`, `refs` and
`criteria` import, read from `sys.modules` in a fresh interpreter (timings belong to `make bench`)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINUTES = ROOT / "tests" / "data" / "minutes" / "2023-12-14-Falco-Core-Maintainers.md"
# Each takes from a tenth of a second (numpy) to a second (pandas with pyarrow) to import.
HEAVY = ("pandas", "numpy", "pyarrow", "sqlalchemy", "github", "requests", "urllib3", "streamlit", "altair",
         "graphql", "cryptography")
# Runs the command as the console script does, then lists what it imported on the last line.
_RUN = """
import json, sys
from triage.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(code)
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(*argv: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", _RUN, *argv], cwd=ROOT, capture_output=True, text=True, check=True)
    *_, code, modules = done.stdout.splitlines()
    return int(code), set(json.loads(modules))


@pytest.mark.parametrize(("argv", "allowed"), [
    (["--help"], set()),
    (["refs", str(MINUTES)], set()),
    (["criteria"], {"numpy"}),  # the criteria are functions over columns; numpy alone imports in ~0.06 s
])
def test_the_quick_commands_import_no_heavy_library(argv, allowed):
    code, modules = imported_by(*argv)
    assert code == 0
    assert {m.split(".")[0] for m in modules} & set(HEAVY) == allowed


def test_help_imports_nothing_of_triage_but_the_command_line():
    _, modules = imported_by("--help")
    assert {m for m in modules if m.split(".")[0] == "triage"} == {"triage", "triage.cli"}


def test_a_command_imports_what_it_needs_when_it_runs():
    # `rank` ranks with pandas: the laziness must not break the commands that need the libraries.
    code, modules = imported_by("rank", "--demo", "--format", "json")
    assert code == 0 and {"pandas", "triage.ranking.scoring", "triage.export"} <= modules
