"""Snapshots made from private repositories open only for whom they are shared with, and a bad store
row costs only its own line (issue 12)."""

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from triage import cli, settings
from triage.access import Policy, Viewer, exposes_private, may_list, may_open, token_identity
from triage.meeting import demo_meeting
from triage.snapshots import freeze
from triage.snapshots.store import SnapshotStore

APP = str(Path(__file__).parents[1] / "dashboard.py")
CREATOR = "ghp_CreatorOfThePrivateSnapshot0123456789"


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def private_meeting():
    """The demo with its first fetched item read from a private repository."""
    meeting = demo_meeting()
    items = list(meeting.facts.items)
    first = next(n for n, i in enumerate(items) if i.found)
    items[first] = replace(items[first], private=True)
    return replace(meeting, facts=replace(meeting.facts, items=tuple(items)))


def saved(demo_config, meeting, **kwargs) -> str:
    with SnapshotStore(settings.db_url()) as store:
        return store.save(freeze(meeting, demo_config.preset(), demo_config.people), **kwargs)


def app(token: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if token:
        at.session_state["typed_github_token"] = token
    at.query_params.update(params)
    return at.run()


def compare_listing(at: AppTest) -> list[str]:
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    frames = [d.value for d in at.dataframe if "Link" in d.value.columns]
    return [link.rsplit("=", 1)[1] for link in frames[0]["Link"]] if frames else []


def test_a_private_snapshot_opens_for_its_creator_only_and_is_listed_to_no_one_else(demo_config):
    # issue 12 ("by design today"): every snapshot, even of private repositories, opened for everyone.
    public = saved(demo_config, demo_meeting())
    private = saved(demo_config, private_meeting(), owner=token_identity(CREATOR))
    stranger = app(snapshot=private)
    assert not stranger.exception
    assert stranger.error[0].value == (f"No snapshot {private} is stored here, or it is not shared with you. "
                                       "Showing the default view instead.")
    assert compare_listing(stranger) == [public]
    creator = app(CREATOR, snapshot=private)
    assert not creator.error and "frozen, read-only" in creator.caption[0].value
    assert compare_listing(app(CREATOR)) == [private, public]


def test_the_unknown_snapshot_message_does_not_show_the_database(tmp_path):
    # issue 12, misleading message: it named the server's database path.
    at = app(snapshot="0123456789abcdef")
    message = at.error[0].value
    assert message == ("No snapshot 0123456789abcdef is stored here, or it is not shared with you. "
                       "Showing the default view instead.")
    assert "sqlite" not in message and str(settings.triage_home()) not in message


def test_a_row_with_a_bad_date_is_left_out_with_a_warning_not_the_whole_list(demo_config, capsys):
    # issue 12, D8: one snapshot row with a bad date broke Compare and `snapshot list` for the whole store.
    good = saved(demo_config, demo_meeting())
    bad = saved(demo_config, replace(demo_meeting(), title="Broken row"))
    engine = sa.create_engine(settings.db_url())
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE triage_snapshots SET created_at = 'yesterday' WHERE id = :id"), {"id": bad})
    engine.dispose()
    at = app()
    assert compare_listing(at) == [good]
    assert at.warning[0].value.startswith(f"Snapshot {bad[:12]}… is left out: its saving date 'yesterday' is not")
    assert cli.main(["snapshot", "list"]) == 0
    out, err = capsys.readouterr()
    assert good[:12] in out and bad[:12] not in out
    assert err == f"triage: warning: Snapshot {bad[:12]}… is left out: its saving date 'yesterday' is not a date\n"


def test_the_listing_says_what_the_content_says_whatever_the_rows_columns_say(demo_config):
    # issue 12, misleading message: the title and count columns were listed without being checked.
    sid = saved(demo_config, demo_meeting())
    engine = sa.create_engine(settings.db_url())
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE triage_snapshots SET title = 'Forged', item_count = 999 WHERE id = :id"),
                     {"id": sid})
    engine.dispose()
    (line,) = SnapshotStore(settings.db_url()).list()
    assert (line.title, line.items) == (demo_meeting().title, 16)


def test_who_may_open_and_list_a_snapshot():
    creator, other = Viewer(token_identity(CREATOR)), Viewer("email:bob@team.example", signed_in=True)
    owners = {creator.identity: False}
    assert may_open(False, {}, Viewer(), Policy()) and may_list(False, {}, Viewer(), Policy())
    assert may_open(True, owners, creator, Policy()) and may_list(True, owners, creator, Policy())
    assert not may_open(True, owners, other, Policy())
    assert may_open(True, owners, other, Policy(private_snapshots="signed-in"))
    assert not may_list(True, owners, other, Policy(private_snapshots="signed-in"))  # unlisted by default
    assert may_list(True, {creator.identity: True}, other, Policy(private_snapshots="signed-in"))
    assert not may_open(True, {"": False}, Viewer(), Policy(private_snapshots="signed-in"))
    assert exposes_private(private_meeting().facts) and not exposes_private(demo_meeting().facts)
