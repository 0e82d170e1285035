"""Reading GitHub's GraphQL answers into `ItemFacts`: errors, rate, items, timelines.

Pure, like `triage.github.queries`: response dicts in, plain records out, no PyGithub and no network.
The agenda fetch (`triage.github.agenda_fetch`) and the scan (`triage.github.scan`) read every item
through `parse_item`, so a scanned PR has the same facts as the same PR named on an agenda.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from triage.facts import EVENT_KINDS, Event, EventKind, ItemFacts, ItemKey, Kind, State, parse_when
from triage.github.owners import maintainers_from
from triage.github.queries import QueryPlan

# GraphQL spells bot logins without the `[bot]` suffix that REST, the web and people use
# ("dependabot" vs "dependabot[bot]"); we keep the familiar form so configured bot lists match.
_BOT_SUFFIX = "[bot]"

_TIMELINE_KIND: dict[str, EventKind] = {
    "IssueComment": "comment",
    "PullRequestReview": "review",
    "PullRequestCommit": "commit",
    "ReviewRequestedEvent": "review_requested",
    "ReadyForReviewEvent": "ready_for_review",
    "ClosedEvent": "closed",
    "MergedEvent": "merged",
    "ReopenedEvent": "reopened",
    "LabeledEvent": "labeled",
    "UnlabeledEvent": "unlabeled",
    "CrossReferencedEvent": "cross_referenced",
    "ConnectedEvent": "connected",
    "AssignedEvent": "assigned",
}
_DETAILED = frozenset({"labeled", "unlabeled", "cross_referenced", "connected", "assigned"})
_KIND_ORDER = {k: n for n, k in enumerate(EVENT_KINDS)}
_MERGEABLE = {"MERGEABLE": True, "CONFLICTING": False}  # UNKNOWN (still computing) stays None


class MalformedResponseError(ValueError):
    """GitHub's answer did not have the shape of a GraphQL response."""



@dataclass(frozen=True)
class GraphQLError:
    """One entry of a GraphQL `errors` list."""

    type: str | None  # NOT_FOUND, FORBIDDEN, RATE_LIMITED, ... (None when GitHub gave none)
    message: str
    path: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class RateLimitBody:
    """The `rateLimit` object of a GraphQL answer."""

    cost: int
    limit: int
    remaining: int
    reset: datetime


@dataclass(frozen=True)
class ChunkAnswer:
    """What one batched query told us, item by item, before any sentence is written."""

    found: dict[ItemKey, ItemFacts]  # parsed facts (status "ok"), including items of moved repos
    canonical_repo: dict[str, str]  # requested "owner/name" -> GitHub's current nameWithOwner
    item_errors: dict[ItemKey, GraphQLError]  # per-alias errors: missing, forbidden, failed
    general_errors: tuple[GraphQLError, ...]  # errors about the whole query (rate limit, timeout)
    rate: RateLimitBody | None
    # lower-cased "owner/name" (as requested, and as GitHub names it now) of every repository that
    # answered -> the maintainers its OWNERS, MAINTAINERS or CODEOWNERS file names (empty: no such file)
    maintainers: dict[str, frozenset[str]] = field(default_factory=dict)
    # "owner/name" as requested -> its `isPrivate`, for every repository that answered
    repo_private: dict[str, bool | None] = field(default_factory=dict)


# --- reading the answer ----------------------------------------------------------------------------


def read_errors(body: Mapping[str, Any]) -> list[GraphQLError]:
    """The `errors` of a GraphQL answer, parsed."""
    raw = body.get("errors") or []
    if not isinstance(raw, list):
        raise MalformedResponseError(f"'errors' is {type(raw).__name__}, expected a list")
    out = []
    for e in raw:
        if not isinstance(e, Mapping):
            raise MalformedResponseError(f"an error entry is {type(e).__name__}, expected an object")
        path = tuple(p for p in e.get("path") or () if isinstance(p, str | int))
        out.append(GraphQLError(e.get("type"), str(e.get("message") or "no message"), path))
    return out


