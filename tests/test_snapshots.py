"""Frozen snapshots: content-addressed ids, frozen rows, the token kept out, and the store on
SQLite (and on PostgreSQL when TRIAGE_TEST_PG_URL names a server, as .ci/postgres.sh sets it)."""

import hashlib
import io
import json
import os
import subprocess
import sys
import threading
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from triage import export, snapshots
from triage.meeting import demo_meeting
from triage.ranking.criteria import CRITERIA, Verdict, help_text
from triage.snapshots import (
    Snapshot,
    SnapshotAmbiguousError,
    SnapshotFormatError,
    SnapshotIdError,
    SnapshotNotFoundError,
    SnapshotSecretError,
    SnapshotStoreError,
    SnapshotTamperedError,
    freeze,
    rendering,
    share,
)
from triage.snapshots import store as snapshot_store
from triage.snapshots.store import SnapshotStore

ROOT = Path(__file__).resolve().parents[1]
CREATED = datetime(2023, 12, 14, 18, 0, tzinfo=UTC)
TOKEN = "ghp_" + "Z9" * 18  # the shape of a classic personal access token


@pytest.fixture(scope="module")
def meeting():
    return demo_meeting()


@pytest.fixture(scope="module")
def snap(meeting, demo_config) -> Snapshot:
    """The demo meeting frozen with the demo's default preset, as the dashboard would."""
    return freeze(meeting, demo_config.preset(), demo_config.people, created_at=CREATED)


@pytest.fixture
def store(store_url):
    with SnapshotStore(store_url) as s:
        yield s


def _raw_rows(store: SnapshotStore) -> list:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT id, content, created_at FROM {snapshot_store.TABLE}")).all()


# --- the record ---------------------------------------------------------------------------------------


def test_id_is_the_sha256_of_the_canonical_json(snap):
    content = json.loads(snap.document)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert snap.document == canonical
    assert snap.id == hashlib.sha256(canonical.encode()).hexdigest()
    assert len(snap.id) == 64 and snap.short_id == snap.id[:12]
    assert content["format"] == snapshots.SNAPSHOT_FORMAT


def test_same_content_gives_the_same_id_whatever_its_creation_time(meeting, demo_config, snap):
    later = freeze(meeting, demo_config.preset(), demo_config.people, created_at=CREATED + timedelta(days=3))
    assert later.id == snap.id and later == snap
    moved = freeze(
        meeting,
        demo_config.preset(),
        demo_config.people,
        weights={**demo_config.preset().weights, "age": 5.0},
    )
    assert moved.id != snap.id


