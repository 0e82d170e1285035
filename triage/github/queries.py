"""The GraphQL text of the agenda look-up, and what GitHub's cost formula makes of it.

Pure: builds query strings, with no PyGithub and no network, so the shape of what we ask GitHub
can be tested on plain data; `triage.github.answers` reads the answers and
`triage.github.agenda_fetch` sends the queries.

One query carries many agenda items as aliases (`r0: repository(...) { i1375: issueOrPullRequest
(number: 1375) {...} }`), several repositories per query, so an agenda costs one or two requests
instead of about eight REST calls per item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage.facts import ItemKey, Kind
from triage.github.owners import OWNER_SELECTION

# Page sizes. GitHub caps every page at 100 nodes; the cost of a query grows with the number of
# *nested* pages, not with their size, so the top-level pages take the maximum and the nested one
# (comments inside review threads) stays small.
TIMELINE_PAGE = 100  # one page holds the whole history of nearly every agenda item
LABELS_PAGE = 50  # repos with more labels on one thread are unheard of; totalCount tells if cut
THREADS_PAGE = 20  # most recent review threads of a PR
THREAD_COMMENTS_PAGE = 10  # replies per thread; each thread page multiplies the cost by THREADS_PAGE
DISCUSSION_COMMENTS_PAGE = 100

# Items per query. By the cost formula below (`query_pages_and_nodes`), a chunk of 50 items of
# unknown kind asks for at most 26,150 nodes (GitHub's limit is 500,000) and costs 14 points of the
# 5,000 per hour. Bigger chunks would fit, but GitHub aborts queries that run past 10 seconds and a
# failed chunk loses its items for this run, so 50 keeps both small; 1,000 items take 20 queries,
# inside the target of one request per 25 items.
CHUNK_SIZE = 50
MAX_CHUNK_SIZE = 100  # 52,300 nodes and 28 points: as far as one query should go on GitHub's 10 s budget
GITHUB_NODE_LIMIT = 500_000  # documented per-query maximum

# Who labelled, cross-referenced, linked or assigned a thread, and when: the labels at a past
# moment are replayed from these, and work elsewhere (a PR that references or fixes the item)
# counts as activity on it. They share the timeline's one page, so they cost no extra connection.
_CONTEXT_TYPES = ("LABELED_EVENT", "UNLABELED_EVENT", "CROSS_REFERENCED_EVENT", "CONNECTED_EVENT", "ASSIGNED_EVENT")
ISSUE_TIMELINE_TYPES = ("ISSUE_COMMENT", "CLOSED_EVENT", "REOPENED_EVENT", *_CONTEXT_TYPES)
PULL_TIMELINE_TYPES = (
    "ISSUE_COMMENT",
    "PULL_REQUEST_REVIEW",
    "PULL_REQUEST_COMMIT",
    "REVIEW_REQUESTED_EVENT",
    "READY_FOR_REVIEW_EVENT",
    "CLOSED_EVENT",
    "MERGED_EVENT",
    "REOPENED_EVENT",
    *_CONTEXT_TYPES,
)

_ACTOR = "{ __typename login }"
_THREAD = "{ __typename ... on Issue { number repository { nameWithOwner } } " \
    "... on PullRequest { number repository { nameWithOwner } } }"
_ISSUE_TIMELINE_NODES = f"""
      __typename
      ... on IssueComment {{ createdAt authorAssociation author {_ACTOR} }}
      ... on ClosedEvent {{ createdAt actor {_ACTOR} }}
      ... on ReopenedEvent {{ createdAt actor {_ACTOR} }}
      ... on LabeledEvent {{ createdAt actor {_ACTOR} label {{ name }} }}
      ... on UnlabeledEvent {{ createdAt actor {_ACTOR} label {{ name }} }}
      ... on CrossReferencedEvent {{ createdAt actor {_ACTOR} source {_THREAD} }}
      ... on ConnectedEvent {{ createdAt actor {_ACTOR} source {_THREAD} subject {_THREAD} }}
      ... on AssignedEvent {{ createdAt actor {_ACTOR} assignee {{ __typename ... on User {{ login }}
        ... on Bot {{ login }} ... on Mannequin {{ login }} ... on Organization {{ login }} }} }}"""
# A fragment must name a member of the connection's union, so PRs get their own (longer) list.
_PULL_TIMELINE_NODES = f"""{_ISSUE_TIMELINE_NODES}
      ... on PullRequestReview {{ state submittedAt createdAt authorAssociation author {_ACTOR} }}
      ... on PullRequestCommit {{ commit {{ committedDate author {{ user {{ login }} }} }} }}
      ... on ReviewRequestedEvent {{ createdAt actor {_ACTOR} }}
      ... on ReadyForReviewEvent {{ createdAt actor {_ACTOR} }}
      ... on MergedEvent {{ createdAt actor {_ACTOR} }}"""
_LABEL_ORDER = "orderBy: {field: NAME, direction: ASC}"  # GitHub's default order is not documented
_LABELS = f"labels(first: {LABELS_PAGE}, {_LABEL_ORDER}) {{ totalCount nodes {{ name }} }}"
# GitHub documents that every connection needs `first` or `last`, even one read only for its
# totalCount; one node is the cheapest page (it still counts as a request in the cost formula).
def count_of(connection: str, arguments: str = "") -> str:
    """`connection` read for its totalCount alone, with the one-node page GitHub's rule asks for."""
    return f"{connection}({arguments}{', ' if arguments else ''}first: 1) {{ totalCount }}"



