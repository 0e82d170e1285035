"""`GET /search/issues` as GitHub answers it today: advanced search syntax, and the 422s it documents.

Issue search has read queries with advanced-search syntax by default since 2025-09-04 (and always with
`advanced_search=true`, a documented parameter): `AND`, `OR`, `NOT` and parentheses, a space meaning
AND, so `repo:a repo:b` matches nothing (no thread lives in two repositories) and `(repo:a OR repo:b)`
matches either. What GitHub refuses, with 422 Validation Failed:

* a query longer than 256 characters, or with more than five AND/OR/NOT operators (documented);
* a query that does not restrict itself to issues or to pull requests (`is:issue`, `is:pr`,
  `is:pull-request`, `type:...`): GitHub documents it for user-to-server App tokens ("you must send
  separate queries for issues and pull requests"), and since improved issue search became generally
  available (changelog 2026-04-02) public reports say every token gets the 422. The wording of that
  422's message is not in the public reports; the one below is ours.
* a `repo:` the token cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.fakegithub.store import FakeItem, FakeRepo, Store
from triage.facts import ItemFacts, parse_when

MAX_LENGTH = 256
MAX_OPERATORS = 5
MAX_NESTING = 5
_TOKEN = re.compile(r'\(|\)|-?[\w.-]+:"[^"]*"|"[^"]*"|[^\s()]+')
_KINDS = frozenset({"issue", "pull"})
_KIND_OF = {"issue": "issue", "pr": "pull", "pull-request": "pull"}


class SearchRejected(ValueError):
    """GitHub would answer 422 Validation Failed; the message is the error's `message`."""


Test = Callable[[FakeRepo, ItemFacts], bool]


@dataclass(frozen=True)
class Node:
    """A parsed query: a term (`test`, and the kinds it restricts to), or AND/OR/NOT of nodes."""

    op: str  # "term", "and", "or", "not"
    children: tuple[Node, ...] = ()
    test: Test | None = None
    kinds: frozenset[str] = _KINDS

    def matches(self, repo: FakeRepo, facts: ItemFacts) -> bool:
        if self.op == "term":
            assert self.test is not None
            return self.test(repo, facts)
        if self.op == "not":
            return not self.children[0].matches(repo, facts)
        results = (c.matches(repo, facts) for c in self.children)
        return all(results) if self.op == "and" else any(results)

    def restricts_to(self) -> frozenset[str]:
        """The kinds of thread the query can match (both, unless `is:issue` or `is:pr` decides)."""
        if self.op == "term":
            return self.kinds
        if self.op == "not":
            return _KINDS
        sets = [c.restricts_to() for c in self.children]
        if self.op == "and":
            return frozenset.intersection(*sets)
        return frozenset.union(*sets)


