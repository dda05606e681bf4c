"""`candor digest preview [--week 2026-W48] [--out DIR]`: the HR digest of a week as text, and its chart as a
PNG file, so HR can check the configuration before anything goes to Slack. Default: the last complete week in
HR's time zone (`hr.timezone`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, Common, printable, runtime_for, team_of
from bot.i18n import translator
from handlers.digest.chart import alt_text, chart_png
from handlers.digest.views import digest_text
from models.core.digest import Week
from models.digest import build_digest, current_week


def cmd_digest_preview(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    zone = rt.org.hr.timezone
    try:
        week = Week.parse(args.week, zone) if args.week else current_week(rt.org, rt.clock.now())
    except ValueError as err:
        raise CliError(printable(str(err))) from None
    out_dir = Path(args.out) if args.out else None
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise CliError(f"{printable(str(out_dir))} is a file, not a directory")
    t = translator(rt.settings.default_locale)
    with rt.db.reading() as session:
        digest = build_digest(session, rt.org, team_of(session, args), week)
    print("\n".join(printable(line) for line in digest_text(t, digest).split("\n")))
    if out_dir is not None:
        png = chart_png(t, digest)
        if png is None:
            print("\nNo chart: no figure has a history yet.")
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / f"digest-{week.label}.png"
            path.write_bytes(png)
            print(f"\nChart: {path} ({len(png) // 1024} KB). Alt text: {printable(alt_text(t, digest))}")
    return 0


def add_commands(sub: Any, common: Common) -> None:
    digest = sub.add_parser("digest", help="the HR weekly digest")
    dsub = digest.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    preview = common(dsub.add_parser("preview", help="print a week's digest and write its chart (nothing is sent)"))
    preview.add_argument("--team", help="workspace id (T…), when the database serves several")
    preview.add_argument("--week", help="an ISO week such as 2026-W48 (default: the last complete week, in "
                                        "hr.timezone)")
    preview.add_argument("--out", help="a directory to write the chart PNG to")
    preview.set_defaults(handler=cmd_digest_preview)