# `state` is IssueState on Issue and PullRequestState on PullRequest; both fragments land in one
# selection for `issueOrPullRequest`, where GraphQL forbids same-named fields of different types,
# so each is aliased (found by validating against GitHub's schema, see TECH-NOTES §3).
# The fields of an issue and of a PR, shared by the agenda look-up and the scan (`scan_queries`),
# so a scanned PR has the same facts as the same PR named on an agenda.
ISSUE_SELECTION = f"""
  __typename number url title issueState: state stateReason
  createdAt updatedAt closedAt
  author {_ACTOR} authorAssociation
  {_LABELS}
  milestone {{ title dueOn }}
  {count_of("reactions")}
  timelineItems(last: {TIMELINE_PAGE}, itemTypes: [{", ".join(ISSUE_TIMELINE_TYPES)}]) {{
    totalCount
    nodes {{{_ISSUE_TIMELINE_NODES}
    }}
  }}"""
PULL_SELECTION = f"""
  __typename number url title prState: state isDraft merged
  createdAt updatedAt closedAt mergedAt
  author {_ACTOR} authorAssociation
  {_LABELS}
  milestone {{ title dueOn }}
  {count_of("reactions")}
  reviewDecision
  {count_of("reviewRequests")}
  statusCheckRollup {{ state }}
  mergeable additions deletions changedFiles
  timelineItems(last: {TIMELINE_PAGE}, itemTypes: [{", ".join(PULL_TIMELINE_TYPES)}]) {{
    totalCount
    nodes {{{_PULL_TIMELINE_NODES}
    }}
  }}"""
# Review-thread replies: the agenda reads them, the scan does not (see `scan_queries`).
_REVIEW_THREADS = f"""
  reviewThreads(last: {THREADS_PAGE}) {{
    totalCount
    nodes {{ comments(last: {THREAD_COMMENTS_PAGE}) {{
      totalCount nodes {{ createdAt authorAssociation author {_ACTOR} }} }} }}
  }}"""
# The comment count of an issue or PR is read from its timeline (comments are timeline items), so
# it is known whenever the timeline was read whole and costs no connection of its own.
# GitHub rejects a document holding a fragment it does not use (a validation error, no `data` at
# all), so a query carries only the fragments of the kinds it asks for (`fragments_for`).
FRAGMENTS: dict[str, str] = {
    "IssueFields": f"""
fragment IssueFields on Issue {{{ISSUE_SELECTION}
}}""",
    "PullFields": f"""
fragment PullFields on PullRequest {{{PULL_SELECTION}{_REVIEW_THREADS}
}}""",
    "DiscussionFields": f"""
fragment DiscussionFields on Discussion {{
  __typename number url title closed stateReason
  createdAt updatedAt closedAt
  author {_ACTOR} authorAssociation
  {_LABELS}
  {count_of("reactions")}
  comments(last: {DISCUSSION_COMMENTS_PAGE}) {{
    totalCount
    nodes {{ createdAt authorAssociation author {_ACTOR} {count_of("replies")} }}
  }}
}}""",
}


# GitHub's cost formula (docs: "rate limits and query limits for the GraphQL API"): one request per
# connection, multiplied by the page sizes of every enclosing connection, summed, divided by 100.
_ISSUE_PAGES = 3  # labels + reactions + timeline
_PULL_PAGES = 5 + THREADS_PAGE  # labels, reactions, review requests, timeline, threads, a page per thread
_DISCUSSION_PAGES = 3 + DISCUSSION_COMMENTS_PAGE  # labels, reactions, comments, and replies per comment
# Nodes inside one item read with ISSUE_SELECTION / PULL_SELECTION (labels, reactions, review
# requests, timeline); the scan reads items with these alone (`triage.github.scan_pages`).
SELECTION_NODES: dict[Kind, int] = {"issue": LABELS_PAGE + 1 + TIMELINE_PAGE, "pull": LABELS_PAGE + 2 + TIMELINE_PAGE}
_ISSUE_NODES = SELECTION_NODES["issue"]
_PULL_NODES = SELECTION_NODES["pull"] + THREADS_PAGE + THREADS_PAGE * THREAD_COMMENTS_PAGE
_DISCUSSION_NODES = LABELS_PAGE + 1 + DISCUSSION_COMMENTS_PAGE * 2


