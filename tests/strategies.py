"""Hypothesis strategies for generated fact records (shared by the property tests)."""

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from triage.facts import Event, FactSet, ItemFacts, ItemKey, People

START = datetime(2022, 1, 1, tzinfo=UTC)
LOGINS = st.sampled_from(["alice", "bob", "mia", "leogr", "poiana", "dependabot[bot]", None])
ASSOC = st.sampled_from([None, "OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "NONE"])
LABELS = ["kind/bug", "lgtm", "wip", "area/x"]
moments = st.integers(0, 900).map(lambda d: START + timedelta(days=d, hours=d % 7))
maybe = st.none() | st.booleans()


@st.composite
def events(draw):
    return Event(draw(LOGINS), draw(moments), draw(st.sampled_from(["comment", "review", "commit", "description"])),
                 draw(ASSOC), draw(st.sampled_from([None, "User", "Bot"])),
                 draw(st.sampled_from([None, "APPROVED", "CHANGES_REQUESTED", "COMMENTED"])))


@st.composite
def items(draw, number=None):
    state = draw(st.sampled_from([None, "open", "closed", "merged"]))
    created = draw(st.none() | moments)
    ended = draw(st.none() | moments) if state in ("closed", "merged") else None
    return ItemFacts(
        key=ItemKey(draw(st.sampled_from(["o/a", "o/b", "p/c"])),
                    number if number is not None else draw(st.integers(1, 99))),
        kind=draw(st.sampled_from([None, "pull", "issue"])),
        status=draw(st.sampled_from(["ok", "ok", "ok", "unknown", "not_found"])),
        title=draw(st.none() | st.text(max_size=20)),
        state=state,
        draft=draw(maybe),
        author=draw(LOGINS),
        author_association=draw(ASSOC),
        labels=draw(st.none() | st.lists(st.sampled_from(LABELS), max_size=3).map(tuple)),
        milestone=draw(st.none() | st.sampled_from(["0.37.0", "1.0"])),
        created_at=created,
        closed_at=ended,
        events=tuple(draw(st.lists(events(), max_size=8))),
        reactions=draw(st.none() | st.integers(0, 50)),
        review_decision=draw(st.sampled_from([None, "APPROVED", "CHANGES_REQUESTED", "REVIEW_REQUIRED"])),
        ci_status=draw(st.sampled_from([None, "SUCCESS", "FAILURE", "PENDING"])),
        mergeable=draw(maybe),
        additions=draw(st.none() | st.integers(0, 5000)),
        deletions=draw(st.none() | st.integers(0, 5000)),
    )


@st.composite
def factsets(draw, max_items=12):
    n = draw(st.integers(0, max_items))
    generated = [draw(items(number=i + 1)) for i in range(n)]
    return FactSet(tuple(generated), "generated", People.of(["mia", "leogr"], ["poiana"]))
