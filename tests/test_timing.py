"""Tests for scheduler.timing: per-person local-time due moments.

Concrete examples first (DST gaps and overlaps, quiet hours, working-day fallbacks, ISO
week keys), then Hypothesis properties over many IANA zones and 2026-2030 dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.core.timing import (
    WorkPattern,
    every_n_weeks_due,
    in_quiet_hours,
    is_working_day,
    local_day_at,
    local_week_start,
    next_weekly_due,
    period_key_week,
    resolve_local,
    weekly_due,
    working_day_before,
)

pytestmark = pytest.mark.time_sensitive

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MON_FRI = frozenset({MON, TUE, WED, THU, FRI})
SUN_THU = frozenset({SUN, MON, TUE, WED, THU})
EVERY_DAY = frozenset(range(7))


def no_quiet(tz: str, working_days: frozenset[int] = MON_FRI) -> WorkPattern:
    """A pattern without quiet hours (quiet_start == quiet_end)."""
    return WorkPattern(tz, working_days=working_days, quiet_start=time(0, 0), quiet_end=time(0, 0))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def week_of_key(key: str) -> date:
    year, week = key.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


# ------------------------------------------------------------------ WorkPattern


def test_work_pattern_defaults() -> None:
    p = WorkPattern("Europe/Berlin")
    assert p.working_days == MON_FRI
    assert (p.quiet_start, p.quiet_end) == (time(20, 0), time(8, 0))
    assert p.zone() == ZoneInfo("Europe/Berlin")


def test_unknown_zone_is_rejected_with_its_name() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus_Mons"):
        WorkPattern("Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="unknown time zone"):
        WorkPattern("../etc/passwd")
    with pytest.raises(ValueError, match="unknown time zone"):
        WorkPattern("")


def test_working_days_are_validated() -> None:
    with pytest.raises(ValueError, match="at least one"):
        WorkPattern("UTC", working_days=frozenset())
    with pytest.raises(ValueError, match="0 \\(Mon\\)"):
        WorkPattern("UTC", working_days=frozenset({7}))
    with pytest.raises(ValueError, match="frozenset"):
        WorkPattern("UTC", working_days={1, 2})


def test_quiet_times_must_be_naive() -> None:
    with pytest.raises(ValueError, match="quiet_start"):
        WorkPattern("UTC", quiet_start=time(20, 0, tzinfo=UTC))


def test_pattern_is_frozen_and_hashable() -> None:
    p = WorkPattern("Asia/Kathmandu")
    with pytest.raises(AttributeError):
        p.tz = "UTC"  # type: ignore[misc]
    assert hash(p) == hash(WorkPattern("Asia/Kathmandu"))


# ------------------------------------------------------------------ resolve_local


def test_berlin_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 2026-03-29: Europe/Berlin jumps 02:00 -> 03:00.
    berlin = ZoneInfo("Europe/Berlin")
    due = resolve_local(date(2026, 3, 29), time(2, 30), berlin)
    assert due == utc(2026, 3, 29, 1, 30)
    assert due.tzinfo is UTC
    assert due.astimezone(berlin).time() == time(3, 30)


def test_new_york_fall_back_resolves_to_first_occurrence() -> None:
    # 2026-11-01: America/New_York repeats 01:00-02:00 (EDT, then EST).
    ny = ZoneInfo("America/New_York")
    assert resolve_local(date(2026, 11, 1), time(1, 30), ny) == utc(2026, 11, 1, 5, 30)
    # fold=1 on the input is ignored: still the first occurrence.
    assert resolve_local(date(2026, 11, 1), time(1, 30, fold=1), ny) == utc(2026, 11, 1, 5, 30)


def test_lord_howe_half_hour_gap_and_overlap() -> None:
    lh = ZoneInfo("Australia/Lord_Howe")
    # 2026-10-04: 02:00 (+10:30) -> 02:30 (+11).
    due = resolve_local(date(2026, 10, 4), time(2, 15), lh)
    assert due == utc(2026, 10, 3, 15, 45)
    assert due.astimezone(lh).time() == time(2, 45)
    # 2026-04-05: 02:00 (+11) -> 01:30 (+10:30); 01:45 happens twice, first at +11.
    assert resolve_local(date(2026, 4, 5), time(1, 45), lh) == utc(2026, 4, 4, 14, 45)


def test_resolve_local_rejects_aware_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve_local(date(2026, 1, 1), time(9, 0, tzinfo=UTC), ZoneInfo("UTC"))


# ------------------------------------------------------------------ quiet hours & local_day_at


def test_in_quiet_hours_wrapping_window() -> None:
    p = WorkPattern("Asia/Kathmandu")  # +05:45, quiet 20:00-08:00
    assert in_quiet_hours(utc(2026, 5, 4, 14, 15), p)  # 20:00 local
    assert not in_quiet_hours(utc(2026, 5, 4, 14, 14), p)  # 19:59 local
    assert in_quiet_hours(utc(2026, 5, 4, 2, 14), p)  # 07:59 local
    assert not in_quiet_hours(utc(2026, 5, 4, 2, 15), p)  # 08:00 local


def test_in_quiet_hours_non_wrapping_and_empty() -> None:
    lunch = WorkPattern("UTC", quiet_start=time(12, 0), quiet_end=time(13, 0))
    assert in_quiet_hours(utc(2026, 5, 4, 12, 30), lunch)
    assert not in_quiet_hours(utc(2026, 5, 4, 13, 0), lunch)
    assert not in_quiet_hours(utc(2026, 5, 4, 3, 0), lunch)
    empty = no_quiet("UTC")
    assert not any(in_quiet_hours(utc(2026, 5, 4, h), empty) for h in range(24))


def test_in_quiet_hours_requires_aware_moment() -> None:
    with pytest.raises(ValueError, match="aware"):
        in_quiet_hours(datetime(2026, 5, 4, 12), WorkPattern("UTC"))


def test_local_day_at_moves_morning_quiet_forward_to_quiet_end() -> None:
    p = WorkPattern("America/St_Johns")  # -02:30 in summer
    assert local_day_at(date(2026, 7, 6), time(6, 0), p) == utc(2026, 7, 6, 10, 30)  # 08:00 local


def test_local_day_at_moves_evening_quiet_back_before_quiet_start() -> None:
    p = WorkPattern("America/St_Johns")
    assert local_day_at(date(2026, 7, 6), time(21, 0), p) == utc(2026, 7, 6, 22, 29)  # 19:59 local


def test_local_day_at_evening_move_is_not_earlier_than_quiet_end() -> None:
    p = WorkPattern("UTC", quiet_start=time(8, 0, 30), quiet_end=time(8, 0))
    assert local_day_at(date(2026, 7, 6), time(12, 0), p) == utc(2026, 7, 6, 8, 0)


def test_local_day_at_non_wrapping_window_moves_to_its_end() -> None:
    p = WorkPattern("UTC", quiet_start=time(12, 0), quiet_end=time(13, 0))
    assert local_day_at(date(2026, 7, 6), time(12, 30), p) == utc(2026, 7, 6, 13, 0)


def test_local_day_at_gap_lands_in_quiet_hours_then_moves_to_quiet_end() -> None:
    # 02:30 Berlin doesn't exist on 2026-03-29 -> 03:30, which is quiet -> 08:00 (+02).
    assert local_day_at(date(2026, 3, 29), time(2, 30), WorkPattern("Europe/Berlin")) == utc(2026, 3, 29, 6, 0)
    # With no quiet hours it is just the gap rule.
    assert local_day_at(date(2026, 3, 29), time(2, 30), no_quiet("Europe/Berlin")) == utc(2026, 3, 29, 1, 30)


def test_local_day_at_gap_crossing_midnight_stays_on_its_day() -> None:
    # America/Nuuk jumps Sat 2026-03-28 23:00 (-02) -> Sun 00:00 (-01); 23:30 Saturday
    # would move forward onto Sunday, so it becomes the last minute before the jump.
    p = no_quiet("America/Nuuk", EVERY_DAY)
    nuuk = p.zone()
    assert resolve_local(date(2026, 3, 28), time(23, 30), nuuk).astimezone(nuuk).date() == date(2026, 3, 29)
    due = local_day_at(date(2026, 3, 28), time(23, 30), p)
    assert due == utc(2026, 3, 29, 0, 59)
    assert due.astimezone(nuuk).replace(tzinfo=None) == datetime(2026, 3, 28, 22, 59)


def test_local_day_at_gap_pushing_into_evening_quiet_hours() -> None:
    # Antarctica/Troll jumps 01:00 (+00) -> 03:00 (+02) on 2026-03-29. Quiet hours
    # 02:30-00:30: 23:00 is quiet -> 02:29, which doesn't exist and would shift to
    # 04:29 (quiet); the nearest existing non-quiet time is 00:59.
    p = WorkPattern("Antarctica/Troll", quiet_start=time(2, 30), quiet_end=time(0, 30))
    due = local_day_at(date(2026, 3, 29), time(23, 0), p)
    assert due == utc(2026, 3, 29, 0, 59)
    assert not in_quiet_hours(due, p)


# ------------------------------------------------------------------ working days


def test_is_working_day_and_working_day_before() -> None:
    office = WorkPattern("Europe/London")
    assert is_working_day(date(2026, 11, 20), office)  # Friday
    assert not is_working_day(date(2026, 11, 21), office)  # Saturday
    assert working_day_before(date(2026, 11, 23), office) == date(2026, 11, 20)  # Mon -> Fri
    assert working_day_before(date(2026, 11, 25), office) == date(2026, 11, 24)
    israel = WorkPattern("Asia/Jerusalem", working_days=SUN_THU)
    assert working_day_before(date(2026, 11, 22), israel) == date(2026, 11, 19)  # Sun -> Thu
    assert working_day_before(date(2026, 11, 23), israel) == date(2026, 11, 22)  # Mon -> Sun


# ------------------------------------------------------------------ week keys


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 11, 16), "2026-W47"),
        (date(2026, 1, 1), "2026-W01"),
        (date(2026, 12, 31), "2026-W53"),
        (date(2027, 1, 1), "2026-W53"),
        (date(2027, 1, 3), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
        (date(2029, 12, 31), "2030-W01"),
    ],
)
def test_period_key_week_uses_iso_year(day: date, key: str) -> None:
    assert period_key_week(day, WorkPattern("UTC")) == key


def test_period_key_week_and_week_start_use_the_local_date() -> None:
    moment = utc(2027, 1, 3, 12, 0)  # Sunday in UTC, Monday 02:00 in Kiritimati (+14)
    assert period_key_week(moment, WorkPattern("UTC")) == "2026-W53"
    assert period_key_week(moment, WorkPattern("Pacific/Kiritimati")) == "2027-W01"
    assert local_week_start(moment, WorkPattern("UTC")) == date(2026, 12, 28)
    assert local_week_start(moment, WorkPattern("Pacific/Kiritimati")) == date(2027, 1, 4)
    # ...and Saturday in Pago Pago (-11).
    assert local_week_start(utc(2026, 11, 16, 5, 0), WorkPattern("Pacific/Pago_Pago")) == date(2026, 11, 9)


# ------------------------------------------------------------------ weekly_due


def test_friday_15_berlin_winter_and_summer() -> None:
    p = WorkPattern("Europe/Berlin")
    assert weekly_due(date(2026, 1, 12), FRI, time(15, 0), p) == utc(2026, 1, 16, 14, 0)
    assert weekly_due(date(2026, 7, 13), FRI, time(15, 0), p) == utc(2026, 7, 17, 13, 0)


def test_friday_prompt_for_sun_thu_worker_is_on_thursday() -> None:
    p = WorkPattern("Asia/Jerusalem", working_days=SUN_THU)
    due = weekly_due(date(2026, 3, 2), FRI, time(10, 0), p)
    assert due == utc(2026, 3, 5, 8, 0)  # Thursday 10:00 +02
    # Saturday: Sunday (1 day later, same ISO week) is nearer than Thursday.
    assert weekly_due(date(2026, 3, 2), SAT, time(10, 0), p) == utc(2026, 3, 8, 8, 0)
    assert weekly_due(date(2026, 3, 2), MON, time(10, 0), p) == utc(2026, 3, 2, 8, 0)


def test_non_working_weekday_ties_prefer_the_earlier_day() -> None:
    p = WorkPattern("UTC", working_days=frozenset({MON, WED}))
    assert weekly_due(date(2026, 3, 2), TUE, time(10, 0), p) == utc(2026, 3, 2, 10, 0)  # Monday
    assert weekly_due(date(2026, 3, 2), SUN, time(10, 0), p) == utc(2026, 3, 4, 10, 0)  # Wednesday


def test_weekly_due_validates_arguments() -> None:
    p = WorkPattern("UTC")
    with pytest.raises(ValueError, match="Monday"):
        weekly_due(date(2026, 3, 3), FRI, time(10, 0), p)
    with pytest.raises(ValueError, match="weekday"):
        weekly_due(date(2026, 3, 2), 7, time(10, 0), p)
    with pytest.raises(ValueError, match="aware"):
        next_weekly_due(datetime(2026, 3, 2), FRI, time(10, 0), p)
    with pytest.raises(ValueError, match="positive"):
        every_n_weeks_due(date(2026, 3, 2), 0, utc(2026, 3, 2), FRI, time(10, 0), p)


def test_new_york_ambiguous_sunday_prompt_fires_once() -> None:
    p = no_quiet("America/New_York", EVERY_DAY)
    key, due = next_weekly_due(utc(2026, 10, 30), SUN, time(1, 30), p)
    assert (key, due) == ("2026-W44", utc(2026, 11, 1, 5, 30))
    # Even at the second 01:30 (06:30 UTC, EST) the next prompt is a week later.
    for after in (due, utc(2026, 11, 1, 6, 0), utc(2026, 11, 1, 6, 30)):
        assert next_weekly_due(after, SUN, time(1, 30), p) == ("2026-W45", utc(2026, 11, 8, 6, 30))


def test_next_weekly_due_is_strictly_after() -> None:
    p = WorkPattern("Europe/Berlin")
    due = utc(2026, 1, 16, 14, 0)
    assert next_weekly_due(due - timedelta(microseconds=1), FRI, time(15, 0), p) == ("2026-W03", due)
    assert next_weekly_due(due, FRI, time(15, 0), p) == ("2026-W04", utc(2026, 1, 23, 14, 0))


def test_next_weekly_due_across_the_iso_year_boundary() -> None:
    p = WorkPattern("Pacific/Kiritimati")
    key, due = next_weekly_due(utc(2026, 12, 28), FRI, time(9, 0), p)
    assert key == "2026-W53"
    assert due.astimezone(p.zone()).date() == date(2027, 1, 1)
    key, _ = next_weekly_due(due, FRI, time(9, 0), p)
    assert key == "2027-W01"


def test_every_two_weeks_from_anchor() -> None:
    p = WorkPattern("Europe/London")
    anchor = date(2026, 1, 5)
    assert every_n_weeks_due(anchor, 2, utc(2026, 1, 6, 11), TUE, time(10, 0), p) == (
        "2026-W04",
        utc(2026, 1, 20, 10, 0),
    )
    assert every_n_weeks_due(anchor, 2, utc(2026, 1, 5), TUE, time(10, 0), p) == (
        "2026-W02",
        utc(2026, 1, 6, 10, 0),
    )
    # Weeks before the anchor follow the same cadence.
    assert every_n_weeks_due(anchor, 2, utc(2025, 12, 20), TUE, time(10, 0), p) == (
        "2025-W52",
        utc(2025, 12, 23, 10, 0),
    )


# ------------------------------------------------------------------ properties

LISTED_ZONES = [
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "America/St_Johns",
    "Europe/Dublin",
    "Africa/Casablanca",
    "Asia/Tehran",
    "Europe/London",
    "America/New_York",
    "Asia/Jerusalem",
    "Europe/Berlin",
    # Awkward transitions: gaps crossing midnight, a 2-hour gap, midnight changes.
    "America/Nuuk",
    "Antarctica/Troll",
    "America/Havana",
    "Africa/Cairo",
    "Asia/Beirut",
    "Atlantic/Azores",
    "Pacific/Chatham",
]
ALL_ZONES = sorted(available_timezones())

zones = st.one_of(st.sampled_from(LISTED_ZONES), st.sampled_from(ALL_ZONES))
minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
at_times = st.one_of(
    minute_times,
    # Hours where DST changes happen (00:00-03:00 mostly; 23:00 in Greenland).
    st.builds(time, st.sampled_from([0, 1, 2, 3, 22, 23]), st.integers(0, 59)),
    st.builds(time, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)),
)
working_day_sets = st.one_of(
    st.sampled_from([MON_FRI, SUN_THU, EVERY_DAY]),
    st.frozensets(st.integers(0, 6), min_size=1),
)
quiet_windows = st.one_of(
    st.just((time(20, 0), time(8, 0))),
    st.just((time(0, 0), time(0, 0))),
    st.tuples(minute_times, minute_times),
)


@st.composite
def patterns(draw: st.DrawFn) -> WorkPattern:
    tz = draw(zones)
    days = SUN_THU if tz == "Asia/Jerusalem" and draw(st.booleans()) else draw(working_day_sets)
    start, end = draw(quiet_windows)
    return WorkPattern(tz, working_days=days, quiet_start=start, quiet_end=end)


local_dates = st.dates(date(2026, 1, 1), date(2030, 12, 31))
moments = st.datetimes(datetime(2026, 1, 1), datetime(2030, 12, 31, 23, 59, 59)).map(lambda d: d.replace(tzinfo=UTC))


@cache
def transition_days(tz_name: str) -> tuple[date, ...]:
    """Local dates in 2026-2030 on which the zone's UTC offset changes."""
    tz = ZoneInfo(tz_name)
    days: list[date] = []
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year < 2031:
        nxt = moment + timedelta(hours=6)
        if nxt.astimezone(tz).utcoffset() != offset:
            while moment.astimezone(tz).utcoffset() == offset:
                moment += timedelta(minutes=15)
            offset = moment.astimezone(tz).utcoffset()
            days.append(moment.astimezone(tz).date())
        moment = nxt
    return tuple(days)