def read_rate(data: Mapping[str, Any]) -> RateLimitBody | None:
    """The `rateLimit` block of a GraphQL answer, if it has one."""
    rl = data.get("rateLimit")
    if not isinstance(rl, Mapping):
        return None
    reset = parse_when(rl.get("resetAt"))
    if reset is None:
        return None
    return RateLimitBody(
        int(rl.get("cost") or 0), int(rl.get("limit") or 0), int(rl.get("remaining") or 0), reset
    )


def parse_items_answer(plan: QueryPlan, body: Any, observed_at: datetime) -> ChunkAnswer:
    """Read GitHub's answer to `plan`; raise MalformedResponseError when it is not a GraphQL answer."""
    if not isinstance(body, Mapping):
        raise MalformedResponseError(f"the response is {type(body).__name__}, expected a JSON object")
    errors = read_errors(body)
    data = body.get("data")
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise MalformedResponseError(f"'data' is {type(data).__name__}, expected an object")
    by_alias: dict[tuple[str, ...], GraphQLError] = {}
    general: list[GraphQLError] = []
    for e in errors:
        alias_path = tuple(str(p) for p in e.path[:2])
        if alias_path and alias_path[0] in plan.repo_aliases:
            by_alias.setdefault(alias_path, e)
        else:
            general.append(e)
    found: dict[ItemKey, ItemFacts] = {}
    item_errors: dict[ItemKey, GraphQLError] = {}
    canonical: dict[str, str] = {}
    maintainers: dict[str, frozenset[str]] = {}
    repo_private: dict[str, bool | None] = {}
    for r_alias, repo in plan.repo_aliases.items():
        repo_node = data.get(r_alias)
        if isinstance(repo_node, Mapping):
            private = repo_node.get("isPrivate")
            repo_private[repo] = private if isinstance(private, bool) else None
            logins = maintainers_from(repo_node) or frozenset()
            for name in (repo, str(repo_node.get("nameWithOwner") or repo)):
                maintainers[name.lower()] = logins
    for (r_alias, alias), key in plan.item_aliases.items():
        repo_node = data.get(r_alias)
        if not isinstance(repo_node, Mapping):
            err = by_alias.get((r_alias,)) or by_alias.get((r_alias, alias))
            if err is not None:
                item_errors[key] = err
            elif not general:  # a null repository with no reason given: treat it as missing
                item_errors[key] = GraphQLError("NOT_FOUND", f"no repository {key.repo!r} in the answer")
            continue
        canonical[key.repo] = str(repo_node.get("nameWithOwner") or key.repo)
        node = repo_node.get(alias)
        if isinstance(node, Mapping):
            private = repo_node.get("isPrivate")
            found[key] = parse_item(
                key, node, observed_at, private if isinstance(private, bool) else None, canonical[key.repo]
            )
        elif (err := by_alias.get((r_alias, alias))) is not None:
            item_errors[key] = err
        elif not general:
            item_errors[key] = GraphQLError("NOT_FOUND", f"no answer for {key.ref}")
    return ChunkAnswer(found, canonical, item_errors, tuple(general), read_rate(data), maintainers, repo_private)


def _login(actor: Any) -> tuple[str | None, str | None]:
    """(login, account type) of an Actor object; (None, None) for a ghost (deleted) account."""
    if not isinstance(actor, Mapping):
        return None, None
    login = actor.get("login")
    kind = actor.get("__typename")
    if isinstance(login, str) and kind == "Bot" and not login.endswith(_BOT_SUFFIX):
        login += _BOT_SUFFIX
    return (login if isinstance(login, str) else None), (kind if isinstance(kind, str) else None)


def _when(value: Any) -> datetime | None:
    return parse_when(value) if isinstance(value, str) else None


def _total(conn: Any) -> int | None:
    if isinstance(conn, Mapping) and isinstance(conn.get("totalCount"), int):
        return cast(int, conn["totalCount"])
    return None


