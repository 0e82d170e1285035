"""Sidebar: the preset picker and one slider per criterion, owning their session keys.

The canonical values live under non-widget keys (`view_preset`, `view_weights`), because
Streamlit drops a widget's key when its page is not rendered; the widgets are re-seeded from
them on every run. The sliders are drawn by the page's fragment (issue 13): a slider move reruns
only what the weights change (the ranked table and what follows it), not the page.
"""

from __future__ import annotations

import streamlit as st

from triage.links import View
from triage.ranking.criteria import CRITERIA, help_text, title
from triage.ranking.weights import MAX_WEIGHT, Config, Preset

_PRESET = "view_preset"
_WEIGHTS = "view_weights"
_CONFIG = "view_config"  # the criteria files (Config.sources) the preset and weights belong to
_OTHERS = "view_other_configs"  # sources -> (preset, weights) left behind on a switch of files
STEP = 0.5


def init(view: View, sources: tuple[str, ...]) -> None:
    """Seed the canonical state from a validated link (made for the files `sources`), once per session."""
    if _WEIGHTS not in st.session_state:
        st.session_state[_PRESET] = view.preset
        st.session_state[_WEIGHTS] = dict(view.weights)
        st.session_state[_CONFIG] = sources


def _follow(config: Config) -> None:
    """Put the preset and weights of `config` in force when the page ranks with other criteria files
    (the Scan page uses the project's, the demo its Falco ones): each set of files keeps its own
    preset and weights, so going back finds them as they were left."""
    sources = st.session_state.get(_CONFIG)
    if sources == config.sources:
        return
    others = st.session_state.setdefault(_OTHERS, {})
    if sources is not None:
        others[sources] = (st.session_state[_PRESET], dict(st.session_state[_WEIGHTS]))
    preset, weights = others.pop(config.sources, (config.default_preset, None))
    if preset not in config.presets:
        preset, weights = config.default_preset, None
    st.session_state[_PRESET] = preset
    st.session_state[_WEIGHTS] = dict(weights if weights is not None else config.preset(preset).weights)
    st.session_state[_CONFIG] = config.sources
    for n, w in st.session_state[_WEIGHTS].items():
        st.session_state[f"w_{n}"] = w


def _on_preset(config: Config) -> None:
    name = st.session_state["pick_preset"]
    st.session_state[_PRESET] = name
    st.session_state[_WEIGHTS] = dict(config.preset(name).weights)
    for n, w in st.session_state[_WEIGHTS].items():
        st.session_state[f"w_{n}"] = w


def _on_slide(name: str) -> None:
    st.session_state[_WEIGHTS][name] = st.session_state[f"w_{name}"]


def _reset(config: Config) -> None:
    st.session_state["pick_preset"] = st.session_state[_PRESET]
    _on_preset(config)


def current(config: Config) -> tuple[Preset, dict[str, float]]:
    """The preset and weights in force, without drawing anything."""
    return config.preset(st.session_state[_PRESET]), dict(st.session_state[_WEIGHTS])


def preset_picker(config: Config) -> Preset:
    """Draw the preset picker; return the preset in force. A new preset re-scores (its parameters
    may differ), so the picker stays outside the fragment of `sliders` and reruns the whole page."""
    names = list(config.presets)
    _follow(config)
    st.session_state["pick_preset"] = st.session_state[_PRESET]
    st.sidebar.selectbox("Preset", names, key="pick_preset", on_change=_on_preset, args=(config,),
                         help="Named weight sets from triage.toml; switching resets the sliders.")
    return config.preset(st.session_state[_PRESET])


def sliders(config: Config) -> dict[str, float]:
    """Draw one slider per criterion and the reset button in the sidebar; return the weights in
    force. Call it from the fragment that shows what the weights change (a move reruns only that)."""
    for name in CRITERIA:
        key = f"w_{name}"
        if key not in st.session_state:
            st.session_state[key] = st.session_state[_WEIGHTS][name]
        st.sidebar.slider(title(name), 0.0, MAX_WEIGHT, step=STEP, key=key, help=help_text(name),
                          on_change=_on_slide, args=(name,))
    st.sidebar.button("Reset to preset", on_click=_reset, args=(config,))
    return current(config)[1]
