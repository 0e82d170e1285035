"""Hostile settings and links: every bad TOML value and link parameter becomes a sentence, never a
traceback, a hang or a blow-up (issue 12, D8 and the fuzz tests of the TOML loader and link
parameters; the agenda reader's fuzz test is in test_agenda_limits)."""

import string
import tracemalloc
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import cli
from triage.facts import parse_as_of
from triage.links import KNOWN, parse_view
from triage.markup import inline
from triage.ranking.criteria import CRITERIA
from triage.ranking.weights import WeightsError, load_config

MEMORY_LIMIT = 500 * 1024 * 1024
FUZZ = settings(max_examples=150, deadline=timedelta(seconds=5),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize(("toml", "sentence"), [
    # issue 12, D8: each of these raised AttributeError, TypeError or OverflowError
    ("weights = 3", "t.toml [weights] must be a table of criterion = weight, got 3"),
    ("people = 3", "t.toml [people] must be a table (maintainers, bots), got 3"),
    ("presets = 3", "t.toml [presets] must be a table of named presets, got 3"),
    ("default_preset = 3", "t.toml: default_preset = 3 is not a preset's name"),
    ("[params]\nwaiting_half_days = inf", "t.toml [params] waiting_half_days = inf; expected a whole number from 1 "
                                          "to 100,000"),
    ("[params]\ndemand_full = 1e-320", "t.toml [params] demand_full = 1e-320; expected a whole number from 1 to "
                                       "100,000"),
    ("[params.area]\n'a/b' = inf", "t.toml [params.area]: 'a/b' = inf; expected a number from 0 to 1"),
    # issue 12, misleading message: a score of 2 was accepted
    ("[params]\narea_default = 2", "t.toml [params] area_default = 2; expected a number from 0 to 1"),
    ("[params]\ncarried_over_step = nan", "t.toml [params] carried_over_step = nan; expected a number from 0 to 1"),
])
def test_bad_values_in_triage_toml_are_sentences(toml, sentence):
    with pytest.raises(WeightsError) as caught:
        load_config(text=("t.toml", toml))
    assert str(caught.value) == sentence


def test_a_far_away_as_of_is_a_sentence_in_the_link_and_the_cli(demo_config, capsys):
    # issue 12, D8: `?as_of=9999-12-31` and `--as-of 9999-12-31` raised OverflowError.
    view = parse_view({"as_of": "9999-12-31"}, demo_config)
    assert view.as_of is None
    assert view.problems == ["As-of date 9999-12-31 is out of range: expected a day from 2008-01-01 to 2999-12-31 "
                             "(the link's as_of); using the meeting's date."]
    assert cli.main(["rank", "--demo", "--as-of", "9999-12-31"]) == 2
    assert capsys.readouterr().err == ("triage: error: As-of date 9999-12-31 is out of range: expected a day "
                                       "from 2008-01-01 to 2999-12-31\n")
    assert parse_as_of("2999-12-31").year == 2999


# --- fuzz: the TOML loader -----------------------------------------------------------------------------

_keys = st.sampled_from([*CRITERIA, "default_preset", "weights", "presets", "params", "people", "maintainers",
                         "bots", "area", "labels", "flags", "waiting_half_days", "demand_full", "area_default",
                         "release_targets", "carried_over_step", "x"])
_scalars = st.one_of(
    st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(max_size=20), st.just(1e-320), st.just(2), st.just(0.5),
)
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(_keys, inner, max_size=4)), max_leaves=20)


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(value, "nan" if value != value else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
            .encode("unicode_escape").decode("ascii").replace("\\\\u", "\\u") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"


@st.composite
def toml_documents(draw):
    """Documents shaped like triage.toml with hostile values, or plain hostile text."""
    if draw(st.booleans()):
        return draw(st.one_of(st.text(max_size=300), st.text(alphabet=string.printable, max_size=300),
                              st.just("a = " + "[" * 5000 + "]" * 5000), st.just("x = 1\n" * 20_000)))
    doc = draw(st.dictionaries(_keys, _values, max_size=6))
    return "\n".join(f'"{k}" = {_toml_value(v)}' for k, v in doc.items())


@pytest.mark.timeout(300)  # a hang guard for the whole run; each example has the 5 s deadline
@FUZZ
@given(text=toml_documents())
def test_fuzz_the_toml_loader_gives_a_config_or_a_sentence(text):
    tracemalloc.start()
    try:
        try:
            config = load_config(text=("fuzz.toml", text))
        except WeightsError as e:
            assert str(e) and "Traceback" not in str(e)
        else:
            assert config.default_preset in config.presets
            for preset in config.presets.values():
                assert all(0 <= w <= 10 for w in preset.weights.values())
        assert tracemalloc.get_traced_memory()[1] < MEMORY_LIMIT
    finally:
        tracemalloc.stop()


# --- fuzz: the link parameters --------------------------------------------------------------------------

_param_names = st.one_of(st.sampled_from([*KNOWN, *(f"w_{n}" for n in CRITERIA), "w_", "w_x", "embed"]),
                         st.text(max_size=12))
_param_values = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["9999-12-31", "0001-01-01", "2023-12-14", "nan", "inf", "-1", "1e308", "10", "1",
                     "https://github.com/o/r/blob/main/../../../../user", "https://github.com/o/r/blob/main/a.md",
                     "0123456789abcdef", "a" * 64, "**bold** [click](https://evil.example)", "\x00", "\n# h"]),
)


