"""The HR weekly digest: what a section is, and the week it covers.

Each feature declares its sections (`DigestSpec`, in `models/<feature>/digest.py`, listed in its `Feature`);
`models.digest` builds the digest from every feature's sections, in `order`. A section returns figures —
each with its history over the previous weeks, so that `models.digest` can band it red, amber or green against
the figure's own baseline (`models.core.stats.band`), never against a target — a few lines, and the long tail
as rows (for "Show all" or a CSV), never more than the access policy lets an HR admin see.

A week is an ISO week in HR's time zone (`hr.timezone`): Monday 00:00 to the next Monday 00:00 there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from models.core.config import OrgConfig
from models.core.messages import Message
from models.core.stats import Band
from models.core.timing import resolve_local
from models.core.zones import zone_of

HISTORY_WEEKS = 8  # the baseline: this many weeks before the digest's week

Unit = Literal["count", "share", "points", "mean"]


@dataclass(frozen=True)
class Week:
    """An ISO week in HR's time zone, with its bounds in UTC."""

    monday: date
    zone: str

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def start(self) -> datetime:
        """Monday 00:00 in the zone, in UTC (so that differences are real durations across DST)."""
        return resolve_local(self.monday, time(0), zone_of(self.zone, "UTC")).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return resolve_local(self.monday + timedelta(days=7), time(0), zone_of(self.zone, "UTC")).astimezone(UTC)

    def back(self, weeks: int) -> Week:
        return Week(self.monday - timedelta(days=7 * weeks), self.zone)

    @classmethod
    def of(cls, moment: datetime, zone: str) -> Week:
        local = moment.astimezone(zone_of(zone, "UTC")).date()
        return cls(local - timedelta(days=local.weekday()), zone)

    @classmethod
    def parse(cls, label: str, zone: str) -> Week:
        """`2026-W48` (case-insensitive); ValueError otherwise."""
        text = label.strip().upper()
        year, _, week = text.partition("-W")
        if not (year.isdigit() and week.isdigit() and len(year) == 4 and 1 <= int(week) <= 53):
            raise ValueError(f"{label!r} isn't an ISO week: write one like 2026-W48")
        try:
            return cls(date.fromisocalendar(int(year), int(week), 1), zone)
        except ValueError:
            raise ValueError(f"{int(year)} has no week {int(week)}") from None


@dataclass(frozen=True)
class Figure:
    """One number of a section, with the same number for the previous weeks (oldest first) as its baseline.

    `people`: how many people stand behind it (a rate's denominator); below the privacy minimum the figure gets
    no colour. `band` is set by `models.digest`."""

    key: str
    label: Message | str
    value: float | None
    unit: Unit = "count"
    history: tuple[float, ...] = ()
    people: int | None = None
    higher_is_better: bool = True
    band: Band | None = None


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: Message | str
    figures: tuple[Figure, ...] = ()
    lines: tuple[Message | str, ...] = ()
    tail_header: tuple[str, ...] = ()  # the long tail's columns (English: a CSV's header)
    tail: tuple[tuple[str, ...], ...] = ()  # every row, for "Show all" or the CSV
    empty: Message | str | None = None  # what to say when there is nothing


SectionFn = Callable[[Session, OrgConfig, str, Week], DigestSection]


@dataclass(frozen=True)
class DigestSpec:
    """A feature's section of the digest; lower `order` shows first."""

    key: str
    order: int
    fn: SectionFn
    description: str = ""


ActivityFn = Callable[[Session, str, datetime, datetime], set[int]]


@dataclass(frozen=True)
class Activity:
    """Who did something with a feature in [start, end) (person ids): the digest's adoption section joins them."""

    name: str
    fn: ActivityFn
