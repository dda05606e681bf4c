"""`candor feedback calibration`: the calibration aids of a period (docs/calibration.md): each manager's ratings
against the organisation's, the share of feedback with a concrete example, how feedback is spread over the
period, and who received none. Figures and names only, never what anyone wrote; a figure with too few ratings
behind it is left out."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.common import CliError, Common, printable, runtime_for, team_of
from models.feedback.calibration import (
    Calibration,
    ManagerFigures,
    PeriodError,
    Share,
    parse_period,
    period_calibration,
)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def _pos(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _share(share: Share) -> str:
    if share.value is None:
        return f"too few to show ({share.n})" if share.n else "none"
    return f"{_pct(share.value)} of {share.n}"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _lines(c: Calibration, zone: str) -> list[str]:
    out = [f"Calibration for {c.label}: {c.start.date()} to {(c.end - timedelta(days=1)).date()} ({zone}); "
           f"a figure is shown when at least {c.min_ratings} ratings stand behind it"]
    if c.in_progress:
        out.append(f"The period is still running: figures up to {_when(c.as_of)}.")
    out += ["", *_organisation(c), "", *_managers(c), "", *_examples(c), "", *_recency(c), "", *_without(c)]
    return out


def _organisation(c: Calibration) -> list[str]:
    org = c.organisation
    head = (f"Organisation: {_plural(org.n, 'rating')} ({org.anonymous} anonymous, {org.by_managers} by a manager "
            "of the person rated)")
    out = [head]
    if org.distribution is None:
        out[0] += f": too few to show figures (at least {c.min_ratings} needed)"
    else:
        d = org.distribution
        out.append(f"  mean position {_pos(d.mean)} (0 = a competency's lowest level, 1 = its highest); "
                   f"standard deviation within a competency {_pos(org.sd)}")
        out.append(f"  low {_pct(d.low)}, middle {_pct(d.middle)}, high {_pct(d.high)}")
        parts = [f"{printable(f.name)} {_pos(f.mean)} ({f.n})" if f.mean is not None
                 else f"{printable(f.name)} too few ({f.n})" for f in org.competencies]
        if parts:
            out.append("  by competency: " + "; ".join(parts))
    if org.unscored:
        out.append(f"  {_plural(org.unscored, 'rating')} left out: level not on the current framework")
    return out


def _manager_row(m: ManagerFigures) -> str:
    d = m.distribution
    name = printable(m.manager.name)[:24]
    return (f"  {name:<24} {m.n:>7} {_pos(d.mean if d else None):>6} {_pos(m.expected):>8} "
            f"{_signed(m.difference):>6} {_signed(m.effect):>6} {_pct(d.low if d else None):>5} "
            f"{_pct(d.middle if d else None):>5} {_pct(d.high if d else None):>5} "
            f"{_pct(m.with_example.value if m.with_example else None):>8}  {m.verdict}")


def _managers(c: Calibration) -> list[str]:
    if not c.managers:
        return ["Managers: no ratings by a manager of the person rated in this period"]
    return [
        "Managers (their ratings of people in their reporting chain, against everyone else's ratings of the same "
        "competencies;",
        "  EXPECTED: what everyone else gives on those competencies; SD: the difference in standard deviations):",
        f"  {'MANAGER':<24} {'RATINGS':>7} {'MEAN':>6} {'EXPECTED':>8} {'DIFF':>6} {'SD':>6} {'LOW':>5} {'MID':>5} "
        f"{'HIGH':>5} {'EXAMPLES':>8}  VERDICT",
        *(_manager_row(m) for m in c.managers),
    ]


def _examples(c: Calibration) -> list[str]:
    e = c.examples
    return [f"Concrete examples: {_share(e.all)} (feedback: {_share(e.feedback)}; 360 ratings: {_share(e.rounds)})"]


def _recency(c: Calibration) -> list[str]:
    r = c.recency
    head = f"Spread of feedback over the period ({_plural(r.n, 'piece')} of feedback)"
    if r.last_quarter_share is None:
        return [f"{head}: too few to show (at least {c.min_ratings} needed)"]
    out = [head + ":"]
    for part in r.parts:
        count = "not yet" if part.count is None else str(part.count)
        note = " (still running)" if part.count is not None and not part.complete else ""
        out.append(f"  {part.label:<26} {count:>7}{note}")
    verdict = ": weighted to the end of the period" if r.end_heavy else ""
    gone = "time gone by" if c.in_progress else "period"
    out.append(f"  last quarter of the {gone} (from {r.last_quarter_from.date()}): {_pct(r.last_quarter_share)} "
               f"(an even spread: {_pct(r.expected_share)}){verdict}")
    return out


def _without(c: Calibration) -> list[str]:
    if not c.without_feedback:
        everyone = _plural(c.people_considered, "person", "people")
        return [f"Everyone in the rollout received feedback in the period ({everyone})"]
    out = [f"No feedback in the period: {len(c.without_feedback)} of "
           f"{_plural(c.people_considered, 'person', 'people')} in the rollout"]
    for p in c.without_feedback:
        out.append(f"  {printable(p.name)}" + (f" ({printable(p.department)})" if p.department else ""))
    return out


def _json(c: Calibration) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    data = plain(dataclasses.asdict(c))
    data["in_progress"] = c.in_progress
    dumped = json.dumps(data, indent=2, ensure_ascii=False)
    return "\n".join(printable(line) for line in dumped.split("\n"))


def cmd_feedback_calibration(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    zone = rt.org.schedule.default_timezone
    now = rt.clock.now()
    try:
        period = parse_period(args.period, now.astimezone(ZoneInfo(zone)).date(), tz=zone)
    except PeriodError as err:
        raise CliError(printable(err)) from None
    with rt.db.reading() as session:
        result = period_calibration(session, rt.org, team_of(session, args), period, now=now)
    if args.json:
        print(_json(result))
    else:
        for line in _lines(result, zone):
            print(line)
    return 0


def add_commands(sub: Any, common: Common) -> None:
    feedback = sub.add_parser("feedback", help="feedback and 360: calibration aids")
    fsub = feedback.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)
    cal = common(fsub.add_parser(
        "calibration", help="bias aids for a period: each manager's ratings against the organisation's, concrete "
                            "examples, recency, people with no feedback (figures and names only)"))
    cal.add_argument("--team", help="workspace id (T…), when the database serves several")
    cal.add_argument("--period", help="a calendar quarter (2026-Q4), half (2026-H2), year (2026) or month "
                                      "(2026-11), in the organisation's default time zone (default: the current "
                                      "quarter)")
    cal.add_argument("--json", action="store_true", help="the figures as JSON")
    cal.set_defaults(handler=cmd_feedback_calibration)
