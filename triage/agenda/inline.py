"""One line of inline markdown -> the GitHub references written in it and the text a reader sees.

`read_inline` finds full URLs to pulls, issues and discussions (in links, reference-style links,
autolinks or bare text, with any comment, file, commit or check tail), `owner/repo#N`, `repo#N`,
`#N` and GitHub's `GH-N`. Code spans are skipped. Inside a link's text, `#N` resolves against the
link's repository when the link points into GitHub (a copied title, "Follow-up to #12"), and against
the default repository otherwise; a text that is nothing but a name (`[#12](...)`, `[PR #12 (comment)]`)
names the link's target and is no second reference. Counted words are not references ("Topic #1",
"Question #2 and #3", "our #1 priority"). Resolving `repo#N` and `#N` against default repositories is
`agenda.read_agenda`'s job.

Besides the plain text a reader sees, each line gives its prose: the minutes' own words, without
link texts and URLs, which are the titles and addresses of what is linked. Flags are read from prose
only, so a linked "Project Priorities budget" is not a priority call.

Every regular expression is bounded, possessive or anchored on a literal, and pairing (code spans,
emphasis) is done in single passes, so a hostile line costs time in proportion to its length.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from triage.facts import Kind

_KINDS: dict[str, Kind] = {"pull": "pull", "issues": "issue", "discussions": "discussion"}
# First path segments of github.com that are not a user or organisation.
_NOT_OWNERS = frozenset({
    "orgs", "users", "enterprises", "settings", "sponsors", "marketplace", "apps", "topics",
    "collections", "features", "notifications", "search", "explore", "trending", "login",
    "organizations",
})
_ORG_PREFIX = "orgs"  # github.com/orgs/<org>/projects/5 names the org in its second segment
# Words written before `#N` that say "issue" rather than name a repo ("PR#12" is `#12`).
_ITEM_WORDS = frozenset({"pr", "prs", "pull", "issue", "issues", "bug", "ticket"})
_NOT_REPOS = frozenset({"c", "f", "j"})  # C#10, F#: language names, not repositories
# Words that count things rather than name issues: "Topic #1", "Question #2", "Item #3", "Option #2".
_COUNTED_WORDS = frozenset({
    "topic", "question", "item", "option", "point", "step", "part", "phase", "stage", "round", "session",
    "meeting", "week", "day", "slide", "page", "chapter", "section", "line", "episode", "sprint", "rank",
    "priority", "priorities",
})
_COUNTED = "|".join(sorted(_COUNTED_WORDS))
_COUNT_WINDOW = 80  # characters looked at before `#N` for a counted word and a run like "#1, #2 and "
_COUNTED_BEFORE = re.compile(
    rf"(?i)\b(?:{_COUNTED})s?[ \t]{{1,3}}"
    r"(?:#?\d{1,10}[ \t]{0,3}(?:[-\u2013\u2014,&/+]|\.{2,3}|\u2026|to|through|thru|and|or)[ \t]{0,3}){0,8}$"
)
_COUNTED_AFTER = re.compile(
    r"(?i)[ \t]{1,3}(?:priority|priorities|topic|item|question|goal|concern|ask|choice|pick|thing|reason)\b"
)
_LINK_TEXT_MAX = 500  # longer bracketed text is not taken for a link text, which bounds the pattern

_OWNER = r"[A-Za-z0-9][A-Za-z0-9-]{0,38}"
_REPO = r"[A-Za-z0-9._-]{1,100}"
OWNER_NAME = re.compile(_OWNER)  # a GitHub user or organisation name
REPO_NAME = re.compile(rf"{_OWNER}/{_REPO}")  # `owner/name`
# Not after a letter, dot or dash: gist.github.com and notgithub.com are other hosts.
_GITHUB = r"(?<![\w.@-])(?:https?:/{1,2})?(?:www\.)?github\.com/"
_ITEM_URL = re.compile(
    _GITHUB + rf"(?P<owner>{_OWNER})/(?P<repo>{_REPO})/"
    r"(?P<kind>pull|issues|discussions)/(?P<number>\d{1,10})(?!\w)",
    re.IGNORECASE,
)
_REPO_URL = re.compile(_GITHUB + rf"(?P<owner>{_OWNER})/(?P<repo>{_REPO})", re.IGNORECASE)
# Any URL, hidden before shorthand is read: `page#12` inside a URL is an anchor, not `#12`.
_ANY_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]{0,30}://|www\.|github\.com/)\S*")
# After a path, a mention, an anchor or an entity (`a/b/c#1`, `@x#1`, `&#35;`) it is not a reference;
# issue numbers have no leading zero (`#000` and `#007` are colours or codes).
_SHORTHAND = re.compile(
    rf"(?<![\w./@#&\\-])(?:(?P<owner>{_OWNER})/)?(?P<repo>{_REPO})?#(?P<number>[1-9]\d{{0,9}})(?![\w-])"
)
# GitHub links `GH-26` like `#26` (its "autolinked references" documentation); CPython writes `gh-26`.
_GH_NUMBER = re.compile(r"(?i)(?<![\w./@#&\\-])gh-(?P<number>[1-9]\d{0,9})(?![\w-])")
# `color: #123456` is a colour even without a leading zero.
_COLOUR_BEFORE = re.compile(r"(?i)(?:colou?r|hex|fill|background)\s{0,3}[:=]?\s{0,3}$")
# A link text that only names its target: `#12`, `o/r#12`, `PR #12`, `#12 (comment)`.
_NAME_ONLY = re.compile(
    r"(?i)[\W_]*+(?:(?:prs?|pulls?|requests?|issues?|comments?|discussions?|tickets?|bugs?|gh|no)\b[\W_]*+)*+"
)

# Backslash-escaped punctuation stands for itself and is not markup ("\[v18.x\]", or "\#12", which
# GitHub does not link either): markup characters become private-use stand-ins until shown.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_STAND_INS = {c: chr(0xE000 + i) for i, c in enumerate("\\`*_[]()<>#!~")}
_PROTECT = str.maketrans(_STAND_INS)
_UNPROTECT = str.maketrans({v: k for k, v in _STAND_INS.items()})
_BACKTICKS = re.compile(r"`+")
_LINK_TEXT = rf"(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*+\]){{0,{_LINK_TEXT_MAX}}}+)"
_LINK = re.compile(
    rf"!?\[{_LINK_TEXT}\]"
    r"\([ \t]*+(?:<(?P<adest>[^<>\n]*+)>|(?P<dest>[^\s()<>]*+(?:\([^\s()]*+\)[^\s()<>]*+)*+))"
    r"(?:[ \t]++(?:\"[^\"\n]*+\"|'[^'\n]*+'|\([^()\n]*+\)))?[ \t]*+\)"
)
# `[text][label]`, `[label][]` and `[label]`: a link only when the document defines the label.
_REF_LINK = re.compile(rf"!?\[{_LINK_TEXT}\](?:\[(?P<label>[^\[\]\n]{{0,{_LINK_TEXT_MAX}}}+)\])?")
# `[label]: destination "title"` on a line of its own (any indentation: minutes nest them in lists).
DEFINITION = re.compile(
    rf"[ \t]*+\[(?P<label>[^\[\]\n]{{1,{_LINK_TEXT_MAX}}}+)\]:[ \t]*+(?:<(?P<adest>[^<>\n]*+)>|(?P<dest>\S++))"
    r"(?:[ \t].*+)?"
)
_MARKUP = re.compile(
    _LINK.pattern
    + r"|<(?P<url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*+)>"  # an autolink: shown as its URL
    + r"|</?[A-Za-z][A-Za-z0-9-]{0,30}+(?:\s[^<>\n]{0,500}+)?/?>"  # an HTML tag: not shown
)
_DELIMITERS = re.compile(r"\*+|_+|~~")
_SPACES = re.compile(r"\s+")
# A line without any of these is plain words: no markup, no reference, no URL (the common case).
_SPECIAL = re.compile(r"[#\[\]<>`\\*_~&]|://|(?i:www\.|github|gh-)")


@dataclass(frozen=True, slots=True)
class Mention:
    """A reference as written, before `repo#N` and `#N` are resolved against defaults."""

    number: int
    repo: str | None = None  # the repository name; None for `#N`
    owner: str | None = None  # None for `repo#N` and `#N`
    kind: Kind | None = None  # only URLs say it


@dataclass(frozen=True, slots=True)
class InlineLine:
    """What one line says: its plain text, its prose, its references and the owners its URLs name."""

    plain: str
    prose: str  # the plain text without link texts and URLs: the minutes' own words
    mentions: tuple[Mention, ...]  # in the order they are written
    owners: tuple[str, ...]  # of github.com/OWNER/REPO... URLs and `owner/repo#N` references
    cut: bool = False  # it holds more references than it was allowed to read: `mentions` has the first ones


def label_key(label: str) -> str:
    """A link label as CommonMark matches it: case-folded, with runs of blanks as one space."""
    return " ".join(label.split()).casefold()


def _code_spans(s: str) -> list[tuple[int, int, int, int]]:
    """Inline code spans as (open start, content start, content end, close end), paired in one pass."""
    runs = [m.span() for m in _BACKTICKS.finditer(s)]
    later: dict[int, list[int]] = {}  # run length -> indexes of the runs of that length, last first
    for i in reversed(range(len(runs))):
        later.setdefault(runs[i][1] - runs[i][0], []).append(i)
    spans = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        same = later[end - start]
        while same and same[-1] <= i:
            same.pop()
        if not same:  # no closing run of the same length: the backticks are literal
            i += 1
            continue
        j = same[-1]
        spans.append((start, end, runs[j][0], runs[j][1]))
        i = j + 1
    return spans


def _blank(s: str, spans: Iterable[tuple[int, int]]) -> str:
    """`s` with the given spans replaced by spaces (positions are kept)."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if end <= pos:
            continue
        start = max(start, pos)
        out += [s[pos:start], " " * (end - start)]
        pos = end
    out.append(s[pos:])
    return "".join(out)


