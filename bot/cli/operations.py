"""`candor features`, `candor jobs list|run`, `candor outbox status|retry`: what is installed, the scheduled
jobs and the outbound queue."""

from __future__ import annotations

import argparse
from datetime import UTC
from typing import Any

from bot.cli.common import CliError, Common, printable, runtime_for
from models.core import outbox
from models.core.clock import SYSTEM
from models.features import FEATURES
from scheduler.jobs import all_jobs, trigger_for


def cmd_features(args: argparse.Namespace) -> int:
    """Each feature in `models.features.FEATURES`, with what it adds to the rest."""
    for f in FEATURES:
        print(f"{f.name}: {f.description}")
        parts = {
            "jobs": [j.name for j in f.jobs],
            "prompts": [p.kind for p in f.prompts],
            "1:1 agenda": [s.key for s in f.agenda_sections],
            "alerts": [a.kind for a in f.alerts],
            "personal data": [e.key for e in f.personal_data],
        }
        for label, names in parts.items():
            if names:
                print(f"  {label + ':':<15} {', '.join(names)}")
    return 0


def cmd_jobs_list(args: argparse.Namespace) -> int:
    now = SYSTEM.now()
    print(f"{'JOB':<18} {'NEXT RUN (UTC)':<26} {'WHERE':<12} DESCRIPTION")
    for name, job in sorted(all_jobs().items()):
        nxt = trigger_for(job).get_next_fire_time(None, now)
        when = nxt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if nxt else "-"
        print(f"{name:<18} {when:<26} {'leader' if job.leader_only else 'every node':<12} {job.description}")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    jobs = all_jobs()
    if args.name not in jobs:
        raise CliError(f"no job {args.name!r}; jobs are: {', '.join(sorted(jobs))}")
    rt = runtime_for(args, need_slack=True)  # never migrates: the database must be at head already
    try:
        print(f"{args.name}: {printable(rt.run_job(args.name))}")
    finally:
        rt.stop()
    return 0


def cmd_outbox_status(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    with rt.db.reading() as session:
        st = outbox.status(session)
    if not st.counts:
        print("outbox is empty")
        return 0
    print(f"{'STATE':<9} {'KIND':<28} COUNT")
    for (state, kind), n in sorted(st.counts.items()):
        print(f"{printable(state):<9} {printable(kind):<28} {n}")
    if st.oldest_pending is not None:
        age = SYSTEM.now() - st.oldest_pending
        print(f"oldest pending: due {st.oldest_pending:%Y-%m-%d %H:%M:%S} UTC ({int(age.total_seconds())} s ago)")
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    if args.id is None and not args.dead:
        raise CliError("name a message id, or --dead for every dead message")
    rt = runtime_for(args)
    with rt.db.unit_of_work() as session:
        n = outbox.retry(session, row_id=args.id, dead=args.dead)
    if args.id is not None and n == 0:
        raise CliError(f"outbox message {args.id} does not exist or is not dead/skipped")
    print(f"{n} message(s) queued again")
    return 0


def add_commands(sub: Any, common: Common) -> None:
    sub.add_parser("features", help="the installed features and what each adds (jobs, prompts, agenda, alerts)"
                   ).set_defaults(handler=cmd_features)

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
