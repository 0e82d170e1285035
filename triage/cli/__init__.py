"""`triage`: the command-line twin of the dashboard. Each command parses, calls the core, prints.

It starts in a few hundredths of a second (issue 13): only the command being run has its options
built (`COMMANDS` names every command and its help without building them), and each command
imports the part of triage it uses when it runs. pandas, SQLAlchemy and PyGithub take about a
second to import, and even the agenda reader's patterns take longer to compile than Python takes
to start, so nothing is imported for `triage --help`, and `refs` and `criteria` import only the
agenda reader and the criteria. `triage.cli.meeting` holds the meeting commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.agenda import AgendaRef
    from triage.export import Row
    from triage.github.config import GitHubConfig
    from triage.meeting import Meeting
    from triage.ranking.filters import Filtered, Filters
    from triage.snapshots import Snapshot
    from triage.snapshots.store import SnapshotStore

# Errors that are the user's input, reported as one line and exit status 2 (no traceback): triage's
# own (AgendaInputError, FactsFormatError, WeightsError, SettingsError) are ValueErrors; the
# snapshot store's are added by `_user_errors`.
USER_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError)
Command = Callable[[argparse.Namespace], int]


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


def load_meeting(args: argparse.Namespace) -> Meeting:
    """The meeting a command ranks: the demo, or a facts file written by `triage fetch`, with the
    outcomes of the meetings `--previous` names."""
    from triage.cli import meeting as cli_meeting
    from triage.facts.format import FactsFormatError
    from triage.meeting import demo_meeting, meeting_from_dict

    if args.demo:
        return cli_meeting.with_previous(demo_meeting(args.demo), args)
    if not args.facts:
        raise ValueError("Say what to rank: --demo, or --facts FILE written by `triage fetch`")
    try:
        data = json.loads(Path(args.facts).read_text("utf-8"))
    except json.JSONDecodeError as e:
        raise FactsFormatError(f"Facts file {args.facts!r} is not JSON: {e}") from None
    return cli_meeting.with_previous(meeting_from_dict(data), args)


def _focus(args: argparse.Namespace) -> Filters:
    """The focus filters the options name (as the app's sidebar and link do)."""
    from triage.ranking import filters

    chosen = {f.param: getattr(args, f"only_{f.param}") for f in filters.FIELDS}
    return filters.from_options(chosen, args.waiting_on_login, args.include_resolved)


def _report_focus(kept: Filtered) -> None:
    """Say on standard error what the filters hid, so a shorter list is never a silent surprise."""
    if kept.resolved_hidden:
        print(f"triage: note: {kept.resolved_hidden} resolved item{'s' if kept.resolved_hidden != 1 else ''} "
              "hidden (--include-resolved shows them)", file=sys.stderr)
    if kept.filtered_out:
        print(f"triage: note: {kept.filtered_out} item{'s' if kept.filtered_out != 1 else ''} filtered out",
              file=sys.stderr)


def cmd_rank(args: argparse.Namespace) -> int:
    """Rank a meeting's items and print them."""
    from triage import export
    from triage.facts import parse_as_of
    from triage.ranking import filters, scoring
    from triage.ranking.weights import demo_config_path, load_config

    meeting = load_meeting(args)
    overlays = ([demo_config_path()] if args.demo else []) + list(args.weights or [])
    config = load_config(overlays, local=Path.cwd())
    preset = config.preset(args.preset)
    as_of = parse_as_of(args.as_of) if args.as_of else meeting.as_of
    assert as_of is not None
    ranked = scoring.rank_items(meeting.facts, preset.weights, preset.params, as_of,
                                meeting.context(), config.people)
    kept = filters.apply(ranked, _focus(args))
    shown = set(kept.rows["ref"])
    rows = [r for r in export.to_rows(ranked) if r["ref"] in shown]  # "why" as against every item
    heading = f"{meeting.title or 'Triage'}: ranked as of {as_of:%Y-%m-%d} ({preset.name})"
    meta = export.Meta(as_of, preset.name, preset.weights, None, meeting.title)
    print(export.render_rows(rows, args.format, heading, meta=meta), end="" if args.format != "json" else "\n")
    _report_focus(kept)
    return 0


def _github(args: argparse.Namespace) -> GitHubConfig:
    """GitHub settings from the environment, with `--api-url` when given."""
    from triage.github.config import GitHubConfig

    return GitHubConfig.from_env(**({"api_url": args.api_url} if args.api_url else {}))


class _Progress:
    """A progress callback on standard error (`template` has {done}, {total}): one line rewritten
    in place on a terminal, one line per step in a log (a log has no carriage returns: rewritten
    lines ran together there, "fetched 0/16fetched 16/16")."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.live = sys.stderr.isatty()
        self.last: str | None = None

    def __call__(self, done: int, total: int) -> None:
        line = self.template.format(done=done, total=total)
        if self.live:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif line != self.last:
            print(line, file=sys.stderr, flush=True)
        self.last = line

    def finish(self) -> None:
        """End the rewritten line on a terminal."""
        if self.live and self.last is not None:
            print(file=sys.stderr)


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch the facts of an agenda's items from GitHub and write the file `triage rank --facts` reads."""
    from triage import outcome
    from triage.facts import People
    from triage.github.agenda_fetch import fetch_items
    from triage.github.cache import ItemCache
    from triage.meeting import fetched_meeting, meeting_to_dict

    text, refs = _read_agenda(args)
    if not refs:
        print("triage: error: nothing to fetch; no facts file written", file=sys.stderr)
        return outcome.EXIT_NOTHING
    progress = _Progress("fetched {done}/{total}")
    result = fetch_items([r.key for r in refs], _github(args), kinds={r.key: r.kind for r in refs},
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


def cmd_criteria(args: argparse.Namespace) -> int:
    """List the criteria with their one-line documentation."""
    from triage.ranking.criteria import CRITERIA, help_text

    for name in CRITERIA:
        print(f"{name:<24} {help_text(name)}")
    return 0


def _store(args: argparse.Namespace) -> SnapshotStore:
    from triage.snapshots.store import SnapshotStore

    return SnapshotStore(args.db)


def _print(text: str, fmt: str) -> None:
    print(text, end="\n" if fmt == "json" else "")


def cmd_snapshot_create(args: argparse.Namespace) -> int:
    """Rank a meeting as `triage rank` does, freeze the result and save it; print its id last."""
    from triage import snapshots
    from triage.facts import parse_as_of
    from triage.ranking.weights import demo_config_path, load_config

    meeting = load_meeting(args)
    overlays = ([demo_config_path()] if args.demo else []) + list(args.weights or [])
    config = load_config(overlays, local=Path.cwd())
    as_of = parse_as_of(args.as_of) if args.as_of else None
    snapshot = snapshots.freeze(meeting, config.preset(args.preset), config.people, as_of=as_of)
    with _store(args) as store:
        snapshot_id = store.save(snapshot)
        print(f"Saved a snapshot of {len(snapshot.rows)} items ({snapshot.preset}, as of "
              f"{snapshot.as_of:%Y-%m-%d}) in {store.location}")
    print(snapshot_id)
    return 0


def cmd_snapshot_list(args: argparse.Namespace) -> int:
    """List the stored snapshots, newest first."""
    from triage import snapshots

    with _store(args) as store:
        listing = store.listing(args.limit)
    for problem in listing.skipped:  # a bad row is named and left out, never the whole list (issue 12)
        print(f"triage: warning: {problem}", file=sys.stderr)
    found = listing.summaries
    if args.format == "json":
        print(json.dumps([s.to_dict() for s in found], indent=2, ensure_ascii=False))
        return 0
    for s in found:
        print(f"{s.id[:snapshots.MIN_PREFIX]}  {s.created_at:%Y-%m-%d %H:%M}  as of {s.as_of:%Y-%m-%d}  "
              f"{s.items:>3} items  {s.preset:<16} {s.title or s.source}")
    return 0


def cmd_snapshot_show(args: argparse.Namespace) -> int:
    """Print a stored snapshot's frozen ranking."""
    from triage import snapshots

    with _store(args) as store:
        snapshot = store.load(args.id)
    for change in snapshot.criteria_changes():
        print(f"triage: note: {change} The rows are shown as frozen.", file=sys.stderr)
    _print(snapshots.render(snapshot, args.format, rows=_frozen_rows(snapshot, args)), args.format)
    return 0


def _frozen_rows(snapshot: Snapshot, args: argparse.Namespace) -> list[Row]:
    """The snapshot's frozen rows the focus options keep (reporting what they hid)."""
    from triage import snapshots
    from triage.ranking import filters

    kept = filters.apply(filters.frozen_frame(snapshot), _focus(args))
    _report_focus(kept)
    shown = set(kept.rows["ref"])
    return [r for r in snapshots.ordered_rows(snapshot) if r["ref"] in shown]


def cmd_snapshot_diff(args: argparse.Namespace) -> int:
    """Compare two stored snapshots: resolved, new, still waiting, dropped, rank movement."""
    from triage.snapshots import compare

    with _store(args) as store:
        older, newer = store.load(args.old), store.load(args.new)
    result = compare.compare(older, newer)
    warning = compare.weights_warning(result)
    if warning:
        print(f"triage: warning: {warning}", file=sys.stderr)
    _print(compare.render(result, args.format), args.format)
    return 0


def cmd_snapshot_export(args: argparse.Namespace) -> int:
    """Print a stored snapshot for the minutes, with its share link in Markdown."""
    from triage import snapshots

    with _store(args) as store:
        snapshot = store.load(args.id)
    link = snapshots.share_link(snapshot.id, args.base_url)
    _print(snapshots.render(snapshot, args.format, link, _frozen_rows(snapshot, args)), args.format)
    return 0


def _add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the snapshot store "
                   "(default: $TRIAGE_DB_URL, else SQLite under $TRIAGE_HOME)")


def _db_option() -> argparse.ArgumentParser:
    """`--db` as a parent parser, for the subcommands of `snapshot` and `meeting`."""
    db = argparse.ArgumentParser(add_help=False)
    _add_db_option(db)
    return db


def _add_snapshot_commands(group: argparse.ArgumentParser) -> None:
    from triage import snapshots
    from triage.snapshots import compare

    db = _db_option()
    commands = group.add_subparsers(dest="snapshot_command", required=True)

    p = commands.add_parser("create", parents=[db], help="rank a meeting and save the frozen result")
    _add_meeting_source(p)
    p.add_argument("--weights", metavar="FILE", action="append", help="a triage.toml overlay (repeatable)")
    p.add_argument("--preset", help="a preset from the criteria files (default: their default_preset)")
    p.add_argument("--as-of", metavar="DATE", help="judge as of this date (default: the meeting's)")
    p.set_defaults(func=cmd_snapshot_create)

    p = commands.add_parser("list", parents=[db], help="list the stored snapshots, newest first")
    p.add_argument("--limit", type=int, metavar="N", help="show only the N newest")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_snapshot_list)

    p = commands.add_parser("show", parents=[db, _focus_options()], help="print a snapshot's frozen ranking")
    p.add_argument("id", help="the snapshot id, or its first 12 or more digits")
    p.add_argument("--format", choices=snapshots.FORMATS, default="markdown")
    p.set_defaults(func=cmd_snapshot_show)

    p = commands.add_parser("diff", parents=[db], help="compare an older snapshot with a newer one")
    p.add_argument("old", help="the older snapshot's id or prefix")
    p.add_argument("new", help="the newer snapshot's id or prefix")
    p.add_argument("--format", choices=compare.FORMATS, default="markdown")
    p.set_defaults(func=cmd_snapshot_diff)

    p = commands.add_parser("export", parents=[db, _focus_options()],
                            help="print a snapshot for the minutes, with its link")
    p.add_argument("id", help="the snapshot id, or its first 12 or more digits")
    p.add_argument("--format", choices=snapshots.FORMATS, default="markdown")
    p.add_argument("--base-url", metavar="URL",
                   help="the app's address for the link "
                   f"(default: $TRIAGE_BASE_URL, else {snapshots.DEFAULT_BASE_URL})")
    p.set_defaults(func=cmd_snapshot_export)


