"""The Scan page's widgets: what to scan, the scan with its progress bar, filters, aggregate charts,
the paged table, and adding chosen items to the agenda.

Built for scans of 10,000 open PRs: scoring is cached per scan and preset (moving a slider only
re-weights), the charts send counts (tens of rows) and are kept per scan (weights do not change them),
a slider move reruns only the fragment holding the sliders and the ranked table (`ranking`), the table
sends one page of rows at a time, and the picker offers the best-ranked items only.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from triage import scan
from triage.github.cache import ItemCache
from triage.github.errors import GitHubError
from triage.github.scan_queries import ScanInputError, ScanTarget
from triage.markup import inline as md
from triage.meeting import Meeting
from triage.ranking import scoring
from triage.ranking.turns import BALL_WORDS
from triage.ranking.weights import Config, Preset
from triage.ui import charts as charts_style
from triage.ui import live, moment, ranking_view, session, weights_panel

_KEY = "scan_key"  # which kept scan this session shows (a plain key: survives page switches)
# Scans kept in memory for every session of the server (a 10,000-PR scan holds about 100 MB); the
# least recently used go first, and a session whose scan went is asked to scan again.
MAX_KEPT_SCANS = 4
_FLASH = "scan_flash"  # the message to show after the rerun that follows "Add to the agenda"
PICK_OPTIONS = 500  # the picker offers this many best-ranked items: nobody adds the 5,000th to a meeting
ORG, REPOS = "An organisation", "Repositories"


def _request() -> tuple[ScanTarget, bool] | None:
    """The target and whether to read issues, once the Scan button is pressed with valid input."""
    mode = st.radio("Scan", [ORG, REPOS], horizontal=True, key="scan_mode")
    org = repos = ""
    if mode == ORG:
        org = st.text_input("Organisation", key="scan_org", placeholder="falcosecurity")
    else:
        repos = st.text_area("Repositories", key="scan_repos", placeholder="falcosecurity/libs\nfalcosecurity/falco",
                             help="owner/name, separated by commas or new lines")
    issues = st.checkbox("Include issues", key="scan_issues", help="Scan open issues as well as open PRs.")
    if not st.button("Scan", type="primary", key="scan_run"):
        return None
    try:
        return scan.target(org, scan.parse_repos(repos) if mode == REPOS else ()), issues
    except ScanInputError as e:
        st.error(md(e))
        return None


def _run(target: ScanTarget, issues: bool, config: Config) -> None:
    """Scan with a progress bar; keep the result in the session, or say why there is none."""
    bar = st.progress(0.0, text=f"Listing the repositories of {target.label}…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 0.0, text=f"Read {done:,} of {total:,} open items")

    try:
        result = scan.run(target, live.github_config(), include_issues=issues, people=config.people,
                          cache=ItemCache(), progress=progress)
    except GitHubError as e:  # a failure before anything could be read (e.g. an unusable cache)
        bar.empty()
        st.error(md(e))
        return
    bar.empty()
    st.session_state[_KEY] = keep(result)


class KeptScans:
    """The scans kept in memory for every session of the server: the MAX_KEPT_SCANS most recently
    kept or shown (least recently used goes first). Looking a key up never stores anything, so a
    session whose scan went cannot push out another session's."""

    def __init__(self, size: int = MAX_KEPT_SCANS) -> None:
        self._lock = threading.Lock()  # sessions run in threads of their own
        self._scans: OrderedDict[str, scan.ScanResult] = OrderedDict()
        self._size = size

    def put(self, key: str, result: scan.ScanResult) -> None:
        """Keep `result` under `key`, dropping the least recently used scans beyond the size."""
        with self._lock:
            self._scans[key] = result
            self._scans.move_to_end(key)
            while len(self._scans) > self._size:
                self._scans.popitem(last=False)

    def get(self, key: str) -> scan.ScanResult | None:
        """The scan kept under `key` (now the most recently used), or None."""
        with self._lock:
            result = self._scans.get(key)
            if result is not None:
                self._scans.move_to_end(key)
            return result


@st.cache_resource(show_spinner=False)
def _kept_scans() -> KeptScans:
    """The server's one store of kept scans."""
    return KeptScans()


def kept(key: str) -> scan.ScanResult | None:
    """The scan kept under `key`, or None once it was dropped to make room."""
    return _kept_scans().get(key)


def keep(result: scan.ScanResult) -> str:
    """Keep `result` outside `st.session_state` and return its key (random: no other session can
    name it). Streamlit pickles session state on every rerun to check it can be serialised, which
    takes 0.7 s for 10,000 PRs; the key costs nothing."""
    key = secrets.token_hex(16)
    _kept_scans().put(key, result)
    return key


def scan_result(config: Config) -> scan.ScanResult | None:
    """The scan inputs; runs a scan when asked; returns this session's latest scan, if any."""
    asked = _request()
    if asked is not None:
        _run(*asked, config)
    key = st.session_state.get(_KEY)
    result = kept(key) if key else None
    if key and result is None:
        st.warning("The last scan is no longer kept in memory; press Scan to read it again.")
    return result


