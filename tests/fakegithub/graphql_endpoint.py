"""`POST /graphql` as GitHub answers it: graphql-core on GitHub's published schema, plus GitHub's own rules.

Every document is parsed, validated with all of the GraphQL specification's rules (an unused
fragment, an unknown field or a missing variable fails it) against the schema GitHub publishes
(`tests/data/github/schema.graphql`, see its README), then checked with GitHub's documented limits
(docs.github.com, "Rate limits and query limits for the GraphQL API"):

* every connection needs `first` or `last`, each within 1..100;
* a document may ask for at most 500,000 nodes;
* a query costs (requests needed for every connection, assuming full pages) / 100, rounded, at
  least 1 point; `rateLimit { cost }` answers with that figure.

Answers have GitHub's shapes: a document that fails validation gets `errors` and no `data` and is
not charged; an item that cannot be resolved gets an error with its `type` (`NOT_FOUND`, ...) and
`path`, next to the rest of the `data`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    build_schema,
    execute_sync,
    get_named_type,
    is_object_type,
    parse,
    specified_rules,
    validate,
    value_from_ast_untyped,
)

SCHEMA_FILE = Path(__file__).parents[1] / "data" / "github" / "schema.graphql"
MAX_PAGE = 100
NODE_LIMIT = 500_000


class ResolveError(Exception):
    """What a resolver raises for an item GitHub would not show: becomes `{"type": ..., "message": ...}`."""

    def __init__(self, type: str, message: str) -> None:
        super().__init__(message)
        self.type = type


@cache
def github_schema() -> GraphQLSchema:
    """GitHub's published schema, loaded once per process (about 0.4 s)."""
    schema = build_schema(SCHEMA_FILE.read_text("utf-8"), assume_valid_sdl=True)
    # graphql-core checks a schema before its first validation and rejects the published SDL (a
    # field defined twice, deprecations that differ between interfaces and their implementations);
    # GitHub serves documents against it as it is, so that self-check is skipped.
    schema._validation_errors = []  # type: ignore[attr-defined]
    return schema


