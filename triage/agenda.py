"""Minutes/agenda markdown -> the GitHub PRs, issues and discussions it names, with their context.

`parse_agenda` finds every reference people write: full URLs to pulls, issues and discussions (with
comment, file, commit or check tails), `owner/repo#N`, `repo#N` and `#N`. It records for each
distinct item the lines it is on, the headings above its first mention, the agenda bullet around
it and the flags the minutes put on it (`agenda_flags.FLAGS`). `read_minutes` turns uploaded bytes
into text, and `carried_over` says which earlier minutes already named an item.

The document is read line by line, the way minutes are written rather than the way a strict
CommonMark renderer reads them: a `SKIPPED:` line right after a nested bullet starts a new block
(CommonMark would glue it onto the bullet as a lazy continuation), and 4-space-indented bullets are
always bullets, never an indented code block. Fenced code, inline code and HTML comments are
skipped. Every pattern is bounded or anchored, so the parser stays linear on hostile input.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from triage.agenda_flags import AGENDA_LABEL_STATEMENT, FLAGS, detect_flags
from triage.agenda_inline import OWNER_NAME, REPO_NAME, InlineLine, read_inline
from triage.facts import ItemKey, Kind

__all__ = [
    "FLAGS",
    "MAX_MINUTES_BYTES",
    "AgendaInputError",
    "AgendaRef",
    "carried_over",
    "parse_agenda",
    "read_minutes",
    "refs_to_json",
]

# Real minutes are a few kB (a whole year of Falco community calls is 30 kB). 2 MB leaves room for
# any real agenda and refuses logs, exports and binaries pasted by mistake before they are parsed.
MAX_MINUTES_BYTES = 2_000_000
MAX_BULLET_CHARS = 200  # an agenda bullet is shown in a table cell; longer prose is cut
_INTRO_MAX_CHARS = 120  # a paragraph this short before a list introduces it ("SKIPPED:", "Notes:")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*))?")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_RULE = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?:\[[ xX]\][ \t]+)?")
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")


class AgendaInputError(ValueError):
    """Minutes that cannot be read: the message says what is wrong with the input."""


@dataclass(frozen=True)
class AgendaRef:
    """One distinct GitHub thread named in an agenda, with everything the agenda says around it."""

    key: ItemKey
    kind: Kind | None  # from the URL path (pull / issues / discussions); None for `repo#N` shorthand
    lines: tuple[int, ...]  # 1-based line numbers of every mention
    section: tuple[str, ...]  # heading path of the first mention, outermost first
    bullet: str | None  # plain text of the top-level bullet (or paragraph) of the first mention
    flags: tuple[str, ...]  # sorted, e.g. ("skipped", "urgent"); see `FLAGS`

    @property
    def ref(self) -> str:
        """`owner/repo#N`."""
        return self.key.ref


# --- reading uploaded bytes -------------------------------------------------------------------


def _megabytes(size: int) -> str:
    """A byte count as decimal megabytes, "20.0 MB"."""
    return f"{size / 1_000_000:.1f} MB"


def read_minutes(raw: bytes, name: str = "minutes") -> str:
    """Decode uploaded minutes (UTF-8, or UTF-16 with a byte-order mark) to text with `\\n` newlines."""
    if len(raw) > MAX_MINUTES_BYTES:
        raise AgendaInputError(
            f"{name} is {_megabytes(len(raw))} ({len(raw):,} bytes), over the {_megabytes(MAX_MINUTES_BYTES)}"
            " limit for minutes: real minutes are a few kB, so this is probably not a minutes file"
        )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise AgendaInputError(f"{name} starts like UTF-16 text but is not valid UTF-16") from None
        if "\x00" in text:
            raise AgendaInputError(f"{name} looks like a binary file (it contains NUL characters), not text")
    else:
        if b"\x00" in raw:
            raise AgendaInputError(
                f"{name} looks like a binary file (it contains NUL bytes), not markdown text"
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise AgendaInputError(
                f"{name} is not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start} is invalid);"
                " save the minutes as UTF-8 markdown"
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- the outline: headings, paragraphs and nested bullets ------------------------------------------

BlockKind = Literal["heading", "paragraph", "item"]


@dataclass(eq=False, slots=True)
class _Block:
    """A heading, a top-level paragraph or a list item, with the source lines of its own text."""

    kind: BlockKind
    indent: int  # column of the list marker (items only)
    parent: _Block | None  # the enclosing item, or the short paragraph introducing a top-level list
    section: tuple[str, ...]
    repo: str | None  # `owner/repo` of the innermost heading that names one
    heading_flags: frozenset[str]
    lines: list[tuple[int, InlineLine]] = field(default_factory=list)
    children: list[_Block] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Plain text of the block's own lines (not of nested items)."""
        return " ".join(line.plain for _, line in self.lines if line.plain)


@dataclass(frozen=True, slots=True)
class _Heading:
    """An open heading and what it passes on to the blocks under it."""

    level: int
    section: tuple[str, ...]  # the heading path down to this heading
    repo: str | None  # `owner/repo` named by this heading or the nearest heading above that names one
    flags: frozenset[str]  # flags of this heading and the headings above it


