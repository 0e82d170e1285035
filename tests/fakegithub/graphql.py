"""A small GraphQL engine for the fake GitHub: parse, validate against a schema subset, price, execute.

It understands what clients send GitHub: named or anonymous queries, variables, aliases, arguments
(literals, enums, lists, input objects, variables), inline fragments and named fragments. It
validates like GitHub does before running anything (unknown fields, missing `first`/`last`, pages
over 100, the 500,000 node limit) and prices a query with GitHub's documented formula, so a typo
in our query text fails a test instead of passing against a lenient fake.

Values are resolved by `Obj`s: a type name plus a mapping of field -> value or callable(args).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_PAGE = 100
NODE_LIMIT = 500_000

_TOKEN = re.compile(
    r"""
    (?P<skip>[\s,\ufeff]+|\#[^\n]*)
  | (?P<spread>\.\.\.)
  | (?P<punct>[!$():=@\[\]{}|&])
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
    """,
    re.VERBOSE,
)


class GraphQLSyntaxError(ValueError):
    """The query text is not valid GraphQL (the message says where, like GitHub's)."""


class ResolveError(Exception):
    """A field cannot be resolved; becomes an `errors` entry with this type and message."""

    def __init__(self, type: str, message: str) -> None:
        super().__init__(message)
        self.type = type
        self.message = message


@dataclass(frozen=True)
class Var:
    """A `$variable` reference inside arguments."""

    name: str


@dataclass(frozen=True)
class Enum:
    """An enum literal such as OPEN or NAME."""

    value: str


@dataclass
class Field:
    name: str
    alias: str | None
    args: dict[str, Any]
    selections: list[Any]
    line: int
    column: int

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class InlineFragment:
    type_condition: str | None
    selections: list[Any]


@dataclass
class FragmentSpread:
    name: str
    line: int
    column: int


@dataclass
class Fragment:
    name: str
    type_condition: str
    selections: list[Any]


@dataclass
class Operation:
    name: str | None
    variables: dict[str, tuple[str, Any]]  # name -> (type text, default)
    selections: list[Any]


@dataclass
class Document:
    operations: list[Operation]
    fragments: dict[str, Fragment]


# --- parsing ---------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, int, int]] = []
        pos, line, line_start = 0, 1, 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                raise GraphQLSyntaxError(f'Parse error on "{text[pos]}" at [{line}, {pos - line_start + 1}]')
            kind = m.lastgroup or ""
            if kind != "skip":
                self.tokens.append((kind, m.group(), line, pos - line_start + 1))
            newlines = m.group().count("\n")
            if newlines:
                line += newlines
                line_start = pos + m.group().rindex("\n") + 1
            pos = m.end()
        self.i = 0

    def peek(self, value: str | None = None, kind: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        k, v, _, _ = self.tokens[self.i]
        return (value is None or v == value) and (kind is None or k == kind)

    def take(self, value: str | None = None, kind: str | None = None) -> tuple[str, str, int, int]:
        if not self.peek(value, kind):
            if self.i >= len(self.tokens):
                raise GraphQLSyntaxError(
                    "Parse error on end of input (expected " + (value or kind or "more") + ")"
                )
            _, v, line, col = self.tokens[self.i]
            raise GraphQLSyntaxError(f'Parse error on "{v}" at [{line}, {col}]')
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def document(self) -> Document:
        ops: list[Operation] = []
        frags: dict[str, Fragment] = {}
        while self.i < len(self.tokens):
            if self.peek("{"):
                ops.append(Operation(None, {}, self.selection_set()))
            elif self.peek("query") or self.peek("mutation"):
                if self.take()[1] == "mutation":
                    raise GraphQLSyntaxError("the fake GitHub serves queries only")
                name = self.take(kind="name")[1] if self.peek(kind="name") else None
                variables = self.variable_definitions() if self.peek("(") else {}
                ops.append(Operation(name, variables, self.selection_set()))
            elif self.peek("fragment"):
                self.take()
                name = self.take(kind="name")[1]
                self.take("on")
                frags[name] = Fragment(name, self.take(kind="name")[1], self.selection_set())
            else:
                self.take("{")
        if not ops:
            raise GraphQLSyntaxError("Parse error on end of input (no operation)")
        return Document(ops, frags)

    def variable_definitions(self) -> dict[str, tuple[str, Any]]:
        out: dict[str, tuple[str, Any]] = {}
        self.take("(")
        while not self.peek(")"):
            self.take("$")
            name = self.take(kind="name")[1]
            self.take(":")
            type_text = self.type_ref()
            default = None
            if self.peek("="):
                self.take()
                default = self.value()
            out[name] = (type_text, default)
        self.take(")")
        return out

    def type_ref(self) -> str:
        if self.peek("["):
            self.take()
            inner = self.type_ref()
            self.take("]")
            text = f"[{inner}]"
        else:
            text = self.take(kind="name")[1]
        if self.peek("!"):
            self.take()
            text += "!"
        return text

    def selection_set(self) -> list[Any]:
        self.take("{")
        out: list[Any] = []
        while not self.peek("}"):
            out.append(self.selection())
        self.take("}")
        if not out:
            raise GraphQLSyntaxError("Parse error on empty selection set")
        return out

    def selection(self) -> Any:
        if self.peek("..."):
            _, _, line, col = self.take()
            if self.peek("on"):
                self.take()
                cond = self.take(kind="name")[1]
                return InlineFragment(cond, self.selection_set())
            if self.peek("{"):
                return InlineFragment(None, self.selection_set())
            return FragmentSpread(self.take(kind="name")[1], line, col)
        _, first, line, col = self.take(kind="name")
        alias, name = None, first
        if self.peek(":"):
            self.take()
            alias, name = first, self.take(kind="name")[1]
        args = self.arguments() if self.peek("(") else {}
        sels = self.selection_set() if self.peek("{") else []
        return Field(name, alias, args, sels, line, col)

    def arguments(self) -> dict[str, Any]:
        self.take("(")
        out: dict[str, Any] = {}
        while not self.peek(")"):
            name = self.take(kind="name")[1]
            self.take(":")
            out[name] = self.value()
        self.take(")")
        return out

    def value(self) -> Any:
        kind, text, _, _ = self.tokens[self.i] if self.i < len(self.tokens) else ("", "", 0, 0)
        if text == "$":
            self.take()
            return Var(self.take(kind="name")[1])
        if kind == "string":
            self.take()
            return _unescape(text[1:-1])
        if kind == "number":
            self.take()
            return float(text) if any(c in text for c in ".eE") else int(text)
        if text == "[":
            self.take()
            items = []
            while not self.peek("]"):
                items.append(self.value())
            self.take("]")
            return items
        if text == "{":
            self.take()
            obj = {}
            while not self.peek("}"):
                key = self.take(kind="name")[1]
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        if kind == "name":
            self.take()
            return {"true": True, "false": False, "null": None}.get(text, Enum(text))
        self.take("value")
        return None


def _unescape(text: str) -> str:
    return re.sub(
        r"\\(u[0-9a-fA-F]{4}|.)",
        lambda m: (
            chr(int(m[1][1:], 16)) if m[1][0] == "u" else {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1])
        ),
        text,
    )


def parse(text: str) -> Document:
    """Parse a query document; raise GraphQLSyntaxError with GitHub's style of message."""
    return _Parser(text).document()


# --- schema subset -----------------------------------------------------------------------------------

PAGE_ARGS = frozenset({"first", "last", "after", "before"})


@dataclass
class Schema:
    """Object types with their fields' return types and accepted arguments, plus abstract types."""

    types: dict[str, dict[str, tuple[str, frozenset[str]]]] = field(default_factory=dict)
    possible: dict[str, frozenset[str]] = field(default_factory=dict)  # union/interface -> object types
    interface_fields: dict[str, dict[str, tuple[str, frozenset[str]]]] = field(default_factory=dict)

    def object(self, type_name: str, /, **fields: str | tuple[str, Iterable[str]]) -> None:
        """Declare an object type; a field is "Type" or ("Type", accepted argument names)."""
        table: dict[str, tuple[str, frozenset[str]]] = {}
        for fname, spec in fields.items():
            if isinstance(spec, str):
                table[fname] = (spec, frozenset())
            else:
                table[fname] = (spec[0], frozenset(spec[1]))
        self.types[type_name] = table
        for ret, _ in table.values():
            if ret.startswith("Connection:"):
                self._connection(ret.split(":", 1)[1])

    def abstract(
        self, type_name: str, members: Iterable[str], /, **fields: str | tuple[str, Iterable[str]]
    ) -> None:
        """Declare a union (no fields) or an interface (with the fields all members share)."""
        self.possible[type_name] = frozenset(members)
        self.interface_fields[type_name] = {
            f: (s, frozenset()) if isinstance(s, str) else (s[0], frozenset(s[1])) for f, s in fields.items()
        }

    def _connection(self, node: str) -> None:
        conn = f"Connection:{node}"
        if conn not in self.types:
            self.types[conn] = {
                "totalCount": ("Int", frozenset()),
                "nodes": (node, frozenset()),
                "edges": (f"Edge:{node}", frozenset()),
                "pageInfo": ("PageInfo", frozenset()),
            }
            self.types[f"Edge:{node}"] = {"cursor": ("String", frozenset()), "node": (node, frozenset())}
        self.types.setdefault(
            "PageInfo",
            {
                "hasNextPage": ("Boolean", frozenset()),
                "hasPreviousPage": ("Boolean", frozenset()),
                "startCursor": ("String", frozenset()),
                "endCursor": ("String", frozenset()),
            },
        )

    def fields_of(self, type_name: str) -> dict[str, tuple[str, frozenset[str]]] | None:
        if type_name in self.types:
            return self.types[type_name]
        if type_name in self.possible:
            return self.interface_fields.get(type_name, {})
        return None

    def is_composite(self, type_name: str) -> bool:
        return type_name in self.types or type_name in self.possible

    def matches(self, condition: str | None, type_name: str) -> bool:
        """Does an object of `type_name` satisfy a fragment's type condition?"""
        return condition is None or condition == type_name or type_name in self.possible.get(condition, ())

    def can_spread(self, condition: str, parent: str) -> bool:
        """May a fragment on `condition` appear inside a selection on `parent`?"""
        left = self.possible.get(condition, frozenset({condition}))
        right = self.possible.get(parent, frozenset({parent}))
        return bool(left & right)


@dataclass
class Priced:
    """What GitHub's static analysis says about a query: requests (for cost), nodes, and errors."""

    requests: int = 0
    nodes: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cost(self) -> int:
        """Rate-limit points: requests / 100, rounded, at least 1 (GitHub's documented formula)."""
        return max(1, round(self.requests / 100))


def _error(message: str, line: int = 0, column: int = 0, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"message": message}
    if line:
        out["locations"] = [{"line": line, "column": column}]
    out.update(extra)
    return out


def _arg(field_: Field, name: str, variables: Mapping[str, Any]) -> Any:
    value = field_.args.get(name)
    return variables.get(value.name) if isinstance(value, Var) else value


def validate(doc: Document, schema: Schema, variables: Mapping[str, Any], root: str = "Query") -> Priced:
    """Check the first operation against `schema` and price it; errors are GitHub-shaped dicts."""
    priced = Priced()
    op = doc.operations[0]
    for name, (type_text, default) in op.variables.items():
        if type_text.endswith("!") and variables.get(name, default) is None:
            priced.errors.append(_error(f"Variable ${name} of type {type_text} was provided invalid value"))

    def walk(
        selections: Sequence[Any], parent: str, multiplier: int, path: tuple[str, ...], seen: frozenset[str]
    ) -> None:
        for sel in selections:
            if isinstance(sel, FragmentSpread):
                frag = doc.fragments.get(sel.name)
                if frag is None:
                    priced.errors.append(
                        _error(f"Fragment {sel.name} was used, but not defined", sel.line, sel.column)
                    )
                elif sel.name in seen:
                    priced.errors.append(_error(f"Fragment {sel.name} contains an infinite loop"))
                elif not schema.can_spread(frag.type_condition, parent):
                    priced.errors.append(
                        _error(
                            f"Fragment {sel.name} on {frag.type_condition} can't be spread inside {parent}"
                        )
                    )
                else:
                    walk(frag.selections, frag.type_condition, multiplier, path, seen | {sel.name})
                continue
            if isinstance(sel, InlineFragment):
                cond = sel.type_condition or parent
                if schema.fields_of(cond) is None:
                    priced.errors.append(_error(f"No such type {cond}, so it can't be a fragment condition"))
                elif not schema.can_spread(cond, parent):
                    priced.errors.append(_error(f"Fragment on {cond} can't be spread inside {parent}"))
                else:
                    walk(sel.selections, cond, multiplier, path, seen)
                continue
            assert isinstance(sel, Field)
            here = (*path, sel.key)
            if sel.name == "__typename":
                continue
            table = schema.fields_of(parent) or {}
            if sel.name not in table:
                priced.errors.append(
                    _error(
                        f"Field '{sel.name}' doesn't exist on type '{parent}'",
                        sel.line,
                        sel.column,
                        path=list(here),
                        extensions={"code": "undefinedField", "typeName": parent, "fieldName": sel.name},
                    )
                )
                continue
            ret, accepted = table[sel.name]
            for arg in sel.args:
                if arg not in accepted:
                    priced.errors.append(
                        _error(
                            f"Field '{sel.name}' doesn't accept argument '{arg}'",
                            sel.line,
                            sel.column,
                            path=list(here),
                            extensions={"code": "argumentNotAccepted", "name": sel.name, "argumentName": arg},
                        )
                    )
            if schema.is_composite(ret) and not sel.selections:
                priced.errors.append(
                    _error(
                        f"Field must have selections (field '{sel.name}' returns {ret.split(':')[-1]} "
                        f"but has no selections. Did you mean '{sel.name} {{ ... }}'?)",
                        sel.line,
                        sel.column,
                    )
                )
                continue
            if not schema.is_composite(ret) and sel.selections:
                priced.errors.append(
                    _error(
                        f"Selections can't be made on scalars (field '{sel.name}' returns {ret} "
                        "but has selections [...])",
                        sel.line,
                        sel.column,
                    )
                )
                continue
            child_multiplier = multiplier
            if ret.startswith("Connection:"):
                first, last = _arg(sel, "first", variables), _arg(sel, "last", variables)
                wants_nodes = any(
                    isinstance(s, Field) and s.name in ("nodes", "edges") for s in sel.selections
                )
                size = first if first is not None else last
                for bound, value in (("first", first), ("last", last)):
                    if value is not None and not 0 <= value <= MAX_PAGE:
                        priced.errors.append(
                            _error(
                                f"Requesting {value} records on the `{sel.name}` connection exceeds "
                                f"the `{bound}` limit of {MAX_PAGE} records.",
                                sel.line,
                                sel.column,
                                type="EXCESSIVE_PAGINATION",
                                path=list(here),
                            )
                        )
                if wants_nodes and size is None:
                    priced.errors.append(
                        _error(
                            "You must provide a `first` or `last` value to properly paginate "
                            f"the `{sel.name}` connection.",
                            sel.line,
                            sel.column,
                            type="MISSING_PAGINATION_BOUNDARIES",
                            path=list(here),
                        )
                    )
                elif wants_nodes and isinstance(size, int):
                    priced.requests += multiplier
                    priced.nodes += multiplier * size
                    child_multiplier = multiplier * size
            walk(sel.selections, ret, child_multiplier, here, seen)

    walk(op.selections, root, 1, (), frozenset())
    if priced.nodes > NODE_LIMIT:
        priced.errors.append(
            _error(
                f"This query requests up to {priced.nodes:,} possible nodes which exceeds "
                f"the maximum limit of {NODE_LIMIT:,}.",
                type="MAX_NODE_LIMIT_EXCEEDED",
            )
        )
    return priced


# --- execution ----------------------------------------------------------------------------------------


class Obj:
    """A GraphQL object: its type name and its fields (values, or callables taking the arguments)."""

    def __init__(self, typename: str, **fields: Any) -> None:
        self.typename = typename
        self.fields = fields

    def resolve(self, name: str, args: Mapping[str, Any]) -> Any:
        value = self.fields.get(name)
        return value(args) if callable(value) else value

    def __repr__(self) -> str:
        return f"Obj({self.typename})"


def cursor(index: int) -> str:
    """An opaque cursor for position `index`, like GitHub's base64 cursors."""
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _index(text: Any) -> int | None:
    try:
        return int(base64.b64decode(str(text)).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError):
        return None


def connection(
    items: Sequence[Any], args: Mapping[str, Any], node: Callable[[Any], Any] = lambda x: x
) -> Obj:
    """A Relay connection over `items` honouring first/last/after/before."""
    lo, hi = 0, len(items)
    after, before = _index(args.get("after")), _index(args.get("before"))
    if args.get("after") is not None:
        if after is None:
            raise ResolveError(
                "INVALID_CURSOR_ARGUMENTS", f"`{args['after']}` does not appear to be a valid cursor."
            )
        lo = max(lo, after + 1)
    if before is not None:
        hi = min(hi, before)
    start, end = lo, max(lo, hi)
    first, last = args.get("first"), args.get("last")
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    window = list(range(start, end))
    made: list[Any] = []

    def nodes(_: Mapping[str, Any]) -> list[Any]:
        # Built on first use: a `{ totalCount }` selection (counts of comments, reactions, open
        # PRs per repository) then costs nothing however long the list is.
        if not made and window:
            made.extend(node(items[i]) for i in window)
        return made

    return Obj(
        "Connection",
        totalCount=len(items),
        nodes=nodes,
        edges=lambda a: [Obj("Edge", cursor=cursor(i), node=n) for i, n in zip(window, nodes(a), strict=True)],
        pageInfo=Obj(
            "PageInfo",
            hasNextPage=end < hi if first is not None else end < len(items),
            hasPreviousPage=start > lo if last is not None else start > 0,
            startCursor=cursor(window[0]) if window else None,
            endCursor=cursor(window[-1]) if window else None,
        ),
    )


def _resolve_args(field_: Field, variables: Mapping[str, Any]) -> dict[str, Any]:
    def value(v: Any) -> Any:
        if isinstance(v, Var):
            return variables.get(v.name)
        if isinstance(v, Enum):
            return v.value
        if isinstance(v, list):
            return [value(x) for x in v]
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        return v

    return {k: value(v) for k, v in field_.args.items()}


def execute(
    doc: Document, schema: Schema, variables: Mapping[str, Any], root: Obj
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Run the first operation of a validated document; return (data, errors) as GitHub shapes them."""
    errors: list[dict[str, Any]] = []
    op = doc.operations[0]
    defaults = {n: d for n, (_, d) in op.variables.items() if d is not None}
    variables = {**defaults, **variables}

    def collect(
        selections: Sequence[Any], typename: str, out: dict[str, list[Field]]
    ) -> dict[str, list[Field]]:
        for sel in selections:
            if isinstance(sel, Field):
                out.setdefault(sel.key, []).append(sel)
            elif isinstance(sel, InlineFragment):
                if schema.matches(sel.type_condition, typename):
                    collect(sel.selections, typename, out)
            else:
                frag = doc.fragments[sel.name]
                if schema.matches(frag.type_condition, typename):
                    collect(frag.selections, typename, out)
        return out

    def complete(value: Any, fields: list[Field], path: list[str | int]) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return [complete(v, fields, [*path, i]) for i, v in enumerate(value)]
        if isinstance(value, Obj):
            subs = [s for f in fields for s in f.selections]
            return run(value, subs, path)
        return value

    def run(obj: Obj, selections: Sequence[Any], path: list[str | int]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, fields in collect(selections, obj.typename, {}).items():
            first = fields[0]
            if first.name == "__typename":
                result[key] = obj.typename
                continue
            try:
                value = obj.resolve(first.name, _resolve_args(first, variables))
            except ResolveError as e:
                errors.append(_error(e.message, first.line, first.column, type=e.type, path=[*path, key]))
                result[key] = None
                continue
            result[key] = complete(value, fields, [*path, key])
        return result

    data = run(root, op.selections, [])
    return data, errors