def report(result: scan.ScanResult) -> None:
    """What was read, what it cost, and every failure or note as a sentence."""
    fetched = result.fetch
    repos = len({r.repo for r in fetched.repos})
    st.caption(
        f"{len(fetched.items):,} open items of {md(fetched.target.label)} read from {repos:,} repositories in "
        f"{fetched.requests} requests at {fetched.observed_at:%Y-%m-%d %H:%M} UTC"
        + (f" · {fetched.rate}" if fetched.rate else "")
    )
    for error in fetched.errors:
        st.error(md(error))
    for note in fetched.notes:
        st.info(md(note))


def filters(result: scan.ScanResult) -> scan.ScanFilter:
    """The filter widgets; returns the filter in force."""
    left, middle, right = st.columns([2, 3, 2])
    min_waiting = left.number_input("Minimum days waiting", 0, 100_000, 0, step=1, key="scan_min_waiting")
    waiting_on = middle.multiselect("Waiting on", list(scan.PEOPLE_BUCKETS), default=["maintainers"],
                                    format_func=BALL_WORDS.__getitem__, key="scan_waiting_on",
                                    help="Whose turn it is (bots have their own switch).")
    drafts = right.checkbox("Include drafts", key="scan_drafts")
    bots = right.checkbox("Include bots", key="scan_bots",
                          help="PRs opened by dependabot, renovate, GitHub's bot accounts and the configured bots.")
    issues = any(r.kind == "issue" for r in result.fetch.repos)
    return scan.ScanFilter(int(min_waiting), tuple(waiting_on), drafts, bots, issues)


@st.cache_resource(show_spinner="Scoring the scanned items…", max_entries=4)
def _evaluated(scan_key: str, preset: str, config_key: tuple[str, ...], meeting_key: str,
               _result: scan.ScanResult, _preset: Preset, _config: Config, _meeting: Meeting) -> pd.DataFrame:
    """Every criterion's score per scanned item, keyed by the scan, the preset and the meeting whose
    agenda context applies; weights are not in the key: moving a slider only re-weights. A resource:
    the same frame for every run, never a copy unpickled for it (nothing changes it)."""
    return scan.evaluate(_result, _preset.params, _config.people, _meeting.context())


def evaluated(result: scan.ScanResult, preset: Preset, config: Config, meeting: Meeting, meeting_key: str
              ) -> pd.DataFrame:
    """The scan's scores (cached per scan, preset and meeting)."""
    return _evaluated(result.key, preset.name, config.sources, meeting_key, result, preset, config, meeting)


@dataclass(frozen=True)
class _Charts:
    waiting: alt.Chart
    no_waiting: bool  # nothing to draw: say so instead
    repos: alt.Chart
    no_repos: bool


@st.cache_resource(show_spinner=False, max_entries=4)
def _charts(scan_key: str, preset: str, config_key: tuple[str, ...], meeting_key: str, _frame: pd.DataFrame
            ) -> _Charts:
    """The scan's two charts, kept like its scores (`_evaluated`): weights do not change them."""
    hist = scan.waiting_histogram(_frame)
    repos = scan.repo_counts(_frame)
    colour = charts_style.bucket_colour(list(scan.BUCKET_TITLES.values()))
    return _Charts(
        alt.Chart(hist).mark_bar().encode(
            x=alt.X("waiting:N", sort=alt.EncodingSortField(field="order", op="min"), title="Days in the bucket"),
            y=alt.Y("sum(items):Q", axis=charts_style.count_axis("Items")),
            color=colour,
            tooltip=["bucket:N", "waiting:N", "items:Q"],
        ).properties(title="How long items have waited", height=260),
        hist.empty or int(hist["items"].sum()) == 0,
        alt.Chart(repos).mark_bar().encode(
            y=alt.Y("repo:N", sort="-x", axis=charts_style.item_axis()),
            x=alt.X("sum(items):Q", axis=charts_style.count_axis("Items")),
            color=colour,
            tooltip=["repo:N", "bucket:N", "items:Q"],
        ).properties(title="Where they are", height=alt.Step(16)),
        repos.empty,
    )


def charts(result: scan.ScanResult, preset: Preset, config: Config, meeting_key: str, frame: pd.DataFrame) -> None:
    """How long items have waited, per bucket, and where they are, per repository: counts only,
    on whole-number axes, each bucket in its own colour (`charts`). `frame` is `evaluated`'s."""
    drawn = _charts(result.key, preset.name, config.sources, meeting_key, frame)
    left, right = st.columns(2)
    with left:
        charts_style.show(drawn.waiting, drawn.no_waiting, "No open item was read.")
    with right:
        charts_style.show(drawn.repos, drawn.no_repos, "No repository has open items.")


