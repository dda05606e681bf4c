"""A pair's rhythm: when its meetings fall, which meeting notes belong to, and changing the cadence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.core import outbox
from models.core.clock import clock_of
from models.core.messages import _t
from models.core.tables import Person
from models.core.timing import (
    WorkPattern,
    every_n_weeks_due,
    local_week_start,
)
from models.core.zones import is_zone, zone_name
from models.one_on_ones.base import _ALL_DAYS, _TIME, EARLY_NOTES, INTERVALS, SCHEDULE_KIND, OneOnOneError
from models.one_on_ones.notes import refresh_homes, require_member
from models.one_on_ones.pairs import insert_new, other_member
from models.one_on_ones.tables import OneOnOneMeeting, OneOnOnePair


@dataclass(frozen=True)
class Slot:
    """One scheduled meeting of a pair: `period` is the ISO week key of its week (in the pair's zone)."""

    period: str
    at: datetime


def pair_pattern(pair: OneOnOnePair) -> WorkPattern:
    """The pair's clock: its zone, every day usable, no quiet hours (a meeting is where they put it)."""
    return _zone_pattern(zone_name(pair.tz, "UTC"))


@lru_cache(maxsize=1024)
def _zone_pattern(tz: str) -> WorkPattern:
    return WorkPattern(tz=tz, working_days=_ALL_DAYS, quiet_start=time(0), quiet_end=time(0))


def parse_time(value: str | time) -> time | None:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    m = _TIME.match(value.strip())
    return time(int(m.group(1)), int(m.group(2))) if m else None


def pair_time(pair: OneOnOnePair) -> time:
    return parse_time(pair.local_time) or time(10, 0)


# What a pair's meetings depend on: (anchor week, interval in weeks, weekday, local time, zone), as stored.
Rhythm = tuple[date, int, int, str, str]


def _rhythm(pair: OneOnOnePair) -> Rhythm:
    return (pair.anchor_week, pair.interval_weeks, pair.weekday, pair.local_time, pair.tz)


def _next_slot(rhythm: Rhythm, after: datetime) -> Slot:
    anchor, interval, weekday, local_time, tz = rhythm
    period, at = every_n_weeks_due(anchor, max(1, interval), after, weekday, parse_time(local_time) or time(10, 0),
                                   _zone_pattern(zone_name(tz, "UTC")))
    return Slot(period, at)


def next_meeting(pair: OneOnOnePair, after: datetime) -> Slot:
    """The pair's first meeting strictly after `after`."""
    return _next_slot(_rhythm(pair), after)


def meetings_between(pair: OneOnOnePair, start: datetime, end: datetime) -> list[Slot]:
    """The pair's meetings in (start, end]."""
    return list(_meetings_between(_rhythm(pair), start, end))


@lru_cache(maxsize=4096)
def _meetings_between(rhythm: Rhythm, start: datetime, end: datetime) -> tuple[Slot, ...]:
    """Memoised on the rhythm's values: the minute tick asks it for every member of every pair, and pairs share
    a few rhythms (the org's default cadence, day and time)."""
    slots: list[Slot] = []
    slot = _next_slot(rhythm, start)
    while slot.at <= end:
        slots.append(slot)
        slot = _next_slot(rhythm, slot.at)
    return tuple(slots)


def previous_meeting(pair: OneOnOnePair, at_or_before: datetime) -> Slot | None:
    """The pair's latest meeting at or before the moment."""
    probe = at_or_before - timedelta(weeks=max(1, pair.interval_weeks), days=2)
    found = meetings_between(pair, probe, at_or_before)
    return found[-1] if found else None


def slot_for(pair: OneOnOnePair, period: str, at: datetime) -> Slot | None:
    """The slot if the pair's current schedule still has a meeting at that moment (else it was moved)."""
    slot = next_meeting(pair, at - timedelta(seconds=1))
    return slot if slot.at == at and slot.period == period else None


def meeting_for_notes(pair: OneOnOnePair, now: datetime) -> Slot:
    """The meeting notes recorded now belong to: the latest one, counting one up to a day ahead."""
    return previous_meeting(pair, now + EARLY_NOTES) or next_meeting(pair, now)


def ensure_meeting(session: Session, pair: OneOnOnePair, period: str, scheduled_at: datetime) -> OneOnOneMeeting:
    """The meeting row for this pair and period, created on first use."""
    query = select(OneOnOneMeeting).where(OneOnOneMeeting.pair_id == pair.id, OneOnOneMeeting.period == period)
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    new_id = insert_new(session, OneOnOneMeeting, ("pair_id", "period"),
                         dict(pair_id=pair.id, period=period, scheduled_at=scheduled_at))
    if new_id is None:  # recorded concurrently by the other member
        return session.scalars(query).one()
    meeting = session.get(OneOnOneMeeting, new_id)
    assert meeting is not None
    return meeting


def last_held(session: Session, pair: OneOnOnePair, before: datetime | None = None) -> datetime | None:
    q = select(func.max(OneOnOneMeeting.held_at)).where(OneOnOneMeeting.pair_id == pair.id,
                                                        OneOnOneMeeting.held_at.is_not(None))
    if before is not None:
        q = q.where(OneOnOneMeeting.held_at < before)
    return session.scalar(q)


def since_for(session: Session, pair: OneOnOnePair, until: datetime) -> datetime:
    """Where "since the last 1:1" starts for a meeting at `until`: the previous held meeting, else the
    previous scheduled one (no earlier than the pair), else the pair's creation."""
    held = last_held(session, pair, until)
    if held is not None:
        return held
    previous = previous_meeting(pair, until - timedelta(seconds=1))
    if previous is not None and previous.at > pair.created_at:
        return previous.at
    return pair.created_at


def set_cadence(session: Session, pair: OneOnOnePair, actor: Person, interval_weeks: int, weekday: int,
                local_time: str | time, tz: str, *, now: datetime | None = None) -> OneOnOnePair:
    """Change the pair's rhythm (either member). Changing weekly ↔ every two weeks restarts the count
    from the current week; otherwise the meeting weeks stay. The other member is told by DM."""
    now = now or clock_of(session).now()
    require_member(pair, actor, _t("Only the two people of this 1:1 can change its schedule."))
    if not pair.active:
        raise OneOnOneError(_t("This 1:1 has ended: its schedule can't change any more."), field="interval")
    if isinstance(interval_weeks, bool) or interval_weeks not in INTERVALS:
        raise OneOnOneError(_t("Choose weekly or every two weeks."), field="interval")
    if isinstance(weekday, bool) or not isinstance(weekday, int) or weekday not in range(7):
        raise OneOnOneError(_t("Choose a day of the week."), field="weekday")
    at = parse_time(local_time)
    if at is None:
        raise OneOnOneError(_t("Choose a time such as 10:00."), field="time")
    if not is_zone(tz):
        raise OneOnOneError(_t("{tz} is not a time zone Candor knows."), field="tz", tz=tz)
    pattern = WorkPattern(tz=tz, working_days=_ALL_DAYS, quiet_start=time(0), quiet_end=time(0))
    if interval_weeks != pair.interval_weeks:
        pair.anchor_week = local_week_start(now, pattern)
    else:
        # Same rhythm: keep the next meeting's week, seen from the (possibly new) time zone. Without this,
        # saving the form unchanged from another zone could shift a fortnightly 1:1 by a week.
        pair.anchor_week = local_week_start(next_meeting(pair, now).at, pattern)
    pair.interval_weeks, pair.weekday, pair.local_time, pair.tz = interval_weeks, weekday, at.strftime("%H:%M"), tz
    session.flush()
    other = other_member(pair, actor)
    outbox.enqueue(session, team_id=pair.team_id, kind=SCHEDULE_KIND,
                   key=outbox.dedupe_key(SCHEDULE_KIND, pair.team_id, other.slack_user_id,
                                         f"pair{pair.id}-{now.timestamp():.6f}"),
                   recipient=other, payload={"pair_id": pair.id, "actor_id": actor.id})
    refresh_homes(session, pair, f"schedule{pair.id}-{now.timestamp():.6f}")
    return pair
