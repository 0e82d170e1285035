"""Invariants of the ranking, over generated facts (hypothesis)."""

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import START, factsets
from triage.ranking.criteria import CRITERIA, Params
from triage.ranking.scoring import CONTRIB, SCORE, evaluate, rank

AS_OF = START.replace(year=2024)
weights_st = st.fixed_dictionaries({n: st.sampled_from([0.0, 0.5, 1.0, 2.5, 10.0]) for n in CRITERIA})


@settings(max_examples=30, deadline=None)
@given(factsets(), weights_st)
def test_every_score_is_in_0_1_and_contributions_sum_to_it(facts, weights):
    evaluated = evaluate(facts, Params(), AS_OF)
    scores = evaluated[[SCORE + n for n in CRITERIA]].to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    ranked = rank(evaluated, weights)
    assert ((ranked["score"] >= 0) & (ranked["score"] <= 1 + 1e-12)).all()
    total = ranked[[CONTRIB + n for n in CRITERIA]].sum(axis=1)
    assert np.allclose(total, ranked["score"])
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))


@settings(max_examples=20, deadline=None)
@given(factsets(), weights_st, st.randoms(use_true_random=False))
def test_shuffling_the_input_does_not_change_the_ranking(facts, weights, rnd):
    shuffled = list(facts.items)
    rnd.shuffle(shuffled)
    a = rank(evaluate(facts, Params(), AS_OF), weights)
    b = rank(evaluate(type(facts)(tuple(shuffled), facts.source, facts.people), Params(), AS_OF), weights)
    assert list(a["ref"]) == list(b["ref"])


@settings(max_examples=20, deadline=None)
@given(factsets(), weights_st, st.sampled_from([0.1, 0.3, 2.0, 7.0]))
def test_scaling_every_weight_keeps_the_order(facts, weights, factor):
    evaluated = evaluate(facts, Params(), AS_OF)
    scaled = {n: w * factor for n, w in weights.items()}
    assert list(rank(evaluated, weights)["ref"]) == list(rank(evaluated, scaled)["ref"])


def test_ties_break_on_the_reference():
    rnd = random.Random(4)
    from triage.facts import FactSet, ItemFacts, ItemKey
    keys = [ItemKey(r, n) for r in ("o/b", "o/a") for n in (9, 10, 2)]
    rnd.shuffle(keys)
    facts = FactSet(tuple(ItemFacts(k) for k in keys), "ties")
    ranked = rank(evaluate(facts, Params(), AS_OF), dict.fromkeys(CRITERIA, 1.0))
    assert list(ranked["ref"]) == ["o/a#2", "o/a#9", "o/a#10", "o/b#2", "o/b#9", "o/b#10"]