_NO_HEADING = _Heading(0, (), None, frozenset())


def _indent(line: str) -> int:
    """The column a line's text starts at (a tab counts to the next multiple of 4)."""
    stripped = line.lstrip(" \t")
    return len(line[: len(line) - len(stripped)].expandtabs(4))


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


def _outline(text: str) -> list[_Block]:
    """The document's blocks in source order (a parent always comes before its children)."""
    blocks: list[_Block] = []
    headings: list[_Heading] = []
    items: list[_Block] = []  # open list items, outermost first
    para: _Block | None = None  # the top-level paragraph being read
    intro: _Block | None = None  # the last top-level paragraph, which may introduce a list
    fence: str | None = None
    in_comment = False

    def new_block(kind: BlockKind, indent: int, parent: _Block | None) -> _Block:
        h = headings[-1] if headings else _NO_HEADING
        block = _Block(kind, indent, parent, h.section, h.repo, h.flags)
        if parent is not None:
            parent.children.append(block)
        blocks.append(block)
        return block

    def open_heading(level: int, title: str) -> None:
        while headings and headings[-1].level >= level:
            headings.pop()
        outer = headings[-1] if headings else _NO_HEADING
        headings.append(_Heading(
            level,
            (*outer.section, title) if title else outer.section,
            title if REPO_NAME.fullmatch(title) else outer.repo,
            outer.flags | detect_flags(title),
        ))

    for n, raw in enumerate(text.split("\n"), 1):
        raw = raw.removesuffix("\r")  # CRLF text pasted as-is keeps its line numbers
        if fence is not None:
            m = _FENCE.fullmatch(raw.rstrip())
            if m and m[1][0] == fence[0] and len(m[1]) >= len(fence) and not m[2].strip():
                fence = None
            continue
        line, in_comment = _drop_comments(raw, in_comment)
        if (m := _FENCE.match(line)) and not (m[1][0] == "`" and "`" in m[2]):
            fence, para = m[1], None
            continue
        if not line.strip():
            para = None
            continue
        if m := _ATX.fullmatch(line.rstrip()):
            title_src = (m[2] or "").rstrip()
            stripped = title_src.rstrip("#")
            if not stripped or stripped[-1] in " \t":  # a closing run of #s is not part of the title
                title_src = stripped.rstrip()
            parsed = read_inline(title_src)
            open_heading(len(m[1]), parsed.plain)
            new_block("heading", 0, None).lines.append((n, parsed))
            items.clear()
            para = intro = None
            continue
        if para is not None and _SETEXT.fullmatch(line):
            para.kind = "heading"  # setext: the paragraph above the underline is a heading
            open_heading(1 if "=" in line else 2, para.text)
            h = headings[-1]
            para.section, para.repo, para.heading_flags = h.section, h.repo, h.flags
            para = intro = None
            continue
        if _RULE.fullmatch(line.rstrip()):
            items.clear()
            para = intro = None
            continue
        indent = _indent(line)
        if m := _LIST_ITEM.match(line):
            while items and items[-1].indent >= indent:
                items.pop()
            parent = items[-1] if items else None
            if parent is None and intro is not None and len(intro.text) <= _INTRO_MAX_CHARS:
                parent = intro
            item = new_block("item", indent, parent)
            item.lines.append((n, read_inline(line[m.end() :])))
            items.append(item)
            para = None
            continue
        content = _QUOTE.sub("", line, count=1) if _QUOTE.match(line) else line.strip()
        owner = next((b for b in reversed(items) if b.indent < indent), None)
        if owner is not None:  # a continuation line of an item (its text, not a new block)
            while items[-1] is not owner:
                items.pop()
            owner.lines.append((n, read_inline(content)))
            continue
        items.clear()  # text at the margin ends the lists above it
        if para is None:
            para = intro = new_block("paragraph", 0, None)
        para.lines.append((n, read_inline(content)))
    return blocks


# --- parse_agenda --------------------------------------------------------------------------------


@dataclass
class _Item:
    """Everything collected about one item while reading the document."""

    key: ItemKey
    kind: Kind | None
    lines: set[int]
    blocks: dict[int, _Block]  # the block of each mention by id, first mention first


def _checked_defaults(default_repo: str | None, default_org: str | None) -> tuple[str | None, str | None]:
    """The defaults without surrounding blanks ("" means none); AgendaInputError when malformed."""
    repo = (default_repo or "").strip() or None
    org = (default_org or "").strip() or None
    if repo is not None and not REPO_NAME.fullmatch(repo):
        raise AgendaInputError(f"Invalid default repo {default_repo!r}: expected owner/name (nodejs/node)")
    if org is not None and not OWNER_NAME.fullmatch(org):
        raise AgendaInputError(f"Invalid default org {default_org!r}: expected an owner name (nodejs)")
    return repo, org


def _cut(text: str) -> str:
    """`text`, cut to MAX_BULLET_CHARS with an ellipsis."""
    return text if len(text) <= MAX_BULLET_CHARS else text[: MAX_BULLET_CHARS - 1].rstrip() + "…"


