"""Each criterion's score and one-line reason, on real facts and hand-made ones."""

import math
from dataclasses import replace

import pytest

from tests.one_item import compute, tweak, verdict
from triage.facts import Event, ItemFacts, ItemKey, People, parse_when
from triage.ranking import criteria as c
from triage.ranking.signals import AgendaContext

AS_OF = parse_when("2023-12-14", end_of_day=True)
P = c.Params()


@pytest.fixture(scope="module")
def signals(demo):
    return {i.ref: compute(i, AS_OF, demo.facts.people) for i in demo.facts.items}


def cap(row):
    """The item's score cap."""
    return c.score_cap(row.s, P)[row.i]


def pr(**kw):
    base = dict(kind="pull", state="open", author="alice", created_at=parse_when("2023-12-01"),
                events=(Event("alice", parse_when("2023-12-01"), "description"),))
    return compute(ItemFacts(ItemKey("o/r", 7), **{**base, **kw}), AS_OF, People.of(["mia"]))


def test_waiting_on_maintainers_scales_to_ninety_days(signals):
    assert verdict(c.waiting_on_maintainers, signals["falcosecurity/libs#1557"], P) == (
        pytest.approx(8 / 38), "waiting 8 days on maintainers since 2023-12-06 (timeline partial)")
    assert verdict(c.waiting_on_maintainers, pr(timeline_complete=True), P) == (
        pytest.approx(13 / 43), "waiting 13 days on maintainers since 2023-12-01")


def test_whose_turn_counts_only_if_the_item_was_still_open(signals):
    # issue 10: libs#1375 is closed now, on a date nobody recorded: its turn is known, whether it was
    # still open on 2023-12-14 is not, so it is scored at the ranking's typical value (NaN here)
    value, why = verdict(c.waiting_on_maintainers, signals["falcosecurity/libs#1375"], P)
    assert math.isnan(value)
    assert why == ("maintainers replied on 2023-11-30; the author's turn, if still open on 2023-12-14 "
                   "(now closed, date unknown)")


def test_a_hold_waits_on_maintainers_and_says_what_is_known_of_it(signals):
    # issue 10: libs#1452's /hold (2023-10-27) is known from one label event; its removal was never seen
    assert verdict(c.waiting_on_maintainers, signals["falcosecurity/libs#1452"], P) == (
        pytest.approx(48 / 78), "waiting 48 days on maintainers since 2023-10-27 (on hold: do-not-merge/hold, "
        "set by FedeDP on 2023-10-27; the labels then are unknown, no removal seen)")


def test_a_maintainers_own_item_scores_on_its_own_criterion_not_as_waiting(signals):
    # issue 10: libs#1561 is incertum's PR, open on 2023-12-14 (merged on 2023-12-18)
    s = signals["falcosecurity/libs#1561"]
    assert verdict(c.waiting_on_maintainers, s, P) == (
        0.0, "a maintainer's own PR (by incertum): not a contributor waiting")
    assert verdict(c.maintainers_own, s, P) == (pytest.approx(5 / 35), "a maintainer's own PR (by incertum), waiting 5 "
                                       "days on the other maintainers since 2023-12-09 (timeline partial)")
    assert verdict(c.maintainer_silence, s, P) == (0.0, "a maintainer's own item: counted under maintainers' own")
    assert verdict(c.maintainers_own, signals["falcosecurity/libs#1557"], P) == (
        0.0, "not a maintainer's own item waiting")


def test_maintainer_silence_counts_only_while_it_is_the_maintainers_turn(signals):
    answered = pr(events=(Event("alice", parse_when("2023-12-01"), "description"),
                          Event("mia", parse_when("2023-12-04"), "comment")), timeline_complete=True)
    assert verdict(c.maintainer_silence, answered, P) == (
        0.0, "the author's turn (a maintainer last acted on 2023-12-04)")
    assert verdict(c.maintainer_silence, signals["falcosecurity/libs#1557"], P) == (
        pytest.approx(8 / 68), "no maintainer activity in 8 days (timeline partial)")
    assert verdict(c.maintainer_silence, signals["falcosecurity/libs#1452"], P) == (
        pytest.approx(29 / 89), "last maintainer activity 29 days ago (2023-11-15) (timeline partial)")


