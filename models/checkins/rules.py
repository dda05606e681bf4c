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
from models.core.tables import Person
from models.core.text import is_blank
from models.core.timing import WorkPattern

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