def _waiting(row: pd.Series) -> str:
    days = row["ball_days"]
    when = f" · {days} d" if pd.notna(days) else ""
    reason = f" ({row['ball_reason']})" if isinstance(row["ball_reason"], str) else ""
    return f"{scan.BUCKET_TITLES[row['bucket']]}{when}{reason}"


def table_frame(ranked: pd.DataFrame, usual: dict[str, float]) -> pd.DataFrame:
    """The columns the scan table shows (plain values, so AppTest reads them back)."""
    return pd.DataFrame({
        "Rank": ranked["rank"],
        "Score": ranked["score"],
        "Item": ranked["url"],
        "Title": ranked["title"].fillna("(title unknown)"),
        "Waiting": ranked.apply(_waiting, axis=1) if len(ranked) else pd.Series(dtype=str),
        "On agenda": ranked["on_agenda"].map({True: "on the agenda", False: ""}),
        "First-time": ranked["first_time"].map({True: "yes", False: ""}),
        "Why": ranking_view.why_column(ranked, usual),
        "Repo": ranked["repo"],
    })


def table(ranked: pd.DataFrame) -> None:
    """The ranked items, a page of `ranking_view.TABLE_ROWS_MAX` rows at a time."""
    page_rows = ranking_view.page_of(ranked, "scan_page")
    st.dataframe(
        table_frame(page_rows, scoring.typical(ranked)),
        hide_index=True,
        key="scan_table",
        height=ranking_view.table_height(len(page_rows)),
        column_config=ranking_view.column_config(ranking_view.score_top(ranked["score"]),
                                                 Rank=st.column_config.NumberColumn(width="small")),
    )


@st.fragment
def ranking(result: scan.ScanResult, selected: pd.DataFrame, total: int, config: Config, meeting: Meeting,
           meeting_key: str) -> None:
    """The sliders (sidebar) and the `selected` items ranked with them, with the picker that adds
    some to the agenda: a slider move reruns only this (issue 13). `total` is the scan's item count."""
    weights = weights_panel.sliders(config)
    ranked = scan.rank(selected, weights)
    st.subheader(f"{len(ranked):,} of {total:,} open items match")
    if ranked.empty:
        st.info("No scanned item matches these filters.")
    else:
        table(ranked)
        add_to_agenda(ranked, result, meeting, meeting_key)
    session.write_link(config)


def _scan_key(meeting_key: str, scan_key: str, refs: list[str]) -> str:
    digest = hashlib.sha256("|".join([scan_key, *sorted(refs)]).encode()).hexdigest()[:12]
    return f"{meeting_key}+scan:{digest}"


def add_to_agenda(ranked: pd.DataFrame, result: scan.ScanResult, meeting: Meeting, meeting_key: str) -> None:
    """Pick items not on the agenda yet and add them: the Ranking page then ranks them and its
    "Save snapshot" freezes them with the rest."""
    candidates = ranked.loc[~ranked["on_agenda"], ["ref", "rank", "title"]].head(PICK_OPTIONS)
    labels = {r.ref: f"#{r.rank} {r.ref}: {r.title or '(title unknown)'}" for r in candidates.itertuples()}
    # Items picked before a filter change stay pickable, so the picker never holds an unknown value.
    for ref in st.session_state.get("scan_pick", []):
        labels.setdefault(ref, ref)
    picked = st.multiselect(f"Items to add to the agenda (the {len(candidates):,} best-ranked not on it yet)",
                            list(labels), key="scan_pick", format_func=labels.__getitem__)
    if not st.button("Add to the agenda", key="scan_add", disabled=not picked):
        return
    by_ref = {i.ref: i for i in result.facts.items}
    found = [by_ref[r] for r in picked if r in by_ref]
    updated = scan.add_found(meeting, found, result.fetch.target.label, result.as_of)
    source = session.live()
    # The source keeps its kind: the demo plus scanned items keeps the demo's criteria settings (a
    # new kind would switch them and move every score), and no link can carry a scan anyway.
    kind, url = (source.kind, source.url) if source is not None else ("demo", None)
    session.set_live(session.LiveSource(updated, kind, url, _scan_key(meeting_key, result.key, picked)))
    # The agenda is now judged as of the scan; the date picker would otherwise keep the old day.
    moment.forget()
    st.session_state.pop("scan_pick", None)
    added = len(updated.facts.items) - len(meeting.facts.items)
    st.session_state[_FLASH] = f"Added {added} item{'s' if added != 1 else ''} to the agenda."
    st.rerun()


def flash() -> None:
    """The confirmation left by "Add to the agenda", with a link to the Ranking page."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)
        st.page_link("app_pages/ranking.py", label="See the ranking (and save a snapshot there)",
                     icon=":material/leaderboard:")


def as_added(frame: pd.DataFrame, meeting: Meeting) -> pd.DataFrame:
    """`frame` with the `on_agenda` column for `meeting`."""
    return frame.assign(on_agenda=scan.on_agenda(frame, meeting)) if len(frame) else frame.assign(on_agenda=[])

