"""Pausing prompts ("snooze until", out of office): through the end of a chosen day in the person's own time
zone, no check-in, reminder or agenda reaches them; prompts due meanwhile are skipped (`models.core.prompts`),
not saved up. Only flushes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.messages import DomainError, _t
from models.core.prompts import pattern_for
from models.core.tables import Person

MAX_PAUSE_DAYS = 180


class PauseError(DomainError):
    """A pause that cannot be set; nothing changed."""


def local_today(person: Person, org: OrgConfig, now: datetime) -> date:
    return now.astimezone(pattern_for(person, org).zone()).date()


def paused_until_for(until: date, person: Person, org: OrgConfig) -> datetime:
    """Prompts stay paused through the whole chosen day, in the person's own time zone."""
    zone = pattern_for(person, org).zone()
    return datetime.combine(until + timedelta(days=1), time(0, 0), tzinfo=zone)


def validate_until(value: str | None, today: date) -> date:
    """The chosen last day of the pause (an ISO date from a date picker), or `PauseError`."""
    if not value:
        raise PauseError(_t("Pick a date."), code="required")
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        raise PauseError(_t("That isn't a date."), code="invalid") from None
    if chosen < today:
        raise PauseError(_t("Pick today or a later day."), code="past")
    if chosen > today + timedelta(days=MAX_PAUSE_DAYS):
        raise PauseError(_t("At most {days} days ahead."), code="too_far", days=MAX_PAUSE_DAYS)
    return chosen


def pause(session: Session, person: Person, value: str | None, org: OrgConfig) -> datetime:
    """Pause the person's prompts through the chosen day; their Home shows it. Returns the moment prompts
    resume. Raises `PauseError` (nothing changed)."""
    now = clock_of(session).now()
    chosen = validate_until(value, local_today(person, org, now))
    person.paused_until = paused_until_for(chosen, person, org)
    outbox.request_home_refresh(session, person, cause=f"pause-{now.timestamp()}")
    session.flush()
    return person.paused_until


def resume(session: Session, person: Person) -> None:
    """Prompts reach the person again from now on."""
    person.paused_until = None
    outbox.request_home_refresh(session, person, cause=f"resume-{clock_of(session).now().timestamp()}")
    session.flush()
