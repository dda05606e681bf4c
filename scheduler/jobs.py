"""Named jobs, each with its trigger declared beside it.

Every job opens its own unit of work, is idempotent, and logs what it did. Jobs marked `leader_only`
run in the one process that holds the scheduler lock (see `scheduler.leader`); the outbox sender runs
in every process. No pickled job store: the job table is this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    trigger: Callable[[], BaseTrigger]
    func: Callable[[Runtime], str]
    leader_only: bool = True


JOBS: dict[str, Job] = {}


def job(name: str, trigger: Callable[[], BaseTrigger], *, description: str, leader_only: bool = True
        ) -> Callable[[Callable[[Runtime], str]], Callable[[Runtime], str]]:
    def wrap(fn: Callable[[Runtime], str]) -> Callable[[Runtime], str]:
        if name in JOBS:
            raise RuntimeError(f"job {name!r} declared twice")
        JOBS[name] = Job(name=name, description=description, trigger=trigger, func=fn, leader_only=leader_only)
        return fn

    return wrap


@job("outbox_send", lambda: IntervalTrigger(seconds=30), leader_only=False,
     description="Deliver due outbox messages (a sender thread also runs continuously; this is the safety net)")
def outbox_send(rt: Runtime) -> str:
    done = rt.sender.drain(max_seconds=20)
    return f"sent {done.sent}, dead {done.dead}, retried {done.retried}, skipped {done.skipped}"


@job("people_sync", lambda: CronTrigger(hour=2, minute=30, timezone="UTC"),
     description="Mirror every workspace member from Slack (users.list) into people")
def people_sync(rt: Runtime) -> str:
    from models.core.ports import ListedDirectory
    from models.people import sync_directory

    team_id = rt.team_id()
    fetched = ListedDirectory(list(rt.services.directory.users()))  # paced pages, outside any transaction
    with rt.services.unit_of_work() as session:
        seen, created = sync_directory(session, team_id, fetched)
    return f"{seen} members seen, {created} new"


@job("people_complete", lambda: IntervalTrigger(minutes=2),
     description="Complete people first recorded from a request's payload (Slack was busy or slow then)")
def people_complete(rt: Runtime) -> str:
    from slack_sdk.errors import SlackApiError
    from sqlalchemy import select

    from models.core.ports import SlackUser
    from models.core.tables import Person
    from models.people import upsert_person

    team_id = rt.team_id()
    with rt.db.unit_of_work() as session:
        todo = list(session.scalars(select(Person.slack_user_id).where(
            Person.team_id == team_id, Person.synced_at.is_(None), Person.erased_at.is_(None)).limit(50)))
    found: list[SlackUser] = []
    for uid in todo:  # outside any transaction; a 429 (or a window someone else got) ends this round
        try:
            user = rt.services.directory.user(uid)
        except (SlackApiError, OSError) as exc:
            log.info("people_complete: stopping for now (%s)", type(exc).__name__)
            break
        if user is not None:
            found.append(user)
    with rt.services.unit_of_work() as session:
        for user in found:
            upsert_person(session, team_id, user)
    return f"{len(found)} of {len(todo)} people completed"


@job("housekeeping", lambda: CronTrigger(hour=3, minute=15, timezone="UTC"),
     description="Forget handled modal submissions older than two days")
def housekeeping(rt: Runtime) -> str:
    from models.core import submissions

    with rt.services.unit_of_work() as session:
        purged = submissions.purge(session)
    return f"{purged} old submissions forgotten"


@job("replay_events", lambda: IntervalTrigger(minutes=1),
     description="Handle events stored but never finished (process died after the ack, or handler failed)")
def replay_events(rt: Runtime) -> str:
    from handlers.events import replay

    return f"{replay(rt.services, older_than=timedelta(minutes=2))} events replayed"


@job("prompt_tick", lambda: IntervalTrigger(minutes=1),
     description="Queue every scheduled prompt that fell due (per person, in their own time zone)")
def prompt_tick(rt: Runtime) -> str:
    from handlers import load_all
    from scheduler.prompts import tick

    load_all()
    with rt.services.unit_of_work() as session:
        report = tick(session, rt.org, rt.team_id(), now=rt.clock.now())
    return str(report)


@job("checkin_alerts", lambda: CronTrigger(hour=6, minute=0, timezone="UTC"),
     description="Record missed check-ins (N in a row) for the HR digest and nudge the manager once")
def checkin_alerts(rt: Runtime) -> str:
    from handlers.checkins import checkin_alerts_job

    return checkin_alerts_job(rt.services, rt.team_id())


@job("one_on_one_pairs", lambda: IntervalTrigger(hours=1),
     description="Make 1:1 pairs follow the org chart (new relations get a pair, ended ones are closed)")
def one_on_one_pairs(rt: Runtime) -> str:
    from handlers.one_on_ones import sync_pairs_job

    return sync_pairs_job(rt)


@job("one_on_one_alerts", lambda: CronTrigger(hour=6, minute=10, timezone="UTC"),
     description="Record pairs with no 1:1 held in N weeks for the HR digest; nudge the manager once")
def one_on_one_alerts(rt: Runtime) -> str:
    from handlers.one_on_ones import alerts_job

    return alerts_job(rt)
