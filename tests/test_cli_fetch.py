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
    assert "11 of 16 items fetched in 3 requests" in err  # the items' query, then a probe for PRs and one for issues
    assert "falcosecurity/libs#1393: not found or private" in err
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

    assert main(["rank", "--facts", str(out), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 16
    by_ref = {r["ref"]: r for r in rows}
    assert by_ref["falcosecurity/libs#1557"]["title"] == "Introduce conditional kernel-side event filtering"
    assert by_ref["falcosecurity/libs#1393"]["status"] == "not_found"


def test_a_rate_limit_keeps_what_was_fetched_and_exits_1(fake_github, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    fake_github.inject(faults.primary_rate_limit(reset_in=40 * 60, path="^/graphql$", times=None))
    out = tmp_path / "facts.json"
    code = main(["fetch", str(MINUTES), "--api-url", fake_github.url, "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 1
    assert "rate limit" in err.lower() and "UTC" in err and FAKE_TOKEN not in err
    doc = json.loads(out.read_text())
    assert len(doc["facts"]["items"]) == 16  # every item is there, with a status saying why it is empty
    assert {i["status"] for i in doc["facts"]["items"]} == {"rate_limited"}
