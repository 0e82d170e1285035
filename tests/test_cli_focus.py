"""The command line's focus options (the share link's filters), and what its listings call things."""

import json
from dataclasses import replace
from datetime import UTC, datetime

from triage.cli import main
from triage.meeting import demo_meeting, meeting_to_dict


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ranked_refs(capsys, *argv: str) -> list[str]:
    code, out, err = run(capsys, "rank", "--demo", "--format", "json", *argv)
    assert code == 0, err
    return [r["ref"] for r in json.loads(out)["items"]]


def test_rank_focus_options_keep_only_the_matching_items_with_their_ranks(capsys):
    # issue 11: no filter by repository, kind, state, author, label, flag or whose turn
    everything = ranked_refs(capsys)
    libs = ranked_refs(capsys, "--repo", "falcosecurity/libs")
    assert libs == [r for r in everything if r.startswith("falcosecurity/libs#")] and len(libs) == 10
    skipped = ranked_refs(capsys, "--flag", "skipped")
    assert set(skipped) == {"falcosecurity/libs#381", "falcosecurity/libs#470", "falcosecurity/libs#1463"}
    issues = ranked_refs(capsys, "--kind", "issue", "--repo", "falcosecurity/falco")
    assert issues == [r for r in everything if r in {"falcosecurity/falco#1340", "falcosecurity/falco#2960"}]
    _, out, _ = run(capsys, "rank", "--demo", "--format", "json", "--flag", "skipped")
    assert [r["rank"] for r in json.loads(out)["items"]] == [everything.index(r) + 1 for r in skipped]


def test_waiting_on_a_login_keeps_what_waits_on_that_person(capsys):
    _, out, _ = run(capsys, "rank", "--demo", "--format", "json", "--include-resolved")
    rows = {r["ref"]: r for r in json.loads(out)["items"]}
    mine = ranked_refs(capsys, "--waiting-on", "leogr", "--include-resolved")
    assert mine == [ref for ref, r in rows.items() if r["waiting_on"] == "maintainers"]  # leogr wrote none of them


def test_resolved_items_are_hidden_by_default_and_counted(capsys, tmp_path):
    # issue 11: 10 of 16 rows of a real agenda were closed or merged and held ranks 7-16
    meeting = demo_meeting()
    merged = ["falcosecurity/libs#1557", "falcosecurity/falco#2960"]
    items = tuple(replace(i, state="closed", closed_at=datetime(2023, 12, 10, tzinfo=UTC)) if i.ref in merged else i
                  for i in meeting.facts.items)
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(meeting_to_dict(replace(meeting, facts=replace(meeting.facts, items=items)))))
    code, out, err = run(capsys, "rank", "--facts", str(facts), "--format", "json")
    shown = [r["ref"] for r in json.loads(out)["items"]]
    assert code == 0 and not set(merged) & set(shown)
    assert len(shown) == 13  # and falco#2413, merged on 2023-11-27
    assert "triage: note: 3 resolved items hidden (--include-resolved shows them)" in err
    code, out, _ = run(capsys, "rank", "--facts", str(facts), "--format", "json", "--include-resolved")
    assert len(json.loads(out)["items"]) == 16


def test_snapshot_list_calls_moved_weights_custom(capsys, tmp_path):
    # issue 11: `snapshot list` named custom weights after the preset ("balanced")
    from triage.ranking.weights import demo_config_path, load_config
    from triage.snapshots import freeze
    from triage.snapshots.store import SnapshotStore

    config = load_config([demo_config_path()])
    weights = {**config.preset().weights, "age": 10.0}
    db = f"sqlite:///{tmp_path / 'snap.db'}"
    with SnapshotStore(db) as store:
        store.save(freeze(demo_meeting(), config.preset(), config.people, weights=weights))
        store.save(freeze(demo_meeting(), config.preset("libs first"), config.people))
    _, out, _ = run(capsys, "snapshot", "list", "--db", db, "--format", "json")
    assert sorted(s["preset"] for s in json.loads(out)) == ["custom (from balanced)", "libs first"]


def test_diff_warns_when_the_two_snapshots_used_different_weights(capsys, tmp_path):
    # issue 11: nothing warned when two snapshots used different weights
    db = f"sqlite:///{tmp_path / 'snap.db'}"
    ids = []
    for preset, day in (("balanced", "2023-12-14"), ("waiting first", "2024-01-11")):
        code, out, err = run(capsys, "snapshot", "create", "--demo", "--preset", preset, "--as-of", day, "--db", db)
        assert code == 0, err
        ids.append(out.splitlines()[-1])
    code, out, err = run(capsys, "snapshot", "diff", *ids, "--db", db)
    assert code == 0
    sentence = ("The two snapshots used different weights (waiting_on_maintainers weighed 3 then and 6 now; "
                "maintainer_silence weighed 2 then and 4 now; age weighed 1 then and 2 now), so part of the rank "
                "movement comes from the weights, not from the items.")
    assert f"triage: warning: {sentence}" in err and f"**Warning:** {sentence}" in out


def test_export_links_follow_the_port_the_app_runs_on(capsys, tmp_path, monkeypatch):
    # issue 11: export links said localhost:8501 whatever the app's address
    db = f"sqlite:///{tmp_path / 'snap.db'}"
    _, out, _ = run(capsys, "snapshot", "create", "--demo", "--db", db)
    sid = out.splitlines()[-1]
    monkeypatch.setenv("PORT", "8600")
    _, out, _ = run(capsys, "snapshot", "export", sid, "--db", db)
    assert f"Snapshot: <http://localhost:8600/?snapshot={sid}>" in out
    monkeypatch.setenv("TRIAGE_BASE_URL", "https://triage.example.org/")
    _, out, _ = run(capsys, "snapshot", "export", sid, "--db", db)
    assert f"Snapshot: <https://triage.example.org/?snapshot={sid}>" in out