@pytest.mark.timeout(300)
@FUZZ
@given(params=st.dictionaries(_param_names, _param_values, max_size=8))
def test_fuzz_link_parameters_give_a_view_and_sentences(params, demo_config):
    tracemalloc.start()
    try:
        view = parse_view(params, demo_config)
        assert view.preset in demo_config.presets
        assert all(0 <= w <= 10 for w in view.weights.values()) and set(view.weights) == set(CRITERIA)
        if view.as_of is not None:
            parse_as_of(view.as_of)
        assert all(isinstance(p, str) and p for p in view.problems)
        assert tracemalloc.get_traced_memory()[1] < MEMORY_LIMIT
    finally:
        tracemalloc.stop()


def test_a_broken_triage_toml_is_a_sentence_and_the_app_still_ranks(tmp_path, monkeypatch):
    # issue 12, D8: any invalid triage.toml showed a traceback and left the app unusable.
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP

    (tmp_path / "triage.toml").write_text("[params]\narea_default = 2\n")
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert at.error[0].value == inline(f"{tmp_path / 'triage.toml'} [params] area_default = 2; expected a number "
                                       "from 0 to 1. Using the built-in criteria settings until it is fixed.")
    assert any(c.value.startswith("16 items ranked as of ") for c in at.caption)


def test_unexpected_errors_show_visitors_a_short_message_only():
    # issue 12, D8: Streamlit's default shows the exception and its traceback (server paths) to visitors.
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_settings_on_the_criteria_page_are_shown_as_text(tmp_path, monkeypatch):
    # issue 12, D4: the Criteria page (from issue 11) showed labels in code spans that a backtick in the
    # value closed early, letting the rest render as Markdown.
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP
    from triage.markup import code

    label = "ok`**bold** [x](https://evil.example) <img src=x>`"
    (tmp_path / "triage.toml").write_text(f'[params]\nready_labels = ["{label}"]\n')
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("app_pages/criteria.py").run()
    assert not at.exception
    ready = next(m.value for m in at.markdown if m.value.startswith("**Labels meaning ready**"))
    assert ready.startswith(f"**Labels meaning ready** {code(label)} · ")
    assert code(label) == "`` ok`**bold** [x](https://evil.example) <img src=x>` ``"  # CommonMark drops the pads