class _Parser:
    def __init__(self, tokens: Sequence[str], store: Store) -> None:
        self.tokens = list(tokens)
        self.at = 0
        self.store = store
        self.operators = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        node = self.expression(0)
        if self.peek() is not None:
            raise SearchRejected(f"Unexpected {self.peek()!r} in the search query.")
        if self.operators > MAX_OPERATORS:
            raise SearchRejected(f"The search contains more than {MAX_OPERATORS} AND / OR / NOT operators.")
        return node

    def expression(self, depth: int) -> Node:
        parts = [self.conjunction(depth)]
        while self.peek() == "OR":
            self.take()
            self.operators += 1
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else Node("or", tuple(parts))

    def conjunction(self, depth: int) -> Node:
        parts = [self.unary(depth)]
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.take()
                self.operators += 1
            parts.append(self.unary(depth))  # a space is an AND too
        return parts[0] if len(parts) == 1 else Node("and", tuple(parts))

    def unary(self, depth: int) -> Node:
        token = self.peek()
        if token is None:
            raise SearchRejected("The search query ends too early.")
        if token == "NOT":
            self.take()
            self.operators += 1
            return Node("not", (self.unary(depth),))
        if token == "(":
            if depth >= MAX_NESTING:
                raise SearchRejected(f"The search nests more than {MAX_NESTING} levels of parentheses.")
            self.take()
            inner = self.expression(depth + 1)
            if self.peek() != ")":
                raise SearchRejected("A parenthesis in the search query is not closed.")
            self.take()
            return inner
        return self.term(self.take())

    def term(self, token: str) -> Node:
        negated = token.startswith("-") and ":" in token
        name, _, value = token.removeprefix("-").partition(":") if ":" in token else ("", "", token)
        value = value.strip('"')
        node = self.qualifier(name.lower(), value) if name else Node("term", test=_words(value))
        return Node("not", (node,)) if negated else node

    def qualifier(self, name: str, value: str) -> Node:
        lower = value.lower()
        if name == "repo":
            repo, _ = self.store.lookup(value)
            if repo is None or repo.private:
                raise SearchRejected(
                    "The listed users and repositories cannot be searched either because the resources do not "
                    "exist or you do not have permission to view them."
                )
            full = repo.full_name.lower()
            return Node("term", test=lambda r, f: r.full_name.lower() == full)
        if name in ("org", "user"):
            return Node("term", test=lambda r, f: r.owner.lower() == lower)
        if name in ("is", "type") and lower in _KIND_OF:
            kind = _KIND_OF[lower]
            return Node("term", test=lambda r, f: f.kind == kind, kinds=frozenset({kind}))
        if name in ("is", "state"):
            return Node("term", test=_state_test(lower))
        if name in ("updated", "created"):
            return Node("term", test=_date_test("updated_at" if name == "updated" else "created_at", value))
        if name == "author":
            return Node("term", test=lambda r, f: (f.author or "").lower() == lower)
        if name == "label":
            return Node("term", test=lambda r, f: value in (f.labels or ()))
        return Node("term", test=_words(f"{name}:{value}"))


def _words(text: str) -> Test:
    word = text.strip('"').lower()
    return lambda r, f: word in (f.title or "").lower()


def _state_test(value: str) -> Test:
    tests: dict[str, Callable[[ItemFacts], bool]] = {
        "open": lambda f: f.state == "open",
        "closed": lambda f: f.state != "open",
        "merged": lambda f: f.state == "merged",
        "unmerged": lambda f: f.kind == "pull" and f.state == "closed",
        "draft": lambda f: bool(f.draft),
    }
    test = tests.get(value, lambda f: True)
    return lambda r, f: test(f)


def _date_test(attr: str, value: str) -> Test:
    m = re.fullmatch(r"(>=|<=|>|<)?(.+)", value)
    assert m
    op, text = m[1] or "=", m[2]
    if ".." in text:
        lo, hi = (parse_when(p) for p in text.split("..", 1))
        return lambda r, f: (v := getattr(f, attr)) is not None and lo <= v <= hi  # type: ignore[operator]
    when = parse_when(text)
    assert when is not None
    date_only = len(text) == 10
    day = timedelta(days=1)
    ops: dict[str, Callable[[Any], bool]] = {
        ">=": lambda v: v >= when,
        ">": lambda v: v >= when + day if date_only else v > when,
        "<=": lambda v: v < when + day if date_only else v <= when,
        "<": lambda v: v < when,
        "=": lambda v: when <= v < when + day if date_only else v == when,
    }
    return lambda r, f: (v := getattr(f, attr)) is not None and ops[op](v)


def parse_query(q: str, store: Store) -> Node:
    """The query GitHub would run for `q`; raises SearchRejected where GitHub answers 422."""
    if len(q) > MAX_LENGTH:
        raise SearchRejected(f"The search is longer than {MAX_LENGTH} characters.")
    node = _Parser(_TOKEN.findall(q), store).parse()
    if node.restricts_to() == _KINDS:
        raise SearchRejected("Query must include 'is:issue' or 'is:pull-request'.")
    return node


def search(q: str, store: Store) -> list[tuple[FakeRepo, FakeItem]]:
    """Every visible issue or PR `q` matches, in the store's order (the caller sorts)."""
    node = parse_query(q, store)
    return [
        (r, i)
        for r in store.repos.values()
        if not r.private
        for i in r.items.values()
        if not i.hidden and i.facts.kind in ("issue", "pull") and node.matches(r, i.facts)
    ]
