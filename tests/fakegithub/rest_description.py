"""GitHub's REST description for the endpoints triage calls, and the check of what the fake serves.

`tests/data/github/rest-description.json` holds the response schemas of those endpoints, cut from
the OpenAPI description GitHub publishes (github/rest-api-description, as packaged in the npm package
`@octokit/openapi`; its README says which version). `check(method, path, status, body)` validates a
response body against the schema GitHub documents for it; the fake runs it on every JSON answer it
gives (`FakeGitHub.violations`), so a field GitHub documents differently fails the test that got it.

Regenerate the subset from an unpacked package:

    npm pack @octokit/openapi@VERSION && tar xzf octokit-openapi-VERSION.tgz
    python -m tests.fakegithub.rest_description package/generated
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

DESCRIPTION_FILE = Path(__file__).parents[1] / "data" / "github" / "rest-description.json"
# Statuses GitHub's REST guides document for every endpoint, whether or not the endpoint lists them:
# 401 for bad credentials, 403 and 429 for rate limits (docs.github.com, "Rate limits for the REST API",
# "Troubleshooting the REST API"), and the 5xx of its front end. Their bodies are basic errors.
ANY_ENDPOINT = frozenset({401, 403, 429, 500, 502, 503, 504})

# (plan, method, path) of every REST call triage makes (the agenda fetch, the probe, file links, the
# doctor). GitHub Enterprise Server's `/meta` differs (it names the installed version), so it is kept too.
OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("api.github.com", "get", "/search/issues"),
    ("api.github.com", "get", "/repos/{owner}/{repo}"),
    ("api.github.com", "get", "/repos/{owner}/{repo}/contents/{path}"),
    ("api.github.com", "get", "/meta"),
    ("api.github.com", "get", "/rate_limit"),
    ("api.github.com", "get", "/user"),
    ("ghes-3.19", "get", "/meta"),
)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _renamed(node: Any, plan: str) -> Any:
    """`node` with every schema reference pointing at the plan's own copy (`plan:name`)."""
    if isinstance(node, Mapping):
        return {
            k: (f"#/components/schemas/{plan}:{v.rsplit('/', 1)[-1]}" if k == "$ref" else _renamed(v, plan))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_renamed(v, plan) for v in node]
    return node


def extract(generated: Path) -> dict[str, Any]:
    """The subset of the published descriptions in `generated` (the package's `generated/` folder)."""
    operations: list[dict[str, Any]] = []
    schemas: dict[str, Any] = {}
    for plan, method, path in OPERATIONS:
        spec = json.loads((generated / f"{plan}.json").read_text("utf-8"))
        components = spec["components"]
        responses: dict[str, Any] = {}
        for status, response in spec["paths"][path][method]["responses"].items():
            if "$ref" in response:
                response = components["responses"][response["$ref"].rsplit("/", 1)[-1]]
            content = response.get("content") or {}
            schema = (content.get("application/json") or {}).get("schema")
            responses[status] = _renamed(schema, plan) if schema is not None else None
        operations.append({"plan": plan, "method": method, "path": path, "responses": responses})
        pending = [r for s in responses.values() for r in _refs(s)]
        while pending:
            name = pending.pop().rsplit("/", 1)[-1]
            if name in schemas:
                continue
            original = components["schemas"][name.split(":", 1)[1]]
            schemas[name] = _renamed(original, plan)
            pending.extend(_refs(schemas[name]))
    info = json.loads((generated / "api.github.com.json").read_text("utf-8"))["info"]
    return {
        "source": f"npm package @octokit/openapi {info['version']} ({info['description']})",
        "operations": operations,
        "components": {"schemas": dict(sorted(schemas.items()))},
    }


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema to JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    if not isinstance(node, Mapping):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k not in ("nullable", "example", "examples")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


_FORMATS = FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


@_FORMATS.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


@cache
def _description() -> dict[str, Any]:
    data = json.loads(DESCRIPTION_FILE.read_text("utf-8"))
    data["components"] = _json_schema(data["components"])
    data["patterns"] = [(op["plan"], op["method"], _pattern(op["path"]), op) for op in data["operations"]]
    return data


def _pattern(template: str) -> re.Pattern[str]:
    """A regex for a path template: `{path}` spans slashes (a file path), other parameters do not."""
    parts = re.split(r"(\{\w+\})", template)
    regex = "".join(".+" if p == "{path}" else "[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


def described(method: str, path: str, plan: str = "api.github.com") -> dict[str, Any] | None:
    """The described operation a request path falls under, if triage calls it: the plan's own
    description where it is kept (GHES's `/meta`), else api.github.com's."""
    for wanted in dict.fromkeys((plan, "api.github.com")):
        for op_plan, op_method, pattern, op in _description()["patterns"]:
            if op_plan == wanted and op_method == method.lower() and pattern.match(path):
                return op  # type: ignore[no-any-return]
    return None


def check(method: str, path: str, status: int, body: Any, plan: str = "api.github.com") -> list[str]:
    """Where `body` breaks the schema GitHub documents for this answer (empty when it does not)."""
    op = described(method, path, plan)
    if op is None:
        return []
    if str(status) in op["responses"]:
        schema = op["responses"][str(status)]
    elif status in ANY_ENDPOINT:
        schema = {"$ref": "#/components/schemas/api.github.com:basic-error"}
    else:
        return [f"{method.upper()} {op['path']} does not document the status {status}"]
    if schema is None:
        return [] if body in (None, b"", "") else [f"{method.upper()} {op['path']} {status} documents no body"]
    validator = _validator(json.dumps(schema, sort_keys=True))
    out = []
    for error in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path))):
        if error.context:  # oneOf/anyOf: say why the closest alternative failed
            error = best_match(error.context)
        where = "/".join(map(str, error.absolute_path)) or "(body)"
        out.append(f"{method.upper()} {op['path']} {status}: {where}: {_short(error.message)}")
    return out


@cache
def _validator(schema: str) -> Draft202012Validator:
    """One validator per response schema (building one resolves the shared components again)."""
    root = {"components": _description()["components"], "allOf": [_json_schema(json.loads(schema))]}
    return Draft202012Validator(root, format_checker=_FORMATS)


def _short(message: str, limit: int = 200) -> str:
    """A validation message without the whole instance it quotes."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


if __name__ == "__main__":  # python -m tests.fakegithub.rest_description PACKAGE/generated
    DESCRIPTION_FILE.write_text(json.dumps(extract(Path(sys.argv[1])), indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {DESCRIPTION_FILE}")
