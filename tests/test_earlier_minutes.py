"""Earlier minutes: which meetings named, skipped or assigned an item, and which items are on hold
(issue 10), on minutes written by hand in the styles of several projects."""

from triage.agenda import parse_agenda
from triage.agenda.earlier import History, held, history, meeting_date, meeting_label
from triage.facts import ItemKey, parse_when

CURRENT = """# 2024-02-01 maintainers
- https://github.com/acme/core/pull/10 needs review
- https://github.com/acme/core/issues/20
- https://github.com/acme/core/issues/30 (on hold until the release)
- https://github.com/acme/core/pull/40 is no longer on hold
"""

FALCO_STYLE = """# 2023-12-14 maintainers
- Release tasks
    - Luca working on https://github.com/acme/core/issues/20
    - Melissa to provide updates re https://github.com/acme/core/pull/11, see https://github.com/acme/core/pull/10
SKIPPED:
- style: https://github.com/acme/core/pull/10
"""

NODE_STYLE = """# Node.js TSC meeting 2023-11-22

### acme/core

* Deprecate the old flag [#30](https://github.com/acme/core/issues/30)
  * @mcollina will take it
  * skip for this week
"""

UNDATED = """# a meeting
- https://github.com/acme/core/issues/20 Luca working on it, someone will review
"""


def keys(*numbers):
    return {n: ItemKey("acme/core", n) for n in numbers}


def test_earlier_meetings_that_named_skipped_or_assigned_each_item():
    current = parse_agenda(CURRENT)
    k = keys(10, 20, 30, 40)
    past = history(current, {"2023-12-14-maintainers": FALCO_STYLE, "2023-11-22-tsc": NODE_STYLE,
                             "notes": UNDATED})
    assert past[k[10]] == History(("2023-12-14-maintainers",), ("2023-12-14-maintainers",), ())
    # "Luca working on <link>": the link right after the phrase is assigned, at that meeting's date
    assert past[k[20]] == History(("2023-12-14-maintainers", "notes"), (),
                                  (("2023-12-14-maintainers", parse_when("2023-12-14")),))
    # "@mcollina will take it" under the item's line, and "skip for this week" there too
    assert past[k[30]] == History(("2023-11-22-tsc",), ("2023-11-22-tsc",),
                                  (("2023-11-22-tsc", parse_when("2023-11-22")),))
    assert k[40] not in past  # no earlier meeting named it


def test_a_passing_mention_after_an_assignment_is_not_assigned():
    # "Melissa to provide updates re #11, see #10": the updates are about #11 only
    current = parse_agenda(CURRENT)
    past = history(current, {"2023-12-14-maintainers": FALCO_STYLE})
    assert past[ItemKey("acme/core", 10)].assigned == ()


def test_items_the_minutes_say_are_on_hold():
    assert held(parse_agenda(CURRENT), CURRENT) == {ItemKey("acme/core", 30)}  # "no longer on hold" is not


def test_a_meeting_is_named_by_its_date():
    assert meeting_date("2023-10-05-Falco-Core-Maintainers") == parse_when("2023-10-05")
    assert meeting_date("notes") is None and meeting_date("2023-13-45-x") is None
    assert meeting_label("2023-10-05-Falco-Core-Maintainers") == "2023-10-05" and meeting_label("notes") == "notes"


def test_the_falco_demo_history_is_what_its_minutes_say(demo):
    current = parse_agenda(demo.minutes, default_org="falcosecurity")
    past = history(current, demo.earlier, default_org="falcosecurity")
    assert {k.ref: len(h.carried_over) for k, h in past.items()} == {
        "falcosecurity/falco#1340": 3, "falcosecurity/falco#2655": 1, "falcosecurity/libs#470": 1}
    # 2023-10-05: "[incertum] @jasondellaluce will do it" under falco#1340's line
    assert past[ItemKey("falcosecurity/falco", 1340)].assigned == (
        ("2023-10-05-Falco-Core-Maintainers", parse_when("2023-10-05")),)
    # 2023-11-02: "Melissa to provide some updates re libs#1453 ..., see broader Falco proposal falco#2655"
    assert past[ItemKey("falcosecurity/falco", 2655)].assigned == ()
    assert held(current, demo.minutes, default_org="falcosecurity") == frozenset()
