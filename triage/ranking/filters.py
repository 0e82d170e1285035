"""Focus filters over a ranked frame: repository, kind, state, whose turn, author, label, flag,
"waiting on <login>", and whether resolved items are shown.

The same filters serve the app's sidebar, the share link's query parameters and the command
line's options, so a view is the same wherever it is opened. They are generic over the ranked
frame's columns (`FIELDS`): a column the ranking adds later (a new whose-turn bucket, a band)
becomes filterable by adding one line here. Filtering never re-ranks: every row keeps the rank
it has among all items, so "#7" means the same thing filtered or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from triage.snapshots import Snapshot

RESOLVED_STATES = ("closed", "merged")
UNKNOWN = "unknown"  # how a missing value (state, turn, author, kind) is named and chosen


@dataclass(frozen=True)
class Field:
    """One filter: its link parameter (and CLI option), the frame column it reads, its label."""

    param: str
    column: str
    label: str
    multi: bool = False  # the column holds ", "-joined values (labels, flags): any one may match


FIELDS: tuple[Field, ...] = (
    Field("repo", "repo", "Repository"),
    Field("kind", "kind", "Kind"),
    Field("state", "state", "State"),
    Field("turn", "ball", "Whose turn"),
    Field("author", "author", "Author"),
    Field("label", "labels", "Label", multi=True),
    Field("flag", "flags", "Agenda flag", multi=True),
)
WAITING_ON = "waiting_on"  # link parameter: the login whose turn it is
RESOLVED = "resolved"  # link parameter: "shown" to show resolved items
PARAMS = (*(f.param for f in FIELDS), WAITING_ON, RESOLVED)
_MAX_VALUES = 50  # a link naming more values than this is not a hand-made focus: cut, and say so


@dataclass(frozen=True)
class Filters:
    """The values chosen per field (none chosen: everything passes), a login, and resolved items."""

    chosen: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # Field.param -> values
    waiting_on: str | None = None
    show_resolved: bool = False

    def values(self, param: str) -> tuple[str, ...]:
        """The values chosen for `param` (empty: no restriction)."""
        return tuple(self.chosen.get(param, ()))

    @property
    def active(self) -> bool:
        """True when some rows may be hidden besides the resolved ones."""
        return bool(self.waiting_on) or any(self.chosen.values())


@dataclass(frozen=True)
class Filtered:
    """The rows a filter kept, and how many of the others it hid for each reason."""

    rows: pd.DataFrame
    total: int
    resolved_hidden: int
    filtered_out: int

    def summary(self) -> str:
        """"12 of 16 items shown · 4 resolved hidden": the sentence above a filtered table."""
        parts = [f"{len(self.rows)} of {self.total} items shown"]
        if self.resolved_hidden:
            parts.append(f"{self.resolved_hidden} resolved hidden")
        if self.filtered_out:
            parts.append(f"{self.filtered_out} filtered out")
        return " · ".join(parts)


def _cell_values(value: Any, multi: bool) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value == "":
        return [] if multi else [UNKNOWN]
    if multi:
        return [v for v in str(value).split(", ") if v]
    return [str(value)]


def column_values(frame: pd.DataFrame, f: Field) -> list[str]:
    """The distinct values of `f` in `frame`, sorted ("unknown" last), for a picker."""
    if f.column not in frame.columns:
        return []
    seen = {v for cell in frame[f.column].tolist() for v in _cell_values(cell, f.multi)}
    return sorted(seen - {UNKNOWN}, key=str.lower) + ([UNKNOWN] if UNKNOWN in seen else [])


def is_resolved(frame: pd.DataFrame) -> pd.Series:
    """Rows closed or merged as of the ranking's moment."""
    if "state" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["state"].isin(RESOLVED_STATES)


def waiting_on(frame: pd.DataFrame, login: str) -> pd.Series:
    """Rows whose turn is `login`'s: the author's turn and `login` wrote it, or the maintainers'
    turn and `login` did not (a maintainer asking "what waits on me" is one of the maintainers,
    and their own PRs wait on the others)."""
    who = login.strip().lstrip("@").lower()
    author = frame["author"].fillna("").astype(str).str.lower() if "author" in frame else pd.Series("", frame.index)
    ball = frame["ball"] if "ball" in frame else pd.Series(None, index=frame.index, dtype=object)
    return ((ball == "author") & (author == who)) | ((ball == "maintainers") & (author != who))