def test_id_is_stable_across_processes(snap):
    code = (
        "from datetime import datetime, UTC\n"
        "from triage.meeting import demo_meeting\n"
        "from triage.snapshots import freeze\n"
        "from triage.ranking.weights import load_config, demo_config_path\n"
        "c = load_config([demo_config_path()])\n"
        "print(freeze(demo_meeting(), c.preset(), c.people, created_at=datetime.now(UTC)).id)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # another set/dict iteration order than ours
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == snap.id


def test_snapshot_holds_what_the_triage_showed(snap, meeting, demo_config):
    preset = demo_config.preset()
    assert snap.preset == preset.name == "balanced"
    assert dict(snap.weights) == {n: preset.weights[n] for n in CRITERIA}
    assert snap.params == preset.params and snap.params.release_targets == ("0.37.0", "0.14.0")
    assert snap.people == demo_config.people
    assert snap.as_of == meeting.as_of and snap.source == "demo:falco-2023-12-14"
    assert snap.title == "Falco core maintainers, 2023-12-14"
    assert snap.meeting.facts == meeting.facts
    assert snap.meeting.refs == meeting.refs
    assert dict(snap.meeting.history) == dict(meeting.history) and meeting.history  # carried over, assigned
    assert snap.meeting.held == meeting.held
    assert [name for name, _ in snap.criteria] == list(CRITERIA)
    assert dict(snap.criteria) == {n: help_text(n) for n in CRITERIA} and help_text("age")
    ranked = export.to_rows(scoring_rank(meeting, demo_config))
    assert snap.rows == ranked and len(ranked) == 16


def scoring_rank(meeting, config):
    from triage.ranking.scoring import rank_items

    p = config.preset()
    return rank_items(meeting.facts, p.weights, p.params, meeting.as_of, meeting.context(), config.people)


def test_rank_from_the_frozen_inputs_equals_the_frozen_rows(meeting, demo_config):
    for name in demo_config.presets:
        frozen = freeze(meeting, demo_config.preset(name), demo_config.people)
        assert export.to_rows(frozen.rank()) == frozen.rows, name


def test_as_of_moves_the_judgement_and_is_recorded(meeting, demo_config, snap):
    later = freeze(meeting, demo_config.preset(), demo_config.people, as_of=datetime(2024, 1, 11, tzinfo=UTC))
    assert later.as_of == datetime(2024, 1, 11, tzinfo=UTC) != snap.as_of
    waiting = {r["ref"]: r["waiting_days"] for r in later.rows}
    assert waiting["falcosecurity/libs#1557"] == 36  # waiting since 2023-12-06
    assert export.to_rows(later.rank()) == later.rows


def test_frozen_rows_do_not_follow_later_criteria_changes(snap, store, monkeypatch):
    def age(s, p):
        """Changed after the snapshot: every item is ancient."""
        return Verdict(np.ones(len(s)), lambda row: "changed")

    store.save(snap)
    monkeypatch.setitem(CRITERIA, "age", age)
    reopened = store.load(snap.id)
    assert reopened.rows == snap.rows  # what the meeting saw, not what today's code says
    assert export.to_rows(reopened.rank()) != snap.rows
    assert reopened.criteria_changes() == [
        "Criterion 'age' has changed: now 'Changed after the snapshot: every item is ancient.'."
    ]


def test_rows_are_copies_so_the_record_cannot_be_edited(snap):
    snap.rows[0]["rank"] = 99
    assert snap.rows[0]["rank"] == 1
    with pytest.raises(TypeError):
        snap.weights["age"] = 9  # type: ignore[index]


# --- the token stays out ------------------------------------------------------------------------------


def test_no_field_of_a_snapshot_can_carry_a_token(snap):
    names = {f.name for f in fields(Snapshot)} | set(json.loads(snap.document))
    assert not {n for n in names if any(w in n.lower() for w in ("token", "secret", "password", "auth"))}
    assert set(json.loads(snap.document)) == set(snapshots._TOP_LEVEL)


def test_snapshot_made_while_github_token_is_set_does_not_contain_it(
    meeting, demo_config, store, monkeypatch
):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    snap = freeze(meeting, demo_config.preset(), demo_config.people)
    store.save(snap)
    assert TOKEN not in snap.document
    assert all(TOKEN not in row.content for row in _raw_rows(store))
    assert TOKEN not in rendering.render(store.load(snap.id), "markdown", share.share_link(snap.id))


def test_a_token_hidden_in_the_facts_is_refused_not_frozen(meeting, demo_config, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    first = meeting.facts.items[0]
    leaky = replace(
        first, url=f"https://x-access-token:{TOKEN}@github.com/{first.repo}/issues/{first.number}"
    )
    bad = replace(meeting, facts=replace(meeting.facts, items=(leaky, *meeting.facts.items[1:])))
    with pytest.raises(SnapshotSecretError, match="would contain the GitHub token") as e:
        freeze(bad, demo_config.preset(), demo_config.people)
    assert TOKEN not in str(e.value)
    sidebar = "github_pat_" + "A1" * 20  # a token typed in the app's sidebar, not in the environment
    monkeypatch.delenv("GITHUB_TOKEN")
    bad = replace(meeting, title=f"triage {sidebar}")
    with pytest.raises(SnapshotSecretError):
        freeze(bad, demo_config.preset(), demo_config.people, secrets=[sidebar])


# --- documents and formats ----------------------------------------------------------------------------

# A format 1 document written by hand, as an older triage could have stored it: only the required
# fields (no params, people or criteria), two items, pretty-printed rather than canonical.
HAND_WRITTEN_V1 = """
{
  "format": 1,
  "preset": "balanced",
  "weights": {"waiting_on_maintainers": 3, "age": 1},
  "meeting": {
    "format": 1,
    "title": "Falco core maintainers, 2023-12-14",
    "as_of": "2023-12-14T23:59:59+00:00",
    "agenda": [
      {"ref": "falcosecurity/libs#1557", "kind": "issue", "lines": [63], "section": ["Agenda"],
       "bullet": "Schedule PR reviews", "flags": ["needs-review"], "carried_over": []}
    ],
    "facts": {
      "format": 1,
      "source": "demo:falco-2023-12-14",
      "items": [
        {"repo": "falcosecurity/libs", "number": 1557, "kind": "issue", "state": "open",
         "title": "Introduce conditional kernel-side event filtering", "author": "stevenbrz",
         "created_at": "2023-12-06T00:00:00Z",
         "events": [{"actor": "stevenbrz", "at": "2023-12-06T00:00:00Z", "kind": "description"}]},
        {"repo": "falcosecurity/evolution", "number": 345, "kind": "issue", "status": "unknown"}
      ]
    }
  },
  "rows": [
    {"ref": "falcosecurity/libs#1557", "rank": 1, "score": 0.4,
     "title": "Introduce conditional kernel-side event filtering",
     "url": "https://github.com/falcosecurity/libs/issues/1557", "why": "waiting 8 days on maintainers"},
    {"ref": "falcosecurity/evolution#345", "rank": 2, "score": 0.0, "title": null,
     "url": "https://github.com/falcosecurity/evolution/issues/345", "why": "nothing scores"}
  ]
}
"""


def _store_text(store: SnapshotStore, text: str, *, id_: str | None = None, version: int = 1) -> str:
    canonical = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    id_ = id_ or hashlib.sha256(canonical.encode()).hexdigest()
    store.list()  # creates the table
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                f"INSERT INTO {snapshot_store.TABLE} (id, schema_version, created_at, source, title, as_of, "
                "preset, item_count, content) VALUES (:id, :v, '2024-01-02T03:04:05.000000Z', 'demo', 'old', "
                "'2023-12-14T23:59:59.000000Z', 'balanced', 2, :content)"
            ),
            {"id": id_, "v": version, "content": text},
        )
    return id_


