"""Per-session state: the view a link asked for, the meeting being ranked and its settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import streamlit as st

from triage.links import SNAPSHOT, View, parse_view, view_params
from triage.markup import inline as md
from triage.meeting import Meeting
from triage.ranking import filters
from triage.ranking.weights import Config
from triage.ui import filter_panel, loaders, weights_panel

_VIEW = "view"
_LIVE = "live_source"  # the LiveSource fetched in this session (see the Agenda page)


@dataclass(frozen=True)
class LiveSource:
    """A meeting fetched from GitHub in this session, and how a link can ask for it again."""

    meeting: Meeting
    kind: str  # "minutes" (pasted or uploaded: a link cannot carry it) or "url"
    url: str | None = None
    key: str = ""  # identifies the fetch for caches


def view() -> View:
    """The validated link this session was opened with (read once, then kept)."""
    if _VIEW not in st.session_state:
        params = {k: st.query_params[k] for k in st.query_params}
        lists = {k: st.query_params.get_all(k) for k in filters.PARAMS}
        st.session_state[_VIEW] = parse_view(params, config(params.get("source", "demo")), lists)
    v: View = st.session_state[_VIEW]
    return v


def forget_view() -> None:
    """Read the link afresh on the next run (after the app itself changed it, e.g. to the chair's link)."""
    st.session_state.pop(_VIEW, None)
    st.session_state.pop("link_problems_shown", None)


def live() -> LiveSource | None:
    """The live source, if something was fetched in this session."""
    source: LiveSource | None = st.session_state.get(_LIVE)
    return source


def source_name() -> str:
    """"demo", "minutes" or "url"."""
    source = live()
    return source.kind if source else "demo"


def config(source: str | None = None) -> Config:
    """Criteria settings for the current source (the demo adds its own Falco presets)."""
    src = source if source is not None else source_name()
    return loaders.config(src == "demo", os.getcwd())[0]


def show_config_problem() -> None:
    """Say why the working directory's triage.toml is not used, if it is not."""
    problem = loaders.config(source_name() == "demo", os.getcwd())[1]
    if problem:
        st.error(md(problem))


DEMO = "demo_choice"  # the demo meeting shown: a plain key, kept while pages without the picker run


def demo_name() -> str:
    """The embedded meeting to rank when no live source is chosen: the link's, then the picker's."""
    if DEMO not in st.session_state:
        st.session_state[DEMO] = view().demo
    name: str = st.session_state[DEMO]
    return name


def project_config() -> Config:
    """The project's own criteria settings (built-in, then `triage.toml` in the working directory),
    whatever is being ranked: what `triage scan` uses, so a scan ranks alike in the app and the CLI."""
    return loaders.config(False, os.getcwd())[0]


def meeting() -> tuple[Meeting, str]:
    """The meeting to rank and a key identifying it for caches."""
    source = live()
    if source is not None:
        return source.meeting, source.key
    name = demo_name()
    return loaders.demo(name), f"demo:{name}"


def set_live(source: LiveSource | None) -> None:
    """Rank `source` from now on (None goes back to the demo); keeps the weights if the preset exists."""
    if source is None:
        st.session_state.pop(_LIVE, None)
    else:
        st.session_state[_LIVE] = source


def show_link_problems() -> None:
    """Say, once, which parts of the opening link were ignored and why."""
    v = view()
    if v.problems and not st.session_state.get("link_problems_shown"):
        st.warning("Some of this link could not be used:\n\n" + "\n".join(f"- {md(p)}" for p in v.problems))
        st.session_state["link_problems_shown"] = True


def init_weights() -> None:
    """Seed the weights and filters panels from the link."""
    weights_panel.init(view(), config(view().source).sources)
    filter_panel.init(view().filters)


def leave_snapshot() -> None:
    """Show the live view from now on, though the session was opened on a snapshot link."""
    st.session_state[_VIEW] = replace(view(), snapshot=None)


def _write(wanted: dict[str, str | list[str]]) -> None:
    lists = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != lists:
        st.query_params.from_dict(wanted)


def write_link(cfg: Config, as_of: str | None = None) -> None:
    """Make the address bar reproduce the current view (plain, validated values only)."""
    preset, weights = weights_panel.current(cfg)
    source = live()
    wanted: dict[str, str | list[str]] = {
        **view_params(source_name(), preset.name, weights, cfg, source.url if source else None, demo_name())}
    if as_of:
        wanted["as_of"] = as_of
    wanted.update(filters.to_params(filter_panel.current()))
    _write(wanted)


def write_snapshot_link(snapshot_id: str) -> None:
    """Make the address bar reopen the snapshot on screen, with the filters in force."""
    _write({SNAPSHOT: snapshot_id, **filters.to_params(filter_panel.current())})
