"""GitHub's REST JSON shapes for the fake's items, built for the host the request came to.

Every API URL in a response is built from `base` (the request's own scheme, host and port),
because PyGithub refuses URLs whose host differs from its `base_url` (TECH-NOTES §0.4).
Web links (`html_url`) stay on github.com, as GitHub's do.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from tests.fakegithub.store import FakeItem, FakeRepo, sha_of, stable_id
from triage.facts import Event

DOCS = "https://docs.github.com/rest"
_STATUS = {
    "SUCCESS": "success",
    "FAILURE": "failure",
    "ERROR": "error",
    "PENDING": "pending",
    "EXPECTED": "pending",
}


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login: str | None, actor_type: str | None, base: str) -> dict[str, Any] | None:
    """A simple-user object (null for a ghost, deleted, account)."""
    if login is None:
        return None
    api = f"{base}/users/{login}"
    uid = stable_id("user", login.lower())
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"https://github.com/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": actor_type or "User",
        "user_view_type": "public",
        "site_admin": False,
    }


def viewer_json(login: str, base: str) -> dict[str, Any]:
    """GET /user: the token's own account, with the private fields GitHub shows only to it."""
    out = user(login, "User", base)
    assert out is not None
    out.update({
        "user_view_type": "private", "name": None, "company": None, "blog": "", "location": None, "email": None,
        "hireable": None, "bio": None, "twitter_username": None, "public_repos": 0, "public_gists": 0,
        "followers": 0, "following": 0, "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z",
        "private_gists": 0, "total_private_repos": 0, "owned_private_repos": 0, "disk_usage": 0, "collaborators": 0,
        "two_factor_authentication": True,
    })
    return out


# The URL templates every repository object carries (GitHub's REST description requires each one).
_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}", "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}", "contributors_url": "/contributors", "deployments_url": "/deployments",
    "downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}", "issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}", "languages_url": "/languages", "merges_url": "/merges",
    "milestones_url": "/milestones{/number}", "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}", "releases_url": "/releases{/id}", "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}", "subscribers_url": "/subscribers", "subscription_url": "/subscription",
    "tags_url": "/tags", "teams_url": "/teams", "trees_url": "/git/trees{/sha}",
}


def repo_json(repo: FakeRepo, base: str) -> dict[str, Any]:
    """GET /repos/{owner}/{repo}: a full-repository object."""
    api = f"{base}/repos/{repo.full_name}"
    owner = user(repo.owner, "Organization", base)
    open_count = sum(1 for i in repo.items.values() if i.facts.state == "open" and not i.hidden)
    host = "github.com"
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.is_private,
        "owner": owner,
        "html_url": f"https://{host}/{repo.full_name}",
        "description": None,
        "fork": False,
        "url": api,
        **{name: api + suffix for name, suffix in _REPO_URLS.items()},
        "git_url": f"git://{host}/{repo.full_name}.git",
        "ssh_url": f"git@{host}:{repo.full_name}.git",
        "clone_url": f"https://{host}/{repo.full_name}.git",
        "svn_url": f"https://{host}/{repo.full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "license": None,
        "size": 0,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "network_count": 0,
        "subscribers_count": 0,
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": any(i.facts.kind == "discussion" for i in repo.items.values()),
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.updated_at),
        "pushed_at": iso(repo.updated_at),
        "default_branch": repo.default_branch,
        "open_issues": open_count,
        "open_issues_count": open_count,
        "archived": False,
        "disabled": False,
        "visibility": "private" if repo.is_private else "public",
    }


def _labels(item: FakeItem, repo: FakeRepo, base: str) -> list[dict[str, Any]]:
    return [
        {
            "id": stable_id("label", repo.full_name, name),
            "name": name,
            "color": "ededed",
            "url": f"{base}/repos/{repo.full_name}/labels/{name}",
        }
        for name in item.facts.labels or ()
    ]


def _milestone(item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any] | None:
    f = item.facts
    if not f.milestone:
        return None
    number = stable_id("milestone", f.milestone) % 100 + 1
    return {
        "url": f"{base}/repos/{repo.full_name}/milestones/{number}",
        "number": number,
        "title": f.milestone,
        "state": "open",
        "due_on": iso(f.milestone_due),
    }