def _matches(frame: pd.DataFrame, f: Field, wanted: Sequence[str]) -> pd.Series:
    if f.column not in frame.columns:  # a column this frame lacks cannot hold the value asked for
        return pd.Series(False, index=frame.index)
    chosen = set(wanted)
    return frame[f.column].map(lambda cell: any(v in chosen for v in _cell_values(cell, f.multi))).astype(bool)


def apply(frame: pd.DataFrame, filters: Filters) -> Filtered:
    """The rows of `frame` that pass `filters`, in the frame's order, with what was hidden."""
    resolved = is_resolved(frame)
    keep = pd.Series(True, index=frame.index)
    for f in FIELDS:
        wanted = filters.values(f.param)
        if wanted:
            keep &= _matches(frame, f, wanted)
    if filters.waiting_on:
        keep &= waiting_on(frame, filters.waiting_on)
    hidden = int((keep & resolved).sum()) if not filters.show_resolved else 0
    shown = keep & ~resolved if not filters.show_resolved else keep
    return Filtered(frame[shown], len(frame), hidden, int((~keep).sum()))


def frozen_frame(snapshot: Snapshot) -> pd.DataFrame:
    """A snapshot's frozen rows with the columns the filters read: the rows' own (state, kind,
    flags, waiting_on as the turn), the repository from the ref, author and labels from its facts."""
    frame = snapshot.frame()
    facts = {i.ref: i for i in snapshot.meeting.facts.items}
    found = [facts.get(ref) for ref in frame["ref"]]
    return frame.assign(
        repo=frame["ref"].str.split("#", n=1).str[0],
        ball=frame["waiting_on"],
        author=[i.author if i else None for i in found],
        labels=[", ".join(i.labels or ()) if i else "" for i in found],
    )


# --- links and the command line -------------------------------------------------------------------


def to_params(filters: Filters) -> dict[str, list[str]]:
    """The query parameters of `filters` (repeated keys for several values); empty when default."""
    out: dict[str, list[str]] = {f.param: list(filters.values(f.param)) for f in FIELDS if filters.values(f.param)}
    if filters.waiting_on:
        out[WAITING_ON] = [filters.waiting_on]
    if filters.show_resolved:
        out[RESOLVED] = ["shown"]
    return out


def from_params(params: Mapping[str, Sequence[str]]) -> tuple[Filters, list[str]]:
    """Filters from query parameters (each key to all its values), with a sentence per value ignored.
    Values are kept as given: one naming nothing in the ranking simply matches no row."""
    problems: list[str] = []
    chosen: dict[str, tuple[str, ...]] = {}
    for f in FIELDS:
        values = [v.strip() for v in params.get(f.param, ()) if v.strip()]
        if len(values) > _MAX_VALUES:
            problems.append(f"The link names {len(values)} values for {f.param!r}; the first {_MAX_VALUES} are used.")
            values = values[:_MAX_VALUES]
        if values:
            chosen[f.param] = tuple(dict.fromkeys(values))
    logins = [v.strip() for v in params.get(WAITING_ON, ()) if v.strip()]
    resolved = list(params.get(RESOLVED, ()))
    if resolved and resolved[-1] != "shown":
        problems.append(f"Link parameter resolved={resolved[-1]!r} is not 'shown'; resolved items stay hidden.")
    filters = Filters(chosen, logins[-1] if logins else None, bool(resolved) and resolved[-1] == "shown")
    return filters, problems


def from_options(options: Mapping[str, Iterable[str] | None], waiting: str | None, show_resolved: bool) -> Filters:
    """Filters from command-line options named like the link parameters."""
    chosen = {f.param: tuple(v for v in options.get(f.param) or () if v) for f in FIELDS}
    return Filters({k: v for k, v in chosen.items() if v}, waiting or None, show_resolved)


def with_values(filters: Filters, param: str, values: Iterable[str]) -> Filters:
    """`filters` with `param`'s values replaced."""
    chosen = {**filters.chosen, param: tuple(values)}
    return replace(filters, chosen={k: v for k, v in chosen.items() if v})


def describe(filters: Filters) -> str:
    """"repository falcosecurity/libs; waiting on leogr": the focus in words, for headings."""
    by_param = {f.param: f.label.lower() for f in FIELDS}
    parts = [f"{by_param[k]} {' or '.join(v)}" for k, v in filters.chosen.items() if v]
    if filters.waiting_on:
        parts.append(f"waiting on {filters.waiting_on}")
    return "; ".join(parts)

