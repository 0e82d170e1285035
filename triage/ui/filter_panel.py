"""Sidebar: the focus filters (repository, kind, state, whose turn, author, label, flag, waiting on
a login) and the switch that shows resolved items, owning their session keys.

As with the weights, the canonical value lives under a non-widget key (`view_filters`), seeded
once from the link, because Streamlit drops a widget's key on a page that does not draw it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from triage.ranking import filters as flt

_KEY = "view_filters"
_RESOLVED = "filter_resolved"
_LOGIN = "filter_waiting_on"


def init(seed: flt.Filters) -> None:
    """Seed the canonical filters from a validated link, once per session."""
    if _KEY not in st.session_state:
        st.session_state[_KEY] = seed


def current() -> flt.Filters:
    """The filters in force, without drawing anything."""
    f: flt.Filters = st.session_state.get(_KEY) or flt.Filters()
    return f


def _set(value: flt.Filters) -> None:
    st.session_state[_KEY] = value


def _on_values(param: str) -> None:
    _set(flt.with_values(current(), param, st.session_state[f"filter_{param}"]))


def _on_resolved() -> None:
    _set(flt.Filters(current().chosen, current().waiting_on, bool(st.session_state[_RESOLVED])))


def _on_login() -> None:
    login = str(st.session_state[_LOGIN] or "").strip().lstrip("@")
    _set(flt.Filters(current().chosen, login or None, current().show_resolved))


def _clear() -> None:
    _set(flt.Filters(show_resolved=current().show_resolved))
    for f in flt.FIELDS:
        st.session_state[f"filter_{f.param}"] = []
    st.session_state[_LOGIN] = ""


def show(frame: pd.DataFrame, where: DeltaGenerator | None = None) -> flt.Filters:
    """Draw the filters for the rows of `frame` (their values are the choices) in `where` (default:
    the sidebar); return them."""
    side = where if where is not None else st.sidebar
    chosen = current()
    resolved = int(flt.is_resolved(frame).sum())
    if _RESOLVED not in st.session_state:
        st.session_state[_RESOLVED] = chosen.show_resolved
    side.toggle(f"Show resolved items ({resolved})", key=_RESOLVED, on_change=_on_resolved,
                      help="Closed or merged as of the ranking's moment; hidden unless shown.")
    with side.expander("Filters", expanded=chosen.active, icon=":material/filter_alt:"):
        for f in flt.FIELDS:
            key = f"filter_{f.param}"
            values = chosen.values(f.param)
            if key not in st.session_state:
                st.session_state[key] = list(values)
            options = list(dict.fromkeys([*flt.column_values(frame, f), *values]))
            st.multiselect(f.label, options, key=key, on_change=_on_values, args=(f.param,),
                           placeholder="any")
        if _LOGIN not in st.session_state:
            st.session_state[_LOGIN] = chosen.waiting_on or ""
        st.text_input("Waiting on (a login)", key=_LOGIN, on_change=_on_login, placeholder="e.g. leogr",
                      help="Items whose turn is this person's: their own PRs waiting on them, and what waits "
                           "on the maintainers when they are one of them.")
        st.button("Clear filters", key="filter_clear", on_click=_clear, disabled=not chosen.active)
    return current()
