"""Weekly check-ins: when they are due, what a valid answer is, who hears about it.

A check-in belongs to a period: the local ISO week of the prompt (e.g. "2026-W47"). It opens when the
prompt is due and closes when the next one is due. Until it closes the person may edit their answer
(the manager is told about the latest); after it closes a first answer is still accepted and filed
under its own period, marked late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.checkins.tables import Checkin, CheckinReply
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import WEEKDAYS, CheckinConfig, CheckinQuestion, OrgConfig
from models.core.tables import Alert, OutboxMessage, Person
from models.core.text import is_blank
from models.core.timing import WorkPattern, every_n_weeks_due, weekly_due

# Fortnightly check-ins count weeks from this Monday, so every person is on the same rhythm.
BIWEEKLY_ANCHOR = date(2026, 1, 5)
WEEKDAY_INDEX = {name: i for i, name in enumerate(WEEKDAYS)}
REPLY_MAX = 1000


class CheckinError(Exception):
    """A check-in request that cannot be honoured; `message` says why, for the person."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(code)


class CheckinInvalid(Exception):
    """Answers that break a question's rules: `errors` maps question id → problem code and params."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, Any]]]) -> None:
        self.errors = errors
        super().__init__(", ".join(errors))


def interval_weeks(cfg: CheckinConfig) -> int:
    return 2 if cfg.cadence == "biweekly" else 1


_WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)


def week_key(week_start: date) -> str:
    iso = week_start.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def week_start_of(period: str) -> date:
    """The Monday of a canonical ISO week key ("2026-W47"). Anything else raises ValueError: "2026-W047",
    " 2026-W47", "+2026-W47" or "2026-W54" would otherwise name a week a second way and file a second
    check-in for it."""
    m = _WEEK_KEY.fullmatch(period) if isinstance(period, str) else None
    if m is None:
        raise ValueError(f"not a week key like 2026-W47: {period!r}")
    monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    if week_key(monday) != period:
        raise ValueError(f"not a canonical week key: {period!r}")
    return monday


def is_week_key(period: object) -> bool:
    try:
        week_start_of(period)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False
    return True


def prompt_due(period: str, cfg: CheckinConfig, pattern: WorkPattern) -> datetime | None:
    """When the check-in of `period` is asked, in UTC (None if that week has no check-in)."""
    start = week_start_of(period)
    if ((start - BIWEEKLY_ANCHOR).days // 7) % interval_weeks(cfg):
        return None
    return weekly_due(start, WEEKDAY_INDEX[cfg.weekday], cfg.at, pattern)


def reminder_due(period: str, cfg: CheckinConfig, pattern: WorkPattern) -> datetime | None:
    """The one reminder for `period`: the configured day and time of the following week."""
    if prompt_due(period, cfg, pattern) is None:
        return None
    return weekly_due(week_start_of(period) + timedelta(days=7), WEEKDAY_INDEX[cfg.reminder_weekday],
                      cfg.reminder_time, pattern)


def closes_at(period: str, cfg: CheckinConfig, pattern: WorkPattern) -> datetime:
    """A period closes when the next check-in is asked."""
    due = prompt_due(period, cfg, pattern)
    assert due is not None, f"{period} has no check-in"
    _, nxt = every_n_weeks_due(BIWEEKLY_ANCHOR, interval_weeks(cfg), due, WEEKDAY_INDEX[cfg.weekday], cfg.at,
                               pattern)
    return nxt


def prompts_between(cfg: CheckinConfig, pattern: WorkPattern, start: datetime, end: datetime
                    ) -> list[tuple[str, datetime]]:
    """Every (period, due) with start < due <= end."""
    out: list[tuple[str, datetime]] = []
    after = start
    while True:
        period, due = every_n_weeks_due(BIWEEKLY_ANCHOR, interval_weeks(cfg), after, WEEKDAY_INDEX[cfg.weekday],
                                        cfg.at, pattern)
        if due > end:
            return out
        out.append((period, due))
        after = due


def current_period(cfg: CheckinConfig, pattern: WorkPattern, now: datetime) -> str | None:
    """The open period at `now` (the latest one already asked), or None before the first."""
    found = prompts_between(cfg, pattern, now - timedelta(days=7 * interval_weeks(cfg) + 7), now)
    return found[-1][0] if found else None


def validate_answers(questions: list[CheckinQuestion], answers: dict[str, Any]) -> dict[str, Any]:
    """Clean answers, or raise `CheckinInvalid` naming each bad question."""
    clean: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for q in questions:
        raw = answers.get(q.id)
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, "", []) or (isinstance(value, str) and is_blank(value)):
            if q.required:
                errors[q.id] = ("required", {})
            continue
        if q.type == "long_text":
            if not isinstance(value, str):
                errors[q.id] = ("invalid", {})
            elif len(value) > q.max_length:
                errors[q.id] = ("too_long", {"max": q.max_length, "length": len(value)})
            else:
                clean[q.id] = value
        elif q.type == "scale":
            try:
                n = int(value)
            except (TypeError, ValueError):
                errors[q.id] = ("scale", {})
                continue
            if not 1 <= n <= 5:
                errors[q.id] = ("scale", {})
            else:
                clean[q.id] = n
        elif q.type == "choice":
            if value not in q.choices:
                errors[q.id] = ("choice", {"choices": q.choices})
            else:
                clean[q.id] = value
    if errors:
        raise CheckinInvalid(errors)
    return clean


@dataclass(frozen=True)
class SubmitResult:
    checkin: Checkin
    created: bool
    late: bool


def submit(
    session: Session, person: Person, period: str, answers: dict[str, Any], org: OrgConfig, pattern: WorkPattern,
    *, now: datetime | None = None,
) -> SubmitResult:
    """Save (or, while the period is open, edit) a check-in, and tell the manager. Only flushes.

    The manager told is the person's manager now: an edit after a manager change goes to the new manager
    (who may see it now), not to the one they reported to when they first answered."""
    now = now or clock_of(session).now()
    cfg = org.checkins
    try:
        due = prompt_due(period, cfg, pattern)
    except ValueError:
        due = None
    if due is None:
        raise CheckinError("unknown_period", period=period)
    if due > now + timedelta(days=1):
        raise CheckinError("not_open_yet", period=period)
    clean = validate_answers(cfg.questions, answers)
    closed = now >= closes_at(period, cfg, pattern)
    checkin = session.scalars(
        select(Checkin).where(Checkin.person_id == person.id, Checkin.period == period)
    ).one_or_none()
    if checkin is not None and closed:
        raise CheckinError("closed", period=period)
    blocker_ids = {q.id for q in cfg.questions if q.blocker}
    mood_ids = [q.id for q in cfg.questions if q.type == "scale"]
    fields = {
        "answers": clean,
        "questions": [{"id": q.id, "text": q.text, "type": q.type} for q in cfg.questions if q.id in clean],
        "has_blocker": any(clean.get(qid) for qid in blocker_ids),
        "mood": clean.get(mood_ids[0]) if mood_ids else None,
    }
    created = checkin is None
    if checkin is None:
        checkin = Checkin(team_id=person.team_id, person_id=person.id, manager_id=person.manager_id,
                          period=period, late=closed, submitted_at=now, version=1, **fields)
        session.add(checkin)
    else:
        for key, value in fields.items():
            setattr(checkin, key, value)
        checkin.manager_id = person.manager_id
        checkin.version += 1
        checkin.updated_at = now
    session.flush()
    manager = session.get(Person, checkin.manager_id) if checkin.manager_id else None
    if manager is not None and manager.active:
        outbox.enqueue(
            session, team_id=person.team_id, kind="checkin.summary",
            key=outbox.dedupe_key("checkin.summary", person.team_id, manager.slack_user_id,
                                  f"checkin-{checkin.id}-v{checkin.version}"),
            recipient=manager, payload={"checkin_id": checkin.id, "version": checkin.version},
        )
    outbox.request_home_refresh(session, person, cause=f"checkin-{checkin.id}-v{checkin.version}")
    return SubmitResult(checkin=checkin, created=created, late=closed)


def for_period(session: Session, person: Person, period: str) -> Checkin | None:
    return session.scalars(
        select(Checkin).where(Checkin.person_id == person.id, Checkin.period == period)
    ).one_or_none()


def recent(session: Session, person: Person, limit: int = 4) -> list[Checkin]:
    return list(session.scalars(
        select(Checkin).where(Checkin.person_id == person.id).order_by(Checkin.period.desc()).limit(limit)))


def may_reply(session: Session, checkin: Checkin, author: Person) -> bool:
    """The manager the person reported to when answering, or their current manager — and only while the
    access policy lets them see the answer."""
    from models import access

    person = session.get(Person, checkin.person_id)
    if person is None or not author.active:
        return False
    if author.id not in {checkin.manager_id, person.manager_id} - {None}:
        return False
    return access.can_see(session, access.Viewer.slack(author), access.RecordKind.CHECKIN_ANSWER, owner=person)


def reply(session: Session, checkin: Checkin, author: Person, text: str) -> CheckinReply:
    """A manager's short note back to the person, delivered by DM. Only flushes."""
    text = text.strip()
    if is_blank(text):
        raise CheckinError("reply_empty")
    if len(text) > REPLY_MAX:
        raise CheckinError("reply_too_long", max=REPLY_MAX, length=len(text))
    if not may_reply(session, checkin, author):
        raise CheckinError("not_manager")
    note = CheckinReply(checkin_id=checkin.id, author_id=author.id, text=text)
    session.add(note)
    session.flush()
    person = session.get(Person, checkin.person_id)
    if person is not None and person.active:
        outbox.enqueue(
            session, team_id=person.team_id, kind="checkin.reply",
            key=outbox.dedupe_key("checkin.reply", person.team_id, person.slack_user_id, f"reply-{note.id}"),
            recipient=person, payload={"reply_id": note.id},
        )
    return note


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
                not_before=next_working_moment(now, manager, org),
            )
        made.append(alert)
    return made


def next_working_moment(now: datetime, manager: Person, org: OrgConfig) -> datetime:
    """When a nudge may reach this manager: now, or their next working morning (the 1:1 alerts' rule)."""
    from models.one_on_ones import next_working_moment as nxt  # imported here: one_on_ones imports checkins
    from scheduler.prompts import pattern_for

    return nxt(now, pattern_for(manager, org))