def days_for(tz_name: str) -> st.SearchStrategy[date]:
    """Random dates, or (half the time) a DST change day of the zone or its neighbours."""
    changes = transition_days(tz_name)
    if not changes:
        return local_dates
    near_change = st.builds(lambda d, k: d + timedelta(days=k), st.sampled_from(changes), st.integers(-1, 1))
    return st.one_of(local_dates, near_change)


def moments_for(tz_name: str) -> st.SearchStrategy[datetime]:
    """Random moments, or a moment within a few days before a DST change of the zone."""
    changes = transition_days(tz_name)
    if not changes:
        return moments
    near_change = st.builds(
        lambda d, m: datetime.combine(d, time(), tzinfo=UTC) - timedelta(minutes=m),
        st.sampled_from(changes),
        st.integers(0, 10 * 24 * 60),
    )
    return st.one_of(moments, near_change)


weekdays = st.integers(0, 6)

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def has_room(pattern: WorkPattern) -> bool:
    """Non-quiet time per day is longer than any DST gap (Troll: 2 h) plus slack."""
    quiet = (_minutes(pattern.quiet_end) - _minutes(pattern.quiet_start)) % (24 * 60)
    return 24 * 60 - quiet >= 3 * 60


def expected_day(week_start: date, weekday: int, pattern: WorkPattern) -> date:
    best = min(pattern.working_days, key=lambda d: (abs(d - weekday), d))
    return week_start + timedelta(days=best)


