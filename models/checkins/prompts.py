"""The check-in prompt and its one reminder, each due in the person's own time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from models.checkins.periods import prompts_between, reminder_due
from models.core.config import CheckinConfig
from models.core.prompts import Occurrence, PromptContext, PromptKind
from models.core.tables import Person
from models.core.timing import WorkPattern

# ctx.cache entry: due check-ins by (kind, the schedule, pattern, window). Everyone who shares a WorkPattern
# (zone, working days, quiet hours) shares them, so a tick computes them once per pattern, not per person.
_MEMO = "checkins.due"


def _memoised(ctx: PromptContext, kind: str, pattern: WorkPattern, start: datetime, end: datetime,
              compute: Callable[[CheckinConfig, WorkPattern, datetime, datetime], list[Occurrence]]
              ) -> list[Occurrence]:
    cfg = ctx.org.checkins
    memo: dict[tuple[Any, ...], tuple[Occurrence, ...]] = ctx.cache.setdefault(_MEMO, {})
    key = (kind, cfg.cadence, cfg.weekday, cfg.at, cfg.reminder_weekday, cfg.reminder_time, pattern, start, end)
    found = memo.get(key)
    if found is None:
        found = memo[key] = tuple(compute(cfg, pattern, start, end))
    return list(found)


def _prompts(cfg: CheckinConfig, pattern: WorkPattern, start: datetime, end: datetime) -> list[Occurrence]:
    return [Occurrence(p, due) for p, due in prompts_between(cfg, pattern, start, end)]


def _reminders(cfg: CheckinConfig, pattern: WorkPattern, start: datetime, end: datetime) -> list[Occurrence]:
    out = []
    # A reminder falls in the week after its prompt: at most 14 days later, whatever the cadence.
    for period, _ in prompts_between(cfg, pattern, start - timedelta(days=14), end):
        due = reminder_due(period, cfg, pattern)
        if due is not None and start < due <= end:
            out.append(Occurrence(period, due))
    return out


def checkin_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                    ) -> Iterable[Occurrence]:
    if not ctx.org.checkins.enabled:
        return []
    return _memoised(ctx, "checkin.prompt", pattern, start, end, _prompts)


def checkin_reminders(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                      ) -> Iterable[Occurrence]:
    if not ctx.org.checkins.enabled:
        return []
    return _memoised(ctx, "checkin.reminder", pattern, start, end, _reminders)


PROMPTS = (
    PromptKind("checkin.prompt", checkin_prompts,
               description="Weekly check-in DM, at the configured local day and time"),
    PromptKind("checkin.reminder", checkin_reminders,
               description="One reminder when a check-in is still unanswered"),
)
