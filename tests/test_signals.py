"""Signals as of a moment, on the real Falco facts and on hand-made timelines."""

from datetime import timedelta

import pytest

from triage.facts import Event, ItemFacts, ItemKey, People, parse_when
from triage.signals import compute, state_as_of

AS_OF = parse_when("2023-12-14", end_of_day=True)


@pytest.fixture(scope="module")
def facts(demo):
    return {i.ref: i for i in demo.facts.items}


@pytest.fixture(scope="module")
def people(demo):
    return demo.facts.people


def test_new_issue_from_outside_waits_on_maintainers(facts, people):
    s = compute(facts["falcosecurity/libs#1557"], AS_OF, people)
    assert (s.ball, s.ball_days, s.age_days) == ("maintainers", 8, 8)
    assert s.participants == ("stevenbrz",) and s.external_participants == ()


def test_maintainer_reply_hands_the_ball_to_the_author(facts, people):
    s = compute(facts["falcosecurity/libs#1375"], AS_OF, people)
    assert s.ball == "author" and s.ball_since.date().isoformat() == "2023-11-30"
    assert s.ball_days == 14 and s.maintainer_silence_days == 14


def test_a_maintainers_own_pr_waits_on_the_other_maintainers(facts, people):
    # plugins#378 is Andreagit97's (a maintainer); only Andreagit97 acted on it by the meeting
    s = compute(facts["falcosecurity/plugins#378"], AS_OF, people)
    assert s.author_is_maintainer is True
    assert (s.ball, s.ball_days) == ("maintainers", 13)
    assert s.last_maintainer_at is None


def test_events_after_the_moment_are_ignored(facts, people):
    item = facts["falcosecurity/libs#1452"]  # its only recorded event is FedeDP's on 2024-01-16
    before = compute(item, AS_OF, people)
    assert (before.ball, before.idle_days, before.participants) == (None, None, ())
    after = compute(item, parse_when("2024-02-01"), people)
    assert after.ball == "author" and after.ball_days == 16


def test_community_comment_after_maintainers_puts_it_back_on_maintainers(facts, people):
    # falco#1340: incertum and jasondellaluce (maintainers), then jonny-wg2 on 2023-08-08
    s = compute(facts["falcosecurity/falco#1340"], AS_OF, people)
    assert s.ball == "maintainers" and s.ball_since.date().isoformat() == "2023-08-08"
    assert s.external_participants == ("jonny-wg2",)


def test_state_is_unknown_when_closed_at_an_unknown_date(facts):
    assert state_as_of(facts["falcosecurity/libs#1376"], AS_OF) == (None, "now closed, date unknown")
    assert state_as_of(facts["falcosecurity/libs#1557"], AS_OF) == ("open", None)


def _item(events, author="alice", state="open", **kw):
    return ItemFacts(ItemKey("o/r", 1), kind="pull", state=state, author=author,
                     created_at=events[0].at if events else None, events=tuple(events), **kw)


def _ev(actor, day, kind="comment", **kw):
    return Event(actor, parse_when("2023-01-01") + timedelta(days=day), kind, **kw)


def test_bots_are_left_out_of_every_signal():
    people = People.of(maintainers=["mia"], bots=["poiana"])
    item = _item([_ev("alice", 0, "description"), _ev("mia", 2), _ev("poiana", 5),
                  _ev("dependabot[bot]", 6), _ev("ci", 7, actor_type="Bot")])
    s = compute(item, parse_when("2023-01-11"), people)
    assert s.bot_events == 3
    assert s.participants == ("alice", "mia")
    assert (s.ball, s.ball_days, s.idle_days) == ("author", 8, 8)


def test_closed_before_the_moment_is_nobodys_turn_and_later_close_is_open():
    closed = _item([_ev("alice", 0, "description")], state="closed", closed_at=parse_when("2023-01-05"))
    s = compute(closed, parse_when("2023-02-01"), People())
    assert (s.state, s.ball, s.resolved) == ("closed", "nobody", True)
    s = compute(closed, parse_when("2023-01-03"), People())
    assert (s.state, s.state_note, s.ball) == ("open", "closed later, on 2023-01-05", "maintainers")


def test_association_makes_a_maintainer_without_a_configured_list():
    item = _item([_ev("alice", 0, "description"), _ev("bob", 1, "review", association="MEMBER",
                                                          review_state="CHANGES_REQUESTED")])
    s = compute(item, parse_when("2023-01-10"), People())
    assert s.ball == "author" and s.last_maintainer_at == parse_when("2023-01-02")


def test_first_time_contributor_from_association():
    item = _item([_ev("alice", 0, "description")], author_association="FIRST_TIME_CONTRIBUTOR")
    assert compute(item, parse_when("2023-01-10"), People()).first_time_contributor is True
    assert compute(_item([]), parse_when("2023-01-10"), People()).first_time_contributor is None


def test_a_deleted_account_speaks_but_is_nobody_to_name():
    # GitHub shows a deleted account as "ghost" with no login: its comment still asks the maintainers
    people = People.of(maintainers=["mia"])
    item = _item([_ev("alice", 0, "description"), _ev("mia", 2), _ev(None, 5), _ev("carol", 6)])
    s = compute(item, parse_when("2023-01-11"), people)
    assert s.participants == ("alice", "mia", "carol") and s.external_participants == ("carol",)
    assert (s.ball, s.ball_reason, s.ball_since) == ("maintainers", "community spoke last", parse_when("2023-01-06"))


def test_events_given_out_of_order_are_read_oldest_first():
    people = People.of(maintainers=["mia"])
    events = [_ev("alice", 0, "description"), _ev("alice", 9), _ev("mia", 4)]
    s = compute(_item(events), parse_when("2023-01-20"), people)
    assert [e.at.day for e in _item(events).events] == [1, 5, 10]
    assert (s.ball, s.ball_since) == ("maintainers", parse_when("2023-01-10"))
    assert s.last_maintainer_at == parse_when("2023-01-05")
    assert compute(_item(events), parse_when("2023-01-06"), people).ball == "author"  # cut at the moment