@dataclass
class Price:
    """GitHub's static analysis of one operation: connection requests (for the cost) and nodes."""

    requests: int = 0
    nodes: int = 0

    @property
    def cost(self) -> int:
        """Points: requests / 100, rounded half up, at least 1 (GitHub's documented formula)."""
        return max(1, (self.requests + 50) // 100)


def is_connection(named: GraphQLNamedType) -> bool:
    """A Relay connection type of GitHub's schema (`IssueConnection`, `ReactorConnection`, ...)."""
    return is_object_type(named) and named.name.endswith("Connection") and "pageInfo" in named.fields  # type: ignore[attr-defined]


def github_limits(variables: Mapping[str, Any], price: Price) -> type[ASTValidationRule]:
    """A validation rule for GitHub's own limits on one request; it fills `price` as it walks."""

    class GitHubLimits(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is not None:
                self.walk(node.selection_set, root, 1, frozenset())
            if price.nodes > NODE_LIMIT:
                self.report_error(
                    GraphQLError(
                        f"This query requests up to {price.nodes:,} possible nodes which exceeds the "
                        f"maximum limit of {NODE_LIMIT:,}.",
                        node,
                        extensions={"type": "MAX_NODE_LIMIT_EXCEEDED"},
                    )
                )

        def argument(self, field: FieldNode, name: str) -> Any:
            for arg in field.arguments or ():
                if arg.name.value == name:
                    return value_from_ast_untyped(arg.value, variables)
            return None

        def walk(self, selections: SelectionSetNode, parent: Any, multiplier: int, seen: frozenset[str]) -> None:
            context: ValidationContext = self.context
            for sel in selections.selections:
                if isinstance(sel, FragmentSpreadNode):
                    fragment = context.get_fragment(sel.name.value)
                    if fragment is not None and sel.name.value not in seen:
                        condition = context.schema.get_type(fragment.type_condition.name.value)
                        self.walk(fragment.selection_set, condition, multiplier, seen | {sel.name.value})
                    continue
                if isinstance(sel, InlineFragmentNode):
                    condition = context.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                    self.walk(sel.selection_set, condition, multiplier, seen)
                    continue
                assert isinstance(sel, FieldNode)
                fields = getattr(parent, "fields", None)
                definition = fields.get(sel.name.value) if fields else None
                if definition is None or sel.selection_set is None:
                    continue  # __typename, scalars, or a field the standard rules already reported
                named = get_named_type(definition.type)
                inner = multiplier
                if is_connection(named):
                    inner = self.page(sel, multiplier)
                self.walk(sel.selection_set, named, inner, seen)

        def page(self, field: FieldNode, multiplier: int) -> int:
            """Check one connection's bounds and price it; the multiplier for what lies inside it."""
            name = field.name.value
            first, last = self.argument(field, "first"), self.argument(field, "last")
            if first is None and last is None:
                self.report_error(
                    GraphQLError(
                        f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
                        field,
                        extensions={"type": "MISSING_PAGINATION_BOUNDARIES"},
                    )
                )
                return multiplier
            for bound, value in (("first", first), ("last", last)):
                if value is not None and not (isinstance(value, int) and 1 <= value <= MAX_PAGE):
                    self.report_error(
                        GraphQLError(
                            f"Requesting {value} records on the `{name}` connection exceeds the `{bound}` "
                            f"limit of {MAX_PAGE} records.",
                            field,
                            extensions={"type": "EXCESSIVE_PAGINATION"},
                        )
                    )
                    return multiplier
            size = int(first if first is not None else last)
            price.requests += multiplier
            price.nodes += multiplier * size
            return multiplier * size

    return GitHubLimits


@lru_cache(maxsize=256)
def _checked(text: str) -> tuple[DocumentNode | None, tuple[dict[str, Any], ...]]:
    """Parse and validate with the specification's rules; the same text always gives the same verdict."""
    schema = github_schema()
    try:
        document = parse(text)
    except GraphQLError as e:
        return None, (_shape(e),)
    errors = validate(schema, document, specified_rules)
    return document, tuple(_shape(e) for e in errors)


def _shape(error: GraphQLError) -> dict[str, Any]:
    """GitHub's error object: message, locations, path, and GitHub's `type` at the top level."""
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    extensions = dict(error.extensions or {})
    original = error.original_error
    if isinstance(original, ResolveError):
        extensions["type"] = original.type
    if "type" in extensions:
        out["type"] = extensions.pop("type")
    if extensions:
        out["extensions"] = extensions
    return out


@dataclass(frozen=True)
class Checked:
    """A request that passed validation, priced; or the errors that stop it."""

    document: DocumentNode | None
    errors: tuple[dict[str, Any], ...]
    price: Price


def check(text: str, variables: Mapping[str, Any]) -> Checked:
    """Validate `text` as GitHub does before running anything, and price it."""
    document, errors = _checked(text)
    price = Price()
    if document is None or errors:
        return Checked(None, errors, price)
    limits = validate(github_schema(), document, [github_limits(variables, price)])
    return Checked(document if not limits else None, tuple(_shape(e) for e in limits), price)


def _resolve(source: Any, info: Any, **args: Any) -> Any:
    """Resolvers are plain mappings whose values may be callables of the field's arguments."""
    value = source.get(info.field_name) if isinstance(source, Mapping) else getattr(source, info.field_name, None)
    return value(args) if callable(value) else value


def execute(checked: Checked, variables: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """Run a checked document on `root`; GitHub's answer body (`data`, and `errors` when any)."""
    assert checked.document is not None
    result = execute_sync(
        github_schema(), checked.document, root_value=root, variable_values=dict(variables), field_resolver=_resolve
    )
    out: dict[str, Any] = {}
    if result.data is not None or not result.errors:
        out["data"] = result.data
    if result.errors:
        out["errors"] = [_shape(e) for e in result.errors]
    return out