def _drop_emphasis(s: str) -> str:
    """`s` without the `*`, `_` and `~~` runs that pair up as emphasis (simplified CommonMark rules)."""
    runs = list(_DELIMITERS.finditer(s))
    openers: dict[str, list[int]] = {}
    paired: set[int] = set()
    for i, m in enumerate(runs):
        start, end = m.span()
        before, after = s[start - 1 : start] or " ", s[end : end + 1] or " "
        char = m[0][0]
        # Intraword underscores (snake_case) neither open nor close.
        can_open = not after.isspace() and (char != "_" or not before.isalnum())
        can_close = not before.isspace() and (char != "_" or not after.isalnum())
        stack = openers.setdefault(char, [])
        if can_close and stack:
            paired.update((stack.pop(), i))
        elif can_open:
            stack.append(i)
    out, pos = [], 0
    for i in sorted(paired):
        out.append(s[pos : runs[i].start()])
        pos = runs[i].end()
    out.append(s[pos:])
    return "".join(out)


def _defined(defs: Mapping[str, str], m: re.Match[str]) -> str | None:
    """The destination of a reference-style link match, or None when its label is not defined."""
    label = m["label"] or m["text"]  # `[text][]` and `[text]` use the text as the label
    return defs.get(label_key(label)) if label.strip() else None