def _focus_options() -> argparse.ArgumentParser:
    """The focus filters as a parent parser, for `snapshot show` and `snapshot export`."""
    p = argparse.ArgumentParser(add_help=False)
    _add_focus_options(p)
    return p


def _add_focus_options(p: argparse.ArgumentParser) -> None:
    """The focus filters as options, named like the share link's parameters (triage.ranking.filters)."""
    from triage.ranking import filters

    group = p.add_argument_group("focus (resolved items are hidden unless --include-resolved)")
    for f in filters.FIELDS:
        group.add_argument(f"--{f.param}", dest=f"only_{f.param}", action="append", metavar=f.param.upper(),
                           help=f"only items with this {f.label.lower()} (repeatable: any of them)")
    group.add_argument("--waiting-on", dest="waiting_on_login", metavar="LOGIN",
                       help="only items whose turn is this person's (their own PRs waiting on them, and "
                            "what waits on the maintainers when they are not its author)")
    group.add_argument("--include-resolved", action="store_true", help="show closed and merged items too")


def _add_meeting_source(p: argparse.ArgumentParser) -> None:
    from triage.demo import DEMO_NAME, DEMOS

    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", nargs="?", const=DEMO_NAME, choices=list(DEMOS), metavar="NAME",
                     help=f"an embedded Falco meeting: {', '.join(DEMOS)} (default {DEMO_NAME})")
    src.add_argument("--facts", metavar="FILE", help="a facts file written by `triage fetch`")
    p.add_argument("--previous", metavar="ID", action="append",
                   help="a meeting whose outcomes feed this ranking (deferred and skipped items carry over, "
                   "stalled assignments are flagged); a snapshot id means all its meetings (repeatable)")


