"""Minutes files named by a GitHub link: reading the link (github.com blob/raw links and
raw.githubusercontent.com only) and the file's text through the contents API."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from triage.github.client import github_client
from triage.github.config import GitHubConfig
from triage.github.errors import UnsupportedURLError
from triage.github.faults import failure
from triage.github.scan_queries import REPO_RE

_FILE_HOSTS = ("github.com", "www.github.com")
_RAW_HOST = "raw.githubusercontent.com"
MAX_FILE_BYTES = 1_000_000  # minutes files are a few KB; GitHub's contents API stops inlining at 1 MB


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


def fetch_file_text(url: str, config: GitHubConfig) -> str:
    """The text of a minutes or agenda file named by a GitHub link, read through the contents API.

    Raises a `GitHubError` subclass with a sentence when the link is not a GitHub file link, the
    file is missing, too large, not text, or GitHub fails.
    """
    ref = parse_file_url(url, config)
    if not REPO_RE.match(ref.repo):
        raise UnsupportedURLError(f"{url!r} does not name a GitHub repository (read {ref.repo!r})")
    subject = f"{ref.path} in {ref.repo} at {ref.ref}"
    with github_client(config) as gh:
        try:
            content = gh.get_repo(ref.repo).get_contents(ref.path, ref=ref.ref)
            if isinstance(content, list):
                raise UnsupportedURLError(f"{url!r} is a folder, not a file")
            size = content.size
            encoding = content.encoding
            raw = content.decoded_content if encoding == "base64" and size <= MAX_FILE_BYTES else b""
        except Exception as e:
            err = failure(e, config, subject)
            if err is None:
                raise
            raise err from None
    if size > MAX_FILE_BYTES or encoding != "base64":
        raise UnsupportedURLError(
            f"{subject} is {size:,} bytes; minutes files over {MAX_FILE_BYTES:,} bytes are refused"
        )
    if b"\0" in raw:
        raise UnsupportedURLError(f"{subject} is a binary file, not a markdown or text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedURLError(f"{subject} is not UTF-8 text") from None
