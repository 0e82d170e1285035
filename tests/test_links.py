"""Share-link parameters: plain values in, validated view out, a sentence for every ignored value."""

import pytest

from triage.links import parse_view, view_params


def test_view_params_round_trip_through_parse_view(demo_config):
    weights = {**demo_config.preset("libs first").weights, "age": 7.5, "labels": 0.0}
    params = view_params("demo", "libs first", weights, demo_config)
    assert params == {"preset": "libs first", "w_age": "7.5", "w_labels": "0"}
    view = parse_view(params, demo_config)
    assert (view.preset, view.weights, view.problems) == ("libs first", weights, [])


def test_the_default_view_has_an_empty_link(demo_config):
    preset = demo_config.preset()
    assert view_params("demo", preset.name, preset.weights, demo_config) == {}


def test_a_url_source_carries_its_file_link(demo_config):
    url = "https://github.com/falcosecurity/community/blob/main/meetings/2023-12-14.md"
    params = view_params("url", "balanced", demo_config.preset().weights, demo_config, url)
    assert params == {"source": "url", "url": url}
    view = parse_view(params, demo_config)
    assert (view.source, view.url, view.problems) == ("url", url, [])


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"w_age": "lots"}, "Weight w_age='lots' in the link is not a number from 0 to 10; ignored."),
        ({"w_age": "11"}, "Weight w_age='11' in the link is not a number from 0 to 10; ignored."),
        ({"w_age": "nan"}, "Weight w_age='nan' in the link is not a number from 0 to 10; ignored."),
        ({"w_speed": "1"}, "Unknown criterion 'speed' in the link; ignored."),
        ({"preset": "fastest"}, "Unknown preset 'fastest' in the link; showing 'balanced'."),
        ({"colour": "red"}, "Unknown link parameter 'colour'; ignored."),
        ({"source": "ftp"}, "Unknown source 'ftp' in the link; showing the demo."),
        ({"snapshot": "../etc/passwd"}, "Snapshot id '../etc/passwd' is malformed; expected hexadecimal digits."),
        ({"source": "url"}, "The link says source=url but gives no url; showing the demo."),
        ({"source": "minutes"}, "This link was made from pasted or uploaded minutes"),
        ({"as_of": "someday"}, "Invalid date 'someday'"),
    ],
)
def test_each_bad_value_is_named_and_the_default_kept(demo_config, params, problem):
    view = parse_view(params, demo_config)
    assert len(view.problems) == 1 and view.problems[0].startswith(problem)
    assert view.weights == demo_config.preset().weights
    assert view.source == "demo" and view.snapshot is None and view.as_of is None


def test_a_file_link_on_another_host_is_refused(demo_config):
    view = parse_view({"source": "url", "url": "https://evil.example/minutes.md"}, demo_config)
    assert view.source == "demo" and view.url is None
    assert "'evil.example'" in view.problems[0]


def test_a_file_link_climbing_out_of_its_repository_is_refused(demo_config):
    # issue 12, D3: this link made the server read `GET /user` with its token (and showed a TypeError).
    url = "https://github.com/o/r/blob/main/../../../../user"
    view = parse_view({"source": "url", "url": url}, demo_config)
    assert view.source == "demo" and view.url is None
    assert view.problems == [f"{url!r} climbs out of its folder (..): expected a file inside the repository; "
                             "showing the demo."]


def test_good_values_survive_next_to_bad_ones(demo_config):
    view = parse_view({"w_age": "9", "w_labels": "x", "snapshot": "ABCDEF0123456789".lower()}, demo_config)
    assert view.weights["age"] == 9 and view.weights["labels"] == demo_config.preset().weights["labels"]
    assert view.snapshot == "abcdef0123456789" and len(view.problems) == 1
