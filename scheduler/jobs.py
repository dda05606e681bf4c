"""Every named job, each with its schedule beside it: the infrastructure's own (below) and every feature's
(`models.features.jobs()`), one table, iterated by the scheduler and by `candor jobs list|run`.

Every job opens its own unit of work, is idempotent, and logs what it did. Jobs marked `leader_only` run in
the one process that holds the scheduler lock (see `scheduler.leader`); the outbox sender runs in every
process. No pickled job store: the job table is this module.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.events import replay
from models.core import submissions
from models.core.features import Daily, Every, Job, JobContext
from models.features import jobs as feature_jobs
from models.features import tick_all

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


def _runtime(ctx: JobContext) -> Runtime:
    """The infrastructure's jobs run in the runtime itself (its sender, its services)."""
    return cast("Runtime", ctx)


def outbox_send(ctx: JobContext) -> str:
    done = _runtime(ctx).sender.drain(max_seconds=20)
    return f"sent {done.sent}, dead {done.dead}, retried {done.retried}, skipped {done.skipped}"


def replay_events(ctx: JobContext) -> str:
    return f"{replay(_runtime(ctx).services, older_than=timedelta(minutes=2))} events replayed"


def prompt_tick(ctx: JobContext) -> str:
    with ctx.unit_of_work() as session:
        report = tick_all(session, ctx.org, ctx.team_id(), now=ctx.clock.now())
    return str(report)


def housekeeping(ctx: JobContext) -> str:
    with ctx.unit_of_work() as session:
        purged = submissions.purge(session, now=ctx.clock.now())
    return f"{purged} old submissions forgotten"


INFRASTRUCTURE = (
    Job("outbox_send", "Deliver due outbox messages (a sender thread also runs continuously; this is the safety net)",
        Every(seconds=30), outbox_send, leader_only=False),
    Job("replay_events", "Handle events stored but never finished (process died after the ack, or handler failed)",
        Every(minutes=1), replay_events),
    Job("prompt_tick", "Queue every scheduled prompt that fell due (per person, in their own time zone)",
        Every(minutes=1), prompt_tick),
    Job("housekeeping", "Forget handled modal submissions older than two days", Daily(3, 15), housekeeping),
)


def all_jobs() -> dict[str, Job]:
    """The infrastructure's jobs, then every feature's, by name. A name used twice is a mistake."""
    found: dict[str, Job] = {}
    for job in (*INFRASTRUCTURE, *feature_jobs()):
        if job.name in found:
            raise RuntimeError(f"job {job.name!r} declared twice")
        found[job.name] = job
    return found


def trigger_for(job: Job) -> BaseTrigger:
    if isinstance(job.schedule, Daily):
        return CronTrigger(hour=job.schedule.hour, minute=job.schedule.minute, timezone="UTC")
    every = job.schedule
    return IntervalTrigger(hours=every.hours, minutes=every.minutes, seconds=every.seconds)
