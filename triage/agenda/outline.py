"""Minutes markdown -> its outline: headings, the lines of paragraphs, and nested list items.

The document is read line by line, the way minutes are written rather than the way a strict
CommonMark renderer reads them: a `SKIPPED:` line right after a nested bullet starts a new block
(CommonMark would glue it onto the bullet as a lazy continuation), 4-space-indented bullets are
always bullets, never an indented code block, and each line of a paragraph is a block of its own
(files exported from a document editor often have no blank line at all, and a word on one line says
nothing about a link ten lines further). A short line ending in a colon ("SKIPPED:", "Needs
attention:") introduces the lines or the list after it, and so does a short paragraph ("Notes",
"**Graduation items** (see #281)") the list after it. Block quotes keep their headings and bullets.
Fenced code, front matter, inline code, HTML comments and `[label]: url` definition lines are not
content. Every pattern is bounded or anchored, so the outline stays linear on hostile input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from triage.agenda.flags import AGENDA_LABEL_STATEMENT, detect_flags
from triage.agenda.inline import DEFINITION, REPO_NAME, InlineLine, Mention, label_key, read_inline

INTRO_MAX_CHARS = 120  # a line this short before a list or lines introduces them ("SKIPPED:", "Notes:")
_FRONT_MATTER_MAX_LINES = 60  # a `---` block at the top this short is front matter, not a rule
FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*))?")
SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_RULE = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?:\[[ xX]\][ \t]+)?")
_QUOTE = re.compile(r"[ \t]*>(?:[ \t]?>)*[ \t]?")
_MARKUP_START = frozenset("#=-*_+[0123456789")  # the first characters of headings, rules, lists, definitions
_FENCE_START = frozenset("`~")

BlockKind = Literal["heading", "line", "item"]


@dataclass(slots=True, eq=False)
class Heading:
    """An open heading and what it passes on to the blocks under it."""

    level: int
    section: tuple[str, ...]  # the heading path down to this heading
    repo: str | None  # `owner/repo` named by this heading or the nearest heading above that names one
    flags: frozenset[str]  # flags that apply under it: its own (unless it names an item) and those above
    outer: Heading | None
    block: Block | None = None  # the heading's own block; None for the document's root


ROOT = Heading(0, (), None, frozenset(), None)


@dataclass(eq=False, slots=True)
class Block:
    """A heading, one line of a paragraph, or a list item (with its continuation lines)."""

    kind: BlockKind
    indent: int  # column of the list marker (items), of the text (lines)
    parent: Block | None  # the enclosing item, or the short line introducing this list or line
    head: Heading  # the heading it sits under (a heading block: its own)
    lines: list[tuple[int, InlineLine]]  # (line number, what it says)
    # Filled in once the document is read (`reader.read_agenda`, `context`):
    keys: frozenset[tuple[str, int]] = frozenset()  # the items its mentions resolve to, folded
    own_flags: frozenset[str] | None = None  # the flags of its own words, once read
    anchor: Block | None = None  # the nearest block above it that names an item: whose discussion it is

    @property
    def text(self) -> str:
        """Plain text of the block's own lines (not of nested items)."""
        return " ".join(line.plain for _, line in self.lines if line.plain)

    @property
    def prose(self) -> str:
        """The block's own words, without link texts and URLs: what flags are read from."""
        if len(self.lines) == 1:
            return self.lines[0][1].prose
        return " ".join(line.prose for _, line in self.lines if line.prose)

    @property
    def mentions(self) -> Iterator[tuple[int, Mention]]:
        """(line number, mention) of every reference in the block's own lines."""
        return ((n, m) for n, line in self.lines for m in line.mentions)


@dataclass
class Outline:
    """The blocks of a document in source order (a parent always comes before its children)."""

    blocks: list[Block]
    named: list[Block]  # the blocks whose lines hold references
    owners: dict[str, str]  # lower-cased -> as first written, of every owner a URL or reference names
    labelled: bool  # the minutes say their items come from an agenda label (`AGENDA_LABEL_STATEMENT`)
    line_count: int
    stopped_at: int | None = None  # the line reading stopped in, when the limits were reached
    stopped_by: str | None = None  # "items" or "references": the limit that stopped it


