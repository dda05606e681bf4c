"""When a check-in is asked, reminded and closed: its period is the local ISO week of the prompt."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from models.core.config import WEEKDAYS, CheckinConfig
from models.core.timing import WorkPattern, every_n_weeks_due, weekly_due
from models.core.weeks import week_start_of

# Fortnightly check-ins count weeks from this Monday, so every person is on the same rhythm.
BIWEEKLY_ANCHOR = date(2026, 1, 5)


WEEKDAY_INDEX = {name: i for i, name in enumerate(WEEKDAYS)}


def interval_weeks(cfg: CheckinConfig) -> int:
    return 2 if cfg.cadence == "biweekly" else 1


def prompt_due(period: str, cfg: CheckinConfig, pattern: WorkPattern) -> datetime | None:
    """When the check-in of `period` is asked, in UTC (None if that week has no check-in)."""
    start = week_start_of(period)
    if ((start - BIWEEKLY_ANCHOR).days // 7) % interval_weeks(cfg):
        return None
    return weekly_due(start, WEEKDAY_INDEX[cfg.weekday], cfg.at, pattern)


def reminder_due(period: str, cfg: CheckinConfig, pattern: WorkPattern) -> datetime | None:
    """The one reminder for `period`: the configured day and time of the following week."""
    if prompt_due(period, cfg, pattern) is None:
        return None
    return weekly_due(week_start_of(period) + timedelta(days=7), WEEKDAY_INDEX[cfg.reminder_weekday],
                      cfg.reminder_time, pattern)


def closes_at(period: str, cfg: CheckinConfig, pattern: WorkPattern) -> datetime:
    """A period closes when the next check-in is asked."""
    due = prompt_due(period, cfg, pattern)
    assert due is not None, f"{period} has no check-in"
    _, nxt = every_n_weeks_due(BIWEEKLY_ANCHOR, interval_weeks(cfg), due, WEEKDAY_INDEX[cfg.weekday], cfg.at,
                               pattern)
    return nxt


def prompts_between(cfg: CheckinConfig, pattern: WorkPattern, start: datetime, end: datetime
                    ) -> list[tuple[str, datetime]]:
    """Every (period, due) with start < due <= end."""
    out: list[tuple[str, datetime]] = []
    after = start
    while True:
        period, due = every_n_weeks_due(BIWEEKLY_ANCHOR, interval_weeks(cfg), after, WEEKDAY_INDEX[cfg.weekday],
                                        cfg.at, pattern)
        if due > end:
            return out
        out.append((period, due))
        after = due


def current_period(cfg: CheckinConfig, pattern: WorkPattern, now: datetime) -> str | None:
    """The open period at `now` (the latest one already asked), or None before the first."""
    found = prompts_between(cfg, pattern, now - timedelta(days=7 * interval_weeks(cfg) + 7), now)
    return found[-1][0] if found else None