def test_a_hand_written_v1_document_still_opens(store):
    sid = _store_text(store, HAND_WRITTEN_V1)
    old = store.load(sid[:12])
    assert old.id == sid and old.format == 1
    assert old.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert [r["ref"] for r in old.rows] == ["falcosecurity/libs#1557", "falcosecurity/evolution#345"]
    assert old.meeting.facts.items[0].title == "Introduce conditional kernel-side event filtering"
    assert old.meeting.refs[0].flags == ("needs-review",)
    assert old.params == snapshots.Params() and old.people == snapshots.People()  # defaults fill the gaps
    assert old.weights == {"waiting_on_maintainers": 3.0, "age": 1.0}
    assert old.criteria == (("waiting_on_maintainers", ""), ("age", ""))
    assert "1. [falcosecurity/libs#1557]" in rendering.render(old, "markdown")


def test_a_document_from_a_newer_triage_is_refused_with_a_sentence(store):
    newer = json.loads(HAND_WRITTEN_V1) | {"format": snapshots.SNAPSHOT_FORMAT + 1}
    sid = _store_text(store, json.dumps(newer), version=snapshots.SNAPSHOT_FORMAT + 1)
    with pytest.raises(SnapshotFormatError, match="written by a newer triage; this one reads formats 1 to 1"):
        store.load(sid)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("rows"), "has no 'rows'"),
        (lambda d: d.update(weights={"age": "high"}), "weights must be numbers"),
        (lambda d: d.update(format="1"), "format '1' is not valid"),
        (lambda d: d.update(extra=1), "unknown field 'extra'"),
        (lambda d: d["meeting"].pop("as_of"), "has no 'as_of'"),
    ],
)
def test_malformed_documents_are_reported(change, message):
    doc = json.loads(HAND_WRITTEN_V1)
    change(doc)
    with pytest.raises(SnapshotFormatError, match=message):
        snapshots.snapshot_from_document(doc)


