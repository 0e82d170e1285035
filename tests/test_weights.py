"""Criteria settings from TOML: overlays, presets, and a clear sentence for every mistake."""

import pytest

from triage.ranking.criteria import CRITERIA
from triage.ranking.weights import WeightsError, load_config


def write(tmp_path, text, name="triage.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_built_in_defaults_cover_every_criterion():
    config = load_config()
    assert set(config.preset().weights) == set(CRITERIA)
    assert config.default_preset == "balanced"
    assert config.preset("waiting first").weights["waiting_on_maintainers"] == 6


def test_demo_overlay_adds_falco_vs_libs_presets(demo_config):
    libs = demo_config.preset("libs first")
    assert libs.weights["area"] == 5
    assert libs.params.area_weights == (("falcosecurity/libs", 1.0), ("*", 0.2))
    assert demo_config.preset().params.release_targets == ("0.37.0", "0.14.0")
    assert "poiana" in demo_config.people.bots


def test_overlay_replaces_weights_and_params_it_names(tmp_path):
    path = write(tmp_path, '[weights]\nage = 7\n[params]\nage_half_days = 30\n[params.area]\n"a/*" = 0.9\n')
    config = load_config([path])
    assert config.preset().weights["age"] == 7
    assert config.preset().weights["readiness"] == 1  # untouched
    assert config.preset().params.age_half_days == 30
    assert config.preset().params.area_weights == (("a/*", 0.9),)
    assert config.sources == ("built-in", str(path))


def test_triage_toml_in_the_working_directory_is_read(tmp_path):
    write(tmp_path, 'default_preset = "mine"\n[presets.mine]\nlabels = 9\n')
    config = load_config(local=tmp_path)
    assert config.default_preset == "mine" and config.preset().weights["labels"] == 9


def test_uploaded_text_overlay(tmp_path):
    config = load_config(text=("upload.toml", "[weights]\narea = 4\n"))
    assert config.preset().weights["area"] == 4 and config.sources[-1] == "upload.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[weights]\nspeed = 1\n", "[weights]: unknown criterion 'speed'; expected one of waiting_on_maintainers"),
        ("[weights]\nage = 'high'\n", "[weights]: age = 'high' is not a number; expected 0 to 10"),
        ("[weights]\nage = 11\n", "[weights]: age = 11 is out of range; expected 0 to 10"),
        ("[weights]\nage = -1\n", "age = -1 is out of range"),
        ("[weights]\nage = true\n", "age = True is not a number"),
        ("[weights\nage = 1\n", "is not valid TOML"),
        ("[params]\nspeed = 1\n", "[params] speed: unknown parameter"),
        ("[params.area]\n\"a/b\" = 2\n", "[params.area]: 'a/b' = 2; expected a number from 0 to 1"),
        ("[params]\nrelease_targets = '0.37'\n", "release_targets must be a list of strings"),
        ("[params]\nwaiting_half_days = 0\n", "waiting_half_days = 0; expected a whole number from 1 to 100,000"),
        ("default_preset = 'nope'\n", "default_preset 'nope' is not a preset"),
        ("[presets.x]\nage = 'a'\n", "[presets.'x']: age = 'a' is not a number"),
        ("colour = 1\n", "unknown table or key 'colour'"),
    ],
)
def test_mistakes_get_a_sentence_naming_file_table_and_value(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(WeightsError) as e:
        load_config([path])
    assert message in str(e.value)
    if "valid TOML" not in message:
        assert str(path) in str(e.value)


def test_missing_file_and_unknown_preset(tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        load_config([tmp_path / "nope.toml"])
    with pytest.raises(WeightsError, match="Unknown preset 'fastest'; expected one of balanced"):
        load_config().preset("fastest")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "w.toml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(WeightsError, match="is not UTF-8 text"):
        load_config([path])


def test_people_by_repo_names_each_repositorys_own_maintainers(tmp_path):
    path = write(tmp_path, '[people]\nmaintainers = ["leogr"]\n[people.by_repo]\n'
                           '"falcosecurity/plugins" = ["MStemm", "leogr"]\n')
    people = load_config([path]).people
    assert people.by_repo == {"falcosecurity/plugins": {"mstemm", "leogr"}}
    assert people.for_repo("falcosecurity/plugins").is_maintainer("mstemm")
    bad = write(tmp_path, '[people.by_repo]\nplugins = ["leogr"]\n', "bad.toml")
    with pytest.raises(WeightsError, match=r"bad.toml \[people.by_repo\]: 'plugins' is not a repository; "
                                           "expected owner/name"):
        load_config([bad])


def test_new_flag_names_and_the_time_permits_cap_are_settings():
    params = load_config().preset().params
    assert dict(params.flag_scores) == {"urgent": 1.0, "neglected": 0.9, "skipped": 0.9, "needs-review": 0.5}
    assert params.time_permits_cap == 0.1
