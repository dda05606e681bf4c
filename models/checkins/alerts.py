"""Missed check-ins: N in a row that the person was really asked make an alert, and one nudge to the manager."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.checkins.periods import closes_at, interval_weeks, prompts_between
from models.checkins.tables import Checkin
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.prompts import pattern_for
from models.core.tables import Alert, OutboxMessage, Person
from models.core.timing import WorkPattern, next_working_moment


def missed_in_a_row(session: Session, person: Person, org: OrgConfig, pattern: WorkPattern, now: datetime
                    ) -> list[str]:
    """The closed periods (newest first) the person was asked and did not answer, back to the last answer."""
    cfg = org.checkins
    horizon = max(person.created_at, now - timedelta(weeks=cfg.missed_weeks_alert * interval_weeks(cfg) + 4))
    asked = [p for p, _ in prompts_between(cfg, pattern, horizon, now)]
    closed = [p for p in asked if closes_at(p, cfg, pattern) <= now]
    answered = set(session.scalars(select(Checkin.period).where(Checkin.person_id == person.id,
                                                                 Checkin.period.in_(closed))))
    # Only weeks the person was really asked count (prompt delivered): not paused weeks, downtime, weeks
    # before they joined the rollout or before check-ins were switched on.
    asked_for_real = set(session.scalars(select(OutboxMessage.payload["period"].as_string()).where(
        OutboxMessage.recipient_id == person.id, OutboxMessage.kind == "checkin.prompt",
        OutboxMessage.state == "sent")))
    missed: list[str] = []
    for p in reversed(closed):
        if p in answered:
            break
        if p not in asked_for_real:
            continue
        missed.append(p)
    return missed


def record_missed_alerts(session: Session, team_id: str, org: OrgConfig, patterns: dict[int, WorkPattern],
                         people: list[Person], *, now: datetime | None = None) -> list[Alert]:
    """One alert per person whose missed streak reached the threshold (per latest missed period), and one
    gentle nudge to their manager for it."""
    now = now or clock_of(session).now()
    made: list[Alert] = []
    for person in people:
        missed = missed_in_a_row(session, person, org, patterns[person.id], now)
        if len(missed) < org.checkins.missed_weeks_alert:
            continue
        period = missed[0]
        subject = f"person:{person.id}"
        exists = session.scalars(select(Alert).where(Alert.team_id == team_id, Alert.kind == "checkin.missed",
                                                      Alert.subject == subject, Alert.period == period)).first()
        if exists is not None:
            continue
        alert = Alert(team_id=team_id, kind="checkin.missed", subject=subject, period=period, person_id=person.id,
                      details={"missed": missed})
        session.add(alert)
        session.flush()
        manager = person.manager
        if manager is not None and manager.active and not (manager.paused_until and now < manager.paused_until):
            outbox.enqueue(
                session, team_id=team_id, kind="checkin.nudge",
                key=outbox.dedupe_key("checkin.nudge", team_id, manager.slack_user_id, f"alert-{alert.id}"),
                recipient=manager, payload={"alert_id": alert.id},
                not_before=manager_working_moment(now, manager, org),
            )
        made.append(alert)
    return made


def manager_working_moment(now: datetime, manager: Person, org: OrgConfig) -> datetime:
    """When a nudge may reach this manager: now, or their next working morning (the 1:1 alerts' rule)."""
    return next_working_moment(now, pattern_for(manager, org))
