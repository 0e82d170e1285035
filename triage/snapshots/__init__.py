"""Frozen triage snapshots: freeze what a ranking showed, hash it, store it, load it back.

This package root holds the snapshot itself (its content, id and format); its modules hold the
rest: `rendering` (a snapshot printed in the export formats), `share` (the link that reopens one in
the app), `store` (any SQLAlchemy database), `compare` (two meetings side by side) and `demo` (the
demo meetings' snapshots an empty store starts with).

A snapshot records one ranking completely: the meeting (facts, agenda context, carried-over
meetings), the criteria's names and one-line docs as of that day, the preset's name, weights and
parameters, the people settings, the moment it was judged at, and the ranked rows exactly as shown
(`export.to_rows`). Reopening it shows those rows, whatever the criteria code does later.

Its id is the SHA-256 of its canonical JSON (sorted keys, compact separators, ASCII), so the same
content always gets the same id, saving is idempotent, and a stored snapshot that was changed is
detected when it is read. `created_at` is kept out of the hashed content for that reason.

Format policy: the content carries `format` (SNAPSHOT_FORMAT) and the store a `schema_version`
column holding the same number. A later format only adds fields with defaults: bump
SNAPSHOT_FORMAT, write the field, and register in `_UPGRADES` a function turning a document of the
previous format into the new one. Readers upgrade in memory only, so a stored document, and
therefore its id, never changes; documents from a newer triage are refused with a sentence.

"""

from __future__ import annotations

import hashlib
import json
import math
import re
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import pandas as pd

from triage import export
from triage.facts import People
from triage.facts.format import FactsFormatError, people_to_dict
from triage.facts.format import people_from_dict as _people_from_dict
from triage.meeting import Meeting, meeting_from_dict, meeting_to_dict
from triage.ranking import scoring
from triage.ranking.criteria import CRITERIA, Params, help_text
from triage.ranking.weights import Preset, validate_weights
from triage.settings import github_token_from_env

SNAPSHOT_FORMAT = 1  # the content's `format`; see the module docstring for the upgrade policy
MIN_PREFIX = 12  # shortest id prefix a lookup accepts: 48 bits, unique for any real store
_ID = re.compile(rf"^[0-9a-f]{{{MIN_PREFIX},64}}$")
_MIN_SECRET = 8  # shorter "tokens" are test placeholders; matching them would flag innocent text
_TOP_LEVEL = ("format", "meeting", "preset", "weights", "params", "people", "criteria", "rows")

Row = export.Row


class SnapshotError(Exception):
    """A snapshot could not be made, stored or read."""


class SnapshotNotFoundError(SnapshotError):
    """No stored snapshot has the id or prefix asked for."""


class SnapshotAmbiguousError(SnapshotError):
    """An id prefix matches more than one stored snapshot."""


class SnapshotIdError(SnapshotError, ValueError):
    """A snapshot id is not 12 to 64 lower-case hexadecimal digits."""


class SnapshotTamperedError(SnapshotError):
    """A stored snapshot's content no longer hashes to its id."""


class SnapshotFormatError(SnapshotError, ValueError):
    """A snapshot document is malformed or was written by a newer triage."""


class SnapshotSecretError(SnapshotError):
    """A snapshot would have contained the GitHub token."""


class SnapshotStoreError(SnapshotError):
    """The snapshot store cannot be opened, read or written (bad URL, missing driver, server down)."""


# --- canonical content ----------------------------------------------------------------------------


def canonical_json(content: Any) -> str:
    """The one text of `content` that its id hashes: sorted keys, compact separators, ASCII."""
    try:
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise SnapshotFormatError(f"Snapshot content is not plain JSON: {e}") from None


def content_id(content: Any) -> str:
    """The snapshot id of `content`: SHA-256 hex of its canonical JSON."""
    return hashlib.sha256(canonical_json(content).encode("ascii")).hexdigest()


def normalise_id(value: str) -> str:
    """A lower-case id or prefix; SnapshotIdError unless it is 12 to 64 hexadecimal digits."""
    key = value.strip().lower()
    if not _ID.match(key):
        raise SnapshotIdError(
            f"Invalid snapshot id {value!r}: expected {MIN_PREFIX} to 64 hexadecimal digits "
            "(the id or its start)"
        )
    return key


