"""The agenda reader on minutes written by hand in other projects' styles (issue 10, "Agenda reading
on unseen minutes"): every reference each file names and the flags the meeting put on it, listed by
hand, plus one test per parser error the issue lists. The files are in tests/data/minutes-styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.agenda import AgendaRef, parse_agenda

STYLES = Path(__file__).parent / "data" / "minutes-styles"

# file -> (defaults, [(ref, kind, flags)] in order of first mention), written by reading each file.
EXPECTED: dict[str, tuple[dict[str, str], list[tuple[str, str | None, tuple[str, ...]]]]] = {
    "kubernetes-sig-node-2024-05-14.md": ({}, [
        ("kubernetes/enhancements#4191", "issue", ()),
        ("kubernetes/kubernetes#124500", "pull", ()),
        ("kubernetes/kubernetes#124612", None, ("blocked",)),
        ("kubernetes/kubernetes#123890", "pull", ("neglected",)),
        ("kubernetes/kubernetes#124011", "pull", ("needs-review", "neglected")),
        ("kubernetes/kubernetes#123777", "pull", ("neglected",)),
        ("kubernetes/enhancements#4569", None, ("skipped",)),
        ("kubernetes/kubernetes#123456", None, ()),
        ("kubernetes/website#46000", None, ("under-evaluation",)),
        ("kubernetes/test-infra#32500", None, ()),
        ("kubernetes/kubernetes#120001", "pull", ("neglected",)),
        ("kubernetes/kubernetes#120002", "pull", ("neglected",)),
    ]),
    "rust-lang-triage-2024-03-06.md": ({"default_repo": "rust-lang/rust"}, [
        ("rust-lang/lang-team#256", "issue", ()),
        ("rust-lang/rust#121000", "pull", ("deferred", "neglected")),
        ("rust-lang/rust#114447", "issue", ()),
        ("rust-lang/rust#114000", None, ()),
        ("rust-lang/reference#1400", "pull", ()),
        ("rust-lang/rust#120500", "pull", ()),
        ("rust-lang/rust#119700", None, ()),
        ("rust-lang/rust#119750", "pull", ()),
        ("rust-lang/rfcs#3512", "pull", ("if-time-permits",)),
    ]),
    "python-steering-council-2024-02-12.md": ({"default_repo": "python/cpython"}, [
        ("python/steering-council#220", "issue", ("deferred",)),
        ("python/cpython#115000", "issue", ("blocked",)),
        ("python/cpython#115010", "pull", ("blocked",)),
        ("python/cpython#114999", None, ("neglected",)),
        ("python/steering-council#70", "issue", ("vote",)),
    ]),
    "cncf-toc-2024-04-16.md": ({"default_repo": "cncf/toc"}, [
        ("cncf/toc#1301", "issue", ()),
        ("cncf/toc#1234", "pull", ("vote",)),
        ("cncf/toc#1250", None, ("blocked",)),
        ("cncf/toc#1260", None, ("blocked",)),
        ("cncf/toc#1270", "issue", ()),
        ("cncf/toc#1111", None, ("neglected",)),
        ("cncf/toc#1112", None, ("neglected",)),
        ("cncf/tag-security#1180", None, ()),
        ("cncf/tag-security#1185", "pull", ()),
    ]),
    "openjs-cpc-2024-06-05.md": ({"default_repo": "openjs-foundation/cross-project-council"}, [
        ("openjs-foundation/cross-project-council#1300", "issue", ()),
        ("openjs-foundation/cross-project-council#1290", "pull", ("tsc-agenda",)),
        ("openjs-foundation/cross-project-council#1285", "issue", ("needs-review", "skipped", "tsc-agenda")),
        ("openjs-foundation/cross-project-council#1280", None, ("tsc-agenda", "vote")),
        ("openjs-foundation/standards#310", None, ("tsc-agenda",)),
    ]),
    "apache-arrow-sync-2024-01-10.md": ({"default_repo": "apache/arrow"}, [
        ("apache/arrow#39500", None, ("blocked",)),
        ("apache/arrow#39512", "issue", ("blocked",)),
        ("apache/arrow#39520", "pull", ("blocked",)),
        ("apache/arrow-rs#5300", None, ("neglected",)),
        ("apache/arrow#38000", "issue", ("under-evaluation",)),
        ("apache/arrow#37000", None, ()),
        ("apache/arrow#39600", "pull", ("needs-review",)),
        ("apache/arrow#39650", "pull", ("if-time-permits",)),
    ]),
    # Held out: written with their references before the parser read them (see the folder's README).
    "golang-proposal-review-2024-02-07.md": ({"default_repo": "golang/go"}, [
        ("golang/go#61405", None, ()),
        ("golang/go#62483", None, ()),
        ("golang/go#59999", None, ()),
        ("golang/go#64200", None, ("neglected",)),
        # "waiting for review of the API sketch; see also #18368 and golang/tools#123": a passing mention
        # takes the flags of its line (flags are read per line, not per phrase).
        ("golang/go#18368", None, ("neglected",)),
        ("golang/tools#123", None, ("neglected",)),
        ("golang/go#60000", None, ("blocked",)),
    ]),
    "istio-community-2024-05-02.md": ({"default_repo": "istio/istio"}, [
        ("istio/istio#50000", "issue", ()),
        ("istio/istio#50321", "pull", ("needs-review",)),
        ("istio/istio.io#14500", "pull", ("deferred",)),
        ("istio/ztunnel#1100", None, ("blocked",)),
    ]),
    "opentelemetry-collector-sig-2024-03-13.md": ({"default_repo": "open-telemetry/opentelemetry-collector"}, [
        ("open-telemetry/opentelemetry-collector#9700", None, ("needs-review",)),
        ("open-telemetry/opentelemetry-collector#9701", "issue", ()),
        ("open-telemetry/opentelemetry-collector-contrib#31500", "pull", ("neglected",)),
        ("open-telemetry/opentelemetry-collector-contrib#31555", "pull", ("neglected",)),
        ("open-telemetry/opentelemetry-collector#9650", "pull", ()),
    ]),
    "npm-rfc-2024-01-24.md": ({"default_repo": "npm/rfcs"}, [
        ("npm/rfcs#736", "pull", ("neglected",)),
        ("npm/rfcs#588", "issue", ()),
        ("npm/cli#7100", "issue", ("skipped",)),
        ("npm/cli#6500", None, ()),
    ]),
    "cncf-tag-security-2024-06-19.md": ({"default_repo": "cncf/tag-security"}, [
        ("cncf/tag-security#1200", None, ()),
        # "stale, no response from the project since March": a bare "stale," is also how notes speak of
        # caches, so it is not read as neglected (the one flag of the held-out files the reader misses).
        ("cncf/tag-security#1150", "issue", ()),
        ("cncf/tag-security#1210", "pull", ()),
        ("cncf/toc#1300", "pull", ("under-evaluation",)),
    ]),
}


def read(name: str) -> dict[str, AgendaRef]:
    defaults, _ = EXPECTED[name]
    return {r.ref: r for r in parse_agenda((STYLES / name).read_text("utf-8"), **defaults)}


def test_every_style_file_is_listed():
    assert sorted(p.name for p in STYLES.glob("*.md") if p.name != "README.md") == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_each_file_names_exactly_its_items_with_their_kinds_and_flags(name):
    defaults, expected = EXPECTED[name]
    found = parse_agenda((STYLES / name).read_text("utf-8"), **defaults)
    assert [(r.ref, r.kind, r.flags) for r in found] == expected


# --- one test per parser error issue 10 lists ---------------------------------------------------------


def test_reference_style_links_resolve_to_their_definition():
    # `[#70]` with `[#70]: https://github.com/python/steering-council/issues/70`, not python/cpython#70.
    found = read("python-steering-council-2024-02-12.md")
    assert found["python/steering-council#70"].lines == (14, 20)
    assert "python/cpython#70" not in found
    # `[gh-115010][gh-115010]` and `[the typing thread][sc-220]`: full reference links.
    assert found["python/cpython#115010"].kind == "pull"
    assert found["python/steering-council#220"].lines == (7, 20)
    # `[PR 39520][pr39520]`: the definition names the item the text does not.
    assert read("apache-arrow-sync-2024-01-10.md")["apache/arrow#39520"].lines == (10,)


def test_definition_lines_are_not_mentions_and_an_undefined_label_is_text():
    text = "- see [#70] and [#71]\n\n[#70]: https://github.com/o/r/pull/70\n[x]: https://example.com"
    assert [(r.ref, r.kind, r.lines) for r in parse_agenda(text, default_repo="d/r")] == [
        ("o/r#70", "pull", (1,)), ("d/r#71", None, (1,)),
    ]
    # A label matches without case and with its blanks collapsed, as CommonMark says.
    assert [r.ref for r in parse_agenda("[The  Fix][PR]\n\n[pr]: https://github.com/o/r/pull/9")] == ["o/r#9"]


def test_counted_words_are_not_issues():
    # "Topic #1 … #4" (CNCF), "Question #1", "Questions #2 and #3" (Python), "Item #3", "Option #2" (Apache).
    assert not any(r.key.number < 10 for r in read("cncf-toc-2024-04-16.md").values())
    assert not any(r.key.number < 10 for r in read("python-steering-council-2024-02-12.md").values())
    assert not any(r.key.number < 10 for r in read("apache-arrow-sync-2024-01-10.md").values())


@pytest.mark.parametrize(
    "text",
    ["Topic #1", "Topics #1-#4", "topic #2: intro", "Question #1", "Questions #2 and #3", "Item #3",
     "agenda item #3", "Option #2", "option #1 or #2", "Step #4", "Part #2", "Session #3", "Meeting #12",
     "Topic#1", "our #1 priority", "the #1 item", "Questions #1, #2, #3 and #4", "Topic #1 … #4"],
)
def test_counted_word_forms(text):
    assert parse_agenda(text, default_repo="o/r") == []


@pytest.mark.parametrize(("text", "ref"), [("Issue #3", "o/r#3"), ("PR #4", "o/r#4"), ("see #5", "o/r#5"),
                                         ("fixes #6", "o/r#6"), ("GH-7", "o/r#7"), ("gh-8", "o/r#8")])
def test_words_that_name_an_issue_still_do(text, ref):
    assert [r.ref for r in parse_agenda(text, default_repo="o/r")] == [ref]


def test_a_table_row_is_a_line_of_its_own_under_the_label_above_the_table():
    text = "\n".join([
        "Needs attention:", "| topic | link |", "|---|---|", "| a | https://github.com/o/r/pull/1 |",
        "| b | o/r#2 postponed |",
    ])
    assert [(r.ref, r.flags, r.parents) for r in parse_agenda(text)] == [
        ("o/r#1", ("neglected",), ("Needs attention:",)),
        ("o/r#2", ("deferred", "neglected"), ("Needs attention:",)),
    ]


def test_number_in_the_text_of_a_link_to_another_item_is_its_own_reference():
    # `[Fix ICE in the trait solver, follow-up to #119700](https://github.com/rust-lang/rust/pull/119750)`:
    # a copied title's #N means the linked item's repository.
    found = read("rust-lang-triage-2024-03-06.md")
    assert found["rust-lang/rust#119700"].lines == found["rust-lang/rust#119750"].lines == (52,)
    # ... and `[Falco assessment, follow-up to #1180](https://github.com/cncf/tag-security/pull/1185)`
    # means cncf/tag-security#1180, not the default repository's #1180.
    assert "cncf/tag-security#1180" in read("cncf-toc-2024-04-16.md")
    assert "cncf/toc#1180" not in read("cncf-toc-2024-04-16.md")


def test_number_in_the_text_of_a_link_elsewhere_is_the_default_repositorys():
    text = "- [Thread about #12 and the release](https://lists.example.org/t/42)"
    assert [r.ref for r in parse_agenda(text, default_repo="o/r")] == ["o/r#12"]
    # A text that only names its target stays no second reference.
    names = "[#12](https://jira.example.com/12) [#13 (comment)](https://github.com/o/r/issues/14#c1)"
    assert [r.ref for r in parse_agenda(names, default_repo="o/r")] == ["o/r#14"]


def test_an_item_linked_as_an_issue_then_as_a_pull_is_a_pull():
    # GitHub redirects /issues/N of a pull request to /pull/N: /pull/ is conclusive.
    assert read("kubernetes-sig-node-2024-05-14.md")["kubernetes/kubernetes#124500"].kind == "pull"
    text = "- https://github.com/o/r/pull/5\n- https://github.com/o/r/issues/5\n- o/r#5"
    assert parse_agenda(text)[0].kind == "pull"


# --- context --------------------------------------------------------------------------------------------


def test_a_flag_stays_on_its_own_line_in_a_file_without_blank_lines():
    # "Notes from last week:" then two lines: "... is under evaluation" is the second line's only.
    found = read("kubernetes-sig-node-2024-05-14.md")
    assert found["kubernetes/kubernetes#123456"].flags == ()
    assert found["kubernetes/website#46000"].flags == ("under-evaluation",)
    # "Follow-ups" then three lines: each keeps its own words.
    arrow = read("apache-arrow-sync-2024-01-10.md")
    assert [arrow[f"apache/arrow#{n}"].flags for n in (37000, 39600, 39650)] == [
        (), ("needs-review",), ("if-time-permits",),
    ]


def test_a_paragraph_spreads_no_flag_over_a_whole_file_without_blank_lines():
    lines = ["Meeting notes"] + [f"Topic {n}: https://github.com/o/r/pull/{n}" for n in range(10, 50)]
    lines[25] += " (postponed)"
    found = parse_agenda("\n".join(lines))
    assert [r.ref for r in found if r.flags] == ["o/r#34"]


def test_flags_are_never_taken_from_a_linked_title():
    # "[Project Priorities budget](...)" is no priority call; "[disable deferred inlining](...)" defers nothing.
    assert read("cncf-toc-2024-04-16.md")["cncf/toc#1301"].flags == ()
    assert read("rust-lang-triage-2024-03-06.md")["rust-lang/rust#120500"].flags == ()
    text = "- [URGENT: blocked on review](https://github.com/o/r/pull/1) https://github.com/o/r/labels/high-priority"
    assert parse_agenda(text)[0].flags == ()


def test_bullet_is_the_items_own_line_and_parents_the_lines_above():
    found = read("kubernetes-sig-node-2024-05-14.md")
    r = found["kubernetes/kubernetes#123890"]
    assert r.bullet == (
        "https://github.com/kubernetes/kubernetes/pull/123890 (kubelet: fix stale pod status after restart)"
        " waiting on approvers for 6 weeks"
    )
    assert r.parents == ("[Carla] PRs needing attention:",)
    toc = read("cncf-toc-2024-04-16.md")["cncf/toc#1260"]
    assert (toc.bullet, toc.parents) == (
        "Blocked on the security audit (cncf/toc#1260)", ("Graduation", "Example graduation cncf/toc#1250"),
    )
    assert toc.section == ("CNCF TOC Meeting - April 16, 2024", "Agenda", "Topic #2: Project reviews")


def test_block_quotes_keep_their_headings_and_bullets():
    found = read("openjs-cpc-2024-06-05.md")
    # `> ### openjs-foundation/standards` then `> * TC39 delegate rotation #310`.
    assert found["openjs-foundation/standards#310"].section[-1] == "openjs-foundation/standards"
    # `>   * needs review from the board liaison` flags its own bullet's item, not the siblings.
    assert "needs-review" in found["openjs-foundation/cross-project-council#1285"].flags
    assert "needs-review" not in found["openjs-foundation/cross-project-council#1290"].flags
    assert found["openjs-foundation/cross-project-council#1290"].bullet == "Update the travel fund policy #1290"


def test_a_quote_inside_a_bullet_belongs_to_the_bullet():
    text = "- https://github.com/o/r/pull/1\n  > the author asked: postponed?\n- https://github.com/o/r/pull/2"
    assert [r.flags for r in parse_agenda(text)] == [("deferred",), ()]


def test_an_item_written_as_a_heading_keeps_the_discussion_under_it():
    found = read("rust-lang-triage-2024-03-06.md")
    r = found["rust-lang/rust#121000"]
    # "waiting for review for a long time" and "postponed until ..." are three paragraphs below it.
    assert r.flags == ("deferred", "neglected")
    assert r.bullet == "TC: This has been waiting for review for a long time; the author rebased it twice."
    assert r.section[-1] == '"Stabilize let chains in the 2024 edition" rust#121000'
    # The discussion ends at the next heading: rust#114447 gets none of it.
    assert found["rust-lang/rust#114447"].flags == ()
    # A mention inside the discussion is a passing one: #114000 takes nothing from its heading.
    assert found["rust-lang/rust#114000"].bullet == "Josh: This is the follow-up to #114000; see also the reference PR."


def test_an_item_written_as_a_setext_heading_is_one_block():
    r = parse_agenda("# Meeting\n\n[Release 0.37](https://github.com/o/r/issues/5)\n---\n\nDiscussion: postponed")[0]
    assert (r.section, r.bullet, r.flags) == (("Meeting", "Release 0.37"), "Discussion: postponed", ("deferred",))


def test_the_title_heading_is_not_an_item_heading():
    # Else everything in the document would be the discussion of the meeting's own issue.
    text = "# Meeting on https://github.com/o/r/issues/1\n\n- https://github.com/o/r/pull/2 postponed\n\nSkip it today"
    assert [(r.ref, r.flags) for r in parse_agenda(text)] == [("o/r#1", ()), ("o/r#2", ("deferred",))]


# --- the neglected flag (issue 10, part 4) ----------------------------------------------------------------


def test_neglected_under_a_heading_or_bullet_that_says_items_waited():
    found = read("kubernetes-sig-node-2024-05-14.md")
    # "### Stale PRs" heading, and the "[Carla] PRs needing attention:" bullet.
    assert {ref for ref, r in found.items() if "neglected" in r.flags} == {
        "kubernetes/kubernetes#123890", "kubernetes/kubernetes#124011", "kubernetes/kubernetes#123777",
        "kubernetes/kubernetes#120001", "kubernetes/kubernetes#120002",
    }


@pytest.mark.parametrize(
    ("line", "neglected"),
    [
        ("PRs or issues that have not been given priority:", True),
        ("Needs attention", True),
        ("PRs needing some attention", True),
        ("Stale PRs", True),
        ("Stale:", True),
        ("[lifecycle/stale]", True),
        ("waiting for review", True),
        ("waiting on maintainers", True),
        ("waiting for a maintainer review", True),
        ("open for months without a reply", True),
        ("no response from the maintainers", True),
        ("haven't been reviewed yet", True),
        ("fell through the cracks", True),
        ("waiting on the author", False),
        ("doesn't need attention", False),
        ("fix a stale cache entry", False),
        ("No response", False),
        ("top priority", False),
    ],
)
def test_neglected_phrases(line, neglected):
    r = parse_agenda(f"- {line} https://github.com/o/r/pull/1")[0]
    assert ("neglected" in r.flags) == neglected


def test_skipped_and_if_time_permits_stay_on_their_own_line():
    text = "\n".join([
        "SKIPPED: https://github.com/o/r/pull/1",
        "https://github.com/o/r/pull/2 [if time permits]",
        "https://github.com/o/r/pull/3",
    ])
    assert [r.flags for r in parse_agenda(text)] == [("skipped",), ("if-time-permits",), ()]
