"""Feedback prompts: the one reminder to a peer who has not answered a request; for 360 rounds, one reminder to
each reviewer who has not answered and the results once the round closed (at the end of this module).

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
from models.core.timing import WorkPattern, is_working_day, local_day_at, working_day_before
from models.feedback.tables import FeedbackRequest, FeedbackRequestPeer, FeedbackRound, FeedbackRoundReviewer

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


# -- 360 rounds ---------------------------------------------------------------------------------------------

ROUND_REMINDER_KIND = "feedback.round_reminder"
ROUND_RESULTS_KIND = "feedback.round_results"
_ROUND_MEMO = "feedback.rounds"


@dataclass(frozen=True)
class RoundDue:
    """One round, as its prompts' due times need it."""

    id: int
    subject_id: int
    started_by_id: int
    subject_manager_id: int | None
    deadline: date
    created_at: datetime
    closes_at: datetime
    pending: frozenset[int]  # reviewers who have neither answered nor declined


def round_reminder_due(round_: RoundDue, pattern: WorkPattern) -> datetime | None:
    """10:00 on the reviewer's last working day before the deadline day; none when the round started that day
    or later (a round of a day or two needs no reminder)."""
    day = working_day_before(round_.deadline, pattern)
    if day <= round_.created_at.astimezone(pattern.zone()).date():
        return None
    return local_day_at(day, REMINDER_TIME, pattern)


def round_results_due(round_: RoundDue, pattern: WorkPattern) -> datetime:
    """10:00 on the first working day after the deadline, in the recipient's own time zone (never before the
    round closed)."""
    day = round_.deadline + timedelta(days=1)
    while not is_working_day(day, pattern):
        day += timedelta(days=1)
    return max(local_day_at(day, REMINDER_TIME, pattern), round_.closes_at)


def _rounds(ctx: PromptContext, person: Person, start: datetime, end: datetime) -> list[RoundDue]:
    """Rounds not cancelled or closed early whose reminder or results may fall in the window: closing between a
    week before the window's start (results wait for a working day) and two weeks after its end (the reminder
    comes up to a week before the deadline, with weekends and time zones)."""
    found = ctx.cache.get(_ROUND_MEMO)
    if found is None or start < found[0] or end != found[1]:
        team_id = ctx.team_id or person.team_id
        rounds = ctx.session.execute(
            select(FeedbackRound.id, FeedbackRound.subject_id, FeedbackRound.started_by_id, Person.manager_id,
                   FeedbackRound.deadline, FeedbackRound.created_at, FeedbackRound.closes_at)
            .join(Person, Person.id == FeedbackRound.subject_id)
            .where(FeedbackRound.team_id == team_id, FeedbackRound.cancelled_at.is_(None),
                   FeedbackRound.closed_at.is_(None), FeedbackRound.closes_at > start - timedelta(days=8),
                   FeedbackRound.closes_at <= end + timedelta(days=15))).all()
        pending: dict[int, set[int]] = {}
        if rounds:
            for round_id, reviewer_id in ctx.session.execute(
                    select(FeedbackRoundReviewer.round_id, FeedbackRoundReviewer.reviewer_id)
                    .where(FeedbackRoundReviewer.round_id.in_([r.id for r in rounds]),
                           FeedbackRoundReviewer.state == "pending")):
                pending.setdefault(round_id, set()).add(reviewer_id)
        found = ctx.cache[_ROUND_MEMO] = (start, end, [
            RoundDue(r.id, r.subject_id, r.started_by_id, r.manager_id, r.deadline, r.created_at, r.closes_at,
                     frozenset(pending.get(r.id, ()))) for r in rounds])
    return list(found[2])


def round_reminder_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime,
                           end: datetime) -> list[Occurrence]:
    if not ctx.org.feedback.enabled:
        return []
    out = []
    for round_ in _rounds(ctx, person, start, end):
        if person.id not in round_.pending:
            continue
        due = round_reminder_due(round_, pattern)
        if due is not None and start < due <= end and due < round_.closes_at:
            out.append(Occurrence(period=f"round-{round_.id}", due_at=due, payload={"round_id": round_.id}))
    return out


def round_results_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime,
                          end: datetime) -> list[Occurrence]:
    """The person the round is about, whoever started it and the person's manager hear that results are in."""
    if not ctx.org.feedback.enabled:
        return []
    out = []
    for round_ in _rounds(ctx, person, start, end):
        if person.id not in (round_.subject_id, round_.started_by_id, round_.subject_manager_id):
            continue
        due = round_results_due(round_, pattern)
        if start < due <= end:
            out.append(Occurrence(period=f"round-{round_.id}", due_at=due, payload={"round_id": round_.id}))
    return out


PROMPTS = (
    PromptKind(REMINDER_KIND, reminder_prompts,
               description="One reminder to a peer who has not answered a feedback request after "
               "feedback.reminder_days working days, at 10:00 their time"),
    PromptKind(ROUND_REMINDER_KIND, round_reminder_prompts,
               description="One reminder to a 360 reviewer who has not answered, at 10:00 their time on their last "
               "working day before the deadline"),
    PromptKind(ROUND_RESULTS_KIND, round_results_prompts,
               description="A 360's results, to the person, their manager and whoever started it, at 10:00 their "
               "time on the first working day after the deadline"),
)
