"""Per-person local-time scheduling rules for Candor prompts.

Pure functions, standard library only. Every prompt (weekly check-in, 1:1 agenda,
pulse survey) is due at a wall-clock time in the *recipient's* IANA time zone, on one
of *their* working days, outside *their* quiet hours. We do not use APScheduler's
``CronTrigger`` for this (it skips or doubles jobs around DST changes, see
``shared/PITFALLS.md``); due moments are computed here with :mod:`zoneinfo` and
stored/compared as UTC.

Conventions
-----------
* Every ``datetime`` argument must be timezone-aware; every returned ``datetime`` is
  in UTC.
* ``date`` arguments are calendar dates in the person's local calendar; ``time``
  arguments are naive local wall-clock times.
* Weekdays are ``date.weekday()`` numbers: 0 = Monday ... 6 = Sunday.
* A "week" is an ISO week (Monday to Sunday) of the person's local calendar; its key
  is ``"YYYY-Www"`` from :meth:`date.isocalendar` (so 2027-01-01 belongs to
  ``"2026-W53"``).

DST rules
---------
* A nonexistent local time (spring-forward gap) moves forward by the length of the
  gap: 02:30 on a day that jumps 02:00 -> 03:00 becomes 03:30.
* An ambiguous local time (fall-back) resolves to its first occurrence, so a prompt
  fires once.

Quiet hours
-----------
``[quiet_start, quiet_end)`` in local wall-clock time. When ``quiet_start >
quiet_end`` the window wraps midnight (the default, 20:00-08:00); when they are equal
there are no quiet hours. See :func:`local_day_at` for how a due time that falls in
quiet hours is moved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.core.weeks import monday_of, week_key

__all__ = [
    "WorkPattern",
    "every_n_weeks_due",
    "in_quiet_hours",
    "is_working_day",
    "local_day_at",
    "local_week_start",
    "next_weekly_due",
    "next_working_moment",
    "period_key_week",
    "resolve_local",
    "weekly_due",
    "working_day_before",
]

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_MINUTE = timedelta(minutes=1)
_MINUTES_PER_DAY = 24 * 60
_WEEKDAYS = range(7)
# Due moments are pure functions of their arguments (all hashable): the minute tick asks the same ones for
# everyone who shares a WorkPattern, so they are memoised (bounded; ZoneInfo caches its zones anyway).
_MEMO_SIZE = 16384


@dataclass(frozen=True)
class WorkPattern:
    """When a person works, in their own time zone.

    ``tz``: IANA zone name (e.g. ``"Europe/Berlin"``).
    ``working_days``: weekday numbers (0 = Monday ... 6 = Sunday); default Mon-Fri.
    ``quiet_start`` / ``quiet_end``: naive local times bounding the quiet window
    ``[quiet_start, quiet_end)``; it wraps midnight when ``quiet_start > quiet_end``
    and is empty when they are equal.
    """

    tz: str
    working_days: frozenset[int] = field(default=frozenset(range(5)))
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, str) or not self.tz:
            raise ValueError(f"unknown time zone: {self.tz!r}")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone: {self.tz!r}") from exc
        if not isinstance(self.working_days, frozenset):
            raise ValueError(f"working_days must be a frozenset, got {type(self.working_days).__name__}")
        if not self.working_days:
            raise ValueError("working_days must contain at least one weekday")
        bad = sorted(
            repr(d) for d in self.working_days if isinstance(d, bool) or not isinstance(d, int) or d not in _WEEKDAYS
        )
        if bad:
            raise ValueError(f"working_days must be weekday numbers 0 (Mon) .. 6 (Sun), got {', '.join(bad)}")
        for name in ("quiet_start", "quiet_end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive datetime.time, got {value!r}")

    def zone(self) -> ZoneInfo:
        """The person's time zone (``ZoneInfo`` caches instances, so this is cheap)."""
        return ZoneInfo(self.tz)


# --------------------------------------------------------------------------- helpers


def _require_aware(moment: datetime, name: str = "moment") -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")


def _require_naive_time(at: time) -> None:
    if not isinstance(at, time):
        raise TypeError(f"at must be a datetime.time, got {type(at).__name__}")
    if at.tzinfo is not None:
        raise ValueError(f"at must be a naive local time, got {at!r}")


def _require_weekday(weekday: int) -> None:
    if isinstance(weekday, bool) or not isinstance(weekday, int) or weekday not in _WEEKDAYS:
        raise ValueError(f"weekday must be 0 (Mon) .. 6 (Sun), got {weekday!r}")


def _require_monday(day: date, name: str) -> None:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"{name} must be a date, got {type(day).__name__}")
    if day.weekday() != 0:
        raise ValueError(f"{name} must be a Monday, got {day.isoformat()} ({day:%A})")


def _local(moment: datetime, pattern: WorkPattern) -> datetime:
    return moment.astimezone(pattern.zone())


def _wall_in_quiet(wall: time, pattern: WorkPattern) -> bool:
    start, end = pattern.quiet_start, pattern.quiet_end
    wall = wall.replace(tzinfo=None, fold=0)
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def _since_midnight(wall: time) -> timedelta:
    return timedelta(hours=wall.hour, minutes=wall.minute, seconds=wall.second, microseconds=wall.microsecond)


