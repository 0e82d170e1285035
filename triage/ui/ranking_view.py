"""The ranked table, the contributions chart and the per-item "why" view."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from triage.markup import inline as md
from triage.ranking.criteria import CRITERIA, title
from triage.ranking.scoring import (
    CONTRIB,
    EXPLAIN_COLUMNS,
    SCORE,
    UNKNOWN_COLUMN,
    WHY,
    contributions,
    explain,
    typical,
    with_reasons,
)
from triage.ranking.turns import BALL_WORDS
from triage.ui import charts

CHART_TOP = 25  # the chart shows the top items only: its data is re-sent on every rerun
TABLE_ROWS_MAX = 1_000  # beyond this the table pages, so a 10k-row scan never freezes the browser
FULL_HEIGHT_ROWS = 40  # an agenda this long is shown whole, without a scrollbar inside the page
_ROW_PX = 35  # st.dataframe's row height


def table_height(rows: int) -> int:
    """Tall enough to show a typical agenda whole; longer tables scroll inside."""
    return (max(rows, 1) + 1) * _ROW_PX + 3 if rows <= FULL_HEIGHT_ROWS else 600


def show_frame(frame: pd.DataFrame, key: str, **options: Any) -> None:
    """A plain table shown whole: no scrollbar inside the page up to FULL_HEIGHT_ROWS rows (the
    default height showed 10 rows of an agenda's 16)."""
    st.dataframe(frame, hide_index=True, key=key, height=table_height(len(frame)), **options)


def score_top(scores: Iterable[float]) -> float:
    """The Score bar's full length: the best score, at least 0.01 (so an all-zero ranking draws)."""
    return float(max(max(scores, default=0.0), 0.01))


def column_config(top: float, **extra: Any) -> dict[str, Any]:
    """The columns every ranked table shares (the item's link showing owner-less `repo/pull/N`, the
    Score bar from 0 to `top`, a wide Why), with the table's own `extra` columns."""
    return {
        "Item": st.column_config.LinkColumn(display_text=r"https://github\.com/[^/]+/(.*)"),
        "Score": st.column_config.ProgressColumn(min_value=0.0, max_value=top, format="%.2f"),
        "Why": st.column_config.TextColumn(width="large"),
        **extra,
    }


def waiting_text(ball: Any, days: Any) -> str:
    """"maintainers · 128 d", "maintainers' own · 5 d", "nobody (resolved)" or "unknown": the Waiting on cell."""
    if ball in BALL_WORDS and ball != "nobody":
        words = BALL_WORDS[ball]
        return f"{words} · {days} d" if pd.notna(days) else f"{words}, since an unknown date"
    if ball == "nobody":
        return "nobody (resolved)"
    return "unknown"


def _waiting(row: pd.Series) -> str:
    return waiting_text(row["ball"], row["ball_days"])


def _move(value: Any) -> str:
    if value is None or pd.isna(value):
        return "new"
    n = int(value)
    return f"▲ {n}" if n > 0 else f"▼ {-n}" if n < 0 else "·"


def _state(row: pd.Series) -> str:
    if row["status"] not in ("ok", "moved", "stale"):
        return str(row["status_detail"] or row["status"])
    notes = [n for n in (row["state_note"], row["status_detail"] if row["status"] != "ok" else None)
             if isinstance(n, str)]
    if isinstance(row["state"], str):
        return row["state"] + (f" ({'; '.join(notes)})" if notes else "")
    return f"unknown ({row['state_note']})" if isinstance(row["state_note"], str) else "unknown"


def short_ref(ref: str) -> str:
    """`libs#381` for `falcosecurity/libs#381`: chart labels have little room."""
    return ref.split("/", 1)[-1]


def why_column(ranked: pd.DataFrame, usual: dict[str, float]) -> list[str]:
    """Each row's one-line "why" (`scoring.explain`), reading only the contribution and reason
    columns: turning all 50-odd columns of a 1,000-row page into dicts cost more than the rest of
    the table together."""
    columns = [*EXPLAIN_COLUMNS, *(prefix + n for n in CRITERIA for prefix in (CONTRIB, WHY))]
    return [explain(r, usual) for r in with_reasons(ranked)[columns].to_dict("records")]


def table_frame(
    ranked: pd.DataFrame, moves: pd.Series | None = None, usual: dict[str, float] | None = None
) -> pd.DataFrame:
    """The columns the table shows, in order (plain values: AppTest reads them back). `usual` is
    `scoring.typical` of the whole ranking when `ranked` is one page of it."""
    usual = typical(ranked) if usual is None else usual
    return pd.DataFrame({
        "Rank": ranked["rank"],
        "Move": [_move(m) for m in moves] if moves is not None else "·",
        "Score": ranked["score"],
        "Item": ranked["url"],
        "Title": ranked["title"].fillna("(title unknown)"),
        # State before the wide columns: at 1440 px it was off-screen, and a closed item looked open.
        "State": ranked.apply(_state, axis=1) if len(ranked) else pd.Series(dtype=str),
        "Waiting on": ranked.apply(_waiting, axis=1) if len(ranked) else pd.Series(dtype=str),
        "Why": why_column(ranked, usual),
        "Kind": ranked["kind"].fillna("?"),
        "Repo": ranked["repo"],
    })


def page_of(ranked: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows to show: all of them, or one page of TABLE_ROWS_MAX with a page picker when longer,
    so only that page is formatted and sent to the browser."""
    if len(ranked) <= TABLE_ROWS_MAX:
        return ranked
    pages = (len(ranked) - 1) // TABLE_ROWS_MAX + 1
    page = int(st.number_input(f"Page (of {pages}, {TABLE_ROWS_MAX:,} rows each)", 1, pages, 1, key=key))
    return ranked.iloc[(page - 1) * TABLE_ROWS_MAX: page * TABLE_ROWS_MAX]


def show_table(
    ranked: pd.DataFrame, moves: pd.Series | None = None, key: str = "ranked", usual: dict[str, float] | None = None
) -> str | None:
    """The ranked table (pages of TABLE_ROWS_MAX rows when longer); returns the ref of the row just
    clicked, if any, so that its full "why" can be opened. `usual` is `scoring.typical` of the whole
    ranking when `ranked` is part of it."""
    rows = page_of(ranked, f"{key}_page")
    frame = table_frame(rows, None if moves is None else moves.loc[rows.index], usual or typical(ranked))
    event = st.dataframe(
        frame,
        hide_index=True,
        key=key,
        height=table_height(len(frame)),
        on_select="rerun",
        selection_mode="single-row",
        column_config=column_config(
            score_top(ranked["score"]),
            Rank=st.column_config.NumberColumn(width="small"),
            Move=st.column_config.TextColumn(width="small", help="Places moved against the preset"),
            Title=st.column_config.TextColumn(width="medium"),
            State=st.column_config.TextColumn(width="small"),
        ),
    )
    picked = list(event.selection.rows) if event is not None else []
    return str(rows["ref"].iloc[picked[0]]) if picked and picked[0] < len(rows) else None


def show_needs_facts(ranked: pd.DataFrame) -> None:
    """The needs-facts band: open items whose turn cannot be told or whose thread could not be read,
    ranked at typical values where their facts are missing."""
    band = ranked[ranked["needs_facts"]]
    if band.empty:
        return
    st.subheader(f"Needs facts ({len(band)})")
    st.caption("For these items, whose turn it is cannot be told, whether they were still open is unknown (closed "
               "since, on a date nobody recorded), or their thread could not be read: they are ranked at the "
               "typical value of each criterion they lack, never as brand new. Fetch them again or look at them "
               "by hand.")
    st.dataframe(
        pd.DataFrame({
            "Rank": band["rank"],
            "Item": band["url"],
            "Title": band["title"].fillna("(title unknown)"),
            "Unknown": band[UNKNOWN_COLUMN],
        }),
        hide_index=True, key="needs_facts",
        column_config=column_config(1.0, Unknown=st.column_config.TextColumn(width="large")),
    )


def contribution_chart(ranked: pd.DataFrame) -> alt.Chart:
    """Stacked horizontal bars: each item's score split by criterion (the top CHART_TOP items)."""
    return _bars(contributions(ranked[ranked["rank"] <= CHART_TOP]))


def chart_from_long(long: pd.DataFrame) -> alt.Chart:
    """The contributions chart from long-form (rank, ref, criterion, points, why) rows (the top
    CHART_TOP items)."""
    return _bars(long[long["rank"] <= CHART_TOP])


def _bars(long: pd.DataFrame) -> alt.Chart:
    """The stacked bars of long-form rows already cut to the items to chart: one colour and one
    stacking place per criterion (`charts`), every bar labelled `#rank repo#N`."""
    data = charts.with_criterion_order(long[long["points"] > 0])
    data = data.assign(item=[f"#{r} {short_ref(ref)}" for r, ref in zip(data["rank"], data["ref"], strict=True)])
    chart: alt.Chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("item:N", sort=alt.EncodingSortField(field="rank", op="min"), axis=charts.item_axis()),
        x=alt.X("sum(points):Q", stack="zero", title="Score contribution"),
        color=charts.criterion_colour(),
        order=alt.Order("order:Q", sort="ascending"),
        tooltip=["ref:N", "criterion:N", alt.Tooltip("points:Q", format=".3f"), "why:N"],
    ).properties(height=alt.Step(22))
    return chart


def show_chart(chart: alt.Chart, rows: int) -> None:
    """The contributions chart, or a sentence when no item scores anything."""
    charts.show(chart, rows == 0, "No item scores on any criterion with these weights.")


def why_frame(row: pd.Series, weights: dict[str, float]) -> pd.DataFrame:
    """One item's criteria, all of them: weight, score, contribution (weight x score / total weight)
    and reason, biggest contribution first."""
    frame = pd.DataFrame({
        "Criterion": [title(n) for n in CRITERIA],
        "Weight": [weights[n] for n in CRITERIA],
        "Score": [row[SCORE + n] for n in CRITERIA],
        "Contribution": [row[CONTRIB + n] for n in CRITERIA],
        "Why": [row[WHY + n] for n in CRITERIA],
    })
    return frame.sort_values("Contribution", ascending=False, kind="stable")


def show_why(
    ranked: pd.DataFrame, weights: dict[str, float], default_ref: str | None = None, clicked: str | None = None
) -> None:
    """Pick an item (or click its row: `clicked`); see how each criterion scored it and why."""
    refs = list(ranked["ref"])
    if not refs:
        return
    labels = {ref: f"#{rank} {ref}" for rank, ref in zip(ranked["rank"], refs, strict=True)}
    if clicked in labels and st.session_state.get("why_clicked") != clicked:
        st.session_state["why_item"] = clicked  # a new click opens that row's why
    st.session_state["why_clicked"] = clicked
    if st.session_state.get("why_item") not in labels:  # filtered out: start again
        st.session_state["why_item"] = default_ref if default_ref in labels else refs[0]
    picked = st.selectbox("Item", refs, key="why_item", format_func=labels.__getitem__,
                          help="Or click a row of the table.")
    row = with_reasons(ranked.iloc[[refs.index(picked)]]).iloc[0]
    total = sum(weights.get(n, 0.0) for n in CRITERIA)
    st.markdown(f"**[{md(row['ref'])}]({row['url']})** {md(row['title'] or '(title unknown)')}  \n"
                f"Rank {row['rank']}, score **{row['score']:.3f}**: the sum of the {len(CRITERIA)} contributions "
                f"below, each the criterion's weight times its score, divided by the total weight ({total:g}).")
    notes = [n for n in (row["status_detail"], row["state_note"]) if isinstance(n, str) and n]
    if row["flags"]:
        notes.append(f"agenda flags: {row['flags']}")
    if isinstance(row["section"], str) and row["section"]:
        notes.append(f"agenda section: {row['section']}")
    if notes:
        st.caption(" · ".join(md(n) for n in notes))
    show_frame(
        why_frame(row, weights), key="why_table",
        column_config={
            "Score": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f"),
            "Contribution": st.column_config.NumberColumn(format="%.3f"),
            "Why": st.column_config.TextColumn(width="large"),
        },
    )
