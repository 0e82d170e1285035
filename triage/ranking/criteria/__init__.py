"""The prioritization criteria: one small documented function each.

Each criterion reads every item's `Signals` at once (columns, see `triage.ranking.signals`) and the
project's `Params`, and returns a `Verdict`: each item's value in 0..1 (1 = discuss first), and
how to say in one line why an item got its value. Reasons are built only for the items someone
reads (the rows on screen, an export): ten thousand items times a dozen criteria is more text than
anyone reads, and took longer to write than to score (issue 13). The docstring's first line is the
help text in the app's weights panel and the criteria page; the reason is the "why" in the table.
A weight of 0 switches a criterion off; the TOML keys are the function names.

Unknown is not zero: a criterion whose facts are missing gives `UNKNOWN` (NaN) with a reason
saying what is unknown, and `scoring.evaluate` scores it at the typical value of that criterion
in the ranking, never as "brand new" or "not waiting".

The criteria live in two modules by what they read: `waiting` (time and whose turn: waiting on the
maintainers, their silence, the maintainers' own backlog, age, earlier meetings' outcomes) and
`project` (the release, demand, readiness, effort, area, labels, the agenda's words, the author).
`verdict` holds what they share (`Verdict`, `Params`, the column helpers), `words` the reasons'
common phrases. This package's root holds the registry, `CRITERIA`, in the order the app shows them.
"""

from __future__ import annotations

from collections.abc import Callable

from triage.ranking.criteria.project import (
    agenda_flags,
    area,
    community_demand,
    first_time_contributor,
    human_author,
    labels,
    readiness,
    release_milestone,
    review_effort,
    score_cap,
)
from triage.ranking.criteria.verdict import UNKNOWN, Params, Score, Verdict, saturating
from triage.ranking.criteria.waiting import (
    age,
    earlier_outcomes,
    maintainer_silence,
    maintainers_own,
    waiting_on_maintainers,
)
from triage.ranking.signals import Signals

__all__ = ["CRITERIA", "UNKNOWN", "Criterion", "Params", "Score", "Verdict", "age", "agenda_flags", "area",
    "community_demand", "earlier_outcomes", "first_time_contributor", "help_text", "human_author", "labels",
    "maintainer_silence", "maintainers_own", "readiness", "release_milestone", "review_effort", "saturating",
    "score_cap", "title", "waiting_on_maintainers"]


Criterion = Callable[[Signals, Params], Verdict]

# The registry, in the order the app shows them. Names are the keys of triage.toml.
CRITERIA: dict[str, Criterion] = {
    f.__name__: f
    for f in (
        waiting_on_maintainers,
        maintainer_silence,
        maintainers_own,
        age,
        release_milestone,
        community_demand,
        readiness,
        review_effort,
        area,
        labels,
        agenda_flags,
        human_author,
        first_time_contributor,
        earlier_outcomes,
    )
}


def title(name: str) -> str:
    """The human name of a criterion ("waiting_on_maintainers" -> "Waiting on maintainers")."""
    return name.replace("_", " ").capitalize()


def help_text(name: str) -> str:
    """A criterion's one-line documentation (its docstring's first line)."""
    doc = CRITERIA[name].__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""
