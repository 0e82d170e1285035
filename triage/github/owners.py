"""A repository's maintainers, read from the file that names them: OWNERS, MAINTAINERS or CODEOWNERS.

The agenda look-up asks for these files in the same GraphQL request as the items
(`repository { object(expression: "HEAD:OWNERS") { ... on Blob { text } } }`); their text is parsed
here, in memory, and only the logins are kept. Which file counts, in order:

* `OWNERS` (Kubernetes/Prow style, used by falcosecurity): its `approvers`, at any level of
  nesting (`filters:` blocks included); reviewers and emeritus approvers are not maintainers.
* `MAINTAINERS`: the `@login` mentions and `github.com/login` links it holds.
* `CODEOWNERS` (`.github/`, the root, then `docs/`, GitHub's own search order): the `@login`
  owners; teams (`@org/team`) and e-mail addresses are left out, as their members are unknown.

The first file that names at least one login wins; a repository with none keeps no entry, so the
ranking falls back to the configured maintainers and GitHub's author associations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# (GraphQL alias, file at the default branch), in the order the files count.
OWNER_FILES: tuple[tuple[str, str], ...] = (
    ("ownersFile", "OWNERS"),
    ("maintainersFile", "MAINTAINERS"),
    ("codeownersGithub", ".github/CODEOWNERS"),
    ("codeownersRoot", "CODEOWNERS"),
    ("codeownersDocs", "docs/CODEOWNERS"),
)
# The repository fields that read them: no connection, so they add nothing to a query's cost.
OWNER_SELECTION = " ".join(
    f'{alias}: object(expression: "HEAD:{path}") {{ ... on Blob {{ text }} }}' for alias, path in OWNER_FILES
)

_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"  # GitHub logins: letters, digits, inner hyphens
_MENTION = re.compile(rf"(?<![\w/.@-])@({_LOGIN})(?![\w/@-])")
_PROFILE = re.compile(rf"github\.com/({_LOGIN})(?![\w/.-])")
_KEY = re.compile(r"^(\s*)([\w-]+)\s*:\s*(.*?)\s*$")
_ITEM = re.compile(r"^\s*-\s*['\"]?([\w-]+)['\"]?\s*$")


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].rstrip()


def owners_approvers(text: str) -> frozenset[str]:
    """The `approvers` of a Prow OWNERS file, lower-cased (any nesting; inline `[a, b]` lists too)."""
    found: set[str] = set()
    collecting_at: int | None = None  # indentation of the `approvers:` key whose list is being read
    for raw in text.splitlines():
        line = _strip_comment(raw)
        if not line.strip():
            continue
        key = _KEY.match(line)
        if key and not line.lstrip().startswith("-"):
            indent, name, rest = len(key[1]), key[2], key[3]
            if collecting_at is not None and indent <= collecting_at:
                collecting_at = None
            if name == "approvers":
                if rest.startswith("["):
                    found |= {v.strip(" '\"") for v in rest.strip("[]").split(",") if v.strip(" '\"")}
                else:
                    collecting_at = indent
            continue
        item = _ITEM.match(line)
        if item and collecting_at is not None:
            found.add(item[1])
    return frozenset(login.lower() for login in found if re.fullmatch(_LOGIN, login))


def codeowners_logins(text: str) -> frozenset[str]:
    """The `@login` owners of a CODEOWNERS file, lower-cased; teams and e-mail addresses left out."""
    found: set[str] = set()
    for raw in text.splitlines():
        line = _strip_comment(raw)
        for token in line.split()[1:]:  # the first token is the path pattern
            if token.startswith("@") and "/" not in token and re.fullmatch(_LOGIN, token[1:]):
                found.add(token[1:].lower())
    return frozenset(found)


def maintainers_logins(text: str) -> frozenset[str]:
    """The logins a free-form MAINTAINERS file names: `@login` mentions and `github.com/login` links."""
    found = {m.lower() for m in _MENTION.findall(text)}
    found |= {m.lower() for m in _PROFILE.findall(text) if m.lower() not in ("orgs", "apps", "sponsors")}
    return frozenset(found)


_PARSERS = {
    "OWNERS": owners_approvers,
    "MAINTAINERS": maintainers_logins,
}


def maintainers_from(repository: Mapping[str, Any]) -> frozenset[str] | None:
    """The maintainers named by the first owner file a `repository` answer holds; None when none does."""
    for alias, path in OWNER_FILES:
        blob = repository.get(alias)
        text = blob.get("text") if isinstance(blob, Mapping) else None
        if not isinstance(text, str):
            continue
        logins = _PARSERS.get(path, codeowners_logins)(text)
        if logins:
            return logins
    return None
