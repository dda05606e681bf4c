"""Operator commands: jobs, outbox (and, as features land, people, org, audit, data rights)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Common = Callable[[argparse.ArgumentParser], argparse.ArgumentParser]


def _runtime(args: argparse.Namespace, *, need_slack: bool = False) -> Any:
    from bot.cli import _runtime as build

    return build(args, need_slack=need_slack)


# -- jobs ------------------------------------------------------------------------------------------


def cmd_jobs_list(args: argparse.Namespace) -> int:
    from scheduler.jobs import JOBS

    now = datetime.now(UTC)
    print(f"{'JOB':<18} {'NEXT RUN (UTC)':<26} {'WHERE':<12} DESCRIPTION")
    for name, job in sorted(JOBS.items()):
        nxt = job.trigger().get_next_fire_time(None, now)
        when = nxt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if nxt else "-"
        print(f"{name:<18} {when:<26} {'leader' if job.leader_only else 'every node':<12} {job.description}")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from scheduler.jobs import JOBS

    if args.name not in JOBS:
        raise CliError(f"no job {args.name!r}; jobs are: {', '.join(sorted(JOBS))}")
    rt = _runtime(args, need_slack=True)
    rt.prepare_database()
    try:
        print(f"{args.name}: {rt.run_job(args.name)}")
    finally:
        rt.stop()
    return 0


# -- outbox ----------------------------------------------------------------------------------------


def cmd_outbox_status(args: argparse.Namespace) -> int:
    from models import outbox

    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        st = outbox.status(session)
    if not st.counts:
        print("outbox is empty")
        return 0
    print(f"{'STATE':<9} {'KIND':<28} COUNT")
    for (state, kind), n in sorted(st.counts.items()):
        print(f"{state:<9} {kind:<28} {n}")
    if st.oldest_pending is not None:
        age = datetime.now(UTC) - st.oldest_pending
        print(f"oldest pending: due {st.oldest_pending:%Y-%m-%d %H:%M:%S} UTC ({int(age.total_seconds())} s ago)")
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from models import outbox

    if args.id is None and not args.dead:
        raise CliError("name a message id, or --dead for every dead message")
    rt = _runtime(args)
    with rt.db.unit_of_work() as session:
        n = outbox.retry(session, row_id=args.id, dead=args.dead)
    if args.id is not None and n == 0:
        raise CliError(f"outbox message {args.id} does not exist or is not dead/skipped")
    print(f"{n} message(s) queued again")
    return 0


def add_commands(sub: Any, common: Common) -> None:
    jobs = sub.add_parser("jobs", help="scheduled jobs")
    jsub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    common(jsub.add_parser("list", help="each job and its next run")).set_defaults(handler=cmd_jobs_list)
    run = common(jsub.add_parser("run", help="run one job once, now"))
    run.add_argument("name", help="job name (see `candor jobs list`)")
    run.set_defaults(handler=cmd_jobs_run)

    ob = sub.add_parser("outbox", help="outbound message queue")
    osub = ob.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    common(osub.add_parser("status", help="counts per state and kind, oldest pending")).set_defaults(
        handler=cmd_outbox_status
    )
    retry = common(osub.add_parser("retry", help="queue a dead message again (or all with --dead)"))
    retry.add_argument("id", nargs="?", type=int, help="outbox message id")
    retry.add_argument("--dead", action="store_true", help="every dead message")
    retry.set_defaults(handler=cmd_outbox_retry)
