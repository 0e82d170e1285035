"""One line of inline markdown -> the GitHub references written in it and the text a reader sees.

`read_inline` finds full URLs to pulls, issues and discussions (in links, autolinks or bare text,
with any comment, file, commit or check tail), `owner/repo#N`, `repo#N` and `#N`. Code spans are
skipped, `[#N](github.com/OWNER/REPO/...)` takes its repo from the link, and `#N` as the text of a
link elsewhere (or of an anchor) is left out. Resolving `repo#N` and `#N` against default repos is
`agenda.parse_agenda`'s job.

Every regular expression is bounded, possessive or anchored on a literal, and pairing (code spans,
emphasis) is done in single passes, so a hostile line costs time in proportion to its length.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
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
# `color: #123456` is a colour even without a leading zero.
_COLOUR_BEFORE = re.compile(r"(?i)(?:colou?r|hex|fill|background)\s{0,3}[:=]?\s{0,3}$")

# Backslash-escaped punctuation stands for itself and is not markup ("\[v18.x\]", or "\#12", which
# GitHub does not link either): markup characters become private-use stand-ins until shown.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_STAND_INS = {c: chr(0xE000 + i) for i, c in enumerate("\\`*_[]()<>#!~")}
_PROTECT = str.maketrans(_STAND_INS)
_UNPROTECT = str.maketrans({v: k for k, v in _STAND_INS.items()})
_BACKTICKS = re.compile(r"`+")
_LINK = re.compile(
    rf"!?\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*+\]){{0,{_LINK_TEXT_MAX}}}+)\]"
    r"\([ \t]*+(?:<(?P<adest>[^<>\n]*+)>|(?P<dest>[^\s()<>]*+(?:\([^\s()]*+\)[^\s()<>]*+)*+))"
    r"(?:[ \t]++(?:\"[^\"\n]*+\"|'[^'\n]*+'|\([^()\n]*+\)))?[ \t]*+\)"
)
_MARKUP = re.compile(
    _LINK.pattern
    + r"|<(?P<url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*+)>"  # an autolink: shown as its URL
    + r"|</?[A-Za-z][A-Za-z0-9-]{0,30}+(?:\s[^<>\n]{0,500}+)?/?>"  # an HTML tag: not shown
)
_DELIMITERS = re.compile(r"\*+|_+|~~")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Mention:
    """A reference as written, before `repo#N` and `#N` are resolved against defaults."""

    number: int
    repo: str | None = None  # the repository name; None for `#N`
    owner: str | None = None  # None for `repo#N` and `#N`
    kind: Kind | None = None  # only URLs say it


@dataclass(frozen=True, slots=True)
class InlineLine:
    """What one line says: its plain text, its references and the owners its URLs name."""

    plain: str
    mentions: tuple[Mention, ...]  # in the order they are written
    owners: tuple[str, ...]  # of github.com/OWNER/REPO... URLs and `owner/repo#N` references


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


def _plain(s: str) -> str:
    """Shown text of escaped inline markdown: link text, not link syntax, emphasis or tags."""
    if "[" in s or "<" in s:
        s = _MARKUP.sub(lambda m: m["url"] or m["text"] or "", s)
    s = _drop_emphasis(s).translate(_UNPROTECT)
    return _SPACES.sub(" ", html.unescape(s)).strip()


def _github_link(href: str) -> tuple[str, str, bool] | None:
    """(owner, repo, is an item) for a link to github.com/OWNER/REPO..., else None."""
    if m := _ITEM_URL.match(href):
        return m["owner"], m["repo"], True
    if (m := _REPO_URL.match(href)) and m["owner"].lower() not in _NOT_OWNERS:
        return m["owner"], m["repo"], False
    return None


def _shorthand(s: str, lo: int, hi: int, link: tuple[str, str] | None) -> list[tuple[int, Mention]]:
    """`owner/repo#N`, `repo#N` and `#N` in s[lo:hi]; `link` is the repo of the link they sit in."""
    found = []
    for m in _SHORTHAND.finditer(s, lo, hi):
        owner, repo = m["owner"], m["repo"]
        if repo is not None and (repo in {".", ".."} or not any(c.isalnum() for c in repo)):
            continue
        if repo is not None and owner is None and repo.lower() in _ITEM_WORDS:
            repo = None
        if repo is not None and owner is None and repo.lower() in _NOT_REPOS:
            continue
        if repo is None and _COLOUR_BEFORE.search(s, max(lo, m.start() - 20), m.start()):
            continue
        if repo is None and link is not None:
            owner, repo = link
        elif repo is not None and owner is None and link is not None:
            owner = link[0]
        found.append((m.start(), Mention(int(m["number"]), repo, owner)))
    return found


def read_inline(src: str) -> InlineLine:
    """Plain text, references and URL owners of one line of inline markdown (code spans skipped)."""
    s = _ESCAPE.sub(lambda m: m[1].translate(_PROTECT), src)
    spans = _code_spans(s)
    scan = _blank(s, ((a, d) for a, _, _, d in spans))  # what references are read from
    shown, pos = [], 0
    for a, b, c, d in spans:
        shown += [s[pos:a], s[b:c].strip().translate(_PROTECT)]
        pos = d
    shown.append(s[pos:])

    found: list[tuple[int, Mention]] = []
    owners = []
    # The patterns below have no literal prefix for the regex engine to skip ahead with; checking
    # for their literal first keeps a long line without URLs or links cheap.
    lower = scan.lower()
    if "github.com" in lower:
        for m in _ITEM_URL.finditer(scan):
            kind = _KINDS[m["kind"].lower()]
            found.append((m.start(), Mention(int(m["number"]), m["repo"], m["owner"], kind)))
        for m in _REPO_URL.finditer(scan):
            if m["owner"].lower() == _ORG_PREFIX:
                owners.append(m["repo"])
            elif m["owner"].lower() not in _NOT_OWNERS:
                owners.append(m["owner"])
    has_url = "://" in scan or "www." in lower or "github.com/" in lower
    hidden = [m.span() for m in _ANY_URL.finditer(scan)] if has_url else []
    for m in _LINK.finditer(scan) if "](" in scan else ():
        hidden.append(m.span())  # its text is read below, with the link's repo; `(#12)` is an anchor
        target = _github_link(m["adest"] or m["dest"] or "")
        if target is None:  # `[#12](elsewhere)` or `[#12](#12)` names the target, not a GitHub item
            found += [f for f in _shorthand(scan, *m.span("text"), None) if f[1].repo is not None]
        elif not target[2]:  # `[#N](github.com/OWNER/REPO/...)` takes its repo from the link
            found += _shorthand(scan, *m.span("text"), target[:2])
    masked = _blank(scan, hidden)
    found += _shorthand(masked, 0, len(masked), None)
    owners += [mention.owner for _, mention in found if mention.owner]
    found.sort(key=lambda f: f[0])
    return InlineLine(_plain("".join(shown)), tuple(mention for _, mention in found), tuple(owners))
