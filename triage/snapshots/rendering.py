"""A snapshot's frozen ranking printed in the export formats, exactly as `triage rank` printed it.

`export` lays out the frozen rows, so the exported "why" is the one shown that day even if the
criteria or `scoring.explain` change later. Only the key order is restored here: the canonical
(sorted) document does not keep it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from triage import export
from triage.snapshots import Row, Snapshot

FORMATS = export.FORMATS

# The key order of `export.to_rows`, which the canonical (sorted) document does not keep.
ROW_FIELDS = ("ref", "rank", "score", "title", "url", "kind", "state", "status", "waiting_on", "waiting_days",
              "flags", "why", "contributions", "reasons")


def heading(snapshot: Snapshot) -> str:
    """The Markdown heading, as `triage rank` writes it."""
    return f"{snapshot.title or 'Triage'}: ranked as of {snapshot.as_of:%Y-%m-%d} ({snapshot.preset})"


def ordered_rows(snapshot: Snapshot) -> list[Row]:
    """The frozen rows with their keys in `export.to_rows` order and criteria in registry order (as
    of the snapshot), so that they print exactly as `triage rank --format json` printed them."""
    names = [n for n, _ in snapshot.criteria]

    def by(order: Iterable[str], data: Mapping[str, Any]) -> dict[str, Any]:
        first = [k for k in order if k in data]
        return {k: data[k] for k in [*first, *sorted(set(data) - set(first))]}

    out = []
    for row in snapshot.rows:
        for nested in ("contributions", "reasons"):
            if isinstance(row.get(nested), Mapping):
                row[nested] = by(names, row[nested])
        out.append(by(ROW_FIELDS, row))
    return out


def meta(snapshot: Snapshot) -> export.Meta:
    """What the JSON export says about a snapshot: its title, moment, preset, weights and id."""
    return export.Meta(snapshot.as_of, snapshot.preset, dict(snapshot.weights), snapshot.id, snapshot.title)


def render(snapshot: Snapshot, fmt: str, link: str | None = None, rows: list[Row] | None = None) -> str:
    """The frozen ranking (or the `rows` of it kept by a filter) in one of FORMATS, laid out by
    `export` exactly as `triage rank` prints it."""
    shown = ordered_rows(snapshot) if rows is None else rows
    return export.render_rows(shown, fmt, heading(snapshot), link, meta(snapshot))