@PROPS
@given(data=st.data(), pattern=patterns(), weekday=weekdays, at=at_times)
def test_weekly_prompt_fires_exactly_once_per_local_week(
    data: st.DataObject, pattern: WorkPattern, weekday: int, at: time
) -> None:
    tz = pattern.zone()
    start = data.draw(moments_for(pattern.tz), label="start")
    after = start
    previous_week: date | None = None
    keys: list[str] = []
    for _ in range(10):
        key, due = next_weekly_due(after, weekday, at, pattern)
        week = week_of_key(key)
        local = due.astimezone(tz)
        assert due.tzinfo is UTC
        assert due > after
        if previous_week is None:
            first_week = local_week_start(start, pattern)
            # No gap at the start: this week's prompt is skipped only if already past.
            assert week in (first_week, first_week + timedelta(days=7))
            if week != first_week:
                earlier = weekly_due(first_week, weekday, at, pattern)
                assert earlier is not None and earlier <= start
        else:
            assert week == previous_week + timedelta(days=7)  # consecutive, no gap, no duplicate
        assert weekly_due(week, weekday, at, pattern) == due
        assert period_key_week(due, pattern) == key  # due inside the week it belongs to
        assert local_week_start(due, pattern) == week
        assert is_working_day(local.date(), pattern)
        assert local.date() == expected_day(week, weekday, pattern)
        if has_room(pattern):
            assert not in_quiet_hours(due, pattern)
        keys.append(key)
        previous_week, after = week, due
    assert len(set(keys)) == len(keys)


