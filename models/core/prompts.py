"""The due-prompt tick: which scheduled prompt is due for whom, computed per person in their own time.

Each feature declares its `PromptKind`s (weekly check-in, 1:1 agenda, goal nudge, pulse survey, …): a
function that lists a person's occurrences in a time window. Every minute the leader runs `tick` over the
prompt kinds of every feature (`models.features.prompt_kinds()`):

- it looks at the window since the previous tick (stored per workspace), so after downtime every
  occurrence that fell due meanwhile is seen, once;
- an occurrence due less than the grace window ago becomes an outbox row (dedupe key: kind, workspace,
  person, period), which expires at the end of the grace window;
- an older one is recorded as `skipped` ("missed while Candor was not running"), never silently lost and
  never sent late as a burst of stale prompts;
- an occurrence that falls while the person has paused prompts is recorded as `skipped` ("paused");
- people who are deactivated, bots, erased or outside the pilot rollout get nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, Person, Workspace, active_person
from models.core.timing import WorkPattern
from models.core.zones import zone_name

log = logging.getLogger(__name__)

FIRST_TICK_LOOKBACK = timedelta(minutes=5)
MAX_LOOKBACK = timedelta(days=35)
# Rows per INSERT statement when the tick writes what fell due.
BATCH = 1000


@dataclass(frozen=True)
class Occurrence:
    """One due prompt for one person. `period` makes the dedupe key (e.g. "2026-W47", "pair-3-2026-W47")."""

    period: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PromptContext:
    session: Session
    org: OrgConfig
    now: datetime
    team_id: str = ""
    # Per-tick memo for prompt kinds that would otherwise query once per person (e.g. 1:1 pairs).
    cache: dict[str, Any] = field(default_factory=dict)


Occurrences = Callable[[PromptContext, Person, WorkPattern, datetime, datetime], Iterable[Occurrence]]


@dataclass(frozen=True)
class PromptKind:
    kind: str
    occurrences: Occurrences  # (ctx, person, pattern, start, end] → occurrences due in that window
    description: str = ""


def pattern_for(person: Person, org: OrgConfig) -> WorkPattern:
    """The person's working pattern: their Slack time zone (else, or when the zone database does not know
    it, the default: `models.core.zones`), the org's days and hours."""
    sched = org.schedule
    return WorkPattern(tz=zone_name(person.tz, sched.default_timezone), working_days=sched.working_day_numbers(),
                       quiet_start=sched.quiet_hours_start, quiet_end=sched.quiet_hours_end)


def in_rollout(person: Person, org: OrgConfig) -> bool:
    """Pilot rollout: scheduled prompts only for listed people or departments (everyone when empty)."""
    rollout = org.rollout
    if rollout.everyone:
        return True
    listed = {p.lower() for p in rollout.people}
    if person.slack_user_id.lower() in listed or (person.email and person.email.lower() in listed):
        return True
    departments = {d.lower() for d in rollout.departments}
    return bool(person.department and person.department.lower() in departments)


def promptable(person: Person, org: OrgConfig) -> bool:
    return person.active and in_rollout(person, org)


def is_paused(person: Person, at: datetime) -> bool:
    return person.paused_until is not None and at < person.paused_until


@dataclass
class TickReport:
    enqueued: int = 0
    skipped_downtime: int = 0
    skipped_paused: int = 0
    window: tuple[datetime, datetime] | None = None

    def __str__(self) -> str:
        return (f"{self.enqueued} prompts queued, {self.skipped_downtime} skipped after downtime, "
                f"{self.skipped_paused} skipped (paused)")


