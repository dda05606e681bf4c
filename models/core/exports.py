"""Performance-data exports: what a feature adds to `candor export` and the HR admin's export (a contract).

Each feature declares its part (`ExportSpec`, in `models/<feature>/export.py`, listed in its `Feature`): the
columns it adds, each with its meaning, source and privacy rule (`docs/exports.md` is generated from them), and
a function computing them for every person of a workspace over a period in a few set-based queries (never a
query per person): person id → column → value. A person missing from the result, or a column missing from a
person's dict, gets the column's `default` (an empty cell, or 0 for a count). `models.exports` joins the
features' parts into one row per person.

A column may stand for a family (`names`): the feedback's `level_<competency id>`, one per competency of the
organisation's framework.

Periods (`ExportPeriod`): a calendar quarter (2026-Q4), half (2026-H2), year (2026) or month (2026-11) in HR's
time zone (`hr.timezone`), from its first moment to the first moment after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models.core.config import OrgConfig
from models.core.periods import CalendarPeriod

ExportValue = str | int | float | None
ExportFn = Callable[[Session, OrgConfig, str, datetime, datetime], dict[int, dict[str, ExportValue]]]


@dataclass(frozen=True)
class ExportColumn:
    """One column (or one family of columns, when `names` is set) of the export, as the data dictionary
    describes it: what it means, where it comes from, and the privacy rule it keeps."""

    name: str
    meaning: str
    source: str
    privacy: str
    names: Callable[[OrgConfig], tuple[str, ...]] | None = None  # the actual columns of a family, for an org
    default: ExportValue = None  # the value for a person the feature's function says nothing about (counts: 0)

    def expand(self, org: OrgConfig) -> tuple[str, ...]:
        return self.names(org) if self.names is not None else (self.name,)


@dataclass(frozen=True)
class ExportSpec:
    """A feature's columns of the export; lower `order` comes first. `fn(session, org, team_id, start, end)`:
    person id → column → value, for the people it has figures about (the rest get empty cells)."""

    key: str
    order: int
    columns: tuple[ExportColumn, ...]
    fn: ExportFn

    def column_names(self, org: OrgConfig) -> tuple[str, ...]:
        return tuple(name for column in self.columns for name in column.expand(org))


# -- periods ----------------------------------------------------------------------------------------------------


ExportPeriod = CalendarPeriod


def share(part: int, whole: int) -> float | None:
    """`part / whole` rounded to 4 places, None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None