def _wall_from(offset: timedelta) -> time:
    """Inverse of :func:`_since_midnight` for ``0 <= offset < 1 day``."""
    whole_seconds, micro = divmod(offset // timedelta(microseconds=1), 1_000_000)
    minutes, second = divmod(whole_seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _out_of_quiet(wall: time, pattern: WorkPattern) -> time:
    """The wall-clock time a quiet ``wall`` moves to (``wall`` itself if not quiet)."""
    if not _wall_in_quiet(wall, pattern):
        return wall
    start, end = pattern.quiet_start, pattern.quiet_end
    if start < end or wall < end:
        # The quiet block containing `wall` ends later the same day: wait for its end.
        return end
    # Evening part of a window that wraps midnight: go back to the last minute before it,
    # but never before quiet_end (which is not quiet).
    return _wall_from(max(_since_midnight(start) - _MINUTE, _since_midnight(end)))


def _wall_exists(day: date, wall: time, tz: ZoneInfo) -> bool:
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    round_trip = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return round_trip.replace(tzinfo=None, fold=0) == naive


def _nearby_walls(wall: time) -> Iterator[time]:
    """Same-day wall times by distance from ``wall`` in whole minutes, earlier first."""
    base = _since_midnight(wall)
    limit = timedelta(days=1)
    for k in range(1, _MINUTES_PER_DAY + 1):
        step = k * _MINUTE
        for candidate in (base - step, base + step):
            if timedelta(0) <= candidate < limit:
                yield _wall_from(candidate)


# ------------------------------------------------------------------------ public API


def resolve_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of local wall time ``at`` on ``day`` in ``tz``.

    A nonexistent time (spring-forward gap) moves forward by the gap (02:30 on a day
    that jumps 02:00 -> 03:00 is 03:30 local); an ambiguous time (fall-back) is its
    first occurrence (``fold=0``), so it happens once. ``at.fold`` is ignored.
    """
    _require_naive_time(at)
    # PEP 495: with fold=0 zoneinfo applies the pre-transition offset, which moves a
    # time in a gap forward by the gap and picks the first of two ambiguous times.
    local = datetime.combine(day, at.replace(fold=0), tzinfo=tz)
    return local.astimezone(UTC)


def in_quiet_hours(moment: datetime, pattern: WorkPattern) -> bool:
    """Whether ``moment`` is within the person's quiet hours, in their local time."""
    _require_aware(moment)
    return _wall_in_quiet(_local(moment, pattern).time(), pattern)


def is_working_day(day: date, pattern: WorkPattern) -> bool:
    """Whether the local calendar date ``day`` is one of the person's working days."""
    return day.weekday() in pattern.working_days


def period_key_week(moment_or_local_date: datetime | date, pattern: WorkPattern) -> str:
    """ISO-week key (``"2026-W47"``) of the person's local date.

    An aware ``datetime`` is first converted to the person's zone; a plain ``date`` is
    taken as already local. Uses the ISO year, so 2027-01-01 is ``"2026-W53"``.
    """
    if isinstance(moment_or_local_date, datetime):
        _require_aware(moment_or_local_date, "moment_or_local_date")
        local_date = _local(moment_or_local_date, pattern).date()
    else:
        local_date = moment_or_local_date
    return week_key(local_date)


def local_week_start(moment: datetime, pattern: WorkPattern) -> date:
    """Monday of the person's local ISO week containing ``moment``."""
    _require_aware(moment)
    return monday_of(_local(moment, pattern).date())


def working_day_before(day: date, pattern: WorkPattern) -> date:
    """The person's last working day strictly before local date ``day``."""
    candidate = day - _DAY
    while not is_working_day(candidate, pattern):  # at most 7 steps: working_days != {}
        candidate -= _DAY
    return candidate


def local_day_at(day: date, at: time, pattern: WorkPattern) -> datetime:
    """The UTC moment a prompt set for local ``at`` on local ``day`` is due.

    Rule (shared by all prompt kinds):

    1. Resolve ``at`` on ``day`` with :func:`resolve_local` (gap: forward by the gap;
       ambiguous: first occurrence). If that local time is outside quiet hours, done.
    2. Otherwise move it out of quiet hours, staying on ``day``:

       * if the quiet block it is in ends later the same day (the morning part of a
         window that wraps midnight, e.g. 06:00 with 20:00-08:00 quiet hours, or any
         time inside a window that does not wrap, e.g. 12:30 with 12:00-13:00), it
         moves forward to ``quiet_end`` (08:00, 13:00);
       * if it is in the evening part of a window that wraps midnight (e.g. 21:00 with
         20:00-08:00), it moves back to ``quiet_start`` minus one minute (19:59), but
         not earlier than ``quiet_end``.

       The new wall time is resolved with :func:`resolve_local` again.
    3. DST safety net: if a gap shift pushed the result onto the next local day or
       into quiet hours (e.g. 23:30 on a Saturday when clocks jump 23:00 -> 00:00), it
       becomes the nearest existing, non-quiet wall time of ``day`` to the intended
       one, in whole-minute steps, earlier on a tie. If ``day`` has no such time, the
       step-2 result is returned.

    The result is therefore on ``day`` in local time and outside quiet hours whenever
    ``day`` leaves room for it. Working days are not considered here.
    """
    _require_naive_time(at)
    return _local_day_at(day, at, pattern)


@lru_cache(maxsize=_MEMO_SIZE)
def _local_day_at(day: date, at: time, pattern: WorkPattern) -> datetime:
    tz = pattern.zone()

    def acceptable(moment: datetime) -> bool:
        local = moment.astimezone(tz)
        return local.date() == day and not _wall_in_quiet(local.time(), pattern)

    first = resolve_local(day, at, tz)
    if acceptable(first):
        return first
    first_local = first.astimezone(tz)
    # Wall time the prompt "is at": the gap-shifted time when it stayed on `day`, the
    # configured time itself when the shift crossed midnight.
    wall = first_local.time() if first_local.date() == day else at.replace(fold=0)
    target = _out_of_quiet(wall, pattern)
    moved = resolve_local(day, target, tz)
    if acceptable(moved):
        return moved
    for candidate in _nearby_walls(target):
        if not _wall_in_quiet(candidate, pattern) and _wall_exists(day, candidate, tz):
            return resolve_local(day, candidate, tz)
    return moved


def _due_day(week_start: date, weekday: int, pattern: WorkPattern) -> date | None:
    """The working day of the week starting ``week_start`` that serves ``weekday``."""
    candidates = sorted(pattern.working_days, key=lambda d: (abs(d - weekday), d))
    if not candidates:
        return None
    return week_start + timedelta(days=candidates[0])


def weekly_due(week_start: date, weekday: int, at: time, pattern: WorkPattern) -> datetime | None:
    """The single UTC due moment of a weekly prompt in the local ISO week ``week_start``.

    ``week_start`` must be a Monday (local calendar). The prompt is due on ``weekday``
    at local ``at``. If ``weekday`` is not one of the person's working days, the
    nearest working day of the same ISO week is used; on a tie the earlier one (a
    Friday prompt for a Sun-Thu worker is due on Thursday, not Sunday). The time is
    then placed with :func:`local_day_at` (DST and quiet-hour rules). Returns ``None``
    only if the person has no working day that week (which validation prevents).
    """
    _require_monday(week_start, "week_start")
    _require_weekday(weekday)
    _require_naive_time(at)
    return _weekly_due(week_start, weekday, at, pattern)


@lru_cache(maxsize=_MEMO_SIZE)
def _weekly_due(week_start: date, weekday: int, at: time, pattern: WorkPattern) -> datetime | None:
    day = _due_day(week_start, weekday, pattern)
    if day is None:
        return None
    return _local_day_at(day, at, pattern)


def every_n_weeks_due(
    anchor_week_start: date,
    n: int,
    after: datetime,
    weekday: int,
    at: time,
    pattern: WorkPattern,
) -> tuple[str, datetime]:
    """The first due moment strictly after ``after`` of a prompt run every ``n`` weeks.

    Runs in the local ISO weeks whose Monday ``ws`` satisfies
    ``((ws - anchor_week_start).days // 7) % n == 0`` (weeks before the anchor count
    too). ``anchor_week_start`` must be a Monday; ``n >= 1``. Each such week's due
    moment is :func:`weekly_due`. Returns ``(week key, UTC due moment)``, where the key
    is the ISO week of the local week the prompt belongs to.
    """
    _require_monday(anchor_week_start, "anchor_week_start")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    _require_aware(after, "after")
    _require_weekday(weekday)
    _require_naive_time(at)
    # Start one week early: a week's due moment is never before its own local Monday,
    # so no week earlier than this can still be due after `after`.
    week = local_week_start(after, pattern) - _WEEK
    offset = ((week - anchor_week_start).days // 7) % n
    if offset:
        week += (n - offset) * _WEEK
    while True:
        due = weekly_due(week, weekday, at, pattern)
        if due is not None and due > after:
            return week_key(week), due
        week += n * _WEEK


def next_weekly_due(after: datetime, weekday: int, at: time, pattern: WorkPattern) -> tuple[str, datetime]:
    """The first weekly due moment strictly after ``after``, with its week key.

    Walks the person's local ISO weeks; each week has exactly one due moment
    (:func:`weekly_due`). Feeding the returned moment back in as ``after`` yields the
    next week's prompt, so a walk visits every week once.
    """
    return every_n_weeks_due(date(2001, 1, 1), 1, after, weekday, at, pattern)


def next_working_moment(now: datetime, pattern: WorkPattern) -> datetime:
    """`now` if it is a working day outside quiet hours for the person, else the next such moment."""
    local = now.astimezone(pattern.zone())
    if is_working_day(local.date(), pattern) and not in_quiet_hours(now, pattern):
        return now
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if not is_working_day(day, pattern):
            continue
        moment = local_day_at(day, pattern.quiet_end, pattern)
        if moment > now:
            return moment
    return now
