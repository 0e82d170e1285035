"""`triage rank|criteria`: rank a meeting's items against the criteria, and list the criteria.

`criteria` imports the criteria alone (numpy, not pandas), so it starts quickly (issue 13).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from triage.cli import add_db_option, add_focus_options, add_meeting_source, focus, load_meeting, report_focus


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
    kept = filters.apply(ranked, focus(args))
    shown = set(kept.rows["ref"])
    rows = [r for r in export.to_rows(ranked) if r["ref"] in shown]  # "why" as against every item
    heading = f"{meeting.title or 'Triage'}: ranked as of {as_of:%Y-%m-%d} ({preset.name})"
    meta = export.Meta(as_of, preset.name, preset.weights, None, meeting.title)
    print(export.render_rows(rows, args.format, heading, meta=meta), end="" if args.format != "json" else "\n")
    report_focus(kept)
    return 0


def cmd_criteria(args: argparse.Namespace) -> int:
    """List the criteria with their one-line documentation."""
    from triage.ranking.criteria import CRITERIA, help_text

    for name in CRITERIA:
        print(f"{name:<24} {help_text(name)}")
    return 0


def add_rank_command(p: argparse.ArgumentParser) -> None:
    """The options of `triage rank`."""
    from triage import export

    add_db_option(p)
    add_focus_options(p)
    add_meeting_source(p)
    p.add_argument("--weights", metavar="FILE", action="append", help="a triage.toml overlay (repeatable)")
    p.add_argument("--preset", help="a preset from the criteria files (default: their default_preset)")
    p.add_argument("--as-of", metavar="DATE", help="judge as of this date (default: the meeting's)")
    p.add_argument("--format", choices=export.FORMATS, default="markdown")
    p.set_defaults(func=cmd_rank)


def add_criteria_command(p: argparse.ArgumentParser) -> None:
    """The options of `triage criteria` (none)."""
    p.set_defaults(func=cmd_criteria)
