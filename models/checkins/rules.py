"""Weekly check-ins: when they are due, what a valid answer is, who hears about it.

A check-in belongs to a period: the local ISO week of the prompt (e.g. "2026-W47"). It opens when the
prompt is due and closes when the next one is due. Until it closes the person may edit their answer
(the manager is told about the latest); after it closes a first answer is still accepted and filed
under its own period, marked late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import access
from models.checkins.periods import closes_at, prompt_due
from models.checkins.tables import Checkin, CheckinReply
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import CheckinQuestion, OrgConfig
from models.core.messages import DomainError, Message, _t, say
from models.core.tables import Person
from models.core.text import is_blank
from models.core.timing import WorkPattern

REPLY_MAX = 1000


NOT_OPEN = _t("That check-in isn't open.")
NOT_MANAGER = _t("Only the person's manager can reply to this check-in.")
TOO_LONG = _t("At most {max} characters (you wrote {length}).")


class CheckinError(DomainError):
    """A check-in request that cannot be honoured; nothing was written. `code` names the rule."""


class CheckinInvalid(DomainError):
    """Answers that break a question's rules: `errors` maps each bad question's id to what is wrong."""

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(_t("Some answers need another look."), code="invalid_answers")
        self.errors = errors


def validate_answers(questions: list[CheckinQuestion], answers: dict[str, Any]) -> dict[str, Any]:
    """Clean answers, or raise `CheckinInvalid` naming each bad question."""
    clean: dict[str, Any] = {}
    errors: dict[str, Message] = {}
    for q in questions:
        raw = answers.get(q.id)
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, "", []) or (isinstance(value, str) and is_blank(value)):
            if q.required:
                errors[q.id] = say(_t("Please answer this question."))
            continue
        if q.type == "long_text":
            if not isinstance(value, str):
                errors[q.id] = say(_t("This answer isn't valid."))
            elif len(value) > q.max_length:
                errors[q.id] = say(TOO_LONG, max=q.max_length, length=len(value))
            else:
                clean[q.id] = value
        elif q.type == "scale":
            try:
                n = int(value)
            except (TypeError, ValueError):
                errors[q.id] = say(_t("Pick a number from 1 to 5."))
                continue
            if not 1 <= n <= 5:
                errors[q.id] = say(_t("Pick a number from 1 to 5."))
            else:
                clean[q.id] = n
        elif q.type == "choice":
            if value not in q.choices:
                errors[q.id] = say(_t("Pick one of the choices."))
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
        raise CheckinError(NOT_OPEN, code="unknown_period", period=period)
    if due > now + timedelta(days=1):
        raise CheckinError(NOT_OPEN, code="not_open_yet", period=period)
    clean = validate_answers(cfg.questions, answers)
    closed = now >= closes_at(period, cfg, pattern)
    checkin = session.scalars(
        select(Checkin).where(Checkin.person_id == person.id, Checkin.period == period)
    ).one_or_none()
    if checkin is not None and closed:
        raise CheckinError(_t("Your check-in for {week} is closed and can no longer be edited."), code="closed",
                           week=period)
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
    cause = f"checkin-{checkin.id}-v{checkin.version}"
    messages = [outbox.home_refresh(session, person, cause=cause)]
    manager = session.get(Person, checkin.manager_id) if checkin.manager_id else None
    if manager is not None and manager.active:
        messages.append(outbox.Outgoing(
            kind="checkin.summary", key=outbox.dedupe_key("checkin.summary", person.team_id, manager.slack_user_id,
                                                          cause),
            recipient=manager, payload={"checkin_id": checkin.id, "version": checkin.version}))
    outbox.enqueue_all(session, person.team_id, messages)
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
        raise CheckinError(_t("Write a short note first."), code="reply_empty")
    if len(text) > REPLY_MAX:
        raise CheckinError(TOO_LONG, code="reply_too_long", max=REPLY_MAX, length=len(text))
    if not may_reply(session, checkin, author):
        raise CheckinError(NOT_MANAGER, code="not_manager")
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


