"""The command-line twin: `triage refs`, `triage rank`, and their messages on bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from triage.cli import COMMANDS, main
from triage.ranking.criteria import CRITERIA

MINUTES = Path(__file__).parent / "data" / "minutes" / "2023-12-14-Falco-Core-Maintainers.md"
AGENDA_REFS = {
    "falcosecurity/libs#1575", "falcosecurity/libs#1561", "falcosecurity/plugins#378", "falcosecurity/falco#1340",
    "falcosecurity/libs#1376", "falcosecurity/libs#1557", "falcosecurity/falco#2960", "falcosecurity/libs#1375",
    "falcosecurity/falco#2413", "falcosecurity/falco#2655", "falcosecurity/libs#1452", "falcosecurity/libs#1393",
    "falcosecurity/libs#381", "falcosecurity/libs#470", "falcosecurity/libs#1463", "falcosecurity/evolution#345",
}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_refs_lists_exactly_the_sixteen_items_of_the_falco_minutes(capsys):
    code, out, _ = run(capsys, "refs", str(MINUTES), "--format", "json")
    assert code == 0
    refs = json.loads(out)
    assert {r["ref"] for r in refs} == AGENDA_REFS and len(refs) == 16
    assert {r["ref"] for r in refs if "skipped" in r["flags"]} == {
        "falcosecurity/libs#381", "falcosecurity/libs#470", "falcosecurity/libs#1463"}
    assert not any("kilt" in r["ref"] or "incertum" in r["ref"] for r in refs)  # repo and profile links
    first = next(r for r in refs if r["ref"] == "falcosecurity/libs#1561")
    assert set(first) >= {"ref", "kind", "lines", "section", "flags"}
    assert first["kind"] == "pull" and first["lines"] == [52] and "under-evaluation" in first["flags"]


def test_rank_demo_json_has_contributions_summing_to_each_score(capsys):
    code, out, _ = run(capsys, "rank", "--demo", "--format", "json")
    doc = json.loads(out)
    rows = doc["items"]
    assert code == 0 and len(rows) == 15  # falco#2413, merged on 2023-11-27, is hidden with the resolved
    assert [r["rank"] for r in rows] == list(range(1, 16))
    for row in rows:
        assert set(row["contributions"]) == set(CRITERIA)
        assert sum(row["contributions"].values()) == pytest.approx(row["score"], abs=1e-5)
    assert rows[0]["ref"] == "falcosecurity/falco#1340"


def test_rank_the_second_demo_meeting_as_of_its_day_with_the_same_shape(capsys):
    # issue 15: `--demo falco-2024-02-01`; plain `--demo` stays the 2023-12-14 meeting
    code, out, _ = run(capsys, "rank", "--demo", "falco-2024-02-01", "--format", "json")
    doc = json.loads(out)
    second = doc["items"]
    _, out, _ = run(capsys, "rank", "--demo", "--format", "json")
    first = json.loads(out)["items"]
    # all 16 references: none was resolved by 2024-02-01 as far as the recorded dates tell
    assert code == 0 and len(second) == 16 and [list(r) for r in second] == [list(first[0])] * 16
    assert doc["title"] == "Falco core maintainers, 2024-02-01" and doc["as_of"] == "2024-02-01T23:59:59+00:00"
    assert "cncf/foundation#645" in {r["ref"] for r in second}
    assert "falcosecurity/libs#1557" in {r["ref"] for r in first}
    _, out, _ = run(capsys, "rank", "--demo", "falco-2024-02-01", "--format", "markdown")
    assert out.startswith("### Falco core maintainers, 2024-02-01: ranked as of 2024-02-01 (balanced)")
    with pytest.raises(SystemExit):
        main(["rank", "--demo", "falco-1999-01-01"])
    assert "invalid choice: 'falco-1999-01-01'" in capsys.readouterr().err


def test_one_weight_in_a_toml_file_changes_the_order_the_way_its_criterion_says(capsys, tmp_path):
    _, out, _ = run(capsys, "rank", "--demo", "--format", "json")
    before = [r["ref"] for r in json.loads(out)["items"]]
    weights = tmp_path / "triage.toml"
    weights.write_text("[weights]\nage = 10\n")
    _, out, _ = run(capsys, "rank", "--demo", "--weights", str(weights), "--format", "json")
    after = [r["ref"] for r in json.loads(out)["items"]]
    assert after != before
    # age weighs 10 instead of 1: the oldest threads (libs#381 opened 2022-06-08, libs#470 2022-07-11) rise
    # behind falco#1340 (opened by 2023-06-08, and strong elsewhere), and the newest (falco#2960) does not rise
    assert before[:2] == ["falcosecurity/falco#1340", "falcosecurity/libs#1452"]
    assert after[:3] == ["falcosecurity/falco#1340", "falcosecurity/libs#470", "falcosecurity/libs#381"]
    assert before.index("falcosecurity/libs#381") == 10
    assert after.index("falcosecurity/falco#2960") >= before.index("falcosecurity/falco#2960")


def test_as_of_changes_the_waiting_days(capsys):
    _, out, _ = run(capsys, "rank", "--demo", "--as-of", "2024-01-14", "--format", "json")
    row = next(r for r in json.loads(out)["items"] if r["ref"] == "falcosecurity/libs#1557")
    assert row["waiting_on"] == "maintainers" and row["waiting_days"] == 39


def test_markdown_and_csv_formats(capsys):
    _, md, _ = run(capsys, "rank", "--demo", "--format", "markdown")
    assert md.startswith("### Falco core maintainers, 2023-12-14: ranked as of 2023-12-14 (balanced)")
    assert "1. [falcosecurity/falco#1340](https://github.com/falcosecurity/falco/issues/1340)" in md
    _, csv, _ = run(capsys, "rank", "--demo", "--format", "csv")
    header = csv.splitlines()[0].split(",")
    assert header[:4] == ["rank", "ref", "title", "url"] and "waiting_on_maintainers" in header
    assert len(csv.strip().splitlines()) == 16  # 15 items: the resolved falco#2413 is hidden


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rank"], "Say what to rank: --demo, or --facts FILE"),
        (["rank", "--demo", "--preset", "fastest"], "Unknown preset 'fastest'"),
        (["rank", "--demo", "--as-of", "someday"], "Invalid date 'someday'"),
        (["refs", "does-not-exist.md"], "does-not-exist.md"),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_exit_status_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("triage: error: ") and message in err and "Traceback" not in err


def test_binary_minutes_and_broken_facts_files(capsys, tmp_path):
    binary = tmp_path / "minutes.md"
    binary.write_bytes(bytes(range(256)))
    code, _, err = run(capsys, "refs", str(binary))
    assert code == 2 and "binary" in err.lower()
    facts = tmp_path / "facts.json"
    facts.write_text("{not json")
    code, _, err = run(capsys, "rank", "--facts", str(facts))
    assert code == 2 and "is not JSON" in err


def test_the_installed_command_runs(tmp_path):
    out = subprocess.run([sys.executable, "-m", "triage.cli", "criteria"], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0].startswith("waiting_on_maintainers")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_of_the_table_builds_its_options(command, capsys):
    # The table names each command's options as "module:function" text, imported only when it runs:
    # a wrong name there would show only when that command is run.
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: triage {command} [-h]")
