"""Criteria settings from TOML: weights, presets, parameters and people, validated.

The built-in `data/default.toml` is always read first. On top of it go, in order, any overlays the
caller names (the demo's own file, a `triage.toml` in the working directory, a `--weights FILE`).
An overlay's `[weights]`, `[people]` lists and each `[params]` key replace the ones below them; a
preset it defines replaces the preset of the same name. Every problem is reported as a sentence
naming the file, the table and the value.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from triage.agenda.inline import REPO_NAME
from triage.facts import People
from triage.ranking.criteria import CRITERIA, Params

MAX_WEIGHT = 10.0  # the sliders' range; only ratios matter, so more would add nothing
LOCAL_FILE = "triage.toml"  # read from the working directory when present
Weights = Mapping[str, float]  # criterion name -> weight, for every criterion


class WeightsError(ValueError):
    """A criteria settings file is malformed or holds a value triage cannot use."""


@dataclass(frozen=True)
class Preset:
    """A named set of weights (and parameter overrides) the app can switch to."""

    name: str
    weights: Weights
    params: Params


@dataclass(frozen=True)
class Config:
    """Everything the ranking needs besides the facts: presets, parameters, people."""

    presets: Mapping[str, Preset]
    default_preset: str
    people: People
    sources: tuple[str, ...]  # the files read, built-in first

    def preset(self, name: str | None = None) -> Preset:
        """The preset called `name` (the default one for None); WeightsError if there is none."""
        key = name or self.default_preset
        if key not in self.presets:
            raise WeightsError(f"Unknown preset {key!r}; expected one of {', '.join(self.presets)}")
        return self.presets[key]


def validate_weights(raw: Mapping[str, Any], where: str) -> dict[str, float]:
    """Check criterion names and 0..10 numbers; return them as floats."""
    if not isinstance(raw, Mapping):
        raise WeightsError(f"{where} must be a table of criterion = weight, got {raw!r:.80}")
    out: dict[str, float] = {}
    for name, value in raw.items():
        if name not in CRITERIA:
            raise WeightsError(f"{where}: unknown criterion {name!r}; expected one of {', '.join(CRITERIA)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise WeightsError(f"{where}: {name} = {value!r} is not a number; expected 0 to {MAX_WEIGHT:g}")
        if not 0 <= value <= MAX_WEIGHT:
            raise WeightsError(f"{where}: {name} = {value!r} is out of range; expected 0 to {MAX_WEIGHT:g}")
        out[name] = float(value)
    return out


def _unit_table(raw: Any, where: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, Mapping):
        raise WeightsError(f"{where} must be a table of name = number, got {raw!r:.80}")
    for key, value in raw.items():
        if not _number_in(value, 0, 1):
            raise WeightsError(f"{where}: {key!r} = {value!r:.80}; expected a number from 0 to 1")
    return tuple((str(k), float(v)) for k, v in raw.items())


def _number_in(value: Any, low: float, high: float) -> bool:
    """A real number (not a bool, not NaN or infinite) from `low` to `high`."""
    return (not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
            and low <= value <= high)


# Whole-number parameters are day counts and counts that scores are divided by: at least 1 (a tiny
# `demand_full = 1e-320` divided by zero once made whole), at most this. Decimal parameters are scores.
MAX_COUNT = 100_000


def _str_list(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise WeightsError(f"{where} must be a list of strings, got {raw!r:.80}")
    return tuple(raw)


def _repo_lists(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    """`"owner/name" = ["login", ...]` entries: each repository's own maintainers."""
    if not isinstance(raw, Mapping):
        raise WeightsError(f"{where} must be a table of \"owner/name\" = [logins], got {raw!r}")
    out = {}
    for repo, logins in raw.items():
        if not REPO_NAME.fullmatch(repo):
            raise WeightsError(f"{where}: {repo!r} is not a repository; expected owner/name")
        out[repo] = _str_list(logins, f"{where} {repo!r}")
    return out


_TABLES = {"area": "area_weights", "labels": "label_rules", "flags": "flag_scores"}


def _apply_params(base: Params, raw: Any, file: str, table: str = "params") -> Params:
    if not isinstance(raw, Mapping):
        raise WeightsError(f"{file} [{table}] must be a table, got {raw!r:.80}")
    known = {f.name: f for f in fields(Params)}
    scalars = [k for k in known if k not in _TABLES.values() and k != "effort_buckets"]
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        here = f"{file} [{table}] {key}"
        if key in _TABLES:
            changes[_TABLES[key]] = _unit_table(value, f"{file} [{table}.{key}]")
        elif key in ("release_targets", "ready_labels", "wip_labels"):
            changes[key] = _str_list(value, here)
        elif key in scalars:
            current = getattr(base, key)
            if isinstance(current, int):
                if not _number_in(value, 1, MAX_COUNT) or value != int(value):
                    raise WeightsError(f"{here} = {value!r:.80}; expected a whole number from 1 to {MAX_COUNT:,}")
            elif not _number_in(value, 0, 1):  # every decimal parameter is a score (issue 12: area_default = 2)
                raise WeightsError(f"{here} = {value!r:.80}; expected a number from 0 to 1")
            changes[key] = type(current)(value)
        else:
            names = sorted({*_TABLES, *scalars})
            raise WeightsError(f"{here}: unknown parameter; expected one of {', '.join(names)}")
    return replace(base, **changes)


