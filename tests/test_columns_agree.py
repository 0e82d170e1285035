"""The columnar ranking agrees with the item-by-item one it replaced (issue 13): on generated fact
sets of every shape the facts can take (every event kind, holds, label histories, activity
elsewhere, ghosts and bots, repositories with their own maintainers, agenda contexts with earlier
meetings and outcomes, facts read long after the moment), every criterion's score agrees to 1e-9
and every reason and item column is the same text. The old path lives on as the oracle in
`tests/oracle/`, and on the real demos and a generated 10,000-PR organisation too."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakegithub import generate_org
from tests.oracle import scoring as oracle
from triage.demo import DEMOS
from triage.facts import Event, FactSet, ItemFacts, ItemKey, People
from triage.meeting import demo_meeting
from triage.outcomes import OUTCOMES, EarlierOutcome
from triage.ranking import scoring
from triage.ranking.criteria import CRITERIA, Params
from triage.ranking.signals import AgendaContext
from triage.ranking.weights import demo_config_path, load_config

START = datetime(2023, 1, 1, tzinfo=UTC)
REPOS = ["o/a", "o/b", "p/c"]
LOGINS = ["alice", "Alice", "bob", "mia", "Mia", "leogr", "poiana", "dependabot[bot]", "k8s-ci-robot", "", None]
TYPES = [None, "User", "Bot", "Organization", "Mannequin"]
ASSOCIATIONS = [None, "OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE"]
LABELS = ["kind/bug", "lgtm", "approved", "wip", "do-not-merge/hold", "on-hold", "area/x", "lifecycle/stale"]
MEETINGS = ["2023-03-02-Core", "2023-04-06-Core", "no-date-meeting"]
moments = st.integers(0, 500).map(lambda d: START + timedelta(days=d, hours=d % 5, minutes=d % 3))
maybe = st.none() | st.booleans()


@st.composite
def events(draw):
    kind = draw(st.sampled_from([
        "description", "comment", "review", "review_thread", "commit", "review_requested", "ready_for_review",
        "closed", "merged", "reopened", "labeled", "unlabeled", "cross_referenced", "connected", "assigned"]))
    detail = None
    if kind in ("labeled", "unlabeled"):
        detail = draw(st.sampled_from([*LABELS, None]))
    elif kind in ("cross_referenced", "connected"):
        detail = draw(st.sampled_from(["o/a#1", "o/b#2", "p/c#3", None]))
    elif kind == "assigned":
        detail = draw(st.sampled_from(["mia", "Mia", "alice", "bob", "leogr", None]))
    review = draw(st.sampled_from([None, "APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"]))
    return Event(draw(st.sampled_from(LOGINS)), draw(moments), kind, draw(st.sampled_from(ASSOCIATIONS)),
                 draw(st.sampled_from(TYPES)), review if kind == "review" else None, detail)


@st.composite
def items(draw, number):
    state = draw(st.sampled_from([None, "open", "closed", "merged"]))
    created = draw(st.none() | moments)
    closed = draw(st.none() | moments)
    merged = draw(st.none() | moments) if state != "open" or draw(st.booleans()) else None
    bounds = None
    if created is None and draw(st.booleans()):
        first, last = sorted(draw(st.lists(moments, min_size=2, max_size=2)))
        bounds = (first, last)
    additions = draw(st.none() | st.integers(0, 3000))
    return ItemFacts(
        key=ItemKey(draw(st.sampled_from(REPOS)), number),
        kind=draw(st.sampled_from([None, "pull", "pull", "issue", "discussion"])),
        status=draw(st.sampled_from(["ok", "ok", "ok", "moved", "unknown", "not_found", "rate_limited"])),
        status_detail=draw(st.none() | st.just("moved to o/z")),
        title=draw(st.none() | st.sampled_from(["Fix it", "Add [thing]"])),
        state=state,
        draft=draw(maybe),
        merged=draw(maybe),
        author=draw(st.sampled_from(LOGINS)),
        author_association=draw(st.sampled_from(ASSOCIATIONS)),
        author_type=draw(st.sampled_from(TYPES)),
        labels=draw(st.none() | st.lists(st.sampled_from(LABELS), max_size=3, unique=True).map(tuple)),
        milestone=draw(st.none() | st.sampled_from(["0.37.0", "v1.0", ""])),
        created_at=created,
        closed_at=closed,
        merged_at=merged,
        events=tuple(draw(st.lists(events(), max_size=10))),
        timeline_complete=draw(st.booleans()),
        reactions=draw(st.none() | st.integers(0, 30)),
        review_decision=draw(st.sampled_from([None, "APPROVED", "CHANGES_REQUESTED", "REVIEW_REQUIRED"])),
        review_requests=draw(st.none() | st.integers(0, 2)),
        ci_status=draw(st.sampled_from([None, "SUCCESS", "FAILURE", "ERROR", "PENDING"])),
        mergeable=draw(maybe),
        additions=additions,
        deletions=draw(st.none() | st.integers(0, 500)) if additions is not None else None,
        changed_files=draw(st.none() | st.integers(1, 40)),
        observed_at=draw(st.none() | moments),
        created_bounds=bounds,
        label_history=draw(st.booleans()),
    )


@st.composite
def contexts(draw):
    who = st.sampled_from(["mia", "bob", None])
    outcomes = tuple(EarlierOutcome(draw(st.sampled_from(list(OUTCOMES))), draw(moments), draw(who))
                     for _ in range(draw(st.integers(0, 2))))
    return AgendaContext(
        flags=tuple(draw(st.lists(st.sampled_from(
            ["urgent", "neglected", "skipped", "needs-review", "if-time-permits", "wip"]), max_size=3, unique=True))),
        section=tuple(draw(st.lists(st.sampled_from(["Release 0.37.0", "Libs", "Other"]), max_size=2))),
        bullet=draw(st.none() | st.sampled_from(["for Falco 0.37.0", "a bullet"])),
        carried_over=tuple(draw(st.lists(st.sampled_from(MEETINGS), max_size=2))),
        skipped_before=tuple(draw(st.lists(st.sampled_from(MEETINGS), max_size=1))),
        assigned=tuple((name, draw(moments)) for name in draw(st.lists(st.sampled_from(MEETINGS), max_size=2))),
        held=draw(st.booleans()),
        outcomes=tuple(sorted(outcomes, key=lambda o: o.decided_at)),
    )


@st.composite
def rankings(draw):
    """(facts, agenda, people, params, as_of) of every shape."""
    n = draw(st.integers(0, 10))
    facts = [draw(items(number=k + 1)) for k in range(n)]
    people = People.of(draw(st.lists(st.sampled_from(["mia", "leogr", "Alice"]), max_size=2)),
                       draw(st.lists(st.sampled_from(["poiana", "k8s-ci-robot"]), max_size=2)),
                       by_repo=draw(st.sampled_from([None, {"o/a": ["bob"]}, {"o/a": ["mia"], "o/b": []}])))
    agenda = {f.key: draw(contexts()) for f in facts if draw(st.booleans())}
    params = Params(
        release_targets=draw(st.sampled_from([(), ("0.37.0",)])),
        area_weights=draw(st.sampled_from([(), (("o/*", 0.9), ("*", 0.2))])),
        label_rules=draw(st.sampled_from([(), (("kind/*", 0.8), ("lifecycle/stale", 0.1))])),
        effort_buckets=draw(st.sampled_from([Params().effort_buckets, ()])),
    )
    return FactSet(tuple(facts), "generated", people), agenda, People.of(["leogr"]), params, draw(moments)


def agree(facts: FactSet, params: Params, as_of: datetime, agenda=None, people=None) -> None:
    """The columnar evaluation (with every reason) is the oracle's, column by column."""
    old = oracle.evaluate(facts, params, as_of, agenda, people)
    new = scoring.with_reasons(scoring.evaluate(facts, params, as_of, agenda, people))
    assert set(new.columns) == {*old.columns, scoring.EVALUATED_ROW}
    for column in old.columns:
        if column.startswith(scoring.SCORE):
            assert np.allclose(old[column].to_numpy(float), new[column].to_numpy(float), rtol=0, atol=1e-9), column
        else:
            assert old[column].dtype == new[column].dtype, column
            pd.testing.assert_series_equal(old[column], new[column], check_names=True, obj=column)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rankings())
