"""The check-in job: record missed-check-in alerts once a day."""

from __future__ import annotations

from sqlalchemy import select

from models.checkins.alerts import record_missed_alerts
from models.core.features import Daily, Job, JobContext
from models.core.prompts import pattern_for, promptable
from models.core.tables import Person


def checkin_alerts_job(ctx: JobContext) -> str:
    team_id = ctx.team_id()
    with ctx.unit_of_work() as session:
        people = [p for p in session.scalars(select(Person).where(Person.team_id == team_id))
                  if promptable(p, ctx.org)]
        patterns = {p.id: pattern_for(p, ctx.org) for p in people}
        made = record_missed_alerts(session, team_id, ctx.org, patterns, people, now=ctx.clock.now())
    return f"{len(made)} missed-check-in alerts"


JOBS = (Job("checkin_alerts", "Record missed check-ins (N in a row) for the HR digest and nudge the manager once",
            Daily(6, 0), checkin_alerts_job),)