def _render(s: str, defs: Mapping[str, str], prose: bool) -> str:
    """Shown text of escaped inline markdown (link text, not link syntax, emphasis or tags); in `prose`,
    links and URLs are left out altogether."""
    if "[" in s or "<" in s:
        if prose:
            s = _MARKUP.sub(lambda m: " " if m["text"] is not None or m["url"] else "", s)
        else:
            s = _MARKUP.sub(lambda m: m["url"] or m["text"] or "", s)
        if defs and "[" in s:
            s = _REF_LINK.sub(lambda m: m[0] if _defined(defs, m) is None else " " if prose else m["text"], s)
    if prose and ("://" in s or "www." in s.lower() or "github.com/" in s.lower()):
        s = _ANY_URL.sub(" ", s)
    s = _drop_emphasis(s).translate(_UNPROTECT)
    return _SPACES.sub(" ", html.unescape(s)).strip()


def _github_link(href: str) -> tuple[str, str, bool] | None:
    """(owner, repo, is an item) for a link to github.com/OWNER/REPO..., else None."""
    if m := _ITEM_URL.match(href):
        return m["owner"], m["repo"], True
    if (m := _REPO_URL.match(href)) and m["owner"].lower() not in _NOT_OWNERS:
        return m["owner"], m["repo"], False
    return None


