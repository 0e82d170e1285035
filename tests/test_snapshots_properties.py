"""Snapshot save -> load is the identity, over generated meetings and settings (hypothesis)."""

from dataclasses import fields, replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import START, factsets
from triage import export
from triage.agenda import AgendaRef
from triage.agenda.earlier import History
from triage.facts import People, parse_when
from triage.meeting import Meeting, meeting_to_dict
from triage.outcomes import OUTCOMES, EarlierOutcome
from triage.ranking.criteria import CRITERIA, Params
from triage.ranking.weights import Preset
from triage.snapshots import freeze
from triage.snapshots.store import SnapshotStore

FLAGS = st.lists(
    st.sampled_from(["urgent", "skipped", "needs-review", "if-time-permits", "wip"]), unique=True, max_size=2
).map(lambda f: tuple(sorted(f)))
weights_st = st.fixed_dictionaries({n: st.floats(0, 10, allow_nan=False) for n in CRITERIA})
# Every criteria parameter, drawn by the shape of its annotation (the parameters evolve with the criteria).
_BY_TYPE = {
    "int": st.integers(1, 400),
    "float": st.floats(0, 1),
    "tuple[str, ...]": st.lists(st.sampled_from(["0.37.0", "lgtm", "wip*", "Agenda"]), max_size=3).map(tuple),
    "tuple[tuple[str, float], ...]": st.lists(
        st.tuples(st.sampled_from(["o/*", "p/c", "*", "urgent", "kind/*"]), st.floats(0, 1)), max_size=3
    ).map(tuple),
    "tuple[tuple[int, float], ...]": st.lists(
        st.tuples(st.integers(1, 2000), st.floats(0, 1)), max_size=3
    ).map(lambda b: tuple(sorted(b))),
}
params_st = st.fixed_dictionaries(
    {}, optional={f.name: _BY_TYPE[str(f.type)] for f in fields(Params) if str(f.type) in _BY_TYPE}
).map(lambda changes: replace(Params(), **changes))


@st.composite
def meetings(draw):
    facts = draw(factsets(max_items=8))
    refs, carried, outcomes = [], {}, {}
    for item in facts.items:
        if draw(st.booleans()):
            refs.append(
                AgendaRef(
                    item.key,
                    item.kind,
                    tuple(sorted(draw(st.sets(st.integers(1, 200), min_size=1, max_size=3)))),
                    tuple(draw(st.lists(st.text(max_size=12), max_size=2))),
                    draw(st.none() | st.text(max_size=30)),
                    draw(FLAGS),
                    tuple(draw(st.lists(st.text(max_size=12), max_size=2))),  # the bullets above it
                )
            )
            if draw(st.booleans()):
                names = tuple(draw(st.lists(st.sampled_from(["2023-10-05", "2023-11-02"]), min_size=1, max_size=2,
                                            unique=True)))
                skipped = tuple(n for n in names if draw(st.booleans()))
                assigned = tuple((n, parse_when(n)) for n in names if draw(st.booleans()))
                carried[item.key] = History(names, skipped, assigned)
            if draw(st.booleans()):  # what earlier meetings decided (issue 14)
                outcomes[item.key] = tuple(draw(st.lists(earlier_outcomes(), min_size=1, max_size=3)))
    held = frozenset(r.key for r in refs if draw(st.booleans()))
    as_of = START + timedelta(days=draw(st.integers(0, 1000)), seconds=draw(st.integers(0, 86_399)))
    return Meeting(facts, as_of, tuple(refs), carried, draw(st.none() | st.text(max_size=40)), outcomes, held)


@st.composite
def earlier_outcomes(draw):
    outcome = draw(st.sampled_from(list(OUTCOMES)))
    return EarlierOutcome(
        outcome, START + timedelta(days=draw(st.integers(0, 1000))),
        draw(st.sampled_from(["leogr", "Andreagit97"])) if OUTCOMES[outcome].names_someone else None,
        draw(st.none() | st.text(max_size=30)), draw(st.sampled_from(["", "0123456789ab"])))


def test_save_then_load_is_the_identity(store_url):  # the SQLite / PostgreSQL fixture of conftest
    store = SnapshotStore(store_url)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(meetings(), weights_st, params_st, st.text(min_size=1, max_size=20))
    def check(meeting, weights, params, name):
        people = People.of(["Mia"], ["poiana"])
        snap = freeze(meeting, Preset(name, weights, params), people)
        assert store.save(snap) == snap.id
        loaded = store.load(snap.id)
        assert loaded.meeting.facts == meeting.facts
        assert meeting_to_dict(loaded.meeting) == meeting_to_dict(meeting)
        assert dict(loaded.weights) == weights and loaded.params == params and loaded.preset == name
        assert loaded.people == people
        assert loaded.rows == snap.rows == export.to_rows(loaded.rank())
        assert loaded.id == snap.id == store.save(loaded)

    try:
        check()
    finally:
        store.close()
