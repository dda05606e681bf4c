"""The check-in prompt and its one reminder, each due in the person's own time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from models.checkins.periods import prompts_between, reminder_due
from models.core.prompts import Occurrence, PromptContext, PromptKind
from models.core.tables import Person
from models.core.timing import WorkPattern


def checkin_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                    ) -> Iterable[Occurrence]:
    if not ctx.org.checkins.enabled:
        return []
    return [Occurrence(p, due) for p, due in prompts_between(ctx.org.checkins, pattern, start, end)]


def checkin_reminders(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                      ) -> Iterable[Occurrence]:
    cfg = ctx.org.checkins
    if not cfg.enabled:
        return []
    out = []
    # A reminder falls in the week after its prompt: at most 14 days later, whatever the cadence.
    for period, _ in prompts_between(cfg, pattern, start - timedelta(days=14), end):
        due = reminder_due(period, cfg, pattern)
        if due is not None and start < due <= end:
            out.append(Occurrence(period, due))
    return out


PROMPTS = (
    PromptKind("checkin.prompt", checkin_prompts,
               description="Weekly check-in DM, at the configured local day and time"),
    PromptKind("checkin.reminder", checkin_reminders,
               description="One reminder when a check-in is still unanswered"),
)
