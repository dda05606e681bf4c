"""`candor export [--period 2026-Q4] [--format csv|json] [--out FILE] [--team T]`: the performance-data export
(one row per person: recognition, check-ins, 1:1s, goals, feedback; docs/exports.md), audited. Default: the last
complete calendar quarter in HR's time zone (`hr.timezone`), as CSV on standard output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, Common, printable, runtime_for, team_of
from models.core.audit import cli_actor
from models.core.periods import PeriodError as ExportPeriodError
from models.core.periods import last_complete_quarter
from models.core.periods import parse_calendar_period as parse_export_period
from models.core.zones import zone_of
from models.exports import FORMATS, build_export, record_export, render


def cmd_export(args: argparse.Namespace) -> int:
    fmt = (args.format or "csv").strip().lower()
    if fmt not in FORMATS:
        raise CliError(f"{printable(args.format)!r} isn't a format: choose csv or json")
    out = Path(args.out) if args.out else None
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        raise CliError(f"cannot write {printable(str(out))}: "
                       + ("it is a directory" if out.is_dir() else "its directory does not exist"))
    rt = runtime_for(args)
    zone = rt.org.hr.timezone
    try:
        period = (parse_export_period(args.period, zone) if args.period is not None
                  else last_complete_quarter(rt.clock.now().astimezone(zone_of(zone, "UTC")).date(), zone))
    except ExportPeriodError as err:
        raise CliError(printable(str(err))) from None
    with rt.db.unit_of_work() as session:
        team = team_of(session, args)
        export = build_export(session, rt.org, team, period)
        text = render(export, fmt)
        record_export(session, actor=cli_actor(), team_id=team, period=period, fmt=fmt, rows=len(export.rows),
                      delivery=f"file {out}" if out is not None else "standard output")
        if out is not None:  # written before the audit entry commits: a failed write leaves no entry
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CliError(f"cannot write {printable(str(out))}: {exc.strerror}") from None
    if out is None:
        sys.stdout.write(text)
    else:
        print(f"{len(export.rows)} people, {period.label}, {fmt}: {printable(str(out))}", file=sys.stderr)
    return 0


def add_commands(sub: Any, common: Common) -> None:
    p = common(sub.add_parser("export", help="export performance data per person (CSV or JSON; docs/exports.md)"))
    p.add_argument("--period", help="2026-Q4, 2026-H2, 2026 or 2026-11 (default: the last complete quarter, in "
                                    "hr.timezone)")
    p.add_argument("--format", help="csv (default) or json")
    p.add_argument("--out", help="a file to write (default: standard output)")
    p.add_argument("--team", help="workspace id (T…), when the database serves several")
    p.set_defaults(handler=cmd_export)
