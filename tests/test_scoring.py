"""Ranking the real Falco facts: order, contributions, weights doing what their criterion says."""

from datetime import timedelta

import numpy as np
import pytest

from triage.facts import Event, FactSet, ItemFacts, ItemKey, parse_when
from triage.ranking.criteria import CRITERIA, Params
from triage.ranking.scoring import CONTRIB, SCORE, WHY, contributions, evaluate, explain, movement, rank, with_reasons
from triage.ranking.signals import AgendaContext


@pytest.fixture(scope="module")
def evaluated(demo, demo_config):
    p = demo_config.preset()
    return evaluate(demo.facts, p.params, demo.as_of, people=demo_config.people)


def only(name, value=1.0):
    return {n: (value if n == name else 0.0) for n in CRITERIA}


def test_contributions_sum_to_each_score(evaluated, demo_config):
    ranked = rank(evaluated, demo_config.preset().weights)
    assert len(ranked) == 16
    np.testing.assert_allclose(ranked[[CONTRIB + n for n in CRITERIA]].sum(axis=1), ranked["score"])


def test_longest_wait_on_maintainers_ranks_first_when_only_waiting_counts(evaluated):
    ranked = rank(evaluated, only("waiting_on_maintainers"))
    # with no agenda: falco#1340 since 2023-08-08 (128 days), libs#1452 on hold since 2023-10-27 (48 days);
    # then the nine items whose turn or state is unknown, at the typical value of the six open items whose
    # wait is known (those four, and two maintainers' own PRs at 0): 0.32, above plugins#378 and libs#1557
    assert list(ranked["ref"][:2]) == ["falcosecurity/falco#1340", "falcosecurity/libs#1452"]
    assert list(ranked["ref"][11:13]) == ["falcosecurity/plugins#378", "falcosecurity/libs#1557"]
    assert ranked.loc[0, "score"] == pytest.approx(128 / (128 + 30))
    assert set(ranked["score"][2:11].round(6)) == {round((128 / 158 + 48 / 78 + 13 / 43 + 8 / 38) / 6, 6)}


def test_age_weight_puts_the_oldest_first(evaluated):
    ranked = rank(evaluated, only("age"))
    assert list(ranked["ref"][:2]) == ["falcosecurity/libs#381", "falcosecurity/libs#470"]


def test_area_preset_moves_libs_above_falco(demo, demo_config):
    libs = demo_config.preset("libs first")
    falco = demo_config.preset("falco first")
    by_libs = rank(evaluate(demo.facts, libs.params, demo.as_of), libs.weights)
    by_falco = rank(evaluate(demo.facts, falco.params, demo.as_of), falco.weights)
    libs_rank = by_libs.set_index("ref")["rank"]
    falco_rank = by_falco.set_index("ref")["rank"]
    assert libs_rank["falcosecurity/libs#1557"] < libs_rank["falcosecurity/falco#2960"]
    assert falco_rank["falcosecurity/falco#2960"] < falco_rank["falcosecurity/libs#1557"]


def test_movement_against_the_preset(evaluated, demo_config):
    base = rank(evaluated, demo_config.preset().weights)
    moved = rank(evaluated, only("age"))
    moves = movement(moved, base).set_axis(moved["ref"])
    before, after = base.set_index("ref")["rank"], moved.set_index("ref")["rank"]
    for ref, m in moves.items():
        assert m == before[ref] - after[ref]


def test_zero_weights_rank_by_reference(evaluated):
    ranked = rank(evaluated, dict.fromkeys(CRITERIA, 0.0))
    assert (ranked["score"] == 0).all()
    assert list(ranked["ref"][:2]) == ["falcosecurity/evolution#345", "falcosecurity/falco#1340"]


def test_long_form_contributions_and_one_line_why(evaluated, demo_config):
    ranked = rank(evaluated, only("waiting_on_maintainers"))
    long = contributions(ranked)
    assert len(long) == 16 * len(CRITERIA)
    top = with_reasons(ranked).iloc[0]  # reasons are built for the rows read
    assert explain(top) == "waiting 128 days on maintainers since 2023-08-08 (timeline partial)"