# --- the store ---------------------------------------------------------------------------------------


def test_save_then_load_gives_the_same_snapshot(store, snap):
    assert store.save(snap) == snap.id
    loaded = store.load(snap.id)
    assert loaded == snap and loaded.document == snap.document
    assert loaded.meeting.facts == snap.meeting.facts and dict(loaded.weights) == dict(snap.weights)
    assert loaded.rows == snap.rows and loaded.created_at == CREATED


def test_saving_the_same_content_again_keeps_one_row(store, snap):
    assert store.save(snap) == store.save(replace(snap, created_at=CREATED + timedelta(hours=1))) == snap.id
    rows = _raw_rows(store)
    assert len(rows) == 1 and rows[0].created_at == "2023-12-14T18:00:00.000000Z"  # the first save's


def test_lookup_accepts_any_unique_prefix_of_twelve_digits_or_more(store, snap):
    store.save(snap)
    for key in (snap.id, snap.id[:12], snap.id[:30].upper(), f"  {snap.id[:20]} "):
        assert store.load(key).id == snap.id
    with pytest.raises(SnapshotIdError, match=r"Invalid snapshot id '.{11}': expected 12 to 64 hexadecimal"):
        store.load(snap.id[:11])
    with pytest.raises(SnapshotIdError):
        store.load("not-an-id-at-all")


def test_unknown_id_names_the_prefix_and_the_store(store, store_url):
    with pytest.raises(SnapshotNotFoundError) as e:
        store.load("abc123abc123")
    assert str(e.value) == f"No snapshot abc123abc123… in {snapshot_store.mask_url(store_url)}"


def test_a_prefix_matching_two_snapshots_is_ambiguous(store):
    _store_text(store, HAND_WRITTEN_V1, id_="abcdef012345" + "0" * 52)
    _store_text(store, HAND_WRITTEN_V1, id_="abcdef012345" + "1" * 52)
    with pytest.raises(SnapshotAmbiguousError, match="matches more than one snapshot"):
        store.load("abcdef012345")


def test_a_modified_stored_snapshot_is_detected(store, snap):
    store.save(snap)
    tampered = snap.document.replace('"rank":1,', '"rank":2,', 1)
    assert tampered != snap.document
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(f"UPDATE {snapshot_store.TABLE} SET content = :c WHERE id = :id"),
            {"c": tampered, "id": snap.id},
        )
    with pytest.raises(SnapshotTamperedError) as e:
        store.load(snap.short_id)
    assert str(e.value) == (
        f"Snapshot {snap.short_id}… in {store.location} was changed after it was saved: its content no "
        "longer matches its id, so it cannot be trusted and is not shown"
    )
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(f"UPDATE {snapshot_store.TABLE} SET content = 'not json' WHERE id = :id"), {"id": snap.id}
        )
    with pytest.raises(SnapshotTamperedError):
        store.load(snap.id)
    with pytest.raises(SnapshotTamperedError):
        store.latest(1)


