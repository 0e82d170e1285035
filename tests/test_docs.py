"""The documentation and the layering rules hold: every criterion documented in code and README,
every module says what it holds, Streamlit only in triage/ui, PyGithub only in triage/github."""

import ast
from pathlib import Path

from triage.ranking.criteria import CRITERIA, help_text

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "triage"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_criterion_has_help_text_and_a_readme_row():
    readme = (ROOT / "README.md").read_text()
    for name in CRITERIA:
        assert help_text(name), f"criterion {name} has no docstring"
        assert f"| `{name}` |" in readme, f"criterion {name} is missing from the README's criteria table"


def test_every_module_opens_with_a_docstring():
    for path in PACKAGE.rglob("*.py"):
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path.relative_to(ROOT)} has no module docstring"


def test_streamlit_only_in_the_ui_layer_and_pygithub_only_in_the_github_package():
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        imported = _imports(path)
        if not rel.startswith("ui/"):
            assert "streamlit" not in imported, f"triage/{rel} imports streamlit"
        if not rel.startswith("github/"):
            assert "github" not in imported, f"triage/{rel} imports PyGithub"


def test_the_readme_performance_table_is_the_committed_bench_results():
    # issue 13: the table is written by `make bench` from bench/results.json, never by hand.
    from bench import readme

    text = (ROOT / "README.md").read_text()
    assert f"{readme.START}\n{readme.committed()}\n{readme.END}" in text
