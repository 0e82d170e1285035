"""`triage refs|fetch|doctor`: the commands that read a minutes/agenda file, and go to GitHub for its items.

`refs` lists the references the agenda names (the agenda reader alone, no GitHub), `fetch` writes the
facts file `triage rank --facts` reads, `doctor` checks the GitHub settings (and, with `--agenda`,
an agenda's items) in a few requests.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from triage.cli import github_config

if TYPE_CHECKING:
    from triage.agenda import AgendaRef


def _read_minutes(path: str) -> str:
    from triage import agenda

    return agenda.read_minutes(sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes(), path)


def _read_agenda(args: argparse.Namespace) -> tuple[str, list[AgendaRef]]:
    """The minutes `args.file` names and the references in them; what stopped the reading, or that
    nothing was found, is said on standard error."""
    from triage import agenda, settings

    text = _read_minutes(args.file)
    limit = args.max_refs or settings.max_refs(agenda.MAX_REFS)
    reading = agenda.read_agenda(text, args.default_repo, args.default_org, limit)
    if reading.limit_note:
        print(f"triage: warning: {reading.limit_note}", file=sys.stderr)
    if not reading.refs:
        print(f"triage: no GitHub pull requests, issues or discussions found in {args.file}", file=sys.stderr)
    return text, reading.refs


def cmd_refs(args: argparse.Namespace) -> int:
    """Print the GitHub references an agenda names."""
    from triage import agenda

    _, refs = _read_agenda(args)
    if args.format == "json":
        print(json.dumps(agenda.refs_to_json(refs), indent=2, ensure_ascii=False))
    else:
        for r in refs:
            flags = f"  [{', '.join(r.flags)}]" if r.flags else ""
            print(f"{r.ref:<40} {r.kind or '-':<10} lines {','.join(map(str, r.lines))}{flags}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch the facts of an agenda's items from GitHub and write the file `triage rank --facts` reads."""
    from triage import outcome
    from triage.cli.progress import Progress
    from triage.facts import People
    from triage.github.agenda_fetch import fetch_items
    from triage.github.cache import ItemCache
    from triage.meeting import fetched_meeting, meeting_to_dict

    text, refs = _read_agenda(args)
    if not refs:
        print("triage: error: nothing to fetch; no facts file written", file=sys.stderr)
        return outcome.EXIT_NOTHING
    progress = Progress("fetched {done}/{total}")
    result = fetch_items([r.key for r in refs], github_config(args), kinds={r.key: r.kind for r in refs},
                         cache=ItemCache(), progress=progress)
    progress.finish()
    status = outcome.fetch_status(result.items, result.errors)
    if status != outcome.EXIT_NOTHING:
        now = datetime.now(UTC).replace(microsecond=0)
        filename = None if args.file == "-" else args.file
        people = People(by_repo=result.maintainers)
        meeting = fetched_meeting(Path(args.file).name, refs, result.items, now, text, filename, people)
        document = json.dumps(meeting_to_dict(meeting), indent=1, ensure_ascii=False) + "\n"
        if args.out == "-":
            sys.stdout.write(document)
        else:
            Path(args.out).write_text(document, "utf-8")
    failed = [i for i in result.items if i.status != "ok"]
    stale = sum(i.status == "stale" for i in result.items)
    kept = f", {stale} kept from an earlier run but not refreshed" if stale else ""  # never "fetched" (issue 12)
    print(f"{outcome.fetched(result.items)} of {len(result.items)} items fetched in {result.requests} "
          f"requests ({result.from_cache} from the cache{kept})" + (f"; {result.rate}" if result.rate else ""),
          file=sys.stderr)
    for item in failed:
        print(f"  {item.ref}: {item.status_detail or item.status}", file=sys.stderr)
    for error in result.errors:
        print(f"triage: {'error' if status == outcome.EXIT_NOTHING else 'warning'}: {error}", file=sys.stderr)
    if status == outcome.EXIT_NOTHING:
        print("triage: error: nothing could be fetched from GitHub; no facts file written", file=sys.stderr)
    return status


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the GitHub settings in a few requests: the API, the token, the rate limits, GraphQL."""
    from triage import agenda
    from triage.facts import ItemKey
    from triage.github import doctor

    config = doctor.default_config(args.api_url)
    if args.skip_offline and not config.token:
        print("triage doctor: skipped: GITHUB_TOKEN is not set, so there is nothing to check against GitHub")
        return 0
    item = ItemKey.parse(args.item) if args.item else doctor.KNOWN_ITEM
    diagnosis = doctor.diagnose(config, item)
    if args.skip_offline and not diagnosis.reachable:
        print(f"triage doctor: skipped: {config.host} cannot be reached from here (no network?)")
        return 0
    checks = list(diagnosis.checks)
    if args.agenda and diagnosis.ok:
        refs = agenda.parse_agenda(_read_minutes(args.agenda), args.default_repo, args.default_org)
        checks.append(doctor.check_agenda(config, refs, Path(args.agenda).name))
    for check in checks:
        print(check)
    return 0 if all(c.ok for c in checks) else 1


def _at_least_one(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def _add_agenda_source(p: argparse.ArgumentParser) -> None:
    """The minutes file and how its bare references resolve, for `refs` and `fetch`."""
    from triage import agenda

    p.add_argument("file", help="minutes/agenda markdown file, or - for standard input")
    p.add_argument("--default-repo", metavar="OWNER/REPO", help="resolves bare #N")
    p.add_argument("--default-org", metavar="OWNER", help="resolves repo#N")
    p.add_argument("--max-refs", type=_at_least_one, metavar="N",
                   help=f"read at most N items (default: $TRIAGE_MAX_REFS or {agenda.MAX_REFS:,})")


def add_refs_command(p: argparse.ArgumentParser) -> None:
    """The options of `triage refs`."""
    _add_agenda_source(p)
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(func=cmd_refs)


def add_fetch_command(p: argparse.ArgumentParser) -> None:
    """The options of `triage fetch`."""
    _add_agenda_source(p)
    p.add_argument("--api-url", help="GitHub API root (default: $GITHUB_API_URL or https://api.github.com)")
    p.add_argument("--out", metavar="FILE", required=True, help="where to write the facts (- for stdout)")
    p.set_defaults(func=cmd_fetch)


def add_doctor_command(p: argparse.ArgumentParser) -> None:
    """The options of `triage doctor`."""
    from triage.github import doctor

    p.add_argument("--api-url", metavar="URL", help="GitHub API root (default: $GITHUB_API_URL or api.github.com)")
    p.add_argument("--item", metavar="OWNER/REPO#N", help=f"a thread to read back (default: {doctor.KNOWN_ITEM})")
    p.add_argument("--agenda", metavar="FILE", help="also read this agenda's items, as `triage fetch` would")
    p.add_argument("--default-repo", metavar="OWNER/REPO", help="resolves bare #N in --agenda")
    p.add_argument("--default-org", metavar="OWNER", help="resolves repo#N in --agenda")
    p.add_argument("--skip-offline", action="store_true",
                   help="say so and succeed when there is no token or no network (for `make check-github`)")
    p.set_defaults(func=cmd_doctor)
