"""`triage snapshot create|list|show|diff|export`: freeze a ranking, and read the frozen ones back.

A snapshot is ranked as `triage rank` ranks (`create`); the others read the snapshot store only, and
`show` and `export` take the same focus options as `rank`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from triage.cli import add_meeting_source, db_option, focus, focus_options, load_meeting, report_focus

if TYPE_CHECKING:
    from triage.export import Row
    from triage.snapshots import Snapshot
    from triage.snapshots.store import SnapshotStore


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
    from triage.snapshots import MIN_PREFIX

    with _store(args) as store:
        listing = store.listing(args.limit)
    for problem in listing.skipped:  # a bad row is named and left out, never the whole list (issue 12)
        print(f"triage: warning: {problem}", file=sys.stderr)
    found = listing.summaries
    if args.format == "json":
        print(json.dumps([s.to_dict() for s in found], indent=2, ensure_ascii=False))
        return 0
    for s in found:
        print(f"{s.id[:MIN_PREFIX]}  {s.created_at:%Y-%m-%d %H:%M}  as of {s.as_of:%Y-%m-%d}  "
              f"{s.items:>3} items  {s.preset:<16} {s.title or s.source}")
    return 0


def cmd_snapshot_show(args: argparse.Namespace) -> int:
    """Print a stored snapshot's frozen ranking."""
    from triage.snapshots import rendering

    with _store(args) as store:
        snapshot = store.load(args.id)
    for change in snapshot.criteria_changes():
        print(f"triage: note: {change} The rows are shown as frozen.", file=sys.stderr)
    _print(rendering.render(snapshot, args.format, rows=_frozen_rows(snapshot, args)), args.format)
    return 0


def _frozen_rows(snapshot: Snapshot, args: argparse.Namespace) -> list[Row]:
    """The snapshot's frozen rows the focus options keep (reporting what they hid)."""
    from triage.ranking import filters
    from triage.snapshots import rendering

    kept = filters.apply(filters.frozen_frame(snapshot), focus(args))
    report_focus(kept)
    shown = set(kept.rows["ref"])
    return [r for r in rendering.ordered_rows(snapshot) if r["ref"] in shown]


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
    from triage.snapshots import rendering, share

    with _store(args) as store:
        snapshot = store.load(args.id)
    link = share.share_link(snapshot.id, args.base_url)
    _print(rendering.render(snapshot, args.format, link, _frozen_rows(snapshot, args)), args.format)
    return 0


def add_snapshot_commands(group: argparse.ArgumentParser) -> None:
    """The commands of the `triage snapshot` group."""
    from triage.snapshots import compare, rendering, share

    db = db_option()
    commands = group.add_subparsers(dest="snapshot_command", required=True)

    p = commands.add_parser("create", parents=[db], help="rank a meeting and save the frozen result")
    add_meeting_source(p)
    p.add_argument("--weights", metavar="FILE", action="append", help="a triage.toml overlay (repeatable)")
    p.add_argument("--preset", help="a preset from the criteria files (default: their default_preset)")
    p.add_argument("--as-of", metavar="DATE", help="judge as of this date (default: the meeting's)")
    p.set_defaults(func=cmd_snapshot_create)

    p = commands.add_parser("list", parents=[db], help="list the stored snapshots, newest first")
    p.add_argument("--limit", type=int, metavar="N", help="show only the N newest")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_snapshot_list)

    p = commands.add_parser("show", parents=[db, focus_options()], help="print a snapshot's frozen ranking")
    p.add_argument("id", help="the snapshot id, or its first 12 or more digits")
    p.add_argument("--format", choices=rendering.FORMATS, default="markdown")
    p.set_defaults(func=cmd_snapshot_show)

    p = commands.add_parser("diff", parents=[db], help="compare an older snapshot with a newer one")
    p.add_argument("old", help="the older snapshot's id or prefix")
    p.add_argument("new", help="the newer snapshot's id or prefix")
    p.add_argument("--format", choices=compare.FORMATS, default="markdown")
    p.set_defaults(func=cmd_snapshot_diff)

    p = commands.add_parser("export", parents=[db, focus_options()],
                            help="print a snapshot for the minutes, with its link")
    p.add_argument("id", help="the snapshot id, or its first 12 or more digits")
    p.add_argument("--format", choices=rendering.FORMATS, default="markdown")
    p.add_argument("--base-url", metavar="URL",
                   help="the app's address for the link "
                   f"(default: $TRIAGE_BASE_URL, else {share.DEFAULT_BASE_URL})")
    p.set_defaults(func=cmd_snapshot_export)
