"""Every named job, each with its schedule beside it: the infrastructure's own (below) and every feature's
(`models.features.jobs()`), one table, iterated by the scheduler and by `candor jobs list|run`.

Every job opens its own unit of work, is idempotent, and logs what it did. Jobs marked `leader_only` run in
the one process that holds the scheduler lock (see `scheduler.leader`); the outbox sender runs in every
process. No pickled job store: the job table is this module.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol, cast

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from models.core import submissions
from models.core.features import Daily, Every, Job, JobContext
from models.digest import DigestError, current_week, queue_digest, queue_due_digest
from models.features import jobs as feature_jobs
from models.features import tick_all

log = logging.getLogger(__name__)


class Host(JobContext, Protocol):
    """The process the jobs run in (`bot.runtime.Runtime`): what every job gets, and what the infrastructure's
    own jobs ask of it."""

    def drain_outbox(self, max_seconds: float) -> str: ...

    def replay_events(self, older_than: timedelta) -> int: ...


def _host(ctx: JobContext) -> Host:
    """The infrastructure's jobs run only in the process's runtime, which is a `Host`."""
    return cast(Host, ctx)


def outbox_send(ctx: JobContext) -> str:
    return _host(ctx).drain_outbox(max_seconds=20)


def replay_events(ctx: JobContext) -> str:
    return f"{_host(ctx).replay_events(older_than=timedelta(minutes=2))} events replayed"


def prompt_tick(ctx: JobContext) -> str:
    with ctx.unit_of_work() as session:
        report = tick_all(session, ctx.org, ctx.team_id(), now=ctx.clock.now())
    return str(report)


def digest(ctx: JobContext) -> str:
    """The last complete week's HR digest, once its posting moment (hr.digest_weekday, hr.digest_time) came."""
    with ctx.unit_of_work() as session:
        return queue_due_digest(session, ctx.org, ctx.team_id(), now=ctx.clock.now())


def digest_now(ctx: JobContext) -> str:
    """By hand: the last complete week's digest now (updating it when it was posted already), delivered."""
    now = ctx.clock.now()
    try:
        with ctx.unit_of_work() as session:
            said = queue_digest(session, ctx.org, ctx.team_id(), current_week(ctx.org, now), now=now)
    except DigestError as err:
        return str(err)
    return f"{said}; {_host(ctx).drain_outbox(max_seconds=60)}"


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
    Job("digest", "Post the HR weekly digest at hr.digest_weekday hr.digest_time (hr.timezone); by hand: now, or "
        "update this week's", Every(minutes=15), digest, run_now=digest_now),
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