def _lists(value: Any) -> Any:
    return [_lists(v) for v in value] if isinstance(value, tuple | list) else value


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list | tuple) else value


def params_to_dict(params: Params) -> dict[str, Any]:
    """Every criteria parameter as JSON-ready values (tuples become lists)."""
    return {f.name: _lists(getattr(params, f.name)) for f in fields(Params)}


def params_from_dict(raw: Mapping[str, Any]) -> Params:
    """Parameters written by `params_to_dict`. Missing ones take today's defaults and unknown ones
    (a parameter since removed) are ignored, so an old snapshot still opens."""
    if not isinstance(raw, Mapping):
        raise SnapshotFormatError(f"Snapshot params must be an object, got {raw!r}")
    base = Params()
    changes: dict[str, Any] = {}
    for f in fields(Params):
        if f.name not in raw:
            continue
        value, default = raw[f.name], getattr(base, f.name)
        if isinstance(default, tuple) and isinstance(value, list):
            changes[f.name] = _tuples(value)
        elif isinstance(default, float) and isinstance(value, int | float) and not isinstance(value, bool):
            changes[f.name] = float(value)
        elif isinstance(default, int) and isinstance(value, int) and not isinstance(value, bool):
            changes[f.name] = value
        else:
            raise SnapshotFormatError(
                f"Snapshot param {f.name} = {value!r} does not fit; expected a value like {_lists(default)!r}"
            )
    return replace(base, **changes)


def people_from_dict(raw: Mapping[str, Any]) -> People:
    """People written by `people_to_dict`."""
    if not isinstance(raw, Mapping):
        raise SnapshotFormatError(f"Snapshot people must be an object, got {raw!r}")
    try:
        return _people_from_dict(raw)
    except FactsFormatError as e:
        raise SnapshotFormatError(f"Snapshot {e}") from None


# --- the record -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotSummary:
    """One line of the store's listing."""

    id: str
    created_at: datetime
    source: str
    title: str | None
    as_of: datetime
    items: int
    preset: str
    private: bool = False  # made from private repositories (`access.exposes_private`)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: moments as ISO 8601 text."""
        return {f.name: (v.isoformat() if isinstance(v, datetime) else v)
                for f in fields(self) for v in [getattr(self, f.name)]}


