"""`candor goals list|import`: the goals of a period and how they align, and a quarter's goals loaded from a CSV
file (docs/goals.md). The operator sees every goal, private ones included (`access.Viewer.operator()`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from bot.cli.common import CliError, Common, printable, runtime_for, team_of
from models import access
from models.core.audit import cli_actor
from models.goals import Goal, GoalError, Period, goal_period, state_of, visible_goal_where
from models.goals.importer import GoalImportError, apply_goal_import, plan_goal_import
from models.goals.tables import LEVELS

LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}
SUGGESTED_NOTE = "* status suggested by Candor from progress and the time gone by (the owner has set none)"


def _period(org: Any, value: str | None, today: date) -> Period | None:
    """The period `--period` names (default: the current one), or None for `all`."""
    if value is not None and value.strip().lower() == "all":
        return None
    try:
        return goal_period(org, value, today)
    except GoalError as err:
        raise CliError(printable(err)) from None


def _status(goal: Goal, today: date) -> str:
    if not goal.active:
        return "closed"
    state = state_of(goal, today)
    label = state.status.replace("_", " ")
    return label if state.status_is_owners else label + "*"


def _progress(goal: Goal, today: date) -> str:
    return f"{round(state_of(goal, today).progress * 100)}%"


def _order(goal: Goal) -> tuple[Any, ...]:
    return (goal.starts_on, -goal.ends_on.toordinal(), LEVEL_ORDER.get(goal.level, 9),
            (goal.department or "").lower(), goal.title.lower(), goal.id)


def _where(period: Period | None) -> str:
    return "every period" if period is None else f"{period.key} ({period.starts_on} to {period.ends_on})"


def cmd_goals_list(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    today = rt.clock.now().date()
    period = _period(rt.org, args.period, today)
    with rt.db.reading() as session:
        team = team_of(session, args)
        query = (select(Goal).where(Goal.team_id == team, visible_goal_where(access.Viewer.operator()))
                 .options(selectinload(Goal.key_results), selectinload(Goal.owner)))
        if period is not None:  # goals whose period overlaps it: a year's goals show in each of its quarters
            query = query.where(Goal.starts_on <= period.ends_on, Goal.ends_on >= period.starts_on)
        if args.level:
            query = query.where(Goal.level == args.level)
        goals = sorted(session.scalars(query), key=_order)
        if not goals:
            level = f"{args.level} " if args.level else ""
            hint = "" if period is None else "; `--period all` lists every period"
            print(f"no {level}goals in {_where(period)}{hint}")
            return 0
        listed = {g.id for g in goals}
        outside = {g.parent_id for g in goals if g.parent_id is not None and g.parent_id not in listed}
        elsewhere = {row.id: row for row in session.execute(
            select(Goal.id, Goal.period, Goal.slug).where(Goal.id.in_(sorted(outside))))} if outside else {}
        if args.tree:
            _print_tree(goals, today, by_period=period is None, elsewhere=elsewhere)
        else:
            _print_table(goals, today)
        suggested = any(g.active and g.status is None for g in goals)
        print(f"{len(goals)} goal{'' if len(goals) == 1 else 's'} in {_where(period)}"
              + (f"; {SUGGESTED_NOTE}" if suggested else ""))
    return 0


def _print_table(goals: list[Goal], today: date) -> None:
    print(f"{'ID':>5} {'PERIOD':<8} {'LEVEL':<12} {'OWNER':<20} {'DEPARTMENT':<16} {'STATUS':<10} {'PROGRESS':>8} "
          f"{'PARENT':>6} {'NAME':<28} TITLE")
    for g in goals:
        print(f"{g.id:>5} {printable(g.period):<8} {g.level:<12} {printable(g.owner.label)[:20]:<20} "
              f"{printable(g.department or '-')[:16]:<16} {_status(g, today):<10} {_progress(g, today):>8} "
              f"{g.parent_id if g.parent_id is not None else '-':>6} {printable(g.slug)[:28]:<28} "
              f"{printable(g.title)}")


def _print_tree(goals: list[Goal], today: date, *, by_period: bool, elsewhere: dict[int, Any]) -> None:
    """Organisation goals first, each goal under its parent. A goal whose parent is not in the same listing (in
    another period, filtered out by --level, or gone) starts a tree of its own, saying what it aligns with."""
    groups: dict[str, list[Goal]] = {}
    for g in goals:
        groups.setdefault(g.period if by_period else "", []).append(g)
    by_id = {g.id: g for g in goals}
    for name, members in groups.items():
        if by_period:
            print(f"{printable(name)} ({members[0].starts_on} to {members[0].ends_on})")
        ids = {g.id for g in members}
        kids: dict[int, list[Goal]] = {}
        roots = []
        for g in members:
            if g.parent_id is not None and g.parent_id in ids:
                kids.setdefault(g.parent_id, []).append(g)
            else:
                roots.append(g)
        roots.sort(key=lambda g: (LEVEL_ORDER.get(g.level, 9), _order(g)))
        done: set[int] = set()
        indent = "  " if by_period else ""
        for root in roots:
            note = ""
            if root.parent_id is not None:
                parent = by_id.get(root.parent_id) or elsewhere.get(root.parent_id)
                if parent is not None:
                    note = f" (aligned with #{parent.id} {printable(parent.slug)}, {printable(parent.period)})"
            _print_branch(root, kids, today, indent, done, note)


def _print_branch(goal: Goal, kids: dict[int, list[Goal]], today: date, indent: str, done: set[int],
                  note: str = "") -> None:
    if goal.id in done:  # never a cycle through parents; guarded all the same
        return
    done.add(goal.id)
    department = f" {printable(goal.department)}" if goal.department and goal.level == "department" else ""
    print(f"{indent}#{goal.id} {goal.level}{department}: {printable(goal.title)} [{_status(goal, today)}, "
          f"{_progress(goal, today)}] {printable(goal.owner.label)}{note}")
    for child in sorted(kids.get(goal.id, ()), key=_order):
        _print_branch(child, kids, today, indent + "  ", done)


def _read_file(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise CliError(f"cannot read {printable(path)}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CliError(f"{printable(path)}: line {line} is not UTF-8 text; save the file as CSV UTF-8") from None


def cmd_goals_import(args: argparse.Namespace) -> int:
    text = _read_file(args.file)
    rt = runtime_for(args)
    out: list[str] = []
    try:
        if args.dry_run:
            with rt.db.reading() as session:
                plan = plan_goal_import(session, rt.org, team_of(session, args), text,
                                        today=rt.clock.now().date())
            out += [*plan.describe(), plan.summary(), "dry run: nothing was changed"]
        else:
            with rt.db.unit_of_work() as session:
                plan = plan_goal_import(session, rt.org, team_of(session, args), text,
                                        today=rt.clock.now().date())
                result = apply_goal_import(session, plan, actor=cli_actor())
            out += [*plan.describe(), plan.summary()]
            out.append(f"imported {len(result.created)} goal{'' if len(result.created) == 1 else 's'}; "
                       "recorded in the audit log (goals.import)" if result.created
                       else "every goal in this file is already in Candor: nothing was imported")
    except GoalImportError as err:
        print(f"candor: {printable(args.file)}: nothing was imported:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {printable(problem)}", file=sys.stderr)
        return 2
    except IntegrityError:
        raise CliError("the goals changed while this file was imported (was it imported twice at once?): "
                       "nothing was imported; run the import again") from None
    _print_lines(out)
    return 0


def _print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print(printable(line))


def add_commands(sub: Any, common: Common) -> None:
    def with_team(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        common(p)
        p.add_argument("--team", help="workspace id (T…), when the database serves several")
        return p

    goals = sub.add_parser("goals", help="goals and OKRs: list them and their alignment, import a quarter's goals")
    gsub = goals.add_subparsers(dest="goals_command", metavar="ACTION", required=True)
    lst = with_team(gsub.add_parser("list", help="the goals of a period (default: the current one), every one "
                                                 "including private goals"))
    lst.add_argument("--tree", action="store_true",
                     help="the alignment as a tree, from the organisation's goals down")
    lst.add_argument("--period", help="a period such as 2026-Q4, 2026-H2 or FY2026 (default: the current one), "
                                      "or `all`")
    lst.add_argument("--level", choices=LEVELS, help="only goals of this level")
    lst.set_defaults(handler=cmd_goals_list)
    imp = with_team(gsub.add_parser("import", help="load goals from a CSV file, all or nothing "
                                                   "(see docs/goals.md)"))
    imp.add_argument("file", help="CSV with columns key, level, title, owner and optionally description, "
                                  "department, period, parent, visibility, kr1…kr5")
    imp.add_argument("--dry-run", action="store_true", help="check the file and print what it would create; "
                                                            "change nothing")
    imp.set_defaults(handler=cmd_goals_import)
