"""The agenda parser on real minutes (Falco 2019-2025, Node.js TSC) and on the forms people write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.agenda import (
    FLAGS,
    MAX_BULLET_CHARS,
    MAX_MINUTES_BYTES,
    AgendaInputError,
    AgendaRef,
    carried_over,
    parse_agenda,
    read_minutes,
    refs_to_json,
)
from triage.facts import ItemKey

DATA = Path(__file__).parent / "data"
FALCO = DATA / "minutes"
NODE = DATA / "minutes-other"
ALL_MINUTES = sorted(FALCO.glob("*.md")) + sorted(NODE.glob("*.md"))
FALCO_2023_12_14 = FALCO / "2023-12-14-Falco-Core-Maintainers.md"


def refs_in(path: Path, **defaults: str) -> dict[str, AgendaRef]:
    return {r.ref: r for r in parse_agenda(path.read_text("utf-8"), **defaults)}


def refs(text: str, **defaults: str) -> list[str]:
    return [r.ref for r in parse_agenda(text, **defaults)]


def only(text: str, **defaults: str) -> AgendaRef:
    found = parse_agenda(text, **defaults)
    assert len(found) == 1, [r.ref for r in found]
    return found[0]


# --- every real file ------------------------------------------------------------------------------


def test_real_minutes_are_all_present():
    assert len(list(FALCO.glob("*.md"))) == 18
    assert len(list(NODE.glob("*.md"))) == 4


@pytest.mark.parametrize("path", ALL_MINUTES, ids=lambda p: p.name)
def test_every_real_file_parses_into_consistent_refs(path):
    text = path.read_text("utf-8")
    line_count = len(text.split("\n"))
    found = parse_agenda(text)
    keys = [(r.key.repo.lower(), r.key.number) for r in found]
    assert len(keys) == len(set(keys)), "one entry per item"
    for r in found:
        assert r.lines and all(1 <= n <= line_count for n in r.lines), r
        assert list(r.lines) == sorted(set(r.lines))
        assert list(r.flags) == sorted(r.flags) and set(r.flags) <= FLAGS.keys(), r
        assert r.kind in ("pull", "issue", "discussion", None)
        assert r.bullet is None or 0 < len(r.bullet) <= MAX_BULLET_CHARS
        assert ItemKey.parse(r.ref) == r.key
    firsts = [min(r.lines) for r in found]
    assert firsts == sorted(firsts), "in order of first mention"


@pytest.mark.parametrize("path", ALL_MINUTES, ids=lambda p: p.name)
def test_every_reference_line_really_names_its_number(path):
    lines = path.read_text("utf-8").split("\n")
    for r in parse_agenda(path.read_text("utf-8")):
        for n in r.lines:
            assert str(r.key.number) in lines[n - 1], (r.ref, n)


# --- Falco core maintainers, 2023-12-14 (the demo agenda) ------------------------------------------

FALCO_2023_12_14_REFS = [
    "falcosecurity/evolution#345",
    "falcosecurity/libs#1575",
    "falcosecurity/libs#1561",
    "falcosecurity/plugins#378",
    "falcosecurity/falco#1340",
    "falcosecurity/libs#1376",
    "falcosecurity/libs#1557",
    "falcosecurity/falco#2960",
    "falcosecurity/libs#1375",
    "falcosecurity/falco#2413",
    "falcosecurity/falco#2655",
    "falcosecurity/libs#1452",
    "falcosecurity/libs#1393",
    "falcosecurity/libs#381",
    "falcosecurity/libs#470",
    "falcosecurity/libs#1463",
]


def test_falco_2023_12_14_names_exactly_its_sixteen_items_in_order():
    # Not falcosecurity/kilt (a repo link on line 35) nor the @incertum-style profile links.
    assert refs(FALCO_2023_12_14.read_text("utf-8")) == FALCO_2023_12_14_REFS


def test_falco_2023_12_14_kinds_and_lines_come_from_the_urls():
    found = refs_in(FALCO_2023_12_14)
    def kind_and_lines(ref):
        return found[ref].kind, found[ref].lines

    assert kind_and_lines("falcosecurity/evolution#345") == ("issue", (40,))
    assert kind_and_lines("falcosecurity/libs#1575") == ("pull", (51,))
    assert kind_and_lines("falcosecurity/libs#1376") == ("issue", (63,))
    assert kind_and_lines("falcosecurity/libs#381") == ("issue", (75,))
    assert kind_and_lines("falcosecurity/libs#470") == ("pull", (75,))
    # https://github.com/falcosecurity/libs/issues/1463#issuecomment-1809354692
    assert kind_and_lines("falcosecurity/libs#1463") == ("issue", (76,))


def test_falco_2023_12_14_skipped_line_flags_exactly_the_three_items_under_it():
    # `SKIPPED:` is a plain paragraph right after a nested bullet, followed by a list.
    found = refs_in(FALCO_2023_12_14)
    skipped = {ref for ref, r in found.items() if "skipped" in r.flags}
    assert skipped == {"falcosecurity/libs#381", "falcosecurity/libs#470", "falcosecurity/libs#1463"}


def test_falco_2023_12_14_flags_read_from_each_bullet_and_its_sub_bullets():
    found = refs_in(FALCO_2023_12_14)
    # "(under evaluation)" on its line, "we may tag it as experimental" in its sub-bullet.
    assert found["falcosecurity/libs#1561"].flags == ("experimental", "under-evaluation")
    assert found["falcosecurity/libs#1575"].flags == (), "the sibling's flags do not leak"
    assert found["falcosecurity/libs#1463"].flags == ("if-time-permits", "skipped")
    assert found["falcosecurity/libs#381"].flags == ("skipped",)
    assert found["falcosecurity/evolution#345"].flags == ()
    assert found["falcosecurity/falco#1340"].flags == ()


def test_falco_2023_12_14_schedule_pr_reviews_block_needs_review_and_is_neglected():
    # "Schedule PR reviews for PRs or issues that have not been given priority:" (issue 10: the
    # agenda's strongest words, read as an ordinary "needs review" before).
    found = refs_in(FALCO_2023_12_14)
    under_block = FALCO_2023_12_14_REFS[5:13]
    assert {ref for ref, r in found.items() if "needs-review" in r.flags} == set(under_block)
    assert {ref for ref, r in found.items() if "neglected" in r.flags} == set(under_block)
    assert not any("priority" in r.flags for r in found.values()), "not given priority is no priority call"
    # "(wip: feature(scap): ...)" is written next to the bare URL, not a linked title.
    assert found["falcosecurity/libs#1375"].flags == ("needs-review", "neglected", "wip")


def test_falco_2023_12_14_section_bullet_and_parents_of_each_entry():
    # Issue 10: `bullet` is the item's own line; the category lines above it are its `parents`.
    found = refs_in(FALCO_2023_12_14)
    libs_1376 = found["falcosecurity/libs#1376"]
    assert libs_1376.section == ("2023-12-14 Falco Core Maintainers (monthly)", "Agenda")
    assert libs_1376.bullet == (
        "https://github.com/falcosecurity/libs/issues/1376 (Allow loading tracepoints other than the ones needed"
        " by Falco). Kindly asking core maintainers to stay open minded and support iterative progress."
    )
    assert libs_1376.parents == (
        "Schedule PR reviews for PRs or issues that have not been given priority:",
        "Discuss general sustainable path forward for massive servers (21+ Million events/s)",
    )
    assert found["falcosecurity/falco#2413"].parents == libs_1376.parents[:1]
    assert found["falcosecurity/evolution#345"].bullet == "Create new repo cncf-green-review-testing"
    assert found["falcosecurity/evolution#345"].parents == ()
    libs_1561 = found["falcosecurity/libs#1561"]
    assert libs_1561.bullet == "https://github.com/falcosecurity/libs/pull/1561 (under evaluation)"
    assert libs_1561.parents == (
        "libs 0.14.0 release for Falco 0.37.0, no libs 0.15.0 release for Falco -> discuss outstanding PRs",
    )
    assert found["falcosecurity/libs#381"].parents == ("SKIPPED:",)


def test_falco_2023_12_14_is_read_the_same_with_the_demo_default_org():
    plain = parse_agenda(FALCO_2023_12_14.read_text("utf-8"))
    assert parse_agenda(FALCO_2023_12_14.read_text("utf-8"), default_org="falcosecurity") == plain


# --- other Falco minutes ---------------------------------------------------------------------------


def test_falco_2019_links_with_comment_tails_and_number_only_text():
    found = refs_in(FALCO / "2019-07-25.md")
    assert found["falcosecurity/falco#726"].lines == (19, 25, 31)  # all with #issuecomment-515068046
    # `[office-hours#](.../issues/26)` and `[26](.../issues/26)`
    assert found["falcosecurity/office-hours#26"].lines == (19, 27)
    assert found["falcosecurity/falco#719"].kind == "pull"


def test_falco_2020_link_text_names_the_repo_when_the_url_is_a_list():
    # `[client-go#45](https://github.com/falcosecurity/client-go/pulls)`
    r = refs_in(FALCO / "2020-06-17.md")["falcosecurity/client-go#45"]
    assert (r.kind, r.lines) == (None, (29,))


def test_falco_2020_bare_number_needs_a_default_repo():
    path = FALCO / "2020-08-12-to-2020-12-16.md"  # "Hotfix 0.26.2 to include (only) #1460 fix" on line 321
    assert refs_in(path)["falcosecurity/falco#1460"].lines == (320,)
    with_repo = refs_in(path, default_repo="falcosecurity/falco")
    assert with_repo["falcosecurity/falco#1460"].lines == (320, 321)


def test_falco_2020_link_url_wins_over_a_mistyped_link_text():
    found = refs_in(FALCO / "2020-08-12-to-2020-12-16.md")  # `[#1415](.../falco/pull/1451)`
    assert 435 in found["falcosecurity/falco#1451"].lines
    assert "falcosecurity/falco#1415" not in found


def test_falco_2020_bullets_after_a_code_fence_are_not_code():
    # Lines 370-371 are 4-space-indented bullets right after a fence: CommonMark would make them an
    # indented code block, but they are the minutes' sub-bullets.
    found = refs_in(FALCO / "2020-08-12-to-2020-12-16.md")
    assert found["draios/sysdig#1690"].lines == (371,)
    assert found["draios/sysdig#1690"].section == ("Falco Community Call", "2020-10-21", "Agenda")


def test_falco_2020_names_a_different_1376_than_the_2023_libs_issue():
    found = refs_in(FALCO / "2020-08-12-to-2020-12-16.md")
    assert "falcosecurity/falco#1376" in found and "falcosecurity/libs#1376" not in found


def test_falco_2023_top_priority_tasks_are_flagged_priority():
    found = refs_in(FALCO / "2023-10-05-Falco-Core-Maintainers.md")
    prioritised = {ref for ref, r in found.items() if "priority" in r.flags}
    assert prioritised == {
        "falcosecurity/libs#987", "falcosecurity/libs#1196", "falcosecurity/falcoctl#327",
        "falcosecurity/.github#115",  # a repo name that starts with a dot
    }


def test_falco_2023_review_action_item_flags_a_pr_mentioned_earlier():
    r = refs_in(FALCO / "2023-07-06-Falco-Core-Maintainers.md")["falcosecurity/rules#76"]
    assert r.lines == (23, 81)  # "- [ ] Review https://github.com/falcosecurity/rules/pull/76"
    assert r.flags == ("needs-review",)
    # The first entry's own line, under "**Graduation items as requested by TOC**" and its "(see: ...)".
    assert r.bullet == "https://github.com/falcosecurity/rules/pull/76"
    assert r.parents == (
        "Graduation items as requested by TOC",
        "(see: https://github.com/falcosecurity/evolution/issues/281)",
        "Rule maturity framework",
    )


def test_falco_2024_graduation_blockers_are_blocked():
    found = refs_in(FALCO / "2024-02-01-Falco-Core-Maintainers.md")
    assert {ref for ref, r in found.items() if "blocked" in r.flags} == {
        "falcosecurity/evolution#359", "cncf/foundation#645",
    }


def test_falco_2024_files_tail_and_evaluate_feedback_sub_bullets():
    # "[Proposal] Kernel-side filtering https://github.com/falcosecurity/libs/pull/1867/files"
    r = refs_in(FALCO / "2024-06-06-Falco-Core-Maintainers.md")["falcosecurity/libs#1867"]
    assert (r.kind, r.lines, r.flags) == ("pull", (55,), ("needs-review", "under-evaluation"))


def test_falco_2023_refs_label_paragraph_introduces_an_indented_bullet():
    r = only((FALCO / "2023-04-27-Falco-Roadmap-Discussion.md").read_text("utf-8"))
    assert (r.ref, r.lines, r.bullet) == ("falcosecurity/evolution#259", (4,), "Proposal")


# --- Node.js TSC -----------------------------------------------------------------------------------

NODE_2023_11_22_REFS = [
    "nodejs/TSC#1473",
    "nodejs/node#50169",
    "nodejs/node#50687",
    "nodejs/node#50672",
    "nodejs/node#50669",
    "nodejs/node#50668",
    "nodejs/node#50488",
    "nodejs/node#49344",
    "nodejs/Release#953",
    "nodejs/TSC#1469",
    "nodejs/TSC#1467",
    "nodejs/node#50834",
    "nodejs/TSC#1458",
    "nodejs/admin#828",
    "nodejs/admin#826",
    "nodejs/admin#814",
]


def test_node_2023_11_22_names_exactly_its_items_in_order():
    assert refs((NODE / "nodejs-TSC-2023-11-22.md").read_text("utf-8")) == NODE_2023_11_22_REFS


def test_node_repo_heading_resolves_repo_shorthand():
    # "### nodejs/node" then "* deps,doc,lib,src,test: add experimental web storage node#50169"
    r = refs_in(NODE / "nodejs-TSC-2023-11-22.md")["nodejs/node#50169"]
    assert (r.kind, r.lines) == (None, (31,))
    assert r.section == (
        "Node.js Technical Steering Committee (TSC) Meeting 2023-11-22", "Agenda", "nodejs/node",
    )
    assert r.bullet == "deps,doc,lib,src,test: add experimental web storage node#50169"
    # "add experimental web storage" is the PR's title, not a decision to ship it as experimental.
    assert r.flags == ("tsc-agenda", "vote")  # "(or otherwise start a vote)"


def test_node_link_with_number_text_takes_the_repo_from_the_url():
    found = refs_in(NODE / "nodejs-TSC-2023-11-22.md")
    r = found["nodejs/node#50687"]  # [#50687](https://github.com/nodejs/node/pull/50687)
    assert (r.kind, r.lines, r.flags) == ("pull", (35,), ("remove-from-agenda", "tsc-agenda"))
    assert found["nodejs/Release#953"].section[-1] == "nodejs/Release"


def test_node_2023_11_22_agenda_flags():
    found = refs_in(NODE / "nodejs-TSC-2023-11-22.md")
    # "Isn't urgent and doesn't have an obvious question for the TSC to resolve. Skip for this week"
    assert found["nodejs/node#50672"].flags == ("skipped", "tsc-agenda")
    # "Geoffrey suggests we override the block as no response from blocker"
    assert found["nodejs/node#50488"].flags == ("blocked", "tsc-agenda")
    assert found["nodejs/node#49344"].flags == ("remove-from-agenda", "skipped", "tsc-agenda")
    # "... driven in the Release WG and remove\n    from TSC agenda": the phrase spans a wrapped line.
    assert found["nodejs/Release#953"].flags == ("remove-from-agenda", "tsc-agenda")
    assert found["nodejs/TSC#1469"].flags == ("tsc-agenda",)
    assert found["nodejs/TSC#1473"].flags == ()  # the meeting issue, in the Links section


def test_node_item_mentioned_in_discussion_is_not_from_the_agenda_label():
    r = refs_in(NODE / "nodejs-TSC-2023-11-22.md")["nodejs/node#50834"]
    assert r.lines == (66,)
    assert r.bullet == (
        "We may be getting closure on this through - https://github.com/nodejs/node/pull/50834, remove from agenda ?"
    )
    assert r.parents == ("Changes to our nomination process #1467",)
    assert "tsc-agenda" not in r.flags


def test_node_bare_number_under_repo_heading():
    found = refs_in(NODE / "nodejs-TSC-2024-03-20.md")
    r = found["nodejs/node#51886"]  # "* build: enable `yarn` and `pnpm` Corepack binaries by default #51886"
    assert (r.kind, r.lines, r.flags) == (None, (47,), ("deferred", "tsc-agenda"))
    assert r.bullet == "build: enable yarn and pnpm Corepack binaries by default #51886"
    assert found["nodejs/node#51994"].lines == (96,)  # "<https://github.com/nodejs/node/pull/51994>>"


def test_node_passing_mentions_do_not_set_the_flags_of_an_agenda_item():
    r = refs_in(NODE / "nodejs-TSC-2024-03-20.md")["nodejs/TSC#1518"]
    assert r.lines == (42, 45, 48, 72, 89, 98)
    # First mentioned under nodejs/node#52107; "deferred discussion to focus on - Corepack decisions
    # [#1518]" defers the other PRs, not #1518, whose own agenda entry is line 72: its context is read
    # there (issue 10: the item's own line), not at the passing mention.
    assert r.section[-1] == "nodejs/TSC"
    assert (r.bullet, r.parents) == ("Corepack decisions #1518", ())
    assert r.flags == ("tsc-agenda",)
    # The PRs it deferred keep "deferred": the sub-bullet naming #1518 speaks of them.
    assert refs_in(NODE / "nodejs-TSC-2024-03-20.md")["nodejs/node#51981"].flags == ("deferred", "tsc-agenda")


def test_node_2024_04_10_file_url_and_vote():
    found = refs_in(NODE / "nodejs-TSC-2024-04-10.md")
    # https://github.com/nodejs/package-maintenance/pull/597/files?short_path=6db9788#diff-6db97880...
    assert found["nodejs/package-maintenance#597"].kind == "pull"
    assert found["nodejs/TSC#1527"].lines == (45, 47, 60)  # "A vote has been started - <...>"
    assert found["nodejs/TSC#1527"].flags == ("vote",)
    assert found["nodejs/node#51886"].flags == ("deferred", "tsc-agenda")  # "Postponed until the vote ..."


def test_node_2025_discussions_and_flags_from_the_items_own_entry():
    found = refs_in(NODE / "nodejs-TSC-2025-07-02.md")
    assert [found[f"nodejs/bluesky#{n}"].kind for n in (140, 138, 136, 132)] == [
        "discussion", "discussion", "discussion", "pull",
    ]
    # "This is an alternative to #1754" (line 96), then its own entry with "skip for this week".
    assert found["nodejs/TSC#1754"].lines == (96, 99)
    assert found["nodejs/TSC#1754"].flags == ("needs-review", "skipped", "tsc-agenda")
    assert found["nodejs/nodejs.org#7883"].lines == (83, 86)
    # "commented on issue, and removed the tsc-agenda issue"
    assert found["nodejs/nodejs.org#7909"].flags == ("remove-from-agenda", "tsc-agenda")
    assert found["nodejs/node#58925"].flags == (), "a sibling's 'skip for this week' does not leak"


# --- carried over from earlier meetings --------------------------------------------------------------


def test_carried_over_names_earlier_falco_minutes_of_the_same_item():
    current = parse_agenda(FALCO_2023_12_14.read_text("utf-8"))
    earlier = {p.name[:10]: p.read_text("utf-8") for p in FALCO.glob("*.md") if p.name < "2023-12-14"}
    carried = carried_over(current, earlier)
    assert carried[ItemKey("falcosecurity/falco", 1340)] == ("2023-06-08", "2023-07-06", "2023-10-05")
    assert carried[ItemKey("falcosecurity/falco", 2655)] == ("2023-11-02",)
    assert carried[ItemKey("falcosecurity/libs", 470)] == ("2023-06-08",)
    # 2020-10-21 names falcosecurity/falco#1376, another repository's item.
    assert carried[ItemKey("falcosecurity/libs", 1376)] == ()
    assert set(carried) == {r.key for r in current}


def test_carried_over_sorts_names_and_compares_repos_without_case():
    current = parse_agenda("- https://github.com/Org/Repo/pull/7")
    earlier = {"b": "https://github.com/org/repo/issues/7", "a": "- org/repo#7", "c": "org/repo#8"}
    assert carried_over(current, earlier) == {ItemKey("Org/Repo", 7): ("a", "b")}


def test_carried_over_resolves_earlier_shorthand_with_the_defaults():
    current = parse_agenda("- #5", default_repo="o/r")
    assert carried_over(current, {"x": "#5"}) == {ItemKey("o/r", 5): ()}
    assert carried_over(current, {"x": "#5"}, default_repo="o/r") == {ItemKey("o/r", 5): ("x",)}


# --- JSON -------------------------------------------------------------------------------------------


def test_refs_to_json_is_what_the_cli_prints():
    found = parse_agenda(FALCO_2023_12_14.read_text("utf-8"))
    records = refs_to_json(found)
    assert records[1] == {
        "ref": "falcosecurity/libs#1575",
        "kind": "pull",
        "lines": [51],
        "section": ["2023-12-14 Falco Core Maintainers (monthly)", "Agenda"],
        "parents": [
            "libs 0.14.0 release for Falco 0.37.0, no libs 0.15.0 release for Falco -> discuss outstanding PRs",
        ],
        "bullet": "https://github.com/falcosecurity/libs/pull/1575",
        "flags": [],
    }
    assert json.loads(json.dumps(records)) == records


def test_refs_to_json_writes_null_kind_for_shorthand():
    [record] = refs_to_json(parse_agenda("- node#1", default_org="nodejs"))
    assert record["ref"] == "nodejs/node#1" and record["kind"] is None
    assert list(record) == ["ref", "kind", "lines", "section", "parents", "bullet", "flags"]


# --- reading uploaded bytes --------------------------------------------------------------------------


def test_read_minutes_decodes_utf8_and_normalises_newlines():
    assert read_minutes("\ufeff# Títle\r\n- a\rb\n".encode()) == "# Títle\n- a\nb\n"


def test_read_minutes_decodes_utf16_with_a_byte_order_mark():
    assert read_minutes("- libs#1 ✓\r\n".encode("utf-16")) == "- libs#1 ✓\n"


def test_read_minutes_refuses_binary_content():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    with pytest.raises(AgendaInputError) as caught:
        read_minutes(png, "logo.png")
    assert str(caught.value) == "logo.png looks like a binary file (it contains NUL bytes), not markdown text"


def test_read_minutes_refuses_text_that_is_not_utf8():
    with pytest.raises(AgendaInputError) as caught:
        read_minutes("café".encode("latin-1"), "minutes.md")
    assert str(caught.value).startswith("minutes.md is not UTF-8 text (byte 0xe9 at offset 3 is invalid)")


def test_read_minutes_refuses_a_20_mb_paste_naming_size_and_limit():
    with pytest.raises(AgendaInputError) as caught:
        read_minutes(b"- x\n" * 5_000_000, "paste")
    assert str(caught.value).startswith("paste is 20.0 MB (20,000,000 bytes), over the 2.0 MB limit")


def test_read_minutes_accepts_exactly_the_limit():
    assert len(read_minutes(b"a" * MAX_MINUTES_BYTES)) == MAX_MINUTES_BYTES
    with pytest.raises(AgendaInputError, match=r"over the 2\.0 MB limit"):
        read_minutes(b"a" * (MAX_MINUTES_BYTES + 1))


def test_agenda_input_error_is_a_value_error():
    assert issubclass(AgendaInputError, ValueError)
    assert AgendaInputError.__doc__ and "\n" not in AgendaInputError.__doc__


# --- the forms people write ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://github.com/o/r/pull/12", "pull"),
        ("https://github.com/o/r/issues/12", "issue"),
        ("https://github.com/o/r/discussions/12", "discussion"),
        ("https://github.com/o/r/pull/12#issuecomment-1809354692", "pull"),
        ("https://github.com/o/r/pull/12#discussion_r1344311159", "pull"),
        ("https://github.com/o/r/pull/12#pullrequestreview-1", "pull"),
        ("https://github.com/o/r/pull/12/files", "pull"),
        ("https://github.com/o/r/pull/12/files#diff-6db9788007", "pull"),
        ("https://github.com/o/r/pull/12/commits", "pull"),
        ("https://github.com/o/r/pull/12/commits/39436d67fa4e47b81a8b3cc01cc3e3f2388e7c5d", "pull"),
        ("https://github.com/o/r/pull/12/checks?check_run_id=3", "pull"),
        ("https://github.com/o/r/issues/12?w=1", "issue"),
        ("http://www.github.com/o/r/issues/12", "issue"),
        ("github.com/o/r/issues/12", "issue"),
        ("https://GitHub.com/o/r/issues/12", "issue"),
    ],
)
def test_urls_to_threads_with_any_tail(url, kind):
    for text in (f"- see {url}", f"<{url}>", f"[the fix]({url})", f"[x]({url} \"title\")", f"({url})."):
        r = only(text)
        assert (r.ref, r.kind, r.lines) == ("o/r#12", kind, (1,)), text


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/falcosecurity/kilt",  # a repository
        "https://github.com/incertum",  # a profile
        "https://github.com/falcosecurity/falco/commit/39436d67fa4e",  # a commit
        "https://github.com/orgs/falcosecurity/projects/5/views/7",  # an org project
        "https://github.com/falcosecurity/falco/milestone/13",
        "https://github.com/falcosecurity/falco/pulls?q=is%3Aopen",
        "https://github.com/falcosecurity/falco/blob/master/proposals/x.md#next-steps",
        "https://gitlab.com/o/r/issues/12",  # another host
        "https://gist.github.com/o/r/issues/12",
        "https://notgithub.com/o/r/pull/12",
        "https://circleci.com/gh/falcosecurity/falco/146#artifacts/containers/0",
    ],
)
def test_links_that_are_not_threads_are_ignored(url):
    assert refs(f"- [link]({url}) and {url} and <{url}>", default_repo="d/r") == []


def test_shorthand_forms_resolve_against_defaults():
    text = "- o/r#1, p/q#4, r#2 and #3"  # two owners: no org is inferred
    assert refs(text) == ["o/r#1", "p/q#4"]  # no default: `r#2` and `#3` say too little
    assert refs(text, default_org="org") == ["o/r#1", "p/q#4", "org/r#2"]
    assert refs(text, default_repo="a/b") == ["o/r#1", "p/q#4", "a/r#2", "a/b#3"]
    assert refs(text, default_repo="a/b", default_org="org") == ["o/r#1", "p/q#4", "org/r#2", "a/b#3"]


def test_number_in_prose_without_a_default_is_no_ref():
    assert refs("We discussed #1 on the list.") == []
    assert refs("We discussed #1 on the list.", default_repo="o/r") == ["o/r#1"]


def test_default_org_is_inferred_when_the_document_links_one_org():
    one_org = "- https://github.com/falcosecurity/libs/pull/1\n- falco#2\n- [@leogr](https://github.com/leogr)"
    assert refs(one_org) == ["falcosecurity/libs#1", "falcosecurity/falco#2"]
    two_orgs = one_org + "\n- https://github.com/cncf/foundation/issues/3"
    assert refs(two_orgs) == ["falcosecurity/libs#1", "cncf/foundation#3"]
    assert refs("- libs#1\n- see github.com/orgs/falcosecurity/projects/5") == ["falcosecurity/libs#1"]


def test_repo_heading_sets_the_repo_until_the_next_heading_of_its_level():
    text = "## Agenda\n### nodejs/node\n* a #1\n* b TSC#2\n### nodejs/TSC\n* c #3\n## Other\n* d #4"
    assert refs(text) == ["nodejs/node#1", "nodejs/TSC#2", "nodejs/TSC#3"]
    assert refs(text, default_repo="x/y") == ["nodejs/node#1", "nodejs/TSC#2", "nodejs/TSC#3", "x/y#4"]


def test_number_link_text_takes_the_repo_from_any_link_into_that_repo():
    assert refs("[#7](https://github.com/x/y) [y#8](https://github.com/x/y/pulls)") == ["x/y#7", "x/y#8"]


def test_number_text_of_an_anchor_or_foreign_link_is_no_ref():
    text = "[#12](#12) [see](#13) [#14](https://jira.example.com/14) [#15](https://github.com/x/y/issues/16)"
    assert refs(text, default_repo="o/r") == ["x/y#16"]


def test_code_spans_fences_and_comments_are_skipped():
    text = "\n".join([
        "`o/r#1` and ``https://github.com/o/r/pull/2``",
        "```",
        "o/r#3",
        "```",
        "    ~~~ text",
        "    https://github.com/o/r/pull/4",
        "    ~~~",
        "<!-- o/r#5 -->",
        "<!--",
        "o/r#6",
        "-->",
        "- o/r#7 `o/r#8`",
    ])
    r = only(text)
    assert (r.ref, r.lines) == ("o/r#7", (12,))


def test_colours_codes_escapes_paths_and_mentions_are_not_refs():
    text = "color: #123456, #000, #0123, \\#15, a/b/c#16, @alice#17, C#10, x#y, #12-fix, &#35;20"
    assert refs(text, default_repo="o/r", default_org="o") == []


def test_issue_words_before_a_number_mean_the_default_repo():
    assert refs("PR#18 and issue#19", default_repo="o/r") == ["o/r#18", "o/r#19"]


def test_repo_is_compared_without_case_and_keeps_the_first_spelling():
    r = only("- FalcoSecurity/Libs#5\n- https://github.com/falcosecurity/libs/pull/5\n- falcosecurity/libs#5")
    assert (r.ref, r.kind, r.lines) == ("FalcoSecurity/Libs#5", "pull", (1, 2, 3))


def test_refs_are_in_line_order_when_an_item_continues_after_its_sub_bullet():
    text = "- topic\n  - sub-bullet o/r#2\n  the topic's text goes on: o/r#1"
    assert [(r.ref, r.lines) for r in parse_agenda(text)] == [("o/r#2", (2,)), ("o/r#1", (3,))]


def test_line_numbers_count_crlf_and_blank_lines():
    assert only("# T\r\n\r\n\r\n- o/r#1\r\n").lines == (4,)


def test_mention_in_a_heading_has_the_heading_in_its_section_and_the_text_under_it_as_bullet():
    r = only("# Meeting\n## [Falco 0.36 RC1](https://github.com/o/r/issues/2750)\n\nText")
    assert (r.section, r.bullet) == (("Meeting", "Falco 0.36 RC1"), "Text")
    assert only("# Meeting\n## [Falco 0.36 RC1](https://github.com/o/r/issues/2750)").bullet is None


def test_setext_headings_are_sections():
    r = only("Meeting\n=======\n\nAgenda\n------\n- o/r#1")
    assert r.section == ("Meeting", "Agenda")


def test_bullet_is_the_items_own_plain_line_cut_to_its_limit():
    # Issue 10: the item's own bullet, not the category line above it (that one is a parent).
    r = only("- **Discuss** [the fix](https://x.org) `code`\n    - https://github.com/o/r/pull/1 *now*")
    assert (r.bullet, r.parents) == ("https://github.com/o/r/pull/1 now", ("Discuss the fix code",))
    long = only("- " + "word " * 100 + "o/r#1")
    assert long.bullet is not None and len(long.bullet) == MAX_BULLET_CHARS and long.bullet.endswith("…")


def test_invalid_defaults_are_refused_with_the_value():
    with pytest.raises(AgendaInputError, match="Invalid default repo 'node': expected owner/name"):
        parse_agenda("#1", default_repo="node")
    with pytest.raises(AgendaInputError, match="Invalid default org 'a/b'"):
        parse_agenda("#1", default_org="a/b")
    assert refs("#1", default_repo=" o/r ", default_org="") == ["o/r#1"]


# --- flags ----------------------------------------------------------------------------------------


def test_flag_vocabulary_documents_each_flag_in_one_line():
    assert FLAGS
    assert all(isinstance(meaning, str) and meaning and "\n" not in meaning for meaning in FLAGS.values())
    assert {"urgent", "skipped", "under-evaluation", "experimental", "needs-review", "if-time-permits",
            "blocked", "tsc-agenda", "remove-from-agenda"} <= FLAGS.keys()


def test_every_phrase_flag_has_patterns_and_keywords():
    from triage.agenda import flags as agenda_flags  # the private tables: a flag added to one must reach the others

    phrase_flags = set(FLAGS) - {"tsc-agenda"}
    assert set(agenda_flags._PATTERNS) == set(agenda_flags._KEYWORDS) == phrase_flags


@pytest.mark.parametrize(
    ("line", "flags"),
    [
        ("**[URGENT]** o/r#1", ("urgent",)),
        ("[urgent] o/r#1", ("urgent",)),
        ("o/r#1 isn't urgent", ()),
        ("o/r#1 is not URGENT", ()),
        ("o/r#1 (under evaluation)", ("under-evaluation",)),
        ("o/r#1 we may tag it as experimental", ("experimental",)),
        ("o/r#1 add experimental web storage", ()),
        ("o/r#1 needs review", ("needs-review",)),
        ("o/r#1 doesn't need review", ()),
        ("o/r#1 PTAL", ("needs-review",)),
        ("o/r#1 [if time permits]", ("if-time-permits",)),
        ("o/r#1 blocked on the design", ("blocked",)),
        ("o/r#1 should not be a blocker", ()),
        ("o/r#1 non blocking outputs", ()),
        ("o/r#1 on hold", ("blocked",)),
        ("o/r#1 Skip for this week", ("skipped",)),
        ("o/r#1 SKIPPED", ("skipped",)),
        ("o/r#1 postponed to 0.38", ("deferred",)),
        ("o/r#1 remove from the agenda for now", ("remove-from-agenda",)),
        ("o/r#1 removed agenda tag", ("remove-from-agenda",)),
        ("o/r#1 top priority for 0.37", ("priority",)),
        ("o/r#1 have not been given priority", ("neglected",)),  # issue 10: neglected, still not priority
        ("o/r#1 (wip)", ("wip",)),
        ("o/r#1 a vote has been started", ("vote",)),
        ("o/r#1 (voting member)", ()),
    ],
)
def test_flag_phrases(line, flags):
    assert only(f"- {line}").flags == flags


def test_flags_come_from_the_parent_chain_and_sub_bullets_not_siblings():
    text = "\n".join([
        "- Blocked topic",  # 1: parent of o/r#1
        "    - o/r#1",
        "    - o/r#2",
        "        - needs review",  # a sub-bullet of o/r#2 only
        "    - skip for this week",  # a sibling of o/r#1 and o/r#2
        "- o/r#3",
    ])
    found = {r.ref: r.flags for r in parse_agenda(text)}
    assert found == {"o/r#1": ("blocked",), "o/r#2": ("blocked", "needs-review"), "o/r#3": ()}


def test_heading_and_label_line_flags_cover_the_items_under_them():
    text = "## Skipped items\n- o/r#1\n## Next\nURGENT:\n- o/r#2\n\nNotes\n- o/r#3\n## Last\n- o/r#4"
    found = {r.ref: r.flags for r in parse_agenda(text)}
    assert found == {"o/r#1": ("skipped",), "o/r#2": ("urgent",), "o/r#3": (), "o/r#4": ()}


def test_a_long_paragraph_does_not_flag_the_list_after_it():
    prose = "This was blocked for a long time. " * 5  # not a short label like "SKIPPED:"
    assert only(f"{prose}\n- o/r#1").flags == ()


def test_tsc_agenda_needs_the_minutes_to_say_their_items_come_from_the_label():
    items = "### nodejs/node\n* thing #1\n  * aside about #2\n"
    assert {r.ref: r.flags for r in parse_agenda(items)} == {"nodejs/node#1": (), "nodejs/node#2": ()}
    labelled = "*Extracted from **tsc-agenda** labeled issues and pull requests.\n\n" + items
    assert {r.ref: r.flags for r in parse_agenda(labelled)} == {
        "nodejs/node#1": ("tsc-agenda",), "nodejs/node#2": (),
    }


# --- hostile input ---------------------------------------------------------------------------------

# 100-200 kB each, with the refs each one names: a backtracking pattern would take minutes here.
HOSTILE = {
    "open brackets": ("[" * 200_000, []),
    "unclosed links": ("[a](" * 50_000, []),
    "nested parens": ("[a](" + "(" * 200_000, []),
    "backtick runs": ("".join("`" * k + "a" for k in range(1, 600)), []),
    "emphasis": ("*a _b " * 35_000, []),
    "hashes": ("a#1 " * 50_000, ["o/a#1"]),  # `a#1` is repo a of default_repo's owner, 50,000 times
    "long word then hash": ("a-" * 100_000 + "#12", []),  # a repo name past 100 characters is not one
    "url prefixes": ("https://github.com/" * 10_000, []),
    "deep nesting": ("\n".join(" " * k + "- #1" for k in range(600)), ["o/r#1"]),
    "many refs": ("".join(f"- o/r#{n}\n" for n in range(1, 1_001)), [f"o/r#{n}" for n in range(1, 1_001)]),
    "one long line": ("word " * 40_000 + "https://github.com/o/r/pull/1", ["o/r#1"]),
}


@pytest.mark.timeout(60)  # a hang guard, not a benchmark: the parser takes about a second at most
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_input_is_parsed_in_linear_time(name):
    text, refs = HOSTILE[name]
    assert [r.ref for r in parse_agenda(text, default_repo="o/r")] == refs
