"""The Scan page through AppTest, against its own fake GitHub (real PyGithub over HTTP): what is
rendered, what is marked, what reaches the Ranking page and a snapshot, and a scan of thousands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from tests.conftest import FAKE_TOKEN
from tests.fakegithub import FakeGitHub, generate_org
from triage import scan, settings
from triage.github.scan import ScanFetch
from triage.github.scan_pages import RepoScan
from triage.github.scan_queries import ScanTarget
from triage.snapshots.store import SnapshotStore
from triage.ui import scan_panel
from triage.ui.ranking_view import TABLE_ROWS_MAX

APP = str(Path(__file__).parents[1] / "dashboard.py")
LIBS_1557 = "https://github.com/falcosecurity/libs/issues/1557"  # on the demo agenda, open, waiting


@pytest.fixture(scope="module")
def falco_fake():
    """The demo's Falco items plus generated open PRs in three Falco repositories."""
    fake = FakeGitHub.demo()
    fake.add_items(generate_org("falcosecurity", repos=3, total=90, seed=4, open_only=True, issue_share=0))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _live_env(falco_fake, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    falco_fake.reset()
    monkeypatch.setenv("GITHUB_API_URL", falco_fake.url)
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("TRIAGE_SERVER_TOKEN", "anyone")  # every visitor may use the server's token


def scan_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/scan.py").run()
    return at


def scan_org(org: str = "falcosecurity", *, issues: bool = False) -> AppTest:
    at = scan_page()
    at.text_input(key="scan_org").set_value(org)
    at.checkbox(key="scan_issues").set_value(issues)
    at.button(key="scan_run").click().run()
    assert not at.exception
    return at


def scanned(at: AppTest) -> scan.ScanResult:
    result = scan_panel.kept(at.session_state["scan_key"])
    assert result is not None
    return result


def table(at: AppTest):
    return next(d.value for d in at.dataframe if "Waiting" in d.value.columns)


def chart_rows(chart) -> pd.DataFrame:
    """The data a chart sends to the browser."""
    (dataset,) = chart.proto.datasets
    return convert_arrow_bytes_to_pandas_df(dataset.data.data)


def text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "success", "info", "subheader", "title")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts + [d.value.to_csv() for d in at.dataframe])


def test_the_page_asks_what_to_scan_before_anything_is_fetched(falco_fake):
    at = scan_page()
    assert not at.exception
    assert at.title[0].value == "Scan for what the agenda missed"
    assert at.info[0].value == "Name an organisation or some repositories and press Scan."
    assert falco_fake.log == []


def test_scanning_an_org_renders_ranked_rows_with_counts_charts_and_the_rate_limit(falco_fake):
    at = scan_org()
    rows = table(at)
    assert len(rows) > 5
    assert list(rows["Rank"]) == list(range(1, len(rows) + 1))
    assert rows["Score"].is_monotonic_decreasing
    assert rows["Waiting"].str.startswith("waiting on maintainers · ").all()  # the default filter
    assert set(rows["Item"].str.extract(r"github\.com/([^/]+/[^/]+)/")[0]) <= {
        "falcosecurity/core", "falcosecurity/libs", "falcosecurity/plugins"}
    caption = next(c.value for c in at.caption if "open items of org:falcosecurity" in c.value)
    assert "graphql points left" in caption and "requests" in caption
    assert len(falco_fake.requests("^/graphql$")) == 2  # discovery and one packed page for the 90 PRs
    hist, repos = (chart_rows(c) for c in at.get("vega_lite_chart"))
    assert hist["items"].sum() == repos["items"].sum() == len(scanned(at).facts.items)
    # issue 11: whole counts got fractional axes
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert [s["encoding"]["y"]["axis"]["format"] for s in specs[:1]] == ["d"]
    assert specs[1]["encoding"]["x"]["axis"] == {"format": "d", "tickMinStep": 1, "title": "Items"}
    assert at.subheader[0].value.endswith(f"of {len(scanned(at).facts.items)} open items match")
    assert FAKE_TOKEN not in text(at)


def test_filters_change_the_rows_without_scanning_again(falco_fake):
    at = scan_org()
    before = len(table(at))
    requests = len(falco_fake.log)
    waiting_on = at.multiselect(key="scan_waiting_on")
    assert waiting_on.options == ["maintainers", "maintainers' own", "author", "nobody"]  # words, not codes
    waiting_on.set_value(list(scan.PEOPLE_BUCKETS)).run()
    at.checkbox(key="scan_bots").set_value(True).run()
    at.checkbox(key="scan_drafts").set_value(True).run()
    assert len(table(at)) == 90  # every generated PR
    at.number_input(key="scan_min_waiting").set_value(100_000).run()
    assert at.info[-1].value == "No scanned item matches these filters."
    assert before < 90 and len(falco_fake.log) == requests


def test_items_already_on_the_agenda_are_marked(falco_fake):
    at = scan_org(issues=True)
    rows = table(at).set_index("Item")
    assert rows.loc[LIBS_1557, "On agenda"] == "on the agenda"
    assert (rows["On agenda"] == "on the agenda").sum() == 1


