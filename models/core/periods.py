"""Calendar periods people type: a quarter (2026-Q4), a half (2026-H2), a year (2026) or a month (2026-11), in
the calendar of a time zone. One parser for the calibration aids and the exports."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from models.core.zones import zone_of


class PeriodError(ValueError):
    """A period Candor cannot read; its text is a plain English sentence saying how to write one."""


class CalendarPeriod(NamedTuple):
    """A calendar period: `start` its first moment, `end` the first moment after it (aware, in its zone)."""

    label: str
    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|H([12])|(\d{1,2})))?$")
FORMS = "write one like 2026-Q4, 2026-H2, 2026 or 2026-11"


def _month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=zone)


def parse_calendar_period(value: str, tz: str = "UTC") -> CalendarPeriod:
    """The period `value` names; `PeriodError` with a sentence for whoever typed it otherwise."""
    zone = zone_of(tz, "UTC")
    text = value.strip().upper()
    if not text:
        raise PeriodError(f"the period is empty: {FORMS}.")
    found = _PERIOD.match(text)
    year = int(found.group(1)) if found else 0
    if found is None or not 1970 <= year <= 2200:
        raise PeriodError(f"{value.strip()} isn't a period: {FORMS}.")
    quarter, half, month = found.group(2), found.group(3), found.group(4)
    first: int
    months: int
    if quarter:
        first, months, label = 3 * (int(quarter) - 1) + 1, 3, f"{year}-Q{quarter}"
    elif half:
        first, months, label = 6 * (int(half) - 1) + 1, 6, f"{year}-H{half}"
    elif month:
        if not 1 <= int(month) <= 12:
            raise PeriodError(f"{value.strip()} isn't a period: a month is 01 to 12; {FORMS}.")
        first, months, label = int(month), 1, f"{year}-{int(month):02d}"
    else:
        first, months, label = 1, 12, str(year)
    return CalendarPeriod(label, _month_start(year, first, zone), _month_start(year, first + months, zone))


def quarter_of(today: date, tz: str = "UTC") -> CalendarPeriod:
    """The calendar quarter `today` falls in."""
    return parse_calendar_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}", tz)


def last_complete_quarter(today: date, tz: str = "UTC") -> CalendarPeriod:
    """The calendar quarter before the one `today` falls in."""
    index = (today.month - 1) // 3
    year, quarter = (today.year, index) if index > 0 else (today.year - 1, 4)
    return parse_calendar_period(f"{year}-Q{quarter}", tz)
