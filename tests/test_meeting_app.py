"""Meeting mode through AppTest (issue 14): starting from a frozen ranking, the chair recording,
links without the key (or with crafted parameters) unable to record or change anything, the list
split among players, and the outcomes reaching Compare and the next live ranking."""

from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from triage import settings
from triage.facts import ItemKey
from triage.meeting import demo_meeting
from triage.outcomes.store import MeetingStore, hash_key
from triage.snapshots import freeze
from triage.snapshots.store import SnapshotStore

APP = str(Path(__file__).parents[1] / "dashboard.py")
OUTCOME_BUTTONS = ["outcome_discussed", "outcome_assigned", "outcome_needs-review", "outcome_decision",
                   "outcome_deferred", "outcome_skipped", "outcome_wontfix"]


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def snap(demo_config):
    frozen = freeze(demo_meeting(), demo_config.preset(), demo_config.people)
    with SnapshotStore(settings.db_url()) as store:
        store.save(frozen)
    return frozen


@pytest.fixture
def meetings():
    with SnapshotStore(settings.db_url()) as store:
        yield MeetingStore(store)


def app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    return at.run()


def buttons(at) -> set[str]:
    return {b.key for b in at.button}


def stored_state() -> list:
    """Every row of the meeting tables, to prove that nothing changed."""
    engine = sa.create_engine(settings.db_url())
    try:
        with engine.connect() as conn:
            return [tuple(r) for table in ("triage_meetings", "triage_outcomes", "triage_snapshots")
                    for r in conn.execute(sa.text(f"SELECT * FROM {table}")).all()]
    finally:
        engine.dispose()


def test_run_the_meeting_from_a_frozen_ranking_gives_the_chair_a_keyed_link(snap, meetings):
    at = app(snapshot=snap.id)
    assert not at.exception
    at.button(key="start_meeting").click().run()
    assert not at.exception
    (started,) = meetings.for_snapshot(snap.id)
    assert at.query_params["meeting"] == started.id
    assert meetings.can_edit(started.id, at.query_params["key"])
    assert at.title[0].value == "Meeting: Falco core maintainers, 2023-12-14"
    assert "you chair it" in at.caption[0].value
    assert set(OUTCOME_BUTTONS) <= buttons(at)
    # the chair records with the buttons the shortcuts press
    at.text_input(key="meeting_who").set_value("LucaGuerra")
    at.button(key="outcome_assigned").click().run()
    assert at.success[0].value == "Recorded falcosecurity/falco#1340: assigned to @LucaGuerra."
    at.button(key="outcome_skipped").click().run()
    assert [(r.ref.ref, r.describe()) for r in meetings.history(started.id)] == [
        ("falcosecurity/falco#1340", "assigned to @LucaGuerra"), (snap.rows[1]["ref"], "skipped")]
    assert meetings.get(started.id).current_ref == snap.rows[2]["ref"]  # attendees follow the chair
    table = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)
    assert list(table["Outcome"][:3]) == ["assigned to @LucaGuerra", "skipped", ""]


def test_an_assignment_without_a_login_is_refused_in_a_sentence(snap, meetings):
    started = meetings.start(snap.id)
    at = app(snapshot=snap.id, meeting=started.meeting.id, key=started.key)
    at.button(key="outcome_assigned").click().run()
    assert at.error[0].value == "Outcome 'assigned' needs the login it is assigned to (--who LOGIN)."
    assert meetings.history(started.meeting.id) == []


def test_meeting_1_starts_one_or_follows_the_latest_read_only(snap, meetings):
    at = app(snapshot=snap.id, meeting="1")
    assert at.info[0].value.startswith("No meeting has been started on this ranking yet.")
    assert buttons(at) == {"start_meeting"}
    started = meetings.start(snap.id)
    meetings.record(started.meeting.id, started.key, ItemKey.parse(snap.rows[0]["ref"]), "discussed")
    at = app(snapshot=snap.id, meeting="1")
    assert "read-only, following along" in at.caption[0].value and started.meeting.id in at.caption[0].value
    assert not set(OUTCOME_BUTTONS) & buttons(at)
    assert "**Latest:** falcosecurity/falco#1340: discussed, by someone" in [m.value for m in at.markdown]


