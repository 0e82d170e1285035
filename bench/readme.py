"""The README's performance table, written from bench/results.json (`make bench` rewrites it).

The table sits between two HTML comments in README.md; everything between them is replaced, so the
figures a newcomer reads are the ones `make bench` measured last. A figure not measured yet leaves
its row out. `tests/test_docs.py` checks that the README holds the table of the committed results.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = Path(__file__).with_name("results.json")
START = "<!-- performance table: written by `make bench` from bench/results.json -->"
END = "<!-- end of the performance table -->"

Figures = Mapping[str, float]


def _s(value: float) -> str:
    """Seconds, to two significant places or ms below a tenth."""
    return f"{value * 1000:.0f} ms" if value < 0.1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _best(f: Figures, key: str) -> str:
    """The best of several runs, with their median beside it when measured."""
    median = key.removesuffix("_seconds") + "_median_seconds"
    return _s(f[key]) + (f" (median {_s(f[median])})" if median in f else "")


def _instructions(f: Figures) -> str:
    """The scoring to re-ranking ratio in instructions, when valgrind counted them."""
    ratio = f.get("rank10k_over_rerank10k_instructions")
    return "" if ratio is None else f"; {ratio:.1f}x in instructions counted by valgrind"


# (what, triage's figure, the REST script's), each a function of the results; a KeyError leaves the row out.
_ROWS: list[tuple[str, Callable[[Figures], str], Callable[[Figures], str]]] = [
    ("16-item agenda, cold",
     lambda f: f"{f['agenda_cold_requests']:.0f} requests (1 GraphQL, 2 probes)",
     lambda f: f"{f['baseline_cold_requests']:.0f} requests ({f['baseline_to_agenda_cold_request_ratio']:.0f}x)"),
    ("16-item agenda, warm",
     lambda f: f"{f['agenda_warm_requests']:.0f} requests, {f['agenda_warm_quota']:.0f} rate limit", lambda f: "—"),
    ("1,000 agenda items, cold / warm",
     lambda f: f"{f['org1000_cold_requests']:.0f} requests / {f['org1000_warm_requests']:.0f} requests, "
               f"{f['org1000_warm_quota']:.0f} rate limit", lambda f: "—"),
    ("org scan, 10,000 open PRs in 50 repos: requests",
     lambda f: f"{f['scan10k_graphql_requests']:.0f} GraphQL requests, {f['scan10k_graphql_points']:.0f} points",
     lambda f: f"about {f['baseline_requests_per_100_prs']:.0f} requests per 100 PRs "
               f"({f['baseline500_rest_requests']:,.0f} for a {f['baseline500_prs']:.0f}-PR subset that triage "
               f"reads in {f['subset500_graphql_requests']:.0f})"),
    ("org scan, 10,000 open PRs: time with the app's client settings",
     lambda f: f"{_best(f, 'scan10k_fetch_seconds')}; triage's own share {f['scan10k_client_cpu_seconds']:.1f} s "
               f"of CPU, the fake GitHub's GraphQL engine {f['scan10k_fake_cpu_seconds']:.1f} s",
     lambda f: f"{_s(f['baseline500_rest_seconds'])} for the {f['baseline500_prs']:.0f}-PR subset "
               f"(triage: {_s(f['subset500_graphql_seconds'])})"),
    ("ranking from facts, 1k / 10k / 100k items",
     lambda f: f"{_s(f['rank1k_seconds'])} / {_best(f, 'rank10k_seconds')} / {_best(f, 'rank100k_seconds')}",
     lambda f: "—"),
    ("ranking from facts, a million items",
     lambda f: f"{_best(f, 'rank1m_seconds')}, {f['rank1m_peak_mb']:.0f} MB over the facts at its peak",
     lambda f: "—"),
    ("re-ranking after a weight change, 10k items",
     lambda f: f"{_s(f['rerank10k_seconds'])} (ranking from facts takes "
               f"{f['rank10k_over_rerank10k']:.1f}x that" + _instructions(f) + ")",
     lambda f: "—"),
    ("turning 10k items' facts into columns, once per fetch or load",
     lambda f: _best(f, "columns10k_seconds"), lambda f: "—"),
    ("slider move to table updated in Chromium: the demo / a 10,000-PR scan",
     lambda f: f"{_best(f, 'browser_slider_seconds')} / {_best(f, 'browser_slider10k_seconds')}", lambda f: "—"),
    ("the Scan page's rerun on the server after a slider move, 10,000 rows (AppTest)",
     lambda f: _s(f["rerun10k_seconds"]), lambda f: "—"),
    ("`triage --help` / `criteria` / `refs`, in a fresh process",
     lambda f: f"{_best(f, 'cli_help_seconds')} / {_s(f['cli_criteria_seconds'])} / {_s(f['cli_refs_seconds'])} "
               f"(Python alone: {_s(f['python_startup_seconds'])})",
     lambda f: "—"),
    ("reading an agenda: real minutes / the costliest 2 MB upload",
     lambda f: f"{f['agenda_real_minutes_ms_each']:.1f} ms each / "
               f"{max(v for k, v in f.items() if k.startswith('agenda_2mb_') and k.endswith('_seconds')):.1f} s "
               f"at most, {f['agenda_2mb_peak_mb']:.0f} MB peak", lambda f: "—"),
]


def table(figures: Figures) -> str:
    """The Markdown table of `figures`, rows whose figures are missing left out."""
    lines = ["| figure | triage | straightforward PyGithub REST |", "|---|---|---|"]
    for what, ours, theirs in _ROWS:
        try:
            lines.append(f"| {what} | {ours(figures)} | {theirs(figures)} |")
        except KeyError:
            continue
    return "\n".join(lines)


def rewrite(figures: Figures, readme: Path = README) -> None:
    """Replace the README's table with the one for `figures`."""
    text = readme.read_text("utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{table(figures)}\n{END}{tail}", "utf-8")


def committed() -> str:
    """The table of the committed bench/results.json."""
    return table(json.loads(RESULTS.read_text("utf-8")))
