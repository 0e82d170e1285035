"""Compare in the words of the meeting: "resolved since", "new", "still waiting (N meetings)",
"moved", as tables with plain headers and blank (not "None") empty cells, and the movement chart."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from triage.ranking.turns import BALL_WORDS
from triage.snapshots.compare import Comparison
from triage.ui import charts, ranking_view

# Plain headers for the comparison's columns.
HEADERS = {
    "ref": "Item", "title": "Title", "url": "Link", "state": "State", "resolved_on": "Resolved on",
    "older_rank": "Rank then", "rank": "Rank now", "on_agenda": "Still on the agenda", "score": "Score",
    "waiting_on": "Waiting on", "waiting_days": "Waiting (days)", "moved": "Moved", "note": "Note",
    "meetings": "Still waiting", "since": "On the agenda since", "older_score": "Score then",
    "earlier_agendas": "Earlier agendas",
}
# The sections, in the order a meeting reads them: (bucket, heading).
SECTIONS = [("resolved", "Resolved since"), ("new", "New"), ("still_waiting", "Still waiting"),
            ("moved", "Moved"), ("dropped", "Dropped from the agenda"), ("other", "Still listed, resolved before")]


def moved_words(moved: Any, older_rank: Any) -> str:
    """"up 3 (from #5)", "down 2 (from #1)" or "same place"."""
    if moved is None or pd.isna(moved) or int(moved) == 0:
        return "same place"
    n = int(moved)
    return f"{'up' if n > 0 else 'down'} {abs(n)} (from #{int(older_rank)})"


def meetings_words(n: Any) -> str:
    """"3 meetings": how many meeting days in a row listed the item."""
    if n is None or pd.isna(n):
        return ""
    return f"{int(n)} meeting{'s' if int(n) != 1 else ''}"


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def display(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with plain headers, words for movement, meetings and whose turn, scores to two
    decimals (as the ranking shows them), and blank empty cells."""
    out = table.drop(columns=["url"], errors="ignore").copy()
    if "moved" in out and "older_rank" in out:
        out["moved"] = [moved_words(m, r) for m, r in zip(out["moved"], out["older_rank"], strict=True)]
    if "meetings" in out:
        out["meetings"] = out["meetings"].map(meetings_words)
    if "waiting_on" in out:
        out["waiting_on"] = out["waiting_on"].map(lambda ball: BALL_WORDS.get(ball, ball))
    for score in ("score", "older_score"):
        if score in out:
            out[score] = out[score].round(2)  # and shown with two decimals (`SCORES`), as the ranking does
    if "since" in out:
        out["since"] = [v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else _cell(v) for v in out["since"]]
    for column in out.columns:
        if out[column].dtype != object or out[column].isna().any():
            cells = [_cell(v) for v in out[column].astype(object)]
            if any(c == "" for c in cells) and any(not isinstance(c, str) for c in cells):
                cells = [str(c) for c in cells]  # numbers beside blanks: one type, or Arrow refuses the column
            out[column] = cells
    return out.rename(columns=HEADERS)


def moved(c: Comparison) -> pd.DataFrame:
    """Items listed in both snapshots whose rank changed, biggest move first."""
    table = c.movement[c.movement["moved"].fillna(0) != 0]
    return table.reindex(table["moved"].abs().sort_values(ascending=False, kind="stable").index)


# Scores with two decimals ("0.30", not "0.3"), as the ranking shows them.
SCORES = {HEADERS[name]: st.column_config.NumberColumn(format="%.2f") for name in ("score", "older_score")}


def show_table(table: pd.DataFrame, key: str) -> None:
    """One section's table, whole."""
    ranking_view.show_frame(display(table), key=key, column_config=SCORES)


def movement_chart(c: Comparison) -> alt.Chart:
    """Places each item moved, up in green and down in red, on a whole-number axis."""
    data = c.movement.assign(item=[f"#{r} {ranking_view.short_ref(ref)}"
                                   for r, ref in zip(c.movement["rank"], c.movement["ref"], strict=True)])
    chart: alt.Chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("item:N", sort=alt.EncodingSortField(field="rank", op="min"), axis=charts.item_axis()),
        x=alt.X("moved:Q", axis=charts.count_axis("Places moved up (+) or down (-)")),
        color=alt.condition("datum.moved >= 0", alt.value(charts.UP), alt.value(charts.DOWN)),
        tooltip=[alt.Tooltip("ref:N", title="Item"), alt.Tooltip("older_rank:Q", title="Rank then"),
                 alt.Tooltip("rank:Q", title="Rank now"), alt.Tooltip("moved:Q", title="Moved")],
    ).properties(height=alt.Step(22))
    return chart


def show_movement(c: Comparison) -> None:
    """The movement chart, or a sentence when no item is in both snapshots."""
    charts.show(movement_chart(c), c.movement.empty, "No item is listed in both snapshots.")


def show_metrics(c: Comparison) -> None:
    """The counts a meeting asks for first."""
    counts = c.counts()
    cols = st.columns(4)
    cols[0].metric("Resolved since", counts["resolved"])
    cols[1].metric("New", counts["new"])
    cols[2].metric("Still waiting", counts["still_waiting"],
                   help="Listed in both and not known to be resolved (open, or closed since on a date nobody "
                   "recorded); the table says for how many meetings in a row, and on how many earlier agendas "
                   "the minutes named it.")
    cols[3].metric("Moved", len(moved(c)))