def _read(path: Path | str, text: str | None = None) -> dict[str, Any]:
    try:
        return tomllib.loads(text if text is not None else Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"Criteria file {str(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise WeightsError(f"Criteria file {str(path)!r} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise WeightsError(f"Criteria file {str(path)!r} is not valid TOML: {e}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise WeightsError(f"Criteria file {str(path)!r} nests arrays or tables too deeply") from None


class _Layers:
    """The merged state while overlays are applied, bottom first."""

    def __init__(self) -> None:
        self.weights: dict[str, float] = {}
        self.params = Params()
        self.presets: dict[str, tuple[dict[str, float], Any]] = {}
        self.default: str | None = None
        self.default_from = "built-in"
        self.maintainers: tuple[str, ...] = ()
        self.bots: tuple[str, ...] = ()
        self.associations: tuple[str, ...] | None = None
        self.by_repo: dict[str, tuple[str, ...]] = {}

    def apply(self, doc: Mapping[str, Any], name: str) -> None:
        allowed = {"default_preset", "weights", "presets", "params", "people"}
        if extra := sorted(set(doc) - allowed):
            raise WeightsError(f"{name}: unknown table or key {extra[0]!r}; expected {', '.join(sorted(allowed))}")
        if "weights" in doc:
            self.weights.update(validate_weights(doc["weights"], f"{name} [weights]"))
        if "params" in doc:
            self.params = _apply_params(self.params, doc["params"], name)
        presets = doc.get("presets") or {}
        if not isinstance(presets, Mapping):
            raise WeightsError(f"{name} [presets] must be a table of named presets, got {presets!r:.80}")
        for preset, body in presets.items():
            if not isinstance(body, Mapping):
                raise WeightsError(f"{name} [presets.{preset}] must be a table")
            body = dict(body)
            params = body.pop("params", None)
            where = f"{name} [presets.{preset!r}]"
            self.presets[preset] = (validate_weights(body, where), (params, name, f"presets.{preset!r}.params"))
        if "default_preset" in doc:
            if not isinstance(doc["default_preset"], str):
                raise WeightsError(f"{name}: default_preset = {doc['default_preset']!r:.80} is not a preset's name")
            self.default, self.default_from = doc["default_preset"], name
        people = doc.get("people") or {}
        if not isinstance(people, Mapping):
            raise WeightsError(f"{name} [people] must be a table (maintainers, bots), got {people!r:.80}")
        if "maintainers" in people:
            self.maintainers = _str_list(people["maintainers"], f"{name} [people] maintainers")
        if "bots" in people:
            self.bots = _str_list(people["bots"], f"{name} [people] bots")
        if "maintainer_associations" in people:
            self.associations = _str_list(people["maintainer_associations"], f"{name} [people]")
        if "by_repo" in people:
            self.by_repo = _repo_lists(people["by_repo"], f"{name} [people.by_repo]")

    def config(self, sources: tuple[str, ...]) -> Config:
        missing = [n for n in CRITERIA if n not in self.weights]
        if missing:
            raise WeightsError(f"[weights] is missing {', '.join(missing)}")
        presets: dict[str, Preset] = {}
        for name, (weights, (raw_params, file, table)) in self.presets.items():
            params = self.params if raw_params is None else _apply_params(self.params, raw_params, file, table)
            presets[name] = Preset(name, {**self.weights, **weights}, params)
        if not presets:
            presets["balanced"] = Preset("balanced", dict(self.weights), self.params)
        default = self.default or next(iter(presets))
        if default not in presets:
            raise WeightsError(
                f"{self.default_from}: default_preset {default!r} is not a preset; "
                f"expected one of {', '.join(presets)}"
            )
        people = People.of(self.maintainers, self.bots, self.associations, self.by_repo)
        return Config(presets, default, people, sources)


def load_config(
    overlays: Sequence[Path | str] = (), *, local: Path | None = None, text: tuple[str, str] | None = None
) -> Config:
    """The built-in settings with overlays applied: `local/triage.toml` if it exists, then each
    file in `overlays`, then `text` as (name, TOML text) for a file uploaded in the app."""
    layers = _Layers()
    builtin = resources.files("triage") / "data" / "default.toml"
    layers.apply(_read("built-in", builtin.read_text("utf-8")), "built-in default.toml")
    docs: list[tuple[str, str | None]] = []
    if local is not None and (local / LOCAL_FILE).is_file():
        docs.append((str(local / LOCAL_FILE), None))
    docs += [(str(p), None) for p in overlays]
    if text is not None:
        docs.append(text)
    for name, body in docs:
        layers.apply(_read(name, body), name)
    return layers.config(("built-in", *(name for name, _ in docs)))


def demo_config_path() -> Path:
    """The Falco demo's own triage.toml (its Falco-vs-libs presets)."""
    return Path(str(resources.files("triage") / "data" / "demo" / "triage.toml"))