def test_list_and_latest_show_the_newest_first(store, meeting, demo_config):
    made = []
    for n, name in enumerate(["balanced", "waiting first", "libs first"]):
        s = freeze(
            meeting, demo_config.preset(name), demo_config.people, created_at=CREATED + timedelta(days=n)
        )
        store.save(s)
        made.append(s)
    listed = store.list()
    assert [s.id for s in listed] == [s.id for s in reversed(made)]
    top = listed[0]
    assert (top.preset, top.items, top.source, top.title, top.as_of, top.created_at) == (
        "libs first",
        16,
        "demo:falco-2023-12-14",
        "Falco core maintainers, 2023-12-14",
        meeting.as_of,
        CREATED + timedelta(days=2),
    )
    assert top.to_dict()["as_of"] == "2023-12-14T23:59:59+00:00"
    assert [s.id for s in store.list(limit=1)] == [made[2].id]
    assert store.latest(2) == [made[2], made[1]]


@pytest.fixture(scope="module")
def twenty(meeting, demo_config) -> list[Snapshot]:
    """Twenty different demo snapshots (one weight moved in each)."""
    base = demo_config.preset()
    return [
        freeze(meeting, base, demo_config.people, weights={**base.weights, "age": n / 2}) for n in range(20)
    ]


def test_twenty_concurrent_saves_all_succeed(store_url, twenty):
    start = threading.Barrier(len(twenty))
    saved, failures = [], []

    def save(s: Snapshot) -> None:
        # One store per thread, like separate dashboard sessions or processes on the same file; each
        # saves its own snapshot, then all save the same one at once.
        with SnapshotStore(store_url) as own:
            start.wait()
            try:
                saved.append(own.save(s))
                saved.append(own.save(twenty[0]))
            except Exception as e:
                failures.append(repr(e))

    threads = [threading.Thread(target=save, args=(s,)) for s in twenty]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(saved) == sorted([s.id for s in twenty] + [twenty[0].id] * 20)
    with SnapshotStore(store_url) as check:
        assert sorted(s.id for s in check.list()) == sorted(s.id for s in twenty)
        for s in twenty:
            assert check.load(s.id).rows == s.rows


def test_nul_characters_in_listed_text_are_stored_on_every_backend(store, meeting, demo_config):
    # Found by the property test: PostgreSQL text columns refuse NUL, which a preset name can hold.
    odd = freeze(
        replace(meeting, title="a\x00b"), replace(demo_config.preset(), name="x\x00"), demo_config.people
    )
    store.save(odd)
    assert store.load(odd.id).preset == "x\x00" and store.load(odd.id).title == "a\x00b"
    # The listing is read from the verified content, not from the row's columns (issue 12).
    assert (store.list()[0].preset, store.list()[0].title) == ("x\x00", "a\x00b")


def test_sqlite_store_uses_wal_mode(tmp_path, snap):
    with SnapshotStore(f"sqlite:///{tmp_path / 'deep' / 'dir' / 'x.db'}") as store:
        store.save(snap)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_default_store_lives_under_triage_home_and_triage_db_url_overrides(monkeypatch, tmp_path):
    home = Path(os.environ["TRIAGE_HOME"])
    with SnapshotStore() as store:
        assert store.location == f"sqlite:///{home / 'triage.db'}"
        assert store.list() == []
    assert (home / "triage.db").exists()
    monkeypatch.setenv("TRIAGE_DB_URL", f"sqlite:///{tmp_path / 'other.db'}")
    with SnapshotStore() as store:
        assert store.location.endswith("other.db")


def test_store_errors_are_sentences_that_never_show_the_password():
    with SnapshotStore("postgresql+psycopg://triage:s3cr3t-pw@127.0.0.1:1/triage") as store:
        assert "s3cr3t-pw" not in repr(store)
        with pytest.raises(SnapshotStoreError) as e:
            store.list()
    message = str(e.value)
    assert message.startswith("Snapshot store postgresql+psycopg://triage:***@127.0.0.1:1/triage failed: ")
    assert "s3cr3t-pw" not in message
    with pytest.raises(SnapshotStoreError, match="Invalid database URL 'not a url'"):
        SnapshotStore("not a url")
    with pytest.raises(SnapshotStoreError, match="Cannot open the snapshot store nosuchdb://u:\\*\\*\\*@h/d"):
        SnapshotStore("nosuchdb://u:pw12345@h/d")