@dataclass(frozen=True)
class QueryPlan:
    """One batched query: its text, its variables, and which alias answers for which item."""

    text: str
    variables: dict[str, Any]
    repo_aliases: dict[str, str]  # "r0" -> "owner/name" as requested
    item_aliases: dict[tuple[str, str], ItemKey]  # ("r0", "i1375") -> key

    @property
    def keys(self) -> tuple[ItemKey, ...]:
        """The items this query asks for."""
        return tuple(self.item_aliases.values())



def query_pages_and_nodes(kinds: Sequence[Kind | None]) -> tuple[int, int]:
    """The connection pages (for the cost) and the nodes a query for items of these kinds asks for.

    An item of unknown kind is looked up with `issueOrPullRequest`, whose Issue and PullRequest
    fragments are both counted, as GitHub prices the query before knowing which one answers.
    """
    pages = nodes = 0
    for kind in kinds:
        if kind == "discussion":
            pages, nodes = pages + _DISCUSSION_PAGES, nodes + _DISCUSSION_NODES
        else:
            pages, nodes = pages + _ISSUE_PAGES + _PULL_PAGES, nodes + _ISSUE_NODES + _PULL_NODES
    return pages, nodes


def query_cost(kinds: Sequence[Kind | None]) -> int:
    """Rate-limit points GitHub's formula gives a query for items of these kinds (minimum 1)."""
    pages, _ = query_pages_and_nodes(kinds)
    return max(1, (pages + 50) // 100)  # rounded half up


def build_items_query(
    keys: Sequence[ItemKey], kinds: Mapping[ItemKey, Kind | None] | None = None
) -> QueryPlan:
    """One aliased query for `keys`: one `repository` per repo, one alias per item.

    Discussions (when `kinds` says so) use `discussion(number:)`; everything else uses
    `issueOrPullRequest(number:)`, which answers for PRs and issues alike. Owner and name travel as
    variables, so no agenda text is ever spliced into the query.
    """
    kinds = kinds or {}
    by_repo: dict[str, list[ItemKey]] = {}
    for key in keys:
        by_repo.setdefault(key.repo, []).append(key)
    declarations: list[str] = []
    blocks: list[str] = []
    variables: dict[str, Any] = {}
    repo_aliases: dict[str, str] = {}
    item_aliases: dict[tuple[str, str], ItemKey] = {}
    for n, (repo, repo_keys) in enumerate(by_repo.items()):
        owner, name = repo.split("/", 1)
        r_alias = f"r{n}"
        repo_aliases[r_alias] = repo
        variables[f"o{n}"], variables[f"n{n}"] = owner, name
        declarations.append(f"$o{n}: String!, $n{n}: String!")
        # The repository's visibility and its maintainers' file ride along (`triage.github.owners`).
        lines = [
            f"  {r_alias}: repository(owner: $o{n}, name: $n{n}) {{",
            f"    nameWithOwner isPrivate {OWNER_SELECTION}",
        ]
        for key in dict.fromkeys(repo_keys):
            if kinds.get(key) == "discussion":
                alias = f"d{key.number}"
                lines.append(f"    {alias}: discussion(number: {key.number}) {{ ...DiscussionFields }}")
            else:
                alias = f"i{key.number}"
                lines.append(
                    f"    {alias}: issueOrPullRequest(number: {key.number})"
                    " { ...IssueFields ...PullFields }"
                )
            item_aliases[(r_alias, alias)] = key
        lines.append("  }")
        blocks.append("\n".join(lines))
    # `viewer` names who is asking (the cache keeps private facts for that login only, issue 12); an
    # object, not a connection, so it costs nothing in GitHub's formula.
    text = (
        f"query TriageItems({', '.join(declarations)}) {{\n"
        "  rateLimit { cost limit remaining resetAt }\n  viewer { login }\n" + "\n".join(blocks) + "\n}\n"
        + fragments_for(kinds, keys)
    )
    return QueryPlan(text, variables, repo_aliases, item_aliases)


# Who the token belongs to, when nothing else is being asked: one point (a warm run serving cached
# facts of private repositories asks it, so that they go only to the login that read them).
VIEWER_QUERY = "query TriageViewer {\n  rateLimit { cost limit remaining resetAt }\n  viewer { login }\n}\n"


def fragments_for(kinds: Mapping[ItemKey, Kind | None], keys: Sequence[ItemKey]) -> str:
    """The fragment definitions a query for `keys` spreads, and no other (issue 9)."""
    discussions = [kinds.get(k) == "discussion" for k in keys]
    names = (["IssueFields", "PullFields"] if not all(discussions) else []) + (
        ["DiscussionFields"] if any(discussions) else []
    )
    return "".join(FRAGMENTS[n] for n in names) + "\n"