def test_age_from_bounds_is_at_least_and_never_an_age(signals):
    # issue 10: falco#1340 was opened between 2020-07-02 and 2023-06-08, not "129 days ago"
    value, why = verdict(c.age, signals["falcosecurity/falco#1340"], P)
    assert why == "opened between 2020-07-02 and 2023-06-08 (not observed)"
    assert value == pytest.approx(189 / 369)  # counted from the latest possible opening
    assert verdict(c.age, signals["falcosecurity/libs#1376"], P) == (pytest.approx(72 / 252), "opened 72 days ago")
    seen = pr(created_at=None, events=(Event("bob", parse_when("2023-11-24"), "comment"),))
    assert verdict(c.age, seen, P) == (pytest.approx(20 / 200), "first seen 2023-11-24; opening date unknown")
    value, why = verdict(c.age, pr(created_at=None, events=()), P)
    assert math.isnan(value) and why == "opening date unknown"


def test_release_milestone_from_milestone_or_agenda_heading():
    params = replace(P, release_targets=("0.37.0",))
    assert verdict(c.release_milestone, pr(milestone="0.37.0"), params) == (1.0, "milestone 0.37.0")
    assert verdict(c.release_milestone, pr(milestone="0.38.0"), params) == (
        0.2, "milestone 0.38.0, not a target release")
    listed = tweak(pr(), agenda=AgendaContext(bullet="`libs` 0.14.0 release for Falco 0.37.0"))
    assert verdict(c.release_milestone, listed, params) == (0.8, "listed on the agenda under release 0.37.0")
    assert verdict(c.release_milestone, pr(), P) == (0.0, "no release target configured")


def test_readiness_counts_approval_ci_mergeable_and_draft():
    ready = pr(review_decision="APPROVED", ci_status="SUCCESS", mergeable=True, draft=False)
    assert verdict(c.readiness, ready, P) == (1.0, "approved, CI green, mergeable, not a draft")
    blocked = pr(review_decision="CHANGES_REQUESTED", ci_status="FAILURE", mergeable=False, draft=True,
                 labels=())
    assert verdict(c.readiness, blocked, P) == (0.0, "not approved, not CI green, not mergeable, draft")


def test_readiness_reads_prow_labels_then_and_says_what_is_unknown(signals):
    # falco#2413 carries Falco's prow labels "approved" and "lgtm" today; CI and mergeability were not recorded
    s = tweak(signals["falcosecurity/falco#2413"], state="open")
    value, why = verdict(c.readiness, s, P)  # issue 10: labels read in 2026 say nothing about 2023
    assert math.isnan(value) and why == "unknown: approved, CI green, mergeable, not a draft"
    then = tweak(s, labels=s.item.labels)  # had they been its labels then
    assert verdict(c.readiness, then, P) == (0.25, "approved; unknown: CI green, mergeable, not a draft")
    wip = tweak(signals["falcosecurity/libs#1375"], labels=signals["falcosecurity/libs#1375"].item.labels)
    assert verdict(c.readiness, wip, P)[1] == "approved; work in progress; unknown: CI green, mergeable"
    assert verdict(c.readiness, signals["falcosecurity/libs#1557"], P) == (0.0, "not a pull request")
    # today's CI and mergeability say nothing about a moment a year before they were read
    old = pr(ci_status="SUCCESS", mergeable=True, draft=False, labels=(), label_history=True,
             observed_at=parse_when("2024-12-14"))
    assert verdict(c.readiness, old, P) == (0.0, "not approved; unknown: CI green, mergeable, not a draft")


def test_review_effort_prefers_small_prs():
    assert verdict(c.review_effort, pr(additions=30, deletions=10, changed_files=2), P) == (
        1.0, "40 lines changed in 2 files")
    assert verdict(c.review_effort, pr(additions=3000, deletions=10), P) == (0.1, "3,010 lines changed")
    value, why = verdict(c.review_effort, pr(), P)
    assert math.isnan(value) and why == "size unknown"


def test_area_first_matching_glob_wins(signals):
    params = replace(P, area_weights=(("falcosecurity/libs", 1.0), ("*", 0.2)))
    assert verdict(c.area, signals["falcosecurity/libs#1557"], params) == (1.0, "area falcosecurity/libs (1)")
    assert verdict(c.area, signals["falcosecurity/falco#2960"], params) == (0.2, "area falcosecurity/falco (0.2)")
    assert verdict(c.area, signals["falcosecurity/falco#2960"], P) == (0.5, "area falcosecurity/falco (default 0.5)")