def _nodes(conn: Any) -> list[Mapping[str, Any]]:
    if not isinstance(conn, Mapping):
        return []
    return [n for n in conn.get("nodes") or [] if isinstance(n, Mapping)]


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _thread_ref(value: Any) -> str | None:
    """`owner/repo#N` of an Issue or PullRequest object (a cross-reference's or link's other end)."""
    node = _object(value)
    repo = _object(node.get("repository")).get("nameWithOwner")
    number = node.get("number")
    return f"{repo}#{number}" if isinstance(repo, str) and isinstance(number, int) else None


def _detail(kind: EventKind, node: Mapping[str, Any], own_ref: str) -> str | None:
    """What the event was about: a label, the other thread, or the assignee (see `Event.detail`)."""
    if kind in ("labeled", "unlabeled"):
        name = _object(node.get("label")).get("name")
        return name if isinstance(name, str) else None
    if kind == "assigned":
        login = _object(node.get("assignee")).get("login")
        return login if isinstance(login, str) else None
    # A link has two ends and GitHub does not document which one this thread is: take the other.
    ends = [_thread_ref(node.get("source")), _thread_ref(node.get("subject"))]
    return next((r for r in ends if r is not None and r.lower() != own_ref.lower()), None)


def _timeline_event(node: Mapping[str, Any], own_ref: str) -> Event | None:
    kind = _TIMELINE_KIND.get(str(node.get("__typename")))
    if kind is None:
        return None
    if kind == "commit":
        commit = _object(node.get("commit"))
        user = _object(_object(commit.get("author")).get("user"))
        at = _when(commit.get("committedDate"))
        login = user.get("login") if isinstance(user.get("login"), str) else None
        return Event(actor=login, at=at, kind="commit") if at else None
    if kind == "review":
        if node.get("state") == "PENDING":  # a draft review nobody else can see yet
            return None
        at = _when(node.get("submittedAt")) or _when(node.get("createdAt"))
        login, actor_type = _login(node.get("author"))
        if at is None:
            return None
        return Event(login, at, kind, node.get("authorAssociation"), actor_type, node.get("state"))
    at = _when(node.get("createdAt"))
    if at is None:
        return None
    login, actor_type = _login(node.get("author") if "author" in node else node.get("actor"))
    detail = _detail(kind, node, own_ref) if kind in _DETAILED else None
    return Event(login, at, kind, node.get("authorAssociation"), actor_type, detail=detail)


def _comment_event(node: Mapping[str, Any], kind: EventKind) -> Event | None:
    at = _when(node.get("createdAt"))
    if at is None:
        return None
    login, actor_type = _login(node.get("author"))
    return Event(login, at, kind, node.get("authorAssociation"), actor_type)


def event_sort_key(event: Event) -> tuple[datetime, int, str]:
    """Chronological, then in the order of `EVENT_KINDS` (a merge comes before its close)."""
    return event.at, _KIND_ORDER[event.kind], event.actor or ""


def borrow_associations(events: Iterable[Event]) -> tuple[Event, ...]:
    """Fill the association and account type of lifecycle events and commits from the same login's
    other events on the thread.

    GitHub reports an author association on comments and reviews only; who closed, merged or
    requested a review is just a login. Association is a per-repository relation, so the one seen
    on the same thread (the latest, if it changed) is observed, not guessed. Logins never seen with
    one keep None.
    """
    ordered = sorted(events, key=event_sort_key)
    association: dict[str, str] = {}
    actor_type: dict[str, str] = {}
    for e in ordered:
        if e.actor is not None and e.association is not None:
            association[e.actor] = e.association
        if e.actor is not None and e.actor_type is not None:
            actor_type[e.actor] = e.actor_type
    return tuple(
        replace(
            e,
            association=e.association or association.get(e.actor),
            actor_type=e.actor_type or actor_type.get(e.actor),
        )
        if e.actor is not None
        else e
        for e in ordered
    )