def _drop_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line without HTML comments (`<!-- ... -->`, possibly over several lines)."""
    out: list[str] = []
    pos = 0
    while True:
        if in_comment:
            end = line.find("-->", pos)
            if end < 0:
                return "".join(out), True
            pos, in_comment = end + 3, False
        start = line.find("<!--", pos)
        if start < 0:
            out.append(line[pos:])
            return "".join(out), False
        out.append(line[pos:start])
        pos, in_comment = start + 4, True


def _front_matter_end(lines: list[str]) -> int:
    """The number of leading lines that are YAML front matter (`---` ... `---`), or 0."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for i in range(1, min(len(lines), _FRONT_MATTER_MAX_LINES)):
        if lines[i].rstrip() in ("---", "..."):
            return i + 1
    return 0


def source_lines(text: str) -> Iterator[tuple[int, int | None, str | None]]:
    """(line number, quote column or None, body) of every line; body is None for the lines of code
    fences and front matter, which are not content. The body has its quote markers and comments removed."""
    lines = text.split("\n")
    skip = _front_matter_end(lines)
    fence: str | None = None
    in_comment = False
    for n, raw in enumerate(lines, 1):
        if n <= skip:
            yield n, None, None
            continue
        raw = raw.removesuffix("\r")  # CRLF text pasted as-is keeps its line numbers
        # Cheap tests first: most lines are neither quoted, nor fences, nor comments.
        quote = _QUOTE.match(raw) if raw.lstrip(" \t")[:1] == ">" else None
        body = raw[quote.end() :] if quote else raw
        column = _indent(raw) if quote else None
        first = body.lstrip(" \t")[:1]
        if fence is not None:
            m = FENCE.fullmatch(body.rstrip()) if first == fence[0] else None
            if m and len(m[1]) >= len(fence) and not m[2].strip():
                fence = None
            yield n, column, None
            continue
        if in_comment or "<!--" in body:
            body, in_comment = _drop_comments(body, in_comment)
            first = body.lstrip(" \t")[:1]
        if first in _FENCE_START and (m := FENCE.match(body)) and not (m[1][0] == "`" and "`" in m[2]):
            fence = m[1]
            yield n, column, None
            continue
        yield n, column, body


def definitions(text: str) -> dict[str, str]:
    """Link label (`label_key`) -> destination, from the document's `[label]: url` lines (first wins)."""
    defs: dict[str, str] = {}
    if "]:" not in text:
        return defs
    for _, _, body in source_lines(text):
        if body is not None and "]:" in body and (m := DEFINITION.fullmatch(body.rstrip())):
            defs.setdefault(label_key(m["label"]), m["adest"] or m["dest"] or "")
    return defs


def _indent(line: str) -> int:
    """The column a line's text starts at (a tab counts to the next multiple of 4)."""
    stripped = line.lstrip(" \t")
    return len(line[: len(line) - len(stripped)].expandtabs(4))


def _is_label(line: InlineLine) -> bool:
    """A short line that introduces what follows it: "SKIPPED:", "PRs needing attention:"."""
    return line.plain.endswith(":") and len(line.plain) <= INTRO_MAX_CHARS


