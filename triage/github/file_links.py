"""Minutes files named by a GitHub link: reading the link (github.com blob/raw links and
raw.githubusercontent.com only) and the file's text through the contents API, and nothing else.

A link is untrusted input that makes the server send a request with its own token, so it is read
into (repository, ref, path) and checked before anything is sent (issue 12, D3): the path is
normalised (empty and `.` segments dropped), `..` (also written `%2e%2e`) and control characters are
refused, the repository must be an owner/name GitHub allows, and the only request made is
`GET /repos/{owner}/{name}/contents/{path}?ref=...`, with every part quoted, answered by a file.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from triage.github.client import Session
from triage.github.config import GitHubConfig
from triage.github.errors import UnsupportedURLError
from triage.github.faults import failure
from triage.github.scan_queries import REPO_RE

_FILE_HOSTS = ("github.com", "www.github.com")
_RAW_HOST = "raw.githubusercontent.com"
MAX_FILE_BYTES = 1_000_000  # minutes files are a few KB; GitHub's contents API stops inlining at 1 MB
# What git refuses in a ref name (`git check-ref-format`), and control characters anywhere.
_BAD_REF = re.compile(r"\.\.|[\x00-\x20\x7f~^:?*\[\\]|@\{|^/|/$|\.lock$|^\.|/\.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHOWN = 200  # characters of a link quoted in a sentence


@dataclass(frozen=True)
class FileRef:
    """A file in a repository at a ref, as a GitHub link names it."""

    repo: str
    ref: str
    path: str

    @property
    def api_path(self) -> str:
        """The contents API path of the file, every part quoted."""
        owner, name = self.repo.split("/", 1)
        return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/contents/{quote(self.path, safe='/')}"


def _file_ref(url: str, repo: str, ref: str, path_segments: list[str]) -> FileRef:
    """A FileRef from a link's parts, normalised and checked (see the module docstring)."""
    shown = repr(url[:_SHOWN])
    if not REPO_RE.match(repo):
        raise UnsupportedURLError(f"{shown} does not name a GitHub repository (read {repo[:_SHOWN]!r})")
    if _BAD_REF.search(ref):
        raise UnsupportedURLError(f"{shown} names the branch or tag {ref[:_SHOWN]!r}, which git does not allow")
    # A segment may carry an encoded slash (%2F): split again once decoded, then normalise.
    parts = [p for p in "/".join(path_segments).split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsupportedURLError(f"{shown} climbs out of its folder (..): expected a file inside the repository")
    if not parts or any(_CONTROL.search(p) or "\\" in p for p in parts):
        raise UnsupportedURLError(f"{shown} does not name a file in the repository")
    return FileRef(repo, ref, "/".join(parts))


def parse_file_url(url: str, config: GitHubConfig | None = None) -> FileRef:
    """Read a github.com blob/raw link or a raw.githubusercontent.com link; refuse anything else.

    A GitHub Enterprise web host (the API host of `config`) is accepted like github.com.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = urlsplit("")
    host = (parts.hostname or "").lower() if parts.netloc else ""
    segments = [unquote(s) for s in parts.path.split("/") if s]
    web_hosts = set(_FILE_HOSTS)
    if config is not None and urlsplit(config.api_url).hostname not in (None, "api.github.com"):
        web_hosts.add(str(urlsplit(config.api_url).hostname).lower())
    if parts.scheme not in ("http", "https") or not host:
        raise UnsupportedURLError(
            f"{url[:_SHOWN]!r} is not a web link: expected https://github.com/OWNER/REPO/blob/REF/PATH"
        )
    if host == _RAW_HOST:
        if len(segments) >= 6 and segments[2:4] == ["refs", "heads"]:
            segments = [*segments[:2], segments[4], *segments[5:]]
        if len(segments) >= 4:
            return _file_ref(url, f"{segments[0]}/{segments[1]}", segments[2], segments[3:])
        raise UnsupportedURLError(
            f"{url[:_SHOWN]!r} does not name a file: expected https://{_RAW_HOST}/OWNER/REPO/REF/PATH"
        )
    if host not in web_hosts:
        raise UnsupportedURLError(
            f"Cannot read files from host {host[:_SHOWN]!r}: "
            f"only github.com (blob or raw links) and {_RAW_HOST} are supported"
        )
    if len(segments) >= 5 and segments[2] in ("blob", "raw"):
        return _file_ref(url, f"{segments[0]}/{segments[1]}", segments[3], segments[4:])
    raise UnsupportedURLError(
        f"{url[:_SHOWN]!r} is not a link to a file: expected https://github.com/OWNER/REPO/blob/REF/PATH"
    )


def fetch_file_text(url: str, config: GitHubConfig) -> str:
    """The text of a minutes or agenda file named by a GitHub link, read through the contents API.

    Raises a `GitHubError` subclass with a sentence when the link is not a GitHub file link, the
    file is missing, too large, not text, or GitHub fails.
    """
    ref = parse_file_url(url, config)
    subject = f"{ref.path} in {ref.repo} at {ref.ref}"
    with Session(config) as session:
        try:
            answer = session.get_json(ref.api_path, {"ref": ref.ref})
        except Exception as e:
            err = failure(e, config, subject)
            if err is None:
                raise
            raise err from None
    if isinstance(answer, list):
        raise UnsupportedURLError(f"{url[:_SHOWN]!r} is a folder, not a file")
    if not isinstance(answer, Mapping) or answer.get("type") != "file":
        kind = answer.get("type") if isinstance(answer, Mapping) else None
        raise UnsupportedURLError(f"{subject} is {'a ' + str(kind)[:40] if kind else 'not'} a file")
    stated = answer.get("size")
    size = stated if isinstance(stated, int) else 0
    content = answer.get("content")
    raw = b""
    if size <= MAX_FILE_BYTES and answer.get("encoding") == "base64" and isinstance(content, str):
        try:
            raw = base64.b64decode(content)
        except (binascii.Error, ValueError):
            raise UnsupportedURLError(f"GitHub's answer for {subject} could not be decoded") from None
    if max(size, len(raw)) > MAX_FILE_BYTES or answer.get("encoding") != "base64":
        raise UnsupportedURLError(
            f"{subject} is {max(size, len(raw)):,} bytes; minutes files over {MAX_FILE_BYTES:,} bytes are refused"
        )
    if b"\0" in raw:
        raise UnsupportedURLError(f"{subject} is a binary file, not a markdown or text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedURLError(f"{subject} is not UTF-8 text") from None