@dataclass(frozen=True)
class Snapshot:
    """An immutable record of what one triage showed. Build it with `freeze` or read it with
    `snapshot_from_document`: every field is parsed from `document`, whose hash is the id.
    No field holds credentials: the content is facts, agenda context, settings and rows."""

    document: str = field(repr=False)  # canonical JSON of the content, exactly as created
    meeting: Meeting = field(compare=False, repr=False)  # as_of is the moment it was judged at
    preset: str = field(compare=False)
    weights: Mapping[str, float] = field(compare=False, repr=False)
    params: Params = field(compare=False, repr=False)
    people: People = field(compare=False, repr=False)  # the settings' people, beyond the facts' own
    criteria: tuple[tuple[str, str], ...] = field(compare=False, repr=False)  # (name, doc) then
    format: int = field(compare=False, repr=False)  # the format the document was written in
    rows_json: str = field(compare=False, repr=False)  # the frozen rows, see `rows`
    created_at: datetime | None = field(default=None, compare=False)  # not hashed: see module doc

    def __repr__(self) -> str:
        items = len(self.rows)
        return f"Snapshot({self.short_id}…, {self.preset!r}, as of {self.as_of:%Y-%m-%d}, {items} items)"

    @cached_property
    def id(self) -> str:
        """SHA-256 hex of the canonical content."""
        return hashlib.sha256(self.document.encode("ascii")).hexdigest()

    @property
    def short_id(self) -> str:
        """The first 12 hex digits, enough to look it up."""
        return self.id[:MIN_PREFIX]

    @property
    def as_of(self) -> datetime:
        """The moment the ranking was computed as of."""
        return self.meeting.as_of

    @property
    def source(self) -> str:
        """Where the facts came from (`demo:...`, `minutes:...`, ...)."""
        return self.meeting.facts.source

    @property
    def title(self) -> str | None:
        """The meeting's title."""
        return self.meeting.title

    @property
    def rows(self) -> list[Row]:
        """The ranked rows as frozen (a fresh copy on every call, so the record stays immutable)."""
        rows: list[Row] = json.loads(self.rows_json)
        return rows

    def summary(self) -> SnapshotSummary:
        """The listing line of this snapshot."""
        created = self.created_at or datetime.now(UTC)
        return SnapshotSummary(self.id, created, self.source, self.title, self.as_of,
                               len(self.rows), self.preset)

    def rank(self) -> pd.DataFrame:
        """Rank the frozen inputs again with today's criteria code (equal to `rows` while the
        criteria have not changed)."""
        return scoring.rank_items(self.meeting.facts, self.weights, self.params, self.as_of,
                                  self.meeting.context(), self.people)

    def criteria_changes(self) -> list[str]:
        """One sentence per criterion added, removed or re-documented since the snapshot was made."""
        then = dict(self.criteria)
        out = [f"Criterion {n!r} no longer exists." for n in then if n not in CRITERIA]
        out += [f"Criterion {n!r} is new since this snapshot." for n in CRITERIA if n not in then]
        out += [f"Criterion {n!r} has changed: now {help_text(n)!r}." for n, doc in then.items()
                if n in CRITERIA and doc and doc != help_text(n)]
        return out

    def frame(self) -> pd.DataFrame:
        """The frozen rows as a table: identity, waiting, score, why, then one column per criterion's
        contribution (named after the criterion)."""
        rows = self.rows
        names = [n for n, _ in self.criteria] or sorted({n for r in rows for n in r.get("contributions", {})})
        base = export.CSV_COLUMNS  # the CSV export's identity, waiting, score and why columns
        table = pd.DataFrame([{**{k: r.get(k) for k in base}, "flags": ", ".join(r.get("flags") or ()),
                               **{n: (r.get("contributions") or {}).get(n, 0.0) for n in names}}
                              for r in rows], columns=[*base, "flags", *names])
        table["waiting_days"] = table["waiting_days"].astype("Int64")
        return table

    def contributions(self) -> pd.DataFrame:
        """Long form (rank, ref, criterion, points, why) of the frozen contributions, for charts."""
        rows = self.rows
        records = [
            {"rank": r["rank"], "ref": r["ref"], "criterion": n, "points": points,
             "why": (r.get("reasons") or {}).get(n, "")}
            for n, _ in self.criteria for r in rows
            for points in [(r.get("contributions") or {}).get(n, 0.0)]
        ]
        return pd.DataFrame(records, columns=["rank", "ref", "criterion", "points", "why"])


def preset_label(preset: Preset, weights: Mapping[str, float]) -> str:
    """The preset's name, or "custom (from <name>)" when the weights were moved away from it: a
    listing must not call moved weights by the preset's name (issue 11)."""
    same = all(math.isclose(weights.get(n, 0.0), preset.weights.get(n, 0.0)) for n in CRITERIA)
    return preset.name if same else f"custom (from {preset.name})"


def check_secrets(document: str, secrets: Iterable[str | None]) -> None:
    """Refuse a document that contains any of `secrets` (tokens), escaped or not."""
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET and (
            secret in document or json.dumps(secret)[1:-1] in document
        ):
            raise SnapshotSecretError(
                "The snapshot would contain the GitHub token (it appears in the facts or settings); "
                "nothing was frozen or saved"
            )


def freeze(
    meeting: Meeting,
    preset: Preset,
    people: People | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    as_of: datetime | None = None,
    created_at: datetime | None = None,
    secrets: Iterable[str | None] = (),
) -> Snapshot:
    """Rank `meeting` with `preset` (or with `weights` moved away from it) as of `as_of` (default:
    the meeting's) and freeze everything that ranking showed. `people` are the settings' people
    (`Config.people`); `secrets` are tokens that must not end up inside (GITHUB_TOKEN always is)."""
    moment = as_of or meeting.as_of
    meeting = replace(meeting, as_of=moment)
    chosen = validate_weights(weights if weights is not None else preset.weights, "Snapshot weights")
    full = {n: chosen.get(n, 0.0) for n in CRITERIA}
    crowd = people or People()
    ranked = scoring.rank_items(meeting.facts, full, preset.params, moment, meeting.context(), crowd)
    content = {
        "format": SNAPSHOT_FORMAT,
        "meeting": meeting_to_dict(meeting),
        "preset": preset_label(preset, full),
        "weights": full,
        "params": params_to_dict(preset.params),
        "people": people_to_dict(crowd),
        "criteria": [{"name": n, "doc": help_text(n)} for n in CRITERIA],
        "rows": export.to_rows(ranked),
    }
    document = canonical_json(content)
    check_secrets(document, [github_token_from_env(), *secrets])
    return replace(snapshot_from_document(document), created_at=created_at or datetime.now(UTC))


