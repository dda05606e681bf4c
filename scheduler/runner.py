"""Start APScheduler with the declared jobs. Leader-only jobs run only while this process leads."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.jobs import JOBS

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


def start_scheduler(rt: Runtime, stop: threading.Event) -> BackgroundScheduler:
    from scheduler.leader import LeaderLock

    leader = LeaderLock(rt.db)
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                  "misfire_grace_time": 60})

    def runner(name: str) -> None:
        job = JOBS[name]
        if job.leader_only and not leader.is_leader():
            return
        try:
            log.info("job %s: %s", name, job.func(rt))
        except Exception:
            log.exception("job %s failed", name)

    for name, job in JOBS.items():
        scheduler.add_job(runner, trigger=job.trigger(), args=[name], id=name, name=job.description,
                          replace_existing=True)
    scheduler.add_job(leader.heartbeat, "interval", seconds=15, id="_leader_heartbeat", name="leader lock")
    scheduler.start()
    leader.heartbeat()
    return scheduler