# --- triage scan --------------------------------------------------------------------------------------


def cmd_scan(args: argparse.Namespace) -> int:
    """Scan repositories or an organisation for open PRs waiting on maintainers; print them ranked."""
    from triage import export, outcome, scan
    from triage.github.cache import ItemCache
    from triage.ranking.weights import load_config

    target = scan.target(args.org, scan.parse_repos(" ".join(args.repo or [])))
    chosen = scan.ScanFilter(args.min_waiting, tuple(args.waiting_on or ("maintainers",)),
                             args.include_drafts, args.include_bots, args.issues)
    config = load_config(list(args.weights or []), local=Path.cwd())
    preset = config.preset(args.preset)
    progress = _Progress("read {done}/{total} open items")
    result = scan.run(target, _github(args), include_issues=args.issues, people=config.people, cache=ItemCache(),
                      progress=progress)
    progress.finish()
    fetched = result.fetch
    status = outcome.scan_status(fetched.items, fetched.errors)
    if status == outcome.EXIT_NOTHING:
        for error in fetched.errors:
            print(f"triage: error: {error}", file=sys.stderr)
        print(f"triage: error: nothing could be read from {target.label}; no output", file=sys.stderr)
        return status
    ranked = scan.rank(scan.select(scan.evaluate(result, preset.params, config.people), chosen), preset.weights)
    if args.limit is not None:
        ranked = ranked.head(args.limit)
    what = " or ".join(scan.BUCKET_TITLES[b] for b in chosen.waiting_on)
    heading = (f"Open items {what} for {chosen.min_waiting}+ days in {target.label}: {len(ranked)} of "
               f"{len(fetched.items)}, as of {result.as_of:%Y-%m-%d} ({preset.name})")
    meta = export.Meta(result.as_of, preset.name, preset.weights, None, heading)
    print(export.render(ranked, args.format, heading, meta=meta), end="" if args.format != "json" else "\n")
    repos = len({r.repo for r in fetched.repos})
    print(f"{len(fetched.items)} open items read from {repos} repositor{'y' if repos == 1 else 'ies'} "
          f"in {fetched.requests} requests"
          + (f"; {fetched.rate}" if fetched.rate else ""), file=sys.stderr)
    for note in fetched.notes:
        print(f"triage: note: {note}", file=sys.stderr)
    for error in fetched.errors:
        print(f"triage: warning: {error}", file=sys.stderr)
    return status


