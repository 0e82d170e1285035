"""Who may do what on a team server: sign-in, the server's GitHub token, and private snapshots.

The rules are plain values read from the `[access]` table of `.streamlit/secrets.toml` (the app reads
the file; this module only checks what it holds):

```toml
[access]
allowed_emails = ["leo@example.org"]   # with [auth] (Streamlit's st.login): who may sign in
allowed_domains = ["example.org"]      # ... or everyone of these e-mail domains
server_token = "signed-in"             # who the server's GITHUB_TOKEN fetches for (see TOKEN_USES)
private_snapshots = "creator"          # who opens a snapshot of private data (see SNAPSHOT_VIEWERS)
```

An identity is a plain string: `email:<address>` for a signed-in user, `token:<digest>` for a
visitor known only by the GitHub token they brought (a digest, never the token), or None.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.facts import FactSet, ItemFacts

# Who the server's own GITHUB_TOKEN is used for: signed-in users only (the default); also anyone
# else, for public repositories only; or anyone at all (a dashboard on your own machine).
TOKEN_USES = ("signed-in", "public", "anyone")
# Who opens a snapshot made from private repositories: the identity that saved it, or any signed-in user.
SNAPSHOT_VIEWERS = ("creator", "signed-in")


class AccessError(ValueError):
    """The `[access]` settings hold a value triage cannot use."""


@dataclass(frozen=True)
class Policy:
    """The server's access rules."""

    login: bool = False  # `[auth]` is configured: only signed-in, allowed users reach the app
    allowed_emails: frozenset[str] = frozenset()  # lower-cased
    allowed_domains: frozenset[str] = frozenset()  # lower-cased, without "@"
    server_token: str = "signed-in"  # one of TOKEN_USES
    private_snapshots: str = "creator"  # one of SNAPSHOT_VIEWERS

    def allows(self, email: str | None, verified: bool | None = None) -> bool:
        """May this signed-in e-mail address use the app? (A provider that says it is unverified: no.)"""
        if not email or verified is False or "@" not in email:
            return False
        address = email.strip().lower()
        return address in self.allowed_emails or address.rsplit("@", 1)[1] in self.allowed_domains


@dataclass(frozen=True)
class Viewer:
    """Who is looking: their identity (None: nobody known) and whether they signed in."""

    identity: str | None = None
    signed_in: bool = False


def _strings(raw: Any, where: str) -> frozenset[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise AccessError(f"[access] {where} must be a list of strings, got {raw!r:.80}")
    return frozenset(x.strip().lower().lstrip("@") for x in raw)


def _choice(raw: Mapping[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    value = raw.get(name, default)
    if value not in choices:
        raise AccessError(f"[access] {name} = {value!r:.80}; expected one of {', '.join(choices)}")
    return str(value)


def policy_from(raw: Mapping[str, Any] | None, *, login: bool, server_token: str | None = None) -> Policy:
    """The rules in an `[access]` table; `login` says whether `[auth]` is configured. `server_token`
    (from `$TRIAGE_SERVER_TOKEN`) is used when the table does not set it."""
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise AccessError(f"[access] must be a table, got {raw!r:.80}")
    known = {"allowed_emails", "allowed_domains", "server_token", "private_snapshots"}
    if extra := sorted(set(raw) - known):
        raise AccessError(f"[access] has an unknown key {extra[0]!r}; expected {', '.join(sorted(known))}")
    emails = _strings(raw.get("allowed_emails", []), "allowed_emails")
    domains = _strings(raw.get("allowed_domains", []), "allowed_domains")
    if login and not emails and not domains:
        raise AccessError("Sign-in is on ([auth] in secrets.toml) but [access] names no allowed_emails or "
                          "allowed_domains: nobody could use the app")
    token_default = server_token if server_token is not None else "signed-in"
    if token_default not in TOKEN_USES:
        raise AccessError(f"TRIAGE_SERVER_TOKEN {token_default!r:.80} is not one of {', '.join(TOKEN_USES)}")
    return Policy(login, emails, domains, _choice(raw, "server_token", TOKEN_USES, token_default),
                  _choice(raw, "private_snapshots", SNAPSHOT_VIEWERS, "creator"))


def token_identity(token: str) -> str:
    """The identity of a visitor known by their GitHub token: a digest that cannot give it back."""
    return "token:" + hashlib.sha256(b"triage identity\x00" + token.encode()).hexdigest()[:32]


def email_identity(email: str) -> str:
    """The identity of a signed-in user."""
    return "email:" + email.strip().lower()


def exposes_private(facts: FactSet) -> bool:
    """Facts read from a private repository, or whose repository's privacy is unknown (a live item
    without `private`: counted as private). The embedded demo is public data recorded from GitHub."""
    demo = facts.source.startswith("demo:")
    return any(i.private or (i.private is None and i.found and not demo and i.observed_at is not None)
               for i in facts.items)


def public_items(items: Iterable[ItemFacts]) -> list[ItemFacts]:
    """`items` with every one not known to be in a public repository replaced by a not-found status:
    what the server's token may show to a visitor who is not signed in (`server_token = "public"`)."""
    return [i if i.private is False or not i.found else
            ItemFacts(i.key, kind=i.kind, status="forbidden",
                      status_detail="private or unknown repository: sign in, or use your own token")
            for i in items]


def may_open(private: bool, owners: Iterable[str], viewer: Viewer, policy: Policy) -> bool:
    """Whether `viewer` may open a snapshot: anyone a public one; a private one its creators, or any
    signed-in user when the policy says so."""
    if not private:
        return True
    if viewer.identity is not None and viewer.identity in set(owners):
        return True
    return policy.private_snapshots == "signed-in" and viewer.signed_in


def may_list(private: bool, owners: Mapping[str, bool], viewer: Viewer, policy: Policy) -> bool:
    """Whether Compare lists a snapshot to `viewer`: one they may open, and, when private, one they
    made or one its creator chose to list (`owners`: identity -> listed)."""
    if not may_open(private, owners, viewer, policy):
        return False
    return not private or viewer.identity in owners or any(owners.values())