def parse_agenda(
    text: str, default_repo: str | None = None, default_org: str | None = None
) -> list[AgendaRef]:
    """Every GitHub thread `text` names, in order of first mention.

    `#N` resolves against the repo of the link it is the text of, then the innermost `### owner/repo`
    heading above it, then `default_repo`; `repo#N` against the owner of the link or heading, then
    `default_org` (or `default_repo`'s owner), then the one organisation the document links to, if
    it links to only one. A reference that cannot be resolved is left out.
    """
    default_repo, default_org = _checked_defaults(default_repo, default_org)
    blocks = _outline(text)
    owners: dict[str, str] = {}  # lower-cased -> as first written (GitHub compares owners without case)
    for o in (o for b in blocks for _, line in b.lines for o in line.owners):
        owners.setdefault(o.lower(), o)
    fallback_org = default_org or (default_repo.split("/")[0] if default_repo else None)
    if fallback_org is None and len(owners) == 1:
        [fallback_org] = owners.values()

    found: dict[tuple[str, int], _Item] = {}
    # In line order: an item's continuation line can come after its sub-bullets.
    mentioning = [(n, b, line) for b in blocks for n, line in b.lines if line.mentions]
    for n, block, line in sorted(mentioning, key=lambda m: m[0]):
        heading_owner = block.repo.split("/")[0] if block.repo else None
        for raw in line.mentions:
            if raw.repo is None:
                repo = block.repo or default_repo
            elif raw.owner is not None:
                repo = f"{raw.owner}/{raw.repo}"
            else:
                owner = heading_owner or fallback_org
                repo = f"{owner}/{raw.repo}" if owner else None
            if repo is None:
                continue
            item = found.get((repo.lower(), raw.number))
            if item is None:  # the first mention's spelling of the repo is kept
                item = found[repo.lower(), raw.number] = _Item(ItemKey(repo, raw.number), None, set(), {})
            item.kind = item.kind or raw.kind
            item.lines.add(n)
            item.blocks.setdefault(id(block), block)
    return _with_context(found.values(), blocks)


def _with_context(items: Iterable[_Item], blocks: list[_Block]) -> list[AgendaRef]:
    """AgendaRefs with section, bullet and flags read from the blocks around each item's mentions."""
    labelled = any(AGENDA_LABEL_STATEMENT.search(b.text) for b in blocks)
    own = {id(b): detect_flags(b.text) for b in blocks}
    tree: dict[int, frozenset[str]] = {}  # a block's flags and its nested items'
    for b in reversed(blocks):
        tree[id(b)] = own[id(b)].union(*(tree[id(c)] for c in b.children))
    chain: dict[int, frozenset[str]] = {}  # the flags of a block's ancestors
    top: dict[int, _Block] = {}  # the top-level bullet or paragraph a block sits in
    for b in blocks:
        p = b.parent
        chain[id(b)] = (own[id(p)] | chain[id(p)]) if p else frozenset()
        top[id(b)] = top[id(p)] if p is not None and p.kind == "item" and b.kind == "item" else b

    def flags_of(b: _Block) -> frozenset[str]:
        flags = tree[id(b)] | chain[id(b)] | b.heading_flags
        if labelled and b.kind == "item" and top[id(b)] is b and b.repo:
            flags |= {"tsc-agenda"}
        return flags

    refs = []
    for item in items:
        blocks_of = list(item.blocks.values())
        first = blocks_of[0]
        # Where the item is itself an agenda entry, only those mentions say how the meeting treated
        # it; a passing mention under another item ("deferred to focus on #1518") says nothing.
        entries = [b for b in blocks_of if top[id(b)] is b]
        flags = frozenset[str]().union(*(flags_of(b) for b in entries or blocks_of))
        bullet = None if first.kind == "heading" else _cut(top[id(first)].text) or None
        lines = tuple(sorted(item.lines))
        refs.append(AgendaRef(item.key, item.kind, lines, first.section, bullet, tuple(sorted(flags))))
    return refs


# --- output and history --------------------------------------------------------------------------


def refs_to_json(refs: Iterable[AgendaRef]) -> list[dict[str, Any]]:
    """JSON-ready records, as `triage refs FILE --format json` prints them."""
    return [
        {
            "ref": r.ref,
            "kind": r.kind,
            "lines": list(r.lines),
            "section": list(r.section),
            "bullet": r.bullet,
            "flags": list(r.flags),
        }
        for r in refs
    ]


def _fold(key: ItemKey) -> tuple[str, int]:
    """The key as GitHub compares it: repository names ignore case."""
    return key.repo.lower(), key.number


def carried_over(
    current: list[AgendaRef],
    earlier: Mapping[str, str],
    default_repo: str | None = None,
    default_org: str | None = None,
) -> dict[ItemKey, tuple[str, ...]]:
    """For each current item, the names of the `earlier` minutes (name -> text) that also name it, sorted."""
    seen: dict[tuple[str, int], list[str]] = {}
    for name in sorted(earlier):
        for ref in parse_agenda(earlier[name], default_repo, default_org):
            seen.setdefault(_fold(ref.key), []).append(name)
    return {r.key: tuple(seen.get(_fold(r.key), ())) for r in current}
