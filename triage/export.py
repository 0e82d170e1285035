"""Exports of a ranking: a Markdown block for the next minutes, CSV, and JSON rows."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pandas as pd

from triage.criteria import CRITERIA
from triage.scoring import CONTRIB, WHY, explain, typical

FORMATS = ("json", "markdown", "csv")


def _plain(value: Any) -> Any:
    """JSON-safe scalars: pandas' NA/NaN become null, numpy numbers become Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def to_rows(ranked: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per ranked item: identity, rank, score, why, and per-criterion contributions."""
    rows = []
    usual = typical(ranked)
    for rec in ranked.to_dict("records"):
        rows.append({
            "ref": rec["ref"],
            "rank": int(rec["rank"]),
            "score": round(float(rec["score"]), 6),
            "title": _plain(rec["title"]),
            "url": rec["url"],
            "kind": _plain(rec["kind"]),
            "state": _plain(rec["state"]),
            "status": rec["status"],
            "waiting_on": _plain(rec["ball"]),
            "waiting_days": _plain(rec["ball_days"]),
            "flags": [f for f in str(rec["flags"]).split(", ") if f],
            "why": explain(rec, usual),
            "contributions": {n: round(float(rec[CONTRIB + n]), 6) for n in CRITERIA},
            "reasons": {n: rec[WHY + n] for n in CRITERIA},
        })
    return rows


def to_json(ranked: pd.DataFrame) -> str:
    """The ranking as a JSON list (the format of `triage rank --format json`)."""
    return json.dumps(to_rows(ranked), indent=2, ensure_ascii=False)


def _waiting(rec: dict[str, Any]) -> str:
    days = _plain(rec["ball_days"])
    if rec["ball"] in ("maintainers", "author") and days is not None:
        return f"waiting on {rec['ball']} {days} d"
    return ""


def to_markdown(ranked: pd.DataFrame, heading: str, link: str | None = None) -> str:
    """A numbered list to paste into the minutes: linked refs, titles, score and one-line why."""
    lines = [f"### {heading}", ""]
    usual = typical(ranked)
    if link:
        lines += [f"Snapshot: <{link}>", ""]
    for rec in ranked.to_dict("records"):
        title = str(_plain(rec["title"]) or "(title unknown)").replace("[", "\\[").replace("]", "\\]")
        waiting = _waiting(rec)
        extra = f" ({waiting})" if waiting else ""
        lines.append(
            f"{int(rec['rank'])}. [{rec['ref']}]({rec['url']}) {title}{extra}: "
            f"score {float(rec['score']):.2f}; {explain(rec, usual)}"
        )
    return "\n".join(lines) + "\n"


def to_csv(ranked: pd.DataFrame) -> str:
    """Flat CSV: identity, waiting, score, why and one contribution column per criterion."""
    out = ranked[["rank", "ref", "title", "url", "kind", "state", "status", "ball", "ball_days", "score"]].copy()
    usual = typical(ranked)
    out["why"] = [explain(r, usual) for r in ranked.to_dict("records")]
    for n in CRITERIA:
        out[n] = ranked[CONTRIB + n].round(6)
    buf = io.StringIO()
    out.rename(columns={"ball": "waiting_on", "ball_days": "waiting_days"}).to_csv(buf, index=False)
    return buf.getvalue()


def render(ranked: pd.DataFrame, fmt: str, heading: str = "Triage", link: str | None = None) -> str:
    """The ranking in one of FORMATS."""
    if fmt == "json":
        return to_json(ranked)
    if fmt == "markdown":
        return to_markdown(ranked, heading, link)
    if fmt == "csv":
        return to_csv(ranked)
    raise ValueError(f"Unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
