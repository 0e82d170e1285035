"""Issue 11 through AppTest: filters in the sidebar and the link, a row click opening its why, the
saved link that stays true, a way back from a snapshot, charts in one palette, the app's own address."""

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from triage.ranking.criteria import CRITERIA, title

APP = str(Path(__file__).parents[1] / "dashboard.py")


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def app(url: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if url:
        at.context["url"] = url
    at.query_params.update(params)
    return at.run()


def ranked_frame(at):
    return next(d.value for d in at.dataframe if "Item" in d.value.columns and "Score" in d.value.columns)


def params(at) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in ((k, at.query_params[k]) for k in at.query_params)}


def test_sidebar_filters_narrow_the_table_and_go_into_the_link():
    at = app()
    at.multiselect(key="filter_repo").set_value(["falcosecurity/falco"]).run()
    at.multiselect(key="filter_kind").set_value(["issue"]).run()
    table = ranked_frame(at)
    assert set(table["Repo"]) == {"falcosecurity/falco"} and set(table["Kind"]) == {"issue"}
    assert list(table["Rank"]) == sorted(table["Rank"]) and table["Rank"].iloc[0] == 1  # ranks among all 16
    assert params(at)["repo"] == ["falcosecurity/falco"] and params(at)["kind"] == ["issue"]
    assert any(c.value.startswith(f"{len(table)} of 16 items shown") for c in at.caption)


def test_a_link_with_filters_reopens_the_same_focus():
    at = app(repo="falcosecurity/libs", flag="skipped")
    assert not at.exception and not at.warning
    assert set(ranked_frame(at)["Item"]) == {"https://github.com/falcosecurity/libs/issues/381",
                                              "https://github.com/falcosecurity/libs/pull/470",
                                              "https://github.com/falcosecurity/libs/issues/1463"}
    assert at.multiselect(key="filter_flag").value == ["skipped"]


def test_waiting_on_a_login_in_the_link():
    at = app(waiting_on="leogr")
    table = ranked_frame(at)
    assert len(table) and table["Waiting on"].str.startswith("maintainers").all()
    assert at.text_input(key="filter_waiting_on").value == "leogr"


def test_clicking_a_row_opens_its_full_why_with_every_criterion():
    at = app()
    table = ranked_frame(at)
    at.session_state["ranked"] = {"selection": {"rows": [4], "columns": [], "cells": []}}
    at.run()
    ref = at.selectbox(key="why_item").value
    owner, repo, _, number = table["Item"].iloc[4].removeprefix("https://github.com/").split("/")
    assert ref == f"{owner}/{repo}#{number}"  # the fifth row's, not the first's
    why = next(d.value for d in at.dataframe if "Contribution" in d.value.columns)
    assert len(why) == len(CRITERIA)  # issue 11: 10 of 12 were shown
    from triage.ranking.weights import demo_config_path, load_config

    total = sum(load_config([demo_config_path()]).preset().weights.values())
    assert any(f"divided by the total weight ({total:g})" in m.value for m in at.markdown)


def test_every_chart_colours_a_criterion_alike_and_stacks_in_legend_order():
    # issue 11: a criterion's colour changed from chart to chart, two shared one, segments stacked
    # alphabetically and half the bars had no label
    from triage.ui.charts import CRITERION_COLOURS

    at = app()
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    colour = spec["encoding"]["color"]
    assert colour["scale"]["domain"] == [title(n) for n in CRITERIA]
    assert colour["scale"]["range"] == [CRITERION_COLOURS[n] for n in CRITERIA]
    assert len(set(CRITERION_COLOURS.values())) == len(CRITERIA)  # no two criteria share one
    assert spec["encoding"]["order"]["field"] == "order"
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False


def test_a_saved_link_is_dropped_once_the_view_changes():
    at = app()
    at.button(key="save_snapshot").click().run()
    assert len(at.code) == 1
    at.slider(key="w_age").set_value(10.0).run()
    assert not at.code and not any("exactly this ranking" in s.value for s in at.success)


