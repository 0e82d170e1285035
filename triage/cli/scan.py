"""`triage scan`: find the open PRs (and issues) waiting on maintainers in repositories or an
organisation, and print them ranked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from triage.cli import github_config


def cmd_scan(args: argparse.Namespace) -> int:
    """Scan repositories or an organisation for open PRs waiting on maintainers; print them ranked."""
    from triage import export, outcome, scan
    from triage.cli.progress import Progress
    from triage.github.cache import ItemCache
    from triage.ranking.weights import load_config

    target = scan.target(args.org, scan.parse_repos(" ".join(args.repo or [])))
    chosen = scan.ScanFilter(args.min_waiting, tuple(args.waiting_on or ("maintainers",)),
                             args.include_drafts, args.include_bots, args.issues)
    config = load_config(list(args.weights or []), local=Path.cwd())
    preset = config.preset(args.preset)
    progress = Progress("read {done}/{total} open items")
    result = scan.run(target, github_config(args), include_issues=args.issues, people=config.people, cache=ItemCache(),
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


def add_scan_command(p: argparse.ArgumentParser) -> None:
    """The options of `triage scan`."""
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
