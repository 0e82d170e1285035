"""`make run` and `make test` from a fresh clone, as `make -n` plans them (nothing is installed)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture
def fresh(tmp_path):
    """A folder with the project's Makefile and pyproject.toml and no .venv: a fresh clone's view."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def plan(folder: Path, *args: str) -> str:
    command = ["make", "-n", "--no-print-directory", "-C", str(folder), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_make_run_installs_only_the_app_and_shows_its_progress(fresh):
    # issue 11: the first `make run` was silent for about 3 minutes because it installed the test extras too
    steps = plan(fresh, "run")
    assert "pip install --progress-bar on -e .\n" in steps
    assert "[test]" not in steps and "--quiet" not in steps
    assert "Installing the app's packages" in steps
    assert steps.rstrip().endswith("streamlit run dashboard.py --server.port=8501")


def test_make_test_still_installs_the_test_extras(fresh):
    steps = plan(fresh, "test")
    assert "pip install --progress-bar on -e .\n" in steps and "pip install --progress-bar on -e '.[test]'" in steps


def test_port_chooses_where_run_and_run_fake_listen(fresh):
    # issue 11: PORT was undocumented and `make run-fake` hard-coded the fake GitHub's port 8765
    assert plan(fresh, "run", "PORT=8600").rstrip().endswith("--server.port=8600")
    fake = plan(fresh, "run-fake", "PORT=8600", "FAKE_PORT=9123")
    assert "-m tests.fakegithub --port 9123" in fake
    assert "GITHUB_API_URL=http://127.0.0.1:9123" in fake and "--server.port=8600" in fake


def test_the_readme_documents_port_and_fake_port():
    readme = (ROOT / "README.md").read_text()
    assert "make run PORT=" in readme and "FAKE_PORT=" in readme