def tick(session: Session, org: OrgConfig, team_id: str, kinds: Iterable[PromptKind], *,
         now: datetime | None = None) -> TickReport:
    """Queue every prompt of these kinds that fell due since the last tick for this workspace. Idempotent.
    Only flushes."""
    now = now or clock_of(session).now()
    ws = session.get(Workspace, team_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if ws is None:
        return TickReport()
    start = ws.last_tick_at - timedelta(minutes=1) if ws.last_tick_at else now - FIRST_TICK_LOOKBACK
    start = max(start, now - MAX_LOOKBACK)
    grace = timedelta(hours=org.schedule.grace_hours)
    report = TickReport(window=(start, now))
    ctx = PromptContext(session=session, org=org, now=now, team_id=team_id)

    people = session.scalars(
        select(Person).where(Person.team_id == team_id, *active_person(Person))
    ).all()
    candidates: list[tuple[PromptKind, Person, Occurrence, str]] = []
    # One WorkPattern per time zone: the prompt kinds memoise their due times on it (ctx.cache).
    patterns: dict[str | None, WorkPattern] = {}
    for person in people:
        if not in_rollout(person, org):
            continue
        pattern = patterns.get(person.tz)
        if pattern is None:
            pattern = patterns[person.tz] = pattern_for(person, org)
        # A person is never owed prompts from before Candor knew them.
        person_start = max(start, person.created_at)
        for kind in kinds:
            for occ in kind.occurrences(ctx, person, pattern, person_start, now):
                if person_start < occ.due_at <= now:
                    key = outbox.dedupe_key(kind.kind, team_id, person.slack_user_id, occ.period)
                    candidates.append((kind, person, occ, key))

    existing: set[str] = set()
    keys = [c[3] for c in candidates]
    for i in range(0, len(keys), 500):
        existing.update(session.scalars(select(OutboxMessage.dedupe_key).where(
            OutboxMessage.dedupe_key.in_(keys[i:i + 500]))))
    messages: list[outbox.Outgoing] = []
    skipped: list[dict[str, Any]] = []
    for kind, person, occ, key in candidates:
        if key in existing:
            continue
        existing.add(key)
        payload = {"period": occ.period, "due_at": occ.due_at.isoformat(), **occ.payload}
        if is_paused(person, occ.due_at):
            skipped.append(_skipped_row(team_id, kind.kind, key, person, payload, "paused by the person"))
            report.skipped_paused += 1
        elif now - occ.due_at > grace:
            skipped.append(_skipped_row(
                team_id, kind.kind, key, person, payload,
                f"missed while Candor was not running (due {occ.due_at:%Y-%m-%d %H:%M} UTC)"))
            report.skipped_downtime += 1
        else:
            messages.append(outbox.Outgoing(kind=kind.kind, key=key, recipient=person, payload=payload,
                                            expires_at=occ.due_at + grace))
            report.enqueued += 1
    # A few statements for the whole tick, not one per row (issue #10: 10,000 prompts due in one minute).
    # The keys were checked above (and the workspace row is locked on PostgreSQL), so nothing conflicts.
    for i in range(0, len(skipped), BATCH):
        _record_skipped(session, skipped[i:i + BATCH])
    for i in range(0, len(messages), BATCH):
        outbox.enqueue_all(session, team_id, messages[i:i + BATCH])
    ws.last_tick_at = now
    session.flush()
    return report


def _skipped_row(team_id: str, kind: str, key: str, person: Person, payload: dict[str, Any], reason: str
                 ) -> dict[str, Any]:
    return dict(team_id=team_id, kind=kind, dedupe_key=key, recipient_id=person.id, channel_id=None,
                payload=payload, state="skipped", last_error=reason, attempts=0, priority=outbox.PRIORITY_MESSAGE,
                expires_at=None, uncertain=False)


def _record_skipped(session: Session, rows: list[dict[str, Any]]) -> None:
    """Record prompts that will not be sent (`skipped`, with the reason), in one statement."""
    if rows:
        table = OutboxMessage.__table__
        assert isinstance(table, Table)
        # executemany of one cached statement; not_before, created_at and updated_at take their column
        # defaults (the session's clock), as an added ORM row would.
        session.execute(insert(table), rows)
