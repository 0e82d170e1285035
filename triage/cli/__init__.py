"""`triage`: the command-line twin of the dashboard. Each command parses, calls the core, prints.

It starts in a few hundredths of a second (issue 13): only the command being run has its options
built (`COMMANDS` names every command, its help and the function adding its options, without
importing them), and each command imports the part of triage it uses when it runs. pandas,
SQLAlchemy and PyGithub take about a second to import, and even the agenda reader's patterns take
longer to compile than Python takes to start, so nothing is imported for `triage --help`, and `refs`
and `criteria` import only the agenda reader and the criteria.

The commands live by family: `triage.cli.agenda` (refs, fetch, doctor), `triage.cli.rank` (rank,
criteria), `triage.cli.snapshot`, `triage.cli.meeting`, `triage.cli.scan`. This module holds the
entry point, the table of commands, and the options several commands share with what reads them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.github.config import GitHubConfig
    from triage.meeting import Meeting
    from triage.ranking.filters import Filtered, Filters

# Errors that are the user's input, reported as one line and exit status 2 (no traceback): triage's
# own (AgendaInputError, FactsFormatError, WeightsError, SettingsError) are ValueErrors; the
# snapshot store's are added by `_user_errors`.
USER_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError)


# --- options several commands share, and what reads them ---------------------------------------------


def add_db_option(p: argparse.ArgumentParser) -> None:
    """`--db`, the snapshot store, for `rank` (its `--previous`) and the snapshot and meeting commands."""
    p.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the snapshot store "
                   "(default: $TRIAGE_DB_URL, else SQLite under $TRIAGE_HOME)")


def db_option() -> argparse.ArgumentParser:
    """`--db` as a parent parser, for the subcommands of `snapshot` and `meeting`."""
    db = argparse.ArgumentParser(add_help=False)
    add_db_option(db)
    return db


def add_meeting_source(p: argparse.ArgumentParser) -> None:
    """What to rank (`--demo` or `--facts`) and `--previous`, for `rank` and `snapshot create`."""
    from triage.demo import DEMO_NAME, DEMOS

    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", nargs="?", const=DEMO_NAME, choices=list(DEMOS), metavar="NAME",
                     help=f"an embedded Falco meeting: {', '.join(DEMOS)} (default {DEMO_NAME})")
    src.add_argument("--facts", metavar="FILE", help="a facts file written by `triage fetch`")
    p.add_argument("--previous", metavar="ID", action="append",
                   help="a meeting whose outcomes feed this ranking (deferred and skipped items carry over, "
                   "stalled assignments are flagged); a snapshot id means all its meetings (repeatable)")


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


def add_focus_options(p: argparse.ArgumentParser) -> None:
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


def focus_options() -> argparse.ArgumentParser:
    """The focus filters as a parent parser, for `snapshot show` and `snapshot export`."""
    p = argparse.ArgumentParser(add_help=False)
    add_focus_options(p)
    return p


def focus(args: argparse.Namespace) -> Filters:
    """The focus filters the options name (as the app's sidebar and link do)."""
    from triage.ranking import filters

    chosen = {f.param: getattr(args, f"only_{f.param}") for f in filters.FIELDS}
    return filters.from_options(chosen, args.waiting_on_login, args.include_resolved)


def report_focus(kept: Filtered) -> None:
    """Say on standard error what the filters hid, so a shorter list is never a silent surprise."""
    if kept.resolved_hidden:
        print(f"triage: note: {kept.resolved_hidden} resolved item{'s' if kept.resolved_hidden != 1 else ''} "
              "hidden (--include-resolved shows them)", file=sys.stderr)
    if kept.filtered_out:
        print(f"triage: note: {kept.filtered_out} item{'s' if kept.filtered_out != 1 else ''} filtered out",
              file=sys.stderr)


def github_config(args: argparse.Namespace) -> GitHubConfig:
    """GitHub settings from the environment, with `--api-url` when given (`fetch`, `scan`)."""
    from triage.github.config import GitHubConfig

    return GitHubConfig.from_env(**({"api_url": args.api_url} if args.api_url else {}))


# --- the command ----------------------------------------------------------------------------------------

# Every command in `triage --help` order: its name, its one-line help, and the function that adds its
# options ("module:function" in triage.cli), imported only for the command being run.
COMMANDS: dict[str, tuple[str, str]] = {
    "refs": ("list the GitHub references in a minutes/agenda file", "agenda:add_refs_command"),
    "rank": ("rank a meeting's items against the criteria", "rank:add_rank_command"),
    "fetch": ("fetch an agenda's items from GitHub into a facts file", "agenda:add_fetch_command"),
    "criteria": ("list the criteria and what each measures", "rank:add_criteria_command"),
    "doctor": ("check the API, the token, the rate limits and GraphQL in a few requests",
               "agenda:add_doctor_command"),
    "snapshot": ("freeze, list, show, compare and export snapshots", "snapshot:add_snapshot_commands"),
    "meeting": ("run a meeting on a snapshot: start it, record outcomes, export the minutes",
                "meeting:add_meeting_commands"),
    "scan": ("find open PRs waiting on maintainers in repositories or an organisation", "scan:add_scan_command"),
}


def _options_of(where: str) -> Callable[[argparse.ArgumentParser], None]:
    """The function `where` names ("module:function" in triage.cli), its module imported now."""
    module, function = where.split(":")
    add_options: Callable[[argparse.ArgumentParser], None] = getattr(
        importlib.import_module(f"triage.cli.{module}"), function)
    return add_options


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The `triage` argument parser: every command named, the one `argv` runs built in full."""
    parser = argparse.ArgumentParser(prog="triage", description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    # Commands come first and take no abbreviations, so the first word that is not an option is it.
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (text, where) in COMMANDS.items():
        p = sub.add_parser(name, help=text)
        if name == chosen:
            _options_of(where)(p)
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