def _counted(s: str, lo: int, hi: int, start: int, end: int) -> bool:
    """`#N` at s[start:end] counts something ("Topic #1", "Questions #1 and #2", "#1 priority")."""
    return bool(_COUNTED_BEFORE.search(s, max(lo, start - _COUNT_WINDOW), start)
                or _COUNTED_AFTER.match(s, end, hi))


def _shorthand(
    s: str, lo: int, hi: int, link: tuple[str, str] | None, limit: int | None = None
) -> list[tuple[int, Mention]]:
    """`owner/repo#N`, `repo#N` and `#N` in s[lo:hi] (at most `limit` + 1 of them); `link` is the repo of
    the GitHub link they sit in."""
    found: list[tuple[int, Mention]] = []
    for m in _SHORTHAND.finditer(s, lo, hi):
        owner, repo = m["owner"], m["repo"]
        if repo is not None and (repo in {".", ".."} or not any(c.isalnum() for c in repo)):
            continue
        if repo is not None and owner is None:
            word = repo.lower()
            if word in _NOT_REPOS or word in _COUNTED_WORDS or word.removesuffix("s") in _COUNTED_WORDS:
                continue
            if word in _ITEM_WORDS:
                repo = None
        if repo is None and (_COLOUR_BEFORE.search(s, max(lo, m.start() - 20), m.start())
                             or _counted(s, lo, hi, m.start(), m.end())):
            continue
        if repo is None and link is not None:
            owner, repo = link
        elif repo is not None and owner is None and link is not None:
            owner = link[0]
        found.append((m.start(), Mention(int(m["number"]), repo, owner)))
        if limit is not None and len(found) > limit:
            break
    return found


def _link_text_refs(s: str, lo: int, hi: int, href: str) -> list[tuple[int, Mention]]:
    """The references in a link's text s[lo:hi], given where the link points."""
    target = _github_link(href)
    if target is not None and not target[2]:  # `[#7](github.com/x/y)`: the text's repo is the link's
        return _shorthand(s, lo, hi, target[:2])
    found = _shorthand(s, lo, hi, target[:2] if target else None)
    if found and _NAME_ONLY.fullmatch(_SHORTHAND.sub(" ", s[lo:hi])):
        # The text only names the target: `[#1415](.../pull/1451)` is a typo for the URL's item, and
        # `[#12](https://jira...)` names a ticket elsewhere; a written-out `[o/r#5](...)` stays.
        return [] if target else [f for f in found if f[1].repo is not None]
    return found


class _Budget(Exception):
    """More references on one line than it may hold: reading the line stops."""


class _Found(list[tuple[int, Mention]]):
    """References with their positions, which refuses to grow past a budget."""

    def __init__(self, budget: int | None) -> None:
        super().__init__()
        self.budget = budget

    def add(self, more: Iterable[tuple[int, Mention]]) -> None:
        for found in more:
            self.append(found)
            if self.budget is not None and len(self) > self.budget:
                raise _Budget