def test_mask_url_hides_passwords_even_in_urls_it_cannot_parse():
    assert snapshot_store.mask_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert snapshot_store.mask_url("::bad//u:pw@h") == "::bad//u:***@h"
    assert snapshot_store.mask_url("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"


# --- exports -----------------------------------------------------------------------------------------


def test_export_formats_render_the_frozen_rows(snap, demo_config, meeting):
    ranked = scoring_rank(meeting, demo_config)
    heading = f"{meeting.title}: ranked as of 2023-12-14 (balanced)"
    frozen = json.loads(rendering.render(snap, "json"))
    assert frozen["items"] == json.loads(export.to_json(ranked)) and frozen["snapshot"] == snap.id
    assert rendering.render(snap, "markdown") == export.to_markdown(ranked, heading)
    link = share.share_link(snap.id)
    assert link == f"http://localhost:8501/?snapshot={snap.id}"
    assert rendering.render(snap, "markdown", link) == export.to_markdown(ranked, heading, link)
    frozen_csv = pd.read_csv(io.StringIO(rendering.render(snap, "csv")))
    live_csv = pd.read_csv(io.StringIO(export.to_csv(ranked)))
    live_csv["score"] = live_csv["score"].round(6)  # the rows were frozen with 6 digits
    pd.testing.assert_frame_equal(frozen_csv, live_csv)
    with pytest.raises(ValueError, match="Unknown format 'xml'"):
        rendering.render(snap, "xml")


def test_share_link_base_url_comes_from_the_environment_or_the_caller(monkeypatch):
    monkeypatch.setenv("TRIAGE_BASE_URL", "https://triage.falco.org/app/")
    assert share.share_link("ab" * 32) == f"https://triage.falco.org/app/?snapshot={'ab' * 32}"
    assert share.share_link("ab" * 32, "http://h:1") == f"http://h:1/?snapshot={'ab' * 32}"
    with pytest.raises(ValueError, match="Base URL 'ftp://x' is not an http"):
        share.share_link("ab" * 32, "ftp://x")


def test_frame_and_contributions_table_the_frozen_rows(snap):
    table, rows = snap.frame(), snap.rows
    assert list(table["ref"]) == [r["ref"] for r in rows]
    assert list(table.columns[:11]) == [
        "rank",
        "ref",
        "title",
        "url",
        "kind",
        "state",
        "status",
        "waiting_on",
        "waiting_days",
        "score",
        "why",
    ]
    first = rows[0]
    assert (table.loc[0, "rank"], table.loc[0, "ref"], table.loc[0, "waiting_on"], table.loc[0, "waiting_days"]) == (
        1, "falcosecurity/falco#1340", "maintainers_own", 70)  # the demo's top item: assigned on 2023-10-05
    assert table.loc[0, "waiting_days"] == first["waiting_days"] and table.loc[0, "why"] == first["why"]
    assert [table.loc[0, n] for n in CRITERIA] == [first["contributions"][n] for n in CRITERIA]
    long = snap.contributions()
    assert len(long) == 16 * len(CRITERIA)
    top = long[long["ref"] == first["ref"]]
    assert abs(top["points"].sum() - first["score"]) < 1e-5
    assert dict(zip(top["criterion"], top["why"], strict=True)) == first["reasons"]


def test_a_store_can_use_an_engine_made_elsewhere(store_url, snap):
    # The dashboard hands over `st.connection(...).engine`; the core never imports Streamlit.
    engine = sa.create_engine(store_url)
    store = SnapshotStore(engine=engine)
    assert store.save(snap) == snap.id and store.load(snap.short_id) == snap
    assert store.location == snapshot_store.mask_url(store_url)
    engine.dispose()