@PROPS
@given(data=st.data(), pattern=patterns(), at=at_times)
def test_local_day_at_stays_on_its_day_outside_quiet_hours(data: st.DataObject, pattern: WorkPattern, at: time) -> None:
    tz = pattern.zone()
    day = data.draw(days_for(pattern.tz), label="day")
    due = local_day_at(day, at, pattern)
    local = due.astimezone(tz)
    assert due.tzinfo is UTC
    assert local.date() == day
    if has_room(pattern):
        assert not in_quiet_hours(due, pattern)
    naive = datetime.combine(day, at)
    exists = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive
    if exists and not in_quiet_hours(naive.replace(tzinfo=tz), pattern):
        # An existing, non-quiet time is used as configured, at its first occurrence.
        assert local.replace(tzinfo=None) == naive
        assert due == resolve_local(day, at, tz)


@PROPS
@given(data=st.data(), tz_name=zones, at=at_times)
def test_resolve_local_gap_and_fold_rules(data: st.DataObject, tz_name: str, at: time) -> None:
    tz = ZoneInfo(tz_name)
    day = data.draw(days_for(tz_name), label="day")
    due = resolve_local(day, at, tz)
    assert due.tzinfo is UTC
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    offset_first, offset_second = first.utcoffset(), second.utcoffset()
    assert offset_first is not None and offset_second is not None
    local = due.astimezone(tz)
    if local.replace(tzinfo=None) == naive:
        # Existing time: the earliest instant showing that wall time.
        assert due == min(first.astimezone(UTC), second.astimezone(UTC))
    else:
        # Nonexistent time: moved forward by exactly the gap.
        gap = offset_second - offset_first
        assert gap > timedelta(0)
        assert local.replace(tzinfo=None) == naive + gap