class _Reader:
    """The state of reading a document top to bottom."""

    def __init__(self, defs: dict[str, str], max_items: int, max_mentions: int) -> None:
        self.defs = defs
        self.blocks: list[Block] = []
        self.headings: list[Heading] = []
        self.items: list[Block] = []  # open list items, outermost first
        self.para: list[Block] = []  # the lines of the paragraph being read, while it is short
        self.label: Block | None = None  # the label line the paragraph's next lines sit under
        self.para_chars = 0  # plain characters of the paragraph so far
        self.note_pending = False  # no line without references read yet under the current heading
        self.intro: Block | None = None  # the line that introduces a list starting here
        self.quote: int | None = None  # the column of the block quote being read
        self.owners: dict[str, str] = {}
        self.named: dict[int, Block] = {}  # the blocks whose lines hold references, in the order met
        self.labelled = False
        self.seen: set[tuple[str, str, int]] = set()
        self.mentions = 0
        self.max_items, self.max_mentions = max_items, max_mentions
        self.stopped_by: str | None = None

    @property
    def head(self) -> Heading:
        return self.headings[-1] if self.headings else ROOT

    def read(self, source: str) -> tuple[InlineLine, bool]:
        """A line's inline content, and whether reading stops after it because the document reached
        its limits there (the line then holds the mentions up to the limit)."""
        line = read_inline(source, self.defs, self.max_mentions - self.mentions)
        for o in line.owners:
            self.owners.setdefault(o.lower(), o)
        if not self.labelled and "xtracted" in line.plain:
            self.labelled = bool(AGENDA_LABEL_STATEMENT.search(line.plain))
        if not line.mentions:  # most lines
            return line, True
        repo = self.head.repo or ""
        kept = []
        for m in line.mentions:
            key = ((m.owner or "").lower(), (m.repo or repo).lower(), m.number)
            if key not in self.seen:
                if len(self.seen) >= self.max_items:
                    self.stopped_by = "items"
                    break
                self.seen.add(key)
            kept.append(m)
        if line.cut and self.stopped_by is None:
            self.stopped_by = "references"
        if len(kept) < len(line.mentions):
            line = replace(line, mentions=tuple(kept))
        self.mentions += len(kept)
        return line, self.stopped_by is None

    def new_block(
        self, kind: BlockKind, indent: int, parent: Block | None, lines: list[tuple[int, InlineLine]]
    ) -> Block:
        block = Block(kind, indent, parent, self.head, lines)
        self.blocks.append(block)
        if lines[0][1].mentions or any(line.mentions for _, line in lines[1:]):
            self.named[id(block)] = block
        return block

    def end_paragraph(self) -> None:
        if self.para_chars or self.para or self.label:
            self.para, self.label, self.para_chars = [], None, 0

    def close_all(self) -> None:
        """A heading, a rule or a quote's edge: open lists, the paragraph and an introducing line end."""
        self.items.clear()
        self.end_paragraph()
        self.intro = None

    def open_heading(self, level: int, lines: list[tuple[int, InlineLine]]) -> None:
        while self.headings and self.headings[-1].level >= level:
            self.headings.pop()
        outer = self.head
        title = " ".join(line.plain for _, line in lines if line.plain)
        named = any(line.mentions for _, line in lines)
        # A heading that names an item keeps its words for that item (its discussion is under it).
        own = frozenset() if named else detect_flags(" ".join(line.prose for _, line in lines))
        repo = title if REPO_NAME.fullmatch(title) else outer.repo
        self.headings.append(Heading(level, (*outer.section, title) if title else outer.section, repo,
                                     outer.flags | own, outer))
        self.head.block = self.new_block("heading", 0, None, lines)
        self.close_all()
        self.note_pending = True

    def step(self, n: int, quote: int | None, body: str | None) -> bool:
        """Read line `n`; False when the document's limits stop reading before it."""
        if quote != self.quote:
            # Lists opened at the quote's column or deeper end where a quote starts or ends; a list
            # item the quote is indented under stays open and holds it.
            edge = quote if quote is not None else self.quote or 0
            while self.items and self.items[-1].indent >= edge:
                self.items.pop()
            self.end_paragraph()
            self.intro, self.quote = None, quote
        if body is None or not body.strip():  # code, front matter or a blank line
            self.end_paragraph()
            return True
        stripped = body.rstrip()
        first = body.lstrip(" \t")[:1]
        if first in _MARKUP_START and (done := self.markup(n, quote, body, stripped, first)) is not None:
            return done
        if self.items:
            indent = (0 if quote is None else quote + 2) + _indent(body)
            if owner := next((b for b in reversed(self.items) if b.indent < indent), None):
                # A continuation line of an item: its text, not a new block.
                line, go_on = self.read(body.strip())
                while self.items[-1] is not owner:
                    self.items.pop()
                owner.lines.append((n, line))
                if line.mentions:
                    self.named[id(owner)] = owner
                return go_on
            self.items.clear()  # text at the margin ends the lists above it
        return self.paragraph_line(n, quote, body)

    def markup(self, n: int, quote: int | None, body: str, stripped: str, first: str) -> bool | None:
        """Read line `n` if it is a heading, a rule, a list item or a definition; None if it is not.
        `first` is its first character, which says which of them it can be."""
        if first == "[" and "]:" in body and DEFINITION.fullmatch(stripped):  # read by `definitions`
            return True
        if first == "#" and (m := ATX.fullmatch(stripped)):
            title = (m[2] or "").rstrip()
            bare = title.rstrip("#")
            if not bare or bare[-1] in " \t":  # a closing run of #s is not part of the title
                title = bare.rstrip()
            line, go_on = self.read(title)
            self.open_heading(len(m[1]), [(n, line)])
            return go_on
        if first in "=-" and self.para and SETEXT.fullmatch(body):  # the short paragraph above is a heading
            lines = [numbered for b in self.para for numbered in b.lines]
            del self.blocks[-len(self.para) :]
            for b in self.para:
                self.named.pop(id(b), None)
            self.open_heading(1 if "=" in body else 2, lines)
            return True
        if first in "-*_" and _RULE.fullmatch(stripped):
            self.close_all()
            return True
        if first in "-*+0123456789" and (m := _LIST_ITEM.match(body)):
            indent = (0 if quote is None else quote + 2) + _indent(body)
            while self.items and self.items[-1].indent >= indent:
                self.items.pop()
            parent = self.items[-1] if self.items else self.intro
            line, go_on = self.read(body[m.end() :])
            self.items.append(self.new_block("item", indent, parent, [(n, line)]))
            self.end_paragraph()
            self.note_pending = self.note_pending and bool(line.mentions)
            return go_on
        return None

    def paragraph_line(self, n: int, quote: int | None, body: str) -> bool:
        """Read line `n` of a paragraph at the margin: a block of its own."""
        line, go_on = self.read(body.strip())
        self.para_chars += len(line.plain)
        # The paragraph so far is a short title or label. A table row is never one: each row is its own.
        short = self.para_chars <= INTRO_MAX_CHARS and not body.lstrip().startswith("|")
        label = _is_label(line)
        # A label starts its own scope, even right after another one; a line of a short paragraph
        # ("Graduation items" / "(see #281)") carries on the line before it.
        parent = None if label else self.label or (self.para[-1] if short and self.para else None)
        flags = detect_flags(line.prose)
        if not (short or label or line.mentions or self.note_pending or flags):
            # A line that names nothing, flags nothing and introduces nothing can matter to no item:
            # it is not kept (a 2 MB paste of such lines would otherwise hold a million blocks).
            self.para.clear()
            self.intro = None
            return go_on
        block = self.new_block("line", 0 if quote is None else quote + 2, parent, [(n, line)])
        block.own_flags = flags
        self.note_pending = self.note_pending and bool(line.mentions)
        if short:
            self.para.append(block)
        else:
            self.para.clear()  # a long paragraph is no setext heading and carries nothing on
        if label:
            self.label = block
        self.intro = block if short or label else None
        return go_on


def outline(text: str, max_items: int, max_mentions: int) -> Outline:
    """The document's blocks, read until it names more than `max_items` distinct references or
    `max_mentions` references in all: the line where that happens is read up to its limit, and the
    rest of the document is not read (`stopped_at` says where)."""
    r = _Reader(definitions(text), max_items, max_mentions)
    line_count = 0
    for n, quote, body in source_lines(text):
        line_count = n
        if not r.step(n, quote, body):
            return Outline(r.blocks, list(r.named.values()), r.owners, r.labelled, text.count("\n") + 1, n,
                           r.stopped_by)
    return Outline(r.blocks, list(r.named.values()), r.owners, r.labelled, line_count)
