"""Every chart's colours, order and axes, in one place: a criterion (or a whose-turn bucket) has the
same colour and the same place in every chart and legend, and counts get whole-number axes.

Without an explicit scale, a chart colours its values in the order they happen to appear in its
data, so a criterion changed colour from chart to chart; every scale here names its domain.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from triage.ranking.criteria import CRITERIA, title

# One colour per criterion, in registry order, all distinct (a colour-blind-safe qualitative set
# first, then lighter companions). A criterion added later takes the next spare one.
_CRITERION_HEX = (
    "#d62728", "#ff7f0e", "#8c564b", "#1f77b4", "#2ca02c", "#17becf",
    "#9467bd", "#bcbd22", "#e377c2", "#7f7f7f", "#aec7e8", "#98df8a",
)
_SPARE_HEX = ("#ffbb78", "#c5b0d5", "#f7b6d2", "#dbdb8d", "#9edae5", "#c49c94", "#ff9896", "#c7c7c7")
CRITERION_COLOURS: dict[str, str] = dict(zip(CRITERIA, (*_CRITERION_HEX, *_SPARE_HEX), strict=False))
# Whose turn: maintainers' turn stands out; other buckets (added by the ranking) take the spares.
BUCKET_COLOURS: dict[str, str] = {
    "waiting on maintainers": "#d62728", "waiting on the author": "#1f77b4", "nobody": "#7f7f7f", "bot": "#bcbd22",
}
UP, DOWN = "#2e7d32", "#c62828"  # rank movement


def criterion_order() -> list[str]:
    """Criterion titles in registry order: the legend's order and the stacking order."""
    return [title(n) for n in CRITERIA]


def criterion_colour(name: str = "criterion") -> alt.Color:
    """Colour by criterion title, with the fixed palette and registry order."""
    names = list(CRITERIA)
    return alt.Color(f"{name}:N", title="Criterion",
                     scale=alt.Scale(domain=criterion_order(), range=[CRITERION_COLOURS[n] for n in names]),
                     sort=criterion_order(), legend=alt.Legend(orient="bottom", columns=4, labelLimit=220))


def with_criterion_order(long: pd.DataFrame) -> pd.DataFrame:
    """`long` (one row per item and criterion, `criterion` a name) with `criterion` as its title and
    `order` its registry place, so segments stack in legend order."""
    place = {n: i for i, n in enumerate(CRITERIA)}
    return long.assign(order=long["criterion"].map(place), criterion=long["criterion"].map(title))


def bucket_colour(buckets: Sequence[str]) -> alt.Color:
    """Colour by whose-turn bucket title, fixed per bucket."""
    domain = list(buckets)
    spare = iter(_SPARE_HEX)
    colours = [BUCKET_COLOURS.get(b) or next(spare, "#c7c7c7") for b in domain]
    return alt.Color("bucket:N", title="Bucket", scale=alt.Scale(domain=domain, range=colours), sort=domain)


def count_axis(title_text: str) -> alt.Axis:
    """An axis of whole counts (no 0.5 ticks)."""
    return alt.Axis(title=title_text, format="d", tickMinStep=1)


def item_axis() -> alt.Axis:
    """The item labels of a bar chart: every bar labelled, none dropped for overlap."""
    return alt.Axis(title=None, labelOverlap=False, labelLimit=240)


def show(chart: alt.Chart | alt.LayerChart, empty: bool, message: str) -> None:
    """Draw `chart`, or say `message` when it has nothing to draw (no empty axes)."""
    if empty:
        st.caption(message)
    else:
        st.altair_chart(chart, width="stretch")
