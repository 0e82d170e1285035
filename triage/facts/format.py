"""The facts file: fact records as JSON-ready dicts (ISO dates, lists) and back.

`triage fetch --out` writes `factset_to_dict`, `triage rank --facts` reads it back, snapshots and
meetings embed it, and the fetch cache keeps one `item_to_dict` per item. Readers check every field
and raise `FactsFormatError` naming the field and what was expected; they read every older format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, cast

from triage.facts import EVENT_KINDS, Event, EventKind, FactSet, ItemFacts, ItemKey, People, parse_when

FACTS_FORMAT = 2  # bump when the serialised shape changes; readers accept every older version


class FactsFormatError(ValueError):
    """A facts document could not be read: the message names the field and what was expected."""


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_DATE_FIELDS = {"at", "milestone_due", "created_at", "updated_at", "closed_at", "merged_at", "observed_at"}


def _record_to_dict(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if f.name == "key":
            out["repo"], out["number"] = value.repo, value.number
        elif f.name in _DATE_FIELDS:
            out[f.name] = _iso(value)
        elif f.name == "events":
            out["events"] = [_record_to_dict(e) for e in value]
        elif f.name == "created_bounds":
            out[f.name] = None if value is None else [_iso(v) for v in value]
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


def item_to_dict(item: ItemFacts) -> dict[str, Any]:
    """A JSON-ready dict (ISO dates, lists) that `item_from_dict` reads back unchanged."""
    return _record_to_dict(item)


def _need(data: Mapping[str, Any], name: str, types: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise FactsFormatError(f"{where}: missing field {name!r}")
    value = data[name]
    if not isinstance(value, types):
        raise FactsFormatError(f"{where}: field {name!r} is {value!r}, expected {types}")
    return value


def event_from_dict(data: Mapping[str, Any], where: str = "event") -> Event:
    """Read one event written by `item_to_dict`."""
    kind = _need(data, "kind", str, where)
    if kind not in EVENT_KINDS:
        raise FactsFormatError(f"{where}: unknown event kind {kind!r}, expected one of {EVENT_KINDS}")
    at = parse_when(_need(data, "at", str, where))
    assert at is not None
    return Event(
        actor=data.get("actor"),
        at=at,
        kind=cast(EventKind, kind),
        association=data.get("association"),
        actor_type=data.get("actor_type"),
        review_state=data.get("review_state"),
        detail=data.get("detail"),
    )


def item_from_dict(data: Mapping[str, Any]) -> ItemFacts:
    """Read one item written by `item_to_dict`; unknown extra fields are ignored (newer writers)."""
    if not isinstance(data, Mapping):
        raise FactsFormatError(f"item: expected an object, got {type(data).__name__}")
    repo = _need(data, "repo", str, "item")
    number = _need(data, "number", int, "item")
    where = f"{repo}#{number}"
    known = {f.name for f in fields(ItemFacts)} - {"key", "events"}
    kwargs: dict[str, Any] = {}
    for name in known & data.keys():
        value = data[name]
        if name in _DATE_FIELDS:
            try:
                value = parse_when(value)
            except ValueError as e:
                raise FactsFormatError(f"{where}: field {name!r}: {e}") from None
        elif name == "labels" and value is not None:
            value = tuple(value)
        elif name == "created_bounds" and value is not None:
            value = _bounds(value, where)
        kwargs[name] = value
    events = tuple(
        event_from_dict(e, f"{where} event {n}") for n, e in enumerate(data.get("events") or [])
    )
    return ItemFacts(key=ItemKey(repo, number), events=events, **kwargs)


def _bounds(value: Any, where: str) -> tuple[datetime, datetime]:
    """`[earliest, latest]` ISO moments, earliest first."""
    try:
        first, last = (parse_when(v) for v in value)
    except (TypeError, ValueError) as e:
        raise FactsFormatError(
            f"{where}: field 'created_bounds' is {value!r}, expected [earliest, latest]: {e}") from None
    if first is None or last is None or first > last:
        raise FactsFormatError(f"{where}: field 'created_bounds' is {value!r}, expected [earliest, latest]")
    return first, last


def people_to_dict(people: People) -> dict[str, Any]:
    """Maintainers, bots and maintainer associations as sorted lists; each repository's maintainers."""
    return {
        "maintainers": sorted(people.maintainers),
        "bots": sorted(people.bots),
        "maintainer_associations": sorted(people.maintainer_associations),
        "by_repo": {repo: sorted(logins) for repo, logins in sorted(people.by_repo.items())},
    }


def people_from_dict(raw: Mapping[str, Any]) -> People:
    """People written by `people_to_dict` (documents without `by_repo` too)."""
    by_repo = raw.get("by_repo") or {}
    if not isinstance(by_repo, Mapping) or not all(
        isinstance(logins, list) and all(isinstance(x, str) for x in logins) for logins in by_repo.values()
    ):
        raise FactsFormatError(f"people: by_repo must map owner/name to a list of logins, got {by_repo!r}")
    return People.of(raw.get("maintainers", ()), raw.get("bots", ()), raw.get("maintainer_associations"), by_repo)


def factset_to_dict(facts: FactSet) -> dict[str, Any]:
    """The facts file that `triage fetch --out` writes and `triage rank --facts` reads."""
    return {
        "format": FACTS_FORMAT,
        "source": facts.source,
        "observed_at": _iso(facts.observed_at),
        "note": facts.note,
        "people": people_to_dict(facts.people),
        "items": [item_to_dict(i) for i in facts.items],
    }


def factset_from_dict(data: Any) -> FactSet:
    """Read a facts document; raise FactsFormatError with the first problem found."""
    if not isinstance(data, Mapping):
        raise FactsFormatError(f"facts: expected a JSON object, got {type(data).__name__}")
    version = data.get("format")
    if not isinstance(version, int) or not 1 <= version <= FACTS_FORMAT:
        raise FactsFormatError(f"facts: unsupported format {version!r}, expected 1..{FACTS_FORMAT}")
    people = data.get("people") or {}
    items = _need(data, "items", list, "facts")
    return FactSet(
        items=tuple(item_from_dict(i) for i in items),
        source=str(data.get("source") or "unknown"),
        people=people_from_dict(people),
        observed_at=parse_when(data.get("observed_at")),
        note=data.get("note"),
    )
