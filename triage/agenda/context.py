"""What an agenda says around each item: its section, its own line, the lines above it, and its flags.

An item's context is read from its own entry: the bullet, line or heading that names it where it is
not a passing mention inside another item's discussion. Its flags are the words of that entry, of the
discussion under it (its nested bullets, or what is written under a heading that names it, up to the
next heading of its level), of the category lines above it (bullets and "SKIPPED:"-style labels that
name no item, up to the first line that names one), and of the headings above. A flag never comes
from a linked title or a URL (`InlineLine.prose`), from a sibling, from the line before in the same
paragraph, or from another item's line above it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from triage.agenda.flags import detect_flags
from triage.agenda.outline import Block, Heading

MAX_BULLET_CHARS = 200  # an agenda line is shown in a table cell; longer prose is cut
MAX_PARENTS = 4  # the nearest enclosing lines are kept: a deeper outline adds nothing to read
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Context:
    """Where an item sits in the agenda and what the agenda says about it."""

    section: tuple[str, ...]
    parents: tuple[str, ...]
    bullet: str | None
    flags: tuple[str, ...]


def cut(text: str) -> str:
    """`text`, cut to MAX_BULLET_CHARS with an ellipsis."""
    return text if len(text) <= MAX_BULLET_CHARS else text[: MAX_BULLET_CHARS - 1].rstrip() + "…"


class ContextReader:
    """Contexts of the items of one document, whose blocks have their `keys` filled in."""

    def __init__(self, blocks: list[Block], labelled: bool) -> None:
        self.labelled = labelled
        self.own: dict[int, frozenset[str]] = {}  # block -> the flags of its own words, when it has any
        self.tree: dict[int, frozenset[str]] = {}  # block -> the flags of the items nested in it
        self.chains: dict[int, frozenset[str]] = {}
        self.under: dict[int, frozenset[str]] = {}  # heading naming an item -> the flags of its discussion
        self.first_note: dict[int, Block] = {}  # heading naming an item -> the first line of its discussion
        for b in reversed(blocks):  # backwards: a nested item is folded into its parent before the parent is
            own = b.own_flags if b.own_flags is not None else detect_flags(b.prose)
            if own:
                self.own[id(b)] = own
            # A list item speaks about what it is nested in or introduced by; a paragraph line does not
            # speak about the line before it.
            if b.parent is not None and b.kind == "item" and (own or id(b) in self.tree):
                self.tree[id(b.parent)] = self.tree.get(id(b.parent), _NONE) | own | self.tree.get(id(b), _NONE)
        title = next((b for b in blocks if b.kind == "heading"), None)  # names the meeting, not an item
        item_heading: dict[int, Block | None] = {}  # heading -> the nearest heading at or above it naming an item

        def named_at_or_above(h: Heading | None) -> Block | None:
            return None if h is None or h.block is None else item_heading[id(h)]

        for b in blocks:  # parents and headings come before what they hold
            if b.kind == "heading":
                item_heading[id(b.head)] = b if b.keys and b is not title else named_at_or_above(b.head.outer)
                b.anchor = named_at_or_above(b.head.outer)
            elif b.parent is not None:
                # A bullet that names an item holds that item's discussion; a short line introducing a
                # list ("Graduation items (see: evolution#281)") is a category even when it names one.
                b.anchor = b.parent if b.parent.keys and b.parent.kind == "item" else b.parent.anchor
            else:
                b.anchor = named_at_or_above(b.head)
            if b.anchor is not None and b.anchor.kind == "heading" and b.parent is None:
                # A block right under a heading that names an item, with everything nested in it, is
                # that item's discussion, whatever else it names (as nested bullets are a bullet's).
                key = id(b.anchor)
                self.under[key] = self.under.get(key, _NONE) | self.flags_of_block(b) | self.tree.get(id(b), _NONE)
                if not b.keys <= b.anchor.keys or not b.keys:  # not a line that only links the item again
                    self.first_note.setdefault(key, b)

    def flags_of_block(self, b: Block) -> frozenset[str]:
        """The flags of the block's own words."""
        return self.own.get(id(b), _NONE)

    def chain(self, b: Block) -> frozenset[str]:
        """Flags of the category lines above `b`, up to the first one that names an item."""
        path = []
        p = b.parent
        while p is not None and not p.keys and id(p) not in self.chains:
            path.append(p)
            p = p.parent
        inherited = self.chains.get(id(p), _NONE) if p is not None and not p.keys else _NONE
        for q in reversed(path):
            inherited = self.chains[id(q)] = inherited | self.flags_of_block(q)
        return inherited

    def entry_flags(self, b: Block) -> frozenset[str]:
        """Every flag the block's entry carries: its words, its discussion, the lines and headings above."""
        flags = (self.flags_of_block(b) | self.tree.get(id(b), _NONE) | self.under.get(id(b), _NONE)
                 | self.chain(b) | b.head.flags)
        top_level = b.kind == "item" and (b.parent is None or b.parent.kind != "item")
        if self.labelled and top_level and b.head.repo:
            flags |= {"tsc-agenda"}
        return flags

    def context(self, key: tuple[str, int], blocks_of: Iterable[Block]) -> Context:
        """The context of the item `key` (folded), mentioned in `blocks_of` (in order of first mention)."""
        mentioned = list(blocks_of)
        # Where the item is itself an agenda entry, only those mentions say how the meeting treated it;
        # a passing mention in another item's discussion ("deferred to focus on #1518") says nothing.
        entries = [b for b in mentioned if b.anchor is None or key in b.anchor.keys] or mentioned
        flags = frozenset[str]().union(*(self.entry_flags(b) for b in entries))
        first = entries[0]
        if first.kind == "heading":  # its title is in the section: its own line is the discussion's first
            note = self.first_note.get(id(first))
            bullet = cut(note.text) if note is not None and note.text else None
        else:
            bullet = cut(first.text) or None
        parents: list[str] = []
        p = first.parent
        while p is not None and len(parents) < MAX_PARENTS:
            parents.append(cut(p.text))
            p = p.parent
        return Context(first.head.section, tuple(reversed(parents)), bullet, tuple(sorted(flags)))