def test_adding_chosen_items_puts_them_on_the_ranking_page_and_in_a_snapshot(falco_fake):
    at = scan_org()
    rows = table(at)
    chosen = [u.removeprefix("https://github.com/").replace("/pull/", "#") for u in rows["Item"][:2]]
    at.multiselect(key="scan_pick").set_value(chosen).run()
    at.button(key="scan_add").click().run()
    assert not at.exception
    assert at.success[0].value == "Added 2 items to the agenda."
    marked = table(at).set_index("Item")["On agenda"]
    assert (marked[rows["Item"][:2]] == "on the agenda").all()

    at.switch_page("app_pages/ranking.py").run()
    assert not at.exception
    ranked = next(d.value for d in at.dataframe if "Item" in d.value.columns and "Score" in d.value.columns)
    # ranked as of the scan (today): the 9 demo items merged or closed since are hidden, the 2 added shown
    assert len(ranked) == 9 and set(rows["Item"][:2]) <= set(ranked["Item"])
    assert any(c.value.startswith("9 of 18 items shown · 9 resolved hidden") for c in at.caption)
    assert "2 items added from a scan of org:falcosecurity" in text(at)
    at.button(key="save_snapshot").click().run()
    snapshot_id = at.code[0].value.rsplit("snapshot=", 1)[1]
    frozen = SnapshotStore(settings.db_url()).load(snapshot_id)
    found = [r for r in frozen.meeting.refs if scan.FOUND_FLAG in r.flags]
    assert sorted(r.ref for r in found) == sorted(chosen)
    assert {r["ref"] for r in frozen.rows} >= set(chosen)


def test_bad_input_and_a_missing_repo_are_sentences(falco_fake):
    at = scan_page()
    at.radio(key="scan_mode").set_value("Repositories").run()
    at.text_area(key="scan_repos").set_value("falcosecurity/libs, libs")
    at.button(key="scan_run").click().run()
    assert at.error[0].value == "Invalid repository 'libs': expected owner/name, e.g. falcosecurity/libs"
    at.text_area(key="scan_repos").set_value("falcosecurity/libs\nfalcosecurity/gone")
    at.button(key="scan_run").click().run()
    assert not at.exception
    assert at.error[0].value == (
        "GitHub does not show the repository falcosecurity/gone: it does not exist, or it is private to the token")
    assert len(table(at)) > 0  # falcosecurity/libs was scanned all the same


def _big_scan(n: int) -> scan.ScanResult:
    items = tuple(generate_org("bigorg", repos=50, total=n, seed=9, open_only=True, issue_share=0, skew=1.0))
    repos = tuple(RepoScan(r, "pull", c, c) for r, c in
                  sorted({i.repo: sum(j.repo == i.repo for j in items) for i in items}.items()))
    fetched = ScanFetch(ScanTarget(org="bigorg"), items, repos, (), (), None, 30,
                        datetime.now(UTC).replace(microsecond=0))
    return scan.result_of(fetched)


def test_thousands_of_rows_page_and_rerank_without_error():
    at = scan_page()
    at.session_state["scan_key"] = scan_panel.keep(_big_scan(3_000))
    at.run()
    assert not at.exception
    at.multiselect(key="scan_waiting_on").set_value(list(scan.PEOPLE_BUCKETS)).run()
    at.checkbox(key="scan_bots").set_value(True).run()
    at.checkbox(key="scan_drafts").set_value(True).run()
    assert at.subheader[0].value == "3,000 of 3,000 open items match"
    assert len(table(at)) == TABLE_ROWS_MAX  # one page of rows is sent, not 3,000
    at.number_input(key="scan_page").set_value(3).run()
    rows = table(at)
    assert list(rows["Rank"]) == list(range(2 * TABLE_ROWS_MAX + 1, 3_001))
    at.slider(key="w_age").set_value(10.0).run()  # a weight change re-ranks without re-scoring
    assert not at.exception
    reranked = table(at)
    assert list(reranked["Rank"]) == list(range(2 * TABLE_ROWS_MAX + 1, 3_001))  # still page 3
    assert reranked["Score"].round(12).is_monotonic_decreasing  # scores equal to 12 digits tie
    assert list(reranked["Item"]) != list(rows["Item"])  # age now counts: another order
    hist, repos = (chart_rows(c) for c in at.get("vega_lite_chart"))
    assert hist["items"].sum() == repos["items"].sum() == 3_000
    assert len(hist) <= 4 * len(scan.WAITING_BINS) and len(repos) <= 4 * 26  # counts, not 3,000 bars
    assert len(at.multiselect(key="scan_pick").options) == 500


def test_looking_up_a_scan_no_longer_kept_drops_no_other_scan():
    def result(n: int) -> scan.ScanResult:
        return scan.result_of(ScanFetch(ScanTarget(org=f"org{n}"), (), (), (), (), None, 0,
                                        datetime(2024, 1, 1, tzinfo=UTC)))

    keys = [scan_panel.keep(result(n)) for n in range(scan_panel.MAX_KEPT_SCANS)]
    assert scan_panel.kept("0" * 32) is None  # a stale session's key
    assert [scan_panel.kept(k).fetch.target.org for k in keys] == [f"org{n}" for n in range(len(keys))]


def test_the_scan_ranks_with_the_projects_settings_as_triage_scan_does(falco_fake, capsys):
    # issue 11: the Scan page ranked any organisation with the demo's Falco settings (its area
    # weights and release targets): the same scan was #1 in the app and #77 in `triage scan`.
    import io

    from triage.cli import main

    at = scan_org()
    rows = table(at)
    assert main(["scan", "--org", "falcosecurity", "--format", "csv"]) == 0
    cli = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(rows["Item"]) == list(cli["url"])
    assert [round(s, 6) for s in rows["Score"]] == list(cli["score"])
    assert at.selectbox(key="pick_preset").options == ["balanced", "waiting first", "release first", "quick wins",
                                                       "community first"]  # no "falco first"


def test_two_reads_of_the_same_target_at_the_same_moment_are_never_cached_as_one():
    # The app's caches are shared by every session: two sessions scanning an organisation in the same
    # second with tokens that see different things must not be given each other's scores.
    fetched = ScanFetch(ScanTarget(org="org"), (), (), (), (), None, 0, datetime(2024, 1, 1, tzinfo=UTC))
    assert scan.result_of(fetched).key != scan.result_of(fetched).key