def test_a_snapshot_link_has_a_way_back_to_the_live_view():
    at = app()
    at.button(key="save_snapshot").click().run()
    sid = at.code[0].value.rsplit("=", 1)[1]
    frozen = app(snapshot=sid)
    assert "frozen, read-only" in frozen.caption[0].value
    assert params(frozen)["snapshot"] == [sid]  # the address says what is on screen
    frozen.button(key="leave_snapshot").click().run()
    assert not frozen.exception
    assert frozen.slider(key="w_age").value == 1.0  # the live view, with its sliders
    assert "snapshot" not in params(frozen)


def test_links_carry_the_apps_own_address_not_the_page_path(demo_config):
    from triage.facts import parse_when
    from triage.meeting import demo_meeting
    from triage.settings import db_url
    from triage.snapshots import freeze
    from triage.snapshots.store import SnapshotStore

    with SnapshotStore(db_url()) as store:
        sid = store.save(freeze(demo_meeting(), demo_config.preset(), demo_config.people,
                                as_of=parse_when("2023-12-14", end_of_day=True)))
    at = app("https://triage.example.org:8600/compare")
    at.switch_page("app_pages/compare.py").run()
    listing = next(d.value for d in at.dataframe if "Link" in d.value.columns)
    assert list(listing["Link"]) == [f"https://triage.example.org:8600/?snapshot={sid}"]
    live = app("https://triage.example.org:8600/")
    live.button(key="save_snapshot").click().run()
    assert live.code[0].value.startswith("https://triage.example.org:8600/?snapshot=")


def test_the_state_column_comes_before_the_wide_ones():
    # issue 11: the State column was off-screen at 1440 px, so closed items looked open
    columns = list(ranked_frame(app()).columns)
    assert columns.index("State") < columns.index("Waiting on") < columns.index("Why")


def test_all_weights_at_zero_say_so_instead_of_drawing_an_empty_axis():
    # issue 11: an empty result drew a "0.000000" axis
    at = app()
    for slider in at.slider:
        slider.set_value(0.0)
    at.run()
    assert not at.get("vega_lite_chart")
    assert any(c.value == "No item scores on any criterion with these weights." for c in at.caption)


def test_compare_counts_whole_places_and_leaves_empty_cells_blank(demo_config):
    # issue 11: movement ticks ran -1.0 ... 1.0, headers were raw and empty cells said "None"
    from triage.facts import parse_when
    from triage.meeting import demo_meeting
    from triage.settings import db_url
    from triage.snapshots import freeze
    from triage.snapshots.store import SnapshotStore

    with SnapshotStore(db_url()) as store:
        store.save(freeze(demo_meeting(), demo_config.preset(), demo_config.people,
                          as_of=parse_when("2023-12-14", end_of_day=True)))
        store.save(freeze(demo_meeting(), demo_config.preset("waiting first"), demo_config.people,
                          as_of=parse_when("2024-01-11", end_of_day=True)))
    at = app()
    at.switch_page("app_pages/compare.py").run()
    (chart,) = at.get("vega_lite_chart")
    axis = json.loads(chart.proto.spec)["encoding"]["x"]["axis"]
    assert axis["format"] == "d" and axis["tickMinStep"] == 1
    assert at.warning[0].value.startswith("The two snapshots used different weights (waiting_on_maintainers "
                                          "weighed 3 then and 6 now;")
    tables = [d.value for d in at.dataframe if "Rank then" in d.value.columns]
    assert tables and all("None" not in t.astype(str).to_numpy() for t in tables)
    assert not any(c in t.columns for t in tables for c in ("older_rank", "waiting_days", "ref"))
    moved = next(d.value for d in at.dataframe if "Moved" in d.value.columns and "Score" in d.value.columns
                 and "Still waiting" not in d.value.columns)  # the Moved section, not Still waiting
    assert moved["Moved"].str.match(r"^(up|down) \d+ \(from #\d+\)$").all()
    assert [m.label for m in at.metric] == ["Resolved since", "New", "Still waiting", "Moved"]