@PROPS
@given(
    pattern=patterns(),
    anchor=local_dates.map(lambda d: d - timedelta(days=d.weekday())),
    n=st.integers(1, 4),
    start=moments,
    weekday=weekdays,
    at=at_times,
)
def test_every_n_weeks_walk(
    pattern: WorkPattern, anchor: date, n: int, start: datetime, weekday: int, at: time
) -> None:
    after = start
    previous: date | None = None
    for _ in range(6):
        key, due = every_n_weeks_due(anchor, n, after, weekday, at, pattern)
        week = week_of_key(key)
        assert due > after
        assert ((week - anchor).days // 7) % n == 0
        assert weekly_due(week, weekday, at, pattern) == due
        if previous is None:
            assert week <= local_week_start(start, pattern) + timedelta(weeks=n)
        else:
            assert week == previous + timedelta(weeks=n)
        previous, after = week, due


@PROPS
@given(pattern=patterns(), day=local_dates)
def test_working_day_before_is_the_previous_working_day(pattern: WorkPattern, day: date) -> None:
    before = working_day_before(day, pattern)
    assert before < day
    assert is_working_day(before, pattern)
    gap_days = (day - before).days
    assert 1 <= gap_days <= 7
    assert not any(is_working_day(before + timedelta(days=i), pattern) for i in range(1, gap_days))


@PROPS
@given(pattern=patterns(), moment=moments)
def test_week_key_and_week_start_follow_the_local_date(pattern: WorkPattern, moment: datetime) -> None:
    local_date = moment.astimezone(pattern.zone()).date()
    week = local_week_start(moment, pattern)
    assert week.weekday() == MON
    assert week <= local_date < week + timedelta(days=7)
    key = period_key_week(moment, pattern)
    assert key == period_key_week(local_date, pattern) == period_key_week(week, pattern)
    assert week_of_key(key) == week