def parse_item(
    key: ItemKey, node: Mapping[str, Any], observed_at: datetime, private: bool | None = None, repo: str | None = None
) -> ItemFacts:
    """The facts in one `issueOrPullRequest` or `discussion` node.

    `private` is its repository's `isPrivate`; `repo` the repository's current name, when a rename
    made it differ from `key.repo`.
    """
    typename = node.get("__typename")
    kind: Kind = {"PullRequest": "pull", "Discussion": "discussion"}.get(str(typename), "issue")  # type: ignore[assignment]
    author, author_type = _login(node.get("author"))
    created = _when(node.get("createdAt"))
    events: list[Event] = []
    if created is not None:
        events.append(Event(author, created, "description", node.get("authorAssociation"), author_type))
    complete = True
    comment_count: int | None = None
    label_history = False  # discussions have no timeline of label events
    if kind == "discussion":
        comments = node.get("comments")
        for c in _nodes(comments):
            if (e := _comment_event(c, "comment")) is not None:
                events.append(e)
            complete = complete and not _total(c.get("replies"))
        complete = complete and (_total(comments) or 0) <= len(_nodes(comments))
    else:
        timeline = node.get("timelineItems")
        own = f"{repo or key.repo}#{key.number}"
        events.extend(e for n in _nodes(timeline) if (e := _timeline_event(n, own)) is not None)
        complete = (_total(timeline) or 0) <= len(_nodes(timeline))
        # Comments are timeline items, so a timeline read whole counts them (no connection of their own).
        comment_count = sum(e.kind == "comment" for e in events) if complete else None
        # Label events are timeline items too: a timeline read whole holds every one of them.
        label_history = complete
        threads = node.get("reviewThreads")
        for thread in _nodes(threads):
            comments = thread.get("comments")
            events.extend(
                e for c in _nodes(comments) if (e := _comment_event(c, "review_thread")) is not None
            )
            complete = complete and (_total(comments) or 0) <= len(_nodes(comments))
        complete = complete and (_total(threads) or 0) <= len(_nodes(threads))
    labels = node.get("labels")
    milestone = node.get("milestone") if isinstance(node.get("milestone"), Mapping) else None
    state: State
    if kind == "pull":
        state = {"MERGED": "merged", "CLOSED": "closed"}.get(str(node.get("prState")), "open")  # type: ignore[assignment]
    elif kind == "discussion":
        state = "closed" if node.get("closed") else "open"
    else:
        state = "closed" if node.get("issueState") == "CLOSED" else "open"
    reason = node.get("stateReason")
    pull = kind == "pull"
    rollup = node.get("statusCheckRollup")
    label_names = tuple(str(n.get("name")) for n in _nodes(labels))
    return ItemFacts(
        key=key,
        kind=kind,
        url=node.get("url") if isinstance(node.get("url"), str) else None,
        title=node.get("title"),
        state=state,
        state_reason=reason.lower() if isinstance(reason, str) else None,
        draft=bool(node.get("isDraft")) if pull else None,
        merged=bool(node.get("merged")) if pull else None,
        author=author,
        author_association=node.get("authorAssociation"),
        author_type=author_type,
        labels=label_names,
        milestone=milestone.get("title") if milestone else None,
        milestone_due=_when(milestone.get("dueOn")) if milestone else None,
        created_at=created,
        updated_at=_when(node.get("updatedAt")),
        closed_at=_when(node.get("closedAt")),
        merged_at=_when(node.get("mergedAt")) if pull else None,
        events=borrow_associations(events),
        timeline_complete=complete,
        comments_count=_total(node.get("comments")) if kind == "discussion" else comment_count,
        reactions=_total(node.get("reactions")),
        review_decision=node.get("reviewDecision") if pull else None,
        review_requests=_total(node.get("reviewRequests")) if pull else None,
        ci_status=rollup.get("state") if pull and isinstance(rollup, Mapping) else None,
        mergeable=_MERGEABLE.get(str(node.get("mergeable"))) if pull else None,
        additions=node.get("additions") if pull else None,
        deletions=node.get("deletions") if pull else None,
        changed_files=node.get("changedFiles") if pull else None,
        observed_at=observed_at,
        label_history=label_history,
        private=private,
        note=None if complete else "timeline incomplete: only the most recent part was read from GitHub",
    )