@pytest.mark.parametrize("crafted", [
    {},  # the attendees' link
    {"key": ""},
    {"key": "not-the-right-key-at-all"},
    {"key": "HASH"},  # the stored hash of the real key
    {"key": "OTHER"},  # another meeting's key
    {"key": "../../etc"},
    {"outcome": "skipped", "ref": "falcosecurity/libs#381", "who": "leogr", "note": "x"},
    {"player": "0", "players": "999"},
    {"meeting_position": "3", "meeting_who": "leogr"},
])
def test_a_link_without_the_key_cannot_record_or_change_anything(snap, meetings, crafted):
    started, other = meetings.start(snap.id), meetings.start(snap.id)
    meetings.record(started.meeting.id, started.key, ItemKey.parse(snap.rows[0]["ref"]), "discussed")
    replaced = {"HASH": hash_key(started.key), "OTHER": other.key}
    params = {k: replaced.get(v, v) for k, v in crafted.items()}
    before = stored_state()
    at = app(snapshot=snap.id, meeting=started.meeting.id, **params)
    assert not at.exception
    assert buttons(at) == set()  # no outcome, navigation or start button: nothing to press
    assert [t.key for t in at.text_input] == []  # no Who, Note or name field either
    assert "read-only, following along" in at.caption[0].value
    at.run()  # and again, as the live fragment does
    assert stored_state() == before


def test_a_meeting_of_another_snapshot_is_refused(snap, meetings, demo_config):
    other = freeze(demo_meeting(), demo_config.preset("libs first"), demo_config.people)
    with SnapshotStore(settings.db_url()) as store:
        store.save(other)
    started = meetings.start(other.id)
    at = app(snapshot=snap.id, meeting=started.meeting.id, key=started.key)
    assert at.error[0].value == (f"Meeting {started.meeting.id} runs on snapshot {other.id[:12]}, not on this one; "
                                 "open the meeting's own link.")
    assert not set(OUTCOME_BUTTONS) & buttons(at)


def test_players_split_the_list_and_record_into_the_same_meeting(snap, meetings):
    started = meetings.start(snap.id)
    at = app(snapshot=snap.id, meeting=started.meeting.id, key=started.key, player="2", players="4")
    assert "player 2 of 4: every 4th item" in at.caption[0].value
    table = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)
    assert list(table["Rank"]) == [2, 6, 10, 14]
    assert at.subheader[0].value == f"Item 1 of 4: {snap.rows[1]['ref']}"
    at.button(key="outcome_decision").click().run()
    at.button(key="outcome_deferred").click().run()
    assert [(r.ref.ref, r.outcome) for r in meetings.history(started.meeting.id)] == [
        (snap.rows[1]["ref"], "decision"), (snap.rows[5]["ref"], "deferred")]
    assert meetings.get(started.meeting.id).current_ref is None  # players do not move everyone's screen


def test_compare_shows_each_items_last_outcome_and_what_happened_since(snap, meetings, demo_config):
    started = meetings.start(snap.id)
    meetings.record(started.meeting.id, started.key, ItemKey.parse("falcosecurity/libs#1452"), "needs-review",
                    who="FedeDP")
    later = freeze(demo_meeting(), demo_config.preset(), demo_config.people,
                   as_of=snap.as_of.replace(year=2024, month=2, day=1))
    with SnapshotStore(settings.db_url()) as store:
        store.save(later)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert "Decided at the meeting on 2023-12-14, and what happened since" in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if "since" in d.value.columns)
    (row,) = table.to_dict("records")
    assert (row["ref"], row["outcome"]) == ("falcosecurity/libs#1452", "needs review by @FedeDP")
    # FedeDP commented on 2024-01-15 and 2024-01-16 (the enriched recording, issue 10)
    assert row["since"] == "2 events by @FedeDP; last comment on 2024-01-16; @FedeDP last acted on 2024-01-16"


def test_the_next_live_ranking_reads_earlier_meetings_outcomes(snap, meetings):
    started = meetings.start(snap.id)
    meetings.record(started.meeting.id, started.key, ItemKey.parse("falcosecurity/libs#1557"), "deferred")
    same_day = app()  # the demo as of 2023-12-14: that meeting is not earlier than it
    assert not any("earlier meeting" in c.value for c in same_day.sidebar.caption)
    at = app(as_of="2024-02-01")
    assert not at.exception
    assert "Outcomes of 1 earlier meeting feed this ranking (1 items; criterion “Earlier outcomes”)." in [
        c.value for c in at.sidebar.caption]
    at.selectbox(key="why_item").set_value(next(o for o in at.selectbox(key="why_item").options
                                               if o.endswith("falcosecurity/libs#1557"))).run()
    why = next(d.value for d in at.dataframe if "Criterion" in d.value.columns).set_index("Criterion")
    assert why.loc["Earlier outcomes", "Why"] == "carried over: deferred to the next meeting on 2023-12-14"
