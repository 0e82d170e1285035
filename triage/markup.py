"""Untrusted text made inert wherever it is shown: in the app's Markdown, in the Markdown export, in
CSV cells, and as item links.

Titles, labels and URLs come from GitHub; headings and bullets from minutes anyone can paste; preset
names from links; values from config files. Each is shown as the text it is, never as markup: an
issue titled `![x](https://pixel.example/p.png)` must not load an image in the app nor in the
minutes it is pasted into, and a title starting with `=` must not run as a spreadsheet formula.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from urllib.parse import urlsplit

# --- Markdown shown by the app (Streamlit's renderer: CommonMark, GFM, and its own directives) ---------

# Characters that start markup anywhere in a line: emphasis, code, links and images, HTML and
# <autolinks>, strikethrough, LaTeX, tables and entities. An underscore inside a
# word (`waiting_on_maintainers`) is no emphasis in CommonMark and stays as it is, so that messages
# naming settings read naturally in tests and logs.
_INLINE = re.compile(r"[\\`*\[\]<>~$|&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# GFM's autolinks (`https://...`, `www.`, e-mail addresses) and Streamlit's `:red[...]` colours,
# `:material/icon:` and `:emoji:` short codes are found in the text after escapes are resolved, so a
# backslash does not stop them: an invisible WORD JOINER (U+2060) inside the pattern does.
_WORD_JOINER = "\u2060"
_TEXT_PATTERNS = re.compile(
    r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=[\w.+-])(?=@[\w-]+\.\w)|(?<=:)(?=[a-z-]+\\?\[|material/|[\w+-]+:)"
)
# At the start of a line: headings, block quotes, list items, thematic breaks, ordered lists.
_LINE_START = re.compile(r"^(\s*)(?=[#>+=-])|^(\s*\d+)(?=[.)])")


def inline(value: object) -> str:
    """`value` as Markdown that Streamlit shows exactly as typed, on one line (newlines and runs of
    spaces become one space: a title can not open a heading or a list)."""
    text = " ".join(str(value).split())
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    text = _TEXT_PATTERNS.sub(_WORD_JOINER, text)
    return _LINE_START.sub(lambda m: (m.group(1) or m.group(2) or "") + "\\", text)



def code(value: object) -> str:
    """`value` as an inline code span on one line, whatever backticks it holds: the fence is one
    backtick longer than its longest run (CommonMark), so the text can not close it early."""
    text = " ".join(str(value).split()) or " "
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"

# --- Markdown pasted into minutes (GitHub's renderer, which allows some raw HTML) -------------------------

_GFM = re.compile(r"([\\`*_\[\]<>#!~|&])")


def gfm_escape(text: str) -> str:
    """`text` with every character that could start HTML, a link, an image, emphasis, code or a
    heading backslash-escaped (line breaks kept: see `gfm_text`)."""
    return _GFM.sub(r"\\\1", text)


def gfm_text(value: object) -> str:
    """`value` for a line of GitHub-flavoured Markdown: one line, every character that could start
    HTML, a link, an image, emphasis, code or a heading backslash-escaped, so it shows as typed."""
    return gfm_escape(" ".join(str(value).split()))


# --- CSV cells ------------------------------------------------------------------------------------------

# OWASP's CSV injection advice: a cell starting with one of these is read as a formula by
# spreadsheets (https://owasp.org/www-community/attacks/CSV_Injection). Full-width forms too, which
# some spreadsheets normalise.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> object:
    """A text cell that a spreadsheet shows as text: a leading formula character gets a `'` before
    it (OWASP). Numbers and empty cells are returned as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --- item links ------------------------------------------------------------------------------------------

DEFAULT_WEB_HOST = "github.com"
_PATH = re.compile(r"^/[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}/(?:pull|issues|discussions)/(?P<number>\d{1,10})$")


@lru_cache(maxsize=8)
def _hosts(api_url: str) -> frozenset[str]:
    host = (urlsplit(api_url).hostname or "").lower()
    # GitHub Enterprise serves its web pages on the API's own host (`https://ghe.example/api/v3`);
    # api.github.com's pages are on github.com.
    return frozenset({DEFAULT_WEB_HOST} | ({host} if host and host != "api.github.com" else set()))


def web_hosts() -> frozenset[str]:
    """The hosts whose item links are trusted: github.com, and the GitHub Enterprise host of
    `$GITHUB_API_URL` when one is set."""
    return _hosts(os.environ.get("GITHUB_API_URL") or "https://api.github.com")


def item_url(url: object, repo: str, number: int, kind: str | None) -> str:
    """`url` when it is an http(s) link to thread `number` on a GitHub host (its repository may be
    the moved one's new name); otherwise the thread's github.com address built from its key."""
    path = {"pull": "pull", "discussion": "discussions"}.get(kind or "issue", "issues")
    built = f"https://{DEFAULT_WEB_HOST}/{repo}/{path}/{number}"
    if url == built:  # the usual case, and what would be returned anyway: no need to parse it
        return built
    if isinstance(url, str):
        try:
            parts = urlsplit(url)
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            parts, port_ok = None, False
        m = _PATH.match(parts.path) if parts is not None else None
        if (parts is not None and port_ok and m and int(m["number"]) == number and parts.scheme in ("http", "https")
                and not parts.username and not parts.password and not parts.query
                and (parts.hostname or "").lower() in web_hosts()):
            return url
    return built