def test_why_names_what_stands_out_and_says_what_is_unknown(demo_config):
    from triage.meeting import demo_meeting
    from triage.ranking.scoring import typical

    meeting = demo_meeting()
    p = demo_config.preset()
    ranked = rank(evaluate(meeting.facts, p.params, meeting.as_of, meeting.context(), demo_config.people), p.weights)
    usual = typical(ranked)
    whys = {r["ref"]: explain(r, usual) for r in with_reasons(ranked).to_dict("records")}
    assert "waiting 8 days on maintainers since 2023-12-06" in whys["falcosecurity/libs#1557"]
    # issue 10: merged on 2023-11-27, 17 days before the meeting
    assert whys["falcosecurity/falco#2413"] == "resolved: merged on 2023-11-27"
    # issue 10: nothing dated is known about libs#1393: it needs facts, and is not "brand new"
    assert whys["falcosecurity/libs#1393"].startswith(
        "needs facts: whose turn it is is unknown (no dated activity known); scored at typical values where unknown")


# --- unknown is not zero (issue 10) -----------------------------------------------------------------------

NOW = parse_when("2023-03-01")


def _thread(number, waited_days, **kw):
    opened = NOW - timedelta(days=waited_days)
    return ItemFacts(ItemKey("o/r", number), **{"kind": "issue", "state": "open", "author": "alice",
                     "created_at": opened, "events": (Event("alice", opened, "description"),), **kw})


def test_an_unknown_criterion_is_scored_at_the_typical_value_of_the_open_items():
    known = [_thread(1, 30), _thread(2, 90), _thread(3, 10, closed_at=NOW - timedelta(days=1), state="closed")]
    blank = ItemFacts(ItemKey("o/r", 4), kind="issue", state="open")  # found, but nothing dated
    frame = with_reasons(evaluate(FactSet((*known, blank), "t"), Params(), NOW)).set_index("ref")
    waiting = frame[SCORE + "waiting_on_maintainers"]
    typical_value = (30 / 60 + 90 / 120) / 2  # the open items only; the closed one scores 0 as resolved
    assert waiting["o/r#4"] == pytest.approx(typical_value)
    assert frame.loc["o/r#4", WHY + "waiting_on_maintainers"] == (
        f"whose turn it is is unknown: no dated activity known; scored at the typical {typical_value:.2f}")
    assert frame.loc["o/r#4", "needs_facts"] and not frame["needs_facts"].drop("o/r#4").any()
    assert frame.loc["o/r#4", "unknown"].startswith("waiting on maintainers, maintainer silence, maintainers own, age")
    assert frame.loc["o/r#1", "unknown"] == "labels, first time contributor"  # neither was given
    # never as brand new: the item ranks with the typical open item, not below every known one
    ranked = rank(evaluate(FactSet((*known, blank), "t"), Params(), NOW), only("waiting_on_maintainers"))
    assert list(ranked["ref"]) == ["o/r#2", "o/r#4", "o/r#1", "o/r#3"]


def test_an_unread_thread_needs_facts_and_says_why():
    unread = ItemFacts(ItemKey("o/r", 5), kind="pull", status="not_found", status_detail="not found or private")
    ranked = rank(evaluate(FactSet((_thread(1, 30), unread), "t"), Params(), NOW), only("waiting_on_maintainers"))
    row = ranked.set_index("ref").loc["o/r#5"]
    assert row["needs_facts"]
    assert explain(row).startswith("needs facts: not found or private; scored at typical values where unknown")


def test_if_time_permits_caps_the_score_and_scales_its_contributions():
    item = _thread(1, 90)
    context = {item.key: AgendaContext(flags=("if-time-permits", "urgent"))}
    ranked = rank(evaluate(FactSet((item, _thread(2, 10)), "t"), Params(), NOW, context), {
        **only("waiting_on_maintainers"), "agenda_flags": 1.0})
    capped = ranked.set_index("ref").loc["o/r#1"]
    assert capped["score"] == pytest.approx(0.1)
    assert sum(capped[CONTRIB + n] for n in CRITERIA) == pytest.approx(0.1)
    # uncapped it would lead (90 days and URGENT: 0.88); capped, 10 days of waiting (0.125) goes first
    assert list(ranked["ref"]) == ["o/r#2", "o/r#1"]
