"""The one ISO-week key: "2026-W47", the Monday-to-Sunday week of a *local* calendar date.

Check-in periods, 1:1 meeting periods and alert periods are all week keys. A key is made from a local date
(`week_key`), or from a moment in a time zone (`week_key_at`); it is read back only in its one canonical
form (`week_start_of`), so a week can never be named twice ("2026-W046", " 2026-W47", "+2026-W47").
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)


def week_key(day: date) -> str:
    """The key of the ISO week `day` is in (2027-01-01 is in "2026-W53")."""
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def week_key_at(moment: datetime, zone: ZoneInfo) -> str:
    """The key of the local week `moment` falls in, in `zone`."""
    return week_key(moment.astimezone(zone).date())


def week_start_of(period: str) -> date:
    """The Monday of a canonical week key. Anything else raises ValueError."""
    m = _WEEK_KEY.fullmatch(period) if isinstance(period, str) else None
    if m is None:
        raise ValueError(f"not a week key like 2026-W47: {period!r}")
    monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    if week_key(monday) != period:
        raise ValueError(f"not a canonical week key: {period!r}")
    return monday


def is_week_key(period: object) -> bool:
    try:
        week_start_of(period)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False
    return True


def monday_of(day: date) -> date:
    """The Monday the ISO week of `day` starts on."""
    return day - timedelta(days=day.weekday())
