"""`triage meeting start|record|export`, and `--previous` for the next ranking: the meeting's CLI twin.

Exit status: 0 done, 2 bad input (a sentence on standard error, nothing recorded), 3 the edit key
does not open the meeting (nothing recorded).
"""

from __future__ import annotations

import argparse
import sys

from triage.agenda import parse_agenda
from triage.cli import db_option
from triage.facts import ItemKey
from triage.links import meeting_link
from triage.meeting import Meeting
from triage.outcomes import OUTCOMES, carryover, minutes
from triage.outcomes.store import MEETING_ID, MeetingKeyError, MeetingNotFoundError, MeetingStore
from triage.snapshots import SnapshotNotFoundError, share
from triage.snapshots.store import SnapshotStore

KEY_REFUSED = 3  # exit status when the edit key does not open the meeting


def parse_ref(text: str) -> ItemKey:
    """`owner/repo#N`, or a GitHub URL of the item; ValueError quoting the value otherwise."""
    try:
        return ItemKey.parse(text)
    except ValueError:
        refs = parse_agenda(text) if "github.com" in text else []
        if len(refs) == 1:
            return refs[0].key
        raise ValueError(
            f"Invalid item reference {text!r}: expected owner/repo#number or the item's GitHub URL"
        ) from None


def previous_outcomes(store: SnapshotStore, ids: list[str]) -> carryover.Outcomes:
    """The decisions of the meetings `ids` name: a meeting id, or a snapshot id (all its meetings)."""
    meetings = MeetingStore(store)
    chosen: list[str] = []
    for value in ids:
        text = value.strip().lower()
        if MEETING_ID.match(text):
            try:
                chosen.append(meetings.get(text).id)
                continue
            except MeetingNotFoundError:
                pass  # perhaps a snapshot id prefix of the same length
        try:
            snapshot = store.load(text)
        except SnapshotNotFoundError:
            raise MeetingNotFoundError(f"--previous {value}: no meeting or snapshot has this id") from None
        held = meetings.for_snapshot(snapshot.id)
        if not held:
            raise MeetingNotFoundError(f"--previous {value}: snapshot {snapshot.short_id} has no meeting")
        chosen += [m.id for m in held]
    return carryover.load_earlier(meetings, meeting_ids=chosen)


def with_previous(meeting: Meeting, args: argparse.Namespace) -> Meeting:
    """`meeting` with the outcomes of the meetings `--previous` names (when it names any)."""
    if not getattr(args, "previous", None):
        return meeting
    with SnapshotStore(args.db) as store:
        return carryover.with_outcomes(meeting, previous_outcomes(store, args.previous))


def cmd_start(args: argparse.Namespace) -> int:
    """Start a meeting on a stored snapshot; print its id and edit key on the last two lines."""
    with SnapshotStore(args.db) as store:
        started = MeetingStore(store).start(args.snapshot, started_by=args.by)
        info = started.meeting
        snapshot = store.load(info.snapshot_id)
        base = share.check_base_url(args.base_url) if args.base_url else share.default_base_url()
        link = meeting_link(base, info.snapshot_id, info.id)
        print(f"Started meeting {info.id} on snapshot {snapshot.short_id} ({len(snapshot.rows)} items, as of "
              f"{snapshot.as_of:%Y-%m-%d}) in {store.location}")
    print(f"Attendees follow along at {link}")
    print(f"The chair records at {link}&key={started.key} (keep this link to yourself: it holds the edit key)")
    print(info.id)
    print(started.key)
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    """Record one item's outcome; a wrong key exits 3 and records nothing."""
    ref = parse_ref(args.ref)
    with SnapshotStore(args.db) as store:
        meetings = MeetingStore(store)
        try:
            record = meetings.record(args.meeting, args.key, ref, args.outcome, who=args.who, note=args.note,
                                     by=args.by)
        except MeetingKeyError as e:
            print(f"triage: error: {e}", file=sys.stderr)
            return KEY_REFUSED
        earlier = [r for r in meetings.history(record.meeting_id) if r.ref == ref and r.seq < record.seq]
    replaced = f"; it replaces “{earlier[-1].describe()}”, which stays in the history" if earlier else ""
    print(f"Recorded {ref.ref}: {record.describe()} (recording {record.seq} of meeting {record.meeting_id}){replaced}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Print a meeting's minutes: Markdown grouped by outcome, or every recording as JSON."""
    with SnapshotStore(args.db) as store:
        meetings = MeetingStore(store)
        info = meetings.get(args.meeting)
        records = meetings.history(info.id)
        snapshot = store.load(info.snapshot_id)
    link = share.share_link(snapshot.id, args.base_url)
    text = minutes.render(snapshot, info.id, records, args.format, link)
    print(text, end="\n" if args.format == "json" else "")
    return 0


def add_meeting_commands(group: argparse.ArgumentParser) -> None:
    """The commands of the `triage meeting` group."""
    db = db_option()
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument("--base-url", metavar="URL", help="the app's address for links "
                      f"(default: $TRIAGE_BASE_URL, else {share.DEFAULT_BASE_URL})")
    group.epilog = "Exit status: 0 done, 2 bad input, 3 the edit key does not open the meeting."
    commands = group.add_subparsers(dest="meeting_command", required=True)

    p = commands.add_parser("start", parents=[db, base], help="start a meeting on a stored snapshot")
    p.add_argument("snapshot", metavar="SNAPSHOT_ID", help="the snapshot id, or its first 12 or more digits")
    p.add_argument("--by", metavar="NAME", help="who starts it (the chair)")
    p.set_defaults(func=cmd_start)

    p = commands.add_parser("record", parents=[db], help="record an item's outcome (needs the edit key)",
                            epilog="Exit status: 0 recorded, 2 bad input, 3 wrong edit key; nothing is "
                                   "recorded unless the status is 0.")
    p.add_argument("meeting", metavar="MEETING_ID")
    p.add_argument("ref", metavar="REF", help="the item: owner/repo#N or its GitHub URL")
    p.add_argument("outcome", metavar="OUTCOME", choices=list(OUTCOMES),
                   help=f"one of {', '.join(OUTCOMES)} (assigned and needs-review need --who)")
    p.add_argument("--who", metavar="LOGIN", help="the login it is assigned to, or whose review it needs")
    p.add_argument("--note", metavar="TEXT", help="a one-line note")
    p.add_argument("--by", metavar="NAME", help="who records it")
    p.add_argument("--key", metavar="KEY", required=True, help="the meeting's edit key (from `meeting start`)")
    p.set_defaults(func=cmd_record)

    p = commands.add_parser("export", parents=[db, base], help="print the minutes of a meeting")
    p.add_argument("meeting", metavar="MEETING_ID")
    p.add_argument("--format", choices=minutes.FORMATS, default="markdown")
    p.set_defaults(func=cmd_export)
