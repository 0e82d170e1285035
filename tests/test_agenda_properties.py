"""Invariants of the agenda parser on generated text: no crash, no invented refs, URLs round-trip."""

from __future__ import annotations

import re

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from triage.agenda import (
    FLAGS,
    MAX_MINUTES_BYTES,
    AgendaInputError,
    carried_over,
    parse_agenda,
    read_minutes,
    refs_to_json,
)
from triage.facts import ItemKey

# Parsing is fast, but the first examples of a run also pay for imports and regex compilation.
PROPERTY = settings(deadline=None, max_examples=300)

owners = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?", fullmatch=True).filter(
    lambda o: o.lower() not in {"orgs", "users", "enterprises", "settings", "sponsors", "marketplace", "apps",
                                "topics", "collections", "features", "notifications", "search", "explore",
                                "trending", "login", "organizations"}
)
repos = st.from_regex(r"[A-Za-z0-9._-]{1,30}", fullmatch=True).filter(lambda r: any(c.isalnum() for c in r))
numbers = st.integers(1, 10**9)
KIND_PATHS = {"pull": "pull", "issue": "issues", "discussion": "discussions"}
tails = st.sampled_from([
    "", "/", "#issuecomment-1809354692", "#discussion_r1344311159", "/files", "/files#diff-6db97880",
    "/commits", "/commits/39436d67fa4e47b81a8b3cc01cc3e3f2388e7c5d", "/checks", "/checks?check_run_id=7",
    "?w=1", "#pullrequestreview-42",
])
prefixes = st.sampled_from([
    "https://github.com/", "http://github.com/", "https://www.github.com/", "https://GitHub.com/",
    "github.com/",
])
link_texts = st.text(st.characters(codec="ascii", exclude_characters="[]()#`\\<>*_&!\n\r"), max_size=30)
markdown = st.text(
    st.sampled_from(list("abc xyz-*_`#[]()<>!/:.\\\n\t ~=|&;0123456789")) | st.characters(), max_size=300
)


def line_count(text: str) -> int:
    return len(text.split("\n"))


@PROPERTY
@given(text=markdown, default_repo=st.none() | st.just("o/r"), default_org=st.none() | st.just("org"))
@example(text="SKIPPED:\n- #1\n  - [#2](https://github.com/a/b)\n```\n#3", default_repo="o/r",
         default_org=None)
def test_any_text_parses_into_consistent_refs(text, default_repo, default_org):
    found = parse_agenda(text, default_repo, default_org)
    keys = [(r.key.repo.lower(), r.key.number) for r in found]
    assert len(keys) == len(set(keys))
    for r in found:
        assert r.lines and all(1 <= n <= line_count(text) for n in r.lines)
        assert set(r.flags) <= FLAGS.keys() and list(r.flags) == sorted(r.flags)
        assert ItemKey.parse(r.ref) == r.key
    firsts = [min(r.lines) for r in found]
    assert firsts == sorted(firsts), "in order of first mention"
    assert [ItemKey.parse(d["ref"]) for d in refs_to_json(found)] == [r.key for r in found]


@PROPERTY
@given(text=markdown)
def test_text_without_a_number_sign_or_github_names_nothing(text):
    text = re.sub(r"(?i)github\.com", "", re.sub(r"#(?=\d)", "", text))
    assume(not re.search(r"#\d|(?i:github\.com)", text))  # a removal can join text into a new match
    assert parse_agenda(text, default_repo="o/r", default_org="org") == []


@st.composite
def thread_urls(draw):
    owner, repo, number = draw(owners), draw(repos), draw(numbers)
    kind = draw(st.sampled_from(sorted(KIND_PATHS)))
    url = f"{draw(prefixes)}{owner}/{repo}/{KIND_PATHS[kind]}/{number}{draw(tails)}"
    return url, ItemKey(f"{owner}/{repo}", number), kind


@PROPERTY
@given(generated=thread_urls(), form=st.integers(0, 4), text=link_texts, line=st.integers(0, 3))
def test_a_thread_url_round_trips_in_every_markdown_form(generated, form, text, line):
    url, key, kind = generated
    forms = [f"see {url} now", f"<{url}>", f"[{text}]({url})", f"- [{text}]({url} \"title\")", f"({url})."]
    written = forms[form]
    document = "# Minutes\n" * line + written
    [r] = parse_agenda(document)
    assert (r.key, r.kind, r.lines) == (key, kind, (line + 1,))


@PROPERTY
@given(owner=owners, repo=repos, number=numbers)
def test_owner_repo_shorthand_round_trips(owner, repo, number):
    [r] = parse_agenda(f"- discuss {owner}/{repo}#{number} today")
    assert (r.key, r.kind) == (ItemKey(f"{owner}/{repo}", number), None)


@PROPERTY
@given(generated=thread_urls(), repeats=st.integers(2, 4))
def test_the_same_item_in_any_case_is_one_ref_with_every_line(generated, repeats):
    url, key, _ = generated
    document = "\n".join(url.swapcase() if i % 2 else url for i in range(repeats))
    [r] = parse_agenda(document)
    assert r.key == key  # the first mention's spelling
    assert r.lines == tuple(range(1, repeats + 1))


def fold(key: ItemKey) -> tuple[str, int]:
    return key.repo.lower(), key.number


@PROPERTY
@given(
    generated=st.lists(thread_urls(), min_size=1, max_size=5),
    names=st.lists(st.text(max_size=8), max_size=4, unique=True),
)
def test_carried_over_names_exactly_the_earlier_texts_naming_each_item_sorted(generated, names):
    current = parse_agenda("\n".join(url for url, _, _ in generated))
    # Earlier text i names the first i + 1 generated items.
    earlier = {name: "\n".join(url for url, _, _ in generated[: i + 1]) for i, name in enumerate(names)}
    expected = {
        r.key: tuple(sorted(
            name for i, name in enumerate(names) if fold(r.key) in {fold(k) for _, k, _ in generated[: i + 1]}
        ))
        for r in current
    }
    assert carried_over(current, earlier) == expected


@PROPERTY
@given(text=st.text(st.characters(exclude_characters="\x00\r", exclude_categories=["Cs"]), max_size=200))
def test_read_minutes_returns_utf8_text_unchanged(text):
    assume(text.removeprefix("\ufeff").strip())  # empty minutes are refused with a sentence (issue 12)
    assert read_minutes(text.encode("utf-8")) == text.removeprefix("\ufeff")


@PROPERTY
@given(raw=st.binary(max_size=300))
def test_read_minutes_reads_or_refuses_any_bytes_with_a_sentence(raw):
    try:
        text = read_minutes(raw, "upload")
    except AgendaInputError as e:
        assert str(e).startswith("upload ")
    else:
        assert "\r" not in text and "\x00" not in text


def test_read_minutes_limit_is_about_two_megabytes():
    assert 1_000_000 <= MAX_MINUTES_BYTES <= 4_000_000