def test_columns_and_items_agree_on_generated_facts(ranking):
    facts, agenda, people, params, as_of = ranking
    agree(facts, params, as_of, agenda, people)


weights = st.fixed_dictionaries({n: st.sampled_from([0.0, 0.5, 1.0, 2.5, 10.0]) for n in CRITERIA})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rankings(), weights)
def test_the_ranking_is_the_one_the_item_by_item_scores_gave(ranking, w):
    # the same order, scores and contributions, to the last bit, from the columnar evaluation
    facts, agenda, people, params, as_of = ranking
    old = oracle.rank(oracle.evaluate(facts, params, as_of, agenda, people), w)
    new = scoring.rank(scoring.evaluate(facts, params, as_of, agenda, people), w)
    assert list(new["ref"]) == list(old["ref"])
    for column in ["score", *(scoring.CONTRIB + n for n in CRITERIA)]:
        assert (new[column].to_numpy() == old[column].to_numpy()).all(), column


@pytest.mark.parametrize("name", list(DEMOS))
def test_columns_and_items_agree_on_the_demos_with_every_preset_then_and_now(name):
    config = load_config([demo_config_path()])
    meeting = demo_meeting(name)
    for preset in config.presets:
        agree(meeting.facts, config.preset(preset).params, meeting.as_of, meeting.context(), config.people)
    agree(meeting.facts, config.preset().params, datetime(2026, 12, 1, tzinfo=UTC), meeting.context(),
          config.people)


def test_columns_and_items_agree_on_a_generated_organisation():
    generated = generate_org("acme", repos=6, total=600, seed=5, skew=1.0)
    now = max(i.created_at for i in generated if i.created_at)
    facts = FactSet(tuple(generated), "generated", People.of(["acme-lead"], by_repo={"acme/core": ["acme-lead"]}))
    config = load_config()
    for moment in (now, now - timedelta(days=200)):
        agree(facts, config.preset().params, moment, None, config.people)
    agree(replace(facts, items=facts.items[::-1]), config.preset().params, now, None, config.people)


def test_every_criterion_is_checked():
    assert len(CRITERIA) == 14  # a criterion added later gets generated facts that exercise it
