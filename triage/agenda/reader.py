"""Minutes/agenda markdown -> the GitHub PRs, issues and discussions it names, with their context.

`read_agenda` finds every reference people write: full URLs to pulls, issues and discussions (with
comment, file, commit or check tails, inline or as `[label]: url` reference links), `owner/repo#N`,
`repo#N`, `#N` and `GH-N`. It records for each distinct item the lines it is on, the headings above
its entry, the item's own line, the lines it sits under and the flags the minutes put on it
(`flags.FLAGS`). It reads at most `max_refs` items and says so in a sentence when a document
names more. `parse_agenda` is the same without the reading's notes. `read_minutes` turns uploaded
bytes into text, and `carried_over` says which earlier minutes already named an item.

How the document is cut into blocks is `outline`; what each line says is `inline`; how
an item's context and flags are read from the blocks around it is `context`.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.agenda.context import ContextReader
from triage.agenda.inline import OWNER_NAME, REPO_NAME
from triage.agenda.outline import Block, outline
from triage.facts import ItemKey, Kind

# Real minutes are a few kB (a whole year of Falco community calls is 30 kB). 2 MB leaves room for
# any real agenda and refuses logs, exports and binaries pasted by mistake before they are parsed.
MAX_MINUTES_BYTES = 2_000_000
# The most items one agenda may name. A real agenda names 10 to 50 (a busy year of Falco minutes, 40);
# each item costs a share of a GraphQL request and of the rate limit, so a paste of 100,000 references
# would spend a token's hourly budget. `triage --max-refs` and `$TRIAGE_MAX_REFS` change it.
MAX_REFS = 1_000
# References as written, per item allowed: an agenda repeats an item a few times, not thousands.
MENTIONS_PER_REF = 20
# GitHub answers /issues/N of a pull request with a redirect to /pull/N, and /issues/N of an issue
# turned into a discussion with one to /discussions/N (seen in use; GitHub's REST documentation does
# not describe its web pages' redirects). So a /pull/ or /discussions/ link is conclusive, /issues/ is not.
_KIND_RANK: dict[Kind | None, int] = {None: 0, "issue": 1, "discussion": 2, "pull": 3}


class AgendaInputError(ValueError):
    """Minutes that cannot be read: the message says what is wrong with the input."""


@dataclass(frozen=True)
class AgendaRef:
    """One distinct GitHub thread named in an agenda, with everything the agenda says around it."""

    key: ItemKey
    kind: Kind | None  # from the URL path (pull / issues / discussions); None for `repo#N` shorthand
    lines: tuple[int, ...]  # 1-based line numbers of every mention
    section: tuple[str, ...]  # heading path of its entry, outermost first
    # Plain text of its own bullet or line (of an item written as a heading: the first line of the
    # discussion under it, the heading being the section's last part).
    bullet: str | None
    flags: tuple[str, ...]  # sorted, e.g. ("skipped", "urgent"); see `FLAGS`
    parents: tuple[str, ...] = ()  # the bullets or label lines its entry sits under, outermost first

    @property
    def ref(self) -> str:
        """`owner/repo#N`."""
        return self.key.ref


@dataclass(frozen=True)
class AgendaReading:
    """What `read_agenda` read: the items, and where it stopped when the document named too many."""

    refs: list[AgendaRef]
    line_count: int
    max_refs: int
    stopped_at: int | None = None  # the line reading stopped in: the rest was not read
    stopped_by: str | None = None  # "items" or "references"

    @property
    def limit_note(self) -> str | None:
        """The sentence that says the limit was hit and what was kept, or None."""
        if self.stopped_at is None:
            return None
        limit = (f"{self.max_refs:,} items" if self.stopped_by == "items"
                 else f"{self.max_refs * MENTIONS_PER_REF:,} references ({MENTIONS_PER_REF} per item allowed)")
        kept = len(self.refs)
        return (
            f"Reading stopped at line {self.stopped_at:,} of {self.line_count:,}: there the minutes name more"
            f" than {limit}, the limit per agenda (raise it with --max-refs or TRIAGE_MAX_REFS); the {kept:,}"
            f" item{'s' if kept != 1 else ''} named up to that point {'are' if kept != 1 else 'is'} kept."
        )


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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise AgendaInputError(f"{name} is empty: there is no text to read GitHub references from")
    return text


# --- read_agenda ---------------------------------------------------------------------------------


@dataclass
class _Item:
    """Everything collected about one item while reading the document."""

    key: ItemKey
    kind: Kind | None
    lines: set[int]
    blocks: dict[int, Block]  # the block of each mention by id, first mention first


def _checked_defaults(default_repo: str | None, default_org: str | None) -> tuple[str | None, str | None]:
    """The defaults without surrounding blanks ("" means none); AgendaInputError when malformed."""
    repo = (default_repo or "").strip() or None
    org = (default_org or "").strip() or None
    if repo is not None and not REPO_NAME.fullmatch(repo):
        raise AgendaInputError(f"Invalid default repo {default_repo!r}: expected owner/name (nodejs/node)")
    if org is not None and not OWNER_NAME.fullmatch(org):
        raise AgendaInputError(f"Invalid default org {default_org!r}: expected an owner name (nodejs)")
    return repo, org


def read_agenda(
    text: str, default_repo: str | None = None, default_org: str | None = None, max_refs: int = MAX_REFS
) -> AgendaReading:
    """Every GitHub thread `text` names, in order of first mention, up to `max_refs` of them.

    `#N` resolves against the repo of the link it is the text of, then the innermost `### owner/repo`
    heading above it, then `default_repo`; `repo#N` against the owner of the link or heading, then
    `default_org` (or `default_repo`'s owner), then the one organisation the document links to, if
    it links to only one. A reference that cannot be resolved is left out. A document naming more than
    `max_refs` items (or `MENTIONS_PER_REF` times as many references) is read up to the point that
    would pass the limit; what was read is kept, and `limit_note` says so.
    """
    if max_refs < 1:
        raise ValueError(f"max_refs must be at least 1, not {max_refs}")
    default_repo, default_org = _checked_defaults(default_repo, default_org)
    doc = outline(text, max_refs, max_refs * MENTIONS_PER_REF)
    fallback_org = default_org or (default_repo.split("/")[0] if default_repo else None)
    if fallback_org is None and len(doc.owners) == 1:
        [fallback_org] = doc.owners.values()

    found: dict[tuple[str, int], _Item] = {}
    keys: dict[int, set[tuple[str, int]]] = {}
    # In line order: an item's continuation line can come after its sub-bullets.
    mentioning = sorted(((n, b, m) for b in doc.named for n, m in b.mentions), key=lambda x: x[0])
    for n, block, raw in mentioning:
        if raw.repo is None:
            repo = block.head.repo or default_repo
        elif raw.owner is not None:
            repo = f"{raw.owner}/{raw.repo}"
        else:
            owner = block.head.repo.split("/")[0] if block.head.repo else fallback_org
            repo = f"{owner}/{raw.repo}" if owner else None
        if repo is None:
            continue
        fold = (repo.lower(), raw.number)
        item = found.get(fold)
        if item is None:  # the first mention's spelling of the repo is kept
            item = found[fold] = _Item(ItemKey(repo, raw.number), None, set(), {})
        if _KIND_RANK[raw.kind] > _KIND_RANK[item.kind]:
            item.kind = raw.kind
        item.lines.add(n)
        item.blocks.setdefault(id(block), block)
        keys.setdefault(id(block), set()).add(fold)
    for b in doc.named:
        b.keys = frozenset(keys.get(id(b), ()))

    reader = ContextReader(doc.blocks, doc.labelled)
    refs = []
    for fold, item in found.items():
        c = reader.context(fold, item.blocks.values())
        refs.append(AgendaRef(item.key, item.kind, tuple(sorted(item.lines)), c.section, c.bullet, c.flags,
                              c.parents))
    return AgendaReading(refs, doc.line_count, max_refs, doc.stopped_at, doc.stopped_by)


def parse_agenda(
    text: str, default_repo: str | None = None, default_org: str | None = None, max_refs: int = MAX_REFS
) -> list[AgendaRef]:
    """`read_agenda(...).refs`: the items, for callers that show no note about the limit."""
    return read_agenda(text, default_repo, default_org, max_refs).refs


# --- output and history --------------------------------------------------------------------------


def refs_to_json(refs: Iterable[AgendaRef]) -> list[dict[str, Any]]:
    """JSON-ready records, as `triage refs FILE --format json` prints them."""
    return [
        {
            "ref": r.ref,
            "kind": r.kind,
            "lines": list(r.lines),
            "section": list(r.section),
            "parents": list(r.parents),
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