def _add_scan_command(p: argparse.ArgumentParser) -> None:
    from triage import export, scan

    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--org", metavar="ORG", help="scan every repository of this organisation")
    what.add_argument("--repo", metavar="OWNER/NAME", action="append", help="scan this repository (repeatable)")
    p.add_argument("--min-waiting", type=int, default=0, metavar="DAYS",
                   help="only items waiting at least this many days (default: 0)")
    p.add_argument("--waiting-on", action="append", choices=scan.PEOPLE_BUCKETS,
                   help="whose turn it must be (repeatable; default: maintainers)")
    p.add_argument("--include-drafts", action="store_true", help="keep draft PRs")
    p.add_argument("--include-bots", action="store_true", help="keep PRs opened by bots (dependabot, renovate, ...)")
    p.add_argument("--issues", action="store_true", help="scan open issues too")
    p.add_argument("--limit", type=int, metavar="N", help="print only the N best-ranked items")
    p.add_argument("--api-url", metavar="URL", help="GitHub API root (default: $GITHUB_API_URL or api.github.com)")
    p.add_argument("--weights", metavar="FILE", action="append", help="a triage.toml overlay (repeatable)")
    p.add_argument("--preset", help="a preset from the criteria files (default: their default_preset)")
    p.add_argument("--format", choices=export.FORMATS, default="markdown")
    p.set_defaults(func=cmd_scan)


