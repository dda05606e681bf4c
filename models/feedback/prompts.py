"""Feedback prompts: the one reminder to a peer who has not answered a request.

A peer asked for feedback whose row is still `pending` `feedback.reminder_days` working days after the request
(counted in the peer's own calendar and working days) gets one reminder, due at `REMINDER_TIME` in their own
time zone on that working day, outside their quiet hours (`models.core.timing.local_day_at`: DST-safe). It goes
through the tick (`models.core.prompts`), so downtime, pauses, deactivation and the pilot rollout are handled
there. The occurrence's period names the request row (`request-<id>`): one reminder per row, however often the
tick runs. A row answered or declined before the reminder is due is not read at all; one answered after the
reminder was queued is skipped by the renderer (it sends only rows still pending).

The tick asks every person every minute: the pending rows that may be due in its window are read once per tick
into `ctx.cache`, by peer, with only the columns the due time needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.prompts import Occurrence, PromptContext, PromptKind
from models.core.tables import Person
from models.core.timing import WorkPattern, is_working_day, local_day_at
from models.feedback.tables import FeedbackRequest, FeedbackRequestPeer

REMINDER_KIND = "feedback.reminder"
REMINDER_TIME = time(10, 0)
_MEMO = "feedback.reminder"


@dataclass(frozen=True)
class PendingAsk:
    """One pending request row, as the reminder's due time needs it (not a loaded `FeedbackRequestPeer`)."""

    id: int
    peer_id: int
    requested_at: datetime


def reminder_period(request_peer_id: int) -> str:
    """The occurrence period (dedupe key) of a reminder: the request row."""
    return f"request-{request_peer_id}"


def working_days_after(day: date, n: int, pattern: WorkPattern) -> date:
    """The `n`-th working day of the pattern after local `day` (not counting `day` itself)."""
    found = 0
    while found < n:
        day += timedelta(days=1)
        if is_working_day(day, pattern):
            found += 1
    return day


def reminder_due(requested_at: datetime, reminder_days: int, pattern: WorkPattern) -> datetime:
    """When a peer asked at `requested_at` gets the reminder: `REMINDER_TIME` on their `reminder_days`-th working
    day after the local day of the request."""
    asked_on = requested_at.astimezone(pattern.zone()).date()
    return local_day_at(working_days_after(asked_on, reminder_days, pattern), REMINDER_TIME, pattern)


def pending_asks(session: Session, team_id: str, reminder_days: int, start: datetime, end: datetime
                 ) -> dict[int, list[PendingAsk]]:
    """Pending, never-reminded request rows whose reminder may fall in (start, end], by peer: asked at least
    `reminder_days` calendar days before `end` (a day's slack for time zones), and not so long before `start`
    that the reminder was due earlier (with one working day a week, N working days span at most N + 1 weeks)."""
    latest = end - timedelta(days=reminder_days) + timedelta(days=1)
    earliest = start - timedelta(days=7 * (reminder_days + 1) + 2)
    rows = session.execute(
        select(FeedbackRequestPeer.id, FeedbackRequestPeer.peer_id, FeedbackRequest.created_at)
        .join(FeedbackRequest, FeedbackRequest.id == FeedbackRequestPeer.request_id)
        .where(FeedbackRequest.team_id == team_id, FeedbackRequestPeer.state == "pending",
               FeedbackRequestPeer.reminded_at.is_(None),
               FeedbackRequest.created_at <= latest, FeedbackRequest.created_at >= earliest)
        .order_by(FeedbackRequestPeer.id))
    by_peer: dict[int, list[PendingAsk]] = {}
    for row in rows:
        by_peer.setdefault(row.peer_id, []).append(PendingAsk(row.id, row.peer_id, row.created_at))
    return by_peer


def reminder_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                     ) -> list[Occurrence]:
    cfg = ctx.org.feedback
    if not cfg.enabled:
        return []
    found = ctx.cache.get(_MEMO)
    if found is None or start < found[0] or end != found[1]:
        team_id = ctx.team_id or person.team_id
        found = ctx.cache[_MEMO] = (start, end, pending_asks(ctx.session, team_id, cfg.reminder_days, start, end))
    out = []
    for ask in found[2].get(person.id, []):
        due = reminder_due(ask.requested_at, cfg.reminder_days, pattern)
        if start < due <= end:
            out.append(Occurrence(period=reminder_period(ask.id), due_at=due, payload={"request_peer_id": ask.id}))
    return out


PROMPTS = (
    PromptKind(REMINDER_KIND, reminder_prompts,
               description="One reminder to a peer who has not answered a feedback request after "
               "feedback.reminder_days working days, at 10:00 their time"),
)
