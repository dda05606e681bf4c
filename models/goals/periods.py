"""Goal periods: quarters, halves or years of the fiscal year (`goals.period`, `goals.fiscal_year_start_month`).

A period has a key ("2026-Q4", "2026-H2", "FY2026") and runs from its first to its last day, inclusive. The
fiscal year is named after the calendar year it starts in: with `fiscal_year_start_month: 4`, "2026-Q1" is
April–June 2026 and "2026-Q4" is January–March 2027.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from models.core.config import GoalsConfig

_KEY = re.compile(r"^(?:FY)?(\d{4})(?:-(Q[1-4]|H[12]))?$")


@dataclass(frozen=True)
class Period:
    key: str
    starts_on: date
    ends_on: date  # inclusive

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def elapsed(self, today: date) -> float:
        """The share of the period gone by at the end of `today` (0 before it starts, 1 after it ends)."""
        if today < self.starts_on:
            return 0.0
        if today >= self.ends_on:
            return 1.0
        return ((today - self.starts_on).days + 1) / self.days

    def days_left(self, today: date) -> int:
        return max(0, (self.ends_on - today).days)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def _span(cfg: GoalsConfig, fiscal_year: int, kind: str, index: int) -> tuple[date, date]:
    months = {"quarter": 3, "half": 6, "year": 12}[kind]
    y, m = _add_months(fiscal_year, cfg.fiscal_year_start_month, months * index)
    ey, em = _add_months(y, m, months)
    return date(y, m, 1), date(ey, em, 1) - timedelta(days=1)


def _key(kind: str, fiscal_year: int, index: int) -> str:
    if kind == "quarter":
        return f"{fiscal_year}-Q{index + 1}"
    if kind == "half":
        return f"{fiscal_year}-H{index + 1}"
    return f"FY{fiscal_year}"


def period_containing(cfg: GoalsConfig, day: date, kind: str | None = None) -> Period:
    """The period of `kind` (default: the configured one) that `day` falls in."""
    kind = kind or cfg.period
    months_in = (day.year * 12 + day.month - 1) - (day.year * 12 + cfg.fiscal_year_start_month - 1)
    fiscal_year = day.year if months_in >= 0 else day.year - 1
    months_in %= 12
    index = months_in // {"quarter": 3, "half": 6, "year": 12}[kind]
    start, end = _span(cfg, fiscal_year, kind, index)
    return Period(_key(kind, fiscal_year, index), start, end)


def next_period(cfg: GoalsConfig, period: Period) -> Period:
    kind = "year" if period.key.startswith("FY") else "half" if "-H" in period.key else "quarter"
    return period_containing(cfg, period.ends_on + timedelta(days=1), kind)


def parse_period(cfg: GoalsConfig, key: str) -> Period | None:
    """The period a key names ("2026-Q4", "2026-H1", "FY2026" or "2026"), or None if it names none."""
    found = _KEY.match(key.strip().upper())
    if found is None:
        return None
    fiscal_year, part = int(found.group(1)), found.group(2)
    if not 1970 <= fiscal_year <= 2200:
        return None
    if part is None:
        kind, index = "year", 0
    else:
        kind, index = ("quarter" if part[0] == "Q" else "half"), int(part[1]) - 1
    start, end = _span(cfg, fiscal_year, kind, index)
    return Period(_key(kind, fiscal_year, index), start, end)
