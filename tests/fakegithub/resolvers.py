"""The fake's GraphQL objects: what the store holds, in the shapes of GitHub's schema.

Each object is a plain mapping with its `__typename` (how graphql-core tells the members of an
interface or union apart); a field's value may be a callable taking the field's arguments, so
connections honour `first`/`last`/`after`/`before`, `itemTypes`, `orderBy` and `states` as GitHub
does. Field names and enum values are GitHub's; `graphql_endpoint` checks every document against
GitHub's published schema before any of this runs.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tests.fakegithub.graphql_endpoint import ResolveError
from tests.fakegithub.rest import iso
from tests.fakegithub.store import FakeItem, FakeRepo, Store, sha_of, stable_id
from triage.facts import Event, ItemKey, parse_when

ITEM_TYPES = {
    "ISSUE_COMMENT": "comment",
    "PULL_REQUEST_REVIEW": "review",
    "PULL_REQUEST_COMMIT": "commit",
    "REVIEW_REQUESTED_EVENT": "review_requested",
    "READY_FOR_REVIEW_EVENT": "ready_for_review",
    "CLOSED_EVENT": "closed",
    "MERGED_EVENT": "merged",
    "REOPENED_EVENT": "reopened",
    "LABELED_EVENT": "labeled",
    "UNLABELED_EVENT": "unlabeled",
    "CROSS_REFERENCED_EVENT": "cross_referenced",
    "CONNECTED_EVENT": "connected",
    "ASSIGNED_EVENT": "assigned",
}
_CONTEXT_KINDS = ("labeled", "unlabeled", "cross_referenced", "connected", "assigned")
_ISSUE_KINDS = ("comment", "closed", "reopened", *_CONTEXT_KINDS)
_PULL_KINDS = tuple(ITEM_TYPES.values())


def Obj(typename: str, **fields: Any) -> dict[str, Any]:
    """An object of GitHub type `typename`."""
    return {"__typename": typename, **fields}


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
) -> dict[str, Any]:
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

    return {
        "totalCount": len(items),
        "nodes": nodes,
        "edges": lambda a: [{"cursor": cursor(i), "node": n} for i, n in zip(window, nodes(a), strict=True)],
        "pageInfo": {
            "hasNextPage": end < hi if first is not None else end < len(items),
            "hasPreviousPage": start > lo if last is not None else start > 0,
            "startCursor": cursor(window[0]) if window else None,
            "endCursor": cursor(window[-1]) if window else None,
        },
    }


def actor(login: str | None, actor_type: str | None) -> dict[str, Any] | None:
    """An Actor; GraphQL names bots without the `[bot]` suffix REST uses."""
    if login is None:
        return None
    kind = actor_type or "User"
    shown = login.removesuffix("[bot]") if kind == "Bot" else login
    return Obj(
        kind,
        login=shown,
        url=f"https://github.com/{login}",
        resourcePath=f"/{login}",
        avatarUrl=lambda a: f"https://avatars.githubusercontent.com/u/{stable_id('user', login.lower())}",
        id=f"U_{stable_id('user', login.lower())}",
        name=None,
    )


def _timeline_node(e: Event, item: FakeItem, n: int) -> dict[str, Any]:
    who = actor(e.actor, e.actor_type)
    if e.kind == "comment":
        return Obj(
            "IssueComment",
            id=f"IC_{n}",
            createdAt=iso(e.at),
            updatedAt=iso(e.at),
            author=who,
            authorAssociation=e.association or "NONE",
            body="",
            url=f"{item.facts.html_url}#issuecomment-{n}",
        )
    if e.kind == "review":
        return Obj(
            "PullRequestReview",
            id=f"PRR_{n}",
            state=e.review_state or "COMMENTED",
            submittedAt=iso(e.at),
            createdAt=iso(e.at),
            author=who,
            authorAssociation=e.association or "NONE",
            body="",
            comments=lambda a: connection([], a),
        )
    if e.kind == "commit":
        user = Obj("User", login=e.actor, url=f"https://github.com/{e.actor}") if e.actor else None
        sha = sha_of(item.facts.key.ref, "commit", n)
        return Obj(
            "PullRequestCommit",
            id=f"PRC_{n}",
            commit=Obj(
                "Commit",
                oid=sha,
                committedDate=iso(e.at),
                authoredDate=iso(e.at),
                message="change",
                author=Obj("GitActor", name=e.actor, email=None, date=iso(e.at), user=user),
                statusCheckRollup=None,
            ),
        )
    if e.kind in ("labeled", "unlabeled"):
        label = Obj("Label", id=f"L_{stable_id(e.detail)}", name=e.detail, color="ededed")
        typename = "LabeledEvent" if e.kind == "labeled" else "UnlabeledEvent"
        return Obj(typename, id=f"E_{n}", createdAt=iso(e.at), actor=who, label=label)
    if e.kind == "assigned":
        assignee = actor(e.detail, "Bot" if (e.detail or "").endswith("[bot]") else "User")
        return Obj("AssignedEvent", id=f"E_{n}", createdAt=iso(e.at), actor=who, assignee=assignee, user=assignee)
    if e.kind in ("cross_referenced", "connected"):
        other, this = _thread(store_of(item), e.detail or ""), _thread(store_of(item), item.facts.ref)
        if e.kind == "cross_referenced":  # `source` refers to `target`, this thread
            return Obj("CrossReferencedEvent", id=f"E_{n}", createdAt=iso(e.at), referencedAt=iso(e.at), actor=who,
                       source=other, target=this, isCrossRepository=other["repository"] != this["repository"],
                       willCloseTarget=False)
        return Obj("ConnectedEvent", id=f"E_{n}", createdAt=iso(e.at), actor=who, source=other, subject=this,
                   isCrossRepository=other["repository"] != this["repository"])
    typename = {
        "review_requested": "ReviewRequestedEvent",
        "ready_for_review": "ReadyForReviewEvent",
        "closed": "ClosedEvent",
        "merged": "MergedEvent",
        "reopened": "ReopenedEvent",
    }[e.kind]
    return Obj(typename, id=f"E_{n}", createdAt=iso(e.at), actor=who)


def store_of(item: FakeItem) -> Store | None:
    """The store an item was added to (to resolve the other end of a reference)."""
    return item.store


def _thread(store: Store | None, ref: str) -> dict[str, Any]:
    """The Issue or PullRequest `owner/repo#N` names, as the other end of a reference (a PR when unknown)."""
    repo, _, number = ref.partition("#")
    known = None
    if store is not None:
        try:
            known = store.item(ItemKey(repo, int(number)))
        except (KeyError, ValueError):
            known = None
    kind = "Issue" if known is not None and known.facts.kind == "issue" else "PullRequest"
    name = known.facts.repo if known is not None else repo
    return Obj(kind, number=int(number) if number.isdigit() else 0, repository=Obj("Repository", nameWithOwner=name),
               url=f"https://github.com/{name}/{'issues' if kind == 'Issue' else 'pull'}/{number}")


def _since(args: Mapping[str, Any]) -> datetime | None:
    return parse_when(args.get("since")) if args.get("since") else None


def _timeline(item: FakeItem, kinds: tuple[str, ...]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def resolve(args: Mapping[str, Any]) -> dict[str, Any]:
        wanted = {ITEM_TYPES[t] for t in args.get("itemTypes") or () if t in ITEM_TYPES} or set(kinds)
        if args.get("itemTypes") and not wanted:
            wanted = set()
        since = _since(args)
        events = [
            (n, e)
            for n, e in enumerate(item.events)
            if e.kind in wanted and e.kind in kinds and (since is None or e.at >= since)
        ]
        events = events[int(args.get("skip") or 0) :]
        return connection(events, args, lambda ne: _timeline_node(ne[1], item, ne[0]))

    return resolve


def _comment(e: Event, typename: str, n: int, **extra: Any) -> dict[str, Any]:
    return Obj(
        typename,
        id=f"C_{n}",
        createdAt=iso(e.at),
        author=actor(e.actor, e.actor_type),
        authorAssociation=e.association or "NONE",
        body="",
        **extra,
    )


def _labels(item: FakeItem) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def resolve(args: Mapping[str, Any]) -> dict[str, Any]:
        names = list(item.facts.labels or ())
        order = args.get("orderBy") or {}
        if order.get("field") == "NAME":
            names.sort(key=str.lower, reverse=order.get("direction") == "DESC")
        return connection(
            names, args, lambda name: Obj("Label", id=f"L_{stable_id(name)}", name=name, color="ededed")
        )

    return resolve


def _count(n: int, typename: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    return lambda args: connection([None] * n, args, lambda _: Obj(typename, id="X"))


def item_obj(item: FakeItem, repo: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """An Issue, PullRequest or Discussion object for one fake item."""
    f = item.facts
    milestone = (
        Obj("Milestone", id="M", title=f.milestone, dueOn=iso(f.milestone_due), number=1, state="OPEN")
        if f.milestone
        else None
    )
    common: dict[str, Any] = dict(
        id=f"N_{stable_id(f.key.ref.lower())}",
        number=f.number,
        url=f.html_url,
        title=f.title,
        body=item.body,
        createdAt=iso(f.created_at),
        updatedAt=iso(f.updated_at),
        closedAt=iso(f.closed_at),
        closed=f.state != "open",
        author=actor(f.author, f.author_type),
        authorAssociation=f.author_association or "NONE",
        repository=lambda a: repo(),
        labels=_labels(item),
        reactions=_count(f.reactions or 0, "Reaction"),
    )
    if f.kind == "discussion":
        comments = item.comments
        return Obj(
            "Discussion",
            **common,
            stateReason=(f.state_reason or "").upper() or None,
            upvoteCount=0,
            comments=lambda a: connection(
                list(enumerate(comments)),
                a,
                lambda ne: _comment(ne[1], "DiscussionComment", ne[0], replies=lambda a2: connection([], a2)),
            ),
        )
    comments_conn = _comment_connection(item)
    if f.kind == "issue":
        return Obj(
            "Issue",
            **common,
            state="OPEN" if f.state == "open" else "CLOSED",
            stateReason=(f.state_reason or "").upper() or None,
            milestone=milestone,
            comments=comments_conn,
            timelineItems=_timeline(item, _ISSUE_KINDS),
        )
    threads = item.review_comments
    reviews = item.reviews
    rollup = Obj("StatusCheckRollup", state=f.ci_status) if f.ci_status else None
    return Obj(
        "PullRequest",
        **common,
        state={"open": "OPEN", "merged": "MERGED"}.get(f.state or "", "CLOSED"),
        isDraft=bool(f.draft),
        merged=bool(f.merged),
        mergedAt=iso(f.merged_at),
        mergedBy=None,
        milestone=milestone,
        comments=comments_conn,
        reviewDecision=f.review_decision,
        reviewRequests=_count(f.review_requests or 0, "ReviewRequest"),
        statusCheckRollup=rollup,
        mergeable={True: "MERGEABLE", False: "CONFLICTING"}.get(f.mergeable, "UNKNOWN")  # type: ignore[arg-type]
        if f.mergeable is not None
        else "UNKNOWN",
        mergeStateStatus="UNKNOWN",
        additions=f.additions or 0,
        deletions=f.deletions or 0,
        changedFiles=f.changed_files or 0,
        headRefOid=item.head_sha,
        headRefName=f"pr-{f.number}",
        baseRefName="main",
        timelineItems=_timeline(item, _PULL_KINDS),
        # One thread per review comment: GitHub's threads group replies, which the truth does not record.
        reviewThreads=lambda a: connection(
            list(enumerate(threads)),
            a,
            lambda ne: Obj(
                "PullRequestReviewThread",
                id=f"T_{ne[0]}",
                isResolved=False,
                isOutdated=False,
                comments=lambda a2, e=ne[1], n=ne[0]: connection(
                    [e], a2, lambda c: _comment(c, "PullRequestReviewComment", n)
                ),
            ),
        ),
        reviews=lambda a: connection(
            list(enumerate(reviews)), a, lambda ne: _timeline_node(ne[1], item, ne[0])
        ),
        latestOpinionatedReviews=lambda a: connection(
            list(enumerate(r for r in reviews if r.review_state in ("APPROVED", "CHANGES_REQUESTED"))),
            a,
            lambda ne: _timeline_node(ne[1], item, ne[0]),
        ),
        latestReviews=lambda a: connection(
            list(enumerate(reviews)), a, lambda ne: _timeline_node(ne[1], item, ne[0])
        ),
        commits=lambda a: connection(
            list(enumerate(item.commits)), a, lambda ne: _timeline_node(ne[1], item, ne[0])
        ),
    )


def _comment_connection(item: FakeItem) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    comments = item.comments
    return lambda args: connection(
        list(enumerate(comments)),
        args,
        lambda ne: _comment(
            ne[1],
            "IssueComment",
            ne[0],
            updatedAt=iso(ne[1].at),
            url=f"{item.facts.html_url}#issuecomment-{ne[0]}",
        ),
    )


def _visible(repo: FakeRepo, number: int) -> FakeItem | None:
    item = repo.items.get(number)
    if item is not None and item.error is not None:
        raise ResolveError(*item.error)
    return None if item is None or item.hidden else item


def _listed(item: FakeItem, repo: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """An item as a node of its repository's listing. One set to fail (`FakeGitHub.item_error`) fails
    inside the node: its non-null `number` raises, so GraphQL nulls the whole node and reports an error
    whose path ends in `nodes`, index, `number`, beside the other nodes' data (GraphQL's rule for a
    field error in a list of nullable objects; GitHub's `nodes` lists are `[PullRequest]`)."""
    node = item_obj(item, repo)
    if item.error is not None:
        error = item.error

        def fails(_: Mapping[str, Any]) -> int:
            raise ResolveError(*error)

        node["number"] = fails
    return node


