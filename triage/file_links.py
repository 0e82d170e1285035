"""Links to a minutes file on GitHub: github.com blob/raw links and raw.githubusercontent.com only."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from triage.github_config import GitHubConfig
from triage.github_errors import UnsupportedURLError

_FILE_HOSTS = ("github.com", "www.github.com")
_RAW_HOST = "raw.githubusercontent.com"


@dataclass(frozen=True)
class FileRef:
    """A file in a repository at a ref, as a GitHub link names it."""

    repo: str
    ref: str
    path: str


def parse_file_url(url: str, config: GitHubConfig | None = None) -> FileRef:
    """Read a github.com blob/raw link or a raw.githubusercontent.com link; refuse anything else.

    A GitHub Enterprise web host (the API host of `config`) is accepted like github.com.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    web_hosts = set(_FILE_HOSTS)
    if config is not None and urlsplit(config.api_url).hostname not in (None, "api.github.com"):
        web_hosts.add(str(urlsplit(config.api_url).hostname).lower())
    if parts.scheme not in ("http", "https") or not host:
        raise UnsupportedURLError(
            f"{url!r} is not a web link: expected https://github.com/OWNER/REPO/blob/REF/PATH"
        )
    if host == _RAW_HOST:
        if len(segments) >= 6 and segments[2:4] == ["refs", "heads"]:
            segments = [*segments[:2], segments[4], *segments[5:]]
        if len(segments) >= 4:
            return FileRef(f"{segments[0]}/{segments[1]}", segments[2], "/".join(segments[3:]))
        raise UnsupportedURLError(
            f"{url!r} does not name a file: expected https://{_RAW_HOST}/OWNER/REPO/REF/PATH"
        )
    if host not in web_hosts:
        raise UnsupportedURLError(
            f"Cannot read files from host {host!r}: "
            f"only github.com (blob or raw links) and {_RAW_HOST} are supported"
        )
    if len(segments) >= 5 and segments[2] in ("blob", "raw"):
        return FileRef(f"{segments[0]}/{segments[1]}", segments[3], "/".join(segments[4:]))
    raise UnsupportedURLError(
        f"{url!r} is not a link to a file: expected https://github.com/OWNER/REPO/blob/REF/PATH"
    )


