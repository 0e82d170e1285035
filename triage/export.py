"""Exports of a ranking: a Markdown block for the next minutes, CSV, and JSON rows."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from triage.facts import ItemKey
from triage.markup import csv_cell, gfm_escape, gfm_text, item_url
from triage.ranking.criteria import CRITERIA
from triage.ranking.scoring import CONTRIB, WHY, explain, typical, with_reasons
from triage.ranking.turns import waiting_words

FORMATS = ("json", "markdown", "csv")
Row = dict[str, Any]  # one ranked item as `to_rows` gives it (and a snapshot freezes it)


@dataclass(frozen=True)
class Meta:
    """What a JSON export says about the ranking it holds, so a file read later on its own still
    tells how it was made: the moment, the preset, every weight, and the snapshot it came from."""

    as_of: datetime
    preset: str
    weights: Mapping[str, float]
    snapshot: str | None = None  # the snapshot id, when the rows are a saved snapshot's
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the moment as ISO 8601 text."""
        return {"title": self.title, "as_of": self.as_of.isoformat(), "preset": self.preset,
                "weights": {k: float(self.weights[k]) for k in sorted(self.weights, key=_criterion_place)},
                "snapshot": self.snapshot}


def _criterion_place(name: str) -> tuple[int, str]:
    """Registry order first (as the app lists them), then any name it no longer has."""
    order = list(CRITERIA)
    return (order.index(name), "") if name in order else (len(order), name)


def _plain(value: Any) -> Any:
    """JSON-safe scalars: pandas' NA/NaN become null, numpy numbers become Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def to_rows(ranked: pd.DataFrame) -> list[Row]:
    """One dict per ranked item: identity, rank, score, why, and per-criterion contributions."""
    rows = []
    usual = typical(ranked)
    for rec in with_reasons(ranked).to_dict("records"):
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


def _waiting(row: Row) -> str:
    return waiting_words(row.get("waiting_on"), row.get("waiting_days"))


def rows_to_json(rows: list[Row], meta: Meta | None = None) -> str:
    """Rows as JSON: with `meta`, the object `triage rank --format json` prints (the ranking's
    title, as_of, preset, weights and snapshot id, then its `items`); without, the bare list."""
    if meta is None:
        return json.dumps(rows, indent=2, ensure_ascii=False)
    return json.dumps({**meta.to_dict(), "items": rows}, indent=2, ensure_ascii=False)


# `owner/repo#N` or `repo#N` in a reason (a PR that referred to the item, or closed it): written as
# code in Markdown, so that the pasted block does not put that thread on the next agenda (agenda
# readers skip code).
_REF_IN_TEXT = re.compile(r"(?<![\w`/.-])((?:[A-Za-z0-9][\w.-]*/)?[\w.-]+#\d+)")


def _why(value: object) -> str:
    """A reason on one line, escaped as text, with each thread it names written as code (see above)."""
    parts = _REF_IN_TEXT.split(" ".join(str(value).split()))
    return "".join(f"`{part}`" if n % 2 else gfm_escape(part) for n, part in enumerate(parts))  # split keeps refs odd


def rows_to_markdown(rows: list[Row], heading: str, link: str | None = None) -> str:
    """A numbered list to paste into the minutes: linked refs, titles, score and one-line why."""
    lines = [f"### {gfm_text(heading)}", ""]
    if link:
        lines += [f"Snapshot: <{link}>", ""]
    for row in rows:
        # Titles and reasons come from GitHub, the link from its API: shown as text, and a link only
        # to the thread on GitHub, whatever they hold (issue 12).
        title = gfm_text(row.get("title") or "(title unknown)")
        waiting = _waiting(row)
        extra = f" ({waiting})" if waiting else ""
        lines.append(
            f"{row['rank']}. {_link(row)} {title}{extra}: "
            f"score {float(row['score']):.2f}; {_why(row.get('why', ''))}"
        )
    return "\n".join(lines) + "\n"


def _link(row: Row) -> str:
    """`[owner/repo#N](https://github.com/...)`: the ref as validated, the link only to its thread."""
    try:
        key = ItemKey.parse(str(row.get("ref")))
    except ValueError:
        return gfm_text(row.get("ref"))
    return f"[{key.ref}]({item_url(row.get('url'), key.repo, key.number, row.get('kind'))})"


CSV_COLUMNS = ["rank", "ref", "title", "url", "kind", "state", "status", "waiting_on", "waiting_days", "score", "why"]


def rows_to_csv(rows: list[Row]) -> str:
    """Flat CSV: identity, waiting, score, why and one contribution column per criterion."""
    names = list(dict.fromkeys(n for row in rows for n in row.get("contributions") or {})) or list(CRITERIA)
    table = pd.DataFrame(
        [{**{c: row.get(c) for c in CSV_COLUMNS}, **{n: (row.get("contributions") or {}).get(n, 0.0) for n in names}}
         for row in rows],
        columns=[*CSV_COLUMNS, *names],
    )
    table["waiting_days"] = table["waiting_days"].astype("Int64")
    # Text cells neutralised as OWASP advises, so that a title like `=HYPERLINK(...)` stays text in a
    # spreadsheet (issue 12).
    for column in CSV_COLUMNS:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(csv_cell)
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    return buf.getvalue()


def render_rows(
    rows: list[Row], fmt: str, heading: str = "Triage", link: str | None = None, meta: Meta | None = None
) -> str:
    """Rows in one of FORMATS (`meta` goes into the JSON)."""
    if fmt == "json":
        return rows_to_json(rows, meta)
    if fmt == "markdown":
        return rows_to_markdown(rows, heading, link)
    if fmt == "csv":
        return rows_to_csv(rows)
    raise ValueError(f"Unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def to_json(ranked: pd.DataFrame) -> str:
    """The ranking as a JSON list (the format of `triage rank --format json`)."""
    return rows_to_json(to_rows(ranked))


def to_markdown(ranked: pd.DataFrame, heading: str, link: str | None = None) -> str:
    """The ranking as a Markdown block for the minutes."""
    return rows_to_markdown(to_rows(ranked), heading, link)


def to_csv(ranked: pd.DataFrame) -> str:
    """The ranking as CSV."""
    return rows_to_csv(to_rows(ranked))


def render(
    ranked: pd.DataFrame, fmt: str, heading: str = "Triage", link: str | None = None, meta: Meta | None = None
) -> str:
    """The ranking in one of FORMATS."""
    return render_rows(to_rows(ranked), fmt, heading, link, meta)