def read_inline(src: str, defs: Mapping[str, str] | None = None, budget: int | None = None) -> InlineLine:
    """Plain text, prose, references and URL owners of one line of inline markdown (code spans skipped).

    `defs` maps link labels (`label_key`) to the destinations of the document's `[label]: url` lines.
    A line naming more than `budget` references comes back `cut`, with only the first `budget` of them."""
    if not _SPECIAL.search(src):  # plain words: nothing to resolve or render
        plain = _SPACES.sub(" ", src).strip()
        return InlineLine(plain, plain, (), ())
    defs = defs or {}
    s = _ESCAPE.sub(lambda m: m[1].translate(_PROTECT), src) if "\\" in src else src
    spans = _code_spans(s) if "`" in s else []
    scan = _blank(s, ((a, d) for a, _, _, d in spans))  # what references are read from
    shown, pos = [], 0
    for a, b, c, d in spans:
        shown += [s[pos:a], s[b:c].strip().translate(_PROTECT)]
        pos = d
    shown.append(s[pos:])
    text = "".join(shown)

    found = _Found(budget)
    owners: list[str] = []
    cut = False
    try:
        _read_references(scan, defs, found, owners)
    except _Budget:
        cut = True
    found.sort(key=lambda f: f[0])
    if cut:  # the first `budget` references in the line's order are what was read
        del found[budget:]
    owners += [mention.owner for _, mention in found if mention.owner]
    return InlineLine(_render(text, defs, prose=False), _render(text, defs, prose=True),
                      tuple(mention for _, mention in found), tuple(owners), cut)


def _read_references(scan: str, defs: Mapping[str, str], found: _Found, owners: list[str]) -> None:
    """Add the references in `scan` (a line with code spans blanked) to `found`, and the owners its
    GitHub URLs name to `owners`."""
    # The patterns below have no literal prefix for the regex engine to skip ahead with; checking
    # for their literal first keeps a long line without URLs or links cheap.
    lower = scan.lower()
    if "github.com" in lower:
        found.add((m.start(), Mention(int(m["number"]), m["repo"], m["owner"], _KINDS[m["kind"].lower()]))
                  for m in _ITEM_URL.finditer(scan))
        for m in _REPO_URL.finditer(scan):
            if m["owner"].lower() == _ORG_PREFIX:
                owners.append(m["repo"])
            elif m["owner"].lower() not in _NOT_OWNERS:
                owners.append(m["owner"])
    has_url = "://" in scan or "www." in lower or "github.com/" in lower
    hidden = [m.span() for m in _ANY_URL.finditer(scan)] if has_url else []
    for m in _LINK.finditer(scan) if "](" in scan else ():
        hidden.append(m.span())  # its text is read below, with the link's repo; `(#12)` is an anchor
        found.add(_link_text_refs(scan, *m.span("text"), m["adest"] or m["dest"] or ""))
    if defs and "[" in scan:
        for m in _REF_LINK.finditer(_blank(scan, hidden)):
            href = _defined(defs, m)
            if href is None:  # `[#70]` with no `[#70]: ...` line is plain text
                continue
            hidden.append(m.span())
            if item := _ITEM_URL.match(href):
                kind = _KINDS[item["kind"].lower()]
                found.add([(m.start(), Mention(int(item["number"]), item["repo"], item["owner"], kind))])
            elif (repo_url := _REPO_URL.match(href)) and repo_url["owner"].lower() not in _NOT_OWNERS:
                owners.append(repo_url["owner"])
            found.add(_link_text_refs(scan, *m.span("text"), href))
    masked = _blank(scan, hidden)
    if "#" in masked:
        room = None if found.budget is None else found.budget - len(found)
        found.add(_shorthand(masked, 0, len(masked), None, room))
    if "gh-" in lower:
        found.add((m.start(), Mention(int(m["number"]))) for m in _GH_NUMBER.finditer(masked))