def _add_doctor_command(p: argparse.ArgumentParser) -> None:
    from triage.github import doctor

    p.add_argument("--api-url", metavar="URL", help="GitHub API root (default: $GITHUB_API_URL or api.github.com)")
    p.add_argument("--item", metavar="OWNER/REPO#N", help=f"a thread to read back (default: {doctor.KNOWN_ITEM})")
    p.add_argument("--agenda", metavar="FILE", help="also read this agenda's items, as `triage fetch` would")
    p.add_argument("--default-repo", metavar="OWNER/REPO", help="resolves bare #N in --agenda")
    p.add_argument("--default-org", metavar="OWNER", help="resolves repo#N in --agenda")
    p.add_argument("--skip-offline", action="store_true",
                   help="say so and succeed when there is no token or no network (for `make check-github`)")
    p.set_defaults(func=cmd_doctor)


def _at_least_one(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def _add_agenda_source(p: argparse.ArgumentParser) -> None:
    from triage import agenda

    p.add_argument("file", help="minutes/agenda markdown file, or - for standard input")
    p.add_argument("--default-repo", metavar="OWNER/REPO", help="resolves bare #N")
    p.add_argument("--default-org", metavar="OWNER", help="resolves repo#N")
    p.add_argument("--max-refs", type=_at_least_one, metavar="N",
                   help=f"read at most N items (default: $TRIAGE_MAX_REFS or {agenda.MAX_REFS:,})")


def _add_refs_command(p: argparse.ArgumentParser) -> None:
    _add_agenda_source(p)
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(func=cmd_refs)


def _add_rank_command(p: argparse.ArgumentParser) -> None:
    from triage import export

    _add_db_option(p)
    _add_focus_options(p)
    _add_meeting_source(p)
    p.add_argument("--weights", metavar="FILE", action="append", help="a triage.toml overlay (repeatable)")
    p.add_argument("--preset", help="a preset from the criteria files (default: their default_preset)")
    p.add_argument("--as-of", metavar="DATE", help="judge as of this date (default: the meeting's)")
    p.add_argument("--format", choices=export.FORMATS, default="markdown")
    p.set_defaults(func=cmd_rank)


def _add_fetch_command(p: argparse.ArgumentParser) -> None:
    _add_agenda_source(p)
    p.add_argument("--api-url", help="GitHub API root (default: $GITHUB_API_URL or https://api.github.com)")
    p.add_argument("--out", metavar="FILE", required=True, help="where to write the facts (- for stdout)")
    p.set_defaults(func=cmd_fetch)


def _add_criteria_command(p: argparse.ArgumentParser) -> None:
    p.set_defaults(func=cmd_criteria)


def _add_meeting_commands(group: argparse.ArgumentParser) -> None:
    from triage.cli import meeting as cli_meeting

    cli_meeting.add_meeting_commands(group, _db_option())


# Every command in `triage --help` order: its name, its one-line help, and what adds its options.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "refs": ("list the GitHub references in a minutes/agenda file", _add_refs_command),
    "rank": ("rank a meeting's items against the criteria", _add_rank_command),
    "fetch": ("fetch an agenda's items from GitHub into a facts file", _add_fetch_command),
    "criteria": ("list the criteria and what each measures", _add_criteria_command),
    "doctor": ("check the API, the token, the rate limits and GraphQL in a few requests", _add_doctor_command),
    "snapshot": ("freeze, list, show, compare and export snapshots", _add_snapshot_commands),
    "meeting": ("run a meeting on a snapshot: start it, record outcomes, export the minutes", _add_meeting_commands),
    "scan": ("find open PRs waiting on maintainers in repositories or an organisation", _add_scan_command),
}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The `triage` argument parser: every command named, the one `argv` runs built in full."""
    parser = argparse.ArgumentParser(prog="triage", description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    # Commands come first and take no abbreviations, so the first word that is not an option is it.
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (text, add_options) in COMMANDS.items():
        p = sub.add_parser(name, help=text)
        if name == chosen:
            add_options(p)
    return parser


def _user_errors() -> tuple[type[Exception], ...]:
    """`USER_ERRORS`, and the snapshot store's errors once a command has imported the store (they
    cannot have been raised before)."""
    snapshots = sys.modules.get("triage.snapshots")
    return USER_ERRORS + ((snapshots.SnapshotError,) if snapshots is not None else ())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `triage` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except Exception as e:
        if not isinstance(e, _user_errors()):
            raise
        print(f"triage: error: {e}", file=sys.stderr)
        return 2
