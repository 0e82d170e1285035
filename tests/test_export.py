"""Exports: the Markdown block for the next minutes reads back as the same agenda; CSV and JSON."""

import csv
import io
import json

import pytest

from triage import export
from triage.agenda import parse_agenda
from triage.meeting import demo_meeting
from triage.ranking.scoring import rank_items
from triage.snapshots import freeze
from triage.snapshots.rendering import render
from triage.snapshots.share import share_link


@pytest.fixture(scope="module")
def ranked(demo_config):
    meeting = demo_meeting()
    p = demo_config.preset()
    return rank_items(meeting.facts, p.weights, p.params, meeting.as_of, meeting.context(), demo_config.people)


def test_markdown_export_parses_back_to_the_same_refs_in_rank_order(ranked):
    md = export.to_markdown(ranked, "Falco 2023-12-14")
    refs = parse_agenda(md)
    assert [r.ref for r in refs] == list(ranked["ref"])
    assert all(r.kind in ("pull", "issue") for r in refs)  # full links, not shorthand
    assert md.splitlines()[2].startswith("1. [falcosecurity/falco#1340](https://github.com/falcosecurity/falco/issues/1340)")


def test_snapshot_markdown_carries_its_link_and_still_parses_back(demo_config):
    snap = freeze(demo_meeting(), demo_config.preset(), demo_config.people)
    link = share_link(snap.id, "https://triage.example.org")
    md = render(snap, "markdown", link)
    assert f"Snapshot: <https://triage.example.org/?snapshot={snap.id}>" in md
    assert [r.ref for r in parse_agenda(md)] == [row["ref"] for row in snap.rows]


def test_a_thread_named_in_a_reason_does_not_join_the_next_agenda():
    row = {"rank": 1, "ref": "falcosecurity/libs#1376", "url": "https://github.com/falcosecurity/libs/issues/1376",
           "title": "Allow loading tracepoints", "score": 0.2, "why": "taken up by the maintainers on 2023-11-30 "
           "(incertum referred to it from falcosecurity/libs#1527), 14 days ago; closed via evolution#350"}
    md = export.rows_to_markdown([row], "x")
    assert "(incertum referred to it from `falcosecurity/libs#1527`)" in md and "via `evolution#350`" in md
    assert [r.ref for r in parse_agenda(md, default_org="falcosecurity")] == ["falcosecurity/libs#1376"]


def test_titles_with_brackets_do_not_break_the_links(ranked):
    md = export.to_markdown(ranked, "x")
    line = next(line for line in md.splitlines() if "libs#470" in line)
    assert "\\[WIP\\] Introduce a coding style" in line  # escaped, so the link text stays the ref


def test_csv_has_one_row_per_item_and_a_column_per_criterion(ranked):
    rows = list(csv.DictReader(io.StringIO(export.to_csv(ranked))))
    assert len(rows) == 16
    assert rows[0]["ref"] == "falcosecurity/falco#1340" and rows[0]["waiting_on"] == "maintainers_own"
    assert rows[0]["waiting_days"] == "70"  # taken up at the 2023-10-05 meeting
    total = sum(float(rows[0][n]) for n in export.CRITERIA)
    assert total == pytest.approx(float(rows[0]["score"]), abs=1e-5)
    unknown = next(r for r in rows if r["ref"] == "falcosecurity/evolution#345")
    assert unknown["title"] == "" and unknown["waiting_days"] == ""  # unknown stays empty, not invented


def test_json_rows_are_plain_values(ranked):
    rows = json.loads(export.to_json(ranked))
    row = next(r for r in rows if r["ref"] == "falcosecurity/evolution#345")
    assert row["title"] is None and row["waiting_days"] is None and row["status"] == "unknown"
    with pytest.raises(ValueError, match="Unknown format 'xml'"):
        export.render(ranked, "xml")