def _ordered(items: list[FakeItem], args: Mapping[str, Any]) -> list[FakeItem]:
    order = args.get("orderBy") or {}
    field_ = {"UPDATED_AT": "updated_at", "CREATED_AT": "created_at"}.get(order.get("field"), "created_at")
    floor = datetime.min.replace(tzinfo=UTC)
    items = sorted(items, key=lambda i: (getattr(i.facts, field_) or floor, i.facts.number))
    return items[::-1] if order.get("direction") == "DESC" else items


def _git_object(repo: FakeRepo, expression: str) -> dict[str, Any] | None:
    """`object(expression: "REF:PATH")`: a file as a Blob (HEAD is the default branch); null when absent."""
    ref, _, path = expression.partition(":")
    text = repo.files.get((repo.default_branch if ref == "HEAD" else ref, path))
    if text is None:
        return None
    raw = text.encode("utf-8")
    oid = sha_of(repo.full_name, ref, path)
    return Obj("Blob", text=text, byteSize=len(raw), isBinary=False, isTruncated=False, oid=oid,
               abbreviatedOid=oid[:7], id=f"B_{oid[:12]}")


def repo_obj(store: Store, repo: FakeRepo) -> dict[str, Any]:
    """A Repository object."""

    def lookup(kinds: tuple[str, ...], what: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        def resolve(args: Mapping[str, Any]) -> dict[str, Any]:
            number = int(args["number"])
            item = _visible(repo, number)
            if item is None or item.facts.kind not in kinds:
                raise ResolveError("NOT_FOUND", f"Could not resolve to {what} with the number of {number}.")
            return item_obj(item, self_obj)

        return resolve

    def listing(kind: str, state_map: Mapping[str, str]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        def resolve(args: Mapping[str, Any]) -> dict[str, Any]:
            states = {state_map[s] for s in args.get("states") or () if s in state_map}
            since = parse_when((args.get("filterBy") or {}).get("since"))
            items = [
                i
                for i in repo.items.values()
                if i.facts.kind == kind
                and not i.hidden
                and (not states or i.facts.state in states)
                and (since is None or (i.facts.updated_at and i.facts.updated_at >= since))
            ]
            return connection(_ordered(items, args), args, lambda i: _listed(i, self_obj))

        return resolve

    def self_obj() -> dict[str, Any]:
        return obj

    owner = Obj(
        "Organization", login=repo.owner, url=f"https://github.com/{repo.owner}", id=f"O_{repo.owner}"
    )
    obj = Obj(
        "Repository",
        id=f"R_{repo.id}",
        name=repo.name,
        nameWithOwner=repo.full_name,
        owner=owner,
        url=f"https://github.com/{repo.full_name}",
        isPrivate=repo.is_private,
        object=lambda a: _git_object(repo, str(a.get("expression") or "")),
        isArchived=False,
        isFork=False,
        createdAt=iso(repo.created_at),
        updatedAt=iso(repo.updated_at),
        pushedAt=iso(repo.updated_at),
        issueOrPullRequest=lookup(("issue", "pull"), "an issue or pull request"),
        issue=lookup(("issue",), "an Issue"),
        pullRequest=lookup(("pull",), "a PullRequest"),
        discussion=lookup(("discussion",), "a Discussion"),
        pullRequests=listing("pull", {"OPEN": "open", "CLOSED": "closed", "MERGED": "merged"}),
        issues=listing("issue", {"OPEN": "open", "CLOSED": "closed"}),
    )
    return obj


def query_root(store: Store, *, follow_renames: bool, rate: Mapping[str, Any], viewer: str) -> dict[str, Any]:
    """The Query object for one request (rate limit figures are those after this query)."""

    def repository(args: Mapping[str, Any]) -> dict[str, Any]:
        full = f"{args['owner']}/{args['name']}"
        follow = follow_renames and args.get("followRenames", True) is not False
        repo, _ = store.lookup(full, follow_renames=follow)
        if repo is None or repo.private:
            raise ResolveError("NOT_FOUND", f"Could not resolve to a Repository with the name '{full}'.")
        return repo_obj(store, repo)

    def organization(args: Mapping[str, Any]) -> dict[str, Any]:
        login = str(args["login"])
        repos = sorted(
            (r for r in store.repos.values() if r.owner.lower() == login.lower() and not r.private),
            key=lambda r: r.name.lower(),
        )
        if not repos:
            raise ResolveError(
                "NOT_FOUND", f"Could not resolve to an Organization with the login of '{login}'."
            )

        def repositories(a: Mapping[str, Any]) -> dict[str, Any]:
            order = a.get("orderBy") or {}
            ordered = repos[::-1] if order.get("direction") == "DESC" else repos
            return connection(ordered, a, lambda r: repo_obj(store, r))

        return Obj(
            "Organization",
            id=f"O_{login}",
            login=repos[0].owner,
            name=repos[0].owner,
            url=f"https://github.com/{login}",
            repositories=repositories,
            repository=lambda a: repository({"owner": login, "name": a["name"]}),
        )

    return Obj(
        "Query",
        repository=repository,
        organization=organization,
        user=lambda a: actor(str(a["login"]), "User"),
        viewer=actor(viewer, "User"),
        rateLimit=lambda a: Obj("RateLimit", **rate),
    )