# --- reading documents -----------------------------------------------------------------------------

# Format N -> N + 1, applied in memory when reading (never to the stored text). Empty while only
# format 1 exists; a format 2 that adds `field` would register
# `1: lambda doc: {**doc, "format": 2, "field": <default>}`.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upgrade(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot document of any supported format, brought to SNAPSHOT_FORMAT."""
    version = doc.get("format")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SnapshotFormatError(
            f"Snapshot format {version!r} is not valid; expected 1 to {SNAPSHOT_FORMAT}"
        )
    if version > SNAPSHOT_FORMAT:
        raise SnapshotFormatError(
            f"Snapshot format {version} was written by a newer triage; this one reads formats 1 to "
            f"{SNAPSHOT_FORMAT}: upgrade triage to open it"
        )
    out = dict(doc)
    while version < SNAPSHOT_FORMAT:
        out = _UPGRADES[version](out)
        version += 1
    return out


def _need(doc: Mapping[str, Any], name: str, kind: type) -> Any:
    if name not in doc:
        raise SnapshotFormatError(f"Snapshot document has no {name!r}")
    if not isinstance(doc[name], kind):
        got = type(doc[name]).__name__
        raise SnapshotFormatError(f"Snapshot {name!r} is {got}, expected {kind.__name__}")
    return doc[name]


def snapshot_from_document(text: str | Mapping[str, Any], *, created_at: datetime | None = None) -> Snapshot:
    """Read a snapshot document (text or parsed) of any supported format."""
    if isinstance(text, str):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            raise SnapshotFormatError(f"Snapshot document is not JSON: {e}") from None
    else:
        raw = text
    if not isinstance(raw, Mapping):
        raise SnapshotFormatError(f"Snapshot document must be a JSON object, got {type(raw).__name__}")
    document = canonical_json(raw)
    doc = upgrade(raw)
    if extra := sorted(set(doc) - set(_TOP_LEVEL)):
        raise SnapshotFormatError(
            f"Snapshot document has unknown field {extra[0]!r}; expected {', '.join(_TOP_LEVEL)}"
        )
    meeting_doc = _need(doc, "meeting", Mapping)
    for name in ("facts", "as_of"):
        _need(meeting_doc, name, Mapping if name == "facts" else str)
    try:
        meeting = meeting_from_dict(meeting_doc)
    except (FactsFormatError, ValueError) as e:
        raise SnapshotFormatError(f"Snapshot meeting is invalid: {e}") from None
    weights = _need(doc, "weights", Mapping)
    if any(isinstance(w, bool) or not isinstance(w, int | float) for w in weights.values()):
        raise SnapshotFormatError(f"Snapshot weights must be numbers, got {dict(weights)!r}")
    rows = _need(doc, "rows", list)
    for n, row in enumerate(rows):
        if not isinstance(row, Mapping) or not {"ref", "rank", "score"} <= row.keys():
            raise SnapshotFormatError(f"Snapshot row {n} needs at least ref, rank and score, got {row!r}")
    criteria_raw = doc.get("criteria") or [{"name": n, "doc": ""} for n in weights]
    try:
        criteria = tuple((str(c["name"]), str(c.get("doc") or "")) for c in criteria_raw)
    except (KeyError, TypeError, AttributeError):
        raise SnapshotFormatError(
            f"Snapshot criteria must be a list of {{name, doc}}, got {criteria_raw!r}"
        ) from None
    return Snapshot(
        document=document,
        meeting=meeting,
        preset=str(doc.get("preset") or "custom"),
        weights=types.MappingProxyType({str(k): float(v) for k, v in weights.items()}),
        params=params_from_dict(doc.get("params") or {}),
        people=people_from_dict(doc.get("people") or {}),
        criteria=criteria,
        format=int(raw["format"]),
        rows_json=json.dumps(rows, ensure_ascii=False),
        created_at=created_at,
    )