def test_label_rules_take_the_highest_match_among_the_labels_then(signals):
    params = replace(P, label_rules=(("kind/*", 0.4), ("lifecycle/stale", 0.1)))
    assert verdict(c.labels, pr(labels=("kind/feature", "lifecycle/stale")), params) == (
        0.4, "label kind/feature (0.4)")
    value, why = verdict(c.labels, signals["falcosecurity/falco#2655"], params)
    assert math.isnan(value) and why == "labels unknown"
    value, why = verdict(c.labels, signals["falcosecurity/libs#1376"], params)  # issue 10: 2026's labels, not 2023's
    assert math.isnan(value) and why == "labels on 2023-12-14 unknown (today's, read 2026-11-23, may be later ones)"


def test_agenda_flags_and_carried_over_meetings():
    urgent = tweak(pr(), agenda=AgendaContext(flags=("urgent",)))
    assert verdict(c.agenda_flags, urgent, P) == (1.0, "urgent")
    carried = tweak(pr(), agenda=AgendaContext(flags=("needs-review",), carried_over=("a", "b", "c")))
    assert verdict(c.agenda_flags, carried, P) == (1.0, "on the agenda of 3 earlier meetings, needs-review")
    assert verdict(c.agenda_flags, pr(), P) == (0.0, "no agenda flag")


def test_the_agendas_neglected_words_are_a_strong_flag():
    # issue 10: "PRs or issues that have not been given priority" is stronger than "needs review"
    s = tweak(pr(), agenda=AgendaContext(flags=("needs-review", "neglected")))
    assert verdict(c.agenda_flags, s, P) == (0.9, "neglected, needs-review")
    assert verdict(c.agenda_flags, s, replace(P, flag_scores=(("urgent", 1.0),)))[0] == 0.0  # a project may drop it


def test_skipped_raises_the_item_at_the_next_meeting_not_at_this_one():
    # issue 10: SKIPPED meant "raise it next time"; it used to add 0.6 at the meeting that skipped it
    now = tweak(pr(), agenda=AgendaContext(flags=("skipped",)))
    assert verdict(c.agenda_flags, now, P) == (0.0, "skipped here (raised at the next meeting)")
    later = tweak(pr(), agenda=AgendaContext(carried_over=("2023-12-14-Falco-Core-Maintainers",),
                                             skipped_before=("2023-12-14-Falco-Core-Maintainers",)))
    assert verdict(c.agenda_flags, later, P) == (
        0.9, "skipped at the 2023-12-14 meeting, raised now, on the agenda of 1 "
                                             "earlier meeting")


def test_if_time_permits_caps_the_item_instead_of_scoring_it():
    s = tweak(pr(), agenda=AgendaContext(flags=("if-time-permits", "urgent")))
    assert verdict(c.agenda_flags, s, P) == (1.0, "urgent; if time permits (score capped at 0.1)")
    assert cap(s) == 0.1 and cap(pr()) == 1.0


def test_bots_score_zero_on_human_author():
    assert verdict(c.human_author, pr(author="dependabot[bot]"), P) == (0.0, "opened by bot dependabot[bot]")
    assert verdict(c.human_author, pr(), P) == (1.0, "opened by alice")


def test_a_first_contribution_is_todays_association_and_unknown_for_the_past():
    assert verdict(c.first_time_contributor, pr(author_association="FIRST_TIME_CONTRIBUTOR"), P) == (
        1.0, "first contribution by alice")
    value, why = verdict(c.first_time_contributor,
        pr(author_association="FIRST_TIME_CONTRIBUTOR", observed_at=parse_when("2025-01-01")), P)
    assert math.isnan(value)
    assert why == "contributor history on 2023-12-14 unknown (GitHub's association is today's)"


def test_community_demand_counts_reactions_and_outsiders(signals):
    assert verdict(c.community_demand, pr(reactions=6), P) == (0.6, "6 reactions, 0 outside participants")
    assert verdict(c.community_demand, signals["falcosecurity/falco#1340"], P) == (
        0.2, "reactions unknown, 1 outside participant")


def test_every_criterion_is_documented_and_explains_itself(signals):
    for name, criterion in c.CRITERIA.items():
        assert c.help_text(name), f"{name} has no docstring"
        for s in signals.values():
            value, why = verdict(criterion, s, P)
            assert (math.isnan(value) or 0.0 <= value <= 1.0) and why, (name, s.item.ref)
            if math.isnan(value):  # unknown is said, never scored as zero
                assert "unknown" in why, (name, s.item.ref, why)