def _reactions(item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    total = item.facts.reactions or 0
    return {
        "url": f"{base}/repos/{repo.full_name}/issues/{item.facts.number}/reactions",
        "total_count": total,
        "+1": total,
        "-1": 0,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": 0,
        "rocket": 0,
        "eyes": 0,
    }


def issue_json(item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    """GET /repos/{o}/{r}/issues/{n} (PRs too, with their `pull_request` key), and search items."""
    f = item.facts
    api = f"{base}/repos/{repo.full_name}"
    out: dict[str, Any] = {
        "url": f"{api}/issues/{f.number}",
        "repository_url": api,
        "comments_url": f"{api}/issues/{f.number}/comments",
        "labels_url": f"{api}/issues/{f.number}/labels{{/name}}",
        "events_url": f"{api}/issues/{f.number}/events",
        "html_url": f.html_url,
        "id": stable_id("issue", f.key.ref.lower()),
        "node_id": f"I_{stable_id('issue', f.key.ref.lower())}",
        "number": f.number,
        "title": f.title,
        "user": user(f.author, f.author_type, base),
        "labels": _labels(item, repo, base),
        "state": "open" if f.state == "open" else "closed",
        "state_reason": f.state_reason,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": _milestone(item, repo, base),
        "comments": f.comments_count or 0,
        "created_at": iso(f.created_at),
        "updated_at": iso(f.updated_at),
        "closed_at": iso(f.closed_at),
        "author_association": f.author_association or "NONE",
        "body": item.body,
        "reactions": _reactions(item, repo, base),
    }
    if f.kind == "pull":  # GitHub sends `draft` (a boolean) for pull requests only
        out["draft"] = bool(f.draft)
        out["pull_request"] = {
            "url": f"{api}/pulls/{f.number}",
            "html_url": f.html_url,
            "diff_url": f"{f.html_url}.diff",
            "patch_url": f"{f.html_url}.patch",
            "merged_at": iso(f.merged_at),
        }
    return out


def search_item_json(item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    """One item of a `/search/issues` answer (an issue's JSON; GitHub adds `score` and the `repository_url`)."""
    return issue_json(item, repo, base)


def pull_json(item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    """GET /repos/{o}/{r}/pulls/{n}."""
    f = item.facts
    api = f"{base}/repos/{repo.full_name}"
    branch = {
        "label": f"{repo.owner}:pr-{f.number}",
        "ref": f"pr-{f.number}",
        "sha": item.head_sha,
        "user": user(repo.owner, "Organization", base),
        "repo": repo_json(repo, base),
    }
    out = {
        k: v
        for k, v in issue_json(item, repo, base).items()
        if k not in ("pull_request", "reactions", "comments")
    }
    out.update(
        {
            "url": f"{api}/pulls/{f.number}",
            "id": stable_id("pull", f.key.ref.lower()),
            "issue_url": f"{api}/issues/{f.number}",
            "commits_url": f"{api}/pulls/{f.number}/commits",
            "review_comments_url": f"{api}/pulls/{f.number}/comments",
            "statuses_url": f"{api}/statuses/{item.head_sha}",
            "state": "open" if f.state == "open" else "closed",
            "merged_at": iso(f.merged_at),
            "merge_commit_sha": sha_of(f.key.ref, "merge") if f.merged else None,
            "requested_reviewers": [
                user(f"reviewer{n}", "User", base) for n in range(f.review_requests or 0)
            ],
            "requested_teams": [],
            "head": branch,
            "base": {
                **branch,
                "label": f"{repo.owner}:{repo.default_branch}",
                "ref": repo.default_branch,
                "sha": sha_of(repo.full_name, "base"),
            },
            "draft": bool(f.draft),
            "merged": bool(f.merged),
            "mergeable": f.mergeable,
            "mergeable_state": {True: "clean", False: "dirty"}.get(f.mergeable, "unknown")  # type: ignore[arg-type]
            if f.mergeable is not None
            else "unknown",
            "merged_by": None,
            "comments": f.comments_count or 0,
            "review_comments": len(item.review_comments),
            "commits": len(item.commits),
            "additions": f.additions or 0,
            "deletions": f.deletions or 0,
            "changed_files": f.changed_files or 0,
        }
    )
    return out


def comment_json(event: Event, n: int, item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    cid = stable_id("comment", item.facts.key.ref, n)
    return {
        "id": cid,
        "node_id": f"IC_{cid}",
        "url": f"{base}/repos/{repo.full_name}/issues/comments/{cid}",
        "html_url": f"{item.facts.html_url}#issuecomment-{cid}",
        "issue_url": f"{base}/repos/{repo.full_name}/issues/{item.facts.number}",
        "user": user(event.actor, event.actor_type, base),
        "created_at": iso(event.at),
        "updated_at": iso(event.at),
        "author_association": event.association or "NONE",
        "body": "",
    }


def review_json(event: Event, n: int, item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    rid = stable_id("review", item.facts.key.ref, n)
    return {
        "id": rid,
        "node_id": f"PRR_{rid}",
        "user": user(event.actor, event.actor_type, base),
        "body": "",
        "state": event.review_state or "COMMENTED",
        "html_url": f"{item.facts.html_url}#pullrequestreview-{rid}",
        "pull_request_url": f"{base}/repos/{repo.full_name}/pulls/{item.facts.number}",
        "author_association": event.association or "NONE",
        "submitted_at": iso(event.at),
        "commit_id": item.head_sha,
    }


def review_comment_json(event: Event, n: int, item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    cid = stable_id("review-comment", item.facts.key.ref, n)
    return {
        "id": cid,
        "node_id": f"PRRC_{cid}",
        "url": f"{base}/repos/{repo.full_name}/pulls/comments/{cid}",
        "pull_request_review_id": stable_id("review-of-comment", cid),
        "path": "README.md",
        "user": user(event.actor, event.actor_type, base),
        "body": "",
        "created_at": iso(event.at),
        "updated_at": iso(event.at),
        "author_association": event.association or "NONE",
        "html_url": f"{item.facts.html_url}#discussion_r{cid}",
        "pull_request_url": f"{base}/repos/{repo.full_name}/pulls/{item.facts.number}",
    }


def commit_json(sha: str, event: Event | None, repo: FakeRepo, base: str) -> dict[str, Any]:
    when = iso(event.at) if event else None
    person = {"name": event.actor if event else "someone", "email": "someone@example.com", "date": when}
    return {
        "sha": sha,
        "node_id": f"C_{sha[:12]}",
        "url": f"{base}/repos/{repo.full_name}/commits/{sha}",
        "html_url": f"https://github.com/{repo.full_name}/commit/{sha}",
        "commit": {"author": person, "committer": person, "message": "change", "comment_count": 0},
        "author": user(event.actor, event.actor_type, base) if event else None,
        "committer": None,
        "parents": [],
    }


def combined_status_json(item: FakeItem, repo: FakeRepo, base: str) -> dict[str, Any]:
    state = item.facts.ci_status
    statuses = []
    if state is not None:
        statuses.append(
            {
                "url": f"{base}/repos/{repo.full_name}/statuses/{item.head_sha}",
                "id": stable_id("status", item.facts.key.ref),
                "state": _STATUS.get(state, "pending"),
                "context": "ci/build",
                "description": None,
                "target_url": None,
                "created_at": iso(item.facts.updated_at),
                "updated_at": iso(item.facts.updated_at),
            }
        )
    return {
        "state": _STATUS.get(state or "", "pending"),
        "statuses": statuses,
        "sha": item.head_sha,
        "total_count": len(statuses),
        "repository": repo_json(repo, base),
        "commit_url": f"{base}/repos/{repo.full_name}/commits/{item.head_sha}",
        "url": f"{base}/repos/{repo.full_name}/commits/{item.head_sha}/status",
    }


def content_json(repo: FakeRepo, ref: str, path: str, text: str, base: str) -> dict[str, Any]:
    raw = text.encode("utf-8")
    too_big = len(raw) > 1_000_000  # GitHub stops inlining file contents at 1 MB
    api = f"{base}/repos/{repo.full_name}/contents/{path}"
    html = f"https://github.com/{repo.full_name}/blob/{ref}/{path}"
    git = f"{base}/repos/{repo.full_name}/git/blobs/{sha_of(repo.full_name, ref, path)}"
    return {
        "_links": {"self": f"{api}?ref={ref}", "git": git, "html": html},
        "type": "file",
        "encoding": "none" if too_big else "base64",
        "size": len(raw),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": "" if too_big else base64.b64encode(raw).decode(),
        "sha": sha_of(repo.full_name, ref, path),
        "url": f"{api}?ref={ref}",
        "git_url": git,
        "html_url": html,
        "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{path}",
    }


def meta_json(enterprise: str | None) -> dict[str, Any]:
    """GET /meta: what GitHub says about itself; GitHub Enterprise Server names its version."""
    out: dict[str, Any] = {"verifiable_password_authentication": enterprise is not None}
    if enterprise:
        out["installed_version"] = enterprise
    else:
        out["domains"] = {"website": ["*.github.com", "*.github.dev"]}
    return out


def error_json(message: str, status: int | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"message": message, "documentation_url": DOCS}
    if status is not None:
        out["status"] = str(status)
    out.update(extra)
    return out
