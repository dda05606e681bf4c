"""The goals job: stalled and off-track goals as HR alerts, once a day.

- `goal.stalled`: an active goal with no update for `goals.stall_days` days of its owner's calendar (the
  nudges' rule, `prompts.is_stalled`). Its period is the day the silence reached the threshold (UTC), so a
  new silence after an update is a new alert.
- `goal.off_track`: an active goal whose status (the owner's, else Candor's suggestion: `state_of`) is off
  track. Its period is the day it was first seen off track.

At most one open alert per goal and kind: while the condition lasts the alert stays as it is; when it ends
(an update, back on track, closed, the owner deactivated, the goal gone) the alert is resolved. Only goals
whose owner is active count. Running the job again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, contains_eager, selectinload

from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.features import Daily, Job, JobContext
from models.core.prompts import pattern_for
from models.core.tables import Alert, Person, active_person
from models.goals.progress import OFF_TRACK, goal_progress, state_of
from models.goals.prompts import is_stalled, stall_threshold, stamp
from models.goals.tables import Goal

STALLED_KIND = "goal.stalled"
OFF_TRACK_KIND = "goal.off_track"
KINDS = (STALLED_KIND, OFF_TRACK_KIND)


@dataclass
class AlertReport:
    stalled: int = 0
    off_track: int = 0
    resolved: int = 0

    def __str__(self) -> str:
        return (f"{self.stalled + self.off_track} new goal alerts ({self.stalled} stalled, "
                f"{self.off_track} off track), {self.resolved} resolved")


def subject_of(goal_id: int) -> str:
    return f"goal:{goal_id}"


def _insert_new(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING (a concurrent run recorded it): the new alert's id, or None."""
    session.flush()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(Alert).values(**values)
            .on_conflict_do_nothing(index_elements=["team_id", "kind", "subject", "period"]).returning(Alert.id))
    found = session.execute(stmt).scalar_one_or_none()
    return int(found) if found is not None else None


def _raise(session: Session, team_id: str, kind: str, goal: Goal, period: str, details: dict[str, Any],
           now: datetime) -> bool:
    """Record the alert (or reopen the one of the same period, resolved since); True when one was opened."""
    subject = subject_of(goal.id)
    earlier = session.scalars(select(Alert).where(Alert.team_id == team_id, Alert.kind == kind,
                                                  Alert.subject == subject, Alert.period == period)).first()
    if earlier is not None:
        if earlier.resolved_at is None:
            return False
        earlier.resolved_at, earlier.details = None, details
        return True
    return _insert_new(session, dict(team_id=team_id, kind=kind, subject=subject, period=period,
                                     person_id=goal.owner_id, details=details, created_at=now)) is not None


def record_goal_alerts(session: Session, team_id: str, org: OrgConfig, *, now: datetime | None = None
                       ) -> AlertReport:
    """Open an alert for every stalled or off-track goal that has none open; resolve the open ones whose
    goal is neither any more. Only flushes."""
    now = now or clock_of(session).now()
    cfg = org.goals
    report = AlertReport()
    open_alerts = {(a.kind, a.subject): a for a in session.scalars(select(Alert).where(
        Alert.team_id == team_id, Alert.kind.in_(KINDS), Alert.resolved_at.is_(None)))}
    if cfg.enabled:
        goals = session.scalars(
            select(Goal).join(Person, Person.id == Goal.owner_id)
            .where(Goal.team_id == team_id, Goal.state == "active", *active_person(Person))
            .options(contains_eager(Goal.owner), selectinload(Goal.key_results)).order_by(Goal.id))
        for goal in goals:
            pattern = pattern_for(goal.owner, org)
            subject = subject_of(goal.id)
            progress = round(goal_progress(goal), 4)
            if is_stalled(goal, cfg, pattern, now):
                reached = stall_threshold(goal.last_update_at, goal.starts_on, cfg.stall_days, pattern)
                period = reached.date().isoformat()
                current = open_alerts.pop((STALLED_KIND, subject), None)
                if current is None or current.period != period:
                    if current is not None:  # an earlier silence's alert: this one replaces it
                        current.resolved_at = now
                        report.resolved += 1
                    details = {"goal_id": goal.id, "goal_period": goal.period, "since": stamp(goal.last_update_at),
                               "days": cfg.stall_days, "progress": progress}
                    if _raise(session, team_id, STALLED_KIND, goal, period, details, now):
                        report.stalled += 1
            state = state_of(goal, now.astimezone(pattern.zone()).date())
            # An open alert for a goal still off track stands (popped: not resolved below).
            if state.status == OFF_TRACK and open_alerts.pop((OFF_TRACK_KIND, subject), None) is None:
                details = {"goal_id": goal.id, "goal_period": goal.period, "progress": progress,
                           "status_is_owners": state.status_is_owners}
                if _raise(session, team_id, OFF_TRACK_KIND, goal, now.date().isoformat(), details, now):
                    report.off_track += 1
    for alert in open_alerts.values():  # no longer stalled or off track, closed, owner gone, goal gone
        alert.resolved_at = now
        report.resolved += 1
    session.flush()
    return report


def goal_alerts_job(ctx: JobContext) -> str:
    """Record stalled and off-track goals for the HR digest (daily)."""
    with ctx.unit_of_work() as session:
        report = record_goal_alerts(session, ctx.team_id(), ctx.org, now=ctx.clock.now())
    return str(report)


JOBS = (Job("goal_alerts", "Record stalled and off-track goals for the HR digest (one open alert per goal and kind)",
            Daily(6, 20), goal_alerts_job),)
