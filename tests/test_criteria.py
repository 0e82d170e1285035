"""Each criterion's score and one-line reason, on real facts and hand-made ones."""

from dataclasses import replace

import pytest

from triage import criteria as c
from triage.facts import Event, ItemFacts, ItemKey, People, parse_when
from triage.signals import AgendaContext, compute

AS_OF = parse_when("2023-12-14", end_of_day=True)
P = c.Params()


@pytest.fixture(scope="module")
def signals(demo):
    return {i.ref: compute(i, AS_OF, demo.facts.people) for i in demo.facts.items}


def pr(**kw):
    base = dict(kind="pull", state="open", author="alice", created_at=parse_when("2023-12-01"),
                events=(Event("alice", parse_when("2023-12-01"), "description"),))
    return compute(ItemFacts(ItemKey("o/r", 7), **{**base, **kw}), AS_OF, People.of(["mia"]))


def test_waiting_on_maintainers_scales_to_ninety_days(signals):
    assert c.waiting_on_maintainers(signals["falcosecurity/libs#1557"], P) == (
        pytest.approx(8 / 38), "waiting 8 days on maintainers since 2023-12-06")
    assert c.waiting_on_maintainers(signals["falcosecurity/libs#381"], P)[0] == pytest.approx(554 / 584)
    assert c.waiting_on_maintainers(signals["falcosecurity/libs#1375"], P) == (
        0.0, "maintainers replied on 2023-11-30; the author's turn")


def test_maintainer_silence_counts_from_the_last_maintainer_event(signals):
    assert c.maintainer_silence(signals["falcosecurity/libs#470"], P) == (
        pytest.approx(359 / 419), "last maintainer activity 359 days ago (2022-12-20)")
    assert c.maintainer_silence(signals["falcosecurity/libs#1557"], P)[1] == "no maintainer activity in 8 days"


def test_age_unknown_when_the_opening_was_not_seen(signals):
    assert c.age(signals["falcosecurity/falco#2655"], P) == (0.0, "opening date unknown")
    assert c.age(signals["falcosecurity/libs#1376"], P) == (pytest.approx(72 / 252), "opened 72 days ago")


def test_release_milestone_from_milestone_or_agenda_heading():
    params = replace(P, release_targets=("0.37.0",))
    assert c.release_milestone(pr(milestone="0.37.0"), params) == (1.0, "milestone 0.37.0")
    assert c.release_milestone(pr(milestone="0.38.0"), params) == (0.2, "milestone 0.38.0, not a target release")
    listed = pr()._replace(agenda=AgendaContext(bullet="`libs` 0.14.0 release for Falco 0.37.0"))
    assert c.release_milestone(listed, params) == (0.8, "listed on the agenda under release 0.37.0")
    assert c.release_milestone(pr(), P) == (0.0, "no release target configured")


def test_readiness_counts_approval_ci_mergeable_and_draft():
    ready = pr(review_decision="APPROVED", ci_status="SUCCESS", mergeable=True, draft=False)
    assert c.readiness(ready, P) == (1.0, "approved, CI green, mergeable, not a draft")
    blocked = pr(review_decision="CHANGES_REQUESTED", ci_status="FAILURE", mergeable=False, draft=True,
                 labels=())
    assert c.readiness(blocked, P) == (0.0, "not approved, not CI green, not mergeable, draft")


def test_readiness_reads_prow_labels_and_says_what_is_unknown(signals):
    # falco#2413 carries Falco's prow labels "approved" and "lgtm"; CI and mergeability were not recorded
    s = signals["falcosecurity/falco#2413"]._replace(state="open")
    assert c.readiness(s, P) == (0.25, "approved; unknown: CI green, mergeable, not a draft")
    wip = signals["falcosecurity/libs#1375"]  # labelled do-not-merge/work-in-progress
    assert c.readiness(wip, P)[1] == "approved; work in progress; unknown: CI green, mergeable"
    assert c.readiness(signals["falcosecurity/libs#1557"], P) == (0.0, "not a pull request")


def test_review_effort_prefers_small_prs():
    assert c.review_effort(pr(additions=30, deletions=10, changed_files=2), P) == (1.0, "40 lines changed in 2 files")
    assert c.review_effort(pr(additions=3000, deletions=10), P) == (0.1, "3,010 lines changed")
    assert c.review_effort(pr(), P) == (0.0, "size unknown")


def test_area_first_matching_glob_wins(signals):
    params = replace(P, area_weights=(("falcosecurity/libs", 1.0), ("*", 0.2)))
    assert c.area(signals["falcosecurity/libs#1557"], params) == (1.0, "area falcosecurity/libs (1)")
    assert c.area(signals["falcosecurity/falco#2960"], params) == (0.2, "area falcosecurity/falco (0.2)")
    assert c.area(signals["falcosecurity/falco#2960"], P) == (0.5, "area falcosecurity/falco (default 0.5)")


def test_label_rules_take_the_highest_match(signals):
    params = replace(P, label_rules=(("kind/*", 0.4), ("lifecycle/stale", 0.1)))
    assert c.labels(signals["falcosecurity/libs#1376"], params) == (0.4, "label kind/feature (0.4)")
    assert c.labels(signals["falcosecurity/falco#2655"], params) == (0.0, "labels unknown")


def test_agenda_flags_and_carried_over_meetings():
    urgent = pr()._replace(agenda=AgendaContext(flags=("urgent",)))
    assert c.agenda_flags(urgent, P) == (1.0, "urgent")
    carried = pr()._replace(agenda=AgendaContext(flags=("skipped",), carried_over=("a", "b", "c")))
    assert c.agenda_flags(carried, P) == (1.0, "on the agenda of 3 earlier meetings, skipped")
    assert c.agenda_flags(pr(), P) == (0.0, "no agenda flag")


def test_bots_score_zero_on_human_author():
    assert c.human_author(pr(author="dependabot[bot]"), P) == (0.0, "opened by bot dependabot[bot]")
    assert c.human_author(pr(), P) == (1.0, "opened by alice")


def test_community_demand_counts_reactions_and_outsiders(signals):
    assert c.community_demand(pr(reactions=6), P) == (0.6, "6 reactions, 0 outside participants")
    assert c.community_demand(signals["falcosecurity/falco#1340"], P) == (
        0.2, "reactions unknown, 1 outside participant")


def test_every_criterion_is_documented_and_explains_itself(signals):
    for name, criterion in c.CRITERIA.items():
        assert c.help_text(name), f"{name} has no docstring"
        for s in signals.values():
            value, why = criterion(s, P)
            assert 0.0 <= value <= 1.0 and why, (name, s.item.ref)
