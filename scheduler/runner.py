"""Start APScheduler with the declared jobs. Leader-only jobs run only while this process leads."""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.jobs import Host, all_jobs, trigger_for
from scheduler.leader import LeaderLock, Store

log = logging.getLogger(__name__)


def start_scheduler(host: Host, db: Store, stop: threading.Event) -> BackgroundScheduler:
    """Run every job on its schedule in `host` (the runtime); `db` holds the leader lock."""
    jobs = all_jobs()
    leader = LeaderLock(db)
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                  "misfire_grace_time": 60})

    def runner(name: str) -> None:
        job = jobs[name]
        if job.leader_only and not leader.is_leader():
            return
        try:
            log.info("job %s: %s", name, job.run(host))
        except Exception:
            log.exception("job %s failed", name)

    for name, job in jobs.items():
        scheduler.add_job(runner, trigger=trigger_for(job), args=[name], id=name, name=job.description,
                          replace_existing=True)
    scheduler.add_job(leader.heartbeat, "interval", seconds=15, id="_leader_heartbeat", name="leader lock")
    scheduler.start()
    leader.heartbeat()
    return scheduler
