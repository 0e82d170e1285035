"""`triage fetch` against the fake GitHub, then `triage rank --facts` on what it wrote."""

import json
from pathlib import Path

from tests.conftest import FAKE_TOKEN
from tests.fakegithub import faults
from triage.cli import main

MINUTES = Path(__file__).parent / "data" / "minutes" / "2023-12-14-Falco-Core-Maintainers.md"


def test_fetch_writes_the_facts_that_rank_reads(fake_github, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    out = tmp_path / "facts.json"
    code = main(["fetch", str(MINUTES), "--api-url", fake_github.url, "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 0
    assert "15 of 16 items fetched in 3 requests" in err  # the items' query, then a probe for PRs and one for issues
    assert "falcosecurity/evolution#345: not found or private" in err  # the one thread the recording never saw
    written = out.read_text()
    assert FAKE_TOKEN not in written and FAKE_TOKEN not in err
    doc = json.loads(written)
    assert len(doc["agenda"]) == 16 and len(doc["facts"]["items"]) == 16
    # Issue 11: the meeting's own title, and its day as the default as-of (the fetch time is kept apart).
    assert doc["title"] == "2023-12-14 Falco Core Maintainers (monthly)"
    assert doc["as_of"] == "2023-12-14T23:59:59+00:00"
    assert doc["facts"]["observed_at"][:10] > doc["as_of"][:10]
    skipped = {a["ref"] for a in doc["agenda"] if "skipped" in a["flags"]}
    assert skipped == {"falcosecurity/libs#381", "falcosecurity/libs#470", "falcosecurity/libs#1463"}

    assert main(["rank", "--facts", str(out), "--format", "json", "--include-resolved"]) == 0
    rows = json.loads(capsys.readouterr().out)["items"]
    assert len(rows) == 16
    by_ref = {r["ref"]: r for r in rows}
    assert by_ref["falcosecurity/libs#1557"]["title"] == "Introduce conditional kernel-side event filtering"
    assert by_ref["falcosecurity/evolution#345"]["status"] == "not_found"


def test_a_rate_limit_before_anything_is_read_exits_2_and_writes_nothing(fake_github, monkeypatch, tmp_path, capsys):
    # issue 11: `fetch` exited 1 yet wrote a facts file of 16 empty items, which ranked as a real agenda
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    fake_github.inject(faults.primary_rate_limit(reset_in=40 * 60, path="^/graphql$", times=None))
    out = tmp_path / "facts.json"
    code = main(["fetch", str(MINUTES), "--api-url", fake_github.url, "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 2
    assert not out.exists()
    assert "rate limit" in err.lower() and "UTC" in err and FAKE_TOKEN not in err
    assert err.rstrip().endswith("triage: error: nothing could be fetched from GitHub; no facts file written")


def test_a_rate_limit_after_part_was_read_writes_it_and_exits_1(fake_github, monkeypatch, tmp_path, capsys):
    # issue 11: 1 means partial: the file holds what was read, every failure is a warning on stderr
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    first = tmp_path / "two.md"
    first.write_text("- https://github.com/falcosecurity/libs/issues/1557\n- https://github.com/falcosecurity/libs/pull/470\n")
    assert main(["fetch", str(first), "--api-url", fake_github.url, "--out", str(tmp_path / "two.json")]) == 0
    capsys.readouterr()
    fake_github.inject(faults.primary_rate_limit(reset_in=40 * 60, path="^/graphql$", times=None))
    out = tmp_path / "facts.json"
    code = main(["fetch", str(MINUTES), "--api-url", fake_github.url, "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 1
    doc = json.loads(out.read_text())
    statuses = {f"{i['repo']}#{i['number']}": i["status"] for i in doc["facts"]["items"]}
    assert statuses["falcosecurity/libs#1557"] == "ok" and statuses["falcosecurity/libs#470"] == "ok"
    assert list(statuses.values()).count("rate_limited") == 14
    assert "2 of 16 items fetched" in err and "triage: warning: GitHub rate limit reached" in err


def test_progress_lines_stand_on_their_own_lines_in_a_log(fake_github, monkeypatch, tmp_path, capsys):
    # issue 11: "\r"-rewritten progress ran together in logs ("fetched 0/16fetched 16/16")
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    main(["fetch", str(MINUTES), "--api-url", fake_github.url, "--out", str(tmp_path / "f.json")])
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.splitlines()[:2] == ["fetched 0/16", "fetched 16/16"]


def test_minutes_without_references_exit_2_and_write_nothing(tmp_path, capsys):
    empty = tmp_path / "empty.md"
    empty.write_text("# Meeting\n\nNothing to discuss.\n")
    out = tmp_path / "facts.json"
    assert main(["fetch", str(empty), "--out", str(out)]) == 2
    assert not out.exists()
    assert capsys.readouterr().err == (f"triage: no GitHub pull requests, issues or discussions found in {empty}\n"
                                       "triage: error: nothing to fetch; no facts file written\n")
