"""The pulse job (every 5 minutes, on the leader): open the waves whose survey day is about to begin, and send
the results of waves that closed.

Results go, each at their next working moment (their own working day, outside quiet hours), to every manager
whose team is shown in the results (`pulse.team_results`) and to the HR admins (`pulse.hr_results`, until the
HR digest carries them). The messages are built at send time from the store (`models.pulse.results`), so
they show exactly what the disclosure rules allow. A wave's results are queued once (`results_at`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.features import Every, Job, JobContext
from models.core.prompts import pattern_for
from models.core.tables import Person
from models.core.timing import next_working_moment
from models.pulse.results import wave_results
from models.pulse.tables import PulseWave
from models.pulse.waves import open_waves

TEAM_RESULTS, HR_RESULTS = "pulse.team_results", "pulse.hr_results"


def hr_admins(session: Session, org: OrgConfig, team_id: str) -> list[Person]:
    listed = {a.lower() for a in org.hr.admins}
    people = session.scalars(select(Person).where(Person.team_id == team_id, or_(
        Person.is_hr_admin.is_(True), Person.slack_user_id.in_(org.hr.admins or ["-"]))).order_by(Person.id))
    return [p for p in people if p.active and (p.is_hr_admin or p.slack_user_id.lower() in listed)]


def send_results(session: Session, org: OrgConfig, team_id: str, *, now: datetime | None = None) -> int:
    """Queue the results of every wave that closed and has not sent them. Returns how many messages."""
    now = now or clock_of(session).now()
    sent = 0
    waves = session.scalars(select(PulseWave).where(PulseWave.team_id == team_id, PulseWave.closes_at <= now,
                                                    PulseWave.results_at.is_(None)).order_by(PulseWave.id))
    for wave in list(waves):
        wave.results_at = now
        results = wave_results(session, org, wave, now)
        recipients: list[tuple[str, Person, dict[str, object]]] = []
        for group in results.groups:
            if group.kind == "team" and group.manager_id is not None:
                manager = session.get(Person, group.manager_id)
                if manager is not None and manager.active:
                    recipients.append((TEAM_RESULTS, manager, {"wave_id": wave.id, "group": group.key}))
        if results.groups:
            recipients += [(HR_RESULTS, p, {"wave_id": wave.id}) for p in hr_admins(session, org, team_id)]
        for kind, person, payload in recipients:
            outbox.enqueue(session, team_id=team_id, kind=kind, recipient=person,
                           key=outbox.dedupe_key(kind, team_id, person.slack_user_id, f"wave-{wave.id}"),
                           payload=payload, not_before=next_working_moment(now, pattern_for(person, org)))
            sent += 1
    session.flush()
    return sent


def pulse_job(ctx: JobContext) -> str:
    team_id = ctx.team_id()
    with ctx.unit_of_work() as session:  # apart: a failure sending results must not stop waves opening
        opened = open_waves(session, ctx.org, team_id, now=ctx.clock.now())
    with ctx.unit_of_work() as session:
        sent = send_results(session, ctx.org, team_id, now=ctx.clock.now())
    return f"{len(opened)} pulse waves opened, {sent} result messages queued"


JOBS = (Job("pulse", "Open pulse survey waves before their day begins; send the results of closed ones",
            Every(minutes=5), pulse_job),)
