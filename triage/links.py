"""Share-link parameters: a view's source, preset and weights as plain, validated query values.

A link carries only names and numbers (never pickled state, never a token), so reading one can
do no harm: every value is checked, a bad one is reported in a sentence and replaced by the
default, and the rest of the link still applies.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from triage.demo import DEMO_NAME, DEMOS
from triage.facts import parse_as_of
from triage.github.file_links import parse_file_url
from triage.ranking.criteria import CRITERIA
from triage.ranking.filters import PARAMS as FILTER_PARAMS
from triage.ranking.filters import Filters, from_params
from triage.ranking.weights import MAX_WEIGHT, Config

WEIGHT_PREFIX = "w_"
SNAPSHOT = "snapshot"
MEETING_PARAMS = ("meeting", "key", "player", "players")  # meeting mode: `/?snapshot=ID&meeting=1`
# Every parameter a link may carry besides w_<criterion>; anything else is reported and ignored.
KNOWN = ("source", "demo", "preset", "as_of", SNAPSHOT, "item", "url", *MEETING_PARAMS, *FILTER_PARAMS)
SOURCES = ("demo", "url")  # the sources a link can carry ("minutes" is refused with its own sentence)
MAX_PLAYERS = 50  # `&players=N` splits the list N ways; more attendees than this is not a meeting
LATEST_MEETING = "1"  # `meeting=1`: the snapshot's latest meeting (or starting one)
_SNAPSHOT_ID = re.compile(r"^[0-9a-f]{12,64}$")
_MEETING = re.compile(r"^(?:1|[0-9a-f]{12})$")
_EDIT_KEY = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


@dataclass
class View:
    """What a link asks for, after validation."""

    source: str = "demo"
    demo: str = DEMO_NAME  # which embedded meeting, for source=demo
    preset: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    as_of: str | None = None
    snapshot: str | None = None
    item: str | None = None
    url: str | None = None  # the minutes file on GitHub, for source=url
    filters: Filters = field(default_factory=Filters)  # the focus (triage.ranking.filters)
    meeting: str | None = None  # "1" (the snapshot's latest meeting) or a meeting id
    key: str | None = field(default=None, repr=False)  # the chair's edit key: checked by the store, never shown
    player: int = 1  # with `players`, this attendee's share of the list: items player, player + players, ...
    players: int = 1
    problems: list[str] = field(default_factory=list)  # one sentence per ignored value


def _weight(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if not math.isnan(value) and 0 <= value <= MAX_WEIGHT else None


def parse_view(params: Mapping[str, str], config: Config, lists: Mapping[str, list[str]] | None = None) -> View:
    """Read query parameters into a View, collecting a sentence per value it had to ignore. `lists`
    gives every value of a repeated parameter (the filters'); without it each key's one value is used."""
    view = View(preset=config.default_preset)
    view.filters, view.problems = from_params(
        lists if lists is not None else {k: [params[k]] for k in FILTER_PARAMS if k in params})
    preset = params.get("preset")
    if preset is not None:
        if preset in config.presets:
            view.preset = preset
        else:
            view.problems.append(f"Unknown preset {preset!r} in the link; showing {config.default_preset!r}.")
    view.weights = dict(config.preset(view.preset).weights)
    for key, raw in params.items():
        if key.startswith(WEIGHT_PREFIX):
            name = key.removeprefix(WEIGHT_PREFIX)
            value = _weight(raw)
            if name not in CRITERIA:
                view.problems.append(f"Unknown criterion {name!r} in the link; ignored.")
            elif value is None:
                view.problems.append(
                    f"Weight {key}={raw!r} in the link is not a number from 0 to {MAX_WEIGHT:g}; ignored."
                )
            else:
                view.weights[name] = value
        elif key not in KNOWN:
            view.problems.append(f"Unknown link parameter {key!r}; ignored.")
    source = params.get("source")
    if source == "minutes":
        # Pasted or uploaded minutes stay in the session that read them; a link cannot carry them.
        view.problems.append("This link was made from pasted or uploaded minutes, which a link cannot "
                             "carry: ask for its snapshot link instead. Showing the demo.")
    elif source is not None:
        if source in SOURCES:
            view.source = source
        else:
            view.problems.append(f"Unknown source {source!r} in the link; showing the demo.")
    demo = params.get("demo")
    if demo is not None:
        if demo in DEMOS:
            view.demo = demo
        else:
            view.problems.append(f"Unknown demo {demo!r} in the link; expected one of {', '.join(DEMOS)}. "
                                 f"Showing {DEMO_NAME}.")
    snapshot = params.get(SNAPSHOT)
    if snapshot is not None:
        if _SNAPSHOT_ID.match(snapshot):
            view.snapshot = snapshot
        else:
            view.problems.append(f"Snapshot id {snapshot!r} is malformed; expected hexadecimal digits.")
    url = params.get("url")
    if url is not None:
        try:
            parse_file_url(url)
            view.url = url
        except ValueError as e:
            view.problems.append(f"{e}; showing the demo.")
    if view.source == "url" and view.url is None:
        view.source = "demo"
        if url is None:
            view.problems.append("The link says source=url but gives no url; showing the demo.")
    as_of = params.get("as_of")
    if as_of is not None:
        try:
            parse_as_of(as_of)
            view.as_of = as_of
        except ValueError as e:
            view.problems.append(f"{e} (the link's as_of); using the meeting's date.")
    view.item = params.get("item")
    _meeting_params(params, view)
    return view


def _count(raw: str | None, low: int, high: int) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and low <= int(raw) <= high else None


def _meeting_params(params: Mapping[str, str], view: View) -> None:
    """`meeting`, `key`, `player` and `players`; a bad key is reported without repeating it."""
    meeting = params.get("meeting")
    if meeting is not None:
        if _MEETING.match(meeting) and view.snapshot:
            view.meeting = meeting
        elif not view.snapshot:
            view.problems.append("meeting= needs the snapshot the meeting runs on (snapshot=ID); ignored.")
        else:
            view.problems.append(f"Meeting {meeting!r} in the link is not 1 or a meeting id (12 hexadecimal "
                                 "digits); showing the frozen ranking.")
    key = params.get("key")
    if key is not None:
        if _EDIT_KEY.match(key) and view.meeting:
            view.key = key
        else:
            view.problems.append("The link's edit key is malformed or has no meeting; following read-only.")
    players = _count(params.get("players"), 1, MAX_PLAYERS)
    if "players" in params and players is None:
        view.problems.append(f"players={params['players']!r} in the link is not a number from 1 to "
                             f"{MAX_PLAYERS}; showing the whole list.")
    player = _count(params.get("player"), 1, players or 1) if players else None
    if players and player is None:
        view.problems.append(f"player={params.get('player')!r} in the link is not a number from 1 to "
                             f"{players}; showing the whole list.")
    if players and player:
        view.player, view.players = player, players


def meeting_link(base: str, snapshot_id: str, meeting_id: str, *, key: str | None = None,
                 player: int = 1, players: int = 1) -> str:
    """The address of a meeting: attendees' (no key), the chair's (`key`), or one player's share."""
    link = f"{base}/?{SNAPSHOT}={snapshot_id}&meeting={meeting_id}"
    if players > 1:
        link += f"&player={player}&players={players}"
    return link + (f"&key={key}" if key else "")


def view_params(
    source: str, preset: str, weights: Mapping[str, float], config: Config, url: str | None = None,
    demo: str = DEMO_NAME,
) -> dict[str, str]:
    """The shortest parameters that reproduce a view: the source (and its url, or the demo if not the
    default one), the preset if not the default, and the weights that differ from it."""
    out: dict[str, str] = {}
    if source != "demo":
        out["source"] = source
    elif demo != DEMO_NAME:
        out["demo"] = demo
    if source == "url" and url:
        out["url"] = url
    if preset != config.default_preset:
        out["preset"] = preset
    base = config.preset(preset).weights
    for name in CRITERIA:
        if not math.isclose(weights[name], base[name]):
            out[WEIGHT_PREFIX + name] = f"{weights[name]:g}"
    return out
