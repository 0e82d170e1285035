"""`triage snapshot ...`: create, list, show, diff and export, through `main()` and the real command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from triage.cli import main
from triage.meeting import demo_meeting, meeting_to_dict
from triage.snapshots.store import SnapshotStore

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def create(capsys, *extra: str) -> str:
    code, out, err = run(capsys, "snapshot", "create", *extra)
    assert code == 0, err
    return out.splitlines()[-1]


def test_create_prints_the_id_alone_on_its_last_line(capsys):
    code, out, _ = run(capsys, "snapshot", "create", "--demo")
    assert code == 0
    first, last = out.splitlines()
    home = os.environ["TRIAGE_HOME"]
    assert first == f"Saved a snapshot of 16 items (balanced, as of 2023-12-14) in sqlite:///{home}/triage.db"
    assert len(last) == 64 and set(last) <= set("0123456789abcdef")
    assert create(capsys, "--demo") == last  # same content, same id


def test_show_json_prints_exactly_what_rank_printed(capsys):
    sid = create(capsys, "--demo")
    _, ranked, _ = run(capsys, "rank", "--demo", "--format", "json")
    _, shown, _ = run(capsys, "snapshot", "show", sid[:12], "--format", "json")
    assert json.loads(shown)["items"] == json.loads(ranked)["items"]
    assert json.loads(shown)["items"][0]["ref"] == "falcosecurity/falco#1340"
    # issue 11: the JSON says which snapshot, moment, preset and weights it holds
    meta = json.loads(shown)
    assert (meta["snapshot"], meta["preset"], meta["as_of"]) == (sid, "balanced", "2023-12-14T23:59:59+00:00")
    assert meta["weights"]["waiting_on_maintainers"] == 3.0 and json.loads(ranked)["snapshot"] is None
    _, ranked_md, _ = run(capsys, "rank", "--demo", "--format", "markdown")
    _, shown_md, _ = run(capsys, "snapshot", "show", sid, "--format", "markdown")
    assert shown_md == ranked_md


def test_options_of_rank_apply_to_create(capsys):
    sid = create(capsys, "--demo", "--preset", "libs first", "--as-of", "2024-01-11")
    _, ranked, _ = run(
        capsys, "rank", "--demo", "--preset", "libs first", "--as-of", "2024-01-11", "--format", "json"
    )
    _, shown, _ = run(capsys, "snapshot", "show", sid, "--format", "json")
    assert json.loads(shown) == {**json.loads(ranked), "snapshot": sid}
    _, listed, _ = run(capsys, "snapshot", "list", "--format", "json")
    (summary,) = json.loads(listed)
    assert (summary["id"], summary["preset"], summary["as_of"], summary["items"]) == (
        sid,
        "libs first",
        "2024-01-11T23:59:59+00:00",
        16,
    )


def test_create_from_a_facts_file_with_a_weights_file(capsys, tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(meeting_to_dict(demo_meeting())), "utf-8")
    weights = tmp_path / "triage.toml"
    weights.write_text("[presets.mine]\nage = 10\n", "utf-8")
    sid = create(capsys, "--facts", str(facts), "--weights", str(weights), "--preset", "mine")
    args = ("--facts", str(facts), "--weights", str(weights), "--preset", "mine", "--format", "json")
    _, ranked, _ = run(capsys, "rank", *args)
    _, shown, _ = run(capsys, "snapshot", "show", sid, "--format", "json")
    assert json.loads(shown)["items"] == json.loads(ranked)["items"]


def test_list_shows_the_newest_first(capsys):
    older = create(capsys, "--demo")
    newer = create(capsys, "--demo", "--preset", "waiting first", "--as-of", "2024-01-11")
    code, out, _ = run(capsys, "snapshot", "list")
    assert code == 0
    lines = out.splitlines()
    assert [line[:12] for line in lines] == [newer[:12], older[:12]]
    assert "as of 2024-01-11   16 items  waiting first    Falco core maintainers, 2023-12-14" in lines[0]
    _, out, _ = run(capsys, "snapshot", "list", "--limit", "1")
    assert len(out.splitlines()) == 1


def test_diff_compares_two_snapshots(capsys):
    older = create(capsys, "--demo")
    newer = create(capsys, "--demo", "--preset", "waiting first", "--as-of", "2024-01-11")
    code, out, _ = run(capsys, "snapshot", "diff", older[:12], newer[:12])
    assert code == 0
    assert out.startswith("### Since 2023-12-14: Falco core maintainers, 2023-12-14 as of 2024-01-11\n")
    assert "**Still waiting (10)**" in out and "falcosecurity/libs#1557" in out
    _, out, _ = run(capsys, "snapshot", "diff", older, newer, "--format", "json")
    data = json.loads(out)
    assert data["older"]["id"] == older and data["newer"]["id"] == newer
    assert data["counts"]["new"] == data["counts"]["dropped"] == 0
    code, _, err = run(capsys, "snapshot", "diff", newer, older)
    assert code == 2 and "give the older snapshot first" in err


def test_export_markdown_carries_the_share_link(capsys, monkeypatch):
    sid = create(capsys, "--demo")
    _, out, _ = run(capsys, "snapshot", "export", sid[:16], "--format", "markdown")
    assert out.splitlines()[2] == f"Snapshot: <http://localhost:8501/?snapshot={sid}>"
    monkeypatch.setenv("TRIAGE_BASE_URL", "https://triage.example.org")
    _, out, _ = run(capsys, "snapshot", "export", sid)
    assert f"Snapshot: <https://triage.example.org/?snapshot={sid}>" in out
    _, out, _ = run(capsys, "snapshot", "export", sid, "--base-url", "http://10.0.0.2:8501/")
    assert f"Snapshot: <http://10.0.0.2:8501/?snapshot={sid}>" in out
    _, csv, _ = run(capsys, "snapshot", "export", sid, "--format", "csv")
    assert csv.splitlines()[0].startswith(
        "rank,ref,title,url,kind,state,status,waiting_on,waiting_days,score,why,"
    )
    assert len(csv.splitlines()) == 16  # the resolved falco#2413 hidden, as `triage rank` hides it
    code, _, err = run(capsys, "snapshot", "export", sid, "--base-url", "javascript:alert(1)")
    assert code == 2 and "is not an http(s) address" in err


def test_db_option_overrides_the_store(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    sid = create(capsys, "--demo", "--db", url)
    _, out, _ = run(capsys, "snapshot", "list")
    assert out == ""  # the default store under TRIAGE_HOME is untouched
    _, out, _ = run(capsys, "snapshot", "list", "--db", url)
    assert out.startswith(sid[:12])


def test_errors_are_one_line_with_exit_status_2(capsys):
    code, out, err = run(capsys, "snapshot", "show", "0123456789abcdef")
    home = os.environ["TRIAGE_HOME"]
    assert (code, out) == (2, "")
    assert err == f"triage: error: No snapshot 0123456789abcdef… in sqlite:///{home}/triage.db\n"
    code, _, err = run(capsys, "snapshot", "show", "abc")
    assert code == 2 and "expected 12 to 64 hexadecimal digits" in err
    code, _, err = run(capsys, "snapshot", "list", "--db", "postgresql+psycopg://u:hunter2pw@127.0.0.1:1/db")
    assert code == 2 and "hunter2pw" not in err and "u:***@127.0.0.1:1/db" in err
    code, _, err = run(capsys, "snapshot", "create")
    assert code == 2 and "Say what to rank" in err


def test_the_real_command_saves_where_triage_home_says(tmp_path):
    env = {**os.environ, "TRIAGE_HOME": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "-m", "triage.cli", "snapshot", "create", "--demo"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )
    sid = made.stdout.splitlines()[-1]
    with SnapshotStore(f"sqlite:///{tmp_path / 'triage.db'}") as store:
        assert store.load(sid).rows[0]["rank"] == 1


@pytest.mark.parametrize("fmt", ["json", "markdown", "csv"])
def test_show_formats_end_with_a_newline(capsys, fmt):
    sid = create(capsys, "--demo")
    _, out, _ = run(capsys, "snapshot", "show", sid, "--format", fmt)
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_a_snapshot_of_the_second_demo_meeting(capsys):
    # issue 15: `triage snapshot create --demo falco-2024-02-01` works as it does for the first
    sid = create(capsys, "--demo", "falco-2024-02-01")
    code, out, _ = run(capsys, "snapshot", "list")
    assert code == 0 and "as of 2024-02-01   16 items  balanced" in out
    assert "Falco core maintainers, 2024-02-01" in out and out.startswith(sid[:12])
